// Starting a DC after a restore: hard recovery, its refusals and the start once the problem is
// fixed (docs/CONTRACT-NTDSBCLI.md "Starting the DC (WbStartServerA) after a restore: hard
// recovery": refusals leave the DC offline and every file as it was).
#include "helpers.h"

using namespace wbtest;

namespace {

// A backup set of a third DC, "DC03", made exactly as SourceAndTarget makes DC01's: the same
// generations, another log stream and database signature.
::testing::AssertionResult otherServersSet(SourceAndTarget &root, BackupSet *other) {
    root.create("DC03");
    ::testing::AssertionResult made = makeBackupSet("DC03", root.path() + "/set3", other, [] {
        EXPECT_EQ(WbWriteServerA("DC03", 3), S_OK);
    });
    if (!made) return made;
    if (other->genLow != root.set.genLow || other->genHigh != root.set.genHigh)
        return ::testing::AssertionFailure() << "DC03's set spans " << other->genLow << "-" << other->genHigh << ", DC01's "
                                             << root.set.genLow << "-" << root.set.genHigh;
    return ::testing::AssertionSuccess();
}

bool segmentWritten(const std::vector<uint8_t> &log, size_t from, size_t to) {
    for (size_t i = from; i < to && i < log.size(); ++i)
        if (log[i] != 0) return true;
    return false;
}

}  // namespace

TEST(RestoreRecovery, AppliesACompletedRestoreAtTheNextStart) {  // contract: S_OK, digest of genHigh, the registration is gone
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    std::string before = contentDigest("DC02");
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    EXPECT_FALSE(isOnline("DC02")) << "nothing is applied before the start";
    expectRestored("DC02", root.set);
    EXPECT_NE(contentDigest("DC02"), before);
    // the registration is gone: the next stop and start are ordinary ones
    ASSERT_EQ(WbStopServerA("DC02"), S_OK);
    ASSERT_EQ(WbStartServerA("DC02"), S_OK);
    EXPECT_EQ(contentDigest("DC02"), logDigest(root.set.lastLog()));
}

