/* SPDX-License-Identifier: MIT */
/* vhost-user back-end: the front-end message loop, guest memory and queue processing. */
#include "vu_backend_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vgb/wire.h"

#define U64(b) (1ull << (b))

void be_log(struct vgb_vu_backend *be, const char *fmt, ...)
{
	if (!be->opt.verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "vhost-user backend: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int be_fail(struct vgb_vu_backend *be, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(be->err, sizeof(be->err), fmt, ap);
	va_end(ap);
	return code;
}

static uint64_t offered_features(const struct vgb_vu_backend *be)
{
	return be->dev.features | U64(VGB_F_VERSION_1) | U64(VGB_F_RING_INDIRECT_DESC) |
	       U64(VIRTIO_RING_F_EVENT_IDX) | U64(VGB_F_PROTOCOL_FEATURES);
}

static uint64_t offered_protocol_features(const struct vgb_vu_backend *be)
{
	uint64_t f = U64(VGB_VU_PROTOCOL_F_MQ) | U64(VGB_VU_PROTOCOL_F_REPLY_ACK) |
		     U64(VGB_VU_PROTOCOL_F_BACKEND_REQ) | U64(VGB_VU_PROTOCOL_F_CONFIG) |
		     U64(VGB_VU_PROTOCOL_F_BACKEND_SEND_FD) | U64(VGB_VU_PROTOCOL_F_RESET_DEVICE);
	if (be->dev.shm_size)
		f |= U64(VGB_VU_PROTOCOL_F_SHMEM);
	return f;
}

static bool has_protocol(const struct vgb_vu_backend *be, unsigned bit)
{
	return be->protocol_features & U64(bit);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

struct vgb_vu_backend *vgb_vu_backend_new(int sock, const struct vgb_vu_device *dev,
					  const struct vgb_vu_backend_options *opt)
{
	if (!dev || dev->num_queues == 0 || dev->num_queues > VGB_VU_MAX_QUEUES || !dev->request)
		return NULL;
	struct vgb_vu_backend *be = calloc(1, sizeof(*be));
	if (!be)
		return NULL;
	be->sock = sock;
	be->backend_fd = be->gpu_fd = -1;
	be->dev = *dev;
	if (!be->dev.max_request)
		be->dev.max_request = 64 * 1024;
	if (!be->dev.max_response)
		be->dev.max_response = 64 * 1024;
	if (opt)
		be->opt = *opt;
	if (be->opt.timeout_ms <= 0)
		be->opt.timeout_ms = 5000;
	if (be->opt.poll_us > VGB_VU_POLL_US_MAX)
		be->opt.poll_us = VGB_VU_POLL_US_MAX;
	for (unsigned i = 0; i < VGB_VU_MAX_QUEUES; i++)
		be->q[i].kick_fd = be->q[i].call_fd = be->q[i].err_fd = -1;
	be->req_buf = malloc(be->dev.max_request);
	be->resp_buf = malloc(be->dev.max_response);
	if (!be->req_buf || !be->resp_buf) {
		vgb_vu_backend_free(be);
		return NULL;
	}
	return be;
}

static void queue_stop(struct be_queue *q)
{
	close_fd(&q->kick_fd);
	q->started = false;
}

static void queue_clear(struct be_queue *q)
{
	queue_stop(q);
	close_fd(&q->call_fd);
	close_fd(&q->err_fd);
	vgb_vq_dev_fini(&q->vq);
	memset(&q->vq, 0, sizeof(q->vq));
	q->num = 0;
	q->addr_set = false;
	q->enabled = false;
}

void vgb_vu_backend_free(struct vgb_vu_backend *be)
{
	if (!be)
		return;
	for (unsigned i = 0; i < VGB_VU_MAX_QUEUES; i++)
		queue_clear(&be->q[i]);
	vgb_mem_release(&be->mem);
	for (unsigned i = 0; i < be->nretired; i++)
		vgb_mem_release(&be->retired[i]);
	for (unsigned i = 0; i < be->ndeferred; i++) {
		vgb_vu_close_fds(be->deferred[i]);
		free(be->deferred[i]);
	}
	close_fd(&be->sock);
	close_fd(&be->backend_fd);
	close_fd(&be->gpu_fd);
	free(be->req_buf);
	free(be->resp_buf);
	free(be);
}

const char *vgb_vu_backend_error(const struct vgb_vu_backend *be)
{
	return be->err;
}

uint64_t vgb_vu_backend_features(const struct vgb_vu_backend *be)
{
	return be->features;
}

uint64_t vgb_vu_backend_protocol_features(const struct vgb_vu_backend *be)
{
	return be->protocol_features;
}

bool vgb_vu_backend_started(const struct vgb_vu_backend *be)
{
	return be->started;
}

static int reply(struct vgb_vu_backend *be, const struct vgb_vu_msg *req, const void *payload,
		 uint32_t size)
{
	struct vgb_vu_msg r;
	vgb_vu_msg_init(&r, req->request, VGB_VU_FLAG_REPLY, size);
	memcpy(&r.payload, payload, size);
	int e = vgb_vu_send(be->sock, &r, NULL, 0);
	if (e)
		return be_fail(be, e, "sending the reply to %s: %s", vgb_vu_request_name(req->request),
			       strerror(-e));
	return 0;
}

static int reply_u64(struct vgb_vu_backend *be, const struct vgb_vu_msg *req, uint64_t v)
{
	return reply(be, req, &v, sizeof(v));
}

/* --- Queue processing ----------------------------------------------------- */

static int process_chain(struct vgb_vu_backend *be, unsigned qi, const struct vgb_vq_chain *c)
{
	size_t req_len = c->out_len < be->dev.max_request ? (size_t)c->out_len : be->dev.max_request;
	vgb_iov_to_buf(c->out, c->nout, be->req_buf, req_len);
	size_t cap = c->in_len < be->dev.max_response ? (size_t)c->in_len : be->dev.max_response;
	be->in_request = true;
	size_t n = be->dev.request(be->dev.opaque, qi, &be->mem, be->req_buf, req_len, c->out_len,
				   be->resp_buf, cap);
	if (n != VGB_VU_HOLD) {
		/* the chain's pages: old table still mapped */
		vgb_buf_to_iov(c->in, c->nin, be->resp_buf, n < cap ? n : cap);
		vgb_vq_dev_push(&be->q[qi].vq, c->head, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
	} else {
		be_log(be, "queue %u: chain %u held by the device", qi, c->head);
	}
	be->in_request = false;
	if (be->nretired) {
		if (be->dev.mem_changed)
			be->dev.mem_changed(be->dev.opaque);
		for (unsigned i = 0; i < be->nretired; i++)
			vgb_mem_release(&be->retired[i]);
		be->nretired = 0;
	}
	return 0;
}

static int signal_call(struct be_queue *q)
{
	if (q->call_fd < 0 || !vgb_vq_dev_should_notify(&q->vq))
		return 0;
	uint64_t one = 1;
	if (write(q->call_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static int process_queue(struct vgb_vu_backend *be, unsigned qi)
{
	struct be_queue *q = &be->q[qi];
	if (!q->enabled || !q->started || !vgb_vq_dev_ready(&q->vq))
		return 0;
	unsigned done = 0;
	for (;;) {
		const struct vgb_vq_chain *c;
		int r = vgb_vq_dev_pop(&q->vq, &c);
		if (r < 0) {
			signal_call(q);
			return be_fail(be, -EPROTO, "malformed ring on queue %u: %s", qi, q->vq.err);
		}
		if (r == 0) {
			if (be->opt.poll_us)
				break; /* kicks stay off: step() looks at the ring itself before it sleeps */
			if (vgb_vq_dev_rearm(&q->vq))
				continue; /* entries arrived while we asked for the next kick */
			break;
		}
		process_chain(be, qi, c);
		done++;
		if (be->done || be->ndeferred)
			break; /* messages that arrived meanwhile come first; step() resumes the queue */
	}
	if (done && signal_call(q) < 0)
		be_log(be, "queue %u: signalling the call eventfd failed", qi);
	return 0;
}

static int handle_kick(struct vgb_vu_backend *be, unsigned qi)
{
	struct be_queue *q = &be->q[qi];
	uint64_t v;
	ssize_t n = read(q->kick_fd, &v, sizeof(v));
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return be_fail(be, -errno, "queue %u: reading the kick eventfd: %s", qi, strerror(errno));
	if (!q->started)
		be_log(be, "queue %u started", qi);
	q->started = true;
	be->started = true;
	return process_queue(be, qi);
}

/* --- Messages ------------------------------------------------------------- */

static int bind_queue(struct vgb_vu_backend *be, unsigned qi)
{
	struct be_queue *q = &be->q[qi];
	if (!q->addr_set || q->num == 0 || be->mem.nregions == 0)
		return 0;
	if (vgb_vq_dev_bind_uva(&q->vq, &be->mem, q->desc_uva, q->avail_uva, q->used_uva))
		return be_fail(be, -EPROTO, "queue %u: %s", qi, q->vq.err);
	return 0;
}

static int set_mem_table(struct vgb_vu_backend *be, struct vgb_vu_msg *m)
{
	struct vgb_guest_mem nm = { .nregions = m->payload.memory.nregions };
	for (unsigned i = 0; i < nm.nregions; i++) {
		const struct vgb_vu_mem_region *w = &m->payload.memory.regions[i];
		nm.regions[i] = (struct vgb_mem_region){ .gpa = w->gpa, .size = w->size,
							  .uva = w->uva, .mmap_offset = w->mmap_offset,
							  .fd = -1 };
	}
	if (vgb_mem_check_table(&nm))
		return be_fail(be, -EPROTO, "SET_MEM_TABLE: regions empty, overflowing or overlapping");
	for (unsigned i = 0; i < nm.nregions; i++) {
		struct vgb_mem_region *r = &nm.regions[i];
		int fd = m->fds[i];
		struct stat st;
		uint64_t end = r->mmap_offset + r->size; /* overflow excluded by the table check */
		if (fstat(fd, &st) || (S_ISREG(st.st_mode) && (uint64_t)st.st_size < end) ||
		    end > SIZE_MAX) {
			vgb_mem_release(&nm);
			return be_fail(be, -EPROTO, "SET_MEM_TABLE: region %u (offset 0x%llx size 0x%llx) exceeds its file",
				       i, (unsigned long long)r->mmap_offset, (unsigned long long)r->size);
		}
		/* An unsealed file could shrink under us later and turn accesses into SIGBUS. */
		int seals = fcntl(fd, F_GET_SEALS);
		if (S_ISREG(st.st_mode) && (seals < 0 || !(seals & F_SEAL_SHRINK)))
			be_log(be, "SET_MEM_TABLE: region %u is not sealed against shrinking", i);
		void *p = mmap(NULL, (size_t)end, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
		if (p == MAP_FAILED) {
			int e = errno;
			vgb_mem_release(&nm);
			return be_fail(be, -e, "SET_MEM_TABLE: mmap of region %u: %s", i, strerror(e));
		}
		/* Guest RAM in huge pages where the host allows them for shared memory: fewer TLB
		 * misses when a transfer walks scattered guest pages (advice only). */
		madvise(p, (size_t)end, MADV_HUGEPAGE);
		r->map_base = p;
		r->map_len = (size_t)end;
		r->host = (uint8_t *)p + r->mmap_offset;
		r->fd = fd;
		m->fds[i] = -1; /* now owned by the table */
	}
	if (be->in_request) {
		/* The chain in progress may hold pointers into the old table: release it afterwards. */
		if (be->nretired == sizeof(be->retired) / sizeof(be->retired[0])) {
			vgb_mem_release(&nm);
			return be_fail(be, -EPROTO, "SET_MEM_TABLE: too many memory table changes during one request");
		}
		be->retired[be->nretired++] = be->mem;
	} else {
		if (be->dev.mem_changed)
			be->dev.mem_changed(be->dev.opaque);
		vgb_mem_release(&be->mem);
	}
	be->mem = nm;
	for (unsigned i = 0; i < be->dev.num_queues; i++) {
		int r = bind_queue(be, i);
		if (r)
			return r;
	}
	be_log(be, "memory table with %u regions", nm.nregions);
	return 0;
}

static void reset_device(struct vgb_vu_backend *be)
{
	for (unsigned i = 0; i < VGB_VU_MAX_QUEUES; i++)
		queue_clear(&be->q[i]);
	be->started = false;
	if (be->dev.reset)
		be->dev.reset(be->dev.opaque);
}

static bool all_queues_stopped(const struct vgb_vu_backend *be)
{
	for (unsigned i = 0; i < be->dev.num_queues; i++)
		if (be->q[i].kick_fd >= 0)
			return false;
	return true;
}

static struct be_queue *queue_of(struct vgb_vu_backend *be, uint64_t index, const char *what)
{
	if (index >= be->dev.num_queues) {
		be_fail(be, -EPROTO, "%s: queue index %llu >= %u queues", what,
			(unsigned long long)index, be->dev.num_queues);
		return NULL;
	}
	return &be->q[index];
}

static int set_vring_fd(struct vgb_vu_backend *be, struct vgb_vu_msg *m)
{
	const char *name = vgb_vu_request_name(m->request);
	uint64_t v = m->payload.u64;
	if (v & ~(VGB_VU_VRING_IDX_MASK | VGB_VU_VRING_NOFD))
		return be_fail(be, -EPROTO, "%s: unknown bits in 0x%llx", name, (unsigned long long)v);
	unsigned qi = v & VGB_VU_VRING_IDX_MASK;
	struct be_queue *q = queue_of(be, qi, name);
	if (!q)
		return -EPROTO;
	int fd = (v & VGB_VU_VRING_NOFD) ? -1 : m->fds[0];
	m->fds[0] = -1;
	m->nfds = 0;
	switch (m->request) {
	case VGB_VU_SET_VRING_KICK:
		if (fd < 0)
			return be_fail(be, -EPROTO, "SET_VRING_KICK: polling mode (no fd) is not supported");
		queue_stop(q);
		q->kick_fd = fd;
		if (!(be->features & U64(VGB_F_PROTOCOL_FEATURES)))
			q->enabled = true; /* without protocol features rings start enabled */
		/*
		 * A kick may have been lost while the fd was being replaced (reconnect,
		 * restart): chains already available count as one.  An empty ring does not
		 * start the queue, so the driver has really started the device before any
		 * back-end request (SHMEM_MAP) can follow.
		 */
		if (vgb_vq_dev_ready(&q->vq) &&
		    vgb_le16(__atomic_load_n(&q->vq.avail->idx, __ATOMIC_ACQUIRE)) != q->vq.last_avail) {
			q->started = true;
			be->started = true;
			return process_queue(be, qi);
		}
		break;
	case VGB_VU_SET_VRING_CALL:
		close_fd(&q->call_fd);
		q->call_fd = fd;
		break;
	default:
		close_fd(&q->err_fd);
		q->err_fd = fd;
		break;
	}
	return 0;
}

static int get_config(struct vgb_vu_backend *be, const struct vgb_vu_msg *m)
{
	struct vgb_vu_config c = { .offset = m->payload.config.offset, .size = m->payload.config.size,
				   .flags = m->payload.config.flags };
	uint8_t space[VGB_VU_MAX_CONFIG_SIZE] = { 0 };
	size_t have = be->dev.config ? be->dev.config(be->dev.opaque, space, sizeof(space)) : 0;
	if ((uint64_t)c.offset + c.size > VGB_VU_MAX_CONFIG_SIZE || c.offset > have) {
		be_log(be, "GET_CONFIG offset %u size %u outside the config space", c.offset, c.size);
		return reply(be, m, &c, 0); /* empty reply: the front-end sees a failure */
	}
	memcpy(c.payload, space + c.offset, c.size);
	return reply(be, m, &c, VGB_VU_CONFIG_HDR_SIZE + c.size);
}

/*
 * SET_CONFIG: the only driver-writable field of a GPU is events_clear (offset 4).
 * Nothing raises display events here, so clearing is accepted and changes nothing;
 * any other write is refused.
 */
static int set_config(struct vgb_vu_backend *be, const struct vgb_vu_msg *m)
{
	const struct vgb_vu_config *c = &m->payload.config;
	if (be->dev.set_config) {
		/* The size was checked against the message when it was received. */
		if (be->dev.set_config(be->dev.opaque, c->offset, c->payload, c->size))
			return 0;
	} else if (be->dev.gpu && c->offset == 4 && c->size == 4) {
		return 0;
	}
	be_log(be, "SET_CONFIG offset %u size %u refused: not a writable field", c->offset, c->size);
	return 1;
}

static int get_shmem_config(struct vgb_vu_backend *be, const struct vgb_vu_msg *m)
{
	struct vgb_vu_shmem_config *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (be->dev.shm_size) {
		c->nregions = 1;
		c->memory_sizes[be->dev.shmid] = be->dev.shm_size;
	}
	int r = reply(be, m, c, sizeof(*c));
	free(c);
	return r;
}

/* Returns 0 handled, 1 handled but failed (nack), <0 fatal. *replied when a reply was sent. */
static int dispatch(struct vgb_vu_backend *be, struct vgb_vu_msg *m, bool *replied)
{
	const char *name = vgb_vu_request_name(m->request);
	struct be_queue *q;
	*replied = false;
	switch (m->request) {
	case VGB_VU_GET_FEATURES:
		*replied = true;
		return reply_u64(be, m, offered_features(be));
	case VGB_VU_SET_FEATURES: {
		uint64_t unoffered = m->payload.u64 & ~offered_features(be);
		/*
		 * Bits never offered are reported and ignored: QEMU 10.0 passes its own
		 * (e.g. RING_RESET, bit 40) to vhost-user-gpu back-ends.  Device bits also
		 * go to the device, which judges the driver in validating mode.
		 */
		if (unoffered)
			fprintf(stderr, "vhost-user backend: SET_FEATURES 0x%llx accepts bits never offered (0x%llx): ignored\n",
				(unsigned long long)m->payload.u64, (unsigned long long)unoffered);
		be->features = m->payload.u64 & offered_features(be);
		/* A refused combination (nacked) leaves nothing negotiated. */
		bool refused = be->dev.set_features && !be->dev.set_features(be->dev.opaque, m->payload.u64);
		if (refused)
			be->features = 0;
		be->features_set = !refused;
		for (unsigned i = 0; i < be->dev.num_queues; i++) {
			be->q[i].vq.indirect = be->features & U64(VGB_F_RING_INDIRECT_DESC);
			be->q[i].vq.event_idx = be->features & U64(VIRTIO_RING_F_EVENT_IDX);
		}
		if (refused) {
			be_log(be, "features 0x%llx refused by the device", (unsigned long long)m->payload.u64);
			return 1;
		}
		be_log(be, "features 0x%llx", (unsigned long long)be->features);
		return 0;
	}
	case VGB_VU_GET_PROTOCOL_FEATURES:
		*replied = true;
		return reply_u64(be, m, offered_protocol_features(be));
	case VGB_VU_SET_PROTOCOL_FEATURES:
		if (m->payload.u64 & ~offered_protocol_features(be))
			return be_fail(be, -EPROTO, "SET_PROTOCOL_FEATURES 0x%llx has bits never offered",
				       (unsigned long long)m->payload.u64);
		be->protocol_features = m->payload.u64;
		return 0;
	case VGB_VU_SET_OWNER:
		return 0;
	case VGB_VU_RESET_OWNER:
	case VGB_VU_RESET_DEVICE:
		be_log(be, "%s: device reset", name);
		reset_device(be);
		return 0;
	case VGB_VU_SET_MEM_TABLE:
		return set_mem_table(be, m);
	case VGB_VU_SET_VRING_NUM: {
		uint32_t num = m->payload.state.num;
		if (!(q = queue_of(be, m->payload.state.index, name)))
			return -EPROTO;
		if (num == 0 || num > VGB_VQ_MAX_SIZE || (num & (num - 1)))
			return be_fail(be, -EPROTO, "SET_VRING_NUM: size %u is not a power of two in 1..32768",
				       num);
		if (q->started)
			return be_fail(be, -EPROTO, "SET_VRING_NUM on running queue %u", m->payload.state.index);
		uint16_t base = q->vq.last_avail; /* SET_VRING_BASE may come first */
		vgb_vq_dev_fini(&q->vq);
		if (vgb_vq_dev_init(&q->vq, (uint16_t)num, be->features & U64(VGB_F_RING_INDIRECT_DESC)))
			return be_fail(be, -ENOMEM, "SET_VRING_NUM: out of memory");
		q->vq.event_idx = be->features & U64(VIRTIO_RING_F_EVENT_IDX);
		q->vq.last_avail = q->vq.used_idx = base;
		q->num = (uint16_t)num;
		return bind_queue(be, m->payload.state.index);
	}
	case VGB_VU_SET_VRING_ADDR:
		if (!(q = queue_of(be, m->payload.addr.index, name)))
			return -EPROTO;
		q->desc_uva = m->payload.addr.desc_uva;
		q->avail_uva = m->payload.addr.avail_uva;
		q->used_uva = m->payload.addr.used_uva;
		q->addr_set = true;
		if (q->num == 0)
			return be_fail(be, -EPROTO, "SET_VRING_ADDR before SET_VRING_NUM on queue %u",
				       m->payload.addr.index);
		return bind_queue(be, m->payload.addr.index);
	case VGB_VU_SET_VRING_BASE:
		if (!(q = queue_of(be, m->payload.state.index, name)))
			return -EPROTO;
		if (m->payload.state.num > 0xffff)
			return be_fail(be, -EPROTO, "SET_VRING_BASE: base %u > 65535", m->payload.state.num);
		q->vq.last_avail = q->vq.used_idx = (uint16_t)m->payload.state.num;
		return 0;
	case VGB_VU_GET_VRING_BASE: {
		if (!(q = queue_of(be, m->payload.state.index, name)))
			return -EPROTO;
		queue_stop(q);
		struct vgb_vu_vring_state st = { m->payload.state.index, q->vq.last_avail };
		*replied = true;
		int r = reply(be, m, &st, sizeof(st));
		if (!r && all_queues_stopped(be)) {
			be_log(be, "every queue stopped: device stopped");
			be->started = false; /* no SHMEM_MAP before the next kick */
			if (be->dev.stop)
				be->dev.stop(be->dev.opaque);
		}
		return r;
	}
	case VGB_VU_SET_VRING_KICK:
	case VGB_VU_SET_VRING_CALL:
	case VGB_VU_SET_VRING_ERR:
		return set_vring_fd(be, m);
	case VGB_VU_GET_QUEUE_NUM:
		*replied = true;
		return reply_u64(be, m, be->dev.num_queues);
	case VGB_VU_SET_VRING_ENABLE:
		if (!(q = queue_of(be, m->payload.state.index, name)))
			return -EPROTO;
		if (m->payload.state.num > 1)
			return be_fail(be, -EPROTO, "SET_VRING_ENABLE: value %u", m->payload.state.num);
		q->enabled = m->payload.state.num;
		return q->enabled ? process_queue(be, m->payload.state.index) : 0;
	case VGB_VU_SET_BACKEND_REQ_FD:
		if (!has_protocol(be, VGB_VU_PROTOCOL_F_BACKEND_REQ))
			return be_fail(be, -EPROTO, "SET_BACKEND_REQ_FD without protocol feature BACKEND_REQ");
		close_fd(&be->backend_fd);
		be->backend_fd = m->fds[0];
		m->fds[0] = -1;
		m->nfds = 0;
		return 0;
	case VGB_VU_GET_CONFIG:
		if (!has_protocol(be, VGB_VU_PROTOCOL_F_CONFIG))
			return be_fail(be, -EPROTO, "GET_CONFIG without protocol feature CONFIG");
		*replied = true;
		return get_config(be, m);
	case VGB_VU_SET_CONFIG:
		if (!has_protocol(be, VGB_VU_PROTOCOL_F_CONFIG))
			return be_fail(be, -EPROTO, "SET_CONFIG without protocol feature CONFIG");
		return set_config(be, m);
	case VGB_VU_GPU_SET_SOCKET:
		if (!be->dev.gpu)
			return be_fail(be, -EPROTO, "GPU_SET_SOCKET sent to a device that is not a GPU");
		be_gpu_attach(be, m->fds[0]);
		m->fds[0] = -1;
		m->nfds = 0;
		return 0;
	case VGB_VU_GET_SHMEM_CONFIG:
		if (!has_protocol(be, VGB_VU_PROTOCOL_F_SHMEM) && !be->opt.frontend_violation)
			return be_fail(be, -EPROTO, "GET_SHMEM_CONFIG without protocol feature SHMEM");
		if (!has_protocol(be, VGB_VU_PROTOCOL_F_SHMEM))
			be->opt.frontend_violation(be->opt.opaque, "REQ-DEV-VU-0046",
						   "GET_SHMEM_CONFIG without protocol feature SHMEM negotiated");
		*replied = true;
		return get_shmem_config(be, m);
	default:
		return 1;
	}
}

/* 0: *m received; 1: the front-end closed the connection (be->done set); <0: broken framing. */
static int receive_message(struct vgb_vu_backend *be, struct vgb_vu_msg *m)
{
	char why[200];
	int r = vgb_vu_recv(be->sock, m, be->opt.timeout_ms, why, sizeof(why));
	if (r == -EPIPE) {
		be->done = true;
		be->status = 0;
		snprintf(be->err, sizeof(be->err), "front-end closed the connection");
		return 1;
	}
	if (r)
		return be_fail(be, r, "bad message from the front-end: %s", why);
	be_log(be, "<- %s (%u bytes, %u fds)", vgb_vu_request_name(m->request), m->size, m->nfds);
	return 0;
}

/* Checks, dispatches and acknowledges one message; closes its fds. */
static int handle_one(struct vgb_vu_backend *be, struct vgb_vu_msg *m)
{
	char why[200];
	bool need_reply = m->flags & VGB_VU_FLAG_NEED_REPLY;
	int r = vgb_vu_check_frontend_msg(m, why, sizeof(why));
	bool replied = false;
	if (r == -ENOTSUP) {
		fprintf(stderr, "vhost-user backend: ignoring %s\n", why);
		r = 1;
	} else if (r) {
		vgb_vu_close_fds(m);
		return be_fail(be, r, "malformed message from the front-end: %s", why);
	} else {
		r = dispatch(be, m, &replied);
	}
	vgb_vu_close_fds(m);
	if (r < 0)
		return r;
	if (need_reply && !replied && has_protocol(be, VGB_VU_PROTOCOL_F_REPLY_ACK)) {
		int e = reply_u64(be, m, r ? 1 : 0);
		if (e)
			return e;
	}
	return 0;
}

static int handle_message(struct vgb_vu_backend *be)
{
	struct vgb_vu_msg m;
	int r = receive_message(be, &m);
	if (r)
		return r > 0 ? 0 : r;
	return handle_one(be, &m);
}

static int end_with(struct vgb_vu_backend *be, int r)
{
	be->done = true;
	be->status = r;
	return r;
}

int be_wait_readable(struct vgb_vu_backend *be, int fd, int64_t deadline)
{
	for (;;) {
		if (be->done)
			return be->status ? be->status : -EPIPE;
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = be->sock, .events = POLLIN } };
		int r = vgb_poll_spin(pfd, 2, vgb_ms_left(deadline), be->opt.poll_us);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if (pfd[0].revents)
			return 0;
		struct vgb_vu_msg *m = malloc(sizeof(*m));
		if (!m)
			return -ENOMEM;
		r = receive_message(be, m);
		if (r) {
			free(m);
			return r > 0 ? -EPIPE : end_with(be, r);
		}
		if (m->request == VGB_VU_SET_MEM_TABLE && be->ndeferred == 0) {
			r = handle_one(be, m);
			free(m);
			if (r < 0)
				return end_with(be, r);
			continue;
		}
		if (be->ndeferred == sizeof(be->deferred) / sizeof(be->deferred[0])) {
			vgb_vu_close_fds(m);
			free(m);
			return end_with(be, be_fail(be, -EPROTO, "too many front-end messages during one request"));
		}
		be_log(be, "%s waits until the current request is done", vgb_vu_request_name(m->request));
		be->deferred[be->ndeferred++] = m;
	}
}

/* Messages that arrived while a request waited, in order; then the queues they interrupted. */
static int run_deferred(struct vgb_vu_backend *be)
{
	if (!be->ndeferred)
		return 0;
	while (be->ndeferred && !be->done) {
		struct vgb_vu_msg *m = be->deferred[0];
		memmove(be->deferred, be->deferred + 1, --be->ndeferred * sizeof(be->deferred[0]));
		int r = handle_one(be, m);
		free(m);
		if (r < 0)
			return r;
	}
	for (unsigned i = 0; i < be->dev.num_queues && !be->done && !be->ndeferred; i++) {
		int r = process_queue(be, i);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool queue_live(const struct be_queue *q)
{
	return q->enabled && q->started && vgb_vq_dev_ready(&q->vq);
}

/*
 * Busy polling (opt.poll_us): the rings and the sockets are looked at without
 * sleeping, with the driver's kicks suppressed meanwhile (it need not make a
 * system call that nobody waits for).  *served: a queue was processed (its
 * result returned); otherwise returns what a poll() that did not sleep saw,
 * 0 when the window of `us` passed with nothing to do and kicks are back on.
 * Kicks stay off after a queue was served: the next step() spins again.
 */
static int spin(struct vgb_vu_backend *be, struct pollfd *pfd, unsigned n, unsigned us, bool *served)
{
	int64_t end = vgb_now_us() + us;
	*served = false;
	for (unsigned i = 0; i < be->dev.num_queues; i++)
		if (queue_live(&be->q[i]))
			vgb_vq_dev_kicks_off(&be->q[i].vq);
	for (;;) {
		for (unsigned i = 0; i < be->dev.num_queues; i++) {
			if (queue_live(&be->q[i]) && vgb_vq_dev_pending(&be->q[i].vq)) {
				*served = true;
				return process_queue(be, i);
			}
		}
		int r = poll(pfd, n, 0);
		if (r != 0)
			return r;
		if (vgb_now_us() >= end)
			break;
	}
	/* Kicks back on before sleeping; entries that came meanwhile are served now. */
	bool arrived = false;
	for (unsigned i = 0; i < be->dev.num_queues; i++)
		if (queue_live(&be->q[i]) && vgb_vq_dev_rearm(&be->q[i].vq))
			arrived = true;
	for (unsigned i = 0; arrived && i < be->dev.num_queues; i++) {
		if (queue_live(&be->q[i]) && vgb_vq_dev_pending(&be->q[i].vq)) {
			*served = true;
			return process_queue(be, i);
		}
	}
	return 0;
}

int vgb_vu_backend_step(struct vgb_vu_backend *be, int timeout_ms)
{
	if (be->done)
		return be->status;
	int e = run_deferred(be);
	if (e < 0)
		return end_with(be, e);
	if (be->done)
		return be->status;
	struct pollfd pfd[2 + VGB_VU_MAX_QUEUES];
	int qmap[2 + VGB_VU_MAX_QUEUES];
	unsigned n = 0;
	pfd[n] = (struct pollfd){ .fd = be->sock, .events = POLLIN };
	qmap[n++] = -1;
	if (be->gpu_fd >= 0) {
		pfd[n] = (struct pollfd){ .fd = be->gpu_fd, .events = POLLIN };
		qmap[n++] = -2;
	}
	for (unsigned i = 0; i < be->dev.num_queues; i++) {
		if (be->q[i].kick_fd < 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = be->q[i].kick_fd, .events = POLLIN };
		qmap[n++] = (int)i;
	}
	int r = 0;
	if (be->opt.poll_us && be->started) {
		bool served;
		r = spin(be, pfd, n, timeout_ms == 0 ? 0 : be->opt.poll_us, &served);
		if (served)
			return r < 0 ? end_with(be, r) : be->done ? be->status : 1;
	}
	if (r == 0)
		r = poll(pfd, n, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 1 : be_fail(be, -errno, "poll: %s", strerror(errno));
	for (unsigned i = 0; i < n && r > 0; i++) {
		if (!pfd[i].revents)
			continue;
		e = 0;
		if (qmap[i] == -1)
			e = handle_message(be);
		else if (qmap[i] == -2)
			be_gpu_readable(be);
		else if (be->q[qmap[i]].kick_fd == pfd[i].fd)
			e = handle_kick(be, (unsigned)qmap[i]);
		if (e < 0)
			return end_with(be, e);
		if (be->done)
			return be->status;
	}
	return 1;
}

int vgb_vu_backend_run(struct vgb_vu_backend *be)
{
	for (;;) {
		int r = vgb_vu_backend_step(be, -1);
		if (r <= 0)
			return r;
	}
}

/* --- Back-end request channel: host-visible region ------------------------ */

static int backend_request(struct vgb_vu_backend *be, uint32_t request, const struct vgb_vu_mmap *mm,
			   int fd)
{
	if (!has_protocol(be, VGB_VU_PROTOCOL_F_SHMEM) || be->backend_fd < 0)
		return -ENOTSUP;
	if (!be->started)
		return -EAGAIN; /* a front-end may not be ready before the driver starts the device */
	bool ack = has_protocol(be, VGB_VU_PROTOCOL_F_REPLY_ACK);
	struct vgb_vu_msg m;
	char why[200];
	/* A reply that came after we stopped waiting must not answer this request. */
	struct pollfd stale = { .fd = be->backend_fd, .events = POLLIN };
	while (poll(&stale, 1, 0) > 0 && (stale.revents & POLLIN)) {
		if (vgb_vu_recv(be->backend_fd, &m, 100, why, sizeof(why)))
			break;
		fprintf(stderr, "vhost-user backend: discarding a late reply to %s\n",
			vgb_vu_backend_request_name(m.request));
		vgb_vu_close_fds(&m);
	}
	vgb_vu_msg_init(&m, request, ack ? VGB_VU_FLAG_NEED_REPLY : 0, sizeof(*mm));
	m.payload.mmap = *mm;
	int r = vgb_vu_send(be->backend_fd, &m, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0);
	if (r) {
		be_log(be, "%s: send failed: %s", vgb_vu_backend_request_name(request), strerror(-r));
		return r;
	}
	if (!ack)
		return 0;
	struct vgb_vu_msg rep;
	r = be_wait_readable(be, be->backend_fd, vgb_deadline(be->opt.timeout_ms));
	if (r) {
		fprintf(stderr, "vhost-user backend: no reply to %s: %s\n",
			vgb_vu_backend_request_name(request), strerror(-r));
		return r;
	}
	r = vgb_vu_recv(be->backend_fd, &rep, be->opt.timeout_ms, why, sizeof(why));
	if (r == 0)
		r = vgb_vu_check_reply(&rep, request, 8, why, sizeof(why));
	if (r) {
		vgb_vu_close_fds(&rep);
		be_log(be, "%s: %s", vgb_vu_backend_request_name(request), why);
		return r;
	}
	be_log(be, "%s shm_offset 0x%llx len 0x%llx: %s", vgb_vu_backend_request_name(request),
	       (unsigned long long)mm->shm_offset, (unsigned long long)mm->len,
	       rep.payload.u64 ? "refused" : "done");
	return rep.payload.u64 ? -EIO : 0;
}

int vgb_vu_backend_shm_map(struct vgb_vu_backend *be, int fd, uint64_t fd_offset,
			   uint64_t shm_offset, uint64_t len, bool writable)
{
	struct vgb_vu_mmap mm = { .shmid = be->dev.shmid, .fd_offset = fd_offset,
				  .shm_offset = shm_offset, .len = len,
				  .flags = writable ? VGB_VU_SHMEM_FLAG_WRITABLE : 0 };
	if (fd < 0)
		return -EBADF;
	return backend_request(be, VGB_VU_BACKEND_SHMEM_MAP, &mm, fd);
}

int vgb_vu_backend_shm_unmap(struct vgb_vu_backend *be, uint64_t shm_offset, uint64_t len)
{
	struct vgb_vu_mmap mm = { .shmid = be->dev.shmid, .shm_offset = shm_offset, .len = len };
	return backend_request(be, VGB_VU_BACKEND_SHMEM_UNMAP, &mm, -1);
}

int vgb_vu_backend_shm_request(struct vgb_vu_backend *be, uint32_t request, uint8_t shmid, int fd,
			       uint64_t fd_offset, uint64_t shm_offset, uint64_t len, uint64_t flags)
{
	struct vgb_vu_mmap mm = { .shmid = shmid, .fd_offset = fd_offset, .shm_offset = shm_offset, .len = len,
				  .flags = flags };
	return backend_request(be, request, &mm, fd);
}

/* --- Backend-program conventions ----------------------------------------- */

int vgb_vu_listen_accept(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path); /* a stale socket of an earlier run */
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1)) {
		snprintf(err, errlen, "listening on %s: %s", path, strerror(errno));
		close(ls);
		return -1;
	}
	int s;
	do
		s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	while (s < 0 && errno == EINTR);
	int e = errno;
	close(ls);
	unlink(path);
	if (s < 0) {
		snprintf(err, errlen, "accept on %s: %s", path, strerror(e));
		return -1;
	}
	return s;
}
