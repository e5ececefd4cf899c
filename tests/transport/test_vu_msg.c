/* SPDX-License-Identifier: MIT */
/*
 * vhost-user message parsing with malformed input: framing (sizes, version,
 * fd counts, truncation), per-request shape checks, and a back-end fed bad
 * messages (memory table overlap/overflow/short file, unknown requests).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "vgb/vhost_user.h"
#include "vgb/vu_backend.h"
#include "vgb/wire.h"

static void pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		perror("socketpair");
		exit(99);
	}
}

static void send_raw(int s, const void *buf, size_t len, const int *fds, unsigned nfds)
{
	struct iovec iov = { (void *)buf, len };
	char ctl[CMSG_SPACE(16 * sizeof(int))];
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds) {
		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	if (sendmsg(s, &mh, MSG_NOSIGNAL) != (ssize_t)len) {
		perror("sendmsg");
		exit(99);
	}
}

static int recv_expect(const void *bytes, size_t len, const int *fds, unsigned nfds, bool close_after,
		       const char *what, const char *name)
{
	int sv[2];
	pair(sv);
	send_raw(sv[1], bytes, len, fds, nfds);
	if (close_after)
		close(sv[1]);
	struct vgb_vu_msg m;
	char err[200] = "";
	int r = vgb_vu_recv(sv[0], &m, 1000, err, sizeof(err));
	if (what) {
		CHECK(r == -EPROTO, "%s: recv %d", name, r);
		CHECK(strstr(err, what), "%s: '%s' lacks '%s'", name, err, what);
		fprintf(stderr, "ok %s: %s\n", name, err);
	} else {
		CHECK(r == 0, "%s: recv %d (%s)", name, r, err);
	}
	vgb_vu_close_fds(&m);
	close(sv[0]);
	if (!close_after)
		close(sv[1]);
	return r;
}

static void test_framing(void)
{
	uint32_t hdr[3] = { VGB_VU_SET_FEATURES, 1, 100000 };
	recv_expect(hdr, sizeof(hdr), NULL, 0, false, "payload size 100000", "oversized payload");
	uint32_t v2[5] = { VGB_VU_SET_FEATURES, 2, 8, 0, 0 };
	recv_expect(v2, sizeof(v2), NULL, 0, false, "version 2", "bad version");
	int fds[9];
	for (int i = 0; i < 9; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	uint32_t k[5] = { VGB_VU_SET_VRING_KICK, 1, 8, 0, 0 };
	recv_expect(k, sizeof(k), fds, 9, false, "more than 8 file descriptors", "nine fds");
	for (int i = 0; i < 9; i++)
		close(fds[i]);
	recv_expect(hdr, 6, NULL, 0, true, "truncated message header", "truncated header");
	uint32_t shortp[4] = { VGB_VU_SET_FEATURES, 1, 8, 0 };
	recv_expect(shortp, sizeof(shortp), NULL, 0, true, "truncated payload", "truncated payload");
	uint32_t ok[5] = { VGB_VU_SET_FEATURES, 1, 8, 7, 0 };
	recv_expect(ok, sizeof(ok), NULL, 0, false, NULL, "valid message");

	int sv[2];
	pair(sv);
	close(sv[1]);
	struct vgb_vu_msg m;
	char err[100];
	CHECK(vgb_vu_recv(sv[0], &m, 1000, err, sizeof(err)) == -EPIPE, "EOF is -EPIPE");
	close(sv[0]);
	pair(sv);
	CHECK(vgb_vu_recv(sv[0], &m, 50, err, sizeof(err)) == -ETIMEDOUT, "silence is -ETIMEDOUT");
	close(sv[0]);
	close(sv[1]);
}

static void shape(uint32_t req, uint32_t flags, uint32_t size, unsigned nfds, uint64_t u64,
		  int expect, const char *name)
{
	struct vgb_vu_msg m;
	vgb_vu_msg_init(&m, req, flags, size);
	m.payload.u64 = u64;
	m.nfds = nfds;
	char err[200] = "";
	int r = vgb_vu_check_frontend_msg(&m, err, sizeof(err));
	CHECK(r == expect, "%s: %d, expected %d (%s)", name, r, expect, err);
	if (r)
		fprintf(stderr, "ok %s: %s\n", name, err);
}

static void test_shapes(void)
{
	shape(VGB_VU_SET_FEATURES, 0, 8, 0, 0, 0, "SET_FEATURES");
	shape(VGB_VU_SET_FEATURES, 0, 4, 0, 0, -EPROTO, "SET_FEATURES short");
	shape(VGB_VU_GET_FEATURES, 0, 8, 0, 0, -EPROTO, "GET_FEATURES with payload");
	shape(VGB_VU_SET_VRING_KICK, 0, 8, 0, 0, -EPROTO, "KICK without fd");
	shape(VGB_VU_SET_VRING_KICK, 0, 8, 0, VGB_VU_VRING_NOFD, 0, "KICK with NOFD bit");
	shape(VGB_VU_SET_VRING_CALL, 0, 8, 2, 0, -EPROTO, "CALL with two fds");
	shape(VGB_VU_SET_VRING_ADDR, 0, 32, 0, 0, -EPROTO, "VRING_ADDR short");
	shape(VGB_VU_GPU_SET_SOCKET, 0, 0, 0, 0, -EPROTO, "GPU_SET_SOCKET without fd");
	shape(VGB_VU_SET_FEATURES, VGB_VU_FLAG_REPLY, 8, 0, 0, -EPROTO, "request with reply flag");
	shape(99, 0, 0, 0, 0, -ENOTSUP, "unknown request");
	shape(VGB_VU_SET_LOG_BASE, 0, 16, 1, 0, -ENOTSUP, "unsupported request");

	struct vgb_vu_msg m;
	char err[200];
	vgb_vu_msg_init(&m, VGB_VU_SET_MEM_TABLE, 0, 8 + 2 * 32);
	m.payload.memory.nregions = 2;
	m.nfds = 2;
	CHECK(vgb_vu_check_frontend_msg(&m, err, sizeof(err)) == 0, "mem table 2/2: %s", err);
	m.nfds = 1;
	CHECK(vgb_vu_check_frontend_msg(&m, err, sizeof(err)) == -EPROTO, "mem table 2 regions 1 fd");
	m.payload.memory.nregions = 9;
	m.nfds = 2;
	CHECK(vgb_vu_check_frontend_msg(&m, err, sizeof(err)) == -EPROTO, "mem table 9 regions");
	m.payload.memory.nregions = 3;
	m.nfds = 3;
	CHECK(vgb_vu_check_frontend_msg(&m, err, sizeof(err)) == -EPROTO, "mem table size mismatch");
	m.payload.memory.nregions = 0;
	m.nfds = 0;
	m.size = 8;
	CHECK(vgb_vu_check_frontend_msg(&m, err, sizeof(err)) == -EPROTO, "mem table 0 regions");

	vgb_vu_msg_init(&m, VGB_VU_GET_CONFIG, 0, 12 + 20);
	m.payload.config.size = 20;
	CHECK(vgb_vu_check_frontend_msg(&m, err, sizeof(err)) == 0, "GET_CONFIG 20: %s", err);
	m.payload.config.size = 21;
	CHECK(vgb_vu_check_frontend_msg(&m, err, sizeof(err)) == -EPROTO, "GET_CONFIG size mismatch");
	m.payload.config.size = 300;
	m.size = 12 + 300;
	CHECK(vgb_vu_check_frontend_msg(&m, err, sizeof(err)) == -EPROTO, "GET_CONFIG 300 bytes");

	vgb_vu_msg_init(&m, VGB_VU_BACKEND_SHMEM_MAP, 0, 40);
	m.nfds = 1;
	CHECK(vgb_vu_check_backend_msg(&m, err, sizeof(err)) == 0, "SHMEM_MAP: %s", err);
	m.nfds = 0;
	CHECK(vgb_vu_check_backend_msg(&m, err, sizeof(err)) == -EPROTO, "SHMEM_MAP without fd");
	m.nfds = 1;
	m.size = 32;
	CHECK(vgb_vu_check_backend_msg(&m, err, sizeof(err)) == -EPROTO, "SHMEM_MAP short");
	vgb_vu_msg_init(&m, VGB_VU_BACKEND_SHMEM_UNMAP, 0, 40);
	m.nfds = 1;
	CHECK(vgb_vu_check_backend_msg(&m, err, sizeof(err)) == -EPROTO, "SHMEM_UNMAP with fd");
	vgb_vu_msg_init(&m, 77, 0, 0);
	CHECK(vgb_vu_check_backend_msg(&m, err, sizeof(err)) == -ENOTSUP, "unknown back-end request");

	vgb_vu_msg_init(&m, VGB_VU_GET_FEATURES, VGB_VU_FLAG_REPLY, 8);
	CHECK(vgb_vu_check_reply(&m, VGB_VU_GET_FEATURES, 8, err, sizeof(err)) == 0, "reply ok");
	CHECK(vgb_vu_check_reply(&m, VGB_VU_GET_PROTOCOL_FEATURES, 8, err, sizeof(err)) == -EPROTO,
	      "reply to another request");
	CHECK(vgb_vu_check_reply(&m, VGB_VU_GET_FEATURES, 16, err, sizeof(err)) == -EPROTO, "reply size");
	m.flags = VGB_VU_VERSION;
	CHECK(vgb_vu_check_reply(&m, VGB_VU_GET_FEATURES, 8, err, sizeof(err)) == -EPROTO,
	      "reply without the reply flag");
}

/* --- A back-end in this process, fed by hand ------------------------------ */

