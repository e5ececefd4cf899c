/* SPDX-License-Identifier: MIT */
/*
 * Front-end against vgb-test-backend in a separate process: real socketpair,
 * memfd guest RAM, eventfds; host-visible region map/unmap (an unmapped range
 * must fault), display channel, reset, and both sides going away.
 * Usage: test_frontend PATH-TO-vgb-test-backend
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "test_proto.h"
#include "vgb/frontend.h"
#include "vgb/vhost_user.h"
#include "vgb/vhost_user_gpu.h"
#include "vgb/virtq.h"
#include "vgb/wire.h"

#define PAGE 4096u
#define SHM_SIZE (1u << 20)

static const char *backend_path;

static struct vgb_fe *start(bool indirect, bool with_socket, const char *extra)
{
	char *argv[4] = { (char *)backend_path, (char *)(extra ? extra : "--shm-size=1048576"), NULL };
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = argv;
	o.spawn_with_socket = with_socket;
	o.indirect = indirect;
	o.timeout_ms = 3000;
	char err[512];
	struct vgb_fe *fe = vgb_fe_start(&o, err, sizeof(err));
	CHECK(fe != NULL, "start: %s", err);
	return fe;
}

/* Sends `req` (one page) and reads up to `cap` response bytes. Returns submit's result. */
static int cmd(struct vgb_fe *fe, const void *req, uint32_t len, void *resp, uint32_t cap,
	       uint32_t *used)
{
	uint64_t out = vgb_fe_alloc(fe, PAGE), in = vgb_fe_alloc(fe, PAGE);
	memcpy(vgb_fe_gpa_ptr(fe, out, len), req, len);
	struct vgb_sg o = { out, len }, i = { in, cap };
	uint32_t u = 0;
	int r = vgb_fe_submit(fe, 0, &o, 1, &i, 1, &u);
	if (!r)
		memcpy(resp, vgb_fe_gpa_ptr(fe, in, cap), u < cap ? u : cap);
	if (used)
		*used = u;
	vgb_fe_free(fe, out, PAGE);
	vgb_fe_free(fe, in, PAGE);
	return r;
}

static int32_t cmd_i32(struct vgb_fe *fe, const void *req, uint32_t len)
{
	int32_t v = -12345;
	uint32_t used = 0;
	int r = cmd(fe, req, len, &v, sizeof(v), &used);
	CHECK(r == 0 && used == 4, "command %u: submit %d used %u (%s)", *(const uint32_t *)req, r, used,
	      vgb_fe_error(fe));
	return v;
}

static void test_echo_scattered(struct vgb_fe *fe, const char *name)
{
	uint64_t pages[5];
	CHECK(vgb_fe_alloc_pages(fe, 5, true, pages) == 0, "%s: scattered pages", name);
	for (int k = 1; k < 5; k++)
		CHECK(pages[k] + PAGE != pages[k - 1] && pages[k - 1] + PAGE != pages[k],
		      "%s: pages %d and %d adjacent", name, k - 1, k);
	struct vgb_sg out[3], in[2];
	uint32_t code = TCMD_ECHO;
	for (int k = 0; k < 3; k++) {
		uint8_t *p = vgb_fe_gpa_ptr(fe, pages[k], PAGE);
		for (unsigned b = 0; b < PAGE; b++)
			p[b] = (uint8_t)(b * 7 + k);
		out[k] = (struct vgb_sg){ pages[k], k == 2 ? 100 : PAGE };
	}
	memcpy(vgb_fe_gpa_ptr(fe, pages[0], 4), &code, 4);
	/* The test device gathers at most 4096 bytes: the answer echoes the first page. */
	in[0] = (struct vgb_sg){ pages[3], 1000 };
	in[1] = (struct vgb_sg){ pages[4], PAGE };
	uint32_t used = 0;
	int r = vgb_fe_submit(fe, 0, out, 3, in, 2, &used);
	CHECK(r == 0 && used == PAGE, "%s: echo submit %d used %u (%s)", name, r, used, vgb_fe_error(fe));
	const uint8_t *a = vgb_fe_gpa_ptr(fe, pages[3], 1000), *b = vgb_fe_gpa_ptr(fe, pages[4], PAGE);
	const uint8_t *src = vgb_fe_gpa_ptr(fe, pages[0], PAGE);
	bool same = true;
	for (unsigned k = 4; k < PAGE; k++)
		same &= (k < 1000 ? a[k] : b[k - 1000]) == (uint8_t)~src[k];
	CHECK(same, "%s: echoed bytes differ", name);
	for (int k = 0; k < 5; k++)
		vgb_fe_free(fe, pages[k], PAGE);
}

