// Stress (issue 7, item 3): N worker threads x M emulated servers running backups, restores and
// early ends concurrently with a writer per server, plus a chaos thread that fires End, Close,
// Stop and Free at live handles of the other threads' sessions and at stale and made-up handles
// and pointers, for a bounded time. Each session uses the A or the W exports, chosen at random
// where both exist (Ds*, DsRestore*, Jet*; Certadm has W forms only). After a full backup of a
// CA, incremental (LOGS_ONLY) backups sometimes follow; each that follows on from the newest
// full set and its incrementals is restored with them (full, then the incrementals).
//
// Afterwards every server must pass its consistency check (a full backup through its own API that
// completes, whose last log records the server's content, a restart that keeps that content, a
// restore of it that shows it) and every backup that completed must restore byte-exact (the
// restored server's WbGetContentDigestA equals the digest the source's writer recorded in the
// last log of the newest set restored, WbReadLogDigestA).
//
// Every result is classified: success, a code documented for that call in that situation
// (docs/CONTRACT-*.md: hrBackupInProgress when another thread holds the server's backup;
// hrMissingFullBackup for an incremental before any full backup was recorded; 87 / E_HANDLE /
// -520 / -801 / hrInvalidHandle once the chaos thread ended, stopped or closed the session; 87 /
// E_HANDLE / -1003 for stale and made-up handles), or unexpected. Any unexpected result fails the
// run (exit 1). docs/HARDENING.md "Stress" describes the run and its figures.
//
// --processes P runs the thread mix in P processes at once (processes.cpp): the parent creates the
// servers and a spare per process, checks with a probe process that another process's Prepare on a
// server whose backup it holds gets the in-progress code, starts the P children, adds up their
// figures and runs the consistency checks once they all exited.
//
//   stress [--seconds S] [--threads N] [--servers M] [--processes P] [--seed X] [--root DIR] [--keep]
//          [--verify-seconds V] [--chaos-us U]
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

#include "stress.h"

using namespace stress;

