/* SPDX-License-Identifier: MIT */
/* Reference-context stream builders: exact wire bytes of every command. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "refctx_stream.h"
#include "vgb/wire.h"

static uint32_t u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return vgb_le32(v); }
static uint64_t u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return vgb_le64(v); }

int main(void)
{
	struct vgb_rcs s;
	vgb_rcs_init(&s);
	uint8_t data[5] = { 1, 2, 3, 4, 5 };
	vgb_rcs_alloc(&s, 0x1122334455667788ull, 0x10000);
	vgb_rcs_free(&s, 9);
	vgb_rcs_fill(&s, 3, 0xdeadbeef, 8, 16);
	vgb_rcs_write(&s, 4, 12, data, sizeof(data));
	vgb_rcs_copy(&s, 5, 16, 6, 32, 48);
	vgb_rcs_checksum(&s, 7, 0, 4096, 8, 24);
	vgb_rcs_pattern(&s, 9, 77, 4, 64);
	uint32_t size = 0;
	const uint8_t *p = vgb_rcs_data(&s, &size);
	CHECK(p);
	CHECK_EQ(size, 24 + 16 + 32 + (24 + 8) + 40 + 40 + 32);

	CHECK_EQ(u32(p), VGB_REFCTX_ALLOC); CHECK_EQ(u32(p + 4), 24);
	CHECK(u64(p + 8) == 0x1122334455667788ull); CHECK_EQ(u64(p + 16), 0x10000);
	p += 24;
	CHECK_EQ(u32(p), VGB_REFCTX_FREE); CHECK_EQ(u32(p + 4), 16); CHECK_EQ(u64(p + 8), 9);
	p += 16;
	CHECK_EQ(u32(p), VGB_REFCTX_FILL); CHECK_EQ(u32(p + 4), 32);
	CHECK_EQ(u32(p + 8), 3); CHECK_EQ(u32(p + 12), 0xdeadbeef);
	CHECK_EQ(u64(p + 16), 8); CHECK_EQ(u64(p + 24), 16);
	p += 32;
	CHECK_EQ(u32(p), VGB_REFCTX_WRITE); CHECK_EQ(u32(p + 4), 32); /* 5 bytes padded to 8 */
	CHECK_EQ(u32(p + 8), 4); CHECK_EQ(u32(p + 12), 5); CHECK_EQ(u64(p + 16), 12);
	CHECK(memcmp(p + 24, data, 5) == 0);
	CHECK(p[29] == 0 && p[30] == 0 && p[31] == 0);
	p += 32;
	CHECK_EQ(u32(p), VGB_REFCTX_COPY); CHECK_EQ(u32(p + 4), 40);
	CHECK_EQ(u32(p + 8), 5); CHECK_EQ(u32(p + 12), 6);
	CHECK_EQ(u64(p + 16), 16); CHECK_EQ(u64(p + 24), 32); CHECK_EQ(u64(p + 32), 48);
	p += 40;
	CHECK_EQ(u32(p), VGB_REFCTX_CHECKSUM); CHECK_EQ(u32(p + 4), 40);
	CHECK_EQ(u32(p + 8), 7); CHECK_EQ(u32(p + 12), 8);
	CHECK_EQ(u64(p + 16), 0); CHECK_EQ(u64(p + 24), 4096); CHECK_EQ(u64(p + 32), 24);
	p += 40;
	CHECK_EQ(u32(p), VGB_REFCTX_PATTERN); CHECK_EQ(u32(p + 4), 32);
	CHECK_EQ(u32(p + 8), 9); CHECK_EQ(u32(p + 12), 77);
	CHECK_EQ(u64(p + 16), 4); CHECK_EQ(u64(p + 24), 64);

	/* Reset empties; an oversized write marks the stream failed until reset. */
	vgb_rcs_reset(&s);
	CHECK(vgb_rcs_data(&s, &size) && size == 0);
	vgb_rcs_write(&s, 1, 0, data, UINT32_MAX);
	CHECK(vgb_rcs_data(&s, &size) == NULL);
	vgb_rcs_free(&s, 1);
	CHECK(vgb_rcs_data(&s, &size) == NULL);
	vgb_rcs_reset(&s);
	vgb_rcs_free(&s, 1);
	CHECK(vgb_rcs_data(&s, &size) && size == 16);
	vgb_rcs_fini(&s);

	/* The checksum both sides use: FNV-1a 64 reference values. */
	CHECK(vgb_fnv1a64("", 0, VGB_FNV1A64_INIT) == 0xcbf29ce484222325ull);
	CHECK(vgb_fnv1a64("a", 1, VGB_FNV1A64_INIT) == 0xaf63dc4c8601ec8cull);
	CHECK(vgb_fnv1a64("foobar", 6, VGB_FNV1A64_INIT) == 0x85944171f73967e8ull);
	return 0;
}
