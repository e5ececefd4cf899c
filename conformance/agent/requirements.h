/* The requirement IDs (spec/chapters) each case checks, kept in one
 * place so the citations follow the spec when it changes. */
#ifndef VGB_AGENT_REQUIREMENTS_H
#define VGB_AGENT_REQUIREMENTS_H

/* CONTEXT_INIT only with VIRGL; a host-visible region only with RESOURCE_BLOB. */
#define IDS_PARAMS_FEATURES      "REQ-DEV-FEAT-0001", "REQ-DEV-FEAT-0003"
/* Offered capsets can be read (success answers), within max_version. */
#define IDS_PARAMS_CAPSETS       "REQ-DEV-CMD-0013", "REQ-DEV-CMD-0015"
/* The capsets the device lists (capset 30 included) reach the program. */
#define IDS_PARAMS_CAPSET_MASK   "REQ-DEV-CTX-0006", "REQ-DEV-CMD-0013"
/* context_init naming an offered capset creates that context. */
#define IDS_PARAMS_CONTEXT_INIT  "REQ-DEV-CTX-0005", "REQ-DRV-CTX-0002"
/* TRANSFER_TO_HOST_2D copies; RESOURCE_FLUSH shows it; the driver flushes. */
#define IDS_COPY_SCANOUT         "REQ-DEV-XFER-0001", "REQ-DEV-DISP-0003", "REQ-DRV-SCANOUT-0004"
/* Transfers of a classic 3D resource succeed and change only their range. */
#define IDS_COPY_TRANSFER        "REQ-DEV-CMD-0013", "REQ-DEV-XFER-0016"
#define IDS_BLOB_GUEST           "REQ-DEV-BLOB-0001", "REQ-DRV-BLOB-0007", "REQ-DRV-BLOB-0011"
#define IDS_BLOB_HOST3D          "REQ-DEV-BLOB-0001", "REQ-DEV-MAP-0090", "REQ-DEV-MAP-0012", "REQ-DRV-BLOB-0002"
#define IDS_BLOB_TRANSFER        "REQ-DEV-XFER-0011", "REQ-DEV-XFER-0012", "REQ-DEV-XFER-0016"
#define IDS_BLOB_COHERENCY       "REQ-DEV-COH-0070", "REQ-DEV-COH-0071", "REQ-DEV-COH-0004", "REQ-DEV-COH-0005"
#define IDS_BLOB_CACHE_TYPE      "REQ-DRV-CACHE-0001", "REQ-DRV-CACHE-0004"
/* With a device that reports NONE / sets bits above the mask (the run's vgb.map_info). */
#define IDS_BLOB_CACHE_NONE      "REQ-DRV-CACHE-0002"
#define IDS_BLOB_CACHE_HIGH_BITS "REQ-DRV-CACHE-0003"
#define IDS_BLOB_REFUSED         "REQ-DRV-XFER-0006", "REQ-DRV-XFER-0007", "REQ-DRV-XFER-0008"
#define IDS_LIFECYCLE_CLOSE      "REQ-DRV-LIFE-0001", "REQ-DEV-LIFE-0001"
#define IDS_LIFECYCLE_REMAP      "REQ-DEV-MAP-0018", "REQ-DRV-MAP-0002"
/* The driver refuses requests that would name unknown resources or break
 * blob rules before anything reaches the device. */
#define IDS_NEGATIVE_HANDLE      "REQ-DRV-RES-0002"
#define IDS_NEGATIVE_BLOB_ARGS   "REQ-DRV-BLOB-0001", "REQ-DRV-BLOB-0007", "REQ-DRV-BLOB-0010", "REQ-DRV-BLOB-0012", \
				 "REQ-DRV-FEAT-0040"
#define IDS_NEGATIVE_PARAM       "REQ-DRV-FEAT-0040"
/* Reference context (capset 30): its capset, and coherency both ways. */
#define IDS_REFCTX_CAPS          "REQ-DEV-CTX-0006", "REQ-DEV-CTX-0007"
#define IDS_REFCTX_HOST_WRITES   "REQ-DEV-COH-0071", "REQ-DEV-COH-0005", "REQ-DEV-CTX-0027", "REQ-DEV-MAP-0012"
#define IDS_REFCTX_GUEST_WRITES  "REQ-DEV-COH-0070", "REQ-DEV-COH-0004", "REQ-DEV-CTX-0026", "REQ-DEV-CTX-0028"
/* The PCI shared-memory capability of the host-visible region: its shmid, inside its BAR,
 * a granular guest-physical base, and (SHOULD) a 64-bit prefetchable BAR. */
#define IDS_SHM_PCI_LAYOUT       "REQ-DEV-SHM-0001", "REQ-DEV-SHM-0003", "REQ-DEV-SHM-0004", "REQ-DEV-SHM-0005"
/* A blob drawn through its mapping is scanned out with SET_SCANOUT_BLOB and
 * flushed; the driver sends what the device needs. */
#define IDS_SCANOUT_BLOB         "REQ-DRV-SCANOUT-0001", "REQ-DRV-SCANOUT-0002", "REQ-DRV-SCANOUT-0004"
/* Page sizes: the layout the guest sees; blob sizes off the guest page, the
 * 4 KiB page or the granularity; bytes past an object in its last page; map
 * offsets at every granularity; GUEST blobs of large pages; a device
 * alignment above the guest page. */
#define IDS_PAGES_LAYOUT         "REQ-DEV-CFG-0002", "REQ-DEV-CFG-0003", "REQ-DEV-SHM-0002"
#define IDS_PAGES_BLOB_SIZES     "REQ-DRV-BLOB-0005", "REQ-DEV-BLOB-0011", "REQ-DEV-MAP-0090", "REQ-DEV-MAP-0012"
#define IDS_PAGES_TAIL           "REQ-DEV-BLOB-0011", "REQ-DEV-MAP-0070", "REQ-DEV-MAP-0012"
#define IDS_PAGES_MAP_OFFSETS    "REQ-DRV-MAP-0004", "REQ-DEV-MAP-0090", "REQ-DEV-MAP-0012"
#define IDS_PAGES_GUEST_ENTRIES  "REQ-DEV-ENTRY-0006", "REQ-DEV-CTX-0028", "REQ-DRV-BLOB-0011"
#define IDS_PAGES_ABOVE_PAGE     "REQ-DRV-BLOB-0005", "REQ-DRV-MAP-0004", "REQ-DEV-MAP-0090"
/* Host-observed: the pixels the guest flushed reach the display. */
#define IDS_SCANOUT_PIXELS       "REQ-DEV-DISP-0003", "REQ-DEV-XFER-0001"
/* Host-observed: a scanned-out blob shows what the guest wrote, as of the flush. */
#define IDS_SCANOUT_BLOB_PIXELS  "REQ-DEV-DISP-0003", "REQ-DEV-COH-0070", "REQ-DEV-SCANOUT-0090"

#endif
