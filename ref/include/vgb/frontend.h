/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user frontend: what a VMM does for a vhost-user-gpu backend, in
 * one process.  It owns guest RAM (memfd regions), the split virtqueues that
 * live in it, the host-visible region reservation that the backend fills with
 * BACKEND_SHMEM_MAP, and the vhost-user-gpu display socket.  The driver
 * (driver.h) builds commands on top of it.  Every message and descriptor the
 * backend returns is untrusted.
 */
#ifndef VGB_FRONTEND_H
#define VGB_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgb/guest_mem.h"

struct vgb_fe;

/*
 * What crosses the transport, as it happens: the record a failing test shows
 * of the exchange.  message: one vhost-user message on the main socket
 * ("main") or the back-end request channel ("backend"), sent by this
 * frontend or received; payload is its size bytes.  chain: one chain a
 * queue completed (or failed to: rc is vgb_fe_submit's result), with its
 * first driver-readable and device-writable buffers (NULL when absent).
 */
struct vgb_fe_trace {
	void *ctx;
	void (*message)(void *ctx, const char *channel, bool sent, uint32_t request, uint32_t size,
			unsigned nfds, const void *payload);
	void (*chain)(void *ctx, unsigned queue, const void *req, uint32_t req_len, const void *resp,
		      uint32_t resp_len, int rc);
};

struct vgb_fe_options {
	/* Exactly one of: a backend argv to spawn (given --fd=N, or --socket-path when
	 * spawn_with_socket), or a unix socket path a backend already listens on
	 * (connecting is retried until timeout_ms while the path is absent or refuses). */
	char *const *backend_argv;
	bool spawn_with_socket;
	const char *socket_path;

	uint64_t ram_size;       /* guest RAM bytes (default 64 MiB) */
	unsigned ram_regions;    /* split RAM into this many memfd regions (default 2) */
	uint16_t queue_size;     /* descriptors per queue (default 256) */
	bool indirect;           /* use indirect descriptors when the backend offers them */
	uint64_t features_mask;  /* device feature bits the driver may accept (default: all known) */
	int timeout_ms;          /* per-request deadline (default 5000) */
	/* Deadline for the backend's first reply, when longer: a backend program may start
	 * a renderer before it serves (vgb-host --renderer). Default: timeout_ms. */
	int startup_timeout_ms;
	bool quiet;              /* do not relay the backend's stderr */
	/* Device bits (0..23) accepted even when not offered: breaks the rules on purpose,
	 * for tests of a device's validating mode (default 0). */
	uint64_t force_features;
	/* Behave like QEMU: after answering SHMEM_MAP/UNMAP, send SET_MEM_TABLE and wait
	 * for its ack before serving anything else (tests a back-end against that). */
	bool mem_table_after_shmem;
	/* Do not send VHOST_USER_GPU_SET_SOCKET: the backend runs without a display
	 * (how a device behaves headless, REQ-DEV-DISP-0150). */
	bool no_display_socket;
	/* Refuse SHMEM_MAP of a file that can shrink (not sealed with F_SEAL_SHRINK and not
	 * sealable here): such a back-end can turn region accesses into SIGBUS.  Off: such
	 * maps are accepted with a warning, as QEMU does (see fe_shm.c). */
	bool require_sealed_shmem;
	/* Front-end faults on purpose, for tests of a back-end that validates its front-end
	 * (vgb-host --validate-frontend): acknowledge a SHMEM_MAP/UNMAP it refuses as done
	 * (nothing is placed or removed), and keep the mappings when it stops or resets. */
	bool ack_refused_shmem;
	bool keep_shmem_on_stop;
	/* Sees the exchange (see struct vgb_fe_trace); NULL: nothing is traced. */
	const struct vgb_fe_trace *trace;
	/*
	 * Performance knobs, all off by default:
	 * event_idx   negotiate VIRTIO_RING_F_EVENT_IDX when offered: kicks and used-buffer
	 *             notifications only where the other side asked for them;
	 * poll_us     after a kick, look at the used ring and the side channels without
	 *             sleeping for up to this many microseconds (at most 1000), with the
	 *             device's notifications suppressed meanwhile; kicks the device declines
	 *             (VRING_USED_F_NO_NOTIFY: it polls) are skipped;
	 * huge_pages  guest RAM in huge pages: hugetlbfs pages when the host has them
	 *             reserved, else transparent huge pages where the host allows them for
	 *             shared memory (vgb_fe_ram_huge() says what was obtained).
	 */
	bool event_idx;
	unsigned poll_us;
	bool huge_pages;
};

void vgb_fe_options_defaults(struct vgb_fe_options *o);

/* Spawn/connect, negotiate, set up memory and queues, DRIVER_OK. NULL + err on failure. */
struct vgb_fe *vgb_fe_start(const struct vgb_fe_options *o, char *err, size_t errlen);
/* Clean shutdown; kills and reaps a spawned backend. */
void vgb_fe_stop(struct vgb_fe *fe);

