/* SPDX-License-Identifier: MIT */
/* Reference-context operations for coherency checks. */
#include "host.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gpu.h"
#include "reqs.h"
#include "vgb/refctx.h"

static void rc_hdr(struct vgb_refctx_hdr *h, uint32_t op, uint32_t len)
{
	h->op = vgb_to_le32(op);
	h->length = vgb_to_le32(len);
}

/* SUBMIT_3D of one stream; fenced unless h->unfenced, the echo checked. */
static bool submit(struct vc *t, struct vc_host *h, const void *cmd, uint32_t len,
		   const char *req_id, const char *what)
{
	if (h->unfenced) {
		uint32_t got = vc_submit_3d(t, h->ctx_id, cmd, len);
		return vc_expect(t, got, VIRTIO_GPU_RESP_OK_NODATA, req_id, what);
	}
	static uint8_t buf[sizeof(struct virtio_gpu_cmd_submit) + 4096];
	if (len > sizeof(buf) - sizeof(struct virtio_gpu_cmd_submit)) {
		vc_error(t, "reference-context stream too long");
		return false;
	}
	struct virtio_gpu_cmd_submit s;
	memset(&s, 0, sizeof(s));
	vc_hdr(&s.hdr, VIRTIO_GPU_CMD_SUBMIT_3D);
	uint64_t fence = ++h->next_fence;
	s.hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	s.hdr.fence_id = vgb_to_le64(fence);
	s.hdr.ctx_id = vgb_to_le32(h->ctx_id);
	s.size = vgb_to_le32(len);
	memcpy(buf, &s, sizeof(s));
	memcpy(buf + sizeof(s), cmd, len);
	struct vc_resp r;
	uint32_t got = vc_cmd(t, buf, sizeof(s) + len, &r);
	if (!vc_expect(t, got, VIRTIO_GPU_RESP_OK_NODATA, req_id, what))
		return false;
	uint32_t flags = vgb_le32(r.u.hdr.flags);
	if (!vc_check(t, (flags & VIRTIO_GPU_FLAG_FENCE) && vgb_le64(r.u.hdr.fence_id) == fence,
		      R_FENCE_ECHO, "%s: fenced response has flags 0x%x fence_id %llu (sent %llu)",
		      what, flags, (unsigned long long)vgb_le64(r.u.hdr.fence_id),
		      (unsigned long long)fence))
		return false;
	return vc_check(t, vgb_le32(r.u.hdr.ctx_id) == h->ctx_id, R_FENCE_CTX,
			"%s: fenced response carries ctx_id %u, sent %u", what,
			vgb_le32(r.u.hdr.ctx_id), h->ctx_id);
}

bool vc_host_open(struct vc *t, struct vc_host *h)
{
	memset(h, 0, sizeof(*h));
	h->ctx_id = vc_new_id(t);
	h->next_blob_id = 0x1000;
	uint32_t got = vc_ctx_create(t, h->ctx_id, VGB_CAPSET_REFCTX);
	if (!vc_expect(t, got, VIRTIO_GPU_RESP_OK_NODATA, R_CTX_CREATE,
		       "CTX_CREATE with context_init = reference context"))
		return false;
	uint64_t size = vc_map_granularity(t);
	h->result_gpa = vc_alloc(t, size);
	if (!h->result_gpa)
		return false;
	h->result_res = vc_new_id(t);
	struct vgb_sg e = { h->result_gpa, (uint32_t)size };
	got = vc_create_blob(t, h->result_res, 0, VIRTIO_GPU_BLOB_MEM_GUEST, 0, 0, size, &e, 1);
	if (!vc_expect(t, got, VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS,
		       "CREATE_BLOB(GUEST) for checksum results"))
		return false;
	got = vc_ctx_attach(t, h->ctx_id, h->result_res);
	return vc_expect(t, got, VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "CTX_ATTACH_RESOURCE");
}

uint32_t vc_host_blob(struct vc *t, struct vc_host *h, uint64_t size, uint32_t blob_flags,
		      uint32_t *res)
{
	struct vgb_refctx_alloc a;
	uint64_t blob_id = h->next_blob_id++;
	rc_hdr(&a.hdr, VGB_REFCTX_ALLOC, sizeof(a));
	a.blob_id = vgb_to_le64(blob_id);
	a.size = vgb_to_le64(size);
	if (!submit(t, h, &a, sizeof(a), R_CMD_SUCCESS, "reference context ALLOC"))
		return 0;
	*res = vc_new_id(t);
	uint32_t got = vc_create_blob(t, *res, h->ctx_id, VIRTIO_GPU_BLOB_MEM_HOST3D, blob_flags,
				      blob_id, size, NULL, 0);
	if (got != VIRTIO_GPU_RESP_OK_NODATA)
		return got;
	/* Stream commands name resources attached to the context. */
	uint32_t att = vc_ctx_attach(t, h->ctx_id, *res);
	return att == VIRTIO_GPU_RESP_OK_NODATA ? got : att;
}

