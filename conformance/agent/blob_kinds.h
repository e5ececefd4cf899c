/* Creating the two kinds of mappable blob the cases use, with the reason a
 * stack cannot offer one spelled out for NOT_SUPPORTED verdicts. */
#ifndef VGB_AGENT_BLOB_KINDS_H
#define VGB_AGENT_BLOB_KINDS_H

#include "cases.h"

/* NULL when the stack can make the kind, else why not. */
const char *guest_blob_unsupported(const struct case_ctx *c);
const char *host3d_blob_unsupported(const struct case_ctx *c);

/* Create (and for HOST3D, have virgl allocate) a mappable blob: 0 or -errno. */
int guest_blob_create(struct case_ctx *c, uint64_t size, struct gpu_blob *b);
int host3d_blob_create(struct case_ctx *c, uint32_t size, uint32_t blob_id, struct gpu_blob *b);

/* The best mappable kind on this stack (HOST3D, else GUEST); NULL kind name
 * with *why set when there is none. */
const char *any_blob_create(struct case_ctx *c, uint32_t size, struct gpu_blob *b, int *err, const char **why);

#endif