/* Last error as text (after a failed call). */
const char *vgb_fe_error(const struct vgb_fe *fe);
/* The backend went away (EOF, crash, or protocol violation that forced disconnect). */
bool vgb_fe_disconnected(const struct vgb_fe *fe);

uint64_t vgb_fe_device_features(const struct vgb_fe *fe); /* offered */
uint64_t vgb_fe_features(const struct vgb_fe *fe);        /* negotiated */
uint64_t vgb_fe_protocol_features(const struct vgb_fe *fe);
/*
 * Config space read with GET_CONFIG: returns bytes read or -errno.
 *
 * Like QEMU's vhost-user-gpu frontend (vhost_user_gpu_get_config), this
 * frontend owns the GPU fields its display decides.  With a display channel it
 * owns events_read: VIRTIO_GPU_EVENT_DISPLAY is set when vgb_fe_set_display
 * changed an output, and a write of events_clear (vgb_fe_set_config) clears it
 * here and is passed on.  When the backend leaves num_scanouts 0 (QEMU's
 * does), num_scanouts reads as the number of outputs the frontend reports on
 * the display channel (1 + the highest output set up, 1 by default), and
 * events_clear writes stay here.  A backend reporting num_scanouts > 0 keeps
 * its num_scanouts.
 */
int vgb_fe_get_config(struct vgb_fe *fe, void *buf, uint32_t len);
/* SET_CONFIG of len bytes at offset (see above for events_clear). 0 or -errno. */
int vgb_fe_set_config(struct vgb_fe *fe, uint32_t offset, const void *buf, uint32_t len);
/* Did the frontend fill num_scanouts/events itself (the backend reported num_scanouts 0)? */
bool vgb_fe_config_from_frontend(const struct vgb_fe *fe);

/* Guest RAM: table (host pointers valid in this process) and a page allocator over it. */
const struct vgb_guest_mem *vgb_fe_mem(const struct vgb_fe *fe);
void *vgb_fe_gpa_ptr(const struct vgb_fe *fe, uint64_t gpa, uint64_t len);
/* Contiguous allocation (page aligned). 0 on exhaustion. */
uint64_t vgb_fe_alloc(struct vgb_fe *fe, uint64_t size);
/* npages single pages, deliberately non-adjacent when scatter is set. 0 or -ENOMEM. */
int vgb_fe_alloc_pages(struct vgb_fe *fe, unsigned npages, bool scatter, uint64_t *gpas);
void vgb_fe_free(struct vgb_fe *fe, uint64_t gpa, uint64_t size);

/* Host-visible region id shmid: base in this process and size, or NULL when absent.
 * Unmapped parts are PROT_NONE reservations: touching them faults. */
void *vgb_fe_shm(const struct vgb_fe *fe, uint8_t shmid, uint64_t *size);
/* Is [offset, +len) of region shmid currently backed by a backend mapping? */
bool vgb_fe_shm_mapped(const struct vgb_fe *fe, uint8_t shmid, uint64_t offset, uint64_t len);

/*
 * The backend's GET_SHMEM_CONFIG reply as received (even one this frontend
 * judged inconsistent): false when none was asked for.  sizes gets the 256
 * memory_sizes entries when non-NULL.
 */
bool vgb_fe_shmem_config(const struct vgb_fe *fe, uint32_t *nregions, uint64_t sizes[256]);

/* Back-end requests (SHMEM_MAP / SHMEM_UNMAP / others) as received, in order. */
struct vgb_fe_backend_msg {
	uint32_t request;   /* VHOST_USER_BACKEND_* */
	uint32_t flags;     /* header flags (VHOST_USER_NEED_REPLY = 1 << 3) */
	uint32_t size;      /* payload bytes */
	unsigned nfds;      /* fds that came with it */
	uint8_t shmid;      /* SHMEM_MAP/UNMAP payload */
	uint64_t fd_offset, shm_offset, len, map_flags;
	uint64_t result;    /* what the frontend answered (0 = done) */
	bool acked;         /* a reply was sent (NEED_REPLY with REPLY_ACK) */
	bool fd_unsealed;   /* SHMEM_MAP file can shrink: neither sealed nor sealable (fe_shm.c) */
};
/* The log (oldest first, at most the last 256 messages) and how many arrived in total. */
size_t vgb_fe_backend_log(const struct vgb_fe *fe, const struct vgb_fe_backend_msg **msgs,
			  uint64_t *total);
void vgb_fe_backend_log_clear(struct vgb_fe *fe);
/*
 * Allow at most `slots` live mappings per region (0: no limit) and refuse
 * SHMEM_MAP beyond them, as a VMM out of memory slots does (KVM needs one per
 * mapping).  vgb_fe_shmem_maps counts the live mappings of a region.
 */
