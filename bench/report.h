/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's results: rows of raw samples, ratios between rows of the
 * same run, and the targets.  Printed as Markdown tables and written
 * as JSON (schema "vgb-bench/1", described in bench/PERFORMANCE.md).
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
};

struct row {
	char id[96];        /* backend.metric.path[.size], unique */
	char backend[16];   /* machine | reference | qemu */
	char metric[16];    /* memcpy | upload | command | latency */
	char path[24];      /* memcpy | transfer | guest-blob | host3d-mapped | <command name> */
	char size[24];      /* frame label, "" for latency rows */
	uint64_t bytes;
	enum row_kind kind;
	struct samples runs;
	struct samples all;
	bool na;            /* not measured; reason says why */
	char reason[200];
	/* Derived by report_finish(). */
	double median, min, max, p99;
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

#define REPORT_MAX_ROWS 96
#define REPORT_MAX_RATIOS 64
#define REPORT_MAX_TARGETS 8

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
	char sizes[8][24];
	uint64_t size_bytes[8];
	unsigned nsizes;
	char machine[200];
	char started[32];
};

/* Adds a row; NULL when full.  The id is built from the parts. */
struct row *report_row(struct report *r, const char *backend, const char *metric, const char *path,
		       const char *size, uint64_t bytes, enum row_kind kind);
struct row *report_find(struct report *r, const char *id);
void row_set_na(struct row *row, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds a ratio of two row ids (computed by report_finish); op "" = no target. */
void report_ratio(struct report *r, const char *id, const char *num, const char *den, const char *op,
		  double threshold);
void report_row_target(struct report *r, const char *row, const char *op, double threshold);

/* Derives medians, ratios and target verdicts.  A row without samples becomes n/a. */
void report_finish(struct report *r);

void report_print(const struct report *r, FILE *f);
int report_write_json(const struct report *r, const char *path);
void report_free(struct report *r);

#endif
