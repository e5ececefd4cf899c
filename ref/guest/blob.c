/* SPDX-License-Identifier: MIT */
/* Blob resources: creation, mapping into the host-visible region, transfers, scanout. */
#include "driver_priv.h"
#include "response.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u

static int need_blob(struct vgb_drv *drv)
{
	if (!vgb_drv_has(drv, VIRTIO_GPU_F_RESOURCE_BLOB))
		return drv_fail(drv, -ENOTSUP, "F_RESOURCE_BLOB not negotiated");
	return 0;
}

uint64_t vgb_drv_blob_size(const struct vgb_drv *drv, uint64_t size)
{
	uint64_t a = drv->caps.blob_alignment;
	if (a <= 1 || size > UINT64_MAX - (a - 1))
		return size;
	return (size + a - 1) & ~(a - 1);
}

int vgb_drv_create_blob(struct vgb_drv *drv, uint32_t resource_id, const struct vgb_drv_blob_desc *d)
{
	int ret = need_blob(drv);
	if (ret)
		return ret;
	uint64_t size = vgb_drv_blob_size(drv, d->size);
	bool guest_storage = d->blob_mem == VIRTIO_GPU_BLOB_MEM_GUEST ||
			     d->blob_mem == VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST;
	const struct vgb_drv_backing *b = guest_storage ? d->backing : NULL;
	if (guest_storage && (!b || b->size < size))
		return drv_fail(drv, -EINVAL, "blob of %llu bytes needs guest entries covering it",
				(unsigned long long)size);
	size_t n = b ? b->nentries : 0;
	size_t len = sizeof(struct virtio_gpu_resource_create_blob) + n * 16;
	uint8_t *req = calloc(1, len);
	if (!req)
		return drv_fail(drv, -ENOMEM, "out of memory");
	struct virtio_gpu_resource_create_blob *c = (void *)req;
	c->hdr = drv_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, d->ctx_id);
	c->resource_id = vgb_to_le32(resource_id);
	c->blob_mem = vgb_to_le32(d->blob_mem);
	c->blob_flags = vgb_to_le32(d->blob_flags);
	c->nr_entries = vgb_to_le32((uint32_t)n);
	c->blob_id = vgb_to_le64(d->blob_id);
	c->size = vgb_to_le64(size);
	if (n)
		memcpy(req + sizeof(*c), b->entries, n * 16);
	ret = drv_cmd_nodata(drv, req, len);
	free(req);
	if (ret == -EPROTO && drv->last_resp_type == VIRTIO_GPU_RESP_OK_NODATA)
		drv_undo_create(drv, resource_id);
	if (ret)
		return ret;
	struct drv_resource *r = drv_res_add(drv, resource_id);
	if (!r)
		return drv_fail(drv, -ENOMEM, "out of memory");
	r->blob = true;
	r->blob_mem = d->blob_mem;
	r->blob_flags = d->blob_flags;
	r->size = size;
	return 0;
}

static int send_map(struct vgb_drv *drv, uint32_t resource_id, uint64_t offset, uint32_t *map_info)
{
	struct virtio_gpu_resource_map_blob req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0);
	req.resource_id = vgb_to_le32(resource_id);
	req.offset = vgb_to_le64(offset);
	struct virtio_gpu_resp_map_info resp;
	int ret = drv_cmd(drv, &req, sizeof(req), &resp, sizeof(resp), VIRTIO_GPU_RESP_OK_MAP_INFO, NULL);
	if (ret)
		return ret;
	ret = vgb_resp_map_info(&resp, map_info, drv->err, sizeof(drv->err));
	return ret;
}

int vgb_drv_map_at(struct vgb_drv *drv, uint32_t resource_id, uint64_t offset, uint32_t *map_info)
{
	int ret = need_blob(drv);
	if (ret)
		return ret;
	uint32_t mi = 0;
	ret = send_map(drv, resource_id, offset, &mi);
	if (map_info)
		*map_info = mi;
	return ret;
}

static int send_unmap(struct vgb_drv *drv, uint32_t resource_id)
{
	struct virtio_gpu_resource_unmap_blob req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, 0);
	req.resource_id = vgb_to_le32(resource_id);
	return drv_cmd_nodata(drv, &req, sizeof(req));
}

int vgb_drv_unmap_raw(struct vgb_drv *drv, uint32_t resource_id)
{
	int ret = need_blob(drv);
	return ret ? ret : send_unmap(drv, resource_id);
}

