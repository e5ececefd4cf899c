/* SPDX-License-Identifier: MIT */
/* Lifecycle: id reuse, unref of a scanned-out resource, contexts, device reset. */
#include <stdio.h>
#include <string.h>

#include "../lib/display.h"
#include "cases.h"
#include "vgb/refctx.h"

#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA
#define FMT VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM

static enum vc_verdict reuse_id(struct vc *t)
{
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, 8, 8), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	VC_TRY(vc_expect(t, vc_unref(t, id), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF"));
	VC_TRY(vc_expect(t, vc_unref(t, id), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, R_RES_UNKNOWN,
			 "second RESOURCE_UNREF of the same id"));
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, 8, 8), OK_NODATA, R_LIFE_REUSE,
			 "RESOURCE_CREATE_2D reusing an unref'd id"));
	vc_expect(t, vc_unref(t, id), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF");
	return vc_done(t);
}

static enum vc_verdict unref_scanout(struct vc *t)
{
	uint32_t id = vc_new_id(t), w = 32, h = 16;
	struct vc_backing b;
	VC_TRY(vc_backing_make(t, w * h * 4, 0, &b));
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, w, h), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, b.ents, b.n), OK_NODATA, R_CMD_SUCCESS,
			 "RESOURCE_ATTACH_BACKING"));
	VC_TRY(vc_expect(t, vc_set_scanout(t, 0, id, 0, 0, w, h), OK_NODATA, R_CMD_SUCCESS,
			 "SET_SCANOUT"));
	vgb_fe_poll(t->fe, 50);
	const struct vgb_fe_scanout *s = vgb_fe_scanout(t->fe, 0);
	VC_TRY(vc_check(t, s && s->width == w && s->height == h, R_DISP_SIZE,
			"display shows %ux%u after SET_SCANOUT of %ux%u", s ? s->width : 0,
			s ? s->height : 0, w, h));
	VC_TRY(vc_expect(t, vc_unref(t, id), OK_NODATA, R_LIFE_UNREF_SCANOUT,
			 "RESOURCE_UNREF of a scanned-out resource"));
	for (int i = 0; i < 20 && s->width; i++)
		vgb_fe_poll(t->fe, 20);
	vc_check(t, s->width == 0 && s->height == 0, R_LIFE_UNREF_SCANOUT,
		 "scanout still shows %ux%u after its resource was unref'd", s->width, s->height);
	vc_still_serves(t, "UNREF of a scanned-out resource");
	return vc_done(t);
}

static enum vc_verdict scanout_disable(struct vc *t)
{
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, 16, 16), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	struct vc_backing b;
	VC_TRY(vc_backing_make(t, 16 * 16 * 4, 0, &b));
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, b.ents, b.n), OK_NODATA, R_CMD_SUCCESS,
			 "RESOURCE_ATTACH_BACKING"));
	VC_TRY(vc_expect(t, vc_set_scanout(t, 0, id, 0, 0, 16, 16), OK_NODATA, R_CMD_SUCCESS,
			 "SET_SCANOUT"));
	VC_TRY(vc_expect(t, vc_set_scanout(t, 0, 0, 0, 0, 0, 0), OK_NODATA, R_SCANOUT_DISABLE,
			 "SET_SCANOUT with resource 0 (disable)"));
	for (int i = 0; i < 10; i++)
		vgb_fe_poll(t->fe, 20);
	const struct vgb_fe_scanout *s = vgb_fe_scanout(t->fe, 0);
	vc_check(t, s && s->width == 0, R_DISP_DISABLED,
		 "scanout shows %ux%u after being disabled", s ? s->width : 0, s ? s->height : 0);
	vc_expect(t, vc_detach_backing(t, id), OK_NODATA, R_CMD_SUCCESS,
		  "DETACH_BACKING once the scanout is disabled");
	return vc_done(t);
}

