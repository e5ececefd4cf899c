/* SPDX-License-Identifier: MIT */
/* Minimal assertions for the transport tests: count failures, exit 1 if any, 77 to skip. */
#ifndef VGB_TEST_CHECK_H
#define VGB_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failures;

#define CHECK(cond, ...)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			check_failures++;                                             \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
		}                                                                     \
	} while (0)

#define SKIP(...)                                  \
	do {                                       \
		fprintf(stderr, "SKIP: " __VA_ARGS__); \
		fputc('\n', stderr);               \
		exit(77);                          \
	} while (0)

static inline int check_result(const char *name)
{
	if (check_failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
		return 1;
	}
	fprintf(stderr, "%s: all checks passed\n", name);
	return 0;
}

#endif
