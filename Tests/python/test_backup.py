"""Full backups through the Pythonic API, checked against the server's files (docs/CONTRACT-NTDSBCLI.md)."""

import ctypes
import hashlib
import os
import re
import struct
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import winbackup
from winbackup import _lib, ntds, servers

PAGE = 8192
ESE_MAGIC = 0x89ABCDEF


def legacy_xor(page):
    """ESE's header checksum: 0x89ABCDEF xor every little-endian dword from offset 4 on."""
    acc = ESE_MAGIC
    for (dword,) in struct.iter_unpack("<I", page[4:]):
        acc ^= dword
    return acc


def full_backup(server, folder, truncate=True):
    """The whole walkthrough; returns (databases, logs, sizes by basename)."""
    sizes = {}
    with ntds.backup(server) as b:
        (folder / "expiry-token.bin").write_bytes(b.expiry_token)
        databases = b.databases()
        for f in databases:
            sizes[f.basename] = b.copy(f, to=folder)
        logs = b.logs()
        for f in logs:
            sizes[f.basename] = b.copy(f, to=folder / f.basename)
        if truncate:
            b.truncate_logs()
    return databases, logs, sizes


def test_full_backup_matches_the_server_page_by_page(dc, tmp_path):
    servers.write(dc, 20)
    folder = tmp_path / "backup"
    folder.mkdir()
    with ntds.backup(dc) as b:
        assert len(b.expiry_token) == 128
        databases = b.databases()
        assert [(f.kind, f.kind_name, f.name, f.basename) for f in databases] == [
            (0x44, "BFT_NTDS_DATABASE", r"\\DC01\C$\Windows\NTDS\ntds.dit", "ntds.dit")]
        copied = b.copy(databases[0], to=folder / "ntds.dit")

        server_db = servers.resolve_path(None, databases[0].name)
        live = open(server_db, "rb").read()
        pages = len(live) // PAGE - 2                    # two header pages, then the pages
        stream = (folder / "ntds.dit").read_bytes()
        assert copied == len(stream) == (pages + 3) * PAGE
        for pgno in range(1, pages + 1):
            at = (pgno + 1) * PAGE
            assert stream[at:at + PAGE] == live[at:at + PAGE], f"page {pgno}"

        logs = b.logs()
        assert logs and all(f.kind == ntds.BFT_LOG and f.kind_name == "BFT_LOG" for f in logs)
        for f in logs:
            assert re.fullmatch(r"\\\\DC01\\C\$\\Windows\\NTDS\\edb[0-9A-F]{5}\.log", f.name)
            assert b.copy(f, to=folder) == os.path.getsize(folder / f.basename)
            server_log = servers.resolve_path(dc, f.name)
            assert hashlib.sha256((folder / f.basename).read_bytes()).digest() == \
                hashlib.sha256(open(server_log, "rb").read()).digest(), f.basename
        b.truncate_logs()


