/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user front-end: negotiation, memory table, queues, submission, and
 * one wait loop that also serves the back-end request channel and the display
 * channel, so that a back-end blocked on either never deadlocks us.
 */
#include "fe_priv.h"

#include <errno.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vgb/wire.h"

#define U64(b) (1ull << (b))
#define KNOWN_DEVICE_FEATURES 0x3full /* VIRGL EDID RESOURCE_UUID RESOURCE_BLOB CONTEXT_INIT BLOB_ALIGNMENT */

static const uint64_t our_protocol_features =
	U64(VGB_VU_PROTOCOL_F_MQ) | U64(VGB_VU_PROTOCOL_F_REPLY_ACK) | U64(VGB_VU_PROTOCOL_F_BACKEND_REQ) |
	U64(VGB_VU_PROTOCOL_F_CONFIG) | U64(VGB_VU_PROTOCOL_F_BACKEND_SEND_FD) |
	U64(VGB_VU_PROTOCOL_F_RESET_DEVICE) | U64(VGB_VU_PROTOCOL_F_SHMEM);

void vgb_fe_options_defaults(struct vgb_fe_options *o)
{
	memset(o, 0, sizeof(*o));
	o->ram_size = 64ull << 20;
	o->ram_regions = 2;
	o->queue_size = 256;
	o->indirect = true;
	o->features_mask = KNOWN_DEVICE_FEATURES;
	o->timeout_ms = 5000;
}

int fe_fail(struct vgb_fe *fe, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fe->err, sizeof(fe->err), fmt, ap);
	va_end(ap);
	return code;
}

void fe_note(struct vgb_fe *fe, const char *fmt, ...)
{
	if (fe->opt.quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "vgb frontend: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

const char *vgb_fe_error(const struct vgb_fe *fe)
{
	return fe->err;
}

bool vgb_fe_disconnected(const struct vgb_fe *fe)
{
	return fe->disconnected;
}

uint64_t vgb_fe_device_features(const struct vgb_fe *fe)
{
	return fe->device_features;
}

uint64_t vgb_fe_features(const struct vgb_fe *fe)
{
	return fe->features;
}

uint64_t vgb_fe_protocol_features(const struct vgb_fe *fe)
{
	return fe->protocol_features;
}

static bool has_protocol(const struct vgb_fe *fe, unsigned bit)
{
	return fe->protocol_features & U64(bit);
}

/* The main socket reached EOF: say why the back-end went away. */
static int backend_gone(struct vgb_fe *fe)
{
	char why[160];
	fe_explain_exit(fe, why, sizeof(why));
	fe->disconnected = true;
	snprintf(fe->gone_why, sizeof(fe->gone_why), "%s", why);
	return fe_fail(fe, -EPIPE, "%s", why);
}

/* --- Side channels -------------------------------------------------------- */

static int send_mem_table(struct vgb_fe *fe);

static void log_backend_msg(struct vgb_fe *fe, const struct vgb_vu_msg *m, uint64_t result, bool acked,
			    bool unsealed)
{
	unsigned n = fe->log_total < FE_LOG_MAX ? (unsigned)fe->log_total : FE_LOG_MAX;
	if (n == FE_LOG_MAX) /* keep the newest, oldest first */
		memmove(fe->log, fe->log + 1, (FE_LOG_MAX - 1) * sizeof(fe->log[0]));
	struct vgb_fe_backend_msg *e = &fe->log[n == FE_LOG_MAX ? n - 1 : n];
	fe->log_total++;
	*e = (struct vgb_fe_backend_msg){ .request = m->request, .flags = m->flags, .size = m->size,
					  .nfds = m->nfds, .result = result, .acked = acked,
					  .fd_unsealed = unsealed };
	if (m->request == VGB_VU_BACKEND_SHMEM_MAP || m->request == VGB_VU_BACKEND_SHMEM_UNMAP) {
		const struct vgb_vu_mmap *mm = &m->payload.mmap;
		e->shmid = mm->shmid;
		e->fd_offset = mm->fd_offset;
		e->shm_offset = mm->shm_offset;
		e->len = mm->len;
		e->map_flags = mm->flags;
	}
}

size_t vgb_fe_backend_log(const struct vgb_fe *fe, const struct vgb_fe_backend_msg **msgs,
			  uint64_t *total)
{
	if (msgs)
		*msgs = fe->log;
	if (total)
		*total = fe->log_total;
	return fe->log_total < FE_LOG_MAX ? (size_t)fe->log_total : FE_LOG_MAX;
}

void vgb_fe_backend_log_clear(struct vgb_fe *fe)
{
	fe->log_total = 0;
}

void vgb_fe_refuse_shmem_maps(struct vgb_fe *fe, unsigned n)
{
	fe->refuse_maps = n;
}

bool vgb_fe_shmem_config(const struct vgb_fe *fe, uint32_t *nregions, uint64_t sizes[256])
{
	if (!fe->shmem_config)
		return false;
	if (nregions)
		*nregions = fe->shmem_config->nregions;
	if (sizes)
		memcpy(sizes, fe->shmem_config->memory_sizes, sizeof(fe->shmem_config->memory_sizes));
	return true;
}

static void trace_msg(const struct vgb_fe *fe, const char *channel, bool sent, const struct vgb_vu_msg *m,
		      unsigned nfds)
{
	if (fe->opt.trace && fe->opt.trace->message)
		fe->opt.trace->message(fe->opt.trace->ctx, channel, sent, m->request, m->size, nfds, &m->payload);
}

static void serve_backend_channel(struct vgb_fe *fe)
{
	struct vgb_vu_msg m;
	char why[200];
	int r = vgb_vu_recv(fe->backend_fd, &m, fe->opt.timeout_ms, why, sizeof(why));
	if (r) {
		if (r != -EPIPE)
			fe_note(fe, "back-end request channel closed: %s", why);
		close(fe->backend_fd);
		fe->backend_fd = -1;
		return;
	}
	trace_msg(fe, "backend", false, &m, m.nfds);
	uint64_t result = 1;
	bool unsealed = false;
	r = vgb_vu_check_backend_msg(&m, why, sizeof(why));
	if (r) {
		fe_note(fe, "refused back-end request: %s", why);
	} else if (m.request == VGB_VU_BACKEND_SHMEM_MAP && fe->refuse_maps) {
		fe->refuse_maps--; /* asked for by a test: as if no address space were left */
		fe_note(fe, "refused SHMEM_MAP on purpose");
	} else if (m.request == VGB_VU_BACKEND_SHMEM_MAP || m.request == VGB_VU_BACKEND_SHMEM_UNMAP) {
		result = fe_shm_handle(fe, &m, &unsealed);
	} else {
		result = 0; /* CONFIG_CHANGE_MSG: nothing cached to refresh */
	}
	bool ack = (m.flags & VGB_VU_FLAG_NEED_REPLY) && has_protocol(fe, VGB_VU_PROTOCOL_F_REPLY_ACK);
	log_backend_msg(fe, &m, result, ack, unsealed);
	if (ack) {
		struct vgb_vu_msg rep;
		vgb_vu_msg_init(&rep, m.request, VGB_VU_FLAG_REPLY, sizeof(uint64_t));
		rep.payload.u64 = result;
		if (vgb_vu_send(fe->backend_fd, &rep, NULL, 0) == 0)
			trace_msg(fe, "backend", true, &rep, 0);
	}
	vgb_vu_close_fds(&m);
	/* QEMU's memory listener follows a mapping change with a blocking SET_MEM_TABLE. */
	if (fe->opt.mem_table_after_shmem && !r &&
	    (m.request == VGB_VU_BACKEND_SHMEM_MAP || m.request == VGB_VU_BACKEND_SHMEM_UNMAP) &&
	    !fe->side_channels_blocked) {
		fe->side_channels_blocked = true;
		if (send_mem_table(fe))
			fe_note(fe, "SET_MEM_TABLE after a mapping change failed: %s", fe->err);
		fe->side_channels_blocked = false;
	}
}

/* Fills pfd[1..] with the side channels; returns how many. */
static unsigned side_pollfds(const struct vgb_fe *fe, struct pollfd *pfd)
{
	unsigned n = 0;
	if (fe->side_channels_blocked)
		return 0;
	if (fe->backend_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = fe->backend_fd, .events = POLLIN };
	if (fe->gpu_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = fe->gpu_fd, .events = POLLIN };
	return n;
}

int fe_serve_side_channels(struct vgb_fe *fe, const struct pollfd *pfd, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == fe->backend_fd)
			serve_backend_channel(fe);
		else if (pfd[i].fd == fe->gpu_fd)
			fe_gpu_serve(fe);
	}
	return 0;
}

