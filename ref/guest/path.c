/* SPDX-License-Identifier: MIT */
#include "path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "refctx_stream.h"

static const char *const names[VGB_PATH_COUNT] = { "mapped", "guest-blob", "copy" };

const char *vgb_path_name(enum vgb_path p)
{
	return (unsigned)p < VGB_PATH_COUNT ? names[p] : "?";
}

int vgb_path_from_name(const char *name)
{
	for (int i = 0; i < VGB_PATH_COUNT; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

const char *vgb_path_unavailable(struct vgb_drv *drv, enum vgb_path p)
{
	const struct vgb_drv_caps *c = vgb_drv_caps(drv);
	switch (p) {
	case VGB_PATH_COPY:
		return NULL;
	case VGB_PATH_GUEST_BLOB:
		return vgb_drv_has(drv, VIRTIO_GPU_F_RESOURCE_BLOB) ? NULL : "device offers no F_RESOURCE_BLOB";
	case VGB_PATH_MAPPED:
		if (!vgb_drv_has(drv, VIRTIO_GPU_F_RESOURCE_BLOB))
			return "device offers no F_RESOURCE_BLOB";
		if (!vgb_drv_has(drv, VIRTIO_GPU_F_VIRGL))
			return "device offers no F_VIRGL (no host context to allocate host blobs)";
		if (!vgb_drv_has(drv, VIRTIO_GPU_F_CONTEXT_INIT))
			return "device offers no F_CONTEXT_INIT (the reference context cannot be selected)";
		if (!c->region)
			return "device has no host-visible region";
		return NULL;
	default:
		return "unknown path";
	}
}

enum vgb_path vgb_path_choose(struct vgb_drv *drv)
{
	for (int p = 0; p < VGB_PATH_COUNT; p++)
		if (!vgb_path_unavailable(drv, (enum vgb_path)p))
			return (enum vgb_path)p;
	return VGB_PATH_COPY;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

static int create_copy(struct vgb_drv *drv, struct vgb_surface *s)
{
	s->stride = s->width * 4;
	s->size = (uint64_t)s->stride * s->height;
	int ret = vgb_drv_backing_alloc(drv, s->size, VGB_BACKING_ODD, &s->backing);
	if (ret)
		return ret;
	s->has_backing = true;
	s->resource_id = vgb_drv_new_resource_id(drv);
	ret = vgb_drv_create_2d(drv, s->resource_id, s->format, s->width, s->height);
	if (ret) {
		s->resource_id = 0;
		return ret;
	}
	return vgb_drv_attach_backing(drv, s->resource_id, &s->backing);
}

static int create_guest_blob(struct vgb_drv *drv, struct vgb_surface *s)
{
	/* A padded stride exercises strides[0] without costing much. */
	s->stride = (uint32_t)align_up((uint64_t)s->width * 4, 64);
	s->size = vgb_drv_blob_size(drv, (uint64_t)s->stride * s->height);
	int ret = vgb_drv_backing_alloc(drv, s->size, VGB_BACKING_PAGES, &s->backing);
	if (ret)
		return ret;
	s->has_backing = true;
	s->resource_id = vgb_drv_new_resource_id(drv);
	struct vgb_drv_blob_desc d = {
		.blob_mem = VIRTIO_GPU_BLOB_MEM_GUEST,
		.blob_flags = VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE,
		.size = s->size,
		.backing = &s->backing,
	};
	ret = vgb_drv_create_blob(drv, s->resource_id, &d);
	if (ret)
		s->resource_id = 0;
	return ret;
}

static int create_mapped(struct vgb_drv *drv, struct vgb_surface *s)
{
	struct vgb_refctx_caps caps;
	int ret = vgb_drv_refctx(drv, &s->ctx_id, &caps);
	if (ret)
		return ret;
	s->stride = (uint32_t)align_up((uint64_t)s->width * 4, 64);
	s->size = align_up(vgb_drv_blob_size(drv, (uint64_t)s->stride * s->height), caps.alignment);
	s->blob_id = vgb_drv_new_blob_id(drv);
	struct vgb_rcs rcs;
	vgb_rcs_init(&rcs);
	vgb_rcs_alloc(&rcs, s->blob_id, s->size);
	uint32_t len = 0;
	const void *data = vgb_rcs_data(&rcs, &len);
	ret = data ? vgb_drv_submit_3d(drv, s->ctx_id, data, len) : -ENOMEM;
	vgb_rcs_fini(&rcs);
	if (ret)
		return ret;
	s->resource_id = vgb_drv_new_resource_id(drv);
	struct vgb_drv_blob_desc d = {
		.blob_mem = VIRTIO_GPU_BLOB_MEM_HOST3D,
		.blob_flags = VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE | VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE,
		.ctx_id = s->ctx_id,
		.blob_id = s->blob_id,
		.size = s->size,
	};
	ret = vgb_drv_create_blob(drv, s->resource_id, &d);
	if (ret) {
		s->resource_id = 0;
		return ret;
	}
	ret = vgb_drv_ctx_attach(drv, s->ctx_id, s->resource_id);
	if (ret)
		return ret;
	ret = vgb_drv_map(drv, s->resource_id, &s->map);
	if (ret == 0)
		s->mapped = true;
	return ret;
}

int vgb_surface_create(struct vgb_drv *drv, enum vgb_path p, uint32_t format, uint32_t width,
		       uint32_t height, struct vgb_surface *s)
{
	memset(s, 0, sizeof(*s));
	if (vgb_format_bpp(format) != 4 || width == 0 || height == 0 || width > (1u << 16) ||
	    height > (1u << 16))
		return -EINVAL;
	s->path = p;
	s->format = format;
	s->width = width;
	s->height = height;
	if (vgb_path_unavailable(drv, p))
		return -ENOTSUP;
	int ret;
	switch (p) {
	case VGB_PATH_MAPPED:
		ret = create_mapped(drv, s);
		if ((ret == -ENOSPC || ret > 0) && !vgb_fe_disconnected(vgb_drv_fe(drv))) {
			/* Region full, or the device refused the host blob or its mapping: a real
			 * driver still has guest memory (REQ-DRV-XFER-0008).  A device that broke
			 * the protocol (-EPROTO), or is gone, is reported, not worked around. */
			snprintf(s->fallback_reason, sizeof(s->fallback_reason), "%s", vgb_drv_error(drv));
			vgb_surface_destroy(drv, s);
			s->path = VGB_PATH_GUEST_BLOB;
			s->fell_back = true;
			ret = create_guest_blob(drv, s);
		}
		break;
	case VGB_PATH_GUEST_BLOB:
		ret = create_guest_blob(drv, s);
		break;
	default:
		ret = create_copy(drv, s);
		break;
	}
	return ret;
}

static struct virtio_gpu_rect whole(const struct vgb_surface *s)
{
	return (struct virtio_gpu_rect){ 0, 0, s->width, s->height };
}

/* Rows of the frame into the backing at the surface stride. */
static int store_rows(struct vgb_drv *drv, struct vgb_surface *s, const struct vgb_frame *f)
{
	for (uint32_t y = 0; y < f->height; y++) {
		int ret = vgb_drv_backing_write(drv, &s->backing, (uint64_t)y * s->stride,
						&f->pixels[(size_t)y * f->width], (uint64_t)f->width * 4);
		if (ret)
			return ret;
	}
	return 0;
}

int vgb_surface_upload(struct vgb_drv *drv, struct vgb_surface *s, const struct vgb_frame *f)
{
	if (f->width != s->width || f->height != s->height)
		return -EINVAL;
	int ret;
	switch (s->path) {
	case VGB_PATH_MAPPED:
		vgb_frame_store(f, s->map.ptr, s->stride);
		vgb_drv_mapping_flush(&s->map);
		/* Non-coherent mappings need the flush a transfer on a host blob stands for. */
		if (!s->map.cacheable)
			return vgb_drv_transfer_to_host_3d(drv, s->ctx_id, s->resource_id, 0,
							   (uint32_t)((uint64_t)s->stride * s->height));
		return 0;
	case VGB_PATH_GUEST_BLOB:
		ret = store_rows(drv, s, f);
		/* Kept even though the device may read the pages in place: it may also copy. */
		return ret ? ret : vgb_drv_transfer_to_host_2d(drv, s->resource_id, whole(s), 0);
	default:
		ret = store_rows(drv, s, f);
		return ret ? ret : vgb_drv_transfer_to_host_2d(drv, s->resource_id, whole(s), 0);
	}
}

int vgb_surface_show(struct vgb_drv *drv, struct vgb_surface *s, uint32_t scanout_id)
{
	int ret;
	if (s->path == VGB_PATH_COPY) {
		ret = vgb_drv_set_scanout(drv, scanout_id, s->resource_id, whole(s));
	} else {
		struct vgb_drv_scanout_blob sb = {
			.format = s->format, .width = s->width, .height = s->height,
			.stride = s->stride, .offset = 0, .r = whole(s),
		};
		ret = vgb_drv_set_scanout_blob(drv, scanout_id, s->resource_id, &sb);
	}
	return ret ? ret : vgb_drv_flush(drv, s->resource_id, whole(s));
}

int vgb_surface_destroy(struct vgb_drv *drv, struct vgb_surface *s)
{
	int ret = 0;
	if (s->mapped) {
		ret = vgb_drv_unmap(drv, s->resource_id);
		s->mapped = false;
	}
	if (s->resource_id) {
		int r = vgb_drv_unref(drv, s->resource_id);
		ret = ret ? ret : r;
		s->resource_id = 0;
	}
	/* Pages go back only after the device let go of them (UNREF answered). */
	if (s->has_backing) {
		vgb_drv_backing_free(drv, &s->backing);
		s->has_backing = false;
	}
	return ret;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vgb_wait_frame(struct vgb_drv *drv, uint32_t scanout_id, const struct vgb_frame *f,
		   uint64_t updates_before, int timeout_ms, char *detail, size_t detail_len)
{
	struct vgb_fe *fe = vgb_drv_fe(drv);
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		const struct vgb_fe_scanout *so = vgb_fe_scanout(fe, scanout_id);
		uint32_t bx = 0, by = 0;
		uint64_t bad = 0;
		bool fresh = so && so->updates > updates_before;
		if (fresh && vgb_frame_equal(f, so->pixels, so->width, so->height, &bx, &by, &bad))
			return 0;
		int64_t left = deadline - now_ms();
		if (left <= 0 || vgb_fe_disconnected(fe)) {
			if (vgb_fe_disconnected(fe))
				snprintf(detail, detail_len, "backend gone while waiting for UPDATE: %s",
					 vgb_fe_error(fe));
			else if (!so || !fresh)
				snprintf(detail, detail_len, "no UPDATE message within %d ms", timeout_ms);
			else if (so->width != f->width || so->height != f->height)
				snprintf(detail, detail_len, "scanout shows %ux%u, frame is %ux%u", so->width,
					 so->height, f->width, f->height);
			else
				snprintf(detail, detail_len,
					 "%llu pixels differ, first at (%u,%u): shown 0x%08x, sent 0x%08x",
					 (unsigned long long)bad, bx, by, so->pixels[(size_t)by * so->width + bx],
					 f->pixels[(size_t)by * f->width + bx]);
			return -1;
		}
		int r = vgb_fe_poll(fe, left > 20 ? 20 : (int)left);
		if (r < 0 && r != -ETIMEDOUT && vgb_fe_disconnected(fe))
			continue;
	}
}
