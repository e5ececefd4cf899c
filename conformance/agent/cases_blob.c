/* pair.blob.*: blob creation, mapping and coherency of mapped blobs. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xf86drmMode.h>

#include "blob_kinds.h"
#include "remap_probe.h"
#include "region.h"
#include "requirements.h"
#include "vgb/refctx.h"

#define BLOB_SIZE (256u * 1024u)

static enum verdict map_and_pattern(struct case_ctx *c, struct gpu_blob *b, const char *kind, uint32_t seed)
{
	int r = gpu_blob_map(c->fd, b);
	if (r)
		return case_say(c, FAIL, "%s blob created but MAP/mmap failed: %s", kind, strerror(-r));
	pattern_fill(b->map, b->size, seed);
	size_t bad = pattern_check(b->map, b->size, seed);
	if (bad != b->size)
		return case_say(c, FAIL, "%s mapping reads back wrong data at byte %zu", kind, bad);
	return PASS;
}

static enum verdict blob_guest_map(struct case_ctx *c)
{
	const char *why = guest_blob_unsupported(c);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	struct gpu_blob b;
	int r = guest_blob_create(c, BLOB_SIZE, &b);
	if (r)
		return case_say(c, FAIL, "CREATE_BLOB(GUEST, MAPPABLE): %s", strerror(-r));
	enum verdict v = map_and_pattern(c, &b, "GUEST", 0xa1);
	gpu_blob_destroy(c->fd, &b);
	return v == PASS ? case_say(c, PASS, "%u-byte GUEST blob mapped, pattern read back", BLOB_SIZE) : v;
}

static enum verdict blob_host3d_map(struct case_ctx *c)
{
	const char *why = host3d_blob_unsupported(c);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	struct gpu_blob b;
	int r = host3d_blob_create(c, BLOB_SIZE, 1, &b);
	if (r)
		return case_say(c, FAIL, "CREATE_BLOB(HOST3D, MAPPABLE) with a persistent+coherent virgl buffer: %s",
				strerror(-r));
	enum verdict v = map_and_pattern(c, &b, "HOST3D", 0xb2);
	gpu_blob_destroy(c->fd, &b);
	return v == PASS ? case_say(c, PASS, "%u-byte HOST3D blob mapped from the host-visible region, pattern read back",
				    BLOB_SIZE)
			 : v;
}

/* TRANSFER_TO_HOST_3D / FROM_HOST_3D on a mapped HOST3D blob: accepted, and
 * the bytes in the mapping stay what the guest wrote (nothing outside or
 * inside the range is clobbered by a transfer of memory that is shared). */
static enum verdict blob_host3d_transfer(struct case_ctx *c)
{
	const char *why = host3d_blob_unsupported(c);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	struct gpu_blob b;
	int r = host3d_blob_create(c, BLOB_SIZE, 1, &b);
	if (!r)
		r = gpu_blob_map(c->fd, &b);
	if (r)
		return case_say(c, FAIL, "HOST3D blob create/map: %s", strerror(-r));
	pattern_fill(b.map, BLOB_SIZE, 0xf6);
	struct drm_virtgpu_3d_transfer_to_host th = { .bo_handle = b.handle,
						      .box = { .w = BLOB_SIZE, .h = 1, .d = 1 } };
	r = gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &th);
	if (!r)
		r = gpu_wait(c->fd, b.handle);
	if (r)
		return case_say(c, FAIL, "TRANSFER_TO_HOST_3D on a mapped host blob: %s", strerror(-r));
	struct drm_virtgpu_3d_transfer_from_host fh = { .bo_handle = b.handle,
							.box = { .w = BLOB_SIZE, .h = 1, .d = 1 } };
	r = gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &fh);
	if (!r)
		r = gpu_wait(c->fd, b.handle);
	if (r)
		return case_say(c, FAIL, "TRANSFER_FROM_HOST_3D on a mapped host blob: %s", strerror(-r));
	size_t bad = pattern_check(b.map, BLOB_SIZE, 0xf6);
	gpu_blob_destroy(c->fd, &b);
	if (bad != BLOB_SIZE)
		return case_say(c, FAIL, "transfers changed the mapped bytes (first at %zu)", bad);
	return case_say(c, PASS, "both 3D transfers accepted; the mapping kept the guest's bytes");
}

/* Guest writes A through its mapping; the host copies A to B; the guest reads
 * B through its mapping. Passing needs guest->host (the host saw A's bytes)
 * and host->guest (the guest sees B's new bytes). Then the other way round. */