/* --- Main channel --------------------------------------------------------- */

static int send_msg(struct vgb_fe *fe, const struct vgb_vu_msg *m, const int *fds, unsigned nfds)
{
	int r = vgb_vu_send(fe->sock, m, fds, nfds);
	if (r == -EPIPE)
		return backend_gone(fe);
	if (r)
		return fe_fail(fe, r, "sending %s: %s", vgb_vu_request_name(m->request), strerror(-r));
	trace_msg(fe, "main", true, m, nfds);
	return 0;
}

/* Waits for the reply to `request` while serving the side channels. */
static int wait_reply(struct vgb_fe *fe, uint32_t request, uint32_t size, struct vgb_vu_msg *rep,
		      bool any_size)
{
	int64_t deadline = vgb_deadline(fe->opt.timeout_ms);
	for (;;) {
		struct pollfd pfd[3] = { { .fd = fe->sock, .events = POLLIN } };
		unsigned n = 1 + side_pollfds(fe, pfd + 1);
		int r = poll(pfd, n, vgb_ms_left(deadline));
		if (r < 0 && errno != EINTR)
			return fe_fail(fe, -errno, "poll: %s", strerror(errno));
		if (r == 0)
			return fe_fail(fe, -ETIMEDOUT, "no reply to %s within %d ms",
				       vgb_vu_request_name(request), fe->opt.timeout_ms);
		if (r <= 0)
			continue;
		fe_serve_side_channels(fe, pfd + 1, n - 1);
		if (!pfd[0].revents)
			continue;
		char why[200];
		r = vgb_vu_recv(fe->sock, rep, fe->opt.timeout_ms, why, sizeof(why));
		if (r == -EPIPE)
			return backend_gone(fe);
		if (r == 0)
			trace_msg(fe, "main", false, rep, rep->nfds);
		if (r == 0 && !any_size)
			r = vgb_vu_check_reply(rep, request, size, why, sizeof(why));
		else if (r == 0)
			r = vgb_vu_check_reply(rep, request, rep->size, why, sizeof(why));
		if (r) {
			vgb_vu_close_fds(rep);
			fe->broken = true;
			return fe_fail(fe, -EPROTO, "bad reply from the backend: %s", why);
		}
		return 0;
	}
}

