/* SPDX-License-Identifier: MIT */
/*
 * Malformed input: one case per defect, each expecting the response the
 * error table names and a device that still answers GET_DISPLAY_INFO after.
 * A small fixed environment (a backed 2D resource, an unbacked one, a GUEST
 * blob, a context) gives the defects something real to point at.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "../lib/validate.h"
#include "cases.h"
#include "vgb/refctx.h"

#define FMT VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM
#define W 64
#define H 64
#define ENT sizeof(struct virtio_gpu_mem_entry)

enum { RES_BACKED = 100, RES_BARE = 101, RES_BLOB = 102, RES_HOST = 103, CTX = 7,
       UNKNOWN = 0x7777 };

struct env {
	uint64_t backing_gpa;      /* W*H*4 bytes behind RES_BACKED */
	uint64_t spare_gpa;        /* 2 pages nobody uses */
	uint64_t ram_end;          /* first GPA past guest RAM */
	uint32_t num_scanouts;
	bool ctx, host_blob;
	uint64_t host_blob_id, host_blob_size;
	uint64_t blob_size;        /* bytes of RES_BLOB */
	uint64_t gran;             /* map granularity / blob size unit */
};

typedef size_t (*build_fn)(const struct env *e, uint8_t *buf);

struct mal {
	build_fn build;
	uint32_t expect;     /* response type; 0 = no response (used.len 0) */
	uint32_t resp_cap;   /* 0 = full */
	unsigned setup;      /* SETUP_* */
	bool should;         /* the cited requirement is a SHOULD: another answer is a warning */
};

enum { SETUP_CTX = 1, SETUP_HOST_BLOB = 2, SETUP_HOST_RES = 4 };

static uint8_t req[8192];

static size_t put(uint8_t *buf, const void *s, size_t n)
{
	memcpy(buf, s, n);
	return n;
}

static void hdr(struct virtio_gpu_ctrl_hdr *h, uint32_t type)
{
	vc_hdr(h, type);
}

#define LE32 vgb_to_le32
#define LE64 vgb_to_le64

static void entry(uint8_t *at, uint64_t gpa, uint32_t len)
{
	struct virtio_gpu_mem_entry en = { LE64(gpa), LE32(len), 0 };
	memcpy(at, &en, sizeof(en));
}

/* --- Headers and lengths --- */

static size_t b_unknown_type(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_ctrl_hdr h;
	hdr(&h, 0x0999);
	return put(buf, &h, sizeof(h));
}

static size_t b_type_zero(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_ctrl_hdr h;
	hdr(&h, 0);
	return put(buf, &h, sizeof(h));
}

static size_t b_response_as_command(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_ctrl_hdr h;
	hdr(&h, VIRTIO_GPU_RESP_OK_NODATA);
	return put(buf, &h, sizeof(h));
}

static size_t b_short_header(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_ctrl_hdr h;
	hdr(&h, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	put(buf, &h, sizeof(h));
	return 12;
}

static size_t b_create_2d_short(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_resource_create_2d c = { .resource_id = LE32(200), .format = LE32(FMT),
						   .width = LE32(8), .height = LE32(8) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
	put(buf, &c, sizeof(c));
	return sizeof(c) - 1;
}

static size_t b_map_short(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_resource_map_blob c = { .resource_id = LE32(RES_BLOB) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB);
	put(buf, &c, sizeof(c));
	return sizeof(c) - 4;
}

static size_t attach(uint8_t *buf, uint32_t id, uint32_t nr, unsigned present)
{
	struct virtio_gpu_resource_attach_backing c = { .resource_id = LE32(id), .nr_entries = LE32(nr) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
	put(buf, &c, sizeof(c));
	return sizeof(c) + present * ENT;
}

static size_t b_attach_fewer_entries(const struct env *e, uint8_t *buf)
{
	size_t n = attach(buf, RES_BARE, 2, 1);
	entry(buf + sizeof(struct virtio_gpu_resource_attach_backing), e->spare_gpa, 4096);
	return n;
}

static size_t b_attach_more_entries(const struct env *e, uint8_t *buf)
{
	size_t n = attach(buf, RES_BARE, 1, 2);
	entry(buf + 32, e->spare_gpa, 4096);
	entry(buf + 32 + ENT, e->spare_gpa + 4096, 4096);
	return n;
}

static size_t b_attach_count_wraps(const struct env *e, uint8_t *buf)
{
	/* 0x10000001 * 16 wraps to 16 in 32 bits: exactly one entry follows. */
	size_t n = attach(buf, RES_BARE, 0x10000001u, 1);
	entry(buf + 32, e->spare_gpa, 4096);
	return n;
}

static size_t b_attach_count_absurd(const struct env *e, uint8_t *buf)
{
	size_t n = attach(buf, RES_BARE, 0xffffffffu, 1);
	entry(buf + 32, e->spare_gpa, 4096);
	return n;
}

static size_t blob(uint8_t *buf, uint32_t id, uint32_t ctx, uint32_t mem, uint32_t flags,
		   uint64_t blob_id, uint64_t size, uint32_t nr)
{
	struct virtio_gpu_resource_create_blob c = {
		.resource_id = LE32(id), .blob_mem = LE32(mem), .blob_flags = LE32(flags),
		.nr_entries = LE32(nr), .blob_id = LE64(blob_id), .size = LE64(size) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB);
	c.hdr.ctx_id = LE32(ctx);
	return put(buf, &c, sizeof(c));
}

static size_t b_blob_len_mismatch(const struct env *e, uint8_t *buf)
{
	size_t n = blob(buf, 200, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 4096, 2);
	entry(buf + n, e->spare_gpa, 4096);
	return n + ENT;
}

static size_t b_submit_len_mismatch(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_cmd_submit c = { .size = LE32(64) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_SUBMIT_3D);
	c.hdr.ctx_id = LE32(CTX);
	size_t n = put(buf, &c, sizeof(c));
	memset(buf + n, 0, 16);
	return n + 16;
}

static size_t b_submit_size_overflow(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_cmd_submit c = { .size = LE32(0xfffffff0u) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_SUBMIT_3D);
	c.hdr.ctx_id = LE32(CTX);
	size_t n = put(buf, &c, sizeof(c));
	memset(buf + n, 0, 16);
	return n + 16;
}

/* --- Flags --- */

static size_t display_with(uint8_t *buf, uint32_t flags, uint8_t ring_idx)
{
	struct virtio_gpu_ctrl_hdr h;
	hdr(&h, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	h.flags = LE32(flags);
	h.fence_id = LE64(1);
	h.ring_idx = ring_idx;
	return put(buf, &h, sizeof(h));
}

static size_t b_flags_unknown(const struct env *e, uint8_t *buf)
{
	return display_with(buf, 0x80, 0);
}

static size_t b_flags_high(const struct env *e, uint8_t *buf)
{
	return display_with(buf, 0x80000000u | VIRTIO_GPU_FLAG_FENCE, 0);
}

static size_t b_ring_idx_64(const struct env *e, uint8_t *buf)
{
	return display_with(buf, VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX, 64);
}

static size_t b_ring_idx_255(const struct env *e, uint8_t *buf)
{
	return display_with(buf, VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX, 255);
}

/* --- Resources --- */

static size_t create_2d(uint8_t *buf, uint32_t id, uint32_t fmt, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_create_2d c = { .resource_id = LE32(id), .format = LE32(fmt),
						   .width = LE32(w), .height = LE32(h) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
	return put(buf, &c, sizeof(c));
}

static size_t b_create_id0(const struct env *e, uint8_t *buf) { return create_2d(buf, 0, FMT, 8, 8); }
static size_t b_create_in_use(const struct env *e, uint8_t *buf) { return create_2d(buf, RES_BACKED, FMT, 8, 8); }
static size_t b_create_format0(const struct env *e, uint8_t *buf) { return create_2d(buf, 200, 0, 8, 8); }
static size_t b_create_format999(const struct env *e, uint8_t *buf) { return create_2d(buf, 200, 999, 8, 8); }
static size_t b_create_width0(const struct env *e, uint8_t *buf) { return create_2d(buf, 200, FMT, 0, 8); }
static size_t b_create_height0(const struct env *e, uint8_t *buf) { return create_2d(buf, 200, FMT, 8, 0); }

static size_t unref(uint8_t *buf, uint32_t id)
{
	struct virtio_gpu_resource_unref c = { .resource_id = LE32(id) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_UNREF);
	return put(buf, &c, sizeof(c));
}

static size_t b_unref_unknown(const struct env *e, uint8_t *buf) { return unref(buf, UNKNOWN); }
static size_t b_unref_id0(const struct env *e, uint8_t *buf) { return unref(buf, 0); }

static size_t b_unref_padding(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_resource_unref c = { .resource_id = LE32(RES_BARE), .padding = LE32(0xabcd) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_UNREF);
	c.hdr.padding[1] = 0x5a;
	return put(buf, &c, sizeof(c));
}

static size_t b_display_info(const struct env *e, uint8_t *buf)
{
	return display_with(buf, 0, 0);
}

static struct virtio_gpu_rect rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	return (struct virtio_gpu_rect){ LE32(x), LE32(y), LE32(w), LE32(h) };
}

static size_t scanout(uint8_t *buf, uint32_t sid, uint32_t id, struct virtio_gpu_rect r)
{
	struct virtio_gpu_set_scanout c = { .r = r, .scanout_id = LE32(sid), .resource_id = LE32(id) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_SET_SCANOUT);
	return put(buf, &c, sizeof(c));
}

static size_t b_scanout_id16(const struct env *e, uint8_t *buf) { return scanout(buf, 16, RES_BACKED, rect(0, 0, W, H)); }
static size_t b_scanout_id_num(const struct env *e, uint8_t *buf) { return scanout(buf, e->num_scanouts, RES_BACKED, rect(0, 0, W, H)); }
static size_t b_scanout_unknown_res(const struct env *e, uint8_t *buf) { return scanout(buf, 0, UNKNOWN, rect(0, 0, W, H)); }
static size_t b_scanout_rect_outside(const struct env *e, uint8_t *buf) { return scanout(buf, 0, RES_BACKED, rect(0, 0, W + 1, H)); }
static size_t b_scanout_rect_overflow(const struct env *e, uint8_t *buf) { return scanout(buf, 0, RES_BACKED, rect(0xffffffffu, 0, 2, H)); }

static size_t flush(uint8_t *buf, uint32_t id, struct virtio_gpu_rect r)
{
	struct virtio_gpu_resource_flush c = { .r = r, .resource_id = LE32(id) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_FLUSH);
	return put(buf, &c, sizeof(c));
}

static size_t b_flush_unknown(const struct env *e, uint8_t *buf) { return flush(buf, UNKNOWN, rect(0, 0, 8, 8)); }
static size_t b_flush_outside(const struct env *e, uint8_t *buf) { return flush(buf, RES_BACKED, rect(W - 4, 0, 8, 8)); }
static size_t b_flush_overflow(const struct env *e, uint8_t *buf) { return flush(buf, RES_BACKED, rect(0, 0xfffffff8u, 8, 16)); }

static size_t xfer(uint8_t *buf, uint32_t id, struct virtio_gpu_rect r, uint64_t off)
{
	struct virtio_gpu_transfer_to_host_2d c = { .r = r, .offset = LE64(off), .resource_id = LE32(id) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
	return put(buf, &c, sizeof(c));
}

static size_t b_xfer_unknown(const struct env *e, uint8_t *buf) { return xfer(buf, UNKNOWN, rect(0, 0, 8, 8), 0); }
static size_t b_xfer_outside(const struct env *e, uint8_t *buf) { return xfer(buf, RES_BACKED, rect(60, 0, 10, 8), 240); }
static size_t b_xfer_rect_overflow(const struct env *e, uint8_t *buf) { return xfer(buf, RES_BACKED, rect(0, 0xfffffff0u, 8, 0x20), 0); }
static size_t b_xfer_offset_beyond(const struct env *e, uint8_t *buf) { return xfer(buf, RES_BACKED, rect(0, 0, 8, 8), (uint64_t)W * H * 4); }
static size_t b_xfer_offset_overflow(const struct env *e, uint8_t *buf) { return xfer(buf, RES_BACKED, rect(0, 0, 8, 8), UINT64_MAX - 3); }
static size_t b_xfer_no_backing(const struct env *e, uint8_t *buf) { return xfer(buf, RES_BARE, rect(0, 0, 8, 8), 0); }

/* --- Backing entries --- */

static size_t attach_one(uint8_t *buf, uint32_t id, uint64_t gpa, uint32_t len)
{
	size_t n = attach(buf, id, 1, 1);
	entry(buf + 32, gpa, len);
	return n;
}

static size_t b_attach_nr0(const struct env *e, uint8_t *buf) { return attach(buf, RES_BARE, 0, 0); }
static size_t b_attach_len0(const struct env *e, uint8_t *buf) { return attach_one(buf, RES_BARE, e->spare_gpa, 0); }
static size_t b_attach_outside_ram(const struct env *e, uint8_t *buf) { return attach_one(buf, RES_BARE, 1ull << 46, 4096); }
static size_t b_attach_addr_overflow(const struct env *e, uint8_t *buf) { return attach_one(buf, RES_BARE, UINT64_MAX - 100, 4096); }
static size_t b_attach_straddles_end(const struct env *e, uint8_t *buf) { return attach_one(buf, RES_BARE, e->ram_end - 2048, 4096); }
static size_t b_attach_twice(const struct env *e, uint8_t *buf) { return attach_one(buf, RES_BACKED, e->spare_gpa, 4096); }
static size_t b_attach_unknown(const struct env *e, uint8_t *buf) { return attach_one(buf, UNKNOWN, e->spare_gpa, 4096); }

static size_t b_attach_overlap(const struct env *e, uint8_t *buf)
{
	size_t n = attach(buf, RES_BARE, 2, 2);
	entry(buf + 32, e->spare_gpa, 4096);
	entry(buf + 32 + ENT, e->spare_gpa + 2048, 4096);
	return n;
}

/*
 * Three entries over the spare granules: the third overlaps the first, the second lies
 * between them in the list only.  They cover more than a granule, so a blob of one
 * granule fails for the overlap alone.
 */
static size_t three_entries(const struct env *e, uint8_t *at)
{
	uint32_t g = (uint32_t)e->gran;
	entry(at, e->spare_gpa, g);
	entry(at + ENT, e->spare_gpa + g, g);
	entry(at + 2 * ENT, e->spare_gpa + g / 4, g / 8);
	return 3 * ENT;
}

static size_t b_attach_overlap_apart(const struct env *e, uint8_t *buf)
{
	size_t n = attach(buf, RES_BARE, 3, 0);
	return n + three_entries(e, buf + n);
}

static size_t detach(uint8_t *buf, uint32_t id)
{
	struct virtio_gpu_resource_detach_backing c = { .resource_id = LE32(id) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING);
	return put(buf, &c, sizeof(c));
}

static size_t b_detach_bare(const struct env *e, uint8_t *buf) { return detach(buf, RES_BARE); }
static size_t b_detach_unknown(const struct env *e, uint8_t *buf) { return detach(buf, UNKNOWN); }

/* --- Blobs --- */

static size_t guest_blob(const struct env *e, uint8_t *buf, uint32_t id, uint32_t mem,
			 uint32_t flags, uint64_t blob_id, uint64_t size, uint64_t gpa, uint32_t len)
{
	size_t n = blob(buf, id, 0, mem, flags, blob_id, size, 1);
	entry(buf + n, gpa, len);
	return n + ENT;
}

static size_t b_blob_id0(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, e->gran, e->spare_gpa, (uint32_t)e->gran); }
static size_t b_blob_in_use(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, RES_BACKED, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, e->gran, e->spare_gpa, (uint32_t)e->gran); }
static size_t b_blob_mem0(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 200, 0, 0, 0, e->gran, e->spare_gpa, (uint32_t)e->gran); }
static size_t b_blob_mem4(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 200, 4, 0, 0, e->gran, e->spare_gpa, (uint32_t)e->gran); }
static size_t b_blob_flags(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST, 0x80, 0, e->gran, e->spare_gpa, (uint32_t)e->gran); }
static size_t b_blob_size0(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 0, e->spare_gpa, 4096); }
static size_t b_blob_guest_blob_id(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 5, e->gran, e->spare_gpa, (uint32_t)e->gran); }
static size_t b_blob_entries_short(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 2 * e->gran, e->spare_gpa, 4096); }
static size_t b_blob_entry_outside(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, e->gran, 1ull << 46, (uint32_t)e->gran); }
static size_t b_blob_size_huge(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, UINT64_MAX & ~4095ull, e->spare_gpa, 4096); }

