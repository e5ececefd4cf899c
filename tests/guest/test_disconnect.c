/* SPDX-License-Identifier: MIT */
/*
 * Killing either side at any point ends the other cleanly.  Every kill point
 * is an event, not a moment: the device dies at a chosen command
 * (vgb-host --hostile=die...), the driver process dies right after posting a
 * chosen request or after a counted number of rounds, or is killed once the
 * device has said that it holds the driver's request.
 *
 * The surviving driver gets a clear "backend gone" error within bounded time,
 * every later call fails fast the same way, and closing it leaves no file
 * descriptor and no mapping of the dead device behind.  The surviving device
 * exits by itself with status 0 or 1, never by a signal (in the sanitizer
 * build that includes LeakSanitizer's check at exit).
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "path.h"
#include "refctx_stream.h"
#include "vgb/virtq.h"

#define BOUND_MS 15000.0 /* a dead peer must be noticed well within this, even on a loaded machine */

/* --- What a process holds: file descriptors and memfd mappings --- */

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	CHECK(d != NULL);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

/* Mappings of memfds (guest RAM, placed blobs) in this process. */
static int memfd_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	CHECK(f != NULL);
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, "/memfd:") != NULL;
	if (f)
		fclose(f);
	return n;
}

struct held {
	int fds, maps;
};

static struct held held_now(void)
{
	return (struct held){ fd_count(), memfd_mappings() };
}

static void check_released(struct held before, const char *when)
{
	struct held after = held_now();
	if (after.fds != before.fds || after.maps != before.maps)
		printf("%s: %d fds and %d memfd mappings after closing, %d and %d before\n", when, after.fds,
		       after.maps, before.fds, before.maps);
	CHECK_EQ(after.fds, before.fds);
	CHECK_EQ(after.maps, before.maps);
}

/* --- The device dies; the driver survives --- */

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
	CHECK_EQ(vgb_drv_display_info(drv, d, 16), -EPIPE);
	CHECK(h_now_ms() - t0 < 1000);
}

/* The backend dies between two commands. */
static void backend_killed_idle(const char *host)
{
	struct held before = held_now();
	struct h_backend b;
	h_backend_start(&b, host, NULL);
	struct vgb_drv *drv = h_open_socket(&b, NULL);
	struct vgb_drv_display d[16];
	CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);
	kill(b.pid, SIGKILL);
	CHECK_EQ(h_backend_wait(&b, (int)BOUND_MS), 0);
	double t0 = h_now_ms();
	int ret = vgb_drv_display_info(drv, d, 16);
	expect_backend_gone(drv, ret, h_now_ms() - t0, "backend killed between commands");
	vgb_drv_close(drv);
	h_backend_stop(&b);
	check_released(before, "backend killed between commands");
}

/* A mappable blob of the reference context, ready to map. */
static uint32_t mappable_blob(struct vgb_drv *drv)
{
	uint32_t ctx = 0;
	CHECK_EQ(vgb_drv_refctx(drv, &ctx, NULL), 0);
	uint64_t size = 2 * vgb_drv_caps(drv)->map_granularity, blob_id = vgb_drv_new_blob_id(drv);
	struct vgb_rcs rcs;
	vgb_rcs_init(&rcs);
	vgb_rcs_alloc(&rcs, blob_id, size);
	uint32_t len = 0;
	const void *data = vgb_rcs_data(&rcs, &len);
	CHECK(data != NULL);
	CHECK_EQ(vgb_drv_submit_3d(drv, ctx, data, len), 0);
	vgb_rcs_fini(&rcs);
	uint32_t id = vgb_drv_new_resource_id(drv);
	struct vgb_drv_blob_desc d = { .blob_mem = VIRTIO_GPU_BLOB_MEM_HOST3D,
				       .blob_flags = VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE,
				       .ctx_id = ctx, .blob_id = blob_id, .size = size };
	CHECK_EQ(vgb_drv_create_blob(drv, id, &d), 0);
	return id;
}

enum dies_at { AT_COMMAND, AT_MAP, AT_MAPPED };

