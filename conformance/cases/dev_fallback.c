/* SPDX-License-Identifier: MIT */
/*
 * The copy paths a driver falls back to: no blob feature, blobs without a
 * region, a full region, and transfers through scattered guest backing
 * checked pixel by pixel on the display channel against an independent model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/display.h"
#include "cases.h"

#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA
#define FMT VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM

static enum vc_verdict no_blob(struct vc *t)
{
	if ((vgb_fe_features(t->fe) >> VIRTIO_GPU_F_RESOURCE_BLOB) & 1)
		return vc_error(t, "F_RESOURCE_BLOB negotiated although the frontend masked it");
	uint64_t gpa = vc_alloc(t, 4096);
	VC_TRY(gpa);
	struct vgb_sg e = { gpa, 4096 };
	uint32_t id = vc_new_id(t);
	/* Refusing commands of a feature that was not negotiated is a SHOULD (REQ-DEV-CMD-0090). */
	uint32_t got = vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 4096, &e, 1);
	VC_TRY(!vc_failed(t));
	bool created = got == OK_NODATA;
	if (got != VIRTIO_GPU_RESP_ERR_UNSPEC)
		vc_warn(t, R_FEAT_UNNEGOTIATED, "CREATE_BLOB without F_RESOURCE_BLOB negotiated: "
			"answered %s", vc_resp_name(got));
	got = vc_map(t, id, 0, NULL);
	VC_TRY(!vc_failed(t));
	if (got != VIRTIO_GPU_RESP_ERR_UNSPEC)
		vc_warn(t, R_FEAT_UNNEGOTIATED, "MAP_BLOB without F_RESOURCE_BLOB negotiated: "
			"answered %s", vc_resp_name(got));
	got = vc_unmap(t, id);
	VC_TRY(!vc_failed(t));
	if (got != VIRTIO_GPU_RESP_ERR_UNSPEC)
		vc_warn(t, R_FEAT_UNNEGOTIATED, "UNMAP_BLOB without F_RESOURCE_BLOB negotiated: "
			"answered %s", vc_resp_name(got));
	/* A device that took the blob anyway gives its id back before the 2D check. */
	if (created)
		VC_TRY(vc_expect(t, vc_unref(t, id), OK_NODATA, R_CMD_SUCCESS,
				 "RESOURCE_UNREF of the blob created without F_RESOURCE_BLOB"));
	/* The 2D path still works. */
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, 16, 16), OK_NODATA, R_ERR_NO_EFFECT,
			 "RESOURCE_CREATE_2D with the id a refused blob used"));
	vc_still_serves(t, "refused blob commands");
	return vc_done(t);
}

