// SPDX-License-Identifier: MIT
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct row *report_row(struct report *r, const char *backend, const char *metric, const char *path,
		       const char *size, uint64_t bytes, enum row_kind kind)
{
	if (r->nrows == REPORT_MAX_ROWS)
		return NULL;
	struct row *row = &r->rows[r->nrows++];
	memset(row, 0, sizeof(*row));
	snprintf(row->id, sizeof(row->id), "%s.%s.%s%s%s", backend, metric, path, *size ? "." : "",
		 size);
	snprintf(row->backend, sizeof(row->backend), "%s", backend);
	snprintf(row->metric, sizeof(row->metric), "%s", metric);
	snprintf(row->path, sizeof(row->path), "%s", path);
	snprintf(row->size, sizeof(row->size), "%s", size);
	row->bytes = bytes;
	row->kind = kind;
	return row;
}

struct row *report_find(struct report *r, const char *id)
{
	for (unsigned i = 0; i < r->nrows; i++)
		if (!strcmp(r->rows[i].id, id))
			return &r->rows[i];
	return NULL;
}

static const struct row *find_const(const struct report *r, const char *id)
{
	return report_find((struct report *)r, id);
}

void row_set_na(struct row *row, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(row->reason, sizeof(row->reason), fmt, ap);
	va_end(ap);
	row->na = true;
}

void row_add_counts(struct row *row, double kicks, double calls)
{
	row->kicks_sum += kicks;
	row->calls_sum += calls;
	row->counts_n++;
}

void report_flatness(struct report *r, const char *prefix)
{
	if (r->nflat == sizeof(r->flat) / sizeof(r->flat[0]) || r->nsizes < 2)
		return;
	struct flatness *fl = &r->flat[r->nflat++];
	memset(fl, 0, sizeof(*fl));
	snprintf(fl->row_prefix, sizeof(fl->row_prefix), "%s", prefix);
	unsigned lo = 0, hi = 0;
	for (unsigned i = 1; i < r->nsizes; i++) {
		lo = r->size_bytes[i] < r->size_bytes[lo] ? i : lo;
		hi = r->size_bytes[i] > r->size_bytes[hi] ? i : hi;
	}
	_Static_assert(sizeof(fl->smallest) == sizeof(r->sizes[0]), "label sizes");
	memcpy(fl->smallest, r->sizes[lo], sizeof(fl->smallest));
	memcpy(fl->largest, r->sizes[hi], sizeof(fl->largest));
	fl->size_factor = (double)r->size_bytes[hi] / (double)r->size_bytes[lo];
}

void report_ratio(struct report *r, const char *id, const char *num, const char *den, const char *op,
		  double threshold)
{
	if (r->nratios == REPORT_MAX_RATIOS)
		return;
	struct ratio *q = &r->ratios[r->nratios++];
	memset(q, 0, sizeof(*q));
	snprintf(q->id, sizeof(q->id), "%s", id);
	snprintf(q->num, sizeof(q->num), "%s", num);
	snprintf(q->den, sizeof(q->den), "%s", den);
	snprintf(q->op, sizeof(q->op), "%s", op);
	q->threshold = threshold;
}

void report_row_target(struct report *r, const char *row, const char *op, double threshold)
{
	if (r->ntargets == REPORT_MAX_TARGETS)
		return;
	struct row_target *t = &r->targets[r->ntargets++];
	memset(t, 0, sizeof(*t));
	snprintf(t->row, sizeof(t->row), "%s", row);
	snprintf(t->op, sizeof(t->op), "%s", op);
	t->threshold = threshold;
}

static bool meets(double value, const char *op, double threshold)
{
	return !strcmp(op, ">=") ? value >= threshold : value <= threshold;
}

