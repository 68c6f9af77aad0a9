// CertSrvRestorePrepareW, CertSrvRestoreRegisterW / CertSrvRestoreRegisterThroughFile,
// CertSrvRestoreRegisterComplete and CertSrvRestoreEnd (docs/CONTRACT-CERTADM.md, each by name),
// the Register checks in the contract's order.
#include "helpers.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstring>

using namespace wbtest;

namespace {

// A running CA01 and an offline CA02 (CA name CA01-CA), nothing backed up: the argument checks
// need no backup set (nothing registered here is ever started with its files).
struct SourceAndTargetCa : TestRoot {
    SourceAndTargetCa() {
        create("CA01", kSmallCa);
        create("CA02", kSmallCaTarget);
    }
};

// CertSrvRestorePrepareW with a sentinel handle: untouched on failure, ended here on S_OK.
HRESULT prepare(const char16_t *name, ULONG flags) {
    HCSBC hbc = sentinelHcsbc();
    HRESULT hr = CertSrvRestorePrepareW(name, flags, &hbc);
    if (hr == S_OK) {
        EXPECT_NE(hbc, nullptr);
        EXPECT_NE(hbc, sentinelHcsbc());
        EXPECT_EQ(CertSrvRestoreEnd(hbc), S_OK);
    } else {
        EXPECT_EQ(hbc, sentinelHcsbc()) << "a failed CertSrvRestorePrepareW (0x" << std::hex << hr << ") set *phbc";
    }
    return hr;
}

// The arguments of Register, valid for a full restore onto CA02; tests change one.
struct Args {
    const char16_t *checkpoint = nullptr, *logs = nullptr, *backupLogs = u"C:\\Restore\\full";
    std::u16string original = uncCaDatabase("CA01", "CA01-CA"), restored = kCaDatabaseW;
    bool nullOriginal = false, nullRestored = false;
    const CSEDB_RSTMAPW *mapOverride = nullptr;
    bool nullMap = false;
    LONG count = 1;
    ULONG genLow = 1, genHigh = 2;
};

HRESULT reg(HCSBC h, const Args &a, bool throughFile = false) {
    std::u16string o(a.original), r(a.restored);
    CSEDB_RSTMAPW map[1] = {{a.nullOriginal ? nullptr : o.data(), a.nullRestored ? nullptr : r.data()}};
    CSEDB_RSTMAPW *m = a.nullMap ? nullptr : a.mapOverride ? const_cast<CSEDB_RSTMAPW *>(a.mapOverride) : map;
    auto fn = throughFile ? CertSrvRestoreRegisterThroughFile : CertSrvRestoreRegisterW;
    return fn(h, a.checkpoint, a.logs, m, a.count, a.backupLogs, a.genLow, a.genHigh);
}

// Register with both exports on the same context (they are identical but for the
// administrator rule).
void expectBoth(HCSBC h, const Args &a, HRESULT expected, const std::string &what) {
    EXPECT_EQ(reg(h, a, false), expected) << "CertSrvRestoreRegisterW: " << what;
    EXPECT_EQ(reg(h, a, true), expected) << "CertSrvRestoreRegisterThroughFile: " << what;
}

// Nothing was registered: CA02 starts (and is stopped again for the test to go on).
void expectCa02Starts() {
    EXPECT_EQ(WbStartServerA("CA02"), S_OK) << "CA02 does not start: a refused call left a restore behind";
    EXPECT_EQ(caState("CA02"), "running");
    EXPECT_EQ(WbStopServerA("CA02"), S_OK);
}

}  // namespace

// --- CertSrvRestorePrepareW ------------------------------------------------------------------------

TEST(CertSrvRestorePrepare, StartsFullAndIncrementalRestoresOfAStoppedCa) {  // contract: S_OK; full if 0x1 set, else incremental
    SourceAndTargetCa root;
    for (ULONG flags : {0x0u, 0x1u, 0x4u, 0x5u})
        for (const char16_t *name : {u"CA02", u"\\\\CA02", u"ca02\\ca01-ca"}) EXPECT_EQ(prepare(name, flags), S_OK) << u8(name) << " " << flags;
    // a full context takes a map, an incremental one none
    CaRestore full("CA02", CSRESTORE_TYPE_FULL | CSRESTORE_TYPE_CATCHUP), inc("CA02", CSRESTORE_TYPE_CATCHUP);
    ASSERT_TRUE(full.ok());
    ASSERT_TRUE(inc.ok());
    Args a;
    a.count = 0;
    a.nullMap = true;
    EXPECT_EQ(reg(full.hbc, a), E_INVALIDARG) << "a full restore without a map";
    EXPECT_EQ(reg(inc.hbc, Args()), E_INVALIDARG) << "an incremental restore with a map";
}