struct map_req {
	uint32_t code;
	uint64_t off, len;
	uint32_t fill;
} __attribute__((packed));

struct unmap_req {
	uint32_t code;
	uint64_t off, len;
} __attribute__((packed));

static int32_t map(struct vgb_fe *fe, uint64_t off, uint64_t len, uint32_t fill)
{
	struct map_req m = { TCMD_MAP, off, len, fill };
	return cmd_i32(fe, &m, sizeof(m));
}

static int32_t unmap(struct vgb_fe *fe, uint64_t off, uint64_t len)
{
	struct unmap_req m = { TCMD_UNMAP, off, len };
	return cmd_i32(fe, &m, sizeof(m));
}

/* Touches addr in a child: returns the signal that ended it (0 = no fault). */
static int touch_in_child(volatile uint8_t *addr)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		(void)*addr;
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void test_shm(struct vgb_fe *fe)
{
	uint64_t size = 0;
	uint8_t *base = vgb_fe_shm(fe, 1, &size);
	CHECK(base && size == SHM_SIZE, "region 1 of %llu bytes", (unsigned long long)size);
	CHECK(vgb_fe_protocol_features(fe) & (1ull << VGB_VU_PROTOCOL_F_SHMEM), "SHMEM negotiated");
	if (!base)
		return;
	CHECK(touch_in_child(base + 0x10000) == SIGSEGV, "unmapped region faults before any map");
	CHECK(map(fe, 0x10000, 0x20000, 0x5a) == 0, "map");
	CHECK(vgb_fe_shm_mapped(fe, 1, 0x10000, 0x20000), "tracked as mapped");
	CHECK(!vgb_fe_shm_mapped(fe, 1, 0x8000, 0x10000), "partly outside is not mapped");
	CHECK(base[0x10000] == 0x5a && base[0x2ffff] == 0x5a, "mapped bytes visible");
	base[0x10000] = 0x11; /* writable mapping */
	CHECK(map(fe, 0x20000, 0x20000, 1) != 0, "overlapping map refused");
	CHECK(map(fe, SHM_SIZE - PAGE, 2 * PAGE, 1) != 0, "map past the end refused");
	CHECK(map(fe, 0x40000, 100, 1) != 0, "unaligned length refused");
	CHECK(map(fe, 0x40800, PAGE, 1) != 0, "unaligned offset refused");
	CHECK(base[0x10000] == 0x11, "refused maps left the live mapping intact");
	CHECK(unmap(fe, 0x10000, 0x10000) != 0, "partial unmap refused");
	CHECK(unmap(fe, 0x50000, PAGE) != 0, "unmap of nothing refused");
	CHECK(unmap(fe, 0x10000, 0x20000) == 0, "unmap");
	CHECK(!vgb_fe_shm_mapped(fe, 1, 0x10000, 0x20000), "no longer tracked");
	CHECK(touch_in_child(base + 0x10000) == SIGSEGV, "unmapped range faults after UNMAP");
	CHECK(touch_in_child(base + 0x2f000) == SIGSEGV, "end of the old mapping faults too");
	CHECK(map(fe, 0x10000, PAGE, 0x33) == 0 && base[0x10000] == 0x33, "map again after unmap");
	/* Reset drops every mapping. */
	int r = vgb_fe_reset_device(fe);
	CHECK(r == 0, "reset: %d %s", r, vgb_fe_error(fe));
	CHECK(!vgb_fe_shm_mapped(fe, 1, 0x10000, PAGE), "reset dropped the mapping");
	CHECK(touch_in_child(base + 0x10000) == SIGSEGV, "range faults after reset");
	uint32_t echo[2] = { TCMD_ECHO, 0x01020304 }, back[2];
	CHECK(cmd(fe, echo, 8, back, 8, NULL) == 0 && back[1] == ~0x01020304u, "queue works after reset");
}

