#include "vk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *vk_result_name(VkResult r)
{
	switch (r) {
	case VK_SUCCESS: return "VK_SUCCESS";
	case VK_NOT_READY: return "VK_NOT_READY";
	case VK_TIMEOUT: return "VK_TIMEOUT";
	case VK_INCOMPLETE: return "VK_INCOMPLETE";
	case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
	case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
	case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
	case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
	case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
	case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
	case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
	case VK_ERROR_FORMAT_NOT_SUPPORTED: return "VK_ERROR_FORMAT_NOT_SUPPORTED";
	case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
	case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
	case VK_ERROR_INVALID_EXTERNAL_HANDLE: return "VK_ERROR_INVALID_EXTERNAL_HANDLE";
	case VK_ERROR_UNKNOWN: return "VK_ERROR_UNKNOWN";
	default: break;
	}
	static char buf[32];
	snprintf(buf, sizeof(buf), "VkResult %d", (int)r);
	return buf;
}

void vk_memory_flags_name(VkMemoryPropertyFlags f, char *out, size_t cap)
{
	static const struct { VkMemoryPropertyFlags bit; const char *name; } names[] = {
		{ VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, "DEVICE_LOCAL" },
		{ VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, "HOST_VISIBLE" },
		{ VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, "HOST_COHERENT" },
		{ VK_MEMORY_PROPERTY_HOST_CACHED_BIT, "HOST_CACHED" },
		{ VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT, "LAZILY_ALLOCATED" },
		{ VK_MEMORY_PROPERTY_PROTECTED_BIT, "PROTECTED" },
	};
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit) {
			size_t n = strlen(out);
			snprintf(out + n, cap - n, "%s%s", n ? "|" : "", names[i].name);
		}
	if (!out[0])
		snprintf(out, cap, "none");
}

static bool pick_any_device(void)
{
	const char *e = getenv("VGB_VK_ANY_DEVICE");
	return e && *e && strcmp(e, "0") != 0;
}

static void driver_props(VkPhysicalDevice pd, VkPhysicalDeviceProperties *props, VkDriverId *id, char *name,
			 char *info)
{
	vkGetPhysicalDeviceProperties(pd, props);
	*id = 0;
	name[0] = info[0] = '\0';
	if (props->apiVersion < VK_API_VERSION_1_2)
		return;
	VkPhysicalDeviceDriverProperties drv = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES };
	VkPhysicalDeviceProperties2 p2 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &drv };
	vkGetPhysicalDeviceProperties2(pd, &p2);
	*id = drv.driverID;
	memcpy(name, drv.driverName, VK_MAX_DRIVER_NAME_SIZE);
	memcpy(info, drv.driverInfo, VK_MAX_DRIVER_INFO_SIZE);
}

enum verdict vk_open(struct case_ctx *c, struct vk *vk)
{
	memset(vk, 0, sizeof(*vk));
	VkApplicationInfo app = { .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO, .pApplicationName = "vgb-vk-agent",
				  .apiVersion = VK_API_VERSION_1_1 };
	VkInstanceCreateInfo ici = { .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app };
	step("opening Vulkan: vkCreateInstance");
	VkResult r = vkCreateInstance(&ici, NULL, &vk->instance);
	if (r != VK_SUCCESS)
		return case_say(c, ERROR, "vkCreateInstance: %s (Vulkan loader or ICD missing?)", vk_result_name(r));
	uint32_t n = 8;
	VkPhysicalDevice pds[8];
	step("opening Vulkan: vkEnumeratePhysicalDevices");
	r = vkEnumeratePhysicalDevices(vk->instance, &n, pds);
	if (r != VK_SUCCESS && r != VK_INCOMPLETE)
		n = 0;
	char seen[600] = "";
	for (uint32_t i = 0; i < n && !vk->phys; i++) {
		VkDriverId id;
		driver_props(pds[i], &vk->props, &id, vk->driver_name, vk->driver_info);
		size_t len = strlen(seen);
		snprintf(seen + len, sizeof(seen) - len, "%s%.120s", len ? ", " : "", vk->props.deviceName);
		if (id == VK_DRIVER_ID_MESA_VENUS || pick_any_device()) {
			vk->phys = pds[i];
			vk->driver_id = id;
		}
	}
	if (!vk->phys) {
		/* The Venus capset is how the device offers Venus: without it no
		 * Venus device can appear; with it, one must. */
		int venus_offered = (c->params.capsets_found >> 4) & 1;
		vkDestroyInstance(vk->instance, NULL);
		vk->instance = VK_NULL_HANDLE;
		return case_say(c, venus_offered ? FAIL : NOT_SUPPORTED,
				"no Venus physical device (%s%s); the device %s the Venus capset (4)",
				n ? "devices: " : "none enumerated", seen, venus_offered ? "offers" : "does not offer");
	}
	vkGetPhysicalDeviceMemoryProperties(vk->phys, &vk->mem);

