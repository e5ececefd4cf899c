/* SPDX-License-Identifier: MIT */
/*
 * vhost-user message framing, both sides, as QEMU's docs/interop/vhost-user.rst
 * defines it: a 12-byte header (request, flags, size) in native byte order, a
 * payload, and file descriptors as SCM_RIGHTS ancillary data.
 *
 * The host-visible region binding follows the SHMEM series of Albert Esteve as
 * merged into QEMU (qemu-devel, "Add SHMEM_MAP/_UNMAP request" and "Add
 * GET_SHMEM_CONFIG vhost-user frontend", the revisions carrying Michael S.
 * Tsirkin's Signed-off-by, shipped in QEMU 11.1): protocol feature SHMEM = 22,
 * front-end VHOST_USER_GET_SHMEM_CONFIG = 44, back-end SHMEM_MAP = 9 and
 * SHMEM_UNMAP = 10 with the 40-byte MMAP request, flags bit 0 = writable.
 *
 * Every received message is checked against the size and fd count its type
 * defines before any field is used.
 */
#ifndef VGB_VHOST_USER_H
#define VGB_VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGB_VU_VERSION 0x1u
#define VGB_VU_VERSION_MASK 0x3u
#define VGB_VU_FLAG_REPLY (1u << 2)
#define VGB_VU_FLAG_NEED_REPLY (1u << 3)
#define VGB_VU_HDR_SIZE 12u
#define VGB_VU_MAX_FDS 8u

/* Front-end requests (front-end -> back-end). */
enum vgb_vu_request {
	VGB_VU_GET_FEATURES = 1,
	VGB_VU_SET_FEATURES = 2,
	VGB_VU_SET_OWNER = 3,
	VGB_VU_RESET_OWNER = 4,
	VGB_VU_SET_MEM_TABLE = 5,
	VGB_VU_SET_LOG_BASE = 6,
	VGB_VU_SET_LOG_FD = 7,
	VGB_VU_SET_VRING_NUM = 8,
	VGB_VU_SET_VRING_ADDR = 9,
	VGB_VU_SET_VRING_BASE = 10,
	VGB_VU_GET_VRING_BASE = 11,
	VGB_VU_SET_VRING_KICK = 12,
	VGB_VU_SET_VRING_CALL = 13,
	VGB_VU_SET_VRING_ERR = 14,
	VGB_VU_GET_PROTOCOL_FEATURES = 15,
	VGB_VU_SET_PROTOCOL_FEATURES = 16,
	VGB_VU_GET_QUEUE_NUM = 17,
	VGB_VU_SET_VRING_ENABLE = 18,
	VGB_VU_SET_BACKEND_REQ_FD = 21,
	VGB_VU_GET_CONFIG = 24,
	VGB_VU_SET_CONFIG = 25,
	VGB_VU_GPU_SET_SOCKET = 33,
	VGB_VU_RESET_DEVICE = 34,
	VGB_VU_GET_SHMEM_CONFIG = 44,
};

/* Back-end requests on the back-end request channel (back-end -> front-end). */
enum vgb_vu_backend_request {
	VGB_VU_BACKEND_CONFIG_CHANGE_MSG = 2,
	VGB_VU_BACKEND_SHMEM_MAP = 9,
	VGB_VU_BACKEND_SHMEM_UNMAP = 10,
};

/* Protocol feature bits. */
#define VGB_VU_PROTOCOL_F_MQ 0
#define VGB_VU_PROTOCOL_F_REPLY_ACK 3
#define VGB_VU_PROTOCOL_F_BACKEND_REQ 5
#define VGB_VU_PROTOCOL_F_CONFIG 9
#define VGB_VU_PROTOCOL_F_BACKEND_SEND_FD 10
#define VGB_VU_PROTOCOL_F_RESET_DEVICE 13
#define VGB_VU_PROTOCOL_F_SHMEM 22

/* SET_VRING_KICK/CALL/ERR: u64 with the index in bits 0-7 and "no fd" in bit 8. */
#define VGB_VU_VRING_IDX_MASK 0xffull
#define VGB_VU_VRING_NOFD (1ull << 8)

#define VGB_VU_MAX_CONFIG_SIZE 256u
#define VGB_VU_MAX_SHMEM_REGIONS 256u
#define VGB_VU_SHMEM_FLAG_WRITABLE (1ull << 0)

struct vgb_vu_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vgb_vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_uva;
	uint64_t used_uva;
	uint64_t avail_uva;
	uint64_t log_gpa;
};

struct vgb_vu_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
};

struct vgb_vu_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vgb_vu_mem_region regions[8];
};

struct vgb_vu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t payload[VGB_VU_MAX_CONFIG_SIZE];
};
#define VGB_VU_CONFIG_HDR_SIZE 12u

