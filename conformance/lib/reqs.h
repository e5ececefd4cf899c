/* SPDX-License-Identifier: MIT */
/*
 * Every requirement ID the cases cite, in one place so the citations follow
 * the spec (the chapters under spec/).  conformance/report/check_ids.py (a meson
 * test) fails when a case cites an ID the spec lacks.
 */
#ifndef VGB_CONFORM_REQS_H
#define VGB_CONFORM_REQS_H

/* Features and configuration */
#define R_FEAT_CTXINIT_NEEDS_VIRGL "REQ-DEV-FEAT-0001"
#define R_FEAT_ALIGN_NEEDS_BLOB    "REQ-DEV-FEAT-0002"
#define R_FEAT_REGION_NEEDS_BLOB   "REQ-DEV-FEAT-0003"
#define R_FEAT_REGION_MAPS         "REQ-DEV-FEAT-0005"
#define R_FEAT_ALIGN_REFUSE        "REQ-DEV-FEAT-0070" /* pages above 4096: refuse a declining driver */
#define R_CFG_SIZE                 "REQ-DEV-CFG-0001" /* 20 bytes with blob_alignment */
#define R_CFG_ALIGN_POW2           "REQ-DEV-CFG-0002"
#define R_CFG_ALIGN_RANGE          "REQ-DEV-CFG-0003"
#define R_CFG_ALIGN_STABLE         "REQ-DEV-CFG-0004"
#define R_CFG_SCANOUTS             "REQ-DEV-CFG-0005"
#define R_CFG_CAPSET_INFO          "REQ-DEV-CFG-0006" /* every index below num_capsets */
#define R_SHM_ONLY_HOST_VISIBLE    "REQ-DEV-SHM-0001"
#define R_SHM_REGION               "REQ-DEV-SHM-0002" /* non-zero multiple of the granularity */
#define R_VU_SHMEM_FEATURE         "REQ-DEV-VU-0001"
#define R_VU_SHMEM_CONFIG          "REQ-DEV-VU-0002"
#define R_VU_MAP_EXACT             "REQ-DEV-VU-0003"
#define R_VU_MAP_ACKED             "REQ-DEV-VU-0004"
#define R_VU_UNMAP_EXACT           "REQ-DEV-VU-0005"
#define R_VU_UNMAP_ACKED           "REQ-DEV-VU-0006"
#define R_VU_NO_EARLY_MAP          "REQ-DEV-VU-0007"
#define R_VU_NO_OVERLAP            "REQ-DEV-VU-0008"
#define R_VU_NEED_REPLY            "REQ-DEV-VU-0009"
#define R_VU_STOP_FORGETS          "REQ-DEV-VU-0010"
#define R_VU_SHMEM_NREGIONS        "REQ-DEV-VU-0011"
#define R_MAP_TRANSPORT_FAIL       "REQ-DEV-MAP-0010"
#define R_MAP_NO_SLOT              "REQ-DEV-MAP-0074" /* the VMM out of memory slots */
#define R_MAP_UNPLACEABLE          "REQ-DEV-MAP-0250" /* renderer memory that is no fd: ERR_UNSPEC */
#define R_MAP_UNPLACEABLE_KEEPS    "REQ-DEV-MAP-0251" /* ... and the blob stays */
#define R_DISP_HEADLESS            "REQ-DEV-DISP-0150"