/* The device kills itself at a chosen point (--hostile=die...) while the driver waits on it. */
static void backend_dies(const char *host, enum dies_at at)
{
	static const char *const rules[] = { "--hostile=die@GET_DISPLAY_INFO#2", "--hostile=die@RESOURCE_MAP_BLOB",
					     "--hostile=die-mapped" };
	static const char *const names[] = { "backend dies during a command", "backend dies taking MAP_BLOB",
					     "backend dies with the blob placed" };
	struct held before = held_now();
	struct h_backend b;
	const char *extra[] = { rules[at], NULL };
	h_backend_start(&b, host, extra);
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	o.fe.quiet = true;
	struct vgb_drv *drv = h_open_socket(&b, &o);
	struct vgb_drv_display d[16];
	int ret;
	double t0;
	if (at == AT_COMMAND) {
		CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);
		t0 = h_now_ms();
		ret = vgb_drv_display_info(drv, d, 16);
	} else {
		uint32_t id = mappable_blob(drv);
		struct vgb_drv_mapping m;
		t0 = h_now_ms();
		ret = vgb_drv_map(drv, id, &m);
	}
	expect_backend_gone(drv, ret, h_now_ms() - t0, names[at]);
	CHECK_EQ(h_backend_wait(&b, (int)BOUND_MS), 0);
	CHECK(WIFSIGNALED(b.status)); /* it died, as asked */
	vgb_drv_close(drv);
	h_backend_stop(&b);
	check_released(before, names[at]);
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
	struct held before = held_now();
	struct vgb_drv *drv = h_open_spawn(host, NULL, NULL);
	struct vgb_drv_display d[16];
	CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);
	pid_t pid = only_child();
	CHECK(pid > 0);
	kill(pid, SIGKILL);
	double t0 = h_now_ms();
	int ret = vgb_drv_display_info(drv, d, 16);
	CHECK(strstr(vgb_drv_error(drv), "signal 9") != NULL); /* the frontend reaped it and says how it ended */
	expect_backend_gone(drv, ret, h_now_ms() - t0, "spawned backend killed");
	vgb_drv_close(drv);
	check_released(before, "spawned backend killed");
}

/* --- The driver dies; the device survives --- */

/*
 * The device noticed and left by itself: exit 0 (front-end gone between
 * messages) or 1 (front-end gone in the middle of an exchange, reported as
 * such).  A signal (crash, or a sanitizer abort under meson) is never clean.
 */
static bool exited_cleanly(int status)
{
	return WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1);
}

static void expect_device_left(struct h_backend *b, const char *when)
{
	double t0 = h_now_ms();
	int ret = h_backend_wait(b, (int)BOUND_MS);
	printf("%s: backend %s after %.0f ms\n", when, ret ? "still running" : h_status_text(b->status),
	       h_now_ms() - t0);
	CHECK_EQ(ret, 0);
	CHECK(exited_cleanly(b->status));
	h_backend_stop(b);
}

/* A driver process that keeps the device busy, reporting each finished round on fd. */
static void busy_driver(struct h_backend *b, int report_fd, bool map)
{
	struct vgb_drv *drv = h_open_socket(b, NULL);
	struct vgb_frame f;
	struct vgb_surface s;
	enum vgb_path p = map ? vgb_path_choose(drv) : VGB_PATH_COPY;
	if (vgb_frame_init(&f, 97, 31) || vgb_surface_create(drv, p, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 97, 31, &s))
		_exit(3);
	for (uint32_t i = 0;; i++) {
		if (write(report_fd, "r", 1) != 1)
			_exit(4);
		vgb_frame_fill(&f, i);
		if (vgb_surface_upload(drv, &s, &f) || vgb_surface_show(drv, &s, 0))
			_exit(5);
	}
}

/* Killed once it has reported `rounds` rounds: after set-up (0), or between uploads. */
static void driver_killed(const char *host, bool map, unsigned rounds)
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
	for (unsigned i = 0; i <= rounds; i++)
		CHECK_EQ(read(pfd[0], &c, 1), 1);
	kill(drv_pid, SIGKILL);
	close(pfd[0]);
	int st;
	CHECK_EQ(h_wait_pid(drv_pid, (int)BOUND_MS, &st), 0);
	char when[96];
	snprintf(when, sizeof(when), "driver (%s path) killed after %u rounds", map ? "best" : "copy", rounds);
	expect_device_left(&b, when);
}

enum posted { POST_DISPLAY_INFO, POST_MAP };

/*
 * The driver posts one request on the control queue and dies at once, with
 * the request in flight: the device takes it from a queue nobody serves any
 * more (for MAP_BLOB it also asks a dead frontend to place the blob).
 */
