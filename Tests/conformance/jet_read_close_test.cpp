// JetReadFileInstance and JetCloseFileInstance: ESE-BEHAVIOUR.md §A.2 "ReadFile" and "CloseFile"
// (the buffer rules and the order of the checks); docs/CONTRACT-ESENT.md. The bytes and the page
// checks of a database stream are in jet_stream_test.cpp.
#include "helpers.h"

#include <cstdio>
#include <cstring>

using namespace wbtest;

namespace {

// One JetReadFileInstance with a sentinel count, which must stay untouched on failure.
JET_ERR readOnce(JET_INSTANCE inst, void *pv, uint32_t cb, uint32_t *got, JET_HANDLE hf = 0) {
    *got = kSentinel;
    JET_ERR err = JetReadFileInstance(inst, hf, pv, cb, got);
    if (err != JET_errSuccess) { EXPECT_EQ(*got, kSentinel) << "a failed read (" << err << ") set *pcbActual"; }
    return err;
}

// A full backup with the database open (nothing read yet).
struct DatabaseOpen : OneEse {
    uint64_t size = 0;
    DatabaseOpen() {
        EXPECT_EQ(JetBeginExternalBackupInstance(h(), 0), JET_errSuccess);
        EXPECT_EQ(jetOpen(h(), kEseDatabase, &size), JET_errSuccess);
    }
};

// A full backup past its log list, with its first log open (nothing read yet).
struct LogOpen : OneEse {
    std::vector<std::string> logs;
    uint64_t size = 0;
    LogOpen() {
        EXPECT_EQ(WbWriteServerA("ESE01", 3), S_OK);
        EXPECT_EQ(JetBeginExternalBackupInstance(h(), 0), JET_errSuccess);
        EXPECT_EQ(jetLogInfo(h(), &logs), JET_errSuccess);
        EXPECT_FALSE(logs.empty());
        if (!logs.empty()) { EXPECT_EQ(jetOpen(h(), logs[0], &size), JET_errSuccess); }
    }
};

// A full backup past its log list with a patch file (any file that is not a log) open: `pages`
// pages of bytes written to C:\ESE\ese.pat, nothing read yet.
struct PatchOpen : OneEse {
    std::string local;
    std::vector<uint8_t> content;
    explicit PatchOpen(size_t pages = 4) {
        std::vector<std::string> logs;
        EXPECT_EQ(JetBeginExternalBackupInstance(h(), 0), JET_errSuccess);
        EXPECT_EQ(jetLogInfo(h(), &logs), JET_errSuccess);
        local = eseDatabaseFile();
        local = local.substr(0, local.size() - 3) + "pat";
        content.resize(pages * kPage);
        for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<uint8_t>(i * 13 + 5);
        FILE *f = fopen(local.c_str(), "wb");
        EXPECT_NE(f, nullptr) << local;
        if (f) {
            EXPECT_EQ(fwrite(content.data(), 1, content.size(), f), content.size());
            fclose(f);
        }
        EXPECT_EQ(jetOpen(h(), "C:\\ESE\\ese.pat"), JET_errSuccess);
    }
};

}  // namespace

// --- JetReadFileInstance ------------------------------------------------------------------------------

TEST(JetReadFileInstance, WithoutABackupIsNoBackupBeforeAnyBufferCheck) {  // §A.2 ReadFile: no backup -> -520, first
    OneEse root;
    AlignedBuffer buf(3 * kPage);
    uint32_t got;
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errNoBackup);
    EXPECT_EQ(readOnce(root.h(), buf.p + 1, 3 * kPage, &got), JET_errNoBackup) << "an unaligned buffer";
    EXPECT_EQ(readOnce(root.h(), buf.p, 100, &got), JET_errNoBackup) << "a bad size";
    EXPECT_EQ(readOnce(root.h(), nullptr, 3 * kPage, &got), JET_errNoBackup) << "a NULL buffer";
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got, 5), JET_errNoBackup) << "a bad handle";
}

