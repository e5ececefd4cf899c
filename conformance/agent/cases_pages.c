/* pair.pages.*: what page sizes do to blobs. The guest's page (4, 16 or
 * 64 KiB), the map granularity (4096 or the negotiated blob_alignment), the
 * host's placement unit and the host context's object unit all meet here:
 * sizes that are not multiples of one of them, map offsets at each of them,
 * the bytes past an object's end in its last page, GUEST blobs made of large
 * pages, and a device alignment above the guest page. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob_kinds.h"
#include "region.h"
#include "remap_probe.h"
#include "requirements.h"
#include "vgb/refctx.h"

#define MAX_SIZES 10

struct pages {
	uint64_t page;      /* the guest's page */
	uint64_t align;     /* negotiated blob_alignment, 0 without it */
	uint64_t gran;      /* the map granularity: align, else 4096 */
	uint64_t unit;      /* the smallest blob the driver maps whole: max(page, gran) */
	uint64_t obj_unit;  /* the host context's object unit: refctx capset alignment, else 1 */
	struct shm_region region;
	int have_region;
	struct remap_probe probe; /* where the driver placed each mapping */
	char probe_why[160];      /* why there is no probe */
};

static uint64_t round_up(uint64_t v, uint64_t unit) { return unit ? (v + unit - 1) / unit * unit : v; }
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static void pages_read(struct case_ctx *c, struct pages *p)
{
	memset(p, 0, sizeof(*p));
	p->page = guest_page_size();
	uint64_t v = 0;
	if (gpu_getparam(c->fd, VIRTGPU_PARAM_BLOB_ALIGNMENT, &v) == 0 && v > 0)
		p->align = v;
	p->gran = p->align ? p->align : 4096;
	p->unit = max_u64(p->page, p->gran);
	p->obj_unit = 1;
	struct vgb_refctx_caps caps;
	if (uses_refctx(c) && refctx_read_caps(c, &caps) == 0 && caps.alignment)
		p->obj_unit = caps.alignment;
	p->have_region = shm_region_find(&p->region) == 0;
}

/* Starts watching where mappings land; 0 or -errno (probe_why says why). */
static int pages_watch(struct pages *p)
{
	return remap_probe_start(&p->probe, p->probe_why, sizeof(p->probe_why));
}

/* The region offset of the mapping made last; 0 or -errno. */
static int last_offset(const struct pages *p, uint64_t *off)
{
	uint64_t prot;
	return remap_probe_last(&p->probe, &p->region, off, &prot);
}

/* The host writes a pattern of its own into [0, size) of b: the reference
 * context's PATTERN, or a host copy from a blob the guest filled (virgl). */
static int host_write(struct case_ctx *c, const struct pages *p, struct gpu_blob *b, uint32_t size, uint32_t seed,
		      uint32_t *blob_id)
{
	if (uses_refctx(c)) {
		struct vgb_refctx_pattern pt = { .hdr = { VGB_REFCTX_PATTERN, sizeof(pt) }, .resource_id = b->res_handle,
						 .seed = seed, .size = size & ~3u };
		return refctx_submit(c, &pt, sizeof(pt), &b->handle, 1);
	}
	struct gpu_blob src;
	uint32_t src_size = (uint32_t)round_up(size, p->unit);
	int r = host3d_blob_create(c, src_size, (*blob_id)++, &src);
	if (r)
		return r;
	if (!(r = gpu_blob_map(c->fd, &src))) {
		pattern_fill(src.map, size, seed);
		r = host_copy(c, b, &src, size);
	}
	gpu_blob_destroy(c->fd, &src);
	return r;
}

/* First byte of [0, size) that differs from what host_write wrote, or size. */
static uint64_t host_written_check(struct case_ctx *c, const volatile uint8_t *m, uint64_t size, uint32_t seed)
{
	if (!uses_refctx(c))
		return pattern_check((const void *)m, size, seed);
	for (uint64_t i = 0; i < (size & ~3ull); i++)
		if (m[i] != (uint8_t)(vgb_refctx_pattern_word(seed, i / 4) >> (8 * (i % 4))))
			return i;
	return size;
}

