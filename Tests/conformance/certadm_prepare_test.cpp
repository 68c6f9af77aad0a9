// CertSrvBackupPrepareW (docs/CONTRACT-CERTADM.md "CertSrvBackupPrepareW(name, grbitJet,
// dwBackupFlags, phbc)"), its checks in the contract's order.
#include "helpers.h"

#include <signal.h>
#include <unistd.h>

using namespace wbtest;

namespace {

// CertSrvBackupPrepareW with a sentinel handle: untouched on failure, a fresh context on S_OK
// (ended here).
HRESULT prepare(const char16_t *name, ULONG grbit, ULONG flags) {
    HCSBC hbc = sentinelHcsbc();
    HRESULT hr = CertSrvBackupPrepareW(name, grbit, flags, &hbc);
    if (hr == S_OK) {
        EXPECT_NE(hbc, nullptr);
        EXPECT_NE(hbc, sentinelHcsbc());
        EXPECT_EQ(CertSrvBackupEnd(hbc), S_OK);
    } else {
        EXPECT_EQ(hbc, sentinelHcsbc()) << "a failed CertSrvBackupPrepareW (0x" << std::hex << hr << ") set *phbc";
    }
    return hr;
}

// A full backup of CA01 that truncates its logs: what makes a LOGS_ONLY backup legal.
void fullBackupTruncated(TestRoot &root, const char *dir = "full") {
    CaBackupSet set;
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/" + dir, CSBACKUP_TYPE_FULL, &set));
}

}  // namespace

TEST(CertSrvBackupPrepare, StartsAFullBackupOfARunningCaByAnyOfItsNames) {  // contract: S_OK, *phbc non-NULL
    OneCa root;
    for (const char16_t *name : {u"CA01", u"\\\\CA01", u"ca01", u"CA01\\CA01-CA", u"\\\\ca01\\ca01-ca"})
        EXPECT_EQ(prepare(name, 0, CSBACKUP_TYPE_FULL), S_OK) << u8(name);
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    DWORD size = kSentinel;
    EXPECT_EQ(WbCertSrvGetReadBufferSize(b.hbc, &size), S_OK);
    EXPECT_EQ(size, 0u) << "a read-buffer size before the first OpenFile";
    std::vector<std::u16string> names;
    EXPECT_EQ(b.databaseNames(&names), S_OK);
}

TEST(CertSrvBackupPrepare, RejectsNullPointersFirst) {  // contract: NULL name -> E_POINTER; NULL phbc -> E_POINTER (first)
    OneCa root;
    EXPECT_EQ(prepare(nullptr, 0, CSBACKUP_TYPE_FULL), E_POINTER);
    EXPECT_EQ(prepare(nullptr, 0, 0), E_POINTER) << "before the flags";
    EXPECT_EQ(CertSrvBackupPrepareW(u"CA01", 0, CSBACKUP_TYPE_FULL, nullptr), E_POINTER);
    EXPECT_EQ(CertSrvBackupPrepareW(u"CA01", 0, 4, nullptr), E_POINTER) << "before the flags";
    EXPECT_EQ(CertSrvBackupPrepareW(u"CA99", 0xFF, 0, nullptr), E_POINTER) << "before the name";
    EXPECT_EQ(CertSrvBackupPrepareW(nullptr, 0, CSBACKUP_TYPE_FULL, nullptr), E_POINTER);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), S_OK) << "a refused call left a backup running";
}

TEST(CertSrvBackupPrepare, RejectsBackupFlagsOtherThanFullOrLogsOnly) {  // contract: flags other than 1 or 2 -> E_INVALIDARG
    OneCa root;
    for (ULONG flags : {0x0u, 0x3u, 0x4u, 0x5u, 0x6u, 0x10u, 0x80000001u, 0xFFFFFFFFu}) {
        EXPECT_EQ(prepare(u"CA01", 0, flags), E_INVALIDARG) << "flags " << flags;
        // checked before the name and the CA's state
        EXPECT_EQ(prepare(u"CA99", 0, flags), E_INVALIDARG) << "flags " << flags;
        EXPECT_EQ(prepare(u"CA_01", 0, flags), E_INVALIDARG) << "flags " << flags;
    }
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    EXPECT_EQ(prepare(u"CA01", 0, 3), E_INVALIDARG) << "a stopped CA";
    EXPECT_EQ(prepare(u"CA01", 0, 0), E_INVALIDARG) << "a stopped CA";
}

TEST(CertSrvBackupPrepare, RejectsMalformedNames) {  // contract: malformed -> E_INVALIDARG
    OneCa root;
    for (const char16_t *name : {u"", u"\\\\", u"CA_01", u"CA/01", u"..", u"CA 01", u"-CA01", u"CA_01\\CA01-CA"})
        EXPECT_EQ(prepare(name, 0, CSBACKUP_TYPE_FULL), E_INVALIDARG) << "\"" << u8(name) << "\"";
}

