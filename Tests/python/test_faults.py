"""Injected faults (docs/FAULTS.md) from Python (winbackup.servers.inject_fault / clear_faults) and
from the command line (winbackupctl fault add|list|clear), and what the reference agent does
when a backup meets one: it says plainly which call failed with which code, and leaves nothing
that looks like a good backup."""

import hashlib
import os
import pwd
import re
import subprocess
import time

import pytest

from winbackup import esent, ntds, servers
from winbackup.errors import HResultError, JetError

DIT = r"C:\Windows\NTDS\ntds.dit"
ERROR_INVALID_PARAMETER = 87
HR_COULD_NOT_CONNECT = 0xC7FF0007
HR_DISK_IO = 0xC80003FE
HR_READ_VERIFY_FAILURE = 0xC80003FA
WB_HR_LOG_READ_VERIFY_FAILURE = 0xC8000264
WB_HR_BACKUP_ABORT_BY_SERVER = 0xC8000321


def folder_hash(folder):
    """SHA-256 over every file of a folder (names and bytes), the shared state/ folder aside."""
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(folder)):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            relative = os.path.relpath(path, folder)
            if relative.startswith("state" + os.sep):
                continue
            digest.update(relative.encode() + b"\0")
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


def server_folder(root, name):
    return root / "servers" / name


def first_log_generation(name):
    with ntds.backup(name) as b:
        return int(b.logs()[0].basename[3:8], 16)


# ---- the exports, through the Python package ------------------------------------------------------

def test_a_bad_spec_is_invalid_parameter_and_an_unknown_server_could_not_connect(dc):
    for spec in ["", "bogus", "read-error", "read-error --file /etc/passwd", "stop --after-reads x"]:
        with pytest.raises(HResultError) as e:
            servers.inject_fault(dc, spec)
        assert e.value.hresult == ERROR_INVALID_PARAMETER, spec
    with pytest.raises(HResultError) as e:
        servers.inject_fault("NOSUCH", "stop")
    assert e.value.hresult == HR_COULD_NOT_CONNECT


def test_clearing_the_faults_leaves_the_server_as_it_was(dc, root):
    before = folder_hash(server_folder(root, dc))
    servers.inject_fault(dc, rf"read-error --file '{DIT}' --offset 16384")
    servers.inject_fault(dc, "disk-full --after-bytes 1M --once")
    assert folder_hash(server_folder(root, dc)) != before
    servers.clear_faults(dc)
    assert folder_hash(server_folder(root, dc)) == before


def test_read_error_raises_hr_disk_io_from_ds_backup_read(dc, tmp_path):
    servers.inject_fault(dc, rf"read-error --file {DIT} --offset 16384 --once")
    with ntds.backup(dc) as b:
        db = b.databases()[0]
        with pytest.raises(HResultError) as e:
            b.copy(db, to=tmp_path / "ntds.dit")
        assert (e.value.function, e.value.hresult) == ("DsBackupRead", HR_DISK_IO)
        assert b.copy(db, to=tmp_path / "ntds.dit") > 0          # --once: the second copy is whole


def test_bad_checksum_raises_hr_read_verify_failure_and_the_backup_goes_on(dc, tmp_path):
    servers.inject_fault(dc, rf"bad-checksum --file {DIT} --page 5")
    with ntds.backup(dc) as b:
        with pytest.raises(HResultError) as e:
            b.copy(b.databases()[0], to=tmp_path / "ntds.dit")
        assert e.value.hresult == HR_READ_VERIFY_FAILURE
        for log in b.logs():
            b.copy(log, to=tmp_path)


def test_corrupt_log_aborts_the_backup(dc, tmp_path):
    servers.inject_fault(dc, f"corrupt-log --generation {first_log_generation(dc)}")
    with ntds.backup(dc) as b:
        with pytest.raises(HResultError) as e:
            b.copy(b.logs()[0], to=tmp_path)
        assert e.value.hresult == WB_HR_LOG_READ_VERIFY_FAILURE
        with pytest.raises(HResultError) as e:
            b.truncate_logs()
        assert e.value.name == "hrNoBackup"


def test_short_reads_deliver_at_most_max_bytes_and_lose_nothing(dc, tmp_path):
    servers.inject_fault(dc, "short-read --max-bytes 1000 --after-reads 1")
    with ntds.backup(dc) as b:
        db = b.databases()[0]
        size = b.open(db)
        assert len(b.read(65536)) == 65536
        assert len(b.read(65536)) == 1000
        b.close()
        assert b.copy(db, to=tmp_path / "ntds.dit") == size


