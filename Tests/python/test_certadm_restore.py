"""The restore side of Certadm (CertSrvRestore*) and recovery, docs/CONTRACT-CERTADM.md: a full backup
and two incrementals restored onto a second CA (the incrementals in either order) and checked by
content digest, a skipped incremental, the dynamic files, RegisterW against ThroughFile for a backup
operator, and every refusal of RestorePrepare, Register, RegisterComplete and RestoreEnd."""

import contextlib
import os
import subprocess
import sys
import textwrap
from ctypes import byref
from dataclasses import dataclass
from pathlib import Path

import pytest

import winbackup
from winbackup import HResultError, _lib, certsrv, ntds, servers

u32 = _lib.u32
S_OK = 0
E_POINTER, E_INVALIDARG, E_HANDLE, E_FAIL = 0x80004003, 0x80070057, 0x80070006, 0x80004005
E_ACCESSDENIED, RPC_UNAVAILABLE = 0x80070005, 0x800706BA
hrRestoreInProgress, hrNoFullRestore = 0xC7FF0004, 0xC7FF000C
hrMissingLogFile, hrDatabaseInUse = 0xC8000210, 0xC80004B2

CERTLOG = r"C:\Windows\System32\CertLog"
DATABASE = CERTLOG + r"\CA01-CA.edb"                    # on CA01 and on CA02: the same CA name
SOURCE_DATABASE = r"\\CA01\C$" + DATABASE[2:]
CRL = r"C:\Windows\System32\CertSrv\CertEnroll\CA01-CA.crl"
CRT = r"C:\Windows\System32\CertSrv\CertEnroll\CA01_CA01-CA.crt"


@contextlib.contextmanager
def raises(hresult):
    """pytest.raises for an HResultError of exactly this value (its name is checked too)."""
    with pytest.raises(HResultError) as info:
        yield info
    assert info.value.hresult == hresult, f"expected 0x{hresult:08X}, got {info.value}"
    assert info.value.name == winbackup.errors.name_of(hresult)


def read(server, path):
    return Path(servers.resolve_path(server, path)).read_bytes()


@dataclass
class BackupSet:
    full: certsrv.BackupResult
    inc1: certsrv.BackupResult
    inc2: certsrv.BackupResult
    digest: str            # CA01's content when inc2 was taken
    crl: bytes             # CA01's CRL then
    digest_now: str        # CA01's content at the end (it moved on)

    @property
    def expected(self):
        """What a CA restored from the whole set must hold: the digest at the end of inc2's last log."""
        return servers.log_digest(self.inc2.log_file(self.inc2.gen_high))


@pytest.fixture(scope="module")
def backup_set(tmp_path_factory):
    """A full backup of a CA01 and two incrementals, with writes (and so new CRLs) in between and
    after. Made once for the module, in a server root of its own (the folders are only read)."""
    top = tmp_path_factory.mktemp("certadm-set")
    saved = os.environ.get("WINBACKUP_ROOT")
    os.environ["WINBACKUP_ROOT"] = str(top / "root")
    (top / "root").mkdir()
    try:
        ca = servers.create("CA01", role="certsrv", db_size="2M", logs=2, log_size="64K")
        servers.write(ca, 4)
        full = certsrv.backup_folder(ca, top / "full")
        servers.write(ca, 6)
        inc1 = certsrv.backup_folder(ca, top / "inc1", incremental=True)
        servers.write(ca, 6)
        inc2 = certsrv.backup_folder(ca, top / "inc2", incremental=True)
        digest, crl = servers.content_digest(ca), read(ca, CRL)
        servers.write(ca, 3)                               # the source moves on: new content, new CRL
        s = BackupSet(full, inc1, inc2, digest, crl, servers.content_digest(ca))
        assert s.digest_now != s.digest and read(ca, CRL) != s.crl
    finally:
        if saved is None:
            del os.environ["WINBACKUP_ROOT"]
        else:
            os.environ["WINBACKUP_ROOT"] = saved
    assert inc1.gen_low <= full.gen_high + 1 and inc2.gen_low <= inc1.gen_high + 1   # no gaps in the set
    assert inc2.gen_low > full.gen_high + 1, "no gap left when inc1 is skipped"
    return s


