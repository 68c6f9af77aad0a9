"""The error paths of docs/CONTRACT-NTDSBCLI.md, through HResultError: exact name and value."""

import contextlib
import ctypes
import os

import pytest

from winbackup import HResultError, _lib, ntds, servers

PAGE = 8192


@contextlib.contextmanager
def raises(name, hresult):
    """pytest.raises for an HResultError with exactly this name and value."""
    with pytest.raises(HResultError) as info:
        yield info
    assert (info.value.name, info.value.hresult) == (name, hresult), f"got {info.value}"


def test_error_carries_name_value_and_function():
    e = HResultError("hrBackupInProgress", 0xC80001F9)
    assert isinstance(e, Exception) and e.name == "hrBackupInProgress" and e.hresult == 0xC80001F9
    e = HResultError.from_hresult(-939523591, "DsBackupPrepareW")             # the signed form
    assert (e.name, e.hresult, e.function) == ("hrBackupInProgress", 0xC80001F9, "DsBackupPrepareW")
    assert "hrBackupInProgress (0xC80001F9)" in str(e)
    assert HResultError.from_hresult(87).name == "ERROR_INVALID_PARAMETER"
    assert HResultError.from_hresult(0xC8000321).name == "WB_HR_BACKUP_ABORT_BY_SERVER"
    assert HResultError.from_hresult(0xC8001234).name == "0xC8001234"


def test_unknown_server_cannot_connect(dc):
    with raises("hrCouldNotConnect", 0xC7FF0007):
        ntds.is_online("DC02")
    with raises("hrCouldNotConnect", 0xC7FF0007):
        ntds.backup("DC02")
    with raises("hrCouldNotConnect", 0xC7FF0007):
        ntds.set_current_backup_log("DC02", 1)


def test_server_of_another_role_cannot_connect():
    servers.create("CA01", role="certsrv", db_size="1M")
    with raises("hrCouldNotConnect", 0xC7FF0007):
        ntds.is_online("CA01")
    with raises("hrCouldNotConnect", 0xC7FF0007):
        ntds.backup("CA01")


def test_malformed_names_are_invalid_parameters(dc):
    for name in ("DC_01", "DC/01", "..", "", "DC01\\x", "a..b"):
        with raises("hrCouldNotConnect", 0xC7FF0007):
            ntds.is_online(name)
        with raises("ERROR_INVALID_PARAMETER", 87):
            ntds.backup(name)
        with raises("ERROR_INVALID_PARAMETER", 87):
            ntds.set_current_backup_log(name, 1)


def test_second_backup_is_in_progress(dc):
    with ntds.backup(dc):
        with raises("hrBackupInProgress", 0xC80001F9):
            ntds.backup(dc)
        with raises("hrBackupInProgress", 0xC80001F9):
            ntds.backup("\\\\dc01")                                  # the same server, spelled otherwise
        with raises("hrBackupInProgress", 0xC80001F9):
            servers.delete(dc)                                       # winbackup.h: delete refused too


@pytest.mark.parametrize("bt_flag", [ntds.BACKUP_TYPE_INCREMENTAL, ntds.BACKUP_TYPE_LOGS_ONLY, 0, 0x8, 0xFFFFFFFF])
def test_only_full_backups(dc, bt_flag):
    with raises("ERROR_INVALID_PARAMETER", 87):
        ntds.backup(dc, bt_flag=bt_flag)


def test_grbit_outside_the_known_bits(dc):
    with raises("WB_HR_INVALID_GRBIT", 0xC8000384):
        ntds.backup(dc, grbit=0x2)
    with raises("WB_HR_INVALID_GRBIT", 0xC8000384):            # an internal copy is neither incremental nor surrogate
        ntds.backup(dc, grbit=0x20 | 0x40)
    with ntds.backup(dc, grbit=0x40):
        pass


def test_incremental_grbit_needs_a_full_backup(dc):
    with raises("hrMissingFullBackup", 0xC8000230):
        ntds.backup(dc, grbit=0x1)


def test_incremental_session_has_no_database_phase(dc, tmp_path):
    with ntds.backup(dc) as b:                                       # a truncated full backup first
        for listing in (b.databases, b.logs):
            for f in listing():
                b.copy(f, to=tmp_path)
        b.truncate_logs()
    servers.write(dc, 5)
    with ntds.backup(dc, grbit=0x1) as b:
        with raises("hrInvalidBackupSequence", 0xC8000209):
            b.databases()
        assert b.logs()


def test_incremental_grbit_with_circular_logging():
    servers.create("DC02", circular_logging=True)
    with raises("hrInvalidBackup", 0xC800020E):
        ntds.backup("DC02", grbit=0x1)


