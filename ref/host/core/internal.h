/* SPDX-License-Identifier: MIT */
/*
 * State of the reference device, shared by the files of ref/host/core/.
 * Each file owns one concern; commands arrive here already decoded
 * (vgb/decode.h), so handlers only check what needs device state.
 */
#ifndef VGB_CORE_INTERNAL_H
#define VGB_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "vgb/decode.h"
#include "vgb/device.h"

#define VGB_MAX_CONTEXTS 64     /* live contexts; a resource records its contexts as a bitmask */
#define VGB_RES_BUCKETS 256
#define VGB_PAGE 4096u

/* Host memory: anonymous for 2D pixels, memfd when it may be placed into the region. */
struct vgb_hostmem {
	uint8_t *ptr;
	uint64_t size;
	int fd; /* -1 when anonymous */
	uint64_t fd_offset; /* where the memory starts in fd */
	bool external; /* the renderer's memory: not charged to max_host_memory */
	bool borrowed; /* ptr is the renderer's own mapping: not ours to unmap */
};

/* Guest pages behind a resource, in backing order; starts[i] = byte offset of entry i. */
struct vgb_backing {
	struct vgb_entry *entries;
	uint64_t *starts;
	uint32_t n; /* 0 = no backing */
	uint64_t size;
	/* Every entry was found inside this memory table (pointer and generation): a range
	 * check needs no walk over the entries until the table changes. */
	const struct vgb_guest_mem *valid_mem;
	uint64_t valid_gen;
};

struct vgb_resource {
	uint32_t id;
	bool blob;
	/* 2D resources */
	uint32_t format, width, height, bpp;
	uint64_t stride;
	/* blobs */
	uint32_t blob_mem, blob_flags;
	uint64_t blob_id;
	/* blobs of a renderer context (vgb/renderer.h) */
	bool renderer;
	uint32_t map_info;           /* the renderer's cache type for MAP_BLOB */
	char *unplaceable;           /* why the renderer could not export the memory, or NULL */

	uint64_t size;               /* bytes of content */
	struct vgb_hostmem host;     /* 2D pixels or HOST3D* memory; ptr NULL for GUEST blobs */
	struct vgb_backing backing;  /* guest pages (2D backing, GUEST storage, HOST3D_GUEST shadow) */
	bool mapped;
	uint64_t map_offset;         /* in the host-visible region */
	uint32_t scanouts;           /* bit i: scanout i shows this resource */
	uint64_t ctx_slots;          /* bit i: attached to dev->ctx[i] */
	uint64_t charged;            /* host bytes charged to max_host_memory */
	struct vgb_resource *next;   /* hash chain */
};

/* A host memory object of the reference context, named by blob_id, not yet a resource. */
struct vgb_hostobj {
	uint64_t blob_id;
	struct vgb_hostmem mem;
	struct vgb_hostobj *next;
};

/* Last fence_id seen on a timeline, for validating mode. */
struct vgb_timeline {
	bool seen;
	uint64_t last;
};

struct vgb_context {
	bool live;
	uint32_t id;
	uint32_t capset_id;
	bool renderer;               /* served by the external renderer, not the reference context */
	char name[65];
	struct vgb_hostobj *objects;
	struct vgb_timeline rings[VGB_MAX_RING_IDX + 1]; /* fences with INFO_RING_IDX */
};

struct vgb_scanout {
	uint32_t resource_id;        /* 0 = disabled */
	struct vgb_rect r;
	bool blob;
	uint32_t width, height, format, stride, offset; /* SET_SCANOUT_BLOB geometry */
	uint8_t *staging;            /* rows gathered from scattered guest pages for update() */
	uint64_t staging_len;
};

struct vgb_device {
	struct vgb_device_config cfg;
	struct vgb_device_ops ops;
	uint64_t offered;
	uint64_t features;
	struct vgb_decode_limits lim;
	struct vgb_entry *entries;   /* decoder output, cfg.max_entries */
	struct vgb_entry *scratch;   /* overlap check, cfg.max_entries */

