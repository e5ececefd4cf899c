/* SPDX-License-Identifier: MIT */
/*
 * The host-visible region (shm id 1): which ranges hold which blob.  The
 * device only does the bookkeeping and the checks; placing memory is the
 * transport's (ops->shm_map / shm_unmap), and an UNMAP is answered only after
 * shm_unmap returned, i.e. once the range no longer reaches the memory.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ERR_UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC
#define ERR_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ERR_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID

/* Bytes a blob occupies in the region: its size rounded up to whole pages. */
static uint64_t map_len(const struct vgb_resource *res)
{
	return (res->size + VGB_PAGE - 1) & ~(uint64_t)(VGB_PAGE - 1);
}

static struct vgb_resource *overlapping_mapping(struct vgb_device *dev, uint64_t off, uint64_t len)
{
	for (unsigned b = 0; b < VGB_RES_BUCKETS; b++)
		for (struct vgb_resource *r = dev->buckets[b]; r; r = r->next)
			if (r->mapped && r->map_offset < off + len && off < r->map_offset + map_len(r))
				return r;
	return NULL;
}

/* OK_MAP_INFO with the cache type the mapping really has (the configured one, or the renderer's). */
static uint32_t map_info(struct vgb_device *dev, const struct vgb_resource *res, struct vgb_reply *rep)
{
	uint32_t cache = res->renderer ? res->map_info & VIRTIO_GPU_MAP_CACHE_MASK : dev->cfg.map_cache;
	if (vgb_broken(dev, VGB_BREAK_MAP_INFO_NONE))
		cache = VIRTIO_GPU_MAP_CACHE_NONE;
	else if (vgb_broken(dev, VGB_BREAK_MAP_INFO_WRONG))
		cache = cache == VIRTIO_GPU_MAP_CACHE_CACHED ? VIRTIO_GPU_MAP_CACHE_WC
							     : VIRTIO_GPU_MAP_CACHE_CACHED;
	struct virtio_gpu_resp_map_info info = {.map_info = vgb_to_le32(cache)};
	memcpy(rep->buf, &info, sizeof(info));
	rep->len = sizeof(info);
	rep->type = VIRTIO_GPU_RESP_OK_MAP_INFO;
	return VGB_DECODE_OK;
}

/*
 * Break map-stale-copy (conformance self-tests only): the region gets a
 * snapshot of a context object's blob (larger than a page) taken now, so guest writes never reach the blob and
 * host writes never reach the guest, while MAP still answers OK_MAP_INFO.
 */
static int map_stale_copy(struct vgb_device *dev, struct vgb_resource *res, uint64_t off, uint64_t len)
{
	if (!res->host.ptr || !dev->ops.shm_map)
		return -ENOTSUP;
	int fd = memfd_create("vgb-stale-copy", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int err = 0;
	if (ftruncate(fd, (off_t)len) < 0) {
		err = -errno;
	} else {
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			err = -errno;
		} else {
			memcpy(p, res->host.ptr, res->size);
			munmap(p, len);
			err = dev->ops.shm_map(dev->ops.opaque, fd, 0, off, len, true);
		}
	}
	close(fd); /* the front-end holds its own reference once mapped */
	return err;
}

