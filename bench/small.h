/* SPDX-License-Identifier: MIT */
/*
 * Small frames, where the round trip and not the copy is the cost: a frame is
 * the guest writing a 256x256 image into its scattered pages, then the two
 * commands a driver sends for it (TRANSFER_TO_HOST_2D, RESOURCE_FLUSH of a
 * resource no scanout shows).  Three ways to send them: every command on its
 * own kick and wait; both commands of a frame on one kick; the commands of
 * SMALL_FRAMES frames (each its own resource) on one kick.  Combined with a
 * frontend that does or does not negotiate EVENT_IDX, and a device that does
 * or does not poll, this shows what batching and notification suppression buy.
 */
#ifndef VGB_BENCH_SMALL_H
#define VGB_BENCH_SMALL_H

#include "backend.h"
#include "report.h"

#define SMALL_FRAMES 8
#define SMALL_W 256u
#define SMALL_H 256u

enum small_mode { SMALL_ONE_PER_KICK, SMALL_FRAME_PER_KICK, SMALL_FRAMES_PER_KICK, SMALL_MODES };

struct small_state {
	struct backend *be;
	uint32_t ids[SMALL_FRAMES];
	uint64_t *gpas[SMALL_FRAMES];
	uint8_t **pages[SMALL_FRAMES];
	unsigned npages;
	uint64_t req_gpa, resp_gpa; /* one slot per command of a batch */
	uint8_t *req, *resp;
	const char *unsupported;
	char err[512];
};

const char *small_mode_name(enum small_mode m);
void small_setup(struct small_state *s, struct backend *be);
/*
 * `samples` frames (groups of SMALL_FRAMES for the last mode) of src; each
 * sample, the time per frame, goes to row->all, their median to row->runs,
 * and the notifications per frame to row's counters.
 */
int small_run(struct small_state *s, enum small_mode m, const uint8_t *src, unsigned samples, struct row *row);
void small_teardown(struct small_state *s);

#endif
