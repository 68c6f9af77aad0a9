// DsBackupTruncateLogs and DsBackupEnd, and the log phase of DsBackupOpenFile
// (docs/CONTRACT-NTDSBCLI.md "DsBackupTruncateLogs", "DsBackupEnd", "DsBackupOpenFileA/W").
#include "helpers.h"

#include <algorithm>
#include <cstdio>

using namespace wbtest;

namespace {

std::vector<uint32_t> archivedGenerations(const char *server) {
    std::vector<uint32_t> out;
    for (auto &name : listDir(TestRoot::logDir(server)))
        if (uint32_t g = logGeneration(u16(name))) out.push_back(g);
    std::sort(out.begin(), out.end());
    return out;
}

std::string logPath(const char *server, uint32_t g) {
    char name[32];
    snprintf(name, sizeof name, "/edb%05X.log", g);
    return TestRoot::logDir(server) + name;
}

// Prepare, copy the database, take the log list and copy every log.
struct CopiedBackup {
    Backup b;
    std::vector<std::u16string> logs;
    explicit CopiedBackup(const char16_t *server) : b(server) {
        if (!b.ok()) return;
        std::vector<std::u16string> dbs;
        std::vector<uint8_t> bytes;
        EXPECT_EQ(b.databaseNames(&dbs), S_OK);
        EXPECT_EQ(b.copy(dbs.at(0), &bytes), S_OK);
        EXPECT_EQ(b.logNames(&logs), S_OK);
        for (auto &l : logs) EXPECT_EQ(b.copy(l, &bytes), S_OK) << u8(l);
    }
};

}  // namespace

TEST(DsBackupTruncateLogs, DeletesTheLogsBelowTheListAndKeepsTheListed) {  // contract: S_OK, below checkpoint and first listed
    OneServer root;
    std::vector<uint32_t> before = archivedGenerations("DC01");
    ASSERT_FALSE(before.empty());
    CopiedBackup c(u"DC01");
    ASSERT_TRUE(c.b.ok());
    ASSERT_FALSE(c.logs.empty());
    uint32_t first = logGeneration(c.logs.front());
    EXPECT_EQ(DsBackupTruncateLogs(c.b.hbc), S_OK);
    for (uint32_t g : before)
        if (g < first) {
            EXPECT_FALSE(fileExists(logPath("DC01", g))) << "generation " << g << " was not deleted";
        }
    for (auto &l : c.logs) EXPECT_TRUE(fileExists(TestRoot::local("DC01", u8(l).c_str()))) << u8(l) << " was deleted";
    EXPECT_TRUE(fileExists(TestRoot::local("DC01", "C:\\Windows\\NTDS\\edb.log")));
    EXPECT_TRUE(fileExists(TestRoot::ntdsDit("DC01")));
    EXPECT_EQ(DsBackupTruncateLogs(c.b.hbc), S_OK);  // contract: can be called twice
    EXPECT_EQ(c.b.end(), S_OK);
}

// contract (ESE's ErrBKIPrepareLogFiles): the delete range ends at min(checkpoint at the log list, the new
// generation); a listed log behind a checkpoint that moved is deleted too: it is in the backup.
TEST(DsBackupTruncateLogs, DeletesUpToTheCheckpointEvenListedLogsWhenItMovedDuringTheBackup) {
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> bytes;
    ASSERT_EQ(b.openDatabase(), S_OK);
    ASSERT_EQ(b.readAll(&bytes), ERROR_HANDLE_EOF);
    ASSERT_EQ(DsBackupClose(b.hbc), S_OK);
    ASSERT_EQ(WbWriteServerA("DC01", 10), S_OK);  // the server works on: logs roll, the checkpoint moves
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    ASSERT_GT(logs.size(), 1u);
    for (auto &l : logs) ASSERT_EQ(b.copy(l, &bytes), S_OK) << u8(l);
    uint32_t checkpoint = checkpointGeneration("DC01");  // as of the log list: nothing writes since
    EXPECT_GT(checkpoint, logGeneration(logs.front()));  // the writer moved it past the first listed log
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), S_OK);
    std::vector<uint32_t> left = archivedGenerations("DC01");
    ASSERT_FALSE(left.empty());
    EXPECT_EQ(left.front(), checkpoint) << "everything below the checkpoint goes, nothing at or above it";
    EXPECT_EQ(left.back(), logGeneration(logs.back()));
}