static size_t b_blob_unaligned(const struct env *e, uint8_t *buf)
{
	/* 4096 + 4096 bytes covered, size not a multiple of a blob_alignment > 4096... or of 4096. */
	size_t n = blob(buf, 200, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, 4096 + 512, 1);
	entry(buf + n, e->spare_gpa, 8192);
	return n + ENT;
}

static size_t b_blob_overlap_apart(const struct env *e, uint8_t *buf)
{
	size_t n = blob(buf, 200, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, e->gran, 3);
	return n + three_entries(e, buf + n);
}

static size_t b_host3d_unknown_ctx(const struct env *e, uint8_t *buf) { return blob(buf, 200, UNKNOWN, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, e->host_blob_id, e->host_blob_size, 0); }
static size_t b_host3d_unknown_blob_id(const struct env *e, uint8_t *buf) { return blob(buf, 200, CTX, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0xabcdef, e->host_blob_size, 0); }
static size_t b_host3d_size_mismatch(const struct env *e, uint8_t *buf) { return blob(buf, 200, CTX, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, e->host_blob_id, e->host_blob_size * 2, 0); }

/* Half of the object (REQ-DEV-BLOB-0011): a blob smaller than the memory it takes over. */
static size_t b_host3d_smaller(const struct env *e, uint8_t *buf) { return blob(buf, 200, CTX, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, e->host_blob_id, e->host_blob_size / 2, 0); }

static size_t b_host3d_with_entries(const struct env *e, uint8_t *buf)
{
	size_t n = blob(buf, 200, CTX, VIRTIO_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE,
			e->host_blob_id, e->host_blob_size, 1);
	entry(buf + n, e->spare_gpa, 4096);
	return n + ENT;
}

static size_t scanout_blob(uint8_t *buf, uint32_t fmt, uint32_t w, uint32_t h, uint32_t stride,
			   uint32_t off)
{
	struct virtio_gpu_set_scanout_blob c = {
		.r = rect(0, 0, w, h), .scanout_id = 0, .resource_id = LE32(RES_BLOB),
		.width = LE32(w), .height = LE32(h), .format = LE32(fmt) };
	c.strides[0] = LE32(stride);
	c.offsets[0] = LE32(off);
	hdr(&c.hdr, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB);
	return put(buf, &c, sizeof(c));
}

static size_t b_sblob_stride_small(const struct env *e, uint8_t *buf) { return scanout_blob(buf, FMT, 16, 16, 60, 0); }
/* One row more than RES_BLOB holds at a 128-byte stride. */
static size_t b_sblob_past_size(const struct env *e, uint8_t *buf) { return scanout_blob(buf, FMT, 32, (uint32_t)(e->blob_size / 128) + 1, 128, 0); }

/* A 16x16 image that fits the blob, pushed 512 bytes past its end by offsets[0] alone. */
static size_t b_sblob_offset_past_end(const struct env *e, uint8_t *buf) { return scanout_blob(buf, FMT, 16, 16, 64, (uint32_t)e->blob_size - 512); }
/* One pixel at offsets[0] == the blob size. */
static size_t b_sblob_offset_at_end(const struct env *e, uint8_t *buf) { return scanout_blob(buf, FMT, 1, 1, 4, (uint32_t)e->blob_size); }

