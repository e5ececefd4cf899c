#!/bin/bash
# build-agent.sh [amd64|arm64]: builds the static in-guest agent for the
# guest's architecture against the forky (Linux 7.2) uapi DRM headers:
# bookworm's libdrm header has no blob ioctls. arm64 is cross-built with
# Debian's aarch64 toolchain (gcc-aarch64-linux-gnu, set up by setup-host.sh).
# Prints the binary's path; cached under a hash of the sources, the header
# package and the compiler.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-amd64}
src="$VGB_REPO/conformance/agent"
case $arch in
amd64) CC=${CC:-gcc} ;;
arm64) CC=aarch64-linux-gnu-gcc ;;
*) vm_die "usage: build-agent.sh [amd64|arm64]" ;;
esac
command -v "$CC" >/dev/null || vm_die "$CC missing: run conformance/vm/setup-host.sh"
uapi=$(agent_uapi_headers)
hash=$( (cat "$src"/*.c "$src"/*.h "$0" "$VGB_REPO/ref/include/vgb/refctx.h"; echo "$uapi"; "$CC" --version | head -n1) | sha256sum | cut -c1-16)
# amd64 keeps the name it always had, so existing guests stay cached.
out="$VGB_CACHE/agent/vgb-agent-$hash"
[ "$arch" = amd64 ] || out="$VGB_CACHE/agent/vgb-agent-$arch-$hash"
if [ ! -x "$out" ]; then
	vm_log "agent: compiling for $arch (static, $CC)"
	mkdir -p "$VGB_CACHE/agent"
	"$CC" -std=c11 -D_GNU_SOURCE -O2 -g0 -Wall -Wextra -Werror -static -I"$uapi" -I"$VGB_REPO/ref/include" \
		-o "$out.tmp" "$src"/*.c || vm_die "agent build failed"
	mv "$out.tmp" "$out"
fi
echo "$out"
