// SPDX-License-Identifier: MIT
/*
 * vgb-guest-upload: frame uploads measured inside a Linux guest, through the
 * stock virtio-gpu driver, on every path the device offers:
 *
 *   dumb-dirtyfb   a dumb buffer shown on the CRTC; the guest writes the frame
 *                  and calls DIRTYFB (the driver sends TRANSFER_TO_HOST_2D and
 *                  RESOURCE_FLUSH).  On a 3D device a fenced no-op in the
 *                  reference context then waits until the host has answered
 *                  both; on a 2D device nothing in the driver's API waits for
 *                  the host, so the figure is the rate at which the guest could
 *                  submit (the run says so: the time is until DIRTYFB returned).
 *   copy-transfer  a 2D texture with guest backing: write, TRANSFER_TO_HOST,
 *                  wait for its fence (the iovec copy, completion included);
 *                  on a DRM file of its own (Linux refuses these transfers on
 *                  a file whose context was initialised with a capset).
 *   guest-blob     a GUEST blob: write through its mapping, then a fenced no-op
 *                  of the reference context, waited for (Linux refuses
 *                  TRANSFER_TO_HOST on guest blobs: the host reads the pages
 *                  in place, so no command is needed before it may).
 *   host3d-mapped  a HOST3D blob of the reference context mapped into the
 *                  host-visible region: write through the mapping,
 *                  TRANSFER_TO_HOST (a flush), wait.  Also the write rate alone
 *                  and the memory type the guest's mapping got (PAT list).
 *
 * Every run writes the whole frame (a memcpy from the application's copy);
 * the median of RUNS runs is reported after one warm-up run.  Blob paths are
 * checked afterwards with the reference context's CHECKSUM where the device
 * has it: a figure stands only for bytes the host provably saw.
 * Results are lines "VGB-UPLOAD {json}" on --out (default stdout).
 *   vgb-guest-upload [--out PATH] [--runs N] [--frames WxH,...]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm_mode.h>

#include "../../conformance/agent/gpu.h"
#include "vgb/refctx.h"

#define PIPE_TEXTURE_2D 2u
#define FORMAT_B8G8R8A8 1u
#define BIND_RENDER_TARGET (1u << 1)
#define MAX_RUNS 64

static FILE *out;
static unsigned runs = 9;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One result line; extra is a JSON fragment (may be ""). */
static void report(const char *path, uint32_t w, uint32_t h, double *upload, double *write, const char *extra)
{
	uint64_t bytes = (uint64_t)w * h * 4;
	double mu = median(upload, runs), mw = write ? median(write, runs) : 0;
	fprintf(out,
		"VGB-UPLOAD {\"path\": \"%s\", \"frame\": \"%ux%u\", \"bytes\": %" PRIu64 ", \"runs\": %u, "
		"\"upload_ms\": %.4f, \"upload_min_ms\": %.4f, \"upload_gbps\": %.3f",
		path, w, h, bytes, runs, mu * 1e3, upload[0] * 1e3, (double)bytes / mu / 1e9);
	if (write)
		fprintf(out, ", \"write_ms\": %.4f, \"write_gbps\": %.3f", mw * 1e3, (double)bytes / mw / 1e9);
	fprintf(out, "%s%s}\n", *extra ? ", " : "", extra);
	fflush(out);
}

static void skip(const char *path, uint32_t w, uint32_t h, const char *why)
{
	fprintf(out, "VGB-UPLOAD {\"path\": \"%s\", \"frame\": \"%ux%u\", \"skipped\": \"%s\"}\n", path, w, h, why);
	fflush(out);
}

/* --- the reference context: a fenced no-op and the host's checksum ------------------------ */

static int refctx_on(int fd)
{
	static int state = -1;
	if (state < 0) {
		struct drm_virtgpu_context_set_param p = { .param = VIRTGPU_CONTEXT_PARAM_CAPSET_ID,
							   .value = VGB_CAPSET_REFCTX };
		struct drm_virtgpu_context_init ci = { .num_params = 1, .ctx_set_params = (uint64_t)(uintptr_t)&p };
		state = gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci) == 0;
	}
	return state;
}

static uint64_t next_blob_id = 1000;

