/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the reference driver's decoder of device responses
 * (ref/guest/response.c): the check of length, type and fence echo that every
 * control-queue answer passes, then the payload decoder of the command.
 *
 * Input: u8 command selector, u8 request flags (bit 0 FENCE, bit 1
 * INFO_RING_IDX), u8 ring_idx, u8 fence seen already (0..255), u16 le used.len,
 * then the bytes the device wrote (the rest; zeros past the end).
 * Invariants: an accepted response has the success type and size, an error
 * is a bare header, a rejection says why, a fence completes only when it was
 * echoed, and what the payload decoders hand on stays inside the wire's limits.
 *
 * Built with -DVGB_FUZZ_MAKE_SEEDS it writes seed inputs into the directory given.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAPSET_MAX 4096u

static void check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_drv_response: invariant broken: %s\n", what);
		abort();
	}
}

static const struct {
	uint32_t cmd, ok_type;
	size_t len;
	bool shorter_ok;
} cmds[] = {
	{ VIRTIO_GPU_CMD_GET_DISPLAY_INFO, VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
	  sizeof(struct virtio_gpu_resp_display_info), false },
	{ VIRTIO_GPU_CMD_GET_EDID, VIRTIO_GPU_RESP_OK_EDID, sizeof(struct virtio_gpu_resp_edid), false },
	{ VIRTIO_GPU_CMD_GET_CAPSET_INFO, VIRTIO_GPU_RESP_OK_CAPSET_INFO,
	  sizeof(struct virtio_gpu_resp_capset_info), false },
	{ VIRTIO_GPU_CMD_GET_CAPSET, VIRTIO_GPU_RESP_OK_CAPSET, sizeof(struct virtio_gpu_resp_capset) + CAPSET_MAX,
	  true },
	{ VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, VIRTIO_GPU_RESP_OK_MAP_INFO, sizeof(struct virtio_gpu_resp_map_info),
	  false },
	{ VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, VIRTIO_GPU_RESP_OK_NODATA, sizeof(struct virtio_gpu_ctrl_hdr), false },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static uint8_t resp[sizeof(struct virtio_gpu_resp_capset) + CAPSET_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 6)
		return 0;
	unsigned sel = data[0] % NCMDS;
	uint8_t flags = data[1], ring = data[2];
	uint64_t completed = data[3];
	uint32_t used = (uint32_t)data[4] | (uint32_t)data[5] << 8;
	data += 6, size -= 6;
	size_t len = cmds[sel].len;
	/* The frontend never hands on a used.len above the device-writable part. */
	if (used > len)
		used = (uint32_t)len;
	memset(resp, 0, sizeof(resp));
	memcpy(resp, data, size < len ? size : len);

	struct virtio_gpu_ctrl_hdr rq;
	memset(&rq, 0, sizeof(rq));
	rq.type = vgb_to_le32(cmds[sel].cmd);
	rq.flags = vgb_to_le32(flags & (VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX));
	rq.fence_id = vgb_to_le64(completed + 1 + (flags >> 4));
	rq.ctx_id = vgb_to_le32(flags >> 2);
	rq.ring_idx = ring;
	struct vgb_resp_expect e = { .req = &rq, .ok_type = cmds[sel].ok_type, .len = len,
				     .shorter_ok = cmds[sel].shorter_ok, .fence_completed = completed };
	struct vgb_resp_seen seen;
	int ret = vgb_resp_check(&e, resp, used, &seen);
	struct virtio_gpu_ctrl_hdr rs;
	memcpy(&rs, resp, sizeof(rs));
	bool fenced = flags & VIRTIO_GPU_FLAG_FENCE;

	check(seen.len == used, "seen.len is used.len");
	if (seen.fence_done)
		check(fenced && used >= sizeof(rs) && rs.fence_id == rq.fence_id && rs.ctx_id == rq.ctx_id &&
			      (vgb_le32(rs.flags) & VIRTIO_GPU_FLAG_FENCE),
		      "a fence completes only when echoed");
	if (ret < 0) {
		check(ret == -EPROTO, "rejections are -EPROTO");
		check(seen.why[0] != '\0', "a rejection says why");
		return 0;
	}
	if (ret > 0) {
		check(vgb_resp_is_error((uint32_t)ret) && used == sizeof(rs) && seen.type == (uint32_t)ret,
		      "an error is a bare header of an error type");
		return 0;
	}
	check(seen.type == cmds[sel].ok_type, "accepted: the success type");
	check(used >= sizeof(rs) && (used == len || (cmds[sel].shorter_ok && used <= len)),
	      "accepted: the success size");
	check(!fenced || seen.fence_done, "accepted fenced response completed its fence");

	char why[256];
	switch (cmds[sel].cmd) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO: {
		struct virtio_gpu_resp_display_info di;
		memcpy(&di, resp, sizeof(di));
		struct vgb_resp_mode m[VIRTIO_GPU_MAX_SCANOUTS + 1];
		memset(m, 0xa5, sizeof(m));
		vgb_resp_display_info(&di, 1 + ring % 32, m);
		check(m[VIRTIO_GPU_MAX_SCANOUTS].x == 0xa5a5a5a5u, "modes stay within 16 scanouts");
		break;
	}
	case VIRTIO_GPU_CMD_GET_EDID: {
		struct virtio_gpu_resp_edid ed;
		memcpy(&ed, resp, sizeof(ed));
		uint32_t n = 0;
		if (vgb_resp_edid_size(&ed, &n, why, sizeof(why)) == 0)
			check(n <= sizeof(ed.edid), "EDID size within the wire's 1024 bytes");
		break;
	}
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO: {
		struct virtio_gpu_resp_capset_info ci;
		memcpy(&ci, resp, sizeof(ci));
		uint32_t id, ver, n = 0;
		if (vgb_resp_capset_info(&ci, CAPSET_MAX, &id, &ver, &n, why, sizeof(why)) == 0)
			check(n <= CAPSET_MAX, "capset size within the driver's limit");
		break;
	}
	case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB: {
		struct virtio_gpu_resp_map_info mi;
		memcpy(&mi, resp, sizeof(mi));
		uint32_t cache = 0;
		if (vgb_resp_map_info(&mi, &cache, why, sizeof(why)) == 0)
			check(cache >= VIRTIO_GPU_MAP_CACHE_CACHED && cache <= VIRTIO_GPU_MAP_CACHE_WC,
			      "an accepted map_info is CACHED, UNCACHED or WC");
		break;
	}
	default:
		break;
	}
	return 0;
}

