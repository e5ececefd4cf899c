/* SPDX-License-Identifier: MIT */
/* Raw virtio-gpu commands carried through guest memory and the control queue. */
#include "gpu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "inject.h"
#include "reqs.h"

#define PAGE 4096u

const char *vc_resp_name(uint32_t type)
{
	switch (type) {
	case 0: return "no response";
	case VIRTIO_GPU_RESP_OK_NODATA: return "OK_NODATA";
	case VIRTIO_GPU_RESP_OK_DISPLAY_INFO: return "OK_DISPLAY_INFO";
	case VIRTIO_GPU_RESP_OK_CAPSET_INFO: return "OK_CAPSET_INFO";
	case VIRTIO_GPU_RESP_OK_CAPSET: return "OK_CAPSET";
	case VIRTIO_GPU_RESP_OK_EDID: return "OK_EDID";
	case VIRTIO_GPU_RESP_OK_RESOURCE_UUID: return "OK_RESOURCE_UUID";
	case VIRTIO_GPU_RESP_OK_MAP_INFO: return "OK_MAP_INFO";
	case VIRTIO_GPU_RESP_ERR_UNSPEC: return "ERR_UNSPEC";
	case VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY: return "ERR_OUT_OF_MEMORY";
	case VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID: return "ERR_INVALID_SCANOUT_ID";
	case VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID: return "ERR_INVALID_RESOURCE_ID";
	case VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID: return "ERR_INVALID_CONTEXT_ID";
	case VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER: return "ERR_INVALID_PARAMETER";
	default: return "unknown response";
	}
}

const char *vc_cmd_name(uint32_t type)
{
	switch (type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO: return "GET_DISPLAY_INFO";
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: return "RESOURCE_CREATE_2D";
	case VIRTIO_GPU_CMD_RESOURCE_UNREF: return "RESOURCE_UNREF";
	case VIRTIO_GPU_CMD_SET_SCANOUT: return "SET_SCANOUT";
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH: return "RESOURCE_FLUSH";
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D: return "TRANSFER_TO_HOST_2D";
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: return "RESOURCE_ATTACH_BACKING";
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING: return "RESOURCE_DETACH_BACKING";
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO: return "GET_CAPSET_INFO";
	case VIRTIO_GPU_CMD_GET_CAPSET: return "GET_CAPSET";
	case VIRTIO_GPU_CMD_GET_EDID: return "GET_EDID";
	case VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID: return "RESOURCE_ASSIGN_UUID";
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB: return "RESOURCE_CREATE_BLOB";
	case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB: return "SET_SCANOUT_BLOB";
	case VIRTIO_GPU_CMD_CTX_CREATE: return "CTX_CREATE";
	case VIRTIO_GPU_CMD_CTX_DESTROY: return "CTX_DESTROY";
	case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE: return "CTX_ATTACH_RESOURCE";
	case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE: return "CTX_DETACH_RESOURCE";
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D: return "RESOURCE_CREATE_3D";
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D: return "TRANSFER_TO_HOST_3D";
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D: return "TRANSFER_FROM_HOST_3D";
	case VIRTIO_GPU_CMD_SUBMIT_3D: return "SUBMIT_3D";
	case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB: return "RESOURCE_MAP_BLOB";
	case VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB: return "RESOURCE_UNMAP_BLOB";
	case VIRTIO_GPU_CMD_UPDATE_CURSOR: return "UPDATE_CURSOR";
	case VIRTIO_GPU_CMD_MOVE_CURSOR: return "MOVE_CURSOR";
	default: return "unknown command";
	}
}

void vc_hdr(struct virtio_gpu_ctrl_hdr *h, uint32_t type)
{
	memset(h, 0, sizeof(*h));
	h->type = vgb_to_le32(type);
}

