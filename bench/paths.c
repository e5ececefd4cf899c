// SPDX-License-Identifier: MIT
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "vgb/refctx.h"
#include "vgb/wire.h"

#define PAGE 4096u

const char *path_name(enum path_kind kind)
{
	switch (kind) {
	case PATH_TRANSFER:
		return "transfer";
	case PATH_GUEST_BLOB:
		return "guest-blob";
	case PATH_HOST3D_MAPPED:
		return "host3d-mapped";
	}
	return "?";
}

const char *path_unsupported(struct backend *be, enum path_kind kind)
{
	if (kind == PATH_TRANSFER)
		return NULL;
	if (!backend_has(be, VIRTIO_GPU_F_RESOURCE_BLOB))
		return "backend offers no VIRTIO_GPU_F_RESOURCE_BLOB";
	if (kind == PATH_HOST3D_MAPPED) {
		if (!be->shm)
			return "backend has no host-visible region";
		return backend_refctx(be);
	}
	return NULL;
}

static int fail(struct path *p, int rc, const char *what)
{
	snprintf(p->err, sizeof(p->err), "%s %s on %s: %s", path_name(p->kind), what, p->be->name,
		 p->be->gpu.err[0] ? p->be->gpu.err : strerror(rc < 0 ? -rc : rc));
	return rc ? rc : -EIO;
}

/* Scattered single pages, the way a guest kernel's page allocator hands them out. */
static int alloc_pages(struct path *p, uint64_t bytes)
{
	p->npages = (unsigned)(round_up(bytes, PAGE) / PAGE);
	p->gpas = calloc(p->npages, sizeof(*p->gpas));
	p->pages = calloc(p->npages, sizeof(*p->pages));
	if (!p->gpas || !p->pages)
		return -ENOMEM;
	int rc = vgb_fe_alloc_pages(p->be->fe, p->npages, true, p->gpas);
	if (rc) {
		free(p->gpas);
		p->gpas = NULL;
		snprintf(p->be->gpu.err, sizeof(p->be->gpu.err), "guest RAM exhausted (%u pages)", p->npages);
		return rc;
	}
	for (unsigned i = 0; i < p->npages; i++) {
		p->pages[i] = vgb_fe_gpa_ptr(p->be->fe, p->gpas[i], PAGE);
		if (!p->pages[i])
			return -EFAULT;
		memset(p->pages[i], 0, PAGE); /* fault the pages in before timing */
	}
	return 0;
}

int paths_create_host3d(struct backend *be, uint32_t id, uint64_t blob_id, uint64_t size)
{
	struct vgb_refctx_alloc a = {
		.hdr = {vgb_to_le32(VGB_REFCTX_ALLOC), vgb_to_le32(sizeof(a))},
		.blob_id = vgb_to_le64(blob_id),
		.size = vgb_to_le64(size),
	};
	int rc = gpu_submit_3d(&be->gpu, be->ctx_id, &a, sizeof(a), false);
	if (rc)
		return rc;
	rc = gpu_create_blob(&be->gpu, be->ctx_id, id, VIRTIO_GPU_BLOB_MEM_HOST3D,
			     VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, blob_id, size, NULL, 0, 0);
	/* Like a guest kernel, attach the new resource so context commands may name it. */
	return rc ? rc : gpu_ctx_attach(&be->gpu, be->ctx_id, id);
}

static int map_blob(struct backend *be, uint32_t id, uint64_t size, uint64_t *offset, uint8_t **map)
{
	*offset = backend_shm_alloc(be, size);
	if (*offset == UINT64_MAX) {
		snprintf(be->gpu.err, sizeof(be->gpu.err), "host-visible region too small (%llu bytes)",
			 (unsigned long long)be->shm_size);
		return -ENOSPC;
	}
	uint32_t map_info = 0;
	int rc = gpu_map_blob(&be->gpu, id, *offset, &map_info);
	if (rc)
		return rc;
	if (!vgb_fe_shm_mapped(be->fe, VIRTIO_GPU_SHM_ID_HOST_VISIBLE, *offset, size)) {
		snprintf(be->gpu.err, sizeof(be->gpu.err), "MAP_BLOB answered OK but the range is not mapped");
		return -EIO;
	}
	*map = be->shm + *offset;
	return 0;
}

