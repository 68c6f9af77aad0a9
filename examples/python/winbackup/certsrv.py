"""Certificate Services backup and restore (Certadm, CertSrv*), the Pythonic way.

    with winbackup.certsrv.backup("CA01") as b:       # CertSrvBackupPrepareW ... CertSrvBackupEnd
        places = b.locations()                        # CertSrvRestoreGetDatabaseLocationsW: keep them,
                                                      #   a stopped CA cannot be asked at restore time
        for f in b.database_names():                  # CertSrvBackupGetDatabaseNamesW
            b.copy(f, to=folder)                      # OpenFile / Read until 0 bytes / Close
        for f in b.backup_logs():                     # CertSrvBackupGetBackupLogsW (rolls the log)
            b.copy(f, to=folder)
        b.truncate_logs()                             # CertSrvBackupTruncateLogs
        for f in b.dynamic_files():                   # CertSrvBackupGetDynamicFileListW: CRL, CA cert,
            b.copy_dynamic(f, to=folder)              #   copied by ordinary means

An incremental backup (CSBACKUP_TYPE_LOGS_ONLY) is backup("CA01", incremental=True): logs only, and
only after a full backup that truncated its logs.

A restore goes onto a stopped CA: the full backup first, then each incremental one, in any order;
the CA replays them all when it next starts (servers.start; CertSrvServerControlW cannot start a
stopped CA):

    with winbackup.certsrv.restore("CA02", full=True) as r:   # CertSrvRestorePrepareW ... RestoreEnd
        r.register(database=(name_at_backup, r"C:\\Windows\\System32\\CertLog\\CA01-CA.edb"),
                   gen_low=8, gen_high=13, backup_log_path=r"C:\\WinBackup\\RestoredLogs\\full")
        r.install(folder / "CA01-CA.edb", r"C:\\Windows\\System32\\CertLog\\CA01-CA.edb")
        for log in logs_8_to_13:
            r.install(log, r"C:\\WinBackup\\RestoredLogs\\full\\" + log.name)
        r.complete()                                  # CertSrvRestoreRegisterComplete(S_OK)
    winbackup.servers.start("CA02")

or, for folders backup_folder() (and backup_ca.py) wrote: restore_set([full, inc1, inc2], "CA02",
start=True).

Every call uses the W (UTF-16) functions; a result other than S_OK raises HResultError, with the
COM names (E_HANDLE, E_INVALIDARG, ...; WB_HR_RPC_SERVER_UNAVAILABLE for a CA that is stopped or
not there) where Certadm returns those.
"""

import ctypes
import json
import os
import shutil
from ctypes import byref
from dataclasses import dataclass
from pathlib import Path

from . import _lib, ntds, servers
from .errors import CODES, HResultError, check

CSBACKUP_TYPE_FULL = 0x1
CSBACKUP_TYPE_LOGS_ONLY = 0x2       # an incremental backup
CSBACKUP_TYPE_MASK = 0x3
CSRESTORE_TYPE_FULL = 0x1           # else an incremental restore
CSRESTORE_TYPE_ONLINE = 0x2         # not supported
CSRESTORE_TYPE_CATCHUP = 0x4
CSRESTORE_TYPE_MASK = 0x5
CSBACKUP_DISABLE_INCREMENTAL = 0xFFFFFFFF
CSCONTROL_SHUTDOWN = 0x1            # stop the CA
CSCONTROL_SUSPEND = 0x2             # pause it: it runs, issues nothing
CSCONTROL_RESTART = 0x3             # stop and start it (soft recovery); a paused CA comes back running

# The CSBFT type character in front of each listed name (certbcli.h).
CSBFT_DIRECTORY = 0x80
CSBFT_DATABASE_DIRECTORY = 0x40
CSBFT_LOG_DIRECTORY = 0x20
CSBFT_LOG = 0x21
CSBFT_LOG_DIR = 0x82
CSBFT_CHECKPOINT_DIR = 0x83
CSBFT_CERTSERVER_DATABASE = 0x44
CSBFT_PATCH_FILE = 0x25
CSBFT_UNKNOWN = 0x0F
CSBFT_NAMES = {globals()[n]: n for n in ("CSBFT_LOG", "CSBFT_LOG_DIR", "CSBFT_CHECKPOINT_DIR",
                                          "CSBFT_CERTSERVER_DATABASE", "CSBFT_PATCH_FILE", "CSBFT_UNKNOWN")}