TEST(CertSrvRestorePrepare, RejectsNullPointers) {  // contract: NULL name or NULL phbc -> E_POINTER
    SourceAndTargetCa root;
    EXPECT_EQ(prepare(nullptr, CSRESTORE_TYPE_FULL), E_POINTER);
    EXPECT_EQ(prepare(nullptr, 0x2), E_POINTER) << "before the flags";
    EXPECT_EQ(CertSrvRestorePrepareW(u"CA02", CSRESTORE_TYPE_FULL, nullptr), E_POINTER);
    EXPECT_EQ(CertSrvRestorePrepareW(u"CA02", 0x8, nullptr), E_POINTER) << "before the flags";
    EXPECT_EQ(CertSrvRestorePrepareW(u"CA99", 0, nullptr), E_POINTER) << "before the name";
}

TEST(CertSrvRestorePrepare, RejectsFlagsOutsideTheMask) {  // contract: outside CSRESTORE_TYPE_MASK (0x5; ONLINE 0x2 too) -> E_INVALIDARG
    SourceAndTargetCa root;
    for (ULONG flags : {0x2u, 0x3u, 0x8u, 0x9u, 0x10u, 0x6u, 0x7u, 0x80000000u, 0xFFFFFFFFu}) {
        EXPECT_EQ(prepare(u"CA02", flags), E_INVALIDARG) << "flags " << flags;
        EXPECT_EQ(prepare(u"CA99", flags), E_INVALIDARG) << "flags " << flags << ": before the name";
        EXPECT_EQ(prepare(u"CA01", flags), E_INVALIDARG) << "flags " << flags << ": before the state";
    }
    EXPECT_EQ(CSRESTORE_TYPE_MASK, 0x5);
}

TEST(CertSrvRestorePrepare, RejectsMalformedAndUnreachableNames) {  // contract: malformed -> E_INVALIDARG; unknown / not a CA -> 0x800706BA
    SourceAndTargetCa root;
    root.create("DC02", kSmallNtdsOffline);
    for (const char16_t *name : {u"", u"CA_02", u"CA/02", u"..", u"CA 02", u"-CA02"})
        EXPECT_EQ(prepare(name, CSRESTORE_TYPE_FULL), E_INVALIDARG) << "\"" << u8(name) << "\"";
    for (const char16_t *name : {u"CA99", u"DC02", u"CA02\\CA02-CA", u"CA02\\Other"})
        EXPECT_EQ(prepare(name, CSRESTORE_TYPE_FULL), kRpcUnavailable) << u8(name);
}

TEST(CertSrvRestorePrepare, RefusedCredentialsAreAccessDenied) {  // contract: credentials -> E_ACCESSDENIED
    SourceAndTargetCa root;
    AuthIdentityReset reset;
    ASSERT_EQ(DsSetAuthIdentityW(u"nobody", u"CONTOSO", u"x"), S_OK);
    EXPECT_EQ(prepare(u"CA02", CSRESTORE_TYPE_FULL), E_ACCESSDENIED);
    EXPECT_EQ(prepare(u"CA02", 0), E_ACCESSDENIED);
    ASSERT_EQ(WbAllowBackupOperatorA("CA02", "CONTOSO\\bkop", "pw"), S_OK);
    ASSERT_EQ(DsSetAuthIdentityW(u"bkop", u"CONTOSO", u"pw"), S_OK);
    EXPECT_EQ(prepare(u"CA02", CSRESTORE_TYPE_FULL), S_OK) << "a backup operator may prepare";
}

