#!/bin/bash
# mount|umount ROOT: the bind mounts a chroot needs to run QEMU (proc, sys,
# dev, dev/pts, tmp for the runner's sockets and files). umount is safe to
# call repeatedly and unmounts in reverse order, lazily if busy.
set -euo pipefail
action=${1:-}; root=${2:-}
if [ -z "$root" ] || [ ! -d "$root" ]; then
	# Nothing to undo for a root that is not there.
	[ "$action" = umount ] && exit 0
	[ -n "$root" ] && echo "$0: no directory $root" >&2
	echo "usage: $0 mount|umount ROOT" >&2
	exit 2
fi
root=$(cd "$root" && pwd -P)
targets=(proc sys dev dev/pts tmp)
case $action in
mount)
	for t in "${targets[@]}"; do
		mkdir -p "$root/$t"
		mountpoint -q "$root/$t" && continue
		case $t in
		proc) mount -t proc proc "$root/proc" ;;
		*) mount --bind "/$t" "$root/$t" ;;
		esac
	done
	;;
umount)
	for ((i = ${#targets[@]} - 1; i >= 0; i--)); do
		t=$root/${targets[i]}
		mountpoint -q "$t" || continue
		umount "$t" 2>/dev/null || umount -l "$t"
	done
	;;
*) echo "usage: $0 mount|umount ROOT" >&2; exit 2 ;;
esac
