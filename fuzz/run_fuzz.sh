#!/bin/sh
# Runs a libFuzzer harness for a bounded time (VGB_FUZZ_SECONDS, default 60),
# from a fixed seed so that a test run explores the same inputs every time
# (VGB_FUZZ_SEED, default 1; 0 draws one).
# Usage: run_fuzz.sh FUZZER SEED_DIR WORK_DIR
# New inputs go to WORK_DIR/corpus, crashes to WORK_DIR/crash-*.
set -eu
fuzzer=$1 seeds=$2 work=$3
mkdir -p "$work/corpus"
exec "$fuzzer" -seed="${VGB_FUZZ_SEED:-1}" -max_total_time="${VGB_FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$seeds"