TEST(CertSrvRestorePrepare, ARunningOrPausedCaIsDatabaseInUse) {  // contract: running or paused -> hrDatabaseInUse 0xC80004B2
    SourceAndTargetCa root;
    EXPECT_EQ(prepare(u"CA01", CSRESTORE_TYPE_FULL), hrDatabaseInUse);
    EXPECT_EQ(prepare(u"CA01", 0), hrDatabaseInUse);
    ASSERT_EQ(CertSrvServerControlW(u"CA01", CSCONTROL_SUSPEND, nullptr, nullptr), S_OK);
    EXPECT_EQ(prepare(u"CA01", CSRESTORE_TYPE_FULL), hrDatabaseInUse) << "paused";
    EXPECT_EQ(hrDatabaseInUse, static_cast<HRESULT>(0xC80004B2u));
    ASSERT_EQ(CertSrvServerControlW(u"CA01", CSCONTROL_SHUTDOWN, nullptr, nullptr), S_OK);
    EXPECT_EQ(prepare(u"CA01", CSRESTORE_TYPE_FULL), S_OK) << "after CSCONTROL_SHUTDOWN";
}

// --- CertSrvRestoreRegisterW / CertSrvRestoreRegisterThroughFile ----------------------------------------

TEST(CertSrvRestoreRegister, RejectsBadHandlesFirst) {  // contract: bad handle -> E_HANDLE (first)
    SourceAndTargetCa root;
    Args bad;
    bad.count = -1;
    bad.genLow = 0;
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), sentinelHcsbc()}) {
        expectBoth(h, Args(), E_HANDLE, "a bad handle");
        expectBoth(h, bad, E_HANDLE, "a bad handle and bad arguments");
    }
    expectCa02Starts();
}

TEST(CertSrvRestoreRegister, RejectsAMapCountOutOfRangeThenANullMap) {  // contract: n < 0 or > 256 -> E_INVALIDARG; n > 0, map NULL -> E_POINTER
    SourceAndTargetCa root;
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        for (LONG n : {LONG(-1), LONG(-256), LONG(INT_MIN), LONG(257), LONG(INT_MAX)}) {
            Args a;
            a.count = n;
            expectBoth(r.hbc, a, E_INVALIDARG, "count " + std::to_string(n));
            a.nullMap = true;
            expectBoth(r.hbc, a, E_INVALIDARG, "count " + std::to_string(n) + ", NULL map");
        }
        Args a;
        a.nullMap = true;
        expectBoth(r.hbc, a, E_POINTER, "count 1, NULL map");
        a.genLow = 0;  // before the generations
        expectBoth(r.hbc, a, E_POINTER, "count 1, NULL map, genLow 0");
    }
    expectCa02Starts();
}

TEST(CertSrvRestoreRegister, RejectsANullNameInTheMap) {  // contract: a NULL name in a map entry -> E_POINTER
    SourceAndTargetCa root;
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        for (int which : {1, 2, 3}) {
            Args a;
            a.nullOriginal = which & 1;
            a.nullRestored = which & 2;
            expectBoth(r.hbc, a, E_POINTER, "NULL map names " + std::to_string(which));
            a.genLow = 0;  // before the generations
            expectBoth(r.hbc, a, E_POINTER, "NULL map names " + std::to_string(which) + ", genLow 0");
        }
        // the second of two entries
        std::u16string o = uncCaDatabase("CA01", "CA01-CA"), n(kCaDatabaseW);
        CSEDB_RSTMAPW map[2] = {{o.data(), n.data()}, {o.data(), nullptr}};
        Args a;
        a.mapOverride = map;
        a.count = 2;
        expectBoth(r.hbc, a, E_POINTER, "NULL in the second entry");
    }
    expectCa02Starts();
}

