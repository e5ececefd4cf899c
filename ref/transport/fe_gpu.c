/* SPDX-License-Identifier: MIT */
/*
 * Front-end side of the vhost-user-gpu display channel: answers the back-end's
 * questions (protocol features, display info, EDID) and records what it shows.
 * Every message is checked against the size its type defines; a message that
 * breaks the rules is counted, reported and dropped without touching the scanout.
 */
#include "fe_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vgb/wire.h"

#define OUR_GPU_PROTOCOL_FEATURES (1ull << VGB_VUG_PROTOCOL_F_EDID)
#define MAX_UNKNOWN_PAYLOAD (64u * 1024)

void fe_gpu_init(struct vgb_fe *fe)
{
	fe->display[0] = (struct fe_display){ 1024, 768, true };
}

void fe_gpu_release(struct vgb_fe *fe)
{
	for (unsigned i = 0; i < VGB_VUG_MAX_SCANOUTS; i++) {
		free(fe->scanout[i].pixels);
		memset(&fe->scanout[i], 0, sizeof(fe->scanout[i]));
	}
}

const struct vgb_fe_cursor *vgb_fe_cursor(const struct vgb_fe *fe)
{
	return &fe->cursor;
}

const struct vgb_fe_scanout *vgb_fe_scanout(const struct vgb_fe *fe, uint32_t scanout_id)
{
	return scanout_id < VGB_VUG_MAX_SCANOUTS ? &fe->scanout[scanout_id] : NULL;
}

void vgb_fe_set_display(struct vgb_fe *fe, uint32_t scanout_id, uint32_t width, uint32_t height,
			bool enabled)
{
	if (scanout_id >= VGB_VUG_MAX_SCANOUTS)
		return;
	struct fe_display *d = &fe->display[scanout_id];
	if (d->width != width || d->height != height || d->enabled != enabled)
		fe->events_read |= VIRTIO_GPU_EVENT_DISPLAY; /* the guest learns it from the config */
	*d = (struct fe_display){ width, height, enabled };
}

uint32_t fe_gpu_outputs(const struct vgb_fe *fe)
{
	uint32_t n = 1;
	for (uint32_t i = 0; i < VGB_VUG_MAX_SCANOUTS; i++)
		if (fe->display[i].enabled || fe->display[i].width || fe->display[i].height)
			n = i + 1;
	return n;
}

static void violation(struct vgb_fe *fe, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(struct vgb_fe *fe, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fe->gpu_violations++;
	fe_note(fe, "display channel: %s", buf);
}

static int send_reply(struct vgb_fe *fe, uint32_t request, const void *payload, uint32_t size)
{
	struct vgb_vug_hdr h = { request, VGB_VUG_FLAG_REPLY, size };
	int64_t deadline = vgb_deadline(fe->opt.timeout_ms);
	int r = vgb_sock_write_all_until(fe->gpu_fd, &h, sizeof(h), deadline);
	if (!r && size)
		r = vgb_sock_write_all_until(fe->gpu_fd, payload, size, deadline);
	return r;
}

/* A 128-byte EDID 1.4 base block with one detailed timing for width x height at 60 Hz. */
static void make_edid(uint8_t e[128], uint32_t w, uint32_t h, uint32_t serial)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	memset(e, 0, 128);
	memcpy(e, header, 8);
	e[8] = 0x58, e[9] = 0xe2; /* "VGB" */
	e[10] = 0x01;
	memcpy(e + 12, &serial, 4);
	e[16] = 1, e[17] = 2026 - 1990;
	e[18] = 1, e[19] = 4;
	e[20] = 0x80; /* digital */
	e[21] = 52, e[22] = 29;
	e[23] = 120; /* gamma 2.2 */
	e[24] = 0x06; /* sRGB default, preferred timing in descriptor 1 */
	for (int i = 38; i < 54; i++)
		e[i] = 0x01; /* unused standard timings */
	uint32_t ha = w > 4095 ? 4095 : w, va = h > 4095 ? 4095 : h;
	uint32_t hb = 160, vb = 30;
	uint64_t clock = (uint64_t)(ha + hb) * (va + vb) * 60 / 10000;
	if (clock > 0xffff)
		clock = 0xffff;
	uint8_t *d = e + 54;
	d[0] = clock & 0xff, d[1] = (uint8_t)(clock >> 8);
	d[2] = ha & 0xff, d[3] = hb & 0xff, d[4] = (uint8_t)(((ha >> 8) << 4) | (hb >> 8));
	d[5] = va & 0xff, d[6] = vb & 0xff, d[7] = (uint8_t)(((va >> 8) << 4) | (vb >> 8));
	d[8] = 48, d[9] = 32, d[10] = (3 << 4) | 5, d[11] = 0;
	d[12] = 0x08, d[13] = 0x22, d[14] = 0x12; /* 520 x 290 mm */
	d[17] = 0x18;
	static const uint8_t name[18] = { 0, 0, 0, 0xfc, 0, 'v', 'g', 'b', '\n', ' ', ' ', ' ',
					  ' ', ' ', ' ', ' ', ' ', ' ' };
	memcpy(e + 72, name, 18);
	e[90 + 3] = 0x10, e[108 + 3] = 0x10; /* dummy descriptors */
	uint8_t sum = 0;
	for (int i = 0; i < 127; i++)
		sum += e[i];
	e[127] = (uint8_t)(0x100 - sum);
}

