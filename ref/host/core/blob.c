/* SPDX-License-Identifier: MIT */
/*
 * RESOURCE_CREATE_BLOB and byte access to a blob's host view.
 *
 * GUEST blobs have no host copy: the device reads and writes the guest pages
 * in place.  HOST3D and HOST3D_GUEST blobs take over a memfd-backed object
 * the reference context allocated (blob_id), which is what MAP_BLOB places
 * into the host-visible region; HOST3D_GUEST also keeps guest shadow pages.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define ERR_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ERR_CTX VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID

static bool is_host(uint32_t blob_mem)
{
	return blob_mem == VIRTIO_GPU_BLOB_MEM_HOST3D || blob_mem == VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST;
}

static struct vgb_hostobj *find_object(struct vgb_context *ctx, uint64_t blob_id)
{
	for (struct vgb_hostobj *o = ctx->objects; o; o = o->next)
		if (o->blob_id == blob_id)
			return o;
	return NULL;
}

uint32_t vgb_cmd_create_blob(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.create_blob) *c = &cmd->u.create_blob;
	struct vgb_context *ctx = NULL;
	struct vgb_hostobj *obj = NULL;
	if (is_host(c->blob_mem)) {
		ctx = vgb_ctx_find(dev, cmd->ctx_id);
		if (!ctx)
			return vgb_reject(dev, VGB_DRV_NONE, ERR_CTX, "host blob in unknown context %u",
					  cmd->ctx_id);
		if (ctx->renderer)
			return vgb_renderer_create_blob(dev, ctx, cmd);
		obj = find_object(ctx, c->blob_id);
		if (!obj || obj->mem.size != c->size)
			return vgb_reject(dev, VGB_DRV_BLOB_OBJECT, ERR_PARAM,
					  "blob_id %llu: %s in context %u", (unsigned long long)c->blob_id,
					  obj ? "object size differs" : "no such object", cmd->ctx_id);
		if ((c->blob_flags & VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE) && !dev->cfg.region_size)
			vgb_violation(dev, VGB_DRV_MAPPABLE_NO_REGION,
				      "USE_MAPPABLE host blob %u without a host-visible region",
				      c->resource_id);
	}
	struct vgb_resource *res;
	uint32_t rc = vgb_res_new(dev, c->resource_id, &res);
	if (rc)
		return rc;
	if (c->nr_entries) {
		rc = vgb_backing_set(dev, &res->backing, dev->entries, c->nr_entries);
		if (rc) {
			vgb_res_destroy(dev, res);
			return rc;
		}
	}
	res->blob = true;
	res->blob_mem = c->blob_mem;
	res->blob_flags = c->blob_flags;
	res->blob_id = c->blob_id;
	res->size = c->size;
	if (obj) {
		/* The object becomes the resource's memory; the context forgets it. */
		vgb_ctx_take_object(ctx, c->blob_id);
		res->host = obj->mem;
		vgb_uncharge(dev, sizeof(*obj));
		dev->nobjects--;
		free(obj);
	}
	return VGB_DECODE_OK;
}

int vgb_blob_read(struct vgb_device *dev, struct vgb_resource *res, uint64_t off, void *dst,
		  uint64_t len)
{
	if (!vgb_range_ok(off, len, res->size))
		return -1;
	if (res->host.ptr) {
		memcpy(dst, res->host.ptr + off, len);
		return 0;
	}
	return len ? vgb_backing_read(dev, &res->backing, off, dst, len) : 0;
}

int vgb_blob_write(struct vgb_device *dev, struct vgb_resource *res, uint64_t off, const void *src,
		   uint64_t len)
{
	if (!vgb_range_ok(off, len, res->size))
		return -1;
	if (res->host.ptr) {
		memcpy(res->host.ptr + off, src, len);
		return 0;
	}
	return len ? vgb_backing_write(dev, &res->backing, off, src, len) : 0;
}
