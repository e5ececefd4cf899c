/* SPDX-License-Identifier: MIT */
/*
 * The 2D path: display info, EDID, resources, scattered backing, pixel-exact
 * TRANSFER_TO_HOST_2D against the test's own model, scanout + flush, cursor,
 * fences, and the error responses of every 2D command.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define W 333
#define H 77
#define STRIDE (W * 4)

static void test_display_info_and_edid(void)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.num_scanouts = 2;
	cfg.width = 1024;
	cfg.height = 768;
	struct t t;
	t_init(&t, &cfg);
	struct virtio_gpu_ctrl_hdr h;
	t_hdr(&h, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	CHECK_RESP(t_ctrl(&t, &h, sizeof(h)), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	CHECK_EQ(t.resp_len, sizeof(struct virtio_gpu_resp_display_info));
	struct virtio_gpu_resp_display_info di;
	memcpy(&di, t.resp, sizeof(di));
	CHECK_EQ(vgb_le32(di.pmodes[0].r.width), 1024);
	CHECK_EQ(vgb_le32(di.pmodes[1].r.height), 768);
	CHECK_EQ(vgb_le32(di.pmodes[1].enabled), 1);
	CHECK_EQ(vgb_le32(di.pmodes[2].enabled), 0);

	struct virtio_gpu_cmd_get_edid e = {.scanout = vgb_to_le32(1)};
	t_hdr(&e.hdr, VIRTIO_GPU_CMD_GET_EDID, 0);
	CHECK_RESP(t_ctrl(&t, &e, sizeof(e)), VIRTIO_GPU_RESP_OK_EDID);
	struct virtio_gpu_resp_edid re;
	memcpy(&re, t.resp, sizeof(re));
	CHECK_EQ(vgb_le32(re.size), 128);
	static const uint8_t header[8] = {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
	CHECK(memcmp(re.edid, header, 8) == 0);
	uint8_t sum = 0;
	for (int i = 0; i < 128; i++)
		sum += re.edid[i];
	CHECK_EQ(sum, 0);
	/* Preferred detailed timing announces the configured mode. */
	CHECK_EQ(re.edid[56] | (re.edid[58] >> 4) << 8, 1024);
	CHECK_EQ(re.edid[59] | (re.edid[61] >> 4) << 8, 768);
	CHECK(re.edid[54] | re.edid[55]); /* non-zero pixel clock */

	e.scanout = vgb_to_le32(2);
	CHECK_RESP(t_ctrl(&t, &e, sizeof(e)), E_SCANOUT);
	t_fini(&t);
}

/* The image the device must hold: transferred rectangles copied from the backing model. */
static void model_transfer(uint8_t *img, const uint8_t *backing, uint32_t x, uint32_t y,
			   uint32_t w, uint32_t h, uint64_t offset)
{
	for (uint32_t r = 0; r < h; r++)
		memcpy(img + (uint64_t)(y + r) * STRIDE + x * 4, backing + offset + (uint64_t)r * STRIDE,
		       w * 4);
}

