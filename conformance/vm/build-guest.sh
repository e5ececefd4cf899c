#!/bin/bash
# build-guest.sh KERNEL: builds (or reuses) a bootable test guest for KERNEL
# (linux-6.1 from bookworm, linux-7.2 from forky): a kernel image and a
# busybox-static initramfs with the virtio-gpu modules and the agent.
# Prints the guest directory (vmlinuz, initrd.img, info.json) on stdout.
# The guest is cached under a hash of all its inputs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:-}
case $kernel in
linux-6.1) suite=bookworm; image_re='linux-image-6\.1\.0-[0-9]+-amd64'; ;;
linux-7.2) suite=forky; image_re='linux-binary-7\.2\.[0-9]+\+deb[0-9]+-amd64'; ;;
*) vm_die "usage: build-guest.sh linux-6.1|linux-7.2" ;;
esac
for t in dpkg-deb depmod cpio gzip xz zstd; do command -v $t >/dev/null || vm_die "$t missing: run conformance/vm/setup-host.sh"; done

suite_update "$suite"
suite_update bookworm
image_pkg=$(suite_latest_name "$suite" "$image_re")
[ -n "$image_pkg" ] || vm_die "no package matching $image_re in $suite"
if [ "$suite" = forky ]; then
	kver=${image_pkg#linux-binary-}
	pkgs=("$image_pkg" "linux-modules-$kver" "linux-base-$kver")
else
	kver=${image_pkg#linux-image-}
	pkgs=("$image_pkg")
fi

debs=()
for p in "${pkgs[@]}"; do debs+=("$(suite_download "$suite" "$p" "$VGB_CACHE/debs/$suite")"); done
busybox_deb=$(suite_download bookworm busybox-static "$VGB_CACHE/debs/bookworm")
agent=$("$VGB_VM_DIR/build-agent.sh")

inputs_hash=$( {
	for f in "${debs[@]}" "$busybox_deb"; do basename "$f"; done
	sha256sum "$agent" "$VGB_VM_DIR/guest-init.sh" "$0" "$VGB_VM_DIR/resolve-modules.py" | cut -d' ' -f1
} | sha256sum | cut -c1-16)
out="$VGB_CACHE/guests/$kernel-$inputs_hash"
if [ -f "$out/info.json" ]; then
	vm_log "guest: $kernel ($kver) cached"
	echo "$out"
	exit 0
fi

# The kernel tree is extracted once per kernel version.
ktree="$VGB_CACHE/kernels/$kver"
if [ ! -f "$ktree.done" ]; then
	vm_log "guest: extracting $kver (about 30 s)"
	rm -rf "$ktree"; mkdir -p "$ktree"
	for d in "${debs[@]}"; do dpkg-deb -x "$d" "$ktree"; done
	moddir_rel=lib/modules/$kver
	[ -d "$ktree/usr/lib/modules/$kver" ] && moddir_rel=usr/lib/modules/$kver
	if [ "$moddir_rel" = "usr/lib/modules/$kver" ] && [ ! -e "$ktree/lib/modules" ]; then
		mkdir -p "$ktree/lib"; ln -s ../usr/lib/modules "$ktree/lib/modules"
	fi
	depmod -b "$ktree" "$kver" || vm_die "depmod failed for $kver"
	touch "$ktree.done"
fi
vmlinuz=$(find "$ktree/boot" "$ktree/usr/lib/modules/$kver" "$ktree/lib/modules/$kver" -maxdepth 1 -name 'vmlinuz*' 2>/dev/null | head -n1 || true)
[ -n "$vmlinuz" ] || vm_die "no vmlinuz in $kver packages"
moddir=$ktree/lib/modules/$kver

vm_log "guest: building initramfs for $kernel ($kver)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/modules" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
dpkg-deb -x "$busybox_deb" "$work/busybox"
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
cp "$VGB_VM_DIR/guest-init.sh" "$root/init"
cp "$agent" "$root/agent"
chmod 755 "$root/init" "$root/agent" "$root/bin/busybox"

# add_modules ORDER NAME...: the modules NAME need, decompressed, listed in load order.
add_modules() {
	local order=$1 rel src name
	shift
	: >"$root/modules/$order"
	"$VGB_VM_DIR/resolve-modules.py" "$moddir" "$@" >"$work/modules.list"
	while read -r rel; do
		src=$moddir/$rel
		name=$(basename "$rel"); name=${name%.xz}; name=${name%.zst}; name=${name%.gz}
		grep -qx "$name" "$root/modules/order" 2>/dev/null && continue
		case $rel in
		*.xz) xz -dc "$src" >"$root/modules/$name" ;;
		*.zst) zstd -qdc "$src" >"$root/modules/$name" ;;
		*.gz) gzip -dc "$src" >"$root/modules/$name" ;;
		*) cp "$src" "$root/modules/$name" ;;
		esac
		echo "$name" >>"$root/modules/$order"
	done <"$work/modules.list"
}
add_modules order virtio_pci virtio_gpu
[ -s "$root/modules/order" ] || vm_die "no virtio-gpu module found for $kver"
# 9p over virtio, loaded only when the guest mounts a userland from the host
# (the Vulkan agent's configurations).
add_modules order-9p 9pnet_virtio 9p

mkdir -p "$out.tmp"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$out.tmp/initrd.img"
cp "$vmlinuz" "$out.tmp/vmlinuz"
cat >"$out.tmp/info.json" <<JSON
{"kernel": "$kernel", "kernel_release": "$kver", "packages": "$(for d in "${debs[@]}"; do basename "$d"; done | tr '\n' ' ')", "modules": "$(tr '\n' ' ' <"$root/modules/order")", "modules_9p": "$(tr '\n' ' ' <"$root/modules/order-9p")"}
JSON
rm -rf "$out"; mv "$out.tmp" "$out"
vm_log "guest: $kernel ready ($(du -h "$out/initrd.img" | cut -f1) initramfs, modules: $(tr '\n' ' ' <"$root/modules/order"))"
echo "$out"
