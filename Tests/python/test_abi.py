"""The raw C ABI through ctypes: NULL arguments, garbage handles, UTF-16 edge cases, and the
bindings checked against include/*.h (the clang-bindings pattern: one FUNCTION_LIST, header sync)."""

import ctypes
import os
import re
import subprocess
import sys
from ctypes import byref, c_char_p, c_void_p

import pytest

import winbackup
from conftest import INCLUDE, REPO
from winbackup import _lib, errors, ntds, servers

EINVAL, ACCESS_DENIED = 87, 5
hrCouldNotConnect, hrInvalidParam, hrDatabaseNotFound = 0xC7FF0007, 0xC7FF0001, 0xC80004B3
PAGE = 8192
SENTINEL = 0xDEADBEEF
u32 = _lib.u32


def header_text(name):
    """A header without its comments."""
    return re.sub(r"/\*.*?\*/", " ", (INCLUDE / name).read_text(), flags=re.S)


def header_prototypes():
    """{name: (return type, [parameter declarations])} of every function in include/*.h. esent.h's
    generic names (JetOpenFileInstance), which the library also exports as the bare Windows 2000
    names, take the prototype of the function they map to without JET_UNICODE (the A one)."""
    found = {}
    for header in sorted(INCLUDE.glob("*.h")):
        text = header_text(header.name)
        for ret, name, params in re.findall(
                r"(?:WB_API\s+)?\b(HRESULT|VOID|DWORD|JET_ERR|const char \*)\s*(?:(?:NTDSBCLI|CERTBCLI|JET)_API\s+)?(\w+)\s*"
                r"\(([^;{]*?)\)\s*;", text):
            params = [p.strip() for p in " ".join(params.split()).split(",")]
            found[name] = (ret, [] if params in (["void"], [""]) else params)
        if "#ifdef JET_UNICODE" in text:
            narrow = text.split("#ifdef JET_UNICODE", 1)[1].split("#else", 1)[1].split("#endif", 1)[0]
            for generic, target in re.findall(r"^#define\s+(Jet\w+)\s+(Jet\w+)\s*$", narrow, re.M):
                found[generic] = found[target]
    return found


HEADER = header_prototypes()


# ---- NULL arguments: ERROR_INVALID_PARAMETER, out-parameters untouched, no crash ---------------

def test_is_online_null_arguments(dc, lib):
    online = _lib.BOOL(-7)
    assert u32(lib.DsIsNTDSOnlineW(None, byref(online))) == EINVAL
    assert u32(lib.DsIsNTDSOnlineA(None, byref(online))) == EINVAL
    assert online.value == -7
    assert u32(lib.DsIsNTDSOnlineW(_lib.wstr(dc), None)) == EINVAL
    assert u32(lib.DsIsNTDSOnlineA(b"DC01", None)) == EINVAL
    assert u32(lib.DsIsNTDSOnlineA(b"DC01", byref(online))) == 0 and online.value == 1


def test_prepare_null_arguments(dc, lib):
    for prepare, server in ((lib.DsBackupPrepareW, _lib.wstr(dc)), (lib.DsBackupPrepareA, b"DC01")):
        token, cb, hbc = c_void_p(SENTINEL), _lib.DWORD(SENTINEL), _lib.HBC(SENTINEL)
        assert u32(prepare(None, 0, 1, byref(token), byref(cb), byref(hbc))) == EINVAL
        assert u32(prepare(server, 0, 1, byref(token), byref(cb), None)) == EINVAL
        assert u32(prepare(server, 0, 1, None, byref(cb), byref(hbc))) == hrInvalidParam
        assert u32(prepare(server, 0, 1, byref(token), None, byref(hbc))) == hrInvalidParam
        assert u32(prepare(None, 0, 1, None, None, None)) == EINVAL            # the NULL server first
        assert u32(prepare(server, 0, 4, None, byref(cb), byref(hbc))) == hrInvalidParam  # before btFlag
        assert (token.value, cb.value, hbc.value) == (SENTINEL, SENTINEL, SENTINEL)


