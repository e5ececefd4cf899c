/* SPDX-License-Identifier: MIT */
/* The device core as a vhost-user device: config space, features, the two queues. */
#include <stdio.h>

#include "host.h"
#include "vgb/wire.h"

#define MAX_RESPONSE (64u * 1024) /* largest response: a capset, display info, EDID */
#define DEVICE_FEATURE_MASK ((1ull << 24) - 1)

static size_t config(void *opaque, void *buf, size_t cap)
{
	struct host *h = opaque;
	return vgb_device_config_space(h->dev, buf, cap);
}

static bool set_features(void *opaque, uint64_t features)
{
	struct host *h = opaque;
	return vgb_device_set_features(h->dev, features & DEVICE_FEATURE_MASK);
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
	if (total_len > req_len) {
		if (h->opt->verbose)
			fprintf(stderr, "vgb-host: controlq request of %zu bytes exceeds the largest command\n",
				total_len);
		/* The device still names the right error from the part it saw (e.g. too many entries). */
		return vgb_device_ctrl_oversized(h->dev, mem, req, req_len, total_len, resp, resp_cap);
	}
	return vgb_device_ctrl(h->dev, mem, req, req_len, resp, resp_cap);
}

/*
 * The front-end removes every mapping of the region across a reset (SHMEM
 * text: "mappings are automatically unmapped by the front-end across device
 * reset") and when it stops the device (REQ-DEV-VU-0045), so the device
 * forgets them instead of sending SHMEM_UNMAP for each (REQ-DEV-VU-0010): a
 * stopped device may not send back-end requests at all.
 */
static void reset(void *opaque)
{
	struct host *h = opaque;
	vgb_device_forget_mappings(h->dev);
	vgb_device_reset(h->dev);
}

static void stop(void *opaque)
{
	struct host *h = opaque;
	vgb_device_forget_mappings(h->dev);
}

static void mem_changed(void *opaque)
{
	struct host *h = opaque;
	vgb_device_mem_changed(h->dev);
}

static bool set_config(void *opaque, uint32_t offset, const void *buf, uint32_t len)
{
	struct host *h = opaque;
	return vgb_device_config_write(h->dev, offset, buf, len);
}

void host_vu_device(struct host *h, struct vgb_vu_device *vd)
{
	*vd = (struct vgb_vu_device){
		.opaque = h,
		.num_queues = VGB_NUM_QUEUES,
		.features = vgb_device_features(h->dev),
		.shmid = VIRTIO_GPU_SHM_ID_HOST_VISIBLE,
		.shm_size = vgb_device_region_size(h->dev), /* 0 when blobs are off */
		.gpu = true,
		.max_request = vgb_device_max_request(h->dev),
		.max_response = MAX_RESPONSE,
		.config = config,
		.set_features = set_features,
		.request = request,
		.reset = reset,
		.stop = stop,
		.set_config = set_config,
		.mem_changed = mem_changed,
	};
}
