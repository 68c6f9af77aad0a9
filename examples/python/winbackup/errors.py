"""HRESULT names and HResultError.

CODES maps every name to its unsigned value: the hr* codes of include/ntdsbmsg.h, the Win32 codes
and the COM codes Certadm returns (E_POINTER, E_INVALIDARG, E_HANDLE, ...) of include/wbtypes.h,
and the WB_HR_* codes of include/wbtypes.h and include/winbackup.h. They are read from the headers
when the package sits in the winbackup repository (or $WINBACKUP_INCLUDE names the folder);
elsewhere the built-in table below, which the tests check against the headers, is used.
ESE_CODES adds the few engine errors the restore side returns that no header names
(JET_errRestoreOfNonBackupDatabase, 0xC8000267).

The Jet* functions (include/esent.h) return a JET_ERR instead: a signed value, 0 for success,
negative for an error (JET_errInvalidParameter, -1003), positive for a warning. JET_CODES maps the
JET_err* and JET_wrn* names of esent.h to their values (JET_BUILTIN_CODES without the headers);
JetError is what the winbackup.esent functions raise.
"""

import os
import re
from pathlib import Path

# The codes the library returns (docs/CONTRACT-NTDSBCLI.md), for use without the headers.
BUILTIN_CODES = {
    "S_OK": 0x00000000, "ERROR_ACCESS_DENIED": 5, "ERROR_NOT_ENOUGH_MEMORY": 8, "ERROR_HANDLE_EOF": 38,
    "ERROR_INVALID_PARAMETER": 87, "ERROR_INSUFFICIENT_BUFFER": 122,
    "hrNone": 0x00000000, "hrInvalidParam": 0xC7FF0001, "hrError": 0xC7FF0002, "hrInvalidHandle": 0xC7FF0003,
    "hrAlreadyOpen": 0xC7FF0005, "hrCouldNotConnect": 0xC7FF0007, "hrIncrementalBackupDisabled": 0xC7FF0009,
    "hrCircularLogging": 0xC7FF000B, "hrBackupInProgress": 0xC80001F9, "hrNoBackup": 0xC8000208,
    "hrInvalidBackupSequence": 0xC8000209, "hrInvalidBackup": 0xC800020E, "hrMissingFullBackup": 0xC8000230,
    "hrReadVerifyFailure": 0xC80003FA, "hrDiskIO": 0xC80003FE, "hrDatabaseNotFound": 0xC80004B3,
    "WB_HR_MISSING_FILE_TO_BACKUP": 0xC8000239, "WB_HR_LOG_READ_VERIFY_FAILURE": 0xC8000264,
    "WB_HR_LOG_FILE_NOT_COPIED": 0xC8000268, "WB_HR_BACKUP_ABORT_BY_SERVER": 0xC8000321,
    "WB_HR_INVALID_GRBIT": 0xC8000384, "WB_HR_READ_PGNO_VERIFY_FAILURE": 0xC800045E,
    # Certadm (docs/CONTRACT-CERTADM.md): COM codes, and RPC_S_SERVER_UNAVAILABLE as an HRESULT
    "E_POINTER": 0x80004003, "E_FAIL": 0x80004005, "E_ACCESSDENIED": 0x80070005, "E_HANDLE": 0x80070006,
    "E_OUTOFMEMORY": 0x8007000E, "E_INVALIDARG": 0x80070057, "RPC_S_SERVER_UNAVAILABLE": 1722,
    "WB_HR_RPC_SERVER_UNAVAILABLE": 0x800706BA, "hrNoFullRestore": 0xC7FF000C,
    # the restore side
    "hrRestoreInProgress": 0xC7FF0004, "hrMissingExpiryToken": 0xC7FF000F, "hrUnknownExpiryTokenFormat": 0xC7FF0010,
    "hrContentsExpired": 0xC7FF0011, "hrLogFileCorrupt": 0xC80001F5, "hrMissingLogFile": 0xC8000210,
    "hrBadLogSignature": 0xC8000212, "hrBadDbSignature": 0xC8000213, "hrRestoreLogTooLow": 0xC8000229,
    "hrRestoreLogTooHigh": 0xC800022A, "hrGivenLogFileIsNotContiguous": 0xC800022C,
    "hrDatabaseInUse": 0xC80004B2, "hrDatabaseCorrupted": 0xC80004B6, "hrFileNotFound": 0xC8000713,
}