static enum verdict blob_host_copy_coherency(struct case_ctx *c)
{
	const char *why = host3d_blob_unsupported(c);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	struct gpu_blob a, b;
	int r = host3d_blob_create(c, BLOB_SIZE, 1, &a);
	if (!r)
		r = host3d_blob_create(c, BLOB_SIZE, 2, &b);
	if (r)
		return case_say(c, FAIL, "CREATE_BLOB(HOST3D): %s", strerror(-r));
	if ((r = gpu_blob_map(c->fd, &a)) || (r = gpu_blob_map(c->fd, &b)))
		return case_say(c, FAIL, "MAP/mmap: %s", strerror(-r));

	struct { struct gpu_blob *src, *dst; uint32_t seed; const char *name; } steps[] = {
		{ &a, &b, 0xc3, "A->B" },
		{ &b, &a, 0xd4, "B->A" },
	};
	for (size_t i = 0; i < 2; i++) {
		pattern_fill(steps[i].src->map, BLOB_SIZE, steps[i].seed);
		memset(steps[i].dst->map, 0, BLOB_SIZE);
		r = host_copy(c, steps[i].dst, steps[i].src, BLOB_SIZE);
		if (r)
			return case_say(c, FAIL, "host copy %s (EXECBUFFER/WAIT): %s", steps[i].name, strerror(-r));
		size_t bad = pattern_check(steps[i].dst->map, BLOB_SIZE, steps[i].seed);
		if (bad == 0)
			return case_say(c, FAIL,
					"after host copy %s the destination mapping shows none of the source's bytes "
					"(guest writes not seen by the host, or host writes not seen by the guest)",
					steps[i].name);
		if (bad != BLOB_SIZE)
			return case_say(c, FAIL, "after host copy %s the destination differs at byte %zu", steps[i].name,
					bad);
	}
	gpu_blob_destroy(c->fd, &a);
	gpu_blob_destroy(c->fd, &b);
	return case_say(c, PASS, "host copies A->B and B->A of %u bytes seen through both mappings", BLOB_SIZE);
}

/* The memory type the guest mapping got: on x86 from the kernel's PAT list,
 * on arm64 from the pgprot the kernel passed when it remapped the region's
 * frames. Sets *got to a cacheability rank (1 uncached, 2 write-combining,
 * 3 cached); NOT_SUPPORTED or ERROR when it cannot be seen. */
#if defined(__aarch64__)
static enum verdict mapping_memtype(struct case_ctx *c, const struct shm_region *r, struct gpu_blob *b,
				    char *type, size_t type_len, int *got)
{
	struct remap_probe probe;
	char why[160];
	if (remap_probe_start(&probe, why, sizeof(why)))
		return case_say(c, NOT_SUPPORTED, "cannot see the page protection: %s", why);
	int err = gpu_blob_map(c->fd, b);
	if (!err)
		((volatile uint8_t *)b->map)[0] = 1; /* fault the mapping in */
	uint64_t prot = 0, offset;
	int found = err ? err : remap_probe_last(&probe, r, &offset, &prot);
	char function[sizeof(probe.function)];
	snprintf(function, sizeof(function), "%s", probe.function);
	remap_probe_stop(&probe);
	if (err)
		return case_say(c, FAIL, "HOST3D blob map: %s", strerror(-err));
	if (found)
		return case_say(c, ERROR, "the kprobe on %s saw no remap of the region's frames", function);
	snprintf(type, type_len, "%s", arm64_memtype(prot, got));
	case_say(c, PASS, "pgprot 0x%" PRIx64 " (kprobe on %s)", prot, function);
	return PASS;
}
#else
static enum verdict mapping_memtype(struct case_ctx *c, const struct shm_region *r, struct gpu_blob *b,
				    char *type, size_t type_len, int *got)
{
	int err = gpu_blob_map(c->fd, b);
	if (err)
		return case_say(c, FAIL, "HOST3D blob map: %s", strerror(-err));
	((volatile uint8_t *)b->map)[0] = 1; /* fault the mapping in */
	FILE *f = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	if (!f)
		return case_say(c, NOT_SUPPORTED, "no /sys/kernel/debug/x86/pat_memtype_list (debugfs or PAT missing)");
	char line[256];
	type[0] = '\0';
	uint64_t bar_end = r->bar_start + r->bar_len - 1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char t[64];
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %63s", &s, &e, t) == 3 && s >= r->bar_start &&
		    e <= bar_end + 1) {
			snprintf(type, type_len, "%s", t);
			break;
		}
	}
	fclose(f);
	if (!type[0])
		return case_say(c, ERROR, "no PAT entry inside the BAR 0x%" PRIx64 "-0x%" PRIx64, r->bar_start, bar_end);
	*got = !strcmp(type, "write-back") ? 3 : !strcmp(type, "write-combining") ? 2 : !strncmp(type, "uncached", 8) ? 1 : 0;
	return PASS;
}
#endif

/* Is [start, end] inside an uncachable MTRR range?  Then PAT cannot make the
 * mapping anything but uncached.  (No /proc/mtrr on arm64: never.) */
