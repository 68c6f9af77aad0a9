"""WINBACKUP_STRICT=1 (docs/TRACING.md): each misuse is reported, naming the function, through
WbReportA and on stderr at exit; nothing when the program is clean or strict mode is off."""
import re

from tracing import run_child

STRICT = {"WINBACKUP_STRICT": "1"}


def strict_lines(stderr):
    return [l[len("winbackup strict: "):] for l in stderr.splitlines() if l.startswith("winbackup strict: ")]


def check(body, expected):
    """Runs body in strict mode; a line matching `expected` must be in WbReportA's text (the child
    prints it after "HR <result>") and among the lines on stderr at exit."""
    done = run_child(body + "\nhr, text = report()\nprint('HR', hr)\nprint(text, end='')\n", STRICT)
    assert done.stdout.startswith("HR 0\n"), done.stdout
    on_demand = done.stdout.splitlines()[1:]
    at_exit = strict_lines(done.stderr)
    assert any(re.search(expected, l) for l in on_demand), on_demand
    assert any(re.search(expected, l) for l in at_exit), done.stderr
    return at_exit


def test_a_session_never_ended(dc):
    check("hbc = prepare()", r"^session never ended: DsBackupPrepareW returned 0x42[0-9A-F]+; call DsBackupEnd$")


def test_a_file_never_closed_before_the_end(dc):
    check("""
hbc = prepare()
size = ctypes.c_int64()
assert lib.DsBackupOpenFileW(hbc, _lib.wstr(database(hbc)), 65536, ctypes.byref(size)) == 0
assert lib.DsBackupEnd(hbc) == 0
""", r"^file never closed: .*ntds\.dit opened by DsBackupOpenFileW, backup ended by DsBackupEnd")


def test_a_file_still_open_at_exit(dc):
    check("""
hbc = prepare()
size = ctypes.c_int64()
assert lib.DsBackupOpenFileW(hbc, _lib.wstr(database(hbc)), 65536, ctypes.byref(size)) == 0
""", r"^file never closed: .*ntds\.dit opened by DsBackupOpenFileW \(session 0x42")


def test_a_buffer_never_freed(dc):
    check("""
hbc = prepare()
names, cb = ctypes.POINTER(_lib.WCHAR)(), DWORD(0)
assert lib.DsBackupGetDatabaseNamesW(hbc, ctypes.byref(names), ctypes.byref(cb)) == 0
lib.DsBackupEnd(hbc)
""", r"^buffer never freed: DsBackupGetDatabaseNamesW returned 0x[0-9A-F]+ \(\d+ bytes\); call DsBackupFree$")


def test_a_handle_used_after_its_end(dc):
    check("""
hbc = prepare()
assert lib.DsBackupEnd(hbc) == 0
lib.DsBackupClose(hbc)
""", r"^handle used after its End: DsBackupClose\(hbc=0x42[0-9A-F]+\) after DsBackupEnd$")


def test_a_call_out_of_order(dc):
    check("""
hbc = prepare()
got, buf = DWORD(0), ctypes.create_string_buffer(65536)
lib.DsBackupRead(hbc, buf, 65536, ctypes.byref(got))
lib.DsBackupEnd(hbc)
""", r"^call out of order: DsBackupRead returned hrInvalidHandle \(session 0x42")


def test_a_jet_backup_and_instance_never_ended(ese):
    lines = check("""
inst = ctypes.c_size_t(0)
assert lib.JetCreateInstanceA(ctypes.byref(inst), b"ESE01") == 0
assert lib.JetInit(ctypes.byref(inst)) == 0
assert lib.JetBeginExternalBackupInstance(inst, 0) == 0
""", r"^session never ended: JetCreateInstanceA returned 0x4A[0-9A-F]+; call JetTerm$")
    assert any(l.startswith("Jet backup still running: instance 0x4A") for l in lines)


def test_a_clean_backup_reports_nothing(dc):
    done = run_child("""
hbc = prepare()
name = database(hbc)
size = ctypes.c_int64()
assert lib.DsBackupOpenFileW(hbc, _lib.wstr(name), 65536, ctypes.byref(size)) == 0
assert lib.DsBackupClose(hbc) == 0
assert lib.DsBackupEnd(hbc) == 0
hr, text = report()
print(hr, repr(text))
""", STRICT)
    assert done.stdout.strip() == "0 ''"
    assert done.stderr == ""


def test_strict_off_reports_nothing_and_says_so(dc):
    done = run_child("""
hbc = prepare()
hr, text = report()
print(hr, repr(text))
""")
    assert done.stdout.strip() == "1 ''"     # S_FALSE
    assert done.stderr == ""


def test_a_misuse_in_a_loop_is_one_line_with_a_count(dc):
    lines = check("""
hbc = prepare()
got, buf = DWORD(0), ctypes.create_string_buffer(65536)
for _ in range(5):
    lib.DsBackupRead(hbc, buf, 65536, ctypes.byref(got))
lib.DsBackupEnd(hbc)
""", r"^call out of order: DsBackupRead returned hrInvalidHandle \(session 0x42[0-9A-F]+\) \(5 times\)$")
    assert len(lines) == 1
