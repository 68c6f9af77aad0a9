"""Active Directory backup (Ntdsbcli), the Pythonic way.

    with winbackup.ntds.backup("DC01") as b:      # DsBackupPrepareW ... DsBackupEnd, even on exceptions
        for f in b.databases():                   # DsBackupGetDatabaseNamesW
            b.copy(f, to=folder)                  # DsBackupOpenFileW / DsBackupRead / DsBackupClose
        for f in b.logs():                        # DsBackupGetBackupLogsW
            b.copy(f, to=folder)
        b.truncate_logs()                         # DsBackupTruncateLogs

Every call uses the W (UTF-16) functions; a result other than S_OK raises HResultError.
"""

import ctypes
import os
from ctypes import byref
from dataclasses import dataclass

from . import _lib
from .errors import HResultError, check

BACKUP_TYPE_FULL = 0x01
BACKUP_TYPE_LOGS_ONLY = 0x02
BACKUP_TYPE_INCREMENTAL = 0x04
BACKUP_DISABLE_INCREMENTAL = 0xFFFFFFFF
ERROR_HANDLE_EOF = 38

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
    def _list(self, function):
        pointer, cb = _lib.LPWSTR(), _lib.DWORD(0)
        _call(function, self.hbc, byref(pointer), byref(cb))
        try:
            return [BackupFile.parse(entry) for entry in _lib.multi_string(pointer, cb.value, wide=True)]
        finally:
            _lib.load().DsBackupFree(pointer)

    def databases(self):
        """DsBackupGetDatabaseNamesW: the database files, as BackupFile objects."""
        return self._list("DsBackupGetDatabaseNamesW")

    def logs(self):
        """DsBackupGetBackupLogsW: the log files (the first call rolls the current log)."""
        return self._list("DsBackupGetBackupLogsW")

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
        if os.path.isdir(to):
            to = os.path.join(to, f.basename if isinstance(f, BackupFile) else os.path.basename(str(f)))
        total = self.open(f, buffer_size)
        done, closed = 0, False
        buffer = bytearray(buffer_size)
        try:
            with open(to, "wb") as out:
                while n := self.readinto(buffer):
                    out.write(memoryview(buffer)[:n])
                    done += n
                    if progress:
                        progress(done, total)
            closed = True
            self.close()
        finally:
            if not closed:
                try:
                    self.close()
                except HResultError:
                    pass         # the library may have closed it already (hrReadVerifyFailure)
        if done != total:
            raise OSError(f"{f}: read {done} bytes, DsBackupOpenFile announced {total}")
        return done
