/* SPDX-License-Identifier: MIT */
/*
 * A range allocator over the host-visible region, in the manner of Linux's
 * drm_mm: the driver, not the device, decides where each blob is mapped.
 * Offsets and sizes are multiples of the map granularity.
 */
#ifndef VGB_RANGE_ALLOC_H
#define VGB_RANGE_ALLOC_H

#include <stdint.h>

struct vgb_range {
	uint64_t offset, size;
};

struct vgb_range_alloc {
	uint64_t size;        /* usable bytes: region size rounded down to granularity */
	uint64_t granularity; /* power of two */
	uint64_t used;        /* bytes reserved */
	unsigned n, cap;
	struct vgb_range *ranges; /* reserved ranges, sorted by offset, disjoint */
};

/* granularity must be a power of two; 0 or -EINVAL. */
int vgb_range_init(struct vgb_range_alloc *a, uint64_t size, uint64_t granularity);
void vgb_range_fini(struct vgb_range_alloc *a);
/* Size rounded up to the granularity; 0 on overflow or size 0. */
uint64_t vgb_range_round(const struct vgb_range_alloc *a, uint64_t size);
/* First fit; *offset gets the start. -EINVAL (size 0/overflow), -ENOSPC, -ENOMEM. */
int vgb_range_reserve(struct vgb_range_alloc *a, uint64_t size, uint64_t *offset);
/* A given range; -EINVAL if misaligned or outside, -EEXIST if it overlaps a reservation. */
int vgb_range_reserve_at(struct vgb_range_alloc *a, uint64_t offset, uint64_t size);
/* Release the reservation that starts at offset; -ENOENT if none does. */
int vgb_range_release(struct vgb_range_alloc *a, uint64_t offset);

#endif
