/* SPDX-License-Identifier: MIT */
/*
 * The driver's self-check: for one path, upload an odd-sized frame from
 * scattered pages, show it, and compare the backend's UPDATE pixels with the
 * frame; on the mapped path also check coherency both ways and run the
 * producer/consumer loop.
 */
#ifndef VGB_SELFCHECK_H
#define VGB_SELFCHECK_H

#include <stdbool.h>

#include "path.h"
#include "vgb/driver.h"

enum vgb_verdict {
	VGB_PASS,
	VGB_FAIL,
	VGB_NOT_SUPPORTED,
};

struct vgb_path_result {
	enum vgb_verdict verdict;
	char detail[640];
};

const char *vgb_verdict_name(enum vgb_verdict v);

/* Self-check frame size: odd in both directions. */
#define VGB_SELFCHECK_WIDTH 161u
#define VGB_SELFCHECK_HEIGHT 97u

/*
 * Run path p on an open driver.  With expect_choice the driver's own path
 * choice must be p (the device was set up to offer exactly that path).
 */
void vgb_selfcheck_run(struct vgb_drv *drv, enum vgb_path p, bool expect_choice,
		       struct vgb_path_result *r);

/* Open a driver with o, run path p with expect_choice, close. */
void vgb_selfcheck_path(const struct vgb_drv_options *o, enum vgb_path p, struct vgb_path_result *r);

#endif
