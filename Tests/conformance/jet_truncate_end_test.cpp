// JetTruncateLogInstance, JetEndExternalBackupInstance(2) and JetStopBackupInstance: ESE-BEHAVIOUR.md
// §A.2 "TruncateLog", "EndExternalBackupInstance2", the stop, and §A.3 (what a truncation deletes);
// docs/CONTRACT-ESENT.md.
#include "helpers.h"

#include <algorithm>
#include <thread>

#include <unistd.h>

using namespace wbtest;

namespace {

bool onDisk(uint32_t generation, const char *server = "ESE01") {
    std::vector<uint32_t> g = eseLogGenerations(server);
    return std::find(g.begin(), g.end(), generation) != g.end();
}

// A full backup past its log list, the database copied, the logs listed but not read.
struct LogsListed : OneEse {
    std::vector<std::string> logs;
    uint32_t checkpointAtList = 0;
    explicit LogsListed(DWORD writesDuring = 3) {
        EXPECT_EQ(WbWriteServerA("ESE01", 3), S_OK);
        EXPECT_EQ(JetBeginExternalBackupInstance(h(), 0), JET_errSuccess);
        if (writesDuring) { EXPECT_EQ(WbWriteServerA("ESE01", writesDuring), S_OK); }  // several logs in the list
        std::vector<uint8_t> stream;
        EXPECT_EQ(jetCopy(h(), kEseDatabase, &stream), JET_errSuccess);
        EXPECT_EQ(jetLogInfo(h(), &logs), JET_errSuccess);
        checkpointAtList = eseCheckpointGeneration();
    }
};

// An incremental Begin: JET_errSuccess once a full backup is recorded, -560 otherwise.
JET_ERR incrementalBegins(JET_INSTANCE inst) {
    JET_ERR err = JetBeginExternalBackupInstance(inst, JET_bitBackupIncremental);
    if (err == JET_errSuccess) { EXPECT_EQ(JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort), JET_errSuccess); }
    return err;
}

}  // namespace

// --- JetTruncateLogInstance --------------------------------------------------------------------------------

TEST(JetTruncateLogInstance, WithoutABackupIsNoBackup) {  // §A.2 TruncateLog: -520
    OneEse root;
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errNoBackup);
}

