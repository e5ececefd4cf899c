/* SPDX-License-Identifier: MIT */
/*
 * Driver under test: the reference device in validating mode records every
 * driver action that breaks a driver requirement (JSON lines {"id", "detail"}).
 * validate.*: the suite plays a misbehaving driver and the device must name
 *             the broken requirement (and a well-behaved sequence nothing);
 * ref.*:      the reference driver runs its self-check on each path, and every
 *             recorded violation is a FAIL with that ID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/json.h"
#include "../lib/run.h"
#include "cases.h"
#ifdef VC_HAVE_DRIVER
#include "path.h"
#include "selfcheck.h"
#include "vgb/driver.h"
#endif

#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE

struct violations {
	unsigned n;
	char ids[32][48];
	char first_detail[400];
	bool log_found;
};

/* Read the validating-mode log; the backend must have stopped (it is flushed then). */
static void read_violations(struct vc *t, struct violations *v)
{
	memset(v, 0, sizeof(*v));
	FILE *f = fopen(t->validate_path, "r");
	if (!f)
		return;
	v->log_found = true;
	char line[2048];
	while (fgets(line, sizeof(line), f)) {
		char err[64];
		struct vc_json *j = vc_json_parse(line, err, sizeof(err));
		const char *id = j ? vc_json_str(j, "id") : NULL;
		if (id && v->n < 32) {
			snprintf(v->ids[v->n], sizeof(v->ids[0]), "%s", id);
			if (v->n == 0) {
				const char *d = vc_json_str(j, "detail");
				snprintf(v->first_detail, sizeof(v->first_detail), "%s", d ? d : "");
			}
			v->n++;
		}
		vc_json_free(j);
	}
	fclose(f);
}

static bool has(const struct violations *v, const char *id)
{
	for (unsigned i = 0; i < v->n; i++)
		if (strcmp(v->ids[i], id) == 0)
			return true;
	return false;
}

static bool host_blob(struct vc *t, struct vc_host *h, uint32_t flags, uint32_t *res)
{
	return vc_host_open(t, h) &&
	       vc_expect(t, vc_host_blob(t, h, vc_map_granularity(t), flags, res),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)");
}

/* Stop the device and require `want` among the recorded violations. */
static enum vc_verdict expect_caught(struct vc *t, const char *want, const char *action)
{
	vc_stop_backend(t);
	struct violations v;
	read_violations(t, &v);
	if (!v.log_found)
		return vc_error(t, "validating mode wrote no log at %s", t->validate_path);
	vc_check(t, has(&v, want), want,
		 "the validating device did not report %s after the driver %s (%u other reports)",
		 want, action, v.n);
	vc_note(t, "%u violations recorded, first: %s %s", v.n, v.n ? v.ids[0] : "-",
		v.first_detail);
	return vc_done(t);
}