static void finish_row(struct row *row)
{
	if (row->na)
		return;
	if (row->runs.n == 0) {
		if (!row->reason[0])
			snprintf(row->reason, sizeof(row->reason), "no samples");
		row->na = true;
		return;
	}
	size_t n = row->runs.n;
	double *vals = malloc(n * sizeof(*vals));
	if (!vals) {
		row_set_na(row, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		double s = row->runs.v[i];
		/* Throughput in GB/s; latency and CPU time in microseconds. */
		vals[i] = row->kind == ROW_THROUGHPUT ? (double)row->bytes / s / 1e9 : s * 1e6;
	}
	row->median = stats_median(vals, n);
	row->min = stats_min(vals, n);
	row->max = stats_max(vals, n);
	free(vals);
	row->p99 = row->kind == ROW_LATENCY && row->all.n ? stats_percentile(row->all.v, row->all.n, 99) * 1e6
							  : 0;
	if (row->counts_n) {
		row->kicks = row->kicks_sum / row->counts_n;
		row->calls = row->calls_sum / row->counts_n;
	}
	if (!isfinite(row->median) || !isfinite(row->min) || !isfinite(row->max) || !isfinite(row->p99)) {
		snprintf(row->reason, sizeof(row->reason), "a sample was zero or not finite");
		row->na = true;
	}
}

void report_finish(struct report *r)
{
	for (unsigned i = 0; i < r->nrows; i++)
		finish_row(&r->rows[i]);
	for (unsigned i = 0; i < r->nratios; i++) {
		struct ratio *q = &r->ratios[i];
		const struct row *a = find_const(r, q->num), *b = find_const(r, q->den);
		q->na = !a || !b || a->na || b->na || b->median == 0;
		q->value = q->na ? 0 : a->median / b->median;
		if (!isfinite(q->value)) {
			q->na = true;
			q->value = 0;
		}
		q->met = !q->na && q->op[0] && meets(q->value, q->op, q->threshold);
	}
	for (unsigned i = 0; i < r->ntargets; i++) {
		struct row_target *t = &r->targets[i];
		const struct row *a = find_const(r, t->row);
		t->na = !a || a->na;
		t->value = t->na ? 0 : a->median;
		t->met = !t->na && meets(t->value, t->op, t->threshold);
	}
	for (unsigned i = 0; i < r->nflat; i++) {
		struct flatness *fl = &r->flat[i];
		char id[128];
		snprintf(id, sizeof(id), "%s.%s", fl->row_prefix, fl->smallest);
		const struct row *a = find_const(r, id);
		snprintf(id, sizeof(id), "%s.%s", fl->row_prefix, fl->largest);
		const struct row *b = find_const(r, id);
		fl->na = !a || !b || a->na || b->na || a->median <= 0 || b->median <= 0;
		if (fl->na)
			continue;
		/* ms per frame from a throughput median */
		fl->small_ms = (double)a->bytes / (a->median * 1e9) * 1e3;
		fl->large_ms = (double)b->bytes / (b->median * 1e9) * 1e3;
		fl->factor = fl->large_ms / fl->small_ms;
		fl->flat = fl->factor <= FLAT_FACTOR;
		snprintf(id, sizeof(id), "machine.memcpy-cpu.memcpy.%s", fl->largest);
		const struct row *m = find_const(r, id);
		fl->memcpy_ms = m && !m->na && m->median > 0 ? (double)m->bytes / (m->median * 1e9) * 1e3 : 0;
		fl->share = fl->memcpy_ms > 0 ? fl->large_ms / fl->memcpy_ms : 0;
		fl->no_copy = fl->flat || (fl->memcpy_ms > 0 && fl->share <= COPY_SHARE);
	}
}

void report_free(struct report *r)
{
	for (unsigned i = 0; i < r->nrows; i++) {
		samples_free(&r->rows[i].runs);
		samples_free(&r->rows[i].all);
	}
	r->nrows = 0;
}

/* --- Markdown tables --- */

static const char *cell_throughput(const struct report *r, const char *id, char *buf, size_t len)
{
	const struct row *row = find_const(r, id);
	if (!row || row->na)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.2f (%.2f–%.2f)", row->median, row->min, row->max);
	return buf;
}

static const char *cell_ratio(const struct report *r, const char *id, char *buf, size_t len)
{
	for (unsigned i = 0; i < r->nratios; i++) {
		const struct ratio *q = &r->ratios[i];
		if (strcmp(q->id, id))
			continue;
		if (q->na)
			snprintf(buf, len, "n/a");
		else
			snprintf(buf, len, "%.2f×", q->value);
		return buf;
	}
	snprintf(buf, len, "n/a");
	return buf;
}

/* The rule under a table's header: `lead` label columns, then ncols value columns. */
static void table_rule(FILE *f, size_t lead, size_t ncols)
{
	fprintf(f, "\n|");
	for (size_t c = 0; c < lead + ncols; c++)
		fprintf(f, "---|");
	fprintf(f, "\n");
}

static void print_throughput(const struct report *r, FILE *f)
{
	static const struct {
		const char *title, *prefix;
	} cols[] = {
		{"memcpy", "machine.memcpy.memcpy"},
		{"ref: 2D + TRANSFER_TO_HOST_2D", "reference.upload.transfer"},
		{"ref: GUEST blob", "reference.upload.guest-blob"},
		{"ref: HOST3D blob, mapped", "reference.upload.host3d-mapped"},
		{"QEMU: 2D + TRANSFER_TO_HOST_2D", "qemu.upload.transfer"},
	};
	size_t ncols = sizeof(cols) / sizeof(cols[0]);
	fprintf(f, "Upload throughput, GB/s: median (min–max) of %u runs\n\n| frame |", r->runs);
	for (size_t c = 0; c < ncols; c++)
		fprintf(f, " %s |", cols[c].title);
	table_rule(f, 1, ncols);
	for (unsigned s = 0; s < r->nsizes; s++) {
		fprintf(f, "| %s (%.1f MiB) |", r->sizes[s], (double)r->size_bytes[s] / (1 << 20));
		for (size_t c = 0; c < ncols; c++) {
			char id[96], buf[64];
			snprintf(id, sizeof(id), "%s.%s", cols[c].prefix, r->sizes[s]);
			fprintf(f, " %s |", cell_throughput(r, id, buf, sizeof(buf)));
		}
		fprintf(f, "\n");
	}
}

/* Milliseconds per frame from a throughput row's median (exact for an odd number of runs). */
static const char *cell_ms(const struct report *r, const char *id, char *buf, size_t len)
{
	const struct row *row = find_const(r, id);
	if (!row || row->na || row->median <= 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.3f", (double)row->bytes / (row->median * 1e9) * 1e3);
	return buf;
}

static void print_split(const struct report *r, FILE *f)
{
	static const struct {
		const char *title, *backend, *path;
	} cols[] = {
		{"ref: transfer", "reference", "transfer"},
		{"ref: GUEST blob", "reference", "guest-blob"},
		{"ref: HOST3D mapped", "reference", "host3d-mapped"},
		{"QEMU: transfer", "qemu", "transfer"},
	};
	size_t ncols = sizeof(cols) / sizeof(cols[0]);
	fprintf(f, "\nTime per frame, ms (medians): memcpy of the frame, then per path the whole upload / "
		   "its command alone (the host's share)\n\n| frame | memcpy |");
	for (size_t c = 0; c < ncols; c++)
		fprintf(f, " %s |", cols[c].title);
	table_rule(f, 2, ncols);
	for (unsigned s = 0; s < r->nsizes; s++) {
		char id[96], a[32], b[32];
		snprintf(id, sizeof(id), "machine.memcpy.memcpy.%s", r->sizes[s]);
		fprintf(f, "| %s | %s |", r->sizes[s], cell_ms(r, id, a, sizeof(a)));
		for (size_t c = 0; c < ncols; c++) {
			snprintf(id, sizeof(id), "%s.upload.%s.%s", cols[c].backend, cols[c].path, r->sizes[s]);
			cell_ms(r, id, a, sizeof(a));
			snprintf(id, sizeof(id), "%s.command.%s.%s", cols[c].backend, cols[c].path, r->sizes[s]);
			cell_ms(r, id, b, sizeof(b));
			fprintf(f, " %s / %s |", a, b);
		}
		fprintf(f, "\n");
	}
}

static void print_ratios(const struct report *r, FILE *f)
{
	static const struct {
		const char *title, *prefix;
	} cols[] = {
		{"mapped / transfer", "mapped/transfer"},
		{"mapped / QEMU transfer", "mapped/qemu-transfer"},
		{"GUEST blob / transfer", "guest-blob/transfer"},
		{"TRANSFER alone / memcpy", "transfer-command/memcpy"},
		{"transfer upload / memcpy", "transfer-upload/memcpy"},
		{"ref / QEMU (transfer upload)", "reference/qemu.upload"},
		{"ref / QEMU (TRANSFER alone)", "reference/qemu.transfer-command"},
	};
	size_t ncols = sizeof(cols) / sizeof(cols[0]);
	fprintf(f, "\nRatios of medians from the same run\n\n| frame |");
	for (size_t c = 0; c < ncols; c++)
		fprintf(f, " %s |", cols[c].title);
	table_rule(f, 1, ncols);
	for (unsigned s = 0; s < r->nsizes; s++) {
		fprintf(f, "| %s |", r->sizes[s]);
		for (size_t c = 0; c < ncols; c++) {
			char id[96], buf[32];
			snprintf(id, sizeof(id), "%s.%s", cols[c].prefix, r->sizes[s]);
			fprintf(f, " %s |", cell_ratio(r, id, buf, sizeof(buf)));
		}
		fprintf(f, "\n");
	}
}

/* The device's own share, free of scheduling noise: CPU time, not wall time. */
static void print_host_cpu(const struct report *r, FILE *f)
{
	static const struct {
		const char *title, *id;
	} cols[] = {
		{"ref: transfer", "reference.host-cpu.transfer"},
		{"ref: GUEST blob", "reference.host-cpu.guest-blob"},
		{"ref: HOST3D mapped", "reference.host-cpu.host3d-mapped"},
		{"QEMU: transfer", "qemu.host-cpu.transfer"},
	};
	size_t ncols = sizeof(cols) / sizeof(cols[0]);
	fprintf(f, "\nCPU time per frame, ms (medians): memcpy on this thread's clock, and the device "
		   "process's time on a CPU during each command (/proc/PID/schedstat; waiting for a CPU "
		   "does not count)\n\n| frame | memcpy |");
	for (size_t c = 0; c < ncols; c++)
		fprintf(f, " %s |", cols[c].title);
	fprintf(f, " ref transfer / memcpy | ref / QEMU (transfer) |");
	table_rule(f, 2, ncols + 2);
	for (unsigned s = 0; s < r->nsizes; s++) {
		char id[96], a[32];
		snprintf(id, sizeof(id), "machine.memcpy-cpu.memcpy.%s", r->sizes[s]);
		fprintf(f, "| %s | %s |", r->sizes[s], cell_ms(r, id, a, sizeof(a)));
		for (size_t c = 0; c < ncols; c++) {
			snprintf(id, sizeof(id), "%s.%s", cols[c].id, r->sizes[s]);
			fprintf(f, " %s |", cell_ms(r, id, a, sizeof(a)));
		}
		snprintf(id, sizeof(id), "transfer-cpu/memcpy-cpu.%s", r->sizes[s]);
		fprintf(f, " %s |", cell_ratio(r, id, a, sizeof(a)));
		snprintf(id, sizeof(id), "reference/qemu.host-cpu.%s", r->sizes[s]);
		fprintf(f, " %s |\n", cell_ratio(r, id, a, sizeof(a)));
	}
}

static const char *flat_verdict(const struct flatness *fl)
{
	if (fl->flat)
		return "flat: no copy";
	if (fl->no_copy)
		return "no copy: grows, but stays far below a memcpy";
	return fl->memcpy_ms > 0 ? "copies: grows like a memcpy" : "grows (no memcpy to compare)";
}

static void print_flatness(const struct report *r, FILE *f)
{
	if (!r->nflat)
		return;
	fprintf(f, "\nZero copy as a measured property: the device's CPU time per frame at the smallest and the "
		   "largest frame, and the largest against a memcpy of it (flat: grows at most %.0f× while the "
		   "frame grows %.0f×; a path that copies costs about a memcpy)\n\n"
		   "| path | %s, ms | %s, ms | growth | %s / memcpy | verdict |\n|---|---|---|---|---|---|\n",
		FLAT_FACTOR, r->flat[0].size_factor, r->flat[0].smallest, r->flat[0].largest, r->flat[0].largest);
	for (unsigned i = 0; i < r->nflat; i++) {
		const struct flatness *fl = &r->flat[i];
		if (fl->na)
			fprintf(f, "| %s | n/a | n/a | n/a | n/a | not measured |\n", fl->row_prefix);
		else
			fprintf(f, "| %s | %.3f | %.3f | %.1f× | %.3f× | %s |\n", fl->row_prefix, fl->small_ms,
				fl->large_ms, fl->factor, fl->share, flat_verdict(fl));
	}
}

static void latency_cells(const struct row *row, char *buf, size_t len)
{
	if (!row || row->na)
		snprintf(buf, len, "n/a | n/a");
	else
		snprintf(buf, len, "%.1f (%.1f–%.1f) | %.1f", row->median, row->min, row->max, row->p99);
}

static const char *cell_us(const struct report *r, const char *id, char *buf, size_t len)
{
	const struct row *row = find_const(r, id);
	if (!row || row->na)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.1f", row->median);
	return buf;
}

static void print_latency(const struct report *r, FILE *f)
{
	static const struct {
		const char *title, *path;
	} cmds[] = {
		{"RESOURCE_FLUSH (no scanout)", "flush"},
		{"GET_DISPLAY_INFO", "display-info"},
		{"MAP_BLOB + UNMAP_BLOB", "map-unmap"},
		{"SUBMIT_3D, fenced", "submit-3d-fenced"},
	};
	fprintf(f, "\nRound-trip latency, µs: median (min–max of per-run medians) and p99 of all round trips; "
		   "polled: both sides poll for up to %u µs before sleeping\n\n"
		   "| command | ref median | ref p99 | ref polled median | ref polled p99 | QEMU median | QEMU p99 "
		   "| ref / QEMU | polled / QEMU |\n|---|---|---|---|---|---|---|---|---|\n", r->poll_us);
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		char id[96], a[80], p[80], b[80], q[32], qp[32];
		snprintf(id, sizeof(id), "reference.latency.%s", cmds[c].path);
		latency_cells(find_const(r, id), a, sizeof(a));
		snprintf(id, sizeof(id), "reference-poll.latency.%s", cmds[c].path);
		latency_cells(find_const(r, id), p, sizeof(p));
		snprintf(id, sizeof(id), "qemu.latency.%s", cmds[c].path);
		latency_cells(find_const(r, id), b, sizeof(b));
		snprintf(id, sizeof(id), "reference/qemu.latency.%s", cmds[c].path);
		cell_ratio(r, id, q, sizeof(q));
		snprintf(id, sizeof(id), "reference-poll/qemu.latency.%s", cmds[c].path);
		fprintf(f, "| %s | %s | %s | %s | %s | %s |\n", cmds[c].title, a, p, b, q,
			cell_ratio(r, id, qp, sizeof(qp)));
	}
	fprintf(f, "\nCPU time per round trip, µs (medians of runs; the benchmark's thread and the device "
		   "process together): what polling costs\n\n| command | ref | ref polled | QEMU |\n"
		   "|---|---|---|---|\n");
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		char id[96], a[32], p[32], b[32];
		snprintf(id, sizeof(id), "reference.latency-cpu.%s", cmds[c].path);
		cell_us(r, id, a, sizeof(a));
		snprintf(id, sizeof(id), "reference-poll.latency-cpu.%s", cmds[c].path);
		cell_us(r, id, p, sizeof(p));
		snprintf(id, sizeof(id), "qemu.latency-cpu.%s", cmds[c].path);
		fprintf(f, "| %s | %s | %s | %s |\n", cmds[c].title, a, p, cell_us(r, id, b, sizeof(b)));
	}
}

