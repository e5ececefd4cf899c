#include "region.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCI_VENDOR_VIRTIO 0x1af4
#define PCI_DEVICE_VIRTIO_GPU 0x1050
#define PCI_CAP_VENDOR 0x09
#define VIRTIO_PCI_CAP_SHARED_MEMORY_CFG 8
#define SHMID_HOST_VISIBLE 1

uint64_t guest_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);
	return p > 0 ? (uint64_t)p : 4096;
}

static unsigned long read_hex(const char *dir, const char *name)
{
	char path[512], buf[64] = "";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 16);
}

static uint32_t le32_at(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* The shmid-1 capability of one function's config space; 0 or -ENOENT. */
static int parse_caps(const uint8_t *cfg, size_t n, int *bar, uint64_t *off, uint64_t *len)
{
	if (n < 0x40 || !(cfg[0x06] & 0x10)) /* status: capability list */
		return -ENOENT;
	unsigned pos = cfg[0x34] & ~3u;
	for (int hops = 0; pos >= 0x40 && pos + 24 <= n && hops < 48; hops++) {
		const uint8_t *c = cfg + pos;
		if (c[0] == PCI_CAP_VENDOR && c[2] >= 24 && c[3] == VIRTIO_PCI_CAP_SHARED_MEMORY_CFG &&
		    c[5] == SHMID_HOST_VISIBLE) {
			*bar = c[4];
			*off = le32_at(c + 8) | (uint64_t)le32_at(c + 16) << 32;
			*len = le32_at(c + 12) | (uint64_t)le32_at(c + 20) << 32;
			return 0;
		}
		pos = c[1] & ~3u;
	}
	return -ENOENT;
}

int shm_region_find(struct shm_region *r)
{
	memset(r, 0, sizeof(*r));
	DIR *d = opendir("/sys/bus/pci/devices");
	if (!d)
		return -ENOENT;
	int found = -ENOENT;
	for (struct dirent *e; found && (e = readdir(d));) {
		char dir[300], path[400];
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", e->d_name);
		if (read_hex(dir, "vendor") != PCI_VENDOR_VIRTIO || read_hex(dir, "device") != PCI_DEVICE_VIRTIO_GPU)
			continue;
		uint8_t cfg[256];
		snprintf(path, sizeof(path), "%s/config", dir);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, cfg, sizeof(cfg));
		close(fd);
		int bar;
		uint64_t off, len;
		if (n <= 0 || parse_caps(cfg, (size_t)n, &bar, &off, &len))
			continue;
		snprintf(path, sizeof(path), "%s/resource", dir);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		unsigned long long s, en, fl;
		for (int i = 0; fscanf(f, "%llx %llx %llx", &s, &en, &fl) == 3; i++)
			if (i == bar && en > s) {
				r->bar_start = s;
				r->bar_len = en - s + 1;
				r->prefetch = (fl & 0x2000) != 0;
				r->base = s + off;
				r->len = len;
				found = 0;
				break;
			}
		fclose(f);
	}
	closedir(d);
	return found;
}
