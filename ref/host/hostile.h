/* SPDX-License-Identifier: MIT */
/*
 * vgb-host --hostile=RULES: a device that answers the driver under test
 * wrongly on purpose, so drv.hostile.* cases can check that a driver reports
 * each wrong answer and stays sane.  The faults live at the edge, between the
 * device core and the transport: a wrapper around the responses the core
 * writes (vgb_vu_device.request) and around the placements it asks of the
 * transport (SHMEM_MAP/UNMAP).  The core itself runs unchanged.
 *
 * RULES is a comma-separated list of FAULT[=ARG][@COMMAND][#N]:
 * COMMAND names the control-queue command a response fault applies to (any
 * command when absent); #N limits it to the Nth match (1-based).  Faults are
 * listed by hostile_usage().
 */
#ifndef VGB_HOST_HOSTILE_H
#define VGB_HOST_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vgb/vu_backend.h"

struct hostile;

/* NULL with the reason in err when RULES is malformed. */
struct hostile *hostile_new(const char *rules, char *err, size_t errlen);
void hostile_free(struct hostile *x);
void hostile_usage(FILE *f);

/* Put the response faults between the device core and the transport. */
void hostile_wrap_device(struct hostile *x, struct vgb_vu_device *vd);
/* Placement of a mapped blob by the transport, with the map-* faults applied
 * (and undone consistently by the unmap). */
int hostile_shm_map(struct hostile *x, struct vgb_vu_backend *be, int fd, uint64_t fd_offset,
		    uint64_t shm_offset, uint64_t len, bool writable);
int hostile_shm_unmap(struct hostile *x, struct vgb_vu_backend *be, uint64_t shm_offset, uint64_t len);

#endif
