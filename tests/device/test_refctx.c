/* SPDX-License-Identifier: MIT */
/*
 * Contexts, capsets and the reference context's SUBMIT_3D stream: results of
 * every op on host blobs (read through the mapping) and guest blobs (read in
 * the guest pages), and the stream's error rules.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define CTX 9
#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE

static void test_contexts_and_capsets(void)
{
	struct t t;
	t_init(&t, NULL);
	struct virtio_gpu_get_capset_info ci = {.capset_index = 0};
	t_hdr(&ci.hdr, VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0);
	CHECK_RESP(t_ctrl(&t, &ci, sizeof(ci)), VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	struct virtio_gpu_resp_capset_info info;
	memcpy(&info, t.resp, sizeof(info));
	CHECK_EQ(vgb_le32(info.capset_id), VGB_CAPSET_REFCTX);
	CHECK_EQ(vgb_le32(info.capset_max_version), 1);
	CHECK_EQ(vgb_le32(info.capset_max_size), sizeof(struct vgb_refctx_caps));
	ci.capset_index = vgb_to_le32(1);
	CHECK_RESP(t_ctrl(&t, &ci, sizeof(ci)), E_PARAM);

	struct virtio_gpu_get_capset gc = {.capset_id = vgb_to_le32(VGB_CAPSET_REFCTX),
					   .capset_version = vgb_to_le32(1)};
	t_hdr(&gc.hdr, VIRTIO_GPU_CMD_GET_CAPSET, 0);
	CHECK_RESP(t_ctrl(&t, &gc, sizeof(gc)), VIRTIO_GPU_RESP_OK_CAPSET);
	CHECK_EQ(t.resp_len, 24 + sizeof(struct vgb_refctx_caps));
	struct vgb_refctx_caps caps;
	memcpy(&caps, t.resp + 24, sizeof(caps));
	CHECK_EQ(vgb_le32(caps.version), 1);
	CHECK_EQ(vgb_le32(caps.ops), 0xfe);
	CHECK_EQ(vgb_le32(caps.map_cache), t.cfg.map_cache);
	CHECK_EQ(vgb_le32(caps.alignment), 4096);
	CHECK_EQ(vgb_le64(caps.max_object_size), t.cfg.max_blob_size);
	/* Response room for the header only: nothing written. */
	uint8_t small[40];
	CHECK_EQ(vgb_device_ctrl(t.dev, &t.mem, &gc, sizeof(gc), small, sizeof(small)), 0);
	gc.capset_version = vgb_to_le32(2);
	CHECK_RESP(t_ctrl(&t, &gc, sizeof(gc)), E_PARAM);
	gc.capset_version = vgb_to_le32(1);
	gc.capset_id = vgb_to_le32(1);
	CHECK_RESP(t_ctrl(&t, &gc, sizeof(gc)), E_PARAM);

	CHECK_RESP(t_ctx_create(&t, 0, 0), E_CTX);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_VENUS), E_PARAM);
	CHECK_RESP(t_ctx_create(&t, CTX, 0x100 | VGB_CAPSET_REFCTX), E_PARAM);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), E_CTX);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_VENUS), E_CTX);  /* in use ranks first */
	CHECK_RESP(t_ctx_create(&t, CTX + 1, 0), OK);                /* device picks the type */
	CHECK_RESP(t_ctx_destroy(&t, CTX + 1), OK);
	CHECK_RESP(t_ctx_destroy(&t, CTX + 1), E_CTX);
	CHECK_RESP(t_ctx_attach(&t, CTX, 1), E_RES);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 4), OK);
	CHECK_RESP(t_ctx_attach(&t, CTX + 5, 1), E_CTX);
	CHECK_RESP(t_ctx_attach(&t, CTX, 1), OK);
	struct virtio_gpu_ctx_resource d = {.resource_id = vgb_to_le32(1)};
	t_hdr(&d.hdr, VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, CTX);
	CHECK_RESP(t_ctrl(&t, &d, sizeof(d)), OK);
	struct virtio_gpu_ctx_create cc;
	memset(&cc, 0, sizeof(cc));
	t_hdr(&cc.hdr, VIRTIO_GPU_CMD_CTX_CREATE, 20);
	cc.nlen = vgb_to_le32(65);
	CHECK_RESP(t_ctrl(&t, &cc, sizeof(cc)), E_PARAM);
	/* RESOURCE_CREATE_3D: buffers and single-level 2D textures only. */
	struct virtio_gpu_resource_create_3d c3;
	memset(&c3, 0, sizeof(c3));
	t_hdr(&c3.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, CTX);
	c3.resource_id = vgb_to_le32(50);
	CHECK_RESP(t_ctrl(&t, &c3, sizeof(c3)), E_PARAM);            /* width 0 */
	c3.width = vgb_to_le32(4096);
	c3.height = c3.depth = c3.array_size = vgb_to_le32(1);
	c3.target = vgb_to_le32(3);                                 /* a 3D texture */
	CHECK_RESP(t_ctrl(&t, &c3, sizeof(c3)), E_PARAM);
	c3.target = vgb_to_le32(2);
	c3.format = vgb_to_le32(64);                                /* R8: not a 4-byte format */
	CHECK_RESP(t_ctrl(&t, &c3, sizeof(c3)), E_PARAM);
	c3.format = vgb_to_le32(FMT_BGRA);
	c3.last_level = vgb_to_le32(1);
	CHECK_RESP(t_ctrl(&t, &c3, sizeof(c3)), E_PARAM);
	c3.last_level = 0;
	c3.width = c3.height = vgb_to_le32(1u << 31);
	CHECK_RESP(t_ctrl(&t, &c3, sizeof(c3)), E_PARAM);            /* size wraps 64 bits */
	c3.resource_id = vgb_to_le32(1);                            /* in use ranks first */
	CHECK_RESP(t_ctrl(&t, &c3, sizeof(c3)), E_RES);
	c3.resource_id = 0;
	CHECK_RESP(t_ctrl(&t, &c3, sizeof(c3)), E_RES);
	t_fini(&t);

	/* Without CONTEXT_INIT, context_init must be 0. */
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.context_init = false;
	t_init(&t, &cfg);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), E_PARAM);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	t_fini(&t);
}

