# demo_lib.sh - what the sample scenarios (certsrv_demo.sh, esent_demo.sh) share; sourced, not run.
# Needs WINBACKUP_ROOT (the scenario's scratch folder) and WINBACKUPCTL.
sets="$WINBACKUP_ROOT/backups"
log="$WINBACKUP_ROOT/step.log"

fail() { echo "FAIL: $*"; exit 1; }
# Runs a command, shows its output and keeps it in $log; a non-zero exit fails the step.
run() { run_expecting success "$@"; }
# The same for a command that must fail.
run_failing() { run_expecting failure "$@"; }
run_expecting() {
    outcome=$1; shift
    echo "\$ $*"
    status=0
    "$@" >"$log" 2>&1 || status=$?
    cat "$log"
    if [ "$outcome" = success ]; then [ "$status" -eq 0 ] || fail "exit status $status"
    else [ "$status" -ne 0 ] || fail "it succeeded"; fi
}
expect() { grep -Eq -- "$1" "$log" || fail "no line matches /$1/"; }
ctl() { "$WINBACKUPCTL" "$@"; }
