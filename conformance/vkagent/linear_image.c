#include "linear_image.h"

#include <string.h>

static bool linear_sampled(struct vk *vk, VkFormat fmt, VkImageCreateFlags flags)
{
	VkFormatProperties fp;
	vkGetPhysicalDeviceFormatProperties(vk->phys, fmt, &fp);
	if (!(fp.linearTilingFeatures & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT))
		return false;
	VkImageFormatProperties ifp;
	return vkGetPhysicalDeviceImageFormatProperties(vk->phys, fmt, VK_IMAGE_TYPE_2D, VK_IMAGE_TILING_LINEAR,
							VK_IMAGE_USAGE_SAMPLED_BIT, flags, &ifp) == VK_SUCCESS;
}

static VkResult image_create(struct vk *vk, VkFormat fmt, uint32_t w, uint32_t h, VkImageCreateFlags flags,
			     VkImage *img)
{
	VkImageCreateInfo ici = { .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .flags = flags,
				  .imageType = VK_IMAGE_TYPE_2D, .format = fmt, .extent = { w, h, 1 },
				  .mipLevels = 1, .arrayLayers = 1, .samples = VK_SAMPLE_COUNT_1_BIT,
				  .tiling = VK_IMAGE_TILING_LINEAR, .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
				  .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
				  .initialLayout = VK_IMAGE_LAYOUT_PREINITIALIZED };
	return vkCreateImage(vk->dev, &ici, NULL, img);
}

static VkResult view_create(struct vk *vk, VkImage img, VkFormat fmt, VkImageAspectFlags aspect, VkImageView *view)
{
	VkImageViewCreateInfo vci = { .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = img,
				      .viewType = VK_IMAGE_VIEW_TYPE_2D, .format = fmt,
				      .subresourceRange = { aspect, 0, 1, 0, 1 } };
	return vkCreateImageView(vk->dev, &vci, NULL, view);
}

/* Host-visible memory for the frame: coherent when the device has it. */
static VkResult frame_memory(struct case_ctx *c, struct vk *vk, uint32_t bits, VkDeviceSize size,
			     struct linear_frame *f)
{
	int t = vk_type_find(vk, bits, VK_HOST_VISIBLE | VK_HOST_COHERENT, 0);
	if (t < 0)
		t = vk_type_find(vk, bits, VK_HOST_VISIBLE, 0);
	if (t < 0) {
		case_say(c, NOT_SUPPORTED, "linear images cannot live in host-visible memory here (types 0x%x)", bits);
		return VK_ERROR_FEATURE_NOT_PRESENT;
	}
	f->type = (uint32_t)t;
	f->coherent = (vk->mem.memoryTypes[t].propertyFlags & VK_HOST_COHERENT) != 0;
	f->size = size;
	VkMemoryAllocateInfo mai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = size,
				     .memoryTypeIndex = (uint32_t)t };
	VkResult r = vkAllocateMemory(vk->dev, &mai, NULL, &f->mem);
	if (r == VK_SUCCESS)
		r = vkMapMemory(vk->dev, f->mem, 0, VK_WHOLE_SIZE, 0, (void **)&f->map);
	if (r != VK_SUCCESS)
		case_say(c, FAIL, "linear image memory (type %d, %llu bytes): %s", t, (unsigned long long)size,
			 vk_result_name(r));
	return r;
}

static VkResult frame_sampler(struct vk *vk, struct linear_frame *f)
{
	VkSamplerCreateInfo sci = { .sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO, .magFilter = VK_FILTER_NEAREST,
				    .minFilter = VK_FILTER_NEAREST,
				    .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
				    .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
				    .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE };
	return vkCreateSampler(vk->dev, &sci, NULL, &f->sampler);
}

static void plane_layout(struct vk *vk, VkImage img, VkImageAspectFlags aspect, VkDeviceSize base,
			 struct linear_plane *p)
{
	VkImageSubresource sub = { .aspectMask = aspect };
	VkSubresourceLayout lay;
	vkGetImageSubresourceLayout(vk->dev, img, &sub, &lay);
	p->offset = base + lay.offset;
	p->row_pitch = lay.rowPitch;
}

