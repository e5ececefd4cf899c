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
# touches the host's package state. Usage: suite_apt SUITE <apt-get args...>
suite_apt() {
	local suite=$1; shift
	local root="$VGB_CACHE/apt-$suite"
	if [ ! -f "$root/sources.list" ]; then
		mkdir -p "$root/state/lists/partial" "$root/cache/archives/partial"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR $suite main" \
			>"$root/sources.list"
	fi
	apt-get -q \
		-o Dir::Etc::SourceList="$root/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State="$root/state" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o Dir::Cache="$root/cache" \
		-o Acquire::Check-Valid-Until=false \
		-o APT::Sandbox::User=root \
		"$@"
}

# Refreshes a suite's private package lists at most once a day.
suite_update() {
	local suite=$1 stamp="$VGB_CACHE/apt-$1/updated"
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		vm_log "apt: refreshing $suite package lists"
		suite_apt "$suite" update >/dev/null || vm_die "apt-get update for $suite failed"
		touch "$stamp"
	fi
}

# apt-cache on a suite's private lists.
suite_cache() {
	local suite=$1; shift
	local root="$VGB_CACHE/apt-$suite"
	apt-cache \
		-o Dir::Etc::SourceList="$root/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State="$root/state" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o Dir::Cache="$root/cache" \
		"$@"
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

# Serializes users of the forky chroot (set-up, runs, repros): bind mounts
# are made and undone by whoever holds this lock. Holds it until exit.
forky_lock() {
	mkdir -p "$VGB_CACHE"
	exec 9>"$VGB_CACHE/forky-root.lock"
	flock 9
}

# The Linux 7.2 uapi DRM headers (forky's linux-libc-dev) the agents build
# against: bookworm's libdrm header has no blob ioctls. Prints the include dir.
agent_uapi_headers() {
	suite_update forky
	local libc_dev uapi tmp
	libc_dev=$(suite_download forky linux-libc-dev "$VGB_CACHE/debs/forky")
	uapi="$VGB_CACHE/uapi/$(basename "$libc_dev" .deb)"
	if [ ! -f "$uapi/include/linux/bits.h" ]; then
		vm_log "agent: extracting uapi headers from $(basename "$libc_dev")"
		tmp=$(mktemp -d)
		dpkg-deb -x "$libc_dev" "$tmp"
		# Only drm/ (and linux/bits.h): the rest of linux/ and asm/ stay the host's, matching its C library.
		mkdir -p "$uapi/include"
		rm -rf "$uapi/include/drm"
		cp -r "$tmp/usr/include/drm" "$uapi/include/drm"
		# drm_mode.h needs linux/bits.h, which bookworm's headers lack.
		mkdir -p "$uapi/include/linux"
		cp "$tmp/usr/include/linux/bits.h" "$uapi/include/linux/bits.h"
		rm -rf "$tmp"
	fi
	echo "$uapi/include"
}
