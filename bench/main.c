// SPDX-License-Identifier: MIT
/*
 * vgb-bench: what copies cost.  Uploads frames to a virtio-gpu device through
 * the real vhost-user transport along each path (iovec transfer, GUEST blob,
 * mapped HOST3D blob), next to memcpy of the same bytes on this machine, and
 * times command round trips; the same against QEMU's vhost-user-gpu.  Backends
 * and paths are interleaved run by run so that a busy machine disturbs every
 * column alike, and every ratio comes from one invocation.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "latency.h"
#include "paths.h"
#include "report.h"
#include "stats.h"

#ifndef VGB_HOST_PATH
#define VGB_HOST_PATH "build/ref/host/vgb-host"
#endif
#define QEMU_GPU_PATH "/usr/lib/qemu/vhost-user-gpu"
/* The reference device offers blobs and the reference context by default; the region holds 64 MiB + slack. */
#define VGB_HOST_ARGS " --region-size=256M"

#define NBACKENDS 2
#define NPATHS 3

struct options {
	bool short_mode, no_qemu, verbose;
	unsigned runs, batch;
	const char *json, *reference, *qemu;
	const char *only_paths, *only_frames; /* comma lists for profiling; NULL = all */
};

/* Is name in the comma-separated list (NULL = everything)? */
static bool selected(const char *list, const char *name)
{
	if (!list)
		return true;
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, name, n))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vgb-bench [--short] [--runs N] [--batch N] [--json FILE]\n"
		   "                 [--backend CMD] [--qemu CMD | --no-qemu] [--verbose]\n"
		   "                 [--paths transfer,guest-blob,host3d-mapped] [--frames LABEL,...]\n"
		   "  --backend CMD  reference backend command (default: %s%s)\n"
		   "  --qemu CMD     comparison backend (default: %s)\n"
		   "  --short        tiny frames and few runs: checks the plumbing, not the machine\n"
		   "  --paths/--frames  run only these (for profiling; the rest is reported n/a)\n",
		VGB_HOST_PATH, VGB_HOST_ARGS, QEMU_GPU_PATH);
}

static int parse_unsigned(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 100000)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"short", no_argument, NULL, 's'},    {"runs", required_argument, NULL, 'r'},
		{"batch", required_argument, NULL, 'b'}, {"json", required_argument, NULL, 'j'},
		{"backend", required_argument, NULL, 'B'}, {"qemu", required_argument, NULL, 'q'},
		{"no-qemu", no_argument, NULL, 'n'},  {"verbose", no_argument, NULL, 'v'},
		{"paths", required_argument, NULL, 'p'}, {"frames", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->reference = VGB_HOST_PATH VGB_HOST_ARGS;
	o->qemu = QEMU_GPU_PATH;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->short_mode = true; break;
		case 'r': if (parse_unsigned(optarg, &o->runs)) return -1; break;
		case 'b': if (parse_unsigned(optarg, &o->batch)) return -1; break;
		case 'j': o->json = optarg; break;
		case 'B': o->reference = optarg; break;
		case 'q': o->qemu = optarg; break;
		case 'n': o->no_qemu = true; break;
		case 'v': o->verbose = true; break;
		case 'p': o->only_paths = optarg; break;
		case 'f': o->only_frames = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc)
		return -1;
	if (!o->runs)
		o->runs = o->short_mode ? 3 : 11;
	if (!o->batch)
		o->batch = o->short_mode ? 20 : 400;
	return 0;
}

static void frame_set(struct frame *f, const char *label, uint32_t w, uint32_t h)
{
	snprintf(f->label, sizeof(f->label), "%s", label);
	f->width = w;
	f->height = h;
	f->bytes = (uint64_t)w * h * 4;
}

/* Full: the frames and a 64 MiB linear buffer (a 4096x4096 image on the 2D path).
 * Short: small enough for CI under sanitizers, with an odd width so rows straddle pages. */
static unsigned frames_for(bool short_mode, struct frame *f)
{
	if (short_mode) {
		frame_set(&f[0], "64x64", 64, 64);
		frame_set(&f[1], "100x30", 100, 30);
		frame_set(&f[2], "256KiB", 256, 256);
		return 3;
	}
	frame_set(&f[0], "256x256", 256, 256);
	frame_set(&f[1], "1920x1080", 1920, 1080);
	frame_set(&f[2], "3840x2160", 3840, 2160);
	frame_set(&f[3], "64MiB", 4096, 4096);
	return 4;
}

