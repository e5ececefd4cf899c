/* SPDX-License-Identifier: MIT */
/*
 * vgb-host and its display, with this project's frontend playing the display
 * side of the vhost-user-gpu channel: GET_DISPLAY_INFO and GET_EDID are the
 * display's (its own configuration only headless), a change of the display's
 * outputs raises VIRTIO_GPU_EVENT_DISPLAY and reaches the next
 * GET_DISPLAY_INFO, a cursor command naming resource 0 hides the cursor
 * (CURSOR_POS_HIDE), and a response buffer holding a header but not the
 * response gets ERR_UNSPEC.
 * Usage: test_vgb_host_display PATH-TO-vgb-host
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "vgb/frontend.h"
#include "vgb/refctx.h"
#include "vgb/wire.h"

static const char *host;

static struct vgb_fe *start(bool display, const char *extra)
{
	char *argv[] = { (char *)host, "--size=640x480", "--scanouts=2", (char *)extra, NULL };
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = argv;
	o.no_display_socket = !display;
	o.quiet = true;
	char err[512];
	struct vgb_fe *fe = vgb_fe_start(&o, err, sizeof(err));
	CHECK(fe, "start (%s): %s", display ? "display" : "headless", err);
	return fe;
}

/* One controlq request with a cap-byte response buffer; returns used.len (or -1). */
static int ctrl(struct vgb_fe *fe, const void *req, uint32_t len, void *resp, uint32_t cap)
{
	uint64_t out = vgb_fe_alloc(fe, len), in = vgb_fe_alloc(fe, 4096);
	memcpy(vgb_fe_gpa_ptr(fe, out, len), req, len);
	memset(vgb_fe_gpa_ptr(fe, in, 4096), 0xee, 4096);
	struct vgb_sg o = { out, len }, i = { in, cap };
	uint32_t used = 0;
	int r = vgb_fe_submit(fe, 0, &o, 1, &i, 1, &used);
	if (!r)
		memcpy(resp, vgb_fe_gpa_ptr(fe, in, cap), cap);
	vgb_fe_free(fe, out, len);
	vgb_fe_free(fe, in, 4096);
	return r ? -1 : (int)used;
}

static uint32_t type_of(const void *resp)
{
	struct virtio_gpu_ctrl_hdr h;
	memcpy(&h, resp, sizeof(h));
	return vgb_le32(h.type);
}

static void display_info(struct vgb_fe *fe, struct virtio_gpu_resp_display_info *info)
{
	struct virtio_gpu_ctrl_hdr h = { .type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO) };
	memset(info, 0, sizeof(*info));
	CHECK(ctrl(fe, &h, sizeof(h), info, sizeof(*info)) == (int)sizeof(*info) &&
		      type_of(info) == VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
	      "GET_DISPLAY_INFO: %s", vgb_fe_error(fe));
}

static bool mode_is(const struct virtio_gpu_resp_display_info *info, unsigned i, uint32_t w, uint32_t h,
		    bool enabled)
{
	return vgb_le32(info->pmodes[i].r.width) == w && vgb_le32(info->pmodes[i].r.height) == h &&
	       (vgb_le32(info->pmodes[i].enabled) != 0) == enabled;
}

/* The preferred mode of an EDID base block (first detailed timing). */
static void edid_mode(struct vgb_fe *fe, uint32_t scanout, uint32_t *w, uint32_t *h)
{
	struct virtio_gpu_cmd_get_edid q = { .scanout = vgb_to_le32(scanout) };
	q.hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_GET_EDID);
	struct virtio_gpu_resp_edid e;
	memset(&e, 0, sizeof(e));
	CHECK(ctrl(fe, &q, sizeof(q), &e, sizeof(e)) == (int)sizeof(e) && type_of(&e) == VIRTIO_GPU_RESP_OK_EDID &&
		      vgb_le32(e.size) == 128,
	      "GET_EDID of scanout %u: type 0x%x size %u", scanout, type_of(&e), vgb_le32(e.size));
	*w = e.edid[56] | (uint32_t)(e.edid[58] >> 4) << 8;
	*h = e.edid[59] | (uint32_t)(e.edid[61] >> 4) << 8;
}

static uint32_t events_read(struct vgb_fe *fe)
{
	struct vgb_gpu_config c;
	memset(&c, 0, sizeof(c));
	CHECK(vgb_fe_get_config(fe, &c, VGB_GPU_CONFIG_SIZE_V12) == VGB_GPU_CONFIG_SIZE_V12, "config: %s",
	      vgb_fe_error(fe));
	return vgb_le32(c.events_read);
}

