"""The streaming backup of ESENT (JetBeginExternalBackupInstance ... JetEndExternalBackupInstance2),
docs/CONTRACT-ESENT.md and ESE-BEHAVIOUR.md §A.2-A.4: Begin's checks, the lists and their size
reporting, OpenFile, ReadFile's buffer rules in ESE's order, CloseFile, TruncateLog, End's grbits,
JetStopBackupInstance and JetTerm with a running backup."""

import ctypes
import mmap
import os
import re
from ctypes import byref

import pytest

from winbackup import JetError, _lib, esent, ntds, servers

PAGE = 8192
SENTINEL = 0xDEADBEEF
JET_errBackupInProgress, JET_errNoBackup, JET_errInvalidBackupSequence = -505, -520, -521
JET_errInvalidBackup, JET_errMissingFullBackup, JET_errMissingFileToBackup = -526, -560, -569
JET_errLogFileNotCopied, JET_errBackupAbortByServer, JET_errInvalidGrbit = -616, -801, -900
JET_errInvalidParameter, JET_errOutOfMemory, JET_errNotInitialized = -1003, -1011, -1029
JET_errDatabaseNotFound = -1203
Normal, Abort, TruncateDone = 0x1, 0x2, 0x100


@pytest.fixture
def buf():
    """A page-aligned 64-page buffer: (its address, the mmap)."""
    m = mmap.mmap(-1, 64 * PAGE)
    view = (ctypes.c_char * len(m)).from_buffer(m)
    yield ctypes.addressof(view), m
    del view
    m.close()


def attach_info(lib, inst, wide=True):
    cb = _lib.UINT32(0)
    out = (_lib.WCHAR * 1024)() if wide else ctypes.create_string_buffer(2048)
    fn = lib.JetGetAttachInfoInstanceW if wide else lib.JetGetAttachInfoInstanceA
    err = fn(inst, out, ctypes.sizeof(out), byref(cb))
    return err, entries(out, cb.value, wide)


def log_info(lib, inst):
    cb = _lib.UINT32(0)
    out = (_lib.WCHAR * 4096)()
    err = lib.JetGetLogInfoInstanceW(inst, out, ctypes.sizeof(out), byref(cb))
    return err, entries(out, cb.value, True)


def out_arg(out, wide):
    """A byte buffer as the W functions' WCHAR* (or the A functions' char*)."""
    return ctypes.cast(out, _lib.LPWSTR) if wide else out


def second_instance(jet, server="ESE01"):
    """Another initialized instance of the server (a name in use cannot be reused: bound by its
    JET_paramLogFilePath)."""
    inst = jet.create("", init=False)
    path = servers.resolve_path(server, r"C:\ESE\logs")
    assert _lib.load().JetSetSystemParameterA(byref(_lib.JET_INSTANCE(inst)), 0, 2, 0, path.encode()) == 0
    assert _lib.load().JetInit(byref(_lib.JET_INSTANCE(inst))) == 0
    return inst


def entries(out, cb, wide):
    raw = bytes(out)[:cb]
    text = raw.decode("utf-16-le") if wide else raw.decode()
    return [e for e in text.split("\0") if e]


def open_file(lib, inst, name):
    h, lo, hi = _lib.JET_HANDLE(SENTINEL), _lib.UINT32(SENTINEL), _lib.UINT32(SENTINEL)
    err = lib.JetOpenFileInstanceW(inst, _lib.wstr(name), byref(h), byref(lo), byref(hi))
    return err, h.value, hi.value << 32 | lo.value


def read(lib, inst, address, cb, handle=0):
    got = _lib.UINT32(SENTINEL)
    err = lib.JetReadFileInstance(inst, handle, address, cb, byref(got))
    return err, got.value


def copy(lib, inst, name, address, cb=64 * PAGE):
    """Open, read to the end, close: the bytes."""
    err, h, size = open_file(lib, inst, name)
    assert err == 0, (name, err)
    data = bytearray()
    m = (ctypes.c_char * cb).from_address(address)
    while True:
        err, n = read(lib, inst, address, cb)
        assert err == 0, err
        if n == 0:
            break
        data += m.raw[:n]
    assert lib.JetCloseFileInstance(inst, 0) == 0
    assert len(data) == size
    return bytes(data)


def archived(server="ESE01"):
    folder = servers.resolve_path(server, r"C:\ESE\logs")
    return sorted(int(n[3:8], 16) for n in os.listdir(folder) if re.fullmatch(r"edb[0-9A-F]{5}\.log", n))