TEST(JetTruncateLogInstance, AfterJetStopBackupIsBackupAbortByServer) {  // §A.2 TruncateLog: stopped -> -801
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errBackupAbortByServer);
    EXPECT_EQ(eseLogGenerations(), before) << "nothing deleted";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetTruncateLogInstance, AFileStillOpenIsInvalidBackupSequence) {  // §A.2 TruncateLog: any file open -> -521
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    ASSERT_EQ(jetOpen(root.h(), root.logs.at(0)), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errInvalidBackupSequence);
    EXPECT_EQ(eseLogGenerations(), before) << "nothing deleted";
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess) << "the backup goes on";
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetTruncateLogInstance, BeforeTheLogListIsInvalidBackupSequence) {  // §A.2 TruncateLog: log info never prepared -> -521
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errInvalidBackupSequence) << "nothing read yet";
    std::vector<uint8_t> stream;
    ASSERT_EQ(jetCopy(root.h(), kEseDatabase, &stream), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errInvalidBackupSequence) << "the database read, no log list";
    EXPECT_EQ(eseLogGenerations(), before);
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess) << "the backup goes on";
    ASSERT_EQ(jetCopyLogs(root.h(), logs), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetTruncateLogInstance, ALogNotReadToItsEndIsLogFileNotCopied) {  // §A.2 TruncateLog: not every required log fully read -> -616
    LogsListed root;
    ASSERT_GE(root.logs.size(), 2u);
    std::vector<std::string> allButLast(root.logs.begin(), root.logs.end() - 1);
    ASSERT_EQ(jetCopyLogs(root.h(), allButLast), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errLogFileNotCopied) << "the last log never opened";
    // opened and partly read, then closed: still not copied
    ASSERT_EQ(jetOpen(root.h(), root.logs.back()), JET_errSuccess);
    AlignedBuffer buf(2 * kPage);
    uint32_t got = 0;
    ASSERT_EQ(JetReadFileInstance(root.h(), 0, buf.p, 2 * kPage, &got), JET_errSuccess);
    ASSERT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errLogFileNotCopied) << "the last log read in part";
    EXPECT_EQ(eseLogGenerations(), before) << "nothing deleted";
    // the failure does not end the backup: copy it and truncate
    std::vector<uint8_t> bytes;
    ASSERT_EQ(jetCopy(root.h(), root.logs.back(), &bytes), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetTruncateLogInstance, TheCopyCheckIsASumOfGenerationsSoReadingALogTwiceCounts) {  // §A.2 TruncateLog: sum of generations >= arithmetic series; reading twice tolerated
    LogsListed root;
    ASSERT_GE(root.logs.size(), 2u);
    // every log but the first, the last one twice: its generation makes up for the first's
    std::vector<std::string> reads(root.logs.begin() + 1, root.logs.end());
    reads.push_back(root.logs.back());
    ASSERT_EQ(jetCopyLogs(root.h(), reads), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess)
        << "ESE compares sums: " << logGenerationA(root.logs.back()) << " read twice covers " << logGenerationA(root.logs.front());
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetTruncateLogInstance, LogsOutsideTheListDoNotCount) {  // §A.2 TruncateLog: only fully read logs in [CopyMic, CopyMac - 1] count
    LogsListed root;
    ASSERT_GE(root.logs.size(), 2u);
    uint32_t low = logGenerationA(root.logs.front());
    std::vector<uint32_t> older;
    for (uint32_t g : eseLogGenerations())
        if (g < low) older.push_back(g);
    ASSERT_FALSE(older.empty()) << "the test needs logs below the list on disk";
    // every listed log but the first; older logs, read often enough to make up the sum if they counted
    std::vector<std::string> reads(root.logs.begin() + 1, root.logs.end());
    for (uint32_t i = 0; i < low; ++i) reads.push_back(eseLogFile("ESE01", older.back()));
    ASSERT_EQ(jetCopyLogs(root.h(), reads), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errLogFileNotCopied);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetTruncateLogInstance, DeletesFromTheOldestLogOnDiskToTheCheckpoint) {  // §A.3 delete range: [oldest on disk, min(checkpoint at GetLogInfo, CopyMac))
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    uint32_t copyMac = logGenerationA(root.logs.back()) + 1;
    uint32_t deleteMac = std::min(root.checkpointAtList, copyMac);
    std::vector<uint32_t> before = eseLogGenerations();
    ASSERT_LT(before.front(), deleteMac) << "nothing to delete";
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    std::vector<uint32_t> expected;
    for (uint32_t g : before)
        if (g >= deleteMac) expected.push_back(g);
    EXPECT_EQ(eseLogGenerations(), expected) << "checkpoint " << root.checkpointAtList << ", CopyMac " << copyMac;
    EXPECT_TRUE(fileExists(eseLogDir() + "/edb.log")) << "the current log stays";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetTruncateLogInstance, MissingLogsInTheDeleteRangeAreSkipped) {  // §A.3: missing files are counted as a warning
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    ASSERT_GE(before.size(), 2u);
    ASSERT_LT(before[1], root.checkpointAtList) << "two logs below the checkpoint needed";
    removeFile(eseLogFile("ESE01", before.front()));  // the oldest, gone before the truncation
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    EXPECT_FALSE(onDisk(before[1])) << "the next one was still deleted";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetTruncateLogInstance, AFullBackupWithoutTheDatabaseDeletesNothingANewDatabaseNeeds) {  // §A.3: DeleteMac capped at bkinfoFullPrev.genHigh of a database not in the backup
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 4), S_OK);
    ASSERT_TRUE(databaseBkinfo("ESE01", kBkinfoFullPrev).zero);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);  // the database is never read
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    ASSERT_EQ(jetCopyLogs(root.h(), logs), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    std::vector<std::string> deletable;
    EXPECT_EQ(jetTruncateLogInfo(root.h(), &deletable), JET_errSuccess);
    EXPECT_TRUE(deletable.empty()) << "bkinfoFullPrev.genHigh is 0: nothing may go";
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(eseLogGenerations(), before) << "nothing deleted";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetTruncateLogInstance, AFullBackupWithoutTheDatabaseKeepsWhatItsLastFullBackupNeeds) {  // §A.3: DeleteMac <= bkinfoFullPrev.genHigh of a database not read
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 2), S_OK);
    // a full backup recorded without truncating (TruncateDone): the logs stay, genHigh = H
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    std::vector<uint8_t> stream;
    ASSERT_EQ(jetCopy(root.h(), kEseDatabase, &stream), JET_errSuccess);
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    ASSERT_EQ(jetCopyLogs(root.h(), logs), JET_errSuccess);
    ASSERT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndNormal | JET_bitBackupTruncateDone), JET_errSuccess);
    uint32_t high = databaseBkinfo("ESE01", kBkinfoFullPrev).genHigh;
    ASSERT_EQ(high, logGenerationA(logs.back()));
    ASSERT_EQ(WbWriteServerA("ESE01", 4), S_OK);  // the checkpoint moves past H
    ASSERT_GT(eseCheckpointGeneration(), high);
    // a second full backup that does not read the database
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    ASSERT_EQ(jetCopyLogs(root.h(), logs), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    ASSERT_LT(before.front(), high);
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    std::vector<uint32_t> expected;
    for (uint32_t g : before)
        if (g >= high) expected.push_back(g);
    EXPECT_EQ(eseLogGenerations(), expected) << "deleted up to bkinfoFullPrev.genHigh " << high << ", not to the checkpoint";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

// --- JetEndExternalBackupInstance2 / JetEndExternalBackupInstance -------------------------------------------

TEST(JetEndExternalBackupInstance2, NeitherOrBothOfNormalAndAbortIsInvalidParameterAndTheBackupStaysOpen) {  // §A.2 End: exactly one -> else -1003, backup open
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    for (JET_GRBIT grbit : std::vector<JET_GRBIT>{0u, JET_bitBackupEndNormal | JET_bitBackupEndAbort, JET_bitBackupTruncateDone, kBitNoDbHeaderUpdate,
                            JET_bitBackupEndNormal | JET_bitBackupEndAbort | JET_bitBackupTruncateDone}) {
        EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), grbit), JET_errInvalidParameter) << "grbit 0x" << std::hex << grbit;
        EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "the backup stays open, grbit 0x" << std::hex << grbit;
    }
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errBackupInProgress);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetEndExternalBackupInstance2, WithoutABackupIsNoBackup) {  // §A.2 End: no backup -> -520
    OneEse root;
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndNormal), JET_errNoBackup);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errNoBackup);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errNoBackup);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), 0), JET_errInvalidParameter) << "the grbit is checked first";
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errNoBackup) << "ended already";
}