TEST(CertSrvRestoreRegister, RegisterWRefusesABackupOperatorThroughFileAcceptsOne) {  // contract: RegisterW only: backup operator -> E_ACCESSDENIED
    SourceAndTargetCa root;
    AuthIdentityReset reset;
    ASSERT_EQ(WbAllowBackupOperatorA("CA02", "CONTOSO\\bkop", "Passw0rd!"), S_OK);
    ASSERT_EQ(WbAllowIdentityA("CA02", "CONTOSO\\admin", "Adm1n!"), S_OK);
    ASSERT_EQ(DsSetAuthIdentityA("bkop", "CONTOSO", "Passw0rd!"), S_OK);
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(reg(r.hbc, Args(), false), E_ACCESSDENIED);
        Args nullName;  // the administrator rule comes before the map's names
        nullName.nullOriginal = true;
        EXPECT_EQ(reg(r.hbc, nullName, false), E_ACCESSDENIED);
        Args nullMap;  // and after the count and the map pointer
        nullMap.nullMap = true;
        EXPECT_EQ(reg(r.hbc, nullMap, false), E_POINTER);
        EXPECT_EQ(reg(r.hbc, nullName, true), E_POINTER) << "ThroughFile goes on to the names";
        EXPECT_EQ(reg(r.hbc, Args(), true), S_OK) << "ThroughFile accepts a backup operator";
        EXPECT_EQ(r.complete(), S_OK);
    }
    {
        CaRestore inc("CA02", 0);
        ASSERT_TRUE(inc.ok());
        Args a;
        a.nullMap = true;
        a.count = 0;
        EXPECT_EQ(reg(inc.hbc, a, false), E_ACCESSDENIED) << "an incremental restore";
        EXPECT_EQ(reg(inc.hbc, a, true), S_OK);
    }
    // an administrator (WbAllowIdentityA) may use RegisterW
    ASSERT_EQ(DsSetAuthIdentityW(u"admin", u"CONTOSO", u"Adm1n!"), S_OK);
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(reg(r.hbc, Args(), false), S_OK);
}

TEST(CertSrvRestoreRegister, ACaStartedAfterPrepareIsDatabaseInUse) {  // contract: the CA not stopped -> hrDatabaseInUse (after the map checks)
    SourceAndTargetCa root;
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    expectBoth(r.hbc, Args(), hrDatabaseInUse, "running");
    Args gens;
    gens.genLow = 0;  // the state before the generations
    expectBoth(r.hbc, gens, hrDatabaseInUse, "running, genLow 0");
    Args nullName;
    nullName.nullRestored = true;
    expectBoth(r.hbc, nullName, E_POINTER, "running, a NULL name");
    ASSERT_EQ(CertSrvServerControlW(u"CA02", CSCONTROL_SUSPEND, nullptr, nullptr), S_OK);
    expectBoth(r.hbc, Args(), hrDatabaseInUse, "paused");
    ASSERT_EQ(WbStopServerA("CA02"), S_OK);
    EXPECT_EQ(reg(r.hbc, Args()), S_OK) << "stopped again";
}

TEST(CertSrvRestoreRegister, RejectsGenerationsThatAreNotARange) {  // contract: genLow 0, genLow > genHigh, genHigh > 0xFFFFF -> E_INVALIDARG
    SourceAndTargetCa root;
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        const struct {
            ULONG low, high;
        } bad[] = {{0, 0}, {0, 5}, {5, 4}, {2, 1}, {1, 0x100000}, {0x100000, 0x100000}, {1, 0xFFFFFFFF}};
        for (auto &g : bad) {
            Args a;
            a.genLow = g.low;
            a.genHigh = g.high;
            expectBoth(r.hbc, a, E_INVALIDARG, "generations " + std::to_string(g.low) + "-" + std::to_string(g.high));
            a.checkpoint = u"C:\\Windows\\NTDS";  // before the paths
            expectBoth(r.hbc, a, E_INVALIDARG, "generations and a bad checkpoint path");
        }
    }
    expectCa02Starts();
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    Args edge;
    edge.genLow = edge.genHigh = 0xFFFFF;
    EXPECT_EQ(reg(r.hbc, edge), S_OK) << "generation 0xFFFFF";
}