TEST(RestoreRecovery, AMissingLogGenerationIsMissingLogFile) {  // contract: a generation missing -> hrMissingLogFile
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    for (uint32_t g : {root.set.genHigh, root.set.genLow}) {
        std::string missing = restoredLog(root.set, "DC02", g);
        removeFile(missing);
        expectStartRefused("DC02", hrMissingLogFile);
        copyFile(root.set.logFile(g), missing);  // fixed
    }
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, ALogOfAnotherServerIsBadLogSignature) {  // contract: a log of another server's log stream -> hrBadLogSignature
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    BackupSet other;
    ASSERT_TRUE(otherServersSet(root, &other));
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    // the first generation: no log before it it could fail to follow
    std::string first = restoredLog(root.set, "DC02", root.set.genLow);
    copyFile(other.logFile(root.set.genLow), first);
    expectStartRefused("DC02", hrBadLogSignature);
    copyFile(root.set.logFile(root.set.genLow), first);
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, ALogWithTheHeaderOfAnotherGenerationIsNotContiguous) {  // contract: header of another generation -> hrGivenLogFileIsNotContiguous
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    std::string second = restoredLog(root.set, "DC02", root.set.genLow + 1);
    copyFile(root.set.logFile(root.set.genLow), second);  // genLow's file under genLow + 1's name
    expectStartRefused("DC02", hrGivenLogFileIsNotContiguous);
    copyFile(root.set.logFile(root.set.genLow + 1), second);
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, ADamagedLogSegmentIsLogFileCorrupt) {  // contract: a log that fails its checksums -> hrLogFileCorrupt
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    uint32_t g = root.set.genLow;
    ASSERT_TRUE(segmentWritten(readFile(root.set.logFile(g)), 4096, 8192)) << "the first segment of generation " << g << " is empty";
    std::string damaged = restoredLog(root.set, "DC02", g);
    flipByte(damaged, 4096 + 100);
    expectStartRefused("DC02", hrLogFileCorrupt);
    copyFile(root.set.logFile(g), damaged);
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, ALogCutShortIsLogFileCorrupt) {  // contract: a log that does not end -> hrLogFileCorrupt
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    std::string cut = restoredLog(root.set, "DC02", root.set.genHigh);
    off_t size = fileSize(cut);
    ASSERT_GT(size, 8192);
    truncateFile(cut, size / 2);  // a copy of the last log cut short
    expectStartRefused("DC02", hrLogFileCorrupt);
    copyFile(root.set.lastLog(), cut);
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, ADamagedDatabasePageIsReadVerifyFailure) {  // contract: a page that fails its checksum -> hrReadVerifyFailure
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    std::string dit = TestRoot::ntdsDit("DC02");
    std::vector<uint8_t> copy = readFile(dit);
    size_t pgno = dataPageOf(copy, copy.size() / kPage / 2);
    ASSERT_NE(pgno, 0u) << "no data page to damage";
    flipByte(dit, (pgno + 1) * kPage + kPage / 2);  // after the copy: a byte in the middle of the page
    expectStartRefused("DC02", hrReadVerifyFailure);
    copyDatabase(root.set, "DC02");
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, ADatabaseOfAnotherServersBackupIsBadDbSignature) {  // contract: a copy that does not belong to the logs -> hrBadDbSignature
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    BackupSet other;
    ASSERT_TRUE(otherServersSet(root, &other));  // the same generations: the range codes do not apply
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    copyFile(other.databaseFile(), TestRoot::ntdsDit("DC02"));  // DC03's copy with DC01's logs
    expectStartRefused("DC02", hrBadDbSignature);
    copyDatabase(root.set, "DC02");
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, AStartAboveTheCopysFirstLogIsRestoreLogTooHigh) {  // contract: genLow above bkinfoFullCur.genLow -> hrRestoreLogTooHigh
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    EXPECT_EQ(fullCurGenLow(readFile(root.set.databaseFile()).data()), root.set.genLow);
    RestoreSteps high;
    high.genLow = root.set.genLow + 1;
    ASSERT_TRUE(restoreSet(root.set, "DC02", high));
    expectStartRefused("DC02", hrRestoreLogTooHigh);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));  // fixed: a new registration with the set's range
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, AnEndBelowTheCopysLastLogIsRestoreLogTooLow) {  // contract: genHigh below the trailer's genHigh -> hrRestoreLogTooLow
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    RestoreSteps low;
    low.genHigh = root.set.genHigh - 1;  // >= genLow: SourceAndTarget's set spans two generations or more
    ASSERT_TRUE(restoreSet(root.set, "DC02", low));
    expectStartRefused("DC02", hrRestoreLogTooLow);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, ADatabaseNotCopiedIsRestoreOfNonBackupDatabase) {  // contract: not a backup copy -> JET_errRestoreOfNonBackupDatabase
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    RestoreSteps noDatabase;
    noDatabase.database = false;  // the location keeps DC02's own database
    ASSERT_TRUE(restoreSet(root.set, "DC02", noDatabase));
    expectStartRefused("DC02", kHrRestoreOfNonBackupDatabase);
    copyDatabase(root.set, "DC02");
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, ADatabaseCutShortIsDatabaseCorrupted) {  // contract: no valid trailer page -> hrDatabaseCorrupted
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    std::string dit = TestRoot::ntdsDit("DC02");
    off_t size = fileSize(dit);
    ASSERT_EQ(size, fileSize(root.set.databaseFile()));
    truncateFile(dit, size - kPage);  // the trailer page is missing
    expectStartRefused("DC02", hrDatabaseCorrupted);
    copyDatabase(root.set, "DC02");
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, AMissingDatabaseIsFileNotFound) {  // contract: a database location holds no file -> hrFileNotFound
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    removeFile(TestRoot::ntdsDit("DC02"));
    expectStartRefused("DC02", hrFileNotFound);
    copyDatabase(root.set, "DC02");
    expectRestored("DC02", root.set);
}

TEST(RestoreRecovery, ABackupCopyWithoutARegistrationIsSoftRecoveryOnBackupDatabase) {  // contract: -> JET_errSoftRecoveryOnBackupDatabase
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    copyDatabase(root.set, "DC02");  // copied, never registered
    copyLogs(root.set, "DC02");
    expectStartRefused("DC02", kHrSoftRecoveryOnBackupDatabase);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));  // fixed: the walkthrough, registration first
    expectRestored("DC02", root.set);
}
