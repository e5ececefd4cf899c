/* SPDX-License-Identifier: MIT */
/* State shared by the files of libvgb-guest; not part of the API. */
#ifndef VGB_DRIVER_PRIV_H
#define VGB_DRIVER_PRIV_H

#include <stdarg.h>

#include "range_alloc.h"
#include "req_ids.h"
#include "vgb/driver.h"
#include "vgb/refctx.h"

/* What the driver remembers of each resource it created. */
struct drv_resource {
	uint32_t id;
	bool blob;
	uint32_t blob_mem, blob_flags;
	uint64_t size;           /* blob size */
	bool mapped;
	/*
	 * A MAP_BLOB whose outcome is unknown (no answer, or an answer that broke
	 * the protocol and could not be undone): the range stays reserved, never
	 * handed out, until the blob is unreferenced or the device reset.
	 */
	bool map_unknown;
	uint64_t map_offset, map_size;
};

struct vgb_drv {
	struct vgb_fe *fe;
	struct vgb_drv_options opts;
	struct vgb_drv_caps caps;
	char err[512];

	uint32_t next_resource_id;
	uint64_t next_blob_id;
	uint64_t next_fence_id, fence_completed;
	bool fence_pending, fence_ring;
	uint8_t fence_ring_idx;
	uint32_t last_resp_type; /* header type of the last response, when readable */
	uint32_t last_resp_len;  /* its used.len */
	uint32_t stalled_cmd;    /* a command the device did not return in time: nothing is sent until reset */

	/* One request and one response buffer in guest RAM, grown on demand. */
	uint64_t req_gpa, resp_gpa;
	size_t req_cap, resp_cap;

	struct vgb_range_alloc region;
	bool have_region;

	struct drv_resource *res;
	unsigned nres, res_cap;

	uint32_t refctx_id; /* the driver's reference context, 0 until opened */
	struct vgb_refctx_caps refctx_caps;
};

/* Record the last failure; returns ret for `return drv_fail(...)`. */
int drv_fail(struct vgb_drv *drv, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Send one controlq command and check the response.  req starts with a
 * ctrl_hdr whose type and ctx_id the caller set; flags and fence are filled in
 * here.  resp gets resp_len bytes; a response of type ok_type must be exactly
 * resp_len long unless got is given, in which case it may be shorter (>= 24)
 * and *got receives its length.  Returns the convention of driver.h.
 */
int drv_cmd(struct vgb_drv *drv, void *req, size_t req_len, void *resp, size_t resp_len,
	    uint32_t ok_type, size_t *got);
/* drv_cmd for commands answered OK_NODATA. */
int drv_cmd_nodata(struct vgb_drv *drv, void *req, size_t req_len);

struct virtio_gpu_ctrl_hdr drv_hdr(uint32_t type, uint32_t ctx_id);
/* Record a transport failure (backend gone, timeout, broken ring) in words. */
int drv_transport_error(struct vgb_drv *drv, int ret);

struct drv_resource *drv_res_find(struct vgb_drv *drv, uint32_t id);
struct drv_resource *drv_res_add(struct vgb_drv *drv, uint32_t id);
void drv_res_remove(struct vgb_drv *drv, uint32_t id);

/*
 * A create answered with the success type but a broken response: the device
 * holds the resource, the driver does not take it; UNREF it (best effort,
 * drv->err kept).
 */
void drv_undo_create(struct vgb_drv *drv, uint32_t resource_id);

/* The resource's region range no longer reaches memory: release it. */
int drv_region_release(struct vgb_drv *drv, struct drv_resource *r, const char *why, const char *req);

#endif