/* Create a HOST3D blob (object of obj bytes, the driver asked for size) and
 * map all of it: *sent is the size the driver gave the device. 0, or -errno
 * of the step that failed, with *step naming it. */
static int make_mapped(struct case_ctx *c, uint32_t obj, uint64_t size, uint32_t blob_id, struct gpu_blob *b,
		       uint64_t *sent, const char **step)
{
	memset(b, 0, sizeof(*b));
	*sent = size;
	*step = "create";
	int r = host3d_blob_create_sized(c, obj, size, blob_id, b);
	if (r)
		return r;
	if (gpu_resource_size(c->fd, b->handle, sent) == 0 && *sent >= size)
		b->size = *sent;
	*step = "map";
	r = gpu_blob_map(c->fd, b);
	if (!r)
		(void)((volatile uint8_t *)b->map)[0]; /* fault the first page in */
	return r;
}

static const char *pages_unsupported(const struct case_ctx *c, const struct pages *p)
{
	const char *why = host3d_blob_unsupported(c);
	if (why)
		return why;
	if (!p->have_region)
		return "no virtio-gpu shared memory capability with shmid 1 in sysfs";
	return NULL;
}

/* A compact "name=value" list for the info event and the details. */
static void pages_event(const struct pages *p)
{
	char line[512];
	snprintf(line, sizeof(line),
		 "{\"type\":\"info\",\"pages\":{\"guest_page\":%" PRIu64 ",\"blob_alignment\":%" PRIu64
		 ",\"map_granularity\":%" PRIu64 ",\"context_object_unit\":%" PRIu64
		 ",\"region_base\":%" PRIu64 ",\"region_len\":%" PRIu64 "}}",
		 p->page, p->align, p->gran, p->obj_unit, p->region.base, p->region.len);
	case_event(line);
}

/* The page layout the guest sees: reported, and checked against the
 * configuration-space and region rules it depends on. */
static enum verdict pages_layout(struct case_ctx *c)
{
	struct pages p;
	pages_read(c, &p);
	pages_event(&p);
	case_say(c, PASS, "guest page %" PRIu64 ", blob_alignment %" PRIu64 " (%s), map granularity %" PRIu64,
		 p.page, p.align, p.align ? "negotiated" : "none", p.gran);
	if (p.align && (p.align & (p.align - 1)))
		return case_say(c, FAIL, "blob_alignment %" PRIu64 " is not a power of two (REQ-DEV-CFG-0002)", p.align);
	if (p.align && (p.align < 4096 || p.align > (1ull << 31)))
		return case_say(c, FAIL, "blob_alignment %" PRIu64 " is outside 4096..2^31 (REQ-DEV-CFG-0003)", p.align);
	if (!p.have_region)
		return case_say(c, PASS, "no host-visible region");
	case_say(c, PASS, "region 0x%" PRIx64 " bytes at 0x%" PRIx64, p.region.len, p.region.base);
	if (!p.region.len || p.region.len % p.gran)
		return case_say(c, FAIL, "region length 0x%" PRIx64 " is not a non-zero multiple of the map granularity "
				"(REQ-DEV-SHM-0002)", p.region.len);
	if (p.region.base % p.unit)
		return case_say(c, FAIL, "region base 0x%" PRIx64 " is not a multiple of %" PRIu64
				": the guest cannot map its first granule", p.region.base, p.unit);
	return PASS;
}

/* Sizes that are not multiples of the guest page, the 4 KiB host page or
 * the granularity: each blob is refused where the rules say so and maps its
 * bytes everywhere else. */
