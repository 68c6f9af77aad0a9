// DsBackupOpenFileA/W, DsBackupRead and DsBackupClose
// (docs/CONTRACT-NTDSBCLI.md "DsBackupOpenFileA/W", "DsBackupRead", "DsBackupClose").
#include "helpers.h"

#include <cstring>

using namespace wbtest;

static const char16_t *kDitUncW = u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit";
static const char *kDitUncA = "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit";

static LONGLONG expectedDatabaseStreamSize(const std::string &dit) {
    LONGLONG file = static_cast<LONGLONG>(readFile(dit).size());
    return (file / kPage - 2 + 3) * kPage;  // pages = file / 8192 - 2; stream = (pages + 3) * 8192
}

TEST(DsBackupOpenFile, GivesTheDatabaseStreamSize) {  // contract: *size = (pages + 3) * 8192
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    LARGE_INTEGER size;
    size.QuadPart = -1;
    ASSERT_EQ(DsBackupOpenFileW(b.hbc, kDitUncW, kChunk, &size), S_OK);
    EXPECT_EQ(size.QuadPart, expectedDatabaseStreamSize(TestRoot::ntdsDit("DC01")));
    EXPECT_EQ(size.QuadPart, (2 * 1024 * 1024 / 8192 + 1) * 8192);  // a 2 MiB file: 254 pages + 3
}

TEST(DsBackupOpenFile, AcceptsTheUncDriveAndLocalSpellings) {  // contract: UNC, "C:\...", WbResolvePathA's path; any case
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> names;
    ASSERT_EQ(b.databaseNames(&names), S_OK);
    std::string local = TestRoot::ntdsDit("DC01");
    const LONGLONG want = expectedDatabaseStreamSize(local);
    std::vector<std::u16string> spellings = {names[0], u"C:\\Windows\\NTDS\\ntds.dit", u16(local),
                                             u"\\\\dc01\\c$\\WINDOWS\\ntds\\NTDS.DIT", u"c:\\windows\\ntds\\Ntds.Dit"};
    for (auto &name : spellings) {
        LARGE_INTEGER size;
        size.QuadPart = -1;
        EXPECT_EQ(DsBackupOpenFileW(b.hbc, name.c_str(), kMinRead, &size), S_OK) << u8(name);
        EXPECT_EQ(size.QuadPart, want) << u8(name);
        EXPECT_EQ(DsBackupClose(b.hbc), S_OK) << u8(name);
    }
    for (std::string name : {std::string(kDitUncA), std::string("C:\\Windows\\NTDS\\ntds.dit"), local,
                             std::string("C:\\WINDOWS\\NTDS\\NTDS.DIT")}) {
        LARGE_INTEGER size;
        size.QuadPart = -1;
        EXPECT_EQ(DsBackupOpenFileA(b.hbc, name.c_str(), kMinRead, &size), S_OK) << name;
        EXPECT_EQ(size.QuadPart, want) << name;
        EXPECT_EQ(DsBackupClose(b.hbc), S_OK) << name;
    }
}

TEST(DsBackupOpenFile, RejectsNullNameOrSize) {  // contract: NULL name or NULL size -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>(kSentinel);
    EXPECT_EQ(DsBackupOpenFileW(b.hbc, nullptr, kChunk, &size), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupOpenFileA(b.hbc, nullptr, kChunk, &size), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    EXPECT_EQ(DsBackupOpenFileW(b.hbc, kDitUncW, kChunk, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupOpenFileA(b.hbc, kDitUncA, kChunk, nullptr), ERROR_INVALID_PARAMETER);
    // nothing was opened
    EXPECT_EQ(DsBackupClose(b.hbc), hrInvalidHandle);
    EXPECT_EQ(b.open(kDitUncW), S_OK);
}

TEST(DsBackupOpenFile, RejectsHintsThatAreNotWholeLargePages) {  // contract: hint % 8192 != 0 or < 24576 -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    for (DWORD hint : {0u, 1u, 8192u, 16384u, 24575u, 24577u, 30000u, 65537u}) {
        LARGE_INTEGER size;
        size.QuadPart = static_cast<LONGLONG>(kSentinel);
        EXPECT_EQ(DsBackupOpenFileW(b.hbc, kDitUncW, hint, &size), ERROR_INVALID_PARAMETER) << hint;
        EXPECT_EQ(DsBackupOpenFileA(b.hbc, kDitUncA, hint, &size), ERROR_INVALID_PARAMETER) << hint;
        EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel)) << hint;
    }
    for (DWORD hint : {24576u, 32768u, 1048576u}) {
        LARGE_INTEGER size;
        EXPECT_EQ(DsBackupOpenFileW(b.hbc, kDitUncW, hint, &size), S_OK) << hint;
        EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
    }
}

