#!/bin/bash
# pack.sh BUILD OUT.tar.xz: everything the in-guest upload benchmark needs on a
# machine with /dev/kvm and nothing installed, in one compressed archive:
#   qemu/     forky's qemu-system-x86_64 (from the forky chroot the VM stack
#             builds) with its shared libraries, its own ld-linux, the
#             virtio-gpu modules and the firmware it loads; run as
#             qemu/run-qemu ARGS (ld-linux-x86-64.so.2 --library-path ...)
#   guest/    a Linux 7.2 kernel and an initramfs: the virtio-gpu modules and
#             vgb-guest-upload (bench/kvm/guest_upload.c), run by /init
#   host/     vgb-host, vgb-bench, vgb-copy-strategy from BUILD (bookworm's
#             glibc is older than any current distribution's), and QEMU's
#             vhost-user-gpu with the libraries it needs beyond the C library
#   run.sh    bench/kvm/run.sh, which runs it all (see there)
# Needs root (the chroot), the VM caches (conformance/vm/setup-*.sh) and BUILD
# built with vgb-host, vgb-bench and vgb-copy-strategy.
set -euo pipefail
. "$(dirname "$0")/../../conformance/vm/lib.sh"
build=$(cd "${1:?usage: pack.sh BUILD OUT.tar.xz}" && pwd)
out=${2:?usage: pack.sh BUILD OUT.tar.xz}
need_root "pack.sh"
kvm_dir="$VGB_REPO/bench/kvm"
root=$(forky_root)
[ -x "$root/usr/bin/qemu-system-x86_64" ] || vm_die "no forky chroot: run conformance/vm/setup-forky.sh"
for b in ref/host/vgb-host bench/vgb-bench bench/vgb-copy-strategy; do
	[ -x "$build/$b" ] || vm_die "$build/$b is not built"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pack=$work/vgb-kvm
mkdir -p "$pack/qemu/lib" "$pack/qemu/modules" "$pack/qemu/firmware" "$pack/guest" "$pack/host/lib"

# --- QEMU: the binary, every library the chroot's loader resolves for it and
# for the non-GL virtio-gpu modules, and the chroot's own loader.
copy_libs() { # copy_libs DEST ELF...: the libraries ldd resolves inside the chroot
	local dest=$1; shift
	for elf in "$@"; do
		chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin ldd "$elf" | awk '/=> \//{print $3}'
	done | sort -u | while read -r lib; do
		cp -L "$root$lib" "$dest/"
	done
}
qemu_modules=(hw-display-virtio-gpu.so hw-display-virtio-gpu-pci.so)
cp "$root/usr/bin/qemu-system-x86_64" "$pack/qemu/"
for m in "${qemu_modules[@]}"; do cp "$root/usr/lib/x86_64-linux-gnu/qemu/$m" "$pack/qemu/modules/"; done
copy_libs "$pack/qemu/lib" /usr/bin/qemu-system-x86_64 \
	"${qemu_modules[@]/#//usr/lib/x86_64-linux-gnu/qemu/}"
cp -L "$root/lib64/ld-linux-x86-64.so.2" "$pack/qemu/"
for f in seabios/bios-256k.bin qemu/kvmvapic.bin qemu/linuxboot_dma.bin qemu/pvh.bin qemu/vgabios-stdvga.bin; do
	[ -e "$root/usr/share/$f" ] && cp -L "$root/usr/share/$f" "$pack/qemu/firmware/"
done
qemu_version=$(chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin qemu-system-x86_64 --version | head -n1)
cat >"$pack/qemu/run-qemu" <<'SH'
#!/bin/sh
# forky's QEMU with its own loader and libraries, on any x86-64 Linux.
d=$(cd "$(dirname "$0")" && pwd)
QEMU_MODULE_DIR=$d/modules exec "$d/ld-linux-x86-64.so.2" --library-path "$d/lib" "$d/qemu-system-x86_64" -L "$d/firmware" "$@"
SH
chmod +x "$pack/qemu/run-qemu"
echo "$qemu_version" >"$pack/qemu/VERSION"

