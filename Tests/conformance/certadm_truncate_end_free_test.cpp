// CertSrvBackupTruncateLogs, CertSrvBackupEnd and CertSrvBackupFree
// (docs/CONTRACT-CERTADM.md "CertSrvBackupTruncateLogs", "CertSrvBackupEnd", "CertSrvBackupFree").
#include "helpers.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

using namespace wbtest;

namespace {

// Copies the database (full backups) and lists the logs; copies them when copyLogs.
void throughTheLogList(CaBackup &b, std::vector<std::u16string> *logs, bool full = true, bool copyLogs = true) {
    std::vector<uint8_t> bytes;
    if (full) {
        std::vector<std::u16string> dbs;
        ASSERT_EQ(b.databaseNames(&dbs), S_OK);
        ASSERT_EQ(b.copy(dbs[0], &bytes), S_OK);
    }
    ASSERT_EQ(b.logNames(logs), S_OK);
    ASSERT_FALSE(logs->empty());
    if (!copyLogs) return;
    for (auto &l : *logs) ASSERT_EQ(b.copy(l, &bytes), S_OK) << u8(l);
}

// The generations of a JET_BKINFO of the CA's database header (page 0): genLow at +16, genHigh
// at +20; bkinfoFullPrev at 136, bkinfoIncPrev 160, bkinfoCopyPrev 420, bkinfoDiffPrev 444.
enum BkInfo { kFullPrev = 136, kIncPrev = 160, kCopyPrev = 420, kDiffPrev = 444 };

std::pair<uint32_t, uint32_t> bkinfo(BkInfo which) {
    std::vector<uint8_t> db = readFile(TestRoot::local("CA01", kCaDatabase));
    if (db.size() < kPage) {
        ADD_FAILURE() << "no database header";
        return {0, 0};
    }
    auto u32 = [&](size_t o) { return uint32_t(db[o]) | uint32_t(db[o + 1]) << 8 | uint32_t(db[o + 2]) << 16 | uint32_t(db[o + 3]) << 24; };
    return {u32(size_t(which) + 16), u32(size_t(which) + 20)};
}

std::pair<uint32_t, uint32_t> range(const CaBackupSet &set) { return {set.genLow, set.genHigh}; }

HRESULT prepareAndEnd(ULONG flags) {
    CaBackup b(u"CA01", flags);
    if (b.ok()) {
        EXPECT_EQ(b.end(), S_OK);
    }
    return b.hr;
}

}  // namespace

// --- CertSrvBackupTruncateLogs ------------------------------------------------------------------------

TEST(CertSrvBackupTruncateLogs, RejectsBadHandles) {  // contract: bad handle -> E_HANDLE
    OneCa root;
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), static_cast<HCSBC>(allOnesHbc()), sentinelHcsbc()})
        EXPECT_EQ(CertSrvBackupTruncateLogs(h), E_HANDLE) << h;
}

TEST(CertSrvBackupTruncateLogs, BeforeTheLogListOrWithAFileOpenIsInvalidBackupSequence) {  // contract: -> hrInvalidBackupSequence
    BusyCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), hrInvalidBackupSequence) << "right after Prepare";
    ASSERT_EQ(b.openDatabase(), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), hrInvalidBackupSequence) << "the database open, no log list";
    std::vector<uint8_t> bytes;
    ASSERT_EQ(b.readAll(&bytes), S_OK);
    ASSERT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), hrInvalidBackupSequence) << "the database copied, no log list";
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    for (auto &l : logs) ASSERT_EQ(b.copy(l, &bytes), S_OK);
    ASSERT_EQ(b.open(logs[0]), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), hrInvalidBackupSequence) << "a log open";
    ASSERT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), S_OK);
}

TEST(CertSrvBackupTruncateLogs, AListedLogNotReadToItsEndIsLogFileNotCopied) {  // contract: -> WB_HR_LOG_FILE_NOT_COPIED 0xC8000268
    BusyCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> logs;
    throughTheLogList(b, &logs, true, false);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), WB_HR_LOG_FILE_NOT_COPIED) << "no log copied";
    std::vector<uint8_t> bytes;
    for (size_t i = 1; i < logs.size(); ++i) ASSERT_EQ(b.copy(logs[i], &bytes), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), WB_HR_LOG_FILE_NOT_COPIED) << "the first log not copied";
    ASSERT_EQ(b.copy(logs[0], &bytes), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), S_OK);
}