static void test_display_decides(void)
{
	struct vgb_fe *fe = start(true, NULL);
	if (!fe)
		return;
	struct virtio_gpu_resp_display_info info;
	display_info(fe, &info);
	/* The frontend's display starts with output 0 at 1024x768, output 1 off; the device says 640x480. */
	CHECK(mode_is(&info, 0, 1024, 768, true) && mode_is(&info, 1, 0, 0, false),
	      "display's modes: %ux%u/%u, %ux%u/%u", vgb_le32(info.pmodes[0].r.width),
	      vgb_le32(info.pmodes[0].r.height), vgb_le32(info.pmodes[0].enabled),
	      vgb_le32(info.pmodes[1].r.width), vgb_le32(info.pmodes[1].r.height),
	      vgb_le32(info.pmodes[1].enabled));
	CHECK(events_read(fe) == 0, "no event before a change");

	/* The window is resized and a second output appears: the guest hears of it and asks again. */
	vgb_fe_set_display(fe, 0, 1366, 682, true);
	vgb_fe_set_display(fe, 1, 800, 600, true);
	CHECK(events_read(fe) == VIRTIO_GPU_EVENT_DISPLAY, "VIRTIO_GPU_EVENT_DISPLAY raised");
	display_info(fe, &info);
	CHECK(mode_is(&info, 0, 1366, 682, true) && mode_is(&info, 1, 800, 600, true),
	      "new modes reach the guest");
	uint32_t w = 0, h = 0;
	edid_mode(fe, 0, &w, &h);
	CHECK(w == 1366 && h == 682, "EDID of output 0 is the display's: %ux%u", w, h);
	edid_mode(fe, 1, &w, &h);
	CHECK(w == 800 && h == 600, "EDID of output 1 is the display's: %ux%u", w, h);
	uint32_t clear = vgb_to_le32(VIRTIO_GPU_EVENT_DISPLAY);
	CHECK(vgb_fe_set_config(fe, offsetof(struct vgb_gpu_config, events_clear), &clear, 4) == 0,
	      "events_clear: %s", vgb_fe_error(fe));
	CHECK(events_read(fe) == 0, "event acknowledged");
	/* An output beyond the device's scanouts stays out of the answer. */
	vgb_fe_set_display(fe, 2, 640, 400, true);
	display_info(fe, &info);
	CHECK(mode_is(&info, 2, 0, 0, false), "output 2 beyond num_scanouts 2 not reported");
	/* Output 1 switched off. */
	vgb_fe_set_display(fe, 1, 0, 0, false);
	display_info(fe, &info);
	CHECK(mode_is(&info, 1, 0, 0, false) && mode_is(&info, 0, 1366, 682, true), "output 1 off");
	vgb_fe_stop(fe);
}

static void test_headless_own_configuration(void)
{
	struct vgb_fe *fe = start(false, NULL);
	if (!fe)
		return;
	struct virtio_gpu_resp_display_info info;
	display_info(fe, &info);
	CHECK(mode_is(&info, 0, 640, 480, true) && mode_is(&info, 1, 640, 480, true),
	      "headless: the device's own modes");
	uint32_t w = 0, h = 0;
	edid_mode(fe, 1, &w, &h);
	CHECK(w == 640 && h == 480, "headless EDID: %ux%u", w, h);
	vgb_fe_set_display(fe, 0, 1366, 682, true); /* no display channel: nothing reaches the device */
	display_info(fe, &info);
	CHECK(mode_is(&info, 0, 640, 480, true), "headless modes unchanged");
	vgb_fe_stop(fe);
}

static void cursor(struct vgb_fe *fe, uint32_t type, uint32_t resource_id, uint32_t x)
{
	struct virtio_gpu_update_cursor c;
	memset(&c, 0, sizeof(c));
	c.hdr.type = vgb_to_le32(type);
	c.pos.x = vgb_to_le32(x);
	c.pos.y = vgb_to_le32(7);
	c.resource_id = vgb_to_le32(resource_id);
	uint64_t out = vgb_fe_alloc(fe, sizeof(c));
	memcpy(vgb_fe_gpa_ptr(fe, out, sizeof(c)), &c, sizeof(c));
	struct vgb_sg o = { out, sizeof(c) };
	uint32_t used = 1;
	CHECK(vgb_fe_submit(fe, 1, &o, 1, NULL, 0, &used) == 0 && used == 0, "cursor command 0x%x returned",
	      type);
	vgb_fe_free(fe, out, sizeof(c));
}

