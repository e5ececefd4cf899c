/* SPDX-License-Identifier: MIT */
/*
 * Every device response is untrusted: against a backend that breaks one rule
 * at a time (liar-backend), the driver reports a device error naming what was
 * wrong, never uses the bad data, and keeps its own state consistent.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

static const char *liar;

static struct vgb_drv *open_liar(const char *kind, struct vgb_drv_options *o, char *err, size_t len)
{
	char opt[64];
	snprintf(opt, sizeof(opt), "--lie=%s", kind);
	const char *args[] = { liar, opt, NULL };
	struct vgb_drv_options def;
	if (!o) {
		vgb_drv_options_defaults(&def);
		o = &def;
	}
	o->fe.backend_argv = (char *const *)args;
	o->fe.quiet = true;
	return vgb_drv_open(o, err, len);
}

/* The driver refuses to open a device whose features or config break the spec. */
static void refused_at_open(const char *kind, const char *why)
{
	char err[512] = "";
	struct vgb_drv *drv = open_liar(kind, NULL, err, sizeof(err));
	printf("%-22s open refused: %s\n", kind, err);
	CHECK(drv == NULL);
	CHECK(strstr(err, why) != NULL);
}

/* A command whose response breaks the rules: -EPROTO with a message naming it. */
static void display_info_rejected(const char *kind, bool fenced, const char *why)
{
	char err[512];
	struct vgb_drv *drv = open_liar(kind, NULL, err, sizeof(err));
	if (!drv) {
		fprintf(stderr, "%s: %s\n", kind, err);
		exit(1);
	}
	struct vgb_drv_display d[16];
	memset(d, 0, sizeof(d));
	if (fenced)
		vgb_drv_fence_next(drv, strcmp(kind, "fence-ring") == 0, 3);
	double t0 = h_now_ms();
	int ret = vgb_drv_display_info(drv, d, 16);
	printf("%-22s display info -> %d after %.0f ms: %s\n", kind, ret, h_now_ms() - t0, vgb_drv_error(drv));
	CHECK(ret < 0);
	CHECK(strstr(vgb_drv_error(drv), why) != NULL);
	CHECK(!d[0].enabled); /* nothing of a bad response is used */
	if (fenced)
		CHECK_EQ(vgb_drv_fence_completed(drv), 0);
	vgb_drv_close(drv);
}

static uint32_t mappable_blob(struct vgb_drv *drv)
{
	uint32_t id = vgb_drv_new_resource_id(drv);
	struct vgb_drv_blob_desc d = { .blob_mem = VIRTIO_GPU_BLOB_MEM_HOST3D,
				       .blob_flags = VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE,
				       .ctx_id = 1, .blob_id = 1, .size = 4096 };
	CHECK_EQ(vgb_drv_create_blob(drv, id, &d), 0);
	return id;
}

