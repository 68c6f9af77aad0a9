// Stress (issue 7, item 3): N worker threads x M emulated servers running backups, restores and
// early ends concurrently with a writer per server, plus a chaos thread that fires End, Close,
// Stop and Free at live handles of the other threads' sessions and at stale and made-up handles
// and pointers, for a bounded time. Afterwards every server must pass its consistency check (a
// full backup through its own API that completes, whose last log records the server's content,
// a restart that keeps that content, a restore of it that shows it) and every backup that
// completed must restore byte-exact (the restored server's WbGetContentDigestA equals the digest
// the source's writer recorded in the backup's last log, WbReadLogDigestA).
//
// Every result is classified: success, a code documented for that call in that situation
// (docs/CONTRACT-*.md: hrBackupInProgress when another thread holds the server's backup; 87 /
// E_HANDLE / -520 / -801 / hrInvalidHandle once the chaos thread ended, stopped or closed the
// session; 87 / E_HANDLE / -1003 for stale and made-up handles), or unexpected. Any unexpected
// result fails the run (exit 1). docs/HARDENING.md "Stress" describes the run and its figures.
//
//   stress [--seconds S] [--threads N] [--servers M] [--seed X] [--root DIR] [--keep]
//          [--verify-seconds V] [--chaos-us U]
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "certbcli.h"
#include "esent.h"
#include "ntdsbcli.h"
#include "ntdsbmsg.h"
#include "winbackup.h"

#ifndef E_HANDLE
#define E_HANDLE ((HRESULT)0x80070006)
#endif

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// --- options -------------------------------------------------------------------------------------

struct Options {
    double seconds = 20;
    int threads = 4;
    int servers = 3;
    uint64_t seed = 0;
    bool seedGiven = false;
    std::string root;
    bool keep = false;
    double verifySeconds = -1;  // the final restores' budget; default max(30, seconds)
    int chaosMicros = 1500;     // mean pause of the chaos thread between actions
};

Options opt;

// --- figures -------------------------------------------------------------------------------------

struct Stats {
    std::mutex m;
    std::map<std::string, uint64_t> ops;    // operations done, by kind
    std::map<std::string, uint64_t> codes;  // "call: CODE" for every result other than success
    std::vector<std::string> unexpected;    // the first ones, in full
    uint64_t unexpectedCount = 0;
    std::atomic<uint64_t> calls{0};

    void op(const std::string &kind, uint64_t n = 1) {
        std::lock_guard<std::mutex> g(m);
        ops[kind] += n;
    }
    void code(const std::string &key) {
        std::lock_guard<std::mutex> g(m);
        ++codes[key];
    }
    void bad(const std::string &what) {
        std::lock_guard<std::mutex> g(m);
        ++unexpectedCount;
        if (unexpected.size() < 40) unexpected.push_back(what);
    }
};

Stats stats;

enum class Api { Hr, Jet };

std::string hex(uint64_t v) {
    char b[24];
    snprintf(b, sizeof b, "0x%08" PRIX64, v);
    return b;
}

std::string codeName(Api api, int64_t code) {
    if (api == Api::Jet) {
        switch (code) {
        case 0: return "JET_errSuccess";
        case -505: return "JET_errBackupInProgress";
        case -520: return "JET_errNoBackup";
        case -521: return "JET_errInvalidBackupSequence";
        case -801: return "JET_errBackupAbortByServer";
        case -1003: return "JET_errInvalidParameter";
        case -1011: return "JET_errOutOfMemory";
        case -1018: return "JET_errReadVerifyFailure";
        case -1029: return "JET_errNotInitialized";
        case -1202: return "JET_errDatabaseInUse";
        default: return "JET_err " + std::to_string(code);
        }
    }
    switch (static_cast<HRESULT>(code)) {
    case S_OK: return "S_OK";
    case 5: return "ERROR_ACCESS_DENIED";
    case 38: return "ERROR_HANDLE_EOF";
    case 87: return "ERROR_INVALID_PARAMETER";
    case E_HANDLE: return "E_HANDLE";
    case hrBackupInProgress: return "hrBackupInProgress";
    case hrInvalidHandle: return "hrInvalidHandle";
    case hrNoBackup: return "hrNoBackup";
    case hrInvalidBackupSequence: return "hrInvalidBackupSequence";
    case hrAlreadyOpen: return "hrAlreadyOpen";
    case hrCouldNotConnect: return "hrCouldNotConnect";
    case hrRestoreInProgress: return "hrRestoreInProgress";
    case hrDatabaseInUse: return "hrDatabaseInUse";
    case hrMissingLogFile: return "hrMissingLogFile";
    case WB_HR_BACKUP_ABORT_BY_SERVER: return "WB_HR_BACKUP_ABORT_BY_SERVER";
    case WB_HR_LOG_FILE_NOT_COPIED: return "WB_HR_LOG_FILE_NOT_COPIED";
    case WB_HR_MISSING_FILE_TO_BACKUP: return "WB_HR_MISSING_FILE_TO_BACKUP";
    default: return hex(static_cast<uint32_t>(code));
    }
}

// The verdict on one result.
enum class Verdict { Ok, Expected, Unexpected };

// Classifies `code` from `call`: success, one of `expected` (counted by name), or unexpected
// (counted and described with `context`).
Verdict classify(Api api, const char *call, int64_t code, const std::vector<int64_t> &expected,
                 const std::string &context) {
    stats.calls.fetch_add(1, std::memory_order_relaxed);
    if (code == 0) return Verdict::Ok;
    std::string key = std::string(call) + ": " + codeName(api, code);
    for (int64_t e : expected)
        if (e == code) {
            stats.code(key);
            return Verdict::Expected;
        }
    stats.code(key + " (UNEXPECTED)");
    stats.bad(key + " - " + context);
    return Verdict::Unexpected;
}

// --- small helpers ---------------------------------------------------------------------------------

std::u16string u16(const std::string &s) { return std::u16string(s.begin(), s.end()); }  // ASCII only
std::string u8(const std::u16string &s) {
    std::string out;
    for (char16_t c : s) out += c < 0x80 ? static_cast<char>(c) : '?';
    return out;
}

// The entries of a returned W multi-string (cb bytes, a final NUL).
std::vector<std::u16string> splitW(const WCHAR *list, DWORD cb) {
    std::vector<std::u16string> out;
    size_t n = cb / 2, i = 0;
    while (list && i < n && list[i] != 0) {
        std::u16string e;
        while (i < n && list[i] != 0) e += list[i++];
        out.push_back(e);
        ++i;
    }
    return out;
}

std::vector<std::string> splitA(const char *list, size_t cb) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < cb && list[i] != 0) {
        std::string e;
        while (i < cb && list[i] != 0) e += list[i++];
        out.push_back(e);
        ++i;
    }
    return out;
}

