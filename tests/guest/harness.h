/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the driver's integration tests: start the reference device as a
 * separate process (spawned by the frontend, or listening on a socket so the
 * test knows its pid), open the driver on it, wait for processes with a
 * deadline, and probe whether an address faults.
 */
#ifndef VGB_TEST_HARNESS_H
#define VGB_TEST_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "check.h"
#include "vgb/driver.h"

/* The device binary: argv[1], else $VGB_HOST; exits 77 when neither names a program. */
const char *h_host(int argc, char **argv);

/* Open the driver on a backend spawned by the frontend: argv0 plus NULL-terminated extra args. */
struct vgb_drv *h_open_spawn(const char *argv0, const char *const *extra, struct vgb_drv_options *o);

/* A backend the test started itself, listening on a unix socket. */
struct h_backend {
	pid_t pid;
	char dir[64];
	char sock[128];
	bool reaped;
	int status;
};
/* Start argv0 --socket-path=SOCK extra...; waits (bounded) for the socket. Exits 99 on failure. */
void h_backend_start(struct h_backend *b, const char *argv0, const char *const *extra);
struct vgb_drv *h_open_socket(struct h_backend *b, struct vgb_drv_options *o);
/* Wait up to timeout_ms for the backend to exit: 0 (b->status set) or -ETIMEDOUT. */
int h_backend_wait(struct h_backend *b, int timeout_ms);
/* Kill (SIGKILL) and reap if still running; remove the socket directory. */
void h_backend_stop(struct h_backend *b);
/* Describe a wait status ("exit 0", "signal 11"). */
const char *h_status_text(int status);

/* Wait for any pid with a deadline: 0 and *status, or -ETIMEDOUT (the child is left running). */
int h_wait_pid(pid_t pid, int timeout_ms, int *status);

/* True when reading (or writing) *p kills a forked child with SIGSEGV or SIGBUS. */
bool h_faults(volatile void *p, bool write);

double h_now_ms(void);

#endif