def full_backup(server="ESE01", truncate=True):
    """A full backup through the face, recorded (and truncated): its LogInfo. The instance is
    bound by its log folder, so the test may hold one named after the server."""
    with esent.Instance("") as inst:
        inst.set_parameter(esent.JET_paramLogFilePath, servers.resolve_path(server, r"C:\ESE\logs"))
        inst.init()
        with inst.external_backup() as b:
            for db in b.attach_info():
                b.open(db)
                with esent.AlignedBuffer(256 * PAGE) as buffer:
                    while b.read(buffer):
                        pass
                b.close()
            logs, info = b.log_info2()
            for log in logs:
                b.open(log)
                with esent.AlignedBuffer(16 * PAGE) as buffer:
                    while b.read(buffer):
                        pass
                b.close()
            if truncate:
                b.truncate()
    return info


# ---- Begin --------------------------------------------------------------------------------------

@pytest.mark.parametrize("grbit", [0x2, 0x4, 0x8, 0x10, 0x80, 0x100, 0x5, 0x80000000])
def test_begin_rejects_bits_outside_incremental_surrogate_internal_copy(ese, jet, lib, grbit):
    inst = jet.create()
    assert lib.JetBeginExternalBackupInstance(inst, grbit) == JET_errInvalidGrbit
    assert lib.JetBeginExternalBackupInstance(inst, 0) == 0                  # nothing was started


def test_begin_a_second_backup_of_the_server_is_refused_any_instance_any_api(ese, jet, lib):
    first = jet.backup()
    assert lib.JetBeginExternalBackupInstance(first, 0) == JET_errBackupInProgress
    second = second_instance(jet)
    assert lib.JetBeginExternalBackupInstance(second, 0) == JET_errBackupInProgress
    assert lib.JetEndExternalBackupInstance2(first, Abort) == 0
    assert lib.JetBeginExternalBackupInstance(second, 0) == 0


def test_begin_while_an_ntdsbcli_backup_runs(jet, lib):
    servers.create("DC01", role="ntds", db_size="2M", logs=2, log_size="64K")
    inst = jet.create("DC01")
    with ntds.backup("DC01"):
        assert lib.JetBeginExternalBackupInstance(inst, 0) == JET_errBackupInProgress
    assert lib.JetBeginExternalBackupInstance(inst, 0) == 0


def test_begin_incremental_needs_a_recorded_full_backup(ese, jet, lib):
    inst = jet.create()
    assert lib.JetBeginExternalBackupInstance(inst, 0x1) == JET_errMissingFullBackup
    full_backup(truncate=False)                       # Normal end without truncation: a copy backup...
    assert lib.JetBeginExternalBackupInstance(inst, 0x1) == JET_errMissingFullBackup   # ... is no full one
    assert lib.JetBeginExternalBackupInstance(inst, 0x20 | 0x1) == JET_errMissingFullBackup
    full_backup()
    assert lib.JetBeginExternalBackupInstance(inst, 0x1) == 0


def test_begin_incremental_with_circular_logging(jet, lib):
    servers.create("ESE01", role="ese", db_size="2M", logs=2, log_size="64K", circular_logging=True)
    inst = jet.create()
    assert lib.JetBeginExternalBackupInstance(inst, 0x1) == JET_errInvalidBackup
    assert lib.JetBeginExternalBackupInstance(inst, 0x1 | 0x10) == JET_errInvalidGrbit     # -900 first
    assert lib.JetBeginExternalBackupInstance(inst, 0) == 0                                 # full is fine


def test_begin_on_an_instance_not_initialized(ese, jet, lib):
    inst = jet.create(init=False)
    assert lib.JetBeginExternalBackupInstance(inst, 0) == JET_errNotInitialized
    assert lib.JetBeginExternalBackupInstance(inst, 0x4) == JET_errNotInitialized


# ---- the lists ----------------------------------------------------------------------------------

@pytest.mark.parametrize("wide", [True, False], ids=["W", "A"])
def test_attach_info_size_is_always_the_full_size(ese, jet, lib, wide):
    inst = jet.backup()
    fn = lib.JetGetAttachInfoInstanceW if wide else lib.JetGetAttachInfoInstanceA
    database = servers.resolve_path("ESE01", r"C:\ESE\ese.edb")
    full = (database + "\0\0").encode("utf-16-le" if wide else "utf-8")
    cb = _lib.UINT32(SENTINEL)
    assert fn(inst, None, 0, byref(cb)) == 0 and cb.value == len(full)          # NULL: the size only
    assert fn(inst, None, 4096, byref(cb)) == 0 and cb.value == len(full)
    for cb_max in (0, 1, 7, len(full) - 1, len(full), len(full) + 10):
        out = ctypes.create_string_buffer(b"\xAB" * (len(full) + 16), len(full) + 16)
        cb.value = SENTINEL
        assert fn(inst, out_arg(out, wide), cb_max, byref(cb)) == 0
        n = min(cb_max, len(full))
        assert cb.value == len(full)                                              # always the full size
        assert out.raw[:n] == full[:n] and out.raw[n:] == b"\xAB" * (len(out.raw) - n)


