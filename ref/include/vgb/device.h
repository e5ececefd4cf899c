/* SPDX-License-Identifier: MIT */
/*
 * The reference device's command core, independent of any transport.
 *
 * A transport (the vhost-user backend in ref/host/) pops a chain, gathers the
 * driver-readable part into one buffer and calls vgb_device_ctrl(); the device
 * writes the response and returns its length.  Everything the device needs
 * from the outside world (placing memory into the host-visible region, showing
 * a scanout) goes through vgb_device_ops, so the core runs the same under
 * vhost-user, in unit tests and in the fuzzer.
 */
#ifndef VGB_DEVICE_H
#define VGB_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/guest_mem.h"

struct vgb_device;
struct vgb_renderer_ops;

/* Transfers from this size on stream (bench/README.md, "Where the time goes", shows why). */
#define VGB_STREAM_MIN_DEFAULT (1ull << 20)

/* Knobs that select which paths and limits the device offers. */
struct vgb_device_config {
	uint32_t num_scanouts;     /* 1..16 */
	uint32_t width, height;    /* preferred mode of each enabled scanout */
	bool edid;                 /* offer VIRTIO_GPU_F_EDID */
	bool blob;                 /* offer VIRTIO_GPU_F_RESOURCE_BLOB */
	bool virgl;                /* offer VIRTIO_GPU_F_VIRGL (generic 3D: the reference context) */
	bool context_init;         /* offer VIRTIO_GPU_F_CONTEXT_INIT (needs virgl) */
	bool blob_alignment;       /* offer VIRTIO_GPU_F_BLOB_ALIGNMENT (needs blob) */
	uint32_t alignment;        /* map offset / blob size granularity: power of two >= 4096 */
	/* The host's page size (power of two >= 4096): the granularity never drops below it,
	 * so a driver that declines BLOB_ALIGNMENT is refused (REQ-DEV-FEAT-0070). */
	uint32_t page_size;
	uint64_t region_size;      /* host-visible region (shm id 1) bytes; 0 = no region */
	uint32_t map_cache;        /* VIRTIO_GPU_MAP_CACHE_* reported in map_info */
	uint32_t max_entries;      /* guest entries per command */
	uint64_t max_blob_size;    /* bytes per resource */
	uint64_t max_host_memory;  /* total host bytes for resources and context objects */
	uint32_t max_resources;
	uint64_t stream_min;       /* transfers of at least this many bytes use non-temporal stores
				    * (ref/host/core/copy.h); 0 = never */
	bool validate;             /* record driver-requirement violations (validating mode) */
	uint32_t breaks;           /* VGB_BREAK_* bits: deliberately wrong behaviours (self-tests) */
};

/*
 * Deliberately wrong behaviours a real device might have, so that the
 * conformance suite can show it catches each one (vgb-host --break=NAME).
 * For conformance self-tests only: a device with any of them set is not
 * conforming.  Each is implemented where the correct behaviour lives.
 */
enum vgb_device_break {
	VGB_BREAK_MAP_DOUBLE_OK = 1u << 0,        /* MAP of a mapped blob answers OK_MAP_INFO */
	VGB_BREAK_MAP_INFO_NONE = 1u << 1,        /* map_info 0 (NONE) on success */
	VGB_BREAK_MAP_INFO_WRONG = 1u << 2,       /* map_info not the cache type provided */
	VGB_BREAK_UNMAP_KEEPS_MAPPING = 1u << 3,  /* UNMAP answers OK, the range stays mapped */
	VGB_BREAK_UNREF_KEEPS_MAPPING = 1u << 4,  /* UNREF of a mapped blob leaves the mapping */
	VGB_BREAK_MAP_UNALIGNED_OK = 1u << 5,     /* map offsets not checked against the granularity */
	VGB_BREAK_TRANSFER_SKIP_LAST_ROW = 1u << 6, /* TRANSFER_TO_HOST_2D drops the last row */
	VGB_BREAK_GUEST_BLOB_STALE = 1u << 7,     /* GUEST blob scanout shows a copy taken at SET_SCANOUT_BLOB */
	VGB_BREAK_ERR_RESOURCE_ID_AS_PARAM = 1u << 8, /* unknown resource: ERR_INVALID_PARAMETER */
	VGB_BREAK_FENCE_NO_ECHO = 1u << 9,        /* fenced responses without FLAG_FENCE */
	VGB_BREAK_CHECKSUM_OFF_BY_ONE = 1u << 10, /* reference-context CHECKSUM skips the last byte */
	VGB_BREAK_MAP_STALE_COPY = 1u << 11,      /* MAP_BLOB of a blob_id != 0 over a page: a copy taken at MAP */
	VGB_BREAK_ALIGNMENT_IGNORED = 1u << 12,   /* MAP ignores the granularity it announced, needs 4x it */
};