TEST(JetReadFileInstance, AfterJetStopBackupIsBackupAbortByServerBeforeAnyBufferCheck) {  // §A.2 ReadFile: stopped -> -801
    DatabaseOpen root;
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    AlignedBuffer buf(3 * kPage);
    uint32_t got;
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errBackupAbortByServer);
    EXPECT_EQ(readOnce(root.h(), buf.p + 1, kPage, &got), JET_errBackupAbortByServer);
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got, 5), JET_errBackupAbortByServer);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetReadFileInstance, ANullBufferOrCountIsInvalidParameter) {  // contract: pv or got NULL -> -1003
    DatabaseOpen root;
    AlignedBuffer buf(3 * kPage);
    uint32_t got;
    EXPECT_EQ(readOnce(root.h(), nullptr, 3 * kPage, &got), JET_errInvalidParameter);
    EXPECT_EQ(JetReadFileInstance(root.h(), 0, buf.p, 3 * kPage, nullptr), JET_errInvalidParameter);
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errSuccess) << "the file is still open and unread";
    EXPECT_EQ(got, 3 * kPage);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, TheBufferMustBe4KiBAligned) {  // §A.2 ReadFile: aligned to the commit granularity (4 KiB), else -1003
    DatabaseOpen root;
    AlignedBuffer buf(4 * kPage);
    uint32_t got;
    for (size_t skew : {1u, 8u, 512u, 2048u, 4095u})
        EXPECT_EQ(readOnce(root.h(), buf.p + skew, 3 * kPage, &got), JET_errInvalidParameter) << "buffer at +" << skew;
    EXPECT_EQ(readOnce(root.h(), buf.p + 4096, 3 * kPage, &got), JET_errSuccess) << "4096-aligned is enough";
    EXPECT_EQ(got, 3 * kPage);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, TheSizeMustBeANonZeroMultipleOfThePageSize) {  // §A.2 ReadFile: cbMax a multiple of the page size; zero pages -> -1003
    DatabaseOpen root;
    AlignedBuffer buf(8 * kPage);
    uint32_t got;
    for (uint32_t cb : {0u, 1u, 4096u, 3 * kPage - 1, 3 * kPage + 4096, 3 * kPage + 1, 5 * kPage - 512})
        EXPECT_EQ(readOnce(root.h(), buf.p, cb, &got), JET_errInvalidParameter) << "cb " << cb;
    EXPECT_EQ(readOnce(root.h(), buf.p, 4 * kPage, &got), JET_errSuccess) << "the file was not read yet";
    EXPECT_EQ(got, 4 * kPage);
    EXPECT_EQ(readOnce(root.h(), buf.p, 0, &got), JET_errInvalidParameter) << "zero pages, later too";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, FirstDatabaseReadNeedsThreePages) {  // §A.2 ReadFile: the first read of a database needs > 2 pages
    DatabaseOpen root;
    AlignedBuffer buf(4 * kPage);
    uint32_t got;
    EXPECT_EQ(readOnce(root.h(), buf.p, kPage, &got), JET_errInvalidParameter);
    EXPECT_EQ(readOnce(root.h(), buf.p, 2 * kPage, &got), JET_errInvalidParameter);
    ASSERT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errSuccess);
    EXPECT_EQ(got, 3 * kPage);
    EXPECT_TRUE(headerPageParses(buf.p)) << "the stream starts with the header";
    // later reads may be a page
    EXPECT_EQ(readOnce(root.h(), buf.p, kPage, &got), JET_errSuccess) << "only the first read needs three pages";
    EXPECT_EQ(got, kPage);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, FirstDatabaseReadRuleAppliesAgainAfterAReopen) {  // §A.2 ReadFile: "copy position 0" of the file opened anew
    DatabaseOpen root;
    AlignedBuffer buf(3 * kPage);
    uint32_t got;
    ASSERT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errSuccess);
    ASSERT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(root.h(), kEseDatabase), JET_errSuccess);
    EXPECT_EQ(readOnce(root.h(), buf.p, 2 * kPage, &got), JET_errInvalidParameter);
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, FirstLogReadNeedsTwoPages) {  // §A.2 ReadFile: a log read at offset 0 needs at least 2 pages
    LogOpen root;
    ASSERT_FALSE(root.logs.empty());
    AlignedBuffer buf(2 * kPage);
    uint32_t got;
    EXPECT_EQ(readOnce(root.h(), buf.p, kPage, &got), JET_errInvalidParameter);
    ASSERT_EQ(readOnce(root.h(), buf.p, 2 * kPage, &got), JET_errSuccess);
    EXPECT_EQ(got, 2 * kPage);
    std::vector<uint8_t> file = readFile(root.logs[0]);
    ASSERT_GE(file.size(), 3 * kPage);
    EXPECT_EQ(memcmp(buf.p, file.data(), 2 * kPage), 0) << "a log is delivered as it is on disk";
    EXPECT_EQ(readOnce(root.h(), buf.p, kPage, &got), JET_errSuccess) << "only the first read needs two pages";
    EXPECT_EQ(got, kPage);
    EXPECT_EQ(memcmp(buf.p, file.data() + 2 * kPage, kPage), 0);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, ALogIsReadInPageMultiplesWithAShortLastRead) {  // §A.2 ReadFile: page multiples; the last read is short; then 0 bytes
    LogOpen root;
    ASSERT_FALSE(root.logs.empty());
    std::vector<uint8_t> file = readFile(root.logs[0]);
    ASSERT_EQ(root.size, file.size()) << "a log's size is its file's";
    const uint32_t chunk = 3 * kPage;
    ASSERT_NE(file.size() % chunk, 0u) << "pick a chunk that does not divide the log";
    AlignedBuffer buf(chunk);
    std::vector<uint8_t> got;
    for (size_t expected = file.size(); expected > 0;) {
        uint32_t n;
        ASSERT_EQ(readOnce(root.h(), buf.p, chunk, &n), JET_errSuccess);
        EXPECT_EQ(n, std::min<size_t>(chunk, expected));
        ASSERT_GT(n, 0u);
        got.insert(got.end(), buf.p, buf.p + n);
        expected -= std::min<size_t>(n, expected);
    }
    EXPECT_TRUE(got == file);
    uint32_t n;
    EXPECT_EQ(readOnce(root.h(), buf.p, chunk, &n), JET_errSuccess);
    EXPECT_EQ(n, 0u) << "after the end: success with 0 bytes";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, ReadsAfterTheEndSucceedWithZeroBytes) {  // §A.2 ReadFile: any read after the end returns 0 bytes with success
    DatabaseOpen root;
    std::vector<uint8_t> stream;
    ASSERT_EQ(jetReadAll(root.h(), &stream, 4 * kPage), JET_errSuccess);
    EXPECT_EQ(stream.size(), root.size);
    AlignedBuffer buf(4 * kPage);
    for (uint32_t cb : {4 * kPage, kPage, 2 * kPage}) {
        uint32_t got = kSentinel;
        EXPECT_EQ(JetReadFileInstance(root.h(), 0, buf.p, cb, &got), JET_errSuccess) << "cb " << cb;
        EXPECT_EQ(got, 0u);
    }
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, AHandleOtherThanTheOpenFileIsInvalidParameter) {  // §A.2 ReadFile: not bounds-checked in ESE; the emulator -> -1003 (contract)
    DatabaseOpen root;
    AlignedBuffer buf(3 * kPage);
    uint32_t got;
    for (JET_HANDLE hf : {JET_HANDLE(1), JET_HANDLE(2), kSentinelHandle, JET_handleNil})
        EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got, hf), JET_errInvalidParameter) << "handle " << hf;
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errSuccess) << "the open file was not read yet";
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errInvalidParameter) << "handle 0 with no file open";
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "the backup goes on";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, TheBufferIsCheckedBeforeTheHandle) {  // contract: checks in order: buffer, size, then handle
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);  // no file open
    AlignedBuffer buf(3 * kPage);
    uint32_t got;
    // all -1003; what matters is that none of them reaches the file
    EXPECT_EQ(readOnce(root.h(), buf.p + 1, 3 * kPage, &got, 9), JET_errInvalidParameter);
    EXPECT_EQ(readOnce(root.h(), buf.p, 0, &got, 9), JET_errInvalidParameter);
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got, 9), JET_errInvalidParameter);
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "none of these failures aborts the backup";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

