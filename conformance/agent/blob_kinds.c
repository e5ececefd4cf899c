#include "blob_kinds.h"

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
	return NULL;
}

int guest_blob_create(struct case_ctx *c, uint64_t size, struct gpu_blob *b)
{
	return gpu_blob_create(c->fd, VIRTGPU_BLOB_MEM_GUEST, VIRTGPU_BLOB_FLAG_USE_MAPPABLE, size, 0, NULL, 0, b);
}

int host3d_blob_create(struct case_ctx *c, uint32_t size, uint32_t blob_id, struct gpu_blob *b)
{
	uint32_t cmd[VIRGL_PIPE_RES_CREATE_DWORDS];
	virgl_encode_buffer_create(cmd, size, blob_id);
	return gpu_blob_create(c->fd, VIRTGPU_BLOB_MEM_HOST3D, VIRTGPU_BLOB_FLAG_USE_MAPPABLE, size, blob_id, cmd,
			       sizeof(cmd), b);
}

const char *any_blob_create(struct case_ctx *c, uint32_t size, struct gpu_blob *b, int *err, const char **why)
{
	if (!host3d_blob_unsupported(c)) {
		*err = host3d_blob_create(c, size, 1, b);
		return "HOST3D";
	}
	if (!guest_blob_unsupported(c)) {
		*err = guest_blob_create(c, size, b);
		return "GUEST";
	}
	*why = guest_blob_unsupported(c);
	return NULL;
}
