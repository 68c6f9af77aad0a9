// JetGetAttachInfoInstance and JetOpenFileInstance: ESE-BEHAVIOUR.md §A.2 "GetAttachInfo" and
// "OpenFile"; docs/CONTRACT-ESENT.md.
#include "helpers.h"

#include <cstdio>
#include <cstring>

using namespace wbtest;

namespace {

// A full backup of ESE01 past its log list (the database copied), after some activity.
struct InLogPhase : OneEse {
    std::vector<std::string> logs;
    InLogPhase() {
        EXPECT_EQ(WbWriteServerA("ESE01", 3), S_OK);
        EXPECT_EQ(JetBeginExternalBackupInstance(h(), 0), JET_errSuccess);
        std::vector<std::string> dbs;
        std::vector<uint8_t> stream;
        EXPECT_EQ(jetAttachInfo(h(), &dbs), JET_errSuccess);
        EXPECT_EQ(jetCopy(h(), dbs.at(0), &stream), JET_errSuccess);
        EXPECT_EQ(jetLogInfo(h(), &logs), JET_errSuccess);
        EXPECT_FALSE(logs.empty());
    }
};

// An incremental backup of ESE01 just begun (a full one recorded before).
struct InIncremental : OneEse {
    bool ok = false;
    InIncremental() {
        JetBackupSet full;
        EXPECT_TRUE(jetBackup(h(), path() + "/full", &full));
        EXPECT_EQ(WbWriteServerA("ESE01", 2), S_OK);
        ok = JetBeginExternalBackupInstance(h(), JET_bitBackupIncremental) == JET_errSuccess;
        EXPECT_TRUE(ok);
    }
};

// A new file with these bytes (replaced if it exists).
void writeNew(const std::string &path, const std::vector<uint8_t> &bytes) {
    FILE *f = fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path;
    EXPECT_EQ(fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
    fclose(f);
}

// JetOpenFileInstanceA with sentinel outputs, which must stay untouched on failure.
JET_ERR openA(JET_INSTANCE inst, const char *name) {
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = kSentinel, hi = kSentinel;
    JET_ERR err = JetOpenFileInstanceA(inst, name, &hf, &lo, &hi);
    if (err != JET_errSuccess) {
        EXPECT_TRUE(hf == kSentinelHandle && lo == kSentinel && hi == kSentinel) << "a failed open set its outputs";
    } else {
        EXPECT_EQ(hf, 0u);
    }
    return err;
}

}  // namespace

// --- JetGetAttachInfoInstance ---------------------------------------------------------------------

TEST(JetGetAttachInfoInstance, WithoutABackupIsNoBackup) {  // §A.2 GetAttachInfo: no local backup -> -520
    OneEse root;
    char buf[256];
    memset(buf, 0x55, sizeof buf);
    uint32_t cb = kSentinel;
    EXPECT_EQ(JetGetAttachInfoInstanceA(root.h(), buf, sizeof buf, &cb), JET_errNoBackup);
    EXPECT_EQ(cb, kSentinel);
    EXPECT_EQ(static_cast<uint8_t>(buf[0]), 0x55);
    WCHAR wbuf[64];
    EXPECT_EQ(JetGetAttachInfoInstanceW(root.h(), wbuf, sizeof wbuf, &cb), JET_errNoBackup);
    EXPECT_EQ(cb, kSentinel);
}

TEST(JetGetAttachInfoInstance, AfterJetStopBackupIsBackupAbortByServer) {  // §A.2 GetAttachInfo: backup stopped -> -801 (an entry check: no abort)
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    uint32_t cb = kSentinel;
    char buf[256];
    EXPECT_EQ(JetGetAttachInfoInstanceA(root.h(), buf, sizeof buf, &cb), JET_errBackupAbortByServer);
    EXPECT_EQ(cb, kSentinel);
    EXPECT_EQ(JetGetAttachInfoInstanceA(root.h(), buf, sizeof buf, &cb), JET_errBackupAbortByServer) << "still stopped, not aborted";
    EXPECT_EQ(cb, kSentinel);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess) << "End ends a stopped backup";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errNoBackup);
}

