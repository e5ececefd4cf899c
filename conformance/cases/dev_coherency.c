/* SPDX-License-Identifier: MIT */
/*
 * Coherency of mapped blobs through the reference context, for whatever cache
 * type the target maps with: guest writes seen by host reads, host writes seen
 * by guest reads, ordering with fences, and a sustained producer/consumer loop.
 */
#include <stdlib.h>
#include <string.h>

#include "cases.h"

#define MAPPABLE VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE
#define GRANULES 4

struct mapped {
	struct vc_host h;
	uint32_t res;
	uint64_t size;
	uint8_t *ptr;
};

static bool setup(struct vc *t, struct mapped *m)
{
	if (!vc_host_open(t, &m->h))
		return false;
	m->size = GRANULES * vc_map_granularity(t);
	uint64_t rsize;
	vc_region(t, &rsize);
	if (rsize < m->size)
		m->size = vc_map_granularity(t);
	if (!vc_expect(t, vc_host_blob(t, &m->h, m->size, MAPPABLE, &m->res),
		       VIRTIO_GPU_RESP_OK_NODATA, R_CMD_SUCCESS, "CREATE_BLOB(HOST3D)"))
		return false;
	uint32_t mi = 0;
	if (!vc_expect(t, vc_map(t, m->res, 0, &mi), VIRTIO_GPU_RESP_OK_MAP_INFO, R_MAP_OK,
		       "MAP_BLOB"))
		return false;
	m->ptr = vc_region(t, NULL);
	vc_note(t, "map_info %u, %llu bytes", mi, (unsigned long long)m->size);
	return true;
}

/* A random word-aligned range [*off, +*len) inside size. */
static void random_range(struct vc *t, uint64_t size, uint64_t *off, uint64_t *len)
{
	uint64_t words = size / 4;
	uint64_t a = vc_rand(t) % words, b = vc_rand(t) % words;
	if (a > b) {
		uint64_t x = a;
		a = b;
		b = x;
	}
	*off = a * 4;
	*len = (b - a + 1) * 4;
}

static enum vc_verdict guest_to_host(struct vc *t)
{
	struct mapped m;
	VC_TRY(setup(t, &m));
	for (int it = 0; it < 24; it++) {
		uint64_t off, len;
		random_range(t, m.size, &off, &len);
		uint32_t seed = vc_rand(t);
		vc_pattern_fill(m.ptr + off, seed, len);
		uint64_t sum = 0;
		VC_TRY(vc_host_checksum(t, &m.h, m.res, off, len, &sum, R_COH_GUEST_TO_HOST));
		uint64_t want = vc_checksum(m.ptr + off, len);
		VC_TRY(vc_check(t, sum == want, R_COH_GUEST_TO_HOST,
				"iteration %d: host checksum of [%llu,+%llu) is %016llx, guest wrote data "
				"hashing to %016llx",
				it, (unsigned long long)off, (unsigned long long)len,
				(unsigned long long)sum, (unsigned long long)want));
	}
	return vc_done(t);
}

/* Compare guest view with the model; returns mismatching words, first one in *first. */
static uint64_t compare(const uint8_t *seen, const uint8_t *model, uint64_t len, uint64_t *first)
{
	uint64_t bad = 0;
	*first = UINT64_MAX;
	for (uint64_t i = 0; i < len; i += 4) {
		if (memcmp(seen + i, model + i, len - i < 4 ? len - i : 4) != 0) {
			if (*first == UINT64_MAX)
				*first = i;
			bad++;
		}
	}
	return bad;
}