static struct vgb_fe *start_with(const char *extra, bool headless, bool require_sealed)
{
	char *argv[4] = { (char *)backend_path, (char *)extra, NULL };
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = argv;
	o.timeout_ms = 3000;
	o.no_display_socket = headless;
	o.require_sealed_shmem = require_sealed;
	o.quiet = true;
	char err[512];
	struct vgb_fe *fe = vgb_fe_start(&o, err, sizeof(err));
	CHECK(fe != NULL, "start (%s): %s", extra, err);
	return fe;
}

static const struct vgb_fe_backend_msg *last_backend_msg(struct vgb_fe *fe)
{
	const struct vgb_fe_backend_msg *log;
	size_t n = vgb_fe_backend_log(fe, &log, NULL);
	return n ? &log[n - 1] : NULL;
}

struct shrink_req {
	uint32_t code;
	uint64_t off, len;
	uint32_t seal;
} __attribute__((packed));

/* A back-end that shrinks a mapped file: returns the map result, *shrunk the ftruncate result. */
static int32_t map_shrink(struct vgb_fe *fe, uint64_t off, uint32_t seal, int32_t *shrunk)
{
	struct shrink_req m = { TCMD_MAP_SHRINK, off, 2 * PAGE, seal };
	int32_t v[2] = { -12345, -12345 };
	uint32_t used = 0;
	int r = cmd(fe, &m, sizeof(m), v, sizeof(v), &used);
	CHECK(r == 0 && used == 8, "MAP_SHRINK: submit %d used %u", r, used);
	*shrunk = v[1];
	return v[0];
}

/* SHMEM_MAP files: sealed or sealable ones are pinned, others flagged or refused. */
static void test_shm_shrink(void)
{
	struct vgb_fe *fe = start_with("--shm-size=1048576", false, false);
	if (!fe)
		return;
	uint8_t *base = vgb_fe_shm(fe, 1, NULL);
	int32_t shrunk;
	CHECK(map_shrink(fe, 0, TSEAL_SEALED, &shrunk) == 0, "sealed file mapped");
	CHECK(shrunk == -EPERM, "sealed file could be shrunk (%d)", shrunk);
	CHECK(!last_backend_msg(fe)->fd_unsealed && base[PAGE] == 0x77, "sealed file stays readable");
	CHECK(map_shrink(fe, 0x10000, TSEAL_SEALABLE, &shrunk) == 0, "sealable file mapped");
	CHECK(shrunk == -EPERM, "the frontend did not seal a sealable file (shrink %d)", shrunk);
	CHECK(!last_backend_msg(fe)->fd_unsealed && base[0x11000] == 0x77, "sealable file stays readable");
	CHECK(map_shrink(fe, 0x20000, TSEAL_NEVER, &shrunk) == 0, "unsealable file mapped (warning only)");
	CHECK(last_backend_msg(fe)->fd_unsealed, "unsealable file not flagged in the log");
	CHECK(shrunk == 0 && touch_in_child(base + 0x20000) == SIGBUS,
	      "the hazard the flag warns of: a shrunk file gives SIGBUS");
	vgb_fe_stop(fe);

	fe = start_with("--shm-size=1048576", false, true);
	if (!fe)
		return;
	CHECK(map_shrink(fe, 0, TSEAL_NEVER, &shrunk) != 0, "require_sealed_shmem refuses an unsealable file");
	CHECK(!vgb_fe_shm_mapped(fe, 1, 0, PAGE), "refused map left nothing behind");
	CHECK(map_shrink(fe, 0, TSEAL_SEALABLE, &shrunk) == 0 && shrunk == -EPERM,
	      "require_sealed_shmem seals and maps a sealable file");
	vgb_fe_stop(fe);
}