static void test_transfer_pixels(void)
{
	struct t t;
	t_init(&t, NULL);
	uint64_t size = (uint64_t)STRIDE * H;
	struct vgb_entry e[256];
	uint32_t n = t_scatter(&t, size, e, 256, 7);
	CHECK(n > 10);
	uint8_t *backing = malloc(size), *img = calloc(1, size);
	for (uint64_t i = 0; i < size; i++)
		backing[i] = (uint8_t)(i * 131 + (i >> 9));
	t_backing_write(&t, e, n, 0, backing, size);

	CHECK_RESP(t_create_2d(&t, 5, FMT_BGRA, W, H), OK);
	CHECK_RESP(t_attach(&t, 5, e, n), OK);
	CHECK_RESP(t_set_scanout(&t, 0, 5, 0, 0, W, H), OK);
	CHECK_EQ(t.scanout_w[0], W);
	CHECK_EQ(t.scanout_h[0], H);

	/* A partial rectangle (per-row copies), then the flush shows it and zeros elsewhere. */
	uint64_t off = 3 * STRIDE + 5 * 4;
	CHECK_RESP(t_transfer_2d(&t, 5, 5, 3, 100, 50, off), OK);
	model_transfer(img, backing, 5, 3, 100, 50, off);
	CHECK_RESP(t_flush(&t, 5, 0, 0, W, H), OK);
	CHECK_EQ(t.nupdates, 1);
	CHECK_EQ(t.upd.w, W);
	CHECK_EQ(t.upd.h, H);
	CHECK(memcmp(t.upd_px, img, size) == 0);

	/* Full-width rectangles are one span; odd rows at the bottom edge. */
	CHECK_RESP(t_transfer_2d(&t, 5, 0, 60, W, 17, 60 * STRIDE), OK);
	model_transfer(img, backing, 0, 60, W, 17, 60 * STRIDE);
	CHECK_RESP(t_transfer_2d(&t, 5, W - 1, 0, 1, 1, W * 4 - 4), OK);
	model_transfer(img, backing, W - 1, 0, 1, 1, W * 4 - 4);
	CHECK_RESP(t_flush(&t, 5, 0, 0, W, H), OK);
	CHECK(memcmp(t.upd_px, img, size) == 0);

	/* Everything; then a flush of a sub-rectangle reports just that part. */
	CHECK_RESP(t_transfer_2d(&t, 5, 0, 0, W, H, 0), OK);
	CHECK_RESP(t_flush(&t, 5, 10, 20, 30, 7), OK);
	CHECK_EQ(t.upd.x, 10);
	CHECK_EQ(t.upd.y, 20);
	CHECK_EQ(t.upd.w, 30);
	CHECK_EQ(t.upd.h, 7);
	for (uint32_t r = 0; r < 7; r++)
		CHECK(memcmp(t.upd_px + r * 30 * 4, backing + (20 + r) * STRIDE + 40, 30 * 4) == 0);

	/* Switching what a scanout shows is one announcement, not a disable and an enable. */
	unsigned announced = t.nscanout;
	CHECK_RESP(t_set_scanout(&t, 0, 5, 0, 0, W - 1, H), OK);
	CHECK_EQ(t.nscanout, announced + 1);
	CHECK_EQ(t.scanout_w[0], W - 1);

	/* A scanout showing a sub-rectangle gets coordinates relative to itself. */
	CHECK_RESP(t_set_scanout(&t, 0, 5, 100, 10, 50, 40), OK);
	CHECK_RESP(t_flush(&t, 5, 0, 0, W, H), OK);
	CHECK_EQ(t.upd.x, 0);
	CHECK_EQ(t.upd.w, 50);
	CHECK_EQ(t.upd.h, 40);
	CHECK(memcmp(t.upd_px, backing + 10 * STRIDE + 400, 200) == 0);

	/* Guest memory changes under the device (a region leaves the table): a transfer
	 * whose backing is no longer there fails and changes nothing. */
	CHECK_RESP(t_set_scanout(&t, 0, 5, 0, 0, W, H), OK);
	uint8_t *fresh = malloc(size);
	for (uint64_t i = 0; i < size; i++)
		fresh[i] = (uint8_t)~backing[i];
	t_backing_write(&t, e, n, 0, fresh, size);
	t.mem.nregions = 1;
	vgb_device_mem_changed(t.dev);
	CHECK_RESP(t_transfer_2d(&t, 5, 0, 0, W, H, 0), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 5, 7, 0, 20, H, 28), E_PARAM);
	t.mem.nregions = 2;
	vgb_device_mem_changed(t.dev);
	CHECK_RESP(t_flush(&t, 5, 0, 0, W, H), OK);
	CHECK(memcmp(t.upd_px, backing, size) == 0); /* not one row of the fresh pixels */
	CHECK_RESP(t_transfer_2d(&t, 5, 0, 0, W, H, 0), OK);
	CHECK_RESP(t_flush(&t, 5, 0, 0, W, H), OK);
	CHECK(memcmp(t.upd_px, fresh, size) == 0);
	t_backing_write(&t, e, n, 0, backing, size);
	CHECK_RESP(t_transfer_2d(&t, 5, 0, 0, W, H, 0), OK);
	free(fresh);
	CHECK_RESP(t_set_scanout(&t, 0, 5, 100, 10, 50, 40), OK);

	/* A flush outside what the scanout shows updates nothing. */
	unsigned before = t.nupdates;
	CHECK_RESP(t_flush(&t, 5, 0, 60, 10, 10), OK);
	CHECK_EQ(t.nupdates, before);

	free(backing);
	free(img);
	t_fini(&t);
}

