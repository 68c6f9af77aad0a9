#!/usr/bin/env bash
# The benchmark: DsBackupRead against a plain C read() loop, and the cost of a handle-validated
# call against a plain C handle check, in the same run (Tests/bench/bench_backup.c). Prints the
# figures and the ratios; it is a command, not a test.
#
#   scripts/bench.sh [--db-size 1G] [--runs N] [--calls N] [--keep]
#
# Builds bench_backup with CMake in Release, in $WB_BENCH_BUILD (default /tmp/wb-bench), then runs
# it with a new temporary WINBACKUP_ROOT (under $TMPDIR or /tmp; it needs room for the database,
# 1 GiB by default), deleted at the end unless --keep. To reuse a root, and the server BENCHDC
# already in it, across runs: WB_BENCH_ROOT=/some/folder scripts/bench.sh (never deleted).
# The arguments go to bench_backup unchanged.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${WB_BENCH_BUILD:-/tmp/wb-bench}

keep=0
for arg in "$@"; do
  [ "$arg" = "--keep" ] && keep=1
done

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C "$build" bench_backup >/dev/null

if [ -n "${WB_BENCH_ROOT:-}" ]; then
  mkdir -p "$WB_BENCH_ROOT"
  root=$WB_BENCH_ROOT
else
  root=$(mktemp -d "${TMPDIR:-/tmp}/wb-bench-root.XXXXXX")
  if [ "$keep" = 1 ]; then
    echo "keeping $root"
  else
    trap 'rm -rf "$root"' EXIT
  fi
fi

WINBACKUP_ROOT=$root "$build/bin/bench_backup" "$@"