DEFAULT_READ_BUFFER = 256 << 10     # what cbReadHintSize 0 chooses
E_FAIL = CODES["E_FAIL"]            # what Restore tells the CA when its with block fails
MANIFEST = "certsrv-backup.json"    # what backup_folder writes next to the files
DYNAMIC_FOLDER = "CertEnroll"       # where backup_folder puts the dynamic files
BACKUP_LOG_ROOT = r"C:\WinBackup\RestoredLogs"     # on the CA: restore_folder's backup-log folders
PUBLISHED_MARKER = BACKUP_LOG_ROOT + r"\published-files.generation"   # whose dynamic files are in place


@dataclass(frozen=True)
class BackupFile:
    """One entry of a returned list: .kind (the CSBFT code; None for a dynamic file, which has
    none), .kind_name, .name (the UNC path, as CertSrvBackupOpenFileW takes it), .basename."""
    kind: object
    name: str

    @classmethod
    def parse(cls, entry, typed=True):
        return cls(ord(entry[0]), entry[1:]) if typed else cls(None, entry)

    @property
    def kind_name(self):
        return "dynamic" if self.kind is None else CSBFT_NAMES.get(self.kind, f"0x{self.kind:02X}")

    @property
    def basename(self):
        return self.name.replace("/", "\\").rsplit("\\", 1)[-1]


def _call(name, *args):
    check(getattr(_lib.load(), name)(*args), name)


def _list(function, hbc, typed=True):
    """Calls a list function; the entries as BackupFile objects, the buffer freed."""
    pointer, cb = _lib.LPWSTR(), _lib.DWORD(0)
    _call(function, hbc, byref(pointer), byref(cb))
    try:
        return [BackupFile.parse(e, typed) for e in _lib.multi_string(pointer, cb.value, wide=True)]
    finally:
        _lib.load().CertSrvBackupFree(pointer)


def _text(path):
    return path.name if isinstance(path, BackupFile) else os.fspath(path)


def drive_path(unc):
    r"""'\\CA01\C$\Windows\x.edb' -> 'C:\Windows\x.edb': the same place on any server."""
    parts = unc.replace("/", "\\").lstrip("\\").split("\\")
    if not unc.startswith("\\\\") or len(parts) < 3 or len(parts[1]) != 2 or parts[1][1] != "$":
        raise ValueError(f"not an administrative-share UNC path: {unc}")
    return parts[1][0] + ":\\" + "\\".join(parts[2:])


# ---- the CA itself --------------------------------------------------------------------------------

def is_online(server):
    """CertSrvIsServerOnlineW: True if the CA runs, False if it is paused; a stopped or unknown CA
    raises HResultError (WB_HR_RPC_SERVER_UNAVAILABLE, 0x800706BA)."""
    online = _lib.BOOL(0)
    _call("CertSrvIsServerOnlineW", _lib.wstr(server), byref(online))
    return bool(online.value)


def server_control(server, flags):
    """CertSrvServerControlW: CSCONTROL_SHUTDOWN, CSCONTROL_SUSPEND or CSCONTROL_RESTART."""
    cb, out = _lib.DWORD(0), ctypes.POINTER(_lib.BYTE)()
    _call("CertSrvServerControlW", _lib.wstr(server), flags, byref(cb), byref(out))
    if out:                                  # the contract says none is produced; free it if there is
        _lib.load().CertSrvBackupFree(out)


def allow_backup_operator(server, account, password=None):
    """WbAllowBackupOperatorA: an account that may back up and restore the CA but is no
    administrator (CertSrvRestoreRegisterW refuses it; register_through_file does not)."""
    _call("WbAllowBackupOperatorA", _lib.astr(server), _lib.astr(account), _lib.astr(password))


# ---- backup ---------------------------------------------------------------------------------------

def backup(server, incremental=False, grbit=0):
    """Starts a backup (CertSrvBackupPrepareW): full, or incremental (CSBACKUP_TYPE_LOGS_ONLY).
    Use it in a with block, or call .end()."""
    return Backup(server, incremental, grbit)


