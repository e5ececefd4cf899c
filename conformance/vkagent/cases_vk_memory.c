/* pair.vk.* memory cases: every host-visible memory type of the Venus device
 * is a host blob mapped into the host-visible region, its CPU mapping has the
 * cache type its flags promise, and data crosses between the guest CPU and
 * the host GPU in both directions with only what Vulkan asks for (nothing on
 * coherent types, flush / invalidate on the others). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gpu_ops.h"
#include "mapinfo.h"
#include "requirements_vk.h"
#include "vk.h"
#include "vkcases.h"

#define COH_BYTES (1u << 20)
#define COH_WORDS (COH_BYTES / 4)
#define COH_ROUNDS 4

static enum verdict vk_device(struct case_ctx *c)
{
	struct vk vk;
	enum verdict v = vk_open(c, &vk);
	if (v != PASS)
		return v;
	char ev[2048];
	int n = snprintf(ev, sizeof(ev),
			 "{\"type\":\"event\",\"name\":\"vk_device\",\"device\":\"%s\",\"driver\":\"%s\","
			 "\"driver_info\":\"%s\",\"api\":\"%u.%u.%u\",\"memory_types\":[",
			 vk.props.deviceName, vk.driver_name, vk.driver_info, VK_API_VERSION_MAJOR(vk.props.apiVersion),
			 VK_API_VERSION_MINOR(vk.props.apiVersion), VK_API_VERSION_PATCH(vk.props.apiVersion));
	for (uint32_t i = 0; i < vk.mem.memoryHeapCount && n > 0 && (size_t)n < sizeof(ev); i++)
		case_say(c, PASS, "heap %u: %llu MiB%s", i, (unsigned long long)(vk.mem.memoryHeaps[i].size >> 20),
			 vk.mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT ? " device-local" : "");
	for (uint32_t i = 0; i < vk.mem.memoryTypeCount && n > 0 && (size_t)n < sizeof(ev); i++) {
		char flags[128];
		vk_memory_flags_name(vk.mem.memoryTypes[i].propertyFlags, flags, sizeof(flags));
		n += snprintf(ev + n, sizeof(ev) - (size_t)n, "%s{\"index\":%u,\"heap\":%u,\"flags\":\"%s\"}",
			      i ? "," : "", i, vk.mem.memoryTypes[i].heapIndex, flags);
		case_say(c, PASS, "type %u heap %u %s", i, vk.mem.memoryTypes[i].heapIndex, flags);
	}
	if (n > 0 && (size_t)n < sizeof(ev))
		snprintf(ev + n, sizeof(ev) - (size_t)n, "]}");
	case_event(ev);
	v = case_say(c, PASS, "%s, driver %s %s, Vulkan %u.%u", vk.props.deviceName, vk.driver_name,
		     vk.driver_info, VK_API_VERSION_MAJOR(vk.props.apiVersion),
		     VK_API_VERSION_MINOR(vk.props.apiVersion));
	vk_close(&vk);
	return v;
}

/* Allocates and maps `size` bytes of memory type `type`. */
static VkResult alloc_map(struct case_ctx *c, struct vk *vk, uint32_t type, VkDeviceSize size, VkDeviceMemory *mem,
			  void **map)
{
	VkMemoryAllocateInfo mai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = size,
				     .memoryTypeIndex = type };
	*mem = VK_NULL_HANDLE;
	VkResult r = vkAllocateMemory(vk->dev, &mai, NULL, mem);
	if (r != VK_SUCCESS) {
		*mem = VK_NULL_HANDLE;
		case_say(c, FAIL, "vkAllocateMemory(%llu, type %u): %s", (unsigned long long)size, type,
			 vk_result_name(r));
		return r;
	}
	r = vkMapMemory(vk->dev, *mem, 0, VK_WHOLE_SIZE, 0, map);
	if (r != VK_SUCCESS) {
		case_say(c, FAIL, "vkMapMemory(type %u): %s", type, vk_result_name(r));
		vkFreeMemory(vk->dev, *mem, NULL);
		*mem = VK_NULL_HANDLE;
	}
	return r;
}

/* Allocates and maps like alloc_map, and finds where the mapping lands: the
 * physical range PAT reserved for it inside the host-visible window, and its
 * VMA. FAIL (or ERROR when the guest cannot tell) says why it is not a mapped
 * host blob. */
