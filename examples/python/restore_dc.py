#!/usr/bin/env python3
"""Restores a backup folder made by backup_dc.py onto a domain controller, as `winbackupctl restore` does.

    python3 restore_dc.py FOLDER SERVER [--stop] [--start] [--create] [--gen-low N] [--gen-high N]

The DC must be offline (Directory Services Restore Mode): --stop stops it first, --create makes
a new offline DC (a rebuilt one) under $WINBACKUP_ROOT. The walkthrough: DsRestorePrepare with
the folder's expiry-token.bin, DsRestoreGetDatabaseLocations, DsRestoreRegister, the copies
(each destination deleted first), DsRestoreRegisterComplete, DsRestoreEnd. The DC applies the
restore when it next starts (--start): hard recovery replays the logs, and the content must then
be what the backup's last log recorded.
"""

import argparse
import pathlib
import sys

import winbackup
from winbackup import ntds, servers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("server")
    parser.add_argument("--stop", action="store_true", help="stop the DC first")
    parser.add_argument("--create", action="store_true", help="create the DC first, offline")
    parser.add_argument("--start", action="store_true", help="start the DC afterwards (hard recovery)")
    parser.add_argument("--gen-low", type=lambda v: int(v, 0), help="first log generation (default: the folder's)")
    parser.add_argument("--gen-high", type=lambda v: int(v, 0), help="last log generation (default: the folder's)")
    args = parser.parse_args()

    if args.create:
        servers.create(args.server, db_size="8M", logs=3, log_size="256K", offline=True)
    if args.stop:
        servers.stop(args.server)
    if ntds.is_online(args.server):
        sys.exit(f"{args.server}: Active Directory is running: stop it first (--stop)")

    result = ntds.restore_folder(args.folder, args.server, gen_low=args.gen_low, gen_high=args.gen_high)
    print(f"restore registered: {result.files} files, {result.bytes} bytes, "
          f"log generations {result.gen_low}-{result.gen_high}")
    if args.start:
        servers.start(args.server)                      # hard recovery
        expected = servers.log_digest(ntds.backup_logs(args.folder)[result.gen_high])
        actual = servers.content_digest(args.server)
        print(f"{args.server} started: content {actual}")
        if actual != expected:
            sys.exit(f"content differs from the backup's log generation {result.gen_high}: {expected}")
        print(f"identical to the content recorded at the end of log generation {result.gen_high}")


if __name__ == "__main__":
    try:
        main()
    except winbackup.HResultError as e:
        sys.exit(f"restore failed: {e}")
