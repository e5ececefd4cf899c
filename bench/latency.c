// SPDX-License-Identifier: MIT
#include "latency.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "paths.h"
#include "stats.h"
#include "vgb/refctx.h"
#include "vgb/wire.h"

#define FLUSH_W 64u
#define FLUSH_H 64u

const char *lat_case_name(enum lat_case c)
{
	static const char *const names[LAT_COUNT] = {"flush", "display-info", "map-unmap", "submit-3d-fenced"};
	return c < LAT_COUNT ? names[c] : "?";
}

static void setup_flush(struct lat_state *s)
{
	struct backend *be = s->be;
	unsigned n = FLUSH_W * FLUSH_H * 4 / 4096;
	if (vgb_fe_alloc_pages(be->fe, n, true, s->flush_pages)) {
		s->unsupported[LAT_FLUSH] = "guest RAM exhausted";
		return;
	}
	s->flush_id = backend_new_resource(be);
	if (gpu_create_2d(&be->gpu, s->flush_id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, FLUSH_W, FLUSH_H) ||
	    gpu_attach_backing(&be->gpu, s->flush_id, s->flush_pages, n, 4096)) {
		snprintf(s->err, sizeof(s->err), "flush set-up: %s", be->gpu.err);
		s->unsupported[LAT_FLUSH] = s->err;
	}
}

static void setup_blob(struct lat_state *s)
{
	struct backend *be = s->be;
	const char *why = NULL;
	if (!backend_has(be, VIRTIO_GPU_F_RESOURCE_BLOB))
		why = "backend offers no VIRTIO_GPU_F_RESOURCE_BLOB";
	else if (!be->shm)
		why = "backend has no host-visible region";
	else
		why = backend_refctx(be);
	if (!why) {
		s->blob_id = backend_new_resource(be);
		s->map_offset = backend_shm_alloc(be, be->alignment);
		if (s->map_offset == UINT64_MAX) {
			why = "host-visible region full";
		} else if (paths_create_host3d(be, s->blob_id, be->next_blob_id, be->alignment)) {
			snprintf(s->err, sizeof(s->err), "blob set-up: %s", be->gpu.err);
			why = s->err;
			s->blob_id = 0;
		}
		be->next_blob_id++;
	} else {
		/* Keep the reason: backend_refctx() may have written it into be->err. */
		snprintf(s->err, sizeof(s->err), "%s", why);
		why = s->err;
	}
	s->unsupported[LAT_MAP_UNMAP] = why;
	s->unsupported[LAT_SUBMIT_FENCED] = why;
}

void lat_setup(struct lat_state *s, struct backend *be)
{
	memset(s, 0, sizeof(*s));
	s->be = be;
	setup_flush(s);
	setup_blob(s);
}

static int one_round_trip(struct lat_state *s, enum lat_case c)
{
	struct gpu *g = &s->be->gpu;
	switch (c) {
	case LAT_FLUSH:
		return gpu_flush(g, s->flush_id, FLUSH_W, FLUSH_H);
	case LAT_DISPLAY_INFO:
		return gpu_display_info(g);
	case LAT_MAP_UNMAP: {
		int rc = gpu_map_blob(g, s->blob_id, s->map_offset, NULL);
		return rc ? rc : gpu_unmap_blob(g, s->blob_id);
	}
	case LAT_SUBMIT_FENCED: {
		struct vgb_refctx_fill f = {
			.hdr = {vgb_to_le32(VGB_REFCTX_FILL), vgb_to_le32(sizeof(f))},
			.resource_id = vgb_to_le32(s->blob_id),
			.value = vgb_to_le32(0x5a5a5a5a),
			.offset = 0,
			.size = vgb_to_le64(64),
		};
		return gpu_submit_3d(g, s->be->ctx_id, &f, sizeof(f), true);
	}
	case LAT_COUNT:
		break;
	}
	return -EINVAL;
}

int lat_run(struct lat_state *s, enum lat_case c, unsigned batch, struct row *row, struct row *cpu)
{
	if (s->unsupported[c])
		return -ENOTSUP;
	double *t = calloc(batch, sizeof(*t));
	if (!t)
		return -ENOMEM;
	int rc = 0;
	double be0 = backend_cpu(s->be, NULL), fe0 = thread_cpu();
	for (unsigned i = 0; i < batch && !rc; i++) {
		double t0 = now_seconds();
		rc = one_round_trip(s, c);
		t[i] = now_seconds() - t0;
	}
	double fe = thread_cpu() - fe0, be = backend_cpu(s->be, NULL) - be0;
	if (!rc && cpu && !cpu->na) {
		if (isfinite(be))
			samples_add(&cpu->runs, (fe + be) / batch);
		else
			row_set_na(cpu, "the backend's CPU time is unknown (not spawned by the benchmark)");
	}
	if (rc) {
		snprintf(s->err, sizeof(s->err), "%s on %s: %s", lat_case_name(c), s->be->name, s->be->gpu.err);
	} else {
		for (unsigned i = 0; i < batch && !rc; i++)
			rc = samples_add(&row->all, t[i]);
		if (!rc)
			rc = samples_add(&row->runs, stats_median(t, batch));
	}
	free(t);
	return rc;
}

void lat_teardown(struct lat_state *s)
{
	struct backend *be = s->be;
	if (!be || !be->fe)
		return;
	if (s->flush_id && !s->unsupported[LAT_FLUSH])
		gpu_unref(&be->gpu, s->flush_id);
	if (s->flush_pages[0])
		for (unsigned i = 0; i < 4; i++)
			vgb_fe_free(be->fe, s->flush_pages[i], 4096);
	if (s->blob_id)
		gpu_unref(&be->gpu, s->blob_id);
	memset(s, 0, sizeof(*s));
}