@pytest.mark.parametrize("wide", [True, False], ids=["W", "A"])
def test_log_info_size_is_what_was_copied(ese, jet, lib, wide):
    inst = jet.backup()
    fn = lib.JetGetLogInfoInstanceW if wide else lib.JetGetLogInfoInstanceA
    cb = _lib.UINT32(SENTINEL)
    assert fn(inst, None, 0, byref(cb)) == 0                                    # NULL: the full size
    size = cb.value
    full = ctypes.create_string_buffer(size)
    assert fn(inst, out_arg(full, wide), size, byref(cb)) == 0 and cb.value == size
    assert full.raw.endswith(b"\0\0\0\0" if wide else b"\0\0")
    for cb_max in (0, 3, size - 1, size + 100):
        out = ctypes.create_string_buffer(b"\xAB" * (size + 128), size + 128)
        assert fn(inst, out_arg(out, wide), cb_max, byref(cb)) == 0
        n = min(cb_max, size)
        assert cb.value == n and out.raw[:n] == full.raw[:n] and out.raw[n:] == b"\xAB" * (len(out.raw) - n)


def test_log_info_lists_the_checkpoint_generation_to_the_roll(ese, jet, lib):
    ckpt_logs = archived()
    inst = jet.backup()
    err, logs = log_info(lib, inst)
    assert err == 0
    generations = [int(os.path.basename(f)[3:8], 16) for f in logs]
    assert generations == list(range(generations[0], generations[-1] + 1))
    assert generations[0] > max(ckpt_logs)                # the checkpoint was past the archived logs
    assert all(os.path.isfile(f) for f in logs)
    assert log_info(lib, inst) == (0, logs)               # later calls: the same list, no new roll


@pytest.mark.parametrize("wide", [True, False], ids=["W", "A"])
def test_log_info2_fills_a_loginfo_of_the_right_size(ese, jet, lib, wide):
    inst = jet.backup()
    struct, fn = (_lib.JET_LOGINFO_W, lib.JetGetLogInfoInstance2W) if wide else (_lib.JET_LOGINFO_A,
                                                                                lib.JetGetLogInfoInstance2A)
    assert ctypes.sizeof(struct) == (20 if wide else 16)
    cb = _lib.UINT32(SENTINEL)
    for wrong in (0, 12, 16 if wide else 20, 24):
        info = struct(wrong, SENTINEL, SENTINEL)
        assert fn(inst, None, 0, byref(cb), byref(info)) == JET_errInvalidParameter
        assert (info.ulGenLow, info.ulGenHigh, cb.value) == (SENTINEL, SENTINEL, SENTINEL)
    assert attach_info(lib, inst)[0] == 0                 # before anything: still the database phase
    info = struct(ctypes.sizeof(struct))
    out = ctypes.create_string_buffer(8192)
    assert fn(inst, out_arg(out, wide), 8192, byref(cb), byref(info)) == 0
    base = "".join(chr(c) for c in info.szBaseName).rstrip("\0") if wide else info.szBaseName.decode()
    names = entries(out, cb.value, wide)
    assert base == "edb" and [os.path.basename(n) for n in names] == [
        f"edb{g:05X}.log" for g in range(info.ulGenLow, info.ulGenHigh + 1)]


def truncate_log_info(lib, inst):
    cb, out = _lib.UINT32(0), (_lib.WCHAR * 4096)()
    assert lib.JetGetTruncateLogInfoInstanceW(inst, out, ctypes.sizeof(out), byref(cb)) == 0
    return [int(os.path.basename(f)[3:8], 16) for f in entries(out, cb.value, True)]


def test_truncate_log_info_lists_what_truncation_deletes(ese, jet, lib, buf):
    assert archived() == [1, 2]
    inst = jet.backup()
    copy(lib, inst, r"C:\ESE\ese.edb", buf[0])
    assert truncate_log_info(lib, inst) == [1, 2]           # the oldest on disk .. the checkpoint
    for log in log_info(lib, inst)[1]:
        copy(lib, inst, log, buf[0])
    assert lib.JetTruncateLogInstance(inst) == 0
    assert 1 not in archived() and 2 not in archived()


