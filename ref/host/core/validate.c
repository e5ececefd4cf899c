/* SPDX-License-Identifier: MIT */
/*
 * Validating mode (cfg.validate): every driver action that breaks a driver
 * requirement of the spec is reported through ops->violation with its
 * REQ-DRV-* id.  The ids live in this one table; tests check that each one
 * exists in spec/.
 */
#include "internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgb/names.h"

static const char *const req_ids[VGB_DRV_COUNT] = {
	[VGB_DRV_NONE] = NULL,
	[VGB_DRV_FEAT_CTX_INIT] = "REQ-DRV-FEAT-0001",
	[VGB_DRV_FEAT_BLOB_ALIGN] = "REQ-DRV-FEAT-0002",
	[VGB_DRV_FEAT_UNOFFERED] = "REQ-DRV-FEAT-0003",
	[VGB_DRV_CMD_FEATURE] = "REQ-DRV-FEAT-0040",
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
	[VGB_DRV_BLOB_CROSS_NO_UUID] = "REQ-DRV-BLOB-0040",
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
	[VGB_DRV_XFER_BLOB_BOX] = "REQ-DRV-XFER-0040",
	[VGB_DRV_XFER_HOST_2D] = "REQ-DRV-XFER-0009",
	[VGB_DRV_CFG_WRITE] = "REQ-DRV-CFG-0002",
	[VGB_DRV_FEAT_NO_BLOB_ALIGN] = "REQ-DRV-FEAT-0004",
	[VGB_DRV_BLOB_NOT_MAPPABLE] = "REQ-DRV-BLOB-0002",
	[VGB_DRV_RESET_STALE_ID] = "REQ-DRV-RESET-0002",
	[VGB_DRV_ENTRY_UNALIGNED] = "REQ-DRV-ENTRY-0005",
	[VGB_DRV_BLOB_SIZE_PAGE] = "REQ-DRV-BLOB-0006",
	[VGB_DRV_LIMIT_ENTRIES] = "REQ-DRV-LIMIT-0001",
};

/*
 * Requirements the spec states as SHOULD / SHOULD NOT: not met is reported
 * through ops->warning (a warning, not a violation); dropped when it is NULL.
 */
static const char *const should_ids[] = {
	"REQ-DRV-FEAT-0004",
	"REQ-DRV-ENTRY-0005",
	"REQ-DRV-BLOB-0006",
	"REQ-DRV-LIMIT-0001",
};

static bool is_should(const char *id)
{
	for (size_t i = 0; i < sizeof(should_ids) / sizeof(should_ids[0]); i++)
		if (!strcmp(should_ids[i], id))
			return true;
	return false;
}

