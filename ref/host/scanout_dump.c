/* SPDX-License-Identifier: MIT */
#include "scanout_dump.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int scanout_dump_resize(struct scanout_dump *d, uint32_t width, uint32_t height)
{
	free(d->rgb);
	d->rgb = NULL;
	d->width = d->height = 0;
	if (!width || !height) {
		if (unlink(d->path) && errno != ENOENT)
			return -errno;
		return 0;
	}
	/* Scanouts are at most 16384 x 16384 here, so this cannot overflow size_t. */
	if (width > 16384 || height > 16384)
		return -EINVAL;
	d->rgb = calloc((size_t)width * height, 3);
	if (!d->rgb)
		return -ENOMEM;
	d->width = width;
	d->height = height;
	return 0;
}

static int write_ppm(const struct scanout_dump *d)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", d->path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return -errno;
	size_t n = (size_t)d->width * d->height * 3;
	int ok = fprintf(f, "P6\n%u %u\n255\n", d->width, d->height) > 0 && fwrite(d->rgb, 1, n, f) == n;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, d->path)) {
		int e = errno ? errno : EIO;
		unlink(tmp);
		return -e;
	}
	return 0;
}

int scanout_dump_update(struct scanout_dump *d, uint32_t x, uint32_t y, uint32_t width, uint32_t height,
			const void *pixels, uint32_t stride)
{
	if (!d->rgb)
		return 0; /* nothing shown */
	if (x >= d->width || y >= d->height || width > d->width - x || height > d->height - y ||
	    stride < (uint64_t)width * 4)
		return -EINVAL;
	const uint8_t *src = pixels;
	for (uint32_t row = 0; row < height; row++) {
		const uint8_t *s = src + (size_t)row * stride;
		uint8_t *o = d->rgb + ((size_t)(y + row) * d->width + x) * 3;
		for (uint32_t col = 0; col < width; col++, s += 4, o += 3) {
			o[0] = s[2];
			o[1] = s[1];
			o[2] = s[0];
		}
	}
	return write_ppm(d);
}

void scanout_dump_free(struct scanout_dump *d)
{
	free(d->rgb);
	d->rgb = NULL;
}
