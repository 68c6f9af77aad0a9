"""Restore with ESENT, docs/CONTRACT-ESENT.md "Restore": a backup taken with the Jet API, put back
onto a second, stopped server and recovered by JetExternalRestore(A/W) or JetExternalRestore2
(a JET_LOGINFO), verified by the content digest the writer recorded in the last log; the status
callback; the argument checks; and the engine's own folder backup and restore (JetBackupInstance,
JetRestoreInstance)."""

import ctypes
import os
import shutil
from ctypes import byref

import pytest

from winbackup import JetError, _lib, esent, servers

JET_errBackupDirectoryNotEmpty = -504
JET_errMissingLogFile, JET_errStartingRestoreLogTooHigh = -528, -554
JET_errInvalidGrbit, JET_errInvalidParameter, JET_errInvalidPath = -900, -1003, -1023
JET_errNotInitialized, JET_errAlreadyInitialized, JET_errDatabaseInUse = -1029, -1030, -1202
snpRestore, snpBackup = 8, 9
sntProgress, sntFail, sntBegin, sntComplete = 0, 3, 5, 6
DATABASE = r"C:\ESE\ese.edb"


def jet_backup(folder, server="ESE01", write_during=5):
    """A full backup of `server` through the Jet API into `folder` (the database, then the logs,
    truncated), with activity between Begin and the log list so that it spans generations:
    (the database's name at backup time, LogInfo)."""
    os.makedirs(folder, exist_ok=True)
    with esent.Instance(server) as inst:
        inst.init()
        with inst.external_backup() as b:
            [database] = b.attach_info()
            b.copy(database, to=folder)
            if write_during:
                servers.write(server, write_during)
            logs, info = b.log_info2()
            for log in logs:
                b.copy(log, to=folder)
            b.truncate()
    return database, info


def target(name="ESE02", folder=None):
    """A second server, stopped (created offline); the backed-up database copied onto its file if
    folder is given. The local path of its database."""
    servers.create(name, role="ese", db_size="2M", logs=2, log_size="64K", offline=True)
    path = servers.resolve_path(name, DATABASE)
    if folder is not None:
        shutil.copyfile(os.path.join(folder, "ese.edb"), path)
    return path


def last_log_digest(folder, info):
    return servers.log_digest(os.path.join(folder, f"edb{info.gen_high:05X}.log"))


def started_digest(server="ESE02"):
    """JetInit on the restored server (it starts it), then its content digest."""
    with esent.Instance(server) as inst:
        inst.init()
        return servers.content_digest(server)


class Calls(list):
    """A status callback that records (snp, snt, progress)."""

    def __call__(self, snp, snt, progress):
        self.append((snp, snt, progress))


@pytest.fixture
def backup(ese, tmp_path):
    """A Jet-API backup of ESE01 in tmp_path/bk and the stopped ESE02 with the database in place:
    (folder, name at backup time, LogInfo, ESE02's database path)."""
    folder = str(tmp_path / "bk")
    database, info = jet_backup(folder)
    assert info.gen_high > info.gen_low
    return folder, database, info, target(folder=folder)


def raw_restore(lib, function, pairs, backup_logs, low, high, checkpoint=None, logs=None, count=None, pfn=None):
    """JetExternalRestoreA/W (or the bare JetExternalRestore) through ctypes: the JET_ERR."""
    wide = function.endswith("W")
    keep = []

    def s(text):
        if text is None:
            return None
        if not wide:
            return text.encode()
        buffer = _lib.wstr(text)
        keep.append(buffer)
        return ctypes.cast(buffer, _lib.LPWSTR)

    entries = ((_lib.JET_RSTMAP_W if wide else _lib.JET_RSTMAP_A) * max(len(pairs or []), 1))()
    for entry, (a, b) in zip(entries, pairs or []):
        entry.szDatabaseName, entry.szNewDatabaseName = s(a), s(b)
    rgrstmap = entries if pairs is not None else None
    n = len(pairs or []) if count is None else count
    return getattr(lib, function)(s(checkpoint), s(logs), rgrstmap, n, s(backup_logs), low, high, pfn)


# ---- JetExternalRestore -----------------------------------------------------------------------------

