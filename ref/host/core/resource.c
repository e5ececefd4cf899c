/* SPDX-License-Identifier: MIT */
/* The resource table, 2D resources, and guest backing attach/detach. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define ERR_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ERR_UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC
#define ERR_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define ERR_OOM VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY

static struct vgb_resource **bucket(struct vgb_device *dev, uint32_t id)
{
	return &dev->buckets[(id * 2654435761u) >> 24 & (VGB_RES_BUCKETS - 1)];
}

struct vgb_resource *vgb_res_find(struct vgb_device *dev, uint32_t id)
{
	for (struct vgb_resource *r = *bucket(dev, id); r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

uint32_t vgb_res_new(struct vgb_device *dev, uint32_t id, struct vgb_resource **out)
{
	if (id == 0 || vgb_res_find(dev, id))
		return vgb_reject(dev, VGB_DRV_RES_ID_CREATE, ERR_RES, "resource id %u is 0 or in use", id);
	if (dev->nresources >= dev->cfg.max_resources || !vgb_charge(dev, sizeof(**out))) {
		vgb_log(dev, "resource %u: max_resources/max_host_memory reached", id);
		return ERR_OOM;
	}
	struct vgb_resource *r = calloc(1, sizeof(*r));
	if (!r) {
		vgb_uncharge(dev, sizeof(*r));
		return ERR_OOM;
	}
	r->id = id;
	r->host.fd = -1;
	vgb_validate_created(dev, id, false);
	r->next = *bucket(dev, id);
	*bucket(dev, id) = r;
	dev->nresources++;
	*out = r;
	return VGB_DECODE_OK;
}

void vgb_res_destroy(struct vgb_device *dev, struct vgb_resource *res)
{
	if (res->mapped)
		vgb_region_unmap(dev, res);
	for (uint32_t i = 0; i < dev->cfg.num_scanouts; i++)
		if (res->scanouts & (1u << i))
			vgb_scanout_disable(dev, i);
	vgb_backing_clear(dev, &res->backing);
	vgb_renderer_res_destroy(dev, res); /* the renderer lets go first; our fd and view after */
	vgb_hostmem_free(dev, &res->host);
	for (struct vgb_resource **p = bucket(dev, res->id); *p; p = &(*p)->next) {
		if (*p == res) {
			*p = res->next;
			break;
		}
	}
	dev->nresources--;
	vgb_uncharge(dev, sizeof(*res));
	free(res);
}

void vgb_res_destroy_all(struct vgb_device *dev)
{
	for (unsigned b = 0; b < VGB_RES_BUCKETS; b++)
		while (dev->buckets[b])
			vgb_res_destroy(dev, dev->buckets[b]);
}

uint32_t vgb_backing_set(struct vgb_device *dev, struct vgb_backing *b, const struct vgb_entry *e,
			 uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!dev->mem || !vgb_mem_gpa_valid(dev->mem, e[i].addr, e[i].length))
			return vgb_reject(dev, VGB_DRV_ENTRY_OUTSIDE, ERR_UNSPEC,
					  "entry %u [0x%llx, +%u) outside guest memory", i,
					  (unsigned long long)e[i].addr, e[i].length);
	if (vgb_entries_overlap(e, n, dev->scratch))
		return vgb_reject(dev, VGB_DRV_ENTRY_OVERLAP, ERR_UNSPEC, "%u entries overlap", n);
	uint64_t bytes = (uint64_t)n * (sizeof(*b->entries) + sizeof(*b->starts));
	if (!vgb_charge(dev, bytes))
		return ERR_OOM;
	b->entries = malloc((size_t)n * sizeof(*b->entries));
	b->starts = malloc((size_t)n * sizeof(*b->starts));
	if (!b->entries || !b->starts) {
		free(b->entries);
		free(b->starts);
		*b = (struct vgb_backing){0};
		vgb_uncharge(dev, bytes);
		return ERR_OOM;
	}
	memcpy(b->entries, e, (size_t)n * sizeof(*e));
	b->size = 0;
	for (uint32_t i = 0; i < n; i++) {
		b->starts[i] = b->size;
		b->size += e[i].length;
	}
	b->n = n;
	b->valid_mem = dev->mem; /* every entry was just found inside it */
	b->valid_gen = dev->mem_gen;
	return VGB_DECODE_OK;
}

void vgb_backing_clear(struct vgb_device *dev, struct vgb_backing *b)
{
	if (b->n)
		vgb_uncharge(dev, (uint64_t)b->n * (sizeof(*b->entries) + sizeof(*b->starts)));
	free(b->entries);
	free(b->starts);
	*b = (struct vgb_backing){0};
}

