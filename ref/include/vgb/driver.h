/* SPDX-License-Identifier: MIT */
/*
 * The reference virtio-gpu driver (libvgb-guest).
 *
 * It sits on the vhost-user frontend (frontend.h), which plays the VMM: guest
 * RAM, virtqueues and the host-visible region.  The driver negotiates, reads
 * the config space, and offers one call per virtio-gpu command.  Every
 * response is untrusted: its type, length, fence echo and map_info are checked
 * before anything in it is used.
 *
 * Command calls return:
 *   0                         the device answered with the expected OK_* response;
 *   VIRTIO_GPU_RESP_ERR_*     (> 0) the device answered with that error;
 *   -errno                    the driver refused (e.g. -EBUSY: blob already mapped),
 *                             the transport failed (-EPIPE: backend gone, -ETIMEDOUT),
 *                             or the response broke the protocol (-EPROTO: a device error).
 * vgb_drv_error() describes the last failure in words.
 */
#ifndef VGB_DRIVER_H
#define VGB_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/frontend.h"
#include "vgb/refctx.h"
#include "vgb/wire.h"

struct vgb_drv;

/* Device feature bits (0..23) this driver knows how to use. */
#define VGB_DRV_FEATURES                                                          \
	((1ull << VIRTIO_GPU_F_VIRGL) | (1ull << VIRTIO_GPU_F_EDID) |                \
	 (1ull << VIRTIO_GPU_F_RESOURCE_BLOB) | (1ull << VIRTIO_GPU_F_CONTEXT_INIT) | \
	 (1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT))

/* The host-visible region is shared memory id 1 (virtio-gpu). */
#define VGB_DRV_SHMID_HOST_VISIBLE 1

struct vgb_drv_options {
	struct vgb_fe_options fe; /* how to reach the backend; see frontend.h */
	uint64_t features;        /* device bits the driver may accept (VGB_DRV_FEATURES) */
	bool ignore_region;       /* behave as if the device had no host-visible region */
	bool fence_all;           /* send every controlq command with FLAG_FENCE */
};

void vgb_drv_options_defaults(struct vgb_drv_options *o);

/* Start the frontend, negotiate, read and check the config. NULL + err on failure. */
struct vgb_drv *vgb_drv_open(const struct vgb_drv_options *o, char *err, size_t errlen);
/* Stops the frontend (and a spawned backend). NULL is fine. */
void vgb_drv_close(struct vgb_drv *drv);

const char *vgb_drv_error(const struct vgb_drv *drv);
struct vgb_fe *vgb_drv_fe(struct vgb_drv *drv);

/* What was negotiated and read from config space (validated). */
struct vgb_drv_caps {
	uint64_t features;        /* negotiated device bits */
	uint32_t num_scanouts;    /* 1..16 */
	bool scanouts_from_vmm;   /* the backend left num_scanouts 0 for the VMM (QEMU's does) */
	uint32_t num_capsets;
	uint32_t blob_alignment;  /* 0 unless F_BLOB_ALIGNMENT */
	uint64_t map_granularity; /* region offsets and map sizes: max(4096, blob_alignment) */
	void *region;             /* host-visible region in this process, NULL if none */
	uint64_t region_size;
};
const struct vgb_drv_caps *vgb_drv_caps(const struct vgb_drv *drv);
bool vgb_drv_has(const struct vgb_drv *drv, unsigned feature_bit);

/* --- Raw access (tests) --- */

/*
 * Send req (req_len bytes, as one driver-readable element) on `queue` with a
 * resp_cap-byte device-writable element; copy what the device wrote to resp.
 * Nothing is checked or rewritten.  0 or -errno; *used_len = device's used.len.
 */
int vgb_drv_raw(struct vgb_drv *drv, unsigned queue, const void *req, size_t req_len, void *resp,
		size_t resp_cap, uint32_t *used_len);

/* Last response header the device returned (type in host order). */
uint32_t vgb_drv_last_resp_type(const struct vgb_drv *drv);

/* --- Fences --- */

/* Fence the next command: FLAG_FENCE, a new fence_id, and ring_idx when use_ring. */
void vgb_drv_fence_next(struct vgb_drv *drv, bool use_ring, uint8_t ring_idx);
/* Id of the last fence whose completion (with a correct echo) was seen; 0 if none. */
uint64_t vgb_drv_fence_completed(const struct vgb_drv *drv);

/* --- Display --- */