/* r = the lower half of a 16x32 frame whose rows are blob_size/16 apart: only r.y puts it past the end. */
static size_t b_sblob_rect_y_past_end(const struct env *e, uint8_t *buf)
{
	size_t n = scanout_blob(buf, FMT, 16, 32, (uint32_t)(e->blob_size / 16), 0);
	struct virtio_gpu_set_scanout_blob c;
	memcpy(&c, buf, sizeof(c));
	c.r = rect(0, 16, 16, 16);
	memcpy(buf, &c, sizeof(c));
	return n;
}

static size_t b_sblob_unknown_res(const struct env *e, uint8_t *buf)
{
	size_t n = scanout_blob(buf, FMT, 16, 16, 64, 0);
	struct virtio_gpu_set_scanout_blob c;
	memcpy(&c, buf, sizeof(c));
	c.resource_id = LE32(UNKNOWN);
	memcpy(buf, &c, sizeof(c));
	return n;
}

static size_t b_sblob_planes(const struct env *e, uint8_t *buf)
{
	size_t n = scanout_blob(buf, FMT, 16, 16, 64, 0);
	struct virtio_gpu_set_scanout_blob c;
	memcpy(&c, buf, sizeof(c));
	c.strides[1] = LE32(64);
	c.offsets[1] = LE32(4096);
	memcpy(buf, &c, sizeof(c));
	return n;
}
static size_t b_sblob_format(const struct env *e, uint8_t *buf) { return scanout_blob(buf, 999, 16, 16, 64, 0); }
static size_t b_sblob_offset_overflow(const struct env *e, uint8_t *buf) { return scanout_blob(buf, FMT, 16, 16, 0x80000000u, 0xfffff000u); }

/* --- Contexts and capsets --- */

static size_t ctx_create(uint8_t *buf, uint32_t id, uint32_t init)
{
	struct virtio_gpu_ctx_create c = { .nlen = LE32(3), .context_init = LE32(init) };
	memcpy(c.debug_name, "bad", 3);
	hdr(&c.hdr, VIRTIO_GPU_CMD_CTX_CREATE);
	c.hdr.ctx_id = LE32(id);
	return put(buf, &c, sizeof(c));
}

static size_t b_ctx_id0(const struct env *e, uint8_t *buf) { return ctx_create(buf, 0, VGB_CAPSET_REFCTX); }
static size_t b_ctx_in_use(const struct env *e, uint8_t *buf) { return ctx_create(buf, CTX, VGB_CAPSET_REFCTX); }
static size_t b_ctx_bad_capset(const struct env *e, uint8_t *buf) { return ctx_create(buf, 300, 62); }

static size_t b_ctx_destroy_unknown(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_ctx_destroy c;
	hdr(&c.hdr, VIRTIO_GPU_CMD_CTX_DESTROY);
	c.hdr.ctx_id = LE32(UNKNOWN);
	return put(buf, &c, sizeof(c));
}

/* SUBMIT_3D to ctx of a stream that is one 8-byte command header (op, length). */
static size_t submit_hdr(uint8_t *buf, uint32_t ctx, uint32_t op, uint32_t length)
{
	struct virtio_gpu_cmd_submit c = { .size = LE32(8) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_SUBMIT_3D);
	c.hdr.ctx_id = LE32(ctx);
	size_t n = put(buf, &c, sizeof(c));
	struct vgb_refctx_hdr rh = { LE32(op), LE32(length) };
	return n + put(buf + n, &rh, sizeof(rh));
}

static size_t b_submit_unknown_ctx(const struct env *e, uint8_t *buf) { return submit_hdr(buf, UNKNOWN, VGB_REFCTX_FREE, 8); }

static size_t ctx_res(uint8_t *buf, uint32_t ctx, uint32_t id)
{
	struct virtio_gpu_ctx_resource c = { .resource_id = LE32(id) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE);
	c.hdr.ctx_id = LE32(ctx);
	return put(buf, &c, sizeof(c));
}

static size_t b_ctx_attach_unknown_ctx(const struct env *e, uint8_t *buf) { return ctx_res(buf, UNKNOWN, RES_BACKED); }
static size_t b_ctx_attach_unknown_res(const struct env *e, uint8_t *buf) { return ctx_res(buf, CTX, UNKNOWN); }

static size_t get_capset(uint8_t *buf, uint32_t id, uint32_t version)
{
	struct virtio_gpu_get_capset c = { .capset_id = LE32(id), .capset_version = LE32(version) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_GET_CAPSET);
	return put(buf, &c, sizeof(c));
}

static size_t b_capset_unknown(const struct env *e, uint8_t *buf) { return get_capset(buf, 99, 1); }
static size_t b_capset_version(const struct env *e, uint8_t *buf) { return get_capset(buf, VGB_CAPSET_REFCTX, 99); }

static size_t b_capset_info_first(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_get_capset_info c = { .capset_index = 0 };
	hdr(&c.hdr, VIRTIO_GPU_CMD_GET_CAPSET_INFO);
	return put(buf, &c, sizeof(c));
}

static size_t b_capset_info_index(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_get_capset_info c = { .capset_index = LE32(0xffffffffu) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_GET_CAPSET_INFO);
	return put(buf, &c, sizeof(c));
}

static size_t b_refctx_bad_op(const struct env *e, uint8_t *buf) { return submit_hdr(buf, CTX, 99, 8); }
/* FILL claims 32 bytes, 8 present. */
static size_t b_refctx_length_past_end(const struct env *e, uint8_t *buf) { return submit_hdr(buf, CTX, VGB_REFCTX_FILL, 32); }

/* --- Unnegotiated features (the case masks them) --- */

static size_t b_blob_unnegotiated(const struct env *e, uint8_t *buf) { return guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, e->gran, e->spare_gpa, (uint32_t)e->gran); }
static size_t b_ctx_unnegotiated(const struct env *e, uint8_t *buf) { return ctx_create(buf, 300, 0); }
static size_t b_map_unnegotiated(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_resource_map_blob c = { .resource_id = LE32(RES_BACKED) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB);
	return put(buf, &c, sizeof(c));
}

static size_t get_edid(uint8_t *buf, uint32_t scanout)
{
	struct virtio_gpu_cmd_get_edid c = { .scanout = LE32(scanout) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_GET_EDID);
	return put(buf, &c, sizeof(c));
}

static size_t b_edid_unnegotiated(const struct env *e, uint8_t *buf) { return get_edid(buf, 0); }
static size_t b_edid_bad_scanout(const struct env *e, uint8_t *buf) { return get_edid(buf, 16); }

/* --- Valid edge cases the device must accept --- */

static size_t b_create_2d_trailing(const struct env *e, uint8_t *buf)
{
	size_t n = create_2d(buf, 200, FMT, 8, 8);
	memset(buf + n, 0xee, 8);
	return n + 8;
}

static size_t b_blob_guest_any_ctx(const struct env *e, uint8_t *buf)
{
	size_t n = guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, e->gran, e->spare_gpa, (uint32_t)e->gran);
	struct virtio_gpu_ctrl_hdr h;
	memcpy(&h, buf, sizeof(h));
	h.ctx_id = LE32(UNKNOWN);
	memcpy(buf, &h, sizeof(h));
	return n;
}

static size_t b_blob_shareable(const struct env *e, uint8_t *buf)
{
	return guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST, VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE, 0,
			  e->gran, e->spare_gpa, (uint32_t)e->gran);
}

static size_t b_blob_share_flags(const struct env *e, uint8_t *buf)
{
	return guest_blob(e, buf, 200, VIRTIO_GPU_BLOB_MEM_GUEST,
			  VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE | VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE, 0,
			  e->gran, e->spare_gpa, (uint32_t)e->gran);
}

static size_t b_host3d_no_virgl(const struct env *e, uint8_t *buf)
{
	return blob(buf, 200, 1, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, 1, 4096, 0);
}

/* A default blob with its shadow pages: it has guest storage, and still needs VIRGL. */
static size_t b_default_no_virgl(const struct env *e, uint8_t *buf)
{
	size_t n = blob(buf, 200, 1, VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST, 0, 1, e->gran, 1);
	entry(buf + n, e->spare_gpa, (uint32_t)e->gran);
	return n + ENT;
}

/* --- Transfers on blobs --- */

static size_t b_xfer_blob_offset(const struct env *e, uint8_t *buf) { return xfer(buf, RES_BLOB, rect(0, 0, 4, 1), e->blob_size); }
static size_t b_xfer_blob_rect_overflow(const struct env *e, uint8_t *buf) { return xfer(buf, RES_BLOB, rect(0xffffffffu, 0, 2, 1), 0); }
static size_t b_xfer_host_2d(const struct env *e, uint8_t *buf) { return xfer(buf, RES_HOST, rect(0, 0, 4, 1), 0); }
/* Entries covering the whole host blob: only "host blob" is wrong. */
static size_t b_attach_host(const struct env *e, uint8_t *buf) { return attach_one(buf, RES_HOST, e->spare_gpa, (uint32_t)e->host_blob_size); }

static size_t xfer3d(uint8_t *buf, uint32_t ctx, uint32_t id, uint64_t off, uint32_t w, uint32_t h)
{
	struct virtio_gpu_transfer_host_3d c;
	memset(&c, 0, sizeof(c));
	hdr(&c.hdr, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D);
	c.hdr.ctx_id = LE32(ctx);
	c.box.w = LE32(w);
	c.box.h = LE32(h);
	c.box.d = LE32(1);
	c.offset = LE64(off);
	c.resource_id = LE32(id);
	return put(buf, &c, sizeof(c));
}

/* Two rows of the linear view, the second one crossing the blob end. */
static size_t b_xfer3d_rows_past_end(const struct env *e, uint8_t *buf)
{
	return xfer3d(buf, CTX, RES_HOST, e->host_blob_size - 24, 16, 2);
}
/* The same with a stride of 32: the rows are apart, so only where the last row ends tells. */
static size_t b_xfer3d_strided_past_end(const struct env *e, uint8_t *buf)
{
	size_t n = xfer3d(buf, CTX, RES_HOST, e->host_blob_size - 40, 16, 2);
	uint32_t stride = LE32(32);
	memcpy(buf + offsetof(struct virtio_gpu_transfer_host_3d, stride), &stride, sizeof(stride));
	return n;
}
static size_t b_xfer3d_range(const struct env *e, uint8_t *buf) { return xfer3d(buf, CTX, RES_HOST, e->host_blob_size - 4, 8, 1); }
static size_t b_xfer3d_overflow(const struct env *e, uint8_t *buf) { return xfer3d(buf, CTX, RES_HOST, UINT64_MAX - 3, 8, 1); }
static size_t b_xfer3d_unknown_ctx(const struct env *e, uint8_t *buf) { return xfer3d(buf, UNKNOWN, RES_HOST, 0, 64, 1); }

