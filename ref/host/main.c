/* SPDX-License-Identifier: MIT */
/*
 * vgb-host: the virtio-gpu-blob reference device as a vhost-user-gpu back-end
 * program (QEMU docs/interop/vhost-user.rst, "Backend program conventions").
 * Exit status: 0 when the front-end disconnects, 1 on a protocol or ring
 * error (after saying what was wrong), 2 on a usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "renderer_virgl.h"

/* Serves the front-end on sock until it leaves; 0 or 1 (exit status). */
static int serve(struct host *h, int sock)
{
	struct vgb_vu_device vd;
	host_vu_device(h, &vd);
	if (h->hostile)
		hostile_wrap_device(h->hostile, &vd);
	struct vgb_vu_backend_options bo = { .verbose = h->opt->verbose, .poll_us = h->opt->poll_us };
	if (h->fcheck) {
		bo.frontend_violation = frontend_check_violation;
		bo.opaque = h->fcheck;
	}
	h->be = vgb_vu_backend_new(sock, &vd, &bo);
	if (!h->be) {
		fprintf(stderr, "vgb-host: cannot create the vhost-user back-end\n");
		return 1;
	}
	int r = vgb_vu_backend_run(h->be);
	if (r == 0)
		fprintf(stderr, "vgb-host: %s, exiting\n", vgb_vu_backend_error(h->be));
	else
		fprintf(stderr, "vgb-host: %s; disconnecting\n", vgb_vu_backend_error(h->be));
	/* The device goes first: its teardown must not reach a freed transport. */
	h->closing = true;
	vgb_device_free(h->dev);
	h->dev = NULL;
	vgb_vu_backend_free(h->be);
	return r == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct host_options opt;
	int r = host_options_parse(&opt, argc, argv);
	if (r)
		return r > 0 ? 0 : 2;
	if (opt.cfg.breaks)
		fprintf(stderr, "vgb-host: deliberately broken (--break, 0x%x): for conformance self-tests "
			"only, this device does not conform\n", (unsigned)opt.cfg.breaks);
	signal(SIGPIPE, SIG_IGN); /* a vanished front-end gives EPIPE, handled as a disconnect */

	struct host h = { .opt = &opt, .dump = { .path = opt.dump_scanout } };
	int status = 1;
	char err[256];
	if (opt.hostile) {
		if (!(h.hostile = hostile_new(opt.hostile, err, sizeof(err)))) {
			fprintf(stderr, "vgb-host: --hostile: %s\n", err);
			return 2;
		}
		fprintf(stderr, "vgb-host: hostile (--hostile=%s): answers wrongly on purpose, for tests "
			"of drivers only; this device does not conform\n", opt.hostile);
	}
	if (opt.validate_file && !(h.violations = fopen(opt.validate_file, "a"))) {
		fprintf(stderr, "vgb-host: cannot open %s: %s\n", opt.validate_file, strerror(errno));
		status = 2;
		goto out;
	}
	if (opt.validate_frontend) {
		if (opt.validate_frontend_file && !(h.fcheck_file = fopen(opt.validate_frontend_file, "a"))) {
			fprintf(stderr, "vgb-host: cannot open %s: %s\n", opt.validate_frontend_file, strerror(errno));
			status = 2;
			goto out;
		}
		if (!(h.fcheck = frontend_check_new(h.fcheck_file)))
			goto out;
	}
	if (opt.trace_file && !(h.trace = fopen(opt.trace_file, "w"))) {
		fprintf(stderr, "vgb-host: cannot open %s: %s\n", opt.trace_file, strerror(errno));
		return 2;
	}
	struct vgb_device_ops ops;
	host_device_ops(&h, &ops);
#ifdef VGB_HAVE_VIRGLRENDERER
	if (opt.renderer != HOST_RENDERER_NONE) {
		ops.renderer = host_renderer_virgl(opt.renderer == HOST_RENDERER_VIRGL, opt.verbose, err,
						   sizeof(err));
		if (!ops.renderer) {
			fprintf(stderr, "vgb-host: --renderer: %s\n", err);
			goto out;
		}
	}
#endif
	h.dev = vgb_device_new(&opt.cfg, &ops);
	if (!h.dev) {
		fprintf(stderr, "vgb-host: cannot create the device\n");
		goto out;
	}
	int sock = opt.fd;
	if (opt.socket_path && (sock = vgb_vu_listen_accept(opt.socket_path, err, sizeof(err))) < 0) {
		fprintf(stderr, "vgb-host: %s\n", err);
		goto out;
	}
	status = serve(&h, sock);
out:
	vgb_device_free(h.dev);
	frontend_check_finish(h.fcheck);
	if (h.fcheck_file)
		fclose(h.fcheck_file);
	if (h.violations)
		fclose(h.violations);
	hostile_free(h.hostile);
	if (h.trace)
		fclose(h.trace);
#ifdef VGB_HAVE_VIRGLRENDERER
	host_renderer_virgl_fini();
#endif
	scanout_dump_free(&h.dump);
	return status;
}
