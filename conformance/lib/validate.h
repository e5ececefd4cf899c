/* SPDX-License-Identifier: MIT */
/* The reference device's validating-mode log: JSON lines naming broken driver requirements. */
#ifndef VGB_CONFORM_VALIDATE_H
#define VGB_CONFORM_VALIDATE_H

#include <stdbool.h>

#include "vc.h"

struct vc_violations {
	unsigned n;
	char ids[32][48];
	char first_detail[400];
	bool log_found;
};

/* Read t->validate_path; stop the backend first (the log is complete then). */
void vc_read_violations(struct vc *t, struct vc_violations *v);
bool vc_violation_has(const struct vc_violations *v, const char *id);
/* Stop the device and require `want` among the recorded violations (FAIL citing want). */
enum vc_verdict vc_expect_violation(struct vc *t, const char *want, const char *action);

#endif
