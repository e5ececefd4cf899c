/* SPDX-License-Identifier: MIT */
/*
 * Validating decoders.  Every rejection returns the code of the response-code
 * policy (spec error table): malformed framing is ERR_UNSPEC, a bad value is
 * ERR_INVALID_PARAMETER, a zero id on create is ERR_INVALID_RESOURCE_ID /
 * ERR_INVALID_CONTEXT_ID.  Bytes after a command (its structure, entries or
 * stream) are ignored, as every deployed device does.
 */
#include "vgb/decode.h"

#include <stdlib.h>
#include <string.h>

#define ERR_UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC
#define ERR_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ERR_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define ERR_CTX VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID

struct cmd_info {
	uint32_t type;
	uint32_t size;   /* request struct bytes */
	int feature;     /* VIRTIO_GPU_F_* the command needs, -1 for none */
	uint32_t resp;   /* success response bytes */
};

#define NODATA sizeof(struct virtio_gpu_ctrl_hdr)

static const struct cmd_info cmd_table[] = {
	{VIRTIO_GPU_CMD_GET_DISPLAY_INFO, sizeof(struct virtio_gpu_ctrl_hdr), -1,
	 sizeof(struct virtio_gpu_resp_display_info)},
	{VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, sizeof(struct virtio_gpu_resource_create_2d), -1, NODATA},
	{VIRTIO_GPU_CMD_RESOURCE_UNREF, sizeof(struct virtio_gpu_resource_unref), -1, NODATA},
	{VIRTIO_GPU_CMD_SET_SCANOUT, sizeof(struct virtio_gpu_set_scanout), -1, NODATA},
	{VIRTIO_GPU_CMD_RESOURCE_FLUSH, sizeof(struct virtio_gpu_resource_flush), -1, NODATA},
	{VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, sizeof(struct virtio_gpu_transfer_to_host_2d), -1, NODATA},
	{VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, sizeof(struct virtio_gpu_resource_attach_backing), -1,
	 NODATA},
	{VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, sizeof(struct virtio_gpu_resource_detach_backing), -1,
	 NODATA},
	/* 2D commands upstream: gated by num_capsets, not by a feature. */
	{VIRTIO_GPU_CMD_GET_CAPSET_INFO, sizeof(struct virtio_gpu_get_capset_info), -1,
	 sizeof(struct virtio_gpu_resp_capset_info)},
	{VIRTIO_GPU_CMD_GET_CAPSET, sizeof(struct virtio_gpu_get_capset), -1,
	 sizeof(struct virtio_gpu_resp_capset)},
	{VIRTIO_GPU_CMD_GET_EDID, sizeof(struct virtio_gpu_cmd_get_edid), VIRTIO_GPU_F_EDID,
	 sizeof(struct virtio_gpu_resp_edid)},
	{VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID, sizeof(struct virtio_gpu_resource_assign_uuid),
	 VIRTIO_GPU_F_RESOURCE_UUID, sizeof(struct virtio_gpu_resp_resource_uuid)},
	{VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, sizeof(struct virtio_gpu_resource_create_blob),
	 VIRTIO_GPU_F_RESOURCE_BLOB, NODATA},
	{VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, sizeof(struct virtio_gpu_set_scanout_blob),
	 VIRTIO_GPU_F_RESOURCE_BLOB, NODATA},
	{VIRTIO_GPU_CMD_CTX_CREATE, sizeof(struct virtio_gpu_ctx_create), VIRTIO_GPU_F_VIRGL, NODATA},
	{VIRTIO_GPU_CMD_CTX_DESTROY, sizeof(struct virtio_gpu_ctx_destroy), VIRTIO_GPU_F_VIRGL, NODATA},
	{VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, sizeof(struct virtio_gpu_ctx_resource), VIRTIO_GPU_F_VIRGL,
	 NODATA},
	{VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, sizeof(struct virtio_gpu_ctx_resource), VIRTIO_GPU_F_VIRGL,
	 NODATA},
	{VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, sizeof(struct virtio_gpu_resource_create_3d),
	 VIRTIO_GPU_F_VIRGL, NODATA},
	{VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, sizeof(struct virtio_gpu_transfer_host_3d),
	 VIRTIO_GPU_F_VIRGL, NODATA},
	{VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D, sizeof(struct virtio_gpu_transfer_host_3d),
	 VIRTIO_GPU_F_VIRGL, NODATA},
	{VIRTIO_GPU_CMD_SUBMIT_3D, sizeof(struct virtio_gpu_cmd_submit), VIRTIO_GPU_F_VIRGL, NODATA},
	{VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, sizeof(struct virtio_gpu_resource_map_blob),
	 VIRTIO_GPU_F_RESOURCE_BLOB, sizeof(struct virtio_gpu_resp_map_info)},
	{VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, sizeof(struct virtio_gpu_resource_unmap_blob),
	 VIRTIO_GPU_F_RESOURCE_BLOB, NODATA},
	{VIRTIO_GPU_CMD_UPDATE_CURSOR, sizeof(struct virtio_gpu_update_cursor), -1, 0},
	{VIRTIO_GPU_CMD_MOVE_CURSOR, sizeof(struct virtio_gpu_update_cursor), -1, 0},
};

