/* SPDX-License-Identifier: MIT */
/* Display information, EDID and the classic 2D resource commands. */
#include "driver_priv.h"
#include "response.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int vgb_drv_display_info(struct vgb_drv *drv, struct vgb_drv_display *out, unsigned cap)
{
	struct virtio_gpu_ctrl_hdr req = drv_hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	struct virtio_gpu_resp_display_info *resp = malloc(sizeof(*resp));
	if (!resp)
		return drv_fail(drv, -ENOMEM, "out of memory");
	int ret = drv_cmd(drv, &req, sizeof(req), resp, sizeof(*resp), VIRTIO_GPU_RESP_OK_DISPLAY_INFO, NULL);
	if (ret == 0) {
		struct vgb_resp_mode m[VIRTIO_GPU_MAX_SCANOUTS];
		unsigned n = cap < drv->caps.num_scanouts ? cap : drv->caps.num_scanouts;
		vgb_resp_display_info(resp, n, m);
		for (unsigned i = 0; i < n && i < VIRTIO_GPU_MAX_SCANOUTS; i++)
			out[i] = (struct vgb_drv_display){ m[i].x, m[i].y, m[i].width, m[i].height, m[i].enabled };
	}
	free(resp);
	return ret;
}

int vgb_drv_display_events(struct vgb_drv *drv, uint32_t *events)
{
	struct vgb_gpu_config cfg;
	*events = 0;
	int ret = vgb_fe_get_config(drv->fe, &cfg, VGB_GPU_CONFIG_SIZE_V12);
	if (ret < 0)
		return drv_fail(drv, ret, "GET_CONFIG failed: %s", vgb_fe_error(drv->fe));
	uint32_t ev = vgb_le32(cfg.events_read);
	if (!ev)
		return 0;
	uint32_t clear = vgb_to_le32(ev);
	ret = vgb_fe_set_config(drv->fe, offsetof(struct vgb_gpu_config, events_clear), &clear,
				sizeof(clear));
	if (ret < 0)
		return drv_fail(drv, ret, "writing events_clear failed: %s", vgb_fe_error(drv->fe));
	*events = ev;
	return 0;
}

int vgb_drv_edid(struct vgb_drv *drv, uint32_t scanout_id, uint8_t *buf, size_t cap, uint32_t *size)
{
	if (!vgb_drv_has(drv, VIRTIO_GPU_F_EDID))
		return drv_fail(drv, -ENOTSUP, "F_EDID not negotiated");
	struct virtio_gpu_cmd_get_edid req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_GET_EDID, 0);
	req.scanout = vgb_to_le32(scanout_id);
	struct virtio_gpu_resp_edid *resp = malloc(sizeof(*resp));
	if (!resp)
		return drv_fail(drv, -ENOMEM, "out of memory");
	int ret = drv_cmd(drv, &req, sizeof(req), resp, sizeof(*resp), VIRTIO_GPU_RESP_OK_EDID, NULL);
	uint32_t n = 0;
	if (ret == 0)
		ret = vgb_resp_edid_size(resp, &n, drv->err, sizeof(drv->err));
	if (ret == 0) {
		if (n > cap)
			ret = drv_fail(drv, -ENOSPC, "EDID of %u bytes does not fit %zu", n, cap);
		else {
			memcpy(buf, resp->edid, n);
			*size = n;
		}
	}
	free(resp);
	return ret;
}

static struct virtio_gpu_rect rect_le(struct virtio_gpu_rect r)
{
	return (struct virtio_gpu_rect){ vgb_to_le32(r.x), vgb_to_le32(r.y), vgb_to_le32(r.width),
					 vgb_to_le32(r.height) };
}

int vgb_drv_create_2d(struct vgb_drv *drv, uint32_t resource_id, uint32_t format, uint32_t width,
		      uint32_t height)
{
	struct virtio_gpu_resource_create_2d req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0);
	req.resource_id = vgb_to_le32(resource_id);
	req.format = vgb_to_le32(format);
	req.width = vgb_to_le32(width);
	req.height = vgb_to_le32(height);
	int ret = drv_cmd_nodata(drv, &req, sizeof(req));
	if (ret == -EPROTO && drv->last_resp_type == VIRTIO_GPU_RESP_OK_NODATA)
		drv_undo_create(drv, resource_id);
	if (ret == 0 && !drv_res_add(drv, resource_id))
		return drv_fail(drv, -ENOMEM, "out of memory");
	return ret;
}

