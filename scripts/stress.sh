#!/usr/bin/env bash
# The stress test (docs/HARDENING.md "Stress"): worker threads backing up (A or W exports, CertSrv
# incrementals after full backups), ending early and restoring, a writer per server and a chaos
# thread stealing and faking handles, for SECONDS (default 300); then every server's consistency
# check and the restores of the completed backups. Prints the figures; exits 1 on any unexpected
# result.
#
#   scripts/stress.sh [SECONDS] [more stress options: --threads N --servers M --processes P
#                     --seed X --keep ...]
#
# --processes P (default 1) runs the thread mix in P processes at once against the same servers
# (each with its own spares), after a probe process that must find every server's backup held by
# the parent; the parent adds up their figures and runs the consistency checks once they exited.
#
# Builds the `stress` target with CMake in Release, in $WB_STRESS_BUILD (default /tmp/wb-stress);
# each run makes its own temporary WINBACKUP_ROOT under /tmp, deleted when the run passes.
# The ctest entries are `stress` (20 seconds, one process) and `stress_processes` (15 seconds,
# --processes 2 --threads 3).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${WB_STRESS_BUILD:-/tmp/wb-stress}

seconds=300
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  seconds=$1
  shift
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C "$build" stress >/dev/null

exec "$build/bin/stress" --seconds "$seconds" --threads "${WB_STRESS_THREADS:-4}" --servers "${WB_STRESS_SERVERS:-6}" "$@"
