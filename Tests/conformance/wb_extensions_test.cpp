// winbackup's own exports (winbackup.h; docs/CONTRACT-NTDSBCLI.md "Wb*").
#include "helpers.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>

#include <cstring>

using namespace wbtest;

namespace {

std::string realPath(const std::string &p) {
    char buf[PATH_MAX];
    return realpath(p.c_str(), buf) ? std::string(buf) : std::string();
}

}  // namespace

TEST(WbGetVersionNumber, MatchesTheHeader) {  // winbackup.h: the library's version; they should agree
    EXPECT_EQ(WbGetVersionNumber(), static_cast<DWORD>(WINBACKUP_VERSION_NUMBER));
}

TEST(WbGetVersionString, MatchesTheHeader) {  // winbackup.h: "major.minor.patch", a static string
    ASSERT_NE(WbGetVersionString(), nullptr);
    EXPECT_STREQ(WbGetVersionString(), WINBACKUP_VERSION);
    EXPECT_EQ(WbGetVersionString(), WbGetVersionString());
}

TEST(WbResolvePath, GivesTheSameFileForEverySpelling) {  // contract: UNC, drive and local spellings: the same file
    OneServer root;
    std::string expected = realPath(root.path() + "/servers/DC01/C/Windows/NTDS/ntds.dit");
    ASSERT_FALSE(expected.empty());
    char unc[4096], drive[4096], local[4096];
    DWORD need = kSentinel;
    ASSERT_EQ(WbResolvePathA(nullptr, "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", unc, sizeof unc, &need), S_OK);
    EXPECT_EQ(need, strlen(unc) + 1);
    ASSERT_EQ(WbResolvePathA("DC01", "C:\\Windows\\NTDS\\ntds.dit", drive, sizeof drive, nullptr), S_OK);
    ASSERT_EQ(WbResolvePathA("DC01", unc, local, sizeof local, nullptr), S_OK);
    EXPECT_EQ(realPath(unc), expected);
    EXPECT_EQ(realPath(drive), expected);
    EXPECT_EQ(realPath(local), expected);
    // the UNC with the server named too, and in other cases
    char other[4096];
    ASSERT_EQ(WbResolvePathA("\\\\dc01", "\\\\dc01\\c$\\WINDOWS\\ntds\\NTDS.DIT", other, sizeof other, nullptr), S_OK);
    EXPECT_EQ(realPath(other), expected);
}

