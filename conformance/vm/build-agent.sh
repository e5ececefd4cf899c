#!/bin/bash
# build-agent.sh [ARCH] [AGENT]: builds an in-guest agent and prints its path;
# each is cached under a hash of its sources, the packages and the tools.
#
# AGENT agent (the default): the DRM agent for ARCH (amd64, the default, or
# arm64), static, against one suite's userland: forky's C library, Linux 7.2
# uapi headers and libdrm (libdrm-dev 2.4.13x has the virtio-gpu blob
# ioctls; bookworm's 2.4.114 does not), unpacked into a sysroot, and linked
# with libdrm.a. The host's compiler builds it: gcc, or Debian's cross
# compiler aarch64-linux-gnu-gcc for arm64.
#
# AGENT vk (amd64): the Vulkan agent, dynamically linked against the host's
# Vulkan loader and libdrm (the guest runs it inside forky's userland, which
# it mounts over 9p; it also runs on the host), its compute shaders compiled
# to SPIR-V with glslangValidator and built in. Its DRM requests take forky's
# libdrm headers from the sysroot, for the blob ioctls.
#
# AGENT selftest (amd64): the shared runner with agent/selftest's cases, which
# die, exit or hang after a step; built like the DRM agent, run on the host by
# agent/selftest/check_runner.py.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-amd64} agent=${2:-agent}
shared="$VGB_REPO/conformance/agent"
case $arch in
amd64) CC=${CC:-gcc}; triplet=x86_64-linux-gnu ;;
arm64) CC=aarch64-linux-gnu-gcc; triplet=aarch64-linux-gnu ;;
*) vm_die "usage: build-agent.sh [amd64|arm64] [agent|vk|selftest]" ;;
esac
case $agent in
agent) ;;
vk | selftest) [ "$arch" = amd64 ] || vm_die "the $agent agent is built for amd64 only" ;;
*) vm_die "usage: build-agent.sh [amd64|arm64] [agent|vk|selftest]" ;;
esac
command -v "$CC" >/dev/null || vm_die "$CC missing: run conformance/vm/setup-host.sh"

# Packages of another architecture come from its own apt root (SUITE:ARCH).
key=forky debs="$VGB_CACHE/debs/forky"
[ "$arch" = amd64 ] || { key=forky:$arch; debs="$VGB_CACHE/debs/forky-$arch"; }
suite_update "$key"
pkgs=()
for p in libc6-dev linux-libc-dev libdrm-dev; do pkgs+=("$(suite_download "$key" "$p" "$debs")"); done
libdrm_version=$(basename "${pkgs[2]}" | cut -d_ -f2)
sysroot="$VGB_CACHE/sysroot/forky-$arch-$( (echo r2; for d in "${pkgs[@]}"; do basename "$d"; done) | sha256sum | cut -c1-12)"
if [ ! -f "$sysroot.done" ]; then
	vm_log "agent: unpacking the $arch sysroot ($(for d in "${pkgs[@]}"; do basename "$d" .deb; done | tr '\n' ' '))"
	rm -rf "$sysroot"; mkdir -p "$sysroot"
	for d in "${pkgs[@]}"; do dpkg-deb -x "$d" "$sysroot"; done
	# <drm/...> is libdrm's copy of the uapi headers, so that no source can mix
	# the kernel's and libdrm's definitions of the same structures.
	rm -rf "$sysroot/usr/include/drm"
	ln -s libdrm "$sysroot/usr/include/drm"
	[ -f "$sysroot/usr/lib/$triplet/libdrm.a" ] || vm_die "no libdrm.a in $(basename "${pkgs[2]}")"
	# libdrm's headers alone, for a build against another C library.
	mkdir -p "$sysroot/libdrm-headers"
	cp "$sysroot"/usr/include/xf86drm*.h "$sysroot"/usr/include/libdrm/*.h "$sysroot/libdrm-headers/"
	touch "$sysroot.done"
fi

if [ "$agent" = agent ] || [ "$agent" = selftest ]; then
	src="$VGB_REPO/conformance/agent"
	sources=("$src"/*.c) name=vgb-agent-$arch
	[ "$agent" = agent ] || sources=("$src/selftest/main.c" "$src/runner.c" "$src/report.c" "$src/gpu.c" "$src/steps.c") \
		name=vgb-agent-selftest
	hash=$( (cat "${sources[@]}" "$src"/*.h "$0" "$VGB_REPO/ref/include/vgb/refctx.h"; echo "$sysroot"
		"$CC" --version | head -n1) | sha256sum | cut -c1-16)
	out="$VGB_CACHE/agent/$name-$hash"
	if [ ! -x "$out" ]; then
		vm_log "agent: compiling $name (static, $CC, libdrm $libdrm_version)"
		mkdir -p "$VGB_CACHE/agent"
		# Only the sysroot's headers and libraries: the compiler's own (cross) C
		# library would not match forky's libdrm.a.
		lib="$sysroot/usr/lib/$triplet"
		"$CC" -std=c11 -D_GNU_SOURCE -O2 -g0 -Wall -Wextra -Werror -static \
			-nostdinc -isystem "$("$CC" -print-file-name=include)" -isystem "$sysroot/usr/include/$triplet" \
			-isystem "$sysroot/usr/include" -isystem "$sysroot/usr/include/libdrm" -I"$VGB_REPO/ref/include" \
			--sysroot="$sysroot" -B"$lib" -L"$lib" -DAGENT_LIBDRM="\"$libdrm_version\"" \
			-o "$out.tmp" "${sources[@]}" -ldrm || vm_die "agent build failed"
		mv "$out.tmp" "$out"
	fi
	echo "$out"
	exit 0
fi

src="$VGB_REPO/conformance/vkagent"
command -v glslangValidator >/dev/null || vm_die "glslangValidator missing: run conformance/vm/setup-host.sh"
for h in /usr/include/vulkan/vulkan.h /usr/include/xf86drm.h; do
	[ -f "$h" ] || vm_die "$h missing (libvulkan-dev, libdrm-dev): run conformance/vm/setup-host.sh"
done
shared_src=("$shared/runner.c" "$shared/report.c" "$shared/gpu.c" "$shared/steps.c")
hash=$( (cat "$src"/*.c "$src"/*.h "$src"/shaders/* "${shared_src[@]}" "$shared"/*.h "$0"; echo "$sysroot"
	"$CC" --version | head -n1; glslangValidator --version | head -n1
	dpkg-query -W -f '${Version} ' libvulkan-dev libdrm-dev) | sha256sum | cut -c1-16)
out="$VGB_CACHE/agent/vgb-vk-agent-$hash"
if [ ! -x "$out" ]; then
	vm_log "vk agent: compiling shaders and the agent"
	mkdir -p "$VGB_CACHE/agent"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	for s in "$src"/shaders/*.comp; do
		name=$(basename "$s" .comp)
		glslangValidator -V --target-env vulkan1.1 --vn "${name}_spv" -o "$work/$name.spv.h" "$s" >"$work/glslang.log" ||
			{ cat "$work/glslang.log" >&2; vm_die "shader $name failed to compile"; }
	done
	"$CC" -std=c11 -D_GNU_SOURCE -O2 -g0 -Wall -Wextra -Werror -I"$sysroot/libdrm-headers" -I"$VGB_REPO/ref/include" \
		-I"$shared" -I"$work" -DAGENT_LIBDRM="\"$(dpkg-query -W -f '${Version}' libdrm-dev)\"" \
		-o "$out.tmp" "$src"/*.c "${shared_src[@]}" -lvulkan -ldrm || vm_die "vk agent build failed"
	mv "$out.tmp" "$out"
fi
echo "$out"