static void small_cell(const struct report *r, const char *id, char *buf, size_t len)
{
	const struct row *row = find_const(r, id);
	if (!row || row->na)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.1f (%.2f / %.2f)", row->median, row->kicks, row->calls);
}

static void print_small(const struct report *r, FILE *f)
{
	static const struct {
		const char *title, *backend;
	} rows[] = {
		{"reference", "reference"},
		{"reference, EVENT_IDX", "reference-evidx"},
		{"reference, polled", "reference-poll"},
		{"QEMU", "qemu"},
		{"QEMU, EVENT_IDX", "qemu-evidx"},
	};
	bool any = false;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char id[96];
		snprintf(id, sizeof(id), "%s.small.one-per-kick", rows[i].backend);
		any |= find_const(r, id) != NULL;
	}
	if (!any)
		return;
	fprintf(f, "\nSmall frames, µs per 256x256 frame (guest write + TRANSFER_TO_HOST_2D + RESOURCE_FLUSH), "
		   "median, with (kicks / call wake-ups) per frame\n\n| backend | every command on its own kick | "
		   "one frame per kick | 8 frames per kick |\n|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char id[96], a[64], b[64], c[64];
		snprintf(id, sizeof(id), "%s.small.one-per-kick", rows[i].backend);
		small_cell(r, id, a, sizeof(a));
		snprintf(id, sizeof(id), "%s.small.frame-per-kick", rows[i].backend);
		small_cell(r, id, b, sizeof(b));
		snprintf(id, sizeof(id), "%s.small.frames-per-kick", rows[i].backend);
		small_cell(r, id, c, sizeof(c));
		fprintf(f, "| %s | %s | %s | %s |\n", rows[i].title, a, b, c);
	}
}