static void test_cursor_hide(void)
{
	struct vgb_fe *fe = start(true, NULL);
	if (!fe)
		return;
	struct virtio_gpu_resource_create_2d c2 = { .resource_id = vgb_to_le32(1),
						    .format = vgb_to_le32(VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM),
						    .width = vgb_to_le32(64), .height = vgb_to_le32(64) };
	c2.hdr.type = vgb_to_le32(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
	uint8_t resp[64];
	CHECK(ctrl(fe, &c2, sizeof(c2), resp, 24) == 24 && type_of(resp) == VIRTIO_GPU_RESP_OK_NODATA,
	      "64x64 cursor resource");
	const struct vgb_fe_cursor *cur = vgb_fe_cursor(fe);
	cursor(fe, VIRTIO_GPU_CMD_UPDATE_CURSOR, 1, 10);
	CHECK(cur->updates == 1 && cur->visible && cur->x == 10, "UPDATE_CURSOR shows the cursor");
	cursor(fe, VIRTIO_GPU_CMD_MOVE_CURSOR, 1, 20);
	CHECK(cur->moves == 1 && cur->visible && cur->x == 20, "MOVE_CURSOR moves it");
	cursor(fe, VIRTIO_GPU_CMD_MOVE_CURSOR, 0, 30);
	CHECK(cur->hides == 1 && !cur->visible && cur->x == 30,
	      "MOVE_CURSOR with resource 0 sends CURSOR_POS_HIDE (moves %llu hides %llu)",
	      (unsigned long long)cur->moves, (unsigned long long)cur->hides);
	cursor(fe, VIRTIO_GPU_CMD_MOVE_CURSOR, 1, 40);
	CHECK(cur->moves == 2 && cur->visible, "MOVE_CURSOR naming the resource shows it again");
	cursor(fe, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 50);
	CHECK(cur->hides == 2 && !cur->visible && cur->updates == 1,
	      "UPDATE_CURSOR with resource 0 sends CURSOR_POS_HIDE");
	vgb_fe_stop(fe);
}

static void test_error_header(void)
{
	struct vgb_fe *fe = start(true, NULL);
	if (!fe)
		return;
	struct virtio_gpu_ctrl_hdr h = { .type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO) };
	h.flags = vgb_to_le32(VIRTIO_GPU_FLAG_FENCE);
	h.fence_id = vgb_to_le64(77);
	uint8_t resp[sizeof(struct virtio_gpu_resp_display_info)];
	int used = ctrl(fe, &h, sizeof(h), resp, 24);
	struct virtio_gpu_ctrl_hdr r;
	memcpy(&r, resp, sizeof(r));
	CHECK(used == 24 && vgb_le32(r.type) == VIRTIO_GPU_RESP_ERR_UNSPEC && vgb_le64(r.fence_id) == 77 &&
		      (vgb_le32(r.flags) & VIRTIO_GPU_FLAG_FENCE),
	      "24-byte buffer for GET_DISPLAY_INFO: used %d type 0x%x fence %llu", used, vgb_le32(r.type),
	      (unsigned long long)vgb_le64(r.fence_id));
	used = ctrl(fe, &h, sizeof(h), resp, 100);
	CHECK(used == 24 && type_of(resp) == VIRTIO_GPU_RESP_ERR_UNSPEC && resp[24] == 0xee,
	      "100-byte buffer: used %d, nothing past the header", used);
	used = ctrl(fe, &h, sizeof(h), resp, 16);
	CHECK(used == 0 && resp[0] == 0xee, "16-byte buffer: used %d, nothing written", used);
	used = ctrl(fe, &h, sizeof(h), resp, sizeof(resp));
	CHECK(used == (int)sizeof(resp) && type_of(resp) == VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
	      "still serving");
	vgb_fe_stop(fe);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("SKIP: usage: test_vgb_host_display PATH-TO-vgb-host\n");
		return 77;
	}
	host = argv[1];
	test_display_decides();
	test_headless_own_configuration();
	test_cursor_hide();
	test_error_header();
	return check_result("test_vgb_host_display");
}
