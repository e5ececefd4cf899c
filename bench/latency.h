/* SPDX-License-Identifier: MIT */
/*
 * Command round trips: from placing a request on the control queue to having
 * its response, for a command that does no work (RESOURCE_FLUSH of a resource
 * no scanout shows), GET_DISPLAY_INFO, MAP_BLOB followed by UNMAP_BLOB, and a
 * fenced SUBMIT_3D (a 64-byte FILL in the reference context).
 */
#ifndef VGB_BENCH_LATENCY_H
#define VGB_BENCH_LATENCY_H

#include "backend.h"
#include "report.h"

enum lat_case { LAT_FLUSH, LAT_DISPLAY_INFO, LAT_MAP_UNMAP, LAT_SUBMIT_FENCED, LAT_COUNT };

struct lat_state {
	struct backend *be;
	uint32_t flush_id;       /* 64x64 2D resource with backing */
	uint64_t flush_pages[4];
	uint32_t blob_id;        /* one-granule HOST3D blob (map/unmap, fill target) */
	uint64_t map_offset;
	const char *unsupported[LAT_COUNT]; /* reason per case, NULL when it runs */
	char err[512];
};

const char *lat_case_name(enum lat_case c);
/* Creates what the cases need; a case that cannot run gets its reason. */
void lat_setup(struct lat_state *s, struct backend *be);
/*
 * `batch` round trips of case c; appends each to row->all and their median to
 * row->runs, and to cpu->runs (when not NULL) the CPU seconds per round trip
 * that this process and the backend spent on the batch.
 */
int lat_run(struct lat_state *s, enum lat_case c, unsigned batch, struct row *row, struct row *cpu);
void lat_teardown(struct lat_state *s);

#endif