def test_slow_reads_take_their_latency(dc):
    servers.inject_fault(dc, "slow-read --latency 100ms")
    with ntds.backup(dc) as b:
        b.open(b.databases()[0])
        start = time.monotonic()
        b.read(65536)
        assert time.monotonic() - start >= 0.1


def test_stop_and_read_error_through_jet(root):
    servers.create("ESE01", role="ese", db_size="2M", logs=2, log_size="64K")
    servers.inject_fault("ESE01", "stop --after-reads 1 --once")
    with esent.Instance("ESE01") as inst:
        inst.init()
        with inst.external_backup() as b:
            db = b.attach_info()[0]
            with pytest.raises(JetError) as e:
                b.copy(db, to=root / "ese.edb")
            assert e.value.value == -801
        servers.inject_fault("ESE01", r"read-error --file C:\ESE\ese.edb --offset 0")
        with inst.external_backup() as b:
            with pytest.raises(JetError) as e:
                b.copy(b.attach_info()[0], to=root / "ese.edb")
            assert (e.value.name, e.value.value) == ("JET_errDiskIO", -1022)


def test_deny_user_refuses_an_allowed_account(dc):
    servers.allow(dc, "CORP\\bob", "Passw0rd!")
    servers.inject_fault(dc, "deny-user 'CORP\\bob'")
    ntds.set_auth_identity("bob", "CORP", "Passw0rd!")
    with pytest.raises(HResultError) as e:
        ntds.backup(dc)
    assert e.value.hresult == 5
    servers.clear_faults(dc)
    with ntds.backup(dc):
        pass


# ---- the command line -------------------------------------------------------------------------------

def ctl(winbackupctl, *args):
    return subprocess.run([winbackupctl, *map(str, args)], capture_output=True, text=True)


def test_fault_add_list_clear(dc, root, winbackupctl):
    before = folder_hash(server_folder(root, dc))
    added = ctl(winbackupctl, "fault", "add", dc, "read-error", "--file", f"\\\\{dc}\\C$\\WINDOWS\\NTDS\\ntds.dit",
                "--offset", "16K", "--once")
    assert added.returncode == 0, added.stderr
    assert r'read-error --file "C:\Windows\NTDS\ntds.dit" --offset 16384 --once' in added.stdout
    assert ctl(winbackupctl, "fault", "add", dc, "deny-user", "CORP\\bob").returncode == 0
    listed = ctl(winbackupctl, "fault", "list", dc)
    assert listed.stdout.splitlines() == [r'1. read-error --file "C:\Windows\NTDS\ntds.dit" --offset 16384 --once',
                                          r'2. deny-user "CORP\bob"']
    bad = ctl(winbackupctl, "fault", "add", dc, "read-error", "--file", "/etc/passwd")
    assert bad.returncode == 1 and "not a path on this server" in bad.stderr
    assert ctl(winbackupctl, "fault", "add", "NOSUCH", "stop").returncode == 1
    cleared = ctl(winbackupctl, "fault", "clear", dc)
    assert cleared.returncode == 0 and "2 fault(s) cleared" in cleared.stdout
    assert ctl(winbackupctl, "fault", "list", dc).stdout.strip() == f"{dc}: no faults"
    assert folder_hash(server_folder(root, dc)) == before


