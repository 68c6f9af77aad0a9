"""The restore side of docs/CONTRACT-NTDSBCLI.md through the Pythonic API and raw ctypes: round trips
checked by content digest, every refusal (DsRestorePrepare, DsRestoreRegister, RegisterComplete,
DsRestoreEnd, and hard recovery at WbStartServerA) with its exact name and value, handles, and a
restore agent that dies between files."""

import contextlib
import ctypes
import datetime
import hashlib
import os
import re
import signal
import struct
import subprocess
import sys
import textwrap
import time
from ctypes import byref, c_char_p, c_void_p
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO
from winbackup import HResultError, _lib, ntds, servers

PAGE = 8192
EINVAL, ACCESS_DENIED = 87, 5
SENTINEL = 0xDEADBEEF
DAY = 86400
u32 = _lib.u32

hrDatabaseInUse = 0xC80004B2
hrRestoreInProgress = 0xC7FF0004
hrMissingExpiryToken = 0xC7FF000F
hrUnknownExpiryTokenFormat = 0xC7FF0010
hrContentsExpired = 0xC7FF0011
hrCouldNotConnect = 0xC7FF0007

CHECKPOINT_DIR = r"\\DC02\C$\Windows\NTDS"     # DC02's BFT_CHECKPOINT_DIR and BFT_LOG_DIR (one folder)
LOG_DIR = r"\\DC02\C$\Windows\NTDS"
DATABASE = r"\\DC02\C$\Windows\NTDS\ntds.dit"
BACKUP_LOGS = ntds.DEFAULT_BACKUP_LOG_PATH       # C:\WinBackup\RestoredLogs
SOURCE_DATABASE = r"\\DC01\C$\Windows\NTDS\ntds.dit"


@contextlib.contextmanager
def raises(name, hresult):
    """pytest.raises for an HResultError with exactly this name and value."""
    with pytest.raises(HResultError) as info:
        yield info
    assert (info.value.name, info.value.hresult) == (name, hresult), f"got {info.value}"


def log_generation(path):
    """The generation in a log file's header (LGFILEHDR: the checksum, then the generation)."""
    with open(path, "rb") as f:
        return struct.unpack("<2I", f.read(8))[1]


def current_generation(server):
    """The generation of the server's current log (edb.log), read while a writer may roll it."""
    path = servers.resolve_path(server, r"C:\Windows\NTDS\edb.log")
    for _ in range(1000):
        try:
            return log_generation(path)
        except (OSError, struct.error):                   # between the rename and the new edb.log
            time.sleep(0.001)
    return log_generation(path)


@dataclass
class BackupSet:
    """A backup folder as backup_dc.py writes it, and what the test needs to know about it."""
    folder: Path
    token: bytes
    databases: list        # names at backup time (UNC)
    generations: list      # the log generations, in order
    read_in: int = 0       # the current log generation when the database copy ended

    @property
    def gen_low(self):
        return self.generations[0]

    @property
    def gen_high(self):
        return self.generations[-1]

    def log(self, generation):
        return self.folder / f"edb{generation:05X}.log"

    @property
    def digest(self):
        """What a DC restored from this set must hold: the digest recorded at the end of genHigh."""
        return servers.log_digest(self.log(self.gen_high))


def take_backup(server, folder, writes_during_copy=0, writes_before_logs=0, on_database=None):
    """A full backup into folder with the context manager (backup_dc.py's layout). writes_during_copy
    transactions are committed in the middle of the database copy, writes_before_logs between the
    database and the log list; on_database() is called just before the database copy starts."""
    folder.mkdir(parents=True)
    with ntds.backup(server) as b:
        (folder / ntds.TOKEN_FILE).write_bytes(b.expiry_token)
        databases = b.databases()
        for f in databases:
            if on_database:
                on_database()
            if writes_during_copy:
                size = b.open(f)
                with open(folder / f.basename, "wb") as out:
                    out.write(b.read(4 * PAGE))
                    servers.write(server, writes_during_copy)
                    while chunk := b.read():
                        out.write(chunk)
                b.close()
                assert os.path.getsize(folder / f.basename) == size
            else:
                b.copy(f, to=folder, buffer_size=3 * PAGE)
        read_in = current_generation(server)
        if writes_before_logs:
            servers.write(server, writes_before_logs)
        logs = b.logs()
        for f in logs:
            b.copy(f, to=folder)
        b.truncate_logs()
    return BackupSet(folder, b.expiry_token, [f.name for f in databases],
                     [int(f.basename[3:8], 16) for f in logs], read_in)


@pytest.fixture
def backup_set(dc, tmp_path):
    """A hot backup of DC01: pages changed during the database copy, several log generations."""
    servers.write(dc, 10)
    s = take_backup(dc, tmp_path / "backup", writes_during_copy=6, writes_before_logs=4)
    assert len(s.generations) >= 4 and s.read_in > s.gen_low, s
    return s


@pytest.fixture
def dc02():
    """The restore target: a second DC of the same shape, offline (restore mode)."""
    return servers.create("DC02", db_size="2M", logs=2, log_size="64K", offline=True)


@pytest.fixture
def token(dc):
    """An expiry token of DC01 (a backup begun and ended)."""
    with ntds.backup(dc) as b:
        return b.expiry_token


