/* SPDX-License-Identifier: MIT */
/* Device side of a split virtqueue: every value in the rings is the driver's and untrusted. */
#include "vgb/virtq.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgb/wire.h"

/* The driver may change ring memory at any time: read each field exactly once. */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static int fail(struct vgb_vq_dev *vq, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct vgb_vq_dev *vq, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vq->err, sizeof(vq->err), fmt, ap);
	va_end(ap);
	return -EPROTO;
}

int vgb_vq_dev_init(struct vgb_vq_dev *vq, uint16_t num, bool indirect)
{
	memset(vq, 0, sizeof(*vq));
	if (num == 0)
		return -EINVAL;
	vq->num = num;
	vq->indirect = indirect;
	/* A descriptor can straddle guest memory regions: room for a few splits each. */
	vq->iov_cap = 2u * num + VGB_MEM_MAX_REGIONS;
	vq->chain.out = calloc(vq->iov_cap, sizeof(struct vgb_iov));
	vq->chain.in = calloc(vq->iov_cap, sizeof(struct vgb_iov));
	if (!vq->chain.out || !vq->chain.in) {
		vgb_vq_dev_fini(vq);
		return -ENOMEM;
	}
	return 0;
}

void vgb_vq_dev_fini(struct vgb_vq_dev *vq)
{
	free(vq->chain.out);
	free(vq->chain.in);
	vq->chain.out = vq->chain.in = NULL;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

void vgb_vq_dev_bind(struct vgb_vq_dev *vq, const struct vgb_guest_mem *mem, void *desc,
		     void *avail, void *used)
{
	vq->mem = mem;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
}

int vgb_vq_dev_bind_uva(struct vgb_vq_dev *vq, const struct vgb_guest_mem *mem, uint64_t desc_uva,
			uint64_t avail_uva, uint64_t used_uva)
{
	if ((desc_uva & 15) || (avail_uva & 1) || (used_uva & 3))
		return fail(vq, "ring addresses misaligned (desc 0x%llx avail 0x%llx used 0x%llx)",
			    (unsigned long long)desc_uva, (unsigned long long)avail_uva,
			    (unsigned long long)used_uva);
	void *d = vgb_mem_uva(mem, desc_uva, vgb_vq_desc_bytes(vq->num));
	void *a = vgb_mem_uva(mem, avail_uva, vgb_vq_avail_bytes(vq->num));
	void *u = vgb_mem_uva(mem, used_uva, vgb_vq_used_bytes(vq->num));
	if (!d || !a || !u)
		return fail(vq, "ring of %u entries outside guest memory (desc 0x%llx avail 0x%llx used 0x%llx)",
			    vq->num, (unsigned long long)desc_uva, (unsigned long long)avail_uva,
			    (unsigned long long)used_uva);
	/* Aligned addresses can still land misaligned here when a region's address and
	 * its offset in the file disagree in their low bits. */
	if (((uintptr_t)d & 15) || ((uintptr_t)a & 1) || ((uintptr_t)u & 3))
		return fail(vq, "rings misaligned in the memory regions' mapping (desc 0x%llx avail 0x%llx used "
			    "0x%llx: a region's address and its mmap offset differ in their low bits)",
			    (unsigned long long)desc_uva, (unsigned long long)avail_uva,
			    (unsigned long long)used_uva);
	vgb_vq_dev_bind(vq, mem, d, a, u);
	return 0;
}

bool vgb_vq_dev_ready(const struct vgb_vq_dev *vq)
{
	return vq->desc && vq->avail && vq->used && vq->mem && vq->chain.out;
}

/* Appends the guest range [addr, +len) to out or in, split at region boundaries. */
static int add_range(struct vgb_vq_dev *vq, uint64_t addr, uint32_t len, bool writable,
		     unsigned index)
{
	struct vgb_vq_chain *c = &vq->chain;
	if (len == 0)
		return fail(vq, "descriptor %u has length 0", index);
	if (!vgb_mem_gpa_valid(vq->mem, addr, len))
		return fail(vq, "descriptor %u (addr 0x%llx len %u) is outside guest memory", index,
			    (unsigned long long)addr, len);
	if (!writable && c->nin > 0)
		return fail(vq, "descriptor %u is driver-readable after a device-writable one", index);
	uint64_t *total = writable ? &c->in_len : &c->out_len;
	if (*total + len > UINT32_MAX)
		return fail(vq, "chain length exceeds 2^32-1 bytes at descriptor %u", index);
	*total += len;
	uint64_t left = len;
	while (left > 0) {
		uint64_t avail;
		void *p = vgb_mem_gpa_span(vq->mem, addr, left, &avail);
		if (!p || avail == 0)
			return fail(vq, "descriptor %u is outside guest memory", index);
		unsigned *n = writable ? &c->nin : &c->nout;
		if (*n >= vq->iov_cap)
			return fail(vq, "chain has too many segments at descriptor %u", index);
		struct vgb_iov *iov = writable ? c->in : c->out;
		iov[*n].base = p;
		iov[*n].len = avail;
		(*n)++;
		addr += avail;
		left -= avail;
	}
	return 0;
}

/* Walks an indirect table: no nesting, next inside the table, bounded by its length. */
static int walk_indirect(struct vgb_vq_dev *vq, uint64_t addr, uint32_t len, unsigned head,
			 unsigned *count)
{
	if (!vq->indirect)
		return fail(vq, "descriptor %u is indirect but INDIRECT_DESC was not negotiated", head);
	if (len == 0 || len % sizeof(struct vring_desc))
		return fail(vq, "indirect table of descriptor %u has length %u (not a non-zero multiple of 16)",
			    head, len);
	/* Nothing makes the driver align an indirect table: entries are copied out, not dereferenced. */
	const uint8_t *table = vgb_mem_gpa(vq->mem, addr, len);
	if (!table)
		return fail(vq, "indirect table of descriptor %u (addr 0x%llx len %u) is outside guest memory",
			    head, (unsigned long long)addr, len);
	unsigned n = len / sizeof(struct vring_desc);
	unsigned i = 0;
	for (;;) {
		if (++*count > vq->num)
			return fail(vq, "chain at head %u is longer than the queue size %u (loop?)", head,
				    vq->num);
		struct vring_desc d;
		memcpy(&d, table + (size_t)i * sizeof(d), sizeof(d)); /* each field read once */
		uint64_t daddr = vgb_le64(d.addr);
		uint32_t dlen = vgb_le32(d.len);
		uint16_t flags = vgb_le16(d.flags);
		uint16_t next = vgb_le16(d.next);
		if (flags & VRING_DESC_F_INDIRECT)
			return fail(vq, "indirect table of head %u nests another indirect descriptor (entry %u)",
				    head, i);
		int r = add_range(vq, daddr, dlen, flags & VRING_DESC_F_WRITE, i);
		if (r)
			return r;
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		if (next >= n)
			return fail(vq, "indirect entry %u of head %u has next %u >= table size %u", i, head,
				    next, n);
		i = next;
	}
}

int vgb_vq_dev_pop(struct vgb_vq_dev *vq, const struct vgb_vq_chain **chain)
{
	if (!vgb_vq_dev_ready(vq))
		return fail(vq, "queue is not set up");
	uint16_t avail_idx = vgb_le16(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0)
		return 0;
	if (pending > vq->num)
		return fail(vq, "avail idx %u is %u entries ahead of %u (queue size %u)", avail_idx,
			    pending, vq->last_avail, vq->num);
	uint16_t head = vgb_le16(READ_ONCE(vq->avail->ring[vq->last_avail % vq->num]));
	if (head >= vq->num)
		return fail(vq, "avail entry %u names head %u >= queue size %u", vq->last_avail, head,
			    vq->num);

	struct vgb_vq_chain *c = &vq->chain;
	c->head = head;
	c->nout = c->nin = 0;
	c->out_len = c->in_len = 0;
	unsigned count = 0;
	uint16_t i = head;
	for (;;) {
		if (++count > vq->num)
			return fail(vq, "chain at head %u is longer than the queue size %u (loop?)", head,
				    vq->num);
		uint64_t addr = vgb_le64(READ_ONCE(vq->desc[i].addr));
		uint32_t len = vgb_le32(READ_ONCE(vq->desc[i].len));
		uint16_t flags = vgb_le16(READ_ONCE(vq->desc[i].flags));
		uint16_t next = vgb_le16(READ_ONCE(vq->desc[i].next));
		if (flags & VRING_DESC_F_INDIRECT) {
			if (flags & VRING_DESC_F_NEXT)
				return fail(vq, "descriptor %u has both INDIRECT and NEXT", i);
			if (count != 1)
				return fail(vq, "indirect descriptor %u is not the only one of its chain", i);
			count = 0;
			int r = walk_indirect(vq, addr, len, i, &count);
			if (r)
				return r;
			break;
		}
		int r = add_range(vq, addr, len, flags & VRING_DESC_F_WRITE, i);
		if (r)
			return r;
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		if (next >= vq->num)
			return fail(vq, "descriptor %u has next %u >= queue size %u", i, next, vq->num);
		i = next;
	}
	vq->last_avail++;
	*chain = c;
	return 1;
}

void vgb_vq_dev_push(struct vgb_vq_dev *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx % vq->num];
	__atomic_store_n(&e->id, vgb_to_le32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, vgb_to_le32(len), __ATOMIC_RELAXED);
	vq->used_idx++;
	/* The element must be visible before the index that publishes it. */
	__atomic_store_n(&vq->used->idx, vgb_to_le16(vq->used_idx), __ATOMIC_RELEASE);
}