TEST(CertSrvRestoreRegister, CheckpointAndLogPathsMustBeTheCas) {  // contract: NULL = the CA's; else its folders (E_INVALIDARG); another server's -> E_ACCESSDENIED
    SourceAndTargetCa root;
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        for (const char16_t *wrong : {u"C:\\Windows\\NTDS", u"C:\\Windows\\System32", u"C:\\Windows\\System32\\CertLog\\sub",
                                      u"C:\\Windows\\System32\\CertLog\\edb.chk", u"CertLog", u""}) {
            Args a;
            a.checkpoint = wrong;
            expectBoth(r.hbc, a, E_INVALIDARG, "checkpoint path " + u8(wrong));
            a.checkpoint = nullptr;
            a.logs = wrong;
            expectBoth(r.hbc, a, E_INVALIDARG, "log path " + u8(wrong));
        }
        std::u16string other = uncCertLog("CA01");
        Args a;
        a.checkpoint = other.c_str();
        expectBoth(r.hbc, a, E_ACCESSDENIED, "another server's checkpoint folder");
        a.checkpoint = nullptr;
        a.logs = other.c_str();
        expectBoth(r.hbc, a, E_ACCESSDENIED, "another server's log folder");
        a.logs = nullptr;
        a.backupLogs = u"\\\\CA01\\C$\\Restore\\full";
        expectBoth(r.hbc, a, E_ACCESSDENIED, "another server's backup log folder");
    }
    expectCa02Starts();
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    std::u16string unc = uncCertLog("CA02"), local = u16(TestRoot::local("CA02", kCertLog));
    for (const std::u16string &p : {unc, std::u16string(u"C:\\Windows\\System32\\CertLog"), local}) {
        Args a;
        a.checkpoint = p.c_str();
        a.logs = p.c_str();
        EXPECT_EQ(reg(r.hbc, a), S_OK) << u8(p);
        EXPECT_EQ(reg(r.hbc, a, true), S_OK) << u8(p);
    }
    Args allNull;
    allNull.backupLogs = nullptr;
    EXPECT_EQ(reg(r.hbc, allNull), S_OK) << "NULL checkpoint, log and backup log paths";
}

TEST(CertSrvRestoreRegister, AFullRestoreMapsTheCasDatabaseOnce) {  // contract: n >= 1; new name the CA's database; empty / twice -> E_INVALIDARG
    SourceAndTargetCa root;
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        Args none;
        none.count = 0;
        expectBoth(r.hbc, none, E_INVALIDARG, "no map");
        none.nullMap = true;
        expectBoth(r.hbc, none, E_INVALIDARG, "no map, NULL");
        for (const char16_t *wrong : {u"C:\\Windows\\System32\\CertLog\\CA02-CA.edb", u"C:\\Windows\\NTDS\\ntds.dit",
                                      u"C:\\Windows\\System32\\CertLog", u"CA01-CA.edb", u""}) {
            Args a;
            a.restored = wrong;
            expectBoth(r.hbc, a, E_INVALIDARG, "new database name " + u8(wrong));
        }
        Args other;
        other.restored = uncCaDatabase("CA01", "CA01-CA");
        expectBoth(r.hbc, other, E_ACCESSDENIED, "another server's database");
        Args empty;
        empty.original = u"";
        expectBoth(r.hbc, empty, E_INVALIDARG, "an empty original name");
        std::u16string o = uncCaDatabase("CA01", "CA01-CA"), n1(kCaDatabaseW), n2 = uncCaDatabase("CA02", "CA01-CA");
        CSEDB_RSTMAPW twice[2] = {{o.data(), n1.data()}, {o.data(), n2.data()}};
        Args a;
        a.mapOverride = twice;
        a.count = 2;
        expectBoth(r.hbc, a, E_INVALIDARG, "the database mapped twice");
    }
    expectCa02Starts();
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    Args anyOriginal;  // the original name is the agent's: any non-empty string
    anyOriginal.original = u"\\\\SOMEWHERE\\C$\\old\\CA01-CA.edb";
    EXPECT_EQ(reg(r.hbc, anyOriginal), S_OK);
}

