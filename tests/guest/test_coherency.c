/* SPDX-License-Identifier: MIT */
/*
 * Coherency both ways between the driver's mapping and the host (the
 * reference context): guest writes -> host checksum, host pattern/fill ->
 * guest reads, and the producer/consumer loop of the handwriting case, whose
 * staleness is measured and printed (never asserted for speed; a host view
 * that lags the guest at all is a failure).
 */
#include <string.h>

#include "coherency.h"
#include "harness.h"
#include "refctx_stream.h"

static void submit(struct vgb_drv *drv, uint32_t ctx, struct vgb_rcs *s)
{
	uint32_t n = 0;
	const void *data = vgb_rcs_data(s, &n);
	CHECK(data);
	vgb_drv_fence_next(drv, false, 0);
	int ret = vgb_drv_submit_3d(drv, ctx, data, n);
	if (ret)
		fprintf(stderr, "submit: %s\n", vgb_drv_error(drv));
	CHECK_EQ(ret, 0);
	vgb_rcs_reset(s);
}

/*
 * Blobs with guest storage, no mapping: GUEST (the host uses the pages in
 * place) and HOST3D_GUEST (a shadow synchronised by 3D transfers).  The host
 * checksum lands in a small GUEST result blob the driver reads directly.
 */
static void guest_storage(struct vgb_drv *drv, uint32_t blob_mem, const char *label)
{
	const uint64_t size = 64 * 1024;
	uint32_t ctx;
	CHECK_EQ(vgb_drv_refctx(drv, &ctx, NULL), 0);
	struct vgb_rcs s;
	vgb_rcs_init(&s);
	struct vgb_drv_backing b, rb;
	CHECK_EQ(vgb_drv_backing_alloc(drv, size, VGB_BACKING_PAGES, &b), 0);
	CHECK_EQ(vgb_drv_backing_alloc(drv, 4096, VGB_BACKING_PAGES, &rb), 0);
	uint32_t res = vgb_drv_new_resource_id(drv), result = vgb_drv_new_resource_id(drv);
	struct vgb_drv_blob_desc d = { .blob_mem = blob_mem, .size = size, .backing = &b };
	if (blob_mem == VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST) {
		d.ctx_id = ctx;
		d.blob_id = vgb_drv_new_blob_id(drv);
		vgb_rcs_alloc(&s, d.blob_id, size);
		submit(drv, ctx, &s);
	}
	CHECK_EQ(vgb_drv_create_blob(drv, res, &d), 0);
	struct vgb_drv_blob_desc rd = { .blob_mem = VIRTIO_GPU_BLOB_MEM_GUEST, .size = 4096, .backing = &rb };
	CHECK_EQ(vgb_drv_create_blob(drv, result, &rd), 0);
	CHECK_EQ(vgb_drv_ctx_attach(drv, ctx, res), 0);
	CHECK_EQ(vgb_drv_ctx_attach(drv, ctx, result), 0);

	/* Guest writes, transfers, host checksums. */
	uint8_t *buf = malloc(size);
	CHECK(buf);
	for (uint64_t i = 0; i < size; i++)
		buf[i] = (uint8_t)(i * 7 + (i >> 9));
	CHECK_EQ(vgb_drv_backing_write(drv, &b, 0, buf, size), 0);
	CHECK_EQ(vgb_drv_transfer_to_host_3d(drv, ctx, res, 0, (uint32_t)size), 0);
	vgb_rcs_checksum(&s, res, 0, size, result, 0);
	submit(drv, ctx, &s);
	uint64_t got = 0;
	CHECK_EQ(vgb_drv_backing_read(drv, &rb, 0, &got, 8), 0);
	CHECK(vgb_le64(got) == vgb_fnv1a64(buf, size, VGB_FNV1A64_INIT));

	/* Host fills, (transfers back), guest reads its pages. */
	vgb_rcs_fill(&s, res, 0x5eed1234u, 4096, size - 8192);
	submit(drv, ctx, &s);
	CHECK_EQ(vgb_drv_transfer_from_host_3d(drv, ctx, res, 0, (uint32_t)size), 0);
	CHECK_EQ(vgb_drv_backing_read(drv, &b, 0, buf, size), 0);
	for (uint64_t i = 0; i < size; i += 4) {
		uint32_t v;
		memcpy(&v, buf + i, 4);
		uint32_t want = i >= 4096 && i < size - 4096 ? 0x5eed1234u
			: (uint32_t)((uint8_t)(i * 7 + (i >> 9)) | (uint8_t)((i + 1) * 7 + ((i + 1) >> 9)) << 8 |
				     (uint32_t)(uint8_t)((i + 2) * 7 + ((i + 2) >> 9)) << 16 |
				     (uint32_t)(uint8_t)((i + 3) * 7 + ((i + 3) >> 9)) << 24);
		if (vgb_le32(v) != want) {
			fprintf(stderr, "%s: byte %llu reads 0x%08x, expected 0x%08x\n", label,
				(unsigned long long)i, vgb_le32(v), want);
			exit(1);
		}
	}
	printf("%s: guest->host checksum and host->guest fill agree\n", label);
	free(buf);
	vgb_rcs_fini(&s);
	CHECK_EQ(vgb_drv_unref(drv, res), 0);
	CHECK_EQ(vgb_drv_unref(drv, result), 0);
	vgb_drv_backing_free(drv, &b);
	vgb_drv_backing_free(drv, &rb);
}