static void driver_dies_posting(const char *host, enum posted what, const char *const *extra, const char *when)
{
	struct h_backend b;
	h_backend_start(&b, host, extra);
	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct vgb_drv_options o;
		vgb_drv_options_defaults(&o);
		o.fe.quiet = true;
		struct vgb_drv *drv = h_open_socket(&b, &o);
		struct vgb_fe *fe = vgb_drv_fe(drv);
		uint64_t req = vgb_fe_alloc(fe, 4096), resp = vgb_fe_alloc(fe, 4096);
		if (!req || !resp)
			_exit(3);
		size_t len;
		if (what == POST_MAP) {
			uint32_t id = mappable_blob(drv);
			struct virtio_gpu_resource_map_blob m;
			memset(&m, 0, sizeof(m));
			m.hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB);
			m.resource_id = vgb_to_le32(id);
			memcpy(vgb_fe_gpa_ptr(fe, req, sizeof(m)), &m, sizeof(m));
			len = sizeof(m);
		} else {
			struct virtio_gpu_ctrl_hdr h;
			memset(&h, 0, sizeof(h));
			h.type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
			memcpy(vgb_fe_gpa_ptr(fe, req, sizeof(h)), &h, sizeof(h));
			len = sizeof(h);
		}
		struct vgb_vq_buf out = { req, (uint32_t)len }, in = { resp, 4096 };
		if (vgb_vq_drv_add(vgb_fe_vq(fe, VGB_CONTROLQ), &out, 1, &in, 1) < 0 ||
		    vgb_fe_kick(fe, VGB_CONTROLQ))
			_exit(4);
		raise(SIGKILL);
	}
	int st;
	CHECK_EQ(h_wait_pid(child, (int)BOUND_MS, &st), 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	expect_device_left(&b, when);
}

/* Reads lines of fd until one holds `want` (true) or the fd ends (false); bounded. */
static bool wait_line(int fd, const char *want)
{
	char buf[4096];
	size_t have = 0;
	double deadline = h_now_ms() + 120000;
	while (h_now_ms() < deadline) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 1000) <= 0)
			continue;
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return false;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, want))
			return true;
		char *nl = strrchr(buf, '\n');
		if (nl) { /* keep only the unfinished line */
			have = strlen(nl + 1);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1)
			have = 0;
	}
	return false;
}

/*
 * vgb-guest spawned the device itself (--fd) and is killed while the device
 * holds its request: the device keeps the first SET_SCANOUT_BLOB
 * (--hostile=stall...) and says so on stderr, which is the moment; vgb-guest
 * waits for it far longer than the test (--timeout).  The orphaned device,
 * reparented to this test (a subreaper), must notice and exit cleanly.
 */
static void program_killed(const char *guest, const char *host)
{
	int err[2];
	CHECK_EQ(pipe(err), 0);
	pid_t g = fork();
	CHECK(g >= 0);
	if (g == 0) {
		int nul = open("/dev/null", O_WRONLY);
		dup2(nul, 1);
		dup2(err[1], 2);
		close(err[0]);
		close(err[1]);
		execl(guest, guest, "--self-check", "--path", "mapped", "--timeout", "600000", "--backend", host,
		      "--hostile=stall@SET_SCANOUT_BLOB#1", (char *)NULL);
		_exit(127);
	}
	close(err[1]);
	bool held = wait_line(err[0], "hostile: stall");
	CHECK(held);
	kill(g, SIGKILL);
	int st;
	CHECK_EQ(h_wait_pid(g, (int)BOUND_MS, &st), 0);
	close(err[0]);
	/* The device of the path in progress is now our child, and the only one. */
	double t0 = h_now_ms();
	pid_t orphan;
	int ost = 0;
	while ((orphan = waitpid(-1, &ost, WNOHANG)) == 0 && h_now_ms() - t0 < BOUND_MS) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	printf("vgb-guest killed while its device held a request: the device %s after %.0f ms\n",
	       orphan > 0 ? h_status_text(ost) : "did not end", h_now_ms() - t0);
	CHECK(orphan > 0);
	CHECK(exited_cleanly(ost));
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	if (argc > 2) {
		CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
		program_killed(argv[2], host);
	}
	spawned_backend_killed(host);
	backend_killed_idle(host);
	backend_dies(host, AT_COMMAND);
	backend_dies(host, AT_MAP);
	backend_dies(host, AT_MAPPED);
	driver_killed(host, false, 0);
	driver_killed(host, false, 3);
	driver_killed(host, true, 0);
	driver_killed(host, true, 1);
	driver_dies_posting(host, POST_DISPLAY_INFO, NULL, "driver dies with GET_DISPLAY_INFO posted");
	driver_dies_posting(host, POST_MAP, NULL, "driver dies with MAP_BLOB posted");
	static const char *const stall[] = { "--hostile=stall", NULL };
	driver_dies_posting(host, POST_DISPLAY_INFO, stall, "driver dies with a request the device keeps");
	return 0;
}
