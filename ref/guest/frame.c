/* SPDX-License-Identifier: MIT */
#include "frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vgb_frame_init(struct vgb_frame *f, uint32_t width, uint32_t height)
{
	memset(f, 0, sizeof(*f));
	if (width == 0 || height == 0 || (uint64_t)width * height > SIZE_MAX / 4)
		return -EINVAL;
	f->pixels = calloc((size_t)width * height, 4);
	if (!f->pixels)
		return -ENOMEM;
	f->width = width;
	f->height = height;
	return 0;
}

void vgb_frame_fini(struct vgb_frame *f)
{
	free(f->pixels);
	memset(f, 0, sizeof(*f));
}

static uint32_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x;
}

void vgb_frame_fill(struct vgb_frame *f, uint32_t seed)
{
	for (uint32_t y = 0; y < f->height; y++)
		for (uint32_t x = 0; x < f->width; x++)
			f->pixels[(size_t)y * f->width + x] =
				mix(((uint64_t)seed << 40) ^ ((uint64_t)y << 20) ^ x);
}

void vgb_frame_stroke(struct vgb_frame *f, uint32_t n, void *mirror, uint32_t mirror_stride)
{
	/* A short diagonal dash whose place and colour depend on n. */
	uint32_t x0 = mix(n * 2ull + 1) % f->width, y0 = mix(n * 2ull + 2) % f->height;
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t x = (x0 + i) % f->width, y = (y0 + i / 2) % f->height;
		uint32_t v = mix(((uint64_t)n << 8) | i) | 1;
		f->pixels[(size_t)y * f->width + x] = v;
		if (mirror)
			memcpy((uint8_t *)mirror + (size_t)y * mirror_stride + (size_t)x * 4, &v, 4);
	}
}

void vgb_frame_store(const struct vgb_frame *f, void *dst, uint32_t stride)
{
	uint8_t *d = dst;
	for (uint32_t y = 0; y < f->height; y++)
		memcpy(d + (size_t)y * stride, &f->pixels[(size_t)y * f->width], (size_t)f->width * 4);
}

bool vgb_frame_equal(const struct vgb_frame *f, const uint32_t *pixels, uint32_t width,
		     uint32_t height, uint32_t *bad_x, uint32_t *bad_y, uint64_t *bad_count)
{
	*bad_count = 0;
	if (width != f->width || height != f->height || !pixels) {
		*bad_x = width;
		*bad_y = height;
		*bad_count = (uint64_t)f->width * f->height;
		return false;
	}
	for (uint32_t y = 0; y < height; y++) {
		for (uint32_t x = 0; x < width; x++) {
			size_t i = (size_t)y * width + x;
			if (pixels[i] != f->pixels[i]) {
				if (*bad_count == 0) {
					*bad_x = x;
					*bad_y = y;
				}
				(*bad_count)++;
			}
		}
	}
	return *bad_count == 0;
}
