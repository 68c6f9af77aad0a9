// The stress test's shared declarations (Tests/stress/*.cpp; docs/HARDENING.md "Stress").
#pragma once

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "certbcli.h"
#include "esent.h"
#include "ntdsbcli.h"
#include "ntdsbmsg.h"
#include "winbackup.h"

#ifndef E_HANDLE
#define E_HANDLE ((HRESULT)0x80070006)
#endif

namespace stress {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

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
    int processes = 1;          // > 1: that many child processes run the mix (processes.cpp)
    int child = -1;             // in a child: its number (internal: --child K)
    bool probe = false;         // the child that probes held servers (internal: --probe)
};

extern Options opt;

// This process's number (0 unless it is child K of --processes), and its seed: --seed mixed with it.
int processIndex();
uint64_t processSeed();

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
    void code(const std::string &key, uint64_t n = 1) {
        std::lock_guard<std::mutex> g(m);
        codes[key] += n;
    }
    void bad(const std::string &what) {
        std::lock_guard<std::mutex> g(m);
        ++unexpectedCount;
        if (unexpected.size() < 40) unexpected.push_back(what);
    }
};

extern Stats stats;

enum class Api { Hr, Jet };

std::string hex(uint64_t v);
std::string codeName(Api api, int64_t code);

// The verdict on one result.
enum class Verdict { Ok, Expected, Unexpected };

// Classifies `code` from `call`: success, one of `expected` (counted by name), or unexpected
// (counted and described with `context`).
Verdict classify(Api api, const char *call, int64_t code, const std::vector<int64_t> &expected,
                 const std::string &context);

// --- small helpers ---------------------------------------------------------------------------------

std::u16string u16(const std::string &s);  // ASCII only
std::string u8(const std::u16string &s);
// The entries of a returned W multi-string (cb bytes, a final NUL).
std::vector<std::u16string> splitW(const WCHAR *list, DWORD cb);
std::vector<std::string> splitA(const char *list, size_t cb);
std::vector<std::string> splitW8(const WCHAR *list, DWORD cb);  // splitW, each unit below 0x100 a byte
uint32_t generationOf(const std::string &name);  // "...edbXXXXX.log" -> XXXXX, else 0
std::string baseName(const std::string &path);
std::string logName(uint32_t g);
bool writeFile(const std::string &path, const std::vector<uint8_t> &bytes);
bool copyFile(const std::string &from, const std::string &to);
// WbResolvePathA of a path on a server ("" on failure); a path that does not exist yet resolves too.
std::string local(const std::string &server, const char *path);
std::string logDigest(const std::string &file, HRESULT *hr);
std::string contentDigest(const std::string &server, HRESULT *hr);

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
const char *roleName(Role r);

// A completed backup in a local folder: the database stream under `dbFile`, the logs under their
// names, and what the source's writer recorded at the end of the last one.
struct BackupSet {
    std::string dir;
    std::string dbFile;          // the database copy in dir
    std::string database;        // as listed (Ds, CertSrv: the source's UNC; Jet: its local path)
    std::vector<uint8_t> token;  // Ds: the expiry token
    uint32_t genLow = 0, genHigh = 0;
    std::string digest;          // WbReadLogDigestA of the last log
    bool incremental = false;    // CertSrv LOGS_ONLY: logs only
    uint32_t truncatedBefore = 0;  // SharedServer::truncatedThrough when its log list was taken
    bool keep = false;           // a failed backup or restore: the folder stays for a look

    ~BackupSet() {
        std::error_code ec;
        if (!keep) fs::remove_all(dir, ec);
    }
};

// What one restore puts back: a full set, then (CertSrv) incremental sets in the order taken.
using Chain = std::vector<std::shared_ptr<BackupSet>>;

// What every thread (and process) of a run must see alike about one server: its slot in a file
// under the root that each process maps (MAP_SHARED), so lock-free atomics only.
struct SharedServer {
    // Jet actions aimed at this server's backups that may end or stop the backup running now,
    // whoever's it is (the chaos thread's End and Stop; a worker's own Stop, which stops the
    // server's backups, not its session's): started and done. A -520 or -801 is explained when
    // one started after the session's `done` snapshot, taken before its Begin.
    std::atomic<uint64_t> stopsStarted, stopsDone;
    // CertSrv: a full backup that truncated its logs was ended normally (the server recorded it,
    // bkinfoFullPrev), so an incremental Prepare must not answer hrMissingFullBackup.
    std::atomic<uint32_t> fullRecorded;
    // The highest last generation of a backup that called TruncateLogs (set before the call).
    std::atomic<uint32_t> truncatedThrough;
};
static_assert(std::atomic<uint64_t>::is_always_lock_free && std::atomic<uint32_t>::is_always_lock_free,
              "the shared file needs lock-free atomics");
constexpr int kMaxServers = 60;

// Maps <root>/stress.shared, zero-filled first if `fresh` (the process that made the servers);
// false on failure.
bool mapShared(bool fresh);