/* Commands and responses */
#define R_CMD_UNKNOWN              "REQ-DEV-CMD-0001"
#define R_FEAT_UNNEGOTIATED        "REQ-DEV-CMD-0090" /* SHOULD */
#define R_CMD_LENGTH               "REQ-DEV-CMD-0003" /* shorter than its structure */
#define R_CMD_ENTRIES_LENGTH       "REQ-DEV-CMD-0042" /* shorter than struct + 16 * nr_entries */
#define R_CMD_SUBMIT_LENGTH        "REQ-DEV-CMD-0043" /* stream shorter than size */
#define R_CMD_TRAILING             "REQ-DEV-CMD-0041" /* bytes after the command ignored */
#define R_CMD_SHORT_RESP           "REQ-DEV-CMD-0150" /* room for a header only: ERR_UNSPEC */
#define R_CMD_NO_HEADER_ROOM       "REQ-DEV-CMD-0151" /* no room for a header: used.len 0 */
#define R_CMD_SHORT_RESP_NO_EFFECT "REQ-DEV-CMD-0044" /* not carried out */
#define R_CMD_USED_LEN             "REQ-DEV-CMD-0008"
#define R_CMD_FLAGS                "REQ-DEV-CMD-0091" /* SHOULD */
#define R_CMD_RING_IDX             "REQ-DEV-CMD-0010"
#define R_CMD_RESP_PADDING         "REQ-DEV-CMD-0011"
#define R_CMD_PADDING_ACCEPTED     "REQ-DEV-CMD-0012"
#define R_CMD_SUCCESS              "REQ-DEV-CMD-0013" /* a valid command succeeds */
#define R_CAPSET_INFO_INDEX        "REQ-DEV-CMD-0014"
#define R_CAPSET_GET               "REQ-DEV-CMD-0015"
#define R_ERR_NO_EFFECT            "REQ-DEV-ERR-0001"
#define R_ERR_SERVES               "REQ-DEV-ERR-0040"
#define R_ERR_HEADER               "REQ-DEV-ERR-0003" /* 24-byte header answer */
#define R_ERR_ORDER                "REQ-DEV-ERR-0005" /* SHOULD: first failure of the table */

/* Display and scanouts */
#define R_SCANOUT_ID               "REQ-DEV-SCANOUT-0001"
#define R_SCANOUT_DISABLE          "REQ-DEV-SCANOUT-0002"
#define R_SBLOB_BOUNDS             "REQ-DEV-SCANOUT-0003"
#define R_SBLOB_STRIDE             "REQ-DEV-SCANOUT-0004"
#define R_SBLOB_FORMAT             "REQ-DEV-SCANOUT-0005"
#define R_SBLOB_PLANE0             "REQ-DEV-SCANOUT-0040" /* uncompressed: plane 0 alone */
#define R_SBLOB_SHOWS_GUEST        "REQ-DEV-SCANOUT-0090"
#define R_SCANOUT_FLUSH_RECT       "REQ-DEV-SCANOUT-0070" /* blob flush rect in image coordinates */
#define R_SCANOUT_FLUSH_UNSHOWN    "REQ-DEV-SCANOUT-0071" /* no scanout met: OK_NODATA */
#define R_SCANOUT_FLUSH_MAPPED     "REQ-DEV-SCANOUT-0072" /* front buffer: mapped writes shown */
#define R_DISP_SIZE                "REQ-DEV-DISP-0001"
#define R_DISP_DISABLED            "REQ-DEV-DISP-0002"
#define R_DISP_PIXELS              "REQ-DEV-DISP-0003"
#define R_DISP_INFO                "REQ-DEV-DISP-0040" /* enabled scanouts have a size */
#define R_DISP_INFO_BEYOND         "REQ-DEV-DISP-0041" /* none enabled past num_scanouts */
#define R_DISP_INFO_FROM_DISPLAY   "REQ-DEV-DISP-0151"
#define R_DISP_EDID_FROM_DISPLAY   "REQ-DEV-DISP-0152"
#define R_DISP_CURSOR_HIDE         "REQ-DEV-DISP-0155"