@pytest.fixture
def ca02():
    """The restore target: a second CA with the same CA name, stopped."""
    return servers.create("CA02", role="certsrv", db_size="2M", logs=2, log_size="64K", ca_name="CA01-CA",
                          offline=True)


def assert_stopped(server):
    with raises(RPC_UNAVAILABLE):
        certsrv.is_online(server)


def full_map(new=DATABASE, old=SOURCE_DATABASE):
    return [(old, new)]


# ---- round trips ----------------------------------------------------------------------------------

@pytest.mark.parametrize("order", [("inc1", "inc2"), ("inc2", "inc1")])
def test_full_and_two_incrementals_restore_in_either_order(backup_set, ca02, order, tmp_path):
    certsrv.restore_folder(backup_set.full.folder, ca02)
    for name in order:
        certsrv.restore_folder(getattr(backup_set, name).folder, ca02)
    assert_stopped(ca02)                                           # nothing starts it but a start
    servers.start(ca02)
    assert certsrv.is_online(ca02) is True and certsrv.is_online("CA02\\CA01-CA") is True
    assert servers.content_digest(ca02) == backup_set.expected == backup_set.digest
    assert servers.content_digest(ca02) != backup_set.digest_now
    assert read(ca02, CRL) == backup_set.crl                       # the newest set's CRL, whatever the order
    assert read(ca02, CRT) == (backup_set.inc2.folder / "CertEnroll" / "CA01_CA01-CA.crt").read_bytes()
    servers.write(ca02, 2)                                         # a working CA: writes, backs up
    certsrv.backup_folder(ca02, tmp_path / "ca02")


def test_restore_set_orders_the_full_backup_first(backup_set, ca02):
    results = certsrv.restore_set([backup_set.inc2.folder, backup_set.inc1.folder, backup_set.full.folder], ca02,
                                  start=True)
    assert [r.kind for r in results] == ["full", "incremental", "incremental"]
    assert (results[1].gen_high, results[2].gen_high) == (backup_set.inc2.gen_high, backup_set.inc1.gen_high)
    assert servers.content_digest(ca02) == backup_set.expected


def test_dynamic_files_round_trip_byte_exact(ca, ca02, tmp_path):
    full = certsrv.backup_folder(ca, tmp_path / "full")
    saved = {name: read(ca, name) for name in (CRL, CRT)}
    assert {f.name for f in (tmp_path / "full" / "CertEnroll").iterdir()} == {"CA01-CA.crl", "CA01_CA01-CA.crt"}
    for name, data in saved.items():
        assert (tmp_path / "full" / "CertEnroll" / name.rsplit("\\", 1)[1]).read_bytes() == data
    servers.write(ca, 2)                                           # a new CRL on the source
    assert read(ca, CRL) != saved[CRL] and read(ca, CRT) == saved[CRT]
    assert b"crl-number" in read(ca, CRL)
    certsrv.restore_folder(full.folder, ca02, start=True)
    assert {name: read(ca02, name) for name in saved} == saved
    assert servers.content_digest(ca02) == servers.log_digest(full.log_file(full.gen_high))


def test_skipping_an_incremental_leaves_a_gap_and_the_ca_stays_stopped(backup_set, ca02):
    certsrv.restore_folder(backup_set.full.folder, ca02)
    certsrv.restore_folder(backup_set.inc2.folder, ca02)            # inc1 skipped
    with raises(hrMissingLogFile):                                 # 0xC8000210
        servers.start(ca02)
    assert_stopped(ca02)
    with raises(hrMissingLogFile):                                 # and again: nothing was applied
        servers.start(ca02)
    certsrv.restore_folder(backup_set.inc1.folder, ca02)            # the missing one, late
    servers.start(ca02)
    assert servers.content_digest(ca02) == backup_set.expected


