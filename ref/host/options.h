/* SPDX-License-Identifier: MIT */
/* vgb-host command line: QEMU backend-program conventions plus the device knobs. */
#ifndef VGB_HOST_OPTIONS_H
#define VGB_HOST_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "vgb/device.h"

struct host_options {
	const char *socket_path; /* --socket-path: listen and accept one front-end */
	int fd;                  /* --fd: an already connected socket (-1 = none) */
	bool print_capabilities;
	bool verbose;
	const char *validate_file; /* --validate=FILE: violations as JSON lines */
	const char *hostile;       /* --hostile=RULES: wrong answers on purpose (hostile.h) */
	bool validate_frontend;    /* --validate-frontend[=FILE]: check the front-end (frontend_check.h) */
	const char *validate_frontend_file;
	const char *trace_file;    /* --trace=FILE: every command and its answer */
	enum host_renderer { HOST_RENDERER_NONE, HOST_RENDERER_VIRGL, HOST_RENDERER_VENUS } renderer;
	const char *dump_scanout;  /* --dump-scanout=FILE: scanout 0 as PPM after every update */
	uint32_t poll_us;          /* --poll-us: busy-poll window after each request (0 = off) */
	struct vgb_device_config cfg;
};

/* 0: run; 1: done (help or capabilities printed, exit 0); -1: usage error (printed). */
int host_options_parse(struct host_options *o, int argc, char **argv);

#endif
