/* SPDX-License-Identifier: MIT */
/* Case isolation: fork, fresh frontend + backend, deadline, kill. */
#include "run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gpu.h"
#include "inject.h"
#include "vgb/refctx.h"

#define MAX_ARGS 64

/* The hooks of the running case's trace (in the case's child process). */
static const struct vgb_fe_trace *case_trace;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct vgb_fe *vc_start_frontend(const struct vc_target *tg, uint64_t mask_features,
				 const char *validate_path, char *err, size_t errlen)
{
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	char *argv[MAX_ARGS + 2];
	char validate_arg[300];
	if (tg->argv) {
		unsigned n = 0;
		while (tg->argv[n] && n < MAX_ARGS)
			argv[n] = tg->argv[n], n++;
		if (validate_path && validate_path[0]) {
			snprintf(validate_arg, sizeof(validate_arg), "--validate=%s", validate_path);
			argv[n++] = validate_arg;
		}
		argv[n] = NULL;
		o.backend_argv = argv;
	} else {
		o.socket_path = tg->socket_path;
	}
	if (tg->ram_size)
		o.ram_size = tg->ram_size;
	if (tg->ram_regions)
		o.ram_regions = tg->ram_regions;
	o.features_mask &= ~mask_features;
	o.quiet = !tg->verbose;
	o.timeout_ms = 5000;
	o.startup_timeout_ms = 30000; /* a backend may start a renderer first (vgb-host --renderer) */
	o.trace = case_trace;
	return vgb_fe_start(&o, err, errlen);
}

void vc_stop_backend(struct vc *t)
{
	if (t->fe)
		vgb_fe_stop(t->fe);
	t->fe = NULL;
}

/* --- Probe --- */

static void probe_capsets(struct vc *t, struct vc_probe *p)
{
	for (uint32_t i = 0; i < p->num_capsets && p->ncapsets < 16; i++) {
		struct virtio_gpu_get_capset_info c;
		struct vc_resp r;
		memset(&c, 0, sizeof(c));
		vc_hdr(&c.hdr, VIRTIO_GPU_CMD_GET_CAPSET_INFO);
		c.capset_index = vgb_to_le32(i);
		if (vc_cmd(t, &c, sizeof(c), &r) != VIRTIO_GPU_RESP_OK_CAPSET_INFO ||
		    r.len < sizeof(struct virtio_gpu_resp_capset_info))
			continue;
		struct virtio_gpu_resp_capset_info ci;
		memcpy(&ci, r.u.bytes, sizeof(ci));
		unsigned k = p->ncapsets++;
		p->capset_ids[k] = vgb_le32(ci.capset_id);
		p->capset_max_versions[k] = vgb_le32(ci.capset_max_version);
		p->capset_max_sizes[k] = vgb_le32(ci.capset_max_size);
		if (p->capset_ids[k] != VGB_CAPSET_REFCTX)
			continue;
		struct virtio_gpu_get_capset g;
		memset(&g, 0, sizeof(g));
		vc_hdr(&g.hdr, VIRTIO_GPU_CMD_GET_CAPSET);
		g.capset_id = vgb_to_le32(VGB_CAPSET_REFCTX);
		g.capset_version = vgb_to_le32(VGB_REFCTX_VERSION);
		if (vc_cmd(t, &g, sizeof(g), &r) == VIRTIO_GPU_RESP_OK_CAPSET &&
		    r.len >= 24 + sizeof(struct vgb_refctx_caps)) {
			struct vgb_refctx_caps caps;
			memcpy(&caps, r.u.bytes + 24, sizeof(caps));
			p->refctx = true;
			p->refctx_ops = vgb_le32(caps.ops);
			p->refctx_map_cache = vgb_le32(caps.map_cache);
			p->refctx_alignment = vgb_le32(caps.alignment);
			p->refctx_max_object = vgb_le64(caps.max_object_size);
		}
	}
}

