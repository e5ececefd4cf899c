/* SPDX-License-Identifier: MIT */
/* Mapping blobs into the host-visible region: MAP_BLOB / UNMAP_BLOB. */
#include <string.h>

#include "cases.h"

#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA
#define OK_MAP VIRTIO_GPU_RESP_OK_MAP_INFO
#define EINVAL_P VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define EINVAL_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID

/* A reference context and one HOST3D blob of `granules` map granules. */
static bool host_blob(struct vc *t, struct vc_host *h, unsigned granules, uint32_t flags,
		      uint32_t *res, uint64_t *size)
{
	if (!vc_host_open(t, h))
		return false;
	*size = granules * vc_map_granularity(t);
	uint32_t got = vc_host_blob(t, h, *size, flags, res);
	return vc_expect(t, got, OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D) of a host object");
}

/* map_info arrives little-endian (vc_map decodes it): a big-endian writer shows as high bits. */
static bool valid_map_info(struct vc *t, uint32_t mi)
{
	uint32_t cache = mi & VIRTIO_GPU_MAP_CACHE_MASK;
	return vc_check(t, (mi & ~(uint32_t)VIRTIO_GPU_MAP_CACHE_MASK) == 0, R_CACHE_HIGH_BITS,
			"map_info 0x%08x has bits above the cache mask set", mi) &&
	       vc_check(t, cache >= VIRTIO_GPU_MAP_CACHE_CACHED && cache <= VIRTIO_GPU_MAP_CACHE_WC,
			R_CACHE_VALID, "map_info 0x%x is not CACHED, UNCACHED or WC", mi);
}

static bool map_ok(struct vc *t, uint32_t res, uint64_t off, const char *what)
{
	uint32_t mi = 0;
	uint32_t got = vc_map(t, res, off, &mi);
	return vc_expect(t, got, OK_MAP, R_MAP_OK, what) && valid_map_info(t, mi);
}

static bool region_fits(struct vc *t, uint64_t need)
{
	uint64_t size;
	vc_region(t, &size);
	if (size >= need)
		return true;
	vc_not_supported(t, "region of %llu bytes is smaller than the %llu this case needs",
			 (unsigned long long)size, (unsigned long long)need);
	return false;
}

static enum vc_verdict map_basic(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 1, MAPPABLE, &res, &size));
	/* At the second granule, so that a misplaced mapping shows. */
	uint64_t rsize, g = vc_map_granularity(t);
	vc_region(t, &rsize);
	uint64_t off = rsize >= 3 * g ? g : 0;
	VC_TRY(map_ok(t, res, off, "MAP_BLOB of a mappable HOST3D blob"));
	vc_check(t, vgb_fe_shm_mapped(t->fe, 1, off, size), R_VU_MAP_ACKED,
		 "after OK_MAP_INFO, region [%llu, +%llu) is not backed by a mapping",
		 (unsigned long long)off, (unsigned long long)size);
	if (off)
		vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, g) && !vgb_fe_shm_mapped(t->fe, 1, off + size, g),
			 R_VU_MAP_EXACT, "the mapping reaches beyond [%llu, +%llu)",
			 (unsigned long long)off, (unsigned long long)size);
	return vc_done(t);
}

static enum vc_verdict map_visible(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 2, MAPPABLE, &res, &size));
	VC_TRY(vc_host_fill(t, &h, res, 0xc0ffee11u, 0, size, R_COH_HOST_TO_GUEST));
	VC_TRY(map_ok(t, res, 0, "MAP_BLOB"));
	uint8_t *base = vc_region(t, NULL);
	const volatile uint32_t *w = (const volatile uint32_t *)base;
	for (uint64_t i = 0; i < size / 4; i++)
		VC_TRY(vc_check(t, vgb_le32(w[i]) == 0xc0ffee11u, R_MAP_KEEPS_CONTENT,
				"guest reads 0x%08x at byte %llu of the mapping; host filled 0xc0ffee11",
				vgb_le32(w[i]), (unsigned long long)i * 4));
	vc_pattern_fill(base, t->seed, size);
	uint64_t sum = 0;
	VC_TRY(vc_host_checksum(t, &h, res, 0, size, &sum, R_COH_GUEST_TO_HOST));
	vc_check(t, sum == vc_checksum(base, size), R_MAP_VISIBLE,
		 "host checksum %016llx of the blob differs from the guest's writes %016llx",
		 (unsigned long long)sum, (unsigned long long)vc_checksum(base, size));
	return vc_done(t);
}

