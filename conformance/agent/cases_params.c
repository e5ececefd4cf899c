/* pair.params.*: what the guest driver learned from the device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "requirements.h"

static enum verdict params_features(struct case_ctx *c)
{
	static const struct { uint64_t id; const char *name; } params[] = {
		{ VIRTGPU_PARAM_3D_FEATURES, "3d" },
		{ VIRTGPU_PARAM_CAPSET_QUERY_FIX, "capset_query_fix" },
		{ VIRTGPU_PARAM_RESOURCE_BLOB, "resource_blob" },
		{ VIRTGPU_PARAM_HOST_VISIBLE, "host_visible" },
		{ VIRTGPU_PARAM_CROSS_DEVICE, "cross_device" },
		{ VIRTGPU_PARAM_CONTEXT_INIT, "context_init" },
		{ VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs, "supported_capset_ids" },
		{ VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME, "explicit_debug_name" },
		{ VIRTGPU_PARAM_BLOB_ALIGNMENT, "blob_alignment" },
	};
	char info[1024] = "{\"type\":\"info\",\"params\":{";
	int failed_core = 0;
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		uint64_t v = 0;
		int r = gpu_getparam(c->fd, params[i].id, &v);
		size_t n = strlen(info);
		if (r == 0)
			snprintf(info + n, sizeof(info) - n, "%s\"%s\":%llu", i ? "," : "", params[i].name,
				 (unsigned long long)v);
		else
			snprintf(info + n, sizeof(info) - n, "%s\"%s\":null", i ? "," : "", params[i].name);
		if (r == 0)
			case_say(c, PASS, "%s=%llu", params[i].name, (unsigned long long)v);
		else
			case_say(c, PASS, "%s unknown to this kernel (%s)", params[i].name, strerror(-r));
		/* Every kernel with blob support knows the first six parameters. */
		if (r && params[i].id <= VIRTGPU_PARAM_CONTEXT_INIT)
			failed_core = 1;
	}
	strncat(info, "}}", sizeof(info) - strlen(info) - 1);
	case_event(info);
	if (failed_core)
		return case_say(c, FAIL, "a core parameter could not be read");
	/* The driver's parameters mirror what the device offered. */
	if (c->params.context_init && !c->params.has_3d)
		return case_say(c, FAIL, "device offers CONTEXT_INIT without VIRGL (REQ-DEV-FEAT-0001)");
	if (c->params.host_visible && !c->params.resource_blob)
		return case_say(c, FAIL,
				"device exposes a host-visible region but does not offer RESOURCE_BLOB, so nothing "
				"can ever be mapped into it (REQ-DEV-FEAT-0003)");
	return PASS;
}

static enum verdict params_capsets(struct case_ctx *c)
{
	if (!c->params.has_3d)
		return case_say(c, NOT_SUPPORTED, "device offers no VIRTIO_GPU_F_VIRGL: no capsets");
	if (!c->params.capsets_found)
		return case_say(c, FAIL, "3D device, but no capset id 1..63 can be read");
	for (uint32_t id = 1; id < 64; id++)
		if (c->params.capsets_found & (1ull << id))
			case_say(c, PASS, "capset %u read", id);
	return PASS;
}

/* SUPPORTED_CAPSET_IDs must name exactly the capsets the driver has. */
static enum verdict params_capset_mask(struct case_ctx *c)
{
	if (!c->params.has_3d)
		return case_say(c, NOT_SUPPORTED, "device offers no VIRTIO_GPU_F_VIRGL: no capsets");
	if (!c->params.ok_capset_mask)
		return case_say(c, NOT_SUPPORTED, "this kernel has no SUPPORTED_CAPSET_IDs parameter");
	uint64_t found = c->params.capsets_found, mask = c->params.capset_mask;
	uint64_t high = found >> 32;
	uint64_t ghosts = mask & ~found, missing = found & 0xffffffffull & ~mask;
	if (ghosts || missing || high) {
		for (uint32_t id = 1; id < 64; id++) {
			if (ghosts & (1ull << id))
				case_say(c, FAIL, "mask names capset %u, which does not exist", id);
			if (missing & (1ull << id))
				case_say(c, FAIL, "capset %u exists but is missing from the mask", id);
			if (id >= 32 && (found & (1ull << id)))
				case_say(c, FAIL, "capset %u exists but a 32-bit mask cannot name it", id);
		}
		return FAIL;
	}
	return case_say(c, PASS, "mask 0x%llx names exactly the capsets present", (unsigned long long)mask);
}

static enum verdict params_context_init(struct case_ctx *c)
{
	if (!c->params.context_init)
		return case_say(c, NOT_SUPPORTED, "device offers no VIRTIO_GPU_F_CONTEXT_INIT");
	uint64_t found = c->params.capsets_found;
	uint32_t id = (found & (1u << VIRTGPU_DRM_CAPSET_VIRGL2)) ? VIRTGPU_DRM_CAPSET_VIRGL2
		    : (found & (1u << VIRTGPU_DRM_CAPSET_VIRGL)) ? VIRTGPU_DRM_CAPSET_VIRGL : 0;
	for (uint32_t i = 1; i < 64 && !id; i++)
		if (found & (1ull << i))
			id = i;
	if (!id)
		return case_say(c, NOT_SUPPORTED, "no capset to create a context with");
	struct drm_virtgpu_context_set_param p = { .param = VIRTGPU_CONTEXT_PARAM_CAPSET_ID, .value = id };
	struct drm_virtgpu_context_init ci = { .num_params = 1, .ctx_set_params = (uint64_t)(uintptr_t)&p };
	int r = gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci);
	if (r)
		return case_say(c, FAIL, "CONTEXT_INIT with capset %u: %s", id, strerror(-r));
	/* A second init on the same file is a driver error (EEXIST). */
	r = gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci);
	if (r != -EEXIST)
		return case_say(c, FAIL, "second CONTEXT_INIT gave %s, expected EEXIST", r ? strerror(-r) : "success");
	return case_say(c, PASS, "context with capset %u created", id);
}

const struct case_def params_cases[] = {
	{ "pair.params.features", params_features, CASE_IDS(IDS_PARAMS_FEATURES) },
	{ "pair.params.capsets", params_capsets, CASE_IDS(IDS_PARAMS_CAPSETS) },
	{ "pair.params.capset_mask", params_capset_mask, CASE_IDS(IDS_PARAMS_CAPSET_MASK) },
	{ "pair.params.context_init", params_context_init, CASE_IDS(IDS_PARAMS_CONTEXT_INIT) },
	{ NULL, NULL, NULL },
};