def test_backup_folder_is_a_valid_ese_backup(dc, tmp_path, winbackupctl):
    servers.write(dc, 10)
    folder = tmp_path / "backup"
    folder.mkdir()
    full_backup(dc, folder)

    stream = (folder / "ntds.dit").read_bytes()
    header, shadow, trailer = stream[:PAGE], stream[PAGE:2 * PAGE], stream[-PAGE:]
    assert header == shadow
    assert struct.unpack_from("<I", header, 4)[0] == ESE_MAGIC
    assert struct.unpack_from("<I", header, 0)[0] == legacy_xor(header)
    assert struct.unpack_from("<I", trailer, 0)[0] == legacy_xor(trailer)   # trailer: sealed the same way
    assert struct.unpack_from("<3I", trailer, 4) == (0, 0, 0)

    result = subprocess.run([winbackupctl, "verify", "--files", str(folder)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"valid: .* 1 database\(s\), [0-9]+ page\(s\) verified", result.stdout), result.stdout


def test_truncate_deletes_the_logs_below_the_first_listed_one(dc, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    log_dir = os.path.dirname(servers.resolve_path(dc, r"C:\Windows\NTDS\edb.log"))
    before = sorted(n for n in os.listdir(log_dir) if re.fullmatch(r"edb[0-9A-F]{5}\.log", n))
    _, logs, _ = full_backup(dc, folder)
    listed = [f.basename for f in logs]
    after = sorted(n for n in os.listdir(log_dir) if re.fullmatch(r"edb[0-9A-F]{5}\.log", n))
    assert set(listed) <= set(after)                                  # the listed logs stay
    assert [n for n in before if n < listed[0]] and not [n for n in after if n < listed[0]]


def log_generation(path):
    """The generation in a log file's header (LGFILEHDR: the checksum, then the generation)."""
    with open(path, "rb") as f:
        return struct.unpack("<2I", f.read(8))[1]


def test_log_list_runs_from_the_checkpoint_to_the_log_just_rolled(dc, tmp_path):
    current = servers.resolve_path(dc, r"C:\Windows\NTDS\edb.log")
    assert log_generation(current) == 3                               # a new server: logs 1-2, current 3
    with ntds.backup(dc) as b:
        b.copy(b.databases()[0], to=tmp_path)
        logs = b.logs()
        assert [f.basename for f in logs] == ["edb00003.log"]           # checkpoint 3 .. new current - 1
        assert log_generation(current) == 4                           # the first call rolled the log
        assert b.logs() == logs                                       # no second roll
        assert log_generation(current) == 4
        assert [f.name for f in b.databases()] == [r"\\DC01\C$\Windows\NTDS\ntds.dit"]  # still works
        for f in logs:
            assert log_generation(servers.resolve_path(dc, f.name)) == int(f.basename[3:8], 16)


def test_log_list_is_contiguous_after_activity(dc, tmp_path):
    servers.write(dc, 40)
    current = servers.resolve_path(dc, r"C:\Windows\NTDS\edb.log")
    with ntds.backup(dc) as b:
        b.copy(b.databases()[0], to=tmp_path)
        generations = [int(f.basename[3:8], 16) for f in b.logs()]
        after_list = log_generation(current)
    assert generations == list(range(generations[0], generations[-1] + 1))
    assert generations[-1] == after_list - 1                          # up to the roll the log list made
    assert log_generation(current) == after_list + 1                  # and End rolls once more, as ESE's does


def test_any_file_of_the_server_opens_in_the_log_phase(dc, tmp_path):
    with ntds.backup(dc) as b:
        b.copy(b.databases()[0], to=tmp_path)
        b.logs()
        size = b.copy(r"C:\Windows\NTDS\edb.chk", to=tmp_path / "edb.chk")
        assert size == os.path.getsize(servers.resolve_path(dc, r"C:\Windows\NTDS\edb.chk"))


def test_a_backup_in_another_process_is_in_progress(dc):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(winbackup.__path__[0] + '/..')!r})
        import winbackup
        try:
            winbackup.ntds.backup("DC01")
        except winbackup.HResultError as e:
            print(e.name)
    """)
    with ntds.backup(dc):
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "hrBackupInProgress", result.stderr


def test_expiry_token_layout():
    # docs/expiry-token.md: magic, version, size, time, tombstone lifetime, role, id, name, SHA-256
    servers.create("DC05", tombstone_lifetime=60)
    before = int(time.time())
    with ntds.backup("dc05") as b:
        token = b.expiry_token
    magic, version, size, when, tombstone, role = struct.unpack_from("<4sHHqII", token)
    assert (magic, version, size, tombstone, role) == (b"WBET", 1, 128, 60, 1)
    assert before - 5 <= when <= time.time() + 5
    assert token[40:96].rstrip(b"\0") == b"DC05"
    assert token[96:] == hashlib.sha256(token[:96]).digest()


def test_end_of_file_sets_the_count_to_zero(dc, lib):
    with ntds.backup(dc) as b:
        size = b.open(b.databases()[0])
        buffer = ctypes.create_string_buffer(1 << 20)
        got, total = _lib.DWORD(0), 0
        while (hr := lib.DsBackupRead(b.hbc, buffer, len(buffer), ctypes.byref(got))) == 0:
            assert 0 < got.value <= len(buffer)
            total += got.value
        got.value = 0xDEADBEEF
        assert lib.DsBackupRead(b.hbc, buffer, len(buffer), ctypes.byref(got)) == ntds.ERROR_HANDLE_EOF
        assert (hr, got.value, total) == (ntds.ERROR_HANDLE_EOF, 0, size)


def test_end_with_a_file_open(dc, lib):
    b = ntds.backup(dc)
    b.open(b.databases()[0])
    b.read()
    assert lib.DsBackupEnd(b.hbc) == 0                                # S_OK whatever happened before
    with ntds.backup(dc):
        pass


def test_copy_reports_progress_and_accepts_small_buffers(dc, tmp_path):
    calls = []
    with ntds.backup(dc) as b:
        db = b.databases()[0]
        n = b.copy(db, to=tmp_path / "db.bin", buffer_size=3 * PAGE,
                   progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (n, n)
    assert all(done % PAGE == 0 and done <= total for done, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert len(calls) >= n // (3 * PAGE)


def test_low_level_open_read_close(dc):
    with ntds.backup(dc) as b:
        db = b.databases()[0]
        size = b.open(db, read_hint=24576)
        data = bytearray()
        while chunk := b.read(65536):
            data += chunk
        assert len(data) == size and b.read(65536) == b""              # EOF again, not an error
        b.close()
        assert data[:PAGE] == data[PAGE:2 * PAGE]


def test_database_spellings_are_accepted(dc):
    # contract: the UNC from the list, "C:\Windows\NTDS\ntds.dit", and the local path WbResolvePath gives
    local = servers.resolve_path(dc, r"C:\Windows\NTDS\ntds.dit")
    with ntds.backup(dc) as b:
        unc = b.databases()[0].name
        sizes = []
        for spelling in (unc, r"C:\Windows\NTDS\ntds.dit", local, unc.upper().replace("NTDS.DIT", "ntds.DIT")):
            sizes.append(b.open(spelling))
            b.close()
        assert len(set(sizes)) == 1 and sizes[0] == (os.path.getsize(local) // PAGE + 1) * PAGE


def test_a_second_full_backup_works_after_the_first(dc, tmp_path):
    for i in range(2):
        folder = tmp_path / f"b{i}"
        folder.mkdir()
        full_backup(dc, folder)
        servers.write(dc, 5)


def test_context_manager_ends_the_backup_when_the_body_raises(dc, lib):
    with pytest.raises(RuntimeError):
        with ntds.backup(dc) as b:
            b.databases()
            raise RuntimeError("boom")
    assert b.ended
    assert lib.DsBackupEnd(b.hbc) == 87                               # stale: ended by __exit__
    with ntds.backup(dc) as again:                                    # a new backup starts at once
        assert again.databases()


def test_context_manager_ends_the_backup_when_a_call_fails(dc):
    with pytest.raises(winbackup.HResultError) as e:
        with ntds.backup(dc) as b:
            b.read()                                                  # no file open
    assert (e.value.name, e.value.hresult) == ("hrInvalidHandle", 0xC7FF0003)
    with ntds.backup(dc):
        pass


def test_a_dead_process_ends_its_backup(dc, root):
    # contract: "A process that dies ends its backup (the next Prepare works)."
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(winbackup.__path__[0] + '/..')!r})
        import winbackup
        b = winbackup.ntds.backup("DC01")
        print("started", flush=True)
        os._exit(0)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "started" in result.stdout, result.stderr
    with ntds.backup(dc) as b:
        assert b.databases()


def test_is_online_follows_start_and_stop(dc):
    assert ntds.is_online(dc) is True
    assert ntds.is_online("\\\\dc01") is True                         # leading \\ optional, any case
    servers.stop(dc)
    assert ntds.is_online(dc) is False
    servers.start(dc)
    assert ntds.is_online(dc) is True


def test_set_current_backup_log(dc):
    ntds.set_current_backup_log(dc, 3)
    ntds.set_current_backup_log(dc, ntds.BACKUP_DISABLE_INCREMENTAL)


def test_two_servers_back_up_in_parallel(tmp_path):
    # ntdsbcli.h: different HBCs run in parallel (ctypes releases the GIL during each call)
    for name in ("DC01", "DC02"):
        servers.create(name, db_size="4M")
        servers.write(name, 10)
    failures = []

    def run(name):
        try:
            folder = tmp_path / name
            folder.mkdir()
            full_backup(name, folder)
        except Exception as e:                                       # reported by the main thread
            failures.append((name, e))

    threads = [threading.Thread(target=run, args=(name,)) for name in ("DC01", "DC02")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    for name in ("DC01", "DC02"):
        live = open(servers.resolve_path(name, r"C:\Windows\NTDS\ntds.dit"), "rb").read()
        stream = (tmp_path / name / "ntds.dit").read_bytes()
        assert stream[2 * PAGE:-PAGE] == live[2 * PAGE:]


def test_reads_on_one_handle_from_several_threads(dc, lib):
    # ntdsbcli.h: calls on one HBC are serialised; every byte is delivered once
    with ntds.backup(dc) as b:
        size = b.open(b.databases()[0])
        totals, results = [], []

        def reader():
            buffer, got, total = ctypes.create_string_buffer(3 * PAGE), _lib.DWORD(0), 0
            while (hr := lib.DsBackupRead(b.hbc, buffer, 3 * PAGE, ctypes.byref(got))) == 0:
                total += got.value
            totals.append(total)
            results.append(hr)

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        b.close()
    assert results == [ntds.ERROR_HANDLE_EOF] * 4 and sum(totals) == size


def test_backup_while_the_server_writes_is_valid(dc, tmp_path, winbackupctl):
    # the point of an online backup: the database plus the listed logs make a consistent set
    folder = tmp_path / "hot"
    folder.mkdir()
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            servers.write(dc, 2)

    t = threading.Thread(target=writer)
    t.start()
    try:
        full_backup(dc, folder)
    finally:
        stop.set()
        t.join()
    result = subprocess.run([winbackupctl, "verify", "--files", str(folder)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
