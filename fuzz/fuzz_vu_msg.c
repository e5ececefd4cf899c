/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the vhost-user back-end's message handling
 * (vu_msg.c framing and checks, vu_backend.c requests, queue set-up and the
 * rings they point at), driven in-process over a socketpair the way
 * tests/transport/test_vu_msg.c does.
 *
 * Input: records of  u8 fds, u16 le length, bytes.  The bytes are written to
 * the back-end's socket as they are (header included, so framing is fuzzed
 * too); each 2-bit field of `fds` attaches one descriptor: 1 a 64 KiB memfd
 * (guest memory for SET_MEM_TABLE), 2 an eventfd that is already signalled
 * (kick/call), 3 one end of a socketpair (back-end channel, display socket).
 * After the last record our end is shut down for writing, so a truncated
 * message meets EOF instead of a wait, and the back-end runs until it stops.
 * Invariants: the back-end never crashes or leaks (ASan/LSan), every stop
 * comes with a reason, and it stops within a bounded number of steps.
 *
 * Built with -DVGB_FUZZ_MAKE_SEEDS it is instead a program writing seed inputs
 * (a full, valid set-up sequence and pieces of it) into the directory given.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vgb/vhost_user.h"
#include "vgb/vu_backend.h"

#define MEMFD_SIZE (64u << 10)
#define MAX_KEPT 64u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_vu_msg: invariant broken: %s\n", what);
		abort();
	}
}

static size_t config(void *opaque, void *buf, size_t cap)
{
	static const uint8_t cfg[20] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0x10, 0, 0 };
	size_t n = cap < sizeof(cfg) ? cap : sizeof(cfg);
	memcpy(buf, cfg, n);
	return n;
}

/* A device that answers every chain with a response header's worth of bytes. */
static size_t request(void *opaque, unsigned queue, const struct vgb_guest_mem *mem, const void *req,
		      size_t req_len, size_t total_len, void *resp, size_t resp_cap)
{
	check(req_len <= total_len && req_len <= 4096, "request longer than the chain or the limit");
	size_t n = resp_cap < 24 ? resp_cap : 24;
	memset(resp, 0x11, n);
	return n;
}

static int make_fd(unsigned kind, int *kept, unsigned *nkept)
{
	int fd = -1;
	if (kind == 1) {
		fd = memfd_create("fuzz-guest-ram", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, MEMFD_SIZE)) {
			close(fd);
			fd = -1;
		}
	} else if (kind == 2) {
		fd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
	} else if (kind == 3) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
			fd = sv[0];
			if (*nkept < MAX_KEPT)
				kept[(*nkept)++] = sv[1]; /* our end: silent, closed at the end */
			else
				close(sv[1]);
		}
	}
	return fd;
}