/* --- Contexts, 3D resources and 3D transfers on 2D resources --- */

static size_t b_ctx_init_unnegotiated(const struct env *e, uint8_t *buf) { return ctx_create(buf, 300, VGB_CAPSET_REFCTX); }

static size_t b_ctx_detach_unattached(const struct env *e, uint8_t *buf)
{
	size_t n = ctx_res(buf, CTX, RES_BACKED);
	struct virtio_gpu_ctx_resource c;
	memcpy(&c, buf, sizeof(c));
	c.hdr.type = LE32(VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE);
	return put(buf, &c, n);
}

static size_t b_unmap_no_region(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_resource_unmap_blob c = { .resource_id = LE32(RES_BLOB) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB);
	return put(buf, &c, sizeof(c));
}

/* A 3D transfer of RES_BACKED (a 2D resource) with box 4x4 at (0,0), depth d, level lvl. */
static size_t xfer3d_2d(uint8_t *buf, uint32_t d, uint32_t lvl)
{
	size_t n = xfer3d(buf, CTX, RES_BACKED, 0, 4, 4);
	struct virtio_gpu_transfer_host_3d c;
	memcpy(&c, buf, sizeof(c));
	c.box.d = LE32(d);
	c.level = LE32(lvl);
	return put(buf, &c, n);
}

static size_t b_xfer3d_2d_depth(const struct env *e, uint8_t *buf) { return xfer3d_2d(buf, 2, 0); }
static size_t b_xfer3d_2d_level(const struct env *e, uint8_t *buf) { return xfer3d_2d(buf, 1, 1); }

/* RESOURCE_CREATE_3D of a 3D texture (PIPE_TEXTURE_3D, depth 4): beyond the minimum. */
static size_t b_create_3d_volume(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_resource_create_3d c = {
		.resource_id = LE32(200), .target = LE32(3), .format = LE32(FMT), .width = LE32(8),
		.height = LE32(8), .depth = LE32(4), .array_size = LE32(1) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D);
	return put(buf, &c, sizeof(c));
}

/* RESOURCE_CREATE_3D of a 2D texture (PIPE_TEXTURE_2D) with depth 4: a volume in 2D clothing. */
static size_t b_create_3d_2d_depth(const struct env *e, uint8_t *buf)
{
	struct virtio_gpu_resource_create_3d c = {
		.resource_id = LE32(200), .target = LE32(2), .format = LE32(FMT), .width = LE32(8),
		.height = LE32(8), .depth = LE32(4), .array_size = LE32(1) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D);
	return put(buf, &c, sizeof(c));
}

/* A FILL of RES_HOST (attached to CTX): [off, +size). */
static size_t refctx_fill(const struct env *e, uint8_t *buf, uint64_t off, uint64_t size)
{
	struct virtio_gpu_cmd_submit c = { .size = LE32(sizeof(struct vgb_refctx_fill)) };
	hdr(&c.hdr, VIRTIO_GPU_CMD_SUBMIT_3D);
	c.hdr.ctx_id = LE32(CTX);
	size_t n = put(buf, &c, sizeof(c));
	struct vgb_refctx_fill f = { { LE32(VGB_REFCTX_FILL), LE32(sizeof(f)) }, LE32(RES_HOST), LE32(1),
				     LE64(off), LE64(size) };
	return n + put(buf + n, &f, sizeof(f));
}

static size_t b_refctx_past_end(const struct env *e, uint8_t *buf) { return refctx_fill(e, buf, e->host_blob_size - 4, 8); }
static size_t b_refctx_unaligned(const struct env *e, uint8_t *buf) { return refctx_fill(e, buf, 2, 8); }

/* --- The runner of one malformed case --- */

static bool setup_host_object(struct vc *t, const struct mal *m, struct env *e);

static bool setup(struct vc *t, const struct mal *m, struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->num_scanouts = t->probe->num_scanouts;
	e->gran = vc_map_granularity(t);
	const struct vgb_guest_mem *mem = vgb_fe_mem(t->fe);
	for (unsigned i = 0; i < mem->nregions; i++)
		if (mem->regions[i].gpa + mem->regions[i].size > e->ram_end)
			e->ram_end = mem->regions[i].gpa + mem->regions[i].size;
	e->backing_gpa = vc_alloc(t, W * H * 4);
	e->spare_gpa = vc_alloc(t, 2 * e->gran > 8192 ? 2 * e->gran : 8192);
	if (!e->backing_gpa || !e->spare_gpa)
		return false;
	struct vgb_sg be = { e->backing_gpa, W * H * 4 };
	if (!vc_expect(t, vc_create_2d(t, RES_BACKED, FMT, W, H), VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS,
		       "set-up RESOURCE_CREATE_2D") ||
	    !vc_expect(t, vc_attach_backing(t, RES_BACKED, &be, 1), VIRTIO_GPU_RESP_OK_NODATA,
		       R_CMD_SUCCESS, "set-up ATTACH_BACKING") ||
	    !vc_expect(t, vc_create_2d(t, RES_BARE, FMT, W, H), VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS,
		       "set-up RESOURCE_CREATE_2D"))
		return false;
	bool blob = (vgb_fe_features(t->fe) >> VIRTIO_GPU_F_RESOURCE_BLOB) & 1;
	if (blob) {
		uint64_t gpa = vc_alloc(t, 8192);
		struct vgb_sg ge = { gpa, 8192 };
		uint64_t size = 8192;
		uint64_t g = vc_map_granularity(t);
		if (size % g)
			size = g; /* a larger blob_alignment: one granule, backed by more pages */
		if (size > 8192) {
			gpa = vc_alloc(t, size);
			ge = (struct vgb_sg){ gpa, (uint32_t)size };
		}
		e->blob_size = size;
		if (!gpa || !vc_expect(t, vc_create_blob(t, RES_BLOB, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0,
							   size, &ge, 1),
				       VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "set-up CREATE_BLOB(GUEST)"))
			return false;
	}
	if (m->setup & (SETUP_CTX | SETUP_HOST_BLOB | SETUP_HOST_RES)) {
		if (!vc_expect(t, vc_ctx_create(t, CTX, VGB_CAPSET_REFCTX), VIRTIO_GPU_RESP_OK_NODATA,
			       R_CTX_CREATE, "set-up CTX_CREATE"))
			return false;
		e->ctx = true;
	}
	if (!setup_host_object(t, m, e))
		return false;
	if (m->setup & SETUP_HOST_RES) {
		if (!vc_expect(t, vc_create_blob(t, RES_HOST, CTX, VIRTIO_GPU_BLOB_MEM_HOST3D, 0,
						 e->host_blob_id, e->host_blob_size, NULL, 0),
			       VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "set-up CREATE_BLOB(HOST3D)") ||
		    !vc_expect(t, vc_ctx_attach(t, CTX, RES_HOST), VIRTIO_GPU_RESP_OK_NODATA,
			       R_CMD_SUCCESS, "set-up CTX_ATTACH_RESOURCE"))
			return false;
	}
	return true;
}

static bool setup_host_object(struct vc *t, const struct mal *m, struct env *e)
{
	if (m->setup & (SETUP_HOST_BLOB | SETUP_HOST_RES)) {
		e->host_blob_id = 0x55;
		e->host_blob_size = 2 * vc_map_granularity(t);
		struct vgb_refctx_alloc a = { { LE32(VGB_REFCTX_ALLOC), LE32(sizeof(a)) },
					      LE64(e->host_blob_id), LE64(e->host_blob_size) };
		if (!vc_expect(t, vc_submit_3d(t, CTX, &a, sizeof(a)), VIRTIO_GPU_RESP_OK_NODATA,
			       R_CMD_SUCCESS, "set-up reference context ALLOC"))
			return false;
		e->host_blob = true;
	}
	return true;
}

/* Set up the case's state, then build its request and send it; false when either failed. */
static bool send_malformed(struct vc *t, const struct mal *m, struct vc_resp *r, uint32_t *got)
{
	struct env e;
	if (!setup(t, m, &e))
		return false;
	memset(req, 0, sizeof(req));
	size_t len = m->build(&e, req);
	*got = vc_cmd_cap(t, req, len, m->resp_cap ? m->resp_cap : VC_RESP_MAX, r);
	return !vc_failed(t);
}

static enum vc_verdict run_malformed(struct vc *t)
{
	const struct mal *m = t->c->data;
	struct vc_resp r;
	uint32_t got = 0;
	VC_TRY(send_malformed(t, m, &r, &got));
	const char *id = t->c->ids[0];
	if (m->expect == 0) {
		vc_check(t, r.len == 0, id,
			 "response buffer too small: expected used.len 0, device wrote %u bytes", r.len);
	} else {
		char what[160];
		snprintf(what, sizeof(what), "%s", t->c->summary);
		if (m->should && got != m->expect) {
			vc_warn(t, id, "%s: answered %s, %s expected", what, vc_resp_name(got),
				vc_resp_name(m->expect));
		} else if (vc_expect(t, got, m->expect, id, what)) {
			/* Errors and OK_NODATA are a bare header: used.len 24, padding zero. */
			bool error = m->expect >= VIRTIO_GPU_RESP_ERR_UNSPEC;
			if (m->expect == VIRTIO_GPU_RESP_OK_NODATA || error)
				vc_check(t, r.len == sizeof(struct virtio_gpu_ctrl_hdr),
					 error ? R_ERR_HEADER : R_CMD_USED_LEN,
					 "%s answered with used.len %u, not 24", vc_resp_name(got), r.len);
			vc_check(t, !r.u.hdr.padding[0] && !r.u.hdr.padding[1] && !r.u.hdr.padding[2],
				 R_CMD_RESP_PADDING, "response header padding %02x %02x %02x",
				 r.u.hdr.padding[0], r.u.hdr.padding[1], r.u.hdr.padding[2]);
		}
	}
	/* A transport failure was recorded as the device no longer serving. */
	vc_still_serves(t, t->c->name);
	return vc_done(t);
}

