/* SPDX-License-Identifier: MIT */
/* Batched control-queue requests through the frontend's raw queue. */
#include "batch.h"

#include <string.h>
#include <time.h>

#include "reqs.h"
#include "vgb/virtq.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool vc_batch_run(struct vc *t, struct vc_batch *b)
{
	struct vgb_vq_drv *vq = vgb_fe_vq(t->fe, VGB_CONTROLQ);
	if (!vq || b->n == 0 || b->n > VC_BATCH_MAX) {
		vc_error(t, "no raw control queue for a batch of %u", b->n);
		return false;
	}
	uint64_t req_gpa[VC_BATCH_MAX], resp_gpa[VC_BATCH_MAX];
	int head[VC_BATCH_MAX];
	for (unsigned i = 0; i < b->n; i++) {
		req_gpa[i] = vc_alloc(t, b->req_len[i]);
		resp_gpa[i] = vc_alloc(t, VC_RESP_MAX);
		if (!req_gpa[i] || !resp_gpa[i])
			return false;
		memcpy(vc_ptr(t, req_gpa[i], b->req_len[i]), b->req[i], b->req_len[i]);
		memset(vc_ptr(t, resp_gpa[i], VC_RESP_MAX), 0, VC_RESP_MAX);
		struct vgb_vq_buf out = { req_gpa[i], (uint32_t)b->req_len[i] };
		struct vgb_vq_buf in = { resp_gpa[i], VC_RESP_MAX };
		head[i] = vgb_vq_drv_add(vq, &out, 1, &in, 1);
		if (head[i] < 0) {
			vc_error(t, "control queue has no room for a batch of %u", b->n);
			return false;
		}
	}
	if (vgb_fe_kick(t->fe, VGB_CONTROLQ) < 0) {
		vc_fail(t, R_ERR_SERVES, "kick failed: %s", vgb_fe_error(t->fe));
		return false;
	}
	unsigned done = 0;
	double deadline = now_s() + 5.0;
	while (done < b->n) {
		uint16_t h;
		uint32_t len;
		int r = vgb_vq_drv_get_used(vq, &h, &len);
		if (r < 0) {
			vc_fail(t, R_ERR_SERVES, "the device broke the used ring: %s", vq->err);
			return false;
		}
		if (r == 0) {
			if (now_s() > deadline || vgb_fe_poll(t->fe, 5) < 0) {
				vc_fail(t, R_ERR_SERVES, "%u of %u batched requests returned", done, b->n);
				return false;
			}
			continue;
		}
		unsigned i = 0;
		while (i < b->n && head[i] != h)
			i++;
		if (i == b->n) {
			vc_fail(t, R_ERR_SERVES, "the device returned unknown head %u", h);
			return false;
		}
		struct vc_resp *resp = &b->resp[i];
		memcpy(resp->u.bytes, vc_ptr(t, resp_gpa[i], VC_RESP_MAX), VC_RESP_MAX);
		resp->len = len;
		resp->type = len >= sizeof(struct virtio_gpu_ctrl_hdr) ? vgb_le32(resp->u.hdr.type) : 0;
		b->order[done++] = i;
	}
	return true;
}
