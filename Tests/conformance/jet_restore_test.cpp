// Restore through the Jet API (docs/CONTRACT-ESENT.md "Restore"): JetExternalRestore(2) of a
// streaming backup onto a second, stopped server; JetBackupInstance and JetRestoreInstance round
// trips; incremental chains. A restore is proven by content: the restored server's
// WbGetContentDigestA equals what the source's writer recorded at the end of the last log
// restored (WbReadLogDigestA).
#include "helpers.h"

#include <algorithm>
#include <cstring>

using namespace wbtest;

namespace {

// ESE01 (online, some activity) and ESE02 (offline, the same layout): a source and a target.
struct SourceAndTargetEse : TestRoot {
    std::unique_ptr<JetInst> source;
    explicit SourceAndTargetEse(const char *targetOptions = kEseOffline) {
        create("ESE01", kEse);
        create("ESE02", targetOptions);
        EXPECT_EQ(WbWriteServerA("ESE01", 3), S_OK);
        source = std::make_unique<JetInst>("ESE01");
        EXPECT_TRUE(source->ok());
    }
    ~SourceAndTargetEse() { source.reset(); }
};

// A full streaming backup of ESE01 whose log list spans several generations (writes between
// Begin and the log list), into dir.
::testing::AssertionResult spanningFullBackup(JET_INSTANCE inst, const std::string &dir, JetBackupSet *set) {
    makeDirs(dir);
    set->dir = dir;
    JET_ERR err = JetBeginExternalBackupInstance(inst, 0);
    if (err) return ::testing::AssertionFailure() << "Begin = " << err;
    std::vector<uint8_t> bytes;
    if ((err = jetCopy(inst, kEseDatabase, &bytes))) return ::testing::AssertionFailure() << "the database: " << err;
    set->database = eseDatabaseFile();
    writeBytes(set->databaseFile(), bytes);
    if (WbWriteServerA("ESE01", 3) != S_OK) return ::testing::AssertionFailure() << "WbWriteServerA during the backup";
    if ((err = jetLogInfo(inst, &set->logs))) return ::testing::AssertionFailure() << "GetLogInfo = " << err;
    set->genLow = logGenerationA(set->logs.front());
    set->genHigh = logGenerationA(set->logs.back());
    for (auto &l : set->logs) {
        if ((err = jetCopy(inst, l, &bytes))) return ::testing::AssertionFailure() << l << ": " << err;
        writeBytes(set->logFile(logGenerationA(l)), bytes);
    }
    if ((err = JetTruncateLogInstance(inst))) return ::testing::AssertionFailure() << "Truncate = " << err;
    if ((err = JetEndExternalBackupInstance(inst))) return ::testing::AssertionFailure() << "End = " << err;
    return ::testing::AssertionSuccess();
}

// Puts a set's database copy where ESE02's database lives (what a restore agent does first).
void placeDatabase(const JetBackupSet &set, const char *target = "ESE02") { copyFile(set.databaseFile(), eseDatabaseFile(target)); }

// Starts the target through JetInit and compares its content with the set's last log.
void expectRestoredEse(const std::string &lastLog, const char *target = "ESE02") {
    JetInst inst(target);
    ASSERT_TRUE(inst.ok()) << "JetInit of the restored server: " << inst.initialized;
    EXPECT_EQ(contentDigest(target), logDigest(lastLog)) << target << " does not hold the content of " << lastLog;
}

// The status calls of a restore or a backup: one begin first, one complete last, progress between.
void expectStatus(JET_SNP snp, size_t progress, bool complete = true) {
    std::vector<StatusRecord> &calls = statusCalls();
    ASSERT_GE(calls.size(), 2u);
    for (auto &c : calls) EXPECT_EQ(c.snp, snp);
    EXPECT_EQ(calls.front().snt, JET_sntBegin);
    EXPECT_EQ(calls.back().snt, complete ? JET_sntComplete : JET_sntFail);
    EXPECT_EQ(countStatus(JET_sntBegin), 1u);
    EXPECT_EQ(countStatus(complete ? JET_sntComplete : JET_sntFail), 1u);
    EXPECT_EQ(countStatus(complete ? JET_sntFail : JET_sntComplete), 0u);
    EXPECT_EQ(countStatus(JET_sntProgress), progress);
    uint32_t done = 0;
    for (auto &c : calls) {
        if (c.snt != JET_sntProgress) continue;
        EXPECT_EQ(c.cbStruct, sizeof(JET_SNPROG));
        EXPECT_GT(c.done, done) << "progress goes forward";
        EXPECT_LE(c.done, c.total);
        done = c.done;
    }
    if (complete && progress > 0) {
        EXPECT_EQ(calls[calls.size() - 2].done, calls[calls.size() - 2].total) << "the last progress is all";
    }
}

JET_ERR externalRestoreA(const JetBackupSet &set, long genLow, long genHigh, const char *ckpt = nullptr,
                         const char *logs = nullptr, JET_PFNSTATUS pfn = recordStatus) {
    std::string original = set.database, target = eseDatabaseFile("ESE02"), dir = set.dir;
    JET_RSTMAP_A map{original.data(), target.data()};
    std::string c = ckpt ? ckpt : "", l = logs ? logs : "";
    return JetExternalRestoreA(ckpt ? c.data() : nullptr, logs ? l.data() : nullptr, &map, 1, dir.data(),
                               static_cast<int32_t>(genLow), static_cast<int32_t>(genHigh), pfn);
}

std::vector<uint32_t> folderGenerations(const std::string &dir) {
    std::vector<uint32_t> out;
    for (auto &name : listDir(dir))
        if (uint32_t g = logGenerationA(name)) out.push_back(g);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

// --- JetExternalRestore --------------------------------------------------------------------------------

TEST(JetExternalRestore, AFullJetBackupRestoresOntoAStoppedServer) {  // contract: hard recovery now; digest = the last log's
    SourceAndTargetEse root;
    JetBackupSet set;
    ASSERT_TRUE(spanningFullBackup(*root.source, root.path() + "/set", &set));
    ASSERT_GT(set.genHigh, set.genLow);
    placeDatabase(set);
    statusCalls().clear();
    ASSERT_EQ(externalRestoreA(set, set.genLow, set.genHigh), JET_errSuccess);
    expectStatus(JET_snpRestore, set.genHigh - set.genLow + 1);
    EXPECT_NE(WbWriteServerA("ESE02", 1), S_OK) << "the server stays stopped until JetInit";
    expectRestoredEse(set.lastLog());
}

TEST(JetExternalRestore, TheServersOwnFoldersMayBeNamedAndTheWFormRestoresToo) {  // contract: ckpt and logs NULL or that server's folders
    SourceAndTargetEse root;
    JetBackupSet set;
    ASSERT_TRUE(jetBackup(*root.source, root.path() + "/set", &set));
    placeDatabase(set);
    std::u16string ckpt = u16(TestRoot::local("ESE02", kEseSystem)), logs = u16(eseLogDir("ESE02"));
    std::u16string original = u16(set.database), target = u16(eseDatabaseFile("ESE02")), dir = u16(set.dir);
    JET_RSTMAP_W map{original.data(), target.data()};
    ASSERT_EQ(JetExternalRestoreW(ckpt.data(), logs.data(), &map, 1, dir.data(), static_cast<int32_t>(set.genLow),
                                  static_cast<int32_t>(set.genHigh), nullptr),
              JET_errSuccess);
    expectRestoredEse(set.lastLog());
}

TEST(JetExternalRestore, BadArgumentsAreRefusedAndChangeNothing) {  // contract: -1003 / -1023 for the arguments listed
    SourceAndTargetEse root;
    root.create("ESE03", kEseOffline);
    JetBackupSet set;
    ASSERT_TRUE(jetBackup(*root.source, root.path() + "/set", &set));
    placeDatabase(set);
    FolderUnchanged guard("ESE02");
    std::string original = set.database, target = eseDatabaseFile("ESE02"), other = eseDatabaseFile("ESE03"), dir = set.dir;
    std::string chk = eseCheckpointFile("ESE02"), outside = root.path() + "/nowhere.edb";
    std::string system = TestRoot::local("ESE02", kEseSystem), logs = eseLogDir("ESE02");
    JET_RSTMAP_A good{original.data(), target.data()};
    JET_RSTMAP_A nullNew{original.data(), nullptr}, nullOld{nullptr, target.data()};
    JET_RSTMAP_A notDatabase{original.data(), chk.data()}, noServer{original.data(), outside.data()};
    JET_RSTMAP_A two[2] = {{original.data(), target.data()}, {original.data(), other.data()}};
    const int32_t lo = static_cast<int32_t>(set.genLow), hi = static_cast<int32_t>(set.genHigh);
    const struct {
        const char *what;
        JET_ERR err;
        JET_ERR expected;
    } cases[] = {
        {"n < 0", JetExternalRestoreA(nullptr, nullptr, &good, -1, dir.data(), lo, hi, nullptr), JET_errInvalidParameter},
        {"n > 256", JetExternalRestoreA(nullptr, nullptr, &good, 257, dir.data(), lo, hi, nullptr), JET_errInvalidParameter},
        {"n = 0", JetExternalRestoreA(nullptr, nullptr, &good, 0, dir.data(), lo, hi, nullptr), JET_errInvalidParameter},
        {"NULL map", JetExternalRestoreA(nullptr, nullptr, nullptr, 1, dir.data(), lo, hi, nullptr), JET_errInvalidParameter},
        {"NULL new name", JetExternalRestoreA(nullptr, nullptr, &nullNew, 1, dir.data(), lo, hi, nullptr), JET_errInvalidParameter},
        {"NULL old name", JetExternalRestoreA(nullptr, nullptr, &nullOld, 1, dir.data(), lo, hi, nullptr), JET_errInvalidParameter},
        {"NULL backup logs", JetExternalRestoreA(nullptr, nullptr, &good, 1, nullptr, lo, hi, nullptr), JET_errInvalidParameter},
        {"genLow 0", JetExternalRestoreA(nullptr, nullptr, &good, 1, dir.data(), 0, hi, nullptr), JET_errInvalidParameter},
        {"genHigh 0", JetExternalRestoreA(nullptr, nullptr, &good, 1, dir.data(), lo, 0, nullptr), JET_errInvalidParameter},
        {"genLow -1", JetExternalRestoreA(nullptr, nullptr, &good, 1, dir.data(), -1, hi, nullptr), JET_errInvalidParameter},
        {"genLow > genHigh", JetExternalRestoreA(nullptr, nullptr, &good, 1, dir.data(), hi + 1, hi, nullptr), JET_errInvalidParameter},
        {"not a database", JetExternalRestoreA(nullptr, nullptr, &notDatabase, 1, dir.data(), lo, hi, nullptr), JET_errInvalidParameter},
        {"two servers", JetExternalRestoreA(nullptr, nullptr, two, 2, dir.data(), lo, hi, nullptr), JET_errInvalidParameter},
        {"no server", JetExternalRestoreA(nullptr, nullptr, &noServer, 1, dir.data(), lo, hi, nullptr), JET_errInvalidPath},
        {"checkpoint path not the server's", JetExternalRestoreA(logs.data(), nullptr, &good, 1, dir.data(), lo, hi, nullptr),
         JET_errInvalidPath},
        {"log path not the server's", JetExternalRestoreA(nullptr, system.data(), &good, 1, dir.data(), lo, hi, nullptr),
         JET_errInvalidPath},
    };
    for (auto &c : cases) EXPECT_EQ(c.err, c.expected) << c.what;
}

TEST(JetExternalRestore, ARunningServerIsDatabaseInUse) {  // contract: the server must be stopped (-1202)
    SourceAndTargetEse root(kEse);  // ESE02 online
    JetBackupSet set;
    ASSERT_TRUE(jetBackup(*root.source, root.path() + "/set", &set));
    FolderUnchanged guard("ESE02");
    EXPECT_EQ(externalRestoreA(set, set.genLow, set.genHigh, nullptr, nullptr, nullptr), JET_errDatabaseInUse);
}

TEST(JetExternalRestore, AMissingLogFailsTheRecoveryChangesNothingAndTellsTheCallback) {  // contract: -528; a failure changes nothing; JET_sntFail
    SourceAndTargetEse root;
    JetBackupSet set;
    ASSERT_TRUE(spanningFullBackup(*root.source, root.path() + "/set", &set));
    ASSERT_GT(set.genHigh, set.genLow);
    placeDatabase(set);
    removeFile(set.logFile(set.genHigh));
    FolderUnchanged guard("ESE02");
    statusCalls().clear();
    EXPECT_EQ(externalRestoreA(set, set.genLow, set.genHigh), JET_errMissingLogFile);
    ASSERT_FALSE(statusCalls().empty());
    EXPECT_EQ(statusCalls().front().snt, JET_sntBegin);
    EXPECT_EQ(statusCalls().back().snt, JET_sntFail);
    EXPECT_EQ(countStatus(JET_sntComplete), 0u);
}

TEST(JetExternalRestore, AFullAndAnIncrementalStreamingBackupRestoreAsAChain) {  // contract: full + incremental chain, restored to its last log
    SourceAndTargetEse root;
    JetBackupSet full, inc;
    std::string dir = root.path() + "/chain";
    ASSERT_TRUE(spanningFullBackup(*root.source, dir, &full));
    ASSERT_EQ(WbWriteServerA("ESE01", 4), S_OK);
    ASSERT_TRUE(jetBackup(*root.source, dir, &inc, /*incremental=*/true));
    ASSERT_GT(inc.genHigh, full.genHigh);
    ASSERT_LE(inc.genLow, full.genHigh + 1) << "the chain has no gap";
    placeDatabase(full);
    ASSERT_EQ(externalRestoreA(full, full.genLow, inc.genHigh), JET_errSuccess);
    expectRestoredEse(inc.lastLog());
    EXPECT_NE(contentDigest("ESE02"), logDigest(full.lastLog())) << "the incremental's logs were replayed too";
}

// --- JetExternalRestore2 -----------------------------------------------------------------------------------

TEST(JetExternalRestore2, RestoresTheRangeOfAJetLogInfoIntoTheTargetInstancePaths) {  // contract: the range from pLogInfo; target paths both
    SourceAndTargetEse root;
    JetBackupSet set;
    ASSERT_TRUE(spanningFullBackup(*root.source, root.path() + "/set", &set));
    placeDatabase(set);
    std::string original = set.database, target = eseDatabaseFile("ESE02"), dir = set.dir;
    std::string system = TestRoot::local("ESE02", kEseSystem), logs = eseLogDir("ESE02");
    JET_RSTMAP_A map{original.data(), target.data()};
    JET_LOGINFO_A info{sizeof(JET_LOGINFO_A), set.genLow, set.genHigh, {'e', 'd', 'b', 0}};
    char name[] = "ignored";
    statusCalls().clear();
    ASSERT_EQ(JetExternalRestore2A(nullptr, nullptr, &map, 1, dir.data(), &info, name, logs.data(), system.data(), recordStatus),
              JET_errSuccess);
    expectStatus(JET_snpRestore, set.genHigh - set.genLow + 1);
    expectRestoredEse(set.lastLog());
}

TEST(JetExternalRestore2, TheWFormWithoutTargetPaths) {  // contract: JetExternalRestore2W, target paths neither
    SourceAndTargetEse root;
    JetBackupSet set;
    ASSERT_TRUE(jetBackup(*root.source, root.path() + "/set", &set));
    placeDatabase(set);
    std::u16string original = u16(set.database), target = u16(eseDatabaseFile("ESE02")), dir = u16(set.dir);
    JET_RSTMAP_W map{original.data(), target.data()};
    JET_LOGINFO_W info{sizeof(JET_LOGINFO_W), set.genLow, set.genHigh, {u'e', u'd', u'b', 0}};
    ASSERT_EQ(JetExternalRestore2W(nullptr, nullptr, &map, 1, dir.data(), &info, nullptr, nullptr, nullptr, nullptr), JET_errSuccess);
    expectRestoredEse(set.lastLog());
}

TEST(JetExternalRestore2, BadLogInfoOrOneTargetPathIsInvalidParameter) {  // contract: NULL/wrong cbSize, base name not "edb", one target path -> -1003
    SourceAndTargetEse root;
    JetBackupSet set;
    ASSERT_TRUE(jetBackup(*root.source, root.path() + "/set", &set));
    placeDatabase(set);
    FolderUnchanged guard("ESE02");
    std::string original = set.database, target = eseDatabaseFile("ESE02"), dir = set.dir;
    std::string system = TestRoot::local("ESE02", kEseSystem), logs = eseLogDir("ESE02");
    JET_RSTMAP_A map{original.data(), target.data()};
    JET_LOGINFO_A good{sizeof(JET_LOGINFO_A), set.genLow, set.genHigh, {'e', 'd', 'b', 0}};
    JET_LOGINFO_A wrongSize = good, wrongBase = good;
    wrongSize.cbSize = sizeof(JET_LOGINFO_W);
    memcpy(wrongBase.szBaseName, "abc", 4);
    EXPECT_EQ(JetExternalRestore2A(nullptr, nullptr, &map, 1, dir.data(), nullptr, nullptr, nullptr, nullptr, nullptr),
              JET_errInvalidParameter) << "NULL pLogInfo";
    EXPECT_EQ(JetExternalRestore2A(nullptr, nullptr, &map, 1, dir.data(), &wrongSize, nullptr, nullptr, nullptr, nullptr),
              JET_errInvalidParameter) << "cbSize";
    EXPECT_EQ(JetExternalRestore2A(nullptr, nullptr, &map, 1, dir.data(), &wrongBase, nullptr, nullptr, nullptr, nullptr),
              JET_errInvalidParameter) << "base name";
    EXPECT_EQ(JetExternalRestore2A(nullptr, nullptr, &map, 1, dir.data(), &good, nullptr, logs.data(), nullptr, nullptr),
              JET_errInvalidParameter) << "the log path alone";
    EXPECT_EQ(JetExternalRestore2A(nullptr, nullptr, &map, 1, dir.data(), &good, nullptr, nullptr, system.data(), nullptr),
              JET_errInvalidParameter) << "the checkpoint path alone";
    JET_LOGINFO_W wgood{sizeof(JET_LOGINFO_W), set.genLow, set.genHigh, {u'e', u'd', u'b', 0}};
    wgood.cbSize = sizeof(JET_LOGINFO_A);
    std::u16string wo = u16(original), wt = u16(target), wd = u16(dir);
    JET_RSTMAP_W wmap{wo.data(), wt.data()};
    EXPECT_EQ(JetExternalRestore2W(nullptr, nullptr, &wmap, 1, wd.data(), &wgood, nullptr, nullptr, nullptr, nullptr),
              JET_errInvalidParameter) << "W cbSize 16";
}

// --- JetBackupInstance ------------------------------------------------------------------------------------

TEST(JetBackupInstance, AFullBackupWritesTheDatabaseAndTheLogsIntoANewFolder) {  // contract: each file under its name; logs truncated; callbacks
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    std::string dir = root.path() + "/full";
    std::vector<uint32_t> before = eseLogGenerations();
    statusCalls().clear();
    ASSERT_EQ(JetBackupInstanceA(root.h(), dir.c_str(), 0, recordStatus), JET_errSuccess);
    std::vector<uint32_t> gens = folderGenerations(dir);
    ASSERT_FALSE(gens.empty());
    EXPECT_EQ(listDir(dir).size(), gens.size() + 1) << "the database and the logs, nothing else";
    EXPECT_EQ(gens.back() - gens.front() + 1, gens.size()) << "a contiguous range";
    EXPECT_TRUE(databaseStreamMatches(readFile(dir + "/ese.edb"), eseDatabaseFile(), /*exact=*/false));
    for (uint32_t g : gens) {
        if (fileExists(eseLogFile("ESE01", g))) { EXPECT_TRUE(readFile(dir + "/" + jetLogName(g)) == readFile(eseLogFile("ESE01", g))) << g; }
    }
    expectStatus(JET_snpBackup, gens.size() + 1);
    EXPECT_EQ(statusCalls()[statusCalls().size() - 2].total, gens.size() + 1) << "progress per file";
    EXPECT_LT(before.front(), eseLogGenerations().front()) << "the logs were truncated";
    EXPECT_EQ(databaseBkinfo("ESE01", kBkinfoFullPrev).genHigh, gens.back()) << "recorded as a full backup";
}

TEST(JetBackupInstance, ANonEmptyFolderIsBackupDirectoryNotEmpty) {  // contract: a full backup into an empty or new folder, else -504
    OneEse root;
    std::string dir = root.path() + "/busy";
    makeDirs(dir);
    writeBytes(dir + "/something", std::vector<uint8_t>(10, 1));
    EXPECT_EQ(JetBackupInstanceA(root.h(), dir.c_str(), 0, nullptr), JET_errBackupDirectoryNotEmpty);
    EXPECT_EQ(listDir(dir), std::vector<std::string>{"something"});
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup) << "no backup left running";
    std::string empty = root.path() + "/empty";
    makeDirs(empty);
    EXPECT_EQ(JetBackupInstanceW(root.h(), u16(empty).c_str(), 0, nullptr), JET_errSuccess) << "an empty folder is fine";
}

TEST(JetBackupInstance, AtomicReplacesTheOldBackupOnceTheNewOneIsComplete) {  // contract: Atomic into path/new, then it replaces the old backup
    OneEse root;
    std::string dir = root.path() + "/atomic";
    ASSERT_EQ(JetBackupInstanceA(root.h(), dir.c_str(), 0, nullptr), JET_errSuccess);
    std::vector<uint32_t> old = folderGenerations(dir);
    ASSERT_EQ(WbWriteServerA("ESE01", 4), S_OK);
    statusCalls().clear();
    ASSERT_EQ(JetBackupInstanceA(root.h(), dir.c_str(), JET_bitBackupAtomic, recordStatus), JET_errSuccess);
    EXPECT_EQ(countStatus(JET_sntComplete), 1u);
    std::vector<uint32_t> gens = folderGenerations(dir);
    ASSERT_FALSE(gens.empty());
    EXPECT_GT(gens.front(), old.back()) << "only the new backup's logs are left";
    EXPECT_FALSE(fileExists(dir + "/new")) << "the staging folder is gone";
    EXPECT_EQ(listDir(dir).size(), gens.size() + 1);
    EXPECT_EQ(databaseBkinfo("ESE01", kBkinfoFullPrev).genHigh, gens.back());
}

TEST(JetBackupInstance, BadGrbitsAreInvalidGrbitAndANullPathInvalidParameter) {  // contract: bits other than 1 and 4, or both -> -900; NULL path -> -1003
    OneEse root;
    std::string dir = root.path() + "/never";
    for (JET_GRBIT grbit : std::vector<JET_GRBIT>{0x2u, 0x8u, 0x10u, 0x20u, 0x100u, JET_bitBackupIncremental | JET_bitBackupAtomic})
        EXPECT_EQ(JetBackupInstanceA(root.h(), dir.c_str(), grbit, nullptr), JET_errInvalidGrbit) << "grbit 0x" << std::hex << grbit;
    EXPECT_EQ(JetBackupInstanceA(root.h(), nullptr, 0, nullptr), JET_errInvalidParameter);
    EXPECT_EQ(JetBackupInstanceW(root.h(), nullptr, 0, nullptr), JET_errInvalidParameter);
    EXPECT_FALSE(fileExists(dir));
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
}

TEST(JetBackupInstance, BeforeJetInitIsNotInitializedAndDuringABackupInProgress) {  // contract: not initialized -> -1029; the streaming backup's errors
    OneEse root;
    JetInst idle("idle", false);
    ASSERT_EQ(idle.created, JET_errSuccess);
    std::string dir = root.path() + "/never";
    EXPECT_EQ(JetBackupInstanceA(idle, dir.c_str(), 0, nullptr), JET_errNotInitialized);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetBackupInstanceA(root.h(), (dir + "2").c_str(), 0, nullptr), JET_errBackupInProgress);
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "the running backup is untouched";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
    EXPECT_EQ(JetBackupInstanceA(root.h(), nullptr, JET_bitBackupIncremental, nullptr), JET_errInvalidParameter);
}

