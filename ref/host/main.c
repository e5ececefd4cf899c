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
	if (opt.validate_file && !(h.violations = fopen(opt.validate_file, "a"))) {
		fprintf(stderr, "vgb-host: cannot open %s: %s\n", opt.validate_file, strerror(errno));
		return 2;
	}
	struct vgb_device_ops ops;
	host_device_ops(&h, &ops);
#ifdef VGB_HAVE_VIRGLRENDERER
	if (opt.renderer != HOST_RENDERER_NONE) {
		char err[256];
		ops.renderer = host_renderer_virgl(opt.renderer == HOST_RENDERER_VIRGL, opt.verbose, err,
						   sizeof(err));
		if (!ops.renderer) {
			fprintf(stderr, "vgb-host: --renderer: %s\n", err);
			return 1;
		}
	}
#endif
	h.dev = vgb_device_new(&opt.cfg, &ops);
	if (!h.dev) {
		fprintf(stderr, "vgb-host: cannot create the device\n");
		return 1;
	}

	int sock = opt.fd;
	if (opt.socket_path) {
		char err[256];
		sock = vgb_vu_listen_accept(opt.socket_path, err, sizeof(err));
		if (sock < 0) {
			fprintf(stderr, "vgb-host: %s\n", err);
			vgb_device_free(h.dev);
			return 1;
		}
	}
	struct vgb_vu_device vd;
	host_vu_device(&h, &vd);
	struct vgb_vu_backend_options bo = { .verbose = opt.verbose, .poll_us = opt.poll_us };
	h.be = vgb_vu_backend_new(sock, &vd, &bo);
	if (!h.be) {
		fprintf(stderr, "vgb-host: cannot create the vhost-user back-end\n");
		vgb_device_free(h.dev);
		return 1;
	}
	r = vgb_vu_backend_run(h.be);
	if (r == 0)
		fprintf(stderr, "vgb-host: %s, exiting\n", vgb_vu_backend_error(h.be));
	else
		fprintf(stderr, "vgb-host: %s; disconnecting\n", vgb_vu_backend_error(h.be));
	/* The device goes first: its teardown must not reach a freed transport. */
	h.closing = true;
	vgb_device_free(h.dev);
	vgb_vu_backend_free(h.be);
	if (h.violations)
		fclose(h.violations);
#ifdef VGB_HAVE_VIRGLRENDERER
	host_renderer_virgl_fini();
#endif
	scanout_dump_free(&h.dump);
	return r == 0 ? 0 : 1;
}
