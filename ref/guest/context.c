/* SPDX-License-Identifier: MIT */
/* Capsets, contexts and SUBMIT_3D. */
#include "driver_priv.h"
#include "response.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Larger capsets than this are taken as a device error rather than allocated. */
#define CAPSET_MAX_SIZE (1u << 20)
/* Capset lists longer than this are not walked. */
#define CAPSET_MAX_COUNT 256u

static int need_virgl(struct vgb_drv *drv)
{
	if (!vgb_drv_has(drv, VIRTIO_GPU_F_VIRGL))
		return drv_fail(drv, -ENOTSUP, "F_VIRGL not negotiated");
	return 0;
}

int vgb_drv_capset_info(struct vgb_drv *drv, uint32_t index, struct vgb_drv_capset_info *out)
{
	int ret = need_virgl(drv);
	if (ret)
		return ret;
	struct virtio_gpu_get_capset_info req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0);
	req.capset_index = vgb_to_le32(index);
	struct virtio_gpu_resp_capset_info resp;
	ret = drv_cmd(drv, &req, sizeof(req), &resp, sizeof(resp), VIRTIO_GPU_RESP_OK_CAPSET_INFO, NULL);
	if (ret)
		return ret;
	return vgb_resp_capset_info(&resp, CAPSET_MAX_SIZE, &out->id, &out->max_version, &out->max_size,
				    drv->err, sizeof(drv->err));
}

int vgb_drv_find_capset(struct vgb_drv *drv, uint32_t capset_id, struct vgb_drv_capset_info *out)
{
	uint32_t n = drv->caps.num_capsets;
	if (n > CAPSET_MAX_COUNT)
		n = CAPSET_MAX_COUNT;
	for (uint32_t i = 0; i < n; i++) {
		int ret = vgb_drv_capset_info(drv, i, out);
		if (ret)
			return ret;
		if (out->id == capset_id)
			return (int)i;
	}
	return drv_fail(drv, -ENOENT, "capset %u not offered", capset_id);
}

int vgb_drv_capset(struct vgb_drv *drv, uint32_t capset_id, uint32_t version, void *buf, size_t cap,
		   uint32_t *len)
{
	struct vgb_drv_capset_info info;
	int ret = vgb_drv_find_capset(drv, capset_id, &info);
	if (ret < 0)
		return ret;
	if (version > info.max_version)
		return drv_fail(drv, -EINVAL, "capset %u version %u above max %u", capset_id, version,
				info.max_version);
	struct virtio_gpu_get_capset req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_GET_CAPSET, 0);
	req.capset_id = vgb_to_le32(capset_id);
	req.capset_version = vgb_to_le32(version);
	size_t resp_len = sizeof(struct virtio_gpu_resp_capset) + info.max_size, got = 0;
	uint8_t *resp = calloc(1, resp_len);
	if (!resp)
		return drv_fail(drv, -ENOMEM, "out of memory");
	ret = drv_cmd(drv, &req, sizeof(req), resp, resp_len, VIRTIO_GPU_RESP_OK_CAPSET, &got);
	if (ret == 0) {
		size_t n = got - sizeof(struct virtio_gpu_resp_capset);
		if (n > cap)
			ret = drv_fail(drv, -ENOSPC, "capset of %zu bytes does not fit %zu", n, cap);
		else {
			memcpy(buf, resp + sizeof(struct virtio_gpu_resp_capset), n);
			*len = (uint32_t)n;
		}
	}
	free(resp);
	return ret;
}

int vgb_drv_ctx_create(struct vgb_drv *drv, uint32_t ctx_id, uint32_t context_init, const char *name)
{
	int ret = need_virgl(drv);
	if (ret)
		return ret;
	if (context_init && !vgb_drv_has(drv, VIRTIO_GPU_F_CONTEXT_INIT))
		return drv_fail(drv, -ENOTSUP, "F_CONTEXT_INIT not negotiated");
	struct virtio_gpu_ctx_create req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_CTX_CREATE, ctx_id);
	req.context_init = vgb_to_le32(context_init);
	if (name) {
		size_t n = strnlen(name, sizeof(req.debug_name));
		memcpy(req.debug_name, name, n);
		req.nlen = vgb_to_le32((uint32_t)n);
	}
	ret = drv_cmd_nodata(drv, &req, sizeof(req));
	if (ret == -EPROTO && drv->last_resp_type == VIRTIO_GPU_RESP_OK_NODATA) {
		/* The device made the context: destroy it, keep the complaint. */
		char why[sizeof(drv->err)];
		memcpy(why, drv->err, sizeof(why));
		struct virtio_gpu_ctx_destroy d;
		memset(&d, 0, sizeof(d));
		d.hdr = drv_hdr(VIRTIO_GPU_CMD_CTX_DESTROY, ctx_id);
		drv_cmd_nodata(drv, &d, sizeof(d));
		memcpy(drv->err, why, sizeof(why));
	}
	return ret;
}

