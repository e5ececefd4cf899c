/* pair.lifecycle.*: what happens to a mapping when its handle goes away, and
 * whether a blob can be mapped again. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blob_kinds.h"
#include "requirements.h"

#define LIFE_SIZE (64u * 1024u)

static enum verdict lifecycle_close_while_mapped(struct case_ctx *c)
{
	struct gpu_blob b;
	int err = 0;
	const char *why = NULL;
	const char *kind = any_blob_create(c, LIFE_SIZE, &b, &err, &why);
	if (!kind)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	if (err || (err = gpu_blob_map(c->fd, &b)))
		return case_say(c, NOT_SUPPORTED, "%s blob cannot be mapped here: %s", kind, strerror(-err));
	pattern_fill(b.map, LIFE_SIZE, 0x51);
	/* The mapping holds its own reference: closing the handle must neither
	 * tear it down under the program nor lose the bytes. */
	int r = gpu_gem_close(c->fd, b.handle);
	if (r)
		return case_say(c, FAIL, "GEM_CLOSE of a mapped blob: %s", strerror(-r));
	size_t bad = pattern_check(b.map, LIFE_SIZE, 0x51);
	if (bad != LIFE_SIZE)
		return case_say(c, FAIL, "%s mapping changed after its handle was closed (byte %zu)", kind, bad);
	pattern_fill(b.map, LIFE_SIZE, 0x52); /* still writable */
	close(c->fd);                          /* the file goes too; the mapping still holds the object */
	bad = pattern_check(b.map, LIFE_SIZE, 0x52);
	munmap(b.map, LIFE_SIZE);
	if (bad != LIFE_SIZE)
		return case_say(c, FAIL, "%s mapping lost data after the DRM file was closed", kind);
	return case_say(c, PASS, "%s mapping stayed valid after GEM_CLOSE and close(fd), then unmapped", kind);
}

static enum verdict lifecycle_remap(struct case_ctx *c)
{
	struct gpu_blob b;
	int err = 0;
	const char *why = NULL;
	const char *kind = any_blob_create(c, LIFE_SIZE, &b, &err, &why);
	if (!kind)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	if (err || (err = gpu_blob_map(c->fd, &b)))
		return case_say(c, NOT_SUPPORTED, "%s blob cannot be mapped here: %s", kind, strerror(-err));
	pattern_fill(b.map, LIFE_SIZE, 0x61);
	gpu_blob_unmap(&b);
	int r = gpu_blob_map(c->fd, &b);
	if (r)
		return case_say(c, FAIL, "second MAP/mmap of the same %s blob: %s", kind, strerror(-r));
	size_t bad = pattern_check(b.map, LIFE_SIZE, 0x61);
	if (bad != LIFE_SIZE)
		return case_say(c, FAIL, "%s blob lost its data across unmap/map (byte %zu)", kind, bad);
	/* Two live mappings of one blob must be views of the same memory. */
	struct gpu_blob view = b;
	view.map = NULL;
	r = gpu_blob_map(c->fd, &view);
	if (r)
		return case_say(c, FAIL, "a second simultaneous mapping: %s", strerror(-r));
	pattern_fill(view.map, LIFE_SIZE, 0x62);
	bad = pattern_check(b.map, LIFE_SIZE, 0x62);
	gpu_blob_unmap(&view);
	gpu_blob_destroy(c->fd, &b);
	if (bad != LIFE_SIZE)
		return case_say(c, FAIL, "two mappings of one %s blob disagree at byte %zu", kind, bad);
	return case_say(c, PASS, "%s blob remapped with its data; two mappings share memory", kind);
}

const struct case_def lifecycle_cases[] = {
	{ "pair.lifecycle.close_while_mapped", lifecycle_close_while_mapped, CASE_IDS(IDS_LIFECYCLE_CLOSE) },
	{ "pair.lifecycle.remap", lifecycle_remap, CASE_IDS(IDS_LIFECYCLE_REMAP) },
	{ NULL, NULL, NULL },
};
