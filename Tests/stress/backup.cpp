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

// An incremental backup has no database phase.
Plan pickIncrementalPlan(Rng &rng) {
    int r = rng.below(100);
    if (r < 85) return Plan::Complete;
    if (r < 90) return Plan::EndBeforeTruncate;
    return Plan::StopMidway;
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

void countOutcome(const std::string &kind, Outcome o) {
    static const char *names[] = {"completed", "busy (another session holds the server)", "no full backup recorded yet",
                                  "aborted on purpose", "stolen by chaos", "failed (unexpected)"};
    stats.op("backup " + kind + ": " + names[static_cast<int>(o)]);
}

void raiseTo(std::atomic<uint32_t> &a, uint32_t v) {
    uint32_t now = a.load();
    while (now < v && !a.compare_exchange_weak(now, v)) {}
}

// The result of a step: go on, stop (stolen, or an end on purpose), or failed.
enum class Step { Go, Stolen, Failed };

// The list calls in A or W form: the entries of the returned multi-string, as ASCII strings, each
// with its type character in front. The buffer is freed here.
template <class ListA, class ListW>
HRESULT dsList(void *h, bool wide, ListA listA, ListW listW, std::vector<std::string> *out) {
    DWORD cb = 0;
    if (wide) {
        WCHAR *l = nullptr;
        HRESULT hr = listW(h, &l, &cb);
        if (hr == S_OK) *out = splitW8(l, cb);
        DsBackupFree(l);
        return hr;
    }
    char *l = nullptr;
    HRESULT hr = listA(h, &l, &cb);
    if (hr == S_OK) *out = splitA(l, cb);
    DsBackupFree(l);
    return hr;
}
HRESULT dsNames(void *h, bool wide, std::vector<std::string> *out) {
    return dsList(h, wide, DsBackupGetDatabaseNamesA, DsBackupGetDatabaseNamesW, out);
}
HRESULT dsLogs(void *h, bool wide, std::vector<std::string> *out) {
    return dsList(h, wide, DsBackupGetBackupLogsA, DsBackupGetBackupLogsW, out);
}
HRESULT dsOpen(void *h, bool wide, const std::string &name, DWORD hint, LONGLONG *size) {
    LARGE_INTEGER li;
    li.QuadPart = -1;
    HRESULT hr = wide ? DsBackupOpenFileW(h, u16(name).c_str(), hint, &li) : DsBackupOpenFileA(h, name.c_str(), hint, &li);
    *size = li.QuadPart;
    return hr;
}
HRESULT dsRead(void *h, void *b, DWORD cb, DWORD *got) { return DsBackupRead(h, b, cb, got); }
HRESULT dsClose(void *h) { return DsBackupClose(h); }
HRESULT dsTruncate(void *h) { return DsBackupTruncateLogs(h); }
HRESULT dsEnd(void *h) { return DsBackupEnd(h); }

// Certadm has W forms only.
template <class ListW>
HRESULT csList(void *h, ListW listW, std::vector<std::string> *out) {
    WCHAR *l = nullptr;
    DWORD cb = 0;
    HRESULT hr = listW(h, &l, &cb);
    if (hr == S_OK) *out = splitW8(l, cb);
    CertSrvBackupFree(l);
    return hr;
}
HRESULT csNames(void *h, bool, std::vector<std::string> *out) { return csList(h, CertSrvBackupGetDatabaseNamesW, out); }
HRESULT csLogs(void *h, bool, std::vector<std::string> *out) { return csList(h, CertSrvBackupGetBackupLogsW, out); }
HRESULT csOpen(void *h, bool, const std::string &name, DWORD hint, LONGLONG *size) {
    LARGE_INTEGER li;
    li.QuadPart = -1;
    HRESULT hr = CertSrvBackupOpenFileW(h, u16(name).c_str(), hint, &li);
    *size = li.QuadPart;
    return hr;
}
HRESULT csRead(void *h, void *b, DWORD cb, DWORD *got) { return CertSrvBackupRead(h, b, cb, got); }
HRESULT csClose(void *h) { return CertSrvBackupClose(h); }
HRESULT csTruncate(void *h) { return CertSrvBackupTruncateLogs(h); }
HRESULT csEnd(void *h) { return CertSrvBackupEnd(h); }

}  // namespace

