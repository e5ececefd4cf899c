/* SPDX-License-Identifier: MIT */
/* The shared decoder on its own: framing, feature gating, fields, overflow, names. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define ALL_FEATURES 0x3full

static const uint32_t ctrl_types[] = {
	0x100, 0x101, 0x102, 0x103, 0x104, 0x105, 0x106, 0x107, 0x108, 0x109, 0x10a, 0x10b, 0x10c,
	0x10d, 0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207, 0x208, 0x209,
};

static struct vgb_decode_limits limits(uint64_t features)
{
	return (struct vgb_decode_limits){
		.features = features, .max_entries = 16, .blob_alignment = 4096, .max_blob_size = 1 << 20};
}

static uint32_t decode(const void *req, size_t len, uint64_t features, struct vgb_cmd *cmd)
{
	static struct vgb_entry entries[16];
	struct vgb_decode_limits lim = limits(features);
	return vgb_decode_ctrl(req, len, &lim, cmd, entries);
}

/* A request of `len` bytes (zeroed) whose header says `type`; variable parts sized to match. */
static size_t minimal(uint8_t *buf, uint32_t type)
{
	size_t len = vgb_cmd_size(type);
	memset(buf, 0, 256);
	struct virtio_gpu_ctrl_hdr h;
	t_hdr(&h, type, 1);
	memcpy(buf, &h, sizeof(h));
	return len;
}

static void test_framing(void)
{
	uint8_t buf[256];
	struct vgb_cmd cmd;
	for (unsigned i = 0; i < sizeof(ctrl_types) / 4; i++) {
		uint32_t type = ctrl_types[i];
		size_t len = minimal(buf, type);
		CHECK(len >= 24 && len <= 96);
		CHECK(strcmp(vgb_cmd_name(type), "?") != 0);
		/* One byte short is framing. */
		CHECK_RESP(decode(buf, len - 1, ALL_FEATURES, &cmd), E_UNSPEC);
		CHECK(cmd.why != NULL);
		if (len > 24)
			CHECK_EQ(cmd.type, type);
		/* The whole struct never fails on framing (fields may still be invalid). */
		uint32_t rc = decode(buf, len, ALL_FEATURES, &cmd);
		if (type == VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING || type == VIRTIO_GPU_CMD_SUBMIT_3D ||
		    type == VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB)
			CHECK(rc != E_UNSPEC || cmd.body_decoded); /* no entries: unusable, not framing */
		else
			CHECK(rc != E_UNSPEC);
		/* Without any feature, gated commands are refused before anything else. */
		rc = decode(buf, len - 1, 0, &cmd);
		CHECK_RESP(rc, E_UNSPEC);
		int feature = vgb_cmd_feature(type);
		if (feature >= 0) {
			CHECK_RESP(decode(buf, len, ALL_FEATURES & ~(1ull << feature), &cmd), E_UNSPEC);
			CHECK(strstr(cmd.why, "feature") != NULL);
		}
	}
	/* Feature of every gated command, as the error table states. */
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB), VIRTIO_GPU_F_RESOURCE_BLOB);
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB), VIRTIO_GPU_F_RESOURCE_BLOB);
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_SET_SCANOUT_BLOB), VIRTIO_GPU_F_RESOURCE_BLOB);
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_SUBMIT_3D), VIRTIO_GPU_F_VIRGL);
	/* Capset commands are 2D commands upstream: gated by num_capsets, not by a feature. */
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_GET_CAPSET), -1);
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_GET_CAPSET_INFO), -1);
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D), VIRTIO_GPU_F_VIRGL);
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_GET_EDID), VIRTIO_GPU_F_EDID);
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID), VIRTIO_GPU_F_RESOURCE_UUID);
	CHECK_EQ(vgb_cmd_feature(VIRTIO_GPU_CMD_RESOURCE_FLUSH), -1);
	CHECK_EQ(vgb_resp_size(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB), 32);
	CHECK_EQ(vgb_resp_size(VIRTIO_GPU_CMD_GET_EDID), 1056);
	CHECK_EQ(vgb_resp_size(VIRTIO_GPU_CMD_GET_DISPLAY_INFO), 408);
	CHECK_EQ(vgb_cmd_size(0x999), 0);

	/* Cursor commands are not controlq commands, and the reverse. */
	minimal(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR);
	CHECK_RESP(decode(buf, 56, ALL_FEATURES, &cmd), E_UNSPEC);
	CHECK_RESP(vgb_decode_cursor(buf, 56, &cmd), VGB_DECODE_OK);
	CHECK_RESP(vgb_decode_cursor(buf, 55, &cmd), E_UNSPEC);
	minimal(buf, VIRTIO_GPU_CMD_RESOURCE_FLUSH);
	CHECK_RESP(vgb_decode_cursor(buf, 56, &cmd), E_UNSPEC);
	CHECK_RESP(decode(buf, 10, ALL_FEATURES, &cmd), E_UNSPEC);
	CHECK(!cmd.body_decoded);
}

