/* vgb-vk-agent: the pair.vk.* cases, Vulkan through the guest's Venus driver
 * (Mesa) on a virtio-gpu device, run inside a test guest by the agent's
 * runner and reported in the same result lines as the agent's cases. */
#include "vkcases.h"

static const struct case_def *const case_groups[] = {
	vk_memory_cases, vk_loop_cases, vk_lifecycle_cases,
};

int main(int argc, char **argv)
{
	return agent_main(argc, argv, case_groups, sizeof(case_groups) / sizeof(case_groups[0]));
}
