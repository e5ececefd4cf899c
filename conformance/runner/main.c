/* SPDX-License-Identifier: MIT */
/*
 * vgb-conform: runs the conformance cases against one target and writes
 * results.json.  Listing cases opens no device.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/inject.h"
#include "../lib/json.h"
#include "../lib/run.h"
#include "../lib/vc.h"
#include "targets.h"
#include "vgb/wire.h"

#ifndef VC_TARGETS_FILE
#define VC_TARGETS_FILE "conformance/targets/targets.json"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vgb-conform [options]\n"
		"  --target NAME        a target of the targets file\n"
		"  --targets-file PATH  (default %s)\n"
		"  --list-targets       print the targets of the targets file\n"
		"  --backend 'CMDLINE'  spawn this vhost-user-gpu backend (gets --fd=N)\n"
		"  --socket PATH        connect to a backend listening on PATH; every case opens\n"
		"                       its own connection, so the backend must accept one after\n"
		"                       another (e.g. restart it in a loop)\n"
		"  --name NAME          target name in the results (with --backend/--socket)\n"
		"  --validate           the backend accepts --validate=FILE (driver checks)\n"
		"  --host-binary PATH   what @VGB_HOST@ stands for in the targets file\n"
		"  --filter GLOB[,GLOB] run only matching cases (fnmatch)\n"
		"  --list [--json]      list cases (no device is opened)\n"
		"  --seed N             seed of every random case (default: one per case from the\n"
		"                       clock; rerun a case with --filter NAME --seed SEED)\n"
		"  --rerun-failures N   run a failing case up to N more times (same seed): one that\n"
		"                       then gets another verdict is FLAKY, with every verdict\n"
		"  --timeout S          per-case deadline in seconds\n"
		"  --output FILE        results JSON (default results.json)\n"
		"  --inject RULES       tamper with responses (see conformance/lib/inject.h)\n"
		"  --driver-cmd 'CMD'   a driver under test for drv.external.run; {socket} becomes\n"
		"                       the socket the validating device listens on\n"
		"  --verbose            relay the backend's stderr\n"
		"exit: 0 pass, 1 fail, 77 nothing supported, 99 error\n",
		VC_TARGETS_FILE);
}

static bool matches(const char *name, const char *filter)
{
	if (!filter || !*filter)
		return true;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", filter);
	for (char *save = NULL, *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save))
		if (fnmatch(g, name, 0) == 0)
			return true;
	return false;
}

static const char *need_names[] = { "blob", "region", "virgl", "refctx", "blob_alignment",
				    "edid", "no_region", "validate", "reset", "driver_cmd" };

static void list_cases(const struct vc_case *const *cases, size_t n, const char *filter, bool json)
{
	if (json)
		printf("[");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		const struct vc_case *c = cases[i];
		if (!matches(c->name, filter))
			continue;
		if (!json) {
			printf("%-44s", c->name);
			for (int k = 0; k < VC_MAX_IDS && c->ids[k]; k++)
				printf(" %s", c->ids[k]);
			printf("\n");
			continue;
		}
		printf("%s\n {\"name\": ", first ? "" : ",");
		first = false;
		vc_json_write_str(stdout, c->name);
		printf(", \"ids\": [");
		for (int k = 0; k < VC_MAX_IDS && c->ids[k]; k++) {
			printf("%s", k ? ", " : "");
			vc_json_write_str(stdout, c->ids[k]);
		}
		printf("], \"needs\": [");
		bool nf = true;
		for (unsigned b = 0; b < sizeof(need_names) / sizeof(need_names[0]); b++)
			if (c->needs & (1u << b)) {
				printf("%s\"%s\"", nf ? "" : ", ", need_names[b]);
				nf = false;
			}
		printf("], \"random\": %s, \"summary\": ", c->random ? "true" : "false");
		vc_json_write_str(stdout, c->summary ? c->summary : "");
		printf("}");
	}
	if (json)
		printf("\n]\n");
}

static const char *feature_names[24] = {
	[VIRTIO_GPU_F_VIRGL] = "VIRGL",
	[VIRTIO_GPU_F_EDID] = "EDID",
	[VIRTIO_GPU_F_RESOURCE_UUID] = "RESOURCE_UUID",
	[VIRTIO_GPU_F_RESOURCE_BLOB] = "RESOURCE_BLOB",
	[VIRTIO_GPU_F_CONTEXT_INIT] = "CONTEXT_INIT",
	[VIRTIO_GPU_F_BLOB_ALIGNMENT] = "BLOB_ALIGNMENT",
};

const char *vc_feature_name(unsigned bit)
{
	return bit < 24 ? feature_names[bit] : NULL;
}

static void write_target_info(FILE *f, const struct vc_target *tg, const struct vc_probe *p,
			      bool probed, const char *probe_err)
{
	fprintf(f, "   \"info\": {\"command\": ");
	if (tg->argv) {
		fprintf(f, "[");
		for (int i = 0; tg->argv[i]; i++) {
			fprintf(f, "%s", i ? ", " : "");
			vc_json_write_str(f, tg->argv[i]);
		}
		fprintf(f, "]");
	} else {
		fprintf(f, "null, \"socket\": ");
		vc_json_write_str(f, tg->socket_path);
	}
	if (!probed) {
		fprintf(f, ", \"probe_error\": ");
		vc_json_write_str(f, probe_err);
		fprintf(f, "},\n   \"features\": {},\n");
		return;
	}
	fprintf(f,
		", \"offered_features\": \"0x%llx\", \"negotiated_features\": \"0x%llx\", "
		"\"protocol_features\": \"0x%llx\", \"config_len\": %u, \"num_scanouts\": %u, "
		"\"num_scanouts_from_vmm\": %s, \"num_capsets\": %u, \"blob_alignment\": %u, "
		"\"region_size\": %llu, \"capsets\": [",
		(unsigned long long)p->offered, (unsigned long long)p->negotiated,
		(unsigned long long)p->protocol, p->config_len, p->num_scanouts,
		p->num_scanouts_from_vmm ? "true" : "false", p->num_capsets,
		p->blob_alignment, (unsigned long long)p->region_size);
	for (unsigned i = 0; i < p->ncapsets; i++)
		fprintf(f, "%s{\"id\": %u, \"max_version\": %u, \"max_size\": %u}", i ? ", " : "",
			p->capset_ids[i], p->capset_max_versions[i], p->capset_max_sizes[i]);
	fprintf(f, "]");
	if (p->refctx)
		fprintf(f, ", \"refctx\": {\"map_cache\": %u, \"alignment\": %u, \"ops\": \"0x%x\"}",
			p->refctx_map_cache, p->refctx_alignment, p->refctx_ops);
	fprintf(f, "},\n   \"features\": {");
	bool first = true;
	for (unsigned b = 0; b < 24; b++) {
		if (!feature_names[b])
			continue;
		fprintf(f, "%s\"%s\": %s", first ? "" : ", ", feature_names[b],
			(p->negotiated >> b) & 1 ? "true" : "false");
		first = false;
	}
	fprintf(f, ", \"HOST_VISIBLE_REGION\": %s},\n", p->has_region ? "true" : "false");
}

/* The argument quoted for a POSIX shell when it needs it. */
static void shell_word(char *out, size_t cap, const char *arg)
{
	size_t n = strlen(out);
	bool plain = *arg != '\0';
	for (const char *p = arg; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@+%", *p))
			plain = false;
	if (plain) {
		snprintf(out + n, cap - n, "%s%s", n ? " " : "", arg);
		return;
	}
	if (n + 2 < cap)
		out[n++] = ' ', out[n++] = '\'';
	for (const char *p = arg; *p && n + 5 < cap; p++) {
		if (*p == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *p;
		}
	}
	if (n + 1 < cap)
		out[n++] = '\'';
	out[n] = '\0';
	if (out[0] == ' ')
		memmove(out, out + 1, n);
}

/* Options that choose cases, reruns and where results go: the reproducer sets its own. */
static bool run_selection_option(const char *arg, bool *takes_value)
{
	static const char *const opts[] = { "--filter", "--seed", "--output", "--rerun-failures" };
	*takes_value = false;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		size_t n = strlen(opts[i]);
		if (strncmp(arg, opts[i], n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
			*takes_value = arg[n] == '\0';
			return true;
		}
	}
	return false;
}

/*
 * The command that runs this one case alone, as this run did: the same
 * program, target and options, the case's name and seed.
 */
static void reproducer(char *out, size_t cap, int argc, char **argv, const char *case_name, uint32_t seed)
{
	char num[16];
	out[0] = '\0';
	for (int i = 0; i < argc; i++) {
		bool skip_value;
		if (i > 0 && run_selection_option(argv[i], &skip_value)) {
			i += skip_value;
			continue;
		}
		shell_word(out, cap, argv[i]);
	}
	snprintf(num, sizeof(num), "%u", seed);
	const char *tail[] = { "--filter", case_name, "--seed", num, "--output", "reproduce.json" };
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		shell_word(out, cap, tail[i]);
}

static void write_case(FILE *f, const struct vc_case *c, const struct vc_result *r, bool first,
		       const char *reproduce)
{
	fprintf(f, "%s    {\"name\": ", first ? "" : ",\n");
	vc_json_write_str(f, c->name);
	fprintf(f, ", \"verdict\": \"%s\", \"ids\": [", vc_verdict_name(r->verdict));
	for (int k = 0; k < VC_MAX_IDS && c->ids[k]; k++) {
		fprintf(f, "%s", k ? ", " : "");
		vc_json_write_str(f, c->ids[k]);
	}
	fprintf(f, "], \"time_s\": %.3f, \"detail\": ", r->time_s);
	vc_json_write_str(f, r->detail);
	if (r->fail_id[0]) {
		fprintf(f, ", \"failed_id\": ");
		vc_json_write_str(f, r->fail_id);
	}
	if (r->note[0]) {
		fprintf(f, ", \"note\": ");
		vc_json_write_str(f, r->note);
	}
	if (c->random && r->ran)
		fprintf(f, ", \"seed\": %u", r->seed);
	if (r->nattempts) {
		fprintf(f, ", \"attempts\": [");
		for (unsigned i = 0; i < r->nattempts; i++)
			fprintf(f, "%s\"%s\"", i ? ", " : "", vc_verdict_name(r->attempts[i]));
		fprintf(f, "]");
	}
	if (reproduce) {
		fprintf(f, ", \"reproduce\": ");
		vc_json_write_str(f, reproduce);
	}
	if (r->trace[0]) {
		fprintf(f, ", \"trace\": ");
		vc_json_write_str(f, r->trace);
	}
	fprintf(f, "}");
}

/* Each case's seed, derived from the run's; --seed N gives every case N, so
 * `--filter CASE --seed <recorded seed>` reruns one case. */
static uint32_t cseed_of(uint32_t seed, bool seed_given, size_t index)
{
	uint32_t cseed = seed_given ? seed : seed ^ (uint32_t)(index * 0x9e3779b9u);
	return cseed ? cseed : 1;
}

static const char *default_host_binary(char *buf, size_t len)
{
	const char *env = getenv("VGB_HOST");
	if (env)
		return env;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return "vgb-host";
	self[n] = 0;
	/* build/conformance/vgb-conform -> build/ref/host/vgb-host */
	snprintf(buf, len, "%s/../ref/host/vgb-host", dirname(self));
	return buf;
}

int main(int argc, char **argv)
{
	enum { O_TARGET = 256, O_TARGETS_FILE, O_LIST_TARGETS, O_BACKEND, O_SOCKET, O_NAME,
	       O_VALIDATE, O_HOST, O_FILTER, O_LIST, O_JSON, O_SEED, O_TIMEOUT, O_OUTPUT,
	       O_INJECT, O_VERBOSE, O_DRIVER, O_RERUN, O_HELP };
	static const struct option opts[] = {
		{ "target", required_argument, 0, O_TARGET },
		{ "targets-file", required_argument, 0, O_TARGETS_FILE },
		{ "list-targets", no_argument, 0, O_LIST_TARGETS },
		{ "backend", required_argument, 0, O_BACKEND },
		{ "socket", required_argument, 0, O_SOCKET },
		{ "name", required_argument, 0, O_NAME },
		{ "validate", no_argument, 0, O_VALIDATE },
		{ "host-binary", required_argument, 0, O_HOST },
		{ "filter", required_argument, 0, O_FILTER },
		{ "list", no_argument, 0, O_LIST },
		{ "json", no_argument, 0, O_JSON },
		{ "seed", required_argument, 0, O_SEED },
		{ "timeout", required_argument, 0, O_TIMEOUT },
		{ "output", required_argument, 0, O_OUTPUT },
		{ "inject", required_argument, 0, O_INJECT },
		{ "verbose", no_argument, 0, O_VERBOSE },
		{ "driver-cmd", required_argument, 0, O_DRIVER },
		{ "rerun-failures", required_argument, 0, O_RERUN },
		{ "help", no_argument, 0, O_HELP },
		{ 0, 0, 0, 0 },
	};
	const char *target = NULL, *targets_file = VC_TARGETS_FILE, *backend = NULL,
		   *socket_path = NULL, *name = NULL, *host = NULL, *filter = NULL,
		   *output = "results.json", *inject = NULL, *driver_cmd = NULL;
	bool list = false, json = false, validate = false, verbose = false, list_targets = false;
	bool seed_given = false;
	uint32_t seed = 0;
	int timeout = 0, o;
	unsigned reruns = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case O_TARGET: target = optarg; break;
		case O_TARGETS_FILE: targets_file = optarg; break;
		case O_LIST_TARGETS: list_targets = true; break;
		case O_BACKEND: backend = optarg; break;
		case O_SOCKET: socket_path = optarg; break;
		case O_NAME: name = optarg; break;
		case O_VALIDATE: validate = true; break;
		case O_HOST: host = optarg; break;
		case O_FILTER: filter = optarg; break;
		case O_LIST: list = true; break;
		case O_JSON: json = true; break;
		case O_SEED: seed = (uint32_t)strtoul(optarg, NULL, 0); seed_given = true; break;
		case O_TIMEOUT: timeout = atoi(optarg); break;
		case O_OUTPUT: output = optarg; break;
		case O_INJECT: inject = optarg; break;
		case O_VERBOSE: verbose = true; break;
		case O_DRIVER: driver_cmd = optarg; break;
		case O_RERUN: reruns = (unsigned)strtoul(optarg, NULL, 0); break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 99;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 99;
	}

	const struct vc_case *const *cases;
	size_t ncases = vc_catalogue(&cases);
	if (list) {
		list_cases(cases, ncases, filter, json);
		return 0;
	}
	char err[512];
	if (list_targets)
		return vc_target_list(targets_file, err, sizeof(err)) ? (fprintf(stderr, "%s\n", err), 99) : 0;

	struct vc_target tg;
	memset(&tg, 0, sizeof(tg));
	char hostbuf[PATH_MAX];
	if (!host)
		host = default_host_binary(hostbuf, sizeof(hostbuf));
	if (target) {
		if (vc_target_load(targets_file, target, host, &tg, err, sizeof(err)) < 0) {
			fprintf(stderr, "vgb-conform: %s\n", err);
			return 99;
		}
	} else if (backend) {
		tg.argv = vc_split_command(backend);
		tg.name = strdup(name ? name : "backend");
		tg.implementation = strdup(tg.argv && tg.argv[0] ? tg.argv[0] : backend);
	} else if (socket_path) {
		tg.socket_path = strdup(socket_path);
		tg.name = strdup(name ? name : "socket");
		tg.implementation = strdup(socket_path);
	} else {
		fprintf(stderr, "vgb-conform: give --target, --backend or --socket (or --list)\n");
		return 99;
	}
	if (name) {
		free((char *)tg.name);
		tg.name = strdup(name);
	}
	tg.validate = tg.validate || validate;
	tg.verbose = verbose;
	if (inject && vc_inject_check(inject)) {
		fprintf(stderr, "vgb-conform: %s: %s\n", vc_inject_check(inject), inject);
		vc_target_free(&tg);
		return 99;
	}
	tg.inject = inject;
	tg.driver_cmd = driver_cmd;
	if (!seed_given)
		seed = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);

	struct vc_probe probe;
	memset(&probe, 0, sizeof(probe));
	char perr[256] = "";
	bool probed = vc_probe_target(&tg, &probe, perr, sizeof(perr)) == 0;
	printf("vgb-conform %s: target %s (%s)\n", VC_SUITE_VERSION, tg.name, tg.implementation);
	if (probed)
		printf("  features offered 0x%llx negotiated 0x%llx, region %llu bytes, %u scanouts, "
		       "%u capsets%s\n",
		       (unsigned long long)probe.offered, (unsigned long long)probe.negotiated,
		       (unsigned long long)probe.region_size, probe.num_scanouts, probe.num_capsets,
		       probe.refctx ? ", reference context" : "");
	else
		printf("  probe failed: %s (every case is ERROR)\n", perr);
	if (inject)
		printf("  injecting: %s\n", inject);

	FILE *f = fopen(output, "w");
	if (!f) {
		perror(output);
		vc_target_free(&tg);
		return 99;
	}
	fprintf(f, "{\"suite_version\": \"%s\", \"seed\": %u, \"targets\": [\n  {\"name\": ",
		VC_SUITE_VERSION, seed);
	vc_json_write_str(f, tg.name);
	fprintf(f, ", \"implementation\": ");
	vc_json_write_str(f, tg.implementation);
	fprintf(f, ",\n");
	write_target_info(f, &tg, &probe, probed, perr);
	fprintf(f, "   \"cases\": [\n");

	size_t selected = 0, done = 0;
	for (size_t i = 0; i < ncases; i++)
		selected += matches(cases[i]->name, filter);
	unsigned counts[VC_NUM_VERDICTS] = { 0 };
	for (size_t i = 0; i < ncases; i++) {
		const struct vc_case *c = cases[i];
		if (!matches(c->name, filter))
			continue;
		static struct vc_result r;
		if (probed) {
			vc_run_case_reruns(c, &tg, &probe, cseed_of(seed, seed_given, i), timeout, reruns, &r);
		} else {
			memset(&r, 0, sizeof(r));
			r.verdict = VC_ERROR;
			snprintf(r.detail, sizeof(r.detail), "target probe failed: %s", perr);
		}
		counts[r.verdict]++;
		done++;
		printf("[%3zu/%zu] %-44s %-13s %6.2fs", done, selected, c->name,
		       vc_verdict_name(r.verdict), r.time_s);
		if (c->random && r.ran)
			printf(" seed=%u", r.seed);
		for (unsigned a = 0; a < r.nattempts; a++)
			printf("%s%s", a ? "," : " attempts=", vc_verdict_name(r.attempts[a]));
		if (r.verdict != VC_PASS && r.detail[0])
			printf("  %s", r.detail);
		printf("\n");
		/* Whatever did not pass can be run again alone, exactly so. */
		static char repro[4096];
		bool failing = r.verdict == VC_FAIL || r.verdict == VC_CRASH || r.verdict == VC_TIMEOUT ||
			       r.verdict == VC_ERROR || r.verdict == VC_FLAKY || r.verdict == VC_WARNING;
		if (failing && r.ran) {
			reproducer(repro, sizeof(repro), argc, argv, c->name, cseed_of(seed, seed_given, i));
			printf("          reproduce: %s\n", repro);
		}
		fflush(stdout);
		write_case(f, c, &r, done == 1, failing && r.ran ? repro : NULL);
	}
	fprintf(f, "\n   ]}\n]}\n");
	fclose(f);

	printf("summary:");
	for (int v = 0; v < VC_NUM_VERDICTS; v++)
		if (counts[v])
			printf(" %s %u", vc_verdict_name(v), counts[v]);
	printf("\nresults: %s\n", output);
	vc_target_free(&tg);

	if (counts[VC_ERROR])
		return 99;
	if (counts[VC_FAIL] || counts[VC_CRASH] || counts[VC_TIMEOUT] || counts[VC_FLAKY])
		return 1;
	if (selected && counts[VC_NOT_SUPPORTED] == selected)
		return 77;
	return 0;
}
