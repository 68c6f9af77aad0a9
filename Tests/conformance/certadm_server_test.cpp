// CertSrvIsServerOnlineW and CertSrvServerControlW: the calls that name a CA rather than a
// context (docs/CONTRACT-CERTADM.md "CertSrvIsServerOnlineW(name, pf)", "CertSrvServerControlW").
#include "helpers.h"

using namespace wbtest;

namespace {

// CertSrvServerControlW with sentinel outputs; checks they are 0 / NULL on S_OK and untouched
// on failure.
HRESULT control(const char16_t *name, DWORD flags) {
    DWORD cb = kSentinel;
    BYTE *out = static_cast<BYTE *>(sentinelPtr());
    HRESULT hr = CertSrvServerControlW(name, flags, &cb, &out);
    if (hr == S_OK) {
        EXPECT_EQ(cb, 0u) << "CertSrvServerControlW(" << u8(name) << ", " << flags << ") *pcbOut";
        EXPECT_EQ(out, nullptr) << "CertSrvServerControlW(" << u8(name) << ", " << flags << ") *ppbOut";
    } else {
        EXPECT_EQ(cb, kSentinel) << "a failed CertSrvServerControlW set *pcbOut";
        EXPECT_EQ(out, static_cast<BYTE *>(sentinelPtr())) << "a failed CertSrvServerControlW set *ppbOut";
    }
    return hr;
}

const char16_t *const kMalformed[] = {u"", u"\\\\", u"CA_01", u"CA/01", u"..", u"CA..01", u"CA 01", u"CA01!", u"-CA01",
                                      u"CA_01\\CA01-CA"};

}  // namespace

// --- CertSrvIsServerOnlineW ---------------------------------------------------------------------

TEST(CertSrvIsServerOnline, SaysTrueForARunningCaByAnyOfItsNames) {  // contract: running -> S_OK, TRUE; names and config strings
    OneCa root;
    for (const char16_t *name : {u"CA01", u"ca01", u"\\\\CA01", u"\\\\cA01", u"CA01\\CA01-CA", u"\\\\CA01\\CA01-CA",
                                 u"ca01\\ca01-ca", u"CA01\\CA01-Ca"}) {
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(CertSrvIsServerOnlineW(name, &f), S_OK) << u8(name);
        EXPECT_EQ(f, TRUE) << u8(name);
    }
}

TEST(CertSrvIsServerOnline, SaysFalseForAPausedCa) {  // contract: paused -> S_OK, *pf = FALSE
    OneCa root;
    ASSERT_EQ(control(u"CA01", CSCONTROL_SUSPEND), S_OK);
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA01", &f), S_OK);
    EXPECT_EQ(f, FALSE);
    f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA01\\CA01-CA", &f), S_OK);
    EXPECT_EQ(f, FALSE);
    ASSERT_EQ(WbStartServerA("CA01"), S_OK);  // resumes a paused CA
    f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
}

TEST(CertSrvIsServerOnline, FailsForAStoppedCaAndLeavesPfAlone) {  // contract: stopped -> 0x800706BA, *pf untouched
    OneCa root;
    root.create("CA02", "--role certsrv --db-size 2M --logs 2 --log-size 64K --offline");
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    for (const char16_t *name : {u"CA01", u"CA02", u"CA01\\CA01-CA", u"\\\\CA02\\CA02-CA"}) {
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(CertSrvIsServerOnlineW(name, &f), kRpcUnavailable) << u8(name);
        EXPECT_EQ(f, static_cast<BOOL>(kSentinel)) << u8(name);
    }
    ASSERT_EQ(WbStartServerA("CA01"), S_OK);
    BOOL f = FALSE;
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
}

TEST(CertSrvIsServerOnline, RejectsNullPointersWithEPointer) {  // contract: NULL name -> E_POINTER; NULL pf -> E_POINTER
    OneCa root;
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(CertSrvIsServerOnlineW(nullptr, &f), E_POINTER);
    EXPECT_EQ(f, static_cast<BOOL>(kSentinel));
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA01", nullptr), E_POINTER);
    EXPECT_EQ(CertSrvIsServerOnlineW(nullptr, nullptr), E_POINTER);
    // NULL pf is found before the name is looked at
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA99", nullptr), E_POINTER);
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA_01", nullptr), E_POINTER);
}

TEST(CertSrvIsServerOnline, RejectsMalformedNamesWithInvalidArg) {  // contract: malformed name -> E_INVALIDARG
    OneCa root;
    for (const char16_t *name : kMalformed) {
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(CertSrvIsServerOnlineW(name, &f), E_INVALIDARG) << "\"" << u8(name) << "\"";
        EXPECT_EQ(f, static_cast<BOOL>(kSentinel)) << "\"" << u8(name) << "\"";
    }
}

