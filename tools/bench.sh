#!/usr/bin/env bash
# Builds and runs the benchmark on a fresh machine and prints its tables.
# Usage: tools/bench.sh [--readme] [vgb-bench options...]   (e.g. --runs 31, --no-qemu, --zero-copy)
# Writes build-bench/bench.json and, from it, build-bench/bench.svg, and keeps
# every run as build-bench/runs/<start time>.json/.txt.  --readme also writes
# the README's results section from the newest run and the spread of the last
# three runs made with the same options (bench/readme_tables.py): run it three
# times on an idle machine and the README shows one run and the spread of three.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
readme=0
if [ "${1:-}" = --readme ]; then
	readme=1
	shift
fi
tools/setup.sh build interop
# A tree of its own with the project's default optimisation (-O2), and only the
# targets the benchmark runs, so that nothing else being built can hold it up.
[ -f build-bench/build.ninja ] || meson setup build-bench >/dev/null
ninja -C build-bench bench/vgb-bench bench/vgb-copy-alignment bench/vgb-copy-strategy ref/host/vgb-host
mkdir -p build-bench/runs
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=build-bench/runs/$stamp.json
build-bench/bench/vgb-bench --json "$out" "$@" | tee "build-bench/runs/$stamp.txt"
/usr/bin/python3 bench/check_results.py --partial "$out" >/dev/null
cp "$out" build-bench/bench.json
/usr/bin/python3 bench/plot_svg.py "$out" build-bench/bench.svg
echo "results: $out, plot: build-bench/bench.svg"
if [ $readme = 1 ]; then
	/usr/bin/python3 bench/readme_tables.py README.md build-bench/runs
	cp build-bench/bench.svg bench/performance.svg
fi
