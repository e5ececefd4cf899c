/* SPDX-License-Identifier: MIT */
#include "range_alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vgb_range_init(struct vgb_range_alloc *a, uint64_t size, uint64_t granularity)
{
	memset(a, 0, sizeof(*a));
	if (granularity == 0 || (granularity & (granularity - 1)))
		return -EINVAL;
	a->granularity = granularity;
	a->size = size & ~(granularity - 1);
	return 0;
}

void vgb_range_fini(struct vgb_range_alloc *a)
{
	free(a->ranges);
	memset(a, 0, sizeof(*a));
}

uint64_t vgb_range_round(const struct vgb_range_alloc *a, uint64_t size)
{
	uint64_t g = a->granularity;
	if (size == 0 || g == 0 || size > UINT64_MAX - (g - 1))
		return 0;
	return (size + g - 1) & ~(g - 1);
}

static int insert_at(struct vgb_range_alloc *a, unsigned idx, uint64_t offset, uint64_t size)
{
	if (a->n == a->cap) {
		unsigned cap = a->cap ? a->cap * 2 : 16;
		struct vgb_range *r = realloc(a->ranges, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		a->ranges = r;
		a->cap = cap;
	}
	memmove(&a->ranges[idx + 1], &a->ranges[idx], (a->n - idx) * sizeof(*a->ranges));
	a->ranges[idx] = (struct vgb_range){ offset, size };
	a->n++;
	a->used += size;
	return 0;
}

int vgb_range_reserve(struct vgb_range_alloc *a, uint64_t size, uint64_t *offset)
{
	uint64_t len = vgb_range_round(a, size);
	if (len == 0)
		return -EINVAL;
	uint64_t start = 0;
	for (unsigned i = 0; i <= a->n; i++) {
		uint64_t end = i < a->n ? a->ranges[i].offset : a->size;
		if (end >= start && end - start >= len) {
			int ret = insert_at(a, i, start, len);
			if (ret == 0)
				*offset = start;
			return ret;
		}
		if (i < a->n)
			start = a->ranges[i].offset + a->ranges[i].size;
	}
	return -ENOSPC;
}

int vgb_range_reserve_at(struct vgb_range_alloc *a, uint64_t offset, uint64_t size)
{
	uint64_t len = vgb_range_round(a, size);
	if (len == 0 || (offset & (a->granularity - 1)) || offset > a->size || len > a->size - offset)
		return -EINVAL;
	unsigned i = 0;
	while (i < a->n && a->ranges[i].offset + a->ranges[i].size <= offset)
		i++;
	if (i < a->n && a->ranges[i].offset < offset + len)
		return -EEXIST;
	return insert_at(a, i, offset, len);
}

int vgb_range_release(struct vgb_range_alloc *a, uint64_t offset)
{
	for (unsigned i = 0; i < a->n; i++) {
		if (a->ranges[i].offset == offset) {
			a->used -= a->ranges[i].size;
			memmove(&a->ranges[i], &a->ranges[i + 1], (a->n - i - 1) * sizeof(*a->ranges));
			a->n--;
			return 0;
		}
	}
	return -ENOENT;
}
