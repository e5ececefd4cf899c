/* SPDX-License-Identifier: MIT */
/*
 * Validating mode, the checks beyond the rejected commands: config writes,
 * padding of command bodies and entries, ids from before a reset, mapping a
 * blob created without USE_MAPPABLE, and the SHOULDs reported as warnings
 * (never as violations).
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define CTX 4
#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define GUEST VIRTIO_GPU_BLOB_MEM_GUEST

static void init(struct t *t, void (*tweak)(struct vgb_device_config *))
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.validate = true;
	cfg.region_size = T_REGION_SIZE;
	if (tweak)
		tweak(&cfg);
	t_init(t, &cfg);
	t_clear_violations(t);
}

/* Exactly `n` reports of id (violations, or warnings when warning is set), nothing else. */
#define ONLY(t, warning, id, n)                                                                   \
	do {                                                                                      \
		unsigned got_ = (warning) ? t_warned(t, id) : t_violated(t, id);                  \
		unsigned all_ = (t)->nviolations + (t)->nwarnings;                                \
		if (got_ != (n) || all_ != (n)) {                                                 \
			fprintf(stderr, "%s:%d: expected %u %s of %s, saw %u of %u report(s)%s%s\n", \
				__FILE__, __LINE__, (unsigned)(n), (warning) ? "warning(s)" : "violation(s)", \
				id, got_, all_, (t)->nviolations ? ", first violation " : "",     \
				(t)->nviolations ? (t)->violations[0] : "");                      \
			t_failures++;                                                             \
		}                                                                                 \
		t_clear_violations(t);                                                            \
	} while (0)

#define NOTHING(t)                                                                        \
	do {                                                                              \
		CHECK_EQ((t)->nviolations, 0);                                            \
		CHECK_EQ((t)->nwarnings, 0);                                              \
		t_clear_violations(t);                                                    \
	} while (0)

static void offer_alignment(struct vgb_device_config *cfg)
{
	cfg->blob_alignment = true;
}

static void test_config_write(void)
{
	struct t t;
	init(&t, NULL);
	uint32_t v = 0xffffffffu;
	CHECK(vgb_device_config_write(t.dev, 4, &v, 4)); /* events_clear */
	NOTHING(&t);
	/* The whole config written back with only events_clear set, as QEMU passes it on. */
	struct vgb_gpu_config c;
	size_t size = vgb_device_config_space(t.dev, &c, sizeof(c));
	CHECK_EQ(size, 16);
	c.events_clear = vgb_to_le32(1);
	CHECK(vgb_device_config_write(t.dev, 0, &c, (uint32_t)size));
	NOTHING(&t);
	/* A partial write of another field is the driver's, whatever the value. */
	uint32_t zero = 0;
	CHECK(!vgb_device_config_write(t.dev, 0, &zero, 4)); /* events_read */
	ONLY(&t, false, "REQ-DRV-CFG-0002", 1);
	uint32_t two[2] = {v, v};
	CHECK(!vgb_device_config_write(t.dev, 4, two, 8)); /* events_clear and num_scanouts */
	ONLY(&t, false, "REQ-DRV-CFG-0002", 1);
	CHECK(vgb_device_config_write(t.dev, 6, &v, 2)); /* half of events_clear: fine */
	NOTHING(&t);
	/* A whole-config write carries the front-end's events_read / num_scanouts. */
	c.events_read = vgb_to_le32(1);
	c.num_scanouts = vgb_to_le32(2);
	CHECK(vgb_device_config_write(t.dev, 0, &c, (uint32_t)size));
	NOTHING(&t);
	/* Changing a field the device owns, or writing past the config. */
	uint32_t caps = vgb_to_le32(5);
	CHECK(!vgb_device_config_write(t.dev, 12, &caps, 4)); /* num_capsets */
	ONLY(&t, false, "REQ-DRV-CFG-0002", 1);
	c.num_capsets = caps;
	CHECK(!vgb_device_config_write(t.dev, 0, &c, (uint32_t)size));
	ONLY(&t, false, "REQ-DRV-CFG-0002", 1);
	CHECK(!vgb_device_config_write(t.dev, 16, &v, 4)); /* no blob_alignment field here */
	ONLY(&t, false, "REQ-DRV-CFG-0002", 1);
	CHECK(!vgb_device_config_write(t.dev, 0xfffffffcu, two, 8)); /* offset + len wraps */
	ONLY(&t, false, "REQ-DRV-CFG-0002", 1);
	t_fini(&t);
	/* With BLOB_ALIGNMENT the config has 20 bytes; blob_alignment is the device's. */
	init(&t, offer_alignment);
	size = vgb_device_config_space(t.dev, &c, sizeof(c));
	CHECK_EQ(size, 20);
	CHECK(vgb_device_config_write(t.dev, 0, &c, (uint32_t)size)); /* whole, unchanged */
	NOTHING(&t);
	c.blob_alignment = vgb_to_le32(8192);
	CHECK(!vgb_device_config_write(t.dev, 0, &c, (uint32_t)size));
	ONLY(&t, false, "REQ-DRV-CFG-0002", 1);
	uint32_t align = vgb_to_le32(4096);
	CHECK(!vgb_device_config_write(t.dev, 16, &align, 4)); /* partial: the driver's own write */
	ONLY(&t, false, "REQ-DRV-CFG-0002", 1);
	t_fini(&t);
}