TEST(CertSrvRestoreRegister, AnIncrementalRestoreTakesNoMap) {  // contract: incremental: n must be 0 (else E_INVALIDARG)
    SourceAndTargetCa root;
    {
        CaRestore full("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(full.ok());
        ASSERT_EQ(reg(full.hbc, Args()), S_OK);
        ASSERT_EQ(full.complete(), S_OK);
    }
    CaRestore inc("CA02", 0);
    ASSERT_TRUE(inc.ok());
    Args withMap;
    withMap.backupLogs = u"C:\\Restore\\inc1";
    expectBoth(inc.hbc, withMap, E_INVALIDARG, "an incremental restore with a map");
    Args noMap = withMap;
    noMap.count = 0;
    noMap.nullMap = true;
    EXPECT_EQ(reg(inc.hbc, noMap), S_OK);
    noMap.nullMap = false;  // n 0 with a map pointer: the map is not read
    EXPECT_EQ(reg(inc.hbc, noMap, true), S_OK);
}

TEST(CertSrvRestoreRegister, AnIncrementalBeforeAnyFullRestoreIsNoFullRestore) {  // contract: -> hrNoFullRestore 0xC7FF000C
    SourceAndTargetCa root;
    {
        CaRestore inc("CA02", 0);
        ASSERT_TRUE(inc.ok());
        Args a;
        a.count = 0;
        a.nullMap = true;
        expectBoth(inc.hbc, a, hrNoFullRestore, "no full restore registered");
        EXPECT_EQ(hrNoFullRestore, static_cast<HRESULT>(0xC7FF000Cu));
        Args withMap;  // the map is refused before
        expectBoth(inc.hbc, withMap, E_INVALIDARG, "no full restore, a map");
        EXPECT_EQ(inc.complete(), E_INVALIDARG) << "nothing registered";
    }
    expectCa02Starts();
}

TEST(CertSrvRestoreRegister, AnotherProcessRegisteringIsRestoreInProgress) {  // contract: another process's restore registering -> hrRestoreInProgress
    SourceAndTargetCa root;
    int up[2], down[2];
    ASSERT_EQ(pipe(up), 0);
    ASSERT_EQ(pipe(down), 0);
    pid_t child = forkChild([&] {
        close(up[0]);
        close(down[1]);
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        HRESULT hr = r.ok() ? reg(r.hbc, Args()) : r.hr;
        if (write(up[1], &hr, sizeof hr) != sizeof hr) return 2;
        char c;
        if (read(down[0], &c, 1) != 1) return 3;
        return r.end() == S_OK ? 0 : 4;
    });
    close(up[1]);
    close(down[0]);
    HRESULT childHr = Backup::E_UNEXPECTED_HR;
    ASSERT_EQ(read(up[0], &childHr, sizeof childHr), static_cast<ssize_t>(sizeof childHr));
    EXPECT_EQ(childHr, S_OK) << "the child's Register";
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok()) << "Prepare is not Register";
        expectBoth(r.hbc, Args(), hrRestoreInProgress, "another process registering");
        Args gens;
        gens.genLow = 0;  // after the argument checks
        expectBoth(r.hbc, gens, E_INVALIDARG, "another process registering, genLow 0");
    }
    char c = 'x';
    EXPECT_EQ(write(down[1], &c, 1), 1);
    EXPECT_EQ(waitExit(child), 0);
    close(up[0]);
    close(down[1]);
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(reg(r.hbc, Args()), S_OK) << "after the child's RestoreEnd";
}

TEST(CertSrvRestoreRegister, AProcessThatDiesReleasesTheRestore) {  // contract: a process that dies releases it
    SourceAndTargetCa root;
    int up[2];
    ASSERT_EQ(pipe(up), 0);
    pid_t child = forkChild([&] {
        close(up[0]);
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        HRESULT hr = r.ok() ? reg(r.hbc, Args()) : r.hr;
        if (write(up[1], &hr, sizeof hr) != sizeof hr) return 2;
        pause();  // killed before its RestoreEnd
        return 0;
    });
    close(up[1]);
    HRESULT childHr = Backup::E_UNEXPECTED_HR;
    ASSERT_EQ(read(up[0], &childHr, sizeof childHr), static_cast<ssize_t>(sizeof childHr));
    close(up[0]);
    EXPECT_EQ(childHr, S_OK);
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(reg(r.hbc, Args()), hrRestoreInProgress) << "while the child lives";
    }
    kill(child, SIGKILL);
    waitExit(child);
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(reg(r.hbc, Args()), S_OK) << "after the child died";
    expectCaStartRefused("CA02", hrRestoreInProgress);  // the registration itself stays
}

TEST(CertSrvRestoreRegister, AnOpenRegistrationKeepsTheCaFromStarting) {  // contract: while open or failed, the CA does not start
    SourceAndTargetCa root;
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(reg(r.hbc, Args()), S_OK);
        expectCaStartRefused("CA02", hrRestoreInProgress);
    }
    expectCaStartRefused("CA02", hrRestoreInProgress);  // after RestoreEnd: it stays
    // an incremental registration reopens a completed one
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(reg(r.hbc, Args()), S_OK);  // a full registration replaces the earlier one
        ASSERT_EQ(r.complete(), S_OK);
    }
    CaRestore inc("CA02", 0);
    ASSERT_TRUE(inc.ok());
    Args a;
    a.count = 0;
    a.nullMap = true;
    a.backupLogs = u"C:\\Restore\\inc1";
    a.genLow = 2;
    a.genHigh = 3;
    ASSERT_EQ(reg(inc.hbc, a), S_OK);
    expectCaStartRefused("CA02", hrRestoreInProgress);
}

