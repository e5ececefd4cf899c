/* Finding a display output through KMS, for the cases that scan out. */
#include "kms.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gpu.h"

int kms_find_target(int fd, struct kms_target *t, char *why, size_t why_len)
{
	struct drm_mode_card_res res;
	memset(&res, 0, sizeof(res));
	int r = gpu_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res);
	if (r) {
		snprintf(why, why_len, "GETRESOURCES: %s", strerror(-r));
		return r;
	}
	uint32_t conns[16], crtcs[16];
	if (res.count_connectors > 16) res.count_connectors = 16;
	if (res.count_crtcs > 16) res.count_crtcs = 16;
	res.count_fbs = res.count_encoders = 0;
	res.connector_id_ptr = (uint64_t)(uintptr_t)conns;
	res.crtc_id_ptr = (uint64_t)(uintptr_t)crtcs;
	r = gpu_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res);
	if (r || !res.count_crtcs || !res.count_connectors) {
		snprintf(why, why_len, "no CRTC or connector");
		return r ? r : -ENODEV;
	}
	for (uint32_t i = 0; i < res.count_connectors; i++) {
		struct drm_mode_modeinfo modes[32];
		struct drm_mode_get_connector gc;
		memset(&gc, 0, sizeof(gc));
		gc.connector_id = conns[i];
		if (gpu_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc))
			continue;
		if (gc.connection != 1 || gc.count_modes == 0)
			continue;
		if (gc.count_modes > 32) gc.count_modes = 32;
		uint32_t n_modes = gc.count_modes;
		memset(&gc, 0, sizeof(gc));
		gc.connector_id = conns[i];
		gc.count_modes = n_modes;
		gc.modes_ptr = (uint64_t)(uintptr_t)modes;
		if (gpu_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc) || gc.count_modes == 0)
			continue;
		t->connector = conns[i];
		t->crtc = crtcs[0];
		t->mode = modes[0];
		for (uint32_t m = 0; m < gc.count_modes && m < n_modes; m++)
			if (modes[m].type & DRM_MODE_TYPE_PREFERRED) {
				t->mode = modes[m];
				break;
			}
		return 0;
	}
	snprintf(why, why_len, "no connected connector with a mode");
	return -ENODEV;
}


int kms_barrier(int fd, uint32_t crtc)
{
	/* One cursor buffer per process, kept until it exits: freeing it right
	 * after the cursor update could reach the device before that update,
	 * which travels on the cursor queue. */
	static uint32_t handle;
	if (!handle) {
		struct drm_mode_create_dumb cd = { .width = 64, .height = 64, .bpp = 32 };
		int r = gpu_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd);
		if (r)
			return r;
		handle = cd.handle;
	}
	struct drm_mode_cursor set = { .flags = DRM_MODE_CURSOR_BO, .crtc_id = crtc, .width = 64, .height = 64,
				       .handle = handle };
	int r = gpu_ioctl(fd, DRM_IOCTL_MODE_CURSOR, &set);
	struct drm_mode_cursor clear = { .flags = DRM_MODE_CURSOR_BO, .crtc_id = crtc };
	if (!r)
		r = gpu_ioctl(fd, DRM_IOCTL_MODE_CURSOR, &clear);
	return r;
}
