/* SPDX-License-Identifier: MIT */
/*
 * The checked command path: requests go out through guest RAM, and every
 * response is checked (length, type, fence echo) before anyone reads it.
 */
#include "driver_priv.h"

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

static bool is_error_type(uint32_t t)
{
	return t >= VIRTIO_GPU_RESP_ERR_UNSPEC && t <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
}

/* A fenced request must come back with the fence, ctx_id and ring echoed. */
static int check_fence_echo(struct vgb_drv *drv, const struct virtio_gpu_ctrl_hdr *rq,
			    const struct virtio_gpu_ctrl_hdr *rs, uint32_t cmd)
{
	uint32_t qf = vgb_le32(rq->flags), sf = vgb_le32(rs->flags);
	if (!(qf & VIRTIO_GPU_FLAG_FENCE)) {
		if (sf & VIRTIO_GPU_FLAG_FENCE)
			return drv_fail(drv, -EPROTO, "device error: cmd 0x%04x answered with a fence it was not given",
					cmd);
		return 0;
	}
	if (!(sf & VIRTIO_GPU_FLAG_FENCE) || rs->fence_id != rq->fence_id || rs->ctx_id != rq->ctx_id)
		return drv_fail(drv, -EPROTO,
				"device error (%s, %s): cmd 0x%04x fence not echoed (flags 0x%x fence %llu ctx %u, sent fence %llu ctx %u)",
				REQ_FENCE_ECHO, REQ_FENCE_CTX, cmd, sf, (unsigned long long)vgb_le64(rs->fence_id), vgb_le32(rs->ctx_id),
				(unsigned long long)vgb_le64(rq->fence_id), vgb_le32(rq->ctx_id));
	if ((qf & VIRTIO_GPU_FLAG_INFO_RING_IDX) &&
	    (!(sf & VIRTIO_GPU_FLAG_INFO_RING_IDX) || rs->ring_idx != rq->ring_idx))
		return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x ring_idx %u not echoed",
				REQ_FENCE_RING, cmd, rq->ring_idx);
	uint64_t id = vgb_le64(rq->fence_id);
	if (id <= drv->fence_completed)
		return drv_fail(drv, -EPROTO, "device error: fence %llu completed out of order",
				(unsigned long long)id);
	drv->fence_completed = id;
	return 0;
}

int drv_cmd(struct vgb_drv *drv, void *req, size_t req_len, void *resp, size_t resp_len,
	    uint32_t ok_type, size_t *got)
{
	struct virtio_gpu_ctrl_hdr *rq = req;
	uint32_t cmd = vgb_le32(rq->type);
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
	drv->last_resp_type = 0;
	int ret = vgb_drv_raw(drv, VGB_CONTROLQ, req, req_len, resp, resp_len, &used);
	if (ret)
		return ret;
	if (used < sizeof(struct virtio_gpu_ctrl_hdr))
		return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x answered with %u bytes",
				REQ_CMD_USED_LEN, cmd, used);
	const struct virtio_gpu_ctrl_hdr *rs = resp;
	uint32_t type = vgb_le32(rs->type);
	drv->last_resp_type = type;
	ret = check_fence_echo(drv, rq, rs, cmd);
	if (ret)
		return ret;
	if (is_error_type(type)) {
		if (used != sizeof(*rs))
			return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x error 0x%04x with %u bytes",
					REQ_ERR_HDR_ONLY, cmd, type, used);
		return drv_fail(drv, (int)type, "cmd 0x%04x refused: 0x%04x", cmd, type);
	}
	if (type != ok_type)
		return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x answered with type 0x%04x, expected 0x%04x",
				REQ_CMD_OK_TYPE, cmd, type, ok_type);
	if (got)
		*got = used;
	else if (used != resp_len)
		return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x response of %u bytes, expected %zu",
				REQ_CMD_USED_LEN, cmd, used, resp_len);
	return 0;
}

int drv_cmd_nodata(struct vgb_drv *drv, void *req, size_t req_len)
{
	struct virtio_gpu_ctrl_hdr resp;
	return drv_cmd(drv, req, req_len, &resp, sizeof(resp), VIRTIO_GPU_RESP_OK_NODATA, NULL);
}
