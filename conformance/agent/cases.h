/* The pair cases: each runs in its own child process with its own DRM file
 * descriptor, so a crash or a hang in one case cannot take the others down. */
#ifndef VGB_AGENT_CASES_H
#define VGB_AGENT_CASES_H

#include <stdarg.h>
#include <stddef.h>

#include "gpu.h"
#include "report.h"

struct case_ctx {
	int fd;                 /* the DRM node, opened for this case */
	struct gpu_params params;
	char detail[1024];
	int scanout_wait_s;     /* how long a scanout case holds its picture */
};

/* Appends to the detail string (printf style); returns v for one-line exits. */
enum verdict case_say(struct case_ctx *c, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

typedef enum verdict (*case_fn)(struct case_ctx *c);

struct case_def {
	const char *name;
	case_fn run;
	const char *const *ids; /* NULL-terminated */
};

/* The shared runner: parses the agent's options, runs the selected cases of
 * the NULL-name-terminated groups, returns the exit status. */
int agent_main(int argc, char **argv, const struct case_def *const *groups, size_t ngroups);

/* Emits an extra JSON object (info, events) on the result stream. */
void case_event(const char *json_object);

#define CASE_IDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

extern const struct case_def params_cases[];
extern const struct case_def copy_cases[];
extern const struct case_def scanout_cases[];
extern const struct case_def blob_cases[];
extern const struct case_def lifecycle_cases[];
extern const struct case_def negative_cases[];
extern const struct case_def refctx_cases[];

/* GET_CAPS of the reference context (capset 30); 0 or -errno. */
struct vgb_refctx_caps;
int refctx_read_caps(struct case_ctx *c, struct vgb_refctx_caps *caps);

#endif
