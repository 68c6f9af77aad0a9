#!/usr/bin/env python3
"""Writes the hand-made seeds of Tests/fuzz/corpus: complete call sequences in fuzz_cabi.cpp's
encoding (one byte per call, then one byte per choice), so the fuzzer starts from backups that get
to the end. The other seeds in the folder are inputs a fuzzing run found (libFuzzer -merge)."""
import pathlib

out = pathlib.Path(__file__).parent / "corpus"
H = [1, 0]  # a live handle of the kind the call wants: pick(8)=1, first one


def ds_full(wide=0):
    s = [0x01, wide, 1, 1, 1, 1, 1, 1, 2 + (1 if wide else 0) * 1, 3 if wide else 0, 0]
    if wide:
        s = [0x01, 1, 1, 1, 1, 1, 1, 1, 3, 0, 1]      # W: wideArg class 3 -> "DC01", no surrogate
    s += [0x02, wide] + H + [1, 1, 1]               # GetDatabaseNames
    s += [0x03, wide] + H + [1, 1] + ([3, 3, 1, 1] if wide else [2, 3, 1])   # OpenFile(the name without BFT)
    s += [0x04, 0] + H + [1, 5, 1, 1] * 1
    s += ([0x04, 0] + H + [1, 5, 1, 1]) * 19        # Read 64 KiB at a time
    s += [0x05, 0] + H                              # Close
    s += [0x06, wide] + H + [1, 1, 1]               # GetBackupLogs
    s += [0x07, 0] + H                              # TruncateLogs (refused: logs not read)
    s += [0x08, 0] + H                              # End
    return bytes(s)


def cs_full():
    s = [0x41, 1, 1, 1, 0, 1, 3, 0, 1]              # BackupPrepareW(CA01, full)
    s += [0x42] + H + [1, 1]                        # GetDatabaseNames
    s += [0x43] + H + [1, 1]                        # GetDynamicFileList
    s += [0x44] + H + [1, 1, 3, 3, 1, 1]            # OpenFile
    s += ([0x45] + H + [1, 3, 1, 1]) * 6            # Read 256 KiB at a time
    s += [0x46] + H                                 # Close
    s += [0x47] + H + [1, 1]                        # GetBackupLogs
    s += [0x48] + H                                 # TruncateLogs
    s += [0x49] + H                                 # End
    return bytes(s)


def jet_full():
    s = [0x80, 0, 1, 0, 2, 0]                       # JetCreateInstanceA(ESE01)
    s += [0x83, 0, 1, 1, 0, 1]                      # JetInit
    s += [0x85, 0, 1, 0, 1, 1, 0]                   # JetBeginExternalBackupInstance(0)
    s += [0x86, 0, 1, 1, 0, 1, 1, 1]                # JetGetAttachInfoInstanceA
    s += [0x87, 0, 1, 1, 0, 1, 1, 1, 2, 3, 0]       # JetOpenFileInstanceA(the database)
    s += ([0x88, 0, 1, 1, 0, 1, 1, 7, 1, 1, 1]) * 20   # JetReadFileInstance 64 KiB
    s += [0x8B, 0, 1, 1, 0, 1]                      # JetCloseFileInstance
    s += [0x89, 0, 1, 1, 0, 1, 1, 1, 1]             # JetGetLogInfoInstanceA
    s += [0x8C, 0, 1, 1, 0]                         # JetTruncateLogInstance
    s += [0x8E, 0, 1, 1, 0, 1, 1, 0]                # JetEndExternalBackupInstance2
    s += [0x84, 0, 1, 0, 1]                         # JetTerm
    return bytes(s)


def wb_misc():
    s = [0xC0, 1, 0, 1, 1, 1, 1, 2, 2, 1, 0]        # WbResolvePath
    s += [0xC1, 0, 1, 1]                            # WbStopServerA(DC01)
    s += [0xC1, 0, 1, 0]                            # WbStartServerA(DC01)
    s += [0xC2, 2, 1, 3]                            # WbWriteServerA(ESE01, 3)
    s += [0xC5, 0, 1, 1, 1, 1]                      # WbGetContentDigestA
    s += [0xC8, 0, 1]                               # versions
    return bytes(s)


seeds = {"ds-full-a": ds_full(0), "ds-full-w": ds_full(1), "certsrv-full": cs_full(), "jet-full": jet_full(),
         "wb-misc": wb_misc(), "all-families": ds_full(0)[:40] + cs_full()[:30] + jet_full()[:40] + wb_misc()}
out.mkdir(exist_ok=True)
for name, data in seeds.items():
    (out / f"seed-{name}").write_bytes(data)
print(f"{len(seeds)} seeds in {out}")
