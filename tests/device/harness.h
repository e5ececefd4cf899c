/* SPDX-License-Identifier: MIT */
/*
 * Test harness for the device core: a device with real memfd-backed guest
 * memory in two non-adjacent regions, recording ops callbacks, a fake
 * host-visible region (a PROT_NONE reservation the shm ops map fds into),
 * and command builders that speak the wire format.
 */
#ifndef VGB_TEST_HARNESS_H
#define VGB_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vgb/decode.h"
#include "vgb/device.h"
#include "vgb/names.h"
#include "vgb/refctx.h"
#include "vgb/wire.h"

#define T_REGION_SIZE (8u << 20)
#define T_REGION1_GPA 0x40000000ull

struct t {
	struct vgb_device *dev;
	struct vgb_device_config cfg;
	struct vgb_guest_mem mem;
	uint64_t next[2]; /* bump allocator per region */
	uint8_t resp[4096];
	size_t resp_len;

	/* recorded callbacks */
	unsigned nupdates;
	struct { uint32_t scanout, x, y, w, h; } upd;
	uint8_t *upd_px; /* compact copy of the last update: h rows of w*4 bytes */
	unsigned nscanout;
	uint32_t scanout_w[16], scanout_h[16];
	unsigned ncursor;
	struct { uint32_t scanout, x, y, hot_x, hot_y; bool visible, image; uint32_t px0; } cur;
	unsigned nviolations;
	char violations[64][32];
	unsigned nwarnings; /* SHOULDs not met (ops->warning) */
	char warnings[64][32];
	unsigned nmaps, nunmaps;
	uint8_t *shm;   /* fake host-visible region */
	bool shm_fail;  /* make the next shm_map fail */
};

extern int t_failures;

#define CHECK(c)                                                                    \
	do {                                                                        \
		if (!(c)) {                                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
			t_failures++;                                               \
		}                                                                   \
	} while (0)