def test_prepare_checks_in_the_contract_order(dc, lib):
    # NULLs, btFlag, malformed name, unknown server, credentials, offline, grbit, incremental, in progress
    def prepare(server, grbit=0, bt_flag=1):
        token, cb, hbc = ctypes.c_void_p(0x5EB7), _lib.DWORD(0xDEADBEEF), _lib.HBC(0x5EB7)
        hr = _lib.u32(lib.DsBackupPrepareW(_lib.wstr(server), grbit, bt_flag, ctypes.byref(token),
                                           ctypes.byref(cb), ctypes.byref(hbc)))
        if hr == 0:
            lib.DsBackupFree(token)
            lib.DsBackupEnd(hbc)
        else:                                                        # out-parameters untouched on failure
            assert (token.value, cb.value, hbc.value) == (0x5EB7, 0xDEADBEEF, 0x5EB7), hex(hr)
        return hr
    assert prepare("DC_01", bt_flag=4) == 87                         # btFlag before the name
    assert prepare("NOPE", bt_flag=4) == 87
    assert prepare("DC_01", grbit=0x2) == 87                         # malformed before grbit
    assert prepare("NOPE", grbit=0x2) == 0xC7FF0007                  # unknown before grbit
    servers.allow(dc, "CORP\\x", "pw")
    ntds.set_auth_identity("x", "CORP", "bad")
    servers.stop(dc)
    assert prepare(dc, grbit=0x2) == 5                               # credentials before offline
    ntds.set_auth_identity(None)
    assert prepare(dc, grbit=0x2) == 0xC7FF0007                      # offline before grbit
    servers.start(dc)
    with ntds.backup(dc):
        assert prepare(dc, grbit=0x2) == 0xC8000384                  # grbit before in progress
        assert prepare(dc) == 0xC80001F9


def test_circular_logging_is_checked_before_backup_in_progress():
    # contract, DsBackupPrepare "checked in this order": grbit 0x1 with circular logging ->
    # hrInvalidBackup, then "a backup of that server running" -> hrBackupInProgress
    servers.create("DC02", circular_logging=True)
    with ntds.backup("DC02"):
        with raises("hrInvalidBackup", 0xC800020E):
            ntds.backup("DC02", grbit=0x1)


def test_backup_in_progress_is_checked_before_missing_full_backup():
    # contract: the running backup (ESE's in-progress check) comes before the check of the
    # database headers for an earlier full backup
    servers.create("DC02")
    with ntds.backup("DC02"):
        with raises("hrBackupInProgress", 0xC80001F9):
            ntds.backup("DC02", grbit=0x1)
    with raises("hrMissingFullBackup", 0xC8000230):
        ntds.backup("DC02", grbit=0x1)


def test_offline_server_cannot_be_backed_up(dc):
    servers.stop(dc)
    with raises("hrCouldNotConnect", 0xC7FF0007):
        ntds.backup(dc)


@pytest.mark.parametrize("size", [0, PAGE, 2 * PAGE, 24577, 3 * PAGE + 1, 3 * PAGE - 1])
def test_read_size_must_be_whole_pages_of_at_least_24576(dc, lib, size):
    with ntds.backup(dc) as b:
        b.open(b.databases()[0])
        with raises("ERROR_INVALID_PARAMETER", 87):
            b.read(size)
        got = _lib.DWORD(0xDEADBEEF)                                 # untouched on failure
        buffer = ctypes.create_string_buffer(max(size, 1))
        assert _lib.u32(lib.DsBackupRead(b.hbc, buffer, size, ctypes.byref(got))) == 87
        assert got.value == 0xDEADBEEF
        assert len(b.read(3 * PAGE)) == 3 * PAGE                    # the file is still readable


@pytest.mark.parametrize("hint", [0, PAGE, 24575, 24577, 2 * PAGE])
def test_open_hint_must_be_whole_pages_of_at_least_24576(dc, hint):
    with ntds.backup(dc) as b:
        db = b.databases()[0]
        with raises("ERROR_INVALID_PARAMETER", 87):
            b.open(db, read_hint=hint)
        assert b.open(db, read_hint=3 * PAGE) > 0


def test_read_before_open_is_an_invalid_handle(dc):
    with ntds.backup(dc) as b:
        with raises("hrInvalidHandle", 0xC7FF0003):
            b.read()
        with raises("hrInvalidHandle", 0xC7FF0003):
            b.close()
        b.databases()
        with raises("hrInvalidHandle", 0xC7FF0003):
            b.read()


def test_second_open_is_already_open(dc):
    with ntds.backup(dc) as b:
        db = b.databases()[0]
        b.open(db)
        with raises("hrAlreadyOpen", 0xC7FF0005):
            b.open(db)
        with raises("hrInvalidBackupSequence", 0xC8000209):       # no log list while a file is open
            b.logs()