/*
 * Sends a request.  reply_size > 0: the request has a reply of that size, stored
 * in *rep.  Otherwise the request is acknowledged when REPLY_ACK is negotiated
 * (unless no_ack) and a non-zero ack is an error.
 */
static int call(struct vgb_fe *fe, struct vgb_vu_msg *m, const int *fds, unsigned nfds,
		uint32_t reply_size, struct vgb_vu_msg *rep, bool no_ack)
{
	bool ack = reply_size == 0 && !no_ack && has_protocol(fe, VGB_VU_PROTOCOL_F_REPLY_ACK);
	if (ack)
		m->flags |= VGB_VU_FLAG_NEED_REPLY;
	int r = send_msg(fe, m, fds, nfds);
	if (r)
		return r;
	if (reply_size)
		return wait_reply(fe, m->request, reply_size, rep, false);
	if (!ack)
		return 0;
	struct vgb_vu_msg a;
	r = wait_reply(fe, m->request, sizeof(uint64_t), &a, false);
	if (r)
		return r;
	if (a.payload.u64)
		return fe_fail(fe, -EIO, "backend refused %s", vgb_vu_request_name(m->request));
	return 0;
}

static int call_u64(struct vgb_fe *fe, uint32_t request, uint64_t v, bool with_payload)
{
	struct vgb_vu_msg m;
	vgb_vu_msg_init(&m, request, 0, with_payload ? 8 : 0);
	m.payload.u64 = v;
	return call(fe, &m, NULL, 0, 0, NULL, false);
}

static int get_u64(struct vgb_fe *fe, uint32_t request, uint64_t *out)
{
	struct vgb_vu_msg m, rep;
	vgb_vu_msg_init(&m, request, 0, 0);
	int r = call(fe, &m, NULL, 0, 8, &rep, false);
	if (!r)
		*out = rep.payload.u64;
	return r;
}

static int call_state(struct vgb_fe *fe, uint32_t request, uint32_t index, uint32_t num)
{
	struct vgb_vu_msg m;
	vgb_vu_msg_init(&m, request, 0, sizeof(struct vgb_vu_vring_state));
	m.payload.state = (struct vgb_vu_vring_state){ index, num };
	return call(fe, &m, NULL, 0, 0, NULL, false);
}

static int call_fd(struct vgb_fe *fe, uint32_t request, uint64_t v, int fd, bool no_ack)
{
	struct vgb_vu_msg m;
	vgb_vu_msg_init(&m, request, 0, (request == VGB_VU_SET_BACKEND_REQ_FD ||
					 request == VGB_VU_GPU_SET_SOCKET) ? 0 : 8);
	m.payload.u64 = v;
	return call(fe, &m, &fd, 1, 0, NULL, no_ack);
}

/* --- Set-up --------------------------------------------------------------- */

static int send_mem_table(struct vgb_fe *fe)
{
	struct vgb_vu_msg m;
	int fds[VGB_MEM_MAX_REGIONS];
	unsigned n = fe->mem.nregions;
	vgb_vu_msg_init(&m, VGB_VU_SET_MEM_TABLE, 0, 8 + n * sizeof(struct vgb_vu_mem_region));
	m.payload.memory.nregions = n;
	for (unsigned i = 0; i < n; i++) {
		const struct vgb_mem_region *r = &fe->mem.regions[i];
		m.payload.memory.regions[i] = (struct vgb_vu_mem_region){ r->gpa, r->size, r->uva, 0 };
		fds[i] = r->fd;
	}
	return call(fe, &m, fds, n, 0, NULL, false);
}

static uint64_t uva_of(const struct vgb_fe *fe, uint64_t gpa, uint64_t len)
{
	return (uint64_t)(uintptr_t)vgb_mem_gpa(&fe->mem, gpa, len);
}

