/* The Vulkan side of the Vulkan agent: one instance and device per case on
 * the guest's Venus device, host-visible buffers and linear images, compute
 * pipelines from the SPIR-V compiled at build time, and fenced submissions.
 * Every helper returns a VkResult (or -1) and leaves the reason in the case's
 * detail, so a case can turn any failure into a verdict in one line. */
#ifndef VGB_VKAGENT_VK_H
#define VGB_VKAGENT_VK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

#include "cases.h"

/* Submissions and fences wait at most this long: a case's watchdog is longer. */
#define VK_WAIT_NS (10ull * 1000 * 1000 * 1000)

struct vk {
	VkInstance instance;
	VkPhysicalDevice phys;
	VkDevice dev;
	VkQueue queue;
	uint32_t queue_family;
	VkCommandPool pool;
	VkFence fence;
	VkPhysicalDeviceProperties props;
	VkPhysicalDeviceMemoryProperties mem;
	VkDriverId driver_id;
	char driver_name[VK_MAX_DRIVER_NAME_SIZE];
	char driver_info[VK_MAX_DRIVER_INFO_SIZE];
	bool ycbcr; /* samplerYcbcrConversion enabled: multi-planar images allowed */
};

/* Opens the Venus device (with VGB_VK_ANY_DEVICE=1 in the environment, the
 * first device of any driver: the loops then run on the build host's
 * lavapipe). Returns PASS, or NOT_SUPPORTED / ERROR with the reason said. */
enum verdict vk_open(struct case_ctx *c, struct vk *vk);
void vk_close(struct vk *vk);

const char *vk_result_name(VkResult r);
/* "DEVICE_LOCAL|HOST_VISIBLE|..." for a memory type's flags. */
void vk_memory_flags_name(VkMemoryPropertyFlags f, char *out, size_t cap);

#define VK_HOST_VISIBLE VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT
#define VK_HOST_COHERENT VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
#define VK_HOST_CACHED VK_MEMORY_PROPERTY_HOST_CACHED_BIT

/* The first memory type allowed by `bits` that has every flag of `want` and
 * none of `avoid`; -1 when none. */
int vk_type_find(const struct vk *vk, uint32_t bits, VkMemoryPropertyFlags want, VkMemoryPropertyFlags avoid);

struct vk_buffer {
	VkBuffer buf;
	VkDeviceMemory mem;
	VkDeviceSize size;
	uint32_t type;
	void *map; /* the whole allocation, when host-visible */
};

/* A storage buffer of `size` bytes in its own allocation of memory type `type`
 * (-1: the first host-visible, coherent type the buffer allows), mapped when
 * host-visible. */
VkResult vk_buffer_create(struct case_ctx *c, struct vk *vk, VkDeviceSize size, int type, struct vk_buffer *b);
void vk_buffer_destroy(struct vk *vk, struct vk_buffer *b);

/* Flush / invalidate a whole mapped allocation (non-coherent types). */
VkResult vk_flush_all(struct vk *vk, VkDeviceMemory mem);
VkResult vk_invalidate_all(struct vk *vk, VkDeviceMemory mem);

/* A compute pipeline with one descriptor set: bindings 0..n-1 of the given
 * types, and `push_bytes` of push constants. */
struct vk_pipeline {
	VkShaderModule module;
	VkDescriptorSetLayout set_layout;
	VkPipelineLayout layout;
	VkPipeline pipe;
	VkDescriptorPool pool;
	VkDescriptorSet set;
	uint32_t push_bytes;
};

VkResult vk_pipeline_create(struct case_ctx *c, struct vk *vk, const uint32_t *spirv, size_t spirv_bytes,
			    const VkDescriptorType *types, uint32_t n, uint32_t push_bytes, struct vk_pipeline *p);
void vk_pipeline_set_buffer(struct vk *vk, struct vk_pipeline *p, uint32_t binding, VkBuffer buf,
			    VkDeviceSize offset, VkDeviceSize range);
void vk_pipeline_set_image(struct vk *vk, struct vk_pipeline *p, uint32_t binding, VkImageView view,
			   VkSampler sampler);
void vk_pipeline_destroy(struct vk *vk, struct vk_pipeline *p);

/* A primary command buffer being recorded; vk_submit_wait ends it, submits
 * it with the agent's fence and waits for that fence. */
VkResult vk_cmd_begin(struct case_ctx *c, struct vk *vk, VkCommandBuffer *cb);
VkResult vk_submit_wait(struct case_ctx *c, struct vk *vk, VkCommandBuffer cb);
/* Resubmits an already recorded command buffer and waits. */
VkResult vk_resubmit_wait(struct case_ctx *c, struct vk *vk, VkCommandBuffer cb);

/* Records a dispatch of p with the given push constants. */
void vk_cmd_dispatch(VkCommandBuffer cb, const struct vk_pipeline *p, const void *push, uint32_t groups);
/* Host writes before the shader reads (implied by the submission; stated
 * anyway), and shader writes before the host reads after the fence. */
void vk_cmd_barrier_host_to_shader(VkCommandBuffer cb);
void vk_cmd_barrier_shader_to_host(VkCommandBuffer cb);

/* The agent's hash of 32-bit words, the same in the shaders (shaders/mix.glsl):
 * order-independent, so parallel invocations can add it up. */
uint32_t vk_mix32(uint32_t word, uint32_t index);
uint32_t vk_hash_words(const volatile uint32_t *w, uint32_t n);

#endif
