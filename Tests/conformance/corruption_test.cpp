// Damaged files: every page and log segment is verified as it is read
// (docs/CONTRACT-NTDSBCLI.md "DsBackupRead": hrReadVerifyFailure, WB_HR_READ_PGNO_VERIFY_FAILURE,
// WB_HR_LOG_READ_VERIFY_FAILURE).
#include "helpers.h"

#include <cstring>

using namespace wbtest;

namespace {

// A page of the file that holds data (not all zero), from the middle of the database.
size_t dataPage(const std::vector<uint8_t> &file, size_t from) {
    size_t pages = file.size() / kPage - 2;
    for (size_t pgno = from; pgno <= pages; ++pgno) {
        const uint8_t *p = file.data() + (pgno + 1) * kPage;
        for (size_t i = 0; i < kPage; ++i)
            if (p[i] != 0) return pgno;
    }
    return 0;
}

// Reads the open file to its end or its first failure; *good counts the bytes delivered.
HRESULT readUntilFailure(Backup &b, size_t *good) {
    std::vector<uint8_t> bytes;
    HRESULT hr = b.readAll(&bytes, kMinRead);
    *good = bytes.size();
    return hr;
}

}  // namespace

TEST(Corruption, ADamagedDatabasePageIsReadVerifyFailure) {  // contract: checksum fails -> hrReadVerifyFailure, file closed
    OneServer root;
    std::string dit = TestRoot::ntdsDit("DC01");
    std::vector<uint8_t> file = readFile(dit);
    size_t pgno = dataPage(file, file.size() / kPage / 2);
    ASSERT_NE(pgno, 0u) << "no data page to damage";
    flipByte(dit, (pgno + 1) * kPage + kPage / 2);  // a byte in the middle of the page

    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    size_t good = 0;
    EXPECT_EQ(readUntilFailure(b, &good), hrReadVerifyFailure);
    EXPECT_LE(good, (pgno + 1) * kPage) << "the damaged page was delivered";
    // that file is closed; the backup goes on
    EXPECT_EQ(DsBackupClose(b.hbc), hrInvalidHandle);
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), hrInvalidHandle);
    EXPECT_EQ(got, kSentinel);
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    std::vector<uint8_t> bytes;
    for (auto &l : logs) EXPECT_EQ(b.copy(l, &bytes), S_OK) << u8(l);
    EXPECT_EQ(b.end(), S_OK);
}

TEST(Corruption, APageAtTheWrongPlaceIsPgnoVerifyFailure) {  // contract: valid page, wrong place -> WB_HR_READ_PGNO_VERIFY_FAILURE
    OneServer root;
    std::string dit = TestRoot::ntdsDit("DC01");
    std::vector<uint8_t> file = readFile(dit);
    size_t from = dataPage(file, 3);
    size_t to = dataPage(file, from + 1);
    ASSERT_NE(from, 0u);
    ASSERT_NE(to, 0u);
    std::vector<uint8_t> page(file.begin() + (from + 1) * kPage, file.begin() + (from + 2) * kPage);
    writeAt(dit, (to + 1) * kPage, page);  // page `from`, whole and valid, where page `to` belongs

    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    size_t good = 0;
    EXPECT_EQ(readUntilFailure(b, &good), WB_HR_READ_PGNO_VERIFY_FAILURE) << "page " << from << " copied over page " << to;
    EXPECT_LE(good, (to + 1) * kPage);
    EXPECT_EQ(b.end(), S_OK);
}

TEST(Corruption, AnUntouchedDatabaseReadsCleanAfterAnotherWasDamaged) {  // contract: the damage is the file's, not the library's
    TestRoot root;
    root.create("DC01");
    root.create("DC02");
    std::string dit = TestRoot::ntdsDit("DC01");
    std::vector<uint8_t> file = readFile(dit);
    size_t pgno = dataPage(file, 10);
    ASSERT_NE(pgno, 0u);
    flipByte(dit, (pgno + 1) * kPage + 100);
    BackupResult r;
    EXPECT_TRUE(fullBackupW(u"DC02", &r));
    EXPECT_TRUE(databaseStreamMatches(r.stream, TestRoot::ntdsDit("DC02")));
}

TEST(Corruption, ADamagedLogIsLogReadVerifyFailureAndAbortsTheBackup) {  // contract: WB_HR_LOG_READ_VERIFY_FAILURE + abort
    OneServer root;
    ASSERT_EQ(WbWriteServerA("DC01", 3), S_OK);
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> bytes;
    ASSERT_EQ(b.openDatabase(), S_OK);
    ASSERT_EQ(b.readAll(&bytes), ERROR_HANDLE_EOF);
    ASSERT_EQ(DsBackupClose(b.hbc), S_OK);
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    ASSERT_FALSE(logs.empty());
    std::string local = TestRoot::local("DC01", u8(logs.front()).c_str());
    std::vector<uint8_t> log = readFile(local);
    ASSERT_GT(log.size(), 8192u);
    bool written = false;
    for (size_t i = 4096; i < 8192; ++i) written = written || log[i] != 0;
    ASSERT_TRUE(written) << "the first segment of " << local << " is empty: nothing to damage";
    flipByte(local, 4096 + 100);  // inside the first written segment

    ASSERT_EQ(b.open(logs.front()), S_OK);
    size_t good = 0;
    EXPECT_EQ(readUntilFailure(b, &good), WB_HR_LOG_READ_VERIFY_FAILURE);
    EXPECT_LE(good, 4096u) << "the damaged segment was delivered";
    // the backup is aborted: later calls -> hrNoBackup
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), hrNoBackup);
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(b.open(logs.back()), hrNoBackup);
    std::vector<std::u16string> again;
    EXPECT_EQ(b.logNames(&again), hrNoBackup);
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), hrNoBackup);
    {
        Backup next(u"DC01");  // the server is free again at once
        EXPECT_EQ(next.hr, S_OK);
    }
    EXPECT_EQ(b.end(), S_OK);
}
