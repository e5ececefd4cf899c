/* SPDX-License-Identifier: MIT */
/*
 * Driver under test against a hostile device: the reference device answers
 * with one kind of wrong response at a time (vgb-host --hostile, which also
 * validates), and the driver must report it clearly and stay sane:
 *   - the call that met the fault fails within the driver's own deadline, with
 *     the class of error the fault calls for and a message naming what was wrong;
 *   - nothing of the bad answer is used, and no region range is handed out
 *     while it may still reach a blob (REQ-DRV-ERR-0151);
 *   - the driver keeps working where the device does (the fault hit one
 *     command), sends nothing past a request the device kept until a reset
 *     (REQ-DRV-CMD-0150), and fails fast once the device is gone;
 *   - its recovery breaks no driver requirement the device validates, and
 *     closing it leaves no file descriptor behind.
 * drv.hostile.ref.* run the reference driver in-process; drv.hostile.external
 * runs a driver given with --driver-cmd against a few faults and requires
 * only that it ends by itself, in time, without a crash.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/run.h"
#include "../lib/validate.h"
#include "cases.h"
#ifdef VC_HAVE_DRIVER
#include "refctx_stream.h"
#include "vgb/driver.h"
#endif

#define DRIVER_TIMEOUT_MS 1500 /* the driver's own per-request deadline in these cases */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#ifdef VC_HAVE_DRIVER

/* Open file descriptors of this process. */
static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

enum step { STEP_MAP, STEP_DISPLAY, STEP_DISPLAY_FENCED, STEP_CREATE_BLOB };

/* What a fault must do to the driver. */
enum outcome {
	REFUSED,   /* a well-formed error answer: that error code, no effect */
	DEVICE,    /* a broken answer: -EPROTO naming the requirement */
	RING,      /* the ring broke: -EPROTO, everything after fails fast until a reset */
	STALLED,   /* no answer: -ETIMEDOUT at the driver's deadline, nothing sent until a reset */
	GONE,      /* the device died: -EPIPE, every later call fails fast */
};

struct hostile_case {
	const char *rules;  /* --hostile=RULES */
	enum step step;
	enum outcome outcome;
	const char *says;   /* text the driver's error names */
	/*
	 * The fault answered with another type than the command's: the driver takes it as a
	 * failure without effect (REQ-DRV-ERR-0001), so it tries again under a fresh id.
	 */
	bool fresh_id;
};

struct ctx {
	struct vc *t;
	struct vgb_drv *drv;
	uint32_t ctx_id;
};

static struct vgb_drv *open_hostile(struct vc *t, const char *rules)
{
	static char *argv[72];
	static char validate_arg[300], hostile_arg[300];
	unsigned n = 0;
	while (t->target->argv && t->target->argv[n] && n < 64)
		argv[n] = t->target->argv[n], n++;
	snprintf(validate_arg, sizeof(validate_arg), "--validate=%s", t->validate_path);
	snprintf(hostile_arg, sizeof(hostile_arg), "--hostile=%s", rules);
	argv[n++] = validate_arg;
	argv[n++] = hostile_arg;
	argv[n] = NULL;
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	o.fe.backend_argv = argv;
	o.fe.quiet = !t->target->verbose;
	o.fe.timeout_ms = DRIVER_TIMEOUT_MS;
	o.fe.trace = t->trace ? &t->trace->hooks : NULL;
	char err[256] = "";
	struct vgb_drv *drv = vgb_drv_open(&o, err, sizeof(err));
	if (!drv)
		vc_error(t, "reference driver did not start against --hostile=%s: %s", rules, err);
	return drv;
}

/* A mappable HOST3D blob from the reference context; its id, or 0 (ERROR noted). */
static uint32_t host_blob(struct ctx *c)
{
	struct vgb_drv *drv = c->drv;
	if (!c->ctx_id && vgb_drv_refctx(drv, &c->ctx_id, NULL)) {
		vc_error(c->t, "reference context: %s", vgb_drv_error(drv));
		return 0;
	}
	/* Two granules: a placement one page short still places something. */
	uint64_t size = 2 * vgb_drv_caps(drv)->map_granularity, blob_id = vgb_drv_new_blob_id(drv);
	struct vgb_rcs rcs;
	vgb_rcs_init(&rcs);
	vgb_rcs_alloc(&rcs, blob_id, size);
	uint32_t len = 0;
	const void *data = vgb_rcs_data(&rcs, &len);
	int r = data ? vgb_drv_submit_3d(drv, c->ctx_id, data, len) : -ENOMEM;
	vgb_rcs_fini(&rcs);
	uint32_t id = vgb_drv_new_resource_id(drv);
	struct vgb_drv_blob_desc d = { .blob_mem = VIRTIO_GPU_BLOB_MEM_HOST3D,
				       .blob_flags = VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE,
				       .ctx_id = c->ctx_id, .blob_id = blob_id, .size = size };
	if (!r)
		r = vgb_drv_create_blob(drv, id, &d);
	if (r) {
		vc_error(c->t, "setting up a mappable blob: %s", vgb_drv_error(drv));
		return 0;
	}
	return id;
}

