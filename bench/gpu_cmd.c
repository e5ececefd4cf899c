// SPDX-License-Identifier: MIT
#include "gpu_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vgb/wire.h"

#define RESP_CAP 4096

int gpu_open(struct gpu *g, struct vgb_fe *fe, size_t req_cap)
{
	memset(g, 0, sizeof(*g));
	g->fe = fe;
	g->req_cap = (req_cap + 4095) & ~(size_t)4095;
	g->resp_cap = RESP_CAP;
	g->req_gpa = vgb_fe_alloc(fe, g->req_cap);
	g->resp_gpa = vgb_fe_alloc(fe, g->resp_cap);
	if (!g->req_gpa || !g->resp_gpa) {
		snprintf(g->err, sizeof(g->err), "guest RAM exhausted for command buffers");
		return -ENOMEM;
	}
	g->req = vgb_fe_gpa_ptr(fe, g->req_gpa, g->req_cap);
	g->resp = vgb_fe_gpa_ptr(fe, g->resp_gpa, g->resp_cap);
	g->next_fence = 1;
	return g->req && g->resp ? 0 : -EFAULT;
}

void gpu_close(struct gpu *g)
{
	if (g->req_gpa)
		vgb_fe_free(g->fe, g->req_gpa, g->req_cap);
	if (g->resp_gpa)
		vgb_fe_free(g->fe, g->resp_gpa, g->resp_cap);
	g->req_gpa = g->resp_gpa = 0;
}

static struct virtio_gpu_ctrl_hdr *hdr_init(struct gpu *g, size_t len, uint32_t type, uint32_t ctx_id)
{
	memset(g->req, 0, len);
	struct virtio_gpu_ctrl_hdr *h = (struct virtio_gpu_ctrl_hdr *)g->req;
	h->type = vgb_to_le32(type);
	h->ctx_id = vgb_to_le32(ctx_id);
	return h;
}

int gpu_exec(struct gpu *g, size_t req_len, size_t resp_len, uint32_t want)
{
	if (req_len > g->req_cap || resp_len > g->resp_cap)
		return -E2BIG;
	struct virtio_gpu_ctrl_hdr *resp = (struct virtio_gpu_ctrl_hdr *)g->resp;
	resp->type = 0;
	struct vgb_sg out = {g->req_gpa, (uint32_t)req_len}, in = {g->resp_gpa, (uint32_t)resp_len};
	uint32_t used = 0;
	int rc = vgb_fe_submit(g->fe, VGB_CONTROLQ, &out, 1, &in, 1, &used);
	if (rc) {
		snprintf(g->err, sizeof(g->err), "submit failed: %s (%s)", strerror(-rc), vgb_fe_error(g->fe));
		return rc;
	}
	uint32_t type = vgb_le32(resp->type);
	if (used < sizeof(*resp) || type != want) {
		const struct virtio_gpu_ctrl_hdr *req = (const struct virtio_gpu_ctrl_hdr *)g->req;
		snprintf(g->err, sizeof(g->err), "command 0x%x answered 0x%x (used.len %u), expected 0x%x",
			 vgb_le32(req->type), type, used, want);
		return -EIO;
	}
	return 0;
}

static int exec_nodata(struct gpu *g, size_t req_len)
{
	return gpu_exec(g, req_len, sizeof(struct virtio_gpu_ctrl_hdr), VIRTIO_GPU_RESP_OK_NODATA);
}

int gpu_create_2d(struct gpu *g, uint32_t id, uint32_t format, uint32_t width, uint32_t height)
{
	struct virtio_gpu_resource_create_2d *c = (void *)hdr_init(g, sizeof(*c), VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0);
	c->resource_id = vgb_to_le32(id);
	c->format = vgb_to_le32(format);
	c->width = vgb_to_le32(width);
	c->height = vgb_to_le32(height);
	return exec_nodata(g, sizeof(*c));
}