	uint32_t nq = 16;
	VkQueueFamilyProperties qf[16];
	vkGetPhysicalDeviceQueueFamilyProperties(vk->phys, &nq, qf);
	vk->queue_family = UINT32_MAX;
	for (uint32_t i = 0; i < nq; i++)
		if (qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
			vk->queue_family = i;
			break;
		}
	if (vk->queue_family == UINT32_MAX) {
		vk_close(vk);
		return case_say(c, FAIL, "%s has no compute queue", vk->props.deviceName);
	}
	VkPhysicalDeviceSamplerYcbcrConversionFeatures ycbcr = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SAMPLER_YCBCR_CONVERSION_FEATURES };
	VkPhysicalDeviceFeatures2 f2 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &ycbcr };
	vkGetPhysicalDeviceFeatures2(vk->phys, &f2);
	vk->ycbcr = ycbcr.samplerYcbcrConversion;
	VkPhysicalDeviceSamplerYcbcrConversionFeatures enable = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SAMPLER_YCBCR_CONVERSION_FEATURES,
		.samplerYcbcrConversion = ycbcr.samplerYcbcrConversion };
	float prio = 1.0f;
	VkDeviceQueueCreateInfo qci = { .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
					.queueFamilyIndex = vk->queue_family, .queueCount = 1,
					.pQueuePriorities = &prio };
	VkDeviceCreateInfo dci = { .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = &enable,
				   .queueCreateInfoCount = 1, .pQueueCreateInfos = &qci };
	step("opening Vulkan: vkCreateDevice on %.120s", vk->props.deviceName);
	r = vkCreateDevice(vk->phys, &dci, NULL, &vk->dev);
	if (r != VK_SUCCESS) {
		vk->dev = VK_NULL_HANDLE;
		vk_close(vk);
		return case_say(c, FAIL, "vkCreateDevice on %s: %s", vk->props.deviceName, vk_result_name(r));
	}
	vkGetDeviceQueue(vk->dev, vk->queue_family, 0, &vk->queue);
	VkCommandPoolCreateInfo pci = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
					.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
					.queueFamilyIndex = vk->queue_family };
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	step("opening Vulkan: vkCreateCommandPool, vkCreateFence");
	if ((r = vkCreateCommandPool(vk->dev, &pci, NULL, &vk->pool)) != VK_SUCCESS ||
	    (r = vkCreateFence(vk->dev, &fci, NULL, &vk->fence)) != VK_SUCCESS) {
		vk_close(vk);
		return case_say(c, FAIL, "command pool / fence: %s", vk_result_name(r));
	}
	return PASS;
}

void vk_close(struct vk *vk)
{
	if (vk->dev) {
		step("closing Vulkan: vkDeviceWaitIdle, vkDestroyDevice");
		vkDeviceWaitIdle(vk->dev);
		if (vk->fence)
			vkDestroyFence(vk->dev, vk->fence, NULL);
		if (vk->pool)
			vkDestroyCommandPool(vk->dev, vk->pool, NULL);
		vkDestroyDevice(vk->dev, NULL);
	}
	if (vk->instance)
		vkDestroyInstance(vk->instance, NULL);
	memset(vk, 0, sizeof(*vk));
}

