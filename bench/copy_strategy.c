// SPDX-License-Identifier: MIT
/*
 * vgb-copy-strategy: how the reference device's piecewise copy (ref/host/core/copy.c)
 * compares with one memcpy of the same bytes, per frame size: scattered 4 KiB
 * source pages of a shared memfd, like vhost-user guest RAM, into one image.
 * Strategies run interleaved, and each is timed on this thread's CPU clock
 * (time spent waiting for a CPU does not count), best of N runs:
 *   memcpy      one memcpy of the frame between two contiguous buffers
 *   pieces      memcpy per page, nothing else (the device before streaming)
 *   prefetch    memcpy per page, the next page prefetched (the device below --stream-min)
 *   stream      non-temporal stores, the next page prefetched (the device from --stream-min)
 * This is how the default threshold was chosen: streaming wins once a frame
 * no longer fits the caches with room to spare.
 *   vgb-copy-strategy [RUNS]   (default 15)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "copy.h"
#include "load.h"

#define PAGE 4096u

enum { MEMCPY, PIECES, PREFETCH, STREAM, NSTRAT };

int main(int argc, char **argv)
{
	unsigned runs = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 15;
	static const size_t sizes[] = {256u << 10, 1u << 20, 2u << 20, 4u << 20, 1920u * 1080 * 4,
				       16u << 20, 3840u * 2160 * 4, 64u << 20};
	size_t max = 64u << 20;
	if (!runs) {
		fprintf(stderr, "usage: vgb-copy-strategy [RUNS]\n");
		return 2;
	}
	/* Source: every other page of a shared memfd, in descending order (as the benchmark's guest pages). */
	int fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)(2 * max))) {
		perror("memfd");
		return 1;
	}
	uint8_t *ram = mmap(NULL, 2 * max, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint8_t *img = mmap(NULL, max, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *app = aligned_alloc(PAGE, max), *dst = aligned_alloc(PAGE, max);
	if (ram == MAP_FAILED || img == MAP_FAILED || !app || !dst) {
		perror("mmap");
		return 1;
	}
	madvise(img, max, MADV_HUGEPAGE); /* as the device's images */
	memset(ram, 1, 2 * max);
	memset(img, 2, max);
	memset(app, 3, max);
	memset(dst, 4, max);
	printf("GB/s on this thread's CPU clock, best of %u runs; %s\n\n| frame | memcpy | pieces | prefetch | stream |"
	       " stream / memcpy |\n|---|---|---|---|---|---|\n",
	       runs, vgb_copy_streams() ? "non-temporal stores available" : "no non-temporal stores: stream = prefetch");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t bytes = sizes[s] / PAGE * PAGE, n = bytes / PAGE;
		double best[NSTRAT];
		for (int k = 0; k < NSTRAT; k++)
			best[k] = 1e30;
		for (unsigned r = 0; r < runs; r++) {
			for (int k = 0; k < NSTRAT; k++) {
				/* The guest writes the frame first, as before every transfer. */
				for (size_t i = 0; i < n; i++)
					memcpy(ram + 2 * (n - 1 - i) * PAGE, app + i * PAGE, PAGE);
				double t0 = thread_cpu();
				if (k == MEMCPY) {
					memcpy(dst, app, bytes);
				} else {
					for (size_t i = 0; i < n; i++) {
						const uint8_t *src = ram + 2 * (n - 1 - i) * PAGE;
						const uint8_t *next = k != PIECES && i + 1 < n ? src - 2 * PAGE : NULL;
						if (k == PIECES)
							memcpy(img + i * PAGE, src, PAGE);
						else
							vgb_copy_piece(img + i * PAGE, src, PAGE, next, PAGE, k == STREAM);
					}
					vgb_copy_fence();
				}
				double t = thread_cpu() - t0;
				best[k] = t < best[k] ? t : best[k];
			}
		}
		printf("| %.1f MiB |", (double)bytes / (1 << 20));
		for (int k = 0; k < NSTRAT; k++)
			printf(" %.2f |", (double)bytes / best[k] / 1e9);
		printf(" %.2f× |\n", best[MEMCPY] / best[STREAM]);
	}
	return 0;
}
