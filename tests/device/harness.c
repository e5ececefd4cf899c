/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int t_failures;

static const uint64_t region_gpa[2] = {0x100000ull, T_REGION1_GPA};

static void on_update(void *opaque, uint32_t scanout, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		      const void *pixels, uint32_t stride)
{
	struct t *t = opaque;
	t->nupdates++;
	t->upd.scanout = scanout;
	t->upd.x = x;
	t->upd.y = y;
	t->upd.w = w;
	t->upd.h = h;
	free(t->upd_px);
	t->upd_px = malloc((size_t)w * h * 4 + 1);
	for (uint32_t r = 0; r < h; r++)
		memcpy(t->upd_px + (size_t)r * w * 4, (const uint8_t *)pixels + (size_t)r * stride,
		       (size_t)w * 4);
}

static void on_scanout(void *opaque, uint32_t scanout, uint32_t w, uint32_t h)
{
	struct t *t = opaque;
	t->nscanout++;
	t->scanout_w[scanout] = w;
	t->scanout_h[scanout] = h;
}

static void on_cursor(void *opaque, uint32_t scanout, uint32_t x, uint32_t y, bool visible,
		      uint32_t hot_x, uint32_t hot_y, const void *argb)
{
	struct t *t = opaque;
	t->ncursor++;
	t->cur.scanout = scanout;
	t->cur.x = x;
	t->cur.y = y;
	t->cur.visible = visible;
	t->cur.hot_x = hot_x;
	t->cur.hot_y = hot_y;
	t->cur.image = argb != NULL;
	if (argb)
		memcpy(&t->cur.px0, argb, 4);
}

static void on_violation(void *opaque, const char *req_id, const char *detail)
{
	struct t *t = opaque;
	if (getenv("VGB_TEST_VERBOSE"))
		fprintf(stderr, "violation %s: %s\n", req_id, detail);
	if (t->nviolations < 64)
		snprintf(t->violations[t->nviolations], sizeof(t->violations[0]), "%s", req_id);
	t->nviolations++;
}

static void on_warning(void *opaque, const char *req_id, const char *detail)
{
	struct t *t = opaque;
	if (getenv("VGB_TEST_VERBOSE"))
		fprintf(stderr, "warning %s: %s\n", req_id, detail);
	if (t->nwarnings < 64)
		snprintf(t->warnings[t->nwarnings], sizeof(t->warnings[0]), "%s", req_id);
	t->nwarnings++;
}

static void on_log(void *opaque, const char *line)
{
	if (getenv("VGB_TEST_VERBOSE"))
		fprintf(stderr, "log: %s\n", line);
}

static int on_shm_map(void *opaque, int fd, uint64_t fd_offset, uint64_t shm_offset, uint64_t len,
		      bool writable)
{
	struct t *t = opaque;
	if (t->shm_fail) {
		t->shm_fail = false;
		return -1;
	}
	void *p = mmap(t->shm + shm_offset, len, PROT_READ | (writable ? PROT_WRITE : 0),
		       MAP_SHARED | MAP_FIXED, fd, (off_t)fd_offset);
	if (p == MAP_FAILED)
		return -1;
	t->nmaps++;
	return 0;
}

