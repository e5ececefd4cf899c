#include "remap_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"

static int write_file(const char *path, const char *text, int append)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int err = n == (ssize_t)strlen(text) ? 0 : -(n < 0 ? errno : EIO);
	close(fd);
	return err;
}

static int tracefs_ready(void)
{
	struct stat st;
	if (stat(TRACEFS "/kprobe_events", &st) == 0)
		return 0;
	mkdir(TRACEFS, 0755);
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) < 0 && errno != EBUSY)
		return -errno;
	return stat(TRACEFS "/kprobe_events", &st) == 0 ? 0 : -ENOENT;
}

int remap_probe_start(struct remap_probe *p, char *why, size_t why_len)
{
	memset(p, 0, sizeof(*p));
	int r = tracefs_ready();
	if (r) {
		snprintf(why, why_len, "no tracefs with kprobe_events (%s)", strerror(-r));
		return r;
	}
	/* A probe a case left behind (its process ended early) goes first. */
	write_file(TRACEFS "/events/kprobes/vgb_pgprot/enable", "0", 0);
	write_file(TRACEFS "/kprobe_events", "-:vgb_pgprot\n", 1);
	/* remap_pfn_range(vma, addr, pfn, size, prot) and the helpers it has been
	 * split into over the years: the first the kernel lets us probe. */
	static const char *const functions[] = { "remap_pfn_range", "remap_pfn_range_notrack",
						 "remap_pfn_range_internal", "io_remap_pfn_range" };
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		char def[160];
		snprintf(def, sizeof(def), "p:vgb_pgprot %s pfn=$arg3:x64 prot=$arg5:x64\n", functions[i]);
		if (write_file(TRACEFS "/kprobe_events", def, 1) == 0) {
			snprintf(p->function, sizeof(p->function), "%s", functions[i]);
			break;
		}
	}
	if (!p->function[0]) {
		snprintf(why, why_len, "no remap_pfn_range function can be kprobed");
		return -ENOENT;
	}
	write_file(TRACEFS "/trace", "", 0);
	r = write_file(TRACEFS "/events/kprobes/vgb_pgprot/enable", "1", 0);
	if (r) {
		snprintf(why, why_len, "cannot enable the kprobe on %s (%s)", p->function, strerror(-r));
		remap_probe_stop(p);
		return r;
	}
	return 0;
}

int remap_probe_last(const struct remap_probe *p, const struct shm_region *r, uint64_t *offset, uint64_t *prot)
{
	if (!p->function[0])
		return -EINVAL;
	FILE *f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return -errno;
	char line[512];
	int found = -ENOENT;
	uint64_t page = guest_page_size();
	while (fgets(line, sizeof(line), f)) {
		const char *a = strstr(line, "pfn=0x"), *b = strstr(line, "prot=0x");
		if (!a || !b)
			continue;
		uint64_t pfn = strtoull(a + 6, NULL, 16), v = strtoull(b + 7, NULL, 16);
		if (pfn * page >= r->base && pfn * page - r->base < r->len) {
			*offset = pfn * page - r->base;
			*prot = v;
			found = 0;
		}
	}
	fclose(f);
	return found;
}

void remap_probe_stop(struct remap_probe *p)
{
	if (!p->function[0])
		return;
	write_file(TRACEFS "/events/kprobes/vgb_pgprot/enable", "0", 0);
	write_file(TRACEFS "/kprobe_events", "-:vgb_pgprot\n", 1);
	p->function[0] = '\0';
}

const char *arm64_memtype(uint64_t prot, int *cacheability)
{
	/* AttrIndx, bits [4:2], indexes MAIR_EL1 as Linux programs it
	 * (arch/arm64/include/asm/memory.h): MT_NORMAL 0, MT_NORMAL_TAGGED 1,
	 * MT_NORMAL_NC 2, MT_DEVICE_nGnRnE 3, MT_DEVICE_nGnRE 4. */
	switch ((prot >> 2) & 7) {
	case 0: *cacheability = 3; return "Normal write-back (MT_NORMAL)";
	case 1: *cacheability = 3; return "Normal write-back tagged (MT_NORMAL_TAGGED)";
	case 2: *cacheability = 2; return "Normal non-cacheable (MT_NORMAL_NC)";
	case 3: *cacheability = 1; return "Device-nGnRnE (MT_DEVICE_nGnRnE)";
	case 4: *cacheability = 1; return "Device-nGnRE (MT_DEVICE_nGnRE)";
	}
	*cacheability = 0;
	return "unknown MAIR index";
}