static uint64_t round_page(uint64_t n)
{
	return (n + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

uint64_t vc_alloc(struct vc *t, uint64_t size)
{
	uint64_t gpa = vgb_fe_alloc(t->fe, round_page(size ? size : 1));
	if (!gpa)
		vc_error(t, "guest RAM exhausted allocating %llu bytes", (unsigned long long)size);
	return gpa;
}

void *vc_ptr(struct vc *t, uint64_t gpa, uint64_t len)
{
	return vgb_fe_gpa_ptr(t->fe, gpa, len);
}

static uint32_t transport_failed(struct vc *t, int rc, const void *req, size_t req_len)
{
	uint32_t type = 0;
	if (req_len >= 4)
		memcpy(&type, req, 4);
	vc_fail(t, R_ERR_SERVES, "no answer to %s (%s): %s", vc_cmd_name(vgb_le32(type)),
		rc == -ETIMEDOUT ? "timed out" : rc == -EPIPE ? "backend gone" : "ring broken",
		vgb_fe_error(t->fe));
	return 0;
}

static uint32_t submit(struct vc *t, unsigned queue, const void *req, size_t req_len,
		       const uint32_t *chunks, unsigned nchunks, uint32_t resp_cap,
		       struct vc_resp *r)
{
	memset(r, 0, offsetof(struct vc_resp, u) + sizeof(r->u.hdr));
	if (resp_cap > VC_RESP_MAX)
		resp_cap = VC_RESP_MAX;
	uint64_t req_gpa = req_len ? vc_alloc(t, req_len) : 0;
	uint64_t resp_gpa = resp_cap ? vc_alloc(t, resp_cap) : 0;
	if ((req_len && !req_gpa) || (resp_cap && !resp_gpa))
		return 0;
	if (req_len)
		memcpy(vc_ptr(t, req_gpa, req_len), req, req_len);
	if (resp_cap)
		memset(vc_ptr(t, resp_gpa, resp_cap), 0, resp_cap);

	struct vgb_sg out[16];
	unsigned nout = 0;
	if (nchunks) {
		uint64_t off = 0;
		for (unsigned i = 0; i < nchunks && i < 16; i++) {
			out[nout++] = (struct vgb_sg){ req_gpa + off, chunks[i] };
			off += chunks[i];
		}
	} else if (req_len) {
		out[nout++] = (struct vgb_sg){ req_gpa, (uint32_t)req_len };
	}
	struct vgb_sg in = { resp_gpa, resp_cap };
	uint32_t used = 0;
	int rc = vgb_fe_submit(t->fe, queue, out, nout, &in, resp_cap ? 1 : 0, &used);
	if (rc < 0) {
		vgb_fe_free(t->fe, req_gpa, round_page(req_len));
		if (resp_cap)
			vgb_fe_free(t->fe, resp_gpa, round_page(resp_cap));
		return transport_failed(t, rc, req, req_len);
	}
	r->len = used;
	if (resp_cap) {
		memcpy(r->u.bytes, vc_ptr(t, resp_gpa, resp_cap), resp_cap);
		vgb_fe_free(t->fe, resp_gpa, round_page(resp_cap));
	}
	if (req_len)
		vgb_fe_free(t->fe, req_gpa, round_page(req_len));
	vc_inject_apply(t->target ? t->target->inject : NULL, req, req_len, r->u.bytes, &r->len);
	r->type = r->len >= sizeof(struct virtio_gpu_ctrl_hdr) ? vgb_le32(r->u.hdr.type) : 0;
	return r->type;
}

uint32_t vc_cmd_cap(struct vc *t, const void *req, size_t req_len, uint32_t resp_cap,
		    struct vc_resp *r)
{
	return submit(t, VGB_CONTROLQ, req, req_len, NULL, 0, resp_cap, r);
}

uint32_t vc_cmd(struct vc *t, const void *req, size_t req_len, struct vc_resp *r)
{
	return submit(t, VGB_CONTROLQ, req, req_len, NULL, 0, VC_RESP_MAX, r);
}

uint32_t vc_cmd_split(struct vc *t, const void *req, size_t req_len, const uint32_t *chunks,
		      unsigned nchunks, struct vc_resp *r)
{
	return submit(t, VGB_CONTROLQ, req, req_len, chunks, nchunks, VC_RESP_MAX, r);
}

int vc_cursor_cmd(struct vc *t, const void *req, size_t req_len)
{
	struct vc_resp r;
	submit(t, VGB_CURSORQ, req, req_len, NULL, 0, 0, &r);
	return vc_failed(t) ? -1 : 0;
}

bool vc_expect(struct vc *t, uint32_t got, uint32_t want, const char *req_id, const char *what)
{
	if (got == want)
		return true;
	if (vc_failed(t))
		return false; /* a transport failure was recorded already */
	vc_fail(t, req_id, "%s: expected %s, device answered %s (0x%x)", what, vc_resp_name(want),
		vc_resp_name(got), got);
	return false;
}

bool vc_still_serves(struct vc *t, const char *after)
{
	if (vc_failed(t))
		return false;
	struct virtio_gpu_resp_display_info info;
	uint32_t got = vc_get_display_info(t, &info);
	if (got == VIRTIO_GPU_RESP_OK_DISPLAY_INFO)
		return true;
	if (!vc_failed(t))
		vc_fail(t, R_ERR_SERVES, "after %s, GET_DISPLAY_INFO answered %s", after,
			vc_resp_name(got));
	return false;
}

uint32_t vc_get_display_info(struct vc *t, struct virtio_gpu_resp_display_info *out)
{
	struct virtio_gpu_ctrl_hdr h;
	struct vc_resp r;
	vc_hdr(&h, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	uint32_t got = vc_cmd(t, &h, sizeof(h), &r);
	if (out)
		memcpy(out, r.u.bytes, sizeof(*out));
	if (got == VIRTIO_GPU_RESP_OK_DISPLAY_INFO && r.len < sizeof(*out))
		return 0; /* truncated */
	return got;
}

uint32_t vc_create_2d(struct vc *t, uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_create_2d c;
	struct vc_resp r;
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
	c.resource_id = vgb_to_le32(id);
	c.format = vgb_to_le32(format);
	c.width = vgb_to_le32(w);
	c.height = vgb_to_le32(h);
	return vc_cmd(t, &c, sizeof(c), &r);
}

/* UNREF, DETACH_BACKING and UNMAP_BLOB: a header, resource_id and padding. */
_Static_assert(sizeof(struct virtio_gpu_resource_detach_backing) ==
		       sizeof(struct virtio_gpu_resource_unref) &&
	       sizeof(struct virtio_gpu_resource_unmap_blob) == sizeof(struct virtio_gpu_resource_unref),
	       "resource-only commands share one layout");

static uint32_t resource_cmd(struct vc *t, uint32_t type, uint32_t id)
{
	struct virtio_gpu_resource_unref c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, type);
	c.resource_id = vgb_to_le32(id);
	return vc_cmd(t, &c, sizeof(c), &r);
}

uint32_t vc_unref(struct vc *t, uint32_t id)
{
	return resource_cmd(t, VIRTIO_GPU_CMD_RESOURCE_UNREF, id);
}

/* Header struct followed by n mem entries, in one buffer. */
static size_t with_entries(uint8_t *buf, size_t cap, const void *head, size_t head_len,
			   const struct vgb_sg *ents, unsigned n)
{
	size_t len = head_len + (size_t)n * sizeof(struct virtio_gpu_mem_entry);
	if (len > cap)
		return 0;
	memcpy(buf, head, head_len);
	for (unsigned i = 0; i < n; i++) {
		struct virtio_gpu_mem_entry e = {
			.addr = vgb_to_le64(ents[i].gpa),
			.length = vgb_to_le32(ents[i].len),
			.padding = 0,
		};
		memcpy(buf + head_len + i * sizeof(e), &e, sizeof(e));
	}
	return len;
}

#define ENTRY_BUF_CAP (64 + 16400 * sizeof(struct virtio_gpu_mem_entry))
static uint8_t entry_buf[ENTRY_BUF_CAP];

/* Send the command struct `head` followed by n mem entries. */
static uint32_t cmd_with_entries(struct vc *t, const void *head, size_t head_len,
				 const struct vgb_sg *ents, unsigned n)
{
	struct vc_resp r;
	size_t len = with_entries(entry_buf, sizeof(entry_buf), head, head_len, ents, n);
	if (!len) {
		vc_error(t, "too many entries (%u) for the harness buffer", n);
		return 0;
	}
	return vc_cmd(t, entry_buf, len, &r);
}

uint32_t vc_attach_backing(struct vc *t, uint32_t id, const struct vgb_sg *ents, unsigned n)
{
	struct virtio_gpu_resource_attach_backing c;
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
	c.resource_id = vgb_to_le32(id);
	c.nr_entries = vgb_to_le32(n);
	return cmd_with_entries(t, &c, sizeof(c), ents, n);
}

uint32_t vc_detach_backing(struct vc *t, uint32_t id)
{
	return resource_cmd(t, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, id);
}

static struct virtio_gpu_rect rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	return (struct virtio_gpu_rect){ vgb_to_le32(x), vgb_to_le32(y), vgb_to_le32(w),
					 vgb_to_le32(h) };
}

uint32_t vc_transfer_2d(struct vc *t, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
			uint64_t offset)
{
	struct virtio_gpu_transfer_to_host_2d c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
	c.r = rect(x, y, w, h);
	c.offset = vgb_to_le64(offset);
	c.resource_id = vgb_to_le32(id);
	return vc_cmd(t, &c, sizeof(c), &r);
}

uint32_t vc_set_scanout(struct vc *t, uint32_t scanout, uint32_t id, uint32_t x, uint32_t y,
			uint32_t w, uint32_t h)
{
	struct virtio_gpu_set_scanout c;
	struct vc_resp r;
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_SET_SCANOUT);
	c.r = rect(x, y, w, h);
	c.scanout_id = vgb_to_le32(scanout);
	c.resource_id = vgb_to_le32(id);
	return vc_cmd(t, &c, sizeof(c), &r);
}