static int setup_queue(struct vgb_fe *fe, unsigned i)
{
	struct fe_queue *q = &fe->q[i];
	uint16_t num = fe->opt.queue_size;
	bool indirect = fe->features & U64(VGB_F_RING_INDIRECT_DESC);
	if (!q->ring_gpa) {
		q->ring_bytes = vgb_vq_drv_ring_bytes(num);
		q->ring_gpa = vgb_fe_alloc(fe, q->ring_bytes);
		q->ind_bytes = vgb_vq_drv_indirect_bytes(num, FE_INDIRECT_MAX);
		q->ind_gpa = vgb_fe_alloc(fe, q->ind_bytes);
		if (!q->ring_gpa || !q->ind_gpa)
			return fe_fail(fe, -ENOMEM, "guest RAM too small for the rings");
	}
	vgb_vq_drv_fini(&q->vq);
	int r = vgb_vq_drv_init(&q->vq, num, vgb_fe_gpa_ptr(fe, q->ring_gpa, q->ring_bytes), q->ring_gpa,
				vgb_fe_gpa_ptr(fe, q->ind_gpa, q->ind_bytes), q->ind_gpa,
				indirect ? FE_INDIRECT_MAX : 0);
	if (r)
		return fe_fail(fe, r, "queue %u: cannot lay out the rings", i);
	q->vq.event_idx = fe->features & U64(VIRTIO_RING_F_EVENT_IDX);
	if (q->kick_fd < 0)
		q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->call_fd < 0)
		q->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick_fd < 0 || q->call_fd < 0)
		return fe_fail(fe, -errno, "eventfd: %s", strerror(errno));

	struct vgb_vu_msg m;
	if ((r = call_state(fe, VGB_VU_SET_VRING_NUM, i, num)) ||
	    (r = call_state(fe, VGB_VU_SET_VRING_BASE, i, 0)))
		return r;
	vgb_vu_msg_init(&m, VGB_VU_SET_VRING_ADDR, 0, sizeof(struct vgb_vu_vring_addr));
	m.payload.addr = (struct vgb_vu_vring_addr){
		.index = i,
		.desc_uva = uva_of(fe, q->vq.desc_gpa, vgb_vq_desc_bytes(num)),
		.used_uva = uva_of(fe, q->vq.used_gpa, vgb_vq_used_bytes(num)),
		.avail_uva = uva_of(fe, q->vq.avail_gpa, vgb_vq_avail_bytes(num)),
	};
	if ((r = call(fe, &m, NULL, 0, 0, NULL, false)) ||
	    (r = call_fd(fe, VGB_VU_SET_VRING_KICK, i, q->kick_fd, false)) ||
	    (r = call_fd(fe, VGB_VU_SET_VRING_CALL, i, q->call_fd, false)))
		return r;
	if (fe->features & U64(VGB_F_PROTOCOL_FEATURES))
		if ((r = call_state(fe, VGB_VU_SET_VRING_ENABLE, i, 1)))
			return r;
	q->ready = true;
	return 0;
}

static int negotiate(struct vgb_fe *fe)
{
	int r, per_request = fe->opt.timeout_ms;
	if (fe->opt.startup_timeout_ms > per_request)
		fe->opt.timeout_ms = fe->opt.startup_timeout_ms;
	r = get_u64(fe, VGB_VU_GET_FEATURES, &fe->device_features);
	fe->opt.timeout_ms = per_request;
	if (r)
		return r;
	if (fe->device_features & U64(VGB_F_PROTOCOL_FEATURES)) {
		uint64_t theirs;
		if ((r = get_u64(fe, VGB_VU_GET_PROTOCOL_FEATURES, &theirs)))
			return r;
		uint64_t want = theirs & our_protocol_features;
		/* REPLY_ACK takes effect only once SET_PROTOCOL_FEATURES is through. */
		if ((r = call_u64(fe, VGB_VU_SET_PROTOCOL_FEATURES, want, true)))
			return r;
		fe->protocol_features = want;
	}
	if (has_protocol(fe, VGB_VU_PROTOCOL_F_MQ)) {
		uint64_t nq;
		if ((r = get_u64(fe, VGB_VU_GET_QUEUE_NUM, &nq)))
			return r;
		if (nq < VGB_NUM_QUEUES)
			return fe_fail(fe, -EPROTO, "backend supports %llu queues, a GPU needs %u",
				       (unsigned long long)nq, VGB_NUM_QUEUES);
		fe->queue_num = (uint32_t)nq;
	}
	if ((r = call_u64(fe, VGB_VU_SET_OWNER, 0, false)))
		return r;
	if (has_protocol(fe, VGB_VU_PROTOCOL_F_BACKEND_REQ)) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return fe_fail(fe, -errno, "socketpair: %s", strerror(errno));
		fe->backend_fd = sv[0];
		r = call_fd(fe, VGB_VU_SET_BACKEND_REQ_FD, 0, sv[1], false);
		close(sv[1]);
		if (r)
			return r;
	}
	if (has_protocol(fe, VGB_VU_PROTOCOL_F_SHMEM)) {
		struct vgb_vu_msg m;
		struct vgb_vu_msg *rep = malloc(sizeof(*rep));
		if (!rep)
			return fe_fail(fe, -ENOMEM, "out of memory");
		vgb_vu_msg_init(&m, VGB_VU_GET_SHMEM_CONFIG, 0, 0);
		r = call(fe, &m, NULL, 0, sizeof(struct vgb_vu_shmem_config), rep, false);
		if (!r && !(fe->shmem_config = malloc(sizeof(*fe->shmem_config))))
			r = fe_fail(fe, -ENOMEM, "out of memory");
		if (!r) {
			*fe->shmem_config = rep->payload.shmem;
			r = fe_shm_reserve(fe, &rep->payload.shmem);
		}
		free(rep);
		if (r)
			return r;
	}
	uint64_t accept = U64(VGB_F_VERSION_1) | U64(VGB_F_PROTOCOL_FEATURES) |
			  (fe->opt.indirect ? U64(VGB_F_RING_INDIRECT_DESC) : 0) |
			  (fe->opt.event_idx ? U64(VIRTIO_RING_F_EVENT_IDX) : 0) |
			  (fe->opt.features_mask & ((1ull << 24) - 1));
	fe->features = (fe->device_features & accept) | (fe->opt.force_features & ((1ull << 24) - 1));
	if ((r = call_u64(fe, VGB_VU_SET_FEATURES, fe->features, true)))
		return r;
	if ((r = send_mem_table(fe)))
		return r;
	if (!fe->opt.no_display_socket) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return fe_fail(fe, -errno, "socketpair: %s", strerror(errno));
		fe->gpu_fd = sv[0];
		/* Device-specific requests are not acknowledged by every back-end (libvhost-user). */
		r = call_fd(fe, VGB_VU_GPU_SET_SOCKET, 0, sv[1], true);
		close(sv[1]);
		if (r)
			return r;
	}
	fe->nqueues = VGB_NUM_QUEUES;
	for (unsigned i = 0; i < fe->nqueues; i++)
		if ((r = setup_queue(fe, i)))
			return r;
	return 0;
}