static uint32_t create_3d(struct t *t, uint32_t id, uint32_t target, uint32_t format, uint32_t w,
			  uint32_t h)
{
	struct virtio_gpu_resource_create_3d c;
	memset(&c, 0, sizeof(c));
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, 0);
	c.resource_id = vgb_to_le32(id);
	c.target = vgb_to_le32(target);
	c.format = vgb_to_le32(format);
	c.width = vgb_to_le32(w);
	c.height = vgb_to_le32(h);
	c.depth = c.array_size = vgb_to_le32(1);
	return t_ctrl(t, &c, sizeof(c));
}

/* What a Linux driver in 3D mode does with a buffer: create, back, transfer out and back in. */
static void test_3d_resources(void)
{
	struct t t;
	t_init(&t, NULL);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	const uint32_t size = 10000;
	struct vgb_entry e[64];
	uint32_t n = t_scatter(&t, size, e, 64, 23);
	uint8_t data[10000], back[10000];
	for (uint32_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 11 + 3);
	t_backing_write(&t, e, n, 0, data, size);
	CHECK_RESP(create_3d(&t, 1, 0, 64, size, 1), OK);          /* PIPE_BUFFER, R8 */
	CHECK_RESP(t_attach(&t, 1, e, n), OK);
	CHECK_RESP(t_ctx_attach(&t, CTX, 1), OK);
	CHECK_RESP(t_transfer_3d(&t, true, CTX, 1, 0, size, 1, 1), OK);
	memset(back, 0, size);
	t_backing_write(&t, e, n, 0, back, size);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 1, 0, size, 1, 1), OK);
	uint64_t pos = 0;
	for (uint32_t i = 0; i < n; i++) {
		memcpy(back + pos, t_ptr(&t, e[i].addr), e[i].length);
		pos += e[i].length;
	}
	CHECK(memcmp(back, data, size) == 0);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 1, 0, size + 1, 1, 1), E_PARAM);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 1, 0, size, 2, 1), E_PARAM);
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, 16, 1), E_PARAM);  /* a buffer is not an image */
	CHECK_RESP(create_3d(&t, 2, 0, 64, size, 2), E_PARAM);      /* buffers are one row */

	/* A 2D texture behaves like a 2D resource: a transfer, then a scanout shows it. */
	CHECK_RESP(create_3d(&t, 3, 2, FMT_BGRA, 25, 100), OK);
	CHECK_RESP(t_attach(&t, 3, e, n), OK);
	CHECK_RESP(t_transfer_3d(&t, true, CTX, 3, 0, 25, 100, 1), OK);
	CHECK_RESP(t_set_scanout(&t, 0, 3, 0, 0, 25, 100), OK);
	CHECK_RESP(t_flush(&t, 3, 0, 0, 25, 100), OK);
	CHECK(memcmp(t.upd_px, data, size) == 0);
	t_fini(&t);
}

