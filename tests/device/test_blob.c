/* SPDX-License-Identifier: MIT */
/*
 * Blobs and the host-visible region: GUEST blobs read in place, HOST3D blobs
 * mapped into a fake region (a PROT_NONE reservation the shm ops map memfds
 * into), HOST3D_GUEST shadows, and every MAP/UNMAP/UNREF state.
 */
#include "harness.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GUEST VIRTIO_GPU_BLOB_MEM_GUEST
#define HOST3D VIRTIO_GPU_BLOB_MEM_HOST3D
#define HOST3D_GUEST VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST
#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define CTX 3

/* True when the process can read the byte at p (an unmapped range faults in write(2)). */
static bool readable(const void *p)
{
	int fds[2];
	if (pipe(fds) < 0)
		abort();
	bool ok = write(fds[1], p, 1) == 1;
	int err = errno;
	close(fds[0]);
	close(fds[1]);
	return ok || err != EFAULT;
}

static uint32_t map_info(struct t *t)
{
	struct virtio_gpu_resp_map_info r;
	memcpy(&r, t->resp, sizeof(r));
	return vgb_le32(r.map_info);
}

static void test_guest_blob_in_place(void)
{
	struct t t;
	t_init(&t, NULL);
	const uint32_t w = 61, h = 29, stride = 256, off = 36;
	uint64_t size = off + (uint64_t)stride * h;
	struct vgb_entry e[64];
	uint32_t n = t_scatter(&t, size, e, 64, 11);
	uint8_t *model = malloc(size);
	for (uint64_t i = 0; i < size; i++)
		model[i] = (uint8_t)(i * 7 + 1);
	t_backing_write(&t, e, n, 0, model, size);

	CHECK_RESP(t_create_blob(&t, 1, 0, GUEST, 0, 0, size, e, n), OK);
	CHECK_RESP(t_scanout_blob(&t, 0, 1, w, h, stride, off), OK);
	CHECK_EQ(t.scanout_w[0], w);
	CHECK_RESP(t_flush(&t, 1, 0, 0, w, h), OK);
	CHECK_EQ(t.nupdates, 1);
	for (uint32_t y = 0; y < h; y++)
		CHECK(memcmp(t.upd_px + y * w * 4, model + off + y * stride, w * 4) == 0);

	/* The driver writes its pages again: the next flush sees them, no transfer needed. */
	for (uint64_t i = 0; i < size; i++)
		model[i] = (uint8_t)(i * 13 + 5);
	t_backing_write(&t, e, n, 0, model, size);
	CHECK_RESP(t_flush(&t, 1, 3, 4, 10, 5), OK);
	CHECK_EQ(t.upd.x, 3);
	CHECK_EQ(t.upd.h, 5);
	for (uint32_t y = 0; y < 5; y++)
		CHECK(memcmp(t.upd_px + y * 40, model + off + (4 + y) * stride + 12, 40) == 0);

	/* Transfers on a GUEST blob are validated no-ops. */
	CHECK_RESP(t_transfer_2d(&t, 1, 0, 0, w, h, 0), OK);
	CHECK_RESP(t_transfer_2d(&t, 1, 0, 0, w, h, size), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 1, 0xffffffffu, 0, 2, 1, 0), E_PARAM);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	CHECK_RESP(t_transfer_3d(&t, true, CTX, 1, 0, (uint32_t)size, 1, 1), OK);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 1, 1, (uint32_t)size, 1, 1), E_PARAM);
	/* Rows of the linear view: two rows of 4 bytes fit, the last row past the end does not. */
	CHECK_RESP(t_transfer_3d(&t, true, CTX, 1, 0, 4, 2, 1), OK);
	CHECK_RESP(t_transfer_3d(&t, true, CTX, 1, size - 4, 4, 2, 1), E_PARAM);
	CHECK_RESP(t_transfer_3d_view(&t, true, CTX, 1, 0, 4, 2, 2, 8, 0xffffffffu), E_PARAM);
	CHECK_RESP(t_transfer_3d(&t, true, 99, 1, 0, 4, 1, 1), E_CTX);

	/* Scanned out: no detach; MAP is for host blobs only. */
	CHECK_RESP(t_detach(&t, 1), E_PARAM);
	CHECK_RESP(t_map(&t, 1, 0), E_PARAM);

	/* SET_SCANOUT_BLOB bounds. */
	CHECK_RESP(t_scanout_blob(&t, 0, 1, w, h, stride, off + 1 + (stride - w * 4)), E_PARAM);
	CHECK_RESP(t_scanout_blob(&t, 0, 1, w, h + 1, stride, off), E_PARAM);
	CHECK_RESP(t_scanout_blob(&t, 0, 1, w, h, w * 4 - 1, off), E_PARAM);
	CHECK_RESP(t_scanout_blob(&t, 0, 1, w, h, 0xffffffffu, 0xffffffffu), E_PARAM);
	CHECK_RESP(t_scanout_blob(&t, 1, 1, w, h, stride, off), E_SCANOUT);
	struct virtio_gpu_set_scanout_blob sb;
	memset(&sb, 0, sizeof(sb));
	t_hdr(&sb.hdr, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, 0);
	sb.resource_id = vgb_to_le32(1);
	sb.r.width = sb.width = vgb_to_le32(w);
	sb.r.height = sb.height = vgb_to_le32(h);
	sb.strides[0] = vgb_to_le32(stride);
	sb.format = vgb_to_le32(999);                               /* unknown format */
	CHECK_RESP(t_ctrl(&t, &sb, sizeof(sb)), E_PARAM);
	sb.format = vgb_to_le32(FMT_BGRA);
	sb.r.x = vgb_to_le32(1);                                    /* r outside width x height */
	CHECK_RESP(t_ctrl(&t, &sb, sizeof(sb)), E_PARAM);
	sb.r.x = 0;
	CHECK_RESP(t_ctrl(&t, &sb, sizeof(sb)), OK);
	CHECK_RESP(t_scanout_blob(&t, 0, 2, w, h, stride, off), E_RES);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 4, 4), OK);
	CHECK_RESP(t_scanout_blob(&t, 0, 2, 4, 4, 16, 0), E_PARAM); /* not a blob */
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, 4, 4), E_PARAM);   /* blob via SET_SCANOUT */
	CHECK_RESP(t_scanout_blob(&t, 0, 0, 0, 0, 0, 0), OK);       /* disable */
	CHECK_EQ(t.scanout_w[0], 0);
	CHECK_RESP(t_detach(&t, 1), OK);
	CHECK_RESP(t_scanout_blob(&t, 0, 1, w, h, stride, off), E_PARAM); /* no pages */
	CHECK_RESP(t_attach(&t, 1, e, 1), E_PARAM);                 /* shorter than the blob */
	CHECK_RESP(t_attach(&t, 1, e, n), OK);
	CHECK_RESP(t_scanout_blob(&t, 0, 1, w, h, stride, off), OK);
	CHECK_RESP(t_unref(&t, 1), OK);
	CHECK_EQ(t.scanout_w[0], 0);
	free(model);
	t_fini(&t);
}

