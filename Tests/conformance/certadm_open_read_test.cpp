// CertSrvBackupOpenFileW, CertSrvBackupRead, CertSrvBackupClose and WbCertSrvGetReadBufferSize
// (docs/CONTRACT-CERTADM.md "CertSrvBackupOpenFileW", "CertSrvBackupRead", "CertSrvBackupClose").
#include "helpers.h"

#include <atomic>
#include <cstring>
#include <thread>

using namespace wbtest;

namespace {

const char16_t *const kDb = u"\\\\CA01\\C$\\Windows\\System32\\CertLog\\CA01-CA.edb";

std::string caDatabaseFile(const char *server = "CA01") { return TestRoot::local(server, kCaDatabase); }

// OpenFile with a sentinel size: untouched on failure.
HRESULT openW(HCSBC hbc, const char16_t *name, DWORD hint = 0) {
    LARGE_INTEGER li;
    li.QuadPart = static_cast<LONGLONG>(kSentinel);
    HRESULT hr = CertSrvBackupOpenFileW(hbc, name, hint, &li);
    if (hr != S_OK) {
        EXPECT_EQ(li.QuadPart, static_cast<LONGLONG>(kSentinel)) << "a failed OpenFile set *pliFileSize";
    }
    return hr;
}

DWORD readBufferSize(HCSBC hbc) {
    DWORD size = kSentinel;
    EXPECT_EQ(WbCertSrvGetReadBufferSize(hbc, &size), S_OK);
    return size;
}

// One read with a sentinel count: the HRESULT, and *got through `got`.
HRESULT readOnce(HCSBC hbc, std::vector<uint8_t> &buf, DWORD cb, DWORD *got) {
    *got = kSentinel;
    return CertSrvBackupRead(hbc, buf.data(), cb, got);
}

// A backup of CA01 (with activity behind it) past its log list; the logs listed.
struct InLogPhase : BusyCa {
    CaBackup b;
    std::vector<std::u16string> logs;
    InLogPhase() : b(u"CA01") {
        EXPECT_TRUE(b.ok());
        std::vector<std::u16string> dbs;
        std::vector<uint8_t> bytes;
        EXPECT_EQ(b.databaseNames(&dbs), S_OK);
        EXPECT_EQ(b.copy(dbs.at(0), &bytes), S_OK);
        EXPECT_EQ(b.logNames(&logs), S_OK);
        EXPECT_FALSE(logs.empty());
    }
};

}  // namespace

// --- CertSrvBackupOpenFileW ------------------------------------------------------------------------

TEST(CertSrvBackupOpenFile, OpensTheListedDatabaseInAnySpellingWithItsStreamSize) {  // contract: UNC, C:\..., local path; (pages + 3) * 8192
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> dbs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    off_t fileBytes = fileSize(caDatabaseFile());
    ASSERT_GT(fileBytes, 0);
    LONGLONG pages = fileBytes / kPage - 2;  // the file has two header pages
    for (const std::u16string &name : {dbs[0], std::u16string(kCaDatabaseW), u16(caDatabaseFile()),
                                        std::u16string(u"\\\\ca01\\c$\\windows\\system32\\certlog\\ca01-ca.EDB")}) {
        LARGE_INTEGER li;
        li.QuadPart = -1;
        ASSERT_EQ(CertSrvBackupOpenFileW(b.hbc, name.c_str(), 0, &li), S_OK) << u8(name);
        EXPECT_EQ(li.QuadPart, (pages + 3) * LONGLONG(kPage)) << u8(name);
        EXPECT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    }
}

