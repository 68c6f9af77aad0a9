"""ESENT's external backup and restore (Jet*, include/esent.h), the ManagedEsent way.

An instance is an emulated server (any role: the Jet API is the engine under Ntdsbcli and
Certadm); a backup streams its databases and logs through page-aligned buffers:

    with winbackup.esent.Instance("ESE01") as inst:     # JetCreateInstanceW ... JetTerm2
        inst.init()                                     # JetInit: binds to server ESE01, starts it
        with inst.external_backup() as b:               # JetBeginExternalBackupInstance ... End2
            for db in b.attach_info():                  # JetGetAttachInfoInstanceW (local paths)
                b.copy(db, to=folder)                   # Open / Read until 0 bytes / Close
            for log in b.log_info():                    # JetGetLogInfoInstanceW (rolls the log)
                b.copy(log, to=folder)
            b.truncate()                                # JetTruncateLogInstance
        # the block ends the backup: JetEndExternalBackupInstance2(Normal), Abort on an exception

Restore onto a stopped server (databases copied to its files first, logs in any folder):

    winbackup.servers.create("ESE02", role="ese", offline=True)
    winbackup.esent.external_restore({db_at_backup: db_of_ese02}, folder, gen_low, gen_high,
                                     callback=lambda snp, snt, progress: print(snt, progress))

or, for a folder JetBackupInstance wrote: Instance.backup_instance(folder) and, on an
instance of the stopped server, Instance.restore_instance(folder) before init().

Strings go through the W (UTF-16) functions. A negative JET_ERR raises JetError(name, value).
Legacy (one-instance) mode, JetInit without an instance, is left to raw calls: it and
multi-instance mode exclude each other for the whole process.
"""

import ctypes
import mmap
import os
from ctypes import POINTER, byref
from dataclasses import dataclass

from . import _lib
from .errors import JetError, jet_check

# ---- esent.h constants ------------------------------------------------------------------------------
JET_instanceNil = (1 << (8 * ctypes.sizeof(ctypes.c_void_p))) - 1
JET_bitBackupIncremental = 0x1
JET_bitBackupAtomic = 0x4
JET_bitBackupSnapshot = 0x10
JET_bitBackupEndNormal = 0x1
JET_bitBackupEndAbort = 0x2
JET_bitBackupTruncateDone = 0x100
JET_bitBackupNoDbHeaderUpdate = 0x200
JET_bitTermComplete = 0x1
JET_bitTermAbrupt = 0x2
JET_bitTermStopBackup = 0x4
JET_paramSystemPath = 0
JET_paramTempPath = 1
JET_paramLogFilePath = 2
JET_paramBaseName = 3
JET_paramEventSource = 4
JET_paramCircularLog = 17
JET_paramDatabasePageSize = 64
JET_paramLegacyFileNames = 136
JET_snpRestore = 8
JET_snpBackup = 9
JET_sntProgress = 0
JET_sntFail = 3
JET_sntBegin = 5
JET_sntComplete = 6
JET_sntRequirements = 7

PAGE_SIZE = 8192              # the database page size: reads are whole pages
READ_ALIGNMENT = 4096         # JetReadFileInstance's buffer alignment
DEFAULT_READ_PAGES = 256      # what ESE's own copier reads per call (2 MiB)
STRING_PARAMETERS = {JET_paramSystemPath, JET_paramTempPath, JET_paramLogFilePath, JET_paramBaseName,
                     JET_paramEventSource}


def _call(name, *args):
    return jet_check(getattr(_lib.load(), name)(*args), name)


def _entries(raw):
    """A double-NUL UTF-16 multi-string's entries."""
    return [entry for entry in bytes(raw).decode("utf-16-le", "surrogatepass").split("\0") if entry]


def _basename(path):
    return os.fspath(path).replace("\\", "/").rsplit("/", 1)[-1]


