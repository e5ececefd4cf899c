/* SPDX-License-Identifier: MIT */
/*
 * Contexts of an external renderer (vgb/renderer.h, vgb-host --renderer).
 *
 * The reference context stays capset index 0 and the context type of a
 * CTX_CREATE without context_init; every other capset the renderer offers
 * follows it.  Requests reach the renderer only after the decoder and the
 * device have checked them; what the renderer makes of a host blob becomes an
 * ordinary resource whose memory is the fd the renderer exported, so MAP,
 * UNMAP, UNREF and reset go through the same code as the device's own blobs.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vgb/renderer.h"

#define ERR_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ERR_OOM VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY
#define ERR_UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC

#define MAX_RENDERER_CAPSETS 8
#define SUBMIT_BOUNCE (64u * 1024)

uint32_t vgb_renderer_num_capsets(const struct vgb_device *dev)
{
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	uint32_t n = 0, id, ver, size;
	while (r && n < MAX_RENDERER_CAPSETS && r->capset_info(r->opaque, n, &id, &ver, &size))
		n++;
	return n;
}

bool vgb_renderer_has_capset(const struct vgb_device *dev, uint32_t capset_id)
{
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	uint32_t id, ver, size;
	for (uint32_t i = 0; r && i < MAX_RENDERER_CAPSETS && r->capset_info(r->opaque, i, &id, &ver, &size); i++)
		if (id == capset_id)
			return true;
	return false;
}

/* index counts the renderer's capsets only (the reference context is index 0 of the device). */
uint32_t vgb_renderer_capset_info(struct vgb_device *dev, uint32_t index, struct vgb_reply *rep)
{
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	uint32_t id, ver, size;
	if (!r || index >= MAX_RENDERER_CAPSETS || !r->capset_info(r->opaque, index, &id, &ver, &size))
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "GET_CAPSET_INFO: no renderer capset %u",
				  index);
	struct virtio_gpu_resp_capset_info info = {
		.capset_id = vgb_to_le32(id),
		.capset_max_version = vgb_to_le32(ver),
		.capset_max_size = vgb_to_le32(size),
	};
	memcpy(rep->buf, &info, sizeof(info));
	rep->len = sizeof(info);
	rep->type = VIRTIO_GPU_RESP_OK_CAPSET_INFO;
	return VGB_DECODE_OK;
}

uint32_t vgb_renderer_capset(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep)
{
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	uint32_t want = cmd->u.capset.capset_id, version = cmd->u.capset.capset_version;
	uint32_t id, ver, size;
	for (uint32_t i = 0; r && i < MAX_RENDERER_CAPSETS && r->capset_info(r->opaque, i, &id, &ver, &size); i++) {
		if (id != want)
			continue;
		if (version > ver)
			return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "GET_CAPSET id %u version %u above %u",
					  id, version, ver);
		size_t need = sizeof(struct virtio_gpu_resp_capset) + (size_t)size;
		if (rep->cap < need)
			return VGB_RESP_TOO_SMALL;
		uint8_t *caps = rep->buf + sizeof(struct virtio_gpu_resp_capset);
		memset(caps, 0, size);
		uint32_t rc = r->capset(r->opaque, id, version, caps, size);
		if (rc) {
			vgb_log(dev, "GET_CAPSET id %u version %u: the renderer failed", id, version);
			return rc;
		}
		rep->len = need;
		rep->type = VIRTIO_GPU_RESP_OK_CAPSET;
		return VGB_DECODE_OK;
	}
	return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "GET_CAPSET id %u: no such capset", want);
}

uint32_t vgb_renderer_submit(struct vgb_device *dev, struct vgb_context *ctx, const struct vgb_cmd *cmd)
{
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	uint32_t len = cmd->u.submit.size;
	if (len % 4)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "SUBMIT_3D of %u bytes in renderer context %u: not whole dwords", len, ctx->id);
	if (!len)
		return VGB_DECODE_OK;
	const void *cmds = cmd->u.submit.data;
	void *bounce = NULL;
	if ((uintptr_t)cmds % 8) {
		/* Renderers read the stream as dwords (some as qwords): give them an aligned copy. */
		if (!vgb_charge(dev, len))
			return ERR_OOM;
		bounce = malloc(len);
		if (!bounce) {
			vgb_uncharge(dev, len);
			return ERR_OOM;
		}
		memcpy(bounce, cmds, len);
		cmds = bounce;
	}
	uint32_t rc = r->submit(r->opaque, ctx->id, cmds, len);
	if (bounce) {
		free(bounce);
		vgb_uncharge(dev, len);
	}
	if (rc)
		vgb_log(dev, "SUBMIT_3D of %u bytes in renderer context %u: the renderer refused it", len,
			ctx->id);
	return rc;
}