TEST(CertSrvBackupOpenFile, RejectsBadHandlesAndNullPointers) {  // contract: bad handle -> E_HANDLE; NULL name or size -> E_POINTER
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> dbs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    LARGE_INTEGER li;
    li.QuadPart = static_cast<LONGLONG>(kSentinel);
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), sentinelHcsbc()}) {
        EXPECT_EQ(openW(h, kDb), E_HANDLE);
        EXPECT_EQ(CertSrvBackupOpenFileW(h, nullptr, 0, nullptr), E_HANDLE) << "the handle is checked first";
    }
    EXPECT_EQ(CertSrvBackupOpenFileW(b.hbc, nullptr, 0, &li), E_POINTER);
    EXPECT_EQ(CertSrvBackupOpenFileW(b.hbc, kDb, 0, nullptr), E_POINTER);
    EXPECT_EQ(CertSrvBackupOpenFileW(b.hbc, u"", 0, nullptr), E_POINTER);
    EXPECT_EQ(li.QuadPart, static_cast<LONGLONG>(kSentinel));
    EXPECT_EQ(openW(b.hbc, kDb), S_OK) << "the backup goes on";
}

TEST(CertSrvBackupOpenFile, RejectsNamesThatAreNotFullPathsOfTheCa) {  // contract: CSBFT left on, relative, "..", "" -> E_INVALIDARG
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> dbs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    std::u16string withType = std::u16string(1, CSBFT_CERTSERVER_DATABASE) + dbs[0];
    for (const std::u16string &name :
         {withType, std::u16string(u""), std::u16string(u"CA01-CA.edb"), std::u16string(u"CertLog\\CA01-CA.edb"),
          std::u16string(u"Windows\\System32\\CertLog\\CA01-CA.edb"),
          std::u16string(u"C:\\Windows\\System32\\CertLog\\..\\CertLog\\CA01-CA.edb"),
          std::u16string(u"\\\\CA01\\C$\\Windows\\System32\\CertLog\\..\\..\\..\\..\\x"), std::u16string(u"..")})
        EXPECT_EQ(openW(b.hbc, name.c_str()), E_INVALIDARG) << "\"" << u8(name) << "\"";
    EXPECT_EQ(openW(b.hbc, dbs[0].c_str()), S_OK) << "the backup goes on";
}

TEST(CertSrvBackupOpenFile, RefusesAPathOfAnotherServerWithAccessDenied) {  // contract: a UNC path of another server -> E_ACCESSDENIED
    OneCa root;
    root.create("CA02", kSmallCa);
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> dbs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    for (const std::u16string &name : {uncCaDatabase("CA02", "CA02-CA"), uncCaDatabase("CA02", "CA01-CA"),
                                       uncCaDatabase("CA99", "CA01-CA")})
        EXPECT_EQ(openW(b.hbc, name.c_str()), E_ACCESSDENIED) << u8(name);
    EXPECT_EQ(openW(b.hbc, dbs[0].c_str()), S_OK);
}

TEST(CertSrvBackupOpenFile, RefusesNamesTheContextDidNotHandOut) {  // contract: dynamic files, edb.log, unlisted -> E_INVALIDARG
    OneCa root;
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    std::vector<uint32_t> onDisk = caLogGenerations("CA01");
    ASSERT_FALSE(onDisk.empty());
    char oldLog[80];
    snprintf(oldLog, sizeof oldLog, "C:\\Windows\\System32\\CertLog\\edb%05X.log", onDisk.front());
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    // the database before GetDatabaseNames handed it out
    EXPECT_EQ(openW(b.hbc, kDb), E_INVALIDARG) << "the database before GetDatabaseNames";
    std::vector<std::u16string> dbs, files;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    ASSERT_EQ(b.dynamicFiles(&files), S_OK);
    ASSERT_EQ(files.size(), 2u);
    std::vector<std::u16string> refused = files;
    refused.push_back(u"\\\\CA01\\C$\\Windows\\System32\\CertLog\\edb.log");
    refused.push_back(u"C:\\Windows\\System32\\CertLog\\edb.log");
    refused.push_back(u"C:\\Windows\\System32\\CertLog\\edb.chk");
    refused.push_back(u16(oldLog));  // a log, before the log list was taken
    refused.push_back(u"C:\\Windows\\System32\\CertSrv\\CertEnroll\\CA01-CA.crl");
    for (auto &name : refused) EXPECT_EQ(openW(b.hbc, name.c_str()), E_INVALIDARG) << u8(name);
    // after the log list: edb.log and the dynamic files still not
    std::vector<uint8_t> bytes;
    ASSERT_EQ(b.copy(dbs[0], &bytes), S_OK);
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    for (auto &name : files) EXPECT_EQ(openW(b.hbc, name.c_str()), E_INVALIDARG) << u8(name);
    EXPECT_EQ(openW(b.hbc, u"C:\\Windows\\System32\\CertLog\\edb.log"), E_INVALIDARG);
    EXPECT_EQ(openW(b.hbc, u"C:\\Windows\\System32\\CertLog\\edb.chk"), E_INVALIDARG);
    std::u16string logWithType = std::u16string(1, CSBFT_LOG) + logs[0];
    EXPECT_EQ(openW(b.hbc, logWithType.c_str()), E_INVALIDARG) << "a log name with its CSBFT character";
    // a listed log, in each spelling
    std::u16string drive = u"C:" + logs[0].substr(logs[0].find(u"\\Windows"));
    for (const std::u16string &name : {logs[0], drive, u16(TestRoot::local("CA01", u8(logs[0]).c_str()))}) {
        EXPECT_EQ(openW(b.hbc, name.c_str()), S_OK) << u8(name);
        EXPECT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    }
}

