/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the device side of split virtqueues (virtq_dev.c).
 *
 * The driver owns ring memory, so everything in it is the fuzzer's: the input
 * fills a small guest memory (two adjacent regions and one after a hole, each
 * its own heap buffer so that ASan sees any byte read outside them) holding
 * the descriptor table, avail and used rings and the buffers they point at.
 * The harness pops chains until the ring is empty or rejected, and checks
 * that every iovec lies inside one region and that lengths add up.  A pop
 * that loops shows as a libFuzzer timeout.
 *
 * Input: u8 queue size - 1 (mod 64), u8 flags (bit 0 indirect, bit 1 event
 * index), u16 le initial last_avail, then guest memory bytes in region order.
 *
 * Built with -DVGB_FUZZ_MAKE_SEEDS it is instead a program writing seed
 * inputs (well-formed rings: direct, indirect, chained, straddling regions)
 * into the directory given as its argument.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgb/guest_mem.h"
#include "vgb/virtq.h"

#define HDR 4u
#define R0_SIZE 12288u /* rings live here */
#define R1_SIZE 8192u  /* adjacent to region 0 in guest-physical space */
#define R2_SIZE 4096u
#define R2_GPA 0x100000u
#define DESC_OFF 0u
#define AVAIL_OFF 1024u
#define USED_OFF 2048u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_virtq: invariant broken: %s\n", what);
		abort();
	}
}

static bool inside_a_region(const struct vgb_guest_mem *m, const void *p, size_t len)
{
	const uint8_t *b = p;
	for (unsigned i = 0; i < m->nregions; i++) {
		const uint8_t *h = m->regions[i].host;
		if (b >= h && len <= m->regions[i].size && (size_t)(b - h) <= m->regions[i].size - len)
			return true;
	}
	return false;
}

/* Reads every byte the device may read and writes every byte it may write. */
static uint32_t touch_chain(const struct vgb_guest_mem *m, const struct vgb_vq_chain *c)
{
	uint64_t out = 0, in = 0;
	uint32_t sum = 0;
	for (unsigned i = 0; i < c->nout; i++) {
		check(c->out[i].len > 0 && inside_a_region(m, c->out[i].base, c->out[i].len),
		      "readable iovec outside guest memory");
		const uint8_t *p = c->out[i].base;
		for (size_t k = 0; k < c->out[i].len; k++)
			sum += p[k];
		out += c->out[i].len;
	}
	for (unsigned i = 0; i < c->nin; i++) {
		check(c->in[i].len > 0 && inside_a_region(m, c->in[i].base, c->in[i].len),
		      "writable iovec outside guest memory");
		memset(c->in[i].base, 0xa5, c->in[i].len);
		in += c->in[i].len;
	}
	check(out == c->out_len && in == c->in_len, "chain lengths do not add up");
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	uint16_t num = (uint16_t)(1 + (data[0] & 63));
	bool indirect = data[1] & 1, event_idx = data[1] & 2;
	uint16_t start = (uint16_t)(data[2] | data[3] << 8);
	data += HDR;
	size -= HDR;

	static const uint64_t gpas[3] = { 0, R0_SIZE, R2_GPA };
	static const uint64_t sizes[3] = { R0_SIZE, R1_SIZE, R2_SIZE };
	struct vgb_guest_mem mem = { .nregions = 3 };
	for (unsigned i = 0; i < 3; i++) {
		uint8_t *h = calloc(1, sizes[i]);
		if (!h)
			abort();
		size_t n = size < sizes[i] ? size : sizes[i];
		memcpy(h, data, n);
		data += n;
		size -= n;
		mem.regions[i] = (struct vgb_mem_region){ .gpa = gpas[i], .size = sizes[i],
							  .uva = 0x7f0000000000ull + gpas[i], .host = h,
							  .fd = -1 };
	}

	struct vgb_vq_dev vq;
	if (vgb_vq_dev_init(&vq, num, indirect))
		abort();
	uint8_t *r0 = mem.regions[0].host;
	vgb_vq_dev_bind(&vq, &mem, r0 + DESC_OFF, r0 + AVAIL_OFF, r0 + USED_OFF);
	vq.event_idx = event_idx;
	vq.last_avail = vq.used_idx = start;
	check(vgb_vq_dev_ready(&vq), "bound queue not ready");

	/* Each pop consumes an avail entry; writes into the rings may announce more, so bound it. */
	volatile uint32_t sink = 0;
	for (unsigned round = 0; round < 4 * 65536; round++) {
		const struct vgb_vq_chain *c = NULL;
		int r = vgb_vq_dev_pop(&vq, &c);
		if (r == 0) {
			if (!vgb_vq_dev_rearm(&vq))
				break;
			continue;
		}
		if (r < 0) {
			check(r == -EPROTO && vq.err[0], "rejection without a reason");
			break;
		}
		check(c && c->head < num, "popped head outside the queue");
		check(c->nout + c->nin > 0, "empty chain popped");
		sink += touch_chain(&mem, c);
		vgb_vq_dev_push(&vq, c->head, (uint32_t)(c->in_len > 64 ? 64 : c->in_len));
		(void)vgb_vq_dev_should_notify(&vq);
	}
	(void)sink;
	vgb_vq_dev_fini(&vq);
	for (unsigned i = 0; i < 3; i++)
		free(mem.regions[i].host);
	return 0;
}