# Engine errors of the restore side that ntdsbmsg.h has no hr* name for (0xC8000000 | -JET_err).
ESE_CODES = {
    "JET_errSoftRecoveryOnBackupDatabase": 0xC8000220,   # -544: a backup copy started without a restore
    "JET_errRestoreOfNonBackupDatabase": 0xC8000267,     # -615: the restored file is not a backup copy
}

_DEFINE = re.compile(r"^#define\s+((?:hr|WB_HR_|ERROR_|RPC_S_|S_|E_)\w+)\s+\(*(?:\(HRESULT\))?\s*"
                     r"(0x[0-9A-Fa-f]+|\d+|RPC_S_\w+)\)*", re.M)


def parse_header_codes(text, known=None):
    """{name: unsigned value} of the HRESULT-like #defines in a header's text."""
    codes = dict(known or {})
    for name, value in _DEFINE.findall(text):
        if value in codes:             # hrAlreadyListening is RPC_S_ALREADY_LISTENING
            codes[name] = codes[value]
        elif value[0].isdigit():
            codes[name] = int(value, 0) & 0xFFFFFFFF
    return codes


def include_dir():
    """The folder of the winbackup headers, or None."""
    folder = os.environ.get("WINBACKUP_INCLUDE") or Path(__file__).resolve().parents[3] / "include"
    return Path(folder) if (Path(folder) / "ntdsbmsg.h").is_file() else None


def _load_codes():
    folder = include_dir()
    if folder is None:
        return dict(BUILTIN_CODES)
    codes = {}
    for header in ("wbtypes.h", "winbackup.h", "ntdsbmsg.h"):   # ntdsbmsg.h uses RPC_S_* of wbtypes.h
        codes = parse_header_codes((folder / header).read_text(), codes)
    return codes


CODES = {**_load_codes(), **ESE_CODES}

# One name per value: the hr* name first, then WB_HR_*, JET_err*, the COM E_* one, then the Win32
# one; S_OK for 0.
_PREFERENCE = ("hr", "WB_HR_", "JET_err", "E_", "ERROR_", "RPC_S_")
NAMES = {}
for _prefix in _PREFERENCE:
    for _name, _value in CODES.items():
        if _name.startswith(_prefix) and _value not in NAMES:
            NAMES[_value] = _name
NAMES[0] = "S_OK"


def name_of(hresult):
    """The name of an HRESULT ("hrBackupInProgress"), or its hex form if it has none."""
    hresult &= 0xFFFFFFFF
    return NAMES.get(hresult, f"0x{hresult:08X}")


class HResultError(Exception):
    """A winbackup call returned something other than S_OK.

    .name is the header's name ("hrBackupInProgress"), .hresult the unsigned value (0xC80001F9),
    .function the C function that returned it (when known)."""

    def __init__(self, name, hresult, function=None):
        self.name, self.hresult, self.function = name, hresult & 0xFFFFFFFF, function
        where = f"{function}: " if function else ""
        super().__init__(f"{where}{name} (0x{self.hresult:08X})")

    @classmethod
    def from_hresult(cls, hresult, function=None):
        return cls(name_of(hresult), hresult, function)


def check(hresult, function=None):
    """Raises HResultError unless hresult is S_OK."""
    if hresult != 0:
        raise HResultError.from_hresult(hresult, function)


def __getattr__(name):
    """winbackup.errors.hrBackupInProgress -> 0xC80001F9."""
    try:
        return CODES[name]
    except KeyError:
        raise AttributeError(f"module 'winbackup.errors' has no attribute {name!r}") from None


