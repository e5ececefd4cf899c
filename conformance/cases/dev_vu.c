/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user side of the device: the back-end requests it sends (flags,
 * GET_SHMEM_CONFIG), what it does when the frontend cannot place a mapping or
 * stops the device, and control-queue answers without a display.  The frontend
 * logs every back-end request (vgb_fe_backend_log) and can refuse a map, stop
 * and restart the device, or start headless (vgb/frontend.h).
 */
#include <string.h>

#include "cases.h"
#include "../lib/run.h"

#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define OK_NODATA VIRTIO_GPU_RESP_OK_NODATA
#define OK_MAP VIRTIO_GPU_RESP_OK_MAP_INFO
#define NEED_REPLY (1u << 3) /* VHOST_USER_NEED_REPLY_MASK */
#define BACKEND_SHMEM_MAP 9
#define BACKEND_SHMEM_UNMAP 10

static bool is_shmem_request(const struct vgb_fe_backend_msg *m)
{
	return m->request == BACKEND_SHMEM_MAP || m->request == BACKEND_SHMEM_UNMAP;
}

/* A reference context and one mappable HOST3D blob of one map granule. */
static bool mappable_blob(struct vc *t, struct vc_host *h, uint32_t *res, uint64_t *size)
{
	if (!h->ctx_id && !vc_host_open(t, h))
		return false;
	*size = vc_map_granularity(t);
	return vc_expect(t, vc_host_blob(t, h, *size, MAPPABLE, res), OK_NODATA, R_CMD_SUCCESS,
			 "CREATE_BLOB(HOST3D) of a host object");
}

static enum vc_verdict map_refused(struct vc *t)
{
	struct vc_host h = { 0 };
	uint32_t res;
	uint64_t size;
	VC_TRY(mappable_blob(t, &h, &res, &size));
	vgb_fe_backend_log_clear(t->fe);
	vgb_fe_refuse_shmem_maps(t->fe, 1);
	uint32_t mi = 0, got = vc_map(t, res, 0, &mi);
	vgb_fe_refuse_shmem_maps(t->fe, 0);
	const struct vgb_fe_backend_msg *log;
	size_t n = vgb_fe_backend_log(t->fe, &log, NULL);
	bool refused = false;
	for (size_t i = 0; i < n; i++)
		refused |= log[i].request == BACKEND_SHMEM_MAP && log[i].result != 0;
	if (!refused && got == OK_MAP)
		return vc_error(t, "the device answered MAP_BLOB without SHMEM_MAP: nothing was refused");
	VC_TRY(vc_expect(t, got, VIRTIO_GPU_RESP_ERR_UNSPEC, R_MAP_TRANSPORT_FAIL,
			 "MAP_BLOB whose SHMEM_MAP the frontend refused"));
	VC_TRY(vc_check(t, !vgb_fe_shm_mapped(t->fe, 1, 0, size), R_MAP_TRANSPORT_FAIL,
			"after the refused map, region [0, +%llu) is backed", (unsigned long long)size));
	/* Consistent afterwards: the blob is not mapped and the range is free. */
	VC_TRY(vc_expect(t, vc_unmap(t, res), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, R_MAP_TRANSPORT_FAIL,
			 "UNMAP_BLOB of the blob whose map failed (must be unmapped)"));
	VC_TRY(vc_expect(t, vc_map(t, res, 0, &mi), OK_MAP, R_MAP_OK,
			 "MAP_BLOB again at the same offset once the frontend accepts"));
	vc_check(t, vgb_fe_shm_mapped(t->fe, 1, 0, size), R_VU_MAP_ACKED,
		 "after OK_MAP_INFO the range is not backed");
	vc_expect(t, vc_unmap(t, res), OK_NODATA, R_UNMAP_OK, "UNMAP_BLOB");
	return vc_done(t);
}

/*
 * A frontend out of memory slots (3 live mappings): the fourth MAP_BLOB is
 * refused cleanly (ERR_UNSPEC, nothing placed, no hang), the device keeps
 * serving, and once a mapping is gone the same blob maps.
 */