uint32_t generationOf(const std::string &name) {  // "...edbXXXXX.log" -> XXXXX, else 0
    size_t slash = name.find_last_of("\\/");
    std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    if (base.size() != 12 || base.compare(0, 3, "edb") != 0 || base.compare(8, 4, ".log") != 0) return 0;
    return static_cast<uint32_t>(strtoul(base.substr(3, 5).c_str(), nullptr, 16));
}

std::string baseName(const std::string &path) {
    size_t slash = path.find_last_of("\\/");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string logName(uint32_t g) {
    char b[16];
    snprintf(b, sizeof b, "edb%05X.log", g);
    return b;
}

bool writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(f);
}

bool copyFile(const std::string &from, const std::string &to) {
    std::error_code ec;
    fs::remove(to, ec);  // a restore deletes each destination first
    return fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec) && !ec;
}

// WbResolvePathA of a path on a server ("" on failure); a path that does not exist yet resolves too.
std::string local(const std::string &server, const char *path) {
    char buf[4096];
    DWORD need = 0;
    HRESULT hr = WbResolvePathA(server.c_str(), path, buf, sizeof buf, &need);
    return hr == S_OK ? std::string(buf) : std::string();
}

std::string logDigest(const std::string &file, HRESULT *hr) {
    char d[65] = {};
    *hr = WbReadLogDigestA(file.c_str(), d, sizeof d);
    return *hr == S_OK ? std::string(d) : std::string();
}

std::string contentDigest(const std::string &server, HRESULT *hr) {
    char d[65] = {};
    *hr = WbGetContentDigestA(server.c_str(), d, sizeof d);
    return *hr == S_OK ? std::string(d) : std::string();
}

// Per-thread random numbers, seeded from --seed and the thread's number.
struct Rng {
    std::mt19937_64 g;
    explicit Rng(uint64_t seed) : g(seed) {}
    uint64_t next() { return g(); }
    int below(int n) { return static_cast<int>(g() % static_cast<uint64_t>(n)); }
    bool chance(int percent) { return below(100) < percent; }
};

// --- servers, sets, sessions -----------------------------------------------------------------------

enum class Role { Ntds, Ca, Ese };
const char *roleName(Role r) { return r == Role::Ntds ? "ntds" : r == Role::Ca ? "certsrv" : "ese"; }

// A completed backup in a local folder: the database stream under `dbFile`, the logs under their
// names, and what the source's writer recorded at the end of the last one.
struct BackupSet {
    std::string dir;
    std::string dbFile;          // the database copy in dir
    std::u16string databaseW;    // the database as listed (Ds, CertSrv: the source's UNC)
    std::string databaseA;       // the database as listed (Jet: the source's local path)
    std::vector<uint8_t> token;  // Ds: the expiry token
    uint32_t genLow = 0, genHigh = 0;
    std::string digest;          // WbReadLogDigestA of the last log
};

struct Server {
    int id = 0;
    Role role = Role::Ntds;
    std::string name, spare, caName;
    std::mutex spareMutex;  // one restore onto the spare at a time
    // Jet chaos actions aimed at this server's backups (End, Stop): started and done. A -520 or
    // -801 is the chaos thread's doing when one started after the session's `done` snapshot.
    std::atomic<uint64_t> chaosStarted{0}, chaosDone{0};
    std::mutex setsMutex;
    std::deque<std::shared_ptr<BackupSet>> unverified;
    std::atomic<int> setSeq{0};
};

std::vector<std::unique_ptr<Server>> servers;
std::string rootDir;

// A backup session other threads may see (the chaos thread steals from these).
struct Session {
    Role role;
    Server *server;
    void *handle = nullptr;      // HBC / HCSBC
    JET_INSTANCE inst = 0;       // Jet
    std::atomic<bool> ended{false};   // the chaos thread called End on it
    std::atomic<bool> closed{false};  // the chaos thread called Close on it
};

std::mutex liveMutex;
std::vector<std::shared_ptr<Session>> live;
std::deque<std::pair<Role, void *>> retired;  // ended Ds/CertSrv handles: stale from now on
std::deque<JET_INSTANCE> staleInstances;      // terminated Jet instances

std::shared_ptr<Session> enlist(Role role, Server *s, void *handle, JET_INSTANCE inst) {
    auto e = std::make_shared<Session>();
    e->role = role;
    e->server = s;
    e->handle = handle;
    e->inst = inst;
    std::lock_guard<std::mutex> g(liveMutex);
    live.push_back(e);
    return e;
}

void retire(const std::shared_ptr<Session> &e) {
    std::lock_guard<std::mutex> g(liveMutex);
    live.erase(std::remove(live.begin(), live.end(), e), live.end());
    if (e->role != Role::Ese) {
        retired.emplace_back(e->role, e->handle);
        if (retired.size() > 256) retired.pop_front();
    }
}

std::atomic<bool> running{true};
Clock::time_point deadline;

// --- backups ---------------------------------------------------------------------------------------

// How a worker ends a backup on purpose before it completes.
enum class Plan { Complete, EndDuringDatabase, EndAfterDatabase, EndBeforeTruncate, StopMidway };

Plan pickPlan(Rng &rng, bool final) {
    if (final) return Plan::Complete;
    int r = rng.below(100);
    if (r < 80) return Plan::Complete;
    if (r < 85) return Plan::EndDuringDatabase;
    if (r < 90) return Plan::EndAfterDatabase;
    if (r < 95) return Plan::EndBeforeTruncate;
    return Plan::StopMidway;  // Jet: JetStopBackupInstance; Ds/CertSrv: End during a log
}

const char *planName(Plan p) {
    switch (p) {
    case Plan::Complete: return "complete";
    case Plan::EndDuringDatabase: return "end-during-database";
    case Plan::EndAfterDatabase: return "end-after-database";
    case Plan::EndBeforeTruncate: return "end-before-truncate";
    case Plan::StopMidway: return "stop-midway";
    }
    return "?";
}

enum class Outcome { Completed, Busy, AbortedOnPurpose, Stolen, Failed };

void countOutcome(Role role, Outcome o) {
    static const char *names[] = {"completed", "busy (another thread's backup)", "aborted on purpose",
                                  "stolen by chaos", "failed (unexpected)"};
    stats.op(std::string("backup ") + roleName(role) + ": " + names[static_cast<int>(o)]);
}

// The result of a step: go on, stop (stolen, or an end on purpose), or failed.
enum class Step { Go, Stolen, Failed };

// Ds and CertSrv: one backup through the W functions, the differences passed in.
struct HrFamily {
    const char *prefix;  // "Ds" or "CertSrv"
    HRESULT staleCode;   // 87 / E_HANDLE
    HRESULT (*getDatabaseNames)(void *, WCHAR **, DWORD *);
    HRESULT (*openFile)(void *, const WCHAR *, DWORD, LONGLONG *);
    HRESULT (*read)(void *, void *, DWORD, DWORD *);  // S_OK + 0 bytes or 38 at the end
    HRESULT (*close)(void *);
    HRESULT (*getBackupLogs)(void *, WCHAR **, DWORD *);
    HRESULT (*truncate)(void *);
    HRESULT (*end)(void *);
    void (*free)(void *);
};