class Backup:
    """A running backup of one CA: the HCSBC plus the calls that take it."""

    def __init__(self, server, incremental=False, grbit=0):
        self.server, self.incremental = server, incremental
        self.hbc = _lib.HCSBC()
        flags = CSBACKUP_TYPE_LOGS_ONLY if incremental else CSBACKUP_TYPE_FULL
        _call("CertSrvBackupPrepareW", _lib.wstr(server), grbit, flags, byref(self.hbc))
        self.ended = False

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        try:
            self.end()
        except HResultError:
            if error is None:
                raise

    def end(self):
        """CertSrvBackupEnd, once."""
        if not self.ended:
            self.ended = True
            _call("CertSrvBackupEnd", self.hbc)

    # -- lists ------------------------------------------------------------------------------------
    def database_names(self):
        """CertSrvBackupGetDatabaseNamesW: the database (a CSBFT_CERTSERVER_DATABASE entry)."""
        return _list("CertSrvBackupGetDatabaseNamesW", self.hbc)

    def backup_logs(self):
        """CertSrvBackupGetBackupLogsW: the logs (CSBFT_LOG entries); the first call rolls the log."""
        return _list("CertSrvBackupGetBackupLogsW", self.hbc)

    def dynamic_files(self):
        """CertSrvBackupGetDynamicFileListW: the CRL and the CA certificate (kind None)."""
        return _list("CertSrvBackupGetDynamicFileListW", self.hbc, typed=False)

    def locations(self):
        """CertSrvRestoreGetDatabaseLocationsW on this context: the database, the log and the
        checkpoint directory of the CA (keep them with the backup)."""
        return _list("CertSrvRestoreGetDatabaseLocationsW", self.hbc)

    def truncate_logs(self):
        """CertSrvBackupTruncateLogs: deletes the logs this backup made redundant."""
        _call("CertSrvBackupTruncateLogs", self.hbc)

    # -- one file ---------------------------------------------------------------------------------
    def open(self, f, read_hint=0):
        """CertSrvBackupOpenFileW: opens a listed file (a BackupFile or a path); returns its size.
        The first open's read_hint fixes the read-buffer size (read_buffer_size())."""
        size = _lib.LARGE_INTEGER(0)
        _call("CertSrvBackupOpenFileW", self.hbc, _lib.wstr(_text(f)), read_hint, byref(size))
        return size.value

    def read_buffer_size(self):
        """WbCertSrvGetReadBufferSize: the size the first open fixed (0 before it)."""
        size = _lib.DWORD(0)
        _call("WbCertSrvGetReadBufferSize", self.hbc, byref(size))
        return size.value

    def readinto(self, buffer):
        """CertSrvBackupRead into a writable buffer of any size; the bytes read, 0 at the end."""
        c_buffer = (ctypes.c_char * len(buffer)).from_buffer(buffer)
        got = _lib.DWORD(0)
        _call("CertSrvBackupRead", self.hbc, c_buffer, len(buffer), byref(got))
        return got.value

    def read(self, size=DEFAULT_READ_BUFFER):
        """CertSrvBackupRead: the next chunk as bytes, b"" at the end of the file."""
        buffer = bytearray(max(size, 1))
        return bytes(memoryview(buffer)[:self.readinto(buffer)])

    def close(self):
        """CertSrvBackupClose."""
        _call("CertSrvBackupClose", self.hbc)

    def copy(self, f, to, buffer_size=DEFAULT_READ_BUFFER, read_hint=None, progress=None):
        """Copies a listed file to `to` (a file path, or a folder to put f.basename in): open (with
        read_hint, default buffer_size), read buffer_size bytes at a time until a read gives 0,
        close. progress(done, total) after each read. Returns the number of bytes copied."""
        name = f.basename if isinstance(f, BackupFile) else _text(f).rsplit("\\", 1)[-1]
        return ntds.copy_listed(self, f, _text(f), to, name, buffer_size if read_hint is None else read_hint,
                                buffer_size, progress, "CertSrvBackupOpenFileW")

    def copy_dynamic(self, f, to):
        """Copies a dynamic file by ordinary means (the file behind the UNC name) to `to` (a file,
        or a folder to put f.basename in). Returns the number of bytes copied."""
        source = servers.resolve_path(None, _text(f))
        if os.path.isdir(to):
            to = os.path.join(to, f.basename if isinstance(f, BackupFile) else os.path.basename(source))
        shutil.copyfile(source, to)
        return os.path.getsize(to)


# ---- restore --------------------------------------------------------------------------------------

def restore(server, full=True, flags=None):
    """Starts a restore (CertSrvRestorePrepareW) on a stopped CA: the full backup (full=True) or an
    incremental one. flags, if given, is passed as is. Use it in a with block, or call .end()."""
    return Restore(server, full, flags)