TEST(WbResolvePath, WideFormGivesTheSamePath) {  // winbackup.h: the W form in UTF-16 units
    OneServer root;
    char a[4096];
    ASSERT_EQ(WbResolvePathA(nullptr, "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", a, sizeof a, nullptr), S_OK);
    WCHAR w[4096];
    DWORD need = kSentinel;
    ASSERT_EQ(WbResolvePathW(nullptr, u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", w, 4096, &need), S_OK);
    EXPECT_EQ(u8(w), a);
    EXPECT_EQ(need, std::u16string(w).size() + 1);
    WCHAR w2[4096];
    ASSERT_EQ(WbResolvePathW(u"DC01", u"C:\\Windows\\NTDS\\ntds.dit", w2, 4096, nullptr), S_OK);
    EXPECT_EQ(std::u16string(w2), std::u16string(w));
}

TEST(WbResolvePath, DeniesAnotherServersPath) {  // contract: another server's UNC -> 5
    OneServer root;
    root.create("DC02");
    char buf[4096] = "untouched";
    DWORD need = kSentinel;
    EXPECT_EQ(WbResolvePathA("DC01", "\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit", buf, sizeof buf, &need), ERROR_ACCESS_DENIED);
    EXPECT_STREQ(buf, "untouched");
    EXPECT_EQ(need, kSentinel);
    WCHAR wbuf[4096] = u"untouched";
    EXPECT_EQ(WbResolvePathW(u"DC01", u"\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit", wbuf, 4096, nullptr), ERROR_ACCESS_DENIED);
    EXPECT_EQ(std::u16string(wbuf), u"untouched");
    // a local path of DC02 named as DC01's
    std::string dc02 = TestRoot::ntdsDit("DC02");
    EXPECT_EQ(WbResolvePathA("DC01", dc02.c_str(), buf, sizeof buf, nullptr), ERROR_ACCESS_DENIED);
}

TEST(WbResolvePath, RejectsDotDot) {  // contract: ".." -> 87
    OneServer root;
    char buf[4096] = "untouched";
    DWORD need = kSentinel;
    for (const char *p : {"\\\\DC01\\C$\\Windows\\..\\Windows\\NTDS\\ntds.dit", "C:\\..\\ntds.dit", "C:\\Windows\\NTDS\\.."}) {
        EXPECT_EQ(WbResolvePathA("DC01", p, buf, sizeof buf, &need), ERROR_INVALID_PARAMETER) << p;
        EXPECT_STREQ(buf, "untouched");
        EXPECT_EQ(need, kSentinel);
    }
    std::string local = TestRoot::ntdsDit("DC01");
    std::string escape = local.substr(0, local.find("/servers/")) + "/servers/DC01/../DC01/C/Windows/NTDS/ntds.dit";
    EXPECT_EQ(WbResolvePathA("DC01", escape.c_str(), buf, sizeof buf, nullptr), ERROR_INVALID_PARAMETER) << escape;
    WCHAR wbuf[64];
    EXPECT_EQ(WbResolvePathW(u"DC01", u"C:\\..\\ntds.dit", wbuf, 64, nullptr), ERROR_INVALID_PARAMETER);
}

TEST(WbResolvePath, RejectsNullRelativeAndUnknown) {  // winbackup.h: NULL path, not a full path -> 87; no server -> hrCouldNotConnect
    OneServer root;
    char buf[4096];
    EXPECT_EQ(WbResolvePathA("DC01", nullptr, buf, sizeof buf, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(WbResolvePathA("DC01", "Windows\\NTDS\\ntds.dit", buf, sizeof buf, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(WbResolvePathA(nullptr, "\\\\DC99\\C$\\Windows\\NTDS\\ntds.dit", buf, sizeof buf, nullptr), hrCouldNotConnect);
    EXPECT_EQ(WbResolvePathA("DC99", "C:\\Windows\\NTDS\\ntds.dit", buf, sizeof buf, nullptr), hrCouldNotConnect);
}

TEST(WbResolvePath, TellsTheSizeWhenTheBufferIsTooSmall) {  // contract: too small -> ERROR_INSUFFICIENT_BUFFER + count
    OneServer root;
    char full[4096];
    ASSERT_EQ(WbResolvePathA("DC01", "C:\\Windows\\NTDS\\ntds.dit", full, sizeof full, nullptr), S_OK);
    const DWORD required = static_cast<DWORD>(strlen(full) + 1);
    DWORD need = kSentinel;
    EXPECT_EQ(WbResolvePathA("DC01", "C:\\Windows\\NTDS\\ntds.dit", nullptr, 0, &need), ERROR_INSUFFICIENT_BUFFER);
    EXPECT_EQ(need, required);
    std::vector<char> small(required - 1, 'x');
    need = kSentinel;
    EXPECT_EQ(WbResolvePathA("DC01", "C:\\Windows\\NTDS\\ntds.dit", small.data(), required - 1, &need),
              ERROR_INSUFFICIENT_BUFFER);
    EXPECT_EQ(need, required);
    std::vector<char> exact(required);
    EXPECT_EQ(WbResolvePathA("DC01", "C:\\Windows\\NTDS\\ntds.dit", exact.data(), required, nullptr), S_OK);
    EXPECT_STREQ(exact.data(), full);
    // the W form counts UTF-16 units
    WCHAR wfull[4096];
    ASSERT_EQ(WbResolvePathW(u"DC01", u"C:\\Windows\\NTDS\\ntds.dit", wfull, 4096, nullptr), S_OK);
    const DWORD wrequired = static_cast<DWORD>(std::u16string(wfull).size() + 1);
    need = kSentinel;
    WCHAR wsmall[8];
    EXPECT_EQ(WbResolvePathW(u"DC01", u"C:\\Windows\\NTDS\\ntds.dit", wsmall, 8, &need), ERROR_INSUFFICIENT_BUFFER);
    EXPECT_EQ(need, wrequired);
}

TEST(WbDeleteServer, RefusesWhileABackupRuns) {  // winbackup.h: hrBackupInProgress while a backup of it runs
    OneServer root;
    {
        Backup b(u"DC01");
        ASSERT_TRUE(b.ok());
        EXPECT_EQ(WbDeleteServerA("DC01"), hrBackupInProgress);
        BOOL f = FALSE;
        EXPECT_EQ(DsIsNTDSOnlineW(u"DC01", &f), S_OK);
    }
    EXPECT_EQ(WbDeleteServerA("DC01"), S_OK);
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineW(u"DC01", &f), hrCouldNotConnect);
    EXPECT_EQ(WbDeleteServerA("DC01"), hrCouldNotConnect);
}

TEST(WbWriteServer, NeedsTheServerOnline) {  // contract: WbWriteServerA needs the server online
    OneServer root;
    EXPECT_EQ(WbWriteServerA("DC01", 2), S_OK);
    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    EXPECT_NE(WbWriteServerA("DC01", 2), S_OK);
    ASSERT_EQ(WbStartServerA("DC01"), S_OK);
    EXPECT_EQ(WbWriteServerA("DC01", 2), S_OK);
}

TEST(WbCreateServer, MakesABackableDomainController) {  // winbackup.h: the calling user may back it up
    TestRoot root;
    EXPECT_EQ(WbCreateServerA("DC01", kSmallNtds), S_OK);
    EXPECT_NE(WbCreateServerA("DC01", kSmallNtds), S_OK) << "a second server of the same name";
    EXPECT_NE(WbCreateServerA("DC_02", kSmallNtds), S_OK) << "a malformed name";
    EXPECT_NE(WbCreateServerA("DC03", "--db-size 2M"), S_OK) << "--role is required";
    BOOL f = FALSE;
    EXPECT_EQ(DsIsNTDSOnlineA("DC01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
    EXPECT_EQ(DsIsNTDSOnlineA("DC03", &f), hrCouldNotConnect) << "a refused create left a server behind";
}

TEST(WbResolvePath, DeniesASymbolicLinkLeadingOutOfTheServer) {  // winbackup.h: a path leading out of the folder -> 5
    OneServer root;
    std::string ntds = TestRoot::logDir("DC01");
    std::string outside = root.path() + "/outside";
    ASSERT_EQ(mkdir(outside.c_str(), 0755), 0);
    ASSERT_EQ(symlink(outside.c_str(), (ntds + "/escape").c_str()), 0);
    char buf[4096] = "untouched";
    EXPECT_EQ(WbResolvePathA("DC01", "C:\\Windows\\NTDS\\escape\\secret.txt", buf, sizeof buf, nullptr), ERROR_ACCESS_DENIED);
    EXPECT_STREQ(buf, "untouched");
    // and a backup cannot read through it either
    FILE *f = fopen((outside + "/secret.txt").c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("not the server's", f);
    fclose(f);
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);  // the log phase opens "any existing file of the server"
    EXPECT_EQ(b.open(u"C:\\Windows\\NTDS\\escape\\secret.txt"), ERROR_ACCESS_DENIED);
}