static void test_create_blob_errors(void)
{
	struct t t;
	t_init(&t, NULL);
	struct vgb_entry e = {t_alloc(&t, 0, 8192), 8192};
	CHECK_RESP(t_create_blob(&t, 0, 0, GUEST, 0, 0, 4096, &e, 1), E_RES);
	CHECK_RESP(t_create_blob(&t, 1, 0, 0, 0, 0, 4096, &e, 1), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 1, 0, 4, 0, 0, 4096, &e, 1), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 1, 0, GUEST, 8, 0, 4096, &e, 1), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 1, 0, GUEST, 0, 0, 0, &e, 1), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 1, 0, GUEST, 0, 5, 4096, &e, 1), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 1, 0, GUEST, 0, 0, 8193, &e, 1), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 1, 0, GUEST, 0, 0, 1ull << 40, &e, 1), E_PARAM);
	struct vgb_entry bad = {0, 4096};
	CHECK_RESP(t_create_blob(&t, 1, 0, GUEST, 0, 0, 4096, &bad, 1), E_UNSPEC);
	CHECK_RESP(t_create_blob(&t, 1, CTX, HOST3D, MAPPABLE, 1, 4096, NULL, 0), E_CTX);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	CHECK_RESP(t_create_blob(&t, 1, CTX, HOST3D, MAPPABLE, 1, 4096, NULL, 0), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 1, CTX, HOST3D, MAPPABLE, 1, 4096, &e, 1), E_PARAM);
	struct t_stream s = {.len = 0};
	ts_alloc(&s, 1, 8192);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	CHECK_RESP(t_create_blob(&t, 1, CTX, HOST3D, MAPPABLE, 1, 4096, NULL, 0), E_PARAM); /* size */
	CHECK_RESP(t_create_blob(&t, 1, CTX + 1, HOST3D, MAPPABLE, 1, 8192, NULL, 0), E_CTX);
	CHECK_RESP(t_create_blob(&t, 1, CTX, HOST3D, MAPPABLE, 1, 8192, NULL, 0), OK);
	/* The object was consumed; the id is in use now. */
	CHECK_RESP(t_create_blob(&t, 2, CTX, HOST3D, MAPPABLE, 1, 8192, NULL, 0), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 1, 0, GUEST, 0, 0, 4096, &e, 1), E_RES);
	CHECK_RESP(t_create_blob(&t, 1, 0, 9, 0, 0, 4096, &e, 1), E_RES); /* in use ranks first */
	/* GUEST blob without entries: pages come later. */
	CHECK_RESP(t_create_blob(&t, 3, 0, GUEST, 0, 0, 4096, NULL, 0), OK);
	CHECK_RESP(t_attach(&t, 1, &e, 1), E_PARAM);                 /* HOST3D has no guest storage */
	CHECK_RESP(t_transfer_2d(&t, 1, 0, 0, 1, 1, 0), E_PARAM);    /* nor 2D transfers */
	/* Length framing. */
	uint8_t buf[56 + 16];
	memset(buf, 0, sizeof(buf));
	struct virtio_gpu_resource_create_blob c = {.resource_id = vgb_to_le32(7),
						    .blob_mem = vgb_to_le32(GUEST),
						    .nr_entries = vgb_to_le32(1),
						    .size = vgb_to_le64(16)};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, 0);
	memcpy(buf, &c, sizeof(c));
	CHECK_RESP(t_ctrl(&t, buf, 56), E_UNSPEC);
	CHECK_RESP(t_ctrl(&t, buf, 55), E_UNSPEC);
	c.nr_entries = vgb_to_le32(0x10000000u);
	memcpy(buf, &c, sizeof(c));
	CHECK_RESP(t_ctrl(&t, buf, sizeof(buf)), E_UNSPEC);
	t_fini(&t);

	/* Host blobs need VIRGL. */
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.virgl = cfg.context_init = false;
	t_init(&t, &cfg);
	CHECK_RESP(t_create_blob(&t, 1, 1, HOST3D, 0, 1, 4096, NULL, 0), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 1, 1, HOST3D_GUEST, 0, 1, 4096, NULL, 0), E_PARAM);
	CHECK_RESP(t_transfer_3d(&t, true, 1, 1, 0, 1, 1, 1), E_UNSPEC);
	t_fini(&t);
}