static void describe_machine(struct report *r)
{
	char model[96] = "unknown CPU";
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');
			if (!strncmp(line, "model name", 10) && colon) {
				snprintf(model, sizeof(model), "%s", colon + 2);
				model[strcspn(model, "\n")] = 0;
				break;
			}
		}
		fclose(f);
	}
	struct utsname u;
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	snprintf(r->machine, sizeof(r->machine), "%ld CPUs, %s, Linux %s", sysconf(_SC_NPROCESSORS_ONLN),
		 model, u.release);
	/* How busy the machine was: a shared machine shows in the min-max spread. */
	double load = -1;
	FILE *la = fopen("/proc/loadavg", "r");
	if (la) {
		if (fscanf(la, "%lf", &load) != 1)
			load = -1;
		fclose(la);
	}
	if (load >= 0) {
		size_t used = strlen(r->machine);
		snprintf(r->machine + used, sizeof(r->machine) - used, ", load %.2f at start", load);
	}
	time_t now = time(NULL);
	strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
}

static void add_ratios(struct report *r, const struct frame *frames, unsigned nframes)
{
	for (unsigned i = 0; i < nframes; i++) {
		const char *s = frames[i].label;
		/* Targets are judged on the headline frame; other sizes are for reading. */
		bool headline = !strcmp(s, "3840x2160");
		char id[256], a[256], b[256];
#define RATIO(idfmt, num, den, op, thr)                                                         \
	do {                                                                                    \
		snprintf(id, sizeof(id), idfmt, s);                                             \
		snprintf(a, sizeof(a), num, s);                                                 \
		snprintf(b, sizeof(b), den, s);                                                 \
		report_ratio(r, id, a, b, headline ? op : "", thr);                           \
	} while (0)
		RATIO("mapped/transfer.%s", "reference.upload.host3d-mapped.%s", "reference.upload.transfer.%s", ">=", 4.0);
		RATIO("mapped/qemu-transfer.%s", "reference.upload.host3d-mapped.%s", "qemu.upload.transfer.%s", "", 0);
		RATIO("guest-blob/transfer.%s", "reference.upload.guest-blob.%s", "reference.upload.transfer.%s", "", 0);
		RATIO("transfer-command/memcpy.%s", "reference.command.transfer.%s", "machine.memcpy.memcpy.%s", ">=", 0.8);
		RATIO("transfer-upload/memcpy.%s", "reference.upload.transfer.%s", "machine.memcpy.memcpy.%s", "", 0);
		RATIO("reference/qemu.upload.%s", "reference.upload.transfer.%s", "qemu.upload.transfer.%s", ">=", 2.0);
		RATIO("reference/qemu.transfer-command.%s", "reference.command.transfer.%s", "qemu.command.transfer.%s", "", 0);
#undef RATIO
	}
	report_ratio(r, "reference/qemu.latency.flush", "reference.latency.flush", "qemu.latency.flush", "<=", 0.5);
	report_ratio(r, "reference/qemu.latency.display-info", "reference.latency.display-info",
		     "qemu.latency.display-info", "", 0);
	report_row_target(r, "reference.latency.map-unmap", "<=", 20.0);
}

struct run_ctx {
	struct options *o;
	struct report *r;
	struct backend be[NBACKENDS];
	bool up[NBACKENDS];
	const char *down_reason[NBACKENDS];
	int status;
};

static const char *const backend_names[NBACKENDS] = {"reference", "qemu"};

static void note_failure(struct run_ctx *x, struct row *row, const char *why)
{
	row_set_na(row, "%s", why);
	/* The reference device must run every path; a failure there is a failed run. */
	if (!strcmp(row->backend, "reference"))
		x->status = 1;
	fprintf(stderr, "vgb-bench: %s: %s\n", row->id, why);
}

