#!/bin/sh
# esent_demo.sh STEP - one step of the ESENT samples' scenario, run by ctest in this order:
#
#   setup                ESE01, an ESE server with some activity
#   backup_full          esent_backup ESE01 full/ (an incremental one first: refused, no full yet)
#   backup_incremental   more activity, esent_backup ESE01 incremental/ --incremental, more activity
#   restore_full         ESE02, offline, same layout; esent_restore full/ onto it: ESE02 starts
#                        with ESE01's content as of the full backup
#   restore_incremental  ESE03, offline; the full set and the incremental set's logs in one folder
#                        (as on Windows: one hard recovery replays the full backup's logs and the
#                        incremental one's); esent_restore of that folder: ESE03 starts with
#                        ESE01's content as of the incremental backup
#
# Environment: WINBACKUP_ROOT (a scratch folder, emptied by setup), WINBACKUPCTL, SAMPLES (the
# folder of the sample programs), LD_LIBRARY_PATH (the folder of libesent.so).
set -eu
. "$(dirname "$0")/demo_lib.sh"
# The local path of a server's database and log folder (--role ese: C:\ESE\ese.edb, C:\ESE\logs).
database() { echo "$WINBACKUP_ROOT/servers/$1/C/ESE/ese.edb"; }
logs() { echo "$WINBACKUP_ROOT/servers/$1/C/ESE/logs"; }
# The lowest and highest log generation of a folder (decimal), from its file names (hex).
generations() {
    gens=$(ls "$1" | sed -n 's/^edb\([0-9A-F]\{5\}\)\.log$/\1/p' | sort)
    [ -z "$gens" ] || echo "$((0x$(echo "$gens" | head -n 1))) $((0x$(echo "$gens" | tail -n 1)))"
}
# winbackupctl verify --files DIR: every page and log checked. It asks every folder without a
# manifest for an NTDS expiry token, which an ESENT backup has none of: that one problem, and the
# exit status it causes, are let through; any other fails the step.
verify_files() {
    echo "\$ winbackupctl verify --files $1"
    status=0
    ctl verify --files "$1" >"$log" 2>&1 || status=$?
    cat "$log"
    if [ "$status" -ne 0 ]; then
        problems=$(grep -c '^  problem: ' "$log" || true)
        [ "$problems" -eq 1 ] && expect '^  problem: the expiry token is missing$' || fail "exit status $status"
    fi
}
# The digest `server write` printed last.
written_digest() { sed -n 's/^content digest //p' "$log"; }

step="${1:-}"
case "$step" in
setup)
    rm -rf "$WINBACKUP_ROOT"
    mkdir -p "$sets"
    run ctl server create ESE01 --role ese --db-size 2M --logs 2 --log-size 64K
    run ctl server write ESE01 --transactions 50
    written_digest >"$sets/full-digest"
    ;;
backup_full)
    # No full backup recorded yet: an incremental one is refused, and the agent ends it (abort).
    run_failing "$SAMPLES/esent_backup" ESE01 "$sets/too-early" --incremental
    expect '^JetBeginExternalBackupInstance failed: -560 JET_errMissingFullBackup$'
    expect '^backup FAILED$'
    # An instance that names no server.
    run_failing "$SAMPLES/esent_backup" NOSUCHSERVER "$sets/nowhere"
    expect '^JetInit failed: -1090 JET_errInstanceUnavailable$'
    run "$SAMPLES/esent_backup" ESE01 "$sets/full"
    expect '^backup complete: full, 1 database\(s\), [1-9][0-9]* log\(s\), [0-9]+ bytes, logs truncated$'
    [ -s "$sets/full/ese.edb" ] || fail "no database in $sets/full"
    set -- $(generations "$sets/full")
    [ "$#" -eq 2 ] || fail "no logs in $sets/full"
    expect "^logs: generations $1-$2 \\("
    low=$1 high=$2
    # ESE01 recorded the backup as its last full one, over the generations the folder holds...
    run ctl server show ESE01
    expect "^  last full +generations $low-$high,"
    # ... and the truncation deleted the logs older than the backup.
    [ ! -e "$(logs ESE01)/$(printf 'edb%05X.log' $((low - 1)))" ] || fail "generation $((low - 1)) was not truncated"
    # The folder checks out page by page, and its last log holds the digest ESE01 had.
    verify_files "$sets/full"
    expect ": $sets/full: 1 database\\(s\\), [1-9][0-9]* page\\(s\\) verified"
    expect "^  content digest at the end of generation $high: $(cat "$sets/full-digest")$"
    ;;