class AlignedBuffer:
    """A page-aligned buffer (an anonymous mmap), as ManagedEsent's VirtualAlloc one: .address for
    the C call, .data(n) for the first n bytes."""

    def __init__(self, size):
        self.size = size
        self._map = mmap.mmap(-1, size)
        self._c = (ctypes.c_char * size).from_buffer(self._map)

    @property
    def address(self):
        return ctypes.addressof(self._c)

    def data(self, n):
        return self._map[:n]

    def close(self):
        if self._map is not None:
            del self._c
            self._map.close()
            self._map = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class StatusCallback:
    """A JET_PFNSTATUS around callback(snp, snt, progress): progress is (cunitDone, cunitTotal)
    for JET_sntProgress, else None. What the callback raises is kept and raised after the call
    (raise_pending), since it cannot cross the C code."""

    def __init__(self, callback):
        self.callback, self.error = callback, None
        self.pointer = None if callback is None else _lib.JET_PFNSTATUS(self._called)

    def _called(self, sesid, snp, snt, pv):
        progress = None
        if snt == JET_sntProgress and pv:
            p = ctypes.cast(pv, POINTER(_lib.JET_SNPROG)).contents
            progress = (p.cunitDone, p.cunitTotal)
        try:
            self.callback(snp, snt, progress)
        except BaseException as e:           # noqa: BLE001 - re-raised by raise_pending
            self.error = self.error or e
        return 0

    def raise_pending(self):
        if self.error is not None:
            raise self.error


def _with_status(callback, function, *args):
    status = StatusCallback(callback)
    try:
        _call(function, *args, status.pointer)
    finally:
        status.raise_pending()


# ---- process-wide defaults ------------------------------------------------------------------------

def set_default_parameter(paramid, value):
    """JetSetSystemParameterW with no instance: the defaults instances created later copy."""
    _set_parameter(None, paramid, value)


def _set_parameter(pinstance, paramid, value):
    number, text = (0, value) if isinstance(value, (str, os.PathLike)) else (int(value), None)
    _call("JetSetSystemParameterW", pinstance, 0, paramid, number, _lib.wstr(None if text is None else os.fspath(text)))


# ---- instances ------------------------------------------------------------------------------------