/* Resources and backing */
#define R_RES_ID0                  "REQ-DEV-RES-0001"
#define R_RES_IN_USE               "REQ-DEV-RES-0002"
#define R_RES_UNKNOWN              "REQ-DEV-RES-0003"
#define R_RES_FORMAT               "REQ-DEV-RES-0004"
#define R_RES_SIZE0                "REQ-DEV-RES-0005"
#define R_RES_RECT                 "REQ-DEV-RES-0006" /* rect not inside the resource */
#define R_RES_BACKING_TWICE        "REQ-DEV-RES-0040"
#define R_RES_DETACH_NONE          "REQ-DEV-RES-0041"
#define R_ENTRY_COUNT              "REQ-DEV-ENTRY-0040"
#define R_ENTRY_LEN0               "REQ-DEV-ENTRY-0041"
#define R_ENTRY_BOUNDS             "REQ-DEV-ENTRY-0042"
#define R_ENTRY_OVERLAP            "REQ-DEV-ENTRY-0090" /* SHOULD */
#define R_ENTRY_CONCAT             "REQ-DEV-ENTRY-0006"
#define R_XFER_2D                  "REQ-DEV-XFER-0001"
#define R_XFER_NO_BACKING          "REQ-DEV-XFER-0042"
#define R_XFER_BACKING_END         "REQ-DEV-XFER-0003"
#define R_XFER_BLOB_BOUNDS         "REQ-DEV-XFER-0004"
#define R_XFER_GUEST_BLOB          "REQ-DEV-XFER-0005"
#define R_XFER_GUEST_COPY          "REQ-DEV-XFER-0006"
#define R_XFER_DEFAULT_TO          "REQ-DEV-XFER-0008"
#define R_XFER_DEFAULT_FROM        "REQ-DEV-XFER-0009"
#define R_XFER_HOST_2D             "REQ-DEV-XFER-0010"
#define R_XFER_HOST_TO             "REQ-DEV-XFER-0011"
#define R_XFER_HOST_FROM           "REQ-DEV-XFER-0012"
#define R_XFER_3D_VIEW             "REQ-DEV-XFER-0040" /* linear view of a blob */
#define R_XFER_3D_RANGE            "REQ-DEV-XFER-0041"
#define R_XFER_3D_CTX              "REQ-DEV-XFER-0015"
#define R_XFER_OUTSIDE             "REQ-DEV-XFER-0016"

/* Blobs */
#define R_BLOB_MEM                 "REQ-DEV-BLOB-0001"
#define R_BLOB_FLAGS               "REQ-DEV-BLOB-0092"
#define R_BLOB_SIZE0               "REQ-DEV-BLOB-0004"
#define R_BLOB_UNALIGNED           "REQ-DEV-BLOB-0005"
#define R_BLOB_GUEST_ID            "REQ-DEV-BLOB-0093"
#define R_BLOB_HOST3D_ENTRIES      "REQ-DEV-BLOB-0007"
#define R_BLOB_GUEST_SHORT         "REQ-DEV-BLOB-0008"
#define R_BLOB_CTX                 "REQ-DEV-BLOB-0009"
#define R_BLOB_HOST3D_UNKNOWN      "REQ-DEV-BLOB-0010"
#define R_BLOB_HOST3D_SIZE         "REQ-DEV-BLOB-0011"
#define R_BLOB_NEEDS_VIRGL         "REQ-DEV-BLOB-0002"
#define R_BLOB_OOM                 "REQ-DEV-BLOB-0012"
#define R_BLOB_GUEST_ANY_CTX       "REQ-DEV-BLOB-0013"
#define R_BLOB_KEEPS_CONTENT       "REQ-DEV-BLOB-0014"
#define R_BLOB_SHAREABLE           "REQ-DEV-BLOB-0090"
#define R_BLOB_CROSS_DEVICE        "REQ-DEV-BLOB-0091" /* with RESOURCE_UUID */
#define R_DRV_BLOB_CROSS_DEVICE    "REQ-DRV-BLOB-0040"
#define R_LIMIT_ENTRIES            "REQ-DEV-LIMIT-0001"
#define R_LIMIT_ENTRIES_MORE       "REQ-DEV-LIMIT-0040"
#define R_LIMIT_BLOB_SIZE          "REQ-DEV-LIMIT-0003"
#define R_LIMIT_BLOB_REGION        "REQ-DEV-LIMIT-0004"
#define R_LIMIT_OOM                "REQ-DEV-LIMIT-0005"
#define R_LIMIT_OOM_RECOVER        "REQ-DEV-LIMIT-0006"
#define R_LIMIT_64                 "REQ-DEV-LIMIT-0007"
#define R_RES_DETACH_SCANOUT       "REQ-DEV-RES-0009"
#define R_RES_ATTACH_HOST          "REQ-DEV-RES-0011"
#define R_RES_ATTACH_SHORT         "REQ-DEV-RES-0012"
#define R_RES_3D_ACCEPT            "REQ-DEV-RES-0090" /* buffers, single-level 2D textures */
#define R_RES_3D_REFUSED           "REQ-DEV-RES-0014"
#define R_XFER_3D_2D_TO            "REQ-DEV-XFER-0017" /* box copied from the backing */
#define R_XFER_3D_2D_FROM          "REQ-DEV-XFER-0018" /* box copied to the backing */
#define R_XFER_3D_2D_BOX           "REQ-DEV-XFER-0019"
#define R_XFER_VISIBLE             "REQ-DEV-XFER-0400" /* bytes in place before the answer */

