// DsBackupFree, DsSetAuthIdentityA/W and DsSetCurrentBackupLogA/W
// (docs/CONTRACT-NTDSBCLI.md "DsBackupFree", "DsSetAuthIdentityA/W", "DsSetCurrentBackupLogA/W").
#include "helpers.h"

#include <cstdlib>
#include <cstring>

using namespace wbtest;

TEST(DsBackupFree, NullDoesNothing) {  // contract: NULL: nothing
    testing::internal::CaptureStderr();
    DsBackupFree(nullptr);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(DsBackupFree, APointerNotFromTheLibraryIsReportedNotFreed) {  // contract: a line on stderr, no crash
    char onTheStack[64];
    memset(onTheStack, 0x5A, sizeof onTheStack);
    testing::internal::CaptureStderr();
    DsBackupFree(onTheStack);
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err, "") << "no line on stderr for a stack pointer";
    EXPECT_EQ(onTheStack[0], 0x5A);

    char *heap = static_cast<char *>(malloc(32));
    ASSERT_NE(heap, nullptr);
    strcpy(heap, "still mine");
    testing::internal::CaptureStderr();
    DsBackupFree(heap);
    err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err, "") << "no line on stderr for a malloc'ed pointer";
    EXPECT_STREQ(heap, "still mine");
    free(heap);  // it was not freed by the library, so this is the only free
}

TEST(DsBackupFree, ReleasesTheLibrarysBuffersOnce) {  // contract: a pointer the library returned: freed; twice: reported
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    WCHAR *names = nullptr;
    char *logs = nullptr;
    DWORD cb = 0;
    ASSERT_EQ(DsBackupGetDatabaseNamesW(b.hbc, &names, &cb), S_OK);
    ASSERT_EQ(DsBackupGetBackupLogsA(b.hbc, &logs, &cb), S_OK);
    testing::internal::CaptureStderr();
    DsBackupFree(names);
    DsBackupFree(logs);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    testing::internal::CaptureStderr();
    DsBackupFree(names);  // already freed: no longer the library's
    EXPECT_NE(testing::internal::GetCapturedStderr(), "");
}

TEST(DsSetAuthIdentity, RefusedCredentialsAreAccessDenied) {  // contract: credentials not accepted -> 5
    OneServer root;
    AuthIdentityReset reset;
    ASSERT_EQ(WbAllowIdentityA("DC01", "CONTOSO\\backup", "Passw0rd!"), S_OK);
    struct {
        const char16_t *user, *domain, *password;
    } refused[] = {
        {u"backup", u"CONTOSO", u"wrong"},     // wrong password
        {u"backup", u"CONTOSO", u""},          // empty password
        {u"nobody", u"CONTOSO", u"Passw0rd!"}, // unknown user
        {u"backup", u"FABRIKAM", u"Passw0rd!"},// another domain
    };
    for (auto &c : refused) {
        EXPECT_EQ(DsSetAuthIdentityW(c.user, c.domain, c.password), S_OK);
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(DsIsNTDSOnlineW(u"DC01", &f), ERROR_ACCESS_DENIED) << u8(c.domain) << "\\" << u8(c.user);
        EXPECT_EQ(f, static_cast<BOOL>(kSentinel));
        Backup b(u"DC01");
        EXPECT_EQ(b.hr, ERROR_ACCESS_DENIED) << u8(c.domain) << "\\" << u8(c.user);
        EXPECT_EQ(b.hbc, nullptr);
    }
    EXPECT_EQ(DsSetAuthIdentityA("nobody", "CONTOSO", "Passw0rd!"), S_OK);
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineA("DC01", &f), ERROR_ACCESS_DENIED);
    void *token = sentinelPtr();
    DWORD cb = kSentinel;
    HBC hbc = sentinelHbc();
    EXPECT_EQ(DsBackupPrepareA("DC01", 0, BACKUP_TYPE_FULL, &token, &cb, &hbc), ERROR_ACCESS_DENIED);
    EXPECT_TRUE(token == sentinelPtr() && cb == kSentinel && hbc == sentinelHbc());
}

