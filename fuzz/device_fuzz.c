/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the reference device's command path.
 *
 * The input is a configuration byte followed by records; each record drives
 * the device the way a hostile driver could: a controlq request (raw, or with
 * a valid command type planted so the fuzzer reaches the handlers), a cursorq
 * request, or bytes written into guest memory (entries then point at data the
 * fuzzer chose).  Guest memory is small and memfd-backed; blob and region are
 * on, with shm ops that really map the memfds into a reserved region, so MAP,
 * UNMAP, UNREF-while-mapped and reset all run their real paths.
 *
 * Record: kind (1 byte), length (2 bytes, little-endian), payload.
 *   kind % 4 == 0: controlq request = payload; (kind >> 2) % 9 picks the response
 *                  buffer size (0: a full one; others exercise short buffers)
 *                  (kind 0xfc: vgb_device_ctrl_oversized, the last 4 bytes add to the
 *                  announced length)
 *   kind % 4 == 1: the same, with the type replaced by known type payload[1]
 *   kind % 4 == 2: cursorq request = payload
 *   kind % 4 == 3: write payload[2..] into guest memory at offset payload[0..1]
 * Invariants checked after every request: the response fits the buffer, is
 * either empty or at least a header, and carries a known response type; at
 * the end, the device still answers GET_DISPLAY_INFO and a reset gives back
 * all host memory the device charged.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vgb/device.h"
#include "vgb/wire.h"

#define RAM_REGION (64u << 10)
#define SHM_SIZE (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vgb_guest_mem mem;
static uint8_t *shm;
static bool verbose; /* VGB_FUZZ_VERBOSE=1: print what the device logs (for checking seeds) */

static void fuzz_log(void *opaque, const char *line)
{
	fprintf(stderr, "device: %s\n", line);
}

static int fuzz_shm_map(void *opaque, int fd, uint64_t fd_offset, uint64_t shm_offset, uint64_t len,
			bool writable)
{
	if (shm_offset > SHM_SIZE || len > SHM_SIZE - shm_offset)
		__builtin_trap(); /* the device must never ask for a range outside the region */
	void *p = mmap(shm + shm_offset, len, PROT_READ | (writable ? PROT_WRITE : 0),
		       MAP_SHARED | MAP_FIXED, fd, (off_t)fd_offset);
	if (p == MAP_FAILED)
		return -1;
	/* Touch the first and last byte: the device placed real memory there. */
	volatile uint8_t *v = p;
	(void)v[0];
	(void)v[len - 1];
	return 0;
}

