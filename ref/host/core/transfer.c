/* SPDX-License-Identifier: MIT */
/*
 * Transfers between guest pages and host storage: TRANSFER_TO_HOST_2D and
 * TRANSFER_TO/FROM_HOST_3D.  The guest lays a rectangle out with the same
 * stride as the resource starting at `offset` (QEMU and Linux agree), so a
 * full-width rectangle is one contiguous span; otherwise one span per row.
 * Nothing is allocated here and no pixel is touched one by one; large
 * transfers stream (copy.h).
 */
#include "internal.h"

#include "copy.h"

#define ERR_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ERR_UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC
#define ERR_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define ERR_CTX VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID

/* Copies rectangle r of a 2D resource from/to the backing laid out with gstride from offset. */
static uint32_t copy_rect(struct vgb_device *dev, struct vgb_resource *res, const struct vgb_rect *r,
			  uint64_t offset, uint64_t gstride, bool to_host)
{
	if (!vgb_rect_inside(r, res->width, res->height))
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "rect %ux%u+%u+%u outside resource %u (%ux%u)", r->width, r->height,
				  r->x, r->y, res->id, res->width, res->height);
	if (!res->backing.n)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_UNSPEC, "resource %u has no backing",
				  res->id);
	if (r->width == 0 || r->height == 0)
		return VGB_DECODE_OK;
	uint32_t rows = r->height;
	if (to_host && vgb_broken(dev, VGB_BREAK_TRANSFER_SKIP_LAST_ROW))
		rows--;
	uint64_t row = (uint64_t)r->width * res->bpp, span;
	if (gstride < row || __builtin_mul_overflow(gstride, (uint64_t)(r->height - 1), &span) ||
	    __builtin_add_overflow(span, row, &span) || !vgb_range_ok(offset, span, res->backing.size))
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "transfer of resource %u at offset %llu stride %llu exceeds its %llu-byte backing",
				  res->id, (unsigned long long)offset, (unsigned long long)gstride,
				  (unsigned long long)res->backing.size);
	if (!vgb_backing_ok(dev, &res->backing, offset, span))
		return vgb_reject(dev, VGB_DRV_ENTRY_OUTSIDE, ERR_PARAM,
				  "backing of resource %u no longer inside guest memory", res->id);
	uint8_t *host = res->host.ptr + r->y * res->stride + (uint64_t)r->x * res->bpp;
	bool stream = dev->cfg.stream_min && row * rows >= dev->cfg.stream_min;
	int err;
	if (r->x == 0 && r->width == res->width && gstride == res->stride) {
		err = vgb_backing_copy(dev, &res->backing, offset, host, res->stride * rows, !to_host, stream);
	} else {
		err = 0;
		for (uint32_t y = 0; y < rows && !err; y++)
			err = vgb_backing_copy(dev, &res->backing, offset + gstride * y, host + res->stride * y,
					       row, !to_host, stream);
	}
	if (stream)
		vgb_copy_fence(); /* streamed bytes in place before the response (REQ-DEV-XFER-0400) */
	return err ? ERR_PARAM : VGB_DECODE_OK; /* cannot fail after vgb_backing_ok() */
}

/* Shadow <-> host copy of a HOST3D_GUEST blob's byte range. */
static uint32_t copy_shadow(struct vgb_device *dev, struct vgb_resource *res, uint64_t off,
			    uint64_t len, bool to_host)
{
	if (!res->backing.n)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_UNSPEC, "blob %u has no guest shadow",
				  res->id);
	if (!vgb_backing_ok(dev, &res->backing, off, len))
		return vgb_reject(dev, VGB_DRV_ENTRY_OUTSIDE, ERR_PARAM,
				  "shadow of blob %u no longer inside guest memory", res->id);
	bool stream = dev->cfg.stream_min && len >= dev->cfg.stream_min;
	int err = vgb_backing_copy(dev, &res->backing, off, res->host.ptr + off, len, !to_host, stream);
	if (stream)
		vgb_copy_fence(); /* REQ-DEV-XFER-0400 */
	return err ? ERR_PARAM : VGB_DECODE_OK; /* cannot fail after vgb_backing_ok() */
}

/*
 * A blob's byte range: GUEST blobs are read in place (nothing to copy),
 * HOST3D blobs have no guest storage (flush/invalidate: nothing to do for a
 * CPU-coherent host), HOST3D_GUEST copies between the shadow and host memory.
 */
static uint32_t blob_range(struct vgb_device *dev, struct vgb_resource *res, uint64_t off,
			   uint64_t len, bool to_host)
{
	if (!vgb_range_ok(off, len, res->size))
		return vgb_reject(dev, VGB_DRV_XFER_BLOB_BOX, ERR_PARAM,
				  "range [%llu, +%llu) outside blob %u of %llu bytes",
				  (unsigned long long)off, (unsigned long long)len, res->id,
				  (unsigned long long)res->size);
	switch (res->blob_mem) {
	case VIRTIO_GPU_BLOB_MEM_GUEST:
		if (!res->backing.n)
			return vgb_reject(dev, VGB_DRV_NONE, ERR_UNSPEC,
					  "GUEST blob %u has no guest pages", res->id);
		if (len && !vgb_backing_ok(dev, &res->backing, off, len))
			return vgb_reject(dev, VGB_DRV_ENTRY_OUTSIDE, ERR_PARAM,
					  "pages of GUEST blob %u no longer inside guest memory", res->id);
		return VGB_DECODE_OK;
	case VIRTIO_GPU_BLOB_MEM_HOST3D:
		return VGB_DECODE_OK;
	default:
		return len ? copy_shadow(dev, res, off, len, to_host) : VGB_DECODE_OK;
	}
}

