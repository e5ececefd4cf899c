#!/bin/bash
# Builds the forky chroot that holds QEMU 11.1 (x86-64 and aarch64 system
# emulators), virglrenderer 1.3, Mesa llvmpipe and Xvfb (about 2-5 minutes and
# 1 GB, once) and prints its path. The chroot lives in a directory named after
# the hash of its recipe, so a changed recipe builds a new chroot next to the
# old one; a stamp in it marks it finished.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "setup-forky.sh"
forky_lock

# The packages and the chroot's path: FORKY_PACKAGES and forky_root (lib.sh).
packages=("${FORKY_PACKAGES[@]}")
recipe_hash=$(forky_recipe_hash)
root=$(forky_root)
stamp="$root/.vgb-recipe"
log="$VGB_CACHE/forky-debootstrap-$recipe_hash.log"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$recipe_hash" ] && [ -x "$root/usr/bin/qemu-system-x86_64" ]; then
	vm_log "forky: chroot ready ($root)"
	echo "$root"
	exit 0
fi
command -v debootstrap >/dev/null || vm_die "debootstrap missing: run conformance/vm/setup-host.sh first"

# A half-built chroot may still have bind mounts: never rm -rf through them.
"$VGB_VM_DIR/chroot-mounts.sh" umount "$root" || vm_die "cannot unmount $root; remove it by hand"
rm -rf "$root"
mkdir -p "$root"

vm_log "forky: debootstrap (minbase) into $root; about 3 minutes"
# bookworm's debootstrap has no forky script; the sid one fits. It stops while
# configuring base packages (virtual packages); apt finishes that below.
debootstrap --variant=minbase forky "$root" "$DEBIAN_MIRROR" /usr/share/debootstrap/scripts/sid \
	>"$log" 2>&1 ||
	vm_log "forky: debootstrap stopped early (expected); finishing with apt (log: $log)"
[ -x "$root/usr/bin/apt-get" ] || vm_die "debootstrap produced no apt; see $log"

cat >"$root/etc/apt/apt.conf.d/90vgb" <<'CONF'
Acquire::Check-Valid-Until "false";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Options { "--force-confdef"; "--force-confold"; };
CONF
echo "deb $DEBIAN_MIRROR forky main" >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
trap '"$VGB_VM_DIR/chroot-mounts.sh" umount "$root"' EXIT
"$VGB_VM_DIR/chroot-mounts.sh" mount "$root"

vm_log "forky: finishing base packages"
in_root apt-get -q -y -f install >>"$log" 2>&1 || vm_die "apt-get -f install failed; see $log"
in_root apt-get -q -y update >>"$log" 2>&1
vm_log "forky: installing QEMU, virglrenderer, Mesa, Xvfb; about 2 minutes"
in_root apt-get -q -y install "${packages[@]}" >>"$log" 2>&1 ||
	vm_die "package install failed; see $log"
in_root apt-get -q -y clean
echo "$recipe_hash" >"$stamp"
vm_log "forky: $(in_root qemu-system-x86_64 --version | head -n1)"
echo "$root"
