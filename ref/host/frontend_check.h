/* SPDX-License-Identifier: MIT */
/*
 * vgb-host --validate-frontend[=FILE]: the device checks its front-end (the
 * VMM) against the frontend requirements of the vhost-user chapter
 * (REQ-DEV-VU-0043..0047), the mirror of --validate, which checks the driver.
 *
 * What a back-end can see of its front-end: whether GET_SHMEM_CONFIG came only
 * after SHMEM was negotiated (REQ-DEV-VU-0046, passive); how it answers
 * placements it must refuse, probed with a page of the device's own before the
 * first real placement (unknown shmid, outside the region, overlapping a live
 * mapping: REQ-DEV-VU-0043; unmapping part of a mapping or nothing:
 * REQ-DEV-VU-0044) and that it keeps working afterwards (REQ-DEV-VU-0047);
 * and, after the front-end stopped or reset the device while mappings were
 * live, whether a placement over one of them is accepted, i.e. the front-end
 * dropped it (REQ-DEV-VU-0045).  Probes happen only while a MAP_BLOB is being
 * served: the device has started, and the driver waits for the answer.
 *
 * Every check ends as one JSON line in FILE:
 *   {"frontend_requirement": ID, "verdict": "PASS"|"FAIL"|"NOT_SUPPORTED", "detail": "..."}
 * and a FAIL also as "FRONTEND VIOLATION ID detail" on stderr.
 */
#ifndef VGB_HOST_FRONTEND_CHECK_H
#define VGB_HOST_FRONTEND_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vgb/vu_backend.h"

struct frontend_check;

/* out: where the JSON lines go (NULL: stderr only). */
struct frontend_check *frontend_check_new(FILE *out);
/* Reports what was never probed, then frees. */
void frontend_check_finish(struct frontend_check *fc);

/* A requirement broken, seen by the transport (vgb_vu_backend_options.frontend_violation). */
void frontend_check_violation(void *opaque, const char *req_id, const char *detail);

/* The device is about to place [off, +len) of a region of region_size bytes: probe first. */
void frontend_check_before_map(struct frontend_check *fc, struct vgb_vu_backend *be, uint64_t region_size,
			       uint64_t off, uint64_t len);
/* What became of a placement or a removal (r: 0 or -errno). */
void frontend_check_mapped(struct frontend_check *fc, uint64_t off, uint64_t len, int r);
void frontend_check_unmapped(struct frontend_check *fc, uint64_t off, int r);
/* The front-end stopped or reset the device: it must have dropped every mapping. */
void frontend_check_dropped(struct frontend_check *fc);

#endif