def test_stale_handle_after_end(dc, lib):
    b = ntds.backup(dc)
    b.databases()
    b.end()
    stale = b.hbc
    pointer, cb, size, got = _lib.LPWSTR(), _lib.DWORD(0), _lib.LARGE_INTEGER(0), _lib.DWORD(0)
    buffer = ctypes.create_string_buffer(3 * PAGE)
    assert _lib.u32(lib.DsBackupGetDatabaseNamesW(stale, ctypes.byref(pointer), ctypes.byref(cb))) == 87
    assert _lib.u32(lib.DsBackupOpenFileW(stale, _lib.wstr(r"C:\Windows\NTDS\ntds.dit"), 3 * PAGE,
                                          ctypes.byref(size))) == 87
    assert _lib.u32(lib.DsBackupRead(stale, buffer, 3 * PAGE, ctypes.byref(got))) == 87
    assert _lib.u32(lib.DsBackupClose(stale)) == 87
    assert _lib.u32(lib.DsBackupGetBackupLogsW(stale, ctypes.byref(pointer), ctypes.byref(cb))) == 87
    assert _lib.u32(lib.DsBackupTruncateLogs(stale)) == 87
    assert _lib.u32(lib.DsBackupEnd(stale)) == 87
    b.ended = False                                                  # the Python side ends it again
    with raises("ERROR_INVALID_PARAMETER", 87):
        b.end()


def test_truncate_before_the_log_list(dc, tmp_path):
    with ntds.backup(dc) as b:
        with raises("hrInvalidBackupSequence", 0xC8000209):
            b.truncate_logs()
        b.copy(b.databases()[0], to=tmp_path / "ntds.dit")
        with raises("hrInvalidBackupSequence", 0xC8000209):
            b.truncate_logs()


def test_truncate_with_a_file_open(dc, tmp_path):
    with ntds.backup(dc) as b:
        b.copy(b.databases()[0], to=tmp_path / "ntds.dit")
        logs = b.logs()
        b.open(logs[0])
        with raises("hrInvalidBackupSequence", 0xC8000209):
            b.truncate_logs()


def test_truncate_before_every_log_is_copied(dc, tmp_path):
    with ntds.backup(dc) as b:
        b.copy(b.databases()[0], to=tmp_path / "ntds.dit")
        logs = b.logs()
        with raises("WB_HR_LOG_FILE_NOT_COPIED", 0xC8000268):
            b.truncate_logs()
        b.open(logs[0])
        b.read(3 * PAGE)                                             # started, not finished
        b.close()
        with raises("WB_HR_LOG_FILE_NOT_COPIED", 0xC8000268):
            b.truncate_logs()
        for f in logs:
            b.copy(f, to=tmp_path)
        b.truncate_logs()
        b.truncate_logs()                                            # "can be called twice"


def test_database_after_the_log_list_aborts_the_backup(dc, lib):
    b = ntds.backup(dc)
    db = b.databases()[0]
    b.logs()
    with raises("hrInvalidBackupSequence", 0xC8000209):
        b.open(db)
    # "later calls -> hrNoBackup"
    for call in (b.logs, b.databases, lambda: b.open(db), b.read, b.close, b.truncate_logs):
        with raises("hrNoBackup", 0xC8000208):
            call()
    with ntds.backup(dc):                                            # a new backup at once, before End
        pass
    b.end()                                                          # S_OK after an abort


def test_not_a_database_during_the_database_phase(dc):
    with ntds.backup(dc) as b:
        db = b.databases()[0]
        with raises("hrDatabaseNotFound", 0xC80004B3):
            b.open(r"C:\Windows\NTDS\edb.chk")
        assert b.open(db) > 0                                        # the backup goes on


@pytest.mark.parametrize("name", [r"\\DC01\C$\Windows\NTDS\..\NTDS\ntds.dit", r"Windows\NTDS\ntds.dit", "",
                                  "ntds.dit"])
def test_bad_file_names_are_invalid_parameters(dc, name):
    with ntds.backup(dc) as b:
        b.databases()
        with raises("ERROR_INVALID_PARAMETER", 87):
            b.open(name)


def test_a_file_of_another_server_is_access_denied(dc):
    servers.create("DC02")
    with ntds.backup(dc) as b:
        b.databases()
        with raises("ERROR_ACCESS_DENIED", 5):
            b.open(r"\\DC02\C$\Windows\NTDS\ntds.dit")


