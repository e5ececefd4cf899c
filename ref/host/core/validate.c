/* SPDX-License-Identifier: MIT */
/*
 * Validating mode (cfg.validate): every driver action that breaks a driver
 * requirement of the spec is reported through ops->violation with its
 * REQ-DRV-* id.  The ids live in this one table; tests check that each one
 * exists in spec/.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "vgb/names.h"

static const char *const req_ids[VGB_DRV_COUNT] = {
	[VGB_DRV_NONE] = NULL,
	[VGB_DRV_FEAT_CTX_INIT] = "REQ-DRV-FEAT-0001",
	[VGB_DRV_FEAT_BLOB_ALIGN] = "REQ-DRV-FEAT-0002",
	[VGB_DRV_FEAT_UNOFFERED] = "REQ-DRV-FEAT-0003",
	[VGB_DRV_CMD_FEATURE] = "REQ-DRV-FEAT-0005",
	[VGB_DRV_CMD_LENGTH] = "REQ-DRV-CMD-0001",
	[VGB_DRV_RESP_TOO_SMALL] = "REQ-DRV-CMD-0002",
	[VGB_DRV_HDR_FLAGS] = "REQ-DRV-CMD-0003",
	[VGB_DRV_RING_IDX_FEATURE] = "REQ-DRV-CMD-0004",
	[VGB_DRV_RING_IDX_RANGE] = "REQ-DRV-CMD-0005",
	[VGB_DRV_PADDING] = "REQ-DRV-CMD-0006",
	[VGB_DRV_RES_ID_CREATE] = "REQ-DRV-RES-0001",
	[VGB_DRV_RES_ID_UNKNOWN] = "REQ-DRV-RES-0002",
	[VGB_DRV_CTX_ID_CREATE] = "REQ-DRV-CTX-0001",
	[VGB_DRV_CTX_INIT_FEATURE] = "REQ-DRV-CTX-0002",
	[VGB_DRV_REFCTX_LENGTH] = "REQ-DRV-CTX-0003",
	[VGB_DRV_REFCTX_UNATTACHED] = "REQ-DRV-CTX-0004",
	[VGB_DRV_FENCE_ORDER] = "REQ-DRV-FENCE-0001",
	[VGB_DRV_ENTRY_OUTSIDE] = "REQ-DRV-ENTRY-0001",
	[VGB_DRV_ENTRY_OVERLAP] = "REQ-DRV-ENTRY-0003",
	[VGB_DRV_ENTRY_ZERO] = "REQ-DRV-ENTRY-0004",
	[VGB_DRV_BLOB_MEM] = "REQ-DRV-BLOB-0001",
	[VGB_DRV_BLOB_SIZE_ALIGN] = "REQ-DRV-BLOB-0005",
	[VGB_DRV_BLOB_ID_GUEST] = "REQ-DRV-BLOB-0007",
	[VGB_DRV_BLOB_HOST_ENTRIES] = "REQ-DRV-BLOB-0008",
	[VGB_DRV_BLOB_OBJECT] = "REQ-DRV-BLOB-0009",
	[VGB_DRV_BLOB_FLAGS] = "REQ-DRV-BLOB-0010",
	[VGB_DRV_BLOB_ENTRIES_SHORT] = "REQ-DRV-BLOB-0011",
	[VGB_DRV_BLOB_NO_VIRGL] = "REQ-DRV-BLOB-0012",
	[VGB_DRV_MAPPABLE_NO_REGION] = "REQ-DRV-XFER-0005",
	[VGB_DRV_MAP_NO_REGION] = "REQ-DRV-MAP-0001",
	[VGB_DRV_MAP_TWICE] = "REQ-DRV-MAP-0002",
	[VGB_DRV_MAP_NOT_MAPPABLE] = "REQ-DRV-MAP-0003",
	[VGB_DRV_MAP_OFFSET_ALIGN] = "REQ-DRV-MAP-0004",
	[VGB_DRV_MAP_PAST_END] = "REQ-DRV-MAP-0005",
	[VGB_DRV_MAP_OVERLAP] = "REQ-DRV-MAP-0006",
	[VGB_DRV_UNMAP_UNMAPPED] = "REQ-DRV-MAP-0010",
	[VGB_DRV_DETACH_SCANNED_OUT] = "REQ-DRV-LIFE-0003",
	[VGB_DRV_SCANOUT_BOUNDS] = "REQ-DRV-SCANOUT-0001",
	[VGB_DRV_SCANOUT_STRIDE] = "REQ-DRV-SCANOUT-0002",
	[VGB_DRV_SCANOUT_PLANES] = "REQ-DRV-SCANOUT-0003",
	[VGB_DRV_XFER_BLOB_BOX] = "REQ-DRV-XFER-0004",
	[VGB_DRV_XFER_HOST_2D] = "REQ-DRV-XFER-0009",
};

/*
 * Rejections whose call site names no requirement (VGB_DRV_NONE), keyed by
 * their message (the handler's format string, or the decoder's why): the
 * driver requirement the rejected command breaks.
 */
