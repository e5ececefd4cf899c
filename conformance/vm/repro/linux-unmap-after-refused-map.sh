#!/bin/bash
# Minimal repro: the Linux virtio-gpu driver (6.1, 7.2) sends
# RESOURCE_UNMAP_BLOB for a host blob whose RESOURCE_MAP_BLOB the device
# refused (REQ-DRV-MAP-0010).
#
# Linux 7.2 (x86-64) maps blobs at 4 KiB offsets of the region. The device
# refuses the MAP_BLOBs that are not at multiples of 16 KiB: a deliberate
# vgb-host break stands in for a device whose transport cannot place the
# memory, which it answers ERR_UNSPEC (REQ-DEV-MAP-0010). The driver keeps
# the region range it allocated after the refusal and, when the blob goes,
# unmaps it because the range is allocated (virtio_gpu_vram_free), so the
# device sees RESOURCE_UNMAP_BLOB of blobs that were never mapped. Our
# device's validating mode records it.
#
# Boots one guest under TCG with one agent case. Exit status: 0 when
# reproduced, 1 when the driver sent no such UNMAP, 2 on setup errors.
# Needs root (conformance/vm/run.py).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp --suffix=.json)
trap 'rm -f "$out"' EXIT
/usr/bin/python3 "$here/run.py" qemu11-vgb-host-linux7.2 --break alignment-ignored --cases pair.pages.map_offsets \
	--out "$out" >&2 || true
rundir=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["targets"][0]["info"].get("rundir", ""))' "$out" 2>/dev/null || true)
[ -n "$rundir" ] && [ -f "$rundir/validate.jsonl" ] || { echo "no validation log from the run" >&2; exit 2; }
if grep '"REQ-DRV-MAP-0010"' "$rundir/validate.jsonl"; then
	echo "reproduced: the driver unmapped blobs the device had refused to map (see $rundir/validate.jsonl)"
	exit 0
fi
echo "not reproduced: no REQ-DRV-MAP-0010 in $rundir/validate.jsonl"
exit 1
