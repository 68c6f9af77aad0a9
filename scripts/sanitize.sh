#!/usr/bin/env bash
# The test suites under the sanitizers (issue 7, item 2), each in a build of its own:
#
#   scripts/sanitize.sh asan      libwinbackup.so + winbackupctl + the C++ conformance tests built
#                                 with AddressSanitizer (and libFuzzer's coverage, so scripts/fuzz.sh
#                                 shares the build), then `swift test --sanitize=address`
#   scripts/sanitize.sh tsan      the same with ThreadSanitizer and -DPTHREAD_LOCK (TSan cannot see
#                                 Synchronization.Mutex's futex slow path: Sources/BackupEngine/Util/Lock.swift)
#   scripts/sanitize.sh valgrind  the C examples (ds_backup, the Certadm and ESENT samples, step by
#                                 step as ctest runs them) under memcheck, against the release build:
#                                 no error, no definite or possible leak
#   scripts/sanitize.sh all
#
# Build directories (in the checkout, ignored by git): $WINBACKUP_SAN_BUILD (build-asan),
# $WINBACKUP_TSAN_BUILD (build-tsan), $WINBACKUP_CMAKE_BUILD (build-cmake, as scripts/test-all.sh)
# for valgrind; SwiftPM scratch paths .build-asan and .build-tsan. Set SKIP_SWIFT_TEST=1 to run only
# the C++ side. Exits non-zero on any report. scripts/test-all.sh (and so CI) runs asan, tsan and
# valgrind, and replays the fuzz corpus (scripts/fuzz.sh --replay) in the ASan build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
toolchain=$(dirname "$(readlink -f "$(command -v swiftc)")")
asan_build=${WINBACKUP_SAN_BUILD:-$root/build-asan}
tsan_build=${WINBACKUP_TSAN_BUILD:-$root/build-tsan}
release_build=${WINBACKUP_CMAKE_BUILD:-$root/build-cmake}
step() { printf '\n== %s\n' "$*"; }

configure() {   # configure DIR SWIFT_FLAGS C_FLAGS CXX_FLAGS [extra cmake args]
  local dir=$1 swift=$2 c=$3 cxx=$4; shift 4
  [ -f "$dir/CMakeCache.txt" ] && return 0
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$toolchain/clang" -DCMAKE_CXX_COMPILER="$toolchain/clang++" \
    -DCMAKE_Swift_FLAGS="$swift" -DCMAKE_C_FLAGS="$c" -DCMAKE_CXX_FLAGS="$cxx" \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld "$@" >/dev/null
}

configure_asan() {
  configure "${1:-$asan_build}" "-sanitize=address -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp" \
    "-fsanitize=address -fsanitize=fuzzer-no-link" "-fsanitize=address" -DWINBACKUP_FUZZ=ON
}

conformance() {   # conformance BUILD ENV...
  local dir=$1; shift
  ninja -C "$dir" winbackup winbackupctl conformance_tests
  env WINBACKUP_LIB="$dir/lib/libwinbackup.so" "$@" "$dir/bin/conformance_tests" --gtest_brief=1
}

run_asan() {
  step "ASan: C++ conformance tests against the ASan library"
  configure_asan
  conformance "$asan_build" ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    LSAN_OPTIONS=suppressions="$root/Tests/sanitizers/lsan.supp"
  if [ -z "${SKIP_SWIFT_TEST:-}" ]; then
    step "ASan: swift test"
    LSAN_OPTIONS=suppressions="$root/Tests/sanitizers/lsan.supp" \
      swift test --sanitize=address --scratch-path "$root/.build-asan"
  fi
}

