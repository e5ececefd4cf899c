/* SPDX-License-Identifier: MIT */
/* Checks of device responses (see response.h). */
#include "response.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "req_ids.h"

static int reject(struct vgb_resp_seen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reject(struct vgb_resp_seen *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return -EPROTO;
}

bool vgb_resp_is_error(uint32_t t)
{
	return t >= VIRTIO_GPU_RESP_ERR_UNSPEC && t <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
}

/* A fenced request must come back with the fence, ctx_id and ring echoed; an unfenced one without. */
static int check_fence(const struct vgb_resp_expect *e, const struct virtio_gpu_ctrl_hdr *rs,
		       struct vgb_resp_seen *s)
{
	const struct virtio_gpu_ctrl_hdr *rq = e->req;
	uint32_t cmd = vgb_le32(rq->type);
	uint32_t qf = vgb_le32(rq->flags), sf = vgb_le32(rs->flags);
	if (!(qf & VIRTIO_GPU_FLAG_FENCE)) {
		if (sf & VIRTIO_GPU_FLAG_FENCE)
			return reject(s, "device error: cmd 0x%04x answered with a fence it was not given", cmd);
		return 0;
	}
	if (!(sf & VIRTIO_GPU_FLAG_FENCE) || rs->fence_id != rq->fence_id || rs->ctx_id != rq->ctx_id)
		return reject(s,
			      "device error (%s, %s): cmd 0x%04x fence not echoed (flags 0x%x fence %llu ctx %u, sent fence %llu ctx %u)",
			      REQ_FENCE_ECHO, REQ_FENCE_CTX, cmd, sf, (unsigned long long)vgb_le64(rs->fence_id),
			      vgb_le32(rs->ctx_id), (unsigned long long)vgb_le64(rq->fence_id), vgb_le32(rq->ctx_id));
	if ((qf & VIRTIO_GPU_FLAG_INFO_RING_IDX) &&
	    (!(sf & VIRTIO_GPU_FLAG_INFO_RING_IDX) || rs->ring_idx != rq->ring_idx))
		return reject(s, "device error (%s): cmd 0x%04x ring_idx %u not echoed", REQ_FENCE_RING, cmd,
			      rq->ring_idx);
	if (vgb_le64(rq->fence_id) <= e->fence_completed)
		return reject(s, "device error: fence %llu completed out of order",
			      (unsigned long long)vgb_le64(rq->fence_id));
	s->fence_done = true;
	return 0;
}

int vgb_resp_check(const struct vgb_resp_expect *e, const void *resp, uint32_t used,
		   struct vgb_resp_seen *s)
{
	memset(s, 0, sizeof(*s));
	s->len = used;
	uint32_t cmd = vgb_le32(e->req->type);
	if (used >= 4) {
		uint32_t t;
		memcpy(&t, resp, 4);
		s->type = vgb_le32(t);
	}
	if (used < sizeof(struct virtio_gpu_ctrl_hdr))
		return reject(s, "device error (%s): cmd 0x%04x answered with %u bytes", REQ_CMD_USED_LEN, cmd, used);
	struct virtio_gpu_ctrl_hdr rs;
	memcpy(&rs, resp, sizeof(rs));
	int ret = check_fence(e, &rs, s);
	if (ret)
		return ret;
	if (vgb_resp_is_error(s->type)) {
		if (used != sizeof(rs))
			return reject(s, "device error (%s): cmd 0x%04x error 0x%04x with %u bytes", REQ_ERR_HDR_ONLY,
				      cmd, s->type, used);
		snprintf(s->why, sizeof(s->why), "cmd 0x%04x refused: 0x%04x", cmd, s->type);
		return (int)s->type;
	}
	if (s->type != e->ok_type)
		return reject(s, "device error (%s): cmd 0x%04x answered with type 0x%04x, expected 0x%04x",
			      REQ_CMD_OK_TYPE, cmd, s->type, e->ok_type);
	if (used > e->len || (used != e->len && !e->shorter_ok))
		return reject(s, "device error (%s): cmd 0x%04x response of %u bytes, expected %zu", REQ_CMD_USED_LEN,
			      cmd, used, e->len);
	return 0;
}

void vgb_resp_display_info(const struct virtio_gpu_resp_display_info *r, unsigned n,
			   struct vgb_resp_mode *out)
{
	if (n > VIRTIO_GPU_MAX_SCANOUTS)
		n = VIRTIO_GPU_MAX_SCANOUTS;
	for (unsigned i = 0; i < n; i++)
		out[i] = (struct vgb_resp_mode){
			.x = vgb_le32(r->pmodes[i].r.x),
			.y = vgb_le32(r->pmodes[i].r.y),
			.width = vgb_le32(r->pmodes[i].r.width),
			.height = vgb_le32(r->pmodes[i].r.height),
			.enabled = vgb_le32(r->pmodes[i].enabled) != 0,
		};
}

int vgb_resp_edid_size(const struct virtio_gpu_resp_edid *r, uint32_t *size, char *why, size_t len)
{
	*size = vgb_le32(r->size);
	if (*size > sizeof(r->edid)) {
		snprintf(why, len, "device error: EDID size %u beyond %zu", *size, sizeof(r->edid));
		return -EPROTO;
	}
	return 0;
}

int vgb_resp_capset_info(const struct virtio_gpu_resp_capset_info *r, uint32_t max_size, uint32_t *id,
			 uint32_t *max_version, uint32_t *size, char *why, size_t len)
{
	*id = vgb_le32(r->capset_id);
	*max_version = vgb_le32(r->capset_max_version);
	*size = vgb_le32(r->capset_max_size);
	if (*size > max_size) {
		snprintf(why, len, "device error: capset %u claims %u bytes", *id, *size);
		return -EPROTO;
	}
	return 0;
}

int vgb_resp_map_info(const struct virtio_gpu_resp_map_info *r, uint32_t *cache, char *why, size_t len)
{
	/* map_info is le32 on our wire; bits above the cache mask are ignored on receipt. */
	*cache = vgb_le32(r->map_info) & VIRTIO_GPU_MAP_CACHE_MASK;
	if (*cache == VIRTIO_GPU_MAP_CACHE_NONE) {
		snprintf(why, len, "device error (%s): MAP_BLOB succeeded with map_info NONE", REQ_CACHE_NOT_NONE);
		return -EPROTO;
	}
	if (*cache != VIRTIO_GPU_MAP_CACHE_CACHED && *cache != VIRTIO_GPU_MAP_CACHE_UNCACHED &&
	    *cache != VIRTIO_GPU_MAP_CACHE_WC) {
		snprintf(why, len, "device error (%s): MAP_BLOB reported unknown cache type %u", REQ_CACHE_NOT_NONE,
			 *cache);
		return -EPROTO;
	}
	return 0;
}
