/* SPDX-License-Identifier: MIT */
#include "selfcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "coherency.h"

#define UPDATE_TIMEOUT_MS 3000
#define LOOP_ITERATIONS 200u
#define COH_BYTES (64u * 1024u)

const char *vgb_verdict_name(enum vgb_verdict v)
{
	return v == VGB_PASS ? "PASS" : v == VGB_FAIL ? "FAIL" : "NOT_SUPPORTED";
}

__attribute__((format(printf, 3, 4)))
static void set(struct vgb_path_result *r, enum vgb_verdict v, const char *fmt, ...)
{
	va_list ap;
	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static const char *cache_name(uint32_t mi)
{
	switch (mi) {
	case VIRTIO_GPU_MAP_CACHE_CACHED: return "CACHED";
	case VIRTIO_GPU_MAP_CACHE_UNCACHED: return "UNCACHED";
	case VIRTIO_GPU_MAP_CACHE_WC: return "WC";
	default: return "?";
	}
}

/* Coherency both ways and the producer/consumer loop; appends to r->detail. */
static void mapped_extras(struct vgb_drv *drv, struct vgb_path_result *r)
{
	char why[256] = "";
	struct vgb_coh c;
	size_t used = strlen(r->detail);
	if (vgb_coh_open(drv, COH_BYTES, &c, why, sizeof(why))) {
		set(r, VGB_FAIL, "frame ok; coherency set-up: %s", why);
		return;
	}
	if (vgb_coh_guest_to_host(&c, 11, why, sizeof(why))) {
		set(r, VGB_FAIL, "guest->host coherency: %s", why);
		goto out;
	}
	if (vgb_coh_host_to_guest(&c, 12, why, sizeof(why))) {
		set(r, VGB_FAIL, "host->guest coherency: %s", why);
		goto out;
	}
	struct vgb_staleness st;
	if (vgb_coh_producer_consumer(&c, 128, 96, LOOP_ITERATIONS, &st, why, sizeof(why))) {
		set(r, VGB_FAIL, "producer/consumer: %s", why);
		goto out;
	}
	snprintf(r->detail + used, sizeof(r->detail) - used,
		 "; coherent both ways (%s CPU mapping); producer/consumer %u strokes: staleness max %u median %u "
		 "iterations, visible after median %.0f us max %.0f us",
		 c.buf.cacheable ? "cacheable" : "non-cacheable", st.iterations, st.max_iters, st.median_iters, st.median_us,
		 st.max_us);
out:
	vgb_coh_close(&c);
}

void vgb_selfcheck_run(struct vgb_drv *drv, enum vgb_path p, bool expect_choice, struct vgb_path_result *r)
{
	const char *why = vgb_path_unavailable(drv, p);
	if (why) {
		set(r, VGB_NOT_SUPPORTED, "%s", why);
		return;
	}
	if (expect_choice && vgb_path_choose(drv) != p) {
		set(r, VGB_FAIL, "device set up for %s but the driver chose %s", vgb_path_name(p),
		    vgb_path_name(vgb_path_choose(drv)));
		return;
	}
	struct vgb_frame f;
	if (vgb_frame_init(&f, VGB_SELFCHECK_WIDTH, VGB_SELFCHECK_HEIGHT)) {
		set(r, VGB_FAIL, "out of memory");
		return;
	}
	vgb_frame_fill(&f, 0x1234u + (uint32_t)p);
	struct vgb_surface s;
	const uint32_t scanout = 0;
	int ret = vgb_surface_create(drv, p, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, f.width, f.height, &s);
	if (ret) {
		set(r, VGB_FAIL, "create %s surface: %s", vgb_path_name(p), vgb_drv_error(drv));
		goto out;
	}
	if (s.fell_back) {
		set(r, VGB_FAIL, "the mapped path could not be exercised, the driver fell back to %s: %s",
		    vgb_path_name(s.path), s.fallback_reason);
		goto out;
	}
	const struct vgb_fe_scanout *so = vgb_fe_scanout(vgb_drv_fe(drv), scanout);
	uint64_t before = so ? so->updates : 0;
	ret = vgb_surface_upload(drv, &s, &f);
	if (!ret)
		ret = vgb_surface_show(drv, &s, scanout);
	if (ret) {
		set(r, VGB_FAIL, "upload/show: %s", vgb_drv_error(drv));
		goto out;
	}
	char detail[256];
	if (vgb_wait_frame(drv, scanout, &f, before, UPDATE_TIMEOUT_MS, detail, sizeof(detail))) {
		set(r, VGB_FAIL, "%s", detail);
		goto out;
	}
	const char *from = p == VGB_PATH_MAPPED ? "a mapped host blob" : "scattered guest entries";
	unsigned entries = s.has_backing ? s.backing.nentries : 0;
	if (entries)
		set(r, VGB_PASS, "%ux%u frame from %u %s, pixel-exact in UPDATE", f.width, f.height, entries, from);
	else
		set(r, VGB_PASS, "%ux%u frame from %s (map_info %s), pixel-exact in UPDATE", f.width,
		    f.height, from, cache_name(s.map.map_info));
	/* Turn the scanout off before the resource goes away. */
	vgb_drv_set_scanout(drv, scanout, 0, (struct virtio_gpu_rect){ 0, 0, 0, 0 });
	if (p == VGB_PATH_MAPPED)
		mapped_extras(drv, r);
out:
	if (vgb_surface_destroy(drv, &s) && r->verdict == VGB_PASS)
		set(r, VGB_FAIL, "teardown: %s", vgb_drv_error(drv));
	vgb_frame_fini(&f);
}

void vgb_selfcheck_path(const struct vgb_drv_options *o, enum vgb_path p, struct vgb_path_result *r)
{
	char err[512];
	struct vgb_drv *drv = vgb_drv_open(o, err, sizeof(err));
	if (!drv) {
		set(r, VGB_FAIL, "cannot start the device: %s", err);
		return;
	}
	vgb_selfcheck_run(drv, p, true, r);
	vgb_drv_close(drv);
}
