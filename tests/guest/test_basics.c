/* SPDX-License-Identifier: MIT */
/*
 * Negotiation, config, display info, EDID, capsets, contexts and fences as
 * the driver sees them from the reference device, plus the driver's checks
 * of responses (fence echo, lengths) against what a real device sends.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "refctx_stream.h"

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	struct vgb_drv *drv = h_open_spawn(host, NULL, NULL);
	const struct vgb_drv_caps *c = vgb_drv_caps(drv);
	printf("features 0x%llx scanouts %u capsets %u blob_alignment %u region %llu bytes\n",
	       (unsigned long long)c->features, c->num_scanouts, c->num_capsets, c->blob_alignment,
	       (unsigned long long)c->region_size);
	CHECK(c->num_scanouts >= 1 && c->num_scanouts <= 16);
	CHECK((c->features & ~VGB_DRV_FEATURES) == 0);
	CHECK(c->map_granularity >= 4096 && (c->map_granularity & (c->map_granularity - 1)) == 0);

	struct vgb_drv_display d[16];
	memset(d, 0, sizeof(d));
	CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);
	CHECK(d[0].enabled && d[0].width > 0 && d[0].height > 0);

	if (vgb_drv_has(drv, VIRTIO_GPU_F_EDID)) {
		uint8_t edid[1024];
		uint32_t n = 0;
		CHECK_EQ(vgb_drv_edid(drv, 0, edid, sizeof(edid), &n), 0);
		static const uint8_t magic[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
		CHECK(n >= 128 && memcmp(edid, magic, 8) == 0);
		CHECK_EQ(vgb_drv_edid(drv, c->num_scanouts, edid, sizeof(edid), &n),
			 VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	}

	/* Fences: every command fenced, each echo checked by the driver. */
	uint64_t f0 = vgb_drv_fence_completed(drv);
	vgb_drv_fence_next(drv, false, 0);
	CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);
	CHECK_EQ(vgb_drv_fence_completed(drv), f0 + 1);
	/* A fenced command that fails still completes its fence. */
	vgb_drv_fence_next(drv, false, 0);
	CHECK_EQ(vgb_drv_unref(drv, 0xfffffff0u), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	CHECK_EQ(vgb_drv_fence_completed(drv), f0 + 2);

	/* Raw access: an unknown command type is ERR_UNSPEC. */
	struct virtio_gpu_ctrl_hdr h, r;
	memset(&h, 0, sizeof(h));
	h.type = vgb_to_le32(0x0999);
	uint32_t used = 0;
	CHECK_EQ(vgb_drv_raw(drv, VGB_CONTROLQ, &h, sizeof(h), &r, sizeof(r), &used), 0);
	CHECK_EQ(used, sizeof(r));
	CHECK_EQ(vgb_le32(r.type), VIRTIO_GPU_RESP_ERR_UNSPEC);
	/* INFO_RING_IDX beyond 63: ERR_INVALID_PARAMETER. */
	h.type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	h.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
	h.fence_id = vgb_to_le64(1000);
	h.ring_idx = 64;
	struct virtio_gpu_resp_display_info di;
	memset(&di, 0, sizeof(di));
	CHECK_EQ(vgb_drv_raw(drv, VGB_CONTROLQ, &h, sizeof(h), &di, sizeof(di), &used), 0);
	CHECK_EQ(used, sizeof(r));
	CHECK_EQ(vgb_le32(di.hdr.type), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);

	/* Backing lifecycle of a 2D resource: attach, scanned out, detach, transfer without backing. */
	uint32_t rid = vgb_drv_new_resource_id(drv);
	struct vgb_drv_backing b;
	CHECK_EQ(vgb_drv_create_2d(drv, rid, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 37, 41), 0);
	CHECK_EQ(vgb_drv_backing_alloc(drv, 37 * 41 * 4, VGB_BACKING_ODD, &b), 0);
	CHECK(b.nentries > 2);
	CHECK_EQ(vgb_drv_detach_backing(drv, rid), VIRTIO_GPU_RESP_ERR_UNSPEC); /* none yet */
	CHECK_EQ(vgb_drv_attach_backing(drv, rid, &b), 0);
	CHECK_EQ(vgb_drv_attach_backing(drv, rid, &b), VIRTIO_GPU_RESP_ERR_UNSPEC); /* twice */
	struct virtio_gpu_rect all = { 0, 0, 37, 41 };
	CHECK_EQ(vgb_drv_transfer_to_host_2d(drv, rid, all, 0), 0);
	CHECK_EQ(vgb_drv_set_scanout(drv, 0, rid, all), 0);
	CHECK_EQ(vgb_drv_detach_backing(drv, rid), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER); /* scanned out */
	CHECK_EQ(vgb_drv_set_scanout(drv, 0, 0, (struct virtio_gpu_rect){ 0, 0, 0, 0 }), 0);
	CHECK_EQ(vgb_drv_detach_backing(drv, rid), 0);
	CHECK_EQ(vgb_drv_transfer_to_host_2d(drv, rid, all, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
	CHECK_EQ(vgb_drv_set_scanout(drv, c->num_scanouts, rid, all), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	CHECK_EQ(vgb_drv_create_2d(drv, rid, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 1, 1),
		 VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID); /* id in use */
	CHECK_EQ(vgb_drv_unref(drv, rid), 0);
	CHECK_EQ(vgb_drv_unref(drv, rid), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	vgb_drv_backing_free(drv, &b);

	if (vgb_drv_has(drv, VIRTIO_GPU_F_VIRGL) && vgb_drv_has(drv, VIRTIO_GPU_F_CONTEXT_INIT)) {
		struct vgb_drv_capset_info ci;
		CHECK(vgb_drv_find_capset(drv, VGB_CAPSET_REFCTX, &ci) >= 0);
		CHECK_EQ(ci.max_size, sizeof(struct vgb_refctx_caps));
		CHECK(vgb_drv_capset_info(drv, c->num_capsets, &ci) == VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
		uint32_t ctx = 0;
		struct vgb_refctx_caps rc;
		CHECK_EQ(vgb_drv_refctx(drv, &ctx, &rc), 0);
		printf("reference context %u: ops 0x%x max object %llu map_cache %u alignment %u\n", ctx,
		       rc.ops, (unsigned long long)rc.max_object_size, rc.map_cache, rc.alignment);
		/* context_init naming a capset the device lacks. */
		CHECK_EQ(vgb_drv_ctx_create(drv, 77, 62, "x"), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
		CHECK_EQ(vgb_drv_ctx_create(drv, 0, VGB_CAPSET_REFCTX, "x"), VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID);
		CHECK_EQ(vgb_drv_ctx_create(drv, ctx, VGB_CAPSET_REFCTX, "x"), VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID);
		/* A fenced submit on a ring: ring_idx echoed. */
		struct vgb_rcs s;
		vgb_rcs_init(&s);
		vgb_rcs_alloc(&s, vgb_drv_new_blob_id(drv), 4096);
		uint32_t n = 0;
		const void *data = vgb_rcs_data(&s, &n);
		vgb_drv_fence_next(drv, true, 5);
		CHECK_EQ(vgb_drv_submit_3d(drv, ctx, data, n), 0);
		CHECK_EQ(vgb_drv_fence_completed(drv), f0 + 3);
		vgb_rcs_fini(&s);
		CHECK_EQ(vgb_drv_submit_3d(drv, 999, "\0\0\0\0\0\0\0\0", 8), VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID);
	}
	vgb_drv_close(drv);

	/* A driver that does not accept blobs never sees them negotiated. */
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	o.features = (1ull << VIRTIO_GPU_F_EDID);
	drv = h_open_spawn(host, NULL, &o);
	CHECK(!vgb_drv_has(drv, VIRTIO_GPU_F_RESOURCE_BLOB));
	CHECK(!vgb_drv_has(drv, VIRTIO_GPU_F_VIRGL));
	CHECK(vgb_drv_caps(drv)->region == NULL);
	CHECK_EQ(vgb_drv_map_at(drv, 1, 0, NULL), -ENOTSUP);
	vgb_drv_close(drv);

	/* fence_all: every command carries a fence, each completion checked and counted. */
	vgb_drv_options_defaults(&o);
	o.fence_all = true;
	drv = h_open_spawn(host, NULL, &o);
	for (unsigned i = 1; i <= 5; i++) {
		CHECK_EQ(vgb_drv_display_info(drv, d, 16), 0);
		CHECK_EQ(vgb_drv_fence_completed(drv), i);
	}
	CHECK_EQ(vgb_drv_unref(drv, 12345), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	CHECK_EQ(vgb_drv_fence_completed(drv), 6);
	vgb_drv_close(drv);
	return 0;
}