static enum verdict alloc_map_located(struct case_ctx *c, struct vk *vk, const struct hostvis_window *w,
				      uint32_t type, uint64_t size, VkDeviceMemory *mem, void **map,
				      struct pat_range *range)
{
	static struct pat_snapshot before, after;
	int r = pat_snapshot(w, &before);
	if (r)
		return case_say(c, NOT_SUPPORTED, "no /sys/kernel/debug/x86/pat_memtype_list (%s): cannot locate "
				"the mapping", strerror(-r));
	if (alloc_map(c, vk, type, size, mem, map) != VK_SUCCESS)
		return FAIL;
	(void)*(volatile uint8_t *)*map; /* fault it in, should the driver map lazily */
	struct map_vma vma;
	if ((r = map_vma_find(*map, &vma)))
		return case_say(c, ERROR, "type %u: the mapping is not in /proc/self/smaps: %s", type, strerror(-r));
	if ((r = pat_snapshot(w, &after)))
		return case_say(c, ERROR, "PAT list: %s", strerror(-r));
	if (!vma.io || !vma.pfnmap || pat_added(&before, &after, size, range))
		return case_say(c, FAIL,
				"type %u: the mapping %lx-%lx (%s) is %s: not a host blob mapped from the window "
				"0x%" PRIx64 "-0x%" PRIx64 " (a copy in guest memory?)",
				type, (unsigned long)vma.start, (unsigned long)vma.end, vma.path[0] ? vma.path : "anonymous",
				!vma.io ? "not device memory (no VM_IO)" : "no new device range inside the window",
				w->start, w->end);
	return PASS;
}

static enum verdict vk_host_blob(struct case_ctx *c)
{
	if (!c->params.host_visible)
		return case_say(c, NOT_SUPPORTED, "the device exposes no host-visible region");
	struct hostvis_window w;
	if (hostvis_window_find(&w))
		return case_say(c, ERROR, "cannot find the virtio-gpu host-visible BAR in sysfs");
	struct vk vk;
	enum verdict v = vk_open(c, &vk);
	if (v != PASS)
		return v;
	unsigned checked = 0;
	for (uint32_t t = 0; t < vk.mem.memoryTypeCount && v == PASS; t++) {
		VkMemoryPropertyFlags f = vk.mem.memoryTypes[t].propertyFlags;
		if (!(f & VK_HOST_VISIBLE))
			continue;
		/* A size of its own per type: the runner finds it among QEMU's
		 * RESOURCE_CREATE_BLOB trace events. */
		uint64_t size = (1u << 20) + (t + 1) * (64u << 10);
		uint64_t used0 = 0, used1 = 0, total = 0;
		int have_mm = hostvis_used(&used0, &total) == 0;
		VkDeviceMemory mem = VK_NULL_HANDLE;
		void *map;
		struct pat_range range = { 0 };
		v = alloc_map_located(c, &vk, &w, t, size, &mem, &map, &range);
		uint64_t offset = range.start - w.start;
		if (v == PASS) {
			cpu_fill(map, (uint32_t)(size / 4), 0x7100 + t);
			uint32_t bad = cpu_check(map, (uint32_t)(size / 4), 0x7100 + t);
			if (bad != size / 4)
				v = case_say(c, FAIL, "type %u: the mapping reads back wrong data at word %u", t, bad);
		}
		if (v == PASS && have_mm && hostvis_used(&used1, &total) == 0 && used1 < used0 + size)
			v = case_say(c, FAIL,
				     "type %u: the driver's host-visible allocator grew by %" PRIu64 " bytes for a %" PRIu64
				     "-byte allocation",
				     t, used1 - used0, size);
		if (v == PASS) {
			char flags[128], ev[512];
			vk_memory_flags_name(f, flags, sizeof(flags));
			snprintf(ev, sizeof(ev),
				 "{\"type\":\"event\",\"name\":\"vk_host_blob\",\"memory_type\":%u,\"flags\":\"%s\","
				 "\"size\":%" PRIu64 ",\"region_offset\":%" PRIu64 "}",
				 t, flags, size, offset);
			case_event(ev);
			case_say(c, PASS, "type %u (%s): %" PRIu64 " bytes mapped at region offset 0x%" PRIx64, t, flags,
				 size, offset);
			checked++;
		}
		if (mem)
			vkFreeMemory(vk.dev, mem, NULL);
	}
	vk_close(&vk);
	if (v != PASS)
		return v;
	if (!checked)
		return case_say(c, NOT_SUPPORTED, "the device has no host-visible memory type");
	return case_say(c, PASS, "every host-visible type (%u) is a host blob mapped from the region", checked);
}

/* PAT's name for a cache type, ranked: 3 write-back, 2 write-combining /
 * write-through, 1 uncached(-minus), 0 unknown. */
static int cacheability(const char *pat)
{
	if (!strcmp(pat, "write-back"))
		return 3;
	if (!strcmp(pat, "write-combining") || !strcmp(pat, "write-through"))
		return 2;
	if (!strncmp(pat, "uncached", 8))
		return 1;
	return 0;
}