void vgb_fe_set_shmem_slots(struct vgb_fe *fe, unsigned slots);
unsigned vgb_fe_shmem_maps(const struct vgb_fe *fe, uint8_t shmid);
/* Refuse (answer 1, map nothing) the next n SHMEM_MAP requests, as a frontend out of address space would. */
void vgb_fe_refuse_shmem_maps(struct vgb_fe *fe, unsigned n);

/* A scatter-gather element in guest-physical terms. */
struct vgb_sg {
	uint64_t gpa;
	uint32_t len;
};

/*
 * Add one chain (out elements driver-readable, then in elements device-writable),
 * kick, and wait for that chain to come back while serving backend requests and
 * the display socket.  *used_len gets the device's used.len (checked <= in total).
 * 0, or -ETIMEDOUT, -EPIPE (backend gone), -EPROTO (backend broke the ring).
 */
int vgb_fe_submit(struct vgb_fe *fe, unsigned queue, const struct vgb_sg *out, unsigned nout,
		  const struct vgb_sg *in, unsigned nin, uint32_t *used_len);

/*
 * The same for n chains at once: all are added, then one kick (when the device
 * wants one), then the wait until every chain has come back.  used_lens (may be
 * NULL) gets each chain's used.len.  0 or the errors of vgb_fe_submit.
 */
struct vgb_fe_chain {
	const struct vgb_sg *out;
	unsigned nout;
	const struct vgb_sg *in;
	unsigned nin;
};
int vgb_fe_submit_batch(struct vgb_fe *fe, unsigned queue, const struct vgb_fe_chain *chains, unsigned n,
			uint32_t *used_lens);

/* Notifications so far: kicks written, kicks the device declined, call eventfd wake-ups. */
struct vgb_fe_stats {
	uint64_t kicks, kicks_skipped, calls;
};
void vgb_fe_get_stats(const struct vgb_fe *fe, struct vgb_fe_stats *st);
/* Process id of the spawned backend (0 when it was reached through a socket). */
int vgb_fe_backend_pid(const struct vgb_fe *fe);
/* Guest RAM page size obtained: 2 MiB hugetlbfs pages, or 4096 (huge_pages off, or
 * transparent huge pages advised, which the host may or may not give). */
uint64_t vgb_fe_ram_page_size(const struct vgb_fe *fe);

/* Serve backend requests and the display socket for up to timeout_ms. */
int vgb_fe_poll(struct vgb_fe *fe, int timeout_ms);

/* Raw ring access for malformed-ring tests: the driver-side queue of `queue`. */
struct vgb_vq_drv *vgb_fe_vq(struct vgb_fe *fe, unsigned queue);
int vgb_fe_kick(struct vgb_fe *fe, unsigned queue);

/* Send VHOST_USER_RESET_DEVICE (or RESET_OWNER) and set the queues up again. */
int vgb_fe_reset_device(struct vgb_fe *fe);
/*
 * Stop the device as a VMM does (GET_VRING_BASE on every queue) and drop every
 * mapping of the host-visible regions (REQ-DEV-VU-0045); vgb_fe_start_device
 * sets the queues up again (fresh rings, base 0), without any reset message.
 */
int vgb_fe_stop_device(struct vgb_fe *fe);
int vgb_fe_start_device(struct vgb_fe *fe);

/* What the backend showed on the vhost-user-gpu display socket. */
struct vgb_fe_scanout {
	uint32_t width, height; /* 0 x 0 = disabled */
	uint32_t *pixels;       /* width*height, as received in UPDATE messages */
	uint64_t updates;       /* UPDATE messages received */
};
const struct vgb_fe_scanout *vgb_fe_scanout(const struct vgb_fe *fe, uint32_t scanout_id);
/* What the backend did with the cursor on the display socket. */
struct vgb_fe_cursor {
	uint32_t scanout_id, x, y; /* last position received */
	bool visible;              /* CURSOR_POS / CURSOR_UPDATE show it, CURSOR_POS_HIDE hides it */
	bool transparent;          /* the image of the last CURSOR_UPDATE has alpha 0 everywhere */
	uint64_t moves, hides, updates; /* CURSOR_POS, CURSOR_POS_HIDE, CURSOR_UPDATE received */
};
const struct vgb_fe_cursor *vgb_fe_cursor(const struct vgb_fe *fe);
/*
 * Display info the frontend reports to the backend (VHOST_USER_GPU_GET_DISPLAY_INFO,
 * and the EDID of GET_EDID); a change raises VIRTIO_GPU_EVENT_DISPLAY (see
 * vgb_fe_get_config).
 */
void vgb_fe_set_display(struct vgb_fe *fe, uint32_t scanout_id, uint32_t width, uint32_t height,
			bool enabled);

#endif
