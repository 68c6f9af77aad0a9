// The restores of the stress test: a completed set onto its server's spare, then its content checked.
#include <algorithm>

#include "stress.h"

namespace stress {

namespace {

// DsRestore* in the A or the W form: prepare with the set's token, the locations, register, the
// files copied, complete, end.
bool restoreNtds(const std::string &t, const BackupSet &set, bool wide, const std::string &ctx) {
    auto ok = [&](const std::string &call, HRESULT code) { return classify(Api::Hr, call.c_str(), code, {}, ctx) == Verdict::Ok; };
    const std::string form = wide ? "W" : "A";
    HBC hbc = nullptr;
    std::vector<uint8_t> token = set.token;
    HRESULT hr = wide ? DsRestorePrepareW(u16(t).c_str(), 0, token.data(), DWORD(token.size()), &hbc)
                      : DsRestorePrepareA(t.c_str(), 0, token.data(), DWORD(token.size()), &hbc);
    if (!ok("DsRestorePrepare" + form, hr)) return false;
    std::vector<std::string> where;
    DWORD cb = 0;
    if (wide) {
        WCHAR *list = nullptr;
        hr = DsRestoreGetDatabaseLocationsW(hbc, &list, &cb);
        if (hr == S_OK) where = splitW8(list, cb);
        DsBackupFree(list);
    } else {
        char *list = nullptr;
        hr = DsRestoreGetDatabaseLocationsA(hbc, &list, &cb);
        if (hr == S_OK) where = splitA(list, cb);
        DsBackupFree(list);
    }
    bool good = ok("DsRestoreGetDatabaseLocations" + form, hr);
    if (good && (where.size() != 3 || where[0][0] != BFT_NTDS_DATABASE || where[1][0] != char(BFT_LOG_DIR) ||
                 where[2][0] != char(BFT_CHECKPOINT_DIR))) {
        stats.bad("DsRestoreGetDatabaseLocations" + form + ": " + std::to_string(where.size()) + " entries, not database, log, checkpoint - " + ctx);
        good = false;
    }
    const std::string backupLogs = "C:\\WinBackup\\RestoredLogs";
    std::string logs = local(t, backupLogs.c_str());
    if (good) {
        std::string db = where[0].substr(1), logDir = where[1].substr(1), ckpt = where[2].substr(1);
        std::string original = set.database, restored = db;
        if (wide) {
            std::u16string o = u16(original), r = u16(restored);
            EDB_RSTMAPW map[1] = {{o.data(), r.data()}};
            hr = DsRestoreRegisterW(hbc, u16(ckpt).c_str(), u16(logDir).c_str(), map, 1, u16(backupLogs).c_str(), set.genLow, set.genHigh);
        } else {
            EDB_RSTMAPA map[1] = {{original.data(), restored.data()}};
            hr = DsRestoreRegisterA(hbc, ckpt.c_str(), logDir.c_str(), map, 1, backupLogs.c_str(), set.genLow, set.genHigh);
        }
        good = ok("DsRestoreRegister" + form, hr);
        if (good) {
            std::error_code ec;
            fs::remove_all(logs, ec);
            fs::create_directories(logs);
            good = copyFile(set.dbFile, local(t, db.c_str()));
            for (uint32_t g = set.genLow; good && g <= set.genHigh; ++g)
                good = copyFile(set.dir + "/" + logName(g), logs + "/" + logName(g));
            if (!good) stats.bad("copying the files of " + ctx);
            if (good) good = ok("DsRestoreRegisterComplete", DsRestoreRegisterComplete(hbc, S_OK));
        }
    }
    if (!ok("DsRestoreEnd", DsRestoreEnd(hbc))) good = false;
    return good;
}

// A set's logs into a fresh folder on the spare.
bool copyLogs(const std::string &t, const BackupSet &set, const char *folder) {
    std::string logs = local(t, folder);
    std::error_code ec;
    fs::remove_all(logs, ec);
    fs::create_directories(logs);
    bool good = !logs.empty();
    for (uint32_t g = set.genLow; good && g <= set.genHigh; ++g) good = copyFile(set.dir + "/" + logName(g), logs + "/" + logName(g));
    return good;
}

// CertSrvRestore* (W forms only): a full restore of the chain's full set, then an incremental
// restore of each incremental set, each in a folder of its own (sometimes registered in another
// order: any order after the full one is allowed).
bool restoreCa(const Server &s, const std::string &t, const Chain &chain, Rng &rng, const std::string &ctx) {
    auto ok = [&](const char *call, HRESULT code) { return classify(Api::Hr, call, code, {}, ctx) == Verdict::Ok; };
    std::u16string wt = u16(t);
    const BackupSet &full = *chain[0];
    HCSBC hbc = nullptr;
    if (!ok("CertSrvRestorePrepareW", CertSrvRestorePrepareW(wt.c_str(), CSRESTORE_TYPE_FULL, &hbc))) return false;
    std::string dbPath = "C:\\Windows\\System32\\CertLog\\" + s.caName + ".edb";
    std::u16string original = u16(full.database), restored = u16(dbPath), folder = u"C:\\Restore\\full";
    CSEDB_RSTMAPW map[1] = {{original.data(), restored.data()}};
    bool good = ok("CertSrvRestoreRegisterW",
                   CertSrvRestoreRegisterW(hbc, nullptr, nullptr, map, 1, folder.c_str(), full.genLow, full.genHigh));
    if (good) {
        good = copyFile(full.dbFile, local(t, dbPath.c_str())) && copyLogs(t, full, "C:\\Restore\\full");
        if (!good) stats.bad("copying the files of " + ctx);
        if (good) good = ok("CertSrvRestoreRegisterComplete", CertSrvRestoreRegisterComplete(hbc, S_OK));
    }
    if (!ok("CertSrvRestoreEnd", CertSrvRestoreEnd(hbc))) good = false;
    std::vector<size_t> order;
    for (size_t i = 1; i < chain.size(); ++i) order.push_back(i);
    if (order.size() > 1 && rng.chance(30)) {
        std::shuffle(order.begin(), order.end(), rng.g);
        stats.op("restore certsrv: incrementals registered out of order");
    }
    for (size_t i : order) {
        if (!good) break;
        const BackupSet &inc = *chain[i];
        std::string where = "C:\\Restore\\inc" + std::to_string(i);
        hbc = nullptr;
        if (!ok("CertSrvRestorePrepareW (incremental)", CertSrvRestorePrepareW(wt.c_str(), 0, &hbc))) return false;
        good = ok("CertSrvRestoreRegisterW (incremental)",
                  CertSrvRestoreRegisterW(hbc, nullptr, nullptr, nullptr, 0, u16(where).c_str(), inc.genLow, inc.genHigh));
        if (good) {
            good = copyLogs(t, inc, where.c_str());
            if (!good) stats.bad("copying the logs of " + inc.dir + " - " + ctx);
            if (good) good = ok("CertSrvRestoreRegisterComplete (incremental)", CertSrvRestoreRegisterComplete(hbc, S_OK));
        }
        if (!ok("CertSrvRestoreEnd (incremental)", CertSrvRestoreEnd(hbc))) good = false;
    }
    return good;
}

// JetExternalRestore in the A or the W form, the database copied to the spare first.
bool restoreEse(const std::string &t, const BackupSet &set, bool wide, const std::string &ctx) {
    std::string target = local(t, "C:\\ESE\\ese.edb");
    if (!copyFile(set.dbFile, target)) {
        stats.bad("copying the database of " + ctx);
        return false;
    }
    JET_ERR err;
    if (wide) {
        std::u16string original = u16(set.database), to = u16(target), dir = u16(set.dir);
        JET_RSTMAP_W map{original.data(), to.data()};
        err = JetExternalRestoreW(nullptr, nullptr, &map, 1, dir.data(), int32_t(set.genLow), int32_t(set.genHigh), nullptr);
    } else {
        std::string original = set.database, dir = set.dir;
        JET_RSTMAP_A map{original.data(), target.data()};
        err = JetExternalRestoreA(nullptr, nullptr, &map, 1, dir.data(), int32_t(set.genLow), int32_t(set.genHigh), nullptr);
    }
    return classify(Api::Jet, wide ? "JetExternalRestoreW" : "JetExternalRestoreA", err, {}, ctx) == Verdict::Ok;
}

}  // namespace

bool restoreOnto(Server &s, const Chain &chain, Rng &rng) {
    const std::string &t = s.spare;
    const BackupSet &set = *chain.back();  // the newest: what the spare must show
    std::string ctx = chain[0]->dir + (chain.size() > 1 ? " + " + std::to_string(chain.size() - 1) + " incrementals" : "") + " -> " + t;
    bool wide = s.role == Role::Ca || rng.chance(50);  // Certadm has W forms only
    stats.op(std::string("restore ") + roleName(s.role) + " sessions: " + (wide ? "W" : "A") + " forms");
    bool restored = s.role == Role::Ntds ? restoreNtds(t, set, wide, ctx)
                    : s.role == Role::Ca ? restoreCa(s, t, chain, rng, ctx)
                                         : restoreEse(t, set, wide, ctx);
    if (!restored) return false;
    auto ok = [&](const char *call, HRESULT code) { return classify(Api::Hr, call, code, {}, ctx) == Verdict::Ok; };
    if (!ok("WbStartServerA (restored)", WbStartServerA(t.c_str()))) return false;
    HRESULT hr;
    std::string got = contentDigest(t, &hr);
    bool same = ok("WbGetContentDigestA", hr) && got == set.digest;
    if (hr == S_OK && !same)
        stats.bad("restored content differs: " + t + " shows " + got + ", the newest set's last log recorded " + set.digest + " - " + ctx);
    if (!ok("WbStopServerA (restored)", WbStopServerA(t.c_str()))) same = false;
    return same;
}

bool verifyOne(Server &s, bool block, Rng &rng) {
    std::unique_lock<std::mutex> spare(s.spareMutex, std::defer_lock);
    if (block) spare.lock();
    else if (!spare.try_lock()) return false;
    Chain chain;
    {
        std::lock_guard<std::mutex> g(s.setsMutex);
        if (s.unverified.empty()) return false;
        chain = s.unverified.front();
        s.unverified.pop_front();
    }
    bool ok = restoreOnto(s, chain, rng);
    std::string kind = std::string("restore ") + roleName(s.role) + (chain.size() > 1 ? " full + incrementals" : "");
    stats.op(kind + (ok ? ": verified byte-exact" : ": FAILED"));
    if (ok && chain.size() > 1) stats.op("restore certsrv full + incrementals: incremental sets in them", chain.size() - 1);
    if (!ok)
        for (auto &set : chain) set->keep = true;  // for a look
    return ok;
}

}  // namespace stress