@pytest.mark.parametrize("function", ["JetExternalRestoreW", "JetExternalRestoreA", "JetExternalRestore"])
def test_external_restore_recovers_to_the_last_backed_up_log(lib, backup, function):
    folder, database, info, new = backup
    calls = Calls()
    status = esent.StatusCallback(calls)
    assert raw_restore(lib, function, [(database, new)], folder, info.gen_low, info.gen_high,
                       pfn=status.pointer) == 0
    assert started_digest() == last_log_digest(folder, info)
    generations = info.gen_high - info.gen_low + 1
    assert calls[0] == (snpRestore, sntBegin, None) and calls[-1] == (snpRestore, sntComplete, None)
    progress = [p for snp, snt, p in calls if snt == sntProgress]
    assert all(snp == snpRestore for snp, _, _ in calls) and len(calls) == len(progress) + 2
    assert len(progress) >= generations and progress[-1][0] == progress[-1][1]
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_external_restore_progress_is_a_snprog(lib, backup):
    folder, database, info, new = backup
    seen = []

    def pfn(sesid, snp, snt, pv):
        if snt == sntProgress:
            p = ctypes.cast(pv, ctypes.POINTER(_lib.JET_SNPROG)).contents
            seen.append((sesid, p.cbStruct, p.cunitDone, p.cunitTotal))
        else:
            seen.append((sesid, snt, pv))
        return -1                                           # its return value is not used
    callback = _lib.JET_PFNSTATUS(pfn)
    assert raw_restore(lib, "JetExternalRestoreW", [(database, new)], folder, info.gen_low, info.gen_high,
                       pfn=callback) == 0
    assert seen[0] == (0, sntBegin, None) and seen[-1] == (0, sntComplete, None)
    assert all(cb == 12 and 0 <= done <= total for _, cb, done, total in seen[1:-1])


def test_external_restore_with_the_face_and_paths_given(backup):
    folder, database, info, new = backup
    calls = Calls()
    esent.external_restore([(database, new)], folder, info.gen_low, info.gen_high, callback=calls,
                           checkpoint=servers.resolve_path("ESE02", r"C:\ESE"),
                           logs=servers.resolve_path("ESE02", r"C:\ESE\logs"), wide=False)
    assert calls[-1] == (snpRestore, sntComplete, None)
    assert started_digest() == last_log_digest(folder, info)


@pytest.mark.parametrize("wide", [True, False], ids=["W", "A"])
def test_external_restore2_takes_the_loginfo_of_the_backup(backup, wide):
    folder, database, info, new = backup
    calls = Calls()
    esent.external_restore2({database: new}, folder, info, callback=calls, wide=wide,
                            target_logs=servers.resolve_path("ESE02", r"C:\ESE\logs"),
                            target_checkpoint=servers.resolve_path("ESE02", r"C:\ESE"))
    assert calls[0][1] == sntBegin and calls[-1][1] == sntComplete
    assert started_digest() == last_log_digest(folder, info)


def test_external_restore2_bare_name_without_target_paths(lib, backup):
    folder, database, info, new = backup
    entry = _lib.JET_RSTMAP_A(database.encode(), new.encode())
    loginfo = info.structure(wide=False)
    assert lib.JetExternalRestore2(None, None, byref(entry), 1, folder.encode(), byref(loginfo), b"ignored", None, None,
                                   None) == 0
    assert started_digest() == last_log_digest(folder, info)


def test_external_restore_argument_checks(lib, backup):
    folder, database, info, new = backup
    low, high, good = info.gen_low, info.gen_high, [(database, new)]
    cases = {                                 # (map, count, backup logs, genLow, genHigh)
        "n<0": (good, -1, folder, low, high), "n>256": (good, 257, folder, low, high),
        "n=0": (good, 0, folder, low, high), "NULL map": (None, 1, folder, low, high),
        "NULL name": ([(None, new)], 1, folder, low, high), "NULL new name": ([(database, None)], 1, folder, low, high),
        "NULL backup logs": (good, 1, None, low, high), "genLow 0": (good, 1, folder, 0, high),
        "genHigh 0": (good, 1, folder, low, 0), "genLow>genHigh": (good, 1, folder, high + 1, high),
        "genLow<0": (good, 1, folder, -1, high),
    }
    for function in ("JetExternalRestoreW", "JetExternalRestoreA", "JetExternalRestore"):
        got = {case: raw_restore(lib, function, pairs, logs, lo, hi, count=n)
               for case, (pairs, n, logs, lo, hi) in cases.items()}
        assert got == {case: JET_errInvalidParameter for case in cases}, function
    assert raw_restore(lib, "JetExternalRestoreW", good, folder, low, high) == 0        # nothing was changed


