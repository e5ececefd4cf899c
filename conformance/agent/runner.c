/* The agent's runner, shared by the in-guest agents: runs each selected case
 * in its own child process and reports one JSON line per case on the result
 * port. A watchdog per case turns a hang into a TIMEOUT verdict; the runner
 * itself always finishes. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"

static volatile sig_atomic_t watchdog_fired;

static void on_alarm(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

enum verdict case_say(struct case_ctx *c, enum verdict v, const char *fmt, ...)
{
	size_t n = strlen(c->detail);
	if (n && n + 2 < sizeof(c->detail)) {
		strcat(c->detail, "; ");
		n += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->detail + n, sizeof(c->detail) - n, fmt, ap);
	va_end(ap);
	return v;
}

void case_event(const char *json_object) { report_line(json_object); }

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Child: runs one case, sends "verdict\ndetail" through the pipe. */
static void run_child(const struct case_def *def, int wfd, int scanout_wait_s)
{
	struct case_ctx c;
	memset(&c, 0, sizeof(c));
	c.scanout_wait_s = scanout_wait_s;
	enum verdict v;
	c.fd = gpu_open();
	/* VGB_AGENT_NO_DRM=1: run on a machine without virtio-gpu (the Vulkan
	 * agent's loops on a build host); cases see no DRM node and no params. */
	const char *no_drm = getenv("VGB_AGENT_NO_DRM");
	if (c.fd < 0 && no_drm && !strcmp(no_drm, "1")) {
		v = def->run(&c);
	} else if (c.fd < 0) {
		v = case_say(&c, ERROR, "cannot open a DRM node: %s", strerror(-c.fd));
	} else {
		gpu_params_read(c.fd, &c.params);
		v = def->run(&c);
	}
	char msg[sizeof(c.detail) + 8];
	int n = snprintf(msg, sizeof(msg), "%d\n%s", (int)v, c.detail);
	if (n > 0)
		(void)!write(wfd, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	_exit(0);
}

static void emit_case(const struct case_def *def, enum verdict v, double secs, const char *detail)
{
	char ids[512] = "", esc[2048] = "", line[4096];
	for (const char *const *id = def->ids; id && *id; id++) {
		size_t n = strlen(ids);
		snprintf(ids + n, sizeof(ids) - n, "%s\"%s\"", n ? "," : "", *id);
	}
	json_escape(esc, sizeof(esc), detail);
	snprintf(line, sizeof(line),
		 "{\"type\":\"case\",\"name\":\"%s\",\"verdict\":\"%s\",\"ids\":[%s],\"time_s\":%.3f,\"detail\":\"%s\"}",
		 def->name, verdict_name(v), ids, secs, esc);
	report_line(line);
}

/* Returns the verdict it reported. */
static enum verdict run_case(const struct case_def *def, int timeout_s, int scanout_wait_s)
{
	int p[2];
	double t0 = now_s();
	if (pipe(p) < 0) {
		emit_case(def, ERROR, 0, "pipe failed");
		return ERROR;
	}
	pid_t pid = fork();
	if (pid < 0) {
		emit_case(def, ERROR, 0, "fork failed");
		close(p[0]);
		close(p[1]);
		return ERROR;
	}
	if (pid == 0) {
		close(p[0]);
		alarm(0);
		signal(SIGALRM, SIG_DFL);
		run_child(def, p[1], scanout_wait_s);
	}
	close(p[1]);

	char buf[2048] = "";
	size_t got = 0;
	int status = 0, reaped = 0;
	watchdog_fired = 0;
	alarm((unsigned)timeout_s);
	/* Read until the child closes the pipe; the alarm interrupts a hang. */
	while (!watchdog_fired && got + 1 < sizeof(buf)) {
		ssize_t r = read(p[0], buf + got, sizeof(buf) - 1 - got);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		break;
	}
	buf[got] = '\0';
	while (!watchdog_fired) {
		pid_t w = waitpid(pid, &status, 0);
		if (w == pid) {
			reaped = 1;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
	}
	alarm(0);
	close(p[0]);
	double secs = now_s() - t0;

	if (watchdog_fired && !reaped) {
		/* A child blocked in the kernel (e.g. waiting for a host answer
		 * that never comes) may not die: report and move on without it. */
		kill(pid, SIGKILL);
		char d[128];
		snprintf(d, sizeof(d), "no result within %d s (child killed)", timeout_s);
		emit_case(def, TIMEOUT, secs, d);
		return TIMEOUT;
	}
	if (got == 0) {
		char d[128];
		if (WIFSIGNALED(status))
			snprintf(d, sizeof(d), "case process died of signal %d (%s)", WTERMSIG(status),
				 strsignal(WTERMSIG(status)));
		else
			snprintf(d, sizeof(d), "case process exited %d without a result", WEXITSTATUS(status));
		/* SIGBUS/SIGSEGV on a mapping the driver handed out is a failure of
		 * the pair, not of the agent. */
		enum verdict v = WIFSIGNALED(status) && (WTERMSIG(status) == SIGBUS || WTERMSIG(status) == SIGSEGV)
					 ? FAIL
					 : ERROR;
		emit_case(def, v, secs, d);
		return v;
	}
	char *nl = strchr(buf, '\n');
	int v = atoi(buf);
	if (v < PASS || v > TIMEOUT)
		v = ERROR;
	emit_case(def, (enum verdict)v, secs, nl ? nl + 1 : "");
	return (enum verdict)v;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--out PATH] [--cases GLOB[,GLOB...]] [--case-timeout S]\n"
			"                 [--scanout-wait S] [--list]\n", prog);
	exit(2);
}

