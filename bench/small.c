// SPDX-License-Identifier: MIT
#include "small.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "vgb/wire.h"

#define PAGE 4096u
#define SLOT 128u /* bytes per request or response slot */
#define NCMDS (2 * SMALL_FRAMES)

_Static_assert(NCMDS * SLOT <= PAGE, "one page of slots");

const char *small_mode_name(enum small_mode m)
{
	static const char *const names[SMALL_MODES] = {"one-per-kick", "frame-per-kick", "frames-per-kick"};
	return m < SMALL_MODES ? names[m] : "?";
}

void small_setup(struct small_state *s, struct backend *be)
{
	memset(s, 0, sizeof(*s));
	s->be = be;
	s->npages = SMALL_W * SMALL_H * 4 / PAGE;
	s->req_gpa = vgb_fe_alloc(be->fe, PAGE);
	s->resp_gpa = vgb_fe_alloc(be->fe, PAGE);
	s->req = s->req_gpa ? vgb_fe_gpa_ptr(be->fe, s->req_gpa, PAGE) : NULL;
	s->resp = s->resp_gpa ? vgb_fe_gpa_ptr(be->fe, s->resp_gpa, PAGE) : NULL;
	if (!s->req || !s->resp) {
		s->unsupported = "guest RAM exhausted";
		return;
	}
	for (unsigned f = 0; f < SMALL_FRAMES; f++) {
		s->gpas[f] = calloc(s->npages, sizeof(uint64_t));
		s->pages[f] = calloc(s->npages, sizeof(uint8_t *));
		if (!s->gpas[f] || !s->pages[f] || vgb_fe_alloc_pages(be->fe, s->npages, true, s->gpas[f])) {
			free(s->gpas[f]);
			s->gpas[f] = NULL;
			s->unsupported = "guest RAM exhausted";
			return;
		}
		for (unsigned i = 0; i < s->npages; i++)
			s->pages[f][i] = vgb_fe_gpa_ptr(be->fe, s->gpas[f][i], PAGE);
		s->ids[f] = backend_new_resource(be);
		if (gpu_create_2d(&be->gpu, s->ids[f], VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, SMALL_W, SMALL_H) ||
		    gpu_attach_backing(&be->gpu, s->ids[f], s->gpas[f], s->npages, PAGE)) {
			snprintf(s->err, sizeof(s->err), "small-frame set-up: %s", be->gpu.err);
			s->unsupported = s->err;
			s->ids[f] = 0;
			return;
		}
	}
}

/* Writes the two commands of frame f into slots 2k and 2k+1. */
static void build_frame(struct small_state *s, unsigned f, unsigned k)
{
	struct virtio_gpu_transfer_to_host_2d *t = (void *)(s->req + 2 * k * SLOT);
	memset(t, 0, sizeof(*t));
	t->hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
	t->r.width = vgb_to_le32(SMALL_W);
	t->r.height = vgb_to_le32(SMALL_H);
	t->resource_id = vgb_to_le32(s->ids[f]);
	struct virtio_gpu_resource_flush *fl = (void *)(s->req + (2 * k + 1) * SLOT);
	memset(fl, 0, sizeof(*fl));
	fl->hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_RESOURCE_FLUSH);
	fl->r.width = vgb_to_le32(SMALL_W);
	fl->r.height = vgb_to_le32(SMALL_H);
	fl->resource_id = vgb_to_le32(s->ids[f]);
}

static void write_frame(struct small_state *s, unsigned f, const uint8_t *src)
{
	for (unsigned i = 0; i < s->npages; i++)
		memcpy(s->pages[f][i], src + (size_t)i * PAGE, PAGE);
}

