/* SPDX-License-Identifier: MIT */
/*
 * The host-visible region as the guest sees it on PCI: the shared-memory
 * capabilities (vendor capability, cfg_type 8, struct virtio_pci_cap64) of the
 * virtio-gpu function, read from its config space in sysfs, against the BARs
 * they name (sysfs "resource" and the BAR registers).  The VMM lays them out;
 * over vhost-user the suite never sees them, so only a guest can check them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "requirements.h"

#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_PTR 0x34
#define PCI_CAP_ID_VNDR 0x09
#define VIRTIO_PCI_CAP_SHARED_MEMORY_CFG 8
#define SHMID_HOST_VISIBLE 1
#define MAP_GRANULE 4096u /* the smallest map granularity; blob_alignment is not visible to a program */

/* sysfs directory of the virtio-gpu PCI function (vendor 0x1af4, device 0x1050). */
static int find_function(char *dir, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	if (!d)
		return -ENOENT;
	int found = -ENOENT;
	for (struct dirent *e; found && (e = readdir(d));) {
		char path[512], buf[32];
		unsigned long vendor = 0, device = 0;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		FILE *f = fopen(path, "r");
		if (f && fgets(buf, sizeof(buf), f))
			vendor = strtoul(buf, NULL, 16);
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", e->d_name);
		f = fopen(path, "r");
		if (f && fgets(buf, sizeof(buf), f))
			device = strtoul(buf, NULL, 16);
		if (f)
			fclose(f);
		if (vendor == 0x1af4 && device == 0x1050) {
			snprintf(dir, len, "/sys/bus/pci/devices/%s", e->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct bar {
	uint64_t start, size;
	int mem64, prefetch;
};

/* BAR n from sysfs "resource" (start, size) and the config-space register (type bits). */
static int read_bar(const char *dir, const uint8_t *cfg, unsigned n, struct bar *b)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/resource", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	unsigned long long s = 0, e = 0, fl = 0;
	int r = -ENOENT;
	for (unsigned i = 0; i <= n && fscanf(f, "%llx %llx %llx", &s, &e, &fl) == 3; i++)
		if (i == n && e > s)
			r = 0;
	fclose(f);
	if (r)
		return r;
	uint32_t reg = le32_at(cfg + 0x10 + 4 * n);
	*b = (struct bar){ .start = s, .size = e - s + 1, .mem64 = !(reg & 1) && ((reg >> 1) & 3) == 2,
			   .prefetch = !(reg & 1) && (reg & 8) };
	return 0;
}

static enum verdict shm_pci_layout(struct case_ctx *c)
{
	char dir[512];
	if (find_function(dir, sizeof(dir)))
		return case_say(c, NOT_SUPPORTED, "no virtio-gpu PCI function (1af4:1050) in sysfs");
	char path[600];
	snprintf(path, sizeof(path), "%s/config", dir);
	uint8_t cfg[256];
	memset(cfg, 0, sizeof(cfg));
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? pread(fd, cfg, sizeof(cfg), 0) : -1;
	if (fd >= 0)
		close(fd);
	if (n < (ssize_t)sizeof(cfg))
		return case_say(c, ERROR, "cannot read the 256-byte config space of %s", dir);
	if (!(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return case_say(c, FAIL, "%s has no capability list: a virtio PCI device needs one", dir);
	unsigned found = 0, seen = 0;
	enum verdict v = PASS;
	for (unsigned p = cfg[PCI_CAP_PTR] & 0xfc; p && p + 24 <= sizeof(cfg) && seen < 48; p = cfg[p + 1] & 0xfc, seen++) {
		if (cfg[p] != PCI_CAP_ID_VNDR || cfg[p + 3] != VIRTIO_PCI_CAP_SHARED_MEMORY_CFG)
			continue;
		unsigned bar_no = cfg[p + 4], shmid = cfg[p + 5];
		uint64_t off = le32_at(cfg + p + 8) | (uint64_t)le32_at(cfg + p + 16) << 32;
		uint64_t len = le32_at(cfg + p + 12) | (uint64_t)le32_at(cfg + p + 20) << 32;
		if (cfg[p + 2] < 24) {
			v = case_say(c, FAIL, "shared-memory capability at 0x%x is %u bytes, not a virtio_pci_cap64; ", p,
				     cfg[p + 2]);
			continue;
		}
		if (shmid != SHMID_HOST_VISIBLE) {
			v = case_say(c, FAIL, "REQ-DEV-SHM-0001: a shared memory region with shmid %u; ", shmid);
			continue;
		}
		found++;
		struct bar b = { 0 };
		if (bar_no > 5 || read_bar(dir, cfg, bar_no, &b)) {
			v = case_say(c, FAIL, "REQ-DEV-SHM-0004: the capability names BAR %u, which the function does not have; ",
				     bar_no);
			continue;
		}
		case_say(c, PASS, "shmid 1: BAR %u at 0x%" PRIx64 " (%" PRIu64 " MiB, %s-bit%s), region offset 0x%" PRIx64
			 " length 0x%" PRIx64 "; ", bar_no, b.start, b.size >> 20, b.mem64 ? "64" : "32",
			 b.prefetch ? ", prefetchable" : "", off, len);
		if (len == 0 || off > b.size || len > b.size - off)
			v = case_say(c, FAIL, "REQ-DEV-SHM-0004: the region [0x%" PRIx64 ", +0x%" PRIx64
				     ") does not lie inside the 0x%" PRIx64 "-byte BAR; ", off, len, b.size);
		else if ((b.start + off) % MAP_GRANULE)
			v = case_say(c, FAIL, "REQ-DEV-SHM-0003: guest-physical base 0x%" PRIx64 " is not a multiple of %u; ",
				     b.start + off, MAP_GRANULE);
		else if (!(b.mem64 && b.prefetch) && v == PASS)
			v = case_say(c, WARNING, "REQ-DEV-SHM-0005: the BAR is not a 64-bit prefetchable memory BAR; ");
	}
	if (!found && v == PASS)
		return case_say(c, NOT_SUPPORTED, "no shared-memory capability: the device exposes no host-visible region");
	return v;
}

const struct case_def shm_cases[] = {
	{ "pair.shm.pci_layout", shm_pci_layout, CASE_IDS(IDS_SHM_PCI_LAYOUT) },
	{ NULL, NULL, NULL },
};
