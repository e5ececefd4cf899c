#!/bin/bash
# build-agent.sh [ARCH]: builds the static in-guest agent for ARCH (amd64, the
# default, or arm64) against one suite's userland: forky's C library, Linux 7.2
# uapi headers and libdrm (libdrm-dev 2.4.13x has the virtio-gpu blob ioctls;
# bookworm's 2.4.114 does not), unpacked into a sysroot, and linked with
# libdrm.a. The host's compiler builds it: gcc, or Debian's cross compiler
# aarch64-linux-gnu-gcc for arm64. Prints the binary's path; cached under a
# hash of the sources, the packages and the compiler.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-amd64}
src="$VGB_REPO/conformance/agent"
case $arch in
amd64) CC=${CC:-gcc}; triplet=x86_64-linux-gnu ;;
arm64) CC=aarch64-linux-gnu-gcc; triplet=aarch64-linux-gnu ;;
*) vm_die "usage: build-agent.sh [amd64|arm64]" ;;
esac
command -v "$CC" >/dev/null || vm_die "$CC missing: run conformance/vm/setup-host.sh"

# Packages of another architecture come from its own apt root (SUITE:ARCH).
key=forky debs="$VGB_CACHE/debs/forky"
[ "$arch" = amd64 ] || { key=forky:$arch; debs="$VGB_CACHE/debs/forky-$arch"; }
suite_update "$key"
pkgs=()
for p in libc6-dev linux-libc-dev libdrm-dev; do pkgs+=("$(suite_download "$key" "$p" "$debs")"); done
sysroot="$VGB_CACHE/sysroot/forky-$arch-$(for d in "${pkgs[@]}"; do basename "$d"; done | sha256sum | cut -c1-12)"
if [ ! -f "$sysroot.done" ]; then
	vm_log "agent: unpacking the $arch sysroot ($(for d in "${pkgs[@]}"; do basename "$d" .deb; done | tr '\n' ' '))"
	rm -rf "$sysroot"; mkdir -p "$sysroot"
	for d in "${pkgs[@]}"; do dpkg-deb -x "$d" "$sysroot"; done
	# <drm/...> is libdrm's copy of the uapi headers, so that no source can mix
	# the kernel's and libdrm's definitions of the same structures.
	rm -rf "$sysroot/usr/include/drm"
	ln -s libdrm "$sysroot/usr/include/drm"
	[ -f "$sysroot/usr/lib/$triplet/libdrm.a" ] || vm_die "no libdrm.a in $(basename "${pkgs[2]}")"
	touch "$sysroot.done"
fi

hash=$( (cat "$src"/*.c "$src"/*.h "$0" "$VGB_REPO/ref/include/vgb/refctx.h"; echo "$sysroot"; "$CC" --version | head -n1) |
	sha256sum | cut -c1-16)
out="$VGB_CACHE/agent/vgb-agent-$arch-$hash"
if [ ! -x "$out" ]; then
	libdrm_version=$(basename "${pkgs[2]}" | cut -d_ -f2)
	vm_log "agent: compiling for $arch (static, $CC, libdrm $libdrm_version)"
	mkdir -p "$VGB_CACHE/agent"
	# Only the sysroot's headers and libraries: the compiler's own (cross) C
	# library would not match forky's libdrm.a.
	lib="$sysroot/usr/lib/$triplet"
	"$CC" -std=c11 -D_GNU_SOURCE -O2 -g0 -Wall -Wextra -Werror -static \
		-nostdinc -isystem "$("$CC" -print-file-name=include)" -isystem "$sysroot/usr/include/$triplet" \
		-isystem "$sysroot/usr/include" -isystem "$sysroot/usr/include/libdrm" -I"$VGB_REPO/ref/include" \
		--sysroot="$sysroot" -B"$lib" -L"$lib" -DAGENT_LIBDRM="\"$libdrm_version\"" \
		-o "$out.tmp" "$src"/*.c -ldrm || vm_die "agent build failed"
	mv "$out.tmp" "$out"
fi
echo "$out"
