/* SPDX-License-Identifier: MIT */
/*
 * vgb-host as a program: backend-program conventions (--print-capabilities,
 * usage errors), device knobs seen through the front-end, an oversized
 * request, a malformed ring ending the process with status 1, and mappings
 * forgotten when the front-end stops or resets the device.
 * Usage: test_vgb_host PATH-TO-vgb-host
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "vgb/frontend.h"
#include "vgb/refctx.h"
#include "vgb/virtq.h"
#include "vgb/vhost_user.h"
#include "vgb/wire.h"

static const char *host;

static int run_status(const char *args, char *out, size_t cap)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", host, args);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	/* Read what did not fit too: a program that cannot finish writing dies of SIGPIPE. */
	char rest[1024];
	while (fread(rest, 1, sizeof(rest), p) > 0) {
	}
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_program_conventions(void)
{
	char out[4096];
	CHECK(run_status("--print-capabilities", out, sizeof(out)) == 0, "capabilities exit 0");
	CHECK(strstr(out, "\"type\": \"gpu\"") && strstr(out, "\"features\""), "capabilities JSON: %s", out);
	const char *bad[] = { "", "--fd=3 --socket-path=/tmp/x", "--fd=3 --map-cache=foo", "--fd=3 --size=0x5",
			      "--fd=3 --region-size=12Q", "--fd=3 --alignment=1000", "--fd=3 --scanouts=17",
			      "--fd=3 --no-blob --blob-alignment", "--fd=3 extra",
			      "--fd=3 --page-size=5000 --blob-alignment", "--fd=3 --page-size=65536",
			      "--fd=3 --page-size=65536 --alignment=16384 --blob-alignment" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = run_status(bad[i], out, sizeof(out));
		CHECK(st == 2, "'%s' exits %d (expected 2): %s", bad[i], st, out);
	}
	CHECK(run_status("--help", out, sizeof(out)) == 0 && strstr(out, "--socket-path"), "--help");
}

static struct vgb_fe *start_display(char **argv, bool display)
{
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = argv;
	o.no_display_socket = !display;
	o.timeout_ms = 5000;
	char err[512];
	struct vgb_fe *fe = vgb_fe_start(&o, err, sizeof(err));
	CHECK(fe, "start %s: %s", argv[1] ? argv[1] : "", err);
	return fe;
}

static struct vgb_fe *start(char **argv)
{
	return start_display(argv, true);
}

static int ctrl(struct vgb_fe *fe, const void *req, uint32_t len, void *resp, uint32_t cap, uint32_t *used)
{
	uint64_t out = vgb_fe_alloc(fe, len), in = vgb_fe_alloc(fe, cap);
	memcpy(vgb_fe_gpa_ptr(fe, out, len), req, len);
	struct vgb_sg o = { out, len }, i = { in, cap };
	int r = vgb_fe_submit(fe, 0, &o, 1, &i, 1, used);
	if (!r)
		memcpy(resp, vgb_fe_gpa_ptr(fe, in, cap), cap);
	vgb_fe_free(fe, out, len);
	vgb_fe_free(fe, in, cap);
	return r;
}

