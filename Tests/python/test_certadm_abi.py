"""The Certadm (CertSrv*) C ABI through ctypes, docs/CONTRACT-CERTADM.md: the bindings against
include/certbcli.h, the COM codes, NULL pointers for every export (E_POINTER, out-parameters
untouched), and handles: NULL, stale, made up, and foreign (a Ds handle in a CertSrv call, a backup
context where a restore one is needed, and back)."""

import ctypes
import re
from ctypes import byref, c_void_p

import pytest

from conftest import INCLUDE, REPO
from winbackup import _lib, certsrv, errors, ntds, servers

u32 = _lib.u32
SENTINEL = 0xDEADBEEF
E_POINTER, E_INVALIDARG, E_HANDLE = 0x80004003, 0x80070057, 0x80070006
E_ACCESSDENIED, E_OUTOFMEMORY, RPC_UNAVAILABLE = 0x80070005, 0x8007000E, 0x800706BA
EINVAL = 87
DATABASE = r"\\CA01\C$\Windows\System32\CertLog\CA01-CA.edb"

CERTADM_EXPORTS = [
    "CertSrvIsServerOnlineW", "CertSrvBackupGetDynamicFileListW", "CertSrvBackupPrepareW",
    "CertSrvBackupGetDatabaseNamesW", "CertSrvBackupOpenFileW", "CertSrvBackupRead", "CertSrvBackupClose",
    "CertSrvBackupGetBackupLogsW", "CertSrvBackupTruncateLogs", "CertSrvBackupEnd", "CertSrvBackupFree",
    "CertSrvRestoreGetDatabaseLocationsW", "CertSrvRestorePrepareW", "CertSrvRestoreRegisterW",
    "CertSrvRestoreRegisterThroughFile", "CertSrvRestoreRegisterComplete", "CertSrvRestoreEnd",
    "CertSrvServerControlW"]


def certbcli_text():
    return re.sub(r"/\*.*?\*/", " ", (INCLUDE / "certbcli.h").read_text(), flags=re.S)


def certbcli_prototypes():
    """{name: (return type, [parameter declarations])} of the CERTBCLI_API functions."""
    found = {}
    prototype = r"\b(HRESULT|VOID)\s+CERTBCLI_API\s+(\w+)\s*\(([^;{]*?)\)\s*;"
    for ret, name, params in re.findall(prototype, certbcli_text()):
        found[name] = (ret, [p.strip() for p in " ".join(params.split()).split(",")])
    return found


def param_size(declaration):
    words = declaration.replace("const", " ").split()
    if "*" in declaration or "[]" in declaration or words[0] in ("HCSBC", "PVOID"):
        return ctypes.sizeof(c_void_p)
    return {"DWORD": 4, "ULONG": 4, "LONG": 4, "BOOL": 4, "HRESULT": 4}[words[0]]


# ---- the bindings against certbcli.h --------------------------------------------------------------

def test_the_18_exports_are_declared_bound_and_exported(lib):
    declared = certbcli_prototypes()
    assert sorted(declared) == sorted(CERTADM_EXPORTS)
    bound = {entry[0]: entry for entry in _lib.FUNCTION_LIST}
    exported = set(re.findall(r"^\s+(\w+);", (REPO / "exports" / "winbackup.map").read_text(), re.M))
    for name in CERTADM_EXPORTS:
        assert name in bound and name in exported and hasattr(lib, name), name
    for name in ("WbAllowBackupOperatorA", "WbCertSrvGetReadBufferSize"):
        assert name in bound and name in exported, name


@pytest.mark.parametrize("name", CERTADM_EXPORTS)
def test_prototype_matches_certbcli_h(name):
    ret, params = certbcli_prototypes()[name]
    _, argtypes, restype = next(entry for entry in _lib.FUNCTION_LIST if entry[0] == name)
    assert [ctypes.sizeof(t) for t in argtypes] == [param_size(p) for p in params], params
    assert restype is {"HRESULT": _lib.HRESULT, "VOID": None}[ret]