backup_incremental)
    run ctl server write ESE01 --transactions 40
    written_digest >"$sets/incremental-digest"
    run "$SAMPLES/esent_backup" ESE01 "$sets/incremental" --incremental
    expect '^backup complete: incremental, 0 database\(s\), [1-9][0-9]* log\(s\), [0-9]+ bytes, logs truncated$'
    [ ! -e "$sets/incremental/ese.edb" ] || fail "an incremental backup copied the database"
    set -- $(generations "$sets/incremental")
    [ "$#" -eq 2 ] || fail "no logs in $sets/incremental"
    run ctl server show ESE01
    # ESE01 moves on: from now on its content is not what the backups hold.
    run ctl server write ESE01 --transactions 10
    [ "$(written_digest)" != "$(cat "$sets/incremental-digest")" ] || fail "the writes did not change ESE01"
    ;;
restore_full)
    run ctl server create ESE02 --role ese --db-size 2M --logs 2 --log-size 64K --offline
    # An incremental folder alone has no database to restore.
    run_failing "$SAMPLES/esent_restore" "$sets/incremental" "$(database ESE02)" ESE02
    expect 'names no database'
    run "$SAMPLES/esent_restore" "$sets/full" "$(database ESE02)" ESE02
    set -- $(generations "$sets/full")
    expect "^JetExternalRestore: log generations $1-$2 from "
    expect '^  restore: begin$'
    expect "^  restore: [0-9]+ of [0-9]+$"
    expect '^  restore: complete$'
    expect '^ESE02 started$'
    expect "^content digest $(cat "$sets/full-digest")$"
    expect "^restore complete: generations $1-$2 replayed, ESE02 online$"
    run ctl server show ESE02
    expect '^  state +online'
    echo "ESE02's content is ESE01's at the full backup: $(cat "$sets/full-digest")"
    ;;
restore_incremental)
    # One folder: the full set, then the incremental set's logs. A generation both hold must be
    # the same file (a closed log never changes).
    rm -rf "$sets/full+incremental"
    cp -R "$sets/full" "$sets/full+incremental"
    for f in "$sets/incremental"/edb*.log; do
        target="$sets/full+incremental/$(basename "$f")"
        if [ -e "$target" ]; then cmp "$f" "$target" || fail "$(basename "$f") differs between the sets"; fi
        cp "$f" "$target"
    done
    set -- $(generations "$sets/full+incremental")
    low=$1 high=$2
    count=$(ls "$sets/full+incremental" | grep -c '^edb[0-9A-F]\{5\}\.log$')
    [ "$count" -eq $((high - low + 1)) ] || fail "the logs of the two sets leave a gap ($count logs for $low-$high)"
    run ctl server create ESE03 --role ese --db-size 2M --logs 2 --log-size 64K --offline
    run "$SAMPLES/esent_restore" "$sets/full+incremental" "$(database ESE03)" ESE03
    expect "^JetExternalRestore: log generations $low-$high from "
    expect '^ESE03 started$'
    expect "^content digest $(cat "$sets/incremental-digest")$"
    expect "^restore complete: generations $low-$high replayed, ESE03 online$"
    echo "ESE03's content is ESE01's at the incremental backup: $(cat "$sets/incremental-digest")"
    ;;
*)
    echo "usage: $0 setup|backup_full|backup_incremental|restore_full|restore_incremental" >&2
    exit 2
    ;;
esac
echo "$step: ok"
