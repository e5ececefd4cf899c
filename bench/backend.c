// SPDX-License-Identifier: MIT
#include "backend.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "vgb/refctx.h"
#include "vgb/wire.h"

/* The largest request: ATTACH_BACKING / CREATE_BLOB of a 64 MiB buffer in 4 KiB entries. */
#define REQ_CAP (sizeof(struct virtio_gpu_resource_create_blob) + 16384 * sizeof(struct virtio_gpu_mem_entry) + 4096)
#define MAX_ARGS 32

uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

int backend_open(struct backend *be, const char *name, const char *cmd, uint64_t ram_size, bool quiet,
		 const struct backend_tuning *tune)
{
	memset(be, 0, sizeof(*be));
	be->name = name;
	be->next_resource = 1;
	be->next_blob_id = 1;
	be->alignment = 4096;

	char *copy = strdup(cmd), *save = NULL;
	char *argv[MAX_ARGS + 1];
	unsigned argc = 0;
	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, " ", &save); t && argc < MAX_ARGS; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	if (!argc) {
		free(copy);
		snprintf(be->err, sizeof(be->err), "empty backend command");
		return -EINVAL;
	}

	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = argv;
	o.ram_size = ram_size;
	o.quiet = quiet;
	o.timeout_ms = 30000; /* a 64 MiB transfer under valgrind is slow; a hang still ends */
	o.huge_pages = tune->huge_pages;
	o.event_idx = tune->event_idx;
	o.poll_us = tune->poll_us;
	be->fe = vgb_fe_start(&o, be->err, sizeof(be->err));
	free(copy);
	if (!be->fe)
		return -EIO;
	be->pid = vgb_fe_backend_pid(be->fe);

	be->features = vgb_fe_features(be->fe);
	if (backend_has(be, VIRTIO_GPU_F_BLOB_ALIGNMENT)) {
		struct vgb_gpu_config cfg;
		if (vgb_fe_get_config(be->fe, &cfg, sizeof(cfg)) == (int)sizeof(cfg) && vgb_le32(cfg.blob_alignment) >= 4096)
			be->alignment = vgb_le32(cfg.blob_alignment);
	}
	be->shm = vgb_fe_shm(be->fe, VIRTIO_GPU_SHM_ID_HOST_VISIBLE, &be->shm_size);
	int rc = gpu_open(&be->gpu, be->fe, REQ_CAP);
	if (rc) {
		snprintf(be->err, sizeof(be->err), "%s", be->gpu.err);
		backend_close(be);
	}
	return rc;
}

void backend_close(struct backend *be)
{
	if (!be->fe)
		return;
	if (be->ctx_id)
		gpu_ctx_destroy(&be->gpu, be->ctx_id);
	gpu_close(&be->gpu);
	vgb_fe_stop(be->fe);
	be->fe = NULL;
}

bool backend_has(const struct backend *be, unsigned feature_bit)
{
	return be->fe && (be->features >> feature_bit) & 1;
}

double backend_cpu(const struct backend *be, double *wait_s)
{
	double run, wait;
	if (!be->pid || !task_cpu(be->pid, &run, &wait)) {
		if (wait_s)
			*wait_s = NAN;
		return NAN;
	}
	if (wait_s)
		*wait_s = wait;
	return run;
}

const char *backend_refctx(struct backend *be)
{
	if (be->ctx_id)
		return NULL;
	if (!backend_has(be, VIRTIO_GPU_F_VIRGL) || !backend_has(be, VIRTIO_GPU_F_CONTEXT_INIT))
		return "backend offers no VIRTIO_GPU_F_VIRGL + F_CONTEXT_INIT (2D only)";
	if (gpu_ctx_create(&be->gpu, 1, VGB_CAPSET_REFCTX)) {
		snprintf(be->err, sizeof(be->err), "CTX_CREATE(refctx): %s", be->gpu.err);
		return be->err;
	}
	be->ctx_id = 1;
	return NULL;
}

uint32_t backend_new_resource(struct backend *be)
{
	return be->next_resource++;
}

uint64_t backend_shm_alloc(struct backend *be, uint64_t size)
{
	uint64_t off = round_up(be->shm_next, be->alignment);
	if (!be->shm || off > be->shm_size || size > be->shm_size - off)
		return UINT64_MAX;
	be->shm_next = off + round_up(size, be->alignment);
	return off;
}
