// Injected faults (docs/FAULTS.md, include/winbackup.h WbInjectFault): each kind, through each API
// it reaches, with the code Windows returns at the call that meets it; --once against every time;
// and a server whose faults were cleared is byte for byte what it was.
#include "helpers.h"

#include <chrono>
#include <cstring>

using namespace wbtest;

namespace {

constexpr const char *kDit = "C:\\Windows\\NTDS\\ntds.dit";

void inject(const char *server, const std::string &spec) {
    EXPECT_EQ(WbInjectFaultA(server, spec.c_str()), S_OK) << spec;
}

std::string onDit(const char *kind, const std::string &rest) { return std::string(kind) + " --file " + kDit + " " + rest; }

// The first log a Ds backup lists, and its generation; the database phase is over after it.
std::u16string firstLog(Backup &b) {
    std::vector<std::u16string> logs;
    EXPECT_EQ(b.logNames(&logs), S_OK);
    return logs.empty() ? u"" : logs.front();
}

// One DsBackupRead of `chunk` bytes: the code, and the bytes delivered in *got.
HRESULT dsRead(Backup &b, DWORD chunk, DWORD *got) {
    std::vector<uint8_t> buf(chunk);
    *got = kSentinel;
    return DsBackupRead(b.hbc, buf.data(), chunk, got);
}

// One JetReadFileInstance of `chunk` bytes into an aligned buffer.
JET_ERR jetRead(JET_INSTANCE inst, uint32_t chunk, uint32_t *got) {
    AlignedBuffer buf(chunk);
    *got = kSentinel;
    return JetReadFileInstance(inst, 0, buf.p, chunk, got);
}

}  // namespace

// --- the exports ---------------------------------------------------------------------------------

