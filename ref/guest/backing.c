/* SPDX-License-Identifier: MIT */
/* Guest backing: the pages a resource or GUEST blob lives in, and their entries. */
#include "driver_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u

static void add_entry(struct vgb_drv_backing *b, uint64_t gpa, uint32_t len)
{
	b->entries[b->nentries].addr = vgb_to_le64(gpa);
	b->entries[b->nentries].length = vgb_to_le32(len);
	b->entries[b->nentries].padding = 0;
	b->nentries++;
	b->size += len;
}

/* Pages cut into two entries each, starting at an odd offset, so rows straddle entries. */
static void cut_odd(struct vgb_drv_backing *b, uint64_t size)
{
	for (unsigned i = 0; i < b->npages && b->size < size; i++) {
		uint32_t lead = (i * 100u) % 509u;
		uint32_t avail = PAGE - lead;
		uint32_t first = avail / 3 + i % 7;
		uint64_t gpa = b->pages[i] + lead;
		uint32_t parts[2] = { first, avail - first };
		for (unsigned p = 0; p < 2 && b->size < size; p++) {
			uint32_t len = parts[p];
			if (len > size - b->size)
				len = (uint32_t)(size - b->size);
			add_entry(b, gpa, len);
			gpa += parts[p];
		}
	}
}

int vgb_drv_backing_alloc(struct vgb_drv *drv, uint64_t size, enum vgb_backing_layout layout,
			  struct vgb_drv_backing *b)
{
	memset(b, 0, sizeof(*b));
	if (size == 0 || size > (1ull << 40))
		return drv_fail(drv, -EINVAL, "backing of %llu bytes", (unsigned long long)size);
	if (layout == VGB_BACKING_CONTIG) {
		uint64_t len = (size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
		if (size > UINT32_MAX)
			return drv_fail(drv, -EINVAL, "one entry cannot hold %llu bytes", (unsigned long long)size);
		b->contig_gpa = vgb_fe_alloc(drv->fe, len);
		if (!b->contig_gpa)
			return drv_fail(drv, -ENOMEM, "guest RAM exhausted (%llu bytes)", (unsigned long long)len);
		b->contig_size = len;
		b->entries = calloc(1, sizeof(*b->entries));
		if (!b->entries) {
			vgb_drv_backing_free(drv, b);
			return drv_fail(drv, -ENOMEM, "out of memory");
		}
		add_entry(b, b->contig_gpa, (uint32_t)size);
		return 0;
	}
	/* ODD pages carry at least PAGE - 508 bytes each. */
	uint64_t per_page = layout == VGB_BACKING_ODD ? PAGE - 508 : PAGE;
	uint64_t npages = (size + per_page - 1) / per_page;
	if (npages > UINT32_MAX / 2)
		return drv_fail(drv, -EINVAL, "backing too large");
	b->pages = calloc(npages, sizeof(*b->pages));
	b->entries = calloc(npages * 2, sizeof(*b->entries));
	if (!b->pages || !b->entries) {
		vgb_drv_backing_free(drv, b);
		return drv_fail(drv, -ENOMEM, "out of memory");
	}
	int ret = vgb_fe_alloc_pages(drv->fe, (unsigned)npages, true, b->pages);
	if (ret) {
		vgb_drv_backing_free(drv, b);
		return drv_fail(drv, -ENOMEM, "guest RAM exhausted (%llu pages)", (unsigned long long)npages);
	}
	b->npages = (unsigned)npages;
	if (layout == VGB_BACKING_ODD) {
		cut_odd(b, size);
	} else {
		for (unsigned i = 0; i < b->npages; i++)
			add_entry(b, b->pages[i], size - b->size < PAGE ? (uint32_t)(size - b->size) : PAGE);
	}
	return 0;
}

void vgb_drv_backing_free(struct vgb_drv *drv, struct vgb_drv_backing *b)
{
	for (unsigned i = 0; i < b->npages; i++)
		vgb_fe_free(drv->fe, b->pages[i], PAGE);
	if (b->contig_size)
		vgb_fe_free(drv->fe, b->contig_gpa, b->contig_size);
	free(b->pages);
	free(b->entries);
	memset(b, 0, sizeof(*b));
}

/* Walk the entries overlapping [offset, +len) and copy in the direction asked. */
static int backing_copy(struct vgb_drv *drv, const struct vgb_drv_backing *b, uint64_t offset,
			uint8_t *data, uint64_t len, bool to_backing)
{
	if (offset > b->size || len > b->size - offset)
		return drv_fail(drv, -EINVAL, "range past the backing's %llu bytes", (unsigned long long)b->size);
	uint64_t pos = 0;
	for (unsigned i = 0; i < b->nentries && len; i++) {
		uint64_t elen = vgb_le32(b->entries[i].length);
		if (offset >= pos + elen) {
			pos += elen;
			continue;
		}
		uint64_t skip = offset - pos, n = elen - skip;
		if (n > len)
			n = len;
		uint8_t *host = vgb_fe_gpa_ptr(drv->fe, vgb_le64(b->entries[i].addr) + skip, n);
		if (!host)
			return drv_fail(drv, -EFAULT, "backing entry outside guest RAM");
		if (to_backing)
			memcpy(host, data, n);
		else
			memcpy(data, host, n);
		data += n;
		len -= n;
		offset += n;
		pos += elen;
	}
	return 0;
}

int vgb_drv_backing_write(struct vgb_drv *drv, const struct vgb_drv_backing *b, uint64_t offset,
			  const void *data, uint64_t len)
{
	return backing_copy(drv, b, offset, (uint8_t *)(uintptr_t)data, len, true);
}

int vgb_drv_backing_read(struct vgb_drv *drv, const struct vgb_drv_backing *b, uint64_t offset,
			 void *data, uint64_t len)
{
	return backing_copy(drv, b, offset, data, len, false);
}
