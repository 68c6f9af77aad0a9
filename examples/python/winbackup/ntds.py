"""Active Directory backup and restore (Ntdsbcli), the Pythonic way.

    with winbackup.ntds.backup("DC01") as b:      # DsBackupPrepareW ... DsBackupEnd, even on exceptions
        token = b.expiry_token                    # keep it with the backup: a restore needs it
        for f in b.databases():                   # DsBackupGetDatabaseNamesW
            b.copy(f, to=folder)                  # DsBackupOpenFileW / DsBackupRead / DsBackupClose
        for f in b.logs():                        # DsBackupGetBackupLogsW
            b.copy(f, to=folder)
        b.truncate_logs()                         # DsBackupTruncateLogs

A restore goes onto an offline DC (winbackup.servers.stop); the DC applies it when it next starts:

    with winbackup.ntds.restore("DC02", token=token) as r:   # DsRestorePrepareW ... DsRestoreEnd
        db = r.database_locations()[0]            # DsRestoreGetDatabaseLocationsW
        r.register(databases={backed_up_name: db}, gen_low=8, gen_high=13)   # DsRestoreRegisterW
        r.install(folder / "ntds.dit", db)        # deletes the destination, then copies
        for log in logs_8_to_13:                  # into the backup log folder on the DC
            r.install(log, DEFAULT_BACKUP_LOG_PATH + "\\" + log.name)
        r.complete()                              # DsRestoreRegisterComplete(S_OK)
    winbackup.servers.start("DC02")               # hard recovery: replays genLow..genHigh

or, for a folder backup_dc.py (or backup()) wrote: restore_folder(folder, "DC02", start=True).

Every call uses the W (UTF-16) functions; a result other than S_OK raises HResultError.
"""

import ctypes
import os
import re
import shutil
from ctypes import byref
from dataclasses import dataclass
from pathlib import Path

from . import _lib, servers
from .errors import HResultError, check

BACKUP_TYPE_FULL = 0x01
BACKUP_TYPE_LOGS_ONLY = 0x02
BACKUP_TYPE_INCREMENTAL = 0x04
BACKUP_DISABLE_INCREMENTAL = 0xFFFFFFFF
RESTORE_TYPE_AUTHORATATIVE = 0x01   # (the Windows header's spelling) not supported
RESTORE_TYPE_ONLINE = 0x02          # not supported
RESTORE_TYPE_CATCHUP = 0x04         # the default; 0 means the same
ERROR_HANDLE_EOF = 38
E_FAIL = 0x80004005                 # what Restore tells the DC when the body of its with block fails
EXPIRY_TOKEN_SIZE = 128
TOKEN_FILE = "expiry-token.bin"     # where backup_dc.py keeps the token in a backup folder
DEFAULT_BACKUP_LOG_PATH = r"C:\WinBackup\RestoredLogs"   # on the DC: where restored logs are copied
LOG_FILE = re.compile(r"edb([0-9A-F]{5})\.log", re.I)

# The BFT type character in front of each listed name (ntdsbcli.h).
BFT_LOG = 0x21
BFT_LOG_DIR = 0x82
BFT_CHECKPOINT_DIR = 0x83
BFT_NTDS_DATABASE = 0x44
BFT_PATCH_FILE = 0x25
BFT_UNKNOWN = 0x0F
BFT_NAMES = {value: name for name, value in globals().items() if name.startswith("BFT_")}


@dataclass(frozen=True)
class BackupFile:
    """One entry of a database or log list: .kind (the BFT code), .kind_name, .name (the UNC path,
    as DsBackupOpenFile takes it) and .basename ("ntds.dit")."""
    kind: int
    name: str

    @classmethod
    def parse(cls, entry):
        return cls(ord(entry[0]), entry[1:])

    @property
    def kind_name(self):
        return BFT_NAMES.get(self.kind, f"0x{self.kind:02X}")

    @property
    def basename(self):
        return self.name.replace("/", "\\").rsplit("\\", 1)[-1]


def _call(name, *args):
    check(getattr(_lib.load(), name)(*args), name)


def _list(function, hbc):
    """Calls a list function of the W family; the entries as BackupFile objects."""
    pointer, cb = _lib.LPWSTR(), _lib.DWORD(0)
    _call(function, hbc, byref(pointer), byref(cb))
    try:
        return [BackupFile.parse(entry) for entry in _lib.multi_string(pointer, cb.value, wide=True)]
    finally:
        _lib.load().DsBackupFree(pointer)


def _text(path):
    """A path argument as a str: a BackupFile's name, a str, or an os.PathLike (a local path)."""
    return path.name if isinstance(path, BackupFile) else os.fspath(path)