static enum vc_verdict map_info_matches(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 1, MAPPABLE, &res, &size));
	uint32_t mi = 0;
	VC_TRY(vc_expect(t, vc_map(t, res, 0, &mi), OK_MAP, R_MAP_OK, "MAP_BLOB"));
	VC_TRY(valid_map_info(t, mi));
	vc_check(t, mi == t->probe->refctx_map_cache, R_CACHE_MATCH,
		 "map_info %u differs from the cache type %u of the memory the context provides", mi,
		 t->probe->refctx_map_cache);
	vc_note(t, "map_info %u", mi);
	return vc_done(t);
}

static enum vc_verdict unmap_gone(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 1, MAPPABLE, &res, &size));
	VC_TRY(map_ok(t, res, 0, "MAP_BLOB"));
	uint8_t *base = vc_region(t, NULL);
	VC_TRY(vc_check(t, !vc_touch_faults(base), R_MAP_VISIBLE, "mapped range faults on read"));
	VC_TRY(vc_expect(t, vc_unmap(t, res), OK_NODATA, R_UNMAP_OK, "UNMAP_BLOB of a mapped blob"));
	vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, size), R_VU_UNMAP_ACKED,
		 "after UNMAP_BLOB answered, the range is still backed by a mapping");
	vc_check(t, vc_touch_faults(base), R_SHM_GONE,
		 "after UNMAP_BLOB, reading the old range still reaches memory");
	return vc_done(t);
}

static enum vc_verdict unref_mapped(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 1, MAPPABLE, &res, &size));
	VC_TRY(map_ok(t, res, 0, "MAP_BLOB"));
	VC_TRY(vc_expect(t, vc_unref(t, res), OK_NODATA, R_LIFE_UNREF_MAPPED,
			 "RESOURCE_UNREF of a mapped blob"));
	uint8_t *base = vc_region(t, NULL);
	vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, size), R_LIFE_UNREF_GONE,
		 "after UNREF of a mapped blob, its range is still backed");
	vc_check(t, vc_touch_faults(base), R_SHM_GONE,
		 "after UNREF of a mapped blob, reading its old range still reaches memory");
	/* The range is free again: a new blob maps there. */
	uint32_t res2;
	VC_TRY(vc_expect(t, vc_host_blob(t, &h, size, MAPPABLE, &res2), OK_NODATA, R_CMD_SUCCESS,
			 "CREATE_BLOB(HOST3D)"));
	map_ok(t, res2, 0, "MAP_BLOB at the range an unref'd blob held");
	return vc_done(t);
}

static enum vc_verdict remap(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 1, MAPPABLE, &res, &size));
	VC_TRY(region_fits(t, 2 * size));
	VC_TRY(vc_host_fill(t, &h, res, 0x5a5a5a5au, 0, size, R_COH_HOST_TO_GUEST));
	uint32_t mi1 = 0, mi2 = 0;
	VC_TRY(vc_expect(t, vc_map(t, res, 0, &mi1), OK_MAP, R_MAP_OK, "MAP_BLOB"));
	VC_TRY(vc_expect(t, vc_unmap(t, res), OK_NODATA, R_UNMAP_OK, "UNMAP_BLOB"));
	VC_TRY(vc_expect(t, vc_map(t, res, size, &mi2), OK_MAP, R_MAP_REUSE,
			 "MAP_BLOB again at another offset after UNMAP"));
	vc_check(t, mi1 == mi2, R_CACHE_SAME, "map_info %u on the first mapping, %u on the second",
		 mi1, mi2);
	const volatile uint32_t *w = (const volatile uint32_t *)(vc_region(t, NULL) + size);
	vc_check(t, vgb_le32(w[0]) == 0x5a5a5a5au && vgb_le32(w[size / 4 - 1]) == 0x5a5a5a5au,
		 R_UNMAP_KEEPS_CONTENT, "remapped blob shows 0x%08x, host content 0x5a5a5a5a",
		 vgb_le32(w[0]));
	return vc_done(t);
}