HRESULT dsNames(void *h, WCHAR **l, DWORD *cb) { return DsBackupGetDatabaseNamesW(h, l, cb); }
HRESULT dsOpen(void *h, const WCHAR *n, DWORD hint, LONGLONG *size) {
    LARGE_INTEGER li;
    li.QuadPart = -1;
    HRESULT hr = DsBackupOpenFileW(h, n, hint, &li);
    *size = li.QuadPart;
    return hr;
}
HRESULT dsRead(void *h, void *b, DWORD cb, DWORD *got) { return DsBackupRead(h, b, cb, got); }
HRESULT dsClose(void *h) { return DsBackupClose(h); }
HRESULT dsLogs(void *h, WCHAR **l, DWORD *cb) { return DsBackupGetBackupLogsW(h, l, cb); }
HRESULT dsTruncate(void *h) { return DsBackupTruncateLogs(h); }
HRESULT dsEnd(void *h) { return DsBackupEnd(h); }
void dsFree(void *p) { DsBackupFree(p); }

HRESULT csNames(void *h, WCHAR **l, DWORD *cb) { return CertSrvBackupGetDatabaseNamesW(h, l, cb); }
HRESULT csOpen(void *h, const WCHAR *n, DWORD hint, LONGLONG *size) {
    LARGE_INTEGER li;
    li.QuadPart = -1;
    HRESULT hr = CertSrvBackupOpenFileW(h, n, hint, &li);
    *size = li.QuadPart;
    return hr;
}
HRESULT csRead(void *h, void *b, DWORD cb, DWORD *got) { return CertSrvBackupRead(h, b, cb, got); }
HRESULT csClose(void *h) { return CertSrvBackupClose(h); }
HRESULT csLogs(void *h, WCHAR **l, DWORD *cb) { return CertSrvBackupGetBackupLogsW(h, l, cb); }
HRESULT csTruncate(void *h) { return CertSrvBackupTruncateLogs(h); }
HRESULT csEnd(void *h) { return CertSrvBackupEnd(h); }
void csFree(void *p) { CertSrvBackupFree(p); }

const HrFamily kDs{"Ds", 87, dsNames, dsOpen, dsRead, dsClose, dsLogs, dsTruncate, dsEnd, dsFree};
const HrFamily kCs{"CertSrv", E_HANDLE, csNames, csOpen, csRead, csClose, csLogs, csTruncate, csEnd, csFree};

constexpr DWORD kChunk = 65536;

Outcome backupHr(Server &s, Rng &rng, bool final, const std::shared_ptr<BackupSet> &set, std::shared_ptr<BackupSet> *outSet) {
    const HrFamily &F = s.role == Role::Ntds ? kDs : kCs;
    std::string ctx = s.name;
    std::u16string wname = u16(s.name);
    void *h = nullptr;
    void *token = nullptr;
    DWORD cbToken = 0;
    HRESULT hr;
    if (s.role == Role::Ntds) {
        HBC hbc = nullptr;
        hr = DsBackupPrepareW(wname.c_str(), 0, BACKUP_TYPE_FULL, &token, &cbToken, &hbc);
        h = hbc;
    } else {
        HCSBC hbc = nullptr;
        hr = CertSrvBackupPrepareW(wname.c_str(), 0, CSBACKUP_TYPE_FULL, &hbc);
        h = hbc;
    }
    const char *prepName = s.role == Role::Ntds ? "DsBackupPrepareW" : "CertSrvBackupPrepareW";
    // Another thread's backup of the server is running: documented; in the final phase nothing else runs.
    Verdict v = classify(Api::Hr, prepName, hr, final ? std::vector<int64_t>{} : std::vector<int64_t>{hrBackupInProgress}, ctx);
    if (v == Verdict::Expected) return Outcome::Busy;
    if (v == Verdict::Unexpected) return Outcome::Failed;
    auto e = enlist(s.role, &s, h, 0);
    Plan plan = pickPlan(rng, final);
    ctx = s.name + " (" + planName(plan) + ")";
    bool endedByUs = false, failed = false, stolen = false, onPurpose = false;
    auto step = [&](const char *call, HRESULT r, std::initializer_list<int64_t> also = {}) -> Step {
        std::vector<int64_t> allowed(also);
        // Codes the chaos thread's End or Close of this session explains.
        if (e->ended) allowed.push_back(F.staleCode);
        if (e->closed) allowed.push_back(hrInvalidHandle);
        stats.calls.fetch_add(1, std::memory_order_relaxed);
        if (r == S_OK) return Step::Go;
        std::string key = std::string(F.prefix) + call + ": " + codeName(Api::Hr, r);
        if (std::find(allowed.begin(), allowed.end(), r) != allowed.end()) {
            stats.code(key);
            return Step::Stolen;
        }
        stats.code(key + " (UNEXPECTED)");
        stats.bad(key + " - " + ctx);
        return Step::Failed;
    };
    auto handle = [&](Step st) {
        if (st == Step::Stolen) stolen = true;
        if (st == Step::Failed) failed = true;
        return st == Step::Go;
    };
    auto endNow = [&]() {
        HRESULT r = F.end(h);
        endedByUs = true;
        handle(step("BackupEnd", r));
    };
    std::vector<uint8_t> buf(kChunk), bytes;
    // Open, read to the end, close; `cut` ends the backup after the first read instead.
    auto copy = [&](const std::u16string &name, std::vector<uint8_t> *out, bool cut) -> bool {
        LONGLONG size = -1;
        if (!handle(step("BackupOpenFileW", F.openFile(h, name.c_str(), kChunk, &size)))) return false;
        out->clear();
        for (;;) {
            DWORD got = 0xdeadbeef;
            HRESULT r = F.read(h, buf.data(), kChunk, &got);
            if (r == 38 && s.role == Role::Ntds) break;  // ERROR_HANDLE_EOF
            if (!handle(step("BackupRead", r))) return false;
            if (got == 0) {
                if (s.role == Role::Ca) break;  // CertSrv: S_OK with 0 bytes at the end
                stats.bad(std::string(F.prefix) + "BackupRead: S_OK with 0 bytes - " + ctx);
                failed = true;
                return false;
            }
            if (got > kChunk) {
                stats.bad(std::string(F.prefix) + "BackupRead: more bytes than the buffer - " + ctx);
                failed = true;
                return false;
            }
            out->insert(out->end(), buf.begin(), buf.begin() + got);
            if (cut) {
                onPurpose = true;
                endNow();
                return false;
            }
        }
        if (!handle(step("BackupClose", F.close(h)))) return false;
        if (static_cast<LONGLONG>(out->size()) != size) {
            stats.bad(std::string(F.prefix) + "BackupOpenFileW size " + std::to_string(size) + " but " +
                      std::to_string(out->size()) + " bytes read: " + u8(name) + " - " + ctx);
            failed = true;
            return false;
        }
        return true;
    };
    auto body = [&]() {
        WCHAR *list = nullptr;
        DWORD cb = 0;
        if (!handle(step("BackupGetDatabaseNamesW", F.getDatabaseNames(h, &list, &cb)))) return;
        std::vector<std::u16string> dbs = splitW(list, cb);
        F.free(list);
        if (dbs.size() != 1 || dbs[0].size() < 2) {
            stats.bad(std::string(F.prefix) + "BackupGetDatabaseNamesW: " + std::to_string(dbs.size()) + " entries - " + ctx);
            failed = true;
            return;
        }
        set->databaseW = dbs[0].substr(1);
        set->dbFile = set->dir + "/" + baseName(u8(set->databaseW));
        if (!copy(set->databaseW, &bytes, plan == Plan::EndDuringDatabase)) return;
        if (!writeFile(set->dbFile, bytes)) {
            stats.bad("writing " + set->dbFile);
            failed = true;
            return;
        }
        if (plan == Plan::EndAfterDatabase) {
            onPurpose = true;
            return endNow();
        }
        list = nullptr;
        if (!handle(step("BackupGetBackupLogsW", F.getBackupLogs(h, &list, &cb)))) return;
        std::vector<std::u16string> logs = splitW(list, cb);
        F.free(list);
        if (logs.empty()) {
            stats.bad(std::string(F.prefix) + "BackupGetBackupLogsW: an empty list - " + ctx);
            failed = true;
            return;
        }
        set->genLow = generationOf(u8(logs.front()));
        set->genHigh = generationOf(u8(logs.back()));
        if (set->genLow == 0 || set->genHigh < set->genLow || set->genHigh - set->genLow + 1 != logs.size()) {
            stats.bad(std::string(F.prefix) + "BackupGetBackupLogsW: an odd list - " + ctx);
            failed = true;
            return;
        }
        for (size_t i = 0; i < logs.size(); ++i) {
            std::u16string name = logs[i].substr(1);
            if (!copy(name, &bytes, plan == Plan::StopMidway && i + 1 == logs.size())) return;
            if (!writeFile(set->dir + "/" + baseName(u8(name)), bytes)) {
                stats.bad("writing a log copy");
                failed = true;
                return;
            }
        }
        if (plan == Plan::EndBeforeTruncate) {
            onPurpose = true;
            return endNow();
        }
        if (!handle(step("BackupTruncateLogs", F.truncate(h)))) return;
        endNow();
    };
    body();
    if (!endedByUs) endNow();
    retire(e);
    if (token) set->token.assign(static_cast<uint8_t *>(token), static_cast<uint8_t *>(token) + cbToken);
    if (token) DsBackupFree(token);
    if (failed) return Outcome::Failed;
    if (stolen) return Outcome::Stolen;
    if (onPurpose) return Outcome::AbortedOnPurpose;
    *outSet = set;
    return Outcome::Completed;
}