def is_online(server):
    """DsIsNTDSOnlineW: is Active Directory running on the server?"""
    online = _lib.BOOL(0)
    _call("DsIsNTDSOnlineW", _lib.wstr(server), byref(online))
    return bool(online.value)


def set_auth_identity(user=None, domain=None, password=None):
    """DsSetAuthIdentityW: the credentials later calls of this process present; no user goes
    back to the process's own identity."""
    _call("DsSetAuthIdentityW", _lib.wstr(user), _lib.wstr(domain), _lib.wstr(password))


def set_current_backup_log(server, n):
    """DsSetCurrentBackupLogW: records the last backed-up log generation of the server."""
    _call("DsSetCurrentBackupLogW", _lib.wstr(server), n)


def backup(server, grbit=0, bt_flag=BACKUP_TYPE_FULL):
    """Starts a backup (DsBackupPrepareW). Use it in a with block, or call .end()."""
    return Backup(server, grbit, bt_flag)


class Backup:
    """A running backup of one server: the HBC plus the calls that take it."""

    def __init__(self, server, grbit=0, bt_flag=BACKUP_TYPE_FULL):
        self.server = server
        self.hbc = _lib.HBC()
        token, cb = _lib.PVOID(), _lib.DWORD(0)
        _call("DsBackupPrepareW", _lib.wstr(server), grbit, bt_flag, byref(token), byref(cb), byref(self.hbc))
        try:
            self.expiry_token = ctypes.string_at(token, cb.value)
        finally:
            _lib.load().DsBackupFree(token)
        self.ended = False
        self.file_size = None   # of the open file

    # -- lifecycle ----------------------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        try:
            self.end()
        except HResultError:
            if error is None:
                raise            # an End failure matters only if nothing else went wrong

    def end(self):
        """DsBackupEnd, once."""
        if not self.ended:
            self.ended = True
            _call("DsBackupEnd", self.hbc)

    # -- lists ------------------------------------------------------------------------------------
    def databases(self):
        """DsBackupGetDatabaseNamesW: the database files, as BackupFile objects."""
        return _list("DsBackupGetDatabaseNamesW", self.hbc)

    def logs(self):
        """DsBackupGetBackupLogsW: the log files (the first call rolls the current log)."""
        return _list("DsBackupGetBackupLogsW", self.hbc)

    def locations(self):
        """DsRestoreGetDatabaseLocationsW on this backup context: where a restore of this server
        puts its files (database, log folder, checkpoint folder)."""
        return _list("DsRestoreGetDatabaseLocationsW", self.hbc)

    def truncate_logs(self):
        """DsBackupTruncateLogs: deletes the logs this backup made redundant."""
        _call("DsBackupTruncateLogs", self.hbc)

    # -- one file ---------------------------------------------------------------------------------
    def open(self, f, read_hint=1 << 20):
        """DsBackupOpenFileW: opens a listed file (a BackupFile or a path); returns its size."""
        size = _lib.LARGE_INTEGER(0)
        _call("DsBackupOpenFileW", self.hbc, _lib.wstr(f.name if isinstance(f, BackupFile) else str(f)),
              read_hint, byref(size))
        self.file_size = size.value
        return size.value

    def readinto(self, buffer):
        """DsBackupRead into a writable buffer (len a multiple of 8192, at least 24576); returns
        the number of bytes read, 0 at the end of the file."""
        c_buffer = (ctypes.c_char * len(buffer)).from_buffer(buffer)
        got = _lib.DWORD(0)
        hr = _lib.load().DsBackupRead(self.hbc, c_buffer, len(buffer), byref(got))
        if hr == ERROR_HANDLE_EOF:
            return 0
        check(hr, "DsBackupRead")
        return got.value

    def read(self, size=1 << 20):
        """DsBackupRead: the next chunk as bytes, b"" at the end of the file."""
        buffer = bytearray(size)
        return bytes(memoryview(buffer)[:self.readinto(buffer)])

    def close(self):
        """DsBackupClose."""
        self.file_size = None
        _call("DsBackupClose", self.hbc)

    def copy(self, f, to, buffer_size=1 << 20, progress=None):
        """Copies a listed file to `to` (a file path, or a folder to put f.basename in):
        open, read until ERROR_HANDLE_EOF, close. progress(done, total) is called after each
        read. Returns the number of bytes copied."""
        name = f.basename if isinstance(f, BackupFile) else os.path.basename(str(f))
        return copy_listed(self, f, str(f), to, name, buffer_size, buffer_size, progress, "DsBackupOpenFile")


# ---- restore ------------------------------------------------------------------------------------

def restore(server, token=None, rt_flag=0):
    """Starts a restore (DsRestorePrepareW) on an offline DC. token: the bytes of the backup's
    expiry token (Backup.expiry_token); None gives a restricted context that can only list the
    locations. Use it in a with block, or call .end()."""
    return Restore(server, token, rt_flag)


