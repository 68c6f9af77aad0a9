"""The C ABI of libwinbackup.so: where the library is, its prototypes, and the string helpers.

One table, FUNCTION_LIST, declares every function the library exports, as
(name, argtypes, restype) with the Windows sizes of include/wbtypes.h: DWORD, ULONG, LONG, BOOL
and HRESULT are 32-bit, WCHAR is a UTF-16 code unit (never ctypes.c_wchar, which is 32-bit on
Linux). The raw functions return the HRESULT as a signed 32-bit int; u32() gives the unsigned
form the headers print (0xC80001F9). The Jet* functions of include/esent.h return a JET_ERR, a
signed 32-bit int (-1003); their JET_INSTANCE, JET_HANDLE and JET_SESID are pointer-sized.
"""

import ctypes
import os
from ctypes import CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_int32, c_int64, c_size_t, c_uint8, c_uint16, c_uint32, \
    c_void_p
from pathlib import Path

# ---- wbtypes.h ----------------------------------------------------------------------------------
HRESULT = c_int32
BOOL = c_int32
DWORD = c_uint32
ULONG = c_uint32
LONG = c_int32
LONGLONG = c_int64
WCHAR = c_uint16
BYTE = c_uint8
LPCSTR = c_char_p            # UTF-8 bytes, or None for NULL
LPCWSTR = POINTER(WCHAR)     # wstr("...") or None
LPWSTR = POINTER(WCHAR)
LARGE_INTEGER = c_int64      # the union's QuadPart: 8 bytes, same layout
HBC = c_void_p               # opaque; never a valid pointer
PVOID = c_void_p
HCSBC = c_void_p             # certbcli.h: a CertSrv backup or restore context, opaque


# ---- ntdsbcli.h: the restore map, one entry per database ------------------------------------------
class EDB_RSTMAPA(Structure):
    """EDB_RSTMAPA: the database's name at backup time and its location now (UTF-8 bytes)."""
    _fields_ = [("szDatabaseName", c_char_p), ("szNewDatabaseName", c_char_p)]


class EDB_RSTMAPW(Structure):
    """EDB_RSTMAPW: the same with UTF-16 strings (wstr(...) buffers, cast to LPWSTR)."""
    _fields_ = [("wszDatabaseName", LPWSTR), ("wszNewDatabaseName", LPWSTR)]


# ---- certbcli.h: the restore map of a CA ----------------------------------------------------------
class CSEDB_RSTMAPW(Structure):
    """CSEDB_RSTMAPW: the CA database's name at backup time and where it is restored now (UTF-16)."""
    _fields_ = [("pwszDatabaseName", LPWSTR), ("pwszNewDatabaseName", LPWSTR)]


# ---- esent.h: the Jet* types ---------------------------------------------------------------------
JET_ERR = c_int32
JET_API_PTR = c_size_t       # uintptr_t
JET_INSTANCE = JET_API_PTR
JET_SESID = JET_API_PTR
JET_HANDLE = JET_API_PTR
JET_GRBIT = c_uint32
UINT32 = c_uint32            # the header's uint32_t counts (cbMax, *pcbActual, paramid)
INT32 = c_int32              # crstfilemap, genLow, genHigh
JET_PSTR = c_char_p          # UTF-8; a create_string_buffer for an output
JET_PCSTR = c_char_p
JET_PWSTR = POINTER(WCHAR)   # UTF-16
JET_PCWSTR = POINTER(WCHAR)
_PFNSTATUS = CFUNCTYPE(JET_ERR, JET_SESID, c_uint32, c_uint32, c_void_p)


class JET_PFNSTATUS(_PFNSTATUS):
    """JET_ERR JET_API (*)(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv), pv a JET_SNPROG* for
    progress: JET_PFNSTATUS(python_function). As an argument None passes NULL (it is optional)."""
    _flags_, _argtypes_, _restype_ = _PFNSTATUS._flags_, _PFNSTATUS._argtypes_, _PFNSTATUS._restype_

    @classmethod
    def from_param(cls, value):
        return None if value is None else _PFNSTATUS.from_param(value)

JET_BASE_NAME_LENGTH = 3