def test_truncate_log_info_keeps_what_an_unread_database_needs(ese, jet, lib):
    inst = jet.backup()
    assert truncate_log_info(lib, inst) == []               # the database was not read: keep its logs
    assert attach_info(lib, inst)[0] == 0
    # the first log-list call ended the database phase: opening the database now aborts the backup
    assert open_file(lib, inst, r"C:\ESE\ese.edb")[0] == JET_errInvalidBackupSequence
    assert log_info(lib, inst)[0] == JET_errNoBackup


def test_log_lists_refuse_while_a_file_is_open_and_the_backup_goes_on(ese, jet, lib):
    # ESE's ErrBKIPrepareLogInfo returns -521 at its entry, before anything that would abort.
    inst = jet.backup()
    database = attach_info(lib, inst)[1][0]
    assert open_file(lib, inst, database)[0] == 0
    cb = _lib.UINT32(SENTINEL)
    assert lib.JetGetLogInfoInstanceW(inst, None, 0, byref(cb)) == JET_errInvalidBackupSequence
    assert cb.value == SENTINEL
    assert lib.JetCloseFileInstance(inst, 0) == 0
    assert log_info(lib, inst)[0] == 0
    assert lib.JetEndExternalBackupInstance2(inst, Abort) == 0


def test_attach_info_in_an_incremental_backup_is_refused_and_the_backup_goes_on(ese, jet, lib):
    full_backup()
    inst = jet.backup(grbit=0x1)
    cb = _lib.UINT32(SENTINEL)
    assert lib.JetGetAttachInfoInstanceW(inst, None, 0, byref(cb)) == JET_errInvalidBackupSequence
    assert cb.value == SENTINEL
    assert log_info(lib, inst)[0] == 0
    assert lib.JetEndExternalBackupInstance2(inst, Abort) == 0


def test_incremental_log_list_with_a_gap_since_the_last_backup(ese, jet, lib):
    info = full_backup()
    servers.write("ESE01", 5)
    for g in archived()[:2]:                                # the full backup's last log and the next one
        os.remove(servers.resolve_path("ESE01", rf"C:\ESE\logs\edb{g:05X}.log"))
    assert archived()[0] > info.gen_high + 1
    inst = jet.backup(grbit=0x1)
    assert log_info(lib, inst)[0] == JET_errMissingFileToBackup
    assert lib.JetTruncateLogInstance(inst) == JET_errNoBackup


def test_incremental_backup_lists_the_logs_since_the_full_one(ese, jet, lib, buf):
    info = full_backup()
    servers.write("ESE01", 5)
    inst = jet.backup(grbit=0x1)
    err, logs = log_info(lib, inst)
    generations = [int(os.path.basename(f)[3:8], 16) for f in logs]
    assert err == 0 and generations[0] == archived()[0] and generations == list(range(generations[0],
                                                                                       generations[-1] + 1))
    assert generations[0] <= info.gen_high + 1
    for log in logs:
        copy(lib, inst, log, buf[0])
    assert lib.JetTruncateLogInstance(inst) == 0
    assert lib.JetEndExternalBackupInstance2(inst, Normal) == 0


# ---- OpenFile -----------------------------------------------------------------------------------

def test_open_null_and_empty_arguments(ese, jet, lib):
    inst = jet.backup()
    database = attach_info(lib, inst)[1][0]
    h, lo, hi = _lib.JET_HANDLE(SENTINEL), _lib.UINT32(SENTINEL), _lib.UINT32(SENTINEL)
    name = _lib.wstr(database)
    for fn, arg, empty in ((lib.JetOpenFileInstanceW, name, _lib.wstr("")),
                           (lib.JetOpenFileInstanceA, database.encode(), b""),
                           (lib.JetOpenFileInstance, database.encode(), b"")):
        assert fn(inst, None, byref(h), byref(lo), byref(hi)) == JET_errInvalidParameter
        assert fn(inst, empty, byref(h), byref(lo), byref(hi)) == JET_errInvalidParameter
        assert fn(inst, arg, None, byref(lo), byref(hi)) == JET_errInvalidParameter
        assert fn(inst, arg, byref(h), None, byref(hi)) == JET_errInvalidParameter
        assert fn(inst, arg, byref(h), byref(lo), None) == JET_errInvalidParameter
    assert (h.value, lo.value, hi.value) == (SENTINEL, SENTINEL, SENTINEL)
    assert lib.JetOpenFileInstanceW(inst, name, byref(h), byref(lo), byref(hi)) == 0     # nothing was aborted
    assert h.value == 0 and hi.value == 0 and lo.value == os.path.getsize(database) + PAGE


