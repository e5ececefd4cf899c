/* SPDX-License-Identifier: MIT */
/*
 * The path a driver takes to get pixels to the host, chosen the way a real
 * driver chooses it:
 *   mapped      blob + virgl (reference context) + host-visible region:
 *               HOST3D blob, MAP_BLOB, the CPU writes through the mapping;
 *   guest-blob  blob without a region: GUEST blob over scattered pages,
 *               TRANSFER_TO_HOST_2D kept for devices that copy;
 *   copy        no blob: 2D resource, ATTACH_BACKING, TRANSFER_TO_HOST_2D.
 * A full region makes a mapped surface fall back to guest-blob.
 */
#ifndef VGB_PATH_H
#define VGB_PATH_H

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"
#include "vgb/driver.h"

enum vgb_path {
	VGB_PATH_MAPPED,
	VGB_PATH_GUEST_BLOB,
	VGB_PATH_COPY,
	VGB_PATH_COUNT
};

const char *vgb_path_name(enum vgb_path p);
/* -1 for an unknown name. */
int vgb_path_from_name(const char *name);
/* Why the device does not allow path p (NULL when it does). */
const char *vgb_path_unavailable(struct vgb_drv *drv, enum vgb_path p);
/* The best path this device allows. */
enum vgb_path vgb_path_choose(struct vgb_drv *drv);

/* A displayable buffer on some path. */
struct vgb_surface {
	enum vgb_path path;           /* the path in use (after any fallback) */
	bool fell_back;
	char fallback_reason[160];
	uint32_t resource_id, format, width, height, stride;
	uint64_t size;
	bool has_backing;
	struct vgb_drv_backing backing;
	bool mapped;
	bool map_refused;             /* MAP_BLOB failed with an answer (or the region was full) */
	struct vgb_drv_mapping map;
	uint32_t ctx_id;
	uint64_t blob_id;
};

/* Create a width x height surface on path p (falling back as a driver does). */
int vgb_surface_create(struct vgb_drv *drv, enum vgb_path p, uint32_t format, uint32_t width,
		       uint32_t height, struct vgb_surface *s);
/* Put the frame's pixels where the host will read them (writes + transfers). */
int vgb_surface_upload(struct vgb_drv *drv, struct vgb_surface *s, const struct vgb_frame *f);
/* Scan the surface out on scanout_id and flush all of it. */
int vgb_surface_show(struct vgb_drv *drv, struct vgb_surface *s, uint32_t scanout_id);
/* Unmap, unref, free the backing. */
int vgb_surface_destroy(struct vgb_drv *drv, struct vgb_surface *s);

/*
 * Wait (bounded by timeout_ms) until the scanout's UPDATE messages show the
 * frame exactly and at least one more UPDATE than `updates_before` arrived.
 * 0 when they do; otherwise -1 with a description in detail.
 */
int vgb_wait_frame(struct vgb_drv *drv, uint32_t scanout_id, const struct vgb_frame *f,
		   uint64_t updates_before, int timeout_ms, char *detail, size_t detail_len);

#endif
