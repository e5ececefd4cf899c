/* SPDX-License-Identifier: MIT */
/*
 * Interop: the reference driver drives QEMU's own vhost-user-gpu backend
 * (Debian qemu-system-gui) through the 2D path and checks the pixels of its
 * UPDATE messages.  Skipped (77) when the program is not installed.
 */
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "path.h"
#include "selfcheck.h"

#define QEMU_GPU "/usr/lib/qemu/vhost-user-gpu"

int main(int argc, char **argv)
{
	const char *prog = argc > 1 ? argv[1] : QEMU_GPU;
	if (access(prog, X_OK) != 0) {
		printf("SKIP: %s is not installed (Debian package qemu-system-gui)\n", prog);
		return EXIT_SKIP;
	}
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	struct vgb_drv *drv = h_open_spawn(prog, NULL, &o);
	const struct vgb_drv_caps *c = vgb_drv_caps(drv);
	printf("%s: features 0x%llx, %u scanouts\n", prog, (unsigned long long)c->features, c->num_scanouts);
	CHECK(vgb_path_unavailable(drv, VGB_PATH_COPY) == NULL);

	struct vgb_drv_display d[16];
	memset(d, 0, sizeof(d));
	CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);

	static const struct { uint32_t w, h; } sizes[] = { { 1, 1 }, { 161, 97 }, { 333, 17 }, { 64, 480 } };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vgb_frame f;
		struct vgb_surface s;
		CHECK_EQ(vgb_frame_init(&f, sizes[i].w, sizes[i].h), 0);
		vgb_frame_fill(&f, 300 + i);
		int ret = vgb_surface_create(drv, VGB_PATH_COPY, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, f.width,
					     f.height, &s);
		if (ret)
			fprintf(stderr, "create: %s\n", vgb_drv_error(drv));
		CHECK_EQ(ret, 0);
		const struct vgb_fe_scanout *so = vgb_fe_scanout(vgb_drv_fe(drv), 0);
		uint64_t before = so ? so->updates : 0;
		CHECK_EQ(vgb_surface_upload(drv, &s, &f), 0);
		CHECK_EQ(vgb_surface_show(drv, &s, 0), 0);
		char why[256];
		if (vgb_wait_frame(drv, 0, &f, before, 5000, why, sizeof(why))) {
			fprintf(stderr, "QEMU backend, %ux%u: %s\n", f.width, f.height, why);
			return 1;
		}
		printf("QEMU backend shows %ux%u from %u scattered entries pixel-exact\n", f.width, f.height,
		       s.backing.nentries);
		CHECK_EQ(vgb_drv_set_scanout(drv, 0, 0, (struct virtio_gpu_rect){ 0, 0, 0, 0 }), 0);
		CHECK_EQ(vgb_surface_destroy(drv, &s), 0);
		vgb_frame_fini(&f);
	}
	/* The program's self-check on the same backend: copy passes, the rest is not offered. */
	for (int p = 0; p < VGB_PATH_COUNT; p++) {
		struct vgb_path_result r;
		vgb_selfcheck_run(drv, (enum vgb_path)p, false, &r);
		printf("path %s: %s (%s)\n", vgb_path_name((enum vgb_path)p), vgb_verdict_name(r.verdict), r.detail);
		CHECK(r.verdict != VGB_FAIL);
	}
	vgb_drv_close(drv);
	return 0;
}
