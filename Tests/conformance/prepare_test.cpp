// DsBackupPrepareA/W (docs/CONTRACT-NTDSBCLI.md "DsBackupPrepareA/W").
#include "helpers.h"

using namespace wbtest;

namespace {

// The out-parameters of a Prepare, all sentinels, and whether they were left alone.
struct PrepareOut {
    void *token = sentinelPtr();
    DWORD cb = kSentinel;
    HBC hbc = sentinelHbc();

    bool untouched() const { return token == sentinelPtr() && cb == kSentinel && hbc == sentinelHbc(); }
    // Ends what a Prepare that unexpectedly succeeded started.
    void release() {
        if (hbc != sentinelHbc() && hbc != nullptr) DsBackupEnd(hbc);
        if (token != sentinelPtr() && token != nullptr) DsBackupFree(token);
        token = sentinelPtr();
        cb = kSentinel;
        hbc = sentinelHbc();
    }
    ~PrepareOut() { release(); }
};

HRESULT prepareW(const char16_t *server, PrepareOut &o, ULONG grbit = 0, ULONG bt = BACKUP_TYPE_FULL) {
    return DsBackupPrepareW(server, grbit, bt, &o.token, &o.cb, &o.hbc);
}

HRESULT prepareA(const char *server, PrepareOut &o, ULONG grbit = 0, ULONG bt = BACKUP_TYPE_FULL) {
    return DsBackupPrepareA(server, grbit, bt, &o.token, &o.cb, &o.hbc);
}

}  // namespace

TEST(DsBackupPrepare, ReturnsAHandleAnd128ByteToken) {  // contract: S_OK, *hbc non-NULL, 128-byte token
    OneServer root;
    {
        PrepareOut o;
        ASSERT_EQ(prepareW(u"\\\\DC01", o), S_OK);
        EXPECT_NE(o.hbc, nullptr);
        EXPECT_NE(o.hbc, sentinelHbc());
        ASSERT_NE(o.token, nullptr);
        ASSERT_NE(o.token, sentinelPtr());
        EXPECT_EQ(o.cb, 128u);
        EXPECT_EQ(DsBackupEnd(o.hbc), S_OK);
        o.hbc = sentinelHbc();
    }
    PrepareOut o;
    ASSERT_EQ(prepareA("dc01", o), S_OK);  // A form; case-insensitive name without "\\"
    EXPECT_NE(o.hbc, nullptr);
    EXPECT_NE(o.token, nullptr);
    EXPECT_EQ(o.cb, 128u);
}