static int on_shm_unmap(void *opaque, uint64_t shm_offset, uint64_t len)
{
	struct t *t = opaque;
	void *p = mmap(t->shm + shm_offset, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	t->nunmaps++;
	return 0;
}

void t_init(struct t *t, const struct vgb_device_config *cfg)
{
	t_init_with(t, cfg, NULL);
}

void t_init_with(struct t *t, const struct vgb_device_config *cfg, const struct vgb_renderer_ops *renderer)
{
	memset(t, 0, sizeof(*t));
	if (cfg)
		t->cfg = *cfg;
	else
		vgb_device_config_defaults(&t->cfg);
	for (int i = 0; i < 2; i++) {
		struct vgb_mem_region *r = &t->mem.regions[i];
		int fd = memfd_create("vgb-test-ram", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, T_REGION_SIZE) < 0)
			abort();
		r->map_base = mmap(NULL, T_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (r->map_base == MAP_FAILED)
			abort();
		r->map_len = T_REGION_SIZE;
		r->host = r->map_base;
		r->fd = fd;
		r->gpa = region_gpa[i];
		r->uva = 0x7f0000000000ull + (uint64_t)i * T_REGION_SIZE;
		r->size = T_REGION_SIZE;
	}
	t->mem.nregions = 2;
	if (t->cfg.region_size) {
		t->shm = mmap(NULL, t->cfg.region_size, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (t->shm == MAP_FAILED)
			abort();
	}
	struct vgb_device_ops ops = {
		.opaque = t,
		.shm_map = on_shm_map,
		.shm_unmap = on_shm_unmap,
		.scanout = on_scanout,
		.update = on_update,
		.cursor = on_cursor,
		.violation = on_violation,
		.log = on_log,
		.warning = on_warning,
		.renderer = renderer,
	};
	t->dev = vgb_device_new(&t->cfg, &ops);
	if (!t->dev) {
		fprintf(stderr, "bad config: %s\n", vgb_device_config_check(&t->cfg));
		abort();
	}
	vgb_device_set_features(t->dev, vgb_device_features(t->dev));
}

void t_fini(struct t *t)
{
	vgb_device_free(t->dev);
	vgb_mem_release(&t->mem);
	if (t->shm)
		munmap(t->shm, t->cfg.region_size);
	free(t->upd_px);
	memset(t, 0, sizeof(*t));
}

int t_done(const char *name)
{
	if (t_failures)
		fprintf(stderr, "%s: %d check(s) failed\n", name, t_failures);
	else
		printf("%s: all checks passed\n", name);
	return t_failures ? 1 : 0;
}

uint64_t t_alloc(struct t *t, int region, uint64_t len)
{
	uint64_t off = t->next[region];
	/* A gap after every allocation keeps neighbours from being adjacent in memory. */
	t->next[region] = (off + len + 64 + 7) & ~7ull;
	if (t->next[region] > T_REGION_SIZE)
		abort();
	return region_gpa[region] + off;
}

void *t_ptr(struct t *t, uint64_t gpa)
{
	return vgb_mem_gpa(&t->mem, gpa, 1);
}

uint32_t t_scatter(struct t *t, uint64_t total, struct vgb_entry *e, uint32_t max, uint32_t seed)
{
	uint32_t n = 0, x = seed * 2654435761u + 1;
	while (total > 0) {
		if (n == max)
			abort();
		x = x * 1103515245u + 12345u;
		uint64_t len = (1 + (x >> 8) % 9000) | 1; /* odd lengths, some across pages */
		if (len > total)
			len = total;
		e[n].addr = t_alloc(t, n & 1, len);
		e[n].length = (uint32_t)len;
		total -= len;
		n++;
	}
	return n;
}

void t_backing_write(struct t *t, const struct vgb_entry *e, uint32_t n, uint64_t off,
		     const void *src, uint64_t len)
{
	const uint8_t *p = src;
	for (uint32_t i = 0; i < n && len; i++) {
		if (off >= e[i].length) {
			off -= e[i].length;
			continue;
		}
		uint64_t c = e[i].length - off < len ? e[i].length - off : len;
		memcpy((uint8_t *)t_ptr(t, e[i].addr) + off, p, c);
		p += c;
		len -= c;
		off = 0;
	}
}

uint32_t t_ctrl(struct t *t, const void *req, size_t len)
{
	memset(t->resp, 0xa5, sizeof(t->resp));
	t->resp_len = vgb_device_ctrl(t->dev, &t->mem, req, len, t->resp, sizeof(t->resp));
	if (t->resp_len < sizeof(struct virtio_gpu_ctrl_hdr))
		return 0;
	struct virtio_gpu_ctrl_hdr h;
	memcpy(&h, t->resp, sizeof(h));
	return vgb_le32(h.type);
}

void t_hdr(struct virtio_gpu_ctrl_hdr *h, uint32_t type, uint32_t ctx_id)
{
	memset(h, 0, sizeof(*h));
	h->type = vgb_to_le32(type);
	h->ctx_id = vgb_to_le32(ctx_id);
}

#define LE32 vgb_to_le32
#define LE64 vgb_to_le64

uint32_t t_create_2d(struct t *t, uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_create_2d c;
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0);
	c.resource_id = LE32(id);
	c.format = LE32(format);
	c.width = LE32(w);
	c.height = LE32(h);
	return t_ctrl(t, &c, sizeof(c));
}

static size_t put_entries(uint8_t *buf, size_t at, const struct vgb_entry *e, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct virtio_gpu_mem_entry w = {.addr = LE64(e[i].addr), .length = LE32(e[i].length)};
		memcpy(buf + at, &w, sizeof(w));
		at += sizeof(w);
	}
	return at;
}