def test_a_log_missing_from_its_folder(backup_set, ca02):
    certsrv.restore_folder(backup_set.full.folder, ca02)
    result = certsrv.restore_folder(backup_set.inc1.folder, ca02)
    folder = servers.resolve_path(ca02, result.backup_log_path)
    os.remove(os.path.join(folder, f"edb{backup_set.inc1.gen_high - 1:05X}.log"))
    with raises(hrMissingLogFile):
        servers.start(ca02)
    assert_stopped(ca02)


@pytest.mark.parametrize("backup_log_path", [r"C:\Restore\Logs", None])
def test_hot_full_backup_restored_step_by_step(ca, ca02, tmp_path, backup_log_path):
    """The documented steps by hand, pages changed during the database copy and logs written before
    the log list; RegisterComplete with S_FALSE (a success code); NULL backupLogPath: CertLog."""
    servers.write(ca, 5)
    with certsrv.backup(ca) as b:
        locations = b.locations()
        db = b.database_names()[0]
        size = b.open(db, read_hint=65536)
        with open(tmp_path / db.basename, "wb") as out:
            out.write(b.read(5 * 8192))
            servers.write(ca, 4)                                   # a hot backup
            while chunk := b.read(100000):
                out.write(chunk)
        b.close()
        assert os.path.getsize(tmp_path / db.basename) == size
        servers.write(ca, 3)
        logs = b.backup_logs()
        for f in logs:
            b.copy(f, to=tmp_path)
        b.truncate_logs()
    generations = [int(f.basename[3:8], 16) for f in logs]
    assert len(generations) >= 3
    folder = CERTLOG if backup_log_path is None else backup_log_path
    with certsrv.restore(ca02) as r:
        target = certsrv.drive_path(next(f.name for f in locations if f.kind == certsrv.CSBFT_CERTSERVER_DATABASE))
        r.register((db, target), gen_low=generations[0], gen_high=generations[-1], backup_log_path=backup_log_path)
        r.install(tmp_path / db.basename, target)
        for f in logs:
            r.install(tmp_path / f.basename, folder + "\\" + f.basename)
        r.complete(1)                                              # S_FALSE
    assert_stopped(ca02)
    servers.start(ca02)
    assert servers.content_digest(ca02) == servers.log_digest(tmp_path / logs[-1].basename)


# ---- RegisterW against RegisterThroughFile: a backup operator --------------------------------------

def test_a_backup_operator_registers_through_file_only(backup_set, ca02, lib, tmp_path):
    certsrv.allow_backup_operator(ca02, "CORP\\bob", "pw")
    ntds.set_auth_identity("bob", "CORP", "pw")                    # act as that account
    with certsrv.restore(ca02) as r:
        with raises(E_ACCESSDENIED):
            r.register(full_map(), gen_low=backup_set.full.gen_low, gen_high=backup_set.full.gen_high)
        # the order: the map size before the operator check, the operator check before a NULL name
        assert u32(lib.CertSrvRestoreRegisterW(r.hbc, None, None, None, -1, None, 1, 1)) == E_INVALIDARG
        assert u32(lib.CertSrvRestoreRegisterW(r.hbc, None, None, None, 1, None, 1, 1)) == E_POINTER
        entry = (_lib.CSEDB_RSTMAPW * 1)()
        assert u32(lib.CertSrvRestoreRegisterW(r.hbc, None, None, entry, 1, None, 1, 1)) == E_ACCESSDENIED
        assert u32(lib.CertSrvRestoreRegisterThroughFile(r.hbc, None, None, entry, 1, None, 1, 1)) == E_POINTER
        with raises(E_INVALIDARG):                                 # nothing registered by the refusals
            r.complete()
    with raises(E_ACCESSDENIED):
        certsrv.restore_folder(backup_set.full.folder, ca02)        # restore_folder uses RegisterW
    for folder in (backup_set.full.folder, backup_set.inc2.folder, backup_set.inc1.folder):
        certsrv.restore_folder(folder, ca02, through_file=True)
    ntds.set_auth_identity(None)
    servers.start(ca02)
    assert servers.content_digest(ca02) == backup_set.expected
    ntds.set_auth_identity("bob", "CORP", "pw")                    # a backup operator backs up
    assert certsrv.is_online(ca02) is True
    certsrv.backup_folder(ca02, tmp_path / "by-bob")
    ntds.set_auth_identity("bob", "CORP", "wrong")
    with raises(E_ACCESSDENIED):
        certsrv.is_online(ca02)


