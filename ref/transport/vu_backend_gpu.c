/* SPDX-License-Identifier: MIT */
/* Back-end side of the vhost-user-gpu display channel. */
#include "vu_backend_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vgb/vhost_user_gpu.h"
#include "vgb/wire.h"

/* Protocol features this back-end understands on the display channel. */
#define OUR_GPU_PROTOCOL_FEATURES (1ull << VGB_VUG_PROTOCOL_F_EDID)

static int gpu_send(struct vgb_vu_backend *be, uint32_t request, const void *payload, uint32_t size)
{
	struct vgb_vug_hdr h = { .request = request, .flags = 0, .size = size };
	int64_t deadline = vgb_deadline(be->opt.timeout_ms); /* a front-end that stops reading */
	int r = vgb_sock_write_all_until(be->gpu_fd, &h, sizeof(h), deadline);
	if (!r && size)
		r = vgb_sock_write_all_until(be->gpu_fd, payload, size, deadline);
	if (r) {
		fprintf(stderr, "vhost-user backend: display channel lost (%s)\n", strerror(-r));
		be_gpu_detach(be);
	}
	return r;
}

/* Reads the reply to `request` (exactly `size` payload bytes) within the timeout. */
static int gpu_read_reply(struct vgb_vu_backend *be, uint32_t request, void *payload, uint32_t size)
{
	int64_t deadline = vgb_deadline(be->opt.timeout_ms);
	struct vgb_vug_hdr h;
	/* The front-end may first need an answer from us on the main socket. */
	int r = be_wait_readable(be, be->gpu_fd, deadline);
	if (r == 0)
		r = vgb_sock_read_all(be->gpu_fd, &h, sizeof(h), deadline);
	if (r == 0 && (h.request != request || !(h.flags & VGB_VUG_FLAG_REPLY) || h.size != size)) {
		fprintf(stderr,
			"vhost-user backend: display channel: expected a %u-byte reply to request %u, got request %u flags 0x%x size %u\n",
			size, request, h.request, h.flags, h.size);
		r = -EPROTO;
	}
	if (r == 0 && size)
		r = vgb_sock_read_all(be->gpu_fd, payload, size, deadline);
	if (r) {
		if (r != -EPROTO)
			fprintf(stderr, "vhost-user backend: display channel: no reply to request %u (%s)\n",
				request, strerror(-r));
		be_gpu_detach(be);
	}
	return r;
}

static void finish_protocol_negotiation(struct vgb_vu_backend *be)
{
	uint64_t offered;
	be->gpu_proto_pending = false;
	if (gpu_read_reply(be, VGB_VUG_GET_PROTOCOL_FEATURES, &offered, sizeof(offered)))
		return;
	be->gpu_protocol_features = offered & OUR_GPU_PROTOCOL_FEATURES;
	gpu_send(be, VGB_VUG_SET_PROTOCOL_FEATURES, &be->gpu_protocol_features,
		 sizeof(be->gpu_protocol_features));
	be_log(be, "display channel protocol features 0x%llx",
	       (unsigned long long)be->gpu_protocol_features);
}

/* Everything we send must come after the protocol features are settled. */
static int gpu_ready(struct vgb_vu_backend *be)
{
	if (be->gpu_fd < 0)
		return -ENOTCONN;
	if (be->gpu_proto_pending)
		finish_protocol_negotiation(be);
	return be->gpu_fd < 0 ? -ENOTCONN : 0;
}

void be_gpu_attach(struct vgb_vu_backend *be, int fd)
{
	be_gpu_detach(be);
	be->gpu_fd = fd;
	be->gpu_protocol_features = 0;
	/* Asked now, answered whenever the front-end gets to it: it may be busy sending us messages. */
	if (gpu_send(be, VGB_VUG_GET_PROTOCOL_FEATURES, NULL, 0) == 0)
		be->gpu_proto_pending = true;
}

void be_gpu_detach(struct vgb_vu_backend *be)
{
	if (be->gpu_fd >= 0)
		close(be->gpu_fd);
	be->gpu_fd = -1;
	be->gpu_proto_pending = false;
}