/* MAP at `off`, expecting a refusal, and nothing mapped there afterwards. */
static enum vc_verdict map_refused_at(struct vc *t, uint64_t off, unsigned granules,
				      const char *req_id, const char *what)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, granules, MAPPABLE, &res, &size));
	VC_TRY(vc_expect(t, vc_map(t, res, off, NULL), EINVAL_P, req_id, what));
	uint64_t rsize;
	vc_region(t, &rsize);
	vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, rsize), R_ERR_NO_EFFECT,
		 "a refused MAP_BLOB left a mapping in the region");
	vc_still_serves(t, what);
	/* The blob itself still maps where it fits. */
	map_ok(t, res, 0, "MAP_BLOB at 0 after a refused MAP_BLOB");
	return vc_done(t);
}

static enum vc_verdict offset_unaligned(struct vc *t)
{
	uint64_t g = vc_map_granularity(t);
	return map_refused_at(t, g / 2, 1, R_MAP_OFFSET, "MAP_BLOB at half the map granularity");
}

static enum vc_verdict offset_odd(struct vc *t)
{
	return map_refused_at(t, 1, 1, R_MAP_OFFSET, "MAP_BLOB at offset 1");
}

static enum vc_verdict offset_past_end(struct vc *t)
{
	uint64_t rsize;
	vc_region(t, &rsize);
	return map_refused_at(t, rsize, 1, R_MAP_BOUNDS, "MAP_BLOB at offset == region size");
}

static enum vc_verdict offset_straddles_end(struct vc *t)
{
	uint64_t rsize;
	vc_region(t, &rsize);
	uint64_t g = vc_map_granularity(t);
	return map_refused_at(t, rsize - g, 2, R_MAP_BOUNDS, "MAP_BLOB of 2 granules at the last granule");
}

static enum vc_verdict offset_overflow(struct vc *t)
{
	uint64_t g = vc_map_granularity(t);
	return map_refused_at(t, UINT64_MAX - g + 1, 2, R_MAP_BOUNDS,
			      "MAP_BLOB whose offset + size overflows 64 bits");
}

static enum vc_verdict overlap(struct vc *t)
{
	struct vc_host h;
	uint32_t a, b;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 2, MAPPABLE, &a, &size));
	VC_TRY(region_fits(t, 2 * size));
	VC_TRY(vc_expect(t, vc_host_blob(t, &h, size, MAPPABLE, &b), OK_NODATA, R_CMD_SUCCESS,
			 "CREATE_BLOB(HOST3D)"));
	VC_TRY(vc_host_fill(t, &h, a, 0xaaaaaaaau, 0, size, R_COH_HOST_TO_GUEST));
	VC_TRY(map_ok(t, a, 0, "MAP_BLOB of the first blob"));
	uint64_t half = size / 2;
	VC_TRY(vc_expect(t, vc_map(t, b, half, NULL), EINVAL_P, R_MAP_OVERLAP,
			 "MAP_BLOB overlapping the second half of a live mapping"));
	const volatile uint32_t *w = (const volatile uint32_t *)vc_region(t, NULL);
	vc_check(t, vgb_le32(w[half / 4]) == 0xaaaaaaaau, R_MAP_OVERLAP,
		 "the live mapping changed after a refused overlapping MAP (reads 0x%08x)",
		 vgb_le32(w[half / 4]));
	map_ok(t, b, size, "MAP_BLOB of the second blob right after the first");
	return vc_done(t);
}

static enum vc_verdict map_double(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 1, MAPPABLE, &res, &size));
	VC_TRY(region_fits(t, 2 * size));
	VC_TRY(vc_host_fill(t, &h, res, 0x12345678u, 0, size, R_COH_HOST_TO_GUEST));
	VC_TRY(map_ok(t, res, 0, "first MAP_BLOB"));
	VC_TRY(vc_expect(t, vc_map(t, res, size, NULL), EINVAL_P, R_MAP_DOUBLE,
			 "MAP_BLOB of an already mapped blob"));
	vc_check(t, vgb_fe_shm_mapped(t->fe, 1, 0, size), R_MAP_DOUBLE_INTACT,
		 "the existing mapping is gone after a refused second MAP_BLOB");
	vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, size, size), R_ERR_NO_EFFECT,
		 "a refused second MAP_BLOB left a mapping at its offset");
	const volatile uint32_t *w = (const volatile uint32_t *)vc_region(t, NULL);
	vc_check(t, vgb_le32(w[0]) == 0x12345678u, R_MAP_DOUBLE_INTACT,
		 "existing mapping reads 0x%08x after the refused MAP, expected 0x12345678",
		 vgb_le32(w[0]));
	return vc_done(t);
}

