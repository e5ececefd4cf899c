/* SPDX-License-Identifier: MIT */
/*
 * Commands whose sizes overflow 32 (or 64) bits get an error response and the
 * device keeps serving: the 65537x16384 resource followed by a transfer (the
 * case that crashes QEMU's own backend), rectangles and offsets that wrap,
 * entries that wrap guest memory, blob sizes and scanout strides that wrap.
 */
#include <string.h>

#include "harness.h"
#include "path.h"

static struct vgb_drv *drv;

static void still_serves(const char *after)
{
	CHECK(!vgb_fe_disconnected(vgb_drv_fe(drv)));
	struct vgb_frame f;
	struct vgb_surface s;
	CHECK_EQ(vgb_frame_init(&f, 13, 7), 0);
	vgb_frame_fill(&f, 5);
	CHECK_EQ(vgb_surface_create(drv, VGB_PATH_COPY, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 13, 7, &s), 0);
	const struct vgb_fe_scanout *so = vgb_fe_scanout(vgb_drv_fe(drv), 0);
	uint64_t before = so ? so->updates : 0;
	CHECK_EQ(vgb_surface_upload(drv, &s, &f), 0);
	CHECK_EQ(vgb_surface_show(drv, &s, 0), 0);
	char why[256];
	if (vgb_wait_frame(drv, 0, &f, before, 5000, why, sizeof(why))) {
		fprintf(stderr, "after %s: %s\n", after, why);
		exit(1);
	}
	CHECK_EQ(vgb_surface_destroy(drv, &s), 0);
	vgb_frame_fini(&f);
	printf("after %s: device still serves\n", after);
}

static bool refused(int ret)
{
	return ret >= VIRTIO_GPU_RESP_ERR_UNSPEC && ret <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
}

