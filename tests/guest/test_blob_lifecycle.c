/* SPDX-License-Identifier: MIT */
/*
 * Blob lifecycle from the driver's side: double map, unmap of an unmapped
 * blob, unref while mapped, maps past the region end or overlapping, blobs
 * that may not be mapped, a full region making the driver fall back, and
 * that after UNMAP the range reaches nothing (the frontend says unmapped and
 * touching it faults in a forked child).
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "path.h"
#include "refctx_stream.h"

static struct vgb_drv *drv;
static uint32_t ctx;
static struct vgb_refctx_caps rc;

/* A HOST3D blob of size bytes with the given flags; returns its resource id. */
static uint32_t host_blob(uint64_t size, uint32_t flags)
{
	uint64_t blob_id = vgb_drv_new_blob_id(drv);
	struct vgb_rcs s;
	vgb_rcs_init(&s);
	vgb_rcs_alloc(&s, blob_id, size);
	uint32_t n = 0;
	const void *data = vgb_rcs_data(&s, &n);
	CHECK(data);
	CHECK_EQ(vgb_drv_submit_3d(drv, ctx, data, n), 0);
	vgb_rcs_fini(&s);
	uint32_t id = vgb_drv_new_resource_id(drv);
	struct vgb_drv_blob_desc d = {
		.blob_mem = VIRTIO_GPU_BLOB_MEM_HOST3D, .blob_flags = flags,
		.ctx_id = ctx, .blob_id = blob_id, .size = size,
	};
	int ret = vgb_drv_create_blob(drv, id, &d);
	if (ret)
		fprintf(stderr, "create blob: %s\n", vgb_drv_error(drv));
	CHECK_EQ(ret, 0);
	CHECK_EQ(vgb_drv_ctx_attach(drv, ctx, id), 0);
	return id;
}

static void host_fill(uint32_t res, uint32_t value, uint64_t size)
{
	struct vgb_rcs s;
	vgb_rcs_init(&s);
	vgb_rcs_fill(&s, res, value, 0, size);
	uint32_t n = 0;
	const void *data = vgb_rcs_data(&s, &n);
	vgb_drv_fence_next(drv, false, 0);
	CHECK_EQ(vgb_drv_submit_3d(drv, ctx, data, n), 0);
	vgb_rcs_fini(&s);
}

static bool region_mapped(uint64_t off, uint64_t len)
{
	return vgb_fe_shm_mapped(vgb_drv_fe(drv), VGB_DRV_SHMID_HOST_VISIBLE, off, len);
}

