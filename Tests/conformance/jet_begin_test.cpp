// JetBeginExternalBackupInstance: ESE-BEHAVIOUR.md §A.2 "Begin" (ErrBKBeginExternalBackup), its
// checks and their order; docs/CONTRACT-ESENT.md "JetBeginExternalBackupInstance".
#include "helpers.h"

#include <unistd.h>

using namespace wbtest;

TEST(JetBeginExternalBackupInstance, GrbitOutsideIncrementalSurrogateInternalCopyIsInvalidGrbit) {  // §A.2 Begin: -900
    OneEse root;
    for (JET_GRBIT grbit : {0x2u, 0x8u, 0x80u, 0x100u, 0x200u, 0x10000u, 0x80000000u, 0xFFFFFFFFu, 0x3u, 0x21u | 0x8u}) {
        EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), grbit), JET_errInvalidGrbit) << "grbit 0x" << std::hex << grbit;
        EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup) << "a refused Begin started a backup, grbit 0x" << std::hex << grbit;
    }
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, AtomicAndSnapshotAreInvalidGrbit) {  // §A.2 Begin: "This includes Atomic (0x4) and Snapshot (0x10)"
    OneEse root;
    for (JET_GRBIT grbit : {JET_bitBackupAtomic, JET_bitBackupSnapshot, JET_bitBackupAtomic | JET_bitBackupIncremental,
                            JET_bitBackupSnapshot | JET_bitBackupIncremental}) {
        EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), grbit), JET_errInvalidGrbit) << "grbit 0x" << std::hex << grbit;
        EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
    }
}

TEST(JetBeginExternalBackupInstance, InternalCopyBeginsAFullBackup) {  // §A.2 Begin: 0x40 is an accepted bit
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), kBitInternalCopy), JET_errSuccess);
    std::vector<std::string> dbs;
    EXPECT_EQ(jetAttachInfo(root.h(), &dbs), JET_errSuccess) << "a full backup has a database phase";
    EXPECT_EQ(dbs.size(), 1u);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, InternalCopyWithIncrementalOrSurrogateIsInvalidGrbit) {  // §A.2 Begin: "Internal copy combined with incremental or surrogate -> -900"
    OneEse root;
    JetBackupSet full;
    ASSERT_TRUE(jetBackup(root.h(), root.path() + "/full", &full));  // so that an incremental could begin
    for (JET_GRBIT grbit : {kBitInternalCopy | JET_bitBackupIncremental, kBitInternalCopy | kBitSurrogate}) {
        EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), grbit), JET_errInvalidGrbit) << "grbit 0x" << std::hex << grbit;
        if (jetProbe(root.h()) != JET_errNoBackup) JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort);
    }
}

TEST(JetBeginExternalBackupInstance, IncrementalWithCircularLoggingIsInvalidBackup) {  // §A.2 Begin: -526
    OneEse root(kEseCircular);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental), JET_errInvalidBackup);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
    // a full backup is allowed with circular logging
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, InvalidGrbitIsCheckedBeforeCircularLogging) {  // §A.2 Begin order: -900 before -526
    OneEse root(kEseCircular);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental | JET_bitBackupAtomic), JET_errInvalidGrbit);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental | 0x8), JET_errInvalidGrbit);
}