int vk_type_find(const struct vk *vk, uint32_t bits, VkMemoryPropertyFlags want, VkMemoryPropertyFlags avoid)
{
	for (uint32_t i = 0; i < vk->mem.memoryTypeCount; i++) {
		VkMemoryPropertyFlags f = vk->mem.memoryTypes[i].propertyFlags;
		if ((bits & (1u << i)) && (f & want) == want && !(f & avoid))
			return (int)i;
	}
	return -1;
}

VkResult vk_buffer_create(struct case_ctx *c, struct vk *vk, VkDeviceSize size, int type, struct vk_buffer *b)
{
	memset(b, 0, sizeof(*b));
	VkBufferCreateInfo bci = { .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
				   .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
					    VK_BUFFER_USAGE_TRANSFER_DST_BIT,
				   .sharingMode = VK_SHARING_MODE_EXCLUSIVE };
	VkResult r = vkCreateBuffer(vk->dev, &bci, NULL, &b->buf);
	if (r != VK_SUCCESS) {
		case_say(c, FAIL, "vkCreateBuffer(%llu): %s", (unsigned long long)size, vk_result_name(r));
		return r;
	}
	VkMemoryRequirements req;
	vkGetBufferMemoryRequirements(vk->dev, b->buf, &req);
	if (type < 0)
		type = vk_type_find(vk, req.memoryTypeBits, VK_HOST_VISIBLE | VK_HOST_COHERENT, 0);
	if (type < 0 || !(req.memoryTypeBits & (1u << type))) {
		vkDestroyBuffer(vk->dev, b->buf, NULL);
		b->buf = VK_NULL_HANDLE;
		case_say(c, NOT_SUPPORTED, "no suitable memory type for a storage buffer (allowed 0x%x)",
			 req.memoryTypeBits);
		return VK_ERROR_FEATURE_NOT_PRESENT;
	}
	VkMemoryAllocateInfo mai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = req.size,
				     .memoryTypeIndex = (uint32_t)type };
	r = vkAllocateMemory(vk->dev, &mai, NULL, &b->mem);
	if (r != VK_SUCCESS) {
		vkDestroyBuffer(vk->dev, b->buf, NULL);
		memset(b, 0, sizeof(*b));
		case_say(c, FAIL, "vkAllocateMemory(%llu, type %d): %s", (unsigned long long)req.size, type,
			 vk_result_name(r));
		return r;
	}
	b->size = size;
	b->type = (uint32_t)type;
	r = vkBindBufferMemory(vk->dev, b->buf, b->mem, 0);
	if (r == VK_SUCCESS && (vk->mem.memoryTypes[type].propertyFlags & VK_HOST_VISIBLE))
		r = vkMapMemory(vk->dev, b->mem, 0, VK_WHOLE_SIZE, 0, &b->map);
	if (r != VK_SUCCESS) {
		case_say(c, FAIL, "bind/vkMapMemory (type %d): %s", type, vk_result_name(r));
		vk_buffer_destroy(vk, b);
	}
	return r;
}

void vk_buffer_destroy(struct vk *vk, struct vk_buffer *b)
{
	if (b->buf)
		vkDestroyBuffer(vk->dev, b->buf, NULL);
	if (b->mem)
		vkFreeMemory(vk->dev, b->mem, NULL); /* unmaps too */
	memset(b, 0, sizeof(*b));
}

VkResult vk_flush_all(struct vk *vk, VkDeviceMemory mem)
{
	VkMappedMemoryRange range = { .sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, .memory = mem,
				      .size = VK_WHOLE_SIZE };
	return vkFlushMappedMemoryRanges(vk->dev, 1, &range);
}

VkResult vk_invalidate_all(struct vk *vk, VkDeviceMemory mem)
{
	VkMappedMemoryRange range = { .sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, .memory = mem,
				      .size = VK_WHOLE_SIZE };
	return vkInvalidateMappedMemoryRanges(vk->dev, 1, &range);
}