static enum vc_verdict out_of_slots(struct vc *t)
{
	enum { SLOTS = 3, N = SLOTS + 1 };
	struct vc_host h = { 0 };
	uint32_t res[N];
	uint64_t size = 0, rsize = 0;
	vc_region(t, &rsize);
	for (unsigned i = 0; i < N; i++)
		VC_TRY(mappable_blob(t, &h, &res[i], &size));
	if (rsize < N * size)
		return vc_not_supported(t, "the region holds fewer than %u blobs of %llu bytes", N,
					(unsigned long long)size);
	vgb_fe_set_shmem_slots(t->fe, SLOTS);
	uint32_t mi = 0;
	for (unsigned i = 0; i < SLOTS; i++)
		VC_TRY(vc_expect(t, vc_map(t, res[i], i * size, &mi), OK_MAP, R_MAP_OK, "MAP_BLOB within the slots"));
	VC_TRY(vc_expect(t, vc_map(t, res[SLOTS], SLOTS * size, &mi), VIRTIO_GPU_RESP_ERR_UNSPEC, R_MAP_NO_SLOT,
			 "MAP_BLOB the frontend has no slot for"));
	VC_TRY(vc_check(t, vgb_fe_shmem_maps(t->fe, 1) == SLOTS && !vgb_fe_shm_mapped(t->fe, 1, SLOTS * size, size),
			R_MAP_NO_SLOT, "%u live mappings after the refusal, range of the refused blob %s",
			vgb_fe_shmem_maps(t->fe, 1), vgb_fe_shm_mapped(t->fe, 1, SLOTS * size, size) ? "backed" : "free"));
	/* A slot comes free: the refused blob maps, at the same offset. */
	VC_TRY(vc_expect(t, vc_unmap(t, res[0]), OK_NODATA, R_UNMAP_OK, "UNMAP_BLOB of the first blob"));
	VC_TRY(vc_expect(t, vc_map(t, res[SLOTS], SLOTS * size, &mi), OK_MAP, R_MAP_TRANSPORT_FAIL,
			 "MAP_BLOB of the refused blob once a slot is free"));
	vc_still_serves(t, "MAP_BLOB refused for want of slots");
	vgb_fe_set_shmem_slots(t->fe, 0);
	return vc_done(t);
}

static enum vc_verdict need_reply(struct vc *t)
{
	struct vc_host h = { 0 };
	uint32_t res;
	uint64_t size;
	VC_TRY(mappable_blob(t, &h, &res, &size));
	vgb_fe_backend_log_clear(t->fe);
	uint32_t mi = 0;
	VC_TRY(vc_expect(t, vc_map(t, res, 0, &mi), OK_MAP, R_MAP_OK, "MAP_BLOB"));
	VC_TRY(vc_expect(t, vc_unmap(t, res), OK_NODATA, R_UNMAP_OK, "UNMAP_BLOB"));
	const struct vgb_fe_backend_msg *log;
	size_t n = vgb_fe_backend_log(t->fe, &log, NULL);
	unsigned seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_shmem_request(&log[i]))
			continue;
		seen++;
		vc_check(t, log[i].flags & NEED_REPLY, R_VU_NEED_REPLY,
			 "%s (shm_offset %llu len %llu) came with flags 0x%x, without NEED_REPLY",
			 log[i].request == BACKEND_SHMEM_MAP ? "SHMEM_MAP" : "SHMEM_UNMAP",
			 (unsigned long long)log[i].shm_offset, (unsigned long long)log[i].len, log[i].flags);
	}
	vc_check(t, seen >= 2, R_VU_MAP_EXACT, "a map and an unmap gave %u shared-memory requests", seen);
	return vc_done(t);
}

static enum vc_verdict shmem_config(struct vc *t)
{
	uint32_t nregions = 0;
	static uint64_t sizes[256];
	if (!vgb_fe_shmem_config(t->fe, &nregions, sizes))
		return vc_not_supported(t, "VHOST_USER_PROTOCOL_F_SHMEM not negotiated: no GET_SHMEM_CONFIG");
	unsigned nonzero = 0;
	for (unsigned i = 0; i < 256; i++)
		nonzero += sizes[i] != 0;
	vc_check(t, nregions == nonzero, R_VU_SHMEM_NREGIONS,
		 "GET_SHMEM_CONFIG: nregions %u, %u non-zero memory_sizes", nregions, nonzero);
	vc_note(t, "nregions %u, memory_sizes[1] %llu", nregions, (unsigned long long)sizes[1]);
	return vc_done(t);
}

