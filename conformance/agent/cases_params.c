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
	uint64_t mask = c->params.ok_capset_mask ? c->params.capset_mask : (1u << VIRTGPU_DRM_CAPSET_VIRGL);
	int seen = 0;
	for (uint32_t id = 1; id < 64; id++) {
		if (!(mask & (1ull << id)))
			continue;
		/* Version 0 asks for the newest version the host offers. */
		static uint8_t buf[65536];
		struct drm_virtgpu_get_caps gc = { .cap_set_id = id, .cap_set_ver = 0,
						   .addr = (uint64_t)(uintptr_t)buf, .size = sizeof(buf) };
		int r = gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc);
		if (r)
			return case_say(c, FAIL, "GET_CAPS capset %u offered but refused: %s", id, strerror(-r));
		case_say(c, PASS, "capset %u read", id);
		seen++;
	}
	if (!seen)
		return case_say(c, FAIL, "3D device offers no capset");
	return PASS;
}

static enum verdict params_context_init(struct case_ctx *c)
{
	if (!c->params.context_init)
		return case_say(c, NOT_SUPPORTED, "device offers no VIRTIO_GPU_F_CONTEXT_INIT");
	uint64_t mask = c->params.capset_mask;
	uint32_t id = (mask & (1u << VIRTGPU_DRM_CAPSET_VIRGL2)) ? VIRTGPU_DRM_CAPSET_VIRGL2
		    : (mask & (1u << VIRTGPU_DRM_CAPSET_VIRGL)) ? VIRTGPU_DRM_CAPSET_VIRGL : 0;
	if (!id) {
		for (uint32_t i = 1; i < 64 && !id; i++)
			if (mask & (1ull << i))
				id = i;
	}
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
	{ "pair.params.context_init", params_context_init, CASE_IDS(IDS_PARAMS_CONTEXT_INIT) },
	{ NULL, NULL, NULL },
};