static int mtrr_uncachable(uint64_t start, uint64_t end)
{
	FILE *f = fopen("/proc/mtrr", "r");
	if (!f)
		return 0;
	char line[256];
	int uc = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long base, mb;
		const char *at = strstr(line, "base=");
		const char *sz = strstr(line, "size=");
		if (!at || !sz || !strstr(line, "uncachable") || sscanf(at, "base=%llx", &base) != 1 ||
		    sscanf(sz, "size=%lluMB", &mb) != 1)
			continue;
		if (start >= base && end < base + (mb << 20))
			uc = 1;
	}
	fclose(f);
	return uc;
}

static const char *const names[] = { "none", "cached", "uncached", "write-combining" };
static const int cacheability[] = { -1, 3, 1, 2 }; /* by cache type; higher = more cacheable */

/*
 * Maps a HOST3D blob and reads the memory type its guest mapping got
 * (mapping_memtype): 3 cached, 2 write-combining, 1 uncached, 0 unknown.
 * *forced: the BAR lies in an uncachable MTRR range, so the type says nothing
 * of what the driver asked for.  NOT_SUPPORTED/ERROR/FAIL verdicts go to c.
 */
static enum verdict mapped_memtype(struct case_ctx *c, int *got, char *type, size_t len, int *forced)
{
	const char *why = host3d_blob_unsupported(c);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	struct shm_region r;
	if (shm_region_find(&r))
		return case_say(c, ERROR, "cannot find the virtio-gpu shared memory capability (shmid 1) in sysfs");
	struct gpu_blob b;
	int err = host3d_blob_create(c, BLOB_SIZE, 1, &b);
	if (err)
		return case_say(c, FAIL, "HOST3D blob create: %s", strerror(-err));
	enum verdict v = mapping_memtype(c, &r, &b, type, len, got);
	gpu_blob_destroy(c->fd, &b);
	if (v != PASS)
		return v;
	uint64_t bar_end = r.bar_start + r.bar_len - 1;
	*forced = mtrr_uncachable(r.bar_start, bar_end);
	case_say(c, PASS, "%sprefetchable BAR 0x%" PRIx64 "-0x%" PRIx64 "%s, guest mapping memtype %s",
		 r.prefetch ? "" : "non-", r.bar_start, bar_end, *forced ? " (in an uncachable MTRR range)" : "", type);
	return PASS;
}

/* The cache type the guest mapping got against the one the device reported. */
static enum verdict blob_cache_type(struct case_ctx *c)
{
	int got = 0, forced = 0;
	char type[64];
	enum verdict v = mapped_memtype(c, &got, type, sizeof(type), &forced);
	if (v != PASS)
		return v;
	/* The type the device reported in map_info: said by the run when it set it
	 * (vgb.map_info), else our reference context publishes it in its capset;
	 * virglrenderer answers CACHED for these persistent+coherent buffers (the
	 * Linux driver does not expose map_info). */
	uint32_t reported = 1;
	const char *source = "virgl persistent+coherent buffers are reported CACHED";
	struct vgb_refctx_caps caps;
	if (c->map_info_known) {
		reported = c->map_info_reported & 0xf;
		source = "the device's map_info, as the run set it";
	} else if (uses_refctx(c) && refctx_read_caps(c, &caps) == 0) {
		reported = caps.map_cache;
		source = "reference capset map_cache";
	}
	if (reported < 1 || reported > 3)
		return case_say(c, NOT_SUPPORTED, "map_info cache type %u is not CACHED/UNCACHED/WC (pair.blob.cache_none)",
				reported);
	if (got > cacheability[reported])
		return case_say(c, FAIL, "guest mapping %s is more cacheable than the reported %s (%s; REQ-DRV-CACHE-0001)",
				type, names[reported], source);
	if (got != cacheability[reported])
		return case_say(c, FAIL, "device reported %s (%s), guest mapping got %s (REQ-DRV-CACHE-0004)",
				names[reported], source, type);
	return case_say(c, PASS, "matches the reported type %s (%s)", names[reported], source);
}

/* The device reports NONE or an undefined cache type (the run says so): the mapping must be uncached. */
static enum verdict blob_cache_none(struct case_ctx *c)
{
	uint32_t mi = c->map_info_reported;
	if (!c->map_info_known || ((mi & 0xf) >= 1 && (mi & 0xf) <= 3))
		return case_say(c, NOT_SUPPORTED, "the device in this run reports a defined cache type in map_info");
	int got = 0, forced = 0;
	char type[64];
	enum verdict v = mapped_memtype(c, &got, type, sizeof(type), &forced);
	if (v != PASS)
		return v;
	if (forced)
		return case_say(c, NOT_SUPPORTED, "the platform makes the BAR uncachable whatever the driver asks: "
				"its choice for map_info 0x%x cannot be seen", mi);
	if (got != 1)
		return case_say(c, FAIL, "map_info 0x%x (cache type %s) was mapped %s, not uncached", mi,
				(mi & 0xf) ? "undefined" : "NONE", type);
	return case_say(c, PASS, "map_info 0x%x mapped uncached", mi);
}