TEST(WbInjectFault, ABadSpecIsInvalidParameterAnUnknownServerCouldNotConnect) {  // winbackup.h: 87 / hrCouldNotConnect
    OneServer root;
    for (const char *spec : {"", "bogus", "read-error", "read-error --file C:\\..\\x", "read-error --file /etc/passwd",
                             "read-error --file \\\\DC02\\C$\\x", "bad-checksum --file C:\\x", "stop --after-reads -1",
                             "slow-read --latency forever", "deny-user", "disk-full --bogus"})
        EXPECT_EQ(WbInjectFaultA("DC01", spec), ERROR_INVALID_PARAMETER) << spec;
    EXPECT_EQ(WbInjectFaultA("DC01", nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(WbInjectFaultA(nullptr, "stop"), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(WbInjectFaultA("NOSUCH", "stop"), hrCouldNotConnect);
    EXPECT_EQ(WbInjectFaultW(u"NOSUCH", u"stop"), hrCouldNotConnect);
    EXPECT_EQ(WbClearFaultsA("NOSUCH"), hrCouldNotConnect);
    EXPECT_EQ(WbClearFaultsW(nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(WbInjectFaultW(u"DC01", u"read-error --file '\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit'"), S_OK);
    EXPECT_EQ(WbClearFaultsW(u"DC01"), S_OK);
}

TEST(WbInjectFault, FaultsClearedLeaveTheServerByteForByteAsItWas) {  // faults act on the paths, never on the files
    OneServer root;
    Tree before = snapshotTree(serverFolder("DC01"));
    for (const std::string &spec : {onDit("read-error", "--offset 16384"), onDit("bad-checksum", "--page 3"),
                                    onDit("wrong-page", "--page 4 --once"), std::string("corrupt-log --generation 1"),
                                    std::string("missing-log --generation 2"), std::string("stop --after-reads 1"),
                                    std::string("slow-read --latency 1ms"), std::string("short-read --max-bytes 1000"),
                                    std::string("disk-full --after-bytes 1K"), std::string("permission-denied"),
                                    std::string("deny-user 'CORP\\bob' --once")})
        inject("DC01", spec);
    {
        Backup b(u"DC01");  // meets some of them: the files stay as they are
        ASSERT_TRUE(b.ok());
        ASSERT_EQ(b.openDatabase(), S_OK);
        DWORD got;
        EXPECT_EQ(dsRead(b, kMinRead, &got), S_OK);
        EXPECT_EQ(got, 1000u) << "short-read";
        EXPECT_EQ(dsRead(b, kMinRead, &got), WB_HR_BACKUP_ABORT_BY_SERVER) << "stop after one read";
        EXPECT_EQ(b.end(), S_OK);  // a stopped backup's End leaves the log alone
    }
    Tree after = snapshotTree(serverFolder("DC01"));
    EXPECT_NE(after.at("server.conf"), before.at("server.conf")) << "the faults are in the settings";
    EXPECT_EQ(WbClearFaultsA("DC01"), S_OK);
    // Everything but the shared state (locks, the stop epoch of the control page) is as it was.
    auto withoutState = [](Tree tree) {
        for (auto it = tree.begin(); it != tree.end();) it = it->first.rfind("state/", 0) == 0 ? tree.erase(it) : std::next(it);
        return tree;
    };
    EXPECT_TRUE(sameTree(withoutState(before), withoutState(snapshotTree(serverFolder("DC01")))));
    // Add and clear with no call in between: the whole folder is as it was.
    before = snapshotTree(serverFolder("DC01"));
    inject("DC01", "permission-denied");
    EXPECT_EQ(WbClearFaultsA("DC01"), S_OK);
    EXPECT_TRUE(sameTree(before, snapshotTree(serverFolder("DC01"))));
}

// --- read-error: JET_errDiskIO at the read that covers the offset ----------------------------------

TEST(Faults, ReadErrorIsDiskIOAtTheReadThatCoversTheOffsetEveryTime) {  // Ds: hrDiskIO; the file is closed, the backup goes on
    OneServer root;
    inject("DC01", onDit("read-error", "--offset 40000"));
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    DWORD got;
    EXPECT_EQ(dsRead(b, kMinRead, &got), S_OK) << "bytes 0..24575 do not hold offset 40000";
    EXPECT_EQ(got, kMinRead);
    EXPECT_EQ(dsRead(b, kMinRead, &got), hrDiskIO);
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(DsBackupClose(b.hbc), hrInvalidHandle) << "the file was closed";
    ASSERT_EQ(b.openDatabase(), S_OK);
    std::vector<uint8_t> bytes;
    EXPECT_EQ(b.readAll(&bytes), hrDiskIO) << "every time: the reopened file fails again";
    EXPECT_EQ(bytes.size(), 0u) << "a 64 KiB read from 0 holds offset 40000";
    EXPECT_FALSE(firstLog(b).empty()) << "the backup goes on";
}

TEST(Faults, ReadErrorOnceFailsOneReadOnly) {  // --once: consumed when it fires
    OneServer root;
    inject("DC01", onDit("read-error", "--offset 0 --once"));
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    DWORD got;
    EXPECT_EQ(dsRead(b, kMinRead, &got), hrDiskIO);
    LONGLONG size = 0;
    ASSERT_EQ(b.openDatabase(&size), S_OK);
    std::vector<uint8_t> bytes;
    EXPECT_EQ(b.readAll(&bytes), ERROR_HANDLE_EOF);
    EXPECT_EQ(static_cast<LONGLONG>(bytes.size()), size);
}

TEST(Faults, ReadErrorThroughJetAndCertSrv) {  // Jet: -1022; CertSrv: hrDiskIO
    {
        OneEse root;
        inject("ESE01", std::string("read-error --file ") + kEseDatabase + " --offset 8192");
        ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
        ASSERT_EQ(jetOpen(root.h(), kEseDatabase), JET_errSuccess);
        uint32_t got;
        EXPECT_EQ(jetRead(root.h(), 3 * kPage, &got), JET_errDiskIO);
        EXPECT_EQ(got, kSentinel);
        EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errInvalidParameter) << "the file was closed";
        EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
    }
    BusyCa root;
    inject("CA01", std::string("read-error --file ") + kCaDatabase + " --offset 8192");
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    std::vector<uint8_t> bytes;
    EXPECT_EQ(b.readAll(&bytes), hrDiskIO);
}

// --- damaged pages: after the engine's re-reads ----------------------------------------------------

TEST(Faults, BadChecksumIsReadVerifyFailureAndTheBackupGoesOn) {  // Ds: hrReadVerifyFailure at the read holding the page
    OneServer root;
    inject("DC01", onDit("bad-checksum", "--page 7"));
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    std::vector<uint8_t> bytes;
    EXPECT_EQ(b.readAll(&bytes, kMinRead), hrReadVerifyFailure);
    EXPECT_EQ(bytes.size(), 2 * kMinRead) << "pages up to 4 and 5..7 came in two 3-page reads; page 7's read failed";
    EXPECT_EQ(DsBackupClose(b.hbc), hrInvalidHandle);
    std::u16string log = firstLog(b);
    EXPECT_EQ(b.copy(log, &bytes), S_OK) << "the backup goes on";
    EXPECT_EQ(b.end(), S_OK);
}

TEST(Faults, WrongPageIsPgnoVerifyFailure) {  // Ds: WB_HR_READ_PGNO_VERIFY_FAILURE; Jet: -1118; -1018 for a bad checksum
    OneServer root;
    inject("DC01", onDit("wrong-page", "--page 3 --once"));
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    std::vector<uint8_t> bytes;
    EXPECT_EQ(b.readAll(&bytes), WB_HR_READ_PGNO_VERIFY_FAILURE);
    ASSERT_EQ(b.openDatabase(), S_OK);
    EXPECT_EQ(b.readAll(&bytes), ERROR_HANDLE_EOF) << "--once: the second read of the file is clean";

    OneEse ese;
    inject("ESE01", std::string("wrong-page --file ") + kEseDatabase + " --page 1");
    inject("ESE01", std::string("bad-checksum --file ") + kEseDatabase + " --page 9");
    ASSERT_EQ(JetBeginExternalBackupInstance(ese.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(ese.h(), kEseDatabase), JET_errSuccess);
    uint32_t got;
    EXPECT_EQ(jetRead(ese.h(), 3 * kPage, &got), JET_errReadPgnoVerifyFailure);
    ASSERT_EQ(jetOpen(ese.h(), kEseDatabase), JET_errSuccess);
    EXPECT_EQ(jetRead(ese.h(), 8 * kPage, &got), JET_errReadPgnoVerifyFailure) << "every time";
    EXPECT_EQ(WbClearFaultsA("ESE01"), S_OK);
    inject("ESE01", std::string("bad-checksum --file ") + kEseDatabase + " --page 9");
    ASSERT_EQ(jetOpen(ese.h(), kEseDatabase), JET_errSuccess);
    EXPECT_EQ(jetRead(ese.h(), 8 * kPage, &got), JET_errSuccess) << "pages 1-6";
    EXPECT_EQ(jetRead(ese.h(), 8 * kPage, &got), JET_errReadVerifyFailure) << "pages 7-14";
    EXPECT_EQ(JetEndExternalBackupInstance(ese.h()), JET_errSuccess);
}

// --- logs -----------------------------------------------------------------------------------------

TEST(Faults, CorruptLogIsLogReadVerifyFailureAndAbortsTheBackup) {  // Ds: WB_HR_LOG_READ_VERIFY_FAILURE then hrNoBackup; Jet: -612 then -520
    OneServer root;
    Backup probe(u"DC01");
    uint32_t generation = logGeneration(firstLog(probe));
    ASSERT_NE(generation, 0u);
    probe.end();
    inject("DC01", "corrupt-log --generation " + std::to_string(generation));
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::u16string log = firstLog(b);
    ASSERT_EQ(logGeneration(log), generation);
    ASSERT_EQ(b.open(log), S_OK);
    DWORD got;
    EXPECT_EQ(dsRead(b, kChunk, &got), WB_HR_LOG_READ_VERIFY_FAILURE);
    EXPECT_EQ(dsRead(b, kChunk, &got), hrNoBackup) << "the whole backup is aborted";
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), hrNoBackup);
    EXPECT_EQ(b.end(), S_OK);

    OneEse ese;
    ASSERT_EQ(JetBeginExternalBackupInstance(ese.h(), 0), JET_errSuccess);
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(ese.h(), &logs), JET_errSuccess);
    inject("ESE01", "corrupt-log --generation " + std::to_string(logGenerationA(logs.front())));
    ASSERT_EQ(jetOpen(ese.h(), logs.front()), JET_errSuccess);
    uint32_t n;
    EXPECT_EQ(jetRead(ese.h(), 2 * kPage, &n), JET_errLogReadVerifyFailure);
    EXPECT_EQ(jetProbe(ese.h()), JET_errNoBackup);
    EXPECT_EQ(JetEndExternalBackupInstance(ese.h()), JET_errNoBackup);
}

TEST(Faults, MissingLogIsMissingFileToBackupAtOpenFile) {  // Ds: WB_HR_MISSING_FILE_TO_BACKUP, aborted; Jet: -569
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::u16string log = firstLog(b);
    inject("DC01", "missing-log --once --generation " + std::to_string(logGeneration(log)));
    EXPECT_EQ(b.open(log), WB_HR_MISSING_FILE_TO_BACKUP);
    EXPECT_EQ(b.open(log), hrNoBackup) << "aborted";
    EXPECT_EQ(b.end(), S_OK);
    Backup again(u"DC01");
    ASSERT_TRUE(again.ok()) << "a new backup may start at once";
    std::vector<uint8_t> bytes;
    EXPECT_EQ(again.copy(firstLog(again), &bytes), S_OK) << "--once: consumed";

    OneEse ese;
    ASSERT_EQ(JetBeginExternalBackupInstance(ese.h(), 0), JET_errSuccess);
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(ese.h(), &logs), JET_errSuccess);
    inject("ESE01", "missing-log --generation " + std::to_string(logGenerationA(logs.back())));
    EXPECT_EQ(jetOpen(ese.h(), logs.back()), JET_errMissingFileToBackup);
    EXPECT_EQ(jetProbe(ese.h()), JET_errNoBackup);
    JetEndExternalBackupInstance(ese.h());
}

TEST(Faults, MissingLogAtHardRecoveryIsMissingLogFileAndChangesNothing) {  // restore: hrMissingLogFile (-528)
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    inject("DC02", "missing-log --generation " + std::to_string(root.set.genHigh));
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    expectStartRefused("DC02", hrMissingLogFile);
    EXPECT_EQ(WbClearFaultsA("DC02"), S_OK);
    expectRestored("DC02", root.set);
}

// --- stop, slow and short reads -------------------------------------------------------------------

TEST(Faults, StopAfterReadsIsBackupAbortByServerFromThenOn) {  // Ds: WB_HR_BACKUP_ABORT_BY_SERVER; Jet: -801, End works
    OneServer root;
    inject("DC01", "stop --after-reads 2");
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    DWORD got;
    EXPECT_EQ(dsRead(b, kMinRead, &got), S_OK);
    EXPECT_EQ(dsRead(b, kMinRead, &got), S_OK);
    EXPECT_EQ(dsRead(b, kMinRead, &got), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(dsRead(b, kMinRead, &got), WB_HR_BACKUP_ABORT_BY_SERVER);
    std::vector<std::u16string> logs;
    EXPECT_EQ(b.logNames(&logs), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(b.end(), S_OK);

    OneEse ese;
    inject("ESE01", "stop --once");
    ASSERT_EQ(JetBeginExternalBackupInstance(ese.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(ese.h(), kEseDatabase), JET_errSuccess);
    uint32_t n;
    EXPECT_EQ(jetRead(ese.h(), 3 * kPage, &n), JET_errBackupAbortByServer);
    EXPECT_EQ(jetProbe(ese.h()), JET_errBackupAbortByServer);
    EXPECT_EQ(JetEndExternalBackupInstance(ese.h()), JET_errSuccess);
    ASSERT_EQ(JetBeginExternalBackupInstance(ese.h(), 0), JET_errSuccess);
    std::vector<uint8_t> bytes;
    EXPECT_EQ(jetCopy(ese.h(), kEseDatabase, &bytes), JET_errSuccess) << "--once: the next backup is not stopped";
    EXPECT_EQ(JetEndExternalBackupInstance(ese.h()), JET_errSuccess);
}

TEST(Faults, AOnceFaultFiresOnceAcrossProcesses) {  // --once is consumed in the settings, which every process reads
    OneServer root;
    inject("DC01", "stop --once");
    auto reads = [] {
        Backup b(u"DC01");
        if (!b.ok() || b.openDatabase() != S_OK) return 2;
        DWORD got;
        return dsRead(b, kMinRead, &got) == WB_HR_BACKUP_ABORT_BY_SERVER ? 1 : 0;
    };
    EXPECT_EQ(waitExit(forkChild(reads)), 1) << "the first process meets the stop";
    EXPECT_EQ(waitExit(forkChild(reads)), 0) << "the second does not";
    EXPECT_EQ(reads(), 0);
}

TEST(Faults, SlowReadDelaysEachReadCall) {  // a latency per call, after --after-reads calls
    OneServer root;
    inject("DC01", "slow-read --latency 150ms --after-reads 1 --once");
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    DWORD got;
    auto timed = [&] {
        auto start = std::chrono::steady_clock::now();
        EXPECT_EQ(dsRead(b, kMinRead, &got), S_OK);
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    };
    timed();
    EXPECT_GE(timed(), 150) << "the second read is slow";
    std::vector<uint8_t> bytes;
    EXPECT_EQ(b.readAll(&bytes), ERROR_HANDLE_EOF);
}

TEST(Faults, ShortReadDeliversAtMostMaxBytesPerCall) {  // Ds and CertSrv: N bytes; Jet: whole pages (ESE's rule)
    OneServer root;
    inject("DC01", "short-read --max-bytes 1000");
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    DWORD got;
    EXPECT_EQ(dsRead(b, kChunk, &got), S_OK);
    EXPECT_EQ(got, 1000u);
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
    ASSERT_EQ(b.openDatabase(), S_OK);
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.readAll(&stream), ERROR_HANDLE_EOF);
    EXPECT_TRUE(databaseStreamMatches(stream, TestRoot::ntdsDit("DC01"))) << "short reads lose nothing";
    EXPECT_EQ(b.end(), S_OK);

    OneEse ese;
    inject("ESE01", "short-read --max-bytes 1000");
    ASSERT_EQ(JetBeginExternalBackupInstance(ese.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(ese.h(), kEseDatabase), JET_errSuccess);
    uint32_t n;
    EXPECT_EQ(jetRead(ese.h(), 4 * kPage, &n), JET_errSuccess);
    EXPECT_EQ(n, kPage) << "rounded to one whole page";
    EXPECT_EQ(JetEndExternalBackupInstance(ese.h()), JET_errSuccess);

    BusyCa ca;
    inject("CA01", "short-read --max-bytes 1000 --after-reads 1");
    CaBackup c(u"CA01");
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c.openDatabase(), S_OK);
    std::vector<uint8_t> buf(kChunk);
    DWORD cb = kSentinel;
    EXPECT_EQ(CertSrvBackupRead(c.hbc, buf.data(), kChunk, &cb), S_OK);
    EXPECT_EQ(cb, kChunk);
    EXPECT_EQ(CertSrvBackupRead(c.hbc, buf.data(), kChunk, &cb), S_OK);
    EXPECT_EQ(cb, 1000u);
}

// --- restore writes -------------------------------------------------------------------------------

TEST(Faults, DiskFullFailsRestoreWritesWithDiskFull) {  // Ds: hrDiskFull at Register or at the start (hard recovery)
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    inject("DC02", "disk-full");
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.registerSet("DC02", root.set), hrDiskFull);
    }
    EXPECT_EQ(WbClearFaultsA("DC02"), S_OK);
    inject("DC02", "disk-full --after-bytes 64K");  // the registration fits, the rebuilt database does not
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    expectStartRefused("DC02", hrDiskFull);
    EXPECT_EQ(WbClearFaultsA("DC02"), S_OK);
    expectRestored("DC02", root.set);
}

TEST(Faults, PermissionDeniedFailsRestoreWritesWithFileAccessDenied) {  // Ds and CertSrv: hrFileAccessDenied; Jet: -1032
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    inject("DC02", "permission-denied --once");
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.registerSet("DC02", root.set), hrFileAccessDenied);
        EXPECT_EQ(r.registerSet("DC02", root.set), S_OK) << "--once";
    }

    root.create("CA02", kSmallCaTarget);
    inject("CA02", "permission-denied");
    CaRestore c("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c.registerOne(nullptr, nullptr, u"\\\\CA01\\C$\\x.edb", kCaDatabaseW, u"C:\\Restore", 1, 2), hrFileAccessDenied);

    root.create("ESE01", kEse);
    root.create("ESE02", kEseOffline);
    JetBackupSet set;
    {
        JetInst source("ESE01");
        ASSERT_TRUE(source.ok());
        ASSERT_TRUE(jetBackup(source, root.path() + "/jetset", &set));
    }
    copyFile(set.databaseFile(), eseDatabaseFile("ESE02"));
    inject("ESE02", "permission-denied");
    std::string original = set.database, target = eseDatabaseFile("ESE02"), dir = set.dir;
    JET_RSTMAP_A map{original.data(), target.data()};
    EXPECT_EQ(JetExternalRestoreA(nullptr, nullptr, &map, 1, dir.data(), set.genLow, set.genHigh, nullptr),
              JET_errFileAccessDenied);
    EXPECT_EQ(WbClearFaultsA("ESE02"), S_OK);
    inject("ESE02", "disk-full");
    EXPECT_EQ(JetExternalRestoreA(nullptr, nullptr, &map, 1, dir.data(), set.genLow, set.genHigh, nullptr), JET_errDiskFull);
    EXPECT_EQ(WbClearFaultsA("ESE02"), S_OK);
    EXPECT_EQ(JetExternalRestoreA(nullptr, nullptr, &map, 1, dir.data(), set.genLow, set.genHigh, nullptr), JET_errSuccess);
}