bool vgb_vq_dev_should_notify(struct vgb_vq_dev *vq)
{
	/* The used index must be visible before we read what the driver asked for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(vgb_le16(READ_ONCE(vq->avail->flags)) & VRING_AVAIL_F_NO_INTERRUPT);
	uint16_t used_event = vgb_le16(READ_ONCE(vq->avail->ring[vq->num]));
	uint16_t old = vq->signalled_used, now = vq->used_idx;
	bool valid = vq->signalled_valid;
	vq->signalled_used = now;
	vq->signalled_valid = true;
	/* vring_need_event(): did used_idx step over used_event since the last signal? */
	return !valid || (uint16_t)(now - used_event - 1) < (uint16_t)(now - old);
}

bool vgb_vq_dev_rearm(struct vgb_vq_dev *vq)
{
	if (vq->event_idx) {
		uint16_t *avail_event = (uint16_t *)&vq->used->ring[vq->num];
		__atomic_store_n(avail_event, vgb_to_le16(vq->last_avail), __ATOMIC_RELAXED);
	} else if (vq->kicks_off) {
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
	} else {
		return false;
	}
	vq->kicks_off = false;
	/* Publish the request for kicks before looking again, or a kick could fall in between. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return vgb_le16(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE)) != vq->last_avail;
}

void vgb_vq_dev_kicks_off(struct vgb_vq_dev *vq)
{
	if (vq->event_idx) {
		/* vring_need_event() stays false until the driver is 2^16 entries ahead of this. */
		uint16_t *avail_event = (uint16_t *)&vq->used->ring[vq->num];
		__atomic_store_n(avail_event, vgb_to_le16((uint16_t)(vq->last_avail - 1)), __ATOMIC_RELAXED);
	} else if (!vq->kicks_off) {
		__atomic_store_n(&vq->used->flags, vgb_to_le16(VRING_USED_F_NO_NOTIFY), __ATOMIC_RELAXED);
	}
	vq->kicks_off = true;
}

bool vgb_vq_dev_pending(const struct vgb_vq_dev *vq)
{
	return vgb_vq_dev_ready(vq) &&
	       vgb_le16(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE)) != vq->last_avail;
}

size_t vgb_iov_to_buf(const struct vgb_iov *iov, unsigned n, void *buf, size_t len)
{
	size_t done = 0;
	for (unsigned i = 0; i < n && done < len; i++) {
		size_t k = iov[i].len < len - done ? iov[i].len : len - done;
		memcpy((uint8_t *)buf + done, iov[i].base, k);
		done += k;
	}
	return done;
}

size_t vgb_buf_to_iov(const struct vgb_iov *iov, unsigned n, const void *buf, size_t len)
{
	size_t done = 0;
	for (unsigned i = 0; i < n && done < len; i++) {
		size_t k = iov[i].len < len - done ? iov[i].len : len - done;
		memcpy(iov[i].base, (const uint8_t *)buf + done, k);
		done += k;
	}
	return done;
}
