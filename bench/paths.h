/* SPDX-License-Identifier: MIT */
/*
 * The three ways a frame reaches the host, each set up once and then
 * "uploaded" repeatedly.  An upload is: the guest CPU writes the whole frame
 * (a memcpy from the application's copy of it) into the memory this path
 * gives it, then sends the one command after which the host can consume the
 * frame where it lies; it ends when that command's response arrives.
 *
 *   transfer       2D resource backed by scattered 4 KiB guest pages; the
 *                  command is TRANSFER_TO_HOST_2D (the device copies the iovecs
 *                  into its host image).
 *   guest-blob     GUEST blob over the same kind of pages; the command is
 *                  TRANSFER_TO_HOST_2D, which the device validates and answers
 *                  without copying (the host reads the pages in place).
 *   host3d-mapped  HOST3D blob of the reference context, mapped into the
 *                  host-visible region; the guest writes through the mapping;
 *                  the command is TRANSFER_TO_HOST_3D over the bytes (a flush:
 *                  no copy).
 */
#ifndef VGB_BENCH_PATHS_H
#define VGB_BENCH_PATHS_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

enum path_kind { PATH_TRANSFER, PATH_GUEST_BLOB, PATH_HOST3D_MAPPED };

struct frame {
	char label[24];
	uint32_t width, height; /* B8G8R8A8; the linear buffer is a square image for the 2D path */
	uint64_t bytes;
};

struct path {
	enum path_kind kind;
	struct backend *be;
	struct frame frame;
	uint64_t size;          /* bytes rounded to the backend's alignment */
	uint32_t resource_id;
	bool created;           /* the device knows resource_id */
	uint64_t blob_id;
	uint64_t *gpas;         /* guest pages of transfer / guest-blob */
	uint8_t **pages;        /* their addresses in this process */
	unsigned npages;
	uint8_t *map;           /* host3d-mapped: the mapping in the region */
	uint64_t map_offset;
	bool mapped;
	char err[512];
};

const char *path_name(enum path_kind kind);
/* Why `be` cannot run this path (features it lacks), or NULL. */
const char *path_unsupported(struct backend *be, enum path_kind kind);

/* Maps the blob that receives host checksums (when the backend has the reference context),
 * below be->shm_floor so that frames can reuse the rest of the region. */
void paths_prepare(struct backend *be);

/* The reference context allocates host object blob_id and turns it into mappable HOST3D blob
 * `id`, attached to the context. */
int paths_create_host3d(struct backend *be, uint32_t id, uint64_t blob_id, uint64_t size);

int path_setup(struct path *p, struct backend *be, enum path_kind kind, const struct frame *f);
/* One upload of src (frame.bytes); the guest write and the command are timed apart, and
 * *host_cpu_s gets the CPU time the backend process ran during the command (NaN: unknown). */
int path_upload(struct path *p, const uint8_t *src, double *write_s, double *command_s, double *host_cpu_s);
/* Makes the host hash the frame where it consumes it and compares with src: 0 when equal,
 * 1 when this path/backend offers no way to ask, negative on a mismatch or error. */
int path_verify(struct path *p, const uint8_t *src);
void path_teardown(struct path *p);

#endif
