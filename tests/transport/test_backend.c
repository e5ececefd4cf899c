/* SPDX-License-Identifier: MIT */
/*
 * vgb-test-backend: a tiny vhost-user device on the real back-end loop, so the
 * transport can be tested on its own.  Commands on queue 0 (u32 code + args):
 *   ECHO     -> the request with every byte inverted
 *   MAP      {u64 shm_offset, u64 len, u32 fill} -> i32 result of SHMEM_MAP of a filled memfd
 *   UNMAP    {u64 shm_offset, u64 len}           -> i32 result
 *   DISPLAY  {u32 w, u32 h}  -> i32: SCANOUT + UPDATE with pixel(x,y) = y << 16 | x
 *   DPYINFO  -> i32 result, u32 width, height, enabled of scanout 0 (asked of the front-end)
 *   EDID     -> i32 result, u32 edid size
 *   SLEEP    {u32 ms} -> i32 0 after sleeping
 *   CURSOR   -> i32: CURSOR_UPDATE at (5, 7)
 *   DIE {u32 sig}, EXIT {u32 status}: go away mid-request
 *   GPU_RAW  {u32 with_fd, bytes} -> i32: the bytes as is on the display channel
 *   MAP_SHRINK {u64 shm_offset, u64 len, u32 seal} -> i32 map, i32 shrink: a hostile back-end
 *   STOPS    -> i32 times the front-end stopped the device
 * Usage: vgb-test-backend [--shm-size=BYTES] [--zero-scanouts] [-v] (--fd=N | --socket-path=PATH)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test_proto.h"
#include "vgb/vu_backend.h"
#include "vgb/wire.h"

struct tdev {
	struct vgb_vu_backend *be;
	uint8_t config[16];
	int32_t stops;
};

static int32_t do_map(struct tdev *t, const uint8_t *a)
{
	uint64_t off, len;
	uint32_t fill;
	memcpy(&off, a, 8);
	memcpy(&len, a + 8, 8);
	memcpy(&fill, a + 16, 4);
	if (len == 0 || len > (64u << 20))
		return -EINVAL;
	int fd = memfd_create("vgb-test-blob", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)len))
		return -errno;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	memset(p, (int)fill, len);
	munmap(p, len);
	int r = vgb_vu_backend_shm_map(t->be, fd, 0, off, len, true);
	close(fd);
	return r;
}

/* Maps a filled memfd, then shrinks it as a hostile back-end would. */
static void do_map_shrink(struct tdev *t, const uint8_t *a, int32_t out[2])
{
	uint64_t off, len;
	uint32_t seal;
	memcpy(&off, a, 8);
	memcpy(&len, a + 8, 8);
	memcpy(&seal, a + 16, 4);
	out[0] = out[1] = -EINVAL;
	if (len == 0 || len > (64u << 20))
		return;
	int fd = memfd_create("vgb-test-shrink", MFD_CLOEXEC | (seal != TSEAL_NEVER ? MFD_ALLOW_SEALING : 0));
	if (fd < 0 || ftruncate(fd, (off_t)len) ||
	    (seal == TSEAL_SEALED && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW))) {
		out[0] = -errno;
		if (fd >= 0)
			close(fd);
		return;
	}
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		memset(p, 0x77, len);
		munmap(p, len);
	}
	out[0] = vgb_vu_backend_shm_map(t->be, fd, 0, off, len, true);
	out[1] = ftruncate(fd, 0) ? -errno : 0;
	close(fd);
}

static int32_t do_display(struct tdev *t, uint32_t w, uint32_t h)
{
	if (w == 0 || h == 0 || w > 4096 || h > 4096)
		return -EINVAL;
	uint32_t *px = malloc((size_t)w * h * 4);
	if (!px)
		return -ENOMEM;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			px[(size_t)y * w + x] = y << 16 | x;
	int r = vgb_vu_gpu_scanout(t->be, 0, w, h);
	if (!r)
		r = vgb_vu_gpu_update(t->be, 0, 0, 0, w, h, px, w * 4);
	free(px);
	return r;
}

static size_t put_i32s(void *resp, size_t cap, const int32_t *v, unsigned n)
{
	size_t len = n * 4u;
	if (cap < len)
		return 0;
	memcpy(resp, v, len);
	return len;
}

