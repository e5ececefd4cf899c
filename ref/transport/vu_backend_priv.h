/* SPDX-License-Identifier: MIT */
/* State of the vhost-user back-end shared by its message loop and its display channel. */
#ifndef VGB_VU_BACKEND_PRIV_H
#define VGB_VU_BACKEND_PRIV_H

#include "vgb/virtq.h"
#include "vgb/vhost_user.h"
#include "vgb/vu_backend.h"

struct be_queue {
	struct vgb_vq_dev vq;
	uint16_t num;       /* 0 until SET_VRING_NUM */
	bool addr_set;
	uint64_t desc_uva, avail_uva, used_uva;
	int kick_fd, call_fd, err_fd;
	bool started; /* kicked since the kick fd was set */
	bool enabled;
};

struct vgb_vu_backend {
	int sock;
	int backend_fd; /* back-end request channel, -1 until SET_BACKEND_REQ_FD */
	int gpu_fd;     /* display channel, -1 until GPU_SET_SOCKET */
	struct vgb_vu_device dev;
	struct vgb_vu_backend_options opt;
	uint64_t features;
	uint64_t protocol_features;
	bool features_set;
	struct vgb_guest_mem mem;
	struct be_queue q[VGB_VU_MAX_QUEUES];
	bool started; /* first kick seen: the driver has started the device */
	uint8_t *req_buf, *resp_buf;
	bool gpu_proto_pending;
	uint64_t gpu_protocol_features;
	bool done;
	int status;
	char err[320];
	/*
	 * While a chain is processed the back-end may wait for the front-end (SHMEM
	 * ack, display reply).  A front-end like QEMU may meanwhile block on its own
	 * request (SET_MEM_TABLE after a mapping change): such messages are served
	 * during the wait, the memory they replace stays mapped until the chain is
	 * done, and every other message waits in order until then.
	 */
	bool in_request;
	struct vgb_guest_mem retired[4];
	unsigned nretired;
	struct vgb_vu_msg *deferred[32];
	unsigned ndeferred;
};

void be_log(struct vgb_vu_backend *be, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int be_fail(struct vgb_vu_backend *be, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Waits until fd is readable while serving the front-end's main socket as
 * described above.  0, -ETIMEDOUT, or -EPIPE/-EPROTO when the connection ended
 * (be->done is then set).
 */
int be_wait_readable(struct vgb_vu_backend *be, int fd, int64_t deadline);

/* Display channel: handles a readable gpu socket (replies to our requests, HUP). */
void be_gpu_readable(struct vgb_vu_backend *be);
/* Starts the display channel on a new socket: asks for its protocol features. */
void be_gpu_attach(struct vgb_vu_backend *be, int fd);
void be_gpu_detach(struct vgb_vu_backend *be);

#endif