TEST(CertSrvBackupTruncateLogs, DeletesTheLogsBeforeTheCheckpoint) {  // contract: S_OK: logs before the checkpoint (and the copy range's end) deleted
    BusyCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> logs;
    throughTheLogList(b, &logs);
    uint32_t high = logGeneration(logs.back());
    std::vector<uint32_t> before = caLogGenerations("CA01");
    uint32_t checkpoint = caCheckpointGeneration("CA01");
    ASSERT_FALSE(before.empty());
    ASSERT_LT(before.front(), std::min(checkpoint, high + 1)) << "nothing to truncate";
    ASSERT_EQ(CertSrvBackupTruncateLogs(b.hbc), S_OK);
    std::vector<uint32_t> after = caLogGenerations("CA01");
    uint32_t limit = std::min(checkpoint, high + 1);
    for (uint32_t g : before) {
        if (g < limit)
            EXPECT_FALSE(fileExists(caLogFile("CA01", g))) << "generation " << g << " survived, checkpoint " << checkpoint;
        else
            EXPECT_TRUE(fileExists(caLogFile("CA01", g))) << "generation " << g << " was deleted, checkpoint " << checkpoint;
    }
    EXPECT_TRUE(fileExists(TestRoot::local("CA01", "C:\\Windows\\System32\\CertLog\\edb.log")));
    ASSERT_EQ(b.end(), S_OK);
    EXPECT_EQ(WbWriteServerA("CA01", 2), S_OK) << "the CA runs on";
}

// --- CertSrvBackupEnd ---------------------------------------------------------------------------------

TEST(CertSrvBackupEnd, RejectsAHandleThatIsNotALiveBackupContext) {  // contract: -> E_HANDLE, a second End too
    OneCa root;
    root.create("DC01", kSmallNtds);
    root.create("CA02", kSmallCaTarget);
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), static_cast<HCSBC>(allOnesHbc()), sentinelHcsbc()})
        EXPECT_EQ(CertSrvBackupEnd(h), E_HANDLE) << h;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.end(), S_OK);
    EXPECT_EQ(CertSrvBackupEnd(b.hbc), E_HANDLE) << "a second End";
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(CertSrvBackupEnd(r.hbc), E_HANDLE) << "a restore context";
    Backup ds(u"DC01");
    ASSERT_TRUE(ds.ok());
    EXPECT_EQ(CertSrvBackupEnd(ds.hbc), E_HANDLE) << "a Ds backup context";
    std::vector<std::u16string> names;
    EXPECT_EQ(ds.databaseNames(&names), S_OK) << "the Ds backup goes on";
    EXPECT_EQ(r.end(), S_OK) << "the restore context is still live";
}

TEST(CertSrvBackupEnd, EndsAnyBackupAndKillsTheHandle) {  // contract: S_OK however the backup went; the handle is dead
    BusyCa root;
    {
        CaBackup aborted(u"CA01");  // aborted: the database after the log list
        ASSERT_TRUE(aborted.ok());
        std::vector<std::u16string> logs;
        throughTheLogList(aborted, &logs);
        ASSERT_EQ(aborted.open(u"C:\\Windows\\System32\\CertLog\\CA01-CA.edb"), hrInvalidBackupSequence);
        EXPECT_EQ(aborted.end(), S_OK);
    }
    {
        CaBackup open(u"CA01");  // a file open
        ASSERT_TRUE(open.ok());
        ASSERT_EQ(open.openDatabase(), S_OK);
        HCSBC h = open.hbc;
        EXPECT_EQ(open.end(), S_OK);
        std::vector<uint8_t> buf(kChunk);
        DWORD got = kSentinel;
        EXPECT_EQ(CertSrvBackupRead(h, buf.data(), kChunk, &got), E_HANDLE) << "dead after End";
        EXPECT_EQ(got, kSentinel);
        EXPECT_EQ(CertSrvBackupClose(h), E_HANDLE);
    }
    {
        CaBackup stopped(u"CA01");  // the CA stopped under it
        ASSERT_TRUE(stopped.ok());
        ASSERT_EQ(WbStopServerA("CA01"), S_OK);
        EXPECT_EQ(stopped.end(), S_OK);
        ASSERT_EQ(WbStartServerA("CA01"), S_OK);
    }
    EXPECT_EQ(prepareAndEnd(CSBACKUP_TYPE_FULL), S_OK) << "the CA is free for the next backup";
}