static enum verdict pages_blob_sizes(struct case_ctx *c)
{
	struct pages p;
	pages_read(c, &p);
	const char *why = pages_unsupported(c, &p);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	/* 131268 is the size of Mesa Venus's ring: not a multiple of 4096. */
	uint64_t want[] = { 4096, 3 * 4096, p.page, p.page + 4096, 3 * p.page, 131268, p.unit, 2 * p.unit + 4096 };
	uint64_t sizes[MAX_SIZES];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int dup = 0;
		for (size_t j = 0; j < n; j++)
			dup |= sizes[j] == want[i];
		if (!dup && want[i] <= (1u << 20) && n < MAX_SIZES)
			sizes[n++] = want[i];
	}
	enum verdict v = PASS;
	uint32_t blob_id = 1;
	if (pages_watch(&p))
		case_say(c, PASS, "offsets not shown: %s", p.probe_why);
	for (size_t i = 0; i < n; i++) {
		uint64_t size = sizes[i], sent;
		uint32_t obj = (uint32_t)round_up(size, p.obj_unit);
		struct gpu_blob b;
		const char *step;
		int r = make_mapped(c, obj, size, blob_id++, &b, &sent, &step);
		int mapped = r == 0;
		uint64_t off = 0;
		int have_off = mapped && last_offset(&p, &off) == 0;
		char where[48] = "";
		if (have_off)
			snprintf(where, sizeof(where), " at 0x%" PRIx64, off);
		if (p.align && sent % p.align) {
			/* The driver must keep sizes at multiples of blob_alignment. */
			if (mapped)
				v = case_say(c, FAIL, "%" PRIu64 ": sent as %" PRIu64 ", not a multiple of blob_alignment %"
					     PRIu64 ", and mapped (REQ-DRV-BLOB-0005)", size, sent, p.align);
			else
				case_say(c, PASS, "%" PRIu64 ": %s refused by the driver (%s)", size, step, strerror(-r));
		} else if (obj != sent) {
			/* The driver rounded the size past the object's: refused. */
			if (mapped)
				v = case_say(c, FAIL, "%" PRIu64 ": a %" PRIu64 "-byte blob of a %u-byte object was mapped%s "
					     "(REQ-DEV-BLOB-0011)", size, sent, obj, where);
			else
				case_say(c, PASS, "%" PRIu64 ": sent as %" PRIu64 " for a %u-byte object, %s refused", size,
					 sent, obj, step);
		} else if (!mapped) {
			v = case_say(c, FAIL, "%" PRIu64 ": %s failed (%s) for a %u-byte object sent as %" PRIu64
				     " (REQ-DEV-MAP-0090)", size, step, strerror(-r), obj, sent);
		} else {
			uint32_t seed = 0x5100 + (uint32_t)i;
			int w = host_write(c, &p, &b, obj, seed, &blob_id);
			uint64_t bad = w ? 0 : host_written_check(c, b.map, obj, seed);
			if (w)
				v = case_say(c, FAIL, "%" PRIu64 ": the host could not write the mapped blob: %s", size,
					     strerror(-w));
			else if (bad != obj)
				v = case_say(c, FAIL, "%" PRIu64 ": mapped%s but byte %" PRIu64 " differs from what the host "
					     "wrote (REQ-DEV-MAP-0012)", size, where, bad);
			else
				case_say(c, PASS, "%" PRIu64 ": mapped%s, host bytes seen", size, where);
		}
		gpu_blob_destroy(c->fd, &b);
	}
	remap_probe_stop(&p.probe);
	return v;
}

/* A blob whose host object of obj bytes ends inside the guest's last page
 * of the mapping, between two neighbours full of host bytes: refused, or the
 * bytes past the object read as zeros. */