/* Records which check failed (for logs and validating mode) and returns the code. */
static uint32_t fail(struct vgb_cmd *cmd, uint32_t code, const char *why)
{
	cmd->why = why;
	return code;
}

static const struct cmd_info *cmd_lookup(uint32_t type)
{
	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		if (cmd_table[i].type == type)
			return &cmd_table[i];
	return NULL;
}

size_t vgb_cmd_size(uint32_t type)
{
	const struct cmd_info *ci = cmd_lookup(type);
	return ci ? ci->size : 0;
}

int vgb_cmd_feature(uint32_t type)
{
	const struct cmd_info *ci = cmd_lookup(type);
	return ci ? ci->feature : -1;
}

size_t vgb_resp_size(uint32_t type)
{
	const struct cmd_info *ci = cmd_lookup(type);
	return ci ? ci->resp : 0;
}

bool vgb_rect_inside(const struct vgb_rect *r, uint32_t width, uint32_t height)
{
	return r->width <= width && r->x <= width - r->width && r->height <= height &&
	       r->y <= height - r->height;
}

/* x + w and y + h must fit in 32 bits. */
static bool rect_ok(const struct vgb_rect *r)
{
	return r->x <= UINT32_MAX - r->width && r->y <= UINT32_MAX - r->height;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct vgb_entry *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

bool vgb_entries_overlap(const struct vgb_entry *e, uint32_t n, struct vgb_entry *scratch)
{
	memcpy(scratch, e, (size_t)n * sizeof(*e));
	qsort(scratch, n, sizeof(*scratch), entry_cmp);
	for (uint32_t i = 1; i < n; i++)
		if (scratch[i - 1].addr + scratch[i - 1].length > scratch[i].addr)
			return true;
	return false;
}

/* Little-endian field readers over a request copied to an aligned struct. */
#define LE32(x) vgb_le32(x)
#define LE64(x) vgb_le64(x)

static void get_rect(struct vgb_rect *out, const struct virtio_gpu_rect *in)
{
	out->x = LE32(in->x);
	out->y = LE32(in->y);
	out->width = LE32(in->width);
	out->height = LE32(in->height);
}

/*
 * Entries following a fixed struct: the request must hold all n of them
 * (ERR_UNSPEC), n at most max_entries, each entry non-empty and not wrapping.
 */
static uint32_t get_entries(struct vgb_cmd *cmd, const uint8_t *req, size_t req_len, size_t fixed,
			    uint32_t n, const struct vgb_decode_limits *lim, struct vgb_entry *out, uint64_t *total)
{
	if ((uint64_t)req_len < (uint64_t)fixed + (uint64_t)n * sizeof(struct virtio_gpu_mem_entry))
		return fail(cmd, ERR_UNSPEC, "entries: shorter than nr_entries");
	if (n > lim->max_entries)
		return fail(cmd, ERR_UNSPEC, "nr_entries: above max_entries");
	*total = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct virtio_gpu_mem_entry w;
		memcpy(&w, req + fixed + (size_t)i * sizeof(w), sizeof(w));
		out[i].addr = LE64(w.addr);
		out[i].length = LE32(w.length);
		if (out[i].length == 0)
			return fail(cmd, ERR_UNSPEC, "entry: length 0");
		if (out[i].addr + out[i].length < out[i].addr)
			return fail(cmd, ERR_UNSPEC, "entry: address wraps");
		*total += out[i].length; /* n <= 2^32 entries of < 2^32 bytes: no overflow */
	}
	return VGB_DECODE_OK;
}

