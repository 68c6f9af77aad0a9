"""The backup side of Certadm (CertSrv*) and the CA itself, docs/CONTRACT-CERTADM.md: server states
(running, paused, stopped) through CertSrvIsServerOnlineW and CertSrvServerControlW, the checks of
CertSrvBackupPrepareW in order, the lists, OpenFile (only listed names, the read-hint rounding),
Read of any size (S_OK and 0 bytes at the end, where DsBackupRead says ERROR_HANDLE_EOF), Close,
GetBackupLogs, TruncateLogs, End, incremental (LOGS_ONLY) backups, and the call-order matrix."""

import contextlib
import ctypes
import os
import re
import struct
import subprocess
import sys
import textwrap
import threading
from ctypes import byref

import pytest

import winbackup
from winbackup import HResultError, _lib, certsrv, ntds, servers

u32 = _lib.u32
PAGE = 8192
SENTINEL = 0xDEADBEEF
S_OK = 0
E_POINTER, E_INVALIDARG, E_HANDLE = 0x80004003, 0x80070057, 0x80070006
E_ACCESSDENIED, RPC_UNAVAILABLE = 0x80070005, 0x800706BA
hrInvalidHandle, hrAlreadyOpen = 0xC7FF0003, 0xC7FF0005
hrBackupInProgress, hrNoBackup, hrInvalidBackupSequence = 0xC80001F9, 0xC8000208, 0xC8000209
hrInvalidBackup, hrMissingFullBackup = 0xC800020E, 0xC8000230
MISSING_FILE_TO_BACKUP, LOG_FILE_NOT_COPIED, ABORT_BY_SERVER = 0xC8000239, 0xC8000268, 0xC8000321
hrReadVerifyFailure, LOG_READ_VERIFY_FAILURE = 0xC80003FA, 0xC8000264
ERROR_HANDLE_EOF = 38

CERTLOG = r"C:\Windows\System32\CertLog"
DATABASE_UNC = r"\\CA01\C$\Windows\System32\CertLog\CA01-CA.edb"
CRL_UNC = r"\\CA01\C$\Windows\System32\CertSrv\CertEnroll\CA01-CA.crl"
CRT_UNC = r"\\CA01\C$\Windows\System32\CertSrv\CertEnroll\CA01_CA01-CA.crt"


@contextlib.contextmanager
def raises(hresult):
    """pytest.raises for an HResultError of exactly this value (its name is checked too)."""
    with pytest.raises(HResultError) as info:
        yield info
    assert info.value.hresult == hresult, f"expected 0x{hresult:08X}, got {info.value}"
    assert info.value.name == winbackup.errors.name_of(hresult)


def log_generation(path):
    """The generation in a log file's header (LGFILEHDR: the checksum, then the generation)."""
    with open(path, "rb") as f:
        return struct.unpack("<2I", f.read(8))[1]


def current_generation(server):
    return log_generation(servers.resolve_path(server, CERTLOG + r"\edb.log"))


def archived_generations(server):
    folder = servers.resolve_path(server, CERTLOG)
    return sorted(int(n[3:8], 16) for n in os.listdir(folder) if re.fullmatch(r"edb[0-9A-F]{5}\.log", n))


def generation(f):
    return int(f.basename[3:8], 16)


def raw_list(lib, function, hbc):
    """A list function through ctypes: (unsigned hr, the multi-string as text, cb)."""
    pointer, cb = _lib.LPWSTR(), _lib.DWORD(0)
    hr = u32(getattr(lib, function)(hbc, byref(pointer), byref(cb)))
    if hr:
        return hr, None, None
    text = ctypes.string_at(pointer, cb.value).decode("utf-16-le")
    lib.CertSrvBackupFree(pointer)
    return hr, text, cb.value


def full_backup(server, folder, truncate=True):
    """A complete full backup (backup_folder) into folder."""
    return certsrv.backup_folder(server, folder, truncate=truncate)


def read_all(b, sizes):
    """Reads the open file with the buffer sizes in turn (cycled) until a read gives 0 bytes;
    checks each read filled its buffer unless the file ended. Returns the bytes."""
    out, i = bytearray(), 0
    while True:
        cb = sizes[i % len(sizes)]
        chunk = b.read(cb)
        if not chunk:
            return bytes(out)
        assert len(chunk) <= cb
        if len(chunk) < cb:                                        # short only at the end
            assert b.read(cb) == b""
            return bytes(out + chunk)
        out += chunk
        i += 1


# ---- CertSrvIsServerOnlineW: running, paused, stopped ---------------------------------------------

def test_is_online_running_paused_stopped(ca, lib):
    online = _lib.BOOL(-7)
    assert u32(lib.CertSrvIsServerOnlineW(_lib.wstr(ca), byref(online))) == S_OK and online.value == 1
    certsrv.server_control(ca, certsrv.CSCONTROL_SUSPEND)             # paused: S_OK, FALSE
    online.value = -7
    assert u32(lib.CertSrvIsServerOnlineW(_lib.wstr(ca), byref(online))) == S_OK and online.value == 0
    servers.start(ca)                                                 # WbStartServerA resumes a paused CA
    assert certsrv.is_online(ca) is True
    servers.stop(ca)                                                  # stopped: RPC unavailable, *pf untouched
    online.value = -7
    assert u32(lib.CertSrvIsServerOnlineW(_lib.wstr(ca), byref(online))) == RPC_UNAVAILABLE
    assert online.value == -7
    servers.start(ca)
    assert certsrv.is_online(ca) is True