static enum vc_verdict ctx_lifecycle(struct vc *t)
{
	uint32_t ctx = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_ctx_create(t, ctx, VGB_CAPSET_REFCTX), OK_NODATA, R_CTX_CREATE,
			 "CTX_CREATE"));
	VC_TRY(vc_expect(t, vc_ctx_destroy(t, ctx), OK_NODATA, R_CMD_SUCCESS, "CTX_DESTROY"));
	VC_TRY(vc_expect(t, vc_ctx_destroy(t, ctx), VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID, R_CTX_UNKNOWN,
			 "second CTX_DESTROY"));
	vc_expect(t, vc_ctx_create(t, ctx, VGB_CAPSET_REFCTX), OK_NODATA, R_CTX_CREATE,
		  "CTX_CREATE reusing a destroyed id");
	return vc_done(t);
}

static enum vc_verdict reset_resources(struct vc *t)
{
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, 8, 8), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	if (vgb_fe_reset_device(t->fe) < 0)
		return vc_fail(t, R_RESET, "device reset failed: %s", vgb_fe_error(t->fe));
	VC_TRY(vc_expect(t, vc_unref(t, id), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, R_RESET,
			 "RESOURCE_UNREF of a resource created before the reset"));
	vc_expect(t, vc_create_2d(t, id, FMT, 8, 8), OK_NODATA, R_RESET_IDS,
		  "RESOURCE_CREATE_2D with a pre-reset id");
	return vc_done(t);
}

static enum vc_verdict reset_mappings(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	VC_TRY(vc_host_open(t, &h));
	uint64_t g = vc_map_granularity(t);
	VC_TRY(vc_expect(t, vc_host_blob(t, &h, g, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, &res), OK_NODATA,
			 R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)"));
	VC_TRY(vc_expect(t, vc_map(t, res, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK,
			 "MAP_BLOB"));
	if (vgb_fe_reset_device(t->fe) < 0)
		return vc_fail(t, R_RESET, "device reset failed: %s", vgb_fe_error(t->fe));
	uint8_t *base = vc_region(t, NULL);
	vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, g), R_RESET_MAPPINGS,
		 "a mapping survived the device reset");
	if (base)
		vc_check(t, vc_touch_faults(base), R_RESET_MAPPINGS,
			 "after reset, the old mapping still reaches memory");
	vc_expect(t, vc_ctx_destroy(t, h.ctx_id), VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID, R_RESET,
		  "CTX_DESTROY of a context created before the reset");
	vc_still_serves(t, "device reset");
	return vc_done(t);
}

const struct vc_case vc_cases_lifecycle[] = {
	{ .name = "dev.life.reuse_id", IDS(R_RES_UNKNOWN, R_LIFE_REUSE), .run = reuse_id,
	  .summary = "unref frees an id; a second unref is refused" },
	{ .name = "dev.life.unref_scanout", IDS(R_LIFE_UNREF_SCANOUT, R_DISP_SIZE, R_DISP_DISABLED),
	  .run = unref_scanout, .summary = "unref of a scanned-out resource disables the scanout" },
	{ .name = "dev.life.scanout_disable", IDS(R_SCANOUT_DISABLE, R_DISP_DISABLED),
	  .run = scanout_disable, .summary = "SET_SCANOUT with resource 0 disables it" },
	{ .name = "dev.life.ctx", IDS(R_CTX_CREATE, R_CTX_UNKNOWN), .needs = VC_NEED_REFCTX, .run = ctx_lifecycle,
	  .summary = "context create/destroy/destroy again/reuse" },
	{ .name = "dev.reset.resources", IDS(R_RESET, R_RESET_IDS), .needs = VC_NEED_RESET, .run = reset_resources,
	  .summary = "device reset drops every resource" },
	{ .name = "dev.reset.mappings", IDS(R_RESET_MAPPINGS, R_RESET),
	  .needs = VC_NEED_RESET | VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX,
	  .run = reset_mappings, .summary = "device reset removes mappings and contexts" },
	{ 0 },
};
