/* SPDX-License-Identifier: MIT */
/*
 * Command dispatch and response writing.  Every request goes through the
 * shared decoder first; then id failures are ranked before parameter failures
 * (error table order); then the handler of the command's concern runs.  All
 * commands complete in order before the next one is taken, so a fenced
 * response simply echoes its fence.
 */
#include "internal.h"

#include <string.h>

#include "vgb/names.h"

static uint32_t dispatch(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep)
{
	switch (cmd->type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO: return vgb_cmd_display_info(dev, cmd, rep);
	case VIRTIO_GPU_CMD_GET_EDID: return vgb_cmd_get_edid(dev, cmd, rep);
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: return vgb_cmd_create_2d(dev, cmd);
	case VIRTIO_GPU_CMD_RESOURCE_UNREF: return vgb_cmd_unref(dev, cmd);
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: return vgb_cmd_attach_backing(dev, cmd);
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING: return vgb_cmd_detach_backing(dev, cmd);
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D: return vgb_cmd_transfer_2d(dev, cmd);
	case VIRTIO_GPU_CMD_SET_SCANOUT: return vgb_cmd_set_scanout(dev, cmd);
	case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB: return vgb_cmd_set_scanout_blob(dev, cmd);
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH: return vgb_cmd_flush(dev, cmd);
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB: return vgb_cmd_create_blob(dev, cmd);
	case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB: return vgb_cmd_map_blob(dev, cmd, rep);
	case VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB: return vgb_cmd_unmap_blob(dev, cmd);
	case VIRTIO_GPU_CMD_CTX_CREATE: return vgb_cmd_ctx_create(dev, cmd);
	case VIRTIO_GPU_CMD_CTX_DESTROY: return vgb_cmd_ctx_destroy(dev, cmd);
	case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE: return vgb_cmd_ctx_attach(dev, cmd);
	case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE: return vgb_cmd_ctx_detach(dev, cmd);
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO: return vgb_cmd_capset_info(dev, cmd, rep);
	case VIRTIO_GPU_CMD_GET_CAPSET: return vgb_cmd_capset(dev, cmd, rep);
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D:
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D: return vgb_cmd_transfer_3d(dev, cmd);
	case VIRTIO_GPU_CMD_SUBMIT_3D: return vgb_cmd_submit_3d(dev, cmd);
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D: return vgb_cmd_create_3d(dev, cmd);
	default:
		/* RESOURCE_ASSIGN_UUID: F_RESOURCE_UUID is never offered, the decoder refuses it. */
		return vgb_reject(dev, VGB_DRV_CMD_FEATURE, VIRTIO_GPU_RESP_ERR_UNSPEC,
				  "%s not supported", vgb_cmd_name(cmd->type));
	}
}

/*
 * Id failures outrank parameter failures (error table order): an unknown or
 * in-use resource, then context, then scanout, before anything else the
 * handler or the decoder finds wrong.
 */
