/* SPDX-License-Identifier: MIT */
/*
 * Memory never passes from one object to the next (REQ-DEV-LIFE-0100): a known
 * pattern is written into a resource or blob, the object is destroyed, and new
 * ones of the same and other sizes, in the same and another context, and after
 * a device reset, must read as zeros through every access the suite has: the
 * mapping, the host's own reads (CHECKSUM), transfers back into guest pages
 * and the display channel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/display.h"
#include "cases.h"
#include "vgb/refctx.h"

#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA
#define FMT VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM
#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define OLD_SEED 0x01d0b1e5u /* the pattern every first object carries */
#define MARK 0xee            /* guest bytes a transfer back must overwrite */

/* Index of the first non-zero byte of p[0, len), or len. */
static uint64_t first_nonzero(const volatile uint8_t *p, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (p[i])
			return i;
	return len;
}

/* The bytes at p read as zeros; FAIL naming where the first other byte is. */
static bool zeros(struct vc *t, const volatile uint8_t *p, uint64_t len, const char *what)
{
	uint64_t at = first_nonzero(p, len);
	return vc_check(t, at == len, R_LIFE_MEM_ZERO, "%s: byte %llu of %llu reads 0x%02x, not 0",
			what, (unsigned long long)at, (unsigned long long)len, at < len ? p[at] : 0);
}

/* Show `res` (a blob, rows of 256 bytes) on scanout 0 and compare the display with `model`. */
static bool blob_display_is(struct vc *t, uint32_t res, uint64_t size, const uint8_t *model,
			    const char *req_id, const char *what)
{
	uint32_t w = 64, h = (uint32_t)(size / 256);
	if (h > 64)
		h = 64;
	if (!vc_expect(t, vc_set_scanout_blob(t, 0, res, FMT, w, h, 256, 0), OK_NODATA, R_CMD_SUCCESS,
		       "SET_SCANOUT_BLOB"))
		return false;
	uint64_t before = vc_display_updates(t, 0);
	return vc_expect(t, vc_flush(t, res, 0, 0, w, h), OK_NODATA, R_DISP_PIXELS, "RESOURCE_FLUSH") &&
	       vc_check(t, vc_display_wait(t, 0, before), R_DISP_PIXELS,
			"no display update after RESOURCE_FLUSH") &&
	       vc_display_matches(t, 0, model, w, h, 256, req_id, what);
}

/* A host checksum of [0, size) of res equal to that of `model`. */
static bool host_sees(struct vc *t, struct vc_host *h, uint32_t res, uint64_t size,
		      const uint8_t *model, const char *req_id, const char *what)
{
	uint64_t sum = 0;
	if (!vc_host_checksum(t, h, res, 0, size, &sum, R_REFCTX_CHECKSUM))
		return false;
	return vc_check(t, sum == vc_checksum(model, size), req_id,
			"%s: the host's checksum %016llx is not that of the expected bytes (%016llx)", what,
			(unsigned long long)sum, (unsigned long long)vc_checksum(model, size));
}

/*
 * A mappable HOST3D blob written with the old pattern through the host, seen
 * through the mapping, the host and the display; then unreferenced.
 */
