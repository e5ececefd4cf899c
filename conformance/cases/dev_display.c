/* SPDX-License-Identifier: MIT */
/*
 * The display decides: with the suite's frontend as the display on the
 * vhost-user-gpu channel, GET_DISPLAY_INFO and GET_EDID must report the
 * outputs the display set up, follow it when they change, and a cursor
 * command naming resource 0 must hide the cursor on the display.
 */
#include <string.h>

#include "cases.h"
#include "../lib/display.h"

#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA

/* Modes no device picks by itself, so an answer that has them came from the display. */
enum { W0 = 1366, H0 = 682, W1 = 800, H1 = 600 };

static bool mode_is(const struct virtio_gpu_resp_display_info *info, unsigned i, uint32_t w, uint32_t h)
{
	return vgb_le32(info->pmodes[i].enabled) && vgb_le32(info->pmodes[i].r.width) == w &&
	       vgb_le32(info->pmodes[i].r.height) == h;
}

static enum vc_verdict info_from_display(struct vc *t)
{
	unsigned n = t->probe->num_scanouts;
	vgb_fe_set_display(t->fe, 0, W0, H0, true);
	if (n > 1)
		vgb_fe_set_display(t->fe, 1, W1, H1, true);
	struct virtio_gpu_resp_display_info info;
	VC_TRY(vc_expect(t, vc_get_display_info(t, &info), VIRTIO_GPU_RESP_OK_DISPLAY_INFO, R_CMD_SUCCESS,
			 "GET_DISPLAY_INFO"));
	VC_TRY(vc_check(t, mode_is(&info, 0, W0, H0), R_DISP_INFO_FROM_DISPLAY,
			"the display shows output 0 at %ux%u, GET_DISPLAY_INFO reports %ux%u (enabled %u)", W0, H0,
			vgb_le32(info.pmodes[0].r.width), vgb_le32(info.pmodes[0].r.height),
			vgb_le32(info.pmodes[0].enabled)));
	if (n > 1)
		VC_TRY(vc_check(t, mode_is(&info, 1, W1, H1), R_DISP_INFO_FROM_DISPLAY,
				"the display shows output 1 at %ux%u, GET_DISPLAY_INFO reports %ux%u", W1, H1,
				vgb_le32(info.pmodes[1].r.width), vgb_le32(info.pmodes[1].r.height)));
	/* The window is resized: the next answer follows the display. */
	vgb_fe_set_display(t->fe, 0, W1, H1, true);
	VC_TRY(vc_expect(t, vc_get_display_info(t, &info), VIRTIO_GPU_RESP_OK_DISPLAY_INFO, R_CMD_SUCCESS,
			 "GET_DISPLAY_INFO after the display changed"));
	vc_check(t, mode_is(&info, 0, W1, H1), R_DISP_INFO_FROM_DISPLAY,
		 "the display resized output 0 to %ux%u, GET_DISPLAY_INFO reports %ux%u", W1, H1,
		 vgb_le32(info.pmodes[0].r.width), vgb_le32(info.pmodes[0].r.height));
	vc_note(t, "%u scanouts; modes followed the display", n);
	return vc_done(t);
}

/* The preferred mode of an EDID base block: its first detailed timing. */
static void edid_mode(const uint8_t *e, uint32_t *w, uint32_t *h)
{
	*w = e[56] | (uint32_t)(e[58] >> 4) << 8;
	*h = e[59] | (uint32_t)(e[61] >> 4) << 8;
}

static enum vc_verdict edid_from_display(struct vc *t)
{
	vgb_fe_set_display(t->fe, 0, W0, H0, true);
	struct virtio_gpu_cmd_get_edid q;
	memset(&q, 0, sizeof(q));
	vc_hdr(&q.hdr, VIRTIO_GPU_CMD_GET_EDID);
	struct vc_resp r;
	VC_TRY(vc_expect(t, vc_cmd(t, &q, sizeof(q), &r), VIRTIO_GPU_RESP_OK_EDID, R_CMD_SUCCESS,
			 "GET_EDID of scanout 0"));
	struct virtio_gpu_resp_edid e;
	memcpy(&e, r.u.bytes, sizeof(e));
	uint32_t size = vgb_le32(e.size), w = 0, h = 0;
	VC_TRY(vc_check(t, size >= 128 && size <= sizeof(e.edid), R_DISP_EDID_FROM_DISPLAY,
			"EDID of %u bytes", size));
	edid_mode(e.edid, &w, &h);
	vc_check(t, w == W0 && h == H0, R_DISP_EDID_FROM_DISPLAY,
		 "the display shows output 0 at %ux%u, the EDID's preferred mode is %ux%u", W0, H0, w, h);
	return vc_done(t);
}

