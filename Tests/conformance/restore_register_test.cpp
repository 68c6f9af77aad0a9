// DsRestoreRegisterA/W, DsRestoreRegisterComplete and DsRestoreEnd (docs/CONTRACT-NTDSBCLI.md
// "DsRestoreRegisterA/W", "DsRestoreRegisterComplete", "DsRestoreEnd").
#include "helpers.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstring>

using namespace wbtest;

namespace {

constexpr HRESULT kEFail = static_cast<HRESULT>(0x80004005u);  // E_FAIL, what an agent reports when a copy failed

// The arguments of DsRestoreRegister, valid for DC02 and the set (UNC spellings); tests change one.
struct Args {
    std::u16string checkpoint, logs, original, restored, backupLogs;
    ULONG genLow, genHigh;
};

Args validArgs(const BackupSet &set) {
    return {uncNtds("DC02"), uncNtds("DC02"), set.database, uncDatabase("DC02"), kRestoredLogsW, set.genLow, set.genHigh};
}

// DsRestoreRegisterW with one map entry; a NULL pointer where nulls says so (bits: 1 checkpoint,
// 2 logs, 4 backup logs, 8 original, 16 restored, 32 the map itself).
HRESULT registerW(HBC hbc, const Args &a, unsigned nulls = 0, LONG count = 1) {
    std::u16string o(a.original), r(a.restored);
    EDB_RSTMAPW map[1] = {{nulls & 8 ? nullptr : o.data(), nulls & 16 ? nullptr : r.data()}};
    return DsRestoreRegisterW(hbc, nulls & 1 ? nullptr : a.checkpoint.c_str(), nulls & 2 ? nullptr : a.logs.c_str(),
                              nulls & 32 ? nullptr : map, count, nulls & 4 ? nullptr : a.backupLogs.c_str(), a.genLow, a.genHigh);
}

HRESULT registerA(HBC hbc, const Args &a, unsigned nulls = 0, LONG count = 1) {
    std::string c = u8(a.checkpoint), l = u8(a.logs), o = u8(a.original), r = u8(a.restored), b = u8(a.backupLogs);
    EDB_RSTMAPA map[1] = {{nulls & 8 ? nullptr : o.data(), nulls & 16 ? nullptr : r.data()}};
    return DsRestoreRegisterA(hbc, nulls & 1 ? nullptr : c.c_str(), nulls & 2 ? nullptr : l.c_str(), nulls & 32 ? nullptr : map,
                              count, nulls & 4 ? nullptr : b.c_str(), a.genLow, a.genHigh);
}

// Nothing was recorded: the DC starts (and is stopped again for the test to go on).
void expectStarts(const char *dc) {
    EXPECT_EQ(WbStartServerA(dc), S_OK) << dc << " does not start: a refused call left a restore behind";
    EXPECT_TRUE(isOnline(dc));
    EXPECT_EQ(WbStopServerA(dc), S_OK);
}

// A child process with a restore session of DC02 that registers the set, reports the HRESULT of
// DsRestoreRegisterW through a pipe, then (hold) waits for a byte before DsRestoreEnd and exit.
struct RegisteringChild {
    pid_t pid = -1;
    int report = -1, release = -1;

    RegisteringChild(const BackupSet &set, bool hold) {
        int up[2], down[2];
        if (pipe(up) != 0 || pipe(down) != 0) {
            ADD_FAILURE() << "pipe: " << strerror(errno);
            return;
        }
        pid = forkChild([&] {
            close(up[0]);
            close(down[1]);
            Restore r("DC02", set);
            HRESULT hr = r.ok() ? r.registerSet("DC02", set) : r.hr;
            if (write(up[1], &hr, sizeof hr) != sizeof hr) return 2;
            char c;
            if (hold && read(down[0], &c, 1) != 1) return 3;
            return r.end() == S_OK ? 0 : 4;
        });
        close(up[1]);
        close(down[0]);
        report = up[0];
        release = down[1];
    }
    // What the child's Register returned.
    HRESULT registered() {
        HRESULT hr = Backup::E_UNEXPECTED_HR;
        EXPECT_EQ(read(report, &hr, sizeof hr), static_cast<ssize_t>(sizeof hr)) << "no report from the child";
        return hr;
    }
    // Lets a holding child end its session; its exit status.
    int finish() {
        char c = 'x';
        EXPECT_EQ(write(release, &c, 1), 1);
        int status = waitExit(pid);
        pid = -1;
        return status;
    }
    ~RegisteringChild() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        if (report >= 0) close(report);
        if (release >= 0) close(release);
    }
};

}  // namespace

