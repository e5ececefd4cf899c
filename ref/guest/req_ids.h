/* SPDX-License-Identifier: MIT */
/*
 * The spec requirements the driver follows and checks the device against, in
 * one place: every "device error" message names the requirement that was broken.
 */
#ifndef VGB_GUEST_REQ_IDS_H
#define VGB_GUEST_REQ_IDS_H

/* What the driver itself follows. */
#define REQ_DRV_FEAT_DEPENDENT "REQ-DRV-FEAT-0001", "REQ-DRV-FEAT-0002"
#define REQ_DRV_RESET "REQ-DRV-RESET-0001", "REQ-DRV-RESET-0002"

/* What the driver checks the device against. */
#define REQ_FEAT_CONTEXT_INIT_NEEDS_VIRGL "REQ-DEV-FEAT-0001"
#define REQ_FEAT_ALIGNMENT_NEEDS_BLOB "REQ-DEV-FEAT-0002"
#define REQ_CFG_SIZE "REQ-DEV-CFG-0001"
#define REQ_CFG_ALIGNMENT_POW2 "REQ-DEV-CFG-0002"
#define REQ_CFG_ALIGNMENT_RANGE "REQ-DEV-CFG-0003"
#define REQ_CFG_NUM_SCANOUTS "REQ-DEV-CFG-0005"
#define REQ_CMD_USED_LEN "REQ-DEV-CMD-0008"
#define REQ_CMD_OK_TYPE "REQ-DEV-CMD-0013"
#define REQ_ERR_HDR_ONLY "REQ-DEV-ERR-0003"
#define REQ_FENCE_ECHO "REQ-DEV-FENCE-0002"
#define REQ_FENCE_CTX "REQ-DEV-FENCE-0003"
#define REQ_FENCE_RING "REQ-DEV-FENCE-0004"
#define REQ_MAP_REACHES "REQ-DEV-MAP-0012"
#define REQ_UNMAP_GONE "REQ-DEV-MAP-0016"
#define REQ_UNREF_UNMAPS "REQ-DEV-LIFE-0002"
#define REQ_CACHE_NOT_NONE "REQ-DEV-CACHE-0001"

#endif
