/* SPDX-License-Identifier: MIT */
/*
 * Bulk copies between guest pages and host images, one call per contiguous
 * piece.  Two costs of a piecewise copy that one big memcpy does not pay:
 * ordinary stores make the CPU read every destination line before it is
 * overwritten, and the hardware prefetcher stops at every page boundary of
 * scattered guest pages.  So a large copy ("streamed") writes with
 * non-temporal stores, which send whole lines to memory without reading them
 * (x86 SSE2; plain memcpy elsewhere), and every copy prefetches the start of
 * the next piece's source while the current one is copied.
 *
 * Non-temporal stores are weakly ordered: after the last streamed piece and
 * before the response that tells the driver the bytes are in place,
 * vgb_copy_fence() must run (REQ-DEV-XFER-0400).
 */
#ifndef VGB_CORE_COPY_H
#define VGB_CORE_COPY_H

#include <stdbool.h>
#include <stddef.h>

/* dst <- src (n bytes, no overlap).  next/next_len: the source of the piece that follows
 * (next NULL: none); only a hint, never dereferenced. */
void vgb_copy_piece(void *dst, const void *src, size_t n, const void *next, size_t next_len,
		    bool stream);
/* Orders every streamed store before the stores that follow (a no-op without streaming). */
void vgb_copy_fence(void);
/* Does this build stream (non-temporal stores), or does streaming fall back to memcpy? */
bool vgb_copy_streams(void);

#endif
