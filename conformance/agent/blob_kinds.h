/* Creating the two kinds of mappable blob the cases use, and asking the host
 * to copy between blobs, through whichever host context the device has: our
 * reference context (capset 30) when offered, else virgl. NOT_SUPPORTED
 * reasons are spelled out for the verdicts. */
#ifndef VGB_AGENT_BLOB_KINDS_H
#define VGB_AGENT_BLOB_KINDS_H

#include "cases.h"

/* NULL when the stack can make the kind, else why not. */
const char *guest_blob_unsupported(const struct case_ctx *c);
const char *host3d_blob_unsupported(const struct case_ctx *c);

/* Whether host blobs come from the reference context (else from virgl). */
int uses_refctx(const struct case_ctx *c);
/* Creates this file's reference context once; 0 or -errno. */
int refctx_init(struct case_ctx *c);
/* Sends a reference-context command stream naming the given objects. */
int refctx_submit(struct case_ctx *c, const void *cmds, uint32_t bytes, const uint32_t *handles, uint32_t n);

/* Create (and for HOST3D, have the host context allocate) a mappable blob. */
int guest_blob_create(struct case_ctx *c, uint64_t size, struct gpu_blob *b);
int host3d_blob_create(struct case_ctx *c, uint32_t size, uint32_t blob_id, struct gpu_blob *b);
/* The same with a host object of object_size bytes behind a blob the driver
 * is asked to make blob_size bytes long (they differ only on purpose). */
int host3d_blob_create_sized(struct case_ctx *c, uint32_t object_size, uint64_t blob_size, uint32_t blob_id,
			     struct gpu_blob *b);

/* Host-side copy of size bytes from src to dst, waited for. */
int host_copy(struct case_ctx *c, struct gpu_blob *dst, struct gpu_blob *src, uint32_t size);

/* The best mappable kind on this stack (HOST3D, else GUEST); NULL kind name
 * with *why set when there is none. */
const char *any_blob_create(struct case_ctx *c, uint32_t size, struct gpu_blob *b, int *err, const char **why);

#endif
