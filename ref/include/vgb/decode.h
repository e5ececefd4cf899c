/* SPDX-License-Identifier: MIT */
/*
 * One validating decoder per virtio-gpu command, shared by the reference
 * device, the conformance suite and the fuzzer.
 *
 * Input: the raw request bytes a driver wrote, their length and the features
 * that were negotiated.  Output: a host-endian struct vgb_cmd whose every field
 * has passed the checks that need no device state (type allowed by features,
 * exact length, flags, counts, ranges, integer overflow), or the response code
 * the reference device answers with (the policy of the spec's error table).
 * Checks that need state (does a resource exist, is guest memory behind an
 * entry) are the device's.
 */
#ifndef VGB_DECODE_H
#define VGB_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/wire.h"

/* Returned by the decoders when the command is well-formed. */
#define VGB_DECODE_OK 0u

/* What the decoder needs to know besides the bytes. */
struct vgb_decode_limits {
	uint64_t features;       /* negotiated device feature bits (1ull << VIRTIO_GPU_F_*) */
	uint32_t max_entries;    /* guest entries per command; also the size of the entries array */
	uint32_t blob_alignment; /* blob size granularity when F_BLOB_ALIGNMENT is negotiated */
	uint64_t max_blob_size;  /* 0 = no limit */
};

struct vgb_rect {
	uint32_t x, y, width, height;
};

struct vgb_box {
	uint32_t x, y, z, w, h, d;
};

/* A guest memory entry, host-endian. */
struct vgb_entry {
	uint64_t addr;
	uint32_t length;
};

/* A decoded controlq or cursorq command. */
struct vgb_cmd {
	/* Header, decoded first so that even a rejected command can echo its fence. */
	uint32_t type;
	uint32_t flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx;
	/* Framing and flags were valid, so the fields below were read (even if one failed). */
	bool body_decoded;
	/* On error: the failed check, "field: reason" (static string). */
	const char *why;

	union {
		/* RESOURCE_UNREF, DETACH_BACKING, ASSIGN_UUID, UNMAP_BLOB, CTX_ATTACH/DETACH_RESOURCE */
		struct { uint32_t resource_id; } res;
		struct { uint32_t resource_id, format, width, height; } create_2d;
		struct { struct vgb_rect r; uint32_t scanout_id, resource_id; } set_scanout;
		struct { struct vgb_rect r; uint32_t resource_id; } flush;
		struct { struct vgb_rect r; uint64_t offset; uint32_t resource_id; } transfer_2d;
		struct { uint32_t resource_id, nr_entries; uint64_t total; } attach;
		struct { uint32_t capset_index; } capset_info;
		struct { uint32_t capset_id, capset_version; } capset;
		struct { uint32_t scanout; } edid;
		struct {
			uint32_t resource_id, blob_mem, blob_flags, nr_entries;
			uint64_t blob_id, size;
			uint64_t total; /* sum of entry lengths */
		} create_blob;
		struct {
			struct vgb_rect r;
			uint32_t scanout_id, resource_id, width, height, format;
			uint32_t strides[4], offsets[4];
		} scanout_blob;
		struct {
			uint32_t resource_id, target, format, bind, width, height, depth;
			uint32_t array_size, last_level, nr_samples, flags;
		} create_3d;
		struct {
			struct vgb_box box;
			uint64_t offset;
			uint32_t resource_id, level, stride, layer_stride;
		} transfer_3d;
		struct {
			uint32_t nlen, context_init, capset_id;
			char debug_name[65]; /* NUL-terminated copy of debug_name[0..nlen) */
		} ctx_create;
		struct { uint32_t size; const uint8_t *data; /* points into the request */ } submit;
		struct { uint32_t resource_id; uint64_t offset; } map;
		struct {
			uint32_t scanout_id, x, y;
			uint32_t resource_id, hot_x, hot_y; /* UPDATE_CURSOR only */
		} cursor;
	} u;
};

/*
 * Decodes one controlq request.  entries (room for lim->max_entries) receives
 * the guest entries of ATTACH_BACKING / CREATE_BLOB.  Returns VGB_DECODE_OK or
 * the VIRTIO_GPU_RESP_ERR_* to answer with.  When req_len covers a header,
 * cmd's header fields are filled even on error.
 */
uint32_t vgb_decode_ctrl(const void *req, size_t req_len, const struct vgb_decode_limits *lim,
			 struct vgb_cmd *cmd, struct vgb_entry *entries);

/* Decodes one cursorq request (UPDATE_CURSOR / MOVE_CURSOR). */
uint32_t vgb_decode_cursor(const void *req, size_t req_len, struct vgb_cmd *cmd);

/* Size of the request struct of a command type (without entries or payload), 0 if unknown. */
size_t vgb_cmd_size(uint32_t type);

/*
 * The length a request's command defines: its structure plus its entries (ATTACH_BACKING,
 * CREATE_BLOB) or its stream (SUBMIT_3D), as far as req holds the fields that say so.
 * Bytes beyond it are ignored by the decoder; a driver sends none (REQ-DRV-CMD-0001).
 */
uint64_t vgb_cmd_length(const void *req, size_t req_len);

/* The feature bit a command needs (-1: none), e.g. VIRTIO_GPU_F_RESOURCE_BLOB for MAP_BLOB. */
int vgb_cmd_feature(uint32_t type);

/* Bytes of the success response of a decoded command (capset payloads excluded). */
size_t vgb_resp_size(uint32_t type);

/* True when the entries overlap each other. scratch has room for n entries. */
bool vgb_entries_overlap(const struct vgb_entry *e, uint32_t n, struct vgb_entry *scratch);

/* r inside a width x height surface, without 32-bit overflow. */
bool vgb_rect_inside(const struct vgb_rect *r, uint32_t width, uint32_t height);

#endif