/* Mapping */
#define R_MAP_NO_REGION            "REQ-DEV-MAP-0001"
#define R_MAP_NOT_BLOB             "REQ-DEV-MAP-0002"
#define R_MAP_GUEST_BLOB           "REQ-DEV-MAP-0003"
#define R_MAP_NOT_MAPPABLE         "REQ-DEV-MAP-0004"
#define R_MAP_DOUBLE               "REQ-DEV-MAP-0005"
#define R_MAP_DOUBLE_INTACT        "REQ-DEV-MAP-0006"
#define R_MAP_OFFSET               "REQ-DEV-MAP-0007" /* not a multiple of the granularity */
#define R_MAP_BOUNDS               "REQ-DEV-MAP-0008" /* past the region end or overflowing */
#define R_MAP_OVERLAP              "REQ-DEV-MAP-0009"
#define R_MAP_OK                   "REQ-DEV-MAP-0090"
#define R_MAP_VISIBLE              "REQ-DEV-MAP-0012"
#define R_MAP_KEEPS_CONTENT        "REQ-DEV-MAP-0013"
#define R_MAP_DEFAULT_HOST         "REQ-DEV-MAP-0014"
#define R_UNMAP_NOT_MAPPED         "REQ-DEV-MAP-0015"
#define R_UNMAP_OK                 "REQ-DEV-MAP-0016"
#define R_SHM_GONE                 "REQ-DEV-MAP-0017" /* no live mapping: no memory reached */
#define R_MAP_REUSE                "REQ-DEV-MAP-0018"
#define R_UNMAP_KEEPS_CONTENT      "REQ-DEV-MAP-0019"
#define R_UNMAP_NO_REGION          "REQ-DEV-MAP-0020"
#define R_CACHE_VALID              "REQ-DEV-CACHE-0001"
#define R_CACHE_HIGH_BITS          "REQ-DEV-CACHE-0002"
#define R_CACHE_LE                 "REQ-DEV-CACHE-0003"
#define R_CACHE_SAME               "REQ-DEV-CACHE-0005"
#define R_CACHE_MATCH              "REQ-DEV-CTX-0008" /* capset map_cache == map_info */

/* Coherency and fences */
#define R_COH_GUEST_TO_HOST        "REQ-DEV-COH-0070"
#define R_COH_HOST_TO_GUEST        "REQ-DEV-COH-0071" /* fenced host writes */
#define R_COH_UNFENCED_LATER       "REQ-DEV-COH-0072"
#define R_COH_NO_TRANSFER_G2H      "REQ-DEV-COH-0004"
#define R_COH_NO_TRANSFER_H2G      "REQ-DEV-COH-0005"
#define R_COH_RANGE                "REQ-DEV-COH-0006"
#define R_CACHE_COHERENT           "REQ-DEV-CACHE-0070"
#define R_FENCE_DONE               "REQ-DEV-FENCE-0090"
#define R_FENCE_RING               "REQ-DEV-FENCE-0004"
#define R_FENCE_TIMELINE           "REQ-DEV-FENCE-0006"
#define R_FENCE_IN_ORDER           "REQ-DEV-FENCE-0007"
#define R_LIFE_UNMAP_UNREF         "REQ-DEV-LIFE-0008"
#define R_LIFE_MEM_ZERO            "REQ-DEV-LIFE-0100" /* new memory reads as zeros */
#define R_FENCE_ECHO               "REQ-DEV-FENCE-0002"
#define R_FENCE_CTX                "REQ-DEV-FENCE-0003"
#define R_FENCE_ORDER              "REQ-DEV-FENCE-0040"