struct Server {
    int id = 0;
    Role role = Role::Ntds;
    std::string name, spare, caName;
    std::mutex spareMutex;  // one restore onto the spare at a time
    SharedServer *sh = nullptr;  // its part of the shared page
    std::mutex setsMutex;
    std::deque<Chain> unverified;  // completed, not restored yet
    std::mutex chainMutex;
    Chain chain;  // CertSrv: the newest full set + incrementals this process can extend
    std::atomic<int> setSeq{0};
};

extern std::vector<std::unique_ptr<Server>> servers;
extern std::string rootDir;

// A backup session other threads may see (the chaos thread steals from these).
struct Session {
    Role role;
    Server *server;
    void *handle = nullptr;      // HBC / HCSBC
    JET_INSTANCE inst = 0;       // Jet
    std::atomic<bool> ended{false};   // the chaos thread called End on it
    std::atomic<bool> closed{false};  // the chaos thread called Close on it
};

extern std::mutex liveMutex;
extern std::vector<std::shared_ptr<Session>> live;
extern std::deque<std::pair<Role, void *>> retired;  // ended Ds/CertSrv handles: stale from now on
extern std::deque<JET_INSTANCE> staleInstances;      // terminated Jet instances

std::shared_ptr<Session> enlist(Role role, Server *s, void *handle, JET_INSTANCE inst);
void retire(const std::shared_ptr<Session> &e);

extern std::atomic<bool> running;
extern Clock::time_point deadline;

// Per worker, its Jet instance on each ese server (a Jet backup belongs to its instance).
struct Worker {
    int id;
    Rng rng;
    std::map<int, JET_INSTANCE> instances;
    Worker(int i, uint64_t seed) : id(i), rng(seed) {}
};


// --- backups (backup.cpp) --------------------------------------------------------------------------

enum class Outcome { Completed, Busy, NoFullBackup, AbortedOnPurpose, Stolen, Failed };

// A list call of a Ds or CertSrv backup, in A or W form: the entries of the multi-string it
// returned, as ASCII strings, each with its type character in front.
using ListFn = HRESULT (*)(void *h, bool wide, std::vector<std::string> *entries);

// Ds and CertSrv: one backup through their functions, the differences passed in.
struct HrFamily {
    const char *prefix;  // "Ds" or "CertSrv"
    HRESULT staleCode;   // 87 / E_HANDLE
    bool hasNarrow;      // Ntdsbcli exports A and W forms; Certadm W forms only
    ListFn getDatabaseNames;
    HRESULT (*openFile)(void *, bool wide, const std::string &, DWORD, LONGLONG *);
    HRESULT (*read)(void *, void *, DWORD, DWORD *);  // S_OK + 0 bytes or 38 at the end
    HRESULT (*close)(void *);
    ListFn getBackupLogs;
    HRESULT (*truncate)(void *);
    HRESULT (*end)(void *);
};

extern const HrFamily kDs, kCs;

// A full backup of s into a new set; on completion records its last log's digest and queues it.
Outcome backupOnce(Worker &w, Server &s, bool final, std::shared_ptr<BackupSet> *out = nullptr);
// CertSrv: an incremental (LOGS_ONLY) backup; on completion it joins the server's chain, which is
// queued for a restore (full + incrementals).
Outcome incrementalOnce(Worker &w, Server &s);

// --- restores (restore.cpp) ------------------------------------------------------------------------

// Restores a chain onto the server's spare (stopped), starts it, compares its content with the
// digest its newest set recorded, stops it again; A or W forms, as rng says. The caller holds
// s.spareMutex.
bool restoreOnto(Server &s, const Chain &chain, Rng &rng);
// Restores the oldest unverified chain of s (block: wait for the spare); true if one was verified.
bool verifyOne(Server &s, bool block, Rng &rng);

// --- processes (processes.cpp) ---------------------------------------------------------------------

// The spare of a server that process k restores onto (k 0: "<name>-R"; k > 0: "<name>-R<k>").
std::string spareName(const std::string &server, int k);

// The parent of --processes P: starts P copies of this program (fork and exec, each a fresh
// process with the same options plus --root, --seed and --child K), waits for all of them, and
// adds each one's figures to this process's (a missing file, or an exit other than 0 or 1, is
// unexpected). Returns the longest child's running time.
double runChildren(int argc, char **argv);

// In child K: its figures into <root>/figures-K.txt for the parent.
bool writeFigures(double ran, size_t left);

// The probe child (--probe), started while the parent holds a backup of every server: Prepare
// (Ds A and W, CertSrv full and LOGS_ONLY) and JetBeginExternalBackupInstance must answer
// hrBackupInProgress / -505. False if any did not.
bool probeHeldServers();

// --- the chaos thread (chaos.cpp) ------------------------------------------------------------------

void chaosLoop(uint64_t seed);

}  // namespace stress
