/* SPDX-License-Identifier: MIT */
/*
 * Cases that misbehave on purpose, to prove the harness turns a dying case into
 * CRASH and a hanging one into TIMEOUT, leaving nothing of it behind.  Listed only
 * when VGB_CONFORM_SELFTEST is set (conformance/pytest/test_harness.py does).
 */
#include <signal.h>
#include <unistd.h>

#include "cases.h"

static enum vc_verdict dies(struct vc *t)
{
	kill(getpid(), SIGKILL);
	return vc_error(t, "still alive after SIGKILL");
}

static enum vc_verdict hangs(struct vc *t)
{
	for (;;)
		pause();
	return vc_done(t);
}

/* Hangs once its validating device has opened the log, which the harness must then remove. */
static enum vc_verdict hangs_validating(struct vc *t)
{
	if (access(t->validate_path, F_OK) != 0)
		return vc_error(t, "the validating device has not opened %s", t->validate_path);
	return hangs(t);
}

const struct vc_case vc_cases_selftest[] = {
	{ .name = "dev.selftest.crash", .ids = { NULL }, .run = dies,
	  .summary = "harness self-test: a case process that dies is CRASH" },
	{ .name = "dev.selftest.timeout", .ids = { NULL }, .run = hangs, .timeout_s = 2,
	  .summary = "harness self-test: a case that hangs is TIMEOUT" },
	{ .name = "drv.selftest.timeout_validating", .ids = { NULL }, .run = hangs_validating,
	  .needs = VC_NEED_VALIDATE, .timeout_s = 2,
	  .summary = "harness self-test: a hanging case's validating log is removed after its TIMEOUT" },
	{ 0 },
};