static int run(const char *host, const char *const *extra)
{
	drv = h_open_spawn(host, extra, NULL);
	const struct vgb_drv_caps *c = vgb_drv_caps(drv);
	if (!c->region) {
		printf("SKIP: device offers no host-visible region\n");
		exit(EXIT_SKIP);
	}
	CHECK_EQ(vgb_drv_refctx(drv, &ctx, &rc), 0);
	const uint64_t g = c->map_granularity;
	const uint64_t size = 2 * g;
	printf("region %llu bytes, granularity %llu (blob_alignment %u)\n", (unsigned long long)c->region_size,
	       (unsigned long long)g, c->blob_alignment);

	/* Nothing is mapped before the first MAP: the whole region faults. */
	CHECK(!region_mapped(0, g));
	CHECK(h_faults(c->region, false));

	/* Map, use, double map. */
	uint32_t a = host_blob(size, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE);
	struct vgb_drv_mapping ma;
	CHECK_EQ(vgb_drv_map(drv, a, &ma), 0);
	CHECK(region_mapped(ma.offset, size));
	CHECK_EQ(ma.cacheable, ma.map_info == VIRTIO_GPU_MAP_CACHE_CACHED);
	host_fill(a, 0xa5a5a5a5u, size);
	CHECK_EQ(((volatile uint32_t *)ma.ptr)[size / 4 - 1], vgb_to_le32(0xa5a5a5a5u));
	CHECK_EQ(vgb_drv_map(drv, a, &ma), -EBUSY); /* the driver refuses on its own */
	uint64_t free_off = ma.offset + size;       /* first fit leaves the next range free */
	CHECK_EQ(vgb_drv_map_at(drv, a, free_off, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK(!region_mapped(free_off, g));
	CHECK(region_mapped(ma.offset, size)); /* the existing mapping is intact */
	host_fill(a, 0x01020304u, size);
	CHECK_EQ(((volatile uint32_t *)ma.ptr)[0], vgb_to_le32(0x01020304u));

	/* Overlapping maps: another blob at a's offset, or straddling into it. */
	uint32_t b = host_blob(size, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE);
	CHECK_EQ(vgb_drv_map_at(drv, b, ma.offset, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK_EQ(vgb_drv_map_at(drv, b, ma.offset + g, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	if (ma.offset >= g)
		CHECK_EQ(vgb_drv_map_at(drv, b, ma.offset - g, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);

	/* Past the region end, overflowing, misaligned. */
	uint64_t rs = c->region_size;
	CHECK_EQ(vgb_drv_map_at(drv, b, rs, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK_EQ(vgb_drv_map_at(drv, b, (rs / g) * g - g, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK_EQ(vgb_drv_map_at(drv, b, UINT64_MAX - g + 1, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK_EQ(vgb_drv_map_at(drv, b, free_off + g / 2, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK(!region_mapped(free_off, size));

	/* Unmap of an unmapped blob: refused by the driver, and by the device when sent. */
	CHECK_EQ(vgb_drv_unmap(drv, b), -ENOENT);
	CHECK_EQ(vgb_drv_unmap_raw(drv, b), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK_EQ(vgb_drv_unmap_raw(drv, 0xfffffff1u), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);

	/* Blobs that may not be mapped. */
	uint32_t nm = host_blob(g, 0);
	struct vgb_drv_mapping m;
	CHECK_EQ(vgb_drv_map(drv, nm, &m), -EINVAL);
	CHECK_EQ(vgb_drv_map_at(drv, nm, free_off, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	struct vgb_drv_backing gb;
	CHECK_EQ(vgb_drv_backing_alloc(drv, vgb_drv_blob_size(drv, g), VGB_BACKING_PAGES, &gb), 0);
	uint32_t guest = vgb_drv_new_resource_id(drv);
	struct vgb_drv_blob_desc gd = { .blob_mem = VIRTIO_GPU_BLOB_MEM_GUEST,
					.blob_flags = VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE,
					.size = g, .backing = &gb };
	CHECK_EQ(vgb_drv_create_blob(drv, guest, &gd), 0);
	CHECK_EQ(vgb_drv_map(drv, guest, &m), -EINVAL);
	CHECK_EQ(vgb_drv_map_at(drv, guest, free_off, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	uint32_t two_d = vgb_drv_new_resource_id(drv);
	CHECK_EQ(vgb_drv_create_2d(drv, two_d, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 8, 8), 0);
	CHECK_EQ(vgb_drv_map_at(drv, two_d, free_off, NULL), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK(!region_mapped(free_off, size));
	CHECK_EQ(vgb_drv_unref(drv, nm), 0);
	CHECK_EQ(vgb_drv_unref(drv, guest), 0);
	CHECK_EQ(vgb_drv_unref(drv, two_d), 0);
	vgb_drv_backing_free(drv, &gb);

	/* After UNMAP the range reaches nothing. */
	volatile uint8_t *old = ma.ptr;
	uint64_t old_off = ma.offset;
	CHECK_EQ(vgb_drv_unmap(drv, a), 0);
	CHECK(!region_mapped(old_off, size));
	CHECK(h_faults(old, false));
	CHECK(h_faults(old + size - 1, true));
	CHECK_EQ(vgb_drv_unmap(drv, a), -ENOENT);
	/* Map again (the range is free again) and see the host data survived the unmap. */
	CHECK_EQ(vgb_drv_map(drv, a, &ma), 0);
	CHECK_EQ(((volatile uint32_t *)ma.ptr)[1], vgb_to_le32(0x01020304u));

	/* Unref while mapped: implicit unmap, the driver releases the range. */
	uint64_t used = vgb_drv_region_used(drv);
	old = ma.ptr;
	old_off = ma.offset;
	CHECK_EQ(vgb_drv_unref(drv, a), 0);
	CHECK_EQ(vgb_drv_region_used(drv), used - size);
	CHECK(!region_mapped(old_off, size));
	CHECK(h_faults(old, false));
	CHECK_EQ(vgb_drv_map_at(drv, a, old_off, NULL), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);

	/* Region full: map blobs until the driver's allocator runs out, then fall back. */
	uint64_t big = rs / 4 > g ? (rs / 4) / g * g : g;
	uint32_t held[64];
	unsigned nheld = 0;
	int ret = 0;
	while (nheld < 64) {
		uint32_t id = host_blob(big, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE);
		held[nheld++] = id;
		ret = vgb_drv_map(drv, id, &m);
		if (ret)
			break;
	}
	CHECK_EQ(ret, -ENOSPC);
	printf("region full after %u maps: %s\n", nheld - 1, vgb_drv_error(drv));
	/* A small surface still fits in leftovers only if there are any; make sure none are. */
	while (vgb_drv_region_used(drv) + g <= (rs / g) * g) {
		uint32_t id = host_blob(g, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE);
		CHECK(nheld < 64);
		held[nheld++] = id;
		CHECK_EQ(vgb_drv_map(drv, id, &m), 0);
	}
	struct vgb_frame f;
	struct vgb_surface s;
	CHECK_EQ(vgb_frame_init(&f, 75, 41), 0);
	vgb_frame_fill(&f, 9);
	CHECK_EQ(vgb_surface_create(drv, VGB_PATH_MAPPED, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 75, 41, &s), 0);
	CHECK(s.fell_back);
	CHECK_EQ(s.path, VGB_PATH_GUEST_BLOB);
	printf("fallback: %s\n", s.fallback_reason);
	const struct vgb_fe_scanout *so = vgb_fe_scanout(vgb_drv_fe(drv), 0);
	uint64_t before = so ? so->updates : 0;
	CHECK_EQ(vgb_surface_upload(drv, &s, &f), 0);
	CHECK_EQ(vgb_surface_show(drv, &s, 0), 0);
	char why[256];
	if (vgb_wait_frame(drv, 0, &f, before, 5000, why, sizeof(why))) {
		fprintf(stderr, "fallback frame: %s\n", why);
		return 1;
	}
	CHECK_EQ(vgb_surface_destroy(drv, &s), 0);
	vgb_frame_fini(&f);
	for (unsigned i = 0; i < nheld; i++)
		CHECK_EQ(vgb_drv_unref(drv, held[i]), 0);
	CHECK_EQ(vgb_drv_unref(drv, b), 0);
	CHECK_EQ(vgb_drv_region_used(drv), 0);
	for (uint64_t off = 0; off + g <= rs; off += g)
		CHECK(!region_mapped(off, g));
	vgb_drv_close(drv);
	return 0;
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	static const char *const small_region[] = { "--region-size=1M", NULL };
	static const char *const coarse[] = { "--alignment=65536", "--blob-alignment", "--region-size=4M", NULL };
	run(host, NULL);
	run(host, small_region);
	run(host, coarse);
	return 0;
}
