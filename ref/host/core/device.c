/* SPDX-License-Identifier: MIT */
/* Device lifecycle, configuration, features and config space. */
#include "internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUBMIT_BYTES (1u << 20) /* largest SUBMIT_3D stream a transport must accept */

void vgb_device_config_defaults(struct vgb_device_config *cfg)
{
	*cfg = (struct vgb_device_config){
		.num_scanouts = 1,
		.width = 1280,
		.height = 800,
		.edid = true,
		.blob = true,
		.virgl = true,
		.context_init = true,
		.blob_alignment = false,
		.alignment = VGB_PAGE,
		.page_size = VGB_PAGE,
		.region_size = 256ull << 20,
		.map_cache = VIRTIO_GPU_MAP_CACHE_CACHED,
		.max_entries = 16384,
		.max_blob_size = 256ull << 20,
		.max_host_memory = 1ull << 30,
		.max_resources = 4096,
		.stream_min = VGB_STREAM_MIN_DEFAULT,
		.validate = false,
	};
}

const char *vgb_device_config_check(const struct vgb_device_config *cfg)
{
	if (cfg->num_scanouts < 1 || cfg->num_scanouts > VIRTIO_GPU_MAX_SCANOUTS)
		return "num_scanouts must be 1..16";
	if (cfg->width < 1 || cfg->width > 4095 || cfg->height < 1 || cfg->height > 4095)
		return "mode must be 1..4095 in each dimension (EDID detailed timing limit)";
	if (cfg->context_init && !cfg->virgl)
		return "context_init needs virgl";
	if (cfg->blob_alignment && !cfg->blob)
		return "blob_alignment needs blob";
	if (cfg->alignment < VGB_PAGE || cfg->alignment > (1u << 31) ||
	    (cfg->alignment & (cfg->alignment - 1)))
		return "alignment must be a power of two in 4096..2^31";
	if (cfg->page_size < VGB_PAGE || cfg->page_size > (1u << 31) ||
	    (cfg->page_size & (cfg->page_size - 1)))
		return "page_size must be a power of two in 4096..2^31";
	if (cfg->alignment < cfg->page_size)
		return "alignment must be at least page_size";
	/* A granularity above the page size must be announced (REQ-DEV-FEAT-0004). */
	if (cfg->alignment != VGB_PAGE && !cfg->blob_alignment)
		return "alignment above 4096 needs blob_alignment";
	if (cfg->region_size % cfg->alignment)
		return "region_size must be a multiple of alignment";
	if (cfg->map_cache < VIRTIO_GPU_MAP_CACHE_CACHED || cfg->map_cache > VIRTIO_GPU_MAP_CACHE_WC)
		return "map_cache must be CACHED, UNCACHED or WC";
	if (cfg->max_entries < 1 || cfg->max_entries > (1u << 24))
		return "max_entries must be 1..2^24";
	if (cfg->max_blob_size < 1 || cfg->max_resources < 1)
		return "max_blob_size and max_resources must be non-zero";
	uint32_t known = 0, bit;
	for (unsigned i = 0; vgb_device_break_info(i, &bit, NULL); i++)
		known |= bit;
	if (cfg->breaks & ~known)
		return "breaks has unknown bits";
	return NULL;
}

void vgb_log(struct vgb_device *dev, const char *fmt, ...)
{
	if (!dev->ops.log)
		return;
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dev->ops.log(dev->ops.opaque, line);
}

uint32_t vgb_granularity(const struct vgb_device *dev)
{
	return has_feature(dev, VIRTIO_GPU_F_BLOB_ALIGNMENT) ? dev->cfg.alignment : VGB_PAGE;
}