static int host3d_create(int fd, uint64_t size, struct gpu_blob *b)
{
	uint64_t id = next_blob_id++;
	struct vgb_refctx_alloc a = { .hdr = { VGB_REFCTX_ALLOC, sizeof(a) }, .blob_id = id, .size = size };
	int r = gpu_execbuffer(fd, &a, sizeof(a), NULL, 0);
	if (!r)
		r = gpu_blob_create(fd, VIRTGPU_BLOB_MEM_HOST3D, VIRTGPU_BLOB_FLAG_USE_MAPPABLE, size, id, NULL, 0, b);
	return r;
}

/* A one-page mapped blob the host writes checksums into, and fences land on. */
static struct gpu_blob result;

static int result_blob(int fd)
{
	if (result.map)
		return 0;
	int r = host3d_create(fd, 4096, &result);
	return r ? r : gpu_blob_map(fd, &result);
}

/* Everything queued before has been answered: a fenced FILL of the result blob, waited for. */
static int host_sync(int fd)
{
	int r = result_blob(fd);
	if (r)
		return r;
	struct vgb_refctx_fill f = { .hdr = { VGB_REFCTX_FILL, sizeof(f) }, .resource_id = result.res_handle,
				     .value = 0, .offset = 64, .size = 4 };
	r = gpu_execbuffer(fd, &f, sizeof(f), &result.handle, 1);
	return r ? r : gpu_wait(fd, result.handle);
}

/* "verified": the host hashed res and got what the guest wrote; "" when not asked. */
static const char *host_verify(int fd, const struct gpu_blob *b, const void *frame, uint64_t bytes)
{
	if (result_blob(fd))
		return "\"verified\": \"no result blob\"";
	struct vgb_refctx_checksum c = { .hdr = { VGB_REFCTX_CHECKSUM, sizeof(c) }, .resource_id = b->res_handle,
					 .dst_resource_id = result.res_handle, .size = bytes };
	uint32_t handles[2] = { b->handle, result.handle };
	int r = gpu_execbuffer(fd, &c, sizeof(c), handles, 2);
	if (!r)
		r = gpu_wait(fd, result.handle);
	if (r)
		return "\"verified\": \"CHECKSUM failed\"";
	uint64_t host;
	memcpy(&host, result.map, sizeof(host));
	return host == vgb_fnv1a64(frame, bytes, VGB_FNV1A64_INIT) ? "\"verified\": true"
								    : "\"verified\": \"host checksum differs\"";
}

/* --- the host-visible BAR and the memory type of the guest's mapping ---------------------- */

static int bar_range(uint64_t *start, uint64_t *end)
{
	FILE *f = popen("for d in /sys/bus/pci/devices/*; do [ \"$(cat $d/vendor)\" = 0x1af4 ] && "
			"[ \"$(cat $d/device)\" = 0x1050 ] && cat $d/resource; done", "r");
	if (!f)
		return -1;
	unsigned long long s, e, fl, best = 0;
	while (fscanf(f, "%llx %llx %llx", &s, &e, &fl) == 3)
		if (e > s && (fl & 0x200) && e - s + 1 > best) {
			best = e - s + 1;
			*start = s;
			*end = e;
		}
	pclose(f);
	return best ? 0 : -1;
}

static void memtype(char *buf, size_t len, uint64_t *bar_start)
{
	uint64_t s = 0, e = 0;
	snprintf(buf, len, "unknown");
	*bar_start = 0;
	if (bar_range(&s, &e))
		return;
	*bar_start = s;
	FILE *f = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		char t[64];
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %63s", &a, &b, t) == 3 && a >= s && b <= e + 1) {
			snprintf(buf, len, "%s", t);
			break;
		}
	}
	fclose(f);
}

/* --- the paths ---------------------------------------------------------------------------- */

struct kms {
	uint32_t connector, crtc;
	struct drm_mode_modeinfo mode;
	int ok;
};

