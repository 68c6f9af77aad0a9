"""WINBACKUP_TRACE (docs/TRACING.md): one JSON line per exported call, parsed back with json."""
import json
import re
import subprocess
import os

from tracing import REPO, read_trace, run_child


def test_a_backup_is_traced_call_by_call_with_decoded_arguments(dc, tmp_path):
    trace = tmp_path / "trace.jsonl"
    run_child("""
        hbc = prepare()
        name = database(hbc)
        size = ctypes.c_int64()
        assert lib.DsBackupOpenFileW(hbc, _lib.wstr(name), 65536, ctypes.byref(size)) == 0
        buf, got = ctypes.create_string_buffer(65536), DWORD(0)
        while lib.DsBackupRead(hbc, buf, 65536, ctypes.byref(got)) == 0:
            pass
        assert lib.DsBackupClose(hbc) == 0
        assert lib.DsBackupEnd(hbc) == 0
    """, {"WINBACKUP_TRACE": str(trace)})
    lines = read_trace(trace)
    fns = [l["fn"] for l in lines]
    assert fns[:5] == ["DsBackupPrepareW", "DsBackupFree", "DsBackupGetDatabaseNamesW", "DsBackupFree", "DsBackupOpenFileW"]
    assert fns[-2:] == ["DsBackupClose", "DsBackupEnd"]
    for l in lines:
        assert set(l) == {"t", "pid", "tid", "fn", "args", "result", "us"}
        assert isinstance(l["t"], float) and l["us"] >= 0
    prep = lines[0]
    assert prep["args"]["szBackupServer"] == "DC01"
    assert prep["args"]["btFlag"] == "0x1"
    hbc = prep["args"]["phbc"]
    assert re.fullmatch(r"0x42[0-9A-F]{14}", hbc)
    assert prep["result"] == {"name": "S_OK", "value": 0, "hex": "0x0"}
    opened = lines[4]
    assert opened["args"]["hbc"] == hbc
    assert opened["args"]["szAttachmentName"] == "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit"
    assert opened["args"]["cbReadHintSize"] == 65536
    assert opened["args"]["pliFileSize"] > 0
    eof = [l for l in lines if l["fn"] == "DsBackupRead"][-1]
    assert eof["result"] == {"name": "ERROR_HANDLE_EOF", "value": 38, "hex": "0x26"}
    assert "pcbRead" not in eof["args"]      # outputs only when the call succeeded
    assert eof["args"]["cbBuffer"] == 65536


def test_results_are_named_as_the_headers_name_them(dc, tmp_path):
    trace = tmp_path / "trace.jsonl"
    run_child("""
        hbc = prepare()
        got = DWORD(0)
        buf = ctypes.create_string_buffer(65536)
        lib.DsBackupRead(hbc, buf, 65536, ctypes.byref(got))              # no file open
        token, cb, second = ctypes.c_void_p(), DWORD(0), _lib.HBC()
        lib.DsBackupPrepareW(_lib.wstr("DC01"), 0, 1, ctypes.byref(token), ctypes.byref(cb), ctypes.byref(second))
        lib.DsBackupEnd(hbc)
        lib.DsBackupEnd(hbc)                                              # a dead handle
        inst = ctypes.c_size_t(0)
        lib.JetBeginExternalBackupInstance(12345, 0)
    """, {"WINBACKUP_TRACE": str(trace)})
    results = {(l["fn"], l["result"]["name"]) for l in read_trace(trace) if l["result"]}
    assert ("DsBackupRead", "hrInvalidHandle") in results
    assert ("DsBackupPrepareW", "hrBackupInProgress") in results
    assert ("DsBackupEnd", "ERROR_INVALID_PARAMETER") in results
    assert ("JetBeginExternalBackupInstance", "JET_errInvalidParameter") in results
    in_progress = next(l for l in read_trace(trace) if l["result"] and l["result"]["name"] == "hrBackupInProgress")
    assert in_progress["result"]["hex"] == "0xC80001F9" and in_progress["result"]["value"] == 0xC80001F9
    header = (REPO / "include" / "ntdsbmsg.h").read_text()
    for l in read_trace(trace):
        name = l["result"] and l["result"]["name"]
        if name and name.startswith("hr"):
            m = re.search(r"#define %s\s+\(\(HRESULT\)(0x[0-9A-F]+)\)" % name, header)
            assert m and int(m.group(1), 16) == l["result"]["value"], name


def test_strings_are_decoded_and_passwords_never_written(tmp_path):
    trace = tmp_path / "trace.jsonl"
    run_child("""
        lib.DsSetAuthIdentityW(_lib.wstr("backup"), _lib.wstr("CONTOSO"), _lib.wstr("Passw0rd!"))
        lib.DsSetAuthIdentityA(b"b\\xc3\\xa9n\\xff", None, b"secret")      # invalid UTF-8 byte 0xFF
        bad = (_lib.WCHAR * 3)(0x41, 0xD800, 0)                              # an unpaired surrogate
        online = ctypes.c_int(0)
        lib.DsIsNTDSOnlineW(bad, ctypes.byref(online))
    """, {"WINBACKUP_TRACE": str(trace)})
    text = trace.read_text()
    assert "Passw0rd" not in text and "secret" not in text
    w, a, bad = read_trace(trace)
    assert w["args"] == {"szUserName": "backup", "szDomainName": "CONTOSO", "szPassword": "***"}
    assert a["args"]["szDomainName"] is None
    assert a["args"]["szUserName"].encode("utf-8", "surrogateescape") == b"b\xc3\xa9n\xff"
    assert bad["args"]["szServerName"] == "A\ud800"