/* A violation, or a warning when the requirement is a SHOULD. */
static void emit(struct vgb_device *dev, const char *id, const char *detail)
{
	if (is_should(id)) {
		if (dev->ops.warning)
			dev->ops.warning(dev->ops.opaque, id, detail);
	} else if (dev->ops.violation) {
		dev->ops.violation(dev->ops.opaque, id, detail);
	}
}

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
	if (!dev->cfg.validate || !id)
		return;
	char detail[256];
	vsnprintf(detail, sizeof(detail), fmt, ap);
	emit(dev, id, detail);
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
	{"length: shorter than the command", VGB_DRV_CMD_LENGTH},
	{"entries: shorter than nr_entries", VGB_DRV_CMD_LENGTH},
	{"size: stream shorter than size", VGB_DRV_CMD_LENGTH},
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
	if (id) {
		char detail[256];
		snprintf(detail, sizeof(detail), "%s (0x%x), %zu bytes: %s", vgb_cmd_name(cmd->type),
			 cmd->type, req_len, cmd->why);
		emit(dev, id, detail);
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

/* Padding fields of the command bodies (REQ-DRV-CMD-0006), beyond the header's. */
#define PAD(type, st, field) {type, offsetof(struct st, field), sizeof(((struct st *)0)->field)}
static const struct {
	uint32_t type;
	uint32_t offset, size;
} body_padding[] = {
	PAD(VIRTIO_GPU_CMD_RESOURCE_UNREF, virtio_gpu_resource_unref, padding),
	PAD(VIRTIO_GPU_CMD_RESOURCE_FLUSH, virtio_gpu_resource_flush, padding),
	PAD(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, virtio_gpu_transfer_to_host_2d, padding),
	PAD(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, virtio_gpu_resource_detach_backing, padding),
	PAD(VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, virtio_gpu_resource_create_3d, padding),
	PAD(VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, virtio_gpu_ctx_resource, padding),
	PAD(VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, virtio_gpu_ctx_resource, padding),
	PAD(VIRTIO_GPU_CMD_SUBMIT_3D, virtio_gpu_cmd_submit, padding),
	PAD(VIRTIO_GPU_CMD_GET_CAPSET_INFO, virtio_gpu_get_capset_info, padding),
	PAD(VIRTIO_GPU_CMD_GET_EDID, virtio_gpu_cmd_get_edid, padding),
	PAD(VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, virtio_gpu_set_scanout_blob, padding),
	PAD(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, virtio_gpu_resource_map_blob, padding),
	PAD(VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, virtio_gpu_resource_unmap_blob, padding),
	PAD(VIRTIO_GPU_CMD_UPDATE_CURSOR, virtio_gpu_update_cursor, pos.padding),
	PAD(VIRTIO_GPU_CMD_UPDATE_CURSOR, virtio_gpu_update_cursor, padding),
	PAD(VIRTIO_GPU_CMD_MOVE_CURSOR, virtio_gpu_update_cursor, pos.padding),
	PAD(VIRTIO_GPU_CMD_MOVE_CURSOR, virtio_gpu_update_cursor, padding),
};
#undef PAD

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Entries of ATTACH_BACKING / CREATE_BLOB: padding (MUST), page granularity and count (SHOULD). */
static void check_entries(struct vgb_device *dev, const struct vgb_cmd *cmd, const uint8_t *req,
			  size_t req_len)
{
	uint32_t n;
	size_t first;
	if (cmd->type == VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING) {
		n = cmd->u.attach.nr_entries;
		first = sizeof(struct virtio_gpu_resource_attach_backing);
	} else if (cmd->type == VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB) {
		n = cmd->u.create_blob.nr_entries;
		first = sizeof(struct virtio_gpu_resource_create_blob);
	} else {
		return;
	}
	const char *name = vgb_cmd_name(cmd->type);
	/* The decoder refuses more than max_entries, reported as what it is (msg_ids). */
	if (n > 16384 && n <= dev->cfg.max_entries)
		vgb_violation(dev, VGB_DRV_LIMIT_ENTRIES, "%s: %u entries in one command", name, n);
	/* Only the entries the request really holds (its length may not match n). */
	size_t have = req_len > first ? (req_len - first) / sizeof(struct virtio_gpu_mem_entry) : 0;
	if (n > have)
		n = (uint32_t)have;
	bool pad_reported = false, align_reported = false;
	for (uint32_t i = 0; i < n && !(pad_reported && align_reported); i++) {
		struct virtio_gpu_mem_entry e;
		memcpy(&e, req + first + (size_t)i * sizeof(e), sizeof(e));
		if (!pad_reported && e.padding) {
			vgb_violation(dev, VGB_DRV_PADDING, "%s: entry %u padding not zero", name, i);
			pad_reported = true;
		}
		uint64_t addr = vgb_le64(e.addr);
		uint32_t length = vgb_le32(e.length);
		if (!align_reported && (addr % VGB_PAGE || length % VGB_PAGE)) {
			vgb_violation(dev, VGB_DRV_ENTRY_UNALIGNED,
				      "%s: entry %u at 0x%llx of %u bytes is not whole pages", name, i,
				      (unsigned long long)addr, length);
			align_reported = true;
		}
	}
}

void vgb_validate_request(struct vgb_device *dev, const struct vgb_cmd *cmd, const void *req,
			  size_t req_len)
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
	/* body_decoded: the request is at least as long as its structure. */
	for (size_t i = 0; i < sizeof(body_padding) / sizeof(body_padding[0]); i++)
		if (body_padding[i].type == cmd->type &&
		    !zero((const uint8_t *)req + body_padding[i].offset, body_padding[i].size))
			vgb_violation(dev, VGB_DRV_PADDING, "%s: padding at byte %u not zero",
				      vgb_cmd_name(cmd->type), body_padding[i].offset);
	check_entries(dev, cmd, req, req_len);
	/* The device ignores bytes after the command; a driver sends none. */
	uint64_t want = vgb_cmd_length(req, req_len);
	if (req_len > want)
		vgb_violation(dev, VGB_DRV_CMD_LENGTH, "%s: %zu bytes, the command is %llu",
			      vgb_cmd_name(cmd->type), req_len, (unsigned long long)want);
	if (cmd->type == VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB && cmd->u.create_blob.size % VGB_PAGE)
		vgb_violation(dev, VGB_DRV_BLOB_SIZE_PAGE, "RESOURCE_CREATE_BLOB: size %llu",
			      (unsigned long long)cmd->u.create_blob.size);
	/* Another device finds a cross-device blob by its UUID: no UUIDs, no such blob. */
	if (cmd->type == VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB &&
	    (cmd->u.create_blob.blob_flags & VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE) &&
	    !has_feature(dev, VIRTIO_GPU_F_RESOURCE_UUID))
		vgb_violation(dev, VGB_DRV_BLOB_CROSS_NO_UUID,
			      "RESOURCE_CREATE_BLOB: USE_CROSS_DEVICE without RESOURCE_UUID");
}