/* The step once; its return value. */
static int run_step(struct ctx *c, enum step s, uint32_t *blob)
{
	struct vgb_drv *drv = c->drv;
	struct vgb_drv_display d[16];
	switch (s) {
	case STEP_MAP: {
		if (!*blob && !(*blob = host_blob(c)))
			return -EINVAL;
		struct vgb_drv_mapping m;
		memset(&m, 0, sizeof(m));
		vgb_drv_fence_next(drv, false, 0); /* fenced, so fence faults can meet it */
		int r = vgb_drv_map(drv, *blob, &m);
		if (r && m.ptr)
			vc_fail(c->t, R_DRV_ERR_DEVICE_ERROR, "a failed MAP_BLOB handed out a pointer");
		return r;
	}
	case STEP_DISPLAY_FENCED:
		vgb_drv_fence_next(drv, false, 0);
		__attribute__((fallthrough));
	case STEP_DISPLAY: {
		memset(d, 0, sizeof(d));
		int r = vgb_drv_display_info(drv, d, 16);
		if (r && d[0].enabled)
			vc_fail(c->t, R_DRV_ERR_DEVICE_ERROR, "a failed GET_DISPLAY_INFO filled in modes");
		return r;
	}
	case STEP_CREATE_BLOB: {
		static struct vgb_drv_backing b;
		uint64_t size = vgb_drv_blob_size(drv, 4096);
		if (!b.size && vgb_drv_backing_alloc(drv, size, VGB_BACKING_CONTIG, &b))
			return -ENOMEM;
		if (!*blob)
			*blob = vgb_drv_new_resource_id(drv);
		struct vgb_drv_blob_desc bd = { .blob_mem = VIRTIO_GPU_BLOB_MEM_GUEST, .size = size, .backing = &b };
		vgb_drv_fence_next(drv, false, 0);
		return vgb_drv_create_blob(drv, *blob, &bd);
	}
	}
	return -EINVAL;
}

static const char *outcome_name(enum outcome o)
{
	static const char *const n[] = { "an error answer", "a device error", "a broken ring", "no answer",
					 "a dead device" };
	return n[o];
}

/* Does ret belong to the outcome? */
static bool outcome_is(enum outcome o, int ret)
{
	switch (o) {
	case REFUSED: return ret >= VIRTIO_GPU_RESP_ERR_UNSPEC && ret <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	case DEVICE:
	case RING: return ret == -EPROTO;
	case STALLED: return ret == -ETIMEDOUT;
	case GONE: return ret == -EPIPE;
	}
	return false;
}

static const char *fault_ids(const struct hostile_case *h)
{
	return h->outcome == REFUSED ? R_DRV_ERR_NO_EFFECT : h->outcome == STALLED ? R_DRV_CMD_HELD : R_DRV_ERR_DEVICE_ERROR;
}