def test_restore_map_matches_certbcli_h():
    declared = re.search(r"typedef struct tagCSEDB_RSTMAPW \{(.*?)\}", certbcli_text(), re.S).group(1)
    assert re.findall(r"\*(\w+);", declared) == ["pwszDatabaseName", "pwszNewDatabaseName"]
    assert [f[0] for f in _lib.CSEDB_RSTMAPW._fields_] == ["pwszDatabaseName", "pwszNewDatabaseName"]
    assert ctypes.sizeof(_lib.CSEDB_RSTMAPW) == 2 * ctypes.sizeof(c_void_p)


def test_certsrv_constants_match_certbcli_h():
    text = (INCLUDE / "certbcli.h").read_text()
    plain = dict(re.findall(r"^#define (CS(?:BACKUP|RESTORE|CONTROL)_\w+) (0x[0-9a-fA-F]+)", text, re.M))
    assert len(plain) == 11
    for name, value in plain.items():
        assert getattr(certsrv, name) == int(value, 16), name
    typed = dict(re.findall(r"^#define (CSBFT_\w+) .*?/\* (0x[0-9A-F]+) \*/", text, re.M))
    typed.update(re.findall(r"^#define (CSBFT_\w+) (0x[0-9A-Fa-f]+)\s*$", text, re.M))
    typed["CSBFT_UNKNOWN"] = "0x0f"
    assert len(typed) == 9
    for name, value in typed.items():
        assert getattr(certsrv, name) == int(value, 16), name
    assert certsrv.CSBFT_NAMES[0x44] == "CSBFT_CERTSERVER_DATABASE" and certsrv.CSBFT_NAMES[0x21] == "CSBFT_LOG"


def test_com_codes_have_names():
    # CONTRACT-CERTADM.md's table, as include/wbtypes.h spells it.
    text = (INCLUDE / "wbtypes.h").read_text()
    for value, name in [(E_POINTER, "E_POINTER"), (E_INVALIDARG, "E_INVALIDARG"), (E_HANDLE, "E_HANDLE"),
                        (E_ACCESSDENIED, "E_ACCESSDENIED"), (E_OUTOFMEMORY, "E_OUTOFMEMORY"),
                        (RPC_UNAVAILABLE, "WB_HR_RPC_SERVER_UNAVAILABLE"), (0x80004005, "E_FAIL")]:
        assert errors.name_of(value) == name and getattr(errors, name) == value
        assert errors.BUILTIN_CODES[name] == value
        assert re.search(r"#define %s \(\(HRESULT\)0x%08X\)" % (name, value), text), name
    assert errors.name_of(5) == "ERROR_ACCESS_DENIED" and errors.name_of(87) == "ERROR_INVALID_PARAMETER"
    assert errors.name_of(0xC7FF000C) == "hrNoFullRestore"


# ---- NULL pointers: E_POINTER, out-parameters untouched --------------------------------------------

def test_is_online_null_pointers(ca, lib):
    online = _lib.BOOL(-7)
    assert u32(lib.CertSrvIsServerOnlineW(None, byref(online))) == E_POINTER
    assert u32(lib.CertSrvIsServerOnlineW(_lib.wstr(ca), None)) == E_POINTER
    assert u32(lib.CertSrvIsServerOnlineW(None, None)) == E_POINTER
    assert online.value == -7
    assert u32(lib.CertSrvIsServerOnlineW(_lib.wstr(ca), byref(online))) == 0 and online.value == 1


def test_backup_prepare_null_pointers_come_first(ca, lib):
    hbc = _lib.HCSBC(SENTINEL)
    assert u32(lib.CertSrvBackupPrepareW(None, 0, 1, byref(hbc))) == E_POINTER
    assert u32(lib.CertSrvBackupPrepareW(_lib.wstr(ca), 0, 1, None)) == E_POINTER
    assert u32(lib.CertSrvBackupPrepareW(None, 0x2, 7, byref(hbc))) == E_POINTER       # before the flags
    assert u32(lib.CertSrvBackupPrepareW(_lib.wstr("CA_01"), 0x2, 7, None)) == E_POINTER
    assert hbc.value == SENTINEL


