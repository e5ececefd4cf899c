/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double h_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *h_host(int argc, char **argv)
{
	const char *p = argc > 1 ? argv[1] : getenv("VGB_HOST");
	if (!p || access(p, X_OK) != 0) {
		printf("SKIP: no device program (argv[1] or VGB_HOST)\n");
		exit(EXIT_SKIP);
	}
	return p;
}

struct vgb_drv *h_open_spawn(const char *argv0, const char *const *extra, struct vgb_drv_options *o)
{
	struct vgb_drv_options def;
	if (!o) {
		vgb_drv_options_defaults(&def);
		o = &def;
	}
	const char *args[32];
	unsigned n = 0;
	args[n++] = argv0;
	for (unsigned i = 0; extra && extra[i] && n < 31; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	o->fe.backend_argv = (char *const *)args;
	char err[512];
	struct vgb_drv *drv = vgb_drv_open(o, err, sizeof(err));
	o->fe.backend_argv = NULL;
	if (!drv) {
		fprintf(stderr, "cannot open the driver on %s: %s\n", argv0, err);
		exit(EXIT_HARD);
	}
	return drv;
}

void h_backend_start(struct h_backend *b, const char *argv0, const char *const *extra)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->dir, sizeof(b->dir), "/tmp/vgb-test-XXXXXX");
	if (!mkdtemp(b->dir)) {
		perror("mkdtemp");
		exit(EXIT_HARD);
	}
	snprintf(b->sock, sizeof(b->sock), "%s/sock", b->dir);
	char opt[160];
	snprintf(opt, sizeof(opt), "--socket-path=%s", b->sock);
	const char *args[32];
	unsigned n = 0;
	args[n++] = argv0;
	args[n++] = opt;
	for (unsigned i = 0; extra && extra[i] && n < 31; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	b->pid = fork();
	if (b->pid < 0) {
		perror("fork");
		exit(EXIT_HARD);
	}
	if (b->pid == 0) {
		execv(argv0, (char *const *)args);
		_exit(127);
	}
	double deadline = h_now_ms() + 10000;
	struct stat st;
	while (stat(b->sock, &st) != 0) {
		if (h_backend_wait(b, 0) == 0 || h_now_ms() > deadline) {
			fprintf(stderr, "backend %s did not listen on %s (%s)\n", argv0, b->sock,
				b->reaped ? h_status_text(b->status) : "timeout");
			h_backend_stop(b);
			exit(EXIT_HARD);
		}
		usleep(10000);
	}
}

struct vgb_drv *h_open_socket(struct h_backend *b, struct vgb_drv_options *o)
{
	struct vgb_drv_options def;
	if (!o) {
		vgb_drv_options_defaults(&def);
		o = &def;
	}
	o->fe.socket_path = b->sock;
	char err[512];
	struct vgb_drv *drv = vgb_drv_open(o, err, sizeof(err));
	if (!drv) {
		fprintf(stderr, "cannot open the driver on %s: %s\n", b->sock, err);
		h_backend_stop(b);
		exit(EXIT_HARD);
	}
	return drv;
}

int h_wait_pid(pid_t pid, int timeout_ms, int *status)
{
	double deadline = h_now_ms() + timeout_ms;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (h_now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(5000);
	}
}

int h_backend_wait(struct h_backend *b, int timeout_ms)
{
	if (b->reaped)
		return 0;
	int ret = h_wait_pid(b->pid, timeout_ms, &b->status);
	if (ret == 0)
		b->reaped = true;
	return ret;
}

void h_backend_stop(struct h_backend *b)
{
	if (b->pid > 0 && !b->reaped) {
		kill(b->pid, SIGKILL);
		h_backend_wait(b, 5000);
	}
	unlink(b->sock);
	rmdir(b->dir);
}

const char *h_status_text(int status)
{
	static char buf[48];
	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "status 0x%x", status);
	return buf;
}

bool h_faults(volatile void *p, bool write)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(EXIT_HARD);
	}
	if (pid == 0) {
		/* No core files, and no sanitizer report for the expected fault. */
		struct rlimit none = { 0, 0 };
		setrlimit(RLIMIT_CORE, &none);
		/*
		 * Default disposition through the raw system call: sanitizers keep
		 * their own SIGSEGV handler and ignore signal()/sigaction().
		 */
		struct {
			void (*handler)(int);
			unsigned long flags;
			void (*restorer)(void);
			uint64_t mask;
		} dfl = { SIG_DFL, 0, NULL, 0 };
		syscall(SYS_rt_sigaction, SIGSEGV, &dfl, NULL, sizeof(dfl.mask));
		syscall(SYS_rt_sigaction, SIGBUS, &dfl, NULL, sizeof(dfl.mask));
		volatile uint8_t *q = p;
		if (write)
			*q = 0x5a;
		else
			(void)*q;
		_exit(0);
	}
	int status = 0;
	if (h_wait_pid(pid, 10000, &status) != 0) {
		kill(pid, SIGKILL);
		h_wait_pid(pid, 5000, &status);
		return false;
	}
	return WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
}