/* Submits commands [first, first+n) as one batch and checks every answer. */
static int send(struct small_state *s, unsigned first, unsigned n)
{
	static const size_t len[2] = {sizeof(struct virtio_gpu_transfer_to_host_2d),
				      sizeof(struct virtio_gpu_resource_flush)};
	struct vgb_sg out[NCMDS], in[NCMDS];
	struct vgb_fe_chain chains[NCMDS];
	uint32_t used[NCMDS];
	for (unsigned i = 0; i < n; i++) {
		unsigned k = first + i;
		out[i] = (struct vgb_sg){s->req_gpa + k * SLOT, (uint32_t)len[k % 2]};
		in[i] = (struct vgb_sg){s->resp_gpa + k * SLOT, sizeof(struct virtio_gpu_ctrl_hdr)};
		memset(s->resp + k * SLOT, 0, sizeof(struct virtio_gpu_ctrl_hdr));
		chains[i] = (struct vgb_fe_chain){&out[i], 1, &in[i], 1};
	}
	int rc = vgb_fe_submit_batch(s->be->fe, VGB_CONTROLQ, chains, n, used);
	if (rc) {
		snprintf(s->err, sizeof(s->err), "batch of %u: %s", n, vgb_fe_error(s->be->fe));
		return rc;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct virtio_gpu_ctrl_hdr *h = (const void *)(s->resp + (first + i) * SLOT);
		if (used[i] < sizeof(*h) || vgb_le32(h->type) != VIRTIO_GPU_RESP_OK_NODATA) {
			snprintf(s->err, sizeof(s->err), "command %u of a batch answered 0x%x", first + i,
				 vgb_le32(h->type));
			return -EIO;
		}
	}
	return 0;
}

/* One sample: seconds per frame. */
static int one_sample(struct small_state *s, enum small_mode m, const uint8_t *src, unsigned sample,
		      double *per_frame)
{
	int rc = 0;
	double t0 = now_seconds();
	switch (m) {
	case SMALL_ONE_PER_KICK:
	case SMALL_FRAME_PER_KICK: {
		unsigned f = sample % SMALL_FRAMES;
		write_frame(s, f, src);
		build_frame(s, f, 0);
		rc = m == SMALL_FRAME_PER_KICK ? send(s, 0, 2) : send(s, 0, 1);
		if (!rc && m == SMALL_ONE_PER_KICK)
			rc = send(s, 1, 1);
		*per_frame = now_seconds() - t0;
		break;
	}
	case SMALL_FRAMES_PER_KICK:
		for (unsigned f = 0; f < SMALL_FRAMES; f++) {
			write_frame(s, f, src);
			build_frame(s, f, f);
		}
		rc = send(s, 0, NCMDS);
		*per_frame = (now_seconds() - t0) / SMALL_FRAMES;
		break;
	case SMALL_MODES:
		return -EINVAL;
	}
	return rc;
}

int small_run(struct small_state *s, enum small_mode m, const uint8_t *src, unsigned samples, struct row *row)
{
	if (s->unsupported)
		return -ENOTSUP;
	double *t = calloc(samples, sizeof(*t));
	if (!t)
		return -ENOMEM;
	struct vgb_fe_stats a, b;
	vgb_fe_get_stats(s->be->fe, &a);
	int rc = 0;
	for (unsigned i = 0; i < samples && !rc; i++)
		rc = one_sample(s, m, src, i, &t[i]);
	vgb_fe_get_stats(s->be->fe, &b);
	if (!rc) {
		double frames = (double)samples * (m == SMALL_FRAMES_PER_KICK ? SMALL_FRAMES : 1);
		row_add_counts(row, (double)(b.kicks - a.kicks) / frames, (double)(b.calls - a.calls) / frames);
		for (unsigned i = 0; i < samples && !rc; i++)
			rc = samples_add(&row->all, t[i]);
		if (!rc)
			rc = samples_add(&row->runs, stats_median(t, samples));
	}
	free(t);
	return rc;
}

void small_teardown(struct small_state *s)
{
	struct backend *be = s->be;
	if (!be || !be->fe)
		return;
	for (unsigned f = 0; f < SMALL_FRAMES; f++) {
		if (s->ids[f])
			gpu_unref(&be->gpu, s->ids[f]);
		if (s->gpas[f])
			for (unsigned i = 0; i < s->npages; i++)
				vgb_fe_free(be->fe, s->gpas[f][i], PAGE);
		free(s->gpas[f]);
		free(s->pages[f]);
	}
	if (s->req_gpa)
		vgb_fe_free(be->fe, s->req_gpa, PAGE);
	if (s->resp_gpa)
		vgb_fe_free(be->fe, s->resp_gpa, PAGE);
	memset(s, 0, sizeof(*s));
}