@pytest.mark.parametrize("function", ["CertSrvBackupGetDatabaseNamesW", "CertSrvBackupGetBackupLogsW",
                                      "CertSrvBackupGetDynamicFileListW", "CertSrvRestoreGetDatabaseLocationsW"])
def test_list_null_pointers(ca, lib, cs_prepare, function):
    hr, hbc = cs_prepare(ca)
    fn = getattr(lib, function)
    pointer, cb = ctypes.cast(c_void_p(0x1000), _lib.LPWSTR), _lib.DWORD(SENTINEL)
    assert u32(fn(hbc, None, byref(cb))) == E_POINTER
    assert u32(fn(hbc, byref(pointer), None)) == E_POINTER
    assert u32(fn(None, None, None)) == E_HANDLE                                  # the handle first
    assert ctypes.cast(pointer, c_void_p).value == 0x1000 and cb.value == SENTINEL
    assert u32(fn(hbc, byref(pointer), byref(cb))) == 0                            # *list need not be NULL
    assert ctypes.cast(pointer, c_void_p).value not in (None, 0x1000) and 0 < cb.value < 4096
    lib.CertSrvBackupFree(pointer)


def test_open_and_read_null_pointers(ca, lib, cs_prepare):
    hr, hbc = cs_prepare(ca)
    names, cb = _lib.LPWSTR(), _lib.DWORD(0)
    assert u32(lib.CertSrvBackupGetDatabaseNamesW(hbc, byref(names), byref(cb))) == 0
    lib.CertSrvBackupFree(names)
    size, got = _lib.LARGE_INTEGER(SENTINEL), _lib.DWORD(SENTINEL)
    assert u32(lib.CertSrvBackupOpenFileW(hbc, None, 0, byref(size))) == E_POINTER
    assert u32(lib.CertSrvBackupOpenFileW(hbc, _lib.wstr(DATABASE), 0, None)) == E_POINTER
    assert u32(lib.CertSrvBackupOpenFileW(None, None, 0, None)) == E_HANDLE
    assert size.value == SENTINEL
    buffer = ctypes.create_string_buffer(4096)
    assert u32(lib.CertSrvBackupRead(hbc, None, 4096, byref(got))) == E_POINTER
    assert u32(lib.CertSrvBackupRead(hbc, buffer, 4096, None)) == E_POINTER
    assert u32(lib.CertSrvBackupRead(None, None, 4096, None)) == E_HANDLE
    assert got.value == SENTINEL
    assert u32(lib.CertSrvBackupOpenFileW(hbc, _lib.wstr(DATABASE), 0, byref(size))) == 0
    assert size.value > 0
    assert u32(lib.CertSrvBackupRead(hbc, buffer, 4096, byref(got))) == 0 and got.value == 4096


def test_read_buffer_size_null_pointer(ca, lib, cs_prepare):
    hr, hbc = cs_prepare(ca)
    size = _lib.DWORD(SENTINEL)
    assert u32(lib.WbCertSrvGetReadBufferSize(hbc, None)) == E_POINTER
    assert u32(lib.WbCertSrvGetReadBufferSize(None, byref(size))) == E_HANDLE
    assert size.value == SENTINEL
    assert u32(lib.WbCertSrvGetReadBufferSize(hbc, byref(size))) == 0 and size.value == 0   # before OpenFile


def test_restore_prepare_null_pointers(ca, lib):
    servers.stop(ca)
    hbc = _lib.HCSBC(SENTINEL)
    assert u32(lib.CertSrvRestorePrepareW(None, 1, byref(hbc))) == E_POINTER
    assert u32(lib.CertSrvRestorePrepareW(_lib.wstr(ca), 1, None)) == E_POINTER
    assert u32(lib.CertSrvRestorePrepareW(None, 0x2, byref(hbc))) == E_POINTER         # before the flags
    assert hbc.value == SENTINEL


