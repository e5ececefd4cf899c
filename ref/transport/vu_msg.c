/* SPDX-License-Identifier: MIT */
/* vhost-user framing: header, payload, SCM_RIGHTS fds; sizes checked per request type. */
#include "vgb/vhost_user.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int errf(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

int64_t vgb_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t vgb_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int vgb_poll_spin(struct pollfd *pfd, unsigned n, int timeout_ms, unsigned spin_us)
{
	if (spin_us && timeout_ms != 0) {
		int64_t end = vgb_now_us() + spin_us;
		do {
			int r = poll(pfd, n, 0);
			if (r != 0)
				return r;
		} while (vgb_now_us() < end);
	}
	return poll(pfd, n, timeout_ms);
}

int64_t vgb_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : vgb_now_ms() + timeout_ms;
}

int vgb_ms_left(int64_t deadline)
{
	if (deadline < 0)
		return -1;
	int64_t left = deadline - vgb_now_ms();
	return left < 0 ? 0 : (left > 1000000 ? 1000000 : (int)left);
}

void vgb_vu_msg_init(struct vgb_vu_msg *m, uint32_t request, uint32_t flags, uint32_t size)
{
	memset(m, 0, sizeof(*m));
	m->request = request;
	m->flags = VGB_VU_VERSION | flags;
	m->size = size;
	for (unsigned i = 0; i < VGB_VU_MAX_FDS; i++)
		m->fds[i] = -1;
}

int vgb_sock_write_all_until(int sock, const void *buf, size_t len, int64_t deadline)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = send(sock, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* The peer is not reading: wait for room, but not past the deadline. */
				struct pollfd pfd = { .fd = sock, .events = POLLOUT };
				int r = poll(&pfd, 1, vgb_ms_left(deadline));
				if (r == 0)
					return -ETIMEDOUT;
				if (r < 0 && errno != EINTR)
					return -errno;
				continue;
			}
			return (errno == ECONNRESET || errno == EPIPE) ? -EPIPE : -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vgb_sock_write_all(int sock, const void *buf, size_t len)
{
	return vgb_sock_write_all_until(sock, buf, len, -1);
}

