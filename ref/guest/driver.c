/* SPDX-License-Identifier: MIT */
/* Opening the device (negotiation, config, region) and the checked command path. */
#include "driver_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_BITS 0xffffffull /* device-specific feature bits 0..23 */
#define PAGE 4096u

void vgb_drv_options_defaults(struct vgb_drv_options *o)
{
	memset(o, 0, sizeof(*o));
	vgb_fe_options_defaults(&o->fe);
	o->features = VGB_DRV_FEATURES;
}

int drv_fail(struct vgb_drv *drv, int ret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(drv->err, sizeof(drv->err), fmt, ap);
	va_end(ap);
	return ret;
}

const char *vgb_drv_error(const struct vgb_drv *drv)
{
	return drv->err;
}

struct vgb_fe *vgb_drv_fe(struct vgb_drv *drv)
{
	return drv->fe;
}

const struct vgb_drv_caps *vgb_drv_caps(const struct vgb_drv *drv)
{
	return &drv->caps;
}

bool vgb_drv_has(const struct vgb_drv *drv, unsigned bit)
{
	return bit < 64 && (drv->caps.features >> bit) & 1;
}

uint32_t vgb_drv_last_resp_type(const struct vgb_drv *drv)
{
	return drv->last_resp_type;
}

uint32_t vgb_drv_new_resource_id(struct vgb_drv *drv)
{
	if (drv->next_resource_id == 0)
		drv->next_resource_id = 1;
	return drv->next_resource_id++;
}