static int fuzz_shm_unmap(void *opaque, uint64_t shm_offset, uint64_t len)
{
	if (shm_offset > SHM_SIZE || len > SHM_SIZE - shm_offset)
		__builtin_trap();
	void *p = mmap(shm + shm_offset, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? -1 : 0;
}

static void fuzz_update(void *opaque, uint32_t scanout, uint32_t x, uint32_t y, uint32_t w,
			uint32_t h, const void *pixels, uint32_t stride)
{
	/* Read the first and last pixel the device hands out: they must be readable. */
	const volatile uint8_t *p = pixels;
	(void)p[0];
	(void)p[(uint64_t)stride * (h - 1) + (uint64_t)w * 4 - 1];
}

static void fuzz_cursor(void *opaque, uint32_t scanout, uint32_t x, uint32_t y, bool visible,
			uint32_t hot_x, uint32_t hot_y, const void *argb)
{
	if (argb)
		(void)((const volatile uint8_t *)argb)[64 * 64 * 4 - 1];
}

static void setup_once(void)
{
	if (mem.nregions)
		return;
	verbose = getenv("VGB_FUZZ_VERBOSE") != NULL;
	for (int i = 0; i < 2; i++) {
		int fd = memfd_create("vgb-fuzz-ram", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, RAM_REGION) < 0)
			abort();
		struct vgb_mem_region *r = &mem.regions[i];
		r->map_base = mmap(NULL, RAM_REGION, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (r->map_base == MAP_FAILED)
			abort();
		r->host = r->map_base;
		r->map_len = RAM_REGION;
		r->fd = fd;
		r->gpa = i == 0 ? 0x10000 : 0x100000; /* a hole between the regions */
		r->uva = 0x10000000ull * (uint64_t)(i + 1);
		r->size = RAM_REGION;
	}
	mem.nregions = 2;
	shm = mmap(NULL, SHM_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (shm == MAP_FAILED)
		abort();
}

static const uint32_t known_types[] = {
	VIRTIO_GPU_CMD_GET_DISPLAY_INFO, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
	VIRTIO_GPU_CMD_RESOURCE_UNREF, VIRTIO_GPU_CMD_SET_SCANOUT, VIRTIO_GPU_CMD_RESOURCE_FLUSH,
	VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
	VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, VIRTIO_GPU_CMD_GET_CAPSET_INFO,
	VIRTIO_GPU_CMD_GET_CAPSET, VIRTIO_GPU_CMD_GET_EDID, VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB,
	VIRTIO_GPU_CMD_CTX_CREATE, VIRTIO_GPU_CMD_CTX_DESTROY, VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE,
	VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D,
	VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D,
	VIRTIO_GPU_CMD_SUBMIT_3D, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB,
	VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, VIRTIO_GPU_CMD_UPDATE_CURSOR,
	VIRTIO_GPU_CMD_MOVE_CURSOR,
};

static bool known_response(uint32_t type)
{
	return (type >= VIRTIO_GPU_RESP_OK_NODATA && type <= VIRTIO_GPU_RESP_OK_MAP_INFO) ||
	       (type >= VIRTIO_GPU_RESP_ERR_UNSPEC && type <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
}

static struct vgb_device *make_device(uint8_t knobs)
{
	struct vgb_device_config cfg;
	vgb_device_config_defaults(&cfg);
	cfg.num_scanouts = 1 + (knobs & 1);
	cfg.width = 64;
	cfg.height = 48;
	cfg.blob_alignment = knobs & 2;
	cfg.alignment = knobs & 2 ? 16384 : 4096;
	cfg.region_size = knobs & 4 ? 0 : SHM_SIZE;
	cfg.validate = knobs & 8;
	cfg.max_entries = 64;
	cfg.max_blob_size = 512u << 10;
	cfg.max_host_memory = 4u << 20;
	cfg.max_resources = 32;
	struct vgb_device_ops ops = {
		.shm_map = fuzz_shm_map,
		.shm_unmap = fuzz_shm_unmap,
		.update = fuzz_update,
		.cursor = fuzz_cursor,
		.log = verbose ? fuzz_log : NULL,
	};
	struct vgb_device *dev = vgb_device_new(&cfg, &ops);
	if (!dev)
		abort();
	uint64_t features = vgb_device_features(dev);
	/* Mostly everything offered; sometimes a subset, sometimes something extra. */
	if (knobs & 0x10)
		features &= (uint64_t)knobs >> 5 | 0x8;
	if (knobs & 0x80)
		features |= 1u << VIRTIO_GPU_F_RESOURCE_UUID;
	vgb_device_set_features(dev, features);
	return dev;
}

static void ctrl(struct vgb_device *dev, uint8_t kind, const uint8_t *req, size_t len)
{
	static uint8_t resp[2048];
	static const size_t caps[] = {sizeof(resp), 0, 16, 24, 31, 40, 407, 1055, sizeof(resp)};
	size_t cap = caps[(kind >> 2) % (sizeof(caps) / sizeof(caps[0]))];
	size_t n = vgb_device_ctrl(dev, &mem, req, len, resp, cap);
	if (n > cap || (n && n < sizeof(struct virtio_gpu_ctrl_hdr)))
		__builtin_trap();
	if (n) {
		uint32_t type;
		memcpy(&type, resp, 4);
		if (!known_response(vgb_le32(type)))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup_once();
	if (size < 1)
		return 0;
	for (unsigned i = 0; i < 2; i++)
		memset(mem.regions[i].host, 0, RAM_REGION);
	struct vgb_device *dev = make_device(data[0]);
	static uint8_t req[4096 + 64];
	size_t pos = 1;
	while (pos + 3 <= size) {
		uint8_t kind = data[pos];
		size_t len = data[pos + 1] | (size_t)data[pos + 2] << 8;
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (len > sizeof(req))
			len = sizeof(req);
		memcpy(req, data + pos, len);
		pos += len;
		switch (kind % 4) {
		case 0:
			if (kind == 0xfc && len >= 4) { /* a request longer than what was read */
				uint8_t resp[64];
				uint32_t extra;
				memcpy(&extra, req + len - 4, 4);
				size_t total = len + (extra & 0xffffff);
				if (vgb_device_ctrl_oversized(dev, &mem, req, len - 4, total, resp, sizeof(resp)) >
				    sizeof(resp))
					__builtin_trap();
				break;
			}
			ctrl(dev, kind, req, len);
			break;
		case 1:
			if (len >= 4) {
				uint32_t t = vgb_to_le32(known_types[req[1] % (sizeof(known_types) / 4)]);
				memcpy(req, &t, 4);
			}
			ctrl(dev, kind, req, len);
			break;
		case 2:
			vgb_device_cursor(dev, &mem, req, len);
			break;
		case 3:
			if (len > 2) {
				size_t off = (req[0] | (size_t)req[1] << 8) % (2 * RAM_REGION);
				struct vgb_mem_region *r = &mem.regions[off / RAM_REGION];
				off %= RAM_REGION;
				size_t n = len - 2 < RAM_REGION - off ? len - 2 : RAM_REGION - off;
				memcpy(r->host + off, req + 2, n);
			}
			break;
		}
		if (kind == 0xff) /* a reset in the middle of a sequence */
			vgb_device_reset(dev), vgb_device_set_features(dev, vgb_device_features(dev));
	}
	/* Whatever came before, the device still serves. */
	struct virtio_gpu_ctrl_hdr h = {.type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO)};
	static uint8_t resp[sizeof(struct virtio_gpu_resp_display_info)];
	if (vgb_device_ctrl(dev, &mem, &h, sizeof(h), resp, sizeof(resp)) != sizeof(resp) ||
	    memcmp(resp, &(uint32_t){vgb_to_le32(VIRTIO_GPU_RESP_OK_DISPLAY_INFO)}, 4) != 0)
		__builtin_trap();
	/* Reset gives back every byte charged against max_host_memory. */
	vgb_device_reset(dev);
	if (vgb_device_host_memory(dev) != 0)
		__builtin_trap();
	vgb_device_free(dev);
	return 0;
}