class JET_SNPROG(Structure):
    """A status callback's progress: cbStruct (12), cunitDone, cunitTotal."""
    _fields_ = [("cbStruct", c_uint32), ("cunitDone", c_uint32), ("cunitTotal", c_uint32)]


class JET_RSTMAP_A(Structure):
    """JetExternalRestoreA's map: a database's name at backup time and where its copy is now (UTF-8)."""
    _fields_ = [("szDatabaseName", c_char_p), ("szNewDatabaseName", c_char_p)]


class JET_RSTMAP_W(Structure):
    """JET_RSTMAP_W: the same with UTF-16 strings (wstr(...) buffers, cast to LPWSTR)."""
    _fields_ = [("szDatabaseName", LPWSTR), ("szNewDatabaseName", LPWSTR)]


class JET_LOGINFO_A(Structure):
    """A backup's log range (generations inclusive) and base name; cbSize must be 16."""
    _fields_ = [("cbSize", c_uint32), ("ulGenLow", c_uint32), ("ulGenHigh", c_uint32),
                ("szBaseName", c_char * (JET_BASE_NAME_LENGTH + 1))]


class JET_LOGINFO_W(Structure):
    """JET_LOGINFO_W: the same with a UTF-16 base name; cbSize must be 20."""
    _fields_ = [("cbSize", c_uint32), ("ulGenLow", c_uint32), ("ulGenHigh", c_uint32),
                ("szBaseName", WCHAR * (JET_BASE_NAME_LENGTH + 1))]