class Instance:
    """A JET_INSTANCE: JetCreateInstanceW(name) now; init() binds it to the server `name` names
    (or the one its path parameters point into) and starts that server if it is stopped. In a
    with block, leaving it ends the instance (JetTerm2 with JET_bitTermStopBackup)."""

    def __init__(self, name, display_name=None):
        self.name = name
        handle = _lib.JET_INSTANCE(0)
        if display_name is None:
            _call("JetCreateInstanceW", byref(handle), _lib.wstr(name))
        else:
            _call("JetCreateInstance2W", byref(handle), _lib.wstr(name), _lib.wstr(display_name), 0)
        self.handle = handle.value
        self.alive = True

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if self.alive:
            try:
                self.term(stop_backup=True)
            except JetError:
                if error is None:
                    raise

    def __repr__(self):
        return f"Instance({self.name!r}, handle=0x{self.handle:X})"

    def set_parameter(self, paramid, value):
        """JetSetSystemParameterW: a string (the path and name parameters) or a number."""
        _set_parameter(byref(_lib.JET_INSTANCE(self.handle)), paramid, value)

    def get_parameter(self, paramid, text=None):
        """JetGetSystemParameterW: a str for the string parameters (after init the paths are the
        server's local folders, with a trailing '/'), else an int. text forces either."""
        text = paramid in STRING_PARAMETERS if text is None else text
        number = _lib.JET_API_PTR(0)
        if not text:
            _call("JetGetSystemParameterW", self.handle, 0, paramid, byref(number), None, 0)
            return number.value
        cb = 512
        while True:
            out = (_lib.WCHAR * (cb // 2))()
            err = _lib.load().JetGetSystemParameterW(self.handle, 0, paramid, byref(number), out, cb)
            if err != -1038:                  # JET_errBufferTooSmall: try a bigger buffer
                jet_check(err, "JetGetSystemParameterW")
                return bytes(out).decode("utf-16-le", "surrogatepass").split("\0", 1)[0]
            cb *= 4

    def init(self):
        """JetInit."""
        _call("JetInit", byref(_lib.JET_INSTANCE(self.handle)))

    def term(self, stop_backup=False):
        """JetTerm2: a running backup refuses it (JET_errBackupInProgress) unless stop_backup.
        The handle is dead after; the server keeps running."""
        _call("JetTerm2", self.handle, JET_bitTermStopBackup if stop_backup else 0)
        self.alive = False

    def external_backup(self, incremental=False, grbit=None):
        """JetBeginExternalBackupInstance: full, or incremental (the logs only). Use it in a with
        block, or call .end()."""
        return ExternalBackup(self, (JET_bitBackupIncremental if incremental else 0) if grbit is None else grbit)

    def stop_backup(self):
        """JetStopBackupInstance: the running backup's later calls fail (JET_errBackupAbortByServer)."""
        _call("JetStopBackupInstance", self.handle)

    def backup_instance(self, folder, grbit=0, callback=None):
        """JetBackupInstanceW: the engine backs up into `folder` itself. grbit 0 (full, into an
        empty or new folder), JET_bitBackupAtomic, JET_bitBackupIncremental (logs added to the
        folder). callback(snp, snt, progress) sees JET_snpBackup begin, progress, complete."""
        _with_status(callback, "JetBackupInstanceW", self.handle, _lib.wstr(os.fspath(folder)), grbit)

    def restore_instance(self, folder, callback=None):
        """JetRestoreInstanceW, before init(), onto the instance's stopped server: the folder's
        databases are put in place and recovered through its logs. callback sees JET_snpRestore."""
        _with_status(callback, "JetRestoreInstanceW", self.handle, _lib.wstr(os.fspath(folder)), None)


# ---- streaming backup -----------------------------------------------------------------------------

@dataclass(frozen=True)
class LogInfo:
    """A JET_LOGINFO: the generations of a backup's logs, inclusive, and their base name."""
    gen_low: int
    gen_high: int
    base_name: str = "edb"

    def structure(self, wide=True):
        """The JET_LOGINFO_W (or _A) for JetExternalRestore2."""
        if wide:
            info = _lib.JET_LOGINFO_W(ctypes.sizeof(_lib.JET_LOGINFO_W), self.gen_low, self.gen_high)
            info.szBaseName[:len(self.base_name)] = [ord(c) for c in self.base_name]
        else:
            info = _lib.JET_LOGINFO_A(ctypes.sizeof(_lib.JET_LOGINFO_A), self.gen_low, self.gen_high,
                                      self.base_name.encode())
        return info


class ExternalBackup:
    """One running external backup of an instance (JetBeginExternalBackupInstance ... End).

    One file is open at a time, its handle is 0. Every failure of a list call aborts the backup,
    as in ESE; End still succeeds after any failure but a list call's (whose backup is gone)."""

    def __init__(self, instance, grbit=0):
        self.instance, self.grbit = instance, grbit
        _call("JetBeginExternalBackupInstance", instance.handle, grbit)
        self.ended = False
        self.file = None                        # the JET_HANDLE of the open file

    @property
    def handle(self):
        return self.instance.handle

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if not self.ended:
            try:
                self.end(abort=error is not None)
            except JetError:
                if error is None:
                    raise

    def end(self, abort=False, truncate_done=False, grbit=None):
        """JetEndExternalBackupInstance2: Normal (records the backup in the database headers once
        the log list was taken), or Abort; truncate_done records it as if the logs were truncated."""
        if grbit is None:
            grbit = (JET_bitBackupEndAbort if abort else JET_bitBackupEndNormal) | (
                JET_bitBackupTruncateDone if truncate_done else 0)
        _call("JetEndExternalBackupInstance2", self.handle, grbit)
        self.ended = True

    def stop(self):
        """JetStopBackupInstance."""
        self.instance.stop_backup()

    # -- lists ------------------------------------------------------------------------------------
    def _list(self, function, *extra):
        cb = _lib.UINT32(0)
        _call(function, self.handle, None, 0, byref(cb), *extra)          # the size
        out = (_lib.WCHAR * (cb.value // 2))()
        _call(function, self.handle, out, cb.value, byref(cb), *extra)
        return _entries(out)

    def attach_info(self):
        """JetGetAttachInfoInstanceW: the databases, as local paths (a full backup only)."""
        return self._list("JetGetAttachInfoInstanceW")

    def log_info(self):
        """JetGetLogInfoInstanceW: the logs to copy; the first call rolls the log and ends the
        database phase."""
        return self._list("JetGetLogInfoInstanceW")

    def log_info2(self):
        """JetGetLogInfoInstance2W: the logs and their range, (names, LogInfo)."""
        info = _lib.JET_LOGINFO_W(ctypes.sizeof(_lib.JET_LOGINFO_W))
        names = self._list("JetGetLogInfoInstance2W", byref(info))
        base = "".join(chr(u) for u in info.szBaseName).split("\0", 1)[0]
        return names, LogInfo(info.ulGenLow, info.ulGenHigh, base)

    def truncate_log_info(self):
        """JetGetTruncateLogInfoInstanceW: the logs on disk a truncation would delete."""
        return self._list("JetGetTruncateLogInfoInstanceW")

    def truncate(self):
        """JetTruncateLogInstance: deletes the logs this backup made redundant (every listed log
        must have been read to its end)."""
        _call("JetTruncateLogInstance", self.handle)

    # -- one file ---------------------------------------------------------------------------------
    def open(self, name):
        """JetOpenFileInstanceW: a listed file (or C:\\... or \\\\SERVER\\C$\\...); returns its size
        (a database: its pages + 3, times 8192)."""
        handle, low, high = _lib.JET_HANDLE(), _lib.UINT32(0), _lib.UINT32(0)
        _call("JetOpenFileInstanceW", self.handle, _lib.wstr(os.fspath(name)), byref(handle), byref(low), byref(high))
        self.file = handle.value
        return high.value << 32 | low.value

    def read(self, buffer, cb=None):
        """JetReadFileInstance into an AlignedBuffer (cb bytes of it, default all); returns the
        number of bytes read, 0 after the end."""
        got = _lib.UINT32(0)
        _call("JetReadFileInstance", self.handle, self.file, buffer.address, buffer.size if cb is None else cb,
              byref(got))
        return got.value

    def close(self):
        """JetCloseFileInstance."""
        _call("JetCloseFileInstance", self.handle, self.file)
        self.file = None

    def copy(self, name, to, pages=DEFAULT_READ_PAGES, progress=None):
        """Copies a listed file to `to` (a file, or a folder to put its base name in): open, read
        `pages` pages at a time into a page-aligned buffer until a read gives 0, close.
        progress(done, total) after each read. Returns the number of bytes copied."""
        if os.path.isdir(to):
            to = os.path.join(to, _basename(name))
        total, done = self.open(name), 0
        try:
            with AlignedBuffer(pages * PAGE_SIZE) as buffer, open(to, "wb") as out:
                while n := self.read(buffer):
                    out.write(buffer.data(n))
                    done += n
                    if progress:
                        progress(done, total)
        except BaseException:
            if self.file is not None:
                try:
                    self.close()
                except JetError:
                    pass                        # a bad database page closes the file itself
            raise
        self.close()
        if done != total:
            raise OSError(f"{name}: read {done} bytes, JetOpenFileInstanceW announced {total}")
        return done


# ---- restore --------------------------------------------------------------------------------------

def _restore_map(databases, wide):
    """JET_RSTMAP_W (or _A) entries from {name at backup: new local path} or pairs; and the
    buffers they point to, to keep alive for the call."""
    pairs = list(databases.items()) if hasattr(databases, "items") else [tuple(p) for p in databases]
    keep = []

    def text(value):
        if not wide:
            return os.fsencode(value)
        buffer = _lib.wstr(os.fspath(value))
        keep.append(buffer)
        return ctypes.cast(buffer, _lib.LPWSTR)

    entries = ((_lib.JET_RSTMAP_W if wide else _lib.JET_RSTMAP_A) * max(len(pairs), 1))()
    for entry, (original, new) in zip(entries, pairs):
        entry.szDatabaseName, entry.szNewDatabaseName = text(original), text(new)
    return entries, len(pairs), keep


def _path(value, wide):
    if value is None:
        return None
    return _lib.wstr(os.fspath(value)) if wide else os.fsencode(value)


def external_restore(databases, backup_logs, gen_low, gen_high, checkpoint=None, logs=None, callback=None, wide=True):
    """JetExternalRestoreW (A with wide=False): hard recovery now of the stopped server whose
    files `databases` maps to ({name at backup time: the local path of its copy on the server}),
    through the generations gen_low..gen_high in the local folder backup_logs. checkpoint and logs:
    None or the server's folders. callback(snp, snt, progress) sees JET_snpRestore begin, progress
    per generation, complete (or fail). The server stays stopped; JetInit starts it."""
    entries, count, keep = _restore_map(databases, wide)
    _with_status(callback, "JetExternalRestoreW" if wide else "JetExternalRestoreA", _path(checkpoint, wide),
                 _path(logs, wide), entries, count, _path(backup_logs, wide), gen_low, gen_high)


def external_restore2(databases, backup_logs, log_info, target_logs=None, target_checkpoint=None, checkpoint=None,
                      logs=None, callback=None, wide=True):
    """JetExternalRestore2W (A with wide=False): external_restore with the range of a LogInfo
    (log_info2's); target_logs and target_checkpoint, both or neither, are the server's folders."""
    entries, count, keep = _restore_map(databases, wide)
    info = log_info.structure(wide)
    _with_status(callback, "JetExternalRestore2W" if wide else "JetExternalRestore2A", _path(checkpoint, wide),
                 _path(logs, wide), entries, count, _path(backup_logs, wide), byref(info), None,
                 _path(target_logs, wide), _path(target_checkpoint, wide))
