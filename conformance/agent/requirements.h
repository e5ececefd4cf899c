/* The requirement IDs each case checks, kept in one place so they can follow
 * the spec. Every case cites the IDs of spec/ requirement blocks.
 *
 * TODO(spec ids): spec/ has no requirement blocks yet. Until it has, the
 * entries below are topic placeholders of the form "TODO-<side>-<topic>-<what>";
 * replace each with the real REQ-<DEV|DRV>-<TOPIC>-NNNN id(s) (see
 * `grep -rho 'REQ-[A-Z]*-[A-Z]*-[0-9]*' spec/`). The host runner reports
 * any id that does not start with "REQ-" as unresolved. */
#ifndef VGB_AGENT_REQUIREMENTS_H
#define VGB_AGENT_REQUIREMENTS_H

#define IDS_PARAMS_FEATURES      "TODO-DEV-FEAT-feature-bits", "TODO-DRV-FEAT-negotiation"
#define IDS_PARAMS_CAPSETS       "TODO-DEV-CAPS-capset-info", "TODO-DEV-CAPS-get-capset"
#define IDS_PARAMS_CONTEXT_INIT  "TODO-DEV-CTX-context-init"
#define IDS_COPY_SCANOUT         "TODO-DEV-COPY-transfer-to-host-2d", "TODO-DEV-COPY-resource-flush"
#define IDS_COPY_TRANSFER        "TODO-DEV-COPY-transfer-3d-roundtrip"
#define IDS_BLOB_GUEST           "TODO-DEV-BLOB-guest-create", "TODO-DRV-BLOB-guest-backing"
#define IDS_BLOB_HOST3D          "TODO-DEV-BLOB-host3d-create", "TODO-DEV-MAP-map-blob", "TODO-DRV-MAP-mmap"
#define IDS_BLOB_COHERENCY       "TODO-DEV-COH-host-writes-visible", "TODO-DEV-COH-guest-writes-visible"
#define IDS_BLOB_CACHE_TYPE      "TODO-DEV-MAP-map-info", "TODO-DRV-MAP-honour-map-info"
#define IDS_BLOB_REFUSED         "TODO-DEV-MAP-refusal", "TODO-DRV-FALLBACK-copy-path"
#define IDS_LIFECYCLE_CLOSE      "TODO-DRV-LIFE-unmap-before-unref", "TODO-DEV-LIFE-unref-mapped"
#define IDS_LIFECYCLE_REMAP      "TODO-DEV-MAP-remap"
#define IDS_NEGATIVE_HANDLE      "TODO-DRV-NEG-bad-handle"
#define IDS_NEGATIVE_BLOB_ARGS   "TODO-DRV-NEG-blob-args"
#define IDS_NEGATIVE_PARAM       "TODO-DRV-NEG-unknown-param"

#endif
