#!/bin/bash
# Builds the in-guest Vulkan agent: dynamically linked against Debian's Vulkan
# loader (the guest runs it inside forky's userland, which it mounts over 9p),
# its compute shaders compiled to SPIR-V with glslangValidator and built in.
# Shares the runner, reporting and DRM helpers of the agent. Prints the
# binary's path; cached under a hash of the sources and the tools.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src="$VGB_REPO/conformance/vkagent"
shared="$VGB_REPO/conformance/agent"
CC=${CC:-gcc}
for t in "$CC" glslangValidator; do
	command -v "$t" >/dev/null || vm_die "$t missing: run conformance/vm/setup-host.sh"
done
[ -f /usr/include/vulkan/vulkan.h ] || vm_die "Vulkan headers missing (libvulkan-dev): run conformance/vm/setup-host.sh"
uapi=$(agent_uapi_headers)
shared_src=("$shared/runner.c" "$shared/report.c" "$shared/gpu.c")
hash=$( (cat "$src"/*.c "$src"/*.h "$src"/shaders/* "${shared_src[@]}" "$shared"/*.h "$0"; echo "$uapi"
	"$CC" --version | head -n1; glslangValidator --version | head -n1
	dpkg-query -W -f '${Version}' libvulkan-dev) | sha256sum | cut -c1-16)
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
	"$CC" -std=c11 -D_GNU_SOURCE -O2 -g0 -Wall -Wextra -Werror -I"$uapi" -I"$VGB_REPO/ref/include" \
		-I"$shared" -I"$work" -o "$out.tmp" "$src"/*.c "${shared_src[@]}" -lvulkan || vm_die "vk agent build failed"
	mv "$out.tmp" "$out"
fi
echo "$out"
