/* SPDX-License-Identifier: MIT */
/* The device core as a vhost-user device: config space, features, the two queues. */
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "vgb/wire.h"

#define MAX_RESPONSE (64u * 1024) /* largest response: a capset, display info, EDID */
#define DEVICE_FEATURE_MASK ((1ull << 24) - 1)

static size_t config(void *opaque, void *buf, size_t cap)
{
	struct host *h = opaque;
	return vgb_device_config_space(h->dev, buf, cap);
}

static void set_features(void *opaque, uint64_t features)
{
	struct host *h = opaque;
	vgb_device_set_features(h->dev, features & DEVICE_FEATURE_MASK);
}

/* A chain whose readable part exceeds anything the device accepts: ERR_UNSPEC, unread. */
static size_t oversized(struct host *h, size_t total, void *resp, size_t cap)
{
	struct virtio_gpu_ctrl_hdr r;
	if (h->opt->verbose)
		fprintf(stderr, "vgb-host: controlq request of %zu bytes exceeds the largest command\n",
			total);
	if (cap < sizeof(r))
		return 0;
	memset(&r, 0, sizeof(r));
	r.type = vgb_to_le32(VIRTIO_GPU_RESP_ERR_UNSPEC);
	memcpy(resp, &r, sizeof(r));
	return sizeof(r);
}

static size_t request(void *opaque, unsigned queue, const struct vgb_guest_mem *mem, const void *req,
		      size_t req_len, size_t total_len, void *resp, size_t resp_cap)
{
	struct host *h = opaque;
	if (queue == VGB_CURSORQ) {
		if (total_len > req_len) {
			if (h->opt->verbose)
				fprintf(stderr, "vgb-host: cursorq request of %zu bytes ignored\n", total_len);
			return 0;
		}
		vgb_device_cursor(h->dev, mem, req, req_len);
		return 0;
	}
	if (total_len > req_len)
		return oversized(h, total_len, resp, resp_cap);
	return vgb_device_ctrl(h->dev, mem, req, req_len, resp, resp_cap);
}

static void reset(void *opaque)
{
	struct host *h = opaque;
	vgb_device_reset(h->dev);
}

static void mem_changed(void *opaque)
{
	struct host *h = opaque;
	vgb_device_mem_changed(h->dev);
}

void host_vu_device(struct host *h, struct vgb_vu_device *vd)
{
	*vd = (struct vgb_vu_device){
		.opaque = h,
		.num_queues = VGB_NUM_QUEUES,
		.features = vgb_device_features(h->dev),
		.shmid = VIRTIO_GPU_SHM_ID_HOST_VISIBLE,
		.shm_size = h->opt->cfg.region_size,
		.gpu = true,
		.max_request = vgb_device_max_request(h->dev),
		.max_response = MAX_RESPONSE,
		.config = config,
		.set_features = set_features,
		.request = request,
		.reset = reset,
		.mem_changed = mem_changed,
	};
}
