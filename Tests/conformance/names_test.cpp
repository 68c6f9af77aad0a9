// DsBackupGetDatabaseNamesA/W and DsBackupGetBackupLogsA/W: the lists and their arguments
// (docs/CONTRACT-NTDSBCLI.md "DsBackupGetDatabaseNamesA/W", "DsBackupGetBackupLogsA/W").
#include "helpers.h"

#include <algorithm>
#include <cstring>

using namespace wbtest;

static const std::u16string kDitUnc = u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit";

TEST(DsBackupGetDatabaseNames, ListsTheDatabaseAsOneUncEntryW) {  // contract: 0x44 + UNC, NUL, final NUL; cb = (len+2)*2
    OneServer root;
    Backup b(u"\\\\DC01");
    ASSERT_TRUE(b.ok());
    WCHAR *list = nullptr;
    DWORD cb = kSentinel;
    ASSERT_EQ(DsBackupGetDatabaseNamesW(b.hbc, &list, &cb), S_OK);
    ASSERT_NE(list, nullptr);
    std::u16string entry = u"\x44" + kDitUnc;
    EXPECT_EQ(cb, (entry.size() + 2) * 2);
    std::vector<std::u16string> entries;
    EXPECT_TRUE(parseListW(list, cb, &entries));
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(u8(entries[0].substr(1)), u8(kDitUnc));
    EXPECT_EQ(entries[0][0], static_cast<char16_t>(BFT_NTDS_DATABASE));
    DsBackupFree(list);
}

TEST(DsBackupGetDatabaseNames, ListsTheDatabaseInUtf8A) {  // contract: A: the same in UTF-8 bytes
    OneServer root;
    void *token = nullptr;
    DWORD cbToken = 0;
    HBC hbc = nullptr;
    ASSERT_EQ(DsBackupPrepareA("DC01", 0, BACKUP_TYPE_FULL, &token, &cbToken, &hbc), S_OK);
    char *list = nullptr;
    DWORD cb = kSentinel;
    ASSERT_EQ(DsBackupGetDatabaseNamesA(hbc, &list, &cb), S_OK);
    ASSERT_NE(list, nullptr);
    std::string expected = "\x44" + u8(kDitUnc);
    EXPECT_EQ(cb, expected.size() + 2);
    std::vector<std::string> entries;
    EXPECT_TRUE(parseListA(list, cb, &entries));
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0], expected);
    DsBackupFree(list);
    DsBackupFree(token);
    EXPECT_EQ(DsBackupEnd(hbc), S_OK);
}