static void huge_resource(uint32_t w, uint32_t h)
{
	uint32_t id = vgb_drv_new_resource_id(drv);
	int ret = vgb_drv_create_2d(drv, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, w, h);
	printf("CREATE_2D %ux%u: %s (0x%x)\n", w, h, ret == 0 ? "OK" : "refused", ret);
	CHECK(ret == 0 || refused(ret));
	struct vgb_drv_backing b;
	CHECK_EQ(vgb_drv_backing_alloc(drv, 4 * 4096, VGB_BACKING_PAGES, &b), 0);
	bool created = ret == 0;
	if (created)
		CHECK_EQ(vgb_drv_attach_backing(drv, id, &b), 0);
	ret = vgb_drv_transfer_to_host_2d(drv, id, (struct virtio_gpu_rect){ 0, 0, w, h }, 0);
	printf("TRANSFER_TO_HOST_2D of all of it: 0x%x\n", ret);
	CHECK(refused(ret));
	ret = vgb_drv_transfer_to_host_2d(drv, id, (struct virtio_gpu_rect){ w - 1, h - 1, 1, 1 }, 0);
	CHECK(refused(ret));
	ret = vgb_drv_transfer_to_host_2d(drv, id, (struct virtio_gpu_rect){ 0, 0, 1, 1 }, UINT64_MAX - 2);
	CHECK(refused(ret));
	CHECK(refused(vgb_drv_flush(drv, id, (struct virtio_gpu_rect){ 0xffffffffu, 0, 2, 1 })));
	CHECK(refused(vgb_drv_set_scanout(drv, 0, id, (struct virtio_gpu_rect){ 0, 0xffffffffu, 1, 2 })));
	if (created)
		CHECK_EQ(vgb_drv_unref(drv, id), 0);
	vgb_drv_backing_free(drv, &b);
	char what[64];
	snprintf(what, sizeof(what), "a %ux%u resource and transfers", w, h);
	still_serves(what);
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	drv = h_open_spawn(host, NULL, NULL);
	huge_resource(65537, 16384);
	huge_resource(65536, 65536);
	huge_resource(0x40000001u, 1);

	/* Rectangles that wrap on a small resource. */
	uint32_t id = vgb_drv_new_resource_id(drv);
	CHECK_EQ(vgb_drv_create_2d(drv, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64), 0);
	struct vgb_drv_backing b;
	CHECK_EQ(vgb_drv_backing_alloc(drv, 64 * 64 * 4, VGB_BACKING_ODD, &b), 0);
	CHECK_EQ(vgb_drv_attach_backing(drv, id, &b), 0);
	CHECK_EQ(vgb_drv_transfer_to_host_2d(drv, id, (struct virtio_gpu_rect){ 0xffffffc1u, 0, 64, 1 }, 0),
		 VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK_EQ(vgb_drv_transfer_to_host_2d(drv, id, (struct virtio_gpu_rect){ 0, 0x80000000u, 1, 0x80000000u }, 0),
		 VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK_EQ(vgb_drv_transfer_to_host_2d(drv, id, (struct virtio_gpu_rect){ 0, 0, 64, 64 }, 1ull << 63),
		 VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	CHECK_EQ(vgb_drv_unref(drv, id), 0);
	vgb_drv_backing_free(drv, &b);

	/* An entry whose address + length wraps past 2^64. */
	id = vgb_drv_new_resource_id(drv);
	CHECK_EQ(vgb_drv_create_2d(drv, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4), 0);
	struct virtio_gpu_mem_entry e = { vgb_to_le64(UINT64_MAX - 15), vgb_to_le32(64), 0 };
	struct vgb_drv_backing wrap = { .size = 64, .nentries = 1, .entries = &e };
	CHECK_EQ(vgb_drv_attach_backing(drv, id, &wrap), VIRTIO_GPU_RESP_ERR_UNSPEC);
	CHECK_EQ(vgb_drv_unref(drv, id), 0);
	still_serves("rectangles, offsets and entries that wrap");

	if (vgb_drv_has(drv, VIRTIO_GPU_F_RESOURCE_BLOB)) {
		/* A GUEST blob whose size wraps, and a scanout whose stride * height wraps. */
		struct vgb_drv_backing gb;
		CHECK_EQ(vgb_drv_backing_alloc(drv, 4 * 4096, VGB_BACKING_PAGES, &gb), 0);
		struct {
			struct virtio_gpu_resource_create_blob c;
			struct virtio_gpu_mem_entry e[4];
		} req;
		memset(&req, 0, sizeof(req));
		req.c.hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB);
		req.c.resource_id = vgb_to_le32(vgb_drv_new_resource_id(drv));
		req.c.blob_mem = vgb_to_le32(VIRTIO_GPU_BLOB_MEM_GUEST);
		req.c.nr_entries = vgb_to_le32(4);
		req.c.size = vgb_to_le64(UINT64_MAX - 4095);
		memcpy(req.e, gb.entries, sizeof(req.e));
		struct virtio_gpu_ctrl_hdr r;
		uint32_t used = 0;
		CHECK_EQ(vgb_drv_raw(drv, VGB_CONTROLQ, &req, sizeof(req), &r, sizeof(r), &used), 0);
		CHECK_EQ(vgb_le32(r.type), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);

		uint32_t blob = vgb_drv_new_resource_id(drv);
		struct vgb_drv_blob_desc d = { .blob_mem = VIRTIO_GPU_BLOB_MEM_GUEST, .size = 4 * 4096,
					       .backing = &gb };
		CHECK_EQ(vgb_drv_create_blob(drv, blob, &d), 0);
		struct vgb_drv_scanout_blob sb = {
			.format = VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, .width = 16, .height = 0x10000,
			.stride = 0x10000, .offset = 0, .r = { 0, 0, 16, 0x10000 },
		};
		CHECK_EQ(vgb_drv_set_scanout_blob(drv, 0, blob, &sb), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
		sb = (struct vgb_drv_scanout_blob){ VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16, 64, 0xfffffff0u,
						    { 0, 0, 16, 16 } };
		CHECK_EQ(vgb_drv_set_scanout_blob(drv, 0, blob, &sb), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
		CHECK_EQ(vgb_drv_unref(drv, blob), 0);
		vgb_drv_backing_free(drv, &gb);
		still_serves("blob sizes and strides that wrap");
	}
	vgb_drv_close(drv);
	return 0;
}
