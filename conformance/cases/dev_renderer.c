/* SPDX-License-Identifier: MIT */
/*
 * Contexts of a renderer behind the device (vgb-host --renderer, QEMU's
 * virtio-gpu-gl): the capsets it adds, a Venus host blob placed in the
 * region, and a host blob whose memory the renderer cannot hand over.  Each
 * case is NOT_SUPPORTED when the device offers no such capset.  The command
 * streams use facts of the virgl protocol (virglrenderer's virgl_protocol.h)
 * and nothing of Vulkan: Venus makes a shared-memory blob from blob_id 0.
 */
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "vgb/refctx.h"

#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA
#define OK_MAP_INFO VIRTIO_GPU_RESP_OK_MAP_INFO

#define CAPSET_VIRGL 1u
#define CAPSET_VIRGL2 2u
#define CAPSET_VENUS 4u
#define CAPSET_REFCTX 30u

/* virgl protocol: VIRGL_CCMD_PIPE_RESOURCE_CREATE (48) with 11 dwords of payload. */
#define VIRGL_CCMD_PIPE_RESOURCE_CREATE 48u
#define VIRGL_PIPE_RES_CREATE_SIZE 11u
#define PIPE_BUFFER 0u
#define VIRGL_FORMAT_R8_UNORM 64u
#define VIRGL_BIND_STAGING (1u << 19)
#define VIRGL_RESOURCE_FLAG_MAP_PERSISTENT (1u << 1)
#define VIRGL_RESOURCE_FLAG_MAP_COHERENT (1u << 2)

static bool has_capset(const struct vc *t, uint32_t id)
{
	for (unsigned i = 0; i < t->probe->ncapsets; i++)
		if (t->probe->capset_ids[i] == id)
			return true;
	return false;
}

/* The renderer's capsets come after the reference context's, which stays the default type. */
static enum vc_verdict capsets(struct vc *t)
{
	const struct vc_probe *p = t->probe;
	unsigned others = 0;
	for (unsigned i = 0; i < p->ncapsets; i++)
		others += p->capset_ids[i] != CAPSET_REFCTX;
	if (!others)
		return vc_not_supported(t, "the device offers no capset besides the reference context");
	for (unsigned i = 0; i < p->ncapsets; i++) {
		struct virtio_gpu_get_capset c = {0};
		vc_hdr(&c.hdr, VIRTIO_GPU_CMD_GET_CAPSET);
		c.capset_id = vgb_to_le32(p->capset_ids[i]);
		c.capset_version = vgb_to_le32(p->capset_max_versions[i]);
		struct vc_resp r;
		uint32_t got = vc_cmd(t, &c, sizeof(c), &r);
		char what[96];
		snprintf(what, sizeof(what), "GET_CAPSET of capset %u version %u", p->capset_ids[i],
			 p->capset_max_versions[i]);
		vc_expect(t, got, VIRTIO_GPU_RESP_OK_CAPSET, R_CMD_SUCCESS, what);
	}
	/* A context without context_init is still the reference context: its stream runs. */
	uint32_t ctx = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_ctx_create(t, ctx, 0), OK_NODATA, R_CTX_CREATE, "CTX_CREATE without context_init"));
	struct vgb_refctx_hdr nop_free = {vgb_to_le32(VGB_REFCTX_FREE), vgb_to_le32(16)};
	uint8_t stream[16] = {0};
	memcpy(stream, &nop_free, sizeof(nop_free)); /* FREE of blob_id 0: an invalid reference-context command */
	uint32_t got = vc_submit_3d(t, ctx, stream, sizeof(stream));
	vc_check(t, got == VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, R_CTX_CREATE,
		 "a reference-context FREE of an unknown object in the default context answered %s, "
		 "not ERR_INVALID_PARAMETER: the default context is not the reference context", vc_resp_name(got));
	vc_ctx_destroy(t, ctx);
	vc_note(t, "%u capsets, %u of a renderer", p->ncapsets, others);
	return vc_done(t);
}

