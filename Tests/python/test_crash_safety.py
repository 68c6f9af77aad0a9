"""Crash safety (issue 7, item 4): kill -9 of an agent at random points during a backup and a
restore, and of `winbackupctl server write` mid-write. Afterwards the server is usable (a new
backup starts at once), a half-copied restore never lets the server start, and no file of the
server is damaged: its content equals the digest its writer recorded in the log.

The kill points are random: the seed is printed (pytest -s, or in a failure's output) and
WINBACKUP_KILL_SEED replays a run; WINBACKUP_KILL_ROUNDS sets the number of kills per test."""

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import winbackup
from winbackup import servers

REPO = Path(__file__).resolve().parents[2]
SEED = int(os.environ.get("WINBACKUP_KILL_SEED", str(time.time_ns() % 2**31)))
ROUNDS = int(os.environ.get("WINBACKUP_KILL_ROUNDS", "6"))
MANIFEST = "manifest.txt"


@pytest.fixture
def rng(request):
    seed = SEED + sum(request.node.name.encode())
    print(f"\n{request.node.name}: seed {seed} (WINBACKUP_KILL_SEED={SEED})")
    return random.Random(seed)


@pytest.fixture
def ctl(winbackupctl, root):
    def run(*args, check=True, timeout=120):
        p = subprocess.run([winbackupctl, "--root", str(root), *map(str, args)], capture_output=True, text=True,
                           timeout=timeout)
        if check:
            assert p.returncode == 0, f"winbackupctl {' '.join(map(str, args))}: {p.returncode}\n{p.stdout}\n{p.stderr}"
        return p
    run.path = winbackupctl
    return run


def kill_after(argv, delay):
    """Starts argv, kills it with SIGKILL after `delay` seconds (if it still runs); its exit code."""
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
    return p.wait(timeout=60)


def timed(ctl, *args):
    start = time.monotonic()
    ctl(*args)
    return time.monotonic() - start


def last_log(folder):
    """The highest archived generation's log in a backup folder."""
    logs = sorted((p for p in Path(folder).rglob("*.log") if re.fullmatch(r"edb[0-9A-F]{5,8}", p.stem)),
                  key=lambda p: int(p.stem[3:], 16))
    return logs[-1]


def assert_not_a_backup(ctl, folder):
    """A killed agent's folder cannot pass for a backup unless it is one: without a manifest verify
    refuses it; the manifest is written last (atomically), so with one the set verifies (the agent
    was killed after it, before exiting)."""
    if not Path(folder).exists():
        return
    if (Path(folder) / MANIFEST).exists():
        ctl("verify", folder)
    else:
        assert ctl("verify", folder, check=False).returncode != 0


def assert_store_consistent(ctl, name, tmp_path, tag):
    """A new backup starts at once and completes, verifies, and the server's content equals the
    digest its own log recorded at the backup's last generation (nothing writes meanwhile)."""
    folder = tmp_path / f"check-{tag}"
    ctl("backup", name, "--to", folder)
    ctl("verify", folder)
    assert servers.content_digest(name) == servers.log_digest(last_log(folder)), f"{name}: content != logged digest"
    return folder


# ---- (a) killed backup agents ----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["ntds", "certsrv", "ese"])
def test_backup_agent_killed_at_random_points(ctl, tmp_path, rng, role):
    servers.create("SRC01", role=role, db_size="6M", logs=3, log_size="64K")
    full = timed(ctl, "backup", "SRC01", "--to", tmp_path / "first")        # how long a backup takes here
    killed = 0
    for i in range(ROUNDS):
        folder = tmp_path / f"killed-{i}"
        code = kill_after([ctl.path, "backup", "SRC01", "--to", str(folder)], rng.uniform(0.0, full * 1.1))
        if code == 0:                                                      # finished before the kill: a good set
            ctl("verify", folder)
        else:
            assert code == -signal.SIGKILL, f"round {i}: the agent failed by itself ({code})"
            killed += 1
            assert_not_a_backup(ctl, folder)
        good = assert_store_consistent(ctl, "SRC01", tmp_path, i)        # no backup left "in progress"
    assert killed > 0, "no agent was killed mid-backup: the backups are too fast for the delays"
    # the last good set restores, and the restored server holds what the source recorded
    servers.create("DST01", role=role, db_size="6M", logs=1, log_size="64K", offline=True,
                   ca_name="SRC01-CA" if role == "certsrv" else None)
    if role == "certsrv":
        ctl("server", "stop", "DST01")
    ctl("restore", good, "--to", "DST01", "--start")
    assert servers.content_digest("DST01") == servers.log_digest(last_log(good))


