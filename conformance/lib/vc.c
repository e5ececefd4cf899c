/* SPDX-License-Identifier: MIT */
/* Verdicts and their recording in the per-case context. */
#include "vc.h"

#include <stdio.h>
#include <string.h>

#include "trace.h"

static const char *const verdict_names[VC_NUM_VERDICTS] = {
	[VC_PASS] = "PASS",       [VC_FAIL] = "FAIL",   [VC_NOT_SUPPORTED] = "NOT_SUPPORTED",
	[VC_WARNING] = "WARNING", [VC_ERROR] = "ERROR", [VC_CRASH] = "CRASH",
	[VC_TIMEOUT] = "TIMEOUT", [VC_FLAKY] = "FLAKY",
};

const char *vc_verdict_name(enum vc_verdict v)
{
	return (unsigned)v < VC_NUM_VERDICTS ? verdict_names[v] : "ERROR";
}

int vc_verdict_parse(const char *name)
{
	for (int v = 0; v < VC_NUM_VERDICTS; v++)
		if (strcmp(verdict_names[v], name) == 0)
			return v;
	return -1;
}

int vc_verdict_exit_code(enum vc_verdict v)
{
	switch (v) {
	case VC_PASS:
	case VC_WARNING:
		return 0;
	case VC_NOT_SUPPORTED:
		return 77;
	case VC_FAIL:
	case VC_CRASH:
	case VC_TIMEOUT:
	case VC_FLAKY:
		return 1;
	default:
		return 99;
	}
}

/* Which recorded verdict wins when several are recorded. */
static int severity(enum vc_verdict v)
{
	switch (v) {
	case VC_PASS: return 0;
	case VC_WARNING: return 1;
	case VC_NOT_SUPPORTED: return 2;
	case VC_FAIL: return 3;
	default: return 4;
	}
}

__attribute__((format(printf, 4, 0)))
static enum vc_verdict record(struct vc *t, enum vc_verdict v, const char *req_id,
			      const char *fmt, va_list ap)
{
	if (severity(v) <= severity(t->verdict))
		return t->verdict; /* the first, most severe finding is the one reported */
	t->verdict = v;
	snprintf(t->fail_id, sizeof(t->fail_id), "%s", req_id ? req_id : "");
	char msg[1200];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (req_id)
		snprintf(t->detail, sizeof(t->detail), "%s: %s", req_id, msg);
	else
		snprintf(t->detail, sizeof(t->detail), "%s", msg);
	if (v != VC_NOT_SUPPORTED)
		vc_trace_mark(t->trace, t->detail);
	return t->verdict;
}

enum vc_verdict vc_fail(struct vc *t, const char *req_id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum vc_verdict v = record(t, VC_FAIL, req_id, fmt, ap);
	va_end(ap);
	return v;
}

enum vc_verdict vc_warn(struct vc *t, const char *req_id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum vc_verdict v = record(t, VC_WARNING, req_id, fmt, ap);
	va_end(ap);
	return v;
}

enum vc_verdict vc_error(struct vc *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum vc_verdict v = record(t, VC_ERROR, NULL, fmt, ap);
	va_end(ap);
	return v;
}

enum vc_verdict vc_not_supported(struct vc *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum vc_verdict v = record(t, VC_NOT_SUPPORTED, NULL, fmt, ap);
	va_end(ap);
	return v;
}

void vc_note(struct vc *t, const char *fmt, ...)
{
	size_t used = strlen(t->note);
	if (used && used + 2 < sizeof(t->note)) {
		t->note[used++] = ';';
		t->note[used++] = ' ';
		t->note[used] = 0;
	}
	if (used >= sizeof(t->note) - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->note + used, sizeof(t->note) - used, fmt, ap);
	va_end(ap);
}

enum vc_verdict vc_done(const struct vc *t)
{
	return t->verdict;
}

bool vc_failed(const struct vc *t)
{
	return severity(t->verdict) >= severity(VC_NOT_SUPPORTED);
}

bool vc_check(struct vc *t, bool cond, const char *req_id, const char *fmt, ...)
{
	if (cond)
		return true;
	va_list ap;
	va_start(ap, fmt);
	record(t, VC_FAIL, req_id, fmt, ap);
	va_end(ap);
	return false;
}

uint32_t vc_new_id(struct vc *t)
{
	if (t->next_id == 0)
		t->next_id = 1;
	return t->next_id++;
}

uint32_t vc_rand(struct vc *t)
{
	uint32_t x = t->seed ? t->seed : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	t->seed = x; /* the recorded seed is the starting one (kept by the runner) */
	return x;
}

uint32_t vc_rand_range(struct vc *t, uint32_t lo, uint32_t hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = (uint64_t)hi - lo + 1;
	return lo + (uint32_t)(vc_rand(t) % span);
}
