// The restores of the stress test: a completed set onto its server's spare, then its content checked.
#include "stress.h"

namespace stress {

// --- restores --------------------------------------------------------------------------------------

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

}  // namespace stress