/* A resource with a linear host image of width x height pixels of bpp bytes. */
static uint32_t create_image(struct vgb_device *dev, uint32_t id, uint32_t format, uint32_t width,
			     uint32_t height, uint32_t bpp)
{
	struct vgb_resource *res;
	uint32_t rc = vgb_res_new(dev, id, &res);
	if (rc)
		return rc;
	res->format = format;
	res->width = width;
	res->height = height;
	res->bpp = bpp;
	res->stride = (uint64_t)width * bpp;
	res->size = res->stride * height; /* <= max_blob_size, checked before */
	if (vgb_hostmem_alloc(dev, &res->host, res->size, false) < 0) {
		vgb_log(dev, "resource %u: %llu bytes exceed host memory", id,
			(unsigned long long)res->size);
		vgb_res_destroy(dev, res);
		return ERR_OOM;
	}
	return VGB_DECODE_OK;
}

uint32_t vgb_cmd_create_2d(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.create_2d) *c = &cmd->u.create_2d;
	return create_image(dev, c->resource_id, c->format, c->width, c->height,
			    vgb_format_bpp(c->format));
}

/*
 * The reference context has the simplest 3D resources only, enough for a
 * driver's buffers and textures to round-trip through TRANSFER_*_3D: buffers
 * (width bytes) and single-level 2D textures of a 4-byte format.
 */
#define PIPE_BUFFER 0
#define PIPE_TEXTURE_2D 2
#define PIPE_TEXTURE_RECT 4

uint32_t vgb_cmd_create_3d(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.create_3d) *c = &cmd->u.create_3d;
	bool buffer = c->target == PIPE_BUFFER;
	bool texture = c->target == PIPE_TEXTURE_2D || c->target == PIPE_TEXTURE_RECT;
	uint32_t bpp = buffer ? 1 : vgb_format_bpp(c->format);
	if ((!buffer && !texture) || !bpp || !c->width || !c->height || c->depth != 1 ||
	    c->array_size != 1 || c->last_level != 0 || c->nr_samples > 1 || (buffer && c->height != 1))
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM,
				  "RESOURCE_CREATE_3D target %u format %u %ux%ux%u: not a buffer or a "
				  "single-level 2D texture",
				  c->target, c->format, c->width, c->height, c->depth);
	uint64_t bytes;
	if (__builtin_mul_overflow((uint64_t)c->width * bpp, (uint64_t)c->height, &bytes) ||
	    bytes > dev->cfg.max_blob_size)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "RESOURCE_CREATE_3D above max_blob_size");
	return create_image(dev, c->resource_id, c->format, c->width, c->height, bpp);
}

uint32_t vgb_cmd_unref(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	struct vgb_resource *res = vgb_res_find(dev, cmd->u.res.resource_id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "UNREF of unknown resource %u",
				  cmd->u.res.resource_id);
	if (vgb_broken(dev, VGB_BREAK_UNREF_KEEPS_MAPPING))
		res->mapped = false; /* forgotten, but the range still reaches the memory */
	vgb_res_destroy(dev, res); /* implicit unmap, scanouts disabled */
	return VGB_DECODE_OK;
}

uint32_t vgb_cmd_attach_backing(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	uint32_t id = cmd->u.attach.resource_id;
	struct vgb_resource *res = vgb_res_find(dev, id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "ATTACH_BACKING: unknown resource %u", id);
	if (res->backing.n)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_UNSPEC, "resource %u already has backing", id);
	if (res->blob && res->blob_mem == VIRTIO_GPU_BLOB_MEM_HOST3D)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_PARAM, "HOST3D blob %u has no guest storage", id);
	if (res->blob && cmd->u.attach.total < res->size)
		return vgb_reject(dev, VGB_DRV_BLOB_ENTRIES_SHORT, ERR_PARAM, "entries of blob %u cover %llu < %llu bytes",
				  id, (unsigned long long)cmd->u.attach.total,
				  (unsigned long long)res->size);
	return vgb_backing_set(dev, &res->backing, dev->entries, cmd->u.attach.nr_entries);
}

uint32_t vgb_cmd_detach_backing(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	uint32_t id = cmd->u.res.resource_id;
	struct vgb_resource *res = vgb_res_find(dev, id);
	if (!res)
		return vgb_reject(dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "DETACH_BACKING: unknown resource %u", id);
	if (!res->backing.n)
		return vgb_reject(dev, VGB_DRV_NONE, ERR_UNSPEC, "resource %u has no backing", id);
	if (res->scanouts)
		return vgb_reject(dev, VGB_DRV_DETACH_SCANNED_OUT, ERR_PARAM,
				  "resource %u is scanned out (mask 0x%x)", id, res->scanouts);
	vgb_backing_clear(dev, &res->backing);
	return VGB_DECODE_OK;
}