struct vgb_drv_display {
	uint32_t x, y, width, height;
	bool enabled;
};
/* Fills out[0..num_scanouts). */
int vgb_drv_display_info(struct vgb_drv *drv, struct vgb_drv_display *out, unsigned cap);
/*
 * Pending config events (events_read), acknowledged with events_clear as a
 * driver does on a config interrupt; *events gets them (VIRTIO_GPU_EVENT_DISPLAY:
 * the display changed, ask vgb_drv_display_info again).
 */
int vgb_drv_display_events(struct vgb_drv *drv, uint32_t *events);
/* EDID blob of a scanout into buf (cap >= 1024 is always enough); *size = its length. */
int vgb_drv_edid(struct vgb_drv *drv, uint32_t scanout_id, uint8_t *buf, size_t cap, uint32_t *size);

/* --- Guest backing (scattered guest pages) --- */

enum vgb_backing_layout {
	VGB_BACKING_CONTIG,     /* one entry */
	VGB_BACKING_PAGES,      /* one entry per page, pages deliberately non-adjacent */
	VGB_BACKING_ODD,        /* non-adjacent pages cut into entries of odd sizes and offsets */
};

struct vgb_drv_backing {
	uint64_t size;                           /* bytes described by the entries */
	unsigned nentries;
	struct virtio_gpu_mem_entry *entries;    /* wire form (le) */
	unsigned npages;                         /* pages owned, for freeing */
	uint64_t *pages;
	uint64_t contig_gpa, contig_size;        /* VGB_BACKING_CONTIG allocation */
};

int vgb_drv_backing_alloc(struct vgb_drv *drv, uint64_t size, enum vgb_backing_layout layout,
			  struct vgb_drv_backing *out);
void vgb_drv_backing_free(struct vgb_drv *drv, struct vgb_drv_backing *b);
/* Copy between a linear buffer and the backing's bytes [offset, +len). */
int vgb_drv_backing_write(struct vgb_drv *drv, const struct vgb_drv_backing *b, uint64_t offset,
			  const void *data, uint64_t len);
int vgb_drv_backing_read(struct vgb_drv *drv, const struct vgb_drv_backing *b, uint64_t offset,
			 void *data, uint64_t len);

/* --- 2D resources --- */

/* A fresh resource id (never 0, never reused while the driver lives). */
uint32_t vgb_drv_new_resource_id(struct vgb_drv *drv);

int vgb_drv_create_2d(struct vgb_drv *drv, uint32_t resource_id, uint32_t format, uint32_t width,
		      uint32_t height);
int vgb_drv_attach_backing(struct vgb_drv *drv, uint32_t resource_id, const struct vgb_drv_backing *b);
int vgb_drv_detach_backing(struct vgb_drv *drv, uint32_t resource_id);
int vgb_drv_transfer_to_host_2d(struct vgb_drv *drv, uint32_t resource_id, struct virtio_gpu_rect r,
				uint64_t offset);
int vgb_drv_set_scanout(struct vgb_drv *drv, uint32_t scanout_id, uint32_t resource_id,
			struct virtio_gpu_rect r);
int vgb_drv_flush(struct vgb_drv *drv, uint32_t resource_id, struct virtio_gpu_rect r);
/* Unref; a mapping the blob still had is forgotten (the device unmaps implicitly). */
int vgb_drv_unref(struct vgb_drv *drv, uint32_t resource_id);

/* --- Capsets and contexts --- */

struct vgb_drv_capset_info {
	uint32_t id, max_version, max_size;
};
int vgb_drv_capset_info(struct vgb_drv *drv, uint32_t index, struct vgb_drv_capset_info *out);
/* Index of capset id in the device's list, or -ENOENT. */
int vgb_drv_find_capset(struct vgb_drv *drv, uint32_t capset_id, struct vgb_drv_capset_info *out);
/* GET_CAPSET into buf; *len = payload bytes (= max_size of its info). */
int vgb_drv_capset(struct vgb_drv *drv, uint32_t capset_id, uint32_t version, void *buf, size_t cap,
		   uint32_t *len);

/* CTX_CREATE; context_init selects a capset (needs F_CONTEXT_INIT when != 0). */
int vgb_drv_ctx_create(struct vgb_drv *drv, uint32_t ctx_id, uint32_t context_init, const char *name);
int vgb_drv_ctx_destroy(struct vgb_drv *drv, uint32_t ctx_id);
int vgb_drv_ctx_attach(struct vgb_drv *drv, uint32_t ctx_id, uint32_t resource_id);
int vgb_drv_ctx_detach(struct vgb_drv *drv, uint32_t ctx_id, uint32_t resource_id);
/* SUBMIT_3D of a command stream (e.g. built with refctx_stream.h). */
int vgb_drv_submit_3d(struct vgb_drv *drv, uint32_t ctx_id, const void *stream, uint32_t size);

