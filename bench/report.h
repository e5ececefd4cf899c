/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's results: rows of raw samples, ratios between rows of the
 * same run, and the targets.  Printed as Markdown tables and written
 * as JSON (schema "vgb-bench/2", described in the README's Performance section).
 */
#ifndef VGB_BENCH_REPORT_H
#define VGB_BENCH_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "stats.h"

enum row_kind {
	ROW_THROUGHPUT, /* runs: seconds to move `bytes`; figures in GB/s (1e9 B/s) */
	ROW_LATENCY,    /* runs: median round trip of each run; all: every round trip; figures in us */
	ROW_CPU,        /* runs: CPU seconds per operation in each run; figures in us */
};

struct row {
	char id[96];        /* backend.metric.path[.size], unique */
	char backend[24];   /* machine | reference | qemu | reference-poll | reference-evidx | qemu-evidx */
	char metric[16];    /* memcpy | memcpy-cpu | upload | command | host-cpu | latency | latency-cpu | small */
	char path[24];      /* memcpy | transfer | guest-blob | host3d-mapped | <command name> | <small mode> */
	char size[24];      /* frame label, "" for latency rows */
	uint64_t bytes;
	enum row_kind kind;
	struct samples runs;
	struct samples all;
	bool na;            /* not measured; reason says why */
	char reason[200];
	/* Notifications per operation, summed over runs (small frames): kicks, call wake-ups. */
	double kicks_sum, calls_sum;
	unsigned counts_n;
	/* Derived by report_finish(). */
	double median, min, max, p99;
	double kicks, calls; /* per operation, mean over runs */
};

struct ratio {
	char id[96];
	char num[96], den[96]; /* row ids */
	double value;          /* num.median / den.median */
	bool na;
	/* Optional target: value op threshold (op is ">=" or "<="), "" when none. */
	char op[3];
	double threshold;
	bool met;
};

/* A target on one row's median (MAP+UNMAP <= 20 us). */
struct row_target {
	char row[96];
	char op[3];
	double threshold;
	double value;
	bool na, met;
};

#define REPORT_MAX_ROWS 320
#define REPORT_MAX_RATIOS 128
#define REPORT_MAX_TARGETS 16
#define REPORT_MAX_SIZES 8

/*
 * Does a path's per-frame cost on the host stay flat over frame sizes (zero
 * copy)?  flat: it grows at most FLAT_FACTOR times while the frame grows
 * size_factor times; otherwise it may still do far less than a copy (work per
 * page, not per byte): share = largest-frame cost / memcpy of that frame, at
 * most COPY_SHARE for "no copy".  A path that copies costs about a memcpy.
 */
struct flatness {
	char row_prefix[64];   /* e.g. reference.host-cpu.host3d-mapped (+ .size) */
	char smallest[24], largest[24];
	double small_ms, large_ms, factor; /* per-frame ms at each end; factor = large / small */
	double size_factor;    /* largest / smallest frame bytes */
	double memcpy_ms, share; /* memcpy (CPU time) of the largest frame; large_ms / memcpy_ms */
	bool na, flat, no_copy;
};
#define FLAT_FACTOR 4.0
#define COPY_SHARE 0.1

struct report {
	struct row rows[REPORT_MAX_ROWS];
	unsigned nrows;
	struct ratio ratios[REPORT_MAX_RATIOS];
	unsigned nratios;
	struct row_target targets[REPORT_MAX_TARGETS];
	unsigned ntargets;
	/* Run description for the JSON "config" object. */
	bool short_mode;
	unsigned runs, latency_batch;
	char reference_cmd[512], qemu_cmd[512];
	char sizes[REPORT_MAX_SIZES][24];
	uint64_t size_bytes[REPORT_MAX_SIZES];
	unsigned nsizes;
	char machine[200];
	char started[32];
	char load[400];        /* the load line: how busy the machine was during the run */
	char memory[400];      /* huge pages obtained */
	unsigned poll_us;      /* polling window of the reference-poll instance (0: not run) */
	bool zero_copy;        /* --zero-copy: frame sizes only, for the flatness table */
	struct flatness flat[16];
	unsigned nflat;
};

/* Adds a row; NULL when full.  The id is built from the parts. */
struct row *report_row(struct report *r, const char *backend, const char *metric, const char *path,
		       const char *size, uint64_t bytes, enum row_kind kind);
struct row *report_find(struct report *r, const char *id);
void row_set_na(struct row *row, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Notifications per operation seen in one run. */
void row_add_counts(struct row *row, double kicks, double calls);

/* Adds a ratio of two row ids (computed by report_finish); op "" = no target. */
void report_ratio(struct report *r, const char *id, const char *num, const char *den, const char *op,
		  double threshold);
void report_row_target(struct report *r, const char *row, const char *op, double threshold);
/* Flatness of rows prefix.<size> (throughput rows) between the smallest and largest size. */
void report_flatness(struct report *r, const char *prefix);

/* Derives medians, ratios and target verdicts.  A row without samples becomes n/a. */
void report_finish(struct report *r);

void report_print(const struct report *r, FILE *f);
int report_write_json(const struct report *r, const char *path);
void report_free(struct report *r);

#endif