#define CHECK_EQ(a, b)                                                              \
	do {                                                                        \
		unsigned long long a_ = (a), b_ = (b);                              \
		if (a_ != b_) {                                                     \
			fprintf(stderr, "%s:%d: %s == 0x%llx, expected %s == 0x%llx\n", __FILE__, \
				__LINE__, #a, a_, #b, b_);                          \
			t_failures++;                                               \
		}                                                                   \
	} while (0)

/* Response codes compared by name so a failure reads well. */
#define CHECK_RESP(expr, want)                                                      \
	do {                                                                        \
		uint32_t got_ = (expr), want_ = (want);                             \
		if (got_ != want_) {                                                \
			fprintf(stderr, "%s:%d: %s -> %s, expected %s\n", __FILE__, __LINE__, #expr, \
				vgb_resp_name(got_), vgb_resp_name(want_));         \
			t_failures++;                                               \
		}                                                                   \
	} while (0)

#define OK VIRTIO_GPU_RESP_OK_NODATA
#define E_UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC
#define E_OOM VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY
#define E_SCANOUT VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID
#define E_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define E_CTX VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID
#define E_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER

#define FMT_BGRA VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM

/* cfg NULL: defaults. Negotiates every offered feature. */
void t_init(struct t *t, const struct vgb_device_config *cfg);
/* The same with an external renderer behind the device (vgb/renderer.h). */
struct vgb_renderer_ops;
void t_init_with(struct t *t, const struct vgb_device_config *cfg, const struct vgb_renderer_ops *renderer);
void t_fini(struct t *t);
int t_done(const char *name);

/* Guest memory: allocate len bytes (region 0 or 1), host pointer of a gpa. */
uint64_t t_alloc(struct t *t, int region, uint64_t len);
void *t_ptr(struct t *t, uint64_t gpa);
/*
 * Backing of total bytes split into entries of odd lengths alternating between
 * the regions (never adjacent); returns the count.
 */
uint32_t t_scatter(struct t *t, uint64_t total, struct vgb_entry *e, uint32_t max, uint32_t seed);
/* Writes/reads the linear backing byte range through the entries (the test's own model). */
void t_backing_write(struct t *t, const struct vgb_entry *e, uint32_t n, uint64_t off,
		     const void *src, uint64_t len);

/* Sends one controlq request; returns the response type (0 if nothing was written). */
uint32_t t_ctrl(struct t *t, const void *req, size_t len);
/* Fills a header. */
void t_hdr(struct virtio_gpu_ctrl_hdr *h, uint32_t type, uint32_t ctx_id);

uint32_t t_create_2d(struct t *t, uint32_t id, uint32_t format, uint32_t w, uint32_t h);
uint32_t t_attach(struct t *t, uint32_t id, const struct vgb_entry *e, uint32_t n);
uint32_t t_detach(struct t *t, uint32_t id);
uint32_t t_unref(struct t *t, uint32_t id);
uint32_t t_transfer_2d(struct t *t, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		       uint64_t offset);
uint32_t t_transfer_3d(struct t *t, bool to_host, uint32_t ctx, uint32_t id, uint64_t offset,
		       uint32_t w, uint32_t h, uint32_t d);
/* The same with a stride and a layer stride (the linear view of a blob). */
uint32_t t_transfer_3d_view(struct t *t, bool to_host, uint32_t ctx, uint32_t id, uint64_t offset,
			    uint32_t w, uint32_t h, uint32_t d, uint32_t stride, uint32_t layer_stride);
uint32_t t_set_scanout(struct t *t, uint32_t scanout, uint32_t id, uint32_t x, uint32_t y,
		       uint32_t w, uint32_t h);
uint32_t t_scanout_blob(struct t *t, uint32_t scanout, uint32_t id, uint32_t w, uint32_t h,
			uint32_t stride, uint32_t offset);
uint32_t t_flush(struct t *t, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h);
uint32_t t_create_blob(struct t *t, uint32_t id, uint32_t ctx, uint32_t blob_mem, uint32_t flags,
		       uint64_t blob_id, uint64_t size, const struct vgb_entry *e, uint32_t n);
uint32_t t_map(struct t *t, uint32_t id, uint64_t offset);
uint32_t t_unmap(struct t *t, uint32_t id);
uint32_t t_ctx_create(struct t *t, uint32_t ctx, uint32_t context_init);
uint32_t t_ctx_destroy(struct t *t, uint32_t ctx);
uint32_t t_ctx_attach(struct t *t, uint32_t ctx, uint32_t id);
uint32_t t_submit(struct t *t, uint32_t ctx, const void *stream, uint32_t len);

/* Reference-context stream builder. */
struct t_stream {
	uint8_t buf[8192];
	uint32_t len;
};
void ts_alloc(struct t_stream *s, uint64_t blob_id, uint64_t size);
void ts_free(struct t_stream *s, uint64_t blob_id);
void ts_fill(struct t_stream *s, uint32_t id, uint32_t value, uint64_t off, uint64_t size);
void ts_write(struct t_stream *s, uint32_t id, uint64_t off, const void *data, uint32_t size);
void ts_copy(struct t_stream *s, uint32_t src, uint64_t soff, uint32_t dst, uint64_t doff,
	     uint64_t size);
void ts_checksum(struct t_stream *s, uint32_t id, uint64_t off, uint64_t size, uint32_t dst,
		 uint64_t doff);
void ts_pattern(struct t_stream *s, uint32_t id, uint32_t seed, uint64_t off, uint64_t size);

/* Allocates a host object and turns it into a HOST3D blob attached to ctx. */
uint32_t t_host_blob(struct t *t, uint32_t ctx, uint32_t id, uint64_t blob_id, uint64_t size,
		     uint32_t flags);

/* Validating mode: was req_id reported (and how often)? Clears the list when reset is set. */
unsigned t_violated(struct t *t, const char *req_id);
/* The same for warnings (a driver SHOULD not met); t_clear_violations clears both. */
unsigned t_warned(struct t *t, const char *req_id);
void t_clear_violations(struct t *t);

#endif
