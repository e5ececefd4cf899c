/* SPDX-License-Identifier: MIT */
/*
 * A vhost-user back-end for one virtio device: message loop, guest memory,
 * split virtqueues, the back-end request channel (SHMEM_MAP/UNMAP) and the
 * vhost-user-gpu display channel.  The device itself is a table of callbacks,
 * so the same loop serves vgb-host and the transport tests.
 *
 * Everything the front-end sends is checked; a malformed message or ring ends
 * the connection with a message that says what was wrong.
 */
#ifndef VGB_VU_BACKEND_H
#define VGB_VU_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/guest_mem.h"

struct vgb_vu_backend;
struct virtio_gpu_resp_display_info;
struct virtio_gpu_resp_edid;

#define VGB_VU_MAX_QUEUES 8u
/* vgb_vu_device.request: keep the chain, never return it (a device that stopped answering). */
#define VGB_VU_HOLD ((size_t)-1)

struct vgb_vu_device {
	void *opaque;
	unsigned num_queues;     /* 1..VGB_VU_MAX_QUEUES */
	uint64_t features;       /* device-specific feature bits offered (0..23 and others) */
	uint8_t shmid;           /* host-visible region id (when shm_size > 0) */
	uint64_t shm_size;       /* bytes; 0 = no region, SHMEM not offered */
	bool gpu;                /* accept VHOST_USER_GPU_SET_SOCKET */
	size_t max_request;      /* bytes gathered from a chain's readable part */
	size_t max_response;     /* bytes of response buffer */

	/* Config space bytes; returns the size. */
	size_t (*config)(void *opaque, void *buf, size_t cap);
	/*
	 * What the front-end accepted, unoffered device bits (0..23) included, for the device to
	 * judge.  false: the device refuses the combination; SET_FEATURES is nacked, so the
	 * front-end cannot set FEATURES_OK.
	 */
	bool (*set_features)(void *opaque, uint64_t features);
	/*
	 * One chain of `queue`: req holds min(total_len, max_request) bytes of the
	 * readable part, total_len its real length.  Returns response bytes
	 * (<= resp_cap), or VGB_VU_HOLD to keep the chain: it is never returned.
	 * A value above resp_cap is returned as used.len as it is (only resp_cap
	 * bytes are written): a device that lies about what it wrote, for tests.
	 */
	size_t (*request)(void *opaque, unsigned queue, const struct vgb_guest_mem *mem,
			  const void *req, size_t req_len, size_t total_len, void *resp,
			  size_t resp_cap);
	void (*reset)(void *opaque);
	void (*mem_changed)(void *opaque);
	/*
	 * The front-end stopped the device (GET_VRING_BASE of every queue, as a VMM
	 * does on stop): it has dropped every region mapping (REQ-DEV-VU-0045), so
	 * the device must forget its mappings without SHMEM_UNMAP (REQ-DEV-VU-0010).
	 * Optional.
	 */
	void (*stop)(void *opaque);
	/*
	 * SET_CONFIG of len bytes at offset: true when the device accepts the write.
	 * Optional; without it only events_clear of a GPU is accepted (and ignored).
	 */
	bool (*set_config)(void *opaque, uint32_t offset, const void *buf, uint32_t len);
};

struct vgb_vu_backend_options {
	bool verbose;     /* log every message to stderr */
	int timeout_ms;   /* wait for front-end replies (default 5000) */
	/*
	 * A front-end requirement (REQ-DEV-VU-0043..0047) broken, for a back-end that
	 * validates its front-end: the request is then served anyway.  NULL: such
	 * a request ends the connection as a protocol error.
	 */
	void (*frontend_violation)(void *opaque, const char *req_id, const char *detail);
	void *opaque;
	/*
	 * Busy polling (0 = off): after each request, and while waiting for a
	 * front-end reply, look at the rings and sockets without sleeping for up
	 * to poll_us microseconds (at most VGB_VU_POLL_US_MAX), with the driver's
	 * kicks suppressed meanwhile; then sleep in poll() as usual.
	 */
	unsigned poll_us;
};