@pytest.mark.parametrize("function", ["CertSrvRestoreRegisterW", "CertSrvRestoreRegisterThroughFile"])
def test_register_null_map_pointers(ca, lib, function):
    servers.stop(ca)
    hbc = _lib.HCSBC()
    assert u32(lib.CertSrvRestorePrepareW(_lib.wstr(ca), 1, byref(hbc))) == 0
    fn = getattr(lib, function)
    try:
        assert u32(fn(hbc, None, None, None, 1, None, 1, 1)) == E_POINTER           # n > 0, map NULL
        entry = (_lib.CSEDB_RSTMAPW * 1)()
        entry[0].pwszNewDatabaseName = ctypes.cast(_lib.wstr(DATABASE), _lib.LPWSTR)
        assert u32(fn(hbc, None, None, entry, 1, None, 1, 1)) == E_POINTER          # a NULL name in it
        entry[0].pwszDatabaseName, entry[0].pwszNewDatabaseName = entry[0].pwszNewDatabaseName, None
        assert u32(fn(hbc, None, None, entry, 1, None, 1, 1)) == E_POINTER
        assert u32(fn(hbc, None, None, None, 0, None, 1, 1)) == E_INVALIDARG        # full: n >= 1
        assert u32(lib.CertSrvRestoreRegisterComplete(hbc, 0)) == E_INVALIDARG       # nothing registered
    finally:
        assert u32(lib.CertSrvRestoreEnd(hbc)) == 0


def test_server_control_null_pointers(ca, lib):
    cb, out = _lib.DWORD(SENTINEL), ctypes.cast(c_void_p(0x1000), ctypes.POINTER(_lib.BYTE))
    assert u32(lib.CertSrvServerControlW(None, 2, byref(cb), byref(out))) == E_POINTER
    assert u32(lib.CertSrvServerControlW(None, 9, byref(cb), byref(out))) == E_POINTER  # before the flags
    assert cb.value == SENTINEL and ctypes.cast(out, c_void_p).value == 0x1000
    assert u32(lib.CertSrvServerControlW(_lib.wstr(ca), 2, None, None)) == 0           # both may be NULL
    assert u32(lib.CertSrvServerControlW(_lib.wstr(ca), 3, byref(cb), None)) == 0 and cb.value == 0
    cb.value = SENTINEL
    assert u32(lib.CertSrvServerControlW(_lib.wstr(ca), 2, None, byref(out))) == 0 and not out
    assert certsrv.is_online(ca) is False


def test_backup_free(ca, lib, cs_prepare, capfd):
    lib.CertSrvBackupFree(None)                                                   # a no-op
    assert capfd.readouterr().err == ""
    mine = ctypes.create_string_buffer(64)
    lib.CertSrvBackupFree(mine)                                                   # not the library's: reported
    assert capfd.readouterr().err.strip()
    hr, hbc = cs_prepare(ca)
    for function in ("CertSrvBackupGetDatabaseNamesW", "CertSrvBackupGetDynamicFileListW",
                     "CertSrvRestoreGetDatabaseLocationsW"):
        pointer, cb = _lib.LPWSTR(), _lib.DWORD(0)
        assert u32(getattr(lib, function)(hbc, byref(pointer), byref(cb))) == 0
        lib.CertSrvBackupFree(pointer)                                            # freed: nothing said
        assert capfd.readouterr().err == "", function
        lib.CertSrvBackupFree(pointer)                                            # twice: reported, no crash
        assert capfd.readouterr().err.strip(), function
    names, cb = _lib.LPWSTR(), _lib.DWORD(0)                                      # Ds buffers: the shared allocator
    with ntds.backup(servers.create("DC01", db_size="2M", logs=2, log_size="64K")) as b:
        assert u32(lib.DsBackupGetDatabaseNamesW(b.hbc, byref(names), byref(cb))) == 0
    lib.CertSrvBackupFree(names)
    assert capfd.readouterr().err == ""


