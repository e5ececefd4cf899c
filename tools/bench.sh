#!/usr/bin/env bash
# Builds and runs the benchmark on a fresh machine and prints its table.
# Usage: tools/bench.sh [vgb-bench options...]   (e.g. --short, --runs 21, --no-qemu)
# Writes build-bench/bench.json and, from it, build-bench/bench.svg.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools/setup.sh build interop
# A build tree of its own (the project default, -O2), so other trees do not interfere.
tools/build.sh build-bench >/dev/null
out=build-bench/bench.json
build-bench/bench/vgb-bench --json "$out" "$@"
/usr/bin/python3 bench/check_results.py "$out" >/dev/null
/usr/bin/python3 bench/plot_svg.py "$out" build-bench/bench.svg
echo "results: $out, plot: build-bench/bench.svg"