struct vgb_fe *vgb_fe_start(const struct vgb_fe_options *o, char *err, size_t errlen)
{
	struct vgb_fe *fe = calloc(1, sizeof(*fe));
	if (!fe) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fe->opt = *o;
	if (!fe->opt.ram_size)
		fe->opt.ram_size = 64ull << 20;
	if (!fe->opt.ram_regions)
		fe->opt.ram_regions = 2;
	if (fe->opt.ram_regions > VGB_MEM_MAX_REGIONS)
		fe->opt.ram_regions = VGB_MEM_MAX_REGIONS;
	if (!fe->opt.queue_size)
		fe->opt.queue_size = 256;
	if (fe->opt.timeout_ms <= 0)
		fe->opt.timeout_ms = 5000;
	if (fe->opt.poll_us > VGB_VU_POLL_US_MAX)
		fe->opt.poll_us = VGB_VU_POLL_US_MAX;
	fe->sock = fe->backend_fd = fe->gpu_fd = -1;
	for (unsigned i = 0; i < FE_MAX_QUEUES; i++)
		fe->q[i].kick_fd = fe->q[i].call_fd = -1;
	fe_gpu_init(fe);
	signal(SIGPIPE, SIG_IGN); /* a back-end that vanishes must give EPIPE, not kill us */

	int r;
	uint16_t qs = fe->opt.queue_size;
	if (qs & (qs - 1) || qs > VGB_VQ_MAX_SIZE)
		r = fe_fail(fe, -EINVAL, "queue size %u is not a power of two", qs);
	else if ((!o->backend_argv) == (!o->socket_path))
		r = fe_fail(fe, -EINVAL, "give exactly one of backend_argv and socket_path");
	else
		r = fe_mem_create(fe);
	if (!r)
		r = o->backend_argv ? fe_spawn(fe) : fe_connect(fe, o->socket_path, fe->opt.timeout_ms);
	if (!r)
		r = negotiate(fe);
	if (r) {
		snprintf(err, errlen, "%s", fe->err);
		vgb_fe_stop(fe);
		return NULL;
	}
	return fe;
}

void vgb_fe_stop(struct vgb_fe *fe)
{
	if (!fe)
		return;
	if (fe->sock >= 0)
		close(fe->sock); /* the back-end sees EOF and exits */
	if (fe->backend_fd >= 0)
		close(fe->backend_fd);
	if (fe->gpu_fd >= 0)
		close(fe->gpu_fd);
	if (fe->pid > 0) {
		fe_reap(fe, 2000);
		if (fe->pid > 0) {
			kill(fe->pid, SIGKILL);
			fe_reap(fe, 2000);
		}
	}
	for (unsigned i = 0; i < FE_MAX_QUEUES; i++) {
		vgb_vq_drv_fini(&fe->q[i].vq);
		if (fe->q[i].kick_fd >= 0)
			close(fe->q[i].kick_fd);
		if (fe->q[i].call_fd >= 0)
			close(fe->q[i].call_fd);
	}
	fe_shm_release(fe);
	free(fe->shmem_config);
	fe_gpu_release(fe);
	fe_mem_destroy(fe);
	free(fe);
}

/* --- Runtime -------------------------------------------------------------- */

/*
 * QEMU's vhost-user-gpu frontend overwrites num_scanouts, events_read and
 * events_clear with its own values (vhost_user_gpu_get_config): its display
 * decides the outputs and raises VIRTIO_GPU_EVENT_DISPLAY when they change.
 * This frontend owns the events whenever it hands over a display channel, and
 * num_scanouts only for a backend that reports 0 outputs (QEMU's does): a
 * backend that reports outputs keeps its word, so a conformance run sees it.
 */
static bool events_from_frontend(const struct vgb_fe *fe)
{
	return fe->config_from_frontend || !fe->opt.no_display_socket;
}

static void fill_gpu_config(struct vgb_fe *fe, uint8_t *cfg, uint32_t len)
{
	const size_t at = offsetof(struct virtio_gpu_config, num_scanouts);
	if (len < at + 4)
		return;
	uint32_t v;
	memcpy(&v, cfg + at, 4);
	if (v == 0 || fe->config_from_frontend) {
		fe->config_from_frontend = true;
		v = vgb_to_le32(fe_gpu_outputs(fe));
		memcpy(cfg + at, &v, 4);
	}
	if (!events_from_frontend(fe))
		return;
	v = vgb_to_le32(fe->events_read);
	memcpy(cfg + offsetof(struct virtio_gpu_config, events_read), &v, 4);
	v = 0;
	memcpy(cfg + offsetof(struct virtio_gpu_config, events_clear), &v, 4);
}