/* Random rectangles, random guest writes in between: the device always matches the model. */
static void test_transfer_random(void)
{
	struct t t;
	t_init(&t, NULL);
	uint64_t size = (uint64_t)STRIDE * H;
	struct vgb_entry e[256];
	uint32_t n = t_scatter(&t, size, e, 256, 29);
	uint8_t *backing = calloc(1, size), *img = calloc(1, size);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, W, H), OK);
	CHECK_RESP(t_attach(&t, 1, e, n), OK);
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, W, H), OK);
	uint32_t x = 99;
	for (int round = 0; round < 300; round++) {
		x = x * 1103515245u + 12345u;
		uint64_t from = (x >> 8) % size, len = 1 + (x >> 3) % 3000;
		if (len > size - from)
			len = size - from;
		for (uint64_t i = 0; i < len; i++)
			backing[from + i] = (uint8_t)(round * 31 + i);
		t_backing_write(&t, e, n, from, backing + from, len);
		x = x * 1103515245u + 12345u;
		uint32_t rx = (x >> 4) % W, ry = (x >> 16) % H;
		x = x * 1103515245u + 12345u;
		uint32_t rw = 1 + (x >> 4) % (W - rx), rh = 1 + (x >> 16) % (H - ry);
		uint64_t off = (uint64_t)ry * STRIDE + rx * 4;
		CHECK_RESP(t_transfer_2d(&t, 1, rx, ry, rw, rh, off), OK);
		model_transfer(img, backing, rx, ry, rw, rh, off);
		if (round % 10 == 0) {
			CHECK_RESP(t_flush(&t, 1, 0, 0, W, H), OK);
			CHECK(memcmp(t.upd_px, img, size) == 0);
		}
	}
	free(backing);
	free(img);
	t_fini(&t);
}

static void test_transfer_errors(void)
{
	struct t t;
	t_init(&t, NULL);
	struct vgb_entry e[64];
	uint32_t n = t_scatter(&t, (uint64_t)STRIDE * H, e, 64, 3);

	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, 1, 1, 0), E_RES);
	CHECK_RESP(t_create_2d(&t, 9, FMT_BGRA, W, H), OK);
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, 1, 1, 0), E_UNSPEC);   /* no backing */
	CHECK_RESP(t_flush(&t, 9, 0, 0, W, H), OK);                 /* not scanned out: nothing */
	CHECK_RESP(t_attach(&t, 9, e, n), OK);
	CHECK_RESP(t_attach(&t, 9, e, n), E_UNSPEC);                 /* already attached */
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, W + 1, 1, 0), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 9, 1, 0, W, 1, 0), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 9, 0, H, 1, 1, 0), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 9, 0xffffffffu, 0, 2, 1, 0), E_PARAM); /* x + w wraps */
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0xfffffff0u, 1, 0x20, 0), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, W, H, 1), E_PARAM);   /* one byte past the backing */
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, 1, 1, ~0ull - 2), E_PARAM); /* offset wraps */
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, 1, 1, (uint64_t)STRIDE * H - 4), OK);
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, 0, 0, 0), OK);        /* empty rectangle */
	CHECK_RESP(t_flush(&t, 9, 0, 0, W + 1, 1), E_PARAM);
	CHECK_RESP(t_flush(&t, 9, 0xffffffffu, 0, 1, 1), E_PARAM);
	CHECK_RESP(t_flush(&t, 77, 0, 0, 1, 1), E_RES);

	CHECK_RESP(t_detach(&t, 9), OK);
	CHECK_RESP(t_detach(&t, 9), E_UNSPEC);                       /* no backing */
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, 1, 1, 0), E_UNSPEC);
	CHECK_RESP(t_detach(&t, 10), E_RES);

	/* A backing shorter than the rectangle needs. */
	struct vgb_entry small = {t_alloc(&t, 0, 100), 100};
	CHECK_RESP(t_attach(&t, 9, &small, 1), OK);
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, 25, 1, 0), OK);
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, 26, 1, 0), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 9, 0, 0, 1, 2, 0), E_PARAM);

	/* The device still serves: a fresh resource works end to end. */
	CHECK_RESP(t_unref(&t, 9), OK);
	CHECK_RESP(t_unref(&t, 9), E_RES);
	CHECK_RESP(t_create_2d(&t, 9, FMT_BGRA, 2, 2), OK);
	t_fini(&t);
}