// Per worker, its Jet instance on each ese server (a Jet backup belongs to its instance).
struct Worker {
    int id;
    Rng rng;
    std::map<int, JET_INSTANCE> instances;
    Worker(int i, uint64_t seed) : id(i), rng(seed) {}
};

JET_INSTANCE instanceFor(Worker &w, Server &s) {
    auto it = w.instances.find(s.id);
    if (it != w.instances.end()) return it->second;
    // Its own name, bound to the server by its checkpoint folder (JET_paramSystemPath).
    JET_INSTANCE inst = 0;
    std::string name = "w" + std::to_string(w.id) + "i" + std::to_string(s.id);
    JET_ERR err = JetCreateInstanceA(&inst, name.c_str());
    if (classify(Api::Jet, "JetCreateInstanceA", err, {}, name) != Verdict::Ok) return 0;
    std::string system = local(s.name, "C:\\ESE");
    err = JetSetSystemParameterA(&inst, 0, JET_paramSystemPath, 0, system.c_str());
    if (classify(Api::Jet, "JetSetSystemParameterA", err, {}, name) != Verdict::Ok) return 0;
    err = JetInit(&inst);
    if (classify(Api::Jet, "JetInit", err, {}, name) != Verdict::Ok) return 0;
    w.instances[s.id] = inst;
    return inst;
}

struct AlignedBuffer {
    void *p;
    explicit AlignedBuffer(size_t n) : p(aligned_alloc(8192, n)) {}
    ~AlignedBuffer() { free(p); }
};

