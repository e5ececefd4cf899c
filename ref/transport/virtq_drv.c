/* SPDX-License-Identifier: MIT */
/* Driver side of a split virtqueue: the used ring is the device's and untrusted. */
#include "vgb/virtq.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgb/wire.h"

#define PAGE 4096ull

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t used_offset(uint16_t num)
{
	return align_up(vgb_vq_desc_bytes(num) + vgb_vq_avail_bytes(num), 64);
}

uint64_t vgb_vq_drv_ring_bytes(uint16_t num)
{
	return align_up(used_offset(num) + vgb_vq_used_bytes(num), PAGE);
}

uint64_t vgb_vq_drv_indirect_bytes(uint16_t num, uint16_t indirect_max)
{
	return align_up((uint64_t)num * indirect_max * sizeof(struct vring_desc), PAGE);
}

static int fail(struct vgb_vq_drv *vq, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct vgb_vq_drv *vq, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vq->err, sizeof(vq->err), fmt, ap);
	va_end(ap);
	return -EPROTO;
}

static void reset_free_list(struct vgb_vq_drv *vq)
{
	for (uint16_t i = 0; i < vq->num; i++)
		vq->free_next[i] = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = vq->num;
	memset(vq->inflight, 0, vq->num * sizeof(*vq->inflight));
}

int vgb_vq_drv_init(struct vgb_vq_drv *vq, uint16_t num, void *ring_host, uint64_t ring_gpa,
		    void *ind_host, uint64_t ind_gpa, uint16_t indirect_max)
{
	memset(vq, 0, sizeof(*vq));
	if (num == 0 || (ring_gpa & (PAGE - 1)))
		return -EINVAL;
	vq->num = num;
	vq->desc = ring_host;
	vq->avail = (struct vring_avail *)((uint8_t *)ring_host + vgb_vq_desc_bytes(num));
	vq->used = (struct vring_used *)((uint8_t *)ring_host + used_offset(num));
	vq->desc_gpa = ring_gpa;
	vq->avail_gpa = ring_gpa + vgb_vq_desc_bytes(num);
	vq->used_gpa = ring_gpa + used_offset(num);
	if (indirect_max > 0 && ind_host) {
		vq->indirect = true;
		vq->indirect_tables = ind_host;
		vq->indirect_gpa = ind_gpa;
		vq->indirect_max = indirect_max;
	}
	vq->inflight = calloc(num, sizeof(*vq->inflight));
	vq->free_next = calloc(num, sizeof(*vq->free_next));
	if (!vq->inflight || !vq->free_next) {
		vgb_vq_drv_fini(vq);
		return -ENOMEM;
	}
	vgb_vq_drv_reset(vq);
	return 0;
}

void vgb_vq_drv_fini(struct vgb_vq_drv *vq)
{
	free(vq->inflight);
	free(vq->free_next);
	vq->inflight = NULL;
	vq->free_next = NULL;
}

void vgb_vq_drv_reset(struct vgb_vq_drv *vq)
{
	memset(vq->desc, 0, vgb_vq_drv_ring_bytes(vq->num));
	vq->avail_idx = 0;
	vq->last_used = 0;
	vq->kicked_idx = 0;
	reset_free_list(vq);
}

static void write_desc(struct vring_desc *d, uint64_t addr, uint32_t len, uint16_t flags,
		       uint16_t next)
{
	d->addr = vgb_to_le64(addr);
	d->len = vgb_to_le32(len);
	d->flags = vgb_to_le16(flags);
	d->next = vgb_to_le16(next);
}

static void publish(struct vgb_vq_drv *vq, uint16_t head)
{
	vq->avail->ring[vq->avail_idx % vq->num] = vgb_to_le16(head);
	vq->avail_idx++;
	/* Descriptors and the ring entry must be visible before the index. */
	__atomic_store_n(&vq->avail->idx, vgb_to_le16(vq->avail_idx), __ATOMIC_RELEASE);
}

int vgb_vq_drv_add(struct vgb_vq_drv *vq, const struct vgb_vq_buf *out, unsigned nout,
		   const struct vgb_vq_buf *in, unsigned nin)
{
	unsigned total = nout + nin;
	if (total == 0 || total > vq->num)
		return -EINVAL;
	uint64_t in_total = 0;
	for (unsigned k = 0; k < nin; k++)
		in_total += in[k].len;
	bool use_indirect = vq->indirect && total > 1 && total <= vq->indirect_max;
	unsigned need = use_indirect ? 1 : total;
	if (vq->num_free < need)
		return -ENOSPC;

	uint16_t head = vq->free_head;
	if (use_indirect) {
		struct vring_desc *t = vq->indirect_tables + (size_t)head * vq->indirect_max;
		for (unsigned k = 0; k < total; k++) {
			bool w = k >= nout;
			const struct vgb_vq_buf *b = w ? &in[k - nout] : &out[k];
			uint16_t flags = (w ? VRING_DESC_F_WRITE : 0) | (k + 1 < total ? VRING_DESC_F_NEXT : 0);
			write_desc(&t[k], b->gpa, b->len, flags, (uint16_t)(k + 1));
		}
		uint64_t tgpa = vq->indirect_gpa + (uint64_t)head * vq->indirect_max * sizeof(*t);
		write_desc(&vq->desc[head], tgpa, total * sizeof(*t), VRING_DESC_F_INDIRECT, 0);
		vq->free_head = vq->free_next[head];
	} else {
		uint16_t i = head, last = head;
		for (unsigned k = 0; k < total; k++) {
			bool w = k >= nout;
			const struct vgb_vq_buf *b = w ? &in[k - nout] : &out[k];
			uint16_t flags = (w ? VRING_DESC_F_WRITE : 0) | (k + 1 < total ? VRING_DESC_F_NEXT : 0);
			write_desc(&vq->desc[i], b->gpa, b->len, flags, vq->free_next[i]);
			last = i;
			i = vq->free_next[i];
		}
		vq->free_head = vq->free_next[last];
	}
	vq->num_free -= need;
	vq->inflight[head].busy = true;
	vq->inflight[head].ndesc = need;
	vq->inflight[head].in_total = in_total;
	publish(vq, head);
	return head;
}

