/* SPDX-License-Identifier: MIT */
#include "coherency.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frame.h"
#include "refctx_stream.h"

static int host_blob(struct vgb_coh *c, uint64_t size, uint32_t *res, struct vgb_drv_mapping *m,
		     char *detail, size_t len)
{
	struct vgb_drv *drv = c->drv;
	uint64_t blob_id = vgb_drv_new_blob_id(drv);
	struct vgb_rcs s;
	vgb_rcs_init(&s);
	vgb_rcs_alloc(&s, blob_id, size);
	uint32_t n = 0;
	const void *data = vgb_rcs_data(&s, &n);
	int ret = data ? vgb_drv_submit_3d(drv, c->ctx_id, data, n) : -ENOMEM;
	vgb_rcs_fini(&s);
	if (ret)
		goto fail;
	*res = vgb_drv_new_resource_id(drv);
	struct vgb_drv_blob_desc d = {
		.blob_mem = VIRTIO_GPU_BLOB_MEM_HOST3D,
		.blob_flags = VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE,
		.ctx_id = c->ctx_id,
		.blob_id = blob_id,
		.size = size,
	};
	ret = vgb_drv_create_blob(drv, *res, &d);
	if (ret) {
		*res = 0;
		goto fail;
	}
	/* The context reaches only resources attached to it, as a guest kernel attaches them. */
	ret = vgb_drv_ctx_attach(drv, c->ctx_id, *res);
	if (!ret)
		ret = vgb_drv_map(drv, *res, m);
	if (ret == 0)
		return 0;
fail:
	snprintf(detail, len, "host blob of %llu bytes: %s", (unsigned long long)size, vgb_drv_error(drv));
	return ret;
}

int vgb_coh_open(struct vgb_drv *drv, uint64_t size, struct vgb_coh *c, char *detail, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->drv = drv;
	struct vgb_refctx_caps caps;
	int ret = vgb_drv_refctx(drv, &c->ctx_id, &caps);
	if (ret) {
		snprintf(detail, len, "reference context: %s", vgb_drv_error(drv));
		return ret;
	}
	uint64_t a = caps.alignment > 1 ? caps.alignment : 1;
	c->size = (size + a - 1) / a * a;
	ret = host_blob(c, c->size, &c->buf_id, &c->buf, detail, len);
	if (!ret)
		ret = host_blob(c, a > 4096 ? a : 4096, &c->result_id, &c->result, detail, len);
	if (ret)
		vgb_coh_close(c);
	return ret;
}

void vgb_coh_close(struct vgb_coh *c)
{
	if (!c->drv)
		return;
	/* UNREF of a mapped blob unmaps it too; the driver releases the range. */
	if (c->buf_id)
		vgb_drv_unref(c->drv, c->buf_id);
	if (c->result_id)
		vgb_drv_unref(c->drv, c->result_id);
	memset(c, 0, sizeof(*c));
}

static uint64_t read_le64(const volatile void *p)
{
	uint64_t v;
	memcpy(&v, (const void *)p, sizeof(v));
	return vgb_le64(v);
}

/* Host checksum of buf[offset, +size) written to result[0], fenced; returns it via *sum. */
static int host_checksum(struct vgb_coh *c, uint64_t offset, uint64_t size, uint64_t *sum)
{
	struct vgb_rcs s;
	vgb_rcs_init(&s);
	vgb_rcs_checksum(&s, c->buf_id, offset, size, c->result_id, 0);
	uint32_t n = 0;
	const void *data = vgb_rcs_data(&s, &n);
	memset(c->result.ptr, 0, 8);
	vgb_drv_mapping_flush(&c->buf);
	vgb_drv_fence_next(c->drv, false, 0);
	int ret = data ? vgb_drv_submit_3d(c->drv, c->ctx_id, data, n) : -ENOMEM;
	vgb_rcs_fini(&s);
	if (ret)
		return ret;
	vgb_drv_mapping_flush(&c->result);
	*sum = read_le64(c->result.ptr);
	return 0;
}

int vgb_coh_guest_to_host(struct vgb_coh *c, uint32_t seed, char *detail, size_t len)
{
	uint32_t *w = c->buf.ptr;
	for (uint64_t i = 0; i < c->size / 4; i++)
		w[i] = vgb_to_le32(vgb_refctx_pattern_word(seed ^ 0x5a5a5a5a, i));
	uint64_t want = vgb_fnv1a64(c->buf.ptr, c->size, VGB_FNV1A64_INIT), got = 0;
	int ret = host_checksum(c, 0, c->size, &got);
	if (ret) {
		snprintf(detail, len, "host CHECKSUM: %s", vgb_drv_error(c->drv));
		return ret;
	}
	if (got != want) {
		snprintf(detail, len, "guest wrote %llu bytes via mapping; host checksum 0x%016llx, guest 0x%016llx",
			 (unsigned long long)c->size, (unsigned long long)got, (unsigned long long)want);
		return -1;
	}
	return 0;
}

