"""ESENT's C ABI through ctypes (docs/CONTRACT-ESENT.md "Instances and modes", include/esent.h):
NULL pointers and garbage or stale JET_INSTANCEs on every export that takes them, JetCreateInstance,
the system parameters, JetInit's binding, JetTerm; legacy (one-instance) mode against
multi-instance mode, process-wide, so the legacy side runs in processes of its own; the bare
Windows 2000 names; the JET_ERR table and the structures against esent.h."""

import ctypes
import json
import mmap
import os
import re
import subprocess
import sys
import textwrap
from ctypes import byref

import pytest

from conftest import INCLUDE, REPO
from winbackup import JetError, _lib, errors, esent, servers

PAGE = 8192
SENTINEL = 0xDEADBEEF
NIL = esent.JET_instanceNil
JET_errBackupInProgress, JET_errInvalidGrbit, JET_errInvalidParameter = -505, -900, -1003
JET_errInvalidPath, JET_errNotInitialized, JET_errAlreadyInitialized = -1023, -1029, -1030
JET_errBufferTooSmall, JET_errRunningInOneInstanceMode, JET_errRunningInMultiInstanceMode = -1038, -1080, -1081
JET_errInstanceNameInUse, JET_errInstanceUnavailable = -1086, -1090
JET_paramSystemPath, JET_paramTempPath, JET_paramLogFilePath, JET_paramBaseName = 0, 1, 2, 3
JET_paramCircularLog, JET_paramDatabasePageSize = 17, 64


def pinst(handle):
    return byref(_lib.JET_INSTANCE(handle))