/*
 * The length a command defines: its structure, plus its entries or its stream.
 * A request shorter than its entries is framing (ERR_UNSPEC, checked before any
 * field); one shorter than its stream is a bad size (ERR_INVALID_PARAMETER).
 */
uint64_t vgb_cmd_length(const void *req, size_t req_len)
{
	struct virtio_gpu_ctrl_hdr h;
	if (req_len < sizeof(h))
		return sizeof(h);
	memcpy(&h, req, sizeof(h));
	uint32_t type = LE32(h.type), count;
	const struct cmd_info *ci = cmd_lookup(type);
	if (!ci || req_len < ci->size)
		return ci ? ci->size : sizeof(h);
	switch (type) {
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		memcpy(&count, (const uint8_t *)req + offsetof(struct virtio_gpu_resource_attach_backing, nr_entries), 4);
		return ci->size + (uint64_t)LE32(count) * sizeof(struct virtio_gpu_mem_entry);
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB:
		memcpy(&count, (const uint8_t *)req + offsetof(struct virtio_gpu_resource_create_blob, nr_entries), 4);
		return ci->size + (uint64_t)LE32(count) * sizeof(struct virtio_gpu_mem_entry);
	case VIRTIO_GPU_CMD_SUBMIT_3D:
		memcpy(&count, (const uint8_t *)req + offsetof(struct virtio_gpu_cmd_submit, size), 4);
		return ci->size + (uint64_t)LE32(count);
	default:
		return ci->size;
	}
}

static bool entries_present(const uint8_t *req, size_t req_len, uint32_t type)
{
	if (type != VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING && type != VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB)
		return true;
	return (uint64_t)req_len >= vgb_cmd_length(req, req_len);
}

static uint32_t decode_hdr(const uint8_t *req, size_t req_len, struct vgb_cmd *cmd)
{
	struct virtio_gpu_ctrl_hdr h;
	memset(cmd, 0, sizeof(*cmd));
	if (req_len < sizeof(h))
		return fail(cmd, ERR_UNSPEC, "hdr: shorter than 24 bytes");
	memcpy(&h, req, sizeof(h));
	cmd->type = LE32(h.type);
	cmd->flags = LE32(h.flags);
	cmd->fence_id = LE64(h.fence_id);
	cmd->ctx_id = LE32(h.ctx_id);
	cmd->ring_idx = h.ring_idx;
	return VGB_DECODE_OK;
}

static uint32_t check_hdr_flags(struct vgb_cmd *cmd)
{
	if (cmd->flags & ~(uint32_t)VGB_CTRL_HDR_FLAGS_KNOWN)
		return fail(cmd, ERR_PARAM, "hdr.flags: unknown bit");
	if ((cmd->flags & VIRTIO_GPU_FLAG_INFO_RING_IDX) && cmd->ring_idx > VGB_MAX_RING_IDX)
		return fail(cmd, ERR_PARAM, "hdr.ring_idx: above 63");
	return VGB_DECODE_OK;
}

