/* SPDX-License-Identifier: MIT */
/*
 * Driver under test: the reference device in validating mode records every
 * driver action that breaks a driver requirement (JSON lines {"id", "detail"}).
 * validate.*: the suite plays a misbehaving driver and the device must name
 *             the broken requirement (and a well-behaved sequence nothing);
 * ref.*:      the reference driver runs its self-check on each path, and every
 *             recorded violation is a FAIL with that ID.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/json.h"
#include "../lib/run.h"
#include "../lib/trace.h"
#include "../lib/validate.h"
#include "cases.h"
#include "vgb/refctx.h"
#ifdef VC_HAVE_DRIVER
#include "path.h"
#include "selfcheck.h"
#include "vgb/driver.h"
#endif

#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE

static bool host_blob(struct vc *t, struct vc_host *h, uint32_t flags, uint32_t *res)
{
	return vc_host_open(t, h) &&
	       vc_expect(t, vc_host_blob(t, h, vc_map_granularity(t), flags, res),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)");
}

/* After the misbehaviour (unless setting it up failed): the device must report `want`. */
static enum vc_verdict caught(struct vc *t, const char *want, const char *action)
{
	if (vc_failed(t))
		return vc_done(t);
	return vc_expect_violation(t, want, action);
}

/* A reference-context FILL of the first 64 bytes of resource id. */
static void submit_fill(struct vc *t, uint32_t ctx_id, uint32_t id)
{
	struct vgb_refctx_fill f = { { vgb_to_le32(VGB_REFCTX_FILL), vgb_to_le32(sizeof(f)) },
				     vgb_to_le32(id), vgb_to_le32(1), 0, vgb_to_le64(64) };
	vc_submit_3d(t, ctx_id, &f, sizeof(f));
}

/*
 * SHOULDs not met are logged as {"warning": ID} (vc_read_violations counts only
 * broken MUSTs): how many, whether `want` is among them, the first detail.
 */
static unsigned read_warnings(struct vc *t, const char *want, bool *found, char *first, size_t len,
			      char first_id[48])
{
	unsigned n = 0;
	*found = false;
	first[0] = '\0';
	first_id[0] = '\0';
	FILE *f = fopen(t->validate_path, "r");
	if (!f)
		return 0;
	char line[2048];
	while (fgets(line, sizeof(line), f)) {
		char err[64];
		struct vc_json *j = vc_json_parse(line, err, sizeof(err));
		const char *id = j ? vc_json_str(j, "warning") : NULL;
		if (id) {
			if (!n++) {
				const char *d = vc_json_str(j, "detail");
				snprintf(first, len, "%s: %s", id, d ? d : "");
				snprintf(first_id, 48, "%s", id);
			}
			if (want && !strcmp(id, want))
				*found = true;
		}
		vc_json_free(j);
	}
	fclose(f);
	return n;
}

/* Stop the device and require a warning naming `want` (a SHOULD the suite did not meet). */
static enum vc_verdict expect_warning(struct vc *t, const char *want, const char *action)
{
	vc_stop_backend(t);
	struct vc_violations v;
	vc_read_violations(t, &v);
	if (!v.log_found)
		return vc_error(t, "validating mode wrote no log at %s", t->validate_path);
	bool found;
	char first[400], first_id[48];
	unsigned n = read_warnings(t, want, &found, first, sizeof(first), first_id);
	vc_check(t, found, want, "the validating device did not warn of %s after the driver %s (%u other "
		 "warnings%s%s)", want, action, n, n ? ", first " : "", first);
	vc_note(t, "%u warnings, first: %s", n, n ? first : "-");
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
	return caught(t, R_DRV_MAP_DOUBLE, "mapped an already mapped blob");
}

static enum vc_verdict caught_map_unmappable(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	VC_TRY(host_blob(t, &h, 0, &res));
	vc_map(t, res, 0, NULL);
	return caught(t, R_DRV_MAP_UNMAPPABLE, "mapped a blob created without USE_MAPPABLE");
}