# ---- handles: E_HANDLE for anything that is not a live context of the right kind -----------------

BACKUP_FUNCTIONS = ["CertSrvBackupGetDatabaseNamesW", "CertSrvBackupGetDynamicFileListW", "CertSrvBackupOpenFileW",
                    "CertSrvBackupRead", "CertSrvBackupClose", "CertSrvBackupGetBackupLogsW",
                    "CertSrvBackupTruncateLogs", "WbCertSrvGetReadBufferSize", "CertSrvBackupEnd"]
RESTORE_FUNCTIONS = ["CertSrvRestoreRegisterW", "CertSrvRestoreRegisterThroughFile",
                     "CertSrvRestoreRegisterComplete", "CertSrvRestoreEnd"]
EITHER = ["CertSrvRestoreGetDatabaseLocationsW"]                  # a backup or a restore context


def call(lib, name, hbc):
    """Calls an HCSBC function with valid other arguments; the unsigned result."""
    fn = getattr(lib, name)
    if name.startswith(("CertSrvBackupGet", "CertSrvRestoreGet")):
        pointer = _lib.LPWSTR()
        hr = u32(fn(hbc, byref(pointer), byref(_lib.DWORD(0))))
        if hr == 0:
            lib.CertSrvBackupFree(pointer)
        return hr
    if name == "CertSrvBackupOpenFileW":
        return u32(fn(hbc, _lib.wstr(DATABASE), 0, byref(_lib.LARGE_INTEGER(0))))
    if name == "CertSrvBackupRead":
        return u32(fn(hbc, ctypes.create_string_buffer(8192), 8192, byref(_lib.DWORD(0))))
    if name == "WbCertSrvGetReadBufferSize":
        return u32(fn(hbc, byref(_lib.DWORD(0))))
    if name.startswith("CertSrvRestoreRegister") and name != "CertSrvRestoreRegisterComplete":
        entry = (_lib.CSEDB_RSTMAPW * 1)()
        keep = _lib.wstr(DATABASE)
        entry[0].pwszDatabaseName = entry[0].pwszNewDatabaseName = ctypes.cast(keep, _lib.LPWSTR)
        return u32(fn(hbc, None, None, entry, 1, None, 1, 1))
    if name == "CertSrvRestoreRegisterComplete":
        return u32(fn(hbc, 0))
    return u32(fn(hbc))


def test_null_and_made_up_handles(ca, lib, cs_prepare):
    hr, real = cs_prepare(ca)                                     # a live backup to confuse
    for name in BACKUP_FUNCTIONS + RESTORE_FUNCTIONS + EITHER:
        for garbage in (None, 1, 0x1234, SENTINEL, 0xFFFFFFFFFFFFFFFF, 0x7FFF00001234,
                        real.value + 1, real.value ^ (1 << 32), real.value ^ (1 << 40)):
            assert call(lib, name, c_void_p(garbage)) == E_HANDLE, (name, hex(garbage or 0))
    assert call(lib, "CertSrvBackupGetDatabaseNamesW", real) == 0    # the real one still works


def test_stale_handles(ca, lib, cs_prepare):
    hr, first = cs_prepare(ca)
    assert u32(lib.CertSrvBackupEnd(first)) == 0
    hr, second = cs_prepare(ca)                                   # a new backup: the old handle stays dead
    assert hr == 0 and first.value != second.value
    for name in BACKUP_FUNCTIONS + RESTORE_FUNCTIONS + EITHER:
        assert call(lib, name, first) == E_HANDLE, name
    servers.create("CA02", role="certsrv", db_size="2M", logs=2, log_size="64K", offline=True)
    restore = _lib.HCSBC()
    assert u32(lib.CertSrvRestorePrepareW(_lib.wstr("CA02"), 1, byref(restore))) == 0
    assert u32(lib.CertSrvRestoreEnd(restore)) == 0
    for name in BACKUP_FUNCTIONS + RESTORE_FUNCTIONS + EITHER:    # RestoreEnd twice too
        assert call(lib, name, restore) == E_HANDLE, name