def test_log_phase_missing_log_and_current_log_abort(dc, tmp_path):
    for name, error in ((r"C:\Windows\NTDS\edb000FF.log", ("WB_HR_MISSING_FILE_TO_BACKUP", 0xC8000239)),
                        (r"C:\Windows\NTDS\edb.log", ("ERROR_INVALID_PARAMETER", 87))):
        with ntds.backup(dc) as b:
            b.copy(b.databases()[0], to=tmp_path / "ntds.dit")
            logs = b.logs()
            with raises(*error):
                b.open(name)
            with raises("hrNoBackup", 0xC8000208):
                b.open(logs[0])


def test_corrupt_page_fails_read_verify(dc, lib, tmp_path):
    path = servers.resolve_path(dc, r"C:\Windows\NTDS\ntds.dit")
    pgno = 10
    with open(path, "r+b") as f:              # one bit flipped in page 10: its ECC no longer matches
        f.seek((pgno + 1) * PAGE + 4000)      # (flips whose bit indices xor to 0 keep the ECC, and
        byte = f.read(1)                      #  read as a valid page at the wrong place instead)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0x10]))
    with ntds.backup(dc) as b:
        with raises("hrReadVerifyFailure", 0xC80003FA):
            b.copy(b.databases()[0], to=tmp_path / "ntds.dit")
        assert _lib.u32(lib.DsBackupClose(b.hbc)) == 0xC7FF0003      # the library closed the file
        assert b.logs()                                              # the backup goes on


def test_valid_page_at_the_wrong_place(dc, tmp_path):
    path = servers.resolve_path(dc, r"C:\Windows\NTDS\ntds.dit")
    with open(path, "r+b") as f:                                     # page 5's bytes where page 6 belongs
        f.seek((5 + 1) * PAGE)
        page5 = f.read(PAGE)
        f.seek((6 + 1) * PAGE)
        f.write(page5)
    with ntds.backup(dc) as b:
        with raises("WB_HR_READ_PGNO_VERIFY_FAILURE", 0xC800045E):
            b.copy(b.databases()[0], to=tmp_path / "ntds.dit")


def test_damaged_log_aborts_the_backup(dc, tmp_path):
    with ntds.backup(dc) as b:
        b.copy(b.databases()[0], to=tmp_path / "ntds.dit")
        log = b.logs()[-1]
        path = servers.resolve_path(dc, log.name)
        with open(path, "r+b") as f:                                 # damage a segment after the header
            f.seek(4096 + 100)
            f.write(b"\xA5" * 64)
        with raises("WB_HR_LOG_READ_VERIFY_FAILURE", 0xC8000264):
            b.copy(log, to=tmp_path)
        with raises("hrNoBackup", 0xC8000208):
            b.logs()


def test_stopped_server_aborts_the_running_backup(dc, lib, tmp_path):
    with ntds.backup(dc) as b:
        db = b.databases()[0]
        b.open(db)
        b.read()
        servers.stop(dc)
        with raises("WB_HR_BACKUP_ABORT_BY_SERVER", 0xC8000321):
            b.read()
        with raises("WB_HR_BACKUP_ABORT_BY_SERVER", 0xC8000321):
            b.databases()
        with raises("WB_HR_BACKUP_ABORT_BY_SERVER", 0xC8000321):
            b.logs()
        with raises("WB_HR_BACKUP_ABORT_BY_SERVER", 0xC8000321):
            b.truncate_logs()
        with raises("WB_HR_BACKUP_ABORT_BY_SERVER", 0xC8000321):
            b.open(r"C:\Windows\NTDS\edb00001.log")
        assert _lib.u32(lib.DsBackupClose(b.hbc)) == 0               # Close and End still work
    servers.start(dc)
    with ntds.backup(dc):
        pass


def test_wrong_credentials_are_access_denied(dc, lib):
    servers.allow(dc, "CORP\\backup", "s3cret")
    ntds.set_auth_identity("backup", "CORP", "wrong")
    with raises("ERROR_ACCESS_DENIED", 5):
        ntds.is_online(dc)
    with raises("ERROR_ACCESS_DENIED", 5):
        ntds.backup(dc)
    ntds.set_auth_identity("other", "CORP", "s3cret")
    with raises("ERROR_ACCESS_DENIED", 5):
        ntds.is_online(dc)
    ntds.set_auth_identity("backup", "CORP", "s3cret")
    assert ntds.is_online(dc)
    with ntds.backup(dc):
        pass
    ntds.set_auth_identity(None)                                     # back to the process identity
    assert ntds.is_online(dc)


def test_credentials_on_a_server_that_only_allows_the_local_user(dc):
    ntds.set_auth_identity("backup", "CORP", "s3cret")
    with raises("ERROR_ACCESS_DENIED", 5):
        ntds.is_online(dc)
    ntds.set_auth_identity(None, None, None)
    assert ntds.is_online(dc)