static uint32_t decode_create_2d(const uint8_t *req, const struct vgb_decode_limits *lim,
				 struct vgb_cmd *cmd)
{
	struct virtio_gpu_resource_create_2d c;
	memcpy(&c, req, sizeof(c));
	cmd->u.create_2d.resource_id = LE32(c.resource_id);
	cmd->u.create_2d.format = LE32(c.format);
	cmd->u.create_2d.width = LE32(c.width);
	cmd->u.create_2d.height = LE32(c.height);
	if (cmd->u.create_2d.resource_id == 0)
		return fail(cmd, ERR_RES, "resource_id: 0");
	uint32_t bpp = vgb_format_bpp(cmd->u.create_2d.format);
	if (!bpp || !cmd->u.create_2d.width || !cmd->u.create_2d.height)
		return fail(cmd, ERR_PARAM, "format/width/height");
	uint64_t bytes;
	bool wraps = __builtin_mul_overflow((uint64_t)cmd->u.create_2d.width * bpp,
					    (uint64_t)cmd->u.create_2d.height, &bytes);
	if (wraps || (lim->max_blob_size && bytes > lim->max_blob_size))
		return fail(cmd, ERR_PARAM, "size: above max_blob_size");
	return VGB_DECODE_OK;
}

static uint32_t decode_create_blob(const uint8_t *req, size_t req_len,
				   const struct vgb_decode_limits *lim, struct vgb_cmd *cmd,
				   struct vgb_entry *entries)
{
	struct virtio_gpu_resource_create_blob c;
	memcpy(&c, req, sizeof(c));
	__typeof__(cmd->u.create_blob) *b = &cmd->u.create_blob;
	b->resource_id = LE32(c.resource_id);
	b->blob_mem = LE32(c.blob_mem);
	b->blob_flags = LE32(c.blob_flags);
	b->nr_entries = LE32(c.nr_entries);
	b->blob_id = LE64(c.blob_id);
	b->size = LE64(c.size);
	uint32_t rc = get_entries(cmd, req, req_len, sizeof(c), b->nr_entries, lim, entries, &b->total);
	if (b->resource_id == 0)
		return fail(cmd, ERR_RES, "resource_id: 0");
	if (rc != VGB_DECODE_OK)
		return rc;
	bool virgl = lim->features & (1ull << VIRTIO_GPU_F_VIRGL);
	switch (b->blob_mem) {
	case VIRTIO_GPU_BLOB_MEM_GUEST:
		if (b->blob_id != 0)
			return fail(cmd, ERR_PARAM, "blob_id: not 0 for GUEST");
		break;
	case VIRTIO_GPU_BLOB_MEM_HOST3D:
		if (!virgl)
			return fail(cmd, ERR_PARAM, "blob_mem: HOST3D needs VIRGL");
		if (b->nr_entries != 0)
			return fail(cmd, ERR_PARAM, "nr_entries: not 0 for HOST3D");
		break;
	case VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST:
		if (!virgl)
			return fail(cmd, ERR_PARAM, "blob_mem: HOST3D_GUEST needs VIRGL");
		break;
	default:
		return fail(cmd, ERR_PARAM, "blob_mem: unknown");
	}
	if (b->blob_flags & ~(uint32_t)VGB_BLOB_FLAGS_KNOWN)
		return fail(cmd, ERR_PARAM, "blob_flags: unknown bit");
	if (b->size == 0 || (lim->max_blob_size && b->size > lim->max_blob_size))
		return fail(cmd, ERR_PARAM, "size: 0 or above max_blob_size");
	if ((lim->features & (1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT)) && lim->blob_alignment &&
	    b->size % lim->blob_alignment)
		return fail(cmd, ERR_PARAM, "size: not a multiple of blob_alignment");
	/* No entries = backing attached later (ATTACH_BACKING); given ones must cover size. */
	if (b->nr_entries && b->total < b->size)
		return fail(cmd, ERR_PARAM, "entries: shorter than size");
	return VGB_DECODE_OK;
}

