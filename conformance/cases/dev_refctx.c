/* SPDX-License-Identifier: MIT */
/*
 * The reference context as a device feature: stream semantics, each op's
 * effect and validation, the host view of guest and default blobs, 3D
 * transfers on blobs, and what unref/destroy do to context membership.
 * Results are read back with CHECKSUM into a GUEST blob, so most cases need
 * no host-visible region.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/batch.h"
#include "../lib/display.h"
#include "cases.h"
#include "vgb/refctx.h"

#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA
#define PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define LE32 vgb_to_le32
#define LE64 vgb_to_le64

/* A stream under construction. */
struct stream {
	uint8_t buf[4096];
	uint32_t len;
};

static void put(struct stream *s, const void *cmd, uint32_t len)
{
	if (s->len + len <= sizeof(s->buf)) {
		memcpy(s->buf + s->len, cmd, len);
		s->len += len;
	}
}

static void op_fill(struct stream *s, uint32_t res, uint32_t value, uint64_t off, uint64_t size)
{
	struct vgb_refctx_fill f = { { LE32(VGB_REFCTX_FILL), LE32(sizeof(f)) }, LE32(res), LE32(value),
				     LE64(off), LE64(size) };
	put(s, &f, sizeof(f));
}

static void op_alloc(struct stream *s, uint64_t blob_id, uint64_t size)
{
	struct vgb_refctx_alloc a = { { LE32(VGB_REFCTX_ALLOC), LE32(sizeof(a)) }, LE64(blob_id),
				      LE64(size) };
	put(s, &a, sizeof(a));
}

static void op_checksum(struct stream *s, uint32_t res, uint64_t off, uint64_t size, uint32_t dst)
{
	struct vgb_refctx_checksum c = { { LE32(VGB_REFCTX_CHECKSUM), LE32(sizeof(c)) }, LE32(res),
					 LE32(dst), LE64(off), LE64(size), 0 };
	put(s, &c, sizeof(c));
}

static void op_raw(struct stream *s, uint32_t op, uint32_t length)
{
	struct vgb_refctx_hdr h = { LE32(op), LE32(length) };
	put(s, &h, sizeof(h));
}

static uint32_t run(struct vc *t, struct vc_host *h, const struct stream *s)
{
	return vc_submit_3d(t, h->ctx_id, s->buf, s->len);
}

/* The last checksum the host wrote into the result blob. */
static uint64_t result(struct vc *t, struct vc_host *h)
{
	uint64_t le;
	memcpy(&le, vc_ptr(t, h->result_gpa, 8), 8);
	return vgb_le64(le);
}

/* Reference context plus one HOST3D blob of one granule. */
static bool setup(struct vc *t, struct vc_host *h, uint32_t *res, uint64_t *size)
{
	if (!vc_host_open(t, h))
		return false;
	*size = vc_map_granularity(t);
	return vc_expect(t, vc_host_blob(t, h, *size, 0, res), OK_NODATA, R_CMD_SUCCESS,
			 "CREATE_BLOB(HOST3D)");
}

