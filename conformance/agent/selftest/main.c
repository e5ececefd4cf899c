/* vgb-agent-selftest: the shared agent runner (runner.c) with cases that end
 * the way a broken stack ends a real case: killed by a signal, exited without a
 * result, hung. check_runner.py checks that each verdict names the last step
 * the case logged, which is how a pair's failure says where it stopped. */
#include "../cases.h"
#include "../steps.h"

#include <stdlib.h>
#include <unistd.h>

static enum verdict aborts(struct case_ctx *c)
{
	(void)c;
	step("opening Vulkan: vkCreateInstance");
	abort();
}

static enum verdict exits(struct case_ctx *c)
{
	(void)c;
	step("first step -> ok");
	step("second step");
	_exit(3);
}

static enum verdict hangs(struct case_ctx *c)
{
	(void)c;
	step("waiting for an answer that never comes");
	for (;;)
		pause();
	return ERROR;
}

static const struct case_def selftest_cases[] = {
	{ "agent.selftest.abort_after_step", aborts, CASE_IDS("REQ-NONE") },
	{ "agent.selftest.exit_after_step", exits, CASE_IDS("REQ-NONE") },
	{ "agent.selftest.hang_after_step", hangs, CASE_IDS("REQ-NONE") },
	{ NULL, NULL, NULL },
};

static const struct case_def *const case_groups[] = { selftest_cases };

int main(int argc, char **argv)
{
	return agent_main(argc, argv, case_groups, 1);
}