static bool written_and_freed(struct vc *t, struct vc_host *h, uint64_t size, uint8_t *model)
{
	uint32_t res;
	if (!vc_expect(t, vc_host_blob(t, h, size, MAPPABLE, &res), OK_NODATA, R_CMD_SUCCESS,
		       "CREATE_BLOB(HOST3D)") ||
	    !vc_host_pattern(t, h, res, OLD_SEED, 0, size, R_REFCTX_PATTERN) ||
	    !vc_expect(t, vc_map(t, res, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB"))
		return false;
	vc_pattern_fill(model, OLD_SEED, size);
	const volatile uint8_t *m = vc_region(t, NULL);
	uint64_t bad = 0;
	for (uint64_t i = 0; i < size && !bad; i++)
		bad = m[i] != model[i] ? i + 1 : 0;
	return vc_check(t, !bad, R_MAP_VISIBLE, "the pattern the host wrote is not in the mapping (byte %llu)",
			(unsigned long long)(bad - 1)) &&
	       blob_display_is(t, res, size, model, R_DISP_PIXELS, "the written blob on the display") &&
	       vc_expect(t, vc_unref(t, res), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF of the written blob");
}

/* A new mappable HOST3D blob of `size` in h's context reads as zeros everywhere. */
static bool new_blob_clear(struct vc *t, struct vc_host *h, uint64_t size, const uint8_t *zero,
			   const char *which)
{
	uint32_t res;
	char what[160];
	if (!vc_expect(t, vc_host_blob(t, h, size, MAPPABLE, &res), OK_NODATA, R_CMD_SUCCESS,
		       "CREATE_BLOB(HOST3D)") ||
	    !vc_expect(t, vc_map(t, res, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB"))
		return false;
	snprintf(what, sizeof(what), "%s, through the mapping", which);
	if (!zeros(t, vc_region(t, NULL), size, what))
		return false;
	snprintf(what, sizeof(what), "%s, read by the host", which);
	if (!host_sees(t, h, res, size, zero, R_LIFE_MEM_ZERO, what))
		return false;
	snprintf(what, sizeof(what), "%s, on the display", which);
	return blob_display_is(t, res, size, zero, R_LIFE_MEM_ZERO, what) &&
	       vc_expect(t, vc_unref(t, res), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF");
}

/* HOST3D blobs: after a written one is freed, new ones of the same, half and double size, and
 * one in another context, show nothing of it. */
static enum vc_verdict host_blob_reuse(struct vc *t)
{
	uint64_t size = 2 * vc_map_granularity(t);
	uint8_t *model = calloc(1, 2 * size), *zero = calloc(1, 2 * size);
	if (!model || !zero) {
		free(model), free(zero);
		return vc_error(t, "out of memory");
	}
	struct vc_host a, b;
	static const struct {
		unsigned num, den;
		bool other_ctx;
		const char *which;
	} next[] = {
		{ 1, 1, false, "a new blob of the freed blob's size" },
		{ 1, 2, false, "a new blob of half the size" },
		{ 2, 1, false, "a new blob of twice the size" },
		{ 1, 1, true, "a new blob of the same size in another context" },
	};
	if (!vc_host_open(t, &a))
		goto out;
	bool opened_b = false;
	for (size_t i = 0; i < sizeof(next) / sizeof(next[0]); i++) {
		if (!written_and_freed(t, &a, size, model))
			break;
		if (next[i].other_ctx && !opened_b && !(opened_b = vc_host_open(t, &b)))
			break;
		if (!new_blob_clear(t, next[i].other_ctx ? &b : &a, size * next[i].num / next[i].den,
				    zero, next[i].which))
			break;
	}
out:
	free(model);
	free(zero);
	return vc_done(t);
}

/* A default blob of object blob_id over fresh shadow pages filled with MARK; *gpa gets them. */
static bool default_blob(struct vc *t, struct vc_host *h, uint64_t blob_id, uint64_t size,
			 uint32_t *res, uint8_t **shadow)
{
	struct vgb_refctx_alloc al = { { vgb_to_le32(VGB_REFCTX_ALLOC), vgb_to_le32(sizeof(al)) },
				       vgb_to_le64(blob_id), vgb_to_le64(size) };
	uint64_t gpa = vc_alloc(t, size);
	if (!gpa || !vc_expect(t, vc_submit_3d(t, h->ctx_id, &al, sizeof(al)), OK_NODATA, R_CMD_SUCCESS,
			       "reference context ALLOC"))
		return false;
	*shadow = vc_ptr(t, gpa, size);
	if (!*shadow)
		return false;
	memset(*shadow, MARK, size);
	struct vgb_sg e = { gpa, (uint32_t)size };
	*res = vc_new_id(t);
	return vc_expect(t, vc_create_blob(t, *res, h->ctx_id, VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST, 0, blob_id,
					   size, &e, 1),
			 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D_GUEST)") &&
	       vc_expect(t, vc_ctx_attach(t, h->ctx_id, *res), OK_NODATA, R_CMD_SUCCESS,
			 "CTX_ATTACH_RESOURCE");
}

/*
 * Default blobs: the host memory of a written and freed one does not come back
 * through TRANSFER_FROM_HOST_3D into the shadow pages of a new one (same size,
 * same context; same size, another context), nor through the host's reads.
 */
static enum vc_verdict default_blob_reuse(struct vc *t)
{
	uint64_t size = 2 * vc_map_granularity(t);
	uint8_t *zero = calloc(1, size);
	if (!zero)
		return vc_error(t, "out of memory");
	struct vc_host a, b;
	uint32_t res;
	uint8_t *shadow;
	if (!vc_host_open(t, &a) || !vc_host_open(t, &b))
		goto out;
	for (unsigned round = 0; round < 2; round++) {
		struct vc_host *h = round ? &b : &a;
		if (!default_blob(t, &a, 0x500 + round, size, &res, &shadow) ||
		    !vc_host_pattern(t, &a, res, OLD_SEED, 0, size, R_REFCTX_PATTERN) ||
		    !vc_expect(t, vc_unref(t, res), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF of the written blob") ||
		    !default_blob(t, h, 0x600 + round, size, &res, &shadow))
			break;
		const char *which = round ? "a new default blob in another context" : "a new default blob";
		char what[160];
		snprintf(what, sizeof(what), "%s, read by the host", which);
		if (!host_sees(t, h, res, size, zero, R_LIFE_MEM_ZERO, what))
			break;
		if (!vc_expect(t, vc_transfer_3d(t, false, h->ctx_id, res, 0, (uint32_t)size, 1, 1), OK_NODATA,
			       R_XFER_DEFAULT_FROM, "TRANSFER_FROM_HOST_3D of the whole default blob"))
			break;
		snprintf(what, sizeof(what), "%s, transferred back into its shadow pages", which);
		if (!zeros(t, shadow, size, what))
			break;
	}
out:
	free(zero);
	return vc_done(t);
}

/* A 2D resource id (w x h) over `b`, shown on scanout 0 whole. */
static bool image_shown(struct vc *t, uint32_t id, uint32_t w, uint32_t h, struct vgb_sg *b)
{
	return vc_expect(t, vc_create_2d(t, id, FMT, w, h), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D") &&
	       vc_expect(t, vc_attach_backing(t, id, b, 1), OK_NODATA, R_CMD_SUCCESS, "ATTACH_BACKING") &&
	       vc_expect(t, vc_set_scanout(t, 0, id, 0, 0, w, h), OK_NODATA, R_CMD_SUCCESS, "SET_SCANOUT");
}

static bool flushed_shows(struct vc *t, uint32_t id, uint32_t w, uint32_t h, const uint8_t *model,
			  const char *req_id, const char *what)
{
	uint64_t before = vc_display_updates(t, 0);
	return vc_expect(t, vc_flush(t, id, 0, 0, w, h), OK_NODATA, R_DISP_PIXELS, "RESOURCE_FLUSH") &&
	       vc_check(t, vc_display_wait(t, 0, before), R_DISP_PIXELS, "no display update after RESOURCE_FLUSH") &&
	       vc_display_matches(t, 0, model, w, h, w * 4, req_id, what);
}

/* TRANSFER_FROM_HOST_3D of the whole 2D resource into its backing (guest bytes MARK first). */
static bool image_read_back(struct vc *t, uint32_t ctx, uint32_t id, uint32_t w, uint32_t h,
			    uint8_t *guest, const char *what)
{
	struct virtio_gpu_transfer_host_3d c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D);
	c.hdr.ctx_id = vgb_to_le32(ctx);
	c.box = (struct virtio_gpu_box){ 0, 0, 0, vgb_to_le32(w), vgb_to_le32(h), vgb_to_le32(1) };
	c.resource_id = vgb_to_le32(id);
	memset(guest, MARK, (uint64_t)w * h * 4);
	return vc_expect(t, vc_ctx_attach(t, ctx, id), OK_NODATA, R_CMD_SUCCESS, "CTX_ATTACH_RESOURCE") &&
	       vc_expect(t, vc_cmd(t, &c, sizeof(c), &r), OK_NODATA, R_XFER_3D_2D_FROM,
			 "TRANSFER_FROM_HOST_3D of the whole 2D resource") &&
	       zeros(t, guest, (uint64_t)w * h * 4, what);
}

/*
 * 2D resources: a written and shown image is unreferenced; new images with the
 * same id, another id and other shapes of the same byte size show zeros on the
 * display before anything is transferred, and read back zeros (with VIRGL).
 */
static enum vc_verdict image_reuse(struct vc *t)
{
	enum { W = 64, H = 32, BYTES = W * H * 4 };
	static const struct {
		uint32_t w, h;
		bool same_id;
		const char *which;
	} next[] = {
		{ W, H, true, "a new 2D resource with the freed one's id and size" },
		{ W, H, false, "a new 2D resource of the freed one's size" },
		{ 32, 64, false, "a new 32x64 2D resource (same bytes, other shape)" },
		{ 48, 48, false, "a new 48x48 2D resource" },
	};
	uint64_t gpa = vc_alloc(t, 2 * BYTES); /* room for the 48x48 one too */
	VC_TRY(gpa);
	uint8_t *guest = vc_ptr(t, gpa, 2 * BYTES), *model = malloc(BYTES), *zero = calloc(1, 2 * BYTES);
	if (!guest || !model || !zero) {
		free(model), free(zero);
		return vc_error(t, "out of memory");
	}
	struct vgb_sg e = { gpa, 2 * BYTES };
	bool virgl = (vgb_fe_features(t->fe) >> VIRTIO_GPU_F_VIRGL) & 1;
	uint32_t ctx = 0;
	if (virgl) {
		ctx = vc_new_id(t);
		if (!vc_expect(t, vc_ctx_create(t, ctx, 0), OK_NODATA, R_CMD_SUCCESS, "CTX_CREATE"))
			goto out;
	}
	for (size_t i = 0; i < sizeof(next) / sizeof(next[0]); i++) {
		uint32_t old = vc_new_id(t);
		vc_pattern_fill(guest, OLD_SEED + (uint32_t)i, BYTES);
		memcpy(model, guest, BYTES);
		if (!image_shown(t, old, W, H, &e) ||
		    !vc_expect(t, vc_transfer_2d(t, old, 0, 0, W, H, 0), OK_NODATA, R_XFER_2D, "TRANSFER_TO_HOST_2D") ||
		    !flushed_shows(t, old, W, H, model, R_XFER_2D, "the written 2D resource") ||
		    !vc_expect(t, vc_unref(t, old), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF of the written resource"))
			break;
		uint32_t id = next[i].same_id ? old : vc_new_id(t);
		memset(guest, MARK, BYTES); /* attached but never transferred */
		char what[160];
		snprintf(what, sizeof(what), "%s, on the display before any transfer", next[i].which);
		if (!image_shown(t, id, next[i].w, next[i].h, &e) ||
		    !flushed_shows(t, id, next[i].w, next[i].h, zero, R_LIFE_MEM_ZERO, what))
			break;
		snprintf(what, sizeof(what), "%s, transferred back", next[i].which);
		if (virgl && !image_read_back(t, ctx, id, next[i].w, next[i].h, guest, what))
			break;
		if (!vc_expect(t, vc_unref(t, id), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF"))
			break;
	}
out:
	free(model);
	free(zero);
	return vc_done(t);
}

/*
 * Across a device reset: a written 2D image and, with the reference context and
 * a region, a written HOST3D blob; after the reset new ones of the same sizes
 * (and the same ids) show zeros.
 */
static enum vc_verdict after_reset(struct vc *t)
{
	enum { W = 64, H = 32, BYTES = W * H * 4 };
	uint64_t gpa = vc_alloc(t, BYTES);
	VC_TRY(gpa);
	uint64_t size = 2 * vc_map_granularity(t);
	uint8_t *guest = vc_ptr(t, gpa, BYTES), *model = malloc(BYTES), *zero = calloc(1, size + BYTES);
	bool host = t->probe->refctx && t->probe->has_region;
	if (!guest || !model || !zero) {
		vc_error(t, "out of memory");
		goto out;
	}
	struct vgb_sg e = { gpa, BYTES };
	uint32_t img = vc_new_id(t);
	vc_pattern_fill(guest, OLD_SEED, BYTES);
	memcpy(model, guest, BYTES);
	if (!image_shown(t, img, W, H, &e) ||
	    !vc_expect(t, vc_transfer_2d(t, img, 0, 0, W, H, 0), OK_NODATA, R_XFER_2D, "TRANSFER_TO_HOST_2D") ||
	    !flushed_shows(t, img, W, H, model, R_XFER_2D, "the written 2D resource"))
		goto out;
	struct vc_host h;
	if (host) {
		uint32_t res;
		if (!vc_host_open(t, &h) ||
		    !vc_expect(t, vc_host_blob(t, &h, size, MAPPABLE, &res), OK_NODATA, R_CMD_SUCCESS,
			       "CREATE_BLOB(HOST3D)") ||
		    !vc_host_pattern(t, &h, res, OLD_SEED, 0, size, R_REFCTX_PATTERN) ||
		    !vc_expect(t, vc_map(t, res, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB"))
			goto out;
	}
	if (vgb_fe_reset_device(t->fe) < 0) {
		vc_error(t, "device reset failed: %s", vgb_fe_error(t->fe));
		goto out;
	}
	memset(guest, MARK, BYTES);
	if (!image_shown(t, img, W, H, &e) ||
	    !flushed_shows(t, img, W, H, zero, R_LIFE_MEM_ZERO,
			   "a 2D resource created after the reset with the id and size of a written one"))
		goto out;
	if (host) {
		/* The same context id and object ids as before the reset: nothing of them survived. */
		t->next_id = 0;
		if (vc_host_open(t, &h))
			new_blob_clear(t, &h, size, zero, "a HOST3D blob created after the reset");
	}
out:
	free(model);
	free(zero);
	return vc_done(t);
}

#define NEED_MAP (VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX)

const struct vc_case vc_cases_memory[] = {
	{ .name = "dev.mem.host_blob_reuse", IDS(R_LIFE_MEM_ZERO, R_MAP_VISIBLE, R_REFCTX_CHECKSUM, R_DISP_PIXELS),
	  .needs = NEED_MAP, .run = host_blob_reuse,
	  .summary = "HOST3D blobs after a written one is freed: zeros through the mapping, the host and the display" },
	{ .name = "dev.mem.default_blob_reuse", IDS(R_LIFE_MEM_ZERO, R_XFER_DEFAULT_FROM, R_REFCTX_CHECKSUM),
	  .needs = VC_NEED_BLOB | VC_NEED_REFCTX, .run = default_blob_reuse,
	  .summary = "default blobs after a written one is freed: zeros read by the host and transferred back" },
	{ .name = "dev.mem.image_reuse", IDS(R_LIFE_MEM_ZERO, R_DISP_PIXELS, R_XFER_3D_2D_FROM),
	  .run = image_reuse,
	  .summary = "2D resources after a written one is freed: zeros on the display and transferred back" },
	{ .name = "dev.mem.after_reset", IDS(R_LIFE_MEM_ZERO, R_RESET, R_RESET_IDS),
	  .needs = VC_NEED_RESET, .run = after_reset,
	  .summary = "after a device reset, new objects show nothing of what was written before" },
	{ 0 },
};
