/* SPDX-License-Identifier: MIT */
/*
 * The reference driver in scenarios beyond its self-check, under the
 * validating device: the CPU mapping attribute it picks against map_info,
 * several surfaces at non-zero region offsets (region offset and blob offset
 * must not be mixed up), a device that refuses a mapping, and a device reset.
 * Every violation the device records is a FAIL with its ID; what the driver
 * does inside the guest (its mapping attribute, where it writes, what it keeps)
 * is checked through its API and through the pixels the display receives.
 */
#include <stdio.h>
#include <string.h>

#include "../lib/run.h"
#include "../lib/validate.h"
#include "cases.h"

#ifdef VC_HAVE_DRIVER
#include "path.h"
#include "vgb/driver.h"
#include "../lib/trace.h"

#define FMT VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM
#define WAIT_MS 3000

struct vgb_drv *vc_ref_driver_open(struct vc *t)
{
	vc_stop_backend(t);
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	static char *argv[72];
	static char validate_arg[300];
	unsigned n = 0;
	while (t->target->argv && t->target->argv[n] && n < 64)
		argv[n] = t->target->argv[n], n++;
	snprintf(validate_arg, sizeof(validate_arg), "--validate=%s", t->validate_path);
	argv[n++] = validate_arg;
	argv[n] = NULL;
	o.fe.backend_argv = argv;
	o.fe.quiet = !t->target->verbose;
	o.fe.trace = t->trace ? &t->trace->hooks : NULL; /* the driver's exchange, for a failure's reproducer */
	char err[256] = "";
	struct vgb_drv *drv = vgb_drv_open(&o, err, sizeof(err));
	if (!drv)
		vc_error(t, "reference driver did not start: %s", err);
	return drv;
}

/* After the driver closed: every recorded violation is a FAIL (the first one names the ID). */
static enum vc_verdict violations_fail(struct vc *t, const char *scenario)
{
	struct vc_violations v;
	vc_read_violations(t, &v);
	if (!v.log_found)
		return vc_error(t, "validating mode wrote no log at %s", t->validate_path);
	if (v.n)
		return vc_fail(t, v.ids[0], "the reference driver broke %s %s: %s (%u reports)", v.ids[0],
			       scenario, v.first_detail, v.n);
	return vc_done(t);
}

enum { SHOWN = 0, NOT_SENT = -1, NOT_SEEN = -2 };

/*
 * Upload frame f to s, show it on scanout 0 and wait for it, pixel-exact: SHOWN,
 * NOT_SENT when the driver failed (why), NOT_SEEN when the display got other pixels.
 */
static int shown(struct vgb_drv *drv, struct vgb_surface *s, const struct vgb_frame *f, char *why,
		 size_t len)
{
	const struct vgb_fe_scanout *so = vgb_fe_scanout(vgb_drv_fe(drv), 0);
	uint64_t before = so ? so->updates : 0;
	if (vgb_surface_upload(drv, s, f) || vgb_surface_show(drv, s, 0)) {
		snprintf(why, len, "upload/show: %s", vgb_drv_error(drv));
		return NOT_SENT;
	}
	return vgb_wait_frame(drv, 0, f, before, WAIT_MS, why, len) ? NOT_SEEN : SHOWN;
}

/* The CPU mapping attribute the driver picks is never more cacheable than map_info. */
static enum vc_verdict cache_attribute(struct vc *t)
{
	struct vgb_drv *drv = vc_ref_driver_open(t);
	if (!drv)
		return vc_done(t);
	struct vgb_surface s;
	int r = vgb_surface_create(drv, VGB_PATH_MAPPED, FMT, 64, 32, &s);
	if (r || s.path != VGB_PATH_MAPPED) {
		vc_error(t, "no mapped surface (%d): %s", r, r ? vgb_drv_error(drv) : s.fallback_reason);
	} else {
		uint32_t mi = s.map.map_info;
		vc_check(t, mi == VIRTIO_GPU_MAP_CACHE_CACHED || !s.map.cacheable, R_DRV_CACHE_TYPE,
			 "map_info %u (not CACHED) and the driver maps the range cacheable", mi);
		if (mi == VIRTIO_GPU_MAP_CACHE_CACHED && !s.map.cacheable)
			vc_warn(t, R_DRV_CACHE_EXACT, "map_info CACHED and the driver maps the range uncached");
		vc_note(t, "map_info %u, mapped %s", mi, s.map.cacheable ? "cacheable" : "not cacheable");
	}
	vgb_surface_destroy(drv, &s);
	vgb_drv_close(drv);
	return vc_failed(t) ? vc_done(t) : violations_fail(t, "while mapping a surface");
}