uint32_t vc_flush(struct vc *t, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_flush c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_FLUSH);
	c.r = rect(x, y, w, h);
	c.resource_id = vgb_to_le32(id);
	return vc_cmd(t, &c, sizeof(c), &r);
}

uint32_t vc_create_blob(struct vc *t, uint32_t id, uint32_t ctx_id, uint32_t blob_mem,
			uint32_t flags, uint64_t blob_id, uint64_t size, const struct vgb_sg *ents,
			unsigned n)
{
	struct virtio_gpu_resource_create_blob c;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB);
	c.hdr.ctx_id = vgb_to_le32(ctx_id);
	c.resource_id = vgb_to_le32(id);
	c.blob_mem = vgb_to_le32(blob_mem);
	c.blob_flags = vgb_to_le32(flags);
	c.nr_entries = vgb_to_le32(n);
	c.blob_id = vgb_to_le64(blob_id);
	c.size = vgb_to_le64(size);
	return cmd_with_entries(t, &c, sizeof(c), ents, n);
}

uint32_t vc_map(struct vc *t, uint32_t id, uint64_t offset, uint32_t *map_info)
{
	struct virtio_gpu_resource_map_blob c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB);
	c.resource_id = vgb_to_le32(id);
	c.offset = vgb_to_le64(offset);
	uint32_t got = vc_cmd(t, &c, sizeof(c), &r);
	if (got == VIRTIO_GPU_RESP_OK_MAP_INFO && r.len < sizeof(struct virtio_gpu_resp_map_info)) {
		vc_fail(t, R_MAP_OK, "OK_MAP_INFO with used.len %u < 32", r.len);
		return 0;
	}
	if (map_info) {
		struct virtio_gpu_resp_map_info mi;
		memcpy(&mi, r.u.bytes, sizeof(mi));
		*map_info = vgb_le32(mi.map_info);
	}
	return got;
}

