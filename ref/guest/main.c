/* SPDX-License-Identifier: MIT */
/*
 * vgb-guest: the reference driver as a program.
 *
 *   vgb-guest --self-check --backend PATH [backend args...]
 *   vgb-guest --self-check --socket PATH
 *
 * With --backend every path runs in its own backend process.  The reference
 * device (vgb-host) is given the knobs that make it offer exactly that path;
 * any other backend is run as is and the driver leaves out what the path
 * must not use.  With --socket one connection serves all paths in turn.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selfcheck.h"
#include "vgb/vhost_user.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vgb-guest --self-check [--path NAME] [--quiet] [--timeout MS] [TUNING] --backend PATH [backend args...]\n"
		"       vgb-guest --self-check [--path NAME] [--quiet] [--timeout MS] [TUNING] --socket PATH\n"
		"Runs the reference driver's self-check on every path (mapped, guest-blob, copy)\n"
		"and prints one line per path. Exit status 0 when every offered path passed.\n"
		"--timeout: how long the driver waits for each answer of the device (default 5000 ms).\n"
		"TUNING (all off by default):\n"
		"  --poll-us N     after each kick, poll the used ring for up to N microseconds\n"
		"                  (0..%u) before sleeping; pairs with the device's own --poll-us\n"
		"  --event-idx     negotiate VIRTIO_RING_F_EVENT_IDX (notification suppression)\n"
		"  --huge-pages    guest RAM in huge pages where the host has them\n",
		VGB_VU_POLL_US_MAX);
}

/* Device knobs of vgb-host that leave exactly one path on offer. */
static const char *const knobs[VGB_PATH_COUNT] = {
	[VGB_PATH_MAPPED] = NULL,
	[VGB_PATH_GUEST_BLOB] = "--no-region",
	[VGB_PATH_COPY] = "--no-blob",
};

static bool is_reference_device(const char *path)
{
	char *copy = strdup(path);
	bool yes = copy && strcmp(basename(copy), "vgb-host") == 0;
	free(copy);
	return yes;
}

/* The driver leaves out what path p must not use (for backends without knobs). */
static void restrict_driver(struct vgb_drv_options *o, enum vgb_path p)
{
	if (p == VGB_PATH_GUEST_BLOB)
		o->ignore_region = true;
	else if (p == VGB_PATH_COPY)
		o->features &= ~(1ull << VIRTIO_GPU_F_RESOURCE_BLOB);
}

static void open_failed(struct vgb_path_result *r, const char *err)
{
	r->verdict = VGB_FAIL;
	snprintf(r->detail, sizeof(r->detail), "cannot start the device: %s", err);
}

/* Frontend knobs from the command line. */
struct tuning {
	unsigned poll_us;
	bool event_idx, huge_pages;
	int timeout_ms; /* --timeout: each answer of the device */
};

static void apply_tuning(struct vgb_drv_options *o, const struct tuning *tu)
{
	o->fe.poll_us = tu->poll_us;
	o->fe.event_idx = tu->event_idx;
	o->fe.huge_pages = tu->huge_pages;
	o->fe.timeout_ms = tu->timeout_ms;
}

/* One backend process for path p. */
static void run_spawned(char **argv, int argc, bool quiet, const struct tuning *tu, enum vgb_path p,
			struct vgb_path_result *r)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args) {
		open_failed(r, "out of memory");
		return;
	}
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	o.fe.quiet = quiet;
	apply_tuning(&o, tu);
	int n = 0;
	for (int i = 0; i < argc; i++)
		args[n++] = argv[i];
	const char *knob = is_reference_device(argv[0]) ? knobs[p] : NULL;
	if (knob)
		args[n++] = (char *)knob;
	else if (!is_reference_device(argv[0]))
		restrict_driver(&o, p);
	args[n] = NULL;
	o.fe.backend_argv = args;
	char err[512];
	struct vgb_drv *drv = vgb_drv_open(&o, err, sizeof(err));
	char note[160] = "";
	if (!drv && knob) {
		/* The knob may clash with the caller's own options: restrict the driver instead. */
		snprintf(note, sizeof(note), "backend refused %s; driver left the path's features out; ", knob);
		args[n - 1] = NULL;
		restrict_driver(&o, p);
		drv = vgb_drv_open(&o, err, sizeof(err));
	}
	free(args);
	if (!drv) {
		open_failed(r, err);
		return;
	}
	vgb_selfcheck_run(drv, p, true, r);
	vgb_drv_close(drv);
	if (note[0]) {
		char detail[sizeof(r->detail)];
		snprintf(detail, sizeof(detail), "%s%s", note, r->detail);
		memcpy(r->detail, detail, sizeof(detail));
	}
}