VkResult vk_pipeline_create(struct case_ctx *c, struct vk *vk, const uint32_t *spirv, size_t spirv_bytes,
			    const VkDescriptorType *types, uint32_t n, uint32_t push_bytes, struct vk_pipeline *p)
{
	memset(p, 0, sizeof(*p));
	p->push_bytes = push_bytes;
	VkDescriptorSetLayoutBinding bind[8];
	VkDescriptorPoolSize sizes[8];
	if (n > 8)
		return VK_ERROR_TOO_MANY_OBJECTS;
	for (uint32_t i = 0; i < n; i++) {
		bind[i] = (VkDescriptorSetLayoutBinding){ .binding = i, .descriptorType = types[i],
							  .descriptorCount = 1,
							  .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT };
		sizes[i] = (VkDescriptorPoolSize){ .type = types[i], .descriptorCount = 1 };
	}
	VkShaderModuleCreateInfo smci = { .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
					  .codeSize = spirv_bytes, .pCode = spirv };
	VkDescriptorSetLayoutCreateInfo dslci = { .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
						  .bindingCount = n, .pBindings = bind };
	VkPushConstantRange pcr = { .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .size = push_bytes };
	VkPipelineLayoutCreateInfo plci = { .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
					    .setLayoutCount = 1, .pSetLayouts = &p->set_layout,
					    .pushConstantRangeCount = push_bytes ? 1 : 0, .pPushConstantRanges = &pcr };
	VkDescriptorPoolCreateInfo dpci = { .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .maxSets = 1,
					    .poolSizeCount = n, .pPoolSizes = sizes };
	VkResult r;
	if ((r = vkCreateShaderModule(vk->dev, &smci, NULL, &p->module)) != VK_SUCCESS ||
	    (r = vkCreateDescriptorSetLayout(vk->dev, &dslci, NULL, &p->set_layout)) != VK_SUCCESS ||
	    (r = vkCreatePipelineLayout(vk->dev, &plci, NULL, &p->layout)) != VK_SUCCESS ||
	    (r = vkCreateDescriptorPool(vk->dev, &dpci, NULL, &p->pool)) != VK_SUCCESS)
		goto fail;
	VkDescriptorSetAllocateInfo dsai = { .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
					     .descriptorPool = p->pool, .descriptorSetCount = 1,
					     .pSetLayouts = &p->set_layout };
	if ((r = vkAllocateDescriptorSets(vk->dev, &dsai, &p->set)) != VK_SUCCESS)
		goto fail;
	VkComputePipelineCreateInfo cpci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = { .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			   .stage = VK_SHADER_STAGE_COMPUTE_BIT, .module = p->module, .pName = "main" },
		.layout = p->layout,
	};
	if ((r = vkCreateComputePipelines(vk->dev, VK_NULL_HANDLE, 1, &cpci, NULL, &p->pipe)) != VK_SUCCESS)
		goto fail;
	return VK_SUCCESS;
fail:
	case_say(c, FAIL, "compute pipeline: %s", vk_result_name(r));
	vk_pipeline_destroy(vk, p);
	return r;
}

void vk_pipeline_set_buffer(struct vk *vk, struct vk_pipeline *p, uint32_t binding, VkBuffer buf,
			    VkDeviceSize offset, VkDeviceSize range)
{
	VkDescriptorBufferInfo bi = { .buffer = buf, .offset = offset, .range = range };
	VkWriteDescriptorSet w = { .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = p->set,
				   .dstBinding = binding, .descriptorCount = 1,
				   .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &bi };
	vkUpdateDescriptorSets(vk->dev, 1, &w, 0, NULL);
}