static void test_create_errors(void)
{
	struct t t;
	t_init(&t, NULL);
	CHECK_RESP(t_create_2d(&t, 0, FMT_BGRA, 4, 4), E_RES);
	CHECK_RESP(t_create_2d(&t, 1, 0, 4, 4), E_PARAM);
	CHECK_RESP(t_create_2d(&t, 1, 5, 4, 4), E_PARAM);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 0, 4), E_PARAM);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 0), E_PARAM);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 4), OK);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 4), E_RES);
	/* In use outranks a bad format (error table order). */
	CHECK_RESP(t_create_2d(&t, 1, 5, 4, 4), E_RES);
	/* Every format of the enum is accepted. */
	static const uint32_t formats[] = {1, 2, 3, 4, 67, 68, 121, 134};
	for (unsigned i = 0; i < 8; i++)
		CHECK_RESP(t_create_2d(&t, 100 + i, formats[i], 3, 3), OK);

	/* 65537 x 16384 x 4 bytes does not fit 32 bits; above max_blob_size: refused. */
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 65537, 16384), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 2, 0, 0, 65537, 16384, 0), E_RES);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 0xffffffffu, 0xffffffffu), E_PARAM);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 1u << 31, 1u << 31), E_PARAM); /* 2^64 bytes wraps to 0 */
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 1u << 30, 1u << 30), E_PARAM);
	t_fini(&t);

	/* With limits that allow it, the resource exists and transfers stay 64-bit exact. */
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.max_blob_size = 1ull << 33;
	cfg.max_host_memory = 1ull << 34;
	t_init(&t, &cfg);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 65537, 16384), OK);
	struct vgb_entry e = {t_alloc(&t, 1, 65537 * 4 * 2), 65537 * 4 * 2};
	memset(t_ptr(&t, e.addr), 0x5a, e.length);
	CHECK_RESP(t_attach(&t, 2, &e, 1), OK);
	CHECK_RESP(t_transfer_2d(&t, 2, 0, 0, 65537, 16384, 0), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 2, 65536, 16383, 1, 1, 0), OK);
	CHECK_RESP(t_transfer_2d(&t, 2, 0, 0, 65537, 2, 0), OK);
	CHECK_RESP(t_transfer_2d(&t, 2, 0, 0, 65537, 3, 0), E_PARAM);
	CHECK_RESP(t_transfer_2d(&t, 2, 0, 16383, 65537, 1, ~0ull - 1000), E_PARAM);
	CHECK_RESP(t_set_scanout(&t, 0, 2, 65000, 16000, 537, 384), OK);
	CHECK_RESP(t_flush(&t, 2, 65536, 16383, 1, 1), OK);
	CHECK_EQ(t.upd.w, 1);
	CHECK_RESP(t_unref(&t, 2), OK);
	CHECK_EQ(t.scanout_w[0], 0); /* unref disabled the scanout */
	t_fini(&t);

	/* No size limit at all: a size that wraps 64 bits is still refused. */
	vgb_device_config_defaults(&cfg);
	cfg.max_blob_size = ~0ull;
	t_init(&t, &cfg);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 1u << 31, 1u << 31), E_PARAM);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 1u << 20, 1u << 20), E_OOM); /* 4 TiB: host memory */
	t_fini(&t);

	/* Host memory exhaustion. */
	vgb_device_config_defaults(&cfg);
	cfg.max_host_memory = 1 << 20;
	cfg.max_resources = 3;
	t_init(&t, &cfg);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 1024, 1024), E_OOM);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 256, 256), OK);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 256, 256), OK);
	CHECK_RESP(t_create_2d(&t, 3, FMT_BGRA, 256, 256), OK);
	CHECK_RESP(t_create_2d(&t, 4, FMT_BGRA, 1, 1), E_OOM);      /* max_resources */
	CHECK_RESP(t_unref(&t, 3), OK);
	CHECK_RESP(t_create_2d(&t, 4, FMT_BGRA, 1, 1), OK);
	for (uint32_t id = 1; id <= 4; id++)
		CHECK_RESP(t_unref(&t, id), id == 3 ? E_RES : OK);
	CHECK_EQ(vgb_device_host_memory(t.dev), 0);
	t_fini(&t);
}