/* Every op on a host blob, read back through its mapping. */
static void test_ops_on_host_blob(void)
{
	struct t t;
	t_init(&t, NULL);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 16384, MAPPABLE), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 2, 2, 4096, MAPPABLE), OK);
	CHECK_RESP(t_map(&t, 1, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	CHECK_RESP(t_map(&t, 2, 16384), VIRTIO_GPU_RESP_OK_MAP_INFO);
	uint8_t *a = t.shm, *b = t.shm + 16384;

	uint8_t model[16384];
	memset(model, 0, sizeof(model));
	struct t_stream s = {.len = 0};
	ts_fill(&s, 1, 0xa1b2c3d4, 0, 8192);
	ts_pattern(&s, 1, 77, 8192, 4096);
	static const char text[] = "reference context writes these bytes";
	ts_write(&s, 1, 12289, text, sizeof(text)); /* odd offset, odd size */
	ts_copy(&s, 1, 0, 1, 2, 100);              /* overlapping, forwards */
	ts_copy(&s, 1, 8196, 1, 8192, 64);         /* overlapping, backwards source */
	ts_checksum(&s, 1, 0, 16384, 2, 4088);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);

	for (int i = 0; i < 8192; i += 4) {
		uint32_t v = vgb_to_le32(0xa1b2c3d4);
		memcpy(model + i, &v, 4);
	}
	for (int i = 0; i < 1024; i++) {
		uint32_t v = vgb_to_le32(vgb_refctx_pattern_word(77, (uint64_t)i));
		memcpy(model + 8192 + 4 * i, &v, 4);
	}
	memcpy(model + 12289, text, sizeof(text));
	memmove(model + 2, model, 100);
	memmove(model + 8192, model + 8196, 64);
	CHECK(memcmp(a, model, sizeof(model)) == 0);
	uint64_t sum;
	memcpy(&sum, b + 4088, 8);
	CHECK_EQ(vgb_le64(sum), vgb_fnv1a64(model, sizeof(model), VGB_FNV1A64_INIT));

	/* Copy between blobs, and a large copy that crosses the bounce buffer. */
	s.len = 0;
	ts_copy(&s, 1, 100, 2, 0, 4000);
	ts_copy(&s, 1, 0, 1, 5000, 11384);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	CHECK(memcmp(b, model + 100, 4000) == 0);
	memmove(model + 5000, model, 11384);
	CHECK(memcmp(a, model, sizeof(model)) == 0);

	/* FREE of an object not yet a resource; errors stop the stream after earlier effects. */
	s.len = 0;
	ts_alloc(&s, 50, 4096);
	ts_free(&s, 50);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	s.len = 0;
	ts_fill(&s, 2, 0x11111111, 0, 4);
	ts_fill(&s, 2, 0x22222222, 2, 4);          /* offset not a multiple of 4 */
	ts_fill(&s, 2, 0x33333333, 0, 4);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), E_PARAM);
	uint32_t w;
	memcpy(&w, b, 4);
	CHECK_EQ(w, 0x11111111);
	t_fini(&t);
}

static void test_ops_on_guest_blob(void)
{
	struct t t;
	t_init(&t, NULL);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	const uint64_t size = 10000;
	struct vgb_entry e[64];
	uint32_t n = t_scatter(&t, size, e, 64, 17);
	CHECK_RESP(t_create_blob(&t, 1, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, size, e, n), OK);
	CHECK_RESP(t_ctx_attach(&t, CTX, 1), OK);
	uint8_t model[10000];
	for (int i = 0; i < 10000; i++)
		model[i] = (uint8_t)(i * 5);
	t_backing_write(&t, e, n, 0, model, size);
	struct t_stream s = {.len = 0};
	ts_pattern(&s, 1, 3, 400, 6000);
	ts_copy(&s, 1, 300, 1, 7000, 3000);
	ts_checksum(&s, 1, 0, 9992, 1, 9992);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	for (int i = 0; i < 1500; i++) {
		uint32_t v = vgb_to_le32(vgb_refctx_pattern_word(3, (uint64_t)i));
		memcpy(model + 400 + 4 * i, &v, 4);
	}
	memmove(model + 7000, model + 300, 3000);
	uint64_t sum = vgb_to_le64(vgb_fnv1a64(model, 9992, VGB_FNV1A64_INIT));
	memcpy(model + 9992, &sum, 8);
	uint8_t back[10000];
	uint64_t pos = 0;
	for (uint32_t i = 0; i < n; i++) {
		memcpy(back + pos, t_ptr(&t, e[i].addr), e[i].length);
		pos += e[i].length;
	}
	CHECK(memcmp(back, model, sizeof(model)) == 0);
	t_fini(&t);
}