/* The request log, the GET_SHMEM_CONFIG reply, refusing a map on purpose, stop/start. */
static void test_shm_log_refuse_stop(void)
{
	struct vgb_fe *fe = start_with("--shm-size=1048576", false, false);
	if (!fe)
		return;
	uint32_t nregions = 0;
	static uint64_t sizes[256];
	CHECK(vgb_fe_shmem_config(fe, &nregions, sizes) && nregions == 1 && sizes[1] == SHM_SIZE &&
		      sizes[0] == 0,
	      "GET_SHMEM_CONFIG reply kept: nregions %u size[1] %llu", nregions, (unsigned long long)sizes[1]);
	CHECK(map(fe, 0x10000, PAGE, 1) == 0 && unmap(fe, 0x10000, PAGE) == 0, "map + unmap");
	const struct vgb_fe_backend_msg *log;
	uint64_t total = 0;
	size_t n = vgb_fe_backend_log(fe, &log, &total);
	CHECK(n == 2 && total == 2, "log holds %zu of %llu", n, (unsigned long long)total);
	if (n == 2) {
		CHECK(log[0].request == VGB_VU_BACKEND_SHMEM_MAP && log[0].shmid == 1 &&
			      log[0].shm_offset == 0x10000 && log[0].len == PAGE && log[0].nfds == 1 &&
			      (log[0].flags & VGB_VU_FLAG_NEED_REPLY) && log[0].acked && log[0].result == 0,
		      "SHMEM_MAP logged as sent");
		CHECK(log[1].request == VGB_VU_BACKEND_SHMEM_UNMAP && log[1].shm_offset == 0x10000 &&
			      log[1].acked && log[1].result == 0,
		      "SHMEM_UNMAP logged");
	}
	vgb_fe_backend_log_clear(fe);
	CHECK(vgb_fe_backend_log(fe, NULL, &total) == 0 && total == 0, "log cleared");

	vgb_fe_refuse_shmem_maps(fe, 1);
	CHECK(map(fe, 0x10000, PAGE, 1) != 0, "refused SHMEM_MAP reported to the back-end");
	CHECK(!vgb_fe_shm_mapped(fe, 1, 0x10000, PAGE), "refused map placed nothing");
	CHECK(last_backend_msg(fe) && last_backend_msg(fe)->result != 0, "refusal logged");
	CHECK(map(fe, 0x10000, PAGE, 0x42) == 0, "only the next map is refused");

	int32_t stops_req = TCMD_STOPS;
	CHECK(cmd_i32(fe, &stops_req, 4) == 0, "not stopped yet");
	int r = vgb_fe_stop_device(fe);
	CHECK(r == 0, "stop_device: %d %s", r, vgb_fe_error(fe));
	CHECK(!vgb_fe_shm_mapped(fe, 1, 0x10000, PAGE), "stopping dropped the mapping");
	CHECK(touch_in_child(vgb_fe_shm(fe, 1, NULL) + 0x10000) == SIGSEGV, "range faults after stop");
	r = vgb_fe_start_device(fe);
	CHECK(r == 0, "start_device: %d %s", r, vgb_fe_error(fe));
	CHECK(cmd_i32(fe, &stops_req, 4) == 1, "the back-end saw one stop");
	CHECK(map(fe, 0x10000, PAGE, 0x43) == 0, "map again after restart");
	vgb_fe_stop(fe);
}

/* num_scanouts 0 from the back-end: filled by the frontend, with its display events. */
static void test_config_from_frontend(void)
{
	struct vgb_fe *fe = start_with("--zero-scanouts", true, false);
	if (!fe)
		return;
	struct virtio_gpu_config c;
	memset(&c, 0xee, sizeof(c));
	CHECK(vgb_fe_get_config(fe, &c, 16) == 16, "get_config: %s", vgb_fe_error(fe));
	CHECK(vgb_fe_config_from_frontend(fe), "frontend fills the config");
	CHECK(vgb_le32(c.num_scanouts) == 1 && c.events_read == 0 && c.events_clear == 0,
	      "num_scanouts %u events %u/%u", vgb_le32(c.num_scanouts), c.events_read, c.events_clear);
	CHECK(vgb_le32(c.num_capsets) == 0xafaeadac, "num_capsets passed through (0x%x)",
	      vgb_le32(c.num_capsets));
	vgb_fe_set_display(fe, 1, 800, 600, true);
	CHECK(vgb_fe_get_config(fe, &c, 16) == 16 && vgb_le32(c.num_scanouts) == 2 &&
		      vgb_le32(c.events_read) == VIRTIO_GPU_EVENT_DISPLAY,
	      "second output: num_scanouts %u events_read %u", vgb_le32(c.num_scanouts),
	      vgb_le32(c.events_read));
	uint32_t clear = vgb_to_le32(VIRTIO_GPU_EVENT_DISPLAY);
	CHECK(vgb_fe_set_config(fe, 8 - 4, &clear, 4) == 0, "events_clear: %s", vgb_fe_error(fe));
	CHECK(vgb_fe_get_config(fe, &c, 16) == 16 && c.events_read == 0, "events cleared");
	/* Headless: the back-end has no display channel, the queue still serves. */
	uint32_t disp[3] = { TCMD_DISPLAY, 4, 4 };
	CHECK(cmd_i32(fe, disp, sizeof(disp)) == -ENOTCONN, "no display channel when headless");
	uint32_t echo[2] = { TCMD_ECHO, 7 }, back[2];
	CHECK(cmd(fe, echo, 8, back, 8, NULL) == 0 && back[1] == ~7u, "queue serves headless");
	vgb_fe_stop(fe);
}

