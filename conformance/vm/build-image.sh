#!/bin/bash
# build-image.sh [--arch amd64|arm64] [--kernel NAME] OUTDIR: a guest any VMM
# can boot to check its virtio-gpu device: the kernel, the initramfs with the
# agent (build-guest.sh), image.json, and a README.md that gives the kernel
# arguments and QEMU command lines (conformance/vm/image-README.md).
# KERNEL is a build-guest.sh name; the default is Linux 7.2 of the
# architecture. Prints OUTDIR.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=amd64 kernel="" out=""
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	-*) vm_die "usage: build-image.sh [--arch amd64|arm64] [--kernel NAME] OUTDIR" ;;
	*) out=$1; shift ;;
	esac
done
[ -n "$out" ] || vm_die "usage: build-image.sh [--arch amd64|arm64] [--kernel NAME] OUTDIR"
# What differs between architectures: the emulator, the machine, the serial ports.
case $arch in
amd64)
	kernel=${kernel:-linux-7.2} qemu=qemu-system-x86_64 machine=q35 console=ttyS0 results=ttyS1
	machine_extra="-vga none" ;;
arm64)
	kernel=${kernel:-linux-7.2-arm64} qemu=qemu-system-aarch64 machine=virt console=ttyAMA0 results=ttyAMA1
	machine_extra="-cpu max,pauth-impdef=on" ;;
*) vm_die "unknown architecture $arch (amd64 or arm64)" ;;
esac

guest=$("$VGB_VM_DIR/build-guest.sh" "$kernel")
guest_arch=$(sed -n 's/.*"arch": "\([a-z0-9]*\)".*/\1/p' "$guest/info.json")
[ "${guest_arch:-amd64}" = "$arch" ] || vm_die "$kernel is a ${guest_arch} kernel, not $arch"
release=$(sed -n 's/.*"kernel_release": "\([^"]*\)".*/\1/p' "$guest/info.json")
# The case list is the same on every architecture: the host's build says it.
host_agent=$("$VGB_VM_DIR/build-agent.sh")
mapfile -t cases < <("$host_agent" --list)
read -r agent_version _ libdrm < <("$host_agent" --version)
kernel_args="console=$console vgb.results=/dev/$results panic=-1 loglevel=4"

mkdir -p "$out"
cp "$guest/vmlinuz" "$guest/initrd.img" "$out/"
{
	printf '{"arch": "%s", "kernel": "%s", "kernel_release": "%s", "agent_version": "%s", "libdrm": "%s",\n' \
		"$arch" "$kernel" "$release" "$agent_version" "$libdrm"
	printf ' "kernel_args": "%s", "console": "/dev/%s", "results": "/dev/%s",\n' "$kernel_args" "$console" "$results"
	printf ' "sha256": {"vmlinuz": "%s", "initrd.img": "%s"},\n' \
		"$(sha256sum "$out/vmlinuz" | cut -d' ' -f1)" "$(sha256sum "$out/initrd.img" | cut -d' ' -f1)"
	printf ' "cases": [%s]}\n' "$(printf '"%s", ' "${cases[@]}" | sed 's/, $//')"
} >"$out/image.json"
sed -e "s|@ARCH@|$arch|g" -e "s|@KERNEL_RELEASE@|$release|g" -e "s|@NCASES@|${#cases[@]}|g" \
	-e "s|@LIBDRM@|$libdrm|g" -e "s|@CONSOLE@|$console|g" -e "s|@RESULTS@|$results|g" \
	-e "s|@KERNEL_ARGS@|$kernel_args|g" -e "s|@QEMU@|$qemu|g" -e "s|@MACHINE@|$machine|g" \
	-e "s|@MACHINE_EXTRA@|$machine_extra|g" "$VGB_VM_DIR/image-README.md" >"$out/README.md"
vm_log "image: $out ($arch, Linux $release, ${#cases[@]} cases)"
echo "$out"