Outcome backupJet(Worker &w, Server &s, bool final, const std::shared_ptr<BackupSet> &set, std::shared_ptr<BackupSet> *outSet) {
    JET_INSTANCE inst = instanceFor(w, s);
    if (inst == 0) return Outcome::Failed;
    uint64_t done0 = s.chaosDone.load();
    JET_ERR err = JetBeginExternalBackupInstance(inst, 0);
    Verdict v = classify(Api::Jet, "JetBeginExternalBackupInstance", err,
                         final ? std::vector<int64_t>{} : std::vector<int64_t>{-505}, s.name);
    if (v == Verdict::Expected) return Outcome::Busy;
    if (v == Verdict::Unexpected) return Outcome::Failed;
    auto e = enlist(Role::Ese, &s, nullptr, inst);
    Plan plan = pickPlan(w.rng, final);
    std::string ctx = s.name + " (" + planName(plan) + ")";
    bool failed = false, stolen = false, onPurpose = false, ended = false, stoppedByUs = false;
    auto step = [&](const char *call, JET_ERR r) -> bool {
        stats.calls.fetch_add(1, std::memory_order_relaxed);
        if (r == 0) return true;
        std::string key = std::string(call) + ": " + codeName(Api::Jet, r);
        bool chaos = s.chaosStarted.load() > done0;  // a chaos End or Stop since this backup began
        if ((r == -520 && chaos) || (r == -801 && (chaos || stoppedByUs))) {
            stats.code(key);
            if (!stoppedByUs) stolen = true;
            return false;
        }
        stats.code(key + " (UNEXPECTED)");
        stats.bad(key + " - " + ctx);
        failed = true;
        return false;
    };
    auto endNow = [&](JET_GRBIT grbit) {
        ended = true;
        step("JetEndExternalBackupInstance2", JetEndExternalBackupInstance2(inst, grbit));
    };
    AlignedBuffer buf(kChunk);
    std::vector<uint8_t> bytes;
    auto copy = [&](const std::string &name, bool cut) -> bool {
        JET_HANDLE hf = 0xdeadbeef;
        uint32_t lo = 0, hi = 0;
        if (!step("JetOpenFileInstanceA", JetOpenFileInstanceA(inst, name.c_str(), &hf, &lo, &hi))) return false;
        uint64_t size = static_cast<uint64_t>(hi) << 32 | lo;
        bytes.clear();
        for (;;) {
            uint32_t got = 0xdeadbeef;
            if (!step("JetReadFileInstance", JetReadFileInstance(inst, hf, buf.p, kChunk, &got))) return false;
            if (got == 0) break;
            if (got > kChunk) {
                stats.bad("JetReadFileInstance: more bytes than the buffer - " + ctx);
                failed = true;
                return false;
            }
            bytes.insert(bytes.end(), static_cast<uint8_t *>(buf.p), static_cast<uint8_t *>(buf.p) + got);
            if (cut) {
                onPurpose = true;
                if (plan == Plan::StopMidway) {
                    // Our own stop: every later call -801, End still succeeds.
                    stoppedByUs = true;
                    step("JetStopBackupInstance", JetStopBackupInstance(inst));
                    uint32_t cb = 0;
                    JET_ERR r = JetGetAttachInfoInstanceA(inst, nullptr, 0, &cb);
                    if (r == 0) step("JetGetAttachInfoInstanceA after JetStopBackupInstance", -1);
                    else step("JetGetAttachInfoInstanceA", r);
                    endNow(JET_bitBackupEndAbort);
                } else {
                    endNow(JET_bitBackupEndAbort);
                }
                return false;
            }
        }
        if (!step("JetCloseFileInstance", JetCloseFileInstance(inst, hf))) return false;
        if (bytes.size() != size) {
            stats.bad("JetOpenFileInstanceA size " + std::to_string(size) + " but " + std::to_string(bytes.size()) +
                      " bytes read: " + name + " - " + ctx);
            failed = true;
            return false;
        }
        return true;
    };
    auto body = [&]() {
        std::vector<char> list(65536);
        uint32_t cb = 0;
        if (!step("JetGetAttachInfoInstanceA", JetGetAttachInfoInstanceA(inst, list.data(), uint32_t(list.size()), &cb)))
            return;
        std::vector<std::string> dbs = splitA(list.data(), std::min<size_t>(cb, list.size()));
        if (dbs.size() != 1) {
            stats.bad("JetGetAttachInfoInstanceA: " + std::to_string(dbs.size()) + " databases - " + ctx);
            failed = true;
            return;
        }
        set->databaseA = dbs[0];
        set->dbFile = set->dir + "/" + baseName(dbs[0]);
        if (!copy(dbs[0], plan == Plan::EndDuringDatabase || plan == Plan::StopMidway)) return;
        if (!writeFile(set->dbFile, bytes)) {
            stats.bad("writing " + set->dbFile);
            failed = true;
            return;
        }
        if (plan == Plan::EndAfterDatabase) {
            onPurpose = true;
            return endNow(JET_bitBackupEndAbort);
        }
        if (!step("JetGetLogInfoInstanceA", JetGetLogInfoInstanceA(inst, list.data(), uint32_t(list.size()), &cb))) return;
        std::vector<std::string> logs = splitA(list.data(), std::min<size_t>(cb, list.size()));
        if (logs.empty()) {
            stats.bad("JetGetLogInfoInstanceA: an empty list - " + ctx);
            failed = true;
            return;
        }
        set->genLow = generationOf(logs.front());
        set->genHigh = generationOf(logs.back());
        if (set->genLow == 0 || set->genHigh < set->genLow || set->genHigh - set->genLow + 1 != logs.size()) {
            stats.bad("JetGetLogInfoInstanceA: an odd list - " + ctx);
            failed = true;
            return;
        }
        for (auto &log : logs) {
            if (!copy(log, false)) return;
            if (!writeFile(set->dir + "/" + baseName(log), bytes)) {
                stats.bad("writing a log copy");
                failed = true;
                return;
            }
        }
        if (plan == Plan::EndBeforeTruncate) {
            onPurpose = true;
            return endNow(JET_bitBackupEndNormal);  // a copy backup: complete, but not counted
        }
        if (!step("JetTruncateLogInstance", JetTruncateLogInstance(inst))) return;
        endNow(JET_bitBackupEndNormal);
    };
    body();
    if (!ended) endNow(JET_bitBackupEndAbort);
    retire(e);
    if (failed) return Outcome::Failed;
    if (stolen) return Outcome::Stolen;
    if (onPurpose) return Outcome::AbortedOnPurpose;
    *outSet = set;
    return Outcome::Completed;
}

// A full backup of s into a new set; on completion records its last log's digest and queues it.
Outcome backupOnce(Worker &w, Server &s, bool final, std::shared_ptr<BackupSet> *out = nullptr) {
    auto made = std::make_shared<BackupSet>();
    made->dir = rootDir + "/sets/" + s.name + "/" + std::to_string(s.setSeq.fetch_add(1));
    fs::create_directories(made->dir);
    std::shared_ptr<BackupSet> set;
    Outcome o = s.role == Role::Ese ? backupJet(w, s, final, made, &set) : backupHr(s, w.rng, final, made, &set);
    if (o == Outcome::Completed) {
        HRESULT hr;
        set->digest = logDigest(set->dir + "/" + logName(set->genHigh), &hr);
        if (classify(Api::Hr, "WbReadLogDigestA", hr, {}, set->dir) != Verdict::Ok) o = Outcome::Failed;
    }
    countOutcome(s.role, o);
    if (o == Outcome::Completed) {
        if (out) *out = set;
        std::lock_guard<std::mutex> g(s.setsMutex);
        s.unverified.push_back(set);
    } else if (o != Outcome::Failed) {  // a failed one stays for a look
        std::error_code ec;
        fs::remove_all(made->dir, ec);
    }
    return o;
}

// --- restores --------------------------------------------------------------------------------------