#ifdef VGB_FUZZ_MAKE_SEEDS
#include <sys/stat.h>

/* --- Seed inputs ------------------------------------------------------------ */

struct seed {
	uint8_t hdr[HDR];
	uint8_t r0[R0_SIZE], r1[R1_SIZE], r2[R2_SIZE];
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put_desc(uint8_t *table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *d = table + 16 * i;
	put32(d, (uint32_t)addr);
	put32(d + 4, (uint32_t)(addr >> 32));
	put32(d + 8, len);
	put16(d + 12, flags);
	put16(d + 14, next);
}

static void publish(struct seed *s, unsigned slot, uint16_t head, uint16_t idx)
{
	put16(s->r0 + AVAIL_OFF + 4 + 2 * slot, head);
	put16(s->r0 + AVAIL_OFF + 2, idx);
}

static int write_seed(const char *dir, const char *name, const struct seed *s)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(s, sizeof(*s), 1, f) != 1 || fclose(f)) {
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
	static struct seed s;
	int err = 0;
	const uint16_t N = VRING_DESC_F_NEXT, W = VRING_DESC_F_WRITE, IND = VRING_DESC_F_INDIRECT;

	/* Two direct chains: request + response, and a three-part one. */
	memset(&s, 0, sizeof(s));
	s.hdr[0] = 15; /* 16 entries */
	put_desc(s.r0, 0, 4096, 24, N, 1);
	put_desc(s.r0, 1, 4096 + 64, 24, W, 0);
	put_desc(s.r0, 2, 8192, 100, N, 3);
	put_desc(s.r0, 3, 8192 + 128, 100, N, 4);
	put_desc(s.r0, 4, 8192 + 256, 500, W, 0);
	publish(&s, 0, 0, 1);
	publish(&s, 1, 2, 2);
	err |= write_seed(argv[1], "direct", &s);

	/* A descriptor crossing from region 0 into region 1, and one in the far region. */
	memset(&s, 0, sizeof(s));
	s.hdr[0] = 7;
	put_desc(s.r0, 0, R0_SIZE - 100, 300, N, 1);
	put_desc(s.r0, 1, R2_GPA + 16, 64, W, 0);
	publish(&s, 0, 0, 1);
	err |= write_seed(argv[1], "straddle", &s);

	/* An indirect table of three entries in region 1. */
	memset(&s, 0, sizeof(s));
	s.hdr[0] = 3;
	s.hdr[1] = 1 | 2;
	put_desc(s.r0, 0, R0_SIZE + 0, 48, IND, 0);
	put_desc(s.r1, 0, 4096, 40, N, 1);
	put_desc(s.r1, 1, 4096 + 40, 8, N, 2);
	put_desc(s.r1, 2, R0_SIZE + 512, 64, W, 0);
	publish(&s, 0, 0, 1);
	err |= write_seed(argv[1], "indirect", &s);

	/* Wrapping indices: last_avail just below 65536. */
	memset(&s, 0, sizeof(s));
	s.hdr[0] = 1;
	put16(s.hdr + 2, 0xffff);
	put_desc(s.r0, 0, 4096, 16, W, 0);
	put_desc(s.r0, 1, 4096 + 16, 16, W, 0);
	publish(&s, 1, 0, 0); /* slot (0xffff % 2) */
	publish(&s, 0, 1, 1);
	err |= write_seed(argv[1], "wrap", &s);
	return err;
}
#endif
