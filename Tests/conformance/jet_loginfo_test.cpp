// JetGetLogInfoInstance(2) and JetGetTruncateLogInfoInstance: ESE-BEHAVIOUR.md §A.2 "GetLogInfo /
// GetTruncateLogInfo" and §A.3 (which logs are copied, which would be deleted);
// docs/CONTRACT-ESENT.md.
#include "helpers.h"

#include <algorithm>
#include <cstring>

using namespace wbtest;

namespace {

std::vector<std::string> logFiles(uint32_t low, uint32_t high) {  // inclusive
    std::vector<std::string> out;
    for (uint32_t g = low; g <= high; ++g) out.push_back(eseLogFile("ESE01", g));
    return out;
}

std::vector<uint32_t> generationsOf(const std::vector<std::string> &names) {
    std::vector<uint32_t> out;
    for (auto &n : names) out.push_back(logGenerationA(n));
    return out;
}

// A full backup recorded (truncated), then activity: the ground an incremental backup stands on.
struct AfterAFullBackup : OneEse {
    JetBackupSet full;
    bool ok = false;
    AfterAFullBackup() {
        ok = jetBackup(h(), path() + "/full", &full);
        EXPECT_TRUE(ok);
        EXPECT_EQ(WbWriteServerA("ESE01", 4), S_OK);
    }
};

}  // namespace

// --- JetGetLogInfoInstance -------------------------------------------------------------------------------

TEST(JetGetLogInfoInstance, WithoutABackupIsNoBackup) {  // §A.2 GetLogInfo: no backup -> -520
    OneEse root;
    char buf[256];
    uint32_t cb = kSentinel;
    EXPECT_EQ(JetGetLogInfoInstanceA(root.h(), buf, sizeof buf, &cb), JET_errNoBackup);
    EXPECT_EQ(JetGetLogInfoInstanceW(root.h(), nullptr, 0, &cb), JET_errNoBackup);
    EXPECT_EQ(cb, kSentinel);
}

TEST(JetGetLogInfoInstance, AfterJetStopBackupIsBackupAbortByServer) {  // §A.2 GetLogInfo: stopped -> -801
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    std::vector<std::string> logs;
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errBackupAbortByServer);
    EXPECT_EQ(eseLogGenerations(), before) << "a refused GetLogInfo rolled the log";
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errBackupAbortByServer) << "an entry check does not abort the backup";
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess) << "End ends a stopped backup";
}

TEST(JetGetLogInfoInstance, AFileStillOpenIsInvalidBackupSequenceAndTheBackupGoesOn) {  // §A.2 GetLogInfo: a file open -> -521 (an entry check: no abort)
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(root.h(), kEseDatabase), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    std::vector<std::string> logs;
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errInvalidBackupSequence);
    EXPECT_EQ(eseLogGenerations(), before) << "the refused call rolled the log";
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess) << "the backup goes on, the file still open";
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    EXPECT_FALSE(logs.empty());
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetLogInfoInstance, TheFirstCallRollsTheLogAndLaterCallsDoNot) {  // §A.2 GetLogInfo: the first call rolls; CopyMac = the new current generation
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    ASSERT_FALSE(before.empty());
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    std::vector<uint32_t> after = eseLogGenerations();
    ASSERT_EQ(after.size(), before.size() + 1) << "one generation archived by the roll";
    EXPECT_EQ(after.back(), before.back() + 1);
    ASSERT_FALSE(logs.empty());
    EXPECT_EQ(logGenerationA(logs.back()), after.back()) << "the list ends with the generation the roll closed (CopyMac - 1)";
    std::vector<std::string> again;
    ASSERT_EQ(jetLogInfo(root.h(), &again), JET_errSuccess);
    EXPECT_EQ(again, logs) << "a later call gives the same list";
    EXPECT_EQ(eseLogGenerations(), after) << "a later call does not roll";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetLogInfoInstance, AFullBackupCopiesFromTheCheckpointAtBeginToTheRoll) {  // §A.3 copy range, full: [checkpoint at Begin, CopyMac - 1]
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    uint32_t checkpoint = eseCheckpointGeneration();
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(WbWriteServerA("ESE01", 4), S_OK);  // the log rolls, the checkpoint moves, during the backup
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    std::vector<uint32_t> onDisk = eseLogGenerations();
    ASSERT_FALSE(onDisk.empty());
    EXPECT_EQ(logs, logFiles(checkpoint, onDisk.back())) << "local paths, in order, checkpoint " << checkpoint;
    EXPECT_LT(onDisk.front(), checkpoint) << "older logs on disk are not listed";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetLogInfoInstance, AnIncrementalBackupCopiesFromTheOldestLogOnDisk) {  // §A.3 copy range, incremental: from the lowest generation on disk
    AfterAFullBackup root;
    ASSERT_TRUE(root.ok);
    std::vector<uint32_t> onDisk = eseLogGenerations();
    ASSERT_FALSE(onDisk.empty());
    ASSERT_LT(onDisk.front(), eseCheckpointGeneration()) << "the test wants logs below the checkpoint";
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental), JET_errSuccess);
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    EXPECT_EQ(logs, logFiles(onDisk.front(), eseLogGenerations().back()));
    EXPECT_LE(logGenerationA(logs.front()), root.full.genHigh) << "it overlaps the full backup's logs the truncation left";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetLogInfoInstance, AnIncrementalWithAGapAfterTheLastBackupIsMissingFileToBackup) {  // §A.2: ErrBKICheckLogsForIncrementalBackup -> -569, aborted
    AfterAFullBackup root;
    ASSERT_TRUE(root.ok);
    // every log up to the first after the full backup's is gone: the chain has a gap
    for (uint32_t g : eseLogGenerations()) {
        if (g <= root.full.genHigh + 1) removeFile(eseLogFile("ESE01", g));
    }
    ASSERT_FALSE(eseLogGenerations().empty());
    ASSERT_GT(eseLogGenerations().front(), root.full.genHigh + 1);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental), JET_errSuccess);
    std::vector<std::string> logs;
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errMissingFileToBackup);
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errNoBackup) << "the backup was aborted";
    EXPECT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess) << "the server is free at once";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetLogInfoInstance, AnIncrementalWithAHoleInItsRangeIsMissingFileToBackup) {  // §A.2 / contract: a gap -> -569
    AfterAFullBackup root;
    ASSERT_TRUE(root.ok);
    std::vector<uint32_t> onDisk = eseLogGenerations();
    ASSERT_GE(onDisk.size(), 3u);
    removeFile(eseLogFile("ESE01", onDisk[1]));
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), JET_bitBackupIncremental), JET_errSuccess);
    std::vector<std::string> logs;
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errMissingFileToBackup);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
}

