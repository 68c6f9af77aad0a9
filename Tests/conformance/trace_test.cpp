// WINBACKUP_TRACE and WINBACKUP_STRICT (docs/TRACING.md). The library reads them once per process,
// so each case runs this test program again as a child (`conformance_tests --scenario NAME`) with
// the variables set, then reads back the trace file, the child's stdout and its stderr.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "helpers.h"
#include "winbackup.h"

extern char **environ;

using namespace wbtest;

namespace {

// ---- the children ---------------------------------------------------------------------------

HBC prepare() {
    void *token = nullptr;
    DWORD cb = 0;
    HBC hbc = nullptr;
    if (DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_FULL, &token, &cb, &hbc) != S_OK) exit(10);
    DsBackupFree(token);
    return hbc;
}

int backupScenario() {
    HBC hbc = prepare();
    WCHAR *names = nullptr;
    DWORD cb = 0;
    if (DsBackupGetDatabaseNamesW(hbc, &names, &cb) != S_OK) return 11;
    DsBackupFree(names);
    LARGE_INTEGER size;
    if (DsBackupOpenFileW(hbc, u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", 65536, &size) != S_OK) return 12;
    std::vector<char> buf(65536);
    DWORD got = 0;
    while (DsBackupRead(hbc, buf.data(), 65536, &got) == S_OK) {}
    DsBackupClose(hbc);
    DsBackupEnd(hbc);
    return 0;
}

// One of each misuse strict mode reports.
int misuseScenario() {
    HBC forgotten = prepare();                                // never ended, its file never closed
    WCHAR *names = nullptr;
    DWORD cb = 0;
    DsBackupGetDatabaseNamesW(forgotten, &names, &cb);        // never freed
    std::vector<char> buf(65536);
    DWORD got = 0;
    DsBackupRead(forgotten, buf.data(), 65536, &got);         // no file open: out of order
    LARGE_INTEGER size;
    DsBackupOpenFileA(forgotten, "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", 65536, &size);
    WbStopServerA("DC01");                                    // lets a second backup begin below
    WbStartServerA("DC01");
    return 0;
}

int staleScenario() {
    HBC hbc = prepare();
    DsBackupEnd(hbc);
    DsBackupClose(hbc);                                       // used after its End
    return 0;
}

int jetScenario() {
    JET_INSTANCE inst = 0;
    if (JetCreateInstanceA(&inst, "ESE01") != 0 || JetInit(&inst) != 0) return 13;
    if (JetBeginExternalBackupInstance(inst, 0) != 0) return 14;
    return 0;                                                 // neither JetEndExternalBackup nor JetTerm
}

// Prints WbReportA's result and text on stdout.
void printReport() {
    DWORD need = 0;
    if (WbReportA(nullptr, 0, &need) != ERROR_INSUFFICIENT_BUFFER) exit(20);
    std::string text(need, '\0');
    HRESULT hr = WbReportA(text.data(), need, &need);
    printf("HR %d\n%s", static_cast<int>(hr), text.c_str());
    fflush(stdout);
}

}  // namespace

namespace wbtest {
int runScenario(const char *name) {
    int rc = 99;
    if (!strcmp(name, "backup")) rc = backupScenario();
    if (!strcmp(name, "misuse")) rc = misuseScenario();
    if (!strcmp(name, "stale")) rc = staleScenario();
    if (!strcmp(name, "jet")) rc = jetScenario();
    printReport();
    return rc;
}
}  // namespace wbtest

namespace {

// ---- the parent ------------------------------------------------------------------------------

std::string slurp(const std::string &path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines(const std::string &text) {
    std::vector<std::string> out;
    std::stringstream s(text);
    for (std::string l; std::getline(s, l);) out.push_back(l);
    return out;
}

struct Child {
    int status = -1;
    std::string out, err;
};

// Runs `conformance_tests --scenario NAME` with extra environment variables.
Child runScenarioChild(const char *scenario, const std::vector<std::string> &env, const std::string &dir) {
    std::vector<std::string> vars;
    for (char **e = environ; *e; ++e) {
        if (strncmp(*e, "WINBACKUP_TRACE=", 16) && strncmp(*e, "WINBACKUP_STRICT=", 17)) vars.push_back(*e);
    }
    vars.insert(vars.end(), env.begin(), env.end());
    std::vector<char *> envp;
    for (auto &v : vars) envp.push_back(v.data());
    envp.push_back(nullptr);
    std::string self = "/proc/self/exe", flag = "--scenario", name = scenario;
    char *argv[] = {self.data(), flag.data(), name.data(), nullptr};
    std::string out = dir + "/child.out", err = dir + "/child.err";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    pid_t pid = 0;
    Child c;
    EXPECT_EQ(posix_spawn(&pid, exe, &fa, nullptr, argv, envp.data()), 0);
    posix_spawn_file_actions_destroy(&fa);
    waitpid(pid, &c.status, 0);
    c.out = slurp(out);
    c.err = slurp(err);
    return c;
}

// The raw JSON value of "key" in a line: a string (still escaped), a number, an object or null.
std::string field(const std::string &line, const std::string &key, size_t from = 0) {
    size_t at = line.find("\"" + key + "\":", from);
    if (at == std::string::npos) return "<missing>";
    size_t i = at + key.size() + 3, start = i;
    if (line[i] == '"') {
        for (++i; line[i] != '"'; ++i) if (line[i] == '\\') ++i;
        return line.substr(start + 1, i - start - 1);
    }
    int depth = 0;
    for (; i < line.size(); ++i) {
        if (line[i] == '{') ++depth;
        if (line[i] == '}' && depth-- == 0) break;
        if (line[i] == ',' && depth == 0) break;
    }
    return line.substr(start, i - start);
}

// Each line is one JSON object with the seven fields, in order.
void expectWellFormed(const std::string &line) {
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
    size_t at = 0;
    for (const char *key : {"\"t\":", "\"pid\":", "\"tid\":", "\"fn\":", "\"args\":{", "\"result\":", "\"us\":"}) {
        size_t next = line.find(key, at);
        EXPECT_NE(next, std::string::npos) << key << " in " << line;
        at = next;
    }
}

std::vector<std::string> strictLines(const std::string &stderrText) {
    std::vector<std::string> out;
    for (auto &l : lines(stderrText)) {
        if (l.rfind("winbackup strict: ", 0) == 0) out.push_back(l.substr(18));
    }
    return out;
}

bool anyStartsWith(const std::vector<std::string> &ls, const std::string &prefix) {
    for (auto &l : ls) if (l.rfind(prefix, 0) == 0) return true;
    return false;
}

}  // namespace

TEST(Trace, EveryCallOfABackupIsOneLineWithItsArgumentsAndResult) {  // TRACING.md "The trace"
    OneServer root;
    std::string file = root.path() + "/trace.jsonl";
    Child c = runScenarioChild("backup", {"WINBACKUP_TRACE=" + file}, root.path());
    ASSERT_EQ(c.status, 0) << c.err;
    auto ls = lines(slurp(file));
    ASSERT_GE(ls.size(), 9u);
    std::vector<std::string> fns;
    for (auto &l : ls) {
        expectWellFormed(l);
        fns.push_back(field(l, "fn"));
        EXPECT_EQ(field(l, "pid"), field(ls[0], "pid"));
    }
    EXPECT_EQ(fns[0], "DsBackupPrepareW");
    EXPECT_EQ(fns[1], "DsBackupFree");
    EXPECT_EQ(fns[2], "DsBackupGetDatabaseNamesW");
    EXPECT_EQ(fns[4], "DsBackupOpenFileW");
    ASSERT_EQ(fns.back(), "WbReportA");  // twice: the size, then the text
    size_t end = fns.size() - 3;
    EXPECT_EQ(fns[end - 1], "DsBackupClose");
    EXPECT_EQ(fns[end], "DsBackupEnd");
    EXPECT_EQ(field(ls[0], "szBackupServer"), "DC01");
    EXPECT_EQ(field(ls[0], "btFlag"), "0x1");
    EXPECT_EQ(field(ls[0], "result"), "{\"name\":\"S_OK\",\"value\":0,\"hex\":\"0x0\"}");
    std::string hbc = field(ls[0], "phbc");
    EXPECT_EQ(hbc.substr(0, 4), "0x42");
    EXPECT_EQ(field(ls[1], "pvBuffer"), field(ls[0], "ppvExpiryToken"));  // the token, freed
    EXPECT_EQ(field(ls[1], "result"), "null");
    EXPECT_EQ(field(ls[4], "hbc"), hbc);
    EXPECT_EQ(field(ls[4], "szAttachmentName"), "\\\\\\\\DC01\\\\C$\\\\Windows\\\\NTDS\\\\ntds.dit");  // JSON-escaped
    EXPECT_EQ(field(ls[4], "cbReadHintSize"), "65536");
    long long fileSize = std::stoll(field(ls[4], "pliFileSize"));  // (pages + 3) * 8192
    EXPECT_GT(fileSize, 2 * 1024 * 1024 - 8 * 8192);
    EXPECT_EQ(fileSize % 8192, 0);
    const std::string &eof = ls[end - 2];
    EXPECT_EQ(field(eof, "fn"), "DsBackupRead");
    EXPECT_EQ(field(eof, "result"), "{\"name\":\"ERROR_HANDLE_EOF\",\"value\":38,\"hex\":\"0x26\"}");
    EXPECT_EQ(field(eof, "pcbRead"), "<missing>");  // outputs only after success
    EXPECT_EQ(field(ls[5], "pcbRead"), "65536");
}

TEST(Trace, ResultsOfJetCallsAreJetErrors) {
    OneServer root;
    root.create("ESE01", "--role ese --db-size 2M --logs 2 --log-size 64K");
    std::string file = root.path() + "/trace.jsonl";
    Child c = runScenarioChild("jet", {"WINBACKUP_TRACE=" + file}, root.path());
    ASSERT_EQ(c.status, 0) << c.err;
    auto ls = lines(slurp(file));
    ASSERT_EQ(ls.size(), 5u);  // and WbReportA twice
    EXPECT_EQ(field(ls[0], "fn"), "JetCreateInstanceA");
    EXPECT_EQ(field(ls[0], "szInstanceName"), "ESE01");
    EXPECT_EQ(field(ls[1], "*pinstance"), field(ls[0], "pinstance"));
    EXPECT_EQ(field(ls[2], "instance"), field(ls[0], "pinstance"));
    EXPECT_EQ(field(ls[2], "result"), "{\"name\":\"JET_errSuccess\",\"value\":0}");
}

TEST(Trace, NothingIsTracedOrReportedWhenTheVariablesAreUnset) {  // off by default
    OneServer root;
    Child c = runScenarioChild("misuse", {}, root.path());
    EXPECT_EQ(c.status, 0);
    EXPECT_EQ(c.err, "");
    EXPECT_EQ(c.out, "HR 1\n");  // S_FALSE: strict mode is off
}

TEST(Strict, ReportsEachMisuseNamingTheFunctionOnDemandAndAtExit) {  // TRACING.md "Strict mode"
    OneServer root;
    Child c = runScenarioChild("misuse", {"WINBACKUP_STRICT=1"}, root.path());
    ASSERT_EQ(c.status, 0) << c.err;
    auto onDemand = lines(c.out);
    ASSERT_FALSE(onDemand.empty());
    EXPECT_EQ(onDemand[0], "HR 0");
    onDemand.erase(onDemand.begin());
    auto atExit = strictLines(c.err);
    for (auto *report : {&onDemand, &atExit}) {
        EXPECT_TRUE(anyStartsWith(*report, "call out of order: DsBackupRead returned hrInvalidHandle")) << c.out << c.err;
        EXPECT_TRUE(anyStartsWith(*report, "session never ended: DsBackupPrepareW returned 0x42")) << c.err;
        EXPECT_TRUE(anyStartsWith(*report, "file never closed: \\\\DC01\\C$\\Windows\\NTDS\\ntds.dit opened by DsBackupOpenFileA"))
            << c.err;
        EXPECT_TRUE(anyStartsWith(*report, "buffer never freed: DsBackupGetDatabaseNamesW returned 0x")) << c.err;
    }
    EXPECT_EQ(onDemand, atExit);
}

TEST(Strict, ReportsAHandleUsedAfterItsEnd) {
    OneServer root;
    Child c = runScenarioChild("stale", {"WINBACKUP_STRICT=1"}, root.path());
    ASSERT_EQ(c.status, 0) << c.err;
    auto atExit = strictLines(c.err);
    ASSERT_EQ(atExit.size(), 1u) << c.err;
    EXPECT_EQ(atExit[0].rfind("handle used after its End: DsBackupClose(hbc=0x42", 0), 0u) << atExit[0];
    EXPECT_NE(atExit[0].find(") after DsBackupEnd"), std::string::npos) << atExit[0];
}

TEST(Strict, ReportsAJetBackupAndInstanceNeverEnded) {
    OneServer root;
    root.create("ESE01", "--role ese --db-size 2M --logs 2 --log-size 64K");
    Child c = runScenarioChild("jet", {"WINBACKUP_STRICT=1"}, root.path());
    ASSERT_EQ(c.status, 0) << c.err;
    auto atExit = strictLines(c.err);
    EXPECT_TRUE(anyStartsWith(atExit, "session never ended: JetCreateInstanceA returned 0x4A")) << c.err;
    EXPECT_TRUE(anyStartsWith(atExit, "Jet backup still running: instance 0x4A")) << c.err;
}

TEST(Strict, ACleanBackupReportsNothing) {
    OneServer root;
    Child c = runScenarioChild("backup", {"WINBACKUP_STRICT=1"}, root.path());
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_EQ(c.out, "HR 0\n");
    EXPECT_EQ(c.err, "");
}