class Restore:
    """A restore context: the HCSBC plus the calls that take it.

    Leaving the with block ends it (CertSrvRestoreEnd). If the block raises after register() and
    before complete(), the CA is told first that the restore failed (RegisterComplete(E_FAIL)):
    it then will not start until a full restore is registered and completed again."""

    def __init__(self, server, full=True, flags=None):
        self.server, self.full = server, full
        self.hbc = _lib.HCSBC()
        flags = (CSRESTORE_TYPE_FULL if full else 0) if flags is None else flags
        _call("CertSrvRestorePrepareW", _lib.wstr(server), flags, byref(self.hbc))
        self.ended = self.registered = self.completed = False

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
                    raise

    def end(self):
        """CertSrvRestoreEnd, once. A registration never completed stays: the CA will not start."""
        if not self.ended:
            self.ended = True
            _call("CertSrvRestoreEnd", self.hbc)

    def locations(self):
        """CertSrvRestoreGetDatabaseLocationsW: fails while the CA is stopped (as documented), so
        use the ones saved at backup time."""
        return _list("CertSrvRestoreGetDatabaseLocationsW", self.hbc)

    def register(self, database=None, *, gen_low, gen_high, backup_log_path=None, checkpoint_path=None,
                 log_path=None, through_file=False):
        """CertSrvRestoreRegisterW (through_file: CertSrvRestoreRegisterThroughFile, which a backup
        operator may call): records the restore; the CA will not start until complete().
          database   a full restore: (name at backup time, location on this CA), or a mapping of
                     them; an incremental one: None (no map).
          gen_low/gen_high  the log generations of this backup.
          backup_log_path, checkpoint_path, log_path  None: the CA's own folders (CertLog).
        Paths may be UNC, drive ("C:\\...") or local spellings."""
        if database is None:
            pairs = []
        elif hasattr(database, "items"):
            pairs = list(database.items())
        elif len(database) == 2 and isinstance(database[0], (str, BackupFile)):
            pairs = [tuple(database)]
        else:
            pairs = list(database)
        keep = []                # the UTF-16 buffers the map points to, alive for the call

        def wide(text):
            buffer = _lib.wstr(None if text is None else _text(text))
            keep.append(buffer)
            return ctypes.cast(buffer, _lib.LPWSTR)

        entries = (_lib.CSEDB_RSTMAPW * max(len(pairs), 1))()
        for entry, (original, new) in zip(entries, pairs):
            entry.pwszDatabaseName, entry.pwszNewDatabaseName = wide(original), wide(new)
        function = "CertSrvRestoreRegisterThroughFile" if through_file else "CertSrvRestoreRegisterW"
        optional = [None if p is None else _lib.wstr(_text(p)) for p in (checkpoint_path, log_path, backup_log_path)]
        _call(function, self.hbc, optional[0], optional[1], entries if pairs else None, len(pairs), optional[2],
              gen_low, gen_high)
        self.registered, self.completed = True, False

    def register_through_file(self, database=None, **kwargs):
        """CertSrvRestoreRegisterThroughFile: register() for an account with only the restore
        privilege (a backup operator)."""
        self.register(database, through_file=True, **kwargs)

    def install(self, source, location):
        """Copies a local file to a location of this CA (the destination deleted first)."""
        return ntds.install(self.server, source, location)

    def complete(self, hr=0):
        """CertSrvRestoreRegisterComplete: 0 (S_OK) says the files are in place; a failure
        HRESULT keeps the CA from starting."""
        _call("CertSrvRestoreRegisterComplete", self.hbc, _lib.s32(hr))
        self.completed = True


# ---- backup folders -------------------------------------------------------------------------------

@dataclass
class BackupResult:
    """What backup_folder wrote: the manifest's content."""
    folder: Path
    kind: str              # "full" or "incremental"
    databases: list        # UNC names at backup time
    logs: list             # UNC names
    dynamic: list          # UNC names
    locations: list        # [(CSBFT code, UNC name)] from CertSrvRestoreGetDatabaseLocationsW
    gen_low: int
    gen_high: int
    truncated: bool

    @property
    def incremental(self):
        return self.kind == "incremental"

    def log_file(self, generation):
        """The local copy of a log generation in the folder."""
        return self.folder / f"edb{generation:05X}.log"

    @classmethod
    def load(cls, folder):
        data = json.loads((Path(folder) / MANIFEST).read_text())
        data["locations"] = [tuple(x) for x in data["locations"]]
        return cls(folder=Path(folder), **data)

    def save(self):
        data = {k: v for k, v in self.__dict__.items() if k != "folder"}
        (self.folder / MANIFEST).write_text(json.dumps(data, indent=1) + "\n")