TEST(JetGetAttachInfoInstance, InAnIncrementalBackupIsInvalidBackupSequenceAndTheBackupGoesOn) {  // §A.2 GetAttachInfo: incremental -> -521 (an entry check: no abort)
    InIncremental root;
    ASSERT_TRUE(root.ok);
    char buf[256];
    uint32_t cb = kSentinel;
    EXPECT_EQ(JetGetAttachInfoInstanceA(root.h(), buf, sizeof buf, &cb), JET_errInvalidBackupSequence);
    EXPECT_EQ(cb, kSentinel);
    std::vector<std::string> logs;
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess) << "the backup goes on";
    EXPECT_FALSE(logs.empty());
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "the server is free";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetAttachInfoInstance, ListsTheDatabaseAsALocalPathInADoubleNulList) {  // §A.2 GetAttachInfo: multi-string; contract: local paths
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::string db = eseDatabaseFile();
    ASSERT_FALSE(db.empty());
    std::vector<char> buf(1024, '\x55');
    uint32_t cb = kSentinel;
    ASSERT_EQ(JetGetAttachInfoInstanceA(root.h(), buf.data(), 1024, &cb), JET_errSuccess);
    EXPECT_EQ(cb, db.size() + 2) << "the name, its NUL and the final NUL";
    std::vector<std::string> names;
    EXPECT_TRUE(parseListA(buf.data(), cb, &names));
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(names[0], db);
    EXPECT_EQ(static_cast<uint8_t>(buf[cb]), 0x55) << "a byte past the list was written";

    std::vector<WCHAR> wbuf(1024, 0x5555);
    cb = kSentinel;
    ASSERT_EQ(JetGetAttachInfoInstanceW(root.h(), wbuf.data(), 2048, &cb), JET_errSuccess);
    EXPECT_EQ(cb, (db.size() + 2) * 2) << "W sizes are bytes";
    std::vector<std::u16string> wnames;
    EXPECT_TRUE(parseListW(wbuf.data(), cb, &wnames));
    ASSERT_EQ(wnames.size(), 1u);
    EXPECT_EQ(wnames[0], u16(db));
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetAttachInfoInstance, ASmallBufferIsTruncatedSilentlyAndTheSizeIsAlwaysFull) {  // §A.2 GetAttachInfo: *pcbActual full; min(cbMax, cbActual) copied
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::string db = eseDatabaseFile();
    const uint32_t full = static_cast<uint32_t>(db.size() + 2);
    for (uint32_t cbMax : {0u, 1u, 5u, full - 2, full - 1, full, full + 7}) {
        std::vector<char> buf(full + 16, '\x55');
        uint32_t cb = kSentinel;
        ASSERT_EQ(JetGetAttachInfoInstanceA(root.h(), buf.data(), cbMax, &cb), JET_errSuccess) << "cbMax " << cbMax;
        EXPECT_EQ(cb, full) << "cbMax " << cbMax;
        uint32_t copied = std::min(cbMax, full);
        std::string expected = db + std::string(2, '\0');
        EXPECT_EQ(std::string(buf.data(), copied), expected.substr(0, copied)) << "cbMax " << cbMax;
        EXPECT_EQ(static_cast<uint8_t>(buf[copied]), 0x55) << "cbMax " << cbMax << ": more than min(cbMax, size) bytes written";
    }
    const uint32_t wfull = full * 2;
    for (uint32_t cbMax : {3u, wfull - 1}) {  // odd byte counts copy that many bytes
        std::vector<uint8_t> buf(wfull + 16, 0x55);
        uint32_t cb = kSentinel;
        ASSERT_EQ(JetGetAttachInfoInstanceW(root.h(), reinterpret_cast<WCHAR *>(buf.data()), cbMax, &cb), JET_errSuccess);
        EXPECT_EQ(cb, wfull);
        EXPECT_EQ(buf[cbMax], 0x55) << "cbMax " << cbMax << ": more than cbMax bytes written";
        EXPECT_NE(buf[cbMax - 1], 0x55) << "cbMax " << cbMax << ": fewer than cbMax bytes written";
    }
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "a truncated list is no failure: the backup goes on";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetAttachInfoInstance, ANullBufferCopiesNothingAndGivesTheSize) {  // contract: szz NULL copies nothing
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    uint32_t cb = kSentinel;
    EXPECT_EQ(JetGetAttachInfoInstanceA(root.h(), nullptr, 4096, &cb), JET_errSuccess);
    EXPECT_EQ(cb, eseDatabaseFile().size() + 2);
    cb = kSentinel;
    EXPECT_EQ(JetGetAttachInfoInstanceW(root.h(), nullptr, 4096, &cb), JET_errSuccess);
    EXPECT_EQ(cb, (eseDatabaseFile().size() + 2) * 2);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

// --- JetOpenFileInstance ----------------------------------------------------------------------------

TEST(JetOpenFileInstance, WithoutABackupIsNoBackup) {  // §A.2 OpenFile: no backup -> -520
    OneEse root;
    EXPECT_EQ(openA(root.h(), kEseDatabase), JET_errNoBackup);
    EXPECT_EQ(openA(root.h(), ""), JET_errNoBackup) << "the backup is checked before the name";
}

TEST(JetOpenFileInstance, AfterJetStopBackupIsBackupAbortByServer) {  // §A.2 OpenFile: backup stopped -> -801
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(openA(root.h(), kEseDatabase), JET_errBackupAbortByServer);
    EXPECT_EQ(openA(root.h(), ""), JET_errBackupAbortByServer) << "the stop is checked before the name";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetOpenFileInstance, ANullOrEmptyNameIsInvalidParameter) {  // §A.2 OpenFile: empty name -> -1003; contract: NULL too
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(openA(root.h(), nullptr), JET_errInvalidParameter);
    EXPECT_EQ(openA(root.h(), ""), JET_errInvalidParameter);
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = kSentinel, hi = kSentinel;
    EXPECT_EQ(JetOpenFileInstanceW(root.h(), u"", &hf, &lo, &hi), JET_errInvalidParameter);
    EXPECT_EQ(openA(root.h(), kEseDatabase), JET_errSuccess) << "the backup goes on";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, NullOutputsAreInvalidParameter) {  // contract: NULL outputs -> -1003 (ESE would crash)
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = kSentinel, hi = kSentinel;
    EXPECT_EQ(JetOpenFileInstanceA(root.h(), kEseDatabase, nullptr, &lo, &hi), JET_errInvalidParameter);
    EXPECT_EQ(JetOpenFileInstanceA(root.h(), kEseDatabase, &hf, nullptr, &hi), JET_errInvalidParameter);
    EXPECT_EQ(JetOpenFileInstanceA(root.h(), kEseDatabase, &hf, &lo, nullptr), JET_errInvalidParameter);
    EXPECT_TRUE(hf == kSentinelHandle && lo == kSentinel && hi == kSentinel);
    EXPECT_EQ(openA(root.h(), kEseDatabase), JET_errSuccess) << "nothing was left open";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, TheFirstHandleIsZero) {  // §A.2 OpenFile: the handle is the slot index, the first is 0
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    for (int round = 0; round < 2; ++round) {
        JET_HANDLE hf = kSentinelHandle;
        uint32_t lo = kSentinel, hi = kSentinel;
        ASSERT_EQ(JetOpenFileInstanceA(root.h(), kEseDatabase, &hf, &lo, &hi), JET_errSuccess);
        EXPECT_EQ(hf, 0u) << "round " << round;
        EXPECT_EQ(JetCloseFileInstance(root.h(), hf), JET_errSuccess);
    }
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, ADatabaseReportsItsPagesPlusThreeSplitInLowAndHigh) {  // §A.4: (pgnoLast + 2 + 1) * cbPage; contract: lo/hi
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    off_t fileBytes = fileSize(eseDatabaseFile());
    ASSERT_GT(fileBytes, 0);
    uint64_t pgnoLast = static_cast<uint64_t>(fileBytes) / kPage - 2;  // the file: two header pages, then pages 1..pgnoLast
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = kSentinel, hi = kSentinel;
    ASSERT_EQ(JetOpenFileInstanceA(root.h(), kEseDatabase, &hf, &lo, &hi), JET_errSuccess);
    EXPECT_EQ(lo, static_cast<uint32_t>((pgnoLast + 3) * kPage));
    EXPECT_EQ(hi, 0u);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, TakesTheListedLocalPathTheDriveAndTheUncSpellings) {  // contract: local path, C:\..., \\SERVER\C$\...
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<std::string> dbs;
    ASSERT_EQ(jetAttachInfo(root.h(), &dbs), JET_errSuccess);
    uint64_t expected = static_cast<uint64_t>(fileSize(eseDatabaseFile())) + kPage;
    for (const std::string &name : {dbs.at(0), std::string(kEseDatabase), std::string("\\\\ESE01\\C$\\ESE\\ese.edb"),
                                     std::string("c:\\ese\\ESE.EDB"), std::string("\\\\ese01\\c$\\ESE\\Ese.Edb")}) {
        uint64_t size = 0;
        EXPECT_EQ(jetOpen(root.h(), name, &size), JET_errSuccess) << name;
        EXPECT_EQ(size, expected) << name;
        EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess) << name;
    }
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = 0, hi = 0;
    EXPECT_EQ(JetOpenFileInstanceW(root.h(), u16(dbs[0]).c_str(), &hf, &lo, &hi), JET_errSuccess) << "the W form";
    EXPECT_EQ(hf, 0u);
    EXPECT_EQ(lo, expected);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, ASecondOpenIsOutOfMemory) {  // §A.2 OpenFile: crhfMax = 1; a second open -> -1011, not a sequence error
    InLogPhase root;
    ASSERT_EQ(openA(root.h(), root.logs.at(0).c_str()), JET_errSuccess);
    EXPECT_EQ(openA(root.h(), root.logs.at(0).c_str()), JET_errOutOfMemory) << "the same file";
    EXPECT_EQ(openA(root.h(), root.logs.back().c_str()), JET_errOutOfMemory) << "another file";
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(openA(root.h(), root.logs.back().c_str()), JET_errSuccess) << "the backup went on";
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, ASecondOpenOfTheDatabaseIsOutOfMemory) {  // §A.2 OpenFile: crhfMax = 1, in the database phase too
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(openA(root.h(), kEseDatabase), JET_errSuccess);
    EXPECT_EQ(openA(root.h(), kEseDatabase), JET_errOutOfMemory);
    EXPECT_EQ(openA(root.h(), "C:\\ESE\\edb.chk"), JET_errOutOfMemory) << "the open file is checked before the name";
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "the backup goes on";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, ANonDatabaseInTheDatabasePhaseIsDatabaseNotFoundAndTheBackupGoesOn) {  // §A.2 OpenFile: -1203, the backup continues
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 2), S_OK);
    std::vector<uint32_t> gens = eseLogGenerations();
    ASSERT_FALSE(gens.empty());
    std::string log = eseLogFile("ESE01", gens.back());
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    for (const std::string &name : {std::string("C:\\ESE\\edb.chk"), log, std::string("C:\\ESE\\other.edb"),
                                     std::string("C:\\ESE\\logs\\edbFFFFF.log")})
        EXPECT_EQ(openA(root.h(), name.c_str()), JET_errDatabaseNotFound) << name;
    // the whole backup still works
    std::vector<std::string> dbs, logs;
    std::vector<uint8_t> stream;
    ASSERT_EQ(jetAttachInfo(root.h(), &dbs), JET_errSuccess);
    EXPECT_EQ(jetCopy(root.h(), dbs.at(0), &stream), JET_errSuccess);
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    EXPECT_EQ(jetCopyLogs(root.h(), logs), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetOpenFileInstance, ADatabaseInAnIncrementalBackupIsInvalidBackupSequenceAndAbortsIt) {  // §A.2 OpenFile: incremental -> -521, aborted
    InIncremental root;
    ASSERT_TRUE(root.ok);
    EXPECT_EQ(openA(root.h(), kEseDatabase), JET_errInvalidBackupSequence);
    std::vector<std::string> logs;
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errNoBackup) << "the backup was aborted";
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "and the server is free";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, ADatabaseAfterTheLogListIsInvalidBackupSequenceAndAbortsIt) {  // §A.2 OpenFile: logs phase started -> -521, aborted
    InLogPhase root;
    EXPECT_EQ(openA(root.h(), kEseDatabase), JET_errInvalidBackupSequence);
    EXPECT_EQ(openA(root.h(), root.logs.at(0).c_str()), JET_errNoBackup) << "the backup was aborted";
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errNoBackup);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errNoBackup);
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "the server is free at once";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, InTheLogPhaseAnyExistingFileOpensListedOrNot) {  // §A.2 OpenFile: any existing file; not checked against the list
    InLogPhase root;
    // the checkpoint, treated as a patch file: delivered as it is
    std::string chk = eseCheckpointFile();
    std::vector<uint8_t> bytes;
    EXPECT_EQ(jetCopy(root.h(), "C:\\ESE\\edb.chk", &bytes), JET_errSuccess);
    EXPECT_TRUE(bytes == readFile(chk)) << "edb.chk as it is on disk";
    // an archived log below the list's range, still on disk
    uint32_t low = logGenerationA(root.logs.front());
    std::vector<uint32_t> onDisk = eseLogGenerations();
    ASSERT_FALSE(onDisk.empty());
    if (onDisk.front() < low) {
        std::string unlisted = eseLogFile("ESE01", onDisk.front());
        EXPECT_EQ(jetCopy(root.h(), unlisted, &bytes), JET_errSuccess) << unlisted;
        EXPECT_TRUE(bytes == readFile(unlisted));
    } else {
        ADD_FAILURE() << "no log below the list's range on disk (" << onDisk.front() << " >= " << low << ")";
    }
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "the backup goes on";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetOpenFileInstance, AMissingFileInTheLogPhaseIsMissingFileToBackupAndAbortsIt) {  // §A.2 OpenFile: missing -> -569, aborted
    for (const char *missing : {"C:\\ESE\\logs\\edbFFFFF.log", "C:\\ESE\\ese.pat"}) {
        InLogPhase root;
        EXPECT_EQ(openA(root.h(), missing), JET_errMissingFileToBackup) << missing;
        EXPECT_EQ(openA(root.h(), root.logs.at(0).c_str()), JET_errNoBackup) << "the backup was aborted";
        EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "the server is free at once";
        EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
    }
}