static void test_knobs(void)
{
	/* Headless: the modes are the device's own (with a display, the display's: test_display.c). */
	char *a[] = { (char *)host, "--no-blob", "--no-region", "--scanouts=2", "--size=640x480", NULL };
	struct vgb_fe *fe = start_display(a, false);
	if (fe) {
		CHECK(!(vgb_fe_device_features(fe) & (1ull << VIRTIO_GPU_F_RESOURCE_BLOB)), "no blob offered");
		CHECK(!vgb_fe_shm(fe, VIRTIO_GPU_SHM_ID_HOST_VISIBLE, NULL), "no region");
		struct vgb_gpu_config c;
		memset(&c, 0, sizeof(c));
		CHECK(vgb_fe_get_config(fe, &c, 16) == 16 && vgb_le32(c.num_scanouts) == 2, "2 scanouts");
		struct virtio_gpu_ctrl_hdr h = { .type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO) };
		struct virtio_gpu_resp_display_info info;
		uint32_t used = 0;
		CHECK(ctrl(fe, &h, sizeof(h), &info, sizeof(info), &used) == 0 && used == sizeof(info),
		      "display info: %s", vgb_fe_error(fe));
		CHECK(vgb_le32(info.pmodes[1].r.width) == 640 && vgb_le32(info.pmodes[1].r.height) == 480,
		      "scanout 1 is 640x480");
		/* Longer than any command, but the command fits in what the device reads: the
		 * rest is trailing bytes, ignored (REQ-DEV-CMD-0041). */
		static uint8_t huge[8u << 20];
		memcpy(huge, &h, sizeof(h));
		memset(&info, 0, sizeof(info));
		CHECK(ctrl(fe, huge, sizeof(huge), &info, sizeof(info), &used) == 0 && used == sizeof(info) &&
			      vgb_le32(info.hdr.type) == VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
		      "oversized request: used %u type 0x%x", used, vgb_le32(info.hdr.type));
		/* Longer than any command and the command does not fit (more entries than were
		 * sent): answered ERR_UNSPEC without being read. */
		struct virtio_gpu_resource_attach_backing ab;
		memset(&ab, 0, sizeof(ab));
		ab.hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
		ab.resource_id = vgb_to_le32(1);
		ab.nr_entries = vgb_to_le32(1u << 20);
		memset(huge, 0, sizeof(huge));
		memcpy(huge, &ab, sizeof(ab));
		struct virtio_gpu_ctrl_hdr r;
		CHECK(ctrl(fe, huge, sizeof(huge), &r, sizeof(r), &used) == 0 && used == sizeof(r) &&
			      vgb_le32(r.type) == VIRTIO_GPU_RESP_ERR_UNSPEC,
		      "oversized request: used %u type 0x%x", used, vgb_le32(r.type));
		vgb_fe_stop(fe);
	}

	char *b[] = { (char *)host, "--region-size=64M", "--alignment=65536", "--blob-alignment",
		      "--map-cache=wc", NULL };
	fe = start(b);
	if (fe) {
		uint64_t size = 0;
		CHECK(vgb_fe_shm(fe, VIRTIO_GPU_SHM_ID_HOST_VISIBLE, &size) && size == (64u << 20),
		      "64 MiB region (%llu)", (unsigned long long)size);
		CHECK(vgb_fe_features(fe) & (1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT), "blob alignment negotiated");
		struct vgb_gpu_config c;
		memset(&c, 0, sizeof(c));
		CHECK(vgb_fe_get_config(fe, &c, 20) == 20 && vgb_le32(c.blob_alignment) == 65536,
		      "blob_alignment %u", vgb_le32(c.blob_alignment));
		vgb_fe_stop(fe);
	}
}

/* A driver accepting a feature never offered: reported in validating mode, connection kept. */
static void test_validate(void)
{
	char path[] = "/tmp/vgb-validate-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	close(fd);
	char arg[64];
	snprintf(arg, sizeof(arg), "--validate=%s", path);
	char *a[] = { (char *)host, "--no-blob", "--no-virgl", arg, NULL };
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = a;
	o.force_features = 1ull << VIRTIO_GPU_F_RESOURCE_BLOB;
	char err[512];
	struct vgb_fe *fe = vgb_fe_start(&o, err, sizeof(err));
	CHECK(fe, "start: %s", err);
	if (fe) {
		struct virtio_gpu_ctrl_hdr h = { .type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO) };
		struct virtio_gpu_resp_display_info info;
		uint32_t used = 0;
		CHECK(ctrl(fe, &h, sizeof(h), &info, sizeof(info), &used) == 0, "device still serves");
		vgb_fe_stop(fe);
	}
	char buf[4096] = "";
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = 0;
	if (f)
		fclose(f);
	CHECK(strstr(buf, "{\"requirement\": \"REQ-DRV-FEAT-"), "violation JSON line: '%s'", buf);
	unlink(path);
}

static void test_malformed_ring(void)
{
	char *a[] = { (char *)host, NULL };
	struct vgb_fe *fe = start(a);
	if (!fe)
		return;
	struct vgb_vq_drv *vq = vgb_fe_vq(fe, 0);
	vgb_vq_drv_raw_publish(vq, vq->num + 5); /* head past the queue size */
	vgb_fe_kick(fe, 0);
	int r = vgb_fe_poll(fe, 5000);
	CHECK(r == -EPIPE && strstr(vgb_fe_error(fe), "exited with status 1"),
	      "malformed ring: %d %s", r, vgb_fe_error(fe));
	vgb_fe_stop(fe);
}

/* One fenceless control command; returns the response type (0 on a transport error). */
static uint32_t cmd(struct vgb_fe *fe, const void *req, uint32_t len, void *resp, uint32_t cap)
{
	uint32_t used = 0;
	if (ctrl(fe, req, len, resp, cap, &used) || used < sizeof(struct virtio_gpu_ctrl_hdr))
		return 0;
	struct virtio_gpu_ctrl_hdr h;
	memcpy(&h, resp, sizeof(h));
	return vgb_le32(h.type);
}

