/* The two GPU operations the memory cases are built from: hash what the CPU
 * wrote (the GPU reads), and fill with a known pattern (the GPU writes).
 * Both run on the Venus device as compute dispatches and are waited for. */
#ifndef VGB_VKAGENT_GPU_OPS_H
#define VGB_VKAGENT_GPU_OPS_H

#include "vk.h"

struct gpu_ops {
	struct vk_pipeline hash, fill;
	struct vk_buffer result; /* {sum, count} of the last hash */
};

VkResult gpu_ops_init(struct case_ctx *c, struct vk *vk, struct gpu_ops *ops);
void gpu_ops_fini(struct vk *vk, struct gpu_ops *ops);

/* The GPU's hash of the first n words of buf (vk_hash_words on the GPU);
 * *count is how many words it read (n when the dispatch covered them all). */
VkResult gpu_hash(struct case_ctx *c, struct vk *vk, struct gpu_ops *ops, const struct vk_buffer *buf,
		  uint32_t n, uint32_t *hash, uint32_t *count);
/* Word i of buf becomes vk_mix32(seed, i) for i < n. */
VkResult gpu_fill(struct case_ctx *c, struct vk *vk, struct gpu_ops *ops, const struct vk_buffer *buf,
		  uint32_t n, uint32_t seed);

/* The CPU's side of the same patterns. */
void cpu_fill(volatile uint32_t *w, uint32_t n, uint32_t seed);
/* First word that is not vk_mix32(seed, i), or n. */
uint32_t cpu_check(const volatile uint32_t *w, uint32_t n, uint32_t seed);

#endif
