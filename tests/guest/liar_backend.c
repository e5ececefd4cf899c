/* SPDX-License-Identifier: MIT */
/*
 * A vhost-user-gpu backend that breaks one rule on purpose, so the driver's
 * checks of device responses can be seen to fire.  It answers just enough of
 * the protocol for the driver to open and reach the command under test.
 *
 *   liar-backend --fd=N --lie=KIND
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vgb/refctx.h"
#include "vgb/vu_backend.h"
#include "vgb/wire.h"

#define REGION_SIZE (1u << 20)

static const char *lie = "none";
static struct vgb_vu_backend *be;
static int blob_fd = -1;
static uint64_t mapped_off = UINT64_MAX;

static bool lying(const char *kind)
{
	return strcmp(lie, kind) == 0;
}

static uint64_t offered(void)
{
	uint64_t f = (1ull << VIRTIO_GPU_F_VIRGL) | (1ull << VIRTIO_GPU_F_EDID) |
		     (1ull << VIRTIO_GPU_F_RESOURCE_BLOB) | (1ull << VIRTIO_GPU_F_CONTEXT_INIT);
	if (lying("alignment-alone"))
		f = (1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT);
	if (lying("context-init-alone"))
		f = (1ull << VIRTIO_GPU_F_CONTEXT_INIT);
	if (lying("alignment-not-pow2") || lying("alignment-small"))
		f |= 1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT;
	return f;
}

static size_t config(void *opaque, void *buf, size_t cap)
{
	struct vgb_gpu_config c;
	memset(&c, 0, sizeof(c));
	c.num_scanouts = vgb_to_le32(lying("scanouts-17") ? 17 : 1);
	c.num_capsets = vgb_to_le32(1);
	c.blob_alignment = vgb_to_le32(lying("alignment-not-pow2") ? 12288 : lying("alignment-small") ? 1024 : 4096);
	size_t n = (offered() >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1 ? VGB_GPU_CONFIG_SIZE_V14 : VGB_GPU_CONFIG_SIZE_V12;
	if (lying("config-short"))
		n = 8;
	n = n < cap ? n : cap;
	memcpy(buf, &c, n);
	return n;
}

static bool set_features(void *opaque, uint64_t features)
{
	return true;
}

/* Header of a response to rq with the fence echoed as the rules say (unless lying about it). */
static struct virtio_gpu_ctrl_hdr answer(const struct virtio_gpu_ctrl_hdr *rq, uint32_t type)
{
	struct virtio_gpu_ctrl_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = vgb_to_le32(type);
	uint32_t flags = vgb_le32(rq->flags);
	if (flags & VIRTIO_GPU_FLAG_FENCE) {
		h.flags = vgb_to_le32(flags & (VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX));
		h.fence_id = rq->fence_id;
		h.ctx_id = rq->ctx_id;
		h.ring_idx = rq->ring_idx;
		if (lying("fence-dropped"))
			h.flags = 0;
		if (lying("fence-id"))
			h.fence_id = vgb_to_le64(vgb_le64(rq->fence_id) + 1);
		if (lying("fence-ctx"))
			h.ctx_id = vgb_to_le32(vgb_le32(rq->ctx_id) + 1);
		if (lying("fence-ring"))
			h.ring_idx = (uint8_t)(rq->ring_idx + 1);
	} else if (lying("fence-unasked")) {
		h.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	}
	return h;
}

static size_t reply(void *resp, size_t cap, const void *data, size_t len)
{
	if (len > cap)
		return 0;
	memcpy(resp, data, len);
	return len;
}