def test_forwarding_exports_are_traced_once_under_the_name_called(tmp_path):
    trace = tmp_path / "trace.jsonl"
    run_child("""
        inst = ctypes.c_size_t(0)
        assert lib.JetCreateInstance(ctypes.byref(inst), b"ESE-T") == 0
        assert lib.JetTerm(inst) == 0
        lib.WbGetVersionNumber(); lib.WbGetVersionString()
    """, {"WINBACKUP_TRACE": str(trace)})
    lines = read_trace(trace)
    assert [l["fn"] for l in lines] == ["JetCreateInstance", "JetTerm", "WbGetVersionNumber", "WbGetVersionString"]
    assert lines[0]["args"]["szInstanceName"] == "ESE-T"
    assert lines[1]["args"]["instance"] == lines[0]["args"]["pinstance"]
    assert lines[1]["result"] == {"name": "JET_errSuccess", "value": 0}
    assert lines[3]["result"] == {"value": "0.1.0"}


def test_threads_and_processes_share_a_file_by_whole_lines(dc, tmp_path):
    trace = tmp_path / "trace.jsonl"
    body = """
        import threading
        def work():
            online = ctypes.c_int(0)
            for _ in range(200):
                lib.DsIsNTDSOnlineW(_lib.wstr("DC01"), ctypes.byref(online))
        threads = [threading.Thread(target=work) for _ in range(4)]
        [t.start() for t in threads]; [t.join() for t in threads]
    """
    for _ in range(2):
        run_child(body, {"WINBACKUP_TRACE": str(trace)})
    lines = read_trace(trace)          # every line parses: nothing interleaved within a line
    assert len(lines) == 1600
    assert len({l["pid"] for l in lines}) == 2
    assert len({l["tid"] for l in lines}) >= 2


def test_an_unwritable_trace_path_is_reported_once_and_calls_still_work(dc, tmp_path):
    done = run_child("""
        online = ctypes.c_int(0)
        for _ in range(3):
            assert lib.DsIsNTDSOnlineW(_lib.wstr("DC01"), ctypes.byref(online)) == 0
        assert online.value == 1
    """, {"WINBACKUP_TRACE": str(tmp_path / "no" / "such" / "dir" / "t.jsonl")})
    assert done.stderr.count("WINBACKUP_TRACE: cannot open") == 1


def test_stderr_gets_the_lines_and_nothing_is_written_when_off(dc):
    on = run_child("""
        online = ctypes.c_int(0)
        lib.DsIsNTDSOnlineW(_lib.wstr("DC01"), ctypes.byref(online))
    """, {"WINBACKUP_TRACE": "stderr"})
    line = json.loads(on.stderr.strip())
    assert line["fn"] == "DsIsNTDSOnlineW" and line["args"] == {"szServerName": "DC01", "pfNTDSOnline": 1}
    off = run_child("""
        online = ctypes.c_int(0)
        lib.DsIsNTDSOnlineW(_lib.wstr("DC01"), ctypes.byref(online))
    """)
    assert off.stderr == ""


def test_summarize_flags_the_misordered_session_of_a_real_agent_run(dc, tmp_path, winbackupctl):
    trace = tmp_path / "trace.jsonl"
    env = dict(os.environ, WINBACKUP_TRACE=str(trace))
    subprocess.run([winbackupctl, "backup", "DC01", "--to", str(tmp_path / "bk")], env=env, check=True,
                   capture_output=True)
    clean = subprocess.run([winbackupctl, "trace", "summarize", str(trace)], capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout
    assert "DsBackupRead ×" in clean.stdout and "0 flagged" in clean.stdout
    run_child("""
        hbc = prepare()
        name = database(hbc)
        logs, cb = ctypes.POINTER(_lib.WCHAR)(), DWORD(0)
        assert lib.DsBackupGetBackupLogsW(hbc, ctypes.byref(logs), ctypes.byref(cb)) == 0
        lib.DsBackupFree(logs)
        size = ctypes.c_int64()
        lib.DsBackupOpenFileW(hbc, _lib.wstr(name), 65536, ctypes.byref(size))   # the database after the log list
        lib.DsBackupEnd(hbc)
    """, {"WINBACKUP_TRACE": str(trace)})
    done = subprocess.run([winbackupctl, "trace", "summarize", str(trace)], capture_output=True, text=True)
    assert done.returncode == 1, done.stdout
    flags = [l for l in done.stdout.splitlines() if l.strip().startswith("!")]
    assert len(flags) == 1, done.stdout
    assert "DsBackupOpenFileW" in flags[0] and "after the log list" in flags[0]
    assert "1 flagged" in done.stdout
