/* pair.vk.handwriting and pair.vk.video: the seed's two zero-copy loops, run
 * through Venus on a mapped host blob.
 *
 * Handwriting: the CPU adds one stroke per frame to a linear RGBA8 image
 * mapped from host-visible memory, and the GPU samples the whole image every
 * frame, in place (no copy is ever recorded). Each frame is fenced, so every
 * frame must show exactly the strokes written before its submission: the GPU's
 * hash of what it sampled is matched against the CPU's model after each
 * stroke; a match with an older stroke count is staleness (frames behind), a
 * match with none is a torn frame.
 *
 * Video: the CPU "decodes" synthetic NV12 frames straight into a mapped
 * linear image; the GPU samples both planes, smooths luma and converts to RGB
 * in integer arithmetic, and the result is compared pixel-exact with the CPU
 * model (tolerance 0). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image_hash.spv.h"
#include "linear_image.h"
#include "nv12.spv.h"
#include "requirements_vk.h"
#include "vk.h"
#include "vkcases.h"

#define HW_W 256u
#define HW_H 192u
#define HW_FRAMES 48u
#define HW_INK_BG 0xffffffffu /* white paper */

#define VID_W 160u
#define VID_H 96u
#define VID_FRAMES 8u

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Stroke k: a 3-pixel-wide segment between two points fixed by k, in its own ink. */
static void stroke(uint32_t k, uint32_t *model, uint8_t *img, VkDeviceSize pitch)
{
	uint32_t r = vk_mix32(k, 0x5eed);
	int x0 = (int)(r % HW_W), y0 = (int)((r >> 12) % HW_H);
	int x1 = (int)(vk_mix32(r, 1) % HW_W), y1 = (int)(vk_mix32(r, 2) % HW_H);
	uint32_t ink = 0xff000000u | (vk_mix32(k, 0x1c) & 0x00ffffffu);
	int steps = abs(x1 - x0) > abs(y1 - y0) ? abs(x1 - x0) : abs(y1 - y0);
	for (int s = 0; s <= steps; s++) {
		int x = steps ? x0 + (x1 - x0) * s / steps : x0, y = steps ? y0 + (y1 - y0) * s / steps : y0;
		for (int dy = -1; dy <= 1; dy++)
			for (int dx = -1; dx <= 1; dx++) {
				int px = x + dx, py = y + dy;
				if (px < 0 || py < 0 || px >= (int)HW_W || py >= (int)HW_H)
					continue;
				model[py * HW_W + px] = ink;
				/* Through the mapping, straight into the image the GPU samples. */
				*(volatile uint32_t *)(img + (VkDeviceSize)py * pitch + (VkDeviceSize)px * 4) = ink;
			}
	}
}

/* The image-sampling pipeline, recorded once and resubmitted every frame. */
struct sampler_loop {
	struct vk_pipeline pipe;
	struct vk_buffer result;
	VkCommandBuffer cb;
};

static VkResult loop_record(struct case_ctx *c, struct vk *vk, struct sampler_loop *l, const void *push)
{
	VkResult r = vk_cmd_begin(c, vk, &l->cb);
	if (r != VK_SUCCESS)
		return r;
	vkCmdFillBuffer(l->cb, l->result.buf, 0, 8, 0);
	VkMemoryBarrier mb = { .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER, .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
			       .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT };
	vkCmdPipelineBarrier(l->cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0,
			     NULL, 0, NULL);
	vk_cmd_barrier_host_to_shader(l->cb);
	vk_cmd_dispatch(l->cb, &l->pipe, push, 64);
	vk_cmd_barrier_shader_to_host(l->cb);
	r = vkEndCommandBuffer(l->cb);
	if (r != VK_SUCCESS)
		case_say(c, FAIL, "vkEndCommandBuffer: %s", vk_result_name(r));
	return r;
}

