/* SPDX-License-Identifier: MIT */
/*
 * The checked command path: requests go out through guest RAM, and every
 * response is checked (length, type, fence echo) before anyone reads it.
 */
#include "driver_priv.h"
#include "response.h"

#include <errno.h>
#include <string.h>

#define PAGE 4096u

/* Command buffers in guest RAM, grown on demand. */
static int ensure_buf(struct vgb_drv *drv, uint64_t *gpa, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t size = (need + PAGE - 1) & ~(size_t)(PAGE - 1);
	if (size < need)
		return drv_fail(drv, -EINVAL, "command of %zu bytes too large", need);
	uint64_t g = vgb_fe_alloc(drv->fe, size);
	if (!g)
		return drv_fail(drv, -ENOMEM, "guest RAM exhausted for a %zu-byte command buffer", size);
	if (*cap)
		vgb_fe_free(drv->fe, *gpa, *cap);
	*gpa = g;
	*cap = size;
	return 0;
}

int drv_transport_error(struct vgb_drv *drv, int ret)
{
	const char *why = ret == -EPIPE ? "backend gone" : ret == -ETIMEDOUT ? "no response in time"
			  : ret == -EPROTO ? "backend broke the ring" : "transport failure";
	return drv_fail(drv, ret, "%s: %s", why, vgb_fe_error(drv->fe));
}

int vgb_drv_raw(struct vgb_drv *drv, unsigned queue, const void *req, size_t req_len, void *resp,
		size_t resp_cap, uint32_t *used_len)
{
	if (req_len == 0 || req_len > UINT32_MAX || resp_cap > UINT32_MAX)
		return drv_fail(drv, -EINVAL, "raw command sizes out of range");
	int ret = ensure_buf(drv, &drv->req_gpa, &drv->req_cap, req_len);
	if (!ret && resp_cap)
		ret = ensure_buf(drv, &drv->resp_gpa, &drv->resp_cap, resp_cap);
	if (ret)
		return ret;
	void *rq = vgb_fe_gpa_ptr(drv->fe, drv->req_gpa, req_len);
	void *rs = resp_cap ? vgb_fe_gpa_ptr(drv->fe, drv->resp_gpa, resp_cap) : NULL;
	if (!rq || (resp_cap && !rs))
		return drv_fail(drv, -EFAULT, "command buffer outside guest RAM");
	memcpy(rq, req, req_len);
	if (rs)
		memset(rs, 0, resp_cap);
	struct vgb_sg out = { drv->req_gpa, (uint32_t)req_len };
	struct vgb_sg in = { drv->resp_gpa, (uint32_t)resp_cap };
	uint32_t used = 0;
	ret = vgb_fe_submit(drv->fe, queue, &out, 1, &in, resp_cap ? 1 : 0, &used);
	if (ret)
		return drv_transport_error(drv, ret);
	if (used > resp_cap)
		return drv_fail(drv, -EPROTO, "device error: used.len %u beyond the %zu writable bytes",
				used, resp_cap);
	if (rs)
		memcpy(resp, rs, used);
	*used_len = used;
	return 0;
}

struct virtio_gpu_ctrl_hdr drv_hdr(uint32_t type, uint32_t ctx_id)
{
	struct virtio_gpu_ctrl_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = vgb_to_le32(type);
	h.ctx_id = vgb_to_le32(ctx_id);
	return h;
}

void vgb_drv_fence_next(struct vgb_drv *drv, bool use_ring, uint8_t ring_idx)
{
	drv->fence_pending = true;
	drv->fence_ring = use_ring;
	drv->fence_ring_idx = ring_idx;
}

uint64_t vgb_drv_fence_completed(const struct vgb_drv *drv)
{
	return drv->fence_completed;
}

/*
 * A request the device never returned still belongs to it: its buffers may be
 * written at any time, and later requests may wait behind it.  The driver
 * sends nothing more until a reset takes every request back.
 */
static int stalled(struct vgb_drv *drv, uint32_t cmd)
{
	return drv_fail(drv, -ETIMEDOUT,
			"device stopped answering (cmd 0x%04x not returned); cmd 0x%04x not sent until the "
			"device is reset", drv->stalled_cmd, cmd);
}

int drv_cmd(struct vgb_drv *drv, void *req, size_t req_len, void *resp, size_t resp_len,
	    uint32_t ok_type, size_t *got)
{
	struct virtio_gpu_ctrl_hdr *rq = req;
	uint32_t cmd = vgb_le32(rq->type);
	drv->last_resp_type = 0;
	drv->last_resp_len = 0;
	if (drv->stalled_cmd)
		return stalled(drv, cmd);
	rq->flags = 0;
	rq->fence_id = 0;
	rq->ring_idx = 0;
	if (drv->opts.fence_all || drv->fence_pending) {
		uint32_t flags = VIRTIO_GPU_FLAG_FENCE;
		if (drv->fence_pending && drv->fence_ring) {
			flags |= VIRTIO_GPU_FLAG_INFO_RING_IDX;
			rq->ring_idx = drv->fence_ring_idx;
		}
		rq->flags = vgb_to_le32(flags);
		rq->fence_id = vgb_to_le64(++drv->next_fence_id);
		drv->fence_pending = false;
	}
	uint32_t used = 0;
	int ret = vgb_drv_raw(drv, VGB_CONTROLQ, req, req_len, resp, resp_len, &used);
	if (ret == -ETIMEDOUT)
		drv->stalled_cmd = cmd ? cmd : ~0u;
	if (ret)
		return ret;
	struct vgb_resp_expect e = { .req = rq, .ok_type = ok_type, .len = resp_len, .shorter_ok = got != NULL,
				     .fence_completed = drv->fence_completed };
	struct vgb_resp_seen seen;
	ret = vgb_resp_check(&e, resp, used, &seen);
	drv->last_resp_type = seen.type;
	drv->last_resp_len = used;
	if (seen.fence_done)
		drv->fence_completed = vgb_le64(rq->fence_id);
	if (ret)
		return drv_fail(drv, ret, "%s", seen.why);
	if (got)
		*got = used;
	return 0;
}

int drv_cmd_nodata(struct vgb_drv *drv, void *req, size_t req_len)
{
	struct virtio_gpu_ctrl_hdr resp;
	return drv_cmd(drv, req, req_len, &resp, sizeof(resp), VIRTIO_GPU_RESP_OK_NODATA, NULL);
}