/* The reference driver with up to six surfaces and their frames. */
struct scene {
	struct vgb_drv *drv;
	struct vgb_surface s[6];
	struct vgb_frame f[6];
	uint8_t *region;
	char why[256];
	const char *failed; /* what went wrong, or NULL */
	const char *id;     /* the requirement it breaks when the device saw nothing */
};

/* Surface i as a mapped surface of its frame's size, written through its mapping and shown. */
static bool scene_add(struct vc *t, struct scene *sc, unsigned i)
{
	struct vgb_surface *s = &sc->s[i];
	int r = vgb_surface_create(sc->drv, VGB_PATH_MAPPED, FMT, sc->f[i].width, sc->f[i].height, s);
	if (r || s->path != VGB_PATH_MAPPED) {
		snprintf(sc->why, sizeof(sc->why), "surface %u: %d: %s", i + 1, r,
			 r ? vgb_drv_error(sc->drv) : s->fallback_reason);
		sc->failed = "creating a mapped surface";
		return false;
	}
	if (!vc_check(t, s->map.ptr == sc->region + s->map.offset, R_DRV_MAP_AT_OFFSET,
		      "surface %u mapped at region offset %llu, but the driver writes it at %p (region %p)",
		      i + 1, (unsigned long long)s->map.offset, s->map.ptr, (void *)sc->region))
		return false;
	/* The writes go where they belong (checked above): a wrong picture is a wrong description. */
	int rc = shown(sc->drv, s, &sc->f[i], sc->why, sizeof(sc->why));
	if (rc != SHOWN) {
		sc->failed = "showing a surface";
		sc->id = rc == NOT_SEEN ? R_DRV_SCANOUT_LAYOUT : NULL;
		return false;
	}
	return true;
}

/* Surface i shown again (not written again) still shows its frame. */
static bool scene_again(struct scene *sc, unsigned i)
{
	const struct vgb_fe_scanout *so = vgb_fe_scanout(vgb_drv_fe(sc->drv), 0);
	uint64_t before = so ? so->updates : 0;
	if (vgb_surface_show(sc->drv, &sc->s[i], 0) ||
	    vgb_wait_frame(sc->drv, 0, &sc->f[i], before, WAIT_MS, sc->why, sizeof(sc->why))) {
		sc->failed = "showing an earlier surface again";
		sc->id = R_DRV_MAP_AT_OFFSET;
		return false;
	}
	return true;
}

/*
 * Mapped surfaces of different sizes, so all but the first sit at non-zero
 * region offsets: each is written through its mapping and shown, the earlier
 * ones keep their pixels, the range of a destroyed one and of an unmapped one
 * is reused, and the unmapped one maps again elsewhere with its pixels.  A
 * driver that writes at the blob offset instead of the region offset, passes
 * the region offset as a blob offset, or reuses a range it never unmapped,
 * shows other pixels or breaks a requirement the device checks.
 */