def test_server_names_and_config_strings(ca):
    servers.create("DC01", db_size="2M", logs=2, log_size="64K")
    servers.create("CA03", role="certsrv", db_size="2M", logs=2, log_size="64K", ca_name="Contoso Root CA")
    for name in ("CA01", "\\\\CA01", "ca01", "\\\\ca01", "CA01\\CA01-CA", "ca01\\ca01-ca", "\\\\CA01\\CA01-CA",
                 "CA03\\contoso root ca", "CA03"):
        assert certsrv.is_online(name) is True, name
    for name in ("CA01\\Other CA", "CA03\\CA03-CA", "CA09", "DC01", "CA09\\CA01-CA"):
        with raises(RPC_UNAVAILABLE):                                 # another CA name, unknown, not a CA
            certsrv.is_online(name)
        with raises(RPC_UNAVAILABLE):
            certsrv.backup(name)
        with raises(RPC_UNAVAILABLE):
            certsrv.server_control(name, certsrv.CSCONTROL_SUSPEND)
    for name in ("CA_01", "CA/01", "..", "", "-CA01", "a..b", "x" * 64, "CA01\\"):
        with raises(E_INVALIDARG):                                    # malformed (Ntdsbcli's name rules)
            certsrv.is_online(name)
        with raises(E_INVALIDARG):
            certsrv.backup(name)
        with raises(E_INVALIDARG):
            certsrv.server_control(name, certsrv.CSCONTROL_SUSPEND)
        with raises(E_INVALIDARG):
            certsrv.restore(name)
    assert certsrv.is_online(ca) is True                              # nothing was paused


def test_refused_credentials_are_access_denied(ca):
    servers.allow(ca, "CORP\\ops", "s3cret")
    ntds.set_auth_identity("ops", "CORP", "wrong")
    with raises(E_ACCESSDENIED):
        certsrv.is_online(ca)
    with raises(E_ACCESSDENIED):
        certsrv.backup(ca)
    with raises(E_ACCESSDENIED):
        certsrv.server_control(ca, certsrv.CSCONTROL_SUSPEND)
    servers.stop(ca)                                                  # credentials before the state
    with raises(E_ACCESSDENIED):
        certsrv.is_online(ca)
    with raises(E_ACCESSDENIED):
        certsrv.backup(ca)
    with raises(E_ACCESSDENIED):
        certsrv.restore(ca)
    ntds.set_auth_identity("ops", "CORP", "s3cret")
    with raises(RPC_UNAVAILABLE):
        certsrv.is_online(ca)
    servers.start(ca)
    assert certsrv.is_online(ca) is True
    with certsrv.backup(ca) as b:
        assert b.database_names()


# ---- CertSrvServerControlW ------------------------------------------------------------------------

def test_server_control_suspend_restart_shutdown(ca, lib, tmp_path):
    def control(name, flags):
        cb, out = _lib.DWORD(SENTINEL), ctypes.cast(ctypes.c_void_p(0x1000), ctypes.POINTER(_lib.BYTE))
        hr = u32(lib.CertSrvServerControlW(_lib.wstr(name), flags, byref(cb), byref(out)))
        return hr, cb.value, ctypes.cast(out, ctypes.c_void_p).value

    assert control(ca, certsrv.CSCONTROL_SUSPEND) == (S_OK, 0, None)  # no output: 0 and NULL
    assert certsrv.is_online(ca) is False
    with pytest.raises(HResultError):                                 # a paused CA issues nothing
        servers.write(ca, 1)
    full = full_backup(ca, tmp_path / "paused")                       # ... and backs up
    assert full.databases and full.logs
    assert control(ca, certsrv.CSCONTROL_SUSPEND) == (S_OK, 0, None)  # again: still paused
    digest = servers.content_digest(ca)
    assert control(ca, certsrv.CSCONTROL_RESTART) == (S_OK, 0, None)  # a paused CA comes back running
    assert certsrv.is_online(ca) is True and servers.content_digest(ca) == digest
    servers.write(ca, 2)
    assert control(ca, certsrv.CSCONTROL_RESTART) == (S_OK, 0, None)  # running: stop, start
    assert certsrv.is_online(ca) is True
    assert control(ca, certsrv.CSCONTROL_SHUTDOWN) == (S_OK, 0, None)
    with raises(RPC_UNAVAILABLE):
        certsrv.is_online(ca)
    for flags in (certsrv.CSCONTROL_SHUTDOWN, certsrv.CSCONTROL_SUSPEND, certsrv.CSCONTROL_RESTART):
        assert control(ca, flags) == (RPC_UNAVAILABLE, SENTINEL, 0x1000)   # nothing to talk to; untouched
    servers.start(ca)
    assert certsrv.is_online(ca) is True
    assert control(ca, certsrv.CSCONTROL_SUSPEND) == (S_OK, 0, None)
    assert control(ca, certsrv.CSCONTROL_SHUTDOWN) == (S_OK, 0, None)  # a paused CA stops too
    with raises(RPC_UNAVAILABLE):
        certsrv.is_online(ca)
    servers.start(ca)


def test_server_control_bad_flags_and_names(ca, lib):
    servers.create("DC01", db_size="2M", logs=2, log_size="64K")
    cb = _lib.DWORD(SENTINEL)
    for flags in (0, 4, 0x10, 0xFFFFFFFF):
        assert u32(lib.CertSrvServerControlW(_lib.wstr(ca), flags, byref(cb), None)) == E_INVALIDARG, flags
        assert u32(lib.CertSrvServerControlW(_lib.wstr("NOPE"), flags, None, None)) == E_INVALIDARG  # flags first
        assert u32(lib.CertSrvServerControlW(_lib.wstr("CA_01"), flags, None, None)) == E_INVALIDARG
    assert cb.value == SENTINEL
    assert u32(lib.CertSrvServerControlW(_lib.wstr("CA_01"), 2, None, None)) == E_INVALIDARG
    assert u32(lib.CertSrvServerControlW(_lib.wstr("NOPE"), 2, None, None)) == RPC_UNAVAILABLE
    assert u32(lib.CertSrvServerControlW(_lib.wstr("DC01"), 1, None, None)) == RPC_UNAVAILABLE
    assert ntds.is_online("DC01") is True                             # the DC was not touched
    assert certsrv.is_online(ca) is True


