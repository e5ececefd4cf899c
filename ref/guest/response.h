/* SPDX-License-Identifier: MIT */
/*
 * The driver's decoder of device responses: every control-queue answer is
 * checked here, once, before anything in it is used (length, type, fence
 * echo), and each payload has one decoder that bounds what it hands on.
 * Pure functions of the bytes, so a fuzzer can drive them directly.
 * A rejection says which device requirement was broken (req_ids.h).
 */
#ifndef VGB_GUEST_RESPONSE_H
#define VGB_GUEST_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/wire.h"

/* What a response is checked against. */
struct vgb_resp_expect {
	const struct virtio_gpu_ctrl_hdr *req; /* the request as sent (type, flags, fence, ctx, ring) */
	uint32_t ok_type;                      /* the command's success type */
	size_t len;                            /* its success response size */
	bool shorter_ok;                       /* a success response may be shorter (>= 24): capsets */
	uint64_t fence_completed;              /* last fence seen completed */
};

/* What the check found. */
struct vgb_resp_seen {
	uint32_t type;           /* header type when readable (used >= 4), else 0 */
	uint32_t len;            /* used.len */
	bool fence_done;         /* a fence completed with a correct echo (its id: req's fence_id) */
	char why[256];           /* a rejection in words, naming the requirement broken */
};

/*
 * Returns 0 (a success response of the expected type and length), the error
 * type (> 0) of a well-formed error response, or -EPROTO for a response that
 * breaks the protocol (why says how).  resp holds used bytes.
 */
int vgb_resp_check(const struct vgb_resp_expect *e, const void *resp, uint32_t used,
		   struct vgb_resp_seen *seen);

/* Is type one of the error responses (ERR_UNSPEC .. ERR_INVALID_PARAMETER)? */
bool vgb_resp_is_error(uint32_t type);

/* OK_DISPLAY_INFO: modes of the first n (<= 16) scanouts, host order. */
struct vgb_resp_mode {
	uint32_t x, y, width, height;
	bool enabled;
};
void vgb_resp_display_info(const struct virtio_gpu_resp_display_info *r, unsigned n,
			   struct vgb_resp_mode *out);
/* OK_EDID: the EDID's size; -EPROTO (size above the wire's 1024 bytes) with why. */
int vgb_resp_edid_size(const struct virtio_gpu_resp_edid *r, uint32_t *size, char *why, size_t len);
/* OK_CAPSET_INFO: fields, host order; -EPROTO for a capset above max_size bytes. */
int vgb_resp_capset_info(const struct virtio_gpu_resp_capset_info *r, uint32_t max_size, uint32_t *id,
			 uint32_t *max_version, uint32_t *size, char *why, size_t len);
/* OK_MAP_INFO: the cache type (bits above the mask ignored); -EPROTO for NONE or an unknown type. */
int vgb_resp_map_info(const struct virtio_gpu_resp_map_info *r, uint32_t *cache, char *why, size_t len);

#endif
