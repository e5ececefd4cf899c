/* vgb-agent: the pair cases of the stock Linux driver (DRM ioctls), run
 * inside a test guest by the shared runner (runner.c). */
#include "cases.h"

static const struct case_def *const case_groups[] = {
	params_cases, copy_cases, scanout_cases, blob_cases, refctx_cases, lifecycle_cases, negative_cases,
};

int main(int argc, char **argv)
{
	return agent_main(argc, argv, case_groups, sizeof(case_groups) / sizeof(case_groups[0]));
}