// Restores a set onto the server's spare (stopped), starts it, compares its content with the
// set's recorded digest, stops it again. The caller holds s.spareMutex.
bool restoreOnto(Server &s, const BackupSet &set) {
    const std::string &t = s.spare;
    std::string ctx = set.dir + " -> " + t;
    auto ok = [&](const char *call, int64_t code, Api api = Api::Hr) {
        return classify(api, call, code, {}, ctx) == Verdict::Ok;
    };
    if (s.role == Role::Ntds) {
        std::u16string wt = u16(t);
        HBC hbc = nullptr;
        std::vector<uint8_t> token = set.token;
        if (!ok("DsRestorePrepareW", DsRestorePrepareW(wt.c_str(), 0, token.data(), DWORD(token.size()), &hbc))) return false;
        WCHAR *list = nullptr;
        DWORD cb = 0;
        bool good = ok("DsRestoreGetDatabaseLocationsW", DsRestoreGetDatabaseLocationsW(hbc, &list, &cb));
        std::vector<std::u16string> where = good ? splitW(list, cb) : std::vector<std::u16string>{};
        if (list) DsBackupFree(list);
        if (good && where.size() != 3) {
            stats.bad("DsRestoreGetDatabaseLocationsW: " + std::to_string(where.size()) + " entries - " + ctx);
            good = false;
        }
        std::string logs = local(t, "C:\\WinBackup\\RestoredLogs");
        if (good) {
            std::u16string db = where[0].substr(1), logDir = where[1].substr(1), ckpt = where[2].substr(1);
            std::u16string original = set.databaseW, restored = db, backupLogs = u"C:\\WinBackup\\RestoredLogs";
            EDB_RSTMAPW map[1] = {{original.data(), restored.data()}};
            good = ok("DsRestoreRegisterW", DsRestoreRegisterW(hbc, ckpt.c_str(), logDir.c_str(), map, 1, backupLogs.c_str(),
                                                               set.genLow, set.genHigh));
            if (good) {
                std::error_code ec;
                fs::remove_all(logs, ec);
                fs::create_directories(logs);
                good = copyFile(set.dbFile, local(t, u8(db).c_str()));
                for (uint32_t g = set.genLow; good && g <= set.genHigh; ++g)
                    good = copyFile(set.dir + "/" + logName(g), logs + "/" + logName(g));
                if (!good) stats.bad("copying the files of " + ctx);
                if (good) good = ok("DsRestoreRegisterComplete", DsRestoreRegisterComplete(hbc, S_OK));
            }
        }
        if (!ok("DsRestoreEnd", DsRestoreEnd(hbc))) good = false;
        if (!good) return false;
    } else if (s.role == Role::Ca) {
        std::u16string wt = u16(t);
        HCSBC hbc = nullptr;
        if (!ok("CertSrvRestorePrepareW", CertSrvRestorePrepareW(wt.c_str(), CSRESTORE_TYPE_FULL, &hbc))) return false;
        std::string dbPath = "C:\\Windows\\System32\\CertLog\\" + s.caName + ".edb";
        std::u16string original = set.databaseW, restored = u16(dbPath), folder = u"C:\\Restore\\full";
        CSEDB_RSTMAPW map[1] = {{original.data(), restored.data()}};
        bool good = ok("CertSrvRestoreRegisterW", CertSrvRestoreRegisterW(hbc, nullptr, nullptr, map, 1, folder.c_str(),
                                                                           set.genLow, set.genHigh));
        if (good) {
            std::string logs = local(t, "C:\\Restore\\full");
            std::error_code ec;
            fs::remove_all(logs, ec);
            fs::create_directories(logs);
            good = copyFile(set.dbFile, local(t, dbPath.c_str()));
            for (uint32_t g = set.genLow; good && g <= set.genHigh; ++g)
                good = copyFile(set.dir + "/" + logName(g), logs + "/" + logName(g));
            if (!good) stats.bad("copying the files of " + ctx);
            if (good) good = ok("CertSrvRestoreRegisterComplete", CertSrvRestoreRegisterComplete(hbc, S_OK));
        }
        if (!ok("CertSrvRestoreEnd", CertSrvRestoreEnd(hbc))) good = false;
        if (!good) return false;
    } else {
        std::string target = local(t, "C:\\ESE\\ese.edb");
        if (!copyFile(set.dbFile, target)) {
            stats.bad("copying the database of " + ctx);
            return false;
        }
        std::string original = set.databaseA, dir = set.dir;
        JET_RSTMAP_A map{original.data(), target.data()};
        if (!ok("JetExternalRestoreA", JetExternalRestoreA(nullptr, nullptr, &map, 1, dir.data(), int32_t(set.genLow),
                                                           int32_t(set.genHigh), nullptr),
                Api::Jet))
            return false;
    }
    if (!ok("WbStartServerA (restored)", WbStartServerA(t.c_str()))) return false;
    HRESULT hr;
    std::string got = contentDigest(t, &hr);
    bool same = ok("WbGetContentDigestA", hr) && got == set.digest;
    if (hr == S_OK && !same)
        stats.bad("restored content differs: " + t + " shows " + got + ", the set's last log recorded " + set.digest + " - " + ctx);
    if (!ok("WbStopServerA (restored)", WbStopServerA(t.c_str()))) same = false;
    return same;
}

// Restores the oldest unverified set of s (block: wait for the spare); true if one was verified.
bool verifyOne(Server &s, bool block) {
    std::unique_lock<std::mutex> spare(s.spareMutex, std::defer_lock);
    if (block) spare.lock();
    else if (!spare.try_lock()) return false;
    std::shared_ptr<BackupSet> set;
    {
        std::lock_guard<std::mutex> g(s.setsMutex);
        if (s.unverified.empty()) return false;
        set = s.unverified.front();
        s.unverified.pop_front();
    }
    bool ok = restoreOnto(s, *set);
    stats.op(std::string("restore ") + roleName(s.role) + (ok ? ": verified byte-exact" : ": FAILED"));
    std::error_code ec;
    if (ok) fs::remove_all(set->dir, ec);
    return ok;
}

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
        if (pending > kUnverifiedCap) verifyOne(s, true);
        else if (pending > 0 && w.rng.chance(15)) verifyOne(s, false);
        else backupOnce(w, s, false);
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
// generations only go up) or a slot far past any in use. Never 0 or ~0 (Jet: the legacy instance).
uint64_t madeUp(Rng &rng, uint64_t liveValue) {
    switch (rng.below(4)) {
    case 0: return 0x1234;
    case 1: return (rng.next() | 0x10000) & 0xFFFF'FFFF'FFFF'FFFEull;
    case 2:
        if (liveValue && ((liveValue >> 32) & 0xFFFFFF) > 1) return liveValue - (1ull << 32);
        return 0xdeadbeef;
    default: return liveValue ? liveValue + (0x40000ull) : 0x7ead'beefull << 8;
    }
}

char garbageArea[256];

