/* SPDX-License-Identifier: MIT */
/*
 * The device core with an external renderer behind it (vgb/renderer.h): what
 * reaches the renderer has passed the device's checks, its capsets follow the
 * reference context's, its blobs are placed from the fd (and offset) it
 * exports, memory it cannot hand over makes MAP_BLOB answer ERR_UNSPEC, and
 * its failures become the spec's error codes.  The renderer here keeps its
 * blobs in memfds laid out like lavapipe's opaque fds (a header page first);
 * virglrenderer itself is exercised by conformance/pytest/test_renderer.py.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vgb/renderer.h"

#define CAPSET_VENUS 4u
#define CTX 5
#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define HOST3D VIRTIO_GPU_BLOB_MEM_HOST3D

/* blob_ids the renderer understands */
enum { BLOB_OFFSET = 1, BLOB_NO_FD = 2, BLOB_SHORT_FD = 3, BLOB_REFUSED = 99 };

static struct {
	unsigned ctx_created, ctx_destroyed, submits, fences, unrefs, attaches, detaches;
	uint32_t submit_len;
	bool submit_aligned;
	bool fence_ring;
	uint8_t fence_ring_idx;
	uint64_t fence_id;
} rr;

static bool capset_info(void *o, uint32_t index, uint32_t *id, uint32_t *ver, uint32_t *size)
{
	if (index > 0)
		return false;
	*id = CAPSET_VENUS;
	*ver = 0;
	*size = 16;
	return true;
}

static uint32_t capset(void *o, uint32_t id, uint32_t version, void *buf, uint32_t size)
{
	memset(buf, 0xab, size);
	return VGB_DECODE_OK;
}

static uint32_t ctx_create(void *o, uint32_t ctx_id, uint32_t capset_id, const char *name)
{
	if (!strcmp(name, "refuse"))
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	rr.ctx_created++;
	return VGB_DECODE_OK;
}

static void ctx_destroy(void *o, uint32_t ctx_id) { rr.ctx_destroyed++; }
static void ctx_attach(void *o, uint32_t ctx_id, uint32_t res_id) { rr.attaches++; }
static void ctx_detach(void *o, uint32_t ctx_id, uint32_t res_id) { rr.detaches++; }

static uint32_t submit(void *o, uint32_t ctx_id, const void *cmds, uint32_t len)
{
	rr.submits++;
	rr.submit_len = len;
	rr.submit_aligned = (uintptr_t)cmds % 8 == 0;
	uint32_t first;
	memcpy(&first, cmds, 4);
	return first == 0xdeadu ? VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER : VGB_DECODE_OK;
}

static uint32_t fence(void *o, uint32_t ctx_id, bool ring, uint8_t ring_idx, uint64_t fence_id)
{
	rr.fences++;
	rr.fence_ring = ring;
	rr.fence_ring_idx = ring_idx;
	rr.fence_id = fence_id;
	return VGB_DECODE_OK;
}

/* A memfd with a header page, the blob's bytes after it (0x5a). */
static int header_then_blob(uint64_t size, uint64_t *fd_size)
{
	int fd = memfd_create("test-renderer-blob", MFD_CLOEXEC);
	*fd_size = 4096 + size;
	if (fd < 0 || ftruncate(fd, (off_t)*fd_size) < 0)
		abort();
	uint8_t *p = mmap(NULL, *fd_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		abort();
	memset(p, 0xee, 4096);
	memset(p + 4096, 0x5a, size);
	munmap(p, *fd_size);
	return fd;
}

static uint32_t create_blob(void *o, uint32_t ctx_id, uint32_t res_id, uint32_t flags, uint64_t blob_id,
			    uint64_t size, struct vgb_renderer_blob *out)
{
	*out = (struct vgb_renderer_blob){.fd = -1, .map_info = VIRTIO_GPU_MAP_CACHE_WC};
	switch (blob_id) {
	case BLOB_OFFSET:
		out->fd = header_then_blob(size, &out->fd_size);
		out->fd_offset = 4096;
		return VGB_DECODE_OK;
	case BLOB_NO_FD:
		strcpy(out->why, "export refused: the memory is no fd");
		return VGB_DECODE_OK;
	case BLOB_SHORT_FD:
		out->fd = header_then_blob(size / 2, &out->fd_size);
		out->fd_offset = 4096;
		return VGB_DECODE_OK;
	default:
		strcpy(out->why, "no such object");
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	}
}

static void unref(void *o, uint32_t res_id) { rr.unrefs++; }

static const struct vgb_renderer_ops renderer = {
	.capset_info = capset_info, .capset = capset, .ctx_create = ctx_create, .ctx_destroy = ctx_destroy,
	.ctx_attach = ctx_attach, .ctx_detach = ctx_detach, .submit = submit, .fence = fence,
	.create_blob = create_blob, .unref = unref,
};

static void init(struct t *t)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.region_size = T_REGION_SIZE;
	memset(&rr, 0, sizeof(rr));
	t_init_with(t, &cfg, &renderer);
}

