/* pair.refctx.*: coherency checked end to end with our reference context
 * (capset 30): the host produces data the guest must see through its
 * mapping, and hashes data the guest wrote through its mapping. Only our
 * device offers this context; elsewhere these cases are NOT_SUPPORTED. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blob_kinds.h"
#include "requirements.h"
#include "vgb/refctx.h"

#define REF_SIZE (256u * 1024u)

static const char *refctx_unsupported(const struct case_ctx *c)
{
	if (!uses_refctx(c))
		return "device offers no reference context (capset 30 with CONTEXT_INIT): only our device has it";
	return host3d_blob_unsupported(c);
}

int refctx_read_caps(struct case_ctx *c, struct vgb_refctx_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	struct drm_virtgpu_get_caps gc = { .cap_set_id = VGB_CAPSET_REFCTX, .cap_set_ver = VGB_REFCTX_VERSION,
					   .addr = (uint64_t)(uintptr_t)caps, .size = sizeof(*caps) };
	return gpu_ioctl(c->fd, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc);
}

static enum verdict refctx_caps(struct case_ctx *c)
{
	if (!uses_refctx(c))
		return case_say(c, NOT_SUPPORTED, "%s", refctx_unsupported(c));
	struct vgb_refctx_caps caps;
	int r = refctx_read_caps(c, &caps);
	if (r)
		return case_say(c, FAIL, "GET_CAPS(30, version 1): %s", strerror(-r));
	uint32_t needed = (1u << VGB_REFCTX_ALLOC) | (1u << VGB_REFCTX_COPY) | (1u << VGB_REFCTX_CHECKSUM) |
			  (1u << VGB_REFCTX_PATTERN);
	if (caps.version != VGB_REFCTX_VERSION)
		return case_say(c, FAIL, "capset version %u, expected %u", caps.version, VGB_REFCTX_VERSION);
	if ((caps.ops & needed) != needed)
		return case_say(c, FAIL, "ops 0x%x lack ALLOC/COPY/CHECKSUM/PATTERN", caps.ops);
	return case_say(c, PASS, "version 1, ops 0x%x, max object %llu, map_cache %u, alignment %u", caps.ops,
			(unsigned long long)caps.max_object_size, caps.map_cache, caps.alignment);
}

static enum verdict make_mapped(struct case_ctx *c, uint32_t size, uint32_t blob_id, struct gpu_blob *b)
{
	int r = host3d_blob_create(c, size, blob_id, b);
	if (!r)
		r = gpu_blob_map(c->fd, b);
	if (r)
		return case_say(c, FAIL, "HOST3D blob %u from the reference context: create/map: %s", blob_id,
				strerror(-r));
	return PASS;
}

/* Host writes a seeded pattern; the guest must read exactly it through its
 * mapping once the fenced submit has completed. */
static enum verdict refctx_host_writes_seen(struct case_ctx *c)
{
	const char *why = refctx_unsupported(c);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	struct gpu_blob b;
	enum verdict v = make_mapped(c, REF_SIZE, 1, &b);
	if (v != PASS)
		return v;
	memset(b.map, 0x5a, REF_SIZE); /* the host must overwrite all of this */
	struct vgb_refctx_pattern p = { .hdr = { VGB_REFCTX_PATTERN, sizeof(p) }, .resource_id = b.res_handle,
					.seed = 0x77, .size = REF_SIZE };
	int r = refctx_submit(c, &p, sizeof(p), &b.handle, 1);
	if (r)
		return case_say(c, FAIL, "PATTERN submit: %s", strerror(-r));
	const volatile uint8_t *m = b.map;
	for (uint64_t i = 0; i < REF_SIZE / 4; i++) {
		uint32_t want = vgb_refctx_pattern_word(0x77, i);
		uint32_t got = (uint32_t)m[4 * i] | (uint32_t)m[4 * i + 1] << 8 | (uint32_t)m[4 * i + 2] << 16 |
			       (uint32_t)m[4 * i + 3] << 24;
		if (got != want)
			return case_say(c, FAIL, "host pattern not seen through the mapping: word %llu is 0x%08x, "
					"host wrote 0x%08x", (unsigned long long)i, got, want);
	}
	gpu_blob_destroy(c->fd, &b);
	return case_say(c, PASS, "%u bytes the host wrote are seen through the guest mapping", REF_SIZE);
}

/* The guest writes through its mapping; the host hashes the blob and writes
 * the hash into a second blob; both hashes must agree. */
static enum verdict refctx_guest_writes_seen(struct case_ctx *c)
{
	const char *why = refctx_unsupported(c);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	struct gpu_blob data, result;
	/* The result blob: the smallest the context and the guest page allow. */
	struct vgb_refctx_caps caps;
	uint32_t result_size = 4096;
	if (refctx_read_caps(c, &caps) == 0 && caps.alignment > result_size)
		result_size = caps.alignment;
	if ((uint32_t)sysconf(_SC_PAGESIZE) > result_size)
		result_size = (uint32_t)sysconf(_SC_PAGESIZE);
	enum verdict v = make_mapped(c, REF_SIZE, 1, &data);
	if (v == PASS)
		v = make_mapped(c, result_size, 2, &result);
	if (v != PASS)
		return v;
	pattern_fill(data.map, REF_SIZE, 0x99);
	uint64_t want = vgb_fnv1a64(data.map, REF_SIZE, VGB_FNV1A64_INIT);
	struct vgb_refctx_checksum cs = { .hdr = { VGB_REFCTX_CHECKSUM, sizeof(cs) }, .resource_id = data.res_handle,
					  .dst_resource_id = result.res_handle, .size = REF_SIZE };
	uint32_t handles[2] = { data.handle, result.handle };
	int r = refctx_submit(c, &cs, sizeof(cs), handles, 2);
	if (r)
		return case_say(c, FAIL, "CHECKSUM submit: %s", strerror(-r));
	const volatile uint8_t *m = result.map;
	uint64_t got = 0;
	for (int i = 7; i >= 0; i--)
		got = got << 8 | m[i];
	gpu_blob_destroy(c->fd, &data);
	gpu_blob_destroy(c->fd, &result);
	if (got != want)
		return case_say(c, FAIL, "host hash of the guest's bytes 0x%016llx, guest's own 0x%016llx",
				(unsigned long long)got, (unsigned long long)want);
	return case_say(c, PASS, "host hash of %u guest-written bytes matches (0x%016llx)", REF_SIZE,
			(unsigned long long)want);
}

const struct case_def refctx_cases[] = {
	{ "pair.refctx.caps", refctx_caps, CASE_IDS(IDS_REFCTX_CAPS) },
	{ "pair.refctx.host_writes_seen", refctx_host_writes_seen, CASE_IDS(IDS_REFCTX_HOST_WRITES) },
	{ "pair.refctx.guest_writes_seen", refctx_guest_writes_seen, CASE_IDS(IDS_REFCTX_GUEST_WRITES) },
	{ NULL, NULL, NULL },
};
