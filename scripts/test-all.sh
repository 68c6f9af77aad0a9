#!/usr/bin/env bash
# Runs every test suite: the source-list and export checks, Swift Testing (engine), the release
# library's export list and self-containment, and under CMake/ctest the header and ABI checks,
# the C++ conformance tests, the C example and the Python tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/install-test-deps.sh

step() { printf '\n== %s\n' "$*"; }

step "sources, exports and headers in step"
python3 scripts/check_sync.py

step "Swift Testing: the engine"
swift build --build-tests
swift test

step "release library: exactly the C API, self-contained"
scripts/build.sh
lib=.build/release/libwinbackup.so
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort)
expected=$(sed -n '/global:/,/local:/p' exports/winbackup.map | grep -o '[A-Za-z0-9_]*;' | tr -d ';' | sort)
if [ "$exported" != "$expected" ]; then
  echo "nm -D lists other symbols than exports/winbackup.map:"; diff <(echo "$expected") <(echo "$exported") || true; exit 1
fi
echo "nm -D --defined-only: $(echo "$exported" | wc -l) symbols, exactly the C API"
if ldd "$lib" | grep -q swift; then echo "libwinbackup.so needs the Swift runtime:"; ldd "$lib"; exit 1; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -o "$tmp/load" Tests/headers/load_check.c -ldl
env -i "$tmp/load" "$root/$lib"

step "the main job: winbackupctl demo (a DC, a CA and an ESE instance, backed up and restored)"
WINBACKUP_ROOT="$tmp/demo" .build/release/winbackupctl demo

step "SwiftPM build: include/ against the Swift signatures"
header=$(find .build/release/ .build/*/release/ -name WinBackup-Swift.h 2>/dev/null | head -1)
"$(dirname "$(readlink -f "$(command -v swiftc)")")/clang" -fsyntax-only -std=c11 -Werror -Iinclude \
  -ISources/CWinBackup/include -include "$header" Tests/headers/abi_check.c
echo "ok"

step "CMake build and ctest: headers, ABI, C++ conformance, C example, Python"
build=${WINBACKUP_CMAKE_BUILD:-$root/build-cmake}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build"
(cd "$build" && ctest --output-on-failure)

step "valgrind memcheck: the C examples, no error and no definite or possible leak"
WINBACKUP_CMAKE_BUILD="$build" scripts/sanitize.sh valgrind

if [ -n "${SKIP_SANITIZERS:-}" ]; then
  step "sanitizers skipped (SKIP_SANITIZERS is set)"
else
  # Each in a build of its own (build-asan, build-tsan, .build-asan, .build-tsan): about 20 minutes
  # on 2 cores. SKIP_SANITIZERS=1 leaves them out of a quick local run.
  scripts/sanitize.sh asan
  step "the fuzz corpus, replayed against the ASan library"
  scripts/fuzz.sh --replay
  scripts/sanitize.sh tsan
fi

step "all test suites passed"
