"""ESENT through ManagedEsent's eyes (API-FACTS.md §5.6): the exports its P/Invoke imports, with
ExactSpelling (the W ones, or the bare Windows 2000 names without Unicode support), the W lists in
maxChars * 2 bytes with actualChars = pcbActual / 2, reads through a page-aligned temporary buffer
copied out; and the bytes that sequence gets, against the server's files (docs/CONTRACT-ESENT.md)."""

import ctypes
import mmap
import os
from ctypes import byref

import pytest

from winbackup import _lib, esent, servers

PAGE = 8192
JET_bitBackupEndNormal, JET_bitBackupEndAbort = 0x1, 0x2


class EsentErrorException(Exception):
    def __init__(self, err):
        super().__init__(err)
        self.err = err


class ManagedEsent:
    """ManagedEsent's Api.* over the library: NativeMethods' entry points, JetApi.cs's conversions.
    unicode=True is Capabilities.SupportsUnicodePaths (the W imports); False the bare A names."""

    def __init__(self, unicode=True):
        self.lib, self.unicode = _lib.load(), unicode
        self.called = []                                   # the entry points, in order

    def native(self, name):
        self.called.append(name)
        return getattr(self.lib, name)

    @staticmethod
    def check(err):
        if err < 0:
            raise EsentErrorException(err)
        return err

    def string(self, text):
        return _lib.wstr(text) if self.unicode else text.encode()

    # -- Api.* ------------------------------------------------------------------------------------
    def JetCreateInstance(self, name):
        instance = _lib.JET_INSTANCE(0)
        self.check(self.native("JetCreateInstanceW" if self.unicode else "JetCreateInstance")(
            byref(instance), self.string(name)))
        return instance.value

    def JetInit(self, instance):
        ref = _lib.JET_INSTANCE(instance)
        self.check(self.native("JetInit")(byref(ref)))
        return ref.value

    def JetBeginExternalBackupInstance(self, instance, grbit):
        self.check(self.native("JetBeginExternalBackupInstance")(instance, grbit))

    def _files(self, name, instance, max_chars):
        """JetGetAttachInfoInstance / JetGetLogInfoInstance: (files, actualChars)."""
        if max_chars < 0:
            raise ValueError("maxChars")
        actual = _lib.UINT32(0)
        if self.unicode:
            szz = (ctypes.c_uint8 * (max_chars * 2))()
            self.check(self.native(name + "W")(instance, ctypes.cast(szz, _lib.LPWSTR), max_chars * 2, byref(actual)))
            files = bytes(szz)[:min(len(szz), actual.value)].decode("utf-16-le")
            return files, actual.value // 2
        szz = ctypes.create_string_buffer(max_chars)
        self.check(self.native(name)(instance, szz, max_chars, byref(actual)))
        return szz.raw[:min(max_chars, actual.value)].decode(), actual.value

    def JetGetAttachInfoInstance(self, instance, max_chars):
        return self._files("JetGetAttachInfoInstance", instance, max_chars)

    def JetGetLogInfoInstance(self, instance, max_chars):
        return self._files("JetGetLogInfoInstance", instance, max_chars)

    def JetGetTruncateLogInfoInstance(self, instance, max_chars):
        return self._files("JetGetTruncateLogInfoInstance", instance, max_chars)

    def JetOpenFileInstance(self, instance, file):
        handle, low, high = _lib.JET_HANDLE(0xBAD), _lib.UINT32(0), _lib.UINT32(0)
        name = "JetOpenFileInstanceW" if self.unicode else "JetOpenFileInstance"
        self.check(self.native(name)(instance, self.string(file), byref(handle), byref(low), byref(high)))
        return handle.value, low.value, high.value

    def JetReadFileInstance(self, instance, handle, buffer, buffer_size):
        """VirtualAlloc'ed (page-aligned) temporary buffer, the native read, bytesRead copied out."""
        assert buffer_size <= len(buffer)
        temp = mmap.mmap(-1, buffer_size)
        try:
            view = (ctypes.c_char * buffer_size).from_buffer(temp)
            read = _lib.UINT32(0)
            err = self.native("JetReadFileInstance")(instance, handle, ctypes.addressof(view), buffer_size, byref(read))
            del view
            self.check(err)
            buffer[:read.value] = temp[:read.value]
            return read.value
        finally:
            temp.close()

    def JetCloseFileInstance(self, instance, handle):
        self.check(self.native("JetCloseFileInstance")(instance, handle))

    def JetTruncateLogInstance(self, instance):
        self.check(self.native("JetTruncateLogInstance")(instance))

    def JetEndExternalBackupInstance2(self, instance, grbit):
        self.check(self.native("JetEndExternalBackupInstance2")(instance, grbit))

    def JetTerm(self, instance):
        self.check(self.native("JetTerm")(instance))


def copy_file(api, instance, name, buffer_size=16 * PAGE):
    """A backup agent's loop: open, read until 0 bytes, close. The bytes and the announced size."""
    handle, low, high = api.JetOpenFileInstance(instance, name)
    assert handle == 0                                      # ESE's first (and only) file handle
    buffer, data = bytearray(buffer_size), bytearray()
    while n := api.JetReadFileInstance(instance, handle, buffer, buffer_size):
        data += buffer[:n]
    api.JetCloseFileInstance(instance, handle)
    return bytes(data), high << 32 | low