class Restore:
    """A restore context: the HBC plus the calls that take it.

    Leaving the with block ends it (DsRestoreEnd), exceptions included. If the block raises after
    register() and before complete(), the DC is told first that the restore failed
    (DsRestoreRegisterComplete(E_FAIL)): it then refuses to start until a good restore is
    registered and completed, as it would with a registration left open."""

    def __init__(self, server, token=None, rt_flag=0):
        self.server = server
        self.hbc = _lib.HBC()
        self.token = None if token is None else bytes(token)
        if self.token is None:
            buffer, cb = None, 0
        else:                   # never a NULL pointer for a token, even an empty one
            buffer, cb = ctypes.create_string_buffer(self.token, max(len(self.token), 1)), len(self.token)
        _call("DsRestorePrepareW", _lib.wstr(server), rt_flag, buffer, cb, byref(self.hbc))
        self.restricted = self.token is None
        self.ended = self.registered = self.completed = False

    # -- lifecycle ----------------------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        try:
            if error is not None and self.registered and not self.completed and not self.ended:
                try:
                    self.complete(E_FAIL)
                except HResultError:
                    pass
        finally:
            try:
                self.end()
            except HResultError:
                if error is None:
                    raise        # an End failure matters only if nothing else went wrong

    def end(self):
        """DsRestoreEnd, once. A registration never completed stays: the DC will not start."""
        if not self.ended:
            self.ended = True
            _call("DsRestoreEnd", self.hbc)

    # -- where the files go -------------------------------------------------------------------------
    def locations(self):
        """DsRestoreGetDatabaseLocationsW: BackupFile entries (.kind/.name, as databases() gives):
        one BFT_NTDS_DATABASE per database, then BFT_LOG_DIR and BFT_CHECKPOINT_DIR (UNC paths)."""
        return _list("DsRestoreGetDatabaseLocationsW", self.hbc)

    def database_locations(self):
        """The BFT_NTDS_DATABASE entries of locations(), in order."""
        return [f for f in self.locations() if f.kind == BFT_NTDS_DATABASE]

    def _location(self, kind):
        found = [f.name for f in self.locations() if f.kind == kind]
        if not found:
            raise LookupError(f"DsRestoreGetDatabaseLocationsW gave no {BFT_NAMES[kind]} entry")
        return found[0]

    @property
    def log_directory(self):
        """The BFT_LOG_DIR location (szLogPath of register)."""
        return self._location(BFT_LOG_DIR)

    @property
    def checkpoint_directory(self):
        """The BFT_CHECKPOINT_DIR location (szCheckPointFilePath of register)."""
        return self._location(BFT_CHECKPOINT_DIR)

    # -- register, copy, complete -------------------------------------------------------------------
    def register(self, *, databases, gen_low, gen_high, backup_log_path=DEFAULT_BACKUP_LOG_PATH,
                 checkpoint_path=None, log_path=None):
        """DsRestoreRegisterW: records the restore on the DC, which from now on refuses to start
        until complete() (S_OK).
          databases        {name at backup time: location on this DC} (a mapping, or pairs); a
                           location is a BFT_NTDS_DATABASE entry or its path in any spelling.
          gen_low/gen_high the first and last log generation restored.
          backup_log_path  the folder on this DC the backed-up logs are copied to.
          checkpoint_path, log_path  default to the BFT_CHECKPOINT_DIR / BFT_LOG_DIR locations.
        Paths may be UNC, drive ("C:\\...") or local (servers.resolve_path) spellings."""
        if checkpoint_path is None:
            checkpoint_path = self.checkpoint_directory
        if log_path is None:
            log_path = self.log_directory
        pairs = list(databases.items() if hasattr(databases, "items") else databases)
        keep = []                # the UTF-16 buffers the map points to, alive for the call

        def wide(text):
            buffer = _lib.wstr(None if text is None else _text(text))
            keep.append(buffer)
            return ctypes.cast(buffer, _lib.LPWSTR)

        entries = (_lib.EDB_RSTMAPW * max(len(pairs), 1))()
        for entry, (original, new) in zip(entries, pairs):
            entry.wszDatabaseName, entry.wszNewDatabaseName = wide(original), wide(new)
        _call("DsRestoreRegisterW", self.hbc, _lib.wstr(_text(checkpoint_path)), _lib.wstr(_text(log_path)),
              entries, len(pairs), _lib.wstr(_text(backup_log_path)), gen_low, gen_high)
        self.registered, self.completed = True, False

    def install(self, source, location):
        """install() onto this DC: copies a local file to one of its locations."""
        return install(self.server, source, location)

    def complete(self, hr=0):
        """DsRestoreRegisterComplete: hr 0 (S_OK) says the files are in place, and the DC's next
        start applies the restore; a failure HRESULT keeps the DC from starting."""
        _call("DsRestoreRegisterComplete", self.hbc, _lib.s32(hr))
        self.completed = True