static enum verdict tail_of(struct case_ctx *c, const struct pages *p, uint32_t obj, uint32_t *blob_id)
{
	struct gpu_blob nb[2], t;
	uint64_t sent;
	const char *step;
	uint32_t nsize = (uint32_t)round_up(obj, p->unit);
	int r = 0;
	for (int i = 0; i < 2 && !r; i++) {
		if (i == 1 && (r = make_mapped(c, obj, obj, (*blob_id)++, &t, &sent, &step)))
			break;
		const char *nstep;
		uint64_t nsent;
		if ((r = make_mapped(c, nsize, nsize, (*blob_id)++, &nb[i], &nsent, &nstep)) ||
		    (r = host_write(c, p, &nb[i], nsize, 0x7a10 + (uint32_t)i, blob_id)))
			return case_say(c, FAIL, "neighbour blob of %u bytes: %s", nsize, strerror(-r));
	}
	if (r) {
		gpu_blob_destroy(c->fd, &nb[0]);
		return case_say(c, PASS, "%u-byte object: sent as a %" PRIu64 "-byte blob, %s refused (%s), so nothing "
				"past it is reachable", obj, sent, step, strerror(-r));
	}
	if ((r = host_write(c, p, &t, obj, 0x7a12, blob_id)))
		return case_say(c, FAIL, "%u-byte object: host write: %s", obj, strerror(-r));
	uint64_t bad = host_written_check(c, t.map, obj, 0x7a12);
	if (bad != obj)
		return case_say(c, FAIL, "%u-byte object: byte %" PRIu64 " differs from what the host wrote "
				"(REQ-DEV-MAP-0012)", obj, bad);
	const volatile uint8_t *m = t.map;
	uint64_t nonzero = 0, first = 0;
	for (uint64_t i = obj; i < t.size; i++)
		if (m[i] && !nonzero++)
			first = i;
	if (nonzero) {
		uint8_t seen[8] = { 0 };
		for (int i = 0; i < 8 && first + (uint64_t)i < t.size; i++)
			seen[i] = m[first + (uint64_t)i];
		return case_say(c, FAIL, "%u-byte object mapped as %" PRIu64 " bytes: %" PRIu64 " of the %" PRIu64
				" bytes past it are not zero, first at byte %" PRIu64 ": %02x %02x %02x %02x %02x %02x %02x "
				"%02x: host memory that is not the blob's (REQ-DEV-MAP-0070)", obj, t.size, nonzero,
				t.size - obj, first, seen[0], seen[1], seen[2], seen[3], seen[4], seen[5], seen[6], seen[7]);
	}
	for (int i = 0; i < 2; i++)
		gpu_blob_destroy(c->fd, &nb[i]);
	gpu_blob_destroy(c->fd, &t);
	return case_say(c, PASS, "%u-byte object mapped as %" PRIu64 " bytes (a blob larger than its object was "
			"accepted); the %" PRIu64 " bytes past it read as zeros", obj, t.size, t.size - obj);
}

/* The tail of the last page: the bytes between a host object's end and the
 * end of the guest page that holds it, by content. Objects of any size where
 * the context takes them (tiny, one 4 KiB page, Venus's ring), else the
 * context's smallest object. */
static enum verdict pages_tail(struct case_ctx *c)
{
	struct pages p;
	pages_read(c, &p);
	const char *why = pages_unsupported(c, &p);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	uint32_t any[] = { 64, 4096, 131268 }, unit_only[] = { (uint32_t)p.obj_unit };
	const uint32_t *objs = p.obj_unit == 1 ? any : unit_only;
	size_t n = p.obj_unit == 1 ? 3 : 1;
	enum verdict v = PASS;
	uint32_t blob_id = 1, tried = 0;
	for (size_t i = 0; i < n; i++) {
		if (objs[i] % p.page == 0)
			continue;
		tried++;
		if (tail_of(c, &p, objs[i], &blob_id) == FAIL)
			v = FAIL;
	}
	if (!tried)
		return case_say(c, NOT_SUPPORTED,
				"the host context makes objects in units of %" PRIu64 " bytes, a multiple of the %" PRIu64
				"-byte guest page: no mapping can extend past an object", p.obj_unit, p.page);
	return v;
}