/* Random valid streams over a mapped host blob and a scattered guest blob, against a model. */
static void test_random_streams(void)
{
	struct t t;
	t_init(&t, NULL);
	enum { HSIZE = 3 * 4096, GSIZE = 7000 };
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, HSIZE, MAPPABLE), OK);
	CHECK_RESP(t_map(&t, 1, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	struct vgb_entry e[64];
	uint32_t n = t_scatter(&t, GSIZE, e, 64, 41);
	CHECK_RESP(t_create_blob(&t, 2, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, GSIZE, e, n), OK);
	CHECK_RESP(t_ctx_attach(&t, CTX, 2), OK);
	static uint8_t model_h[HSIZE], model_g[GSIZE], back[GSIZE];
	uint8_t *models[3] = {NULL, model_h, model_g};
	const uint64_t sizes[3] = {0, HSIZE, GSIZE};
	uint32_t x = 7;
#define RND() (x = x * 1103515245u + 12345u, x >> 8)
	for (int round = 0; round < 60; round++) {
		struct t_stream s = {.len = 0};
		for (int k = 0; k < 8; k++) {
			uint32_t id = 1 + RND() % 2, other = 1 + RND() % 2;
			uint64_t size = sizes[id], off = (RND() % size) & ~3ull;
			uint64_t len = (RND() % (size - off + 1)) & ~3ull;
			uint8_t *m = models[id];
			switch (RND() % 5) {
			case 0: {
				uint32_t v = RND();
				ts_fill(&s, id, v, off, len);
				for (uint64_t i = 0; i < len; i += 4)
					memcpy(m + off + i, &(uint32_t){vgb_to_le32(v)}, 4);
				break;
			}
			case 1: {
				uint32_t seed = RND();
				ts_pattern(&s, id, seed, off, len);
				for (uint64_t i = 0; i < len / 4; i++)
					memcpy(m + off + 4 * i,
					       &(uint32_t){vgb_to_le32(vgb_refctx_pattern_word(seed, i))}, 4);
				break;
			}
			case 2: {
				uint8_t data[301];
				uint32_t w = (uint32_t)(RND() % sizeof(data));
				uint64_t at = RND() % (size - w + 1);
				for (uint32_t i = 0; i < w; i++)
					data[i] = (uint8_t)RND();
				ts_write(&s, id, at, data, w);
				memcpy(m + at, data, w);
				break;
			}
			case 3: {
				uint64_t cl = RND() % (sizes[other] < size ? sizes[other] : size);
				uint64_t so = RND() % (size - cl + 1), dof = RND() % (sizes[other] - cl + 1);
				ts_copy(&s, id, so, other, dof, cl);
				memmove(models[other] + dof, m + so, cl);
				break;
			}
			default: {
				uint64_t dof = RND() % (sizes[other] - 7);
				ts_checksum(&s, id, off, len, other, dof);
				uint64_t h = vgb_to_le64(vgb_fnv1a64(m + off, len, VGB_FNV1A64_INIT));
				memcpy(models[other] + dof, &h, 8);
				break;
			}
			}
		}
		CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
		CHECK(memcmp(t.shm, model_h, HSIZE) == 0);
		uint64_t pos = 0;
		for (uint32_t i = 0; i < n; i++) {
			memcpy(back + pos, t_ptr(&t, e[i].addr), e[i].length);
			pos += e[i].length;
		}
		CHECK(memcmp(back, model_g, GSIZE) == 0);
	}
#undef RND
	t_fini(&t);
}

static void test_stream_errors(void)
{
	struct t t;
	t_init(&t, NULL);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 4096, MAPPABLE), OK);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 4, 4), OK);
	CHECK_RESP(t_ctx_attach(&t, CTX, 2), OK);
	CHECK_RESP(t_host_blob(&t, CTX + 1 - 1, 3, 3, 4096, 0), OK);
	struct t_stream s = {.len = 0};
	CHECK_RESP(t_submit(&t, CTX + 1, s.buf, 0), E_CTX);
	CHECK_RESP(t_submit(&t, CTX, s.buf, 0), OK);                /* empty stream */

