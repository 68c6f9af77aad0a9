// The process mode of the stress test (--processes P): P processes run the thread mix against the
// same servers under one root, as separate backup agents would. The parent creates the servers and
// a spare per process before it starts them; each child restores onto its own spares, writes its
// figures to a file, and exits 0 (nothing unexpected) or 1; the parent adds the figures up and runs
// the final consistency checks once, after all have exited.
#include <sys/wait.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "stress.h"

namespace stress {

namespace {

std::string figuresPath(int k) { return rootDir + "/figures-" + std::to_string(k) + ".txt"; }

// One line a figure, tab-separated: "calls N", "ran S", "left N", "unexpected N", "op N KIND",
// "code N KEY", "bad TEXT".
struct ChildFigures {
    bool read = false;
    double ran = 0;
    uint64_t calls = 0, unexpected = 0, left = 0;
};

ChildFigures mergeFigures(int k) {
    ChildFigures f;
    std::ifstream in(figuresPath(k));
    if (!in) return f;
    std::string line;
    std::string prefix = "[process " + std::to_string(k) + "] ";
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string kind, number, rest;
        std::getline(ls, kind, '\t');
        if (kind == "bad") {
            std::getline(ls, rest);
            std::lock_guard<std::mutex> g(stats.m);
            if (stats.unexpected.size() < 40) stats.unexpected.push_back(prefix + rest);
            continue;
        }
        std::getline(ls, number, '\t');
        std::getline(ls, rest);
        uint64_t n = strtoull(number.c_str(), nullptr, 10);
        if (kind == "calls") f.calls = n, stats.calls += n;
        else if (kind == "ran") f.ran = atof(number.c_str());
        else if (kind == "left") f.left = n;
        else if (kind == "unexpected") f.unexpected = n;
        else if (kind == "op") stats.op(rest, n);
        else if (kind == "code") stats.code(rest, n);
        else if (kind == "end") f.read = true;  // the file is complete
    }
    std::lock_guard<std::mutex> g(stats.m);
    stats.unexpectedCount += f.unexpected;
    return f;
}

}  // namespace

std::string spareName(const std::string &server, int k) { return server + "-R" + (k == 0 ? "" : std::to_string(k)); }

bool writeFigures(double ran, size_t left) {
    std::ofstream out(figuresPath(processIndex()), std::ios::trunc);
    std::lock_guard<std::mutex> g(stats.m);
    out << "calls\t" << stats.calls.load() << "\nran\t" << ran << "\nleft\t" << left << "\nunexpected\t" << stats.unexpectedCount << "\n";
    for (auto &[k, n] : stats.ops) out << "op\t" << n << "\t" << k << "\n";
    for (auto &[k, n] : stats.codes) out << "code\t" << n << "\t" << k << "\n";
    for (auto &u : stats.unexpected) out << "bad\t" << u << "\n";
    out << "end\t0\n";
    return static_cast<bool>(out);
}

namespace {

// Starts child k: this program with the same options, then --root, --seed, --child K and `more`.
pid_t spawnChild(int argc, char **argv, int k, const std::vector<std::string> &more) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        stats.bad("readlink /proc/self/exe failed: cannot start process " + std::to_string(k));
        return -1;
    }
    exe[n] = 0;
    // The same options; later ones win.
    std::vector<std::string> args(argv, argv + argc);
    args[0] = exe;
    for (const std::string &a : {std::string("--root"), rootDir, std::string("--seed"), std::to_string(opt.seed),
                                 std::string("--child"), std::to_string(k)})
        args.push_back(a);
    args.insert(args.end(), more.begin(), more.end());
    std::vector<char *> cargs;
    for (auto &a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execv(exe, cargs.data());
        _exit(127);
    }
    if (pid < 0) stats.bad("fork failed for process " + std::to_string(k));
    return pid;
}