// --- DsRestoreRegisterA/W ------------------------------------------------------------------------

TEST(DsRestoreRegister, RecordsTheRestoreAndTheDcWillNotStart) {  // contract: S_OK; WbStartServerA -> hrRestoreInProgress
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(registerW(r.hbc, validArgs(root.set)), S_OK);
        expectStartRefused("DC02");
        EXPECT_EQ(r.end(), S_OK);
    }
    expectStartRefused("DC02");  // the registration outlives the session
    // the A form, from a new session over the ended one
    Restore a("DC02", root.set);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(registerA(a.hbc, validArgs(root.set)), S_OK);
    expectStartRefused("DC02");
}

TEST(DsRestoreRegister, RefusesARestrictedHandleWithMissingExpiryToken) {  // contract: restricted -> hrMissingExpiryToken
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore restricted("DC02", nullptr, 0);
        ASSERT_TRUE(restricted.ok());
        Args a = validArgs(root.set);
        EXPECT_EQ(registerW(restricted.hbc, a), hrMissingExpiryToken);
        EXPECT_EQ(registerA(restricted.hbc, a), hrMissingExpiryToken);
        // checked before the arguments
        EXPECT_EQ(registerW(restricted.hbc, a, 1 | 2 | 4), hrMissingExpiryToken);
        EXPECT_EQ(registerW(restricted.hbc, a, 32, 0), hrMissingExpiryToken);
        a.genLow = 0;
        EXPECT_EQ(registerA(restricted.hbc, a, 8), hrMissingExpiryToken);
    }
    expectStarts("DC02");
}

TEST(DsRestoreRegister, RejectsNullPaths) {  // contract: NULL checkpointPath, logPath or backupLogPath -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        for (unsigned nulls : {1u, 2u, 4u, 1u | 2u | 4u}) {
            EXPECT_EQ(registerW(r.hbc, validArgs(root.set), nulls), ERROR_INVALID_PARAMETER) << "NULL mask " << nulls;
            EXPECT_EQ(registerA(r.hbc, validArgs(root.set), nulls), ERROR_INVALID_PARAMETER) << "NULL mask " << nulls;
        }
    }
    expectStarts("DC02");
}

TEST(DsRestoreRegister, RejectsAMissingOrEmptyMap) {  // contract: map NULL, count <= 0 or > 256 -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        Args a = validArgs(root.set);
        EXPECT_EQ(registerW(r.hbc, a, 32, 1), ERROR_INVALID_PARAMETER) << "NULL map";
        EXPECT_EQ(registerA(r.hbc, a, 32, 1), ERROR_INVALID_PARAMETER) << "NULL map";
        // a count out of range is refused before the map is read (it holds one entry)
        for (LONG count : {0, -1, -256, LONG(INT_MIN), 257, LONG(INT_MAX)}) {
            EXPECT_EQ(registerW(r.hbc, a, 0, count), ERROR_INVALID_PARAMETER) << "count " << count;
            EXPECT_EQ(registerA(r.hbc, a, 0, count), ERROR_INVALID_PARAMETER) << "count " << count;
        }
    }
    expectStarts("DC02");
}

TEST(DsRestoreRegister, RejectsANullNameInTheMap) {  // contract: a NULL name in an entry -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        for (unsigned nulls : {8u, 16u, 8u | 16u}) {
            EXPECT_EQ(registerW(r.hbc, validArgs(root.set), nulls), ERROR_INVALID_PARAMETER) << "NULL mask " << nulls;
            EXPECT_EQ(registerA(r.hbc, validArgs(root.set), nulls), ERROR_INVALID_PARAMETER) << "NULL mask " << nulls;
        }
        // the second of two entries
        std::u16string o(root.set.database), d(uncDatabase("DC02")), b(kRestoredLogsW), n(uncNtds("DC02"));
        EDB_RSTMAPW map[2] = {{o.data(), d.data()}, {o.data(), nullptr}};
        EXPECT_EQ(DsRestoreRegisterW(r.hbc, n.c_str(), n.c_str(), map, 2, b.c_str(), root.set.genLow, root.set.genHigh),
                  ERROR_INVALID_PARAMETER);
    }
    expectStarts("DC02");
}

