/* SPDX-License-Identifier: MIT */
/* The region range allocator: placement, granularity, overlap, exhaustion, release. */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "range_alloc.h"

static void test_basic(void)
{
	struct vgb_range_alloc a;
	uint64_t off = 99;
	CHECK_EQ(vgb_range_init(&a, 10 * 4096 + 100, 4096), 0);
	CHECK_EQ(a.size, 10 * 4096); /* the partial granule at the end is unusable */
	CHECK_EQ(vgb_range_reserve(&a, 1, &off), 0);
	CHECK_EQ(off, 0);
	CHECK_EQ(a.used, 4096);
	CHECK_EQ(vgb_range_reserve(&a, 4097, &off), 0);
	CHECK_EQ(off, 4096);
	CHECK_EQ(a.used, 3 * 4096);
	CHECK_EQ(vgb_range_reserve(&a, 0, &off), -EINVAL);
	CHECK_EQ(vgb_range_reserve(&a, UINT64_MAX, &off), -EINVAL);
	CHECK_EQ(vgb_range_reserve(&a, 8 * 4096, &off), -ENOSPC);
	CHECK_EQ(vgb_range_reserve(&a, 7 * 4096, &off), 0);
	CHECK_EQ(off, 3 * 4096);
	CHECK_EQ(vgb_range_reserve(&a, 1, &off), -ENOSPC);
	/* A hole opens; first fit reuses it. */
	CHECK_EQ(vgb_range_release(&a, 4096), 0);
	CHECK_EQ(vgb_range_release(&a, 4096), -ENOENT);
	CHECK_EQ(vgb_range_release(&a, 5), -ENOENT);
	CHECK_EQ(vgb_range_reserve(&a, 3 * 4096, &off), -ENOSPC);
	CHECK_EQ(vgb_range_reserve(&a, 4096, &off), 0);
	CHECK_EQ(off, 4096);
	CHECK_EQ(vgb_range_reserve(&a, 4096, &off), 0);
	CHECK_EQ(off, 2 * 4096);
	CHECK_EQ(a.used, a.size);
	vgb_range_fini(&a);
}

static void test_at(void)
{
	struct vgb_range_alloc a;
	uint64_t off;
	CHECK_EQ(vgb_range_init(&a, 1 << 20, 65536), 0);
	CHECK_EQ(vgb_range_reserve_at(&a, 65536, 1), 0);
	CHECK_EQ(vgb_range_reserve_at(&a, 65536, 1), -EEXIST);
	CHECK_EQ(vgb_range_reserve_at(&a, 0, 65537), -EEXIST); /* rounds up into the reservation */
	CHECK_EQ(vgb_range_reserve_at(&a, 4096, 1), -EINVAL);  /* misaligned */
	CHECK_EQ(vgb_range_reserve_at(&a, 1 << 20, 1), -EINVAL); /* past the end */
	CHECK_EQ(vgb_range_reserve_at(&a, (1 << 20) - 65536, 65537), -EINVAL);
	CHECK_EQ(vgb_range_reserve_at(&a, UINT64_MAX - 65535, 65536), -EINVAL);
	CHECK_EQ(vgb_range_reserve_at(&a, 0, 65536), 0);
	CHECK_EQ(vgb_range_reserve(&a, 1, &off), 0);
	CHECK_EQ(off, 2 * 65536);
	CHECK_EQ(vgb_range_round(&a, 1), 65536);
	CHECK_EQ(vgb_range_round(&a, 0), 0);
	CHECK_EQ(vgb_range_round(&a, UINT64_MAX), 0);
	vgb_range_fini(&a);
	CHECK_EQ(vgb_range_init(&a, 1 << 20, 3000), -EINVAL);
	CHECK_EQ(vgb_range_init(&a, 1 << 20, 0), -EINVAL);
}

/* Many random reserve/release rounds checked against a byte map of the region. */
static void test_model(void)
{
	enum { GRAN = 4096, SLOTS = 64 };
	struct vgb_range_alloc a;
	uint8_t owner[SLOTS] = { 0 };
	uint64_t offs[256] = { 0 }, sizes[256] = { 0 };
	CHECK_EQ(vgb_range_init(&a, SLOTS * GRAN, GRAN), 0);
	uint32_t x = 12345;
	for (int round = 0; round < 20000; round++) {
		x = x * 1103515245u + 12345u;
		unsigned id = 1 + (x >> 8) % 255;
		if (sizes[id]) {
			CHECK_EQ(vgb_range_release(&a, offs[id]), 0);
			for (uint64_t s = offs[id] / GRAN; s < (offs[id] + sizes[id]) / GRAN; s++) {
				CHECK_EQ(owner[s], id);
				owner[s] = 0;
			}
			sizes[id] = 0;
			continue;
		}
		uint64_t want = 1 + (x >> 16) % (6 * GRAN);
		uint64_t off;
		int ret = vgb_range_reserve(&a, want, &off);
		uint64_t len = vgb_range_round(&a, want);
		/* Is there any free run long enough?  First fit must find the first. */
		uint64_t first = UINT64_MAX;
		for (uint64_t s = 0; s + len / GRAN <= SLOTS && first == UINT64_MAX; s++) {
			uint64_t k = 0;
			while (k < len / GRAN && owner[s + k] == 0)
				k++;
			if (k == len / GRAN)
				first = s * GRAN;
		}
		if (first == UINT64_MAX) {
			CHECK_EQ(ret, -ENOSPC);
			continue;
		}
		CHECK_EQ(ret, 0);
		CHECK_EQ(off, first);
		for (uint64_t s = off / GRAN; s < (off + len) / GRAN; s++)
			owner[s] = (uint8_t)id;
		offs[id] = off;
		sizes[id] = len;
	}
	uint64_t used = 0;
	for (unsigned s = 0; s < SLOTS; s++)
		used += owner[s] ? GRAN : 0;
	CHECK_EQ(a.used, used);
	vgb_range_fini(&a);
}

int main(void)
{
	test_basic();
	test_at();
	test_model();
	return 0;
}