/* --- Ids from before a device reset (REQ-DRV-RESET-0002) ------------------- */

void vgb_validate_reset(struct vgb_device *dev)
{
	if (!dev->cfg.validate)
		return;
	/* Ids still stale from an earlier reset stay so: the driver never created them again. */
	uint32_t n = dev->nstale_res + dev->nresources;
	if (n > (1u << 16))
		return; /* bounded bookkeeping: a driver cycling through ids is not followed further */
	uint32_t *ids = n ? realloc(dev->stale_res, (size_t)n * sizeof(*ids)) : dev->stale_res;
	if (n && !ids)
		return; /* bookkeeping only: without memory the check is skipped */
	dev->stale_res = ids;
	for (unsigned b = 0; b < VGB_RES_BUCKETS; b++)
		for (struct vgb_resource *r = dev->buckets[b]; r; r = r->next)
			dev->stale_res[dev->nstale_res++] = r->id;
	for (unsigned i = 0; i < VGB_MAX_CONTEXTS; i++)
		if (dev->ctx[i].live && dev->nstale_ctx < VGB_MAX_CONTEXTS)
			dev->stale_ctx[dev->nstale_ctx++] = dev->ctx[i].id;
}

static bool take(uint32_t *ids, uint32_t *n, uint32_t id, bool remove)
{
	for (uint32_t i = 0; i < *n; i++) {
		if (ids[i] != id)
			continue;
		if (remove)
			ids[i] = ids[--*n];
		return true;
	}
	return false;
}

/*
 * A driver sends RESOURCE_CREATE_* and may name the resource (UNREF after a
 * failure of its own, as Linux does when the region has no room for a blob)
 * before it sees the device refuse the creation.  REQ-DRV-RES-0002 forbids
 * naming a resource only after its UNREF, so those ids are not the driver's
 * fault until it unrefs them.  Bounded: the oldest refusals are forgotten.
 */
void vgb_validate_refused_create(struct vgb_device *dev, uint32_t id)
{
	if (!dev->cfg.validate || !id || take(dev->refused_res, &dev->nrefused_res, id, false))
		return;
	const uint32_t cap = sizeof(dev->refused_res) / sizeof(dev->refused_res[0]);
	if (dev->nrefused_res < cap)
		dev->refused_res[dev->nrefused_res++] = id;
	else
		dev->refused_res[dev->next_refused++ % cap] = id;
}

bool vgb_validate_refused_named(struct vgb_device *dev, uint32_t id, bool unref)
{
	return dev->cfg.validate && take(dev->refused_res, &dev->nrefused_res, id, unref);
}

void vgb_validate_created(struct vgb_device *dev, uint32_t id, bool ctx)
{
	if (ctx) {
		take(dev->stale_ctx, &dev->nstale_ctx, id, true);
		return;
	}
	take(dev->refused_res, &dev->nrefused_res, id, true);
	if (dev->stale_res)
		take(dev->stale_res, &dev->nstale_res, id, true);
}

void vgb_validate_unknown(struct vgb_device *dev, uint32_t id, bool ctx, const char *what)
{
	if (!dev->cfg.validate)
		return;
	bool stale = ctx ? take(dev->stale_ctx, &dev->nstale_ctx, id, false)
			 : dev->stale_res && take(dev->stale_res, &dev->nstale_res, id, false);
	if (stale)
		vgb_violation(dev, VGB_DRV_RESET_STALE_ID, "%s: %s %u was created before the device reset",
			      what, ctx ? "context" : "resource", id);
}

void vgb_validate_free(struct vgb_device *dev)
{
	free(dev->stale_res);
	dev->stale_res = NULL;
	dev->nstale_res = 0;
	dev->nstale_ctx = 0;
}