TEST(CertSrvBackupOpenFile, ASecondOpenIsAlreadyOpen) {  // contract: a file already open -> hrAlreadyOpen
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    EXPECT_EQ(openW(b.hbc, kDb), hrAlreadyOpen);
    EXPECT_EQ(openW(b.hbc, kCaDatabaseW), hrAlreadyOpen);
    EXPECT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    EXPECT_EQ(openW(b.hbc, kDb), S_OK);
}

TEST(CertSrvBackupOpenFile, TheDatabaseAfterTheLogListAbortsTheBackup) {  // contract: the database after GetBackupLogs -> hrInvalidBackupSequence + abort
    InLogPhase root;
    ASSERT_TRUE(root.b.ok());
    EXPECT_EQ(openW(root.b.hbc, kDb), hrInvalidBackupSequence);
    EXPECT_EQ(openW(root.b.hbc, root.logs[0].c_str()), hrNoBackup) << "the backup is aborted";
    EXPECT_EQ(CertSrvBackupClose(root.b.hbc), hrNoBackup);
    CaBackup next(u"CA01");  // the CA is free at once
    EXPECT_EQ(next.hr, S_OK);
}

TEST(CertSrvBackupOpenFile, AListedLogThatDisappearedIsMissingFileToBackup) {  // contract: -> 0xC8000239, backup aborted
    InLogPhase root;
    ASSERT_TRUE(root.b.ok());
    removeFile(TestRoot::local("CA01", u8(root.logs.back()).c_str()));
    EXPECT_EQ(openW(root.b.hbc, root.logs.back().c_str()), WB_HR_MISSING_FILE_TO_BACKUP);
    EXPECT_EQ(openW(root.b.hbc, root.logs.front().c_str()), hrNoBackup) << "the backup is aborted";
    EXPECT_EQ(root.b.end(), S_OK);
}

TEST(CertSrvBackupOpenFile, TheFirstHintFixesTheReadBufferSize) {  // contract: 0 -> 262144; next power of two within 65536..4194304
    OneCa root;
    const struct {
        DWORD hint, size;
    } cases[] = {{0, 262144},       {1, 65536},        {4095, 65536},     {65536, 65536},     {65537, 131072},
                 {262144, 262144},  {524288, 524288},  {524289, 1048576}, {4194304, 4194304}, {4194305, 4194304},
                 {0x7FFFFFFF, 4194304}, {0xFFFFFFFF, 4194304}};
    for (auto &c : cases) {
        CaBackup b(u"CA01");
        ASSERT_TRUE(b.ok());
        EXPECT_EQ(readBufferSize(b.hbc), 0u) << "before the first OpenFile";
        std::vector<std::u16string> dbs;
        ASSERT_EQ(b.databaseNames(&dbs), S_OK);
        ASSERT_EQ(b.open(dbs[0], c.hint), S_OK) << "hint " << c.hint;
        EXPECT_EQ(readBufferSize(b.hbc), c.size) << "hint " << c.hint;
        // later hints change nothing
        ASSERT_EQ(CertSrvBackupClose(b.hbc), S_OK);
        ASSERT_EQ(b.open(dbs[0], c.hint == 1 ? 0xFFFFFFFF : 1), S_OK);
        EXPECT_EQ(readBufferSize(b.hbc), c.size) << "hint " << c.hint << ", then another";
    }
}

