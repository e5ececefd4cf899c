#!/usr/bin/env bash
# The main job. Installs what is missing and builds, then:
#   1. the reference driver's self-check against the reference device, one line per path
#      (mapped host blob, guest blob + transfers, 2D copy);
#   2. the conformance suite against the reference device in each configuration and
#      against QEMU's vhost-user-gpu backend, and prints where the HTML report is.
# Extra arguments go to vgb-guest's self-check (e.g. --path mapped).
set -uo pipefail
cd "$(dirname "$0")"
tools/setup.sh build docs interop || exit 1
tools/build.sh build >/dev/null || exit 1
status=0
echo "=== self-check of the reference driver against the reference device"
build/ref/guest/vgb-guest --self-check --backend build/ref/host/vgb-host "$@" || status=1
echo "=== conformance suite"
/usr/bin/python3 conformance/runner/run_all.py --build build || status=1
exit $status