const HrFamily kDs{"Ds", 87, true, dsNames, dsOpen, dsRead, dsClose, dsLogs, dsTruncate, dsEnd};
const HrFamily kCs{"CertSrv", E_HANDLE, false, csNames, csOpen, csRead, csClose, csLogs, csTruncate, csEnd};

namespace {

constexpr DWORD kChunk = 65536;
constexpr char kBftDatabase = 0x44, kBftLog = 0x21;  // BFT_NTDS_DATABASE / CSBFT_CERTSERVER_DATABASE, (CS)BFT_LOG

// Prepare of a Ds or CertSrv backup (Ds: after DsIsNTDSOnline, which must say TRUE; CertSrv: full
// or LOGS_ONLY), in the session's form. Returns Prepare's result (*call names it); on S_OK, *h is
// the context. An unexpected DsIsNTDSOnline result returns E_FAIL, already classified.
HRESULT prepareHr(Server &s, bool wide, bool incremental, const char **call, void **h, void **token, DWORD *cbToken) {
    std::string name = s.name;
    std::u16string wname = u16(name);
    HRESULT hr;
    if (s.role == Role::Ntds) {
        BOOL online = 0xdead;
        hr = wide ? DsIsNTDSOnlineW(wname.c_str(), &online) : DsIsNTDSOnlineA(name.c_str(), &online);
        if (classify(Api::Hr, wide ? "DsIsNTDSOnlineW" : "DsIsNTDSOnlineA", hr, {}, name) != Verdict::Ok) return E_FAIL;
        if (online != TRUE) {
            stats.bad("DsIsNTDSOnline: " + std::to_string(online) + " for a running DC - " + name);
            return E_FAIL;
        }
        HBC hbc = nullptr;
        hr = wide ? DsBackupPrepareW(wname.c_str(), 0, BACKUP_TYPE_FULL, token, cbToken, &hbc)
                  : DsBackupPrepareA(name.c_str(), 0, BACKUP_TYPE_FULL, token, cbToken, &hbc);
        *call = wide ? "DsBackupPrepareW" : "DsBackupPrepareA";
        *h = hbc;
    } else {
        HCSBC hbc = nullptr;
        hr = CertSrvBackupPrepareW(wname.c_str(), 0, incremental ? CSBACKUP_TYPE_LOGS_ONLY : CSBACKUP_TYPE_FULL, &hbc);
        *call = incremental ? "CertSrvBackupPrepareW (LOGS_ONLY)" : "CertSrvBackupPrepareW";
        *h = hbc;
    }
    return hr;
}

// A Ds or CertSrv backup: full, or (CertSrv) incremental, LOGS_ONLY.
Outcome backupHr(Server &s, Rng &rng, bool final, bool incremental, const std::shared_ptr<BackupSet> &set,
                 std::shared_ptr<BackupSet> *outSet) {
    const HrFamily &F = s.role == Role::Ntds ? kDs : kCs;
    bool wide = !F.hasNarrow || rng.chance(50);
    const std::string form = wide ? "W" : "A";
    void *h = nullptr;
    void *token = nullptr;
    DWORD cbToken = 0;
    const char *call = "";
    // Read before Prepare: once a full backup was recorded, an incremental must find it.
    bool fullRecorded = s.sh->fullRecorded.load() != 0;
    HRESULT hr = prepareHr(s, wide, incremental, &call, &h, &token, &cbToken);
    if (hr == E_FAIL) return Outcome::Failed;
    // Another thread's (or process's) backup of the server is running: documented; in the final
    // phase nothing else runs. An incremental before any full backup was recorded: documented.
    std::vector<int64_t> expected;
    if (!final) expected.push_back(hrBackupInProgress);
    if (incremental && !fullRecorded) expected.push_back(hrMissingFullBackup);
    Verdict v = classify(Api::Hr, call, hr, expected, s.name);
    if (v == Verdict::Expected) return hr == hrMissingFullBackup ? Outcome::NoFullBackup : Outcome::Busy;
    if (v == Verdict::Unexpected) return Outcome::Failed;
    stats.op(std::string("backup ") + roleName(s.role) + " sessions: " + form + " forms");
    auto e = enlist(s.role, &s, h, 0);
    Plan plan = incremental ? pickIncrementalPlan(rng) : pickPlan(rng, final);
    std::string ctx = s.name + " (" + (incremental ? "incremental, " : "") + planName(plan) + ", " + form + ")";
    bool endedByUs = false, endedOk = false, failed = false, stolen = false, onPurpose = false, truncated = false;
    auto step = [&](const std::string &call, HRESULT r) -> Step {
        std::vector<int64_t> allowed;
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
    auto fail = [&](const std::string &what) {
        stats.bad(what + " - " + ctx);
        failed = true;
    };
    const std::string api = F.prefix;  // "Ds" or "CertSrv", for messages
    auto endNow = [&]() {
        HRESULT r = F.end(h);
        endedByUs = true;
        endedOk = handle(step("BackupEnd", r));
    };
    // A list call: its entries without their type character, which must be `type`.
    auto list = [&](const char *call, ListFn fn, char type, std::vector<std::string> *out) -> bool {
        std::vector<std::string> entries;
        if (!handle(step(call + form, fn(h, wide, &entries)))) return false;
        out->clear();
        for (auto &entry : entries) {
            if (entry.size() < 2 || entry[0] != type) {
                fail(api + call + form + ": an entry without its type character: " + entry);
                return false;
            }
            out->push_back(entry.substr(1));
        }
        return true;
    };
    std::vector<uint8_t> buf(kChunk), bytes;
    // Open, read to the end, close; `cut` ends the backup after the first read instead.
    auto copy = [&](const std::string &name, std::vector<uint8_t> *out, bool cut) -> bool {
        LONGLONG size = -1;
        if (!handle(step("BackupOpenFile" + form, F.openFile(h, wide, name, kChunk, &size)))) return false;
        out->clear();
        for (;;) {
            DWORD got = 0xdeadbeef;
            HRESULT r = F.read(h, buf.data(), kChunk, &got);
            if (r == 38 && s.role == Role::Ntds) break;  // ERROR_HANDLE_EOF
            if (!handle(step("BackupRead", r))) return false;
            if (got == 0) {
                if (s.role == Role::Ca) break;  // CertSrv: S_OK with 0 bytes at the end
                fail(api + "BackupRead: S_OK with 0 bytes");
                return false;
            }
            if (got > kChunk) {
                fail(api + "BackupRead: more bytes than the buffer");
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
            fail(api + "BackupOpenFile" + form + " size " + std::to_string(size) + " but " + std::to_string(out->size()) +
                 " bytes read: " + name);
            return false;
        }
        return true;
    };
    // The database phase of a full backup: the list, the database copied.
    auto databasePhase = [&]() -> bool {
        std::vector<std::string> dbs;
        if (!list("BackupGetDatabaseNames", F.getDatabaseNames, kBftDatabase, &dbs)) return false;
        if (dbs.size() != 1) {
            fail(api + "BackupGetDatabaseNames" + form + ": " + std::to_string(dbs.size()) + " entries");
            return false;
        }
        set->database = dbs[0];
        set->dbFile = set->dir + "/" + baseName(set->database);
        if (!copy(set->database, &bytes, plan == Plan::EndDuringDatabase)) return false;
        if (!writeFile(set->dbFile, bytes)) {
            fail("writing " + set->dbFile);
            return false;
        }
        if (plan == Plan::EndAfterDatabase) {
            onPurpose = true;
            endNow();
            return false;
        }
        return true;
    };
    // An incremental backup has no database phase: GetDatabaseNames must refuse it.
    auto probeIncremental = [&]() -> bool {
        std::vector<std::string> dbs;
        HRESULT r = F.getDatabaseNames(h, wide, &dbs);
        if (r == S_OK) {
            fail(api + "BackupGetDatabaseNames" + form + " succeeded on an incremental backup");
            return false;
        }
        if (r != hrInvalidBackupSequence) return handle(step("BackupGetDatabaseNames" + form, r));
        stats.calls.fetch_add(1, std::memory_order_relaxed);
        stats.code(std::string(F.prefix) + "BackupGetDatabaseNames" + form + " (incremental): " + codeName(Api::Hr, r));
        return true;
    };
    // The log phase: the list, each log copied, TruncateLogs, End.
    auto logPhase = [&]() {
        std::vector<std::string> logs;
        if (!list("BackupGetBackupLogs", F.getBackupLogs, kBftLog, &logs)) return;
        if (logs.empty()) return fail(api + "BackupGetBackupLogs" + form + ": an empty list");
        set->genLow = generationOf(logs.front());
        set->genHigh = generationOf(logs.back());
        if (set->genLow == 0 || set->genHigh < set->genLow || set->genHigh - set->genLow + 1 != logs.size())
            return fail(api + "BackupGetBackupLogs" + form + ": an odd list");
        // The logs on disk are fixed now (this backup holds the server): how far earlier backups truncated.
        set->truncatedBefore = s.sh->truncatedThrough.load();
        for (size_t i = 0; i < logs.size(); ++i) {
            if (!copy(logs[i], &bytes, plan == Plan::StopMidway && i + 1 == logs.size())) return;
            if (!writeFile(set->dir + "/" + baseName(logs[i]), bytes)) return fail("writing a log copy");
        }
        if (plan == Plan::EndBeforeTruncate) {
            onPurpose = true;
            return endNow();
        }
        // Recorded before the call: from here on the logs after an older set's may be gone.
        raiseTo(s.sh->truncatedThrough, set->genHigh);
        if (!handle(step("BackupTruncateLogs", F.truncate(h)))) return;
        truncated = true;
        endNow();
    };
    if (incremental ? (!rng.chance(30) || probeIncremental()) : databasePhase()) logPhase();
    if (!endedByUs) endNow();
    retire(e);
    // A full CertSrv backup that truncated and ended normally is recorded (bkinfoFullPrev): from
    // now on an incremental Prepare must not say hrMissingFullBackup.
    if (s.role == Role::Ca && !incremental && truncated && endedOk) s.sh->fullRecorded.store(1);
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
    // Its own name, bound to the server by its checkpoint folder (JET_paramSystemPath); made
    // through the A or the W functions.
    bool wide = w.rng.chance(50);
    JET_INSTANCE inst = 0;
    std::string name = "w" + std::to_string(w.id) + "i" + std::to_string(s.id);
    std::string system = local(s.name, "C:\\ESE");
    JET_ERR err = wide ? JetCreateInstanceW(&inst, u16(name).c_str()) : JetCreateInstanceA(&inst, name.c_str());
    if (classify(Api::Jet, wide ? "JetCreateInstanceW" : "JetCreateInstanceA", err, {}, name) != Verdict::Ok) return 0;
    err = wide ? JetSetSystemParameterW(&inst, 0, JET_paramSystemPath, 0, u16(system).c_str())
               : JetSetSystemParameterA(&inst, 0, JET_paramSystemPath, 0, system.c_str());
    if (classify(Api::Jet, wide ? "JetSetSystemParameterW" : "JetSetSystemParameterA", err, {}, name) != Verdict::Ok) return 0;
    err = JetInit(&inst);
    if (classify(Api::Jet, "JetInit", err, {}, name) != Verdict::Ok) return 0;
    stats.op(std::string("Jet instances: ") + (wide ? "W" : "A") + " forms");
    w.instances[s.id] = inst;
    return inst;
}

// A Jet list call (JetGetAttachInfoInstance, JetGetLogInfoInstance) in A or W form: its entries.
JET_ERR jetList(JET_INSTANCE inst, bool wide, JET_ERR (*a)(JET_INSTANCE, JET_PSTR, uint32_t, uint32_t *),
                JET_ERR (*w)(JET_INSTANCE, JET_PWSTR, uint32_t, uint32_t *), std::vector<std::string> *out) {
    uint32_t cb = 0;
    if (wide) {
        std::vector<WCHAR> list(32768);
        JET_ERR err = w(inst, list.data(), uint32_t(list.size() * sizeof(WCHAR)), &cb);
        if (err == 0) *out = splitW8(list.data(), std::min<DWORD>(cb, DWORD(list.size() * sizeof(WCHAR))));
        return err;
    }
    std::vector<char> list(65536);
    JET_ERR err = a(inst, list.data(), uint32_t(list.size()), &cb);
    if (err == 0) *out = splitA(list.data(), std::min<size_t>(cb, list.size()));
    return err;
}

struct AlignedBuffer {
    void *p;
    explicit AlignedBuffer(size_t n) : p(aligned_alloc(8192, n)) {}
    ~AlignedBuffer() { free(p); }
};

Outcome backupJet(Worker &w, Server &s, bool final, const std::shared_ptr<BackupSet> &set, std::shared_ptr<BackupSet> *outSet) {
    JET_INSTANCE inst = instanceFor(w, s);
    if (inst == 0) return Outcome::Failed;
    uint64_t done0 = s.sh->stopsDone.load();
    JET_ERR err = JetBeginExternalBackupInstance(inst, 0);
    Verdict v = classify(Api::Jet, "JetBeginExternalBackupInstance", err,
                         final ? std::vector<int64_t>{} : std::vector<int64_t>{-505}, s.name);
    if (v == Verdict::Expected) return Outcome::Busy;
    if (v == Verdict::Unexpected) return Outcome::Failed;
    bool wide = w.rng.chance(50);
    const std::string form = wide ? "W" : "A";
    stats.op(std::string("backup ese sessions: ") + form + " forms");
    auto e = enlist(Role::Ese, &s, nullptr, inst);
    Plan plan = pickPlan(w.rng, final);
    std::string ctx = s.name + " (" + planName(plan) + ", " + form + ")";
    bool failed = false, stolen = false, onPurpose = false, ended = false, stoppedByUs = false;
    auto step = [&](const std::string &call, JET_ERR r) -> bool {
        stats.calls.fetch_add(1, std::memory_order_relaxed);
        if (r == 0) return true;
        std::string key = call + ": " + codeName(Api::Jet, r);
        bool chaos = s.sh->stopsStarted.load() > done0;  // an End or Stop aimed at the server since this backup began
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
        JET_ERR r = wide ? JetOpenFileInstanceW(inst, u16(name).c_str(), &hf, &lo, &hi)
                         : JetOpenFileInstanceA(inst, name.c_str(), &hf, &lo, &hi);
        if (!step("JetOpenFileInstance" + form, r)) return false;
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
                    s.sh->stopsStarted.fetch_add(1);  // if the chaos thread ended ours, this stops the next one
                    step("JetStopBackupInstance", JetStopBackupInstance(inst));
                    s.sh->stopsDone.fetch_add(1);
                    std::vector<std::string> dbs;
                    JET_ERR r = jetList(inst, wide, JetGetAttachInfoInstanceA, JetGetAttachInfoInstanceW, &dbs);
                    if (r == 0) step("JetGetAttachInfoInstance" + form + " after JetStopBackupInstance", -1);
                    else step("JetGetAttachInfoInstance" + form, r);
                    endNow(JET_bitBackupEndAbort);
                } else {
                    endNow(JET_bitBackupEndAbort);
                }
                return false;
            }
        }
        if (!step("JetCloseFileInstance", JetCloseFileInstance(inst, hf))) return false;
        if (bytes.size() != size) {
            stats.bad("JetOpenFileInstance" + form + " size " + std::to_string(size) + " but " + std::to_string(bytes.size()) +
                      " bytes read: " + name + " - " + ctx);
            failed = true;
            return false;
        }
        return true;
    };
    auto body = [&]() {
        std::vector<std::string> dbs, logs;
        if (!step("JetGetAttachInfoInstance" + form, jetList(inst, wide, JetGetAttachInfoInstanceA, JetGetAttachInfoInstanceW, &dbs)))
            return;
        if (dbs.size() != 1) {
            stats.bad("JetGetAttachInfoInstance" + form + ": " + std::to_string(dbs.size()) + " databases - " + ctx);
            failed = true;
            return;
        }
        set->database = dbs[0];
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
        if (!step("JetGetLogInfoInstance" + form, jetList(inst, wide, JetGetLogInfoInstanceA, JetGetLogInfoInstanceW, &logs))) return;
        if (logs.empty()) {
            stats.bad("JetGetLogInfoInstance" + form + ": an empty list - " + ctx);
            failed = true;
            return;
        }
        set->genLow = generationOf(logs.front());
        set->genHigh = generationOf(logs.back());
        if (set->genLow == 0 || set->genHigh < set->genLow || set->genHigh - set->genLow + 1 != logs.size()) {
            stats.bad("JetGetLogInfoInstance" + form + ": an odd list - " + ctx);
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

// A new set folder of s.
std::shared_ptr<BackupSet> newSet(Server &s) {
    auto made = std::make_shared<BackupSet>();
    // Under the root all processes share: the process's number in the name (none when alone).
    std::string seq = std::to_string(s.setSeq.fetch_add(1));
    made->dir = rootDir + "/sets/" + s.name + "/" + (opt.child >= 0 ? "p" + std::to_string(opt.child) + "-" + seq : seq);
    fs::create_directories(made->dir);
    return made;
}

// A completed set: the digest its last log recorded.
Outcome readDigest(BackupSet &set) {
    HRESULT hr;
    set.digest = logDigest(set.dir + "/" + logName(set.genHigh), &hr);
    return classify(Api::Hr, "WbReadLogDigestA", hr, {}, set.dir) == Verdict::Ok ? Outcome::Completed : Outcome::Failed;
}

void queue(Server &s, Chain chain) {
    stats.op(chain.size() == 1 ? "restores queued: full sets" : "restores queued: full + incremental chains");
    std::lock_guard<std::mutex> g(s.setsMutex);
    s.unverified.push_back(std::move(chain));
}

// A completed incremental set joins the newest chain of this process: restorable as that chain
// plus it when its logs follow on (it starts at most one after the chain's last generation;
// overlap is allowed). A gap is expected only when a backup truncated the logs past the chain's
// end before this one listed them (another thread's or process's full or incremental backup,
// recorded in the shared page before its TruncateLogs); then the chain ends here.
void chainIncremental(Server &s, const std::shared_ptr<BackupSet> &set) {
    std::lock_guard<std::mutex> g(s.chainMutex);
    if (s.chain.empty()) {
        stats.op("incrementals certsrv: no chain of this process to extend");
        return;
    }
    const BackupSet &last = *s.chain.back();
    if (set->genLow <= last.genHigh + 1) {
        if (set->genHigh <= last.genHigh) {
            stats.bad("incremental " + set->dir + " ends at generation " + std::to_string(set->genHigh) + ", not after its chain's " +
                      std::to_string(last.genHigh));
            set->keep = true;
            return;
        }
        s.chain.push_back(set);
        stats.op("incrementals certsrv: chained");
        queue(s, s.chain);
    } else if (set->truncatedBefore > last.genHigh) {
        stats.op("incrementals certsrv: after another backup's truncation (chain ends)");
        s.chain.clear();
    } else {
        stats.bad("incremental " + set->dir + " starts at generation " + std::to_string(set->genLow) + ", its chain ends at " +
                  std::to_string(last.genHigh) + ", and no backup truncated past that (only to " + std::to_string(set->truncatedBefore) +
                  ")");
        set->keep = true;
        s.chain.clear();
    }
}

}  // namespace

Outcome backupOnce(Worker &w, Server &s, bool final, std::shared_ptr<BackupSet> *out) {
    auto made = newSet(s);
    std::shared_ptr<BackupSet> set;
    Outcome o = s.role == Role::Ese ? backupJet(w, s, final, made, &set) : backupHr(s, w.rng, final, false, made, &set);
    if (o == Outcome::Completed) o = readDigest(*set);
    countOutcome(roleName(s.role), o);
    if (o == Outcome::Failed) made->keep = true;  // it stays for a look
    if (o != Outcome::Completed) return o;
    if (out) *out = set;
    queue(s, {set});
    if (s.role == Role::Ca) {
        // The newest full set (it truncated) starts a new chain for incrementals.
        std::lock_guard<std::mutex> g(s.chainMutex);
        if (s.chain.empty() || s.chain.back()->genHigh < set->genHigh) s.chain = {set};
    }
    return o;
}

Outcome incrementalOnce(Worker &w, Server &s) {
    auto made = newSet(s);
    made->incremental = true;
    std::shared_ptr<BackupSet> set;
    Outcome o = backupHr(s, w.rng, false, true, made, &set);
    if (o == Outcome::Completed) o = readDigest(*set);
    countOutcome("certsrv incremental", o);
    if (o == Outcome::Failed) made->keep = true;
    if (o == Outcome::Completed) chainIncremental(s, set);
    return o;
}

}  // namespace stress