# --- the guest: kernel, modules, busybox, the benchmark.
suite_update forky
suite_update bookworm
image_pkg=$(suite_latest_name forky 'linux-binary-7\.2\.[0-9]+\+deb[0-9]+-amd64')
[ -n "$image_pkg" ] || vm_die "no Linux 7.2 in forky"
kver=${image_pkg#linux-binary-}
ktree="$VGB_CACHE/kernels/$kver"
[ -f "$ktree.done" ] || "$VGB_REPO/conformance/vm/build-guest.sh" linux-7.2 >/dev/null
[ -f "$ktree.done" ] || vm_die "kernel tree $ktree missing"
vmlinuz=$(find "$ktree/boot" "$ktree/usr/lib/modules/$kver" -maxdepth 1 -name 'vmlinuz*' 2>/dev/null | head -n1 || true)
cp "$vmlinuz" "$pack/guest/vmlinuz"
# The kernel itself (ELF with a PVH entry), booted without the bzImage decompressor: under
# nested KVM the decompressor stopped with "KVM internal error ... emulation failure".
/usr/bin/python3 - "$vmlinuz" "$pack/guest/vmlinux" <<'PY'
import subprocess, sys
data = open(sys.argv[1], "rb").read()
at = data.find(b"\x28\xb5\x2f\xfd")  # the zstd frame of the payload
with open(sys.argv[2], "wb") as f:
    subprocess.run(["zstd", "-qdc"], input=data[at:], stdout=f, check=False)
PY
head -c 4 "$pack/guest/vmlinux" | grep -q ELF || vm_die "no ELF kernel inside $vmlinuz"
libc_dev=$(suite_download forky linux-libc-dev "$VGB_CACHE/debs/forky")
uapi="$VGB_CACHE/uapi/$(basename "$libc_dev" .deb)"
[ -f "$uapi/include/linux/bits.h" ] || "$VGB_REPO/conformance/vm/build-agent.sh" >/dev/null
busybox_deb=$(suite_download bookworm busybox-static "$VGB_CACHE/debs/bookworm")

groot=$work/initramfs
mkdir -p "$groot/bin" "$groot/modules" "$groot/proc" "$groot/sys" "$groot/dev" "$groot/tmp"
dpkg-deb -x "$busybox_deb" "$work/busybox"
cp "$work/busybox/bin/busybox" "$groot/bin/busybox"
cp "$kvm_dir/guest-init.sh" "$groot/init"
${CC:-gcc} -std=c11 -D_GNU_SOURCE -O2 -g0 -Wall -Wextra -Werror -static -I"$uapi/include" -I"$VGB_REPO/ref/include" \
	-o "$groot/upload" "$kvm_dir/guest_upload.c" "$VGB_REPO/conformance/agent/gpu.c"
chmod 755 "$groot/init" "$groot/upload" "$groot/bin/busybox"
moddir=$ktree/lib/modules/$kver
"$VGB_REPO/conformance/vm/resolve-modules.py" "$moddir" virtio_pci virtio_gpu >"$work/modules.list"
: >"$groot/modules/order"
while read -r rel; do
	name=$(basename "$rel"); name=${name%.xz}; name=${name%.zst}
	case $rel in
	*.xz) xz -dc "$moddir/$rel" >"$groot/modules/$name" ;;
	*.zst) zstd -qdc "$moddir/$rel" >"$groot/modules/$name" ;;
	*) cp "$moddir/$rel" "$groot/modules/$name" ;;
	esac
	echo "$name" >>"$groot/modules/order"
done <"$work/modules.list"
(cd "$groot" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) >"$pack/guest/initrd.img"
echo "$kver" >"$pack/guest/VERSION"

# --- the host side: our programs (C library only) and QEMU's vhost-user-gpu.
cp "$build/ref/host/vgb-host" "$build/bench/vgb-bench" "$build/bench/vgb-copy-strategy" "$pack/host/"
strip "$pack/host/vgb-host" "$pack/host/vgb-bench" "$pack/host/vgb-copy-strategy"
if [ -x /usr/lib/qemu/vhost-user-gpu ]; then
	cp /usr/lib/qemu/vhost-user-gpu "$pack/host/"
	ldd /usr/lib/qemu/vhost-user-gpu | awk '/=> \//{print $3}' |
		grep -v -E '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' |
		while read -r lib; do cp -L "$lib" "$pack/host/lib/"; done
	dpkg-query -W -f='${Version}\n' qemu-system-gui >"$pack/host/VHOST_USER_GPU_VERSION" 2>/dev/null || true
fi
cp "$kvm_dir/run.sh" "$pack/run.sh"
git -C "$VGB_REPO" rev-parse --short HEAD >"$pack/COMMIT" 2>/dev/null || true

mkdir -p "$(dirname "$out")"
tar -C "$work" -cf - vgb-kvm | xz -9 -T2 >"$out"
vm_log "kvm bundle: $out ($(du -h "$out" | cut -f1)); $qemu_version; Linux $kver"