namespace {

// --- threads ---------------------------------------------------------------------------------------

constexpr size_t kUnverifiedCap = 6;

void workerLoop(Worker &w) {
    while (Clock::now() < deadline) {
        Server &s = *servers[w.rng.below(int(servers.size()))];
        size_t pending;
        {
            std::lock_guard<std::mutex> g(s.setsMutex);
            pending = s.unverified.size();
        }
        if (pending > kUnverifiedCap) verifyOne(s, true, w.rng);
        else if (pending > 0 && w.rng.chance(15)) verifyOne(s, false, w.rng);
        else if (s.role == Role::Ca && w.rng.chance(20)) incrementalOnce(w, s);
        else if (backupOnce(w, s, false) == Outcome::Completed && s.role == Role::Ca && w.rng.chance(40)) {
            // Incrementals right after a full backup: one to three, while they complete.
            for (int n = 1 + w.rng.below(3); n > 0 && incrementalOnce(w, s) == Outcome::Completed; --n) {}
        }
    }
}

void writerLoop(Server &s, uint64_t seed) {
    Rng rng(seed);
    while (running.load()) {
        HRESULT hr = WbWriteServerA(s.name.c_str(), DWORD(1 + rng.below(4)));
        classify(Api::Hr, "WbWriteServerA", hr, {}, s.name);
        stats.op("writer transactions batches");
        std::this_thread::sleep_for(std::chrono::microseconds(500 + rng.below(3000)));
    }
}

// A value no Prepare returned: a made-up one, or a live handle with an older generation (stale:

// --- set-up and the final checks -------------------------------------------------------------------

// The servers of the run and their spares (one per process), made by this process if `create`
// (the single process, or the parent before it starts the children), else only named.
bool setUpServers(bool create) {
    const char *sizes = "--db-size 2M --logs 2 --log-size 64K";
    for (int i = 0; i < opt.servers; ++i) {
        auto s = std::make_unique<Server>();
        s->id = i;
        s->role = static_cast<Role>(i % 3);
        const char *prefix = s->role == Role::Ntds ? "DC" : s->role == Role::Ca ? "CA" : "ESE";
        s->name = prefix + std::to_string(i + 1);
        s->spare = spareName(s->name, processIndex());
        s->caName = s->name + "-CA";
        std::string opts = std::string("--role ") + roleName(s->role) + " " + sizes;
        std::string spareOpts = opts + " --offline" + (s->role == Role::Ca ? " --ca-name " + s->caName : "");
        if (create) {
            bool made = WbCreateServerA(s->name.c_str(), opts.c_str()) == S_OK;
            for (int k = 0; made && k < opt.processes; ++k) made = WbCreateServerA(spareName(s->name, k).c_str(), spareOpts.c_str()) == S_OK;
            if (!made) {
                printf("stress: cannot create %s or its spares\n", s->name.c_str());
                return false;
            }
            if (WbWriteServerA(s->name.c_str(), 3) != S_OK) return false;
        }
        servers.push_back(std::move(s));
    }
    return mapShared(create);
}

// A new CA has no full backup: an incremental Prepare must say hrMissingFullBackup (and nothing
// else: this runs before any other thread).
void probeNoFullBackup(Server &s) {
    HCSBC hbc = nullptr;
    HRESULT hr = CertSrvBackupPrepareW(u16(s.name).c_str(), 0, CSBACKUP_TYPE_LOGS_ONLY, &hbc);
    if (classify(Api::Hr, "CertSrvBackupPrepareW (LOGS_ONLY, new CA)", hr, {hrMissingFullBackup}, s.name) == Verdict::Ok) {
        stats.bad("CertSrvBackupPrepareW (LOGS_ONLY) succeeded on a CA without a full backup - " + s.name);
        CertSrvBackupEnd(hbc);
    }
}

// The server's own consistency check, with nothing else running: a full backup through its API
// that completes; the server's content equals what the backup's last log recorded; a restart
// (recovery) keeps it; a restore of the backup onto the spare shows it.
bool consistencyCheck(Worker &w, Server &s) {
    std::shared_ptr<BackupSet> set;
    if (backupOnce(w, s, true, &set) != Outcome::Completed) {
        stats.bad("consistency: the final full backup of " + s.name + " did not complete");
        return false;
    }
    HRESULT hr;
    std::string now = contentDigest(s.name, &hr);
    bool ok = classify(Api::Hr, "WbGetContentDigestA", hr, {}, s.name) == Verdict::Ok;
    if (ok && now != set->digest) {
        stats.bad("consistency: " + s.name + " shows " + now + ", its last backup recorded " + set->digest);
        ok = false;
    }
    if (classify(Api::Hr, "WbStopServerA", WbStopServerA(s.name.c_str()), {}, s.name) != Verdict::Ok ||
        classify(Api::Hr, "WbStartServerA", WbStartServerA(s.name.c_str()), {}, s.name) != Verdict::Ok)
        ok = false;
    std::string after = contentDigest(s.name, &hr);
    if (hr == S_OK && after != now) {
        stats.bad("consistency: " + s.name + " changed content across a restart");
        ok = false;
    }
    // And the backup restores: the spare shows what its last log recorded.
    {
        std::lock_guard<std::mutex> spare(s.spareMutex);
        {
            std::lock_guard<std::mutex> g(s.setsMutex);
            s.unverified.erase(std::remove(s.unverified.begin(), s.unverified.end(), Chain{set}), s.unverified.end());
        }
        bool restored = restoreOnto(s, {set}, w.rng);
        stats.op(std::string("restore ") + roleName(s.role) + (restored ? ": verified byte-exact" : ": FAILED"));
        ok = ok && restored;
    }
    stats.op(std::string("consistency check ") + roleName(s.role) + (ok ? ": passed" : ": FAILED"));
    return ok;
}

// The thread mix for --seconds: a writer per server, the workers, the chaos thread. Then the
// workers' Jet instances are terminated and no session may be left. Returns the seconds it ran.
double runMix() {
    auto start = Clock::now();
    deadline = start + std::chrono::milliseconds(static_cast<int64_t>(opt.seconds * 1000));
    uint64_t seed = processSeed();
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < opt.threads; ++i) workers.push_back(std::make_unique<Worker>(i, seed * 1000003 + uint64_t(i) + 1));
    std::vector<std::thread> writerThreads, workerThreads;
    for (auto &s : servers) writerThreads.emplace_back(writerLoop, std::ref(*s), seed * 7919 + uint64_t(s->id));
    for (auto &w : workers) workerThreads.emplace_back(workerLoop, std::ref(*w));
    std::thread chaos(chaosLoop, seed * 104729 + 17);
    for (auto &t : workerThreads) t.join();
    chaos.join();
    running = false;
    for (auto &t : writerThreads) t.join();
    double ran = std::chrono::duration<double>(Clock::now() - start).count();
    for (auto &w : workers)
        for (auto &[id, inst] : w->instances) classify(Api::Jet, "JetTerm2", JetTerm2(inst, JET_bitTermStopBackup), {}, "final");
    std::lock_guard<std::mutex> g(liveMutex);
    if (!live.empty()) stats.bad(std::to_string(live.size()) + " sessions still live after the workers ended");
    return ran;
}

