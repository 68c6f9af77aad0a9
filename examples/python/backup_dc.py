#!/usr/bin/env python3
"""Backs up a domain controller through winbackup's Python face, as ds_backup.c does in C.

    python3 backup_dc.py SERVER FOLDER [--truncate] [--create]

--create first makes an emulated DC (under $WINBACKUP_ROOT) and writes some activity to it.
The library comes from $WINBACKUP_LIB or the repo's build; check the result with
`winbackupctl verify --files FOLDER`, put it back onto an offline DC with restore_dc.py.
"""

import argparse
import pathlib
import sys

import winbackup


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server")
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--truncate", action="store_true", help="delete the logs the backup made redundant")
    parser.add_argument("--create", action="store_true", help="create the emulated server first")
    args = parser.parse_args()

    if args.create:
        winbackup.servers.create(args.server, db_size="8M", logs=3, log_size="256K")
        winbackup.servers.write(args.server, 50)
    if not winbackup.ntds.is_online(args.server):
        sys.exit(f"{args.server}: Active Directory is not running")

    args.folder.mkdir(parents=True, exist_ok=True)
    files = total = 0
    with winbackup.ntds.backup(args.server) as b:           # DsBackupPrepare ... DsBackupEnd
        (args.folder / "expiry-token.bin").write_bytes(b.expiry_token)
        for listing in (b.databases, b.logs):               # every database before the log list
            for f in listing():                             # DsBackupOpenFile / Read / Close
                size = b.copy(f, to=args.folder)
                print(f"  {f.kind_name:18} {f.name:48} {size:>12} bytes")
                files, total = files + 1, total + size
        if args.truncate:
            b.truncate_logs()
    print(f"backup complete: {files} files, {total} bytes{', logs truncated' if args.truncate else ''}")


if __name__ == "__main__":
    try:
        main()
    except winbackup.HResultError as e:
        sys.exit(f"backup failed: {e}")