/*
 * The breaks by name (e.g. "map-double-ok"): fills *bit, *what and returns
 * the name of break number index, or NULL past the last one.
 */
const char *vgb_device_break_info(unsigned index, uint32_t *bit, const char **what);
/* The bit of a break name, 0 if there is no such break. */
uint32_t vgb_device_break_bit(const char *name);

void vgb_device_config_defaults(struct vgb_device_config *cfg);

/* One output as a display reports it (GET_DISPLAY_INFO's pmodes, host order). */
struct vgb_display_mode {
	uint32_t x, y, width, height;
	bool enabled;
};

/* Services the transport gives the device. Any may be NULL where unsupported. */
struct vgb_device_ops {
	void *opaque;
	/* Place fd[fd_offset, +len) at shm_offset of the host-visible region. 0 or -errno. */
	int (*shm_map)(void *opaque, int fd, uint64_t fd_offset, uint64_t shm_offset, uint64_t len,
		       bool writable);
	/* Remove exactly one earlier mapping; afterwards the range reaches no memory. */
	int (*shm_unmap)(void *opaque, uint64_t shm_offset, uint64_t len);
	/* A scanout now shows width x height (0 x 0 = disabled). */
	void (*scanout)(void *opaque, uint32_t scanout_id, uint32_t width, uint32_t height);
	/* Pixels of a flushed rectangle (B8G8R8A8-style, 4 bytes per pixel, rows of stride bytes). */
	void (*update)(void *opaque, uint32_t scanout_id, uint32_t x, uint32_t y, uint32_t width,
		       uint32_t height, const void *pixels, uint32_t stride);
	/*
	 * The display's outputs (modes[0..16)), when a display is connected: 0, or
	 * -errno when there is none (-ENOTCONN) or it did not answer.  The device
	 * then answers GET_DISPLAY_INFO from its own configuration.
	 */
	int (*display_info)(void *opaque, struct vgb_display_mode modes[16]);
	/*
	 * The display's EDID of a scanout into edid[0..1024): 0 and *size, or -errno
	 * when there is no display or it offers no EDID (the device's own is used).
	 */
	int (*edid)(void *opaque, uint32_t scanout_id, uint8_t edid[1024], uint32_t *size);
	/* Cursor image (64x64 ARGB, NULL = keep image) and position; !visible: hidden. */
	void (*cursor)(void *opaque, uint32_t scanout_id, uint32_t x, uint32_t y, bool visible,
		       uint32_t hot_x, uint32_t hot_y, const void *argb64x64);
	/* A driver requirement was broken (validating mode): its REQ-DRV-* id and what was seen. */
	void (*violation)(void *opaque, const char *req_id, const char *detail);
	/* A line for the log: rejected commands, transport-level problems (NULL = silent). */
	void (*log)(void *opaque, const char *line);
	/* Validating mode: a driver SHOULD / SHOULD NOT was not met (a warning, not a
	 * violation): its REQ-DRV-* id and what was seen.  NULL: not reported. */
	void (*warning)(void *opaque, const char *req_id, const char *detail);
	/* Serves the contexts of capsets other than the reference context's (vgb/renderer.h);
	 * NULL: the reference context is the only context type. */
	const struct vgb_renderer_ops *renderer;
};

