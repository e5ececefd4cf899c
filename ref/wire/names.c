/* SPDX-License-Identifier: MIT */
#include "vgb/names.h"

#include "vgb/wire.h"

struct name {
	uint32_t value;
	const char *name;
};

#define N(prefix, x) {prefix##x, #x}

static const struct name cmd_names[] = {
	N(VIRTIO_GPU_CMD_, GET_DISPLAY_INFO),
	N(VIRTIO_GPU_CMD_, RESOURCE_CREATE_2D),
	N(VIRTIO_GPU_CMD_, RESOURCE_UNREF),
	N(VIRTIO_GPU_CMD_, SET_SCANOUT),
	N(VIRTIO_GPU_CMD_, RESOURCE_FLUSH),
	N(VIRTIO_GPU_CMD_, TRANSFER_TO_HOST_2D),
	N(VIRTIO_GPU_CMD_, RESOURCE_ATTACH_BACKING),
	N(VIRTIO_GPU_CMD_, RESOURCE_DETACH_BACKING),
	N(VIRTIO_GPU_CMD_, GET_CAPSET_INFO),
	N(VIRTIO_GPU_CMD_, GET_CAPSET),
	N(VIRTIO_GPU_CMD_, GET_EDID),
	N(VIRTIO_GPU_CMD_, RESOURCE_ASSIGN_UUID),
	N(VIRTIO_GPU_CMD_, RESOURCE_CREATE_BLOB),
	N(VIRTIO_GPU_CMD_, SET_SCANOUT_BLOB),
	N(VIRTIO_GPU_CMD_, CTX_CREATE),
	N(VIRTIO_GPU_CMD_, CTX_DESTROY),
	N(VIRTIO_GPU_CMD_, CTX_ATTACH_RESOURCE),
	N(VIRTIO_GPU_CMD_, CTX_DETACH_RESOURCE),
	N(VIRTIO_GPU_CMD_, RESOURCE_CREATE_3D),
	N(VIRTIO_GPU_CMD_, TRANSFER_TO_HOST_3D),
	N(VIRTIO_GPU_CMD_, TRANSFER_FROM_HOST_3D),
	N(VIRTIO_GPU_CMD_, SUBMIT_3D),
	N(VIRTIO_GPU_CMD_, RESOURCE_MAP_BLOB),
	N(VIRTIO_GPU_CMD_, RESOURCE_UNMAP_BLOB),
	N(VIRTIO_GPU_CMD_, UPDATE_CURSOR),
	N(VIRTIO_GPU_CMD_, MOVE_CURSOR),
};

static const struct name resp_names[] = {
	N(VIRTIO_GPU_RESP_, OK_NODATA),
	N(VIRTIO_GPU_RESP_, OK_DISPLAY_INFO),
	N(VIRTIO_GPU_RESP_, OK_CAPSET_INFO),
	N(VIRTIO_GPU_RESP_, OK_CAPSET),
	N(VIRTIO_GPU_RESP_, OK_EDID),
	N(VIRTIO_GPU_RESP_, OK_RESOURCE_UUID),
	N(VIRTIO_GPU_RESP_, OK_MAP_INFO),
	N(VIRTIO_GPU_RESP_, ERR_UNSPEC),
	N(VIRTIO_GPU_RESP_, ERR_OUT_OF_MEMORY),
	N(VIRTIO_GPU_RESP_, ERR_INVALID_SCANOUT_ID),
	N(VIRTIO_GPU_RESP_, ERR_INVALID_RESOURCE_ID),
	N(VIRTIO_GPU_RESP_, ERR_INVALID_CONTEXT_ID),
	N(VIRTIO_GPU_RESP_, ERR_INVALID_PARAMETER),
};

static const struct name format_names[] = {
	N(VIRTIO_GPU_FORMAT_, B8G8R8A8_UNORM),
	N(VIRTIO_GPU_FORMAT_, B8G8R8X8_UNORM),
	N(VIRTIO_GPU_FORMAT_, A8R8G8B8_UNORM),
	N(VIRTIO_GPU_FORMAT_, X8R8G8B8_UNORM),
	N(VIRTIO_GPU_FORMAT_, R8G8B8A8_UNORM),
	N(VIRTIO_GPU_FORMAT_, X8B8G8R8_UNORM),
	N(VIRTIO_GPU_FORMAT_, A8B8G8R8_UNORM),
	N(VIRTIO_GPU_FORMAT_, R8G8B8X8_UNORM),
};

static const struct name blob_mem_names[] = {
	N(VIRTIO_GPU_BLOB_MEM_, GUEST),
	N(VIRTIO_GPU_BLOB_MEM_, HOST3D),
	N(VIRTIO_GPU_BLOB_MEM_, HOST3D_GUEST),
};

static const struct name cache_names[] = {
	N(VIRTIO_GPU_MAP_CACHE_, NONE),
	N(VIRTIO_GPU_MAP_CACHE_, CACHED),
	N(VIRTIO_GPU_MAP_CACHE_, UNCACHED),
	N(VIRTIO_GPU_MAP_CACHE_, WC),
};

static const struct name feature_names[] = {
	N(VIRTIO_GPU_F_, VIRGL),
	N(VIRTIO_GPU_F_, EDID),
	N(VIRTIO_GPU_F_, RESOURCE_UUID),
	N(VIRTIO_GPU_F_, RESOURCE_BLOB),
	N(VIRTIO_GPU_F_, CONTEXT_INIT),
	N(VIRTIO_GPU_F_, BLOB_ALIGNMENT),
	{VGB_F_RING_INDIRECT_DESC, "RING_INDIRECT_DESC"},
	{VGB_F_PROTOCOL_FEATURES, "PROTOCOL_FEATURES"},
	{VGB_F_VERSION_1, "VERSION_1"},
};

static const char *lookup(const struct name *t, size_t n, uint32_t value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return "?";
}

#define LOOKUP(t, v) lookup(t, sizeof(t) / sizeof(t[0]), v)

const char *vgb_cmd_name(uint32_t type) { return LOOKUP(cmd_names, type); }
const char *vgb_resp_name(uint32_t type) { return LOOKUP(resp_names, type); }
const char *vgb_format_name(uint32_t format) { return LOOKUP(format_names, format); }
const char *vgb_blob_mem_name(uint32_t blob_mem) { return LOOKUP(blob_mem_names, blob_mem); }
const char *vgb_feature_name(unsigned bit) { return LOOKUP(feature_names, bit); }

const char *vgb_cache_name(uint32_t map_info)
{
	return LOOKUP(cache_names, map_info & VIRTIO_GPU_MAP_CACHE_MASK);
}