/* Lifecycle, contexts, reset */
#define R_LIFE_UNREF_MAPPED        "REQ-DEV-LIFE-0001"
#define R_LIFE_UNREF_GONE          "REQ-DEV-LIFE-0002"
#define R_LIFE_UNREF_SCANOUT       "REQ-DEV-LIFE-0003"
#define R_LIFE_REUSE               "REQ-DEV-LIFE-0004"
#define R_CTX_ID0                  "REQ-DEV-CTX-0001"
#define R_CTX_IN_USE               "REQ-DEV-CTX-0002"
#define R_CTX_UNKNOWN              "REQ-DEV-CTX-0003"
#define R_CTX_CAPSET               "REQ-DEV-CTX-0004"
#define R_CTX_CREATE               "REQ-DEV-CTX-0005"
#define R_REFCTX_INFO              "REQ-DEV-CTX-0006"
#define R_REFCTX_CAPS              "REQ-DEV-CTX-0007"
#define R_REFCTX_LENGTH            "REQ-DEV-CTX-0011"
#define R_REFCTX_INVALID           "REQ-DEV-CTX-0012"
#define R_REFCTX_BAD_OP            "REQ-DEV-CTX-0014"
#define R_REFCTX_FILL              "REQ-DEV-CTX-0023"
#define R_REFCTX_CHECKSUM          "REQ-DEV-CTX-0026"
#define R_REFCTX_PATTERN           "REQ-DEV-CTX-0027"
#define R_REFCTX_ORDER             "REQ-DEV-CTX-0009"
#define R_REFCTX_STOP              "REQ-DEV-CTX-0010"
#define R_REFCTX_UNKNOWN_RES       "REQ-DEV-CTX-0013"
#define R_REFCTX_ALLOC_ID          "REQ-DEV-CTX-0015"
#define R_REFCTX_ALLOC_SIZE        "REQ-DEV-CTX-0016"
#define R_REFCTX_ALLOC_ZERO        "REQ-DEV-CTX-0017"
#define R_REFCTX_FREE_UNKNOWN      "REQ-DEV-CTX-0018"
#define R_REFCTX_CONSUMED          "REQ-DEV-CTX-0019"
#define R_REFCTX_RANGE             "REQ-DEV-CTX-0020"
#define R_REFCTX_ALIGN4            "REQ-DEV-CTX-0021"
#define R_REFCTX_NOT_BLOB          "REQ-DEV-CTX-0022"
#define R_REFCTX_WRITE             "REQ-DEV-CTX-0024"
#define R_REFCTX_COPY              "REQ-DEV-CTX-0025"
#define R_REFCTX_HOST_VIEW         "REQ-DEV-CTX-0028"
#define R_REFCTX_UNATTACHED        "REQ-DEV-CTX-0029"
#define R_REFCTX_ALLOC_OOM         "REQ-DEV-CTX-0030"
#define R_CTX_INIT_UNNEGOTIATED    "REQ-DEV-CTX-0031"
#define R_CTX_DETACH_UNATTACHED    "REQ-DEV-CTX-0032"
#define R_LIFE_UNREF_DETACHES      "REQ-DEV-LIFE-0006"
#define R_LIFE_CTX_DESTROY_KEEPS   "REQ-DEV-LIFE-0007"
#define R_LIFE_CTX_DESTROY_MAPPED  "REQ-DEV-LIFE-0071" /* mappings outlive CTX_DESTROY */
#define R_LIFE_CTX_DESTROY_UNMAP   "REQ-DEV-LIFE-0072" /* and can still be unmapped and unref'd */
#define R_RESET                    "REQ-DEV-RESET-0001"
#define R_RESET_MAPPINGS           "REQ-DEV-RESET-0002"
#define R_RESET_SCANOUTS           "REQ-DEV-RESET-0003"
#define R_RESET_IDS                "REQ-DEV-RESET-0004"
#define R_DISP_CURSOR              "REQ-DEV-DISP-0006"