int vgb_fe_get_config(struct vgb_fe *fe, void *buf, uint32_t len)
{
	if (!has_protocol(fe, VGB_VU_PROTOCOL_F_CONFIG))
		return fe_fail(fe, -ENOTSUP, "backend does not offer GET_CONFIG");
	if (len == 0 || len > VGB_VU_MAX_CONFIG_SIZE)
		return -EINVAL;
	struct vgb_vu_msg m, rep;
	vgb_vu_msg_init(&m, VGB_VU_GET_CONFIG, 0, VGB_VU_CONFIG_HDR_SIZE + len);
	m.payload.config.size = len;
	int r = call(fe, &m, NULL, 0, 0, NULL, true);
	if (!r)
		r = wait_reply(fe, VGB_VU_GET_CONFIG, 0, &rep, true);
	if (r)
		return r;
	if (rep.size == 0)
		return fe_fail(fe, -EIO, "backend refused GET_CONFIG of %u bytes", len);
	if (rep.size != VGB_VU_CONFIG_HDR_SIZE + len || rep.payload.config.size != len ||
	    rep.payload.config.offset != 0) {
		fe->broken = true;
		return fe_fail(fe, -EPROTO, "GET_CONFIG reply of %u bytes for a %u-byte request", rep.size, len);
	}
	fill_gpu_config(fe, rep.payload.config.payload, len);
	memcpy(buf, rep.payload.config.payload, len);
	return (int)len;
}

bool vgb_fe_config_from_frontend(const struct vgb_fe *fe)
{
	return fe->config_from_frontend;
}

int vgb_fe_set_config(struct vgb_fe *fe, uint32_t offset, const void *buf, uint32_t len)
{
	if (len == 0 || len > VGB_VU_MAX_CONFIG_SIZE || offset > VGB_VU_MAX_CONFIG_SIZE - len)
		return -EINVAL;
	const uint32_t clear_at = offsetof(struct virtio_gpu_config, events_clear);
	if (events_from_frontend(fe) && offset == clear_at && len == 4) {
		uint32_t v;
		memcpy(&v, buf, 4);
		fe->events_read &= ~vgb_le32(v); /* QEMU's frontend keeps events to itself too */
		if (fe->config_from_frontend)
			return 0;
		/* and passes the write on (vhost_user_gpu_set_config): the device may validate it */
	}
	if (!has_protocol(fe, VGB_VU_PROTOCOL_F_CONFIG))
		return fe_fail(fe, -ENOTSUP, "backend does not offer SET_CONFIG");
	struct vgb_vu_msg m;
	vgb_vu_msg_init(&m, VGB_VU_SET_CONFIG, 0, VGB_VU_CONFIG_HDR_SIZE + len);
	m.payload.config.offset = offset;
	m.payload.config.size = len;
	memcpy(m.payload.config.payload, buf, len);
	return call(fe, &m, NULL, 0, 0, NULL, false);
}

struct vgb_vq_drv *vgb_fe_vq(struct vgb_fe *fe, unsigned queue)
{
	return queue < fe->nqueues ? &fe->q[queue].vq : NULL;
}