static void test_blob_alignment_should(void)
{
	struct t t;
	init(&t, offer_alignment);
	uint64_t all = vgb_device_features(t.dev);
	uint64_t align = 1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT, blob = 1ull << VIRTIO_GPU_F_RESOURCE_BLOB;
	vgb_device_set_features(t.dev, all);
	NOTHING(&t);
	vgb_device_set_features(t.dev, all & ~align);
	ONLY(&t, true, "REQ-DRV-FEAT-0004", 1);
	vgb_device_set_features(t.dev, all & ~align & ~blob); /* no blobs: nothing to align */
	NOTHING(&t);
	t_fini(&t);
	/* Not offered: nothing to accept. */
	init(&t, NULL);
	vgb_device_set_features(t.dev, vgb_device_features(t.dev));
	NOTHING(&t);
	t_fini(&t);
}

static void test_map_unmappable(void)
{
	struct t t;
	init(&t, NULL);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 1, 1, 4096, 0), OK);
	CHECK_RESP(t_map(&t, 1, 0), E_PARAM);
	CHECK_EQ(t_violated(&t, "REQ-DRV-BLOB-0002"), 1);
	CHECK_EQ(t_violated(&t, "REQ-DRV-MAP-0003"), 1);
	CHECK_EQ(t.nviolations, 2);
	t_clear_violations(&t);
	/* A GUEST blob is not mappable whatever its flags: only the map rule. */
	struct vgb_entry e = {t_alloc(&t, 0, 8192), 4096};
	e.addr = (e.addr + 4095) & ~4095ull;
	CHECK_RESP(t_create_blob(&t, 2, 0, GUEST, MAPPABLE, 0, 4096, &e, 1), OK);
	NOTHING(&t);
	CHECK_RESP(t_map(&t, 2, 0), E_PARAM);
	ONLY(&t, false, "REQ-DRV-MAP-0003", 1);
	t_fini(&t);
}

static void test_ids_from_before_reset(void)
{
	struct t t;
	init(&t, NULL);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 4), OK);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 4, 4), OK);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	vgb_device_reset(t.dev);
	vgb_device_set_features(t.dev, vgb_device_features(t.dev));
	NOTHING(&t);
	/* Named after the reset: unknown (RES-0002) and from before the reset (RESET-0002). */
	CHECK_RESP(t_unref(&t, 1), E_RES);
	CHECK_EQ(t_violated(&t, "REQ-DRV-RESET-0002"), 1);
	CHECK_EQ(t_violated(&t, "REQ-DRV-RES-0002"), 1);
	CHECK_EQ(t.nviolations, 2);
	t_clear_violations(&t);
	CHECK_RESP(t_ctx_destroy(&t, CTX), E_CTX);
	CHECK_EQ(t_violated(&t, "REQ-DRV-RESET-0002"), 1);
	t_clear_violations(&t);
	/* Created again: named freely; an id never created is only unknown. */
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 4), OK);
	CHECK_RESP(t_unref(&t, 1), OK);
	NOTHING(&t);
	CHECK_RESP(t_unref(&t, 1), E_RES);
	ONLY(&t, false, "REQ-DRV-RES-0002", 1);
	CHECK_RESP(t_unref(&t, 77), E_RES);
	ONLY(&t, false, "REQ-DRV-RES-0002", 1);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	CHECK_RESP(t_ctx_destroy(&t, CTX), OK);
	NOTHING(&t);
	/* Still stale after a second reset: never created again. */
	vgb_device_reset(t.dev);
	vgb_device_set_features(t.dev, vgb_device_features(t.dev));
	CHECK_RESP(t_detach(&t, 2), E_RES);
	CHECK_EQ(t_violated(&t, "REQ-DRV-RESET-0002"), 1);
	t_fini(&t);
}

