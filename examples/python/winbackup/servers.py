"""Emulated servers (winbackup.h, Wb*): create, start, stop, write to them, and find their files;
for restores, move a server's clock and compare content digests.

Servers live under $WINBACKUP_ROOT, read at each call. The names and options are those of
`winbackupctl server ...`.
"""

import ctypes
import datetime
import os
from ctypes import byref

from . import _lib
from .errors import check

ERROR_INSUFFICIENT_BUFFER = 122
DIGEST_CHARS = 65            # 64 lower-case hex digits and a NUL


def _call(name, *args):
    check(getattr(_lib.load(), name)(*args), name)


def _quote(value):
    return f'"{value}"' if any(c in str(value) for c in " \t\n") else str(value)


def create(name, role="ntds", db_size="2M", logs=2, log_size="64K", circular_logging=None, ca_name=None,
           tombstone_lifetime=None, offline=False):
    """WbCreateServerA: a new server, as `winbackupctl server create NAME --role ROLE ...`.
    Options left at None are not passed (the library's defaults apply)."""
    options = {"--role": role, "--db-size": db_size, "--logs": logs, "--log-size": log_size,
               "--circular-logging": None if circular_logging is None else ("on" if circular_logging else "off"),
               "--ca-name": ca_name, "--tombstone-lifetime": tombstone_lifetime}
    words = [f"{option} {_quote(value)}" for option, value in options.items() if value is not None]
    if offline:
        words.append("--offline")
    _call("WbCreateServerA", _lib.astr(name), _lib.astr(" ".join(words)))
    return name


def delete(name):
    """WbDeleteServerA: the server and its folder (hrBackupInProgress while a backup runs)."""
    _call("WbDeleteServerA", _lib.astr(name))


def start(name):
    """WbStartServerA: recovery, then online; a no-op when it runs. After a restore this is
    where hard recovery runs: a refusal (hrRestoreInProgress, hrMissingLogFile, ...) raises
    HResultError and leaves the server offline."""
    _call("WbStartServerA", _lib.astr(name))


def stop(name):
    """WbStopServerA: offline; running backups get WB_HR_BACKUP_ABORT_BY_SERVER."""
    _call("WbStopServerA", _lib.astr(name))


def write(name, transactions):
    """WbWriteServerA: simulated activity (pages changed, logs rolled, checkpoint moved)."""
    _call("WbWriteServerA", _lib.astr(name), transactions)


def allow(name, account, password=None):
    """WbAllowIdentityA: lets "DOMAIN\\user" (with a password) or a local user back up the server."""
    _call("WbAllowIdentityA", _lib.astr(name), _lib.astr(account), _lib.astr(password))


def inject_fault(name, spec):
    r"""WbInjectFaultA: the server fails as Windows would, e.g.
    inject_fault("DC01", r"read-error --file C:\Windows\NTDS\ntds.dit --offset 16384 --once").
    The spec language is `winbackupctl fault add`'s (docs/FAULTS.md); a bad spec raises
    HResultError(ERROR_INVALID_PARAMETER)."""
    _call("WbInjectFaultA", _lib.astr(name), _lib.astr(spec))


def clear_faults(name):
    """WbClearFaultsA: removes every fault; the server is as it was before they were added."""
    _call("WbClearFaultsA", _lib.astr(name))


def set_clock_offset(name, seconds):
    """WbSetClockOffsetA: the server's clock runs `seconds` (an int or a datetime.timedelta) ahead
    of the machine's; negative: behind; 0 puts it back. As `winbackupctl server set NAME
    --clock-offset 200d`."""
    if isinstance(seconds, datetime.timedelta):
        seconds = int(seconds.total_seconds())
    _call("WbSetClockOffsetA", _lib.astr(name), int(seconds))


def _digest(function, argument):
    out = ctypes.create_string_buffer(DIGEST_CHARS)
    _call(function, argument, out, DIGEST_CHARS)
    return out.value.decode("ascii")


def content_digest(name):
    """WbGetContentDigestA: the digest of the server's database content (every page read now),
    64 lower-case hex digits."""
    return _digest("WbGetContentDigestA", _lib.astr(name))


def log_digest(path):
    """WbReadLogDigestA: the content digest the writer recorded at the end of a log generation,
    read from a log file (a local path, e.g. in a backup folder). A server restored through that
    generation must show it (content_digest). hrLogFileCorrupt if the log is damaged."""
    return _digest("WbReadLogDigestA", os.fsencode(path))


def resolve_path(server, path):
    """WbResolvePathW: the local file behind a server path (UNC, "C:\\..." or local); server may be
    None for a UNC path."""
    fn = _lib.load().WbResolvePathW
    needed = _lib.DWORD(0)
    hr = fn(_lib.wstr(server), _lib.wstr(path), None, 0, byref(needed))
    if hr != ERROR_INSUFFICIENT_BUFFER:
        check(hr, "WbResolvePathW")
    out = (_lib.WCHAR * needed.value)()
    _call("WbResolvePathW", _lib.wstr(server), _lib.wstr(path), out, needed.value, byref(needed))
    return ctypes.string_at(out, (needed.value - 1) * 2).decode("utf-16-le", "surrogatepass")


def version():
    """WbGetVersionString: "major.minor.patch" of the loaded library."""
    return _lib.load().WbGetVersionString().decode()


def version_number():
    """WbGetVersionNumber: major * 1000000 + minor * 1000 + patch."""
    return _lib.load().WbGetVersionNumber()
