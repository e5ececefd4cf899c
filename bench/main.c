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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "latency.h"
#include "load.h"
#include "paths.h"
#include "report.h"
#include "small.h"
#include "stats.h"
#include "vgb/vhost_user.h"

#ifndef VGB_HOST_PATH
#define VGB_HOST_PATH "build/ref/host/vgb-host"
#endif
#define QEMU_GPU_PATH "/usr/lib/qemu/vhost-user-gpu"
/* The reference device offers blobs and the reference context by default; the region holds 64 MiB + slack. */
#define VGB_HOST_ARGS " --region-size=256M"

#define NPATHS 3
#define MAX_INSTANCES 5
#define POLL_US_DEFAULT 50u

/* What an instance of a backend is measured on. */
enum role { ROLE_FRAMES = 1, ROLE_LATENCY = 2, ROLE_SMALL = 4 };

/*
 * One backend process and the frontend options it runs with.  The reference
 * device and QEMU's backend run every measurement; extra instances of them
 * with polling or EVENT_IDX run the latency and small-frame measurements only,
 * all interleaved run by run.
 */
struct instance {
	const char *name; /* row prefix */
	char cmd[600];
	struct backend_tuning tune;
	unsigned roles;
	bool reference;   /* an instance of the device under test: it must run */
	struct backend be;
	bool up;
	char down_reason[600];
	double cpu0, wait0; /* CPU time at the start, for the load line */
};

struct options {
	bool short_mode, no_qemu, verbose, zero_copy, no_huge_pages;
	unsigned runs, batch, poll_us;
	bool poll_set;
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
	fprintf(f, "usage: vgb-bench [--short | --zero-copy] [--runs N] [--batch N] [--json FILE]\n"
		   "                 [--backend CMD] [--qemu CMD | --no-qemu] [--poll-us N] [--no-huge-pages]\n"
		   "                 [--verbose] [--paths transfer,guest-blob,host3d-mapped] [--frames LABEL,...]\n"
		   "  --backend CMD  reference backend command (default: %s%s)\n"
		   "  --qemu CMD     comparison backend (default: %s)\n"
		   "  --short        tiny frames and few runs: checks the plumbing, not the machine\n"
		   "  --zero-copy    frames of 256 KiB to 64 MiB only: does each path's per-frame host\n"
		   "                 cost stay flat (no copy) or grow with the frame?\n"
		   "  --poll-us N    polling window of the polled instance (CMD --poll-us=N; default %u,\n"
		   "                 0 = no polled instance)\n"
		   "  --no-huge-pages  guest RAM in 4 KiB pages even where huge pages are available\n"
		   "  --paths/--frames  run only these (for profiling; the rest is reported n/a)\n",
		VGB_HOST_PATH, VGB_HOST_ARGS, QEMU_GPU_PATH, POLL_US_DEFAULT);
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
		{"zero-copy", no_argument, NULL, 'z'}, {"poll-us", required_argument, NULL, 'P'},
		{"no-huge-pages", no_argument, NULL, 'H'},
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
		case 'z': o->zero_copy = true; break;
		case 'H': o->no_huge_pages = true; break;
		case 'P':
			if (!strcmp(optarg, "0"))
				o->poll_us = 0;
			else if (parse_unsigned(optarg, &o->poll_us) || o->poll_us > VGB_VU_POLL_US_MAX)
				return -1;
			o->poll_set = true;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc || (o->short_mode && o->zero_copy))
		return -1;
	if (!o->poll_set)
		o->poll_us = POLL_US_DEFAULT;
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
 * Short: small enough for CI under sanitizers, with an odd width so rows straddle pages.
 * Zero copy: 256 KiB to 64 MiB in steps of 4x. */