static enum vc_verdict caught_unmap_unmapped(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	VC_TRY(host_blob(t, &h, MAPPABLE, &res));
	vc_unmap(t, res);
	return caught(t, R_DRV_UNMAP_UNMAPPED, "unmapped a blob that was not mapped");
}

static enum vc_verdict caught_map_unaligned(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	VC_TRY(host_blob(t, &h, MAPPABLE, &res));
	vc_map(t, res, vc_map_granularity(t) / 2, NULL);
	return caught(t, R_DRV_MAP_OFFSET, "mapped at half the map granularity");
}

static enum vc_verdict caught_map_past_end(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t rsize;
	VC_TRY(host_blob(t, &h, MAPPABLE, &res));
	vc_region(t, &rsize);
	vc_map(t, res, rsize, NULL);
	return caught(t, R_DRV_MAP_PAST_END, "mapped at the region end");
}

static enum vc_verdict caught_map_overlap(struct vc *t)
{
	struct vc_host h;
	uint32_t a, b;
	VC_TRY(host_blob(t, &h, MAPPABLE, &a));
	VC_TRY(vc_expect(t, vc_host_blob(t, &h, vc_map_granularity(t), MAPPABLE, &b),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)"));
	VC_TRY(vc_expect(t, vc_map(t, a, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB"));
	vc_map(t, b, 0, NULL);
	return caught(t, R_DRV_MAP_OVERLAP, "mapped over a live mapping");
}

static enum vc_verdict caught_map_no_region(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	VC_TRY(host_blob(t, &h, 0, &res));
	vc_map(t, res, 0, NULL);
	return caught(t, R_DRV_MAP_NO_REGION, "sent MAP_BLOB to a device without a region");
}

static enum vc_verdict caught_unattached(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint64_t g = vc_map_granularity(t), gpa = vc_alloc(t, g);
	VC_TRY(gpa);
	struct vgb_sg e = { gpa, (uint32_t)g };
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, g, &e, 1),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST)"));
	/* The misbehaviour: a FILL naming the blob, never attached to the context. */
	submit_fill(t, h.ctx_id, id);
	return caught(t, R_DRV_CTX_ATTACH, "named a blob it never attached to the context");
}

static enum vc_verdict caught_detach_scanned_out(struct vc *t)
{
	uint32_t id = vc_new_id(t);
	uint64_t gpa = vc_alloc(t, 16 * 16 * 4);
	VC_TRY(gpa);
	struct vgb_sg e = { gpa, 16 * 16 * 4 };
	VC_TRY(vc_expect(t, vc_create_2d(t, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, &e, 1), VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS,
			 "ATTACH_BACKING"));
	VC_TRY(vc_expect(t, vc_set_scanout(t, 0, id, 0, 0, 16, 16), VIRTIO_GPU_RESP_OK_NODATA,
			 R_CMD_SUCCESS, "SET_SCANOUT"));
	vc_detach_backing(t, id);
	return caught(t, R_DRV_LIFE_DETACH_SCANOUT, "detached the backing of a scanned-out resource");
}

/* Two fenced requests on the device timeline, the second with a smaller fence_id. */
static enum vc_verdict caught_fence_order(struct vc *t)
{
	static const uint64_t fences[2] = { 9, 4 };
	for (unsigned i = 0; i < 2; i++) {
		struct virtio_gpu_ctrl_hdr h;
		struct vc_resp r;
		vc_hdr(&h, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
		h.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
		h.fence_id = vgb_to_le64(fences[i]);
		VC_TRY(vc_expect(t, vc_cmd(t, &h, sizeof(h), &r), VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
				 R_CMD_SUCCESS, "fenced GET_DISPLAY_INFO"));
	}
	return vc_expect_violation(t, R_DRV_FENCE_ORDER, "sent fence_id 4 after fence_id 9");
}

/* 16385 entries: more than every device must accept (REQ-DEV-LIMIT-0001). */
static enum vc_verdict caught_too_many_entries(struct vc *t)
{
	enum { N = 16385 };
	enum { LEN = 256 }; /* 16385 pages would exhaust the suite's guest RAM */
	uint64_t gpa = vc_alloc(t, (uint64_t)N * LEN);
	VC_TRY(gpa);
	static struct vgb_sg ents[N];
	for (unsigned i = 0; i < N; i++)
		ents[i] = (struct vgb_sg){ gpa + (uint64_t)i * LEN, LEN };
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 1024, 1024),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	vc_attach_backing(t, id, ents, N);
	VC_TRY(!vc_failed(t));
	return expect_warning(t, R_DRV_LIMIT_ENTRIES, "sent 16385 entries in one command");
}

/* Entries of 512 bytes: valid, but the device cannot share such pages (SHOULD). */
static enum vc_verdict warned_entry_unaligned(struct vc *t)
{
	uint64_t gpa = vc_alloc(t, 2 * 4096);
	VC_TRY(gpa);
	struct vgb_sg e[2] = { { gpa, 512 }, { gpa + 4096, 512 } };
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, e, 2), VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS,
			 "ATTACH_BACKING with two 512-byte entries"));
	return expect_warning(t, R_DRV_ENTRY_PAGES, "sent entries that are not whole pages");
}

