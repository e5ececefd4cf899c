#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (idempotent).
# Usage: tools/setup.sh [group...]   groups: build (default), docs, fuzz, interop, all
#   interop: QEMU 10.0.2 from bookworm-backports (pinned) for the vhost-user-gpu
#   backend and the real-VM configurations (conformance/vm/setup-host.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

declare -A groups=(
  [build]="gcc clang meson ninja-build pkg-config linux-libc-dev python3 python3-pytest"
  [docs]="asciidoctor ruby-asciidoctor-pdf graphviz"
  [fuzz]="clang libclang-rt-14-dev"
)

sel=("$@")
[ ${#sel[@]} -eq 0 ] && sel=(build)
[ "${sel[0]}" = all ] && sel=(build docs fuzz interop)

want=()
interop=0
for g in "${sel[@]}"; do
  if [ "$g" = interop ]; then interop=1; continue; fi
  [ -n "${groups[$g]:-}" ] || { echo "setup: unknown group '$g'" >&2; exit 2; }
  for p in ${groups[$g]}; do want+=("$p"); done
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -o DPkg::Lock::Timeout=600 \
    --no-install-recommends "${missing[@]}"
else
  echo "setup: packages present (${sel[*]})"
fi
if [ $interop -eq 1 ]; then
  $sudo "$root/conformance/vm/setup-host.sh"
fi
