/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueue, both sides, in one process: every malformed-ring rule on the
 * device side, and used-ring validation on the driver side.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "vgb/virtq.h"
#include "vgb/wire.h"

#define NUM 16
#define R0 0x100000ull /* region 0: 1 MiB */
#define R1 0x200000ull /* region 1: 1 MiB, adjacent to region 0 in GPA, elsewhere in this process */
#define R2 0x100000000ull /* region 2: 3 GiB, reserved only: checks never touch it */
#define RING_GPA R0
#define IND_GPA (R0 + 0x10000)
#define DATA (R0 + 0x40000)

static struct vgb_guest_mem mem;
static struct vgb_vq_drv drv;
static struct vgb_vq_dev dev;

static void setup_mem(void)
{
	void *a = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *b = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *c = mmap(NULL, 3ull << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (a == MAP_FAILED || b == MAP_FAILED || c == MAP_FAILED) {
		perror("mmap");
		exit(99);
	}
	mem.nregions = 3;
	mem.regions[0] = (struct vgb_mem_region){ .gpa = R0, .size = 1 << 20, .host = a, .fd = -1 };
	mem.regions[1] = (struct vgb_mem_region){ .gpa = R1, .size = 1 << 20, .host = b, .fd = -1 };
	mem.regions[2] = (struct vgb_mem_region){ .gpa = R2, .size = 3ull << 30, .host = c, .fd = -1 };
}

/* Fresh rings on both sides; the device negotiated indirect or not. */
static void fresh(bool dev_indirect)
{
	vgb_vq_drv_fini(&drv);
	vgb_vq_dev_fini(&dev);
	void *ring = vgb_mem_gpa(&mem, RING_GPA, vgb_vq_drv_ring_bytes(NUM));
	void *ind = vgb_mem_gpa(&mem, IND_GPA, vgb_vq_drv_indirect_bytes(NUM, 8));
	memset(ring, 0, vgb_vq_drv_ring_bytes(NUM));
	if (vgb_vq_drv_init(&drv, NUM, ring, RING_GPA, ind, IND_GPA, 8) ||
	    vgb_vq_dev_init(&dev, NUM, dev_indirect)) {
		fprintf(stderr, "queue init failed\n");
		exit(99);
	}
	vgb_vq_dev_bind(&dev, &mem, drv.desc, drv.avail, drv.used);
}

/* Pops and expects -EPROTO with `what` in the message. */
static void expect_reject(const char *name, const char *what)
{
	const struct vgb_vq_chain *c;
	int r = vgb_vq_dev_pop(&dev, &c);
	CHECK(r == -EPROTO, "%s: pop returned %d", name, r);
	CHECK(strstr(dev.err, what) != NULL, "%s: message '%s' lacks '%s'", name, dev.err, what);
	if (r == -EPROTO)
		fprintf(stderr, "ok %s: %s\n", name, dev.err);
}

static void test_valid_direct(void)
{
	fresh(false);
	drv.indirect = false;
	uint8_t *p = vgb_mem_gpa(&mem, DATA, 64);
	memcpy(p, "hello, device", 13);
	struct vgb_vq_buf out[2] = { { DATA, 5 }, { DATA + 5, 8 } };
	/* The writable buffer straddles regions 0 and 1: split into two host spans. */
	struct vgb_vq_buf in[1] = { { R1 - 16, 32 } };
	int head = vgb_vq_drv_add(&drv, out, 2, in, 1);
	CHECK(head >= 0, "add: %d", head);
	const struct vgb_vq_chain *c;
	int r = vgb_vq_dev_pop(&dev, &c);
	CHECK(r == 1, "pop: %d (%s)", r, dev.err);
	if (r != 1)
		return;
	CHECK(c->nout == 2 && c->out_len == 13, "out %u/%llu", c->nout, (unsigned long long)c->out_len);
	CHECK(c->nin == 2 && c->in_len == 32, "in %u/%llu (split at the region boundary)", c->nin,
	      (unsigned long long)c->in_len);
	char buf[16] = { 0 };
	vgb_iov_to_buf(c->out, c->nout, buf, sizeof(buf));
	CHECK(memcmp(buf, "hello, device", 13) == 0, "gathered '%s'", buf);
	vgb_buf_to_iov(c->in, c->nin, "0123456789abcdefghijklmnopqrstuv", 32);
	CHECK(memcmp(vgb_mem_gpa(&mem, R1, 16), "ghijklmnopqrstuv", 16) == 0, "scattered into region 1");
	vgb_vq_dev_push(&dev, c->head, 20);
	CHECK(vgb_vq_dev_pop(&dev, &c) == 0, "ring now empty");
	uint16_t h;
	uint32_t len;
	r = vgb_vq_drv_get_used(&drv, &h, &len);
	CHECK(r == 1 && h == head && len == 20, "used %d head %u len %u", r, h, len);
	CHECK(vgb_vq_drv_in_flight(&drv) == 0, "nothing in flight");
}

static void test_valid_indirect_and_reuse(void)
{
	fresh(true);
	/* Many more chains than descriptors: the free list must recycle correctly. */
	for (int round = 0; round < 5 * NUM; round++) {
		struct vgb_vq_buf out[3] = { { DATA, 4 }, { DATA + 4, 4 }, { DATA + 8, 4 } };
		struct vgb_vq_buf in[2] = { { DATA + 64, 8 }, { DATA + 72, 8 } };
		unsigned nout = 1 + round % 3;
		int head = vgb_vq_drv_add(&drv, out, nout, in, 2);
		CHECK(head >= 0, "round %d add %d", round, head);
		const struct vgb_vq_chain *c;
		int r = vgb_vq_dev_pop(&dev, &c);
		CHECK(r == 1, "round %d pop %d: %s", round, r, dev.err);
		if (r != 1)
			return;
		CHECK(c->nout == nout && c->nin == 2 && c->in_len == 16, "round %d shape", round);
		vgb_vq_dev_push(&dev, c->head, 16);
		uint16_t h;
		uint32_t len;
		CHECK(vgb_vq_drv_get_used(&drv, &h, &len) == 1 && h == head, "round %d used", round);
	}
	CHECK(drv.num_free == NUM, "all descriptors free again (%u)", drv.num_free);
}

/* An indirect table at an odd guest address is read entry by entry, never dereferenced as a struct. */
static void test_indirect_unaligned(void)
{
	fresh(true);
	uint64_t table = DATA + 0x1001;
	struct vring_desc e[2] = {
		{ vgb_to_le64(DATA), vgb_to_le32(12), vgb_to_le16(VRING_DESC_F_NEXT), vgb_to_le16(1) },
		{ vgb_to_le64(DATA + 64), vgb_to_le32(8), vgb_to_le16(VRING_DESC_F_WRITE), 0 },
	};
	memcpy(vgb_mem_gpa(&mem, table, sizeof(e)), e, sizeof(e));
	vgb_vq_drv_raw_desc(&drv, 0, table, sizeof(e), VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	const struct vgb_vq_chain *c;
	int r = vgb_vq_dev_pop(&dev, &c);
	CHECK(r == 1 && c->nout == 1 && c->nin == 1 && c->out_len == 12 && c->in_len == 8,
	      "unaligned indirect table: pop %d (%s)", r, dev.err);
}

static void test_malformed(void)
{
	fresh(true);
	vgb_vq_drv_raw_set_avail_idx(&drv, NUM + 1);
	expect_reject("avail idx jump", "ahead");

	fresh(true);
	vgb_vq_drv_raw_publish(&drv, NUM);
	expect_reject("head >= num", "head 16");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, DATA, 16, VRING_DESC_F_NEXT, NUM);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("next >= num", "next 16");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, 0xdead0000ull, 16, 0, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("addr outside memory", "outside guest memory");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, UINT64_MAX - 10, 100, 0, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("addr+len overflow", "outside guest memory");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, R1 + (1 << 20) - 8, 16, 0, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("runs into the gap", "outside guest memory");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, DATA, 0, 0, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("zero length", "length 0");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_desc(&drv, 1, DATA, 16, VRING_DESC_F_NEXT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("loop", "longer than the queue size");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, DATA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_desc(&drv, 1, DATA, 16, 0, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("readable after writable", "readable after");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, R2, 0xc0000000u, VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_desc(&drv, 1, R2, 0xc0000000u, 0, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("total length overflow", "exceeds 2^32-1");

	/* Indirect tables. */
	fresh(false);
	uint64_t t = vgb_vq_drv_raw_indirect(&drv, 0, 0, DATA, 16, 0, 0);
	vgb_vq_drv_raw_desc(&drv, 0, t, 16, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("indirect not negotiated", "not negotiated");

	fresh(true);
	t = vgb_vq_drv_raw_indirect(&drv, 0, 0, DATA, 16, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_desc(&drv, 0, t, 16, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("nested indirect", "nests");

	fresh(true);
	t = vgb_vq_drv_raw_indirect(&drv, 0, 0, DATA, 16, 0, 0);
	vgb_vq_drv_raw_desc(&drv, 0, t, 24, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("indirect length 24", "multiple of 16");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, t, 0, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("empty indirect table", "multiple of 16");

	fresh(true);
	t = vgb_vq_drv_raw_indirect(&drv, 0, 0, DATA, 16, VRING_DESC_F_NEXT, 2);
	vgb_vq_drv_raw_desc(&drv, 0, t, 32, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("indirect next past the table", "table size 2");

	fresh(true);
	t = vgb_vq_drv_raw_indirect(&drv, 0, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_indirect(&drv, 0, 1, DATA, 16, VRING_DESC_F_NEXT, 0);
	vgb_vq_drv_raw_desc(&drv, 0, t, 32, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("indirect loop", "longer than the queue size");

	fresh(true);
	vgb_vq_drv_raw_desc(&drv, 0, 0xdead0000ull, 32, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("indirect table outside memory", "outside guest memory");

	fresh(true);
	t = vgb_vq_drv_raw_indirect(&drv, 0, 0, DATA, 16, 0, 0);
	vgb_vq_drv_raw_desc(&drv, 0, t, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("indirect with next", "both INDIRECT and NEXT");

	fresh(true);
	t = vgb_vq_drv_raw_indirect(&drv, 0, 0, DATA, 0, 0, 0);
	vgb_vq_drv_raw_desc(&drv, 0, t, 16, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(&drv, 0);
	expect_reject("zero length inside an indirect table", "length 0");
}

/* Device-side writes to the used ring, for driver-side checks. */
static void raw_used(uint32_t id, uint32_t len, uint16_t idx)
{
	drv.used->ring[(uint16_t)(idx - 1) % NUM].id = vgb_to_le32(id);
	drv.used->ring[(uint16_t)(idx - 1) % NUM].len = vgb_to_le32(len);
	drv.used->idx = vgb_to_le16(idx);
}

static void expect_used_reject(const char *name, const char *what)
{
	uint16_t h;
	uint32_t len;
	int r = vgb_vq_drv_get_used(&drv, &h, &len);
	CHECK(r == -EPROTO, "%s: get_used returned %d", name, r);
	CHECK(strstr(drv.err, what) != NULL, "%s: message '%s' lacks '%s'", name, drv.err, what);
	if (r == -EPROTO)
		fprintf(stderr, "ok %s: %s\n", name, drv.err);
}

static void test_driver_side(void)
{
	struct vgb_vq_buf out = { DATA, 16 }, in = { DATA + 64, 24 };
	fresh(true);
	int head = vgb_vq_drv_add(&drv, &out, 1, &in, 1);
	raw_used(NUM + 3, 4, 1);
	expect_used_reject("used id >= num", "used id 19");

	fresh(true);
	head = vgb_vq_drv_add(&drv, &out, 1, &in, 1);
	raw_used((uint32_t)head + 1, 4, 1);
	expect_used_reject("used id not in flight", "not in flight");

	fresh(true);
	head = vgb_vq_drv_add(&drv, &out, 1, &in, 1);
	raw_used((uint32_t)head, 25, 1);
	expect_used_reject("used len > writable", "exceeds the 24 writable bytes");

	fresh(true);
	head = vgb_vq_drv_add(&drv, &out, 1, &in, 1);
	raw_used((uint32_t)head, 4, NUM + 2);
	expect_used_reject("used idx jump", "ahead");

	fresh(true);
	head = vgb_vq_drv_add(&drv, &out, 1, &in, 1);
	raw_used((uint32_t)head, 24, 1);
	uint16_t h;
	uint32_t len;
	CHECK(vgb_vq_drv_get_used(&drv, &h, &len) == 1 && h == head && len == 24, "valid used accepted");
	raw_used((uint32_t)head, 4, 2);
	expect_used_reject("used twice", "not in flight");
}

/* VIRTIO_RING_F_EVENT_IDX: notify only past used_event; ask for the next kick. */
static void test_event_idx(void)
{
	fresh(true);
	dev.event_idx = true;
	struct vgb_vq_buf out = { DATA, 16 }, in = { DATA + 64, 16 };
	uint16_t *used_event = &drv.avail->ring[NUM];
	uint16_t *avail_event = (uint16_t *)&drv.used->ring[NUM];
	const struct vgb_vq_chain *c;
	*used_event = vgb_to_le16(2); /* driver: interrupt me once used idx passes 2 */
	bool notified[4];
	for (int k = 0; k < 4; k++) {
		vgb_vq_drv_add(&drv, &out, 1, &in, 1);
		CHECK(vgb_vq_dev_pop(&dev, &c) == 1, "pop %d", k);
		vgb_vq_dev_push(&dev, c->head, 0);
		notified[k] = vgb_vq_dev_should_notify(&dev);
		uint16_t h;
		uint32_t len;
		vgb_vq_drv_get_used(&drv, &h, &len);
	}
	/* First signal always; then only when used idx steps over 2 (from 2 to 3). */
	CHECK(notified[0] && !notified[1] && notified[2] && !notified[3], "notifications %d %d %d %d",
	      notified[0], notified[1], notified[2], notified[3]);
	CHECK(vgb_vq_dev_pop(&dev, &c) == 0, "empty");
	CHECK(!vgb_vq_dev_rearm(&dev), "nothing new");
	CHECK(vgb_le16(*avail_event) == 4, "avail_event %u", vgb_le16(*avail_event));
	vgb_vq_drv_add(&drv, &out, 1, &in, 1);
	CHECK(vgb_vq_dev_rearm(&dev), "rearm sees a new entry");
}

static void test_bind_uva(void)
{
	fresh(true);
	struct vgb_guest_mem m = mem;
	for (unsigned i = 0; i < m.nregions; i++)
		m.regions[i].uva = m.regions[i].gpa + 0x7000000000ull;
	uint64_t base = RING_GPA + 0x7000000000ull;
	CHECK(vgb_vq_dev_bind_uva(&dev, &m, base, base + 256, base + 512) == 0, "valid uvas: %s", dev.err);
	CHECK(vgb_vq_dev_bind_uva(&dev, &m, base + 8, base + 256, base + 512) == -EPROTO, "misaligned desc");
	CHECK(vgb_vq_dev_bind_uva(&dev, &m, base + (1 << 20) - 64, base, base + 512) == -EPROTO,
	      "desc table running out of its region");
}

int main(void)
{
	setup_mem();
	test_valid_direct();
	test_valid_indirect_and_reuse();
	test_indirect_unaligned();
	test_malformed();
	test_driver_side();
	test_event_idx();
	test_bind_uva();
	vgb_vq_drv_fini(&drv);
	vgb_vq_dev_fini(&dev);
	return check_result("test_virtq");
}
