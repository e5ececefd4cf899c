/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues (virtio 1.x, the <linux/virtio_ring.h> layout) in shared
 * memory, both sides.
 *
 * Device side: the rings live in guest memory that the driver controls, so
 * every index, descriptor and length read from them is untrusted.  A chain
 * that breaks a rule is rejected with a message that says which rule; it is
 * never followed out of bounds or forever.
 *
 * Driver side: the device writes the used ring, so used ids and lengths are
 * checked against what is in flight.  Raw helpers let tests write malformed
 * descriptors and avail entries on purpose.
 */
#ifndef VGB_VIRTQ_H
#define VGB_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

#include "vgb/guest_mem.h"

#define VGB_VQ_MAX_SIZE 32768u /* virtio: queue size is at most 2^15 */

/* Bytes each part of a split ring needs for num descriptors (no event index). */
static inline uint64_t vgb_vq_desc_bytes(uint32_t num) { return 16ull * num; }
static inline uint64_t vgb_vq_avail_bytes(uint32_t num) { return 6ull + 2ull * num; }
static inline uint64_t vgb_vq_used_bytes(uint32_t num) { return 6ull + 8ull * num; }

/* ------------------------------------------------------------------------ */
/* Device side                                                              */

struct vgb_iov {
	void *base;
	size_t len;
};

/* A popped chain: driver-readable part first, then device-writable part. */
struct vgb_vq_chain {
	uint16_t head;
	unsigned nout, nin;
	struct vgb_iov *out; /* nout elements */
	struct vgb_iov *in;  /* nin elements */
	uint64_t out_len, in_len;
};

struct vgb_vq_dev {
	uint16_t num;
	bool indirect; /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail; /* next avail entry to consume */
	uint16_t used_idx;   /* next used entry to fill */
	bool event_idx;      /* VIRTIO_RING_F_EVENT_IDX negotiated: used_event/avail_event */
	bool signalled_valid;
	uint16_t signalled_used; /* used_idx at the last notification */
	bool kicks_off;          /* vgb_vq_dev_kicks_off() asked the driver not to kick */
	const struct vgb_guest_mem *mem;
	struct vgb_vq_chain chain; /* storage reused by every pop */
	unsigned iov_cap;
	char err[192]; /* why the last pop failed */
};

/* Allocates chain storage for num descriptors (power of two not required, 1..32768). */
int vgb_vq_dev_init(struct vgb_vq_dev *vq, uint16_t num, bool indirect);
void vgb_vq_dev_fini(struct vgb_vq_dev *vq);

/*
 * Binds the rings (host pointers already translated and size-checked by the
 * caller, e.g. with vgb_vq_dev_bind_uva) and the memory descriptors point into.
 */
void vgb_vq_dev_bind(struct vgb_vq_dev *vq, const struct vgb_guest_mem *mem, void *desc,
		     void *avail, void *used);
/* Translates frontend user addresses of the three rings and checks size and alignment. */
int vgb_vq_dev_bind_uva(struct vgb_vq_dev *vq, const struct vgb_guest_mem *mem, uint64_t desc_uva,
			uint64_t avail_uva, uint64_t used_uva);
bool vgb_vq_dev_ready(const struct vgb_vq_dev *vq);

/*
 * Pops the next available chain into vq->chain.  1: *chain set; 0: ring empty;
 * -EPROTO: the driver broke a rule (vq->err says which); the ring is then unusable.
 */
int vgb_vq_dev_pop(struct vgb_vq_dev *vq, const struct vgb_vq_chain **chain);
/* Returns a chain to the driver with len bytes written. */
void vgb_vq_dev_push(struct vgb_vq_dev *vq, uint16_t head, uint32_t len);
/*
 * Whether to signal the driver now: without EVENT_IDX unless it set
 * VRING_AVAIL_F_NO_INTERRUPT; with EVENT_IDX when used_idx passed its used_event
 * since the last notification (which this call records).
 */
bool vgb_vq_dev_should_notify(struct vgb_vq_dev *vq);
/*
 * The ring looked empty: ask for a kick at the next entry (with EVENT_IDX
 * avail_event = last_avail; without, clear VRING_USED_F_NO_NOTIFY if
 * vgb_vq_dev_kicks_off set it).  Returns true when entries arrived meanwhile.
 */
bool vgb_vq_dev_rearm(struct vgb_vq_dev *vq);
/* A device that polls the ring asks for no kicks (undone by vgb_vq_dev_rearm). */
void vgb_vq_dev_kicks_off(struct vgb_vq_dev *vq);
/* Is an entry available that has not been popped (no side effect)? */
bool vgb_vq_dev_pending(const struct vgb_vq_dev *vq);