uint32_t t_attach(struct t *t, uint32_t id, const struct vgb_entry *e, uint32_t n)
{
	size_t size = sizeof(struct virtio_gpu_resource_attach_backing) + (size_t)n * 16;
	uint8_t *buf = calloc(1, size);
	struct virtio_gpu_resource_attach_backing a;
	t_hdr(&a.hdr, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0);
	a.resource_id = LE32(id);
	a.nr_entries = LE32(n);
	memcpy(buf, &a, sizeof(a));
	put_entries(buf, sizeof(a), e, n);
	uint32_t rc = t_ctrl(t, buf, size);
	free(buf);
	return rc;
}

static uint32_t res_cmd(struct t *t, uint32_t type, uint32_t id, uint32_t ctx)
{
	struct virtio_gpu_resource_unref c = {.resource_id = LE32(id)};
	t_hdr(&c.hdr, type, ctx);
	return t_ctrl(t, &c, sizeof(c));
}

uint32_t t_detach(struct t *t, uint32_t id)
{
	return res_cmd(t, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, id, 0);
}

uint32_t t_unref(struct t *t, uint32_t id)
{
	return res_cmd(t, VIRTIO_GPU_CMD_RESOURCE_UNREF, id, 0);
}

uint32_t t_unmap(struct t *t, uint32_t id)
{
	return res_cmd(t, VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, id, 0);
}

uint32_t t_ctx_attach(struct t *t, uint32_t ctx, uint32_t id)
{
	return res_cmd(t, VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, id, ctx);
}

static void put_rect(struct virtio_gpu_rect *r, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	r->x = LE32(x);
	r->y = LE32(y);
	r->width = LE32(w);
	r->height = LE32(h);
}

uint32_t t_transfer_2d(struct t *t, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		       uint64_t offset)
{
	struct virtio_gpu_transfer_to_host_2d c = {.offset = LE64(offset), .resource_id = LE32(id)};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0);
	put_rect(&c.r, x, y, w, h);
	return t_ctrl(t, &c, sizeof(c));
}

uint32_t t_transfer_3d(struct t *t, bool to_host, uint32_t ctx, uint32_t id, uint64_t offset,
		       uint32_t w, uint32_t h, uint32_t d)
{
	return t_transfer_3d_view(t, to_host, ctx, id, offset, w, h, d, 0, 0);
}

uint32_t t_transfer_3d_view(struct t *t, bool to_host, uint32_t ctx, uint32_t id, uint64_t offset,
			    uint32_t w, uint32_t h, uint32_t d, uint32_t stride, uint32_t layer_stride)
{
	struct virtio_gpu_transfer_host_3d c = {.offset = LE64(offset), .resource_id = LE32(id),
						.stride = LE32(stride), .layer_stride = LE32(layer_stride)};
	t_hdr(&c.hdr, to_host ? VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D : VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D,
	      ctx);
	c.box.w = LE32(w);
	c.box.h = LE32(h);
	c.box.d = LE32(d);
	return t_ctrl(t, &c, sizeof(c));
}

