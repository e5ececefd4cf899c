/* SPDX-License-Identifier: MIT */
/*
 * What a case exchanged with the device, kept for its reproducer: every
 * control-queue chain and vhost-user message, one text line each, in a ring
 * of the last VC_TRACE_KEPT lines.  Once the case records a failure, the
 * place is marked and only VC_TRACE_AFTER more lines are kept, so the text
 * shows the exchange around the failure, bounded.
 */
#ifndef VGB_CONFORM_TRACE_H
#define VGB_CONFORM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "vgb/frontend.h"

#define VC_TRACE_KEPT 48
#define VC_TRACE_AFTER 8
#define VC_TRACE_LEN 200
#define VC_TRACE_TEXT 6144

struct vc_trace {
	char lines[VC_TRACE_KEPT][VC_TRACE_LEN];
	uint64_t count;   /* lines recorded */
	uint64_t fail_at; /* count when the failure was marked, plus one; 0: none */
	struct vgb_fe_trace hooks;
};

/* Empties tr and points its hooks (for vgb_fe_options.trace) at it. */
void vc_trace_init(struct vc_trace *tr);
/* A line of the harness's own (tr may be NULL). */
void vc_trace_note(struct vc_trace *tr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Marks where the failure was recorded (the first mark stays). */
void vc_trace_mark(struct vc_trace *tr, const char *what);
/* The kept lines, oldest first; "" when nothing was traced. */
void vc_trace_text(const struct vc_trace *tr, char *out, size_t cap);

#endif
