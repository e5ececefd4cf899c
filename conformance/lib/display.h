/* SPDX-License-Identifier: MIT */
/*
 * Checking what the device shows: guest images behind scattered, odd-sized
 * backing entries, and a model of the scanout compared pixel by pixel with
 * what arrived on the vhost-user-gpu display channel.
 */
#ifndef VGB_CONFORM_DISPLAY_H
#define VGB_CONFORM_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "vc.h"

#define VC_MAX_ENTRIES 512

/* size bytes of guest memory described by entries (scattered pages cut at odd sizes). */
struct vc_backing {
	uint64_t size;
	unsigned n;
	struct vgb_sg ents[VC_MAX_ENTRIES];
};

/* One entry when max_len is 0; else non-adjacent pages cut into entries of odd sizes
 * (up to max_len bytes) at odd offsets, with gaps between them. */
bool vc_backing_make(struct vc *t, uint64_t size, uint32_t max_len, struct vc_backing *b);
/* Copy between linear bytes [off, +len) of the backing and a buffer. */
void vc_backing_write(struct vc *t, const struct vc_backing *b, uint64_t off, const void *src,
		      uint64_t len);

/* Wait for the display channel to deliver an update after `before` updates. */
bool vc_display_wait(struct vc *t, uint32_t scanout, uint64_t before);
uint64_t vc_display_updates(struct vc *t, uint32_t scanout);
/* Compare the scanout with a model image (w x h pixels, stride bytes); FAIL with req_id. */
bool vc_display_matches(struct vc *t, uint32_t scanout, const uint8_t *model, uint32_t w,
			uint32_t h, uint32_t stride, const char *req_id, const char *what);

#endif