// Waits for child k, adds its figures, prints a line about it. Returns its figures.
ChildFigures collectChild(int k, pid_t pid, const char *what) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) status = -1;
    ChildFigures f = mergeFigures(k);
    std::string how = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                      : WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                            : "status " + std::to_string(status);
    printf("  process %d (%s, pid %d): %s, ran %.1f s, %" PRIu64 " calls, %" PRIu64 " unexpected, %" PRIu64 " restores left\n", k, what,
           int(pid), how.c_str(), f.ran, f.calls, f.unexpected, f.left);
    // Exit 1 goes with unexpected results the figures hold; anything else is unexpected itself.
    bool exitOk = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || (WEXITSTATUS(status) == 1 && f.unexpected > 0));
    std::string name = "process " + std::to_string(k);
    if (!f.read) stats.bad(name + ": no complete " + figuresPath(k) + " (" + how + ")");
    else if (!exitOk) stats.bad(name + " ended with " + how + " (see " + rootDir + "/process-" + std::to_string(k) + ".out)");
    else if (WEXITSTATUS(status) == 0 && f.unexpected > 0) stats.bad(name + " exited 0 with unexpected results");
    return f;
}

// The backups the parent holds while the probe runs: one per server.
struct Held {
    void *handle = nullptr;
    JET_INSTANCE inst = 0;
};

std::vector<Held> holdAll() {
    std::vector<Held> held(servers.size());
    for (auto &s : servers) {
        Held &h = held[s->id];
        std::string ctx = "held by the parent: " + s->name;
        if (s->role == Role::Ntds) {
            void *token = nullptr;
            DWORD cb = 0;
            HBC hbc = nullptr;
            if (classify(Api::Hr, "DsBackupPrepareW (parent)", DsBackupPrepareW(u16(s->name).c_str(), 0, BACKUP_TYPE_FULL, &token, &cb, &hbc), {},
                         ctx) == Verdict::Ok)
                h.handle = hbc;
            DsBackupFree(token);
        } else if (s->role == Role::Ca) {
            HCSBC hbc = nullptr;
            if (classify(Api::Hr, "CertSrvBackupPrepareW (parent)", CertSrvBackupPrepareW(u16(s->name).c_str(), 0, CSBACKUP_TYPE_FULL, &hbc),
                         {}, ctx) == Verdict::Ok)
                h.handle = hbc;
        } else {
            JET_INSTANCE inst = 0;
            std::string system = local(s->name, "C:\\ESE");
            if (classify(Api::Jet, "JetCreateInstanceA (parent)", JetCreateInstanceA(&inst, ("parent" + std::to_string(s->id)).c_str()), {}, ctx) != Verdict::Ok) continue;
            h.inst = inst;
            if (classify(Api::Jet, "JetSetSystemParameterA (parent)", JetSetSystemParameterA(&inst, 0, JET_paramSystemPath, 0, system.c_str()),
                         {}, ctx) == Verdict::Ok &&
                classify(Api::Jet, "JetInit (parent)", JetInit(&inst), {}, ctx) == Verdict::Ok)
                classify(Api::Jet, "JetBeginExternalBackupInstance (parent)", JetBeginExternalBackupInstance(inst, 0), {}, ctx);
        }
    }
    return held;
}

void releaseAll(const std::vector<Held> &held) {
    for (auto &s : servers) {
        const Held &h = held[s->id];
        std::string ctx = "held by the parent: " + s->name;
        if (s->role == Role::Ntds && h.handle) classify(Api::Hr, "DsBackupEnd (parent)", DsBackupEnd(h.handle), {}, ctx);
        if (s->role == Role::Ca && h.handle) classify(Api::Hr, "CertSrvBackupEnd (parent)", CertSrvBackupEnd(h.handle), {}, ctx);
        if (s->role == Role::Ese && h.inst) {
            classify(Api::Jet, "JetEndExternalBackupInstance2 (parent)", JetEndExternalBackupInstance2(h.inst, JET_bitBackupEndAbort), {}, ctx);
            classify(Api::Jet, "JetTerm (parent)", JetTerm(h.inst), {}, ctx);
        }
    }
}

}  // namespace