static int cursor(struct vc *t, uint32_t type, uint32_t resource_id, uint32_t x)
{
	struct virtio_gpu_update_cursor c;
	memset(&c, 0, sizeof(c));
	vc_hdr(&c.hdr, type);
	c.pos.x = vgb_to_le32(x);
	c.pos.y = vgb_to_le32(5);
	c.resource_id = vgb_to_le32(resource_id);
	return vc_cursor_cmd(t, &c, sizeof(c));
}

/* Hidden on the display: CURSOR_POS_HIDE, or an image that is transparent everywhere. */
static bool hidden(const struct vgb_fe_cursor *c)
{
	return !c->visible || c->transparent;
}

static enum vc_verdict cursor_hide(struct vc *t)
{
	/* A 64x64 opaque cursor image in a 2D resource. */
	uint32_t id = vc_new_id(t);
	uint64_t bytes = 64 * 64 * 4, gpa = vc_alloc(t, bytes);
	VC_TRY(gpa);
	memset(vc_ptr(t, gpa, bytes), 0xff, bytes);
	struct vgb_sg e = { gpa, (uint32_t)bytes };
	VC_TRY(vc_expect(t, vc_create_2d(t, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64), OK_NODATA,
			 R_CMD_SUCCESS, "RESOURCE_CREATE_2D 64x64"));
	VC_TRY(vc_expect(t, vc_attach_backing(t, id, &e, 1), OK_NODATA, R_CMD_SUCCESS, "ATTACH_BACKING"));
	VC_TRY(vc_expect(t, vc_transfer_2d(t, id, 0, 0, 64, 64, 0), OK_NODATA, R_CMD_SUCCESS,
			 "TRANSFER_TO_HOST_2D"));
	const struct vgb_fe_cursor *c = vgb_fe_cursor(t->fe);
	VC_TRY(vc_check(t, cursor(t, VIRTIO_GPU_CMD_UPDATE_CURSOR, id, 10) == 0, R_DISP_CURSOR,
			"UPDATE_CURSOR not returned"));
	VC_TRY(vc_check(t, !hidden(c), R_DISP_CURSOR_HIDE,
			"after UPDATE_CURSOR of an opaque image the display shows no cursor"));
	VC_TRY(vc_check(t, cursor(t, VIRTIO_GPU_CMD_MOVE_CURSOR, 0, 20) == 0, R_DISP_CURSOR,
			"MOVE_CURSOR not returned"));
	VC_TRY(vc_check(t, hidden(c), R_DISP_CURSOR_HIDE,
			"MOVE_CURSOR naming resource 0 left the cursor shown (%llu positions, %llu hides)",
			(unsigned long long)c->moves, (unsigned long long)c->hides));
	VC_TRY(vc_check(t, cursor(t, VIRTIO_GPU_CMD_UPDATE_CURSOR, id, 30) == 0 && !hidden(c),
			R_DISP_CURSOR_HIDE, "UPDATE_CURSOR of the image did not show the cursor again"));
	VC_TRY(vc_check(t, cursor(t, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 40) == 0, R_DISP_CURSOR,
			"UPDATE_CURSOR not returned"));
	vc_check(t, hidden(c), R_DISP_CURSOR_HIDE, "UPDATE_CURSOR naming resource 0 left the cursor shown");
	vc_note(t, "display saw %llu positions, %llu hides, %llu updates", (unsigned long long)c->moves,
		(unsigned long long)c->hides, (unsigned long long)c->updates);
	return vc_done(t);
}

const struct vc_case vc_cases_display[] = {
	{ .name = "dev.disp.info_from_display", IDS(R_DISP_INFO_FROM_DISPLAY), .run = info_from_display,
	  .summary = "GET_DISPLAY_INFO reports the modes the display set up and follows its changes" },
	{ .name = "dev.disp.edid_from_display", IDS(R_DISP_EDID_FROM_DISPLAY), .needs = VC_NEED_EDID,
	  .run = edid_from_display, .summary = "GET_EDID returns the display's EDID for its mode" },
	{ .name = "dev.disp.cursor_hide", IDS(R_DISP_CURSOR_HIDE, R_DISP_CURSOR), .run = cursor_hide,
	  .summary = "MOVE_CURSOR and UPDATE_CURSOR naming resource 0 hide the cursor on the display" },
	{ .name = NULL },
};