TEST(CertSrvIsServerOnline, CannotReachUnknownServersNonCasOrAnotherCaName) {  // contract: unknown, not certsrv, other CA name -> 0x800706BA
    OneCa root;
    root.create("DC01", kSmallNtds);
    root.create("ESE01", kSmallEse);
    root.create("CA02", "--role certsrv --db-size 2M --logs 2 --log-size 64K --ca-name Contoso-Root");
    for (const char16_t *name : {u"CA99", u"\\\\CA99", u"DC01", u"ESE01", u"CA01\\Other-CA", u"CA01\\CA02-CA",
                                 u"\\\\CA01\\CA01-CA2", u"CA02\\CA02-CA", u"CA99\\CA01-CA"}) {
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(CertSrvIsServerOnlineW(name, &f), kRpcUnavailable) << u8(name);
        EXPECT_EQ(f, static_cast<BOOL>(kSentinel)) << u8(name);
    }
    BOOL f = static_cast<BOOL>(kSentinel);  // --ca-name names the CA
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA02\\contoso-root", &f), S_OK);
    EXPECT_EQ(f, TRUE);
}

TEST(CertSrvIsServerOnline, RefusedCredentialsAreAccessDenied) {  // contract: credentials refused -> E_ACCESSDENIED
    OneCa root;
    AuthIdentityReset reset;
    ASSERT_EQ(WbAllowIdentityA("CA01", "CONTOSO\\certbackup", "Passw0rd!"), S_OK);
    ASSERT_EQ(DsSetAuthIdentityW(u"certbackup", u"CONTOSO", u"wrong"), S_OK);
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA01", &f), E_ACCESSDENIED);
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA01\\CA01-CA", &f), E_ACCESSDENIED);
    EXPECT_EQ(f, static_cast<BOOL>(kSentinel));
    ASSERT_EQ(DsSetAuthIdentityA("certbackup", "CONTOSO", "Passw0rd!"), S_OK);
    EXPECT_EQ(CertSrvIsServerOnlineW(u"CA01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
}

// --- CertSrvServerControlW -----------------------------------------------------------------------

TEST(CertSrvServerControl, RejectsANullNameWithEPointer) {  // contract: NULL name -> E_POINTER (before the flags)
    OneCa root;
    for (DWORD flags : {DWORD(CSCONTROL_SHUTDOWN), DWORD(0), DWORD(4)}) EXPECT_EQ(control(nullptr, flags), E_POINTER) << flags;
    EXPECT_EQ(caState("CA01"), "running");
}

TEST(CertSrvServerControl, RejectsFlagsOtherThanOneTwoThree) {  // contract: flags other than 1, 2, 3 -> E_INVALIDARG
    OneCa root;
    for (DWORD flags : {DWORD(0), DWORD(4), DWORD(5), DWORD(0x10), DWORD(0x101), DWORD(0xFFFFFFFF)}) {
        EXPECT_EQ(control(u"CA01", flags), E_INVALIDARG) << flags;
        EXPECT_EQ(control(u"CA99", flags), E_INVALIDARG) << flags << ": the flags are checked before the name";
        EXPECT_EQ(control(u"CA_01", flags), E_INVALIDARG) << flags;
    }
    EXPECT_EQ(caState("CA01"), "running");
}

TEST(CertSrvServerControl, RejectsMalformedAndUnreachableNames) {  // contract: malformed -> E_INVALIDARG; unknown / not a CA -> 0x800706BA
    OneCa root;
    root.create("DC01", kSmallNtds);
    for (const char16_t *name : kMalformed) EXPECT_EQ(control(name, CSCONTROL_SUSPEND), E_INVALIDARG) << "\"" << u8(name) << "\"";
    for (const char16_t *name : {u"CA99", u"DC01", u"CA01\\Other-CA"}) {
        EXPECT_EQ(control(name, CSCONTROL_SHUTDOWN), kRpcUnavailable) << u8(name);
        EXPECT_EQ(control(name, CSCONTROL_RESTART), kRpcUnavailable) << u8(name);
    }
    EXPECT_EQ(caState("CA01"), "running");
    EXPECT_TRUE(isOnline("DC01")) << "a CSCONTROL_SHUTDOWN of a DC did something";
}

TEST(CertSrvServerControl, CannotTalkToAStoppedCa) {  // contract: a stopped CA -> 0x800706BA, for each control
    OneCa root;
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    for (DWORD flags : {CSCONTROL_SHUTDOWN, CSCONTROL_SUSPEND, CSCONTROL_RESTART})
        EXPECT_EQ(control(u"CA01", flags), kRpcUnavailable) << flags;
    EXPECT_EQ(caState("CA01"), "stopped") << "CSCONTROL_RESTART started a stopped CA";
}

TEST(CertSrvServerControl, RefusedCredentialsAreAccessDenied) {  // contract: credentials -> E_ACCESSDENIED
    OneCa root;
    AuthIdentityReset reset;
    ASSERT_EQ(DsSetAuthIdentityW(u"nobody", u"CONTOSO", u"x"), S_OK);
    for (DWORD flags : {CSCONTROL_SHUTDOWN, CSCONTROL_SUSPEND, CSCONTROL_RESTART})
        EXPECT_EQ(control(u"CA01", flags), E_ACCESSDENIED) << flags;
    ASSERT_EQ(DsSetAuthIdentityW(nullptr, nullptr, nullptr), S_OK);
    EXPECT_EQ(caState("CA01"), "running");
}

TEST(CertSrvServerControl, SuspendPausesTheCaAndBackupsStillWork) {  // contract: SUSPEND: IsServerOnline FALSE; backups work; WbWriteServerA refused
    OneCa root;
    ASSERT_EQ(control(u"CA01\\CA01-CA", CSCONTROL_SUSPEND), S_OK);
    EXPECT_EQ(caState("CA01"), "paused");
    std::string crl = TestRoot::local("CA01", (std::string(kCertEnroll) + "\\CA01-CA.crl").c_str());
    std::vector<uint8_t> crlBefore = readFile(crl);
    std::string before = contentDigest("CA01");
    EXPECT_NE(WbWriteServerA("CA01", 2), S_OK) << "a paused CA took simulated activity";
    EXPECT_EQ(contentDigest("CA01"), before);
    EXPECT_EQ(readFile(crl), crlBefore) << "a paused CA published a CRL";
    CaBackupSet set;
    EXPECT_TRUE(makeCaBackupSet("CA01", root.path() + "/full", CSBACKUP_TYPE_FULL, &set)) << "a full backup of a paused CA";
    EXPECT_EQ(caState("CA01"), "paused") << "the backup changed the CA's state";
    EXPECT_EQ(control(u"CA01", CSCONTROL_SUSPEND), S_OK) << "suspending a paused CA";
    EXPECT_EQ(caState("CA01"), "paused");
}

TEST(CertSrvServerControl, RestartBringsTheCaBackRunningWithItsContent) {  // contract: RESTART: stop then start; a paused CA comes back running
    OneCa root;
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    std::string before = contentDigest("CA01");
    EXPECT_EQ(control(u"CA01", CSCONTROL_RESTART), S_OK);
    EXPECT_EQ(caState("CA01"), "running");
    EXPECT_EQ(contentDigest("CA01"), before);
    ASSERT_EQ(control(u"CA01", CSCONTROL_SUSPEND), S_OK);
    ASSERT_EQ(caState("CA01"), "paused");
    EXPECT_EQ(control(u"\\\\CA01", CSCONTROL_RESTART), S_OK);
    EXPECT_EQ(caState("CA01"), "running");
    EXPECT_EQ(contentDigest("CA01"), before);
    EXPECT_EQ(WbWriteServerA("CA01", 1), S_OK) << "the restarted CA takes activity again";
    // the stop half ends a running backup, as SHUTDOWN does
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(control(u"CA01", CSCONTROL_RESTART), S_OK);
    std::vector<std::u16string> names;
    EXPECT_EQ(b.databaseNames(&names), WB_HR_BACKUP_ABORT_BY_SERVER) << "a backup across CSCONTROL_RESTART";
    EXPECT_EQ(b.end(), S_OK);
    CaBackup next(u"CA01");
    EXPECT_EQ(next.hr, S_OK);
}

TEST(CertSrvServerControl, ShutdownStopsTheCaAndAbortsItsBackup) {  // contract: SHUTDOWN stops the CA; a running backup then gets 0xC8000321
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(control(u"CA01", CSCONTROL_SHUTDOWN), S_OK);
    EXPECT_EQ(caState("CA01"), "stopped");
    WCHAR *list = nullptr;
    DWORD cb = kSentinel;
    EXPECT_EQ(CertSrvBackupGetDatabaseNamesW(b.hbc, &list, &cb), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_TRUE(list == nullptr && cb == kSentinel);
    EXPECT_EQ(b.end(), S_OK) << "End of a backup the server aborted";
    EXPECT_EQ(control(u"CA01", CSCONTROL_SHUTDOWN), kRpcUnavailable) << "a second SHUTDOWN";
    ASSERT_EQ(WbStartServerA("CA01"), S_OK);
    EXPECT_EQ(caState("CA01"), "running");
    ASSERT_EQ(control(u"CA01", CSCONTROL_SUSPEND), S_OK);
    EXPECT_EQ(control(u"CA01", CSCONTROL_SHUTDOWN), S_OK) << "a paused CA";
    EXPECT_EQ(caState("CA01"), "stopped");
}

TEST(CertSrvServerControl, OutputPointersMayBeNull) {  // contract: both may be NULL
    OneCa root;
    DWORD cb = kSentinel;
    BYTE *out = static_cast<BYTE *>(sentinelPtr());
    EXPECT_EQ(CertSrvServerControlW(u"CA01", CSCONTROL_SUSPEND, nullptr, nullptr), S_OK);
    EXPECT_EQ(caState("CA01"), "paused");
    EXPECT_EQ(CertSrvServerControlW(u"CA01", CSCONTROL_RESTART, &cb, nullptr), S_OK);
    EXPECT_EQ(cb, 0u);
    EXPECT_EQ(caState("CA01"), "running");
    EXPECT_EQ(CertSrvServerControlW(u"CA01", CSCONTROL_SHUTDOWN, nullptr, &out), S_OK);
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(caState("CA01"), "stopped");
    testing::internal::CaptureStderr();
    CertSrvBackupFree(out);  // a NULL output may be freed like any other
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}
