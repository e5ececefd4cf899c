#!/bin/bash
# Minimal repro: the Linux virtio-gpu driver goes on naming a host blob the
# device refused.
#
#  create  Linux 7.2 with 16 KiB pages, no BLOB_ALIGNMENT: the agent makes a
#          HOST3D blob of a 4 KiB reference-context object. The driver rounds
#          `size` up to its page (virtio_gpu_vram_create), the device refuses
#          the 16 KiB blob of a 4 KiB object (REQ-DEV-BLOB-0011), and the
#          driver, which marks the object created when it queues the command
#          (virtio_gpu_cmd_resource_create_blob), sends RESOURCE_MAP_BLOB,
#          CTX_ATTACH_RESOURCE, RESOURCE_UNMAP_BLOB and RESOURCE_UNREF naming
#          the resource that does not exist (REQ-DRV-RES-0002).
#  map     Linux 7.2 (x86-64) maps blobs at 4 KiB offsets; the device refuses
#          the MAP_BLOBs that are not at multiples of 16 KiB (a deliberate
#          vgb-host break stands in for a device whose transport cannot place
#          them, REQ-DEV-MAP-0010), and the driver, which unmaps any blob
#          whose region range it allocated (virtio_gpu_vram_free), sends
#          RESOURCE_UNMAP_BLOB for blobs that were never mapped
#          (REQ-DRV-MAP-0010). Linux 6.1 does the same.
#
# Each boots one guest under TCG with one agent case; our device's
# validating mode records what the driver sent. Usage: $0 [create|map]
# Exit status: 0 when reproduced, 1 when the driver named nothing it should
# not have, 2 on setup errors. Needs root (conformance/vm/run.py).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
extra=()
case ${1:-create} in
create) config=qemu11-vgb-host-linux7.2-arm64-16k; cases=pair.pages.tail; want=REQ-DRV-RES-0002 ;;
map) config=qemu11-vgb-host-linux7.2; cases=pair.pages.map_offsets; want=REQ-DRV-MAP-0010
	extra=(--break alignment-ignored) ;;
*) echo "usage: $0 [create|map]" >&2; exit 2 ;;
esac
out=$(mktemp --suffix=.json)
trap 'rm -f "$out"' EXIT
/usr/bin/python3 "$here/run.py" "$config" --cases "$cases" "${extra[@]}" --out "$out" >&2 || true
rundir=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["targets"][0]["info"].get("rundir", ""))' "$out" 2>/dev/null || true)
[ -n "$rundir" ] && [ -f "$rundir/validate.jsonl" ] || { echo "no validation log from the run" >&2; exit 2; }
if grep "\"$want\"" "$rundir/validate.jsonl"; then
	echo "reproduced: the driver named a blob the device refused ($want, see $rundir/validate.jsonl)"
	exit 0
fi
echo "not reproduced: no $want in $rundir/validate.jsonl"
exit 1
