/* pair.negative.*: requests the driver must refuse, with the errno it gives. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blob_kinds.h"
#include "requirements.h"
#include "virgl.h"

#define BOGUS_HANDLE 0x7ffffff0u

static const char *err_name(int r)
{
	static char buf[32];
	if (r == 0)
		return "success";
	switch (-r) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case ENOSYS: return "ENOSYS";
	case EFAULT: return "EFAULT";
	case ENOMEM: return "ENOMEM";
	case ENODEV: return "ENODEV";
	case EEXIST: return "EEXIST";
	}
	snprintf(buf, sizeof(buf), "errno %d", -r);
	return buf;
}

/* Records one expectation; returns 1 when it failed. */
static int expect(struct case_ctx *c, const char *what, int got, int want)
{
	if (got == -want) {
		case_say(c, PASS, "%s: %s", what, err_name(got));
		return 0;
	}
	case_say(c, FAIL, "%s: got %s, expected %s", what, err_name(got), err_name(-want));
	return 1;
}

static enum verdict negative_bad_handle(struct case_ctx *c)
{
	int fails = 0;
	struct drm_virtgpu_map m = { .handle = BOGUS_HANDLE };
	fails += expect(c, "MAP unknown handle", gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_MAP, &m), ENOENT);
	fails += expect(c, "GEM_CLOSE unknown handle", gpu_gem_close(c->fd, BOGUS_HANDLE), EINVAL);
	struct drm_virtgpu_resource_info ri = { .bo_handle = BOGUS_HANDLE };
	fails += expect(c, "RESOURCE_INFO unknown handle", gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &ri),
			ENOENT);
	struct drm_virtgpu_3d_wait w = { .handle = BOGUS_HANDLE };
	fails += expect(c, "WAIT unknown handle", gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_WAIT, &w), ENOENT);
	return fails ? FAIL : PASS;
}

static int blob_try(struct case_ctx *c, uint32_t mem, uint32_t flags, uint64_t size, uint64_t blob_id,
		    const uint32_t *cmd, uint32_t cmd_size)
{
	struct gpu_blob b;
	int r = gpu_blob_create(c->fd, mem, flags, size, blob_id, cmd, cmd_size, &b);
	if (r == 0)
		gpu_blob_destroy(c->fd, &b);
	return r;
}

static enum verdict negative_blob_args(struct case_ctx *c)
{
	int fails = 0;
	const uint32_t map = VIRTGPU_BLOB_FLAG_USE_MAPPABLE;
	if (!c->params.resource_blob) {
		/* Without the feature the driver must refuse before asking the device. */
		fails += expect(c, "CREATE_BLOB without RESOURCE_BLOB",
				blob_try(c, VIRTGPU_BLOB_MEM_GUEST, map, 65536, 0, NULL, 0), EINVAL);
		return fails ? FAIL : PASS;
	}
	fails += expect(c, "blob_mem 0", blob_try(c, 0, map, 65536, 0, NULL, 0), EINVAL);
	fails += expect(c, "blob_mem 99", blob_try(c, 99, map, 65536, 0, NULL, 0), EINVAL);
	fails += expect(c, "unknown blob_flags bit 7", blob_try(c, VIRTGPU_BLOB_MEM_GUEST, 0x80, 65536, 0, NULL, 0),
			EINVAL);
	fails += expect(c, "GUEST blob with a blob_id", blob_try(c, VIRTGPU_BLOB_MEM_GUEST, map, 65536, 5, NULL, 0),
			EINVAL);
	uint32_t cmd[VIRGL_PIPE_RES_CREATE_DWORDS];
	virgl_encode_buffer_create(cmd, 65536, 9);
	fails += expect(c, "GUEST blob with a command", blob_try(c, VIRTGPU_BLOB_MEM_GUEST, map, 65536, 0, cmd,
								 sizeof(cmd)),
			EINVAL);
	if (c->params.has_3d)
		fails += expect(c, "HOST3D blob with a command not a multiple of 4 bytes",
				blob_try(c, VIRTGPU_BLOB_MEM_HOST3D, map, 65536, 9, cmd, sizeof(cmd) - 2), EINVAL);
	else
		fails += expect(c, "HOST3D blob without VIRGL",
				blob_try(c, VIRTGPU_BLOB_MEM_HOST3D, map, 65536, 9, cmd, sizeof(cmd)), EINVAL);
	return fails ? FAIL : PASS;
}

static enum verdict negative_params(struct case_ctx *c)
{
	int fails = 0;
	uint64_t v;
	fails += expect(c, "GETPARAM 0x7fff", gpu_getparam(c->fd, 0x7fff, &v), EINVAL);
	if (!c->params.has_3d) {
		uint32_t nop = 0;
		fails += expect(c, "EXECBUFFER on a 2D device", gpu_execbuffer(c->fd, &nop, 4, NULL, 0), ENOSYS);
		struct drm_virtgpu_get_caps gc = { .cap_set_id = 1, .addr = 0, .size = 0 };
		fails += expect(c, "GET_CAPS on a 2D device", gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc), ENOSYS);
	} else {
		fails += expect(c, "EXECBUFFER from an unreadable address",
				gpu_execbuffer(c->fd, (const uint32_t *)(uintptr_t)8, 64, NULL, 0), EFAULT);
	}
	return fails ? FAIL : PASS;
}

const struct case_def negative_cases[] = {
	{ "pair.negative.bad_handle", negative_bad_handle, CASE_IDS(IDS_NEGATIVE_HANDLE) },
	{ "pair.negative.blob_args", negative_blob_args, CASE_IDS(IDS_NEGATIVE_BLOB_ARGS) },
	{ "pair.negative.params", negative_params, CASE_IDS(IDS_NEGATIVE_PARAM) },
	{ NULL, NULL, NULL },
};