static int selected(const char *name, const char *globs)
{
	if (!globs || !*globs)
		return 1;
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", globs);
	for (char *save = NULL, *g = strtok_r(tmp, ",", &save); g; g = strtok_r(NULL, ",", &save))
		if (fnmatch(g, name, 0) == 0)
			return 1;
	return 0;
}

int agent_main(int argc, char **argv, const struct case_def *const *case_groups, size_t ngroups)
{
	const char *out = NULL, *globs = NULL;
	int timeout_s = 20, scanout_wait_s = 0, list = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--cases") && i + 1 < argc)
			globs = argv[++i];
		else if (!strcmp(argv[i], "--case-timeout") && i + 1 < argc)
			timeout_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--scanout-wait") && i + 1 < argc)
			scanout_wait_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--list"))
			list = 1;
		else
			usage(argv[0]);
	}
	if (timeout_s <= 0)
		timeout_s = 20;
	if (out) {
		int fd = open(out, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], out, strerror(errno));
			return 99;
		}
		report_set_fd(fd);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: the alarm must interrupt read/waitpid */
	sigaction(SIGALRM, &sa, NULL);

	int total = 0;
	for (size_t g = 0; g < ngroups; g++)
		for (const struct case_def *d = case_groups[g]; d->name; d++)
			total += selected(d->name, globs);
	if (list) {
		for (size_t g = 0; g < ngroups; g++)
			for (const struct case_def *d = case_groups[g]; d->name; d++)
				if (selected(d->name, globs))
					printf("%s\n", d->name);
		return 0;
	}
	char line[256];
	snprintf(line, sizeof(line), "{\"type\":\"start\",\"agent_version\":\"%s\",\"cases\":%d}", AGENT_VERSION,
		 total);
	report_line(line);
	/* Two timeouts in a row mean the device stopped answering: every later
	 * case would wait out its watchdog too, so they are reported at once. */
	int timeouts = 0;
	for (size_t g = 0; g < ngroups; g++)
		for (const struct case_def *d = case_groups[g]; d->name; d++) {
			if (!selected(d->name, globs))
				continue;
			if (timeouts >= 2) {
				emit_case(d, ERROR, 0, "not run: the two cases before it timed out (the device stopped answering)");
				continue;
			}
			timeouts = run_case(d, timeout_s, scanout_wait_s) == TIMEOUT ? timeouts + 1 : 0;
		}
	report_line("{\"type\":\"end\"}");
	return 0;
}