/* The same defect sent to a validating device: it must name the driver requirement. */
static enum vc_verdict run_drv_malformed(struct vc *t)
{
	struct vc_resp r;
	uint32_t got;
	VC_TRY(send_malformed(t, t->c->data, &r, &got));
	return vc_expect_violation(t, t->c->ids[0], t->c->summary);
}

/*
 * No room for the answer: the driver sees a failure (used.len 0), so the command must not have
 * happened, and the same resource id creates a resource afterwards.
 */
static enum vc_verdict run_too_small_no_effect(struct vc *t)
{
	struct vc_resp r;
	enum { RES_UNANSWERED = 104 };
	memset(req, 0, sizeof(req));
	size_t len = create_2d(req, RES_UNANSWERED, FMT, 8, 8);
	(void)vc_cmd_cap(t, req, len, 16, &r); /* its used.len is dev.err.len.response_too_small's */
	VC_TRY(!vc_failed(t));
	VC_TRY(vc_expect(t, vc_create_2d(t, RES_UNANSWERED, FMT, 8, 8), VIRTIO_GPU_RESP_OK_NODATA,
			 R_CMD_SHORT_RESP_NO_EFFECT,
			 "RESOURCE_CREATE_2D of the id whose first creation had no room for its answer"));
	return vc_done(t);
}

/* Two failures in one request: the SHOULD is to answer with the first row of the error table. */
static enum vc_verdict run_precedence(struct vc *t)
{
	struct vc_resp r;
	memset(req, 0, sizeof(req));
	size_t len = create_2d(req, 0, 0, 8, 8); /* id 0 (RES-0001) and format 0 (RES-0004) */
	uint32_t got = vc_cmd(t, req, len, &r);
	VC_TRY(vc_check(t, got >= VIRTIO_GPU_RESP_ERR_UNSPEC, R_RES_ID0,
			"RESOURCE_CREATE_2D with id 0 and format 0 answered %s", vc_resp_name(got)));
	if (got != VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID)
		vc_warn(t, R_ERR_ORDER, "id 0 and format 0: answered %s, the table lists "
			"ERR_INVALID_RESOURCE_ID first", vc_resp_name(got));
	len = create_2d(req, 0, FMT, 8, 8);
	struct virtio_gpu_ctrl_hdr h;
	memcpy(&h, req, sizeof(h));
	h.flags = LE32(0x80); /* and an unknown flag (CMD-0091) */
	memcpy(req, &h, sizeof(h));
	got = vc_cmd(t, req, len, &r);
	VC_TRY(vc_check(t, got >= VIRTIO_GPU_RESP_ERR_UNSPEC, R_RES_ID0,
			"RESOURCE_CREATE_2D with id 0 and an unknown flag answered %s", vc_resp_name(got)));
	if (got != VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER)
		vc_warn(t, R_ERR_ORDER, "unknown flag and id 0: answered %s, the table lists the flag "
			"(ERR_INVALID_PARAMETER) first", vc_resp_name(got));
	vc_still_serves(t, "requests with two failures");
	return vc_done(t);
}

/* An unknown resource together with an unknown context or scanout id: ERR_INVALID_RESOURCE_ID, listed first. */
static size_t b_xfer3d_unknown_both(const struct env *e, uint8_t *buf) { return xfer3d(buf, UNKNOWN, UNKNOWN, 0, 64, 1); }
static size_t b_ctx_attach_unknown_both(const struct env *e, uint8_t *buf) { return ctx_res(buf, UNKNOWN, UNKNOWN); }
static size_t b_scanout_unknown_both(const struct env *e, uint8_t *buf) { return scanout(buf, 16, UNKNOWN, rect(0, 0, W, H)); }

static size_t b_sblob_unknown_both(const struct env *e, uint8_t *buf)
{
	size_t n = b_sblob_unknown_res(e, buf);
	struct virtio_gpu_set_scanout_blob c;
	memcpy(&c, buf, sizeof(c));
	c.scanout_id = LE32(16);
	memcpy(buf, &c, sizeof(c));
	return n;
}

static const struct {
	build_fn build;
	uint64_t feature; /* the command's feature bit, or 0 */
	const char *what;
} two_ids[] = {
	{ b_xfer3d_unknown_both, 1ull << VIRTIO_GPU_F_VIRGL, "TRANSFER_TO_HOST_3D of an unknown resource in an unknown context" },
	{ b_ctx_attach_unknown_both, 1ull << VIRTIO_GPU_F_VIRGL, "CTX_ATTACH_RESOURCE of an unknown resource to an unknown context" },
	{ b_sblob_unknown_both, 1ull << VIRTIO_GPU_F_RESOURCE_BLOB, "SET_SCANOUT_BLOB of an unknown resource on scanout 16" },
	{ b_scanout_unknown_both, 0, "SET_SCANOUT of an unknown resource on scanout 16" },
};

/* Each request is refused; the SHOULD is the code of the first failure the table lists. */
static enum vc_verdict run_precedence_ids(struct vc *t)
{
	struct env e;
	memset(&e, 0, sizeof(e));
	unsigned sent = 0;
	for (size_t i = 0; i < sizeof(two_ids) / sizeof(two_ids[0]); i++) {
		if (two_ids[i].feature && !(vgb_fe_features(t->fe) & two_ids[i].feature))
			continue;
		struct vc_resp r;
		memset(req, 0, sizeof(req));
		size_t len = two_ids[i].build(&e, req);
		uint32_t got = vc_cmd(t, req, len, &r);
		sent++;
		VC_TRY(vc_check(t, got >= VIRTIO_GPU_RESP_ERR_UNSPEC, R_RES_UNKNOWN, "%s answered %s",
				two_ids[i].what, vc_resp_name(got)));
		if (got != VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID)
			vc_warn(t, R_ERR_ORDER, "%s answered %s; the table lists the unknown resource "
				"(ERR_INVALID_RESOURCE_ID) first", two_ids[i].what, vc_resp_name(got));
	}
	vc_note(t, "%u requests with two unknown ids", sent);
	vc_still_serves(t, "requests with two unknown ids");
	return vc_done(t);
}

#define UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC
#define PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define RESID VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define CTXID VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID
#define SCANID VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID

#define MAL(nm, req_id, exp, nd, fn, sum, ...)                                              \
	{ .name = "dev.err." nm, IDS(req_id, R_ERR_SERVES, R_ERR_HEADER, R_CMD_RESP_PADDING),      \
	  .needs = (nd), .run = run_malformed,                                                   \
	  .summary = sum, .data = &(const struct mal){ .build = fn, .expect = exp, __VA_ARGS__ } }
/* A command whose feature the frontend masked: refusing it is a SHOULD (REQ-DEV-CMD-0090). */
#define MASKED(nm, req_id, exp, bit, nd, fn, sum)                                          \
	{ .name = "dev.err." nm, IDS(req_id, R_ERR_SERVES, R_ERR_HEADER), .run = run_malformed,  \
	  .summary = sum, .needs = (nd), .mask_features = 1ull << (bit),                         \
	  .data = &(const struct mal){ .build = fn, .expect = exp, .should = true } }
/* A valid edge case: the device must accept it. */
#define ACCEPT(nm, req_id, nd, fn, sum)                                                    \
	{ .name = "dev.accept." nm, IDS(req_id, R_CMD_USED_LEN, R_CMD_RESP_PADDING), .needs = (nd), \
	  .run = run_malformed, .summary = sum,                                                  \
	  .data = &(const struct mal){ .build = fn, .expect = VIRTIO_GPU_RESP_OK_NODATA } }

#define DRV(nm, req_id, nd, fn, sum, ...)                                                  \
	{ .name = "drv.validate." nm, IDS(req_id), .needs = (nd) | VC_NEED_VALIDATE,             \
	  .run = run_drv_malformed, .summary = sum,                                              \
	  .data = &(const struct mal){ .build = fn, __VA_ARGS__ } }

#define BLOB VC_NEED_BLOB
#define REF VC_NEED_REFCTX

