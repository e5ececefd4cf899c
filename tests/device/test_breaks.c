/* SPDX-License-Identifier: MIT */
/*
 * The deliberately wrong behaviours (cfg.breaks, vgb-host --break): each one
 * changes exactly the behaviour it names, and without it the device behaves
 * correctly in the same scenario.  The conformance suite's view of the same
 * breaks is conformance/pytest/test_breaks.py.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define GUEST VIRTIO_GPU_BLOB_MEM_GUEST
#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define CTX 3

static void init(struct t *t, uint32_t breaks, uint32_t map_cache)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.region_size = T_REGION_SIZE;
	cfg.breaks = breaks;
	if (map_cache)
		cfg.map_cache = map_cache;
	t_init(t, &cfg);
}

static uint32_t map_info(struct t *t)
{
	struct virtio_gpu_resp_map_info r;
	memcpy(&r, t->resp, sizeof(r));
	return vgb_le32(r.map_info);
}

static void test_names(void)
{
	uint32_t bit, all = 0;
	const char *name, *what;
	unsigned n = 0;
	for (; (name = vgb_device_break_info(n, &bit, &what)); n++) {
		CHECK(bit && !(bit & (bit - 1)));
		CHECK(!(all & bit));
		all |= bit;
		CHECK_EQ(vgb_device_break_bit(name), bit);
		CHECK(what && *what);
	}
	CHECK_EQ(n, 12);
	CHECK_EQ(vgb_device_break_bit("no-such-break"), 0);
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.breaks = all;
	CHECK(vgb_device_config_check(&cfg) == NULL);
	cfg.breaks = all | (all + 1) << 1; /* a bit past the last one */
	CHECK(vgb_device_config_check(&cfg) != NULL);
}

static void test_map(uint32_t breaks)
{
	struct t t;
	init(&t, breaks, VIRTIO_GPU_MAP_CACHE_WC);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 8192, MAPPABLE), OK);

	/* Offsets off the granularity. */
	CHECK_RESP(t_map(&t, 1, 2048), breaks & VGB_BREAK_MAP_UNALIGNED_OK ? E_UNSPEC : E_PARAM);
	CHECK_EQ(t.nmaps, 0);

	CHECK_RESP(t_map(&t, 1, 4096), VIRTIO_GPU_RESP_OK_MAP_INFO);
	uint32_t want = VIRTIO_GPU_MAP_CACHE_WC;
	if (breaks & VGB_BREAK_MAP_INFO_NONE)
		want = VIRTIO_GPU_MAP_CACHE_NONE;
	else if (breaks & VGB_BREAK_MAP_INFO_WRONG)
		want = VIRTIO_GPU_MAP_CACHE_CACHED;
	CHECK_EQ(map_info(&t), want);
	CHECK_EQ(t.nmaps, 1);

	/* A second MAP: refused, or (broken) answered OK with nothing mapped again. */
	CHECK_RESP(t_map(&t, 1, 4096 * 8),
		   breaks & VGB_BREAK_MAP_DOUBLE_OK ? VIRTIO_GPU_RESP_OK_MAP_INFO : E_PARAM);
	CHECK_EQ(t.nmaps, 1);

	/* UNMAP: the range is released, or (broken) answered OK and left mapped. */
	CHECK_RESP(t_unmap(&t, 1), OK);
	CHECK_EQ(t.nunmaps, breaks & VGB_BREAK_UNMAP_KEEPS_MAPPING ? 0 : 1);
	CHECK_RESP(t_unmap(&t, 1), E_PARAM);

	/* UNREF of a mapped blob: implicit unmap, or (broken) the mapping stays. */
	CHECK_RESP(t_host_blob(&t, CTX, 2, 2, 4096, MAPPABLE), OK);
	CHECK_RESP(t_map(&t, 2, 4096 * 16), VIRTIO_GPU_RESP_OK_MAP_INFO);
	unsigned before = t.nunmaps;
	CHECK_RESP(t_unref(&t, 2), OK);
	CHECK_EQ(t.nunmaps - before, breaks & VGB_BREAK_UNREF_KEEPS_MAPPING ? 0 : 1);
	t_fini(&t);
}

