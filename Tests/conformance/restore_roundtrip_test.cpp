// Whole restores: a backup taken while another process writes the DC, restored byte-exact onto
// another DC and onto the same one; a restored DC written and backed up again; the A walkthrough;
// agents that die in the middle of a restore (docs/CONTRACT-NTDSBCLI.md "Restore side": the
// order, "DsRestoreRegisterA/W": a session whose process died may be registered over, hard
// recovery: S_OK -> WbGetContentDigestA(DC) equals WbReadLogDigestA(the backup's log genHigh)).
#include "helpers.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

using namespace wbtest;

namespace {

// A child process, killed and reaped when the test ends, however it ends; running() does not
// lose its exit status.
struct Child {
    pid_t pid = -1;
    int status = -1;
    bool reaped = false;

    explicit Child(pid_t p) : pid(p) {}
    bool running() {
        if (reaped || pid <= 0) return false;
        int st = 0;
        if (waitpid(pid, &st, WNOHANG) != pid) return true;
        reaped = true;
        status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return false;
    }
    int wait() {
        if (!reaped && pid > 0) {
            int st = 0;
            if (waitpid(pid, &st, 0) == pid) status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            reaped = true;
        }
        return status;
    }
    void killNow() {
        if (!reaped && pid > 0) {
            kill(pid, SIGKILL);
            int st = 0;
            waitpid(pid, &st, 0);
            reaped = true;
            status = -1;
        }
    }
    ~Child() { killNow(); }
};

// A forked agent that runs `steps` and then reports one byte ('C') and blocks until killed.
pid_t blockingAgent(int ready[2], const std::function<bool()> &steps) {
    return forkChild([=] {
        close(ready[0]);
        char status = steps() ? 'C' : 'E';
        if (write(ready[1], &status, 1) != 1) return 2;
        for (;;) pause();
    });
}

}  // namespace

TEST(RestoreRoundTrip, ABackupTakenUnderConcurrentWritesRestoresByteExact) {  // contract: digest of the DC == digest of log genHigh
    TestRoot root;
    root.create("DC01");
    root.create("DC02", kSmallNtdsOffline);
    std::string logDir = TestRoot::logDir("DC01");
    size_t filesBefore = listDir(logDir).size();
    Child writer(spawnCtl({"server", "write", "DC01", "--transactions", "400"}));
    ASSERT_GT(writer.pid, 0);
    for (int i = 0; i < 4000 && listDir(logDir).size() <= filesBefore; ++i) usleep(500);  // it has rolled a log: it runs
    ASSERT_GT(listDir(logDir).size(), filesBefore) << "the writer did not start";

    bool writingAtPrepare = false;
    BackupSet set;
    ASSERT_TRUE(makeBackupSet("DC01", root.path() + "/set", &set, [&] { writingAtPrepare = writer.running(); }));
    EXPECT_TRUE(writingAtPrepare) << "the writer had ended before the database was read: the backup ran alone";
    EXPECT_EQ(writer.wait(), 0) << "winbackupctl server write DC01 failed";
    std::string expected = logDigest(set.lastLog());
    ASSERT_EQ(expected.size(), 64u);

    // onto another DC
    ASSERT_TRUE(restoreSet(set, "DC02"));
    expectRestored("DC02", set);
    EXPECT_EQ(contentDigest("DC02"), expected);

    // onto the same DC, stopped first
    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    ASSERT_TRUE(restoreSet(set, "DC01"));
    expectRestored("DC01", set);
    EXPECT_EQ(contentDigest("DC01"), expected);
}

TEST(RestoreRoundTrip, RestoresIntoTheSameServerWhatTheBackupHeld) {  // contract: the content at the end of genHigh
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    std::string backedUp = logDigest(root.set.lastLog());
    ASSERT_EQ(WbWriteServerA("DC01", 25), S_OK);  // the DC moves on after the backup
    std::string later = contentDigest("DC01");
    ASSERT_NE(later, backedUp);
    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    ASSERT_TRUE(restoreSet(root.set, "DC01"));
    expectRestored("DC01", root.set);
    EXPECT_NE(contentDigest("DC01"), later);
}