const struct vc_case vc_cases_malformed[] = {
	MAL("cmd.unknown_type", R_CMD_UNKNOWN, UNSPEC, 0, b_unknown_type, "unknown command type 0x999"),
	MAL("cmd.type_zero", R_CMD_UNKNOWN, UNSPEC, 0, b_type_zero, "command type 0"),
	MAL("cmd.response_type", R_CMD_UNKNOWN, UNSPEC, 0, b_response_as_command, "a response type sent as a command"),
	MAL("len.short_header", R_CMD_LENGTH, UNSPEC, 0, b_short_header, "request shorter than the header"),
	MAL("len.create_2d_short", R_CMD_LENGTH, UNSPEC, 0, b_create_2d_short, "RESOURCE_CREATE_2D one byte short"),
	MAL("len.map_short", R_CMD_LENGTH, UNSPEC, BLOB | VC_NEED_REGION, b_map_short, "RESOURCE_MAP_BLOB 4 bytes short"),
	MAL("len.attach_fewer_entries", R_CMD_ENTRIES_LENGTH, UNSPEC, 0, b_attach_fewer_entries, "ATTACH_BACKING nr_entries 2, one entry sent"),
	MAL("len.attach_count_wraps", R_CMD_ENTRIES_LENGTH, UNSPEC, 0, b_attach_count_wraps, "ATTACH_BACKING nr_entries*16 wrapping 32 bits"),
	MAL("len.attach_count_absurd", R_CMD_ENTRIES_LENGTH, UNSPEC, 0, b_attach_count_absurd, "ATTACH_BACKING nr_entries 0xffffffff"),
	MAL("len.blob_entries_mismatch", R_CMD_ENTRIES_LENGTH, UNSPEC, BLOB, b_blob_len_mismatch, "CREATE_BLOB nr_entries 2, one entry sent"),
	MAL("len.submit_size_mismatch", R_CMD_SUBMIT_LENGTH, PARAM, REF, b_submit_len_mismatch, "SUBMIT_3D size 64, 16 bytes sent", .setup = SETUP_CTX),
	MAL("len.submit_size_overflow", R_CMD_SUBMIT_LENGTH, PARAM, REF, b_submit_size_overflow, "SUBMIT_3D size 0xfffffff0", .setup = SETUP_CTX),
	{ .name = "dev.err.len.response_too_small_no_effect", IDS(R_CMD_SHORT_RESP_NO_EFFECT),
	  .run = run_too_small_no_effect,
	  .summary = "a RESOURCE_CREATE_2D without room for its answer creates nothing" },
	MAL("len.response_too_small", R_CMD_NO_HEADER_ROOM, 0, 0, b_flags_unknown, "GET_DISPLAY_INFO with a 16-byte response buffer", .resp_cap = 16),
	MAL("len.response_header_only", R_CMD_SHORT_RESP, UNSPEC, 0, b_display_info, "GET_DISPLAY_INFO with a 24-byte response buffer", .resp_cap = 24),
	MAL("flags.unknown_bit", R_CMD_FLAGS, PARAM, 0, b_flags_unknown, "hdr.flags with unknown bit 0x80", .should = true),
	MAL("flags.high_bit", R_CMD_FLAGS, PARAM, 0, b_flags_high, "hdr.flags with bit 31", .should = true),
	MAL("flags.ring_idx_64", R_CMD_RING_IDX, PARAM, 0, b_ring_idx_64, "INFO_RING_IDX with ring_idx 64"),
	MAL("flags.ring_idx_255", R_CMD_RING_IDX, PARAM, 0, b_ring_idx_255, "INFO_RING_IDX with ring_idx 255"),
	MAL("res.create_id0", R_RES_ID0, RESID, 0, b_create_id0, "RESOURCE_CREATE_2D with id 0"),
	MAL("res.create_in_use", R_RES_IN_USE, RESID, 0, b_create_in_use, "RESOURCE_CREATE_2D with an id in use"),
	MAL("res.format_zero", R_RES_FORMAT, PARAM, 0, b_create_format0, "RESOURCE_CREATE_2D format 0"),
	MAL("res.format_unknown", R_RES_FORMAT, PARAM, 0, b_create_format999, "RESOURCE_CREATE_2D format 999"),
	MAL("res.width_zero", R_RES_SIZE0, PARAM, 0, b_create_width0, "RESOURCE_CREATE_2D width 0"),
	MAL("res.height_zero", R_RES_SIZE0, PARAM, 0, b_create_height0, "RESOURCE_CREATE_2D height 0"),
	MAL("res.unref_unknown", R_RES_UNKNOWN, RESID, 0, b_unref_unknown, "RESOURCE_UNREF of an unknown id"),
	MAL("res.unref_id0", R_RES_UNKNOWN, RESID, 0, b_unref_id0, "RESOURCE_UNREF of id 0"),
	MAL("scanout.id_16", R_SCANOUT_ID, SCANID, 0, b_scanout_id16, "SET_SCANOUT scanout_id 16"),
	MAL("scanout.id_num_scanouts", R_SCANOUT_ID, SCANID, 0, b_scanout_id_num, "SET_SCANOUT scanout_id == num_scanouts"),
	MAL("scanout.unknown_resource", R_RES_UNKNOWN, RESID, 0, b_scanout_unknown_res, "SET_SCANOUT of an unknown resource"),
	MAL("scanout.rect_outside", R_RES_RECT, PARAM, 0, b_scanout_rect_outside, "SET_SCANOUT rect one pixel wider than the resource"),
	MAL("scanout.rect_overflow", R_RES_RECT, PARAM, 0, b_scanout_rect_overflow, "SET_SCANOUT rect x+width overflowing 32 bits"),
	MAL("flush.unknown_resource", R_RES_UNKNOWN, RESID, 0, b_flush_unknown, "RESOURCE_FLUSH of an unknown resource"),
	MAL("flush.rect_outside", R_RES_RECT, PARAM, 0, b_flush_outside, "RESOURCE_FLUSH rect outside the resource"),
	MAL("flush.rect_overflow", R_RES_RECT, PARAM, 0, b_flush_overflow, "RESOURCE_FLUSH y+height overflowing 32 bits"),
	MAL("xfer.unknown_resource", R_RES_UNKNOWN, RESID, 0, b_xfer_unknown, "TRANSFER_TO_HOST_2D of an unknown resource"),
	MAL("xfer.rect_outside", R_RES_RECT, PARAM, 0, b_xfer_outside, "TRANSFER_TO_HOST_2D rect outside the resource"),
	MAL("xfer.rect_overflow", R_RES_RECT, PARAM, 0, b_xfer_rect_overflow, "TRANSFER_TO_HOST_2D y+height overflowing 32 bits"),
	MAL("xfer.offset_beyond_backing", R_XFER_BACKING_END, PARAM, 0, b_xfer_offset_beyond, "TRANSFER_TO_HOST_2D offset at the backing end"),
	MAL("xfer.offset_overflow", R_XFER_BACKING_END, PARAM, 0, b_xfer_offset_overflow, "TRANSFER_TO_HOST_2D offset overflowing 64 bits"),
	MAL("xfer.no_backing", R_XFER_NO_BACKING, UNSPEC, 0, b_xfer_no_backing, "TRANSFER_TO_HOST_2D without backing"),
	MAL("entry.count_zero", R_ENTRY_COUNT, UNSPEC, 0, b_attach_nr0, "ATTACH_BACKING with nr_entries 0"),
	MAL("entry.length_zero", R_ENTRY_LEN0, UNSPEC, 0, b_attach_len0, "ATTACH_BACKING entry of length 0"),
	MAL("entry.outside_ram", R_ENTRY_BOUNDS, UNSPEC, 0, b_attach_outside_ram, "ATTACH_BACKING entry at 64 TiB"),
	MAL("entry.addr_overflow", R_ENTRY_BOUNDS, UNSPEC, 0, b_attach_addr_overflow, "ATTACH_BACKING entry addr+length overflowing"),
	MAL("entry.straddles_ram_end", R_ENTRY_BOUNDS, UNSPEC, 0, b_attach_straddles_end, "ATTACH_BACKING entry crossing the end of guest RAM"),
	MAL("entry.overlap", R_ENTRY_OVERLAP, UNSPEC, 0, b_attach_overlap, "ATTACH_BACKING with overlapping entries", .should = true),
	MAL("entry.overlap_apart", R_ENTRY_OVERLAP, UNSPEC, 0, b_attach_overlap_apart, "ATTACH_BACKING whose first and third entries overlap", .should = true),
	MAL("backing.attach_twice", R_RES_BACKING_TWICE, UNSPEC, 0, b_attach_twice, "ATTACH_BACKING to a resource that has backing"),
	MAL("backing.attach_unknown", R_RES_UNKNOWN, RESID, 0, b_attach_unknown, "ATTACH_BACKING to an unknown resource"),
	MAL("backing.detach_none", R_RES_DETACH_NONE, UNSPEC, 0, b_detach_bare, "DETACH_BACKING of a resource without backing"),
	MAL("backing.detach_unknown", R_RES_UNKNOWN, RESID, 0, b_detach_unknown, "DETACH_BACKING of an unknown resource"),
	MAL("blob.id_zero", R_RES_ID0, RESID, BLOB, b_blob_id0, "CREATE_BLOB with resource id 0"),
	MAL("blob.id_in_use", R_RES_IN_USE, RESID, BLOB, b_blob_in_use, "CREATE_BLOB with an id in use"),
	MAL("blob.mem_zero", R_BLOB_MEM, PARAM, BLOB, b_blob_mem0, "CREATE_BLOB blob_mem 0"),
	MAL("blob.mem_four", R_BLOB_MEM, PARAM, BLOB, b_blob_mem4, "CREATE_BLOB blob_mem 4"),
	MAL("blob.flags_unknown", R_BLOB_FLAGS, PARAM, BLOB, b_blob_flags, "CREATE_BLOB blob_flags 0x80", .should = true),
	MAL("blob.size_zero", R_BLOB_SIZE0, PARAM, BLOB, b_blob_size0, "CREATE_BLOB size 0"),
	MAL("blob.size_huge", R_LIMIT_BLOB_SIZE, PARAM, BLOB, b_blob_size_huge, "CREATE_BLOB size near 2^64"),
	MAL("blob.size_unaligned", R_BLOB_UNALIGNED, PARAM, BLOB | VC_NEED_ALIGNMENT, b_blob_unaligned, "CREATE_BLOB size not a multiple of blob_alignment"),
	MAL("blob.guest_with_blob_id", R_BLOB_GUEST_ID, PARAM, BLOB, b_blob_guest_blob_id, "CREATE_BLOB(GUEST) with blob_id 5", .should = true),
	MAL("blob.guest_entries_short", R_BLOB_GUEST_SHORT, PARAM, BLOB, b_blob_entries_short, "CREATE_BLOB(GUEST) entries covering half the size"),
	MAL("blob.guest_entry_outside", R_ENTRY_BOUNDS, UNSPEC, BLOB, b_blob_entry_outside, "CREATE_BLOB(GUEST) entry outside guest RAM"),
	MAL("blob.guest_entries_overlap_apart", R_ENTRY_OVERLAP, UNSPEC, BLOB, b_blob_overlap_apart, "CREATE_BLOB(GUEST) whose first and third entries overlap", .should = true),
	MAL("blob.host3d_unknown_ctx", R_BLOB_CTX, CTXID, BLOB | REF, b_host3d_unknown_ctx, "CREATE_BLOB(HOST3D) in an unknown context", .setup = SETUP_HOST_BLOB),
	MAL("blob.host3d_unknown_blob_id", R_BLOB_HOST3D_UNKNOWN, PARAM, BLOB | REF, b_host3d_unknown_blob_id, "CREATE_BLOB(HOST3D) of an unknown blob_id", .setup = SETUP_HOST_BLOB),
	MAL("blob.host3d_size_mismatch", R_BLOB_HOST3D_SIZE, PARAM, BLOB | REF, b_host3d_size_mismatch, "CREATE_BLOB(HOST3D) size != object size", .setup = SETUP_HOST_BLOB),
	MAL("blob.host3d_smaller", R_BLOB_HOST3D_SIZE, PARAM, BLOB | REF, b_host3d_smaller, "CREATE_BLOB(HOST3D) of half its object", .setup = SETUP_HOST_BLOB),
	MAL("blob.host3d_with_entries", R_BLOB_HOST3D_ENTRIES, PARAM, BLOB | REF, b_host3d_with_entries, "CREATE_BLOB(HOST3D) with nr_entries 1", .setup = SETUP_HOST_BLOB),
	MAL("scanout_blob.stride_small", R_SBLOB_STRIDE, PARAM, BLOB, b_sblob_stride_small, "SET_SCANOUT_BLOB stride < width*4"),
	MAL("scanout_blob.past_size", R_SBLOB_BOUNDS, PARAM, BLOB, b_sblob_past_size, "SET_SCANOUT_BLOB frame past the blob end"),
	MAL("scanout_blob.format_unknown", R_SBLOB_FORMAT, PARAM, BLOB, b_sblob_format, "SET_SCANOUT_BLOB format 999"),
	MAL("scanout_blob.offset_overflow", R_SBLOB_BOUNDS, PARAM, BLOB, b_sblob_offset_overflow, "SET_SCANOUT_BLOB offset+stride*height overflowing"),
	MAL("scanout_blob.offset_past_end", R_SBLOB_BOUNDS, PARAM, BLOB, b_sblob_offset_past_end, "SET_SCANOUT_BLOB whose offsets[0] alone puts the image 512 bytes past the blob end"),
	MAL("scanout_blob.offset_at_end", R_SBLOB_BOUNDS, PARAM, BLOB, b_sblob_offset_at_end, "SET_SCANOUT_BLOB of one pixel at offsets[0] == blob size"),
	MAL("scanout_blob.rect_y_past_end", R_SBLOB_BOUNDS, PARAM, BLOB, b_sblob_rect_y_past_end, "SET_SCANOUT_BLOB whose r.y alone puts the image past the blob end"),
	MAL("scanout_blob.unknown_resource", R_RES_UNKNOWN, RESID, BLOB, b_sblob_unknown_res, "SET_SCANOUT_BLOB of an unknown resource"),
	MAL("ctx.create_id0", R_CTX_ID0, CTXID, REF, b_ctx_id0, "CTX_CREATE with ctx_id 0"),
	MAL("ctx.create_in_use", R_CTX_IN_USE, CTXID, REF, b_ctx_in_use, "CTX_CREATE with a ctx_id in use", .setup = SETUP_CTX),
	MAL("ctx.capset_absent", R_CTX_CAPSET, PARAM, REF, b_ctx_bad_capset, "CTX_CREATE context_init naming an absent capset"),
	MAL("ctx.destroy_unknown", R_CTX_UNKNOWN, CTXID, VC_NEED_VIRGL, b_ctx_destroy_unknown, "CTX_DESTROY of an unknown context"),
	MAL("ctx.submit_unknown", R_CTX_UNKNOWN, CTXID, VC_NEED_VIRGL, b_submit_unknown_ctx, "SUBMIT_3D to an unknown context"),
	MAL("ctx.attach_unknown_ctx", R_CTX_UNKNOWN, CTXID, VC_NEED_VIRGL, b_ctx_attach_unknown_ctx, "CTX_ATTACH_RESOURCE to an unknown context"),
	MAL("ctx.attach_unknown_res", R_RES_UNKNOWN, RESID, REF, b_ctx_attach_unknown_res, "CTX_ATTACH_RESOURCE of an unknown resource", .setup = SETUP_CTX),
	MAL("ctx.refctx_bad_op", R_REFCTX_BAD_OP, PARAM, REF, b_refctx_bad_op, "reference context stream with op 99", .setup = SETUP_CTX),
	MAL("ctx.refctx_length_past_end", R_REFCTX_LENGTH, PARAM, REF, b_refctx_length_past_end, "reference context command longer than the stream", .setup = SETUP_CTX),
	MAL("capset.unknown_id", R_CAPSET_GET, PARAM, VC_NEED_VIRGL, b_capset_unknown, "GET_CAPSET of capset 99"),
	MAL("capset.bad_version", R_CAPSET_GET, PARAM, REF, b_capset_version, "GET_CAPSET of the reference context, version 99"),
	MAL("capset.info_index", R_CAPSET_INFO_INDEX, PARAM, VC_NEED_VIRGL, b_capset_info_index, "GET_CAPSET_INFO index 0xffffffff"),
	MAL("edid.bad_scanout", R_SCANOUT_ID, SCANID, VC_NEED_EDID, b_edid_bad_scanout, "GET_EDID of scanout 16"),
	MASKED("feat.blob_unnegotiated", R_FEAT_UNNEGOTIATED, UNSPEC, VIRTIO_GPU_F_RESOURCE_BLOB, 0, b_blob_unnegotiated, "CREATE_BLOB without F_RESOURCE_BLOB"),
	MASKED("feat.map_unnegotiated", R_FEAT_UNNEGOTIATED, UNSPEC, VIRTIO_GPU_F_RESOURCE_BLOB, 0, b_map_unnegotiated, "MAP_BLOB without F_RESOURCE_BLOB"),
	MASKED("feat.ctx_unnegotiated", R_FEAT_UNNEGOTIATED, UNSPEC, VIRTIO_GPU_F_VIRGL, 0, b_ctx_unnegotiated, "CTX_CREATE without F_VIRGL"),
	MASKED("feat.host3d_without_virgl", R_BLOB_NEEDS_VIRGL, PARAM, VIRTIO_GPU_F_VIRGL, BLOB, b_host3d_no_virgl, "CREATE_BLOB(HOST3D) without F_VIRGL"),
	MASKED("feat.default_blob_without_virgl", R_BLOB_NEEDS_VIRGL, PARAM, VIRTIO_GPU_F_VIRGL, BLOB, b_default_no_virgl, "CREATE_BLOB(HOST3D_GUEST) with shadow pages, without F_VIRGL"),
	MAL("xfer.blob_offset_beyond", R_XFER_BLOB_BOUNDS, PARAM, BLOB, b_xfer_blob_offset, "TRANSFER_TO_HOST_2D on a GUEST blob at offset == size"),
	MAL("xfer.blob_rect_overflow", R_XFER_BLOB_BOUNDS, PARAM, BLOB, b_xfer_blob_rect_overflow, "TRANSFER_TO_HOST_2D on a GUEST blob, x+width overflowing"),
	MAL("xfer.host_blob_2d", R_XFER_HOST_2D, PARAM, BLOB | REF, b_xfer_host_2d, "TRANSFER_TO_HOST_2D on a host blob", .setup = SETUP_HOST_RES),
	MAL("backing.attach_host_blob", R_RES_ATTACH_HOST, PARAM, BLOB | REF, b_attach_host, "ATTACH_BACKING on a host blob", .setup = SETUP_HOST_RES),
	MAL("xfer3d.rows_past_end", R_XFER_3D_RANGE, PARAM, BLOB | REF, b_xfer3d_rows_past_end, "TRANSFER_TO_HOST_3D on a blob, two rows of 16 whose second ends past the blob", .setup = SETUP_HOST_RES),
	MAL("xfer3d.strided_rows_past_end", R_XFER_3D_RANGE, PARAM, BLOB | REF, b_xfer3d_strided_past_end, "TRANSFER_TO_HOST_3D on a blob, two rows of 16 at a stride of 32, the second ending past the blob", .setup = SETUP_HOST_RES),
	MAL("xfer3d.past_end", R_XFER_3D_RANGE, PARAM, BLOB | REF, b_xfer3d_range, "TRANSFER_TO_HOST_3D crossing the blob end", .setup = SETUP_HOST_RES),
	MAL("xfer3d.overflow", R_XFER_3D_RANGE, PARAM, BLOB | REF, b_xfer3d_overflow, "TRANSFER_TO_HOST_3D whose offset + w overflows", .setup = SETUP_HOST_RES),
	MAL("xfer3d.unknown_ctx", R_XFER_3D_CTX, CTXID, BLOB | REF, b_xfer3d_unknown_ctx, "TRANSFER_TO_HOST_3D in an unknown context", .setup = SETUP_HOST_RES),
	{ .name = "dev.err.precedence", IDS(R_ERR_ORDER, R_RES_ID0, R_CMD_FLAGS), .run = run_precedence,
	  .summary = "a request with two failures gets the code listed first" },
	{ .name = "dev.err.precedence.ids", IDS(R_ERR_ORDER, R_RES_UNKNOWN, R_CTX_UNKNOWN, R_XFER_3D_CTX, R_SCANOUT_ID),
	  .run = run_precedence_ids,
	  .summary = "an unknown resource with an unknown context or scanout gets ERR_INVALID_RESOURCE_ID" },
	ACCEPT("padding_nonzero", R_CMD_PADDING_ACCEPTED, 0, b_unref_padding, "RESOURCE_UNREF with non-zero padding"),
	ACCEPT("trailing_bytes", R_CMD_TRAILING, 0, b_create_2d_trailing, "RESOURCE_CREATE_2D followed by 8 more bytes"),
	ACCEPT("attach_extra_entry", R_CMD_TRAILING, 0, b_attach_more_entries, "ATTACH_BACKING nr_entries 1 followed by a second entry"),
	ACCEPT("scanout_blob_planes", R_SBLOB_PLANE0, BLOB, b_sblob_planes, "SET_SCANOUT_BLOB with strides[1]/offsets[1] set"),
	ACCEPT("guest_blob_any_ctx", R_BLOB_GUEST_ANY_CTX, BLOB, b_blob_guest_any_ctx, "CREATE_BLOB(GUEST) with an unknown hdr.ctx_id"),
	ACCEPT("blob_shareable", R_BLOB_SHAREABLE, BLOB, b_blob_shareable, "CREATE_BLOB(GUEST) with USE_SHAREABLE"),
	ACCEPT("blob_cross_device", R_BLOB_CROSS_DEVICE, BLOB | VC_NEED_UUID, b_blob_share_flags, "CREATE_BLOB(GUEST) with USE_SHAREABLE | USE_CROSS_DEVICE, RESOURCE_UUID negotiated"),
	/* num_capsets, not VIRGL, gates the capset commands (Linux asks during initialization). */
	MASKED("feat.capset_without_virgl", R_CFG_CAPSET_INFO, VIRTIO_GPU_RESP_OK_CAPSET_INFO, VIRTIO_GPU_F_VIRGL,
	       VC_NEED_VIRGL, b_capset_info_first, "GET_CAPSET_INFO index 0 without F_VIRGL negotiated"),
	MASKED("feat.edid_unnegotiated", R_FEAT_UNNEGOTIATED, UNSPEC, VIRTIO_GPU_F_EDID, 0, b_edid_unnegotiated, "GET_EDID without F_EDID"),
	DRV("cmd.length", R_DRV_CMD_0001, 0, b_create_2d_short, "sent RESOURCE_CREATE_2D one byte short"),
	DRV("cmd.trailing", R_DRV_CMD_0001, 0, b_create_2d_trailing, "sent RESOURCE_CREATE_2D followed by 8 more bytes"),
	DRV("cmd.response_room", R_DRV_CMD_0002, 0, b_display_info, "gave GET_DISPLAY_INFO a 16-byte response buffer", .resp_cap = 16),
	DRV("cmd.flags", R_DRV_CMD_0003, 0, b_flags_unknown, "set an unknown hdr.flags bit"),
	DRV("cmd.ring_idx", R_DRV_CMD_0005, 0, b_ring_idx_64, "sent ring_idx 64"),
	DRV("cmd.padding", R_DRV_CMD_0006, 0, b_unref_padding, "sent non-zero padding"),
	DRV("res.create_id0", R_DRV_RES_0001, 0, b_create_id0, "created resource id 0"),
	DRV("res.create_in_use", R_DRV_RES_0001, 0, b_create_in_use, "created a resource with an id in use"),
	DRV("res.unknown", R_DRV_RES_0002, 0, b_unref_unknown, "named a resource that does not exist"),
	DRV("ctx.create_id0", R_DRV_CTX_0001, REF, b_ctx_id0, "created context id 0"),
	DRV("entry.outside", R_DRV_ENTRY_0001, 0, b_attach_outside_ram, "sent an entry outside guest RAM"),
	DRV("entry.overlap", R_DRV_ENTRY_0003, 0, b_attach_overlap, "sent overlapping entries"),
	DRV("entry.zero", R_DRV_ENTRY_0004, 0, b_attach_len0, "sent an entry of length 0"),
	DRV("blob.mem", R_DRV_BLOB_0001, BLOB, b_blob_mem4, "sent blob_mem 4"),
	DRV("blob.unaligned", R_DRV_BLOB_0005, BLOB | VC_NEED_ALIGNMENT, b_blob_unaligned, "sent a blob size not a multiple of blob_alignment"),
	DRV("blob.guest_blob_id", R_DRV_BLOB_0007, BLOB, b_blob_guest_blob_id, "sent a GUEST blob with blob_id 5"),
	DRV("blob.host3d_entries", R_DRV_BLOB_0008, BLOB | REF, b_host3d_with_entries, "sent a HOST3D blob with entries", .setup = SETUP_HOST_BLOB),
	DRV("blob.flags", R_DRV_BLOB_0010, BLOB, b_blob_flags, "set an unknown blob flag"),
	DRV("blob.cross_device_without_uuid", R_DRV_BLOB_CROSS_DEVICE, BLOB, b_blob_share_flags, "set USE_CROSS_DEVICE without F_RESOURCE_UUID"),
	DRV("blob.entries_short", R_DRV_BLOB_0011, BLOB, b_blob_entries_short, "gave a GUEST blob entries shorter than its size"),
	DRV("scanout.bounds", R_DRV_SCANOUT_0001, BLOB, b_sblob_past_size, "scanned out an image past the blob end"),
	DRV("scanout.stride", R_DRV_SCANOUT_0002, BLOB, b_sblob_stride_small, "set strides[0] below width * 4"),
	DRV("xfer.host_2d", R_DRV_XFER_HOST_2D, BLOB | REF, b_xfer_host_2d, "sent TRANSFER_TO_HOST_2D on a host blob", .setup = SETUP_HOST_RES),
	DRV("xfer.3d_rows_past_end", R_DRV_XFER_3D_RANGE, BLOB | REF, b_xfer3d_rows_past_end, "sent a 3D blob transfer whose second row ends past the blob", .setup = SETUP_HOST_RES),
	MASKED("ctx.init_unnegotiated", R_CTX_INIT_UNNEGOTIATED, PARAM, VIRTIO_GPU_F_CONTEXT_INIT, VC_NEED_VIRGL, b_ctx_init_unnegotiated, "CTX_CREATE with context_init without F_CONTEXT_INIT"),
	MAL("map.unmap_no_region", R_UNMAP_NO_REGION, UNSPEC, BLOB | VC_NEED_NO_REGION, b_unmap_no_region, "UNMAP_BLOB on a device without a region"),
	MAL("xfer3d.2d_depth", R_XFER_3D_2D_BOX, PARAM, REF, b_xfer3d_2d_depth, "TRANSFER_TO_HOST_3D on a 2D resource with box.d 2", .setup = SETUP_CTX),
	MAL("xfer3d.2d_level", R_XFER_3D_2D_BOX, PARAM, REF, b_xfer3d_2d_level, "TRANSFER_TO_HOST_3D on a 2D resource with level 1", .setup = SETUP_CTX),
	MAL("res.create_3d_volume", R_RES_3D_REFUSED, PARAM, VC_NEED_VIRGL, b_create_3d_volume, "RESOURCE_CREATE_3D of a 3D texture the device cannot create"),
	MAL("res.create_3d_2d_depth", R_RES_3D_REFUSED, PARAM, VC_NEED_VIRGL, b_create_3d_2d_depth, "RESOURCE_CREATE_3D of a 2D texture with depth 4"),
	{ .name = "dev.accept.ctx_detach_unattached", IDS(R_CTX_DETACH_UNATTACHED, R_CMD_USED_LEN, R_CMD_RESP_PADDING),
	  .needs = REF, .run = run_malformed, .summary = "CTX_DETACH_RESOURCE of a resource never attached",
	  .data = &(const struct mal){ .build = b_ctx_detach_unattached, .expect = VIRTIO_GPU_RESP_OK_NODATA,
				       .setup = SETUP_CTX } },
	DRV("res.rect_outside", R_DRV_RES_RECT, 0, b_xfer_outside, "sent TRANSFER_TO_HOST_2D with a rect outside the resource"),
	DRV("res.rect_overflow", R_DRV_RES_RECT, 0, b_flush_overflow, "sent RESOURCE_FLUSH with y+height overflowing"),
	DRV("res.backing_twice", R_DRV_RES_BACKING_TWICE, 0, b_attach_twice, "attached backing to a resource that has backing"),
	DRV("res.detach_none", R_DRV_RES_NO_BACKING, 0, b_detach_bare, "detached the backing of a resource without backing"),
	DRV("res.transfer_no_backing", R_DRV_RES_NO_BACKING, 0, b_xfer_no_backing, "transferred a resource without backing"),
	DRV("xfer.beyond_backing", R_DRV_XFER_BACKING_END, 0, b_xfer_offset_beyond, "transferred from beyond the end of the backing"),
	DRV("xfer.blob_offset", R_DRV_XFER_BLOB_OFFSET, BLOB, b_xfer_blob_offset, "sent TRANSFER_TO_HOST_2D on a blob at offset == size"),
	DRV("xfer.3d_2d_depth", R_DRV_XFER_3D_2D_BOX, REF, b_xfer3d_2d_depth, "sent a 3D transfer of a 2D resource with box.d 2", .setup = SETUP_CTX),
	DRV("scanout.id", R_DRV_SCANOUT_ID, 0, b_scanout_id16, "named scanout 16"),
	DRV("ctx.unknown", R_DRV_CTX_UNKNOWN, VC_NEED_VIRGL, b_ctx_destroy_unknown, "destroyed a context that does not exist"),
	DRV("ctx.capset_absent", R_DRV_CTX_CAPSET, REF, b_ctx_bad_capset, "created a context of a capset the device lacks"),
	DRV("ctx.refctx_range", R_DRV_REFCTX_RANGE, BLOB | REF, b_refctx_past_end, "sent a FILL crossing the blob end", .setup = SETUP_HOST_RES),
	DRV("ctx.refctx_align", R_DRV_REFCTX_ALIGN4, BLOB | REF, b_refctx_unaligned, "sent a FILL at offset 2", .setup = SETUP_HOST_RES),
	DRV("capset.info_index", R_DRV_CAPSET_INFO_INDEX, VC_NEED_VIRGL, b_capset_info_index, "asked for capset index 0xffffffff"),
	DRV("capset.unknown", R_DRV_CAPSET_GET, VC_NEED_VIRGL, b_capset_unknown, "asked for capset 99"),
	DRV("entry.count_zero", R_DRV_ENTRY_COUNT0, 0, b_attach_nr0, "sent ATTACH_BACKING with nr_entries 0"),
	{ .name = "drv.validate.feat.unnegotiated", IDS(R_DRV_FEAT_0040), .needs = VC_NEED_VALIDATE,
	  .mask_features = 1ull << VIRTIO_GPU_F_RESOURCE_BLOB, .run = run_drv_malformed,
	  .summary = "sent CREATE_BLOB without F_RESOURCE_BLOB",
	  .data = &(const struct mal){ .build = b_blob_unnegotiated } },
	{ 0 },
};