@pytest.mark.parametrize("unicode", [True, False], ids=["W", "bare"])
def test_managed_esent_backup_sequence(ese, unicode):
    api = ManagedEsent(unicode)
    instance = api.JetCreateInstance("ESE01")
    assert instance not in (0, esent.JET_instanceNil)
    try:
        assert api.JetInit(instance) == instance
        api.JetBeginExternalBackupInstance(instance, 0)

        files, actual = api.JetGetAttachInfoInstance(instance, 1024)
        databases = [f for f in files.split("\0") if f]
        database = servers.resolve_path("ESE01", r"C:\ESE\ese.edb")
        assert databases == [database]
        assert files == database + "\0\0" and actual == len(database) + 2

        on_disk = open(database, "rb").read()
        stream, size = copy_file(api, instance, database)
        pages = len(on_disk) // PAGE - 2                     # the file: 2 header pages, then pages 1..pgnoLast
        assert size == len(stream) == (pages + 3) * PAGE
        assert stream[:PAGE] == stream[PAGE:2 * PAGE]        # two copies of the header snapshot
        assert stream[2 * PAGE:-PAGE] == on_disk[2 * PAGE:]  # the pages, in order; then the trailer

        files, actual = api.JetGetLogInfoInstance(instance, 1024)
        logs = [f for f in files.split("\0") if f]
        assert logs and actual == len(files)                 # with a buffer: what was copied
        for log in logs:
            data, size = copy_file(api, instance, log)
            assert data == open(log, "rb").read() and size == len(data)

        files, _ = api.JetGetTruncateLogInfoInstance(instance, 1024)
        doomed = [f for f in files.split("\0") if f]
        api.JetTruncateLogInstance(instance)
        assert doomed and not any(os.path.exists(f) for f in doomed)
        assert all(os.path.exists(f) for f in logs)          # the copied range stays (checkpoint)
        api.JetEndExternalBackupInstance2(instance, JET_bitBackupEndNormal)

        # The normal end recorded a full backup: an incremental one may begin now.
        api.JetBeginExternalBackupInstance(instance, 0x1)
        api.JetEndExternalBackupInstance2(instance, JET_bitBackupEndAbort)
    finally:
        api.JetTerm(instance)
    expected = {"JetCreateInstanceW" if unicode else "JetCreateInstance", "JetInit",
                "JetBeginExternalBackupInstance", "JetReadFileInstance", "JetCloseFileInstance",
                "JetTruncateLogInstance", "JetEndExternalBackupInstance2", "JetTerm"}
    for name in ("JetGetAttachInfoInstance", "JetGetLogInfoInstance", "JetOpenFileInstance"):
        expected.add(name + "W" if unicode else name)
    assert expected <= set(api.called)


def test_managed_esent_lists_truncated_to_max_chars(ese, jet):
    # GetAttachInfo: pcbActual is the full size (actualChars > maxChars); GetLogInfo: what was copied.
    api = ManagedEsent()
    instance = jet.backup()
    full, actual = api.JetGetAttachInfoInstance(instance, 1024)
    short, short_actual = api.JetGetAttachInfoInstance(instance, 10)
    assert short_actual == actual == len(full) and short == full[:10]
    full, actual = api.JetGetLogInfoInstance(instance, 1024)
    short, short_actual = api.JetGetLogInfoInstance(instance, 10)
    assert actual == len(full) and short_actual == 10 and short == full[:10]
    assert api.JetGetLogInfoInstance(instance, 0) == ("", 0)
    with pytest.raises(ValueError):
        api.JetGetAttachInfoInstance(instance, -1)


def test_managed_esent_reads_into_any_page_aligned_buffer(ese, jet):
    # JetApi.cs reads bufferSize bytes through a fresh VirtualAlloc buffer each time: sizes may vary.
    api = ManagedEsent()
    instance = jet.backup()
    database = api.JetGetAttachInfoInstance(instance, 1024)[0].split("\0")[0]
    handle, low, high = api.JetOpenFileInstance(instance, database)
    buffer, data = bytearray(64 * PAGE), bytearray()
    for size in [3 * PAGE, PAGE, 64 * PAGE, 5 * PAGE] * 1000:
        n = api.JetReadFileInstance(instance, handle, buffer, size)
        if n == 0:
            break
        assert n <= size
        data += buffer[:n]
    assert len(data) == low and api.JetReadFileInstance(instance, handle, buffer, PAGE) == 0   # after the end: 0
    api.JetCloseFileInstance(instance, handle)


def test_face_backup_and_copy(ese, tmp_path):
    # winbackup.esent: the same sequence through the Python face.
    folder = tmp_path / "bk"
    folder.mkdir()
    with esent.Instance("ESE01") as inst:
        inst.init()
        with inst.external_backup() as b:
            databases = b.attach_info()
            sizes = [b.copy(db, to=folder, pages=7) for db in databases]
            logs, info = b.log_info2()
            assert logs == b.log_info()                       # later calls: the same list
            for log in logs:
                b.copy(log, to=folder)
            b.truncate()
        assert b.ended
    assert sizes == [os.path.getsize(folder / "ese.edb")] == [os.path.getsize(databases[0]) + PAGE]
    assert info.base_name == "edb" and [os.path.basename(f) for f in logs] == [
        f"edb{g:05X}.log" for g in range(info.gen_low, info.gen_high + 1)]
    assert sorted(os.listdir(folder)) == sorted(["ese.edb"] + [os.path.basename(f) for f in logs])