# ---- Jet* (esent.h): JET_ERR values -----------------------------------------------------------------

# The JET_ERRs docs/CONTRACT-ESENT.md names, for use without the headers.
JET_BUILTIN_CODES = {
    "JET_errSuccess": 0, "JET_wrnBufferTruncated": 1006,
    "JET_errLogFileCorrupt": -501, "JET_errBackupDirectoryNotEmpty": -504, "JET_errBackupInProgress": -505,
    "JET_errRestoreInProgress": -506, "JET_errNoBackup": -520, "JET_errInvalidBackupSequence": -521,
    "JET_errInvalidBackup": -526, "JET_errMissingLogFile": -528, "JET_errBadLogSignature": -530,
    "JET_errBadDbSignature": -531, "JET_errSoftRecoveryOnBackupDatabase": -544, "JET_errEndingRestoreLogTooLow": -553,
    "JET_errStartingRestoreLogTooHigh": -554, "JET_errGivenLogFileIsNotContiguous": -556,
    "JET_errMissingFullBackup": -560, "JET_errMissingFileToBackup": -569, "JET_errLogReadVerifyFailure": -612,
    "JET_errRestoreOfNonBackupDatabase": -615, "JET_errLogFileNotCopied": -616, "JET_errBackupAbortByServer": -801,
    "JET_errInvalidGrbit": -900, "JET_errInvalidParameter": -1003, "JET_errOutOfMemory": -1011,
    "JET_errReadVerifyFailure": -1018, "JET_errInvalidPath": -1023, "JET_errNotInitialized": -1029,
    "JET_errAlreadyInitialized": -1030, "JET_errBufferTooSmall": -1038, "JET_errRunningInOneInstanceMode": -1080,
    "JET_errRunningInMultiInstanceMode": -1081, "JET_errInstanceNameInUse": -1086,
    "JET_errInstanceUnavailable": -1090, "JET_errReadPgnoVerifyFailure": -1118, "JET_errDatabaseInUse": -1202,
    "JET_errDatabaseNotFound": -1203, "JET_errDatabaseCorrupted": -1206,
}

_JET_DEFINE = re.compile(r"^#define\s+(JET_(?:err|wrn)\w+)\s+\(?(-?\d+)\)?\s*$", re.M)


def parse_jet_codes(text):
    """{name: signed value} of the numeric JET_err* / JET_wrn* #defines of esent.h's text (aliases
    such as JET_errDatabaseInconsistent, defined as another name, are left out)."""
    return {name: int(value) for name, value in _JET_DEFINE.findall(text)}


def _load_jet_codes():
    folder = include_dir()
    if folder is None or not (folder / "esent.h").is_file():
        return dict(JET_BUILTIN_CODES)
    return parse_jet_codes((folder / "esent.h").read_text())


JET_CODES = _load_jet_codes()
JET_NAMES = {}
for _name, _value in JET_CODES.items():
    JET_NAMES.setdefault(_value, _name)          # the first name esent.h gives a value


def jet_name(err):
    """The name of a JET_ERR ("JET_errInvalidParameter"), or its number if it has none."""
    return JET_NAMES.get(err, str(err))


class JetError(Exception):
    """A Jet* call returned a negative JET_ERR.

    .name is esent.h's name ("JET_errBackupInProgress"), .value the JET_ERR (-505), .function the
    C function that returned it (when known)."""

    def __init__(self, name, value, function=None):
        self.name, self.value, self.function = name, value, function
        where = f"{function}: " if function else ""
        super().__init__(f"{where}{name} ({value})")

    @property
    def err(self):
        return self.value

    @classmethod
    def from_err(cls, err, function=None):
        return cls(jet_name(err), err, function)


def jet_check(err, function=None):
    """Raises JetError if err is negative; returns err (0, or a JET_wrn* warning) otherwise."""
    if err < 0:
        raise JetError.from_err(err, function)
    return err
