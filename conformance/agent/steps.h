/* The step log of the case being run: each request the case made of the
 * driver, with what came back, in order. It goes out with a failing verdict,
 * so that whoever reads the failure sees the way to it. Bounded: the last
 * STEPS_KEPT steps, and how many came before them. */
#ifndef VGB_AGENT_STEPS_H
#define VGB_AGENT_STEPS_H

#include <stddef.h>

#define STEPS_KEPT 48
#define STEP_LEN 160

/* Keeps the log in memory shared with children forked afterwards, so that the
 * parent can still read the steps of a case child it had to kill. */
void steps_share(void);
/* Appends one step (printf style). */
void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A step for a request that returns 0 or -errno: "what -> ok" or "what -> -EINVAL". */
int step_result(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The log as text, one step per line, oldest first. */
void steps_text(char *out, size_t cap);
void steps_clear(void);
/* The newest step, or NULL when there is none. */
const char *steps_last(void);
/* "EINVAL" for 22 (the errno's name), or the number. */
const char *errno_name(int err);

#endif