TEST(CertSrvBackupPrepare, CannotReachUnknownServersNonCasOrAnotherCaName) {  // contract: unknown / not a CA -> 0x800706BA
    OneCa root;
    root.create("DC01", kSmallNtds);
    root.create("ESE01", kSmallEse);
    for (const char16_t *name : {u"CA99", u"DC01", u"\\\\ESE01", u"CA01\\Other-CA", u"CA01\\CA01"}) {
        EXPECT_EQ(prepare(name, 0, CSBACKUP_TYPE_FULL), kRpcUnavailable) << u8(name);
        EXPECT_EQ(prepare(name, 0, CSBACKUP_TYPE_LOGS_ONLY), kRpcUnavailable) << u8(name);
    }
}

TEST(CertSrvBackupPrepare, RefusesAStoppedCaButBacksUpAPausedOne) {  // contract: stopped -> 0x800706BA; a paused CA backs up
    OneCa root;
    ASSERT_EQ(CertSrvServerControlW(u"CA01", CSCONTROL_SUSPEND, nullptr, nullptr), S_OK);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), S_OK) << "a paused CA";
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), kRpcUnavailable);
    EXPECT_EQ(prepare(u"CA01\\CA01-CA", 0, CSBACKUP_TYPE_LOGS_ONLY), kRpcUnavailable);
    // the state is checked before grbit
    EXPECT_EQ(prepare(u"CA01", 0x80, CSBACKUP_TYPE_FULL), kRpcUnavailable);
    ASSERT_EQ(WbStartServerA("CA01"), S_OK);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), S_OK);
}

TEST(CertSrvBackupPrepare, RefusedCredentialsAreAccessDenied) {  // contract: credentials -> E_ACCESSDENIED (before the state)
    OneCa root;
    AuthIdentityReset reset;
    ASSERT_EQ(WbAllowIdentityA("CA01", "CONTOSO\\certbackup", "Passw0rd!"), S_OK);
    ASSERT_EQ(DsSetAuthIdentityW(u"certbackup", u"CONTOSO", u"nope"), S_OK);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), E_ACCESSDENIED);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_LOGS_ONLY), E_ACCESSDENIED);
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), E_ACCESSDENIED) << "a stopped CA, refused credentials";
    ASSERT_EQ(WbStartServerA("CA01"), S_OK);
    ASSERT_EQ(DsSetAuthIdentityW(u"certbackup", u"CONTOSO", u"Passw0rd!"), S_OK);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), S_OK);
}

TEST(CertSrvBackupPrepare, RejectsGrbitBitsTheEngineDoesNotKnow) {  // contract: bits outside {0x1, 0x20, 0x40} -> E_INVALIDARG
    OneCa root;
    for (ULONG grbit : {0x2u, 0x4u, 0x8u, 0x10u, 0x80u, 0x100u, 0x21u | 0x100u, 0x80000000u, 0xFFFFFFFFu}) {
        EXPECT_EQ(prepare(u"CA01", grbit, CSBACKUP_TYPE_FULL), E_INVALIDARG) << "grbit 0x" << std::hex << grbit;
        EXPECT_EQ(prepare(u"CA01", grbit, CSBACKUP_TYPE_LOGS_ONLY), E_INVALIDARG) << "grbit 0x" << std::hex << grbit;
    }
    for (ULONG grbit : {0x20u, 0x40u}) EXPECT_EQ(prepare(u"CA01", grbit, CSBACKUP_TYPE_FULL), S_OK) << "grbit 0x" << std::hex << grbit;
}

TEST(CertSrvBackupPrepare, RejectsAnInternalCopyThatIsIncrementalOrSurrogate) {  // ESE-BEHAVIOUR.md A.2: -900
    OneCa root;
    for (ULONG grbit : {0x41u, 0x60u, 0x61u}) EXPECT_EQ(prepare(u"CA01", grbit, CSBACKUP_TYPE_FULL), E_INVALIDARG) << "grbit 0x" << std::hex << grbit;
    EXPECT_EQ(prepare(u"CA01", 0x40, CSBACKUP_TYPE_LOGS_ONLY), E_INVALIDARG) << "LOGS_ONLY adds the incremental bit";
}

TEST(CertSrvBackupPrepare, FullWithGrbitOneIsAnIncrementalBackup) {  // contract: grbitJet is passed on; FULL with grbitJet 1 is incremental
    OneCa root;
    EXPECT_EQ(prepare(u"CA01", 0x1, CSBACKUP_TYPE_FULL), hrMissingFullBackup) << "no full backup yet";
    fullBackupTruncated(root);
    CaBackup b(u"CA01", CSBACKUP_TYPE_FULL, 0x1);
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> names;
    EXPECT_EQ(b.databaseNames(&names), hrInvalidBackupSequence) << "an incremental backup lists no database";
    EXPECT_EQ(b.logNames(&names), S_OK);
}

