/* pair.vk.* lifecycle: what happens to host blobs and their CPU mappings when
 * Vulkan frees memory that is still mapped, maps it again, fills the
 * host-visible region, or exits with mappings alive. The guest kernel's own
 * view (smaps, pagemap, the host-visible allocator in debugfs) says whether
 * the driver kept its side of the lifecycle rules. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gpu_ops.h"
#include "mapinfo.h"
#include "requirements_vk.h"
#include "vk.h"
#include "vkcases.h"

#define LIFE_BYTES (1u << 20)
#define FULL_CHUNK (8ull << 20)

static int host_blob_type(const struct vk *vk)
{
	int t = vk_type_find(vk, ~0u, VK_HOST_VISIBLE | VK_HOST_COHERENT, 0);
	return t >= 0 ? t : vk_type_find(vk, ~0u, VK_HOST_VISIBLE, 0);
}

static VkResult alloc_map(struct vk *vk, uint32_t type, VkDeviceSize size, VkDeviceMemory *mem, void **map)
{
	VkMemoryAllocateInfo mai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = size,
				     .memoryTypeIndex = type };
	*mem = VK_NULL_HANDLE;
	VkResult r = vkAllocateMemory(vk->dev, &mai, NULL, mem);
	if (r == VK_SUCCESS && (r = vkMapMemory(vk->dev, *mem, 0, VK_WHOLE_SIZE, 0, map)) != VK_SUCCESS)
		vkFreeMemory(vk->dev, *mem, NULL);
	if (r != VK_SUCCESS)
		*mem = VK_NULL_HANDLE;
	return r;
}

/* Waits (bounded) until the driver's host-visible allocator is back to
 * `want` bytes in use: the kernel gives a range back when the device has
 * answered the UNMAP / UNREF, after the process that held it is gone. */