TEST(JetEndExternalBackupInstance2, AfterTheEndEveryCallIsNoBackup) {  // §A.2 state machine: End -> NotStarted
    LogsListed root;
    ASSERT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
    EXPECT_EQ(jetOpen(root.h(), root.logs.at(0)), JET_errNoBackup);
    AlignedBuffer buf(3 * kPage);
    uint32_t got = kSentinel;
    EXPECT_EQ(JetReadFileInstance(root.h(), 0, buf.p, 3 * kPage, &got), JET_errNoBackup);
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errNoBackup);
    std::vector<std::string> logs;
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errNoBackup);
    EXPECT_EQ(jetTruncateLogInfo(root.h(), &logs), JET_errNoBackup);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errNoBackup);
}

TEST(JetEndExternalBackupInstance2, ANormalEndAfterTruncationRecordsTheFullBackup) {  // §A.2 End: bkinfoFullPrev; contract: full + truncated
    OneEse root;
    ASSERT_EQ(incrementalBegins(root.h()), JET_errMissingFullBackup);
    JetBackupSet full;
    ASSERT_TRUE(jetBackup(root.h(), root.path() + "/full", &full));
    BkInfo prev = databaseBkinfo("ESE01", kBkinfoFullPrev);
    EXPECT_EQ(prev.genLow, full.genLow);
    EXPECT_EQ(prev.genHigh, full.genHigh);
    EXPECT_TRUE(databaseBkinfo("ESE01", kBkinfoCopyPrev).zero) << "not a copy backup";
    EXPECT_EQ(incrementalBegins(root.h()), JET_errSuccess);
}

TEST(JetEndExternalBackupInstance2, JetEndExternalBackupInstanceIsANormalEnd) {  // §A.2: JetEndExternalBackupInstance = Normal
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    ASSERT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
    EXPECT_FALSE(databaseBkinfo("ESE01", kBkinfoFullPrev).zero);
    EXPECT_EQ(incrementalBegins(root.h()), JET_errSuccess);
}

