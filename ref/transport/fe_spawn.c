/* SPDX-License-Identifier: MIT */
/* Starting, reaching and reaping the back-end process. */
#include "fe_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static char **build_argv(char *const *argv, const char *extra)
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **out = calloc(n + 2, sizeof(char *));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = argv[i];
	out[n] = (char *)extra;
	return out;
}

static pid_t fork_exec(struct vgb_fe *fe, char **argv, int keep_fd)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* Child: only async-signal-safe calls until exec. */
	if (keep_fd >= 0) {
		int fl = fcntl(keep_fd, F_GETFD);
		fcntl(keep_fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	if (fe->opt.quiet) {
		int nul = open("/dev/null", O_WRONLY);
		if (nul >= 0)
			dup2(nul, 2);
	}
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	static const char msg[] = "vgb frontend: cannot execute the backend\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
	}
	_exit(127);
}

static int spawn_fd(struct vgb_fe *fe)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return fe_fail(fe, -errno, "socketpair: %s", strerror(errno));
	char opt[32];
	snprintf(opt, sizeof(opt), "--fd=%d", sv[1]);
	char **argv = build_argv(fe->opt.backend_argv, opt);
	if (!argv) {
		close(sv[0]);
		close(sv[1]);
		return fe_fail(fe, -ENOMEM, "out of memory");
	}
	fe->pid = fork_exec(fe, argv, sv[1]);
	int e = errno;
	free(argv);
	close(sv[1]);
	if (fe->pid < 0) {
		fe->pid = 0;
		close(sv[0]);
		return fe_fail(fe, -e, "fork: %s", strerror(e));
	}
	fe->sock = sv[0];
	return 0;
}

static int spawn_socket(struct vgb_fe *fe)
{
	char dir[] = "/tmp/vgb-fe-XXXXXX";
	if (!mkdtemp(dir))
		return fe_fail(fe, -errno, "mkdtemp: %s", strerror(errno));
	char path[64], opt[96];
	snprintf(path, sizeof(path), "%s/sock", dir);
	snprintf(opt, sizeof(opt), "--socket-path=%s", path);
	char **argv = build_argv(fe->opt.backend_argv, opt);
	if (!argv) {
		rmdir(dir);
		return fe_fail(fe, -ENOMEM, "out of memory");
	}
	fe->pid = fork_exec(fe, argv, -1);
	free(argv);
	int r = fe->pid < 0 ? fe_fail(fe, -errno, "fork: %s", strerror(errno))
			    : fe_connect(fe, path, fe->opt.timeout_ms);
	if (fe->pid < 0)
		fe->pid = 0;
	unlink(path);
	rmdir(dir);
	return r;
}

int fe_spawn(struct vgb_fe *fe)
{
	return fe->opt.spawn_with_socket ? spawn_socket(fe) : spawn_fd(fe);
}

int fe_connect(struct vgb_fe *fe, const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return fe_fail(fe, -ENAMETOOLONG, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	int64_t deadline = vgb_deadline(timeout_ms);
	for (;;) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return fe_fail(fe, -errno, "socket: %s", strerror(errno));
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			fe->sock = s;
			return 0;
		}
		int e = errno;
		close(s);
		/* A spawned back-end may not be listening yet: retry until the deadline. */
		bool retry = (e == ENOENT || e == ECONNREFUSED) && vgb_ms_left(deadline) != 0;
		if (fe->pid > 0 && waitpid(fe->pid, NULL, WNOHANG) == fe->pid) {
			fe->pid = 0;
			return fe_fail(fe, -ECHILD, "backend exited before accepting a connection on %s", path);
		}
		if (!retry)
			return fe_fail(fe, -e, "connecting to %s: %s", path, strerror(e));
		poll(NULL, 0, 20);
	}
}

void fe_reap(struct vgb_fe *fe, int wait_ms)
{
	if (fe->pid <= 0)
		return;
	int64_t deadline = vgb_deadline(wait_ms);
	for (;;) {
		int st;
		pid_t r = waitpid(fe->pid, &st, WNOHANG);
		if (r == fe->pid || (r < 0 && errno == ECHILD)) {
			fe->wait_status = r == fe->pid ? st : -1;
			fe->pid = -1; /* reaped */
			return;
		}
		if (vgb_ms_left(deadline) == 0)
			return;
		poll(NULL, 0, 10);
	}
}

void fe_explain_exit(struct vgb_fe *fe, char *buf, size_t len)
{
	if (fe->pid > 0)
		fe_reap(fe, 2000);
	if (fe->pid == -1 && fe->wait_status >= 0) {
		if (WIFEXITED(fe->wait_status))
			snprintf(buf, len, "backend exited with status %d", WEXITSTATUS(fe->wait_status));
		else if (WIFSIGNALED(fe->wait_status))
			snprintf(buf, len, "backend killed by signal %d (%s)", WTERMSIG(fe->wait_status),
				 strsignal(WTERMSIG(fe->wait_status)));
		else
			snprintf(buf, len, "backend went away");
	} else if (fe->pid > 0) {
		snprintf(buf, len, "backend closed the connection but is still running");
	} else {
		snprintf(buf, len, "backend closed the connection");
	}
}