#ifdef VGB_FUZZ_MAKE_SEEDS
/* One seed: header bytes then the response. */
static void seed(const char *dir, const char *name, unsigned sel, uint8_t flags, uint8_t completed,
		 const void *r, uint16_t used, size_t rlen)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	uint8_t head[6] = { (uint8_t)sel, flags, 3, completed, (uint8_t)used, (uint8_t)(used >> 8) };
	fwrite(head, 1, sizeof(head), f);
	fwrite(r, 1, rlen, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
		return 2;
	}
	const char *d = argv[1];
	/* A fenced request's fence_id is completed + 1 + (flags >> 4): flags 0x01 -> completed + 1. */
	struct virtio_gpu_resp_display_info di;
	memset(&di, 0, sizeof(di));
	di.hdr.type = vgb_to_le32(VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	di.pmodes[0].r.width = vgb_to_le32(1024);
	di.pmodes[0].r.height = vgb_to_le32(768);
	di.pmodes[0].enabled = vgb_to_le32(1);
	seed(d, "display-ok", 0, 0, 0, &di, sizeof(di), sizeof(di));
	di.hdr.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	di.hdr.fence_id = vgb_to_le64(5);
	seed(d, "display-fenced", 0, 1, 4, &di, sizeof(di), sizeof(di));
	seed(d, "display-truncated", 0, 1, 4, &di, 200, sizeof(di));
	struct virtio_gpu_resp_edid ed;
	memset(&ed, 0, sizeof(ed));
	ed.hdr.type = vgb_to_le32(VIRTIO_GPU_RESP_OK_EDID);
	ed.size = vgb_to_le32(128);
	seed(d, "edid-ok", 1, 0, 0, &ed, sizeof(ed), sizeof(ed));
	ed.size = vgb_to_le32(2000);
	seed(d, "edid-too-big", 1, 0, 0, &ed, sizeof(ed), sizeof(ed));
	struct virtio_gpu_resp_capset_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.hdr.type = vgb_to_le32(VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	ci.capset_id = vgb_to_le32(30);
	ci.capset_max_version = vgb_to_le32(1);
	ci.capset_max_size = vgb_to_le32(32);
	seed(d, "capset-info-ok", 2, 0, 0, &ci, sizeof(ci), sizeof(ci));
	uint8_t cs[24 + 32];
	memset(cs, 0, sizeof(cs));
	uint32_t t = vgb_to_le32(VIRTIO_GPU_RESP_OK_CAPSET);
	memcpy(cs, &t, 4);
	seed(d, "capset-short-ok", 3, 0, 0, cs, sizeof(cs), sizeof(cs));
	struct virtio_gpu_resp_map_info mi;
	memset(&mi, 0, sizeof(mi));
	mi.hdr.type = vgb_to_le32(VIRTIO_GPU_RESP_OK_MAP_INFO);
	mi.map_info = vgb_to_le32(VIRTIO_GPU_MAP_CACHE_WC | 0xabcd0000u);
	seed(d, "map-info-wc-high-bits", 4, 0, 0, &mi, sizeof(mi), sizeof(mi));
	mi.map_info = 0;
	seed(d, "map-info-none", 4, 0, 0, &mi, sizeof(mi), sizeof(mi));
	struct virtio_gpu_ctrl_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = vgb_to_le32(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	seed(d, "error-header", 5, 0, 0, &h, sizeof(h), sizeof(h));
	seed(d, "used-zero", 5, 0, 0, &h, 0, sizeof(h));
	h.type = vgb_to_le32(VIRTIO_GPU_RESP_OK_NODATA);
	h.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
	h.fence_id = vgb_to_le64(8);
	h.ring_idx = 3;
	seed(d, "nodata-ring-fenced", 5, 3, 7, &h, sizeof(h), sizeof(h));
	return 0;
}
#endif