static enum vc_verdict surfaces(struct vc *t)
{
	static const uint32_t dims[6][2] = { { 64, 40 }, { 100, 30 }, { 40, 60 }, { 72, 20 },
					     { 40, 60 }, { 0, 0 } };
	struct scene sc;
	memset(&sc, 0, sizeof(sc));
	sc.drv = vc_ref_driver_open(t);
	if (!sc.drv)
		return vc_done(t);
	const struct vgb_drv_caps *caps = vgb_drv_caps(sc.drv);
	uint64_t unit = caps->map_granularity > 16384 ? caps->map_granularity : 16384;
	if (caps->region_size < 4 * unit) { /* at most four live at once, each at most 16 KiB or one granule */
		uint64_t size = caps->region_size;
		vgb_drv_close(sc.drv);
		return vc_not_supported(t, "a region of %llu bytes cannot hold the surfaces",
					(unsigned long long)size);
	}
	sc.region = caps->region;
	for (unsigned i = 0; i < 5; i++) {
		if (vgb_frame_init(&sc.f[i], dims[i][0], dims[i][1])) {
			vgb_drv_close(sc.drv);
			return vc_error(t, "out of memory");
		}
		vgb_frame_fill(&sc.f[i], 0x51u + i * 77);
	}
	bool ok = scene_add(t, &sc, 0) && scene_add(t, &sc, 1) && scene_again(&sc, 0) &&
		  scene_add(t, &sc, 2) && scene_again(&sc, 0) && scene_again(&sc, 1);
	/* The second goes (UNMAP + UNREF): the fourth may take its range. */
	if (ok && vgb_surface_destroy(sc.drv, &sc.s[1])) {
		snprintf(sc.why, sizeof(sc.why), "%s", vgb_drv_error(sc.drv));
		sc.failed = "destroying the second surface";
		ok = false;
	}
	ok = ok && scene_add(t, &sc, 3) && scene_again(&sc, 0) && scene_again(&sc, 2);
	/* The third is unmapped but kept: the fifth (its size) takes its range, the third maps again. */
	if (ok && vgb_drv_unmap(sc.drv, sc.s[2].resource_id)) {
		snprintf(sc.why, sizeof(sc.why), "%s", vgb_drv_error(sc.drv));
		sc.failed = "unmapping the third surface";
		ok = false;
	}
	if (ok) {
		sc.s[2].mapped = false;
		ok = scene_add(t, &sc, 4);
	}
	if (ok && vgb_drv_map(sc.drv, sc.s[2].resource_id, &sc.s[2].map)) {
		snprintf(sc.why, sizeof(sc.why), "%s", vgb_drv_error(sc.drv));
		sc.failed = "mapping the third surface again";
		ok = false;
	}
	if (ok) {
		sc.s[2].mapped = true;
		ok = scene_again(&sc, 2) && scene_again(&sc, 0) && scene_again(&sc, 3);
	}
	unsigned at_nonzero = 0;
	for (unsigned i = 0; i < 5; i++)
		at_nonzero += sc.s[i].resource_id && sc.s[i].mapped && sc.s[i].map.offset;
	vc_note(t, "%u surfaces at non-zero region offsets", at_nonzero);
	for (unsigned i = 0; i < 5; i++) {
		if (sc.s[i].resource_id)
			vgb_surface_destroy(sc.drv, &sc.s[i]);
		vgb_frame_fini(&sc.f[i]);
	}
	vgb_drv_close(sc.drv);
	if (vc_failed(t))
		return vc_done(t);
	enum vc_verdict v = violations_fail(t, "with several mapped surfaces");
	if (v != VC_PASS || !sc.failed)
		return v;
	if (sc.id)
		return vc_fail(t, sc.id, "%s: %s", sc.failed, sc.why);
	return vc_error(t, "%s: %s", sc.failed, sc.why);
}

/*
 * The device refuses a mapping (its transport could not place the memory:
 * ERR_UNSPEC, REQ-DEV-MAP-0010).  The driver treats the answer as a failure
 * with no effect: it gives the region range back, names no resource it did
 * not create, falls back to a GUEST blob, and maps the next surface where the
 * refused one would have gone.
 */
static enum vc_verdict error_response(struct vc *t)
{
	struct vgb_drv *drv = vc_ref_driver_open(t);
	if (!drv)
		return vc_done(t);
	struct vgb_surface a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	struct vgb_frame f;
	char why[256] = "";
	if (vgb_frame_init(&f, 48, 24)) {
		vgb_drv_close(drv);
		return vc_error(t, "out of memory");
	}
	vgb_frame_fill(&f, 0xe77u);
	vgb_fe_refuse_shmem_maps(vgb_drv_fe(drv), 1);
	int r = vgb_surface_create(drv, VGB_PATH_MAPPED, FMT, 48, 24, &a);
	if (r)
		vc_warn(t, R_DRV_XFER_FALLBACK_MAP, "a refused MAP_BLOB failed the surface (%d: %s) instead "
			"of a fallback", r, vgb_drv_error(drv));
	else if (!a.fell_back || a.path != VGB_PATH_GUEST_BLOB)
		vc_error(t, "the refused MAP_BLOB left the surface on the %s path", vgb_path_name(a.path));
	else
		vc_note(t, "fell back: %s", a.fallback_reason);
	/* What the refusal must not leave behind: the range the driver reserved for it. */
	vc_check(t, vgb_drv_region_used(drv) == 0, R_DRV_ERR_FAILED,
		 "after the refused MAP_BLOB the driver still holds %llu bytes of the region",
		 (unsigned long long)vgb_drv_region_used(drv));
	/* Showing the surfaces: judged after the device's own record (below). */
	const char *unshown = NULL;
	int rc = SHOWN;
	if (!r && !vc_failed(t) && (rc = shown(drv, &a, &f, why, sizeof(why))) != SHOWN)
		unshown = "the surface that fell back";
	if (!vc_failed(t) && !unshown) {
		r = vgb_surface_create(drv, VGB_PATH_MAPPED, FMT, 48, 24, &b);
		if (vc_check(t, r == 0 && b.path == VGB_PATH_MAPPED, R_DRV_ERR_FAILED,
			     "the next mapped surface failed (%d: %s)", r,
			     r ? vgb_drv_error(drv) : b.fallback_reason))
			vc_check(t, b.map.offset == 0, R_DRV_ERR_FAILED,
				 "the next surface mapped at %llu: the refused range was not given back",
				 (unsigned long long)b.map.offset);
		if (!vc_failed(t) && (rc = shown(drv, &b, &f, why, sizeof(why))) != SHOWN)
			unshown = "the mapped surface after the refusal";
	}
	vgb_surface_destroy(drv, &a);
	vgb_surface_destroy(drv, &b);
	vgb_frame_fini(&f);
	vgb_drv_close(drv);
	if (vc_failed(t)) {
		struct vc_violations v;
		vc_read_violations(t, &v);
		if (v.n)
			vc_note(t, "the device also recorded %s: %s", v.ids[0], v.first_detail);
		return vc_done(t);
	}
	enum vc_verdict v = violations_fail(t, "after a refused MAP_BLOB");
	if (v != VC_PASS || !unshown)
		return v;
	if (rc == NOT_SEEN)
		return vc_fail(t, R_DRV_SCANOUT_LAYOUT, "%s: %s", unshown, why);
	return vc_error(t, "%s: %s", unshown, why);
}

