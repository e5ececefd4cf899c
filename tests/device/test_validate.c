/* SPDX-License-Identifier: MIT */
/*
 * Validating mode: each broken driver requirement is reported with its
 * REQ-DRV-* id, a clean driver causes no report, and every id the device can
 * report exists in the spec (argv[1] = spec directory).
 */
#include "harness.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define CTX 4
#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define GUEST VIRTIO_GPU_BLOB_MEM_GUEST
#define HOST3D VIRTIO_GPU_BLOB_MEM_HOST3D

/* Runs `action`, then checks that exactly the report `id` appeared (once or more). */
#define EXPECT_VIOLATION(t, id, action)                                                    \
	do {                                                                               \
		t_clear_violations(t);                                                     \
		action;                                                                    \
		if (!t_violated(t, id) || t_violated(t, id) != (t)->nviolations) {         \
			fprintf(stderr, "%s:%d: expected only %s after %s, saw %u report(s)%s%s\n", \
				__FILE__, __LINE__, id, #action, (t)->nviolations,         \
				(t)->nviolations ? ", first " : "",                        \
				(t)->nviolations ? (t)->violations[0] : "");               \
			t_failures++;                                                      \
		}                                                                          \
	} while (0)

static struct vgb_device_config validating(void)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.validate = true;
	return cfg;
}

