/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-gpu display channel (QEMU docs/interop/vhost-user-gpu.rst):
 * the back-end sends scanout, update and cursor messages to the front-end over
 * the socket handed over with VHOST_USER_GPU_SET_SOCKET, and asks it for the
 * display configuration.  Same 12-byte header as vhost-user; native byte order.
 */
#ifndef VGB_VHOST_USER_GPU_H
#define VGB_VHOST_USER_GPU_H

#include <stdint.h>

enum vgb_vug_request {
	VGB_VUG_GET_PROTOCOL_FEATURES = 1,
	VGB_VUG_SET_PROTOCOL_FEATURES = 2,
	VGB_VUG_GET_DISPLAY_INFO = 3,
	VGB_VUG_CURSOR_POS = 4,
	VGB_VUG_CURSOR_POS_HIDE = 5,
	VGB_VUG_CURSOR_UPDATE = 6,
	VGB_VUG_SCANOUT = 7,
	VGB_VUG_UPDATE = 8,
	VGB_VUG_DMABUF_SCANOUT = 9,
	VGB_VUG_DMABUF_UPDATE = 10,
	VGB_VUG_GET_EDID = 11,
	VGB_VUG_DMABUF_SCANOUT2 = 12,
};

#define VGB_VUG_PROTOCOL_F_EDID 0
#define VGB_VUG_PROTOCOL_F_DMABUF2 1

#define VGB_VUG_FLAG_REPLY (1u << 2)
#define VGB_VUG_HDR_SIZE 12u

struct vgb_vug_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};

struct vgb_vug_cursor_pos {
	uint32_t scanout_id;
	uint32_t x, y;
};

struct vgb_vug_cursor_update {
	struct vgb_vug_cursor_pos pos;
	uint32_t hot_x, hot_y;
	uint32_t data[64 * 64]; /* a8r8g8b8 */
};

struct vgb_vug_scanout {
	uint32_t scanout_id;
	uint32_t width, height;
};

/* Followed by width*height x8r8g8b8 pixels (rows of width*4 bytes). */
struct vgb_vug_update {
	uint32_t scanout_id;
	uint32_t x, y, width, height;
};

struct vgb_vug_dmabuf_scanout {
	uint32_t scanout_id;
	uint32_t x, y, width, height;
	uint32_t fd_width, fd_height, fd_stride, fd_flags;
	int32_t fd_drm_fourcc;
};

struct vgb_vug_dmabuf_scanout2 {
	struct vgb_vug_dmabuf_scanout dmabuf_scanout;
	uint64_t modifier;
} __attribute__((packed));

struct vgb_vug_edid_request {
	uint32_t scanout_id;
};

_Static_assert(sizeof(struct vgb_vug_cursor_pos) == 12, "cursor pos");
_Static_assert(sizeof(struct vgb_vug_cursor_update) == 20 + 16384, "cursor update");
_Static_assert(sizeof(struct vgb_vug_scanout) == 12, "scanout");
_Static_assert(sizeof(struct vgb_vug_update) == 20, "update");
_Static_assert(sizeof(struct vgb_vug_dmabuf_scanout) == 40, "dmabuf scanout");
_Static_assert(sizeof(struct vgb_vug_dmabuf_scanout2) == 48, "dmabuf scanout2");

/* Largest UPDATE payload this project sends in one message; bigger rectangles are split. */
#define VGB_VUG_MAX_UPDATE_BYTES (1u << 20)
/* Largest scanout a front-end accepts (pixels per side). */
#define VGB_VUG_MAX_SCANOUT_DIM 16384u
#define VGB_VUG_MAX_SCANOUTS 16u

#endif
