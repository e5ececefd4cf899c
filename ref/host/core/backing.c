/* SPDX-License-Identifier: MIT */
/*
 * Byte access to the guest pages behind a resource.  Entries are kept as
 * guest-physical addresses and translated through the memory table of the
 * command being served, so a memory table change can never leave a stale
 * host pointer behind.  Copies are whole spans: one copy per contiguous run
 * of host memory, never per byte (copy.h says how large ones are done).
 */
#include "internal.h"

#include "copy.h"

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
 * Walks [off, off+len) of a backing as host pieces.  Entries that follow each
 * other in host memory (adjacent guest pages of one region) come out as one
 * piece, so a copy pays its per-piece costs once per contiguous run.
 */
struct piece_iter {
	const struct vgb_guest_mem *mem;
	const struct vgb_backing *b;
	uint32_t i;    /* current entry */
	uint64_t in;   /* bytes of entry i already produced */
	uint64_t left; /* bytes still to produce */
	unsigned hint; /* guest memory region of the last piece */
	uint8_t *held; /* a span looked up but not yet produced (it did not join the last piece) */
	uint64_t held_len;
};

/* The host span at the iterator's position: held over from the last call, or looked up. */
static uint8_t *span_at(struct piece_iter *it, const struct vgb_entry *e, uint64_t *avail)
{
	if (it->held) {
		uint8_t *p = it->held;
		*avail = it->held_len;
		it->held = NULL;
		return p;
	}
	uint64_t chunk = e->length - it->in < it->left ? e->length - it->in : it->left;
	return vgb_mem_gpa_span_hint(it->mem, e->addr + it->in, chunk, avail, &it->hint);
}

/* 1: the next piece in *host and *len; 0: the range is done; -1: outside guest memory. */
static int next_piece(struct piece_iter *it, uint8_t **host, uint64_t *len)
{
	*len = 0;
	while (it->left > 0) {
		const struct vgb_entry *e = &it->b->entries[it->i];
		if (it->in >= e->length) {
			it->i++;
			it->in = 0;
			continue;
		}
		uint64_t avail;
		uint8_t *p = span_at(it, e, &avail);
		if (!p)
			return -1;
		if (*len && p != *host + *len) {
			it->held = p; /* not contiguous: the next call starts with it */
			it->held_len = avail;
			break;
		}
		if (!*len)
			*host = p;
		*len += avail;
		it->in += avail;
		it->left -= avail;
	}
	return *len ? 1 : 0;
}

/*
 * Calls fn for each contiguous host piece of [off, off+len), telling it where
 * the following piece lies (for prefetching).  Returns -1 when the range is
 * outside the backing or guest memory no longer covers it.
 */
typedef void (*piece_fn)(uint8_t *host, uint64_t len, const uint8_t *next, uint64_t next_len,
			 void *arg);

static int walk(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		uint64_t len, piece_fn fn, void *arg)
{
	if (!dev->mem || b->n == 0 || !vgb_range_ok(off, len, b->size))
		return -1;
	if (len == 0)
		return 0;
	uint32_t i = entry_at(b, off);
	struct piece_iter it = {.mem = dev->mem, .b = b, .i = i, .in = off - b->starts[i], .left = len};
	uint8_t *host = NULL, *next = NULL;
	uint64_t n = 0, next_n = 0;
	int r = next_piece(&it, &host, &n);
	while (r > 0) {
		int rn = next_piece(&it, &next, &next_n);
		if (rn < 0)
			return -1;
		fn(host, n, rn ? next : NULL, rn ? next_n : 0, arg);
		host = next;
		n = next_n;
		r = rn;
	}
	return r;
}

struct cursor {
	uint8_t *p;
	bool to_guest;
	bool stream;
};

static void copy_piece(uint8_t *host, uint64_t len, const uint8_t *next, uint64_t next_len, void *arg)
{
	struct cursor *c = arg;
	if (c->to_guest) /* the host side is one contiguous span: only the destination is scattered */
		vgb_copy_piece(host, c->p, len, NULL, 0, c->stream);
	else
		vgb_copy_piece(c->p, host, len, next, next_len, c->stream);
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

int vgb_backing_copy(const struct vgb_device *dev, const struct vgb_backing *b, uint64_t off,
		     uint8_t *host, uint64_t len, bool to_guest, bool stream)
{
	struct cursor c = {.p = host, .to_guest = to_guest, .stream = stream};
	return walk(dev, b, off, len, copy_piece, &c);
}

static void no_piece(uint8_t *host, uint64_t len, const uint8_t *next, uint64_t next_len, void *arg)
{
}

bool vgb_backing_ok(const struct vgb_device *dev, struct vgb_backing *b, uint64_t off,
		    uint64_t len)
{
	if (dev->mem && b->n && b->valid_mem == dev->mem && b->valid_gen == dev->mem_gen)
		return vgb_range_ok(off, len, b->size); /* checked whole against this very table */
	if (walk(dev, b, off, len, no_piece, NULL) != 0)
		return false;
	if (off == 0 && len == b->size) {
		b->valid_mem = dev->mem;
		b->valid_gen = dev->mem_gen;
	}
	return true;
}

struct span {
	uint8_t *start, *end;
	bool contiguous;
};

static void span_piece(uint8_t *host, uint64_t len, const uint8_t *next, uint64_t next_len, void *arg)
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
