#include "blob_kinds.h"

#include <string.h>

#include "vgb/refctx.h"
#include "virgl.h"

const char *guest_blob_unsupported(const struct case_ctx *c)
{
	if (!c->params.resource_blob)
		return "device offers no VIRTIO_GPU_F_RESOURCE_BLOB";
	return NULL;
}

const char *host3d_blob_unsupported(const struct case_ctx *c)
{
	if (!c->params.resource_blob)
		return "device offers no VIRTIO_GPU_F_RESOURCE_BLOB";
	if (!c->params.has_3d)
		return "device offers no VIRTIO_GPU_F_VIRGL (the Linux driver needs it for HOST3D blobs)";
	if (!c->params.host_visible)
		return "device has no host-visible shared memory region";
	if (!uses_refctx(c) && !(c->params.capsets_found & ((1u << VIRTGPU_DRM_CAPSET_VIRGL) |
							    (1u << VIRTGPU_DRM_CAPSET_VIRGL2))))
		return "device offers neither the reference context (capset 30) nor virgl to allocate host memory";
	return NULL;
}

int uses_refctx(const struct case_ctx *c)
{
	return c->params.context_init && (c->params.capsets_found & (1ull << VGB_CAPSET_REFCTX));
}

int refctx_init(struct case_ctx *c)
{
	static int done;
	if (done)
		return 0;
	struct drm_virtgpu_context_set_param p = { .param = VIRTGPU_CONTEXT_PARAM_CAPSET_ID,
						   .value = VGB_CAPSET_REFCTX };
	struct drm_virtgpu_context_init ci = { .num_params = 1, .ctx_set_params = (uint64_t)(uintptr_t)&p };
	int r = gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci);
	if (r == 0)
		done = 1;
	return r;
}

int refctx_submit(struct case_ctx *c, const void *cmds, uint32_t bytes, const uint32_t *handles, uint32_t n)
{
	int r = refctx_init(c);
	if (r)
		return r;
	r = gpu_execbuffer(c->fd, cmds, bytes, handles, n);
	for (uint32_t i = 0; !r && i < n; i++)
		r = gpu_wait(c->fd, handles[i]);
	return r;
}

int guest_blob_create(struct case_ctx *c, uint64_t size, struct gpu_blob *b)
{
	return gpu_blob_create(c->fd, VIRTGPU_BLOB_MEM_GUEST, VIRTGPU_BLOB_FLAG_USE_MAPPABLE, size, 0, NULL, 0, b);
}

int host3d_blob_create(struct case_ctx *c, uint32_t size, uint32_t blob_id, struct gpu_blob *b)
{
	return host3d_blob_create_sized(c, size, size, blob_id, b);
}

int host3d_blob_create_sized(struct case_ctx *c, uint32_t object_size, uint64_t blob_size, uint32_t blob_id,
			     struct gpu_blob *b)
{
	if (uses_refctx(c)) {
		/* The object is made by an ALLOC in the context's stream; the blob
		 * create that follows on the same queue claims it by blob_id. */
		struct vgb_refctx_alloc a = { .hdr = { VGB_REFCTX_ALLOC, sizeof(a) }, .blob_id = blob_id,
					      .size = object_size };
		int r = refctx_init(c);
		if (!r)
			r = gpu_execbuffer(c->fd, &a, sizeof(a), NULL, 0);
		if (r)
			return r;
		return gpu_blob_create(c->fd, VIRTGPU_BLOB_MEM_HOST3D, VIRTGPU_BLOB_FLAG_USE_MAPPABLE, blob_size,
				       blob_id, NULL, 0, b);
	}
	uint32_t cmd[VIRGL_PIPE_RES_CREATE_DWORDS];
	virgl_encode_buffer_create(cmd, object_size, blob_id);
	return gpu_blob_create(c->fd, VIRTGPU_BLOB_MEM_HOST3D, VIRTGPU_BLOB_FLAG_USE_MAPPABLE, blob_size, blob_id,
			       cmd, sizeof(cmd), b);
}

int host_copy(struct case_ctx *c, struct gpu_blob *dst, struct gpu_blob *src, uint32_t size)
{
	uint32_t handles[2] = { src->handle, dst->handle };
	if (uses_refctx(c)) {
		struct vgb_refctx_copy cp = { .hdr = { VGB_REFCTX_COPY, sizeof(cp) },
					      .src_resource_id = src->res_handle,
					      .dst_resource_id = dst->res_handle,
					      .size = size };
		return refctx_submit(c, &cp, sizeof(cp), handles, 2);
	}
	uint32_t cmd[VIRGL_COPY_REGION_DWORDS];
	virgl_encode_buffer_copy(cmd, dst->res_handle, src->res_handle, size);
	int r = gpu_execbuffer(c->fd, cmd, sizeof(cmd), handles, 2);
	return r ? r : gpu_wait(c->fd, dst->handle);
}

const char *any_blob_create(struct case_ctx *c, uint32_t size, struct gpu_blob *b, int *err, const char **why)
{
	static uint32_t next_blob_id = 100;
	if (!host3d_blob_unsupported(c)) {
		*err = host3d_blob_create(c, size, next_blob_id++, b);
		return "HOST3D";
	}
	if (!guest_blob_unsupported(c)) {
		*err = guest_blob_create(c, size, b);
		return "GUEST";
	}
	*why = guest_blob_unsupported(c);
	return NULL;
}
