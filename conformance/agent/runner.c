/* The agent's runner, shared by the in-guest agents: runs each selected case
 * in its own child process and reports one JSON line per case on the result
 * port, with the case's step log when it did not pass; progress goes to
 * standard output (the console). A watchdog per case turns a hang into a
 * TIMEOUT verdict; the runner itself always finishes. A failing case can be
 * rerun (--rerun-failures N): one that then gets another verdict is FLAKY. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
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

/* The guest's wall clock: a reader with its own clock lines up the cases with
 * what the host logged meanwhile (case_start and case lines carry it as "t"). */
static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int map_info_known; /* --map-info */
static uint32_t map_info_reported;

/* The child's message: "verdict\ndetail" STEPS_SEP "steps". */
#define STEPS_SEP '\x1e'
#define STEPS_TEXT_MAX 6144

/* Child: runs one case, sends its verdict, detail and steps through the pipe. */
static void run_child(const struct case_def *def, int wfd, int scanout_wait_s)
{
	struct case_ctx c;
	memset(&c, 0, sizeof(c));
	c.scanout_wait_s = scanout_wait_s;
	c.map_info_known = map_info_known;
	c.map_info_reported = map_info_reported;
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
		/* The probe's requests are the same for every case: one line for them. */
		steps_clear();
		step("driver params: 3d %llu, resource_blob %llu, host_visible %llu, context_init %llu, capsets 0x%llx",
		     (unsigned long long)c.params.has_3d, (unsigned long long)c.params.resource_blob,
		     (unsigned long long)c.params.host_visible, (unsigned long long)c.params.context_init,
		     (unsigned long long)c.params.capsets_found);
		v = def->run(&c);
	}
	static char msg[sizeof(c.detail) + STEPS_TEXT_MAX + 16];
	int n = snprintf(msg, sizeof(msg), "%d\n%s%c", (int)v, c.detail, STEPS_SEP);
	if (n > 0 && (size_t)n < sizeof(msg))
		steps_text(msg + n, sizeof(msg) - (size_t)n);
	size_t len = strlen(msg);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(wfd, msg + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	_exit(0);
}

/* One attempt at a case: its verdict, time, detail and step log. */
struct attempt {
	enum verdict v;
	double secs;
	char detail[2048];
	char steps[STEPS_TEXT_MAX];
};

/* The case's result line. attempts lists every verdict when the case was
 * rerun; steps go with every verdict but PASS and NOT_SUPPORTED. */
static void emit_case(const struct case_def *def, enum verdict v, const struct attempt *a, const char *attempts)
{
	static char ids[512], esc[4096], line[14000];
	ids[0] = esc[0] = '\0';
	for (const char *const *id = def->ids; id && *id; id++) {
		size_t n = strlen(ids);
		snprintf(ids + n, sizeof(ids) - n, "%s\"%s\"", n ? "," : "", *id);
	}
	json_escape(esc, sizeof(esc), a->detail);
	int n = snprintf(line, sizeof(line),
			 "{\"type\":\"case\",\"name\":\"%s\",\"verdict\":\"%s\",\"ids\":[%s],\"time_s\":%.3f,\"t\":%.6f,"
			 "\"detail\":\"%s\"",
			 def->name, verdict_name(v), ids, a->secs, wall_s(), esc);
	if (n > 0 && (size_t)n + 256 < sizeof(line) && attempts && *attempts)
		snprintf(line + n, sizeof(line) - (size_t)n, ",\"attempts\":[%s]", attempts);
	if (v != PASS && v != NOT_SUPPORTED && a->steps[0] && strlen(line) + 64 < sizeof(line)) {
		strcat(line, ",\"steps\":\"");
		/* Escaped into what is left, so that the line always closes. */
		json_escape(line, sizeof(line) - 4, a->steps);
		strcat(line, "\"");
	}
	strcat(line, "}");
	report_line(line);
}

static void emit_case_simple(const struct case_def *def, enum verdict v, double secs, const char *detail)
{
	static struct attempt a;
	a.v = v;
	a.secs = secs;
	snprintf(a.detail, sizeof(a.detail), "%s", detail);
	a.steps[0] = '\0';
	emit_case(def, v, &a, NULL);
}

