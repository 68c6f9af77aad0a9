"""Bad input (issue 7, item 5): a truncated, garbage or hostile settings file, a server folder with
missing or extra files, symbolic links leading out of the root, names with path tricks. Each gives
a clear error (the CLI: exit status 1 and a message naming the problem; the exports: their
documented code) and nothing outside the server folder changes: a sentinel tree beside the root is
hashed before and after every test."""

import ctypes
import hashlib
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import winbackup
from winbackup import _lib, servers

ACCESS_DENIED, EINVAL = 5, 87
hrCouldNotConnect = 0xC7FF0007
E_INVALIDARG, RPC_UNAVAILABLE = 0x80070057, 0x800706BA
NTDS_DIR = r"C:\Windows\NTDS"
REQUIRED = ("name", "role", "id", "state", "created", "circular-logging", "log-file-size", "page-size", "database",
            "log-path", "system-path", "base-name", "tombstone-lifetime-days")


def tree_digest(folder):
    """Names, kinds, modes and contents of everything under folder (links not followed)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = p.lstat()
            h.update(f"{p.relative_to(folder)}\0{st.st_mode:o}\0".encode())
            if p.is_symlink():
                h.update(os.readlink(p).encode())
            elif p.is_file():
                h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def outside(tmp_path, root):
    """A sentinel tree beside the root: it must be byte for byte the same after the test, and no
    file may appear beside the root (backup sets are folders the tests name)."""
    folder = tmp_path / "outside"
    (folder / "sub").mkdir(parents=True)
    (folder / "secret.txt").write_text("not a server's file\n")
    (folder / "sub" / "ntds.dit").write_bytes(os.urandom(65536))
    before = tree_digest(folder)
    yield folder
    assert tree_digest(folder) == before, "a file outside the server root changed"
    strays = [p for p in tmp_path.iterdir() if not p.is_dir()] + list(tmp_path.rglob("evil*"))
    assert not strays, f"files written outside the root: {strays}"


@pytest.fixture
def ctl(winbackupctl, root):
    def run(*args, check=None):
        p = subprocess.run([winbackupctl, "--root", str(root), *map(str, args)], capture_output=True, text=True,
                           timeout=120)
        assert p.returncode >= 0, f"winbackupctl {args} died of signal {-p.returncode}: {p.stderr}"
        if check is not None:
            assert (p.returncode == 0) == check, f"winbackupctl {' '.join(map(str, args))}: {p.returncode}\n{p.stdout}\n{p.stderr}"
        return p
    return run


def conf_path(name="DC01"):
    return Path(os.environ["WINBACKUP_ROOT"]) / "servers" / name / "server.conf"


def refused(ctl, *args, says=()):
    """The command fails with exit status 1 and a message naming the problem."""
    p = ctl(*args)
    assert p.returncode == 1, f"winbackupctl {' '.join(map(str, args))}: {p.returncode}\n{p.stdout}\n{p.stderr}"
    message = p.stderr.lower()
    assert message.startswith("winbackupctl: "), p.stderr
    for word in ((says,) if isinstance(says, str) else says):
        assert word.lower() in message, f"'{word}' not in: {p.stderr}"
    return p.stderr


def assert_unusable(ctl, tmp_path, says, name="DC01"):
    """Every way in is refused with the same clear message; no backup set comes out of it."""
    refused(ctl, "server", "show", name, says=says)
    target = tmp_path / "refused-set"
    refused(ctl, "backup", name, "--to", target, says=says)
    assert not (target / "manifest.txt").exists()
    refused(ctl, "server", "write", name, "--transactions", 3, says=says)
    refused(ctl, "server", "stop", name, says=says)
    with pytest.raises(winbackup.HResultError):
        servers.start(name)
    with pytest.raises(winbackup.HResultError):
        servers.content_digest(name)
    with pytest.raises(winbackup.HResultError):
        with winbackup.ntds.backup(name):
            pass


def assert_usable(ctl, tmp_path, name="DC01", tag="ok"):
    target = tmp_path / f"set-{tag}"
    ctl("backup", name, "--to", target, check=True)
    ctl("verify", target, check=True)


# ---- the settings file --------------------------------------------------------------------------------

def test_settings_truncated_at_each_line(ctl, dc, outside, tmp_path):
    original = conf_path().read_text()
    lines = original.splitlines(keepends=True)
    for k in range(len(lines)):
        text = "".join(lines[:k])
        conf_path().write_text(text)
        missing = [key for key in REQUIRED if not re.search(rf"^{key} =", text, re.M)]
        if missing:
            message = refused(ctl, "server", "show", "DC01", says="server.conf")
            assert re.search(r"missing '[a-z-]+'|no 'database'", message), message
            refused(ctl, "backup", "DC01", "--to", tmp_path / f"t{k}", says="server.conf")
            with pytest.raises(winbackup.HResultError):
                servers.start("DC01")
        else:                                                              # only the identities are gone
            ctl("server", "show", "DC01", check=True)
            refused(ctl, "backup", "DC01", "--to", tmp_path / f"t{k}", says="access")
    rng = random.Random(7)
    for cut in sorted(rng.sample(range(1, len(original) - 1), 12)):       # and inside a line
        conf_path().write_text(original[:cut])
        p = ctl("server", "show", "DC01")
        assert p.returncode == 0 or "server.conf" in p.stderr, p.stderr
    conf_path().write_text(original)
    assert_usable(ctl, tmp_path)


@pytest.mark.parametrize("seed", range(4))
def test_settings_garbage(ctl, dc, outside, tmp_path, seed):
    rng = random.Random(seed)
    garbage = [bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 4096))),
               b"\0" * 100,
               conf_path().read_bytes().replace(b"\n", b"\0"),
               b"role = ntds\n" + b"x" * 200_000 + b"\n",
               b"",
               b"\xff\xfe" + conf_path().read_text().encode("utf-16-le")][seed % 6:][:3]
    original = conf_path().read_bytes()
    for i, data in enumerate(garbage):
        conf_path().write_bytes(data)
        assert_unusable(ctl, tmp_path / f"g{i}", says="server.conf")
        listing = ctl("server", "list", check=True).stdout                # the list goes on, naming the problem
        assert "DC01" in listing and "unusable" in listing
    conf_path().write_bytes(original)
    assert_usable(ctl, tmp_path)


def test_settings_too_large(ctl, dc, outside, tmp_path):
    original = conf_path().read_text()
    conf_path().write_text(original + "# padding\n" * 200_000)            # 2 MB of comments
    assert_unusable(ctl, tmp_path, says=("server.conf", "larger than"))
    conf_path().write_text(original)
    assert_usable(ctl, tmp_path)


HOSTILE = {
    # key: (replace `key = ...` with this line or add it, what the message says)
    "huge-log-size": ("log-file-size = 99999999999999999999999999", "'log-file-size' must be a number"),
    "negative-log-size": ("log-file-size = -65536", "'log-file-size' must be a number"),
    "odd-log-size": ("log-file-size = 65537", "multiple of 4096"),
    "negative-page-size": ("page-size = -8192", "'page-size'"),
    "zero-tombstone": ("tombstone-lifetime-days = 0", "'tombstone-lifetime-days'"),
    "huge-created": ("created = 99999999999999999999999", "'created' must be a number"),
    "huge-clock-offset": ("clock-offset = 9223372036854775807", "'clock-offset'"),
    "negative-last-backup-log": ("last-backup-log = -1", "'last-backup-log'"),
    "database-dotdot": (r"database = C:\Windows\..\..\..\..\outside\sub\ntds.dit", "bad database path"),
    "database-absolute": ("database = {outside}/sub/ntds.dit", "bad database path"),
    "database-unc": (r"database = \\DC02\C$\Windows\NTDS\ntds.dit", "bad database path"),
    "database-nul": ("database = C:\\Windows\\NTDS\\ntds.dit\0/../../x", "bad database path"),
    "log-path-dotdot": (r"log-path = C:\..\..\..", "bad path in 'log-path'"),
    "system-path-absolute": ("system-path = {outside}", "bad path in 'system-path'"),
    "name-dotdot": ("name = ../DC01", "bad 'name'"),
    "name-nul": ("name = DC01\0", "bad 'name'"),
    "name-other-server": ("name = DC02", "names server DC02"),
    "id-short": ("id = 00", "'id' must be 32 hex digits"),
    "role-unknown": ("role = root", "unknown role"),
    "state-unknown": ("state = maybe", "'state'"),
    "base-name-dotdot": ("base-name = ../", "'base-name'"),
    "unknown-key": ("owner = root", "unknown setting 'owner'"),
    "duplicate-key": ("role = ntds\nrole = ntds", "'role' given twice"),
    "no-equals": ("just words", "expected 'key = value'"),
    "long-line": ("bogus = " + "x" * 100_000, "unknown setting 'bogus'"),
    "fault-garbage": ("fault = explode now", "bad fault"),
    "fault-file-outside": ("fault = read-error --file {outside}/secret.txt", "bad fault"),
    "fault-file-dotdot": (r"fault = read-error --file C:\..\..\secret.txt", "bad fault"),
    "fault-no-value": ("fault = read-error --offset", "bad fault"),
    "fault-unbalanced-quote": ("fault = deny-user 'CORP\\bob", "bad fault"),
    "identity-empty": ("identity = ", "bad identity"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_settings_hostile_values(ctl, dc, outside, tmp_path, case):
    line, says = HOSTILE[case]
    line = line.format(outside=outside)
    original = conf_path().read_text()
    key = line.split("=")[0].strip()
    if re.search(rf"^{re.escape(key)} =", original, re.M) and case != "duplicate-key":
        text = re.sub(rf"^{re.escape(key)} =.*$", lambda _: line, original, count=1, flags=re.M)
    else:
        text = original + line + "\n"
    conf_path().write_text(text)
    assert_unusable(ctl, tmp_path, says=("server.conf", says))
    conf_path().write_text(original)
    assert_usable(ctl, tmp_path)


@pytest.mark.parametrize("ca_name", [r"..\..\..\..\..\..\..\..\outside\evil", "../../../../../../../../outside/evil",
                                     "..", "a/b", "a\\b", "CA\x01"])
def test_settings_hostile_ca_name(ctl, ca, outside, tmp_path, ca_name):
    """The CA name names the CRL and certificate files a CA publishes: a path in it must not
    write outside the server (before the fix, `server write` wrote <outside>/evil.crl)."""
    path = conf_path("CA01")
    original = path.read_text()
    path.write_text(re.sub(r"^ca-name =.*$", lambda _: f"ca-name = {ca_name}", original, flags=re.M))
    refused(ctl, "server", "write", "CA01", "--transactions", 3, says=("server.conf", "'ca-name'"))
    refused(ctl, "backup", "CA01", "--to", tmp_path / "ca", says=("server.conf", "'ca-name'"))
    assert not list(tmp_path.rglob("evil*"))
    path.write_text(original)
    assert_usable(ctl, tmp_path, name="CA01")


# ---- missing and extra files ------------------------------------------------------------------------

def ntds_dir(name="DC01"):
    return Path(servers.resolve_path(name, NTDS_DIR))


MISSING = {
    # case: (the files taken away, the name the engine's message gives, may a backup still work)
    "database": (lambda: [ntds_dir() / "ntds.dit"], "ntds.dit", False),
    "current-log": (lambda: [ntds_dir() / "edb.log"], "edb.log", False),
    "checkpoint": (lambda: [ntds_dir() / "edb.chk"], "edb.chk", False),
    "archived-logs": (lambda: sorted(ntds_dir().glob("edb0*.log")), "edb0", True),   # older than the checkpoint
    "disk": (lambda: [ntds_dir().parents[1]], "Windows/NTDS/", False),
}


@pytest.mark.parametrize("case", MISSING, ids=list(MISSING))
def test_server_folder_with_missing_files(ctl, dc, outside, tmp_path, case):
    """A missing file is named (the CLI agent sees only the API's code, JET_errFileNotFound, and
    then looks on disk for the file); putting the file back heals the server."""
    files, names, may_work = MISSING[case]
    aside = tmp_path / "aside"
    aside.mkdir()
    moved = [(p, aside / f"{i}") for i, p in enumerate(files())]
    assert moved
    for p, to in moved:
        shutil.move(p, to)
    backup = ctl("backup", "DC01", "--to", tmp_path / "b")
    if backup.returncode == 0:
        assert may_work, backup.stdout
        ctl("verify", tmp_path / "b", check=True)
    else:
        assert backup.returncode == 1 and "JET_errFileNotFound" in backup.stderr, backup.stderr
        assert names in backup.stderr and "is missing" in backup.stderr, backup.stderr
        note = tmp_path / "b" / "BACKUP-FAILED.txt"
        assert not note.parent.exists() or names in note.read_text()
        for args in (("server", "write", "DC01", "--transactions", 3), ("server", "stop", "DC01")):
            p = ctl(*args)
            assert p.returncode == 1 and names in p.stderr, p.stderr
        assert "not shut down cleanly" in p.stderr or "offline" not in ctl("server", "show", "DC01").stdout, p.stderr
    ctl("server", "show", "DC01")                                          # shows what it can, never crashes
    for p, to in moved:
        shutil.move(to, p)
    ctl("server", "start", "DC01", check=True)                             # a stop that failed half-way left it offline
    assert_usable(ctl, tmp_path)


def test_server_folder_without_settings(ctl, dc, outside, tmp_path):
    (tmp_path / "aside").mkdir()
    conf_path().rename(tmp_path / "aside" / "server.conf")
    for args in (("server", "show", "DC01"), ("backup", "DC01", "--to", tmp_path / "b"), ("server", "start", "DC01"),
                 ("server", "write", "DC01"), ("fault", "add", "DC01", "stop")):
        refused(ctl, *args, says="no server named 'DC01'")
    with pytest.raises(winbackup.HResultError) as e:
        servers.start("DC01")
    assert e.value.hresult == hrCouldNotConnect
    (tmp_path / "aside" / "server.conf").rename(conf_path())
    assert_usable(ctl, tmp_path)


def test_server_folder_with_extra_files(ctl, dc, outside, tmp_path, root):
    """Stray files (a killed writer's temporary files, junk, folders) are ignored."""
    d = ntds_dir()
    server = conf_path().parent
    for p, data in [(server / "notes.txt", b"hello"), (server / "server.conf.tmp.99999", b"name = X\n"),
                    (d / "edb.chk.tmp.4242", b"\0" * 100), (d / "edbtmp.log", os.urandom(5000)),
                    (d / "edbZZZZZ.log", b"junk"), (d / "EDB.LOG.bak", b"junk"), (d / "readme", b"x"),
                    (server / "state" / "stray", b"x"), (root / "servers" / ".creating-DC09-1" / "x", b"x"),
                    (root / "servers" / "DC_02" / "server.conf", b"junk"), (root / "servers" / "DC03" / "x", b"x")]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    (d / "subfolder").mkdir()
    listing = ctl("server", "list", check=True).stdout
    assert "DC01" in listing and "DC_02" not in listing and "DC03" not in listing
    ctl("server", "write", "DC01", "--transactions", 20, check=True)
    assert_usable(ctl, tmp_path)
    ctl("server", "stop", "DC01", check=True)
    ctl("server", "start", "DC01", check=True)


# ---- symbolic links leading out ---------------------------------------------------------------------

def move_out_and_link(inside, outside_target):
    shutil.move(inside, outside_target)
    os.symlink(outside_target, inside)


def link_database(d, outside):
    move_out_and_link(d / "ntds.dit", outside / "ntds.dit")


def link_current_log(d, outside):
    move_out_and_link(d / "edb.log", outside / "edb.log")


def link_archived_log(d, outside):
    log = sorted(d.glob("edb0*.log"))[-1]
    move_out_and_link(log, outside / log.name)


def link_checkpoint(d, outside):
    move_out_and_link(d / "edb.chk", outside / "edb.chk")


def link_checkpoint_dangling(d, outside):
    (d / "edb.chk").unlink()
    os.symlink(outside / "created-by-nobody.chk", d / "edb.chk")


def link_log_folder(d, outside):
    move_out_and_link(d, outside / "NTDS")


def link_settings(d, outside):
    move_out_and_link(conf_path(), outside / "server.conf")


def link_state(d, outside):
    move_out_and_link(conf_path().parent / "state", outside / "state")


def link_server_folder(d, outside):
    move_out_and_link(conf_path().parent, outside / "DC01")


LINKS = {f.__name__[5:]: f for f in (link_database, link_current_log, link_archived_log, link_checkpoint,
                                     link_checkpoint_dangling, link_log_folder, link_settings, link_state,
                                     link_server_folder)}


@pytest.mark.parametrize("case", LINKS, ids=list(LINKS))
def test_symbolic_link_leading_out_of_the_server(ctl, dc, outside, tmp_path, case):
    """The library refuses the server (ERROR_ACCESS_DENIED through Ntdsbcli) rather than read or
    write through the link; the outside files, hashed by `outside`, are unchanged."""
    target = tmp_path / "linked"                                          # what the link points at: hashed too
    target.mkdir()
    LINKS[case](ntds_dir(), target)
    before = tree_digest(target)
    assert_unusable(ctl, tmp_path, says=("symbolic link", "leading out of its folder"))
    with pytest.raises(winbackup.HResultError) as e:
        with winbackup.ntds.backup("DC01"):
            pass
    assert e.value.hresult == ACCESS_DENIED
    assert tree_digest(target) == before, "a file behind the link changed"
    assert not (target / "created-by-nobody.chk").exists()
    ctl("server", "delete", "DC01", check=True)                            # delete removes the link, not its target
    assert tree_digest(target) == before


PLANTED = {"database": link_database, "archived_log": link_archived_log}


@pytest.mark.parametrize("case", PLANTED, ids=list(PLANTED))
def test_symbolic_link_planted_while_a_backup_runs(ctl, dc, outside, tmp_path, case):
    """A link planted after DsBackupPrepare (the lookup's check already passed) is refused at
    DsBackupOpenFile: ERROR_ACCESS_DENIED, and no byte of the outside file is read into the backup.
    Put back, the next backup works. (OpenFile checks the path it resolves and then the file it
    opened, so a swap between the two is caught too: BackupSessionTests.linkPlantedDuringSession.)"""
    target = tmp_path / "linked"
    target.mkdir()
    d = ntds_dir()
    with winbackup.ntds.backup("DC01") as b:
        database = b.databases()[0]
        logs = None
        if case == "archived_log":
            b.open(database)
            while b.read():
                pass
            b.close()
            logs = b.logs()
        PLANTED[case](d, target)
        moved = next(target.iterdir())
        before = tree_digest(target)
        name = database if case == "database" else next(f for f in logs if f.basename == moved.name)
        with pytest.raises(winbackup.HResultError) as e:
            b.open(name)
        assert e.value.hresult == ACCESS_DENIED
    assert tree_digest(target) == before, "a file behind the link changed"
    inside = d / moved.name
    inside.unlink()
    shutil.move(moved, inside)
    assert_usable(ctl, tmp_path, tag="after")


def test_symbolic_link_inside_the_server_is_fine(ctl, dc, outside, tmp_path):
    """A link that stays in the server folder is followed as before."""
    d = ntds_dir()
    real = d.parent / "NTDS-real"
    d.rename(real)
    os.symlink(real, d)
    ctl("server", "write", "DC01", "--transactions", 10, check=True)
    assert_usable(ctl, tmp_path)


# ---- names with path tricks ------------------------------------------------------------------------------

BAD_NAMES = ["../x", "..", "a/b", "a\\b", "DC_01", "", "x" * 64, "/etc", ".hidden", "\\\\..\\x", " DC01", "DC01/",
             "DC01\\..\\DC02", "\\\\", "C:", "DC01\n"]


def test_bad_names_on_every_command(ctl, dc, outside, tmp_path, root):
    before = tree_digest(root)
    ctl("backup", "DC01", "--to", tmp_path / "set", check=True)
    before = tree_digest(root)
    for name in BAD_NAMES:
        commands = [("server", "create", name, "--role", "ntds"), ("server", "show", name), ("server", "delete", name),
                    ("server", "start", name), ("server", "stop", name), ("server", "write", name),
                    ("server", "pause", name), ("server", "set", name, "--clock-offset", "1d"),
                    ("server", "allow", name, "bob"), ("server", "deny", name, "bob"), ("fault", "add", name, "stop"),
                    ("fault", "list", name), ("fault", "clear", name), ("backup", name, "--to", tmp_path / "x"),
                    ("restore", tmp_path / "set", "--to", name)]
        for args in commands:
            p = ctl(*args)
            assert p.returncode in (1, 2), f"{args}: {p.returncode} {p.stderr}"
            assert "server name" in p.stderr, f"{args}: unclear: {p.stderr}"
    assert tree_digest(root) == before, "a refused command changed the root"
    assert not (tmp_path / "x").exists()


def test_bad_names_through_the_exports(lib, dc, outside, root):
    before = tree_digest(root)
    assert _lib.u32(lib.WbCreateServerA(b"DC01\0../../x", b"--role ntds")) != 0   # a C string ends at the NUL: DC01 exists
    for name in BAD_NAMES:
        a = name.encode()
        w = _lib.wstr(name)
        assert _lib.u32(lib.WbCreateServerA(a, b"--role ntds")) == EINVAL, name
        for fn in ("WbStartServerA", "WbStopServerA", "WbDeleteServerA", "WbClearFaultsA"):
            hr = _lib.u32(getattr(lib, fn)(a))
            assert hr in (EINVAL, hrCouldNotConnect), (fn, name, hex(hr))
        assert _lib.u32(lib.WbWriteServerA(a, 1)) in (EINVAL, hrCouldNotConnect), name
        assert _lib.u32(lib.WbInjectFaultA(a, b"stop")) in (EINVAL, hrCouldNotConnect), name
        online = _lib.BOOL(7)
        assert _lib.u32(lib.DsIsNTDSOnlineW(w, ctypes.byref(online))) in (EINVAL, hrCouldNotConnect), name
        token, cb, hbc = ctypes.c_void_p(), _lib.DWORD(0), _lib.HBC()
        assert _lib.u32(lib.DsBackupPrepareW(w, 0, 1, ctypes.byref(token), ctypes.byref(cb), ctypes.byref(hbc))) \
            in (EINVAL, hrCouldNotConnect), name
        assert _lib.u32(lib.CertSrvIsServerOnlineW(w, ctypes.byref(online))) in (E_INVALIDARG, RPC_UNAVAILABLE), name
    assert tree_digest(root) == before, "a refused call changed the root"
    assert servers.content_digest("DC01")                                  # DC01 (a NUL-cut name's prefix) is fine