static enum vc_verdict unmap_unmapped(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 1, MAPPABLE, &res, &size));
	VC_TRY(vc_expect(t, vc_unmap(t, res), EINVAL_P, R_UNMAP_NOT_MAPPED,
			 "UNMAP_BLOB of a blob never mapped"));
	VC_TRY(map_ok(t, res, 0, "MAP_BLOB"));
	VC_TRY(vc_expect(t, vc_unmap(t, res), OK_NODATA, R_UNMAP_OK, "UNMAP_BLOB"));
	vc_expect(t, vc_unmap(t, res), EINVAL_P, R_UNMAP_NOT_MAPPED, "second UNMAP_BLOB");
	return vc_done(t);
}

static enum vc_verdict unknown_resource(struct vc *t)
{
	VC_TRY(vc_expect(t, vc_map(t, 0xdead, 0, NULL), EINVAL_RES, R_RES_UNKNOWN,
			 "MAP_BLOB of an unknown resource id"));
	VC_TRY(vc_expect(t, vc_map(t, 0, 0, NULL), EINVAL_RES, R_RES_UNKNOWN,
			 "MAP_BLOB of resource id 0"));
	vc_expect(t, vc_unmap(t, 0xdead), EINVAL_RES, R_RES_UNKNOWN,
		  "UNMAP_BLOB of an unknown resource id");
	vc_still_serves(t, "MAP/UNMAP of unknown resources");
	return vc_done(t);
}

static enum vc_verdict not_mappable(struct vc *t)
{
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	VC_TRY(host_blob(t, &h, 1, 0, &res, &size));
	VC_TRY(vc_expect(t, vc_map(t, res, 0, NULL), EINVAL_P, R_MAP_NOT_MAPPABLE,
			 "MAP_BLOB of a blob created without USE_MAPPABLE"));
	vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, size), R_ERR_NO_EFFECT,
		 "a refused MAP_BLOB left a mapping");
	return vc_done(t);
}

static enum vc_verdict guest_blob(struct vc *t)
{
	uint64_t g = vc_map_granularity(t);
	uint64_t gpa = vc_alloc(t, g);
	VC_TRY(gpa);
	uint32_t res = vc_new_id(t);
	struct vgb_sg e = { gpa, (uint32_t)g };
	VC_TRY(vc_expect(t, vc_create_blob(t, res, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, g, &e, 1),
			 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(GUEST)"));
	VC_TRY(vc_expect(t, vc_map(t, res, 0, NULL), EINVAL_P, R_MAP_GUEST_BLOB,
			 "MAP_BLOB of a GUEST blob"));
	vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, g), R_ERR_NO_EFFECT,
		 "a refused MAP_BLOB left a mapping");
	return vc_done(t);
}

static enum vc_verdict not_blob(struct vc *t)
{
	uint32_t res = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_create_2d(t, res, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64),
			 OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	vc_expect(t, vc_map(t, res, 0, NULL), EINVAL_P, R_MAP_NOT_BLOB, "MAP_BLOB of a 2D resource");
	return vc_done(t);
}

#define NEED_MAP (VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX)