TEST(JetBackupInstance, AnIncrementalBackupAddsItsLogsToTheFolder) {  // contract: Incremental: the logs, added to the folder
    OneEse root;
    std::string dir = root.path() + "/chain";
    ASSERT_EQ(JetBackupInstanceA(root.h(), dir.c_str(), 0, nullptr), JET_errSuccess);
    std::vector<uint8_t> database = readFile(dir + "/ese.edb");
    std::vector<uint32_t> full = folderGenerations(dir);
    ASSERT_EQ(WbWriteServerA("ESE01", 4), S_OK);
    statusCalls().clear();
    ASSERT_EQ(JetBackupInstanceA(root.h(), dir.c_str(), JET_bitBackupIncremental, recordStatus), JET_errSuccess);
    std::vector<uint32_t> all = folderGenerations(dir);
    EXPECT_GT(all.back(), full.back());
    for (uint32_t g : full) EXPECT_TRUE(std::count(all.begin(), all.end(), g)) << "generation " << g << " of the full backup is gone";
    EXPECT_EQ(all.back() - all.front() + 1, all.size()) << "the folder holds a chain without a gap";
    EXPECT_TRUE(readFile(dir + "/ese.edb") == database) << "an incremental backup does not touch the database copy";
    EXPECT_EQ(countStatus(JET_sntBegin), 1u);
    EXPECT_EQ(countStatus(JET_sntComplete), 1u);
    EXPECT_EQ(databaseBkinfo("ESE01", kBkinfoIncPrev).genHigh, all.back()) << "recorded as an incremental backup";
}