int vgb_drv_attach_backing(struct vgb_drv *drv, uint32_t resource_id, const struct vgb_drv_backing *b)
{
	size_t n = b->nentries, len = sizeof(struct virtio_gpu_resource_attach_backing) + n * 16;
	uint8_t *req = calloc(1, len);
	if (!req)
		return drv_fail(drv, -ENOMEM, "out of memory");
	struct virtio_gpu_resource_attach_backing *a = (void *)req;
	a->hdr = drv_hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0);
	a->resource_id = vgb_to_le32(resource_id);
	a->nr_entries = vgb_to_le32(b->nentries);
	memcpy(req + sizeof(*a), b->entries, n * 16);
	int ret = drv_cmd_nodata(drv, req, len);
	free(req);
	return ret;
}

int vgb_drv_detach_backing(struct vgb_drv *drv, uint32_t resource_id)
{
	struct virtio_gpu_resource_detach_backing req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 0);
	req.resource_id = vgb_to_le32(resource_id);
	return drv_cmd_nodata(drv, &req, sizeof(req));
}

int vgb_drv_transfer_to_host_2d(struct vgb_drv *drv, uint32_t resource_id, struct virtio_gpu_rect r,
				uint64_t offset)
{
	struct virtio_gpu_transfer_to_host_2d req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0);
	req.r = rect_le(r);
	req.offset = vgb_to_le64(offset);
	req.resource_id = vgb_to_le32(resource_id);
	return drv_cmd_nodata(drv, &req, sizeof(req));
}

int vgb_drv_set_scanout(struct vgb_drv *drv, uint32_t scanout_id, uint32_t resource_id,
			struct virtio_gpu_rect r)
{
	struct virtio_gpu_set_scanout req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_SET_SCANOUT, 0);
	req.r = rect_le(r);
	req.scanout_id = vgb_to_le32(scanout_id);
	req.resource_id = vgb_to_le32(resource_id);
	return drv_cmd_nodata(drv, &req, sizeof(req));
}

int vgb_drv_flush(struct vgb_drv *drv, uint32_t resource_id, struct virtio_gpu_rect r)
{
	struct virtio_gpu_resource_flush req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0);
	req.r = rect_le(r);
	req.resource_id = vgb_to_le32(resource_id);
	return drv_cmd_nodata(drv, &req, sizeof(req));
}

int vgb_drv_unref(struct vgb_drv *drv, uint32_t resource_id)
{
	struct virtio_gpu_resource_unref req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_RESOURCE_UNREF, 0);
	req.resource_id = vgb_to_le32(resource_id);
	int ret = drv_cmd_nodata(drv, &req, sizeof(req));
	/* A broken answer of the success type still means the device unreferenced it. */
	if (ret && !(ret == -EPROTO && drv->last_resp_type == VIRTIO_GPU_RESP_OK_NODATA))
		return ret;
	struct drv_resource *r = drv_res_find(drv, resource_id);
	if (r && (r->mapped || r->map_unknown)) {
		char why[sizeof(drv->err)];
		memcpy(why, drv->err, sizeof(why));
		int rr = drv_region_release(drv, r, "UNREF of a mapped blob", REQ_UNREF_UNMAPS);
		if (ret)
			memcpy(drv->err, why, sizeof(why));
		else
			ret = rr;
	}
	drv_res_remove(drv, resource_id);
	return ret;
}

void drv_undo_create(struct vgb_drv *drv, uint32_t resource_id)
{
	char why[sizeof(drv->err)];
	memcpy(why, drv->err, sizeof(why));
	struct virtio_gpu_resource_unref req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_RESOURCE_UNREF, 0);
	req.resource_id = vgb_to_le32(resource_id);
	drv_cmd_nodata(drv, &req, sizeof(req));
	memcpy(drv->err, why, sizeof(why));
}
