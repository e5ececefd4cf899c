#include "gpu_ops.h"

#include <string.h>

#include "fill.spv.h"
#include "hash.spv.h"

/* Enough invocations to spread a few MiB over the host's threads. */
#define GROUPS 64u

VkResult gpu_ops_init(struct case_ctx *c, struct vk *vk, struct gpu_ops *ops)
{
	memset(ops, 0, sizeof(*ops));
	static const VkDescriptorType two[] = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER };
	VkResult r = vk_pipeline_create(c, vk, hash_spv, sizeof(hash_spv), two, 2, 4, &ops->hash);
	if (r == VK_SUCCESS)
		r = vk_pipeline_create(c, vk, fill_spv, sizeof(fill_spv), two, 1, 8, &ops->fill);
	if (r == VK_SUCCESS)
		r = vk_buffer_create(c, vk, 256, -1, &ops->result);
	if (r != VK_SUCCESS)
		gpu_ops_fini(vk, ops);
	return r;
}

void gpu_ops_fini(struct vk *vk, struct gpu_ops *ops)
{
	vk_pipeline_destroy(vk, &ops->hash);
	vk_pipeline_destroy(vk, &ops->fill);
	vk_buffer_destroy(vk, &ops->result);
}

VkResult gpu_hash(struct case_ctx *c, struct vk *vk, struct gpu_ops *ops, const struct vk_buffer *buf,
		  uint32_t n, uint32_t *hash, uint32_t *count)
{
	vk_pipeline_set_buffer(vk, &ops->hash, 0, buf->buf, 0, (VkDeviceSize)n * 4);
	vk_pipeline_set_buffer(vk, &ops->hash, 1, ops->result.buf, 0, 8);
	VkCommandBuffer cb;
	VkResult r = vk_cmd_begin(c, vk, &cb);
	if (r != VK_SUCCESS)
		return r;
	/* The result starts at zero on the GPU side, so nothing the CPU wrote
	 * into it can pass for a result. */
	vkCmdFillBuffer(cb, ops->result.buf, 0, 8, 0);
	VkMemoryBarrier mb = { .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
			       .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT };
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0,
			     NULL, 0, NULL);
	vk_cmd_barrier_host_to_shader(cb);
	vk_cmd_dispatch(cb, &ops->hash, &n, GROUPS);
	vk_cmd_barrier_shader_to_host(cb);
	r = vk_submit_wait(c, vk, cb);
	vkFreeCommandBuffers(vk->dev, vk->pool, 1, &cb);
	if (r == VK_SUCCESS) {
		const volatile uint32_t *res = ops->result.map;
		*hash = res[0];
		*count = res[1];
	}
	return r;
}

VkResult gpu_fill(struct case_ctx *c, struct vk *vk, struct gpu_ops *ops, const struct vk_buffer *buf,
		  uint32_t n, uint32_t seed)
{
	vk_pipeline_set_buffer(vk, &ops->fill, 0, buf->buf, 0, (VkDeviceSize)n * 4);
	VkCommandBuffer cb;
	VkResult r = vk_cmd_begin(c, vk, &cb);
	if (r != VK_SUCCESS)
		return r;
	uint32_t push[2] = { n, seed };
	vk_cmd_dispatch(cb, &ops->fill, push, GROUPS);
	vk_cmd_barrier_shader_to_host(cb);
	r = vk_submit_wait(c, vk, cb);
	vkFreeCommandBuffers(vk->dev, vk->pool, 1, &cb);
	return r;
}

void cpu_fill(volatile uint32_t *w, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		w[i] = vk_mix32(seed, i);
}

uint32_t cpu_check(const volatile uint32_t *w, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		if (w[i] != vk_mix32(seed, i))
			return i;
	return n;
}