TEST(DsBackupPrepare, RejectsANullServerOrHandlePointer) {  // contract: NULL server or NULL phbc -> 87
    OneServer root;
    PrepareOut o;
    EXPECT_EQ(prepareW(nullptr, o), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(prepareA(nullptr, o), ERROR_INVALID_PARAMETER);
    EXPECT_TRUE(o.untouched());
    EXPECT_EQ(DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_FULL, &o.token, &o.cb, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupPrepareA("DC01", 0, BACKUP_TYPE_FULL, &o.token, &o.cb, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_TRUE(o.untouched());
    // No backup was started by the failures.
    Backup b(u"DC01");
    EXPECT_EQ(b.hr, S_OK);
}

TEST(DsBackupPrepare, RejectsNullTokenPointersWithHrInvalidParam) {  // contract: NULL token or size -> hrInvalidParam
    OneServer root;
    PrepareOut o;
    EXPECT_EQ(DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_FULL, nullptr, &o.cb, &o.hbc), hrInvalidParam);
    EXPECT_EQ(DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_FULL, &o.token, nullptr, &o.hbc), hrInvalidParam);
    EXPECT_EQ(DsBackupPrepareA("DC01", 0, BACKUP_TYPE_FULL, nullptr, &o.cb, &o.hbc), hrInvalidParam);
    EXPECT_EQ(DsBackupPrepareA("DC01", 0, BACKUP_TYPE_FULL, &o.token, nullptr, &o.hbc), hrInvalidParam);
    EXPECT_TRUE(o.untouched());
    Backup b(u"DC01");
    EXPECT_EQ(b.hr, S_OK);
}

TEST(DsBackupPrepare, ChecksNullServerBeforeNullToken) {  // contract: checked in this order
    OneServer root;
    HBC hbc = sentinelHbc();
    EXPECT_EQ(DsBackupPrepareW(nullptr, 0, BACKUP_TYPE_FULL, nullptr, nullptr, &hbc), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_FULL, nullptr, nullptr, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(hbc, sentinelHbc());
}

TEST(DsBackupPrepare, AcceptsOnlyFullBackups) {  // contract: btFlag != BACKUP_TYPE_FULL -> 87
    OneServer root;
    PrepareOut o;
    for (ULONG bt : {0u, static_cast<ULONG>(BACKUP_TYPE_LOGS_ONLY), static_cast<ULONG>(BACKUP_TYPE_INCREMENTAL), 3u, 0x8u,
                     0xffffffffu}) {
        EXPECT_EQ(prepareW(u"DC01", o, 0, bt), ERROR_INVALID_PARAMETER) << "btFlag " << bt;
        EXPECT_EQ(prepareA("DC01", o, 0, bt), ERROR_INVALID_PARAMETER) << "btFlag " << bt;
        EXPECT_TRUE(o.untouched());
    }
}

TEST(DsBackupPrepare, ChecksTheTokenPointersBeforeTheBackupType) {  // contract: checked in this order
    OneServer root;
    HBC hbc = sentinelHbc();
    DWORD cb = kSentinel;
    EXPECT_EQ(DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_LOGS_ONLY, nullptr, &cb, &hbc), hrInvalidParam);
    EXPECT_EQ(hbc, sentinelHbc());
    EXPECT_EQ(cb, kSentinel);
}

TEST(DsBackupPrepare, RejectsAMalformedNameWithInvalidParameter) {  // contract: malformed name -> 87
    OneServer root;
    PrepareOut o;
    for (const char16_t *name : {u"", u"\\\\", u"DC_01", u"DC/01", u"\\\\DC01\\C$", u"..", u"DC..01", u"DC 01"}) {
        EXPECT_EQ(prepareW(name, o), ERROR_INVALID_PARAMETER) << "\"" << u8(name) << "\"";
        EXPECT_TRUE(o.untouched());
    }
    EXPECT_EQ(prepareA("DC_01", o), ERROR_INVALID_PARAMETER);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, CannotConnectToAnUnknownServerOrANonDc) {  // contract: unknown / not ntds -> hrCouldNotConnect
    OneServer root;
    root.create("CA01", kSmallCertsrv);
    root.create("ESE01", kSmallEse);
    PrepareOut o;
    for (const char16_t *name : {u"DC99", u"\\\\DC02", u"CA01", u"ESE01"}) {
        EXPECT_EQ(prepareW(name, o), hrCouldNotConnect) << u8(name);
        EXPECT_TRUE(o.untouched());
    }
    EXPECT_EQ(prepareA("CA01", o), hrCouldNotConnect);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, ChecksTheBackupTypeBeforeLookingForTheServer) {  // contract: checked in this order
    OneServer root;
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC99", o, 0, BACKUP_TYPE_LOGS_ONLY), ERROR_INVALID_PARAMETER);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, CannotConnectToAStoppedServer) {  // contract: server offline -> hrCouldNotConnect
    OneServer root;
    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC01", o), hrCouldNotConnect);
    EXPECT_EQ(prepareA("DC01", o), hrCouldNotConnect);
    EXPECT_TRUE(o.untouched());
    // checked before the grbit
    EXPECT_EQ(prepareW(u"DC01", o, 0x4), hrCouldNotConnect);
    EXPECT_TRUE(o.untouched());
    ASSERT_EQ(WbStartServerA("DC01"), S_OK);
    EXPECT_EQ(prepareW(u"DC01", o), S_OK);
}

TEST(DsBackupPrepare, RejectsGrbitsEseDoesNotKnow) {  // contract: bits outside {0x1, 0x20, 0x40} -> WB_HR_INVALID_GRBIT
    OneServer root;
    PrepareOut o;
    for (ULONG grbit : {0x2u, 0x4u, 0x10u, 0x80u, 0x100u, 0x200u, 0x21u | 0x4u, 0x80000000u, 0xffffffffu}) {
        EXPECT_EQ(prepareW(u"DC01", o, grbit), WB_HR_INVALID_GRBIT) << "grbit 0x" << std::hex << grbit;
        EXPECT_TRUE(o.untouched());
    }
    EXPECT_EQ(prepareA("DC01", o, 0x4), WB_HR_INVALID_GRBIT);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, AcceptsTheGrbitsEseAccepts) {  // contract: only bits outside {0x1, 0x20, 0x40} are refused
    OneServer root;
    for (ULONG grbit : {0u, 0x20u, 0x40u}) {
        Backup b(u"DC01", grbit);
        EXPECT_EQ(b.hr, S_OK) << "grbit 0x" << std::hex << grbit;
    }
}

TEST(DsBackupPrepare, RefusesAnIncrementalBackupWithCircularLogging) {  // contract: grbit 0x1 + circular -> hrInvalidBackup
    TestRoot root;
    root.create("DC01", "--role ntds --db-size 2M --logs 2 --log-size 64K --circular-logging on");
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC01", o, 0x1), hrInvalidBackup);
    EXPECT_TRUE(o.untouched());
    EXPECT_EQ(prepareA("DC01", o, 0x1), hrInvalidBackup);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, RefusesAnIncrementalBackupBeforeAnyFullBackup) {  // contract: no earlier full -> hrMissingFullBackup
    OneServer root;
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC01", o, 0x1), hrMissingFullBackup);
    EXPECT_TRUE(o.untouched());
    // and a full backup can start right after
    Backup b(u"DC01");
    EXPECT_EQ(b.hr, S_OK);
}

TEST(DsBackupPrepare, AllowsAnIncrementalBackupAfterAFullOne) {  // contract: the grbit 0x1 rules; incremental has no db phase
    OneServer root;
    BackupResult full;
    ASSERT_TRUE(fullBackupW(u"DC01", &full, /*truncate=*/true));
    Backup inc(u"DC01", 0x1);
    ASSERT_EQ(inc.hr, S_OK);
    WCHAR *list = nullptr;
    DWORD cb = kSentinel;
    EXPECT_EQ(DsBackupGetDatabaseNamesW(inc.hbc, &list, &cb), hrInvalidBackupSequence);
    EXPECT_EQ(list, nullptr);
    EXPECT_EQ(cb, kSentinel);
    std::vector<std::u16string> logs;
    EXPECT_EQ(inc.logNames(&logs), S_OK);
    EXPECT_FALSE(logs.empty());
    EXPECT_EQ(inc.end(), S_OK);
}

TEST(DsBackupPrepare, RefusesASecondBackupOfTheSameServer) {  // contract: a backup running in this process -> hrBackupInProgress
    OneServer root;
    root.create("DC02");
    Backup first(u"DC01");
    ASSERT_EQ(first.hr, S_OK);
    PrepareOut o;
    EXPECT_EQ(prepareW(u"\\\\DC01", o), hrBackupInProgress);
    EXPECT_EQ(prepareA("dc01", o), hrBackupInProgress);
    EXPECT_TRUE(o.untouched());
    {
        Backup other(u"DC02");  // another server is not busy
        EXPECT_EQ(other.hr, S_OK);
    }
    EXPECT_EQ(first.end(), S_OK);
    Backup again(u"DC01");  // free again once the first one ended
    EXPECT_EQ(again.hr, S_OK);
}

TEST(DsBackupPrepare, ChecksGrbitBeforeTheRunningBackup) {  // contract: checked in this order
    OneServer root;
    Backup first(u"DC01");
    ASSERT_EQ(first.hr, S_OK);
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC01", o, 0x4), WB_HR_INVALID_GRBIT);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, ChecksTheRunningBackupBeforeTheMissingFullBackup) {  // contract: checked in this order
    OneServer root;
    Backup first(u"DC01");
    ASSERT_EQ(first.hr, S_OK);
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC01", o, 0x1), hrBackupInProgress);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, TokenIsFreedWithDsBackupFree) {  // contract: the token is freed with DsBackupFree
    OneServer root;
    for (int i = 0; i < 3; ++i) {
        void *token = nullptr;
        DWORD cb = 0;
        HBC hbc = nullptr;
        ASSERT_EQ(DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_FULL, &token, &cb, &hbc), S_OK);
        testing::internal::CaptureStderr();
        DsBackupFree(token);
        std::string err = testing::internal::GetCapturedStderr();
        EXPECT_EQ(err, "") << "freeing the library's own token reported: " << err;
        EXPECT_EQ(DsBackupEnd(hbc), S_OK);
    }
}