uint32_t vc_unmap(struct vc *t, uint32_t id)
{
	return resource_cmd(t, VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, id);
}

uint32_t vc_ctx_create(struct vc *t, uint32_t ctx_id, uint32_t context_init)
{
	struct virtio_gpu_ctx_create c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_CTX_CREATE);
	c.hdr.ctx_id = vgb_to_le32(ctx_id);
	c.nlen = vgb_to_le32(7);
	memcpy(c.debug_name, "conform", 7);
	c.context_init = vgb_to_le32(context_init);
	return vc_cmd(t, &c, sizeof(c), &r);
}

uint32_t vc_ctx_destroy(struct vc *t, uint32_t ctx_id)
{
	struct virtio_gpu_ctx_destroy c;
	struct vc_resp r;
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_CTX_DESTROY);
	c.hdr.ctx_id = vgb_to_le32(ctx_id);
	return vc_cmd(t, &c, sizeof(c), &r);
}

uint32_t vc_ctx_attach(struct vc *t, uint32_t ctx_id, uint32_t id)
{
	struct virtio_gpu_ctx_resource c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE);
	c.hdr.ctx_id = vgb_to_le32(ctx_id);
	c.resource_id = vgb_to_le32(id);
	return vc_cmd(t, &c, sizeof(c), &r);
}

