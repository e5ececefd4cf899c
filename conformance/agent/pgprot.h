/* The page protection the guest kernel picked for a user mapping of the
 * host-visible region, seen through a kprobe on the kernel's remap of the
 * region's page frames (tracefs). The x86 cases read PAT memory types
 * instead; this is how arm64 shows its memory attributes. */
#ifndef VGB_AGENT_PGPROT_H
#define VGB_AGENT_PGPROT_H

#include <stddef.h>
#include <stdint.h>

#include "region.h"

struct pgprot_probe {
	char event[32];    /* the kprobe event name, "" when none is set */
	char function[48]; /* the kernel function it sits on */
};

/* Arms a kprobe that records the pgprot and pfn of every remap of page
 * frames; 0, or -errno with why[] saying what is missing. */
int pgprot_probe_start(struct pgprot_probe *p, char *why, size_t why_len);
/* The pgprot of the last remap that covered frames of the region; 0 or -errno. */
int pgprot_probe_read(struct pgprot_probe *p, const struct shm_region *r, uint64_t *prot);
void pgprot_probe_stop(struct pgprot_probe *p);

/* arm64: the memory type of a pgprot (its MAIR index) as a name and a
 * cacheability rank (1 Device, 2 Normal non-cacheable, 3 Normal write-back). */
const char *arm64_memtype(uint64_t prot, int *cacheability);

#endif