	struct vgb_resource *buckets[VGB_RES_BUCKETS];
	uint32_t nresources;
	uint32_t nobjects;          /* context objects, each holding a memfd; limited like resources */
	uint64_t host_used;

	struct vgb_context ctx[VGB_MAX_CONTEXTS];
	struct vgb_scanout scanout[VIRTIO_GPU_MAX_SCANOUTS];
	struct vgb_cursor {
		bool visible;
		uint32_t hot_x, hot_y;
	} cursor[VIRTIO_GPU_MAX_SCANOUTS];

	const struct vgb_guest_mem *mem; /* guest memory of the command being served */
	uint64_t mem_gen;                /* counts memory table changes (vgb_device_mem_changed) */
	struct vgb_timeline fences;      /* fences without INFO_RING_IDX: one device timeline */

	/* Validating mode: ids live at the last reset, not created since (REQ-DRV-RESET-0002). */
	uint32_t *stale_res;
	uint32_t nstale_res;
	uint32_t stale_ctx[VGB_MAX_CONTEXTS];
	uint32_t nstale_ctx;
	/* Validating mode: ids whose creation the device refused; the driver, which does not
	 * wait for the answer, still holds them as created until it unrefs them. */
	uint32_t refused_res[64];
	uint32_t nrefused_res, next_refused;
};

/* What a handler produces beyond the header: payload bytes written after it. */
struct vgb_reply {
	uint8_t *buf;   /* whole response buffer */
	size_t cap;
	size_t len;     /* set by handlers that answer with a payload */
	uint32_t type;  /* OK_* type of the payload */
};

/* A handler returned this when resp_cap cannot hold its response. */
#define VGB_RESP_TOO_SMALL 1u

static inline bool has_feature(const struct vgb_device *dev, unsigned bit)
{
	return dev->features & (1ull << bit);
}

/* A deliberately wrong behaviour is switched on (conformance self-tests only). */
static inline bool vgb_broken(const struct vgb_device *dev, enum vgb_device_break b)
{
	return dev->cfg.breaks & (uint32_t)b;
}

/* [off, off+len) inside [0, size), without overflow. */
static inline bool vgb_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Map offset granularity: blob_alignment when negotiated, else the page size. */
uint32_t vgb_granularity(const struct vgb_device *dev);

