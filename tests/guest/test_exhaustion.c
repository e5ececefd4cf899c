/* SPDX-License-Identifier: MIT */
/*
 * Running out, on both sides, against the validating device:
 *   - a frontend out of memory slots refuses SHMEM_MAP: the device answers
 *     MAP_BLOB with an error at once, the driver falls back to a guest blob,
 *     keeps no range for the refused map, and maps again once a slot is free;
 *   - a full region: the driver falls back without asking the device;
 *   - a device reset drops every mapping on both sides, and everything maps
 *     again from offset 0;
 *   - many MAP/UNMAP rounds leave no mapping, range or descriptor behind;
 * and through all of it the driver breaks no requirement the device validates.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "path.h"

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	CHECK(d != NULL);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

static char validate_path[64];

static struct vgb_drv *open_validated(const char *host, const char *extra)
{
	static char arg[96];
	snprintf(validate_path, sizeof(validate_path), "/tmp/vgb-exhaustion-%d.jsonl", (int)getpid());
	unlink(validate_path);
	snprintf(arg, sizeof(arg), "--validate=%s", validate_path);
	const char *args[] = { arg, extra, NULL };
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	o.fe.quiet = true;
	return h_open_spawn(host, args, &o);
}

/* After closing: the validating device wrote no violation. */
static void no_violation(const char *when)
{
	FILE *f = fopen(validate_path, "r");
	CHECK(f != NULL);
	char line[512];
	bool any = false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "\"requirement\"")) {
			printf("%s: %s", when, line);
			any = true;
		}
	fclose(f);
	unlink(validate_path);
	CHECK(!any);
}

static void out_of_slots(const char *host)
{
	enum { SLOTS = 2, N = 4 };
	struct vgb_drv *drv = open_validated(host, NULL);
	vgb_fe_set_shmem_slots(vgb_drv_fe(drv), SLOTS);
	struct vgb_surface s[N];
	uint64_t mapped_bytes = 0;
	for (unsigned i = 0; i < N; i++) {
		double t0 = h_now_ms();
		CHECK_EQ(vgb_surface_create(drv, VGB_PATH_MAPPED, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64, &s[i]), 0);
		printf("surface %u: %s%s%s after %.0f ms\n", i, vgb_path_name(s[i].path), s[i].fell_back ? ", fell back: " : "",
		       s[i].fallback_reason, h_now_ms() - t0);
		CHECK(h_now_ms() - t0 < 5000);
		if (i < SLOTS) {
			CHECK(!s[i].fell_back && s[i].mapped);
			mapped_bytes += s[i].map.size;
		} else {
			CHECK(s[i].fell_back && s[i].path == VGB_PATH_GUEST_BLOB);
			CHECK(strstr(s[i].fallback_reason, "refused") != NULL);
		}
		/* The refused maps keep no range. */
		CHECK_EQ(vgb_drv_region_used(drv), mapped_bytes);
	}
	CHECK_EQ(vgb_fe_shmem_maps(vgb_drv_fe(drv), 1), SLOTS);
	/* A fallen-back surface works. */
	struct vgb_frame f;
	CHECK_EQ(vgb_frame_init(&f, 64, 64), 0);
	vgb_frame_fill(&f, 7);
	CHECK_EQ(vgb_surface_upload(drv, &s[N - 1], &f), 0);
	CHECK_EQ(vgb_surface_show(drv, &s[N - 1], 0), 0);
	vgb_frame_fini(&f);
	/* A slot comes free: the next mapped surface maps. */
	CHECK_EQ(vgb_surface_destroy(drv, &s[0]), 0);
	struct vgb_surface again;
	CHECK_EQ(vgb_surface_create(drv, VGB_PATH_MAPPED, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64, &again), 0);
	CHECK(again.mapped && !again.fell_back);
	CHECK_EQ(vgb_surface_destroy(drv, &again), 0);
	for (unsigned i = 1; i < N; i++)
		CHECK_EQ(vgb_surface_destroy(drv, &s[i]), 0);
	CHECK_EQ(vgb_drv_region_used(drv), 0);
	CHECK_EQ(vgb_fe_shmem_maps(vgb_drv_fe(drv), 1), 0);
	vgb_drv_close(drv);
	no_violation("out of slots");
}

static void region_full(const char *host)
{
	struct vgb_drv *drv = open_validated(host, "--region-size=64K");
	struct vgb_surface s[4];
	unsigned n = 0;
	bool fell_back = false;
	/* 64x64x4 = 16 KiB each: the 64 KiB region holds four; the fifth falls back. */
	for (; n < 4 || !fell_back; n++) {
		CHECK(n < 8);
		struct vgb_surface x;
		CHECK_EQ(vgb_surface_create(drv, VGB_PATH_MAPPED, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64, &x), 0);
		if (x.fell_back) {
			fell_back = true;
			CHECK(strstr(x.fallback_reason, "region full") != NULL);
			CHECK_EQ(vgb_surface_destroy(drv, &x), 0);
			break;
		}
		s[n] = x;
	}
	printf("region full after %u mapped surfaces\n", n);
	CHECK_EQ(n, 4);
	for (unsigned i = 0; i < n; i++)
		CHECK_EQ(vgb_surface_destroy(drv, &s[i]), 0);
	CHECK_EQ(vgb_drv_region_used(drv), 0);
	vgb_drv_close(drv);
	no_violation("region full");
}

static void reset_drops_mappings(const char *host)
{
	struct vgb_drv *drv = open_validated(host, NULL);
	struct vgb_fe *fe = vgb_drv_fe(drv);
	struct vgb_surface s[3];
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(vgb_surface_create(drv, VGB_PATH_MAPPED, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64, &s[i]), 0);
		CHECK(s[i].mapped);
	}
	uint64_t size = 0;
	uint8_t *base = vgb_fe_shm(fe, 1, &size);
	CHECK_EQ(vgb_fe_shmem_maps(fe, 1), 3);
	CHECK_EQ(vgb_drv_reset(drv), 0);
	/* Both sides forgot them: no mapping, no reservation, the first range faults again. */
	CHECK_EQ(vgb_fe_shmem_maps(fe, 1), 0);
	CHECK_EQ(vgb_drv_region_used(drv), 0);
	CHECK(h_faults(base + s[0].map.offset, false));
	/* The device forgot them too: a new blob maps at the same offset (no overlap refused). */
	struct vgb_surface x;
	CHECK_EQ(vgb_surface_create(drv, VGB_PATH_MAPPED, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64, &x), 0);
	CHECK(x.mapped && x.map.offset == s[0].map.offset);
	CHECK_EQ(vgb_surface_destroy(drv, &x), 0);
	vgb_drv_close(drv);
	no_violation("reset");
}

static void many_rounds(const char *host)
{
	int fds = fd_count();
	struct vgb_drv *drv = open_validated(host, NULL);
	for (unsigned i = 0; i < 300; i++) {
		struct vgb_surface s;
		CHECK_EQ(vgb_surface_create(drv, VGB_PATH_MAPPED, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 32, 32, &s), 0);
		CHECK(s.mapped);
		CHECK_EQ(vgb_surface_destroy(drv, &s), 0);
	}
	CHECK_EQ(vgb_drv_region_used(drv), 0);
	CHECK_EQ(vgb_fe_shmem_maps(vgb_drv_fe(drv), 1), 0);
	vgb_drv_close(drv);
	CHECK_EQ(fd_count(), fds);
	no_violation("many rounds");
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	out_of_slots(host);
	region_full(host);
	reset_drops_mappings(host);
	many_rounds(host);
	return 0;
}
