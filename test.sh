#!/usr/bin/env bash
# The test command. Installs what is missing, then:
#   1. gcc build + every meson test (unit, integration, interop, spec, conformance);
#   2. clang build with ASan+UBSan and the fuzzers: the same tests, plus bounded fuzzing;
#   3. the real-VM configurations (QEMU + Linux guests, our device behind QEMU);
# and prints one closing line counting every test.
set -uo pipefail
cd "$(dirname "$0")"
step() { printf '\n=== %s (%(%H:%M:%S)T)\n' "$*" -1; }

step "setup"
tools/setup.sh all || exit 1
status=0

step "gcc build and tests"
tools/build.sh build || exit 1
meson test -C build --print-errorlogs --num-processes 2 || status=1

step "clang ASan+UBSan build, tests and fuzzing"
CC=clang tools/build.sh build-san -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true || exit 1
meson test -C build-san --print-errorlogs --num-processes 2 || status=1

step "real-VM configurations"
VGB_HOST=build/ref/host/vgb-host VGB_VM_CONFIGS=${VGB_VM_CONFIGS:-all} \
  VGB_VM_RESULTS=build/vm-results.json \
  /usr/bin/python3 -m pytest conformance/pytest/test_vm.py conformance/pytest/test_renderer.py \
  conformance/pytest/test_vm_breaks.py -q -rs -p no:cacheprovider \
  --junitxml=build/vm-junit.xml || status=1

step "summary"
/usr/bin/python3 tools/test_summary.py --meson build build-san --junit build/vm-junit.xml || status=1
exit $status