void vk_pipeline_set_image(struct vk *vk, struct vk_pipeline *p, uint32_t binding, VkImageView view,
			   VkSampler sampler)
{
	VkDescriptorImageInfo ii = { .sampler = sampler, .imageView = view, .imageLayout = VK_IMAGE_LAYOUT_GENERAL };
	VkWriteDescriptorSet w = { .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = p->set,
				   .dstBinding = binding, .descriptorCount = 1,
				   .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = &ii };
	vkUpdateDescriptorSets(vk->dev, 1, &w, 0, NULL);
}

void vk_pipeline_destroy(struct vk *vk, struct vk_pipeline *p)
{
	if (p->pipe)
		vkDestroyPipeline(vk->dev, p->pipe, NULL);
	if (p->pool)
		vkDestroyDescriptorPool(vk->dev, p->pool, NULL);
	if (p->layout)
		vkDestroyPipelineLayout(vk->dev, p->layout, NULL);
	if (p->set_layout)
		vkDestroyDescriptorSetLayout(vk->dev, p->set_layout, NULL);
	if (p->module)
		vkDestroyShaderModule(vk->dev, p->module, NULL);
	memset(p, 0, sizeof(*p));
}

VkResult vk_cmd_begin(struct case_ctx *c, struct vk *vk, VkCommandBuffer *cb)
{
	VkCommandBufferAllocateInfo cbai = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
					     .commandPool = vk->pool, .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
					     .commandBufferCount = 1 };
	VkResult r = vkAllocateCommandBuffers(vk->dev, &cbai, cb);
	if (r == VK_SUCCESS) {
		VkCommandBufferBeginInfo bi = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO };
		r = vkBeginCommandBuffer(*cb, &bi);
	}
	if (r != VK_SUCCESS)
		case_say(c, FAIL, "command buffer: %s", vk_result_name(r));
	return r;
}

VkResult vk_resubmit_wait(struct case_ctx *c, struct vk *vk, VkCommandBuffer cb)
{
	VkSubmitInfo si = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cb };
	VkResult r = vkResetFences(vk->dev, 1, &vk->fence);
	if (r == VK_SUCCESS)
		r = vkQueueSubmit(vk->queue, 1, &si, vk->fence);
	if (r == VK_SUCCESS)
		r = vkWaitForFences(vk->dev, 1, &vk->fence, VK_TRUE, VK_WAIT_NS);
	if (r != VK_SUCCESS)
		case_say(c, FAIL, "vkQueueSubmit + vkWaitForFences: %s", vk_result_name(r));
	return r;
}

VkResult vk_submit_wait(struct case_ctx *c, struct vk *vk, VkCommandBuffer cb)
{
	VkResult r = vkEndCommandBuffer(cb);
	if (r != VK_SUCCESS) {
		case_say(c, FAIL, "vkEndCommandBuffer: %s", vk_result_name(r));
		return r;
	}
	return vk_resubmit_wait(c, vk, cb);
}

void vk_cmd_dispatch(VkCommandBuffer cb, const struct vk_pipeline *p, const void *push, uint32_t groups)
{
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipe);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout, 0, 1, &p->set, 0, NULL);
	if (p->push_bytes)
		vkCmdPushConstants(cb, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, p->push_bytes, push);
	vkCmdDispatch(cb, groups, 1, 1);
}

void vk_cmd_barrier_host_to_shader(VkCommandBuffer cb)
{
	VkMemoryBarrier mb = { .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_HOST_WRITE_BIT,
			       .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT };
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_HOST_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, NULL,
			     0, NULL);
}

void vk_cmd_barrier_shader_to_host(VkCommandBuffer cb)
{
	VkMemoryBarrier mb = { .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
			       .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
			       .dstAccessMask = VK_ACCESS_HOST_READ_BIT };
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
			     VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
}

uint32_t vk_mix32(uint32_t word, uint32_t index)
{
	uint32_t x = word ^ (index * 0x9e3779b9u);
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

uint32_t vk_hash_words(const volatile uint32_t *w, uint32_t n)
{
	uint32_t h = 0;
	for (uint32_t i = 0; i < n; i++)
		h += vk_mix32(w[i], i);
	return h;
}