TEST(CertSrvBackupEnd, RecordsWhatMakesALogsOnlyBackupLegal) {  // contract: full + truncated -> bkinfoFullPrev; not truncated -> bkinfoCopyPrev
    BusyCa root;
    {
        CaBackup full(u"CA01");  // full, not truncated: a copy backup
        ASSERT_TRUE(full.ok());
        std::vector<std::u16string> logs;
        throughTheLogList(full, &logs);
        ASSERT_EQ(full.end(), S_OK);
    }
    EXPECT_EQ(prepareAndEnd(CSBACKUP_TYPE_LOGS_ONLY), hrMissingFullBackup) << "after a full backup that did not truncate";
    {
        CaBackup full(u"CA01");  // full + truncated
        ASSERT_TRUE(full.ok());
        std::vector<std::u16string> logs;
        throughTheLogList(full, &logs);
        ASSERT_EQ(CertSrvBackupTruncateLogs(full.hbc), S_OK);
        ASSERT_EQ(full.end(), S_OK);
    }
    EXPECT_EQ(prepareAndEnd(CSBACKUP_TYPE_LOGS_ONLY), S_OK) << "after a full backup that truncated";
    // incrementals, truncated or not, keep it legal and chain on
    for (bool truncate : {false, true, true}) {
        ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
        CaBackup inc(u"CA01", CSBACKUP_TYPE_LOGS_ONLY);
        ASSERT_TRUE(inc.ok());
        std::vector<std::u16string> logs;
        throughTheLogList(inc, &logs, false);
        if (truncate) {
            ASSERT_EQ(CertSrvBackupTruncateLogs(inc.hbc), S_OK);
        }
        ASSERT_EQ(inc.end(), S_OK);
    }
    EXPECT_EQ(prepareAndEnd(CSBACKUP_TYPE_LOGS_ONLY), S_OK);
}

TEST(CertSrvBackupEnd, RecordsEachKindOfBackupInTheDatabaseHeader) {  // contract: full+trunc FullPrev, full CopyPrev, inc+trunc IncPrev, inc DiffPrev
    BusyCa root;
    using Gens = std::pair<uint32_t, uint32_t>;
    EXPECT_EQ(bkinfo(kFullPrev), Gens(0, 0)) << "a new CA has no full backup";
    CaBackupSet copy, full, diff, inc;
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/copy", CSBACKUP_TYPE_FULL, &copy, false));
    EXPECT_EQ(bkinfo(kCopyPrev), range(copy)) << "full, not truncated: bkinfoCopyPrev";
    EXPECT_EQ(bkinfo(kFullPrev), Gens(0, 0)) << "a copy backup is not a full one";
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/full", CSBACKUP_TYPE_FULL, &full, true));
    EXPECT_EQ(bkinfo(kFullPrev), range(full)) << "full + truncated: bkinfoFullPrev";
    EXPECT_EQ(bkinfo(kCopyPrev), range(copy)) << "the copy backup stays recorded";
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/diff", CSBACKUP_TYPE_LOGS_ONLY, &diff, false));
    EXPECT_EQ(bkinfo(kDiffPrev), range(diff)) << "incremental, not truncated: bkinfoDiffPrev";
    EXPECT_EQ(bkinfo(kIncPrev), Gens(0, 0));
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/inc", CSBACKUP_TYPE_LOGS_ONLY, &inc, true));
    EXPECT_EQ(bkinfo(kIncPrev), range(inc)) << "incremental + truncated: bkinfoIncPrev";
    EXPECT_EQ(bkinfo(kFullPrev), range(full)) << "the full backup stays recorded";
    // an End before the log list records nothing
    std::vector<uint8_t> before = readFile(TestRoot::local("CA01", kCaDatabase));
    {
        CaBackup abandoned(u"CA01");
        ASSERT_TRUE(abandoned.ok());
        ASSERT_EQ(abandoned.openDatabase(), S_OK);
        EXPECT_EQ(abandoned.end(), S_OK);
    }
    EXPECT_EQ(bkinfo(kFullPrev), range(full));
    EXPECT_EQ(bkinfo(kIncPrev), range(inc));
}