static int kms_find(int fd, struct kms *k)
{
	struct drm_mode_card_res res;
	uint32_t conns[16], crtcs[16];
	memset(&res, 0, sizeof(res));
	if (gpu_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res))
		return -1;
	res.count_connectors = res.count_connectors > 16 ? 16 : res.count_connectors;
	res.count_crtcs = res.count_crtcs > 16 ? 16 : res.count_crtcs;
	res.count_fbs = res.count_encoders = 0;
	res.connector_id_ptr = (uint64_t)(uintptr_t)conns;
	res.crtc_id_ptr = (uint64_t)(uintptr_t)crtcs;
	if (gpu_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) || !res.count_crtcs || !res.count_connectors)
		return -1;
	struct drm_mode_modeinfo modes[64];
	struct drm_mode_get_connector gc;
	memset(&gc, 0, sizeof(gc));
	gc.connector_id = conns[0];
	if (gpu_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc) || !gc.count_modes)
		return -1;
	uint32_t n = gc.count_modes > 64 ? 64 : gc.count_modes;
	memset(&gc, 0, sizeof(gc));
	gc.connector_id = conns[0];
	gc.count_modes = n;
	gc.modes_ptr = (uint64_t)(uintptr_t)modes;
	if (gpu_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc))
		return -1;
	k->connector = conns[0];
	k->crtc = crtcs[0];
	k->mode = modes[0];
	k->ok = 1;
	return 0;
}

/* A mode of exactly w x h: the plane shows (and DIRTYFB transfers) the whole frame. */
static struct drm_mode_modeinfo mode_for(const struct kms *k, uint32_t w, uint32_t h)
{
	struct drm_mode_modeinfo m = k->mode;
	m.hdisplay = (uint16_t)w;
	m.hsync_start = (uint16_t)(w + 48);
	m.hsync_end = (uint16_t)(w + 80);
	m.htotal = (uint16_t)(w + 160);
	m.vdisplay = (uint16_t)h;
	m.vsync_start = (uint16_t)(h + 3);
	m.vsync_end = (uint16_t)(h + 8);
	m.vtotal = (uint16_t)(h + 40);
	m.clock = (uint32_t)((uint64_t)m.htotal * m.vtotal * 60 / 1000);
	m.vrefresh = 60;
	m.type = DRM_MODE_TYPE_USERDEF;
	snprintf(m.name, sizeof(m.name), "%ux%u", w, h);
	return m;
}

static void dumb_dirtyfb(int fd, const struct kms *k, int synced, uint32_t w, uint32_t h, const uint8_t *frame)
{
	const char *P = "dumb-dirtyfb";
	if (!k->ok)
		return skip(P, w, h, "no connector or CRTC");
	struct drm_mode_create_dumb cd = { .width = w, .height = h, .bpp = 32 };
	if (gpu_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd))
		return skip(P, w, h, "CREATE_DUMB failed");
	struct drm_mode_map_dumb md = { .handle = cd.handle };
	uint8_t *px = MAP_FAILED;
	if (!gpu_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md))
		px = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)md.offset);
	struct drm_mode_fb_cmd fb = { .width = w, .height = h, .pitch = cd.pitch, .bpp = 32, .depth = 24,
				      .handle = cd.handle };
	if (px == MAP_FAILED || cd.pitch != w * 4 || gpu_ioctl(fd, DRM_IOCTL_MODE_ADDFB, &fb))
		return skip(P, w, h, "dumb buffer map or ADDFB failed");
	struct drm_mode_crtc sc;
	memset(&sc, 0, sizeof(sc));
	sc.crtc_id = k->crtc;
	sc.fb_id = fb.fb_id;
	sc.set_connectors_ptr = (uint64_t)(uintptr_t)&k->connector;
	sc.count_connectors = 1;
	sc.mode = mode_for(k, w, h);
	sc.mode_valid = 1;
	int r = gpu_ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &sc);
	if (r) {
		char why[96];
		snprintf(why, sizeof(why), "SETCRTC %ux%u: %s", w, h, strerror(-r));
		return skip(P, w, h, why);
	}
	double up[MAX_RUNS], wr[MAX_RUNS];
	for (unsigned i = 0; i <= runs; i++) {
		double t0 = now();
		memcpy(px, frame, (size_t)w * h * 4);
		double t1 = now();
		struct drm_mode_fb_dirty_cmd dirty = { .fb_id = fb.fb_id };
		r = gpu_ioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dirty);
		if (!r && synced)
			r = host_sync(fd);
		double t2 = now();
		if (r)
			return skip(P, w, h, "DIRTYFB or the fenced no-op after it failed");
		if (i) {
			up[i - 1] = t2 - t0;
			wr[i - 1] = t1 - t0;
		}
	}
	report(P, w, h, up, wr, synced ? "\"completion\": \"waited (fenced no-op after DIRTYFB)\""
				       : "\"completion\": \"until DIRTYFB returned (a 2D device gives no fence to wait on)\"");
	memset(&sc, 0, sizeof(sc));
	sc.crtc_id = k->crtc;
	gpu_ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &sc);
	gpu_ioctl(fd, DRM_IOCTL_MODE_RMFB, &fb.fb_id);
	munmap(px, cd.size);
	struct drm_mode_destroy_dumb dd = { .handle = cd.handle };
	gpu_ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd);
}