/* Does any byte of [offset, +size) of the region reach memory? */
static bool range_reaches(struct vgb_drv *drv, uint64_t offset, uint64_t size)
{
	for (uint64_t at = 0; at < size; at += PAGE)
		if (vgb_fe_shm_mapped(drv->fe, VGB_DRV_SHMID_HOST_VISIBLE, offset + at, PAGE))
			return true;
	return false;
}

int drv_region_release(struct vgb_drv *drv, struct drv_resource *r, const char *why, const char *req)
{
	uint64_t offset = r->map_offset, size = r->map_size;
	/* The device answered only after the range stopped reaching memory (spec); check it. */
	if (range_reaches(drv, offset, size)) {
		r->map_unknown = true; /* kept reserved: it may still alias the blob */
		r->mapped = false;
		return drv_fail(drv, -EPROTO, "device error (%s): %s answered while region [0x%llx, +0x%llx) is still mapped",
				req, why, (unsigned long long)offset, (unsigned long long)size);
	}
	r->mapped = false;
	r->map_unknown = false;
	vgb_range_release(&drv->region, offset);
	return 0;
}

/*
 * A MAP_BLOB that did not end in a usable mapping.  An error answer had no
 * effect (REQ-DRV-ERR-0001); an answer of the success type that broke the
 * protocol, or a range the frontend sees placed, means the device holds a
 * mapping, which UNMAP_BLOB takes back.  The
 * range is released only once nothing reaches it; otherwise (no answer at
 * all, or an undo that failed) it stays reserved with the blob.  The error
 * the caller returns (drv->err) is the one that ended the MAP.
 */
static int map_failed(struct vgb_drv *drv, struct drv_resource *r, uint64_t offset, uint64_t size, int ret)
{
	char why[sizeof(drv->err)];
	memcpy(why, drv->err, sizeof(why));
	r->map_offset = offset;
	r->map_size = size;
	bool answered = ret > 0 || ret == -EPROTO;
	/* The answer's type says so, or the frontend sees the range placed (an answer of 0 bytes). */
	bool device_mapped = drv->last_resp_type == VIRTIO_GPU_RESP_OK_MAP_INFO || range_reaches(drv, offset, size);
	if (answered && device_mapped && !drv->stalled_cmd && !vgb_fe_disconnected(drv->fe)) {
		int u = send_unmap(drv, r->id);
		answered = u >= 0 || u == -EPROTO;
	}
	if (answered && !range_reaches(drv, offset, size)) {
		vgb_range_release(&drv->region, offset);
		r->map_unknown = false;
	} else {
		r->map_unknown = true;
	}
	memcpy(drv->err, why, sizeof(why));
	return ret;
}

int vgb_drv_map(struct vgb_drv *drv, uint32_t resource_id, struct vgb_drv_mapping *out)
{
	int ret = need_blob(drv);
	if (ret)
		return ret;
	if (!drv->have_region)
		return drv_fail(drv, -ENODEV, "no host-visible region");
	struct drv_resource *r = drv_res_find(drv, resource_id);
	if (!r || !r->blob)
		return drv_fail(drv, -EINVAL, "resource %u is not a blob of this driver", resource_id);
	if (r->blob_mem != VIRTIO_GPU_BLOB_MEM_HOST3D || !(r->blob_flags & VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE))
		return drv_fail(drv, -EINVAL, "blob %u is not a mappable host blob", resource_id);
	if (r->mapped)
		return drv_fail(drv, -EBUSY, "blob %u is already mapped", resource_id);
	if (r->map_unknown)
		return drv_fail(drv, -EBUSY, "blob %u may still be mapped at region offset 0x%llx (an earlier "
				"MAP_BLOB was not answered properly); unreference it or reset the device",
				resource_id, (unsigned long long)r->map_offset);
	uint64_t offset = 0, size = vgb_range_round(&drv->region, r->size);
	ret = vgb_range_reserve(&drv->region, r->size, &offset);
	if (ret == -ENOSPC)
		return drv_fail(drv, ret, "region full: no room for %llu bytes (%llu of %llu used)",
				(unsigned long long)size, (unsigned long long)drv->region.used,
				(unsigned long long)drv->region.size);
	if (ret)
		return drv_fail(drv, ret, "region reservation failed");
	uint32_t mi = 0;
	ret = send_map(drv, resource_id, offset, &mi);
	if (ret)
		return map_failed(drv, r, offset, size, ret);
	/* The blob must be there when the answer says so, and all of it. */
	if (!vgb_fe_shm_mapped(drv->fe, VGB_DRV_SHMID_HOST_VISIBLE, offset, r->size)) {
		drv_fail(drv, -EPROTO, "device error (%s): MAP_BLOB answered OK but region [0x%llx, +0x%llx) is not backed",
			 REQ_MAP_REACHES, (unsigned long long)offset, (unsigned long long)r->size);
		return map_failed(drv, r, offset, size, -EPROTO);
	}
	r->mapped = true;
	r->map_offset = offset;
	r->map_size = size;
	out->ptr = (uint8_t *)drv->caps.region + offset;
	out->offset = offset;
	out->size = size;
	out->map_info = mi;
	/* What a guest kernel would program: only CACHED may be mapped cacheable. */
	out->cacheable = mi == VIRTIO_GPU_MAP_CACHE_CACHED;
	return 0;
}

