/* SPDX-License-Identifier: MIT */
/*
 * Every path pixel-exact, driver and device in separate processes over
 * vhost-user: frames of odd sizes from scattered backing, scanned out and
 * flushed, must arrive unchanged in the backend's UPDATE messages.
 * Each path runs on a device set up to offer exactly that path (so the
 * driver's own choice is checked too), then all paths run in one session.
 */
#include <string.h>

#include "harness.h"
#include "path.h"

static const struct { uint32_t w, h; } sizes[] = {
	{ 1, 1 }, { 3, 1 }, { 61, 3 }, { 161, 97 }, { 333, 17 }, { 1023, 5 },
};

static const char *const *knobs(enum vgb_path p)
{
	static const char *const mapped[] = { NULL };
	static const char *const guest_blob[] = { "--no-region", NULL };
	static const char *const copy[] = { "--no-blob", NULL };
	return p == VGB_PATH_MAPPED ? mapped : p == VGB_PATH_GUEST_BLOB ? guest_blob : copy;
}

static void show_frames(struct vgb_drv *drv, enum vgb_path p)
{
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vgb_frame f;
		struct vgb_surface s;
		CHECK_EQ(vgb_frame_init(&f, sizes[i].w, sizes[i].h), 0);
		vgb_frame_fill(&f, 100 + i);
		int ret = vgb_surface_create(drv, p, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, f.width, f.height, &s);
		if (ret)
			fprintf(stderr, "%s %ux%u: %s\n", vgb_path_name(p), f.width, f.height, vgb_drv_error(drv));
		CHECK_EQ(ret, 0);
		CHECK(!s.fell_back);
		CHECK_EQ(s.path, p);
		const struct vgb_fe_scanout *so = vgb_fe_scanout(vgb_drv_fe(drv), 0);
		uint64_t before = so ? so->updates : 0;
		CHECK_EQ(vgb_surface_upload(drv, &s, &f), 0);
		CHECK_EQ(vgb_surface_show(drv, &s, 0), 0);
		char why[256];
		if (vgb_wait_frame(drv, 0, &f, before, 5000, why, sizeof(why))) {
			fprintf(stderr, "%s %ux%u: %s\n", vgb_path_name(p), f.width, f.height, why);
			exit(1);
		}
		/* A second frame through the same surface replaces the first entirely. */
		vgb_frame_fill(&f, 200 + i);
		so = vgb_fe_scanout(vgb_drv_fe(drv), 0);
		before = so ? so->updates : 0;
		CHECK_EQ(vgb_surface_upload(drv, &s, &f), 0);
		CHECK_EQ(vgb_drv_flush(drv, s.resource_id, (struct virtio_gpu_rect){ 0, 0, f.width, f.height }), 0);
		if (vgb_wait_frame(drv, 0, &f, before, 5000, why, sizeof(why))) {
			fprintf(stderr, "%s %ux%u second frame: %s\n", vgb_path_name(p), f.width, f.height, why);
			exit(1);
		}
		printf("%s %ux%u: pixel-exact (%u entries)\n", vgb_path_name(p), f.width, f.height,
		       s.has_backing ? s.backing.nentries : 0);
		CHECK_EQ(vgb_surface_destroy(drv, &s), 0);
		vgb_frame_fini(&f);
	}
}

/* A device reset in the middle of use: mappings gone, ids free again, every path works after. */
static void reset_and_again(struct vgb_drv *drv)
{
	struct vgb_surface s;
	CHECK_EQ(vgb_surface_create(drv, VGB_PATH_MAPPED, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 31, 7, &s), 0);
	CHECK(s.mapped);
	CHECK_EQ(vgb_surface_show(drv, &s, 0), 0);
	uint64_t off = s.map.offset, size = s.map.size;
	volatile uint8_t *old = s.map.ptr;
	uint32_t old_id = s.resource_id;
	CHECK_EQ(vgb_drv_reset(drv), 0);
	CHECK_EQ(vgb_drv_region_used(drv), 0);
	CHECK(!vgb_fe_shm_mapped(vgb_drv_fe(drv), VGB_DRV_SHMID_HOST_VISIBLE, off, size));
	CHECK(h_faults(old, false));
	/* The old resource id is unused again on the device. */
	CHECK_EQ(vgb_drv_create_2d(drv, old_id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4), 0);
	CHECK_EQ(vgb_drv_unref(drv, old_id), 0);
	if (s.has_backing)
		vgb_drv_backing_free(drv, &s.backing);
	for (int p = 0; p < VGB_PATH_COUNT; p++)
		show_frames(drv, (enum vgb_path)p);
	printf("after a device reset every path is pixel-exact again\n");
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	for (int p = 0; p < VGB_PATH_COUNT; p++) {
		struct vgb_drv *drv = h_open_spawn(host, knobs((enum vgb_path)p), NULL);
		CHECK(vgb_path_unavailable(drv, (enum vgb_path)p) == NULL);
		CHECK_EQ(vgb_path_choose(drv), p);
		show_frames(drv, (enum vgb_path)p);
		vgb_drv_close(drv);
	}
	/* One session, every path forced by the driver in turn; then with a coarse blob alignment. */
	static const char *const coarse[] = { "--alignment=65536", "--blob-alignment", NULL };
	for (int round = 0; round < 2; round++) {
		struct vgb_drv *drv = h_open_spawn(host, round ? coarse : NULL, NULL);
		if (round)
			CHECK_EQ(vgb_drv_caps(drv)->blob_alignment, 65536);
		for (int p = 0; p < VGB_PATH_COUNT; p++)
			show_frames(drv, (enum vgb_path)p);
		CHECK_EQ(vgb_drv_region_used(drv), 0);
		if (round == 0)
			reset_and_again(drv);
		vgb_drv_close(drv);
	}
	return 0;
}