static void test_map_unaligned_large_granularity(void)
{
	struct t t;
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.region_size = T_REGION_SIZE;
	cfg.alignment = 65536;
	cfg.blob_alignment = true;
	cfg.breaks = VGB_BREAK_MAP_UNALIGNED_OK;
	t_init(&t, &cfg);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 65536, MAPPABLE), OK);
	/* Page-aligned but not a multiple of the granularity: the broken device maps it. */
	CHECK_RESP(t_map(&t, 1, 32768), VIRTIO_GPU_RESP_OK_MAP_INFO);
	t_fini(&t);
}

static void test_transfer_last_row(uint32_t breaks)
{
	struct t t;
	init(&t, breaks, 0);
	const uint32_t w = 16, h = 5;
	uint64_t gpa = t_alloc(&t, 0, w * h * 4);
	uint8_t *g = t_ptr(&t, gpa);
	for (uint32_t i = 0; i < w * h * 4; i++)
		g[i] = (uint8_t)(i + 1);
	struct vgb_entry e = {.addr = gpa, .length = w * h * 4};
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, w, h), OK);
	CHECK_RESP(t_attach(&t, 1, &e, 1), OK);
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, w, h), OK);
	for (int partial = 0; partial < 2; partial++) {
		/* Full width is one span, a narrower rectangle one copy per row. */
		uint32_t tw = partial ? w - 1 : w;
		CHECK_RESP(t_transfer_2d(&t, 1, 0, 0, tw, h, 0), OK);
		CHECK_RESP(t_flush(&t, 1, 0, 0, w, h), OK);
		for (uint32_t y = 0; y < h; y++) {
			bool same = memcmp(t.upd_px + y * w * 4, g + y * w * 4, tw * 4) == 0;
			bool dropped = (breaks & VGB_BREAK_TRANSFER_SKIP_LAST_ROW) && y == h - 1;
			CHECK(same == !dropped);
		}
	}
	t_fini(&t);
}

static void test_guest_blob_stale(uint32_t breaks)
{
	struct t t;
	init(&t, breaks, 0);
	const uint32_t w = 20, h = 6, stride = 96, off = 8;
	uint64_t size = 4096;
	struct vgb_entry e[16];
	uint32_t n = t_scatter(&t, size, e, 16, 5);
	uint8_t *model = malloc(size), *first = malloc(size);
	for (uint64_t i = 0; i < size; i++)
		first[i] = (uint8_t)(i * 3 + 1);
	t_backing_write(&t, e, n, 0, first, size);
	CHECK_RESP(t_create_blob(&t, 1, 0, GUEST, 0, 0, size, e, n), OK);
	CHECK_RESP(t_scanout_blob(&t, 0, 1, w, h, stride, off), OK);
	for (uint64_t i = 0; i < size; i++)
		model[i] = (uint8_t)(i * 11 + 7);
	t_backing_write(&t, e, n, 0, model, size);
	CHECK_RESP(t_flush(&t, 1, 2, 1, 5, 3), OK);
	const uint8_t *shown = breaks & VGB_BREAK_GUEST_BLOB_STALE ? first : model;
	for (uint32_t y = 0; y < 3; y++)
		CHECK(memcmp(t.upd_px + y * 5 * 4, shown + off + (1 + y) * stride + 2 * 4, 5 * 4) == 0);
	free(model);
	free(first);
	t_fini(&t);
}

static void test_resource_id_error(uint32_t breaks)
{
	struct t t;
	init(&t, breaks, 0);
	uint32_t want = breaks & VGB_BREAK_ERR_RESOURCE_ID_AS_PARAM ? E_PARAM : E_RES;
	CHECK_RESP(t_unref(&t, 77), want);
	CHECK_RESP(t_detach(&t, 77), want);
	CHECK_RESP(t_map(&t, 77, 0), want);
	/* Creating with an id in use is another failure, not changed by the break. */
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 4), OK);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 4), E_RES);
	t_fini(&t);
}