/* NULL when cfg is inconsistent (see vgb_device_config_check) or memory is short. */
struct vgb_device *vgb_device_new(const struct vgb_device_config *cfg, const struct vgb_device_ops *ops);
/* NULL when cfg is usable, else what is wrong with it. */
const char *vgb_device_config_check(const struct vgb_device_config *cfg);
void vgb_device_free(struct vgb_device *dev);

/* Bytes of the host-visible region the transport must expose (0: none; none without blob). */
uint64_t vgb_device_region_size(const struct vgb_device *dev);

/* Host bytes currently charged against max_host_memory (resources, objects, bookkeeping). */
uint64_t vgb_device_host_memory(const struct vgb_device *dev);

/* Feature bits (device-specific, 0..23) the device offers. */
uint64_t vgb_device_features(const struct vgb_device *dev);
/*
 * The driver accepted these; must be called before commands. Unoffered bits are a driver error.
 * false: the device refuses the combination (FEATURES_OK must fail) and keeps no feature.
 */
bool vgb_device_set_features(struct vgb_device *dev, uint64_t features);
/* Config space as bytes (little-endian); returns its size (16 or 20). */
size_t vgb_device_config_space(const struct vgb_device *dev, void *buf, size_t cap);

/*
 * The front-end wrote len bytes of the config space at offset.  Only
 * events_clear is driver-writable: a partial write touching another field, a
 * write of the whole config changing num_capsets or blob_alignment (QEMU
 * passes events_clear writes on as whole-config writes carrying its own
 * events_read/num_scanouts), or bytes past the config are refused (false) and,
 * in validating mode, reported (REQ-DRV-CFG-0002).
 */
bool vgb_device_config_write(struct vgb_device *dev, uint32_t offset, const void *buf, uint32_t len);

/* Largest request the device accepts in one chain (commands with entries included). */
size_t vgb_device_max_request(const struct vgb_device *dev);

/*
 * One controlq command: req/req_len is what the driver wrote, resp has resp_cap
 * writable bytes.  Returns the bytes of response written (0 if resp_cap is too
 * small for even a header: the chain is answered with used.len 0 and logged).
 * mem is the current guest memory table.  Never fails for bad input: it answers
 * with the error response the spec names.
 */
size_t vgb_device_ctrl(struct vgb_device *dev, const struct vgb_guest_mem *mem, const void *req,
		       size_t req_len, void *resp, size_t resp_cap);

/*
 * A controlq request longer than vgb_device_max_request(), of which the
 * transport read only the first prefix_len bytes.  A command that fits in
 * them is served (what follows it is ignored); otherwise it is answered
 * without executing: ERR_INVALID_PARAMETER for a SUBMIT_3D with a longer
 * stream than the device takes, ERR_UNSPEC otherwise (more entries than the
 * device takes included, as the error table says).  Returns the response
 * bytes written.
 */
size_t vgb_device_ctrl_oversized(struct vgb_device *dev, const struct vgb_guest_mem *mem,
				 const void *req, size_t prefix_len, size_t total_len, void *resp,
				 size_t resp_cap);

/* One cursorq command (no response payload). */
void vgb_device_cursor(struct vgb_device *dev, const struct vgb_guest_mem *mem, const void *req,
		       size_t req_len);

/*
 * The REQ-DRV-* ids validating mode can report (each once), for tools that list
 * what the reference device checks. Returns the count; fills up to cap.
 */
size_t vgb_device_checked_requirements(const char **ids, size_t cap);

/* Device reset: drop every resource, context, mapping and scanout. */
void vgb_device_reset(struct vgb_device *dev);

/*
 * The transport removed every mapping of the host-visible region itself (a
 * vhost-user front-end does when it stops or resets the device): the device
 * forgets them without calling ops->shm_unmap, and every blob can be mapped
 * again.
 */
void vgb_device_forget_mappings(struct vgb_device *dev);

/* Guest memory is about to change (SET_MEM_TABLE): forget cached host pointers into it. */
void vgb_device_mem_changed(struct vgb_device *dev);

#endif