static int wait_used(uint64_t want, uint64_t *now)
{
	uint64_t total;
	for (int i = 0; i < 500; i++) {
		if (hostvis_used(now, &total))
			return -1;
		if (*now <= want)
			return 0;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return -1;
}

static enum verdict vk_free_while_mapped(struct case_ctx *c)
{
	struct vk vk;
	enum verdict v = vk_open(c, &vk);
	if (v != PASS)
		return v;
	int t = host_blob_type(&vk);
	if (t < 0) {
		vk_close(&vk);
		return case_say(c, NOT_SUPPORTED, "no host-visible memory type");
	}
	uint64_t used0 = 0, used1 = 0, total = 0;
	int have_mm = hostvis_used(&used0, &total) == 0;
	VkDeviceMemory mem;
	void *map;
	VkResult r = alloc_map(&vk, (uint32_t)t, LIFE_BYTES, &mem, &map);
	if (r != VK_SUCCESS) {
		vk_close(&vk);
		return case_say(c, FAIL, "allocate + map %u bytes of type %d: %s", LIFE_BYTES, t, vk_result_name(r));
	}
	cpu_fill(map, LIFE_BYTES / 4, 0xf4ee);
	struct map_vma before, after;
	if (map_vma_find(map, &before)) {
		vk_close(&vk);
		return case_say(c, ERROR, "the mapping vkMapMemory returned is not in /proc/self/smaps");
	}
	/* Vulkan allows freeing mapped memory: the free unmaps it. */
	vkFreeMemory(vk.dev, mem, NULL);
	int gone = map_vma_find(map, &after) == -ENOENT || after.start != before.start || after.end != before.end;
	int released = have_mm && wait_used(used0, &used1) == 0;
	if (!gone && released)
		v = case_say(c, FAIL,
			     "after vkFreeMemory of a mapped allocation the CPU mapping %lx-%lx (%s) is still there "
			     "but the driver gave its host-visible range back: the process can reach whatever the "
			     "device places there next",
			     (unsigned long)before.start, (unsigned long)before.end, before.path);
	else if (!gone)
		v = case_say(c, PASS, "the driver keeps the blob and its mapping alive after vkFreeMemory (cached)");
	else
		v = case_say(c, PASS, "vkFreeMemory of mapped memory removed the CPU mapping%s",
			     released ? " and gave the host-visible range back" : "");
	if (v == PASS) {
		/* And the device goes on: the next allocation maps. */
		r = alloc_map(&vk, (uint32_t)t, LIFE_BYTES, &mem, &map);
		if (r != VK_SUCCESS)
			v = case_say(c, FAIL, "the next allocation after the free: %s", vk_result_name(r));
		else
			vkFreeMemory(vk.dev, mem, NULL);
	}
	vk_close(&vk);
	return v;
}

static enum verdict vk_unmap_remap(struct case_ctx *c)
{
	struct vk vk;
	enum verdict v = vk_open(c, &vk);
	if (v != PASS)
		return v;
	struct gpu_ops ops;
	struct vk_buffer b;
	if (gpu_ops_init(c, &vk, &ops) != VK_SUCCESS) {
		vk_close(&vk);
		return FAIL;
	}
	if (vk_buffer_create(c, &vk, LIFE_BYTES, host_blob_type(&vk), &b) != VK_SUCCESS) {
		gpu_ops_fini(&vk, &ops);
		vk_close(&vk);
		return FAIL;
	}
	const uint32_t n = LIFE_BYTES / 4;
	bool coherent = vk.mem.memoryTypes[b.type].propertyFlags & VK_HOST_COHERENT;
	void *first = b.map;
	cpu_fill(b.map, n, 0x4e4a);
	if (!coherent)
		vk_flush_all(&vk, b.mem);
	vkUnmapMemory(vk.dev, b.mem);
	VkResult r = vkMapMemory(vk.dev, b.mem, 0, VK_WHOLE_SIZE, 0, &b.map);
	if (r != VK_SUCCESS) {
		v = case_say(c, FAIL, "vkMapMemory after vkUnmapMemory: %s", vk_result_name(r));
		goto out;
	}
	if (!coherent)
		vk_invalidate_all(&vk, b.mem);
	uint32_t bad = cpu_check(b.map, n, 0x4e4a);
	if (bad != n) {
		v = case_say(c, FAIL, "after unmap + map the bytes differ at word %u", bad);
		goto out;
	}
	/* The new mapping reaches the same memory the GPU uses: both ways. */
	cpu_fill(b.map, n, 0x4e4b);
	if (!coherent)
		vk_flush_all(&vk, b.mem);
	uint32_t got = 0, count = 0;
	if (gpu_hash(c, &vk, &ops, &b, n, &got, &count) != VK_SUCCESS) {
		v = FAIL;
		goto out;
	}
	if (got != vk_hash_words(b.map, n)) {
		v = case_say(c, FAIL, "the GPU does not see what the CPU wrote through the second mapping");
		goto out;
	}
	if (gpu_fill(c, &vk, &ops, &b, n, 0x4e4c) != VK_SUCCESS) {
		v = FAIL;
		goto out;
	}
	if (!coherent)
		vk_invalidate_all(&vk, b.mem);
	bad = cpu_check(b.map, n, 0x4e4c);
	if (bad != n) {
		v = case_say(c, FAIL, "the second mapping does not show the GPU's writes (word %u)", bad);
		goto out;
	}
	v = case_say(c, PASS, "unmap + map kept the bytes (%s address), and the new mapping is coherent both ways",
		     b.map == first ? "same" : "new");
out:
	vk_buffer_destroy(&vk, &b);
	gpu_ops_fini(&vk, &ops);
	vk_close(&vk);
	return v;
}

/* What filling the host-visible region with allocations shows. */
struct region_fill {
	unsigned made;         /* allocations that succeeded */
	unsigned in_window;    /* ...of which mapped inside the host-visible window */
	unsigned overlapping;  /* pairs of live allocations sharing window bytes */
	uint64_t window;       /* window size */
	VkResult refused;      /* the first failure (VK_SUCCESS: none within the bound) */
	uint64_t room;         /* window bytes the driver had free at that failure (debugfs) */
	bool room_known;
	bool fell_back;        /* an allocation past a full window still mapped, from guest memory */
	bool recovered;        /* after freeing one, a new allocation mapped into the window */
	char how[256];
};

/* Allocates and maps one chunk; *range is its new PAT range in the window
 * (start == end when it has none: not in the window). */
static VkResult chunk_map(struct vk *vk, const struct hostvis_window *w, uint32_t type, VkDeviceMemory *mem,
			  struct pat_range *range)
{
	static struct pat_snapshot before, after;
	memset(range, 0, sizeof(*range));
	void *map;
	bool snap = pat_snapshot(w, &before) == 0;
	VkResult r = alloc_map(vk, type, FULL_CHUNK, mem, &map);
	if (r == VK_SUCCESS && snap && pat_snapshot(w, &after) == 0 &&
	    pat_added(&before, &after, FULL_CHUNK, range) != 0)
		memset(range, 0, sizeof(*range));
	return r;
}

static void region_fill(struct vk *vk, uint32_t type, struct region_fill *out)
{
	memset(out, 0, sizeof(*out));
	struct hostvis_window w;
	if (hostvis_window_find(&w))
		return;
	out->window = w.end - w.start + 1;
	/* Enough to fill the window twice over: then the driver must have
	 * refused or fallen back. */
	unsigned bound = (unsigned)(2 * out->window / FULL_CHUNK) + 2;
	VkDeviceMemory *mem = calloc(bound, sizeof(*mem));
	struct pat_range *at = calloc(bound, sizeof(*at));
	if (!mem || !at) {
		free(mem), free(at);
		return;
	}
	out->refused = VK_SUCCESS;
	for (unsigned i = 0; i < bound; i++) {
		step("allocation %u: vkAllocateMemory + vkMapMemory of %llu MiB", i, FULL_CHUNK >> 20);
		VkResult r = chunk_map(vk, &w, type, &mem[i], &at[i]);
		if (r != VK_SUCCESS) {
			uint64_t used, total;
			out->refused = r;
			out->room_known = hostvis_used(&used, &total) == 0;
			out->room = out->room_known ? total - used : 0;
			break;
		}
		out->made++;
		if (at[i].end > at[i].start) {
			out->in_window++;
		} else if (out->in_window) {
			out->fell_back = true;
			snprintf(out->how, sizeof(out->how),
				 "allocation %u (past %u in the window) mapped, but not from the window", i,
				 out->in_window);
		}
	}
	for (unsigned i = 0; i < out->made; i++)
		for (unsigned j = i + 1; j < out->made; j++)
			if (at[i].end > at[i].start && at[j].end > at[j].start && at[i].start < at[j].end &&
			    at[j].start < at[i].end)
				out->overlapping++;
	if (out->made) {
		/* Give one range back: once the driver has it back (the device
		 * answered the UNMAP), the same request must succeed there. */
		uint64_t used = 0, total = 0, now = 0;
		bool known = hostvis_used(&used, &total) == 0;
		step("vkFreeMemory of allocation 0, then the same allocation again");
		vkFreeMemory(vk->dev, mem[0], NULL);
		mem[0] = VK_NULL_HANDLE;
		if (known && wait_used(used - FULL_CHUNK, &now))
			snprintf(out->how, sizeof(out->how),
				 "after vkFreeMemory the driver never got the %llu MiB range back (%llu bytes in use)",
				 FULL_CHUNK >> 20, (unsigned long long)now);
		VkDeviceMemory again;
		struct pat_range range;
		if (chunk_map(vk, &w, type, &again, &range) == VK_SUCCESS) {
			out->recovered = range.end > range.start;
			vkFreeMemory(vk->dev, again, NULL);
		}
	}
	for (unsigned i = 0; i < out->made; i++)
		if (mem[i])
			vkFreeMemory(vk->dev, mem[i], NULL);
	free(mem), free(at);
}

static enum verdict region_prepare(struct case_ctx *c, struct vk *vk, int *type)
{
	if (!c->params.host_visible)
		return case_say(c, NOT_SUPPORTED, "the device exposes no host-visible region");
	enum verdict v = vk_open(c, vk);
	if (v != PASS)
		return v;
	*type = host_blob_type(vk);
	if (*type < 0) {
		vk_close(vk);
		return case_say(c, NOT_SUPPORTED, "no host-visible memory type");
	}
	return PASS;
}

static enum verdict vk_region_full(struct case_ctx *c)
{
	struct vk vk;
	int t;
	enum verdict v = region_prepare(c, &vk, &t);
	if (v != PASS)
		return v;
	struct region_fill f;
	region_fill(&vk, (uint32_t)t, &f);
	/* The device must still work after all that. */
	struct gpu_ops ops;
	struct vk_buffer b;
	uint32_t got = 0, count = 0;
	bool works = gpu_ops_init(c, &vk, &ops) == VK_SUCCESS;
	if (works && vk_buffer_create(c, &vk, 4096, t, &b) == VK_SUCCESS) {
		cpu_fill(b.map, 1024, 0xfe11);
		works = gpu_hash(c, &vk, &ops, &b, 1024, &got, &count) == VK_SUCCESS &&
			got == vk_hash_words(b.map, 1024);
		vk_buffer_destroy(&vk, &b);
	} else {
		works = false;
	}
	if (works)
		gpu_ops_fini(&vk, &ops);
	vk_close(&vk);
	if (!f.window)
		return case_say(c, ERROR, "cannot find the host-visible window");
	case_say(c, PASS, "%u allocations of %llu MiB into a %llu MiB window: %u mapped inside it", f.made,
		 FULL_CHUNK >> 20, (unsigned long long)(f.window >> 20), f.in_window);
	if (f.overlapping)
		return case_say(c, FAIL, "%u pairs of live allocations share bytes of the window", f.overlapping);
	if (f.refused != VK_SUCCESS && f.room_known && f.room >= FULL_CHUNK)
		return case_say(c, NOT_SUPPORTED,
				"vkAllocateMemory failed with %s while the window still had %llu MiB free: the device "
				"refused the blob before the window could fill (see the device's log)",
				vk_result_name(f.refused), (unsigned long long)(f.room >> 20));
	if (f.refused == VK_SUCCESS && !f.fell_back)
		return case_say(c, FAIL, "no allocation was refused and none fell back, yet %u of %llu MiB do not fit",
				f.made, (unsigned long long)(f.window >> 20));
	if (f.refused != VK_SUCCESS && f.refused != VK_ERROR_OUT_OF_DEVICE_MEMORY &&
	    f.refused != VK_ERROR_OUT_OF_HOST_MEMORY)
		return case_say(c, FAIL, "a full window made vkAllocateMemory fail with %s, not an out-of-memory error",
				vk_result_name(f.refused));
	if (!f.recovered)
		return case_say(c, FAIL, "after freeing one allocation, the same allocation did not map into the window%s%s",
				f.how[0] ? ": " : "", f.how);
	if (!works)
		return case_say(c, FAIL, "GPU work on a fresh buffer fails after the window was full");
	return case_say(c, PASS, "%s; after a free the window took the next allocation; GPU work goes on",
			f.refused != VK_SUCCESS ? vk_result_name(f.refused) : "the driver fell back");
}

static enum verdict vk_region_fallback(struct case_ctx *c)
{
	struct vk vk;
	int t;
	enum verdict v = region_prepare(c, &vk, &t);
	if (v != PASS)
		return v;
	struct region_fill f;
	region_fill(&vk, (uint32_t)t, &f);
	vk_close(&vk);
	if (!f.window)
		return case_say(c, ERROR, "cannot find the host-visible window");
	if (f.fell_back)
		return case_say(c, PASS, "the driver fell back to guest memory once the window was full: %s", f.how);
	if (f.refused != VK_SUCCESS && f.room_known && f.room >= FULL_CHUNK)
		return case_say(c, NOT_SUPPORTED,
				"vkAllocateMemory failed with %s while the window still had %llu MiB free: the device "
				"refused the blob before the window could fill (see the device's log)",
				vk_result_name(f.refused), (unsigned long long)(f.room >> 20));
	if (f.refused != VK_SUCCESS)
		return case_say(c, FAIL,
				"once %u allocations of %llu MiB filled the %llu MiB window, vkAllocateMemory failed "
				"with %s instead of falling back to a guest blob with transfers",
				f.in_window, FULL_CHUNK >> 20, (unsigned long long)(f.window >> 20),
				vk_result_name(f.refused));
	return case_say(c, ERROR, "the window never filled (%u allocations)", f.made);
}

/* The child of vk_exit_mapped: maps a few allocations and exits holding them. */
static void exit_holding(struct case_ctx *c, int wfd)
{
	struct vk vk;
	uint64_t held = 0;
	if (vk_open(c, &vk) == PASS) {
		int t = host_blob_type(&vk);
		for (int i = 0; t >= 0 && i < 4; i++) {
			VkDeviceMemory mem;
			void *map;
			if (alloc_map(&vk, (uint32_t)t, 2u << 20, &mem, &map) != VK_SUCCESS)
				break;
			cpu_fill(map, (2u << 20) / 4, 0xe417 + i);
			held += 2u << 20;
		}
	}
	(void)!write(wfd, &held, sizeof(held));
	_exit(0); /* no vkFreeMemory, no vkDestroyDevice: the kernel cleans up */
}

static enum verdict vk_exit_mapped(struct case_ctx *c)
{
	uint64_t used0, used1 = 0, total;
	if (!c->params.host_visible)
		return case_say(c, NOT_SUPPORTED, "the device exposes no host-visible region");
	if (hostvis_used(&used0, &total))
		return case_say(c, NOT_SUPPORTED, "no debugfs view of the driver's host-visible allocator");
	int p[2];
	if (pipe(p))
		return case_say(c, ERROR, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		return case_say(c, ERROR, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		exit_holding(c, p[1]);
	}
	close(p[1]);
	uint64_t held = 0;
	ssize_t n = read(p[0], &held, sizeof(held));
	close(p[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	if (n != (ssize_t)sizeof(held) || !held)
		return case_say(c, FAIL, "the child could not map host-visible memory (exit status %d)", status);
	if (wait_used(used0, &used1))
		return case_say(c, FAIL,
				"a process exited holding %" PRIu64 " mapped bytes; 10 s later the driver still has %" PRIu64
				" bytes of the window in use (%" PRIu64 " before): its blobs were never unreferenced",
				held, used1, used0);
	struct vk vk;
	enum verdict v = vk_open(c, &vk);
	if (v != PASS)
		return case_say(c, FAIL, "Vulkan no longer opens after the process exit");
	struct gpu_ops ops;
	struct vk_buffer b;
	uint32_t got = 0, count = 0;
	v = FAIL;
	if (gpu_ops_init(c, &vk, &ops) == VK_SUCCESS) {
		if (vk_buffer_create(c, &vk, LIFE_BYTES, host_blob_type(&vk), &b) == VK_SUCCESS) {
			cpu_fill(b.map, LIFE_BYTES / 4, 0xe418);
			if (gpu_hash(c, &vk, &ops, &b, LIFE_BYTES / 4, &got, &count) == VK_SUCCESS &&
			    got == vk_hash_words(b.map, LIFE_BYTES / 4))
				v = PASS;
			vk_buffer_destroy(&vk, &b);
		}
		gpu_ops_fini(&vk, &ops);
	}
	vk_close(&vk);
	if (v != PASS)
		return case_say(c, FAIL, "the device does not work for the next process");
	return case_say(c, PASS,
			"a process exited with %" PRIu64 " bytes mapped: the window went back to %" PRIu64
			" bytes in use, and the next process maps and computes",
			held, used1);
}

const struct case_def vk_lifecycle_cases[] = {
	{ "pair.vk.free_while_mapped", vk_free_while_mapped, CASE_IDS(IDS_VK_FREE_MAPPED) },
	{ "pair.vk.unmap_remap", vk_unmap_remap, CASE_IDS(IDS_VK_REMAP) },
	{ "pair.vk.region_full", vk_region_full, CASE_IDS(IDS_VK_REGION_FULL) },
	{ "pair.vk.region_fallback", vk_region_fallback, CASE_IDS(IDS_VK_REGION_FALLBACK) },
	{ "pair.vk.exit_with_mappings", vk_exit_mapped, CASE_IDS(IDS_VK_EXIT_MAPPED) },
	{ NULL, NULL, NULL },
};
