"""The reference agent on an `ese` server: `winbackupctl backup` streams it through the Jet API
(JetCreateInstance ... JetEndExternalBackupInstance2), full and incremental; `winbackupctl
restore FULL INC --to ESE02` copies the database, gathers the logs and runs one
JetExternalRestoreW. The restored server must hold the content recorded at the last log."""

import os
import subprocess

from winbackup import servers


def ctl(winbackupctl, *args, ok=True):
    done = subprocess.run([winbackupctl, *args], capture_output=True, text=True)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done.stdout + done.stderr


def last_log(folder):
    logs = sorted(os.path.join(d, f) for d, _, files in os.walk(folder) for f in files if f.endswith(".log"))
    return logs[-1]


def test_cli_backs_up_and_restores_an_ese_server_full_and_incremental(ese, tmp_path, winbackupctl):
    servers.write("ESE01", 20)
    out = ctl(winbackupctl, "backup", "ESE01", "--to", str(tmp_path / "full"))
    assert "(full)" in out and r"\\ESE01\C$\ESE\ese.edb" in out
    servers.write("ESE01", 20)
    out = ctl(winbackupctl, "backup", "ESE01", "--to", str(tmp_path / "inc"), "--incremental")
    assert "(incremental)" in out and "ese.edb" not in out
    for folder in ("full", "inc"):
        assert "valid:" in ctl(winbackupctl, "verify", str(tmp_path / folder))
    servers.write("ESE01", 5)                                      # after the backups: not restored

    servers.create("ESE02", role="ese", db_size="2M", logs=2, log_size="64K", offline=True)
    out = ctl(winbackupctl, "restore", str(tmp_path / "full"), str(tmp_path / "inc"), "--to", "ESE02", "--start")
    assert "JetExternalRestore replayed" in out
    assert servers.content_digest("ESE02") == servers.log_digest(last_log(tmp_path / "inc"))
    assert servers.content_digest("ESE02") != servers.content_digest("ESE01")


def test_cli_ese_restore_refusals(ese, tmp_path, winbackupctl):
    ctl(winbackupctl, "backup", "ESE01", "--to", str(tmp_path / "full"))
    ctl(winbackupctl, "backup", "ESE01", "--to", str(tmp_path / "inc"), "--incremental")
    servers.create("ESE02", role="ese", db_size="2M", logs=2, log_size="64K")
    before = servers.content_digest("ESE02")
    assert "stop it first" in ctl(winbackupctl, "restore", str(tmp_path / "full"), "--to", "ESE02", ok=False)
    servers.stop("ESE02")
    assert "a full Jet backup set, then its incremental" in ctl(winbackupctl, "restore", str(tmp_path / "inc"), "--to", "ESE02", ok=False)
    servers.start("ESE02")
    assert servers.content_digest("ESE02") == before              # a refused restore touches nothing


def test_cli_ese_backup_with_a_bad_page_fails_plainly_and_leaves_no_good_looking_set(ese, tmp_path, winbackupctl):
    servers.inject_fault("ESE01", r"bad-checksum --file C:\ESE\ese.edb --page 3")
    out = ctl(winbackupctl, "backup", "ESE01", "--to", str(tmp_path / "bad"), ok=False)
    assert "backup of ESE01 FAILED" in out and "JET_errReadVerifyFailure -1018" in out, out
    assert not (tmp_path / "bad" / "manifest.txt").exists()
    assert "FAILED backup" in ctl(winbackupctl, "verify", str(tmp_path / "bad"), ok=False)
    servers.clear_faults("ESE01")
    assert "FAILED backup" in ctl(winbackupctl, "verify", str(tmp_path / "bad"), ok=False)    # still not a backup
    ctl(winbackupctl, "backup", "ESE01", "--to", str(tmp_path / "good"))   # the fault cleared: the backup works
    assert "valid:" in ctl(winbackupctl, "verify", str(tmp_path / "good"))