TEST(JetGetLogInfoInstance, WithABufferTheSizeIsWhatWasCopiedWithoutItTheFullSize) {  // §A.2 GetLogInfo: *pcbActual = min(cbMax, cbActual) with a buffer
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 2), S_OK);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    uint32_t full = 1;
    for (auto &l : logs) full += static_cast<uint32_t>(l.size() + 1);
    uint32_t cb = kSentinel;
    ASSERT_EQ(JetGetLogInfoInstanceA(root.h(), nullptr, 0, &cb), JET_errSuccess);
    EXPECT_EQ(cb, full) << "szz NULL: the full size";
    std::string expected;
    for (auto &l : logs) expected += l + '\0';
    expected += '\0';
    for (uint32_t cbMax : {1u, 10u, full - 1, full, full + 5}) {
        std::vector<char> buf(full + 16, '\x55');
        cb = kSentinel;
        ASSERT_EQ(JetGetLogInfoInstanceA(root.h(), buf.data(), cbMax, &cb), JET_errSuccess) << "cbMax " << cbMax;
        uint32_t copied = std::min(cbMax, full);
        EXPECT_EQ(cb, copied) << "cbMax " << cbMax << ": the truncated count";
        EXPECT_EQ(std::string(buf.data(), copied), expected.substr(0, copied));
        EXPECT_EQ(static_cast<uint8_t>(buf[copied]), 0x55) << "cbMax " << cbMax;
    }
    std::vector<WCHAR> wbuf(full + 8, 0x5555);
    cb = kSentinel;
    ASSERT_EQ(JetGetLogInfoInstanceW(root.h(), wbuf.data(), 6, &cb), JET_errSuccess);
    EXPECT_EQ(cb, 6u) << "W: bytes, truncated";
    EXPECT_EQ(wbuf[3], 0x5555);
    cb = kSentinel;
    ASSERT_EQ(JetGetLogInfoInstanceW(root.h(), nullptr, 0, &cb), JET_errSuccess);
    EXPECT_EQ(cb, full * 2);
    cb = kSentinel;
    ASSERT_EQ(JetGetLogInfoInstanceW(root.h(), wbuf.data(), static_cast<uint32_t>(wbuf.size() * 2), &cb), JET_errSuccess);
    EXPECT_EQ(cb, full * 2);
    std::vector<std::u16string> wlogs;
    EXPECT_TRUE(parseListW(wbuf.data(), cb, &wlogs));
    ASSERT_EQ(wlogs.size(), logs.size());
    for (size_t i = 0; i < logs.size(); ++i) { EXPECT_EQ(wlogs[i], u16(logs[i])); }
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetLogInfoInstance, EndsTheDatabasePhase) {  // §A.2 state machine: Databases -> LogsAndPatches
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    EXPECT_EQ(jetOpen(root.h(), kEseDatabase), JET_errInvalidBackupSequence);
    EXPECT_EQ(jetProbe(root.h()), JET_errNoBackup);
}

