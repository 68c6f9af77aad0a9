// The backups of the stress test: Ds*, CertSrv* and Jet* sessions, each classified call by call.
#include <algorithm>

#include "stress.h"

namespace stress {
namespace {

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

void countOutcome(Role role, Outcome o) {
    static const char *names[] = {"completed", "busy (another thread's backup)", "aborted on purpose",
                                  "stolen by chaos", "failed (unexpected)"};
    stats.op(std::string("backup ") + roleName(role) + ": " + names[static_cast<int>(o)]);
}

// The result of a step: go on, stop (stolen, or an end on purpose), or failed.
enum class Step { Go, Stolen, Failed };

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

}  // namespace

const HrFamily kDs{"Ds", 87, dsNames, dsOpen, dsRead, dsClose, dsLogs, dsTruncate, dsEnd, dsFree};
const HrFamily kCs{"CertSrv", E_HANDLE, csNames, csOpen, csRead, csClose, csLogs, csTruncate, csEnd, csFree};

namespace {

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

}  // namespace

Outcome backupOnce(Worker &w, Server &s, bool final, std::shared_ptr<BackupSet> *out) {
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

}  // namespace stress
