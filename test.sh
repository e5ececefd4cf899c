#!/usr/bin/env bash
# The test command: installs what is missing, builds (gcc, and clang with
# ASan+UBSan), runs every test in both builds, then the conformance suite.
set -uo pipefail
cd "$(dirname "$0")"
tools/setup.sh all || exit 1
status=0
tools/build.sh build || exit 1
meson test -C build --print-errorlogs --num-processes 2 || status=1
CC=clang tools/build.sh build-san -Db_sanitize=address,undefined -Db_lundef=false || exit 1
meson test -C build-san --print-errorlogs --num-processes 2 || status=1
/usr/bin/python3 tools/test_summary.py build build-san || status=1
exit $status