/* Fences grow within a timeline (REQ-DRV-FENCE-0001); a reset starts the timelines afresh. */
static void test_fences_across_reset(void)
{
	struct t t;
	init(&t, NULL);
	struct virtio_gpu_ctrl_hdr fh;
	t_hdr(&fh, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	fh.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	fh.fence_id = vgb_to_le64(5);
	t_ctrl(&t, &fh, sizeof(fh));
	NOTHING(&t);
	t_ctrl(&t, &fh, sizeof(fh)); /* 5 again: not strictly increasing */
	ONLY(&t, false, "REQ-DRV-FENCE-0001", 1);
	vgb_device_reset(t.dev);
	vgb_device_set_features(t.dev, vgb_device_features(t.dev));
	fh.fence_id = vgb_to_le64(1);
	t_ctrl(&t, &fh, sizeof(fh));
	NOTHING(&t);
	t_fini(&t);
}

/* A request of `len` bytes with byte `at` set non-zero. */
static uint32_t poked(struct t *t, const void *req, size_t len, size_t at)
{
	uint8_t buf[256];
	memcpy(buf, req, len);
	buf[at] = 0x5a;
	return t_ctrl(t, buf, len);
}

static void test_body_padding(void)
{
	struct t t;
	init(&t, NULL);
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 4), OK);
	NOTHING(&t);

	struct virtio_gpu_resource_flush f = {.r = {0, 0, vgb_to_le32(4), vgb_to_le32(4)},
					      .resource_id = vgb_to_le32(1)};
	t_hdr(&f.hdr, VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0);
	CHECK_RESP(t_ctrl(&t, &f, sizeof(f)), OK);
	NOTHING(&t);
	CHECK_RESP(poked(&t, &f, sizeof(f), offsetof(struct virtio_gpu_resource_flush, padding) + 3), OK);
	ONLY(&t, false, "REQ-DRV-CMD-0006", 1);

	struct virtio_gpu_get_capset_info ci = {.capset_index = 0};
	t_hdr(&ci.hdr, VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0);
	CHECK_RESP(poked(&t, &ci, sizeof(ci), offsetof(struct virtio_gpu_get_capset_info, padding)),
		   VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	ONLY(&t, false, "REQ-DRV-CMD-0006", 1);

	struct virtio_gpu_resource_map_blob m = {.resource_id = vgb_to_le32(99)};
	t_hdr(&m.hdr, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0);
	CHECK_RESP(poked(&t, &m, sizeof(m), offsetof(struct virtio_gpu_resource_map_blob, padding)), E_RES);
	CHECK_EQ(t_violated(&t, "REQ-DRV-CMD-0006"), 1);
	t_clear_violations(&t);

	/* Entry padding, in ATTACH_BACKING (the second of two entries). */
	uint64_t gpa = t_alloc(&t, 0, 3 * 4096);
	gpa = (gpa + 4095) & ~4095ull;
	struct {
		struct virtio_gpu_resource_attach_backing a;
		struct virtio_gpu_mem_entry e[2];
	} ab;
	memset(&ab, 0, sizeof(ab));
	t_hdr(&ab.a.hdr, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0);
	ab.a.resource_id = vgb_to_le32(1);
	ab.a.nr_entries = vgb_to_le32(2);
	ab.e[0] = (struct virtio_gpu_mem_entry){.addr = vgb_to_le64(gpa), .length = vgb_to_le32(4096)};
	ab.e[1] = (struct virtio_gpu_mem_entry){.addr = vgb_to_le64(gpa + 8192), .length = vgb_to_le32(4096)};
	CHECK_RESP(poked(&t, &ab, sizeof(ab), offsetof(__typeof__(ab), e[1].padding)), OK);
	ONLY(&t, false, "REQ-DRV-CMD-0006", 1);

	/* The cursor queue too. */
	struct virtio_gpu_update_cursor c = {.pos = {.scanout_id = 0}};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_MOVE_CURSOR, 0);
	uint8_t buf[sizeof(c)];
	memcpy(buf, &c, sizeof(c));
	vgb_device_cursor(t.dev, &t.mem, buf, sizeof(buf));
	NOTHING(&t);
	buf[offsetof(struct virtio_gpu_update_cursor, pos.padding)] = 1;
	vgb_device_cursor(t.dev, &t.mem, buf, sizeof(buf));
	ONLY(&t, false, "REQ-DRV-CMD-0006", 1);
	t_fini(&t);
}

