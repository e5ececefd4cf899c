/* The virtio-gpu DRM requests the cases use, through libdrm (drmIoctl and
 * the virtgpu_drm.h libdrm installs). Each returns 0 or -errno, so a case can
 * compare the exact error the driver gave, and records itself in the case's
 * step log (steps.h). */
#ifndef VGB_AGENT_GPU_H
#define VGB_AGENT_GPU_H

#include <stddef.h>
#include <stdint.h>

#include <virtgpu_drm.h>
#include <xf86drm.h>

#include "steps.h"

/* libdrm 2.4.134's copy of the uapi predates the blob alignment parameter
 * (Linux 7.2's virtgpu_drm.h); older kernels refuse it. */
#ifndef VIRTGPU_PARAM_BLOB_ALIGNMENT
#define VIRTGPU_PARAM_BLOB_ALIGNMENT 9
#endif

/* libdrm's blob create is the 48-byte layout every kernel with blobs takes;
 * Linux 7.2 grew blob_hints/pad2 and zero-fills what a shorter request lacks. */
_Static_assert(sizeof(struct drm_virtgpu_resource_create_blob) == 48, "blob create layout");
_Static_assert(sizeof(struct drm_virtgpu_map) == 16, "map layout");
_Static_assert(sizeof(struct drm_virtgpu_getparam) == 16, "getparam layout");

/* Opens the virtio-gpu device's primary node (its render node when it has
 * none): the DRM device whose driver is virtio_gpu, whatever other display
 * devices the VMM adds. -errno on failure. */
int gpu_open(void);
/* drmIoctl, logged as a step under the request's name. */
int gpu_ioctl(int fd, unsigned long request, void *arg);

int gpu_getparam(int fd, uint64_t param, uint64_t *value);
int gpu_gem_close(int fd, uint32_t handle);

struct gpu_blob {
	uint32_t handle;     /* GEM handle */
	uint32_t res_handle; /* virtio-gpu resource id */
	uint64_t size;
	void *map;           /* NULL until gpu_blob_map */
};

/* RESOURCE_CREATE_BLOB; cmd/cmd_size may be NULL/0. */
int gpu_blob_create(int fd, uint32_t blob_mem, uint32_t blob_flags, uint64_t size,
		    uint64_t blob_id, const uint32_t *cmd, uint32_t cmd_size, struct gpu_blob *out);
/* The size of the GEM object behind handle: the size the driver gave the
 * device, after its own rounding; 0 or -errno. */
int gpu_resource_size(int fd, uint32_t handle, uint64_t *size);
/* DRM_IOCTL_VIRTGPU_MAP + mmap of b->size bytes. */
int gpu_blob_map(int fd, struct gpu_blob *b);
void gpu_blob_unmap(struct gpu_blob *b);
void gpu_blob_destroy(int fd, struct gpu_blob *b);

int gpu_execbuffer(int fd, const void *cmd, uint32_t bytes, const uint32_t *handles, uint32_t nhandles);
/* Waits until the host has finished with the object's last command. */
int gpu_wait(int fd, uint32_t handle);

/* Capability-style probe shared by cases: the params each case needs. */
struct gpu_params {
	uint64_t has_3d, capset_fix, resource_blob, host_visible, cross_device, context_init,
		capset_mask;
	int ok_3d, ok_blob, ok_host_visible, ok_context_init, ok_capset_mask;
	/* Capset ids the driver really has, found by asking for each one:
	 * SUPPORTED_CAPSET_IDs is an int, so it cannot name ids 32..63. */
	uint64_t capsets_found;
};

/* 0 when the driver has capset id (any version), else -errno. */
int gpu_capset_probe(int fd, uint32_t id);
void gpu_params_read(int fd, struct gpu_params *p);

/* Fills n bytes with a pattern derived from seed; returns the first byte
 * offset that differs from that pattern, or n when all match. */
void pattern_fill(void *dst, size_t n, uint32_t seed);
size_t pattern_check(const void *src, size_t n, uint32_t seed);

#endif