def test_external_restore_paths_name_one_stopped_server(lib, backup, tmp_path):
    folder, database, info, new = backup
    restore = lambda pairs, **kw: raw_restore(lib, "JetExternalRestoreW", pairs, folder, info.gen_low,   # noqa: E731
                                              info.gen_high, **kw)
    assert restore([(database, str(tmp_path / "x.edb"))]) == JET_errInvalidPath             # in no server
    assert restore([(database, servers.resolve_path("ESE02", r"C:\ESE\edb.chk"))]) == JET_errInvalidParameter
    assert restore([(database, new)], checkpoint=servers.resolve_path("ESE02", r"C:\ESE\logs")) == JET_errInvalidPath
    assert restore([(database, new)], logs=servers.resolve_path("ESE02", r"C:\ESE")) == JET_errInvalidPath
    servers.create("ESE03", role="ese", db_size="2M", logs=2, log_size="64K", offline=True)
    assert restore([(database, new), (database, servers.resolve_path("ESE03", DATABASE))]) == JET_errInvalidParameter
    assert restore([(database, new)], logs=servers.resolve_path("ESE03", r"C:\ESE\logs")) == JET_errInvalidParameter
    assert raw_restore(lib, "JetExternalRestoreW", [(database, new)], str(tmp_path / "none"), info.gen_low,
                       info.gen_high) < 0                                                    # no such folder
    servers.create("ESE04", role="ese", db_size="2M", logs=2, log_size="64K")
    assert restore([(database, servers.resolve_path("ESE04", DATABASE))]) == JET_errDatabaseInUse   # it runs
    assert restore([(database, new)]) == 0


def test_external_restore_failure_changes_nothing(lib, backup):
    folder, database, info, new = backup
    before = open(new, "rb").read()
    for low, high, expected in ((info.gen_low + 1, info.gen_high, JET_errStartingRestoreLogTooHigh),
                                (info.gen_low, info.gen_high + 1, JET_errMissingLogFile)):
        calls = Calls()
        with pytest.raises(JetError) as e:
            esent.external_restore({database: new}, folder, low, high, callback=calls)
        assert e.value.value == expected and e.value.function == "JetExternalRestoreW"
        assert calls[0] == (snpRestore, sntBegin, None) and calls[-1] == (snpRestore, sntFail, None)
        assert open(new, "rb").read() == before
    os.remove(os.path.join(folder, f"edb{info.gen_low + 1:05X}.log") if info.gen_high > info.gen_low + 1
              else os.path.join(folder, f"edb{info.gen_high:05X}.log"))
    with pytest.raises(JetError) as e:
        esent.external_restore({database: new}, folder, info.gen_low, info.gen_high)
    assert e.value.value in (JET_errMissingLogFile, -556)                                   # a gap
    assert open(new, "rb").read() == before


def test_external_restore_callback_errors_are_raised_after_the_call(backup):
    folder, database, info, new = backup

    def callback(snp, snt, progress):
        raise KeyError("agent")
    with pytest.raises(KeyError):
        esent.external_restore({database: new}, folder, info.gen_low, info.gen_high, callback=callback)
    assert started_digest() == last_log_digest(folder, info)                                # it ran


def test_external_restore2_argument_checks(lib, backup):
    folder, database, info, new = backup
    entry = _lib.JET_RSTMAP_W(ctypes.cast(_lib.wstr(database), _lib.LPWSTR), ctypes.cast(_lib.wstr(new), _lib.LPWSTR))
    logs_w = _lib.wstr(servers.resolve_path("ESE02", r"C:\ESE\logs"))

    def restore2(loginfo, target_logs=None, target_checkpoint=None):
        return lib.JetExternalRestore2W(None, None, byref(entry), 1, _lib.wstr(folder),
                                        None if loginfo is None else byref(loginfo), None, target_logs,
                                        target_checkpoint, None)
    assert restore2(None) == JET_errInvalidParameter
    for size in (0, 16, 24):
        assert restore2(_lib.JET_LOGINFO_W(size, info.gen_low, info.gen_high)) == JET_errInvalidParameter
    wrong_a = _lib.JET_LOGINFO_A(20, info.gen_low, info.gen_high, b"edb")
    assert lib.JetExternalRestore2A(None, None, byref(_lib.JET_RSTMAP_A(database.encode(), new.encode())), 1,
                                    folder.encode(), byref(wrong_a), None, None, None, None) == JET_errInvalidParameter
    assert restore2(esent.LogInfo(info.gen_low, info.gen_high, "abc").structure()) == JET_errInvalidParameter
    assert restore2(info.structure(), target_logs=logs_w) == JET_errInvalidParameter              # both or neither
    assert restore2(info.structure(), target_checkpoint=_lib.wstr(servers.resolve_path("ESE02", r"C:\ESE"))) == \
        JET_errInvalidParameter
    assert restore2(esent.LogInfo(info.gen_low, info.gen_high, "EDB").structure()) == 0


# ---- JetBackupInstance / JetRestoreInstance -------------------------------------------------------------