uint64_t vgb_drv_region_used(const struct vgb_drv *drv)
{
	return drv->have_region ? drv->region.used : 0;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Features: what the device offered and the driver supports, and nothing else. */
static int check_features(struct vgb_drv *drv)
{
	uint64_t offered = vgb_fe_device_features(drv->fe);
	uint64_t neg = vgb_fe_features(drv->fe);
	if (neg & ~offered)
		return drv_fail(drv, -EPROTO, "negotiated features 0x%llx not all offered (0x%llx)",
				(unsigned long long)neg, (unsigned long long)offered);
	uint64_t dev = neg & DEVICE_BITS;
	if (dev & ~drv->opts.features)
		return drv_fail(drv, -EPROTO, "negotiated device features 0x%llx beyond what the driver supports",
				(unsigned long long)dev);
	/*
	 * The frontend accepts at start-up whatever is offered within the mask, so
	 * a device offering a dependent bit alone has made the driver accept it.
	 */
	uint64_t off = offered & DEVICE_BITS;
	if ((off >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1 && !((off >> VIRTIO_GPU_F_RESOURCE_BLOB) & 1))
		return drv_fail(drv, -EPROTO, "device error (%s): F_BLOB_ALIGNMENT without F_RESOURCE_BLOB",
				REQ_FEAT_ALIGNMENT_NEEDS_BLOB);
	if ((off >> VIRTIO_GPU_F_CONTEXT_INIT) & 1 && !((off >> VIRTIO_GPU_F_VIRGL) & 1))
		return drv_fail(drv, -EPROTO, "device error (%s): F_CONTEXT_INIT without F_VIRGL",
				REQ_FEAT_CONTEXT_INIT_NEEDS_VIRGL);
	drv->caps.features = dev;
	return 0;
}

static int read_config(struct vgb_drv *drv)
{
	struct vgb_gpu_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	uint32_t want = vgb_drv_has(drv, VIRTIO_GPU_F_BLOB_ALIGNMENT) ? VGB_GPU_CONFIG_SIZE_V14
								      : VGB_GPU_CONFIG_SIZE_V12;
	int ret = vgb_fe_get_config(drv->fe, &cfg, want);
	if (ret < 0)
		return drv_fail(drv, ret, "GET_CONFIG failed: %s", vgb_fe_error(drv->fe));
	if ((uint32_t)ret < want)
		return drv_fail(drv, -EPROTO, "device error (%s): config space is %d bytes, need %u",
				REQ_CFG_SIZE, ret, want);
	drv->caps.num_scanouts = vgb_le32(cfg.num_scanouts);
	drv->caps.num_capsets = vgb_le32(cfg.num_capsets);
	/*
	 * num_scanouts is the VMM's to fill in over vhost-user: QEMU's frontend
	 * overwrites it with its own output count, and QEMU's backend leaves it 0.
	 * This frontend passes the backend's bytes through and shows one output.
	 */
	if (drv->caps.num_scanouts == 0) {
		drv->caps.num_scanouts = 1;
		drv->caps.scanouts_from_vmm = true;
	}
	if (drv->caps.num_scanouts > VIRTIO_GPU_MAX_SCANOUTS)
		return drv_fail(drv, -EPROTO, "device error (%s): num_scanouts %u above %u",
				REQ_CFG_NUM_SCANOUTS, drv->caps.num_scanouts, VIRTIO_GPU_MAX_SCANOUTS);
	drv->caps.map_granularity = PAGE;
	if (want == VGB_GPU_CONFIG_SIZE_V14) {
		uint32_t a = vgb_le32(cfg.blob_alignment);
		if (!is_pow2(a))
			return drv_fail(drv, -EPROTO, "device error (%s): blob_alignment %u is not a power of two",
					REQ_CFG_ALIGNMENT_POW2, a);
		if (a < PAGE)
			return drv_fail(drv, -EPROTO, "device error (%s): blob_alignment %u below 4096",
					REQ_CFG_ALIGNMENT_RANGE, a);
		drv->caps.blob_alignment = a;
		if (a > PAGE)
			drv->caps.map_granularity = a;
	}
	return 0;
}

static int find_region(struct vgb_drv *drv)
{
	if (!vgb_drv_has(drv, VIRTIO_GPU_F_RESOURCE_BLOB) || drv->opts.ignore_region)
		return 0;
	uint64_t size = 0;
	void *base = vgb_fe_shm(drv->fe, VGB_DRV_SHMID_HOST_VISIBLE, &size);
	if (!base || size == 0)
		return 0;
	int ret = vgb_range_init(&drv->region, size, drv->caps.map_granularity);
	if (ret)
		return drv_fail(drv, ret, "region allocator: bad granularity");
	if (drv->region.size == 0)
		return drv_fail(drv, -EPROTO, "device error: region of %llu bytes is smaller than the map granularity",
				(unsigned long long)size);
	drv->caps.region = base;
	drv->caps.region_size = size;
	drv->have_region = true;
	return 0;
}

struct vgb_drv *vgb_drv_open(const struct vgb_drv_options *o, char *err, size_t errlen)
{
	struct vgb_drv *drv = calloc(1, sizeof(*drv));
	if (!drv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	drv->opts = *o;
	drv->opts.features &= VGB_DRV_FEATURES;
	/* Dependent bits only with what they depend on (REQ_DRV_FEAT_DEPENDENT). */
	if (!(drv->opts.features & (1ull << VIRTIO_GPU_F_RESOURCE_BLOB)))
		drv->opts.features &= ~(1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT);
	if (!(drv->opts.features & (1ull << VIRTIO_GPU_F_VIRGL)))
		drv->opts.features &= ~(1ull << VIRTIO_GPU_F_CONTEXT_INIT);
	struct vgb_fe_options fo = o->fe;
	/* Transport bits stay as the frontend chose; device bits only those the driver uses. */
	fo.features_mask = (fo.features_mask & ~DEVICE_BITS) | (fo.features_mask & drv->opts.features);
	drv->fe = vgb_fe_start(&fo, err, errlen);
	if (!drv->fe) {
		free(drv);
		return NULL;
	}
	drv->next_resource_id = 1;
	drv->next_blob_id = 1;
	if (check_features(drv) || read_config(drv) || find_region(drv)) {
		snprintf(err, errlen, "%s", drv->err);
		vgb_drv_close(drv);
		return NULL;
	}
	return drv;
}

void vgb_drv_close(struct vgb_drv *drv)
{
	if (!drv)
		return;
	if (drv->fe)
		vgb_fe_stop(drv->fe);
	if (drv->have_region)
		vgb_range_fini(&drv->region);
	free(drv->res);
	free(drv);
}

/* --- Command buffers in guest RAM --- */

static int ensure_buf(struct vgb_drv *drv, uint64_t *gpa, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t size = (need + PAGE - 1) & ~(size_t)(PAGE - 1);
	if (size < need)
		return drv_fail(drv, -EINVAL, "command of %zu bytes too large", need);
	uint64_t g = vgb_fe_alloc(drv->fe, size);
	if (!g)
		return drv_fail(drv, -ENOMEM, "guest RAM exhausted for a %zu-byte command buffer", size);
	if (*cap)
		vgb_fe_free(drv->fe, *gpa, *cap);
	*gpa = g;
	*cap = size;
	return 0;
}

static int transport_error(struct vgb_drv *drv, int ret)
{
	const char *why = ret == -EPIPE ? "backend gone" : ret == -ETIMEDOUT ? "no response in time"
			  : ret == -EPROTO ? "backend broke the ring" : "transport failure";
	return drv_fail(drv, ret, "%s: %s", why, vgb_fe_error(drv->fe));
}

int vgb_drv_reset(struct vgb_drv *drv)
{
	/* Forget mappings and objects first (REQ_DRV_RESET): nothing from before is named again. */
	drv->nres = 0;
	drv->refctx_id = 0;
	if (drv->have_region) {
		uint64_t size = drv->caps.region_size, g = drv->caps.map_granularity;
		vgb_range_fini(&drv->region);
		vgb_range_init(&drv->region, size, g);
	}
	int ret = vgb_fe_reset_device(drv->fe);
	if (ret)
		return transport_error(drv, ret);
	return read_config(drv);
}

int vgb_drv_raw(struct vgb_drv *drv, unsigned queue, const void *req, size_t req_len, void *resp,
		size_t resp_cap, uint32_t *used_len)
{
	if (req_len == 0 || req_len > UINT32_MAX || resp_cap > UINT32_MAX)
		return drv_fail(drv, -EINVAL, "raw command sizes out of range");
	int ret = ensure_buf(drv, &drv->req_gpa, &drv->req_cap, req_len);
	if (!ret && resp_cap)
		ret = ensure_buf(drv, &drv->resp_gpa, &drv->resp_cap, resp_cap);
	if (ret)
		return ret;
	void *rq = vgb_fe_gpa_ptr(drv->fe, drv->req_gpa, req_len);
	void *rs = resp_cap ? vgb_fe_gpa_ptr(drv->fe, drv->resp_gpa, resp_cap) : NULL;
	if (!rq || (resp_cap && !rs))
		return drv_fail(drv, -EFAULT, "command buffer outside guest RAM");
	memcpy(rq, req, req_len);
	if (rs)
		memset(rs, 0, resp_cap);
	struct vgb_sg out = { drv->req_gpa, (uint32_t)req_len };
	struct vgb_sg in = { drv->resp_gpa, (uint32_t)resp_cap };
	uint32_t used = 0;
	ret = vgb_fe_submit(drv->fe, queue, &out, 1, &in, resp_cap ? 1 : 0, &used);
	if (ret)
		return transport_error(drv, ret);
	if (used > resp_cap)
		return drv_fail(drv, -EPROTO, "device error: used.len %u beyond the %zu writable bytes",
				used, resp_cap);
	if (rs)
		memcpy(resp, rs, used);
	*used_len = used;
	return 0;
}

struct virtio_gpu_ctrl_hdr drv_hdr(uint32_t type, uint32_t ctx_id)
{
	struct virtio_gpu_ctrl_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = vgb_to_le32(type);
	h.ctx_id = vgb_to_le32(ctx_id);
	return h;
}

void vgb_drv_fence_next(struct vgb_drv *drv, bool use_ring, uint8_t ring_idx)
{
	drv->fence_pending = true;
	drv->fence_ring = use_ring;
	drv->fence_ring_idx = ring_idx;
}

uint64_t vgb_drv_fence_completed(const struct vgb_drv *drv)
{
	return drv->fence_completed;
}

static bool is_error_type(uint32_t t)
{
	return t >= VIRTIO_GPU_RESP_ERR_UNSPEC && t <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
}

/* A fenced request must come back with the fence, ctx_id and ring echoed. */
static int check_fence_echo(struct vgb_drv *drv, const struct virtio_gpu_ctrl_hdr *rq,
			    const struct virtio_gpu_ctrl_hdr *rs, uint32_t cmd)
{
	uint32_t qf = vgb_le32(rq->flags), sf = vgb_le32(rs->flags);
	if (!(qf & VIRTIO_GPU_FLAG_FENCE)) {
		if (sf & VIRTIO_GPU_FLAG_FENCE)
			return drv_fail(drv, -EPROTO, "device error: cmd 0x%04x answered with a fence it was not given",
					cmd);
		return 0;
	}
	if (!(sf & VIRTIO_GPU_FLAG_FENCE) || rs->fence_id != rq->fence_id || rs->ctx_id != rq->ctx_id)
		return drv_fail(drv, -EPROTO,
				"device error (%s, %s): cmd 0x%04x fence not echoed (flags 0x%x fence %llu ctx %u, sent fence %llu ctx %u)",
				REQ_FENCE_ECHO, REQ_FENCE_CTX, cmd, sf, (unsigned long long)vgb_le64(rs->fence_id), vgb_le32(rs->ctx_id),
				(unsigned long long)vgb_le64(rq->fence_id), vgb_le32(rq->ctx_id));
	if ((qf & VIRTIO_GPU_FLAG_INFO_RING_IDX) &&
	    (!(sf & VIRTIO_GPU_FLAG_INFO_RING_IDX) || rs->ring_idx != rq->ring_idx))
		return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x ring_idx %u not echoed",
				REQ_FENCE_RING, cmd, rq->ring_idx);
	uint64_t id = vgb_le64(rq->fence_id);
	if (id <= drv->fence_completed)
		return drv_fail(drv, -EPROTO, "device error: fence %llu completed out of order",
				(unsigned long long)id);
	drv->fence_completed = id;
	return 0;
}

int drv_cmd(struct vgb_drv *drv, void *req, size_t req_len, void *resp, size_t resp_len,
	    uint32_t ok_type, size_t *got)
{
	struct virtio_gpu_ctrl_hdr *rq = req;
	uint32_t cmd = vgb_le32(rq->type);
	rq->flags = 0;
	rq->fence_id = 0;
	rq->ring_idx = 0;
	if (drv->opts.fence_all || drv->fence_pending) {
		uint32_t flags = VIRTIO_GPU_FLAG_FENCE;
		if (drv->fence_pending && drv->fence_ring) {
			flags |= VIRTIO_GPU_FLAG_INFO_RING_IDX;
			rq->ring_idx = drv->fence_ring_idx;
		}
		rq->flags = vgb_to_le32(flags);
		rq->fence_id = vgb_to_le64(++drv->next_fence_id);
		drv->fence_pending = false;
	}
	uint32_t used = 0;
	drv->last_resp_type = 0;
	int ret = vgb_drv_raw(drv, VGB_CONTROLQ, req, req_len, resp, resp_len, &used);
	if (ret)
		return ret;
	if (used < sizeof(struct virtio_gpu_ctrl_hdr))
		return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x answered with %u bytes",
				REQ_CMD_USED_LEN, cmd, used);
	const struct virtio_gpu_ctrl_hdr *rs = resp;
	uint32_t type = vgb_le32(rs->type);
	drv->last_resp_type = type;
	ret = check_fence_echo(drv, rq, rs, cmd);
	if (ret)
		return ret;
	if (is_error_type(type)) {
		if (used != sizeof(*rs))
			return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x error 0x%04x with %u bytes",
					REQ_ERR_HDR_ONLY, cmd, type, used);
		return drv_fail(drv, (int)type, "cmd 0x%04x refused: 0x%04x", cmd, type);
	}
	if (type != ok_type)
		return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x answered with type 0x%04x, expected 0x%04x",
				REQ_CMD_OK_TYPE, cmd, type, ok_type);
	if (got)
		*got = used;
	else if (used != resp_len)
		return drv_fail(drv, -EPROTO, "device error (%s): cmd 0x%04x response of %u bytes, expected %zu",
				REQ_CMD_USED_LEN, cmd, used, resp_len);
	return 0;
}