AGENT_MID_READ = {
    "ntds": """
from winbackup import ntds
b = ntds.backup("SRC01").__enter__()
f = b.databases()[0]
b.open(f)
assert len(b.read(65536)) == 65536
print("reading", flush=True)
time.sleep(120)
""",
    "certsrv": """
from winbackup import certsrv
b = certsrv.backup("SRC01").__enter__()
f = b.database_names()[0]
b.open(f)
assert len(b.read(65536)) == 65536
print("reading", flush=True)
time.sleep(120)
""",
    "ese": """
from winbackup import esent
inst = esent.Instance("SRC01").__enter__()
inst.init()
b = inst.external_backup().__enter__()
b.open(b.attach_info()[0])
buf = esent.AlignedBuffer(65536)
assert b.read(buf) == 65536
print("reading", flush=True)
time.sleep(120)
""",
}


@pytest.mark.parametrize("role", ["ntds", "certsrv", "ese"])
def test_agent_killed_mid_read_through_ctypes(ctl, tmp_path, role):
    """A ctypes agent killed between two DsBackupRead / CertSrvBackupRead / JetReadFileInstance
    calls: the server is free at once (the backup lock dies with the process)."""
    servers.create("SRC01", role=role, db_size="4M", logs=2, log_size="64K")
    script = f"import sys, time\nsys.path.insert(0, {str(REPO / 'examples' / 'python')!r})\n" + AGENT_MID_READ[role]
    agent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = agent.stdout.readline()
        assert line.strip() == "reading", agent.stderr.read() if agent.poll() is not None else line
        busy = ctl("backup", "SRC01", "--to", tmp_path / "while-alive", check=False)
        assert busy.returncode != 0 and "progress" in (busy.stdout + busy.stderr).lower(), busy.stderr
    finally:
        agent.send_signal(signal.SIGKILL)
        agent.communicate(timeout=60)
    assert agent.returncode == -signal.SIGKILL
    assert_store_consistent(ctl, "SRC01", tmp_path, "after")


# ---- (b) killed restore agents ---------------------------------------------------------------------

REFUSALS = ("restore", "backup copy", "soft recovery")   # hrRestoreInProgress, JET_errSoftRecoveryOnBackupDatabase


@pytest.mark.parametrize("role", ["ntds", "certsrv"])
def test_restore_agent_killed_at_random_points(ctl, tmp_path, rng, role):
    servers.create("SRC01", role=role, db_size="8M", logs=3, log_size="64K")
    ctl("server", "write", "SRC01", "--transactions", 200)
    backup = tmp_path / "set"
    ctl("backup", "SRC01", "--to", backup)
    expected = servers.log_digest(last_log(backup))
    servers.create("DST01", role=role, db_size="8M", logs=1, log_size="64K", offline=True,
                   ca_name="SRC01-CA" if role == "certsrv" else None)
    if role == "certsrv":
        ctl("server", "stop", "DST01")
    full = timed(ctl, "restore", backup, "--to", "DST01")                # registered and complete, not started
    ctl("server", "start", "DST01")
    assert servers.content_digest("DST01") == expected
    servers.write("DST01", 50)                                           # a different content to start from
    ctl("server", "stop", "DST01")
    refused = 0
    for i in range(ROUNDS):
        before = servers.content_digest("DST01")
        code = kill_after([ctl.path, "restore", str(backup), "--to", "DST01"], rng.uniform(0.0, full * 1.1))
        start = ctl("server", "start", "DST01", check=False)
        if code == 0:
            assert start.returncode == 0, start.stderr
            assert servers.content_digest("DST01") == expected
        elif start.returncode != 0:                                      # half restored: it stays shut
            refused += 1
            message = (start.stdout + start.stderr).lower()
            assert any(word in message for word in REFUSALS), f"round {i}: unclear refusal: {start.stderr}"
            assert ctl("server", "start", "DST01", check=False).returncode != 0      # and again
        else:                                                            # killed before anything was registered
            assert servers.content_digest("DST01") in (before, expected), f"round {i}: started half-restored"
        ctl("server", "stop", "DST01")
        ctl("restore", backup, "--to", "DST01", "--start")                # a new restore takes over
        assert servers.content_digest("DST01") == expected
        ctl("server", "stop", "DST01")
    assert refused > 0, "no restore was killed half-way: the restores are too fast for the delays"