static enum vc_verdict caught_map_double(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	VC_TRY(host_blob(t, &h, MAPPABLE, &res));
	uint64_t g = vc_map_granularity(t);
	VC_TRY(vc_expect(t, vc_map(t, res, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB"));
	vc_map(t, res, g, NULL); /* the misbehaviour */
	VC_TRY(!vc_failed(t));
	return expect_caught(t, R_DRV_MAP_DOUBLE, "mapped an already mapped blob");
}

static enum vc_verdict caught_map_unmappable(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	VC_TRY(host_blob(t, &h, 0, &res));
	vc_map(t, res, 0, NULL);
	VC_TRY(!vc_failed(t));
	return expect_caught(t, R_DRV_MAP_UNMAPPABLE, "mapped a blob created without USE_MAPPABLE");
}

static enum vc_verdict caught_unmap_unmapped(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	VC_TRY(host_blob(t, &h, MAPPABLE, &res));
	vc_unmap(t, res);
	VC_TRY(!vc_failed(t));
	return expect_caught(t, R_DRV_UNMAP_UNMAPPED, "unmapped a blob that was not mapped");
}

/* A correct sequence must leave the log empty: the validator must not cry wolf. */
static enum vc_verdict clean_sequence(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	VC_TRY(host_blob(t, &h, MAPPABLE, &res));
	VC_TRY(vc_expect(t, vc_map(t, res, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB"));
	VC_TRY(vc_expect(t, vc_unmap(t, res), VIRTIO_GPU_RESP_OK_NODATA, R_UNMAP_OK, "UNMAP_BLOB"));
	VC_TRY(vc_expect(t, vc_unref(t, res), VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF"));
	vc_stop_backend(t);
	struct violations v;
	read_violations(t, &v);
	if (!v.log_found)
		return vc_error(t, "validating mode wrote no log at %s", t->validate_path);
	if (v.n)
		return vc_error(t, "validating device reported %s (%s) for a correct sequence", v.ids[0],
				v.first_detail);
	return vc_done(t);
}

#ifdef VC_HAVE_DRIVER
/* The reference driver's self-check on one path, under the validating device. */
static enum vc_verdict ref_driver_path(struct vc *t)
{
	enum vgb_path p = (enum vgb_path)(uintptr_t)t->c->data;
	vc_stop_backend(t); /* the driver brings its own frontend */
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	char *argv[72];
	char validate_arg[300];
	unsigned n = 0;
	while (t->target->argv && t->target->argv[n] && n < 64)
		argv[n] = t->target->argv[n], n++;
	snprintf(validate_arg, sizeof(validate_arg), "--validate=%s", t->validate_path);
	argv[n++] = validate_arg;
	argv[n] = NULL;
	o.fe.backend_argv = argv;
	o.fe.quiet = !t->target->verbose;
	char err[256] = "";
	struct vgb_drv *drv = vgb_drv_open(&o, err, sizeof(err));
	if (!drv)
		return vc_error(t, "reference driver did not start: %s", err);
	const char *why = vgb_path_unavailable(drv, p);
	if (why) {
		vgb_drv_close(drv);
		return vc_not_supported(t, "%s", why);
	}
	struct vgb_path_result r;
	vgb_selfcheck_run(drv, p, false, &r);
	vgb_drv_close(drv);
	struct violations v;
	read_violations(t, &v);
	if (!v.log_found)
		return vc_error(t, "validating mode wrote no log at %s", t->validate_path);
	if (v.n)
		return vc_fail(t, v.ids[0], "reference driver broke %s on the %s path: %s (%u reports)",
			       v.ids[0], vgb_path_name(p), v.first_detail, v.n);
	if (r.verdict == VGB_FAIL)
		return vc_error(t, "reference driver self-check failed without a driver violation: %s",
				r.detail);
	vc_note(t, "self-check %s: %s", vgb_verdict_name(r.verdict), r.detail);
	return vc_done(t);
}
#endif

#define NEED_V (VC_NEED_VALIDATE | VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX)

const struct vc_case vc_cases_driver[] = {
	{ .name = "drv.validate.map_double", IDS(R_DRV_MAP_DOUBLE), .needs = NEED_V,
	  .run = caught_map_double,
	  .summary = "a driver mapping an already mapped blob is reported by ID" },
	{ .name = "drv.validate.map_unmappable", IDS(R_DRV_MAP_UNMAPPABLE), .needs = NEED_V,
	  .run = caught_map_unmappable,
	  .summary = "a driver mapping a non-mappable blob is reported by ID" },
	{ .name = "drv.validate.unmap_unmapped", IDS(R_DRV_UNMAP_UNMAPPED), .needs = NEED_V,
	  .run = caught_unmap_unmapped,
	  .summary = "a driver unmapping an unmapped blob is reported by ID" },
	{ .name = "drv.validate.clean", IDS(R_DRV_MAP_DOUBLE, R_DRV_UNMAP_UNMAPPED), .needs = NEED_V,
	  .run = clean_sequence, .summary = "a correct map/unmap/unref sequence reports nothing" },
#ifdef VC_HAVE_DRIVER
	{ .name = "drv.ref.mapped", IDS(R_DRV_MAP_DOUBLE, R_DRV_MAP_UNMAPPABLE), .needs = VC_NEED_VALIDATE,
	  .run = ref_driver_path, .data = (const void *)(uintptr_t)VGB_PATH_MAPPED, .timeout_s = 120,
	  .summary = "reference driver, mapped path: no driver requirement broken" },
	{ .name = "drv.ref.guest_blob", IDS(R_DRV_MAP_UNMAPPABLE), .needs = VC_NEED_VALIDATE,
	  .run = ref_driver_path, .data = (const void *)(uintptr_t)VGB_PATH_GUEST_BLOB, .timeout_s = 120,
	  .summary = "reference driver, guest-blob path: no driver requirement broken" },
	{ .name = "drv.ref.copy", IDS(R_DRV_MAP_UNMAPPABLE), .needs = VC_NEED_VALIDATE,
	  .run = ref_driver_path, .data = (const void *)(uintptr_t)VGB_PATH_COPY, .timeout_s = 120,
	  .summary = "reference driver, copy path: no driver requirement broken" },
#endif
	{ 0 },
};
