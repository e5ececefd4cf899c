#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (idempotent).
# Usage: tools/setup.sh [group...]   groups: build (default), docs, interop, fuzz, all
set -euo pipefail

declare -A groups=(
  [build]="gcc clang meson ninja-build pkg-config linux-libc-dev python3 python3-pytest"
  [docs]="asciidoctor ruby-asciidoctor-pdf graphviz"
  [fuzz]="clang libclang-rt-14-dev"
  [interop]="qemu-system-gui"
)

want=()
sel=("$@")
[ ${#sel[@]} -eq 0 ] && sel=(build)
[ "${sel[0]}" = all ] && sel=(build docs fuzz interop)
for g in "${sel[@]}"; do
  [ -n "${groups[$g]:-}" ] || { echo "setup: unknown group '$g'" >&2; exit 2; }
  for p in ${groups[$g]}; do want+=("$p"); done
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present (${sel[*]})"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
