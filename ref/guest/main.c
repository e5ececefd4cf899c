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

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vgb-guest --self-check [--path NAME] [--quiet] --backend PATH [backend args...]\n"
		"       vgb-guest --self-check [--path NAME] [--quiet] --socket PATH\n"
		"Runs the reference driver's self-check on every path (mapped, guest-blob, copy)\n"
		"and prints one line per path. Exit status 0 when every offered path passed.\n");
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

/* One backend process for path p. */
static void run_spawned(char **argv, int argc, bool quiet, enum vgb_path p, struct vgb_path_result *r)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args) {
		snprintf(r->detail, sizeof(r->detail), "out of memory");
		r->verdict = VGB_FAIL;
		return;
	}
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	o.fe.quiet = quiet;
	int n = 0;
	for (int i = 0; i < argc; i++)
		args[n++] = argv[i];
	if (is_reference_device(argv[0])) {
		if (knobs[p])
			args[n++] = (char *)knobs[p];
	} else if (p == VGB_PATH_GUEST_BLOB) {
		o.ignore_region = true;
	} else if (p == VGB_PATH_COPY) {
		o.features &= ~(1ull << VIRTIO_GPU_F_RESOURCE_BLOB);
	}
	args[n] = NULL;
	o.fe.backend_argv = args;
	vgb_selfcheck_path(&o, p, r);
	free(args);
}

int main(int argc, char **argv)
{
	bool self_check = false, quiet = false;
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
			run_spawned(&argv[backend_at], argc - backend_at, quiet, (enum vgb_path)p, r);
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
