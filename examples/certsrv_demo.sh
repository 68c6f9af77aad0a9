#!/bin/sh
# certsrv_demo.sh STEP - one step of the Certadm samples' scenario, run by ctest in this order:
#
#   setup                CA01, a CA with some activity
#   backup_end           certsrv_backup_end: the documented CertSrvBackupEnd sample
#   backup_full          certsrv_backup CA01 full/ (logs truncated)
#   backup_incremental   more activity, certsrv_backup CA01 incremental/ --incremental, more activity
#   restore_full         CA02, stopped, same CA name; certsrv_restore full/ CA02
#   restore_incremental  certsrv_restore incremental/ CA02
#   start                CA02 starts: its content is CA01's at the incremental backup
#
# Environment: WINBACKUP_ROOT (a scratch folder, emptied by setup), WINBACKUPCTL, SAMPLES (the
# folder of the sample programs), LD_LIBRARY_PATH (the folder of libcertadm.so).
set -eu
. "$(dirname "$0")/demo_lib.sh"
# The local copy of a file a server publishes (C:\Windows\System32\CertSrv\CertEnroll\NAME).
published() { echo "$WINBACKUP_ROOT/servers/$1/C/Windows/System32/CertSrv/CertEnroll/$2"; }
# The lowest and highest log generation of a backup set (decimal), from its file names (hex).
generations() {
    gens=$(ls "$1" | sed -n 's/^edb\([0-9A-F]\{5\}\)\.log$/\1/p' | sort)
    [ -z "$gens" ] || echo "$((0x$(echo "$gens" | head -n 1))) $((0x$(echo "$gens" | tail -n 1)))"
}

step="${1:-}"
case "$step" in
setup)
    rm -rf "$WINBACKUP_ROOT"
    mkdir -p "$WINBACKUP_ROOT"
    run ctl server create CA01 --role certsrv --db-size 2M --logs 2 --log-size 64K
    run ctl server write CA01 --transactions 50
    ;;
backup_end)
    run "$SAMPLES/certsrv_backup_end" CA01
    expect '^CertSrvBackupPrepare: S_OK'
    expect '^CertSrvBackupEnd: S_OK'
    expect '^CertSrvBackupEnd again on .*: \[80070006\] E_HANDLE'
    expect '^a new CertSrvBackupPrepare: \[0\] S_OK'
    # A CA that is not there: the failure is reported, the exit status says so.
    run_failing "$SAMPLES/certsrv_backup_end" NOSUCHCA
    expect '^Failed CertSrvIsServerOnline\(NOSUCHCA\) call \[800706ba\]'
    # Without the library on the search path: LoadLibrary fails with ERROR_MOD_NOT_FOUND.
    run_failing env LD_LIBRARY_PATH=/nonexistent "$SAMPLES/certsrv_backup_end" CA01
    expect '^Failed LoadLibrary - Certadm.dll, error=126 '
    ;;
backup_full)
    # No full backup yet (backup_end's recorded nothing): an incremental one is refused.
    run_failing "$SAMPLES/certsrv_backup" CA01 "$sets/too-early" --incremental
    expect '^Failed CertSrvBackupPrepare call \[c8000230\]$'
    run "$SAMPLES/certsrv_backup" CA01 "$sets/full"
    expect '^backup complete: full, 1 database\(s\), [1-9][0-9]* log\(s\), 2 dynamic file\(s\), [0-9]+ bytes streamed, logs truncated$'
    set -- $(generations "$sets/full")
    [ "$#" -eq 2 ] || fail "no logs in $sets/full"
    # CA01 recorded this backup as its last full one, over the generations the set holds.
    run ctl server show CA01
    expect "^  last full +generations $1-$2,"
    # The files the sample copied itself are CA01's.
    cmp "$sets/full/dynamic/CA01-CA.crl" "$(published CA01 CA01-CA.crl)" || fail "the CRL copy differs"
    grep -q "^location	44	\\\\\\\\CA01\\\\C\\$\\\\Windows\\\\System32\\\\CertLog\\\\CA01-CA.edb$" "$sets/full/backup.txt" ||
        fail "the database location is not in backup.txt"
    ;;
backup_incremental)
    run ctl server write CA01 --transactions 40
    sed -n 's/^content digest //p' "$log" >"$sets/expected-digest"
    run "$SAMPLES/certsrv_backup" CA01 "$sets/incremental" --incremental
    expect '^backup complete: incremental, 0 database\(s\), [1-9][0-9]* log\(s\), 2 dynamic file\(s\), [0-9]+ bytes streamed, logs truncated$'
    [ ! -e "$sets/incremental/CA01-CA.edb" ] || fail "an incremental backup copied the database"
    # CA01 moves on: from now on its content is not what the backups hold.
    run ctl server write CA01 --transactions 10
    ! grep -q "$(cat "$sets/expected-digest")" "$log" || fail "the writes did not change CA01"
    ;;
restore_full)
    run ctl server create CA02 --role certsrv --db-size 2M --logs 2 --log-size 64K --ca-name CA01-CA --offline
    # A running CA is refused before anything is touched.
    run_failing "$SAMPLES/certsrv_restore" "$sets/full" CA01
    expect '^CA01: Certificate Services is running: stop it before a restore$'
    # An incremental set before the full one: CertSrvRestoreRegister refuses it (hrNoFullRestore).
    run_failing "$SAMPLES/certsrv_restore" "$sets/incremental" CA02
    expect '^Failed CertSrvRestoreRegister call \[c7ff000c\]$'
    run "$SAMPLES/certsrv_restore" "$sets/full" CA02
    expect '^CertSrvIsServerOnline\(CA02\): \[800706ba\], Certificate Services is stopped$'
    expect '^restore registered: full, '
    run ctl server show CA02
    set -- $(generations "$sets/full")
    expect "^  restore +complete: log generations $1-$2 from "
    ;;
restore_incremental)
    run "$SAMPLES/certsrv_restore" "$sets/incremental" CA02
    expect '^restore registered: incremental, '
    run ctl server show CA02
    set -- $(generations "$sets/incremental")
    expect "^  restore +complete: log generations .*, $1-$2 from "
    ;;
start)
    run ctl server start CA02
    set -- $(generations "$sets/incremental")
    expect "^CA02 is online after hard recovery of the restore: log generations [0-9]+-$2,"
    expected=$(cat "$sets/expected-digest")
    [ -n "$expected" ] || fail "no digest saved by backup_incremental"
    expect "^  content digest $expected "
    echo "CA02's content is CA01's at the incremental backup: $expected"
    # The dynamic files the restore put back: the CRL of the last backup.
    cmp "$sets/incremental/dynamic/CA01-CA.crl" "$(published CA02 CA01-CA.crl)" || fail "CA02's CRL is not the backed-up one"
    ! cmp -s "$sets/full/dynamic/CA01-CA.crl" "$sets/incremental/dynamic/CA01-CA.crl" || fail "the CRL never changed"
    ;;
*)
    echo "usage: $0 setup|backup_end|backup_full|backup_incremental|restore_full|restore_incremental|start" >&2
    exit 2
    ;;
esac
echo "$step: ok"
