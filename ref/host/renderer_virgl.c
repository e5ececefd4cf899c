/* SPDX-License-Identifier: MIT */
/*
 * vgb-host --renderer=virgl|venus: the device core's external renderer
 * (vgb/renderer.h) on virglrenderer (>= 1.0).
 *
 * Venus contexts (capset 4) go to virglrenderer's render server, which
 * virglrenderer starts itself (VIRGL_RENDERER_RENDER_SERVER: it forks
 * virgl_render_server, or RENDER_SERVER_EXEC_PATH); "virgl" also starts the
 * GL renderer on a surfaceless EGL display for capsets 1 and 2.  A host blob
 * is exported with virgl_renderer_resource_export_blob() and placed in the
 * region by the core with BACKEND_SHMEM_MAP; its map_info is
 * virgl_renderer_resource_get_map_info()'s.  Fences are waited for here, one
 * at a time, because the core answers every command before the next.
 */
#include "renderer_virgl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <virglrenderer.h>

#include "vgb/decode.h"
#include "vgb/renderer.h"
#include "vgb/wire.h"

#define CAPSET_VIRGL 1u
#define CAPSET_VIRGL2 2u
#define CAPSET_VENUS 4u
#define FENCE_WAIT_MS 30000 /* a fence that takes longer is reported, not waited for forever */

struct capset {
	uint32_t id, max_version, max_size;
};

/* virglrenderer keeps global state: there is one renderer per process. */
static struct {
	bool ready;
	bool vrend;          /* the GL renderer (capsets 1 and 2) runs */
	bool verbose;
	struct capset capsets[3];
	uint32_t ncapsets;
	/* The fence being waited for (the core waits for one at a time). */
	bool waiting, ring, done;
	uint32_t wait_ctx, wait_ring;
	uint64_t wait_id;
} vr;

static void write_fence(void *cookie, uint32_t fence)
{
	if (vr.waiting && !vr.ring && fence == (uint32_t)vr.wait_id)
		vr.done = true;
}

static void write_context_fence(void *cookie, uint32_t ctx_id, uint32_t ring_idx, uint64_t fence_id)
{
	/* Fences of one ring retire in order, so a later one covers ours (mergeable). */
	if (vr.waiting && vr.ring && ctx_id == vr.wait_ctx && ring_idx == vr.wait_ring &&
	    fence_id >= vr.wait_id)
		vr.done = true;
}

static void log_line(enum virgl_log_level_flags level, const char *message, void *user)
{
	if (level >= VIRGL_LOG_LEVEL_INFO || vr.verbose)
		fprintf(stderr, "virglrenderer: %s%s", message,
			message[0] && message[strlen(message) - 1] == '\n' ? "" : "\n");
}

static struct virgl_renderer_callbacks callbacks = {
	.version = 3,
	.write_fence = write_fence,
	.write_context_fence = write_context_fence,
};

/* virglrenderer answers errno values, positive or negative: the spec's codes for them. */
static uint32_t error_code(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0: return VGB_DECODE_OK;
	case ENOMEM: return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	case EINVAL: case EFAULT: case E2BIG: return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	default: return VIRTIO_GPU_RESP_ERR_UNSPEC;
	}
}

static bool capset_info(void *opaque, uint32_t index, uint32_t *id, uint32_t *max_version,
			uint32_t *max_size)
{
	if (index >= vr.ncapsets)
		return false;
	*id = vr.capsets[index].id;
	*max_version = vr.capsets[index].max_version;
	*max_size = vr.capsets[index].max_size;
	return true;
}

static uint32_t capset(void *opaque, uint32_t id, uint32_t version, void *buf, uint32_t size)
{
	virgl_renderer_fill_caps(id, version, buf);
	return VGB_DECODE_OK;
}