int path_setup(struct path *p, struct backend *be, enum path_kind kind, const struct frame *f)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->be = be;
	p->frame = *f;
	p->size = round_up(f->bytes, be->alignment);
	p->resource_id = backend_new_resource(be);
	be->gpu.err[0] = 0;
	int rc;
	switch (kind) {
	case PATH_TRANSFER:
		if ((rc = alloc_pages(p, f->bytes)))
			return fail(p, rc, "pages");
		if ((rc = gpu_create_2d(&be->gpu, p->resource_id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, f->width,
					f->height)))
			return fail(p, rc, "RESOURCE_CREATE_2D");
		p->created = true;
		if ((rc = gpu_attach_backing(&be->gpu, p->resource_id, p->gpas, p->npages, PAGE)))
			return fail(p, rc, "ATTACH_BACKING");
		break;
	case PATH_GUEST_BLOB:
		if ((rc = alloc_pages(p, p->size)))
			return fail(p, rc, "pages");
		if ((rc = gpu_create_blob(&be->gpu, 0, p->resource_id, VIRTIO_GPU_BLOB_MEM_GUEST,
					  VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE, 0, p->size, p->gpas, p->npages, PAGE)))
			return fail(p, rc, "CREATE_BLOB(GUEST)");
		p->created = true;
		break;
	case PATH_HOST3D_MAPPED:
		p->blob_id = be->next_blob_id++;
		if ((rc = paths_create_host3d(be, p->resource_id, p->blob_id, p->size)))
			return fail(p, rc, "CREATE_BLOB(HOST3D)");
		p->created = true;
		if ((rc = map_blob(be, p->resource_id, p->size, &p->map_offset, &p->map)))
			return fail(p, rc, "MAP_BLOB");
		p->mapped = true;
		memset(p->map, 0, p->size); /* fault the mapping in before timing */
		break;
	}
	return 0;
}

static void write_pages(struct path *p, const uint8_t *src)
{
	uint64_t left = p->frame.bytes;
	for (unsigned i = 0; left; i++) {
		uint32_t n = left < PAGE ? (uint32_t)left : PAGE;
		memcpy(p->pages[i], src, n);
		src += n;
		left -= n;
	}
}

int path_upload(struct path *p, const uint8_t *src, double *write_s, double *command_s, double *host_cpu_s)
{
	struct gpu *g = &p->be->gpu;
	double t0 = now_seconds();
	if (p->kind == PATH_HOST3D_MAPPED)
		memcpy(p->map, src, p->frame.bytes);
	else
		write_pages(p, src);
	double cpu0 = backend_cpu(p->be, NULL);
	double t1 = now_seconds();
	int rc;
	if (p->kind == PATH_HOST3D_MAPPED)
		rc = gpu_transfer_3d_bytes(g, p->be->ctx_id, p->resource_id, 0, (uint32_t)p->frame.bytes);
	else
		rc = gpu_transfer_2d(g, p->resource_id, p->frame.width, p->frame.height);
	double t2 = now_seconds();
	*host_cpu_s = backend_cpu(p->be, NULL) - cpu0;
	if (rc)
		return fail(p, rc, "upload command");
	*write_s = t1 - t0;
	*command_s = t2 - t1;
	return 0;
}

/* A one-page mapped HOST3D blob the host writes checksums into. */
static int result_blob(struct backend *be)
{
	if (be->result_map)
		return 0;
	uint32_t id = backend_new_resource(be);
	uint64_t offset;
	uint8_t *map;
	int rc = paths_create_host3d(be, id, be->next_blob_id++, be->alignment);
	if (rc)
		return rc;
	if ((rc = map_blob(be, id, be->alignment, &offset, &map))) {
		gpu_unref(&be->gpu, id);
		return rc;
	}
	be->result_id = id;
	be->result_map = map;
	return 0;
}

