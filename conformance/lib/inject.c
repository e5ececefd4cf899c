/* SPDX-License-Identifier: MIT */
/* Response tampering rules (see inject.h). */
#include "inject.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"

static const struct {
	const char *name, *rule;
} presets[] = {
	{ "map-double-ok", "RESOURCE_MAP_BLOB:ERR_INVALID_PARAMETER=OK_MAP_INFO" },
	{ "map-info-none", "RESOURCE_MAP_BLOB:map_info=0" },
	{ "unknown-cmd-ok", "unknown command:ERR_UNSPEC=OK_NODATA" },
};

static const char *expand(const char *rule, size_t *len)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strlen(presets[i].name) == *len && strncmp(rule, presets[i].name, *len) == 0) {
			*len = strlen(presets[i].rule);
			return presets[i].rule;
		}
	return rule;
}

static uint32_t resp_by_name(const char *name, size_t len)
{
	static const uint32_t all[] = {
		VIRTIO_GPU_RESP_OK_NODATA, VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
		VIRTIO_GPU_RESP_OK_CAPSET_INFO, VIRTIO_GPU_RESP_OK_CAPSET,
		VIRTIO_GPU_RESP_OK_EDID, VIRTIO_GPU_RESP_OK_RESOURCE_UUID,
		VIRTIO_GPU_RESP_OK_MAP_INFO, VIRTIO_GPU_RESP_ERR_UNSPEC,
		VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
		VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
		VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char *n = vc_resp_name(all[i]);
		if (strlen(n) == len && strncmp(n, name, len) == 0)
			return all[i];
	}
	return 0;
}

struct rule {
	char cmd[40];
	uint32_t from, to;
	int map_info;     /* -1 = not a map_info rule */
	unsigned attempt; /* the run it applies in; 0: every run */
};

static unsigned current_attempt = 1;

void vc_inject_attempt(unsigned attempt)
{
	current_attempt = attempt;
}

/* Parse one rule of text[0..len). 0 or -1. */
static int parse_rule(const char *text, size_t len, struct rule *r)
{
	unsigned attempt = 0;
	const char *at = memchr(text, '@', len);
	if (at) {
		char num[8] = { 0 };
		size_t n = len - (size_t)(at + 1 - text);
		if (n == 0 || n >= sizeof(num) || strspn(at + 1, "0123456789") < n)
			return -1;
		memcpy(num, at + 1, n);
		attempt = (unsigned)atoi(num);
		if (!attempt)
			return -1;
		len = (size_t)(at - text);
	}
	text = expand(text, &len);
	const char *colon = memchr(text, ':', len);
	if (!colon || (size_t)(colon - text) >= sizeof(r->cmd))
		return -1;
	memset(r, 0, sizeof(*r));
	memcpy(r->cmd, text, (size_t)(colon - text));
	const char *rest = colon + 1;
	size_t rest_len = len - (size_t)(rest - text);
	r->map_info = -1;
	if (rest_len > 9 && strncmp(rest, "map_info=", 9) == 0) {
		char num[16] = { 0 };
		if (rest_len - 9 >= sizeof(num))
			return -1;
		memcpy(num, rest + 9, rest_len - 9);
		r->map_info = (int)strtol(num, NULL, 0);
		r->attempt = attempt;
		return 0;
	}
	const char *eq = memchr(rest, '=', rest_len);
	if (!eq)
		return -1;
	r->from = resp_by_name(rest, (size_t)(eq - rest));
	r->to = resp_by_name(eq + 1, rest_len - (size_t)(eq + 1 - rest));
	r->attempt = attempt;
	return r->from && r->to ? 0 : -1;
}

/* Calls fn for each rule; stops at a malformed one and returns -1. */
static int each_rule(const char *rules, void (*fn)(const struct rule *, void *), void *arg)
{
	const char *p = rules;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct rule r;
		if (parse_rule(p, len, &r) < 0)
			return -1;
		if (fn)
			fn(&r, arg);
		p = end ? end + 1 : NULL;
	}
	return 0;
}

const char *vc_inject_check(const char *rules)
{
	return each_rule(rules, NULL, NULL) < 0 ? "malformed --inject rule" : NULL;
}

struct apply_arg {
	const char *cmd;
	uint8_t *resp;
	uint32_t *resp_len;
};

static void apply_one(const struct rule *r, void *opaque)
{
	struct apply_arg *a = opaque;
	if (strcmp(r->cmd, a->cmd) != 0 || *a->resp_len < sizeof(struct virtio_gpu_ctrl_hdr))
		return;
	if (r->attempt && r->attempt != current_attempt)
		return;
	struct virtio_gpu_ctrl_hdr h;
	memcpy(&h, a->resp, sizeof(h));
	uint32_t type = vgb_le32(h.type);
	if (r->map_info >= 0) {
		if (type == VIRTIO_GPU_RESP_OK_MAP_INFO && *a->resp_len >= 32) {
			uint32_t mi = vgb_to_le32((uint32_t)r->map_info);
			memcpy(a->resp + 24, &mi, 4);
		}
		return;
	}
	if (type != r->from)
		return;
	h.type = vgb_to_le32(r->to);
	memcpy(a->resp, &h, sizeof(h));
	if (r->to == VIRTIO_GPU_RESP_OK_MAP_INFO) {
		struct virtio_gpu_resp_map_info mi;
		memset(&mi, 0, sizeof(mi));
		mi.hdr = h;
		mi.map_info = vgb_to_le32(VIRTIO_GPU_MAP_CACHE_CACHED);
		memcpy(a->resp, &mi, sizeof(mi));
		*a->resp_len = sizeof(mi);
	} else {
		*a->resp_len = sizeof(h);
	}
}

void vc_inject_apply(const char *rules, const void *req, size_t req_len, uint8_t *resp,
		     uint32_t *resp_len)
{
	if (!rules || !*rules || req_len < 4)
		return;
	uint32_t type;
	memcpy(&type, req, 4);
	struct apply_arg a = { vc_cmd_name(vgb_le32(type)), resp, resp_len };
	each_rule(rules, apply_one, &a);
}
