/* SPDX-License-Identifier: MIT */
/*
 * Frames of real sizes, not test-sized ones: a transfer large enough that a
 * device may copy it with weakly ordered (non-temporal) stores must still be
 * complete when its answer arrives, and a mapped blob stays coherent from
 * 256 KiB to 64 MiB.  The second case also times each flush and notes whether
 * the device's cost per frame stays flat (zero copy) or grows with the frame:
 * information for the report, never a verdict (timing is not conformance).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cases.h"

#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA
#define FMT VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM
#define PAGE 4096u

static uint8_t pattern_byte(unsigned seed, uint64_t i)
{
	return (uint8_t)(i * 13 + seed * 101 + (i >> 12));
}

static uint32_t xfer_whole(struct vc *t, bool to_host, uint32_t ctx, uint32_t id, uint32_t w, uint32_t h)
{
	struct virtio_gpu_transfer_host_3d c;
	struct vc_resp r;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, to_host ? VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D : VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D);
	c.hdr.ctx_id = vgb_to_le32(ctx);
	c.box.w = vgb_to_le32(w);
	c.box.h = vgb_to_le32(h);
	c.box.d = vgb_to_le32(1);
	c.resource_id = vgb_to_le32(id);
	return vc_cmd(t, &c, sizeof(c), &r);
}

/*
 * A 1024x512 (2 MiB) 2D resource on scattered pages: guest pattern -> host,
 * backing cleared, host -> guest, and the bytes compared the moment the
 * answer is in.  2 MiB is past the size from which the reference device
 * streams (non-temporal stores, VGB_STREAM_MIN_DEFAULT).
 */
