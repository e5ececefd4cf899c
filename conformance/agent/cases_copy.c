/* pair.copy.*: the copy path every virtio-gpu pair has (guest memory plus
 * TRANSFER/FLUSH), the fallback when blobs cannot be mapped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm/drm_mode.h>

#include "cases.h"
#include "kms.h"
#include "requirements.h"
#include "virgl.h"

/* The picture the scanout case draws; the host runner recomputes it from the
 * pixel position to compare its screendump (keep both in step). */
static uint32_t scanout_pixel(uint32_t x, uint32_t y)
{
	uint32_t r = x & 0xff, g = y & 0xff, b = (0x40 + (x >> 8) + 8 * (y >> 8)) & 0xff;
	return (r << 16) | (g << 8) | b;
}

static enum verdict copy_dumb_scanout(struct case_ctx *c)
{
	char why[128] = "";
	struct kms_target t;
	if (kms_find_target(c->fd, &t, why, sizeof(why)))
		return case_say(c, NOT_SUPPORTED, "no display output: %s", why);
	uint32_t w = t.mode.hdisplay, h = t.mode.vdisplay;
	struct drm_mode_create_dumb cd = { .width = w, .height = h, .bpp = 32 };
	int r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd);
	if (r)
		return case_say(c, FAIL, "CREATE_DUMB %ux%u: %s", w, h, strerror(-r));
	struct drm_mode_map_dumb md = { .handle = cd.handle };
	r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_MAP_DUMB, &md);
	if (r)
		return case_say(c, FAIL, "MAP_DUMB: %s", strerror(-r));
	uint8_t *px = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, (off_t)md.offset);
	if (px == MAP_FAILED)
		return case_say(c, FAIL, "mmap of dumb buffer: %s", strerror(errno));
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(px + (size_t)y * cd.pitch);
		for (uint32_t x = 0; x < w; x++)
			row[x] = scanout_pixel(x, y);
	}
	struct drm_mode_fb_cmd fb = { .width = w, .height = h, .pitch = cd.pitch, .bpp = 32, .depth = 24,
				      .handle = cd.handle };
	r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_ADDFB, &fb);
	if (r)
		return case_say(c, FAIL, "ADDFB: %s", strerror(-r));
	struct drm_mode_crtc sc;
	memset(&sc, 0, sizeof(sc));
	sc.crtc_id = t.crtc;
	sc.fb_id = fb.fb_id;
	sc.set_connectors_ptr = (uint64_t)(uintptr_t)&t.connector;
	sc.count_connectors = 1;
	sc.mode = t.mode;
	sc.mode_valid = 1;
	r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_SETCRTC, &sc);
	if (r)
		return case_say(c, FAIL, "SETCRTC: %s", strerror(-r));
	/* DIRTYFB is what makes the driver send TRANSFER_TO_HOST_2D + RESOURCE_FLUSH. */
	struct drm_mode_fb_dirty_cmd dirty = { .fb_id = fb.fb_id };
	r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_DIRTYFB, &dirty);
	if (r && r != -ENOSYS)
		return case_say(c, FAIL, "DIRTYFB: %s", strerror(-r));
	/* Let the device process the flush before the host looks (the runner
	 * also waits for the picture, should the barrier be unavailable). */
	(void)kms_barrier(c->fd, t.crtc);
	char ev[256];
	snprintf(ev, sizeof(ev),
		 "{\"type\":\"event\",\"name\":\"scanout\",\"width\":%u,\"height\":%u,\"pattern\":\"xy-gradient\",\"hold_s\":%d}",
		 w, h, c->scanout_wait_s);
	case_event(ev);
	/* Hold the picture while the host takes its screendump. */
	if (c->scanout_wait_s > 0)
		sleep((unsigned)c->scanout_wait_s);
	return case_say(c, PASS, "%ux%u dumb buffer scanned out via DIRTYFB (host checks pixels)", w, h);
}

static enum verdict copy_transfer_roundtrip(struct case_ctx *c)
{
	if (!c->params.has_3d)
		return case_say(c, NOT_SUPPORTED,
				"no VIRTIO_GPU_F_VIRGL: TRANSFER_FROM_HOST needs a 3D device (2D has no read-back)");
	const uint32_t size = 64 * 1024;
	struct drm_virtgpu_resource_create rc;
	memset(&rc, 0, sizeof(rc));
	rc.target = VIRGL_TARGET_BUFFER;
	rc.format = VIRGL_FORMAT_R8_UNORM;
	rc.bind = VIRGL_BIND_VERTEX_BUFFER;
	rc.width = size;
	rc.height = rc.depth = rc.array_size = 1;
	rc.size = size;
	int r = gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc);
	if (r)
		return case_say(c, FAIL, "RESOURCE_CREATE (3D buffer): %s", strerror(-r));
	struct gpu_blob b = { .handle = rc.bo_handle, .res_handle = rc.res_handle, .size = size };
	r = gpu_blob_map(c->fd, &b);
	if (r)
		return case_say(c, FAIL, "MAP of the guest backing: %s", strerror(-r));
	pattern_fill(b.map, size, 0x1234);
	struct drm_virtgpu_3d_transfer_to_host th = { .bo_handle = b.handle, .box = { .w = size, .h = 1, .d = 1 } };
	r = gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &th);
	if (!r)
		r = gpu_wait(c->fd, b.handle);
	if (r)
		return case_say(c, FAIL, "TRANSFER_TO_HOST: %s", strerror(-r));
	memset(b.map, 0, size);
	struct drm_virtgpu_3d_transfer_from_host fh = { .bo_handle = b.handle, .box = { .w = size, .h = 1, .d = 1 } };
	r = gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &fh);
	if (!r)
		r = gpu_wait(c->fd, b.handle);
	if (r)
		return case_say(c, FAIL, "TRANSFER_FROM_HOST: %s", strerror(-r));
	size_t bad = pattern_check(b.map, size, 0x1234);
	gpu_blob_destroy(c->fd, &b);
	if (bad != size)
		return case_say(c, FAIL, "data differs at byte %zu after TO_HOST, clear, FROM_HOST", bad);
	return case_say(c, PASS, "%u bytes survived guest->host->guest transfers", size);
}

const struct case_def copy_cases[] = {
	{ "pair.copy.dumb_scanout", copy_dumb_scanout, CASE_IDS(IDS_COPY_SCANOUT) },
	{ "pair.copy.transfer_roundtrip", copy_transfer_roundtrip, CASE_IDS(IDS_COPY_TRANSFER) },
	{ NULL, NULL, NULL },
};