// --- JetGetLogInfoInstance2 -------------------------------------------------------------------------------

TEST(JetGetLogInfoInstance2, FillsTheLogInfoWithTheRangeOfTheList) {  // §A.2 GetLogInfo: JET_LOGINFO ulGenLow, ulGenHigh (inclusive), base name
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(WbWriteServerA("ESE01", 2), S_OK);
    std::vector<char> buf(4096, '\x55');
    uint32_t cb = kSentinel;
    JET_LOGINFO_A info;
    memset(&info, 0x55, sizeof info);
    info.cbSize = sizeof info;
    ASSERT_EQ(JetGetLogInfoInstance2A(root.h(), buf.data(), 4096, &cb, &info), JET_errSuccess);
    std::vector<std::string> logs;
    ASSERT_TRUE(parseListA(buf.data(), cb, &logs));
    ASSERT_GE(logs.size(), 2u);
    EXPECT_EQ(info.cbSize, 16u);
    EXPECT_EQ(info.ulGenLow, logGenerationA(logs.front()));
    EXPECT_EQ(info.ulGenHigh, logGenerationA(logs.back()));
    EXPECT_EQ(std::string(info.szBaseName, 4), std::string("edb\0", 4));
    JET_LOGINFO_W winfo;
    memset(&winfo, 0x55, sizeof winfo);
    winfo.cbSize = sizeof winfo;
    cb = kSentinel;
    ASSERT_EQ(JetGetLogInfoInstance2W(root.h(), nullptr, 0, &cb, &winfo), JET_errSuccess);
    EXPECT_EQ(winfo.cbSize, 20u);
    EXPECT_EQ(winfo.ulGenLow, info.ulGenLow);
    EXPECT_EQ(winfo.ulGenHigh, info.ulGenHigh);
    EXPECT_EQ(std::u16string(winfo.szBaseName, 4), std::u16string(u"edb\0", 4));
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetLogInfoInstance2, AWrongCbSizeIsInvalidParameterBeforeAnything) {  // contract: cbSize 16 (A) / 20 (W), else -1003 before anything
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    char buf[4096];
    for (uint32_t size : {0u, 15u, 17u, 20u, 0xFFFFFFFFu}) {
        JET_LOGINFO_A info;
        memset(&info, 0x55, sizeof info);
        info.cbSize = size;
        uint32_t cb = kSentinel;
        EXPECT_EQ(JetGetLogInfoInstance2A(root.h(), buf, sizeof buf, &cb, &info), JET_errInvalidParameter) << "cbSize " << size;
        EXPECT_EQ(cb, kSentinel);
        EXPECT_EQ(info.cbSize, size);
        EXPECT_EQ(info.ulGenLow, 0x55555555u) << "a refused call filled the struct";
    }
    for (uint32_t size : {0u, 16u, 24u}) {
        JET_LOGINFO_W winfo;
        memset(&winfo, 0x55, sizeof winfo);
        winfo.cbSize = size;
        uint32_t cb = kSentinel;
        EXPECT_EQ(JetGetLogInfoInstance2W(root.h(), nullptr, 0, &cb, &winfo), JET_errInvalidParameter) << "W cbSize " << size;
    }
    EXPECT_EQ(eseLogGenerations(), before) << "a refused call rolled the log";
    EXPECT_EQ(jetOpen(root.h(), kEseDatabase), JET_errSuccess) << "still in the database phase";
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetLogInfoInstance2, ANullLogInfoIsAllowed) {  // API-FACTS.md §5.2: pLogInfo is optional
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<char> buf(4096);
    uint32_t cb = kSentinel;
    EXPECT_EQ(JetGetLogInfoInstance2A(root.h(), buf.data(), 4096, &cb, nullptr), JET_errSuccess);
    std::vector<std::string> logs;
    EXPECT_TRUE(parseListA(buf.data(), cb, &logs));
    EXPECT_FALSE(logs.empty());
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

// --- JetGetTruncateLogInfoInstance -------------------------------------------------------------------------

TEST(JetGetTruncateLogInfoInstance, WithoutABackupIsNoBackupAndWithAFileOpenInvalidBackupSequence) {  // §A.2 GetTruncateLogInfo: -520; a file open -> -521
    OneEse root;
    std::vector<std::string> names;
    EXPECT_EQ(jetTruncateLogInfo(root.h(), &names), JET_errNoBackup);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(root.h(), kEseDatabase), JET_errSuccess);
    EXPECT_EQ(jetTruncateLogInfo(root.h(), &names), JET_errInvalidBackupSequence);
    EXPECT_EQ(jetProbe(root.h()), JET_errSuccess) << "an entry check does not abort: still the database phase";
    EXPECT_EQ(JetCloseFileInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetGetTruncateLogInfoInstance, ListsTheLogsOnDiskFromTheOldestToTheCheckpoint) {  // §A.3 delete range: [oldest on disk, min(checkpoint, CopyMac))
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 4), S_OK);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<uint8_t> stream;
    ASSERT_EQ(jetCopy(root.h(), kEseDatabase, &stream), JET_errSuccess);  // the database copied: no cap (§A.3)
    std::vector<std::string> logs, deletable;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    uint32_t checkpoint = eseCheckpointGeneration();
    uint32_t copyMac = logGenerationA(logs.back()) + 1;
    uint32_t deleteMac = std::min(checkpoint, copyMac);
    std::vector<uint32_t> onDisk = eseLogGenerations();
    ASSERT_LT(onDisk.front(), deleteMac) << "nothing to delete: the test needs old logs";
    ASSERT_EQ(jetTruncateLogInfo(root.h(), &deletable), JET_errSuccess);
    std::vector<uint32_t> expected;
    for (uint32_t g : onDisk)
        if (g < deleteMac) expected.push_back(g);
    EXPECT_EQ(generationsOf(deletable), expected) << "checkpoint " << checkpoint << ", CopyMac " << copyMac;
    for (size_t i = 0; i < deletable.size(); ++i) { EXPECT_EQ(deletable[i], eseLogFile("ESE01", expected[i])); }
    // and those are what the truncation deletes
    ASSERT_EQ(jetCopyLogs(root.h(), logs), JET_errSuccess);
    ASSERT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    std::vector<uint32_t> left = eseLogGenerations();
    for (uint32_t g : expected) { EXPECT_FALSE(std::count(left.begin(), left.end(), g)) << "generation " << g << " was not deleted"; }
    for (uint32_t g : onDisk)
        if (g >= deleteMac) { EXPECT_TRUE(std::count(left.begin(), left.end(), g)) << "generation " << g << " was deleted"; }
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetGetTruncateLogInfoInstance, AlsoRollsTheLogAndEndsTheDatabasePhase) {  // API-FACTS.md §5.4: it advances the state machine like GetLogInfo
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<uint32_t> before = eseLogGenerations();
    std::vector<std::string> deletable, logs;
    ASSERT_EQ(jetTruncateLogInfo(root.h(), &deletable), JET_errSuccess);
    EXPECT_EQ(eseLogGenerations().size(), before.size() + 1) << "the log rolled";
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    EXPECT_EQ(eseLogGenerations().size(), before.size() + 1) << "once";
    EXPECT_EQ(jetOpen(root.h(), kEseDatabase), JET_errInvalidBackupSequence) << "the database phase is over";
}