static void test_entries(void)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.max_entries = 8;
	struct t t;
	t_init(&t, &cfg);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 16, 16), OK);
	uint64_t a = t_alloc(&t, 0, 4096);
	struct vgb_entry e[9];
	for (int i = 0; i < 9; i++)
		e[i] = (struct vgb_entry){a + 100 * (uint64_t)i, 100};
	CHECK_RESP(t_attach(&t, 1, e, 0), E_UNSPEC);                 /* nr_entries 0 */
	CHECK_RESP(t_attach(&t, 1, e, 9), E_UNSPEC);                 /* above max_entries */
	struct vgb_entry zero = {a, 0};
	CHECK_RESP(t_attach(&t, 1, &zero, 1), E_UNSPEC);
	struct vgb_entry outside[] = {{0, 16}, {T_REGION1_GPA + T_REGION_SIZE - 8, 16},
				      {0x100000 + T_REGION_SIZE, 1}, {~0ull - 4, 16}};
	for (int i = 0; i < 4; i++)
		CHECK_RESP(t_attach(&t, 1, &outside[i], 1), E_UNSPEC);
	struct vgb_entry overlap[] = {{a, 200}, {a + 500, 10}, {a + 199, 10}};
	CHECK_RESP(t_attach(&t, 1, overlap, 3), E_UNSPEC);
	struct vgb_entry dup[] = {{a, 64}, {a, 64}};
	CHECK_RESP(t_attach(&t, 1, dup, 2), E_UNSPEC);
	/* An unknown resource outranks its unusable entries (error table order). */
	CHECK_RESP(t_attach(&t, 77, &zero, 1), E_RES);
	CHECK_RESP(t_attach(&t, 77, overlap, 3), E_RES);

	/* Wrong lengths are framing errors: ERR_UNSPEC. */
	uint8_t buf[32 + 16 * 2];
	memset(buf, 0, sizeof(buf));
	struct virtio_gpu_resource_attach_backing ab = {.resource_id = vgb_to_le32(1),
							.nr_entries = vgb_to_le32(2)};
	t_hdr(&ab.hdr, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0);
	memcpy(buf, &ab, sizeof(ab));
	CHECK_RESP(t_ctrl(&t, buf, sizeof(buf) - 1), E_UNSPEC);
	CHECK_RESP(t_ctrl(&t, buf, 32 + 16), E_UNSPEC);
	ab.nr_entries = vgb_to_le32(0x10000001u); /* * 16 wraps 32 bits */
	memcpy(buf, &ab, sizeof(ab));
	CHECK_RESP(t_ctrl(&t, buf, 32 + 16), E_UNSPEC);
	ab.nr_entries = vgb_to_le32(0xffffffffu);
	memcpy(buf, &ab, sizeof(ab));
	CHECK_RESP(t_ctrl(&t, buf, sizeof(buf)), E_UNSPEC);

	/* Requests longer than the transport reads: only a prefix reaches the device. */
	size_t max = vgb_device_max_request(t.dev);
	CHECK(max >= 56 + 8 * 16);
	ab.nr_entries = vgb_to_le32(100000);
	ab.hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	ab.hdr.fence_id = vgb_to_le64(99);
	memcpy(buf, &ab, sizeof(ab));
	uint8_t resp[64];
	CHECK_EQ(vgb_device_ctrl_oversized(t.dev, &t.mem, buf, 32, 32 + 16 * 100000, resp, sizeof(resp)), 24);
	struct virtio_gpu_ctrl_hdr rh;
	memcpy(&rh, resp, sizeof(rh));
	CHECK_RESP(vgb_le32(rh.type), E_UNSPEC);
	CHECK_EQ(vgb_le64(rh.fence_id), 99);
	/* Bytes after the entries are ignored; fewer bytes than the entries are framing. */
	CHECK_EQ(vgb_device_ctrl_oversized(t.dev, &t.mem, buf, 32, 32 + 16 * 100000 + 1, resp, sizeof(resp)), 24);
	memcpy(&rh, resp, sizeof(rh));
	CHECK_RESP(vgb_le32(rh.type), E_UNSPEC);
	CHECK_EQ(vgb_device_ctrl_oversized(t.dev, &t.mem, buf, 32, 32 + 16 * 100000 - 1, resp, sizeof(resp)), 24);
	memcpy(&rh, resp, sizeof(rh));
	CHECK_RESP(vgb_le32(rh.type), E_UNSPEC);
	CHECK_EQ(vgb_device_ctrl_oversized(t.dev, &t.mem, buf, 10, 1 << 20, resp, sizeof(resp)), 24);
	memcpy(&rh, resp, sizeof(rh));
	CHECK_RESP(vgb_le32(rh.type), E_UNSPEC);
	CHECK_EQ(vgb_device_ctrl_oversized(t.dev, &t.mem, buf, 32, 1 << 20, resp, 8), 0);
	/* A command that fits in what was read is served; the megabyte after it is ignored. */
	struct virtio_gpu_resource_create_2d big = {.resource_id = vgb_to_le32(77),
						    .format = vgb_to_le32(FMT_BGRA),
						    .width = vgb_to_le32(4), .height = vgb_to_le32(4)};
	t_hdr(&big.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0);
	CHECK_EQ(vgb_device_ctrl_oversized(t.dev, &t.mem, &big, sizeof(big), 1 << 20, resp, sizeof(resp)), 24);
	memcpy(&rh, resp, sizeof(rh));
	CHECK_RESP(vgb_le32(rh.type), OK);
	CHECK_RESP(t_unref(&t, 77), OK);

	/* Entries spanning both regions through many small pieces still work. */
	CHECK_RESP(t_attach(&t, 1, e, 8), OK);
	t_fini(&t);
}