enum verdict linear_rgba_create(struct case_ctx *c, struct vk *vk, uint32_t w, uint32_t h, struct linear_frame *f)
{
	memset(f, 0, sizeof(*f));
	const VkFormat fmt = VK_FORMAT_R8G8B8A8_UNORM;
	if (!linear_sampled(vk, fmt, 0))
		return case_say(c, NOT_SUPPORTED, "%s samples no linear R8G8B8A8_UNORM image", vk->props.deviceName);
	VkResult r = image_create(vk, fmt, w, h, 0, &f->image);
	if (r != VK_SUCCESS)
		return case_say(c, FAIL, "vkCreateImage (linear RGBA8 %ux%u): %s", w, h, vk_result_name(r));
	VkMemoryRequirements req;
	vkGetImageMemoryRequirements(vk->dev, f->image, &req);
	if ((r = frame_memory(c, vk, req.memoryTypeBits, req.size, f)) != VK_SUCCESS) {
		linear_frame_destroy(vk, f);
		return r == VK_ERROR_FEATURE_NOT_PRESENT ? NOT_SUPPORTED : FAIL;
	}
	f->planes = 1;
	f->plane[0] = (struct linear_plane){ .image = f->image, .width = w, .height = h };
	if ((r = vkBindImageMemory(vk->dev, f->image, f->mem, 0)) == VK_SUCCESS &&
	    (r = view_create(vk, f->image, fmt, VK_IMAGE_ASPECT_COLOR_BIT, &f->plane[0].view)) == VK_SUCCESS)
		r = frame_sampler(vk, f);
	if (r != VK_SUCCESS) {
		linear_frame_destroy(vk, f);
		return case_say(c, FAIL, "binding / viewing the linear image: %s", vk_result_name(r));
	}
	plane_layout(vk, f->image, VK_IMAGE_ASPECT_COLOR_BIT, 0, &f->plane[0]);
	return PASS;
}

static enum verdict nv12_multiplanar(struct case_ctx *c, struct vk *vk, uint32_t w, uint32_t h, struct linear_frame *f)
{
	const VkFormat fmt = VK_FORMAT_G8_B8R8_2PLANE_420_UNORM;
	VkResult r = image_create(vk, fmt, w, h, VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT, &f->image);
	if (r != VK_SUCCESS)
		return case_say(c, FAIL, "vkCreateImage (linear NV12 %ux%u): %s", w, h, vk_result_name(r));
	VkMemoryRequirements req;
	vkGetImageMemoryRequirements(vk->dev, f->image, &req);
	if ((r = frame_memory(c, vk, req.memoryTypeBits, req.size, f)) != VK_SUCCESS)
		return r == VK_ERROR_FEATURE_NOT_PRESENT ? NOT_SUPPORTED : FAIL;
	f->multiplanar = true;
	f->planes = 2;
	f->plane[0] = (struct linear_plane){ .width = w, .height = h };
	f->plane[1] = (struct linear_plane){ .width = w / 2, .height = h / 2 };
	if ((r = vkBindImageMemory(vk->dev, f->image, f->mem, 0)) == VK_SUCCESS &&
	    (r = view_create(vk, f->image, VK_FORMAT_R8_UNORM, VK_IMAGE_ASPECT_PLANE_0_BIT, &f->plane[0].view)) ==
		    VK_SUCCESS &&
	    (r = view_create(vk, f->image, VK_FORMAT_R8G8_UNORM, VK_IMAGE_ASPECT_PLANE_1_BIT, &f->plane[1].view)) ==
		    VK_SUCCESS)
		r = frame_sampler(vk, f);
	if (r != VK_SUCCESS)
		return case_say(c, FAIL, "binding / viewing the NV12 planes: %s", vk_result_name(r));
	plane_layout(vk, f->image, VK_IMAGE_ASPECT_PLANE_0_BIT, 0, &f->plane[0]);
	plane_layout(vk, f->image, VK_IMAGE_ASPECT_PLANE_1_BIT, 0, &f->plane[1]);
	return PASS;
}

