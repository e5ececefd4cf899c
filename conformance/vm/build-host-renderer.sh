#!/bin/bash
# Builds vgb-host with its virglrenderer renderer (--renderer=virgl|venus)
# inside the forky chroot, and prints the binary's path on the host.
#
# Why there: the renderer needs virglrenderer >= 1.0 (Venus through the
# render server, per-context fences, blob export); Debian 12 has 0.10.4 and
# no backport. forky's 1.3 needs forky's C library, so a vgb-host linked
# against it runs only inside the chroot, next to QEMU 11.1, the render
# server and Mesa's lavapipe, which is where the VM configurations run it.
# The build tools are added to the chroot once (a stamp inside the chroot, so
# a rebuilt chroot gets them again); each build is cached under a hash of the
# sources it compiles (meson.build, meson_options.txt, ref/, share/).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "build-host-renderer.sh"
forky_lock

root="$VGB_CACHE/forky-root"
[ -x "$root/usr/bin/qemu-system-x86_64" ] || vm_die "no forky chroot: run conformance/vm/setup-forky.sh first"

tools=(gcc libc6-dev meson ninja-build pkg-config python3 libvirglrenderer-dev linux-libc-dev)
tools_stamp="$root/var/lib/vgb/build-tools"
src_hash=$( (cd "$VGB_REPO" && find meson.build meson_options.txt ref share -type f -print0 |
	LC_ALL=C sort -z | xargs -0 sha256sum; cat "$0"; echo "${tools[*]}") | sha256sum | cut -c1-16)
dir="/var/lib/vgb/vgb-host-renderer-$src_hash"
bin="$dir/build/ref/host/vgb-host"
if [ -x "$root$bin" ] && [ "$(cat "$tools_stamp" 2>/dev/null)" = "${tools[*]}" ]; then
	echo "$root$bin"
	exit 0
fi

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
trap '"$VGB_VM_DIR/chroot-mounts.sh" umount "$root"' EXIT
"$VGB_VM_DIR/chroot-mounts.sh" mount "$root"
log="$VGB_CACHE/build-host-renderer.log"
if [ "$(cat "$tools_stamp" 2>/dev/null)" != "${tools[*]}" ]; then
	vm_log "renderer: installing build tools in the forky chroot (${tools[*]}); about a minute"
	{ in_root apt-get -q -y update && in_root apt-get -q -y install "${tools[@]}"; } >"$log" 2>&1 ||
		vm_die "installing build tools in the chroot failed; see $log"
	in_root apt-get -q -y clean
	mkdir -p "$(dirname "$tools_stamp")"
	echo "${tools[*]}" >"$tools_stamp"
fi
vm_log "renderer: building vgb-host against $(in_root pkg-config --modversion virglrenderer | sed 's/^/virglrenderer /')"
# Builds of other source trees (other checkouts share the chroot): the newest few stay.
find "$root/var/lib/vgb" -maxdepth 1 -name 'vgb-host-renderer-*' -printf '%T@ %p\n' | sort -rn |
	tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
rm -rf "$root$dir"
mkdir -p "$root$dir/src"
(cd "$VGB_REPO" && tar cf - meson.build meson_options.txt ref share) | tar xf - -C "$root$dir/src"
in_root sh -c "cd $dir && meson setup build src -Drenderer=enabled -Ddocs=disabled -Dpdf=disabled && ninja -C build ref/host/vgb-host" \
	>>"$log" 2>&1 || vm_die "building vgb-host with the renderer failed; see $log"
[ -x "$root$bin" ] || vm_die "the build made no $bin; see $log"
echo "$root$bin"
