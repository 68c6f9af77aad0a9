// Backups and other processes: a second agent, an agent that dies, and a server written by
// `winbackupctl server write` meanwhile (docs/CONTRACT-NTDSBCLI.md "DsBackupPrepareA/W":
// "a backup of that server running, in this process or another -> hrBackupInProgress";
// "A process that dies ends its backup (the next Prepare works)").
#include "helpers.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

using namespace wbtest;

namespace {

// Kills and reaps a child process when the test ends, however it ends.
struct KillOnExit {
    pid_t pid;
    ~KillOnExit() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
};

// The child's report: the HRESULT of DsBackupPrepareW, through a pipe.
HRESULT prepareInChild(const char16_t *server) {
    int fds[2];
    if (pipe(fds) != 0) {
        ADD_FAILURE() << "pipe: " << strerror(errno);
        return S_OK;
    }
    pid_t pid = forkChild([&] {
        close(fds[0]);
        void *token = nullptr;
        DWORD cb = 0;
        HBC hbc = nullptr;
        HRESULT hr = DsBackupPrepareW(server, 0, BACKUP_TYPE_FULL, &token, &cb, &hbc);
        if (hr == S_OK) {
            DsBackupEnd(hbc);
            DsBackupFree(token);
        }
        ssize_t n = write(fds[1], &hr, sizeof hr);
        return n == sizeof hr ? 0 : 1;
    });
    close(fds[1]);
    HRESULT hr = static_cast<HRESULT>(0x8000FFFFu);
    EXPECT_EQ(read(fds[0], &hr, sizeof hr), static_cast<ssize_t>(sizeof hr)) << "no report from the child";
    close(fds[0]);
    EXPECT_EQ(waitExit(pid), 0);
    return hr;
}

}  // namespace

TEST(Processes, ASecondPrepareFromAnotherProcessSaysBackupInProgress) {  // contract: another process -> hrBackupInProgress
    OneServer root;
    root.create("DC02");
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(prepareInChild(u"\\\\DC01"), hrBackupInProgress);
    EXPECT_EQ(prepareInChild(u"DC02"), S_OK);  // another server is free
    // our backup is unaffected
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.openDatabase(), S_OK);
    EXPECT_EQ(b.readAll(&stream), ERROR_HANDLE_EOF);
    EXPECT_EQ(b.end(), S_OK);
    EXPECT_EQ(prepareInChild(u"DC01"), S_OK);  // and once it ended the other process may back up
}

TEST(Processes, AnAgentKilledMidBackupFreesTheServer) {  // contract: a process that dies ends its backup
    OneServer root;
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t agent = forkChild([&] {
        close(ready[0]);
        void *token = nullptr;
        DWORD cb = 0;
        HBC hbc = nullptr;
        char status = 'E';
        if (DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_FULL, &token, &cb, &hbc) == S_OK) {
            LARGE_INTEGER size;
            std::vector<uint8_t> buf(kChunk);
            DWORD got = 0;
            if (DsBackupOpenFileW(hbc, u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", kChunk, &size) == S_OK &&
                DsBackupRead(hbc, buf.data(), kChunk, &got) == S_OK)
                status = 'R';  // mid-backup: a database open and partly read
        }
        if (write(ready[1], &status, 1) != 1) return 2;
        for (;;) pause();  // block until killed
    });
    KillOnExit reaper{agent};
    close(ready[1]);
    char status = 0;
    ASSERT_EQ(read(ready[0], &status, 1), 1);
    close(ready[0]);
    EXPECT_EQ(status, 'R') << "the agent did not get to read its database";
    {
        Backup busy(u"DC01");
        EXPECT_EQ(busy.hr, hrBackupInProgress) << "the agent's backup is running";
    }
    ASSERT_EQ(kill(agent, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(waitpid(agent, &wstatus, 0), agent);
    reaper.pid = -1;
    EXPECT_TRUE(WIFSIGNALED(wstatus));
    BackupResult r;
    ASSERT_TRUE(fullBackupW(u"DC01", &r));
    EXPECT_TRUE(databaseStreamMatches(r.stream, TestRoot::ntdsDit("DC01")));
    EXPECT_FALSE(r.logs.empty());
}

TEST(Processes, BackupWhileWinbackupctlWritesTheServer) {  // contract: pages verify as read; the log list is non-empty
    OneServer root;
    std::string logDir = TestRoot::logDir("DC01");
    size_t filesBefore = listDir(logDir).size();
    // more transactions than the backup lasts; the writer is stopped once the backup ended
    pid_t writer = spawnCtl({"server", "write", "DC01", "--transactions", "1000000"});
    ASSERT_GT(writer, 0);
    KillOnExit stopWriter{writer};  // whatever happens below, the writer does not outlive the test
    // wait until the writer has rolled a log at least once: it is running
    for (int i = 0; i < 2000 && listDir(logDir).size() <= filesBefore; ++i) usleep(1000);
    EXPECT_GT(listDir(logDir).size(), filesBefore) << "the writer did not start";

    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> dbs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    LONGLONG size = 0;
    ASSERT_EQ(b.open(dbs.at(0), &size), S_OK);
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.readAll(&stream, kMinRead), ERROR_HANDLE_EOF) << "DsBackupRead failed while the server was written";
    EXPECT_EQ(static_cast<LONGLONG>(stream.size()), size);
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    EXPECT_FALSE(logs.empty());
    std::vector<uint8_t> bytes;
    for (auto &l : logs) {
        EXPECT_EQ(b.copy(l, &bytes), S_OK) << u8(l);
        EXPECT_TRUE(bytes == readFile(TestRoot::local("DC01", u8(l).c_str()))) << u8(l) << ": an archived log changed";
    }
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), S_OK);
    EXPECT_EQ(b.end(), S_OK);
    int wstatus = 0;
    pid_t ended = waitpid(writer, &wstatus, WNOHANG);
    if (ended == writer) stopWriter.pid = -1;  // reaped already
    EXPECT_EQ(ended, 0) << "the writer stopped before the backup ended (status " << wstatus
                        << "): the backup did not run alongside it";
    EXPECT_TRUE(databaseStreamMatches(stream, TestRoot::ntdsDit("DC01"), /*exact=*/false));
}
