#!/usr/bin/env python3
"""Backs up a certification authority and restores it, through winbackup's Python face (Certadm).

    python3 backup_ca.py backup SERVER FOLDER [--incremental] [--keep-logs] [--create]
    python3 backup_ca.py restore SERVER FULL_FOLDER [INCREMENTAL_FOLDER ...] [--create --ca-name NAME]
                         [--stop] [--start]

backup, as `certutil -backupDB FOLDER [Incremental] [KeepLog]`: the database (a full backup), the
logs, TruncateLogs (unless --keep-logs), the CRL and the CA certificate, and certsrv-backup.json.
An incremental backup needs a full one that truncated its logs. --create first makes an emulated
CA (under $WINBACKUP_ROOT) with some activity.

restore, as `certutil -restoreDB`: onto a stopped CA (--stop stops it; --create makes a new one,
stopped, with the source's CA name), the full folder first, then each incremental one; --start
starts it (recovery) and checks its content against the newest backup's last log.
"""

import argparse
import pathlib
import sys

import winbackup
from winbackup import certsrv, servers


def backup(args):
    if args.create:
        servers.create(args.server, role="certsrv", db_size="8M", logs=3, log_size="256K")
        servers.write(args.server, 50)
    if not certsrv.is_online(args.server):                       # paused: certutil refuses too
        sys.exit(f"{args.server}: the CA is paused; resume it first")
    result = certsrv.backup_folder(args.server, args.folder, incremental=args.incremental,
                                   truncate=not args.keep_logs)
    for name in result.databases + result.logs + result.dynamic:
        print(f"  {name}")
    print(f"{result.kind} backup complete: log generations {result.gen_low}-{result.gen_high}"
          f"{', logs truncated' if result.truncated else ''}")


def restore(args):
    if args.create:
        servers.create(args.server, role="certsrv", db_size="8M", logs=3, log_size="256K", ca_name=args.ca_name,
                       offline=True)
    if args.stop:
        certsrv.server_control(args.server, certsrv.CSCONTROL_SHUTDOWN)
    for result in certsrv.restore_set(args.folders, args.server):
        print(f"  {result.kind:11} {result.files} files, {result.bytes} bytes, "
              f"log generations {result.gen_low}-{result.gen_high} -> {result.backup_log_path}")
    if args.start:
        servers.start(args.server)                               # recovery: every registered range
        newest = max((certsrv.BackupResult.load(f) for f in args.folders), key=lambda r: r.gen_high)
        expected = servers.log_digest(newest.log_file(newest.gen_high))
        actual = servers.content_digest(args.server)
        print(f"{args.server} started: content {actual}")
        if actual != expected:
            sys.exit(f"content differs from the backup's log generation {newest.gen_high}: {expected}")
        print(f"identical to the content recorded at the end of log generation {newest.gen_high}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("backup", help="back up a CA into a folder")
    b.add_argument("server")
    b.add_argument("folder", type=pathlib.Path)
    b.add_argument("--incremental", action="store_true", help="logs only (CSBACKUP_TYPE_LOGS_ONLY)")
    b.add_argument("--keep-logs", action="store_true", help="do not truncate the logs")
    b.add_argument("--create", action="store_true", help="create the emulated CA first")
    b.set_defaults(run=backup)
    r = commands.add_parser("restore", help="restore backup folders onto a stopped CA")
    r.add_argument("server")
    r.add_argument("folders", type=pathlib.Path, nargs="+", help="the full backup's folder, then incremental ones")
    r.add_argument("--create", action="store_true", help="create the CA first, stopped")
    r.add_argument("--ca-name", help="with --create: the source's CA name (default <server>-CA)")
    r.add_argument("--stop", action="store_true", help="stop the CA first (CSCONTROL_SHUTDOWN)")
    r.add_argument("--start", action="store_true", help="start the CA afterwards and check its content")
    r.set_defaults(run=restore)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    try:
        main()
    except winbackup.HResultError as e:
        sys.exit(f"failed: {e}")