run_tsan() {
  step "TSan (-DPTHREAD_LOCK): C++ conformance tests against the TSan library"
  # The toolchain's TSan runtime intercepts libdispatch: link its shared runtime, libdispatch and
  # BlocksRuntime (the toolchain's).
  local rt; rt=$(dirname "$(ls "$toolchain"/../lib/clang/*/lib/linux/libclang_rt.tsan-x86_64.so | head -1)")
  configure "$tsan_build" "-sanitize=thread -DPTHREAD_LOCK" "-fsanitize=thread -shared-libsan" "-fsanitize=thread -shared-libsan" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -Wl,-rpath,$rt -L$toolchain/../lib/swift/linux -Wl,-rpath,$toolchain/../lib/swift/linux -ldispatch -lBlocksRuntime"
  conformance "$tsan_build" TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
  if [ -z "${SKIP_SWIFT_TEST:-}" ]; then
    step "TSan (-DPTHREAD_LOCK): swift test"
    TSAN_OPTIONS="halt_on_error=1" swift test --sanitize=thread -Xswiftc -DPTHREAD_LOCK \
      --scratch-path "$root/.build-tsan"
  fi
}

run_valgrind() {
  command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
  step "valgrind memcheck: the C examples"
  [ -f "$release_build/CMakeCache.txt" ] || cmake -S "$root" -B "$release_build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$release_build" winbackup winbackupctl ds_backup certsrv_backup_end certsrv_backup certsrv_restore \
    esent_backup esent_restore
  local work; work=$(mktemp -d)
  # SAMPLES for the demo scripts: each sample run under memcheck. Exit code 99 marks a valgrind
  # finding (the scripts also run samples that must fail, so their own exit codes stay theirs).
  mkdir -p "$work/samples" "$work/logs"
  for s in certsrv_backup_end certsrv_backup certsrv_restore esent_backup esent_restore ds_backup; do
    cat >"$work/samples/$s" <<WRAP
#!/bin/sh
log="$work/logs/$s.\$\$.log"
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible --error-exitcode=99 \\
  --suppressions="$root/Tests/valgrind/swift-runtime.supp" --log-file="\$log" "$release_build/bin/$s" "\$@"
rc=\$?
[ \$rc -eq 99 ] && echo "$s \$*" >>"$work/findings"
exit \$rc
WRAP
    chmod +x "$work/samples/$s"
  done
  local env=(WINBACKUPCTL="$release_build/bin/winbackupctl" SAMPLES="$work/samples"
             LD_LIBRARY_PATH="$release_build/lib" WINBACKUP_LIB="$release_build/lib/libwinbackup.so")
  env "${env[@]}" WINBACKUP_ROOT="$work/ds" sh -c '
    "$WINBACKUPCTL" server create DC01 --role ntds --db-size 8M --logs 3 --log-size 256K >/dev/null &&
    "$WINBACKUPCTL" server write DC01 --transactions 50 >/dev/null' 
  env "${env[@]}" WINBACKUP_ROOT="$work/ds" NTDSBCLI_LIBRARY="$release_build/lib/libntdsbcli.so" \
    "$work/samples/ds_backup" DC01 "$work/ds/out" --truncate
  for step in setup backup_end backup_full backup_incremental restore_full restore_incremental start; do
    env "${env[@]}" WINBACKUP_ROOT="$work/certsrv" sh examples/certsrv_demo.sh $step >"$work/logs/certsrv_$step.out" 2>&1 \
      || { cat "$work/logs/certsrv_$step.out"; echo "certsrv_demo.sh $step failed"; exit 1; }
  done
  for step in setup backup_full backup_incremental restore_full restore_incremental; do
    env "${env[@]}" WINBACKUP_ROOT="$work/esent" sh examples/esent_demo.sh $step >"$work/logs/esent_$step.out" 2>&1 \
      || { cat "$work/logs/esent_$step.out"; echo "esent_demo.sh $step failed"; exit 1; }
  done
  local runs; runs=$(ls "$work/logs"/*.log | wc -l)
  if [ -s "$work/findings" ]; then
    echo "memcheck findings in:"; cat "$work/findings"; cat "$work/logs"/*.log; exit 1
  fi
  echo "memcheck: $runs runs of the C examples, no errors, no definite or possible leaks"
  rm -rf "$work"
}

case "${1:-all}" in
  configure-asan) configure_asan "${2:-}" ;;
  asan) run_asan ;;
  tsan) run_tsan ;;
  valgrind) run_valgrind ;;
  all) run_asan; run_tsan; run_valgrind ;;
  *) echo "usage: $0 {asan|tsan|valgrind|all}"; exit 2 ;;
esac
