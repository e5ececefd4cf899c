/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the vhost-user frontend's handling of what a backend
 * sends it unasked: the back-end request channel (SHMEM_MAP/UNMAP and others,
 * frontend.c + fe_shm.c) and the vhost-user-gpu display channel (fe_gpu.c).
 * A frontend with a 1 MiB host-visible region (shmid 1) is set up in-process
 * without a backend; the input is written to the other ends of its two
 * sockets and it serves them until both are drained or closed.
 *
 * Input: records of  u8 head, u16 le length, bytes.  head bit 0 picks the
 * channel (0 back-end requests, 1 display), bit 1 attaches a 64 KiB memfd to
 * the record (what SHMEM_MAP places).  After the last record both sockets are
 * shut down for writing, so a truncated message meets EOF, not a wait.
 * Invariants: no crash, no leak (ASan/LSan), the frontend's mappings stay
 * inside the region and disjoint, each backed range reaches memory and each
 * unmapped one faults-free reservation, and serving ends in bounded steps.
 *
 * Built with -DVGB_FUZZ_MAKE_SEEDS it writes seed inputs into the directory given.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fe_priv.h"

#define REGION_SIZE (1u << 20)
#define MEMFD_SIZE (64u << 10)
#define MAX_RECORDS 64u
#define MAX_STEPS 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_fe_channels: invariant broken: %s\n", what);
		abort();
	}
}

static int send_record(int sock, const uint8_t *buf, size_t len, int fd)
{
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
	return sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -errno : 0;
}

/* The mappings the frontend keeps: inside the region, disjoint. */
static void check_mappings(const struct vgb_fe *fe)
{
	check(fe->nshm == 1, "one region");
	const struct fe_shm *s = &fe->shm[0];
	for (unsigned i = 0; i < s->nmaps; i++) {
		const struct fe_mapping *a = &s->maps[i];
		check(a->len && a->offset <= s->size && a->len <= s->size - a->offset, "a mapping inside the region");
		for (unsigned j = i + 1; j < s->nmaps; j++) {
			const struct fe_mapping *b = &s->maps[j];
			check(a->offset + a->len <= b->offset || b->offset + b->len <= a->offset, "mappings disjoint");
		}
	}
}

static struct vgb_fe *frontend(int backend_fd, int gpu_fd)
{
	struct vgb_fe *fe = calloc(1, sizeof(*fe));
	check(fe != NULL, "allocation");
	vgb_fe_options_defaults(&fe->opt);
	fe->opt.quiet = !getenv("VGB_FUZZ_VERBOSE");
	fe->opt.timeout_ms = 20;
	fe->sock = -1;
	fe->backend_fd = backend_fd;
	fe->gpu_fd = gpu_fd;
	fe->protocol_features = 1ull << VGB_VU_PROTOCOL_F_REPLY_ACK | 1ull << VGB_VU_PROTOCOL_F_BACKEND_REQ |
				1ull << VGB_VU_PROTOCOL_F_BACKEND_SEND_FD | 1ull << VGB_VU_PROTOCOL_F_SHMEM;
	for (unsigned i = 0; i < FE_MAX_QUEUES; i++)
		fe->q[i].kick_fd = fe->q[i].call_fd = -1;
	fe_gpu_init(fe);
	struct vgb_vu_shmem_config *cfg = calloc(1, sizeof(*cfg));
	check(cfg != NULL, "allocation");
	cfg->nregions = 1;
	cfg->memory_sizes[1] = REGION_SIZE;
	check(fe_shm_reserve(fe, cfg) == 0, "region reserved");
	free(cfg);
	return fe;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int be[2], gpu[2];
	check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, be) == 0 &&
		      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gpu) == 0,
	      "socketpairs");
	struct vgb_fe *fe = frontend(be[0], gpu[0]);
	int memfd = memfd_create("fuzz-blob", MFD_CLOEXEC);
	check(memfd >= 0 && ftruncate(memfd, MEMFD_SIZE) == 0, "memfd");

	unsigned records = 0;
	while (size >= 3 && records++ < MAX_RECORDS) {
		uint8_t head = data[0];
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;
		data += 3, size -= 3;
		if (len > size)
			len = size;
		if (len)
			send_record((head & 1) ? gpu[1] : be[1], data, len, (head & 2) ? memfd : -1);
		data += len, size -= len;
	}
	shutdown(be[1], SHUT_WR);
	shutdown(gpu[1], SHUT_WR);

	/* Serve until both channels are closed by the frontend or have nothing left. */
	for (unsigned step = 0;; step++) {
		check(step < MAX_STEPS, "serving ends");
		struct pollfd pfd[2];
		unsigned n = 0;
		if (fe->backend_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = fe->backend_fd, .events = POLLIN };
		if (fe->gpu_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = fe->gpu_fd, .events = POLLIN };
		if (n == 0 || poll(pfd, n, 0) <= 0)
			break;
		fe_serve_side_channels(fe, pfd, n);
		check_mappings(fe);
	}
	/* Every range the frontend says is mapped reaches the memfd; the rest of the region does not. */
	const struct fe_shm *s = &fe->shm[0];
	for (unsigned i = 0; i < s->nmaps; i++)
		check(vgb_fe_shm_mapped(fe, 1, s->maps[i].offset, s->maps[i].len), "a logged mapping is backed");

	fe_shm_release(fe);
	fe_gpu_release(fe);
	if (fe->backend_fd >= 0)
		close(fe->backend_fd);
	if (fe->gpu_fd >= 0)
		close(fe->gpu_fd);
	free(fe);
	close(be[1]);
	close(gpu[1]);
	close(memfd);
	return 0;
}