@pytest.mark.parametrize("function", ["DsBackupGetDatabaseNamesW", "DsBackupGetDatabaseNamesA",
                                      "DsBackupGetBackupLogsW", "DsBackupGetBackupLogsA"])
def test_list_null_arguments(dc, lib, prepare, function):
    hr, hbc = prepare(dc)
    assert hr == 0
    fn = getattr(lib, function)
    pointer_type = _lib.LPWSTR if function.endswith("W") else c_char_p
    pointer, cb = pointer_type(), _lib.DWORD(SENTINEL)
    assert u32(fn(hbc, None, byref(cb))) == EINVAL
    assert u32(fn(hbc, byref(pointer), None)) == EINVAL
    not_null = ctypes.cast(ctypes.c_void_p(0x1000), pointer_type)             # *list must be NULL on entry
    assert u32(fn(hbc, byref(not_null), byref(cb))) == EINVAL
    assert ctypes.cast(not_null, c_void_p).value == 0x1000 and cb.value == SENTINEL
    assert not pointer


def test_open_and_read_null_arguments(dc, lib, prepare):
    hr, hbc = prepare(dc)
    size, got = _lib.LARGE_INTEGER(SENTINEL), _lib.DWORD(SENTINEL)
    name = r"C:\Windows\NTDS\ntds.dit"
    assert u32(lib.DsBackupOpenFileW(hbc, None, 3 * PAGE, byref(size))) == EINVAL
    assert u32(lib.DsBackupOpenFileA(hbc, None, 3 * PAGE, byref(size))) == EINVAL
    assert u32(lib.DsBackupOpenFileW(hbc, _lib.wstr(name), 3 * PAGE, None)) == EINVAL
    assert u32(lib.DsBackupOpenFileA(hbc, name.encode(), 3 * PAGE, None)) == EINVAL
    assert size.value == SENTINEL
    assert u32(lib.DsBackupOpenFileA(hbc, name.encode(), 3 * PAGE, byref(size))) == 0
    buffer = ctypes.create_string_buffer(3 * PAGE)
    assert u32(lib.DsBackupRead(hbc, None, 3 * PAGE, byref(got))) == EINVAL
    assert u32(lib.DsBackupRead(hbc, buffer, 3 * PAGE, None)) == EINVAL
    assert got.value == SENTINEL
    assert u32(lib.DsBackupRead(hbc, buffer, 3 * PAGE, byref(got))) == 0 and got.value == 3 * PAGE


def test_server_name_null_arguments(dc, lib):
    assert u32(lib.DsSetCurrentBackupLogW(None, 1)) == EINVAL
    assert u32(lib.DsSetCurrentBackupLogA(None, 1)) == EINVAL
    needed = _lib.DWORD(SENTINEL)
    assert u32(lib.WbResolvePathW(None, None, None, 0, byref(needed))) == EINVAL
    assert u32(lib.WbResolvePathA(b"DC01", None, None, 0, byref(needed))) == EINVAL
    for fn in (lib.WbDeleteServerA, lib.WbStartServerA, lib.WbStopServerA):
        assert u32(fn(None)) == EINVAL
    assert u32(lib.WbCreateServerA(None, b"--role ntds")) == EINVAL
    assert u32(lib.WbWriteServerA(None, 1)) == EINVAL
    assert u32(lib.WbAllowIdentityA(None, b"CORP\\x", b"pw")) == EINVAL
    assert u32(lib.WbAllowIdentityA(b"DC01", None, b"pw")) == EINVAL
    assert ntds.is_online(dc)                                                  # nothing was changed


def test_set_auth_identity_null_arguments_are_the_process_identity(dc, lib):
    assert u32(lib.DsSetAuthIdentityW(None, None, None)) == 0
    assert u32(lib.DsSetAuthIdentityA(None, None, None)) == 0
    assert u32(lib.DsSetAuthIdentityA(b"user", None, None)) == 0
    assert u32(lib.DsSetAuthIdentityA(None, None, None)) == 0
    assert ntds.is_online(dc)


def test_backup_free(lib, capfd):
    lib.DsBackupFree(None)                                                    # a no-op
    mine = ctypes.create_string_buffer(64)
    lib.DsBackupFree(mine)                                                    # not the library's: reported
    assert capfd.readouterr().err.strip()


