/* A connected output and its preferred mode, found through KMS. */
#ifndef VGB_AGENT_KMS_H
#define VGB_AGENT_KMS_H

#include <stddef.h>
#include <stdint.h>

#include <drm/drm_mode.h>

struct kms_target {
	uint32_t connector, crtc;
	struct drm_mode_modeinfo mode;
};

/* 0, or -errno with why set (no CRTC, no connected connector with a mode). */
int kms_find_target(int fd, struct kms_target *t, char *why, size_t why_len);

/*
 * Returns once the device has processed every control-queue command the
 * driver sent before it (0), or -errno. KMS offers no such wait, but the Linux
 * driver uploads a new dumb-buffer cursor with a fenced TRANSFER_TO_HOST_2D
 * and waits for that fence: a cursor set and cleared on the CRTC is the
 * barrier. The device processes the control queue in order.
 */
int kms_barrier(int fd, uint32_t crtc);

#endif