TEST(CertSrvBackupOpenFile, AFailedOpenFixesNoReadBufferSize) {  // contract: the first *successful* OpenFile fixes it
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(openW(b.hbc, kDb, 1), E_INVALIDARG) << "not listed yet";
    EXPECT_EQ(readBufferSize(b.hbc), 0u);
    std::vector<std::u16string> dbs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    ASSERT_EQ(b.open(dbs[0], 65537), S_OK);
    EXPECT_EQ(readBufferSize(b.hbc), 131072u);
}

TEST(WbCertSrvGetReadBufferSize, TakesOnlyABackupContext) {  // winbackup.h: E_HANDLE (not a backup context), E_POINTER
    OneCa root;
    root.create("DC01", kSmallNtds);
    root.create("CA02", kSmallCaTarget);
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(WbCertSrvGetReadBufferSize(b.hbc, nullptr), E_POINTER);
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    Backup ds(u"DC01");
    ASSERT_TRUE(ds.ok());
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), r.hbc, static_cast<HCSBC>(ds.hbc)}) {
        DWORD size = kSentinel;
        EXPECT_EQ(WbCertSrvGetReadBufferSize(h, &size), E_HANDLE) << h;
        EXPECT_EQ(size, kSentinel);
    }
}

// --- CertSrvBackupRead ---------------------------------------------------------------------------------

TEST(CertSrvBackupRead, FillsAnyBufferSizeAndEndsWithSOkAndZeroBytes) {  // contract: fills cb bytes, fewer only at the end; end: S_OK, 0
    OneCa root;
    for (DWORD chunk : {DWORD(524288), DWORD(4095), DWORD(8192), DWORD(65536 + 1)}) {
        CaBackup b(u"CA01");
        ASSERT_TRUE(b.ok());
        LONGLONG size = -1;
        ASSERT_EQ(b.openDatabase(0, &size), S_OK);
        std::vector<uint8_t> stream;
        ASSERT_EQ(b.readAll(&stream, chunk), S_OK) << "chunk " << chunk;  // checks: full chunks until the end, then S_OK + 0
        EXPECT_EQ(static_cast<LONGLONG>(stream.size()), size) << "chunk " << chunk;
        EXPECT_TRUE(databaseStreamMatches(stream, caDatabaseFile())) << "chunk " << chunk;
        // at the end it stays at the end
        std::vector<uint8_t> buf(chunk);
        DWORD got = kSentinel;
        EXPECT_EQ(readOnce(b.hbc, buf, chunk, &got), S_OK);
        EXPECT_EQ(got, 0u);
        EXPECT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    }
}

TEST(CertSrvBackupRead, DeliversTheLogByteForByteWithTinyBuffers) {  // contract: cb 1, 4095: the bytes of the file
    InLogPhase root;
    ASSERT_TRUE(root.b.ok());
    std::vector<uint8_t> file = readFile(TestRoot::local("CA01", u8(root.logs[0]).c_str()));
    ASSERT_GT(file.size(), 8192u);
    LONGLONG size = -1;
    ASSERT_EQ(root.b.open(root.logs[0], 1, &size), S_OK);
    EXPECT_EQ(size, static_cast<LONGLONG>(file.size())) << "a log's size is its file size";
    std::vector<uint8_t> got, buf(4096);
    for (size_t i = 0; i < 8192; ++i) {  // one byte at a time, for two pages
        DWORD n = kSentinel;
        ASSERT_EQ(readOnce(root.b.hbc, buf, 1, &n), S_OK) << "byte " << i;
        ASSERT_EQ(n, 1u) << "byte " << i;
        got.push_back(buf[0]);
    }
    std::vector<uint8_t> rest;
    ASSERT_EQ(root.b.readAll(&rest, 4095), S_OK);
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got.size(), file.size());
    EXPECT_TRUE(got == file) << "the bytes read differ from the log file";
    EXPECT_EQ(CertSrvBackupClose(root.b.hbc), S_OK);
}