static enum vc_verdict blob_no_region(struct vc *t)
{
	uint32_t id;
	if (t->probe->refctx) {
		struct vc_host h;
		VC_TRY(vc_host_open(t, &h));
		VC_TRY(vc_expect(t,
				 vc_host_blob(t, &h, vc_map_granularity(t),
					      VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, &id),
				 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D, MAPPABLE)"));
	} else {
		uint64_t g = vc_map_granularity(t), gpa = vc_alloc(t, g);
		VC_TRY(gpa);
		struct vgb_sg e = { gpa, (uint32_t)g };
		id = vc_new_id(t);
		VC_TRY(vc_expect(t, vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, g, &e, 1),
				 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST)"));
	}
	VC_TRY(vc_expect(t, vc_map(t, id, 0, NULL), VIRTIO_GPU_RESP_ERR_UNSPEC, R_MAP_NO_REGION,
			 "MAP_BLOB on a device without a host-visible region"));
	vc_still_serves(t, "MAP_BLOB without a region");
	return vc_done(t);
}

/* Fill the whole region with mapped blobs; every further MAP is refused until one unmaps. */
static enum vc_verdict region_full(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint64_t rsize, g = vc_map_granularity(t);
	vc_region(t, &rsize);
	unsigned n = 1;
	uint64_t bsize = rsize;
	uint64_t max_obj = t->probe->refctx_max_object ? t->probe->refctx_max_object : rsize;
	while ((bsize > max_obj || bsize > (64ull << 20)) && n < 64) {
		n *= 2;
		bsize = rsize / n;
	}
	if (max_obj < rsize)
		vc_warn(t, R_LIMIT_BLOB_REGION,
			"largest blob (%llu bytes) is smaller than the region (%llu bytes)",
			(unsigned long long)max_obj, (unsigned long long)rsize);
	if (bsize % g || bsize * n != rsize || bsize > max_obj)
		return vc_not_supported(t, "region of %llu bytes cannot be tiled by 64 blobs",
					(unsigned long long)rsize);
	uint32_t ids[64];
	for (unsigned i = 0; i < n; i++) {
		VC_TRY(vc_expect(t, vc_host_blob(t, &h, bsize, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, &ids[i]),
				 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D) tile"));
		VC_TRY(vc_expect(t, vc_map(t, ids[i], i * bsize, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO,
				 R_MAP_OK, "MAP_BLOB of a tile"));
	}
	uint32_t extra;
	VC_TRY(vc_expect(t, vc_host_blob(t, &h, g, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, &extra),
			 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)"));
	uint64_t tries[3] = { 0, rsize / 2 / g * g, rsize - g };
	for (int i = 0; i < 3; i++)
		VC_TRY(vc_expect(t, vc_map(t, extra, tries[i], NULL),
				 VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, R_MAP_OVERLAP,
				 "MAP_BLOB into a full region"));
	VC_TRY(vc_expect(t, vc_unmap(t, ids[n - 1]), OK_NODATA, R_UNMAP_OK, "UNMAP_BLOB of a tile"));
	vc_expect(t, vc_map(t, extra, rsize - g, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_REUSE,
		  "MAP_BLOB into the range a tile freed");
	vc_note(t, "%u tiles of %llu bytes", n, (unsigned long long)bsize);
	return vc_done(t);
}

/* Random bytes, opaque alpha not required: the device copies, it does not blend. */
static void random_bytes(struct vc *t, uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		p[i] = (uint8_t)vc_rand(t);
}

/*
 * 2D resource behind scattered odd-sized entries: full upload, then random
 * sub-rectangle uploads; bytes changed outside the rectangle must not show.
 */
/* Sub-rectangles of the fixed twin: an offset in both x and y, one row, one column, the last pixel. */
static const struct virtio_gpu_rect fixed_rects[4] = { { 5, 3, 20, 7 }, { 0, 10, 41, 1 },
						       { 40, 0, 1, 23 }, { 40, 22, 1, 1 } };

static enum vc_verdict transfer_2d(struct vc *t, uint32_t max_entry_len, uint32_t wmax,
				   uint32_t hmax)
{
	bool fixed = wmax == 0;
	uint32_t w = fixed ? 41 : vc_rand_range(t, 17, wmax), h = fixed ? 23 : vc_rand_range(t, 9, hmax);
	uint32_t stride = w * 4;
	uint64_t size = (uint64_t)stride * h;
	struct vc_backing *b = calloc(1, sizeof(*b));
	uint8_t *guest = malloc(size), *model = malloc(size);
	if (!b || !guest || !model) {
		free(b), free(guest), free(model);
		return vc_error(t, "out of memory");
	}
	uint32_t id = vc_new_id(t);
	if (!vc_backing_make(t, size, max_entry_len, b))
		goto out;
	vc_note(t, "%ux%u, %u entries", w, h, b->n);
	random_bytes(t, guest, size);
	vc_backing_write(t, b, 0, guest, size);
	memcpy(model, guest, size);
	if (!vc_expect(t, vc_create_2d(t, id, FMT, w, h), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D") ||
	    !vc_expect(t, vc_attach_backing(t, id, b->ents, b->n), OK_NODATA, R_ENTRY_CONCAT,
		       "RESOURCE_ATTACH_BACKING of scattered odd-sized entries") ||
	    !vc_expect(t, vc_transfer_2d(t, id, 0, 0, w, h, 0), OK_NODATA, R_XFER_2D,
		       "TRANSFER_TO_HOST_2D of the whole resource") ||
	    !vc_expect(t, vc_set_scanout(t, 0, id, 0, 0, w, h), OK_NODATA, R_CMD_SUCCESS,
		       "SET_SCANOUT"))
		goto out;
	uint64_t before = vc_display_updates(t, 0);
	if (!vc_expect(t, vc_flush(t, id, 0, 0, w, h), OK_NODATA, R_DISP_PIXELS, "RESOURCE_FLUSH"))
		goto out;
	if (!vc_check(t, vc_display_wait(t, 0, before), R_DISP_PIXELS,
		      "no display update after RESOURCE_FLUSH"))
		goto out;
	if (!vc_display_matches(t, 0, model, w, h, stride, R_XFER_2D, "after a full upload"))
		goto out;
	for (int round = 0; round < 4; round++) {
		uint32_t x = fixed ? fixed_rects[round].x : vc_rand_range(t, 0, w - 1);
		uint32_t y = fixed ? fixed_rects[round].y : vc_rand_range(t, 0, h - 1);
		uint32_t rw = fixed ? fixed_rects[round].width : vc_rand_range(t, 1, w - x);
		uint32_t rh = fixed ? fixed_rects[round].height : vc_rand_range(t, 1, h - y);
		random_bytes(t, guest, size); /* everything changes in the guest... */
		vc_backing_write(t, b, 0, guest, size);
		for (uint32_t row = y; row < y + rh; row++) /* ...only the rect reaches the host */
			memcpy(model + (uint64_t)row * stride + x * 4,
			       guest + (uint64_t)row * stride + x * 4, (uint64_t)rw * 4);
		uint64_t offset = (uint64_t)y * stride + (uint64_t)x * 4;
		if (!vc_expect(t, vc_transfer_2d(t, id, x, y, rw, rh, offset), OK_NODATA, R_XFER_2D,
			       "TRANSFER_TO_HOST_2D of a sub-rectangle"))
			break;
		before = vc_display_updates(t, 0);
		if (!vc_expect(t, vc_flush(t, id, 0, 0, w, h), OK_NODATA, R_DISP_PIXELS,
			       "RESOURCE_FLUSH") ||
		    !vc_check(t, vc_display_wait(t, 0, before), R_DISP_PIXELS,
			      "no display update after RESOURCE_FLUSH"))
			break;
		char what[96];
		snprintf(what, sizeof(what), "after uploading rect %u,%u %ux%u (round %d)", x, y, rw, rh,
			 round);
		if (!vc_display_matches(t, 0, model, w, h, stride, R_XFER_2D, what))
			break;
	}
out:
	free(b);
	free(guest);
	free(model);
	return vc_done(t);
}

static enum vc_verdict transfer_2d_scattered(struct vc *t)
{
	return transfer_2d(t, 2000, 160, 90);
}

static enum vc_verdict transfer_2d_many_entries(struct vc *t)
{
	return transfer_2d(t, 47, 41, 23);
}

static enum vc_verdict transfer_2d_contiguous(struct vc *t)
{
	return transfer_2d(t, 0, 200, 120);
}

/* The fixed twin: 41x23 behind entries of at most 300 bytes, fixed sub-rectangles (only the
 * pixel values come from the seed). */
static enum vc_verdict transfer_2d_fixed(struct vc *t)
{
	return transfer_2d(t, 300, 0, 0);
}

/*
 * A GUEST blob of `size` bytes behind scattered entries, shown with
 * SET_SCANOUT_BLOB (w x h, stride, offset): the device reads guest pages in place.
 */
static enum vc_verdict guest_blob_show(struct vc *t, uint32_t w, uint32_t h, uint32_t stride,
				       uint32_t offset, uint64_t size)
{
	struct vc_backing *b = calloc(1, sizeof(*b));
	uint8_t *guest = malloc(size);
	if (!b || !guest) {
		free(b), free(guest);
		return vc_error(t, "out of memory");
	}
	uint32_t id = vc_new_id(t);
	if (!vc_backing_make(t, size, 1500, b))
		goto out;
	vc_note(t, "%ux%u stride %u offset %u in %llu bytes, %u entries", w, h, stride, offset,
		(unsigned long long)size, b->n);
	for (int round = 0; round < 3; round++) {
		random_bytes(t, guest, size);
		vc_backing_write(t, b, 0, guest, size);
		if (round == 0 &&
		    (!vc_expect(t, vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, size, b->ents, b->n),
				OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST) with scattered entries") ||
		     !vc_expect(t, vc_set_scanout_blob(t, 0, id, FMT, w, h, stride, offset), OK_NODATA,
				R_CMD_SUCCESS, "SET_SCANOUT_BLOB")))
			break;
		if (!vc_expect(t, vc_transfer_2d(t, id, 0, 0, w, h, 0), OK_NODATA, R_XFER_GUEST_BLOB,
			       "TRANSFER_TO_HOST_2D on a GUEST blob"))
			break;
		uint64_t before = vc_display_updates(t, 0);
		if (!vc_expect(t, vc_flush(t, id, 0, 0, w, h), OK_NODATA, R_DISP_PIXELS,
			       "RESOURCE_FLUSH") ||
		    !vc_check(t, vc_display_wait(t, 0, before), R_DISP_PIXELS,
			      "no display update after RESOURCE_FLUSH of a GUEST blob"))
			break;
		if (!vc_display_matches(t, 0, guest + offset, w, h, stride, R_SBLOB_SHOWS_GUEST,
					"GUEST blob scanout"))
			break;
	}
out:
	free(b);
	free(guest);
	return vc_done(t);
}

static enum vc_verdict guest_blob_scanout(struct vc *t)
{
	uint32_t w = vc_rand_range(t, 16, 96), h = vc_rand_range(t, 8, 48);
	uint32_t stride = w * 4 + vc_rand_range(t, 0, 16) * 4;
	uint32_t offset = vc_rand_range(t, 0, 64) * 4;
	uint64_t g = vc_map_granularity(t);
	uint64_t need = offset + (uint64_t)stride * h;
	return guest_blob_show(t, w, h, stride, offset, (need + g - 1) / g * g);
}

/*
 * The fixed twin: a padded stride, a non-zero offsets[0] that is not a multiple of
 * the stride, and an image ending exactly at the blob end (one granule); only the
 * pixel values come from the seed.
 */
static enum vc_verdict guest_blob_scanout_offset(struct vc *t)
{
	uint64_t g = vc_map_granularity(t);
	const uint32_t w = 40, h = 18, stride = 224; /* 160 bytes of pixels, 64 of padding */
	uint32_t offset = (uint32_t)(g - ((uint64_t)stride * (h - 1) + w * 4));
	return guest_blob_show(t, w, h, stride, offset, g);
}

/* --- 3D transfers on 2D resources and on RESOURCE_CREATE_3D resources --- */

enum { KIND_2D, KIND_TEXTURE, KIND_BUFFER };
#define PIPE_FORMAT_R8_UNORM 64 /* the format Mesa gives buffers */
/* virglrenderer refuses a texture whose bind names no texture use (check_resource_valid). */
#define VIRGL_BIND_RENDER_TARGET (1u << 1)
#define VIRGL_BIND_SAMPLER_VIEW (1u << 3)

static uint32_t create_3d(struct vc *t, uint32_t id, uint32_t target, uint32_t format, uint32_t w,
			  uint32_t h)
{
	struct virtio_gpu_resource_create_3d c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D);
	c.resource_id = vgb_to_le32(id);
	c.target = vgb_to_le32(target);
	c.format = vgb_to_le32(format);
	c.width = vgb_to_le32(w);
	c.height = vgb_to_le32(h);
	c.depth = vgb_to_le32(1);
	c.array_size = vgb_to_le32(1);
	if (target != 0)
		c.bind = vgb_to_le32(VIRGL_BIND_RENDER_TARGET | VIRGL_BIND_SAMPLER_VIEW);
	return vc_cmd(t, &c, sizeof(c), &r);
}

/* A box of a non-blob resource; the backing row stride is the resource's (stride 0) or `stride`. */
static uint32_t xfer_box_stride(struct vc *t, bool to_host, uint32_t ctx, uint32_t id, uint32_t x,
				uint32_t y, uint32_t w, uint32_t h, uint64_t offset, uint32_t stride)
{
	struct virtio_gpu_transfer_host_3d c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, to_host ? VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D : VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D);
	c.hdr.ctx_id = vgb_to_le32(ctx);
	c.box = (struct virtio_gpu_box){ vgb_to_le32(x), vgb_to_le32(y), 0, vgb_to_le32(w),
					 vgb_to_le32(h), vgb_to_le32(1) };
	c.offset = vgb_to_le64(offset);
	c.resource_id = vgb_to_le32(id);
	c.stride = vgb_to_le32(stride);
	return vc_cmd(t, &c, sizeof(c), &r);
}

static uint32_t xfer_box(struct vc *t, bool to_host, uint32_t ctx, uint32_t id, uint32_t x, uint32_t y,
			 uint32_t w, uint32_t h, uint64_t offset)
{
	return xfer_box_stride(t, to_host, ctx, id, x, y, w, h, offset, 0);
}

static uint8_t pattern_byte(unsigned seed, uint64_t i) { return (uint8_t)(i * 7 + seed * 31 + 1); }

/*
 * Whole resource to the host with pattern 1, a 4x3 box at (2,1) with pattern 2, then the
 * whole resource back into zeroed backing: the box holds pattern 2, the rest pattern 1.
 */
static enum vc_verdict xfer3d_roundtrip(struct vc *t)
{
	unsigned kind = (unsigned)(uintptr_t)t->c->data;
	uint32_t w = kind == KIND_BUFFER ? 256 : 16, h = kind == KIND_BUFFER ? 1 : 8;
	uint32_t bpp = kind == KIND_BUFFER ? 1 : 4, bx = 2, by = kind == KIND_BUFFER ? 0 : 1;
	uint32_t bw = 4, bh = kind == KIND_BUFFER ? 1 : 3;
	uint64_t stride = (uint64_t)w * bpp, size = stride * h;
	uint32_t ctx = vc_new_id(t), id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_ctx_create(t, ctx, 0), OK_NODATA, R_CMD_SUCCESS, "CTX_CREATE"));
	uint32_t got = kind == KIND_2D ? vc_create_2d(t, id, FMT, w, h)
		       : kind == KIND_TEXTURE ? create_3d(t, id, 2, FMT, w, h)
					       : create_3d(t, id, 0, PIPE_FORMAT_R8_UNORM, w, h);
	VC_TRY(vc_expect(t, got, OK_NODATA, kind == KIND_2D ? R_CMD_SUCCESS : R_RES_3D_ACCEPT,
			 kind == KIND_2D ? "RESOURCE_CREATE_2D"
			 : kind == KIND_TEXTURE ? "RESOURCE_CREATE_3D of a single-level 2D texture"
						: "RESOURCE_CREATE_3D of a buffer"));
	uint64_t gpa = vc_alloc(t, size);
	VC_TRY(gpa);
	uint8_t *g = vc_ptr(t, gpa, size);
	VC_TRY(g);
	struct vgb_sg e = { gpa, (uint32_t)size };
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, &e, 1), OK_NODATA, R_CMD_SUCCESS, "ATTACH_BACKING"));
	VC_TRY(vc_expect(t, vc_ctx_attach(t, ctx, id), OK_NODATA, R_CMD_SUCCESS, "CTX_ATTACH_RESOURCE"));
	for (uint64_t i = 0; i < size; i++)
		g[i] = pattern_byte(1, i);
	VC_TRY(vc_expect(t, xfer_box(t, true, ctx, id, 0, 0, w, h, 0), OK_NODATA, R_XFER_3D_2D_TO,
			 "TRANSFER_TO_HOST_3D of the whole resource"));
	for (uint64_t i = 0; i < size; i++)
		g[i] = pattern_byte(2, i);
	uint64_t box_off = by * stride + (uint64_t)bx * bpp;
	VC_TRY(vc_expect(t, xfer_box(t, true, ctx, id, bx, by, bw, bh, box_off), OK_NODATA,
			 R_XFER_3D_2D_TO, "TRANSFER_TO_HOST_3D of a box"));
	memset(g, 0, size);
	VC_TRY(vc_expect(t, xfer_box(t, false, ctx, id, 0, 0, w, h, 0), OK_NODATA, R_XFER_3D_2D_FROM,
			 "TRANSFER_FROM_HOST_3D of the whole resource"));
	unsigned bad = 0;
	uint64_t first = 0;
	uint8_t want = 0;
	for (uint64_t i = 0; i < size; i++) {
		uint64_t x = (i % stride) / bpp, y = i / stride;
		bool in_box = x >= bx && x < bx + bw && y >= by && y < by + bh;
		uint8_t expect = pattern_byte(in_box ? 2 : 1, i);
		if (g[i] != expect && !bad++) {
			first = i;
			want = expect;
		}
	}
	vc_check(t, !bad, R_XFER_3D_2D_TO,
		 "%u of %llu bytes differ after the round trip, first at byte %llu (0x%02x, want 0x%02x)",
		 bad, (unsigned long long)size, (unsigned long long)first, g[first], want);
	/* FROM_HOST of the box alone lands at its offset and touches nothing else. */
	memset(g, 0, size);
	VC_TRY(vc_expect(t, xfer_box(t, false, ctx, id, bx, by, bw, bh, box_off), OK_NODATA,
			 R_XFER_3D_2D_FROM, "TRANSFER_FROM_HOST_3D of a box"));
	bad = 0;
	for (uint64_t i = 0; i < size; i++) {
		uint64_t x = (i % stride) / bpp, y = i / stride;
		bool in_box = x >= bx && x < bx + bw && y >= by && y < by + bh;
		if (g[i] != (in_box ? pattern_byte(2, i) : 0) && !bad++)
			first = i;
	}
	vc_check(t, !bad, R_XFER_3D_2D_FROM,
		 "TRANSFER_FROM_HOST_3D of a box: %u of %llu bytes wrong, first at byte %llu (0x%02x)", bad,
		 (unsigned long long)size, (unsigned long long)first, g[first]);
	vc_still_serves(t, "3D transfers of a non-blob resource");
	return vc_done(t);
}

