/* SPDX-License-Identifier: MIT */
/* Discovery: features, config space, host-visible region, display, capsets. */
#include <string.h>

#include "../lib/run.h"
#include "cases.h"
#include "vgb/refctx.h"
#include "vgb/vhost_user.h"

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static enum vc_verdict feat_offer(struct vc *t)
{
	uint64_t off = vgb_fe_device_features(t->fe);
	bool blob = (off >> VIRTIO_GPU_F_RESOURCE_BLOB) & 1;
	bool align = (off >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1;
	vc_note(t, "offered 0x%llx", (unsigned long long)off);
	vc_check(t, !align || blob, R_FEAT_ALIGN_NEEDS_BLOB,
		 "F_BLOB_ALIGNMENT offered without F_RESOURCE_BLOB (features 0x%llx)",
		 (unsigned long long)off);
	uint64_t rsize = 0;
	bool region = vc_region(t, &rsize) != NULL;
	vc_check(t, !region || blob, R_FEAT_REGION_NEEDS_BLOB,
		 "a host-visible region of %llu bytes without F_RESOURCE_BLOB (features 0x%llx)",
		 (unsigned long long)rsize, (unsigned long long)off);
	for (unsigned id = 0; id < 8; id++)
		if (id != 1)
			vc_check(t, vgb_fe_shm(t->fe, (uint8_t)id, NULL) == NULL, R_SHM_ONLY_HOST_VISIBLE,
				 "the device exposes shared memory region %u", id);
	if (region)
		vc_check(t, (vgb_fe_protocol_features(t->fe) >> VGB_VU_PROTOCOL_F_SHMEM) & 1,
			 R_VU_SHMEM_FEATURE, "a region without VHOST_USER_PROTOCOL_F_SHMEM");
	bool ctxinit = (off >> VIRTIO_GPU_F_CONTEXT_INIT) & 1;
	bool virgl = (off >> VIRTIO_GPU_F_VIRGL) & 1;
	vc_check(t, !ctxinit || virgl, R_FEAT_CTXINIT_NEEDS_VIRGL,
		 "F_CONTEXT_INIT offered without F_VIRGL (features 0x%llx)", (unsigned long long)off);
	return vc_done(t);
}

static enum vc_verdict cfg_space(struct vc *t)
{
	struct vgb_gpu_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	bool align = (vgb_fe_features(t->fe) >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1;
	/* blob_alignment exists only with F_BLOB_ALIGNMENT: read 20 bytes only then. */
	int n = vgb_fe_get_config(t->fe, &cfg, align ? VGB_GPU_CONFIG_SIZE_V14 : VGB_GPU_CONFIG_SIZE_V12);
	VC_TRY(vc_check(t, n >= (int)VGB_GPU_CONFIG_SIZE_V12, R_CFG_SCANOUTS,
			"config space read returned %d (need %u bytes)", n, VGB_GPU_CONFIG_SIZE_V12));
	if (align)
		vc_check(t, n >= (int)VGB_GPU_CONFIG_SIZE_V14, R_CFG_SIZE,
			 "F_BLOB_ALIGNMENT negotiated but config space has %d bytes (< 20)", n);
	uint32_t scanouts = vgb_le32(cfg.num_scanouts);
	if (scanouts == 0)
		vc_note(t, "num_scanouts 0: left to the VMM, as vhost-user-gpu backends may");
	else
		vc_check(t, scanouts <= VIRTIO_GPU_MAX_SCANOUTS, R_CFG_SCANOUTS,
			 "num_scanouts %u above 16", scanouts);
	if (vgb_le32(cfg.events_read))
		vc_note(t, "events_read 0x%x at start", vgb_le32(cfg.events_read));
	const uint32_t *w = (const uint32_t *)&cfg;
	vc_note(t, "config %d bytes: %08x %08x %08x %08x %08x", n, vgb_le32(w[0]), vgb_le32(w[1]),
		vgb_le32(w[2]), vgb_le32(w[3]), vgb_le32(w[4]));
	return vc_done(t);
}

static enum vc_verdict cfg_alignment(struct vc *t)
{
	struct vgb_gpu_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	int n = vgb_fe_get_config(t->fe, &cfg, sizeof(cfg));
	VC_TRY(vc_check(t, n >= (int)VGB_GPU_CONFIG_SIZE_V14, R_CFG_SIZE,
			"config space has %d bytes, blob_alignment missing", n));
	uint32_t a = vgb_le32(cfg.blob_alignment);
	vc_check(t, is_pow2(a), R_CFG_ALIGN_POW2, "blob_alignment %u is not a power of two", a);
	vc_check(t, a >= 4096 && a <= (1u << 31), R_CFG_ALIGN_RANGE,
		 "blob_alignment %u outside 4096..2^31", a);
	vc_note(t, "blob_alignment %u", a);
	/* Unchanged after the device has been used. */
	uint32_t id = vc_new_id(t);
	vc_create_2d(t, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 8, 8);
	vc_unref(t, id);
	struct vgb_gpu_config again;
	memset(&again, 0, sizeof(again));
	n = vgb_fe_get_config(t->fe, &again, sizeof(again));
	vc_check(t, n >= (int)VGB_GPU_CONFIG_SIZE_V14 && vgb_le32(again.blob_alignment) == a,
		 R_CFG_ALIGN_STABLE, "blob_alignment read %u, then %u", a, vgb_le32(again.blob_alignment));
	return vc_done(t);
}

/*
 * A driver that accepts RESOURCE_BLOB but declines BLOB_ALIGNMENT chooses offsets in 4096-byte
 * units.  The device either refuses FEATURES_OK (SET_FEATURES nacked) or must place a blob at a
 * 4096-byte offset that is not a multiple of blob_alignment.
 */
static enum vc_verdict align_declined(struct vc *t)
{
	if (t->probe->blob_alignment <= 4096)
		return vc_not_supported(t, "blob_alignment %u: declining it changes no offset",
					t->probe->blob_alignment);
	vc_stop_backend(t);
	char err[512] = "";
	t->fe = vc_start_frontend(t->target, 1ull << VIRTIO_GPU_F_BLOB_ALIGNMENT, NULL, err, sizeof(err));
	if (!t->fe) {
		if (!strstr(err, "SET_FEATURES"))
			return vc_error(t, "the device did not start for another reason: %s", err);
		vc_note(t, "refused a driver that declines BLOB_ALIGNMENT (%u): %s", t->probe->blob_alignment,
			err);
		return vc_done(t);
	}
	VC_TRY(vc_check(t, !((vgb_fe_features(t->fe) >> VIRTIO_GPU_F_BLOB_ALIGNMENT) & 1), R_FEAT_ALIGN_REFUSE,
			"BLOB_ALIGNMENT negotiated although the driver declined it"));
	if (!t->probe->refctx)
		return vc_not_supported(t, "the device accepted the driver; placing a blob at offset 4096 "
					"needs the reference context");
	struct vc_host h;
	uint32_t res = 0;
	VC_TRY(vc_host_open(t, &h));
	VC_TRY(vc_expect(t, vc_host_blob(t, &h, 8192, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, &res),
			 VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D) of 8192 bytes"));
	uint32_t got = vc_map(t, res, 4096, NULL);
	VC_TRY(vc_check(t, got == VIRTIO_GPU_RESP_OK_MAP_INFO, R_FEAT_ALIGN_REFUSE,
			"accepted a driver that declined BLOB_ALIGNMENT (%u), then answered MAP_BLOB at "
			"offset 4096 with %s: a device that cannot place memory at every multiple of 4096 "
			"refuses FEATURES_OK", t->probe->blob_alignment, vc_resp_name(got)));
	uint8_t *p = vc_region(t, NULL) + 4096;
	vc_pattern_fill(p, 70, 8192);
	uint64_t sum = 0;
	VC_TRY(vc_host_checksum(t, &h, res, 0, 8192, &sum, R_MAP_VISIBLE));
	vc_check(t, sum == vc_checksum(p, 8192), R_MAP_VISIBLE,
		 "blob mapped at offset 4096: host checksum %016llx, guest wrote %016llx",
		 (unsigned long long)sum, (unsigned long long)vc_checksum(p, 8192));
	vc_note(t, "accepted a driver that declines BLOB_ALIGNMENT (%u) and maps at 4096-byte offsets",
		t->probe->blob_alignment);
	return vc_done(t);
}

static enum vc_verdict shm_region(struct vc *t)
{
	uint64_t size = 0;
	uint8_t *base = vc_region(t, &size);
	VC_TRY(vc_check(t, base != NULL && size > 0, R_SHM_REGION, "no host-visible region"));
	uint64_t g = vc_map_granularity(t);
	vc_check(t, size % g == 0, R_SHM_REGION,
		 "region size %llu not a multiple of the map granularity %llu",
		 (unsigned long long)size, (unsigned long long)g);
	vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, size), R_SHM_GONE,
		 "parts of the region are mapped before any MAP_BLOB");
	vc_check(t, vc_touch_faults(base), R_SHM_GONE,
		 "the unmapped region start can be read (reaches memory)");
	vc_note(t, "region %llu bytes, granularity %llu", (unsigned long long)size,
		(unsigned long long)g);
	return vc_done(t);
}

static enum vc_verdict disp_info(struct vc *t)
{
	struct virtio_gpu_resp_display_info info;
	uint32_t got = vc_get_display_info(t, &info);
	VC_TRY(vc_expect(t, got, VIRTIO_GPU_RESP_OK_DISPLAY_INFO, R_DISP_INFO, "GET_DISPLAY_INFO"));
	unsigned enabled = 0;
	for (unsigned i = 0; i < t->probe->num_scanouts && i < VIRTIO_GPU_MAX_SCANOUTS; i++) {
		if (!vgb_le32(info.pmodes[i].enabled))
			continue;
		enabled++;
		vc_check(t, vgb_le32(info.pmodes[i].r.width) && vgb_le32(info.pmodes[i].r.height),
			 R_DISP_INFO, "scanout %u enabled with size %ux%u", i,
			 vgb_le32(info.pmodes[i].r.width), vgb_le32(info.pmodes[i].r.height));
	}
	for (unsigned i = t->probe->num_scanouts; i < VIRTIO_GPU_MAX_SCANOUTS; i++)
		vc_check(t, !vgb_le32(info.pmodes[i].enabled), R_DISP_INFO_BEYOND,
			 "scanout %u >= num_scanouts reported enabled", i);
	vc_note(t, "%u of %u scanouts enabled", enabled, t->probe->num_scanouts);
	return vc_done(t);
}

static enum vc_verdict capset_info(struct vc *t)
{
	uint32_t n = t->probe->num_capsets;
	for (uint32_t i = 0; i <= n; i++) {
		struct virtio_gpu_get_capset_info c;
		struct vc_resp r;
		memset(&c, 0, sizeof(c));
		vc_hdr(&c.hdr, VIRTIO_GPU_CMD_GET_CAPSET_INFO);
		c.capset_index = vgb_to_le32(i);
		uint32_t got = vc_cmd(t, &c, sizeof(c), &r);
		if (i < n)
			VC_TRY(vc_expect(t, got, VIRTIO_GPU_RESP_OK_CAPSET_INFO, R_CFG_CAPSET_INFO,
					 "GET_CAPSET_INFO of an index < num_capsets"));
		else
			VC_TRY(vc_expect(t, got, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, R_CAPSET_INFO_INDEX,
					 "GET_CAPSET_INFO index == num_capsets"));
	}
	vc_note(t, "%u capsets", n);
	return vc_done(t);
}

static enum vc_verdict refctx_caps(struct vc *t)
{
	const struct vc_probe *p = t->probe;
	vc_check(t, p->refctx_map_cache >= VIRTIO_GPU_MAP_CACHE_CACHED &&
			    p->refctx_map_cache <= VIRTIO_GPU_MAP_CACHE_WC,
		 R_REFCTX_CAPS, "reference context reports map_cache %u", p->refctx_map_cache);
	vc_check(t, is_pow2(p->refctx_alignment), R_REFCTX_CAPS,
		 "reference context alignment %u not a power of two", p->refctx_alignment);
	uint32_t want = (1u << VGB_REFCTX_ALLOC) | (1u << VGB_REFCTX_FILL) |
			(1u << VGB_REFCTX_CHECKSUM) | (1u << VGB_REFCTX_PATTERN);
	vc_check(t, (p->refctx_ops & want) == want, R_REFCTX_CAPS,
		 "reference context ops 0x%x lack ALLOC/FILL/CHECKSUM/PATTERN", p->refctx_ops);
	return vc_done(t);
}

const struct vc_case vc_cases_discovery[] = {
	{ .name = "dev.feat.offer", IDS(R_FEAT_ALIGN_NEEDS_BLOB, R_FEAT_CTXINIT_NEEDS_VIRGL, R_FEAT_REGION_NEEDS_BLOB,
					      R_SHM_ONLY_HOST_VISIBLE, R_VU_SHMEM_FEATURE, R_VU_SHMEM_CONFIG),
	  .run = feat_offer,
	  .summary = "offered feature bits are consistent" },
	{ .name = "dev.cfg.space", IDS(R_CFG_SCANOUTS, R_CFG_SIZE), .run = cfg_space,
	  .summary = "config space size, num_scanouts, events_read" },
	{ .name = "dev.cfg.alignment", IDS(R_CFG_SIZE, R_CFG_ALIGN_POW2, R_CFG_ALIGN_RANGE, R_CFG_ALIGN_STABLE), .needs = VC_NEED_ALIGNMENT,
	  .run = cfg_alignment, .summary = "blob_alignment a power of two >= 4096" },
	{ .name = "dev.feat.align_declined", IDS(R_FEAT_ALIGN_REFUSE, R_MAP_OK, R_MAP_VISIBLE),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_ALIGNMENT, .run = align_declined,
	  .summary = "a driver declining BLOB_ALIGNMENT is refused, or its 4096-byte offsets map" },
	{ .name = "dev.shm.region", IDS(R_SHM_REGION, R_SHM_GONE, R_FEAT_REGION_NEEDS_BLOB, R_VU_NO_EARLY_MAP),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION, .run = shm_region,
	  .summary = "host-visible region present, granular, initially unmapped" },
	/* Every scanout may be disabled (upstream: the driver then falls back to a mode of its own). */
	{ .name = "dev.disp.info", IDS(R_DISP_INFO, R_DISP_INFO_BEYOND), .run = disp_info,
	  .summary = "GET_DISPLAY_INFO answers for every scanout" },
	/* Capset commands are 2D commands: they answer whatever features were negotiated. */
	{ .name = "dev.ctx.capset_info", IDS(R_CFG_CAPSET_INFO, R_CAPSET_INFO_INDEX),
	  .run = capset_info, .summary = "every capset index answers; one past the end is refused" },
	{ .name = "dev.ctx.refctx_caps", IDS(R_REFCTX_CAPS, R_REFCTX_INFO), .needs = VC_NEED_REFCTX,
	  .run = refctx_caps, .summary = "reference context capset is well formed" },
	{ 0 },
};
