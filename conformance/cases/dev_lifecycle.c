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
	struct vc_backing b;
	VC_TRY(vc_backing_make(t, 8 * 8 * 4, 0, &b));
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, 8, 8), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, b.ents, b.n), OK_NODATA, R_CMD_SUCCESS,
			 "RESOURCE_ATTACH_BACKING"));
	VC_TRY(vc_expect(t, vc_set_scanout(t, 0, id, 0, 0, 8, 8), OK_NODATA, R_CMD_SUCCESS, "SET_SCANOUT"));
	vgb_fe_poll(t->fe, 20);
	if (vgb_fe_reset_device(t->fe) < 0)
		return vc_fail(t, R_RESET, "device reset failed: %s", vgb_fe_error(t->fe));
	for (int i = 0; i < 10; i++)
		vgb_fe_poll(t->fe, 20);
	const struct vgb_fe_scanout *s = vgb_fe_scanout(t->fe, 0);
	vc_check(t, s && s->width == 0 && s->height == 0, R_RESET_SCANOUTS,
		 "scanout 0 still shows %ux%u after the reset", s ? s->width : 0, s ? s->height : 0);
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

static enum vc_verdict detach_scanned_out(struct vc *t)
{
	uint32_t id = vc_new_id(t);
	struct vc_backing b;
	VC_TRY(vc_backing_make(t, 16 * 16 * 4, 0, &b));
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, 16, 16), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, b.ents, b.n), OK_NODATA, R_CMD_SUCCESS,
			 "RESOURCE_ATTACH_BACKING"));
	VC_TRY(vc_expect(t, vc_set_scanout(t, 0, id, 0, 0, 16, 16), OK_NODATA, R_CMD_SUCCESS, "SET_SCANOUT"));
	VC_TRY(vc_expect(t, vc_detach_backing(t, id), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			 R_RES_DETACH_SCANOUT, "DETACH_BACKING of a scanned-out resource"));
	/* Still backed: a transfer works. */
	vc_expect(t, vc_transfer_2d(t, id, 0, 0, 16, 16, 0), OK_NODATA, R_ERR_NO_EFFECT,
		  "TRANSFER_TO_HOST_2D after the refused DETACH_BACKING");
	return vc_done(t);
}

static enum vc_verdict cursor_returned(struct vc *t)
{
	struct virtio_gpu_update_cursor c;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_UPDATE_CURSOR);
	c.resource_id = vgb_to_le32(0x7777); /* unknown: the device cannot execute it */
	c.pos.scanout_id = vgb_to_le32(0);
	VC_TRY(vc_check(t, vc_cursor_cmd(t, &c, sizeof(c)) == 0, R_DISP_CURSOR,
			"an UPDATE_CURSOR naming an unknown resource was not returned"));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_MOVE_CURSOR);
	c.pos.scanout_id = vgb_to_le32(99);
	VC_TRY(vc_check(t, vc_cursor_cmd(t, &c, sizeof(c)) == 0, R_DISP_CURSOR,
			"a MOVE_CURSOR on scanout 99 was not returned"));
	vc_still_serves(t, "cursor requests it cannot execute");
	return vc_done(t);
}

static enum vc_verdict resources_64(struct vc *t)
{
	for (uint32_t i = 0; i < 64; i++)
		VC_TRY(vc_expect(t, vc_create_2d(t, 1000 + i, FMT, 4, 4), OK_NODATA, R_LIMIT_64,
				 "RESOURCE_CREATE_2D while fewer than 64 resources exist"));
	return vc_done(t);
}