static void map_rejected(const char *kind, const char *why)
{
	char err[512];
	struct vgb_drv *drv = open_liar(kind, NULL, err, sizeof(err));
	CHECK(drv != NULL);
	uint32_t id = mappable_blob(drv);
	struct vgb_drv_mapping m;
	memset(&m, 0, sizeof(m));
	int ret = vgb_drv_map(drv, id, &m);
	printf("%-22s map -> %d: %s\n", kind, ret, vgb_drv_error(drv));
	CHECK_EQ(ret, -EPROTO);
	CHECK(strstr(vgb_drv_error(drv), why) != NULL);
	CHECK(m.ptr == NULL);
	/* The driver undid the mapping, so the blob is not mapped in its books. */
	CHECK_EQ(vgb_drv_unmap(drv, id), -ENOENT);
	vgb_drv_close(drv);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("SKIP: usage: test-guest-untrusted LIAR_BACKEND\n");
		return EXIT_SKIP;
	}
	liar = argv[1];

	refused_at_open("alignment-alone", "REQ-DEV-FEAT-0002");
	refused_at_open("context-init-alone", "REQ-DEV-FEAT-0001");
	refused_at_open("alignment-not-pow2", "REQ-DEV-CFG-0002");
	refused_at_open("alignment-small", "REQ-DEV-CFG-0003");
	refused_at_open("scanouts-17", "REQ-DEV-CFG-0005");

	display_info_rejected("wrong-type", false, "REQ-DEV-CMD-0013");
	display_info_rejected("unknown-type", false, "REQ-DEV-CMD-0013");
	display_info_rejected("short", false, "REQ-DEV-CMD-0008");
	display_info_rejected("zero-length", false, "REQ-DEV-CMD-0008");
	display_info_rejected("long-error", false, "REQ-DEV-ERR-0003");
	display_info_rejected("fence-dropped", true, "REQ-DEV-FENCE-0002");
	display_info_rejected("fence-id", true, "REQ-DEV-FENCE-0002");
	display_info_rejected("fence-ctx", true, "REQ-DEV-FENCE-0003");
	display_info_rejected("fence-ring", true, "REQ-DEV-FENCE-0004");
	display_info_rejected("fence-unasked", false, "fence it was not given");
	display_info_rejected("crash", false, "backend gone");

	/* A device that never answers: the call ends at the frontend's deadline. */
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	o.fe.timeout_ms = 1000;
	char err[512];
	struct vgb_drv *drv = open_liar("hang", &o, err, sizeof(err));
	CHECK(drv != NULL);
	struct vgb_drv_display d[16];
	double t0 = h_now_ms();
	int ret = vgb_drv_display_info(drv, d, 16);
	printf("%-22s display info -> %d after %.0f ms: %s\n", "hang", ret, h_now_ms() - t0, vgb_drv_error(drv));
	CHECK_EQ(ret, -ETIMEDOUT);
	CHECK(h_now_ms() - t0 < 5000);
	vgb_drv_close(drv);

	/* EDID and capset sizes beyond what the wire allows. */
	drv = open_liar("edid-size", NULL, err, sizeof(err));
	CHECK(drv != NULL);
	uint8_t edid[1024];
	uint32_t n = 0;
	CHECK_EQ(vgb_drv_edid(drv, 0, edid, sizeof(edid), &n), -EPROTO);
	vgb_drv_close(drv);
	drv = open_liar("capset-huge", NULL, err, sizeof(err));
	CHECK(drv != NULL);
	struct vgb_drv_capset_info ci;
	CHECK_EQ(vgb_drv_capset_info(drv, 0, &ci), -EPROTO);
	vgb_drv_close(drv);

	map_rejected("map-none", "REQ-DEV-CACHE-0001");
	map_rejected("map-unknown-cache", "REQ-DEV-CACHE-0001");
	map_rejected("map-unbacked", "REQ-DEV-MAP-0012");

	/* Bits above the cache mask are ignored on receipt. */
	drv = open_liar("map-high-bits", NULL, err, sizeof(err));
	CHECK(drv != NULL);
	uint32_t id = mappable_blob(drv);
	struct vgb_drv_mapping m;
	CHECK_EQ(vgb_drv_map(drv, id, &m), 0);
	CHECK_EQ(m.map_info, VIRTIO_GPU_MAP_CACHE_WC);
	CHECK(!m.cacheable);
	CHECK_EQ(vgb_drv_unmap(drv, id), 0);
	vgb_drv_close(drv);

	/* UNMAP answered while the range still reaches memory. */
	drv = open_liar("unmap-stale", NULL, err, sizeof(err));
	CHECK(drv != NULL);
	id = mappable_blob(drv);
	CHECK_EQ(vgb_drv_map(drv, id, &m), 0);
	ret = vgb_drv_unmap(drv, id);
	printf("%-22s unmap -> %d: %s\n", "unmap-stale", ret, vgb_drv_error(drv));
	CHECK_EQ(ret, -EPROTO);
	CHECK(strstr(vgb_drv_error(drv), "REQ-DEV-MAP-0016") != NULL);
	/* The range is not handed out again while it may still alias the blob. */
	uint32_t id2 = mappable_blob(drv);
	struct vgb_drv_mapping m2;
	CHECK_EQ(vgb_drv_map(drv, id2, &m2), 0);
	CHECK(m2.offset != m.offset);
	vgb_drv_close(drv);
	return 0;
}