TEST(JetEndExternalBackupInstance2, TruncateDoneRecordsTheFullBackupWithoutTruncation) {  // §A.1 0x100; contract: full + TruncateDone -> bkinfoFullPrev
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    ASSERT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndNormal | JET_bitBackupTruncateDone), JET_errSuccess);
    std::vector<uint32_t> after = eseLogGenerations();
    for (uint32_t g : before) { EXPECT_TRUE(std::count(after.begin(), after.end(), g)) << "generation " << g << " was deleted"; }
    BkInfo prev = databaseBkinfo("ESE01", kBkinfoFullPrev);
    EXPECT_EQ(prev.genLow, logGenerationA(root.logs.front()));
    EXPECT_EQ(prev.genHigh, logGenerationA(root.logs.back()));
    EXPECT_EQ(incrementalBegins(root.h()), JET_errSuccess) << "an incremental may follow";
}

TEST(JetEndExternalBackupInstance2, WithoutTruncationAFullBackupIsRecordedAsACopy) {  // contract: full, not truncated -> bkinfoCopyPrev
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    ASSERT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndNormal), JET_errSuccess);
    EXPECT_TRUE(databaseBkinfo("ESE01", kBkinfoFullPrev).zero);
    BkInfo copy = databaseBkinfo("ESE01", kBkinfoCopyPrev);
    EXPECT_EQ(copy.genLow, logGenerationA(root.logs.front()));
    EXPECT_EQ(copy.genHigh, logGenerationA(root.logs.back()));
    EXPECT_EQ(incrementalBegins(root.h()), JET_errMissingFullBackup) << "a copy backup does not let an incremental follow";
}

TEST(JetEndExternalBackupInstance2, NoDbHeaderUpdateRecordsNothing) {  // §A.2 End: 0x200 -> no header update
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    ASSERT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndNormal | kBitNoDbHeaderUpdate), JET_errSuccess);
    for (size_t field : {kBkinfoFullPrev, kBkinfoIncPrev, kBkinfoCopyPrev, kBkinfoDiffPrev})
        EXPECT_TRUE(databaseBkinfo("ESE01", field).zero) << "header offset " << field;
    EXPECT_EQ(incrementalBegins(root.h()), JET_errMissingFullBackup);
}

TEST(JetEndExternalBackupInstance2, AnAbortRecordsNothing) {  // §A.2 End: Abort -> success, treated as an abort
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    ASSERT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
    EXPECT_TRUE(databaseBkinfo("ESE01", kBkinfoFullPrev).zero);
    EXPECT_TRUE(databaseBkinfo("ESE01", kBkinfoCopyPrev).zero);
    EXPECT_EQ(incrementalBegins(root.h()), JET_errMissingFullBackup);
}

TEST(JetEndExternalBackupInstance2, NormalInTheDatabasePhaseIsAnAbort) {  // §A.2 End: Normal before GetLogInfo -> logged as an abort
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<uint8_t> stream;
    ASSERT_EQ(jetCopy(root.h(), kEseDatabase, &stream), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndNormal | JET_bitBackupTruncateDone), JET_errSuccess);
    for (size_t field : {kBkinfoFullPrev, kBkinfoCopyPrev}) { EXPECT_TRUE(databaseBkinfo("ESE01", field).zero) << "offset " << field; }
    EXPECT_EQ(incrementalBegins(root.h()), JET_errMissingFullBackup);
}

TEST(JetEndExternalBackupInstance2, AFullBackupRecordsOnlyADatabaseReadCompletely) {  // §A.2 End: a full backup only updates databases read completely
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(root.h(), kEseDatabase), JET_errSuccess);
    AlignedBuffer buf(4 * kPage);
    uint32_t got = 0;
    ASSERT_EQ(JetReadFileInstance(root.h(), 0, buf.p, 4 * kPage, &got), JET_errSuccess);  // part of it
    ASSERT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    ASSERT_EQ(jetCopyLogs(root.h(), logs), JET_errSuccess);
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    ASSERT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
    EXPECT_TRUE(databaseBkinfo("ESE01", kBkinfoFullPrev).zero) << "the database was not read completely";
    EXPECT_EQ(incrementalBegins(root.h()), JET_errMissingFullBackup);
}