TEST(CertSrvBackupRead, ZeroBytesIsSOkAndZero) {  // contract: cb = 0 -> S_OK, *got = 0
    InLogPhase root;
    ASSERT_TRUE(root.b.ok());
    ASSERT_EQ(root.b.open(root.logs[0]), S_OK);
    std::vector<uint8_t> buf(16, 0xAB);
    DWORD got = kSentinel;
    EXPECT_EQ(readOnce(root.b.hbc, buf, 0, &got), S_OK);
    EXPECT_EQ(got, 0u);
    EXPECT_EQ(buf[0], 0xAB);
    // and the file still reads from its start
    std::vector<uint8_t> all;
    ASSERT_EQ(root.b.readAll(&all, 524288), S_OK);
    EXPECT_TRUE(all == readFile(TestRoot::local("CA01", u8(root.logs[0]).c_str())));
}

TEST(CertSrvBackupRead, ZeroBytesStillNeedsAnOpenFileOfALiveBackup) {  // contract order: no file open -> hrInvalidHandle before cb = 0 -> S_OK
    BusyCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> buf(16);
    DWORD got = kSentinel;
    EXPECT_EQ(readOnce(b.hbc, buf, 0, &got), hrInvalidHandle) << "cb 0, no file open";
    EXPECT_EQ(got, kSentinel);
    std::vector<std::u16string> dbs, logs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    ASSERT_EQ(b.logNames(&logs), S_OK);
    ASSERT_EQ(b.open(dbs[0]), hrInvalidBackupSequence);  // aborts the backup
    EXPECT_EQ(readOnce(b.hbc, buf, 0, &got), hrNoBackup) << "cb 0, an aborted backup";
    EXPECT_EQ(got, kSentinel);
    CaBackup next(u"CA01");
    ASSERT_TRUE(next.ok());
    ASSERT_EQ(next.openDatabase(), S_OK);
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    EXPECT_EQ(readOnce(next.hbc, buf, 0, &got), WB_HR_BACKUP_ABORT_BY_SERVER) << "cb 0, the CA stopped";
    EXPECT_EQ(got, kSentinel);
}

TEST(CertSrvBackupRead, EndsWithSOkWhereDsBackupReadSaysHandleEof) {  // contract: S_OK + 0 bytes (DsBackupRead: ERROR_HANDLE_EOF 38)
    OneCa root;
    root.create("DC01", kSmallNtds);
    ASSERT_EQ(WbWriteServerA("CA01", 2), S_OK);
    ASSERT_EQ(WbWriteServerA("DC01", 2), S_OK);
    // the same kind of file: an archived log of each, read to its end
    CaBackup ca(u"CA01");
    Backup ds(u"DC01");
    ASSERT_TRUE(ca.ok());
    ASSERT_TRUE(ds.ok());
    std::vector<std::u16string> caDbs, dsDbs, caLogs, dsLogs;
    std::vector<uint8_t> bytes;
    ASSERT_EQ(ca.databaseNames(&caDbs), S_OK);
    ASSERT_EQ(ca.copy(caDbs[0], &bytes), S_OK);
    ASSERT_EQ(ds.databaseNames(&dsDbs), S_OK);
    ASSERT_EQ(ds.copy(dsDbs[0], &bytes), S_OK);
    ASSERT_EQ(ca.logNames(&caLogs), S_OK);
    ASSERT_EQ(ds.logNames(&dsLogs), S_OK);
    std::vector<uint8_t> caFile = readFile(TestRoot::local("CA01", u8(caLogs[0]).c_str()));
    std::vector<uint8_t> dsFile = readFile(TestRoot::local("DC01", u8(dsLogs[0]).c_str()));
    ASSERT_EQ(caFile.size(), dsFile.size()) << "logs of the same size (--log-size 64K)";

    ASSERT_EQ(ca.open(caLogs[0], kChunk), S_OK);
    ASSERT_EQ(ds.open(dsLogs[0]), S_OK);
    std::vector<uint8_t> buf(kChunk);
    DWORD caGot = kSentinel, dsGot = kSentinel;
    size_t caTotal = 0, dsTotal = 0;
    for (;;) {
        ASSERT_EQ(CertSrvBackupRead(ca.hbc, buf.data(), kChunk, &caGot), S_OK);
        caTotal += caGot;
        if (caGot == 0) break;
    }
    HRESULT hr;
    while ((hr = DsBackupRead(ds.hbc, buf.data(), kChunk, &dsGot)) == S_OK) dsTotal += dsGot;
    EXPECT_EQ(hr, ERROR_HANDLE_EOF);
    EXPECT_EQ(ERROR_HANDLE_EOF, 38);
    EXPECT_EQ(dsGot, 0u);
    EXPECT_EQ(caGot, 0u);
    EXPECT_EQ(caTotal, caFile.size());
    EXPECT_EQ(dsTotal, dsFile.size());
    // again at the end: the same answers
    caGot = dsGot = kSentinel;
    EXPECT_EQ(CertSrvBackupRead(ca.hbc, buf.data(), kChunk, &caGot), S_OK);
    EXPECT_EQ(caGot, 0u);
    EXPECT_EQ(DsBackupRead(ds.hbc, buf.data(), kChunk, &dsGot), ERROR_HANDLE_EOF);
    EXPECT_EQ(dsGot, 0u);
}