def get_text(lib, inst, paramid, cb=1024, wide=False):
    """JetGetSystemParameterA/W: (err, the string)."""
    number = _lib.JET_API_PTR(SENTINEL)
    if wide:
        out = (_lib.WCHAR * (cb // 2 + 1))()
        err = lib.JetGetSystemParameterW(inst, 0, paramid, byref(number), out, cb)
        return err, bytes(out).decode("utf-16-le").split("\0")[0]
    out = ctypes.create_string_buffer(cb + 1)
    err = lib.JetGetSystemParameterA(inst, 0, paramid, byref(number), out, cb)
    return err, out.value.decode()


def get_number(lib, inst, paramid):
    number = _lib.JET_API_PTR(SENTINEL)
    err = lib.JetGetSystemParameterA(inst, 0, paramid, byref(number), None, 0)
    return err, number.value


# ---- every export that takes a JET_INSTANCE: garbage and stale handles --------------------------------

@pytest.fixture
def aligned():
    m = mmap.mmap(-1, 4 * PAGE)
    view = (ctypes.c_char * len(m)).from_buffer(m)
    yield ctypes.addressof(view)
    del view
    m.close()


def instance_calls(tmp_path, aligned):
    """{export: call(lib, instance) -> JET_ERR} with valid other arguments."""
    cb = _lib.UINT32(0)
    folder = str(tmp_path / "garbage-bk")
    calls = {
        "JetBeginExternalBackupInstance": lambda lib, i: lib.JetBeginExternalBackupInstance(i, 0),
        "JetReadFileInstance": lambda lib, i: lib.JetReadFileInstance(i, 0, aligned, 3 * PAGE, byref(cb)),
        "JetCloseFileInstance": lambda lib, i: lib.JetCloseFileInstance(i, 0),
        "JetTruncateLogInstance": lambda lib, i: lib.JetTruncateLogInstance(i),
        "JetEndExternalBackupInstance": lambda lib, i: lib.JetEndExternalBackupInstance(i),
        "JetEndExternalBackupInstance2": lambda lib, i: lib.JetEndExternalBackupInstance2(i, 1),
        "JetStopBackupInstance": lambda lib, i: lib.JetStopBackupInstance(i),
        "JetInit": lambda lib, i: lib.JetInit(pinst(i)),
        "JetInit2": lambda lib, i: lib.JetInit2(pinst(i), 0),
        "JetTerm": lambda lib, i: lib.JetTerm(i),
        "JetTerm2": lambda lib, i: lib.JetTerm2(i, 0),
    }

    def wide_out():
        return ctypes.cast((_lib.WCHAR * 512)(), _lib.LPWSTR)

    def narrow_out():
        return ctypes.create_string_buffer(1024)

    for suffix in ("", "A", "W"):
        wide = suffix == "W"
        text = _lib.wstr if wide else (lambda s: s.encode())
        out = wide_out if wide else narrow_out
        info = _lib.JET_LOGINFO_W if wide else _lib.JET_LOGINFO_A

        def add(name, call):
            calls[name + suffix] = (lambda fn: lambda lib, i: call(getattr(lib, fn), i))(name + suffix)

        for name in ("JetGetAttachInfoInstance", "JetGetLogInfoInstance", "JetGetTruncateLogInfoInstance"):
            add(name, lambda fn, i, out=out: fn(i, out(), 1024, byref(cb)))
        add("JetGetLogInfoInstance2", lambda fn, i, out=out, t=info: fn(i, out(), 1024, byref(cb), byref(t(ctypes.sizeof(t)))))
        add("JetOpenFileInstance", lambda fn, i, text=text: fn(i, text(r"C:\ESE\ese.edb"), byref(_lib.JET_HANDLE()),
                                                             byref(_lib.UINT32()), byref(_lib.UINT32())))
        add("JetBackupInstance", lambda fn, i, text=text: fn(i, text(folder), 0, None))
        add("JetRestoreInstance", lambda fn, i, text=text: fn(i, text(folder), None, None))
        add("JetGetSystemParameter", lambda fn, i, out=out: fn(i, 0, JET_paramBaseName, byref(_lib.JET_API_PTR()), out(),
                                                              1024))
        add("JetSetSystemParameter", lambda fn, i, text=text: fn(pinst(i), 0, JET_paramBaseName, 0, text("edb")))
    return calls


# 0 and JET_instanceNil mean the defaults or the legacy instance to these: not garbage.
DEFAULTS_MEAN_SOMETHING = {"JetInit", "JetInit2", "JetTerm", "JetTerm2", "JetGetSystemParameter",
                           "JetGetSystemParameterA", "JetGetSystemParameterW", "JetSetSystemParameter",
                           "JetSetSystemParameterA", "JetSetSystemParameterW"}


def test_garbage_and_stale_instances_are_invalid_parameters(ese, jet, lib, tmp_path, aligned):
    real = jet.backup()                                              # a live instance with a backup to confuse
    stale = jet.create("stale", init=False)
    assert lib.JetTerm(stale) == 0
    calls = instance_calls(tmp_path, aligned)
    taking = {name for name, argtypes, _ in _lib.JET_FUNCTIONS if argtypes and argtypes[0] in (
        _lib.JET_INSTANCE, ctypes.POINTER(_lib.JET_INSTANCE)) and not name.startswith("JetCreateInstance")
        and name not in ("JetReadFile", "JetCloseFile")}                # these take a JET_HANDLE
    assert set(calls) == taking                                      # every export that takes an instance
    for name, call in calls.items():
        garbage = [1, 0x1234, SENTINEL, real + 1, real - 1, real ^ (1 << 32), real ^ (1 << 40), real ^ (1 << 56),
                   stale, 0xFFFF_FFFF]
        if name not in DEFAULTS_MEAN_SOMETHING:
            garbage += [0, NIL]
        for value in garbage:
            assert call(lib, value) == JET_errInvalidParameter, (name, hex(value))
    assert calls["JetGetAttachInfoInstanceW"](lib, real) == 0         # the real one still works
    assert calls["JetOpenFileInstanceW"](lib, real) == 0


def test_calls_on_an_instance_not_initialized(ese, jet, lib, tmp_path, aligned):
    inst = jet.create(init=False)
    calls = instance_calls(tmp_path, aligned)
    for name in ("JetBeginExternalBackupInstance", "JetGetAttachInfoInstanceW", "JetGetLogInfoInstanceA",
                 "JetGetLogInfoInstance2W", "JetGetTruncateLogInfoInstance", "JetOpenFileInstanceW",
                 "JetReadFileInstance", "JetCloseFileInstance", "JetTruncateLogInstance", "JetEndExternalBackupInstance",
                 "JetEndExternalBackupInstance2", "JetBackupInstanceW"):
        assert calls[name](lib, inst) == JET_errNotInitialized, name
    assert calls["JetStopBackupInstance"](lib, inst) == JET_errInvalidParameter
    assert lib.JetEndExternalBackupInstance2(inst, 0) == JET_errInvalidParameter          # the grbit first


def test_calls_with_no_backup_running(ese, jet, lib, tmp_path, aligned):
    inst = jet.create()
    calls = instance_calls(tmp_path, aligned)
    for name in ("JetGetAttachInfoInstanceW", "JetGetLogInfoInstanceA", "JetGetLogInfoInstance2W",
                 "JetGetTruncateLogInfoInstance", "JetOpenFileInstanceW", "JetReadFileInstance", "JetCloseFileInstance",
                 "JetTruncateLogInstance", "JetEndExternalBackupInstance", "JetEndExternalBackupInstance2"):
        assert calls[name](lib, inst) == -520, name


# ---- NULL pointers ------------------------------------------------------------------------------------

def test_create_instance_null_pointer(lib):
    for fn, name in ((lib.JetCreateInstanceA, b"X"), (lib.JetCreateInstance, b"X"), (lib.JetCreateInstanceW, _lib.wstr("X"))):
        assert fn(None, name) == JET_errInvalidParameter
    for fn, name in ((lib.JetCreateInstance2A, b"X"), (lib.JetCreateInstance2, b"X"),
                     (lib.JetCreateInstance2W, _lib.wstr("X"))):
        assert fn(None, name, name, 0) == JET_errInvalidParameter


def test_list_calls_accept_null_outputs_as_ese_does(ese, jet, lib):
    # ESE's pcbActual and pLogInfo are optional (__out_opt); szz NULL asks for the size.
    inst = jet.backup()
    out = ctypes.create_string_buffer(1024)
    assert lib.JetGetAttachInfoInstanceA(inst, out, 1024, None) == 0
    assert out.value.decode() == servers.resolve_path("ESE01", r"C:\ESE\ese.edb")
    assert lib.JetGetAttachInfoInstanceA(inst, None, 0, None) == 0
    assert lib.JetGetLogInfoInstance2A(inst, out, 1024, None, None) == 0
    assert out.value.decode().endswith(".log")


def test_system_parameter_null_pointers(ese, jet, lib):
    inst = jet.create(init=False)
    for fn in (lib.JetSetSystemParameterA, lib.JetSetSystemParameterW, lib.JetSetSystemParameter):
        for paramid in (JET_paramSystemPath, JET_paramLogFilePath, JET_paramBaseName):
            assert fn(pinst(inst), 0, paramid, 0, None) == JET_errInvalidParameter
    number = _lib.JET_API_PTR(SENTINEL)
    assert lib.JetGetSystemParameterA(inst, 0, JET_paramBaseName, byref(number), None, 100) == JET_errInvalidParameter
    assert lib.JetGetSystemParameterW(inst, 0, JET_paramLogFilePath, byref(number), None, 100) == JET_errInvalidParameter
    assert lib.JetGetSystemParameterA(inst, 0, JET_paramCircularLog, None, None, 0) == JET_errInvalidParameter
    assert number.value == SENTINEL


# ---- JetCreateInstance ----------------------------------------------------------------------------------

def test_create_instance_names_are_unique_case_insensitively(lib, jet):
    first = jet.create("Agent", init=False)
    assert first not in (0, NIL)
    for fn, name in ((lib.JetCreateInstanceA, b"AGENT"), (lib.JetCreateInstance, b"agent"),
                     (lib.JetCreateInstanceW, _lib.wstr("aGeNt"))):
        h = _lib.JET_INSTANCE(SENTINEL)
        assert fn(byref(h), name) == JET_errInstanceNameInUse and h.value == SENTINEL
    h = _lib.JET_INSTANCE(0)
    assert lib.JetCreateInstance2W(byref(h), _lib.wstr("AGENT"), _lib.wstr("display"), 0) == JET_errInstanceNameInUse
    assert lib.JetTerm(first) == 0                                          # the name is free again
    assert lib.JetCreateInstance2A(byref(h), b"agent", None, 0x1234) == 0 and h.value not in (0, NIL, first)
    jet.handles.append(h.value)
    unnamed = [_lib.JET_INSTANCE(0), _lib.JET_INSTANCE(0)]
    assert lib.JetCreateInstanceA(byref(unnamed[0]), None) == 0                # no name: no uniqueness
    assert lib.JetCreateInstanceW(byref(unnamed[1]), None) == 0
    jet.handles += [u.value for u in unnamed]
    assert len({u.value for u in unnamed} | {h.value}) == 3


# ---- system parameters ----------------------------------------------------------------------------------

def test_set_parameter_values(ese, jet, lib):
    inst = jet.create(init=False)
    set_a = lambda paramid, number, text: lib.JetSetSystemParameterA(pinst(inst), 0, paramid, number, text)  # noqa: E731
    for base in (b"ab", b"abcd", b"a-c", b"", "é12".encode(), b"ed\xff"):
        assert set_a(JET_paramBaseName, 0, base) == JET_errInvalidParameter, base
    assert set_a(JET_paramBaseName, 0, b"e2b") == 0 and get_text(lib, inst, JET_paramBaseName) == (0, "e2b")
    assert lib.JetSetSystemParameterW(pinst(inst), 0, JET_paramBaseName, 0, _lib.wstr("EDB")) == 0
    assert get_text(lib, inst, JET_paramBaseName, wide=True) == (0, "EDB")
    for value in (2, 17, NIL):
        assert set_a(JET_paramCircularLog, value, None) == JET_errInvalidParameter
    assert set_a(JET_paramCircularLog, 1, None) == 0 and get_number(lib, inst, JET_paramCircularLog) == (0, 1)
    assert set_a(JET_paramCircularLog, 0, None) == 0 and get_number(lib, inst, JET_paramCircularLog) == (0, 0)
    # others are kept and given back, without effect
    assert set_a(JET_paramDatabasePageSize, 32768, None) == 0
    assert get_number(lib, inst, JET_paramDatabasePageSize) == (0, 32768)
    assert set_a(JET_paramTempPath, 0, b"/tmp/whatever/") == 0
    assert get_text(lib, inst, JET_paramTempPath) == (0, "/tmp/whatever/")
    assert get_number(lib, inst, 9999)[0] == JET_errInvalidParameter         # never set
    assert lib.JetSetSystemParameterA(pinst(SENTINEL), 0, JET_paramBaseName, 0, b"edb") == JET_errInvalidParameter


def test_get_parameter_buffer_sizes(ese, jet, lib):
    inst = jet.create()
    path = servers.resolve_path("ESE01", r"C:\ESE\logs") + "/"
    assert get_text(lib, inst, JET_paramLogFilePath) == (0, path)
    assert get_text(lib, inst, JET_paramLogFilePath, wide=True) == (0, path)
    assert get_text(lib, inst, JET_paramSystemPath) == (0, servers.resolve_path("ESE01", r"C:\ESE") + "/")
    assert get_text(lib, inst, JET_paramLogFilePath, cb=len(path) + 1)[0] == 0      # the NUL included
    assert get_text(lib, inst, JET_paramLogFilePath, cb=len(path))[0] == JET_errBufferTooSmall
    assert get_text(lib, inst, JET_paramLogFilePath, cb=2 * len(path) + 1, wide=True)[0] == JET_errBufferTooSmall
    assert get_text(lib, inst, JET_paramLogFilePath, cb=2 * len(path) + 2, wide=True)[0] == 0
    assert get_text(lib, inst, JET_paramBaseName) == (0, "edb")
    assert get_number(lib, inst, JET_paramCircularLog) == (0, 0)


def test_parameters_after_init(ese, jet, lib):
    inst = jet.create()
    logs = servers.resolve_path("ESE01", r"C:\ESE\logs").encode()
    for paramid, text in ((JET_paramSystemPath, logs), (JET_paramLogFilePath, logs), (JET_paramBaseName, b"edb")):
        assert lib.JetSetSystemParameterA(pinst(inst), 0, paramid, 0, text) == JET_errAlreadyInitialized
        assert lib.JetSetSystemParameterW(pinst(inst), 0, paramid, 0, _lib.wstr(text.decode())) == \
            JET_errAlreadyInitialized


def test_face_parameters(ese):
    with esent.Instance("ESE01", display_name="ESE01 agent") as inst:
        inst.set_parameter(esent.JET_paramBaseName, "edb")
        inst.set_parameter(esent.JET_paramDatabasePageSize, 8192)
        assert inst.get_parameter(esent.JET_paramDatabasePageSize) == 8192
        inst.init()
        assert inst.get_parameter(esent.JET_paramLogFilePath) == servers.resolve_path("ESE01", r"C:\ESE\logs") + "/"
        assert inst.get_parameter(esent.JET_paramBaseName) == "edb"
        assert inst.get_parameter(esent.JET_paramCircularLog) == 0
        with pytest.raises(JetError) as e:
            inst.set_parameter(esent.JET_paramLogFilePath, "/tmp")
        assert (e.value.name, e.value.value, e.value.function) == (
            "JET_errAlreadyInitialized", -1030, "JetSetSystemParameterW")


# ---- JetInit's binding, JetTerm -----------------------------------------------------------------------

def test_init_binds_by_name_or_by_a_path_inside_a_server(ese, jet, lib):
    logs = servers.resolve_path("ESE01", r"C:\ESE\logs")
    for paramid, path in ((JET_paramLogFilePath, logs), (JET_paramSystemPath, servers.resolve_path("ESE01", r"C:\ESE"))):
        inst = jet.create("not-a-server", init=False)
        assert lib.JetSetSystemParameterA(pinst(inst), 0, paramid, 0, path.encode()) == 0
        assert lib.JetInit(pinst(inst)) == 0
        assert lib.JetGetAttachInfoInstanceA(inst, None, 0, byref(_lib.UINT32())) == -520   # initialized, no backup
        assert lib.JetInit2(pinst(inst), 0) == JET_errAlreadyInitialized
        assert lib.JetTerm(inst) == 0


def test_init_refusals(ese, jet, lib):
    inst = jet.create("NOPE", init=False)
    assert lib.JetInit(pinst(inst)) == JET_errInstanceUnavailable                     # no server, no paths
    assert lib.JetSetSystemParameterA(pinst(inst), 0, JET_paramLogFilePath, 0, b"/nonexistent/logs") == 0
    assert lib.JetInit(pinst(inst)) == JET_errInstanceUnavailable
    wrong = jet.create("ESE01", init=False)
    system = servers.resolve_path("ESE01", r"C:\ESE").encode()
    assert lib.JetSetSystemParameterA(pinst(wrong), 0, JET_paramLogFilePath, 0, system) == 0
    assert lib.JetInit(pinst(wrong)) == JET_errInvalidPath                               # not its log folder
    assert lib.JetTerm(wrong) == 0
    base = jet.create("ESE01", init=False)
    assert lib.JetSetSystemParameterA(pinst(base), 0, JET_paramBaseName, 0, b"abc") == 0
    assert lib.JetInit(pinst(base)) == JET_errInvalidParameter                           # another base name
    assert lib.JetSetSystemParameterA(pinst(base), 0, JET_paramBaseName, 0, b"EDB") == 0
    assert lib.JetInit(pinst(base)) == 0


def test_init_starts_a_stopped_server_and_sets_circular_logging(ese, jet, lib):
    servers.stop("ESE01")
    inst = jet.create(init=False)
    assert lib.JetSetSystemParameterA(pinst(inst), 0, JET_paramCircularLog, 1, None) == 0
    assert lib.JetInit(pinst(inst)) == 0
    assert get_number(lib, inst, JET_paramCircularLog) == (0, 1)                        # the server's setting now
    assert lib.JetBeginExternalBackupInstance(inst, 0x1) == -526
    assert lib.JetBeginExternalBackupInstance(inst, 0) == 0                             # it runs


def test_term(ese, jet, lib):
    inst = jet.create()
    assert lib.JetTerm2(inst, 0x1) == 0
    assert lib.JetTerm(inst) == JET_errInvalidParameter
    assert lib.JetInit(pinst(inst)) == JET_errInvalidParameter
    again = jet.create()                                                                 # the server runs on
    assert lib.JetBeginExternalBackupInstance(again, 0) == 0


# ---- multi-instance mode refuses the legacy functions ----------------------------------------------------

LEGACY_CALLS = {
    "JetBeginExternalBackup": lambda lib: lib.JetBeginExternalBackup(0),
    "JetGetAttachInfo": lambda lib: lib.JetGetAttachInfo(None, 0, byref(_lib.UINT32())),
    "JetGetAttachInfoA": lambda lib: lib.JetGetAttachInfoA(None, 0, byref(_lib.UINT32())),
    "JetGetAttachInfoW": lambda lib: lib.JetGetAttachInfoW(None, 0, byref(_lib.UINT32())),
    "JetOpenFile": lambda lib: lib.JetOpenFile(b"C:\\ESE\\ese.edb", byref(_lib.JET_HANDLE()), byref(_lib.UINT32()),
                                               byref(_lib.UINT32())),
    "JetOpenFileA": lambda lib: lib.JetOpenFileA(b"C:\\ESE\\ese.edb", byref(_lib.JET_HANDLE()), byref(_lib.UINT32()),
                                                 byref(_lib.UINT32())),
    "JetOpenFileW": lambda lib: lib.JetOpenFileW(_lib.wstr("C:\\ESE\\ese.edb"), byref(_lib.JET_HANDLE()),
                                                 byref(_lib.UINT32()), byref(_lib.UINT32())),
    "JetReadFile": lambda lib: lib.JetReadFile(0, None, PAGE, byref(_lib.UINT32())),
    "JetCloseFile": lambda lib: lib.JetCloseFile(0),
    "JetGetLogInfo": lambda lib: lib.JetGetLogInfo(None, 0, byref(_lib.UINT32())),
    "JetGetLogInfoA": lambda lib: lib.JetGetLogInfoA(None, 0, byref(_lib.UINT32())),
    "JetGetLogInfoW": lambda lib: lib.JetGetLogInfoW(None, 0, byref(_lib.UINT32())),
    "JetTruncateLog": lambda lib: lib.JetTruncateLog(),
    "JetEndExternalBackup": lambda lib: lib.JetEndExternalBackup(),
    "JetStopBackup": lambda lib: lib.JetStopBackup(),
    "JetBackup": lambda lib: lib.JetBackup(b"/tmp/x", 0, None),
    "JetBackupA": lambda lib: lib.JetBackupA(b"/tmp/x", 0, None),
    "JetBackupW": lambda lib: lib.JetBackupW(_lib.wstr("/tmp/x"), 0, None),
    "JetInit(NULL)": lambda lib: lib.JetInit(None),
    "JetInit(&0)": lambda lib: lib.JetInit(pinst(0)),
    "JetInit2(&JET_instanceNil)": lambda lib: lib.JetInit2(pinst(NIL), 0),
}
RESTORE_CALLS = {
    "JetRestore": lambda lib, src: lib.JetRestore(src.encode(), None),
    "JetRestoreA": lambda lib, src: lib.JetRestoreA(src.encode(), None),
    "JetRestoreW": lambda lib, src: lib.JetRestoreW(_lib.wstr(src), None),
    "JetRestore2": lambda lib, src: lib.JetRestore2(src.encode(), None, None),
    "JetRestore2A": lambda lib, src: lib.JetRestore2A(src.encode(), None, None),
    "JetRestore2W": lambda lib, src: lib.JetRestore2W(_lib.wstr(src), None, None),
}


@pytest.mark.parametrize("name", sorted(LEGACY_CALLS))
def test_legacy_functions_in_multi_instance_mode(ese, jet, lib, name):
    inst = jet.backup()                                       # multi-instance mode, with a backup running
    assert LEGACY_CALLS[name](lib) == JET_errRunningInMultiInstanceMode
    assert lib.JetGetAttachInfoInstanceA(inst, None, 0, byref(_lib.UINT32())) == 0


def test_legacy_restore_in_multi_instance_mode(ese, jet, lib, tmp_path):
    # Contract: JetRestore(A/W), JetRestore2(A/W) "in multi-instance mode -1081" (they would restore
    # onto the server the process-wide default parameters name).
    jet.create()
    folder = tmp_path / "bk"
    folder.mkdir()
    got = {name: call(lib, str(folder)) for name, call in RESTORE_CALLS.items()}
    assert got == {name: JET_errRunningInMultiInstanceMode for name in RESTORE_CALLS}


# ---- legacy mode, in processes of their own --------------------------------------------------------------

def run_script(script, *args, timeout=60):
    """Runs a Python script with the winbackup package, this process's environment (its
    WINBACKUP_ROOT, WINBACKUP_LIB) and `args`; returns the JSON it prints last."""
    prelude = textwrap.dedent(f"""\
        import ctypes, json, mmap, os, sys
        from ctypes import byref
        sys.path.insert(0, {str(REPO / "examples" / "python")!r})
        from winbackup import _lib, servers
        lib = _lib.load()
        I, U = _lib.JET_INSTANCE, _lib.UINT32
        r = {{}}
        def pinst(v):
            return byref(I(v))
        def aligned(n):
            m = mmap.mmap(-1, n)
            return m, ctypes.addressof((ctypes.c_char * n).from_buffer(m))
        def lst(fn, wide):
            cb = U(0)
            out = (_lib.WCHAR * 4096)() if wide else ctypes.create_string_buffer(8192)
            arg = ctypes.cast(out, _lib.LPWSTR) if wide else out
            err = fn(arg, ctypes.sizeof(out), byref(cb))
            raw = bytes(out)[:cb.value]
            return err, [e for e in (raw.decode("utf-16-le") if wide else raw.decode()).split("\\0") if e]
        def copy(name, wide, bare=False):
            h, lo, hi = _lib.JET_HANDLE(7), U(0), U(0)
            fn = lib.JetOpenFile if bare else (lib.JetOpenFileW if wide else lib.JetOpenFileA)
            err = fn(_lib.wstr(name) if wide else name.encode(), byref(h), byref(lo), byref(hi))
            assert err == 0 and h.value == 0, (name, err)
            m, p = aligned(16 * 8192)
            got, data = U(0), b""
            while True:
                assert lib.JetReadFile(0, p, 16 * 8192, byref(got)) == 0
                if got.value == 0:
                    break
                data += m[:got.value]
            assert lib.JetCloseFile(0) == 0
            return data, lo.value
        """)
    code = prelude + textwrap.dedent(script) + "\nprint(json.dumps(r))\n"
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                         timeout=timeout, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


LEGACY_BACKUP = """
    logs, folder = sys.argv[1], sys.argv[2]
    r["before"] = [lib.JetBeginExternalBackup(0), lib.JetTruncateLog(), lib.JetEndExternalBackup(),
                   lib.JetStopBackup(), lib.JetCloseFile(0)]
    r["set default"] = lib.JetSetSystemParameterA(None, 0, 2, 0, logs.encode())
    h = I(0)
    r["init"] = lib.JetInit(byref(h))
    r["handle"] = h.value
    r["again"] = [lib.JetInit(None), lib.JetInit(pinst(0)), lib.JetInit(pinst(_lib.JET_INSTANCE(-1).value))]
    r["create"] = [lib.JetCreateInstanceA(byref(I(0)), b"X"), lib.JetCreateInstanceW(byref(I(0)), None),
                   lib.JetCreateInstance2A(byref(I(0)), b"Y", None, 0), lib.JetCreateInstance(byref(I(0)), b"Z")]
    r["set default after init"] = lib.JetSetSystemParameterA(None, 0, 2, 0, logs.encode())
    db = servers.resolve_path("ESE01", "C:\\\\ESE\\\\ese.edb")
    m = (_lib.JET_RSTMAP_A * 1)(_lib.JET_RSTMAP_A(db.encode(), db.encode()))
    r["external restore"] = [lib.JetExternalRestoreA(None, None, m, 1, folder.encode(), 1, 1, None),
                             lib.JetExternalRestore(None, None, m, 1, folder.encode(), 1, 1, None)]
    r["restore"] = [lib.JetRestoreA(folder.encode(), None), lib.JetRestore2W(_lib.wstr(folder), None, None)]
    r["backup null"] = [lib.JetBackupA(None, 0, None), lib.JetBackupW(None, 0, None), lib.JetBackup(None, 0, None)]
    # a whole backup through the legacy functions, A, W and bare names
    r["begin"] = [lib.JetBeginExternalBackup(0x4), lib.JetBeginExternalBackup(0), lib.JetBeginExternalBackup(0)]
    h0, lo, hi, got = _lib.JET_HANDLE(7), U(7), U(7), U(7)
    m0, p0 = aligned(4 * 8192)
    edb = b"C:\\ESE\\ese.edb"
    r["nulls"] = [lib.JetOpenFileA(None, byref(h0), byref(lo), byref(hi)), lib.JetOpenFileW(None, byref(h0), byref(lo), byref(hi)),
                  lib.JetOpenFile(b"", byref(h0), byref(lo), byref(hi)), lib.JetOpenFileA(edb, None, byref(lo), byref(hi)),
                  lib.JetOpenFileA(edb, byref(h0), None, byref(hi)), lib.JetOpenFileA(edb, byref(h0), byref(lo), None),
                  lib.JetReadFile(0, p0, 3 * 8192, byref(got)), lib.JetCloseFile(0)]
    r["open"] = lib.JetOpenFileA(edb, byref(h0), byref(lo), byref(hi))
    r["reads"] = [lib.JetReadFile(0, None, 3 * 8192, byref(got)), lib.JetReadFile(0, p0, 3 * 8192, None),
                  lib.JetReadFile(1, p0, 3 * 8192, byref(got)), lib.JetReadFile(0, p0 + 8, 3 * 8192, byref(got)),
                  lib.JetReadFile(0, p0, 2 * 8192, byref(got)), lib.JetReadFile(0, p0, 3 * 8192 + 1, byref(got)),
                  got.value, lib.JetCloseFile(1), lib.JetCloseFile(0)]
    err, dbs = lst(lib.JetGetAttachInfoW, True)
    r["attach"] = [err, dbs, lst(lib.JetGetAttachInfo, False)]
    data, size = copy(dbs[0], wide=True)
    r["database"] = [len(data), size, os.path.getsize(db)]
    err, names = lst(lib.JetGetLogInfoW, True)
    r["logs"] = [err, names == lst(lib.JetGetLogInfoA, False)[1] == lst(lib.JetGetLogInfo, False)[1]]
    r["log bytes"] = [copy(n, wide=False, bare=True)[0] == open(n, "rb").read() for n in names]
    r["truncate"] = lib.JetTruncateLog()
    r["end"] = [lib.JetEndExternalBackup(), lib.JetEndExternalBackup()]
    r["stop"] = [lib.JetBeginExternalBackup(0), lib.JetStopBackup(), lib.JetTruncateLog(), lib.JetEndExternalBackup()]
    r["incremental"] = lib.JetBeginExternalBackup(1)     # the normal end above recorded a full backup
    r["term with backup"] = lib.JetTerm(h.value)
    r["end incremental"] = lib.JetEndExternalBackup()
    r["backup"] = lib.JetBackupW(_lib.wstr(folder), 0, None)
    r["folder"] = sorted(os.listdir(folder))
    r["term"] = [lib.JetTerm(h.value), lib.JetTerm(h.value)]
    r["no mode"] = lib.JetBeginExternalBackup(0)
    h2 = I(0)
    r["multi after legacy"] = [lib.JetCreateInstanceA(byref(h2), b"ESE01"), lib.JetInit(None), lib.JetTerm(h2.value)]
    """


def test_legacy_mode_backup_and_its_exclusions(ese, tmp_path):
    folder = tmp_path / "legacy-bk"
    r = run_script(LEGACY_BACKUP, servers.resolve_path("ESE01", r"C:\ESE\logs"), folder)
    assert r["before"] == [JET_errNotInitialized] * 4 + [JET_errNotInitialized]
    assert r["set default"] == 0 and r["init"] == 0 and r["handle"] not in (0, NIL)
    assert r["again"] == [JET_errAlreadyInitialized] * 3
    assert r["create"] == [JET_errRunningInOneInstanceMode] * 4
    assert r["set default after init"] == JET_errAlreadyInitialized
    assert r["external restore"] == [JET_errRunningInOneInstanceMode] * 2
    assert r["restore"] == [JET_errAlreadyInitialized] * 2
    assert r["backup null"] == [JET_errInvalidParameter] * 3
    assert r["begin"] == [JET_errInvalidGrbit, 0, JET_errBackupInProgress]
    assert r["nulls"] == [JET_errInvalidParameter] * 8 and r["open"] == 0
    assert r["reads"] == [JET_errInvalidParameter] * 6 + [7, JET_errInvalidParameter, 0]
    db = servers.resolve_path("ESE01", r"C:\ESE\ese.edb")
    assert r["attach"] == [0, [db], [0, [db]]]
    assert r["database"] == [os.path.getsize(db) + PAGE, os.path.getsize(db) + PAGE, os.path.getsize(db)]
    assert r["logs"] == [0, True] and r["log bytes"] and all(r["log bytes"])
    assert r["truncate"] == 0 and r["end"] == [0, -520]
    assert r["stop"] == [0, 0, -801, 0]
    assert r["incremental"] == 0
    assert r["term with backup"] == JET_errBackupInProgress and r["end incremental"] == 0
    assert r["backup"] == 0 and "ese.edb" in r["folder"]
    assert r["term"] == [0, JET_errInvalidParameter]
    assert r["no mode"] == JET_errNotInitialized
    assert r["multi after legacy"] == [0, JET_errRunningInMultiInstanceMode, 0]


LEGACY_RESTORE = """
    logs, folder = sys.argv[1], sys.argv[2]
    calls = []
    pfn = _lib.JET_PFNSTATUS(lambda sesid, snp, snt, pv: calls.append([snp, snt]) or 0)
    r["null"] = [lib.JetRestoreA(None, None), lib.JetRestoreW(None, None), lib.JetRestore2(None, None, None)]
    r["set default"] = lib.JetSetSystemParameterW(pinst(0), 0, 2, 0, _lib.wstr(logs))
    r["dest"] = lib.JetRestore2A(folder.encode(), b"/tmp", None)
    r["restore"] = lib.JetRestoreW(_lib.wstr(folder), pfn)
    r["calls"] = [calls[0], calls[-1]]
    h = I(_lib.JET_INSTANCE(-1).value)
    r["init"] = lib.JetInit(byref(h))
    r["handle"] = h.value
    r["digest"] = servers.content_digest("ESE02")
    r["term"] = lib.JetTerm(_lib.JET_INSTANCE(-1).value)
    """


def test_legacy_restore_before_init(ese, tmp_path):
    folder = tmp_path / "bk"
    with esent.Instance("ESE01") as inst:
        inst.init()
        inst.backup_instance(folder)
    servers.create("ESE02", role="ese", db_size="2M", logs=2, log_size="64K", offline=True)
    r = run_script(LEGACY_RESTORE, servers.resolve_path("ESE02", r"C:\ESE\logs"), folder)
    assert r["null"] == [JET_errInvalidParameter] * 3
    assert r["set default"] == 0 and r["dest"] == JET_errInvalidParameter and r["restore"] == 0
    assert r["calls"] == [[8, 5], [8, 6]]
    assert r["init"] == 0 and r["handle"] not in (0, NIL) and r["term"] == 0
    last = max(n for n in os.listdir(folder) if n.endswith(".log"))
    assert r["digest"] == servers.log_digest(folder / last)


DEFAULT_PARAMETERS = """
    logs = sys.argv[1]
    text = ctypes.create_string_buffer(256)
    r["set base"] = lib.JetSetSystemParameterA(None, 0, 3, 0, b"abc")
    r["get base"] = [lib.JetGetSystemParameterA(0, 0, 3, None, text, 256), text.value.decode()]
    h = I(0)
    r["copied"] = [lib.JetCreateInstanceA(byref(h), b"ESE01"), lib.JetInit(byref(h)), lib.JetTerm(h.value)]
    r["defaults in multi mode"] = [lib.JetSetSystemParameterA(pinst(_lib.JET_INSTANCE(-1).value), 0, 3, 0, b"edb"),
                                   lib.JetSetSystemParameterA(None, 0, 2, 0, logs.encode())]
    a, b = I(0), I(0)
    r["by default path"] = [lib.JetCreateInstanceA(byref(a), b"agent"), lib.JetCreateInstanceA(byref(b), None),
                            lib.JetInit(byref(a)), lib.JetInit(byref(b))]
    r["path"] = [lib.JetGetSystemParameterA(a.value, 0, 2, None, text, 256), text.value.decode()]
    r["legacy while instances live"] = lib.JetInit(None)
    r["terms"] = [lib.JetTerm(a.value), lib.JetTerm(b.value)]
    legacy = I(0)
    r["legacy after"] = [lib.JetInit(byref(legacy)), lib.JetBeginExternalBackup(0), lib.JetEndExternalBackup(),
                         lib.JetTerm(0)]
    """


def test_default_parameters_are_copied_by_later_instances(ese):
    logs = servers.resolve_path("ESE01", r"C:\ESE\logs")
    r = run_script(DEFAULT_PARAMETERS, logs)
    assert r["set base"] == 0 and r["get base"] == [0, "abc"]
    assert r["copied"] == [0, JET_errInvalidParameter, 0]                      # base name abc: not ESE01's
    assert r["defaults in multi mode"] == [0, 0]
    assert r["by default path"] == [0, 0, 0, 0]
    assert r["path"] == [0, logs + "/"]
    assert r["legacy while instances live"] == JET_errRunningInMultiInstanceMode
    assert r["terms"] == [0, 0]
    assert r["legacy after"] == [0, 0, 0, 0]


# ---- names, constants and structures against esent.h -----------------------------------------------------

def esent_text():
    return re.sub(r"/\*.*?\*/", " ", (INCLUDE / "esent.h").read_text(), flags=re.S)


def test_bare_names_are_the_a_functions(ese, jet, lib):
    inst = jet.backup()
    results = []
    for name in ("JetGetAttachInfoInstance", "JetGetAttachInfoInstanceA"):
        out, cb = ctypes.create_string_buffer(512), _lib.UINT32(0)
        results.append((getattr(lib, name)(inst, out, 512, byref(cb)), out.raw[:cb.value]))
    assert results[0] == results[1] and results[0][1].endswith(b"ese.edb\0\0")
    generic = dict(re.findall(r"^#define\s+(Jet\w+)\s+(Jet\w+A)\s*$", esent_text().split("#else")[-1], re.M))
    assert sorted(generic) == sorted(_lib.JET_BARE_NAMES)
    by_name = {name: (argtypes, restype) for name, argtypes, restype in _lib.FUNCTION_LIST}
    for bare, a in generic.items():
        assert by_name[bare] == by_name[a]


def test_jet_error_table_matches_esent_h():
    defined = {name: int(value) for name, value in
               re.findall(r"^#define\s+(JET_(?:err|wrn)\w+)\s+\(?(-?\d+)\)?\s*$", esent_text(), re.M)}
    assert len(defined) > 90 and errors.JET_CODES == defined
    for name, value in errors.JET_BUILTIN_CODES.items():
        assert defined[name] == value, name
    assert errors.jet_name(-1003) == "JET_errInvalidParameter" and errors.jet_name(-550) == "JET_errDatabaseDirtyShutdown"
    assert errors.jet_name(-123456) == "-123456"
    e = JetError.from_err(-505, "JetTerm")
    assert (e.name, e.value, e.err, e.function, str(e)) == ("JET_errBackupInProgress", -505, -505, "JetTerm",
                                                             "JetTerm: JET_errBackupInProgress (-505)")
    assert errors.jet_check(1006) == 1006 and errors.jet_check(0) == 0


def test_jet_builtin_table_is_used_without_the_headers(tmp_path):
    script = ("import sys; sys.path.insert(0, %r)\nfrom winbackup import errors\n"
              "print(errors.JET_CODES == errors.JET_BUILTIN_CODES, errors.jet_name(-1081))") % str(REPO / "examples" / "python")
    env = dict(os.environ, WINBACKUP_INCLUDE=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["True", "JET_errRunningInMultiInstanceMode"], out.stderr


def test_structures_match_esent_h():
    text = esent_text()
    pointer = ctypes.sizeof(ctypes.c_void_p)
    for struct, size in ((_lib.JET_SNPROG, 12), (_lib.JET_RSTMAP_A, 2 * pointer), (_lib.JET_RSTMAP_W, 2 * pointer),
                         (_lib.JET_LOGINFO_A, 16), (_lib.JET_LOGINFO_W, 20)):
        declared = re.search(r"typedef struct \{([^}]*)\}\s*%s;" % struct.__name__, text).group(1)
        assert [f[0] for f in struct._fields_] == re.findall(r"(\w+)(?:\[[^\]]*\])?;", declared), struct.__name__
        assert ctypes.sizeof(struct) == size, struct.__name__
    defines = dict(re.findall(r"^#define\s+(JET_(?:bit|param|snp|snt)\w+)\s+(0x[0-9A-Fa-f]+|\d+)", text, re.M))
    assert len(defines) >= 20
    for name, value in defines.items():
        assert getattr(esent, name) == int(value, 0), name
    assert esent.JET_instanceNil == (1 << (8 * pointer)) - 1