// --- JetRestoreInstance -----------------------------------------------------------------------------------

TEST(JetRestoreInstance, AFullAndIncrementalJetBackupFolderRestoresOntoAStoppedServer) {  // contract: databases put in place, recovered through the folder's logs
    SourceAndTargetEse root;
    std::string dir = root.path() + "/folder";
    ASSERT_EQ(JetBackupInstanceA(*root.source, dir.c_str(), 0, nullptr), JET_errSuccess);
    ASSERT_EQ(WbWriteServerA("ESE01", 4), S_OK);
    ASSERT_EQ(JetBackupInstanceA(*root.source, dir.c_str(), JET_bitBackupIncremental, nullptr), JET_errSuccess);
    std::vector<uint32_t> gens = folderGenerations(dir);
    ASSERT_GE(gens.size(), 2u);
    JetInst target("ESE02", false);
    ASSERT_EQ(target.created, JET_errSuccess);
    statusCalls().clear();
    ASSERT_EQ(JetRestoreInstanceA(target, dir.c_str(), nullptr, recordStatus), JET_errSuccess);
    expectStatus(JET_snpRestore, gens.size());
    ASSERT_EQ(target.init(), JET_errSuccess) << "JetInit starts the restored server";
    EXPECT_EQ(contentDigest("ESE02"), logDigest(dir + "/" + jetLogName(gens.back())));
}