TEST(CertSrvBackupRead, RejectsBadHandlesNullPointersAndNoOpenFile) {  // contract: E_HANDLE; E_POINTER; no file open -> hrInvalidHandle
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), sentinelHcsbc()}) {
        EXPECT_EQ(readOnce(h, buf, kChunk, &got), E_HANDLE);
        EXPECT_EQ(CertSrvBackupRead(h, nullptr, kChunk, nullptr), E_HANDLE) << "the handle is checked first";
    }
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(CertSrvBackupRead(b.hbc, nullptr, kChunk, &got), E_POINTER);
    EXPECT_EQ(CertSrvBackupRead(b.hbc, buf.data(), kChunk, nullptr), E_POINTER);
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(readOnce(b.hbc, buf, kChunk, &got), hrInvalidHandle) << "no file open";
    EXPECT_EQ(got, kSentinel);
    ASSERT_EQ(b.openDatabase(), S_OK);
    EXPECT_EQ(CertSrvBackupRead(b.hbc, nullptr, kChunk, &got), E_POINTER) << "a file open";
    ASSERT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    EXPECT_EQ(readOnce(b.hbc, buf, kChunk, &got), hrInvalidHandle) << "after Close";
    EXPECT_EQ(got, kSentinel);
}

TEST(CertSrvBackupRead, ADamagedDatabasePageIsReadVerifyFailureAndTheBackupGoesOn) {  // contract: hrReadVerifyFailure, file closed, backup goes on
    OneCa root;
    std::string db = caDatabaseFile();
    std::vector<uint8_t> file = readFile(db);
    size_t pgno = 0;
    for (size_t p = file.size() / kPage / 2; p + 2 < file.size() / kPage && pgno == 0; ++p)
        for (size_t i = 0; i < kPage; ++i)
            if (file[(p + 1) * kPage + i] != 0) {
                pgno = p;
                break;
            }
    ASSERT_NE(pgno, 0u) << "no data page to damage";
    flipByte(db, (pgno + 1) * kPage + kPage / 2);
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    std::vector<uint8_t> good;
    EXPECT_EQ(b.readAll(&good, kChunk), hrReadVerifyFailure);
    EXPECT_LE(good.size(), (pgno + 1) * kPage) << "the damaged page was delivered";
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(readOnce(b.hbc, buf, kChunk, &got), hrInvalidHandle) << "the file is closed";
    EXPECT_EQ(CertSrvBackupClose(b.hbc), hrInvalidHandle);
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK) << "the backup goes on";
    std::vector<uint8_t> bytes;
    for (auto &l : logs) EXPECT_EQ(b.copy(l, &bytes), S_OK) << u8(l);
}