/*
 * A 16x8 2D resource whose backing rows are 96 bytes apart (32 bytes of padding):
 * TRANSFER_TO_HOST_3D with stride 96 of the whole resource, then TRANSFER_FROM_HOST_3D
 * with stride 96 of a box into zeroed backing: the box's pixels come back, the padding
 * and everything else stay zero.
 */
static enum vc_verdict xfer3d_stride(struct vc *t)
{
	enum { W = 16, H = 8, STRIDE = 96, BX = 3, BY = 2, BW = 9, BH = 5 };
	uint64_t size = (uint64_t)STRIDE * H;
	uint32_t ctx = vc_new_id(t), id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_ctx_create(t, ctx, 0), OK_NODATA, R_CMD_SUCCESS, "CTX_CREATE"));
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, W, H), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	uint64_t gpa = vc_alloc(t, size);
	VC_TRY(gpa);
	uint8_t *g = vc_ptr(t, gpa, size);
	VC_TRY(g);
	struct vgb_sg e = { gpa, (uint32_t)size };
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, &e, 1), OK_NODATA, R_CMD_SUCCESS, "ATTACH_BACKING"));
	VC_TRY(vc_expect(t, vc_ctx_attach(t, ctx, id), OK_NODATA, R_CMD_SUCCESS, "CTX_ATTACH_RESOURCE"));
	for (uint64_t i = 0; i < size; i++)
		g[i] = pattern_byte(3, i);
	VC_TRY(vc_expect(t, xfer_box_stride(t, true, ctx, id, 0, 0, W, H, 0, STRIDE), OK_NODATA,
			 R_XFER_3D_2D_TO, "TRANSFER_TO_HOST_3D of the whole resource, stride 96"));
	memset(g, 0, size);
	uint64_t box_off = (uint64_t)BY * STRIDE + BX * 4;
	VC_TRY(vc_expect(t, xfer_box_stride(t, false, ctx, id, BX, BY, BW, BH, box_off, STRIDE), OK_NODATA,
			 R_XFER_3D_2D_FROM, "TRANSFER_FROM_HOST_3D of a box, stride 96"));
	unsigned bad = 0;
	uint64_t first = 0;
	for (uint64_t i = 0; i < size; i++) {
		uint64_t x = (i % STRIDE) / 4, y = i / STRIDE;
		bool in_box = (i % STRIDE) < W * 4 && x >= BX && x < BX + BW && y >= BY && y < BY + BH;
		if (g[i] != (in_box ? pattern_byte(3, i) : 0) && !bad++)
			first = i;
	}
	vc_check(t, !bad, R_XFER_3D_2D_TO,
		 "rows 96 bytes apart: %u of %llu bytes wrong after the round trip, first at byte %llu (0x%02x)",
		 bad, (unsigned long long)size, (unsigned long long)first, g[first]);
	return vc_done(t);
}

