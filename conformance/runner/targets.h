/* SPDX-License-Identifier: MIT */
/* Targets: named ways to start or reach an implementation (conformance/targets/targets.json). */
#ifndef VGB_CONFORM_TARGETS_H
#define VGB_CONFORM_TARGETS_H

#include <stddef.h>

#include "../lib/vc.h"

/* Load target `name` from file; @VGB_HOST@ in its command becomes host_binary. 0 or -1 + err. */
int vc_target_load(const char *file, const char *name, const char *host_binary,
		   struct vc_target *tg, char *err, size_t errlen);
/* Free what vc_target_load / vc_split_command allocated. */
void vc_target_free(struct vc_target *tg);
void vc_argv_free(char **argv);
/* Print the names of all targets in file (one per line). 0 or -1. */
int vc_target_list(const char *file, char *err, size_t errlen);
/* Split a command line into argv (whitespace separated, '...' and "..." quoting). */
char **vc_split_command(const char *cmdline);

#endif
