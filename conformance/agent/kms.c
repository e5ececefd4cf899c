/* Finding a display output through KMS, for the cases that scan out. */
#include "kms.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gpu.h"

int kms_find_target(int fd, struct kms_target *t, char *why, size_t why_len)
{
	drmModeResPtr res = drmModeGetResources(fd);
	if (!res) {
		int r = step_result(-errno, "drmModeGetResources");
		snprintf(why, why_len, "GETRESOURCES: %s", strerror(-r));
		return r;
	}
	step("drmModeGetResources -> %d CRTCs, %d connectors", res->count_crtcs, res->count_connectors);
	int r = -ENODEV;
	snprintf(why, why_len, res->count_crtcs && res->count_connectors ? "no connected connector with a mode"
									  : "no CRTC or connector");
	for (int i = 0; res->count_crtcs && i < res->count_connectors && r; i++) {
		drmModeConnectorPtr conn = drmModeGetConnector(fd, res->connectors[i]);
		if (!conn) {
			step_result(-errno, "drmModeGetConnector %u", res->connectors[i]);
			continue;
		}
		step("drmModeGetConnector %u -> connection %d, %d modes", conn->connector_id, conn->connection,
		     conn->count_modes);
		if (conn->connection == DRM_MODE_CONNECTED && conn->count_modes > 0) {
			t->connector = conn->connector_id;
			t->crtc = res->crtcs[0];
			t->mode = conn->modes[0];
			for (int m = 0; m < conn->count_modes; m++)
				if (conn->modes[m].type & DRM_MODE_TYPE_PREFERRED) {
					t->mode = conn->modes[m];
					break;
				}
			r = 0;
		}
		drmModeFreeConnector(conn);
	}
	drmModeFreeResources(res);
	return r;
}

int kms_barrier(int fd, uint32_t crtc)
{
	/* One cursor buffer per process, kept until it exits: freeing it right
	 * after the cursor update could reach the device before that update,
	 * which travels on the cursor queue. */
	static uint32_t handle;
	if (!handle) {
		uint32_t pitch;
		uint64_t size;
		int r = step_result(drmModeCreateDumbBuffer(fd, 64, 64, 32, 0, &handle, &pitch, &size),
				    "drmModeCreateDumbBuffer 64x64 (cursor)");
		if (r)
			return r;
	}
	int r = step_result(drmModeSetCursor(fd, crtc, handle, 64, 64), "drmModeSetCursor crtc %u handle %u", crtc,
			    handle);
	if (!r)
		r = step_result(drmModeSetCursor(fd, crtc, 0, 0, 0), "drmModeSetCursor crtc %u (none)", crtc);
	return r;
}
