/* SPDX-License-Identifier: MIT */
/*
 * Front-end side of the host-visible regions: each is reserved PROT_NONE, the
 * back-end's SHMEM_MAP places an fd over part of it, SHMEM_UNMAP puts the
 * reservation back so that the range faults instead of reaching old memory.
 */
#include "fe_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void *reserve_at(void *addr, uint64_t len)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (addr ? MAP_FIXED : 0);
	return mmap(addr, len, PROT_NONE, flags, -1, 0);
}

int fe_shm_reserve(struct vgb_fe *fe, const struct vgb_vu_shmem_config *cfg)
{
	unsigned nonzero = 0;
	for (unsigned id = 0; id < VGB_VU_MAX_SHMEM_REGIONS; id++) {
		uint64_t size = cfg->memory_sizes[id];
		if (!size)
			continue;
		nonzero++;
		if (size % FE_PAGE || size > (1ull << 46))
			return fe_fail(fe, -EPROTO, "shared memory region %u has size 0x%llx (not a page multiple or too large)",
				       id, (unsigned long long)size);
		if (fe->nshm == FE_MAX_SHM)
			return fe_fail(fe, -EPROTO, "more than %u shared memory regions", FE_MAX_SHM);
		void *p = reserve_at(NULL, size);
		if (p == MAP_FAILED)
			return fe_fail(fe, -errno, "reserving shared memory region %u: %s", id, strerror(errno));
		fe->shm[fe->nshm++] = (struct fe_shm){ .shmid = (uint8_t)id, .size = size, .base = p };
	}
	/* Kept going, so that a conformance run can name the broken rule (REQ-DEV-VU-0011). */
	if (nonzero != cfg->nregions)
		fe_note(fe, "GET_SHMEM_CONFIG says %u regions but lists %u non-zero sizes",
			cfg->nregions, nonzero);
	return 0;
}

static void drop_mappings(struct fe_shm *s)
{
	for (unsigned i = 0; i < s->nmaps; i++)
		reserve_at(s->base + s->maps[i].offset, s->maps[i].len);
	s->nmaps = 0;
}

void fe_shm_drop_all(struct vgb_fe *fe)
{
	if (fe->opt.keep_shmem_on_stop)
		return; /* on purpose: breaks REQ-DEV-VU-0045 */
	for (unsigned i = 0; i < fe->nshm; i++)
		drop_mappings(&fe->shm[i]);
}

void fe_shm_release(struct vgb_fe *fe)
{
	for (unsigned i = 0; i < fe->nshm; i++) {
		munmap(fe->shm[i].base, fe->shm[i].size);
		free(fe->shm[i].maps);
	}
	fe->nshm = 0;
}

static struct fe_shm *find_shm(const struct vgb_fe *fe, uint8_t shmid)
{
	for (unsigned i = 0; i < fe->nshm; i++)
		if (fe->shm[i].shmid == shmid)
			return (struct fe_shm *)&fe->shm[i];
	return NULL;
}

static uint64_t refuse(struct vgb_fe *fe, const char *what, const struct vgb_vu_mmap *mm)
{
	if (fe->opt.ack_refused_shmem) {
		fe_note(fe, "acknowledged (on purpose) what it refuses: %s", what);
		return 0;
	}
	fe_note(fe, "refused %s (shmid %u shm_offset 0x%llx fd_offset 0x%llx len 0x%llx flags 0x%llx)", what,
		mm->shmid, (unsigned long long)mm->shm_offset, (unsigned long long)mm->fd_offset,
		(unsigned long long)mm->len, (unsigned long long)mm->flags);
	return 1;
}

/*
 * A back-end that shrinks the file after the map would turn accesses to the
 * region into SIGBUS in whoever touches it (the driver, here; a vCPU in a VMM).
 * Pages cannot be guarded cheaply, so the file itself is pinned: F_SEAL_SHRINK
 * is required, and added here when the file still allows sealing (a memfd made
 * with MFD_ALLOW_SEALING; vgb-host seals its own).  A file that can be neither
 * (a memfd without sealing) is mapped with a warning, as QEMU does, or refused
 * with require_sealed_shmem.
 */
static bool sealed_against_shrinking(struct vgb_fe *fe, int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals >= 0 && (seals & F_SEAL_SHRINK))
		return true;
	if (seals >= 0 && !(seals & F_SEAL_SEAL) && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0) {
		fe_note(fe, "SHMEM_MAP: sealed the back-end's file against shrinking");
		return true;
	}
	return false;
}