/* The largest power of two (up to 1 MiB) that divides an offset. */
static uint64_t offset_alignment(uint64_t off)
{
	uint64_t a = 1u << 20;
	while (a > 1 && off % a)
		a >>= 1;
	return a;
}

/* Map offsets at every granularity: blobs of one and two units placed by
 * the driver next to each other and into holes left by freed ones. Every
 * offset must be a multiple of the granularity and every mapping must show
 * its own blob's bytes. */
static enum verdict pages_map_offsets(struct case_ctx *c)
{
	struct pages p;
	pages_read(c, &p);
	const char *why = pages_unsupported(c, &p);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	uint64_t unit = p.unit;
	if (pages_watch(&p))
		return case_say(c, NOT_SUPPORTED, "cannot see where the driver maps blobs: %s", p.probe_why);
	enum { N = 12 };
	static const unsigned units[N] = { 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 3 };
	struct gpu_blob b[N];
	uint64_t offs[N];
	int ok[N];
	memset(ok, 0, sizeof(ok));
	uint32_t blob_id = 1;
	enum verdict v = PASS;
	uint64_t seen_align = 0; /* bit k: an offset whose alignment is 2^k */
	char list[400] = "";
	for (int i = 0; i < N; i++) {
		/* After the first eight, free every other one: later blobs land in holes. */
		if (i == 8)
			for (int j = 1; j < 8; j += 2) {
				gpu_blob_destroy(c->fd, &b[j]);
				ok[j] = 0;
			}
		uint64_t size = units[i] * unit, sent;
		const char *step;
		int r = make_mapped(c, (uint32_t)size, size, blob_id++, &b[i], &sent, &step);
		if (r) {
			v = case_say(c, FAIL, "blob %d (%" PRIu64 " bytes): %s failed: %s (REQ-DEV-MAP-0090)", i, size, step,
				     strerror(-r));
			continue;
		}
		ok[i] = 1;
		int e = last_offset(&p, &offs[i]);
		if (e)
			return case_say(c, ERROR, "no remap of the region's frames seen for blob %d: %s", i, strerror(-e));
		size_t n = strlen(list);
		snprintf(list + n, sizeof(list) - n, "%s0x%" PRIx64, n ? " " : "", offs[i]);
		seen_align |= offset_alignment(offs[i]);
		if (offs[i] % p.gran)
			v = case_say(c, FAIL, "blob %d mapped at offset 0x%" PRIx64 ", not a multiple of the map granularity %"
				     PRIu64 " (REQ-DRV-MAP-0004)", i, offs[i], p.gran);
		int w = host_write(c, &p, &b[i], (uint32_t)size, 0x6000 + (uint32_t)i, &blob_id);
		if (w)
			v = case_say(c, FAIL, "blob %d: the host could not write it: %s", i, strerror(-w));
	}
	/* Check every live mapping after all placements: a misplaced one shows
	 * another blob's bytes or none. */
	for (int i = 0; i < N; i++) {
		if (!ok[i])
			continue;
		uint64_t size = units[i] * unit;
		uint64_t bad = host_written_check(c, b[i].map, size, 0x6000 + (uint32_t)i);
		if (bad != size)
			v = case_say(c, FAIL, "blob %d at offset 0x%" PRIx64 ": byte %" PRIu64 " is not its own "
				     "(REQ-DEV-MAP-0012)", i, offs[i], bad);
		gpu_blob_destroy(c->fd, &b[i]);
	}
	char aligns[200] = "";
	for (uint64_t a = 1u << 20; a; a >>= 1)
		if (seen_align & a) {
			size_t n = strlen(aligns);
			snprintf(aligns + n, sizeof(aligns) - n, "%s%" PRIu64 "K", n ? "," : "", a / 1024);
		}
	remap_probe_stop(&p.probe);
	case_say(c, PASS, "offsets %s; their alignments %s; granularity %" PRIu64, list, aligns, p.gran);
	return v;
}

