/* SPDX-License-Identifier: MIT */
/*
 * Killing either side mid-run ends the other cleanly: the driver gets a clear
 * "backend gone" error within bounded time (no hang), and the device exits by
 * itself when the driver dies (no crash, no signal, no hang).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "path.h"

#define BOUND_MS 8000.0 /* a dead peer must be noticed well within this */

static void expect_backend_gone(struct vgb_drv *drv, int ret, double elapsed, const char *when)
{
	printf("%s: driver returned %d after %.0f ms: %s\n", when, ret, elapsed, vgb_drv_error(drv));
	CHECK_EQ(ret, -EPIPE);
	CHECK(elapsed < BOUND_MS);
	CHECK(vgb_fe_disconnected(vgb_drv_fe(drv)));
	CHECK(strstr(vgb_drv_error(drv), "backend gone") != NULL);
	/* Every later call fails fast the same way. */
	double t0 = h_now_ms();
	struct vgb_drv_display d[16];
	CHECK(vgb_drv_display_info(drv, d, 16) < 0);
	CHECK(h_now_ms() - t0 < BOUND_MS);
}

/* The backend dies between two commands. */
static void backend_killed_idle(const char *host)
{
	struct h_backend b;
	h_backend_start(&b, host, NULL);
	struct vgb_drv *drv = h_open_socket(&b, NULL);
	struct vgb_drv_display d[16];
	CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);
	kill(b.pid, SIGKILL);
	CHECK_EQ(h_backend_wait(&b, 5000), 0);
	double t0 = h_now_ms();
	int ret = vgb_drv_display_info(drv, d, 16);
	expect_backend_gone(drv, ret, h_now_ms() - t0, "backend killed between commands");
	vgb_drv_close(drv);
	h_backend_stop(&b);
}

/* The backend dies while the driver waits for a response. */
static void backend_killed_mid_command(const char *host)
{
	struct h_backend b;
	h_backend_start(&b, host, NULL);
	struct vgb_drv *drv = h_open_socket(&b, NULL);
	struct vgb_drv_display d[16];
	CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);
	kill(b.pid, SIGSTOP); /* the next command stays unanswered... */
	pid_t killer = fork();
	CHECK(killer >= 0);
	if (killer == 0) {
		usleep(300 * 1000);
		kill(b.pid, SIGKILL); /* ...until the backend dies under it */
		_exit(0);
	}
	double t0 = h_now_ms();
	int ret = vgb_drv_display_info(drv, d, 16);
	double elapsed = h_now_ms() - t0;
	int st;
	CHECK_EQ(h_wait_pid(killer, 5000, &st), 0);
	CHECK_EQ(h_backend_wait(&b, 5000), 0);
	expect_backend_gone(drv, ret, elapsed, "backend killed during a command");
	vgb_drv_close(drv);
	h_backend_stop(&b);
}

/*
 * The device noticed and left by itself: exit 0 (front-end gone between
 * messages) or 1 (front-end gone in the middle of an exchange, reported as
 * such).  A signal (crash, or a sanitizer abort under meson) is never clean.
 */
static bool exited_cleanly(int status)
{
	return WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1);
}

/* The only child of this process (the backend the frontend spawned), from /proc. */
static pid_t only_child(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	int pid = 0, more = 0;
	CHECK_EQ(fscanf(f, "%d %d", &pid, &more), 1);
	fclose(f);
	return (pid_t)pid;
}

/* The backend the frontend spawned (--fd) dies: same clear error, and its status is reported. */
static void spawned_backend_killed(const char *host)
{
	struct vgb_drv *drv = h_open_spawn(host, NULL, NULL);
	struct vgb_drv_display d[16];
	CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);
	pid_t pid = only_child();
	CHECK(pid > 0);
	kill(pid, SIGKILL);
	double t0 = h_now_ms();
	int ret = vgb_drv_display_info(drv, d, 16);
	expect_backend_gone(drv, ret, h_now_ms() - t0, "spawned backend killed");
	vgb_drv_close(drv);
}