void chaosLoop(uint64_t seed) {
    Rng rng(seed);
    int made = 0;
    uint64_t bogusFrees = 0;
    while (Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(rng.below(2 * opt.chaosMicros + 1)));
        std::shared_ptr<Session> victim;
        {
            std::lock_guard<std::mutex> g(liveMutex);
            if (!live.empty()) victim = live[rng.below(int(live.size()))];
        }
        int action = rng.below(100);
        if (action < 40 && victim) {
            // Steal: end, close or stop another thread's live session.
            if (victim->role == Role::Ese) {
                Server &s = *victim->server;
                s.chaosStarted.fetch_add(1);
                JET_ERR err;
                const char *call;
                if (rng.chance(50)) {
                    call = "chaos JetStopBackupInstance (live)";
                    err = JetStopBackupInstance(victim->inst);
                    classify(Api::Jet, call, err, {}, s.name);
                } else {
                    call = "chaos JetEndExternalBackupInstance2 (live)";
                    err = JetEndExternalBackupInstance2(victim->inst, rng.chance(50) ? JET_bitBackupEndAbort : JET_bitBackupEndNormal);
                    classify(Api::Jet, call, err, {-520}, s.name);
                }
                s.chaosDone.fetch_add(1);
                stats.op(call);
            } else {
                bool ds = victim->role == Role::Ntds;
                const HrFamily &F = ds ? kDs : kCs;
                std::string ctx = victim->server->name;
                if (rng.chance(60)) {
                    victim->ended = true;
                    classify(Api::Hr, ds ? "chaos DsBackupEnd (live)" : "chaos CertSrvBackupEnd (live)", F.end(victim->handle),
                             {F.staleCode}, ctx);
                    stats.op(ds ? "chaos DsBackupEnd (live)" : "chaos CertSrvBackupEnd (live)");
                } else {
                    victim->closed = true;
                    classify(Api::Hr, ds ? "chaos DsBackupClose (live)" : "chaos CertSrvBackupClose (live)",
                             F.close(victim->handle), {F.staleCode, hrInvalidHandle}, ctx);
                    stats.op(ds ? "chaos DsBackupClose (live)" : "chaos CertSrvBackupClose (live)");
                }
            }
        } else if (action < 60) {
            // Stale handles: ended sessions, terminated instances.
            std::pair<Role, void *> old{Role::Ntds, nullptr};
            JET_INSTANCE staleInst = 0;
            {
                std::lock_guard<std::mutex> g(liveMutex);
                if (!retired.empty()) old = retired[rng.below(int(retired.size()))];
                if (!staleInstances.empty()) staleInst = staleInstances[rng.below(int(staleInstances.size()))];
            }
            if (staleInst == 0 || rng.chance(20)) {
                JET_INSTANCE i = 0;
                std::string name = "chaos" + std::to_string(made++);
                if (classify(Api::Jet, "chaos JetCreateInstanceA", JetCreateInstanceA(&i, name.c_str()), {}, name) == Verdict::Ok &&
                    classify(Api::Jet, "chaos JetTerm", JetTerm(i), {}, name) == Verdict::Ok) {
                    std::lock_guard<std::mutex> g(liveMutex);
                    staleInstances.push_back(i);
                    if (staleInstances.size() > 64) staleInstances.pop_front();
                }
            }
            if (old.second) {
                const HrFamily &F = old.first == Role::Ntds ? kDs : kCs;
                bool end = rng.chance(60);
                std::string call = std::string("chaos ") + F.prefix + (end ? "BackupEnd" : "BackupClose") + " (stale)";
                classify(Api::Hr, call.c_str(), end ? F.end(old.second) : F.close(old.second), {F.staleCode}, "stale");
                stats.op(call);
            }
            if (staleInst) {
                bool stop = rng.chance(50);
                const char *call = stop ? "chaos JetStopBackupInstance (stale)" : "chaos JetEndExternalBackupInstance2 (stale)";
                classify(Api::Jet, call, stop ? JetStopBackupInstance(staleInst) : JetEndExternalBackupInstance2(staleInst, JET_bitBackupEndAbort),
                         {-1003}, "stale instance");
                stats.op(call);
            }
        } else if (action < 80) {
            // Made-up handles, some derived from a live one (another generation, another slot).
            uint64_t base = victim ? (victim->role == Role::Ese ? uint64_t(victim->inst) : uint64_t(uintptr_t(victim->handle))) : 0;
            uint64_t v = madeUp(rng, base);
            int which = rng.below(5);
            const char *call = "";
            int64_t r = 0;
            Api api = Api::Hr;
            std::vector<int64_t> expected = {87};
            void *p = reinterpret_cast<void *>(uintptr_t(v));
            switch (which) {
            case 0: call = "chaos DsBackupEnd (made-up)"; r = DsBackupEnd(p); expected = {87}; break;
            case 1: call = "chaos DsBackupClose (made-up)"; r = DsBackupClose(p); expected = {87}; break;
            case 2: call = "chaos CertSrvBackupEnd (made-up)"; r = CertSrvBackupEnd(p); expected = {E_HANDLE}; break;
            case 3: call = "chaos JetStopBackupInstance (made-up)"; r = JetStopBackupInstance(JET_INSTANCE(v)); api = Api::Jet; expected = {-1003}; break;
            default: call = "chaos JetEndExternalBackupInstance2 (made-up)"; r = JetEndExternalBackupInstance2(JET_INSTANCE(v), JET_bitBackupEndAbort); api = Api::Jet; expected = {-1003}; break;
            }
            classify(api, call, r, expected, hex(v));
            if (r == 0) stats.bad(std::string(call) + " succeeded on " + hex(v));
            stats.op(call);
        } else {
            // Free what is not a live buffer of the library: garbage, a pointer into one of our
            // own buffers, and our own buffer a second time (right after we freed it: another
            // thread's buffer at that address would be a caller bug, not a test).
            char onStack[16];
            void *garbage[] = {garbageArea + rng.below(200), onStack, reinterpret_cast<void *>(uintptr_t(0xdeadbeef))};
            void *g = garbage[rng.below(3)];
            if (rng.chance(50)) DsBackupFree(g);
            else CertSrvBackupFree(g);
            ++bogusFrees;
            stats.op("chaos Free (garbage)");
            if (victim && victim->role != Role::Ese) {
                WCHAR *list = nullptr;
                DWORD cb = 0;
                bool ds = victim->role == Role::Ntds;
                HRESULT hr = ds ? DsBackupGetDatabaseNamesW(victim->handle, &list, &cb)
                                : CertSrvBackupGetDynamicFileListW(victim->handle, &list, &cb);
                const HrFamily &F = ds ? kDs : kCs;
                if (classify(Api::Hr, ds ? "chaos DsBackupGetDatabaseNamesW (live)" : "chaos CertSrvBackupGetDynamicFileListW (live)",
                             hr, {F.staleCode}, victim->server->name) == Verdict::Ok &&
                    list) {
                    DsBackupFree(reinterpret_cast<char *>(list) + 2);  // inside the buffer: not one of ours
                    CertSrvBackupFree(list);                           // the buffer
                    DsBackupFree(list);                                // again: already freed
                    bogusFrees += 2;
                    stats.op("chaos Free (interior, double)");
                }
            }
        }
    }
    stats.op("chaos bogus frees", bogusFrees);
}

// --- set-up and the final checks -------------------------------------------------------------------

bool createServers() {
    const char *sizes = "--db-size 2M --logs 2 --log-size 64K";
    for (int i = 0; i < opt.servers; ++i) {
        auto s = std::make_unique<Server>();
        s->id = i;
        s->role = static_cast<Role>(i % 3);
        const char *prefix = s->role == Role::Ntds ? "DC" : s->role == Role::Ca ? "CA" : "ESE";
        s->name = prefix + std::to_string(i + 1);
        s->spare = s->name + "-R";
        s->caName = s->name + "-CA";
        std::string opts = std::string("--role ") + roleName(s->role) + " " + sizes;
        std::string spareOpts = opts + " --offline" + (s->role == Role::Ca ? " --ca-name " + s->caName : "");
        if (WbCreateServerA(s->name.c_str(), opts.c_str()) != S_OK || WbCreateServerA(s->spare.c_str(), spareOpts.c_str()) != S_OK) {
            printf("stress: cannot create %s or its spare\n", s->name.c_str());
            return false;
        }
        if (WbWriteServerA(s->name.c_str(), 3) != S_OK) return false;
        servers.push_back(std::move(s));
    }
    return true;
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
            s.unverified.erase(std::remove(s.unverified.begin(), s.unverified.end(), set), s.unverified.end());
        }
        bool restored = restoreOnto(s, *set);
        stats.op(std::string("restore ") + roleName(s.role) + (restored ? ": verified byte-exact" : ": FAILED"));
        ok = ok && restored;
    }
    stats.op(std::string("consistency check ") + roleName(s.role) + (ok ? ": passed" : ": FAILED"));
    return ok;
}