TEST(JetEndExternalBackupInstance2, AnIncrementalEndRecordsIncPrevWhenTruncatedAndDiffPrevWhenNot) {  // contract: incremental + truncated -> bkinfoIncPrev, else bkinfoDiffPrev
    OneEse root;
    JetBackupSet full, diff, inc;
    ASSERT_TRUE(jetBackup(root.h(), root.path() + "/full", &full));
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    ASSERT_TRUE(jetBackup(root.h(), root.path() + "/diff", &diff, /*incremental=*/true, /*truncate=*/false));
    BkInfo d = databaseBkinfo("ESE01", kBkinfoDiffPrev);
    EXPECT_EQ(d.genLow, diff.genLow);
    EXPECT_EQ(d.genHigh, diff.genHigh);
    EXPECT_TRUE(databaseBkinfo("ESE01", kBkinfoIncPrev).zero);
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    ASSERT_TRUE(jetBackup(root.h(), root.path() + "/inc", &inc, /*incremental=*/true, /*truncate=*/true));
    BkInfo i = databaseBkinfo("ESE01", kBkinfoIncPrev);
    EXPECT_EQ(i.genLow, inc.genLow);
    EXPECT_EQ(i.genHigh, inc.genHigh);
    EXPECT_EQ(inc.genLow, diff.genLow) << "the differential deleted nothing: the incremental starts where it did";
    BkInfo f = databaseBkinfo("ESE01", kBkinfoFullPrev);
    EXPECT_EQ(f.genHigh, full.genHigh) << "the full backup's record stays";
}

TEST(JetEndExternalBackupInstance2, ANormalEndRollsTheLog) {  // §A.2 End: "It then resets the context and rolls the log"
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    uint32_t newest = eseLogGenerations().back();
    ASSERT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(eseLogGenerations().back(), newest + 1);
}

TEST(JetEndExternalBackupInstance2, SucceedsAfterJetStopBackupAndRecordsNothing) {  // §A.2 End: success even when the server stopped it
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndNormal), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndNormal), JET_errNoBackup);
    EXPECT_TRUE(databaseBkinfo("ESE01", kBkinfoFullPrev).zero) << "a stopped backup is an abort";
    EXPECT_EQ(incrementalBegins(root.h()), JET_errMissingFullBackup);
}

// --- JetStopBackupInstance ----------------------------------------------------------------------------------

TEST(JetStopBackupInstance, EveryLaterCallIsBackupAbortByServerUntilTheEnd) {  // §A.2: m_fStopBackup -> -801 until End
    LogsListed root;
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    AlignedBuffer buf(3 * kPage);
    for (int round = 0; round < 2; ++round) {  // it stays -801: these failures abort nothing
        uint32_t got = kSentinel;
        EXPECT_EQ(jetOpen(root.h(), root.logs.at(0)), JET_errBackupAbortByServer);
        EXPECT_EQ(JetReadFileInstance(root.h(), 0, buf.p, 3 * kPage, &got), JET_errBackupAbortByServer);
        EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errBackupAbortByServer);
    }
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "a new backup is not stopped";
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetStopBackupInstance, AListCallAfterTheStopIsBackupAbortByServerAndEndStillEndsIt) {  // §A.2: -801 is an entry check of the list calls, not an abort
    for (int call = 0; call < 3; ++call) {
        LogsListed root;
        ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
        std::vector<std::string> names;
        JET_ERR err = call == 0 ? jetProbe(root.h()) : call == 1 ? jetLogInfo(root.h(), &names) : jetTruncateLogInfo(root.h(), &names);
        EXPECT_EQ(err, JET_errBackupAbortByServer) << "list call " << call;
        EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errBackupAbortByServer) << "list call " << call << " left the backup stopped";
        EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess) << "list call " << call;
        EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "the server is free";
        EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
    }
}

TEST(JetStopBackupInstance, WithoutABackupSucceedsAndDoesNotStopTheNextOne) {  // contract: an initialized instance -> S_OK
    OneEse root;
    EXPECT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    JetBackupSet set;
    EXPECT_TRUE(jetBackup(root.h(), root.path() + "/set", &set));
}

TEST(JetStopBackupInstance, BeforeJetInitIsInvalidParameter) {  // contract: not an initialized instance -> -1003
    OneEse root;
    JetInst idle("idle", false);
    ASSERT_EQ(idle.created, JET_errSuccess);
    EXPECT_EQ(JetStopBackupInstance(idle), JET_errInvalidParameter);
}

