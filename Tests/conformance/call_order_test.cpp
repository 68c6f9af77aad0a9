// The call-order matrix of a backup context: what each call answers before Prepare, after End,
// out of sequence, and after an abort (docs/CONTRACT-NTDSBCLI.md, each export).
#include "helpers.h"

using namespace wbtest;

static const char16_t *kDit = u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit";

namespace {

// Every handle-taking call once on hbc, with valid other arguments; the results in call order:
// GetDatabaseNamesW, GetDatabaseNamesA, OpenFileW, OpenFileA, Read, Close, GetBackupLogsW,
// GetBackupLogsA, TruncateLogs.
std::vector<HRESULT> everyCall(HBC hbc) {
    std::vector<HRESULT> out;
    WCHAR *lw = nullptr;
    char *la = nullptr;
    DWORD cb = kSentinel;
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>(kSentinel);
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    out.push_back(DsBackupGetDatabaseNamesW(hbc, &lw, &cb));
    out.push_back(DsBackupGetDatabaseNamesA(hbc, &la, &cb));
    out.push_back(DsBackupOpenFileW(hbc, kDit, kChunk, &size));
    out.push_back(DsBackupOpenFileA(hbc, "C:\\Windows\\NTDS\\ntds.dit", kChunk, &size));
    out.push_back(DsBackupRead(hbc, buf.data(), kChunk, &got));
    out.push_back(DsBackupClose(hbc));
    out.push_back(DsBackupGetBackupLogsW(hbc, &lw, &cb));
    out.push_back(DsBackupGetBackupLogsA(hbc, &la, &cb));
    out.push_back(DsBackupTruncateLogs(hbc));
    EXPECT_EQ(lw, nullptr);
    EXPECT_EQ(la, nullptr);
    EXPECT_EQ(cb, kSentinel);
    EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    EXPECT_EQ(got, kSentinel);
    return out;
}

}  // namespace

TEST(CallOrder, EveryCallBeforePrepareIsInvalidParameter) {  // contract: bad/NULL/garbage handle -> 87
    OneServer root;
    for (HBC hbc : {static_cast<HBC>(nullptr), garbageHbc()}) {
        EXPECT_EQ(everyCall(hbc), std::vector<HRESULT>(9, ERROR_INVALID_PARAMETER));
        EXPECT_EQ(DsBackupEnd(hbc), ERROR_INVALID_PARAMETER);
    }
}

TEST(CallOrder, EveryCallAfterEndIsInvalidParameter) {  // contract: stale handle -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    HBC stale = b.hbc;
    ASSERT_EQ(b.end(), S_OK);
    EXPECT_EQ(everyCall(stale), std::vector<HRESULT>(9, ERROR_INVALID_PARAMETER));
    EXPECT_EQ(DsBackupEnd(stale), ERROR_INVALID_PARAMETER);  // End twice
}

TEST(CallOrder, ReadAndCloseBeforeOpenSayInvalidHandle) {  // contract: no file open -> hrInvalidHandle
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), hrInvalidHandle);
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(DsBackupClose(b.hbc), hrInvalidHandle);
    EXPECT_EQ(b.open(kDit), S_OK);  // the backup goes on
}

TEST(CallOrder, ASecondOpenSaysAlreadyOpen) {  // contract: a file already open -> hrAlreadyOpen
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.open(kDit), S_OK);
    EXPECT_EQ(b.open(kDit), hrAlreadyOpen);
    EXPECT_EQ(b.open(u"C:\\Windows\\NTDS\\edb.chk"), hrAlreadyOpen);
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
    EXPECT_EQ(b.open(kDit), S_OK);
}

TEST(CallOrder, ANameNotInTheListSaysDatabaseNotFoundAndTheBackupGoesOn) {  // contract: hrDatabaseNotFound; goes on
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.open(u"\\\\DC01\\C$\\Windows\\NTDS\\edb00002.log"), hrDatabaseNotFound);
    EXPECT_EQ(b.open(u"C:\\Windows\\NTDS\\nosuchfile.dit"), hrDatabaseNotFound);
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.copy(kDit, &stream), S_OK);
    std::vector<std::u16string> logs;
    EXPECT_EQ(b.logNames(&logs), S_OK);
}

TEST(CallOrder, ANameWithDotDotIsInvalidParameter) {  // contract: a ".." component -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.open(u"\\\\DC01\\C$\\Windows\\..\\Windows\\NTDS\\ntds.dit"), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(b.open(kDit), S_OK);
}

TEST(CallOrder, AnotherServersPathIsAccessDenied) {  // contract: UNC of another server -> 5
    OneServer root;
    root.create("DC02");
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.open(u"\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit"), ERROR_ACCESS_DENIED);
    EXPECT_EQ(b.open(kDit), S_OK);
}

TEST(CallOrder, TheDatabaseListStillWorksAfterTheLogList) {  // contract: still works after GetBackupLogs
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> before, logs, after;
    ASSERT_EQ(b.databaseNames(&before), S_OK);
    ASSERT_EQ(b.logNames(&logs), S_OK);
    EXPECT_EQ(b.databaseNames(&after), S_OK);
    EXPECT_EQ(before, after);
    char *la = nullptr;
    DWORD cb = 0;
    EXPECT_EQ(DsBackupGetDatabaseNamesA(b.hbc, &la, &cb), S_OK);
    DsBackupFree(la);
}

TEST(CallOrder, OpeningTheDatabaseAfterTheLogListAbortsTheBackup) {  // contract: hrInvalidBackupSequence, then hrNoBackup
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>(kSentinel);
    EXPECT_EQ(DsBackupOpenFileW(b.hbc, kDit, kChunk, &size), hrInvalidBackupSequence);
    EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    // later calls: hrNoBackup
    EXPECT_EQ(everyCall(b.hbc), std::vector<HRESULT>(9, hrNoBackup));
    // a new Prepare works at once, before the aborted context is ended
    {
        Backup next(u"DC01");
        EXPECT_EQ(next.hr, S_OK);
    }
    EXPECT_EQ(b.end(), S_OK);
    Backup after(u"DC01");
    EXPECT_EQ(after.hr, S_OK);
}

TEST(CallOrder, TruncateBeforeTheLogsWereReadToTheEnd) {  // contract: -> WB_HR_LOG_FILE_NOT_COPIED
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> bytes;
    ASSERT_EQ(b.copy(kDit, &bytes), S_OK);
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    ASSERT_FALSE(logs.empty());
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), WB_HR_LOG_FILE_NOT_COPIED);
    for (auto &l : logs) ASSERT_EQ(b.copy(l, &bytes), S_OK);
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), S_OK);
}

TEST(CallOrder, EndTwiceIsInvalidParameter) {  // contract: already ended handle -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(DsBackupEnd(b.hbc), S_OK);
    EXPECT_EQ(DsBackupEnd(b.hbc), ERROR_INVALID_PARAMETER);
    b.ended = true;
}
