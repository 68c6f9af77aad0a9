// A server stopped during a backup, and started again (docs/CONTRACT-NTDSBCLI.md "Wb*":
// WbStopServerA: running backups then get WB_HR_BACKUP_ABORT_BY_SERVER, except Close/End;
// "DsIsNTDSOnlineA/W": FALSE when offline; "DsBackupPrepareA/W": offline -> hrCouldNotConnect).
#include "helpers.h"

using namespace wbtest;

TEST(ServerStop, RunningBackupGetsAbortByServer) {  // contract: -> WB_HR_BACKUP_ABORT_BY_SERVER, End S_OK
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    std::vector<uint8_t> buf(kChunk);
    DWORD got = 0;
    ASSERT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), S_OK);

    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    got = kSentinel;
    EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(got, kSentinel);
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>(kSentinel);
    EXPECT_EQ(DsBackupOpenFileW(b.hbc, u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", kChunk, &size),
              WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    WCHAR *list = nullptr;
    DWORD cb = kSentinel;
    EXPECT_EQ(DsBackupGetBackupLogsW(b.hbc, &list, &cb), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(DsBackupGetDatabaseNamesW(b.hbc, &list, &cb), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(list, nullptr);
    EXPECT_EQ(cb, kSentinel);
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);  // Close is not refused: a file was open
    EXPECT_EQ(b.end(), S_OK);

    BOOL online = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineW(u"DC01", &online), S_OK);
    EXPECT_EQ(online, FALSE);
    {
        Backup refused(u"DC01");
        EXPECT_EQ(refused.hr, hrCouldNotConnect);
        EXPECT_EQ(refused.hbc, nullptr);
    }
    ASSERT_EQ(WbStartServerA("DC01"), S_OK);
    EXPECT_EQ(DsIsNTDSOnlineW(u"DC01", &online), S_OK);
    EXPECT_EQ(online, TRUE);
    BackupResult r;
    ASSERT_TRUE(fullBackupW(u"DC01", &r));
    EXPECT_TRUE(databaseStreamMatches(r.stream, TestRoot::ntdsDit("DC01")));
}

TEST(ServerStop, LogPhaseGetsAbortByServer) {  // contract: running backups get WB_HR_BACKUP_ABORT_BY_SERVER
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> bytes;
    std::vector<std::u16string> dbs, logs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    ASSERT_EQ(b.copy(dbs.at(0), &bytes), S_OK);
    ASSERT_EQ(b.logNames(&logs), S_OK);
    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    EXPECT_EQ(b.open(logs.at(0)), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), WB_HR_BACKUP_ABORT_BY_SERVER);
    char *list = nullptr;
    DWORD cb = kSentinel;
    EXPECT_EQ(DsBackupGetBackupLogsA(b.hbc, &list, &cb), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(list, nullptr);
    EXPECT_EQ(b.end(), S_OK);
    ASSERT_EQ(WbStartServerA("DC01"), S_OK);
    Backup again(u"DC01");
    EXPECT_EQ(again.hr, S_OK);
}

TEST(ServerStop, StartedServerCanBeBackedUpAfterAStopWithoutABackup) {  // contract: WbStartServerA brings it back
    OneServer root;
    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    ASSERT_EQ(WbStartServerA("DC01"), S_OK);
    ASSERT_EQ(WbStartServerA("DC01"), S_OK) << "WbStartServerA is a no-op when online";
    BackupResult r;
    ASSERT_TRUE(fullBackupW(u"DC01", &r));
    EXPECT_TRUE(databaseStreamMatches(r.stream, TestRoot::ntdsDit("DC01")));
}

TEST(ServerStop, StopFromAnotherProcessAbortsTheBackup) {  // contract: running backups get WB_HR_BACKUP_ABORT_BY_SERVER
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    pid_t stopper = spawnCtl({"server", "stop", "DC01"});
    ASSERT_GT(stopper, 0);
    ASSERT_EQ(waitExit(stopper), 0) << "winbackupctl server stop DC01 failed";
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(b.end(), S_OK);
    BOOL online = TRUE;
    EXPECT_EQ(DsIsNTDSOnlineA("DC01", &online), S_OK);
    EXPECT_EQ(online, FALSE);
}
