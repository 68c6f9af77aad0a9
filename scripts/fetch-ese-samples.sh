#!/usr/bin/env bash
# Real ESE databases for the tests that check winbackup streams and verifies them: the sample
# databases in the dissect.esedb source distribution on PyPI (4 KiB and 32 KiB pages, clean and
# dirty, one whose file runs past its owned space). They are fetched, never committed.
#   scripts/fetch-ese-samples.sh [DIR]     (default: .cache/ese-samples in the repository)
# Failing to fetch (no network) is not an error: the tests that need them say they were skipped.
set -uo pipefail
dir=${1:-$(cd "$(dirname "$0")/.." && pwd)/.cache/ese-samples}
[ -f "$dir/basic.edb" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! python3 -m pip download -q --no-deps --no-binary :all: dissect.esedb==3.18 -d "$tmp" >/dev/null 2>&1; then
  echo "fetch-ese-samples: could not download dissect.esedb 3.18; the real-database tests will be skipped"
  exit 0
fi
tar xzf "$tmp"/dissect_esedb-3.18.tar.gz -C "$tmp" || exit 0
mkdir -p "$dir"
for f in "$tmp"/dissect_esedb-3.18/tests/_data/*.gz; do
  gunzip -c "$f" > "$dir/$(basename "$f" .gz)"
done
echo "fetch-ese-samples: $(ls "$dir" | wc -l) sample databases in $dir"