static uint32_t capset_info_of(struct t *t, uint32_t index, uint32_t *id)
{
	struct virtio_gpu_get_capset_info c = {0};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0);
	c.capset_index = vgb_to_le32(index);
	uint32_t r = t_ctrl(t, &c, sizeof(c));
	struct virtio_gpu_resp_capset_info info;
	memcpy(&info, t->resp, sizeof(info));
	*id = vgb_le32(info.capset_id);
	return r;
}

static uint32_t get_capset(struct t *t, uint32_t id, uint32_t version)
{
	struct virtio_gpu_get_capset c = {0};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_GET_CAPSET, 0);
	c.capset_id = vgb_to_le32(id);
	c.capset_version = vgb_to_le32(version);
	return t_ctrl(t, &c, sizeof(c));
}

static uint32_t ctx_create_named(struct t *t, uint32_t ctx, uint32_t capset_id, const char *name)
{
	struct virtio_gpu_ctx_create c = {0};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_CTX_CREATE, ctx);
	c.nlen = vgb_to_le32((uint32_t)strlen(name));
	c.context_init = vgb_to_le32(capset_id);
	memcpy(c.debug_name, name, strlen(name));
	return t_ctrl(t, &c, sizeof(c));
}

/* A fenced SUBMIT_3D of len bytes of value v (INFO_RING_IDX with ring >= 0). */
static uint32_t submit_fenced(struct t *t, uint32_t ctx, uint32_t v, uint32_t len, int ring, uint64_t fence_id)
{
	uint8_t req[sizeof(struct virtio_gpu_cmd_submit) + 64] = {0};
	struct virtio_gpu_cmd_submit c = {0};
	t_hdr(&c.hdr, VIRTIO_GPU_CMD_SUBMIT_3D, ctx);
	c.hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE | (ring >= 0 ? VIRTIO_GPU_FLAG_INFO_RING_IDX : 0));
	c.hdr.fence_id = vgb_to_le64(fence_id);
	c.hdr.ring_idx = ring >= 0 ? (uint8_t)ring : 0;
	c.size = vgb_to_le32(len);
	memcpy(req, &c, sizeof(c));
	memcpy(req + sizeof(c), &v, 4);
	return t_ctrl(t, req, sizeof(c) + len);
}