# esent.h: every Jet* prototype (A and W); the bare Windows 2000 names are added below.
JET_FUNCTIONS = [
    # instances
    ("JetCreateInstanceA", [POINTER(JET_INSTANCE), JET_PCSTR], JET_ERR),
    ("JetCreateInstanceW", [POINTER(JET_INSTANCE), JET_PCWSTR], JET_ERR),
    ("JetCreateInstance2A", [POINTER(JET_INSTANCE), JET_PCSTR, JET_PCSTR, JET_GRBIT], JET_ERR),
    ("JetCreateInstance2W", [POINTER(JET_INSTANCE), JET_PCWSTR, JET_PCWSTR, JET_GRBIT], JET_ERR),
    ("JetSetSystemParameterA", [POINTER(JET_INSTANCE), JET_SESID, UINT32, JET_API_PTR, JET_PCSTR], JET_ERR),
    ("JetSetSystemParameterW", [POINTER(JET_INSTANCE), JET_SESID, UINT32, JET_API_PTR, JET_PCWSTR], JET_ERR),
    ("JetGetSystemParameterA", [JET_INSTANCE, JET_SESID, UINT32, POINTER(JET_API_PTR), JET_PSTR, UINT32], JET_ERR),
    ("JetGetSystemParameterW", [JET_INSTANCE, JET_SESID, UINT32, POINTER(JET_API_PTR), JET_PWSTR, UINT32], JET_ERR),
    ("JetInit", [POINTER(JET_INSTANCE)], JET_ERR),
    ("JetInit2", [POINTER(JET_INSTANCE), JET_GRBIT], JET_ERR),
    ("JetTerm", [JET_INSTANCE], JET_ERR),
    ("JetTerm2", [JET_INSTANCE, JET_GRBIT], JET_ERR),
    # streaming backup
    ("JetBeginExternalBackup", [JET_GRBIT], JET_ERR),
    ("JetBeginExternalBackupInstance", [JET_INSTANCE, JET_GRBIT], JET_ERR),
    ("JetGetAttachInfoA", [JET_PSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetGetAttachInfoW", [JET_PWSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetGetAttachInfoInstanceA", [JET_INSTANCE, JET_PSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetGetAttachInfoInstanceW", [JET_INSTANCE, JET_PWSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetOpenFileA", [JET_PCSTR, POINTER(JET_HANDLE), POINTER(UINT32), POINTER(UINT32)], JET_ERR),
    ("JetOpenFileW", [JET_PCWSTR, POINTER(JET_HANDLE), POINTER(UINT32), POINTER(UINT32)], JET_ERR),
    ("JetOpenFileInstanceA", [JET_INSTANCE, JET_PCSTR, POINTER(JET_HANDLE), POINTER(UINT32), POINTER(UINT32)], JET_ERR),
    ("JetOpenFileInstanceW", [JET_INSTANCE, JET_PCWSTR, POINTER(JET_HANDLE), POINTER(UINT32), POINTER(UINT32)], JET_ERR),
    ("JetReadFile", [JET_HANDLE, c_void_p, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetReadFileInstance", [JET_INSTANCE, JET_HANDLE, c_void_p, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetCloseFile", [JET_HANDLE], JET_ERR),
    ("JetCloseFileInstance", [JET_INSTANCE, JET_HANDLE], JET_ERR),
    ("JetGetLogInfoA", [JET_PSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetGetLogInfoW", [JET_PWSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetGetLogInfoInstanceA", [JET_INSTANCE, JET_PSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetGetLogInfoInstanceW", [JET_INSTANCE, JET_PWSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetGetLogInfoInstance2A", [JET_INSTANCE, JET_PSTR, UINT32, POINTER(UINT32), POINTER(JET_LOGINFO_A)], JET_ERR),
    ("JetGetLogInfoInstance2W", [JET_INSTANCE, JET_PWSTR, UINT32, POINTER(UINT32), POINTER(JET_LOGINFO_W)], JET_ERR),
    ("JetGetTruncateLogInfoInstanceA", [JET_INSTANCE, JET_PSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetGetTruncateLogInfoInstanceW", [JET_INSTANCE, JET_PWSTR, UINT32, POINTER(UINT32)], JET_ERR),
    ("JetTruncateLog", [], JET_ERR),
    ("JetTruncateLogInstance", [JET_INSTANCE], JET_ERR),
    ("JetEndExternalBackup", [], JET_ERR),
    ("JetEndExternalBackupInstance", [JET_INSTANCE], JET_ERR),
    ("JetEndExternalBackupInstance2", [JET_INSTANCE, JET_GRBIT], JET_ERR),
    ("JetStopBackup", [], JET_ERR),
    ("JetStopBackupInstance", [JET_INSTANCE], JET_ERR),
    # restore
    ("JetExternalRestoreA", [JET_PSTR, JET_PSTR, POINTER(JET_RSTMAP_A), INT32, JET_PSTR, INT32, INT32, JET_PFNSTATUS],
     JET_ERR),
    ("JetExternalRestoreW", [JET_PWSTR, JET_PWSTR, POINTER(JET_RSTMAP_W), INT32, JET_PWSTR, INT32, INT32, JET_PFNSTATUS],
     JET_ERR),
    ("JetExternalRestore2A", [JET_PSTR, JET_PSTR, POINTER(JET_RSTMAP_A), INT32, JET_PSTR, POINTER(JET_LOGINFO_A), JET_PSTR,
                              JET_PSTR, JET_PSTR, JET_PFNSTATUS], JET_ERR),
    ("JetExternalRestore2W", [JET_PWSTR, JET_PWSTR, POINTER(JET_RSTMAP_W), INT32, JET_PWSTR, POINTER(JET_LOGINFO_W),
                              JET_PWSTR, JET_PWSTR, JET_PWSTR, JET_PFNSTATUS], JET_ERR),
    ("JetBackupA", [JET_PCSTR, JET_GRBIT, JET_PFNSTATUS], JET_ERR),
    ("JetBackupW", [JET_PCWSTR, JET_GRBIT, JET_PFNSTATUS], JET_ERR),
    ("JetBackupInstanceA", [JET_INSTANCE, JET_PCSTR, JET_GRBIT, JET_PFNSTATUS], JET_ERR),
    ("JetBackupInstanceW", [JET_INSTANCE, JET_PCWSTR, JET_GRBIT, JET_PFNSTATUS], JET_ERR),
    ("JetRestoreA", [JET_PCSTR, JET_PFNSTATUS], JET_ERR),
    ("JetRestoreW", [JET_PCWSTR, JET_PFNSTATUS], JET_ERR),
    ("JetRestore2A", [JET_PCSTR, JET_PCSTR, JET_PFNSTATUS], JET_ERR),
    ("JetRestore2W", [JET_PCWSTR, JET_PCWSTR, JET_PFNSTATUS], JET_ERR),
    ("JetRestoreInstanceA", [JET_INSTANCE, JET_PCSTR, JET_PCSTR, JET_PFNSTATUS], JET_ERR),
    ("JetRestoreInstanceW", [JET_INSTANCE, JET_PCWSTR, JET_PCWSTR, JET_PFNSTATUS], JET_ERR),
]

# The bare names esent.dll has exported since Windows 2000, which GetProcAddress users such as
# ManagedEsent look up: each is its A function (esent.h's generic names without JET_UNICODE).
JET_BARE_NAMES = ["JetCreateInstance", "JetCreateInstance2", "JetSetSystemParameter", "JetGetSystemParameter",
                  "JetGetAttachInfo", "JetGetAttachInfoInstance", "JetOpenFile", "JetOpenFileInstance", "JetGetLogInfo",
                  "JetGetLogInfoInstance", "JetGetLogInfoInstance2", "JetGetTruncateLogInfoInstance",
                  "JetExternalRestore", "JetExternalRestore2", "JetBackup", "JetBackupInstance", "JetRestore",
                  "JetRestore2", "JetRestoreInstance"]
_JET_BY_NAME = {name: (argtypes, restype) for name, argtypes, restype in JET_FUNCTIONS}
JET_FUNCTIONS += [(bare, *_JET_BY_NAME[bare + "A"]) for bare in JET_BARE_NAMES]

# (name, argtypes, restype): the prototypes of include/ntdsbcli.h, include/certbcli.h,
# include/winbackup.h and include/esent.h.
FUNCTION_LIST = [
    # ntdsbcli.h: backup
    ("DsIsNTDSOnlineA", [LPCSTR, POINTER(BOOL)], HRESULT),
    ("DsIsNTDSOnlineW", [LPCWSTR, POINTER(BOOL)], HRESULT),
    ("DsBackupPrepareA", [LPCSTR, ULONG, ULONG, POINTER(PVOID), POINTER(DWORD), POINTER(HBC)], HRESULT),
    ("DsBackupPrepareW", [LPCWSTR, ULONG, ULONG, POINTER(PVOID), POINTER(DWORD), POINTER(HBC)], HRESULT),
    ("DsBackupGetDatabaseNamesA", [HBC, POINTER(c_char_p), POINTER(DWORD)], HRESULT),
    ("DsBackupGetDatabaseNamesW", [HBC, POINTER(LPWSTR), POINTER(DWORD)], HRESULT),
    ("DsBackupOpenFileA", [HBC, LPCSTR, DWORD, POINTER(LARGE_INTEGER)], HRESULT),
    ("DsBackupOpenFileW", [HBC, LPCWSTR, DWORD, POINTER(LARGE_INTEGER)], HRESULT),
    ("DsBackupRead", [HBC, PVOID, DWORD, POINTER(DWORD)], HRESULT),
    ("DsBackupClose", [HBC], HRESULT),
    ("DsBackupGetBackupLogsA", [HBC, POINTER(c_char_p), POINTER(DWORD)], HRESULT),
    ("DsBackupGetBackupLogsW", [HBC, POINTER(LPWSTR), POINTER(DWORD)], HRESULT),
    ("DsBackupTruncateLogs", [HBC], HRESULT),
    ("DsBackupEnd", [HBC], HRESULT),
    ("DsBackupFree", [PVOID], None),
    ("DsSetAuthIdentityA", [LPCSTR, LPCSTR, LPCSTR], HRESULT),
    ("DsSetAuthIdentityW", [LPCWSTR, LPCWSTR, LPCWSTR], HRESULT),
    ("DsSetCurrentBackupLogA", [LPCSTR, DWORD], HRESULT),
    ("DsSetCurrentBackupLogW", [LPCWSTR, DWORD], HRESULT),
    # ntdsbcli.h: restore
    ("DsRestorePrepareA", [LPCSTR, ULONG, PVOID, DWORD, POINTER(HBC)], HRESULT),
    ("DsRestorePrepareW", [LPCWSTR, ULONG, PVOID, DWORD, POINTER(HBC)], HRESULT),
    ("DsRestoreGetDatabaseLocationsA", [HBC, POINTER(c_char_p), POINTER(DWORD)], HRESULT),
    ("DsRestoreGetDatabaseLocationsW", [HBC, POINTER(LPWSTR), POINTER(DWORD)], HRESULT),
    ("DsRestoreRegisterA", [HBC, LPCSTR, LPCSTR, POINTER(EDB_RSTMAPA), LONG, LPCSTR, ULONG, ULONG], HRESULT),
    ("DsRestoreRegisterW", [HBC, LPCWSTR, LPCWSTR, POINTER(EDB_RSTMAPW), LONG, LPCWSTR, ULONG, ULONG], HRESULT),
    ("DsRestoreRegisterComplete", [HBC, HRESULT], HRESULT),
    ("DsRestoreEnd", [HBC], HRESULT),
    # certbcli.h (Certadm): wide forms only
    ("CertSrvIsServerOnlineW", [LPCWSTR, POINTER(BOOL)], HRESULT),
    ("CertSrvBackupGetDynamicFileListW", [HCSBC, POINTER(LPWSTR), POINTER(DWORD)], HRESULT),
    ("CertSrvBackupPrepareW", [LPCWSTR, ULONG, ULONG, POINTER(HCSBC)], HRESULT),
    ("CertSrvBackupGetDatabaseNamesW", [HCSBC, POINTER(LPWSTR), POINTER(DWORD)], HRESULT),
    ("CertSrvBackupOpenFileW", [HCSBC, LPCWSTR, DWORD, POINTER(LARGE_INTEGER)], HRESULT),
    ("CertSrvBackupRead", [HCSBC, PVOID, DWORD, POINTER(DWORD)], HRESULT),
    ("CertSrvBackupClose", [HCSBC], HRESULT),
    ("CertSrvBackupGetBackupLogsW", [HCSBC, POINTER(LPWSTR), POINTER(DWORD)], HRESULT),
    ("CertSrvBackupTruncateLogs", [HCSBC], HRESULT),
    ("CertSrvBackupEnd", [HCSBC], HRESULT),
    ("CertSrvBackupFree", [PVOID], None),
    ("CertSrvRestoreGetDatabaseLocationsW", [HCSBC, POINTER(LPWSTR), POINTER(DWORD)], HRESULT),
    ("CertSrvRestorePrepareW", [LPCWSTR, ULONG, POINTER(HCSBC)], HRESULT),
    ("CertSrvRestoreRegisterW", [HCSBC, LPCWSTR, LPCWSTR, POINTER(CSEDB_RSTMAPW), LONG, LPCWSTR, ULONG, ULONG],
     HRESULT),
    ("CertSrvRestoreRegisterThroughFile",
     [HCSBC, LPCWSTR, LPCWSTR, POINTER(CSEDB_RSTMAPW), LONG, LPCWSTR, ULONG, ULONG], HRESULT),
    ("CertSrvRestoreRegisterComplete", [HCSBC, HRESULT], HRESULT),
    ("CertSrvRestoreEnd", [HCSBC], HRESULT),
    ("CertSrvServerControlW", [LPCWSTR, DWORD, POINTER(DWORD), POINTER(POINTER(BYTE))], HRESULT),
    # winbackup.h
    ("WbGetVersionNumber", [], DWORD),
    ("WbGetVersionString", [], c_char_p),
    ("WbResolvePathA", [LPCSTR, LPCSTR, c_char_p, DWORD, POINTER(DWORD)], HRESULT),
    ("WbResolvePathW", [LPCWSTR, LPCWSTR, LPWSTR, DWORD, POINTER(DWORD)], HRESULT),
    ("WbCreateServerA", [LPCSTR, LPCSTR], HRESULT),
    ("WbDeleteServerA", [LPCSTR], HRESULT),
    ("WbStartServerA", [LPCSTR], HRESULT),
    ("WbStopServerA", [LPCSTR], HRESULT),
    ("WbWriteServerA", [LPCSTR, DWORD], HRESULT),
    ("WbAllowIdentityA", [LPCSTR, LPCSTR, LPCSTR], HRESULT),
    ("WbAllowBackupOperatorA", [LPCSTR, LPCSTR, LPCSTR], HRESULT),
    ("WbSetClockOffsetA", [LPCSTR, LONGLONG], HRESULT),
    ("WbGetContentDigestA", [LPCSTR, c_char_p, DWORD], HRESULT),
    ("WbReadLogDigestA", [LPCSTR, c_char_p, DWORD], HRESULT),
    ("WbReportA", [c_char_p, DWORD, POINTER(DWORD)], HRESULT),
    ("WbCertSrvGetReadBufferSize", [PVOID, POINTER(DWORD)], HRESULT),
    ("WbInjectFaultA", [LPCSTR, LPCSTR], HRESULT),
    ("WbInjectFaultW", [LPCWSTR, LPCWSTR], HRESULT),
    ("WbClearFaultsA", [LPCSTR], HRESULT),
    ("WbClearFaultsW", [LPCWSTR], HRESULT),
] + JET_FUNCTIONS

REPO_ROOT = Path(__file__).resolve().parents[3]   # examples/python/winbackup/_lib.py
LIBRARY_NAME = "libwinbackup.so"
# In the order they are tried after $WINBACKUP_LIB: SwiftPM, then the usual CMake build folders.
BUILD_OUTPUTS = [".build/release", ".build/debug", "build/lib", "build-release/lib", "build-debug/lib",
                 "cmake-build-release/lib", "cmake-build-debug/lib", "out/build/lib"]


class LibraryNotFoundError(OSError):
    """No libwinbackup.so could be loaded; the message lists every place tried."""


def candidates():
    """The library paths tried, in order: $WINBACKUP_LIB alone if set, else the repo's build
    outputs, then the bare name (the loader path)."""
    if os.environ.get("WINBACKUP_LIB"):
        return [os.environ["WINBACKUP_LIB"]]
    found = [str(REPO_ROOT / d / LIBRARY_NAME) for d in BUILD_OUTPUTS]
    return [p for p in found if os.path.exists(p)] + [LIBRARY_NAME]


def register_function(lib, name, argtypes, restype):
    try:
        fn = getattr(lib, name)
    except AttributeError:
        raise LibraryNotFoundError(f"{lib._name} has no {name}: bindings not compatible with this library version")
    fn.argtypes = argtypes
    fn.restype = restype


_loaded = None   # (CDLL, path)


def load():
    """The CDLL with every FUNCTION_LIST prototype registered (loaded once)."""
    global _loaded
    if _loaded is None:
        errors = []
        for path in candidates():
            try:
                lib = ctypes.CDLL(path)
            except OSError as e:
                errors.append(f"  {path}: {e}")
                continue
            for entry in FUNCTION_LIST:
                register_function(lib, *entry)
            _loaded = (lib, path)
            break
        else:
            raise LibraryNotFoundError("cannot load libwinbackup.so (set WINBACKUP_LIB to its path); tried:\n"
                                       + "\n".join(errors))
    return _loaded[0]


def library_path():
    """The path the library was loaded from (loads it if needed)."""
    load()
    return _loaded[1]


def u32(hr):
    """An HRESULT as the headers print it: 0xC80001F9, not -939523591."""
    return hr & 0xFFFFFFFF


def s32(hr):
    """An HRESULT as a signed 32-bit int, for an HRESULT parameter: 0x80004005 -> -2147467259."""
    hr &= 0xFFFFFFFF
    return hr - (1 << 32) if hr & 0x80000000 else hr


def wstr(text):
    """A NUL-terminated WCHAR string (UTF-16) for an LPCWSTR parameter; None stays NULL.
    Lone surrogates pass through unchanged, so callers can send any UTF-16."""
    if text is None:
        return None
    units = memoryview(text.encode("utf-16-le", "surrogatepass")).cast("H")
    return (WCHAR * (len(units) + 1))(*units, 0)


def astr(text):
    """A NUL-terminated UTF-8 string for an LPCSTR parameter; None stays NULL."""
    return None if text is None else text.encode("utf-8")


def multi_string(pointer, cb, wide):
    """The entries of a multi-string the library returned (cb bytes, final NUL included)."""
    raw = ctypes.string_at(pointer, cb)
    text = raw.decode("utf-16-le", "surrogatepass") if wide else raw.decode("utf-8", "surrogateescape")
    return [entry for entry in text.split("\0") if entry]