/* Driver requirements the validating device reports */
#define R_DRV_MAP_DOUBLE           "REQ-DRV-MAP-0002"
#define R_DRV_MAP_UNMAPPABLE       "REQ-DRV-MAP-0003"
#define R_DRV_UNMAP_UNMAPPED       "REQ-DRV-MAP-0010"
#define R_DRV_MAP_NO_REGION        "REQ-DRV-MAP-0001"
#define R_DRV_MAP_OFFSET           "REQ-DRV-MAP-0004"
#define R_DRV_MAP_PAST_END         "REQ-DRV-MAP-0005"
#define R_DRV_MAP_OVERLAP          "REQ-DRV-MAP-0006"
#define R_DRV_MAP_AT_OFFSET        "REQ-DRV-MAP-0100" /* byte i at offset + i of the region */
#define R_DRV_SCANOUT_LAYOUT       "REQ-DRV-SCANOUT-0100" /* offsets[0]/strides[0] as laid out */
#define R_DRV_CACHE_TYPE           "REQ-DRV-CACHE-0001" /* never more cacheable than map_info */
#define R_DRV_CACHE_EXACT          "REQ-DRV-CACHE-0004" /* SHOULD: exactly the type */
#define R_DRV_ERR_FAILED           "REQ-DRV-ERR-0001" /* a non-success response: failure, no effect */
#define R_DRV_LIFE_DETACH_SCANOUT  "REQ-DRV-LIFE-0003"
#define R_DRV_CTX_ATTACH           "REQ-DRV-CTX-0004"
#define R_DRV_XFER_HOST_2D         "REQ-DRV-XFER-0009"
#define R_DRV_XFER_FALLBACK_GUEST  "REQ-DRV-XFER-0006"
#define R_DRV_XFER_FALLBACK_2D     "REQ-DRV-XFER-0007"
#define R_DRV_XFER_FALLBACK_MAP    "REQ-DRV-XFER-0008"
#define R_DRV_XFER_3D_RANGE        "REQ-DRV-XFER-0040"
#define R_DRV_FEAT_ALIGN_ACCEPT    "REQ-DRV-FEAT-0004" /* SHOULD */
#define R_DRV_FENCE_ORDER          "REQ-DRV-FENCE-0001"
#define R_DRV_RES_RECT             "REQ-DRV-RES-0004"
#define R_DRV_RES_BACKING_TWICE    "REQ-DRV-RES-0005"
#define R_DRV_RES_NO_BACKING       "REQ-DRV-RES-0006"
#define R_DRV_RESET_STALE          "REQ-DRV-RESET-0002"
#define R_DRV_CFG_WRITE            "REQ-DRV-CFG-0002"
#define R_DRV_ENTRY_PAGES          "REQ-DRV-ENTRY-0005" /* SHOULD */
#define R_DRV_BLOB_SIZE_PAGES      "REQ-DRV-BLOB-0006" /* SHOULD */
#define R_DRV_XFER_BACKING_END     "REQ-DRV-XFER-0010"
#define R_DRV_XFER_BLOB_OFFSET     "REQ-DRV-XFER-0011"
#define R_DRV_XFER_3D_2D_BOX       "REQ-DRV-XFER-0012"
#define R_DRV_SCANOUT_ID           "REQ-DRV-SCANOUT-0005"
#define R_DRV_CTX_UNKNOWN          "REQ-DRV-CTX-0005"
#define R_DRV_CTX_CAPSET           "REQ-DRV-CTX-0006"
#define R_DRV_REFCTX_RANGE         "REQ-DRV-CTX-0007"
#define R_DRV_REFCTX_ALIGN4        "REQ-DRV-CTX-0008"
#define R_DRV_REFCTX_NOT_BLOB      "REQ-DRV-CTX-0009"
#define R_DRV_CAPSET_INFO_INDEX    "REQ-DRV-CMD-0007"
#define R_DRV_CAPSET_GET           "REQ-DRV-CMD-0008"
#define R_DRV_ENTRY_COUNT0         "REQ-DRV-ENTRY-0006"
#define R_DRV_LIMIT_ENTRIES        "REQ-DRV-LIMIT-0001" /* SHOULD NOT */

/* A driver answered wrongly (drv.hostile.*) */
#define R_DRV_ERR_NO_EFFECT        "REQ-DRV-ERR-0001" /* an error answer had no effect */
#define R_DRV_ERR_USED_ZERO        "REQ-DRV-ERR-0002"
#define R_DRV_ERR_DEVICE_ERROR     "REQ-DRV-ERR-0150" /* broken length or fence: nothing used */
#define R_DRV_ERR_MAP_RANGE_KEPT   "REQ-DRV-ERR-0151"
#define R_DRV_CMD_HELD             "REQ-DRV-CMD-0150" /* no reuse of a request not returned */
/*
 * Driver requirements the reference device's validating mode checks on every
 * command (ref/host/core/validate.c): a driver run against it breaks none of them
 * when the log stays empty.
 */