static void test_fields(void)
{
	struct vgb_cmd cmd;
	/* Host-endian header and body fields. */
	struct virtio_gpu_transfer_to_host_2d t2;
	t_hdr(&t2.hdr, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0x01020304);
	t2.hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	t2.hdr.fence_id = vgb_to_le64(0x1122334455667788ull);
	t2.r = (struct virtio_gpu_rect){vgb_to_le32(1), vgb_to_le32(2), vgb_to_le32(3), vgb_to_le32(4)};
	t2.offset = vgb_to_le64(0xaabbccddeeff0011ull);
	t2.resource_id = vgb_to_le32(42);
	t2.padding = 0;
	CHECK_RESP(decode(&t2, sizeof(t2), 0, &cmd), VGB_DECODE_OK);
	CHECK_EQ(cmd.ctx_id, 0x01020304);
	CHECK_EQ(cmd.fence_id, 0x1122334455667788ull);
	CHECK_EQ(cmd.u.transfer_2d.r.height, 4);
	CHECK_EQ(cmd.u.transfer_2d.offset, 0xaabbccddeeff0011ull);
	CHECK_EQ(cmd.u.transfer_2d.resource_id, 42);
	t2.r.x = vgb_to_le32(0xfffffffeu);
	CHECK_RESP(decode(&t2, sizeof(t2), 0, &cmd), E_PARAM);
	CHECK(cmd.body_decoded && strstr(cmd.why, "r:"));

	/* Entries: host-endian array, exact length, counts. */
	uint8_t buf[32 + 17 * 16];
	memset(buf, 0, sizeof(buf));
	struct virtio_gpu_resource_attach_backing ab = {.resource_id = vgb_to_le32(3),
							.nr_entries = vgb_to_le32(2)};
	t_hdr(&ab.hdr, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0);
	memcpy(buf, &ab, sizeof(ab));
	struct virtio_gpu_mem_entry me[2] = {{vgb_to_le64(0x1000), vgb_to_le32(100), 0},
					     {vgb_to_le64(0x9000), vgb_to_le32(7), 0}};
	memcpy(buf + 32, me, sizeof(me));
	struct vgb_entry entries[16];
	struct vgb_decode_limits lim = limits(0);
	CHECK_RESP(vgb_decode_ctrl(buf, 64, &lim, &cmd, entries), VGB_DECODE_OK);
	CHECK_EQ(cmd.u.attach.nr_entries, 2);
	CHECK_EQ(cmd.u.attach.total, 107);
	CHECK_EQ(entries[1].addr, 0x9000);
	CHECK_EQ(entries[1].length, 7);
	CHECK_RESP(vgb_decode_ctrl(buf, 63, &lim, &cmd, entries), E_UNSPEC);
	CHECK_RESP(vgb_decode_ctrl(buf, 80, &lim, &cmd, entries), VGB_DECODE_OK); /* 16 bytes ignored */
	CHECK_EQ(vgb_cmd_length(buf, 80), 64);
	me[1].addr = vgb_to_le64(~0ull - 3);
	memcpy(buf + 32, me, sizeof(me));
	CHECK_RESP(vgb_decode_ctrl(buf, 64, &lim, &cmd, entries), E_UNSPEC);
	ab.nr_entries = vgb_to_le32(17);
	memcpy(buf, &ab, sizeof(ab));
	CHECK_RESP(vgb_decode_ctrl(buf, sizeof(buf), &lim, &cmd, entries), E_UNSPEC);
	lim.max_entries = 17;
	struct vgb_entry more[17];
	for (int i = 0; i < 17; i++) {
		struct virtio_gpu_mem_entry x = {vgb_to_le64(0x1000 * (uint64_t)(i + 1)), vgb_to_le32(1), 0};
		memcpy(buf + 32 + 16 * i, &x, 16);
	}
	CHECK_RESP(vgb_decode_ctrl(buf, sizeof(buf), &lim, &cmd, more), VGB_DECODE_OK);
	CHECK_EQ(more[16].addr, 0x11000);

	/* CTX_CREATE: debug_name copied and terminated; nlen bounded. */
	struct virtio_gpu_ctx_create cc;
	memset(&cc, 'x', sizeof(cc));
	t_hdr(&cc.hdr, VIRTIO_GPU_CMD_CTX_CREATE, 5);
	cc.nlen = vgb_to_le32(64);
	cc.context_init = vgb_to_le32(VGB_CAPSET_REFCTX);
	CHECK_RESP(decode(&cc, sizeof(cc), ALL_FEATURES, &cmd), VGB_DECODE_OK);
	CHECK_EQ(strlen(cmd.u.ctx_create.debug_name), 64);
	CHECK_EQ(cmd.u.ctx_create.capset_id, VGB_CAPSET_REFCTX);
	cc.nlen = vgb_to_le32(0xffffffffu);
	CHECK_RESP(decode(&cc, sizeof(cc), ALL_FEATURES, &cmd), E_PARAM);

	/* SUBMIT_3D: payload pointer into the request; a short stream is a bad size. */
	uint8_t sub[40];
	memset(sub, 0, sizeof(sub));
	struct virtio_gpu_cmd_submit cs = {.size = vgb_to_le32(8)};
	t_hdr(&cs.hdr, VIRTIO_GPU_CMD_SUBMIT_3D, 1);
	memcpy(sub, &cs, sizeof(cs));
	CHECK_RESP(decode(sub, 40, ALL_FEATURES, &cmd), VGB_DECODE_OK);
	CHECK(cmd.u.submit.data == sub + 32);
	CHECK_EQ(cmd.u.submit.size, 8);
	CHECK_RESP(decode(sub, 36, ALL_FEATURES, &cmd), E_PARAM);
	CHECK_EQ(vgb_cmd_length(sub, 36), 40);

	/* 3D box overflow. */
	struct virtio_gpu_transfer_host_3d t3;
	memset(&t3, 0, sizeof(t3));
	t_hdr(&t3.hdr, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, 1);
	t3.box.z = vgb_to_le32(0xffffffffu);
	t3.box.d = vgb_to_le32(1);
	CHECK_RESP(decode(&t3, sizeof(t3), ALL_FEATURES, &cmd), E_PARAM);

	/* CREATE_BLOB: the checks that need no state. */
	uint8_t cb[56 + 16];
	struct virtio_gpu_resource_create_blob b = {.resource_id = vgb_to_le32(1),
						    .blob_mem = vgb_to_le32(1),
						    .nr_entries = vgb_to_le32(1),
						    .size = vgb_to_le64(4096)};
	t_hdr(&b.hdr, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, 0);
	struct virtio_gpu_mem_entry be = {vgb_to_le64(0x2000), vgb_to_le32(4096), 0};
	memcpy(cb, &b, sizeof(b));
	memcpy(cb + 56, &be, 16);
	uint64_t blob = 1ull << VIRTIO_GPU_F_RESOURCE_BLOB;
	CHECK_RESP(decode(cb, sizeof(cb), blob, &cmd), VGB_DECODE_OK);
	CHECK_EQ(cmd.u.create_blob.total, 4096);
	b.size = vgb_to_le64(4097);
	memcpy(cb, &b, sizeof(b));
	CHECK_RESP(decode(cb, sizeof(cb), blob, &cmd), E_PARAM);
	CHECK(strcmp(cmd.why, "entries: shorter than size") == 0);
	b.size = vgb_to_le64(2048);
	memcpy(cb, &b, sizeof(b));
	CHECK_RESP(decode(cb, sizeof(cb), blob, &cmd), VGB_DECODE_OK);
	CHECK_RESP(decode(cb, sizeof(cb), blob | 1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT, &cmd), E_PARAM);
	b.blob_mem = vgb_to_le32(VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST);
	memcpy(cb, &b, sizeof(b));
	CHECK_RESP(decode(cb, sizeof(cb), blob, &cmd), E_PARAM);
	CHECK_RESP(decode(cb, sizeof(cb), blob | 1, &cmd), VGB_DECODE_OK);
}

