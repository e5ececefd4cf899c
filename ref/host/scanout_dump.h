/* SPDX-License-Identifier: MIT */
/*
 * --dump-scanout=FILE: the picture scanout 0 shows, written as a binary PPM
 * after every display update, before the RESOURCE_FLUSH that caused it is
 * answered. It is how a test runner sees the host side of a front-end that has
 * no console (vhost-user-test-device-pci). Pixels are read as the display
 * channel carries them: 4 bytes B, G, R, X per pixel.
 */
#ifndef VGB_HOST_SCANOUT_DUMP_H
#define VGB_HOST_SCANOUT_DUMP_H

#include <stdint.h>

struct scanout_dump {
	const char *path; /* NULL: no dump */
	uint32_t width, height;
	uint8_t *rgb;     /* width * height * 3 */
};

/* Scanout 0 now shows width x height; 0 x 0 removes the file. 0 or -errno. */
int scanout_dump_resize(struct scanout_dump *d, uint32_t width, uint32_t height);
/* Pixels of a rectangle (scanout coordinates) changed: merge and rewrite the
 * file (atomically: readers never see half a picture). 0 or -errno. */
int scanout_dump_update(struct scanout_dump *d, uint32_t x, uint32_t y, uint32_t width, uint32_t height,
			const void *pixels, uint32_t stride);
void scanout_dump_free(struct scanout_dump *d);

#endif