def install(server, source, location):
    """Copies a local file to a location of a DC (a BackupFile or a path in any spelling): the
    source is opened, then the destination deleted, as Microsoft's restore steps say, and written;
    missing folders are made. Returns the number of bytes copied."""
    target = servers.resolve_path(server, _text(location))
    with open(source, "rb") as src:
        if os.path.lexists(target):
            os.remove(target)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    return os.path.getsize(target)


@dataclass
class RestoreResult:
    """What restore_folder did: files and bytes copied, the log generations restored."""
    files: int
    bytes: int
    gen_low: int
    gen_high: int


def backup_logs(folder):
    """{generation: path} of the edbXXXXX.log files in a backup folder."""
    found = {}
    for path in Path(folder).iterdir():
        if m := LOG_FILE.fullmatch(path.name):
            found[int(m.group(1), 16)] = path
    return found


def _basename(name):
    return name.replace("/", "\\").rsplit("\\", 1)[-1]


def restore_folder(folder, server, token=None, gen_low=None, gen_high=None, database_names=None,
                   backup_log_path=DEFAULT_BACKUP_LOG_PATH, start=False):
    """Restores a backup folder written with backup() (as backup_dc.py does: the databases and
    logs under their base names, the token in expiry-token.bin) onto an offline DC, the whole
    walkthrough: DsRestorePrepareW, DsRestoreGetDatabaseLocationsW, DsRestoreRegisterW, the copies
    (destinations deleted first), DsRestoreRegisterComplete, DsRestoreEnd; then servers.start
    if start.
      token           the token bytes; default: the folder's expiry-token.bin.
      gen_low/high    default: the lowest and highest log generation in the folder.
      database_names  the databases' names at backup time (BackupFile.name), one per database
                      location of the DC, in order; the file copied is the folder's file of that
                      base name. Default: the folder's *.dit files.
      backup_log_path the folder on the DC the logs are copied to (its old edbXXXXX.log removed).
    Returns a RestoreResult. A copy that fails is reported to the DC (E_FAIL) before the error
    propagates."""
    folder = Path(folder)
    if token is None:
        token = (folder / TOKEN_FILE).read_bytes()
    logs = backup_logs(folder)
    if gen_low is None or gen_high is None:
        if not logs:
            raise ValueError(f"{folder} holds no edbXXXXX.log files: give gen_low and gen_high")
        gen_low = min(logs) if gen_low is None else gen_low
        gen_high = max(logs) if gen_high is None else gen_high
    if database_names is None:
        database_names = sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".dit")
    database_names = list(database_names)
    files = size = 0
    with restore(server, token) as r:
        locations = r.database_locations()
        if len(locations) != len(database_names):
            raise ValueError(f"{len(database_names)} database(s) to restore, {server} has {len(locations)} location(s)")
        r.register(databases=list(zip(database_names, locations)), backup_log_path=backup_log_path,
                   gen_low=gen_low, gen_high=gen_high)
        for name, location in zip(database_names, locations):
            size += r.install(folder / _basename(name), location)
            files += 1
        log_folder = servers.resolve_path(server, backup_log_path)
        os.makedirs(log_folder, exist_ok=True)
        for old in os.listdir(log_folder):               # a former restore's logs
            if LOG_FILE.fullmatch(old):
                os.remove(os.path.join(log_folder, old))
        for generation in sorted(g for g in logs if gen_low <= g <= gen_high):
            size += r.install(logs[generation], os.path.join(log_folder, logs[generation].name))
            files += 1
        r.complete()
    if start:
        servers.start(server)
    return RestoreResult(files, size, gen_low, gen_high)


def copy_listed(backup, f, label, to, name, read_hint, buffer_size, progress, opener):
    """The copy loop of a Ds or CertSrv backup (backup.open / readinto / close): `f` into `to`, a
    file path or a folder to put `name` in; read until a read gives 0 bytes, close (also after a
    failure, when the library has not closed it already); the byte count checked against what
    `opener` announced. Returns the number of bytes copied."""
    if os.path.isdir(to):
        to = os.path.join(to, name)
    total = backup.open(f, read_hint)
    done, closed = 0, False
    buffer = bytearray(buffer_size)
    try:
        with open(to, "wb") as out:
            while n := backup.readinto(buffer):
                out.write(memoryview(buffer)[:n])
                done += n
                if progress:
                    progress(done, total)
        closed = True
        backup.close()
    finally:
        if not closed:
            try:
                backup.close()
            except HResultError:
                pass         # the library may have closed it already (hrReadVerifyFailure)
    if done != total:
        raise OSError(f"{label}: read {done} bytes, {opener} announced {total}")
    return done