/* After the fault: the same step again must work (REFUSED/DEVICE) or follow the outcome's rules. */
static void after_fault(struct ctx *c, const struct hostile_case *h, uint32_t *blob)
{
	struct vc *t = c->t;
	struct vgb_drv *drv = c->drv;
	const char *id = fault_ids(h);
	if (h->outcome == REFUSED || h->outcome == DEVICE) {
		uint64_t used = vgb_drv_region_used(drv);
		if (h->step == STEP_MAP)
			vc_check(t, used == 0, R_DRV_ERR_MAP_RANGE_KEPT,
				 "%llu region bytes still reserved after a MAP_BLOB that failed with %s, though "
				 "nothing reaches them", (unsigned long long)used, outcome_name(h->outcome));
		/* The same blob again: mapped again, or created again under its id (nothing of it is left). */
		uint32_t again = h->fresh_id && h->step == STEP_CREATE_BLOB ? 0 : *blob;
		int r = run_step(c, h->step, &again);
		vc_check(t, r == 0, id, "the driver did not recover: the same step once more answered %d (%s)", r,
			 vgb_drv_error(drv));
		if (h->step == STEP_MAP && r == 0)
			vc_check(t, vgb_drv_unmap(drv, again) == 0 && vgb_drv_region_used(drv) == 0, id,
				 "UNMAP of the blob mapped after the fault: %s", vgb_drv_error(drv));
		return;
	}
	/* The device kept a request, broke the ring or died: what comes next is bounded and says why. */
	uint32_t dummy = 0;
	double t0 = now_ms();
	int r = run_step(c, STEP_DISPLAY, &dummy);
	double took = now_ms() - t0;
	vc_check(t, r < 0 && took < DRIVER_TIMEOUT_MS / 2, id,
		 "after %s the next command answered %d after %.0f ms (expected a fast failure)",
		 outcome_name(h->outcome), r, took);
	if (h->outcome == GONE)
		return;
	/* A reset takes everything back: the region is empty and the step works again. */
	int rr = vgb_drv_reset(drv);
	if (!vc_check(t, rr == 0, id, "reset after %s failed: %s", outcome_name(h->outcome), vgb_drv_error(drv)))
		return;
	vc_check(t, vgb_drv_region_used(drv) == 0, R_DRV_ERR_MAP_RANGE_KEPT, "%llu region bytes reserved after a reset",
		 (unsigned long long)vgb_drv_region_used(drv));
	c->ctx_id = 0;
	uint32_t fresh = 0;
	r = run_step(c, h->step, &fresh);
	vc_check(t, r == 0, id, "after the reset the step still fails: %d (%s)", r, vgb_drv_error(drv));
}

static enum vc_verdict hostile_ref(struct vc *t)
{
	const struct hostile_case *h = t->c->data;
	vc_stop_backend(t);
	int fds_before = fd_count();
	struct ctx c = { .t = t };
	if (!(c.drv = open_hostile(t, h->rules)))
		return vc_done(t);
	uint32_t blob = 0;
	if (h->step == STEP_MAP && !(blob = host_blob(&c))) {
		vgb_drv_close(c.drv);
		return vc_done(t);
	}
	double t0 = now_ms();
	int ret = run_step(&c, h->step, &blob);
	double took = now_ms() - t0;
	char err[512];
	snprintf(err, sizeof(err), "%s", vgb_drv_error(c.drv));
	vc_note(t, "--hostile=%s: %d after %.0f ms: %s", h->rules, ret, took, err);
	const char *id = fault_ids(h);
	if (vc_check(t, outcome_is(h->outcome, ret), id, "--hostile=%s: the driver answered %d (%s), expected %s",
		     h->rules, ret, err, outcome_name(h->outcome))) {
		vc_check(t, strstr(err, h->says) != NULL, id, "the driver's message does not name '%s': %s", h->says, err);
		vc_check(t, took < DRIVER_TIMEOUT_MS + 2000, R_DRV_CMD_HELD,
			 "the call took %.0f ms, beyond the driver's deadline of %d ms", took, DRIVER_TIMEOUT_MS);
		after_fault(&c, h, &blob);
	}
	vgb_drv_close(c.drv);
	int fds_after = fd_count();
	vc_check(t, fds_after == fds_before, id, "%d file descriptors open after closing the driver, %d before",
		 fds_after, fds_before);
	/* The driver's recovery must not break what the device validates. */
	struct vc_violations v;
	vc_read_violations(t, &v);
	if (v.n)
		vc_fail(t, v.ids[0], "while recovering from --hostile=%s the driver broke %s: %s", h->rules, v.ids[0],
			v.first_detail);
	return vc_done(t);
}

#define HOSTILE_X(nm, rl, st, oc, sy, fresh, nd, ...)                                                \
	{ .name = "drv.hostile.ref." nm, IDS(__VA_ARGS__), .needs = VC_NEED_VALIDATE | (nd), .run = hostile_ref, \
	  .timeout_s = 40, .summary = "reference driver against --hostile=" rl ": says '" sy "', recovers",              \
	  .data = &(const struct hostile_case){ .rules = rl, .step = st, .outcome = oc, .says = (sy),     \
						.fresh_id = (fresh) } }
#define HOSTILE(nm, rl, st, oc, sy, nd, ...) HOSTILE_X(nm, rl, st, oc, sy, false, nd, __VA_ARGS__)
#define MAPN (VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX)
#define MAP_IDS R_DRV_ERR_MAP_RANGE_KEPT

#endif /* VC_HAVE_DRIVER */

/*
 * An external driver against a few hostile devices in turn: it must end by
 * itself within its time, and not by a signal.  What it reports is its own.
 */
static const char *const external_faults[] = {
	"error@RESOURCE_MAP_BLOB", "truncate=12", "map-info=0", "fence-drop", "map-shift", "stall=8", "die@RESOURCE_CREATE_BLOB",
};