static void test_clean_driver_is_silent(void)
{
	struct vgb_device_config cfg = validating();
	struct t t;
	t_init(&t, &cfg);
	struct vgb_entry e = {t_alloc(&t, 0, 16384), 16384};
	CHECK_RESP(t_create_2d(&t, 1, FMT_BGRA, 64, 64), OK);
	CHECK_RESP(t_attach(&t, 1, &e, 1), OK);
	CHECK_RESP(t_transfer_2d(&t, 1, 0, 0, 64, 64, 0), OK);
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, 64, 64), OK);
	CHECK_RESP(t_flush(&t, 1, 0, 0, 64, 64), OK);
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 2, 2, 8192, MAPPABLE), OK);
	CHECK_RESP(t_map(&t, 2, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	CHECK_RESP(t_unmap(&t, 2), OK);
	CHECK_RESP(t_map(&t, 2, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	CHECK_RESP(t_unref(&t, 2), OK);                               /* implicit unmap is allowed */
	CHECK_EQ(t.nviolations, 0);
	t_fini(&t);

	/* Not validating: the same broken commands are answered but not reported. */
	t_init(&t, NULL);
	CHECK_RESP(t_create_2d(&t, 0, FMT_BGRA, 4, 4), E_RES);
	CHECK_RESP(t_map(&t, 5, 1), E_RES);
	CHECK_EQ(t.nviolations, 0);
	t_fini(&t);
}

static void test_reports(void)
{
	struct vgb_device_config cfg = validating();
	struct t t;
	t_init(&t, &cfg);
	uint64_t all = vgb_device_features(t.dev);

	EXPECT_VIOLATION(&t, "REQ-DRV-FEAT-0003", vgb_device_set_features(t.dev, all | 1u << 2));
	EXPECT_VIOLATION(&t, "REQ-DRV-FEAT-0001",
			 vgb_device_set_features(t.dev, 1u << VIRTIO_GPU_F_CONTEXT_INIT));
	vgb_device_set_features(t.dev, all & ~(1ull << VIRTIO_GPU_F_RESOURCE_BLOB));
	EXPECT_VIOLATION(&t, "REQ-DRV-FEAT-0040", t_map(&t, 1, 0));
	vgb_device_set_features(t.dev, all);

	struct virtio_gpu_resource_create_2d c;
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0);
	c.resource_id = vgb_to_le32(1);
	c.format = vgb_to_le32(FMT_BGRA);
	c.width = c.height = vgb_to_le32(64);
	EXPECT_VIOLATION(&t, "REQ-DRV-CMD-0001", t_ctrl(&t, &c, sizeof(c) - 4));
	EXPECT_VIOLATION(&t, "REQ-DRV-CMD-0002",
			 vgb_device_ctrl(t.dev, &t.mem, &c, sizeof(c), t.resp, 16));
	c.hdr.flags = vgb_to_le32(8);
	EXPECT_VIOLATION(&t, "REQ-DRV-CMD-0003", t_ctrl(&t, &c, sizeof(c)));
	c.hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_INFO_RING_IDX);
	c.hdr.ring_idx = 64;
	EXPECT_VIOLATION(&t, "REQ-DRV-CMD-0005", t_ctrl(&t, &c, sizeof(c)));
	c.hdr.flags = 0;
	c.hdr.ring_idx = 0;
	c.hdr.padding[1] = 1;
	EXPECT_VIOLATION(&t, "REQ-DRV-CMD-0006", t_ctrl(&t, &c, sizeof(c)));
	c.hdr.padding[1] = 0;
	CHECK_RESP(t_ctrl(&t, &c, sizeof(c)), E_RES);                /* the padded one was served */
	EXPECT_VIOLATION(&t, "REQ-DRV-RES-0001", t_ctrl(&t, &c, sizeof(c)));
	EXPECT_VIOLATION(&t, "REQ-DRV-RES-0001", t_create_2d(&t, 0, FMT_BGRA, 4, 4));
	EXPECT_VIOLATION(&t, "REQ-DRV-RES-0002", t_transfer_2d(&t, 77, 0, 0, 1, 1, 0));
	EXPECT_VIOLATION(&t, "REQ-DRV-RES-0002", t_unref(&t, 77));

	uint64_t a = t_alloc(&t, 0, 16384);
	struct vgb_entry outside = {0x10, 16}, zero = {a, 0}, overlap[2] = {{a, 32}, {a + 16, 32}};
	EXPECT_VIOLATION(&t, "REQ-DRV-ENTRY-0001", t_attach(&t, 1, &outside, 1));
	EXPECT_VIOLATION(&t, "REQ-DRV-ENTRY-0003", t_attach(&t, 1, overlap, 2));
	EXPECT_VIOLATION(&t, "REQ-DRV-ENTRY-0004", t_attach(&t, 1, &zero, 1));
	struct vgb_entry e = {a, 16384};
	CHECK_RESP(t_attach(&t, 1, &e, 1), OK);
	CHECK_RESP(t_set_scanout(&t, 0, 1, 0, 0, 64, 64), OK);
	EXPECT_VIOLATION(&t, "REQ-DRV-LIFE-0003", t_detach(&t, 1));

	EXPECT_VIOLATION(&t, "REQ-DRV-CTX-0001", t_ctx_create(&t, 0, 0));
	CHECK_RESP(t_ctx_create(&t, CTX, VGB_CAPSET_REFCTX), OK);
	EXPECT_VIOLATION(&t, "REQ-DRV-CTX-0001", t_ctx_create(&t, CTX, 0));
	uint32_t bad_len[2] = {vgb_to_le32(VGB_REFCTX_FREE), vgb_to_le32(8)};
	EXPECT_VIOLATION(&t, "REQ-DRV-CTX-0003", t_submit(&t, CTX, bad_len, 8));
	struct t_stream fill = {.len = 0};
	ts_fill(&fill, 1, 0, 0, 4); /* resource 1 exists but is not attached to the context */
	EXPECT_VIOLATION(&t, "REQ-DRV-CTX-0004", CHECK_RESP(t_submit(&t, CTX, fill.buf, fill.len), E_RES));

	/* Fences grow per timeline: the device's, and each (context, ring). */
	struct virtio_gpu_ctrl_hdr fh;
	t_hdr(&fh, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, CTX);
	fh.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	fh.fence_id = vgb_to_le64(10);
	t_clear_violations(&t);
	t_ctrl(&t, &fh, sizeof(fh));
	fh.fence_id = vgb_to_le64(11);
	t_ctrl(&t, &fh, sizeof(fh));
	fh.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
	fh.fence_id = vgb_to_le64(1);                               /* a ring has its own timeline */
	t_ctrl(&t, &fh, sizeof(fh));
	fh.ring_idx = 1;
	t_ctrl(&t, &fh, sizeof(fh));
	CHECK_EQ(t.nviolations, 0);
	EXPECT_VIOLATION(&t, "REQ-DRV-FENCE-0001", t_ctrl(&t, &fh, sizeof(fh)));
	fh.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	fh.fence_id = vgb_to_le64(11);
	EXPECT_VIOLATION(&t, "REQ-DRV-FENCE-0001", t_ctrl(&t, &fh, sizeof(fh)));

	struct vgb_entry g = {a, 4096};
	EXPECT_VIOLATION(&t, "REQ-DRV-BLOB-0001", t_create_blob(&t, 2, 0, 0, 0, 0, 4096, &g, 1));
	EXPECT_VIOLATION(&t, "REQ-DRV-BLOB-0007", t_create_blob(&t, 2, 0, GUEST, 0, 1, 4096, &g, 1));
	EXPECT_VIOLATION(&t, "REQ-DRV-BLOB-0008",
			 t_create_blob(&t, 2, CTX, HOST3D, 0, 1, 4096, &g, 1));
	EXPECT_VIOLATION(&t, "REQ-DRV-BLOB-0009",
			 t_create_blob(&t, 2, CTX, HOST3D, 0, 99, 4096, NULL, 0));
	EXPECT_VIOLATION(&t, "REQ-DRV-BLOB-0010", t_create_blob(&t, 2, 0, GUEST, 16, 0, 4096, &g, 1));
	EXPECT_VIOLATION(&t, "REQ-DRV-BLOB-0011", t_create_blob(&t, 2, 0, GUEST, 0, 0, 4097, &g, 1));

	CHECK_RESP(t_host_blob(&t, CTX, 3, 3, 8192, MAPPABLE), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 4, 4, 4096, MAPPABLE), OK);
	CHECK_RESP(t_host_blob(&t, CTX, 5, 5, 4096, 0), OK);
	CHECK_RESP(t_map(&t, 3, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	EXPECT_VIOLATION(&t, "REQ-DRV-MAP-0002", t_map(&t, 3, 65536));
	/* A host blob without USE_MAPPABLE: the blob rule and the map rule are both broken. */
	t_clear_violations(&t);
	t_map(&t, 5, 65536);
	CHECK(t_violated(&t, "REQ-DRV-MAP-0003") == 1 && t_violated(&t, "REQ-DRV-BLOB-0002") == 1 &&
	      t.nviolations == 2);
	EXPECT_VIOLATION(&t, "REQ-DRV-MAP-0003", t_map(&t, 1, 65536));
	EXPECT_VIOLATION(&t, "REQ-DRV-MAP-0004", t_map(&t, 4, 65537));
	EXPECT_VIOLATION(&t, "REQ-DRV-MAP-0005", t_map(&t, 4, t.cfg.region_size));
	EXPECT_VIOLATION(&t, "REQ-DRV-MAP-0006", t_map(&t, 4, 4096));
	EXPECT_VIOLATION(&t, "REQ-DRV-MAP-0010", t_unmap(&t, 4));
	EXPECT_VIOLATION(&t, "REQ-DRV-XFER-0009", t_transfer_2d(&t, 3, 0, 0, 1, 1, 0));
	EXPECT_VIOLATION(&t, "REQ-DRV-XFER-0040", t_transfer_3d(&t, true, CTX, 3, 8188, 4, 2, 1));
	EXPECT_VIOLATION(&t, "REQ-DRV-XFER-0040", t_transfer_3d(&t, true, CTX, 3, 8190, 4, 1, 1));

	struct vgb_entry ge = {t_alloc(&t, 1, 65536), 65536};
	CHECK_RESP(t_create_blob(&t, 6, 0, GUEST, 0, 0, 65536, &ge, 1), OK);
	EXPECT_VIOLATION(&t, "REQ-DRV-SCANOUT-0001", t_scanout_blob(&t, 0, 6, 128, 129, 512, 0));
	EXPECT_VIOLATION(&t, "REQ-DRV-SCANOUT-0002", t_scanout_blob(&t, 0, 6, 64, 64, 255, 0));
	struct virtio_gpu_set_scanout_blob sb;
	memset(&sb, 0, sizeof(sb));
	t_hdr(&sb.hdr, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, 0);
	sb.resource_id = vgb_to_le32(6);
	sb.r.width = sb.r.height = sb.width = sb.height = vgb_to_le32(16);
	sb.format = vgb_to_le32(FMT_BGRA);
	sb.strides[0] = vgb_to_le32(64);
	sb.offsets[2] = vgb_to_le32(4096);
	/* Planes 1..3 are the driver's to fill: upstream allows header and data planes. */
	t_clear_violations(&t);
	CHECK_RESP(t_ctrl(&t, &sb, sizeof(sb)), OK);
	CHECK_EQ(t.nviolations, 0);
	t_fini(&t);

	/* Requirements that need a device configured without something. */
	cfg = validating();
	cfg.region_size = 0;
	cfg.context_init = false;
	t_init(&t, &cfg);
	CHECK_RESP(t_ctx_create(&t, CTX, 0), OK);
	EXPECT_VIOLATION(&t, "REQ-DRV-XFER-0005", t_host_blob(&t, CTX, 1, 1, 4096, MAPPABLE));
	EXPECT_VIOLATION(&t, "REQ-DRV-MAP-0001", t_map(&t, 1, 0));
	EXPECT_VIOLATION(&t, "REQ-DRV-CTX-0002", t_ctx_create(&t, CTX + 1, VGB_CAPSET_REFCTX));
	struct virtio_gpu_ctrl_hdr h;
	t_hdr(&h, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	h.flags = vgb_to_le32(VIRTIO_GPU_FLAG_INFO_RING_IDX);
	EXPECT_VIOLATION(&t, "REQ-DRV-CMD-0004", t_ctrl(&t, &h, sizeof(h)));
	t_fini(&t);

	cfg = validating();
	cfg.virgl = cfg.context_init = false;
	t_init(&t, &cfg);
	EXPECT_VIOLATION(&t, "REQ-DRV-BLOB-0012", t_create_blob(&t, 1, 1, HOST3D, 0, 1, 4096, NULL, 0));
	t_fini(&t);

	cfg = validating();
	cfg.blob_alignment = true;
	cfg.alignment = 16384;
	t_init(&t, &cfg);
	struct vgb_entry ae = {t_alloc(&t, 0, 16384), 16384};
	EXPECT_VIOLATION(&t, "REQ-DRV-BLOB-0005", t_create_blob(&t, 1, 0, GUEST, 0, 0, 4096, &ae, 1));
	EXPECT_VIOLATION(&t, "REQ-DRV-FEAT-0002",
			 vgb_device_set_features(t.dev, 1u << VIRTIO_GPU_F_BLOB_ALIGNMENT));
	t_fini(&t);
}

/* Every id the device can report must exist in the spec. */
static void test_ids_exist_in_spec(const char *spec_dir)
{
	size_t total = 0;
	char *text = NULL;
	char path[4096];
	const char *subdirs[] = {"", "/chapters", "/appendices"};
	for (unsigned d = 0; d < 3; d++) {
		snprintf(path, sizeof(path), "%s%s", spec_dir, subdirs[d]);
		DIR *dir = opendir(path);
		if (!dir)
			continue;
		struct dirent *de;
		while ((de = readdir(dir))) {
			size_t nl = strlen(de->d_name);
			if (nl < 5 || strcmp(de->d_name + nl - 5, ".adoc"))
				continue;
			char file[4096 + 256];
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			FILE *f = fopen(file, "r");
			if (!f)
				continue;
			char buf[65536];
			size_t got;
			while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
				text = realloc(text, total + got + 1);
				memcpy(text + total, buf, got);
				total += got;
			}
			fclose(f);
		}
		closedir(dir);
	}
	if (!text) {
		fprintf(stderr, "no spec text under %s\n", spec_dir);
		t_failures++;
		return;
	}
	text[total] = '\0';
	const char *ids[128];
	size_t n = vgb_device_checked_requirements(ids, 128);
	CHECK(n > 30 && n <= 128);
	for (size_t i = 0; i < n && i < 128; i++) {
		/* Defined = an anchor "[[ID]]" or "[[ID,label]]". */
		char anchor[64];
		snprintf(anchor, sizeof(anchor), "[[%s", ids[i]);
		bool found = false;
		for (const char *p = strstr(text, anchor); p && !found; p = strstr(p + 1, anchor))
			found = p[strlen(anchor)] == ']' || p[strlen(anchor)] == ',';
		if (!found) {
			fprintf(stderr, "%s is reported by the device but not defined in the spec\n", ids[i]);
			t_failures++;
		}
	}
	free(text);
}

int main(int argc, char **argv)
{
	test_clean_driver_is_silent();
	test_reports();
	if (argc > 1)
		test_ids_exist_in_spec(argv[1]);
	else
		fprintf(stderr, "no spec directory given: id check skipped\n");
	return t_done("device-validate");
}