def test_an_allowed_administrator_may_use_register_w(backup_set, ca02):
    servers.allow(ca02, "CORP\\admin", "pw")
    ntds.set_auth_identity("admin", "CORP", "pw")
    certsrv.restore_folder(backup_set.full.folder, ca02)
    ntds.set_auth_identity("nobody", "CORP", "pw")
    with raises(E_ACCESSDENIED):
        certsrv.restore(ca02)
    ntds.set_auth_identity(None)
    servers.start(ca02)
    assert servers.content_digest(ca02) == servers.log_digest(backup_set.full.log_file(backup_set.full.gen_high))


def test_register_checks_the_caller_as_of_the_call(backup_set, ca02, lib):
    certsrv.allow_backup_operator(ca02, "CORP\\bob", "pw")
    ntds.set_auth_identity("bob", "CORP", "pw")
    with certsrv.restore(ca02) as r:
        ntds.set_auth_identity("bob", "CORP", "wrong")              # refused credentials since Prepare
        for register in (lib.CertSrvRestoreRegisterW, lib.CertSrvRestoreRegisterThroughFile):
            assert u32(register(r.hbc, None, None, None, 0, None, 1, 1)) == E_ACCESSDENIED
    ntds.set_auth_identity(None)
    assert_stopped(ca02)


# ---- CertSrvRestorePrepareW -----------------------------------------------------------------------

def test_restore_prepare_checks(ca, ca02, lib):
    servers.create("DC01", db_size="2M", logs=2, log_size="64K", offline=True)
    hbc = _lib.HCSBC(0x5EB7)
    for flags in (0x2, 0x3, 0x6, 0x7, 0x8, 0x10, 0xFFFFFFFF):      # outside CSRESTORE_TYPE_MASK (0x5)
        assert u32(lib.CertSrvRestorePrepareW(_lib.wstr(ca02), flags, byref(hbc))) == E_INVALIDARG, flags
        assert u32(lib.CertSrvRestorePrepareW(_lib.wstr("NOPE"), flags, byref(hbc))) == E_INVALIDARG  # flags first
    assert hbc.value == 0x5EB7
    for name, hr in (("CA_02", E_INVALIDARG), ("", E_INVALIDARG), ("NOPE", RPC_UNAVAILABLE),
                     ("DC01", RPC_UNAVAILABLE), ("CA02\\CA02-CA", RPC_UNAVAILABLE),
                     ("CA01", hrDatabaseInUse), ("CA01\\CA01-CA", hrDatabaseInUse)):
        assert u32(lib.CertSrvRestorePrepareW(_lib.wstr(name), 1, byref(hbc))) == hr, name
    certsrv.server_control(ca, certsrv.CSCONTROL_SUSPEND)
    assert u32(lib.CertSrvRestorePrepareW(_lib.wstr(ca), 1, byref(hbc))) == hrDatabaseInUse   # paused too
    assert hbc.value == 0x5EB7
    for flags in (0, 1, 4, 5):
        for name in (ca02, "\\\\ca02", "CA02\\ca01-ca"):
            with certsrv.restore(name, flags=flags) as r:
                assert r.hbc.value
    with certsrv.restore(ca02) as r:
        with raises(RPC_UNAVAILABLE):                              # the docs: the CA must be running
            r.locations()
    with certsrv.restore(ca02, flags=certsrv.CSRESTORE_TYPE_CATCHUP) as r:   # no FULL bit: incremental
        with raises(E_INVALIDARG):
            r.register(full_map(), gen_low=1, gen_high=2)
        with raises(hrNoFullRestore):
            r.register(gen_low=1, gen_high=2)
    with certsrv.restore(ca02, flags=certsrv.CSRESTORE_TYPE_FULL | certsrv.CSRESTORE_TYPE_CATCHUP) as r:
        with raises(E_INVALIDARG):                                 # full: a map is needed
            r.register(gen_low=1, gen_high=2)
        r.register(full_map(), gen_low=1, gen_high=2)
        r.complete(E_FAIL)


