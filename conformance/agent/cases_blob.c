/* pair.blob.*: blob creation, mapping and coherency of mapped blobs. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <drm/drm_mode.h>

#include "blob_kinds.h"
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

/* Finds the largest memory BAR of the virtio-gpu PCI function: the shared
 * memory (host-visible) window. */
static int host_visible_bar(uint64_t *start, uint64_t *end, int *prefetch)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	if (!d)
		return -ENOENT;
	struct dirent *e;
	int found = -ENOENT;
	uint64_t best = 0;
	while ((e = readdir(d))) {
		char path[512], buf[64];
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		int ok = fgets(buf, sizeof(buf), f) && strtoul(buf, NULL, 16) == 0x1af4;
		fclose(f);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", e->d_name);
		if (!ok || !(f = fopen(path, "r")))
			continue;
		ok = fgets(buf, sizeof(buf), f) && strtoul(buf, NULL, 16) == 0x1050;
		fclose(f);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", e->d_name);
		if (!ok || !(f = fopen(path, "r")))
			continue;
		unsigned long long s, en, fl;
		while (fscanf(f, "%llx %llx %llx", &s, &en, &fl) == 3) {
			if (en > s && (fl & 0x200) && en - s + 1 > best) {
				best = en - s + 1;
				*start = s;
				*end = en;
				*prefetch = (fl & 0x2000) != 0;
				found = 0;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* The cache type the guest mapping got, read from the kernel's PAT list. */
static enum verdict blob_cache_type(struct case_ctx *c)
{
	const char *why = host3d_blob_unsupported(c);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	uint64_t bar_start = 0, bar_end = 0;
	int prefetch = 0;
	if (host_visible_bar(&bar_start, &bar_end, &prefetch))
		return case_say(c, ERROR, "cannot find the virtio-gpu host-visible BAR in sysfs");
	struct gpu_blob b;
	int r = host3d_blob_create(c, BLOB_SIZE, 1, &b);
	if (!r)
		r = gpu_blob_map(c->fd, &b);
	if (r)
		return case_say(c, FAIL, "HOST3D blob create/map: %s", strerror(-r));
	((volatile uint8_t *)b.map)[0] = 1; /* fault the mapping in */
	FILE *f = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	if (!f)
		return case_say(c, NOT_SUPPORTED, "no /sys/kernel/debug/x86/pat_memtype_list (debugfs or PAT missing)");
	char line[256], type[64] = "";
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char t[64];
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %63s", &s, &e, t) == 3 && s >= bar_start && e <= bar_end + 1) {
			snprintf(type, sizeof(type), "%s", t);
			break;
		}
	}
	fclose(f);
	gpu_blob_destroy(c->fd, &b);
	if (!type[0])
		return case_say(c, ERROR, "no PAT entry inside the BAR 0x%" PRIx64 "-0x%" PRIx64, bar_start, bar_end);
	case_say(c, PASS, "%sprefetchable BAR 0x%" PRIx64 "-0x%" PRIx64 ", guest mapping memtype %s",
		 prefetch ? "" : "non-", bar_start, bar_end, type);
	/* The type the device reported in map_info: our reference context
	 * publishes it in its capset; virglrenderer answers CACHED for these
	 * persistent+coherent buffers (the Linux driver does not expose map_info). */
	uint32_t reported = 1;
	const char *source = "virgl persistent+coherent buffers are reported CACHED";
	struct vgb_refctx_caps caps;
	if (uses_refctx(c) && refctx_read_caps(c, &caps) == 0) {
		reported = caps.map_cache;
		source = "reference capset map_cache";
	}
	static const char *const pat_names[] = { "none", "write-back", "uncached-minus", "write-combining" };
	static const int cacheability[] = { -1, 3, 1, 2 }; /* higher = more cacheable */
	int got = !strcmp(type, "write-back") ? 3 : !strcmp(type, "write-combining") ? 2
		: !strncmp(type, "uncached", 8) ? 1 : 0;
	if (reported < 1 || reported > 3)
		return case_say(c, FAIL, "map_info cache type %u is not CACHED/UNCACHED/WC", reported);
	if (got > cacheability[reported])
		return case_say(c, FAIL, "guest mapping %s is more cacheable than the reported %s (%s; REQ-DRV-CACHE-0001)",
				type, pat_names[reported], source);
	if (got != cacheability[reported])
		return case_say(c, FAIL, "device reported %s (%s), guest mapping got %s (REQ-DRV-CACHE-0004)",
				pat_names[reported], source, type);
	return case_say(c, PASS, "matches the reported type (%s)", source);
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
	struct drm_mode_create_dumb cd = { .width = 256, .height = 256, .bpp = 32 };
	int r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd);
	if (r)
		return case_say(c, FAIL, "copy path unavailable too: CREATE_DUMB: %s", strerror(-r));
	struct drm_mode_map_dumb md = { .handle = cd.handle };
	r = gpu_ioctl(c->fd, DRM_IOCTL_MODE_MAP_DUMB, &md);
	void *p = r ? MAP_FAILED : mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, (off_t)md.offset);
	if (p == MAP_FAILED)
		return case_say(c, FAIL, "copy path unavailable too: dumb buffer cannot be mapped");
	pattern_fill(p, cd.size, 0xe5);
	size_t bad = pattern_check(p, cd.size, 0xe5);
	munmap(p, cd.size);
	if (bad != cd.size)
		return case_say(c, FAIL, "dumb buffer reads back wrong data");
	return case_say(c, PASS, "copy path (dumb buffer in guest memory) works");
}

const struct case_def blob_cases[] = {
	{ "pair.blob.guest_map", blob_guest_map, CASE_IDS(IDS_BLOB_GUEST) },
	{ "pair.blob.host3d_map", blob_host3d_map, CASE_IDS(IDS_BLOB_HOST3D) },
	{ "pair.blob.host3d_transfer", blob_host3d_transfer, CASE_IDS(IDS_BLOB_TRANSFER) },
	{ "pair.blob.host_copy_coherency", blob_host_copy_coherency, CASE_IDS(IDS_BLOB_COHERENCY) },
	{ "pair.blob.cache_type", blob_cache_type, CASE_IDS(IDS_BLOB_CACHE_TYPE) },
	{ "pair.fallback.blob_refused", fallback_blob_refused, CASE_IDS(IDS_BLOB_REFUSED) },
	{ NULL, NULL, NULL },
};
