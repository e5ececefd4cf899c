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
#include "vgb/wire.h"

static int shm_map(void *opaque, int fd, uint64_t fd_offset, uint64_t shm_offset, uint64_t len,
		   bool writable)
{
	struct host *h = opaque;
	if (h->closing)
		return -ENOTCONN;
	frontend_check_before_map(h->fcheck, h->be, vgb_device_region_size(h->dev), shm_offset, len);
	int r = h->hostile ? hostile_shm_map(h->hostile, h->be, fd, fd_offset, shm_offset, len, writable)
			   : vgb_vu_backend_shm_map(h->be, fd, fd_offset, shm_offset, len, writable);
	frontend_check_mapped(h->fcheck, shm_offset, len, r);
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
	int r = h->hostile ? hostile_shm_unmap(h->hostile, h->be, shm_offset, len)
			   : vgb_vu_backend_shm_unmap(h->be, shm_offset, len);
	frontend_check_unmapped(h->fcheck, shm_offset, r);
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

/* The display's outputs, asked over the display channel (QEMU: vg_get_display_info). */
static int display_info(void *opaque, struct vgb_display_mode modes[16])
{
	struct host *h = opaque;
	if (h->closing)
		return -ENOTCONN;
	struct virtio_gpu_resp_display_info info;
	int r = vgb_vu_gpu_get_display_info(h->be, &info);
	if (r == 0 && vgb_le32(info.hdr.type) != VIRTIO_GPU_RESP_OK_DISPLAY_INFO)
		r = -EPROTO;
	if (r) {
		display_result(h, "display info", r);
		return r;
	}
	for (unsigned i = 0; i < 16; i++)
		modes[i] = (struct vgb_display_mode){
			.x = vgb_le32(info.pmodes[i].r.x),
			.y = vgb_le32(info.pmodes[i].r.y),
			.width = vgb_le32(info.pmodes[i].r.width),
			.height = vgb_le32(info.pmodes[i].r.height),
			.enabled = vgb_le32(info.pmodes[i].enabled) != 0,
		};
	return 0;
}

/* The display's EDID of a scanout (QEMU: vg_get_edid), when it offers EDID. */
static int edid(void *opaque, uint32_t scanout_id, uint8_t out[1024], uint32_t *size)
{
	struct host *h = opaque;
	if (h->closing)
		return -ENOTCONN;
	struct virtio_gpu_resp_edid e;
	int r = vgb_vu_gpu_get_edid(h->be, scanout_id, &e);
	if (r == 0 && (vgb_le32(e.hdr.type) != VIRTIO_GPU_RESP_OK_EDID || vgb_le32(e.size) == 0 ||
		       vgb_le32(e.size) > sizeof(e.edid)))
		r = -EPROTO;
	if (r) {
		if (r != -ENOTSUP)
			display_result(h, "EDID", r);
		return r;
	}
	*size = vgb_le32(e.size);
	memcpy(out, e.edid, *size);
	return 0;
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
		.display_info = display_info,
		.edid = edid,
		.cursor = cursor,
		.violation = violation,
		.log = log_line,
		.warning = warning,
	};
}