TEST(DsRestoreRegister, RefusesAnOnlineDcWithDatabaseInUse) {  // contract: the DC online -> hrDatabaseInUse, after the argument checks
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(WbStartServerA("DC02"), S_OK);  // started after Prepare
    Args a = validArgs(root.set);
    EXPECT_EQ(registerW(r.hbc, a), hrDatabaseInUse);
    EXPECT_EQ(registerA(r.hbc, a), hrDatabaseInUse);
    // the NULL checks come first ...
    EXPECT_EQ(registerW(r.hbc, a, 2), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(registerW(r.hbc, a, 32), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(registerW(r.hbc, a, 16), ERROR_INVALID_PARAMETER);
    // ... the generations and the paths after
    Args bad = a;
    bad.genLow = 0;
    EXPECT_EQ(registerW(r.hbc, bad), hrDatabaseInUse);
    bad = a;
    bad.checkpoint = u"\\\\DC01\\C$\\Windows\\NTDS";
    EXPECT_EQ(registerW(r.hbc, bad), hrDatabaseInUse);
    bad = a;
    bad.restored = u"C:\\Windows\\NTDS\\other.dit";
    EXPECT_EQ(registerW(r.hbc, bad), hrDatabaseInUse);
    EXPECT_TRUE(isOnline("DC02"));
    // stopped again, the same session registers
    ASSERT_EQ(WbStopServerA("DC02"), S_OK);
    EXPECT_EQ(registerW(r.hbc, a), S_OK);
}

TEST(DsRestoreRegister, RejectsGenerationsOutOfRange) {  // contract: genLow 0, genLow > genHigh, genHigh > 0xFFFFF -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        Args a = validArgs(root.set);
        struct {
            ULONG low, high;
        } bad[] = {{0, a.genHigh}, {0, 0}, {a.genHigh + 1, a.genHigh}, {a.genLow, a.genLow - 1}, {1, 0x100000},
                   {0x100000, 0x100000}, {a.genLow, 0xFFFFFFFFu}, {0xFFFFFFFFu, 0xFFFFFFFFu}};
        for (auto &g : bad) {
            a.genLow = g.low;
            a.genHigh = g.high;
            EXPECT_EQ(registerW(r.hbc, a), ERROR_INVALID_PARAMETER) << "generations " << g.low << "-" << g.high;
            EXPECT_EQ(registerA(r.hbc, a), ERROR_INVALID_PARAMETER) << "generations " << g.low << "-" << g.high;
        }
    }
    expectStarts("DC02");
    // the bounds themselves are a range (hard recovery judges it later)
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    Args a = validArgs(root.set);
    for (auto g : {std::pair<ULONG, ULONG>{1, 0xFFFFF}, {0xFFFFF, 0xFFFFF}, {root.set.genLow, root.set.genLow}}) {
        a.genLow = g.first;
        a.genHigh = g.second;
        EXPECT_EQ(registerW(r.hbc, a), S_OK) << "generations " << g.first << "-" << g.second;
    }
}

TEST(DsRestoreRegister, RequiresTheDcsCheckpointAndLogFolders) {  // contract: checkpointPath the 0x83 location, logPath the 0x82 one -> else 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        for (const char16_t *path : {u"C:\\Windows", u"C:\\", u"C:\\Windows\\NTDS\\ntds.dit", u"C:\\Windows\\NTDS\\edb.chk",
                                     u"C:\\WinBackup\\RestoredLogs", u"C:\\Nowhere", u"D:\\Windows\\NTDS",
                                     u"\\\\DC02\\C$\\Windows", u"Windows\\NTDS", u"NTDS", u""}) {
            Args a = validArgs(root.set);
            a.checkpoint = path;
            EXPECT_EQ(registerW(r.hbc, a), ERROR_INVALID_PARAMETER) << "checkpoint path \"" << u8(path) << "\"";
            a = validArgs(root.set);
            a.logs = path;
            EXPECT_EQ(registerA(r.hbc, a), ERROR_INVALID_PARAMETER) << "log path \"" << u8(path) << "\"";
        }
    }
    expectStarts("DC02");
}