def server_files(server):
    """{path: sha256} of every file of the server's folder."""
    top = Path(servers.resolve_path(server, r"C:\Windows\NTDS\ntds.dit")).parents[3]
    return {str(p.relative_to(top)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(top.rglob("*")) if p.is_file()}


def assert_start_refused(server, name, hresult):
    """WbStartServerA refuses with exactly this code, leaving the DC offline and its files as they were."""
    before = server_files(server)
    with raises(name, hresult):
        servers.start(server)
    assert ntds.is_online(server) is False
    assert server_files(server) == before, "a refused start changed files"


def restore_and_check(backup, server):
    """The fix after a refusal: a good restore of the set, a start, the set's content."""
    ntds.restore_folder(backup.folder, server)
    servers.start(server)
    assert ntds.is_online(server) is True
    assert servers.content_digest(server) == backup.digest


def local(server, path):
    return servers.resolve_path(server, path)


# ---- round trips --------------------------------------------------------------------------------

def test_hot_backup_restores_byte_exact_onto_a_second_dc(tmp_path, winbackupctl):
    servers.create("DC01", db_size="8M", logs=2, log_size="64K")
    servers.create("DC02", db_size="8M", logs=2, log_size="64K", offline=True)
    first = current_generation("DC01")
    writer = subprocess.Popen([winbackupctl, "server", "write", "DC01", "--transactions", "400"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    running = []
    try:
        deadline = time.monotonic() + 30
        while current_generation("DC01") == first and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)                                          # until the writer has rolled a log
        backup = take_backup("DC01", tmp_path / "hot", on_database=lambda: running.append(writer.poll() is None))
    finally:
        _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert running[0], "the writer ended before the database copy began: not a hot backup"
    assert backup.generations == list(range(backup.gen_low, backup.gen_high + 1))

    assert ntds.is_online("DC02") is False
    with ntds.restore("DC02", token=backup.token) as r:               # the walkthrough, step by step
        locations = r.locations()
        assert [(f.kind, f.name) for f in locations] == [
            (ntds.BFT_NTDS_DATABASE, r"\\DC02\C$\Windows\NTDS\ntds.dit"),
            (ntds.BFT_LOG_DIR, r"\\DC02\C$\Windows\NTDS"), (ntds.BFT_CHECKPOINT_DIR, r"\\DC02\C$\Windows\NTDS")]
        r.register(checkpoint_path=locations[2].name, log_path=locations[1].name, backup_log_path=BACKUP_LOGS,
                   databases={backup.databases[0]: locations[0].name},
                   gen_low=backup.gen_low, gen_high=backup.gen_high)
        assert r.install(backup.folder / "ntds.dit", locations[0]) == os.path.getsize(backup.folder / "ntds.dit")
        for generation in backup.generations:
            r.install(backup.log(generation), BACKUP_LOGS + "\\" + backup.log(generation).name)
        r.complete()
    assert ntds.is_online("DC02") is False                             # applied at the next start
    servers.start("DC02")
    assert ntds.is_online("DC02") is True
    assert servers.content_digest("DC02") == backup.digest
    servers.write("DC02", 3)                                           # a working DC
    assert servers.content_digest("DC02") != backup.digest


def test_restore_into_the_same_server(dc, tmp_path):
    servers.write(dc, 10)
    backup = take_backup(dc, tmp_path / "backup", writes_during_copy=4)
    expected = backup.digest
    servers.write(dc, 10)                                              # changes the backup does not hold
    assert servers.content_digest(dc) != expected
    servers.stop(dc)
    result = ntds.restore_folder(backup.folder, dc, start=True)
    assert (result.files, result.gen_low, result.gen_high) == (1 + len(backup.generations),
                                                               backup.gen_low, backup.gen_high)
    assert ntds.is_online(dc) is True
    assert servers.content_digest(dc) == expected
    servers.write(dc, 4)                                               # and it goes on: writes, a new backup
    again = take_backup(dc, tmp_path / "again")
    assert again.gen_low > backup.gen_high


def test_restore_through_the_narrow_functions(backup_set, dc02, lib):
    token = ctypes.create_string_buffer(backup_set.token, len(backup_set.token))
    hbc = _lib.HBC()
    assert u32(lib.DsRestorePrepareA(b"DC02", ntds.RESTORE_TYPE_CATCHUP, token, 128, byref(hbc))) == 0
    try:
        listing, cb = c_char_p(), _lib.DWORD(0)
        assert u32(lib.DsRestoreGetDatabaseLocationsA(hbc, byref(listing), byref(cb))) == 0
        raw = ctypes.string_at(listing, cb.value)
        lib.DsBackupFree(listing)
        assert raw == (b"\x44\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit\0\x82\\\\DC02\\C$\\Windows\\NTDS\0"
                       b"\x83\\\\DC02\\C$\\Windows\\NTDS\0\0")
        rstmap = (_lib.EDB_RSTMAPA * 1)()
        rstmap[0].szDatabaseName = backup_set.databases[0].encode()
        rstmap[0].szNewDatabaseName = rb"C:\Windows\NTDS\ntds.dit"             # the drive spelling
        assert u32(lib.DsRestoreRegisterA(hbc, rb"C:\Windows\NTDS", local("DC02", LOG_DIR).encode(), rstmap, 1,
                                          BACKUP_LOGS.encode(), backup_set.gen_low, backup_set.gen_high)) == 0
        ntds.install("DC02", backup_set.folder / "ntds.dit", DATABASE)
        for generation in backup_set.generations:
            ntds.install("DC02", backup_set.log(generation), BACKUP_LOGS + "\\" + backup_set.log(generation).name)
        assert u32(lib.DsRestoreRegisterComplete(hbc, 0)) == 0
    finally:
        assert u32(lib.DsRestoreEnd(hbc)) == 0
    servers.start("DC02")
    assert servers.content_digest("DC02") == backup_set.digest


@pytest.mark.parametrize("spelling", ["unc", "drive", "local"])
def test_register_accepts_every_path_spelling(backup_set, dc02, spelling):
    spell = {"unc": lambda p: p.replace("C:", r"\\DC02\C$"), "drive": lambda p: p,
             "local": lambda p: local("DC02", p)}[spelling]
    os.makedirs(local("DC02", BACKUP_LOGS), exist_ok=True)
    with ntds.restore("DC02", token=backup_set.token) as r:
        r.register(checkpoint_path=spell(r"C:\Windows\NTDS"), log_path=spell(r"C:\Windows\NTDS"),
                   backup_log_path=spell(BACKUP_LOGS),
                   databases={"any name at all": spell(r"C:\Windows\NTDS\ntds.dit")},
                   gen_low=backup_set.gen_low, gen_high=backup_set.gen_high)
        r.install(backup_set.folder / "ntds.dit", DATABASE)
        for generation in backup_set.generations:
            r.install(backup_set.log(generation), BACKUP_LOGS + "\\" + backup_set.log(generation).name)
        r.complete()
    servers.start("DC02")
    assert servers.content_digest("DC02") == backup_set.digest


def test_catchup_flag_and_a_token_of_a_rebuilt_dc(backup_set, dc02):
    # RESTORE_TYPE_CATCHUP is the default; a token names its server, another DC may take it
    with ntds.restore("\\\\dc02", token=backup_set.token, rt_flag=ntds.RESTORE_TYPE_CATCHUP) as r:
        assert r.database_locations()[0].name == DATABASE
    restore_and_check(backup_set, "DC02")


# ---- DsRestorePrepare ---------------------------------------------------------------------------

def test_prepare_on_an_online_dc_is_database_in_use(dc, token):
    for t in (token, None):
        with raises("hrDatabaseInUse", hrDatabaseInUse):
            ntds.restore(dc, token=t)
    with raises("hrDatabaseInUse", hrDatabaseInUse):
        ntds.restore(dc, token=bytes(128))                  # the DC's state before the token's content
    assert ntds.is_online(dc) is True
    servers.write(dc, 1)                                    # nothing was changed


def test_prepare_null_arguments_and_restore_types(dc02, lib, token):
    buffer = ctypes.create_string_buffer(token, 128)
    for prepare, server in ((lib.DsRestorePrepareW, _lib.wstr("DC02")), (lib.DsRestorePrepareA, b"DC02")):
        hbc = _lib.HBC(SENTINEL)
        assert u32(prepare(None, 0, buffer, 128, byref(hbc))) == EINVAL
        assert u32(prepare(server, 0, buffer, 128, None)) == EINVAL
        assert u32(prepare(None, 0, None, 0, None)) == EINVAL
        for rt_flag in (ntds.RESTORE_TYPE_AUTHORATATIVE, ntds.RESTORE_TYPE_ONLINE, 3, 5, 8, 0xFFFFFFFF):
            assert u32(prepare(server, rt_flag, buffer, 128, byref(hbc))) == EINVAL, rt_flag
        assert u32(prepare(server, 1, buffer, 127, byref(hbc))) == EINVAL       # the flag before the token size
        assert hbc.value == SENTINEL
        for rt_flag in (0, ntds.RESTORE_TYPE_CATCHUP):
            assert u32(prepare(server, rt_flag, buffer, 128, byref(hbc))) == 0 and hbc.value not in (None, SENTINEL)
            assert u32(lib.DsRestoreEnd(hbc)) == 0
    servers.start("DC02")


def test_prepare_checks_in_order(dc, dc02, token):
    servers.create("CA01", role="certsrv", db_size="1M", offline=True)
    short = token[:127]
    # a token of the wrong size is refused before the name is looked at, and before the DC's state
    for server in ("DC_02", "", "DC09", "CA01", dc, "DC02"):
        with raises("hrUnknownExpiryTokenFormat", hrUnknownExpiryTokenFormat):
            ntds.restore(server, token=short)
    for server in ("DC_02", "..", "", "DC02\\x", "a..b", "-DC02"):
        with raises("ERROR_INVALID_PARAMETER", EINVAL):
            ntds.restore(server, token=token)
    for server in ("DC09", "CA01"):
        with raises("hrCouldNotConnect", hrCouldNotConnect):
            ntds.restore(server, token=token)
    ntds.set_auth_identity("restorer", "CORP", "pw")
    with raises("ERROR_ACCESS_DENIED", ACCESS_DENIED):
        ntds.restore("DC02", token=token)
    with raises("ERROR_ACCESS_DENIED", ACCESS_DENIED):
        ntds.restore(dc, token=token)                        # credentials before the DC's state
    servers.allow("DC02", "CORP\\restorer", "pw")
    with ntds.restore("DC02", token=token):
        pass
    ntds.set_auth_identity(None)
    with raises("hrDatabaseInUse", hrDatabaseInUse):
        ntds.restore(dc, token=b"\xff" * 128)                # the DC's state before the token's content
    servers.start("DC02")


def test_a_token_of_the_wrong_size_is_not_read(dc02):
    # contract: cbToken != 128 -> hrUnknownExpiryTokenFormat, "the token is not read then". A pointer
    # to unmapped memory would crash the process if it were; a child process runs it.
    script = textwrap.dedent(f"""
        import ctypes, sys
        sys.path.insert(0, {str(REPO / 'examples' / 'python')!r})
        from winbackup import _lib
        lib = _lib.load()
        for cb in (1, 127, 129, 4096, 0xFFFFFFFF):
            hbc = _lib.HBC()
            hr = lib.DsRestorePrepareW(_lib.wstr("DC02"), 0, ctypes.c_void_p(0x10), cb, ctypes.byref(hbc))
            print(hex(_lib.u32(hr)))
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [hex(hrUnknownExpiryTokenFormat)] * 5


def reseal(token, offset, data):
    """A token with bytes changed and its SHA-256 recomputed: well formed, but not ours."""
    t = bytearray(token)
    t[offset:offset + len(data)] = data
    t[96:] = hashlib.sha256(bytes(t[:96])).digest()
    return bytes(t)


def flip(token, offset):
    t = bytearray(token)
    t[offset] ^= 0x01
    return bytes(t)


BAD_TOKENS = {
    "time-byte-changed": lambda t: flip(t, 8),
    "tombstone-byte-changed": lambda t: flip(t, 16),
    "name-byte-changed": lambda t: flip(t, 40),
    "checksum-byte-changed": lambda t: flip(t, 127),
    "truncated": lambda t: t[:127],
    "truncated-to-96": lambda t: t[:96],
    "one-byte-more": lambda t: t + b"\0",
    "empty": lambda t: b"",
    "zeros": lambda t: bytes(128),
    "garbage": lambda t: hashlib.sha512(b"not a token").digest() * 2,
    "magic": lambda t: reseal(t, 0, b"WBEX"),
    "version-2": lambda t: reseal(t, 4, struct.pack("<H", 2)),
    "size-field-127": lambda t: reseal(t, 6, struct.pack("<H", 127)),
    "role-certsrv": lambda t: reseal(t, 20, struct.pack("<I", 2)),
    "role-ese": lambda t: reseal(t, 20, struct.pack("<I", 3)),
}


@pytest.mark.parametrize("damage", BAD_TOKENS, ids=list(BAD_TOKENS))
def test_a_bad_token_is_an_unknown_format(backup_set, dc02, damage):
    with raises("hrUnknownExpiryTokenFormat", hrUnknownExpiryTokenFormat):
        ntds.restore("DC02", token=BAD_TOKENS[damage](backup_set.token))
    assert ntds.is_online("DC02") is False
    servers.start("DC02")                                     # nothing registered: the DC starts
    servers.stop("DC02")
    restore_and_check(backup_set, "DC02")                     # and the real token restores


def test_a_resealed_unchanged_token_is_accepted(dc02, token):
    # reseal() computes the checksum as docs/expiry-token.md says: a control for the cases above
    with ntds.restore("DC02", token=reseal(token, 0, token[:4])):
        pass


def test_missing_token_gives_a_restricted_context(backup_set, dc02, lib):
    with ntds.restore("DC02") as r:
        assert r.restricted
        assert [(f.kind, f.name) for f in r.locations()] == [
            (0x44, DATABASE), (0x82, LOG_DIR), (0x83, CHECKPOINT_DIR)]
        with raises("hrMissingExpiryToken", hrMissingExpiryToken):
            r.register(databases={SOURCE_DATABASE: DATABASE}, gen_low=backup_set.gen_low, gen_high=backup_set.gen_high)
        # restricted is checked before the arguments
        assert u32(lib.DsRestoreRegisterW(r.hbc, None, None, None, 0, None, 0, 0)) == hrMissingExpiryToken
        assert u32(lib.DsRestoreRegisterA(r.hbc, None, None, None, 0, None, 0, 0)) == hrMissingExpiryToken
        with raises("hrMissingExpiryToken", hrMissingExpiryToken):
            r.complete()
        with raises("hrMissingExpiryToken", hrMissingExpiryToken):
            r.complete(ntds.E_FAIL)
    hbc = _lib.HBC()                                          # NULL token, any size: restricted too
    assert u32(lib.DsRestorePrepareW(_lib.wstr("DC02"), 0, None, 128, byref(hbc))) == 0
    assert u32(lib.DsRestoreRegisterComplete(hbc, 0)) == hrMissingExpiryToken
    assert u32(lib.DsRestoreEnd(hbc)) == 0
    servers.start("DC02")                                     # nothing was registered
    servers.stop("DC02")
    restore_and_check(backup_set, "DC02")


def test_an_expired_backup(backup_set, dc02, winbackupctl):
    # the DC's tombstone lifetime (180 days by default), by the DC's clock
    servers.set_clock_offset("DC02", datetime.timedelta(days=181))
    with raises("hrContentsExpired", 0xC7FF0011):
        ntds.restore("DC02", token=backup_set.token)
    with ntds.restore("DC02"):                                # no token: nothing to expire
        pass
    servers.set_clock_offset("DC02", 179 * DAY)
    with ntds.restore("DC02", token=backup_set.token):
        pass
    subprocess.run([winbackupctl, "server", "set", "DC02", "--clock-offset", "200d"], check=True, capture_output=True)
    with raises("hrContentsExpired", 0xC7FF0011):
        ntds.restore("DC02", token=backup_set.token)
    servers.set_clock_offset("DC02", 0)
    assert ntds.is_online("DC02") is False
    restore_and_check(backup_set, "DC02")


def test_expiry_follows_the_target_dcs_tombstone_lifetime(backup_set):
    servers.create("DC02", offline=True, tombstone_lifetime=60)
    servers.set_clock_offset("DC02", 61 * DAY)
    with raises("hrContentsExpired", 0xC7FF0011):
        ntds.restore("DC02", token=backup_set.token)
    servers.set_clock_offset("DC02", 59 * DAY)
    restore_and_check(backup_set, "DC02")


def test_the_clock_offset_is_the_servers_own(backup_set, dc02):
    servers.create("DC03", offline=True)
    servers.set_clock_offset("DC03", 400 * DAY)
    with ntds.restore("DC02", token=backup_set.token):        # DC03's clock is not DC02's
        pass
    with raises("hrContentsExpired", 0xC7FF0011):
        ntds.restore("DC03", token=backup_set.token)
    with raises("hrCouldNotConnect", hrCouldNotConnect):
        servers.set_clock_offset("DC09", DAY)


# ---- DsRestoreRegister ----------------------------------------------------------------------------

def register_raw(lib, hbc, checkpoint=CHECKPOINT_DIR, log=LOG_DIR, pairs=((SOURCE_DATABASE, DATABASE),), count=None,
                 backup_logs=BACKUP_LOGS, gen_low=1, gen_high=2, null_map=False, narrow=False):
    """DsRestoreRegisterW (or A) with valid arguments but for those given; the unsigned result."""
    keep = []

    def text(value):
        if value is None:
            return None
        buffer = value.encode() if narrow else _lib.wstr(value)
        keep.append(buffer)
        return buffer if narrow else ctypes.cast(buffer, _lib.LPWSTR)

    entry_type = _lib.EDB_RSTMAPA if narrow else _lib.EDB_RSTMAPW
    entries = (entry_type * max(len(pairs), 1))()
    for entry, (original, new) in zip(entries, pairs):
        entry_fields = [f[0] for f in entry_type._fields_]
        setattr(entry, entry_fields[0], text(original))
        setattr(entry, entry_fields[1], text(new))
    fn = lib.DsRestoreRegisterA if narrow else lib.DsRestoreRegisterW
    path = (lambda p: None if p is None else p.encode()) if narrow else _lib.wstr
    return u32(fn(hbc, path(checkpoint), path(log), None if null_map else entries,
                  len(pairs) if count is None else count, path(backup_logs), gen_low, gen_high))


GOOD = ((SOURCE_DATABASE, DATABASE),)
REGISTER_ERRORS = {
    # NULL paths, the map
    "null-checkpoint": (dict(checkpoint=None), EINVAL),
    "null-log-path": (dict(log=None), EINVAL),
    "null-backup-log-path": (dict(backup_logs=None), EINVAL),
    "null-map": (dict(null_map=True), EINVAL),
    "count-0": (dict(count=0), EINVAL),
    "count-negative": (dict(count=-1), EINVAL),
    "count-257": (dict(pairs=GOOD * 257), EINVAL),
    "null-original-name": (dict(pairs=((None, DATABASE),)), EINVAL),
    "null-new-name": (dict(pairs=((SOURCE_DATABASE, None),)), EINVAL),
    # generations
    "gen-low-0": (dict(gen_low=0), EINVAL),
    "gen-low-above-gen-high": (dict(gen_low=5, gen_high=4), EINVAL),
    "gen-high-above-0xFFFFF": (dict(gen_low=1, gen_high=0x100000), EINVAL),
    "gen-high-0xFFFFFFFF": (dict(gen_low=1, gen_high=0xFFFFFFFF), EINVAL),
    # paths
    "checkpoint-not-the-location": (dict(checkpoint=r"C:\Windows"), EINVAL),
    "checkpoint-a-file": (dict(checkpoint=r"C:\Windows\NTDS\edb.chk"), EINVAL),
    "log-path-not-the-location": (dict(log=r"C:\WinBackup\RestoredLogs"), EINVAL),
    "log-path-relative": (dict(log=r"Windows\NTDS"), EINVAL),
    "checkpoint-of-another-server": (dict(checkpoint=r"\\DC01\C$\Windows\NTDS"), ACCESS_DENIED),
    "log-path-of-an-unknown-server": (dict(log=r"\\DC09\C$\Windows\NTDS"), ACCESS_DENIED),
    "backup-logs-of-another-server": (dict(backup_logs=r"\\DC01\C$\WinBackup\RestoredLogs"), ACCESS_DENIED),
    "backup-logs-out-of-the-folder": (dict(backup_logs="/tmp"), ACCESS_DENIED),
    "backup-logs-dot-dot": (dict(backup_logs=r"C:\WinBackup\..\RestoredLogs"), EINVAL),
    "checkpoint-dot-dot": (dict(checkpoint=r"C:\Windows\NTDS\..\NTDS"), EINVAL),
    # the map's entries
    "empty-original-name": (dict(pairs=(("", DATABASE),)), EINVAL),
    "new-name-not-a-database-location": (dict(pairs=((SOURCE_DATABASE, r"C:\Windows\NTDS\other.dit"),)), EINVAL),
    "new-name-the-log-folder": (dict(pairs=((SOURCE_DATABASE, LOG_DIR),)), EINVAL),
    "new-name-twice": (dict(pairs=((SOURCE_DATABASE, DATABASE), (r"\\DC01\C$\x.dit", DATABASE))), EINVAL),
    # checked in the contract's order
    "generations-before-paths": (dict(gen_low=0, checkpoint=r"\\DC01\C$\Windows\NTDS"), EINVAL),
    "paths-before-entries": (dict(checkpoint=r"\\DC01\C$\Windows\NTDS", pairs=(("", DATABASE),)), ACCESS_DENIED),
}


@pytest.mark.parametrize("narrow", [False, True], ids=["W", "A"])
@pytest.mark.parametrize("case", REGISTER_ERRORS, ids=list(REGISTER_ERRORS))
def test_register_argument_errors(dc, dc02, lib, token, case, narrow):
    arguments, expected = REGISTER_ERRORS[case]
    with ntds.restore("DC02", token=token) as r:
        assert register_raw(lib, r.hbc, narrow=narrow, **arguments) == expected
        assert u32(lib.DsRestoreRegisterComplete(r.hbc, 0)) == EINVAL      # nothing was registered
    servers.start("DC02")                                                  # the DC starts: nothing recorded


def test_register_refuses_a_symbolic_link_leading_out_of_the_dc(dc02, lib, token, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    link = Path(local("DC02", r"C:\WinBackup\Out"))
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    with ntds.restore("DC02", token=token) as r:
        assert register_raw(lib, r.hbc, backup_logs=r"C:\WinBackup\Out") == ACCESS_DENIED
        assert register_raw(lib, r.hbc, backup_logs=str(link)) == ACCESS_DENIED
    servers.start("DC02")


def test_register_accepts_any_original_name(dc02, lib, token):
    for original in (r"\\ELSEWHERE\C$\Windows\NTDS\ntds.dit", "ntds.dit", "x"):
        with ntds.restore("DC02", token=token) as r:
            assert register_raw(lib, r.hbc, pairs=((original, DATABASE),)) == 0
    with ntds.restore("DC02", token=token) as r:                           # the full range of generations
        assert register_raw(lib, r.hbc, gen_low=1, gen_high=0xFFFFF) == 0
        assert register_raw(lib, r.hbc, gen_low=0xFFFFF, gen_high=0xFFFFF) == 0
        assert register_raw(lib, r.hbc, count=256, pairs=GOOD * 256) == EINVAL   # in range, but the location twice


def test_register_on_a_dc_started_meanwhile(dc02, lib, token):
    with ntds.restore("DC02", token=token) as r:
        servers.start("DC02")                                              # nothing registered yet: it starts
        assert register_raw(lib, r.hbc) == hrDatabaseInUse
        assert register_raw(lib, r.hbc, checkpoint=None) == EINVAL          # NULL arguments before the DC's state
        assert register_raw(lib, r.hbc, null_map=True) == EINVAL
        assert register_raw(lib, r.hbc, count=0) == EINVAL
        assert register_raw(lib, r.hbc, pairs=((SOURCE_DATABASE, None),)) == EINVAL
        assert register_raw(lib, r.hbc, gen_low=0) == hrDatabaseInUse       # the DC's state before the rest
        assert register_raw(lib, r.hbc, backup_logs="/tmp") == hrDatabaseInUse
        assert register_raw(lib, r.hbc, pairs=(("", DATABASE),)) == hrDatabaseInUse
    assert ntds.is_online("DC02") is True
    servers.write("DC02", 1)


def test_registering_again_from_the_same_session_replaces_it(backup_set, dc02):
    with ntds.restore("DC02", token=backup_set.token) as r:
        db = r.database_locations()[0]
        r.register(databases={"first": db}, gen_low=1, gen_high=0xFFFFF)
        r.register(databases={backup_set.databases[0]: db}, gen_low=backup_set.gen_low, gen_high=backup_set.gen_high)
        r.install(backup_set.folder / "ntds.dit", db)
        for generation in backup_set.generations:
            r.install(backup_set.log(generation), BACKUP_LOGS + "\\" + backup_set.log(generation).name)
        r.complete()
    servers.start("DC02")                                                  # the second registration was applied
    assert servers.content_digest("DC02") == backup_set.digest


def test_registration_is_recorded(dc02, token, winbackupctl):
    def show():
        return subprocess.run([winbackupctl, "server", "show", "DC02"], capture_output=True, text=True,
                              check=True).stdout
    before = show()
    with ntds.restore("DC02", token=token) as r:
        r.register(databases={SOURCE_DATABASE: DATABASE}, gen_low=3, gen_high=7)
        shown = show()
    assert shown != before and re.search(r"restor", shown, re.I), shown


# ---- DsRestoreRegisterComplete, DsRestoreEnd --------------------------------------------------------

def test_register_complete_errors(dc02, lib, token):
    with ntds.restore("DC02", token=token) as r:
        assert u32(lib.DsRestoreRegisterComplete(r.hbc, 0)) == EINVAL        # nothing registered
        assert u32(lib.DsRestoreRegisterComplete(r.hbc, _lib.s32(ntds.E_FAIL))) == EINVAL
        assert register_raw(lib, r.hbc, gen_low=0) == EINVAL
        assert u32(lib.DsRestoreRegisterComplete(r.hbc, 0)) == EINVAL        # a failed register is nothing
    with ntds.restore("DC02") as r:
        assert u32(lib.DsRestoreRegisterComplete(r.hbc, 0)) == hrMissingExpiryToken
    servers.start("DC02")


def test_restore_end_errors(dc, dc02, lib, token):
    r = ntds.restore("DC02", token=token)
    assert u32(lib.DsRestoreEnd(r.hbc)) == 0
    assert u32(lib.DsRestoreEnd(r.hbc)) == EINVAL                            # ended
    with ntds.backup(dc) as b:
        assert u32(lib.DsRestoreEnd(b.hbc)) == EINVAL                        # a backup context
        assert u32(lib.DsRestoreRegisterComplete(b.hbc, 0)) == EINVAL
        assert register_raw(lib, b.hbc) == EINVAL
        assert b.databases()                                                 # the backup goes on
        assert [f.kind for f in b.locations()] == [0x44, 0x82, 0x83]          # locations take a backup context
        assert b.locations()[0].name == SOURCE_DATABASE


def test_locations_arguments(dc02, lib, token, capfd):
    for t in (token, None):
        with ntds.restore("DC02", token=t) as r:
            for fn, pointer_type, wide in ((lib.DsRestoreGetDatabaseLocationsW, _lib.LPWSTR, True),
                                           (lib.DsRestoreGetDatabaseLocationsA, c_char_p, False)):
                pointer, cb = pointer_type(), _lib.DWORD(SENTINEL)
                assert u32(fn(r.hbc, None, byref(cb))) == EINVAL and cb.value == SENTINEL
                assert u32(fn(r.hbc, byref(pointer), None)) == EINVAL and not pointer
                not_null = ctypes.cast(c_void_p(0x1000), pointer_type)      # *list need not be NULL on entry
                assert u32(fn(r.hbc, byref(not_null), byref(cb))) == 0
                entries = [f"\x44{DATABASE}", f"\x82{LOG_DIR}", f"\x83{CHECKPOINT_DIR}"]
                text = "\0".join(entries) + "\0\0"
                expected = text.encode("utf-16-le") if wide else text.encode("latin-1")
                assert cb.value == len(expected) and ctypes.string_at(not_null, cb.value) == expected
                lib.DsBackupFree(not_null)
    assert capfd.readouterr().err == ""                                      # freed: the library's buffers


# ---- handles ------------------------------------------------------------------------------------

RESTORE_HANDLE_FUNCTIONS = ["DsRestoreGetDatabaseLocationsW", "DsRestoreGetDatabaseLocationsA", "DsRestoreRegisterW",
                            "DsRestoreRegisterA", "DsRestoreRegisterComplete", "DsRestoreEnd"]
BACKUP_HANDLE_FUNCTIONS = ["DsBackupGetDatabaseNamesW", "DsBackupGetDatabaseNamesA", "DsBackupOpenFileW",
                           "DsBackupOpenFileA", "DsBackupRead", "DsBackupClose", "DsBackupGetBackupLogsW",
                           "DsBackupGetBackupLogsA", "DsBackupTruncateLogs", "DsBackupEnd"]


def call_with_handle(lib, name, hbc):
    """Calls an HBC function with valid other arguments; the unsigned result. Out-parameters that
    must stay untouched are checked."""
    fn = getattr(lib, name)
    if name.startswith(("DsRestoreGet", "DsBackupGetD", "DsBackupGetB")):
        pointer, cb = (_lib.LPWSTR if name.endswith("W") else c_char_p)(), _lib.DWORD(SENTINEL)
        hr = u32(fn(hbc, byref(pointer), byref(cb)))
        if hr != 0:
            assert not pointer and cb.value == SENTINEL, name
        else:
            lib.DsBackupFree(pointer)
        return hr
    if name.startswith("DsRestoreRegister") and name != "DsRestoreRegisterComplete":
        return register_raw(lib, hbc, narrow=name.endswith("A"))
    if name == "DsRestoreRegisterComplete":
        return u32(fn(hbc, 0))
    if name.startswith("DsBackupOpenFile"):
        path = r"C:\Windows\NTDS\ntds.dit"
        return u32(fn(hbc, _lib.wstr(path) if name.endswith("W") else path.encode(), 3 * PAGE,
                      byref(_lib.LARGE_INTEGER(0))))
    if name == "DsBackupRead":
        return u32(fn(hbc, ctypes.create_string_buffer(3 * PAGE), 3 * PAGE, byref(_lib.DWORD(0))))
    return u32(fn(hbc))


@pytest.mark.parametrize("name", RESTORE_HANDLE_FUNCTIONS)
def test_null_and_garbage_restore_handles(dc, dc02, lib, token, name):
    with ntds.restore("DC02", token=token) as live, ntds.backup(dc) as backup:   # live contexts to confuse
        for garbage in (None, 0x1234, 1, SENTINEL, 0xFFFFFFFFFFFFFFFF, 0x7FFF00001234, live.hbc.value + 1,
                        live.hbc.value ^ (1 << 32), live.hbc.value ^ (1 << 40), backup.hbc.value + 1):
            assert call_with_handle(lib, name, c_void_p(garbage)) == EINVAL, hex(garbage or 0)
        assert call_with_handle(lib, "DsRestoreGetDatabaseLocationsW", live.hbc) == 0   # the real ones still work
        assert backup.databases()
    servers.start("DC02")                                                  # nothing was registered


def test_restore_handles_are_stale_after_end_even_in_a_new_restore(dc02, lib, token):
    first = ntds.restore("DC02", token=token)
    first.end()
    with ntds.restore("DC02", token=token) as second:
        assert second.hbc.value != first.hbc.value
        for name in RESTORE_HANDLE_FUNCTIONS:
            assert call_with_handle(lib, name, first.hbc) == EINVAL, name
        assert call_with_handle(lib, "DsRestoreGetDatabaseLocationsW", second.hbc) == 0


@pytest.mark.parametrize("name", BACKUP_HANDLE_FUNCTIONS)
def test_a_restore_context_is_not_a_backup_context(dc02, lib, token, name):
    with ntds.restore("DC02", token=token) as r:
        assert call_with_handle(lib, name, r.hbc) == EINVAL
        assert call_with_handle(lib, "DsRestoreGetDatabaseLocationsW", r.hbc) == 0   # and it still works


def test_a_backup_context_is_not_a_restore_context(dc, lib):
    with ntds.backup(dc) as b:
        for name in ("DsRestoreRegisterW", "DsRestoreRegisterA", "DsRestoreRegisterComplete", "DsRestoreEnd"):
            assert call_with_handle(lib, name, b.hbc) == EINVAL, name
        for name in ("DsRestoreGetDatabaseLocationsW", "DsRestoreGetDatabaseLocationsA"):
            assert call_with_handle(lib, name, b.hbc) == 0, name
        assert b.databases()


# ---- a DC with a registration open or failed does not start ----------------------------------------

def test_a_dc_does_not_start_while_a_registration_is_open(backup_set, dc02):
    r = ntds.restore("DC02", token=backup_set.token)
    r.register(databases={backup_set.databases[0]: DATABASE}, gen_low=backup_set.gen_low, gen_high=backup_set.gen_high)
    assert_start_refused("DC02", "hrRestoreInProgress", hrRestoreInProgress)
    r.install(backup_set.folder / "ntds.dit", DATABASE)                      # copied, never completed
    r.end()                                                                # an uncompleted registration stays
    assert_start_refused("DC02", "hrRestoreInProgress", hrRestoreInProgress)
    restore_and_check(backup_set, "DC02")                                  # a new session registers over it


def test_a_dc_does_not_start_after_a_failed_restore(backup_set, dc02):
    with ntds.restore("DC02", token=backup_set.token) as r:
        r.register(databases={backup_set.databases[0]: DATABASE}, gen_low=backup_set.gen_low,
                   gen_high=backup_set.gen_high)
        r.complete(ntds.E_FAIL)
    assert_start_refused("DC02", "hrRestoreInProgress", hrRestoreInProgress)
    with ntds.restore("DC02", token=backup_set.token) as r:                # a good registration, failed again
        r.register(databases={backup_set.databases[0]: DATABASE}, gen_low=backup_set.gen_low,
                   gen_high=backup_set.gen_high)
        r.complete(0xC8000210)
    assert_start_refused("DC02", "hrRestoreInProgress", hrRestoreInProgress)
    restore_and_check(backup_set, "DC02")


def test_the_context_manager_reports_a_failed_copy(backup_set, dc02):
    with pytest.raises(FileNotFoundError):
        with ntds.restore("DC02", token=backup_set.token) as r:
            r.register(databases={backup_set.databases[0]: DATABASE}, gen_low=backup_set.gen_low,
                       gen_high=backup_set.gen_high)
            r.install(backup_set.folder / "no-such-file.dit", DATABASE)
    assert r.ended and r.completed                                         # RegisterComplete(E_FAIL), then End
    assert_start_refused("DC02", "hrRestoreInProgress", hrRestoreInProgress)
    with pytest.raises(RuntimeError):
        with ntds.restore("DC02", token=backup_set.token) as r:            # raised before registering:
            raise RuntimeError("boom")                                     # only ended
    assert r.ended and not r.registered
    restore_and_check(backup_set, "DC02")


def test_a_completed_restore_applies_before_its_session_ends(backup_set, dc02, lib):
    # RegisterComplete(S_OK): "the restore is complete; the DC's next start applies it"
    r = ntds.restore("DC02", token=backup_set.token)
    r.register(databases={backup_set.databases[0]: DATABASE}, gen_low=backup_set.gen_low, gen_high=backup_set.gen_high)
    ntds.install("DC02", backup_set.folder / "ntds.dit", DATABASE)
    for generation in backup_set.generations:
        ntds.install("DC02", backup_set.log(generation), BACKUP_LOGS + "\\" + backup_set.log(generation).name)
    r.complete()
    servers.start("DC02")
    assert servers.content_digest("DC02") == backup_set.digest
    assert u32(lib.DsRestoreEnd(r.hbc)) == 0


def test_a_successful_restore_leaves_no_registration(backup_set, dc02):
    restore_and_check(backup_set, "DC02")
    servers.stop("DC02")
    servers.start("DC02")                                                  # a plain restart: nothing to apply
    assert servers.content_digest("DC02") == backup_set.digest


# ---- hard recovery refusals ------------------------------------------------------------------------

def restored_log(generation):
    return Path(local("DC02", BACKUP_LOGS)) / f"edb{generation:05X}.log"


def restored_database():
    return Path(local("DC02", DATABASE))


def damage(path, offset, mask=0xFF):
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ mask]))


def case_missing_log(s, tmp_path):
    ntds.restore_folder(s.folder, "DC02")
    restored_log(s.gen_low + 1).unlink()


def case_missing_last_log(s, tmp_path):
    ntds.restore_folder(s.folder, "DC02")
    restored_log(s.gen_high).unlink()


def case_damaged_log(s, tmp_path):
    ntds.restore_folder(s.folder, "DC02")
    damage(restored_log(s.gen_low + 1), 4096 + 100)                         # a record of the first segment


def case_log_cut_short(s, tmp_path):
    ntds.restore_folder(s.folder, "DC02")
    with open(restored_log(s.gen_low + 1), "r+b") as f:
        f.truncate(4096 + 4096)                                            # header and one segment: no end


def case_corrupt_page(s, tmp_path):
    ntds.restore_folder(s.folder, "DC02")
    db = restored_database()
    pages = os.path.getsize(db) // PAGE - 3
    # two single bits of page pages//2: a whole byte inverted leaves the XE checksum's ECC half
    # unchanged and reads as a valid page of another number (WB_HR_READ_PGNO_VERIFY_FAILURE)
    at = (pages // 2 + 1) * PAGE
    damage(db, at + 1000, 0x01)
    damage(db, at + 3001, 0x10)


def case_nothing_copied(s, tmp_path):
    with ntds.restore("DC02", token=s.token) as r:
        r.register(databases={s.databases[0]: DATABASE}, gen_low=s.gen_low, gen_high=s.gen_high)
        r.complete()


def case_database_missing(s, tmp_path):
    ntds.restore_folder(s.folder, "DC02")
    restored_database().unlink()


def case_database_cut_short(s, tmp_path):
    ntds.restore_folder(s.folder, "DC02")
    db = restored_database()
    with open(db, "r+b") as f:
        f.truncate(os.path.getsize(db) - PAGE)                              # no trailer page


def case_gen_low_too_high(s, tmp_path):
    ntds.restore_folder(s.folder, "DC02", gen_low=s.gen_low + 1)


def case_gen_high_too_low(s, tmp_path):
    assert s.read_in > s.gen_low                                           # the copy was read in a later generation
    ntds.restore_folder(s.folder, "DC02", gen_high=s.gen_low)


def case_not_contiguous(s, tmp_path):
    ntds.restore_folder(s.folder, "DC02")
    restored_log(s.gen_low + 1).write_bytes(s.log(s.gen_low + 2).read_bytes())   # the header says gen+2


def case_log_of_another_server(s, tmp_path):
    servers.create("DC03", db_size="2M", logs=2, log_size="64K")       # another log stream, as far on
    while current_generation("DC03") <= s.gen_low + 1:
        servers.write("DC03", 1)
    foreign = Path(local("DC03", r"C:\Windows\NTDS")) / f"edb{s.gen_low + 1:05X}.log"
    assert log_generation(foreign) == s.gen_low + 1
    ntds.restore_folder(s.folder, "DC02")
    restored_log(s.gen_low + 1).write_bytes(foreign.read_bytes())


def case_database_of_another_server(s, tmp_path):
    # DC03's copy needs generation s.gen_low (its checkpoint at Prepare) and was read in it: the
    # generation checks pass. No restored log is of its log stream, and the logs agree among
    # themselves: the database copy is the foreign one (hrBadDbSignature).
    servers.create("DC03", db_size="2M", logs=2, log_size="64K")
    while current_generation("DC03") < s.gen_low:
        servers.write("DC03", 1)
    other = take_backup("DC03", tmp_path / "dc03")
    assert other.gen_low == s.gen_low and other.read_in == s.gen_low, other
    ntds.restore_folder(s.folder, "DC02")
    with ntds.restore("DC02", token=s.token) as r:
        r.register(databases={other.databases[0]: DATABASE}, gen_low=s.gen_low, gen_high=s.gen_high)
        r.install(other.folder / "ntds.dit", DATABASE)
        r.complete()


def legacy_xor(page):
    """ESE's header checksum: 0x89ABCDEF xor every little-endian dword from offset 4 on."""
    acc = 0x89ABCDEF
    for (dword,) in struct.iter_unpack("<I", page[4:]):
        acc ^= dword
    return acc


def case_another_database_of_the_log_stream(s, tmp_path):
    # the same log stream, another database: the copy's signDb (DBFILEHDR offset 24, 28 bytes)
    # changed wherever the stream holds it (header, shadow, trailer), each page resealed
    ntds.restore_folder(s.folder, "DC02")
    data = bytearray(restored_database().read_bytes())
    old = bytes(data[24:52])
    new = bytes([old[0] ^ 0x5A]) + old[1:]
    for at in (0, PAGE, len(data) - PAGE):
        page = bytes(data[at:at + PAGE])
        assert old in page, at
        page = page.replace(old, new)
        data[at:at + PAGE] = struct.pack("<I", legacy_xor(page)) + page[4:]
    restored_database().write_bytes(bytes(data))


def case_backup_copy_without_a_restore(s, tmp_path):
    Path(local("DC02", DATABASE)).write_bytes((s.folder / "ntds.dit").read_bytes())


HARD_RECOVERY = {
    "missing-log": (case_missing_log, "hrMissingLogFile", 0xC8000210),
    "missing-last-log": (case_missing_last_log, "hrMissingLogFile", 0xC8000210),
    "damaged-log": (case_damaged_log, "hrLogFileCorrupt", 0xC80001F5),
    "log-cut-short": (case_log_cut_short, "hrLogFileCorrupt", 0xC80001F5),
    "corrupt-page": (case_corrupt_page, "hrReadVerifyFailure", 0xC80003FA),
    "nothing-copied": (case_nothing_copied, "JET_errRestoreOfNonBackupDatabase", 0xC8000267),
    "database-missing": (case_database_missing, "hrFileNotFound", 0xC8000713),
    "database-cut-short": (case_database_cut_short, "hrDatabaseCorrupted", 0xC80004B6),
    "gen-low-too-high": (case_gen_low_too_high, "hrRestoreLogTooHigh", 0xC800022A),
    "gen-high-too-low": (case_gen_high_too_low, "hrRestoreLogTooLow", 0xC8000229),
    "log-not-contiguous": (case_not_contiguous, "hrGivenLogFileIsNotContiguous", 0xC800022C),
    "log-of-another-server": (case_log_of_another_server, "hrBadLogSignature", 0xC8000212),
    "database-of-another-server": (case_database_of_another_server, "hrBadDbSignature", 0xC8000213),
    "another-database-of-the-log-stream": (case_another_database_of_the_log_stream, "hrBadDbSignature", 0xC8000213),
    "backup-copy-without-a-restore": (case_backup_copy_without_a_restore, "JET_errSoftRecoveryOnBackupDatabase",
                                      0xC8000220),
}


@pytest.mark.parametrize("case", HARD_RECOVERY, ids=list(HARD_RECOVERY))
def test_hard_recovery_refusals(backup_set, dc02, tmp_path, case):
    prepare_case, name, hresult = HARD_RECOVERY[case]
    prepare_case(backup_set, tmp_path)
    assert_start_refused("DC02", name, hresult)
    assert_start_refused("DC02", name, hresult)                            # the same answer again
    restore_and_check(backup_set, "DC02")                                  # the fix: a good restore


# ---- a restore agent that dies between files ------------------------------------------------------

AGENT = """
import sys, time
sys.path.insert(0, {path!r})
from pathlib import Path
from winbackup import ntds
folder = Path({folder!r})
r = ntds.restore("DC02", token=(folder / "expiry-token.bin").read_bytes())
db = r.database_locations()[0]
r.register(databases={{{name!r}: db}}, gen_low={low}, gen_high={high})
r.install(folder / "ntds.dit", db)                  # the database, not the logs
print("ready", flush=True)
time.sleep(120)
"""


def test_a_restore_agent_killed_between_files(backup_set, dc02, lib):
    script = AGENT.format(path=str(REPO / "examples" / "python"), folder=str(backup_set.folder),
                          name=backup_set.databases[0], low=backup_set.gen_low, high=backup_set.gen_high)
    agent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = agent.stdout.readline()
        assert line.strip() == "ready", agent.stderr.read() if agent.poll() is not None else line
        with ntds.restore("DC02", token=backup_set.token) as r:            # while it lives
            assert register_raw(lib, r.hbc, pairs=((SOURCE_DATABASE, r"C:\nope.dit"),)) == EINVAL   # entries first
            with raises("hrRestoreInProgress", hrRestoreInProgress):
                r.register(databases={backup_set.databases[0]: DATABASE}, gen_low=backup_set.gen_low,
                           gen_high=backup_set.gen_high)
        assert_start_refused("DC02", "hrRestoreInProgress", hrRestoreInProgress)
    finally:
        agent.send_signal(signal.SIGKILL)
        agent.communicate(timeout=60)
    assert agent.returncode == -signal.SIGKILL
    assert_start_refused("DC02", "hrRestoreInProgress", hrRestoreInProgress)   # half restored: it stays shut
    restore_and_check(backup_set, "DC02")                                      # a new restore registers over it


# ---- servers.* helpers and the example --------------------------------------------------------------

def test_digests(backup_set, dc, dc02):
    digest = servers.content_digest(dc)
    assert re.fullmatch(r"[0-9a-f]{64}", digest) and servers.content_digest("dc01") == digest
    assert re.fullmatch(r"[0-9a-f]{64}", backup_set.digest)
    assert servers.log_digest(str(backup_set.log(backup_set.gen_high))) == backup_set.digest
    assert len({servers.log_digest(backup_set.log(g)) for g in backup_set.generations}) > 1
    servers.write(dc, 2)
    assert servers.content_digest(dc) != digest
    with raises("hrCouldNotConnect", hrCouldNotConnect):
        servers.content_digest("DC09")
    damaged = backup_set.folder / "damaged.log"
    damaged.write_bytes(backup_set.log(backup_set.gen_high).read_bytes())
    damage(damaged, 4096 + 100)
    with raises("hrLogFileCorrupt", 0xC80001F5):
        servers.log_digest(damaged)


def test_digest_buffers(dc, lib):
    small = ctypes.create_string_buffer(64)
    assert u32(lib.WbGetContentDigestA(b"DC01", small, 64)) == 122             # ERROR_INSUFFICIENT_BUFFER
    big = ctypes.create_string_buffer(65)
    assert u32(lib.WbGetContentDigestA(b"DC01", big, 65)) == 0 and len(big.value) == 64


def test_restore_example_script(root, tmp_path, winbackupctl):
    folder = tmp_path / "dc01"
    examples = REPO / "examples" / "python"
    env = dict(os.environ, PYTHONPATH=str(examples))
    backup = subprocess.run([sys.executable, str(examples / "backup_dc.py"), "DC01", str(folder), "--create",
                             "--truncate"], capture_output=True, text=True, timeout=300, env=env)
    assert backup.returncode == 0, backup.stderr
    script = str(examples / "restore_dc.py")
    online = subprocess.run([sys.executable, script, str(folder), "DC01"], capture_output=True, text=True, env=env)
    assert online.returncode == 1 and "is running" in online.stderr
    for server, options in (("DC02", ["--create"]), ("DC01", ["--stop"])):
        run = subprocess.run([sys.executable, script, str(folder), server, "--start", *options],
                             capture_output=True, text=True, timeout=300, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        assert re.search(r"restore registered: \d+ files, \d+ bytes, log generations \d+-\d+", run.stdout), run.stdout
        assert "identical to the content recorded at the end of log generation" in run.stdout, run.stdout
    failed = subprocess.run([sys.executable, script, str(folder), "NOPE"], capture_output=True, text=True, env=env)
    assert failed.returncode == 1 and "hrCouldNotConnect (0xC7FF0007)" in failed.stderr