int vgb_sock_read_all(int sock, void *buf, size_t len, int64_t deadline)
{
	uint8_t *p = buf;
	while (len > 0) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		int r = poll(&pfd, 1, vgb_ms_left(deadline));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ETIMEDOUT;
		ssize_t n = recv(sock, p, len, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno == ECONNRESET ? -EPIPE : -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vgb_vu_send(int sock, const struct vgb_vu_msg *m, const int *fds, unsigned nfds)
{
	if (nfds > VGB_VU_MAX_FDS || m->size > VGB_VU_MAX_PAYLOAD)
		return -EINVAL;
	uint32_t hdr[3] = { m->request, m->flags, m->size };
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)&m->payload, .iov_len = m->size },
	};
	union {
		char buf[CMSG_SPACE(VGB_VU_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = m->size ? 2 : 1 };
	if (nfds > 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return (errno == ECONNRESET || errno == EPIPE) ? -EPIPE : -errno;
	size_t total = sizeof(hdr) + m->size;
	if ((size_t)n == total)
		return 0;
	/* A short write on a stream socket: finish without the fds (already sent). */
	uint8_t tmp[VGB_VU_HDR_SIZE + VGB_VU_MAX_PAYLOAD];
	memcpy(tmp, hdr, sizeof(hdr));
	memcpy(tmp + sizeof(hdr), &m->payload, m->size);
	return vgb_sock_write_all(sock, tmp + n, total - (size_t)n);
}

void vgb_vu_close_fds(struct vgb_vu_msg *m)
{
	for (unsigned i = 0; i < m->nfds; i++) {
		if (m->fds[i] >= 0)
			close(m->fds[i]);
		m->fds[i] = -1;
	}
	m->nfds = 0;
}

int vgb_vu_recv(int sock, struct vgb_vu_msg *m, int timeout_ms, char *err, size_t errlen)
{
	vgb_vu_msg_init(m, 0, 0, 0);
	m->flags = 0;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	int64_t deadline = vgb_deadline(timeout_ms);
	for (;;) {
		int r = poll(&pfd, 1, vgb_ms_left(deadline));
		if (r > 0)
			break;
		if (r == 0)
			return errf(err, errlen, -ETIMEDOUT, "no message within %d ms", timeout_ms);
		if (errno != EINTR)
			return errf(err, errlen, -errno, "poll: %s", strerror(errno));
	}

	uint32_t hdr[3];
	union {
		char buf[CMSG_SPACE(VGB_VU_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(hdr) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errf(err, errlen, errno == ECONNRESET ? -EPIPE : -errno, "recvmsg: %s",
			    strerror(errno));
	if (n == 0)
		return errf(err, errlen, -EPIPE, "peer closed the connection");

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (m->nfds < VGB_VU_MAX_FDS)
				m->fds[m->nfds++] = fd;
			else
				close(fd);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		vgb_vu_close_fds(m);
		return errf(err, errlen, -EPROTO, "message carries more than %u file descriptors",
			    VGB_VU_MAX_FDS);
	}
	int r = 0;
	if ((size_t)n < sizeof(hdr))
		r = vgb_sock_read_all(sock, (uint8_t *)hdr + n, sizeof(hdr) - (size_t)n,
				      vgb_deadline(timeout_ms < 0 ? 5000 : timeout_ms));
	if (r) {
		vgb_vu_close_fds(m);
		return errf(err, errlen, r == -EPIPE ? -EPROTO : r, "truncated message header");
	}
	m->request = hdr[0];
	m->flags = hdr[1];
	m->size = hdr[2];
	if ((m->flags & VGB_VU_VERSION_MASK) != VGB_VU_VERSION) {
		vgb_vu_close_fds(m);
		return errf(err, errlen, -EPROTO, "message %u has version %u (expected 1)", m->request,
			    m->flags & VGB_VU_VERSION_MASK);
	}
	if (m->size > VGB_VU_MAX_PAYLOAD) {
		vgb_vu_close_fds(m);
		return errf(err, errlen, -EPROTO, "message %u has payload size %u (largest message is %zu)",
			    m->request, m->size, VGB_VU_MAX_PAYLOAD);
	}
	if (m->size) {
		r = vgb_sock_read_all(sock, &m->payload, m->size,
				      vgb_deadline(timeout_ms < 0 ? 5000 : timeout_ms));
		if (r) {
			vgb_vu_close_fds(m);
			return errf(err, errlen, -EPROTO, "truncated payload of message %u (%u bytes)",
				    m->request, m->size);
		}
	}
	return 0;
}

/* Per request type: exact payload size (or -1: variable, checked below) and fds. */
struct shape {
	int size;
	int fds; /* -1: one fd unless VGB_VU_VRING_NOFD */
};

static bool frontend_shape(uint32_t req, struct shape *s)
{
	switch (req) {
	case VGB_VU_GET_FEATURES:
	case VGB_VU_GET_PROTOCOL_FEATURES:
	case VGB_VU_GET_QUEUE_NUM:
	case VGB_VU_SET_OWNER:
	case VGB_VU_RESET_OWNER:
	case VGB_VU_RESET_DEVICE:
	case VGB_VU_GET_SHMEM_CONFIG:
		*s = (struct shape){ 0, 0 };
		return true;
	case VGB_VU_SET_FEATURES:
	case VGB_VU_SET_PROTOCOL_FEATURES:
		*s = (struct shape){ 8, 0 };
		return true;
	case VGB_VU_SET_VRING_NUM:
	case VGB_VU_SET_VRING_BASE:
	case VGB_VU_GET_VRING_BASE:
	case VGB_VU_SET_VRING_ENABLE:
		*s = (struct shape){ sizeof(struct vgb_vu_vring_state), 0 };
		return true;
	case VGB_VU_SET_VRING_ADDR:
		*s = (struct shape){ sizeof(struct vgb_vu_vring_addr), 0 };
		return true;
	case VGB_VU_SET_VRING_KICK:
	case VGB_VU_SET_VRING_CALL:
	case VGB_VU_SET_VRING_ERR:
		*s = (struct shape){ 8, -1 };
		return true;
	case VGB_VU_SET_BACKEND_REQ_FD:
	case VGB_VU_GPU_SET_SOCKET:
		*s = (struct shape){ 0, 1 };
		return true;
	case VGB_VU_SET_MEM_TABLE:
	case VGB_VU_GET_CONFIG:
	case VGB_VU_SET_CONFIG:
		*s = (struct shape){ -1, 0 };
		return true;
	default:
		return false;
	}
}

int vgb_vu_check_frontend_msg(const struct vgb_vu_msg *m, char *err, size_t errlen)
{
	const char *name = vgb_vu_request_name(m->request);
	if (m->flags & VGB_VU_FLAG_REPLY)
		return errf(err, errlen, -EPROTO, "%s: request carries the reply flag", name);
	struct shape s;
	if (!frontend_shape(m->request, &s))
		return errf(err, errlen, -ENOTSUP, "unsupported request %u (%s)", m->request, name);
	if (m->request == VGB_VU_SET_MEM_TABLE) {
		if (m->size < 8)
			return errf(err, errlen, -EPROTO, "%s: payload %u bytes, too short", name, m->size);
		uint32_t n = m->payload.memory.nregions;
		if (n == 0 || n > 8)
			return errf(err, errlen, -EPROTO, "%s: %u regions (1..8 allowed)", name, n);
		if (m->size != 8 + n * sizeof(struct vgb_vu_mem_region) &&
		    m->size != sizeof(struct vgb_vu_memory))
			return errf(err, errlen, -EPROTO, "%s: payload %u bytes for %u regions", name,
				    m->size, n);
		if (m->nfds != n)
			return errf(err, errlen, -EPROTO, "%s: %u fds for %u regions", name, m->nfds, n);
		return 0;
	}
	if (m->request == VGB_VU_GET_CONFIG || m->request == VGB_VU_SET_CONFIG) {
		if (m->size < VGB_VU_CONFIG_HDR_SIZE)
			return errf(err, errlen, -EPROTO, "%s: payload %u bytes, too short", name, m->size);
		uint32_t sz = m->payload.config.size;
		if (sz > VGB_VU_MAX_CONFIG_SIZE || m->size != VGB_VU_CONFIG_HDR_SIZE + sz)
			return errf(err, errlen, -EPROTO, "%s: config size %u in a %u-byte payload", name,
				    sz, m->size);
		if (m->nfds)
			return errf(err, errlen, -EPROTO, "%s: unexpected fds", name);
		return 0;
	}
	if ((uint32_t)s.size != m->size)
		return errf(err, errlen, -EPROTO, "%s: payload %u bytes, expected %d", name, m->size,
			    s.size);
	int want = s.fds;
	if (want < 0)
		want = (m->payload.u64 & VGB_VU_VRING_NOFD) ? 0 : 1;
	if ((int)m->nfds != want)
		return errf(err, errlen, -EPROTO, "%s: %u fds, expected %d", name, m->nfds, want);
	return 0;
}

int vgb_vu_check_backend_msg(const struct vgb_vu_msg *m, char *err, size_t errlen)
{
	const char *name = vgb_vu_backend_request_name(m->request);
	if (m->flags & VGB_VU_FLAG_REPLY)
		return errf(err, errlen, -EPROTO, "%s: request carries the reply flag", name);
	switch (m->request) {
	case VGB_VU_BACKEND_SHMEM_MAP:
	case VGB_VU_BACKEND_SHMEM_UNMAP: {
		unsigned want_fds = m->request == VGB_VU_BACKEND_SHMEM_MAP ? 1 : 0;
		if (m->size != sizeof(struct vgb_vu_mmap))
			return errf(err, errlen, -EPROTO, "%s: payload %u bytes, expected %zu", name,
				    m->size, sizeof(struct vgb_vu_mmap));
		if (m->nfds != want_fds)
			return errf(err, errlen, -EPROTO, "%s: %u fds, expected %u", name, m->nfds,
				    want_fds);
		return 0;
	}
	case VGB_VU_BACKEND_CONFIG_CHANGE_MSG:
		if (m->size != 0 || m->nfds)
			return errf(err, errlen, -EPROTO, "%s: payload %u bytes, %u fds", name, m->size,
				    m->nfds);
		return 0;
	default:
		return errf(err, errlen, -ENOTSUP, "unsupported back-end request %u", m->request);
	}
}

int vgb_vu_check_reply(const struct vgb_vu_msg *m, uint32_t request, uint32_t size, char *err,
		       size_t errlen)
{
	if (!(m->flags & VGB_VU_FLAG_REPLY))
		return errf(err, errlen, -EPROTO, "expected a reply to %s, got request %u",
			    vgb_vu_request_name(request), m->request);
	if (m->request != request)
		return errf(err, errlen, -EPROTO, "expected a reply to %s, got a reply to %u",
			    vgb_vu_request_name(request), m->request);
	if (m->size != size)
		return errf(err, errlen, -EPROTO, "reply to %s has %u bytes, expected %u",
			    vgb_vu_request_name(request), m->size, size);
	if (m->nfds)
		return errf(err, errlen, -EPROTO, "reply to %s carries fds", vgb_vu_request_name(request));
	return 0;
}

const char *vgb_vu_request_name(uint32_t request)
{
	switch (request) {
	case VGB_VU_GET_FEATURES: return "GET_FEATURES";
	case VGB_VU_SET_FEATURES: return "SET_FEATURES";
	case VGB_VU_SET_OWNER: return "SET_OWNER";
	case VGB_VU_RESET_OWNER: return "RESET_OWNER";
	case VGB_VU_SET_MEM_TABLE: return "SET_MEM_TABLE";
	case VGB_VU_SET_LOG_BASE: return "SET_LOG_BASE";
	case VGB_VU_SET_LOG_FD: return "SET_LOG_FD";
	case VGB_VU_SET_VRING_NUM: return "SET_VRING_NUM";
	case VGB_VU_SET_VRING_ADDR: return "SET_VRING_ADDR";
	case VGB_VU_SET_VRING_BASE: return "SET_VRING_BASE";
	case VGB_VU_GET_VRING_BASE: return "GET_VRING_BASE";
	case VGB_VU_SET_VRING_KICK: return "SET_VRING_KICK";
	case VGB_VU_SET_VRING_CALL: return "SET_VRING_CALL";
	case VGB_VU_SET_VRING_ERR: return "SET_VRING_ERR";
	case VGB_VU_GET_PROTOCOL_FEATURES: return "GET_PROTOCOL_FEATURES";
	case VGB_VU_SET_PROTOCOL_FEATURES: return "SET_PROTOCOL_FEATURES";
	case VGB_VU_GET_QUEUE_NUM: return "GET_QUEUE_NUM";
	case VGB_VU_SET_VRING_ENABLE: return "SET_VRING_ENABLE";
	case VGB_VU_SET_BACKEND_REQ_FD: return "SET_BACKEND_REQ_FD";
	case VGB_VU_GET_CONFIG: return "GET_CONFIG";
	case VGB_VU_SET_CONFIG: return "SET_CONFIG";
	case VGB_VU_GPU_SET_SOCKET: return "GPU_SET_SOCKET";
	case VGB_VU_RESET_DEVICE: return "RESET_DEVICE";
	case VGB_VU_GET_SHMEM_CONFIG: return "GET_SHMEM_CONFIG";
	default: return "unknown";
	}
}

const char *vgb_vu_backend_request_name(uint32_t request)
{
	switch (request) {
	case VGB_VU_BACKEND_CONFIG_CHANGE_MSG: return "BACKEND_CONFIG_CHANGE_MSG";
	case VGB_VU_BACKEND_SHMEM_MAP: return "BACKEND_SHMEM_MAP";
	case VGB_VU_BACKEND_SHMEM_UNMAP: return "BACKEND_SHMEM_UNMAP";
	default: return "unknown";
	}
}