/* A surface on the best path, a device reset, and a surface again: nothing from before is named. */
static enum vc_verdict after_reset(struct vc *t)
{
	struct vgb_drv *drv = vc_ref_driver_open(t);
	if (!drv)
		return vc_done(t);
	enum vgb_path p = vgb_path_choose(drv);
	struct vgb_frame f;
	char why[256] = "";
	if (vgb_frame_init(&f, 40, 20)) {
		vgb_drv_close(drv);
		return vc_error(t, "out of memory");
	}
	vgb_frame_fill(&f, 0x7e5u);
	const char *failed = NULL;
	for (int round = 0; round < 2 && !failed; round++) {
		struct vgb_surface s;
		int r = vgb_surface_create(drv, p, FMT, 40, 20, &s);
		if (r) {
			snprintf(why, sizeof(why), "%s", vgb_drv_error(drv));
			failed = round ? "creating a surface after the reset" : "creating a surface";
		} else if (shown(drv, &s, &f, why, sizeof(why))) {
			failed = round ? "showing a surface after the reset" : "showing a surface";
		}
		/* Before the reset the surface is left as it is: the reset ends it. */
		if (round == 0 && !failed && vgb_drv_reset(drv)) {
			snprintf(why, sizeof(why), "%s", vgb_drv_error(drv));
			failed = "resetting the device";
		}
		if (round == 1 && !r)
			vgb_surface_destroy(drv, &s);
	}
	vc_note(t, "%s path", vgb_path_name(p));
	vgb_frame_fini(&f);
	vgb_drv_close(drv);
	enum vc_verdict v = violations_fail(t, "across a device reset");
	if (v == VC_PASS && failed)
		return vc_error(t, "%s: %s", failed, why);
	return v;
}
#endif

#define NEED_MAPPED (VC_NEED_VALIDATE | VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX)

const struct vc_case vc_cases_ref_driver[] = {
#ifdef VC_HAVE_DRIVER
	{ .name = "drv.ref.cache_attribute", IDS(R_DRV_CACHE_TYPE, R_DRV_CACHE_EXACT), .needs = NEED_MAPPED,
	  .run = cache_attribute, .timeout_s = 60,
	  .summary = "the reference driver maps a range no more cacheable than map_info" },
	{ .name = "drv.ref.surfaces", IDS(R_DRV_MAP_AT_OFFSET, R_DRV_SCANOUT_LAYOUT, R_DRV_MAP_OFFSET, R_DRV_MAP_PAST_END,
					  R_DRV_MAP_OVERLAP, R_DRV_UNMAP_UNMAPPED, R_DRV_SCANOUT_0001,
					  R_DRV_XFER_3D_RANGE),
	  .needs = NEED_MAPPED,
	  .run = surfaces, .timeout_s = 120,
	  .summary = "mapped surfaces at non-zero region offsets keep apart; ranges reused after unmap" },
	{ .name = "drv.ref.error_response", IDS(R_DRV_ERR_FAILED, R_DRV_XFER_FALLBACK_MAP, R_DRV_MAP_AT_OFFSET),
	  .needs = NEED_MAPPED, .run = error_response, .timeout_s = 60,
	  .summary = "a refused MAP_BLOB: the reference driver gives the range back and falls back" },
	{ .name = "drv.ref.after_reset", IDS(R_DRV_RESET_STALE, R_DRV_RES_0002, R_DRV_CTX_UNKNOWN),
	  .needs = VC_NEED_VALIDATE | VC_NEED_RESET, .run = after_reset, .timeout_s = 60,
	  .summary = "the reference driver names nothing from before a device reset" },
#endif
	{ 0 },
};