int vgb_drv_ctx_destroy(struct vgb_drv *drv, uint32_t ctx_id)
{
	struct virtio_gpu_ctx_destroy req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_CTX_DESTROY, ctx_id);
	int ret = drv_cmd_nodata(drv, &req, sizeof(req));
	if (ret == 0 && ctx_id == drv->refctx_id)
		drv->refctx_id = 0;
	return ret;
}

static int ctx_resource(struct vgb_drv *drv, uint32_t type, uint32_t ctx_id, uint32_t resource_id)
{
	struct virtio_gpu_ctx_resource req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(type, ctx_id);
	req.resource_id = vgb_to_le32(resource_id);
	return drv_cmd_nodata(drv, &req, sizeof(req));
}

int vgb_drv_ctx_attach(struct vgb_drv *drv, uint32_t ctx_id, uint32_t resource_id)
{
	return ctx_resource(drv, VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, ctx_id, resource_id);
}

int vgb_drv_ctx_detach(struct vgb_drv *drv, uint32_t ctx_id, uint32_t resource_id)
{
	return ctx_resource(drv, VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, ctx_id, resource_id);
}

int vgb_drv_submit_3d(struct vgb_drv *drv, uint32_t ctx_id, const void *stream, uint32_t size)
{
	size_t len = sizeof(struct virtio_gpu_cmd_submit) + size;
	uint8_t *req = calloc(1, len);
	if (!req)
		return drv_fail(drv, -ENOMEM, "out of memory");
	struct virtio_gpu_cmd_submit *s = (void *)req;
	s->hdr = drv_hdr(VIRTIO_GPU_CMD_SUBMIT_3D, ctx_id);
	s->size = vgb_to_le32(size);
	if (size)
		memcpy(req + sizeof(*s), stream, size);
	int ret = drv_cmd_nodata(drv, req, len);
	free(req);
	return ret;
}

int vgb_drv_refctx(struct vgb_drv *drv, uint32_t *ctx_id, struct vgb_refctx_caps *caps)
{
	if (drv->refctx_id) {
		*ctx_id = drv->refctx_id;
		if (caps)
			*caps = drv->refctx_caps;
		return 0;
	}
	if (!vgb_drv_has(drv, VIRTIO_GPU_F_CONTEXT_INIT))
		return drv_fail(drv, -ENOTSUP, "F_CONTEXT_INIT not negotiated: the reference context cannot be selected");
	struct vgb_refctx_caps c;
	uint32_t len = 0;
	memset(&c, 0, sizeof(c));
	int ret = vgb_drv_capset(drv, VGB_CAPSET_REFCTX, VGB_REFCTX_VERSION, &c, sizeof(c), &len);
	if (ret)
		return ret;
	if (len != sizeof(c))
		return drv_fail(drv, -EPROTO, "device error: reference capset is %u bytes, expected %zu", len, sizeof(c));
	c.version = vgb_le32(c.version);
	c.ops = vgb_le32(c.ops);
	c.max_object_size = vgb_le64(c.max_object_size);
	c.map_cache = vgb_le32(c.map_cache);
	c.alignment = vgb_le32(c.alignment);
	if (c.version != VGB_REFCTX_VERSION)
		return drv_fail(drv, -EPROTO, "device error: reference capset version %u", c.version);
	if (c.alignment && (c.alignment & (c.alignment - 1)))
		return drv_fail(drv, -EPROTO, "device error: reference context alignment %u", c.alignment);
	/* A context id the driver does not use elsewhere. */
	uint32_t id = 0x7e0;
	ret = vgb_drv_ctx_create(drv, id, VGB_CAPSET_REFCTX, "vgb-refctx");
	if (ret)
		return ret;
	drv->refctx_id = id;
	drv->refctx_caps = c;
	*ctx_id = id;
	if (caps)
		*caps = c;
	return 0;
}

uint64_t vgb_drv_new_blob_id(struct vgb_drv *drv)
{
	return drv->next_blob_id++;
}