static enum verdict nv12_two_images(struct case_ctx *c, struct vk *vk, uint32_t w, uint32_t h, struct linear_frame *f)
{
	VkResult r = image_create(vk, VK_FORMAT_R8_UNORM, w, h, 0, &f->image);
	if (r == VK_SUCCESS)
		r = image_create(vk, VK_FORMAT_R8G8_UNORM, w / 2, h / 2, 0, &f->second);
	if (r != VK_SUCCESS)
		return case_say(c, FAIL, "vkCreateImage (linear R8 / R8G8 planes): %s", vk_result_name(r));
	VkMemoryRequirements ry, ruv;
	vkGetImageMemoryRequirements(vk->dev, f->image, &ry);
	vkGetImageMemoryRequirements(vk->dev, f->second, &ruv);
	/* NV12's layout: the chroma plane follows the luma plane. */
	VkDeviceSize uv_at = (ry.size + ruv.alignment - 1) / ruv.alignment * ruv.alignment;
	if ((r = frame_memory(c, vk, ry.memoryTypeBits & ruv.memoryTypeBits, uv_at + ruv.size, f)) != VK_SUCCESS)
		return r == VK_ERROR_FEATURE_NOT_PRESENT ? NOT_SUPPORTED : FAIL;
	f->planes = 2;
	f->plane[0] = (struct linear_plane){ .image = f->image, .width = w, .height = h };
	f->plane[1] = (struct linear_plane){ .image = f->second, .width = w / 2, .height = h / 2 };
	if ((r = vkBindImageMemory(vk->dev, f->image, f->mem, 0)) == VK_SUCCESS &&
	    (r = vkBindImageMemory(vk->dev, f->second, f->mem, uv_at)) == VK_SUCCESS &&
	    (r = view_create(vk, f->image, VK_FORMAT_R8_UNORM, VK_IMAGE_ASPECT_COLOR_BIT, &f->plane[0].view)) ==
		    VK_SUCCESS &&
	    (r = view_create(vk, f->second, VK_FORMAT_R8G8_UNORM, VK_IMAGE_ASPECT_COLOR_BIT, &f->plane[1].view)) ==
		    VK_SUCCESS)
		r = frame_sampler(vk, f);
	if (r != VK_SUCCESS)
		return case_say(c, FAIL, "binding / viewing the NV12 planes: %s", vk_result_name(r));
	plane_layout(vk, f->image, VK_IMAGE_ASPECT_COLOR_BIT, 0, &f->plane[0]);
	plane_layout(vk, f->second, VK_IMAGE_ASPECT_COLOR_BIT, uv_at, &f->plane[1]);
	return PASS;
}

enum verdict linear_nv12_create(struct case_ctx *c, struct vk *vk, uint32_t w, uint32_t h, struct linear_frame *f)
{
	memset(f, 0, sizeof(*f));
	enum verdict v;
	if (vk->ycbcr && linear_sampled(vk, VK_FORMAT_G8_B8R8_2PLANE_420_UNORM, VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT))
		v = nv12_multiplanar(c, vk, w, h, f);
	else if (linear_sampled(vk, VK_FORMAT_R8_UNORM, 0) && linear_sampled(vk, VK_FORMAT_R8G8_UNORM, 0))
		v = nv12_two_images(c, vk, w, h, f);
	else
		v = case_say(c, NOT_SUPPORTED, "%s samples neither linear NV12 nor linear R8 + R8G8 images",
			     vk->props.deviceName);
	if (v != PASS)
		linear_frame_destroy(vk, f);
	return v;
}

void linear_frame_destroy(struct vk *vk, struct linear_frame *f)
{
	for (uint32_t i = 0; i < 2; i++)
		if (f->plane[i].view)
			vkDestroyImageView(vk->dev, f->plane[i].view, NULL);
	if (f->sampler)
		vkDestroySampler(vk->dev, f->sampler, NULL);
	if (f->second)
		vkDestroyImage(vk->dev, f->second, NULL);
	if (f->image)
		vkDestroyImage(vk->dev, f->image, NULL);
	if (f->mem)
		vkFreeMemory(vk->dev, f->mem, NULL);
	memset(f, 0, sizeof(*f));
}

VkResult linear_frame_to_general(struct case_ctx *c, struct vk *vk, struct linear_frame *f)
{
	VkCommandBuffer cb;
	VkResult r = vk_cmd_begin(c, vk, &cb);
	if (r != VK_SUCCESS)
		return r;
	VkImage imgs[2] = { f->image, f->second };
	for (uint32_t i = 0; i < 2 && imgs[i]; i++) {
		VkImageMemoryBarrier b = { .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
					   .srcAccessMask = VK_ACCESS_HOST_WRITE_BIT,
					   .dstAccessMask = VK_ACCESS_SHADER_READ_BIT,
					   .oldLayout = VK_IMAGE_LAYOUT_PREINITIALIZED,
					   .newLayout = VK_IMAGE_LAYOUT_GENERAL,
					   .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
					   .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED, .image = imgs[i],
					   .subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 } };
		vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_HOST_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 0, NULL,
				     0, NULL, 1, &b);
	}
	r = vk_submit_wait(c, vk, cb);
	vkFreeCommandBuffers(vk->dev, vk->pool, 1, &cb);
	return r;
}

VkResult linear_frame_publish(struct vk *vk, struct linear_frame *f)
{
	return f->coherent ? VK_SUCCESS : vk_flush_all(vk, f->mem);
}
