/* SPDX-License-Identifier: MIT */
/* The exchange of a case with the device, as text (see trace.h). */
#include "trace.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gpu.h"
#include "vgb/vhost_user.h"

__attribute__((format(printf, 2, 3)))
static void add(struct vc_trace *tr, const char *fmt, ...)
{
	if (tr->fail_at && tr->count >= tr->fail_at + VC_TRACE_AFTER)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tr->lines[tr->count % VC_TRACE_KEPT], VC_TRACE_LEN, fmt, ap);
	va_end(ap);
	tr->count++;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Up to `words` little-endian words of p[0..len) as hex. */
static void words(char *out, size_t cap, const uint8_t *p, uint32_t len, unsigned max)
{
	size_t n = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < max && (i + 1) * 4 <= len && n + 10 < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, " %08x", le32_at(p + 4 * i));
	if (len > max * 4 && n + 4 < cap)
		snprintf(out + n, cap - n, " ...");
}

static void on_chain(void *ctx, unsigned queue, const void *req, uint32_t req_len, const void *resp,
		     uint32_t resp_len, int rc)
{
	struct vc_trace *tr = ctx;
	char body[120], rbody[60];
	if (!req || req_len < sizeof(struct virtio_gpu_ctrl_hdr)) {
		add(tr, "q%u chain of %u request bytes -> %s", queue, req_len, rc ? "no answer" : "answered");
		return;
	}
	const uint8_t *q = req;
	uint32_t type = le32_at(q), flags = le32_at(q + 4), ctx_id = le32_at(q + 16);
	words(body, sizeof(body), q + 24, req_len - 24, 8);
	if (rc) {
		add(tr, "q%u %s flags 0x%x ctx %u |%s -> no answer (%d)", queue, vc_cmd_name(type), flags, ctx_id,
		    body, rc);
		return;
	}
	uint32_t rtype = resp && resp_len >= 4 ? le32_at(resp) : 0;
	words(rbody, sizeof(rbody), (const uint8_t *)resp + (resp_len >= 24 ? 24 : resp_len),
	      resp_len >= 24 ? resp_len - 24 : 0, 4);
	add(tr, "q%u %s flags 0x%x ctx %u |%s -> %s (%u bytes)%s", queue, vc_cmd_name(type), flags, ctx_id, body,
	    vc_resp_name(rtype), resp_len, rbody);
}

static void on_message(void *ctx, const char *channel, bool sent, uint32_t request, uint32_t size, unsigned nfds,
		       const void *payload)
{
	struct vc_trace *tr = ctx;
	bool backend = !strcmp(channel, "backend");
	/* Requests on the back-end channel come from the device; its replies go back. */
	const char *name = backend ? vgb_vu_backend_request_name(request) : vgb_vu_request_name(request);
	char extra[120] = "";
	const union vgb_vu_payload *p = payload;
	if (backend && !sent && size >= sizeof(struct vgb_vu_mmap) &&
	    (request == VGB_VU_BACKEND_SHMEM_MAP || request == VGB_VU_BACKEND_SHMEM_UNMAP))
		snprintf(extra, sizeof(extra), " shmid %u shm_offset 0x%llx len 0x%llx", p->mmap.shmid,
			 (unsigned long long)p->mmap.shm_offset, (unsigned long long)p->mmap.len);
	else if (size == sizeof(uint64_t))
		snprintf(extra, sizeof(extra), " u64 0x%llx", (unsigned long long)p->u64);
	add(tr, "vhost-user %s %s %s (%u bytes%s)%s", channel, sent ? "->" : "<-", name, size, nfds ? ", fds" : "",
	    extra);
}

void vc_trace_init(struct vc_trace *tr)
{
	memset(tr, 0, sizeof(*tr));
	tr->hooks = (struct vgb_fe_trace){ .ctx = tr, .message = on_message, .chain = on_chain };
}

void vc_trace_note(struct vc_trace *tr, const char *fmt, ...)
{
	if (!tr)
		return;
	char line[VC_TRACE_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	add(tr, "    %s", line);
}

void vc_trace_mark(struct vc_trace *tr, const char *what)
{
	if (!tr || tr->fail_at)
		return;
	add(tr, "=== the case recorded its failure here: %s", what);
	tr->fail_at = tr->count;
}

void vc_trace_text(const struct vc_trace *tr, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	uint64_t first = tr->count > VC_TRACE_KEPT ? tr->count - VC_TRACE_KEPT : 0;
	if (first)
		n += (size_t)snprintf(out, cap, "(%llu earlier lines not kept)\n", (unsigned long long)first);
	for (uint64_t i = first; i < tr->count && n + 1 < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s\n", tr->lines[i % VC_TRACE_KEPT]);
	if (n >= cap)
		n = cap - 1;
	out[n] = '\0';
}
