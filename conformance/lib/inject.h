/* SPDX-License-Identifier: MIT */
/*
 * Response tampering, to prove that cases catch a broken device: the harness
 * rewrites what the device answered before the case sees it, as a device with
 * that bug would have answered.  Rules (comma separated):
 *   CMD:FROM=TO       answer TO where the device answered FROM to command CMD
 *   CMD:map_info=N    report map_info N in OK_MAP_INFO answers to CMD
 *   RULE@N            RULE, in the Nth run of a case only (--rerun-failures):
 *                     a device that misbehaves once, to show a case is FLAKY
 * CMD and responses by name (RESOURCE_MAP_BLOB, ERR_INVALID_PARAMETER, ...).
 * Presets: map-double-ok, map-info-none, unknown-cmd-ok.
 */
#ifndef VGB_CONFORM_INJECT_H
#define VGB_CONFORM_INJECT_H

#include <stddef.h>
#include <stdint.h>

/* Is the rule text well formed? NULL if yes, else what is wrong. */
const char *vc_inject_check(const char *rules);
/* Which run of the case this process is (1 for the first). */
void vc_inject_attempt(unsigned attempt);
/* Apply rules to a response (resp has room for 4096 bytes; *resp_len may grow). */
void vc_inject_apply(const char *rules, const void *req, size_t req_len, uint8_t *resp,
		     uint32_t *resp_len);

#endif