static uint32_t decode_scanout_blob(const uint8_t *req, struct vgb_cmd *cmd)
{
	struct virtio_gpu_set_scanout_blob c;
	memcpy(&c, req, sizeof(c));
	__typeof__(cmd->u.scanout_blob) *s = &cmd->u.scanout_blob;
	get_rect(&s->r, &c.r);
	s->scanout_id = LE32(c.scanout_id);
	s->resource_id = LE32(c.resource_id);
	s->width = LE32(c.width);
	s->height = LE32(c.height);
	s->format = LE32(c.format);
	for (int i = 0; i < 4; i++) {
		s->strides[i] = LE32(c.strides[i]);
		s->offsets[i] = LE32(c.offsets[i]);
	}
	if (s->resource_id == 0) /* disables the scanout: nothing else matters */
		return VGB_DECODE_OK;
	uint32_t bpp = vgb_format_bpp(s->format);
	if (!bpp || !s->width || !s->height || !rect_ok(&s->r) || !s->r.width || !s->r.height ||
	    !vgb_rect_inside(&s->r, s->width, s->height))
		return fail(cmd, ERR_PARAM, "format/width/height/r");
	if ((uint64_t)s->strides[0] < (uint64_t)s->width * bpp)
		return fail(cmd, ERR_PARAM, "strides[0]: below width * bpp");
	return VGB_DECODE_OK;
}

static uint32_t decode_ctx_create(const uint8_t *req, const struct vgb_decode_limits *lim,
				  struct vgb_cmd *cmd)
{
	struct virtio_gpu_ctx_create c;
	memcpy(&c, req, sizeof(c));
	__typeof__(cmd->u.ctx_create) *x = &cmd->u.ctx_create;
	x->nlen = LE32(c.nlen);
	x->context_init = LE32(c.context_init);
	x->capset_id = x->context_init & VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK;
	if (cmd->ctx_id == 0)
		return fail(cmd, ERR_CTX, "ctx_id: 0");
	if (x->nlen > sizeof(c.debug_name))
		return fail(cmd, ERR_PARAM, "nlen: above 64");
	memcpy(x->debug_name, c.debug_name, x->nlen);
	x->debug_name[x->nlen] = '\0';
	if (x->context_init & ~(uint32_t)VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK)
		return fail(cmd, ERR_PARAM, "context_init: unknown bit");
	if (x->context_init && !(lim->features & (1ull << VIRTIO_GPU_F_CONTEXT_INIT)))
		return fail(cmd, ERR_PARAM, "context_init: without CONTEXT_INIT");
	return VGB_DECODE_OK;
}

static uint32_t decode_transfer_3d(const uint8_t *req, struct vgb_cmd *cmd)
{
	struct virtio_gpu_transfer_host_3d c;
	memcpy(&c, req, sizeof(c));
	__typeof__(cmd->u.transfer_3d) *t = &cmd->u.transfer_3d;
	t->box.x = LE32(c.box.x);
	t->box.y = LE32(c.box.y);
	t->box.z = LE32(c.box.z);
	t->box.w = LE32(c.box.w);
	t->box.h = LE32(c.box.h);
	t->box.d = LE32(c.box.d);
	t->offset = LE64(c.offset);
	t->resource_id = LE32(c.resource_id);
	t->level = LE32(c.level);
	t->stride = LE32(c.stride);
	t->layer_stride = LE32(c.layer_stride);
	if (t->box.x > UINT32_MAX - t->box.w || t->box.y > UINT32_MAX - t->box.h ||
	    t->box.z > UINT32_MAX - t->box.d)
		return fail(cmd, ERR_PARAM, "box: overflows 32 bits");
	return VGB_DECODE_OK;
}