TEST(DsBackupGetDatabaseNames, SpellsTheServerAsItsFolderIs) {  // contract: the UNC server part is the create name
    TestRoot root;
    root.create("Dc-Main.01");
    Backup b(u"\\\\DC-MAIN.01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> names;
    ASSERT_EQ(b.databaseNames(&names), S_OK);
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(u8(names[0]), "\\\\Dc-Main.01\\C$\\Windows\\NTDS\\ntds.dit");
}

TEST(DsBackupGetDatabaseNames, RejectsNullPointers) {  // contract: NULL list or NULL cb -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    WCHAR *listW = reinterpret_cast<WCHAR *>(0);
    char *listA = nullptr;
    DWORD cb = kSentinel;
    EXPECT_EQ(DsBackupGetDatabaseNamesW(b.hbc, nullptr, &cb), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupGetDatabaseNamesA(b.hbc, nullptr, &cb), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(cb, kSentinel);
    EXPECT_EQ(DsBackupGetDatabaseNamesW(b.hbc, &listW, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupGetDatabaseNamesA(b.hbc, &listA, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(listW, nullptr);
    EXPECT_EQ(listA, nullptr);
    // the backup goes on
    std::vector<std::u16string> names;
    EXPECT_EQ(b.databaseNames(&names), S_OK);
}

TEST(DsBackupGetDatabaseNames, RequiresTheListPointerToBeNullOnEntry) {  // contract: *list not NULL on entry -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    WCHAR *listW = static_cast<WCHAR *>(sentinelPtr());
    char *listA = static_cast<char *>(sentinelPtr());
    DWORD cb = kSentinel;
    EXPECT_EQ(DsBackupGetDatabaseNamesW(b.hbc, &listW, &cb), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupGetDatabaseNamesA(b.hbc, &listA, &cb), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(listW, sentinelPtr());
    EXPECT_EQ(listA, sentinelPtr());
    EXPECT_EQ(cb, kSentinel);
}

TEST(DsBackupGetDatabaseNames, CanBeCalledAgain) {  // contract: S_OK (no phase or repeat restriction in the db phase)
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> first, second;
    EXPECT_EQ(b.databaseNames(&first), S_OK);
    EXPECT_EQ(b.databaseNames(&second), S_OK);
    EXPECT_EQ(first, second);
}

TEST(DsBackupGetBackupLogs, ListsTheLogsFromTheCheckpointAtPrepareW) {  // contract: [checkpoint gen at Prepare, new current - 1]
    OneServer root;
    uint32_t atPrepare = checkpointGeneration("DC01");
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> stream;
    ASSERT_EQ(b.openDatabase(), S_OK);
    ASSERT_EQ(b.readAll(&stream, kChunk, 2 * kPage), S_OK);  // the header carries genLow = checkpoint at Prepare
    ASSERT_EQ(DsBackupClose(b.hbc), S_OK);
    uint32_t checkpoint = fullCurGenLow(stream.data());
    EXPECT_EQ(checkpoint, atPrepare) << "bkinfoFullCur.genLow is the checkpoint generation at Prepare";

    WCHAR *list = nullptr;
    DWORD cb = kSentinel;
    ASSERT_EQ(DsBackupGetBackupLogsW(b.hbc, &list, &cb), S_OK);
    std::vector<std::u16string> entries;
    ASSERT_TRUE(parseListW(list, cb, &entries));
    DsBackupFree(list);
    ASSERT_FALSE(entries.empty());
    uint32_t expect = checkpoint;
    for (auto &e : entries) {
        EXPECT_EQ(e[0], static_cast<char16_t>(BFT_LOG)) << u8(e);
        char name[32];
        snprintf(name, sizeof name, "edb%05X.log", expect);
        EXPECT_EQ(u8(e.substr(1)), "\\\\DC01\\C$\\Windows\\NTDS\\" + std::string(name));
        ++expect;
    }
    // the list ends with the log just closed: the next generation is the current log, not archived
    std::string dir = TestRoot::logDir("DC01");
    char next[32];
    snprintf(next, sizeof next, "/edb%05X.log", expect);
    EXPECT_FALSE(fileExists(dir + next)) << next << " exists: the list stops short of the last archived log";
    char last[32];
    snprintf(last, sizeof last, "/edb%05X.log", expect - 1);
    EXPECT_TRUE(fileExists(dir + last));
}

TEST(DsBackupGetBackupLogs, ListsTheLogsInUtf8A) {  // contract: A form, same entries in UTF-8
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    char *list = nullptr;
    DWORD cb = kSentinel;
    ASSERT_EQ(DsBackupGetBackupLogsA(b.hbc, &list, &cb), S_OK);
    std::vector<std::string> entries;
    ASSERT_TRUE(parseListA(list, cb, &entries));
    DsBackupFree(list);
    std::vector<std::u16string> wide;
    ASSERT_EQ(b.logNames(&wide), S_OK);  // the second call: the same list
    ASSERT_EQ(entries.size(), wide.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i][0], static_cast<char>(BFT_LOG));
        EXPECT_EQ(entries[i].substr(1), u8(wide[i]));
    }
}

TEST(DsBackupGetBackupLogs, RollsTheLogOnlyOnce) {  // contract: a second call returns the same list (no second roll)
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> first, second;
    ASSERT_EQ(b.logNames(&first), S_OK);
    size_t filesAfterFirst = listDir(TestRoot::logDir("DC01")).size();
    ASSERT_EQ(b.logNames(&second), S_OK);
    EXPECT_EQ(first, second);
    EXPECT_EQ(listDir(TestRoot::logDir("DC01")).size(), filesAfterFirst);
}

TEST(DsBackupGetBackupLogs, RejectsNullAndNonNullPointers) {  // contract: same argument checks as GetDatabaseNames
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    DWORD cb = kSentinel;
    WCHAR *listW = nullptr;
    char *listA = nullptr;
    EXPECT_EQ(DsBackupGetBackupLogsW(b.hbc, nullptr, &cb), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupGetBackupLogsA(b.hbc, nullptr, &cb), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(cb, kSentinel);
    EXPECT_EQ(DsBackupGetBackupLogsW(b.hbc, &listW, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupGetBackupLogsA(b.hbc, &listA, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(listW, nullptr);
    EXPECT_EQ(listA, nullptr);
    listW = static_cast<WCHAR *>(sentinelPtr());
    listA = static_cast<char *>(sentinelPtr());
    EXPECT_EQ(DsBackupGetBackupLogsW(b.hbc, &listW, &cb), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupGetBackupLogsA(b.hbc, &listA, &cb), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(listW, sentinelPtr());
    EXPECT_EQ(listA, sentinelPtr());
    EXPECT_EQ(cb, kSentinel);
    // none of these rolled the log or ended the database phase
    LONGLONG size = 0;
    EXPECT_EQ(b.openDatabase(&size), S_OK);
}

TEST(DsBackupGetBackupLogs, RefusesWhileAFileIsOpen) {  // contract: a file open -> hrInvalidBackupSequence
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    WCHAR *list = nullptr;
    DWORD cb = kSentinel;
    EXPECT_EQ(DsBackupGetBackupLogsW(b.hbc, &list, &cb), hrInvalidBackupSequence);
    char *listA = nullptr;
    EXPECT_EQ(DsBackupGetBackupLogsA(b.hbc, &listA, &cb), hrInvalidBackupSequence);
    EXPECT_EQ(list, nullptr);
    EXPECT_EQ(listA, nullptr);
    EXPECT_EQ(cb, kSentinel);
    // the backup goes on: the file is still open and readable
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.readAll(&stream), ERROR_HANDLE_EOF);
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
    std::vector<std::u16string> logs;
    EXPECT_EQ(b.logNames(&logs), S_OK);
}

TEST(DsBackupGetBackupLogs, StartsAtThePrepareCheckpointEvenAfterItMoved) {  // contract: checkpoint generation at Prepare
    OneServer root;
    uint32_t atPrepare = checkpointGeneration("DC01");
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(WbWriteServerA("DC01", 6), S_OK);  // logs roll and the checkpoint moves during the backup
    uint32_t moved = checkpointGeneration("DC01");
    EXPECT_GT(moved, atPrepare) << "the writer did not move the checkpoint; the test proves little";
    std::vector<uint8_t> stream;
    ASSERT_EQ(b.openDatabase(), S_OK);
    ASSERT_EQ(b.readAll(&stream), ERROR_HANDLE_EOF);
    ASSERT_EQ(DsBackupClose(b.hbc), S_OK);
    EXPECT_EQ(fullCurGenLow(stream.data()), atPrepare);
    EXPECT_EQ(fullCurGenLow(stream.data() + kPage), atPrepare);
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    ASSERT_FALSE(logs.empty());
    EXPECT_EQ(logGeneration(logs.front()), atPrepare);
    EXPECT_GE(logGeneration(logs.back()), moved) << "the list reaches the log closed by the roll";
    for (size_t i = 1; i < logs.size(); ++i) EXPECT_EQ(logGeneration(logs[i]), logGeneration(logs[i - 1]) + 1);
}
