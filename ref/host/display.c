/* SPDX-License-Identifier: MIT */
/*
 * What the device core asks of the outside world, carried over vhost-user:
 * host-visible region placement (back-end request channel), display output
 * (vhost-user-gpu channel), violations and log lines.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host.h"

static int shm_map(void *opaque, int fd, uint64_t fd_offset, uint64_t shm_offset, uint64_t len,
		   bool writable)
{
	struct host *h = opaque;
	if (h->closing)
		return -ENOTCONN;
	int r = vgb_vu_backend_shm_map(h->be, fd, fd_offset, shm_offset, len, writable);
	if (r)
		fprintf(stderr, "vgb-host: placing 0x%llx bytes at region offset 0x%llx failed: %s\n",
			(unsigned long long)len, (unsigned long long)shm_offset, strerror(-r));
	return r;
}

static int shm_unmap(void *opaque, uint64_t shm_offset, uint64_t len)
{
	struct host *h = opaque;
	if (h->closing)
		return 0; /* the front-end dropped every mapping with the connection */
	int r = vgb_vu_backend_shm_unmap(h->be, shm_offset, len);
	if (r)
		fprintf(stderr, "vgb-host: removing the mapping at region offset 0x%llx failed: %s\n",
			(unsigned long long)shm_offset, strerror(-r));
	return r;
}

/* The display channel may be absent (a front-end without a display): not an error. */
static void display_result(struct host *h, const char *what, int r)
{
	if (h->closing)
		return;
	if (r && r != -ENOTCONN && h->opt->verbose)
		fprintf(stderr, "vgb-host: display %s: %s\n", what, strerror(-r));
}

static void scanout(void *opaque, uint32_t scanout_id, uint32_t width, uint32_t height)
{
	struct host *h = opaque;
	if (h->closing)
		return;
	if (scanout_id == 0 && h->dump.path) {
		int r = scanout_dump_resize(&h->dump, width, height);
		if (r)
			fprintf(stderr, "vgb-host: --dump-scanout %s: %s\n", h->dump.path, strerror(-r));
	}
	display_result(h, "scanout", vgb_vu_gpu_scanout(h->be, scanout_id, width, height));
}

static void update(void *opaque, uint32_t scanout_id, uint32_t x, uint32_t y, uint32_t width,
		   uint32_t height, const void *pixels, uint32_t stride)
{
	struct host *h = opaque;
	if (h->closing)
		return;
	if (scanout_id == 0 && h->dump.path) {
		int r = scanout_dump_update(&h->dump, x, y, width, height, pixels, stride);
		if (r)
			fprintf(stderr, "vgb-host: --dump-scanout %s: %s\n", h->dump.path, strerror(-r));
	}
	display_result(h, "update",
		       vgb_vu_gpu_update(h->be, scanout_id, x, y, width, height, pixels, stride));
}

static void cursor(void *opaque, uint32_t scanout_id, uint32_t x, uint32_t y, bool visible,
		   uint32_t hot_x, uint32_t hot_y, const void *argb64x64)
{
	struct host *h = opaque;
	if (h->closing)
		return;
	display_result(h, "cursor",
		       vgb_vu_gpu_cursor(h->be, scanout_id, x, y, visible, hot_x, hot_y, argb64x64));
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * One report: "VIOLATION id detail" / "WARNING id detail" on stderr, and a JSON
 * line in --validate=FILE keyed "requirement" (a broken MUST) or "warning" (a
 * SHOULD not met), so that readers counting violations never count warnings.
 */
static void report(struct host *h, const char *kind, const char *key, const char *req_id,
		   const char *detail)
{
	fprintf(stderr, "%s %s %s\n", kind, req_id, detail);
	if (h->violations) {
		fprintf(h->violations, "{\"%s\": ", key);
		json_string(h->violations, req_id);
		fputs(", \"detail\": ", h->violations);
		json_string(h->violations, detail);
		fputs("}\n", h->violations);
		fflush(h->violations);
	}
}

static void violation(void *opaque, const char *req_id, const char *detail)
{
	report(opaque, "VIOLATION", "requirement", req_id, detail);
}

static void warning(void *opaque, const char *req_id, const char *detail)
{
	report(opaque, "WARNING", "warning", req_id, detail);
}

static void log_line(void *opaque, const char *line)
{
	struct host *h = opaque;
	if (h->opt->verbose)
		fprintf(stderr, "vgb-host: %s\n", line);
}

void host_device_ops(struct host *h, struct vgb_device_ops *ops)
{
	*ops = (struct vgb_device_ops){
		.opaque = h,
		.shm_map = shm_map,
		.shm_unmap = shm_unmap,
		.scanout = scanout,
		.update = update,
		.cursor = cursor,
		.violation = violation,
		.log = log_line,
		.warning = warning,
	};
}