static enum vc_verdict host_to_guest(struct vc *t)
{
	struct mapped m;
	VC_TRY(setup(t, &m));
	uint8_t *model = malloc(m.size), *whole = malloc(m.size);
	if (!model || !whole) {
		free(model);
		free(whole);
		return vc_error(t, "out of memory");
	}
	memcpy(whole, m.ptr, m.size);
	for (int it = 0; it < 24 && !vc_failed(t); it++) {
		uint64_t off, len, first;
		random_range(t, m.size, &off, &len);
		uint32_t seed = vc_rand(t);
		if (!vc_host_pattern(t, &m.h, m.res, seed, off, len, R_COH_HOST_TO_GUEST))
			break;
		vc_pattern_fill(model, seed, len);
		memcpy(whole + off, model, len);
		uint64_t outside = compare(m.ptr, whole, m.size, &first) - compare(m.ptr + off, model, len, &first);
		vc_check(t, outside == 0, R_COH_RANGE,
			 "iteration %d: PATTERN of [%llu,+%llu) changed %llu words outside its range", it,
			 (unsigned long long)off, (unsigned long long)len, (unsigned long long)outside);
		uint64_t bad = compare(m.ptr + off, model, len, &first);
		vc_check(t, bad == 0, R_COH_HOST_TO_GUEST,
			 "iteration %d: %llu of %llu words differ from the host PATTERN (seed %u) at "
			 "[%llu,+%llu), first at +%llu",
			 it, (unsigned long long)bad, (unsigned long long)len / 4, seed,
			 (unsigned long long)off, (unsigned long long)len, (unsigned long long)first);
	}
	free(model);
	free(whole);
	return vc_done(t);
}

static enum vc_verdict fence_order(struct vc *t)
{
	struct mapped m;
	VC_TRY(setup(t, &m));
	uint64_t half = m.size / 2;
	/* Write A, fenced checksum, write B over it, fenced checksum: each sees its own data. */
	vc_pattern_fill(m.ptr, 1, half);
	uint64_t want_a = vc_checksum(m.ptr, half);
	uint64_t sum_a = 0, sum_b = 0;
	VC_TRY(vc_host_checksum_fenced(t, &m.h, m.res, 0, half, 101, &sum_a, R_FENCE_ORDER));
	vc_pattern_fill(m.ptr, 2, half);
	uint64_t want_b = vc_checksum(m.ptr, half);
	VC_TRY(vc_host_checksum_fenced(t, &m.h, m.res, 0, half, 102, &sum_b, R_FENCE_ORDER));
	vc_check(t, sum_a == want_a, R_FENCE_ORDER,
		 "first fenced checksum %016llx does not match the first write %016llx",
		 (unsigned long long)sum_a, (unsigned long long)want_a);
	vc_check(t, sum_b == want_b, R_FENCE_ORDER,
		 "second fenced checksum %016llx does not match the second write %016llx",
		 (unsigned long long)sum_b, (unsigned long long)want_b);
	/* An unfenced host fill becomes visible once a later fenced request has completed. */
	m.h.unfenced = true;
	VC_TRY(vc_host_fill(t, &m.h, m.res, 0x0badf00du, half, half, R_COH_UNFENCED_LATER));
	m.h.unfenced = false;
	uint64_t dummy;
	VC_TRY(vc_host_checksum_fenced(t, &m.h, m.res, 0, 4, 103, &dummy, R_FENCE_ECHO));
	const volatile uint32_t *w = (const volatile uint32_t *)(m.ptr + half);
	vc_check(t, vgb_le32(w[0]) == 0x0badf00du && vgb_le32(w[half / 4 - 1]) == 0x0badf00du,
		 R_COH_UNFENCED_LATER, "after a later fence completed the guest reads 0x%08x, host wrote "
		 "0x0badf00d", vgb_le32(w[0]));
	return vc_done(t);
}

/*
 * Host and guest take turns producing into the same blob for many rounds;
 * a consumer that sees the previous round's data counts as stale.
 */