int vgb_vq_drv_get_used(struct vgb_vq_drv *vq, uint16_t *head, uint32_t *len)
{
	uint16_t used_idx = vgb_le16(__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE));
	uint16_t pending = (uint16_t)(used_idx - vq->last_used);
	if (pending == 0)
		return 0;
	if (pending > vq->num)
		return fail(vq, "used idx %u is %u entries ahead of %u (queue size %u)", used_idx,
			    pending, vq->last_used, vq->num);
	const struct vring_used_elem *e = &vq->used->ring[vq->last_used % vq->num];
	uint32_t id = vgb_le32(__atomic_load_n(&e->id, __ATOMIC_RELAXED));
	uint32_t l = vgb_le32(__atomic_load_n(&e->len, __ATOMIC_RELAXED));
	if (id >= vq->num)
		return fail(vq, "used id %u >= queue size %u", id, vq->num);
	struct vgb_vq_inflight *f = &vq->inflight[id];
	if (!f->busy)
		return fail(vq, "used id %u is not in flight", id);
	if (l > f->in_total)
		return fail(vq, "used len %u exceeds the %llu writable bytes of chain %u", l,
			    (unsigned long long)f->in_total, id);
	/* Return the chain's descriptors to the free list (private links, never the ring's). */
	uint16_t last = (uint16_t)id;
	for (unsigned k = 1; k < f->ndesc; k++)
		last = vq->free_next[last];
	vq->free_next[last] = vq->free_head;
	vq->free_head = (uint16_t)id;
	vq->num_free += f->ndesc;
	f->busy = false;
	vq->last_used++;
	*head = (uint16_t)id;
	*len = l;
	return 1;
}

unsigned vgb_vq_drv_in_flight(const struct vgb_vq_drv *vq)
{
	unsigned n = 0;
	for (unsigned i = 0; i < vq->num; i++)
		n += vq->inflight[i].busy;
	return n;
}

bool vgb_vq_drv_kick_needed(struct vgb_vq_drv *vq)
{
	/* The new avail index must be visible before we read what the device asked for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint16_t old = vq->kicked_idx, now = vq->avail_idx;
	bool need;
	if (vq->event_idx) {
		uint16_t event = vgb_le16(__atomic_load_n((uint16_t *)&vq->used->ring[vq->num], __ATOMIC_RELAXED));
		need = (uint16_t)(now - event - 1) < (uint16_t)(now - old); /* vring_need_event() */
	} else {
		need = !(vgb_le16(__atomic_load_n(&vq->used->flags, __ATOMIC_RELAXED)) & VRING_USED_F_NO_NOTIFY);
	}
	if (need)
		vq->kicked_idx = now;
	return need;
}

void vgb_vq_drv_want_used(struct vgb_vq_drv *vq, uint16_t count)
{
	if (vq->event_idx) {
		/* count 0: an index the device will not reach before the ring wraps. */
		uint16_t event = (uint16_t)(vq->last_used + (count ? count - 1 : 0x8000));
		__atomic_store_n(&vq->avail->ring[vq->num], vgb_to_le16(event), __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&vq->avail->flags, vgb_to_le16(count ? 0 : VRING_AVAIL_F_NO_INTERRUPT),
				 __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void vgb_vq_drv_raw_desc(struct vgb_vq_drv *vq, uint16_t idx, uint64_t addr, uint32_t len,
			 uint16_t flags, uint16_t next)
{
	write_desc(&vq->desc[idx % vq->num], addr, len, flags, next);
}

void vgb_vq_drv_raw_publish(struct vgb_vq_drv *vq, uint16_t head)
{
	publish(vq, head);
}

void vgb_vq_drv_raw_set_avail_idx(struct vgb_vq_drv *vq, uint16_t idx)
{
	vq->avail_idx = idx;
	__atomic_store_n(&vq->avail->idx, vgb_to_le16(idx), __ATOMIC_RELEASE);
}

uint64_t vgb_vq_drv_raw_indirect(struct vgb_vq_drv *vq, uint16_t head, uint16_t i, uint64_t addr,
				 uint32_t len, uint16_t flags, uint16_t next)
{
	if (!vq->indirect_tables || i >= vq->indirect_max)
		return 0;
	head %= vq->num;
	write_desc(&vq->indirect_tables[(size_t)head * vq->indirect_max + i], addr, len, flags, next);
	return vq->indirect_gpa + (uint64_t)head * vq->indirect_max * sizeof(struct vring_desc);
}
