# Shared helpers for the VM scripts; sourced, never run.
# shellcheck shell=bash

VGB_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
VGB_REPO=$(cd "$VGB_VM_DIR/../.." && pwd)
VGB_CACHE=${VGB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/virtio-gpu-blob}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export DEBIAN_FRONTEND=noninteractive

vm_log() { printf '[vm %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
vm_die() { printf '[vm] error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" = 0 ] || vm_die "$1 needs root (apt-get, debootstrap, mounts)"
}

# Waits for other apt users instead of failing on a held lock.
# shellcheck disable=SC2034 # used by the scripts that source this file
APT_GET=(apt-get -y -q -o DPkg::Lock::Timeout=600)

# A private apt root that can only download packages from one suite; it never
# touches the host's package state. SUITE may name another architecture as
# SUITE:ARCH (forky:arm64), with an apt root of its own.
# Usage: suite_apt SUITE[:ARCH] <apt-get args...>
suite_apt() {
	local key=$1; shift
	suite_apt_tool apt-get "$key" "$@"
}

# apt-cache on a suite's private lists.
suite_cache() {
	local key=$1; shift
	suite_apt_tool apt-cache "$key" "$@"
}

suite_apt_tool() {
	local tool=$1 key=$2; shift 2
	local suite=${key%%:*} arch="" root opts=()
	[ "$suite" != "$key" ] && arch=${key#*:}
	root="$VGB_CACHE/apt-$suite${arch:+-$arch}"
	if [ ! -f "$root/sources.list" ]; then
		mkdir -p "$root/state/lists/partial" "$root/cache/archives/partial"
		echo "deb [${arch:+arch=$arch }signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR $suite main" \
			>"$root/sources.list"
	fi
	[ -n "$arch" ] && opts=(-o APT::Architecture="$arch" -o APT::Architectures::="$arch")
	"$tool" -q \
		-o Dir::Etc::SourceList="$root/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State="$root/state" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o Dir::Cache="$root/cache" \
		-o Acquire::Check-Valid-Until=false \
		-o APT::Sandbox::User=root \
		"${opts[@]}" \
		"$@"
}

# Refreshes a suite's private package lists at most once a day.
suite_update() {
	local key=$1 suite=${1%%:*} arch="" stamp
	[ "$suite" != "$key" ] && arch=${key#*:}
	stamp="$VGB_CACHE/apt-$suite${arch:+-$arch}/updated"
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		vm_log "apt: refreshing $key package lists"
		suite_apt "$key" update >/dev/null || vm_die "apt-get update for $key failed"
		touch "$stamp"
	fi
}

# Newest package name matching an extended regex in a suite (version-sorted).
suite_latest_name() {
	suite_cache "$1" pkgnames | grep -E "^$2\$" | sort -V | tail -n1
}

# Downloads one package of a suite into DIR (cached by file name) and prints its path.
suite_download() {
	local suite=$1 pkg=$2 dir=$3 f
	mkdir -p "$dir"
	f=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
	if [ -z "$f" ]; then
		vm_log "apt: downloading $pkg ($suite)"
		(cd "$dir" && suite_apt "$suite" download "$pkg" >/dev/null) || vm_die "download of $pkg from $suite failed"
		f=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
	fi
	echo "$f"
}

# The forky chroot's packages. The chroot lives in a directory named after the
# hash of this recipe (setup-forky.sh builds it), so a changed recipe gets a
# chroot of its own next to the old one. Bump FORKY_RECIPE_VERSION when the
# way the chroot is made changes.
# shellcheck disable=SC2034 # used by setup-forky.sh
FORKY_PACKAGES=(qemu-system-x86 qemu-system-arm qemu-system-gui qemu-system-modules-opengl qemu-utils
	libvirglrenderer1 virgl-server libgl1-mesa-dri libegl1 libgles2 mesa-vulkan-drivers
	xvfb xauth x11-apps ca-certificates)
FORKY_RECIPE_VERSION=1
forky_recipe_hash() { echo "$FORKY_RECIPE_VERSION ${FORKY_PACKAGES[*]}" | sha256sum | cut -c1-16; }
forky_root() { echo "$VGB_CACHE/forky-root-$(forky_recipe_hash)"; }

# Serializes users of the forky chroot (set-up, runs, repros): bind mounts
# are made and undone by whoever holds this lock. Holds it until exit.
forky_lock() {
	mkdir -p "$VGB_CACHE"
	exec 9>"$VGB_CACHE/forky-root.lock"
	flock 9
}