/* A mappable HOST3D blob `id` of one page from the reference context `ctx`. */
static bool host_blob(struct vgb_fe *fe, uint32_t ctx, uint32_t id)
{
	struct virtio_gpu_ctrl_hdr r;
	struct {
		struct virtio_gpu_cmd_submit s;
		struct vgb_refctx_alloc a;
	} sub;
	memset(&sub, 0, sizeof(sub));
	sub.s.hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_SUBMIT_3D);
	sub.s.hdr.ctx_id = vgb_to_le32(ctx);
	sub.s.size = vgb_to_le32(sizeof(sub.a));
	sub.a.hdr.op = vgb_to_le32(VGB_REFCTX_ALLOC);
	sub.a.hdr.length = vgb_to_le32(sizeof(sub.a));
	sub.a.blob_id = vgb_to_le64(id);
	sub.a.size = vgb_to_le64(4096);
	struct virtio_gpu_resource_create_blob cb;
	memset(&cb, 0, sizeof(cb));
	cb.hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB);
	cb.hdr.ctx_id = vgb_to_le32(ctx);
	cb.resource_id = vgb_to_le32(id);
	cb.blob_mem = vgb_to_le32(VIRTIO_GPU_BLOB_MEM_HOST3D);
	cb.blob_flags = vgb_to_le32(VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE);
	cb.blob_id = vgb_to_le64(id);
	cb.size = vgb_to_le64(4096);
	return cmd(fe, &sub, sizeof(sub), &r, sizeof(r)) == VIRTIO_GPU_RESP_OK_NODATA &&
	       cmd(fe, &cb, sizeof(cb), &r, sizeof(r)) == VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t ctx_create(struct vgb_fe *fe, uint32_t ctx)
{
	struct virtio_gpu_ctx_create c;
	memset(&c, 0, sizeof(c));
	c.hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_CTX_CREATE);
	c.hdr.ctx_id = vgb_to_le32(ctx);
	struct virtio_gpu_ctrl_hdr r;
	return cmd(fe, &c, sizeof(c), &r, sizeof(r));
}

static uint32_t map_blob(struct vgb_fe *fe, uint32_t id, uint64_t offset)
{
	struct virtio_gpu_resource_map_blob m;
	memset(&m, 0, sizeof(m));
	m.hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB);
	m.resource_id = vgb_to_le32(id);
	m.offset = vgb_to_le64(offset);
	struct virtio_gpu_resp_map_info r;
	return cmd(fe, &m, sizeof(m), &r, sizeof(r));
}

/* The verdict of one requirement in a --validate-frontend file, or "" when absent. */
static const char *frontend_verdict(const char *buf, const char *id)
{
	static char v[32];
	char key[96];
	snprintf(key, sizeof(key), "\"frontend_requirement\": \"%s\", \"verdict\": \"", id);
	const char *at = strstr(buf, key);
	v[0] = 0;
	if (at)
		sscanf(at + strlen(key), "%31[A-Z_]", v);
	return v;
}

/*
 * --validate-frontend: against this project's frontend every probe is refused
 * and mappings go with a stop; against one that acknowledges what it refuses
 * and keeps mappings across a stop, both are reported.
 */
enum fe_fault { HONEST, ACKS_REFUSALS, KEEPS_ON_STOP };

static void frontend_checked(enum fe_fault fault)
{
	char path[] = "/tmp/vgb-fcheck-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	close(fd);
	char arg[64];
	snprintf(arg, sizeof(arg), "--validate-frontend=%s", path);
	char *a[] = { (char *)host, arg, NULL };
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = a;
	o.quiet = true;
	o.ack_refused_shmem = fault == ACKS_REFUSALS;
	o.keep_shmem_on_stop = fault == KEEPS_ON_STOP;
	char err[512];
	struct vgb_fe *fe = vgb_fe_start(&o, err, sizeof(err));
	CHECK(fe, "start: %s", err);
	if (!fe)
		return;
	uint32_t ctx = 1, id = 10;
	CHECK(ctx_create(fe, ctx) == VIRTIO_GPU_RESP_OK_NODATA, "context");
	CHECK(host_blob(fe, ctx, id), "blob");
	CHECK(map_blob(fe, id, 0) == VIRTIO_GPU_RESP_OK_MAP_INFO, "map after the probes");
	/* Stopped with the blob mapped, started again: the range must be free for a new placement. */
	CHECK(vgb_fe_stop_device(fe) == 0 && vgb_fe_start_device(fe) == 0, "stop/start: %s", vgb_fe_error(fe));
	CHECK(host_blob(fe, ctx, id + 1), "blob after the restart");
	CHECK(map_blob(fe, id + 1, 1u << 20) == VIRTIO_GPU_RESP_OK_MAP_INFO, "map after the restart");
	vgb_fe_stop(fe);
	char buf[8192] = "";
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = 0;
	if (f)
		fclose(f);
	unlink(path);
	const char *want = fault == ACKS_REFUSALS ? "FAIL" : "PASS";
	CHECK(!strcmp(frontend_verdict(buf, "REQ-DEV-VU-0043"), want), "VU-0043 %s: %s", want, buf);
	CHECK(!strcmp(frontend_verdict(buf, "REQ-DEV-VU-0044"), want), "VU-0044 %s: %s", want, buf);
	static const char *const vu6[] = { "PASS", "NOT_SUPPORTED", "FAIL" };
	CHECK(!strcmp(frontend_verdict(buf, "REQ-DEV-VU-0045"), vu6[fault]), "VU-0045 %s: %s", vu6[fault], buf);
	CHECK(!strcmp(frontend_verdict(buf, "REQ-DEV-VU-0046"), "PASS"), "VU-0046: %s", buf);
	if (fault != ACKS_REFUSALS)
		CHECK(!strcmp(frontend_verdict(buf, "REQ-DEV-VU-0047"), "PASS"), "VU-0047: %s", buf);
}

