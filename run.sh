#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the reference
# driver's self-check against the reference device on every path.
set -euo pipefail
cd "$(dirname "$0")"
tools/setup.sh build
tools/build.sh build >/dev/null
exec build/ref/guest/vgb-guest --self-check --backend build/ref/host/vgb-host "$@"