/* A driver process that keeps the device busy until it is killed. */
static void busy_driver(struct h_backend *b, int ready_fd, bool map)
{
	struct vgb_drv *drv = h_open_socket(b, NULL);
	struct vgb_frame f;
	struct vgb_surface s;
	enum vgb_path p = map ? vgb_path_choose(drv) : VGB_PATH_COPY;
	if (vgb_frame_init(&f, 97, 31) || vgb_surface_create(drv, p, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 97, 31, &s))
		_exit(3);
	if (write(ready_fd, "r", 1) != 1)
		_exit(4);
	for (uint32_t i = 0;; i++) {
		vgb_frame_fill(&f, i);
		if (vgb_surface_upload(drv, &s, &f) || vgb_surface_show(drv, &s, 0))
			_exit(5);
	}
}

static void driver_killed(const char *host, bool map, unsigned delay_ms)
{
	struct h_backend b;
	h_backend_start(&b, host, NULL);
	int pfd[2];
	CHECK_EQ(pipe(pfd), 0);
	pid_t drv_pid = fork();
	CHECK(drv_pid >= 0);
	if (drv_pid == 0) {
		close(pfd[0]);
		busy_driver(&b, pfd[1], map);
	}
	close(pfd[1]);
	char c;
	CHECK_EQ(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	usleep(delay_ms * 1000);
	kill(drv_pid, SIGKILL);
	int st;
	CHECK_EQ(h_wait_pid(drv_pid, 5000, &st), 0);
	double t0 = h_now_ms();
	int ret = h_backend_wait(&b, (int)BOUND_MS);
	printf("driver (%s path) killed after %u ms: backend %s after %.0f ms\n", map ? "best" : "copy",
	       delay_ms, ret ? "still running" : h_status_text(b.status), h_now_ms() - t0);
	CHECK_EQ(ret, 0);
	CHECK(exited_cleanly(b.status));
	h_backend_stop(&b);
}

/*
 * vgb-guest spawned the device itself (--fd) and is killed after its first
 * path: the orphaned device, reparented to this test (a subreaper), must
 * notice and exit cleanly.  1 = checked, 0 = the run ended before the kill.
 */
static int program_killed(const char *guest, const char *host)
{
	int out[2];
	CHECK_EQ(pipe(out), 0);
	pid_t g = fork();
	CHECK(g >= 0);
	if (g == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execl(guest, guest, "--self-check", "--backend", host, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	char line[1024];
	FILE *f = fdopen(out[0], "r");
	CHECK(f != NULL);
	bool got = fgets(line, sizeof(line), f) != NULL;
	kill(g, SIGKILL);
	int st;
	CHECK_EQ(h_wait_pid(g, 5000, &st), 0);
	fclose(f);
	CHECK(got && strncmp(line, "path mapped:", 12) == 0);
	/* The backend of the path in progress (if any) is now our child. */
	double t0 = h_now_ms();
	pid_t orphan;
	int ost = 0;
	while ((orphan = waitpid(-1, &ost, WNOHANG)) == 0 && h_now_ms() - t0 < BOUND_MS)
		usleep(5000);
	if (orphan <= 0) {
		CHECK(orphan < 0); /* no child at all: the run had ended; a live one means a hang */
		return 0;
	}
	printf("vgb-guest killed: its device %s after %.0f ms\n", h_status_text(ost), h_now_ms() - t0);
	CHECK(exited_cleanly(ost));
	return 1;
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	if (argc > 2) {
		CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
		int checked = 0;
		for (int i = 0; i < 5 && !checked; i++)
			checked = program_killed(argv[2], host);
		CHECK(checked);
	}
	spawned_backend_killed(host);
	backend_killed_idle(host);
	backend_killed_mid_command(host);
	driver_killed(host, false, 50);
	driver_killed(host, true, 200);
	driver_killed(host, true, 0);
	return 0;
}
