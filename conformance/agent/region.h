/* Where the host-visible region lies in guest-physical memory: read from the
 * virtio-gpu function's PCI shared-memory capability. */
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

/* The guest's page size. */
uint64_t guest_page_size(void);

#endif
