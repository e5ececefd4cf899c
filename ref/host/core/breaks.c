/* SPDX-License-Identifier: MIT */
/*
 * Names of the deliberately wrong behaviours (vgb/device.h, VGB_BREAK_*),
 * for vgb-host --break and the conformance self-tests.
 */
#include "internal.h"

#include <string.h>

static const struct {
	const char *name;
	uint32_t bit;
	const char *what;
} breaks[] = {
	{"map-double-ok", VGB_BREAK_MAP_DOUBLE_OK, "MAP_BLOB of a mapped blob succeeds"},
	{"map-info-none", VGB_BREAK_MAP_INFO_NONE, "map_info is 0 (NONE) on success"},
	{"map-info-wrong", VGB_BREAK_MAP_INFO_WRONG,
	 "map_info names another cache type than the one provided"},
	{"unmap-keeps-mapping", VGB_BREAK_UNMAP_KEEPS_MAPPING,
	 "UNMAP_BLOB answers OK but leaves the range mapped"},
	{"unref-keeps-mapping", VGB_BREAK_UNREF_KEEPS_MAPPING,
	 "UNREF of a mapped blob leaves the range mapped"},
	{"map-unaligned-ok", VGB_BREAK_MAP_UNALIGNED_OK,
	 "MAP_BLOB does not check the offset against the map granularity"},
	{"transfer-skip-last-row", VGB_BREAK_TRANSFER_SKIP_LAST_ROW,
	 "TRANSFER_TO_HOST_2D drops the last row"},
	{"guest-blob-stale", VGB_BREAK_GUEST_BLOB_STALE,
	 "GUEST blob scanout shows a copy taken at SET_SCANOUT_BLOB"},
	{"err-resource-id-as-param", VGB_BREAK_ERR_RESOURCE_ID_AS_PARAM,
	 "unknown resource ids answered with ERR_INVALID_PARAMETER"},
	{"fence-no-echo", VGB_BREAK_FENCE_NO_ECHO, "fenced responses do not echo FLAG_FENCE"},
	{"checksum-off-by-one", VGB_BREAK_CHECKSUM_OFF_BY_ONE,
	 "reference-context CHECKSUM skips the last byte"},
	{"map-stale-copy", VGB_BREAK_MAP_STALE_COPY,
	 "MAP_BLOB of a context object's blob (blob_id != 0) larger than a page places a copy taken at MAP time: neither side sees the other's writes"},
};

const char *vgb_device_break_info(unsigned index, uint32_t *bit, const char **what)
{
	if (index >= sizeof(breaks) / sizeof(breaks[0]))
		return NULL;
	if (bit)
		*bit = breaks[index].bit;
	if (what)
		*what = breaks[index].what;
	return breaks[index].name;
}

uint32_t vgb_device_break_bit(const char *name)
{
	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++)
		if (!strcmp(breaks[i].name, name))
			return breaks[i].bit;
	return 0;
}