static enum verdict vk_handwriting(struct case_ctx *c)
{
	struct vk vk;
	enum verdict v = vk_open(c, &vk);
	if (v != PASS)
		return v;
	struct linear_frame f;
	struct sampler_loop l;
	memset(&l, 0, sizeof(l));
	uint32_t *model = calloc(HW_W * HW_H, 4);
	uint32_t *hist = calloc(HW_FRAMES + 1, 4); /* hist[j]: the image after j strokes */
	double *lat = calloc(HW_FRAMES, sizeof(double));
	if (!model || !hist || !lat) {
		free(model), free(hist), free(lat);
		vk_close(&vk);
		return case_say(c, ERROR, "out of memory");
	}
	v = linear_rgba_create(c, &vk, HW_W, HW_H, &f);
	if (v != PASS)
		goto out_vk;
	VkDeviceSize pitch = f.plane[0].row_pitch;
	uint8_t *img = f.map + f.plane[0].offset;
	for (uint32_t y = 0; y < HW_H; y++)
		for (uint32_t x = 0; x < HW_W; x++) {
			model[y * HW_W + x] = HW_INK_BG;
			*(volatile uint32_t *)(img + y * pitch + x * 4) = HW_INK_BG;
		}
	hist[0] = vk_hash_words(model, HW_W * HW_H);
	static const VkDescriptorType types[] = { VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
						  VK_DESCRIPTOR_TYPE_STORAGE_BUFFER };
	uint32_t push[2] = { HW_W, HW_H };
	v = FAIL;
	if (linear_frame_publish(&vk, &f) != VK_SUCCESS || linear_frame_to_general(c, &vk, &f) != VK_SUCCESS ||
	    vk_pipeline_create(c, &vk, image_hash_spv, sizeof(image_hash_spv), types, 2, 8, &l.pipe) != VK_SUCCESS ||
	    vk_buffer_create(c, &vk, 256, -1, &l.result) != VK_SUCCESS)
		goto out;
	vk_pipeline_set_image(&vk, &l.pipe, 0, f.plane[0].view, f.sampler);
	vk_pipeline_set_buffer(&vk, &l.pipe, 1, l.result.buf, 0, 8);
	if (loop_record(c, &vk, &l, push) != VK_SUCCESS)
		goto out;

	uint32_t stale_frames = 0, torn = 0, max_behind = 0, first_bad = UINT32_MAX;
	char first_what[160] = "";
	for (uint32_t k = 0; k < HW_FRAMES; k++) {
		stroke(k, model, img, pitch);
		hist[k + 1] = vk_hash_words(model, HW_W * HW_H);
		if (linear_frame_publish(&vk, &f) != VK_SUCCESS) {
			case_say(c, FAIL, "frame %u: vkFlushMappedMemoryRanges failed", k);
			goto out;
		}
		double t0 = now_ms();
		if (vk_resubmit_wait(c, &vk, l.cb) != VK_SUCCESS)
			goto out;
		lat[k] = now_ms() - t0;
		const volatile uint32_t *res = l.result.map;
		uint32_t got = res[0], count = res[1];
		if (count != HW_W * HW_H) {
			case_say(c, FAIL, "frame %u: the GPU sampled %u of %u texels", k, count, HW_W * HW_H);
			goto out;
		}
		if (got == hist[k + 1])
			continue;
		uint32_t behind = 0;
		for (uint32_t j = k + 1; j-- > 0;)
			if (hist[j] == got) {
				behind = k + 1 - j;
				break;
			}
		if (behind) {
			stale_frames++;
			max_behind = behind > max_behind ? behind : max_behind;
		} else {
			torn++;
		}
		if (first_bad == UINT32_MAX) {
			first_bad = k;
			snprintf(first_what, sizeof(first_what),
				 behind ? "frame %u showed the image as of %u strokes earlier"
					: "frame %u showed an image no stroke count produces (torn: part of a stroke)",
				 k, behind);
		}
	}
	qsort(lat, HW_FRAMES, sizeof(double), cmp_double);
	char ev[384];
	snprintf(ev, sizeof(ev),
		 "{\"type\":\"event\",\"name\":\"vk_handwriting\",\"frames\":%u,\"stale_frames\":%u,"
		 "\"max_frames_behind\":%u,\"torn_frames\":%u,\"latency_ms_median\":%.2f,\"latency_ms_max\":%.2f,"
		 "\"memory_type\":%u,\"coherent\":%s}",
		 HW_FRAMES, stale_frames, max_behind, torn, lat[HW_FRAMES / 2], lat[HW_FRAMES - 1], f.type,
		 f.coherent ? "true" : "false");
	case_event(ev);
	if (stale_frames || torn)
		v = case_say(c, FAIL,
			     "%u of %u fenced frames stale (up to %u frames behind), %u torn; first: %s", stale_frames,
			     HW_FRAMES, max_behind, torn, first_what);
	else
		v = case_say(c, PASS,
			     "%u strokes drawn by the CPU into a %ux%u linear image (type %u, %s) and sampled in place "
			     "by the GPU every frame, no copy: staleness 0 frames, 0 torn; submit-to-fence latency "
			     "median %.1f ms, max %.1f ms",
			     HW_FRAMES, HW_W, HW_H, f.type, f.coherent ? "coherent, no flush" : "flushed", lat[HW_FRAMES / 2],
			     lat[HW_FRAMES - 1]);
out:
	if (l.cb)
		vkFreeCommandBuffers(vk.dev, vk.pool, 1, &l.cb);
	vk_pipeline_destroy(&vk, &l.pipe);
	vk_buffer_destroy(&vk, &l.result);
	linear_frame_destroy(&vk, &f);
out_vk:
	vk_close(&vk);
	free(model), free(hist), free(lat);
	return v;
}

