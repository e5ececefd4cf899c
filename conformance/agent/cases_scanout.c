/* pair.scanout.*: front buffers. The guest draws into a mappable blob through
 * its CPU mapping and scans the blob out itself (SET_SCANOUT_BLOB, then
 * RESOURCE_FLUSH); the host runner compares what the host shows with the
 * picture, pixel by pixel (pair.scanout.blob_pixels, from its capture: QEMU's
 * console, or our device's --dump-scanout). The blob is scanned out before it
 * is drawn, as a front buffer is. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <drm/drm_fourcc.h>

#include "blob_kinds.h"
#include "kms.h"
#include "requirements.h"

/* The picture; the host runner recomputes it (conformance/vm/images.py
 * "xy-checker": keep in step). Unlike the dumb buffer's gradient, no pixel of
 * its first rows repeats the gradient's, so one cannot pass for the other. */
static uint32_t checker_pixel(uint32_t x, uint32_t y)
{
	uint32_t r = (x * 5 + 0x30) & 0xff, g = (y * 3 + 0x90) & 0xff, b = ((x >> 4) ^ (y >> 4)) & 1 ? 0xe0 : 0x18;
	return (r << 16) | (g << 8) | b;
}

/* The blank picture (picture 0) or the checker (picture 1). */
static void draw(void *map, uint32_t w, uint32_t h, uint32_t pitch, int picture)
{
	for (uint32_t y = 0; y < h; y++) {
		volatile uint32_t *row = (volatile uint32_t *)((uint8_t *)map + (size_t)y * pitch);
		for (uint32_t x = 0; x < w; x++)
			row[x] = picture ? checker_pixel(x, y) : 0x202020u;
	}
}

static enum verdict scanout_blob(struct case_ctx *c)
{
	char why[128] = "";
	struct kms_target t;
	if (kms_find_target(c->fd, &t, why, sizeof(why)))
		return case_say(c, NOT_SUPPORTED, "no display output: %s", why);
	uint32_t w = t.mode.hdisplay, h = t.mode.vdisplay, pitch = w * 4;
	uint32_t size = (pitch * h + 4095) & ~4095u;
	struct gpu_blob b;
	int err = 0;
	const char *no_kind = NULL;
	const char *kind = any_blob_create(c, size, &b, &err, &no_kind);
	if (!kind)
		return case_say(c, NOT_SUPPORTED, "no blob to scan out: %s", no_kind);
	if (err)
		return case_say(c, NOT_SUPPORTED, "%s blob of %u bytes refused: %s", kind, size, strerror(-err));
	if ((err = gpu_blob_map(c->fd, &b)))
		return case_say(c, NOT_SUPPORTED, "%s blob cannot be mapped here: %s", kind, strerror(-err));
	/* A front buffer: scanned out first (blank), drawn afterwards where it
	 * lies, through the mapping, and flushed; a device that shows a copy
	 * taken at SET_SCANOUT_BLOB keeps showing the blank. */
	draw(b.map, w, h, pitch, 0);
	struct drm_mode_fb_cmd2 fb = { .width = w, .height = h, .pixel_format = DRM_FORMAT_XRGB8888 };
	fb.handles[0] = b.handle;
	fb.pitches[0] = pitch;
	int r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_ADDFB2, &fb);
	if (r)
		return case_say(c, FAIL, "ADDFB2 of a %ux%u %s blob: %s", w, h, kind, strerror(-r));
	struct drm_mode_crtc sc;
	memset(&sc, 0, sizeof(sc));
	sc.crtc_id = t.crtc;
	sc.fb_id = fb.fb_id;
	sc.set_connectors_ptr = (uint64_t)(uintptr_t)&t.connector;
	sc.count_connectors = 1;
	sc.mode = t.mode;
	sc.mode_valid = 1;
	/* A blob framebuffer makes the driver send SET_SCANOUT_BLOB. */
	r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_SETCRTC, &sc);
	if (r)
		return case_say(c, FAIL, "SETCRTC with the %s blob: %s", kind, strerror(-r));
	/* The device shows the blank before the checker is drawn. */
	if ((r = kms_barrier(c->fd, t.crtc)))
		return case_say(c, ERROR, "cannot wait for the device (cursor upload): %s", strerror(-r));
	draw(b.map, w, h, pitch, 1);
	struct drm_mode_fb_dirty_cmd dirty = { .fb_id = fb.fb_id };
	r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_DIRTYFB, &dirty);
	if (r && r != -ENOSYS)
		return case_say(c, FAIL, "DIRTYFB: %s", strerror(-r));
	/* ...and has processed the flush before the host is asked to look. */
	if ((r = kms_barrier(c->fd, t.crtc)))
		return case_say(c, ERROR, "cannot wait for the device (cursor upload): %s", strerror(-r));
	char ev[320];
	snprintf(ev, sizeof(ev),
		 "{\"type\":\"event\",\"name\":\"scanout\",\"case\":\"pair.scanout.blob_pixels\",\"blob\":\"%s\","
		 "\"width\":%u,\"height\":%u,\"pattern\":\"xy-checker\",\"hold_s\":%d}",
		 kind, w, h, c->scanout_wait_s);
	case_event(ev);
	/* Hold the picture while the host captures it. */
	if (c->scanout_wait_s > 0)
		sleep((unsigned)c->scanout_wait_s);
	return case_say(c, PASS,
			"%ux%u %s blob scanned out, then drawn through its mapping and flushed (host checks pixels)", w, h,
			kind);
}

const struct case_def scanout_cases[] = {
	{ "pair.scanout.blob_front_buffer", scanout_blob, CASE_IDS(IDS_SCANOUT_BLOB) },
	{ NULL, NULL, NULL },
};
