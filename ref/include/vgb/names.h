/* SPDX-License-Identifier: MIT */
/* Names of wire values for logs and reports. Unknown values give "?" (never NULL). */
#ifndef VGB_NAMES_H
#define VGB_NAMES_H

#include <stdint.h>

const char *vgb_cmd_name(uint32_t type);         /* "RESOURCE_CREATE_BLOB" */
const char *vgb_resp_name(uint32_t type);        /* "ERR_INVALID_PARAMETER" */
const char *vgb_format_name(uint32_t format);    /* "B8G8R8A8_UNORM" */
const char *vgb_blob_mem_name(uint32_t blob_mem);/* "HOST3D" */
const char *vgb_cache_name(uint32_t map_info);   /* "WC" (bits above the mask ignored) */
const char *vgb_feature_name(unsigned bit);      /* "RESOURCE_BLOB" */

#endif
