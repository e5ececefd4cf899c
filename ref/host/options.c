/* SPDX-License-Identifier: MIT */
/* vgb-host command line parsing. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"
#include "vgb/vhost_user.h"
#include "vgb/wire.h"

enum {
	OPT_SOCKET = 256,
	OPT_FD,
	OPT_CAPS,
	OPT_NO_BLOB,
	OPT_NO_REGION,
	OPT_REGION_SIZE,
	OPT_ALIGNMENT,
	OPT_BLOB_ALIGNMENT,
	OPT_PAGE_SIZE,
	OPT_MAP_CACHE,
	OPT_MAX_ENTRIES,
	OPT_MAX_BLOB,
	OPT_MAX_HOSTMEM,
	OPT_MAX_RES,
	OPT_NO_VIRGL,
	OPT_NO_CTX_INIT,
	OPT_NO_EDID,
	OPT_SCANOUTS,
	OPT_SIZE,
	OPT_VALIDATE,
	OPT_TRACE,
	OPT_BREAK,
	OPT_HOSTILE,
	OPT_VALIDATE_FRONTEND,
	OPT_RENDERER,
	OPT_DUMP_SCANOUT,
	OPT_STREAM_MIN,
	OPT_POLL_US,
};

static const struct option long_opts[] = {
	{ "socket-path", required_argument, NULL, OPT_SOCKET },
	{ "fd", required_argument, NULL, OPT_FD },
	{ "print-capabilities", no_argument, NULL, OPT_CAPS },
	{ "no-blob", no_argument, NULL, OPT_NO_BLOB },
	{ "no-region", no_argument, NULL, OPT_NO_REGION },
	{ "region-size", required_argument, NULL, OPT_REGION_SIZE },
	{ "alignment", required_argument, NULL, OPT_ALIGNMENT },
	{ "blob-alignment", no_argument, NULL, OPT_BLOB_ALIGNMENT },
	{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
	{ "map-cache", required_argument, NULL, OPT_MAP_CACHE },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "max-blob-size", required_argument, NULL, OPT_MAX_BLOB },
	{ "max-host-memory", required_argument, NULL, OPT_MAX_HOSTMEM },
	{ "max-resources", required_argument, NULL, OPT_MAX_RES },
	{ "no-virgl", no_argument, NULL, OPT_NO_VIRGL },
	{ "no-context-init", no_argument, NULL, OPT_NO_CTX_INIT },
	{ "no-edid", no_argument, NULL, OPT_NO_EDID },
	{ "scanouts", required_argument, NULL, OPT_SCANOUTS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "validate", optional_argument, NULL, OPT_VALIDATE },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "break", required_argument, NULL, OPT_BREAK },
	{ "hostile", required_argument, NULL, OPT_HOSTILE },
	{ "validate-frontend", optional_argument, NULL, OPT_VALIDATE_FRONTEND },
	{ "renderer", required_argument, NULL, OPT_RENDERER },
	{ "dump-scanout", required_argument, NULL, OPT_DUMP_SCANOUT },
	{ "stream-min", required_argument, NULL, OPT_STREAM_MIN },
	{ "poll-us", required_argument, NULL, OPT_POLL_US },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vgb-host (--socket-path=PATH | --fd=N) [options]\n"
		"       vgb-host --print-capabilities\n"
		"The virtio-gpu-blob reference device, a vhost-user-gpu back-end.\n"
		"\n"
		"  --socket-path=PATH     listen on PATH and serve one front-end\n"
		"  --fd=N                 serve the front-end connected on file descriptor N\n"
		"  --print-capabilities   print the back-end capabilities (JSON) and exit\n"
		"  --no-blob              do not offer VIRTIO_GPU_F_RESOURCE_BLOB\n"
		"  --no-region            no host-visible region (blobs cannot be mapped)\n"
		"  --region-size=SIZE     host-visible region size (default 256M)\n"
		"  --alignment=N          map offset / blob size granularity (power of two >= 4096)\n"
		"  --blob-alignment       offer VIRTIO_GPU_F_BLOB_ALIGNMENT with that granularity\n"
		"  --page-size=N          act as a host with N-byte pages (power of two >= 4096): the\n"
		"                         granularity is at least N, and above 4096 a driver that\n"
		"                         accepts RESOURCE_BLOB but declines BLOB_ALIGNMENT is refused\n"
		"  --map-cache=TYPE       map_info reported: cached, uncached or wc\n"
		"  --max-entries=N        guest entries per command\n"
		"  --max-blob-size=SIZE   bytes per resource\n"
		"  --max-host-memory=SIZE host bytes for resources and context objects\n"
		"  --max-resources=N      live resources\n"
		"  --no-virgl             do not offer VIRTIO_GPU_F_VIRGL (no reference context)\n"
		"  --no-context-init      do not offer VIRTIO_GPU_F_CONTEXT_INIT\n"
		"  --no-edid              do not offer VIRTIO_GPU_F_EDID\n"
		"  --scanouts=N           number of scanouts (1..16)\n"
		"  --size=WxH             preferred mode of each scanout\n"
		"  --stream-min=SIZE      transfers of at least SIZE bytes use non-temporal stores\n"
		"                         (default 1M; 0 = never)\n"
		"  --poll-us=N            after each request, poll the queues for up to N microseconds\n"
		"                         before sleeping (0..%u; default 0 = off): lower latency\n"
		"                         for a CPU that spins meanwhile\n"
		"  --renderer=NAME        contexts of other capsets served by virglrenderer%s:\n"
		"                         virgl (GL, capsets 1-2, and Venus, capset 4) or venus\n"
		"                         (Venus only); the reference context stays the default\n"
		"  --validate[=FILE]      report driver-requirement violations on stderr\n"
		"                         (VIOLATION REQ-... detail) and as JSON lines in FILE\n"
		"                         ({\"requirement\": ...}); a SHOULD not met is a warning\n"
		"                         (WARNING REQ-... detail; {\"warning\": ...})\n"
		"  --validate-frontend[=FILE]  check the front-end (the VMM) against REQ-DEV-VU-0043..0047:\n"
		"                         SHMEM placements it must refuse are probed before the first\n"
		"                         MAP_BLOB; verdicts as JSON lines in FILE\n"
		"                         ({\"frontend_requirement\": ..., \"verdict\": ...})\n"
		"  --trace=FILE           log every command and its answer in FILE, one line each,\n"
		"                         as PID@SECONDS.MICROSECONDS:vgb_cmd ... (the form of QEMU's\n"
		"                         trace log with -msg timestamp=on)\n"
		"  --dump-scanout=FILE    write what scanout 0 shows to FILE (binary PPM) after every\n"
		"                         display update, before the flush is answered (for test\n"
		"                         runners whose front-end has no console)\n"
		"  --break=NAME[,NAME...] FOR CONFORMANCE SELF-TESTS ONLY: behave wrongly on purpose,\n"
		"                         so that a test can show the suite catches it; a device\n"
		"                         run with any break does not conform (breaks below)\n"
		"  --hostile=FAULT[=ARG][@COMMAND][#N],...  FOR TESTS OF DRIVERS ONLY: answer the\n"
		"                         driver wrongly on purpose (faults below; COMMAND by name,\n"
		"                         e.g. RESOURCE_MAP_BLOB; #N only the Nth match)\n"
		"  -v, --verbose          log every vhost-user message and rejected command\n"
		"  -h, --help             this text\n"
		"SIZE takes K, M or G suffixes (powers of 1024).\n", VGB_VU_POLL_US_MAX,
#ifdef VGB_HAVE_VIRGLRENDERER
		""
#else
		" (not in this build)"
#endif
	);
}

static void usage_breaks(FILE *f)
{
	const char *name, *what;
	fprintf(f, "Breaks (--break, conformance self-tests only):\n");
	for (unsigned i = 0; (name = vgb_device_break_info(i, NULL, &what)); i++)
		fprintf(f, "  %-26s %s\n", name, what);
}

/* Comma-separated break names into cfg->breaks. */
static bool parse_breaks(const char *list, uint32_t *breaks)
{
	char buf[512];
	if (!list || strlen(list) >= sizeof(buf))
		return false;
	strcpy(buf, list);
	char *save = NULL;
	for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		uint32_t bit = vgb_device_break_bit(name);
		if (!bit) {
			fprintf(stderr, "vgb-host: unknown break '%s'\n", name);
			usage_breaks(stderr);
			return false;
		}
		*breaks |= bit;
	}
	return *breaks != 0;
}

