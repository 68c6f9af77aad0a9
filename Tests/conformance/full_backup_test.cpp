// A whole backup, as ntdsbcli.h's walkthrough does it, checked against the server's own files
// (docs/CONTRACT-NTDSBCLI.md "DsBackupRead": the database stream; "DsBackupOpenFileA/W": sizes).
#include "helpers.h"

#include <cstring>

using namespace wbtest;

TEST(FullBackup, DatabaseStreamCarriesEveryPageOfTheServer) {  // contract: page pgno at (pgno+1)*8192 equals the file's
    OneServer root;
    ASSERT_EQ(WbWriteServerA("DC01", 20), S_OK);  // some pages changed, some logs archived
    BackupResult r;
    ASSERT_TRUE(fullBackupW(u"\\\\DC01", &r));
    EXPECT_EQ(u8(r.database), "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit");
    std::string dit = TestRoot::ntdsDit("DC01");
    EXPECT_TRUE(databaseStreamMatches(r.stream, dit));
    // and the file has pages worth comparing: not all zero
    std::vector<uint8_t> file = readFile(dit);
    size_t nonZero = 0;
    for (size_t off = 2 * kPage; off < file.size(); off += kPage)
        for (size_t i = 0; i < kPage; ++i)
            if (file[off + i] != 0) {
                ++nonZero;
                break;
            }
    EXPECT_GT(nonZero, 0u);
}

TEST(FullBackup, HeaderPagesCarryTheBackupStart) {  // contract: two equal headers, bkinfoFullCur.genLow = checkpoint at Prepare
    OneServer root;
    BackupResult r;
    ASSERT_TRUE(fullBackupW(u"DC01", &r, /*truncate=*/false));
    ASSERT_GE(r.stream.size(), 3 * kPage);
    EXPECT_TRUE(headerPageParses(r.stream.data()));
    EXPECT_TRUE(headerPageParses(r.stream.data() + kPage));
    EXPECT_EQ(memcmp(r.stream.data(), r.stream.data() + kPage, kPage), 0);
    ASSERT_FALSE(r.logs.empty());
    EXPECT_EQ(fullCurGenLow(r.stream.data()), logGeneration(r.logs.front()))
        << "the log list starts at the checkpoint generation at Prepare, as bkinfoFullCur.genLow says";
}

TEST(FullBackup, LogFilesEqualTheServersByteForByte) {  // contract: a log's size is its file size; its bytes are the file's
    OneServer root;
    ASSERT_EQ(WbWriteServerA("DC01", 10), S_OK);
    BackupResult r;
    ASSERT_TRUE(fullBackupW(u"DC01", &r));
    ASSERT_FALSE(r.logs.empty());
    uint32_t previous = 0;
    for (size_t i = 0; i < r.logs.size(); ++i) {
        uint32_t g = logGeneration(r.logs[i]);
        EXPECT_NE(g, 0u) << u8(r.logs[i]);
        if (previous) {
            EXPECT_EQ(g, previous + 1) << "the list is contiguous";
        }
        previous = g;
        std::string local = TestRoot::local("DC01", u8(r.logs[i]).c_str());
        ASSERT_TRUE(fileExists(local)) << "a listed log stays after TruncateLogs: " << local;
        std::vector<uint8_t> file = readFile(local);
        EXPECT_EQ(r.logBytes[i].size(), file.size()) << u8(r.logs[i]);
        EXPECT_TRUE(r.logBytes[i] == file) << u8(r.logs[i]) << " differs from " << local;
    }
}

TEST(FullBackup, RunsThroughTheAFunctions) {  // contract: the A forms take and give UTF-8
    OneServer root;
    void *token = nullptr;
    DWORD cbToken = 0;
    HBC hbc = nullptr;
    ASSERT_EQ(DsBackupPrepareA("\\\\DC01", 0, BACKUP_TYPE_FULL, &token, &cbToken, &hbc), S_OK);
    EXPECT_EQ(cbToken, 128u);
    std::vector<uint8_t> buf(kChunk);
    auto copyA = [&](const std::string &name, std::vector<uint8_t> *out) {
        LARGE_INTEGER size;
        size.QuadPart = -1;
        EXPECT_EQ(DsBackupOpenFileA(hbc, name.c_str(), kChunk, &size), S_OK) << name;
        DWORD got = 0;
        HRESULT hr;
        while ((hr = DsBackupRead(hbc, buf.data(), kChunk, &got)) == S_OK) out->insert(out->end(), buf.begin(), buf.begin() + got);
        EXPECT_EQ(hr, ERROR_HANDLE_EOF) << name;
        EXPECT_EQ(static_cast<LONGLONG>(out->size()), size.QuadPart) << name;
        EXPECT_EQ(DsBackupClose(hbc), S_OK) << name;
    };
    char *list = nullptr;
    DWORD cb = 0;
    ASSERT_EQ(DsBackupGetDatabaseNamesA(hbc, &list, &cb), S_OK);
    std::vector<std::string> dbs;
    ASSERT_TRUE(parseListA(list, cb, &dbs));
    DsBackupFree(list);
    ASSERT_EQ(dbs.size(), 1u);
    std::vector<uint8_t> stream;
    copyA(dbs[0].substr(1), &stream);
    EXPECT_TRUE(databaseStreamMatches(stream, TestRoot::ntdsDit("DC01")));
    list = nullptr;
    ASSERT_EQ(DsBackupGetBackupLogsA(hbc, &list, &cb), S_OK);
    std::vector<std::string> logs;
    ASSERT_TRUE(parseListA(list, cb, &logs));
    DsBackupFree(list);
    ASSERT_FALSE(logs.empty());
    for (auto &e : logs) {
        EXPECT_EQ(e[0], static_cast<char>(BFT_LOG));
        std::vector<uint8_t> bytes;
        copyA(e.substr(1), &bytes);
        EXPECT_TRUE(bytes == readFile(TestRoot::local("DC01", e.substr(1).c_str()))) << e.substr(1);
    }
    EXPECT_EQ(DsBackupTruncateLogs(hbc), S_OK);
    DsBackupFree(token);
    EXPECT_EQ(DsBackupEnd(hbc), S_OK);
}

TEST(FullBackup, CanBeRepeated) {  // contract: DsBackupEnd ends the backup; the next Prepare works
    OneServer root;
    for (int i = 0; i < 3; ++i) {
        BackupResult r;
        ASSERT_TRUE(fullBackupW(u"DC01", &r)) << "backup " << i;
        EXPECT_TRUE(databaseStreamMatches(r.stream, TestRoot::ntdsDit("DC01"))) << "backup " << i;
        ASSERT_EQ(WbWriteServerA("DC01", 3), S_OK);
    }
}