int vgb_drv_unmap(struct vgb_drv *drv, uint32_t resource_id)
{
	struct drv_resource *r = drv_res_find(drv, resource_id);
	if (!r || !r->mapped)
		return drv_fail(drv, -ENOENT, "blob %u is not mapped", resource_id);
	int ret = send_unmap(drv, resource_id);
	if (ret == 0)
		return drv_region_release(drv, r, "UNMAP_BLOB", REQ_UNMAP_GONE);
	/* A broken answer of the success type: the device unmapped if nothing reaches the range any more. */
	if (ret == -EPROTO && drv->last_resp_type == VIRTIO_GPU_RESP_OK_NODATA &&
	    !range_reaches(drv, r->map_offset, r->map_size)) {
		r->mapped = false;
		vgb_range_release(&drv->region, r->map_offset);
	}
	return ret;
}

void vgb_drv_mapping_flush(const struct vgb_drv_mapping *m)
{
	/* A full fence also drains write-combining buffers on x86 (mfence). */
	(void)m;
	atomic_thread_fence(memory_order_seq_cst);
}

static int transfer_3d(struct vgb_drv *drv, uint32_t type, uint32_t ctx_id, uint32_t resource_id,
		       uint64_t offset, uint32_t bytes)
{
	struct virtio_gpu_transfer_host_3d req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(type, ctx_id);
	/* On blobs a transfer is a byte range: box.w bytes at offset, h = d = 1. */
	req.box.w = vgb_to_le32(bytes);
	req.box.h = vgb_to_le32(1);
	req.box.d = vgb_to_le32(1);
	req.offset = vgb_to_le64(offset);
	req.resource_id = vgb_to_le32(resource_id);
	return drv_cmd_nodata(drv, &req, sizeof(req));
}

int vgb_drv_transfer_to_host_3d(struct vgb_drv *drv, uint32_t ctx_id, uint32_t resource_id,
				uint64_t offset, uint32_t bytes)
{
	return transfer_3d(drv, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, ctx_id, resource_id, offset, bytes);
}

int vgb_drv_transfer_from_host_3d(struct vgb_drv *drv, uint32_t ctx_id, uint32_t resource_id,
				  uint64_t offset, uint32_t bytes)
{
	return transfer_3d(drv, VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D, ctx_id, resource_id, offset, bytes);
}

int vgb_drv_set_scanout_blob(struct vgb_drv *drv, uint32_t scanout_id, uint32_t resource_id,
			     const struct vgb_drv_scanout_blob *s)
{
	int ret = need_blob(drv);
	if (ret)
		return ret;
	struct virtio_gpu_set_scanout_blob req;
	memset(&req, 0, sizeof(req));
	req.hdr = drv_hdr(VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, 0);
	req.r.x = vgb_to_le32(s->r.x);
	req.r.y = vgb_to_le32(s->r.y);
	req.r.width = vgb_to_le32(s->r.width);
	req.r.height = vgb_to_le32(s->r.height);
	req.scanout_id = vgb_to_le32(scanout_id);
	req.resource_id = vgb_to_le32(resource_id);
	req.width = vgb_to_le32(s->width);
	req.height = vgb_to_le32(s->height);
	req.format = vgb_to_le32(s->format);
	req.strides[0] = vgb_to_le32(s->stride);
	req.offsets[0] = vgb_to_le32(s->offset);
	return drv_cmd_nodata(drv, &req, sizeof(req));
}