static void test_display(struct vgb_fe *fe)
{
	uint32_t d[3] = { TCMD_DISPLAY, 100, 50 };
	CHECK(cmd_i32(fe, d, sizeof(d)) == 0, "small display");
	const struct vgb_fe_scanout *s = vgb_fe_scanout(fe, 0);
	CHECK(s && s->width == 100 && s->height == 50 && s->pixels, "scanout 100x50");
	if (s && s->pixels)
		CHECK(s->pixels[49 * 100 + 99] == (49u << 16 | 99), "pixel (99,49)");
	uint32_t big[3] = { TCMD_DISPLAY, 1024, 700 }; /* 2.8 MiB: several bounded UPDATEs */
	uint64_t before = s ? s->updates : 0;
	CHECK(cmd_i32(fe, big, sizeof(big)) == 0, "big display");
	s = vgb_fe_scanout(fe, 0);
	CHECK(s->width == 1024 && s->height == 700, "scanout 1024x700");
	CHECK(s->updates - before >= 3, "big update split (%llu messages)",
	      (unsigned long long)(s->updates - before));
	bool ok = true;
	for (uint32_t y = 0; y < 700 && s->pixels; y += 37)
		for (uint32_t x = 0; x < 1024; x += 13)
			ok &= s->pixels[y * 1024 + x] == (y << 16 | x);
	CHECK(ok, "big display pixels");

	vgb_fe_set_display(fe, 0, 800, 600, true);
	uint32_t q = TCMD_DPYINFO;
	int32_t info[4] = { -1 };
	CHECK(cmd(fe, &q, 4, info, sizeof(info), NULL) == 0, "display info submit");
	CHECK(info[0] == 0 && info[1] == 800 && info[2] == 600 && info[3] == 1,
	      "display info %d %d %d %d", info[0], info[1], info[2], info[3]);
	q = TCMD_EDID;
	int32_t edid[2] = { -1 };
	CHECK(cmd(fe, &q, 4, edid, sizeof(edid), NULL) == 0 && edid[0] == 0 && edid[1] == 128,
	      "edid %d size %d", edid[0], edid[1]);
	q = TCMD_CURSOR;
	CHECK(cmd_i32(fe, &q, 4) == 0, "cursor");
}

/* Sends one raw display-channel message: header fields, then `len` payload bytes. */
static int32_t gpu_raw(struct vgb_fe *fe, uint32_t request, uint32_t size, const void *payload,
		       uint32_t len, bool with_fd)
{
	uint8_t buf[4096];
	uint32_t head[5] = { TCMD_GPU_RAW, with_fd, request, 0, size };
	memcpy(buf, head, sizeof(head));
	memcpy(buf + sizeof(head), payload, len);
	return cmd_i32(fe, buf, (uint32_t)sizeof(head) + len);
}

/* A back-end that breaks the display protocol: every bad message is dropped, the channel stays in step. */
/*
 * A front-end like QEMU answers SHMEM_MAP, then sends SET_MEM_TABLE and blocks
 * on its ack.  With a MAP and an UNMAP chain queued together, the back-end must
 * serve that SET_MEM_TABLE while it waits for the UNMAP ack.
 */