static void test_helpers_and_names(void)
{
	struct vgb_rect r = {0, 0, 10, 10};
	CHECK(vgb_rect_inside(&r, 10, 10));
	r.x = 1;
	CHECK(!vgb_rect_inside(&r, 10, 10));
	r = (struct vgb_rect){0xffffffffu, 0, 2, 1};
	CHECK(!vgb_rect_inside(&r, 0xffffffffu, 1));
	r = (struct vgb_rect){0, 0, 0, 0};
	CHECK(vgb_rect_inside(&r, 0, 0));

	struct vgb_entry e[3] = {{100, 10}, {0, 100}, {110, 5}}, scratch[3];
	CHECK(!vgb_entries_overlap(e, 3, scratch));
	e[1].length = 101;
	CHECK(vgb_entries_overlap(e, 3, scratch));
	CHECK_EQ(e[0].addr, 100); /* input order kept */

	CHECK(strcmp(vgb_cmd_name(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB), "RESOURCE_MAP_BLOB") == 0);
	CHECK(strcmp(vgb_resp_name(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER), "ERR_INVALID_PARAMETER") == 0);
	CHECK(strcmp(vgb_resp_name(0x1300), "?") == 0);
	CHECK(strcmp(vgb_format_name(134), "R8G8B8X8_UNORM") == 0);
	CHECK(strcmp(vgb_blob_mem_name(3), "HOST3D_GUEST") == 0);
	CHECK(strcmp(vgb_cache_name(0x12), "UNCACHED") == 0);
	CHECK(strcmp(vgb_feature_name(5), "BLOB_ALIGNMENT") == 0);
	CHECK(strcmp(vgb_cmd_name(0x301), "MOVE_CURSOR") == 0);
}

/* Random bytes never crash the decoder, and accepted requests are self-consistent. */
static void test_random(void)
{
	uint8_t buf[512];
	uint32_t x = 12345;
	struct vgb_cmd cmd;
	for (int i = 0; i < 200000; i++) {
		size_t len = (x = x * 1103515245u + 12345u) >> 23;
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)((x = x * 1103515245u + 12345u) >> 24);
		uint32_t type = ctrl_types[(x >> 8) % (sizeof(ctrl_types) / 4)];
		if (len >= 4)
			memcpy(buf, &type, 4);
		uint32_t rc = decode(buf, len, ALL_FEATURES, &cmd);
		if (rc == VGB_DECODE_OK) {
			CHECK(len >= vgb_cmd_size(cmd.type));
			CHECK(cmd.body_decoded);
		} else {
			CHECK(cmd.why != NULL);
		}
	}
}

int main(void)
{
	test_framing();
	test_fields();
	test_helpers_and_names();
	test_random();
	return t_done("device-decode");
}
