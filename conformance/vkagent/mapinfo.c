#include "mapinfo.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long read_hex_file(const char *dir, const char *name)
{
	char path[512], buf[32] = "";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 16);
}

int hostvis_window_find(struct hostvis_window *w)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	if (!d)
		return -errno;
	int found = -ENOENT;
	uint64_t best = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char dir[512];
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", e->d_name);
		/* virtio-gpu: vendor 0x1af4, modern device id 0x1040 + 16. */
		if (read_hex_file(dir, "vendor") != 0x1af4 || read_hex_file(dir, "device") != 0x1050)
			continue;
		char path[600];
		snprintf(path, sizeof(path), "%s/resource", dir);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		unsigned long long s, en, fl;
		while (fscanf(f, "%llx %llx %llx", &s, &en, &fl) == 3)
			if (en > s && (fl & 0x200) && en - s + 1 > best) { /* IORESOURCE_MEM */
				best = en - s + 1;
				w->start = s;
				w->end = en;
				w->prefetchable = (fl & 0x2000) != 0; /* IORESOURCE_PREFETCH */
				found = 0;
			}
		fclose(f);
	}
	closedir(d);
	return found;
}

int map_vma_find(const void *p, struct map_vma *out)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -errno;
	char line[512];
	int in = 0, found = -ENOENT;
	uintptr_t a = (uintptr_t)p;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char perms[8];
		int consumed = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s%n", &s, &e, perms, &consumed) == 3 && consumed > 0) {
			if (in)
				break; /* past the VMA we wanted, no VmFlags line seen */
			in = a >= s && a < e;
			if (in) {
				memset(out, 0, sizeof(*out));
				out->start = s;
				out->end = e;
				const char *path = line + consumed;
				while (*path == ' ')
					path++;
				snprintf(out->path, sizeof(out->path), "%s", path);
				out->path[strcspn(out->path, "\n")] = '\0';
			}
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			out->io = strstr(line, " io") != NULL;
			out->pfnmap = strstr(line, " pf") != NULL;
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

int pat_snapshot(const struct hostvis_window *w, struct pat_snapshot *s)
{
	FILE *f = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	if (!f)
		return -errno;
	char line[256];
	s->n = 0;
	while (fgets(line, sizeof(line), f) && s->n < sizeof(s->r) / sizeof(s->r[0])) {
		unsigned long long a, e;
		char t[24];
		/* "PAT: [mem 0x...-0x...] uncached-minus"; the end is exclusive. */
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %23s", &a, &e, t) == 3 && a >= w->start && e <= w->end + 1) {
			struct pat_range *r = &s->r[s->n++];
			r->start = a;
			r->end = e;
			snprintf(r->type, sizeof(r->type), "%s", t);
		}
	}
	fclose(f);
	return 0;
}

int pat_added(const struct pat_snapshot *before, const struct pat_snapshot *after, uint64_t min_len,
	      struct pat_range *out)
{
	for (unsigned i = 0; i < after->n; i++) {
		const struct pat_range *a = &after->r[i];
		if (a->end - a->start < min_len)
			continue;
		bool old = false;
		for (unsigned j = 0; j < before->n && !old; j++)
			old = before->r[j].start == a->start && before->r[j].end == a->end;
		if (!old) {
			*out = *a;
			return 0;
		}
	}
	return -ENOENT;
}

int hostvis_used(uint64_t *used, uint64_t *total)
{
	glob_t g;
	if (glob("/sys/kernel/debug/dri/*/virtio-gpu-host-visible-mm", 0, NULL, &g) != 0)
		return -ENOENT;
	FILE *f = fopen(g.gl_pathv[0], "r");
	globfree(&g);
	if (!f)
		return -errno;
	char line[256];
	int found = -ENODATA;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long t, u, fr;
		if (sscanf(line, "total: %llu, used %llu free %llu", &t, &u, &fr) == 3) {
			*used = u;
			*total = t;
			found = 0;
		}
	}
	fclose(f);
	return found;
}