# ---- handles ----------------------------------------------------------------------------------

HANDLE_FUNCTIONS = ["DsBackupGetDatabaseNamesW", "DsBackupGetDatabaseNamesA", "DsBackupOpenFileW",
                    "DsBackupOpenFileA", "DsBackupRead", "DsBackupClose", "DsBackupGetBackupLogsW",
                    "DsBackupGetBackupLogsA", "DsBackupTruncateLogs", "DsBackupEnd"]


def call_with_handle(lib, name, hbc):
    """Calls an HBC function with valid other arguments; returns the unsigned result."""
    fn = getattr(lib, name)
    if name.startswith("DsBackupGet"):
        pointer = (_lib.LPWSTR if name.endswith("W") else c_char_p)()
        return u32(fn(hbc, byref(pointer), byref(_lib.DWORD(0))))
    if name.startswith("DsBackupOpenFile"):
        path = r"C:\Windows\NTDS\ntds.dit"
        arg = _lib.wstr(path) if name.endswith("W") else path.encode()
        return u32(fn(hbc, arg, 3 * PAGE, byref(_lib.LARGE_INTEGER(0))))
    if name == "DsBackupRead":
        return u32(fn(hbc, ctypes.create_string_buffer(3 * PAGE), 3 * PAGE, byref(_lib.DWORD(0))))
    return u32(fn(hbc))


@pytest.mark.parametrize("name", HANDLE_FUNCTIONS)
def test_garbage_handles_are_invalid_parameters(dc, lib, prepare, name):
    hr, real = prepare(dc)                                                    # a live backup to confuse
    for garbage in (None, 0x1234, 1, SENTINEL, 0xFFFFFFFFFFFFFFFF, 0x7FFF00001234,
                    real.value + 1, real.value ^ (1 << 32), real.value ^ (1 << 40)):
        assert call_with_handle(lib, name, c_void_p(garbage)) == EINVAL, hex(garbage or 0)
    assert call_with_handle(lib, "DsBackupGetDatabaseNamesW", real) == 0    # the real one still works


def test_handle_is_stale_after_end_even_in_a_new_backup(dc, lib, prepare):
    hr, first = prepare(dc)
    assert u32(lib.DsBackupEnd(first)) == 0
    hr, second = prepare(dc)
    assert hr == 0 and first.value != second.value
    for name in HANDLE_FUNCTIONS:
        assert call_with_handle(lib, name, first) == EINVAL, name


# ---- UTF-16 and UTF-8 edge cases ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["DÇ01", "ДЦ01", "DC01😀", "DC\u00a001", "DC\u030101"])
def test_non_ascii_server_names_are_not_found(dc, lib, name):
    with pytest.raises(winbackup.HResultError) as e:
        ntds.is_online(name)
    assert e.value.hresult == hrCouldNotConnect
    # Prepare: malformed (87) or unknown (hrCouldNotConnect), as the contract reads "letters"; never DC01.
    cb, hbc = _lib.DWORD(0), _lib.HBC()
    assert u32(lib.DsBackupPrepareW(_lib.wstr(name), 0, 1, byref(c_void_p()), byref(cb), byref(hbc))) in (
        EINVAL, hrCouldNotConnect)
    assert u32(lib.DsBackupPrepareA(name.encode(), 0, 1, byref(c_void_p()), byref(cb), byref(hbc))) in (
        EINVAL, hrCouldNotConnect)
    assert u32(lib.DsSetCurrentBackupLogW(_lib.wstr(name), 1)) in (EINVAL, hrCouldNotConnect)
    assert hbc.value is None


@pytest.mark.parametrize("units", [[0x44, 0x43, 0xD800, 0x30, 0x31], [0xDC00, 0x44, 0x43, 0x30, 0x31],
                                   [0x44, 0x43, 0x30, 0x31, 0xD83D], [0xD800] * 300, [0xFFFF, 0xFFFE]])