def test_foreign_handles(ca, lib, cs_prepare):
    """Ds handles into CertSrv calls, backup contexts into restore calls and back: E_HANDLE.
    CertSrv handles into Ds calls: what Ntdsbcli says of a bad handle (87)."""
    servers.create("DC01", db_size="2M", logs=2, log_size="64K")
    servers.create("DC02", db_size="2M", logs=2, log_size="64K", offline=True)
    servers.create("CA02", role="certsrv", db_size="2M", logs=2, log_size="64K", offline=True)
    hr, cs_backup = cs_prepare(ca)
    cs_restore = _lib.HCSBC()
    assert u32(lib.CertSrvRestorePrepareW(_lib.wstr("CA02"), 1, byref(cs_restore))) == 0
    try:
        with ntds.backup("DC01") as ds_backup, ntds.restore("DC02") as ds_restore:
            for name in BACKUP_FUNCTIONS + RESTORE_FUNCTIONS + EITHER:
                assert call(lib, name, ds_backup.hbc) == E_HANDLE, (name, "Ds backup")
                assert call(lib, name, ds_restore.hbc) == E_HANDLE, (name, "Ds restore")
            for name in RESTORE_FUNCTIONS:
                assert call(lib, name, cs_backup) == E_HANDLE, (name, "CertSrv backup")
            for name in BACKUP_FUNCTIONS:
                assert call(lib, name, cs_restore) == E_HANDLE, (name, "CertSrv restore")
            # ... and the Ds calls do not take CertSrv contexts
            for hbc in (cs_backup, cs_restore):
                pointer = _lib.LPWSTR()
                assert u32(lib.DsBackupGetDatabaseNamesW(hbc, byref(pointer), byref(_lib.DWORD(0)))) == EINVAL
                assert u32(lib.DsRestoreGetDatabaseLocationsW(hbc, byref(pointer), byref(_lib.DWORD(0)))) == EINVAL
                assert u32(lib.DsBackupClose(hbc)) == EINVAL
                assert u32(lib.DsBackupEnd(hbc)) == EINVAL
                assert u32(lib.DsRestoreEnd(hbc)) == EINVAL
            assert call(lib, "CertSrvBackupGetDatabaseNamesW", ds_backup.hbc) == E_HANDLE
            assert ds_backup.databases()                            # all still alive
        assert call(lib, "CertSrvBackupGetDatabaseNamesW", cs_backup) == 0
        assert call(lib, "CertSrvRestoreGetDatabaseLocationsW", cs_backup) == 0    # either kind
        assert call(lib, "CertSrvRestoreGetDatabaseLocationsW", cs_restore) == RPC_UNAVAILABLE  # CA02 is stopped
    finally:
        assert u32(lib.CertSrvRestoreEnd(cs_restore)) == 0


def test_utf16_names(ca, lib):
    # unpaired surrogates and non-ASCII letters: a malformed name (E_INVALIDARG) or no such CA, never CA01
    for units in ([0x43, 0x41, 0xD800, 0x30, 0x31], [0xDC00, 0x43, 0x41, 0x30, 0x31], [0xFFFF]):
        name = (_lib.WCHAR * (len(units) + 1))(*units, 0)
        online = _lib.BOOL(-7)
        assert u32(lib.CertSrvIsServerOnlineW(name, byref(online))) in (E_INVALIDARG, RPC_UNAVAILABLE)
        assert online.value == -7
    for name in ("CÄ01", "CA01😀", "СА01"):                        # Cyrillic look-alikes too
        hbc = _lib.HCSBC(SENTINEL)
        assert u32(lib.CertSrvBackupPrepareW(_lib.wstr(name), 0, 1, byref(hbc))) in (E_INVALIDARG, RPC_UNAVAILABLE)
        assert hbc.value == SENTINEL
    assert certsrv.is_online("CA01\\ca01-CA")                     # a config string, the CA name any case