def test_incremental_before_the_full_restore(backup_set, ca02):
    with certsrv.restore(ca02, full=False) as r:
        with raises(hrNoFullRestore):                              # 0xC7FF000C
            r.register(gen_low=backup_set.inc1.gen_low, gen_high=backup_set.inc1.gen_high)
    with raises(hrNoFullRestore):
        certsrv.restore_folder(backup_set.inc1.folder, ca02)
    servers.start(ca02)                                            # nothing was registered
    assert certsrv.is_online(ca02) is True


# ---- CertSrvRestoreRegisterW: the checks in order -------------------------------------------------

def test_register_arguments(ca, ca02, lib):
    servers.create("CA03", role="certsrv", db_size="2M", logs=2, log_size="64K", ca_name="CA01-CA", offline=True)
    local_dir = servers.resolve_path(ca02, CERTLOG)
    with certsrv.restore(ca02) as r:
        for n in (-1, 257, -0x80000000):
            assert u32(lib.CertSrvRestoreRegisterW(r.hbc, None, None, None, n, None, 1, 1)) == E_INVALIDARG, n
        for low, high in ((0, 5), (6, 5), (1, 0x100000), (0, 0)):
            with raises(E_INVALIDARG):
                r.register(full_map(), gen_low=low, gen_high=high)
        for path, hr in ((r"C:\Windows\System32\CertSrv", E_INVALIDARG), (CERTLOG + r"\sub", E_INVALIDARG),
                         ("CertLog", E_INVALIDARG), (CERTLOG + r"\..\CertLog", E_INVALIDARG),
                         (r"\\CA03\C$\Windows\System32\CertLog", E_ACCESSDENIED),
                         (r"\\CA01\C$\Windows\System32\CertLog", E_ACCESSDENIED)):
            with raises(hr):
                r.register(full_map(), gen_low=1, gen_high=2, checkpoint_path=path)
            with raises(hr):
                r.register(full_map(), gen_low=1, gen_high=2, log_path=path)
        for path, hr in ((r"\\CA03\C$\Restore", E_ACCESSDENIED), (r"C:\Restore\..\x", E_INVALIDARG),
                         ("Restore", E_INVALIDARG), ("", E_INVALIDARG)):
            with raises(hr):                                       # the backup log folder: any folder of the CA
                r.register(full_map(), gen_low=1, gen_high=2, backup_log_path=path)
        with raises(E_INVALIDARG):                                 # full: at least one database
            r.register(None, gen_low=1, gen_high=2)
        # the order: generations, then paths, then the map
        with raises(E_INVALIDARG):
            r.register(full_map(), gen_low=0, gen_high=2, checkpoint_path=r"\\CA03\C$\Windows\System32\CertLog")
        with raises(E_ACCESSDENIED):
            r.register(None, gen_low=1, gen_high=2, log_path=r"\\CA03\C$\Windows\System32\CertLog")
        for pairs in ([(SOURCE_DATABASE, CERTLOG + r"\other.edb")], [("", DATABASE)],
                      [(SOURCE_DATABASE, DATABASE), (SOURCE_DATABASE + "2", DATABASE)]):
            with raises(E_INVALIDARG):                             # not the CA's database, empty, mapped twice
                r.register(pairs, gen_low=1, gen_high=2)
        with raises(E_ACCESSDENIED):
            r.register([(SOURCE_DATABASE, r"\\CA03\C$" + DATABASE[2:])], gen_low=1, gen_high=2)
        with raises(E_INVALIDARG):                                 # nothing registered yet
            r.complete()
        for folder, database in ((r"\\CA02\C$\Windows\System32\CertLog", r"\\CA02\C$" + DATABASE[2:]),
                                 (CERTLOG, DATABASE), (local_dir, os.path.join(local_dir, "CA01-CA.edb")),
                                 (r"c:\windows\system32\CERTLOG", DATABASE.lower())):
            r.register(full_map(new=database), gen_low=1, gen_high=2, checkpoint_path=folder, log_path=folder,
                       backup_log_path=folder)                     # three spellings, any case
        r.register([("any name at all", DATABASE)], gen_low=1, gen_high=0xFFFFF)   # the old name is free
        r.complete(E_FAIL)
    with certsrv.restore(ca02, full=False) as r:
        with raises(E_INVALIDARG):                                 # incremental: no map
            r.register(full_map(), gen_low=1, gen_high=2)


