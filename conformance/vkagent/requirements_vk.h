/* The requirement IDs (spec/chapters) each pair.vk.* case checks. Venus
 * submits GPU work through its ring in a mapped blob and signals completion
 * the same way, so visibility follows the context-defined rules
 * (REQ-DEV-COH-0200/0201) on top of the control-queue ones. */
#ifndef VGB_VKAGENT_REQUIREMENTS_H
#define VGB_VKAGENT_REQUIREMENTS_H

/* A Venus device appears: context init with the Venus capset works. */
#define IDS_VK_DEVICE            "REQ-DEV-CTX-0005", "REQ-DRV-CTX-0002"
/* Every host-visible memory type is a mapped host blob inside the region. */
#define IDS_VK_HOST_BLOB         "REQ-DRV-XFER-0200", "REQ-DEV-MAP-0011", "REQ-DEV-MAP-0012", \
				 "REQ-DRV-BLOB-0002", "REQ-DRV-MAP-0005"
/* The CPU mapping's cache type agrees with the memory type's flags. */
#define IDS_VK_CACHE_TYPE        "REQ-DRV-CACHE-0001", "REQ-DRV-CACHE-0004"
/* Coherent types: CPU writes seen by GPU work, GPU writes seen by the CPU
 * after the fence, no flush, no transfer. */
#define IDS_VK_CPU_TO_GPU        "REQ-DEV-COH-0200", "REQ-DEV-COH-0004"
#define IDS_VK_GPU_TO_CPU        "REQ-DEV-COH-0201", "REQ-DEV-COH-0005"
/* Non-coherent types: the same once flushed / invalidated. */
#define IDS_VK_NONCOHERENT       "REQ-DEV-COH-0200", "REQ-DEV-COH-0201", "REQ-DEV-CACHE-0070"
/* The handwriting front buffer: every frame shows every stroke written
 * before its submission, none stale, none torn. */
#define IDS_VK_HANDWRITING       "REQ-DEV-COH-0200", "REQ-DEV-COH-0201", "REQ-DEV-COH-0004"
/* Software video decode into a mapped NV12 image sampled by the GPU. */
#define IDS_VK_VIDEO             "REQ-DEV-COH-0200", "REQ-DEV-COH-0201", "REQ-DEV-COH-0004", \
				 "REQ-DEV-COH-0006"
/* Lifecycle: freeing a mapped allocation removes the CPU mapping first. */
#define IDS_VK_FREE_MAPPED       "REQ-DRV-LIFE-0001", "REQ-DEV-LIFE-0001"
#define IDS_VK_REMAP             "REQ-DEV-MAP-0013", "REQ-DEV-MAP-0018", "REQ-DEV-MAP-0019"
/* Filling the region: every range inside it, none overlapping, a clean
 * failure when full, the range reused once freed. */
#define IDS_VK_REGION_FULL       "REQ-DRV-MAP-0005", "REQ-DRV-MAP-0006"
/* ...and what the driver does then: the fallback path (a SHOULD). */
#define IDS_VK_REGION_FALLBACK   "REQ-DRV-XFER-0008"
/* A process that exits with live mappings gives its region ranges back. */
#define IDS_VK_EXIT_MAPPED       "REQ-DRV-LIFE-0200", "REQ-DRV-LIFE-0001", "REQ-DEV-LIFE-0001"

#endif
