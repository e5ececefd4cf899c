/* SPDX-License-Identifier: MIT */
/* Faults between the device core and the transport (see hostile.h). */
#include "hostile.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vgb/decode.h"
#include "vgb/names.h"
#include "vgb/wire.h"

enum fault {
	/* Instead of executing the command. */
	F_ERROR,         /* an error response (ARG: its name, default ERR_UNSPEC) */
	F_ERROR_PAYLOAD, /* an error header followed by the success response's payload bytes */
	F_STALL,         /* after ARG matching commands (default 0), no chain is ever returned */
	F_DIE,           /* the device process is killed (SIGKILL) */
	/* After executing it. */
	F_TRUNCATE,      /* used.len ARG (default half the response) */
	F_EMPTY,         /* used.len 0 */
	F_OVERSIZE,      /* used.len 4096 bytes beyond the device-writable part */
	F_WRONG_TYPE,    /* another success type */
	F_MAP_INFO,      /* OK_MAP_INFO with map_info ARG */
	F_FENCE_DROP,    /* a fenced request answered without VIRTIO_GPU_FLAG_FENCE */
	F_FENCE_ID,      /* ... with fence_id + 1 */
	F_FENCE_NEVER,   /* a fenced request is never returned */
	/* Where MAP_BLOB places the blob (the transport side). */
	F_MAP_SHIFT,     /* SHMEM_MAP at the offset one mapping length further on */
	F_MAP_SHORT,     /* SHMEM_MAP one page shorter (none for a one-page blob) */
	F_MAP_NONE,      /* no SHMEM_MAP at all; MAP_BLOB still answers OK_MAP_INFO */
	F_DIE_MAPPED,    /* killed after the SHMEM_MAP was acknowledged, before answering */
	F_COUNT
};

static const struct {
	const char *name, *arg, *what;
} faults[F_COUNT] = {
	[F_ERROR] = { "error", "RESP", "answer an error (default ERR_UNSPEC) without executing" },
	[F_ERROR_PAYLOAD] = { "error-payload", NULL, "answer an error header padded to the success size" },
	[F_STALL] = { "stall", "N", "after N matching commands return no chain any more" },
	[F_DIE] = { "die", NULL, "kill the device when the command arrives" },
	[F_TRUNCATE] = { "truncate", "BYTES", "execute, return BYTES of the response (default half)" },
	[F_EMPTY] = { "empty", NULL, "execute, return used.len 0" },
	[F_OVERSIZE] = { "oversize", NULL, "execute, claim 4096 bytes more than the buffer holds" },
	[F_WRONG_TYPE] = { "wrong-type", NULL, "execute, answer another success type" },
	[F_MAP_INFO] = { "map-info", "N", "execute, report map_info N in OK_MAP_INFO" },
	[F_FENCE_DROP] = { "fence-drop", NULL, "answer a fenced request without FLAG_FENCE" },
	[F_FENCE_ID] = { "fence-id", NULL, "answer a fenced request with fence_id + 1" },
	[F_FENCE_NEVER] = { "fence-never", NULL, "execute a fenced request, never return it" },
	[F_MAP_SHIFT] = { "map-shift", NULL, "place a mapped blob one mapping length past its offset" },
	[F_MAP_SHORT] = { "map-short", NULL, "place a mapped blob one page short" },
	[F_MAP_NONE] = { "map-none", NULL, "answer MAP_BLOB without placing anything" },
	[F_DIE_MAPPED] = { "die-mapped", NULL, "kill the device once the blob is placed, before answering" },
};

static bool is_map_fault(enum fault f)
{
	return f >= F_MAP_SHIFT;
}

struct rule {
	enum fault f;
	uint32_t arg;
	bool has_arg;
	uint32_t cmd;  /* 0 = any command */
	uint32_t nth;  /* 0 = every match */
	uint32_t seen; /* matches so far */
};

/* A blob the device believes at dev_off, placed elsewhere (or not at all) by a fault. */
struct moved {
	uint64_t dev_off, dev_len, off, len;
	bool placed;
};