#define EXPECT(build, code)                                                   \
	do {                                                                  \
		s.len = 0;                                                    \
		build;                                                        \
		CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), code);            \
	} while (0)
	EXPECT(ts_alloc(&s, 0, 4096), E_PARAM);
	EXPECT(ts_alloc(&s, 7, 0), E_PARAM);
	EXPECT(ts_alloc(&s, 7, 4095), E_PARAM);
	EXPECT(ts_alloc(&s, 7, 1ull << 40), E_PARAM);
	EXPECT((ts_alloc(&s, 7, 4096), ts_alloc(&s, 7, 4096)), E_PARAM);
	EXPECT(ts_free(&s, 8), E_PARAM);
	EXPECT(ts_fill(&s, 99, 0, 0, 4), E_RES);
	EXPECT(ts_fill(&s, 2, 0, 0, 4), E_PARAM);                  /* not a blob */
	EXPECT(ts_fill(&s, 1, 0, 0, 4097), E_PARAM);
	EXPECT(ts_fill(&s, 1, 0, 4096, 4), E_PARAM);
	EXPECT(ts_fill(&s, 1, 0, ~0ull - 3, 8), E_PARAM);
	EXPECT(ts_pattern(&s, 1, 0, 0, 6), E_PARAM);
	EXPECT(ts_write(&s, 1, 4095, "ab", 2), E_PARAM);
	EXPECT(ts_copy(&s, 1, 0, 1, 1, 4096), E_PARAM);
	EXPECT(ts_copy(&s, 1, 0, 5, 0, 1), E_RES);
	EXPECT(ts_checksum(&s, 1, 0, 4096, 1, 4089), E_PARAM);
	/* Resource 3 exists but belongs to no context: unknown here. */
	CHECK_RESP(t_unref(&t, 3), OK);
	CHECK_RESP(t_create_blob(&t, 3, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 16,
				 &(struct vgb_entry){t_alloc(&t, 0, 16), 16}, 1), OK);
	EXPECT(ts_fill(&s, 3, 0, 0, 4), E_RES);

	/* Framing of the stream itself. */
	uint32_t raw[16];
	memset(raw, 0, sizeof(raw));
	raw[0] = vgb_to_le32(VGB_REFCTX_FREE);
	raw[1] = vgb_to_le32(4);                                   /* below the header */
	CHECK_RESP(t_submit(&t, CTX, raw, 16), E_PARAM);
	raw[1] = vgb_to_le32(18);                                  /* not a multiple of 4 */
	CHECK_RESP(t_submit(&t, CTX, raw, 20), E_PARAM);
	raw[1] = vgb_to_le32(64);                                  /* past the end */
	CHECK_RESP(t_submit(&t, CTX, raw, 16), E_PARAM);
	raw[1] = vgb_to_le32(20);                                  /* FREE is 16 */
	CHECK_RESP(t_submit(&t, CTX, raw, 20), E_PARAM);
	raw[0] = vgb_to_le32(99);
	raw[1] = vgb_to_le32(8);
	CHECK_RESP(t_submit(&t, CTX, raw, 8), E_PARAM);            /* unknown op */
	raw[0] = vgb_to_le32(0);
	CHECK_RESP(t_submit(&t, CTX, raw, 8), E_PARAM);
	CHECK_RESP(t_submit(&t, CTX, raw, 5), E_PARAM);            /* trailing bytes */
	s.len = 0;
	ts_write(&s, 1, 0, "abcdef", 6);
	raw[0] = vgb_to_le32(VGB_REFCTX_WRITE);
	memcpy(s.buf + 4, &(uint32_t){vgb_to_le32(28)}, 4);         /* 24 + 4 is short for 6 bytes */
	CHECK_RESP(t_submit(&t, CTX, s.buf, 28), E_PARAM);
	/* SUBMIT_3D: a stream shorter than size is a bad size; bytes after it are ignored. */
	uint8_t sub[32 + 8];
	memset(sub, 0, sizeof(sub));
	struct virtio_gpu_cmd_submit c = {.size = vgb_to_le32(8)};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_SUBMIT_3D, CTX);
	memcpy(sub, &c, sizeof(c));
	CHECK_RESP(t_ctrl(&t, sub, 39), E_PARAM);
	CHECK_RESP(t_ctrl(&t, sub, 32), E_PARAM);
	c.size = vgb_to_le32(0xffffffffu);
	memcpy(sub, &c, sizeof(c));
	CHECK_RESP(t_ctrl(&t, sub, sizeof(sub)), E_PARAM);
	c.size = vgb_to_le32(0);
	memcpy(sub, &c, sizeof(c));
	CHECK_RESP(t_ctrl(&t, sub, sizeof(sub)), OK); /* an empty stream and 8 ignored bytes */
	t_fini(&t);
}

int main(void)
{
	test_contexts_and_capsets();
	test_ops_on_host_blob();
	test_ops_on_guest_blob();
	test_3d_resources();
	test_random_streams();
	test_stream_errors();
	return t_done("device-refctx");
}
