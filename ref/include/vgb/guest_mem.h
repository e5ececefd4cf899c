/* SPDX-License-Identifier: MIT */
/*
 * Guest memory as both sides of vhost-user see it: a table of regions, each a
 * shared fd mapped into this process.  Descriptors name guest-physical
 * addresses (GPA); vring set-up names the frontend's user addresses (UVA).
 * Every translation checks the whole range against one region, overflow
 * included, so a hostile peer can never make us touch memory outside it.
 */
#ifndef VGB_GUEST_MEM_H
#define VGB_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGB_MEM_MAX_REGIONS 8 /* VHOST_MEMORY_BASELINE_NREGIONS */

struct vgb_mem_region {
	uint64_t gpa;         /* guest-physical start */
	uint64_t size;        /* bytes */
	uint64_t uva;         /* frontend's user address of the start */
	uint64_t mmap_offset; /* offset of the start inside fd */
	uint8_t *host;        /* this process's address of the start */
	void *map_base;       /* what mmap() returned (covers mmap_offset too) */
	size_t map_len;
	int fd;               /* owned (closed on release) only when map_base is set */
};

struct vgb_guest_mem {
	unsigned nregions;
	struct vgb_mem_region regions[VGB_MEM_MAX_REGIONS];
};

/* Host pointer for [gpa, gpa+len) if it lies wholly inside one region, else NULL. len 0 is invalid. */
void *vgb_mem_gpa(const struct vgb_guest_mem *m, uint64_t gpa, uint64_t len);

/* Same for a frontend user address (vring addresses of SET_VRING_ADDR). */
void *vgb_mem_uva(const struct vgb_guest_mem *m, uint64_t uva, uint64_t len);

/*
 * Longest contiguous host span starting at gpa, at most len bytes: *avail gets
 * its length.  Lets callers walk an entry that crosses adjacent regions.
 */
void *vgb_mem_gpa_span(const struct vgb_guest_mem *m, uint64_t gpa, uint64_t len, uint64_t *avail);
/* The same, trying region *hint first and leaving the region found there (walks over many pieces). */
void *vgb_mem_gpa_span_hint(const struct vgb_guest_mem *m, uint64_t gpa, uint64_t len, uint64_t *avail,
			    unsigned *hint);

/* True when [gpa, gpa+len) is backed by regions without holes (len > 0, no overflow). */
bool vgb_mem_gpa_valid(const struct vgb_guest_mem *m, uint64_t gpa, uint64_t len);

/*
 * Checks a table received from the peer (regions non-empty, no overflow, no overlap in
 * GPA or UVA) before anything is mapped. Returns 0 or -EINVAL.
 */
int vgb_mem_check_table(const struct vgb_guest_mem *m);

/* Unmaps and closes what this process owns; leaves an empty table. */
void vgb_mem_release(struct vgb_guest_mem *m);

#endif