/* Frame f of the synthetic video: luma ramps and chroma bars that move. */
static uint8_t video_y(uint32_t x, uint32_t y, uint32_t f) { return (uint8_t)(16 + (x * 3 + y * 2 + f * 7) % 220); }
static uint8_t video_u(uint32_t x, uint32_t y, uint32_t f) { return (uint8_t)(78 + (x * 5 + 200 - y + f * 9) % 100); }
static uint8_t video_v(uint32_t x, uint32_t y, uint32_t f) { return (uint8_t)(64 + (x * y + f * 11) % 128); }

static int clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

/* The CPU model of nv12.comp: 1-2-1 luma smoothing, BT.601 limited range. */
static uint32_t video_model(uint32_t x, uint32_t y, uint32_t f)
{
	uint32_t xl = x ? x - 1 : 0, xr = x + 1 < VID_W ? x + 1 : VID_W - 1;
	int ys = (video_y(xl, y, f) + 2 * video_y(x, y, f) + video_y(xr, y, f) + 2) >> 2;
	int cy = ys - 16, d = video_u(x / 2, y / 2, f) - 128, e = video_v(x / 2, y / 2, f) - 128;
	/* Arithmetic shift of negative values, as the shader's int >>. */
	int r = clamp255((298 * cy + 409 * e + 128) >> 8);
	int g = clamp255((298 * cy - 100 * d - 208 * e + 128) >> 8);
	int b = clamp255((298 * cy + 516 * d + 128) >> 8);
	return (uint32_t)r | (uint32_t)g << 8 | (uint32_t)b << 16 | 0xffu << 24;
}

static void video_decode(struct linear_frame *fr, uint32_t f)
{
	const struct linear_plane *py = &fr->plane[0], *puv = &fr->plane[1];
	for (uint32_t y = 0; y < VID_H; y++) {
		volatile uint8_t *row = fr->map + py->offset + y * py->row_pitch;
		for (uint32_t x = 0; x < VID_W; x++)
			row[x] = video_y(x, y, f);
	}
	for (uint32_t y = 0; y < VID_H / 2; y++) {
		volatile uint8_t *row = fr->map + puv->offset + y * puv->row_pitch;
		for (uint32_t x = 0; x < VID_W / 2; x++) {
			row[2 * x] = video_u(x, y, f);
			row[2 * x + 1] = video_v(x, y, f);
		}
	}
}