static void test_shm_with_blocking_mem_table(void)
{
	char *argv[] = { (char *)backend_path, "--shm-size=1048576", NULL };
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = argv;
	o.timeout_ms = 3000;
	o.mem_table_after_shmem = true;
	char err[512];
	struct vgb_fe *fe = vgb_fe_start(&o, err, sizeof(err));
	CHECK(fe, "start: %s", err);
	if (!fe)
		return;
	struct vgb_vq_drv *vq = vgb_fe_vq(fe, 0);
	struct map_req mr = { TCMD_MAP, 0x20000, 0x10000, 0x77 };
	struct unmap_req ur = { TCMD_UNMAP, 0x20000, 0x10000 };
	uint64_t req[2] = { vgb_fe_alloc(fe, PAGE), vgb_fe_alloc(fe, PAGE) };
	uint64_t resp[2] = { vgb_fe_alloc(fe, PAGE), vgb_fe_alloc(fe, PAGE) };
	memcpy(vgb_fe_gpa_ptr(fe, req[0], sizeof(mr)), &mr, sizeof(mr));
	memcpy(vgb_fe_gpa_ptr(fe, req[1], sizeof(ur)), &ur, sizeof(ur));
	int heads[2];
	for (int k = 0; k < 2; k++) {
		struct vgb_vq_buf out = { req[k], k ? (uint32_t)sizeof(ur) : (uint32_t)sizeof(mr) };
		struct vgb_vq_buf in = { resp[k], 4 };
		memset(vgb_fe_gpa_ptr(fe, resp[k], 4), 0xee, 4);
		heads[k] = vgb_vq_drv_add(vq, &out, 1, &in, 1);
	}
	vgb_fe_kick(fe, 0);
	unsigned done = 0;
	for (int round = 0; round < 40 && done < 2; round++) {
		CHECK(vgb_fe_poll(fe, 50) == 0, "poll: %s", vgb_fe_error(fe));
		uint16_t h;
		uint32_t len;
		while (vgb_vq_drv_get_used(vq, &h, &len) == 1)
			done++;
	}
	CHECK(done == 2 && heads[0] >= 0 && heads[1] >= 0, "both chains answered within 2 s (%u)", done);
	int32_t r0, r1;
	memcpy(&r0, vgb_fe_gpa_ptr(fe, resp[0], 4), 4);
	memcpy(&r1, vgb_fe_gpa_ptr(fe, resp[1], 4), 4);
	CHECK(r0 == 0 && r1 == 0, "map %d unmap %d", r0, r1);
	CHECK(!vgb_fe_shm_mapped(fe, 1, 0x20000, 0x10000), "unmapped at the end");
	vgb_fe_stop(fe);
}

static void test_display_rogue(struct vgb_fe *fe)
{
	uint32_t d[3] = { TCMD_DISPLAY, 64, 32 };
	CHECK(cmd_i32(fe, d, sizeof(d)) == 0, "display 64x32");
	const struct vgb_fe_scanout *s = vgb_fe_scanout(fe, 0);
	uint32_t before = s->pixels ? s->pixels[0] : 1;
	uint64_t updates = s->updates;
	uint8_t zeros[64] = { 0 };

	uint32_t short_scanout[2] = { 0, 10 };
	CHECK(gpu_raw(fe, VGB_VUG_SCANOUT, 8, short_scanout, 8, false) == 0, "short SCANOUT sent");
	uint32_t outside[5 + 10] = { 0, 60, 0, 10, 1 };
	CHECK(gpu_raw(fe, VGB_VUG_UPDATE, sizeof(outside), outside, sizeof(outside), false) == 0, "sent");
	uint32_t wrong_size[5 + 3] = { 0, 0, 0, 2, 2, 0xff, 0xff, 0xff };
	CHECK(gpu_raw(fe, VGB_VUG_UPDATE, sizeof(wrong_size), wrong_size, sizeof(wrong_size), false) == 0, "sent");
	CHECK(gpu_raw(fe, 99, 16, zeros, 16, false) == 0, "unknown request sent");
	CHECK(gpu_raw(fe, VGB_VUG_CURSOR_UPDATE, 40, zeros, 40, false) == 0, "short CURSOR_UPDATE sent");
	struct vgb_vug_dmabuf_scanout dm = { .scanout_id = 0, .width = 64, .height = 32 };
	CHECK(gpu_raw(fe, VGB_VUG_DMABUF_SCANOUT, sizeof(dm), &dm, sizeof(dm), true) == 0, "dmabuf sent");
	uint32_t big_scanout[3] = { 0, 20000, 10 };
	CHECK(gpu_raw(fe, VGB_VUG_SCANOUT, 12, big_scanout, 12, false) == 0, "huge SCANOUT sent");
	uint32_t bad_id[3] = { 40, 10, 10 };
	CHECK(gpu_raw(fe, VGB_VUG_SCANOUT, 12, bad_id, 12, false) == 0, "SCANOUT 40 sent");
	CHECK(gpu_raw(fe, VGB_VUG_SET_PROTOCOL_FEATURES, 4, zeros, 4, false) == 0, "short SET_PROTOCOL_FEATURES");

	s = vgb_fe_scanout(fe, 0);
	CHECK(s->width == 64 && s->height == 32 && s->updates == updates, "scanout untouched (%ux%u, %llu updates)",
	      s->width, s->height, (unsigned long long)(s->updates - updates));
	CHECK(s->pixels && s->pixels[0] == before && s->pixels[60] == 60, "pixels untouched");
	CHECK(!vgb_fe_scanout(fe, 40), "no scanout 40");

	/* Still in step: a valid one-pixel UPDATE lands. */
	uint32_t one[6] = { 0, 3, 2, 1, 1, 0xdeadbeef };
	CHECK(gpu_raw(fe, VGB_VUG_UPDATE, sizeof(one), one, sizeof(one), false) == 0, "valid update sent");
	CHECK(s->pixels && s->pixels[2 * 64 + 3] == 0xdeadbeef && s->updates == updates + 1, "valid update applied");

	/* A payload too large to skip safely ends the channel; the back-end then sees it closed. */
	CHECK(gpu_raw(fe, 99, 1u << 30, zeros, 0, false) == 0, "huge unknown message sent");
	int32_t r = cmd_i32(fe, d, sizeof(d));
	CHECK(r != 0, "display after the channel was closed fails: %d", r);
}