def test_shutdown_aborts_a_running_backup(ca):
    with certsrv.backup(ca) as b:
        f = b.database_names()[0]
        b.open(f)
        assert b.read(PAGE)
        certsrv.server_control(ca, certsrv.CSCONTROL_SHUTDOWN)
        with raises(ABORT_BY_SERVER):
            b.database_names()
        with raises(ABORT_BY_SERVER):
            b.read(PAGE)
    servers.start(ca)
    with certsrv.backup(ca) as b:                                     # End worked; a new backup starts
        assert b.database_names()


# ---- CertSrvBackupPrepareW ------------------------------------------------------------------------

def test_prepare_checks_in_the_contract_order(ca, cs_prepare):
    for flags in (0, 3, 4, 0x8, 0xFFFFFFFF):
        hr, hbc = cs_prepare(ca, flags=flags)
        assert (hr, hbc.value) == (E_INVALIDARG, 0x5EB7), flags      # *phbc untouched
    assert cs_prepare("CA_01", flags=4)[0] == E_INVALIDARG            # flags before the name
    assert cs_prepare("NOPE", flags=4)[0] == E_INVALIDARG
    assert cs_prepare("NOPE", grbit=0x2)[0] == RPC_UNAVAILABLE        # the name before grbit
    servers.allow(ca, "CORP\\x", "pw")
    ntds.set_auth_identity("x", "CORP", "bad")
    servers.stop(ca)
    assert cs_prepare(ca, grbit=0x2)[0] == E_ACCESSDENIED             # credentials before the state
    ntds.set_auth_identity(None)
    assert cs_prepare(ca, grbit=0x2)[0] == RPC_UNAVAILABLE            # stopped before grbit
    assert cs_prepare(ca, flags=2)[0] == RPC_UNAVAILABLE              # stopped before "no full backup"
    servers.start(ca)
    for grbit in (0x2, 0x4, 0x8, 0x10, 0x80, 0x100, 0x80000000):
        assert cs_prepare(ca, grbit=grbit)[0] == E_INVALIDARG, hex(grbit)
        assert cs_prepare(ca, grbit=grbit | 0x1)[0] == E_INVALIDARG, hex(grbit)   # grbit before "no full"
    assert cs_prepare(ca, grbit=0x20 | 0x40)[0] == E_INVALIDARG        # an internal copy is never surrogate
    hr, hbc = cs_prepare(ca, grbit=0x40)
    assert hr == S_OK and hbc.value not in (None, 0x5EB7)


def test_a_paused_ca_backs_up(ca, tmp_path):
    certsrv.server_control(ca, certsrv.CSCONTROL_SUSPEND)
    full = full_backup(ca, tmp_path / "full")
    assert certsrv.is_online(ca) is False
    certsrv.server_control(ca, certsrv.CSCONTROL_RESTART)
    servers.write(ca, 5)
    certsrv.server_control(ca, certsrv.CSCONTROL_SUSPEND)
    inc = certsrv.backup_folder(ca, tmp_path / "inc", incremental=True)
    assert inc.gen_high > full.gen_high


def test_logs_only_needs_a_full_backup_that_truncated(ca, tmp_path):
    with raises(hrMissingFullBackup):                                 # 0xC8000230: no full backup at all
        certsrv.backup(ca, incremental=True)
    with raises(hrMissingFullBackup):                                 # FULL with grbitJet 1 is incremental
        certsrv.backup(ca, grbit=0x1)
    full_backup(ca, tmp_path / "copy", truncate=False)                # a full backup, logs kept: a copy
    with raises(hrMissingFullBackup):
        certsrv.backup(ca, incremental=True)
    with certsrv.backup(ca) as b:                                     # a full backup ended early records nothing
        b.copy(b.database_names()[0], to=tmp_path)
    with raises(hrMissingFullBackup):
        certsrv.backup(ca, incremental=True)
    full_backup(ca, tmp_path / "full")
    servers.write(ca, 3)
    with certsrv.backup(ca, incremental=True) as b:
        with raises(hrInvalidBackupSequence):                         # no database in an incremental
            b.database_names()
        assert b.backup_logs()
    with certsrv.backup(ca, grbit=0x1) as b:
        with raises(hrInvalidBackupSequence):
            b.database_names()
        assert b.backup_logs()


def test_logs_only_with_circular_logging():
    servers.create("CA05", role="certsrv", db_size="2M", logs=2, log_size="64K", circular_logging=True)
    with raises(hrInvalidBackup):                                     # 0xC800020E, before "no full backup"
        certsrv.backup("CA05", incremental=True)
    with raises(hrInvalidBackup):
        certsrv.backup("CA05", grbit=0x1)
    with certsrv.backup("CA05") as b:                                 # full backups work
        assert b.database_names()
        with raises(hrInvalidBackup):                                 # ... and circular before "in progress"
            certsrv.backup("CA05", incremental=True)


def test_one_backup_of_a_ca_at_a_time(ca):
    with certsrv.backup(ca):
        for name in (ca, "\\\\ca01", "CA01\\CA01-CA"):
            with raises(hrBackupInProgress):
                certsrv.backup(name)
        with raises(hrBackupInProgress):                              # in progress before "no full backup"
            certsrv.backup(ca, incremental=True)
        with raises(hrBackupInProgress):                              # winbackup.h: no delete meanwhile
            servers.delete(ca)
    with certsrv.backup(ca):
        pass


