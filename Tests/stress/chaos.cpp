// The chaos thread of the stress test: End, Close, Stop and Free aimed at other threads' live
// sessions, at stale handles and at made-up ones.
#include <thread>

#include "stress.h"

namespace stress {
namespace {

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

}  // namespace

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
                s.sh->stopsStarted.fetch_add(1);
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
                s.sh->stopsDone.fetch_add(1);
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
                // A list of the victim's session (Ds: the A or the W form), then its interior and
                // the buffer a second time.
                void *list = nullptr;
                DWORD cb = 0;
                bool ds = victim->role == Role::Ntds, narrow = ds && rng.chance(50);
                HRESULT hr;
                const char *call;
                if (narrow) {
                    hr = DsBackupGetDatabaseNamesA(victim->handle, reinterpret_cast<char **>(&list), &cb);
                    call = "chaos DsBackupGetDatabaseNamesA (live)";
                } else if (ds) {
                    hr = DsBackupGetDatabaseNamesW(victim->handle, reinterpret_cast<WCHAR **>(&list), &cb);
                    call = "chaos DsBackupGetDatabaseNamesW (live)";
                } else {
                    hr = CertSrvBackupGetDynamicFileListW(victim->handle, reinterpret_cast<WCHAR **>(&list), &cb);
                    call = "chaos CertSrvBackupGetDynamicFileListW (live)";
                }
                const HrFamily &F = ds ? kDs : kCs;
                if (classify(Api::Hr, call, hr, {F.staleCode}, victim->server->name) == Verdict::Ok && list) {
                    DsBackupFree(static_cast<char *>(list) + 2);  // inside the buffer: not one of ours
                    CertSrvBackupFree(list);                      // the buffer
                    DsBackupFree(list);                           // again: already freed
                    bogusFrees += 2;
                    stats.op("chaos Free (interior, double)");
                }
            }
        }
    }
    stats.op("chaos bogus frees", bogusFrees);
}

}  // namespace stress