static enum vc_verdict stop_forgets(struct vc *t)
{
	struct vc_host h = { 0 };
	uint32_t a, b;
	uint64_t size;
	VC_TRY(mappable_blob(t, &h, &a, &size));
	VC_TRY(mappable_blob(t, &h, &b, &size));
	uint32_t mi = 0;
	VC_TRY(vc_expect(t, vc_map(t, a, 0, &mi), OK_MAP, R_MAP_OK, "MAP_BLOB"));
	int r = vgb_fe_stop_device(t->fe);
	if (!r)
		r = vgb_fe_start_device(t->fe);
	if (r)
		return vc_fail(t, R_ERR_SERVES, "stopping and restarting the device failed: %s",
			       vgb_fe_error(t->fe));
	vgb_fe_backend_log_clear(t->fe);
	/* The frontend dropped the mapping; the device must place b where a was. */
	uint32_t got = vc_map(t, b, 0, &mi);
	if (got == VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID) {
		vc_note(t, "the device dropped its resources on stop");
		struct vc_host h2 = { 0 };
		VC_TRY(mappable_blob(t, &h2, &b, &size));
		got = vc_map(t, b, 0, &mi);
	}
	VC_TRY(vc_expect(t, got, OK_MAP, R_VU_STOP_FORGETS,
			 "MAP_BLOB after a stop, at the offset a blob was mapped at before it"));
	vc_check(t, vgb_fe_shm_mapped(t->fe, 1, 0, size), R_VU_MAP_ACKED,
		 "after OK_MAP_INFO the range is not backed");
	const struct vgb_fe_backend_msg *log;
	size_t n = vgb_fe_backend_log(t->fe, &log, NULL);
	for (size_t i = 0; i < n; i++)
		vc_check(t, !is_shmem_request(&log[i]) || log[i].result == 0, R_VU_STOP_FORGETS,
			 "after the stop the device sent a %s (shm_offset %llu) the frontend had to refuse",
			 log[i].request == BACKEND_SHMEM_MAP ? "SHMEM_MAP" : "SHMEM_UNMAP",
			 (unsigned long long)log[i].shm_offset);
	vc_expect(t, vc_unmap(t, b), OK_NODATA, R_UNMAP_OK, "UNMAP_BLOB after the restart");
	return vc_done(t);
}

/* --- Headless --------------------------------------------------------------- */

#define HL_RES 0x4d11u
#define HL_W 37u
#define HL_H 5u
#define HL_STEPS 9

/* The same 2D sequence on any frontend, one command after the other; answer types in got[]. */
static void headless_script(struct vc *t, uint32_t got[HL_STEPS])
{
	struct virtio_gpu_resp_display_info info;
	uint64_t gpa = vc_alloc(t, 4096);
	struct vgb_sg ent = { gpa, HL_W * HL_H * 4 };
	unsigned i = 0;
	got[i++] = vc_get_display_info(t, &info);
	got[i++] = vc_create_2d(t, HL_RES, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, HL_W, HL_H);
	got[i++] = vc_attach_backing(t, HL_RES, &ent, 1);
	got[i++] = vc_transfer_2d(t, HL_RES, 0, 0, HL_W, HL_H, 0);
	got[i++] = vc_set_scanout(t, 0, HL_RES, 0, 0, HL_W, HL_H);
	got[i++] = vc_flush(t, HL_RES, 0, 0, HL_W, HL_H);
	got[i++] = vc_set_scanout(t, 0, 0, 0, 0, 0, 0);
	got[i++] = vc_set_scanout(t, 0, HL_RES, 0, 0, HL_W + 1, HL_H); /* outside: an error either way */
	got[i++] = vc_unref(t, HL_RES);
}

static const char *const hl_names[HL_STEPS] = {
	"GET_DISPLAY_INFO", "RESOURCE_CREATE_2D", "ATTACH_BACKING", "TRANSFER_TO_HOST_2D",
	"SET_SCANOUT", "RESOURCE_FLUSH", "SET_SCANOUT (disable)", "SET_SCANOUT (rect outside)",
	"RESOURCE_UNREF",
};

/* A frontend for the same target without VHOST_USER_GPU_SET_SOCKET. */
static struct vgb_fe *start_headless(struct vc *t, char *err, size_t errlen)
{
	const struct vc_target *tg = t->target;
	struct vgb_fe_options o;
	vgb_fe_options_defaults(&o);
	o.backend_argv = tg->argv;
	o.socket_path = tg->argv ? NULL : tg->socket_path;
	if (tg->ram_size)
		o.ram_size = tg->ram_size;
	if (tg->ram_regions)
		o.ram_regions = tg->ram_regions;
	o.features_mask &= ~t->c->mask_features;
	o.quiet = !tg->verbose;
	o.no_display_socket = true;
	return vgb_fe_start(&o, err, errlen);
}

