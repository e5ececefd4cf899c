/* SPDX-License-Identifier: MIT */
/*
 * Raw virtio-gpu commands over the vhost-user frontend: each helper writes one
 * request into guest RAM, submits it on the control queue, waits for the
 * response and checks its type.  Deliberately thin, so what is timed is the
 * command round trip and nothing a driver library adds.
 */
#ifndef VGB_BENCH_GPU_CMD_H
#define VGB_BENCH_GPU_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/frontend.h"

struct gpu {
	struct vgb_fe *fe;
	uint64_t req_gpa, resp_gpa;
	uint8_t *req, *resp;
	size_t req_cap, resp_cap;
	uint64_t next_fence;
	char err[256];
};

/* Reserves request/response buffers in guest RAM for requests up to req_cap bytes. */
int gpu_open(struct gpu *g, struct vgb_fe *fe, size_t req_cap);
void gpu_close(struct gpu *g);

/* Submits the req_len bytes at g->req; 0 when the response type is `want`, else -EIO
 * (g->err names what came back) or the transport's negative errno. */
int gpu_exec(struct gpu *g, size_t req_len, size_t resp_len, uint32_t want);

int gpu_create_2d(struct gpu *g, uint32_t id, uint32_t format, uint32_t width, uint32_t height);
/* One entry of entry_len bytes per gpa. */
int gpu_attach_backing(struct gpu *g, uint32_t id, const uint64_t *gpas, unsigned n, uint32_t entry_len);
int gpu_transfer_2d(struct gpu *g, uint32_t id, uint32_t width, uint32_t height);
int gpu_flush(struct gpu *g, uint32_t id, uint32_t width, uint32_t height);
int gpu_set_scanout(struct gpu *g, uint32_t scanout_id, uint32_t id, uint32_t width, uint32_t height);
int gpu_unref(struct gpu *g, uint32_t id);
int gpu_display_info(struct gpu *g);

int gpu_ctx_create(struct gpu *g, uint32_t ctx_id, uint32_t capset_id);
int gpu_ctx_destroy(struct gpu *g, uint32_t ctx_id);
int gpu_ctx_attach(struct gpu *g, uint32_t ctx_id, uint32_t id);
/* SUBMIT_3D of a command stream; fenced sets FLAG_FENCE and checks the echo. */
int gpu_submit_3d(struct gpu *g, uint32_t ctx_id, const void *stream, uint32_t len, bool fenced);

/* CREATE_BLOB; for GUEST blobs gpas/n/entry_len give the entries (else n = 0). */
int gpu_create_blob(struct gpu *g, uint32_t ctx_id, uint32_t id, uint32_t blob_mem, uint32_t flags,
		    uint64_t blob_id, uint64_t size, const uint64_t *gpas, unsigned n, uint32_t entry_len);
int gpu_map_blob(struct gpu *g, uint32_t id, uint64_t offset, uint32_t *map_info);
int gpu_unmap_blob(struct gpu *g, uint32_t id);
/* TRANSFER_TO_HOST_3D over the byte range [offset, offset+len) of a blob. */
int gpu_transfer_3d_bytes(struct gpu *g, uint32_t ctx_id, uint32_t id, uint64_t offset, uint32_t len);

#endif