int main(int argc, char **argv)
{
	bool self_check = false, quiet = false;
	struct tuning tu = { .timeout_ms = 5000 };
	const char *socket_path = NULL;
	int only = -1, backend_at = -1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--self-check") == 0) {
			self_check = true;
		} else if (strcmp(argv[i], "--quiet") == 0) {
			quiet = true;
		} else if (strcmp(argv[i], "--path") == 0 && i + 1 < argc) {
			only = vgb_path_from_name(argv[++i]);
			if (only < 0) {
				fprintf(stderr, "vgb-guest: unknown path '%s'\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 1 || v > 3600000) {
				fprintf(stderr, "vgb-guest: bad --timeout '%s' (1..3600000 ms)\n", argv[i]);
				return 2;
			}
			tu.timeout_ms = (int)v;
		} else if (strcmp(argv[i], "--poll-us") == 0 && i + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 10);
			if (*end || !*argv[i] || v > VGB_VU_POLL_US_MAX) {
				fprintf(stderr, "vgb-guest: --poll-us takes 0..%u\n", VGB_VU_POLL_US_MAX);
				return 2;
			}
			tu.poll_us = (unsigned)v;
		} else if (strcmp(argv[i], "--event-idx") == 0) {
			tu.event_idx = true;
		} else if (strcmp(argv[i], "--huge-pages") == 0) {
			tu.huge_pages = true;
		} else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			socket_path = argv[++i];
		} else if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
			backend_at = i + 1;
			break; /* the rest belongs to the backend */
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "vgb-guest: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!self_check || (backend_at < 0) == !socket_path) {
		usage(stderr);
		return 2;
	}

	struct vgb_path_result res[VGB_PATH_COUNT];
	struct vgb_drv *drv = NULL;
	if (socket_path) {
		struct vgb_drv_options o;
		char err[512];
		vgb_drv_options_defaults(&o);
		apply_tuning(&o, &tu);
		o.fe.socket_path = socket_path;
		drv = vgb_drv_open(&o, err, sizeof(err));
		if (!drv) {
			fprintf(stderr, "vgb-guest: cannot reach the device at %s: %s\n", socket_path, err);
			return 1;
		}
	}
	unsigned pass = 0, fail = 0, unsupported = 0;
	for (int p = 0; p < VGB_PATH_COUNT; p++) {
		if (only >= 0 && p != only)
			continue;
		struct vgb_path_result *r = &res[p];
		memset(r, 0, sizeof(*r));
		if (drv)
			vgb_selfcheck_run(drv, (enum vgb_path)p, false, r);
		else
			run_spawned(&argv[backend_at], argc - backend_at, quiet, &tu, (enum vgb_path)p, r);
		printf("path %s: %s (%s)\n", vgb_path_name((enum vgb_path)p), vgb_verdict_name(r->verdict),
		       r->detail);
		fflush(stdout);
		pass += r->verdict == VGB_PASS;
		fail += r->verdict == VGB_FAIL;
		unsupported += r->verdict == VGB_NOT_SUPPORTED;
	}
	vgb_drv_close(drv);
	printf("summary: %u passed, %u failed, %u not supported by the backend\n", pass, fail, unsupported);
	return fail ? 1 : 0;
}