TEST(DsBackupTruncateLogs, RefusesBeforeTheLogListWasTaken) {  // contract: before GetBackupLogs -> hrInvalidBackupSequence
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint32_t> before = archivedGenerations("DC01");
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), hrInvalidBackupSequence);
    std::vector<uint8_t> bytes;
    ASSERT_EQ(b.openDatabase(), S_OK);
    ASSERT_EQ(b.readAll(&bytes), ERROR_HANDLE_EOF);
    ASSERT_EQ(DsBackupClose(b.hbc), S_OK);
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), hrInvalidBackupSequence);
    EXPECT_EQ(archivedGenerations("DC01"), before);
    // the backup goes on, in its database phase
    EXPECT_EQ(b.openDatabase(), S_OK);
}

TEST(DsBackupTruncateLogs, RefusesWhileAFileIsOpen) {  // contract: a file open -> hrInvalidBackupSequence
    OneServer root;
    CopiedBackup c(u"DC01");
    ASSERT_TRUE(c.b.ok());
    ASSERT_EQ(c.b.open(c.logs.front()), S_OK);
    EXPECT_EQ(DsBackupTruncateLogs(c.b.hbc), hrInvalidBackupSequence);
    std::vector<uint8_t> bytes;
    EXPECT_EQ(c.b.readAll(&bytes), ERROR_HANDLE_EOF);
    EXPECT_EQ(DsBackupClose(c.b.hbc), S_OK);
    EXPECT_EQ(DsBackupTruncateLogs(c.b.hbc), S_OK);
}

TEST(DsBackupTruncateLogs, RefusesWhenAListedLogWasNotReadToItsEnd) {  // contract: -> WB_HR_LOG_FILE_NOT_COPIED
    OneServer root;
    ASSERT_EQ(WbWriteServerA("DC01", 4), S_OK);
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> bytes;
    ASSERT_EQ(b.openDatabase(), S_OK);
    ASSERT_EQ(b.readAll(&bytes), ERROR_HANDLE_EOF);
    ASSERT_EQ(DsBackupClose(b.hbc), S_OK);
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    ASSERT_FALSE(logs.empty());
    // nothing copied
    std::vector<uint32_t> before = archivedGenerations("DC01");
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), WB_HR_LOG_FILE_NOT_COPIED);
    // the last one only partly read
    for (size_t i = 0; i + 1 < logs.size(); ++i) ASSERT_EQ(b.copy(logs[i], &bytes), S_OK);
    ASSERT_EQ(b.open(logs.back()), S_OK);
    std::vector<uint8_t> buf(kMinRead);
    DWORD got = 0;
    ASSERT_EQ(DsBackupRead(b.hbc, buf.data(), kMinRead, &got), S_OK);
    ASSERT_EQ(DsBackupClose(b.hbc), S_OK);
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), WB_HR_LOG_FILE_NOT_COPIED);
    EXPECT_EQ(archivedGenerations("DC01"), before) << "a refused truncation deleted logs";
    // read to the end, it is copied
    ASSERT_EQ(b.copy(logs.back(), &bytes), S_OK);
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), S_OK);
}

TEST(DsBackupOpenFile, RefusesAMissingArchivedLogAndAbortsTheBackup) {  // contract: -> WB_HR_MISSING_FILE_TO_BACKUP + abort
    OneServer root;
    CopiedBackup c(u"DC01");
    ASSERT_TRUE(c.b.ok());
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>(kSentinel);
    EXPECT_EQ(DsBackupOpenFileW(c.b.hbc, u"\\\\DC01\\C$\\Windows\\NTDS\\edb000FF.log", kChunk, &size),
              WB_HR_MISSING_FILE_TO_BACKUP);
    EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    EXPECT_EQ(c.b.open(c.logs.front()), hrNoBackup);
    Backup next(u"DC01");  // the aborted backup no longer holds the server
    EXPECT_EQ(next.hr, S_OK);
    EXPECT_EQ(c.b.end(), S_OK);
}