static size_t null_request(void *o, unsigned q, const struct vgb_guest_mem *m, const void *req,
			   size_t len, size_t total, void *resp, size_t cap)
{
	return 0;
}

static uint64_t seen_features;

static bool record_features(void *o, uint64_t f)
{
	seen_features = f;
	return true;
}

struct rig {
	int fe; /* our end */
	struct vgb_vu_backend *be;
};

static struct rig rig_new(void)
{
	int sv[2];
	pair(sv);
	struct vgb_vu_device dev = { .num_queues = 2, .request = null_request, .gpu = true,
				     .features = 1ull << 1, .set_features = record_features };
	struct rig r = { sv[0], vgb_vu_backend_new(sv[1], &dev, NULL) };
	if (!r.be)
		exit(99);
	return r;
}

static void rig_free(struct rig *r)
{
	vgb_vu_backend_free(r->be);
	close(r->fe);
}

static int rig_send(struct rig *r, struct vgb_vu_msg *m, const int *fds, unsigned nfds)
{
	if (vgb_vu_send(r->fe, m, fds, nfds))
		return -EPIPE;
	return vgb_vu_backend_step(r->be, 1000);
}

static void enable_reply_ack(struct rig *r)
{
	struct vgb_vu_msg m;
	vgb_vu_msg_init(&m, VGB_VU_SET_PROTOCOL_FEATURES, 0, 8);
	m.payload.u64 = 1ull << VGB_VU_PROTOCOL_F_REPLY_ACK;
	CHECK(rig_send(r, &m, NULL, 0) == 1, "SET_PROTOCOL_FEATURES accepted");
}