TEST(DsRestoreRegister, DeniesPathsOfAnotherServerOrOutOfTheDc) {  // contract: another server's path or out of the DC's folder -> 5
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        std::vector<std::u16string> foreign = {u"\\\\DC01\\C$\\Windows\\NTDS", u"\\\\dc01\\c$\\windows\\ntds",
                                               u"\\\\DC99\\C$\\Windows\\NTDS", u16(TestRoot::logDir("DC01")),
                                               u16(root.path() + "/set"), u16(root.path()), u"/tmp"};
        for (auto &path : foreign) {
            Args a = validArgs(root.set);
            a.checkpoint = path;
            EXPECT_EQ(registerW(r.hbc, a), ERROR_ACCESS_DENIED) << "checkpoint path " << u8(path);
            a = validArgs(root.set);
            a.logs = path;
            EXPECT_EQ(registerW(r.hbc, a), ERROR_ACCESS_DENIED) << "log path " << u8(path);
            a = validArgs(root.set);
            a.backupLogs = path;
            EXPECT_EQ(registerA(r.hbc, a), ERROR_ACCESS_DENIED) << "backup log path " << u8(path);
        }
        Args a = validArgs(root.set);
        a.backupLogs = u"\\\\DC01\\C$\\WinBackup\\RestoredLogs";
        EXPECT_EQ(registerW(r.hbc, a), ERROR_ACCESS_DENIED);
        // a folder of the DC that is a symbolic link to a folder out of it
        std::string escape = TestRoot::local("DC02", "C:\\") + "/Escape";
        ASSERT_EQ(symlink((root.path() + "/set").c_str(), escape.c_str()), 0) << escape;
        for (const char16_t *path : {u"C:\\Escape", u"\\\\DC02\\C$\\Escape"}) {
            a.backupLogs = path;
            EXPECT_EQ(registerW(r.hbc, a), ERROR_ACCESS_DENIED) << "backup log path " << u8(path) << " -> " << root.path() << "/set";
        }
        removeFile(escape);
    }
    expectStarts("DC02");
}

TEST(DsRestoreRegister, RejectsDotDotInAnyPath) {  // contract: ".." -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        std::u16string local = u16(TestRoot::logDir("DC02"));
        for (const std::u16string &ntds : {std::u16string(u"C:\\Windows\\NTDS\\..\\NTDS"), std::u16string(u"C:\\Windows\\..\\Windows\\NTDS"),
                                           std::u16string(u"\\\\DC02\\C$\\Windows\\NTDS\\..\\NTDS"), local + u"/../NTDS"}) {
            Args a = validArgs(root.set);
            a.checkpoint = ntds;
            EXPECT_EQ(registerW(r.hbc, a), ERROR_INVALID_PARAMETER) << "checkpoint path " << u8(ntds);
            a = validArgs(root.set);
            a.logs = ntds;
            EXPECT_EQ(registerA(r.hbc, a), ERROR_INVALID_PARAMETER) << "log path " << u8(ntds);
        }
        for (const char16_t *path : {u"C:\\WinBackup\\..\\WinBackup\\RestoredLogs", u"\\\\DC02\\C$\\WinBackup\\RestoredLogs\\..",
                                     u"C:\\..\\WinBackup"}) {
            Args a = validArgs(root.set);
            a.backupLogs = path;
            EXPECT_EQ(registerW(r.hbc, a), ERROR_INVALID_PARAMETER) << "backup log path " << u8(path);
        }
        for (const char16_t *path : {u"C:\\Windows\\NTDS\\..\\NTDS\\ntds.dit", u"\\\\DC02\\C$\\Windows\\..\\Windows\\NTDS\\ntds.dit"}) {
            Args a = validArgs(root.set);
            a.restored = path;
            EXPECT_EQ(registerW(r.hbc, a), ERROR_INVALID_PARAMETER) << "new database name " << u8(path);
        }
    }
    expectStarts("DC02");
}