TEST(DsSetAuthIdentity, AllowedCredentialsWork) {  // contract: WbAllowIdentityA(server, "DOM\\user", "pw") lets them in
    OneServer root;
    AuthIdentityReset reset;
    ASSERT_EQ(WbAllowIdentityA("DC01", "CONTOSO\\backup", "Passw0rd!"), S_OK);
    EXPECT_EQ(DsSetAuthIdentityW(u"backup", u"CONTOSO", u"Passw0rd!"), S_OK);
    BOOL f = FALSE;
    EXPECT_EQ(DsIsNTDSOnlineW(u"DC01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
    {
        BackupResult r;
        EXPECT_TRUE(fullBackupW(u"DC01", &r));
    }
    EXPECT_EQ(DsSetAuthIdentityA("backup", "CONTOSO", "Passw0rd!"), S_OK);
    f = FALSE;
    EXPECT_EQ(DsIsNTDSOnlineA("DC01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
    void *token = nullptr;
    DWORD cb = 0;
    HBC hbc = nullptr;
    EXPECT_EQ(DsBackupPrepareA("DC01", 0, BACKUP_TYPE_FULL, &token, &cb, &hbc), S_OK);
    EXPECT_EQ(DsBackupEnd(hbc), S_OK);
    DsBackupFree(token);
}

TEST(DsSetAuthIdentity, IsCheckedByEachServer) {  // contract: only servers that allow the identity accept it
    OneServer root;
    root.create("DC02");
    AuthIdentityReset reset;
    ASSERT_EQ(WbAllowIdentityA("DC01", "CONTOSO\\backup", "Passw0rd!"), S_OK);
    ASSERT_EQ(DsSetAuthIdentityW(u"backup", u"CONTOSO", u"Passw0rd!"), S_OK);
    BOOL f = FALSE;
    EXPECT_EQ(DsIsNTDSOnlineW(u"DC01", &f), S_OK);
    EXPECT_EQ(DsIsNTDSOnlineW(u"DC02", &f), ERROR_ACCESS_DENIED);
}

TEST(DsSetAuthIdentity, NullUserGoesBackToTheProcessIdentity) {  // contract: NULL user returns to the process identity
    OneServer root;
    AuthIdentityReset reset;
    ASSERT_EQ(DsSetAuthIdentityW(u"nobody", u"CONTOSO", u"x"), S_OK);
    BOOL f = FALSE;
    ASSERT_EQ(DsIsNTDSOnlineW(u"DC01", &f), ERROR_ACCESS_DENIED);
    EXPECT_EQ(DsSetAuthIdentityW(nullptr, u"CONTOSO", u"x"), S_OK);
    EXPECT_EQ(DsIsNTDSOnlineW(u"DC01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
    {
        Backup b(u"DC01");
        EXPECT_EQ(b.hr, S_OK);
    }
    ASSERT_EQ(DsSetAuthIdentityA("nobody", "CONTOSO", "x"), S_OK);
    ASSERT_EQ(DsIsNTDSOnlineA("DC01", &f), ERROR_ACCESS_DENIED);
    EXPECT_EQ(DsSetAuthIdentityA(nullptr, nullptr, nullptr), S_OK);
    EXPECT_EQ(DsIsNTDSOnlineA("DC01", &f), S_OK);
    Backup b(u"DC01");
    EXPECT_EQ(b.hr, S_OK);
}

TEST(DsSetAuthIdentity, ExplicitCredentialsReplaceTheProcessIdentity) {  // contract: a new server allows only the local user
    OneServer root;
    AuthIdentityReset reset;
    // DC01 allows the process's user; credentials it was never told about are refused even so
    ASSERT_EQ(DsSetAuthIdentityW(u"backup", u"CONTOSO", u"Passw0rd!"), S_OK);
    Backup b(u"DC01");
    EXPECT_EQ(b.hr, ERROR_ACCESS_DENIED);
}

TEST(DsSetCurrentBackupLog, AcceptsAGenerationForADomainController) {  // contract: else S_OK
    OneServer root;
    EXPECT_EQ(DsSetCurrentBackupLogW(u"\\\\DC01", 5), S_OK);
    EXPECT_EQ(DsSetCurrentBackupLogA("dc01", 7), S_OK);
    EXPECT_EQ(DsSetCurrentBackupLogW(u"DC01", BACKUP_DISABLE_INCREMENTAL), S_OK);
}

TEST(DsSetCurrentBackupLog, RejectsNullAndMalformedNames) {  // contract: NULL -> 87, malformed -> 87
    OneServer root;
    EXPECT_EQ(DsSetCurrentBackupLogW(nullptr, 5), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsSetCurrentBackupLogA(nullptr, 5), ERROR_INVALID_PARAMETER);
    for (const char16_t *name : {u"", u"DC_01", u"DC/01", u"..", u"\\\\DC01\\C$"})
        EXPECT_EQ(DsSetCurrentBackupLogW(name, 5), ERROR_INVALID_PARAMETER) << "\"" << u8(name) << "\"";
    EXPECT_EQ(DsSetCurrentBackupLogA("DC_01", 5), ERROR_INVALID_PARAMETER);
}

TEST(DsSetCurrentBackupLog, CannotConnectToUnknownServersOrNonDcs) {  // contract: unknown / not ntds -> hrCouldNotConnect
    TestRoot root;
    root.create("CA01", kSmallCertsrv);
    EXPECT_EQ(DsSetCurrentBackupLogW(u"DC99", 5), hrCouldNotConnect);
    EXPECT_EQ(DsSetCurrentBackupLogA("DC99", 5), hrCouldNotConnect);
    EXPECT_EQ(DsSetCurrentBackupLogW(u"CA01", 5), hrCouldNotConnect);
    EXPECT_EQ(DsSetCurrentBackupLogA("CA01", 5), hrCouldNotConnect);
}