static void fill_entries(struct virtio_gpu_mem_entry *e, const uint64_t *gpas, unsigned n, uint32_t entry_len)
{
	for (unsigned i = 0; i < n; i++) {
		e[i].addr = vgb_to_le64(gpas[i]);
		e[i].length = vgb_to_le32(entry_len);
		e[i].padding = 0;
	}
}

int gpu_attach_backing(struct gpu *g, uint32_t id, const uint64_t *gpas, unsigned n, uint32_t entry_len)
{
	struct virtio_gpu_resource_attach_backing *a;
	size_t len = sizeof(*a) + (size_t)n * sizeof(struct virtio_gpu_mem_entry);
	if (len > g->req_cap)
		return -E2BIG;
	a = (void *)hdr_init(g, len, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0);
	a->resource_id = vgb_to_le32(id);
	a->nr_entries = vgb_to_le32(n);
	fill_entries((struct virtio_gpu_mem_entry *)(a + 1), gpas, n, entry_len);
	return exec_nodata(g, len);
}

int gpu_transfer_2d(struct gpu *g, uint32_t id, uint32_t width, uint32_t height)
{
	struct virtio_gpu_transfer_to_host_2d *t = (void *)hdr_init(g, sizeof(*t), VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0);
	t->r.width = vgb_to_le32(width);
	t->r.height = vgb_to_le32(height);
	t->resource_id = vgb_to_le32(id);
	return exec_nodata(g, sizeof(*t));
}

int gpu_flush(struct gpu *g, uint32_t id, uint32_t width, uint32_t height)
{
	struct virtio_gpu_resource_flush *f = (void *)hdr_init(g, sizeof(*f), VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0);
	f->r.width = vgb_to_le32(width);
	f->r.height = vgb_to_le32(height);
	f->resource_id = vgb_to_le32(id);
	return exec_nodata(g, sizeof(*f));
}

int gpu_set_scanout(struct gpu *g, uint32_t scanout_id, uint32_t id, uint32_t width, uint32_t height)
{
	struct virtio_gpu_set_scanout *c = (void *)hdr_init(g, sizeof(*c), VIRTIO_GPU_CMD_SET_SCANOUT, 0);
	c->r.width = vgb_to_le32(width);
	c->r.height = vgb_to_le32(height);
	c->scanout_id = vgb_to_le32(scanout_id);
	c->resource_id = vgb_to_le32(id);
	return exec_nodata(g, sizeof(*c));
}

int gpu_unref(struct gpu *g, uint32_t id)
{
	struct virtio_gpu_resource_unref *u = (void *)hdr_init(g, sizeof(*u), VIRTIO_GPU_CMD_RESOURCE_UNREF, 0);
	u->resource_id = vgb_to_le32(id);
	return exec_nodata(g, sizeof(*u));
}