TEST(DsBackupOpenFile, RefusesASecondOpenFile) {  // contract: a file already open -> hrAlreadyOpen
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.open(kDitUncW), S_OK);
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>(kSentinel);
    EXPECT_EQ(DsBackupOpenFileW(b.hbc, kDitUncW, kChunk, &size), hrAlreadyOpen);
    EXPECT_EQ(DsBackupOpenFileA(b.hbc, kDitUncA, kChunk, &size), hrAlreadyOpen);
    EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    // the first stays open and complete
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.readAll(&stream), ERROR_HANDLE_EOF);
    EXPECT_EQ(static_cast<LONGLONG>(stream.size()), expectedDatabaseStreamSize(TestRoot::ntdsDit("DC01")));
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
    EXPECT_EQ(b.open(kDitUncW), S_OK);  // and after Close a file can be opened again
}

TEST(DsBackupOpenFile, RejectsDotDotRelativeAndEmptyNames) {  // contract: "..", relative, "" -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::string local = TestRoot::ntdsDit("DC01");
    std::string localDotDot = local.substr(0, local.rfind('/')) + "/../NTDS/ntds.dit";
    std::vector<std::u16string> bad = {u"\\\\DC01\\C$\\Windows\\NTDS\\..\\NTDS\\ntds.dit",
                                       u"\\\\DC01\\C$\\..\\C$\\Windows\\NTDS\\ntds.dit",
                                       u"C:\\Windows\\..\\Windows\\NTDS\\ntds.dit",
                                       u"C:\\..",
                                       u16(localDotDot),
                                       u"ntds.dit",
                                       u"Windows\\NTDS\\ntds.dit",
                                       u""};
    for (auto &name : bad) {
        LARGE_INTEGER size;
        size.QuadPart = static_cast<LONGLONG>(kSentinel);
        EXPECT_EQ(DsBackupOpenFileW(b.hbc, name.c_str(), kChunk, &size), ERROR_INVALID_PARAMETER) << "\"" << u8(name) << "\"";
        EXPECT_EQ(DsBackupOpenFileA(b.hbc, u8(name).c_str(), kChunk, &size), ERROR_INVALID_PARAMETER) << "\"" << u8(name) << "\"";
        EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    }
}

TEST(DsBackupOpenFile, DeniesAPathOfAnotherServer) {  // contract: UNC of another server -> 5
    OneServer root;
    root.create("DC02");
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    for (const char16_t *name : {u"\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit", u"\\\\DC99\\C$\\Windows\\NTDS\\ntds.dit"}) {
        LARGE_INTEGER size;
        size.QuadPart = static_cast<LONGLONG>(kSentinel);
        EXPECT_EQ(DsBackupOpenFileW(b.hbc, name, kChunk, &size), ERROR_ACCESS_DENIED) << u8(name);
        EXPECT_EQ(DsBackupOpenFileA(b.hbc, u8(name).c_str(), kChunk, &size), ERROR_ACCESS_DENIED) << u8(name);
        EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    }
    EXPECT_EQ(b.open(kDitUncW), S_OK);  // the backup goes on
}

TEST(DsBackupOpenFile, SaysDatabaseNotFoundForAnotherFileInTheDatabasePhase) {  // contract: hrDatabaseNotFound; goes on
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    for (const char16_t *name : {u"\\\\DC01\\C$\\Windows\\NTDS\\edb00001.log", u"C:\\Windows\\NTDS\\edb.chk",
                                 u"C:\\Windows\\NTDS\\edb.log"}) {
        LARGE_INTEGER size;
        size.QuadPart = static_cast<LONGLONG>(kSentinel);
        EXPECT_EQ(DsBackupOpenFileW(b.hbc, name, kChunk, &size), hrDatabaseNotFound) << u8(name);
        EXPECT_EQ(size.QuadPart, static_cast<LONGLONG>(kSentinel));
    }
    EXPECT_EQ(DsBackupOpenFileA(b.hbc, "C:\\Windows\\NTDS\\edb.chk", kChunk, nullptr), ERROR_INVALID_PARAMETER);
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.copy(kDitUncW, &stream), S_OK);
    EXPECT_TRUE(databaseStreamMatches(stream, TestRoot::ntdsDit("DC01")));
}

