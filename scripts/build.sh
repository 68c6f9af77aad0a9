#!/usr/bin/env bash
# swift build -c release, plus the Windows DLL names beside the library:
#   .build/release/libwinbackup.so, libntdsbcli.so, libcertadm.so, libesent.so (symlinks), winbackupctl
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release "$@"
bin=$(swift build -c release --show-bin-path "$@")
for alias in ntdsbcli certadm esent; do
  ln -sf libwinbackup.so "$bin/lib$alias.so"
done
echo "built $bin/libwinbackup.so (with libntdsbcli.so, libcertadm.so, libesent.so) and $bin/winbackupctl"