static enum verdict vk_video(struct case_ctx *c)
{
	struct vk vk;
	enum verdict v = vk_open(c, &vk);
	if (v != PASS)
		return v;
	struct linear_frame fr;
	struct vk_pipeline pipe;
	struct vk_buffer out;
	VkCommandBuffer cb = VK_NULL_HANDLE;
	memset(&pipe, 0, sizeof(pipe));
	memset(&out, 0, sizeof(out));
	v = linear_nv12_create(c, &vk, VID_W, VID_H, &fr);
	if (v != PASS) {
		vk_close(&vk);
		return v;
	}
	static const VkDescriptorType types[] = { VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
						  VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
						  VK_DESCRIPTOR_TYPE_STORAGE_BUFFER };
	uint32_t push[2] = { VID_W, VID_H };
	v = FAIL;
	video_decode(&fr, 0);
	if (linear_frame_publish(&vk, &fr) != VK_SUCCESS || linear_frame_to_general(c, &vk, &fr) != VK_SUCCESS ||
	    vk_pipeline_create(c, &vk, nv12_spv, sizeof(nv12_spv), types, 3, 8, &pipe) != VK_SUCCESS ||
	    vk_buffer_create(c, &vk, VID_W * VID_H * 4, -1, &out) != VK_SUCCESS)
		goto out;
	vk_pipeline_set_image(&vk, &pipe, 0, fr.plane[0].view, fr.sampler);
	vk_pipeline_set_image(&vk, &pipe, 1, fr.plane[1].view, fr.sampler);
	vk_pipeline_set_buffer(&vk, &pipe, 2, out.buf, 0, VK_WHOLE_SIZE);
	if (vk_cmd_begin(c, &vk, &cb) != VK_SUCCESS)
		goto out;
	vk_cmd_barrier_host_to_shader(cb);
	vk_cmd_dispatch(cb, &pipe, push, 64);
	vk_cmd_barrier_shader_to_host(cb);
	if (vkEndCommandBuffer(cb) != VK_SUCCESS) {
		case_say(c, FAIL, "vkEndCommandBuffer failed");
		goto out;
	}
	double worst_ms = 0;
	for (uint32_t f = 0; f < VID_FRAMES; f++) {
		video_decode(&fr, f);
		if (linear_frame_publish(&vk, &fr) != VK_SUCCESS) {
			case_say(c, FAIL, "frame %u: vkFlushMappedMemoryRanges failed", f);
			goto out;
		}
		double t0 = now_ms();
		if (vk_resubmit_wait(c, &vk, cb) != VK_SUCCESS)
			goto out;
		double ms = now_ms() - t0;
		worst_ms = ms > worst_ms ? ms : worst_ms;
		const volatile uint32_t *px = out.map;
		uint32_t bad = 0, first = UINT32_MAX, as_prev = 0;
		for (uint32_t i = 0; i < VID_W * VID_H; i++) {
			uint32_t want = video_model(i % VID_W, i / VID_W, f);
			if (px[i] != want) {
				bad++;
				first = first == UINT32_MAX ? i : first;
				as_prev += f && px[i] == video_model(i % VID_W, i / VID_W, f - 1);
			}
		}
		if (bad) {
			uint32_t x = first % VID_W, y = first / VID_W;
			v = case_say(c, FAIL,
				     "frame %u: %u of %u pixels differ from the CPU model (tolerance 0); first (%u,%u) "
				     "is 0x%08x, model 0x%08x (Y %u U %u V %u)%s",
				     f, bad, VID_W * VID_H, x, y, px[first], video_model(x, y, f), video_y(x, y, f),
				     video_u(x / 2, y / 2, f), video_v(x / 2, y / 2, f),
				     as_prev ? "; some pixels show the previous frame (stale)" : "");
			goto out;
		}
	}
	v = case_say(c, PASS,
		     "%u NV12 frames %ux%u written by the CPU into a mapped linear %s (type %u, %s), both planes "
		     "sampled by the GPU (luma 1-2-1 smoothing + BT.601 to RGB): pixel-exact with the CPU model; "
		     "slowest frame %.1f ms",
		     VID_FRAMES, VID_W, VID_H,
		     fr.multiplanar ? "G8_B8R8_2PLANE_420 image" : "R8 + R8G8 image pair in one allocation", fr.type,
		     fr.coherent ? "coherent" : "flushed", worst_ms);
out:
	if (cb)
		vkFreeCommandBuffers(vk.dev, vk.pool, 1, &cb);
	vk_pipeline_destroy(&vk, &pipe);
	vk_buffer_destroy(&vk, &out);
	linear_frame_destroy(&vk, &fr);
	vk_close(&vk);
	return v;
}

const struct case_def vk_loop_cases[] = {
	{ "pair.vk.handwriting", vk_handwriting, CASE_IDS(IDS_VK_HANDWRITING) },
	{ "pair.vk.video", vk_video, CASE_IDS(IDS_VK_VIDEO) },
	{ NULL, NULL, NULL },
};
