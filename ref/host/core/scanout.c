/* SPDX-License-Identifier: MIT */
/*
 * Scanouts: display info, EDID, SET_SCANOUT(_BLOB), RESOURCE_FLUSH.  A flush
 * hands ops->update() the pixels of the flushed part of every scanout showing
 * the resource, in scanout coordinates.  A GUEST blob is shown from the guest
 * pages themselves; only when its rows are scattered over non-adjacent host
 * memory are they gathered into the scanout's staging buffer.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define ERR_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ERR_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define ERR_SCANOUT VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID
#define ERR_OOM VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY

uint32_t vgb_cmd_display_info(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep)
{
	struct virtio_gpu_resp_display_info info;
	memset(&info, 0, sizeof(info));
	for (uint32_t i = 0; i < dev->cfg.num_scanouts; i++) {
		info.pmodes[i].r.width = vgb_to_le32(dev->cfg.width);
		info.pmodes[i].r.height = vgb_to_le32(dev->cfg.height);
		info.pmodes[i].enabled = vgb_to_le32(1);
	}
	memcpy(rep->buf, &info, sizeof(info));
	rep->len = sizeof(info);
	rep->type = VIRTIO_GPU_RESP_OK_DISPLAY_INFO;
	return VGB_DECODE_OK;
}

uint32_t vgb_cmd_get_edid(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep)
{
	if (cmd->u.edid.scanout >= dev->cfg.num_scanouts)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_SCANOUT, "GET_EDID of scanout %u",
				  cmd->u.edid.scanout);
	struct virtio_gpu_resp_edid e;
	memset(&e, 0, sizeof(e));
	e.size = vgb_to_le32(128);
	vgb_edid_build(e.edid, dev->cfg.width, dev->cfg.height, cmd->u.edid.scanout + 1);
	memcpy(rep->buf, &e, sizeof(e));
	rep->len = sizeof(e);
	rep->type = VIRTIO_GPU_RESP_OK_EDID;
	return VGB_DECODE_OK;
}

/* Forgets what scanout_id shows, without telling the display (a new image follows). */
static void scanout_release(struct vgb_device *dev, uint32_t scanout_id)
{
	struct vgb_scanout *s = &dev->scanout[scanout_id];
	struct vgb_resource *res = s->resource_id ? vgb_res_find(dev, s->resource_id) : NULL;
	if (res)
		res->scanouts &= ~(1u << scanout_id);
	if (s->staging) {
		free(s->staging);
		vgb_uncharge(dev, s->staging_len);
	}
	*s = (struct vgb_scanout){0};
}

void vgb_scanout_disable(struct vgb_device *dev, uint32_t scanout_id)
{
	if (!dev->scanout[scanout_id].resource_id)
		return;
	scanout_release(dev, scanout_id);
	if (dev->ops.scanout)
		dev->ops.scanout(dev->ops.opaque, scanout_id, 0, 0);
}

static void scanout_enable(struct vgb_device *dev, uint32_t id, struct vgb_resource *res,
			   const struct vgb_rect *r)
{
	struct vgb_scanout *s = &dev->scanout[id];
	s->resource_id = res->id;
	s->r = *r;
	res->scanouts |= 1u << id;
	if (dev->ops.scanout)
		dev->ops.scanout(dev->ops.opaque, id, r->width, r->height);
}

uint32_t vgb_cmd_set_scanout(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.set_scanout) *c = &cmd->u.set_scanout;
	if (c->scanout_id >= dev->cfg.num_scanouts)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_SCANOUT, "SET_SCANOUT of scanout %u",
				  c->scanout_id);
	if (c->resource_id == 0) {
		vgb_scanout_disable(dev, c->scanout_id);
		return VGB_DECODE_OK;
	}
	struct vgb_resource *res = vgb_res_find(dev, c->resource_id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "SET_SCANOUT: unknown resource %u",
				  c->resource_id);
	if (res->blob)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "SET_SCANOUT of blob %u (use SET_SCANOUT_BLOB)", res->id);
	if (res->bpp != 4)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "SET_SCANOUT of buffer resource %u",
				  res->id);
	if (!c->r.width || !c->r.height || !vgb_rect_inside(&c->r, res->width, res->height) ||
	    res->stride > UINT32_MAX)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "scanout rect %ux%u+%u+%u outside resource %u (%ux%u)", c->r.width,
				  c->r.height, c->r.x, c->r.y, res->id, res->width, res->height);
	scanout_release(dev, c->scanout_id);
	scanout_enable(dev, c->scanout_id, res, &c->r);
	return VGB_DECODE_OK;
}

