#!/bin/bash
# Minimal repro: forky's QEMU 11.1.2 aborts on the QMP command
# x-query-virtio-status for any virtio device (virtio-gpu-pci, virtio-net-pci,
# ...), even before the guest runs:
#   qapi/qapi-visit-core.c:52: visit_start_struct:
#   Assertion `!(v->type & VISITOR_OUTPUT) || *obj' failed.
# QEMU 10.0.2 (bookworm-backports) answers the same command. The VM runner
# therefore takes the negotiated features from the guest driver's log on the
# forky stack. Needs the forky chroot (conformance/vm/setup-forky.sh).
# Exit status: 0 when the abort reproduces, 1 when QEMU answers.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root "this repro (chroot)"
forky_lock
root=$(forky_root)
[ -x "$root/usr/bin/qemu-system-x86_64" ] || vm_die "no forky chroot: run conformance/vm/setup-forky.sh"
trap '"$VGB_VM_DIR/chroot-mounts.sh" umount "$root"' EXIT
"$VGB_VM_DIR/chroot-mounts.sh" mount "$root"
device=${1:-virtio-gpu-pci}
out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"x-query-virtio"}' \
	'{"execute":"x-query-virtio-status","arguments":{"path":"/machine/peripheral-anon/device[0]/virtio-backend"}}' \
	'{"execute":"quit"}' |
	timeout 60 chroot "$root" qemu-system-x86_64 -accel tcg -M q35 -nodefaults -display none -S \
		-device "$device" -qmp stdio 2>&1) || true
echo "$out"
if grep -q 'visit_start_struct: Assertion' <<<"$out"; then
	echo "reproduced: QEMU aborted on x-query-virtio-status ($device)"
	exit 0
fi
echo "not reproduced: QEMU answered x-query-virtio-status"
exit 1
