/* SPDX-License-Identifier: MIT */
/*
 * The conformance harness: a case table, verdicts, and the per-case context
 * (a fresh frontend + backend) through which a case plays the driver.
 *
 * A case returns a verdict; helpers record the first failure with the
 * requirement ID it breaks and what was seen, so the report can name both.
 */
#ifndef VGB_CONFORM_VC_H
#define VGB_CONFORM_VC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/frontend.h"

#define VC_SUITE_VERSION "1.0.0"
#define VC_MAX_IDS 48

enum vc_verdict {
	VC_PASS = 0,
	VC_FAIL,
	VC_NOT_SUPPORTED,
	VC_WARNING,
	VC_ERROR,
	VC_CRASH,
	VC_TIMEOUT,
	VC_NUM_VERDICTS
};

const char *vc_verdict_name(enum vc_verdict v);
/* PASS / FAIL ... by name; -1 when unknown. */
int vc_verdict_parse(const char *name);
/* meson's convention: 0 pass, 1 fail, 77 skip, 99 hard error. */
int vc_verdict_exit_code(enum vc_verdict v);

/* What a case needs the device to offer; missing = NOT_SUPPORTED with the reason. */
enum vc_need {
	VC_NEED_BLOB = 1u << 0,      /* VIRTIO_GPU_F_RESOURCE_BLOB */
	VC_NEED_REGION = 1u << 1,    /* host-visible region (shm id 1) */
	VC_NEED_VIRGL = 1u << 2,     /* VIRTIO_GPU_F_VIRGL */
	VC_NEED_REFCTX = 1u << 3,    /* context_init + capset 30 (the reference context) */
	VC_NEED_ALIGNMENT = 1u << 4, /* VIRTIO_GPU_F_BLOB_ALIGNMENT */
	VC_NEED_EDID = 1u << 5,      /* VIRTIO_GPU_F_EDID */
	VC_NEED_NO_REGION = 1u << 6, /* a blob device without a region */
	VC_NEED_VALIDATE = 1u << 7,  /* the device has a validating mode (--validate=FILE) */
	VC_NEED_RESET = 1u << 8,     /* VHOST_USER_PROTOCOL_F_RESET_DEVICE */
	VC_NEED_DRIVER_CMD = 1u << 9, /* a driver under test was given (--driver-cmd) */
	VC_NEED_UUID = 1u << 10,     /* VIRTIO_GPU_F_RESOURCE_UUID */
};

struct vc;
typedef enum vc_verdict (*vc_case_fn)(struct vc *t);

struct vc_case {
	const char *name;               /* <side>.<topic>.<case> */
	const char *ids[VC_MAX_IDS];    /* requirement IDs checked (NULL-terminated) */
	unsigned needs;                 /* enum vc_need bits */
	vc_case_fn run;
	const void *data;               /* case parameters for table-driven cases */
	bool random;                    /* uses t->seed */
	uint64_t mask_features;         /* device feature bits the frontend must decline */
	int timeout_s;                  /* 0 = default */
	const char *summary;            /* one line: what is checked */
};

/* The catalogue: every case, in a stable order. */
size_t vc_catalogue(const struct vc_case *const **out);

/* What discovery found about the device under test (one probe per run). */
struct vc_probe {
	uint64_t offered;           /* device feature bits offered */
	uint64_t negotiated;
	uint64_t protocol;
	uint32_t num_scanouts, num_capsets, blob_alignment;
	bool num_scanouts_from_vmm; /* the backend left num_scanouts 0 for the VMM */
	uint32_t config_len;
	uint64_t region_size;       /* 0 = none */
	bool has_region;
	uint32_t capset_ids[16], capset_max_versions[16], capset_max_sizes[16];
	unsigned ncapsets;
	bool refctx;                /* capset 30 present and answered */
	uint32_t refctx_map_cache, refctx_alignment, refctx_ops;
	uint64_t refctx_max_object;
};

/* How to reach a target. */
struct vc_target {
	const char *name;
	const char *implementation;
	char **argv;             /* backend command (NULL-terminated), or NULL */
	const char *socket_path; /* or an already listening backend */
	bool validate;           /* argv accepts --validate=FILE */
	uint64_t ram_size;
	unsigned ram_regions;
	const char *inject;      /* response tampering rules (see inject.c), or NULL */
	const char *driver_cmd;  /* a driver under test: shell command, {socket} = backend socket */
	bool verbose;            /* relay the backend's stderr */
};

/* The per-case context. */
struct vc {
	const struct vc_case *c;
	const struct vc_target *target;
	const struct vc_probe *probe;
	struct vgb_fe *fe;
	uint32_t seed;
	char validate_path[256];   /* validating mode log of this case, when used */

	enum vc_verdict verdict;   /* first non-PASS wins, FAIL/ERROR over WARNING */
	char fail_id[48];
	char detail[1536];
	char note[512];            /* informative text even on PASS */

	uint32_t next_id;          /* resource/ctx ids handed out by vc_new_id() */
};

/* Record a verdict (the worst one sticks); returns the verdict now held. */
enum vc_verdict vc_fail(struct vc *t, const char *req_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum vc_verdict vc_warn(struct vc *t, const char *req_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum vc_verdict vc_error(struct vc *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum vc_verdict vc_not_supported(struct vc *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Informative text kept with the result. */
void vc_note(struct vc *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* What the case ends with: PASS unless something was recorded. */
enum vc_verdict vc_done(const struct vc *t);
/* Has anything worse than WARNING been recorded? */
bool vc_failed(const struct vc *t);

/* A check: records FAIL with req_id when cond is false; returns cond. */
bool vc_check(struct vc *t, bool cond, const char *req_id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Return from the case when something failed. */
#define VC_TRY(expr)                         \
	do {                                 \
		if (!(expr) || vc_failed(t)) \
			return vc_done(t);   \
	} while (0)

/* A fresh id (resources and contexts), never 0. */
uint32_t vc_new_id(struct vc *t);

/* Deterministic random numbers from t->seed (xorshift). */
uint32_t vc_rand(struct vc *t);
uint32_t vc_rand_range(struct vc *t, uint32_t lo, uint32_t hi); /* [lo, hi] */

/* Does the target offer what the case needs? NULL if yes, else the reason. */
const char *vc_needs_unmet(const struct vc_probe *p, const struct vc_target *tg, unsigned needs);

/* Names of feature bits and the JSON object of features. */
const char *vc_feature_name(unsigned bit);

#endif