/*
 * Venus: CREATE_BLOB HOST3D|MAPPABLE with blob_id 0 is a shared-memory blob
 * (as Mesa makes its ring); mapped, written, unmapped and mapped again at
 * another offset it shows the same bytes.
 */
static enum vc_verdict venus_shm_blob(struct vc *t)
{
	if (!has_capset(t, CAPSET_VENUS))
		return vc_not_supported(t, "no Venus capset (4)");
	uint64_t gran = vc_map_granularity(t), region_size;
	uint8_t *region = vc_region(t, &region_size);
	const uint64_t size = 65536;
	if (!region || region_size < 2 * size + 2 * gran)
		return vc_not_supported(t, "host-visible region too small");
	uint32_t ctx = vc_new_id(t), res = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_ctx_create(t, ctx, CAPSET_VENUS), OK_NODATA, R_CTX_CREATE, "CTX_CREATE of a Venus context"));
	VC_TRY(vc_expect(t, vc_create_blob(t, res, ctx, VIRTIO_GPU_BLOB_MEM_HOST3D,
					   VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0, size, NULL, 0),
			 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB HOST3D|MAPPABLE blob_id 0 in the Venus context"));
	uint32_t info = 0;
	VC_TRY(vc_expect(t, vc_map(t, res, 0, &info), OK_MAP_INFO, R_CMD_SUCCESS, "MAP_BLOB of the Venus blob"));
	vc_check(t, info >= VIRTIO_GPU_MAP_CACHE_CACHED && info <= VIRTIO_GPU_MAP_CACHE_WC, R_CACHE_VALID,
		 "map_info %u is not CACHED, UNCACHED or WC", info);
	for (uint64_t i = 0; i < size; i++)
		region[i] = (uint8_t)(i * 7 + 3);
	VC_TRY(vc_expect(t, vc_unmap(t, res), OK_NODATA, R_CMD_SUCCESS, "UNMAP_BLOB of the Venus blob"));
	uint64_t off = ((size + gran - 1) / gran) * gran;
	VC_TRY(vc_expect(t, vc_map(t, res, off, &info), OK_MAP_INFO, R_MAP_REUSE, "MAP_BLOB again at another offset"));
	uint64_t bad = size;
	for (uint64_t i = 0; i < size && bad == size; i++)
		if (region[off + i] != (uint8_t)(i * 7 + 3))
			bad = i;
	vc_check(t, bad == size, R_UNMAP_KEEPS_CONTENT,
		 "after UNMAP and a new MAP, byte %llu of the Venus blob differs from what was written",
		 (unsigned long long)bad);
	vc_unmap(t, res);
	vc_expect(t, vc_unref(t, res), OK_NODATA, R_CMD_SUCCESS, "UNREF of the Venus blob");
	vc_ctx_destroy(t, ctx);
	vc_note(t, "map_info %u", info);
	return vc_done(t);
}

/*
 * A GL (virgl) context's persistent, coherent buffer as a mappable HOST3D
 * blob.  A renderer that can hand its memory over maps it; one that cannot
 * (virglrenderer's GL buffers without dma-buf export) must refuse the MAP
 * with ERR_UNSPEC and keep the blob.
 */
static enum vc_verdict unplaceable_blob(struct vc *t)
{
	uint32_t capset = has_capset(t, CAPSET_VIRGL2) ? CAPSET_VIRGL2 : has_capset(t, CAPSET_VIRGL) ? CAPSET_VIRGL : 0;
	if (!capset)
		return vc_not_supported(t, "no virgl capset (1 or 2)");
	uint64_t region_size;
	if (!vc_region(t, &region_size))
		return vc_not_supported(t, "no host-visible region");
	const uint32_t size = 65536, blob_id = 7;
	uint32_t ctx = vc_new_id(t), res = vc_new_id(t);
	VC_TRY(vc_expect(t, vc_ctx_create(t, ctx, capset), OK_NODATA, R_CTX_CREATE, "CTX_CREATE of a virgl context"));
	uint32_t cmd[1 + VIRGL_PIPE_RES_CREATE_SIZE] = {
		VIRGL_CCMD_PIPE_RESOURCE_CREATE | VIRGL_PIPE_RES_CREATE_SIZE << 16,
		PIPE_BUFFER, VIRGL_FORMAT_R8_UNORM, VIRGL_BIND_STAGING, size, 1, 1, 1, 0, 0,
		VIRGL_RESOURCE_FLAG_MAP_PERSISTENT | VIRGL_RESOURCE_FLAG_MAP_COHERENT, blob_id,
	};
	for (unsigned i = 0; i < sizeof(cmd) / 4; i++)
		cmd[i] = vgb_to_le32(cmd[i]);
	VC_TRY(vc_expect(t, vc_submit_3d(t, ctx, cmd, sizeof(cmd)), OK_NODATA, R_CMD_SUCCESS,
			 "SUBMIT_3D of PIPE_RESOURCE_CREATE (persistent coherent buffer)"));
	VC_TRY(vc_expect(t, vc_create_blob(t, res, ctx, VIRTIO_GPU_BLOB_MEM_HOST3D,
					   VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, blob_id, size, NULL, 0),
			 OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB HOST3D|MAPPABLE of the buffer"));
	uint32_t info = 0, got = vc_map(t, res, 0, &info);
	if (got == OK_MAP_INFO) {
		vc_note(t, "the renderer handed the buffer over: mapped, map_info %u", info);
		vc_unmap(t, res);
	} else {
		vc_check(t, got == VIRTIO_GPU_RESP_ERR_UNSPEC, R_MAP_UNPLACEABLE,
			 "MAP_BLOB of a blob the renderer cannot hand over answered %s, not ERR_UNSPEC",
			 vc_resp_name(got));
		/* Still there: its id is in use, and it can be attached and released. */
		vc_check(t, vc_create_blob(t, res, ctx, VIRTIO_GPU_BLOB_MEM_HOST3D, 0, blob_id, size, NULL, 0) ==
				    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
			 R_MAP_UNPLACEABLE_KEEPS, "after the refused MAP_BLOB the blob's id is free: the blob is gone");
		vc_expect(t, vc_ctx_attach(t, ctx, res), OK_NODATA, R_MAP_UNPLACEABLE_KEEPS,
			  "CTX_ATTACH_RESOURCE of the blob after the refused MAP_BLOB");
		vc_note(t, "MAP_BLOB refused with ERR_UNSPEC: the renderer cannot hand the buffer over");
	}
	vc_expect(t, vc_unref(t, res), OK_NODATA, R_MAP_UNPLACEABLE_KEEPS, "UNREF of the blob");
	vc_ctx_destroy(t, ctx);
	return vc_done(t);
}

const struct vc_case vc_cases_renderer[] = {
	{ .name = "dev.renderer.capsets", IDS(R_CMD_SUCCESS, R_CTX_CREATE), .needs = VC_NEED_REFCTX,
	  .run = capsets, .summary = "a renderer's capsets answer GET_CAPSET; the default context stays the reference context" },
	{ .name = "dev.renderer.venus_shm_blob", IDS(R_CTX_CREATE, R_CACHE_VALID, R_MAP_REUSE, R_UNMAP_KEEPS_CONTENT),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_VIRGL, .run = venus_shm_blob,
	  .summary = "a Venus shared-memory blob is placed in the region and keeps its bytes across UNMAP/MAP" },
	{ .name = "dev.renderer.unplaceable_blob", IDS(R_MAP_UNPLACEABLE, R_MAP_UNPLACEABLE_KEEPS),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_VIRGL, .run = unplaceable_blob,
	  .summary = "a host blob the renderer cannot hand over: MAP_BLOB answers ERR_UNSPEC, the blob stays" },
	{ 0 },
};
