/* SPDX-License-Identifier: MIT */
/*
 * vgb-host --dump-scanout: once a RESOURCE_FLUSH is answered, the file holds
 * exactly the picture the guest flushed, on every path (2D resource, guest
 * blob, mapped host blob shown with SET_SCANOUT_BLOB); a partial flush
 * changes only its rectangle; disabling the scanout removes the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "path.h"

#define W 161u
#define H 97u

/* The dump as packed 0x00RRGGBB words, or NULL (errno set) when absent or malformed. */
static uint32_t *read_dump(const char *path, uint32_t *w, uint32_t *h)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint32_t *px = NULL;
	unsigned maxval;
	if (fscanf(f, "P6 %u %u %u", w, h, &maxval) == 3 && maxval == 255 && fgetc(f) == '\n' && *w && *h &&
	    *w <= 16384 && *h <= 16384 && (px = calloc((size_t)*w * *h, 4))) {
		for (size_t i = 0; i < (size_t)*w * *h; i++) {
			uint8_t rgb[3];
			if (fread(rgb, 1, 3, f) != 3) {
				free(px);
				px = NULL;
				errno = EIO;
				break;
			}
			px[i] = (uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2];
		}
	}
	fclose(f);
	return px;
}

/* The frame's pixels are B8G8R8A8 in memory: the dump drops alpha. */
static uint32_t shown(uint32_t px) { return px & 0x00ffffffu; }

static void check_dump(const char *path, const struct vgb_frame *now, const struct vgb_frame *before,
		       struct virtio_gpu_rect r, const char *what)
{
	uint32_t w = 0, h = 0;
	uint32_t *px = read_dump(path, &w, &h);
	if (!px) {
		fprintf(stderr, "%s: no readable dump at %s: %s\n", what, path, strerror(errno));
		exit(1);
	}
	CHECK_EQ(w, W);
	CHECK_EQ(h, H);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			int inside = x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
			const struct vgb_frame *f = inside || !before ? now : before;
			if (px[y * W + x] != shown(f->pixels[y * W + x])) {
				fprintf(stderr, "%s: pixel (%u,%u) is %06x, expected %06x\n", what, x, y, px[y * W + x],
					shown(f->pixels[y * W + x]));
				exit(1);
			}
		}
	free(px);
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	char dir[] = "/tmp/vgb-dump-XXXXXX";
	CHECK(mkdtemp(dir));
	char path[128], arg[160];
	snprintf(path, sizeof(path), "%s/scanout.ppm", dir);
	snprintf(arg, sizeof(arg), "--dump-scanout=%s", path);
	static const char *const knob[VGB_PATH_COUNT] = { NULL, "--no-region", "--no-blob" };
	for (int p = 0; p < VGB_PATH_COUNT; p++) {
		const char *extra[] = { arg, knob[p], NULL };
		struct vgb_drv *drv = h_open_spawn(host, extra, NULL);
		CHECK_EQ(vgb_path_choose(drv), p);
		struct vgb_frame f, g;
		struct vgb_surface s;
		CHECK_EQ(vgb_frame_init(&f, W, H), 0);
		CHECK_EQ(vgb_frame_init(&g, W, H), 0);
		vgb_frame_fill(&f, 300 + p);
		CHECK_EQ(vgb_surface_create(drv, (enum vgb_path)p, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H, &s), 0);
		CHECK_EQ(s.path, p);
		CHECK_EQ(vgb_surface_upload(drv, &s, &f), 0);
		CHECK_EQ(vgb_surface_show(drv, &s, 0), 0);
		check_dump(path, &f, NULL, (struct virtio_gpu_rect){ 0, 0, W, H }, vgb_path_name((enum vgb_path)p));

		/* New pixels everywhere, but only a rectangle flushed. */
		vgb_frame_fill(&g, 400 + p);
		CHECK_EQ(vgb_surface_upload(drv, &s, &g), 0);
		struct virtio_gpu_rect r = { 10, 5, 20, 7 };
		CHECK_EQ(vgb_drv_flush(drv, s.resource_id, r), 0);
		check_dump(path, &g, &f, r, "partial flush");

		CHECK_EQ(vgb_drv_set_scanout(drv, 0, 0, (struct virtio_gpu_rect){ 0, 0, 0, 0 }), 0);
		CHECK(access(path, F_OK) != 0 && errno == ENOENT);
		printf("%s: the dump shows the flushed picture, a partial flush, and goes with the scanout\n",
		       vgb_path_name((enum vgb_path)p));
		CHECK_EQ(vgb_surface_destroy(drv, &s), 0);
		vgb_frame_fini(&f);
		vgb_frame_fini(&g);
		vgb_drv_close(drv);
	}
	rmdir(dir);
	return 0;
}