static uint32_t decode_body(const uint8_t *req, size_t req_len, const struct vgb_decode_limits *lim,
			    struct vgb_cmd *cmd, struct vgb_entry *entries)
{
	switch (cmd->type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
	case VIRTIO_GPU_CMD_CTX_DESTROY:
		return VGB_DECODE_OK;
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
	case VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID:
	case VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB:
	case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE:
	case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE: {
		struct virtio_gpu_resource_unref c; /* every one is hdr + le32 resource_id + pad */
		memcpy(&c, req, sizeof(c));
		cmd->u.res.resource_id = LE32(c.resource_id);
		return VGB_DECODE_OK;
	}
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
		return decode_create_2d(req, lim, cmd);
	case VIRTIO_GPU_CMD_SET_SCANOUT: {
		struct virtio_gpu_set_scanout c;
		memcpy(&c, req, sizeof(c));
		get_rect(&cmd->u.set_scanout.r, &c.r);
		cmd->u.set_scanout.scanout_id = LE32(c.scanout_id);
		cmd->u.set_scanout.resource_id = LE32(c.resource_id);
		return rect_ok(&cmd->u.set_scanout.r) ? VGB_DECODE_OK : fail(cmd, ERR_PARAM, "r: overflows 32 bits");
	}
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH: {
		struct virtio_gpu_resource_flush c;
		memcpy(&c, req, sizeof(c));
		get_rect(&cmd->u.flush.r, &c.r);
		cmd->u.flush.resource_id = LE32(c.resource_id);
		return rect_ok(&cmd->u.flush.r) ? VGB_DECODE_OK : fail(cmd, ERR_PARAM, "r: overflows 32 bits");
	}
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D: {
		struct virtio_gpu_transfer_to_host_2d c;
		memcpy(&c, req, sizeof(c));
		get_rect(&cmd->u.transfer_2d.r, &c.r);
		cmd->u.transfer_2d.offset = LE64(c.offset);
		cmd->u.transfer_2d.resource_id = LE32(c.resource_id);
		return rect_ok(&cmd->u.transfer_2d.r) ? VGB_DECODE_OK : fail(cmd, ERR_PARAM, "r: overflows 32 bits");
	}
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: {
		struct virtio_gpu_resource_attach_backing c;
		memcpy(&c, req, sizeof(c));
		cmd->u.attach.resource_id = LE32(c.resource_id);
		cmd->u.attach.nr_entries = LE32(c.nr_entries);
		if (cmd->u.attach.nr_entries == 0)
			return fail(cmd, ERR_UNSPEC, "nr_entries: 0");
		return get_entries(cmd, req, req_len, sizeof(c), cmd->u.attach.nr_entries, lim, entries,
				   &cmd->u.attach.total);
	}
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO: {
		struct virtio_gpu_get_capset_info c;
		memcpy(&c, req, sizeof(c));
		cmd->u.capset_info.capset_index = LE32(c.capset_index);
		return VGB_DECODE_OK;
	}
	case VIRTIO_GPU_CMD_GET_CAPSET: {
		struct virtio_gpu_get_capset c;
		memcpy(&c, req, sizeof(c));
		cmd->u.capset.capset_id = LE32(c.capset_id);
		cmd->u.capset.capset_version = LE32(c.capset_version);
		return VGB_DECODE_OK;
	}
	case VIRTIO_GPU_CMD_GET_EDID: {
		struct virtio_gpu_cmd_get_edid c;
		memcpy(&c, req, sizeof(c));
		cmd->u.edid.scanout = LE32(c.scanout);
		return VGB_DECODE_OK;
	}
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB:
		return decode_create_blob(req, req_len, lim, cmd, entries);
	case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB:
		return decode_scanout_blob(req, cmd);
	case VIRTIO_GPU_CMD_CTX_CREATE:
		return decode_ctx_create(req, lim, cmd);
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D: {
		struct virtio_gpu_resource_create_3d c;
		memcpy(&c, req, sizeof(c));
		__typeof__(cmd->u.create_3d) *x = &cmd->u.create_3d;
		x->resource_id = LE32(c.resource_id);
		x->target = LE32(c.target);
		x->format = LE32(c.format);
		x->bind = LE32(c.bind);
		x->width = LE32(c.width);
		x->height = LE32(c.height);
		x->depth = LE32(c.depth);
		x->array_size = LE32(c.array_size);
		x->last_level = LE32(c.last_level);
		x->nr_samples = LE32(c.nr_samples);
		x->flags = LE32(c.flags);
		return x->resource_id ? VGB_DECODE_OK : fail(cmd, ERR_RES, "resource_id: 0");
	}
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D:
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D:
		return decode_transfer_3d(req, cmd);
	case VIRTIO_GPU_CMD_SUBMIT_3D: {
		struct virtio_gpu_cmd_submit c;
		memcpy(&c, req, sizeof(c));
		cmd->u.submit.size = LE32(c.size);
		if ((uint64_t)req_len < sizeof(c) + (uint64_t)cmd->u.submit.size)
			return fail(cmd, ERR_PARAM, "size: stream shorter than size");
		cmd->u.submit.data = req + sizeof(c);
		return VGB_DECODE_OK;
	}
	case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB: {
		struct virtio_gpu_resource_map_blob c;
		memcpy(&c, req, sizeof(c));
		cmd->u.map.resource_id = LE32(c.resource_id);
		cmd->u.map.offset = LE64(c.offset);
		return VGB_DECODE_OK;
	}
	default:
		return fail(cmd, ERR_UNSPEC, "type: unknown");
	}
}