int vgb_coh_host_to_guest(struct vgb_coh *c, uint32_t seed, char *detail, size_t len)
{
	uint64_t half = c->size / 2 & ~(uint64_t)3;
	uint32_t fill = 0xc0ffee00u ^ seed;
	struct vgb_rcs s;
	vgb_rcs_init(&s);
	vgb_rcs_pattern(&s, c->buf_id, seed, 0, half);
	vgb_rcs_fill(&s, c->buf_id, fill, half, c->size - half);
	uint32_t n = 0;
	const void *data = vgb_rcs_data(&s, &n);
	vgb_drv_fence_next(c->drv, false, 0);
	int ret = data ? vgb_drv_submit_3d(c->drv, c->ctx_id, data, n) : -ENOMEM;
	vgb_rcs_fini(&s);
	if (ret) {
		snprintf(detail, len, "host PATTERN/FILL: %s", vgb_drv_error(c->drv));
		return ret;
	}
	vgb_drv_mapping_flush(&c->buf);
	const volatile uint32_t *w = c->buf.ptr;
	for (uint64_t i = 0; i < c->size / 4; i++) {
		uint32_t v = vgb_le32(w[i]);
		uint32_t want = i < half / 4 ? vgb_refctx_pattern_word(seed, i) : fill;
		if (v != want) {
			snprintf(detail, len, "guest read 0x%08x at byte %llu via mapping, host wrote 0x%08x (%s)",
				 v, (unsigned long long)i * 4, want, i < half / 4 ? "PATTERN" : "FILL");
			return -1;
		}
	}
	return 0;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* How many checksums back the history must look before a lag is declared garbage. */
#define HISTORY 64u

int vgb_coh_producer_consumer(struct vgb_coh *c, uint32_t width, uint32_t height, unsigned iterations,
			      struct vgb_staleness *out, char *detail, size_t len)
{
	memset(out, 0, sizeof(*out));
	uint64_t bytes = (uint64_t)width * height * 4;
	if (iterations == 0 || bytes == 0 || bytes > c->size) {
		snprintf(detail, len, "canvas %ux%u does not fit %llu bytes", width, height,
			 (unsigned long long)c->size);
		return -EINVAL;
	}
	struct vgb_frame canvas;
	uint64_t *hist = calloc(iterations, sizeof(*hist));
	double *written = calloc(iterations, sizeof(*written));
	double *seen_us = calloc(iterations, sizeof(*seen_us));
	unsigned *lag = calloc(iterations, sizeof(*lag));
	int ret = vgb_frame_init(&canvas, width, height);
	if (!hist || !written || !seen_us || !lag || ret) {
		snprintf(detail, len, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	vgb_frame_fill(&canvas, 7);
	vgb_frame_store(&canvas, c->buf.ptr, width * 4);
	unsigned confirmed = 0; /* strokes [0, confirmed) are known visible to the host */
	for (unsigned n = 0; n < iterations; n++) {
		vgb_frame_stroke(&canvas, n, c->buf.ptr, width * 4);
		written[n] = now_us();
		hist[n] = vgb_fnv1a64(canvas.pixels, bytes, VGB_FNV1A64_INIT);
		uint64_t got = 0;
		ret = host_checksum(c, 0, bytes, &got);
		double t = now_us();
		if (ret) {
			snprintf(detail, len, "iteration %u: host CHECKSUM: %s", n, vgb_drv_error(c->drv));
			goto out;
		}
		unsigned k = 0;
		while (k <= n && k < HISTORY && hist[n - k] != got)
			k++;
		if (k > n || k == HISTORY) {
			snprintf(detail, len, "iteration %u: host checksum 0x%016llx matches none of the last %u guest states",
				 n, (unsigned long long)got, k);
			ret = -1;
			goto out;
		}
		lag[n] = k;
		if (k)
			out->stale_checks++;
		for (; confirmed <= n - k; confirmed++)
			seen_us[confirmed] = t - written[confirmed];
	}
	out->iterations = iterations;
	qsort(lag, iterations, sizeof(*lag), cmp_unsigned);
	out->max_iters = lag[iterations - 1];
	out->median_iters = lag[iterations / 2];
	if (confirmed) {
		qsort(seen_us, confirmed, sizeof(*seen_us), cmp_double);
		out->max_us = seen_us[confirmed - 1];
		out->median_us = seen_us[confirmed / 2];
	}
	if (out->stale_checks || confirmed < iterations) {
		snprintf(detail, len, "host saw stale data in %u of %u checks (max lag %u strokes)",
			 out->stale_checks, iterations, out->max_iters);
		ret = -1;
		goto out;
	}
	ret = 0;
out:
	vgb_frame_fini(&canvas);
	free(hist);
	free(written);
	free(seen_us);
	free(lag);
	return ret;
}
