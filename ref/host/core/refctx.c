/* SPDX-License-Identifier: MIT */
/*
 * SUBMIT_3D of the reference context (vgb/refctx.h): a stream of small
 * commands standing for a host GPU that allocates objects and reads and
 * writes blob memory.  Every field is checked; the first invalid command
 * stops the stream (the ones before it keep their effect).  Ranges name the
 * host view of a blob: host memory of HOST3D*, the guest pages of GUEST.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "vgb/refctx.h"

#define ERR_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ERR_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define ERR_OOM VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY

#define CHUNK 4096 /* bounce buffer for blobs whose view is scattered guest pages */

struct stream {
	struct vgb_device *dev;
	struct vgb_context *ctx;
	const uint8_t *cmd; /* current command, `length` bytes */
	uint32_t length;
};

#define BAD(s, ...) vgb_reject((s)->dev, VGB_DRV_NONE, ERR_PARAM, __VA_ARGS__)

/* A blob attached to the stream's context; unknown or unattached ids are unknown resources. */
static uint32_t stream_blob(struct stream *s, uint32_t id, struct vgb_resource **out)
{
	struct vgb_resource *res = vgb_res_find(s->dev, id);
	if (!res)
		return vgb_reject(s->dev, VGB_DRV_RES_ID_UNKNOWN, ERR_RES, "refctx: unknown resource %u",
				  id);
	if (!(res->ctx_slots & (1ull << (s->ctx - s->dev->ctx))))
		return vgb_reject(s->dev, VGB_DRV_REFCTX_UNATTACHED, ERR_RES,
				  "refctx: resource %u not attached to context %u", id, s->ctx->id);
	if (!res->blob)
		return BAD(s, "refctx: resource %u is not a blob", id);
	*out = res;
	return VGB_DECODE_OK;
}

static uint32_t io_failed(struct stream *s, struct vgb_resource *res)
{
	return vgb_reject(s->dev, VGB_DRV_ENTRY_OUTSIDE, ERR_PARAM,
			  "refctx: pages of blob %u no longer inside guest memory", res->id);
}

static uint32_t range(struct stream *s, struct vgb_resource *res, uint64_t off, uint64_t len)
{
	if (!vgb_range_ok(off, len, res->size))
		return BAD(s, "refctx: range [%llu, +%llu) outside blob %u of %llu bytes",
			   (unsigned long long)off, (unsigned long long)len, res->id,
			   (unsigned long long)res->size);
	if (!res->host.ptr && !res->backing.n)
		return BAD(s, "refctx: GUEST blob %u has no pages", res->id);
	if (!res->host.ptr && len && !vgb_backing_ok(s->dev, &res->backing, off, len))
		return io_failed(s, res); /* checked first: a failing command has no effect */
	return VGB_DECODE_OK;
}

static uint32_t op_alloc(struct stream *s)
{
	struct vgb_refctx_alloc a;
	memcpy(&a, s->cmd, sizeof(a));
	uint64_t id = vgb_le64(a.blob_id), size = vgb_le64(a.size);
	struct vgb_device *dev = s->dev;
	if (id == 0)
		return BAD(s, "refctx ALLOC: blob_id 0");
	for (struct vgb_hostobj *o = s->ctx->objects; o; o = o->next)
		if (o->blob_id == id)
			return BAD(s, "refctx ALLOC: blob_id %llu exists", (unsigned long long)id);
	if (size == 0 || size % vgb_granularity(dev) || size > dev->cfg.max_blob_size)
		return BAD(s, "refctx ALLOC: size %llu (alignment %u, max %llu)", (unsigned long long)size,
			   vgb_granularity(dev), (unsigned long long)dev->cfg.max_blob_size);
	if (dev->nobjects >= dev->cfg.max_resources || !vgb_charge(dev, sizeof(struct vgb_hostobj)))
		return ERR_OOM;
	struct vgb_hostobj *o = calloc(1, sizeof(*o));
	if (!o || vgb_hostmem_alloc(dev, &o->mem, size, true) < 0) {
		free(o);
		vgb_uncharge(dev, sizeof(*o));
		vgb_log(dev, "refctx ALLOC of %llu bytes: host memory exhausted", (unsigned long long)size);
		return ERR_OOM;
	}
	o->blob_id = id;
	o->next = s->ctx->objects;
	s->ctx->objects = o;
	dev->nobjects++;
	return VGB_DECODE_OK;
}