def test_unpaired_surrogates_in_server_names(dc, lib, units):
    server = (_lib.WCHAR * (len(units) + 1))(*units, 0)
    online = _lib.BOOL(-7)
    assert u32(lib.DsIsNTDSOnlineW(server, byref(online))) == hrCouldNotConnect and online.value == -7
    cb, hbc = _lib.DWORD(0), _lib.HBC()
    assert u32(lib.DsBackupPrepareW(server, 0, 1, byref(c_void_p()), byref(cb), byref(hbc))) in (
        EINVAL, hrCouldNotConnect)
    assert u32(lib.DsSetCurrentBackupLogW(server, 1)) in (EINVAL, hrCouldNotConnect)
    assert u32(lib.DsSetAuthIdentityW(server, server, server)) == 0          # nothing checked here
    assert u32(lib.DsIsNTDSOnlineW(_lib.wstr(dc), byref(online))) == ACCESS_DENIED
    assert u32(lib.DsSetAuthIdentityW(None, None, None)) == 0


def test_invalid_utf8_server_names(dc, lib):
    online = _lib.BOOL(-7)
    for name in (b"DC\xff01", b"\xc3", b"DC01\xed\xa0\x80", b"\xc0\xafDC01"):
        assert u32(lib.DsIsNTDSOnlineA(name, byref(online))) == hrCouldNotConnect, name
    assert online.value == -7


def test_unpaired_surrogate_in_a_file_name(dc):
    with ntds.backup(dc) as b:
        b.databases()
        with pytest.raises(winbackup.HResultError) as e:                    # a path of the server, not the database
            b.open("\\\\DC01\\C$\\Windows\\NTDS\\ntds\ud800.dit")
        assert e.value.hresult == hrDatabaseNotFound
        assert b.open("\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit") > 0


def test_wide_and_narrow_lists_agree(dc, lib, prepare):
    hr, hbc = prepare(dc)
    wide, cbw = _lib.LPWSTR(), _lib.DWORD(0)
    narrow, cba = c_char_p(), _lib.DWORD(0)
    assert u32(lib.DsBackupGetDatabaseNamesW(hbc, byref(wide), byref(cbw))) == 0
    assert u32(lib.DsBackupGetDatabaseNamesA(hbc, byref(narrow), byref(cba))) == 0
    w = ctypes.string_at(wide, cbw.value).decode("utf-16-le")
    a = ctypes.string_at(narrow, cba.value).decode("utf-8")
    entry = "\x44\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit"
    assert w == a == entry + "\0\0"
    assert cbw.value == (len(entry) + 2) * 2 and cba.value == len(entry) + 2
    lib.DsBackupFree(wide)
    lib.DsBackupFree(narrow)


def test_unc_is_spelled_as_the_server_was_created(lib):
    servers.create("Dc-Main.corp")
    with ntds.backup("DC-MAIN.CORP") as b:
        assert b.databases()[0].name == r"\\Dc-Main.corp\C$\Windows\NTDS\ntds.dit"


# ---- the bindings against the headers -------------------------------------------------------

POINTER_SIZE = ctypes.sizeof(c_void_p)
SCALAR_SIZES = {"DWORD": 4, "ULONG": 4, "LONG": 4, "BOOL": 4, "HRESULT": 4, "LONGLONG": 8,
                "uint32_t": 4, "int32_t": 4, "JET_GRBIT": 4}
# esent.h: pointer-sized handles (uintptr_t), strings and the status callback.
POINTER_KINDS = {"HBC", "HCSBC", "PVOID", "JET_API_PTR", "JET_INSTANCE", "JET_SESID", "JET_HANDLE", "JET_PSTR",
                 "JET_PCSTR", "JET_PWSTR", "JET_PCWSTR", "JET_PFNSTATUS"}
RESTYPES = {"HRESULT": _lib.HRESULT, "VOID": None, "DWORD": _lib.DWORD, "const char *": c_char_p,
            "JET_ERR": _lib.JET_ERR}
RESTORE_SIDE = {"DsRestoreGetDatabaseLocationsA", "DsRestoreGetDatabaseLocationsW", "DsRestorePrepareA",
                "DsRestorePrepareW", "DsRestoreRegisterA", "DsRestoreRegisterW", "DsRestoreRegisterComplete",
                "DsRestoreEnd"}


