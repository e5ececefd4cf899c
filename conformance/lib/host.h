/* SPDX-License-Identifier: MIT */
/*
 * The host side of coherency checks, through the reference context
 * (vgb/refctx.h): host objects turned into HOST3D blobs, and host fills,
 * patterns, writes and checksums.  Checksums land in a small GUEST blob the
 * case reads from guest RAM, so no mapping is needed to see them.
 * Built here from the wire definitions, independently of the reference driver.
 */
#ifndef VGB_CONFORM_HOST_H
#define VGB_CONFORM_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "vc.h"

struct vc_host {
	uint32_t ctx_id;
	uint32_t result_res;  /* GUEST blob receiving checksums */
	uint64_t result_gpa;
	uint64_t next_blob_id;
	uint64_t next_fence;  /* host commands are fenced (COH-0071) unless unfenced is set */
	bool unfenced;
};

/* CTX_CREATE with the reference context and the result blob. FAIL/ERROR recorded on failure. */
bool vc_host_open(struct vc *t, struct vc_host *h);
/* ALLOC a host object and CREATE_BLOB(HOST3D) it as *res. Returns the CREATE_BLOB response. */
uint32_t vc_host_blob(struct vc *t, struct vc_host *h, uint64_t size, uint32_t blob_flags,
		      uint32_t *res);
/* Host operations on a blob; false (with FAIL on req_id) when the device refused. */
bool vc_host_fill(struct vc *t, struct vc_host *h, uint32_t res, uint32_t value, uint64_t off,
		  uint64_t size, const char *req_id);
bool vc_host_pattern(struct vc *t, struct vc_host *h, uint32_t res, uint32_t seed, uint64_t off,
		     uint64_t size, const char *req_id);
bool vc_host_checksum(struct vc *t, struct vc_host *h, uint32_t res, uint64_t off, uint64_t size,
		      uint64_t *sum, const char *req_id);
/* Same, with FLAG_FENCE set on the SUBMIT_3D (checks the echo). */
bool vc_host_checksum_fenced(struct vc *t, struct vc_host *h, uint32_t res, uint64_t off,
			     uint64_t size, uint64_t fence_id, uint64_t *sum, const char *req_id);

/* Expected pattern and checksum, computed independently of the device. */
void vc_pattern_fill(void *dst, uint32_t seed, uint64_t size);
uint64_t vc_checksum(const void *p, uint64_t len);

/* Does touching addr fault (checked in a forked child)? */
bool vc_touch_faults(const volatile uint8_t *addr);

#endif