TEST(JetGetLogInfoInstance, TheStopIsCheckedBeforeTheOpenFile) {  // §A.2 GetLogInfo order: -520, -801, then a file open -> -521
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(root.h(), kEseDatabase), JET_errSuccess);
    ASSERT_EQ(JetStopBackupInstance(root.h()), JET_errSuccess);
    std::vector<std::string> logs;
    EXPECT_EQ(jetLogInfo(root.h(), &logs), JET_errBackupAbortByServer);
    EXPECT_EQ(jetTruncateLogInfo(root.h(), &logs), JET_errBackupAbortByServer);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
}

TEST(JetGetLogInfoInstance, TheListHoldsLogsOnlyAndNoPatchFileIsMade) {  // §A.2 GetLogInfo: modern ESE emits no .pat patch files (fIncludePatch false)
    OneEse root;
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    std::vector<uint8_t> stream;
    ASSERT_EQ(jetCopy(root.h(), kEseDatabase, &stream), JET_errSuccess);
    std::vector<std::string> logs;
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    ASSERT_FALSE(logs.empty());
    for (const std::string &l : logs) {
        EXPECT_NE(logGenerationA(l), 0u) << l << " is not an archived log";
        EXPECT_EQ(l.substr(l.size() - 4), ".log") << l;
    }
    std::string dbDir = eseDatabaseFile();
    dbDir = dbDir.substr(0, dbDir.rfind('/'));
    for (const std::string &dir : {dbDir, eseLogDir()})
        for (const std::string &name : listDir(dir))
            EXPECT_FALSE(name.size() > 4 && name.substr(name.size() - 4) == ".pat") << "a patch file was made: " << dir << "/" << name;
    EXPECT_EQ(JetEndExternalBackupInstance2(root.h(), JET_bitBackupEndAbort), JET_errSuccess);
}
