/* SPDX-License-Identifier: MIT */
/* State of the vhost-user front-end, shared by its files (memory, region, display, spawn). */
#ifndef VGB_FE_PRIV_H
#define VGB_FE_PRIV_H

#include <poll.h>
#include <sys/types.h>

#include "vgb/frontend.h"
#include "vgb/vhost_user.h"
#include "vgb/vhost_user_gpu.h"
#include "vgb/virtq.h"

#define FE_PAGE 4096ull
#define FE_MAX_QUEUES 2u
#define FE_INDIRECT_MAX 64u
#define FE_MAX_SHM 4u
#define FE_LOG_MAX 256u
#define FE_BATCH_MAX 64u /* chains one vgb_fe_submit_batch may add */

struct fe_queue {
	struct vgb_vq_drv vq;
	uint64_t ring_gpa, ring_bytes;
	uint64_t ind_gpa, ind_bytes;
	int kick_fd, call_fd;
	bool ready;
};

struct fe_mapping {
	uint64_t offset, len;
};

struct fe_shm {
	uint8_t shmid;
	uint64_t size;
	uint8_t *base; /* PROT_NONE reservation, mappings placed over it */
	struct fe_mapping *maps;
	unsigned nmaps, cap;
};

struct fe_display {
	uint32_t width, height;
	bool enabled;
};

struct vgb_fe {
	struct vgb_fe_options opt;
	pid_t pid;          /* spawned backend; 0 none; -1 reaped */
	int wait_status;    /* waitpid status once reaped */
	int sock;           /* vhost-user main socket */
	int backend_fd;     /* our end of the back-end request channel */
	int gpu_fd;         /* our end of the display channel */
	uint64_t device_features, features, protocol_features;
	uint32_t queue_num; /* GET_QUEUE_NUM, when MQ */

	struct vgb_guest_mem mem;
	uint8_t *page_used[VGB_MEM_MAX_REGIONS]; /* one byte per page */
	uint64_t npages[VGB_MEM_MAX_REGIONS];

	struct fe_queue q[FE_MAX_QUEUES];
	unsigned nqueues;

	struct fe_shm shm[FE_MAX_SHM];
	unsigned nshm;

	uint64_t gpu_protocol_features;
	struct fe_display display[VGB_VUG_MAX_SCANOUTS];
	struct vgb_fe_scanout scanout[VGB_VUG_MAX_SCANOUTS];
	struct vgb_fe_cursor cursor;
	uint64_t gpu_violations;

	/* Back-end requests as received (a ring of the last FE_LOG_MAX). */
	struct vgb_fe_backend_msg log[FE_LOG_MAX];
	uint64_t log_total;
	struct vgb_vu_shmem_config *shmem_config; /* GET_SHMEM_CONFIG reply, when asked */
	unsigned refuse_maps;                     /* SHMEM_MAPs still to refuse */
	unsigned shmem_slots;                     /* live mappings per region allowed (0 = no limit) */

	/* GPU config fields this frontend owns when the backend leaves num_scanouts 0. */
	bool config_from_frontend;
	uint32_t events_read;

	struct vgb_fe_stats stats;
	uint64_t ram_page_size;     /* FE_PAGE, or the hugetlbfs page size of guest RAM */

	bool side_channels_blocked; /* waiting like QEMU's main loop: serve nothing else */
	bool disconnected;
	char gone_why[160]; /* why the backend went away, for every later call */
	bool broken;
	char err[512];
};

int fe_fail(struct vgb_fe *fe, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void fe_note(struct vgb_fe *fe, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Guest RAM (fe_mem.c). */
int fe_mem_create(struct vgb_fe *fe);
void fe_mem_destroy(struct vgb_fe *fe);

/* Host-visible regions (fe_shm.c). */
int fe_shm_reserve(struct vgb_fe *fe, const struct vgb_vu_shmem_config *cfg);
void fe_shm_drop_all(struct vgb_fe *fe);
void fe_shm_release(struct vgb_fe *fe);
/* Serves one SHMEM_MAP/UNMAP: returns the u64 to ack with (0 = done); *unsealed notes an fd
 * that can still shrink. */
uint64_t fe_shm_handle(struct vgb_fe *fe, struct vgb_vu_msg *m, bool *unsealed);
/* Outputs reported on the display channel (1 + highest set up, at least 1). */
uint32_t fe_gpu_outputs(const struct vgb_fe *fe);

/* Display channel (fe_gpu.c). Serves one message; <0 when the channel is gone. */
int fe_gpu_serve(struct vgb_fe *fe);
void fe_gpu_init(struct vgb_fe *fe);
void fe_gpu_release(struct vgb_fe *fe);

/* Process handling (fe_spawn.c). */
int fe_spawn(struct vgb_fe *fe);
int fe_connect(struct vgb_fe *fe, const char *path, int timeout_ms);
/* After EOF on the main socket: why the backend went away, as text. */
void fe_explain_exit(struct vgb_fe *fe, char *buf, size_t len);
void fe_reap(struct vgb_fe *fe, int wait_ms);

/* The wait loop (frontend.c): serves the request and display channels. */
int fe_serve_side_channels(struct vgb_fe *fe, const struct pollfd *pfd, unsigned n);

#endif