/* Write into map, then TRANSFER_TO_HOST with box and wait (sync_fd < 0), or a fenced
 * no-op on sync_fd: RUNS times. */
static int write_transfer(int fd, struct gpu_blob *b, const uint8_t *frame, uint64_t bytes,
			  struct drm_virtgpu_3d_box box, uint32_t stride, int sync_fd, double *up, double *wr)
{
	for (unsigned i = 0; i <= runs; i++) {
		double t0 = now();
		memcpy(b->map, frame, bytes);
		double t1 = now();
		int r;
		if (sync_fd >= 0) {
			r = host_sync(sync_fd);
		} else {
			struct drm_virtgpu_3d_transfer_to_host th = { .bo_handle = b->handle, .box = box,
								      .stride = stride };
			r = gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &th);
			if (!r)
				r = gpu_wait(fd, b->handle);
		}
		double t2 = now();
		if (r)
			return r;
		if (i) {
			up[i - 1] = t2 - t0;
			wr[i - 1] = t1 - t0;
		}
	}
	return 0;
}

static void copy_transfer(int fd, uint32_t w, uint32_t h, const uint8_t *frame)
{
	const char *P = "copy-transfer";
	struct drm_virtgpu_resource_create rc;
	memset(&rc, 0, sizeof(rc));
	rc.target = PIPE_TEXTURE_2D;
	rc.format = FORMAT_B8G8R8A8;
	rc.bind = BIND_RENDER_TARGET;
	rc.width = w;
	rc.height = h;
	rc.depth = rc.array_size = 1;
	rc.size = w * h * 4;
	rc.stride = w * 4;
	if (gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc))
		return skip(P, w, h, "RESOURCE_CREATE (2D texture) failed");
	struct gpu_blob b = { .handle = rc.bo_handle, .res_handle = rc.res_handle, .size = rc.size };
	double up[MAX_RUNS], wr[MAX_RUNS];
	struct drm_virtgpu_3d_box box = { .w = w, .h = h, .d = 1 };
	int r = gpu_blob_map(fd, &b);
	if (!r)
		r = write_transfer(fd, &b, frame, rc.size, box, 0, -1, up, wr); /* stride only for host blobs */
	if (r) {
		char why[96];
		snprintf(why, sizeof(why), "map or TRANSFER_TO_HOST: %s", strerror(-r));
		skip(P, w, h, why);
	} else {
		report(P, w, h, up, wr, "\"completion\": \"waited (transfer fence)\"");
	}
	gpu_blob_destroy(fd, &b);
}

static void blob_path(int fd, const char *P, int host3d, int refctx, uint32_t w, uint32_t h, const uint8_t *frame)
{
	uint64_t bytes = (uint64_t)w * h * 4, size = (bytes + 4095) & ~4095ull;
	struct gpu_blob b;
	int r = host3d ? host3d_create(fd, size, &b)
		       : gpu_blob_create(fd, VIRTGPU_BLOB_MEM_GUEST,
					 VIRTGPU_BLOB_FLAG_USE_MAPPABLE | VIRTGPU_BLOB_FLAG_USE_SHAREABLE, size, 0,
					 NULL, 0, &b);
	if (!r)
		r = gpu_blob_map(fd, &b);
	if (r) {
		char why[96];
		snprintf(why, sizeof(why), "create or map: %s", strerror(-r));
		return skip(P, w, h, why);
	}
	double up[MAX_RUNS], wr[MAX_RUNS];
	struct drm_virtgpu_3d_box box = { .w = (uint32_t)bytes, .h = 1, .d = 1 };
	r = write_transfer(fd, &b, frame, bytes, box, 0, host3d ? -1 : fd, up, wr);
	if (r) {
		char why[96];
		snprintf(why, sizeof(why), "%s: %s", host3d ? "TRANSFER_TO_HOST" : "fenced no-op", strerror(-r));
		skip(P, w, h, why);
		gpu_blob_destroy(fd, &b);
		return;
	}
	char extra[256];
	const char *v = refctx ? host_verify(fd, &b, frame, bytes) : "\"verified\": \"no reference context\"";
	if (host3d) {
		char type[64];
		uint64_t bar;
		memtype(type, sizeof(type), &bar);
		snprintf(extra, sizeof(extra), "%s, \"memtype\": \"%s\", \"bar\": \"0x%" PRIx64 "\"", v, type, bar);
	} else {
		snprintf(extra, sizeof(extra), "%s, \"completion\": \"waited (fenced no-op after the write)\"", v);
	}
	report(P, w, h, up, wr, extra);
	gpu_blob_destroy(fd, &b);
}