static uint32_t check_ids(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	uint32_t create = 0, named = 0, scanout = UINT32_MAX;
	bool ctx_needed = false;
	switch (cmd->type) {
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: create = cmd->u.create_2d.resource_id; break;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D: create = cmd->u.create_3d.resource_id; break;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB:
		create = cmd->u.create_blob.resource_id;
		/* Without VIRGL there are no contexts: "HOST3D without VIRGL" is the failure. */
		ctx_needed = has_feature(dev, VIRTIO_GPU_F_VIRGL) &&
			     (cmd->u.create_blob.blob_mem == VIRTIO_GPU_BLOB_MEM_HOST3D ||
			      cmd->u.create_blob.blob_mem == VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
	case VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB: named = cmd->u.res.resource_id; break;
	case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE:
	case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE:
		named = cmd->u.res.resource_id;
		ctx_needed = true;
		break;
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: named = cmd->u.attach.resource_id; break;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D: named = cmd->u.transfer_2d.resource_id; break;
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH: named = cmd->u.flush.resource_id; break;
	case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB: named = cmd->u.map.resource_id; break;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D:
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D:
		named = cmd->u.transfer_3d.resource_id;
		ctx_needed = true;
		break;
	case VIRTIO_GPU_CMD_CTX_DESTROY:
	case VIRTIO_GPU_CMD_SUBMIT_3D: ctx_needed = true; break;
	case VIRTIO_GPU_CMD_SET_SCANOUT:
		named = cmd->u.set_scanout.resource_id;
		scanout = cmd->u.set_scanout.scanout_id;
		break;
	case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB:
		named = cmd->u.scanout_blob.resource_id;
		scanout = cmd->u.scanout_blob.scanout_id;
		break;
	case VIRTIO_GPU_CMD_GET_EDID: scanout = cmd->u.edid.scanout; break;
	case VIRTIO_GPU_CMD_CTX_CREATE:
		if (vgb_ctx_find(dev, cmd->ctx_id))
			return vgb_reject(dev, VGB_DRV_CTX_ID_CREATE, VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
					  "CTX_CREATE: context %u exists", cmd->ctx_id);
		break;
	default: break;
	}
	if (create && vgb_res_find(dev, create))
		return vgb_reject(dev, VGB_DRV_RES_ID_CREATE, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				  "%s: resource %u in use", vgb_cmd_name(cmd->type), create);
	if (named && !vgb_res_find(dev, named))
		vgb_validate_unknown(dev, named, false, vgb_cmd_name(cmd->type));
	if (ctx_needed && !vgb_ctx_find(dev, cmd->ctx_id))
		vgb_validate_unknown(dev, cmd->ctx_id, true, vgb_cmd_name(cmd->type));
	if (named && !vgb_res_find(dev, named))
		return vgb_reject(dev,
				  vgb_validate_refused_named(dev, named, cmd->type == VIRTIO_GPU_CMD_RESOURCE_UNREF)
					  ? VGB_DRV_NONE
					  : VGB_DRV_RES_ID_UNKNOWN,
				  vgb_broken(dev, VGB_BREAK_ERR_RESOURCE_ID_AS_PARAM)
					  ? VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
					  : VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				  "%s: unknown resource %u", vgb_cmd_name(cmd->type), named);
	if (ctx_needed && !vgb_ctx_find(dev, cmd->ctx_id))
		return vgb_reject(dev, VGB_DRV_NONE, VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
				  "%s: unknown context %u", vgb_cmd_name(cmd->type), cmd->ctx_id);
	if (scanout != UINT32_MAX && scanout >= dev->cfg.num_scanouts)
		return vgb_reject(dev, VGB_DRV_NONE, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
				  "%s: scanout %u", vgb_cmd_name(cmd->type), scanout);
	return VGB_DECODE_OK;
}

/* A refused RESOURCE_CREATE_*: the driver may still hold the id as created (validate.c). */
static void note_refused_create(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	switch (cmd->type) {
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: vgb_validate_refused_create(dev, cmd->u.create_2d.resource_id); break;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D: vgb_validate_refused_create(dev, cmd->u.create_3d.resource_id); break;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB:
		vgb_validate_refused_create(dev, cmd->u.create_blob.resource_id);
		break;
	default: break;
	}
}

/* Header of every response; a fenced request gets its fence (and ring) echoed. */
static void write_hdr(const struct vgb_device *dev, void *resp, uint32_t type,
		      const struct vgb_cmd *cmd)
{
	struct virtio_gpu_ctrl_hdr h = {.type = vgb_to_le32(type)};
	if ((cmd->flags & VIRTIO_GPU_FLAG_FENCE) && !vgb_broken(dev, VGB_BREAK_FENCE_NO_ECHO)) {
		uint32_t flags = VIRTIO_GPU_FLAG_FENCE;
		h.fence_id = vgb_to_le64(cmd->fence_id);
		h.ctx_id = vgb_to_le32(cmd->ctx_id);
		if ((cmd->flags & VIRTIO_GPU_FLAG_INFO_RING_IDX) && cmd->ring_idx <= VGB_MAX_RING_IDX) {
			flags |= VIRTIO_GPU_FLAG_INFO_RING_IDX;
			h.ring_idx = cmd->ring_idx;
		}
		h.flags = vgb_to_le32(flags);
	}
	memcpy(resp, &h, sizeof(h));
}

static size_t too_small(struct vgb_device *dev, const struct vgb_cmd *cmd, size_t resp_cap)
{
	vgb_violation(dev, VGB_DRV_RESP_TOO_SMALL, "%s: %zu writable bytes cannot hold the response",
		      vgb_cmd_name(cmd->type), resp_cap);
	vgb_log(dev, "%s: response buffer of %zu bytes too small, nothing written",
		vgb_cmd_name(cmd->type), resp_cap);
	return 0;
}

size_t vgb_device_ctrl(struct vgb_device *dev, const struct vgb_guest_mem *mem, const void *req,
		       size_t req_len, void *resp, size_t resp_cap)
{
	struct vgb_cmd cmd;
	struct vgb_reply rep = {.buf = resp, .cap = resp_cap};
	dev->mem = mem;
	uint32_t rc = vgb_decode_ctrl(req, req_len, &dev->lim, &cmd, dev->entries);
	/*
	 * Framing errors (ERR_UNSPEC before the body is decoded) outrank a short response
	 * buffer; everything else ranks below, and below the id checks (error table order),
	 * unusable entries (ERR_UNSPEC from the body) included.
	 */
	bool framing = rc == VIRTIO_GPU_RESP_ERR_UNSPEC && !cmd.body_decoded;
	if (!framing && resp_cap < vgb_resp_size(cmd.type))
		return too_small(dev, &cmd, resp_cap);
	vgb_validate_request(dev, &cmd, req, req_len);
	uint32_t id_rc = VGB_DECODE_OK;
	if (rc == VGB_DECODE_OK || (cmd.body_decoded && !framing))
		id_rc = check_ids(dev, &cmd);
	if (id_rc != VGB_DECODE_OK) {
		rc = id_rc;
	} else if (rc == VGB_DECODE_OK) {
		rc = dispatch(dev, &cmd, &rep);
		if (rc == VGB_RESP_TOO_SMALL)
			return too_small(dev, &cmd, resp_cap);
		/* A fence covers the renderer's work too: answer once it has completed. */
		if (rc == VGB_DECODE_OK)
			rc = vgb_renderer_fence(dev, &cmd);
		else if (rc != VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID)
			note_refused_create(dev, &cmd);
	} else {
		vgb_log(dev, "%s (0x%x), %zu bytes: %s", vgb_cmd_name(cmd.type), cmd.type, req_len,
			vgb_resp_name(rc));
		vgb_validate_decode(dev, &cmd, req_len, rc);
	}
	if (resp_cap < sizeof(struct virtio_gpu_ctrl_hdr))
		return too_small(dev, &cmd, resp_cap);
	if (rc == VGB_DECODE_OK && rep.len) {
		write_hdr(dev, resp, rep.type, &cmd);
		return rep.len;
	}
	write_hdr(dev, resp, rc == VGB_DECODE_OK ? VIRTIO_GPU_RESP_OK_NODATA : rc, &cmd);
	return sizeof(struct virtio_gpu_ctrl_hdr);
}

size_t vgb_device_ctrl_oversized(struct vgb_device *dev, const struct vgb_guest_mem *mem, const void *req,
				 size_t prefix_len, size_t total_len, void *resp, size_t resp_cap)
{
	/* The command itself fits in what was read: the rest is trailing bytes, ignored. */
	uint64_t want = vgb_cmd_length(req, prefix_len);
	if (want <= prefix_len)
		return vgb_device_ctrl(dev, mem, req, prefix_len, resp, resp_cap);
	struct vgb_cmd cmd = {0};
	uint32_t rc = VIRTIO_GPU_RESP_ERR_UNSPEC;
	bool complete = false; /* the whole command was sent: not a framing error of the driver */
	if (prefix_len >= sizeof(struct virtio_gpu_ctrl_hdr)) {
		struct virtio_gpu_ctrl_hdr h;
		memcpy(&h, req, sizeof(h));
		cmd.type = vgb_le32(h.type);
		cmd.flags = vgb_le32(h.flags) & VGB_CTRL_HDR_FLAGS_KNOWN;
		cmd.fence_id = vgb_le64(h.fence_id);
		cmd.ctx_id = vgb_le32(h.ctx_id);
		cmd.ring_idx = h.ring_idx;
		int feature = vgb_cmd_feature(cmd.type);
		bool gated = feature >= 0 && !has_feature(dev, (unsigned)feature);
		/* All of them sent: more entries than the device takes (ERR_UNSPEC, like any
		 * entries it cannot use), or a longer stream than it takes. */
		complete = !gated && total_len >= want &&
			   (cmd.type == VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING ||
			    cmd.type == VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB || cmd.type == VIRTIO_GPU_CMD_SUBMIT_3D);
		if (complete && cmd.type == VIRTIO_GPU_CMD_SUBMIT_3D)
			rc = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	}
	vgb_log(dev, "%s: request of %zu bytes exceeds the device's largest (%zu): %s",
		vgb_cmd_name(cmd.type), total_len, vgb_device_max_request(dev), vgb_resp_name(rc));
	vgb_violation(dev, complete ? VGB_DRV_NONE : VGB_DRV_CMD_LENGTH,
		      "%s: request of %zu bytes", vgb_cmd_name(cmd.type), total_len);
	if (resp_cap < sizeof(struct virtio_gpu_ctrl_hdr))
		return 0;
	write_hdr(dev, resp, rc, &cmd);
	return sizeof(struct virtio_gpu_ctrl_hdr);
}

void vgb_device_cursor(struct vgb_device *dev, const struct vgb_guest_mem *mem, const void *req,
		       size_t req_len)
{
	struct vgb_cmd cmd;
	dev->mem = mem;
	uint32_t rc = vgb_decode_cursor(req, req_len, &cmd);
	if (rc != VGB_DECODE_OK) {
		vgb_log(dev, "cursorq: %zu bytes rejected (%s)", req_len, vgb_resp_name(rc));
		vgb_validate_decode(dev, &cmd, req_len, rc);
		return;
	}
	vgb_validate_request(dev, &cmd, req, req_len);
	vgb_cursor_cmd(dev, &cmd);
}