static void send_record(int sock, const uint8_t *buf, size_t len, const int *fds, unsigned nfds)
{
	struct iovec iov = { (void *)buf, len };
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	/* Non-blocking: a back-end that stopped reading must not stall the harness. */
	(void)sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Replies are read and dropped so the back-end never blocks writing them. */
static void drain(int sock)
{
	char buf[4096];
	while (recv(sock, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	/* Large enough for any input: records are all written before the back-end runs. */
	int sndbuf = 1 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	struct vgb_vu_device dev = {
		.num_queues = 2, .features = 1ull << 1, .shmid = 1, .shm_size = 1u << 20, .gpu = true,
		.max_request = 4096, .max_response = 4096, .config = config, .request = request,
	};
	/* VGB_FUZZ_VERBOSE=1 logs every message: shows how far an input gets. */
	struct vgb_vu_backend_options opt = { .timeout_ms = 20, .verbose = getenv("VGB_FUZZ_VERBOSE") != NULL };
	struct vgb_vu_backend *be = vgb_vu_backend_new(sv[1], &dev, &opt);
	check(be != NULL, "back-end creation failed");

	int kept[MAX_KEPT];
	unsigned nkept = 0;
	while (size >= 3) {
		uint8_t fdbits = data[0];
		size_t len = (size_t)(data[1] | data[2] << 8);
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		int fds[3];
		unsigned nfds = 0;
		for (unsigned i = 0; i < 3; i++) {
			int fd = make_fd((fdbits >> (2 * i)) & 3, kept, &nkept);
			if (fd >= 0)
				fds[nfds++] = fd;
		}
		if (len) /* descriptors travel with data only */
			send_record(sv[0], data, len, fds, nfds);
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		data += len;
		size -= len;
	}
	shutdown(sv[0], SHUT_WR);

	/* Every step consumes a message, a kick or the EOF, so this ends long before the bound. */
	int r = 1;
	for (unsigned step = 0; step < 20000 && r == 1; step++) {
		r = vgb_vu_backend_step(be, 0);
		drain(sv[0]);
	}
	if (r != 1)
		check(vgb_vu_backend_error(be)[0] != '\0', "back-end stopped without saying why");
	vgb_vu_backend_free(be);
	close(sv[0]);
	for (unsigned i = 0; i < nkept; i++)
		close(kept[i]);
	return 0;
}

#ifdef VGB_FUZZ_MAKE_SEEDS
#include <sys/stat.h>

/* --- Seed inputs ------------------------------------------------------------ */

#define RAM_UVA 0x7f0000000000ull

struct seedbuf {
	uint8_t b[8192];
	size_t n;
};

static void record(struct seedbuf *s, uint8_t fds, uint32_t request, uint32_t flags, const void *payload,
		   uint32_t size)
{
	uint32_t hdr[3] = { request, VGB_VU_VERSION | flags, size };
	size_t len = sizeof(hdr) + size;
	if (s->n + 3 + len > sizeof(s->b))
		abort();
	s->b[s->n++] = fds;
	s->b[s->n++] = (uint8_t)len;
	s->b[s->n++] = (uint8_t)(len >> 8);
	memcpy(s->b + s->n, hdr, sizeof(hdr));
	memcpy(s->b + s->n + sizeof(hdr), payload, size);
	s->n += len;
}

static void rec_u64(struct seedbuf *s, uint8_t fds, uint32_t request, uint64_t v, uint32_t size)
{
	record(s, fds, request, VGB_VU_FLAG_NEED_REPLY, &v, size);
}

static void rec_state(struct seedbuf *s, uint32_t request, uint32_t index, uint32_t num)
{
	struct vgb_vu_vring_state st = { index, num };
	record(s, 0, request, 0, &st, sizeof(st));
}

/* Negotiation, memory table, both queues, config reads: what a frontend sends. */
static void setup(struct seedbuf *s, bool with_queues)
{
	rec_u64(s, 0, VGB_VU_GET_FEATURES, 0, 0);
	rec_u64(s, 0, VGB_VU_GET_PROTOCOL_FEATURES, 0, 0);
	uint64_t proto = (1ull << VGB_VU_PROTOCOL_F_MQ) | (1ull << VGB_VU_PROTOCOL_F_REPLY_ACK) |
			 (1ull << VGB_VU_PROTOCOL_F_BACKEND_REQ) | (1ull << VGB_VU_PROTOCOL_F_CONFIG) |
			 (1ull << VGB_VU_PROTOCOL_F_SHMEM);
	rec_u64(s, 0, VGB_VU_SET_PROTOCOL_FEATURES, proto, 8);
	rec_u64(s, 0, VGB_VU_GET_QUEUE_NUM, 0, 0);
	rec_u64(s, 0, VGB_VU_SET_OWNER, 0, 0);
	rec_u64(s, 3, VGB_VU_SET_BACKEND_REQ_FD, 0, 0);
	rec_u64(s, 0, VGB_VU_GET_SHMEM_CONFIG, 0, 0);
	rec_u64(s, 0, VGB_VU_SET_FEATURES, (1ull << 32) | (1ull << 30) | (1ull << 1), 8);
	struct {
		uint32_t nregions, padding;
		struct vgb_vu_mem_region r;
	} mt = { 1, 0, { 0, MEMFD_SIZE, RAM_UVA, 0 } };
	record(s, 1, VGB_VU_SET_MEM_TABLE, VGB_VU_FLAG_NEED_REPLY, &mt, sizeof(mt));
	rec_u64(s, 3, VGB_VU_GPU_SET_SOCKET, 0, 0);
	struct vgb_vu_config cfg = { .offset = 0, .size = 20 };
	record(s, 0, VGB_VU_GET_CONFIG, 0, &cfg, VGB_VU_CONFIG_HDR_SIZE + 20);
	if (!with_queues)
		return;
	for (uint32_t q = 0; q < 2; q++) {
		uint64_t base = RAM_UVA + q * 0x4000;
		rec_state(s, VGB_VU_SET_VRING_NUM, q, 16);
		rec_state(s, VGB_VU_SET_VRING_BASE, q, 0);
		struct vgb_vu_vring_addr a = { .index = q, .desc_uva = base, .used_uva = base + 0x1000,
					       .avail_uva = base + 0x800 };
		record(s, 0, VGB_VU_SET_VRING_ADDR, 0, &a, sizeof(a));
		rec_u64(s, 2, VGB_VU_SET_VRING_KICK, q, 8);
		rec_u64(s, 2, VGB_VU_SET_VRING_CALL, q, 8);
		rec_state(s, VGB_VU_SET_VRING_ENABLE, q, 1);
	}
	rec_state(s, VGB_VU_GET_VRING_BASE, 0, 0);
	rec_state(s, VGB_VU_GET_VRING_BASE, 1, 0);
}

static int write_seed(const char *dir, const char *name, const struct seedbuf *s)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
		return 2;
	}
	if (mkdir(argv[1], 0777) && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	int err = 0;
	static struct seedbuf s;
	s.n = 0;
	setup(&s, true);
	err |= write_seed(argv[1], "setup", &s);
	s.n = 0;
	setup(&s, false);
	err |= write_seed(argv[1], "negotiate", &s);
	s.n = 0;
	setup(&s, false);
	rec_u64(&s, 0, VGB_VU_RESET_DEVICE, 0, 0);
	struct vgb_vu_config cfg = { .offset = 4, .size = 4 };
	record(&s, 0, VGB_VU_SET_CONFIG, VGB_VU_FLAG_NEED_REPLY, &cfg, VGB_VU_CONFIG_HDR_SIZE + 4);
	err |= write_seed(argv[1], "reset-config", &s);
	return err;
}
#endif