static uint32_t op_free(struct stream *s)
{
	struct vgb_refctx_free f;
	memcpy(&f, s->cmd, sizeof(f));
	struct vgb_hostobj *o = vgb_ctx_take_object(s->ctx, vgb_le64(f.blob_id));
	if (!o)
		return BAD(s, "refctx FREE: no object %llu", (unsigned long long)vgb_le64(f.blob_id));
	vgb_hostmem_free(s->dev, &o->mem);
	vgb_uncharge(s->dev, sizeof(*o));
	s->dev->nobjects--;
	free(o);
	return VGB_DECODE_OK;
}

/* FILL and PATTERN: word i of the range comes from gen(i). */
static uint32_t write_words(struct stream *s, struct vgb_resource *res, uint64_t off, uint64_t size,
			    uint32_t (*gen)(uint32_t arg, uint64_t i), uint32_t arg)
{
	if (off % 4 || size % 4)
		return BAD(s, "refctx: offset %llu / size %llu not multiples of 4",
			   (unsigned long long)off, (unsigned long long)size);
	uint32_t rc = range(s, res, off, size);
	if (rc)
		return rc;
	uint32_t buf[CHUNK / 4];
	for (uint64_t done = 0; done < size;) {
		uint64_t n = size - done < CHUNK ? size - done : CHUNK;
		for (uint64_t w = 0; w < n / 4; w++)
			buf[w] = vgb_to_le32(gen(arg, done / 4 + w));
		if (vgb_blob_write(s->dev, res, off + done, buf, n) < 0)
			return io_failed(s, res);
		done += n;
	}
	return VGB_DECODE_OK;
}

static uint32_t fill_word(uint32_t value, uint64_t i) { return value; }

static uint32_t op_fill(struct stream *s)
{
	struct vgb_refctx_fill f;
	memcpy(&f, s->cmd, sizeof(f));
	struct vgb_resource *res;
	uint32_t rc = stream_blob(s, vgb_le32(f.resource_id), &res);
	return rc ? rc : write_words(s, res, vgb_le64(f.offset), vgb_le64(f.size), fill_word,
				     vgb_le32(f.value));
}

static uint32_t op_pattern(struct stream *s)
{
	struct vgb_refctx_pattern p;
	memcpy(&p, s->cmd, sizeof(p));
	struct vgb_resource *res;
	uint32_t rc = stream_blob(s, vgb_le32(p.resource_id), &res);
	return rc ? rc : write_words(s, res, vgb_le64(p.offset), vgb_le64(p.size),
				     vgb_refctx_pattern_word, vgb_le32(p.seed));
}

static uint32_t op_write(struct stream *s)
{
	struct vgb_refctx_write w;
	memcpy(&w, s->cmd, sizeof(w));
	uint32_t size = vgb_le32(w.size);
	uint64_t off = vgb_le64(w.offset);
	if (s->length != sizeof(w) + (((uint64_t)size + 3) & ~3ull))
		return vgb_reject(s->dev, VGB_DRV_REFCTX_LENGTH, ERR_PARAM, "refctx WRITE: length %u for %u bytes", s->length, size);
	struct vgb_resource *res;
	uint32_t rc = stream_blob(s, vgb_le32(w.resource_id), &res);
	if (!rc)
		rc = range(s, res, off, size);
	if (!rc && vgb_blob_write(s->dev, res, off, s->cmd + sizeof(w), size) < 0)
		rc = io_failed(s, res);
	return rc;
}

static uint32_t op_copy(struct stream *s)
{
	struct vgb_refctx_copy c;
	memcpy(&c, s->cmd, sizeof(c));
	uint64_t so = vgb_le64(c.src_offset), dof = vgb_le64(c.dst_offset), size = vgb_le64(c.size);
	struct vgb_resource *src, *dst;
	uint32_t rc = stream_blob(s, vgb_le32(c.src_resource_id), &src);
	if (!rc)
		rc = stream_blob(s, vgb_le32(c.dst_resource_id), &dst);
	if (!rc)
		rc = range(s, src, so, size);
	if (!rc)
		rc = range(s, dst, dof, size);
	if (rc)
		return rc;
	/* memmove semantics within one blob: walk backwards when dst is after an overlapping src. */
	bool backwards = src == dst && dof > so && dof - so < size;
	uint8_t buf[CHUNK];
	for (uint64_t done = 0; done < size;) {
		uint64_t n = size - done < CHUNK ? size - done : CHUNK;
		uint64_t at = backwards ? size - done - n : done;
		if (vgb_blob_read(s->dev, src, so + at, buf, n) < 0)
			return io_failed(s, src);
		if (vgb_blob_write(s->dev, dst, dof + at, buf, n) < 0)
			return io_failed(s, dst);
		done += n;
	}
	return VGB_DECODE_OK;
}