TEST(CertSrvBackupPrepare, LogsOnlyNeedsAFullBackupThatTruncatedItsLogs) {  // contract: incremental, no full recorded -> hrMissingFullBackup
    OneCa root;
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_LOGS_ONLY), hrMissingFullBackup);
    EXPECT_EQ(hrMissingFullBackup, static_cast<HRESULT>(0xC8000230u));
    {
        CaBackupSet set;  // a full backup whose logs were not truncated (bkinfoCopyPrev): not one
        ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/copy", CSBACKUP_TYPE_FULL, &set, false));
    }
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_LOGS_ONLY), hrMissingFullBackup) << "after a full backup without TruncateLogs";
    {
        CaBackup abandoned(u"CA01");  // ended before its log list: records nothing
        ASSERT_TRUE(abandoned.ok());
        std::vector<std::u16string> names;
        ASSERT_EQ(abandoned.databaseNames(&names), S_OK);
    }
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_LOGS_ONLY), hrMissingFullBackup) << "after an abandoned full backup";
    fullBackupTruncated(root);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_LOGS_ONLY), S_OK) << "after a full backup that truncated its logs";
    EXPECT_EQ(prepare(u"CA01\\CA01-CA", 0, CSBACKUP_TYPE_LOGS_ONLY), S_OK);
}

TEST(CertSrvBackupPrepare, LogsOnlyWithCircularLoggingIsInvalidBackup) {  // contract: incremental + circular logging -> hrInvalidBackup 0xC800020E
    TestRoot root;
    root.create("CA01", kSmallCaCircular);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_LOGS_ONLY), hrInvalidBackup);
    EXPECT_EQ(prepare(u"CA01", 0x1, CSBACKUP_TYPE_FULL), hrInvalidBackup);
    EXPECT_EQ(hrInvalidBackup, static_cast<HRESULT>(0xC800020Eu));
    // a full backup works, and does not make an incremental one legal
    CaBackupSet set;
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/full", CSBACKUP_TYPE_FULL, &set));
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_LOGS_ONLY), hrInvalidBackup);
    // checked before a running backup
    CaBackup running(u"CA01");
    ASSERT_TRUE(running.ok());
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_LOGS_ONLY), hrInvalidBackup);
}

TEST(CertSrvBackupPrepare, ASecondBackupOfTheCaIsInProgress) {  // contract: a backup of the CA running -> hrBackupInProgress
    OneCa root;
    root.create("CA02", kSmallCa);
    {
        CaBackup first(u"CA01");
        ASSERT_TRUE(first.ok());
        EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), hrBackupInProgress);
        EXPECT_EQ(prepare(u"\\\\CA01\\CA01-CA", 0, CSBACKUP_TYPE_FULL), hrBackupInProgress);
        // before hrMissingFullBackup
        EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_LOGS_ONLY), hrBackupInProgress);
        EXPECT_EQ(prepare(u"CA02", 0, CSBACKUP_TYPE_FULL), S_OK) << "another CA";
        // another process
        pid_t child = forkChild([] {
            HCSBC h = sentinelHcsbc();
            HRESULT hr = CertSrvBackupPrepareW(u"CA01", 0, CSBACKUP_TYPE_FULL, &h);
            return hr == hrBackupInProgress && h == sentinelHcsbc() ? 0 : 1;
        });
        EXPECT_EQ(waitExit(child), 0) << "another process could back up CA01 meanwhile";
        EXPECT_EQ(first.end(), S_OK);
    }
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), S_OK) << "after End";
}

TEST(CertSrvBackupPrepare, AProcessThatDiesEndsItsBackup) {  // contract: a process that dies ends its backup
    OneCa root;
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t child = forkChild([&] {
        close(ready[0]);
        HCSBC h = nullptr;
        HRESULT hr = CertSrvBackupPrepareW(u"CA01", 0, CSBACKUP_TYPE_FULL, &h);
        char c = hr == S_OK ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1) return 2;
        pause();  // killed, never ends its backup
        return 0;
    });
    close(ready[1]);
    char c = 0;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    close(ready[0]);
    EXPECT_EQ(c, 'y') << "the child could not start its backup";
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), hrBackupInProgress) << "while the child lives";
    kill(child, SIGKILL);
    waitExit(child);
    EXPECT_EQ(prepare(u"CA01", 0, CSBACKUP_TYPE_FULL), S_OK) << "after the child died";
}
