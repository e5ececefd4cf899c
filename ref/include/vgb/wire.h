/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu wire format, as one place for every part of the project.
 *
 * Structures and constants come from <linux/virtio_gpu.h>; this header adds what
 * that header lacks (VIRTIO 1.4's blob alignment) and pins every size and offset
 * with static asserts, so a drifting system header fails the build.
 * Everything on the wire is little-endian: read and write fields only through
 * the vgb_le*() helpers below.
 *
 * The spec shows these structures as VIRTIO does and checks its listings against
 * them at build time (tools/spec/wire_listings.py).
 */
#ifndef VGB_WIRE_H
#define VGB_WIRE_H

#include <assert.h>
#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_gpu.h>

/* --- What <linux/virtio_gpu.h> of Debian 12 lacks (VIRTIO 1.4) --- */

#ifndef VIRTIO_GPU_F_BLOB_ALIGNMENT
#define VIRTIO_GPU_F_BLOB_ALIGNMENT 5 /* config.blob_alignment is valid; needs F_RESOURCE_BLOB */
#endif

/* Generic virtio feature bits the transport negotiates. */
#define VGB_F_VERSION_1 32
#define VGB_F_RING_INDIRECT_DESC 28
#define VGB_F_PROTOCOL_FEATURES 30 /* vhost-user: VHOST_USER_F_PROTOCOL_FEATURES */

/* Device configuration space; blob_alignment only when F_BLOB_ALIGNMENT is negotiated. */
struct vgb_gpu_config {
	uint32_t events_read;    /* le32 */
	uint32_t events_clear;   /* le32 */
	uint32_t num_scanouts;   /* le32 */
	uint32_t num_capsets;    /* le32 */
	uint32_t blob_alignment; /* le32, power of two */
};

/* Size of the config space without and with blob_alignment. */
#define VGB_GPU_CONFIG_SIZE_V12 16u
#define VGB_GPU_CONFIG_SIZE_V14 20u

/* Capset ids (spec); 6 is used by Linux for DRM native contexts. */
#define VGB_CAPSET_VIRGL 1
#define VGB_CAPSET_VIRGL2 2
#define VGB_CAPSET_GFXSTREAM 3
#define VGB_CAPSET_VENUS 4
#define VGB_CAPSET_CROSS_DOMAIN 5
#define VGB_CAPSET_DRM 6

/* Every blob flag this project knows; others are unknown and rejected. */
#define VGB_BLOB_FLAGS_KNOWN                                                   \
	(VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE | VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE | \
	 VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE)

#define VGB_CTRL_HDR_FLAGS_KNOWN (VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX)
#define VGB_MAX_RING_IDX 63u

/* Queue indexes of the device. */
#define VGB_CONTROLQ 0
#define VGB_CURSORQ 1
#define VGB_NUM_QUEUES 2

/* --- Little-endian access --- */

static inline uint16_t vgb_le16(uint16_t v) { return le16toh(v); }
static inline uint32_t vgb_le32(uint32_t v) { return le32toh(v); }
static inline uint64_t vgb_le64(uint64_t v) { return le64toh(v); }
static inline uint16_t vgb_to_le16(uint16_t v) { return htole16(v); }
static inline uint32_t vgb_to_le32(uint32_t v) { return htole32(v); }
static inline uint64_t vgb_to_le64(uint64_t v) { return htole64(v); }

/* --- Sizes and offsets pinned to the upstream layout --- */

#define VGB_ASSERT_SIZE(type, size) static_assert(sizeof(type) == (size), #type " size")
#define VGB_ASSERT_OFF(type, field, off) \
	static_assert(offsetof(type, field) == (off), #type "." #field " offset")

VGB_ASSERT_SIZE(struct virtio_gpu_ctrl_hdr, 24);
VGB_ASSERT_OFF(struct virtio_gpu_ctrl_hdr, type, 0);
VGB_ASSERT_OFF(struct virtio_gpu_ctrl_hdr, flags, 4);
VGB_ASSERT_OFF(struct virtio_gpu_ctrl_hdr, fence_id, 8);
VGB_ASSERT_OFF(struct virtio_gpu_ctrl_hdr, ctx_id, 16);
VGB_ASSERT_OFF(struct virtio_gpu_ctrl_hdr, ring_idx, 20);

VGB_ASSERT_SIZE(struct virtio_gpu_rect, 16);
VGB_ASSERT_SIZE(struct virtio_gpu_box, 24);
VGB_ASSERT_SIZE(struct virtio_gpu_mem_entry, 16);
VGB_ASSERT_OFF(struct virtio_gpu_mem_entry, addr, 0);
VGB_ASSERT_OFF(struct virtio_gpu_mem_entry, length, 8);

VGB_ASSERT_SIZE(struct virtio_gpu_cursor_pos, 16);
VGB_ASSERT_SIZE(struct virtio_gpu_update_cursor, 56);
VGB_ASSERT_OFF(struct virtio_gpu_update_cursor, resource_id, 40);

VGB_ASSERT_SIZE(struct virtio_gpu_resource_unref, 32);
VGB_ASSERT_SIZE(struct virtio_gpu_resource_create_2d, 40);
VGB_ASSERT_OFF(struct virtio_gpu_resource_create_2d, format, 28);
VGB_ASSERT_SIZE(struct virtio_gpu_set_scanout, 48);
VGB_ASSERT_OFF(struct virtio_gpu_set_scanout, scanout_id, 40);
VGB_ASSERT_SIZE(struct virtio_gpu_resource_flush, 48);
VGB_ASSERT_SIZE(struct virtio_gpu_transfer_to_host_2d, 56);
VGB_ASSERT_OFF(struct virtio_gpu_transfer_to_host_2d, offset, 40);
VGB_ASSERT_OFF(struct virtio_gpu_transfer_to_host_2d, resource_id, 48);
VGB_ASSERT_SIZE(struct virtio_gpu_resource_attach_backing, 32);
VGB_ASSERT_OFF(struct virtio_gpu_resource_attach_backing, nr_entries, 28);
VGB_ASSERT_SIZE(struct virtio_gpu_resource_detach_backing, 32);
VGB_ASSERT_SIZE(struct virtio_gpu_resp_display_info, 24 + 16 * 24);
VGB_ASSERT_SIZE(struct virtio_gpu_transfer_host_3d, 72);
VGB_ASSERT_OFF(struct virtio_gpu_transfer_host_3d, offset, 48);
VGB_ASSERT_OFF(struct virtio_gpu_transfer_host_3d, resource_id, 56);
VGB_ASSERT_OFF(struct virtio_gpu_transfer_host_3d, layer_stride, 68);
VGB_ASSERT_SIZE(struct virtio_gpu_resource_create_3d, 72);
VGB_ASSERT_SIZE(struct virtio_gpu_ctx_create, 96);
VGB_ASSERT_OFF(struct virtio_gpu_ctx_create, context_init, 28);
VGB_ASSERT_OFF(struct virtio_gpu_ctx_create, debug_name, 32);
VGB_ASSERT_SIZE(struct virtio_gpu_ctx_destroy, 24);
VGB_ASSERT_SIZE(struct virtio_gpu_ctx_resource, 32);
VGB_ASSERT_SIZE(struct virtio_gpu_cmd_submit, 32);
VGB_ASSERT_OFF(struct virtio_gpu_cmd_submit, size, 24);
VGB_ASSERT_SIZE(struct virtio_gpu_get_capset_info, 32);
VGB_ASSERT_SIZE(struct virtio_gpu_resp_capset_info, 40);
VGB_ASSERT_SIZE(struct virtio_gpu_get_capset, 32);
VGB_ASSERT_SIZE(struct virtio_gpu_resp_capset, 24);
VGB_ASSERT_SIZE(struct virtio_gpu_cmd_get_edid, 32);
VGB_ASSERT_SIZE(struct virtio_gpu_resp_edid, 1056);
/* Linux 7.2's header has blob_alignment at 16 (20 bytes), older ones stop at 16; we use
 * our own struct vgb_gpu_config for the config space either way. */
static_assert(sizeof(struct virtio_gpu_config) == VGB_GPU_CONFIG_SIZE_V12 ||
		      sizeof(struct virtio_gpu_config) == VGB_GPU_CONFIG_SIZE_V14,
	      "struct virtio_gpu_config size");
VGB_ASSERT_OFF(struct virtio_gpu_config, num_capsets, 12);
VGB_ASSERT_SIZE(struct vgb_gpu_config, VGB_GPU_CONFIG_SIZE_V14);
VGB_ASSERT_OFF(struct vgb_gpu_config, blob_alignment, 16);
VGB_ASSERT_SIZE(struct virtio_gpu_resource_assign_uuid, 32);
VGB_ASSERT_SIZE(struct virtio_gpu_resp_resource_uuid, 40);

VGB_ASSERT_SIZE(struct virtio_gpu_resource_create_blob, 56);
VGB_ASSERT_OFF(struct virtio_gpu_resource_create_blob, resource_id, 24);
VGB_ASSERT_OFF(struct virtio_gpu_resource_create_blob, blob_mem, 28);
VGB_ASSERT_OFF(struct virtio_gpu_resource_create_blob, blob_flags, 32);
VGB_ASSERT_OFF(struct virtio_gpu_resource_create_blob, nr_entries, 36);
VGB_ASSERT_OFF(struct virtio_gpu_resource_create_blob, blob_id, 40);
VGB_ASSERT_OFF(struct virtio_gpu_resource_create_blob, size, 48);

VGB_ASSERT_SIZE(struct virtio_gpu_set_scanout_blob, 96);
VGB_ASSERT_OFF(struct virtio_gpu_set_scanout_blob, scanout_id, 40);
VGB_ASSERT_OFF(struct virtio_gpu_set_scanout_blob, resource_id, 44);
VGB_ASSERT_OFF(struct virtio_gpu_set_scanout_blob, format, 56);
VGB_ASSERT_OFF(struct virtio_gpu_set_scanout_blob, strides, 64);
VGB_ASSERT_OFF(struct virtio_gpu_set_scanout_blob, offsets, 80);

VGB_ASSERT_SIZE(struct virtio_gpu_resource_map_blob, 40);
VGB_ASSERT_OFF(struct virtio_gpu_resource_map_blob, resource_id, 24);
VGB_ASSERT_OFF(struct virtio_gpu_resource_map_blob, offset, 32);
VGB_ASSERT_SIZE(struct virtio_gpu_resp_map_info, 32);
VGB_ASSERT_OFF(struct virtio_gpu_resp_map_info, map_info, 24);
VGB_ASSERT_SIZE(struct virtio_gpu_resource_unmap_blob, 32);
VGB_ASSERT_OFF(struct virtio_gpu_resource_unmap_blob, resource_id, 24);

/* Bytes per pixel of every format in enum virtio_gpu_formats: all are 4. 0 = unknown. */
static inline uint32_t vgb_format_bpp(uint32_t format)
{
	switch (format) {
	case VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM:
	case VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM:
	case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM:
	case VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM:
	case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM:
	case VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM:
	case VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM:
	case VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM:
		return 4;
	default:
		return 0;
	}
}

#endif