bool vc_host_fill(struct vc *t, struct vc_host *h, uint32_t res, uint32_t value, uint64_t off,
		  uint64_t size, const char *req_id)
{
	struct vgb_refctx_fill f;
	rc_hdr(&f.hdr, VGB_REFCTX_FILL, sizeof(f));
	f.resource_id = vgb_to_le32(res);
	f.value = vgb_to_le32(value);
	f.offset = vgb_to_le64(off);
	f.size = vgb_to_le64(size);
	return submit(t, h, &f, sizeof(f), req_id, "host FILL");
}

bool vc_host_pattern(struct vc *t, struct vc_host *h, uint32_t res, uint32_t seed, uint64_t off,
		     uint64_t size, const char *req_id)
{
	struct vgb_refctx_pattern p;
	rc_hdr(&p.hdr, VGB_REFCTX_PATTERN, sizeof(p));
	p.resource_id = vgb_to_le32(res);
	p.seed = vgb_to_le32(seed);
	p.offset = vgb_to_le64(off);
	p.size = vgb_to_le64(size);
	return submit(t, h, &p, sizeof(p), req_id, "host PATTERN");
}

static bool checksum(struct vc *t, struct vc_host *h, uint32_t res, uint64_t off, uint64_t size,
		     bool fenced, uint64_t fence_id, uint64_t *sum, const char *req_id)
{
	struct vgb_refctx_checksum c;
	rc_hdr(&c.hdr, VGB_REFCTX_CHECKSUM, sizeof(c));
	c.resource_id = vgb_to_le32(res);
	c.dst_resource_id = vgb_to_le32(h->result_res);
	c.offset = vgb_to_le64(off);
	c.size = vgb_to_le64(size);
	c.dst_offset = 0;
	uint64_t *out = vc_ptr(t, h->result_gpa, 8);
	memset(out, 0, 8);
	if (!fenced) {
		if (!submit(t, h, &c, sizeof(c), req_id, "host CHECKSUM"))
			return false;
	} else {
		uint8_t buf[sizeof(struct virtio_gpu_cmd_submit) + sizeof(c)];
		struct virtio_gpu_cmd_submit s;
		memset(&s, 0, sizeof(s));
		vc_hdr(&s.hdr, VIRTIO_GPU_CMD_SUBMIT_3D);
		s.hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
		s.hdr.fence_id = vgb_to_le64(fence_id);
		s.hdr.ctx_id = vgb_to_le32(h->ctx_id);
		s.size = vgb_to_le32(sizeof(c));
		memcpy(buf, &s, sizeof(s));
		memcpy(buf + sizeof(s), &c, sizeof(c));
		struct vc_resp r;
		uint32_t got = vc_cmd(t, buf, sizeof(buf), &r);
		if (!vc_expect(t, got, VIRTIO_GPU_RESP_OK_NODATA, req_id, "fenced host CHECKSUM"))
			return false;
		uint32_t flags = vgb_le32(r.u.hdr.flags);
		if (!vc_check(t, (flags & VIRTIO_GPU_FLAG_FENCE) &&
				      vgb_le64(r.u.hdr.fence_id) == fence_id &&
				      vgb_le32(r.u.hdr.ctx_id) == h->ctx_id,
			      vgb_le32(r.u.hdr.ctx_id) == h->ctx_id ? R_FENCE_ECHO : R_FENCE_CTX,
			      "fenced response echoes flags 0x%x fence_id %llu ctx %u (sent fence %llu ctx %u)",
			      flags, (unsigned long long)vgb_le64(r.u.hdr.fence_id),
			      vgb_le32(r.u.hdr.ctx_id), (unsigned long long)fence_id, h->ctx_id))
			return false;
	}
	uint64_t le;
	memcpy(&le, out, 8);
	*sum = vgb_le64(le);
	return true;
}

bool vc_host_checksum(struct vc *t, struct vc_host *h, uint32_t res, uint64_t off, uint64_t size,
		      uint64_t *sum, const char *req_id)
{
	return checksum(t, h, res, off, size, false, 0, sum, req_id);
}

bool vc_host_checksum_fenced(struct vc *t, struct vc_host *h, uint32_t res, uint64_t off,
			     uint64_t size, uint64_t fence_id, uint64_t *sum, const char *req_id)
{
	return checksum(t, h, res, off, size, true, fence_id, sum, req_id);
}

void vc_pattern_fill(void *dst, uint32_t seed, uint64_t size)
{
	uint8_t *p = dst;
	for (uint64_t i = 0; i * 4 < size; i++) {
		uint32_t w = vgb_to_le32(vgb_refctx_pattern_word(seed, i));
		uint64_t n = size - i * 4 < 4 ? size - i * 4 : 4;
		memcpy(p + i * 4, &w, n);
	}
}

uint64_t vc_checksum(const void *p, uint64_t len)
{
	return vgb_fnv1a64(p, len, VGB_FNV1A64_INIT);
}

static void on_fault(int sig)
{
	(void)sig;
	_exit(42);
}

bool vc_touch_faults(const volatile uint8_t *addr)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fault;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		volatile uint8_t v = *addr;
		(void)v;
		_exit(0);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 42;
	return WIFSIGNALED(status) &&
	       (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
}