const struct vc_case vc_cases_map[] = {
	{ .name = "dev.map.basic", IDS(R_MAP_OK, R_CACHE_VALID, R_CACHE_HIGH_BITS, R_CACHE_LE,
					     R_FEAT_REGION_MAPS, R_VU_MAP_ACKED, R_VU_MAP_EXACT), .needs = NEED_MAP,
	  .run = map_basic, .summary = "MAP_BLOB answers OK_MAP_INFO and backs the range" },
	{ .name = "dev.map.visible_both_ways", IDS(R_MAP_VISIBLE, R_MAP_KEEPS_CONTENT,
						   R_COH_HOST_TO_GUEST, R_COH_GUEST_TO_HOST,
						   R_REFCTX_FILL, R_REFCTX_CHECKSUM),
	  .needs = NEED_MAP, .run = map_visible, .random = true,
	  .summary = "host fill read by the guest; guest pattern checksummed by the host" },
	{ .name = "dev.map.map_info", IDS(R_CACHE_VALID, R_CACHE_MATCH), .needs = NEED_MAP,
	  .run = map_info_matches, .summary = "map_info is valid and matches the memory's cache type" },
	{ .name = "dev.map.unmap_gone", IDS(R_UNMAP_OK, R_SHM_GONE, R_VU_UNMAP_ACKED, R_VU_UNMAP_EXACT), .needs = NEED_MAP,
	  .run = unmap_gone, .summary = "after UNMAP_BLOB the range no longer reaches the memory" },
	{ .name = "dev.map.unref_mapped", IDS(R_LIFE_UNREF_MAPPED, R_LIFE_UNREF_GONE, R_SHM_GONE), .needs = NEED_MAP,
	  .run = unref_mapped, .summary = "UNREF of a mapped blob unmaps it; the range is reusable" },
	{ .name = "dev.map.remap", IDS(R_MAP_REUSE, R_UNMAP_KEEPS_CONTENT, R_CACHE_SAME, R_UNMAP_OK), .needs = NEED_MAP,
	  .run = remap, .summary = "map, unmap, map again elsewhere; content kept" },
	{ .name = "dev.map.offset_unaligned", IDS(R_MAP_OFFSET), .needs = NEED_MAP,
	  .run = offset_unaligned, .summary = "offset not a multiple of the granularity is refused" },
	{ .name = "dev.map.offset_odd", IDS(R_MAP_OFFSET), .needs = NEED_MAP, .run = offset_odd,
	  .summary = "offset 1 is refused" },
	{ .name = "dev.map.offset_past_end", IDS(R_MAP_BOUNDS, R_ERR_NO_EFFECT), .needs = NEED_MAP,
	  .run = offset_past_end, .summary = "offset at the region end is refused" },
	{ .name = "dev.map.offset_straddles_end", IDS(R_MAP_BOUNDS, R_ERR_NO_EFFECT), .needs = NEED_MAP,
	  .run = offset_straddles_end, .summary = "a blob crossing the region end is refused" },
	{ .name = "dev.map.offset_overflow", IDS(R_MAP_BOUNDS, R_ERR_NO_EFFECT), .needs = NEED_MAP,
	  .run = offset_overflow, .summary = "offset + size overflowing 64 bits is refused" },
	{ .name = "dev.map.overlap", IDS(R_MAP_OVERLAP, R_MAP_OK, R_VU_NO_OVERLAP), .needs = NEED_MAP, .run = overlap,
	  .summary = "a mapping overlapping a live one is refused, the live one intact" },
	{ .name = "dev.map.double", IDS(R_MAP_DOUBLE, R_MAP_DOUBLE_INTACT, R_ERR_NO_EFFECT), .needs = NEED_MAP, .run = map_double,
	  .summary = "mapping an already mapped blob is refused, existing mapping intact" },
	{ .name = "dev.map.unmap_unmapped", IDS(R_UNMAP_NOT_MAPPED, R_UNMAP_OK), .needs = NEED_MAP,
	  .run = unmap_unmapped, .summary = "UNMAP of a blob that is not mapped is refused" },
	{ .name = "dev.map.unknown_resource", IDS(R_RES_UNKNOWN), .needs = VC_NEED_BLOB | VC_NEED_REGION,
	  .run = unknown_resource, .summary = "MAP/UNMAP of unknown ids: ERR_INVALID_RESOURCE_ID" },
	{ .name = "dev.map.not_mappable", IDS(R_MAP_NOT_MAPPABLE, R_ERR_NO_EFFECT), .needs = NEED_MAP,
	  .run = not_mappable, .summary = "blob without USE_MAPPABLE is refused" },
	{ .name = "dev.map.guest_blob", IDS(R_MAP_GUEST_BLOB, R_ERR_NO_EFFECT),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION, .run = guest_blob,
	  .summary = "GUEST blobs are refused" },
	{ .name = "dev.map.not_blob", IDS(R_MAP_NOT_BLOB), .needs = VC_NEED_BLOB | VC_NEED_REGION,
	  .run = not_blob, .summary = "2D resources are refused" },
	{ 0 },
};
