/* Where the host-visible region lies in guest-physical memory and where a
 * mapping of it landed: read from the PCI shared-memory capability and
 * /proc/self/pagemap, so a case can see the offsets the driver chose. */
#ifndef VGB_AGENT_REGION_H
#define VGB_AGENT_REGION_H

#include <stdint.h>

struct shm_region {
	uint64_t bar_start, bar_len; /* the BAR that holds it */
	int prefetch;                /* prefetchable BAR */
	uint64_t base, len;          /* guest-physical base and length of shmid 1 */
};

/* Finds the virtio-gpu function's shared-memory capability with shmid 1
 * (VIRTIO_PCI_CAP_SHARED_MEMORY_CFG); 0 or -errno. */
int shm_region_find(struct shm_region *r);

/* The region offset of the page that holds addr (a mapping of the region in
 * this process, already faulted in); 0 or -errno. */
int shm_region_offset(const struct shm_region *r, const volatile void *addr, uint64_t *offset);

/* The guest's page size. */
uint64_t guest_page_size(void);

#endif