static void many_entries(struct vgb_device_config *cfg)
{
	cfg->max_entries = 20000;
}

static void test_shoulds_are_warnings(void)
{
	struct t t;
	init(&t, NULL);
	uint64_t gpa = (t_alloc(&t, 0, 5 * 4096) + 4095) & ~4095ull;

	/* ENTRY-0005: entries of whole pages, or a warning. */
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 4, 4), OK);
	struct vgb_entry e = {gpa, 4096};
	CHECK_RESP(t_attach(&t, 1, &e, 1), OK);
	NOTHING(&t);
	CHECK_RESP(t_create_2d(&t, 2, FMT_BGRA, 4, 4), OK);
	struct vgb_entry odd[2] = {{gpa + 4096, 100}, {gpa + 8192 + 4, 4096}};
	CHECK_RESP(t_attach(&t, 2, odd, 2), OK);
	ONLY(&t, true, "REQ-DRV-ENTRY-0005", 1); /* once per command */

	/* BLOB-0006: a blob size of whole pages, or a warning. */
	struct vgb_entry page2 = {gpa + 3 * 4096, 8192};
	CHECK_RESP(t_create_blob(&t, 3, 0, GUEST, 0, 0, 5000, &page2, 1), OK);
	ONLY(&t, true, "REQ-DRV-BLOB-0006", 1);
	t_fini(&t);

	/* LIMIT-0001: more than 16384 entries, accepted by a device allowing more. */
	init(&t, many_entries);
	enum { N = 16385 };
	struct vgb_entry *es = calloc(N, sizeof(*es));
	uint64_t base = (t_alloc(&t, 1, (uint64_t)N * 256 + 4096) + 4095) & ~4095ull;
	for (unsigned i = 0; i < N; i++)
		es[i] = (struct vgb_entry){base + (uint64_t)i * 256, 256};
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 1024, 1024), OK);
	CHECK_RESP(t_attach(&t, 1, es, N), OK);
	CHECK_EQ(t_warned(&t, "REQ-DRV-LIMIT-0001"), 1);
	CHECK_EQ(t.nviolations, 0);
	t_fini(&t);
	/* ...and refused by a device allowing 16384: still a warning, not a violation. */
	init(&t, NULL);
	base = (t_alloc(&t, 1, (uint64_t)N * 256 + 4096) + 4095) & ~4095ull;
	for (unsigned i = 0; i < N; i++)
		es[i] = (struct vgb_entry){base + (uint64_t)i * 256, 256};
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 1024, 1024), OK);
	CHECK_RESP(t_attach(&t, 1, es, N), E_UNSPEC);
	CHECK_EQ(t_warned(&t, "REQ-DRV-LIMIT-0001"), 1);
	CHECK_EQ(t.nviolations, 0);
	free(es);
	t_fini(&t);
}

int main(void)
{
	test_config_write();
	test_blob_alignment_should();
	test_map_unmappable();
	test_ids_from_before_reset();
	test_fences_across_reset();
	test_body_padding();
	test_shoulds_are_warnings();
	return t_done("device-validate-more");
}