static pid_t spawn_device(struct vc *t, const char *sock, const char *rules)
{
	char hostile_arg[300];
	snprintf(hostile_arg, sizeof(hostile_arg), "--hostile=%s", rules);
	return vc_spawn_validating_device(t, sock, hostile_arg);
}

/* Wait for pid until deadline (ms): 0 with *status, or -ETIMEDOUT. */
static int wait_until(pid_t pid, double deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

static enum vc_verdict hostile_external(struct vc *t)
{
	if (!t->target->argv)
		return vc_error(t, "--driver-cmd needs a target started from a command line");
	vc_stop_backend(t);
	char sock[128];
	snprintf(sock, sizeof(sock), "/tmp/vgb-conform-hostile-%d.sock", (int)getpid());
	for (size_t i = 0; i < sizeof(external_faults) / sizeof(external_faults[0]) && !vc_failed(t); i++) {
		const char *rules = external_faults[i];
		unlink(sock);
		pid_t dev = spawn_device(t, sock, rules);
		if (dev < 0)
			return vc_error(t, "fork: %s", strerror(errno));
		struct stat st;
		int dst = 0;
		/* The device creates the socket before it accepts: wait for it, or for the device to end. */
		double listen_by = now_ms() + 5000;
		while (stat(sock, &st) != 0 && waitpid(dev, &dst, WNOHANG) == 0 && now_ms() < listen_by) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		if (stat(sock, &st) != 0) {
			kill(dev, SIGKILL);
			waitpid(dev, NULL, 0);
			return vc_error(t, "the hostile device (--hostile=%s) did not listen on %s", rules, sock);
		}
		char line[2048];
		const char *cmd = t->target->driver_cmd, *at = strstr(cmd, "{socket}");
		if (at)
			snprintf(line, sizeof(line), "%.*s%s%s", (int)(at - cmd), cmd, sock, at + 8);
		else
			snprintf(line, sizeof(line), "%s", cmd);
		pid_t drv = fork();
		if (drv == 0) {
			if (!t->target->verbose) {
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
		bool hung = wait_until(drv, now_ms() + 12000, &status) < 0;
		if (hung) {
			kill(drv, SIGKILL);
			waitpid(drv, &status, 0);
		}
		kill(dev, SIGKILL);
		waitpid(dev, &dst, 0);
		unlink(sock);
		vc_check(t, !hung, R_DRV_CMD_HELD, "against --hostile=%s the driver did not end within 12 s", rules);
		vc_check(t, hung || !WIFSIGNALED(status) || WTERMSIG(status) == SIGKILL, R_DRV_ERR_DEVICE_ERROR,
			 "against --hostile=%s the driver was killed by signal %d", rules,
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		vc_note(t, "%s: driver exit %d", rules, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	return vc_done(t);
}

const struct vc_case vc_cases_hostile[] = {
#ifdef VC_HAVE_DRIVER
	HOSTILE("map.error", "error@RESOURCE_MAP_BLOB#1", STEP_MAP, REFUSED, "refused", MAPN, R_DRV_ERR_NO_EFFECT, MAP_IDS),
	HOSTILE("map.error_payload", "error-payload@RESOURCE_MAP_BLOB#1", STEP_MAP, DEVICE, "REQ-DEV-ERR-0003", MAPN,
		R_DRV_ERR_DEVICE_ERROR, MAP_IDS),
	HOSTILE("map.truncated", "truncate=24@RESOURCE_MAP_BLOB#1", STEP_MAP, DEVICE, "REQ-DEV-CMD-0008", MAPN,
		R_DRV_ERR_DEVICE_ERROR, MAP_IDS),
	HOSTILE("map.truncated_header", "truncate=12@RESOURCE_MAP_BLOB#1", STEP_MAP, DEVICE, "REQ-DEV-CMD-0008", MAPN,
		R_DRV_ERR_DEVICE_ERROR, MAP_IDS),
	HOSTILE("map.used_zero", "empty@RESOURCE_MAP_BLOB#1", STEP_MAP, DEVICE, "answered with 0 bytes", MAPN,
		R_DRV_ERR_USED_ZERO, MAP_IDS),
	HOSTILE("map.wrong_type", "wrong-type@RESOURCE_MAP_BLOB#1", STEP_MAP, DEVICE, "REQ-DEV-CMD-0013", MAPN,
		R_DRV_ERR_NO_EFFECT, MAP_IDS),
	HOSTILE("map.info_none", "map-info=0@RESOURCE_MAP_BLOB#1", STEP_MAP, DEVICE, "REQ-DEV-CACHE-0001", MAPN,
		R_DRV_ERR_DEVICE_ERROR, MAP_IDS),
	HOSTILE("map.info_unknown", "map-info=7@RESOURCE_MAP_BLOB#1", STEP_MAP, DEVICE, "REQ-DEV-CACHE-0001", MAPN,
		R_DRV_ERR_DEVICE_ERROR, MAP_IDS),
	HOSTILE("map.placed_elsewhere", "map-shift#1", STEP_MAP, DEVICE, "REQ-DEV-MAP-0012", MAPN,
		R_DRV_ERR_DEVICE_ERROR, MAP_IDS),
	HOSTILE("map.placed_short", "map-short#1", STEP_MAP, DEVICE, "REQ-DEV-MAP-0012", MAPN, R_DRV_ERR_DEVICE_ERROR,
		MAP_IDS),
	HOSTILE("map.not_placed", "map-none#1", STEP_MAP, DEVICE, "REQ-DEV-MAP-0012", MAPN, R_DRV_ERR_DEVICE_ERROR,
		MAP_IDS),
	HOSTILE("map.fence_dropped", "fence-drop@RESOURCE_MAP_BLOB#1", STEP_MAP, DEVICE, "REQ-DEV-FENCE-0002", MAPN,
		R_DRV_ERR_DEVICE_ERROR, MAP_IDS),
	HOSTILE("map.oversized", "oversize@RESOURCE_MAP_BLOB#1", STEP_MAP, RING, "exceeds", MAPN, R_DRV_ERR_DEVICE_ERROR,
		MAP_IDS),
	HOSTILE("map.never_answered", "stall@RESOURCE_MAP_BLOB#1", STEP_MAP, STALLED, "no response in time", MAPN,
		R_DRV_CMD_HELD, MAP_IDS),
	HOSTILE("map.device_dies", "die@RESOURCE_MAP_BLOB", STEP_MAP, GONE, "backend gone", MAPN, R_DRV_ERR_DEVICE_ERROR,
		MAP_IDS),
	HOSTILE("map.device_dies_mapped", "die-mapped", STEP_MAP, GONE, "backend gone", MAPN, R_DRV_ERR_DEVICE_ERROR,
		MAP_IDS),
	HOSTILE("cmd.error", "error=ERR_OUT_OF_MEMORY@GET_DISPLAY_INFO#1", STEP_DISPLAY, REFUSED, "refused", 0,
		R_DRV_ERR_NO_EFFECT),
	HOSTILE("cmd.used_zero", "empty@GET_DISPLAY_INFO#1", STEP_DISPLAY, DEVICE, "answered with 0 bytes", 0,
		R_DRV_ERR_USED_ZERO),
	HOSTILE("cmd.truncated", "truncate@GET_DISPLAY_INFO#1", STEP_DISPLAY, DEVICE, "REQ-DEV-CMD-0008", 0,
		R_DRV_ERR_DEVICE_ERROR),
	HOSTILE("fence.dropped", "fence-drop@GET_DISPLAY_INFO#1", STEP_DISPLAY_FENCED, DEVICE, "REQ-DEV-FENCE-0002", 0,
		R_DRV_ERR_DEVICE_ERROR),
	HOSTILE("fence.wrong_id", "fence-id@GET_DISPLAY_INFO#1", STEP_DISPLAY_FENCED, DEVICE, "REQ-DEV-FENCE-0002", 0,
		R_DRV_ERR_DEVICE_ERROR),
	HOSTILE("fence.never", "fence-never@GET_DISPLAY_INFO#1", STEP_DISPLAY_FENCED, STALLED, "no response in time", 0,
		R_DRV_CMD_HELD),
	HOSTILE_X("create.wrong_type", "wrong-type@RESOURCE_CREATE_BLOB#1", STEP_CREATE_BLOB, DEVICE, "REQ-DEV-CMD-0013",
		  true, VC_NEED_BLOB, R_DRV_ERR_NO_EFFECT),
	HOSTILE("create.fence_dropped", "fence-drop@RESOURCE_CREATE_BLOB#1", STEP_CREATE_BLOB, DEVICE,
		"REQ-DEV-FENCE-0002", VC_NEED_BLOB, R_DRV_ERR_DEVICE_ERROR),
#endif
	{ .name = "drv.hostile.external", IDS(R_DRV_CMD_HELD, R_DRV_ERR_DEVICE_ERROR),
	  .needs = VC_NEED_VALIDATE | VC_NEED_DRIVER_CMD, .run = hostile_external, .timeout_s = 150,
	  .summary = "a driver given with --driver-cmd ends by itself, in time and without a crash, against "
		     "hostile devices" },
	{ .name = NULL },
};
