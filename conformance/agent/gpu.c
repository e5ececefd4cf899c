#include "gpu.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int gpu_open(void)
{
	static const char *const nodes[] = { "/dev/dri/card0", "/dev/dri/renderD128" };
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		int fd = open(nodes[i], O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return -errno;
}

int gpu_ioctl(int fd, unsigned long request, void *arg)
{
	int r;
	do {
		r = ioctl(fd, request, arg);
	} while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? -errno : 0;
}

int gpu_getparam(int fd, uint64_t param, uint64_t *value)
{
	/* The driver writes an int through the value pointer. */
	int v = 0;
	struct drm_virtgpu_getparam gp = { .param = param, .value = (uint64_t)(uintptr_t)&v };
	int r = gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp);
	if (r == 0)
		*value = (uint64_t)(unsigned)v;
	return r;
}

int gpu_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };
	return gpu_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

int gpu_blob_create(int fd, uint32_t blob_mem, uint32_t blob_flags, uint64_t size,
		    uint64_t blob_id, const uint32_t *cmd, uint32_t cmd_size, struct gpu_blob *out)
{
	struct drm_virtgpu_resource_create_blob rc;
	memset(&rc, 0, sizeof(rc));
	rc.blob_mem = blob_mem;
	rc.blob_flags = blob_flags;
	rc.size = size;
	rc.blob_id = blob_id;
	rc.cmd = (uint64_t)(uintptr_t)cmd;
	rc.cmd_size = cmd_size;
	int r = gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, &rc);
	if (r == 0) {
		out->handle = rc.bo_handle;
		out->res_handle = rc.res_handle;
		out->size = size;
		out->map = NULL;
	}
	return r;
}

int gpu_resource_size(int fd, uint32_t handle, uint64_t *size)
{
	struct drm_virtgpu_resource_info ri = { .bo_handle = handle };
	int r = gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &ri);
	if (r == 0)
		*size = ri.size;
	return r;
}

int gpu_blob_map(int fd, struct gpu_blob *b)
{
	struct drm_virtgpu_map m = { .handle = b->handle };
	int r = gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_MAP, &m);
	if (r)
		return r;
	void *p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (p == MAP_FAILED)
		return -errno;
	b->map = p;
	return 0;
}

void gpu_blob_unmap(struct gpu_blob *b)
{
	if (b->map)
		munmap(b->map, b->size);
	b->map = NULL;
}

void gpu_blob_destroy(int fd, struct gpu_blob *b)
{
	gpu_blob_unmap(b);
	if (b->handle)
		gpu_gem_close(fd, b->handle);
	b->handle = 0;
}

int gpu_execbuffer(int fd, const void *cmd, uint32_t bytes, const uint32_t *handles, uint32_t nhandles)
{
	struct drm_virtgpu_execbuffer eb;
	memset(&eb, 0, sizeof(eb));
	eb.size = bytes;
	eb.command = (uint64_t)(uintptr_t)cmd;
	eb.bo_handles = (uint64_t)(uintptr_t)handles;
	eb.num_bo_handles = nhandles;
	eb.fence_fd = -1;
	return gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);
}

int gpu_wait(int fd, uint32_t handle)
{
	struct drm_virtgpu_3d_wait w = { .handle = handle };
	int r;
	/* The ioctl waits a bounded time and says EBUSY while the object is in use. */
	for (int i = 0; i < 100; i++) {
		r = gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &w);
		if (r != -EBUSY)
			return r;
	}
	return r;
}

void gpu_params_read(int fd, struct gpu_params *p)
{
	memset(p, 0, sizeof(*p));
	uint64_t dummy;
	p->ok_3d = gpu_getparam(fd, VIRTGPU_PARAM_3D_FEATURES, &p->has_3d) == 0;
	(void)gpu_getparam(fd, VIRTGPU_PARAM_CAPSET_QUERY_FIX, &p->capset_fix);
	p->ok_blob = gpu_getparam(fd, VIRTGPU_PARAM_RESOURCE_BLOB, &p->resource_blob) == 0;
	p->ok_host_visible = gpu_getparam(fd, VIRTGPU_PARAM_HOST_VISIBLE, &p->host_visible) == 0;
	(void)gpu_getparam(fd, VIRTGPU_PARAM_CROSS_DEVICE, &p->cross_device);
	p->ok_context_init = gpu_getparam(fd, VIRTGPU_PARAM_CONTEXT_INIT, &p->context_init) == 0;
	p->ok_capset_mask = gpu_getparam(fd, VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs, &p->capset_mask) == 0;
	(void)dummy;
	if (p->has_3d)
		for (uint32_t id = 1; id < 64; id++)
			if (gpu_capset_probe(fd, id) == 0)
				p->capsets_found |= 1ull << id;
}

int gpu_capset_probe(int fd, uint32_t id)
{
	static uint8_t buf[65536];
	/* Version 0 asks for the newest version the device offers. */
	struct drm_virtgpu_get_caps gc = { .cap_set_id = id, .cap_set_ver = 0, .addr = (uint64_t)(uintptr_t)buf,
					   .size = sizeof(buf) };
	return gpu_ioctl(fd, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc);
}

static uint32_t pattern_word(size_t i, uint32_t seed)
{
	/* A cheap hash of the position: every word differs from its neighbours
	 * and from the same position under another seed. */
	uint32_t x = (uint32_t)i * 2654435761u ^ seed;
	x ^= x >> 15;
	x *= 2246822519u;
	x ^= x >> 13;
	return x;
}

void pattern_fill(void *dst, size_t n, uint32_t seed)
{
	volatile uint8_t *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(pattern_word(i / 4, seed) >> (8 * (i % 4)));
}

size_t pattern_check(const void *src, size_t n, uint32_t seed)
{
	const volatile uint8_t *s = src;
	for (size_t i = 0; i < n; i++)
		if (s[i] != (uint8_t)(pattern_word(i / 4, seed) >> (8 * (i % 4))))
			return i;
	return n;
}