SCRIPT = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {path!r})
    import winbackup
    try:
        b = winbackup.certsrv.backup("CA01")
    except winbackup.HResultError as e:
        print(e.name, flush=True)
        sys.exit(0)
    print("started", flush=True)
    os._exit(0)
""").format(path=str(winbackup.__path__[0] + "/.."))


def test_a_backup_in_another_process_is_in_progress_and_a_dead_process_ends_its_backup(ca):
    with certsrv.backup(ca):
        result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "hrBackupInProgress", result.stderr
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "started", result.stderr          # it dies holding a backup
    with certsrv.backup(ca) as b:
        assert b.database_names()


# ---- the lists ------------------------------------------------------------------------------------

def test_database_names_exact(ca, lib, cs_prepare):
    hr, hbc = cs_prepare(ca)
    hr, text, cb = raw_list(lib, "CertSrvBackupGetDatabaseNamesW", hbc)
    entry = "\x44" + DATABASE_UNC
    assert hr == S_OK and text == entry + "\0\0" and cb == (len(entry) + 2) * 2
    servers.create("Ca-Main.corp", role="certsrv", db_size="2M", logs=2, log_size="64K", ca_name="Contoso CA")
    with certsrv.backup("CA-MAIN.CORP") as b:                         # spelled as the server was created
        assert b.database_names() == [
            certsrv.BackupFile(0x44, r"\\Ca-Main.corp\C$\Windows\System32\CertLog\Contoso CA.edb")]


def test_dynamic_files_and_locations_exact(ca, lib, cs_prepare, tmp_path):
    hr, hbc = cs_prepare(ca)
    hr, text, cb = raw_list(lib, "CertSrvBackupGetDynamicFileListW", hbc)
    assert hr == S_OK and text == CRL_UNC + "\0" + CRT_UNC + "\0\0"   # no CSBFT character, sorted
    assert cb == len(text) * 2
    hr, text, cb = raw_list(lib, "CertSrvRestoreGetDatabaseLocationsW", hbc)
    folder = r"\\CA01\C$\Windows\System32\CertLog"
    assert hr == S_OK and text == f"\x44{DATABASE_UNC}\0\x82{folder}\0\x83{folder}\0\0" and cb == len(text) * 2
    assert u32(lib.CertSrvBackupEnd(hbc)) == S_OK
    full_backup(ca, tmp_path / "full")
    with certsrv.backup(ca, incremental=True) as b:                   # any live context
        assert [f.name for f in b.dynamic_files()] == [CRL_UNC, CRT_UNC]
        for f in b.dynamic_files():
            assert f.kind is None and os.path.isfile(servers.resolve_path(None, f.name))


# ---- CertSrvBackupOpenFileW -----------------------------------------------------------------------

def test_open_file_refuses_what_is_not_a_full_path_of_the_ca(ca):
    servers.create("CA02", role="certsrv", db_size="2M", logs=2, log_size="64K")
    with certsrv.backup(ca) as b:
        b.database_names()
        for name in ("\x44" + DATABASE_UNC, "\x44" + CERTLOG + r"\CA01-CA.edb", r"CertLog\CA01-CA.edb",
                     "CA01-CA.edb", CERTLOG + r"\..\CertLog\CA01-CA.edb", r"\\CA01\C$\Windows\..\Windows\System32"
                     r"\CertLog\CA01-CA.edb", ""):
            with raises(E_INVALIDARG):
                b.open(name)
        for name in (r"\\CA02\C$\Windows\System32\CertLog\CA02-CA.edb",
                     r"\\CA02\C$\Windows\System32\CertLog\CA01-CA.edb"):
            with raises(E_ACCESSDENIED):                              # another server's path
                b.open(name)
        assert b.open(DATABASE_UNC) > 0                               # the backup went on


def test_open_file_refuses_names_it_did_not_hand_out(ca, tmp_path):
    with certsrv.backup(ca) as b:
        with raises(E_INVALIDARG):                                    # before GetDatabaseNames
            b.open(DATABASE_UNC)
        assert b.read_buffer_size() == 0                              # a failed OpenFile fixes nothing
        db = b.database_names()[0]
        for f in b.dynamic_files():                                   # MS-CSRA: OpenFile MUST reject them
            with raises(E_INVALIDARG):
                b.open(f)
        for name in ("edb.log", "edb.chk", "edb00001.log", "edb00002.log", "edb00003.log", "nothere.log"):
            with raises(E_INVALIDARG):                                # no log list taken yet
                b.open(CERTLOG + "\\" + name)
        b.copy(db, to=tmp_path)
        logs = b.backup_logs()
        assert [f.basename for f in logs] == ["edb00003.log"]
        for name in ("edb.log", "edb.chk", "edb00001.log", "edb00002.log"):   # still not listed
            with raises(E_INVALIDARG):
                b.open(CERTLOG + "\\" + name)
        for f in logs:
            assert b.copy(f, to=tmp_path) == os.path.getsize(servers.resolve_path(ca, f.name))
        b.truncate_logs()                                             # the refusals did not abort it


def test_open_file_accepts_every_spelling_of_a_listed_file(ca):
    local = servers.resolve_path(ca, DATABASE_UNC)
    with certsrv.backup(ca) as b:
        b.database_names()
        sizes = set()
        for name in (DATABASE_UNC, r"\\ca01\c$\windows\system32\certlog\ca01-ca.edb", CERTLOG + r"\CA01-CA.edb",
                     r"c:\WINDOWS\System32\certlog\CA01-ca.EDB", local):
            sizes.add(b.open(name))
            b.close()
        assert sizes == {os.path.getsize(local) + PAGE}               # (pages + 3) * 8192


def test_open_file_sizes_and_already_open(ca):
    with certsrv.backup(ca) as b:
        db = b.database_names()[0]
        file_size = os.path.getsize(servers.resolve_path(ca, db.name))
        pages = file_size // PAGE - 2                                 # two header pages
        assert b.open(db) == (pages + 3) * PAGE
        for name in (db.name, CERTLOG + r"\CA01-CA.edb"):
            with raises(hrAlreadyOpen):                               # 0xC7FF0005
                b.open(name)
        read_all(b, [1 << 20])
        b.close()
        for f in b.backup_logs():
            assert b.open(f) == os.path.getsize(servers.resolve_path(ca, f.name))
            with raises(hrAlreadyOpen):
                b.open(f)
            b.close()


def test_the_database_after_the_log_list_aborts_the_backup(ca, cs_prepare, tmp_path):
    b = certsrv.backup(ca)
    b.copy(b.database_names()[0], to=tmp_path)
    b.backup_logs()
    with raises(hrInvalidBackupSequence):
        b.open(DATABASE_UNC)
    with raises(hrNoBackup):
        b.close()
    with raises(hrNoBackup):
        b.database_names()
    with raises(hrNoBackup):
        b.truncate_logs()
    assert b.dynamic_files()                                          # still a live context
    hr, hbc = cs_prepare(ca)                                          # a new backup works at once
    assert hr == S_OK
    b.end()                                                           # S_OK


def test_a_listed_log_that_disappeared_aborts_the_backup(ca, tmp_path):
    with certsrv.backup(ca) as b:
        b.copy(b.database_names()[0], to=tmp_path)
        servers.write(ca, 4)
        logs = b.backup_logs()
        assert len(logs) >= 2
        os.remove(servers.resolve_path(ca, logs[0].name))
        with raises(MISSING_FILE_TO_BACKUP):                          # 0xC8000239
            b.open(logs[0])
        with raises(hrNoBackup):
            b.open(logs[1])


READ_HINTS = [(0, 262144), (1, 65536), (4096, 65536), (65536, 65536), (65537, 131072), (524288, 524288),
              (524289, 1048576), (3000000, 4194304), (4194304, 4194304), (4194305, 4194304), (0xFFFFFFFF, 4194304)]


def test_read_hint_rounding(ca, tmp_path):
    for hint, size in READ_HINTS:
        with certsrv.backup(ca) as b:
            db = b.database_names()[0]
            assert b.read_buffer_size() == 0                          # not fixed before the first OpenFile
            b.open(db, read_hint=hint)
            assert b.read_buffer_size() == size, hint
            b.close()
            b.open(db, read_hint=1 if hint != 1 else 0xFFFFFFFF)      # later hints change nothing
            assert b.read_buffer_size() == size, hint
            b.close()
            log = b.backup_logs()[0]
            b.open(log, read_hint=0)
            assert b.read_buffer_size() == size, hint
            b.close()


# ---- CertSrvBackupRead ----------------------------------------------------------------------------

ODD_SIZES = [1, 4095, 8193, 524288, 3, 65537, 100000, 8191]


@pytest.mark.parametrize("hint", [1, 0, 0xFFFFFFFF])
def test_read_any_size_gives_the_ds_stream(ca, hint):
    servers.write(ca, 4)
    local = servers.resolve_path(ca, DATABASE_UNC)
    with certsrv.backup(ca) as b:
        size = b.open(b.database_names()[0], read_hint=hint)
        stream = read_all(b, ODD_SIZES)
        b.close()
        assert len(stream) == size
        data = open(local, "rb").read()
        assert stream[0:PAGE] == stream[PAGE:2 * PAGE]                # the header, twice (Ntdsbcli's layout)
        assert stream[2 * PAGE:size - PAGE] == data[2 * PAGE:]        # page pgno at (pgno + 1) * 8192
        for f in b.backup_logs():
            assert b.open(f, read_hint=hint) == os.path.getsize(servers.resolve_path(ca, f.name))
            assert read_all(b, ODD_SIZES[::-1]) == open(servers.resolve_path(ca, f.name), "rb").read()
            b.close()
        b.truncate_logs()                                             # read to the end: copied


def test_end_of_file_is_s_ok_with_0_bytes_where_ds_backup_read_says_38(ca, lib):
    servers.create("DC01", db_size="2M", logs=2, log_size="64K")
    buffer = ctypes.create_string_buffer(1 << 20)
    got = _lib.DWORD()
    with certsrv.backup(ca) as b:
        size, total = b.open(b.database_names()[0]), 0
        while (hr := u32(lib.CertSrvBackupRead(b.hbc, buffer, len(buffer), byref(got)))) == S_OK and got.value:
            total += got.value
        assert (hr, got.value, total) == (S_OK, 0, size)
        for _ in range(2):                                            # and again, still S_OK with 0
            got.value = SENTINEL
            assert u32(lib.CertSrvBackupRead(b.hbc, buffer, len(buffer), byref(got))) == S_OK and got.value == 0
        b.close()
    with ntds.backup("DC01") as d:
        size, total = d.open(d.databases()[0]), 0
        while (hr := lib.DsBackupRead(d.hbc, buffer, len(buffer), byref(got))) == 0:
            total += got.value
        assert (hr, got.value, total) == (ERROR_HANDLE_EOF, 0, size)


def test_read_of_zero_bytes_and_with_no_file_open(ca, lib):
    buffer = ctypes.create_string_buffer(PAGE)
    got = _lib.DWORD(SENTINEL)
    with certsrv.backup(ca) as b:
        assert u32(lib.CertSrvBackupRead(b.hbc, buffer, PAGE, byref(got))) == hrInvalidHandle   # 0xC7FF0003
        assert got.value == SENTINEL
        with raises(hrInvalidHandle):
            b.close()
        db = b.database_names()[0]
        with raises(hrInvalidHandle):                                 # listed, not open
            b.read(PAGE)
        b.open(db)
        assert u32(lib.CertSrvBackupRead(b.hbc, buffer, 0, byref(got))) == S_OK and got.value == 0   # cb 0
        first = b.read(PAGE)                                          # ... did not advance
        b.close()
        b.open(db)
        assert b.read(PAGE) == first
        b.close()
        got.value = SENTINEL
        assert u32(lib.CertSrvBackupRead(b.hbc, buffer, PAGE, byref(got))) == hrInvalidHandle   # after Close
        assert got.value == SENTINEL


def test_read_of_zero_bytes_checks_the_state_first(ca, lib, tmp_path):
    # Read's checks: "no file open -> hrInvalidHandle" comes before the size rules ("cb = 0 -> S_OK,
    # *got = 0" is the answer for an open file); an aborted backup answers hrNoBackup, a stopped CA
    # 0xC8000321, as for any other size. LIBRARY BUG (reported): cb 0 answers S_OK in every state.
    buffer, got = ctypes.create_string_buffer(PAGE), _lib.DWORD(SENTINEL)
    answers = {}
    with certsrv.backup(ca) as b:
        answers["no file open"] = u32(lib.CertSrvBackupRead(b.hbc, buffer, 0, byref(got)))
        b.copy(b.database_names()[0], to=tmp_path)
        b.backup_logs()
        with raises(hrInvalidBackupSequence):
            b.open(DATABASE_UNC)                                      # aborts the backup
        answers["aborted"] = u32(lib.CertSrvBackupRead(b.hbc, buffer, 0, byref(got)))
    with certsrv.backup(ca) as b:
        b.open(b.database_names()[0])
        servers.stop(ca)
        answers["CA stopped"] = u32(lib.CertSrvBackupRead(b.hbc, buffer, 0, byref(got)))
    servers.start(ca)
    assert {k: f"0x{v:08X}" for k, v in answers.items()} == {
        "no file open": f"0x{hrInvalidHandle:08X}", "aborted": f"0x{hrNoBackup:08X}",
        "CA stopped": f"0x{ABORT_BY_SERVER:08X}"}
    assert got.value == SENTINEL


def test_reads_on_one_context_from_several_threads(ca, lib):
    # "Calls on one context are serialised": every byte delivered once, in order within each read
    with certsrv.backup(ca) as b:
        db = b.database_names()[0]
        size = b.open(db)
        reference = read_all(b, [1 << 20])
        b.close()
        b.open(db)
        chunks, results = [], []

        def reader(cb):
            buffer, got = ctypes.create_string_buffer(cb), _lib.DWORD(0)
            while (hr := u32(lib.CertSrvBackupRead(b.hbc, buffer, cb, byref(got)))) == S_OK and got.value:
                chunks.append(buffer.raw[:got.value])
            results.append((hr, got.value))

        threads = [threading.Thread(target=reader, args=(cb,)) for cb in (4095, 8192, 65537, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        b.close()
    assert results == [(S_OK, 0)] * 4 and sum(map(len, chunks)) == size
    assert all(reference.find(c) >= 0 for c in chunks[:50] if len(c) > 64)


def test_copy_with_any_buffer_size_gives_the_same_bytes(ca, tmp_path):
    progress = []
    with certsrv.backup(ca) as b:
        db = b.database_names()[0]
        sizes = {n: b.copy(db, to=tmp_path / f"db-{n}", buffer_size=n, progress=lambda d, t: progress.append((d, t)))
                 for n in (4095, 1 << 20, 65536)}
    assert len(set(sizes.values())) == 1
    assert len({(tmp_path / f"db-{n}").read_bytes() for n in sizes}) == 1
    assert progress[-1] == (sizes[65536], sizes[65536]) and len(progress) > 3


def test_a_page_that_fails_its_checksum(ca, lib, tmp_path):
    path = servers.resolve_path(ca, DATABASE_UNC)
    with open(path, "r+b") as f:                                      # one bit of page 10: its ECC no longer
        f.seek((10 + 1) * PAGE + 4000)                                # matches (a whole byte would read as a
        byte = f.read(1)                                              # valid page of another number)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0x10]))
    with certsrv.backup(ca) as b:
        b.open(b.database_names()[0])
        with raises(hrReadVerifyFailure):                             # 0xC80003FA
            read_all(b, [65536])
        with raises(hrInvalidHandle):                                 # that file is closed
            b.read(PAGE)
        with raises(hrInvalidHandle):
            b.close()
        logs = b.backup_logs()                                        # the backup goes on
        for f in logs:
            b.copy(f, to=tmp_path)


def test_a_damaged_log_aborts_the_backup(ca, tmp_path):
    with certsrv.backup(ca) as b:
        b.copy(b.database_names()[0], to=tmp_path)
        servers.write(ca, 4)
        logs = b.backup_logs()
        with open(servers.resolve_path(ca, logs[0].name), "r+b") as f:
            f.seek(20000)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0xFF]))                           # 8 bits: beyond ESE's one-bit repair
        b.open(logs[0])
        with raises(LOG_READ_VERIFY_FAILURE):                         # 0xC8000264
            read_all(b, [65536])
        with raises(hrNoBackup):
            b.close()
        with raises(hrNoBackup):
            b.open(logs[1])


def test_out_parameters_are_untouched_on_failure(ca, lib, tmp_path):
    full_backup(ca, tmp_path / "full")
    with certsrv.backup(ca, incremental=True) as b:
        pointer, cb = ctypes.cast(ctypes.c_void_p(0x1000), _lib.LPWSTR), _lib.DWORD(SENTINEL)
        assert u32(lib.CertSrvBackupGetDatabaseNamesW(b.hbc, byref(pointer), byref(cb))) == hrInvalidBackupSequence
        size = _lib.LARGE_INTEGER(SENTINEL)
        assert u32(lib.CertSrvBackupOpenFileW(b.hbc, _lib.wstr(DATABASE_UNC), 0, byref(size))) == E_INVALIDARG
        log = b.backup_logs()[0]
        assert u32(lib.CertSrvBackupOpenFileW(b.hbc, _lib.wstr(log.name), 0, byref(size))) == S_OK
        size.value = SENTINEL
        assert u32(lib.CertSrvBackupOpenFileW(b.hbc, _lib.wstr(log.name), 0, byref(size))) == hrAlreadyOpen
        assert u32(lib.CertSrvBackupGetBackupLogsW(b.hbc, byref(pointer), byref(cb))) == hrInvalidBackupSequence
        assert ctypes.cast(pointer, ctypes.c_void_p).value == 0x1000 and cb.value == SENTINEL
        assert size.value == SENTINEL
        b.close()
        servers.stop(ca)
        assert u32(lib.CertSrvRestoreGetDatabaseLocationsW(b.hbc, byref(pointer), byref(cb))) == RPC_UNAVAILABLE
        assert ctypes.cast(pointer, ctypes.c_void_p).value == 0x1000 and cb.value == SENTINEL
        assert u32(lib.CertSrvBackupGetDynamicFileListW(b.hbc, byref(pointer), byref(cb))) == S_OK  # any live context
        lib.CertSrvBackupFree(pointer)
    servers.start(ca)


# ---- CertSrvBackupGetBackupLogsW ------------------------------------------------------------------

def test_log_list_rolls_the_log_once(ca, tmp_path):
    assert current_generation(ca) == 3                                # a new CA: logs 1-2, current 3
    with certsrv.backup(ca) as b:
        b.copy(b.database_names()[0], to=tmp_path)
        b.open(b.database_names()[0])
        with raises(hrInvalidBackupSequence):                         # a file open
            b.backup_logs()
        b.close()
        assert current_generation(ca) == 3
        logs = b.backup_logs()
        assert logs == [certsrv.BackupFile(0x21, r"\\CA01\C$\Windows\System32\CertLog\edb00003.log")]
        assert current_generation(ca) == 4                            # the first call rolled the log
        assert b.backup_logs() == logs and current_generation(ca) == 4


def test_full_log_list_runs_from_the_checkpoint_at_prepare(ca, tmp_path):
    servers.write(ca, 30)
    with certsrv.backup(ca) as b:
        b.copy(b.database_names()[0], to=tmp_path)
        servers.write(ca, 5)                                          # the CA goes on during the backup
        generations = [generation(f) for f in b.backup_logs()]
        after_list = current_generation(ca)
    assert generations == list(range(generations[0], generations[-1] + 1))
    assert generations[-1] == after_list - 1                          # up to the roll the log list made
    assert current_generation(ca) == after_list + 1                   # and End rolls once more
    assert generations[0] > archived_generations(ca)[0]               # from the checkpoint, not the oldest log


def test_incremental_log_list_runs_from_the_oldest_log_on_disk(ca, tmp_path):
    full = full_backup(ca, tmp_path / "full")
    servers.write(ca, 12)
    oldest = archived_generations(ca)[0]
    assert oldest <= full.gen_high + 1
    with certsrv.backup(ca, incremental=True) as b:
        logs = b.backup_logs()
        generations = [generation(f) for f in logs]
        assert generations == list(range(oldest, current_generation(ca)))
        for f in logs:
            b.copy(f, to=tmp_path)
        b.truncate_logs()
    assert archived_generations(ca)[0] > oldest                       # an incremental truncates too


def test_incremental_after_logs_were_deleted_is_refused(ca, tmp_path):
    full = full_backup(ca, tmp_path / "full")
    servers.write(ca, 30)
    for g in archived_generations(ca):                                # logs deleted outside any backup
        if g <= full.gen_high + 2:
            os.remove(servers.resolve_path(ca, f"{CERTLOG}\\edb{g:05X}.log"))
    assert archived_generations(ca)[0] > full.gen_high + 1
    with certsrv.backup(ca, incremental=True) as b:
        with raises(MISSING_FILE_TO_BACKUP):                          # 0xC8000239, aborted
            b.backup_logs()
        with raises(hrNoBackup):
            b.backup_logs()
    full_backup(ca, tmp_path / "again")                               # the remedy: a new full backup
    servers.write(ca, 2)
    certsrv.backup_folder(ca, tmp_path / "inc", incremental=True)


# ---- CertSrvBackupTruncateLogs and CertSrvBackupEnd ----------------------------------------------

def test_truncate_logs_rules(ca, tmp_path):
    with certsrv.backup(ca) as b:
        db = b.database_names()[0]
        with raises(hrInvalidBackupSequence):                         # no log list taken
            b.truncate_logs()
        b.copy(db, to=tmp_path)
        servers.write(ca, 4)
        logs = b.backup_logs()
        assert len(logs) >= 2
        with raises(LOG_FILE_NOT_COPIED):                             # 0xC8000268: none read yet
            b.truncate_logs()
        b.open(logs[0])
        with raises(hrInvalidBackupSequence):                         # a file open
            b.truncate_logs()
        b.read(100)
        b.close()                                                     # closed before its end: not copied
        for f in logs[1:]:
            b.copy(f, to=tmp_path)
        with raises(LOG_FILE_NOT_COPIED):
            b.truncate_logs()
        before = archived_generations(ca)
        b.copy(logs[0], to=tmp_path)
        b.truncate_logs()
        after = archived_generations(ca)
    first, last = generation(logs[0]), generation(logs[-1])
    assert [g for g in before if g < first] and not [g for g in after if g < first]   # older logs gone
    assert [g for g in before if g > last] == [g for g in after if g > last]          # newer ones kept
    assert set(after) < set(before)


def test_end(ca, lib, tmp_path):
    b = certsrv.backup(ca)
    b.open(b.database_names()[0])
    b.read(PAGE)
    assert u32(lib.CertSrvBackupEnd(b.hbc)) == S_OK                   # with a file open
    assert u32(lib.CertSrvBackupEnd(b.hbc)) == E_HANDLE               # a second End
    b.ended = True
    with certsrv.backup(ca) as b:                                     # the next one starts at once
        b.copy(b.database_names()[0], to=tmp_path)
        servers.stop(ca)
        with raises(ABORT_BY_SERVER):
            b.backup_logs()
    assert b.ended                                                    # End was S_OK after the abort
    servers.start(ca)


def test_context_manager_ends_the_backup_when_the_body_raises(ca, lib):
    with pytest.raises(KeyError):
        with certsrv.backup(ca) as b:
            raise KeyError("x")
    assert u32(lib.CertSrvBackupEnd(b.hbc)) == E_HANDLE
    with certsrv.backup(ca):
        pass


# ---- the call-order matrix ------------------------------------------------------------------------

def _open_db(b):
    b.open(DATABASE_UNC)


def _copy_db(b, folder):
    b.copy(b.database_names()[0], to=folder)


STATES = {                         # how to get a fresh full backup context into each state
    "prepared": lambda b, d: None,
    "database listed": lambda b, d: b.database_names(),
    "database open": lambda b, d: (b.database_names(), _open_db(b)),
    "database copied": lambda b, d: _copy_db(b, d),
    "logs listed": lambda b, d: (_copy_db(b, d), b.backup_logs()),
    "log open": lambda b, d: (_copy_db(b, d), b.open(b.backup_logs()[0])),
    "logs copied": lambda b, d: (_copy_db(b, d), [b.copy(f, to=d) for f in b.backup_logs()]),
    "truncated": lambda b, d: (_copy_db(b, d), [b.copy(f, to=d) for f in b.backup_logs()], b.truncate_logs()),
    "aborted": lambda b, d: (_copy_db(b, d), b.backup_logs(), pytest.raises(HResultError, _open_db, b)),
    "incremental": lambda b, d: None,
    "incremental logs listed": lambda b, d: b.backup_logs(),
}
CALLS = ["GetDatabaseNames", "GetBackupLogs", "GetDynamicFileList", "GetDatabaseLocations", "OpenFile(database)",
         "Read", "Close", "TruncateLogs", "End"]
INV, SEQ, OPEN, NOB = hrInvalidHandle, hrInvalidBackupSequence, hrAlreadyOpen, hrNoBackup
NCP, ARG = LOG_FILE_NOT_COPIED, E_INVALIDARG
# One row per state, one column per CALLS entry; None where the contract does not say.
MATRIX = {
    "prepared":                [S_OK, S_OK, S_OK, S_OK, ARG, INV, INV, SEQ, S_OK],
    "database listed":         [S_OK, S_OK, S_OK, S_OK, S_OK, INV, INV, SEQ, S_OK],
    "database open":           [None, SEQ, S_OK, S_OK, OPEN, S_OK, S_OK, SEQ, S_OK],
    "database copied":         [S_OK, S_OK, S_OK, S_OK, S_OK, INV, INV, SEQ, S_OK],
    "logs listed":             [None, S_OK, S_OK, S_OK, SEQ, INV, INV, NCP, S_OK],
    "log open":                [None, SEQ, S_OK, S_OK, None, S_OK, S_OK, SEQ, S_OK],
    "logs copied":             [None, S_OK, S_OK, S_OK, SEQ, INV, INV, S_OK, S_OK],
    "truncated":               [None, S_OK, S_OK, S_OK, SEQ, INV, INV, None, S_OK],
    "aborted":                 [NOB, NOB, S_OK, S_OK, NOB, NOB, NOB, NOB, S_OK],
    "incremental":             [SEQ, S_OK, S_OK, S_OK, ARG, INV, INV, SEQ, S_OK],
    "incremental logs listed": [SEQ, S_OK, S_OK, S_OK, ARG, INV, INV, NCP, S_OK],
}


def matrix_call(lib, name, hbc):
    if name.startswith("Get"):
        function = {"GetDatabaseNames": "CertSrvBackupGetDatabaseNamesW",
                    "GetBackupLogs": "CertSrvBackupGetBackupLogsW",
                    "GetDynamicFileList": "CertSrvBackupGetDynamicFileListW",
                    "GetDatabaseLocations": "CertSrvRestoreGetDatabaseLocationsW"}[name]
        return raw_list(lib, function, hbc)[0]
    if name == "OpenFile(database)":
        return u32(lib.CertSrvBackupOpenFileW(hbc, _lib.wstr(DATABASE_UNC), 0, byref(_lib.LARGE_INTEGER())))
    if name == "Read":
        return u32(lib.CertSrvBackupRead(hbc, ctypes.create_string_buffer(100), 100, byref(_lib.DWORD())))
    return u32(getattr(lib, "CertSrvBackup" + name)(hbc))


@pytest.mark.parametrize("state", list(MATRIX))
def test_call_order_matrix(ca, lib, tmp_path, state):
    incremental = state.startswith("incremental")
    if incremental:
        full_backup(ca, tmp_path / "full")
        servers.write(ca, 2)
    got, expected = {}, {}
    for call, want in zip(CALLS, MATRIX[state]):
        if want is None:
            continue
        folder = tmp_path / call
        folder.mkdir()
        b = certsrv.backup(ca, incremental=incremental)
        try:
            STATES[state](b, folder)
            got[call], expected[call] = matrix_call(lib, call, b.hbc), want
        finally:
            if call == "End" and got.get(call) == S_OK:
                b.ended = True
            b.end()
    assert {k: f"0x{v:08X}" for k, v in got.items()} == {k: f"0x{v:08X}" for k, v in expected.items()}