// --- CertSrvRestoreRegisterComplete ----------------------------------------------------------------------

TEST(CertSrvRestoreRegisterComplete, RejectsBadHandlesAndContextsThatRegisteredNothing) {  // contract: E_HANDLE; nothing registered -> E_INVALIDARG
    SourceAndTargetCa root;
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), sentinelHcsbc()}) {
        EXPECT_EQ(CertSrvRestoreRegisterComplete(h, S_OK), E_HANDLE);
        EXPECT_EQ(CertSrvRestoreRegisterComplete(h, E_FAIL), E_HANDLE);
    }
    {
        CaRestore registered("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(registered.ok());
        ASSERT_EQ(reg(registered.hbc, Args()), S_OK);
        CaRestore other("CA02", CSRESTORE_TYPE_FULL);  // a registration exists, but not this context's
        ASSERT_TRUE(other.ok());
        EXPECT_EQ(other.complete(S_OK), E_INVALIDARG);
        EXPECT_EQ(other.complete(E_FAIL), E_INVALIDARG);
        Args bad;
        bad.genLow = 0;
        EXPECT_EQ(reg(other.hbc, bad), E_INVALIDARG);
        EXPECT_EQ(other.complete(S_OK), E_INVALIDARG) << "a refused Register registers nothing";
        EXPECT_EQ(registered.complete(S_OK), S_OK);
    }
}

TEST(CertSrvRestoreRegisterComplete, AFailureKeepsTheCaStoppedUntilAFullRestoreIsRegisteredAgain) {  // contract: failure hr marks it failed
    SourceAndTargetCa root;
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(reg(r.hbc, Args()), S_OK);
        EXPECT_EQ(r.complete(E_FAIL), S_OK);
    }
    expectCaStartRefused("CA02", hrRestoreInProgress);
    {
        CaRestore inc("CA02", 0);
        ASSERT_TRUE(inc.ok());
        Args a;
        a.count = 0;
        a.nullMap = true;
        expectBoth(inc.hbc, a, hrRestoreInProgress, "an incremental after a failed restore");
    }
    expectCaStartRefused("CA02", hrRestoreInProgress);
    // a full registration again replaces the failed one (and stays open until completed)
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(reg(r.hbc, Args()), S_OK);
    expectCaStartRefused("CA02", hrRestoreInProgress);
    EXPECT_EQ(r.complete(S_OK), S_OK);
}

// --- CertSrvRestoreEnd --------------------------------------------------------------------------------------

TEST(CertSrvRestoreEnd, RejectsBadHandlesAndASecondEnd) {  // contract: bad handle -> E_HANDLE (a second End too)
    SourceAndTargetCa root;
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), static_cast<HCSBC>(allOnesHbc()), sentinelHcsbc()})
        EXPECT_EQ(CertSrvRestoreEnd(h), E_HANDLE) << h;
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.end(), S_OK);
    EXPECT_EQ(CertSrvRestoreEnd(r.hbc), E_HANDLE) << "a second End";
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(CertSrvRestoreEnd(b.hbc), E_HANDLE) << "a backup context";
    std::vector<std::u16string> names;
    EXPECT_EQ(b.databaseNames(&names), S_OK) << "the backup goes on";
}

TEST(CertSrvRestoreEnd, AnOpenRegistrationStays) {  // contract: S_OK; an open registration stays
    SourceAndTargetCa root;
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(reg(r.hbc, Args()), S_OK);
        EXPECT_EQ(r.end(), S_OK);
    }
    expectCaStartRefused("CA02", hrRestoreInProgress);
}

TEST(CertSrvRestoreEnd, AContextThatRegisteredNothingLeavesNothingBehind) {  // contract: S_OK
    SourceAndTargetCa root;
    {
        FolderUnchanged unchanged("CA02");
        for (ULONG flags : {ULONG(CSRESTORE_TYPE_FULL), ULONG(0)}) {
            CaRestore r("CA02", flags);
            ASSERT_TRUE(r.ok());
            EXPECT_EQ(r.end(), S_OK);
        }
    }
    expectCa02Starts();
}