uint32_t vgb_decode_ctrl(const void *req, size_t req_len, const struct vgb_decode_limits *lim,
			 struct vgb_cmd *cmd, struct vgb_entry *entries)
{
	uint32_t rc = decode_hdr(req, req_len, cmd);
	if (rc != VGB_DECODE_OK)
		return rc;
	const struct cmd_info *ci = cmd_lookup(cmd->type);
	if (!ci || cmd->type == VIRTIO_GPU_CMD_UPDATE_CURSOR || cmd->type == VIRTIO_GPU_CMD_MOVE_CURSOR)
		return fail(cmd, ERR_UNSPEC, "type: unknown");
	if (ci->feature >= 0 && !(lim->features & (1ull << ci->feature)))
		return fail(cmd, ERR_UNSPEC, "type: feature not negotiated");
	if (req_len < ci->size)
		return fail(cmd, ERR_UNSPEC, "length: shorter than the command");
	if (!entries_present(req, req_len, cmd->type))
		return fail(cmd, ERR_UNSPEC, "entries: shorter than nr_entries");
	rc = check_hdr_flags(cmd);
	if (rc != VGB_DECODE_OK)
		return rc;
	cmd->body_decoded = true;
	return decode_body(req, req_len, lim, cmd, entries);
}

uint32_t vgb_decode_cursor(const void *req, size_t req_len, struct vgb_cmd *cmd)
{
	uint32_t rc = decode_hdr(req, req_len, cmd);
	if (rc != VGB_DECODE_OK)
		return rc;
	if (cmd->type != VIRTIO_GPU_CMD_UPDATE_CURSOR && cmd->type != VIRTIO_GPU_CMD_MOVE_CURSOR)
		return fail(cmd, ERR_UNSPEC, "type: not a cursor command");
	if (req_len < sizeof(struct virtio_gpu_update_cursor))
		return fail(cmd, ERR_UNSPEC, "length: shorter than the command");
	rc = check_hdr_flags(cmd);
	if (rc != VGB_DECODE_OK)
		return rc;
	cmd->body_decoded = true;
	struct virtio_gpu_update_cursor c;
	memcpy(&c, req, sizeof(c));
	cmd->u.cursor.scanout_id = LE32(c.pos.scanout_id);
	cmd->u.cursor.x = LE32(c.pos.x);
	cmd->u.cursor.y = LE32(c.pos.y);
	cmd->u.cursor.resource_id = LE32(c.resource_id);
	cmd->u.cursor.hot_x = LE32(c.hot_x);
	cmd->u.cursor.hot_y = LE32(c.hot_y);
	return VGB_DECODE_OK;
}