def test_backup_instance_full_then_incremental_restored(ese, tmp_path):
    folder = tmp_path / "bk"
    with esent.Instance("ESE01") as inst:
        inst.init()
        calls = Calls()
        inst.backup_instance(folder, callback=calls)                                # a new folder
        full = sorted(os.listdir(folder))
        assert "ese.edb" in full and any(n.endswith(".log") for n in full)
        assert calls[0] == (snpBackup, sntBegin, None) and calls[-1] == (snpBackup, sntComplete, None)
        assert [p for _, snt, p in calls if snt == sntProgress][-1] == (len(full), len(full))
        servers.write("ESE01", 5)
        inst.backup_instance(folder, esent.JET_bitBackupIncremental)
        incremental = sorted(os.listdir(folder))
        assert set(full) < set(incremental) and all(n.endswith(".log") for n in set(incremental) - set(full))
    last = max(n for n in incremental if n.endswith(".log"))
    target()
    with esent.Instance("ESE02") as inst:
        calls = Calls()
        inst.restore_instance(folder, callback=calls)                               # before JetInit
        assert calls[0] == (snpRestore, sntBegin, None) and calls[-1] == (snpRestore, sntComplete, None)
        inst.init()
        assert servers.content_digest("ESE02") == servers.log_digest(folder / last)


def test_backup_instance_truncates_the_logs(ese, tmp_path):
    with esent.Instance("ESE01") as inst:
        inst.init()
        logs = servers.resolve_path("ESE01", r"C:\ESE\logs")
        assert {"edb00001.log", "edb00002.log"} <= set(os.listdir(logs))
        inst.backup_instance(tmp_path / "bk")
        assert not {"edb00001.log", "edb00002.log"} & set(os.listdir(logs))


def test_backup_instance_refuses_a_non_empty_folder_and_atomic_replaces(ese, tmp_path, lib):
    folder = tmp_path / "bk"
    folder.mkdir()
    (folder / "old.txt").write_text("x")
    with esent.Instance("ESE01") as inst:
        inst.init()
        with pytest.raises(JetError) as e:
            inst.backup_instance(folder)
        assert e.value.value == JET_errBackupDirectoryNotEmpty
        assert lib.JetBackupInstanceA(inst.handle, str(folder).encode(), 0, None) == JET_errBackupDirectoryNotEmpty
        inst.backup_instance(folder, esent.JET_bitBackupAtomic)
        names = set(os.listdir(folder))
        assert "ese.edb" in names and "old.txt" not in names and "new" not in names
        inst.backup_instance(folder, esent.JET_bitBackupAtomic)                     # again: replaced
        assert "ese.edb" in set(os.listdir(folder)) and "new" not in set(os.listdir(folder))


@pytest.mark.parametrize("grbit", [0x1 | 0x4, 0x2, 0x10, 0x8, 0x100])
def test_backup_instance_grbits(ese, jet, lib, tmp_path, grbit):
    inst = jet.create()
    for fn, path in ((lib.JetBackupInstanceW, _lib.wstr(str(tmp_path / "bk"))),
                     (lib.JetBackupInstanceA, str(tmp_path / "bk").encode()),
                     (lib.JetBackupInstance, str(tmp_path / "bk").encode())):
        assert fn(inst, path, grbit, None) == JET_errInvalidGrbit
    assert not (tmp_path / "bk").exists()


def test_backup_instance_arguments(ese, jet, lib, tmp_path):
    inst = jet.create(init=False)
    path = str(tmp_path / "bk").encode()
    assert lib.JetBackupInstanceA(inst, path, 0, None) == JET_errNotInitialized
    assert lib.JetInit(byref(_lib.JET_INSTANCE(inst))) == 0
    assert lib.JetBackupInstanceA(inst, None, 0, None) == JET_errInvalidParameter
    assert lib.JetBackupInstanceW(inst, None, 0, None) == JET_errInvalidParameter
    assert lib.JetBackupInstanceA(inst, path, 0, None) == 0


def test_restore_instance_checks(ese, jet, lib, tmp_path):
    folder = tmp_path / "bk"
    with esent.Instance("ESE01") as inst:
        inst.init()
        inst.backup_instance(folder)
        with pytest.raises(JetError) as e:
            inst.restore_instance(folder)                                            # initialized
        assert e.value.value == JET_errAlreadyInitialized
    target()
    inst = jet.create("ESE02", init=False)
    source = str(folder).encode()
    assert lib.JetRestoreInstanceA(inst, source, b"/tmp", None) == JET_errInvalidParameter     # szDest must be NULL
    assert lib.JetRestoreInstanceW(inst, None, None, None) == JET_errInvalidParameter
    servers.start("ESE02")
    assert lib.JetRestoreInstanceA(inst, source, None, None) == JET_errDatabaseInUse            # it runs
    servers.stop("ESE02")
    assert lib.JetRestoreInstance(inst, source, None, None) == 0
    assert lib.JetInit(byref(_lib.JET_INSTANCE(inst))) == 0
    last = max(n for n in os.listdir(folder) if n.endswith(".log"))
    assert servers.content_digest("ESE02") == servers.log_digest(folder / last)