/* What a target id means, for the reader. */
static void target_label(const char *id, const char *op, double thr, char *buf, size_t len)
{
	static const struct {
		const char *prefix, *text;
	} labels[] = {
		{"mapped/transfer.", "mapped HOST3D upload / iovec-transfer upload"},
		{"transfer-command/memcpy.", "TRANSFER_TO_HOST_2D alone / memcpy"},
		{"reference/qemu.transfer-command.", "reference / QEMU, TRANSFER_TO_HOST_2D alone"},
		{"reference/qemu.latency.flush", "no-op round trip, reference / QEMU"},
		{"reference-poll/qemu.latency.flush", "no-op round trip, reference polled / QEMU"},
		{"reference.latency.map-unmap", "MAP_BLOB + UNMAP_BLOB, reference, median"},
		{"reference-poll.latency.map-unmap", "MAP_BLOB + UNMAP_BLOB, reference polled, median"},
	};
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		size_t n = strlen(labels[i].prefix);
		if (strncmp(id, labels[i].prefix, n))
			continue;
		const char *rest = id + n;
		snprintf(buf, len, "%s%s%s%s %s %.2f", labels[i].text, *rest ? " (" : "", rest, *rest ? ")" : "",
			 !strcmp(op, ">=") ? "≥" : "≤", thr);
		return;
	}
	snprintf(buf, len, "%s %s %.2f", id, op, thr);
}

