/* What the guest kernel says about a CPU mapping that Vulkan handed out:
 * which physical memory it reaches (is it the virtio-gpu host-visible window,
 * i.e. a mapped host blob, or guest RAM?), what the VMA is, which cache type
 * PAT gave it, and how much of the host-visible window the driver has handed
 * out. All read from /proc and debugfs; the agent runs as root. */
#ifndef VGB_VKAGENT_MAPINFO_H
#define VGB_VKAGENT_MAPINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The virtio-gpu function's largest memory BAR: the host-visible window. */
struct hostvis_window {
	uint64_t start, end; /* inclusive end, as sysfs prints it */
	bool prefetchable;
};
int hostvis_window_find(struct hostvis_window *w);

/* Physical address behind a mapped user address (its page is touched first);
 * 0 or -errno. */
int map_phys(const void *p, uint64_t *phys);

struct map_vma {
	uintptr_t start, end;
	char path[128];  /* the mapped file ("" if anonymous) */
	bool io, pfnmap; /* VmFlags "io" and "pf": device memory, not guest pages */
};
/* The VMA that holds p, from /proc/self/smaps; 0, or -ENOENT when unmapped. */
int map_vma_find(const void *p, struct map_vma *out);

/* PAT's memory type for the range holding phys ("write-back",
 * "uncached-minus", "write-combining", ...); 0, -ENOENT (no entry) or
 * -errno (no debugfs). */
int pat_memtype(uint64_t phys, char *type, size_t cap);

/* Bytes of the host-visible window the driver has in use
 * (debugfs virtio-gpu-host-visible-mm); 0 or -errno. */
int hostvis_used(uint64_t *used, uint64_t *total);

#endif