static size_t request(void *opaque, unsigned queue, const struct vgb_guest_mem *mem, const void *req,
		      size_t req_len, size_t total_len, void *resp, size_t resp_cap)
{
	struct tdev *t = opaque;
	const uint8_t *q = req;
	uint32_t code = 0;
	if (req_len >= 4)
		memcpy(&code, q, 4);
	switch (code) {
	case TCMD_ECHO: {
		size_t n = req_len < resp_cap ? req_len : resp_cap;
		for (size_t i = 0; i < n; i++)
			((uint8_t *)resp)[i] = (uint8_t)~q[i];
		return n;
	}
	case TCMD_MAP: {
		int32_t r = req_len >= 24 ? do_map(t, q + 4) : -EINVAL;
		return put_i32s(resp, resp_cap, &r, 1);
	}
	case TCMD_UNMAP: {
		int32_t r = -EINVAL;
		if (req_len >= 20) {
			uint64_t off, len;
			memcpy(&off, q + 4, 8);
			memcpy(&len, q + 12, 8);
			r = vgb_vu_backend_shm_unmap(t->be, off, len);
		}
		return put_i32s(resp, resp_cap, &r, 1);
	}
	case TCMD_DISPLAY: {
		int32_t r = -EINVAL;
		if (req_len >= 12) {
			uint32_t w, h;
			memcpy(&w, q + 4, 4);
			memcpy(&h, q + 8, 4);
			r = do_display(t, w, h);
		}
		return put_i32s(resp, resp_cap, &r, 1);
	}
	case TCMD_DPYINFO: {
		struct virtio_gpu_resp_display_info info;
		memset(&info, 0, sizeof(info));
		int32_t v[4] = { vgb_vu_gpu_get_display_info(t->be, &info) };
		v[1] = (int32_t)vgb_le32(info.pmodes[0].r.width);
		v[2] = (int32_t)vgb_le32(info.pmodes[0].r.height);
		v[3] = (int32_t)vgb_le32(info.pmodes[0].enabled);
		return put_i32s(resp, resp_cap, v, 4);
	}
	case TCMD_EDID: {
		struct virtio_gpu_resp_edid e;
		memset(&e, 0, sizeof(e));
		int32_t v[2] = { vgb_vu_gpu_get_edid(t->be, 0, &e) };
		v[1] = (int32_t)vgb_le32(e.size);
		return put_i32s(resp, resp_cap, v, 2);
	}
	case TCMD_SLEEP: {
		uint32_t ms = 0;
		if (req_len >= 8)
			memcpy(&ms, q + 4, 4);
		poll(NULL, 0, (int)(ms > 60000 ? 60000 : ms));
		int32_t r = 0;
		return put_i32s(resp, resp_cap, &r, 1);
	}
	case TCMD_CURSOR: {
		static uint32_t img[64 * 64];
		int32_t r = vgb_vu_gpu_cursor(t->be, 0, 5, 7, true, 1, 2, img);
		return put_i32s(resp, resp_cap, &r, 1);
	}
	case TCMD_GPU_RAW: {
		int32_t r = -EINVAL;
		if (req_len > 8) {
			uint32_t with_fd;
			memcpy(&with_fd, q + 4, 4);
			int fd = with_fd ? memfd_create("vgb-test-dmabuf", MFD_CLOEXEC) : -1;
			r = vgb_vu_gpu_send_raw(t->be, q + 8, req_len - 8, fd);
			if (fd >= 0)
				close(fd);
		}
		return put_i32s(resp, resp_cap, &r, 1);
	}
	case TCMD_MAP_SHRINK: {
		int32_t v[2] = { -EINVAL, -EINVAL };
		if (req_len >= 24)
			do_map_shrink(t, q + 4, v);
		return put_i32s(resp, resp_cap, v, 2);
	}
	case TCMD_STOPS:
		return put_i32s(resp, resp_cap, &t->stops, 1);
	case TCMD_DIE:
	case TCMD_EXIT: {
		uint32_t v = 0;
		if (req_len >= 8)
			memcpy(&v, q + 4, 4);
		if (code == TCMD_DIE)
			raise((int)v);
		exit((int)v);
	}
	default: {
		int32_t r = -ENOSYS;
		return put_i32s(resp, resp_cap, &r, 1);
	}
	}
}

static void stopped(void *opaque)
{
	struct tdev *t = opaque;
	t->stops++;
}

static size_t config(void *opaque, void *buf, size_t cap)
{
	struct tdev *t = opaque;
	size_t n = sizeof(t->config) < cap ? sizeof(t->config) : cap;
	memcpy(buf, t->config, n);
	return n;
}

int main(int argc, char **argv)
{
	int fd = -1;
	const char *path = NULL;
	uint64_t shm = 0;
	bool verbose = false, zero_scanouts = false;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--fd=", 5))
			fd = atoi(argv[i] + 5);
		else if (!strncmp(argv[i], "--socket-path=", 14))
			path = argv[i] + 14;
		else if (!strncmp(argv[i], "--shm-size=", 11))
			shm = strtoull(argv[i] + 11, NULL, 0);
		else if (!strcmp(argv[i], "--zero-scanouts"))
			zero_scanouts = true;
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else {
			fprintf(stderr, "vgb-test-backend: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	char err[256];
	if (path && (fd = vgb_vu_listen_accept(path, err, sizeof(err))) < 0) {
		fprintf(stderr, "vgb-test-backend: %s\n", err);
		return 1;
	}
	if (fd < 0) {
		fprintf(stderr, "vgb-test-backend: need --fd or --socket-path\n");
		return 2;
	}
	struct tdev t = { .stops = 0 };
	for (unsigned i = 0; i < sizeof(t.config); i++)
		t.config[i] = (uint8_t)(0xa0 + i);
	if (zero_scanouts) /* like QEMU's backend: num_scanouts left to the frontend */
		memset(t.config + 8, 0, 4);
	struct vgb_vu_device dev = {
		.opaque = &t,
		.num_queues = 2,
		.features = 1ull << VIRTIO_GPU_F_EDID,
		.shmid = 1,
		.shm_size = shm,
		.gpu = true,
		.max_request = 4096,
		.max_response = 4096,
		.config = config,
		.request = request,
		.stop = stopped,
	};
	struct vgb_vu_backend_options opt = { .verbose = verbose };
	t.be = vgb_vu_backend_new(fd, &dev, &opt);
	if (!t.be)
		return 1;
	int r = vgb_vu_backend_run(t.be);
	fprintf(stderr, "vgb-test-backend: %s\n", vgb_vu_backend_error(t.be));
	vgb_vu_backend_free(t.be);
	return r == 0 ? 0 : 1;
}
