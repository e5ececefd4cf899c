/* SPDX-License-Identifier: MIT */
/*
 * The reference (conformance) context type: a tiny "host GPU" a driver selects
 * with CTX_CREATE(context_init = VGB_CAPSET_REFCTX).  It allocates host memory
 * objects named by blob_id (later turned into HOST3D blobs) and lets the host
 * read, write, fill, copy and checksum ranges of blobs, so coherency checks can
 * make the host produce and consume data while the driver uses its mapping.
 *
 * SUBMIT_3D carries a stream of commands, each starting with
 * struct vgb_refctx_hdr; every field is little-endian; `length` is the whole
 * command in bytes, a multiple of 4, at least sizeof(hdr).  Commands run in
 * order; the first invalid one stops the stream and the SUBMIT_3D is answered
 * VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER (an unknown resource:
 * ERR_INVALID_RESOURCE_ID); commands before it have taken effect.
 * Results (checksums, reads) are written by the host into a blob the driver
 * names (dst_resource_id/dst_offset), which is how the driver sees them.
 */
#ifndef VGB_REFCTX_H
#define VGB_REFCTX_H

#include <assert.h>
#include <stdint.h>

/*
 * Unused upstream, and at most 30: Linux builds its capset mask with an int
 * shift (1 << id), so only ids 1..30 reach userspace and context_init cleanly.
 */
#define VGB_CAPSET_REFCTX 30u
#define VGB_REFCTX_VERSION 1u

/* GET_CAPSET(VGB_CAPSET_REFCTX, version 1) payload. */
struct vgb_refctx_caps {
	uint32_t version;        /* VGB_REFCTX_VERSION */
	uint32_t ops;            /* bit (1 << op) for each supported op */
	uint64_t max_object_size;
	uint32_t map_cache;      /* VIRTIO_GPU_MAP_CACHE_* that MAP_BLOB will report */
	uint32_t alignment;      /* object sizes must be multiples of this */
};
static_assert(sizeof(struct vgb_refctx_caps) == 24, "refctx caps size");

enum vgb_refctx_op {
	VGB_REFCTX_ALLOC = 1,    /* create host object blob_id of size bytes (zero-filled) */
	VGB_REFCTX_FREE = 2,     /* drop host object blob_id (not yet turned into a resource) */
	VGB_REFCTX_FILL = 3,     /* host writes u32 value repeatedly over a range of a blob */
	VGB_REFCTX_WRITE = 4,    /* host writes inline bytes into a blob */
	VGB_REFCTX_COPY = 5,     /* host copies a range between two blobs (or within one) */
	VGB_REFCTX_CHECKSUM = 6, /* host hashes a range; writes the le64 result into dst */
	VGB_REFCTX_PATTERN = 7,  /* host writes the seeded pattern vgb_refctx_pattern() */
};

struct vgb_refctx_hdr {
	uint32_t op;     /* enum vgb_refctx_op */
	uint32_t length; /* bytes of this command, header included */
};

struct vgb_refctx_alloc {
	struct vgb_refctx_hdr hdr;
	uint64_t blob_id; /* != 0, unused in this context */
	uint64_t size;    /* != 0, multiple of caps.alignment */
};

struct vgb_refctx_free {
	struct vgb_refctx_hdr hdr;
	uint64_t blob_id;
};

struct vgb_refctx_fill {
	struct vgb_refctx_hdr hdr;
	uint32_t resource_id;
	uint32_t value;
	uint64_t offset; /* multiple of 4 */
	uint64_t size;   /* multiple of 4 */
};

struct vgb_refctx_write {
	struct vgb_refctx_hdr hdr;
	uint32_t resource_id;
	uint32_t size;   /* inline bytes that follow, padded to 4 */
	uint64_t offset;
	/* uint8_t data[size]; padding to a multiple of 4 */
};

struct vgb_refctx_copy {
	struct vgb_refctx_hdr hdr;
	uint32_t src_resource_id;
	uint32_t dst_resource_id;
	uint64_t src_offset;
	uint64_t dst_offset;
	uint64_t size;
};

struct vgb_refctx_checksum {
	struct vgb_refctx_hdr hdr;
	uint32_t resource_id;
	uint32_t dst_resource_id; /* receives le64 FNV-1a of the range at dst_offset */
	uint64_t offset;
	uint64_t size;
	uint64_t dst_offset;
};

struct vgb_refctx_pattern {
	struct vgb_refctx_hdr hdr;
	uint32_t resource_id;
	uint32_t seed;
	uint64_t offset; /* multiple of 4 */
	uint64_t size;   /* multiple of 4 */
};

static_assert(sizeof(struct vgb_refctx_hdr) == 8, "refctx hdr");
static_assert(sizeof(struct vgb_refctx_alloc) == 24, "refctx alloc");
static_assert(sizeof(struct vgb_refctx_free) == 16, "refctx free");
static_assert(sizeof(struct vgb_refctx_fill) == 32, "refctx fill");
static_assert(sizeof(struct vgb_refctx_write) == 24, "refctx write");
static_assert(sizeof(struct vgb_refctx_copy) == 40, "refctx copy");
static_assert(sizeof(struct vgb_refctx_checksum) == 40, "refctx checksum");
static_assert(sizeof(struct vgb_refctx_pattern) == 32, "refctx pattern");

/* The checksum both sides compute: 64-bit FNV-1a over the bytes. */
static inline uint64_t vgb_fnv1a64(const void *data, uint64_t len, uint64_t h)
{
	const uint8_t *p = data;
	for (uint64_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
#define VGB_FNV1A64_INIT 0xcbf29ce484222325ull

/* Word i (at byte offset 4*i of the range) of the seeded pattern: xorshift-style mix. */
static inline uint32_t vgb_refctx_pattern_word(uint32_t seed, uint64_t i)
{
	uint64_t x = (uint64_t)seed * 0x9e3779b97f4a7c15ull + i * 0xbf58476d1ce4e5b9ull + 1;
	x ^= x >> 31;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 29;
	return (uint32_t)x;
}

#endif