static bool parse_u64(const char *s, uint64_t *out, bool suffix)
{
	if (!s || !*s || *s == '-')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	unsigned shift = 0;
	if (suffix && *end) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return false;
		}
		end++;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

static bool parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	if (!parse_u64(s, &v, false) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static void print_capabilities(void)
{
	/* vhost-user.rst, backend program conventions, type "gpu": no optional features here. */
	printf("{\n  \"type\": \"gpu\",\n  \"features\": []\n}\n");
}

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, "vgb-host: invalid value '%s' for --%s\n", val ? val : "", opt);
	return -1;
}

int host_options_parse(struct host_options *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	vgb_device_config_defaults(&o->cfg);
	bool alignment_given = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			o->socket_path = optarg;
			break;
		case OPT_FD: {
			uint32_t fd;
			if (!parse_u32(optarg, &fd) || fd > INT32_MAX)
				return bad("fd", optarg);
			o->fd = (int)fd;
			break;
		}
		case OPT_CAPS:
			o->print_capabilities = true;
			break;
		case OPT_NO_BLOB:
			o->cfg.blob = false;
			break;
		case OPT_NO_REGION:
			o->cfg.region_size = 0;
			break;
		case OPT_REGION_SIZE:
			if (!parse_u64(optarg, &o->cfg.region_size, true))
				return bad("region-size", optarg);
			break;
		case OPT_ALIGNMENT:
			if (!parse_u32(optarg, &o->cfg.alignment))
				return bad("alignment", optarg);
			alignment_given = true;
			break;
		case OPT_BLOB_ALIGNMENT:
			o->cfg.blob_alignment = true;
			break;
		case OPT_PAGE_SIZE:
			if (!parse_u32(optarg, &o->cfg.page_size))
				return bad("page-size", optarg);
			break;
		case OPT_MAP_CACHE:
			if (!strcmp(optarg, "cached"))
				o->cfg.map_cache = VIRTIO_GPU_MAP_CACHE_CACHED;
			else if (!strcmp(optarg, "uncached"))
				o->cfg.map_cache = VIRTIO_GPU_MAP_CACHE_UNCACHED;
			else if (!strcmp(optarg, "wc"))
				o->cfg.map_cache = VIRTIO_GPU_MAP_CACHE_WC;
			else
				return bad("map-cache", optarg);
			break;
		case OPT_MAX_ENTRIES:
			if (!parse_u32(optarg, &o->cfg.max_entries))
				return bad("max-entries", optarg);
			break;
		case OPT_MAX_BLOB:
			if (!parse_u64(optarg, &o->cfg.max_blob_size, true))
				return bad("max-blob-size", optarg);
			break;
		case OPT_MAX_HOSTMEM:
			if (!parse_u64(optarg, &o->cfg.max_host_memory, true))
				return bad("max-host-memory", optarg);
			break;
		case OPT_MAX_RES:
			if (!parse_u32(optarg, &o->cfg.max_resources))
				return bad("max-resources", optarg);
			break;
		case OPT_NO_VIRGL:
			o->cfg.virgl = false;
			o->cfg.context_init = false; /* context init needs virgl */
			break;
		case OPT_NO_CTX_INIT:
			o->cfg.context_init = false;
			break;
		case OPT_NO_EDID:
			o->cfg.edid = false;
			break;
		case OPT_SCANOUTS:
			if (!parse_u32(optarg, &o->cfg.num_scanouts))
				return bad("scanouts", optarg);
			break;
		case OPT_SIZE: {
			unsigned w, h;
			char tail;
			if (sscanf(optarg, "%ux%u%c", &w, &h, &tail) != 2 || !w || !h)
				return bad("size", optarg);
			o->cfg.width = w;
			o->cfg.height = h;
			break;
		}
		case OPT_VALIDATE:
			o->cfg.validate = true;
			o->validate_file = optarg;
			break;
		case OPT_TRACE:
			o->trace_file = optarg;
			break;
		case OPT_DUMP_SCANOUT:
			if (!*optarg)
				return bad("dump-scanout", optarg);
			o->dump_scanout = optarg;
			break;
		case OPT_STREAM_MIN:
			if (!parse_u64(optarg, &o->cfg.stream_min, true))
				return bad("stream-min", optarg);
			break;
		case OPT_POLL_US:
			if (!parse_u32(optarg, &o->poll_us) || o->poll_us > VGB_VU_POLL_US_MAX)
				return bad("poll-us", optarg);
			break;
		case OPT_BREAK:
			if (!parse_breaks(optarg, &o->cfg.breaks))
				return bad("break", optarg);
			break;
		case OPT_VALIDATE_FRONTEND:
			o->validate_frontend = true;
			o->validate_frontend_file = optarg;
			break;
		case OPT_HOSTILE: {
			char err[200];
			struct hostile *x = hostile_new(optarg, err, sizeof(err));
			if (!x) {
				fprintf(stderr, "vgb-host: --hostile: %s\n", err);
				hostile_usage(stderr);
				return -1;
			}
			hostile_free(x);
			o->hostile = optarg;
			break;
		}
		case OPT_RENDERER:
			if (!strcmp(optarg, "virgl"))
				o->renderer = HOST_RENDERER_VIRGL;
			else if (!strcmp(optarg, "venus"))
				o->renderer = HOST_RENDERER_VENUS;
			else
				return bad("renderer", optarg);
#ifndef VGB_HAVE_VIRGLRENDERER
			fprintf(stderr, "vgb-host: --renderer: this vgb-host was built without virglrenderer "
				"(meson finds libvirglrenderer-dev >= 1.0 with -Drenderer=auto|enabled)\n");
			return -1;
#endif
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			usage_breaks(stdout);
			hostile_usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vgb-host: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->print_capabilities) {
		print_capabilities();
		return 1;
	}
	if ((o->socket_path != NULL) == (o->fd >= 0)) {
		fprintf(stderr, "vgb-host: give exactly one of --socket-path and --fd\n");
		usage(stderr);
		return -1;
	}
	if (!alignment_given && o->cfg.page_size > o->cfg.alignment)
		o->cfg.alignment = o->cfg.page_size; /* the granularity never drops below a page */
	if (o->renderer != HOST_RENDERER_NONE && !o->cfg.virgl) {
		fprintf(stderr, "vgb-host: --renderer needs VIRTIO_GPU_F_VIRGL (drop --no-virgl)\n");
		return -1;
	}
	const char *why = vgb_device_config_check(&o->cfg);
	if (why) {
		fprintf(stderr, "vgb-host: %s\n", why);
		return -1;
	}
	return 0;
}
