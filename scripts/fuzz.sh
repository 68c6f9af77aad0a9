#!/usr/bin/env bash
# Builds the libFuzzer target over the C ABI (Tests/fuzz/fuzz_cabi.cpp) against a libwinbackup.so
# compiled with AddressSanitizer and libFuzzer's coverage instrumentation, runs it from the
# committed seed corpus for SECONDS (default 60), and prints execs/s, coverage and corpus size.
#
#   scripts/fuzz.sh [SECONDS]          build dir: $WINBACKUP_SAN_BUILD (default build-asan in the
#                                      checkout), shared with scripts/sanitize.sh asan
#   scripts/fuzz.sh --replay           runs every input of the committed corpus once (no mutation:
#                                      the same result every time, for CI); fails on any finding
#   FUZZ_JOBS=1 FUZZ_ARGS="-max_len=2048" scripts/fuzz.sh 600
#
# Findings: crash-*/timeout-* files in $FUZZ_OUT (default <build>/fuzz-out); replay one with
# `<build>/bin/fuzz_cabi FILE`. New corpus entries go to $FUZZ_OUT/corpus, not to the repository;
# `<build>/bin/fuzz_cabi -merge=1 Tests/fuzz/corpus $FUZZ_OUT/corpus` adds the useful ones.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}
build=${WINBACKUP_SAN_BUILD:-$root/build-asan}
out=${FUZZ_OUT:-$build/fuzz-out}

scripts/sanitize.sh configure-asan "$build"
ninja -C "$build" fuzz_cabi

if [ "$seconds" = "--replay" ]; then
  mkdir -p "$out/replay"
  log=$out/replay.log
  if (cd "$out/replay" && ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$build/bin/fuzz_cabi" -runs=0 -max_len=1024 \
        "$root/Tests/fuzz/corpus" >"$log" 2>&1); then
    echo "fuzz_cabi replayed $(ls Tests/fuzz/corpus | wc -l) corpus inputs: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | grep -o 'cov: [0-9]*'), no findings"
    exit 0
  fi
  grep -E 'INVARIANT FAILED|ERROR: AddressSanitizer|SUMMARY|Running:' "$log" | tail -5 || true
  echo "fuzz_cabi failed on a corpus input; log: $log"; exit 1
fi

mkdir -p "$out/corpus"
log=$out/fuzz.log
echo "fuzzing for ${seconds}s; log: $log"
set +e
(cd "$out" && ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$build/bin/fuzz_cabi" \
  -max_total_time="$seconds" -print_final_stats=1 -max_len=1024 ${FUZZ_ARGS:-} \
  "$out/corpus" "$root/Tests/fuzz/corpus" >"$log" 2>&1)
rc=$?
set -e
last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
echo "last status: $last"
echo "executions: ${execs:-?}  execs/s: ${rate:-?}  cov: $(echo "$last" | grep -o 'cov: [0-9]*' | cut -d' ' -f2)  ft: $(echo "$last" | grep -o 'ft: [0-9]*' | cut -d' ' -f2)  corpus: $(echo "$last" | grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' | cut -d' ' -f2) (seed: $(ls Tests/fuzz/corpus | wc -l) files)"
if [ $rc -ne 0 ]; then
  grep -E 'INVARIANT FAILED|ERROR: AddressSanitizer|SUMMARY' "$log" | head -5 || true
  echo "fuzz_cabi found a problem (exit $rc); the input is in $out (crash-*)"; exit $rc
fi
echo "no findings"