uint32_t t_set_scanout(struct t *t, uint32_t scanout, uint32_t id, uint32_t x, uint32_t y,
		       uint32_t w, uint32_t h)
{
	struct virtio_gpu_set_scanout c = {.scanout_id = LE32(scanout), .resource_id = LE32(id)};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_SET_SCANOUT, 0);
	put_rect(&c.r, x, y, w, h);
	return t_ctrl(t, &c, sizeof(c));
}

uint32_t t_scanout_blob(struct t *t, uint32_t scanout, uint32_t id, uint32_t w, uint32_t h,
			uint32_t stride, uint32_t offset)
{
	struct virtio_gpu_set_scanout_blob c;
	memset(&c, 0, sizeof(c));
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, 0);
	put_rect(&c.r, 0, 0, w, h);
	c.scanout_id = LE32(scanout);
	c.resource_id = LE32(id);
	c.width = LE32(w);
	c.height = LE32(h);
	c.format = LE32(FMT_BGRA);
	c.strides[0] = LE32(stride);
	c.offsets[0] = LE32(offset);
	return t_ctrl(t, &c, sizeof(c));
}

uint32_t t_flush(struct t *t, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_flush c = {.resource_id = LE32(id)};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0);
	put_rect(&c.r, x, y, w, h);
	return t_ctrl(t, &c, sizeof(c));
}

uint32_t t_create_blob(struct t *t, uint32_t id, uint32_t ctx, uint32_t blob_mem, uint32_t flags,
		       uint64_t blob_id, uint64_t size, const struct vgb_entry *e, uint32_t n)
{
	size_t len = sizeof(struct virtio_gpu_resource_create_blob) + (size_t)n * 16;
	uint8_t *buf = calloc(1, len);
	struct virtio_gpu_resource_create_blob c = {
		.resource_id = LE32(id),
		.blob_mem = LE32(blob_mem),
		.blob_flags = LE32(flags),
		.nr_entries = LE32(n),
		.blob_id = LE64(blob_id),
		.size = LE64(size),
	};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, ctx);
	memcpy(buf, &c, sizeof(c));
	put_entries(buf, sizeof(c), e, n);
	uint32_t rc = t_ctrl(t, buf, len);
	free(buf);
	return rc;
}

uint32_t t_map(struct t *t, uint32_t id, uint64_t offset)
{
	struct virtio_gpu_resource_map_blob c = {.resource_id = LE32(id), .offset = LE64(offset)};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0);
	return t_ctrl(t, &c, sizeof(c));
}

uint32_t t_ctx_create(struct t *t, uint32_t ctx, uint32_t context_init)
{
	struct virtio_gpu_ctx_create c;
	memset(&c, 0, sizeof(c));
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_CTX_CREATE, ctx);
	c.nlen = LE32(4);
	c.context_init = LE32(context_init);
	memcpy(c.debug_name, "test", 4);
	return t_ctrl(t, &c, sizeof(c));
}

uint32_t t_ctx_destroy(struct t *t, uint32_t ctx)
{
	struct virtio_gpu_ctx_destroy c;
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_CTX_DESTROY, ctx);
	return t_ctrl(t, &c, sizeof(c));
}

uint32_t t_submit(struct t *t, uint32_t ctx, const void *stream, uint32_t len)
{
	uint8_t *buf = calloc(1, sizeof(struct virtio_gpu_cmd_submit) + len);
	struct virtio_gpu_cmd_submit c = {.size = LE32(len)};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_SUBMIT_3D, ctx);
	memcpy(buf, &c, sizeof(c));
	memcpy(buf + sizeof(c), stream, len);
	uint32_t rc = t_ctrl(t, buf, sizeof(c) + len);
	free(buf);
	return rc;
}

/* Appends one command (its header filled in here); stream commands are only 4-byte aligned. */
static void ts_put(struct t_stream *s, uint32_t op, void *cmd, uint32_t size, const void *tail,
		   uint32_t tail_len)
{
	uint32_t length = size + ((tail_len + 3) & ~3u);
	if (s->len + length > sizeof(s->buf))
		abort();
	struct vgb_refctx_hdr h = {.op = LE32(op), .length = LE32(length)};
	memcpy(cmd, &h, sizeof(h));
	memset(s->buf + s->len, 0, length);
	memcpy(s->buf + s->len, cmd, size);
	if (tail_len)
		memcpy(s->buf + s->len + size, tail, tail_len);
	s->len += length;
}

