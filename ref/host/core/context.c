/* SPDX-License-Identifier: MIT */
/*
 * Contexts (CTX_CREATE/DESTROY, ATTACH/DETACH_RESOURCE) and capsets.  The
 * device's own context type is the reference context (vgb/refctx.h, capset
 * 30, index 0), chosen by context_init or by default; with an external
 * renderer (renderer.c) the renderer's capsets follow it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "vgb/refctx.h"
#include "vgb/renderer.h"

#define ERR_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ERR_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define ERR_CTX VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID
#define ERR_OOM VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY

struct vgb_context *vgb_ctx_find(struct vgb_device *dev, uint32_t ctx_id)
{
	if (ctx_id == 0)
		return NULL;
	for (unsigned i = 0; i < VGB_MAX_CONTEXTS; i++)
		if (dev->ctx[i].live && dev->ctx[i].id == ctx_id)
			return &dev->ctx[i];
	return NULL;
}

uint32_t vgb_num_capsets(const struct vgb_device *dev)
{
	return dev->cfg.virgl ? 1 + vgb_renderer_num_capsets(dev) : 0;
}

uint32_t vgb_cmd_ctx_create(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.ctx_create) *c = &cmd->u.ctx_create;
	if (vgb_ctx_find(dev, cmd->ctx_id))
		return vgb_reject(dev, VGB_DRV_CTX_ID_CREATE, ERR_CTX, "context %u exists", cmd->ctx_id);
	bool renderer = c->capset_id != 0 && c->capset_id != VGB_CAPSET_REFCTX;
	if (renderer && !vgb_renderer_has_capset(dev, c->capset_id))
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "context_init names capset %u",
				  c->capset_id);
	for (unsigned i = 0; i < VGB_MAX_CONTEXTS; i++) {
		struct vgb_context *ctx = &dev->ctx[i];
		if (ctx->live)
			continue;
		if (renderer) {
			const struct vgb_renderer_ops *r = vgb_renderer(dev);
			uint32_t rc = r->ctx_create(r->opaque, cmd->ctx_id, c->capset_id, c->debug_name);
			if (rc)
				return vgb_reject(dev, VGB_DRV_NONE, rc,
						  "CTX_CREATE %u of capset %u: the renderer refused it",
						  cmd->ctx_id, c->capset_id);
		}
		*ctx = (struct vgb_context){.live = true, .id = cmd->ctx_id,
					    .capset_id = renderer ? c->capset_id : VGB_CAPSET_REFCTX,
					    .renderer = renderer};
		vgb_validate_created(dev, cmd->ctx_id, true);
		memcpy(ctx->name, c->debug_name, sizeof(ctx->name));
		return VGB_DECODE_OK;
	}
	vgb_log(dev, "CTX_CREATE %u: all %u contexts in use", cmd->ctx_id, VGB_MAX_CONTEXTS);
	return ERR_OOM;
}

static void free_objects(struct vgb_device *dev, struct vgb_context *ctx)
{
	while (ctx->objects) {
		struct vgb_hostobj *o = ctx->objects;
		ctx->objects = o->next;
		vgb_hostmem_free(dev, &o->mem);
		vgb_uncharge(dev, sizeof(*o));
		dev->nobjects--;
		free(o);
	}
}

static void ctx_destroy(struct vgb_device *dev, struct vgb_context *ctx)
{
	uint64_t bit = 1ull << (ctx - dev->ctx);
	const struct vgb_renderer_ops *rr = vgb_renderer(dev);
	if (ctx->renderer && rr)
		rr->ctx_destroy(rr->opaque, ctx->id);
	for (unsigned b = 0; b < VGB_RES_BUCKETS; b++)
		for (struct vgb_resource *r = dev->buckets[b]; r; r = r->next)
			r->ctx_slots &= ~bit;
	free_objects(dev, ctx);
	*ctx = (struct vgb_context){0};
}

void vgb_ctx_destroy_all(struct vgb_device *dev)
{
	for (unsigned i = 0; i < VGB_MAX_CONTEXTS; i++)
		if (dev->ctx[i].live)
			ctx_destroy(dev, &dev->ctx[i]);
}

uint32_t vgb_cmd_ctx_destroy(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	struct vgb_context *ctx = vgb_ctx_find(dev, cmd->ctx_id);
	if (!ctx)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_CTX, "CTX_DESTROY of unknown context %u",
				  cmd->ctx_id);
	ctx_destroy(dev, ctx);
	return VGB_DECODE_OK;
}

/* Context and resource of CTX_ATTACH/DETACH_RESOURCE, or the error to answer. */
static uint32_t ctx_res(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_context **ctx,
			struct vgb_resource **res)
{
	*res = vgb_res_find(dev, cmd->u.res.resource_id);
	if (!*res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "unknown resource %u",
				  cmd->u.res.resource_id);
	*ctx = vgb_ctx_find(dev, cmd->ctx_id);
	if (!*ctx)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_CTX, "unknown context %u", cmd->ctx_id);
	return VGB_DECODE_OK;
}