TEST(DsRestoreRegister, RequiresEachNewDatabaseNameToBeADatabaseLocation) {  // contract: one of the DC's 0x44 locations, each at most once -> else 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        for (const char16_t *path : {u"C:\\Windows\\NTDS", u"C:\\Windows\\NTDS\\edb.chk", u"C:\\Windows\\NTDS\\edb.log",
                                     u"C:\\Windows\\NTDS\\other.dit", u"C:\\Windows\\NTDS\\ntds.dit.bak", u"C:\\ntds.dit",
                                     u"\\\\DC02\\C$\\Windows\\NTDS\\edb00001.log", u"ntds.dit", u""}) {
            Args a = validArgs(root.set);
            a.restored = path;
            EXPECT_EQ(registerW(r.hbc, a), ERROR_INVALID_PARAMETER) << "new database name \"" << u8(path) << "\"";
            EXPECT_EQ(registerA(r.hbc, a), ERROR_INVALID_PARAMETER) << "new database name \"" << u8(path) << "\"";
        }
        // szDatabaseName must not be empty
        Args a = validArgs(root.set);
        a.original = u"";
        EXPECT_EQ(registerW(r.hbc, a), ERROR_INVALID_PARAMETER) << "an empty szDatabaseName";
        // the same location twice, spelled two ways
        std::u16string o(root.set.database), unc(uncDatabase("DC02")), drive(u"C:\\Windows\\NTDS\\ntds.dit"),
            n(uncNtds("DC02")), b(kRestoredLogsW);
        EDB_RSTMAPW twice[2] = {{o.data(), unc.data()}, {o.data(), drive.data()}};
        EXPECT_EQ(DsRestoreRegisterW(r.hbc, n.c_str(), n.c_str(), twice, 2, b.c_str(), root.set.genLow, root.set.genHigh),
                  ERROR_INVALID_PARAMETER);
    }
    expectStarts("DC02");
}

TEST(DsRestoreRegister, AcceptsAnyOriginalDatabaseName) {  // contract: szDatabaseName any non-empty name (of any server)
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    for (const char16_t *name : {u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", u"\\\\ELSEWHERE\\D$\\AD\\ntds.dit", u"ntds.dit",
                                 u"x", u"C:\\Windows\\NTDS\\ntds.dit"}) {
        Args a = validArgs(root.set);
        a.original = name;
        EXPECT_EQ(registerW(r.hbc, a), S_OK) << u8(name);
        EXPECT_EQ(registerA(r.hbc, a), S_OK) << u8(name);
    }
}

TEST(DsRestoreRegister, AcceptsTheThreeSpellingsOfEveryPath) {  // contract: each path may be UNC, drive or local
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    std::u16string ntds[3] = {uncNtds("DC02"), u"C:\\Windows\\NTDS", u16(TestRoot::logDir("DC02"))};
    std::u16string dit[3] = {uncDatabase("DC02"), u"C:\\Windows\\NTDS\\ntds.dit", u16(TestRoot::ntdsDit("DC02"))};
    std::u16string logs[3] = {u"\\\\DC02\\C$\\WinBackup\\RestoredLogs", kRestoredLogsW,
                              u16(TestRoot::local("DC02", kRestoredLogs))};
    const char *spelling[3] = {"UNC", "drive", "local"};
    for (int i = 0; i < 3; ++i) {
        Args a = validArgs(root.set);
        a.checkpoint = ntds[i];
        EXPECT_EQ(registerW(r.hbc, a), S_OK) << "checkpoint path, " << spelling[i] << ": " << u8(ntds[i]);
        a = validArgs(root.set);
        a.logs = ntds[i];
        EXPECT_EQ(registerA(r.hbc, a), S_OK) << "log path, " << spelling[i] << ": " << u8(ntds[i]);
        a = validArgs(root.set);
        a.restored = dit[i];
        EXPECT_EQ(registerW(r.hbc, a), S_OK) << "new database name, " << spelling[i] << ": " << u8(dit[i]);
        a = validArgs(root.set);
        a.backupLogs = logs[i];
        EXPECT_EQ(registerA(r.hbc, a), S_OK) << "backup log path, " << spelling[i] << ": " << u8(logs[i]);
    }
    // the local spellings throughout, then the restore is applied
    Args local{ntds[2], ntds[2], root.set.database, dit[2], logs[2], root.set.genLow, root.set.genHigh};
    ASSERT_EQ(registerW(r.hbc, local), S_OK);
    copyDatabase(root.set, "DC02");
    copyLogs(root.set, "DC02");
    ASSERT_EQ(r.complete(), S_OK);
    ASSERT_EQ(r.end(), S_OK);
    expectRestored("DC02", root.set);
}