static uint8_t submit_buf[sizeof(struct virtio_gpu_cmd_submit) + 65536];

uint32_t vc_submit_3d(struct vc *t, uint32_t ctx_id, const void *cmds, uint32_t size)
{
	struct virtio_gpu_cmd_submit c;
	struct vc_resp r;
	if (size > sizeof(submit_buf) - sizeof(c)) {
		vc_error(t, "SUBMIT_3D stream of %u bytes too large for the harness", size);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_SUBMIT_3D);
	c.hdr.ctx_id = vgb_to_le32(ctx_id);
	c.size = vgb_to_le32(size);
	memcpy(submit_buf, &c, sizeof(c));
	memcpy(submit_buf + sizeof(c), cmds, size);
	return vc_cmd(t, submit_buf, sizeof(c) + size, &r);
}

uint32_t vc_transfer_3d(struct vc *t, bool to_host, uint32_t ctx_id, uint32_t id, uint64_t offset,
			uint32_t w, uint32_t h, uint32_t d)
{
	return vc_transfer_3d_view(t, to_host, ctx_id, id, offset, w, h, d, 0, 0);
}

uint32_t vc_transfer_3d_view(struct vc *t, bool to_host, uint32_t ctx_id, uint32_t id, uint64_t offset,
			     uint32_t w, uint32_t h, uint32_t d, uint32_t stride, uint32_t layer_stride)
{
	struct virtio_gpu_transfer_host_3d c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	c.stride = vgb_to_le32(stride);
	c.layer_stride = vgb_to_le32(layer_stride);
	vc_hdr(&c.hdr, to_host ? VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D : VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D);
	c.hdr.ctx_id = vgb_to_le32(ctx_id);
	c.box.w = vgb_to_le32(w);
	c.box.h = vgb_to_le32(h);
	c.box.d = vgb_to_le32(d);
	c.offset = vgb_to_le64(offset);
	c.resource_id = vgb_to_le32(id);
	return vc_cmd(t, &c, sizeof(c), &r);
}

uint32_t vc_set_scanout_blob(struct vc *t, uint32_t scanout, uint32_t id, uint32_t format,
			     uint32_t w, uint32_t h, uint32_t stride, uint32_t offset)
{
	struct virtio_gpu_set_scanout_blob c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB);
	c.r = rect(0, 0, w, h);
	c.scanout_id = vgb_to_le32(scanout);
	c.resource_id = vgb_to_le32(id);
	c.width = vgb_to_le32(w);
	c.height = vgb_to_le32(h);
	c.format = vgb_to_le32(format);
	c.strides[0] = vgb_to_le32(stride);
	c.offsets[0] = vgb_to_le32(offset);
	return vc_cmd(t, &c, sizeof(c), &r);
}

uint8_t *vc_region(struct vc *t, uint64_t *size)
{
	uint64_t sz = 0;
	uint8_t *base = vgb_fe_shm(t->fe, 1, &sz);
	if (size)
		*size = sz;
	return base;
}

uint64_t vc_map_granularity(const struct vc *t)
{
	if ((t->probe->negotiated >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1)
		return t->probe->blob_alignment ? t->probe->blob_alignment : PAGE;
	return PAGE;
}
