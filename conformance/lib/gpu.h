/* SPDX-License-Identifier: MIT */
/*
 * Raw virtio-gpu commands for cases: the case builds the request bytes itself
 * (so it can also build malformed ones) and these helpers carry them through
 * guest memory and the control queue, returning what the device answered.
 *
 * A transport failure (timeout, backend gone, broken ring) is recorded as a
 * FAIL of the device's duty to keep serving (R_SERVES) and returns 0.
 */
#ifndef VGB_CONFORM_GPU_H
#define VGB_CONFORM_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/wire.h"
#include "vc.h"

#define VC_RESP_MAX 4096u

/* Response of one command: its bytes, length and (le-decoded) type. */
struct vc_resp {
	uint32_t type;   /* 0 when no response came */
	uint32_t len;    /* used.len */
	union {
		struct virtio_gpu_ctrl_hdr hdr;
		uint8_t bytes[VC_RESP_MAX];
	} u;
};

const char *vc_resp_name(uint32_t type);
const char *vc_cmd_name(uint32_t type);

/* Fill a request header (type, flags 0). */
void vc_hdr(struct virtio_gpu_ctrl_hdr *h, uint32_t type);

/* Send req (req_len bytes) on the control queue, response capacity resp_cap (<= VC_RESP_MAX). */
uint32_t vc_cmd_cap(struct vc *t, const void *req, size_t req_len, uint32_t resp_cap,
		    struct vc_resp *r);
/* Same with the full response capacity. Returns r->type (0 on transport failure). */
uint32_t vc_cmd(struct vc *t, const void *req, size_t req_len, struct vc_resp *r);
/* Request split across several driver-readable buffers (chunk sizes, summing to req_len). */
uint32_t vc_cmd_split(struct vc *t, const void *req, size_t req_len, const uint32_t *chunks,
		      unsigned nchunks, struct vc_resp *r);
/* A cursor queue command (no response payload expected). */
int vc_cursor_cmd(struct vc *t, const void *req, size_t req_len);

/* Expect the response type `want`; FAIL with req_id naming `what` otherwise. */
bool vc_expect(struct vc *t, uint32_t got, uint32_t want, const char *req_id, const char *what);

/* The device still serves: GET_DISPLAY_INFO answers OK_DISPLAY_INFO. */
bool vc_still_serves(struct vc *t, const char *after);

/* --- Well-formed commands; return the response type --- */
uint32_t vc_get_display_info(struct vc *t, struct virtio_gpu_resp_display_info *out);
uint32_t vc_create_2d(struct vc *t, uint32_t id, uint32_t format, uint32_t w, uint32_t h);
uint32_t vc_unref(struct vc *t, uint32_t id);
/* Attach backing made of entries (gpa, len). */
uint32_t vc_attach_backing(struct vc *t, uint32_t id, const struct vgb_sg *ents, unsigned n);
uint32_t vc_detach_backing(struct vc *t, uint32_t id);
uint32_t vc_transfer_2d(struct vc *t, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
			uint64_t offset);
uint32_t vc_set_scanout(struct vc *t, uint32_t scanout, uint32_t id, uint32_t x, uint32_t y,
			uint32_t w, uint32_t h);
uint32_t vc_flush(struct vc *t, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h);
uint32_t vc_create_blob(struct vc *t, uint32_t id, uint32_t ctx_id, uint32_t blob_mem,
			uint32_t flags, uint64_t blob_id, uint64_t size, const struct vgb_sg *ents,
			unsigned n);
/* MAP_BLOB: *map_info gets the le-decoded map_info when OK_MAP_INFO. */
uint32_t vc_map(struct vc *t, uint32_t id, uint64_t offset, uint32_t *map_info);
uint32_t vc_unmap(struct vc *t, uint32_t id);
uint32_t vc_ctx_create(struct vc *t, uint32_t ctx_id, uint32_t context_init);
uint32_t vc_ctx_destroy(struct vc *t, uint32_t ctx_id);
uint32_t vc_ctx_attach(struct vc *t, uint32_t ctx_id, uint32_t id);
uint32_t vc_submit_3d(struct vc *t, uint32_t ctx_id, const void *cmds, uint32_t size);
/* TRANSFER_TO_HOST_3D (to_host) or TRANSFER_FROM_HOST_3D on a blob: bytes [offset, +w), h = d = 1. */
uint32_t vc_transfer_3d(struct vc *t, bool to_host, uint32_t ctx_id, uint32_t id, uint64_t offset,
			uint32_t w, uint32_t h, uint32_t d);
/* The same with a stride and a layer stride: the linear view of a blob. */
uint32_t vc_transfer_3d_view(struct vc *t, bool to_host, uint32_t ctx_id, uint32_t id, uint64_t offset,
			     uint32_t w, uint32_t h, uint32_t d, uint32_t stride, uint32_t layer_stride);
uint32_t vc_set_scanout_blob(struct vc *t, uint32_t scanout, uint32_t id, uint32_t format,
			     uint32_t w, uint32_t h, uint32_t stride, uint32_t offset);

/* --- Guest memory --- */
/* Contiguous guest pages; records ERROR when guest RAM is exhausted. */
uint64_t vc_alloc(struct vc *t, uint64_t size);
void *vc_ptr(struct vc *t, uint64_t gpa, uint64_t len);

/* --- The host-visible region --- */
uint8_t *vc_region(struct vc *t, uint64_t *size);
/* Map granularity: blob_alignment when negotiated, else 4096. */
uint64_t vc_map_granularity(const struct vc *t);

#endif