@pytest.mark.parametrize("spelling", [r"C:\ESE\ese.edb", r"\\ESE01\C$\ESE\ese.edb", r"c:\ese\ESE.EDB",
                                      r"\\ese01\c$\ESE\ese.edb"])
def test_open_takes_the_server_spellings(ese, jet, lib, spelling):
    inst = jet.backup()
    err, h, size = open_file(lib, inst, spelling)
    assert (err, h, size) == (0, 0, os.path.getsize(servers.resolve_path("ESE01", r"C:\ESE\ese.edb")) + PAGE)


def test_one_file_open_at_a_time(ese, jet, lib):
    inst = jet.backup()
    database = attach_info(lib, inst)[1][0]
    assert open_file(lib, inst, database)[0] == 0
    assert open_file(lib, inst, database)[0] == JET_errOutOfMemory
    assert lib.JetCloseFileInstance(inst, 0) == 0
    assert open_file(lib, inst, database)[0] == 0


def test_open_a_non_database_in_the_database_phase_goes_on(ese, jet, lib):
    inst = jet.backup()
    for name in (r"C:\ESE\edb.chk", r"C:\ESE\logs\edb00001.log", r"C:\ESE\nothing.edb", r"\\ESE01\C$\ESE\x.edb"):
        assert open_file(lib, inst, name)[0] == JET_errDatabaseNotFound, name
    assert open_file(lib, inst, attach_info(lib, inst)[1][0])[0] == 0


def test_open_a_database_after_the_log_list_aborts(ese, jet, lib):
    inst = jet.backup()
    database = attach_info(lib, inst)[1][0]
    assert log_info(lib, inst)[0] == 0
    assert open_file(lib, inst, database)[0] == JET_errInvalidBackupSequence
    assert log_info(lib, inst)[0] == JET_errNoBackup


def test_open_in_the_log_phase_any_existing_file_a_missing_log_aborts(ese, jet, lib, buf):
    inst = jet.backup()
    assert log_info(lib, inst)[0] == 0
    checkpoint = copy(lib, inst, r"C:\ESE\edb.chk", buf[0])
    assert checkpoint == open(servers.resolve_path("ESE01", r"C:\ESE\edb.chk"), "rb").read()
    assert open_file(lib, inst, r"C:\ESE\logs\edb000FF.log")[0] == JET_errMissingFileToBackup
    assert log_info(lib, inst)[0] == JET_errNoBackup


def test_open_a_database_in_an_incremental_backup_aborts(ese, jet, lib):
    full_backup()
    inst = jet.backup(grbit=0x1)
    assert open_file(lib, inst, r"C:\ESE\ese.edb")[0] == JET_errInvalidBackupSequence
    assert log_info(lib, inst)[0] == JET_errNoBackup


# ---- ReadFile -----------------------------------------------------------------------------------

def test_read_rejects_an_unaligned_buffer(ese, jet, lib, buf):
    inst = jet.backup()
    assert open_file(lib, inst, r"C:\ESE\ese.edb")[0] == 0
    for offset in (8, 512, 2048, 4095):
        assert read(lib, inst, buf[0] + offset, 3 * PAGE) == (JET_errInvalidParameter, SENTINEL)
    assert read(lib, inst, buf[0] + 4096, 3 * PAGE) == (0, 3 * PAGE)            # 4 KiB-aligned is enough


@pytest.mark.parametrize("cb", [0, 1, 4096, 3 * PAGE + 4096, 3 * PAGE - 1, 3 * PAGE + 1])
def test_read_rejects_a_size_not_a_multiple_of_the_page(ese, jet, lib, buf, cb):
    inst = jet.backup()
    assert open_file(lib, inst, r"C:\ESE\ese.edb")[0] == 0
    assert read(lib, inst, buf[0], cb) == (JET_errInvalidParameter, SENTINEL)
    assert read(lib, inst, buf[0], 3 * PAGE) == (0, 3 * PAGE)