static void run(const char *host, const char *const *extra, uint32_t expect_cache, const char *label)
{
	struct vgb_drv *drv = h_open_spawn(host, extra, NULL);
	if (!vgb_drv_caps(drv)->region) {
		printf("%s: no region, nothing to check\n", label);
		vgb_drv_close(drv);
		return;
	}
	struct vgb_coh c;
	char why[256] = "";
	if (vgb_coh_open(drv, 256 * 1024, &c, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", label, why);
		exit(1);
	}
	CHECK_EQ(c.buf.cacheable, c.buf.map_info == VIRTIO_GPU_MAP_CACHE_CACHED);
	if (expect_cache)
		CHECK_EQ(c.buf.map_info, expect_cache);
	for (uint32_t seed = 1; seed <= 4; seed++) {
		if (vgb_coh_guest_to_host(&c, seed, why, sizeof(why)) ||
		    vgb_coh_host_to_guest(&c, seed, why, sizeof(why))) {
			fprintf(stderr, "%s: %s\n", label, why);
			exit(1);
		}
	}
	struct vgb_staleness st;
	if (vgb_coh_producer_consumer(&c, 256, 128, 1000, &st, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", label, why);
		exit(1);
	}
	printf("%s: map_info %u (%s CPU mapping); %u strokes: staleness max %u median %u iterations; "
	       "visible after median %.1f us, max %.1f us\n",
	       label, c.buf.map_info, c.buf.cacheable ? "cacheable" : "non-cacheable", st.iterations,
	       st.max_iters, st.median_iters, st.median_us, st.max_us);
	CHECK_EQ(st.max_iters, 0);
	vgb_coh_close(&c);
	CHECK_EQ(vgb_drv_region_used(drv), 0);
	vgb_drv_close(drv);
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	static const char *const wc[] = { "--map-cache=wc", NULL };
	static const char *const uncached[] = { "--map-cache=uncached", NULL };
	static const char *const cached[] = { "--map-cache=cached", NULL };
	static const char *const coarse[] = { "--alignment=65536", "--blob-alignment", NULL };
	run(host, NULL, 0, "default");
	run(host, cached, VIRTIO_GPU_MAP_CACHE_CACHED, "map-cache=cached");
	run(host, wc, VIRTIO_GPU_MAP_CACHE_WC, "map-cache=wc");
	run(host, uncached, VIRTIO_GPU_MAP_CACHE_UNCACHED, "map-cache=uncached");
	run(host, coarse, 0, "blob_alignment 65536");
	struct vgb_drv *drv = h_open_spawn(host, NULL, NULL);
	if (vgb_drv_has(drv, VIRTIO_GPU_F_RESOURCE_BLOB) && vgb_drv_has(drv, VIRTIO_GPU_F_CONTEXT_INIT)) {
		guest_storage(drv, VIRTIO_GPU_BLOB_MEM_GUEST, "GUEST blob");
		guest_storage(drv, VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST, "HOST3D_GUEST blob");
	}
	vgb_drv_close(drv);
	return 0;
}