static void print_targets(const struct report *r, FILE *f)
{
	fprintf(f, "\nTargets (measured, never asserted)\n\n| target | measured | verdict |\n|---|---|---|\n");
	char label[200];
	for (unsigned i = 0; i < r->nratios; i++) {
		const struct ratio *q = &r->ratios[i];
		if (!q->op[0])
			continue;
		target_label(q->id, q->op, q->threshold, label, sizeof(label));
		if (q->na)
			fprintf(f, "| %s | n/a | not measured |\n", label);
		else
			fprintf(f, "| %s | %.2f | %s |\n", label, q->value, q->met ? "met" : "missed");
	}
	for (unsigned i = 0; i < r->ntargets; i++) {
		const struct row_target *t = &r->targets[i];
		target_label(t->row, t->op, t->threshold, label, sizeof(label));
		if (t->na)
			fprintf(f, "| %s µs | n/a | not measured |\n", label);
		else
			fprintf(f, "| %s µs | %.1f µs | %s |\n", label, t->value, t->met ? "met" : "missed");
	}
}

void report_print(const struct report *r, FILE *f)
{
	fprintf(f, "vgb-bench%s%s, %s, started %s\nreference: %s\nqemu: %s\n%s\n%s\n\n",
		r->short_mode ? " --short" : "", r->zero_copy ? " --zero-copy" : "", r->machine, r->started,
		r->reference_cmd, r->qemu_cmd[0] ? r->qemu_cmd : "(not run)", r->load, r->memory);
	print_throughput(r, f);
	print_split(r, f);
	print_ratios(r, f);
	print_host_cpu(r, f);
	print_flatness(r, f);
	if (!r->zero_copy) {
		print_latency(r, f);
		print_small(r, f);
	}
	print_targets(r, f);
	bool any_na = false;
	for (unsigned i = 0; i < r->nrows; i++)
		any_na |= r->rows[i].na;
	if (any_na) {
		fprintf(f, "\nNot measured:\n");
		for (unsigned i = 0; i < r->nrows; i++)
			if (r->rows[i].na)
				fprintf(f, "- %s: %s\n", r->rows[i].id, r->rows[i].reason);
	}
}