static enum vc_verdict headless(struct vc *t)
{
	if (t->target->inject || t->target->driver_cmd)
		return vc_not_supported(t, "target tampers with responses or drives its own driver");
	uint32_t with[HL_STEPS], without[HL_STEPS];
	headless_script(t, with);
	VC_TRY(!vc_failed(t));
	vc_stop_backend(t);
	char err[512];
	t->fe = start_headless(t, err, sizeof(err));
	if (!t->fe)
		return vc_fail(t, R_DISP_HEADLESS, "the device does not start without a display socket: %s",
			       err);
	/* A device that waits for the display before answering would stall every command:
	 * ask once, with the frontend's own deadline, before running the script. */
	uint64_t req = vc_alloc(t, 4096), resp = vc_alloc(t, 4096);
	VC_TRY(req && resp);
	vc_hdr(vc_ptr(t, req, sizeof(struct virtio_gpu_ctrl_hdr)), VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	struct vgb_sg out = { req, sizeof(struct virtio_gpu_ctrl_hdr) };
	struct vgb_sg in = { resp, sizeof(struct virtio_gpu_resp_display_info) };
	uint32_t used = 0;
	int r = vgb_fe_submit(t->fe, 0, &out, 1, &in, 1, &used);
	if (r)
		return vc_fail(t, R_DISP_HEADLESS, "GET_DISPLAY_INFO without a display socket: no answer (%s)",
			       vgb_fe_error(t->fe));
	/* Without a display the device answers from its own configuration (which may have every
	 * scanout disabled, REQ-DEV-DISP-0040): the answer itself is what must not change. */
	struct virtio_gpu_resp_display_info info;
	memcpy(&info, vc_ptr(t, resp, sizeof(info)), sizeof(info));
	vc_check(t, used == sizeof(info) && vgb_le32(info.hdr.type) == VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
		 R_DISP_HEADLESS, "headless GET_DISPLAY_INFO: used %u, type %s", used,
		 vc_resp_name(vgb_le32(info.hdr.type)));
	vc_note(t, "headless: scanout 0 %ux%u, enabled %u", vgb_le32(info.pmodes[0].r.width),
		vgb_le32(info.pmodes[0].r.height), vgb_le32(info.pmodes[0].enabled));
	headless_script(t, without);
	for (unsigned i = 0; i < HL_STEPS; i++)
		vc_check(t, with[i] == without[i], R_DISP_HEADLESS,
			 "%s answered %s with a display, %s without", hl_names[i], vc_resp_name(with[i]),
			 vc_resp_name(without[i]));
	return vc_done(t);
}

const struct vc_case vc_cases_vu[] = {
	{ .name = "dev.map.transport_refused", IDS(R_MAP_TRANSPORT_FAIL, R_MAP_OK, R_VU_MAP_ACKED),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX, .run = map_refused,
	  .summary = "frontend refuses SHMEM_MAP: MAP_BLOB answers ERR_UNSPEC, the blob stays unmapped and maps later" },
	{ .name = "dev.map.frontend_out_of_slots", IDS(R_MAP_NO_SLOT, R_MAP_TRANSPORT_FAIL, R_MAP_OK, R_ERR_SERVES),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX, .run = out_of_slots,
	  .summary = "frontend out of memory slots: MAP_BLOB answers ERR_UNSPEC, the device serves on, the blob maps once a slot frees" },
	{ .name = "dev.vu.need_reply", IDS(R_VU_NEED_REPLY), .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX,
	  .run = need_reply, .summary = "SHMEM_MAP and SHMEM_UNMAP carry VHOST_USER_NEED_REPLY" },
	{ .name = "dev.vu.shmem_config_nregions", IDS(R_VU_SHMEM_NREGIONS), .needs = VC_NEED_REGION,
	  .run = shmem_config, .summary = "GET_SHMEM_CONFIG: nregions counts the non-zero memory_sizes" },
	{ .name = "dev.vu.stop_forgets_mappings", IDS(R_VU_STOP_FORGETS),
	  .needs = VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX, .run = stop_forgets,
	  .summary = "after GET_VRING_BASE of every queue and a restart, no mapping is left" },
	{ .name = "dev.disp.headless", IDS(R_DISP_HEADLESS), .run = headless,
	  .summary = "control-queue answers are the same without a display socket" },
	{ .name = NULL },
};
