#!/bin/bash
# Minimal repro: QEMU 11.1 with virglrenderer 1.3 accepts a host blob larger
# than the virgl buffer it is made from, and backs only the buffer.
#
# The agent creates a persistent, coherent virgl buffer of 64 bytes (and of
# 131268, Mesa Venus's ring size) and asks for a blob of that size; Linux
# rounds the size up to its page (virtio_gpu_vram_create), so the device sees
# a 4 KiB blob of a 64-byte buffer. virglrenderer stores the blob size
# without comparing it with the buffer (virgl_renderer_resource_create_blob)
# and QEMU maps the size virgl_renderer_resource_map reports, the buffer's
# (virtio_gpu_virgl_map_resource_blob): the blob is accepted although
# REQ-DEV-BLOB-0011 says refuse, and under TCG the guest reads zeros past the
# buffer and its writes there are dropped.
#
# Boots the x86-64 Linux 7.2 guest under forky QEMU 11.1 (TCG, Xvfb) with the
# one agent case. Exit status: 0 when reproduced (the blob was mapped), 1
# when the device refused it, 2 on setup errors. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp --suffix=.json)
trap 'rm -f "$out"' EXIT
/usr/bin/python3 "$here/run.py" qemu11-virgl-blob-linux7.2 --cases pair.pages.tail --out "$out" >&2 || true
detail=$(/usr/bin/python3 -c '
import json, sys
cases = {c["name"]: c for c in json.load(open(sys.argv[1]))["targets"][0]["cases"]}
c = cases.get("pair.pages.tail")
print(c["verdict"] + ": " + c["detail"] if c else "")' "$out" 2>/dev/null || true)
[ -n "$detail" ] || { echo "no result for pair.pages.tail" >&2; exit 2; }
echo "$detail"
if grep -q "a blob larger than its object was accepted" <<<"$detail"; then
	echo "reproduced: the device mapped a blob larger than its virgl buffer"
	exit 0
fi
echo "not reproduced: the device refused the blob"
exit 1