static void bench_frame(struct run_ctx *x, const struct frame *f, const uint8_t *src, uint8_t *dst)
{
	struct report *r = x->r;
	struct row *memcpy_row = report_row(r, "machine", "memcpy", "memcpy", f->label, f->bytes, ROW_THROUGHPUT);
	struct path paths[NBACKENDS][NPATHS];
	struct row *upload[NBACKENDS][NPATHS], *command[NBACKENDS][NPATHS];
	bool live[NBACKENDS][NPATHS];
	memset(paths, 0, sizeof(paths));

	for (unsigned b = 0; b < NBACKENDS; b++) {
		for (unsigned k = 0; k < NPATHS; k++) {
			upload[b][k] = report_row(r, backend_names[b], "upload", path_name(k), f->label, f->bytes,
						  ROW_THROUGHPUT);
			command[b][k] = report_row(r, backend_names[b], "command", path_name(k), f->label, f->bytes,
						   ROW_THROUGHPUT);
			live[b][k] = false;
			if (!x->up[b]) {
				row_set_na(upload[b][k], "%s", x->down_reason[b]);
				continue;
			}
			if (!selected(x->o->only_paths, path_name(k)) || !selected(x->o->only_frames, f->label)) {
				row_set_na(upload[b][k], "not selected");
				continue;
			}
			const char *why = path_unsupported(&x->be[b], k);
			if (why) {
				row_set_na(upload[b][k], "%s", why);
				continue;
			}
			if (path_setup(&paths[b][k], &x->be[b], k, f)) {
				note_failure(x, upload[b][k], paths[b][k].err);
				path_teardown(&paths[b][k]);
				continue;
			}
			live[b][k] = true;
		}
	}

	bool frame_on = selected(x->o->only_frames, f->label);
	if (!frame_on)
		row_set_na(memcpy_row, "not selected");
	/* Run 0 warms caches and page tables and is not recorded. */
	for (unsigned run = 0; run <= x->o->runs; run++) {
		if (frame_on) {
			double t0 = now_seconds();
			memcpy(dst, src, f->bytes);
			double t = now_seconds() - t0;
			if (run)
				samples_add(&memcpy_row->runs, t);
		}
		for (unsigned b = 0; b < NBACKENDS; b++) {
			for (unsigned k = 0; k < NPATHS; k++) {
				double w, c;
				if (!live[b][k])
					continue;
				if (path_upload(&paths[b][k], src, &w, &c)) {
					note_failure(x, upload[b][k], paths[b][k].err);
					live[b][k] = false;
					continue;
				}
				if (!run)
					continue;
				samples_add(&upload[b][k]->runs, w + c);
				samples_add(&command[b][k]->runs, c);
			}
		}
	}

	/* The host must see exactly the uploaded frame, or the figures mean nothing. */
	for (unsigned b = 0; b < NBACKENDS; b++) {
		for (unsigned k = 0; k < NPATHS; k++) {
			if (!live[b][k])
				continue;
			int rc = path_verify(&paths[b][k], src);
			if (rc < 0)
				note_failure(x, upload[b][k], paths[b][k].err);
			else if (x->o->verbose) {
				fprintf(stderr, "vgb-bench: %s: %s\n", upload[b][k]->id,
					rc ? "not verified (no way to ask this backend)" : "host saw the frame");
			}
		}
	}
	/* A command row stands or falls with its upload row. */
	for (unsigned b = 0; b < NBACKENDS; b++)
		for (unsigned k = 0; k < NPATHS; k++)
			if (upload[b][k]->na)
				row_set_na(command[b][k], "%s", upload[b][k]->reason);
	for (unsigned b = 0; b < NBACKENDS; b++) {
		for (unsigned k = 0; k < NPATHS; k++)
			path_teardown(&paths[b][k]);
		/* The next frame's mappings start over above the checksum blob. */
		x->be[b].shm_next = x->be[b].shm_floor;
	}
}

static void bench_latency(struct run_ctx *x)
{
	struct lat_state st[NBACKENDS];
	struct row *rows[NBACKENDS][LAT_COUNT];
	for (unsigned b = 0; b < NBACKENDS; b++) {
		memset(&st[b], 0, sizeof(st[b]));
		if (x->up[b])
			lat_setup(&st[b], &x->be[b]);
		for (unsigned c = 0; c < LAT_COUNT; c++) {
			rows[b][c] = report_row(x->r, backend_names[b], "latency", lat_case_name(c), "", 0, ROW_LATENCY);
			if (!x->up[b])
				row_set_na(rows[b][c], "%s", x->down_reason[b]);
			else if (st[b].unsupported[c])
				row_set_na(rows[b][c], "%s", st[b].unsupported[c]);
		}
	}
	for (unsigned run = 0; run < x->o->runs; run++) {
		for (unsigned b = 0; b < NBACKENDS; b++) {
			for (unsigned c = 0; c < LAT_COUNT; c++) {
				if (rows[b][c]->na)
					continue;
				if (lat_run(&st[b], c, x->o->batch, rows[b][c]))
					note_failure(x, rows[b][c], st[b].err);
			}
		}
	}
	for (unsigned b = 0; b < NBACKENDS; b++)
		lat_teardown(&st[b]);
}