def test_first_database_read_needs_three_pages_first_log_read_two(ese, jet, lib, buf):
    inst = jet.backup()
    assert open_file(lib, inst, r"C:\ESE\ese.edb")[0] == 0
    assert read(lib, inst, buf[0], PAGE) == (JET_errInvalidParameter, SENTINEL)
    assert read(lib, inst, buf[0], 2 * PAGE) == (JET_errInvalidParameter, SENTINEL)
    assert read(lib, inst, buf[0], 3 * PAGE) == (0, 3 * PAGE)
    assert read(lib, inst, buf[0], PAGE) == (0, PAGE)                           # then any page multiple
    assert lib.JetCloseFileInstance(inst, 0) == 0
    err, logs = log_info(lib, inst)
    assert open_file(lib, inst, logs[0])[0] == 0
    assert read(lib, inst, buf[0], PAGE) == (JET_errInvalidParameter, SENTINEL)
    assert read(lib, inst, buf[0], 2 * PAGE) == (0, 2 * PAGE)
    assert read(lib, inst, buf[0], PAGE) == (0, PAGE)


def test_read_null_arguments_bad_handles_and_no_file(ese, jet, lib, buf):
    inst = jet.backup()
    assert read(lib, inst, buf[0], 3 * PAGE) == (JET_errInvalidParameter, SENTINEL)   # no file open
    assert open_file(lib, inst, r"C:\ESE\ese.edb")[0] == 0
    got = _lib.UINT32(SENTINEL)
    assert lib.JetReadFileInstance(inst, 0, None, 3 * PAGE, byref(got)) == JET_errInvalidParameter
    assert lib.JetReadFileInstance(inst, 0, buf[0], 3 * PAGE, None) == JET_errInvalidParameter
    for handle in (1, 2, SENTINEL, esent.JET_instanceNil):
        assert read(lib, inst, buf[0], 3 * PAGE, handle) == (JET_errInvalidParameter, SENTINEL), handle
    assert got.value == SENTINEL
    assert read(lib, inst, buf[0], 3 * PAGE) == (0, 3 * PAGE)


def test_read_checks_the_backup_before_the_arguments(ese, jet, lib, buf):
    inst = jet.backup()
    assert open_file(lib, inst, r"C:\ESE\ese.edb")[0] == 0
    assert lib.JetStopBackupInstance(inst) == 0
    assert lib.JetReadFileInstance(inst, 0, None, 1, None) == JET_errBackupAbortByServer
    assert lib.JetEndExternalBackupInstance2(inst, Normal) == 0
    assert lib.JetReadFileInstance(inst, 7, buf[0] + 1, 1, None) == JET_errNoBackup


def test_reads_after_the_end_succeed_with_zero_bytes(ese, jet, lib, buf):
    inst = jet.backup()
    copy(lib, inst, r"C:\ESE\ese.edb", buf[0])
    err, logs = log_info(lib, inst)
    err, h, size = open_file(lib, inst, logs[-1])
    assert read(lib, inst, buf[0], 64 * PAGE) == (0, size) and size < 64 * PAGE   # the short last read
    assert read(lib, inst, buf[0], 2 * PAGE) == (0, 0)
    assert read(lib, inst, buf[0], PAGE) == (0, 0)


# ---- CloseFile, TruncateLog ---------------------------------------------------------------------

def test_close_bad_handles(ese, jet, lib):
    inst = jet.backup()
    assert lib.JetCloseFileInstance(inst, 0) == JET_errInvalidParameter          # nothing open
    assert open_file(lib, inst, r"C:\ESE\ese.edb")[0] == 0
    for handle in (1, SENTINEL, esent.JET_instanceNil):
        assert lib.JetCloseFileInstance(inst, handle) == JET_errInvalidParameter
    assert lib.JetCloseFileInstance(inst, 0) == 0
    assert lib.JetCloseFileInstance(inst, 0) == JET_errInvalidParameter
    assert lib.JetEndExternalBackupInstance2(inst, Abort) == 0
    assert lib.JetCloseFileInstance(inst, 0) == JET_errNoBackup


def test_truncate_needs_the_log_list_no_open_file_and_every_log_read(ese, jet, lib, buf):
    inst = jet.backup()
    assert lib.JetTruncateLogInstance(inst) == JET_errInvalidBackupSequence        # no log list yet
    copy(lib, inst, r"C:\ESE\ese.edb", buf[0])
    err, logs = log_info(lib, inst)
    assert lib.JetTruncateLogInstance(inst) == JET_errLogFileNotCopied
    assert open_file(lib, inst, logs[0])[0] == 0
    assert lib.JetTruncateLogInstance(inst) == JET_errInvalidBackupSequence        # a file open
    assert lib.JetCloseFileInstance(inst, 0) == 0                                    # not read: not copied
    assert lib.JetTruncateLogInstance(inst) == JET_errLogFileNotCopied
    before = archived()
    for log in logs:
        copy(lib, inst, log, buf[0])
    copy(lib, inst, logs[0], buf[0])                                                  # twice is tolerated
    assert lib.JetTruncateLogInstance(inst) == 0
    first = int(os.path.basename(logs[0])[3:8], 16)
    assert archived() == [g for g in before if g >= first]                           # [oldest, checkpoint) gone
    assert lib.JetEndExternalBackupInstance2(inst, Normal) == 0


