"""pytest setup: the winbackup package from examples/python, a fresh $WINBACKUP_ROOT per test."""

import ctypes
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples" / "python"))

import winbackup  # noqa: E402
from winbackup import _lib  # noqa: E402

INCLUDE = REPO / "include"


@pytest.fixture(autouse=True)
def root(tmp_path, monkeypatch):
    """Each test gets its own server root (os.environ reaches the library's getenv) and leaves
    the process identity in place for the next one."""
    folder = tmp_path / "root"
    folder.mkdir()
    monkeypatch.setenv("WINBACKUP_ROOT", str(folder))
    yield folder
    winbackup.ntds.set_auth_identity(None)


@pytest.fixture
def dc():
    """A small domain controller "DC01": 2 MiB database, 2 archived logs of 64 KiB."""
    return winbackup.servers.create("DC01", role="ntds", db_size="2M", logs=2, log_size="64K")


@pytest.fixture
def lib():
    """The raw CDLL, every FUNCTION_LIST prototype registered."""
    return _lib.load()


@pytest.fixture
def winbackupctl():
    path = os.environ.get("WINBACKUPCTL") or shutil.which("winbackupctl")
    if not path:
        pytest.skip("set WINBACKUPCTL to the winbackupctl binary")
    return path


@pytest.fixture
def prepare(lib):
    """DsBackupPrepareW through ctypes: prepare(server) -> (unsigned hr, hbc). Every backup it
    started is ended after the test."""
    started = []

    def prepare(server="DC01", grbit=0, bt_flag=1):
        token, cb, hbc = ctypes.c_void_p(), _lib.DWORD(0), _lib.HBC()
        hr = lib.DsBackupPrepareW(_lib.wstr(server), grbit, bt_flag, ctypes.byref(token), ctypes.byref(cb),
                                  ctypes.byref(hbc))
        if hr == 0:
            lib.DsBackupFree(token)
            started.append(hbc)
        return _lib.u32(hr), hbc

    yield prepare
    for hbc in started:
        lib.DsBackupEnd(hbc)


# ---- Certadm (CertSrv*) ----------------------------------------------------------------------------

@pytest.fixture
def ca():
    """A small certification authority "CA01" (CA name "CA01-CA"): 2 MiB database, 2 archived logs
    of 64 KiB."""
    return winbackup.servers.create("CA01", role="certsrv", db_size="2M", logs=2, log_size="64K")


@pytest.fixture
def cs_prepare(lib):
    """CertSrvBackupPrepareW through ctypes: cs_prepare(server, flags=1, grbit=0) -> (unsigned hr,
    hbc); hbc keeps its sentinel on failure. Every backup it started is ended after the test."""
    started = []

    def cs_prepare(server="CA01", flags=1, grbit=0, sentinel=0x5EB7):
        hbc = _lib.HCSBC(sentinel)
        hr = _lib.u32(lib.CertSrvBackupPrepareW(_lib.wstr(server), grbit, flags, ctypes.byref(hbc)))
        if hr == 0:
            started.append(hbc)
        return hr, hbc

    yield cs_prepare
    for hbc in started:
        lib.CertSrvBackupEnd(hbc)


# ---- ESENT (Jet*) ------------------------------------------------------------------------------------

JET_bitTermStopBackup = 0x4


@pytest.fixture
def ese():
    """A small ESE server "ESE01" for the Jet API: 2 MiB database (C:\\ESE\\ese.edb), 2 archived logs of
    64 KiB (C:\\ESE\\logs)."""
    return winbackup.servers.create("ESE01", role="ese", db_size="2M", logs=2, log_size="64K")


class JetInstances:
    """Jet instances through ctypes (JetCreateInstanceW, JetInit), ended after the test so that the
    process leaves multi-instance mode (the mode is process-wide: legacy-mode tests need a process
    of their own)."""

    def __init__(self, lib):
        self.lib, self.handles = lib, []

    def create(self, name="ESE01", init=True):
        """A new instance's handle; JetInit'ed unless init=False. Fails the test on an error."""
        handle = _lib.JET_INSTANCE(0)
        err = self.lib.JetCreateInstanceW(ctypes.byref(handle), _lib.wstr(name))
        assert err == 0, f"JetCreateInstanceW({name!r}) = {err}"
        self.handles.append(handle.value)
        if init:
            err = self.lib.JetInit(ctypes.byref(handle))
            assert err == 0, f"JetInit({name!r}) = {err}"
        return handle.value

    def backup(self, name="ESE01", grbit=0):
        """An initialized instance with a backup begun: its handle."""
        handle = self.create(name)
        err = self.lib.JetBeginExternalBackupInstance(handle, grbit)
        assert err == 0, f"JetBeginExternalBackupInstance = {err}"
        return handle

    def end_all(self):
        for handle in self.handles:
            self.lib.JetTerm2(handle, JET_bitTermStopBackup)     # -1003 for those already ended
        self.handles.clear()


@pytest.fixture
def jet(lib):
    instances = JetInstances(lib)
    yield instances
    instances.end_all()
