/* SPDX-License-Identifier: MIT */
/*
 * An external renderer behind the reference device (vgb-host --renderer).
 *
 * The device core keeps the reference context as its own (the default
 * context type) and hands every context of another capset to the renderer:
 * its SUBMIT_3D streams, its fences, and the HOST3D blobs created from its
 * objects.  The core still decodes and checks every request first, owns the
 * resource table and the host-visible region, and answers with the spec's
 * error codes; a renderer only ever sees validated values.
 *
 * Every call returns VGB_DECODE_OK (0) or the VIRTIO_GPU_RESP_ERR_* code the
 * renderer's failure stands for.
 */
#ifndef VGB_RENDERER_H
#define VGB_RENDERER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the renderer made of a host blob. */
struct vgb_renderer_blob {
	int fd;             /* memory to place in the region, or -1 when it cannot be exported */
	uint64_t fd_offset; /* where the blob's first byte is in fd (page-aligned) */
	uint64_t fd_size;   /* bytes the fd holds; the device refuses to place fewer pages than the blob's */
	void *view;         /* the renderer's CPU mapping of the blob (kept until unref), or NULL */
	uint32_t map_info;  /* VIRTIO_GPU_MAP_CACHE_* of the memory (mappable blobs) */
	char why[160];      /* fd == -1: which call refused, for the log and the conformance report */
};

struct vgb_renderer_ops {
	void *opaque;
	/* Capset number index (0..): its id, max version and max size; false past the last. */
	bool (*capset_info)(void *opaque, uint32_t index, uint32_t *id, uint32_t *max_version,
			    uint32_t *max_size);
	/* The caps of capset id at version into buf (size = its max_size). */
	uint32_t (*capset)(void *opaque, uint32_t id, uint32_t version, void *buf, uint32_t size);
	uint32_t (*ctx_create)(void *opaque, uint32_t ctx_id, uint32_t capset_id, const char *name);
	void (*ctx_destroy)(void *opaque, uint32_t ctx_id);
	/* Resources of the renderer (its host blobs) attached to / detached from its context. */
	void (*ctx_attach)(void *opaque, uint32_t ctx_id, uint32_t res_id);
	void (*ctx_detach)(void *opaque, uint32_t ctx_id, uint32_t res_id);
	/* A command stream; len is a multiple of 4 and cmds 4-byte aligned. */
	uint32_t (*submit)(void *opaque, uint32_t ctx_id, const void *cmds, uint32_t len);
	/*
	 * Returns once the work submitted before it has completed: on the
	 * context's ring ring_idx when ring is true, else on the device timeline.
	 */
	uint32_t (*fence)(void *opaque, uint32_t ctx_id, bool ring, uint8_t ring_idx, uint64_t fence_id);
	/* A HOST3D blob from object blob_id of context ctx_id. */
	uint32_t (*create_blob)(void *opaque, uint32_t ctx_id, uint32_t res_id, uint32_t blob_flags,
				uint64_t blob_id, uint64_t size, struct vgb_renderer_blob *out);
	void (*unref)(void *opaque, uint32_t res_id);
};

#endif