/*
 * VGB_BREAK_GUEST_BLOB_STALE: the whole scanout rectangle copied once, at
 * SET_SCANOUT_BLOB, and shown from then on instead of the guest pages.
 */
static void stale_snapshot(struct vgb_device *dev, struct vgb_scanout *s, struct vgb_resource *res)
{
	uint32_t bpp = vgb_format_bpp(s->format);
	uint64_t row = (uint64_t)s->r.width * bpp;
	uint64_t start = s->offset + (uint64_t)s->stride * s->r.y + (uint64_t)bpp * s->r.x;
	memset(s->staging, 0, s->staging_len);
	for (uint32_t y = 0; y < s->r.height; y++)
		if (vgb_backing_read(dev, &res->backing, start + (uint64_t)s->stride * y,
				     s->staging + row * y, row) < 0)
			break;
}

static const uint8_t *stale_pixels(const struct vgb_scanout *s, const struct vgb_rect *r,
				   uint32_t *stride)
{
	uint32_t bpp = vgb_format_bpp(s->format);
	*stride = s->r.width * bpp;
	return s->staging + (uint64_t)*stride * (r->y - s->r.y) + (uint64_t)bpp * (r->x - s->r.x);
}

uint32_t vgb_cmd_set_scanout_blob(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.scanout_blob) *c = &cmd->u.scanout_blob;
	if (c->scanout_id >= dev->cfg.num_scanouts)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_SCANOUT,
				  "SET_SCANOUT_BLOB of scanout %u", c->scanout_id);
	if (c->resource_id == 0) {
		vgb_scanout_disable(dev, c->scanout_id);
		return VGB_DECODE_OK;
	}
	struct vgb_resource *res = vgb_res_find(dev, c->resource_id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "SET_SCANOUT_BLOB: unknown resource %u",
				  c->resource_id);
	if (!res->blob)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "SET_SCANOUT_BLOB of non-blob resource %u", res->id);
	/* Last byte shown: offsets[0] + strides[0]*(r.y+r.height-1) + bpp*(r.x+r.width). */
	uint32_t bpp = vgb_format_bpp(c->format);
	uint64_t end;
	bool wrap = __builtin_mul_overflow((uint64_t)c->strides[0], (uint64_t)c->r.y + c->r.height - 1,
					   &end) ||
		    __builtin_add_overflow(end, (uint64_t)c->offsets[0], &end) ||
		    __builtin_add_overflow(end, (uint64_t)bpp * ((uint64_t)c->r.x + c->r.width), &end);
	if (wrap || end > res->size)
		return vgb_reject(dev, VGB_DRV_SCANOUT_BOUNDS, ERR_PARAM,
				  "scanout of blob %u reaches byte %llu of %llu", res->id,
				  (unsigned long long)end, (unsigned long long)res->size);
	if (res->blob_mem == VIRTIO_GPU_BLOB_MEM_GUEST && !res->backing.n)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "GUEST blob %u has no pages",
				  res->id);
	/* Planes 1..3 are the driver's to fill (upstream allows header and data planes); every
	 * format here is shown uncompressed, from plane 0. */
	uint8_t *staging = NULL;
	uint64_t staging_len = 0;
	if (res->blob_mem == VIRTIO_GPU_BLOB_MEM_GUEST) {
		staging_len = (uint64_t)c->r.width * bpp * c->r.height;
		if (!vgb_charge(dev, staging_len))
			return ERR_OOM;
		staging = malloc(staging_len);
		if (!staging) {
			vgb_uncharge(dev, staging_len);
			return ERR_OOM;
		}
	}
	scanout_release(dev, c->scanout_id);
	struct vgb_scanout *s = &dev->scanout[c->scanout_id];
	s->blob = true;
	s->width = c->width;
	s->height = c->height;
	s->format = c->format;
	s->stride = c->strides[0];
	s->offset = c->offsets[0];
	s->staging = staging;
	s->staging_len = staging_len;
	scanout_enable(dev, c->scanout_id, res, &c->r);
	if (staging && vgb_broken(dev, VGB_BREAK_GUEST_BLOB_STALE))
		stale_snapshot(dev, s, res);
	return VGB_DECODE_OK;
}