void vgb_log(struct vgb_device *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* hostmem.c: allocation charged against cfg.max_host_memory. */
int vgb_hostmem_alloc(struct vgb_device *dev, struct vgb_hostmem *m, uint64_t size, bool shareable);
void vgb_hostmem_free(struct vgb_device *dev, struct vgb_hostmem *m);
/* Takes over fd (the renderer's memory, size bytes from fd_offset); view is the renderer's
 * CPU mapping of it, or NULL to map fd here. */
int vgb_hostmem_adopt(struct vgb_hostmem *m, int fd, uint64_t fd_offset, uint64_t size, void *view);
bool vgb_charge(struct vgb_device *dev, uint64_t bytes);
void vgb_uncharge(struct vgb_device *dev, uint64_t bytes);

/* resource.c */
struct vgb_resource *vgb_res_find(struct vgb_device *dev, uint32_t id);
uint32_t vgb_res_new(struct vgb_device *dev, uint32_t id, struct vgb_resource **out);
void vgb_res_destroy(struct vgb_device *dev, struct vgb_resource *res);
void vgb_res_destroy_all(struct vgb_device *dev);
uint32_t vgb_backing_set(struct vgb_device *dev, struct vgb_backing *b, const struct vgb_entry *e,
			 uint32_t n);
void vgb_backing_clear(struct vgb_device *dev, struct vgb_backing *b);
uint32_t vgb_cmd_create_2d(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_create_3d(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_unref(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_attach_backing(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_detach_backing(struct vgb_device *dev, const struct vgb_cmd *cmd);

/* backing.c: byte access to guest pages through the current memory table. 0 or -1. */
int vgb_backing_read(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		     void *dst, uint64_t len);
int vgb_backing_write(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		      const void *src, uint64_t len);
/* A transfer's copy between host memory at host and [off, off+len) of the backing; stream:
 * non-temporal stores (copy.h), the caller then fences before answering.  0 or -1. */
int vgb_backing_copy(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		     uint8_t *host, uint64_t len, bool to_guest, bool stream);
/* [off, off+len) lies in the backing and in current guest memory (checked before copying, so
 * a rejected command changes nothing). */
bool vgb_backing_ok(const struct vgb_device *dev, struct vgb_backing *b, uint64_t off,
		    uint64_t len);
/* Host pointer of [off, off+len) when it is one contiguous host span, else NULL. */
void *vgb_backing_span(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		       uint64_t len);

/* transfer.c */
uint32_t vgb_cmd_transfer_2d(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_transfer_3d(struct vgb_device *dev, const struct vgb_cmd *cmd);

/* scanout.c */
uint32_t vgb_cmd_display_info(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep);
uint32_t vgb_cmd_get_edid(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep);
uint32_t vgb_cmd_set_scanout(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_set_scanout_blob(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_flush(struct vgb_device *dev, const struct vgb_cmd *cmd);
void vgb_scanout_disable(struct vgb_device *dev, uint32_t scanout_id);

/* edid.c: a 128-byte EDID 1.4 base block for a width x height mode. */
void vgb_edid_build(uint8_t out[128], uint32_t width, uint32_t height, uint32_t serial);

/* cursor.c */
void vgb_cursor_cmd(struct vgb_device *dev, const struct vgb_cmd *cmd);

/* blob.c */
uint32_t vgb_cmd_create_blob(struct vgb_device *dev, const struct vgb_cmd *cmd);
/* Byte access to a blob's content wherever it lives (host memory or guest pages). */
int vgb_blob_read(struct vgb_device *dev, struct vgb_resource *res, uint64_t off, void *dst,
		  uint64_t len);
int vgb_blob_write(struct vgb_device *dev, struct vgb_resource *res, uint64_t off, const void *src,
		   uint64_t len);

/* region.c */
uint32_t vgb_cmd_map_blob(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep);
uint32_t vgb_cmd_unmap_blob(struct vgb_device *dev, const struct vgb_cmd *cmd);
int vgb_region_unmap(struct vgb_device *dev, struct vgb_resource *res);

/* context.c */
struct vgb_context *vgb_ctx_find(struct vgb_device *dev, uint32_t ctx_id);
uint32_t vgb_num_capsets(const struct vgb_device *dev);
uint32_t vgb_cmd_ctx_create(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_ctx_destroy(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_ctx_attach(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_ctx_detach(struct vgb_device *dev, const struct vgb_cmd *cmd);
uint32_t vgb_cmd_capset_info(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep);
uint32_t vgb_cmd_capset(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep);
void vgb_ctx_destroy_all(struct vgb_device *dev);
struct vgb_hostobj *vgb_ctx_take_object(struct vgb_context *ctx, uint64_t blob_id);

/* renderer.c: contexts and host blobs of the external renderer (vgb/renderer.h). */
static inline const struct vgb_renderer_ops *vgb_renderer(const struct vgb_device *dev)
{
	return dev->cfg.virgl ? dev->ops.renderer : NULL;
}
uint32_t vgb_renderer_num_capsets(const struct vgb_device *dev);
bool vgb_renderer_has_capset(const struct vgb_device *dev, uint32_t capset_id);
uint32_t vgb_renderer_capset_info(struct vgb_device *dev, uint32_t index, struct vgb_reply *rep);
uint32_t vgb_renderer_capset(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep);
uint32_t vgb_renderer_submit(struct vgb_device *dev, struct vgb_context *ctx, const struct vgb_cmd *cmd);
uint32_t vgb_renderer_create_blob(struct vgb_device *dev, struct vgb_context *ctx,
				  const struct vgb_cmd *cmd);
/* After a successful fenced command: waits for the renderer's work the fence covers. */
uint32_t vgb_renderer_fence(struct vgb_device *dev, const struct vgb_cmd *cmd);
void vgb_renderer_res_destroy(struct vgb_device *dev, struct vgb_resource *res);

/* refctx.c: SUBMIT_3D for the reference context type. */
uint32_t vgb_cmd_submit_3d(struct vgb_device *dev, const struct vgb_cmd *cmd);

/*
 * validate.c: validating mode.  The driver requirements the device can see
 * being broken; each maps to one REQ-DRV-* id of the spec (table in validate.c).
 */
enum vgb_drv_req {
	VGB_DRV_NONE,               /* no driver requirement names this failure: only logged */
	VGB_DRV_FEAT_CTX_INIT,      /* CONTEXT_INIT accepted without VIRGL */
	VGB_DRV_FEAT_BLOB_ALIGN,    /* BLOB_ALIGNMENT accepted without RESOURCE_BLOB */
	VGB_DRV_FEAT_UNOFFERED,     /* a feature accepted that was not offered */
	VGB_DRV_CMD_FEATURE,        /* command of a feature not negotiated */
	VGB_DRV_CMD_LENGTH,         /* request length (or type) not what the command defines */
	VGB_DRV_RESP_TOO_SMALL,     /* device-writable part smaller than the success response */
	VGB_DRV_HDR_FLAGS,          /* unknown hdr.flags bit */
	VGB_DRV_RING_IDX_FEATURE,   /* INFO_RING_IDX without CONTEXT_INIT */
	VGB_DRV_RING_IDX_RANGE,     /* ring_idx above 63 */
	VGB_DRV_PADDING,            /* non-zero padding in the header */
	VGB_DRV_RES_ID_CREATE,      /* create with resource_id 0 or in use */
	VGB_DRV_RES_ID_UNKNOWN,     /* a resource named that does not exist */
	VGB_DRV_CTX_ID_CREATE,      /* CTX_CREATE with ctx_id 0 or in use */
	VGB_DRV_CTX_INIT_FEATURE,   /* context_init without CONTEXT_INIT */
	VGB_DRV_REFCTX_LENGTH,      /* reference-context command of the wrong length */
	VGB_DRV_REFCTX_UNATTACHED,  /* reference-context command naming an unattached resource */
	VGB_DRV_FENCE_ORDER,        /* fence_id not above the previous one of its timeline */
	VGB_DRV_ENTRY_OUTSIDE,      /* entry outside guest RAM */
	VGB_DRV_ENTRY_OVERLAP,      /* entries overlapping */
	VGB_DRV_ENTRY_ZERO,         /* entry of length 0 */
	VGB_DRV_BLOB_MEM,           /* blob_mem not 1..3 */
	VGB_DRV_BLOB_SIZE_ALIGN,    /* size not a multiple of blob_alignment */
	VGB_DRV_BLOB_ID_GUEST,      /* GUEST blob with blob_id != 0 */
	VGB_DRV_BLOB_HOST_ENTRIES,  /* HOST3D blob with entries */
	VGB_DRV_BLOB_OBJECT,        /* host blob naming no object of its context */
	VGB_DRV_BLOB_OBJECT_SIZE,   /* host blob whose size is not its object's */
	VGB_DRV_BLOB_FLAGS,         /* unknown blob_flags bit */
	VGB_DRV_BLOB_CROSS_NO_UUID, /* USE_CROSS_DEVICE without RESOURCE_UUID */
	VGB_DRV_BLOB_ENTRIES_SHORT, /* guest storage shorter than size */
	VGB_DRV_BLOB_NO_VIRGL,      /* HOST3D* without VIRGL */
	VGB_DRV_MAPPABLE_NO_REGION, /* USE_MAPPABLE host blob without a region */
	VGB_DRV_MAP_NO_REGION,      /* MAP/UNMAP without a region */
	VGB_DRV_MAP_TWICE,          /* MAP of a mapped blob */
	VGB_DRV_MAP_NOT_MAPPABLE,   /* MAP of a non-blob, GUEST blob or blob without USE_MAPPABLE */
	VGB_DRV_MAP_OFFSET_ALIGN,   /* map offset not a multiple of the granularity */
	VGB_DRV_MAP_PAST_END,       /* map range past the region end */
	VGB_DRV_MAP_OVERLAP,        /* map range overlapping a live mapping */
	VGB_DRV_UNMAP_UNMAPPED,     /* UNMAP of a blob that is not mapped */
	VGB_DRV_DETACH_SCANNED_OUT, /* DETACH_BACKING of a scanned-out resource */
	VGB_DRV_SCANOUT_BOUNDS,     /* SET_SCANOUT_BLOB image outside the blob */
	VGB_DRV_SCANOUT_STRIDE,     /* strides[0] below width * 4 */
	VGB_DRV_XFER_BLOB_BOX,      /* blob 3D transfer whose linear view ends past the blob */
	VGB_DRV_XFER_HOST_2D,       /* TRANSFER_TO_HOST_2D on a HOST3D blob */
	VGB_DRV_CFG_WRITE,          /* a config field other than events_clear written */
	VGB_DRV_FEAT_NO_BLOB_ALIGN, /* SHOULD: RESOURCE_BLOB accepted, offered BLOB_ALIGNMENT not */
	VGB_DRV_BLOB_NOT_MAPPABLE,  /* MAP of a host blob created without USE_MAPPABLE */
	VGB_DRV_RESET_STALE_ID,     /* a resource or context from before a reset named */
	VGB_DRV_ENTRY_UNALIGNED,    /* SHOULD: entry addr/length not multiples of 4096 */
	VGB_DRV_BLOB_SIZE_PAGE,     /* SHOULD: blob size not a multiple of 4096 */
	VGB_DRV_LIMIT_ENTRIES,      /* SHOULD NOT: more than 16384 entries in one command */
	VGB_DRV_COUNT
};
void vgb_violation(struct vgb_device *dev, enum vgb_drv_req req, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Logs a rejected command, reports the broken driver requirement, returns resp. */
uint32_t vgb_reject(struct vgb_device *dev, enum vgb_drv_req req, uint32_t resp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Reports which driver requirement a command the decoder rejected broke. */
void vgb_validate_decode(struct vgb_device *dev, const struct vgb_cmd *cmd, size_t req_len,
			 uint32_t resp);
/* Checks of a well-framed request that do not make it fail (ring_idx feature, padding). */
void vgb_validate_request(struct vgb_device *dev, const struct vgb_cmd *cmd, const void *req,
			  size_t req_len);
/* A device reset is about to drop everything: remember the ids the driver may not name. */
void vgb_validate_reset(struct vgb_device *dev);
/* A resource (ctx false) or context id was created again: it may be named once more. */
void vgb_validate_created(struct vgb_device *dev, uint32_t id, bool ctx);
/* A create of resource id was refused: the driver may still name it until its UNREF. */
void vgb_validate_refused_create(struct vgb_device *dev, uint32_t id);
/* An unknown resource was named: true when it is one whose creation was refused (not the
 * driver's fault); an UNREF (unref true) ends that. */
bool vgb_validate_refused_named(struct vgb_device *dev, uint32_t id, bool unref);
/* An unknown resource or context id was named: reported when it predates a reset. */
void vgb_validate_unknown(struct vgb_device *dev, uint32_t id, bool ctx, const char *what);
void vgb_validate_free(struct vgb_device *dev);
const char *vgb_drv_req_id(enum vgb_drv_req req);

#endif