/* A GUEST blob in guest pages: the host sees the guest's bytes in place
 * (checksum) and the guest sees the host's (pattern), across page entries. */
static enum verdict pages_guest_blob_entries(struct case_ctx *c)
{
	struct pages p;
	pages_read(c, &p);
	if (!uses_refctx(c))
		return case_say(c, NOT_SUPPORTED, "needs the reference context to read and write the guest blob on the "
				"host: only our device offers it");
	const char *why = pages_unsupported(c, &p);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	int r = refctx_init(c); /* before the first object, or the driver makes a default context */
	if (r)
		return case_say(c, FAIL, "CONTEXT_INIT: %s", strerror(-r));
	/* Several pages and, where the page is large, not a whole number of them. */
	uint64_t size = p.page > 4096 ? 3 * p.page + 4096 : 5 * p.page;
	size = round_up(size, p.gran);
	struct gpu_blob g, res;
	if ((r = guest_blob_create(c, size, &g)))
		return case_say(c, FAIL, "CREATE_BLOB(GUEST) of %" PRIu64 " bytes: %s", size, strerror(-r));
	uint64_t sent = size;
	gpu_resource_size(c->fd, g.handle, &sent);
	g.size = sent;
	if ((r = gpu_blob_map(c->fd, &g)))
		return case_say(c, FAIL, "mapping the GUEST blob: %s", strerror(-r));
	uint64_t rsent;
	const char *step;
	if ((r = make_mapped(c, (uint32_t)p.unit, p.unit, 1, &res, &rsent, &step)))
		return case_say(c, FAIL, "result blob: %s: %s", step, strerror(-r));
	pattern_fill(g.map, sent, 0x9e11);
	uint64_t want = vgb_fnv1a64(g.map, sent, VGB_FNV1A64_INIT);
	struct vgb_refctx_checksum cs = { .hdr = { VGB_REFCTX_CHECKSUM, sizeof(cs) }, .resource_id = g.res_handle,
					  .dst_resource_id = res.res_handle, .size = sent };
	uint32_t handles[2] = { g.handle, res.handle };
	if ((r = refctx_submit(c, &cs, sizeof(cs), handles, 2)))
		return case_say(c, FAIL, "CHECKSUM of the GUEST blob: %s", strerror(-r));
	const volatile uint8_t *m = res.map;
	uint64_t got = 0;
	for (int i = 7; i >= 0; i--)
		got = got << 8 | m[i];
	if (got != want)
		return case_say(c, FAIL, "host hash of the %" PRIu64 "-byte GUEST blob 0x%016" PRIx64 ", guest's 0x%016"
				PRIx64 ": the host does not read the guest's pages in order (REQ-DEV-ENTRY-0006)", sent, got,
				want);
	struct vgb_refctx_pattern pt = { .hdr = { VGB_REFCTX_PATTERN, sizeof(pt) }, .resource_id = g.res_handle,
					 .seed = 0x9e12, .size = sent };
	if ((r = refctx_submit(c, &pt, sizeof(pt), &g.handle, 1)))
		return case_say(c, FAIL, "PATTERN into the GUEST blob: %s", strerror(-r));
	uint64_t bad = host_written_check(c, g.map, sent, 0x9e12);
	gpu_blob_destroy(c->fd, &res);
	gpu_blob_destroy(c->fd, &g);
	if (bad != sent)
		return case_say(c, FAIL, "byte %" PRIu64 " of the GUEST blob is not what the host wrote into it "
				"(REQ-DEV-CTX-0028)", bad);
	return case_say(c, PASS, "GUEST blob of %" PRIu64 " bytes (%" PRIu64 " guest pages of %" PRIu64
			"): host hash and host pattern agree with the guest", sent, sent / p.page, p.page);
}

/* The device's alignment exceeds the guest page: what the driver does with
 * blobs of one guest page, and where it maps those of one alignment. */