static void probe_in_child(const struct vc_target *tg, int wfd)
{
	struct {
		int ok;
		char err[256];
		struct vc_probe p;
	} out;
	memset(&out, 0, sizeof(out));
	struct vc t;
	memset(&t, 0, sizeof(t));
	t.target = tg;
	t.probe = &out.p;
	t.fe = vc_start_frontend(tg, 0, NULL, out.err, sizeof(out.err));
	if (t.fe) {
		struct vc_probe *p = &out.p;
		p->offered = vgb_fe_device_features(t.fe);
		p->negotiated = vgb_fe_features(t.fe);
		p->protocol = vgb_fe_protocol_features(t.fe);
		struct vgb_gpu_config cfg;
		memset(&cfg, 0, sizeof(cfg));
		/* blob_alignment exists only with F_BLOB_ALIGNMENT: a 16-byte device refuses 20. */
		uint32_t want = (p->negotiated >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1 ?
					VGB_GPU_CONFIG_SIZE_V14 : VGB_GPU_CONFIG_SIZE_V12;
		int n = vgb_fe_get_config(t.fe, &cfg, want);
		p->config_len = n > 0 ? (uint32_t)n : 0;
		p->num_scanouts = vgb_le32(cfg.num_scanouts);
		/* Over vhost-user num_scanouts is the VMM's: the frontend fills it in for a
		 * backend that leaves it 0 (QEMU's does), as QEMU's frontend does. */
		p->num_scanouts_from_vmm = vgb_fe_config_from_frontend(t.fe);
		p->num_capsets = vgb_le32(cfg.num_capsets);
		p->blob_alignment = vgb_le32(cfg.blob_alignment);
		p->has_region = vgb_fe_shm(t.fe, 1, &p->region_size) != NULL;
		if ((p->negotiated >> VIRTIO_GPU_F_VIRGL) & 1)
			probe_capsets(&t, p);
		out.ok = !vc_failed(&t);
		if (!out.ok)
			snprintf(out.err, sizeof(out.err), "%.200s", t.detail);
		vgb_fe_stop(t.fe);
	}
	ssize_t wr = write(wfd, &out, sizeof(out));
	_exit(wr == (ssize_t)sizeof(out) ? 0 : 1);
}

int vc_probe_target(const struct vc_target *tg, struct vc_probe *p, char *err, size_t errlen)
{
	int fds[2];
	if (pipe(fds) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		setpgid(0, 0);
		probe_in_child(tg, fds[1]);
	}
	close(fds[1]);
	struct {
		int ok;
		char err[256];
		struct vc_probe p;
	} in;
	memset(&in, 0, sizeof(in));
	struct pollfd pfd = { fds[0], POLLIN, 0 };
	ssize_t got = -1;
	if (poll(&pfd, 1, VC_DEFAULT_TIMEOUT_S * 1000) > 0)
		got = read(fds[0], &in, sizeof(in));
	close(fds[0]);
	if (got != (ssize_t)sizeof(in))
		kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (got != (ssize_t)sizeof(in)) {
		snprintf(err, errlen, "probe of the target did not finish");
		return -1;
	}
	if (!in.ok) {
		snprintf(err, errlen, "%s", in.err);
		return -1;
	}
	*p = in.p;
	return 0;
}

/* --- Needs --- */

const char *vc_needs_unmet(const struct vc_probe *p, const struct vc_target *tg, unsigned needs)
{
	bool blob = (p->negotiated >> VIRTIO_GPU_F_RESOURCE_BLOB) & 1;
	if ((needs & VC_NEED_BLOB) && !blob)
		return "device does not offer VIRTIO_GPU_F_RESOURCE_BLOB";
	if ((needs & VC_NEED_REGION) && !p->has_region)
		return "device has no host-visible region (shm id 1)";
	if ((needs & VC_NEED_NO_REGION) && p->has_region)
		return "device has a host-visible region; this path needs a blob device without one";
	if ((needs & VC_NEED_VIRGL) && !((p->negotiated >> VIRTIO_GPU_F_VIRGL) & 1))
		return "device does not offer VIRTIO_GPU_F_VIRGL";
	if ((needs & VC_NEED_REFCTX) && !((p->negotiated >> VIRTIO_GPU_F_CONTEXT_INIT) & 1))
		return "device does not offer VIRTIO_GPU_F_CONTEXT_INIT";
	if ((needs & VC_NEED_REFCTX) && !p->refctx)
		return "device has no reference context (capset 30)";
	if ((needs & VC_NEED_REFCTX) && !blob)
		return "reference-context results come back through a GUEST blob; device does not offer "
		       "VIRTIO_GPU_F_RESOURCE_BLOB";
	if ((needs & VC_NEED_ALIGNMENT) && !((p->negotiated >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1))
		return "device does not offer VIRTIO_GPU_F_BLOB_ALIGNMENT";
	if ((needs & VC_NEED_EDID) && !((p->negotiated >> VIRTIO_GPU_F_EDID) & 1))
		return "device does not offer VIRTIO_GPU_F_EDID";
	if ((needs & VC_NEED_UUID) && !((p->negotiated >> VIRTIO_GPU_F_RESOURCE_UUID) & 1))
		return "device does not offer VIRTIO_GPU_F_RESOURCE_UUID";
	if ((needs & VC_NEED_VALIDATE) && !tg->validate)
		return "target has no validating mode (driver checks need the reference device)";
	if ((needs & VC_NEED_DRIVER_CMD) && !tg->driver_cmd)
		return "no driver under test given (vgb-conform --driver-cmd)";
	if ((needs & VC_NEED_RESET) && !((p->protocol >> 13) & 1))
		return "backend does not offer VHOST_USER_PROTOCOL_F_RESET_DEVICE";
	return NULL;
}

/* --- Cases --- */

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

/* The validating mode's log of the case process pid: under $TMPDIR when set, else /tmp. */
static void validate_path_of(pid_t pid, char *buf, size_t len)
{
	const char *dir = getenv("TMPDIR");
	snprintf(buf, len, "%s/vgb-conform-validate-%d.jsonl", dir && *dir ? dir : "/tmp", (int)pid);
}

static void case_in_child(const struct vc_case *c, const struct vc_target *tg,
			  const struct vc_probe *p, uint32_t seed, unsigned attempt, int wfd)
{
	struct vc t;
	memset(&t, 0, sizeof(t));
	t.c = c;
	t.target = tg;
	t.probe = p;
	t.seed = seed;
	static struct vc_trace trace;
	vc_trace_init(&trace);
	t.trace = &trace;
	case_trace = &trace.hooks;
	vc_inject_attempt(attempt);
	static struct vc_result res;
	memset(&res, 0, sizeof(res));
	if ((c->needs & VC_NEED_VALIDATE) && tg->validate)
		validate_path_of(getpid(), t.validate_path, sizeof(t.validate_path));
	char err[256] = "";
	t.fe = vc_start_frontend(tg, c->mask_features, t.validate_path, err, sizeof(err));
	bool declines_alignment = (c->mask_features >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1 &&
				  p->blob_alignment > 4096 && strstr(err, "SET_FEATURES");
	if (!t.fe && declines_alignment) {
		/* A device whose pages exceed 4096 bytes may refuse such a driver (REQ-DEV-FEAT-0070). */
		vc_not_supported(&t, "the device refuses a driver that declines VIRTIO_GPU_F_BLOB_ALIGNMENT "
				 "(blob_alignment %u): %s", p->blob_alignment, err);
	} else if (!t.fe) {
		vc_error(&t, "cannot start the target: %s", err);
	} else {
		t.verdict = VC_PASS;
		t.verdict = c->run(&t);
	}
	res.verdict = t.verdict;
	snprintf(res.fail_id, sizeof(res.fail_id), "%s", t.fail_id);
	snprintf(res.detail, sizeof(res.detail), "%s", t.detail);
	snprintf(res.note, sizeof(res.note), "%s", t.note);
	if (t.verdict == VC_FAIL || t.verdict == VC_WARNING || t.verdict == VC_ERROR)
		vc_trace_text(&trace, res.trace, sizeof(res.trace));
	/* Report before tearing down, so a hanging teardown cannot lose the verdict. */
	bool sent = write_all(wfd, &res, sizeof(res));
	vc_stop_backend(&t);
	if (t.validate_path[0])
		unlink(t.validate_path);
	_exit(sent ? 0 : 1);
}

void vc_run_case(const struct vc_case *c, const struct vc_target *tg, const struct vc_probe *p,
		 uint32_t seed, int timeout_s, unsigned attempt, struct vc_result *res)
{
	memset(res, 0, sizeof(*res));
	res->seed = c->random ? seed : 0;
	const char *why = vc_needs_unmet(p, tg, c->needs);
	if (why) {
		res->verdict = VC_NOT_SUPPORTED;
		snprintf(res->detail, sizeof(res->detail), "%s", why);
		return;
	}
	if (!timeout_s)
		timeout_s = c->timeout_s ? c->timeout_s : VC_DEFAULT_TIMEOUT_S;
	int fds[2];
	if (pipe(fds) < 0) {
		res->verdict = VC_ERROR;
		snprintf(res->detail, sizeof(res->detail), "pipe: %s", strerror(errno));
		return;
	}
	double start = now_s();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		res->verdict = VC_ERROR;
		snprintf(res->detail, sizeof(res->detail), "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		setpgid(0, 0); /* the case and its backend die together on timeout */
		case_in_child(c, tg, p, seed, attempt, fds[1]);
	}
	setpgid(pid, pid);
	close(fds[1]);

	static struct vc_result got;
	ssize_t n = -1;
	size_t have = 0;
	struct pollfd pfd = { fds[0], POLLIN, 0 };
	int left_ms = timeout_s * 1000;
	/* The result is larger than a pipe's atomic write: read until all of it came. */
	while (left_ms > 0) {
		int pr = poll(&pfd, 1, left_ms);
		if (pr > 0) {
			ssize_t r = read(fds[0], (char *)&got + have, sizeof(got) - have);
			if (r > 0 && (have += (size_t)r) < sizeof(got))
				continue;
			if (r < 0 && errno == EINTR)
				continue;
			n = have ? (ssize_t)have : r;
			break;
		}
		if (pr < 0 && errno != EINTR)
			break;
		left_ms = timeout_s * 1000 - (int)((now_s() - start) * 1000);
	}
	close(fds[0]);
	res->time_s = now_s() - start;

	int status = 0;
	bool timed_out = n < 0 && left_ms <= 0;
	if (timed_out || n != (ssize_t)sizeof(got)) {
		if (timed_out)
			kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
	} else {
		/* Give teardown a moment, then make sure nothing of the case lingers. */
		for (int i = 0; i < 50; i++) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			if (i == 49) {
				kill(-pid, SIGKILL);
				waitpid(pid, &status, 0);
			}
			usleep(20000);
		}
	}
	kill(-pid, SIGKILL); /* a backend the case left behind */
	if ((c->needs & VC_NEED_VALIDATE) && tg->validate) {
		/* A case killed before its own teardown leaves its validating log behind. */
		char path[sizeof(((struct vc *)0)->validate_path)];
		validate_path_of(pid, path, sizeof(path));
		unlink(path);
	}

	res->ran = true;
	if (n == (ssize_t)sizeof(got)) {
		*res = got;
		res->ran = true;
		res->seed = c->random ? seed : 0;
		res->time_s = now_s() - start;
	} else if (timed_out) {
		res->verdict = VC_TIMEOUT;
		snprintf(res->detail, sizeof(res->detail), "no verdict within %d s", timeout_s);
	} else if (WIFSIGNALED(status)) {
		res->verdict = VC_CRASH;
		snprintf(res->detail, sizeof(res->detail), "case process died: signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else {
		res->verdict = VC_ERROR;
		snprintf(res->detail, sizeof(res->detail), "case process exited %d without a verdict",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
}

void vc_run_case_reruns(const struct vc_case *c, const struct vc_target *tg, const struct vc_probe *p,
			uint32_t seed, int timeout_s, unsigned reruns, struct vc_result *res)
{
	vc_run_case(c, tg, p, seed, timeout_s, 1, res);
	enum vc_verdict first = res->verdict;
	bool failing = first == VC_FAIL || first == VC_CRASH || first == VC_TIMEOUT || first == VC_ERROR;
	if (!failing || !reruns || !res->ran)
		return;
	res->attempts[0] = first;
	res->nattempts = 1;
	double total = res->time_s;
	static struct vc_result again;
	for (unsigned i = 0; i < reruns && res->nattempts < VC_MAX_ATTEMPTS; i++) {
		vc_run_case(c, tg, p, seed, timeout_s, res->nattempts + 1, &again);
		total += again.time_s;
		res->attempts[res->nattempts++] = again.verdict;
		if (again.verdict != first) {
			res->verdict = VC_FLAKY;
			break;
		}
	}
	res->time_s = total;
}
