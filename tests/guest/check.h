/* SPDX-License-Identifier: MIT */
/* Minimal checks for the driver tests: a failed check ends the test with status 1. */
#ifndef VGB_TEST_CHECK_H
#define VGB_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			exit(1);                                                       \
		}                                                                      \
	} while (0)

#define CHECK_EQ(a, b)                                                                 \
	do {                                                                           \
		long long a_ = (long long)(a), b_ = (long long)(b);                    \
		if (a_ != b_) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld, 0x%llx != 0x%llx)\n", \
				__FILE__, __LINE__, #a, #b, a_, b_, (unsigned long long)a_,  \
				(unsigned long long)b_);                               \
			exit(1);                                                       \
		}                                                                      \
	} while (0)

/* meson: 77 = skipped, 99 = hard error */
#define EXIT_SKIP 77
#define EXIT_HARD 99

#endif
