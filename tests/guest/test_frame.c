/* SPDX-License-Identifier: MIT */
/* The frame model the pixel comparisons rely on. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "frame.h"

int main(void)
{
	struct vgb_frame a, b;
	CHECK_EQ(vgb_frame_init(&a, 0, 5), -22);
	CHECK_EQ(vgb_frame_init(&a, 33, 17), 0);
	CHECK_EQ(vgb_frame_init(&b, 33, 17), 0);
	vgb_frame_fill(&a, 1);
	vgb_frame_fill(&b, 1);
	uint32_t bx, by;
	uint64_t bad;
	CHECK(vgb_frame_equal(&a, b.pixels, 33, 17, &bx, &by, &bad));
	CHECK_EQ(bad, 0);
	/* Neighbours differ in every byte often enough to catch swapped or shifted pixels. */
	unsigned same = 0;
	for (size_t i = 1; i < 33 * 17; i++)
		same += a.pixels[i] == a.pixels[i - 1];
	CHECK_EQ(same, 0);
	/* A different seed, a single changed pixel, a different size: all detected. */
	vgb_frame_fill(&b, 2);
	CHECK(!vgb_frame_equal(&a, b.pixels, 33, 17, &bx, &by, &bad));
	vgb_frame_fill(&b, 1);
	b.pixels[5 * 33 + 7] ^= 0x01000000;
	CHECK(!vgb_frame_equal(&a, b.pixels, 33, 17, &bx, &by, &bad));
	CHECK_EQ(bx, 7);
	CHECK_EQ(by, 5);
	CHECK_EQ(bad, 1);
	CHECK(!vgb_frame_equal(&a, a.pixels, 17, 33, &bx, &by, &bad));
	CHECK(!vgb_frame_equal(&a, NULL, 33, 17, &bx, &by, &bad));

	/* Store with a stride keeps rows intact and leaves the padding alone. */
	uint32_t stride = 33 * 4 + 12;
	uint8_t *buf = malloc((size_t)stride * 17);
	CHECK(buf);
	memset(buf, 0xee, (size_t)stride * 17);
	vgb_frame_store(&a, buf, stride);
	for (uint32_t y = 0; y < 17; y++) {
		CHECK(memcmp(buf + y * stride, &a.pixels[y * 33], 33 * 4) == 0);
		CHECK_EQ(buf[y * stride + 33 * 4], 0xee);
	}

	/* Strokes change the frame and the mirror identically, differently for each n. */
	memcpy(b.pixels, a.pixels, 33 * 17 * 4);
	vgb_frame_stroke(&a, 0, buf, stride);
	CHECK(!vgb_frame_equal(&a, b.pixels, 33, 17, &bx, &by, &bad));
	for (uint32_t y = 0; y < 17; y++)
		CHECK(memcmp(buf + y * stride, &a.pixels[y * 33], 33 * 4) == 0);
	memcpy(b.pixels, a.pixels, 33 * 17 * 4);
	vgb_frame_stroke(&a, 1, NULL, 0);
	CHECK(!vgb_frame_equal(&a, b.pixels, 33, 17, &bx, &by, &bad));
	free(buf);
	vgb_frame_fini(&a);
	vgb_frame_fini(&b);
	return 0;
}