/*
 * The driver's reference context (capset VGB_CAPSET_REFCTX via context_init),
 * created on first use after its capset was read and checked.
 */
int vgb_drv_refctx(struct vgb_drv *drv, uint32_t *ctx_id, struct vgb_refctx_caps *caps);
/* A fresh blob_id for context objects. */
uint64_t vgb_drv_new_blob_id(struct vgb_drv *drv);

/* --- Blobs --- */

struct vgb_drv_blob_desc {
	uint32_t blob_mem;     /* VIRTIO_GPU_BLOB_MEM_* */
	uint32_t blob_flags;   /* VIRTIO_GPU_BLOB_FLAG_* */
	uint32_t ctx_id;       /* context for HOST3D* */
	uint64_t blob_id;      /* context object for HOST3D* */
	uint64_t size;         /* rounded up to blob_alignment when negotiated */
	const struct vgb_drv_backing *backing; /* GUEST / HOST3D_GUEST entries */
};
/* The size a blob of `size` bytes is created with (alignment applied). */
uint64_t vgb_drv_blob_size(const struct vgb_drv *drv, uint64_t size);
int vgb_drv_create_blob(struct vgb_drv *drv, uint32_t resource_id, const struct vgb_drv_blob_desc *d);

/* A blob mapped into the host-visible region. */
struct vgb_drv_mapping {
	void *ptr;          /* CPU address of the blob's first byte */
	uint64_t offset;    /* region offset */
	uint64_t size;      /* bytes reserved in the region (granularity multiple) */
	uint32_t map_info;  /* cache type the device reported (low 4 bits) */
	bool cacheable;     /* CPU mapping type chosen: CACHED -> cacheable, WC/UNCACHED -> not */
};
/*
 * Reserve a region range, MAP_BLOB there, check map_info (NONE or an unknown
 * cache type on success is a device error), and return the pointer.
 * -EBUSY if the driver already mapped it, -ENOSPC if the region is full,
 * -ENODEV without a region.
 */
int vgb_drv_map(struct vgb_drv *drv, uint32_t resource_id, struct vgb_drv_mapping *out);
/* MAP_BLOB at a caller-chosen offset, bypassing the driver's bookkeeping (lifecycle tests). */
int vgb_drv_map_at(struct vgb_drv *drv, uint32_t resource_id, uint64_t offset, uint32_t *map_info);
/* UNMAP_BLOB; the range is released after OK.  -ENOENT if the driver has no mapping. */
int vgb_drv_unmap(struct vgb_drv *drv, uint32_t resource_id);
/* UNMAP_BLOB sent regardless of bookkeeping (lifecycle tests). */
int vgb_drv_unmap_raw(struct vgb_drv *drv, uint32_t resource_id);
/* Make CPU writes through a mapping visible before the next command (no-op when cacheable). */
void vgb_drv_mapping_flush(const struct vgb_drv_mapping *m);

int vgb_drv_transfer_to_host_3d(struct vgb_drv *drv, uint32_t ctx_id, uint32_t resource_id,
				uint64_t offset, uint32_t bytes);
int vgb_drv_transfer_from_host_3d(struct vgb_drv *drv, uint32_t ctx_id, uint32_t resource_id,
				  uint64_t offset, uint32_t bytes);

struct vgb_drv_scanout_blob {
	uint32_t format, width, height; /* framebuffer */
	uint32_t stride, offset;        /* plane 0 */
	struct virtio_gpu_rect r;       /* shown part */
};
int vgb_drv_set_scanout_blob(struct vgb_drv *drv, uint32_t scanout_id, uint32_t resource_id,
			     const struct vgb_drv_scanout_blob *s);

/*
 * Device reset through the transport.  Every resource, context and mapping is
 * gone afterwards: the driver forgets them (its mappings first), so no id or
 * region range from before is named again until re-created.
 */
int vgb_drv_reset(struct vgb_drv *drv);

/* Region bookkeeping: bytes the driver has reserved in the region. */
uint64_t vgb_drv_region_used(const struct vgb_drv *drv);

#endif