uint32_t vgb_renderer_fence(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	if (!r || !(cmd->flags & VIRTIO_GPU_FLAG_FENCE))
		return VGB_DECODE_OK;
	bool ring = cmd->flags & VIRTIO_GPU_FLAG_INFO_RING_IDX;
	struct vgb_context *ctx = vgb_ctx_find(dev, cmd->ctx_id);
	/* A ring belongs to its context: only renderer contexts have renderer rings. */
	if (ring && (!ctx || !ctx->renderer))
		return VGB_DECODE_OK;
	uint32_t rc = r->fence(r->opaque, ring ? ctx->id : cmd->ctx_id, ring, cmd->ring_idx, cmd->fence_id);
	if (rc)
		vgb_log(dev, "fence %llu (context %u%s): the renderer did not complete it",
			(unsigned long long)cmd->fence_id, cmd->ctx_id, ring ? ", ring" : "");
	return rc;
}

/* Bytes of the region a blob of size bytes occupies (whole pages), as region.c maps it. */
static uint64_t page_len(uint64_t size)
{
	return (size + VGB_PAGE - 1) & ~(uint64_t)(VGB_PAGE - 1);
}

uint32_t vgb_renderer_create_blob(struct vgb_device *dev, struct vgb_context *ctx,
				  const struct vgb_cmd *cmd)
{
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	const __typeof__(cmd->u.create_blob) *c = &cmd->u.create_blob;
	/* Renderer memory has no guest shadow here: a default blob would need one kept in step. */
	if (c->blob_mem != VIRTIO_GPU_BLOB_MEM_HOST3D)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "blob_mem %u in renderer context %u: only HOST3D blobs are served",
				  c->blob_mem, ctx->id);
	if ((c->blob_flags & VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE) && !dev->cfg.region_size)
		vgb_violation(dev, VGB_DRV_MAPPABLE_NO_REGION,
			      "USE_MAPPABLE host blob %u without a host-visible region", c->resource_id);
	struct vgb_resource *res;
	uint32_t rc = vgb_res_new(dev, c->resource_id, &res);
	if (rc)
		return rc;
	struct vgb_renderer_blob out = {.fd = -1};
	rc = r->create_blob(r->opaque, ctx->id, c->resource_id, c->blob_flags, c->blob_id, c->size, &out);
	if (rc) {
		if (out.fd >= 0)
			close(out.fd);
		vgb_res_destroy(dev, res);
		return vgb_reject(dev, VGB_DRV_NONE, rc, "blob_id %llu in renderer context %u: %s",
				  (unsigned long long)c->blob_id, ctx->id,
				  out.why[0] ? out.why : "the renderer refused it");
	}
	res->blob = true;
	res->renderer = true;
	res->blob_mem = c->blob_mem;
	res->blob_flags = c->blob_flags;
	res->blob_id = c->blob_id;
	res->size = c->size;
	res->map_info = out.map_info;
	/* The region maps whole pages; the page holding the fd's end is still reachable. */
	if (out.fd >= 0 && (out.fd_offset > out.fd_size ||
			    page_len(out.fd_size) - out.fd_offset < page_len(c->size))) {
		snprintf(out.why, sizeof(out.why), "the exported fd holds %llu bytes, the blob needs %llu from %llu",
			 (unsigned long long)out.fd_size, (unsigned long long)c->size,
			 (unsigned long long)out.fd_offset);
		close(out.fd);
		out.fd = -1;
	}
	if (out.fd >= 0 && vgb_hostmem_adopt(&res->host, out.fd, out.fd_offset, c->size, out.view) < 0) {
		close(out.fd);
		out.fd = -1;
		res->host = (struct vgb_hostmem){.fd = -1};
		snprintf(out.why, sizeof(out.why), "blob size %llu at fd offset %llu cannot be mapped",
			 (unsigned long long)c->size, (unsigned long long)out.fd_offset);
	}
	if (out.fd < 0 && out.view)
		res->host = (struct vgb_hostmem){.fd = -1, .ptr = out.view, .size = c->size,
						 .external = true, .borrowed = true};
	if (out.fd < 0 && (c->blob_flags & VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE)) {
		/* Still a usable blob for the renderer; only MAP_BLOB refuses (REQ-DEV-MAP-0250). */
		res->unplaceable = strdup(out.why[0] ? out.why : "the renderer exported no fd");
		vgb_log(dev, "blob %u of renderer context %u cannot be placed in the region: %s",
			res->id, ctx->id, res->unplaceable ? res->unplaceable : "(no memory for the reason)");
	}
	return VGB_DECODE_OK;
}

void vgb_renderer_res_destroy(struct vgb_device *dev, struct vgb_resource *res)
{
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	if (!res->renderer)
		return;
	if (r)
		r->unref(r->opaque, res->id);
	free(res->unplaceable);
	res->unplaceable = NULL;
}