TEST(DsBackupOpenFile, RefusesTheCurrentLogAndAbortsTheBackup) {  // contract: "edb.log" -> 87 + abort
    OneServer root;
    CopiedBackup c(u"DC01");
    ASSERT_TRUE(c.b.ok());
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>(kSentinel);
    EXPECT_EQ(DsBackupOpenFileA(c.b.hbc, "C:\\Windows\\NTDS\\edb.log", kChunk, &size), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    EXPECT_EQ(c.b.open(c.logs.front()), hrNoBackup);
    EXPECT_EQ(DsBackupTruncateLogs(c.b.hbc), hrNoBackup);
    Backup next(u"DC01");
    EXPECT_EQ(next.hr, S_OK);
    EXPECT_EQ(c.b.end(), S_OK);
}

TEST(DsBackupOpenFile, OpensAnyExistingFileOfTheServerInTheLogPhase) {  // contract: any existing file is opened (as ESE)
    OneServer root;
    CopiedBackup c(u"DC01");
    ASSERT_TRUE(c.b.ok());
    std::vector<uint8_t> bytes;
    for (const char *name : {"C:\\Windows\\NTDS\\edb.chk", "\\\\DC01\\C$\\Windows\\NTDS\\edb00001.log"}) {
        std::string local = TestRoot::local("DC01", name);
        LONGLONG size = -1;
        ASSERT_EQ(c.b.open(u16(name), &size), S_OK) << name;
        std::vector<uint8_t> file = readFile(local);
        EXPECT_EQ(size, static_cast<LONGLONG>(file.size())) << name;
        bytes.clear();
        EXPECT_EQ(c.b.readAll(&bytes), ERROR_HANDLE_EOF) << name;
        EXPECT_TRUE(bytes == file) << name;
        EXPECT_EQ(DsBackupClose(c.b.hbc), S_OK);
    }
    EXPECT_EQ(DsBackupTruncateLogs(c.b.hbc), S_OK);
}

TEST(DsBackupEnd, EndsTheBackupAndStalesTheHandle) {  // contract: S_OK; the handle is stale after; End twice -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    HBC hbc = b.hbc;
    EXPECT_EQ(b.end(), S_OK);
    EXPECT_EQ(DsBackupEnd(hbc), ERROR_INVALID_PARAMETER);
    Backup next(u"DC01");
    EXPECT_EQ(next.hr, S_OK);
}

TEST(DsBackupEnd, SucceedsWhateverHappenedBefore) {  // contract: S_OK, whatever happened before
    OneServer root;
    {   // with a file open, partly read
        Backup b(u"DC01");
        ASSERT_TRUE(b.ok());
        ASSERT_EQ(b.openDatabase(), S_OK);
        std::vector<uint8_t> buf(kChunk);
        DWORD got = 0;
        ASSERT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), S_OK);
        EXPECT_EQ(b.end(), S_OK);
    }
    {   // right after Prepare
        Backup b(u"DC01");
        ASSERT_TRUE(b.ok());
        EXPECT_EQ(b.end(), S_OK);
    }
    {   // after the log list, nothing copied
        Backup b(u"DC01");
        ASSERT_TRUE(b.ok());
        std::vector<std::u16string> logs;
        ASSERT_EQ(b.logNames(&logs), S_OK);
        EXPECT_EQ(b.end(), S_OK);
    }
    {   // after an abort
        Backup b(u"DC01");
        ASSERT_TRUE(b.ok());
        std::vector<std::u16string> logs;
        ASSERT_EQ(b.logNames(&logs), S_OK);
        EXPECT_EQ(b.openDatabase(), hrInvalidBackupSequence);
        EXPECT_EQ(b.end(), S_OK);
    }
    Backup last(u"DC01");
    EXPECT_EQ(last.hr, S_OK);
}

TEST(DsBackupOpenFile, AcceptsEverySpellingOfAListedLog) {  // contract: UNC, drive and local spellings are accepted
    OneServer root;
    CopiedBackup c(u"DC01");
    ASSERT_TRUE(c.b.ok());
    ASSERT_FALSE(c.logs.empty());
    std::string unc = u8(c.logs.front());
    std::string local = TestRoot::local("DC01", unc.c_str());
    std::string drive = "C:" + unc.substr(unc.find("\\Windows"));
    std::vector<uint8_t> file = readFile(local), bytes;
    for (const std::string &name : {drive, local}) {
        EXPECT_EQ(c.b.copy(u16(name), &bytes), S_OK) << name;
        EXPECT_TRUE(bytes == file) << name;
    }
    EXPECT_EQ(DsBackupTruncateLogs(c.b.hbc), S_OK);
}