TEST(DsRestoreRegister, RegisteringAgainFromTheSameSessionReplacesTheRegistration) {  // contract: registering again replaces it
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.registerSet("DC02", root.set, root.set.genLow + 1, root.set.genHigh), S_OK);  // a range too high
    ASSERT_EQ(r.registerSet("DC02", root.set), S_OK);                                         // replaced by the right one
    copyDatabase(root.set, "DC02");
    copyLogs(root.set, "DC02");
    ASSERT_EQ(r.complete(), S_OK);
    ASSERT_EQ(r.end(), S_OK);
    expectRestored("DC02", root.set);
}

TEST(DsRestoreRegister, RefusesWhileAnotherProcessHasRegistered) {  // contract: another process's session registered, not ended -> hrRestoreInProgress
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        RegisteringChild child(root.set, /*hold=*/true);
        ASSERT_EQ(child.registered(), S_OK) << "the child's DsRestoreRegisterW";
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok()) << "Prepare is not refused, only Register";
        EXPECT_EQ(r.registerSet("DC02", root.set), hrRestoreInProgress);
        EXPECT_EQ(registerA(r.hbc, validArgs(root.set)), hrRestoreInProgress);
        EXPECT_EQ(r.complete(), ERROR_INVALID_PARAMETER) << "this session registered nothing";
        expectStartRefused("DC02");
        EXPECT_EQ(child.finish(), 0);
        // the child's session ended: a new registration may replace its one
        EXPECT_EQ(r.registerSet("DC02", root.set), S_OK);
        copyDatabase(root.set, "DC02");
        copyLogs(root.set, "DC02");
        EXPECT_EQ(r.complete(), S_OK);
    }
    expectRestored("DC02", root.set);
}

TEST(DsRestoreRegister, AnotherProcessIsRefusedWhileThisOneHasRegistered) {  // contract: -> hrRestoreInProgress until the session ends
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.registerSet("DC02", root.set), S_OK);
    {
        RegisteringChild child(root.set, /*hold=*/false);
        EXPECT_EQ(child.registered(), hrRestoreInProgress);
        EXPECT_EQ(waitExit(child.pid), 0);
        child.pid = -1;
    }
    ASSERT_EQ(r.complete(), S_OK);  // complete does not end the session: still refused
    {
        RegisteringChild child(root.set, /*hold=*/false);
        EXPECT_EQ(child.registered(), hrRestoreInProgress) << "after RegisterComplete, before DsRestoreEnd";
        EXPECT_EQ(waitExit(child.pid), 0);
        child.pid = -1;
    }
    ASSERT_EQ(r.end(), S_OK);
    RegisteringChild child(root.set, /*hold=*/false);
    EXPECT_EQ(child.registered(), S_OK) << "after DsRestoreEnd";
    EXPECT_EQ(waitExit(child.pid), 0);
    child.pid = -1;
}

// --- DsRestoreRegisterComplete ---------------------------------------------------------------------

TEST(DsRestoreRegisterComplete, ASuccessCodeLetsTheNextStartApplyTheRestore) {  // contract: hr a success code: the restore is complete
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    root.create("DC03", kSmallNtdsOffline);
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    expectRestored("DC02", root.set);
    RestoreSteps sFalse;
    sFalse.state = 1;  // S_FALSE: a success code too
    ASSERT_TRUE(restoreSet(root.set, "DC03", sFalse));
    expectRestored("DC03", root.set);
}