/* Create until the device runs out; it must say ERR_OUT_OF_MEMORY and recover. */
static enum vc_verdict out_of_resources(struct vc *t)
{
	const uint32_t cap = 4096;
	uint32_t n = 0, got = OK_NODATA;
	bool blob = (vgb_fe_features(t->fe) >> VIRTIO_GPU_F_RESOURCE_BLOB) & 1;
	uint64_t gpa = vc_alloc(t, 4096);
	VC_TRY(gpa);
	for (; n < cap; n++) {
		got = vc_create_2d(t, 2000 + n, FMT, 4, 4);
		if (got != OK_NODATA)
			break;
	}
	VC_TRY(!vc_failed(t));
	if (n == cap)
		return vc_not_supported(t, "%u resources created without reaching a limit", cap);
	vc_note(t, "limit reached after %u resources", n);
	VC_TRY(vc_expect(t, got, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, R_LIMIT_OOM,
			 "RESOURCE_CREATE_2D beyond the device's resources"));
	if (blob) {
		struct vgb_sg e = { gpa, 4096 };
		VC_TRY(vc_expect(t, vc_create_blob(t, 9000, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 4096, &e, 1),
				 VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, R_BLOB_OOM,
				 "CREATE_BLOB beyond the device's resources"));
	}
	VC_TRY(vc_expect(t, vc_unref(t, 2000), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF"));
	vc_expect(t, vc_create_2d(t, 2000 + n, FMT, 4, 4), OK_NODATA, R_LIMIT_OOM_RECOVER,
		  "the refused RESOURCE_CREATE_2D again after an UNREF");
	vc_still_serves(t, "running out of resources");
	return vc_done(t);
}

/* 16384 entries must be accepted; more are accepted or refused with ERR_INVALID_PARAMETER. */
static enum vc_verdict many_entries(struct vc *t)
{
	enum { N = 16384, LEN = 16 };
	uint64_t gpa = vc_alloc(t, (uint64_t)(N + 1) * LEN);
	VC_TRY(gpa);
	static struct vgb_sg ents[N + 1];
	for (unsigned i = 0; i <= N; i++)
		ents[i] = (struct vgb_sg){ gpa + (uint64_t)i * LEN, LEN };
	uint32_t a = vc_new_id(t), b = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, a, FMT, 256, 256), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	VC_TRY(vc_expect(t, vc_attach_backing(t, a, ents, N), OK_NODATA, R_LIMIT_ENTRIES,
			 "ATTACH_BACKING with 16384 entries"));
	VC_TRY(vc_expect(t, vc_transfer_2d(t, a, 0, 0, 256, 256, 0), OK_NODATA, R_ENTRY_CONCAT,
			 "TRANSFER_TO_HOST_2D through 16384 entries"));
	VC_TRY(vc_expect(t, vc_create_2d(t, b, FMT, 257, 256), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	uint32_t got = vc_attach_backing(t, b, ents, N + 1);
	VC_TRY(vc_check(t, got == OK_NODATA || got == VIRTIO_GPU_RESP_ERR_UNSPEC,
			R_LIMIT_ENTRIES_MORE, "ATTACH_BACKING with 16385 entries answered %s",
			vc_resp_name(got)));
	vc_note(t, "16385 entries: %s", vc_resp_name(got));
	vc_still_serves(t, "ATTACH_BACKING with 16385 entries");
	return vc_done(t);
}

/* A GUEST blob's backing detached, then re-attached too short for the blob. */
static enum vc_verdict blob_reattach_short(struct vc *t)
{
	uint64_t g = vc_map_granularity(t), gpa = vc_alloc(t, 2 * g);
	VC_TRY(gpa);
	struct vgb_sg e = { gpa, (uint32_t)(2 * g) };
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 2 * g, &e, 1),
			 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST)"));
	VC_TRY(vc_expect(t, vc_detach_backing(t, id), OK_NODATA, R_CMD_SUCCESS,
			 "DETACH_BACKING of a GUEST blob"));
	struct vgb_sg half = { gpa, (uint32_t)g };
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, &half, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			 R_RES_ATTACH_SHORT, "ATTACH_BACKING of half the blob's size"));
	vc_expect(t, vc_attach_backing(t, id, &e, 1), OK_NODATA, R_ERR_NO_EFFECT,
		  "ATTACH_BACKING of the full size after the refused one");
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
	{ .name = "dev.life.detach_scanned_out", IDS(R_RES_DETACH_SCANOUT, R_ERR_NO_EFFECT),
	  .run = detach_scanned_out, .summary = "DETACH_BACKING of a scanned-out resource is refused" },
	{ .name = "dev.life.blob_reattach_short", IDS(R_RES_ATTACH_SHORT, R_ERR_NO_EFFECT),
	  .needs = VC_NEED_BLOB, .run = blob_reattach_short,
	  .summary = "re-attaching a GUEST blob with entries shorter than its size is refused" },
	{ .name = "dev.disp.cursor_returned", IDS(R_DISP_CURSOR), .run = cursor_returned,
	  .summary = "cursor requests the device cannot execute are still returned" },
	{ .name = "dev.limit.resources_64", IDS(R_LIMIT_64), .run = resources_64,
	  .summary = "at least 64 resources" },
	{ .name = "dev.limit.out_of_resources", IDS(R_LIMIT_OOM, R_LIMIT_OOM_RECOVER, R_BLOB_OOM),
	  .run = out_of_resources, .timeout_s = 120,
	  .summary = "running out of resources answers ERR_OUT_OF_MEMORY and recovers" },
	{ .name = "dev.limit.entries_16384", IDS(R_LIMIT_ENTRIES, R_LIMIT_ENTRIES_MORE, R_ENTRY_CONCAT),
	  .run = many_entries, .timeout_s = 60,
	  .summary = "16384 entries accepted; 16385 accepted or refused cleanly" },
	{ .name = "dev.reset.resources", IDS(R_RESET, R_RESET_IDS, R_RESET_SCANOUTS), .needs = VC_NEED_RESET, .run = reset_resources,
	  .summary = "device reset drops every resource" },
	{ .name = "dev.reset.mappings", IDS(R_RESET_MAPPINGS, R_RESET),
	  .needs = VC_NEED_RESET | VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX,
	  .run = reset_mappings, .summary = "device reset removes mappings and contexts" },
	{ 0 },
};