/* --- JSON --- */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Numbers are always finite here (rows with non-finite figures are n/a); null otherwise. */
static void json_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.17g", v);
	else
		fputs("null", f);
}

static void json_samples(FILE *f, const struct samples *s)
{
	fputc('[', f);
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			fputc(',', f);
		json_number(f, s->v[i]);
	}
	fputc(']', f);
}

/* `, "key": value` */
static void json_str_field(FILE *f, const char *key, const char *s)
{
	fprintf(f, ", \"%s\": ", key);
	json_string(f, s);
}

static void json_num_field(FILE *f, const char *key, double v)
{
	fprintf(f, ", \"%s\": ", key);
	json_number(f, v);
}

static void json_row(FILE *f, const struct row *row)
{
	fprintf(f, "    {\"id\": ");
	json_string(f, row->id);
	json_str_field(f, "backend", row->backend);
	json_str_field(f, "metric", row->metric);
	json_str_field(f, "path", row->path);
	json_str_field(f, "size", row->size);
	static const char *const kinds[] = {"throughput", "latency", "cpu"};
	fprintf(f, ", \"bytes\": %llu, \"kind\": \"%s\", \"unit\": \"%s\", \"na\": %s",
		(unsigned long long)row->bytes, kinds[row->kind], row->kind == ROW_THROUGHPUT ? "GB/s" : "us",
		row->na ? "true" : "false");
	if (row->na) {
		json_str_field(f, "reason", row->reason);
	} else {
		json_num_field(f, "median", row->median);
		json_num_field(f, "min", row->min);
		json_num_field(f, "max", row->max);
		if (row->kind == ROW_LATENCY) {
			json_num_field(f, "p99", row->p99);
		}
		fprintf(f, ", \"runs_s\": ");
		json_samples(f, &row->runs);
		if (row->kind == ROW_LATENCY) {
			fprintf(f, ", \"round_trips_s\": ");
			json_samples(f, &row->all);
		}
		if (row->counts_n) {
			json_num_field(f, "kicks_per_op", row->kicks);
			json_num_field(f, "calls_per_op", row->calls);
		}
	}
	fprintf(f, "}");
}

