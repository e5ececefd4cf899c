/* SPDX-License-Identifier: MIT */
/*
 * Coherency checks between the driver's mapping of a HOST3D blob and the
 * host, which the reference context stands in for: the guest writes through
 * its mapping and the host checksums; the host fills or patterns and the
 * guest reads through its mapping; and a producer/consumer loop (a pen
 * stroke per iteration, checked by a fenced host checksum) that measures how
 * stale the host's view is.  Results land in a second mapped blob.
 */
#ifndef VGB_COHERENCY_H
#define VGB_COHERENCY_H

#include <stddef.h>
#include <stdint.h>

#include "vgb/driver.h"

struct vgb_coh {
	struct vgb_drv *drv;
	uint32_t ctx_id;
	uint32_t buf_id, result_id;         /* resources */
	struct vgb_drv_mapping buf, result; /* their mappings */
	uint64_t size;                      /* bytes of buf under test */
};

/* Create and map the two blobs (size bytes under test). 0 or <0/ERR with detail. */
int vgb_coh_open(struct vgb_drv *drv, uint64_t size, struct vgb_coh *c, char *detail, size_t len);
void vgb_coh_close(struct vgb_coh *c);

/* Guest writes a seeded pattern via the mapping; host CHECKSUM must equal the guest's FNV-1a. */
int vgb_coh_guest_to_host(struct vgb_coh *c, uint32_t seed, char *detail, size_t len);
/* Host PATTERN then FILL over parts of the buffer; the guest reads both via the mapping. */
int vgb_coh_host_to_guest(struct vgb_coh *c, uint32_t seed, char *detail, size_t len);

struct vgb_staleness {
	unsigned iterations;
	unsigned stale_checks;             /* checks whose host view lagged the guest */
	unsigned max_iters, median_iters;  /* lag of the host's view, in strokes */
	double max_us, median_us;          /* stroke written -> host saw it */
};
/*
 * The handwriting case: iterations strokes on a width x height canvas in buf;
 * after each, a fenced host CHECKSUM of the canvas is compared with the guest's
 * history of checksums to find how many strokes behind the host is.
 * Fails (-1) if the host's checksum matches no recent guest state or lags.
 */
int vgb_coh_producer_consumer(struct vgb_coh *c, uint32_t width, uint32_t height, unsigned iterations,
			      struct vgb_staleness *out, char *detail, size_t len);

#endif
