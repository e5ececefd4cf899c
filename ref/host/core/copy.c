/* SPDX-License-Identifier: MIT */
/* Piecewise bulk copies: see copy.h for why they stream and prefetch. */
#include "copy.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define VGB_STREAM 1
#else
#define VGB_STREAM 0
#endif

#define LINE 64u
#define PREFETCH_MAX 4096u /* one page ahead: what the hardware prefetcher will not cross */

static void prefetch_all(const void *next, size_t len)
{
	const char *p = next;
	for (size_t i = 0; i < len && i < PREFETCH_MAX; i += LINE)
		__builtin_prefetch(p + i, 0, 3);
}

#if VGB_STREAM
/* Ordinary stores up to the first line boundary of the destination; returns the bytes done. */
static size_t head_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
	size_t head = (LINE - ((uintptr_t)d & (LINE - 1))) & (LINE - 1);
	if (head > n)
		head = n;
	memcpy(d, s, head);
	return head;
}

/*
 * Non-temporal stores of whole lines, with one line of the next piece
 * prefetched per line copied.  Two builds of the same loop: 16-byte stores
 * (SSE2, every x86-64) and 32-byte stores (AVX2), which keep up with memcpy
 * out of cache where 16-byte ones do not (bench/copy_strategy.c measures it).
 */
#define STREAM_BODY(load, store, type, width)                                            \
	size_t head = head_bytes(d, s, n);                                               \
	d += head;                                                                       \
	s += head;                                                                       \
	n -= head;                                                                       \
	size_t body = n & ~(size_t)(LINE - 1);                                           \
	size_t ahead = next ? (next_len < PREFETCH_MAX ? next_len : PREFETCH_MAX) : 0;   \
	for (size_t i = 0; i < body; i += LINE) {                                        \
		if (i < ahead)                                                           \
			__builtin_prefetch(next + i, 0, 3);                              \
		for (size_t k = 0; k < LINE; k += width)                                 \
			store((type *)(void *)(d + i + k), load((const type *)(const void *)(s + i + k))); \
	}                                                                                \
	if (body < ahead)                                                                \
		prefetch_all(next + body, ahead - body);                                 \
	memcpy(d + body, s + body, n - body);

static void stream_sse2(uint8_t *d, const uint8_t *s, size_t n, const char *next, size_t next_len)
{
	STREAM_BODY(_mm_loadu_si128, _mm_stream_si128, __m128i, 16)
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define VGB_AVX2 1
__attribute__((target("avx2"))) static void stream_avx2(uint8_t *d, const uint8_t *s, size_t n,
							 const char *next, size_t next_len)
{
	STREAM_BODY(_mm256_loadu_si256, _mm256_stream_si256, __m256i, 32)
}
#endif

static void stream(uint8_t *d, const uint8_t *s, size_t n, const char *next, size_t next_len)
{
#ifdef VGB_AVX2
	static int avx2 = -1;
	if (avx2 < 0)
		avx2 = __builtin_cpu_supports("avx2");
	if (avx2) {
		stream_avx2(d, s, n, next, next_len);
		return;
	}
#endif
	stream_sse2(d, s, n, next, next_len);
}
#endif

void vgb_copy_piece(void *dst, const void *src, size_t n, const void *next, size_t next_len,
		    bool stream_it)
{
#if VGB_STREAM
	if (stream_it) {
		stream(dst, src, n, next, next_len);
		return;
	}
#else
	(void)stream_it;
#endif
	if (next)
		prefetch_all(next, next_len);
	memcpy(dst, src, n);
}

void vgb_copy_fence(void)
{
#if VGB_STREAM
	_mm_sfence();
#endif
}

bool vgb_copy_streams(void)
{
	return VGB_STREAM;
}
