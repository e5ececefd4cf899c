/* SPDX-License-Identifier: MIT */
#include "vgb/guest_mem.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

/* [a, a+alen) inside [b, b+blen), both already overflow-free. */
static bool range_inside(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a >= b && alen <= blen && a - b <= blen - alen;
}

static bool range_ok(uint64_t start, uint64_t len)
{
	return len > 0 && start + len > start; /* no wrap past 2^64 */
}

void *vgb_mem_gpa(const struct vgb_guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (!range_ok(gpa, len))
		return NULL;
	for (unsigned i = 0; i < m->nregions; i++) {
		const struct vgb_mem_region *r = &m->regions[i];
		if (r->host && range_inside(gpa, len, r->gpa, r->size))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

void *vgb_mem_uva(const struct vgb_guest_mem *m, uint64_t uva, uint64_t len)
{
	if (!range_ok(uva, len))
		return NULL;
	for (unsigned i = 0; i < m->nregions; i++) {
		const struct vgb_mem_region *r = &m->regions[i];
		if (r->host && range_inside(uva, len, r->uva, r->size))
			return r->host + (uva - r->uva);
	}
	return NULL;
}

static void *span_in(const struct vgb_mem_region *r, uint64_t gpa, uint64_t len, uint64_t *avail)
{
	if (!r->host || gpa < r->gpa || gpa - r->gpa >= r->size)
		return NULL;
	uint64_t left = r->size - (gpa - r->gpa);
	*avail = len < left ? len : left;
	return r->host + (gpa - r->gpa);
}

void *vgb_mem_gpa_span_hint(const struct vgb_guest_mem *m, uint64_t gpa, uint64_t len, uint64_t *avail,
			    unsigned *hint)
{
	*avail = 0;
	if (!range_ok(gpa, len))
		return NULL;
	/* The region of the previous lookup first: a walk over many pieces stays in one region. */
	void *p = *hint < m->nregions ? span_in(&m->regions[*hint], gpa, len, avail) : NULL;
	for (unsigned i = 0; !p && i < m->nregions; i++)
		if ((p = span_in(&m->regions[i], gpa, len, avail)))
			*hint = i;
	return p;
}

void *vgb_mem_gpa_span(const struct vgb_guest_mem *m, uint64_t gpa, uint64_t len, uint64_t *avail)
{
	unsigned hint = 0;
	return vgb_mem_gpa_span_hint(m, gpa, len, avail, &hint);
}

bool vgb_mem_gpa_valid(const struct vgb_guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (!range_ok(gpa, len))
		return false;
	while (len > 0) {
		uint64_t avail;
		if (!vgb_mem_gpa_span(m, gpa, len, &avail))
			return false;
		gpa += avail;
		len -= avail;
	}
	return true;
}

int vgb_mem_check_table(const struct vgb_guest_mem *m)
{
	if (m->nregions == 0 || m->nregions > VGB_MEM_MAX_REGIONS)
		return -EINVAL;
	for (unsigned i = 0; i < m->nregions; i++) {
		const struct vgb_mem_region *a = &m->regions[i];
		if (!range_ok(a->gpa, a->size) || !range_ok(a->uva, a->size) ||
		    !range_ok(a->mmap_offset, a->size))
			return -EINVAL;
		for (unsigned j = 0; j < i; j++) {
			const struct vgb_mem_region *b = &m->regions[j];
			if (a->gpa < b->gpa + b->size && b->gpa < a->gpa + a->size)
				return -EINVAL;
			if (a->uva < b->uva + b->size && b->uva < a->uva + a->size)
				return -EINVAL;
		}
	}
	return 0;
}

void vgb_mem_release(struct vgb_guest_mem *m)
{
	for (unsigned i = 0; i < m->nregions; i++) {
		struct vgb_mem_region *r = &m->regions[i];
		if (!r->map_base)
			continue;
		munmap(r->map_base, r->map_len);
		if (r->fd >= 0)
			close(r->fd);
	}
	m->nregions = 0;
}