void paths_prepare(struct backend *be)
{
	if (!path_unsupported(be, PATH_HOST3D_MAPPED) && !result_blob(be))
		be->shm_floor = be->shm_next;
}

static int host_checksum(struct path *p, uint64_t *sum)
{
	struct backend *be = p->be;
	int rc = result_blob(be);
	if (rc)
		return rc;
	struct vgb_refctx_checksum c = {
		.hdr = {vgb_to_le32(VGB_REFCTX_CHECKSUM), vgb_to_le32(sizeof(c))},
		.resource_id = vgb_to_le32(p->resource_id),
		.dst_resource_id = vgb_to_le32(be->result_id),
		.offset = 0,
		.size = vgb_to_le64(p->frame.bytes),
		.dst_offset = 0,
	};
	if ((rc = gpu_submit_3d(&be->gpu, be->ctx_id, &c, sizeof(c), true)))
		return rc;
	uint64_t le;
	memcpy(&le, (const uint8_t *)be->result_map, sizeof(le));
	*sum = vgb_le64(le);
	return 0;
}

/* The 2D path has no blob to hash: show it on scanout 0 and compare what the display received. */
static int verify_scanout(struct path *p, const uint8_t *src)
{
	struct gpu *g = &p->be->gpu;
	const struct frame *f = &p->frame;
	int rc = gpu_set_scanout(g, 0, p->resource_id, f->width, f->height);
	if (!rc)
		rc = gpu_flush(g, p->resource_id, f->width, f->height);
	if (rc)
		return fail(p, rc, "verify (SET_SCANOUT/RESOURCE_FLUSH)");
	vgb_fe_poll(p->be->fe, 50); /* display messages may trail the response */
	const struct vgb_fe_scanout *s = vgb_fe_scanout(p->be->fe, 0);
	bool same = s && s->pixels && s->width == f->width && s->height == f->height &&
		    !memcmp(s->pixels, src, f->bytes);
	gpu_set_scanout(g, 0, 0, 0, 0);
	if (!same) {
		snprintf(p->err, sizeof(p->err), "transfer on %s: the display did not show the uploaded frame",
			 p->be->name);
		return -EIO;
	}
	return 0;
}

int path_verify(struct path *p, const uint8_t *src)
{
	struct backend *be = p->be;
	if (p->kind == PATH_TRANSFER)
		return verify_scanout(p, src);
	if (backend_refctx(be))
		return 1;
	int rc;
	if (p->kind == PATH_GUEST_BLOB && (rc = gpu_ctx_attach(&be->gpu, be->ctx_id, p->resource_id)))
		return fail(p, rc, "verify (CTX_ATTACH_RESOURCE)");
	uint64_t host;
	if ((rc = host_checksum(p, &host)))
		return fail(p, rc, "verify (refctx CHECKSUM)");
	uint64_t guest = vgb_fnv1a64(src, p->frame.bytes, VGB_FNV1A64_INIT);
	if (host != guest) {
		snprintf(p->err, sizeof(p->err), "%s on %s: host checksum %016llx, guest %016llx",
			 path_name(p->kind), be->name, (unsigned long long)host, (unsigned long long)guest);
		return -EIO;
	}
	return 0;
}

void path_teardown(struct path *p)
{
	struct backend *be = p->be;
	if (!be)
		return;
	if (p->mapped)
		gpu_unmap_blob(&be->gpu, p->resource_id);
	if (p->created)
		gpu_unref(&be->gpu, p->resource_id);
	if (p->gpas) {
		for (unsigned i = 0; i < p->npages; i++)
			vgb_fe_free(be->fe, p->gpas[i], PAGE);
	}
	free(p->gpas);
	free(p->pages);
	memset(p, 0, sizeof(*p));
}