static void guest_memcpy(uint32_t w, uint32_t h, const uint8_t *frame)
{
	size_t bytes = (size_t)w * h * 4;
	uint8_t *dst = aligned_alloc(4096, (bytes + 4095) & ~(size_t)4095);
	if (!dst)
		return skip("guest-memcpy", w, h, "out of memory");
	memset(dst, 0, bytes);
	double t[MAX_RUNS];
	for (unsigned i = 0; i <= runs; i++) {
		double t0 = now();
		memcpy(dst, frame, bytes);
		if (i)
			t[i - 1] = now() - t0;
	}
	report("guest-memcpy", w, h, t, NULL, "");
	free(dst);
}

int main(int argc, char **argv)
{
	const char *out_path = NULL, *frames = "1920x1080,3840x2160";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out_path = argv[++i];
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--frames") && i + 1 < argc)
			frames = argv[++i];
		else {
			fprintf(stderr, "usage: vgb-guest-upload [--out PATH] [--runs N] [--frames WxH,...]\n");
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS - 1)
		runs = 9;
	out = out_path ? fopen(out_path, "w") : stdout;
	if (!out)
		out = stdout;
	int fd = gpu_open(), plain_fd = gpu_open(); /* plain_fd: no context capset (copy-transfer) */
	if (fd < 0) {
		fprintf(out, "VGB-UPLOAD {\"error\": \"no DRM node: %s\"}\n", strerror(-fd));
		return 1;
	}
	struct gpu_params p;
	gpu_params_read(fd, &p);
	int refctx = p.has_3d && p.context_init && (p.capsets_found & (1ull << VGB_CAPSET_REFCTX)) && refctx_on(fd);
	struct kms k = { 0 };
	kms_find(fd, &k);
	fprintf(out, "VGB-UPLOAD {\"device\": {\"3d\": %" PRIu64 ", \"blob\": %" PRIu64 ", \"host_visible\": %" PRIu64
		", \"refctx\": %d}}\n", p.has_3d, p.resource_blob, p.host_visible, refctx);
	for (const char *f = frames; *f;) {
		unsigned w, h;
		if (sscanf(f, "%ux%u", &w, &h) != 2 || !w || !h || w > 8192 || h > 8192)
			break;
		uint64_t bytes = (uint64_t)w * h * 4;
		uint8_t *frame = aligned_alloc(4096, (bytes + 4095) & ~4095ull);
		if (!frame)
			break;
		for (uint64_t i = 0; i < bytes / 4; i++) {
			uint32_t v = (uint32_t)(i * 2654435761u) ^ 0xff000000u;
			memcpy(frame + 4 * i, &v, 4);
		}
		guest_memcpy(w, h, frame);
		dumb_dirtyfb(fd, &k, refctx, w, h, frame);
		if (p.has_3d && plain_fd >= 0)
			copy_transfer(plain_fd, w, h, frame);
		else
			skip("copy-transfer", w, h, "2D device: TRANSFER_TO_HOST has no fence to wait for");
		if (p.resource_blob && refctx)
			blob_path(fd, "guest-blob", 0, refctx, w, h, frame);
		else
			skip("guest-blob", w, h, p.resource_blob ? "no reference context for a fenced no-op"
								 : "no RESOURCE_BLOB");
		if (refctx && p.host_visible)
			blob_path(fd, "host3d-mapped", 1, refctx, w, h, frame);
		else
			skip("host3d-mapped", w, h, "no host-visible region or no reference context");
		free(frame);
		const char *comma = strchr(f, ',');
		if (!comma)
			break;
		f = comma + 1;
	}
	fprintf(out, "VGB-UPLOAD {\"done\": true}\n");
	fflush(out);
	return 0;
}