/* A GUEST blob of 1024 bytes (no BLOB_ALIGNMENT negotiated): valid, not whole pages (SHOULD). */
static enum vc_verdict warned_blob_size(struct vc *t)
{
	uint64_t gpa = vc_alloc(t, 4096);
	VC_TRY(gpa);
	struct vgb_sg e = { gpa, 4096 };
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 1024, &e, 1),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST) of 1024 bytes"));
	return expect_warning(t, R_DRV_BLOB_SIZE_PAGES, "created a blob of 1024 bytes");
}

/* The frontend declines BLOB_ALIGNMENT the device offers (the case masks it): a SHOULD. */
static enum vc_verdict warned_no_blob_alignment(struct vc *t)
{
	if ((vgb_fe_features(t->fe) >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1)
		return vc_error(t, "F_BLOB_ALIGNMENT negotiated although the frontend masked it");
	return expect_warning(t, R_DRV_FEAT_ALIGN_ACCEPT, "declined BLOB_ALIGNMENT");
}

/* A write to a config field other than events_clear (events_read, offset 0). */
static enum vc_verdict caught_config_write(struct vc *t)
{
	uint32_t v = vgb_to_le32(1);
	if (vgb_fe_set_config(t->fe, 0, &v, sizeof(v)) == 0)
		vc_note(t, "the backend accepted the write to events_read");
	/* A reply on the same socket: the backend has handled the write before it stops. */
	struct vgb_gpu_config c;
	vgb_fe_get_config(t->fe, &c, sizeof(c));
	return vc_expect_violation(t, R_DRV_CFG_WRITE, "wrote events_read");
}

/* A 2D resource attached to a reference context and named in a FILL. */
static enum vc_verdict caught_refctx_not_blob(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	VC_TRY(vc_expect(t, vc_ctx_attach(t, h.ctx_id, id), VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS,
			 "CTX_ATTACH_RESOURCE"));
	submit_fill(t, h.ctx_id, id);
	return caught(t, R_DRV_REFCTX_NOT_BLOB, "named a 2D resource in a FILL");
}

/* A resource created before a device reset, named after it. */
static enum vc_verdict caught_stale_after_reset(struct vc *t)
{
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	if (vgb_fe_reset_device(t->fe) < 0)
		return vc_error(t, "device reset failed: %s", vgb_fe_error(t->fe));
	vc_unref(t, id);
	return caught(t, R_DRV_RESET_STALE, "unreferenced a resource created before the reset");
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
	struct vc_violations v;
	vc_read_violations(t, &v);
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
	struct vgb_drv *drv = vc_ref_driver_open(t); /* the driver brings its own frontend */
	if (!drv)
		return vc_done(t);
	const char *why = vgb_path_unavailable(drv, p);
	/* The self-check frame and its row padding need more than a 64 KiB region. */
	uint64_t frame = (uint64_t)VGB_SELFCHECK_WIDTH * VGB_SELFCHECK_HEIGHT * 4;
	if (!why && p == VGB_PATH_MAPPED && vgb_drv_caps(drv)->region_size < 2 * frame)
		why = "the region is too small for the self-check frame";
	if (why) {
		vgb_drv_close(drv);
		return vc_not_supported(t, "%s", why);
	}
	struct vgb_path_result r;
	vgb_selfcheck_run(drv, p, false, &r);
	vgb_drv_close(drv);
	struct vc_violations v;
	vc_read_violations(t, &v);
	if (!v.log_found)
		return vc_error(t, "validating mode wrote no log at %s", t->validate_path);
	if (v.n)
		return vc_fail(t, v.ids[0], "reference driver broke %s on the %s path: %s (%u reports)",
			       v.ids[0], vgb_path_name(p), v.first_detail, v.n);
	if (r.verdict == VGB_FAIL)
		return vc_error(t, "reference driver self-check failed without a driver violation: %s",
				r.detail);
	vc_note(t, "self-check %s: %s", vgb_verdict_name(r.verdict), r.detail);
	bool unused;
	char first[400], first_id[48];
	unsigned nw = read_warnings(t, NULL, &unused, first, sizeof(first), first_id);
	if (nw)
		vc_warn(t, first_id, "reference driver, %s path: %s (%u warnings)", vgb_path_name(p), first, nw);
	return vc_done(t);
}

/* A driver that uses blobs accepts BLOB_ALIGNMENT when the device offers it (SHOULD). */
static enum vc_verdict ref_accepts_alignment(struct vc *t)
{
	struct vgb_drv *drv = vc_ref_driver_open(t);
	if (!drv)
		return vc_done(t);
	uint64_t f = vgb_drv_caps(drv)->features;
	vgb_drv_close(drv);
	if (!((f >> VIRTIO_GPU_F_RESOURCE_BLOB) & 1))
		return vc_error(t, "the reference driver did not accept RESOURCE_BLOB (features 0x%llx)",
				(unsigned long long)f);
	if (!((f >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1))
		vc_warn(t, R_DRV_FEAT_ALIGN_ACCEPT, "BLOB_ALIGNMENT offered but not accepted (features 0x%llx)",
			(unsigned long long)f);
	else
		vc_note(t, "negotiated features 0x%llx", (unsigned long long)f);
	return vc_done(t);
}

/* The driver picks the best path the device allows: copy without blob, guest blob without region. */
static enum vc_verdict ref_path_choice(struct vc *t)
{
	struct vgb_drv *drv = vc_ref_driver_open(t);
	if (!drv)
		return vc_done(t);
	const struct vgb_drv_caps *caps = vgb_drv_caps(drv);
	bool blob = (caps->features >> VIRTIO_GPU_F_RESOURCE_BLOB) & 1;
	bool virgl = (caps->features >> VIRTIO_GPU_F_VIRGL) & 1;
	enum vgb_path got = vgb_path_choose(drv);
	enum vgb_path want = !blob ? VGB_PATH_COPY
				   : (caps->region && virgl) ? VGB_PATH_MAPPED : VGB_PATH_GUEST_BLOB;
	vgb_drv_close(drv);
	vc_check(t, got == want, !blob ? R_DRV_XFER_FALLBACK_2D : R_DRV_XFER_FALLBACK_GUEST,
		 "the driver chose the %s path where the device allows %s", vgb_path_name(got),
		 vgb_path_name(want));
	vc_note(t, "path %s", vgb_path_name(got));
	return vc_done(t);
}

/* Once the region is full, a new mapped surface falls back instead of failing. */
static enum vc_verdict ref_map_fallback(struct vc *t)
{
	if (t->probe->region_size > (64ull << 20))
		return vc_not_supported(t, "filling a %llu-byte region is too costly here; run on a "
					"target with a region of at most 64 MiB",
					(unsigned long long)t->probe->region_size);
	struct vgb_drv *drv = vc_ref_driver_open(t);
	if (!drv)
		return vc_done(t);
	enum { MAX = 40 };
	struct vgb_surface s[MAX];
	memset(s, 0, sizeof(s));
	unsigned n = 0;
	bool fell_back = false;
	/* 1 MiB surfaces: the region holds at most region_size / 1 MiB of them. */
	for (; n < MAX && !fell_back; n++) {
		int r = vgb_surface_create(drv, VGB_PATH_MAPPED, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 512, 512,
					   &s[n]);
		if (r != 0) {
			vc_fail(t, R_DRV_XFER_FALLBACK_MAP,
				"surface %u failed (%d: %s) instead of falling back", n + 1, r,
				vgb_drv_error(drv));
			break;
		}
		if (s[n].fell_back) {
			fell_back = true;
			vc_check(t, s[n].path != VGB_PATH_MAPPED, R_DRV_XFER_FALLBACK_MAP,
				 "surface %u reports a fallback but stayed mapped", n + 1);
			vc_note(t, "surface %u fell back to %s: %s", n + 1, vgb_path_name(s[n].path),
				s[n].fallback_reason);
		}
	}
	if (!vc_failed(t))
		vc_check(t, fell_back, R_DRV_XFER_FALLBACK_MAP, "%u mapped surfaces fit a %llu-byte region",
			 n, (unsigned long long)t->probe->region_size);
	for (unsigned i = 0; i < n && i < MAX; i++)
		if (s[i].resource_id)
			vgb_surface_destroy(drv, &s[i]);
	vgb_drv_close(drv);
	struct vc_violations v;
	vc_read_violations(t, &v);
	if (v.n)
		vc_fail(t, v.ids[0], "the driver broke %s while falling back: %s", v.ids[0], v.first_detail);
	return vc_done(t);
}
#endif

/*
 * Any driver that can be pointed at a vhost-user socket: the validating device
 * listens, the driver command runs (its {socket} replaced), and every recorded
 * violation is a FAIL with its ID.
 */
pid_t vc_spawn_validating_device(struct vc *t, const char *sock, const char *extra)
{
	char *argv[72];
	char validate_arg[300], socket_arg[300];
	unsigned n = 0;
	while (t->target->argv[n] && n < 64)
		argv[n] = t->target->argv[n], n++;
	snprintf(validate_arg, sizeof(validate_arg), "--validate=%s", t->validate_path);
	snprintf(socket_arg, sizeof(socket_arg), "--socket-path=%s", sock);
	argv[n++] = validate_arg;
	argv[n++] = socket_arg;
	if (extra)
		argv[n++] = (char *)extra;
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		if (!t->target->verbose) {
			FILE *null = fopen("/dev/null", "w");
			if (null)
				dup2(fileno(null), 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int wait_exit(pid_t pid, int timeout_ms, int *status)
{
	for (int waited = 0; waited < timeout_ms; waited += 20) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

static enum vc_verdict external_driver(struct vc *t)
{
	const char *cmd = t->target->driver_cmd;
	if (!t->target->argv)
		return vc_error(t, "--driver-cmd needs a target started from a command line");
	vc_stop_backend(t);
	char sock[128];
	snprintf(sock, sizeof(sock), "/tmp/vgb-conform-drv-%d.sock", (int)getpid());
	unlink(sock);
	pid_t dev = vc_spawn_validating_device(t, sock, NULL);
	if (dev < 0)
		return vc_error(t, "fork: %s", strerror(errno));
	struct stat st;
	for (int i = 0; i < 250 && stat(sock, &st) != 0; i++)
		usleep(20000);
	if (stat(sock, &st) != 0) {
		kill(dev, SIGKILL);
		waitpid(dev, NULL, 0);
		return vc_error(t, "the validating device did not listen on %s", sock);
	}
	/* {socket} -> the path, then /bin/sh runs it. */
	char line[2048];
	const char *at = strstr(cmd, "{socket}");
	if (at)
		snprintf(line, sizeof(line), "%.*s%s%s", (int)(at - cmd), cmd, sock, at + 8);
	else
		snprintf(line, sizeof(line), "%s", cmd);
	pid_t drv = fork();
	if (drv == 0) {
		if (!t->target->verbose) {
			/* Keep the progress output readable: the driver's own output goes away. */
			FILE *null = fopen("/dev/null", "w");
			if (null) {
				dup2(fileno(null), 1);
				dup2(fileno(null), 2);
			}
		}
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	bool timed_out = wait_exit(drv, 110000, &status) < 0;
	if (timed_out) {
		kill(drv, SIGKILL);
		waitpid(drv, &status, 0);
	}
	kill(dev, SIGTERM);
	int dstatus = 0;
	if (wait_exit(dev, 3000, &dstatus) < 0) {
		kill(dev, SIGKILL);
		waitpid(dev, &dstatus, 0);
	}
	unlink(sock);
	struct vc_violations v;
	vc_read_violations(t, &v);
	if (!v.log_found)
		return vc_error(t, "validating mode wrote no log at %s", t->validate_path);
	if (v.n)
		return vc_fail(t, v.ids[0], "the driver broke %s: %s (%u reports)", v.ids[0],
			       v.first_detail, v.n);
	if (timed_out)
		return vc_error(t, "the driver command did not finish: %s", line);
	vc_note(t, "driver command exited %d; no driver requirement broken",
		WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	bool unused;
	char first[400], first_id[48];
	unsigned nw = read_warnings(t, NULL, &unused, first, sizeof(first), first_id);
	/* A note for now: conformance/pytest/test_harness.py expects PASS of the reference driver. */
	if (nw)
		vc_note(t, "the driver missed a recommendation: %s (%u warnings)", first, nw);
	return vc_done(t);
}

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
	{ .name = "drv.validate.map_unaligned", IDS(R_DRV_MAP_OFFSET), .needs = NEED_V,
	  .run = caught_map_unaligned, .summary = "a driver mapping at an unaligned offset is reported" },
	{ .name = "drv.validate.map_past_end", IDS(R_DRV_MAP_PAST_END), .needs = NEED_V,
	  .run = caught_map_past_end, .summary = "a driver mapping past the region end is reported" },
	{ .name = "drv.validate.map_overlap", IDS(R_DRV_MAP_OVERLAP), .needs = NEED_V,
	  .run = caught_map_overlap, .summary = "a driver mapping over a live mapping is reported" },
	{ .name = "drv.validate.map_no_region", IDS(R_DRV_MAP_NO_REGION),
	  .needs = VC_NEED_VALIDATE | VC_NEED_BLOB | VC_NEED_NO_REGION | VC_NEED_REFCTX,
	  .run = caught_map_no_region, .summary = "a driver mapping without a region is reported" },
	{ .name = "drv.validate.ctx.unattached", IDS(R_DRV_CTX_ATTACH),
	  .needs = VC_NEED_VALIDATE | VC_NEED_BLOB | VC_NEED_REFCTX, .run = caught_unattached,
	  .summary = "a driver naming an unattached blob in a stream is reported" },
	{ .name = "drv.validate.detach_scanned_out", IDS(R_DRV_LIFE_DETACH_SCANOUT),
	  .needs = VC_NEED_VALIDATE, .run = caught_detach_scanned_out,
	  .summary = "a driver detaching a scanned-out resource's backing is reported" },
	{ .name = "drv.validate.fence_order", IDS(R_DRV_FENCE_ORDER), .needs = VC_NEED_VALIDATE,
	  .run = caught_fence_order, .summary = "a driver reusing a smaller fence_id is reported by ID" },
	{ .name = "drv.validate.limit.entries", IDS(R_DRV_LIMIT_ENTRIES), .needs = VC_NEED_VALIDATE,
	  .run = caught_too_many_entries, .timeout_s = 60,
	  .summary = "a driver sending 16385 entries in one command is reported by ID" },
	{ .name = "drv.validate.ctx.refctx_not_blob", IDS(R_DRV_REFCTX_NOT_BLOB),
	  .needs = VC_NEED_VALIDATE | VC_NEED_BLOB | VC_NEED_REFCTX, .run = caught_refctx_not_blob,
	  .summary = "a driver naming a 2D resource in a reference-context stream is reported" },
	{ .name = "drv.validate.entry.not_pages", IDS(R_DRV_ENTRY_PAGES), .needs = VC_NEED_VALIDATE,
	  .run = warned_entry_unaligned,
	  .summary = "a driver sending entries that are not whole pages is warned of by ID" },
	{ .name = "drv.validate.blob.size_not_pages", IDS(R_DRV_BLOB_SIZE_PAGES),
	  .needs = VC_NEED_VALIDATE | VC_NEED_BLOB, .mask_features = 1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT,
	  .run = warned_blob_size, .summary = "a driver creating a blob of 1024 bytes is warned of by ID" },
	{ .name = "drv.validate.feat.no_blob_alignment", IDS(R_DRV_FEAT_ALIGN_ACCEPT),
	  .needs = VC_NEED_VALIDATE | VC_NEED_BLOB | VC_NEED_ALIGNMENT,
	  .mask_features = 1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT, .run = warned_no_blob_alignment,
	  .summary = "a blob driver declining BLOB_ALIGNMENT is warned of by ID" },
	{ .name = "drv.validate.cfg.write", IDS(R_DRV_CFG_WRITE), .needs = VC_NEED_VALIDATE,
	  .run = caught_config_write, .summary = "a driver writing a config field other than events_clear is reported" },
	{ .name = "drv.validate.reset.stale_resource", IDS(R_DRV_RESET_STALE),
	  .needs = VC_NEED_VALIDATE | VC_NEED_RESET, .run = caught_stale_after_reset,
	  .summary = "a driver naming a pre-reset resource after a reset is reported" },
	{ .name = "drv.validate.clean", IDS(R_DRV_MAP_DOUBLE, R_DRV_UNMAP_UNMAPPED), .needs = NEED_V,
	  .run = clean_sequence, .summary = "a correct map/unmap/unref sequence reports nothing" },
	{ .name = "drv.external.run", IDS(R_DRV_VALIDATED), .needs = VC_NEED_VALIDATE | VC_NEED_DRIVER_CMD,
	  .run = external_driver, .timeout_s = 150,
	  .summary = "a driver given with --driver-cmd breaks no requirement the device validates" },
#ifdef VC_HAVE_DRIVER
	{ .name = "drv.ref.mapped", IDS(R_DRV_VALIDATED), .needs = VC_NEED_VALIDATE,
	  .run = ref_driver_path, .data = (const void *)(uintptr_t)VGB_PATH_MAPPED, .timeout_s = 120,
	  .summary = "reference driver, mapped path: no driver requirement broken" },
	{ .name = "drv.ref.guest_blob", IDS(R_DRV_VALIDATED), .needs = VC_NEED_VALIDATE,
	  .run = ref_driver_path, .data = (const void *)(uintptr_t)VGB_PATH_GUEST_BLOB, .timeout_s = 120,
	  .summary = "reference driver, guest-blob path: no driver requirement broken" },
	{ .name = "drv.ref.accepts_alignment", IDS(R_DRV_FEAT_ALIGN_ACCEPT),
	  .needs = VC_NEED_VALIDATE | VC_NEED_BLOB | VC_NEED_ALIGNMENT, .run = ref_accepts_alignment,
	  .summary = "the reference driver accepts BLOB_ALIGNMENT when offered" },
	{ .name = "drv.ref.path_choice", IDS(R_DRV_XFER_FALLBACK_GUEST, R_DRV_XFER_FALLBACK_2D),
	  .needs = VC_NEED_VALIDATE, .run = ref_path_choice,
	  .summary = "the reference driver picks the best path the device allows" },
	{ .name = "drv.ref.map_fallback", IDS(R_DRV_XFER_FALLBACK_MAP),
	  .needs = VC_NEED_VALIDATE | VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX, .run = ref_map_fallback,
	  .summary = "a surface the region cannot hold falls back instead of failing" },
	{ .name = "drv.ref.copy", IDS(R_DRV_VALIDATED), .needs = VC_NEED_VALIDATE,
	  .run = ref_driver_path, .data = (const void *)(uintptr_t)VGB_PATH_COPY, .timeout_s = 120,
	  .summary = "reference driver, copy path: no driver requirement broken" },
#endif
	{ 0 },
};
