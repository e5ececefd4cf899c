/* SPDX-License-Identifier: MIT */
/*
 * The cursor queue.  Its commands have no response, so a bad one is logged
 * (and reported in validating mode) and otherwise ignored.  Resource 0 hides
 * the cursor, in MOVE_CURSOR as in UPDATE_CURSOR (as QEMU does): Linux repeats
 * the resource of its last UPDATE_CURSOR in every move, 0 once the cursor is off.
 */
#include "internal.h"

#define CURSOR_SIZE 64

void vgb_cursor_cmd(struct vgb_device *dev, const struct vgb_cmd *cmd)
{
	const __typeof__(cmd->u.cursor) *c = &cmd->u.cursor;
	if (c->scanout_id >= dev->cfg.num_scanouts) {
		vgb_reject(dev, VGB_DRV_NONE, 0, "cursor on scanout %u", c->scanout_id);
		return;
	}
	struct vgb_cursor *cur = &dev->cursor[c->scanout_id];
	const void *image = NULL;
	if (cmd->type == VIRTIO_GPU_CMD_UPDATE_CURSOR) {
		if (c->resource_id) {
			struct vgb_resource *res = vgb_res_find(dev, c->resource_id);
			if (!res || res->blob || res->bpp != 4 || res->width != CURSOR_SIZE ||
			    res->height != CURSOR_SIZE) {
				vgb_reject(dev, res ? VGB_DRV_NONE : VGB_DRV_RES_ID_UNKNOWN, 0,
					   "cursor resource %u is not a 64x64 2D resource", c->resource_id);
				return;
			}
			image = res->host.ptr;
		}
		cur->hot_x = c->hot_x;
		cur->hot_y = c->hot_y;
	}
	cur->visible = c->resource_id != 0;
	if (dev->ops.cursor)
		dev->ops.cursor(dev->ops.opaque, c->scanout_id, c->x, c->y, cur->visible, cur->hot_x,
				cur->hot_y, image);
}
