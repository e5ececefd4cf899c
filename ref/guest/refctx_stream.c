/* SPDX-License-Identifier: MIT */
#include "refctx_stream.h"

#include <stdlib.h>
#include <string.h>

#include "vgb/wire.h"

void vgb_rcs_init(struct vgb_rcs *s)
{
	memset(s, 0, sizeof(*s));
}

void vgb_rcs_fini(struct vgb_rcs *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

void vgb_rcs_reset(struct vgb_rcs *s)
{
	s->len = 0;
	s->failed = false;
}

const void *vgb_rcs_data(const struct vgb_rcs *s, uint32_t *size)
{
	if (s->failed || s->len > UINT32_MAX)
		return NULL;
	*size = (uint32_t)s->len;
	return s->buf;
}

/* Room for len more bytes (zeroed), returned; NULL marks the stream failed. */
static void *grow(struct vgb_rcs *s, size_t len)
{
	if (s->failed)
		return NULL;
	if (len > UINT32_MAX - s->len) {
		s->failed = true;
		return NULL;
	}
	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->len + len)
			cap *= 2;
		uint8_t *b = realloc(s->buf, cap);
		if (!b) {
			s->failed = true;
			return NULL;
		}
		s->buf = b;
		s->cap = cap;
	}
	void *p = s->buf + s->len;
	memset(p, 0, len);
	s->len += len;
	return p;
}

static struct vgb_refctx_hdr hdr(uint32_t op, size_t length)
{
	return (struct vgb_refctx_hdr){ vgb_to_le32(op), vgb_to_le32((uint32_t)length) };
}

void vgb_rcs_alloc(struct vgb_rcs *s, uint64_t blob_id, uint64_t size)
{
	struct vgb_refctx_alloc c = { hdr(VGB_REFCTX_ALLOC, sizeof(c)), vgb_to_le64(blob_id),
				      vgb_to_le64(size) };
	void *p = grow(s, sizeof(c));
	if (p)
		memcpy(p, &c, sizeof(c));
}

void vgb_rcs_free(struct vgb_rcs *s, uint64_t blob_id)
{
	struct vgb_refctx_free c = { hdr(VGB_REFCTX_FREE, sizeof(c)), vgb_to_le64(blob_id) };
	void *p = grow(s, sizeof(c));
	if (p)
		memcpy(p, &c, sizeof(c));
}

void vgb_rcs_fill(struct vgb_rcs *s, uint32_t resource_id, uint32_t value, uint64_t offset,
		  uint64_t size)
{
	struct vgb_refctx_fill c = { hdr(VGB_REFCTX_FILL, sizeof(c)), vgb_to_le32(resource_id),
				     vgb_to_le32(value), vgb_to_le64(offset), vgb_to_le64(size) };
	void *p = grow(s, sizeof(c));
	if (p)
		memcpy(p, &c, sizeof(c));
}

void vgb_rcs_write(struct vgb_rcs *s, uint32_t resource_id, uint64_t offset, const void *data,
		   uint32_t size)
{
	size_t padded = ((size_t)size + 3) & ~(size_t)3;
	if (padded > UINT32_MAX - sizeof(struct vgb_refctx_write)) {
		s->failed = true;
		return;
	}
	size_t length = sizeof(struct vgb_refctx_write) + padded;
	struct vgb_refctx_write c = { hdr(VGB_REFCTX_WRITE, length), vgb_to_le32(resource_id),
				      vgb_to_le32(size), vgb_to_le64(offset) };
	uint8_t *p = grow(s, length);
	if (!p)
		return;
	memcpy(p, &c, sizeof(c));
	if (size)
		memcpy(p + sizeof(c), data, size);
}

void vgb_rcs_copy(struct vgb_rcs *s, uint32_t src_resource_id, uint64_t src_offset,
		  uint32_t dst_resource_id, uint64_t dst_offset, uint64_t size)
{
	struct vgb_refctx_copy c = { hdr(VGB_REFCTX_COPY, sizeof(c)), vgb_to_le32(src_resource_id),
				     vgb_to_le32(dst_resource_id), vgb_to_le64(src_offset),
				     vgb_to_le64(dst_offset), vgb_to_le64(size) };
	void *p = grow(s, sizeof(c));
	if (p)
		memcpy(p, &c, sizeof(c));
}

void vgb_rcs_checksum(struct vgb_rcs *s, uint32_t resource_id, uint64_t offset, uint64_t size,
		      uint32_t dst_resource_id, uint64_t dst_offset)
{
	struct vgb_refctx_checksum c = { hdr(VGB_REFCTX_CHECKSUM, sizeof(c)), vgb_to_le32(resource_id),
					 vgb_to_le32(dst_resource_id), vgb_to_le64(offset),
					 vgb_to_le64(size), vgb_to_le64(dst_offset) };
	void *p = grow(s, sizeof(c));
	if (p)
		memcpy(p, &c, sizeof(c));
}

void vgb_rcs_pattern(struct vgb_rcs *s, uint32_t resource_id, uint32_t seed, uint64_t offset,
		     uint64_t size)
{
	struct vgb_refctx_pattern c = { hdr(VGB_REFCTX_PATTERN, sizeof(c)), vgb_to_le32(resource_id),
					vgb_to_le32(seed), vgb_to_le64(offset), vgb_to_le64(size) };
	void *p = grow(s, sizeof(c));
	if (p)
		memcpy(p, &c, sizeof(c));
}
