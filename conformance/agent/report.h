/* Result lines the agent writes for the host runner: one JSON object per line,
 * each prefixed with AGENT_MARKER so the host can pick them out of any stream. */
#ifndef VGB_AGENT_REPORT_H
#define VGB_AGENT_REPORT_H

#include <stddef.h>

#define AGENT_MARKER "VGB-AGENT "
#define AGENT_VERSION "0.2"
/* The libdrm package the agent is linked with (build-agent.sh sets it). */
#ifndef AGENT_LIBDRM
#define AGENT_LIBDRM "unknown"
#endif

/* WARNING: a SHOULD not met.  FLAKY: a case that failed and then, rerun
 * (--rerun-failures), got another verdict; only the runner gives it. */
enum verdict { PASS, FAIL, NOT_SUPPORTED, ERROR, TIMEOUT, WARNING, FLAKY };

const char *verdict_name(enum verdict v);

/* Appends s to out (capacity cap) as a JSON string body, escaped. */
void json_escape(char *out, size_t cap, const char *s);

/* Writes one marked line made of an already-formatted JSON object. */
void report_line(const char *json_object);

/* Sets the file descriptor results go to (the second serial port). */
void report_set_fd(int fd);

/* Waits until the host writes `word` on the result port (it read an event and
 * did what it announced): 0, or -1 when timeout_s passed or the port ended. */
int report_wait(const char *word, int timeout_s);

#endif