static size_t display_info(const struct virtio_gpu_ctrl_hdr *rq, void *resp, size_t cap)
{
	if (lying("hang"))
		for (;;)
			pause();
	if (lying("crash"))
		abort();
	struct virtio_gpu_resp_display_info d;
	memset(&d, 0, sizeof(d));
	d.hdr = answer(rq, VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	d.pmodes[0].r.width = vgb_to_le32(640);
	d.pmodes[0].r.height = vgb_to_le32(480);
	d.pmodes[0].enabled = vgb_to_le32(1);
	if (lying("wrong-type"))
		d.hdr.type = vgb_to_le32(VIRTIO_GPU_RESP_OK_NODATA);
	if (lying("unknown-type"))
		d.hdr.type = vgb_to_le32(0x1300);
	if (lying("short"))
		return reply(resp, cap, &d, 100);
	if (lying("zero-length"))
		return 0;
	if (lying("long-error")) {
		d.hdr.type = vgb_to_le32(VIRTIO_GPU_RESP_ERR_UNSPEC);
		return reply(resp, cap, &d, sizeof(d));
	}
	return reply(resp, cap, &d, sizeof(d));
}

static size_t map_blob(const struct virtio_gpu_ctrl_hdr *rq, const void *req, void *resp, size_t cap)
{
	struct virtio_gpu_resource_map_blob m;
	memcpy(&m, req, sizeof(m));
	uint64_t off = vgb_le64(m.offset);
	if (!lying("map-unbacked")) {
		if (blob_fd < 0) {
			blob_fd = memfd_create("liar-blob", MFD_CLOEXEC);
			if (blob_fd < 0 || ftruncate(blob_fd, 4096) != 0)
				return 0;
		}
		if (vgb_vu_backend_shm_map(be, blob_fd, 0, off, 4096, true) != 0)
			return 0;
		mapped_off = off;
	}
	struct virtio_gpu_resp_map_info r;
	memset(&r, 0, sizeof(r));
	r.hdr = answer(rq, VIRTIO_GPU_RESP_OK_MAP_INFO);
	uint32_t mi = VIRTIO_GPU_MAP_CACHE_CACHED;
	if (lying("map-none"))
		mi = VIRTIO_GPU_MAP_CACHE_NONE;
	if (lying("map-unknown-cache"))
		mi = 7;
	if (lying("map-high-bits"))
		mi = 0xabcd0000u | VIRTIO_GPU_MAP_CACHE_WC; /* ignored on receipt: not a failure */
	r.map_info = vgb_to_le32(mi);
	return reply(resp, cap, &r, sizeof(r));
}

static size_t unmap_blob(const struct virtio_gpu_ctrl_hdr *rq, void *resp, size_t cap)
{
	if (!lying("unmap-stale") && mapped_off != UINT64_MAX) {
		vgb_vu_backend_shm_unmap(be, mapped_off, 4096);
		mapped_off = UINT64_MAX;
	}
	struct virtio_gpu_ctrl_hdr h = answer(rq, VIRTIO_GPU_RESP_OK_NODATA);
	return reply(resp, cap, &h, sizeof(h));
}

static size_t request(void *opaque, unsigned queue, const struct vgb_guest_mem *mem, const void *req,
		      size_t req_len, size_t total_len, void *resp, size_t cap)
{
	struct virtio_gpu_ctrl_hdr rq;
	if (queue != VGB_CONTROLQ || req_len < sizeof(rq))
		return 0;
	memcpy(&rq, req, sizeof(rq));
	switch (vgb_le32(rq.type)) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
		return display_info(&rq, resp, cap);
	case VIRTIO_GPU_CMD_GET_EDID: {
		struct virtio_gpu_resp_edid e;
		memset(&e, 0, sizeof(e));
		e.hdr = answer(&rq, VIRTIO_GPU_RESP_OK_EDID);
		e.size = vgb_to_le32(lying("edid-size") ? 2000 : 128);
		return reply(resp, cap, &e, sizeof(e));
	}
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO: {
		struct virtio_gpu_resp_capset_info c;
		memset(&c, 0, sizeof(c));
		c.hdr = answer(&rq, VIRTIO_GPU_RESP_OK_CAPSET_INFO);
		c.capset_id = vgb_to_le32(VGB_CAPSET_REFCTX);
		c.capset_max_version = vgb_to_le32(1);
		c.capset_max_size = vgb_to_le32(lying("capset-huge") ? 1u << 30 : sizeof(struct vgb_refctx_caps));
		return reply(resp, cap, &c, sizeof(c));
	}
	case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB:
		return req_len >= sizeof(struct virtio_gpu_resource_map_blob) ? map_blob(&rq, req, resp, cap) : 0;
	case VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB:
		return unmap_blob(&rq, resp, cap);
	default: {
		struct virtio_gpu_ctrl_hdr h = answer(&rq, VIRTIO_GPU_RESP_OK_NODATA);
		return reply(resp, cap, &h, sizeof(h));
	}
	}
}

static void nothing(void *opaque)
{
}

int main(int argc, char **argv)
{
	int fd = -1;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--fd=", 5) == 0)
			fd = atoi(argv[i] + 5);
		else if (strncmp(argv[i], "--lie=", 6) == 0)
			lie = argv[i] + 6;
		else {
			fprintf(stderr, "liar-backend: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (fd < 0) {
		fprintf(stderr, "usage: liar-backend --fd=N --lie=KIND\n");
		return 2;
	}
	struct vgb_vu_device d = {
		.num_queues = VGB_NUM_QUEUES,
		.features = offered(),
		.shmid = 1,
		.shm_size = REGION_SIZE,
		.gpu = true,
		.max_request = 4096,
		.max_response = 4096,
		.config = config,
		.set_features = set_features,
		.request = request,
		.reset = nothing,
		.mem_changed = nothing,
	};
	struct vgb_vu_backend_options o = { 0 };
	be = vgb_vu_backend_new(fd, &d, &o);
	if (!be)
		return 1;
	int r = vgb_vu_backend_run(be);
	vgb_vu_backend_free(be);
	if (blob_fd >= 0)
		close(blob_fd);
	return r == 0 ? 0 : 1;
}
