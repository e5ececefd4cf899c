/* SPDX-License-Identifier: MIT */
/*
 * Builders for SUBMIT_3D streams of the reference context (vgb/refctx.h).
 * Each call appends one command in wire form (little-endian); a failed
 * append (allocation, size overflow) marks the stream failed and later
 * appends do nothing, so callers check once before submitting.
 */
#ifndef VGB_REFCTX_STREAM_H
#define VGB_REFCTX_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/refctx.h"

struct vgb_rcs {
	uint8_t *buf;
	size_t len, cap;
	bool failed;
};

void vgb_rcs_init(struct vgb_rcs *s);
void vgb_rcs_fini(struct vgb_rcs *s);
void vgb_rcs_reset(struct vgb_rcs *s);
/* Stream bytes, or NULL when the stream failed. */
const void *vgb_rcs_data(const struct vgb_rcs *s, uint32_t *size);

void vgb_rcs_alloc(struct vgb_rcs *s, uint64_t blob_id, uint64_t size);
void vgb_rcs_free(struct vgb_rcs *s, uint64_t blob_id);
void vgb_rcs_fill(struct vgb_rcs *s, uint32_t resource_id, uint32_t value, uint64_t offset,
		  uint64_t size);
void vgb_rcs_write(struct vgb_rcs *s, uint32_t resource_id, uint64_t offset, const void *data,
		   uint32_t size);
void vgb_rcs_copy(struct vgb_rcs *s, uint32_t src_resource_id, uint64_t src_offset,
		  uint32_t dst_resource_id, uint64_t dst_offset, uint64_t size);
void vgb_rcs_checksum(struct vgb_rcs *s, uint32_t resource_id, uint64_t offset, uint64_t size,
		      uint32_t dst_resource_id, uint64_t dst_offset);
void vgb_rcs_pattern(struct vgb_rcs *s, uint32_t resource_id, uint32_t seed, uint64_t offset,
		     uint64_t size);

#endif