TEST(JetRestoreInstance, TheWFormRestoresAFullBackup) {  // contract: JetRestoreInstanceW
    SourceAndTargetEse root;
    std::string dir = root.path() + "/folder";
    ASSERT_EQ(JetBackupInstanceW(*root.source, u16(dir).c_str(), 0, nullptr), JET_errSuccess);
    std::vector<uint32_t> gens = folderGenerations(dir);
    ASSERT_FALSE(gens.empty());
    JetInst target("ESE02", false);
    ASSERT_EQ(target.created, JET_errSuccess);
    ASSERT_EQ(JetRestoreInstanceW(target, u16(dir).c_str(), nullptr, nullptr), JET_errSuccess);
    ASSERT_EQ(target.init(), JET_errSuccess);
    EXPECT_EQ(contentDigest("ESE02"), logDigest(dir + "/" + jetLogName(gens.back())));
}

TEST(JetRestoreInstance, ADestinationIsInvalidParameterAndAfterJetInitAlreadyInitialized) {  // contract: dest must be NULL (-1003); before JetInit (else -1030)
    SourceAndTargetEse root;
    std::string dir = root.path() + "/folder";
    ASSERT_EQ(JetBackupInstanceA(*root.source, dir.c_str(), 0, nullptr), JET_errSuccess);
    {
        FolderUnchanged guard("ESE02");
        JetInst target("ESE02", false);
        ASSERT_EQ(target.created, JET_errSuccess);
        EXPECT_EQ(JetRestoreInstanceA(target, dir.c_str(), dir.c_str(), nullptr), JET_errInvalidParameter);
        EXPECT_EQ(JetRestoreInstanceA(target, nullptr, nullptr, nullptr), JET_errInvalidParameter);
        ASSERT_EQ(target.term(), JET_errSuccess);
    }
    EXPECT_EQ(JetRestoreInstanceA(*root.source, dir.c_str(), nullptr, nullptr), JET_errAlreadyInitialized);
}

TEST(JetRestoreInstance, ARunningServerIsDatabaseInUse) {  // contract: the instance's server must be stopped (-1202)
    SourceAndTargetEse root(kEse);  // ESE02 online
    std::string dir = root.path() + "/folder";
    ASSERT_EQ(JetBackupInstanceA(*root.source, dir.c_str(), 0, nullptr), JET_errSuccess);
    FolderUnchanged guard("ESE02");
    JetInst target("ESE02", false);
    ASSERT_EQ(target.created, JET_errSuccess);
    EXPECT_EQ(JetRestoreInstanceA(target, dir.c_str(), nullptr, nullptr), JET_errDatabaseInUse);
}
