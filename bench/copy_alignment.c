// SPDX-License-Identifier: MIT
/*
 * vgb-copy-alignment: how much a destination that is not page aligned costs
 * the 4 KiB-piece copy a TRANSFER_TO_HOST_2D does.  QEMU's vhost-user-gpu
 * copies into a malloc'd image (16 bytes past a page boundary); the reference
 * device copies into page-aligned memory.  Prints best-of-N GB/s per offset.
 *   vgb-copy-alignment [BYTES [RUNS]]   (default: a 3840x2160 frame, 15 runs)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stats.h"

#define PIECE 4096u

int main(int argc, char **argv)
{
	size_t bytes = argc > 1 ? strtoull(argv[1], NULL, 0) : (size_t)3840 * 2160 * 4;
	unsigned runs = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 15;
	bytes = bytes / PIECE * PIECE;
	if (!bytes || !runs) {
		fprintf(stderr, "usage: vgb-copy-alignment [BYTES [RUNS]]\n");
		return 2;
	}
	/* Source: every other page of a shared memfd, like scattered pages of vhost-user guest RAM. */
	size_t src_len = 2 * bytes, dst_len = bytes + PIECE;
	int fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)src_len)) {
		perror("memfd");
		return 1;
	}
	uint8_t *src = mmap(NULL, src_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint8_t *dst = mmap(NULL, dst_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(src, 0x5a, src_len);
	memset(dst, 0, dst_len);
	static const unsigned offsets[] = {0, 16, 64, 0, 16, 64};
	printf("%zu bytes in %u-byte pieces, best of %u runs\n", bytes, PIECE, runs);
	for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
		double best = 1e30;
		for (unsigned r = 0; r < runs; r++) {
			double t0 = now_seconds();
			for (size_t i = 0; i < bytes / PIECE; i++)
				memcpy(dst + offsets[o] + i * PIECE, src + 2 * i * PIECE, PIECE);
			double t = now_seconds() - t0;
			best = t < best ? t : best;
		}
		printf("destination page offset %2u: %6.2f GB/s\n", offsets[o], (double)bytes / best / 1e9);
	}
	munmap(src, src_len);
	munmap(dst, dst_len);
	close(fd);
	return 0;
}
