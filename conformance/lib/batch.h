/* SPDX-License-Identifier: MIT */
/*
 * Several control-queue requests made available together, before any is
 * returned: for ordering and in-flight checks a one-at-a-time driver cannot make.
 */
#ifndef VGB_CONFORM_BATCH_H
#define VGB_CONFORM_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "gpu.h"

#define VC_BATCH_MAX 16

struct vc_batch {
	unsigned n;
	const void *req[VC_BATCH_MAX];
	size_t req_len[VC_BATCH_MAX];
	struct vc_resp resp[VC_BATCH_MAX];
	unsigned order[VC_BATCH_MAX]; /* order[k] = index of the k-th request returned */
};

/* Add all, kick once, wait for all. false (FAIL R_ERR_SERVES / ERROR recorded) on failure. */
bool vc_batch_run(struct vc *t, struct vc_batch *b);

#endif
