/* SPDX-License-Identifier: MIT */
/*
 * Order statistics over repeated measurements.  Every figure the benchmark
 * prints is one of these, computed from the raw samples it also writes to
 * JSON, so a reader (and the bench-short test) can recompute each number.
 */
#ifndef VGB_BENCH_STATS_H
#define VGB_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* A growable list of samples (seconds). */
struct samples {
	double *v;
	size_t n, cap;
};

int samples_add(struct samples *s, double value);
void samples_free(struct samples *s);

/* Median (mean of the two middle values for even n), minimum, maximum and the
 * nearest-rank percentile p (0 < p <= 100).  n must be > 0. */
double stats_median(const double *v, size_t n);
double stats_min(const double *v, size_t n);
double stats_max(const double *v, size_t n);
double stats_percentile(const double *v, size_t n, double p);

/* Monotonic clock in seconds. */
double now_seconds(void);

#endif