static void test_scanout_and_detach(void)
{
	struct t t;
	t_init(&t, NULL);
	struct vgb_entry e = {t_alloc(&t, 0, 64 * 64 * 4), 64 * 64 * 4};
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 64, 64), OK);
	CHECK_RESP(t_attach(&t, 1, &e, 1), OK);
	CHECK_RESP(t_set_scanout(&t, 1, 1, 0, 0, 64, 64), E_SCANOUT);
	CHECK_RESP(t_set_scanout(&t, 0, 2, 0, 0, 64, 64), E_RES);
	CHECK_RESP(t_set_scanout(&t, 7, 2, 0, 0, 64, 64), E_RES);  /* unknown resource ranks first */
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, 65, 64), E_PARAM);
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, 0, 64), E_PARAM);
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0xffffffffu, 0, 2, 2), E_PARAM);
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, 64, 64), OK);
	CHECK_RESP(t_detach(&t, 1), E_PARAM);                       /* scanned out */
	CHECK_RESP(t_set_scanout(&t, 0, 0, 0, 0, 0, 0), OK);        /* disable */
	CHECK_EQ(t.scanout_w[0], 0);
	CHECK_RESP(t_detach(&t, 1), OK);

	/* Cursor: a 64x64 resource; move keeps the image. */
	uint32_t px = 0x11223344;
	memcpy(t_ptr(&t, e.addr), &px, 4);
	CHECK_RESP(t_attach(&t, 1, &e, 1), OK);
	CHECK_RESP(t_transfer_2d(&t, 1, 0, 0, 64, 64, 0), OK);
	struct virtio_gpu_update_cursor c;
	memset(&c, 0, sizeof(c));
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0);
	c.pos.x = vgb_to_le32(10);
	c.pos.y = vgb_to_le32(20);
	c.resource_id = vgb_to_le32(1);
	c.hot_x = vgb_to_le32(3);
	vgb_device_cursor(t.dev, &t.mem, &c, sizeof(c));
	CHECK_EQ(t.ncursor, 1);
	CHECK(t.cur.visible && t.cur.image);
	CHECK_EQ(t.cur.px0, px);
	CHECK_EQ(t.cur.hot_x, 3);
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_MOVE_CURSOR, 0);
	c.pos.x = vgb_to_le32(50);
	vgb_device_cursor(t.dev, &t.mem, &c, sizeof(c));
	CHECK_EQ(t.ncursor, 2);
	CHECK(t.cur.visible && !t.cur.image);
	CHECK_EQ(t.cur.x, 50);
	/* Bad cursor commands are ignored. */
	c.pos.scanout_id = vgb_to_le32(5);
	vgb_device_cursor(t.dev, &t.mem, &c, sizeof(c));
	vgb_device_cursor(t.dev, &t.mem, &c, sizeof(c) - 1);
	c.pos.scanout_id = 0;
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0);
	c.resource_id = vgb_to_le32(99);
	vgb_device_cursor(t.dev, &t.mem, &c, sizeof(c));
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	vgb_device_cursor(t.dev, &t.mem, &c, sizeof(c));
	CHECK_EQ(t.ncursor, 2);
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0);
	c.resource_id = 0; /* hide */
	vgb_device_cursor(t.dev, &t.mem, &c, sizeof(c));
	CHECK_EQ(t.ncursor, 3);
	CHECK(!t.cur.visible);
	t_fini(&t);
}

