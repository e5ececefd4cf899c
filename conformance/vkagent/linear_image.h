/* Linear images in host-visible memory that the CPU writes through the
 * mapping and the GPU samples in place: the seed's front buffer and video
 * frame. One allocation may hold several images (the planes of a frame). */
#ifndef VGB_VKAGENT_LINEAR_IMAGE_H
#define VGB_VKAGENT_LINEAR_IMAGE_H

#include "vk.h"

struct linear_plane {
	VkImage image;        /* VK_NULL_HANDLE for a plane of a multi-planar image */
	VkImageView view;
	VkDeviceSize offset;  /* of the plane's first texel in the allocation */
	VkDeviceSize row_pitch;
	uint32_t width, height;
};

struct linear_frame {
	VkImage image;        /* the image (or the first plane's image) */
	VkImage second;       /* the second plane's own image, when planes are separate images */
	VkDeviceMemory mem;
	VkDeviceSize size;
	uint32_t type;
	bool coherent;
	uint8_t *map;
	VkSampler sampler;
	struct linear_plane plane[2];
	uint32_t planes;
	bool multiplanar;     /* one G8_B8R8_2PLANE_420 image */
};

/* An RGBA8 (R8G8B8A8_UNORM) linear image of w x h. NOT_SUPPORTED when linear
 * sampled images of that format are not offered. */
enum verdict linear_rgba_create(struct case_ctx *c, struct vk *vk, uint32_t w, uint32_t h, struct linear_frame *f);
/* An NV12 frame: one G8_B8R8_2PLANE_420_UNORM linear image when the device
 * samples it, else an R8 luma and an R8G8 chroma image laid out one after the
 * other in one allocation, as a decoder writes NV12. */
enum verdict linear_nv12_create(struct case_ctx *c, struct vk *vk, uint32_t w, uint32_t h, struct linear_frame *f);
void linear_frame_destroy(struct vk *vk, struct linear_frame *f);

/* Moves the images from PREINITIALIZED to GENERAL (keeping the CPU's bytes),
 * where the host may write and the GPU sample. */
VkResult linear_frame_to_general(struct case_ctx *c, struct vk *vk, struct linear_frame *f);

/* After CPU writes: flush when the memory type is not coherent. */
VkResult linear_frame_publish(struct vk *vk, struct linear_frame *f);

#endif
