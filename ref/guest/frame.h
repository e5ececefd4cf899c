/* SPDX-License-Identifier: MIT */
/*
 * A test frame: width x height pixels of 4 bytes, kept as the driver means
 * them, to compare with what the backend shows in vhost-user-gpu UPDATEs.
 */
#ifndef VGB_FRAME_H
#define VGB_FRAME_H

#include <stdbool.h>
#include <stdint.h>

struct vgb_frame {
	uint32_t width, height;
	uint32_t *pixels; /* row-major, width per row, native order as sent on the wire */
};

/* 0 or -ENOMEM/-EINVAL (0 or overflowing sizes). */
int vgb_frame_init(struct vgb_frame *f, uint32_t width, uint32_t height);
void vgb_frame_fini(struct vgb_frame *f);
/* Deterministic content from seed; neighbouring pixels and all four bytes differ. */
void vgb_frame_fill(struct vgb_frame *f, uint32_t seed);
/*
 * Stroke n of a handwriting trace: a few pixels change, different for every n.
 * When mirror is given the same pixels are also written there (rows of
 * mirror_stride bytes), the way a program draws into a mapped buffer.
 */
void vgb_frame_stroke(struct vgb_frame *f, uint32_t n, void *mirror, uint32_t mirror_stride);
/* Rows of the frame to dst with the given stride (bytes, >= width*4). */
void vgb_frame_store(const struct vgb_frame *f, void *dst, uint32_t stride);

/*
 * Compare with pixels as shown (width x height, packed).  True when equal;
 * otherwise bad_x and bad_y locate the first difference (both set to the
 * mismatching size when the dimensions differ) and *bad_count counts them.
 */
bool vgb_frame_equal(const struct vgb_frame *f, const uint32_t *pixels, uint32_t width,
		     uint32_t height, uint32_t *bad_x, uint32_t *bad_y, uint64_t *bad_count);

#endif