static enum vc_verdict producer_consumer(struct vc *t)
{
	struct mapped m;
	VC_TRY(setup(t, &m));
	uint64_t len = m.size < 16384 ? m.size : 16384;
	uint8_t *model = malloc(len), *prev = malloc(len);
	if (!model || !prev) {
		free(model);
		free(prev);
		return vc_error(t, "out of memory");
	}
	memset(prev, 0, len);
	uint64_t stale_words = 0, wrong_words = 0, stale_rounds = 0, host_stale = 0;
	const int rounds = 200;
	for (int r = 0; r < rounds && !vc_failed(t); r++) {
		uint32_t seed = vc_rand(t);
		if (!vc_host_pattern(t, &m.h, m.res, seed, 0, len, R_COH_HOST_TO_GUEST))
			break;
		vc_pattern_fill(model, seed, len);
		uint64_t s = 0, w = 0;
		for (uint64_t i = 0; i < len; i += 4) {
			if (memcmp(m.ptr + i, model + i, 4) == 0)
				continue;
			if (memcmp(m.ptr + i, prev + i, 4) == 0)
				s++;
			else
				w++;
		}
		stale_words += s;
		wrong_words += w;
		stale_rounds += s || w;
		/* Guest produces, host consumes. */
		uint32_t gseed = vc_rand(t);
		vc_pattern_fill(m.ptr, gseed, len);
		memcpy(prev, m.ptr, len);
		uint64_t sum = 0;
		if (!vc_host_checksum(t, &m.h, m.res, 0, len, &sum, R_COH_GUEST_TO_HOST))
			break;
		host_stale += sum != vc_checksum(prev, len);
	}
	vc_note(t, "%d rounds of %llu bytes: %llu rounds with guest-side staleness (%llu stale, "
		"%llu wrong words), %llu host-side stale checksums",
		rounds, (unsigned long long)len, (unsigned long long)stale_rounds,
		(unsigned long long)stale_words, (unsigned long long)wrong_words,
		(unsigned long long)host_stale);
	vc_check(t, stale_rounds == 0, R_COH_HOST_TO_GUEST,
		 "guest saw stale data in %llu of %d rounds (%llu stale, %llu wrong words)",
		 (unsigned long long)stale_rounds, rounds, (unsigned long long)stale_words,
		 (unsigned long long)wrong_words);
	vc_check(t, host_stale == 0, R_COH_GUEST_TO_HOST,
		 "host saw stale data in %llu of %d rounds", (unsigned long long)host_stale, rounds);
	free(model);
	free(prev);
	return vc_done(t);
}

#define NEED_COH (VC_NEED_BLOB | VC_NEED_REGION | VC_NEED_REFCTX)

const struct vc_case vc_cases_coherency[] = {
	{ .name = "dev.coh.guest_to_host", IDS(R_COH_GUEST_TO_HOST, R_COH_NO_TRANSFER_G2H, R_REFCTX_CHECKSUM),
	  .needs = NEED_COH,
	  .run = guest_to_host, .random = true,
	  .summary = "guest writes through the mapping; host CHECKSUM matches" },
	{ .name = "dev.coh.host_to_guest", IDS(R_COH_HOST_TO_GUEST, R_COH_NO_TRANSFER_H2G, R_COH_RANGE, R_REFCTX_PATTERN),
	  .needs = NEED_COH,
	  .run = host_to_guest, .random = true,
	  .summary = "host PATTERN; guest reads exactly it through the mapping" },
	{ .name = "dev.coh.fence_order", IDS(R_FENCE_ORDER, R_FENCE_ECHO, R_FENCE_CTX, R_FENCE_DONE,
						   R_COH_UNFENCED_LATER),
	  .needs = NEED_COH, .run = fence_order,
	  .summary = "fenced host reads see guest writes in order; fence echoed" },
	{ .name = "dev.coh.producer_consumer", IDS(R_COH_HOST_TO_GUEST, R_COH_GUEST_TO_HOST, R_CACHE_COHERENT),
	  .needs = NEED_COH, .run = producer_consumer, .random = true, .timeout_s = 120,
	  .summary = "sustained alternating producer/consumer loop; staleness reported" },
	{ 0 },
};