/* For a child that ended without a result: the shared step log says where it
 * was; its last step goes into the detail, the whole log with the verdict. */
static void note_last_step(struct attempt *a)
{
	const char *last = steps_last();
	size_t n = strlen(a->detail);
	if (last)
		snprintf(a->detail + n, sizeof(a->detail) - n, "; last step: %.200s", last);
	steps_text(a->steps, sizeof(a->steps));
}

/* Runs the case once in a child process; fills *a. */
static void run_attempt(const struct case_def *def, int timeout_s, int scanout_wait_s, struct attempt *a)
{
	int p[2];
	double t0 = now_s();
	a->steps[0] = '\0';
	a->secs = 0;
	if (pipe(p) < 0) {
		a->v = ERROR;
		snprintf(a->detail, sizeof(a->detail), "pipe failed");
		return;
	}
	steps_clear();
	pid_t pid = fork();
	if (pid < 0) {
		a->v = ERROR;
		snprintf(a->detail, sizeof(a->detail), "fork failed");
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		alarm(0);
		signal(SIGALRM, SIG_DFL);
		run_child(def, p[1], scanout_wait_s);
	}
	close(p[1]);

	static char buf[sizeof(a->detail) + STEPS_TEXT_MAX + 16];
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
	a->secs = now_s() - t0;

	if (watchdog_fired && !reaped) {
		/* A child blocked in the kernel (e.g. waiting for a host answer
		 * that never comes) may not die: report and move on without it. */
		kill(pid, SIGKILL);
		a->v = TIMEOUT;
		snprintf(a->detail, sizeof(a->detail), "no result within %d s (child killed)", timeout_s);
		note_last_step(a);
		return;
	}
	if (got == 0) {
		if (WIFSIGNALED(status))
			snprintf(a->detail, sizeof(a->detail), "case process died of signal %d (%s)", WTERMSIG(status),
				 strsignal(WTERMSIG(status)));
		else
			snprintf(a->detail, sizeof(a->detail), "case process exited %d without a result",
				 WEXITSTATUS(status));
		note_last_step(a);
		/* SIGBUS/SIGSEGV on a mapping the driver handed out is a failure of
		 * the pair, not of the agent. */
		a->v = WIFSIGNALED(status) && (WTERMSIG(status) == SIGBUS || WTERMSIG(status) == SIGSEGV) ? FAIL
													     : ERROR;
		return;
	}
	char *nl = strchr(buf, '\n');
	char *sep = strchr(buf, STEPS_SEP);
	if (sep) {
		*sep = '\0';
		snprintf(a->steps, sizeof(a->steps), "%s", sep + 1);
	}
	int v = atoi(buf);
	if (v < PASS || v > WARNING)
		v = ERROR;
	a->v = (enum verdict)v;
	snprintf(a->detail, sizeof(a->detail), "%s", nl ? nl + 1 : "");
}

static void progress(int index, int total, const struct case_def *def, enum verdict v, const struct attempt *a,
		     const char *attempts)
{
	printf("VGB-PROGRESS [%d/%d] %s: %s (%.1f s)%s%s%s %.160s\n", index, total, def->name, verdict_name(v), a->secs,
	       attempts && *attempts ? " attempts [" : "", attempts && *attempts ? attempts : "",
	       attempts && *attempts ? "]" : "", v == PASS ? "" : a->detail);
	fflush(stdout);
}

/*
 * Runs the case, and a failing one (FAIL, ERROR) up to rerun_failures more
 * times until another verdict comes: FLAKY then, with every verdict in
 * "attempts". A TIMEOUT is not rerun: its child may still hold the device.
 * Returns the verdict it reported.
 */
