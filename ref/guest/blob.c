/* SPDX-License-Identifier: MIT */
/* Blob resources: creation, mapping into the host-visible region, transfers, scanout. */
#include "driver_priv.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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
	/* map_info is le32 on our wire; bits above the cache mask are ignored on receipt. */
	uint32_t cache = vgb_le32(resp.map_info) & VIRTIO_GPU_MAP_CACHE_MASK;
	*map_info = cache;
	if (cache == VIRTIO_GPU_MAP_CACHE_NONE)
		return drv_fail(drv, -EPROTO, "device error (%s): MAP_BLOB succeeded with map_info NONE",
				REQ_CACHE_NOT_NONE);
	if (cache != VIRTIO_GPU_MAP_CACHE_CACHED && cache != VIRTIO_GPU_MAP_CACHE_UNCACHED &&
	    cache != VIRTIO_GPU_MAP_CACHE_WC)
		return drv_fail(drv, -EPROTO, "device error (%s): MAP_BLOB reported unknown cache type %u",
				REQ_CACHE_NOT_NONE, cache);
	return 0;
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

int drv_region_release(struct vgb_drv *drv, struct drv_resource *r, const char *why, const char *req)
{
	uint64_t offset = r->map_offset, size = r->map_size;
	r->mapped = false;
	/* The device answered only after the range stopped reaching memory (spec); check it. */
	if (vgb_fe_shm_mapped(drv->fe, VGB_DRV_SHMID_HOST_VISIBLE, offset, size))
		return drv_fail(drv, -EPROTO, "device error (%s): %s answered while region [0x%llx, +0x%llx) is still mapped",
				req, why, (unsigned long long)offset, (unsigned long long)size);
	vgb_range_release(&drv->region, offset);
	return 0;
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
	if (ret) {
		if (ret == -EPROTO && vgb_drv_last_resp_type(drv) == VIRTIO_GPU_RESP_OK_MAP_INFO) {
			/* Mapped with a bad map_info: undo it, keep the device's complaint. */
			char why[sizeof(drv->err)];
			memcpy(why, drv->err, sizeof(why));
			if (send_unmap(drv, resource_id) == 0)
				vgb_range_release(&drv->region, offset);
			memcpy(drv->err, why, sizeof(why));
		} else if (ret > 0) {
			vgb_range_release(&drv->region, offset);
		}
		return ret;
	}
	if (!vgb_fe_shm_mapped(drv->fe, VGB_DRV_SHMID_HOST_VISIBLE, offset, r->size)) {
		send_unmap(drv, resource_id);
		return drv_fail(drv, -EPROTO, "device error (%s): MAP_BLOB answered OK but region [0x%llx, +0x%llx) is not backed",
				REQ_MAP_REACHES, (unsigned long long)offset, (unsigned long long)r->size);
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
	if (ret)
		return ret;
	return drv_region_release(drv, r, "UNMAP_BLOB", REQ_UNMAP_GONE);
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
