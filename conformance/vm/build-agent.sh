#!/bin/bash
# Builds the static in-guest agent against the forky (Linux 7.2) uapi DRM
# headers: bookworm's libdrm header has no blob ioctls. Prints the binary's
# path; cached under a hash of the sources and the header package.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src="$VGB_REPO/conformance/agent"
CC=${CC:-gcc}
command -v "$CC" >/dev/null || vm_die "$CC missing: run conformance/vm/setup-host.sh"
uapi=$(agent_uapi_headers)
hash=$( (cat "$src"/*.c "$src"/*.h "$0" "$VGB_REPO/ref/include/vgb/refctx.h"; echo "$uapi"; "$CC" --version | head -n1) | sha256sum | cut -c1-16)
out="$VGB_CACHE/agent/vgb-agent-$hash"
if [ ! -x "$out" ]; then
	vm_log "agent: compiling (static)"
	mkdir -p "$VGB_CACHE/agent"
	"$CC" -std=c11 -D_GNU_SOURCE -O2 -g0 -Wall -Wextra -Werror -static -I"$uapi" -I"$VGB_REPO/ref/include" \
		-o "$out.tmp" "$src"/*.c || vm_die "agent build failed"
	mv "$out.tmp" "$out"
fi
echo "$out"