# ---- End ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("grbit", [0, Normal | Abort, TruncateDone, Normal | Abort | TruncateDone, 0x200])
def test_end_needs_exactly_one_of_normal_and_abort(ese, jet, lib, grbit):
    inst = jet.backup()
    assert lib.JetEndExternalBackupInstance2(inst, grbit) == JET_errInvalidParameter
    assert attach_info(lib, inst)[0] == 0                                             # the backup stays open
    assert lib.JetBeginExternalBackupInstance(second_instance(jet), 0) == JET_errBackupInProgress
    assert lib.JetEndExternalBackupInstance2(inst, Normal) == 0
    assert lib.JetEndExternalBackupInstance2(inst, Normal) == JET_errNoBackup


def test_end_without_a_backup(ese, jet, lib):
    inst = jet.create()
    assert lib.JetEndExternalBackupInstance2(inst, Normal) == JET_errNoBackup
    assert lib.JetEndExternalBackupInstance(inst) == JET_errNoBackup
    assert lib.JetEndExternalBackupInstance2(inst, 0) == JET_errInvalidParameter    # grbit checked first


def test_end_normal_in_the_database_phase_is_an_abort(ese, jet, lib, buf):
    inst = jet.backup()
    copy(lib, inst, r"C:\ESE\ese.edb", buf[0])
    assert lib.JetEndExternalBackupInstance(inst) == 0                                 # = Normal, succeeds
    assert lib.JetBeginExternalBackupInstance(inst, 0x1) == JET_errMissingFullBackup   # nothing recorded


def test_end_truncate_done_records_a_full_backup(ese, jet, lib, buf):
    inst = jet.backup()
    copy(lib, inst, r"C:\ESE\ese.edb", buf[0])
    for log in log_info(lib, inst)[1]:
        copy(lib, inst, log, buf[0])
    assert lib.JetEndExternalBackupInstance2(inst, Normal | TruncateDone) == 0
    assert lib.JetBeginExternalBackupInstance(inst, 0x1) == 0


def test_end_with_no_header_update_records_nothing(ese, jet, lib, buf):
    inst = jet.backup()
    copy(lib, inst, r"C:\ESE\ese.edb", buf[0])
    for log in log_info(lib, inst)[1]:
        copy(lib, inst, log, buf[0])
    assert lib.JetTruncateLogInstance(inst) == 0
    assert lib.JetEndExternalBackupInstance2(inst, Normal | 0x200) == 0
    assert lib.JetBeginExternalBackupInstance(inst, 0x1) == JET_errMissingFullBackup


# ---- Stop and Term ------------------------------------------------------------------------------

def test_stop_backup_fails_the_later_calls_until_end(ese, jet, lib, buf):
    inst = jet.backup()
    database = attach_info(lib, inst)[1][0]
    assert lib.JetStopBackupInstance(inst) == 0
    assert open_file(lib, inst, database)[0] == JET_errBackupAbortByServer
    assert read(lib, inst, buf[0], 3 * PAGE)[0] == JET_errBackupAbortByServer
    assert lib.JetTruncateLogInstance(inst) == JET_errBackupAbortByServer
    assert open_file(lib, inst, database)[0] == JET_errBackupAbortByServer          # still -801
    assert lib.JetEndExternalBackupInstance2(inst, Normal) == 0                      # End still works
    assert lib.JetBeginExternalBackupInstance(inst, 0) == 0                          # and a new one begins
    assert attach_info(lib, inst)[0] == 0