uint32_t vgb_cmd_ctx_attach(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	struct vgb_context *ctx;
	struct vgb_resource *res;
	uint32_t rc = ctx_res(dev, cmd, &ctx, &res);
	if (rc)
		return rc;
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	/* The renderer knows its own blobs only; others stay the device's business. */
	if (ctx->renderer && res->renderer && r && !(res->ctx_slots & (1ull << (ctx - dev->ctx))))
		r->ctx_attach(r->opaque, ctx->id, res->id);
	res->ctx_slots |= 1ull << (ctx - dev->ctx);
	return rc;
}

uint32_t vgb_cmd_ctx_detach(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	struct vgb_context *ctx;
	struct vgb_resource *res;
	uint32_t rc = ctx_res(dev, cmd, &ctx, &res);
	if (rc)
		return rc;
	const struct vgb_renderer_ops *r = vgb_renderer(dev);
	if (ctx->renderer && res->renderer && r && (res->ctx_slots & (1ull << (ctx - dev->ctx))))
		r->ctx_detach(r->opaque, ctx->id, res->id);
	res->ctx_slots &= ~(1ull << (ctx - dev->ctx)); /* detaching twice is harmless */
	return rc;
}

struct vgb_hostobj *vgb_ctx_take_object(struct vgb_context *ctx, uint64_t blob_id)
{
	for (struct vgb_hostobj **p = &ctx->objects; *p; p = &(*p)->next) {
		if ((*p)->blob_id == blob_id) {
			struct vgb_hostobj *o = *p;
			*p = o->next;
			o->next = NULL;
			return o;
		}
	}
	return NULL;
}

uint32_t vgb_cmd_capset_info(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep)
{
	if (cmd->u.capset_info.capset_index >= vgb_num_capsets(dev))
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "GET_CAPSET_INFO index %u",
				  cmd->u.capset_info.capset_index);
	if (cmd->u.capset_info.capset_index > 0)
		return vgb_renderer_capset_info(dev, cmd->u.capset_info.capset_index - 1, rep);
	struct virtio_gpu_resp_capset_info info = {
		.capset_id = vgb_to_le32(VGB_CAPSET_REFCTX),
		.capset_max_version = vgb_to_le32(VGB_REFCTX_VERSION),
		.capset_max_size = vgb_to_le32(sizeof(struct vgb_refctx_caps)),
	};
	memcpy(rep->buf, &info, sizeof(info));
	rep->len = sizeof(info);
	rep->type = VIRTIO_GPU_RESP_OK_CAPSET_INFO;
	return VGB_DECODE_OK;
}

uint32_t vgb_cmd_capset(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep)
{
	if (cmd->u.capset.capset_id != VGB_CAPSET_REFCTX && vgb_renderer_has_capset(dev, cmd->u.capset.capset_id))
		return vgb_renderer_capset(dev, cmd, rep);
	if (cmd->u.capset.capset_id != VGB_CAPSET_REFCTX ||
	    cmd->u.capset.capset_version > VGB_REFCTX_VERSION)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "GET_CAPSET id %u version %u",
				  cmd->u.capset.capset_id, cmd->u.capset.capset_version);
	/* Not above max_version, so the driver broke nothing: there is just no such version. */
	if (cmd->u.capset.capset_version != VGB_REFCTX_VERSION)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "GET_CAPSET version %u of capset %u does not exist",
				  cmd->u.capset.capset_version, cmd->u.capset.capset_id);
	size_t need = sizeof(struct virtio_gpu_resp_capset) + sizeof(struct vgb_refctx_caps);
	if (rep->cap < need)
		return VGB_RESP_TOO_SMALL;
	struct vgb_refctx_caps caps = {
		.version = vgb_to_le32(VGB_REFCTX_VERSION),
		.ops = vgb_to_le32(1u << VGB_REFCTX_ALLOC | 1u << VGB_REFCTX_FREE | 1u << VGB_REFCTX_FILL |
				   1u << VGB_REFCTX_WRITE | 1u << VGB_REFCTX_COPY |
				   1u << VGB_REFCTX_CHECKSUM | 1u << VGB_REFCTX_PATTERN),
		.max_object_size = vgb_to_le64(dev->cfg.max_blob_size),
		.map_cache = vgb_to_le32(dev->cfg.map_cache),
		.alignment = vgb_to_le32(vgb_granularity(dev)),
	};
	memcpy(rep->buf + sizeof(struct virtio_gpu_resp_capset), &caps, sizeof(caps));
	rep->len = need;
	rep->type = VIRTIO_GPU_RESP_OK_CAPSET;
	return VGB_DECODE_OK;
}