struct vgb_vu_shmem_config {
	uint32_t nregions;
	uint32_t padding;
	uint64_t memory_sizes[VGB_VU_MAX_SHMEM_REGIONS]; /* indexed by shmid */
};

struct vgb_vu_mmap {
	uint8_t shmid;
	uint8_t padding[7];
	uint64_t fd_offset;
	uint64_t shm_offset;
	uint64_t len;
	uint64_t flags;
};

_Static_assert(sizeof(struct vgb_vu_vring_state) == 8, "vring state");
_Static_assert(sizeof(struct vgb_vu_vring_addr) == 40, "vring addr");
_Static_assert(sizeof(struct vgb_vu_memory) == 8 + 8 * 32, "memory table");
_Static_assert(sizeof(struct vgb_vu_config) == 12 + 256, "config");
_Static_assert(sizeof(struct vgb_vu_shmem_config) == 8 + 256 * 8, "shmem config");
_Static_assert(sizeof(struct vgb_vu_mmap) == 40, "mmap request");

union vgb_vu_payload {
	uint64_t u64;
	struct vgb_vu_vring_state state;
	struct vgb_vu_vring_addr addr;
	struct vgb_vu_memory memory;
	struct vgb_vu_config config;
	struct vgb_vu_shmem_config shmem;
	struct vgb_vu_mmap mmap;
	uint8_t bytes[1];
};

#define VGB_VU_MAX_PAYLOAD sizeof(union vgb_vu_payload)

/* One message as received or to be sent; fds travel beside it. */
struct vgb_vu_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* payload bytes */
	union vgb_vu_payload payload;
	int fds[VGB_VU_MAX_FDS];
	unsigned nfds;
};

/* Builds a header (version 1) and zeroes the payload. */
void vgb_vu_msg_init(struct vgb_vu_msg *m, uint32_t request, uint32_t flags, uint32_t size);

/*
 * Sends header + payload with fds (MSG_NOSIGNAL). 0, -EPIPE (peer gone) or -errno.
 */
int vgb_vu_send(int sock, const struct vgb_vu_msg *m, const int *fds, unsigned nfds);

/*
 * Receives one message: waits up to timeout_ms (-1 forever) for it to start,
 * then reads it whole.  0; -EPIPE on EOF; -ETIMEDOUT; -EPROTO when the framing
 * is broken (bad version, payload larger than any message, more than 8 fds or
 * truncated ancillary data, short message): err says what.  Received fds are
 * in m->fds and belong to the caller (vgb_vu_close_fds).
 */
int vgb_vu_recv(int sock, struct vgb_vu_msg *m, int timeout_ms, char *err, size_t errlen);
void vgb_vu_close_fds(struct vgb_vu_msg *m);

/*
 * Checks a front-end request as a back-end receives it: known request, exact
 * payload size and fd count for its type.  0, -ENOTSUP for a request this
 * project does not implement, or -EPROTO; err says what.
 */
int vgb_vu_check_frontend_msg(const struct vgb_vu_msg *m, char *err, size_t errlen);
/* Same for a back-end request as a front-end receives it on the request channel. */
int vgb_vu_check_backend_msg(const struct vgb_vu_msg *m, char *err, size_t errlen);
/* Checks a reply to `request`: reply flag, same request, expected size. */
int vgb_vu_check_reply(const struct vgb_vu_msg *m, uint32_t request, uint32_t size, char *err,
		       size_t errlen);

const char *vgb_vu_request_name(uint32_t request);
const char *vgb_vu_backend_request_name(uint32_t request);

/* Low-level helpers shared by both sides and the display channel. */
int vgb_sock_write_all(int sock, const void *buf, size_t len);
/* Same, giving up with -ETIMEDOUT when the peer reads nothing until deadline_ms (<0 = forever). */
int vgb_sock_write_all_until(int sock, const void *buf, size_t len, int64_t deadline_ms);
/* Reads exactly len bytes, waiting at most until deadline_ms (monotonic; <0 = forever). */
int vgb_sock_read_all(int sock, void *buf, size_t len, int64_t deadline_ms);
int64_t vgb_now_ms(void);
int64_t vgb_now_us(void);
int64_t vgb_deadline(int timeout_ms); /* -1 for timeout_ms < 0 */
int vgb_ms_left(int64_t deadline);    /* -1 forever, else >= 0 */
/*
 * poll(), but first up to spin_us microseconds of polls that do not sleep (busy
 * polling; 0 = none, and none when timeout_ms is 0): a reply or kick arriving
 * meanwhile costs no wake-up.  Returns what poll() returns.
 */
struct pollfd;
/* The longest busy-poll window either side accepts: polling is for latency, never a spin forever. */
#define VGB_VU_POLL_US_MAX 1000u
int vgb_poll_spin(struct pollfd *pfd, unsigned n, int timeout_ms, unsigned spin_us);

#endif