static enum verdict run_case(const struct case_def *def, int index, int total, int timeout_s, int scanout_wait_s,
			     int rerun_failures)
{
	static struct attempt first, again;
	char line[512], attempts[256] = "";
	snprintf(line, sizeof(line), "{\"type\":\"case_start\",\"name\":\"%s\",\"index\":%d,\"of\":%d,\"t\":%.6f}",
		 def->name, index, total, wall_s());
	report_line(line);
	run_attempt(def, timeout_s, scanout_wait_s, &first);
	enum verdict v = first.v;
	if ((first.v == FAIL || first.v == ERROR) && rerun_failures > 0) {
		snprintf(attempts, sizeof(attempts), "\"%s\"", verdict_name(first.v));
		for (int i = 0; i < rerun_failures; i++) {
			run_attempt(def, timeout_s, scanout_wait_s, &again);
			size_t n = strlen(attempts);
			snprintf(attempts + n, sizeof(attempts) - n, ",\"%s\"", verdict_name(again.v));
			if (again.v != first.v) {
				v = FLAKY;
				break;
			}
			if (again.v == TIMEOUT)
				break;
		}
	}
	emit_case(def, v, &first, attempts);
	progress(index, total, def, v, &first, attempts);
	return v;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--out PATH] [--cases GLOB[,GLOB...]] [--case-timeout S]\n"
			"                 [--scanout-wait S] [--map-info N] [--rerun-failures N] [--list] [--version]\n", prog);
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
	int timeout_s = 20, scanout_wait_s = 0, list = 0, rerun_failures = 0;
	steps_share();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--cases") && i + 1 < argc)
			globs = argv[++i];
		else if (!strcmp(argv[i], "--case-timeout") && i + 1 < argc)
			timeout_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--scanout-wait") && i + 1 < argc)
			scanout_wait_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--map-info") && i + 1 < argc)
			map_info_reported = (uint32_t)strtoul(argv[++i], NULL, 0), map_info_known = 1;
		else if (!strcmp(argv[i], "--rerun-failures") && i + 1 < argc)
			rerun_failures = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--list"))
			list = 1;
		else if (!strcmp(argv[i], "--version")) {
			printf("%s libdrm %s\n", AGENT_VERSION, AGENT_LIBDRM);
			return 0;
		}
		else
			usage(argv[0]);
	}
	if (timeout_s <= 0)
		timeout_s = 20;
	if (out) {
		/* Read too: the host confirms on the same port what an event asked of it. */
		int fd = open(out, O_RDWR | O_NOCTTY | O_CLOEXEC);
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
	char line[512];
	struct utsname u;
	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	snprintf(line, sizeof(line),
		 "{\"type\":\"start\",\"agent_version\":\"%s\",\"cases\":%d,\"kernel\":\"%s\",\"machine\":\"%s\","
		 "\"case_timeout_s\":%d,\"rerun_failures\":%d,\"libdrm\":\"%s\"}",
		 AGENT_VERSION, total, u.release, u.machine, timeout_s, rerun_failures, AGENT_LIBDRM);
	report_line(line);
	/* The selected cases by name: a reader knows what should come, and what did not. */
	static char names[8192];
	size_t nn = (size_t)snprintf(names, sizeof(names), "{\"type\":\"cases\",\"names\":[");
	for (size_t g = 0; g < ngroups; g++)
		for (const struct case_def *d = case_groups[g]; d->name; d++)
			if (selected(d->name, globs) && nn + strlen(d->name) + 8 < sizeof(names))
				nn += (size_t)snprintf(names + nn, sizeof(names) - nn, "%s\"%s\"",
						       names[nn - 1] == '[' ? "" : ",", d->name);
	snprintf(names + nn, sizeof(names) - nn, "]}");
	report_line(names);
	printf("VGB-PROGRESS %d cases, agent %s, kernel %s\n", total, AGENT_VERSION, u.release);
	fflush(stdout);
	/* Two timeouts in a row mean the device stopped answering: every later
	 * case would wait out its watchdog too, so they are reported at once. */
	int timeouts = 0, index = 0;
	for (size_t g = 0; g < ngroups; g++)
		for (const struct case_def *d = case_groups[g]; d->name; d++) {
			if (!selected(d->name, globs))
				continue;
			index++;
			if (timeouts >= 2) {
				emit_case_simple(d, ERROR, 0,
						 "not run: the two cases before it timed out (the device stopped answering)");
				continue;
			}
			timeouts = run_case(d, index, total, timeout_s, scanout_wait_s, rerun_failures) == TIMEOUT
					   ? timeouts + 1
					   : 0;
		}
	report_line("{\"type\":\"end\"}");
	return 0;
}
