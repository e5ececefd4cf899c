/* The Vulkan agent's case groups (pair.vk.*), run by the agent's runner. */
#ifndef VGB_VKAGENT_VKCASES_H
#define VGB_VKAGENT_VKCASES_H

#include "cases.h"

extern const struct case_def vk_memory_cases[];
extern const struct case_def vk_loop_cases[];
extern const struct case_def vk_lifecycle_cases[];

#endif