def test_register_on_a_ca_that_is_not_stopped(ca02, lib):
    with certsrv.restore(ca02) as r:
        servers.start(ca02)                                        # started under the restore context
        entry = (_lib.CSEDB_RSTMAPW * 1)()
        assert u32(lib.CertSrvRestoreRegisterW(r.hbc, None, None, entry, 1, None, 1, 1)) == E_POINTER  # NULL name first
        with raises(hrDatabaseInUse):
            r.register(full_map(), gen_low=1, gen_high=2)
        with raises(hrDatabaseInUse):                              # the state before the generations
            r.register(full_map(), gen_low=0, gen_high=2)
        with raises(hrDatabaseInUse):
            r.register_through_file(full_map(), gen_low=1, gen_high=2)
        with raises(hrDatabaseInUse):                              # the state before the paths and the map
            r.register(None, gen_low=1, gen_high=2, checkpoint_path=r"C:\Windows")
        assert [(f.kind, f.name) for f in r.locations()] == [         # a running CA answers
            (0x44, r"\\CA02\C$" + DATABASE[2:]), (0x82, r"\\CA02\C$" + CERTLOG[2:]), (0x83, r"\\CA02\C$" + CERTLOG[2:])]
    assert certsrv.is_online(ca02) is True


# ---- RegisterComplete, RestoreEnd, and what keeps the CA from starting ---------------------------

def test_an_open_or_failed_registration_keeps_the_ca_stopped(backup_set, ca02, lib):
    full, inc1, inc2 = backup_set.full, backup_set.inc1, backup_set.inc2
    r = certsrv.restore(ca02)
    r.register(full_map(), gen_low=full.gen_low, gen_high=full.gen_high)
    r.end()                                                        # S_OK; the registration stays open
    assert u32(lib.CertSrvRestoreEnd(r.hbc)) == E_HANDLE           # a second End
    assert u32(lib.CertSrvRestoreRegisterComplete(r.hbc, 0)) == E_HANDLE
    with raises(hrRestoreInProgress):
        servers.start(ca02)
    assert_stopped(ca02)
    with certsrv.restore(ca02) as r:                               # a failure reported
        r.register(full_map(), gen_low=full.gen_low, gen_high=full.gen_high)
        r.complete(E_FAIL)
    with raises(hrRestoreInProgress):
        servers.start(ca02)
    with certsrv.restore(ca02, full=False) as r:                   # no incremental onto a failed restore
        with raises(hrRestoreInProgress):
            r.register(gen_low=inc1.gen_low, gen_high=inc1.gen_high)
    with pytest.raises(RuntimeError):                              # the context manager reports E_FAIL
        with certsrv.restore(ca02) as r:
            r.register(full_map(), gen_low=full.gen_low, gen_high=full.gen_high)
            raise RuntimeError("copy failed")
    with raises(hrRestoreInProgress):
        servers.start(ca02)
    certsrv.restore_folder(full.folder, ca02)                      # a good full restore again
    with certsrv.restore(ca02, full=False) as r:                   # an incremental reopens the registration
        r.register(gen_low=inc1.gen_low, gen_high=inc1.gen_high,      # the folder restore_folder uses
                   backup_log_path=rf"{certsrv.BACKUP_LOG_ROOT}\{inc1.gen_low:05X}-{inc1.gen_high:05X}-incremental")
    with raises(hrRestoreInProgress):
        servers.start(ca02)
    certsrv.restore_folder(inc1.folder, ca02)                      # registered again, with its files
    certsrv.restore_folder(inc2.folder, ca02)
    servers.start(ca02)
    assert servers.content_digest(ca02) == backup_set.expected