static void test_capsets_and_contexts(void)
{
	struct t t;
	init(&t);
	uint32_t id = 0;
	CHECK_RESP(capset_info_of(&t, 0, &id), VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	CHECK_EQ(id, VGB_CAPSET_REFCTX); /* the reference context stays index 0 */
	CHECK_RESP(capset_info_of(&t, 1, &id), VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	CHECK_EQ(id, CAPSET_VENUS);
	CHECK_RESP(capset_info_of(&t, 2, &id), E_PARAM);
	CHECK_RESP(get_capset(&t, CAPSET_VENUS, 0), VIRTIO_GPU_RESP_OK_CAPSET);
	CHECK_EQ(t.resp[sizeof(struct virtio_gpu_resp_capset)], 0xab);
	CHECK_EQ(t.resp_len, sizeof(struct virtio_gpu_resp_capset) + 16);
	CHECK_RESP(get_capset(&t, CAPSET_VENUS, 1), E_PARAM); /* above max_version */
	CHECK_RESP(get_capset(&t, 5, 0), E_PARAM);

	CHECK_RESP(t_ctx_create(&t, CTX, CAPSET_VENUS), OK);
	CHECK_EQ(rr.ctx_created, 1);
	CHECK_RESP(t_ctx_create(&t, CTX + 1, 5), E_PARAM); /* a capset nobody offers */
	CHECK_RESP(ctx_create_named(&t, CTX + 2, CAPSET_VENUS, "refuse"), E_OOM);
	CHECK_RESP(t_ctx_create(&t, CTX + 2, CAPSET_VENUS), OK); /* the refused id is free */
	/* Without context_init: the reference context, whose streams the device runs itself. */
	CHECK_RESP(t_ctx_create(&t, CTX + 3, 0), OK);
	CHECK_RESP(t_host_blob(&t, CTX + 3, 40, 7, 4096, 0), OK);
	CHECK_EQ(rr.submits, 0);
	CHECK_RESP(t_ctx_destroy(&t, CTX), OK);
	CHECK_EQ(rr.ctx_destroyed, 1);
	vgb_device_reset(t.dev);
	CHECK_EQ(rr.ctx_destroyed, 2);
	CHECK_EQ(vgb_device_host_memory(t.dev), 0);
	t_fini(&t);
}

static void test_submit_and_fences(void)
{
	struct t t;
	init(&t);
	CHECK_RESP(t_ctx_create(&t, CTX, CAPSET_VENUS), OK);
	/* Not whole dwords: refused before the renderer sees it. */
	CHECK_RESP(t_submit(&t, CTX, "\1\2\3\4\5\6", 6), E_PARAM);
	CHECK_EQ(rr.submits, 0);
	CHECK_RESP(t_submit(&t, CTX, "\1\2\3\4\5\6\7\10", 8), OK);
	CHECK_EQ(rr.submits, 1);
	CHECK_EQ(rr.submit_len, 8);
	CHECK(rr.submit_aligned);
	CHECK_EQ(rr.fences, 0); /* unfenced: nothing to wait for */
	/* A fenced one waits on its ring, or on the device timeline. */
	CHECK_RESP(submit_fenced(&t, CTX, 1, 8, 3, 77), OK);
	CHECK_EQ(rr.fences, 1);
	CHECK(rr.fence_ring);
	CHECK_EQ(rr.fence_ring_idx, 3);
	CHECK_EQ(rr.fence_id, 77);
	CHECK_RESP(submit_fenced(&t, CTX, 1, 8, -1, 78), OK);
	CHECK_EQ(rr.fences, 2);
	CHECK(!rr.fence_ring);
	/* The renderer's refusal is the spec's code, and no fence is waited for. */
	CHECK_RESP(submit_fenced(&t, CTX, 0xdead, 8, 3, 79), E_PARAM);
	CHECK_EQ(rr.fences, 2);
	/* A ring belongs to its context: the reference context's rings are not the renderer's. */
	CHECK_RESP(t_ctx_create(&t, CTX + 1, 0), OK);
	CHECK_RESP(submit_fenced(&t, CTX + 1, 0, 0, 2, 80), OK);
	CHECK_EQ(rr.fences, 2);
	t_fini(&t);
}

static void test_blobs(void)
{
	struct t t;
	init(&t);
	CHECK_RESP(t_ctx_create(&t, CTX, CAPSET_VENUS), OK);
	/* Placed from the fd, at the offset the renderer named: the header page stays out. */
	CHECK_RESP(t_create_blob(&t, 1, CTX, HOST3D, MAPPABLE, BLOB_OFFSET, 8192, NULL, 0), OK);
	CHECK_RESP(t_ctx_attach(&t, CTX, 1), OK);
	CHECK_EQ(rr.attaches, 1);
	CHECK_RESP(t_map(&t, 1, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	struct virtio_gpu_resp_map_info info;
	memcpy(&info, t.resp, sizeof(info));
	CHECK_EQ(vgb_le32(info.map_info), VIRTIO_GPU_MAP_CACHE_WC); /* the renderer's, not the config's */
	CHECK_EQ(t.shm[0], 0x5a);
	CHECK_EQ(t.shm[8191], 0x5a);
	CHECK_RESP(t_unmap(&t, 1), OK);

	/* Memory the renderer cannot hand over: MAP refused, the blob stays. */
	CHECK_RESP(t_create_blob(&t, 2, CTX, HOST3D, MAPPABLE, BLOB_NO_FD, 8192, NULL, 0), OK);
	CHECK_RESP(t_map(&t, 2, 65536), E_UNSPEC);
	CHECK_EQ(t.nmaps, 1);
	CHECK_RESP(t_create_blob(&t, 2, CTX, HOST3D, MAPPABLE, BLOB_OFFSET, 8192, NULL, 0), E_RES);
	/* An fd shorter than the blob's pages is not placed either. */
	CHECK_RESP(t_create_blob(&t, 3, CTX, HOST3D, MAPPABLE, BLOB_SHORT_FD, 8192, NULL, 0), OK);
	CHECK_RESP(t_map(&t, 3, 65536), E_UNSPEC);
	/* The renderer's refusal of the object: its code, and the id stays free. */
	CHECK_RESP(t_create_blob(&t, 4, CTX, HOST3D, MAPPABLE, BLOB_REFUSED, 8192, NULL, 0), E_PARAM);
	CHECK_RESP(t_create_blob(&t, 4, CTX, HOST3D, 0, BLOB_OFFSET, 4096, NULL, 0), OK);
	/* Renderer memory has no guest shadow to keep in step. */
	struct vgb_entry e = {.addr = t_alloc(&t, 0, 8192), .length = 8192};
	CHECK_RESP(t_create_blob(&t, 5, CTX, VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST, MAPPABLE, BLOB_OFFSET, 8192, &e, 1),
		   E_PARAM);
	unsigned before = rr.unrefs;
	CHECK_RESP(t_unref(&t, 2), OK);
	CHECK_EQ(rr.unrefs, before + 1);
	/* A mapped blob at reset: unmapped, then the renderer lets go of it. */
	CHECK_RESP(t_map(&t, 1, 0), VIRTIO_GPU_RESP_OK_MAP_INFO);
	vgb_device_reset(t.dev);
	CHECK_EQ(rr.unrefs, before + 4);
	CHECK_EQ(t.nunmaps, 2);
	CHECK_EQ(vgb_device_host_memory(t.dev), 0);
	t_fini(&t);
}

/* Validating mode: the driver may name a resource whose creation was refused until it unrefs it. */
static void test_refused_create_validated(void)
{
	struct t t;
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.region_size = T_REGION_SIZE;
	cfg.validate = true;
	memset(&rr, 0, sizeof(rr));
	t_init_with(&t, &cfg, &renderer);
	CHECK_RESP(t_ctx_create(&t, CTX, CAPSET_VENUS), OK);
	CHECK_RESP(t_create_blob(&t, 7, CTX, HOST3D, MAPPABLE, BLOB_REFUSED, 8192, NULL, 0), E_PARAM);
	CHECK_RESP(t_unref(&t, 7), E_RES); /* still an unknown resource to the device */
	CHECK_EQ(t_violated(&t, "REQ-DRV-RES-0002"), 0);
	CHECK_RESP(t_unref(&t, 7), E_RES); /* after its UNREF it is the driver's mistake */
	CHECK_EQ(t_violated(&t, "REQ-DRV-RES-0002"), 1);
	t_fini(&t);
}

int main(void)
{
	test_refused_create_validated();
	test_capsets_and_contexts();
	test_submit_and_fences();
	test_blobs();
	return t_done("device-renderer");
}