#ifdef VGB_FUZZ_MAKE_SEEDS
struct seed {
	uint8_t buf[8192];
	size_t len;
};

static void record(struct seed *s, uint8_t head, const void *bytes, size_t n)
{
	s->buf[s->len++] = head;
	s->buf[s->len++] = (uint8_t)n;
	s->buf[s->len++] = (uint8_t)(n >> 8);
	memcpy(s->buf + s->len, bytes, n);
	s->len += n;
}

static void backend_msg(struct seed *s, uint32_t request, uint32_t flags, const void *payload, uint32_t size,
			bool fd)
{
	uint8_t b[12 + 64];
	memcpy(b, &request, 4);
	memcpy(b + 4, &flags, 4);
	memcpy(b + 8, &size, 4);
	if (size)
		memcpy(b + 12, payload, size);
	record(s, fd ? 2 : 0, b, 12 + size);
}

static void gpu_msg(struct seed *s, uint32_t request, const void *payload, uint32_t size)
{
	uint8_t b[12 + 64];
	uint32_t flags = 0;
	memcpy(b, &request, 4);
	memcpy(b + 4, &flags, 4);
	memcpy(b + 8, &size, 4);
	if (size)
		memcpy(b + 12, payload, size);
	record(s, 1, b, 12 + size);
}

static void write_seed(const char *dir, const char *name, const struct seed *s)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(s->buf, 1, s->len, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
		return 2;
	}
	const uint32_t need_reply = VGB_VU_FLAG_NEED_REPLY | VGB_VU_VERSION;
	struct vgb_vu_mmap mm = { .shmid = 1, .fd_offset = 0, .shm_offset = 0x10000, .len = 0x4000, .flags = 1 };
	struct seed s = { .len = 0 };
	backend_msg(&s, VGB_VU_BACKEND_SHMEM_MAP, need_reply, &mm, sizeof(mm), true);
	backend_msg(&s, VGB_VU_BACKEND_SHMEM_UNMAP, need_reply, &mm, sizeof(mm), false);
	write_seed(argv[1], "map-unmap", &s);

	s.len = 0;
	backend_msg(&s, VGB_VU_BACKEND_SHMEM_MAP, need_reply, &mm, sizeof(mm), true);
	mm.shm_offset = 0x12000; /* overlapping: refused */
	backend_msg(&s, VGB_VU_BACKEND_SHMEM_MAP, need_reply, &mm, sizeof(mm), true);
	mm.shm_offset = REGION_SIZE - 0x1000; /* past the end: refused */
	backend_msg(&s, VGB_VU_BACKEND_SHMEM_MAP, need_reply, &mm, sizeof(mm), true);
	mm.shm_offset = 0x10000;
	mm.len = 0x1000; /* part of a mapping: refused */
	backend_msg(&s, VGB_VU_BACKEND_SHMEM_UNMAP, need_reply, &mm, sizeof(mm), false);
	write_seed(argv[1], "map-refusals", &s);

	s.len = 0;
	uint64_t zero = 0;
	backend_msg(&s, 5 /* CONFIG_CHANGE_MSG */, need_reply, &zero, 0, false);
	backend_msg(&s, 0x7777, VGB_VU_VERSION, &zero, 8, false);
	write_seed(argv[1], "other-requests", &s);

	s.len = 0;
	gpu_msg(&s, VGB_VUG_GET_PROTOCOL_FEATURES, NULL, 0);
	uint64_t edid = 1ull << VGB_VUG_PROTOCOL_F_EDID;
	gpu_msg(&s, VGB_VUG_SET_PROTOCOL_FEATURES, &edid, 8);
	gpu_msg(&s, VGB_VUG_GET_DISPLAY_INFO, NULL, 0);
	struct vgb_vug_edid_request er = { 0 };
	gpu_msg(&s, VGB_VUG_GET_EDID, &er, sizeof(er));
	struct vgb_vug_scanout so = { 0, 4, 2 };
	gpu_msg(&s, VGB_VUG_SCANOUT, &so, sizeof(so));
	uint8_t upd[sizeof(struct vgb_vug_update) + 4 * 4 * 2];
	struct vgb_vug_update u = { 0, 0, 0, 4, 2 };
	memset(upd, 0x42, sizeof(upd));
	memcpy(upd, &u, sizeof(u));
	gpu_msg(&s, VGB_VUG_UPDATE, upd, sizeof(upd));
	struct vgb_vug_cursor_pos cp = { 0, 10, 20 };
	gpu_msg(&s, VGB_VUG_CURSOR_POS, &cp, sizeof(cp));
	gpu_msg(&s, VGB_VUG_CURSOR_POS_HIDE, &cp, sizeof(cp));
	write_seed(argv[1], "display", &s);
	return 0;
}
#endif