static uint64_t do_map(struct vgb_fe *fe, const struct vgb_vu_mmap *mm, int fd, bool *unsealed)
{
	struct fe_shm *s = find_shm(fe, mm->shmid);
	if (!s)
		return refuse(fe, "SHMEM_MAP: unknown shmid", mm);
	if (mm->flags & ~VGB_VU_SHMEM_FLAG_WRITABLE)
		return refuse(fe, "SHMEM_MAP: unknown flags", mm);
	if (mm->len == 0 || (mm->len | mm->shm_offset | mm->fd_offset) % FE_PAGE)
		return refuse(fe, "SHMEM_MAP: zero length or not page aligned", mm);
	if (mm->shm_offset > s->size || mm->len > s->size - mm->shm_offset)
		return refuse(fe, "SHMEM_MAP: range outside the region", mm);
	if (mm->fd_offset + mm->len < mm->fd_offset || mm->fd_offset + mm->len > (uint64_t)INT64_MAX)
		return refuse(fe, "SHMEM_MAP: fd range overflows", mm);
	for (unsigned i = 0; i < s->nmaps; i++)
		if (mm->shm_offset < s->maps[i].offset + s->maps[i].len &&
		    s->maps[i].offset < mm->shm_offset + mm->len)
			return refuse(fe, "SHMEM_MAP: overlaps a live mapping", mm);
	/* A VMM has so many memory slots (KVM: one per mapping); past them it must refuse. */
	if (fe->shmem_slots && s->nmaps >= fe->shmem_slots)
		return refuse(fe, "SHMEM_MAP: out of memory slots", mm);
	/* Touching pages past the end of a file raises SIGBUS: the whole range must exist. */
	struct stat st;
	if (fstat(fd, &st) || (S_ISREG(st.st_mode) && (uint64_t)st.st_size < mm->fd_offset + mm->len))
		return refuse(fe, "SHMEM_MAP: range past the end of the file", mm);
	if (S_ISREG(st.st_mode) && !sealed_against_shrinking(fe, fd)) {
		if (fe->opt.require_sealed_shmem)
			return refuse(fe, "SHMEM_MAP: file not sealed against shrinking", mm);
		*unsealed = true;
		fe_note(fe, "SHMEM_MAP: the back-end can shrink this file: accesses past its new end "
			"would raise SIGBUS (shm_offset 0x%llx len 0x%llx)",
			(unsigned long long)mm->shm_offset, (unsigned long long)mm->len);
	}
	if (s->nmaps == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 16;
		struct fe_mapping *n = realloc(s->maps, cap * sizeof(*n));
		if (!n)
			return refuse(fe, "SHMEM_MAP: out of memory", mm);
		s->maps = n;
		s->cap = cap;
	}
	int prot = PROT_READ | ((mm->flags & VGB_VU_SHMEM_FLAG_WRITABLE) ? PROT_WRITE : 0);
	void *p = mmap(s->base + mm->shm_offset, mm->len, prot, MAP_SHARED | MAP_FIXED, fd,
		       (off_t)mm->fd_offset);
	if (p == MAP_FAILED) {
		reserve_at(s->base + mm->shm_offset, mm->len); /* never leave a hole */
		return refuse(fe, "SHMEM_MAP: mmap failed", mm);
	}
	s->maps[s->nmaps++] = (struct fe_mapping){ mm->shm_offset, mm->len };
	return 0;
}

static uint64_t do_unmap(struct vgb_fe *fe, const struct vgb_vu_mmap *mm)
{
	struct fe_shm *s = find_shm(fe, mm->shmid);
	if (!s)
		return refuse(fe, "SHMEM_UNMAP: unknown shmid", mm);
	for (unsigned i = 0; i < s->nmaps; i++) {
		if (s->maps[i].offset != mm->shm_offset || s->maps[i].len != mm->len)
			continue;
		if (reserve_at(s->base + mm->shm_offset, mm->len) == MAP_FAILED)
			return refuse(fe, "SHMEM_UNMAP: re-reserving failed", mm);
		s->maps[i] = s->maps[--s->nmaps];
		return 0;
	}
	return refuse(fe, "SHMEM_UNMAP: not exactly one live mapping", mm);
}

uint64_t fe_shm_handle(struct vgb_fe *fe, struct vgb_vu_msg *m, bool *unsealed)
{
	*unsealed = false;
	if (!(fe->protocol_features & (1ull << VGB_VU_PROTOCOL_F_SHMEM)))
		return refuse(fe, "shared memory request without protocol feature SHMEM", &m->payload.mmap);
	if (m->request == VGB_VU_BACKEND_SHMEM_MAP)
		return do_map(fe, &m->payload.mmap, m->fds[0], unsealed);
	return do_unmap(fe, &m->payload.mmap);
}

void vgb_fe_set_shmem_slots(struct vgb_fe *fe, unsigned slots)
{
	fe->shmem_slots = slots;
}

unsigned vgb_fe_shmem_maps(const struct vgb_fe *fe, uint8_t shmid)
{
	const struct fe_shm *s = find_shm(fe, shmid);
	return s ? s->nmaps : 0;
}

void *vgb_fe_shm(const struct vgb_fe *fe, uint8_t shmid, uint64_t *size)
{
	const struct fe_shm *s = find_shm(fe, shmid);
	if (size)
		*size = s ? s->size : 0;
	return s ? s->base : NULL;
}

bool vgb_fe_shm_mapped(const struct vgb_fe *fe, uint8_t shmid, uint64_t offset, uint64_t len)
{
	const struct fe_shm *s = find_shm(fe, shmid);
	if (!s || len == 0 || offset > s->size || len > s->size - offset)
		return false;
	/* Covered when every byte lies in some mapping (mappings never overlap). */
	uint64_t covered = 0;
	for (unsigned i = 0; i < s->nmaps; i++) {
		uint64_t a = s->maps[i].offset, b = a + s->maps[i].len;
		uint64_t lo = a > offset ? a : offset, hi = b < offset + len ? b : offset + len;
		if (lo < hi)
			covered += hi - lo;
	}
	return covered == len;
}