static void test_config(struct vgb_fe *fe)
{
	uint8_t c[20];
	memset(c, 0xee, sizeof(c));
	int n = vgb_fe_get_config(fe, c, 20);
	CHECK(n == 20, "get_config %d (%s)", n, vgb_fe_error(fe));
	CHECK(c[0] == 0xa0 && c[15] == 0xaf && c[16] == 0 && c[19] == 0, "config bytes");
	uint64_t f = vgb_fe_features(fe);
	CHECK((f & (1ull << VGB_F_VERSION_1)) && (f & (1ull << VIRTIO_GPU_F_EDID)), "features 0x%llx",
	      (unsigned long long)f);
	CHECK(!vgb_fe_config_from_frontend(fe), "a back-end reporting outputs keeps its config");
}

static void test_backend_dies(uint32_t code, uint32_t arg, const char *expect)
{
	struct vgb_fe *fe = start(true, false, NULL);
	if (!fe)
		return;
	uint32_t req[2] = { code, arg };
	int32_t v;
	int r = cmd(fe, req, sizeof(req), &v, 4, NULL);
	CHECK(r == -EPIPE, "backend gone: %d", r);
	CHECK(strstr(vgb_fe_error(fe), expect), "message '%s' lacks '%s'", vgb_fe_error(fe), expect);
	CHECK(vgb_fe_disconnected(fe), "disconnected");
	fprintf(stderr, "ok backend gone: %s\n", vgb_fe_error(fe));
	r = cmd(fe, req, sizeof(req), &v, 4, NULL);
	CHECK(r == -EPIPE, "later submissions fail too: %d", r);
	vgb_fe_stop(fe);
}

static void test_malformed_ring(void)
{
	struct vgb_fe *fe = start(true, false, NULL);
	if (!fe)
		return;
	struct vgb_vq_drv *vq = vgb_fe_vq(fe, 0);
	vgb_vq_drv_raw_desc(vq, 0, 0xfff00000000ull, 64, 0, 0); /* outside guest memory */
	vgb_vq_drv_raw_publish(vq, 0);
	vgb_fe_kick(fe, 0);
	int r = vgb_fe_poll(fe, 3000);
	CHECK(r == -EPIPE, "backend disconnects on a malformed ring: %d", r);
	CHECK(strstr(vgb_fe_error(fe), "exited with status 1"), "message '%s'", vgb_fe_error(fe));
	vgb_fe_stop(fe);
}