static void test_header_and_fences(void)
{
	struct t t;
	t_init(&t, NULL);
	struct virtio_gpu_resource_create_2d c;
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 7);
	c.resource_id = vgb_to_le32(1);
	c.format = vgb_to_le32(FMT_BGRA);
	c.width = c.height = vgb_to_le32(4);
	c.hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
	c.hdr.fence_id = vgb_to_le64(0x123456789abcull);
	c.hdr.ring_idx = 5;
	CHECK_RESP(t_ctrl(&t, &c, sizeof(c)), OK);
	struct virtio_gpu_ctrl_hdr r;
	memcpy(&r, t.resp, sizeof(r));
	CHECK_EQ(vgb_le32(r.flags), VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
	CHECK_EQ(vgb_le64(r.fence_id), 0x123456789abcull);
	CHECK_EQ(vgb_le32(r.ctx_id), 7);
	CHECK_EQ(r.ring_idx, 5);
	/* Errors echo the fence too. */
	CHECK_RESP(t_ctrl(&t, &c, sizeof(c)), E_RES);
	memcpy(&r, t.resp, sizeof(r));
	CHECK_EQ(vgb_le64(r.fence_id), 0x123456789abcull);
	/* Without FENCE nothing is echoed. */
	c.hdr.flags = 0;
	c.resource_id = vgb_to_le32(2);
	CHECK_RESP(t_ctrl(&t, &c, sizeof(c)), OK);
	memcpy(&r, t.resp, sizeof(r));
	CHECK_EQ(r.flags, 0);
	CHECK_EQ(r.fence_id, 0);
	CHECK_EQ(t.resp_len, 24);

	c.resource_id = vgb_to_le32(3);
	c.hdr.flags = vgb_to_le32(4);                               /* unknown flag */
	CHECK_RESP(t_ctrl(&t, &c, sizeof(c)), E_PARAM);
	c.hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_INFO_RING_IDX);
	c.hdr.ring_idx = 64;
	CHECK_RESP(t_ctrl(&t, &c, sizeof(c)), E_PARAM);
	c.hdr.ring_idx = 63;
	CHECK_RESP(t_ctrl(&t, &c, sizeof(c)), OK);
	/* Short requests, unknown types. */
	CHECK_RESP(t_ctrl(&t, &c, sizeof(c) - 1), E_UNSPEC);
	CHECK_RESP(t_ctrl(&t, &c, 23), E_UNSPEC);                    /* no whole header */
	CHECK_RESP(t_ctrl(&t, &c, 0), E_UNSPEC);
	struct virtio_gpu_ctrl_hdr h;
	static const uint32_t unknown[] = {0, 0xff, 0x10e, 0x20a, 0x300, 0x301, 0x1100, 0xffffffffu};
	for (unsigned i = 0; i < sizeof(unknown) / 4; i++) {
		t_hdr(&h, unknown[i], 0);
		CHECK_RESP(t_ctrl(&t, &h, sizeof(h)), E_UNSPEC);
	}
	/* A response buffer too small: nothing written. */
	t_hdr(&h, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	uint8_t small[100];
	memset(small, 0xee, sizeof(small));
	CHECK_EQ(vgb_device_ctrl(t.dev, &t.mem, &h, sizeof(h), small, sizeof(small)), 0);
	CHECK_EQ(small[0], 0xee);
	CHECK_EQ(vgb_device_ctrl(t.dev, &t.mem, &c, sizeof(c), small, 10), 0);
	/* Still serving. */
	CHECK_RESP(t_ctrl(&t, &h, sizeof(h)), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	t_fini(&t);
}

static void test_features_and_config(void)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.blob = cfg.virgl = cfg.context_init = cfg.edid = false;
	cfg.region_size = 0;
	struct t t;
	t_init(&t, &cfg);
	CHECK_EQ(vgb_device_features(t.dev), 0);
	uint8_t space[32];
	CHECK_EQ(vgb_device_config_space(t.dev, space, sizeof(space)), 16);
	struct vgb_gpu_config gc;
	memcpy(&gc, space, 16);
	CHECK_EQ(vgb_le32(gc.num_scanouts), 1);
	CHECK_EQ(vgb_le32(gc.num_capsets), 0);
	/* Commands of features not offered. */
	struct virtio_gpu_cmd_get_edid e = {.scanout = 0};
	t_hdr(&e.hdr, VIRTIO_GPU_CMD_GET_EDID, 0);
	CHECK_RESP(t_ctrl(&t, &e, sizeof(e)), E_UNSPEC);
	CHECK_RESP(t_create_blob(&t, 1, 0, 1, 0, 0, 4096, NULL, 0), E_UNSPEC);
	CHECK_RESP(t_map(&t, 1, 0), E_UNSPEC);
	CHECK_RESP(t_ctx_create(&t, 1, 0), E_UNSPEC);
	t_fini(&t);

	vgb_device_config_defaults(&cfg);
	cfg.blob_alignment = true;
	cfg.alignment = 16384;
	t_init(&t, &cfg);
	uint64_t f = vgb_device_features(t.dev);
	CHECK(f & (1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT));
	CHECK(f & (1ull << VIRTIO_GPU_F_RESOURCE_BLOB));
	CHECK(f & (1ull << VIRTIO_GPU_F_VIRGL));
	CHECK(!(f & (1ull << VIRTIO_GPU_F_RESOURCE_UUID)));
	CHECK_EQ(vgb_device_config_space(t.dev, space, sizeof(space)), 20);
	memcpy(&gc, space, 20);
	CHECK_EQ(vgb_le32(gc.blob_alignment), 16384);
	CHECK_EQ(vgb_le32(gc.num_capsets), 1);
	t_fini(&t);

	/* Inconsistent configurations are refused. */
	vgb_device_config_defaults(&cfg);
	cfg.alignment = 5000;
	CHECK(vgb_device_config_check(&cfg) != NULL);
	CHECK(vgb_device_new(&cfg, NULL) == NULL);
	vgb_device_config_defaults(&cfg);
	cfg.virgl = false;
	CHECK(vgb_device_config_check(&cfg) != NULL);
	vgb_device_config_defaults(&cfg);
	cfg.map_cache = VIRTIO_GPU_MAP_CACHE_NONE;
	CHECK(vgb_device_config_check(&cfg) != NULL);
	vgb_device_config_defaults(&cfg);
	cfg.num_scanouts = 17;
	CHECK(vgb_device_config_check(&cfg) != NULL);
	vgb_device_config_defaults(&cfg);
	cfg.alignment = 16384; /* a coarser granularity must be offered as BLOB_ALIGNMENT */
	CHECK(vgb_device_config_check(&cfg) != NULL);
	cfg.blob_alignment = true;
	CHECK(vgb_device_config_check(&cfg) == NULL);

	/* Without blobs there is no region, whatever its configured size. */
	vgb_device_config_defaults(&cfg);
	cfg.blob = false;
	struct vgb_device *dev = vgb_device_new(&cfg, NULL);
	CHECK(dev != NULL);
	CHECK_EQ(vgb_device_region_size(dev), 0);
	vgb_device_free(dev);
	vgb_device_config_defaults(&cfg);
	dev = vgb_device_new(&cfg, NULL);
	CHECK_EQ(vgb_device_region_size(dev), cfg.region_size);
	vgb_device_free(dev);
}