TEST(JetBeginExternalBackupInstance, CircularLoggingIsCheckedBeforeBackupInProgress) {  // §A.2 Begin order: -526 before -505
    OneEse root(kEseCircular);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental), JET_errInvalidBackup);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupAtomic), JET_errInvalidGrbit) << "-900 before -505 too";
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errBackupInProgress);
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "the running backup is untouched";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, ASecondBeginIsBackupInProgress) {  // §A.2 Begin: a backup already running -> -505
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errBackupInProgress);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), kBitInternalCopy), JET_errBackupInProgress);
    // the first backup goes on, whole
    std::vector<std::string> dbs, logs;
    ASSERT_EQ(jetAttachInfo(root.h(), &dbs), JET_errSuccess);
    std::vector<uint8_t> stream;
    EXPECT_EQ(jetCopy(root.h(), dbs.at(0), &stream), JET_errSuccess);
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    EXPECT_EQ(jetCopyLogs(root.h(), logs), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "free again once ended";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, BackupInProgressIsCheckedBeforeMissingFullBackup) {  // §A.2 Begin order: -505 before -560
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental), JET_errBackupInProgress);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, ABackupOfTheServerByAnotherInstanceIsBackupInProgress) {  // contract: a backup of the server running -> -505
    OneEse root;
    JetInst other("other", false);  // bound to ESE01 by its log folder
    ASSERT_EQ(other.created, JET_errSuccess);
    std::string logs = eseLogDir();
    ASSERT_EQ(JetSetSystemParameterA(&other.h, 0, JET_paramLogFilePath, 0, logs.c_str()), JET_errSuccess);
    ASSERT_EQ(other.init(), JET_errSuccess);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(other, 0), JET_errBackupInProgress);
    EXPECT_EQ(jetProbe(other), JET_errNoBackup) << "the other instance has no backup";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(other, 0), JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errBackupInProgress);
    EXPECT_EQ(JetEndExternalBackupInstance2(other, JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, ABackupByAnotherProcessOrAnotherApiIsBackupInProgress) {  // contract: any process, any API -> -505
    TestRoot root;
    root.create("DC01", kSmallNtds);
    JetInst inst("DC01");
    ASSERT_TRUE(inst.ok());
    ASSERT_EQ(JetBeginExternalBackupInstance(inst, 0), JET_errSuccess);
    {
        Backup ds(u"DC01");
        EXPECT_EQ(ds.hr, hrBackupInProgress) << "DsBackupPrepareW while a Jet backup runs";
    }
    std::string logs = TestRoot::logDir("DC01");
    inChild([&] {  // another process, its own instance on the same server
        JetInst child("child", false);
        ASSERT_EQ(child.created, JET_errSuccess);
        ASSERT_EQ(JetSetSystemParameterA(&child.h, 0, JET_paramLogFilePath, 0, logs.c_str()), JET_errSuccess);
        ASSERT_EQ(child.init(), JET_errSuccess);
        EXPECT_EQ(JetBeginExternalBackupInstance(child, 0), JET_errBackupInProgress);
    });
    EXPECT_EQ(JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort), JET_errSuccess);
    {
        Backup ds(u"DC01");
        ASSERT_TRUE(ds.ok());
        EXPECT_EQ(JetBeginExternalBackupInstance(inst, 0), JET_errBackupInProgress) << "a Ds backup runs";
    }
    EXPECT_EQ(JetBeginExternalBackupInstance(inst, 0), JET_errSuccess) << "the Ds backup ended";
    EXPECT_EQ(JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, IncrementalWithoutAFullBackupIsMissingFullBackup) {  // §A.2 Begin: bkinfoFullPrev.genLow == 0 -> -560
    OneEse root;
    ASSERT_TRUE(databaseBkinfo("ESE01", kBkinfoFullPrev).zero) << "a new server has no full backup recorded";
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental), JET_errMissingFullBackup);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup) << "no backup was started";
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "the server is not held";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, IncrementalAfterAFullBackupBeginsInTheLogPhase) {  // §A.2 state machine: Begin(incremental) -> LogsAndPatches
    OneEse root;
    JetBackupSet full;
    ASSERT_TRUE(jetBackup(root.h(), root.path() + "/full", &full));
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental), JET_errSuccess);
    EXPECT_EQ(jetProbe(root.h()), JET_errInvalidBackupSequence) << "GetAttachInfo in an incremental backup";
    EXPECT_EQ(jetProbe(root.h()), JET_errInvalidBackupSequence) << "a refusal at the entry leaves the backup running";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, TheCopyRangeStartsAtTheCheckpointOfTheBegin) {  // §A.2 Begin: m_lgenCopyMic = checkpoint generation at Begin
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    uint32_t checkpoint = eseCheckpointGeneration();
    ASSERT_GT(checkpoint, 1u);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(WbWriteServerA("ESE01", 5), S_OK);  // the checkpoint moves on meanwhile
    ASSERT_GT(eseCheckpointGeneration(), checkpoint) << "the writer did not move the checkpoint";
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    ASSERT_FALSE(logs.empty());
    EXPECT_EQ(logGenerationA(logs.front()), checkpoint);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, BeforeJetInitIsNotInitialized) {  // contract: not initialized -> -1029
    OneEse root;
    JetInst idle("idle", false);
    ASSERT_EQ(idle.created, JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(idle, 0), JET_errNotInitialized);
    EXPECT_EQ(JetBeginExternalBackupInstance(idle, JET_bitBackupIncremental), JET_errNotInitialized);
}

TEST(JetBeginExternalBackupInstance, SurrogateWithCircularLoggingIsInvalidBackup) {  // §A.2 Begin: "Incremental (or surrogate) while circular logging is on -> -526"
    OneEse root(kEseCircular);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), kBitSurrogate), JET_errInvalidBackup) << "surrogate alone";
    if (jetProbe(root.h()) != JET_errNoBackup) JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort);
    // backup.cxx checks surrogate + circular before the internal-copy combinations
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), kBitSurrogate | kBitInternalCopy), JET_errInvalidBackup)
        << "surrogate + internal copy: -526 comes before -900";
    if (jetProbe(root.h()) != JET_errNoBackup) JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "a full backup is allowed";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, CircularLoggingIsCheckedBeforeTheInternalCopyCombinations) {  // §A.2 Begin order: -526 before "internal copy + incremental -> -900"
    OneEse root(kEseCircular);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), kBitInternalCopy | JET_bitBackupIncremental), JET_errInvalidBackup);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
}

TEST(JetBeginExternalBackupInstance, InternalCopyCombinationsAreCheckedBeforeBackupInProgressAndMissingFullBackup) {  // §A.2 Begin order: -900 before -505 and -560
    OneEse root;
    ASSERT_TRUE(databaseBkinfo("ESE01", kBkinfoFullPrev).zero) << "no full backup: an incremental would be -560";
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), kBitInternalCopy | JET_bitBackupIncremental), JET_errInvalidGrbit);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), kBitInternalCopy | JET_bitBackupIncremental), JET_errInvalidGrbit);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), kBitInternalCopy | kBitSurrogate), JET_errInvalidGrbit);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental), JET_errBackupInProgress) << "-505 before -560";
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "the running backup is untouched";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetBeginExternalBackupInstance, AFullBeginStartsInTheDatabasePhase) {  // §A.2 state machine: NotStarted --Begin(full)--> Databases
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 2), S_OK);
    std::vector<uint32_t> before = eseLogGenerations();
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(eseLogGenerations(), before) << "Begin does not roll the log (GetLogInfo does)";
    std::vector<std::string> dbs;
    EXPECT_EQ(jetAttachInfo(root.h(), &dbs), JET_errSuccess);
    EXPECT_EQ(jetOpen(root.h(), "C:\\ESE\\edb.chk"), JET_errDatabaseNotFound) << "only databases open in the database phase";
    std::vector<uint8_t> stream;
    EXPECT_EQ(jetCopy(root.h(), kEseDatabase, &stream), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}
