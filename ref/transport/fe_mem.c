/* SPDX-License-Identifier: MIT */
/* Front-end guest RAM: memfd regions with gaps between them, and a page allocator. */
#include "fe_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GPA_BASE 0x40000000ull /* first region */
#define GPA_GAP 0x01000000ull  /* hole between regions: no buffer can run from one into the next */

#define HUGE_PAGE (2ull << 20)

/*
 * Guest RAM of hugetlbfs pages, as QEMU's memory-backend-memfd,hugetlb=on:
 * only where the host has reserved enough of them (the mapping reserves them
 * all now, so a shortage fails here and never as SIGBUS later).
 */
static void *map_hugetlb(uint64_t len, int *fd)
{
	*fd = memfd_create("vgb-guest-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB);
	if (*fd < 0)
		return MAP_FAILED;
	void *p = MAP_FAILED;
	if (!ftruncate(*fd, (off_t)len)) {
		fcntl(*fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	}
	if (p == MAP_FAILED) {
		close(*fd);
		*fd = -1;
	}
	return p;
}

int fe_mem_create(struct vgb_fe *fe)
{
	unsigned n = fe->opt.ram_regions;
	uint64_t page = fe->opt.huge_pages ? HUGE_PAGE : FE_PAGE;
	uint64_t each = (fe->opt.ram_size / n + page - 1) & ~(page - 1);
	uint64_t gpa = GPA_BASE;
	fe->ram_page_size = FE_PAGE;
	for (unsigned i = 0; i < n; i++) {
		int fd = -1;
		void *p = MAP_FAILED;
		if (fe->opt.huge_pages && (i == 0 || fe->ram_page_size == HUGE_PAGE))
			p = map_hugetlb(each, &fd);
		if (p != MAP_FAILED) {
			fe->ram_page_size = HUGE_PAGE;
		} else {
			fd = memfd_create("vgb-guest-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
			if (fd < 0)
				return fe_fail(fe, -errno, "memfd_create: %s", strerror(errno));
			if (ftruncate(fd, (off_t)each)) {
				int e = errno;
				close(fd);
				return fe_fail(fe, -e, "sizing guest RAM: %s", strerror(e));
			}
			/* A back-end maps this: it must never shrink under it (SIGBUS), as QEMU's memfd RAM. */
			fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
			p = mmap(NULL, each, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED) {
				int e = errno;
				close(fd);
				return fe_fail(fe, -e, "mapping guest RAM: %s", strerror(e));
			}
			if (fe->opt.huge_pages)
				madvise(p, each, MADV_HUGEPAGE); /* transparent huge pages, where shmem allows */
		}
		struct vgb_mem_region *r = &fe->mem.regions[i];
		*r = (struct vgb_mem_region){ .gpa = gpa, .size = each, .uva = (uint64_t)(uintptr_t)p,
					      .mmap_offset = 0, .host = p, .map_base = p,
					      .map_len = each, .fd = fd };
		fe->mem.nregions = i + 1;
		fe->npages[i] = each / FE_PAGE;
		fe->page_used[i] = calloc(fe->npages[i], 1);
		if (!fe->page_used[i])
			return fe_fail(fe, -ENOMEM, "out of memory");
		gpa += each + GPA_GAP;
	}
	return 0;
}

void fe_mem_destroy(struct vgb_fe *fe)
{
	for (unsigned i = 0; i < VGB_MEM_MAX_REGIONS; i++) {
		free(fe->page_used[i]);
		fe->page_used[i] = NULL;
	}
	vgb_mem_release(&fe->mem);
}

const struct vgb_guest_mem *vgb_fe_mem(const struct vgb_fe *fe)
{
	return &fe->mem;
}

void *vgb_fe_gpa_ptr(const struct vgb_fe *fe, uint64_t gpa, uint64_t len)
{
	return vgb_mem_gpa(&fe->mem, gpa, len);
}

uint64_t vgb_fe_alloc(struct vgb_fe *fe, uint64_t size)
{
	if (size == 0 || size > UINT64_MAX - FE_PAGE)
		return 0;
	uint64_t need = (size + FE_PAGE - 1) / FE_PAGE;
	for (unsigned r = 0; r < fe->mem.nregions; r++) {
		uint64_t run = 0;
		for (uint64_t p = 0; p < fe->npages[r]; p++) {
			run = fe->page_used[r][p] ? 0 : run + 1;
			if (run == need) {
				uint64_t first = p + 1 - need;
				memset(fe->page_used[r] + first, 1, need);
				return fe->mem.regions[r].gpa + first * FE_PAGE;
			}
		}
	}
	return 0;
}

/* Region and page index of gpa, or false. */
static bool locate(const struct vgb_fe *fe, uint64_t gpa, unsigned *r, uint64_t *page)
{
	for (unsigned i = 0; i < fe->mem.nregions; i++) {
		const struct vgb_mem_region *m = &fe->mem.regions[i];
		if (gpa >= m->gpa && gpa - m->gpa < m->size) {
			*r = i;
			*page = (gpa - m->gpa) / FE_PAGE;
			return true;
		}
	}
	return false;
}

void vgb_fe_free(struct vgb_fe *fe, uint64_t gpa, uint64_t size)
{
	unsigned r;
	uint64_t p;
	if (size == 0 || !locate(fe, gpa, &r, &p))
		return;
	uint64_t n = (size + FE_PAGE - 1) / FE_PAGE;
	for (uint64_t k = 0; k < n && p + k < fe->npages[r]; k++)
		fe->page_used[r][p + k] = 0;
}

static bool page_free(const struct vgb_fe *fe, unsigned r, uint64_t p)
{
	return p < fe->npages[r] && !fe->page_used[r][p];
}

int vgb_fe_alloc_pages(struct vgb_fe *fe, unsigned npages, bool scatter, uint64_t *gpas)
{
	unsigned got = 0;
	if (!scatter) {
		for (unsigned r = 0; r < fe->mem.nregions && got < npages; r++)
			for (uint64_t p = 0; p < fe->npages[r] && got < npages; p++)
				if (!fe->page_used[r][p]) {
					fe->page_used[r][p] = 1;
					gpas[got++] = fe->mem.regions[r].gpa + p * FE_PAGE;
				}
	} else {
		/*
		 * Round-robin over regions, walking each downwards and never taking a page
		 * next to a used one: consecutive entries are neither adjacent nor ascending.
		 */
		uint64_t cursor[VGB_MEM_MAX_REGIONS];
		for (unsigned r = 0; r < fe->mem.nregions; r++)
			cursor[r] = fe->npages[r];
		bool progress = true;
		while (got < npages && progress) {
			progress = false;
			for (unsigned r = 0; r < fe->mem.nregions && got < npages; r++) {
				while (cursor[r] > 0) {
					uint64_t p = --cursor[r];
					bool lonely = page_free(fe, r, p) && (p == 0 || page_free(fe, r, p - 1)) &&
						      page_free(fe, r, p + 1);
					if (p + 1 == fe->npages[r])
						lonely = page_free(fe, r, p) && (p == 0 || page_free(fe, r, p - 1));
					if (!lonely)
						continue;
					fe->page_used[r][p] = 1;
					gpas[got++] = fe->mem.regions[r].gpa + p * FE_PAGE;
					progress = true;
					break;
				}
			}
		}
	}
	if (got < npages) {
		for (unsigned k = 0; k < got; k++)
			vgb_fe_free(fe, gpas[k], FE_PAGE);
		return -ENOMEM;
	}
	return 0;
}
