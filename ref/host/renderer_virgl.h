/* SPDX-License-Identifier: MIT */
/* vgb-host's external renderer on virglrenderer (built when libvirglrenderer-dev >= 1.0 is found). */
#ifndef VGB_HOST_RENDERER_VIRGL_H
#define VGB_HOST_RENDERER_VIRGL_H

#include <stdbool.h>
#include <stddef.h>

struct vgb_renderer_ops;

/*
 * Starts virglrenderer: Venus through its render server, and with with_gl
 * the GL renderer on a surfaceless EGL display.  NULL (err says why) when it
 * cannot start.
 */
const struct vgb_renderer_ops *host_renderer_virgl(bool with_gl, bool verbose, char *err, size_t errlen);
void host_renderer_virgl_fini(void);

#endif