// --- deny-user ------------------------------------------------------------------------------------

TEST(Faults, DenyUserIsAccessDeniedAtPrepareForAnAllowedAccount) {  // Ds: ERROR_ACCESS_DENIED; CertSrv: E_ACCESSDENIED
    OneServer root;
    root.create("CA01", kSmallCa);
    AuthIdentityReset reset;
    for (const char *server : {"DC01", "CA01"}) {
        EXPECT_EQ(WbAllowIdentityA(server, "CORP\\bob", "Passw0rd!"), S_OK);
        inject(server, "deny-user CORP\\BOB --once");
    }
    ASSERT_EQ(DsSetAuthIdentityA("bob", "CORP", "Passw0rd!"), S_OK);
    HBC hbc = sentinelHbc();
    void *token = nullptr;
    DWORD cb = 0;
    EXPECT_EQ(DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_FULL, &token, &cb, &hbc), ERROR_ACCESS_DENIED);
    EXPECT_EQ(hbc, sentinelHbc());
    Backup b(u"DC01");
    EXPECT_TRUE(b.ok()) << "--once: bob may back up again";
    HCSBC hcsbc = sentinelHcsbc();
    EXPECT_EQ(CertSrvBackupPrepareW(u"CA01", 0, CSBACKUP_TYPE_FULL, &hcsbc), E_ACCESSDENIED);
    EXPECT_EQ(hcsbc, sentinelHcsbc());
}