// Every completed backup still waiting is restored, while the budget lasts (servers in parallel).
// Returns how many were left.
size_t verifyRemaining() {
    auto verifyEnd = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(opt.verifySeconds * 1000));
    std::vector<std::thread> verifiers;
    for (auto &s : servers)
        verifiers.emplace_back([&s, verifyEnd] {
            Rng rng(processSeed() * 31 + uint64_t(s->id));
            while (Clock::now() < verifyEnd && verifyOne(*s, true, rng)) {}
        });
    for (auto &t : verifiers) t.join();
    size_t left = 0;
    for (auto &s : servers) left += s->unverified.size();
    return left;
}

// The consistency check of every server, nothing else running. Returns how many passed.
size_t checkConsistency() {
    Worker finalWorker(opt.threads, processSeed() + 99);
    size_t consistent = 0;
    for (auto &s : servers) consistent += consistencyCheck(finalWorker, *s) ? 1 : 0;
    for (auto &[id, inst] : finalWorker.instances) JetTerm2(inst, JET_bitTermStopBackup);
    return consistent;
}

// This process's stderr (where the library writes): one "was not allocated" line per bogus Free
// its chaos thread made (a parent has none), nothing else. Counted in the figures.
void checkStderr(const std::string &path, bool ownChaos) {
    fflush(stderr);
    uint64_t notAllocated = 0, otherLines = 0;
    std::vector<std::string> others;
    {
        std::ifstream f(path);
        std::string line;
        while (std::getline(f, line)) {
            if (line.find("was not allocated by this library") != std::string::npos) ++notAllocated;
            else {
                ++otherLines;
                if (others.size() < 10) others.push_back(line);
            }
        }
    }
    uint64_t bogus = 0;
    if (ownChaos) {
        std::lock_guard<std::mutex> g(stats.m);
        bogus = stats.ops["chaos bogus frees"];
    }
    if (notAllocated != bogus)
        stats.bad("the library reported " + std::to_string(notAllocated) + " bogus frees, the chaos thread made " + std::to_string(bogus));
    for (auto &l : others) stats.bad("library stderr: " + l);
    stats.op("library stderr: bogus-free reports", notAllocated);
    stats.op("library stderr: other lines", otherLines);
}

void printFigures(double ran, size_t consistent, size_t left) {
    uint64_t verifiedFull = 0, verifiedChains = 0;
    printf("\nstress: ran %.1f s, %" PRIu64 " API calls classified\n", ran, stats.calls.load());
    printf("operations done:\n");
    for (auto &[k, n] : stats.ops) {
        printf("  %-66s %10" PRIu64 "\n", k.c_str(), n);
        if (k.rfind("restore ", 0) == 0 && k.find(": verified") != std::string::npos)
            (k.find("incrementals") != std::string::npos ? verifiedChains : verifiedFull) += n;
    }
    printf("results other than success, by call and code:\n");
    for (auto &[k, n] : stats.codes) printf("  %-70s %8" PRIu64 "\n", k.c_str(), n);
    printf("library stderr: %" PRIu64 " bogus-free reports (chaos made %" PRIu64 "), %" PRIu64 " other lines\n",
           stats.ops["library stderr: bogus-free reports"], stats.ops["chaos bogus frees"], stats.ops["library stderr: other lines"]);
    printf("consistency checks passed: %zu of %zu servers\n", consistent, servers.size());
    printf("restores verified byte-exact: %" PRIu64 " of %" PRIu64 " full sets, %" PRIu64 " of %" PRIu64
           " full + incremental chains (%zu not restored: time)\n",
           verifiedFull, stats.ops["restores queued: full sets"], verifiedChains, stats.ops["restores queued: full + incremental chains"], left);
    printf("unexpected: %" PRIu64 "\n", stats.unexpectedCount);
    for (auto &u : stats.unexpected) printf("  UNEXPECTED %s\n", u.c_str());
}

int usage() {
    printf("usage: stress [--seconds S] [--threads N] [--servers M] [--processes P] [--seed X] [--root DIR] [--keep]\n"
           "              [--verify-seconds V] [--chaos-us U]\n");
    return 2;
}

// Sends stdout or stderr (fd) to a file of the root.
bool redirect(int fd, const std::string &path) {
    int f = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    bool ok = f >= 0 && dup2(f, fd) >= 0;
    if (f >= 0) close(f);
    return ok;
}

}  // namespace