#define R_DRV_VALIDATED                                                                      \
	"REQ-DRV-FEAT-0001", "REQ-DRV-FEAT-0002", "REQ-DRV-FEAT-0003", "REQ-DRV-FEAT-0040",  \
	"REQ-DRV-CMD-0001", "REQ-DRV-CMD-0002", "REQ-DRV-CMD-0003", "REQ-DRV-CMD-0004",      \
	"REQ-DRV-CMD-0005", "REQ-DRV-CMD-0006", "REQ-DRV-RES-0001", "REQ-DRV-RES-0002",      \
	"REQ-DRV-CTX-0001", "REQ-DRV-CTX-0002", "REQ-DRV-CTX-0003", "REQ-DRV-ENTRY-0001",     \
	"REQ-DRV-ENTRY-0003", "REQ-DRV-ENTRY-0004", "REQ-DRV-BLOB-0001", "REQ-DRV-BLOB-0005", \
	"REQ-DRV-BLOB-0007", "REQ-DRV-BLOB-0008", "REQ-DRV-BLOB-0009", "REQ-DRV-BLOB-0010",   \
	"REQ-DRV-BLOB-0011", "REQ-DRV-BLOB-0012", "REQ-DRV-XFER-0005", "REQ-DRV-MAP-0001",    \
	"REQ-DRV-MAP-0002", "REQ-DRV-MAP-0003", "REQ-DRV-MAP-0004", "REQ-DRV-MAP-0005",       \
	"REQ-DRV-MAP-0006", "REQ-DRV-MAP-0010", "REQ-DRV-LIFE-0003", "REQ-DRV-SCANOUT-0001",  \
	"REQ-DRV-SCANOUT-0002", "REQ-DRV-XFER-0040", "REQ-DRV-XFER-0009",  \
	"REQ-DRV-CFG-0002", "REQ-DRV-RESET-0002", "REQ-DRV-BLOB-0002",                          \
	"REQ-DRV-FEAT-0004", "REQ-DRV-ENTRY-0005", "REQ-DRV-BLOB-0006", "REQ-DRV-LIMIT-0001", \
	"REQ-DRV-BLOB-0300"
/*
 * The last four are SHOULDs: not met, they are warnings (a WARNING verdict).  The validating
 * device checks more (REQ-DRV-FENCE-0001, REQ-DRV-RES-0004..0006, ...); a case cites at most
 * VC_MAX_IDS - 1 IDs, so those are cited by their own drv.validate.* cases.
 */

/* Driver defects sent raw (dev_malformed.c), by spec ID */
#define R_DRV_BLOB_0001            "REQ-DRV-BLOB-0001"
#define R_DRV_BLOB_0005            "REQ-DRV-BLOB-0005"
#define R_DRV_BLOB_0007            "REQ-DRV-BLOB-0007"
#define R_DRV_BLOB_0008            "REQ-DRV-BLOB-0008"
#define R_DRV_BLOB_0010            "REQ-DRV-BLOB-0010"
#define R_DRV_BLOB_0011            "REQ-DRV-BLOB-0011"
#define R_DRV_CMD_0001             "REQ-DRV-CMD-0001"
#define R_DRV_CMD_0002             "REQ-DRV-CMD-0002"
#define R_DRV_CMD_0003             "REQ-DRV-CMD-0003"
#define R_DRV_CMD_0005             "REQ-DRV-CMD-0005"
#define R_DRV_CMD_0006             "REQ-DRV-CMD-0006"
#define R_DRV_CTX_0001             "REQ-DRV-CTX-0001"
#define R_DRV_ENTRY_0001           "REQ-DRV-ENTRY-0001"
#define R_DRV_ENTRY_0003           "REQ-DRV-ENTRY-0003"
#define R_DRV_ENTRY_0004           "REQ-DRV-ENTRY-0004"
#define R_DRV_FEAT_0040            "REQ-DRV-FEAT-0040"
#define R_DRV_RES_0001             "REQ-DRV-RES-0001"
#define R_DRV_RES_0002             "REQ-DRV-RES-0002"
#define R_DRV_SCANOUT_0001         "REQ-DRV-SCANOUT-0001"
#define R_DRV_SCANOUT_0002         "REQ-DRV-SCANOUT-0002"

#endif