/*
 * The front-end drops every mapping when it stops or resets the device; the
 * device must forget its mappings then (REQ-DEV-VU-0010), without sending
 * SHMEM_UNMAP, which a stopped device cannot (it used to log "removing the
 * mapping ... failed: Resource temporarily unavailable" on every reset).
 */
static void test_stop_and_reset_forget_mappings(void)
{
	char log_path[] = "/tmp/vgb-host-log-XXXXXX";
	int log_fd = mkstemp(log_path);
	CHECK(log_fd >= 0, "mkstemp");
	if (log_fd < 0)
		return;
	/* vgb-host inherits our stderr: send it to the log for the test's run. */
	fflush(stderr);
	int saved = dup(2);
	dup2(log_fd, 2);
	char *a[] = { (char *)host, NULL };
	struct vgb_fe *fe = start(a);
	const uint64_t g = 4096;
	uint32_t after_stop = 0, after_reset = 0, old_after_reset = 0;
	bool blobs = false, mapped = false, gone_after_stop = false, gone_after_reset = false;
	if (fe) {
		blobs = ctx_create(fe, 1) == VIRTIO_GPU_RESP_OK_NODATA && host_blob(fe, 1, 1);
		mapped = map_blob(fe, 1, g) == VIRTIO_GPU_RESP_OK_MAP_INFO &&
			 vgb_fe_shm_mapped(fe, VIRTIO_GPU_SHM_ID_HOST_VISIBLE, g, g);
		/* Stop and start: the front-end dropped the mapping, the blob maps again. */
		if (!vgb_fe_stop_device(fe) && !vgb_fe_start_device(fe)) {
			gone_after_stop = !vgb_fe_shm_mapped(fe, VIRTIO_GPU_SHM_ID_HOST_VISIBLE, g, g);
			after_stop = map_blob(fe, 1, g);
		}
		/* Reset: every resource gone, the region empty, its offsets free again. */
		if (!vgb_fe_reset_device(fe)) {
			gone_after_reset = !vgb_fe_shm_mapped(fe, VIRTIO_GPU_SHM_ID_HOST_VISIBLE, g, g);
			old_after_reset = map_blob(fe, 1, g);
			if (ctx_create(fe, 1) == VIRTIO_GPU_RESP_OK_NODATA && host_blob(fe, 1, 2))
				after_reset = map_blob(fe, 2, g);
		}
		vgb_fe_stop(fe);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char log[8192] = "";
	ssize_t n = pread(log_fd, log, sizeof(log) - 1, 0);
	log[n > 0 ? n : 0] = 0;
	close(log_fd);
	unlink(log_path);
	CHECK(blobs && mapped, "a mapped HOST3D blob before the stop");
	CHECK(gone_after_stop, "the front-end dropped the mapping on stop");
	CHECK(after_stop == VIRTIO_GPU_RESP_OK_MAP_INFO,
	      "after stop/start the device still thought the blob mapped: MAP_BLOB answered 0x%x",
	      after_stop);
	CHECK(gone_after_reset, "the front-end dropped the mapping on reset");
	CHECK(old_after_reset == VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
	      "a blob from before the reset answered 0x%x", old_after_reset);
	CHECK(after_reset == VIRTIO_GPU_RESP_OK_MAP_INFO, "MAP_BLOB after the reset answered 0x%x",
	      after_reset);
	CHECK(!strstr(log, "failed") && !strstr(log, "SHMEM_UNMAP"),
	      "vgb-host complained during stop/reset:\n%s", log);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-vgb-host\n", argv[0]);
		return 99;
	}
	host = argv[1];
	test_program_conventions();
	test_knobs();
	test_validate();
	test_malformed_ring();
	test_stop_and_reset_forget_mappings();
	frontend_checked(HONEST);
	frontend_checked(ACKS_REFUSALS);
	frontend_checked(KEEPS_ON_STOP);
	return check_result("test_vgb_host");
}