def _generation(f):
    return int(f.basename[3:8], 16)


def backup_folder(server, folder, incremental=False, truncate=True, buffer_size=DEFAULT_READ_BUFFER):
    """One backup of a CA into a folder, in the order of "Backing Up Certificate Services":
    the locations, the database (a full backup), the logs, TruncateLogs (if truncate), the dynamic
    files (under CertEnroll/), then certsrv-backup.json. Returns a BackupResult."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DYNAMIC_FOLDER).mkdir(exist_ok=True)
    with backup(server, incremental) as b:
        locations = [(f.kind, f.name) for f in b.locations()]
        databases = [] if incremental else b.database_names()
        for f in databases:
            b.copy(f, to=folder, buffer_size=buffer_size)
        logs = b.backup_logs()
        for f in logs:
            b.copy(f, to=folder, buffer_size=buffer_size)
        if truncate:
            b.truncate_logs()
        dynamic = b.dynamic_files()
        for f in dynamic:
            b.copy_dynamic(f, to=folder / DYNAMIC_FOLDER)
    generations = [_generation(f) for f in logs]
    result = BackupResult(folder, "incremental" if incremental else "full", [f.name for f in databases],
                          [f.name for f in logs], [f.name for f in dynamic], locations,
                          min(generations), max(generations), truncate)
    result.save()
    return result


@dataclass
class RestoreResult:
    """What restore_folder did."""
    kind: str
    files: int
    bytes: int
    gen_low: int
    gen_high: int
    backup_log_path: str


def restore_folder(folder, server, backup_log_path=None, through_file=False, start=False):
    """Restores one folder backup_folder() wrote onto a stopped CA (a full one first, then the
    incrementals, in any order): CertSrvRestorePrepareW, CertSrvRestoreRegisterW (or ThroughFile),
    the copies (database to the saved location, logs to backup_log_path, default a folder of their
    own under C:\\WinBackup\\RestoredLogs; dynamic files unless a newer backup's are in place),
    CertSrvRestoreRegisterComplete, CertSrvRestoreEnd; servers.start if start."""
    s = BackupResult.load(folder)
    if backup_log_path is None:
        backup_log_path = rf"{BACKUP_LOG_ROOT}\{s.gen_low:05X}-{s.gen_high:05X}-{s.kind}"
    targets = [drive_path(name) for kind, name in s.locations if kind == CSBFT_CERTSERVER_DATABASE]
    if not s.incremental and len(targets) != len(s.databases):
        raise ValueError(f"{folder}: {len(s.databases)} database(s), {len(targets)} saved location(s)")
    files = size = 0
    with restore(server, full=not s.incremental) as r:
        r.register(None if s.incremental else list(zip(s.databases, targets)), gen_low=s.gen_low,
                   gen_high=s.gen_high, backup_log_path=backup_log_path, through_file=through_file)
        if not s.incremental:
            for name, target in zip(s.databases, targets):
                size += r.install(s.folder / BackupFile(None, name).basename, target)
                files += 1
        log_folder = servers.resolve_path(server, backup_log_path)
        os.makedirs(log_folder, exist_ok=True)
        for name in s.logs:
            base = BackupFile(None, name).basename
            size += r.install(s.folder / base, os.path.join(log_folder, base))
            files += 1
        marker = servers.resolve_path(server, PUBLISHED_MARKER)
        in_place = None if not s.incremental or not os.path.exists(marker) else int(Path(marker).read_text())
        if in_place is None or in_place <= s.gen_high:       # the newest backup's published files win
            for name in s.dynamic:
                size += r.install(s.folder / DYNAMIC_FOLDER / BackupFile(None, name).basename, drive_path(name))
                files += 1
            os.makedirs(os.path.dirname(marker), exist_ok=True)
            Path(marker).write_text(str(s.gen_high))
        r.complete()
    if start:
        servers.start(server)
    return RestoreResult(s.kind, files, size, s.gen_low, s.gen_high, backup_log_path)


def restore_set(folders, server, start=False, **kwargs):
    """Restores a backup set: the full folder first (wherever it is in `folders`), then the
    incremental ones in the order given. Returns the RestoreResults, in the order applied."""
    folders = [Path(f) for f in folders]
    full = [f for f in folders if not BackupResult.load(f).incremental]
    if len(full) != 1:
        raise ValueError(f"a backup set has one full backup, not {len(full)}")
    results = [restore_folder(f, server, **kwargs) for f in full + [f for f in folders if f not in full]]
    if start:
        servers.start(server)
    return results