int gpu_display_info(struct gpu *g)
{
	hdr_init(g, sizeof(struct virtio_gpu_ctrl_hdr), VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	return gpu_exec(g, sizeof(struct virtio_gpu_ctrl_hdr), sizeof(struct virtio_gpu_resp_display_info),
			VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
}

int gpu_ctx_create(struct gpu *g, uint32_t ctx_id, uint32_t capset_id)
{
	struct virtio_gpu_ctx_create *c = (void *)hdr_init(g, sizeof(*c), VIRTIO_GPU_CMD_CTX_CREATE, ctx_id);
	static const char name[] = "vgb-bench";
	c->nlen = vgb_to_le32(sizeof(name) - 1);
	c->context_init = vgb_to_le32(capset_id);
	memcpy(c->debug_name, name, sizeof(name) - 1);
	return exec_nodata(g, sizeof(*c));
}

int gpu_ctx_destroy(struct gpu *g, uint32_t ctx_id)
{
	hdr_init(g, sizeof(struct virtio_gpu_ctx_destroy), VIRTIO_GPU_CMD_CTX_DESTROY, ctx_id);
	return exec_nodata(g, sizeof(struct virtio_gpu_ctx_destroy));
}

int gpu_ctx_attach(struct gpu *g, uint32_t ctx_id, uint32_t id)
{
	struct virtio_gpu_ctx_resource *a = (void *)hdr_init(g, sizeof(*a), VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, ctx_id);
	a->resource_id = vgb_to_le32(id);
	return exec_nodata(g, sizeof(*a));
}

int gpu_submit_3d(struct gpu *g, uint32_t ctx_id, const void *stream, uint32_t len, bool fenced)
{
	struct virtio_gpu_cmd_submit *s;
	size_t req_len = sizeof(*s) + len;
	if (req_len > g->req_cap)
		return -E2BIG;
	s = (void *)hdr_init(g, sizeof(*s), VIRTIO_GPU_CMD_SUBMIT_3D, ctx_id);
	s->size = vgb_to_le32(len);
	memcpy(s + 1, stream, len);
	uint64_t fence = 0;
	if (fenced) {
		fence = g->next_fence++;
		s->hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
		s->hdr.fence_id = vgb_to_le64(fence);
	}
	int rc = exec_nodata(g, req_len);
	if (rc || !fenced)
		return rc;
	const struct virtio_gpu_ctrl_hdr *r = (const struct virtio_gpu_ctrl_hdr *)g->resp;
	if (!(vgb_le32(r->flags) & VIRTIO_GPU_FLAG_FENCE) || vgb_le64(r->fence_id) != fence) {
		snprintf(g->err, sizeof(g->err), "fence %llu not echoed (flags 0x%x, fence_id %llu)",
			 (unsigned long long)fence, vgb_le32(r->flags), (unsigned long long)vgb_le64(r->fence_id));
		return -EIO;
	}
	return 0;
}

int gpu_create_blob(struct gpu *g, uint32_t ctx_id, uint32_t id, uint32_t blob_mem, uint32_t flags,
		    uint64_t blob_id, uint64_t size, const uint64_t *gpas, unsigned n, uint32_t entry_len)
{
	struct virtio_gpu_resource_create_blob *c;
	size_t len = sizeof(*c) + (size_t)n * sizeof(struct virtio_gpu_mem_entry);
	if (len > g->req_cap)
		return -E2BIG;
	c = (void *)hdr_init(g, len, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, ctx_id);
	c->resource_id = vgb_to_le32(id);
	c->blob_mem = vgb_to_le32(blob_mem);
	c->blob_flags = vgb_to_le32(flags);
	c->nr_entries = vgb_to_le32(n);
	c->blob_id = vgb_to_le64(blob_id);
	c->size = vgb_to_le64(size);
	fill_entries((struct virtio_gpu_mem_entry *)(c + 1), gpas, n, entry_len);
	return exec_nodata(g, len);
}

int gpu_map_blob(struct gpu *g, uint32_t id, uint64_t offset, uint32_t *map_info)
{
	struct virtio_gpu_resource_map_blob *m = (void *)hdr_init(g, sizeof(*m), VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0);
	m->resource_id = vgb_to_le32(id);
	m->offset = vgb_to_le64(offset);
	int rc = gpu_exec(g, sizeof(*m), sizeof(struct virtio_gpu_resp_map_info), VIRTIO_GPU_RESP_OK_MAP_INFO);
	if (!rc && map_info)
		*map_info = vgb_le32(((const struct virtio_gpu_resp_map_info *)g->resp)->map_info);
	return rc;
}

int gpu_unmap_blob(struct gpu *g, uint32_t id)
{
	struct virtio_gpu_resource_unmap_blob *u = (void *)hdr_init(g, sizeof(*u), VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, 0);
	u->resource_id = vgb_to_le32(id);
	return exec_nodata(g, sizeof(*u));
}

int gpu_transfer_3d_bytes(struct gpu *g, uint32_t ctx_id, uint32_t id, uint64_t offset, uint32_t len)
{
	struct virtio_gpu_transfer_host_3d *t = (void *)hdr_init(g, sizeof(*t), VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, ctx_id);
	t->box.w = vgb_to_le32(len);
	t->box.h = vgb_to_le32(1);
	t->box.d = vgb_to_le32(1);
	t->offset = vgb_to_le64(offset);
	t->resource_id = vgb_to_le32(id);
	return exec_nodata(g, sizeof(*t));
}
