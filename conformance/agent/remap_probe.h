/* The kernel's remaps of the host-visible region's page frames into user
 * mappings, seen through a kprobe (tracefs): for each mapping, the region
 * offset the driver placed the blob at and the page protection the kernel
 * picked. Linux maps the region with VM_PFNMAP, which /proc/self/pagemap
 * does not show; the x86 PAT list shows only memory types. */
#ifndef VGB_AGENT_REMAP_PROBE_H
#define VGB_AGENT_REMAP_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "region.h"

struct remap_probe {
	char function[48]; /* the kernel function it sits on, "" when not armed */
};

/* Arms a kprobe that records the pfn and pgprot of every remap of page
 * frames; 0, or -errno with why[] saying what is missing. */
int remap_probe_start(struct remap_probe *p, char *why, size_t why_len);
/* The last remap that started inside the region: its region offset and
 * pgprot; 0 or -errno. */
int remap_probe_last(const struct remap_probe *p, const struct shm_region *r, uint64_t *offset, uint64_t *prot);
void remap_probe_stop(struct remap_probe *p);

/* arm64: the memory type of a pgprot (its MAIR index) as a name and a
 * cacheability rank (1 Device, 2 Normal non-cacheable, 3 Normal write-back). */
const char *arm64_memtype(uint64_t prot, int *cacheability);

#endif
