/* SPDX-License-Identifier: MIT */
/* vgb-host: the device core served over the vhost-user back-end. */
#ifndef VGB_HOST_H
#define VGB_HOST_H

#include <stdbool.h>
#include <stdio.h>

#include "options.h"
#include "scanout_dump.h"
#include "vgb/device.h"
#include "vgb/vu_backend.h"

struct host {
	const struct host_options *opt;
	struct vgb_device *dev;
	struct vgb_vu_backend *be;
	FILE *violations; /* --validate=FILE, or NULL */
	struct scanout_dump dump; /* --dump-scanout=FILE */
	bool closing;     /* the connection is gone: the device is torn down locally */
};

/* Device services over the transport (display.c). */
void host_device_ops(struct host *h, struct vgb_device_ops *ops);
/* The vhost-user device description of the core (backend.c). */
void host_vu_device(struct host *h, struct vgb_vu_device *vd);

#endif