@pytest.mark.parametrize("spec, call, code", [
    ([ "read-error", "--file", DIT, "--offset", "16384"], "DsBackupRead", r"0xC80003FE \(JET_errDiskIO -1022\)"),
    (["bad-checksum", "--file", DIT, "--page", "3"], "DsBackupRead", r"0xC80003FA \(JET_errReadVerifyFailure -1018\)"),
    (["wrong-page", "--file", DIT, "--page", "3"], "DsBackupRead", r"0xC800045E \(JET_errReadPgnoVerifyFailure -1118\)"),
    (["corrupt-log", "--generation", "FIRST"], "DsBackupRead", r"0xC8000264 \(JET_errLogReadVerifyFailure -612\)"),
    (["missing-log", "--generation", "FIRST"], "DsBackupOpenFile", r"0xC8000239 \(JET_errMissingFileToBackup -569\)"),
    (["stop", "--after-reads", "1"], "DsBackupRead", r"0xC8000321 \(JET_errBackupAbortByServer -801\)"),
    (["deny-user", "ME"], "DsIsNTDSOnline", r"ERROR_ACCESS_DENIED \(0x5\)"),
])
def test_a_failed_cli_backup_says_why_and_leaves_no_good_looking_set(dc, root, tmp_path, winbackupctl, spec, call, code):
    me = pwd.getpwuid(os.geteuid()).pw_name     # the local account the server allows
    spec = [str(first_log_generation(dc)) if w == "FIRST" else me if w == "ME" else w for w in spec]
    assert ctl(winbackupctl, "fault", "add", dc, *spec).returncode == 0
    folder = tmp_path / "set"
    result = ctl(winbackupctl, "backup", dc, "--to", folder)
    assert result.returncode == 1
    assert re.search(rf"backup of {dc} FAILED: {call}.*{code}", result.stderr), result.stderr
    assert not (folder / "manifest.txt").exists()
    if folder.exists():
        assert (folder / "BACKUP-FAILED.txt").exists()
        verify = ctl(winbackupctl, "verify", folder)
        assert verify.returncode == 1 and "FAILED backup" in verify.stderr
        assert ctl(winbackupctl, "verify", "--files", folder).returncode == 1
        servers.create("DC02", offline=True)
        restore = ctl(winbackupctl, "restore", folder, "--to", "DC02")
        assert restore.returncode == 1 and "FAILED backup" in restore.stderr

    assert ctl(winbackupctl, "fault", "clear", dc).returncode == 0
    good = tmp_path / "good"
    assert ctl(winbackupctl, "backup", dc, "--to", good).returncode == 0
    assert ctl(winbackupctl, "verify", good).returncode == 0


def test_the_cli_agent_copes_with_short_and_slow_reads(dc, tmp_path, winbackupctl):
    ctl(winbackupctl, "fault", "add", dc, "short-read", "--max-bytes", "4000")
    ctl(winbackupctl, "fault", "add", dc, "slow-read", "--latency", "1ms", "--once")
    folder = tmp_path / "set"
    result = ctl(winbackupctl, "backup", dc, "--to", folder)
    assert result.returncode == 0, result.stderr
    assert ctl(winbackupctl, "verify", folder).returncode == 0


def test_a_failed_cli_ca_backup_fails_plainly(ca, tmp_path, winbackupctl):
    ctl(winbackupctl, "fault", "add", ca, "read-error", "--file", r"C:\Windows\System32\CertLog\CA01-CA.edb")
    result = ctl(winbackupctl, "backup", ca, "--to", tmp_path / "set")
    assert result.returncode == 1
    assert re.search(r"FAILED: CertSrvBackupRead .*0xC80003FE \(JET_errDiskIO -1022\)", result.stderr), result.stderr
    assert not (tmp_path / "set" / "manifest.txt").exists()


def test_missing_log_disk_full_and_permission_denied_at_restore(dc, root, tmp_path, winbackupctl):
    folder = tmp_path / "set"
    assert ctl(winbackupctl, "backup", dc, "--to", folder).returncode == 0
    servers.create("DC02", offline=True)
    assert ctl(winbackupctl, "fault", "add", "DC02", "disk-full").returncode == 0
    refused = ctl(winbackupctl, "restore", folder, "--to", "DC02")
    assert refused.returncode == 1 and "JET_errDiskFull -1808" in refused.stderr, refused.stderr
    ctl(winbackupctl, "fault", "clear", "DC02")
    assert ctl(winbackupctl, "fault", "add", "DC02", "permission-denied").returncode == 0
    refused = ctl(winbackupctl, "restore", folder, "--to", "DC02")
    assert refused.returncode == 1 and "JET_errFileAccessDenied -1032" in refused.stderr, refused.stderr
    ctl(winbackupctl, "fault", "clear", "DC02")
    gen = int(re.findall(r"edb([0-9A-F]{5})\.log", (folder / "manifest.txt").read_text())[0], 16)
    ctl(winbackupctl, "fault", "add", "DC02", "missing-log", "--generation", gen, "--once")
    assert ctl(winbackupctl, "restore", folder, "--to", "DC02").returncode == 0
    start = ctl(winbackupctl, "server", "start", "DC02")
    assert start.returncode == 1 and "JET_errMissingLogFile -528" in start.stderr, start.stderr
    started = ctl(winbackupctl, "server", "start", "DC02")
    assert started.returncode == 0 and "hard recovery" in started.stdout, started.stderr   # --once: consumed
