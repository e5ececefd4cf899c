/* SPDX-License-Identifier: MIT */
/*
 * Byte access to the guest pages behind a resource.  Entries are kept as
 * guest-physical addresses and translated through the memory table of the
 * command being served, so a memory table change can never leave a stale
 * host pointer behind.  Copies are whole spans: one memcpy per contiguous
 * piece of an entry, never per byte.
 */
#include "internal.h"

#include <string.h>

/* Index of the entry holding byte off (off < b->size). */
static uint32_t entry_at(const struct vgb_backing *b, uint64_t off)
{
	uint32_t lo = 0, hi = b->n - 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (b->starts[mid] <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * Calls fn for each contiguous host piece of [off, off+len).  Returns -1 when
 * the range is outside the backing or guest memory no longer covers it.
 */
typedef void (*piece_fn)(uint8_t *host, uint64_t len, void *arg);

static int walk(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		uint64_t len, piece_fn fn, void *arg)
{
	if (!dev->mem || b->n == 0 || !vgb_range_ok(off, len, b->size))
		return -1;
	uint32_t i = len ? entry_at(b, off) : 0;
	while (len > 0) {
		const struct vgb_entry *e = &b->entries[i];
		uint64_t in = off - b->starts[i];
		uint64_t chunk = e->length - in < len ? e->length - in : len;
		uint64_t gpa = e->addr + in, left = chunk;
		while (left > 0) {
			uint64_t avail;
			uint8_t *host = vgb_mem_gpa_span(dev->mem, gpa, left, &avail);
			if (!host)
				return -1;
			fn(host, avail, arg);
			gpa += avail;
			left -= avail;
		}
		off += chunk;
		len -= chunk;
		i++;
	}
	return 0;
}

struct cursor {
	uint8_t *p;
	bool to_guest;
};

static void copy_piece(uint8_t *host, uint64_t len, void *arg)
{
	struct cursor *c = arg;
	if (c->to_guest)
		memcpy(host, c->p, len);
	else
		memcpy(c->p, host, len);
	c->p += len;
}

int vgb_backing_read(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		     void *dst, uint64_t len)
{
	struct cursor c = {.p = dst, .to_guest = false};
	return walk(dev, b, off, len, copy_piece, &c);
}

int vgb_backing_write(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		      const void *src, uint64_t len)
{
	struct cursor c = {.p = (uint8_t *)src, .to_guest = true};
	return walk(dev, b, off, len, copy_piece, &c);
}

static void no_piece(uint8_t *host, uint64_t len, void *arg)
{
}

bool vgb_backing_ok(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		    uint64_t len)
{
	return walk(dev, b, off, len, no_piece, NULL) == 0;
}

struct span {
	uint8_t *start, *end;
	bool contiguous;
};

static void span_piece(uint8_t *host, uint64_t len, void *arg)
{
	struct span *s = arg;
	if (!s->start)
		s->start = host;
	else if (host != s->end)
		s->contiguous = false;
	s->end = host + len;
}

void *vgb_backing_span(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		       uint64_t len)
{
	struct span s = {.contiguous = true};
	if (len == 0 || walk(dev, b, off, len, span_piece, &s) < 0 || !s.contiguous)
		return NULL;
	return s.start;
}