bool probeHeldServers() {
    bool ok = true;
    auto busy = [&](Api api, const char *call, int64_t code, int64_t want, const std::string &name) {
        // Only the documented in-progress code: success would be a second backup of a held server.
        if (classify(api, call, code, {want}, name + " (held by another process)") != Verdict::Expected) ok = false;
        if (code == 0) stats.bad(std::string(call) + " succeeded on " + name + ", whose backup another process holds");
        stats.op("probe: calls on servers another process holds");
    };
    for (auto &s : servers) {
        std::string n = s->name;
        std::u16string w = u16(n);
        if (s->role == Role::Ntds) {
            for (bool wide : {false, true}) {
                void *token = nullptr;
                DWORD cb = 0;
                HBC hbc = nullptr;
                HRESULT hr = wide ? DsBackupPrepareW(w.c_str(), 0, BACKUP_TYPE_FULL, &token, &cb, &hbc)
                                  : DsBackupPrepareA(n.c_str(), 0, BACKUP_TYPE_FULL, &token, &cb, &hbc);
                busy(Api::Hr, wide ? "probe DsBackupPrepareW" : "probe DsBackupPrepareA", hr, hrBackupInProgress, n);
                if (hr == S_OK) DsBackupEnd(hbc), DsBackupFree(token);
            }
        } else if (s->role == Role::Ca) {
            for (DWORD type : {DWORD(CSBACKUP_TYPE_FULL), DWORD(CSBACKUP_TYPE_LOGS_ONLY)}) {
                HCSBC hbc = nullptr;
                HRESULT hr = CertSrvBackupPrepareW(w.c_str(), 0, type, &hbc);
                busy(Api::Hr, type == CSBACKUP_TYPE_FULL ? "probe CertSrvBackupPrepareW" : "probe CertSrvBackupPrepareW (LOGS_ONLY)", hr,
                     hrBackupInProgress, n);
                if (hr == S_OK) CertSrvBackupEnd(hbc);
            }
        } else {
            JET_INSTANCE inst = 0;
            std::string system = local(n, "C:\\ESE");
            if (classify(Api::Jet, "probe JetCreateInstanceW", JetCreateInstanceW(&inst, u16("probe" + std::to_string(s->id)).c_str()), {}, n) != Verdict::Ok ||
                classify(Api::Jet, "probe JetSetSystemParameterW",
                         JetSetSystemParameterW(&inst, 0, JET_paramSystemPath, 0, u16(system).c_str()), {}, n) != Verdict::Ok ||
                classify(Api::Jet, "probe JetInit", JetInit(&inst), {}, n) != Verdict::Ok) {
                ok = false;
                continue;
            }
            JET_ERR err = JetBeginExternalBackupInstance(inst, 0);
            busy(Api::Jet, "probe JetBeginExternalBackupInstance", err, -505, n);
            if (err == 0) JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort);
            JetTerm(inst);
        }
    }
    return ok;
}

double runChildren(int argc, char **argv) {
    // First the probe: with every server's backup held here, another process's Prepare and Begin
    // must answer the in-progress codes.
    std::vector<Held> held = holdAll();
    pid_t probe = spawnChild(argc, argv, opt.processes, {"--probe"});
    if (probe > 0) collectChild(opt.processes, probe, "probe");
    releaseAll(held);
    // Then the mix, in P processes at once.
    std::vector<pid_t> pids;
    for (int k = 0; k < opt.processes; ++k) pids.push_back(spawnChild(argc, argv, k, {}));
    double ran = 0;
    for (int k = 0; k < opt.processes; ++k) {
        if (pids[k] <= 0) continue;
        ChildFigures f = collectChild(k, pids[k], "mix");
        ran = std::max(ran, f.ran);
        stats.op("restores not done in the processes (time)", f.left);
    }
    return ran;
}

}  // namespace stress
