#!/usr/bin/env bash
# Builds and runs the benchmark on a fresh machine and prints its tables.
# Usage: tools/bench.sh [vgb-bench options...]   (e.g. --runs 31, --no-qemu, --short)
# Writes build-bench/bench.json and, from it, build-bench/bench.svg.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools/setup.sh build interop
# A tree of its own with the project's default optimisation (-O2), and only the
# targets the benchmark runs, so that nothing else being built can hold it up.
[ -f build-bench/build.ninja ] || meson setup build-bench >/dev/null
ninja -C build-bench bench/vgb-bench bench/vgb-copy-alignment ref/host/vgb-host
out=build-bench/bench.json
build-bench/bench/vgb-bench --json "$out" "$@"
/usr/bin/python3 bench/check_results.py --partial "$out" >/dev/null
/usr/bin/python3 bench/plot_svg.py "$out" build-bench/bench.svg
echo "results: $out, plot: build-bench/bench.svg"