static int answer_display_info(struct vgb_fe *fe)
{
	struct virtio_gpu_resp_display_info info;
	memset(&info, 0, sizeof(info));
	info.hdr.type = vgb_to_le32(VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	for (unsigned i = 0; i < VGB_VUG_MAX_SCANOUTS; i++) {
		info.pmodes[i].r.width = vgb_to_le32(fe->display[i].width);
		info.pmodes[i].r.height = vgb_to_le32(fe->display[i].height);
		info.pmodes[i].enabled = vgb_to_le32(fe->display[i].enabled);
	}
	return send_reply(fe, VGB_VUG_GET_DISPLAY_INFO, &info, sizeof(info));
}

/* Like QEMU's (virtio_gpu_base_generate_edid): an EDID for every output, a disabled one at 1024x768. */
static int answer_edid(struct vgb_fe *fe, uint32_t scanout_id)
{
	struct virtio_gpu_resp_edid r;
	memset(&r, 0, sizeof(r));
	if (scanout_id >= VGB_VUG_MAX_SCANOUTS) {
		r.hdr.type = vgb_to_le32(VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	} else {
		const struct fe_display *d = &fe->display[scanout_id];
		bool shown = d->enabled && d->width && d->height;
		r.hdr.type = vgb_to_le32(VIRTIO_GPU_RESP_OK_EDID);
		r.size = vgb_to_le32(128);
		make_edid(r.edid, shown ? d->width : 1024, shown ? d->height : 768, scanout_id + 1);
	}
	return send_reply(fe, VGB_VUG_GET_EDID, &r, sizeof(r));
}

static void set_scanout(struct vgb_fe *fe, const struct vgb_vug_scanout *s)
{
	if (s->scanout_id >= VGB_VUG_MAX_SCANOUTS || s->width > VGB_VUG_MAX_SCANOUT_DIM ||
	    s->height > VGB_VUG_MAX_SCANOUT_DIM || (!s->width != !s->height)) {
		violation(fe, "SCANOUT %u %ux%u out of range", s->scanout_id, s->width, s->height);
		return;
	}
	struct vgb_fe_scanout *so = &fe->scanout[s->scanout_id];
	if (so->width == s->width && so->height == s->height)
		return;
	free(so->pixels);
	so->pixels = NULL;
	so->width = so->height = 0;
	if (s->width == 0)
		return;
	so->pixels = calloc((size_t)s->width * s->height, 4);
	if (!so->pixels) {
		violation(fe, "SCANOUT %u %ux%u: out of memory", s->scanout_id, s->width, s->height);
		return;
	}
	so->width = s->width;
	so->height = s->height;
}

/* Discards n payload bytes. */
static int drain(struct vgb_fe *fe, uint64_t n, int64_t deadline)
{
	uint8_t buf[4096];
	while (n > 0) {
		size_t k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		int r = vgb_sock_read_all(fe->gpu_fd, buf, k, deadline);
		if (r)
			return r;
		n -= k;
	}
	return 0;
}

static int read_update(struct vgb_fe *fe, uint32_t size, int64_t deadline)
{
	struct vgb_vug_update u;
	if (size < sizeof(u)) {
		violation(fe, "UPDATE with %u bytes", size);
		return drain(fe, size, deadline);
	}
	int r = vgb_sock_read_all(fe->gpu_fd, &u, sizeof(u), deadline);
	if (r)
		return r;
	uint64_t data = size - sizeof(u);
	struct vgb_fe_scanout *so = u.scanout_id < VGB_VUG_MAX_SCANOUTS ? &fe->scanout[u.scanout_id] : NULL;
	if (!so || !so->pixels || u.width == 0 || u.height == 0 || u.x > so->width ||
	    u.width > so->width - u.x || u.y > so->height || u.height > so->height - u.y) {
		violation(fe, "UPDATE %u (%u,%u %ux%u) outside the scanout", u.scanout_id, u.x, u.y,
			  u.width, u.height);
		return drain(fe, data, deadline);
	}
	if (data != 4ull * u.width * u.height) {
		violation(fe, "UPDATE %ux%u carries %llu bytes of pixels", u.width, u.height,
			  (unsigned long long)data);
		return drain(fe, data, deadline);
	}
	for (uint32_t k = 0; k < u.height; k++) {
		r = vgb_sock_read_all(fe->gpu_fd, so->pixels + (size_t)(u.y + k) * so->width + u.x,
				      4ull * u.width, deadline);
		if (r)
			return r;
	}
	so->updates++;
	return 0;
}

/* Reads the fixed payload of a message whose size must be exactly `want`. */
static int read_exact(struct vgb_fe *fe, const char *what, uint32_t size, uint32_t want, void *buf,
		      int64_t deadline, bool *ok)
{
	*ok = size == want;
	if (!*ok) {
		violation(fe, "%s with %u bytes (expected %u)", what, size, want);
		return drain(fe, size, deadline);
	}
	return vgb_sock_read_all(fe->gpu_fd, buf, size, deadline);
}

/* Header with any fds: reads what is there, closes fds nobody asked for. */
static int read_header(struct vgb_fe *fe, struct vgb_vug_hdr *h, int *fd, int64_t deadline)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = h, .iov_len = sizeof(*h) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	*fd = -1;
	ssize_t n;
	do
		n = recvmsg(fe->gpu_fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -EAGAIN : -EPIPE;
	if (n == 0)
		return -EPIPE;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = f;
			else
				close(f);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		violation(fe, "message with too many fds");
	if ((size_t)n < sizeof(*h))
		return vgb_sock_read_all(fe->gpu_fd, (uint8_t *)h + n, sizeof(*h) - (size_t)n, deadline);
	return 0;
}

int fe_gpu_serve(struct vgb_fe *fe)
{
	if (fe->gpu_fd < 0)
		return -ENOTCONN;
	int64_t deadline = vgb_deadline(fe->opt.timeout_ms);
	struct vgb_vug_hdr h;
	int fd;
	int r = read_header(fe, &h, &fd, deadline);
	if (r == -EAGAIN)
		return 0;
	if (r)
		goto gone;
	bool ok;
	bool fd_expected = h.request == VGB_VUG_DMABUF_SCANOUT || h.request == VGB_VUG_DMABUF_SCANOUT2;
	if (fd >= 0 && !fd_expected) {
		violation(fe, "request %u carries an fd", h.request);
		close(fd);
		fd = -1;
	}
	if (h.flags & VGB_VUG_FLAG_REPLY)
		violation(fe, "request %u carries the reply flag", h.request);
	switch (h.request) {
	case VGB_VUG_GET_PROTOCOL_FEATURES: {
		uint64_t f = OUR_GPU_PROTOCOL_FEATURES;
		r = drain(fe, h.size, deadline);
		if (h.size)
			violation(fe, "GET_PROTOCOL_FEATURES with %u bytes", h.size);
		if (!r)
			r = send_reply(fe, h.request, &f, sizeof(f));
		break;
	}
	case VGB_VUG_SET_PROTOCOL_FEATURES: {
		uint64_t f = 0;
		r = read_exact(fe, "SET_PROTOCOL_FEATURES", h.size, 8, &f, deadline, &ok);
		if (!r && ok) {
			if (f & ~OUR_GPU_PROTOCOL_FEATURES)
				violation(fe, "SET_PROTOCOL_FEATURES 0x%llx has bits never offered",
					  (unsigned long long)f);
			fe->gpu_protocol_features = f & OUR_GPU_PROTOCOL_FEATURES;
		}
		break;
	}
	case VGB_VUG_GET_DISPLAY_INFO:
		r = drain(fe, h.size, deadline);
		if (h.size)
			violation(fe, "GET_DISPLAY_INFO with %u bytes", h.size);
		if (!r)
			r = answer_display_info(fe);
		break;
	case VGB_VUG_GET_EDID: {
		struct vgb_vug_edid_request q = { 0 };
		r = read_exact(fe, "GET_EDID", h.size, sizeof(q), &q, deadline, &ok);
		if (!r && !(fe->gpu_protocol_features & (1ull << VGB_VUG_PROTOCOL_F_EDID)))
			violation(fe, "GET_EDID without protocol feature EDID");
		/* Always answer: a back-end waiting for a reply must not hang. */
		if (!r)
			r = answer_edid(fe, ok ? q.scanout_id : VGB_VUG_MAX_SCANOUTS);
		break;
	}
	case VGB_VUG_CURSOR_POS:
	case VGB_VUG_CURSOR_POS_HIDE: {
		struct vgb_vug_cursor_pos p;
		r = read_exact(fe, "CURSOR_POS", h.size, sizeof(p), &p, deadline, &ok);
		if (!r && ok) {
			bool hide = h.request == VGB_VUG_CURSOR_POS_HIDE;
			fe->cursor.scanout_id = p.scanout_id;
			fe->cursor.x = p.x;
			fe->cursor.y = p.y;
			fe->cursor.visible = !hide;
			if (hide)
				fe->cursor.hides++;
			else
				fe->cursor.moves++;
		}
		break;
	}
	case VGB_VUG_CURSOR_UPDATE: {
		struct vgb_vug_cursor_update *u = malloc(sizeof(*u));
		if (!u) {
			r = drain(fe, h.size, deadline);
			break;
		}
		r = read_exact(fe, "CURSOR_UPDATE", h.size, sizeof(*u), u, deadline, &ok);
		if (!r && ok) {
			fe->cursor.scanout_id = u->pos.scanout_id;
			fe->cursor.x = u->pos.x;
			fe->cursor.y = u->pos.y;
			fe->cursor.visible = true;
			fe->cursor.updates++;
			fe->cursor.transparent = true;
			for (unsigned i = 0; i < 64 * 64; i++)
				if (u->data[i] >> 24)
					fe->cursor.transparent = false;
		}
		free(u);
		break;
	}
	case VGB_VUG_SCANOUT: {
		struct vgb_vug_scanout s;
		r = read_exact(fe, "SCANOUT", h.size, sizeof(s), &s, deadline, &ok);
		if (!r && ok)
			set_scanout(fe, &s);
		break;
	}
	case VGB_VUG_UPDATE:
		r = read_update(fe, h.size, deadline);
		break;
	case VGB_VUG_DMABUF_SCANOUT:
	case VGB_VUG_DMABUF_SCANOUT2: {
		/* This front-end has no way to import a dmabuf: the scanout shows nothing. */
		uint8_t buf[sizeof(struct vgb_vug_dmabuf_scanout2)];
		uint32_t want = h.request == VGB_VUG_DMABUF_SCANOUT ? sizeof(struct vgb_vug_dmabuf_scanout)
								    : sizeof(struct vgb_vug_dmabuf_scanout2);
		r = read_exact(fe, "DMABUF_SCANOUT", h.size, want, buf, deadline, &ok);
		if (fd >= 0)
			close(fd);
		fe_note(fe, "display channel: dmabuf scanout ignored (not supported by this front-end)");
		break;
	}
	case VGB_VUG_DMABUF_UPDATE: {
		struct vgb_vug_update u;
		r = read_exact(fe, "DMABUF_UPDATE", h.size, sizeof(u), &u, deadline, &ok);
		if (!r)
			r = send_reply(fe, h.request, NULL, 0); /* the back-end waits for this */
		break;
	}
	default:
		violation(fe, "unknown request %u (%u bytes)", h.request, h.size);
		if (h.size > MAX_UNKNOWN_PAYLOAD) {
			r = -EPROTO;
			break;
		}
		r = drain(fe, h.size, deadline);
		break;
	}
	if (!r)
		return 0;
gone:
	if (r != -EPIPE)
		fe_note(fe, "display channel closed: %s", strerror(-r));
	close(fe->gpu_fd);
	fe->gpu_fd = -1;
	return r;
}