def test_ese_restore_killed_at_random_points(ctl, tmp_path, rng):
    """JetExternalRestore through the CLI: a kill leaves either the old instance or the restored one,
    never a half-restored one that starts."""
    servers.create("SRC01", role="ese", db_size="6M", logs=3, log_size="64K")
    backup = tmp_path / "set"
    ctl("backup", "SRC01", "--to", backup)
    expected = servers.log_digest(last_log(backup))
    servers.create("DST01", role="ese", db_size="6M", logs=1, log_size="64K", offline=True)
    full = timed(ctl, "restore", backup, "--to", "DST01")
    ctl("server", "stop", "DST01")
    for i in range(ROUNDS):
        before = servers.content_digest("DST01")
        code = kill_after([ctl.path, "restore", str(backup), "--to", "DST01"], rng.uniform(0.0, full * 1.1))
        start = ctl("server", "start", "DST01", check=False)
        if start.returncode == 0:
            assert servers.content_digest("DST01") in ((expected,) if code == 0 else (before, expected))
        else:
            assert code != 0, start.stderr
        ctl("server", "stop", "DST01", check=False)
        ctl("restore", backup, "--to", "DST01", "--start")
        assert servers.content_digest("DST01") == expected
        ctl("server", "stop", "DST01")


# ---- (c) a killed writer ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["ntds", "ese"])
def test_writer_killed_mid_write_recovers(ctl, tmp_path, rng, role):
    servers.create("SRC01", role=role, db_size="4M", logs=2, log_size="64K")
    for i in range(ROUNDS):
        code = kill_after([ctl.path, "server", "write", "SRC01", "--transactions", "1000000", "--pages", "4"],
                          rng.uniform(0.05, 0.8))
        assert code == -signal.SIGKILL
        if i % 2:
            ctl("server", "stop", "SRC01")                                # soft recovery at stop ...
            ctl("server", "start", "SRC01")
        else:
            ctl("server", "write", "SRC01", "--transactions", 0)          # ... or at the next writer's start
        good = assert_store_consistent(ctl, "SRC01", tmp_path, i)
    servers.create("DST01", role=role, db_size="4M", logs=1, log_size="64K", offline=True)
    ctl("restore", good, "--to", "DST01", "--start")
    assert servers.content_digest("DST01") == servers.content_digest("SRC01")


def test_writer_killed_between_the_two_renames_of_a_roll(ctl, tmp_path):
    """A roll renames edb.log to edbXXXXX.log, then edbtmp.log (the next generation, complete) to
    edb.log; a writer killed between the two leaves no edb.log. Recovery finishes the roll."""
    servers.create("SRC01", role="ntds", db_size="2M", logs=2, log_size="64K")
    ctl("backup", "SRC01", "--to", tmp_path / "rolled")                   # the roll leaves an empty new edb.log
    logs = Path(servers.resolve_path("SRC01", r"C:\Windows\NTDS"))
    (logs / "edb.log").rename(logs / "edbtmp.log")
    ctl("server", "write", "SRC01", "--transactions", 20)
    assert not (logs / "edbtmp.log").exists()
    assert_store_consistent(ctl, "SRC01", tmp_path, "after")
