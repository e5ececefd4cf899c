/* SPDX-License-Identifier: MIT */
/*
 * One device under test, reached through the vhost-user frontend: the process
 * it runs in, what it negotiated, and the ids and region space the benchmark
 * hands out on it.
 */
#ifndef VGB_BENCH_BACKEND_H
#define VGB_BENCH_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu_cmd.h"

/* What the frontend (the benchmark playing the VMM) does for this backend. */
struct backend_tuning {
	bool huge_pages;   /* guest RAM in huge pages where the host gives them */
	bool event_idx;    /* negotiate VIRTIO_RING_F_EVENT_IDX */
	unsigned poll_us;  /* busy-poll window after each kick (0 = sleep at once) */
};

struct backend {
	const char *name;      /* the row prefix: reference, qemu, reference-poll, ... */
	struct vgb_fe *fe;
	int pid;               /* the backend process (0: unknown) */
	struct gpu gpu;
	uint64_t features;     /* negotiated device feature bits */
	uint32_t alignment;    /* blob size / map offset granularity */
	uint8_t *shm;          /* host-visible region in this process, or NULL */
	uint64_t shm_size;
	uint64_t shm_next;     /* bump allocator over the region */
	uint64_t shm_floor;    /* what stays mapped across frames (the checksum blob) */
	uint32_t ctx_id;       /* reference context, 0 until created */
	uint32_t next_resource;
	uint64_t next_blob_id;
	uint32_t result_id;    /* small mapped HOST3D blob that receives host checksums */
	volatile uint8_t *result_map;
	char err[512];
};

/* Splits cmd on spaces into argv and starts it with ram_size bytes of guest RAM. */
int backend_open(struct backend *be, const char *name, const char *cmd, uint64_t ram_size, bool quiet,
		 const struct backend_tuning *tune);
void backend_close(struct backend *be);

bool backend_has(const struct backend *be, unsigned feature_bit);
/* The backend process's CPU seconds so far (NaN when unknown); *wait_s: its run-queue wait. */
double backend_cpu(const struct backend *be, double *wait_s);
/* Why the reference context is unavailable, or NULL when it is (created on first use). */
const char *backend_refctx(struct backend *be);
uint32_t backend_new_resource(struct backend *be);
/* Region offset for a mapping of size bytes (aligned), or UINT64_MAX when it does not fit. */
uint64_t backend_shm_alloc(struct backend *be, uint64_t size);
uint64_t round_up(uint64_t v, uint64_t a);

#endif