void ts_alloc(struct t_stream *s, uint64_t blob_id, uint64_t size)
{
	struct vgb_refctx_alloc c = {.blob_id = LE64(blob_id), .size = LE64(size)};
	ts_put(s, VGB_REFCTX_ALLOC, &c, sizeof(c), NULL, 0);
}

void ts_free(struct t_stream *s, uint64_t blob_id)
{
	struct vgb_refctx_free c = {.blob_id = LE64(blob_id)};
	ts_put(s, VGB_REFCTX_FREE, &c, sizeof(c), NULL, 0);
}

void ts_fill(struct t_stream *s, uint32_t id, uint32_t value, uint64_t off, uint64_t size)
{
	struct vgb_refctx_fill c = {.resource_id = LE32(id), .value = LE32(value),
				    .offset = LE64(off), .size = LE64(size)};
	ts_put(s, VGB_REFCTX_FILL, &c, sizeof(c), NULL, 0);
}

void ts_write(struct t_stream *s, uint32_t id, uint64_t off, const void *data, uint32_t size)
{
	struct vgb_refctx_write c = {.resource_id = LE32(id), .size = LE32(size), .offset = LE64(off)};
	ts_put(s, VGB_REFCTX_WRITE, &c, sizeof(c), data, size);
}

void ts_copy(struct t_stream *s, uint32_t src, uint64_t soff, uint32_t dst, uint64_t doff,
	     uint64_t size)
{
	struct vgb_refctx_copy c = {.src_resource_id = LE32(src), .dst_resource_id = LE32(dst),
				    .src_offset = LE64(soff), .dst_offset = LE64(doff),
				    .size = LE64(size)};
	ts_put(s, VGB_REFCTX_COPY, &c, sizeof(c), NULL, 0);
}

void ts_checksum(struct t_stream *s, uint32_t id, uint64_t off, uint64_t size, uint32_t dst,
		 uint64_t doff)
{
	struct vgb_refctx_checksum c = {.resource_id = LE32(id), .dst_resource_id = LE32(dst),
					.offset = LE64(off), .size = LE64(size),
					.dst_offset = LE64(doff)};
	ts_put(s, VGB_REFCTX_CHECKSUM, &c, sizeof(c), NULL, 0);
}

void ts_pattern(struct t_stream *s, uint32_t id, uint32_t seed, uint64_t off, uint64_t size)
{
	struct vgb_refctx_pattern c = {.resource_id = LE32(id), .seed = LE32(seed),
				       .offset = LE64(off), .size = LE64(size)};
	ts_put(s, VGB_REFCTX_PATTERN, &c, sizeof(c), NULL, 0);
}

uint32_t t_host_blob(struct t *t, uint32_t ctx, uint32_t id, uint64_t blob_id, uint64_t size,
		     uint32_t flags)
{
	struct t_stream s = {.len = 0};
	ts_alloc(&s, blob_id, size);
	uint32_t rc = t_submit(t, ctx, s.buf, s.len);
	if (rc != OK)
		return rc;
	rc = t_create_blob(t, id, ctx, VIRTIO_GPU_BLOB_MEM_HOST3D, flags, blob_id, size, NULL, 0);
	if (rc != OK)
		return rc;
	return t_ctx_attach(t, ctx, id);
}

unsigned t_violated(struct t *t, const char *req_id)
{
	unsigned n = 0;
	for (unsigned i = 0; i < t->nviolations && i < 64; i++)
		n += strcmp(t->violations[i], req_id) == 0;
	return n;
}

unsigned t_warned(struct t *t, const char *req_id)
{
	unsigned n = 0;
	for (unsigned i = 0; i < t->nwarnings && i < 64; i++)
		n += strcmp(t->warnings[i], req_id) == 0;
	return n;
}

void t_clear_violations(struct t *t)
{
	t->nviolations = 0;
	t->nwarnings = 0;
}