int usage() {
    printf("usage: stress [--seconds S] [--threads N] [--servers M] [--seed X] [--root DIR] [--keep]\n"
           "              [--verify-seconds V] [--chaos-us U]\n");
    return 2;
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
        else if (a == "--seed" && (v = value())) opt.seed = strtoull(v, nullptr, 0), opt.seedGiven = true;
        else if (a == "--root" && (v = value())) opt.root = v;
        else if (a == "--verify-seconds" && (v = value())) opt.verifySeconds = atof(v);
        else if (a == "--chaos-us" && (v = value())) opt.chaosMicros = atoi(v);
        else return usage();
    }
    if (opt.threads < 1 || opt.servers < 1 || opt.seconds <= 0 || opt.chaosMicros < 0) return usage();
    if (!opt.seedGiven) opt.seed = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) & 0xFFFFFFFF;
    if (opt.verifySeconds < 0) opt.verifySeconds = std::max(30.0, opt.seconds);
    setvbuf(stdout, nullptr, _IOLBF, 0);

    if (opt.root.empty()) {
        char tmpl[] = "/tmp/winbackup-stress-XXXXXX";
        if (!mkdtemp(tmpl)) return perror("mkdtemp"), 2;
        rootDir = tmpl;
    } else {
        rootDir = opt.root;
        fs::create_directories(rootDir);
    }
    setenv("WINBACKUP_ROOT", rootDir.c_str(), 1);
    // The library reports each bogus Free on stderr: keep those lines out of the output, and count them.
    std::string stderrLog = rootDir + "/stderr.log";
    int fd = open(stderrLog.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, 2) < 0) return perror("stderr.log"), 2;
    close(fd);

    printf("stress: seed %" PRIu64 ", %g s, %d worker threads, %d servers (+%d spares), root %s\n", opt.seed, opt.seconds,
           opt.threads, opt.servers, opt.servers, rootDir.c_str());
    if (!createServers()) return 2;
    for (auto &s : servers) printf("  %s (%s), spare %s\n", s->name.c_str(), roleName(s->role), s->spare.c_str());

    auto start = Clock::now();
    deadline = start + std::chrono::milliseconds(static_cast<int64_t>(opt.seconds * 1000));
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < opt.threads; ++i) workers.push_back(std::make_unique<Worker>(i, opt.seed * 1000003 + uint64_t(i) + 1));
    std::vector<std::thread> writerThreads, workerThreads;
    for (auto &s : servers) writerThreads.emplace_back(writerLoop, std::ref(*s), opt.seed * 7919 + uint64_t(s->id));
    for (auto &w : workers) workerThreads.emplace_back(workerLoop, std::ref(*w));
    std::thread chaos(chaosLoop, opt.seed * 104729 + 17);
    for (auto &t : workerThreads) t.join();
    chaos.join();
    running = false;
    for (auto &t : writerThreads) t.join();
    double ran = std::chrono::duration<double>(Clock::now() - start).count();

    // The final phase: nothing runs but these checks.
    Worker finalWorker(opt.threads, opt.seed + 99);
    for (auto &w : workers)
        for (auto &[id, inst] : w->instances) classify(Api::Jet, "JetTerm2", JetTerm2(inst, JET_bitTermStopBackup), {}, "final");
    {
        std::lock_guard<std::mutex> g(liveMutex);
        if (!live.empty()) stats.bad(std::to_string(live.size()) + " sessions still live after the workers ended");
    }
    size_t consistent = 0;
    for (auto &s : servers) consistent += consistencyCheck(finalWorker, *s) ? 1 : 0;
    for (auto &[id, inst] : finalWorker.instances) JetTerm2(inst, JET_bitTermStopBackup);

    // Every completed backup still waiting is restored, while the budget lasts (servers in parallel).
    auto verifyEnd = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(opt.verifySeconds * 1000));
    std::vector<std::thread> verifiers;
    for (auto &s : servers)
        verifiers.emplace_back([&s, verifyEnd] {
            while (Clock::now() < verifyEnd && verifyOne(*s, true)) {}
        });
    for (auto &t : verifiers) t.join();
    size_t left = 0;
    for (auto &s : servers) left += s->unverified.size();

    // The library's stderr: one "was not allocated" line per bogus Free, nothing else.
    fflush(stderr);
    uint64_t notAllocated = 0, otherLines = 0;
    std::vector<std::string> others;
    {
        std::ifstream f(stderrLog);
        std::string line;
        while (std::getline(f, line)) {
            if (line.find("was not allocated by this library") != std::string::npos) ++notAllocated;
            else {
                ++otherLines;
                if (others.size() < 10) others.push_back(line);
            }
        }
    }
    uint64_t bogus = stats.ops["chaos bogus frees"];
    if (notAllocated != bogus)
        stats.bad("the library reported " + std::to_string(notAllocated) + " bogus frees, the chaos thread made " + std::to_string(bogus));
    for (auto &l : others) stats.bad("library stderr: " + l);

    // Figures.
    uint64_t completed = 0, verified = 0;
    printf("\nstress: ran %.1f s, %" PRIu64 " API calls classified\n", ran, stats.calls.load());
    printf("operations done:\n");
    for (auto &[k, n] : stats.ops) {
        printf("  %-58s %10" PRIu64 "\n", k.c_str(), n);
        if (k.rfind("backup ", 0) == 0 && k.find(": completed") != std::string::npos) completed += n;
        if (k.rfind("restore ", 0) == 0 && k.find("verified") != std::string::npos) verified += n;
    }
    printf("results other than success, by call and code:\n");
    for (auto &[k, n] : stats.codes) printf("  %-70s %8" PRIu64 "\n", k.c_str(), n);
    printf("library stderr: %" PRIu64 " bogus-free reports (chaos made %" PRIu64 "), %" PRIu64 " other lines\n", notAllocated, bogus,
           otherLines);
    printf("consistency checks passed: %zu of %zu servers\n", consistent, servers.size());
    printf("restores verified byte-exact: %" PRIu64 " of %" PRIu64 " completed backups (%zu not restored: time)\n", verified, completed,
           left);
    printf("unexpected: %" PRIu64 "\n", stats.unexpectedCount);
    for (auto &u : stats.unexpected) printf("  UNEXPECTED %s\n", u.c_str());
    bool pass = stats.unexpectedCount == 0 && consistent == servers.size();
    printf("stress: %s (seed %" PRIu64 ")\n", pass ? "PASS" : "FAIL", opt.seed);
    if (pass && !opt.keep) {
        std::error_code ec;
        fs::remove_all(rootDir, ec);
    } else {
        printf("stress: kept %s (stderr.log holds the library's messages)\n", rootDir.c_str());
    }
    return pass ? 0 : 1;
}