TEST(JetStopBackupInstance, FromAnotherThreadStopsTheRunningBackup) {  // API-FACTS.md §5.4: abort from another thread
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(root.h(), kEseDatabase), JET_errSuccess);
    JET_ERR stopped = kJetSentinelErr;
    std::thread t([&] { stopped = JetStopBackupInstance(root.h()); });
    t.join();
    EXPECT_EQ(stopped, JET_errSuccess);
    AlignedBuffer buf(3 * kPage);
    uint32_t got = kSentinel;
    EXPECT_EQ(JetReadFileInstance(root.h(), 0, buf.p, 3 * kPage, &got), JET_errBackupAbortByServer);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetStopBackupInstance, TheServerStoppingStopsTheBackupToo) {  // contract: the server stopping -> -801 until End
    LogsListed root;
    ASSERT_EQ(WbStopServerA("ESE01"), S_OK);
    EXPECT_EQ(jetOpen(root.h(), root.logs.at(0)), JET_errBackupAbortByServer);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errBackupAbortByServer);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errNoBackup);
    ASSERT_EQ(WbStartServerA("ESE01"), S_OK);
    JetBackupSet set;
    EXPECT_TRUE(jetBackup(root.h(), root.path() + "/set", &set)) << "the instance backs up the restarted server";
}

// --- added by the §A audit (JET-RULES.md) ------------------------------------------------------------------

TEST(JetTruncateLogInstance, AnOpenFileIsCheckedBeforeTheCopyCheck) {  // §A.2 TruncateLog order: a file open -> -521 before -616
    LogsListed root;
    ASSERT_EQ(jetOpen(root.h(), root.logs.at(0)), JET_errSuccess);  // no log copied yet: -616 would apply too
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errInvalidBackupSequence);
    ASSERT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errLogFileNotCopied);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetTruncateLogInstance, TheDeleteRangeIsFixedWhenTheLogListIsTaken) {  // §A.3: DeleteMac = min(checkpoint at GetLogInfo time, CopyMac)
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    ASSERT_EQ(WbWriteServerA("ESE01", 4), S_OK);  // the checkpoint moves on after the list
    ASSERT_GT(eseCheckpointGeneration(), root.checkpointAtList);
    std::vector<uint32_t> before = eseLogGenerations();
    ASSERT_LT(before.front(), root.checkpointAtList) << "nothing to delete";
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    std::vector<uint32_t> expected;
    for (uint32_t g : before)
        if (g >= root.checkpointAtList) expected.push_back(g);
    EXPECT_EQ(eseLogGenerations(), expected) << "deleted below the checkpoint at the list (" << root.checkpointAtList
                                             << "), not below the later one";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetTruncateLogInstance, ADeleteFailureStopsTheTruncationAtThatLog) {  // §A.3: the deleter goes in increasing order and stops at the first error other than a missing file
    LogsListed root;
    ASSERT_EQ(jetCopyLogs(root.h(), root.logs), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    std::vector<uint32_t> deletable;
    for (uint32_t g : before)
        if (g < root.checkpointAtList) deletable.push_back(g);
    ASSERT_GE(deletable.size(), 3u) << "the test needs three logs to delete";
    // the oldest missing (skipped), the third undeletable: a directory in its place
    uint32_t missing = deletable[0], stuck = deletable[2];
    removeFile(eseLogFile("ESE01", missing));
    std::string stuckPath = eseLogFile("ESE01", stuck);
    removeFile(stuckPath);
    makeDirs(stuckPath + "/keep");
    JET_ERR err = JetTruncateLogInstance(root.h());
    EXPECT_LT(err, 0) << "the deleter's error is returned";
    RecordProperty("err", err);
    EXPECT_FALSE(onDisk(deletable[1])) << "the log before it was deleted (after the missing one)";
    EXPECT_TRUE(fileExists(stuckPath + "/keep")) << "the undeletable one stays";
    for (uint32_t g : before)
        if (g > stuck) { EXPECT_TRUE(fileExists(eseLogFile("ESE01", g))) << "generation " << g << " after the failure was deleted"; }
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "a failed deletion does not abort the backup (err " << err << ")";
    EXPECT_EQ(rmdir((stuckPath + "/keep").c_str()), 0);
    EXPECT_EQ(rmdir(stuckPath.c_str()), 0);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}
