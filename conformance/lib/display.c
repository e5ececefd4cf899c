/* SPDX-License-Identifier: MIT */
/* Scattered backing and scanout comparison. */
#include "display.h"

#include <string.h>
#include <time.h>

#include "gpu.h"

bool vc_backing_make(struct vc *t, uint64_t size, uint32_t max_len, struct vc_backing *b)
{
	memset(b, 0, sizeof(*b));
	b->size = size;
	if (!max_len) {
		uint64_t gpa = vc_alloc(t, size);
		if (!gpa)
			return false;
		b->ents[0] = (struct vgb_sg){ gpa, (uint32_t)size };
		b->n = 1;
		return true;
	}
	/* Small entries with gaps use little of each page. */
	uint64_t per_page = max_len >= 512 ? 2048 : (uint64_t)max_len * 4096 / (max_len + 40) / 2;
	unsigned npages = (unsigned)((size + per_page - 1) / (per_page ? per_page : 1)) + 2;
	if (npages > VC_MAX_ENTRIES) {
		vc_error(t, "backing of %llu bytes too large for the harness", (unsigned long long)size);
		return false;
	}
	uint64_t pages[VC_MAX_ENTRIES];
	if (vgb_fe_alloc_pages(t->fe, npages, true, pages) < 0) {
		vc_error(t, "cannot allocate %u scattered guest pages", npages);
		return false;
	}
	/* Each page holds one or more entries of odd sizes at odd offsets; not all of it is used. */
	uint64_t left = size;
	unsigned p = 0;
	while (left && p < npages && b->n < VC_MAX_ENTRIES) {
		uint32_t in_page = 4096, start = vc_rand_range(t, 0, 63) * 2 + 1;
		while (left && start < in_page && b->n < VC_MAX_ENTRIES) {
			uint32_t room = in_page - start;
			uint32_t len = vc_rand_range(t, 1, room < max_len ? room : max_len) | 1;
			if (len > room)
				len = room;
			if (len > left)
				len = (uint32_t)left;
			b->ents[b->n++] = (struct vgb_sg){ pages[p] + start, len };
			left -= len;
			start += len + vc_rand_range(t, 1, 33); /* a gap: entries never touch */
		}
		p++;
	}
	if (left) {
		vc_error(t, "could not describe %llu bytes with %u entries", (unsigned long long)size,
			 b->n);
		return false;
	}
	return true;
}

void vc_backing_write(struct vc *t, const struct vc_backing *b, uint64_t off, const void *src,
		      uint64_t len)
{
	const uint8_t *s = src;
	uint64_t pos = 0;
	for (unsigned i = 0; i < b->n && len; i++) {
		uint64_t elen = b->ents[i].len;
		if (off >= pos + elen) {
			pos += elen;
			continue;
		}
		uint64_t skip = off - pos;
		uint64_t n = elen - skip < len ? elen - skip : len;
		memcpy(vc_ptr(t, b->ents[i].gpa + skip, n), s, n);
		s += n;
		off += n;
		len -= n;
		pos += elen;
	}
}

uint64_t vc_display_updates(struct vc *t, uint32_t scanout)
{
	const struct vgb_fe_scanout *s = vgb_fe_scanout(t->fe, scanout);
	return s ? s->updates : 0;
}

bool vc_display_wait(struct vc *t, uint32_t scanout, uint64_t before)
{
	for (int i = 0; i < 100; i++) {
		if (vc_display_updates(t, scanout) > before)
			return true;
		vgb_fe_poll(t->fe, 20);
	}
	return vc_display_updates(t, scanout) > before;
}

bool vc_display_matches(struct vc *t, uint32_t scanout, const uint8_t *model, uint32_t w,
			uint32_t h, uint32_t stride, const char *req_id, const char *what)
{
	const struct vgb_fe_scanout *s = vgb_fe_scanout(t->fe, scanout);
	if (!vc_check(t, s && s->pixels && s->width == w && s->height == h, req_id,
		      "%s: display shows %ux%u, expected %ux%u", what, s ? s->width : 0,
		      s ? s->height : 0, w, h))
		return false;
	uint64_t bad = 0;
	uint32_t fx = 0, fy = 0, seen = 0, want = 0;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t m;
			memcpy(&m, model + (uint64_t)y * stride + (uint64_t)x * 4, 4);
			uint32_t px = s->pixels[(uint64_t)y * w + x];
			if (px != m) {
				if (!bad) {
					fx = x, fy = y, seen = px, want = m;
				}
				bad++;
			}
		}
	return vc_check(t, bad == 0, req_id,
			"%s: %llu of %u pixels differ from the model; first at (%u,%u): 0x%08x, "
			"expected 0x%08x",
			what, (unsigned long long)bad, w * h, fx, fy, seen, want);
}
