/* SPDX-License-Identifier: MIT */
/* What the driver remembers of the resources it created (mapping state above all). */
#include "driver_priv.h"

#include <stdlib.h>
#include <string.h>

struct drv_resource *drv_res_find(struct vgb_drv *drv, uint32_t id)
{
	for (unsigned i = 0; i < drv->nres; i++)
		if (drv->res[i].id == id)
			return &drv->res[i];
	return NULL;
}

struct drv_resource *drv_res_add(struct vgb_drv *drv, uint32_t id)
{
	struct drv_resource *r = drv_res_find(drv, id);
	if (r)
		return r;
	if (drv->nres == drv->res_cap) {
		unsigned cap = drv->res_cap ? drv->res_cap * 2 : 32;
		struct drv_resource *n = realloc(drv->res, cap * sizeof(*n));
		if (!n)
			return NULL;
		drv->res = n;
		drv->res_cap = cap;
	}
	r = &drv->res[drv->nres++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	return r;
}

void drv_res_remove(struct vgb_drv *drv, uint32_t id)
{
	struct drv_resource *r = drv_res_find(drv, id);
	if (r)
		*r = drv->res[--drv->nres];
}