static uint32_t ctx_create(void *opaque, uint32_t ctx_id, uint32_t capset_id, const char *name)
{
	int r = virgl_renderer_context_create_with_flags(ctx_id, capset_id, (uint32_t)strlen(name), name);
	if (r)
		fprintf(stderr, "vgb-host: virgl_renderer_context_create_with_flags(%u, capset %u): %s\n",
			ctx_id, capset_id, strerror(r < 0 ? -r : r));
	return error_code(r);
}

static void ctx_destroy(void *opaque, uint32_t ctx_id)
{
	virgl_renderer_context_destroy(ctx_id);
}

static void ctx_attach(void *opaque, uint32_t ctx_id, uint32_t res_id)
{
	virgl_renderer_ctx_attach_resource((int)ctx_id, (int)res_id);
}

static void ctx_detach(void *opaque, uint32_t ctx_id, uint32_t res_id)
{
	virgl_renderer_ctx_detach_resource((int)ctx_id, (int)res_id);
}

static uint32_t submit(void *opaque, uint32_t ctx_id, const void *cmds, uint32_t len)
{
	/* The API takes a non-const pointer but never writes the buffer (virglrenderer.h). */
	int r = virgl_renderer_submit_cmd((void *)(uintptr_t)cmds, (int)ctx_id, (int)(len / 4));
	if (r)
		fprintf(stderr, "vgb-host: virgl_renderer_submit_cmd(ctx %u, %u bytes): %s\n", ctx_id, len,
			strerror(r < 0 ? -r : r));
	return error_code(r);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Retires fences until ours is done.  With VIRGL_RENDERER_THREAD_SYNC the
 * renderer gives an eventfd to sleep on; without one, poll it every ms.
 */
static uint32_t wait_fence(uint32_t ctx_id, bool ring)
{
	int64_t deadline = now_ms() + FENCE_WAIT_MS;
	int fd = ring ? virgl_renderer_context_get_poll_fd(ctx_id) : virgl_renderer_get_poll_fd();
	for (;;) {
		if (ring)
			virgl_renderer_context_poll(ctx_id);
		else
			virgl_renderer_poll();
		if (vr.done)
			return VGB_DECODE_OK;
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return VIRTIO_GPU_RESP_ERR_UNSPEC;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, fd >= 0 ? 1 : 0, fd >= 0 ? (int)(left < 100 ? left : 100) : 1);
	}
}

static uint32_t fence(void *opaque, uint32_t ctx_id, bool ring, uint8_t ring_idx, uint64_t fence_id)
{
	/* The GL renderer's device timeline is the only one outside contexts; without it the
	 * core's in-order processing already finished everything a device fence covers. */
	if (!ring && !vr.vrend)
		return VGB_DECODE_OK;
	vr.waiting = true;
	vr.ring = ring;
	vr.done = false;
	vr.wait_ctx = ctx_id;
	vr.wait_ring = ring_idx;
	vr.wait_id = fence_id;
	int r = ring ? virgl_renderer_context_create_fence(ctx_id, VIRGL_RENDERER_FENCE_FLAG_MERGEABLE,
							   ring_idx, fence_id)
		     : virgl_renderer_create_fence((int)(uint32_t)fence_id, ctx_id);
	uint32_t rc = r ? error_code(r) : wait_fence(ctx_id, ring);
	if (r)
		fprintf(stderr, "vgb-host: creating fence %llu (ctx %u ring %u): %s\n",
			(unsigned long long)fence_id, ctx_id, ring_idx, strerror(r < 0 ? -r : r));
	else if (rc)
		fprintf(stderr, "vgb-host: fence %llu (ctx %u ring %u) not retired within %d ms\n",
			(unsigned long long)fence_id, ctx_id, ring_idx, FENCE_WAIT_MS);
	vr.waiting = false;
	return rc;
}

static const char *fd_type_name(uint32_t t)
{
	switch (t) {
	case VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF: return "dma-buf";
	case VIRGL_RENDERER_BLOB_FD_TYPE_OPAQUE: return "opaque";
	case VIRGL_RENDERER_BLOB_FD_TYPE_SHM: return "shm";
	default: return "unknown";
	}
}

