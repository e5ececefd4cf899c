/* SPDX-License-Identifier: MIT */
/* Running cases isolated: a forked child with a fresh frontend + backend and a deadline. */
#ifndef VGB_CONFORM_RUN_H
#define VGB_CONFORM_RUN_H

#include "trace.h"
#include "vc.h"

#define VC_DEFAULT_TIMEOUT_S 30
#define VC_MAX_ATTEMPTS 16

struct vc_result {
	enum vc_verdict verdict;
	char fail_id[48];
	char detail[1536];
	char note[512];
	uint32_t seed;
	double time_s;
	bool ran;      /* the case ran (its needs were met) */
	/* The exchange with the device around the failure (FAIL, WARNING and
	 * ERROR from the case itself); "" otherwise. */
	char trace[VC_TRACE_TEXT];
	/* Every verdict when the case was rerun (vc_run_case_reruns). */
	enum vc_verdict attempts[VC_MAX_ATTEMPTS];
	unsigned nattempts;
};

/* Discover what the target offers (isolated like a case). 0, or -1 with err. */
int vc_probe_target(const struct vc_target *tg, struct vc_probe *p, char *err, size_t errlen);

/* Run one case isolated. timeout_s 0 = the case's own or the default.
 * attempt (1, 2, ...) is which run of the case this is (see inject.h). */
void vc_run_case(const struct vc_case *c, const struct vc_target *tg, const struct vc_probe *p,
		 uint32_t seed, int timeout_s, unsigned attempt, struct vc_result *res);
/*
 * Runs the case, and when it fails (FAIL, CRASH, TIMEOUT, ERROR) up to
 * reruns more times, with the same seed, until another verdict comes: FLAKY
 * then.  res keeps the first run's findings and every verdict in attempts.
 */
void vc_run_case_reruns(const struct vc_case *c, const struct vc_target *tg, const struct vc_probe *p,
			uint32_t seed, int timeout_s, unsigned reruns, struct vc_result *res);

/* Inside a case: stop the backend now (e.g. to read its validating-mode log). */
void vc_stop_backend(struct vc *t);

/* Start a frontend for the target with the case's feature mask (used by run and probe). */
struct vgb_fe *vc_start_frontend(const struct vc_target *tg, uint64_t mask_features,
				 const char *validate_path, char *err, size_t errlen);

#endif
