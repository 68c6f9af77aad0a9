// ESE-BEHAVIOUR.md §A.1: the constants of jethdr.w, in esent.h and as the library returns them.
// The values are spelled as numbers here on purpose: a header that drifted would still agree
// with itself.
#include "helpers.h"

using namespace wbtest;

TEST(JetConstants, ErrorCodesInTheHeaderAreJethdrValues) {  // §A.1 table, error half
    static_assert(JET_errBackupInProgress == -505, "");
    static_assert(JET_errLoggingDisabled == -516, "");
    static_assert(JET_errNoBackup == -520, "");
    static_assert(JET_errInvalidBackupSequence == -521, "");
    static_assert(JET_errBackupNotAllowedYet == -523, "");
    static_assert(JET_errInvalidBackup == -526, "");
    static_assert(JET_errMissingFullBackup == -560, "");
    static_assert(JET_errMissingFileToBackup == -569, "");
    static_assert(JET_errLogReadVerifyFailure == -612, "");
    static_assert(JET_errLogFileNotCopied == -616, "");
    static_assert(JET_errSurrogateBackupInProgress == -617, "");
    static_assert(JET_errBackupAbortByServer == -801, "");
    static_assert(JET_errInvalidGrbit == -900, "");
    static_assert(JET_errInvalidParameter == -1003, "");
    static_assert(JET_errOutOfMemory == -1011, "");
    static_assert(JET_errReadVerifyFailure == -1018, "");
    static_assert(JET_errReadPgnoVerifyFailure == -1118, "");
    static_assert(JET_errDatabaseNotFound == -1203, "");
    static_assert(JET_errFileNotFound == -1811, "");
    // and the ones the contract adds
    static_assert(JET_errBackupDirectoryNotEmpty == -504, "");
    static_assert(JET_errRunningInOneInstanceMode == -1080, "");
    static_assert(JET_errRunningInMultiInstanceMode == -1081, "");
    static_assert(JET_errNotInitialized == -1029, "");
    static_assert(JET_errAlreadyInitialized == -1030, "");
    static_assert(JET_errInstanceNameInUse == -1086, "");
    static_assert(JET_errInstanceUnavailable == -1090, "");
    static_assert(JET_errDatabaseInUse == -1202, "");
    static_assert(JET_errInvalidPath == -1023, "");
    static_assert(sizeof(JET_ERR) == 4, "JET_ERR is a 32-bit long on Windows");
    SUCCEED();
}

TEST(JetConstants, GrbitsInTheHeaderAreJethdrValues) {  // §A.1 table, grbit half
    static_assert(JET_bitBackupIncremental == 0x1, "");
    static_assert(JET_bitBackupAtomic == 0x4, "");
    static_assert(JET_bitBackupSnapshot == 0x10, "");
    static_assert(JET_bitBackupEndNormal == 0x1, "");
    static_assert(JET_bitBackupEndAbort == 0x2, "");
    static_assert(JET_bitBackupTruncateDone == 0x100, "");
    static_assert(JET_bitTermStopBackup == 0x4, "");
    static_assert(sizeof(JET_GRBIT) == 4, "");
    // Not in the public header (jethdr.w keeps them out of PubEsent); the tests name them.
    static_assert(kBitSurrogate == 0x20 && kBitInternalCopy == 0x40 && kBitNoDbHeaderUpdate == 0x200, "");
    SUCCEED();
}

TEST(JetConstants, StructsHaveWindowsSizes) {  // API-FACTS.md §5.1: JET_LOGINFO_A 16, _W 20; JET_SNPROG 12
    static_assert(sizeof(JET_LOGINFO_A) == 16, "");
    static_assert(sizeof(JET_LOGINFO_W) == 20, "");
    static_assert(sizeof(JET_SNPROG) == 12, "");
    static_assert(JET_instanceNil == ~static_cast<JET_INSTANCE>(0), "");
    static_assert(JET_snpRestore == 8 && JET_snpBackup == 9, "");
    static_assert(JET_sntBegin == 5 && JET_sntProgress == 0 && JET_sntComplete == 6 && JET_sntFail == 3, "");
    SUCCEED();
}

// The values the library returns are jethdr.w's: one backup that provokes the cheap ones, compared
// with numbers, not with esent.h's names.
TEST(JetConstants, TheLibraryReturnsJethdrValues) {  // §A.1: -520 -521 -526 -560 -505 -900 -1003 -1011 -1203 -616 -801
    OneEse root;
    root.create("ESE02", kEseCircular);
    JetInst circular("ESE02");
    ASSERT_TRUE(circular.ok());
    JET_INSTANCE inst = root.h();
    uint32_t cb = 0;
    EXPECT_EQ(JetGetAttachInfoInstanceA(inst, nullptr, 0, &cb), -520);
    EXPECT_EQ(JetBeginExternalBackupInstance(inst, JET_bitBackupIncremental), -560);
    EXPECT_EQ(JetBeginExternalBackupInstance(circular, JET_bitBackupIncremental), -526);
    EXPECT_EQ(JetBeginExternalBackupInstance(inst, JET_bitBackupAtomic), -900);
    ASSERT_EQ(JetBeginExternalBackupInstance(inst, 0), 0);
    EXPECT_EQ(JetBeginExternalBackupInstance(inst, 0), -505);
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = 0, hi = 0;
    EXPECT_EQ(JetOpenFileInstanceA(inst, "", &hf, &lo, &hi), -1003);
    EXPECT_EQ(JetOpenFileInstanceA(inst, "C:\\ESE\\edb.chk", &hf, &lo, &hi), -1203) << "not a database, in the database phase";
    ASSERT_EQ(JetOpenFileInstanceA(inst, kEseDatabase, &hf, &lo, &hi), 0);
    EXPECT_EQ(JetOpenFileInstanceA(inst, kEseDatabase, &hf, &lo, &hi), -1011);
    std::vector<std::string> logs;
    EXPECT_EQ(jetLogInfo(inst, &logs), -521) << "a file is open";
    EXPECT_EQ(JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort), 0) << "a refused log list leaves the backup running";

    ASSERT_EQ(JetBeginExternalBackupInstance(inst, 0), 0);
    ASSERT_EQ(jetLogInfo(inst, &logs), 0);
    EXPECT_EQ(JetTruncateLogInstance(inst), -616);
    EXPECT_EQ(JetStopBackupInstance(inst), 0);
    EXPECT_EQ(JetTruncateLogInstance(inst), -801);
    EXPECT_EQ(JetEndExternalBackupInstance(inst), 0);
}

// The two page-check errors of the §A.1 table the library never returns (uninitialised pages are
// accepted; there is no flush map) must still be in esent.h with jethdr.w's values.
TEST(JetConstants, ThePageCheckErrorsOfTheTableAreInTheHeaderToo) {  // §A.1: JET_errPageNotInitialized -1019, JET_errReadLostFlushVerifyFailure -1119
#ifdef JET_errPageNotInitialized
    static_assert(JET_errPageNotInitialized == -1019, "");
#else
    ADD_FAILURE() << "esent.h does not define JET_errPageNotInitialized (-1019)";
#endif
#ifdef JET_errReadLostFlushVerifyFailure
    static_assert(JET_errReadLostFlushVerifyFailure == -1119, "");
#else
    ADD_FAILURE() << "esent.h does not define JET_errReadLostFlushVerifyFailure (-1119)";
#endif
}