const struct vc_case vc_cases_fallback[] = {
	{ .name = "dev.fallback.no_blob", IDS(R_FEAT_UNNEGOTIATED),
	  .mask_features = 1ull << VIRTIO_GPU_F_RESOURCE_BLOB, .run = no_blob,
	  .summary = "without F_RESOURCE_BLOB, blob commands answer ERR_UNSPEC; 2D still works" },
	{ .name = "dev.fallback.blob_no_region", IDS(R_MAP_NO_REGION),
	  .needs = VC_NEED_BLOB | VC_NEED_NO_REGION, .run = blob_no_region,
	  .summary = "blob device without a region refuses MAP_BLOB with ERR_UNSPEC" },
	{ .name = "dev.fallback.region_full", IDS(R_MAP_OVERLAP, R_MAP_OK, R_MAP_REUSE, R_LIMIT_BLOB_REGION),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX, .run = region_full,
	  .timeout_s = 90, .summary = "a full region refuses MAP_BLOB until a range is unmapped" },
	{ .name = "dev.xfer.2d_contiguous", IDS(R_XFER_2D, R_DISP_PIXELS, R_DISP_SIZE, R_CMD_SUCCESS), .random = true,
	  .run = transfer_2d_contiguous,
	  .summary = "TRANSFER_TO_HOST_2D from one entry, pixel-exact on the display" },
	{ .name = "dev.xfer.2d_scattered", IDS(R_XFER_2D, R_ENTRY_CONCAT, R_DISP_PIXELS, R_XFER_OUTSIDE),
	  .random = true, .run = transfer_2d_scattered,
	  .summary = "TRANSFER_TO_HOST_2D through scattered odd-sized entries, pixel-exact" },
	{ .name = "dev.xfer.2d_many_entries", IDS(R_XFER_2D, R_ENTRY_CONCAT), .random = true,
	  .run = transfer_2d_many_entries,
	  .summary = "hundreds of tiny entries, pixel-exact" },
	{ .name = "dev.xfer3d.2d_roundtrip", IDS(R_XFER_3D_2D_TO, R_XFER_3D_2D_FROM, R_XFER_OUTSIDE),
	  .needs = VC_NEED_VIRGL, .run = xfer3d_roundtrip, .data = (const void *)(uintptr_t)KIND_2D,
	  .summary = "TRANSFER_TO/FROM_HOST_3D of a 2D resource copy boxes in pixels" },
	{ .name = "dev.xfer3d.2d_stride", IDS(R_XFER_3D_2D_TO, R_XFER_3D_2D_FROM), .needs = VC_NEED_VIRGL,
	  .run = xfer3d_stride, .summary = "3D transfers of a 2D resource with a padded stride lay rows out by it" },
	{ .name = "dev.xfer3d.texture_roundtrip", IDS(R_RES_3D_ACCEPT, R_XFER_3D_2D_TO, R_XFER_3D_2D_FROM),
	  .needs = VC_NEED_VIRGL, .run = xfer3d_roundtrip, .data = (const void *)(uintptr_t)KIND_TEXTURE,
	  .summary = "RESOURCE_CREATE_3D of a 2D texture; its boxes round-trip" },
	{ .name = "dev.xfer3d.buffer_roundtrip", IDS(R_RES_3D_ACCEPT, R_XFER_3D_2D_TO, R_XFER_3D_2D_FROM),
	  .needs = VC_NEED_VIRGL, .run = xfer3d_roundtrip, .data = (const void *)(uintptr_t)KIND_BUFFER,
	  .summary = "RESOURCE_CREATE_3D of a buffer; its ranges round-trip" },
	{ .name = "dev.xfer.guest_blob_scanout", IDS(R_XFER_GUEST_BLOB, R_SBLOB_SHOWS_GUEST, R_DISP_PIXELS),
	  .needs = VC_NEED_BLOB, .random = true, .run = guest_blob_scanout,
	  .summary = "GUEST blob with stride/offset shown via SET_SCANOUT_BLOB, pixel-exact" },
	{ .name = "dev.xfer.guest_blob_scanout_offset", IDS(R_SBLOB_SHOWS_GUEST, R_SBLOB_BOUNDS, R_XFER_GUEST_BLOB,
							    R_DISP_PIXELS),
	  .needs = VC_NEED_BLOB, .random = true, .run = guest_blob_scanout_offset,
	  .summary = "GUEST blob shown at a fixed non-zero offsets[0], padded stride, ending at the blob end" },
	{ .name = "dev.xfer.2d_fixed", IDS(R_XFER_2D, R_ENTRY_CONCAT, R_DISP_PIXELS, R_XFER_OUTSIDE),
	  .random = true, .run = transfer_2d_fixed,
	  .summary = "TRANSFER_TO_HOST_2D of fixed sub-rectangles at fixed offsets, pixel-exact" },
	{ 0 },
};