/* Takes ownership of sock (a connected unix stream socket). */
struct vgb_vu_backend *vgb_vu_backend_new(int sock, const struct vgb_vu_device *dev,
					  const struct vgb_vu_backend_options *opt);
void vgb_vu_backend_free(struct vgb_vu_backend *be);

/*
 * Serves the front-end until it disconnects (0) or breaks the protocol or a
 * ring (-EPROTO / -errno); vgb_vu_backend_error() then says what happened.
 */
int vgb_vu_backend_run(struct vgb_vu_backend *be);
/* One round: waits up to timeout_ms for any event and handles it. 1 = still running. */
int vgb_vu_backend_step(struct vgb_vu_backend *be, int timeout_ms);
const char *vgb_vu_backend_error(const struct vgb_vu_backend *be);

uint64_t vgb_vu_backend_features(const struct vgb_vu_backend *be);          /* negotiated */
uint64_t vgb_vu_backend_protocol_features(const struct vgb_vu_backend *be); /* negotiated */
bool vgb_vu_backend_started(const struct vgb_vu_backend *be); /* a queue was kicked */

/* Host-visible region (BACKEND_SHMEM_MAP/UNMAP over the back-end channel, waits for the ack). */
int vgb_vu_backend_shm_map(struct vgb_vu_backend *be, int fd, uint64_t fd_offset,
			   uint64_t shm_offset, uint64_t len, bool writable);
int vgb_vu_backend_shm_unmap(struct vgb_vu_backend *be, uint64_t shm_offset, uint64_t len);
/*
 * Any SHMEM_MAP/UNMAP (request VHOST_USER_BACKEND_SHMEM_*), for probing what a
 * front-end accepts: 0 done, -EIO refused, another -errno when it did not answer.
 */
int vgb_vu_backend_shm_request(struct vgb_vu_backend *be, uint32_t request, uint8_t shmid, int fd,
			       uint64_t fd_offset, uint64_t shm_offset, uint64_t len, uint64_t flags);

/* Display channel (no-ops returning -ENOTCONN without VHOST_USER_GPU_SET_SOCKET). */
int vgb_vu_gpu_scanout(struct vgb_vu_backend *be, uint32_t scanout_id, uint32_t width,
		       uint32_t height);
/* Pixels with rows of `stride` bytes, 4 bytes per pixel; split into bounded messages. */
int vgb_vu_gpu_update(struct vgb_vu_backend *be, uint32_t scanout_id, uint32_t x, uint32_t y,
		      uint32_t width, uint32_t height, const void *pixels, uint32_t stride);
/* argb64x64 NULL: position only (CURSOR_POS or CURSOR_POS_HIDE). */
int vgb_vu_gpu_cursor(struct vgb_vu_backend *be, uint32_t scanout_id, uint32_t x, uint32_t y,
		      bool visible, uint32_t hot_x, uint32_t hot_y, const void *argb64x64);
int vgb_vu_gpu_get_display_info(struct vgb_vu_backend *be,
				struct virtio_gpu_resp_display_info *out);
/* -ENOTSUP unless the front-end negotiated VHOST_USER_GPU_PROTOCOL_F_EDID. */
int vgb_vu_gpu_get_edid(struct vgb_vu_backend *be, uint32_t scanout_id,
			struct virtio_gpu_resp_edid *out);

/* Raw bytes (and optionally one fd) on the display channel: for tests that break the protocol on purpose. */
int vgb_vu_gpu_send_raw(struct vgb_vu_backend *be, const void *buf, size_t len, int fd);

/* Backend-program conventions: listen on a path and accept one front-end. */
int vgb_vu_listen_accept(const char *path, char *err, size_t errlen);

#endif