static int memfd_of(size_t size)
{
	int fd = memfd_create("t", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size))
		exit(99);
	return fd;
}

static void mem_table_case(const char *name, const struct vgb_vu_mem_region *regs, unsigned n,
			   size_t file_size, const char *what)
{
	struct rig r = rig_new();
	struct vgb_vu_msg m;
	vgb_vu_msg_init(&m, VGB_VU_SET_MEM_TABLE, 0, 8 + n * 32);
	m.payload.memory.nregions = n;
	int fds[8];
	for (unsigned i = 0; i < n; i++) {
		m.payload.memory.regions[i] = regs[i];
		fds[i] = memfd_of(file_size);
	}
	int res = rig_send(&r, &m, fds, n);
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
	if (what) {
		CHECK(res < 0, "%s: step %d", name, res);
		CHECK(strstr(vgb_vu_backend_error(r.be), what), "%s: '%s' lacks '%s'", name,
		      vgb_vu_backend_error(r.be), what);
		fprintf(stderr, "ok %s: %s\n", name, vgb_vu_backend_error(r.be));
	} else {
		CHECK(res == 1, "%s: step %d (%s)", name, res, vgb_vu_backend_error(r.be));
	}
	rig_free(&r);
}

static void test_backend_rejects(void)
{
	struct vgb_vu_mem_region ok[2] = { { 0x0, 0x10000, 0x7f0000000000, 0 },
					   { 0x100000, 0x10000, 0x7f0000100000, 0 } };
	mem_table_case("valid memory table", ok, 2, 0x10000, NULL);
	struct vgb_vu_mem_region gpa_overlap[2] = { { 0x0, 0x10000, 0x7f0000000000, 0 },
						    { 0x8000, 0x10000, 0x7f0000100000, 0 } };
	mem_table_case("GPA overlap", gpa_overlap, 2, 0x10000, "overlapping");
	struct vgb_vu_mem_region uva_overlap[2] = { { 0x0, 0x10000, 0x7f0000000000, 0 },
						    { 0x100000, 0x10000, 0x7f0000008000, 0 } };
	mem_table_case("UVA overlap", uva_overlap, 2, 0x10000, "overlapping");
	struct vgb_vu_mem_region wrap[1] = { { UINT64_MAX - 0xfff, 0x10000, 0x7f0000000000, 0 } };
	mem_table_case("GPA overflow", wrap, 1, 0x10000, "overflowing");
	struct vgb_vu_mem_region off_wrap[1] = { { 0, 0x10000, 0x7f0000000000, UINT64_MAX - 0xfff } };
	mem_table_case("mmap offset overflow", off_wrap, 1, 0x10000, "overflowing");
	struct vgb_vu_mem_region too_big[1] = { { 0, 0x20000, 0x7f0000000000, 0 } };
	mem_table_case("region larger than its file", too_big, 1, 0x10000, "exceeds its file");
	struct vgb_vu_mem_region empty[1] = { { 0, 0, 0x7f0000000000, 0 } };
	mem_table_case("empty region", empty, 1, 0x10000, "overflowing");

	/* Unknown request with NEED_REPLY: refused with a non-zero ack, connection stays. */
	struct rig r = rig_new();
	enable_reply_ack(&r);
	struct vgb_vu_msg m, rep;
	char err[200];
	vgb_vu_msg_init(&m, 99, VGB_VU_FLAG_NEED_REPLY, 0);
	CHECK(rig_send(&r, &m, NULL, 0) == 1, "unknown request keeps the connection");
	CHECK(vgb_vu_recv(r.fe, &rep, 1000, err, sizeof(err)) == 0 &&
		      vgb_vu_check_reply(&rep, 99, 8, err, sizeof(err)) == 0 && rep.payload.u64 != 0,
	      "unknown request nacked");
	/* An unoffered device bit goes to the device (it reports the driver); the connection stays. */
	vgb_vu_msg_init(&m, VGB_VU_SET_FEATURES, 0, 8);
	m.payload.u64 = (1ull << 1) | (1ull << 3) | (1ull << VGB_F_VERSION_1);
	CHECK(rig_send(&r, &m, NULL, 0) == 1, "unoffered device bit is not fatal");
	CHECK(seen_features == m.payload.u64, "device saw 0x%llx", (unsigned long long)seen_features);
	CHECK(vgb_vu_backend_features(r.be) == ((1ull << 1) | (1ull << VGB_F_VERSION_1)),
	      "transport keeps only offered bits");
	/* An unoffered transport bit (QEMU 10.0 sends RING_RESET) is ignored, not negotiated. */
	vgb_vu_msg_init(&m, VGB_VU_SET_FEATURES, 0, 8);
	m.payload.u64 = (1ull << 40) | (1ull << VGB_F_VERSION_1);
	CHECK(rig_send(&r, &m, NULL, 0) == 1, "unoffered transport bit is not fatal");
	CHECK(vgb_vu_backend_features(r.be) == (1ull << VGB_F_VERSION_1), "bit 40 not negotiated");
	rig_free(&r);

	/* SET_CONFIG: events_clear is writable, nothing else. */
	r = rig_new();
	vgb_vu_msg_init(&m, VGB_VU_SET_PROTOCOL_FEATURES, 0, 8);
	m.payload.u64 = (1ull << VGB_VU_PROTOCOL_F_REPLY_ACK) | (1ull << VGB_VU_PROTOCOL_F_CONFIG);
	CHECK(rig_send(&r, &m, NULL, 0) == 1, "protocol features");
	for (int k = 0; k < 2; k++) {
		vgb_vu_msg_init(&m, VGB_VU_SET_CONFIG, VGB_VU_FLAG_NEED_REPLY, 12 + 4);
		m.payload.config.offset = k ? 0 : 4;
		m.payload.config.size = 4;
		CHECK(rig_send(&r, &m, NULL, 0) == 1, "SET_CONFIG keeps the connection");
		CHECK(vgb_vu_recv(r.fe, &rep, 1000, err, sizeof(err)) == 0 &&
			      vgb_vu_check_reply(&rep, VGB_VU_SET_CONFIG, 8, err, sizeof(err)) == 0 &&
			      rep.payload.u64 == (uint64_t)k,
		      "SET_CONFIG offset %u acked %llu", m.payload.config.offset,
		      (unsigned long long)rep.payload.u64);
	}
	rig_free(&r);

	r = rig_new();
	vgb_vu_msg_init(&m, VGB_VU_SET_VRING_NUM, 0, 8);
	m.payload.state = (struct vgb_vu_vring_state){ 0, 3 };
	CHECK(rig_send(&r, &m, NULL, 0) < 0 && strstr(vgb_vu_backend_error(r.be), "power of two"),
	      "queue size 3: %s", vgb_vu_backend_error(r.be));
	rig_free(&r);

	r = rig_new();
	vgb_vu_msg_init(&m, VGB_VU_SET_VRING_NUM, 0, 8);
	m.payload.state = (struct vgb_vu_vring_state){ 5, 16 };
	CHECK(rig_send(&r, &m, NULL, 0) < 0 && strstr(vgb_vu_backend_error(r.be), "queue index 5"),
	      "queue index 5: %s", vgb_vu_backend_error(r.be));
	rig_free(&r);

	r = rig_new();
	uint32_t bad[3] = { VGB_VU_SET_FEATURES, 1, 4 };
	send_raw(r.fe, bad, sizeof(bad), NULL, 0);
	send_raw(r.fe, "\0\0\0\0", 4, NULL, 0);
	CHECK(vgb_vu_backend_step(r.be, 1000) < 0 && strstr(vgb_vu_backend_error(r.be), "expected 8"),
	      "short SET_FEATURES: %s", vgb_vu_backend_error(r.be));
	rig_free(&r);

	r = rig_new();
	close(r.fe);
	r.fe = -1;
	CHECK(vgb_vu_backend_step(r.be, 1000) == 0 && strstr(vgb_vu_backend_error(r.be), "closed"),
	      "EOF ends the loop cleanly: %s", vgb_vu_backend_error(r.be));
	vgb_vu_backend_free(r.be);
}

int main(void)
{
	test_framing();
	test_shapes();
	test_backend_rejects();
	return check_result("test_vu_msg");
}