TEST(DsBackupPrepare, RefusesCredentialsTheServerDoesNotAccept) {  // contract: credentials refused -> 5
    OneServer root;
    AuthIdentityReset reset;
    ASSERT_EQ(DsSetAuthIdentityW(u"nobody", u"CONTOSO", u"secret"), S_OK);
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC01", o), ERROR_ACCESS_DENIED);
    EXPECT_EQ(prepareA("DC01", o), ERROR_ACCESS_DENIED);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, ChecksTheServerAndRoleBeforeTheCredentials) {  // contract: checked in this order
    OneServer root;
    root.create("CA01", kSmallCertsrv);
    AuthIdentityReset reset;
    ASSERT_EQ(DsSetAuthIdentityW(u"nobody", u"CONTOSO", u"secret"), S_OK);
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC_01", o), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(prepareW(u"DC99", o), hrCouldNotConnect);
    EXPECT_EQ(prepareW(u"CA01", o), hrCouldNotConnect);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, ChecksTheCredentialsBeforeTheServerState) {  // contract: checked in this order
    OneServer root;
    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    AuthIdentityReset reset;
    ASSERT_EQ(DsSetAuthIdentityW(u"nobody", u"CONTOSO", u"secret"), S_OK);
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC01", o), ERROR_ACCESS_DENIED);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, ChecksCircularLoggingBeforeTheRunningBackup) {  // contract: checked in this order
    TestRoot root;
    root.create("DC01", "--role ntds --db-size 2M --logs 2 --log-size 64K --circular-logging on");
    Backup first(u"DC01");
    ASSERT_EQ(first.hr, S_OK);
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC01", o, 0x1), hrInvalidBackup);
    EXPECT_EQ(prepareW(u"DC01", o), hrBackupInProgress);
    EXPECT_TRUE(o.untouched());
}

TEST(DsBackupPrepare, TreatsAWellFormedUnknownNameAsCouldNotConnect) {  // contract "Names" + unknown -> hrCouldNotConnect
    OneServer root;
    PrepareOut o;
    std::u16string longest(63, u'A');
    for (std::u16string name : {std::u16string(u"DC02"), std::u16string(u"dc-02.contoso.com"), longest}) {
        EXPECT_EQ(prepareW(name.c_str(), o), hrCouldNotConnect) << "\"" << u8(name) << "\"";
        EXPECT_TRUE(o.untouched());
    }
}

TEST(DsBackupPrepare, RefusesNamesThatStartWithAPunctuationMarkOrRunLong) {  // contract "Names": malformed -> 87
    OneServer root;
    PrepareOut o;
    std::u16string tooLong(64, u'A');
    for (std::u16string name : {std::u16string(u"-DC01"), std::u16string(u".DC01"), tooLong}) {
        EXPECT_EQ(prepareW(name.c_str(), o), ERROR_INVALID_PARAMETER) << "\"" << u8(name) << "\"";
        EXPECT_TRUE(o.untouched());
    }
}