void be_gpu_readable(struct vgb_vu_backend *be)
{
	if (be->gpu_proto_pending) {
		finish_protocol_negotiation(be);
		return;
	}
	/* Nothing is expected unprompted: EOF or stray bytes end the channel. */
	char c;
	ssize_t n = recv(be->gpu_fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
	if (n > 0)
		fprintf(stderr, "vhost-user backend: unexpected data on the display channel\n");
	else
		be_log(be, "display channel closed by the front-end");
	be_gpu_detach(be);
}

int vgb_vu_gpu_scanout(struct vgb_vu_backend *be, uint32_t scanout_id, uint32_t width,
		       uint32_t height)
{
	int r = gpu_ready(be);
	if (r)
		return r;
	struct vgb_vug_scanout s = { scanout_id, width, height };
	return gpu_send(be, VGB_VUG_SCANOUT, &s, sizeof(s));
}

int vgb_vu_gpu_update(struct vgb_vu_backend *be, uint32_t scanout_id, uint32_t x, uint32_t y,
		      uint32_t width, uint32_t height, const void *pixels, uint32_t stride)
{
	int r = gpu_ready(be);
	if (r)
		return r;
	if (width == 0 || height == 0 || width > VGB_VUG_MAX_SCANOUT_DIM || (uint64_t)stride < 4ull * width)
		return -EINVAL;
	size_t row = (size_t)width * 4;
	uint32_t rows_per_msg = (uint32_t)(VGB_VUG_MAX_UPDATE_BYTES / row);
	if (rows_per_msg == 0)
		rows_per_msg = 1;
	uint32_t chunk = rows_per_msg < height ? rows_per_msg : height;
	uint8_t *buf = malloc(sizeof(struct vgb_vug_update) + chunk * row);
	if (!buf)
		return -ENOMEM;
	for (uint32_t done = 0; done < height && r == 0; done += chunk) {
		uint32_t rows = height - done < chunk ? height - done : chunk;
		struct vgb_vug_update u = { scanout_id, x, y + done, width, rows };
		memcpy(buf, &u, sizeof(u));
		for (uint32_t k = 0; k < rows; k++)
			memcpy(buf + sizeof(u) + k * row,
			       (const uint8_t *)pixels + (size_t)(done + k) * stride, row);
		r = gpu_send(be, VGB_VUG_UPDATE, buf, (uint32_t)(sizeof(u) + rows * row));
	}
	free(buf);
	return r;
}

int vgb_vu_gpu_cursor(struct vgb_vu_backend *be, uint32_t scanout_id, uint32_t x, uint32_t y,
		      bool visible, uint32_t hot_x, uint32_t hot_y, const void *argb64x64)
{
	int r = gpu_ready(be);
	if (r)
		return r;
	struct vgb_vug_cursor_pos pos = { scanout_id, x, y };
	if (!visible)
		return gpu_send(be, VGB_VUG_CURSOR_POS_HIDE, &pos, sizeof(pos));
	if (!argb64x64)
		return gpu_send(be, VGB_VUG_CURSOR_POS, &pos, sizeof(pos));
	struct vgb_vug_cursor_update *u = malloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->pos = pos;
	u->hot_x = hot_x;
	u->hot_y = hot_y;
	memcpy(u->data, argb64x64, sizeof(u->data));
	r = gpu_send(be, VGB_VUG_CURSOR_UPDATE, u, sizeof(*u));
	free(u);
	return r;
}

int vgb_vu_gpu_get_display_info(struct vgb_vu_backend *be, struct virtio_gpu_resp_display_info *out)
{
	int r = gpu_ready(be);
	if (!r)
		r = gpu_send(be, VGB_VUG_GET_DISPLAY_INFO, NULL, 0);
	if (!r)
		r = gpu_read_reply(be, VGB_VUG_GET_DISPLAY_INFO, out, sizeof(*out));
	return r;
}

int vgb_vu_gpu_get_edid(struct vgb_vu_backend *be, uint32_t scanout_id,
			struct virtio_gpu_resp_edid *out)
{
	int r = gpu_ready(be);
	if (r)
		return r;
	if (!(be->gpu_protocol_features & (1ull << VGB_VUG_PROTOCOL_F_EDID)))
		return -ENOTSUP;
	struct vgb_vug_edid_request req = { scanout_id };
	r = gpu_send(be, VGB_VUG_GET_EDID, &req, sizeof(req));
	if (!r)
		r = gpu_read_reply(be, VGB_VUG_GET_EDID, out, sizeof(*out));
	return r;
}

int vgb_vu_gpu_send_raw(struct vgb_vu_backend *be, const void *buf, size_t len, int fd)
{
	int r = gpu_ready(be);
	if (r || len == 0)
		return r;
	struct iovec iov = { (void *)buf, len };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n = sendmsg(be->gpu_fd, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	if ((size_t)n < len)
		return vgb_sock_write_all(be->gpu_fd, (const uint8_t *)buf + n, len - (size_t)n);
	return 0;
}