/* Guest RAM for the largest frame: two paths alive at once, each on scattered pages that
 * may leave a gap page between them, plus command buffers. */
static uint64_t ram_for(const struct frame *frames, unsigned n)
{
	uint64_t max = 0;
	for (unsigned i = 0; i < n; i++)
		if (frames[i].bytes > max)
			max = frames[i].bytes;
	return round_up(4 * round_up(max, 1 << 16) + (32u << 20), 1 << 20);
}

int main(int argc, char **argv)
{
	struct options o;
	if (parse_options(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	struct frame frames[4];
	unsigned nframes = frames_for(o.short_mode, frames);

	static struct report r;
	r.short_mode = o.short_mode;
	r.runs = o.runs;
	r.latency_batch = o.batch;
	snprintf(r.reference_cmd, sizeof(r.reference_cmd), "%s", o.reference);
	snprintf(r.qemu_cmd, sizeof(r.qemu_cmd), "%s", o.no_qemu ? "" : o.qemu);
	describe_machine(&r);
	for (unsigned i = 0; i < nframes; i++) {
		_Static_assert(sizeof(r.sizes[i]) == sizeof(frames[i].label), "label sizes");
		memcpy(r.sizes[i], frames[i].label, sizeof(r.sizes[i]));
		r.size_bytes[i] = frames[i].bytes;
	}
	r.nsizes = nframes;

	struct run_ctx x = {.o = &o, .r = &r};
	uint64_t ram = ram_for(frames, nframes);
	const char *cmds[NBACKENDS] = {o.reference, o.no_qemu ? NULL : o.qemu};
	for (unsigned b = 0; b < NBACKENDS; b++) {
		if (!cmds[b]) {
			x.down_reason[b] = "not run (--no-qemu)";
			continue;
		}
		if (backend_open(&x.be[b], backend_names[b], cmds[b], ram, !o.verbose)) {
			static char why[NBACKENDS][600];
			snprintf(why[b], sizeof(why[b]), "backend did not start: %s", x.be[b].err);
			x.down_reason[b] = why[b];
			fprintf(stderr, "vgb-bench: %s: %s\n", backend_names[b], why[b]);
			if (b == 0)
				x.status = 1;
			continue;
		}
		x.up[b] = true;
		paths_prepare(&x.be[b]);
	}

	uint64_t max = 0;
	for (unsigned i = 0; i < nframes; i++)
		max = frames[i].bytes > max ? frames[i].bytes : max;
	/* Page-aligned like guest pages and mappings: malloc's 16-byte offset would make every
	 * copy into a page a misaligned one, which costs up to 2x on some CPUs. */
	uint8_t *src = aligned_alloc(4096, round_up(max, 4096)), *dst = aligned_alloc(4096, round_up(max, 4096));
	if (!src || !dst) {
		fprintf(stderr, "vgb-bench: out of memory\n");
		return 1;
	}
	/* A frame that is not all one value, so a dropped page shows in the checksums. */
	for (uint64_t i = 0; i < max / 4; i++) {
		uint32_t w = (uint32_t)(i * 2654435761u) ^ 0xff000000u;
		memcpy(src + 4 * i, &w, 4);
	}
	memset(dst, 0, max);

	for (unsigned i = 0; i < nframes; i++)
		bench_frame(&x, &frames[i], src, dst);
	bench_latency(&x);
	for (unsigned b = 0; b < NBACKENDS; b++)
		if (x.up[b])
			backend_close(&x.be[b]);

	add_ratios(&r, frames, nframes);
	report_finish(&r);
	report_print(&r, stdout);
	if (o.json && report_write_json(&r, o.json)) {
		fprintf(stderr, "vgb-bench: cannot write %s: %s\n", o.json, strerror(errno));
		x.status = 1;
	}
	report_free(&r);
	free(src);
	free(dst);
	return x.status;
}
