#!/usr/bin/env bash
# Configures (once) and builds one build tree.
# Usage: tools/build.sh DIR [meson setup options...]
set -euo pipefail
dir=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@"
else
  meson setup --reconfigure "$dir" "$@" >/dev/null
fi
ninja -C "$dir"