static uint64_t offered_features(const struct vgb_device_config *cfg)
{
	uint64_t f = 0;
	if (cfg->virgl)
		f |= 1ull << VIRTIO_GPU_F_VIRGL;
	if (cfg->edid)
		f |= 1ull << VIRTIO_GPU_F_EDID;
	if (cfg->blob)
		f |= 1ull << VIRTIO_GPU_F_RESOURCE_BLOB;
	if (cfg->context_init)
		f |= 1ull << VIRTIO_GPU_F_CONTEXT_INIT;
	if (cfg->blob_alignment)
		f |= 1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT;
	return f;
}

struct vgb_device *vgb_device_new(const struct vgb_device_config *cfg, const struct vgb_device_ops *ops)
{
	if (vgb_device_config_check(cfg))
		return NULL;
	struct vgb_device *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->cfg = *cfg;
	if (!cfg->blob)
		dev->cfg.region_size = 0; /* a region is only exposed with blobs (REQ-DEV-FEAT-0003) */
	if (ops)
		dev->ops = *ops;
	dev->offered = offered_features(cfg);
	dev->entries = calloc(cfg->max_entries, sizeof(*dev->entries));
	dev->scratch = calloc(cfg->max_entries, sizeof(*dev->scratch));
	if (!dev->entries || !dev->scratch) {
		vgb_device_free(dev);
		return NULL;
	}
	vgb_device_set_features(dev, 0);
	return dev;
}

void vgb_device_reset(struct vgb_device *dev)
{
	vgb_validate_reset(dev);
	for (uint32_t i = 0; i < dev->cfg.num_scanouts; i++)
		vgb_scanout_disable(dev, i);
	vgb_res_destroy_all(dev); /* unmaps every mapped blob first */
	vgb_ctx_destroy_all(dev);
	dev->fences = (struct vgb_timeline){0};
	vgb_device_set_features(dev, 0);
}

void vgb_device_free(struct vgb_device *dev)
{
	if (!dev)
		return;
	if (dev->entries && dev->scratch)
		vgb_device_reset(dev);
	vgb_validate_free(dev);
	free(dev->entries);
	free(dev->scratch);
	free(dev);
}

uint64_t vgb_device_host_memory(const struct vgb_device *dev)
{
	return dev->host_used;
}

uint64_t vgb_device_region_size(const struct vgb_device *dev)
{
	return dev->cfg.region_size;
}

uint64_t vgb_device_features(const struct vgb_device *dev)
{
	return dev->offered;
}

bool vgb_device_set_features(struct vgb_device *dev, uint64_t features)
{
	features &= (1ull << 24) - 1; /* transport bits are not the device's business */
	if (features & ~dev->offered)
		vgb_violation(dev, VGB_DRV_FEAT_UNOFFERED, "accepted features 0x%llx not offered (0x%llx)",
			      (unsigned long long)features, (unsigned long long)dev->offered);
	features &= dev->offered;
	if ((features & (1ull << VIRTIO_GPU_F_CONTEXT_INIT)) && !(features & (1ull << VIRTIO_GPU_F_VIRGL)))
		vgb_violation(dev, VGB_DRV_FEAT_CTX_INIT, "CONTEXT_INIT accepted without VIRGL");
	if ((features & (1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT)) &&
	    !(features & (1ull << VIRTIO_GPU_F_RESOURCE_BLOB)))
		vgb_violation(dev, VGB_DRV_FEAT_BLOB_ALIGN, "BLOB_ALIGNMENT accepted without RESOURCE_BLOB");
	uint64_t blob = 1ull << VIRTIO_GPU_F_RESOURCE_BLOB, align = 1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT;
	if ((features & blob) && (dev->offered & align) && !(features & align))
		vgb_violation(dev, VGB_DRV_FEAT_NO_BLOB_ALIGN,
			      "RESOURCE_BLOB accepted without the offered BLOB_ALIGNMENT");
	/* Pages above 4096 cannot hold blobs at 4096-byte offsets (REQ-DEV-FEAT-0070). */
	bool refuse = dev->cfg.page_size > VGB_PAGE && dev->cfg.region_size && (features & blob) &&
		      !(features & align);
	if (refuse) {
		vgb_log(dev, "features 0x%llx refused: RESOURCE_BLOB without BLOB_ALIGNMENT on %u-byte pages",
			(unsigned long long)features, dev->cfg.page_size);
		features = 0;
	}
	dev->features = features;
	dev->lim = (struct vgb_decode_limits){
		.features = features,
		.max_entries = dev->cfg.max_entries,
		.blob_alignment = dev->cfg.alignment,
		.max_blob_size = dev->cfg.max_blob_size,
	};
	return !refuse;
}