static unsigned frames_for(const struct options *o, struct frame *f)
{
	if (o->zero_copy) {
		frame_set(&f[0], "256KiB", 256, 256);
		frame_set(&f[1], "1MiB", 512, 512);
		frame_set(&f[2], "4MiB", 1024, 1024);
		frame_set(&f[3], "16MiB", 2048, 2048);
		frame_set(&f[4], "64MiB", 4096, 4096);
		return 5;
	}
	if (o->short_mode) {
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

/* Targets are judged on frames of at least 1920x1080 (the issue's); smaller ones are for reading. */
#define TARGET_MIN_BYTES (1920ull * 1080 * 4)

static void add_ratios(struct report *r, const struct frame *frames, unsigned nframes)
{
	for (unsigned i = 0; i < nframes; i++) {
		const char *s = frames[i].label;
		bool big = frames[i].bytes >= TARGET_MIN_BYTES;
		bool headline = !strcmp(s, "3840x2160"); /* the seed's mapped/transfer target */
		char id[512], a[512], b[512];
#define RATIO(idfmt, num, den, op, thr)                                                         \
	do {                                                                                    \
		snprintf(id, sizeof(id), idfmt, s);                                             \
		snprintf(a, sizeof(a), num, s);                                                 \
		snprintf(b, sizeof(b), den, s);                                                 \
		report_ratio(r, id, a, b, op, thr);                                             \
	} while (0)
		RATIO("mapped/transfer.%s", "reference.upload.host3d-mapped.%s", "reference.upload.transfer.%s",
		      headline ? ">=" : "", 4.0);
		RATIO("mapped/qemu-transfer.%s", "reference.upload.host3d-mapped.%s", "qemu.upload.transfer.%s", "", 0);
		RATIO("guest-blob/transfer.%s", "reference.upload.guest-blob.%s", "reference.upload.transfer.%s", "", 0);
		RATIO("transfer-command/memcpy.%s", "reference.command.transfer.%s", "machine.memcpy.memcpy.%s",
		      big ? ">=" : "", 0.8);
		RATIO("transfer-upload/memcpy.%s", "reference.upload.transfer.%s", "machine.memcpy.memcpy.%s", "", 0);
		RATIO("reference/qemu.upload.%s", "reference.upload.transfer.%s", "qemu.upload.transfer.%s", "", 0);
		RATIO("reference/qemu.transfer-command.%s", "reference.command.transfer.%s", "qemu.command.transfer.%s",
		      big ? ">=" : "", 1.5);
		RATIO("transfer-cpu/memcpy-cpu.%s", "reference.host-cpu.transfer.%s", "machine.memcpy-cpu.memcpy.%s", "", 0);
		RATIO("reference/qemu.host-cpu.%s", "reference.host-cpu.transfer.%s", "qemu.host-cpu.transfer.%s", "", 0);
#undef RATIO
	}
	static const char *const paths[] = {"host3d-mapped", "guest-blob", "transfer"};
	for (unsigned k = 0; k < 3; k++) {
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "reference.host-cpu.%s", paths[k]);
		report_flatness(r, prefix);
	}
	report_flatness(r, "qemu.host-cpu.transfer");
	if (r->zero_copy)
		return;
	report_ratio(r, "reference/qemu.latency.flush", "reference.latency.flush", "qemu.latency.flush", "<=", 0.5);
	report_ratio(r, "reference-poll/qemu.latency.flush", "reference-poll.latency.flush", "qemu.latency.flush",
		     "<=", 0.5);
	report_ratio(r, "reference/qemu.latency.display-info", "reference.latency.display-info",
		     "qemu.latency.display-info", "", 0);
	report_ratio(r, "reference-poll/qemu.latency.display-info", "reference-poll.latency.display-info",
		     "qemu.latency.display-info", "", 0);
	report_row_target(r, "reference.latency.map-unmap", "<=", 20.0);
	report_row_target(r, "reference-poll.latency.map-unmap", "<=", 40.0);
}

struct run_ctx {
	struct options *o;
	struct report *r;
	struct instance inst[MAX_INSTANCES];
	unsigned ninst;
	long huge_kib; /* most of the reference device's memory seen in huge pages (-1: unknown) */
	int status;
};

/* The reference device's anonymous memory in transparent huge pages now (-1: unknown). */
static long device_huge_kib(const struct instance *in)
{
	long kib = -1;
	if (!in->up || !in->be.pid)
		return -1;
	char path[64], line[200];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", in->be.pid);
	FILE *s = fopen(path, "r");
	while (s && fgets(line, sizeof(line), s))
		if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			break;
	if (s)
		fclose(s);
	return kib;
}

static void note_failure(struct run_ctx *x, struct instance *in, struct row *row, const char *why)
{
	row_set_na(row, "%s", why);
	/* The reference device must run every path; a failure there is a failed run. */
	if (in->reference)
		x->status = 1;
	fprintf(stderr, "vgb-bench: %s: %s\n", row->id, why);
}

static bool has_role(const struct instance *in, unsigned role)
{
	return in->roles & role;
}

static void bench_frame(struct run_ctx *x, const struct frame *f, const uint8_t *src, uint8_t *dst)
{
	struct report *r = x->r;
	struct row *memcpy_row = report_row(r, "machine", "memcpy", "memcpy", f->label, f->bytes, ROW_THROUGHPUT);
	struct row *memcpy_cpu = report_row(r, "machine", "memcpy-cpu", "memcpy", f->label, f->bytes, ROW_THROUGHPUT);
	struct path paths[MAX_INSTANCES][NPATHS];
	struct row *upload[MAX_INSTANCES][NPATHS], *command[MAX_INSTANCES][NPATHS], *cpu[MAX_INSTANCES][NPATHS];
	bool live[MAX_INSTANCES][NPATHS];
	memset(paths, 0, sizeof(paths));
	memset(live, 0, sizeof(live));

	for (unsigned b = 0; b < x->ninst; b++) {
		struct instance *in = &x->inst[b];
		if (!has_role(in, ROLE_FRAMES))
			continue;
		for (unsigned k = 0; k < NPATHS; k++) {
			upload[b][k] = report_row(r, in->name, "upload", path_name(k), f->label, f->bytes, ROW_THROUGHPUT);
			command[b][k] = report_row(r, in->name, "command", path_name(k), f->label, f->bytes, ROW_THROUGHPUT);
			cpu[b][k] = report_row(r, in->name, "host-cpu", path_name(k), f->label, f->bytes, ROW_THROUGHPUT);
			if (!in->up) {
				row_set_na(upload[b][k], "%s", in->down_reason);
				continue;
			}
			if (!selected(x->o->only_paths, path_name(k)) || !selected(x->o->only_frames, f->label)) {
				row_set_na(upload[b][k], "not selected");
				continue;
			}
			const char *why = path_unsupported(&in->be, k);
			if (why) {
				row_set_na(upload[b][k], "%s", why);
				continue;
			}
			if (path_setup(&paths[b][k], &in->be, k, f)) {
				note_failure(x, in, upload[b][k], paths[b][k].err);
				path_teardown(&paths[b][k]);
				continue;
			}
			live[b][k] = true;
		}
	}

	bool frame_on = selected(x->o->only_frames, f->label);
	if (!frame_on) {
		row_set_na(memcpy_row, "not selected");
		row_set_na(memcpy_cpu, "not selected");
	}
	/* Run 0 warms caches and page tables and is not recorded. */
	for (unsigned run = 0; run <= x->o->runs; run++) {
		if (frame_on) {
			double c0 = thread_cpu(), t0 = now_seconds();
			memcpy(dst, src, f->bytes);
			double t = now_seconds() - t0, c = thread_cpu() - c0;
			if (run) {
				samples_add(&memcpy_row->runs, t);
				samples_add(&memcpy_cpu->runs, c);
			}
		}
		for (unsigned b = 0; b < x->ninst; b++) {
			for (unsigned k = 0; k < NPATHS; k++) {
				double w, c, hc;
				if (!live[b][k])
					continue;
				if (path_upload(&paths[b][k], src, &w, &c, &hc)) {
					note_failure(x, &x->inst[b], upload[b][k], paths[b][k].err);
					live[b][k] = false;
					continue;
				}
				if (!run)
					continue;
				samples_add(&upload[b][k]->runs, w + c);
				samples_add(&command[b][k]->runs, c);
				if (isfinite(hc) && hc > 0)
					samples_add(&cpu[b][k]->runs, hc);
				else if (!cpu[b][k]->na)
					row_set_na(cpu[b][k], "the backend's CPU time is unknown (not spawned by the benchmark, "
						   "or too short for the kernel's accounting)");
			}
		}
	}

	/* The host must see exactly the uploaded frame, or the figures mean nothing. */
	for (unsigned b = 0; b < x->ninst; b++) {
		for (unsigned k = 0; k < NPATHS; k++) {
			if (!live[b][k])
				continue;
			int rc = path_verify(&paths[b][k], src);
			if (rc < 0)
				note_failure(x, &x->inst[b], upload[b][k], paths[b][k].err);
			else if (x->o->verbose) {
				fprintf(stderr, "vgb-bench: %s: %s\n", upload[b][k]->id,
					rc ? "not verified (no way to ask this backend)" : "host saw the frame");
			}
		}
	}
	/* Command and CPU rows stand or fall with their upload row. */
	for (unsigned b = 0; b < x->ninst; b++) {
		if (!has_role(&x->inst[b], ROLE_FRAMES))
			continue;
		for (unsigned k = 0; k < NPATHS; k++) {
			if (upload[b][k]->na) {
				row_set_na(command[b][k], "%s", upload[b][k]->reason);
				row_set_na(cpu[b][k], "%s", upload[b][k]->reason);
			}
		}
	}
	long kib = device_huge_kib(&x->inst[0]); /* while this frame's images exist */
	if (kib > x->huge_kib)
		x->huge_kib = kib;
	for (unsigned b = 0; b < x->ninst; b++) {
		struct instance *in = &x->inst[b];
		if (!has_role(in, ROLE_FRAMES))
			continue;
		for (unsigned k = 0; k < NPATHS; k++)
			path_teardown(&paths[b][k]);
		/* The next frame's mappings start over above the checksum blob. */
		in->be.shm_next = in->be.shm_floor;
	}
}

static void bench_latency(struct run_ctx *x)
{
	struct lat_state st[MAX_INSTANCES];
	struct row *rows[MAX_INSTANCES][LAT_COUNT], *cpu[MAX_INSTANCES][LAT_COUNT];
	memset(st, 0, sizeof(st));
	for (unsigned b = 0; b < x->ninst; b++) {
		struct instance *in = &x->inst[b];
		if (!has_role(in, ROLE_LATENCY))
			continue;
		if (in->up)
			lat_setup(&st[b], &in->be);
		for (unsigned c = 0; c < LAT_COUNT; c++) {
			rows[b][c] = report_row(x->r, in->name, "latency", lat_case_name(c), "", 0, ROW_LATENCY);
			cpu[b][c] = report_row(x->r, in->name, "latency-cpu", lat_case_name(c), "", 0, ROW_CPU);
			const char *why = !in->up ? in->down_reason : st[b].unsupported[c];
			if (why) {
				row_set_na(rows[b][c], "%s", why);
				row_set_na(cpu[b][c], "%s", why);
			}
		}
	}
	for (unsigned run = 0; run < x->o->runs; run++) {
		for (unsigned b = 0; b < x->ninst; b++) {
			if (!has_role(&x->inst[b], ROLE_LATENCY))
				continue;
			for (unsigned c = 0; c < LAT_COUNT; c++) {
				if (rows[b][c]->na)
					continue;
				if (lat_run(&st[b], c, x->o->batch, rows[b][c], cpu[b][c])) {
					note_failure(x, &x->inst[b], rows[b][c], st[b].err);
					row_set_na(cpu[b][c], "%s", st[b].err);
				}
			}
		}
	}
	for (unsigned b = 0; b < x->ninst; b++)
		if (has_role(&x->inst[b], ROLE_LATENCY))
			lat_teardown(&st[b]);
}

static void bench_small(struct run_ctx *x, const uint8_t *src)
{
	struct small_state st[MAX_INSTANCES];
	struct row *rows[MAX_INSTANCES][SMALL_MODES];
	memset(st, 0, sizeof(st));
	for (unsigned b = 0; b < x->ninst; b++) {
		struct instance *in = &x->inst[b];
		if (!has_role(in, ROLE_SMALL))
			continue;
		if (in->up)
			small_setup(&st[b], &in->be);
		for (unsigned m = 0; m < SMALL_MODES; m++) {
			rows[b][m] = report_row(x->r, in->name, "small", small_mode_name(m), "", 0, ROW_LATENCY);
			const char *why = !in->up ? in->down_reason : st[b].unsupported;
			if (why)
				row_set_na(rows[b][m], "%s", why);
		}
	}
	for (unsigned run = 0; run < x->o->runs; run++) {
		for (unsigned b = 0; b < x->ninst; b++) {
			if (!has_role(&x->inst[b], ROLE_SMALL))
				continue;
			for (unsigned m = 0; m < SMALL_MODES; m++) {
				if (rows[b][m]->na)
					continue;
				if (small_run(&st[b], m, src, x->o->batch, rows[b][m]))
					note_failure(x, &x->inst[b], rows[b][m], st[b].err);
			}
		}
	}
	for (unsigned b = 0; b < x->ninst; b++)
		if (has_role(&x->inst[b], ROLE_SMALL))
			small_teardown(&st[b]);
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

static void add_instance(struct run_ctx *x, const char *name, const char *cmd, const char *extra,
			 struct backend_tuning tune, unsigned roles, bool reference)
{
	struct instance *in = &x->inst[x->ninst++];
	memset(in, 0, sizeof(*in));
	in->name = name;
	snprintf(in->cmd, sizeof(in->cmd), "%s%s", cmd, extra);
	in->tune = tune;
	in->roles = roles;
	in->reference = reference;
}

/* The instances of a run: the device under test and QEMU's backend for everything, and
 * variants of them (polling, EVENT_IDX) for the round-trip measurements. */
static void plan_instances(struct run_ctx *x)
{
	const struct options *o = x->o;
	struct backend_tuning plain = {.huge_pages = !o->no_huge_pages};
	struct backend_tuning evidx = plain, poll = plain;
	evidx.event_idx = true;
	poll.poll_us = o->poll_us;
	unsigned all = o->zero_copy ? ROLE_FRAMES : ROLE_FRAMES | ROLE_LATENCY | ROLE_SMALL;
	add_instance(x, "reference", o->reference, "", plain, all, true);
	add_instance(x, "qemu", o->no_qemu ? "" : o->qemu, "", plain, all, false);
	if (o->zero_copy)
		return;
	if (o->poll_us) {
		char extra[32];
		snprintf(extra, sizeof(extra), " --poll-us=%u", o->poll_us);
		add_instance(x, "reference-poll", o->reference, extra, poll, ROLE_LATENCY | ROLE_SMALL, true);
	}
	add_instance(x, "reference-evidx", o->reference, "", evidx, ROLE_SMALL, true);
	add_instance(x, "qemu-evidx", o->no_qemu ? "" : o->qemu, "", evidx, ROLE_SMALL, false);
}

/* What the frontend and the devices got of huge pages (facts, not timings). */
static void describe_memory(struct run_ctx *x)
{
	struct report *r = x->r;
	const struct instance *ref = &x->inst[0];
	char shmem[64] = "?";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "r");
	if (f) {
		char line[200];
		if (fgets(line, sizeof(line), f)) {
			char *a = strchr(line, '['), *b = a ? strchr(a, ']') : NULL;
			if (a && b)
				snprintf(shmem, sizeof(shmem), "%.*s", (int)(b - a - 1), a + 1);
		}
		fclose(f);
	}
	uint64_t page = ref->up ? vgb_fe_ram_page_size(ref->be.fe) : 0;
	char anon[64] = "unknown";
	if (x->huge_kib >= 0)
		snprintf(anon, sizeof(anon), "%ld MiB", x->huge_kib / 1024);
	snprintf(r->memory, sizeof(r->memory),
		 "memory: guest RAM in %s pages%s (transparent huge pages for shared memory: %s); the reference "
		 "device's memory in transparent huge pages, at most: %s",
		 page >= (2u << 20) ? "2 MiB hugetlbfs" : "4 KiB",
		 x->o->no_huge_pages ? ", huge pages not asked for" : page >= (2u << 20) ? "" : " (no hugetlbfs pages reserved)",
		 shmem, anon);
}

static void start_instances(struct run_ctx *x, uint64_t ram, uint64_t small_ram)
{
	for (unsigned b = 0; b < x->ninst; b++) {
		struct instance *in = &x->inst[b];
		if (!in->cmd[0]) {
			snprintf(in->down_reason, sizeof(in->down_reason), "not run (--no-qemu)");
			continue;
		}
		uint64_t size = has_role(in, ROLE_FRAMES) ? ram : small_ram;
		if (backend_open(&in->be, in->name, in->cmd, size, !x->o->verbose, &in->tune)) {
			snprintf(in->down_reason, sizeof(in->down_reason), "backend did not start: %s", in->be.err);
			fprintf(stderr, "vgb-bench: %s: %s\n", in->name, in->down_reason);
			if (in->reference)
				x->status = 1;
			continue;
		}
		in->up = true;
		paths_prepare(&in->be);
		in->cpu0 = backend_cpu(&in->be, &in->wait0);
	}
}

/* CPU and run-queue time of every backend since it started, then closes them. */
static void stop_instances(struct run_ctx *x, double *run_s, double *wait_s)
{
	*run_s = *wait_s = 0;
	for (unsigned b = 0; b < x->ninst; b++) {
		struct instance *in = &x->inst[b];
		if (!in->up)
			continue;
		double wait, run = backend_cpu(&in->be, &wait);
		if (isfinite(run) && isfinite(in->cpu0)) {
			*run_s += run - in->cpu0;
			*wait_s += wait - in->wait0;
		}
		backend_close(&in->be);
	}
}

int main(int argc, char **argv)
{
	struct options o;
	if (parse_options(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	struct frame frames[REPORT_MAX_SIZES];
	unsigned nframes = frames_for(&o, frames);

	static struct report r;
	r.short_mode = o.short_mode;
	r.zero_copy = o.zero_copy;
	r.runs = o.runs;
	r.latency_batch = o.batch;
	r.poll_us = o.poll_us;
	snprintf(r.reference_cmd, sizeof(r.reference_cmd), "%s", o.reference);
	snprintf(r.qemu_cmd, sizeof(r.qemu_cmd), "%s", o.no_qemu ? "" : o.qemu);
	describe_machine(&r);
	for (unsigned i = 0; i < nframes; i++) {
		_Static_assert(sizeof(r.sizes[i]) == sizeof(frames[i].label), "label sizes");
		memcpy(r.sizes[i], frames[i].label, sizeof(r.sizes[i]));
		r.size_bytes[i] = frames[i].bytes;
	}
	r.nsizes = nframes;

	struct load_probe start, end;
	load_probe(&start);
	static struct run_ctx x;
	x.o = &o;
	x.r = &r;
	x.huge_kib = -1;
	plan_instances(&x);
	start_instances(&x, ram_for(frames, nframes), 64u << 20);

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
	describe_memory(&x);
	if (!o.zero_copy) {
		bench_latency(&x);
		bench_small(&x, src);
	}
	double run_s, wait_s;
	load_probe(&end);
	stop_instances(&x, &run_s, &wait_s);
	struct load_summary ls;
	load_summarize(&start, &end, run_s, wait_s, &ls);
	load_line(&ls, r.load, sizeof(r.load));

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