TEST(DsBackupRead, RejectsBuffersThatAreNotWholeLargePages) {  // contract: cb % 8192 or < 24576 -> 87, got untouched
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.open(kDitUncW), S_OK);
    std::vector<uint8_t> buf(3 * kChunk);
    for (DWORD cb : {0u, 1u, 8192u, 16384u, 24575u, 24577u, 40000u, 65535u}) {
        DWORD got = kSentinel;
        EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), cb, &got), ERROR_INVALID_PARAMETER) << cb;
        EXPECT_EQ(got, kSentinel) << cb;
    }
    DWORD got = kSentinel;
    EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kMinRead, &got), S_OK);  // the file is still readable from its start
    EXPECT_EQ(got, kMinRead);
    EXPECT_TRUE(headerPageParses(buf.data()));
}

TEST(DsBackupRead, RejectsNullBufferOrCount) {  // contract: NULL buf or NULL got -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.open(kDitUncW), S_OK);
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(DsBackupRead(b.hbc, nullptr, kChunk, &got), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, nullptr), ERROR_INVALID_PARAMETER);
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.readAll(&stream), ERROR_HANDLE_EOF);  // nothing was consumed
    EXPECT_TRUE(databaseStreamMatches(stream, TestRoot::ntdsDit("DC01")));
}

TEST(DsBackupRead, SaysInvalidHandleWhenNoFileIsOpen) {  // contract: no file open -> hrInvalidHandle
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), hrInvalidHandle);
    EXPECT_EQ(got, kSentinel);
    ASSERT_EQ(b.open(kDitUncW), S_OK);
    ASSERT_EQ(DsBackupClose(b.hbc), S_OK);
    EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), hrInvalidHandle);  // and after Close
    EXPECT_EQ(got, kSentinel);
}

TEST(DsBackupRead, SaysHandleEofWithZeroBytesAtTheEnd) {  // contract: everything read -> 38 and *got = 0
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    LONGLONG size = 0;
    ASSERT_EQ(b.open(kDitUncW, &size), S_OK);
    std::vector<uint8_t> buf(4 * 1024 * 1024);  // larger than the whole stream: one short read
    DWORD got = kSentinel;
    ASSERT_EQ(DsBackupRead(b.hbc, buf.data(), static_cast<DWORD>(buf.size()), &got), S_OK);
    EXPECT_EQ(static_cast<LONGLONG>(got), size);
    for (int i = 0; i < 2; ++i) {
        got = kSentinel;
        EXPECT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), ERROR_HANDLE_EOF);
        EXPECT_EQ(got, 0u);
    }
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
}

TEST(DsBackupRead, DeliversTheSameStreamWhateverTheBufferSize) {  // contract: reads may be short; the stream is the same
    OneServer root;
    std::vector<uint8_t> reference;
    for (DWORD chunk : {kMinRead, 5 * kPage, 1024u * 1024u}) {
        Backup b(u"DC01");
        ASSERT_TRUE(b.ok());
        std::vector<uint8_t> stream;
        ASSERT_EQ(b.copy(kDitUncW, &stream, chunk), S_OK) << chunk;
        EXPECT_TRUE(databaseStreamMatches(stream, TestRoot::ntdsDit("DC01"))) << chunk;
        if (reference.empty())
            reference = stream;
        else  // the headers carry the backup's time: compare the pages and the size
            EXPECT_TRUE(stream.size() == reference.size() &&
                        memcmp(stream.data() + 2 * kPage, reference.data() + 2 * kPage, stream.size() - 3 * kPage) == 0)
                << chunk;
    }
}

TEST(DsBackupClose, SaysInvalidHandleWhenNoFileIsOpen) {  // contract: no file open -> hrInvalidHandle
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(DsBackupClose(b.hbc), hrInvalidHandle);
    ASSERT_EQ(b.open(kDitUncW), S_OK);
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
    EXPECT_EQ(DsBackupClose(b.hbc), hrInvalidHandle);  // closed twice
}

TEST(DsBackupClose, ClosesAPartlyReadFile) {  // contract: S_OK otherwise
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.open(kDitUncW), S_OK);
    std::vector<uint8_t> buf(kChunk);
    DWORD got = 0;
    ASSERT_EQ(DsBackupRead(b.hbc, buf.data(), kChunk, &got), S_OK);
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
    // a reopened file starts again at its beginning
    ASSERT_EQ(b.open(kDitUncW), S_OK);
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.readAll(&stream), ERROR_HANDLE_EOF);
    EXPECT_TRUE(databaseStreamMatches(stream, TestRoot::ntdsDit("DC01")));
}
