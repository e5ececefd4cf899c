/* SPDX-License-Identifier: MIT */
/*
 * RESOURCE_FLUSH on blobs: the rectangle is in the coordinates of the image
 * SET_SCANOUT_BLOB described, a flush that meets no scanout is no error, and
 * what the display shows after a flush of a mapped blob (the front buffer).
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/display.h"
#include "cases.h"

#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA
#define FMT VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM

/* The image: W x H pixels, rows of STRIDE bytes from OFFSET; the scanout shows R of it. */
enum { W = 64, H = 32, STRIDE = W * 4 + 64, OFFSET = 256, RX = 8, RY = 4, RW = 32, RH = 16 };
/* The damage of the second frame, in image coordinates, inside R. */
enum { FX = 12, FY = 6, FW = 10, FH = 5 };

static uint64_t image_bytes(struct vc *t)
{
	uint64_t g = vc_map_granularity(t), need = OFFSET + (uint64_t)STRIDE * H;
	return (need + g - 1) / g * g;
}

static uint32_t scanout_blob_rect(struct vc *t, uint32_t id)
{
	struct virtio_gpu_set_scanout_blob c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB);
	c.r = (struct virtio_gpu_rect){ vgb_to_le32(RX), vgb_to_le32(RY), vgb_to_le32(RW), vgb_to_le32(RH) };
	c.scanout_id = vgb_to_le32(0);
	c.resource_id = vgb_to_le32(id);
	c.width = vgb_to_le32(W);
	c.height = vgb_to_le32(H);
	c.format = vgb_to_le32(FMT);
	c.strides[0] = vgb_to_le32(STRIDE);
	c.offsets[0] = vgb_to_le32(OFFSET);
	return vc_cmd(t, &c, sizeof(c), &r);
}

static uint32_t pixel(const uint8_t *image, uint32_t x, uint32_t y)
{
	uint32_t p;
	memcpy(&p, image + OFFSET + (uint64_t)y * STRIDE + (uint64_t)x * 4, 4);
	return p;
}

/*
 * Scanout pixel (x, y) shows image pixel (RX + x, RY + y).  Inside the flushed part it must be
 * the new frame; elsewhere the old one, or the new one (a device may update more, and a front
 * buffer may show writes early).  A flushed pixel still showing the old frame fails stale_id (a
 * device that takes the rectangle in scanout coordinates also ends here); one showing neither
 * frame fails REQ-DEV-SCANOUT-0070.
 */
static bool display_after_flush(struct vc *t, const uint8_t *old, const uint8_t *now,
				const char *stale_id, const char *what)
{
	const struct vgb_fe_scanout *s = vgb_fe_scanout(t->fe, 0);
	if (!vc_check(t, s && s->pixels && s->width == RW && s->height == RH, R_DISP_SIZE,
		      "%s: display shows %ux%u, expected %ux%u", what, s ? s->width : 0,
		      s ? s->height : 0, RW, RH))
		return false;
	uint64_t stale = 0, wrong = 0;
	uint32_t fx = 0, fy = 0, seen = 0, want = 0;
	for (uint32_t y = 0; y < RH; y++)
		for (uint32_t x = 0; x < RW; x++) {
			uint32_t ix = RX + x, iy = RY + y, px = s->pixels[(uint64_t)y * RW + x];
			bool flushed = ix >= FX && ix < FX + FW && iy >= FY && iy < FY + FH;
			uint32_t n = pixel(now, ix, iy), o = pixel(old, ix, iy);
			if (px == n || (!flushed && px == o))
				continue;
			if (!stale && !wrong)
				fx = x, fy = y, seen = px, want = n;
			if (px == o)
				stale++;
			else
				wrong++;
		}
	return vc_check(t, !stale && !wrong, wrong ? R_SCANOUT_FLUSH_RECT : stale_id,
			"%s: after RESOURCE_FLUSH of (%u,%u) %ux%u in image coordinates, %llu flushed pixels "
			"still show the previous frame and %llu pixels show neither frame; first at scanout "
			"(%u,%u): 0x%08x, expected 0x%08x",
			what, FX, FY, FW, FH, (unsigned long long)stale, (unsigned long long)wrong, fx, fy,
			seen, want);
}

static bool flush_and_wait(struct vc *t, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
			   const char *req_id)
{
	uint64_t before = vc_display_updates(t, 0);
	return vc_expect(t, vc_flush(t, id, x, y, w, h), OK_NODATA, req_id, "RESOURCE_FLUSH of a blob") &&
	       vc_check(t, vc_display_wait(t, 0, before), R_DISP_PIXELS,
			"no display update after RESOURCE_FLUSH of a scanned-out blob");
}

