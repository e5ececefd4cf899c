/* SPDX-License-Identifier: MIT */
/* Opening the device: negotiation, config, the host-visible region; reset. */
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
	 * num_scanouts is the VMM's to fill in over vhost-user: QEMU's backend leaves
	 * it 0, and the frontend then reports its own outputs, as QEMU's does.
	 */
	drv->caps.scanouts_from_vmm = vgb_fe_config_from_frontend(drv->fe);
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
		return drv_transport_error(drv, ret);
	drv->stalled_cmd = 0; /* the reset took back every request the device held */
	return read_config(drv);
}