def header_param_size(declaration):
    kind = declaration.split()[0] if declaration.split()[0] != "const" else declaration.split()[1]
    if "*" in declaration or "[]" in declaration or kind in POINTER_KINDS or re.match(r"L?P[A-Z]", kind):
        return POINTER_SIZE
    return SCALAR_SIZES[kind]


@pytest.mark.parametrize("name,argtypes,restype", _lib.FUNCTION_LIST, ids=[f[0] for f in _lib.FUNCTION_LIST])
def test_function_list_matches_the_headers_and_the_library(lib, name, argtypes, restype):
    assert hasattr(lib, name), f"{name} is not exported by {_lib.library_path()}"
    assert name in HEADER, f"{name} is not declared in include/*.h"
    ret, params = HEADER[name]
    assert len(argtypes) == len(params), f"{name}: {len(argtypes)} argtypes, header has {params}"
    assert [ctypes.sizeof(t) for t in argtypes] == [header_param_size(p) for p in params], name
    assert restype is RESTYPES[ret], name


def test_every_export_is_in_function_list():
    exported = set(re.findall(r"^\s+(\w+);", (REPO / "exports" / "winbackup.map").read_text(), re.M))
    assert exported == {entry[0] for entry in _lib.FUNCTION_LIST}


def test_every_header_prototype_is_exported(lib):
    # The restore side (DsRestore*) is exported now, and in FUNCTION_LIST like the rest.
    missing = {name for name in HEADER if not hasattr(lib, name)}
    assert missing == set()
    assert RESTORE_SIDE <= {entry[0] for entry in _lib.FUNCTION_LIST} <= set(HEADER)


def test_restore_map_structures_match_the_header():
    # EDB_RSTMAPA/W: two pointers, the name at backup time first (ntdsbcli.h)
    text = header_text("ntdsbcli.h")
    for struct, fields in ((_lib.EDB_RSTMAPA, ("szDatabaseName", "szNewDatabaseName")),
                           (_lib.EDB_RSTMAPW, ("wszDatabaseName", "wszNewDatabaseName"))):
        declared = re.search(r"typedef struct tag%s \{(.*?)\}" % struct.__name__, text, re.S).group(1)
        assert re.findall(r"\*(\w+);", declared) == list(fields)
        assert [f[0] for f in struct._fields_] == list(fields)
        assert ctypes.sizeof(struct) == 2 * POINTER_SIZE
        assert [getattr(struct, f).offset for f in fields] == [0, POINTER_SIZE]


def parse_defines(*headers):
    """{name: int} of the numeric #defines, following one level of names (hrAlreadyListening)."""
    values = {}
    for header in headers:
        for name, value in re.findall(r"^#define\s+(\w+)\s+(.+?)\s*$", header_text(header), re.M):
            value = re.sub(r"\((?:HRESULT|BFT)\)", "", value).strip("() ")
            if re.fullmatch(r"0x[0-9A-Fa-f]+|\d+", value):
                values[name] = int(value, 0)
            elif value in values:
                values[name] = values[value]
    return values


DEFINES = parse_defines("wbtypes.h", "ntdsbmsg.h", "winbackup.h", "ntdsbcli.h")


def test_every_hr_constant_has_the_header_value():
    hr_names = [n for n in DEFINES if n.startswith("hr")]
    assert len(hr_names) > 150
    for name in hr_names:
        assert errors.CODES[name] == DEFINES[name] & 0xFFFFFFFF, name
        assert getattr(errors, name) == DEFINES[name] & 0xFFFFFFFF, name


def test_win32_and_wb_codes_have_the_header_values():
    for name in [n for n in DEFINES if n.startswith(("WB_HR_", "ERROR_", "RPC_S_"))] + ["S_OK"]:
        assert errors.CODES[name] == DEFINES[name] & 0xFFFFFFFF, name


def test_builtin_table_agrees_with_the_headers():
    for name, value in errors.BUILTIN_CODES.items():
        assert DEFINES[name] & 0xFFFFFFFF == value, name