/* A mapped host blob as a front buffer: draw, flush the damage, draw, flush the damage. */
static enum vc_verdict flush_mapped(struct vc *t)
{
	struct vc_host h;
	uint32_t id = 0;
	uint64_t size = image_bytes(t);
	VC_TRY(vc_host_open(t, &h));
	VC_TRY(vc_expect(t, vc_host_blob(t, &h, size, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, &id), OK_NODATA,
			 R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)"));
	VC_TRY(vc_expect(t, vc_map(t, id, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB"));
	uint8_t *front = vc_region(t, NULL), *old = malloc(size);
	if (!old)
		return vc_error(t, "out of memory");
	vc_pattern_fill(front, 0xf1a5, size);
	memcpy(old, front, size);
	if (vc_expect(t, scanout_blob_rect(t, id), OK_NODATA, R_CMD_SUCCESS,
		      "SET_SCANOUT_BLOB of a part of the image") &&
	    flush_and_wait(t, id, RX, RY, RW, RH, R_SCANOUT_FLUSH_MAPPED) &&
	    display_after_flush(t, old, old, R_SCANOUT_FLUSH_MAPPED, "first frame")) {
		/* The next stroke: written through the mapping, no fence, then its damage flushed. */
		vc_pattern_fill(front, 0x5eed, size);
		if (flush_and_wait(t, id, FX, FY, FW, FH, R_SCANOUT_FLUSH_RECT))
			display_after_flush(t, old, front, R_SCANOUT_FLUSH_MAPPED, "second frame");
	}
	free(old);
	return vc_done(t);
}

/* The same with a GUEST blob: its pages, a transfer, the damage flushed. */
static enum vc_verdict flush_guest(struct vc *t)
{
	uint64_t size = image_bytes(t);
	uint32_t id = vc_new_id(t);
	struct vc_backing *b = calloc(1, sizeof(*b));
	uint8_t *old = malloc(size), *now = malloc(size);
	if (!b || !old || !now) {
		free(b), free(old), free(now);
		return vc_error(t, "out of memory");
	}
	vc_pattern_fill(old, 0xf1a5, size);
	vc_pattern_fill(now, 0x5eed, size);
	if (vc_backing_make(t, size, 0, b) &&
	    (vc_backing_write(t, b, 0, old, size), true) &&
	    vc_expect(t, vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, size, b->ents, b->n),
		      OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST)") &&
	    vc_expect(t, scanout_blob_rect(t, id), OK_NODATA, R_CMD_SUCCESS,
		      "SET_SCANOUT_BLOB of a part of the image") &&
	    vc_expect(t, vc_transfer_2d(t, id, 0, 0, W, H, 0), OK_NODATA, R_XFER_GUEST_BLOB,
		      "TRANSFER_TO_HOST_2D on a GUEST blob") &&
	    flush_and_wait(t, id, RX, RY, RW, RH, R_SBLOB_SHOWS_GUEST) &&
	    display_after_flush(t, old, old, R_SBLOB_SHOWS_GUEST, "first frame")) {
		vc_backing_write(t, b, 0, now, size);
		if (vc_expect(t, vc_transfer_2d(t, id, 0, 0, W, H, 0), OK_NODATA, R_XFER_GUEST_BLOB,
			      "TRANSFER_TO_HOST_2D on a GUEST blob") &&
		    flush_and_wait(t, id, FX, FY, FW, FH, R_SCANOUT_FLUSH_RECT))
			display_after_flush(t, old, now, R_SBLOB_SHOWS_GUEST, "second frame");
	}
	free(b), free(old), free(now);
	return vc_done(t);
}

/* Flushes that meet no scanout: the blob is shown nowhere, then the rectangle misses it. */
static enum vc_verdict flush_unshown(struct vc *t)
{
	uint64_t size = image_bytes(t);
	uint32_t id = vc_new_id(t);
	struct vc_backing b;
	VC_TRY(vc_backing_make(t, size, 0, &b));
	VC_TRY(vc_expect(t, vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, size, b.ents, b.n),
			 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST)"));
	VC_TRY(vc_expect(t, vc_flush(t, id, 0, 0, W, H), OK_NODATA, R_SCANOUT_FLUSH_UNSHOWN,
			 "RESOURCE_FLUSH of a blob no scanout shows"));
	VC_TRY(vc_expect(t, scanout_blob_rect(t, id), OK_NODATA, R_CMD_SUCCESS,
			 "SET_SCANOUT_BLOB of a part of the image"));
	VC_TRY(vc_expect(t, vc_flush(t, id, 0, 0, RX, RY), OK_NODATA, R_SCANOUT_FLUSH_UNSHOWN,
			 "RESOURCE_FLUSH of a rectangle outside the part a scanout shows"));
	VC_TRY(vc_expect(t, vc_flush(t, id, RX + RW, RY + RH, W - RX - RW, H - RY - RH), OK_NODATA,
			 R_SCANOUT_FLUSH_UNSHOWN, "RESOURCE_FLUSH of a rectangle past the part a scanout shows"));
	vc_still_serves(t, "flushes that meet no scanout");
	return vc_done(t);
}

const struct vc_case vc_cases_scanout[] = {
	{ .name = "dev.scanout.flush_mapped", IDS(R_SCANOUT_FLUSH_RECT, R_SCANOUT_FLUSH_MAPPED, R_DISP_PIXELS),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX, .run = flush_mapped,
	  .summary = "a mapped host blob as front buffer: each flushed rectangle shows what the guest drew" },
	{ .name = "dev.scanout.flush_guest", IDS(R_SCANOUT_FLUSH_RECT, R_SBLOB_SHOWS_GUEST, R_DISP_PIXELS),
	  .needs = VC_NEED_BLOB, .run = flush_guest,
	  .summary = "a GUEST blob on part of a scanout: the flush rectangle is in image coordinates" },
	{ .name = "dev.scanout.flush_unshown", IDS(R_SCANOUT_FLUSH_UNSHOWN), .needs = VC_NEED_BLOB,
	  .run = flush_unshown, .summary = "a flush of a blob no scanout shows, or outside it, is OK_NODATA" },
	{ 0 },
};
