/* SPDX-License-Identifier: MIT */
/* Case tables of each file, terminated by an entry with name NULL. */
#ifndef VGB_CONFORM_CASES_H
#define VGB_CONFORM_CASES_H

#include <sys/types.h>

#include "../lib/gpu.h"
#include "../lib/host.h"
#include "../lib/reqs.h"
#include "../lib/vc.h"

#define IDS(...) .ids = { __VA_ARGS__ }

extern const struct vc_case vc_cases_discovery[];
extern const struct vc_case vc_cases_map[];
extern const struct vc_case vc_cases_coherency[];
extern const struct vc_case vc_cases_fallback[];
extern const struct vc_case vc_cases_scanout[];
extern const struct vc_case vc_cases_sizes[];
extern const struct vc_case vc_cases_lifecycle[];
extern const struct vc_case vc_cases_malformed[];
extern const struct vc_case vc_cases_driver[];
extern const struct vc_case vc_cases_refctx[];
extern const struct vc_case vc_cases_memory[];
extern const struct vc_case vc_cases_ref_driver[];

#ifdef VC_HAVE_DRIVER
struct vgb_drv;
/* The reference driver against the case's target in validating mode (its own frontend;
 * the case's frontend stops).  NULL with ERROR recorded when it does not start. */
struct vgb_drv *vc_ref_driver_open(struct vc *t);
/* The target's device, validating, listening on sock, with one more argument
 * (or NULL); its pid, or -1.  Its stderr is dropped unless the target is verbose. */
pid_t vc_spawn_validating_device(struct vc *t, const char *sock, const char *extra);
#endif
extern const struct vc_case vc_cases_selftest[];
extern const struct vc_case vc_cases_renderer[];

#endif