int main(int argc, char **argv) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
        const char *v = nullptr;
        if (a == "--keep") opt.keep = true;
        else if (a == "--seconds" && (v = value())) opt.seconds = atof(v);
        else if (a == "--threads" && (v = value())) opt.threads = atoi(v);
        else if (a == "--servers" && (v = value())) opt.servers = atoi(v);
        else if (a == "--processes" && (v = value())) opt.processes = atoi(v);
        else if (a == "--seed" && (v = value())) opt.seed = strtoull(v, nullptr, 0), opt.seedGiven = true;
        else if (a == "--root" && (v = value())) opt.root = v;
        else if (a == "--verify-seconds" && (v = value())) opt.verifySeconds = atof(v);
        else if (a == "--chaos-us" && (v = value())) opt.chaosMicros = atoi(v);
        else if (a == "--child" && (v = value())) opt.child = atoi(v);
        else if (a == "--probe") opt.probe = true;
        else return usage();
    }
    if (opt.threads < 1 || opt.servers < 1 || opt.servers > kMaxServers || opt.seconds <= 0 || opt.chaosMicros < 0 ||
        opt.processes < 1 || opt.processes > 16 || (opt.child >= 0 && opt.root.empty()))
        return usage();
    if (!opt.seedGiven) opt.seed = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) & 0xFFFFFFFF;
    if (opt.verifySeconds < 0) opt.verifySeconds = std::max(30.0, opt.seconds);
    setvbuf(stdout, nullptr, _IOLBF, 0);
    bool child = opt.child >= 0, parent = !child && opt.processes > 1;

    if (opt.root.empty()) {
        char tmpl[] = "/tmp/winbackup-stress-XXXXXX";
        if (!mkdtemp(tmpl)) return perror("mkdtemp"), 2;
        rootDir = tmpl;
    } else {
        rootDir = opt.root;
        fs::create_directories(rootDir);
    }
    setenv("WINBACKUP_ROOT", rootDir.c_str(), 1);
    // The library reports each bogus Free on stderr: keep those lines out of the output, and count
    // them. A child's output goes to a file its parent names if it fails.
    std::string suffix = child ? "-" + std::to_string(opt.child) : "";
    std::string stderrLog = rootDir + "/stderr" + suffix + ".log";
    if (!redirect(2, stderrLog)) return perror("stderr.log"), 2;
    if (child && !redirect(1, rootDir + "/process" + suffix + ".out")) return 2;

    if (!child)
        printf("stress: seed %" PRIu64 ", %g s, %d process%s x %d worker threads, %d servers (+%d spares), root %s\n", opt.seed,
               opt.seconds, opt.processes, opt.processes > 1 ? "es" : "", opt.threads, opt.servers, opt.servers * opt.processes,
               rootDir.c_str());
    if (!setUpServers(!child)) return printf("stress: cannot set up the servers under %s\n", rootDir.c_str()), 2;
    if (!child) {
        for (auto &s : servers)
            if (s->role == Role::Ca) probeNoFullBackup(*s);
        for (auto &s : servers)
            printf("  %s (%s), spare%s %s\n", s->name.c_str(), roleName(s->role), opt.processes > 1 ? "s" : "",
                   opt.processes > 1 ? (spareName(s->name, 0) + " ... " + spareName(s->name, opt.processes - 1)).c_str() : s->spare.c_str());
    }

    if (child && opt.probe) {
        probeHeldServers();
        checkStderr(stderrLog, false);
        if (!writeFigures(0, 0)) return 2;
        return stats.unexpectedCount == 0 ? 0 : 1;
    }
    if (child) {
        double ran = runMix();
        size_t left = verifyRemaining();
        checkStderr(stderrLog, true);
        if (!writeFigures(ran, left)) return 2;
        return stats.unexpectedCount == 0 ? 0 : 1;
    }
    double ran;
    size_t consistent, left;
    if (parent) {
        // The children run the mix and restore their own sets; then, with all of them gone, the
        // servers' consistency checks, once.
        ran = runChildren(argc, argv);
        consistent = checkConsistency();
        left = stats.ops["restores not done in the processes (time)"];
    } else {
        ran = runMix();
        consistent = checkConsistency();
        left = verifyRemaining();
    }
    checkStderr(stderrLog, !parent);
    printFigures(ran, consistent, left);
    bool pass = stats.unexpectedCount == 0 && consistent == servers.size();
    printf("stress: %s (seed %" PRIu64 ")\n", pass ? "PASS" : "FAIL", opt.seed);
    if (pass && !opt.keep) {
        std::error_code ec;
        fs::remove_all(rootDir, ec);
    } else {
        printf("stress: kept %s (stderr*.log hold the library's messages)\n", rootDir.c_str());
    }
    return pass ? 0 : 1;
}