uint32_t vgb_cmd_transfer_2d(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.transfer_2d) *t = &cmd->u.transfer_2d;
	struct vgb_resource *res = vgb_res_find(dev, t->resource_id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "TRANSFER_TO_HOST_2D: unknown resource %u",
				  t->resource_id);
	if (!res->blob)
		return copy_rect(dev, res, &t->r, t->offset, res->stride, true);
	if (res->blob_mem == VIRTIO_GPU_BLOB_MEM_HOST3D)
		return vgb_reject(dev, VGB_DRV_XFER_HOST_2D, ERR_PARAM,
				  "TRANSFER_TO_HOST_2D on HOST3D blob %u (no guest storage)", res->id);
	/* A blob has no 2D layout of its own: the transfer covers offset..end. */
	if (t->offset >= res->size)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "offset %llu beyond blob %u of %llu bytes", (unsigned long long)t->offset,
				  res->id, (unsigned long long)res->size);
	return blob_range(dev, res, t->offset, res->size - t->offset, true);
}

/*
 * The linear view of a blob without a layout of its own (guest blobs, reference-context
 * blobs): d layers of h rows of w bytes, row y of layer z at offset + z*ls + y*st.
 * The whole view must lie inside the blob; rows are then handled one by one.
 */
static uint32_t blob_box(struct vgb_device *dev, struct vgb_resource *res,
			 const __typeof__(((struct vgb_cmd *)0)->u.transfer_3d) *t, bool to_host)
{
	uint64_t w = t->box.w, h = t->box.h, d = t->box.d;
	if (!w || !h || !d)
		return blob_range(dev, res, t->offset, 0, to_host);
	uint64_t st = t->stride ? t->stride : w;
	uint64_t ls = t->layer_stride, end;
	if (!ls && __builtin_mul_overflow(st, h, &ls))
		ls = UINT64_MAX; /* only reachable with d == 1, where it is not used */
	uint64_t last_layer, last_row;
	bool wraps = (d > 1 && __builtin_mul_overflow(d - 1, ls, &last_layer)) ||
		     __builtin_mul_overflow(h - 1, st, &last_row) ||
		     __builtin_add_overflow(d > 1 ? last_layer : 0, last_row, &end) ||
		     __builtin_add_overflow(end, w, &end) || __builtin_add_overflow(end, t->offset, &end);
	if (wraps || end > res->size)
		return vgb_reject(dev, VGB_DRV_XFER_BLOB_BOX, ERR_PARAM,
				  "linear view of %llux%llux%llu bytes at %llu (stride %llu, layer %llu) "
				  "outside blob %u of %llu bytes", (unsigned long long)w,
				  (unsigned long long)h, (unsigned long long)d,
				  (unsigned long long)t->offset, (unsigned long long)st,
				  (unsigned long long)ls, res->id, (unsigned long long)res->size);
	/* Contiguous rows and layers are one span; only default blobs copy anything. */
	if (st == w && (d == 1 || ls == w * h))
		return blob_range(dev, res, t->offset, w * h * d, to_host);
	if (res->blob_mem != VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST) /* nothing to copy: check only */
		return blob_range(dev, res, t->offset, end - t->offset, to_host);
	if (!res->backing.n || !vgb_backing_ok(dev, &res->backing, t->offset, end - t->offset))
		return copy_shadow(dev, res, t->offset, end - t->offset, to_host); /* its refusal */
	/* One copy per row, bounded by the blob size: the gaps between rows stay untouched. */
	for (uint64_t z = 0; z < d; z++)
		for (uint64_t y = 0; y < h; y++) {
			uint64_t off = t->offset + z * ls + y * st;
			int err = to_host ? vgb_backing_read(dev, &res->backing, off, res->host.ptr + off, w)
					  : vgb_backing_write(dev, &res->backing, off, res->host.ptr + off, w);
			if (err)
				return ERR_PARAM; /* cannot fail after vgb_backing_ok() */
		}
	return VGB_DECODE_OK;
}

uint32_t vgb_cmd_transfer_3d(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.transfer_3d) *t = &cmd->u.transfer_3d;
	bool to_host = cmd->type == VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D;
	struct vgb_resource *res = vgb_res_find(dev, t->resource_id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "transfer of unknown resource %u",
				  t->resource_id);
	if (!vgb_ctx_find(dev, cmd->ctx_id))
		return vgb_reject(dev, VGB_DRV_NONE, ERR_CTX, "transfer in unknown context %u",
				  cmd->ctx_id);
	if (res->blob)
		return blob_box(dev, res, t, to_host);
	if (t->box.z != 0 || t->box.d != 1 || t->level != 0)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "2D resource %u: box z/d/level must be 0/1/0", res->id);
	struct vgb_rect r = {t->box.x, t->box.y, t->box.w, t->box.h};
	return copy_rect(dev, res, &r, t->offset, t->stride ? t->stride : res->stride, to_host);
}
