/* SPDX-License-Identifier: MIT */
/*
 * Host memory for resources and context objects, charged against
 * cfg.max_host_memory so that a driver cannot make the host allocate without
 * bound.  Memory that may be placed into the host-visible region lives in a
 * memfd, whose fd the transport hands to the frontend (ops->shm_map).
 * Images of 2 MiB and more ask for transparent huge pages: a transfer then
 * walks its destination with a few hundred TLB entries fewer per frame.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

bool vgb_charge(struct vgb_device *dev, uint64_t bytes)
{
	if (bytes > dev->cfg.max_host_memory - dev->host_used)
		return false;
	dev->host_used += bytes;
	return true;
}

void vgb_uncharge(struct vgb_device *dev, uint64_t bytes)
{
	dev->host_used -= bytes;
}

#define HUGE_PAGE (2ull << 20)

static uint64_t page_round(uint64_t size)
{
	return (size + VGB_PAGE - 1) & ~(uint64_t)(VGB_PAGE - 1);
}

/*
 * Anonymous memory of len bytes starting on a huge-page boundary, so that
 * every whole 2 MiB of it can be one huge page.  The mapping ends at len: the
 * partial huge page at the end stays in small pages, so nothing beyond what
 * was charged can ever be touched.
 */
static void *anon_huge(uint64_t len)
{
	uint64_t over = len + HUGE_PAGE;
	uint8_t *p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return p;
	uint8_t *start = (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (start > p)
		munmap(p, start - p);
	if (start + len < p + over)
		munmap(start + len, p + over - (start + len));
	madvise(start, len, MADV_HUGEPAGE); /* advice only: THP may be off on this host */
	return start;
}

/*
 * Pages come from the kernel and go back to it: a new allocation is always
 * zero-filled, so no byte of a freed resource or object can show in a new one
 * (REQ-DEV-LIFE-0100).  A shareable allocation is its own sealed memfd.
 */
static void *host_get(uint64_t len, bool shareable, int *fd)
{
	*fd = -1;
	if (!shareable && len >= HUGE_PAGE)
		return anon_huge(len);
	if (!shareable) /* untouched pages cost nothing: a huge resource only costs what is written */
		return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			    -1, 0);
	*fd = memfd_create("vgb-hostmem", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (*fd < 0 || ftruncate(*fd, (off_t)len) < 0 || /* sealed: the frontend may rely on the size */
	    fcntl(*fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		return MAP_FAILED;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	/* Effective where the host allows huge pages for shared memory (shmem_enabled). */
	if (p != MAP_FAILED && len >= HUGE_PAGE)
		madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void host_put(void *p, uint64_t len, int fd)
{
	if (p)
		munmap(p, len);
	if (fd >= 0)
		close(fd);
}

int vgb_hostmem_alloc(struct vgb_device *dev, struct vgb_hostmem *m, uint64_t size, bool shareable)
{
	*m = (struct vgb_hostmem){.fd = -1};
	uint64_t len = page_round(size);
	if (size == 0 || len < size || len > SIZE_MAX || !vgb_charge(dev, len))
		return -ENOMEM;
	int fd;
	void *p = host_get(len, shareable, &fd);
	if (p == MAP_FAILED) {
		host_put(NULL, 0, fd);
		vgb_uncharge(dev, len);
		return -ENOMEM;
	}
	*m = (struct vgb_hostmem){.ptr = p, .size = size, .fd = fd};
	return 0;
}

/*
 * The renderer's memory (vgb/renderer.h) is allocated and bounded by the
 * renderer; the device only maps it to read and write blob bytes the way it
 * does for its own memory (scanouts, the suite's checks).  A renderer fd that
 * cannot be mapped (e.g. a dma-buf without mmap) is still placed in the
 * region; the device then has no CPU view of it.
 */
int vgb_hostmem_adopt(struct vgb_hostmem *m, int fd, uint64_t fd_offset, uint64_t size, void *view)
{
	uint64_t len = page_round(size);
	*m = (struct vgb_hostmem){.fd = fd, .fd_offset = fd_offset, .size = size, .external = true};
	if (size == 0 || len < size || len > SIZE_MAX || fd_offset % VGB_PAGE || fd_offset > INT64_MAX)
		return -EINVAL;
	if (view) {
		m->ptr = view;
		m->borrowed = true;
		return 0;
	}
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)fd_offset);
	if (p != MAP_FAILED)
		m->ptr = p;
	return 0;
}

void vgb_hostmem_free(struct vgb_device *dev, struct vgb_hostmem *m)
{
	/* A borrowed view is the renderer's to unmap; the fd is always ours to close. */
	bool mapped = m->ptr && !m->borrowed;
	if (mapped && !m->external)
		vgb_uncharge(dev, page_round(m->size));
	host_put(mapped ? m->ptr : NULL, page_round(m->size), m->fd);
	*m = (struct vgb_hostmem){.fd = -1};
}