static uint32_t op_checksum(struct stream *s)
{
	struct vgb_refctx_checksum c;
	memcpy(&c, s->cmd, sizeof(c));
	uint64_t off = vgb_le64(c.offset), size = vgb_le64(c.size), dof = vgb_le64(c.dst_offset);
	struct vgb_resource *res, *dst;
	uint32_t rc = stream_blob(s, vgb_le32(c.resource_id), &res);
	if (!rc)
		rc = stream_blob(s, vgb_le32(c.dst_resource_id), &dst);
	if (!rc)
		rc = range(s, res, off, size);
	if (!rc)
		rc = range(s, dst, dof, sizeof(uint64_t));
	if (rc)
		return rc;
	if (size && vgb_broken(s->dev, VGB_BREAK_CHECKSUM_OFF_BY_ONE))
		size--;
	uint64_t h = VGB_FNV1A64_INIT;
	uint8_t buf[CHUNK];
	for (uint64_t done = 0; done < size;) {
		uint64_t n = size - done < CHUNK ? size - done : CHUNK;
		if (vgb_blob_read(s->dev, res, off + done, buf, n) < 0)
			return io_failed(s, res);
		h = vgb_fnv1a64(buf, n, h);
		done += n;
	}
	uint64_t le = vgb_to_le64(h);
	return vgb_blob_write(s->dev, dst, dof, &le, sizeof(le)) < 0 ? io_failed(s, dst)
								    : VGB_DECODE_OK;
}

static const struct {
	uint32_t length; /* exact length; WRITE: the minimum, checked again by op_write */
	uint32_t (*run)(struct stream *s);
} ops[] = {
	[VGB_REFCTX_ALLOC] = {sizeof(struct vgb_refctx_alloc), op_alloc},
	[VGB_REFCTX_FREE] = {sizeof(struct vgb_refctx_free), op_free},
	[VGB_REFCTX_FILL] = {sizeof(struct vgb_refctx_fill), op_fill},
	[VGB_REFCTX_WRITE] = {sizeof(struct vgb_refctx_write), op_write},
	[VGB_REFCTX_COPY] = {sizeof(struct vgb_refctx_copy), op_copy},
	[VGB_REFCTX_CHECKSUM] = {sizeof(struct vgb_refctx_checksum), op_checksum},
	[VGB_REFCTX_PATTERN] = {sizeof(struct vgb_refctx_pattern), op_pattern},
};

uint32_t vgb_cmd_submit_3d(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	struct stream s = {.dev = dev, .ctx = vgb_ctx_find(dev, cmd->ctx_id)};
	if (!s.ctx)
		return vgb_reject(dev, VGB_DRV_NONE, VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
				  "SUBMIT_3D in unknown context %u", cmd->ctx_id);
	if (s.ctx->renderer)
		return vgb_renderer_submit(dev, s.ctx, cmd);
	const uint8_t *p = cmd->u.submit.data;
	uint32_t left = cmd->u.submit.size;
	while (left > 0) {
		struct vgb_refctx_hdr h;
		if (left < sizeof(h))
			return BAD(&s, "refctx: %u trailing bytes", left);
		memcpy(&h, p, sizeof(h));
		uint32_t op = vgb_le32(h.op), length = vgb_le32(h.length);
		if (length < sizeof(h) || length % 4 || length > left)
			return BAD(&s, "refctx: command length %u (%u bytes left)", length, left);
		if (op >= sizeof(ops) / sizeof(ops[0]) || !ops[op].run)
			return BAD(&s, "refctx: unknown op %u", op);
		if (op == VGB_REFCTX_WRITE ? length < ops[op].length : length != ops[op].length)
			return vgb_reject(dev, VGB_DRV_REFCTX_LENGTH, ERR_PARAM, "refctx: op %u with length %u", op, length);
		s.cmd = p;
		s.length = length;
		uint32_t rc = ops[op].run(&s);
		if (rc)
			return rc;
		p += length;
		left -= length;
	}
	return VGB_DECODE_OK;
}