/* The offset in fd of the page that holds view, found in /proc/self/maps; false if not there. */
static bool locate_in_fd(int fd, const void *view, uint64_t *offset)
{
	struct stat st;
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f || fstat(fd, &st) < 0) {
		if (f)
			fclose(f);
		return false;
	}
	uintptr_t at = (uintptr_t)view;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long start, end, pgoff, ino;
		unsigned maj, min;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &start, &end, perms, &pgoff, &maj, &min, &ino) != 7)
			continue;
		if (at < start || at >= end)
			continue;
		found = perms[3] == 's' && ino == st.st_ino && makedev(maj, min) == st.st_dev &&
			(at - start) % 4096 == 0;
		*offset = pgoff + (at - start);
		break;
	}
	fclose(f);
	return found;
}

static uint32_t create_blob(void *opaque, uint32_t ctx_id, uint32_t res_id, uint32_t blob_flags,
			    uint64_t blob_id, uint64_t size, struct vgb_renderer_blob *out)
{
	const struct virgl_renderer_resource_create_blob_args args = {
		.res_handle = res_id,
		.ctx_id = ctx_id,
		.blob_mem = VIRGL_RENDERER_BLOB_MEM_HOST3D,
		.blob_flags = blob_flags,
		.blob_id = blob_id,
		.size = size,
	};
	*out = (struct vgb_renderer_blob){.fd = -1};
	int r = virgl_renderer_resource_create_blob(&args);
	if (r) {
		snprintf(out->why, sizeof(out->why), "virgl_renderer_resource_create_blob: %s",
			 strerror(r < 0 ? -r : r));
		fprintf(stderr, "vgb-host: blob %u (ctx %u, blob_id %llu, flags 0x%x, %llu bytes): %s\n", res_id,
			ctx_id, (unsigned long long)blob_id, blob_flags, (unsigned long long)size, out->why);
		return error_code(r);
	}
	if (!(blob_flags & VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE))
		return VGB_DECODE_OK;
	if ((r = virgl_renderer_resource_get_map_info(res_id, &out->map_info))) {
		/* A mappable blob without a cache type cannot be mapped correctly: refuse the map. */
		snprintf(out->why, sizeof(out->why), "virgl_renderer_resource_get_map_info: %s",
			 strerror(r < 0 ? -r : r));
		fprintf(stderr, "vgb-host: blob %u (ctx %u, blob_id %llu) cannot be placed: %s\n", res_id, ctx_id,
			(unsigned long long)blob_id, out->why);
		return VGB_DECODE_OK;
	}
	uint32_t fd_type = 0;
	int fd = -1;
	if ((r = virgl_renderer_resource_export_blob(res_id, &fd_type, &fd))) {
		snprintf(out->why, sizeof(out->why),
			 "virgl_renderer_resource_export_blob: %s (the memory is no fd)",
			 strerror(r < 0 ? -r : r));
		fprintf(stderr, "vgb-host: blob %u (ctx %u, blob_id %llu) cannot be placed: %s\n", res_id, ctx_id,
			(unsigned long long)blob_id, out->why);
		return VGB_DECODE_OK;
	}
	off_t end = lseek(fd, 0, SEEK_END);
	if (end < 0) {
		snprintf(out->why, sizeof(out->why), "%s fd of unknown size: %s", fd_type_name(fd_type),
			 strerror(errno));
		close(fd);
		return VGB_DECODE_OK;
	}
	/*
	 * Where the blob lies in the fd is the renderer's business: an opaque
	 * fd is laid out by the host driver (lavapipe puts a header first), so
	 * virglrenderer maps it by importing it into Vulkan.  Its mapping shows
	 * where in the fd the blob starts.
	 */
	uint64_t view_size = 0;
	if ((r = virgl_renderer_resource_map(res_id, &out->view, &view_size)) || view_size < size) {
		snprintf(out->why, sizeof(out->why), "virgl_renderer_resource_map: %s",
			 r ? strerror(r < 0 ? -r : r) : "mapping shorter than the blob");
		if (!r)
			virgl_renderer_resource_unmap(res_id);
		out->view = NULL;
		close(fd);
		fprintf(stderr, "vgb-host: blob %u (ctx %u, blob_id %llu) cannot be placed: %s\n", res_id, ctx_id,
			(unsigned long long)blob_id, out->why);
		return VGB_DECODE_OK;
	}
	if (!locate_in_fd(fd, out->view, &out->fd_offset)) {
		snprintf(out->why, sizeof(out->why), "the renderer's mapping of the %s fd is not a page of that fd",
			 fd_type_name(fd_type));
		close(fd);
		fprintf(stderr, "vgb-host: blob %u (ctx %u, blob_id %llu) cannot be placed: %s\n", res_id, ctx_id,
			(unsigned long long)blob_id, out->why);
		return VGB_DECODE_OK;
	}
	out->fd = fd;
	out->fd_size = (uint64_t)end;
	if (vr.verbose)
		fprintf(stderr, "vgb-host: blob %u (ctx %u, blob_id %llu): %s fd of %llu bytes, blob at %llu, "
			"map_info %u\n", res_id, ctx_id, (unsigned long long)blob_id, fd_type_name(fd_type),
			(unsigned long long)end, (unsigned long long)out->fd_offset, out->map_info);
	return VGB_DECODE_OK;
}