def test_a_full_registration_replaces_the_earlier_one(backup_set, ca02):
    certsrv.restore_folder(backup_set.full.folder, ca02)
    certsrv.restore_folder(backup_set.inc1.folder, ca02)
    certsrv.restore_folder(backup_set.full.folder, ca02)            # the incremental is forgotten
    servers.start(ca02)
    assert servers.content_digest(ca02) == servers.log_digest(backup_set.full.log_file(backup_set.full.gen_high))


REGISTERING = textwrap.dedent("""
    import sys
    sys.path.insert(0, {path!r})
    from winbackup import certsrv
    r = certsrv.restore("CA02")
    r.register([(r"\\\\CA01\\C$\\Windows\\System32\\CertLog\\CA01-CA.edb", r"{database}")], gen_low=1, gen_high=2)
    print("registered", flush=True)
    sys.stdin.readline()
    r.end()
    print("ended", flush=True)
    sys.stdin.readline()
""").format(path=str(winbackup.__path__[0] + "/.."), database=DATABASE)


def test_another_process_registering_is_in_progress(ca02):
    child = subprocess.Popen([sys.executable, "-c", REGISTERING], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "registered", child.stderr.read()
        with certsrv.restore(ca02) as r:
            with raises(hrRestoreInProgress):
                r.register(full_map(), gen_low=1, gen_high=2)
            with raises(hrRestoreInProgress):
                r.register_through_file(full_map(), gen_low=1, gen_high=2)
            with raises(E_INVALIDARG):                             # the map rules come first
                r.register(None, gen_low=1, gen_high=2)
        with certsrv.restore(ca02, full=False) as r:
            with raises(hrRestoreInProgress):                      # ... and "in progress" before "no full restore"
                r.register(gen_low=1, gen_high=2)
            with raises(E_INVALIDARG):
                r.register(full_map(), gen_low=1, gen_high=2)
        with certsrv.restore(ca02) as r:
            child.stdin.write("\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "ended"
            r.register(full_map(), gen_low=1, gen_high=2)          # its context ended: free to register over
            r.complete(E_FAIL)
    finally:
        child.communicate("\n", timeout=60)
    assert child.returncode == 0


def test_a_registering_process_that_dies_ends_its_context(ca02):
    script = REGISTERING.split("sys.stdin.readline()")[0] + "import os\nos._exit(0)\n"   # dies registered
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "registered", result.stderr
    with certsrv.restore(ca02) as r:                               # "Contexts are per process"
        r.register(full_map(), gen_low=1, gen_high=2)
        r.complete(E_FAIL)


# ---- the example ----------------------------------------------------------------------------------

def test_backup_ca_example(tmp_path, root):
    script = [sys.executable, str(Path(winbackup.__path__[0]).parent / "backup_ca.py")]
    env = dict(os.environ, PYTHONPATH=str(Path(winbackup.__path__[0]).parent))

    def run(*args, ok=True):
        result = subprocess.run(script + [str(a) for a in args], capture_output=True, text=True, timeout=120, env=env)
        assert (result.returncode == 0) == ok, result.stdout + result.stderr
        return result.stdout + result.stderr

    assert "full backup complete" in run("backup", "CA01", tmp_path / "full", "--create")
    assert "failed: CertSrvBackupPrepareW: hrMissingFullBackup (0xC8000230)" in run(
        "backup", "CA05", tmp_path / "x", "--create", "--incremental", ok=False)
    servers.write("CA01", 5)
    assert "incremental backup complete" in run("backup", "CA01", tmp_path / "inc", "--incremental")
    out = run("restore", "CA02", tmp_path / "inc", tmp_path / "full", "--create", "--ca-name", "CA01-CA", "--start")
    assert "identical to the content recorded at the end of log generation" in out
    assert "hrDatabaseInUse" in run("restore", "CA02", tmp_path / "full", ok=False)
