"""A real ESE database copied into a store streams and verifies (the AD backup issue): the
sample databases of dissect.esedb, fetched by scripts/fetch-ese-samples.sh, replace ntds.dit
of an emulated DC and are backed up through DsBackup*. What must hold, as ESE streams them:
two header pages (the file's header with bkinfoFullCur filled in), the database's pages as they
are in the file, up to the last page its space tree owns, then a trailer page."""

import os
import shutil
import struct
from pathlib import Path

import pytest

from winbackup import ntds, servers

SAMPLES = Path(os.environ.get("WINBACKUP_ESE_SAMPLES", Path(__file__).resolve().parents[2] / ".cache" / "ese-samples"))

# file -> (page size, last page the database owns); from the file sizes and, for the two whose
# files run past their database, the OwnExt trees (reference/ESE-FORMAT.md §4.2-4.3).
DATABASES = {
    "basic.edb": (4096, 254),
    "index.edb": (4096, 254),
    "Current.mdb": (4096, 254),
    "SRUDB.dat": (4096, 142),     # 16 pages of stale disk content after the owned space
    "large.edb": (32768, 510),    # 32 KiB pages; the file holds 766
    "Windows.edb": (32768, 1022), # dirty shutdown
}


def legacy_xor(page):
    words = struct.unpack_from("<%dI" % (len(page) // 4), page)
    x = 0x89ABCDEF
    for w in words[1:]:
        x ^= w
    return x


@pytest.mark.parametrize("name", sorted(DATABASES))
def test_real_database_streams_page_by_page(name, tmp_path):
    sample = SAMPLES / name
    if not sample.exists():
        pytest.skip(f"no ESE samples in {SAMPLES} (scripts/fetch-ese-samples.sh)")
    page_size, last = DATABASES[name]
    servers.create("REAL", role="ntds", db_size="1M", logs=1, log_size="64K")
    dit = Path(servers.resolve_path("REAL", "C:\\Windows\\NTDS\\ntds.dit"))
    shutil.copyfile(sample, dit)
    source = sample.read_bytes()

    out = tmp_path / "ntds.dit"
    with ntds.backup("REAL") as b:
        [database] = b.databases()
        size = b.copy(database, to=str(out), buffer_size=1 << 20)
    stream = out.read_bytes()

    assert size == (last + 3) * page_size
    header, shadow = stream[:page_size], stream[page_size:2 * page_size]
    assert header == shadow
    assert struct.unpack_from("<I", header, 0)[0] == legacy_xor(header)         # the header checksum
    assert struct.unpack_from("<I", header, 4)[0] == 0x89ABCDEF
    assert header[4:184] == source[4:184] and header[208:page_size] == source[208:page_size]
    assert struct.unpack_from("<I", header, 184 + 16)[0] > 0                      # bkinfoFullCur.genLow
    for pgno in range(1, last + 1):
        at = (pgno + 1) * page_size
        assert stream[at:at + page_size] == source[at:at + page_size], f"page {pgno}"
    trailer = stream[-page_size:]
    assert struct.unpack_from("<I", trailer, 0)[0] == legacy_xor(trailer)
    assert trailer[64:92] == header[24:52]                                        # signDb