static void test_fence_echo(uint32_t breaks)
{
	struct t t;
	init(&t, breaks, 0);
	struct virtio_gpu_ctrl_hdr h;
	t_hdr(&h, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	h.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	h.fence_id = vgb_to_le64(41);
	CHECK_RESP(t_ctrl(&t, &h, sizeof(h)), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	struct virtio_gpu_ctrl_hdr r;
	memcpy(&r, t.resp, sizeof(r));
	bool echoed = !(breaks & VGB_BREAK_FENCE_NO_ECHO);
	CHECK_EQ(vgb_le32(r.flags), echoed ? VIRTIO_GPU_FLAG_FENCE : 0);
	CHECK_EQ(vgb_le64(r.fence_id), echoed ? 41 : 0);
	t_fini(&t);
}

static void test_checksum(uint32_t breaks)
{
	struct t t;
	init(&t, breaks, 0);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 4096, 0), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 2, 2, 4096, MAPPABLE), OK);
	struct t_stream s = {0};
	ts_fill(&s, 1, 0x01020304u, 0, 4096);
	ts_checksum(&s, 1, 0, 13, 2, 0);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	CHECK_RESP(t_map(&t, 2, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	uint8_t data[13];
	for (int i = 0; i < 13; i++)
		data[i] = (uint8_t)(4 - i % 4); /* FILL writes the value little-endian */
	uint64_t got;
	memcpy(&got, t.shm, sizeof(got));
	size_t len = breaks & VGB_BREAK_CHECKSUM_OFF_BY_ONE ? 12 : 13;
	CHECK_EQ(vgb_le64(got), vgb_fnv1a64(data, len, VGB_FNV1A64_INIT));
	t_fini(&t);
}

/* The region shows the blob itself, or (broken) a copy taken at MAP that neither side updates. */
static void test_stale_copy(uint32_t breaks)
{
	struct t t;
	init(&t, breaks, 0);
	bool stale = breaks & VGB_BREAK_MAP_STALE_COPY;
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 8192, MAPPABLE), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 2, 2, 4096, MAPPABLE), OK);
	struct t_stream s = {0};
	ts_fill(&s, 1, 0x11111111u, 0, 8192);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	CHECK_RESP(t_map(&t, 1, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	CHECK_EQ(t.shm[0], 0x11); /* the copy was taken after the FILL: both views agree */
	/* Host -> guest: a later FILL reaches the mapping only without the break. */
	s.len = 0;
	ts_fill(&s, 1, 0x22222222u, 0, 8192);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	CHECK_EQ(t.shm[100], stale ? 0x11 : 0x22);
	/* Guest -> host: a write through the mapping reaches the host's checksum only without it. */
	memset(t.shm, 0x33, 16);
	s.len = 0;
	ts_checksum(&s, 1, 0, 16, 2, 0);
	CHECK_RESP(t_submit(&t, CTX, s.buf, s.len), OK);
	uint8_t want[16];
	memset(want, stale ? 0x22 : 0x33, sizeof(want));
	/* The result blob is one page (never copied), mapped after the CHECKSUM. */
	CHECK_RESP(t_map(&t, 2, 16384), VIRTIO_GPU_RESP_OK_MAP_INFO);
	uint64_t got;
	memcpy(&got, t.shm + 16384, sizeof(got));
	CHECK_EQ(vgb_le64(got), vgb_fnv1a64(want, 16, VGB_FNV1A64_INIT));
	CHECK_RESP(t_unmap(&t, 1), OK);
	t_fini(&t);
}

int main(void)
{
	test_names();
	static const uint32_t map_breaks[] = {
		0, VGB_BREAK_MAP_DOUBLE_OK, VGB_BREAK_MAP_INFO_NONE, VGB_BREAK_MAP_INFO_WRONG,
		VGB_BREAK_UNMAP_KEEPS_MAPPING, VGB_BREAK_UNREF_KEEPS_MAPPING, VGB_BREAK_MAP_UNALIGNED_OK,
	};
	for (size_t i = 0; i < sizeof(map_breaks) / sizeof(map_breaks[0]); i++)
		test_map(map_breaks[i]);
	test_map_unaligned_large_granularity();
	test_transfer_last_row(0);
	test_transfer_last_row(VGB_BREAK_TRANSFER_SKIP_LAST_ROW);
	test_guest_blob_stale(0);
	test_guest_blob_stale(VGB_BREAK_GUEST_BLOB_STALE);
	test_resource_id_error(0);
	test_resource_id_error(VGB_BREAK_ERR_RESOURCE_ID_AS_PARAM);
	test_fence_echo(0);
	test_fence_echo(VGB_BREAK_FENCE_NO_ECHO);
	test_checksum(0);
	test_checksum(VGB_BREAK_CHECKSUM_OFF_BY_ONE);
	test_stale_copy(0);
	test_stale_copy(VGB_BREAK_MAP_STALE_COPY);
	return t_done("device-breaks");
}