uint32_t vgb_cmd_map_blob(struct vgb_device *dev, const struct vgb_cmd *cmd, struct vgb_reply *rep)
{
	uint32_t id = cmd->u.map.resource_id;
	uint64_t off = cmd->u.map.offset;
	if (!dev->cfg.region_size)
		return vgb_reject(dev, VGB_DRV_MAP_NO_REGION, ERR_UNSPEC, "MAP_BLOB without a region");
	struct vgb_resource *res = vgb_res_find(dev, id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "MAP_BLOB: unknown resource %u", id);
	bool host_blob = res->blob && res->blob_mem != VIRTIO_GPU_BLOB_MEM_GUEST;
	if (host_blob && !(res->blob_flags & VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE))
		vgb_violation(dev, VGB_DRV_BLOB_NOT_MAPPABLE, "MAP_BLOB of blob %u created without USE_MAPPABLE",
			      id);
	if (!host_blob || !(res->blob_flags & VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE))
		return vgb_reject(dev, VGB_DRV_MAP_NOT_MAPPABLE, ERR_PARAM,
				  "resource %u is not a mappable host blob", id);
	if (res->mapped && vgb_broken(dev, VGB_BREAK_MAP_DOUBLE_OK))
		return map_info(dev, res, rep);
	if (res->mapped)
		return vgb_reject(dev, VGB_DRV_MAP_TWICE, ERR_PARAM, "blob %u already mapped at %llu", id,
				  (unsigned long long)res->map_offset);
	if (off % vgb_granularity(dev) && !vgb_broken(dev, VGB_BREAK_MAP_UNALIGNED_OK))
		return vgb_reject(dev, VGB_DRV_MAP_OFFSET_ALIGN, ERR_PARAM,
				  "map offset %llu not a multiple of %u", (unsigned long long)off,
				  vgb_granularity(dev));
	uint64_t len = map_len(res);
	if (!vgb_range_ok(off, len, dev->cfg.region_size))
		return vgb_reject(dev, VGB_DRV_MAP_PAST_END, ERR_PARAM,
				  "map [%llu, +%llu) past the region end (%llu)", (unsigned long long)off,
				  (unsigned long long)len, (unsigned long long)dev->cfg.region_size);
	struct vgb_resource *other = overlapping_mapping(dev, off, len);
	if (other)
		return vgb_reject(dev, VGB_DRV_MAP_OVERLAP, ERR_PARAM,
				  "map [%llu, +%llu) overlaps blob %u", (unsigned long long)off,
				  (unsigned long long)len, other->id);
	if (res->host.fd < 0) {
		/* A renderer blob whose memory is no fd (REQ-DEV-MAP-0250): still usable, never mappable. */
		vgb_log(dev, "MAP_BLOB %u: the memory cannot be placed in the region: %s", id,
			res->unplaceable ? res->unplaceable : "no fd");
		return ERR_UNSPEC;
	}
	/* The break spares what a context needs to keep working (blob_id 0, e.g. Venus rings, and
	 * single-page blobs, e.g. Venus's fence feedback): a device that bounces larger blobs. */
	bool stale = vgb_broken(dev, VGB_BREAK_MAP_STALE_COPY) && res->blob_id != 0 && res->size > VGB_PAGE;
	int err = stale ? map_stale_copy(dev, res, off, len)
	      : dev->ops.shm_map ? dev->ops.shm_map(dev->ops.opaque, res->host.fd, res->host.fd_offset, off, len, true)
				 : -1;
	if (err) {
		vgb_log(dev, "MAP_BLOB %u: the transport could not place the memory (%d)", id, err);
		return ERR_UNSPEC;
	}
	res->mapped = true;
	res->map_offset = off;
	return map_info(dev, res, rep);
}

int vgb_region_unmap(struct vgb_device *dev, struct vgb_resource *res)
{
	int err = dev->ops.shm_unmap ? dev->ops.shm_unmap(dev->ops.opaque, res->map_offset, map_len(res))
				     : 0;
	if (err) {
		vgb_log(dev, "unmap of blob %u at %llu failed (%d)", res->id,
			(unsigned long long)res->map_offset, err);
		return err;
	}
	res->mapped = false;
	return 0;
}

void vgb_device_forget_mappings(struct vgb_device *dev)
{
	for (unsigned b = 0; b < VGB_RES_BUCKETS; b++)
		for (struct vgb_resource *r = dev->buckets[b]; r; r = r->next)
			r->mapped = false;
}

uint32_t vgb_cmd_unmap_blob(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	uint32_t id = cmd->u.res.resource_id;
	if (!dev->cfg.region_size)
		return vgb_reject(dev, VGB_DRV_MAP_NO_REGION, ERR_UNSPEC, "UNMAP_BLOB without a region");
	struct vgb_resource *res = vgb_res_find(dev, id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "UNMAP_BLOB: unknown resource %u", id);
	if (!res->mapped)
		return vgb_reject(dev, VGB_DRV_UNMAP_UNMAPPED, ERR_PARAM, "blob %u is not mapped", id);
	if (vgb_broken(dev, VGB_BREAK_UNMAP_KEEPS_MAPPING)) {
		res->mapped = false; /* forgotten, but the range still reaches the memory */
		return VGB_DECODE_OK;
	}
	return vgb_region_unmap(dev, res) ? ERR_UNSPEC : VGB_DECODE_OK;
}