struct hostile {
	struct rule rules[16];
	unsigned nrules;
	bool stalled;

	struct vgb_vu_device inner_vd;
	struct moved *moved;
	unsigned nmoved, cap_moved;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "vgb-host: hostile: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* --- Rules ---------------------------------------------------------------- */

static uint32_t cmd_by_name(const char *s)
{
	static const uint32_t ranges[][2] = { { 0x0100, 0x010d }, { 0x0200, 0x0209 }, { 0x0300, 0x0301 } };
	for (unsigned r = 0; r < 3; r++)
		for (uint32_t t = ranges[r][0]; t <= ranges[r][1]; t++)
			if (!strcmp(vgb_cmd_name(t), s))
				return t;
	return 0;
}

static uint32_t resp_by_name(const char *s)
{
	static const uint32_t ranges[][2] = { { 0x1100, 0x1106 }, { 0x1200, 0x1205 } };
	for (unsigned r = 0; r < 2; r++)
		for (uint32_t t = ranges[r][0]; t <= ranges[r][1]; t++)
			if (!strcmp(vgb_resp_name(t), s))
				return t;
	return 0;
}

static bool parse_num(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* One FAULT[=ARG][@COMMAND][#N]; false with the reason in err. */
static bool parse_rule(char *text, struct rule *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	char *hash = strchr(text, '#');
	if (hash) {
		*hash = '\0';
		if (!parse_num(hash + 1, &r->nth) || r->nth == 0) {
			snprintf(err, errlen, "'#%s' is not a count from 1", hash + 1);
			return false;
		}
	}
	char *at = strchr(text, '@');
	if (at) {
		*at = '\0';
		if (!(r->cmd = cmd_by_name(at + 1))) {
			snprintf(err, errlen, "unknown command '%s'", at + 1);
			return false;
		}
	}
	char *eq = strchr(text, '=');
	if (eq)
		*eq = '\0';
	unsigned f = 0;
	while (f < F_COUNT && strcmp(faults[f].name, text))
		f++;
	if (f == F_COUNT) {
		snprintf(err, errlen, "unknown fault '%s'", text);
		return false;
	}
	r->f = (enum fault)f;
	if (eq && !faults[f].arg) {
		snprintf(err, errlen, "fault '%s' takes no argument", text);
		return false;
	}
	if (eq) {
		r->has_arg = true;
		bool ok = f == F_ERROR ? (r->arg = resp_by_name(eq + 1)) >= VIRTIO_GPU_RESP_ERR_UNSPEC
				       : parse_num(eq + 1, &r->arg);
		if (!ok) {
			snprintf(err, errlen, "bad argument '%s' of '%s'", eq + 1, text);
			return false;
		}
	}
	if (is_map_fault(r->f) && r->cmd && r->cmd != VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB) {
		snprintf(err, errlen, "'%s' applies to RESOURCE_MAP_BLOB only", text);
		return false;
	}
	return true;
}

struct hostile *hostile_new(const char *rules, char *err, size_t errlen)
{
	char buf[1024];
	if (!rules || !*rules || strlen(rules) >= sizeof(buf)) {
		snprintf(err, errlen, "no rules");
		return NULL;
	}
	struct hostile *x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	strcpy(buf, rules);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (x->nrules == sizeof(x->rules) / sizeof(x->rules[0])) {
			snprintf(err, errlen, "more than %u rules", x->nrules);
			free(x);
			return NULL;
		}
		if (!parse_rule(t, &x->rules[x->nrules++], err, errlen)) {
			free(x);
			return NULL;
		}
	}
	return x;
}

void hostile_free(struct hostile *x)
{
	if (x)
		free(x->moved);
	free(x);
}

void hostile_usage(FILE *f)
{
	fprintf(f, "Faults (--hostile=FAULT[=ARG][@COMMAND][#N],..., for tests of drivers only):\n");
	for (unsigned i = 0; i < F_COUNT; i++) {
		char name[40];
		snprintf(name, sizeof(name), "%s%s%s", faults[i].name, faults[i].arg ? "=" : "",
			 faults[i].arg ? faults[i].arg : "");
		fprintf(f, "  %-26s %s\n", name, faults[i].what);
	}
}

/* Does rule r take this occurrence (counting it)? */
static bool takes(struct rule *r, uint32_t cmd)
{
	if (r->cmd && r->cmd != cmd)
		return false;
	r->seen++;
	return !r->nth || r->seen == r->nth;
}

/* The first rule of fault f that takes this command; NULL if none. */
static struct rule *applies(struct hostile *x, enum fault f, uint32_t cmd)
{
	for (unsigned i = 0; i < x->nrules; i++)
		if (x->rules[i].f == f && takes(&x->rules[i], cmd))
			return &x->rules[i];
	return NULL;
}

static void die(const char *why, uint32_t cmd)
{
	say("%s at %s: killed", why, vgb_cmd_name(cmd));
	kill(getpid(), SIGKILL);
	_exit(137);
}

/* --- Responses ------------------------------------------------------------ */

static uint32_t hdr_type(const uint8_t *resp)
{
	uint32_t t;
	memcpy(&t, resp, 4);
	return vgb_le32(t);
}

static void set_hdr_type(uint8_t *resp, uint32_t type)
{
	uint32_t t = vgb_to_le32(type);
	memcpy(resp, &t, 4);
}

/* A header answering req with type: its fence echoed, as a correct device does. */
static void answer_hdr(uint8_t *resp, const struct virtio_gpu_ctrl_hdr *rq, uint32_t type)
{
	struct virtio_gpu_ctrl_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = vgb_to_le32(type);
	if (vgb_le32(rq->flags) & VIRTIO_GPU_FLAG_FENCE) {
		h.flags = rq->flags & vgb_to_le32(VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
		h.fence_id = rq->fence_id;
		h.ctx_id = rq->ctx_id;
		h.ring_idx = rq->ring_idx;
	}
	memcpy(resp, &h, sizeof(h));
}

/* Before executing: faults that replace the command. Returns true with *n set when answered. */
static bool replace(struct hostile *x, const struct virtio_gpu_ctrl_hdr *rq, uint32_t cmd, uint8_t *resp,
		    size_t cap, size_t *n)
{
	struct rule *r;
	if ((r = applies(x, F_DIE, cmd)))
		die("die", cmd);
	if ((r = applies(x, F_STALL, cmd)) && r->seen > (r->has_arg ? r->arg : 0)) {
		say("stall from %s on: no chain is returned any more", vgb_cmd_name(cmd));
		x->stalled = true;
	}
	if (x->stalled) {
		*n = VGB_VU_HOLD;
		return true;
	}
	if ((r = applies(x, F_ERROR, cmd))) {
		uint32_t type = r->has_arg ? r->arg : VIRTIO_GPU_RESP_ERR_UNSPEC;
		say("%s answered %s", vgb_cmd_name(cmd), vgb_resp_name(type));
		if (cap < sizeof(*rq)) {
			*n = 0;
			return true;
		}
		answer_hdr(resp, rq, type);
		*n = sizeof(*rq);
		return true;
	}
	if ((r = applies(x, F_ERROR_PAYLOAD, cmd))) {
		size_t len = vgb_resp_size(cmd);
		if (len < sizeof(*rq) + 8)
			len = sizeof(*rq) + 8;
		if (len > cap)
			len = cap;
		say("%s answered ERR_UNSPEC with payload bytes", vgb_cmd_name(cmd));
		memset(resp, 0x5a, len);
		if (len >= sizeof(*rq))
			answer_hdr(resp, rq, VIRTIO_GPU_RESP_ERR_UNSPEC);
		*n = len;
		return true;
	}
	return false;
}

static uint32_t other_ok_type(uint32_t type)
{
	return type == VIRTIO_GPU_RESP_OK_NODATA ? VIRTIO_GPU_RESP_OK_DISPLAY_INFO : VIRTIO_GPU_RESP_OK_NODATA;
}

/* After executing: faults that distort the answer. */
static size_t distort(struct hostile *x, const struct virtio_gpu_ctrl_hdr *rq, uint32_t cmd, uint8_t *resp,
		      size_t cap, size_t n)
{
	struct rule *r;
	bool fenced = vgb_le32(rq->flags) & VIRTIO_GPU_FLAG_FENCE;
	if (n >= sizeof(*rq) && (r = applies(x, F_WRONG_TYPE, cmd))) {
		uint32_t t = hdr_type(resp);
		if (t < VIRTIO_GPU_RESP_ERR_UNSPEC) {
			set_hdr_type(resp, other_ok_type(t));
			say("%s answered with %s", vgb_cmd_name(cmd), vgb_resp_name(other_ok_type(t)));
		}
	}
	if (n >= sizeof(struct virtio_gpu_resp_map_info) && hdr_type(resp) == VIRTIO_GPU_RESP_OK_MAP_INFO &&
	    (r = applies(x, F_MAP_INFO, cmd))) {
		uint32_t mi = vgb_to_le32(r->arg);
		memcpy(resp + offsetof(struct virtio_gpu_resp_map_info, map_info), &mi, 4);
		say("%s reports map_info %s", vgb_cmd_name(cmd), vgb_cache_name(r->arg));
	}
	if (fenced && n >= sizeof(*rq) && (r = applies(x, F_FENCE_DROP, cmd))) {
		struct virtio_gpu_ctrl_hdr h;
		memcpy(&h, resp, sizeof(h));
		h.flags &= ~vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
		memcpy(resp, &h, sizeof(h));
		say("%s answered without its fence", vgb_cmd_name(cmd));
	}
	if (fenced && n >= sizeof(*rq) && (r = applies(x, F_FENCE_ID, cmd))) {
		struct virtio_gpu_ctrl_hdr h;
		memcpy(&h, resp, sizeof(h));
		h.fence_id = vgb_to_le64(vgb_le64(h.fence_id) + 1);
		memcpy(resp, &h, sizeof(h));
		say("%s answered with fence_id + 1", vgb_cmd_name(cmd));
	}
	if (fenced && (r = applies(x, F_FENCE_NEVER, cmd))) {
		say("fenced %s executed and never returned", vgb_cmd_name(cmd));
		return VGB_VU_HOLD;
	}
	if ((r = applies(x, F_TRUNCATE, cmd))) {
		size_t to = r->has_arg ? r->arg : n / 2;
		if (to < n) {
			say("%s answer truncated", vgb_cmd_name(cmd));
			n = to;
		}
	}
	if ((r = applies(x, F_EMPTY, cmd))) {
		say("%s answered with used.len 0", vgb_cmd_name(cmd));
		n = 0;
	}
	if ((r = applies(x, F_OVERSIZE, cmd))) {
		say("%s answer claims more bytes than the buffer holds", vgb_cmd_name(cmd));
		n = cap + 4096;
	}
	return n;
}

static size_t request(void *opaque, unsigned queue, const struct vgb_guest_mem *mem, const void *req,
		      size_t req_len, size_t total_len, void *resp, size_t resp_cap)
{
	struct hostile *x = opaque;
	const struct vgb_vu_device *in = &x->inner_vd;
	if (x->stalled)
		return VGB_VU_HOLD;
	struct virtio_gpu_ctrl_hdr rq;
	if (queue != VGB_CONTROLQ || req_len < sizeof(rq))
		return in->request(in->opaque, queue, mem, req, req_len, total_len, resp, resp_cap);
	memcpy(&rq, req, sizeof(rq));
	uint32_t cmd = vgb_le32(rq.type);
	size_t n;
	if (replace(x, &rq, cmd, resp, resp_cap, &n))
		return n;
	n = in->request(in->opaque, queue, mem, req, req_len, total_len, resp, resp_cap);
	return distort(x, &rq, cmd, resp, resp_cap, n);
}

/* --- Placements ------------------------------------------------------------ */

static struct moved *moved_find(struct hostile *x, uint64_t dev_off)
{
	for (unsigned i = 0; i < x->nmoved; i++)
		if (x->moved[i].dev_off == dev_off)
			return &x->moved[i];
	return NULL;
}

static bool moved_add(struct hostile *x, struct moved m)
{
	if (x->nmoved == x->cap_moved) {
		unsigned cap = x->cap_moved ? 2 * x->cap_moved : 16;
		struct moved *n = realloc(x->moved, cap * sizeof(*n));
		if (!n)
			return false;
		x->moved = n;
		x->cap_moved = cap;
	}
	x->moved[x->nmoved++] = m;
	return true;
}

int hostile_shm_map(struct hostile *x, struct vgb_vu_backend *be, int fd, uint64_t fd_offset,
		    uint64_t shm_offset, uint64_t len, bool writable)
{
	const uint32_t map = VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB;
	struct moved m = { shm_offset, len, shm_offset, len, true };
	if (applies(x, F_MAP_SHIFT, map))
		m.off = shm_offset + len;
	else if (applies(x, F_MAP_SHORT, map))
		m.len = len > 4096 ? len - 4096 : 0;
	else if (applies(x, F_MAP_NONE, map))
		m.len = 0;
	bool moved = m.off != shm_offset || m.len != len;
	m.placed = m.len != 0;
	if (moved)
		say("blob at 0x%llx+0x%llx placed at 0x%llx+0x%llx", (unsigned long long)shm_offset,
		    (unsigned long long)len, (unsigned long long)m.off, (unsigned long long)m.len);
	int r = m.placed ? vgb_vu_backend_shm_map(be, fd, fd_offset, m.off, m.len, writable) : 0;
	if (r == 0 && moved && !moved_add(x, m))
		r = -ENOMEM;
	if (r == 0 && applies(x, F_DIE_MAPPED, map))
		die("die-mapped", map);
	return r;
}

int hostile_shm_unmap(struct hostile *x, struct vgb_vu_backend *be, uint64_t shm_offset, uint64_t len)
{
	struct moved *m = moved_find(x, shm_offset);
	if (!m)
		return vgb_vu_backend_shm_unmap(be, shm_offset, len);
	struct moved was = *m;
	*m = x->moved[--x->nmoved];
	return was.placed ? vgb_vu_backend_shm_unmap(be, was.off, was.len) : 0;
}

/* The front-end dropped every mapping: so does the table of moved ones. */
static void reset(void *opaque)
{
	struct hostile *x = opaque;
	x->nmoved = 0;
	x->stalled = false; /* a reset device answers again */
	if (x->inner_vd.reset)
		x->inner_vd.reset(x->inner_vd.opaque);
}

static void stop(void *opaque)
{
	struct hostile *x = opaque;
	x->nmoved = 0;
	if (x->inner_vd.stop)
		x->inner_vd.stop(x->inner_vd.opaque);
}

static size_t config(void *opaque, void *buf, size_t cap)
{
	struct hostile *x = opaque;
	return x->inner_vd.config(x->inner_vd.opaque, buf, cap);
}

static bool set_features(void *opaque, uint64_t features)
{
	struct hostile *x = opaque;
	return !x->inner_vd.set_features || x->inner_vd.set_features(x->inner_vd.opaque, features);
}

static void mem_changed(void *opaque)
{
	struct hostile *x = opaque;
	if (x->inner_vd.mem_changed)
		x->inner_vd.mem_changed(x->inner_vd.opaque);
}

static bool set_config(void *opaque, uint32_t offset, const void *buf, uint32_t len)
{
	struct hostile *x = opaque;
	return x->inner_vd.set_config && x->inner_vd.set_config(x->inner_vd.opaque, offset, buf, len);
}

void hostile_wrap_device(struct hostile *x, struct vgb_vu_device *vd)
{
	x->inner_vd = *vd;
	vd->opaque = x;
	vd->request = request;
	vd->config = config;
	vd->set_features = set_features;
	vd->reset = reset;
	vd->stop = stop;
	vd->mem_changed = mem_changed;
	vd->set_config = x->inner_vd.set_config ? set_config : NULL;
}
