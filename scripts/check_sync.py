#!/usr/bin/env python3
"""Keeps the things that must agree in step, and fails when they do not:

  1. the @c exports of Sources/WinBackup  ==  the names exports/winbackup.map exports
  2. every export is declared in a header of include/ (a bare Jet name by its A function), and
     every prototype there is exported, except the functions of a later issue listed in PENDING
  3. the sources SwiftPM builds (Sources/**/*.swift, *.c)  ==  the sources CMakeLists.txt lists
  4. the C++ tests and examples on disk  ==  those CMakeLists.txt lists

  scripts/check_sync.py          check (exit 1 on drift)
  scripts/check_sync.py --fix    rewrite exports/winbackup.map from the sources
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Declared in the headers, implemented by a later issue (docs/DEVIATIONS.md says which).
PENDING = set()


def exports_in_sources():
    names = []
    for f in sorted((ROOT / "Sources/WinBackup").rglob("*.swift")):
        names += re.findall(r"@c\((\w+)\)", f.read_text())
    return names


def exports_in_map():
    text = (ROOT / "exports/winbackup.map").read_text()
    body = text.split("global:")[1].split("local:")[0]
    return re.findall(r"(\w+);", body)


def write_map(names):
    lines = ["/* The C API of libwinbackup.so: every other symbol is local. Generated from the @c",
             "   exports by scripts/check_sync.py --fix; lld fails the link if a name here does not exist. */",
             "{", "  global:"]
    lines += [f"    {n};" for n in sorted(names)]
    lines += ["  local:", "    *;", "};", ""]
    (ROOT / "exports/winbackup.map").write_text("\n".join(lines))


def declared_in_headers():
    names = set()
    api = re.compile(r"\b(?:NTDSBCLI_API|WB_API|CERTBCLI_API|JET_API)\b")
    for h in (ROOT / "include").glob("*.h"):
        for line in h.read_text().splitlines():
            if api.search(line) and not line.lstrip().startswith(("#", "typedef")):
                m = re.search(r"(\w+)\s*\(", line)
                if m:
                    names.add(m.group(1))
    return names


def cmake_lists():
    files = [ROOT / "CMakeLists.txt"] + list(ROOT.glob("*/CMakeLists.txt")) + list(ROOT.glob("Tests/**/*.cmake"))
    text = "\n".join(f.read_text() for f in files)
    return set(re.findall(r"((?:Sources|Tests|examples)/[\w/.+-]+\.(?:swift|cpp|c))\b", text))


def main():
    fix = "--fix" in sys.argv
    problems = []
    src = exports_in_sources()
    dupes = {n for n in src if src.count(n) > 1}
    if dupes:
        problems.append(f"exported twice: {sorted(dupes)}")
    if sorted(set(src)) != sorted(exports_in_map()):
        if fix:
            write_map(set(src))
            print("rewrote exports/winbackup.map")
        else:
            missing = set(src) - set(exports_in_map())
            extra = set(exports_in_map()) - set(src)
            problems.append(f"exports/winbackup.map differs from the @c exports: not in the map {sorted(missing)}, "
                            f"not exported {sorted(extra)} (run scripts/check_sync.py --fix)")
    declared = declared_in_headers()
    # esent.dll's Windows 2000 names (JetOpenFileInstance) are exported for GetProcAddress
    # users; the header maps those names to the A functions, which it declares.
    undeclared = {n for n in set(src) - declared if n + "A" not in declared}
    if undeclared:
        problems.append(f"exported but declared in no header: {sorted(undeclared)}")
    unexported = declared - set(src) - PENDING
    if unexported:
        problems.append(f"declared in a header but not exported: {sorted(unexported)}")

    on_disk = set()
    for pattern in ("Sources/**/*.swift", "Sources/**/*.c", "Tests/conformance/**/*.cpp", "Tests/headers/*.c*",
                    "Tests/bench/*.c", "Tests/fuzz/*.cpp", "Tests/stress/*.cpp", "examples/**/*.c"):
        on_disk |= {str(p.relative_to(ROOT)) for p in ROOT.glob(pattern)}
    listed = cmake_lists()
    # Swift Testing sources are built by SwiftPM only.
    on_disk = {p for p in on_disk if not p.startswith("Tests/BackupEngineTests/")}
    on_disk.discard("Tests/headers/load_check.c")  # compiled by scripts/test-all.sh against the SwiftPM build
    if on_disk - listed:
        problems.append(f"on disk but not in CMakeLists.txt: {sorted(on_disk - listed)}")
    if listed - on_disk:
        problems.append(f"in CMakeLists.txt but not on disk: {sorted(listed - on_disk)}")

    for p in problems:
        print("check_sync:", p, file=sys.stderr)
    if not problems:
        print(f"check_sync: {len(set(src))} exports, {len(listed)} CMake sources: in step")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