static enum vc_verdict large_roundtrip(struct vc *t)
{
	const uint32_t w = 1024, h = 512;
	const uint64_t size = (uint64_t)w * h * 4;
	const unsigned npages = (unsigned)(size / PAGE);
	uint32_t ctx = vc_new_id(t), id = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_ctx_create(t, ctx, 0), OK_NODATA, R_CMD_SUCCESS, "CTX_CREATE"));
	VC_TRY(vc_expect(t, vc_create_2d(t, id, FMT, w, h), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_CREATE_2D"));
	/* Every other page of one allocation, so no two entries are adjacent. */
	uint64_t base = vc_alloc(t, 2 * size);
	VC_TRY(base);
	uint8_t *mem = vc_ptr(t, base, 2 * size);
	VC_TRY(mem);
	struct vgb_sg *e = calloc(npages, sizeof(*e));
	if (!e)
		return vc_error(t, "out of memory");
	for (unsigned i = 0; i < npages; i++)
		e[i] = (struct vgb_sg){ base + 2ull * i * PAGE, PAGE };
	uint32_t got = vc_attach_backing(t, id, e, npages);
	free(e);
	VC_TRY(vc_expect(t, got, OK_NODATA, R_CMD_SUCCESS, "ATTACH_BACKING of 512 scattered pages"));
	VC_TRY(vc_expect(t, vc_ctx_attach(t, ctx, id), OK_NODATA, R_CMD_SUCCESS, "CTX_ATTACH_RESOURCE"));
	for (uint64_t i = 0; i < size; i++)
		mem[2 * (i / PAGE) * PAGE + i % PAGE] = pattern_byte(3, i);
	VC_TRY(vc_expect(t, xfer_whole(t, true, ctx, id, w, h), OK_NODATA, R_XFER_3D_2D_TO,
			 "TRANSFER_TO_HOST_3D of 2 MiB"));
	memset(mem, 0, 2 * size);
	VC_TRY(vc_expect(t, xfer_whole(t, false, ctx, id, w, h), OK_NODATA, R_XFER_3D_2D_FROM,
			 "TRANSFER_FROM_HOST_3D of 2 MiB"));
	uint64_t bad = 0, first = 0;
	for (uint64_t i = 0; i < size; i++) {
		if (mem[2 * (i / PAGE) * PAGE + i % PAGE] != pattern_byte(3, i) && !bad++)
			first = i;
	}
	uint64_t gaps = 0;
	for (unsigned p = 0; p < npages; p++)
		for (unsigned k = 0; k < PAGE; k++)
			gaps += mem[(2ull * p + 1) * PAGE + k] != 0;
	vc_check(t, !bad, R_XFER_VISIBLE,
		 "%llu of %llu bytes were not in guest memory when TRANSFER_FROM_HOST_3D was answered, "
		 "first at byte %llu", (unsigned long long)bad, (unsigned long long)size,
		 (unsigned long long)first);
	vc_check(t, !gaps, R_XFER_OUTSIDE, "the transfer wrote %llu bytes into pages between the entries",
		 (unsigned long long)gaps);
	return vc_done(t);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/*
 * Mapped HOST3D blobs of 256 KiB to 64 MiB (as the region and the context
 * allow; one smaller size where even 256 KiB does not fit): the guest writes a pattern through the mapping, flushes it with
 * TRANSFER_TO_HOST_3D, and the host's checksum must match at every size.
 * The flush is timed (median of 5) and the note says how it grows.
 */
static enum vc_verdict zero_copy_sizes(struct vc *t)
{
	struct vc_host hst;
	VC_TRY(vc_host_open(t, &hst));
	uint64_t rsize = 0;
	uint8_t *region = vc_region(t, &rsize);
	VC_TRY(region);
	uint64_t max = rsize;
	if (t->probe->refctx_max_object && t->probe->refctx_max_object < max)
		max = t->probe->refctx_max_object;
	uint64_t g = vc_map_granularity(t);
	double first_us = 0, last_us = 0;
	uint64_t first_size = 0, last_size = 0;
	char timings[512] = "";
	uint64_t start = 256u << 10;
	if (start > max)
		start = max / g * g; /* a small region: the one size that fits */
	for (uint64_t size = start; size && size <= (64u << 20) && size <= max && !vc_failed(t); size *= 4) {
		uint64_t bytes = (size + g - 1) / g * g;
		if (bytes > max)
			break;
		uint32_t res;
		VC_TRY(vc_expect(t, vc_host_blob(t, &hst, bytes, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, &res), OK_NODATA,
				 R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)"));
		VC_TRY(vc_expect(t, vc_map(t, res, 0, NULL), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK, "MAP_BLOB"));
		double us[5];
		for (int run = 0; run < 5 && !vc_failed(t); run++) {
			vc_pattern_fill(region, (uint32_t)(size >> 10) + (uint32_t)run, size);
			double t0 = now_s();
			uint32_t rc = vc_transfer_3d(t, true, hst.ctx_id, res, 0, (uint32_t)size, 1, 1);
			us[run] = (now_s() - t0) * 1e6;
			VC_TRY(vc_expect(t, rc, OK_NODATA, R_XFER_HOST_TO, "TRANSFER_TO_HOST_3D over a mapped blob"));
		}
		uint64_t sum = 0;
		VC_TRY(vc_host_checksum(t, &hst, res, 0, size, &sum, R_COH_GUEST_TO_HOST));
		vc_check(t, sum == vc_checksum(region, size), R_COH_GUEST_TO_HOST,
			 "%llu-byte mapped blob: the host's checksum is not that of the bytes written through "
			 "the mapping", (unsigned long long)size);
		qsort(us, 5, sizeof(us[0]), cmp_double);
		size_t used = strlen(timings);
		snprintf(timings + used, sizeof(timings) - used, "%s%llu KiB %.0f us", used ? ", " : "",
			 (unsigned long long)(size >> 10), us[2]);
		if (!first_size) {
			first_size = size;
			first_us = us[2];
		}
		last_size = size;
		last_us = us[2];
		VC_TRY(vc_expect(t, vc_unmap(t, res), OK_NODATA, R_CMD_SUCCESS, "UNMAP_BLOB"));
		VC_TRY(vc_expect(t, vc_unref(t, res), OK_NODATA, R_CMD_SUCCESS, "RESOURCE_UNREF"));
	}
	if (!first_size)
		return vc_not_supported(t, "region or context objects smaller than one map granule");
	if (last_size > first_size && first_us > 0)
		vc_note(t, "flush of a mapped blob (median of 5): %s; %.1fx for a %.0fx larger frame: %s (information only)",
			timings, last_us / first_us, (double)last_size / (double)first_size,
			last_us / first_us <= 4 ? "flat, no copy" : "grows with the frame");
	else
		vc_note(t, "flush of a mapped blob (median of 5): %s (information only)", timings);
	return vc_done(t);
}

const struct vc_case vc_cases_sizes[] = {
	{ .name = "dev.xfer3d.large_roundtrip", IDS(R_XFER_VISIBLE, R_XFER_3D_2D_TO, R_XFER_3D_2D_FROM, R_XFER_OUTSIDE),
	  .needs = VC_NEED_VIRGL, .run = large_roundtrip, .timeout_s = 60,
	  .summary = "a 2 MiB transfer through 512 scattered pages is complete when it is answered, both ways" },
	{ .name = "dev.map.zero_copy_sizes", IDS(R_XFER_HOST_TO, R_COH_GUEST_TO_HOST),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX, .run = zero_copy_sizes, .timeout_s = 120,
	  .summary = "mapped blobs of 256 KiB to 64 MiB stay coherent; notes how the flush time grows (never a verdict)" },
	{ 0 },
};