TEST(JetOpenFileInstance, AListedLogThatDisappearedIsMissingFileToBackup) {  // §A.2 OpenFile: a missing file -> -569 and abort
    InLogPhase root;
    removeFile(root.logs.back());
    EXPECT_EQ(openA(root.h(), root.logs.back().c_str()), JET_errMissingFileToBackup);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
}

TEST(JetGetAttachInfoInstance, TheStopIsCheckedBeforeTheIncrementalCheck) {  // §A.2 GetAttachInfo order: -520, then -801, then -521
    InIncremental root;
    ASSERT_TRUE(root.ok);
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(jetProbe(root.h()), JET_errBackupAbortByServer) << "a stopped incremental backup";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
}

TEST(JetOpenFileInstance, AFileOpenInTheLogPhaseIsReadAsAPatchFileUnlessItIsALog) {  // §A.2 OpenFile: the extension decides log or patch; a patch file is delivered as it is
    InLogPhase root;
    // a file of the server with another extension: its bytes as they are, with no log checks
    std::string local = eseDatabaseFile();
    local = local.substr(0, local.size() - 3) + "pat";  // C:\ESE\ese.pat
    std::vector<uint8_t> content(3 * kPage + 100);
    for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<uint8_t>(i * 7 + 1);
    writeNew(local, content);
    uint64_t size = 0;
    ASSERT_EQ(jetOpen(root.h(), "C:\\ESE\\ese.pat", &size), JET_errSuccess);
    EXPECT_EQ(size, content.size()) << "a patch file's size is its file's";
    std::vector<uint8_t> bytes;
    EXPECT_EQ(jetReadAll(root.h(), &bytes, 2 * kPage), JET_errSuccess) << "no log checks on a patch file";
    EXPECT_TRUE(bytes == content);
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    // the same bytes named .log are checked as a log
    std::string fake = eseLogDir() + "/" + jetLogName(logGenerationA(root.logs.front()) + 0x100);
    writeNew(fake, content);
    ASSERT_EQ(jetOpen(root.h(), fake), JET_errSuccess);
    EXPECT_EQ(jetReadAll(root.h(), &bytes, 2 * kPage), JET_errLogReadVerifyFailure) << "a .log is verified as a log";
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup) << "a log read error aborts the backup";
    removeFile(fake);
}