static enum verdict vk_cache_type(struct case_ctx *c)
{
	if (!c->params.host_visible)
		return case_say(c, NOT_SUPPORTED, "the device exposes no host-visible region");
	struct hostvis_window w;
	if (hostvis_window_find(&w))
		return case_say(c, ERROR, "cannot find the virtio-gpu host-visible BAR in sysfs");
	struct vk vk;
	enum verdict v = vk_open(c, &vk);
	if (v != PASS)
		return v;
	enum verdict worst = PASS;
	unsigned checked = 0;
	for (uint32_t t = 0; t < vk.mem.memoryTypeCount && worst != NOT_SUPPORTED && worst != ERROR; t++) {
		VkMemoryPropertyFlags f = vk.mem.memoryTypes[t].propertyFlags;
		if (!(f & VK_HOST_VISIBLE))
			continue;
		VkDeviceMemory mem = VK_NULL_HANDLE;
		void *map;
		struct pat_range range = { 0 };
		v = alloc_map_located(c, &vk, &w, t, 64u << 10, &mem, &map, &range);
		if (mem)
			vkFreeMemory(vk.dev, mem, NULL);
		if (v != PASS) {
			worst = v;
			continue;
		}
		checked++;
		char flags[128];
		vk_memory_flags_name(f, flags, sizeof(flags));
		int got = cacheability(range.type);
		if ((f & VK_HOST_CACHED) && got < 3) {
			/* Correct but slow: the type promises cached CPU access. */
			worst = FAIL;
			case_say(c, FAIL, "type %u (%s) is HOST_CACHED but its mapping is %s (REQ-DRV-CACHE-0004)", t,
				 flags, range.type);
		} else if (!(f & VK_HOST_CACHED) && got > 2) {
			worst = FAIL;
			case_say(c, FAIL,
				 "type %u (%s) is not HOST_CACHED but its mapping is %s: more cacheable than the "
				 "memory (REQ-DRV-CACHE-0001)",
				 t, flags, range.type);
		} else {
			case_say(c, PASS, "type %u (%s): mapping %s", t, flags, range.type);
		}
	}
	vk_close(&vk);
	if (!checked && worst == PASS)
		return case_say(c, NOT_SUPPORTED, "the device has no host-visible memory type");
	return worst;
}

/* For each type with (or without) HOST_COHERENT: CPU writes, GPU hashes. */
static enum verdict cpu_to_gpu(struct case_ctx *c, struct vk *vk, struct gpu_ops *ops, uint32_t t, bool flush)
{
	struct vk_buffer a;
	if (vk_buffer_create(c, vk, COH_BYTES, (int)t, &a) != VK_SUCCESS)
		return FAIL;
	enum verdict v = PASS;
	uint32_t prev = 0;
	for (uint32_t round = 0; round < COH_ROUNDS && v == PASS; round++) {
		uint32_t seed = 0xc0de0000u + t * 16 + round;
		cpu_fill(a.map, COH_WORDS, seed);
		uint32_t want = vk_hash_words(a.map, COH_WORDS);
		if (flush && vk_flush_all(vk, a.mem) != VK_SUCCESS) {
			v = case_say(c, FAIL, "type %u: vkFlushMappedMemoryRanges failed", t);
			break;
		}
		uint32_t got = 0, count = 0;
		if (gpu_hash(c, vk, ops, &a, COH_WORDS, &got, &count) != VK_SUCCESS) {
			v = FAIL;
			break;
		}
		if (count != COH_WORDS)
			v = case_say(c, FAIL, "type %u round %u: the GPU read %u of %u words", t, round, count, COH_WORDS);
		else if (got != want)
			v = case_say(c, FAIL, "type %u round %u: the GPU's hash of %u bytes the CPU wrote %s is 0x%08x, "
				     "the CPU's 0x%08x%s",
				     t, round, COH_BYTES, flush ? "(then flushed)" : "(no flush)", got, want,
				     round && got == prev ? ": the GPU saw the previous round's bytes (stale)" : "");
		prev = want;
	}
	vk_buffer_destroy(vk, &a);
	if (v == PASS)
		case_say(c, PASS, "type %u: %u rounds of %u bytes seen by the GPU", t, COH_ROUNDS, COH_BYTES);
	return v;
}