/* Copy helpers over an iovec array. Return bytes copied. */
size_t vgb_iov_to_buf(const struct vgb_iov *iov, unsigned n, void *buf, size_t len);
size_t vgb_buf_to_iov(const struct vgb_iov *iov, unsigned n, const void *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Driver side                                                              */

/* A buffer in guest-physical terms (same shape as struct vgb_sg of frontend.h). */
struct vgb_vq_buf {
	uint64_t gpa;
	uint32_t len;
};

struct vgb_vq_inflight {
	bool busy;
	uint16_t ndesc;     /* descriptors taken from the free list */
	uint64_t in_total;  /* device-writable bytes of the chain */
};

struct vgb_vq_drv {
	uint16_t num;
	bool indirect;            /* may use indirect tables */
	struct vring_desc *desc;  /* host pointers into guest RAM */
	struct vring_avail *avail;
	struct vring_used *used;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	/* One indirect table per head: indirect_max entries each, at indirect_gpa + head * 16 * max. */
	struct vring_desc *indirect_tables;
	uint64_t indirect_gpa;
	uint16_t indirect_max;
	uint16_t free_head, num_free;
	uint16_t avail_idx; /* shadow of avail->idx */
	uint16_t last_used; /* next used entry to read */
	struct vgb_vq_inflight *inflight; /* per head */
	uint16_t *free_next;              /* private free list, never read back from shared memory */
	bool event_idx;                   /* VIRTIO_RING_F_EVENT_IDX negotiated */
	uint16_t kicked_idx;              /* avail_idx at the last kick */
	char err[160];
};

/* Bytes of guest memory the rings (and indirect tables) of a queue need. */
uint64_t vgb_vq_drv_ring_bytes(uint16_t num);
uint64_t vgb_vq_drv_indirect_bytes(uint16_t num, uint16_t indirect_max);

/*
 * Lays out the rings at ring_host/ring_gpa (vgb_vq_drv_ring_bytes, 4 KiB aligned)
 * and, if indirect_max > 0, the indirect tables at ind_host/ind_gpa.
 */
int vgb_vq_drv_init(struct vgb_vq_drv *vq, uint16_t num, void *ring_host, uint64_t ring_gpa,
		    void *ind_host, uint64_t ind_gpa, uint16_t indirect_max);
void vgb_vq_drv_fini(struct vgb_vq_drv *vq);
/* Forget everything in flight and zero the rings (device reset). */
void vgb_vq_drv_reset(struct vgb_vq_drv *vq);

/* Adds a chain (out readable, then in writable) and publishes it. Head or -ENOSPC/-EINVAL. */
int vgb_vq_drv_add(struct vgb_vq_drv *vq, const struct vgb_vq_buf *out, unsigned nout,
		   const struct vgb_vq_buf *in, unsigned nin);
/*
 * Reads the next used element. 1: head and len set and the chain freed; 0: nothing
 * new; -EPROTO: the device broke the ring (vq->err says how).
 */
int vgb_vq_drv_get_used(struct vgb_vq_drv *vq, uint16_t *head, uint32_t *len);
unsigned vgb_vq_drv_in_flight(const struct vgb_vq_drv *vq);
/*
 * Must the device be kicked for what was published since the last kick?  With
 * EVENT_IDX: when avail_event was passed (vring_need_event); without: unless the
 * device set VRING_USED_F_NO_NOTIFY.  Records the kick as done when it says yes.
 */
bool vgb_vq_drv_kick_needed(struct vgb_vq_drv *vq);
/*
 * Ask for a used-buffer notification once `count` more chains have come back
 * (count 0: none at all): used_event with EVENT_IDX, else VRING_AVAIL_F_NO_INTERRUPT
 * cleared (count > 0) or set (count 0).  A full barrier follows, so a caller that
 * asked for one may check the used ring before it sleeps.
 */
void vgb_vq_drv_want_used(struct vgb_vq_drv *vq, uint16_t count);

/* Raw access for tests that must break the rules on purpose. */
void vgb_vq_drv_raw_desc(struct vgb_vq_drv *vq, uint16_t idx, uint64_t addr, uint32_t len,
			 uint16_t flags, uint16_t next);
/* Writes an avail entry naming `head` (any value) and bumps avail->idx by one. */
void vgb_vq_drv_raw_publish(struct vgb_vq_drv *vq, uint16_t head);
/* Sets avail->idx directly (e.g. far ahead of what the device consumed). */
void vgb_vq_drv_raw_set_avail_idx(struct vgb_vq_drv *vq, uint16_t idx);
/* Writes an entry of head's indirect table; returns that table's guest address. */
uint64_t vgb_vq_drv_raw_indirect(struct vgb_vq_drv *vq, uint16_t head, uint16_t i, uint64_t addr,
				 uint32_t len, uint16_t flags, uint16_t next);

#endif