static enum verdict pages_alignment_above_page(struct case_ctx *c)
{
	struct pages p;
	pages_read(c, &p);
	if (!p.align || p.align <= p.page)
		return case_say(c, NOT_SUPPORTED, "blob_alignment %" PRIu64 " does not exceed the %" PRIu64 "-byte guest page",
				p.align, p.page);
	const char *why = guest_blob_unsupported(c);
	if (why)
		return case_say(c, NOT_SUPPORTED, "%s", why);
	enum verdict v = PASS;
	struct gpu_blob g;
	int r = guest_blob_create(c, p.page, &g);
	if (r) {
		case_say(c, PASS, "GUEST blob of one page (%" PRIu64 "): refused by the driver (%s)", p.page, strerror(-r));
	} else {
		uint64_t sent = p.page;
		gpu_resource_size(c->fd, g.handle, &sent);
		if (sent % p.align)
			v = case_say(c, FAIL, "GUEST blob of one page sent as %" PRIu64 " bytes, not a multiple of "
				     "blob_alignment %" PRIu64 " (REQ-DRV-BLOB-0005)", sent, p.align);
		else
			case_say(c, PASS, "GUEST blob of one page: the driver rounded it up to %" PRIu64, sent);
		gpu_blob_destroy(c->fd, &g);
	}
	if ((why = pages_unsupported(c, &p)))
		return case_say(c, v, "HOST3D part not run: %s", why);
	struct gpu_blob b;
	uint64_t sent;
	const char *step;
	r = make_mapped(c, (uint32_t)p.align, p.page, 1, &b, &sent, &step);
	if (r == 0 && sent % p.align)
		v = case_say(c, FAIL, "HOST3D blob of one page sent as %" PRIu64 " and mapped (REQ-DRV-BLOB-0005)", sent);
	else if (r)
		case_say(c, PASS, "HOST3D blob of one page: %s refused (%s)", step, strerror(-r));
	else
		case_say(c, PASS, "HOST3D blob of one page: the driver rounded it up to %" PRIu64, sent);
	gpu_blob_destroy(c->fd, &b);
	if (pages_watch(&p))
		return case_say(c, v == FAIL ? FAIL : NOT_SUPPORTED, "cannot see where the driver maps blobs: %s",
				p.probe_why);
	if ((r = make_mapped(c, (uint32_t)p.align, p.align, 2, &b, &sent, &step)))
		return case_say(c, FAIL, "HOST3D blob of blob_alignment bytes: %s: %s (REQ-DEV-MAP-0090)", step,
				strerror(-r));
	uint64_t off;
	r = last_offset(&p, &off);
	remap_probe_stop(&p.probe);
	if (r)
		return case_say(c, ERROR, "no remap of the region's frames seen: %s", strerror(-r));
	gpu_blob_destroy(c->fd, &b);
	if (off % p.align)
		return case_say(c, FAIL, "mapped at offset 0x%" PRIx64 ", not a multiple of blob_alignment %" PRIu64
				" (REQ-DRV-MAP-0004)", off, p.align);
	return case_say(c, v, "a blob of blob_alignment bytes mapped at offset 0x%" PRIx64, off);
}

const struct case_def pages_cases[] = {
	{ "pair.pages.layout", pages_layout, CASE_IDS(IDS_PAGES_LAYOUT) },
	{ "pair.pages.blob_sizes", pages_blob_sizes, CASE_IDS(IDS_PAGES_BLOB_SIZES) },
	{ "pair.pages.tail", pages_tail, CASE_IDS(IDS_PAGES_TAIL) },
	{ "pair.pages.map_offsets", pages_map_offsets, CASE_IDS(IDS_PAGES_MAP_OFFSETS) },
	{ "pair.pages.guest_blob_entries", pages_guest_blob_entries, CASE_IDS(IDS_PAGES_GUEST_ENTRIES) },
	{ "pair.pages.alignment_above_page", pages_alignment_above_page, CASE_IDS(IDS_PAGES_ABOVE_PAGE) },
	{ NULL, NULL, NULL },
};