/* Reference context plus one mappable HOST3D blob of one granule, mapped at offset 0. */
static bool setup_mapped(struct vc *t, struct vc_host *h, uint32_t *id, uint64_t *size)
{
	if (!vc_host_open(t, h))
		return false;
	*size = vc_map_granularity(t);
	return vc_expect(t, vc_host_blob(t, h, *size, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, id), OK_NODATA,
			 R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)") &&
	       vc_expect(t, vc_map(t, *id, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB");
}

/* ALLOC of a new object, alone in a stream. */
static bool alloc_object(struct vc *t, struct vc_host *h, uint64_t blob_id, uint64_t size)
{
	struct stream s = { .len = 0 };
	op_alloc(&s, blob_id, size);
	return vc_expect(t, run(t, h, &s), OK_NODATA, R_CMD_SUCCESS, "ALLOC");
}

/* A default blob (HOST3D_GUEST) made from object blob_id over backing b, attached to the context. */
static bool default_blob_create(struct vc *t, struct vc_host *h, uint32_t id, uint32_t flags,
				uint64_t blob_id, uint64_t size, const struct vc_backing *b)
{
	return vc_expect(t, vc_create_blob(t, id, h->ctx_id, VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST, flags,
					   blob_id, size, b->ents, b->n),
			 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D_GUEST)") &&
	       vc_expect(t, vc_ctx_attach(t, h->ctx_id, id), OK_NODATA, R_CMD_SUCCESS,
			 "CTX_ATTACH_RESOURCE");
}

/* A stream of one FILL of res's first 64 bytes, which the device must answer with want. */
static bool fill_answers(struct vc *t, struct vc_host *h, uint32_t res, uint32_t want,
			 const char *req_id, const char *what)
{
	struct stream s = { .len = 0 };
	op_fill(&s, res, 1, 0, 64);
	return vc_expect(t, run(t, h, &s), want, req_id, what);
}

/* The little-endian 32-bit word at p. */
static uint32_t le32_at(const void *p)
{
	uint32_t le;
	memcpy(&le, p, 4);
	return vgb_le32(le);
}

static bool host_sum_is(struct vc *t, struct vc_host *h, uint32_t res, uint64_t off, uint64_t len,
			const void *model, const char *req_id, const char *what)
{
	uint64_t sum = 0;
	if (!vc_host_checksum(t, h, res, off, len, &sum, R_REFCTX_CHECKSUM))
		return false;
	uint64_t want = vc_checksum(model, len);
	return vc_check(t, sum == want, req_id, "%s: host checksum %016llx, expected %016llx", what,
			(unsigned long long)sum, (unsigned long long)want);
}

static enum vc_verdict alloc_zero(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	uint8_t *zeros = calloc(1, size);
	if (!zeros)
		return vc_error(t, "out of memory");
	host_sum_is(t, &h, res, 0, size, zeros, R_REFCTX_ALLOC_ZERO, "a fresh object");
	free(zeros);
	VC_TRY(!vc_failed(t));
	/* The object was consumed by CREATE_BLOB: naming it again is an unknown blob_id. */
	uint32_t again = vc_new_id(t);
	vc_expect(t, vc_create_blob(t, again, h.ctx_id, VIRTIO_GPU_BLOB_MEM_HOST3D, 0,
				    h.next_blob_id - 1, size, NULL, 0),
		  PARAM, R_REFCTX_CONSUMED, "CREATE_BLOB of an object already turned into a blob");
	return vc_done(t);
}

static enum vc_verdict write_inline(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	struct {
		struct vgb_refctx_write w;
		uint8_t data[40];
	} cmd;
	memset(&cmd, 0, sizeof(cmd));
	uint32_t n = 37; /* odd: padded to 40 in the stream */
	cmd.w.hdr = (struct vgb_refctx_hdr){ LE32(VGB_REFCTX_WRITE), LE32(sizeof(cmd)) };
	cmd.w.resource_id = LE32(res);
	cmd.w.size = LE32(n);
	cmd.w.offset = LE64(13);
	for (uint32_t i = 0; i < n; i++)
		cmd.data[i] = (uint8_t)(i * 37u + 11u);
	struct stream s = { .len = 0 };
	put(&s, &cmd, sizeof(cmd));
	VC_TRY(vc_expect(t, run(t, &h, &s), OK_NODATA, R_REFCTX_WRITE, "WRITE of 37 inline bytes"));
	uint8_t model[64] = { 0 };
	memcpy(model + 13, cmd.data, n);
	host_sum_is(t, &h, res, 0, sizeof(model), model, R_REFCTX_WRITE, "after WRITE at offset 13");
	return vc_done(t);
}

static enum vc_verdict copy_overlap(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	uint32_t seed = vc_rand(t);
	VC_TRY(vc_host_pattern(t, &h, res, seed, 0, 4096, R_REFCTX_PATTERN));
	uint8_t model[4096];
	vc_pattern_fill(model, seed, sizeof(model));
	VC_TRY(host_sum_is(t, &h, res, 0, sizeof(model), model, R_REFCTX_PATTERN, "after PATTERN"));
	/* Overlapping forward and backward copies: the destination gets the old source bytes. */
	struct vgb_refctx_copy c = { { LE32(VGB_REFCTX_COPY), LE32(sizeof(c)) }, LE32(res), LE32(res),
				     LE64(0), LE64(100), LE64(1000) };
	struct stream s = { .len = 0 };
	put(&s, &c, sizeof(c));
	VC_TRY(vc_expect(t, run(t, &h, &s), OK_NODATA, R_REFCTX_COPY, "COPY [0,1000) -> [100,1100)"));
	memmove(model + 100, model, 1000);
	c.src_offset = LE64(2100);
	c.dst_offset = LE64(2001);
	s.len = 0;
	put(&s, &c, sizeof(c));
	VC_TRY(vc_expect(t, run(t, &h, &s), OK_NODATA, R_REFCTX_COPY, "COPY [2100,3100) -> [2001,3001)"));
	memmove(model + 2001, model + 2100, 1000);
	host_sum_is(t, &h, res, 0, sizeof(model), model, R_REFCTX_COPY, "after overlapping COPYs");
	return vc_done(t);
}

static enum vc_verdict stream_order(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	struct stream s = { .len = 0 };
	op_fill(&s, res, 0x11111111u, 0, 256);
	op_fill(&s, res, 0x22222222u, 64, 64);
	op_checksum(&s, res, 0, 256, h.result_res);
	VC_TRY(vc_expect(t, run(t, &h, &s), OK_NODATA, R_REFCTX_ORDER, "FILL, FILL, CHECKSUM in one stream"));
	uint32_t model[64];
	for (int i = 0; i < 64; i++)
		model[i] = vgb_to_le32(i >= 16 && i < 32 ? 0x22222222u : 0x11111111u);
	vc_check(t, result(t, &h) == vc_checksum(model, sizeof(model)), R_REFCTX_ORDER,
		 "CHECKSUM in the same stream did not see both FILLs before it (%016llx)",
		 (unsigned long long)result(t, &h));
	return vc_done(t);
}

static enum vc_verdict stop_at_invalid(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	struct stream s = { .len = 0 };
	op_fill(&s, res, 0x11111111u, 0, 64);
	op_raw(&s, 99, 8);
	op_fill(&s, res, 0x22222222u, 0, 64);
	VC_TRY(vc_expect(t, run(t, &h, &s), PARAM, R_REFCTX_INVALID,
			 "stream FILL, unknown op 99, FILL"));
	uint32_t model[16];
	for (int i = 0; i < 16; i++)
		model[i] = vgb_to_le32(0x11111111u);
	host_sum_is(t, &h, res, 0, sizeof(model), model, R_REFCTX_STOP,
		    "only the FILL before the invalid command took effect");
	return vc_done(t);
}

static enum vc_verdict unknown_resource(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	fill_answers(t, &h, 0x7777, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, R_REFCTX_UNKNOWN_RES,
		     "FILL naming an unknown resource");
	vc_still_serves(t, "a stream naming an unknown resource");
	return vc_done(t);
}

/* One invalid command alone in a stream must be refused with ERR_INVALID_PARAMETER. */
static bool refused(struct vc *t, struct vc_host *h, const struct stream *s, const char *req_id,
		    const char *what)
{
	return vc_expect(t, run(t, h, s), PARAM, req_id, what);
}

static enum vc_verdict alloc_invalid(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	struct stream s = { .len = 0 };
	op_alloc(&s, 0x900, size);
	VC_TRY(vc_expect(t, run(t, &h, &s), OK_NODATA, R_CMD_SUCCESS, "ALLOC of a new object"));
	VC_TRY(refused(t, &h, &s, R_REFCTX_ALLOC_ID, "ALLOC of an existing blob_id"));
	s.len = 0;
	op_alloc(&s, 0, size);
	VC_TRY(refused(t, &h, &s, R_REFCTX_ALLOC_ID, "ALLOC of blob_id 0"));
	s.len = 0;
	op_alloc(&s, 0x901, 0);
	VC_TRY(refused(t, &h, &s, R_REFCTX_ALLOC_SIZE, "ALLOC of size 0"));
	uint32_t align = t->probe->refctx_alignment;
	if (align > 1) {
		s.len = 0;
		op_alloc(&s, 0x902, (uint64_t)align + align / 2);
		VC_TRY(refused(t, &h, &s, R_REFCTX_ALLOC_SIZE, "ALLOC of 1.5 * alignment"));
	}
	uint64_t max = t->probe->refctx_max_object;
	if (max && max < UINT64_MAX - align) {
		s.len = 0;
		op_alloc(&s, 0x903, max + (align ? align : 4096));
		VC_TRY(refused(t, &h, &s, R_REFCTX_ALLOC_SIZE, "ALLOC above max_object_size"));
	}
	s.len = 0;
	struct vgb_refctx_free f = { { LE32(VGB_REFCTX_FREE), LE32(sizeof(f)) }, LE64(0x999) };
	put(&s, &f, sizeof(f));
	refused(t, &h, &s, R_REFCTX_FREE_UNKNOWN, "FREE of an unknown blob_id");
	return vc_done(t);
}

static enum vc_verdict range_invalid(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	struct stream s = { .len = 0 };
	op_fill(&s, res, 1, size - 4, 8);
	VC_TRY(refused(t, &h, &s, R_REFCTX_RANGE, "FILL crossing the blob end"));
	s.len = 0;
	op_fill(&s, res, 1, UINT64_MAX - 3, 8);
	VC_TRY(refused(t, &h, &s, R_REFCTX_RANGE, "FILL whose offset + size overflows"));
	s.len = 0;
	op_checksum(&s, res, 0, 64, h.result_res);
	struct vgb_refctx_checksum *c = (struct vgb_refctx_checksum *)s.buf;
	c->dst_offset = LE64(UINT64_MAX - 3);
	VC_TRY(refused(t, &h, &s, R_REFCTX_RANGE, "CHECKSUM writing past the destination"));
	s.len = 0;
	op_fill(&s, res, 1, 2, 8);
	VC_TRY(refused(t, &h, &s, R_REFCTX_ALIGN4, "FILL at offset 2"));
	s.len = 0;
	struct vgb_refctx_pattern p = { { LE32(VGB_REFCTX_PATTERN), LE32(sizeof(p)) }, LE32(res), 1,
					LE64(0), LE64(6) };
	put(&s, &p, sizeof(p));
	VC_TRY(refused(t, &h, &s, R_REFCTX_ALIGN4, "PATTERN of 6 bytes"));
	s.len = 0;
	op_raw(&s, VGB_REFCTX_FILL, 12); /* FILL is 32 bytes */
	put(&s, "\0\0\0\0", 4);
	VC_TRY(refused(t, &h, &s, R_REFCTX_LENGTH, "FILL whose length is 12"));
	s.len = 0;
	op_raw(&s, VGB_REFCTX_FILL, 6);
	refused(t, &h, &s, R_REFCTX_LENGTH, "command length 6 (below 8, not a multiple of 4)");
	return vc_done(t);
}

static enum vc_verdict not_blob(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16), OK_NODATA,
			 R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	VC_TRY(vc_expect(t, vc_ctx_attach(t, h.ctx_id, id), OK_NODATA, R_CMD_SUCCESS,
			 "CTX_ATTACH_RESOURCE of a 2D resource"));
	fill_answers(t, &h, id, PARAM, R_REFCTX_NOT_BLOB, "FILL of a 2D resource");
	return vc_done(t);
}

/* A GUEST blob: the host view is the guest pages (or a copy updated by transfers). */
static enum vc_verdict guest_blob_host_view(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint64_t size = vc_map_granularity(t);
	struct vc_backing b;
	VC_TRY(vc_backing_make(t, size, 0, &b));
	uint8_t *pages = vc_ptr(t, b.ents[0].gpa, size);
	vc_pattern_fill(pages, t->seed, size);
	uint8_t *before = malloc(size);
	if (!before)
		return vc_error(t, "out of memory");
	memcpy(before, pages, size);
	uint32_t id = vc_new_id(t);
	bool ok = vc_expect(t, vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, size, b.ents, b.n),
			    OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST)") &&
		  vc_check(t, memcmp(pages, before, size) == 0, R_BLOB_KEEPS_CONTENT,
			   "creating a GUEST blob changed its guest pages") &&
		  vc_expect(t, vc_ctx_attach(t, h.ctx_id, id), OK_NODATA, R_CMD_SUCCESS,
			    "CTX_ATTACH_RESOURCE of the GUEST blob") &&
		  vc_expect(t, vc_transfer_3d(t, true, h.ctx_id, id, 0, (uint32_t)size, 1, 1), OK_NODATA,
			    R_XFER_GUEST_COPY, "TRANSFER_TO_HOST_3D of the whole GUEST blob") &&
		  host_sum_is(t, &h, id, 0, size, before, R_REFCTX_HOST_VIEW,
			      "host view of a GUEST blob after TRANSFER_TO_HOST_3D");
	free(before);
	VC_TRY(ok);
	/* Host writes reach the guest pages once transferred back. */
	VC_TRY(vc_host_fill(t, &h, id, 0x600d600du, 0, 256, R_REFCTX_HOST_VIEW));
	VC_TRY(vc_expect(t, vc_transfer_3d(t, false, h.ctx_id, id, 0, 256, 1, 1), OK_NODATA,
			 R_XFER_GUEST_COPY, "TRANSFER_FROM_HOST_3D of a GUEST blob range"));
	uint32_t w = le32_at(pages + 252);
	vc_check(t, w == 0x600d600du, R_REFCTX_HOST_VIEW,
		 "guest pages read 0x%08x after a host FILL of a GUEST blob and TRANSFER_FROM_HOST_3D", w);
	return vc_done(t);
}