int report_write_json(const struct report *r, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"schema\": \"vgb-bench/2\",\n  \"config\": {\"short\": %s, \"zero_copy\": %s, "
		   "\"runs\": %u, \"latency_batch\": %u, \"poll_us\": %u, \"machine\": ",
		r->short_mode ? "true" : "false", r->zero_copy ? "true" : "false", r->runs, r->latency_batch,
		r->poll_us);
	json_string(f, r->machine);
	json_str_field(f, "started", r->started);
	json_str_field(f, "load", r->load);
	json_str_field(f, "memory", r->memory);
	json_str_field(f, "reference", r->reference_cmd);
	json_str_field(f, "qemu", r->qemu_cmd);
	fprintf(f, ", \"sizes\": [");
	for (unsigned s = 0; s < r->nsizes; s++) {
		fprintf(f, "%s{\"label\": ", s ? ", " : "");
		json_string(f, r->sizes[s]);
		fprintf(f, ", \"bytes\": %llu}", (unsigned long long)r->size_bytes[s]);
	}
	fprintf(f, "]},\n  \"rows\": [\n");
	for (unsigned i = 0; i < r->nrows; i++) {
		json_row(f, &r->rows[i]);
		fprintf(f, "%s\n", i + 1 < r->nrows ? "," : "");
	}
	fprintf(f, "  ],\n  \"ratios\": [\n");
	for (unsigned i = 0; i < r->nratios; i++) {
		const struct ratio *q = &r->ratios[i];
		fprintf(f, "    {\"id\": ");
		json_string(f, q->id);
		json_str_field(f, "num", q->num);
		json_str_field(f, "den", q->den);
		fprintf(f, ", \"na\": %s", q->na ? "true" : "false");
		if (!q->na) {
			json_num_field(f, "value", q->value);
		}
		if (q->op[0]) {
			fprintf(f, ", \"target\": {\"op\": \"%s\", \"threshold\": ", q->op);
			json_number(f, q->threshold);
			fprintf(f, ", \"met\": %s}", q->met ? "true" : "false");
		}
		fprintf(f, "}%s\n", i + 1 < r->nratios ? "," : "");
	}
	fprintf(f, "  ],\n  \"row_targets\": [\n");
	for (unsigned i = 0; i < r->ntargets; i++) {
		const struct row_target *t = &r->targets[i];
		fprintf(f, "    {\"row\": ");
		json_string(f, t->row);
		fprintf(f, ", \"op\": \"%s\", \"threshold\": ", t->op);
		json_number(f, t->threshold);
		fprintf(f, ", \"na\": %s", t->na ? "true" : "false");
		if (!t->na) {
			json_num_field(f, "value", t->value);
		}
		fprintf(f, ", \"met\": %s}%s\n", t->met ? "true" : "false", i + 1 < r->ntargets ? "," : "");
	}
	fprintf(f, "  ],\n  \"flatness\": [\n");
	for (unsigned i = 0; i < r->nflat; i++) {
		const struct flatness *fl = &r->flat[i];
		fprintf(f, "    {\"rows\": ");
		json_string(f, fl->row_prefix);
		json_str_field(f, "smallest", fl->smallest);
		json_str_field(f, "largest", fl->largest);
		fprintf(f, ", \"na\": %s", fl->na ? "true" : "false");
		if (!fl->na) {
			json_num_field(f, "small_ms", fl->small_ms);
			json_num_field(f, "large_ms", fl->large_ms);
			json_num_field(f, "factor", fl->factor);
			json_num_field(f, "max_factor", FLAT_FACTOR);
			json_num_field(f, "memcpy_ms", fl->memcpy_ms);
			json_num_field(f, "share", fl->share);
			json_num_field(f, "max_share", COPY_SHARE);
			fprintf(f, ", \"flat\": %s, \"no_copy\": %s", fl->flat ? "true" : "false",
				fl->no_copy ? "true" : "false");
		}
		fprintf(f, "}%s\n", i + 1 < r->nflat ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) ? -1 : 0;
}