TEST(CertSrvBackupRead, ADamagedLogIsLogReadVerifyFailureAndAbortsTheBackup) {  // contract: 0xC8000264, backup aborted
    InLogPhase root;
    ASSERT_TRUE(root.b.ok());
    std::string local = TestRoot::local("CA01", u8(root.logs.front()).c_str());
    std::vector<uint8_t> log = readFile(local);
    bool written = false;
    for (size_t i = 4096; i < 8192 && i < log.size(); ++i) written = written || log[i] != 0;
    ASSERT_TRUE(written) << "the first segment of " << local << " is empty: nothing to damage";
    flipByte(local, 4096 + 100);
    ASSERT_EQ(root.b.open(root.logs.front()), S_OK);
    std::vector<uint8_t> good;
    EXPECT_EQ(root.b.readAll(&good, 4096), WB_HR_LOG_READ_VERIFY_FAILURE);
    EXPECT_LE(good.size(), 4096u) << "the damaged segment was delivered";
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(readOnce(root.b.hbc, buf, kChunk, &got), hrNoBackup);
    EXPECT_EQ(CertSrvBackupClose(root.b.hbc), hrNoBackup) << "after an abort";
    EXPECT_EQ(CertSrvBackupTruncateLogs(root.b.hbc), hrNoBackup);
    EXPECT_EQ(root.b.end(), S_OK);
}

TEST(CertSrvBackupRead, CallsOnOneContextAreSerialised) {  // contract: calls on one context are serialised
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    LONGLONG size = -1;
    ASSERT_EQ(b.openDatabase(65536, &size), S_OK);
    std::atomic<uint64_t> total{0};
    std::atomic<int> failures{0};
    auto reader = [&] {
        std::vector<uint8_t> buf(8192);
        for (;;) {
            DWORD got = kSentinel;
            if (CertSrvBackupRead(b.hbc, buf.data(), 8192, &got) != S_OK || got > 8192) {
                ++failures;
                return;
            }
            if (got == 0) return;
            total += got;
        }
    };
    std::thread t1(reader), t2(reader);
    t1.join();
    t2.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(static_cast<LONGLONG>(total.load()), size) << "two threads on one context read the file once between them";
    EXPECT_EQ(CertSrvBackupClose(b.hbc), S_OK);
}

// --- CertSrvBackupClose -----------------------------------------------------------------------------

TEST(CertSrvBackupClose, RejectsBadHandlesAndNoOpenFile) {  // contract: bad handle -> E_HANDLE; no file open -> hrInvalidHandle
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), sentinelHcsbc()})
        EXPECT_EQ(CertSrvBackupClose(h), E_HANDLE) << h;
    EXPECT_EQ(CertSrvBackupClose(b.hbc), hrInvalidHandle);
    ASSERT_EQ(b.openDatabase(), S_OK);
    EXPECT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    EXPECT_EQ(CertSrvBackupClose(b.hbc), hrInvalidHandle) << "a second Close";
}

TEST(CertSrvBackupClose, OnlyALogReadToItsEndCountsAsCopied) {  // contract: a file read to its end counts as copied (TruncateLogs)
    InLogPhase root;
    ASSERT_TRUE(root.b.ok());
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i + 1 < root.logs.size(); ++i) ASSERT_EQ(root.b.copy(root.logs[i], &bytes), S_OK);
    // the last one: opened, partly read, closed
    ASSERT_EQ(root.b.open(root.logs.back()), S_OK);
    std::vector<uint8_t> buf(4096);
    DWORD got = 0;
    ASSERT_EQ(CertSrvBackupRead(root.b.hbc, buf.data(), 4096, &got), S_OK);
    ASSERT_EQ(got, 4096u);
    ASSERT_EQ(CertSrvBackupClose(root.b.hbc), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(root.b.hbc), WB_HR_LOG_FILE_NOT_COPIED);
    // read to its end this time
    ASSERT_EQ(root.b.copy(root.logs.back(), &bytes), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(root.b.hbc), S_OK);
}