/* A default blob (HOST3D_GUEST): host memory plus a guest shadow synchronised by transfers. */
static enum vc_verdict default_blob(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint64_t size = vc_map_granularity(t);
	uint64_t blob_id = 0x4000;
	VC_TRY(alloc_object(t, &h, blob_id, size));
	struct vc_backing b;
	VC_TRY(vc_backing_make(t, size, 0, &b));
	uint8_t *shadow = vc_ptr(t, b.ents[0].gpa, size);
	memset(shadow, 0, size);
	uint32_t id = vc_new_id(t);
	uint32_t flags = t->probe->has_region ? VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE : 0;
	VC_TRY(default_blob_create(t, &h, id, flags, blob_id, size, &b));
	/* Guest shadow -> host memory. */
	vc_pattern_fill(shadow, t->seed, size);
	VC_TRY(vc_expect(t, vc_transfer_3d(t, true, h.ctx_id, id, 0, (uint32_t)size, 1, 1), OK_NODATA,
			 R_XFER_DEFAULT_TO, "TRANSFER_TO_HOST_3D of a default blob"));
	VC_TRY(host_sum_is(t, &h, id, 0, size, shadow, R_XFER_DEFAULT_TO,
			   "host memory after TRANSFER_TO_HOST_3D"));
	/* Host memory -> guest shadow. */
	VC_TRY(vc_host_fill(t, &h, id, 0xfeedf00du, 0, size, R_REFCTX_FILL));
	VC_TRY(vc_expect(t, vc_transfer_3d(t, false, h.ctx_id, id, 0, (uint32_t)size, 1, 1), OK_NODATA,
			 R_XFER_DEFAULT_FROM, "TRANSFER_FROM_HOST_3D of a default blob"));
	uint32_t w = le32_at(shadow + size - 4);
	VC_TRY(vc_check(t, w == 0xfeedf00du, R_XFER_DEFAULT_FROM,
			"guest shadow reads 0x%08x after TRANSFER_FROM_HOST_3D, host filled 0xfeedf00d", w));
	if (!t->probe->has_region)
		return vc_done(t);
	/* The mapping shows host memory, not the shadow the guest keeps changing. */
	memset(shadow, 0xab, size);
	VC_TRY(vc_expect(t, vc_map(t, id, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK,
			 "MAP_BLOB of a mappable default blob"));
	w = le32_at(vc_region(t, NULL));
	vc_check(t, w == 0xfeedf00du, R_MAP_DEFAULT_HOST,
		 "the mapping of a default blob reads 0x%08x; host memory holds 0xfeedf00d", w);
	return vc_done(t);
}

/*
 * TRANSFER_TO_HOST_2D on a default blob: the blob has no 2D layout, so the range runs
 * from `offset` to the end of the blob; the bytes before it stay as they were (zeros).
 */
static enum vc_verdict default_blob_2d(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint64_t size = 2 * vc_map_granularity(t), half = size / 2;
	uint64_t blob_id = 0x4100;
	VC_TRY(alloc_object(t, &h, blob_id, size));
	struct vc_backing b;
	VC_TRY(vc_backing_make(t, size, 0, &b));
	uint8_t *shadow = vc_ptr(t, b.ents[0].gpa, size);
	uint32_t id = vc_new_id(t);
	VC_TRY(default_blob_create(t, &h, id, 0, blob_id, size, &b));
	uint8_t *model = calloc(1, size);
	if (!model)
		return vc_error(t, "out of memory");
	vc_pattern_fill(shadow, t->seed, size);
	memcpy(model + half, shadow + half, size - half);
	bool ok = vc_expect(t, vc_transfer_2d(t, id, 0, 0, 1, 1, half), OK_NODATA, R_XFER_DEFAULT_TO,
			    "TRANSFER_TO_HOST_2D of a default blob from its middle") &&
		  host_sum_is(t, &h, id, half, size - half, model + half, R_XFER_DEFAULT_TO,
			      "host memory from offset to the blob end after TRANSFER_TO_HOST_2D") &&
		  host_sum_is(t, &h, id, 0, half, model, R_XFER_OUTSIDE,
			      "host memory before offset after TRANSFER_TO_HOST_2D");
	free(model);
	VC_TRY(ok);
	return vc_done(t);
}

/*
 * The linear view of a default blob: d layers of h rows of w bytes, rows `stride` apart,
 * layers `layer_stride` apart.  Only those rows move; the gaps keep what they held.
 */
static enum vc_verdict default_blob_rows(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint64_t size = 2 * vc_map_granularity(t);
	const uint32_t w = 24, rows = 5, layers = 3, stride = 96, lstride = 1024, off = 40;
	uint64_t blob_id = 0x4200;
	VC_TRY(alloc_object(t, &h, blob_id, size));
	struct vc_backing b;
	VC_TRY(vc_backing_make(t, size, 0, &b));
	uint8_t *shadow = vc_ptr(t, b.ents[0].gpa, size);
	uint32_t id = vc_new_id(t);
	VC_TRY(default_blob_create(t, &h, id, 0, blob_id, size, &b));
	uint8_t *model = calloc(1, size);
	if (!model)
		return vc_error(t, "out of memory");
	/* Guest shadow -> host memory (zero after ALLOC): only the rows arrive. */
	vc_pattern_fill(shadow, t->seed, size);
	for (uint32_t z = 0; z < layers; z++)
		for (uint32_t y = 0; y < rows; y++)
			memcpy(model + off + z * lstride + y * stride, shadow + off + z * lstride + y * stride, w);
	bool ok = vc_expect(t, vc_transfer_3d_view(t, true, h.ctx_id, id, off, w, rows, layers, stride,
						    lstride), OK_NODATA, R_XFER_3D_VIEW,
			    "TRANSFER_TO_HOST_3D of 3 layers of 5 rows of 24 bytes on a default blob") &&
		  host_sum_is(t, &h, id, 0, size, model, R_XFER_3D_VIEW,
			      "host memory after a strided TRANSFER_TO_HOST_3D (rows, and zeros between them)");
	/* Host memory -> zeroed shadow: the same rows, nothing in the gaps. */
	if (ok) {
		memset(shadow, 0, size);
		ok = vc_expect(t, vc_transfer_3d_view(t, false, h.ctx_id, id, off, w, rows, layers, stride,
						      lstride), OK_NODATA, R_XFER_3D_VIEW,
			       "TRANSFER_FROM_HOST_3D of the same rows") &&
		     vc_check(t, memcmp(shadow, model, size) == 0, R_XFER_OUTSIDE,
			      "guest shadow after a strided TRANSFER_FROM_HOST_3D differs from its rows");
	}
	free(model);
	VC_TRY(ok);
	return vc_done(t);
}

/* 3D transfers on a mapped host blob act as flush/invalidate and succeed. */
static enum vc_verdict host_blob_transfers(struct vc *t)
{
	struct vc_host h;
	uint32_t id;
	uint64_t size;
	VC_TRY(setup_mapped(t, &h, &id, &size));
	uint8_t *p = vc_region(t, NULL);
	vc_pattern_fill(p, t->seed, size);
	VC_TRY(vc_expect(t, vc_transfer_3d(t, true, h.ctx_id, id, 0, (uint32_t)size, 1, 1), OK_NODATA,
			 R_XFER_HOST_TO, "TRANSFER_TO_HOST_3D of a mapped host blob"));
	VC_TRY(host_sum_is(t, &h, id, 0, size, p, R_XFER_HOST_TO, "host view after TRANSFER_TO_HOST_3D"));
	h.unfenced = true;
	VC_TRY(vc_host_fill(t, &h, id, 0x31415926u, 0, size, R_REFCTX_FILL));
	VC_TRY(vc_expect(t, vc_transfer_3d(t, false, h.ctx_id, id, 0, (uint32_t)size, 1, 1), OK_NODATA,
			 R_XFER_HOST_FROM, "TRANSFER_FROM_HOST_3D of a mapped host blob"));
	uint32_t w = le32_at(p + size - 4);
	vc_check(t, w == 0x31415926u, R_XFER_HOST_FROM,
		 "mapping reads 0x%08x after TRANSFER_FROM_HOST_3D; host wrote 0x31415926", w);
	return vc_done(t);
}

static enum vc_verdict unref_detaches(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	VC_TRY(vc_expect(t, vc_unref(t, res), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF"));
	/* A new resource with the old id is not attached to the context. */
	uint64_t gpa = vc_alloc(t, size);
	VC_TRY(gpa);
	struct vgb_sg e = { gpa, (uint32_t)size };
	VC_TRY(vc_expect(t, vc_create_blob(t, res, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, size, &e, 1),
			 OK_NODATA, R_LIFE_REUSE, "CREATE_BLOB(GUEST) reusing the id"));
	fill_answers(t, &h, res, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, R_LIFE_UNREF_DETACHES,
		     "FILL of a re-created resource never attached to the context");
	return vc_done(t);
}

static enum vc_verdict not_attached(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint64_t size = vc_map_granularity(t), gpa = vc_alloc(t, size);
	VC_TRY(gpa);
	struct vgb_sg e = { gpa, (uint32_t)size };
	uint32_t id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_blob(t, id, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, size, &e, 1),
			 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST)"));
	fill_answers(t, &h, id, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, R_REFCTX_UNATTACHED,
		     "FILL of a blob never attached to the context");
	return vc_done(t);
}

/* Objects until host memory runs out: ERR_OUT_OF_MEMORY, and the device keeps serving. */
static enum vc_verdict alloc_exhausted(struct vc *t)
{
	struct vc_host h;
	VC_TRY(vc_host_open(t, &h));
	uint64_t max = t->probe->refctx_max_object, unit = 16ull << 20;
	uint32_t align = t->probe->refctx_alignment ? t->probe->refctx_alignment : 4096;
	if (max && max < unit)
		unit = max / align * align;
	uint32_t got = OK_NODATA;
	unsigned n = 0;
	for (; n < 256 && got == OK_NODATA; n++) {
		struct stream s = { .len = 0 };
		op_alloc(&s, 0x10000 + n, unit);
		got = run(t, &h, &s);
	}
	VC_TRY(!vc_failed(t));
	if (got == OK_NODATA)
		return vc_not_supported(t, "%u objects of %llu bytes allocated without running out", n,
					(unsigned long long)unit);
	vc_note(t, "out of host memory after %u objects of %llu bytes", n - 1, (unsigned long long)unit);
	VC_TRY(vc_expect(t, got, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, R_REFCTX_ALLOC_OOM,
			 "ALLOC beyond the device's host memory"));
	/* Freeing an object makes room again. */
	struct stream s = { .len = 0 };
	struct vgb_refctx_free f = { { LE32(VGB_REFCTX_FREE), LE32(sizeof(f)) }, LE64(0x10000) };
	put(&s, &f, sizeof(f));
	op_alloc(&s, 0x20000, unit);
	vc_expect(t, run(t, &h, &s), OK_NODATA, R_REFCTX_ALLOC_OOM, "FREE then ALLOC again");
	vc_still_serves(t, "host memory exhaustion");
	return vc_done(t);
}

static enum vc_verdict ctx_destroy_keeps(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(setup(t, &h, &res, &size));
	VC_TRY(vc_expect(t, vc_ctx_destroy(t, h.ctx_id), OK_NODATA, R_CMD_SUCCESS, "CTX_DESTROY"));
	if (t->probe->has_region)
		vc_expect(t, vc_map(t, res, 0, NULL), PARAM, R_MAP_NOT_MAPPABLE,
			  "MAP_BLOB of a non-mappable blob whose context is gone (the blob must exist)");
	vc_expect(t, vc_unref(t, res), OK_NODATA, R_LIFE_CTX_DESTROY_KEEPS,
		  "RESOURCE_UNREF of a blob whose context was destroyed");
	return vc_done(t);
}

/*
 * A mapped blob outlives the context that created it: the mapping keeps reaching its memory
 * (checked from a second context), and it can still be unmapped and unreferenced.
 */
static enum vc_verdict ctx_destroy_mapped(struct vc *t)
{
	struct vc_host h1, h2;
	uint32_t res = 0;
	uint64_t size = vc_map_granularity(t);
	VC_TRY(vc_host_open(t, &h1));
	VC_TRY(vc_expect(t, vc_host_blob(t, &h1, size, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, &res), OK_NODATA,
			 R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)"));
	VC_TRY(vc_expect(t, vc_map(t, res, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB"));
	VC_TRY(vc_host_pattern(t, &h1, res, 0xc7, 0, size, R_CMD_SUCCESS));
	VC_TRY(vc_expect(t, vc_ctx_destroy(t, h1.ctx_id), OK_NODATA, R_CMD_SUCCESS, "CTX_DESTROY"));
	uint8_t *p = vc_region(t, NULL), *want = malloc(size);
	if (!want)
		return vc_error(t, "out of memory");
	vc_pattern_fill(want, 0xc7, size);
	bool same = memcmp(p, want, size) == 0;
	free(want);
	VC_TRY(vc_check(t, same, R_LIFE_CTX_DESTROY_MAPPED,
			"after CTX_DESTROY the mapping no longer shows what the context wrote into the blob"));
	vc_pattern_fill(p, 0x7c, size);
	VC_TRY(vc_host_open(t, &h2));
	VC_TRY(vc_expect(t, vc_ctx_attach(t, h2.ctx_id, res), OK_NODATA, R_CMD_SUCCESS,
			 "CTX_ATTACH_RESOURCE of the blob to a second context"));
	uint64_t sum = 0;
	VC_TRY(vc_host_checksum(t, &h2, res, 0, size, &sum, R_LIFE_CTX_DESTROY_MAPPED));
	VC_TRY(vc_check(t, sum == vc_checksum(p, size), R_LIFE_CTX_DESTROY_MAPPED,
			"guest writes through a mapping that outlived CTX_DESTROY: host checksum %016llx, "
			"guest wrote %016llx", (unsigned long long)sum,
			(unsigned long long)vc_checksum(p, size)));
	VC_TRY(vc_expect(t, vc_unmap(t, res), OK_NODATA, R_LIFE_CTX_DESTROY_UNMAP,
			 "RESOURCE_UNMAP_BLOB of a blob whose context was destroyed"));
	vc_check(t, vc_touch_faults(p), R_UNMAP_OK, "the range still reaches memory after UNMAP");
	vc_expect(t, vc_unref(t, res), OK_NODATA, R_LIFE_CTX_DESTROY_UNMAP,
		  "RESOURCE_UNREF of a blob whose context was destroyed");
	return vc_done(t);
}

static enum vc_verdict ring_idx_echo(struct vc *t)
{
	struct virtio_gpu_ctrl_hdr hd;
	vc_hdr(&hd, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	hd.flags = LE32(VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
	hd.fence_id = LE64(77);
	hd.ring_idx = 5;
	struct vc_resp r;
	VC_TRY(vc_expect(t, vc_cmd(t, &hd, sizeof(hd), &r), VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
			 R_CMD_SUCCESS, "fenced GET_DISPLAY_INFO on ring 5"));
	uint32_t f = vgb_le32(r.u.hdr.flags);
	vc_check(t, (f & VIRTIO_GPU_FLAG_FENCE) && vgb_le64(r.u.hdr.fence_id) == 77, R_FENCE_ECHO,
		 "response flags 0x%x fence_id %llu (sent FENCE, 77)", f,
		 (unsigned long long)vgb_le64(r.u.hdr.fence_id));
	vc_check(t, (f & VIRTIO_GPU_FLAG_INFO_RING_IDX) && r.u.hdr.ring_idx == 5, R_FENCE_RING,
		 "response flags 0x%x ring_idx %u (sent INFO_RING_IDX, 5)", f, r.u.hdr.ring_idx);
	return vc_done(t);
}

/* UNMAP and UNREF of the same blob made available together. */
static enum vc_verdict unmap_unref_batched(struct vc *t)
{
	struct vc_host h;
	uint32_t id;
	uint64_t size;
	VC_TRY(setup_mapped(t, &h, &id, &size));
	struct virtio_gpu_resource_unmap_blob um;
	memset(&um, 0, sizeof(um));
	vc_hdr(&um.hdr, VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB);
	um.resource_id = LE32(id);
	struct virtio_gpu_resource_unref ur;
	memset(&ur, 0, sizeof(ur));
	vc_hdr(&ur.hdr, VIRTIO_GPU_CMD_RESOURCE_UNREF);
	ur.resource_id = LE32(id);
	struct vc_batch b = { .n = 2, .req = { &um, &ur }, .req_len = { sizeof(um), sizeof(ur) } };
	VC_TRY(vc_batch_run(t, &b));
	vc_expect(t, b.resp[0].type, OK_NODATA, R_LIFE_UNMAP_UNREF, "UNMAP_BLOB batched with UNREF");
	vc_expect(t, b.resp[1].type, OK_NODATA, R_LIFE_UNMAP_UNREF, "UNREF batched after UNMAP_BLOB");
	vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, size), R_LIFE_UNMAP_UNREF,
		 "the range is still mapped after the batched UNMAP_BLOB and UNREF");
	vc_still_serves(t, "a batched UNMAP_BLOB + UNREF");
	return vc_done(t);
}

/* Several requests in flight: returned in order, and a fenced one only after the earlier ones. */
static enum vc_verdict batch_order(struct vc *t)
{
	struct virtio_gpu_resource_create_2d c[6];
	struct virtio_gpu_ctrl_hdr fenced;
	struct vc_batch b = { .n = 7 };
	for (unsigned i = 0; i < 6; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		vc_hdr(&c[i].hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
		c[i].resource_id = LE32(500 + i);
		c[i].format = LE32(VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM);
		c[i].width = LE32(64);
		c[i].height = LE32(64);
		b.req[i] = &c[i];
		b.req_len[i] = sizeof(c[i]);
	}
	vc_hdr(&fenced, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	fenced.flags = LE32(VIRTIO_GPU_FLAG_FENCE);
	fenced.fence_id = LE64(900);
	b.req[6] = &fenced;
	b.req_len[6] = sizeof(fenced);
	VC_TRY(vc_batch_run(t, &b));
	for (unsigned i = 0; i < 6; i++)
		vc_expect(t, b.resp[i].type, OK_NODATA, R_CMD_SUCCESS, "batched RESOURCE_CREATE_2D");
	VC_TRY(!vc_failed(t));
	unsigned pos = 0;
	while (pos < b.n && b.order[pos] != 6)
		pos++;
	vc_check(t, pos == 6, R_FENCE_TIMELINE,
		 "the fenced request was returned as number %u of 7, before earlier requests", pos + 1);
	bool in_order = true;
	for (unsigned k = 0; k < b.n; k++)
		in_order = in_order && b.order[k] == k;
	if (!in_order)
		vc_warn(t, R_FENCE_IN_ORDER, "requests were returned out of the order they were taken");
	return vc_done(t);
}

#define REF VC_NEED_REFCTX

const struct vc_case vc_cases_refctx[] = {
	{ .name = "dev.refctx.alloc_zero", IDS(R_REFCTX_ALLOC_ZERO, R_REFCTX_CONSUMED, R_BLOB_HOST3D_UNKNOWN),
	  .needs = REF | VC_NEED_BLOB, .run = alloc_zero,
	  .summary = "ALLOCed objects read as zeros and are consumed by CREATE_BLOB" },
	{ .name = "dev.refctx.write", IDS(R_REFCTX_WRITE), .needs = REF | VC_NEED_BLOB, .run = write_inline,
	  .summary = "WRITE copies its inline bytes" },
	{ .name = "dev.refctx.copy_overlap", IDS(R_REFCTX_COPY, R_REFCTX_PATTERN), .random = true,
	  .needs = REF | VC_NEED_BLOB, .run = copy_overlap,
	  .summary = "COPY of overlapping ranges gives the old source bytes" },
	{ .name = "dev.refctx.stream_order", IDS(R_REFCTX_ORDER, R_REFCTX_FILL, R_REFCTX_CHECKSUM),
	  .needs = REF | VC_NEED_BLOB, .run = stream_order,
	  .summary = "commands of one stream run in order" },
	{ .name = "dev.refctx.stop_at_invalid", IDS(R_REFCTX_STOP, R_REFCTX_INVALID, R_REFCTX_BAD_OP),
	  .needs = REF | VC_NEED_BLOB, .run = stop_at_invalid,
	  .summary = "a stream stops at its first invalid command, keeping earlier effects" },
	{ .name = "dev.refctx.unknown_resource", IDS(R_REFCTX_UNKNOWN_RES), .needs = REF | VC_NEED_BLOB,
	  .run = unknown_resource, .summary = "a command naming an unknown resource: ERR_INVALID_RESOURCE_ID" },
	{ .name = "dev.refctx.alloc_invalid", IDS(R_REFCTX_ALLOC_ID, R_REFCTX_ALLOC_SIZE, R_REFCTX_FREE_UNKNOWN),
	  .needs = REF | VC_NEED_BLOB, .run = alloc_invalid,
	  .summary = "ALLOC/FREE with bad ids or sizes are invalid" },
	{ .name = "dev.refctx.range_invalid", IDS(R_REFCTX_RANGE, R_REFCTX_ALIGN4, R_REFCTX_LENGTH),
	  .needs = REF | VC_NEED_BLOB, .run = range_invalid,
	  .summary = "out-of-range, overflowing, unaligned and mis-sized commands are invalid" },
	{ .name = "dev.refctx.not_blob", IDS(R_REFCTX_NOT_BLOB), .needs = REF, .run = not_blob,
	  .summary = "commands naming a 2D resource are invalid" },
	{ .name = "dev.refctx.guest_blob_host_view", IDS(R_REFCTX_HOST_VIEW, R_XFER_GUEST_COPY, R_BLOB_KEEPS_CONTENT),
	  .needs = REF | VC_NEED_BLOB, .run = guest_blob_host_view, .random = true,
	  .summary = "the host view of a GUEST blob follows its pages through 3D transfers" },
	{ .name = "dev.refctx.default_blob", IDS(R_XFER_DEFAULT_TO, R_XFER_DEFAULT_FROM, R_MAP_DEFAULT_HOST),
	  .needs = REF | VC_NEED_BLOB, .run = default_blob, .random = true,
	  .summary = "HOST3D_GUEST: transfers copy shadow <-> host; the mapping shows host memory" },
	{ .name = "dev.refctx.default_blob_2d", IDS(R_XFER_DEFAULT_TO, R_XFER_OUTSIDE),
	  .needs = REF | VC_NEED_BLOB, .run = default_blob_2d, .random = true,
	  .summary = "TRANSFER_TO_HOST_2D on HOST3D_GUEST copies from offset to the blob end" },
	{ .name = "dev.refctx.default_blob_rows", IDS(R_XFER_3D_VIEW, R_XFER_OUTSIDE),
	  .needs = REF | VC_NEED_BLOB, .run = default_blob_rows, .random = true,
	  .summary = "a strided 3D transfer of a default blob moves its rows and nothing between them" },
	{ .name = "dev.xfer.host_blob_3d", IDS(R_XFER_HOST_TO, R_XFER_HOST_FROM),
	  .needs = REF | VC_NEED_BLOB | VC_NEED_REGION, .run = host_blob_transfers, .random = true,
	  .summary = "TRANSFER_TO/FROM_HOST_3D on a mapped host blob succeed and synchronise" },
	{ .name = "dev.refctx.not_attached", IDS(R_REFCTX_UNATTACHED), .needs = REF | VC_NEED_BLOB,
	  .run = not_attached, .summary = "a blob not attached to the context is an unknown resource" },
	{ .name = "dev.refctx.alloc_exhausted", IDS(R_REFCTX_ALLOC_OOM), .needs = REF | VC_NEED_BLOB,
	  .run = alloc_exhausted, .timeout_s = 120,
	  .summary = "ALLOC beyond host memory answers ERR_OUT_OF_MEMORY; FREE makes room" },
	{ .name = "dev.life.unref_detaches_ctx", IDS(R_LIFE_UNREF_DETACHES, R_REFCTX_UNATTACHED, R_LIFE_REUSE),
	  .needs = REF | VC_NEED_BLOB, .run = unref_detaches,
	  .summary = "UNREF detaches the resource from its contexts" },
	{ .name = "dev.life.unmap_unref_batched", IDS(R_LIFE_UNMAP_UNREF),
	  .needs = REF | VC_NEED_BLOB | VC_NEED_REGION, .run = unmap_unref_batched,
	  .summary = "UNMAP_BLOB and UNREF made available together both succeed" },
	{ .name = "dev.fence.batch_order", IDS(R_FENCE_TIMELINE, R_FENCE_IN_ORDER), .run = batch_order,
	  .summary = "requests in flight are returned in order; a fenced one after the earlier ones" },
	{ .name = "dev.life.ctx_destroy_keeps_blobs", IDS(R_LIFE_CTX_DESTROY_KEEPS),
	  .needs = REF | VC_NEED_BLOB, .run = ctx_destroy_keeps,
	  .summary = "CTX_DESTROY keeps the blobs made from its objects" },
	{ .name = "dev.life.ctx_destroy_mapped", IDS(R_LIFE_CTX_DESTROY_MAPPED, R_LIFE_CTX_DESTROY_UNMAP, R_UNMAP_OK),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX, .run = ctx_destroy_mapped,
	  .summary = "a mapping outlives CTX_DESTROY and is unmapped and unreferenced afterwards" },
	{ .name = "dev.fence.ring_idx", IDS(R_FENCE_RING, R_FENCE_ECHO), .needs = REF,
	  .run = ring_idx_echo, .summary = "a fenced request on ring 5 is answered on ring 5" },
	{ 0 },
};
