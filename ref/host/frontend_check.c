/* SPDX-License-Identifier: MIT */
/* The device checks its front-end (see frontend_check.h). */
#include "frontend_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vgb/vhost_user.h"

#define PAGE 4096u
#define SHMID 1u
#define UNKNOWN_SHMID 7u

enum req { VU_0043, VU_0044, VU_0045, VU_0046, VU_0047, NREQ };

static const char *const req_ids[NREQ] = {
	"REQ-DEV-VU-0043", "REQ-DEV-VU-0044", "REQ-DEV-VU-0045", "REQ-DEV-VU-0046", "REQ-DEV-VU-0047",
};

struct placement {
	uint64_t off, len;
};

struct frontend_check {
	FILE *out;
	bool done[NREQ];  /* a verdict was written */
	bool probed;      /* the probes before the first placement ran */
	bool overlap_refused; /* the front-end refused an overlapping placement (VU-0043 probe) */
	bool keep_working_pending; /* rejections seen: the next placement shows whether it works on */
	struct placement *live;
	unsigned nlive, cap;
	struct placement *dropped; /* live when the front-end stopped or reset the device */
	unsigned ndropped;
};

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void verdict(struct frontend_check *fc, enum req r, const char *v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void verdict(struct frontend_check *fc, enum req r, const char *v, const char *fmt, ...)
{
	if (fc->done[r])
		return;
	fc->done[r] = true;
	char detail[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (!strcmp(v, "FAIL"))
		fprintf(stderr, "FRONTEND VIOLATION %s %s\n", req_ids[r], detail);
	else
		fprintf(stderr, "vgb-host: frontend %s %s: %s\n", req_ids[r], v, detail);
	if (!fc->out)
		return;
	fputs("{\"frontend_requirement\": ", fc->out);
	json_string(fc->out, req_ids[r]);
	fprintf(fc->out, ", \"verdict\": \"%s\", \"detail\": ", v);
	json_string(fc->out, detail);
	fputs("}\n", fc->out);
	fflush(fc->out);
}

struct frontend_check *frontend_check_new(FILE *out)
{
	struct frontend_check *fc = calloc(1, sizeof(*fc));
	if (fc)
		fc->out = out;
	return fc;
}

void frontend_check_violation(void *opaque, const char *req_id, const char *detail)
{
	struct frontend_check *fc = opaque;
	for (unsigned r = 0; r < NREQ; r++)
		if (!strcmp(req_ids[r], req_id))
			verdict(fc, (enum req)r, "FAIL", "%s", detail);
}

void frontend_check_finish(struct frontend_check *fc)
{
	if (!fc)
		return;
	verdict(fc, VU_0046, "PASS", "no GET_SHMEM_CONFIG came without VHOST_USER_PROTOCOL_F_SHMEM negotiated");
	const char *why = "the device placed no blob, so nothing was probed";
	verdict(fc, VU_0043, "NOT_SUPPORTED", "%s", why);
	verdict(fc, VU_0044, "NOT_SUPPORTED", "%s", why);
	verdict(fc, VU_0047, "NOT_SUPPORTED", "%s", fc->probed ? "the front-end refused no probe, so there was nothing to keep working after" : why);
	verdict(fc, VU_0045, "NOT_SUPPORTED", "%s", fc->ndropped || fc->dropped
		? "the front-end stopped or reset the device with mappings live, but the device placed no blob afterwards"
		: "the front-end never stopped or reset the device while mappings were live");
	free(fc->live);
	free(fc->dropped);
	free(fc);
}

/* A page-multiple memfd of the device's own, sealed against shrinking, for probes. */
static int probe_fd(uint64_t len)
{
	int fd = memfd_create("vgb-frontend-probe", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)len) || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Is [p, +len) clear of [off, +olen) and of every live placement? */
static bool clear_of(const struct frontend_check *fc, uint64_t p, uint64_t len, uint64_t off, uint64_t olen)
{
	if (overlaps(p, len, off, olen))
		return false;
	for (unsigned i = 0; i < fc->nlive; i++)
		if (overlaps(p, len, fc->live[i].off, fc->live[i].len))
			return false;
	return true;
}

/* The highest range of len bytes in the region clear of [off, +olen) and of the live placements. */
static bool free_range(const struct frontend_check *fc, uint64_t region_size, uint64_t off, uint64_t olen,
		       uint64_t len, uint64_t *at)
{
	if (region_size < len)
		return false;
	for (uint64_t p = (region_size - len) / PAGE * PAGE;; p -= PAGE) {
		if (clear_of(fc, p, len, off, olen)) {
			*at = p;
			return true;
		}
		if (p < PAGE)
			return false;
	}
}

static const char *outcome(int r)
{
	return r == 0 ? "accepted" : r == -EIO ? "refused" : "not answered";
}

/*
 * A probe the front-end must refuse: refused -> true.  Accepted -> FAIL of req
 * (and the placement is taken back); not answered -> FAIL of VU-0047.
 */
static bool must_refuse(struct frontend_check *fc, struct vgb_vu_backend *be, enum req req, uint32_t request,
			uint8_t shmid, int fd, uint64_t off, uint64_t len, const char *what)
{
	int r = vgb_vu_backend_shm_request(be, request, shmid, fd, 0, off, len,
					   request == VGB_VU_BACKEND_SHMEM_MAP ? VGB_VU_SHMEM_FLAG_WRITABLE : 0);
	if (r == -EIO) {
		fc->keep_working_pending = true;
		return true;
	}
	if (r == 0) {
		verdict(fc, req, "FAIL", "the front-end accepted %s", what);
		if (request == VGB_VU_BACKEND_SHMEM_MAP)
			vgb_vu_backend_shm_request(be, VGB_VU_BACKEND_SHMEM_UNMAP, shmid, -1, 0, off, len, 0);
	} else {
		verdict(fc, VU_0047, "FAIL", "no answer to %s (%s)", what, strerror(-r));
	}
	return false;
}

static void probe(struct frontend_check *fc, struct vgb_vu_backend *be, uint64_t region_size, uint64_t off,
		  uint64_t len)
{
	uint64_t at;
	if (!free_range(fc, region_size, off, len, 2 * PAGE, &at)) {
		verdict(fc, VU_0043, "NOT_SUPPORTED", "no room for a probe beside the blob in a %llu-byte region",
			(unsigned long long)region_size);
		verdict(fc, VU_0044, "NOT_SUPPORTED", "no room for a probe beside the blob");
		return;
	}
	int fd = probe_fd(2 * PAGE);
	if (fd < 0) {
		verdict(fc, VU_0043, "NOT_SUPPORTED", "no memfd for a probe: %s", strerror(errno));
		verdict(fc, VU_0044, "NOT_SUPPORTED", "no memfd for a probe");
		return;
	}
	const uint32_t map = VGB_VU_BACKEND_SHMEM_MAP, unmap = VGB_VU_BACKEND_SHMEM_UNMAP;
	char what[160];
	/* Placements it must refuse: each judged on its own. */
	bool ok4 = must_refuse(fc, be, VU_0043, map, UNKNOWN_SHMID, fd, at, PAGE,
			       "SHMEM_MAP of shmid 7, which it has no region for");
	snprintf(what, sizeof(what), "SHMEM_MAP at offset 0x%llx, the end of the 0x%llx-byte region",
		 (unsigned long long)region_size, (unsigned long long)region_size);
	ok4 &= must_refuse(fc, be, VU_0043, map, SHMID, fd, region_size, PAGE, what);
	/* A live probe mapping of two pages, then what must not be done to it. */
	int r = vgb_vu_backend_shm_request(be, map, SHMID, fd, 0, at, 2 * PAGE, VGB_VU_SHMEM_FLAG_WRITABLE);
	if (r != 0) {
		verdict(fc, ok4 ? VU_0043 : VU_0044, "NOT_SUPPORTED", "the front-end %s a valid probe SHMEM_MAP at 0x%llx",
			outcome(r), (unsigned long long)at);
		verdict(fc, VU_0044, "NOT_SUPPORTED", "the front-end %s a valid probe SHMEM_MAP", outcome(r));
		close(fd);
		return;
	}
	fc->overlap_refused = must_refuse(fc, be, VU_0043, map, SHMID, fd, at + PAGE, PAGE,
					  "SHMEM_MAP overlapping a live mapping");
	if (ok4 && fc->overlap_refused)
		verdict(fc, VU_0043, "PASS", "refused SHMEM_MAP of an unknown shmid, outside the region, and "
			"overlapping a live mapping");
	bool ok5 = must_refuse(fc, be, VU_0044, unmap, SHMID, -1, at, PAGE, "SHMEM_UNMAP of half a mapping");
	/* The page below the probe, when nothing is mapped there either. */
	if (at >= PAGE && clear_of(fc, at - PAGE, PAGE, off, len))
		ok5 &= must_refuse(fc, be, VU_0044, unmap, SHMID, -1, at - PAGE, PAGE,
				   "SHMEM_UNMAP of a range nothing is mapped at");
	if (ok5)
		verdict(fc, VU_0044, "PASS", "refused SHMEM_UNMAP of half a mapping and of nothing");
	r = vgb_vu_backend_shm_request(be, unmap, SHMID, -1, 0, at, 2 * PAGE, 0);
	if (r)
		verdict(fc, VU_0047, "FAIL", "the probe mapping could not be removed after the rejections (%s)",
			outcome(r));
	close(fd);
}

/* After a stop or reset with mappings live: placing a page over one of them must work. */
static void probe_dropped(struct frontend_check *fc, struct vgb_vu_backend *be, uint64_t off, uint64_t len)
{
	for (unsigned i = 0; i < fc->ndropped; i++) {
		struct placement p = fc->dropped[i];
		if (overlaps(p.off, PAGE, off, len))
			continue;
		int fd = probe_fd(PAGE);
		if (fd < 0)
			return;
		int r = vgb_vu_backend_shm_request(be, VGB_VU_BACKEND_SHMEM_MAP, SHMID, fd, 0, p.off, PAGE,
						   VGB_VU_SHMEM_FLAG_WRITABLE);
		close(fd);
		if (r == 0)
			vgb_vu_backend_shm_request(be, VGB_VU_BACKEND_SHMEM_UNMAP, SHMID, -1, 0, p.off, PAGE, 0);
		if (!fc->overlap_refused) {
			verdict(fc, VU_0045, "NOT_SUPPORTED", "the front-end did not refuse an overlapping placement, so "
				"whether it kept a mapping across the stop or reset cannot be seen");
		} else if (r == 0) {
			verdict(fc, VU_0045, "PASS", "after the stop or reset, offset 0x%llx of a mapping live before "
				"it could be mapped again", (unsigned long long)p.off);
		} else if (r == -EIO) {
			verdict(fc, VU_0045, "FAIL", "after the stop or reset the front-end refused a placement at "
				"0x%llx, where a mapping was live before it: it kept that mapping",
				(unsigned long long)p.off);
		} else {
			verdict(fc, VU_0047, "FAIL", "no answer to a placement after the stop or reset (%s)", outcome(r));
		}
		fc->ndropped = 0;
		return;
	}
}

void frontend_check_before_map(struct frontend_check *fc, struct vgb_vu_backend *be, uint64_t region_size,
			       uint64_t off, uint64_t len)
{
	if (!fc)
		return;
	if (!fc->probed) {
		fc->probed = true;
		probe(fc, be, region_size, off, len);
	}
	if (fc->ndropped)
		probe_dropped(fc, be, off, len);
}

void frontend_check_mapped(struct frontend_check *fc, uint64_t off, uint64_t len, int r)
{
	if (!fc)
		return;
	if (fc->keep_working_pending && r == 0) {
		fc->keep_working_pending = false;
		verdict(fc, VU_0047, "PASS", "after refusing the probes the front-end placed the blob at 0x%llx",
			(unsigned long long)off);
	}
	if (r)
		return;
	if (fc->nlive == fc->cap) {
		unsigned cap = fc->cap ? 2 * fc->cap : 16;
		struct placement *n = realloc(fc->live, cap * sizeof(*n));
		if (!n)
			return;
		fc->live = n;
		fc->cap = cap;
	}
	fc->live[fc->nlive++] = (struct placement){ off, len };
}

void frontend_check_unmapped(struct frontend_check *fc, uint64_t off, int r)
{
	if (!fc || r)
		return;
	for (unsigned i = 0; i < fc->nlive; i++)
		if (fc->live[i].off == off) {
			fc->live[i] = fc->live[--fc->nlive];
			return;
		}
}

void frontend_check_dropped(struct frontend_check *fc)
{
	if (!fc || !fc->nlive)
		return;
	free(fc->dropped);
	fc->dropped = fc->live;
	fc->ndropped = fc->nlive;
	fc->live = NULL;
	fc->nlive = fc->cap = 0;
}