// --- JetCloseFileInstance ------------------------------------------------------------------------------

TEST(JetCloseFileInstance, WithoutABackupIsNoBackup) {  // §A.2 CloseFile: no backup -> -520 (before the handle)
    OneEse root;
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errNoBackup);
    EXPECT_EQ(JetCloseFileInstance(root.h(), 7), JET_errNoBackup);
    EXPECT_EQ(JetCloseFileInstance(root.h(), JET_handleNil), JET_errNoBackup);
}

TEST(JetCloseFileInstance, ABadOrUnusedHandleIsInvalidParameter) {  // §A.2 CloseFile: bad or unused handle -> -1003
    DatabaseOpen root;
    for (JET_HANDLE hf : {JET_HANDLE(1), kSentinelHandle, JET_handleNil})
        EXPECT_EQ(JetCloseFileInstance(root.h(), hf), JET_errInvalidParameter) << "handle " << hf;
    AlignedBuffer buf(3 * kPage);
    uint32_t got;
    EXPECT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errSuccess) << "the open file stayed open";
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errInvalidParameter) << "closed already";
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "the backup goes on";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetCloseFileInstance, WorksAfterJetStopBackup) {  // §A.2 CloseFile checks -520 and the handle only, not the stop
    DatabaseOpen root;
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errInvalidParameter) << "no file open any more";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetCloseFileInstance, ClosingBeforeTheEndIsAllowedAndTheFileCanBeOpenedAgain) {  // §A.2 CloseFile: a partly read file closes
    DatabaseOpen root;
    AlignedBuffer buf(3 * kPage);
    uint32_t got;
    ASSERT_EQ(readOnce(root.h(), buf.p, 3 * kPage, &got), JET_errSuccess);
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    std::vector<uint8_t> stream;
    EXPECT_EQ(jetCopy(root.h(), kEseDatabase, &stream), JET_errSuccess) << "opened again, from its start";
    EXPECT_TRUE(databaseStreamMatches(stream, eseDatabaseFile()));
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, FirstPatchFileReadNeedsTwoPages) {  // §A.2 ReadFile: "Log and patch files: a read at offset 0 needs at least 2 pages"
    PatchOpen root;
    AlignedBuffer buf(2 * kPage);
    uint32_t got;
    EXPECT_EQ(readOnce(root.h(), buf.p, kPage, &got), JET_errInvalidParameter);
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "the refusal aborts nothing";
    ASSERT_EQ(readOnce(root.h(), buf.p, 2 * kPage, &got), JET_errSuccess);
    EXPECT_EQ(got, 2 * kPage);
    EXPECT_EQ(memcmp(buf.p, root.content.data(), 2 * kPage), 0);
    EXPECT_EQ(readOnce(root.h(), buf.p, kPage, &got), JET_errSuccess) << "only the first read needs two pages";
    EXPECT_EQ(got, kPage);
    EXPECT_EQ(memcmp(buf.p, root.content.data() + 2 * kPage, kPage), 0);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetReadFileInstance, AReadErrorOnAPatchFileAbortsTheBackup) {  // §A.2 ReadFile: "A read error on a log or patch file aborts the whole backup"
    PatchOpen root;
    AlignedBuffer buf(2 * kPage);
    uint32_t got;
    ASSERT_EQ(readOnce(root.h(), buf.p, 2 * kPage, &got), JET_errSuccess);
    truncateFile(root.local, kPage);  // the rest of the file is gone: the next read cannot be served
    JET_ERR err = readOnce(root.h(), buf.p, 2 * kPage, &got);
    EXPECT_LT(err, 0) << "a read of bytes that are gone";
    RecordProperty("err", err);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup) << "the backup was aborted (read error " << err << ")";
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errNoBackup);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "the server is free at once";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}