static void unref(void *opaque, uint32_t res_id)
{
	virgl_renderer_resource_unmap(res_id); /* -EINVAL when it was never mapped: nothing to undo */
	virgl_renderer_resource_unref(res_id);
}

static const struct vgb_renderer_ops ops = {
	.capset_info = capset_info,
	.capset = capset,
	.ctx_create = ctx_create,
	.ctx_destroy = ctx_destroy,
	.ctx_attach = ctx_attach,
	.ctx_detach = ctx_detach,
	.submit = submit,
	.fence = fence,
	.create_blob = create_blob,
	.unref = unref,
};

static void add_capset(uint32_t id)
{
	uint32_t max_version = 0, max_size = 0;
	virgl_renderer_get_cap_set(id, &max_version, &max_size);
	if (max_size == 0)
		return;
	vr.capsets[vr.ncapsets++] = (struct capset){id, max_version, max_size};
}

const struct vgb_renderer_ops *host_renderer_virgl(bool with_gl, bool verbose, char *err, size_t errlen)
{
	if (vr.ready)
		return &ops;
	vr.verbose = verbose;
	virgl_set_log_callback(log_line, NULL, NULL);
	int flags = VIRGL_RENDERER_VENUS | VIRGL_RENDERER_RENDER_SERVER | VIRGL_RENDERER_THREAD_SYNC;
	flags |= with_gl ? VIRGL_RENDERER_USE_EGL | VIRGL_RENDERER_USE_SURFACELESS
			 : VIRGL_RENDERER_NO_VIRGL;
	/* vrend needs a non-NULL cookie; nothing in it is used. */
	int r = virgl_renderer_init(&vr, flags, &callbacks);
	if (r) {
		snprintf(err, errlen, "virgl_renderer_init(%s) failed (%d)", with_gl ? "virgl + venus" : "venus",
			 r);
		return NULL;
	}
	vr.vrend = with_gl;
	if (with_gl) {
		add_capset(CAPSET_VIRGL);
		add_capset(CAPSET_VIRGL2);
	}
	add_capset(CAPSET_VENUS);
	if (vr.ncapsets == 0) {
		snprintf(err, errlen, "virglrenderer offers no capset (no render server for Venus?)");
		virgl_renderer_cleanup(&vr);
		return NULL;
	}
	vr.ready = true;
	return &ops;
}

void host_renderer_virgl_fini(void)
{
	if (!vr.ready)
		return;
	virgl_renderer_cleanup(&vr);
	vr = (__typeof__(vr)){0};
}
