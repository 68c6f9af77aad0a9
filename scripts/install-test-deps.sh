#!/usr/bin/env bash
# Installs what the test suites need and a fresh Debian machine with the Swift toolchain lacks:
# cmake, ninja, GoogleTest, valgrind, pytest. Skips whatever is present; needs root (or sudo) to install.
set -euo pipefail

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v ninja >/dev/null 2>&1 || need+=(ninja-build)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
if [ ! -e /usr/lib/x86_64-linux-gnu/libgtest.a ] && [ ! -e /usr/lib/aarch64-linux-gnu/libgtest.a ] \
   && [ ! -e /usr/lib/libgtest.a ] && [ ! -e /usr/local/lib/libgtest.a ]; then
  need+=(libgtest-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! python3 -c 'import pytest' >/dev/null 2>&1; then
  echo "installing: pytest"
  python3 -m pip install -q pytest
fi
"$(dirname "$0")/fetch-ese-samples.sh"
