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

/* Where a device-memory mapping lands. /proc/self/pagemap cannot say: page
 * walks skip VM_PFNMAP areas. PAT can: every io_remap_pfn_range of a whole
 * area reserves its physical range with its cache type, listed in debugfs. So
 * the agent lists PAT's ranges inside the window before and after mapping,
 * and the new range is the mapping's. */
struct pat_range {
	uint64_t start, end; /* physical, end exclusive */
	char type[24];       /* "write-back", "uncached-minus", "write-combining", ... */
};
struct pat_snapshot {
	unsigned n;
	struct pat_range r[512];
};
/* PAT's ranges inside the window; 0, or -errno (no debugfs / PAT). */
int pat_snapshot(const struct hostvis_window *w, struct pat_snapshot *s);
/* The range of `after` not in `before` that is at least min_len long; 0 or -ENOENT. */
int pat_added(const struct pat_snapshot *before, const struct pat_snapshot *after, uint64_t min_len,
	      struct pat_range *out);

struct map_vma {
	uintptr_t start, end;
	char path[128];  /* the mapped file ("" if anonymous) */
	bool io, pfnmap; /* VmFlags "io" and "pf": device memory, not guest pages */
};
/* The VMA that holds p, from /proc/self/smaps; 0, or -ENOENT when unmapped. */
int map_vma_find(const void *p, struct map_vma *out);

/* Bytes of the host-visible window the driver has in use
 * (debugfs virtio-gpu-host-visible-mm); 0 or -errno. */
int hostvis_used(uint64_t *used, uint64_t *total);

#endif