static void test_timeout(void)
{
	struct vgb_fe *fe = start(true, false, NULL);
	if (!fe)
		return;
	uint32_t req[2] = { TCMD_SLEEP, 1500 };
	int32_t v;
	/* The request's deadline is 3000 ms: a 1500 ms answer arrives in time... */
	CHECK(cmd(fe, req, sizeof(req), &v, 4, NULL) == 0, "slow answer within the deadline");
	/* ...a 4000 ms one does not. */
	req[1] = 4000;
	int r = cmd(fe, req, sizeof(req), &v, 4, NULL);
	CHECK(r == -ETIMEDOUT, "deadline: %d", r);
	vgb_fe_stop(fe);
}

/* The front-end process is killed: the back-end must notice and exit 0. */
static void test_frontend_killed(void)
{
	char sock[] = "/tmp/vgb-test-fe-XXXXXX";
	if (!mkdtemp(sock)) {
		CHECK(0, "mkdtemp");
		return;
	}
	char path[64], arg[96];
	snprintf(path, sizeof(path), "%s/s", sock);
	snprintf(arg, sizeof(arg), "--socket-path=%s", path);
	pid_t be = fork();
	if (be == 0) {
		execl(backend_path, backend_path, arg, (char *)NULL);
		_exit(127);
	}
	pid_t fe_pid = fork();
	if (fe_pid == 0) {
		struct vgb_fe_options o;
		vgb_fe_options_defaults(&o);
		o.socket_path = path;
		o.timeout_ms = 3000;
		struct vgb_fe *fe = NULL;
		char err[256];
		for (int tries = 0; tries < 100 && !fe; tries++) {
			fe = vgb_fe_start(&o, err, sizeof(err));
			if (!fe)
				usleep(20000);
		}
		if (!fe)
			_exit(3);
		uint32_t echo[2] = { TCMD_ECHO, 7 }, back[2];
		if (cmd(fe, echo, 8, back, 8, NULL) != 0 || back[1] != ~7u)
			_exit(4);
		raise(SIGKILL);
	}
	int st;
	waitpid(fe_pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "front-end child ran and was killed (status 0x%x)", st);
	int bst = -1;
	for (int k = 0; k < 300; k++) {
		if (waitpid(be, &bst, WNOHANG) == be)
			break;
		usleep(10000);
	}
	if (bst == -1) {
		kill(be, SIGKILL);
		waitpid(be, &bst, 0);
		CHECK(0, "backend did not exit after the front-end was killed");
	} else {
		CHECK(WIFEXITED(bst) && WEXITSTATUS(bst) == 0, "backend exit status 0x%x", bst);
	}
	unlink(path);
	rmdir(sock);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-vgb-test-backend\n", argv[0]);
		return 99;
	}
	backend_path = argv[1];

	struct vgb_fe *fe = start(true, false, NULL);
	if (fe) {
		test_config(fe);
		test_echo_scattered(fe, "indirect");
		test_display(fe);
		test_shm(fe);
		vgb_fe_stop(fe);
	}
	fe = start(true, false, NULL);
	if (fe) {
		test_display_rogue(fe);
		vgb_fe_stop(fe);
	}
	fe = start(false, true, NULL);
	if (fe) {
		CHECK(!(vgb_fe_features(fe) & (1ull << VGB_F_RING_INDIRECT_DESC)), "indirect not negotiated");
		test_echo_scattered(fe, "direct, --socket-path");
		vgb_fe_stop(fe);
	}
	fe = start(true, false, "-v");
	if (fe) {
		uint64_t size = 1;
		CHECK(vgb_fe_shm(fe, 1, &size) == NULL && size == 0, "no region without --shm-size");
		CHECK(!(vgb_fe_protocol_features(fe) & (1ull << VGB_VU_PROTOCOL_F_SHMEM)), "no SHMEM");
		/* The back-end ends the connection on GET_SHMEM_CONFIG without SHMEM: starting proves
		 * it was not sent, and the frontend recorded no reply (REQ-DEV-VU-0046). */
		CHECK(!vgb_fe_shmem_config(fe, NULL, NULL), "GET_SHMEM_CONFIG sent without SHMEM");
		vgb_fe_stop(fe);
	}
	test_shm_with_blocking_mem_table();
	test_shm_shrink();
	test_shm_log_refuse_stop();
	test_config_from_frontend();
	test_backend_dies(TCMD_DIE, SIGKILL, "killed by signal 9");
	test_backend_dies(TCMD_EXIT, 3, "exited with status 3");
	test_malformed_ring();
	test_timeout();
	test_frontend_killed();
	return check_result("test_frontend");
}