static const struct {
	const char *msg;
	const char *id;
} msg_ids[] = {
	{"rect %ux%u+%u+%u outside resource %u (%ux%u)", "REQ-DRV-RES-0004"},
	{"scanout rect %ux%u+%u+%u outside resource %u (%ux%u)", "REQ-DRV-RES-0004"},
	{"flush rect %ux%u+%u+%u outside resource %u", "REQ-DRV-RES-0004"},
	{"r: overflows 32 bits", "REQ-DRV-RES-0004"},
	{"box: overflows 32 bits", "REQ-DRV-RES-0004"},
	{"resource %u already has backing", "REQ-DRV-RES-0005"},
	{"resource %u has no backing", "REQ-DRV-RES-0006"},
	{"blob %u has no guest shadow", "REQ-DRV-RES-0006"},
	{"GUEST blob %u has no guest pages", "REQ-DRV-RES-0006"},
	{"GUEST blob %u has no pages", "REQ-DRV-RES-0006"},
	{"refctx: GUEST blob %u has no pages", "REQ-DRV-RES-0006"},
	{"transfer of resource %u at offset %llu stride %llu exceeds its %llu-byte backing",
	 "REQ-DRV-XFER-0010"},
	{"offset %llu beyond blob %u of %llu bytes", "REQ-DRV-XFER-0011"},
	{"2D resource %u: box z/d/level must be 0/1/0", "REQ-DRV-XFER-0012"},
	{"SET_SCANOUT of scanout %u", "REQ-DRV-SCANOUT-0005"},
	{"SET_SCANOUT_BLOB of scanout %u", "REQ-DRV-SCANOUT-0005"},
	{"GET_EDID of scanout %u", "REQ-DRV-SCANOUT-0005"},
	{"%s: scanout %u", "REQ-DRV-SCANOUT-0005"},
	{"cursor on scanout %u", "REQ-DRV-SCANOUT-0005"},
	{"host blob in unknown context %u", "REQ-DRV-CTX-0005"},
	{"CTX_DESTROY of unknown context %u", "REQ-DRV-CTX-0005"},
	{"unknown context %u", "REQ-DRV-CTX-0005"},
	{"%s: unknown context %u", "REQ-DRV-CTX-0005"},
	{"transfer in unknown context %u", "REQ-DRV-CTX-0005"},
	{"SUBMIT_3D in unknown context %u", "REQ-DRV-CTX-0005"},
	{"context_init names capset %u", "REQ-DRV-CTX-0006"},
	{"refctx: range [%llu, +%llu) outside blob %u of %llu bytes", "REQ-DRV-CTX-0007"},
	{"refctx: offset %llu / size %llu not multiples of 4", "REQ-DRV-CTX-0008"},
	{"refctx: resource %u is not a blob", "REQ-DRV-CTX-0009"},
	{"GET_CAPSET_INFO index %u", "REQ-DRV-CMD-0007"},
	{"GET_CAPSET id %u version %u", "REQ-DRV-CMD-0008"},
	{"nr_entries: 0", "REQ-DRV-ENTRY-0006"},
	{"entry: address wraps", "REQ-DRV-ENTRY-0001"},
	/* Only a device accepting the 16384 every device must accept can tell (below). */
	{"nr_entries: above max_entries", "REQ-DRV-LIMIT-0001"},
};