size_t vgb_device_config_space(const struct vgb_device *dev, void *buf, size_t cap)
{
	struct vgb_gpu_config c = {
		.events_read = 0,
		.events_clear = 0,
		.num_scanouts = vgb_to_le32(dev->cfg.num_scanouts),
		.num_capsets = vgb_to_le32(vgb_num_capsets(dev)),
		.blob_alignment = vgb_to_le32(dev->cfg.blob_alignment ? dev->cfg.alignment : 0),
	};
	size_t size = dev->cfg.blob_alignment ? VGB_GPU_CONFIG_SIZE_V14 : VGB_GPU_CONFIG_SIZE_V12;
	memcpy(buf, &c, cap < size ? cap : size);
	return size;
}

/*
 * Only events_clear is the driver's (the device raises no events, so there is
 * nothing to clear).  A write of part of the config is the driver's own: any
 * byte outside events_clear breaks REQ-DRV-CFG-0002.  A write of the whole
 * config is how some front-ends pass on an events_clear write (QEMU's
 * vhost-user-gpu), carrying events_read and num_scanouts as the front-end
 * keeps them: then only a change of what the device alone owns (num_capsets,
 * blob_alignment) is the driver's.  Bytes past the config are always wrong.
 */
bool vgb_device_config_write(struct vgb_device *dev, uint32_t offset, const void *buf, uint32_t len)
{
	uint8_t cur[sizeof(struct vgb_gpu_config)];
	size_t size = vgb_device_config_space(dev, cur, sizeof(cur));
	const uint32_t owned = offsetof(struct vgb_gpu_config, num_capsets);
	if (offset > size || len > size - offset) {
		vgb_violation(dev, VGB_DRV_CFG_WRITE, "config write of %u bytes at offset %u, past the %zu-byte config",
			      len, offset, size);
		return false;
	}
	const uint32_t clear = offsetof(struct vgb_gpu_config, events_clear);
	bool whole = offset == 0 && len >= VGB_GPU_CONFIG_SIZE_V12;
	const uint8_t *b = buf;
	for (uint32_t i = 0; i < len; i++) {
		uint32_t at = offset + i;
		if (at >= clear && at < clear + sizeof(uint32_t))
			continue;
		if (whole && (at < owned || b[i] == cur[at]))
			continue;
		vgb_violation(dev, VGB_DRV_CFG_WRITE, "config write of %u bytes at offset %u writes byte %u "
			      "(0x%02x -> 0x%02x), not events_clear", len, offset, at, cur[at], b[i]);
		return false;
	}
	return true;
}

size_t vgb_device_max_request(const struct vgb_device *dev)
{
	size_t with_entries = sizeof(struct virtio_gpu_resource_create_blob) +
			      (size_t)dev->cfg.max_entries * sizeof(struct virtio_gpu_mem_entry);
	size_t submit = sizeof(struct virtio_gpu_cmd_submit) + MAX_SUBMIT_BYTES;
	return with_entries > submit ? with_entries : submit;
}

void vgb_device_mem_changed(struct vgb_device *dev)
{
	/* Entries are kept as guest-physical addresses and translated on every use,
	 * so there is no host pointer to forget; only the current table pointer, and
	 * every backing's "all entries inside guest memory" (vgb_backing_ok). */
	dev->mem = NULL;
	dev->mem_gen++;
}