TEST(RestoreRoundTrip, ARestoredDcCanBeWrittenAndBackedUpAgain) {  // contract: the DC is online after the restore
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    root.create("DC03", kSmallNtdsOffline);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    expectRestored("DC02", root.set);
    std::string restored = contentDigest("DC02");
    ASSERT_EQ(WbWriteServerA("DC02", 20), S_OK);
    EXPECT_NE(contentDigest("DC02"), restored) << "the writes changed nothing";

    BackupSet second;
    ASSERT_TRUE(makeBackupSet("DC02", root.path() + "/set2", &second, [] { EXPECT_EQ(WbWriteServerA("DC02", 3), S_OK); }));
    EXPECT_GT(second.genLow, root.set.genHigh) << "the restored DC's log stream goes on after genHigh";
    EXPECT_EQ(contentDigest("DC02"), logDigest(second.lastLog()));
    // the second backup restores onto a third DC ...
    ASSERT_TRUE(restoreSet(second, "DC03"));
    expectRestored("DC03", second);
    // ... and onto DC02 itself, after more writes
    ASSERT_EQ(WbWriteServerA("DC02", 10), S_OK);
    ASSERT_EQ(WbStopServerA("DC02"), S_OK);
    ASSERT_TRUE(restoreSet(second, "DC02"));
    expectRestored("DC02", second);
    EXPECT_EQ(contentDigest("DC02"), contentDigest("DC03"));
}

TEST(RestoreRoundTrip, TheWalkthroughThroughTheAFunctions) {  // contract: the order; A forms in UTF-8
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    BOOL online = TRUE;
    ASSERT_EQ(DsIsNTDSOnlineA("DC02", &online), S_OK);
    ASSERT_EQ(online, FALSE);
    std::vector<uint8_t> token(root.set.token);
    HBC hbc = nullptr;
    ASSERT_EQ(DsRestorePrepareA("\\\\DC02", RESTORE_TYPE_CATCHUP, token.data(), static_cast<DWORD>(token.size()), &hbc), S_OK);
    char *list = nullptr;
    DWORD cb = 0;
    ASSERT_EQ(DsRestoreGetDatabaseLocationsA(hbc, &list, &cb), S_OK);
    std::vector<std::string> where;
    EXPECT_TRUE(parseListA(list, cb, &where));
    DsBackupFree(list);
    ASSERT_EQ(where.size(), 3u);
    std::string db = where[0].substr(1), logs = where[1].substr(1), checkpoint = where[2].substr(1);
    std::string original = u8(root.set.database);
    EDB_RSTMAPA map[1] = {{original.data(), db.data()}};
    ASSERT_EQ(DsRestoreRegisterA(hbc, checkpoint.c_str(), logs.c_str(), map, 1, kRestoredLogs, root.set.genLow, root.set.genHigh),
              S_OK);
    copyFile(root.set.databaseFile(), TestRoot::local("DC02", db.c_str()));
    copyLogs(root.set, "DC02");
    ASSERT_EQ(DsRestoreRegisterComplete(hbc, S_OK), S_OK);
    ASSERT_EQ(DsRestoreEnd(hbc), S_OK);
    expectRestored("DC02", root.set);
}

// --- agents that die -------------------------------------------------------------------------------

TEST(RestoreProcesses, AnAgentKilledBetweenFilesLeavesTheDcOffline) {  // contract: registration open -> hrRestoreInProgress; a new session registers over it
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const BackupSet &set = root.set;
    Child agent(blockingAgent(ready, [&set] {
        Restore *r = new Restore("DC02", set);  // never ended: the agent dies with it open
        if (!r->ok() || r->registerSet("DC02", set) != S_OK) return false;
        copyDatabase(set, "DC02");  // the database only: the logs never come
        return !::testing::Test::HasFailure();
    }));
    close(ready[1]);
    char status = 0;
    ASSERT_EQ(read(ready[0], &status, 1), 1);
    close(ready[0]);
    ASSERT_EQ(status, 'C') << "the agent did not register and copy the database";
    agent.killNow();

    expectStartRefused("DC02", hrRestoreInProgress);
    expectStartRefused("DC02", hrRestoreInProgress);
    // a new agent registers over the dead one's registration and finishes the job
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    expectRestored("DC02", root.set);
}

TEST(RestoreProcesses, AnAgentKilledAfterCopyingTheDatabaseBeforeRegistering) {  // contract: -> JET_errSoftRecoveryOnBackupDatabase
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const BackupSet &set = root.set;
    Child agent(blockingAgent(ready, [&set] {
        Restore *r = new Restore("DC02", set);  // never ended
        if (!r->ok()) return false;
        copyDatabase(set, "DC02");  // copied before DsRestoreRegister: out of order
        return !::testing::Test::HasFailure();
    }));
    close(ready[1]);
    char status = 0;
    ASSERT_EQ(read(ready[0], &status, 1), 1);
    close(ready[0]);
    ASSERT_EQ(status, 'C');
    agent.killNow();

    expectStartRefused("DC02", kHrSoftRecoveryOnBackupDatabase);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    expectRestored("DC02", root.set);
}