static const char *msg_id(const struct vgb_device *dev, const char *msg)
{
	for (size_t i = 0; msg && i < sizeof(msg_ids) / sizeof(msg_ids[0]); i++) {
		if (strcmp(msg_ids[i].msg, msg))
			continue;
		if (!strcmp(msg_ids[i].id, "REQ-DRV-LIMIT-0001") && dev->cfg.max_entries < 16384)
			return NULL;
		return msg_ids[i].id;
	}
	return NULL;
}

const char *vgb_drv_req_id(enum vgb_drv_req req)
{
	return (unsigned)req < VGB_DRV_COUNT ? req_ids[req] : NULL;
}

static bool listed(const char **ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

size_t vgb_device_checked_requirements(const char **ids, size_t cap)
{
	size_t n = 0;
	for (unsigned i = 0; i < VGB_DRV_COUNT + sizeof(msg_ids) / sizeof(msg_ids[0]); i++) {
		const char *id = i < VGB_DRV_COUNT ? req_ids[i] : msg_ids[i - VGB_DRV_COUNT].id;
		if (!id || listed(ids, n < cap ? n : cap, id))
			continue;
		if (n < cap)
			ids[n] = id;
		n++;
	}
	return n;
}

__attribute__((format(printf, 3, 0)))
static void report(struct vgb_device *dev, enum vgb_drv_req req, const char *fmt, va_list ap)
{
	const char *id = req == VGB_DRV_NONE ? msg_id(dev, fmt) : vgb_drv_req_id(req);
	if (!dev->cfg.validate || !id || !dev->ops.violation)
		return;
	char detail[256];
	vsnprintf(detail, sizeof(detail), fmt, ap);
	dev->ops.violation(dev->ops.opaque, id, detail);
}

void vgb_violation(struct vgb_device *dev, enum vgb_drv_req req, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(dev, req, fmt, ap);
	va_end(ap);
}

uint32_t vgb_reject(struct vgb_device *dev, enum vgb_drv_req req, uint32_t resp, const char *fmt, ...)
{
	va_list ap;
	if (dev->ops.log) {
		char line[256];
		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		vgb_log(dev, "%s -> %s", line, vgb_resp_name(resp));
	}
	va_start(ap, fmt);
	report(dev, req, fmt, ap);
	va_end(ap);
	return resp;
}

/* Decoder failures, keyed by cmd->why (the decoder's static strings). */
static const struct {
	const char *why;
	enum vgb_drv_req req;
} why_reqs[] = {
	{"hdr.flags: unknown bit", VGB_DRV_HDR_FLAGS},
	{"hdr.ring_idx: above 63", VGB_DRV_RING_IDX_RANGE},
	{"type: feature not negotiated", VGB_DRV_CMD_FEATURE},
	{"entry: length 0", VGB_DRV_ENTRY_ZERO},
	{"resource_id: 0", VGB_DRV_RES_ID_CREATE},
	{"ctx_id: 0", VGB_DRV_CTX_ID_CREATE},
	{"context_init: without CONTEXT_INIT", VGB_DRV_CTX_INIT_FEATURE},
	{"blob_id: not 0 for GUEST", VGB_DRV_BLOB_ID_GUEST},
	{"blob_mem: unknown", VGB_DRV_BLOB_MEM},
	{"blob_mem: HOST3D needs VIRGL", VGB_DRV_BLOB_NO_VIRGL},
	{"blob_mem: HOST3D_GUEST needs VIRGL", VGB_DRV_BLOB_NO_VIRGL},
	{"nr_entries: not 0 for HOST3D", VGB_DRV_BLOB_HOST_ENTRIES},
	{"blob_flags: unknown bit", VGB_DRV_BLOB_FLAGS},
	{"size: not a multiple of blob_alignment", VGB_DRV_BLOB_SIZE_ALIGN},
	{"entries: shorter than size", VGB_DRV_BLOB_ENTRIES_SHORT},
	{"strides[0]: below width * bpp", VGB_DRV_SCANOUT_STRIDE},
	{"type: unknown", VGB_DRV_CMD_LENGTH},
	{"length: differs from the command", VGB_DRV_CMD_LENGTH},
	{"entries: length", VGB_DRV_CMD_LENGTH},
	{"size: length differs", VGB_DRV_CMD_LENGTH},
	{"hdr: shorter than 24 bytes", VGB_DRV_CMD_LENGTH},
};

void vgb_validate_decode(struct vgb_device *dev, const struct vgb_cmd *cmd, size_t req_len,
			 uint32_t resp)
{
	if (!dev->cfg.validate || !cmd->why)
		return;
	enum vgb_drv_req req = VGB_DRV_NONE;
	for (size_t i = 0; i < sizeof(why_reqs) / sizeof(why_reqs[0]); i++)
		if (!strcmp(why_reqs[i].why, cmd->why))
			req = why_reqs[i].req;
	const char *id = req != VGB_DRV_NONE ? vgb_drv_req_id(req) : msg_id(dev, cmd->why);
	if (id && dev->ops.violation) {
		char detail[256];
		snprintf(detail, sizeof(detail), "%s (0x%x), %zu bytes: %s", vgb_cmd_name(cmd->type),
			 cmd->type, req_len, cmd->why);
		dev->ops.violation(dev->ops.opaque, id, detail);
	}
}

/*
 * Fences must grow within a timeline: the device's own for plain fences, one
 * per (context, ring) with INFO_RING_IDX.
 */
static void check_fence(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	struct vgb_timeline *tl = &dev->fences;
	if (cmd->flags & VIRTIO_GPU_FLAG_INFO_RING_IDX) {
		struct vgb_context *ctx = vgb_ctx_find(dev, cmd->ctx_id);
		if (!ctx || cmd->ring_idx > VGB_MAX_RING_IDX)
			return; /* reported as what it is elsewhere */
		tl = &ctx->rings[cmd->ring_idx];
	}
	if (tl->seen && cmd->fence_id <= tl->last)
		vgb_violation(dev, VGB_DRV_FENCE_ORDER, "%s: fence_id %llu after %llu (ctx %u ring %u)",
			      vgb_cmd_name(cmd->type), (unsigned long long)cmd->fence_id,
			      (unsigned long long)tl->last, cmd->ctx_id, cmd->ring_idx);
	tl->seen = true;
	tl->last = cmd->fence_id;
}

void vgb_validate_request(struct vgb_device *dev, const struct vgb_cmd *cmd, const void *req)
{
	if (!dev->cfg.validate || !cmd->body_decoded)
		return;
	if (cmd->flags & VIRTIO_GPU_FLAG_FENCE)
		check_fence(dev, cmd);
	if ((cmd->flags & VIRTIO_GPU_FLAG_INFO_RING_IDX) && !has_feature(dev, VIRTIO_GPU_F_CONTEXT_INIT))
		vgb_violation(dev, VGB_DRV_RING_IDX_FEATURE, "%s: INFO_RING_IDX without CONTEXT_INIT",
			      vgb_cmd_name(cmd->type));
	struct virtio_gpu_ctrl_hdr h;
	memcpy(&h, req, sizeof(h));
	if (h.padding[0] || h.padding[1] || h.padding[2])
		vgb_violation(dev, VGB_DRV_PADDING, "%s: header padding %02x %02x %02x",
			      vgb_cmd_name(cmd->type), h.padding[0], h.padding[1], h.padding[2]);
}