static void test_map_lifecycle(void)
{
	struct t t;
	t_init(&t, NULL);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 100, 8192, MAPPABLE), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 2, 200, 4096, MAPPABLE), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 3, 300, 4096, 0), OK);       /* not mappable */
	CHECK_RESP(t_host_blob(&t, CTX, 4, 400, 4096, MAPPABLE), OK); /* for the checksum */

	CHECK_RESP(t_map(&t, 1, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	CHECK_EQ(t.resp_len, sizeof(struct virtio_gpu_resp_map_info));
	CHECK_EQ(map_info(&t), VIRTIO_GPU_MAP_CACHE_CACHED);
	uint8_t *m = t.shm;
	CHECK(m[0] == 0 && m[8191] == 0);                             /* objects start zeroed */

	/* Host fill visible through the mapping; guest writes visible to the host. */
	struct t_stream s = {.len = 0};
	ts_fill(&s, 1, 0xdeadbeef, 4096, 4096);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	uint32_t word;
	memcpy(&word, m + 4096 + 4092, 4);
	CHECK_EQ(word, 0xdeadbeef);
	memcpy(&word, m + 4092, 4);
	CHECK_EQ(word, 0);
	for (int i = 0; i < 4096; i++)
		m[i] = (uint8_t)(i ^ 0x5c);
	CHECK_RESP(t_map(&t, 4, 3 * 4096 * 4), VIRTIO_GPU_RESP_OK_MAP_INFO);
	s.len = 0;
	ts_checksum(&s, 1, 0, 8192, 4, 8);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	uint64_t got;
	memcpy(&got, t.shm + 3 * 4096 * 4 + 8, 8);
	CHECK_EQ(vgb_le64(got), vgb_fnv1a64(m, 8192, VGB_FNV1A64_INIT));

	/* Double map: refused, the mapping stays. */
	unsigned maps = t.nmaps;
	CHECK_RESP(t_map(&t, 1, 16384), E_PARAM);
	CHECK_EQ(t.nmaps, maps);
	CHECK_EQ(m[1], 1 ^ 0x5c);
	/* Overlap, alignment, region end, overflow. */
	CHECK_RESP(t_map(&t, 2, 4096), E_PARAM);
	CHECK_RESP(t_map(&t, 2, 100), E_PARAM);
	CHECK_RESP(t_map(&t, 2, t.cfg.region_size), E_PARAM);
	CHECK_RESP(t_map(&t, 2, t.cfg.region_size - 4096), VIRTIO_GPU_RESP_OK_MAP_INFO);
	CHECK_RESP(t_unmap(&t, 2), OK);
	CHECK_RESP(t_map(&t, 2, ~0ull - 4095), E_PARAM);
	CHECK_RESP(t_map(&t, 2, 8192), VIRTIO_GPU_RESP_OK_MAP_INFO);  /* adjacent is fine */
	/* Not mappable, not a blob, unknown. */
	CHECK_RESP(t_map(&t, 3, 65536), E_PARAM);
	CHECK_RESP(t_create_2d(&t, 5, FMT_BGRA, 4, 4), OK);
	CHECK_RESP(t_map(&t, 5, 65536), E_PARAM);
	CHECK_RESP(t_map(&t, 6, 65536), E_RES);
	/* The transport fails to place the memory. */
	t.shm_fail = true;
	CHECK_RESP(t_map(&t, 3 + 0, 65536), E_PARAM);              /* refused before the transport */
	CHECK(t.shm_fail);
	CHECK_RESP(t_unmap(&t, 2), OK);
	t.shm_fail = true;
	CHECK_RESP(t_map(&t, 2, 65536), E_UNSPEC);
	CHECK_RESP(t_unmap(&t, 2), E_PARAM);                        /* it was not mapped */
	CHECK_RESP(t_map(&t, 2, 65536), VIRTIO_GPU_RESP_OK_MAP_INFO);

	/* UNMAP: the range reaches nothing afterwards; unmap of unmapped fails. */
	CHECK(readable(m));
	CHECK_RESP(t_unmap(&t, 1), OK);
	CHECK(!readable(m));
	CHECK_RESP(t_unmap(&t, 1), E_PARAM);
	CHECK_RESP(t_unmap(&t, 77), E_RES);
	/* The host memory survived the unmap: map it elsewhere and read the fill again. */
	CHECK_RESP(t_map(&t, 1, 32768), VIRTIO_GPU_RESP_OK_MAP_INFO);
	memcpy(&word, t.shm + 32768 + 4096, 4);
	CHECK_EQ(word, 0xdeadbeef);
	CHECK_EQ(t.shm[32768 + 2], 2 ^ 0x5c);

	/* UNREF of a mapped blob unmaps it first. */
	unsigned unmaps = t.nunmaps;
	CHECK_RESP(t_unref(&t, 1), OK);
	CHECK_EQ(t.nunmaps, unmaps + 1);
	CHECK(!readable(t.shm + 32768));
	CHECK_RESP(t_map(&t, 1, 0), E_RES);
	/* The range is free again. */
	CHECK_RESP(t_map(&t, 4, 32768), E_PARAM);                  /* 4 is still mapped */
	CHECK_RESP(t_unmap(&t, 4), OK);
	CHECK_RESP(t_map(&t, 4, 32768), VIRTIO_GPU_RESP_OK_MAP_INFO);

	/* Reset drops every mapping and gives back every charged byte. */
	unmaps = t.nunmaps;
	CHECK(vgb_device_host_memory(t.dev) > 8192);
	vgb_device_reset(t.dev);
	CHECK_EQ(t.nunmaps, unmaps + 2);
	CHECK_EQ(vgb_device_host_memory(t.dev), 0);
	CHECK(!readable(t.shm + 32768));
	t_fini(&t);
}

static void test_region_knobs(void)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.region_size = 0;
	cfg.map_cache = VIRTIO_GPU_MAP_CACHE_WC;
	struct t t;
	t_init(&t, &cfg);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 4096, MAPPABLE), OK);
	CHECK_RESP(t_map(&t, 1, 0), E_UNSPEC);
	CHECK_RESP(t_unmap(&t, 1), E_UNSPEC);
	t_fini(&t);

	vgb_device_config_defaults(&cfg);
	cfg.map_cache = VIRTIO_GPU_MAP_CACHE_WC;
	cfg.blob_alignment = true;
	cfg.alignment = 65536;
	cfg.region_size = 1 << 20;
	t_init(&t, &cfg);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 4096, MAPPABLE), E_PARAM); /* ALLOC not aligned */
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 65536, MAPPABLE), OK);
	struct vgb_entry e = {t_alloc(&t, 0, 8192), 8192};
	CHECK_RESP(t_create_blob(&t, 2, 0, GUEST, 0, 0, 4096, &e, 1), E_PARAM);
	CHECK_RESP(t_map(&t, 1, 4096), E_PARAM);
	CHECK_RESP(t_map(&t, 1, 65536), VIRTIO_GPU_RESP_OK_MAP_INFO);
	CHECK_EQ(map_info(&t), VIRTIO_GPU_MAP_CACHE_WC);
	CHECK_RESP(t_unref(&t, 1), OK);
	t_fini(&t);
}