// --- CertSrvBackupFree -----------------------------------------------------------------------------------

TEST(CertSrvBackupFree, NullDoesNothing) {  // contract: NULL is ignored
    testing::internal::CaptureStderr();
    CertSrvBackupFree(nullptr);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(CertSrvBackupFree, ReleasesEveryKindOfBufferTheLibraryReturned) {  // contract: frees every buffer the library returned
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    WCHAR *names = nullptr, *dynamic = nullptr, *locations = nullptr, *logs = nullptr;
    DWORD cb = 0;
    ASSERT_EQ(CertSrvBackupGetDatabaseNamesW(b.hbc, &names, &cb), S_OK);
    ASSERT_EQ(CertSrvBackupGetDynamicFileListW(b.hbc, &dynamic, &cb), S_OK);
    ASSERT_EQ(CertSrvRestoreGetDatabaseLocationsW(b.hbc, &locations, &cb), S_OK);
    ASSERT_EQ(CertSrvBackupGetBackupLogsW(b.hbc, &logs, &cb), S_OK);
    testing::internal::CaptureStderr();
    for (WCHAR *p : {names, dynamic, locations, logs}) CertSrvBackupFree(p);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(CertSrvBackupFree, AForeignPointerIsReportedNotFreed) {  // contract: a pointer the library did not return: stderr, not freed, no crash
    char onTheStack[64];
    memset(onTheStack, 0x5A, sizeof onTheStack);
    testing::internal::CaptureStderr();
    CertSrvBackupFree(onTheStack);
    EXPECT_NE(testing::internal::GetCapturedStderr(), "") << "no line on stderr for a stack pointer";
    EXPECT_EQ(onTheStack[0], 0x5A);

    char *heap = static_cast<char *>(malloc(32));
    ASSERT_NE(heap, nullptr);
    strcpy(heap, "still mine");
    testing::internal::CaptureStderr();
    CertSrvBackupFree(heap);
    EXPECT_NE(testing::internal::GetCapturedStderr(), "") << "no line on stderr for a malloc'ed pointer";
    EXPECT_STREQ(heap, "still mine");
    free(heap);

    testing::internal::CaptureStderr();
    CertSrvBackupFree(sentinelPtr());  // not even mapped
    EXPECT_NE(testing::internal::GetCapturedStderr(), "");
}

TEST(CertSrvBackupFree, ADoubleFreeIsReportedNotRepeated) {  // contract: already freed: stderr, no crash
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    WCHAR *names = nullptr;
    DWORD cb = 0;
    ASSERT_EQ(CertSrvBackupGetDatabaseNamesW(b.hbc, &names, &cb), S_OK);
    testing::internal::CaptureStderr();
    CertSrvBackupFree(names);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    testing::internal::CaptureStderr();
    CertSrvBackupFree(names);
    EXPECT_NE(testing::internal::GetCapturedStderr(), "") << "a second free of the same buffer went unreported";
    // the library goes on handing out and freeing buffers
    WCHAR *again = nullptr;
    ASSERT_EQ(CertSrvBackupGetDatabaseNamesW(b.hbc, &again, &cb), S_OK);
    testing::internal::CaptureStderr();
    CertSrvBackupFree(again);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(CertSrvBackupFree, FreesWhatNtdsbcliReturnedAndDsBackupFreeWhatCertadmReturned) {  // one allocator for both DLLs' buffers
    OneCa root;
    root.create("DC01", kSmallNtds);
    CaBackup ca(u"CA01");
    Backup ds(u"DC01");
    ASSERT_TRUE(ca.ok());
    ASSERT_TRUE(ds.ok());
    WCHAR *caNames = nullptr, *dsNames = nullptr;
    DWORD cb = 0;
    ASSERT_EQ(CertSrvBackupGetDatabaseNamesW(ca.hbc, &caNames, &cb), S_OK);
    ASSERT_EQ(DsBackupGetDatabaseNamesW(ds.hbc, &dsNames, &cb), S_OK);
    testing::internal::CaptureStderr();
    CertSrvBackupFree(dsNames);
    DsBackupFree(caNames);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}