def test_stop_backup_list_calls_get_801_until_end(ese, jet, lib):
    # Contract: after JetStopBackupInstance every call gets -801 until End, and End succeeds (as in
    # ESE, whose list calls return -801 before anything: backup.cxx ErrBKGetAttachInfo,
    # ErrBKIPrepareLogInfo). A list call's -801 must not turn the stopped backup into an aborted one.
    inst = jet.create()
    got = {}
    for function in ("JetGetAttachInfoInstanceW", "JetGetLogInfoInstanceW", "JetGetTruncateLogInfoInstanceW"):
        assert lib.JetBeginExternalBackupInstance(inst, 0) == 0
        assert lib.JetStopBackupInstance(inst) == 0
        cb = _lib.UINT32(SENTINEL)
        fn = getattr(lib, function)
        got[function] = [fn(inst, None, 0, byref(cb)), fn(inst, None, 0, byref(cb)),
                         open_file(lib, inst, r"C:\ESE\ese.edb")[0], lib.JetEndExternalBackupInstance2(inst, Normal)]
        lib.JetEndExternalBackupInstance2(inst, Abort)
        assert cb.value == SENTINEL
    expected = [JET_errBackupAbortByServer, JET_errBackupAbortByServer, JET_errBackupAbortByServer, 0]
    assert got == {function: expected for function in got}


def test_stop_backup_arguments(ese, jet, lib):
    inst = jet.create(init=False)
    assert lib.JetStopBackupInstance(inst) == JET_errInvalidParameter                 # not initialized
    assert lib.JetInit(byref(_lib.JET_INSTANCE(inst))) == 0
    assert lib.JetStopBackupInstance(inst) == 0                                       # no backup: fine
    assert lib.JetBeginExternalBackupInstance(inst, 0) == 0                           # nothing left stopped
    assert attach_info(lib, inst)[0] == 0


def test_stopping_the_server_stops_the_backup(ese, jet, lib):
    inst = jet.backup()
    servers.stop("ESE01")
    assert open_file(lib, inst, r"C:\ESE\ese.edb")[0] == JET_errBackupAbortByServer
    assert lib.JetEndExternalBackupInstance2(inst, Normal) == 0


def test_term_refuses_a_running_backup_unless_it_stops_it(ese, jet, lib):
    inst = jet.backup()
    assert lib.JetTerm(inst) == JET_errBackupInProgress
    assert lib.JetTerm2(inst, 0x1) == JET_errBackupInProgress                        # Complete is no stop
    assert attach_info(lib, inst)[0] == 0                                             # the instance stays
    assert lib.JetTerm2(inst, 0x4) == 0
    assert attach_info(lib, inst)[0] == JET_errInvalidParameter                       # the handle is dead
    assert lib.JetEndExternalBackupInstance2(inst, Normal) == JET_errInvalidParameter
    assert lib.JetTerm(inst) == JET_errInvalidParameter
    assert lib.JetBeginExternalBackupInstance(second_instance(jet), 0) == 0           # the backup was stopped


def test_term_stop_backup_frees_the_server_for_another_instance(ese, jet, lib):
    inst = jet.backup()
    with esent.Instance("agent") as other:                  # bound by its log folder
        other.set_parameter(esent.JET_paramLogFilePath, servers.resolve_path("ESE01", r"C:\ESE\logs"))
        other.init()
        with pytest.raises(JetError) as e:
            other.external_backup()
        assert (e.value.name, e.value.value) == ("JET_errBackupInProgress", JET_errBackupInProgress)
        assert lib.JetTerm2(inst, 0x4) == 0
        with other.external_backup() as b:
            assert b.attach_info() == [servers.resolve_path("ESE01", r"C:\ESE\ese.edb")]


def test_term_of_an_instance_never_initialized(ese, jet, lib):
    inst = jet.create(init=False)
    assert lib.JetTerm(inst) == 0
    assert lib.JetTerm(inst) == JET_errInvalidParameter


# ---- the face ------------------------------------------------------------------------------------

def test_face_raises_jet_errors_and_aborts_on_exceptions(ese):
    with esent.Instance("ESE01") as inst:
        inst.init()
        with pytest.raises(RuntimeError):
            with inst.external_backup() as b:
                raise RuntimeError("agent failed")
        assert b.ended                                                               # ended with Abort
        with inst.external_backup() as b:
            with pytest.raises(JetError) as e:
                b.truncate()
            assert (e.value.name, e.value.value, e.value.function) == (
                "JET_errInvalidBackupSequence", -521, "JetTruncateLogInstance")
            with pytest.raises(JetError) as e:
                b.end(grbit=Normal | Abort)
            assert e.value.value == JET_errInvalidParameter
        with pytest.raises(JetError) as e:
            inst.external_backup(grbit=0x4)
        assert e.value.name == "JET_errInvalidGrbit"
        with inst.external_backup() as b:
            database = b.attach_info()[0]
            b.stop()
            with pytest.raises(JetError) as e:
                b.copy(database, to=os.devnull)
            assert e.value.name == "JET_errBackupAbortByServer" and b.file is None
        inst.term()
        assert not inst.alive