/* map_info has bits above VIRTIO_GPU_MAP_CACHE_MASK (the run says so): the mapping follows the low bits. */
static enum verdict blob_cache_high_bits(struct case_ctx *c)
{
	uint32_t mi = c->map_info_reported;
	if (!c->map_info_known || !(mi & ~0xfu) || (mi & 0xf) < 1 || (mi & 0xf) > 3)
		return case_say(c, NOT_SUPPORTED, "the device in this run sets no bits above the cache mask in map_info");
	int got = 0, forced = 0;
	char type[64];
	enum verdict v = mapped_memtype(c, &got, type, sizeof(type), &forced);
	if (v != PASS)
		return v;
	if (forced && cacheability[mi & 0xf] > 1)
		return case_say(c, NOT_SUPPORTED, "the platform makes the BAR uncachable whatever the driver asks: "
				"whether it ignored the high bits of map_info 0x%x cannot be seen", mi);
	if (got != cacheability[mi & 0xf])
		return case_say(c, FAIL, "map_info 0x%x (low bits: %s) was mapped %s", mi, names[mi & 0xf],
				type);
	return case_say(c, PASS, "map_info 0x%x mapped %s: the bits above the mask were ignored", mi, type);
}

/* When blobs cannot be mapped, the copy path must still work: a driver falls
 * back to guest memory plus transfers. */
static enum verdict fallback_blob_refused(struct case_ctx *c)
{
	struct gpu_blob b;
	int err = 0;
	const char *why = NULL;
	const char *kind = any_blob_create(c, BLOB_SIZE, &b, &err, &why);
	if (kind && !err) {
		err = gpu_blob_map(c->fd, &b);
		gpu_blob_destroy(c->fd, &b);
		if (!err)
			return case_say(c, NOT_SUPPORTED, "not applicable: %s blobs map on this stack", kind);
		case_say(c, PASS, "%s blob created but its mapping was refused: %s", kind, strerror(-err));
	} else if (kind) {
		case_say(c, PASS, "%s blob creation refused: %s", kind, strerror(-err));
	} else {
		case_say(c, PASS, "no blob kind offered (%s)", why);
	}
	uint32_t handle = 0, pitch = 0;
	uint64_t size = 0, offset = 0;
	int r = step_result(drmModeCreateDumbBuffer(c->fd, 256, 256, 32, 0, &handle, &pitch, &size),
			    "drmModeCreateDumbBuffer 256x256");
	if (r)
		return case_say(c, FAIL, "copy path unavailable too: CREATE_DUMB: %s", strerror(-r));
	r = step_result(drmModeMapDumbBuffer(c->fd, handle, &offset), "drmModeMapDumbBuffer handle %u", handle);
	void *p = r ? MAP_FAILED : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, (off_t)offset);
	if (p == MAP_FAILED)
		return case_say(c, FAIL, "copy path unavailable too: dumb buffer cannot be mapped");
	pattern_fill(p, size, 0xe5);
	size_t bad = pattern_check(p, size, 0xe5);
	munmap(p, size);
	if (bad != size)
		return case_say(c, FAIL, "dumb buffer reads back wrong data");
	return case_say(c, PASS, "copy path (dumb buffer in guest memory) works");
}

const struct case_def blob_cases[] = {
	{ "pair.blob.guest_map", blob_guest_map, CASE_IDS(IDS_BLOB_GUEST) },
	{ "pair.blob.host3d_map", blob_host3d_map, CASE_IDS(IDS_BLOB_HOST3D) },
	{ "pair.blob.host3d_transfer", blob_host3d_transfer, CASE_IDS(IDS_BLOB_TRANSFER) },
	{ "pair.blob.host_copy_coherency", blob_host_copy_coherency, CASE_IDS(IDS_BLOB_COHERENCY) },
	{ "pair.blob.cache_type", blob_cache_type, CASE_IDS(IDS_BLOB_CACHE_TYPE) },
	{ "pair.blob.cache_none", blob_cache_none, CASE_IDS(IDS_BLOB_CACHE_NONE) },
	{ "pair.blob.cache_high_bits", blob_cache_high_bits, CASE_IDS(IDS_BLOB_CACHE_HIGH_BITS) },
	{ "pair.fallback.blob_refused", fallback_blob_refused, CASE_IDS(IDS_BLOB_REFUSED) },
	{ NULL, NULL, NULL },
};