int vgb_fe_kick(struct vgb_fe *fe, unsigned queue)
{
	if (queue >= fe->nqueues)
		return -EINVAL;
	fe->stats.kicks++;
	uint64_t one = 1;
	if (write(fe->q[queue].kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return fe_fail(fe, -errno, "kick: %s", strerror(errno));
	return 0;
}

/* The main socket is readable outside a request: EOF, or a message nobody asked for. */
static int main_socket_event(struct vgb_fe *fe)
{
	char c;
	ssize_t n = recv(fe->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return backend_gone(fe);
	if (n < 0)
		return 0;
	struct vgb_vu_msg m;
	char why[200];
	int r = vgb_vu_recv(fe->sock, &m, fe->opt.timeout_ms, why, sizeof(why));
	if (r == -EPIPE)
		return backend_gone(fe);
	if (r == 0)
		trace_msg(fe, "main", false, &m, m.nfds);
	vgb_vu_close_fds(&m);
	fe->broken = true;
	return fe_fail(fe, -EPROTO, "backend sent an unsolicited message on the main socket (%s)",
		       r ? why : vgb_vu_request_name(m.request));
}

/* The chains one wait is for: their heads, and their used lengths as they come back. */
struct waited {
	int heads[FE_BATCH_MAX];
	uint32_t lens[FE_BATCH_MAX];
	bool back[FE_BATCH_MAX];
	unsigned n, left;
};

/* Collects used elements of queue; 1 when every waited-for chain came back. */
static int reap_used(struct vgb_fe *fe, unsigned queue, struct waited *w)
{
	struct fe_queue *q = &fe->q[queue];
	for (;;) {
		uint16_t h;
		uint32_t l;
		int r = vgb_vq_drv_get_used(&q->vq, &h, &l);
		if (r < 0) {
			fe->broken = true;
			return fe_fail(fe, -EPROTO, "backend broke queue %u: %s", queue, q->vq.err);
		}
		if (r == 0)
			return w->left == 0;
		for (unsigned i = 0; i < w->n; i++) {
			if (!w->back[i] && w->heads[i] == h) {
				w->back[i] = true;
				w->lens[i] = l;
				w->left--;
				break;
			}
		}
	}
}

/*
 * Serves whatever the side channels already hold.  A back-end writes display
 * messages before it returns the chain that caused them, so after this the
 * caller sees every UPDATE of that command.
 */
static void drain_side_channels(struct vgb_fe *fe)
{
	for (int rounds = 0; rounds < 100000; rounds++) {
		struct pollfd pfd[2];
		unsigned n = side_pollfds(fe, pfd);
		if (n == 0 || poll(pfd, n, 0) <= 0)
			return;
		fe_serve_side_channels(fe, pfd, n);
	}
}

/* Do the performance knobs decide about notifications (else: the behaviour without them)? */
static bool tuned(const struct vgb_fe *fe, unsigned queue)
{
	return fe->q[queue].vq.event_idx || fe->opt.poll_us;
}

static int wait_used(struct vgb_fe *fe, unsigned queue, struct waited *w, int timeout_ms)
{
	int64_t deadline = vgb_deadline(timeout_ms);
	int64_t spin_end = fe->opt.poll_us ? vgb_now_us() + fe->opt.poll_us : 0;
	struct vgb_vq_drv *vq = &fe->q[queue].vq;
	if (spin_end)
		vgb_vq_drv_want_used(vq, 0); /* we are looking: no notification needed */
	for (;;) {
		int r = reap_used(fe, queue, w);
		if (r > 0)
			drain_side_channels(fe);
		if (r)
			return r < 0 ? r : 0;
		bool spinning = spin_end && vgb_now_us() < spin_end;
		if (spin_end && !spinning) {
			spin_end = 0;
			vgb_vq_drv_want_used(vq, (uint16_t)w->left); /* then re-check before sleeping */
			continue;
		}
		if (!spin_end && vq->event_idx)
			vgb_vq_drv_want_used(vq, (uint16_t)w->left); /* one notification, for the last one */
		struct pollfd pfd[4] = { { .fd = fe->q[queue].call_fd, .events = POLLIN },
					 { .fd = fe->sock, .events = POLLIN } };
		unsigned n = 2 + side_pollfds(fe, pfd + 2);
		r = poll(pfd, n, spinning ? 0 : vgb_ms_left(deadline));
		if (r < 0 && errno != EINTR)
			return fe_fail(fe, -errno, "poll: %s", strerror(errno));
		if (r == 0 && !spinning)
			return fe_fail(fe, -ETIMEDOUT, "no answer from the backend on queue %u within %d ms",
				       queue, timeout_ms);
		if (r <= 0)
			continue;
		if (pfd[0].revents) {
			uint64_t v;
			if (read(fe->q[queue].call_fd, &v, sizeof(v)) == sizeof(v))
				fe->stats.calls++;
		}
		fe_serve_side_channels(fe, pfd + 2, n - 2);
		if (pfd[1].revents) {
			r = reap_used(fe, queue, w); /* answers that raced with the exit */
			if (r)
				return r < 0 ? r : 0;
			r = main_socket_event(fe);
			if (r)
				return r;
		}
	}
}

int vgb_fe_submit_batch(struct vgb_fe *fe, unsigned queue, const struct vgb_fe_chain *chains, unsigned n,
			uint32_t *used_lens)
{
	if (fe->disconnected)
		return fe_fail(fe, -EPIPE, "%s", fe->gone_why[0] ? fe->gone_why : "the backend went away");
	if (fe->broken)
		return -EPROTO;
	if (queue >= fe->nqueues || n == 0 || n > FE_BATCH_MAX)
		return fe_fail(fe, -EINVAL, "bad submission (queue %u, %u chains)", queue, n);
	struct waited w = { .n = n, .left = n };
	_Static_assert(sizeof(struct vgb_sg) == sizeof(struct vgb_vq_buf), "same layout");
	if (fe->opt.poll_us) /* we will be looking: a polling device may answer before the kick */
		vgb_vq_drv_want_used(&fe->q[queue].vq, 0);
	for (unsigned i = 0; i < n; i++) {
		const struct vgb_fe_chain *c = &chains[i];
		if (c->nout + c->nin == 0)
			return fe_fail(fe, -EINVAL, "bad submission (chain %u has no buffers)", i);
		w.heads[i] = vgb_vq_drv_add(&fe->q[queue].vq, (const struct vgb_vq_buf *)c->out, c->nout,
					    (const struct vgb_vq_buf *)c->in, c->nin);
		if (w.heads[i] < 0) {
			/* Chains already added are in flight: the device answers them; wait for those. */
			int e = w.heads[i];
			w.n = w.left = i;
			if (i > 0 && !vgb_fe_kick(fe, queue))
				wait_used(fe, queue, &w, fe->opt.timeout_ms);
			return fe_fail(fe, e, "queue %u: no room for chain %u (%u buffers)", queue, i,
				       c->nout + c->nin);
		}
	}
	int r = 0;
	if (!tuned(fe, queue) || vgb_vq_drv_kick_needed(&fe->q[queue].vq))
		r = vgb_fe_kick(fe, queue);
	else
		fe->stats.kicks_skipped++;
	if (r)
		return r;
	r = wait_used(fe, queue, &w, fe->opt.timeout_ms);
	if (!r && used_lens)
		memcpy(used_lens, w.lens, n * sizeof(*used_lens));
	return r;
}

int vgb_fe_submit(struct vgb_fe *fe, unsigned queue, const struct vgb_sg *out, unsigned nout,
		  const struct vgb_sg *in, unsigned nin, uint32_t *used_len)
{
	if (nout + nin == 0)
		return fe_fail(fe, -EINVAL, "bad submission (queue %u, %u+%u buffers)", queue, nout, nin);
	struct vgb_fe_chain c = { out, nout, in, nin };
	uint32_t len = 0;
	int r = vgb_fe_submit_batch(fe, queue, &c, 1, &len);
	if (!r && used_len)
		*used_len = len;
	if (fe->opt.trace && fe->opt.trace->chain) {
		const void *req = nout ? vgb_fe_gpa_ptr(fe, out[0].gpa, out[0].len) : NULL;
		const void *resp = nin && !r ? vgb_fe_gpa_ptr(fe, in[0].gpa, in[0].len) : NULL;
		fe->opt.trace->chain(fe->opt.trace->ctx, queue, req, nout ? out[0].len : 0, resp,
				     resp ? (len < in[0].len ? len : in[0].len) : 0, r);
	}
	return r;
}

void vgb_fe_get_stats(const struct vgb_fe *fe, struct vgb_fe_stats *st)
{
	*st = fe->stats;
}

int vgb_fe_backend_pid(const struct vgb_fe *fe)
{
	return fe->pid > 0 ? (int)fe->pid : 0;
}

uint64_t vgb_fe_ram_page_size(const struct vgb_fe *fe)
{
	return fe->ram_page_size;
}

int vgb_fe_poll(struct vgb_fe *fe, int timeout_ms)
{
	if (fe->disconnected)
		return -EPIPE;
	int64_t deadline = vgb_deadline(timeout_ms);
	do {
		struct pollfd pfd[3] = { { .fd = fe->sock, .events = POLLIN } };
		unsigned n = 1 + side_pollfds(fe, pfd + 1);
		int r = poll(pfd, n, vgb_ms_left(deadline));
		if (r < 0 && errno != EINTR)
			return fe_fail(fe, -errno, "poll: %s", strerror(errno));
		if (r <= 0)
			continue;
		fe_serve_side_channels(fe, pfd + 1, n - 1);
		if (pfd[0].revents && (r = main_socket_event(fe)))
			return r;
	} while (vgb_ms_left(deadline) != 0);
	return 0;
}

int vgb_fe_reset_device(struct vgb_fe *fe)
{
	if (fe->disconnected)
		return -EPIPE;
	int r;
	for (unsigned i = 0; i < fe->nqueues; i++) {
		struct vgb_vu_msg m, rep;
		vgb_vu_msg_init(&m, VGB_VU_GET_VRING_BASE, 0, sizeof(struct vgb_vu_vring_state));
		m.payload.state.index = i;
		if ((r = call(fe, &m, NULL, 0, sizeof(struct vgb_vu_vring_state), &rep, false)))
			return r;
		fe->q[i].ready = false;
	}
	struct vgb_vu_msg m;
	bool dev_reset = has_protocol(fe, VGB_VU_PROTOCOL_F_RESET_DEVICE);
	vgb_vu_msg_init(&m, dev_reset ? VGB_VU_RESET_DEVICE : VGB_VU_RESET_OWNER, 0, 0);
	if ((r = call(fe, &m, NULL, 0, 0, NULL, false)))
		return r;
	fe_shm_drop_all(fe); /* a reset device has no mappings */
	fe->broken = false;
	if ((r = call_u64(fe, VGB_VU_SET_FEATURES, fe->features, true)) || (r = send_mem_table(fe)))
		return r;
	for (unsigned i = 0; i < fe->nqueues; i++)
		if ((r = setup_queue(fe, i)))
			return r;
	return 0;
}

int vgb_fe_stop_device(struct vgb_fe *fe)
{
	if (fe->disconnected)
		return -EPIPE;
	for (unsigned i = 0; i < fe->nqueues; i++) {
		if (!fe->q[i].ready)
			continue;
		struct vgb_vu_msg m, rep;
		vgb_vu_msg_init(&m, VGB_VU_GET_VRING_BASE, 0, sizeof(struct vgb_vu_vring_state));
		m.payload.state.index = i;
		int r = call(fe, &m, NULL, 0, sizeof(struct vgb_vu_vring_state), &rep, false);
		if (r)
			return r;
		fe->q[i].ready = false;
	}
	fe_shm_drop_all(fe); /* a stopped device has no mappings (REQ-DEV-VU-0045) */
	return 0;
}

int vgb_fe_start_device(struct vgb_fe *fe)
{
	if (fe->disconnected)
		return -EPIPE;
	fe->broken = false;
	for (unsigned i = 0; i < fe->nqueues; i++) {
		int r = setup_queue(fe, i);
		if (r)
			return r;
	}
	return 0;
}
