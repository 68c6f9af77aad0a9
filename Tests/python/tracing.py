"""Helpers of test_trace.py and test_strict.py: run a Python child over the library with
WINBACKUP_TRACE / WINBACKUP_STRICT set (the library reads them once, at a process's first call)."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PRELUDE = """
import ctypes, sys
sys.path.insert(0, {path!r})
from winbackup import _lib
lib = _lib.load()
DWORD = _lib.DWORD
def prepare(server="DC01"):
    token, cb, hbc = ctypes.c_void_p(), DWORD(0), _lib.HBC()
    hr = lib.DsBackupPrepareW(_lib.wstr(server), 0, 1, ctypes.byref(token), ctypes.byref(cb), ctypes.byref(hbc))
    assert _lib.u32(hr) == 0, hex(_lib.u32(hr))
    lib.DsBackupFree(token)
    return hbc
def database(hbc):
    names, cb = ctypes.POINTER(_lib.WCHAR)(), DWORD(0)
    assert lib.DsBackupGetDatabaseNamesW(hbc, ctypes.byref(names), ctypes.byref(cb)) == 0
    entries = _lib.multi_string(names, cb.value, True)
    lib.DsBackupFree(names)
    return entries[0][1:]
def report():
    need = DWORD(0)
    lib.WbReportA(None, 0, ctypes.byref(need))
    buf = ctypes.create_string_buffer(need.value)
    hr = lib.WbReportA(buf, need.value, ctypes.byref(need))
    return hr, buf.value.decode()
"""


def run_child(body, env=None, check=True):
    """Runs PRELUDE + body in a new Python; returns the CompletedProcess (text)."""
    script = PRELUDE.format(path=str(REPO / "examples" / "python")) + textwrap.dedent(body)
    full_env = dict(os.environ)
    for name in ("WINBACKUP_TRACE", "WINBACKUP_STRICT"):
        full_env.pop(name, None)
    full_env.update(env or {})
    done = subprocess.run([sys.executable, "-c", script], env=full_env, capture_output=True, text=True, timeout=120)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def read_trace(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]