/* Pixels of rectangle r (resource coordinates) of what scanout s shows; NULL if unreachable. */
static const uint8_t *scanout_pixels(struct vgb_device *dev, struct vgb_scanout *s,
				     struct vgb_resource *res, const struct vgb_rect *r,
				     uint32_t *stride)
{
	if (!s->blob) {
		*stride = (uint32_t)res->stride;
		return res->host.ptr + r->y * res->stride + (uint64_t)r->x * res->bpp;
	}
	uint32_t bpp = vgb_format_bpp(s->format);
	uint64_t start = s->offset + (uint64_t)s->stride * r->y + (uint64_t)r->x * bpp;
	uint64_t row = (uint64_t)r->width * bpp;
	uint64_t len = (uint64_t)s->stride * (r->height - 1) + row;
	*stride = s->stride;
	if (res->blob_mem != VIRTIO_GPU_BLOB_MEM_GUEST)
		return res->host.ptr + start;
	if (vgb_broken(dev, VGB_BREAK_GUEST_BLOB_STALE))
		return stale_pixels(s, r, stride);
	const uint8_t *p = vgb_backing_span(dev, &res->backing, start, len);
	if (p)
		return p; /* the guest pages in place */
	*stride = (uint32_t)row;
	for (uint32_t y = 0; y < r->height; y++)
		if (vgb_backing_read(dev, &res->backing, start + (uint64_t)s->stride * y,
				     s->staging + row * y, row) < 0)
			return NULL;
	return s->staging;
}

/* a := a ∩ b; false when empty. */
static bool intersect(struct vgb_rect *a, const struct vgb_rect *b)
{
	uint32_t x0 = a->x > b->x ? a->x : b->x, y0 = a->y > b->y ? a->y : b->y;
	uint64_t ax1 = (uint64_t)a->x + a->width, bx1 = (uint64_t)b->x + b->width;
	uint64_t ay1 = (uint64_t)a->y + a->height, by1 = (uint64_t)b->y + b->height;
	uint64_t x1 = ax1 < bx1 ? ax1 : bx1, y1 = ay1 < by1 ? ay1 : by1;
	if (x1 <= x0 || y1 <= y0)
		return false;
	*a = (struct vgb_rect){x0, y0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0)};
	return true;
}

uint32_t vgb_cmd_flush(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.flush) *c = &cmd->u.flush;
	struct vgb_resource *res = vgb_res_find(dev, c->resource_id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "RESOURCE_FLUSH: unknown resource %u",
				  c->resource_id);
	if (!res->blob && !vgb_rect_inside(&c->r, res->width, res->height))
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "flush rect %ux%u+%u+%u outside resource %u", c->r.width, c->r.height,
				  c->r.x, c->r.y, res->id);
	for (uint32_t i = 0; i < dev->cfg.num_scanouts; i++) {
		struct vgb_scanout *s = &dev->scanout[i];
		struct vgb_rect r = c->r;
		if (!(res->scanouts & (1u << i)) || !intersect(&r, &s->r))
			continue;
		uint32_t stride;
		const uint8_t *px = scanout_pixels(dev, s, res, &r, &stride);
		if (!px)
			return vgb_reject(dev, VGB_DRV_ENTRY_OUTSIDE, ERR_PARAM,
					  "pages of blob %u no longer inside guest memory", res->id);
		if (dev->ops.update)
			dev->ops.update(dev->ops.opaque, i, r.x - s->r.x, r.y - s->r.y, r.width,
					r.height, px, stride);
	}
	return VGB_DECODE_OK;
}
