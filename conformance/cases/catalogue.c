/* SPDX-License-Identifier: MIT */
/* The catalogue: every case table, in a stable order. */
#include <stdlib.h>

#include "cases.h"

extern const struct vc_case vc_cases_vu[];      /* dev_vu.c */
extern const struct vc_case vc_cases_display[]; /* dev_display.c */
extern const struct vc_case vc_cases_hostile[]; /* drv_hostile.c */

static const struct vc_case *const tables[] = {
	vc_cases_discovery, vc_cases_map,       vc_cases_coherency, vc_cases_fallback,
	vc_cases_scanout,   vc_cases_refctx,    vc_cases_lifecycle, vc_cases_malformed,
	vc_cases_driver,    vc_cases_vu,        vc_cases_renderer,  vc_cases_memory,
	vc_cases_ref_driver, vc_cases_display,   vc_cases_hostile,
	vc_cases_sizes,
};

size_t vc_catalogue(const struct vc_case *const **out)
{
	static const struct vc_case **all;
	static size_t n;
	if (!all) {
		size_t total = 0;
		/* Harness self-test cases only when asked for. */
		const struct vc_case *selftest = getenv("VGB_CONFORM_SELFTEST") ? vc_cases_selftest : NULL;
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
			for (const struct vc_case *c = tables[i]; c->name; c++)
				total++;
		for (const struct vc_case *c = selftest; c && c->name; c++)
			total++;
		all = calloc(total ? total : 1, sizeof(*all));
		if (!all)
			abort();
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
			for (const struct vc_case *c = tables[i]; c->name; c++)
				all[n++] = c;
		for (const struct vc_case *c = selftest; c && c->name; c++)
			all[n++] = c;
	}
	*out = all;
	return n;
}