TEST(DsRestoreRegisterComplete, AFailureCodeKeepsTheDcFromStarting) {  // contract: a failure hr: hrRestoreInProgress until a good restore
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    for (HRESULT failure : {kEFail, hrError, static_cast<HRESULT>(0x80000000u)}) {
        RestoreSteps failed;
        failed.state = failure;
        ASSERT_TRUE(restoreSet(root.set, "DC02", failed)) << "failure 0x" << std::hex << failure;
        expectStartRefused("DC02");
        expectStartRefused("DC02");  // and again: nothing changes by trying
    }
    // a new good registration, completed: the DC starts with the backup's content
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    expectRestored("DC02", root.set);
}

TEST(DsRestoreRegisterComplete, RefusesAContextThatRegisteredNothing) {  // contract: this session registered nothing -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.complete(), ERROR_INVALID_PARAMETER);
        EXPECT_EQ(r.complete(kEFail), ERROR_INVALID_PARAMETER);
        Args a = validArgs(root.set);
        a.genLow = 0;
        EXPECT_EQ(registerW(r.hbc, a), ERROR_INVALID_PARAMETER);
        EXPECT_EQ(r.complete(), ERROR_INVALID_PARAMETER) << "after a refused Register";
    }
    expectStarts("DC02");
    // another session's registration is not this one's
    {
        Restore first("DC02", root.set);
        ASSERT_TRUE(first.ok());
        ASSERT_EQ(first.registerSet("DC02", root.set), S_OK);
    }
    Restore second("DC02", root.set);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second.complete(), ERROR_INVALID_PARAMETER);
    expectStartRefused("DC02");  // the first registration is still open
}

TEST(DsRestoreRegisterComplete, RefusesARestrictedHandleWithMissingExpiryToken) {  // contract: restricted -> hrMissingExpiryToken
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore restricted("DC02", nullptr, 0);
        ASSERT_TRUE(restricted.ok());
        EXPECT_EQ(restricted.complete(), hrMissingExpiryToken);
        EXPECT_EQ(restricted.complete(kEFail), hrMissingExpiryToken);
    }
    // a registration of another session is left alone
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(r.registerSet("DC02", root.set), S_OK);
    }
    Restore restricted("DC02", nullptr, 0);
    ASSERT_TRUE(restricted.ok());
    EXPECT_EQ(restricted.complete(), hrMissingExpiryToken);
    expectStartRefused("DC02");
}

// --- DsRestoreEnd ----------------------------------------------------------------------------------

TEST(DsRestoreEnd, EndsTheContextOnce) {  // contract: S_OK; an ended handle -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set), restricted("DC02", nullptr, 0);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(restricted.ok());
    EXPECT_EQ(r.end(), S_OK);
    EXPECT_EQ(restricted.end(), S_OK);
    EXPECT_EQ(DsRestoreEnd(r.hbc), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsRestoreEnd(restricted.hbc), ERROR_INVALID_PARAMETER);
    expectStarts("DC02");
}

TEST(DsRestoreEnd, RefusesABackupContext) {  // contract: a backup context -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(DsRestoreEnd(b.hbc), ERROR_INVALID_PARAMETER);
    // the backup goes on
    std::vector<uint8_t> stream;
    std::vector<std::u16string> names;
    ASSERT_EQ(b.databaseNames(&names), S_OK);
    EXPECT_EQ(b.copy(names.at(0), &stream), S_OK);
    EXPECT_EQ(b.end(), S_OK);
}

TEST(DsRestoreEnd, LeavesAnUncompletedRegistration) {  // contract: an uncompleted registration stays
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    {
        Restore r("DC02", root.set);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(r.registerSet("DC02", root.set), S_OK);
        copyDatabase(root.set, "DC02");
        copyLogs(root.set, "DC02");
        EXPECT_EQ(r.end(), S_OK);  // without RegisterComplete
    }
    expectStartRefused("DC02");
    ASSERT_TRUE(restoreSet(root.set, "DC02"));
    expectRestored("DC02", root.set);
}
