/* SPDX-License-Identifier: MIT */
/*
 * Interop smoke test: our front-end drives QEMU's vhost-user-gpu back-end
 * (Debian package qemu-system-gui) through GET_DISPLAY_INFO, which that
 * back-end answers by asking us over the display channel.
 * Usage: test_interop_qemu PATH-TO-vhost-user-gpu   (exit 77 when absent)
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vgb/frontend.h"
#include "vgb/vhost_user.h"
#include "vgb/wire.h"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/usr/lib/qemu/vhost-user-gpu";
	if (access(path, X_OK))
		SKIP("%s is absent (Debian package qemu-system-gui)", path);

	char *bargv[] = { (char *)path, NULL };
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = bargv;
	o.timeout_ms = 5000;
	char err[512];
	struct vgb_fe *fe = vgb_fe_start(&o, err, sizeof(err));
	CHECK(fe != NULL, "start %s: %s", path, err);
	if (!fe)
		return check_result("test_interop_qemu");
	fprintf(stderr, "features offered 0x%llx negotiated 0x%llx protocol 0x%llx\n",
		(unsigned long long)vgb_fe_device_features(fe), (unsigned long long)vgb_fe_features(fe),
		(unsigned long long)vgb_fe_protocol_features(fe));

	uint8_t cfg[16];
	int n = vgb_fe_get_config(fe, cfg, sizeof(cfg));
	CHECK(n == 16, "GET_CONFIG: %d (%s)", n, vgb_fe_error(fe));
	uint32_t scanouts;
	memcpy(&scanouts, cfg + 8, 4);
	/* QEMU's back-end leaves num_scanouts to its front-end, which fills it in as QEMU's does. */
	fprintf(stderr, "config: num_scanouts %u\n", vgb_le32(scanouts));
	CHECK(vgb_fe_config_from_frontend(fe) && vgb_le32(scanouts) == 1,
	      "num_scanouts %u, filled by the frontend: %d", vgb_le32(scanouts), vgb_fe_config_from_frontend(fe));

	vgb_fe_set_display(fe, 0, 1024, 768, true);
	uint64_t req = vgb_fe_alloc(fe, 4096), resp = vgb_fe_alloc(fe, 4096);
	struct virtio_gpu_ctrl_hdr *h = vgb_fe_gpa_ptr(fe, req, sizeof(*h));
	memset(h, 0, sizeof(*h));
	h->type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	struct virtio_gpu_resp_display_info *info = vgb_fe_gpa_ptr(fe, resp, sizeof(*info));
	memset(info, 0, sizeof(*info));
	struct vgb_sg out = { req, sizeof(*h) }, in = { resp, sizeof(*info) };
	uint32_t used = 0;
	int r = vgb_fe_submit(fe, 0, &out, 1, &in, 1, &used);
	CHECK(r == 0, "GET_DISPLAY_INFO: %d (%s)", r, vgb_fe_error(fe));
	if (r == 0) {
		CHECK(used == sizeof(*info), "used.len %u", used);
		CHECK(vgb_le32(info->hdr.type) == VIRTIO_GPU_RESP_OK_DISPLAY_INFO, "type 0x%x",
		      vgb_le32(info->hdr.type));
		CHECK(vgb_le32(info->pmodes[0].r.width) == 1024 && vgb_le32(info->pmodes[0].r.height) == 768 &&
			      vgb_le32(info->pmodes[0].enabled) == 1,
		      "scanout 0: %ux%u enabled %u", vgb_le32(info->pmodes[0].r.width),
		      vgb_le32(info->pmodes[0].r.height), vgb_le32(info->pmodes[0].enabled));
	}

	/* GET_EDID: the back-end asks us over the display channel (protocol feature EDID). */
	if (vgb_fe_features(fe) & (1ull << VIRTIO_GPU_F_EDID)) {
		struct virtio_gpu_cmd_get_edid *g = vgb_fe_gpa_ptr(fe, req, sizeof(*g));
		memset(g, 0, sizeof(*g));
		g->hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_GET_EDID);
		struct virtio_gpu_resp_edid *e = vgb_fe_gpa_ptr(fe, resp, sizeof(*e));
		memset(e, 0, sizeof(*e));
		out.len = sizeof(*g);
		in.len = sizeof(*e);
		r = vgb_fe_submit(fe, 0, &out, 1, &in, 1, &used);
		CHECK(r == 0, "GET_EDID: %d (%s)", r, vgb_fe_error(fe));
		if (r == 0) {
			static const uint8_t magic[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
			CHECK(vgb_le32(e->hdr.type) == VIRTIO_GPU_RESP_OK_EDID && vgb_le32(e->size) == 128,
			      "EDID type 0x%x size %u", vgb_le32(e->hdr.type), vgb_le32(e->size));
			CHECK(memcmp(e->edid, magic, 8) == 0, "EDID header");
			unsigned w = e->edid[56] | (e->edid[58] >> 4) << 8, ht = e->edid[59] | (e->edid[61] >> 4) << 8;
			CHECK(w == 1024 && ht == 768, "EDID preferred mode %ux%u", w, ht);
			uint8_t sum = 0;
			for (int i = 0; i < 128; i++)
				sum += e->edid[i];
			CHECK(sum == 0, "EDID checksum");
		}
	} else {
		fprintf(stderr, "back-end offers no EDID: GET_EDID not exercised\n");
	}

	/* Device reset (RESET_DEVICE or RESET_OWNER), then the queue works again. */
	r = vgb_fe_reset_device(fe);
	CHECK(r == 0, "reset: %d (%s)", r, vgb_fe_error(fe));
	if (r == 0) {
		h = vgb_fe_gpa_ptr(fe, req, sizeof(*h));
		memset(h, 0, sizeof(*h));
		h->type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
		memset(info, 0, sizeof(*info));
		out.len = sizeof(*h);
		in.len = sizeof(*info);
		r = vgb_fe_submit(fe, 0, &out, 1, &in, 1, &used);
		CHECK(r == 0 && vgb_le32(info->hdr.type) == VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
		      "GET_DISPLAY_INFO after reset: %d type 0x%x (%s)", r, vgb_le32(info->hdr.type),
		      vgb_fe_error(fe));
	}
	vgb_fe_stop(fe);
	return check_result("test_interop_qemu");
}