static void test_host3d_guest_shadow(void)
{
	struct t t;
	t_init(&t, NULL);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	const uint64_t size = 3 * 4096;
	struct vgb_entry e[64];
	uint32_t n = t_scatter(&t, size, e, 64, 5);
	uint8_t *shadow = malloc(size), *back = malloc(size);
	for (uint64_t i = 0; i < size; i++)
		shadow[i] = (uint8_t)(i * 3 + 9);
	t_backing_write(&t, e, n, 0, shadow, size);
	struct t_stream s = {.len = 0};
	ts_alloc(&s, 9, size);
	ts_alloc(&s, 10, 4096);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	CHECK_RESP(t_create_blob(&t, 1, CTX, HOST3D_GUEST, MAPPABLE, 9, size, e, n), OK);
	CHECK_RESP(t_create_blob(&t, 2, CTX, HOST3D, MAPPABLE, 10, 4096, NULL, 0), OK);
	CHECK_RESP(t_ctx_attach(&t, CTX, 1), OK);
	CHECK_RESP(t_ctx_attach(&t, CTX, 2), OK);
	CHECK_RESP(t_map(&t, 2, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);

	/* Before a transfer the host memory is still zero; after it, the shadow's bytes. */
	s.len = 0;
	ts_checksum(&s, 1, 100, 5000, 2, 0);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	uint8_t zeros[5000] = {0};
	uint64_t got;
	memcpy(&got, t.shm, 8);
	CHECK_EQ(got, vgb_fnv1a64(zeros, 5000, VGB_FNV1A64_INIT));
	CHECK_RESP(t_transfer_3d(&t, true, CTX, 1, 100, 5000, 1, 1), OK);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	memcpy(&got, t.shm, 8);
	CHECK_EQ(got, vgb_fnv1a64(shadow + 100, 5000, VGB_FNV1A64_INIT));

	/* Host fill, then TRANSFER_FROM_HOST_3D brings it to the shadow (only that range). */
	s.len = 0;
	ts_fill(&s, 1, 0x01020304, 0, size);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 1, 4096, 4096, 1, 1), OK);
	memset(back, 0, size);
	uint64_t pos = 0;
	for (uint32_t i = 0; i < n; i++) {
		memcpy(back + pos, t_ptr(&t, e[i].addr), e[i].length);
		pos += e[i].length;
	}
	CHECK(memcmp(back, shadow, 4096) == 0);
	uint32_t word;
	memcpy(&word, back + 4096, 4);
	CHECK_EQ(word, 0x01020304);
	memcpy(&word, back + 8188, 4);
	CHECK_EQ(word, 0x01020304);
	CHECK(memcmp(back + 8192, shadow + 8192, 4096) == 0);

	/*
	 * A strided view (2 layers of 3 rows of 16 bytes at 32, rows 64 apart, layers 1024 apart)
	 * copies exactly its rows from the shadow; the gaps keep the host's fill.
	 */
	s.len = 0;
	ts_fill(&s, 1, 0x01020304, 0, size);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	CHECK_RESP(t_transfer_3d_view(&t, true, CTX, 1, 32, 16, 3, 2, 64, 1024), OK);
	uint8_t *model = malloc(size);
	for (uint64_t i = 0; i < size; i += 4)
		memcpy(model + i, &(uint32_t){0x01020304}, 4);
	for (uint32_t z = 0; z < 2; z++)
		for (uint32_t y = 0; y < 3; y++)
			memcpy(model + 32 + z * 1024 + y * 64, shadow + 32 + z * 1024 + y * 64, 16);
	s.len = 0;
	ts_checksum(&s, 1, 0, size, 2, 0);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	memcpy(&got, t.shm, 8);
	CHECK_EQ(got, vgb_fnv1a64(model, size, VGB_FNV1A64_INIT));
	free(model);

	/* TRANSFER_TO_HOST_2D copies the shadow from offset to the end. */
	CHECK_RESP(t_transfer_2d(&t, 1, 0, 0, 1, 1, 8192), OK);
	s.len = 0;
	ts_checksum(&s, 1, 8192, 4096, 2, 0);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	memcpy(&got, t.shm, 8);
	CHECK_EQ(got, vgb_fnv1a64(shadow + 8192, 4096, VGB_FNV1A64_INIT));

	/* HOST3D: transfers are flush/invalidate. */
	CHECK_RESP(t_transfer_3d(&t, true, CTX, 2, 0, 4096, 1, 1), OK);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 2, 4095, 1, 1, 1), OK);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 2, 4095, 2, 1, 1), E_PARAM);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 2, ~0ull, 2, 1, 1), E_PARAM);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 2, 0, 1, 1, 2), OK);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 2, 4095, 1, 2, 1), E_PARAM);
	CHECK_RESP(t_transfer_3d(&t, false, CTX, 9, 0, 1, 1, 1), E_RES);
	CHECK_RESP(t_transfer_2d(&t, 2, 0, 0, 1, 1, 0), E_PARAM);

	/* A default blob without its shadow cannot be transferred; its map still works. */
	CHECK_RESP(t_detach(&t, 1), OK);
	CHECK_RESP(t_transfer_3d(&t, true, CTX, 1, 0, 1, 1, 1), E_UNSPEC);
	CHECK_RESP(t_map(&t, 1, 8192), VIRTIO_GPU_RESP_OK_MAP_INFO);
	memcpy(&word, t.shm + 8192 + 12, 4);
	CHECK_EQ(word, 0x01020304);
	free(shadow);
	free(back);
	t_fini(&t);
}