/* GPU fills, CPU reads after the fence (and an invalidate when asked). */
static enum verdict gpu_to_cpu(struct case_ctx *c, struct vk *vk, struct gpu_ops *ops, uint32_t t, bool invalidate)
{
	struct vk_buffer b;
	if (vk_buffer_create(c, vk, COH_BYTES, (int)t, &b) != VK_SUCCESS)
		return FAIL;
	enum verdict v = PASS;
	for (uint32_t round = 0; round < COH_ROUNDS && v == PASS; round++) {
		uint32_t seed = 0xf111000u + t * 16 + round, old = seed ^ 0x5a5a5a5au;
		cpu_fill(b.map, COH_WORDS, old); /* what a stale view would show */
		if (invalidate && vk_flush_all(vk, b.mem) != VK_SUCCESS) {
			v = case_say(c, FAIL, "type %u: vkFlushMappedMemoryRanges failed", t);
			break;
		}
		if (gpu_fill(c, vk, ops, &b, COH_WORDS, seed) != VK_SUCCESS) {
			v = FAIL;
			break;
		}
		if (invalidate && vk_invalidate_all(vk, b.mem) != VK_SUCCESS) {
			v = case_say(c, FAIL, "type %u: vkInvalidateMappedMemoryRanges failed", t);
			break;
		}
		uint32_t bad = cpu_check(b.map, COH_WORDS, seed);
		if (bad != COH_WORDS) {
			const volatile uint32_t *w = b.map;
			uint32_t stale = 0;
			for (uint32_t i = bad; i < COH_WORDS; i++)
				stale += w[i] == vk_mix32(old, i);
			v = case_say(c, FAIL,
				     "type %u round %u: after the fence%s the CPU reads word %u as 0x%08x, the GPU wrote "
				     "0x%08x (%u words still show the CPU's earlier bytes)",
				     t, round, invalidate ? " and an invalidate" : " (no invalidate)", bad, w[bad],
				     vk_mix32(seed, bad), stale);
		}
	}
	vk_buffer_destroy(vk, &b);
	if (v == PASS)
		case_say(c, PASS, "type %u: %u rounds of %u GPU-written bytes seen by the CPU", t, COH_ROUNDS, COH_BYTES);
	return v;
}

/* Runs dir() on every host-visible type with (coherent) or without HOST_COHERENT. */
static enum verdict each_type(struct case_ctx *c, bool coherent,
			      enum verdict (*dir)(struct case_ctx *, struct vk *, struct gpu_ops *, uint32_t, bool))
{
	struct vk vk;
	enum verdict v = vk_open(c, &vk);
	if (v != PASS)
		return v;
	struct gpu_ops ops;
	if (gpu_ops_init(c, &vk, &ops) != VK_SUCCESS) {
		vk_close(&vk);
		return FAIL;
	}
	unsigned n = 0;
	for (uint32_t t = 0; t < vk.mem.memoryTypeCount && v == PASS; t++) {
		VkMemoryPropertyFlags f = vk.mem.memoryTypes[t].propertyFlags;
		if (!(f & VK_HOST_VISIBLE) || !!(f & VK_HOST_COHERENT) != coherent)
			continue;
		n++;
		v = dir(c, &vk, &ops, t, !coherent);
	}
	gpu_ops_fini(&vk, &ops);
	vk_close(&vk);
	if (v == PASS && !n)
		return case_say(c, NOT_SUPPORTED, "the device has no host-visible %s memory type",
				coherent ? "coherent" : "non-coherent");
	return v;
}

static enum verdict cpu_then_gpu(struct case_ctx *c, struct vk *vk, struct gpu_ops *ops, uint32_t t, bool sync)
{
	enum verdict v = cpu_to_gpu(c, vk, ops, t, sync);
	return v == PASS ? gpu_to_cpu(c, vk, ops, t, sync) : v;
}

static enum verdict vk_coherent_cpu_to_gpu(struct case_ctx *c) { return each_type(c, true, cpu_to_gpu); }
static enum verdict vk_coherent_gpu_to_cpu(struct case_ctx *c) { return each_type(c, true, gpu_to_cpu); }
static enum verdict vk_noncoherent(struct case_ctx *c) { return each_type(c, false, cpu_then_gpu); }

const struct case_def vk_memory_cases[] = {
	{ "pair.vk.device", vk_device, CASE_IDS(IDS_VK_DEVICE) },
	{ "pair.vk.host_blob", vk_host_blob, CASE_IDS(IDS_VK_HOST_BLOB) },
	{ "pair.vk.cache_type", vk_cache_type, CASE_IDS(IDS_VK_CACHE_TYPE) },
	{ "pair.vk.coherent_cpu_to_gpu", vk_coherent_cpu_to_gpu, CASE_IDS(IDS_VK_CPU_TO_GPU) },
	{ "pair.vk.coherent_gpu_to_cpu", vk_coherent_gpu_to_cpu, CASE_IDS(IDS_VK_GPU_TO_CPU) },
	{ "pair.vk.noncoherent_flush", vk_noncoherent, CASE_IDS(IDS_VK_NONCOHERENT) },
	{ NULL, NULL, NULL },
};
