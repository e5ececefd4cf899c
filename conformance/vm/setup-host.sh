#!/bin/bash
# Installs what the VM configurations need on the host: QEMU 10.0.2 from
# bookworm-backports (pinned so nothing else moves to backports) and the tools
# the guest builder and the forky chroot use. Idempotent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "setup-host.sh"

backports_list=/etc/apt/sources.list.d/vgb-bookworm-backports.list
backports_pin=/etc/apt/preferences.d/vgb-bookworm-backports
want_qemu=${VGB_BACKPORTS_QEMU:-1:10.0}

if [ ! -f "$backports_list" ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	vm_log "host: adding bookworm-backports to apt sources"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR bookworm-backports main" >"$backports_list"
fi
if [ ! -f "$backports_pin" ]; then
	# Only packages asked for with -t bookworm-backports (and their needs) come from there.
	printf 'Package: *\nPin: release n=bookworm-backports\nPin-Priority: 100\n' >"$backports_pin"
fi

qemu_version=$(dpkg-query -W -f '${Version}' qemu-system-x86 2>/dev/null || true)
missing=()
# libvulkan-dev and glslang-tools build the Vulkan agent (build-vk-agent.sh).
for p in debootstrap cpio kmod xz-utils zstd gcc libc6-dev python3 python3-pytest libvulkan-dev glslang-tools; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${qemu_version#"$want_qemu"}" = "$qemu_version" ] || [ ${#missing[@]} -gt 0 ]; then
	vm_log "host: apt-get update"
	"${APT_GET[@]}" update >/dev/null
fi
if [ ${#missing[@]} -gt 0 ]; then
	vm_log "host: installing ${missing[*]}"
	"${APT_GET[@]}" install --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${qemu_version#"$want_qemu"}" = "$qemu_version" ]; then
	vm_log "host: installing QEMU from bookworm-backports (was: ${qemu_version:-none}); about 1-2 minutes"
	"${APT_GET[@]}" install --no-install-recommends -t bookworm-backports \
		qemu-system-x86 qemu-system-gui >/dev/null
fi
vm_log "host: $(qemu-system-x86_64 --version | head -n1)"