static void test_host_memory_limits(void)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.max_host_memory = 1 << 20;
	cfg.max_resources = 4;
	struct t t;
	t_init(&t, &cfg);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	struct t_stream s = {.len = 0};
	ts_alloc(&s, 1, 2 << 20);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), E_OOM);
	s.len = 0;
	for (int i = 1; i <= 4; i++)
		ts_alloc(&s, (uint64_t)i, 4096);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	s.len = 0;
	ts_alloc(&s, 5, 4096);                                      /* object slots exhausted */
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), E_OOM);
	s.len = 0;
	ts_free(&s, 4);
	ts_alloc(&s, 5, 4096);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	/* Destroying the context frees its objects. */
	CHECK_RESP(t_ctx_destroy(&t, CTX), OK);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	s.len = 0;
	ts_alloc(&s, 1, 512 << 10);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	/* Everything given back: the accounting returns to zero. */
	CHECK_RESP(t_ctx_destroy(&t, CTX), OK);
	CHECK_EQ(vgb_device_host_memory(t.dev), 0);
	t_fini(&t);
}

/* The transport dropped every mapping (vhost-user stop/reset): forgotten without shm_unmap. */
static void test_forget_mappings(void)
{
	struct t t;
	t_init(&t, NULL);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 4096, MAPPABLE), OK);
	CHECK_RESP(t_map(&t, 1, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	vgb_device_forget_mappings(t.dev);
	CHECK_EQ(t.nunmaps, 0);
	CHECK_RESP(t_unmap(&t, 1), E_PARAM); /* no longer mapped */
	CHECK_RESP(t_map(&t, 1, 0), VIRTIO_GPU_RESP_OK_MAP_INFO); /* the offset is free again */
	vgb_device_forget_mappings(t.dev);
	vgb_device_reset(t.dev);
	CHECK_EQ(t.nunmaps, 0);
	CHECK_EQ(vgb_device_host_memory(t.dev), 0);
	t_fini(&t);
}

int main(void)
{
	test_guest_blob_in_place();
	test_create_blob_errors();
	test_map_lifecycle();
	test_region_knobs();
	test_host3d_guest_shadow();
	test_host_memory_limits();
	test_forget_mappings();
	return t_done("device-blob");
}
