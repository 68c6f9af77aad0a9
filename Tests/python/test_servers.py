"""winbackup.servers (the Wb* exports) and the example script."""

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO
from winbackup import HResultError, ntds, servers


def test_create_with_options_and_delete():
    servers.create("DC02", db_size="1M", logs=3, log_size="128K", circular_logging=False, tombstone_lifetime=60)
    db = servers.resolve_path("DC02", r"C:\Windows\NTDS\ntds.dit")
    assert os.path.getsize(db) == 1 << 20
    log_dir = os.path.dirname(db)
    assert sorted(n for n in os.listdir(log_dir) if re.fullmatch(r"edb[0-9A-F]{5}\.log", n)) == [
        "edb00001.log", "edb00002.log", "edb00003.log"]
    assert os.path.getsize(os.path.join(log_dir, "edb00001.log")) == 128 << 10
    servers.delete("DC02")
    assert not os.path.exists(db)
    with pytest.raises(HResultError) as e:
        ntds.is_online("DC02")
    assert e.value.name == "hrCouldNotConnect"


def test_create_offline_and_with_a_quoted_ca_name():
    servers.create("DC03", offline=True)
    assert ntds.is_online("DC03") is False
    servers.create("CA01", role="certsrv", db_size="1M", ca_name="Contoso Root CA")


def test_create_rejects_bad_options():
    with pytest.raises(HResultError) as e:
        servers.create("DC04", role="exchange")
    assert e.value.name == "ERROR_INVALID_PARAMETER"
    with pytest.raises(HResultError):
        servers.create("DC_04")


def database_stream(server):
    """The database as a backup delivers it."""
    data = bytearray()
    with ntds.backup(server) as b:
        b.open(b.databases()[0])
        while chunk := b.read():
            data += chunk
    return bytes(data)


def test_write_changes_pages_and_rolls_logs(dc):
    db = servers.resolve_path(dc, r"C:\Windows\NTDS\ntds.dit")
    logs_before = set(os.listdir(os.path.dirname(db)))
    before = database_stream(dc)
    servers.write(dc, 30)
    after = database_stream(dc)
    assert len(before) == len(after) and before[2 * 8192:-8192] != after[2 * 8192:-8192]   # pages changed
    assert set(os.listdir(os.path.dirname(db))) > logs_before              # new archived logs


def test_write_needs_the_server_online(dc):
    servers.stop(dc)
    with pytest.raises(HResultError):
        servers.write(dc, 1)
    servers.start(dc)
    servers.write(dc, 1)


def test_allow_an_account(dc):
    servers.allow(dc, "CORP\\svc-backup", "pw")
    ntds.set_auth_identity("svc-backup", "CORP", "pw")
    assert ntds.is_online(dc)


def test_resolve_path_spellings(dc, root):
    local = servers.resolve_path(None, r"\\DC01\C$\Windows\NTDS\ntds.dit")
    assert local.startswith(str(root)) and local.endswith("/ntds.dit") and os.path.isfile(local)
    assert servers.resolve_path(dc, r"C:\Windows\NTDS\ntds.dit") == local
    assert servers.resolve_path(dc, r"c:\windows\ntds\NTDS.DIT") == local    # components case-insensitive
    assert servers.resolve_path(dc, local) == local
    assert servers.resolve_path(dc, r"\\dc01\C$\Windows\NTDS\ntds.dit") == local


@pytest.mark.parametrize("server,path,name", [
    ("DC01", r"C:\Windows\..\NTDS\ntds.dit", "ERROR_INVALID_PARAMETER"),
    ("DC01", r"Windows\NTDS\ntds.dit", "ERROR_INVALID_PARAMETER"),
    (None, r"C:\Windows\NTDS\ntds.dit", "ERROR_INVALID_PARAMETER"),
    ("DC01", r"\\DC02\C$\Windows\NTDS\ntds.dit", "ERROR_ACCESS_DENIED"),
    ("DC01", "/etc/passwd", "ERROR_ACCESS_DENIED"),
    ("DC09", r"C:\Windows\NTDS\ntds.dit", "hrCouldNotConnect"),
])
def test_resolve_path_errors(dc, server, path, name):
    servers.create("DC02")
    with pytest.raises(HResultError) as e:
        servers.resolve_path(server, path)
    assert e.value.name == name


def test_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", servers.version())
    major, minor, patch = map(int, servers.version().split("."))
    assert servers.version_number() == major * 1000000 + minor * 1000 + patch


def test_example_script(root, tmp_path, winbackupctl):
    folder = tmp_path / "dc01"
    script = REPO / "examples" / "python" / "backup_dc.py"
    run = subprocess.run([sys.executable, str(script), "DC01", str(folder), "--create", "--truncate"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert re.search(r"backup complete: \d+ files, \d+ bytes, logs truncated", run.stdout), run.stdout
    assert (folder / "ntds.dit").is_file() and (folder / "expiry-token.bin").stat().st_size == 128
    check = subprocess.run([winbackupctl, "verify", "--files", str(folder)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    failed = subprocess.run([sys.executable, str(script), "NOPE", str(tmp_path / "x")], capture_output=True, text=True)
    assert failed.returncode == 1 and "hrCouldNotConnect (0xC7FF0007)" in failed.stderr