int drv_cmd_nodata(struct vgb_drv *drv, void *req, size_t req_len)
{
	struct virtio_gpu_ctrl_hdr resp;
	return drv_cmd(drv, req, req_len, &resp, sizeof(resp), VIRTIO_GPU_RESP_OK_NODATA, NULL);
}

/* --- Resource table --- */

struct drv_resource *drv_res_find(struct vgb_drv *drv, uint32_t id)
{
	for (unsigned i = 0; i < drv->nres; i++)
		if (drv->res[i].id == id)
			return &drv->res[i];
	return NULL;
}

struct drv_resource *drv_res_add(struct vgb_drv *drv, uint32_t id)
{
	struct drv_resource *r = drv_res_find(drv, id);
	if (r)
		return r;
	if (drv->nres == drv->res_cap) {
		unsigned cap = drv->res_cap ? drv->res_cap * 2 : 32;
		struct drv_resource *n = realloc(drv->res, cap * sizeof(*n));
		if (!n)
			return NULL;
		drv->res = n;
		drv->res_cap = cap;
	}
	r = &drv->res[drv->nres++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	return r;
}

void drv_res_remove(struct vgb_drv *drv, uint32_t id)
{
	struct drv_resource *r = drv_res_find(drv, id);
	if (r)
		*r = drv->res[--drv->nres];
}