/* A host with pages above 4096 refuses a blob driver that declines BLOB_ALIGNMENT (REQ-DEV-FEAT-0070). */
static void test_large_pages(void)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.page_size = 65536; /* alignment below the page size is refused */
	CHECK(vgb_device_config_check(&cfg) != NULL);
	cfg.alignment = 65536;
	CHECK(vgb_device_config_check(&cfg) != NULL); /* above 4096 needs BLOB_ALIGNMENT */
	cfg.blob_alignment = true;
	CHECK(vgb_device_config_check(&cfg) == NULL);
	struct vgb_device *dev = vgb_device_new(&cfg, NULL);
	CHECK(dev != NULL);
	uint64_t all = vgb_device_features(dev), align = 1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT,
		 blob = 1ull << VIRTIO_GPU_F_RESOURCE_BLOB;
	CHECK(!vgb_device_set_features(dev, all & ~align));
	CHECK(vgb_device_set_features(dev, all));
	CHECK(vgb_device_set_features(dev, all & ~align & ~blob)); /* the copy path stays open */
	vgb_device_free(dev);
	/* Without a region nothing is placed at page offsets: nothing to refuse. */
	cfg.region_size = 0;
	dev = vgb_device_new(&cfg, NULL);
	CHECK(dev != NULL && vgb_device_set_features(dev, all & ~align));
	vgb_device_free(dev);
	/* Pages of 4096 bytes: declining only costs the coarser granularity. */
	vgb_device_config_defaults(&cfg);
	cfg.alignment = 65536;
	cfg.blob_alignment = true;
	dev = vgb_device_new(&cfg, NULL);
	CHECK(dev != NULL && vgb_device_set_features(dev, all & ~align));
	vgb_device_free(dev);
}

static void test_reset(void)
{
	struct t t;
	t_init(&t, NULL);
	struct vgb_entry e = {t_alloc(&t, 0, 4096), 4096};
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 32, 32), OK);
	CHECK_RESP(t_attach(&t, 1, &e, 1), OK);
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, 32, 32), OK);
	vgb_device_reset(t.dev);
	CHECK_EQ(t.scanout_w[0], 0);
	vgb_device_set_features(t.dev, vgb_device_features(t.dev));
	CHECK_RESP(t_flush(&t, 1, 0, 0, 1, 1), E_RES);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 32, 32), OK);
	t_fini(&t);
}

int main(void)
{
	test_display_info_and_edid();
	test_transfer_pixels();
	test_transfer_random();
	test_transfer_errors();
	test_create_errors();
	test_entries();
	test_scanout_and_detach();
	test_header_and_fences();
	test_features_and_config();
	test_large_pages();
	test_reset();
	return t_done("device-2d");
}