def test_engine_codes_without_a_header_name():
    # the contract's JET_errRestoreOfNonBackupDatabase (0xC8000267), JET_errSoftRecoveryOnBackupDatabase
    for name, value in errors.ESE_CODES.items():
        assert name not in DEFINES and value not in {v & 0xFFFFFFFF for v in DEFINES.values()}
        assert errors.name_of(value) == name and getattr(errors, name) == value


def test_names_of_the_contract_codes():
    for value, name in [(0xC80001F9, "hrBackupInProgress"), (0xC7FF0007, "hrCouldNotConnect"),
                        (87, "ERROR_INVALID_PARAMETER"), (5, "ERROR_ACCESS_DENIED"), (38, "ERROR_HANDLE_EOF"),
                        (0xC8000321, "WB_HR_BACKUP_ABORT_BY_SERVER"),
                        (0xC800045E, "WB_HR_READ_PGNO_VERIFY_FAILURE"), (1713, "hrAlreadyListening"), (0, "S_OK")]:
        assert errors.name_of(value) == name


def test_ntds_constants_match_ntdsbcli_h():
    # BFT_* are expressions in the header; their values are in the trailing comments.
    bft = dict(re.findall(r"#define (BFT_\w+) .*?/\* (0x[0-9A-F]+) \*/", (INCLUDE / "ntdsbcli.h").read_text()))
    assert len(bft) == 6
    for name, value in bft.items():
        assert getattr(ntds, name) == int(value, 16) and ntds.BFT_NAMES[int(value, 16)] == name
    for name in ("BACKUP_TYPE_FULL", "BACKUP_TYPE_LOGS_ONLY", "BACKUP_TYPE_INCREMENTAL", "BACKUP_DISABLE_INCREMENTAL",
                 "RESTORE_TYPE_AUTHORATATIVE", "RESTORE_TYPE_ONLINE", "RESTORE_TYPE_CATCHUP"):
        assert getattr(ntds, name) == DEFINES[name], name


def test_version_matches_winbackup_h():
    assert servers.version() == re.search(r'#define WINBACKUP_VERSION "([^"]+)"', header_text("winbackup.h")).group(1)
    major, minor, patch = (DEFINES[f"WINBACKUP_VERSION_{p}"] for p in ("MAJOR", "MINOR", "PATCH"))
    assert servers.version_number() == major * 1000000 + minor * 1000 + patch


# ---- finding the library ------------------------------------------------------------------------

def test_library_path_is_winbackup_lib():
    if "WINBACKUP_LIB" not in os.environ:
        pytest.skip("WINBACKUP_LIB is not set")
    assert winbackup.library_path() == os.environ["WINBACKUP_LIB"]


def test_candidates_without_the_variable(monkeypatch):
    monkeypatch.delenv("WINBACKUP_LIB", raising=False)
    tried = _lib.candidates()
    assert tried[-1] == "libwinbackup.so"
    assert all(p == "libwinbackup.so" or p.startswith(str(REPO)) for p in tried)


def test_a_missing_library_is_a_clear_error():
    script = ("import sys; sys.path.insert(0, %r); import winbackup\n"
              "try:\n    winbackup.ntds.is_online('DC01')\n"
              "except winbackup.LibraryNotFoundError as e:\n    print('ERROR', e)\n") % str(REPO / "examples" / "python")
    env = dict(os.environ, WINBACKUP_LIB="/nonexistent/libwinbackup.so")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60).stdout
    assert out.startswith("ERROR cannot load libwinbackup.so (set WINBACKUP_LIB")
    assert "/nonexistent/libwinbackup.so" in out


def test_builtin_table_is_used_without_the_headers(tmp_path):
    script = ("import sys; sys.path.insert(0, %r)\nfrom winbackup import errors\n"
              "print(errors.CODES == {**errors.BUILTIN_CODES, **errors.ESE_CODES}, errors.name_of(0xC80001F9))"
              ) % str(REPO / "examples" / "python")
    env = dict(os.environ, WINBACKUP_INCLUDE=str(tmp_path))              # a folder without ntdsbmsg.h
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["True", "hrBackupInProgress"], out.stderr
