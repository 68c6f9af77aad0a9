// libFuzzer target over the whole C ABI of libwinbackup.so (issue 7, item 1).
//
// Each input is a sequence of calls across Ntdsbcli (Ds*), Certadm (CertSrv*), ESENT (Jet*) and
// the Wb* extensions, with fuzzed arguments: handles (live, stale, garbage, NULL, another family's),
// strings (UTF-8 and UTF-16, unterminated within the library's bound, unpaired surrogates, very
// long, "..", another server's UNC path, names the library itself handed out), sizes and flags.
// The servers are three small emulated ones (DC01 ntds, CA01 certsrv, ESE01 ese) made at start-up
// under a temporary $WINBACKUP_ROOT.
//
// After each call: the result is one its family documents (docs/CONTRACT-*.md), and exactly the
// documented one where the harness knows the argument is bad (a NULL required pointer, a handle
// that is not live); out-parameters keep their sentinel on failure. After each input: every
// session is ended, every server starts again, and a server whose content nothing changed still
// has the content digest it had at start-up; then servers the input changed are put back from a
// pristine copy, so inputs do not depend on each other. Every 64 inputs, a full backup of each
// server through its own API must succeed from Prepare to End.
//
// Encoding: a stream of ops; each op is one byte (the call) followed by the bytes its arguments
// consume (one byte per choice, four per 32-bit number). Missing bytes read as 0.
//
// Build and run: scripts/fuzz.sh [SECONDS]. docs/HARDENING.md says what is checked.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "certbcli.h"
#include "esent.h"
#include "ntdsbcli.h"
#include "winbackup.h"

namespace {

// ---------------------------------------------------------------------------------------------
// Failing an invariant: print what and abort, so libFuzzer saves the input.
[[noreturn]] void fail(const char *fn, const char *what, long long got) {
    std::fprintf(stderr, "\nINVARIANT FAILED: %s: %s (got %lld / %#llx)\n", fn, what, got,
                 (unsigned long long)got);
    std::abort();
}
#define CHECK(fn, cond, what, got) \
    do { if (!(cond)) fail(fn, what, (long long)(got)); } while (0)

// ---------------------------------------------------------------------------------------------
// The input.
struct Reader {
    const uint8_t *p;
    size_t n;
    uint8_t u8() { if (!n) return 0; --n; return *p++; }
    uint32_t u32() { uint32_t v = 0; for (int i = 0; i < 4; ++i) v |= uint32_t(u8()) << (8 * i); return v; }
    uint64_t u64() { return uint64_t(u32()) | (uint64_t(u32()) << 32); }
    bool flag() { return u8() & 1; }
    size_t pick(size_t k) { return k ? u8() % k : 0; }
    std::string bytes(size_t max) {
        size_t len = u8() % (max + 1);
        std::string s;
        while (len-- && n) s.push_back(char(u8()));
        return s;
    }
};

// ---------------------------------------------------------------------------------------------
// The servers and their names.
std::string g_root;
const char *const kServers[] = {"DC01", "CA01", "ESE01"};
enum { DC = 0, CA = 1, ESE = 2 };
std::string g_pristineDigest[3];
const char *const kCreateOptions[] = {
    "--role ntds --db-size 1M --logs 2 --log-size 64K",
    "--role certsrv --db-size 1M --logs 2 --log-size 64K",
    "--role ese --db-size 1M --logs 2 --log-size 64K",
};

// UNC and drive paths of the servers' files, and other strings worth trying.
const char *const kPaths[] = {
    "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit",
    "C:\\Windows\\NTDS\\ntds.dit",
    "\\\\DC01\\C$\\Windows\\NTDS",
    "\\\\DC01\\C$\\Windows\\NTDS\\edb.log",
    "\\\\DC01\\C$\\Windows\\NTDS\\edb00001.log",
    "\\\\DC01\\C$\\Windows\\NTDS\\..\\..\\..\\..\\etc\\passwd",
    "\\\\dc01\\c$\\windows\\ntds\\NTDS.DIT",
    "\\\\CA01\\C$\\Windows\\System32\\CertLog\\CA01-CA.edb",
    "\\\\CA01\\C$\\Windows\\System32\\CertLog",
    "\\\\CA01\\C$\\Windows\\System32\\CertLog\\edb00001.log",
    "\\\\CA01\\C$\\Windows\\System32\\CertSrv\\CertEnroll\\CA01-CA.crl",
    "C:\\Windows\\System32\\CertLog\\CA01-CA.edb",
    "\\\\ESE01\\C$\\ESE\\ese.edb",
    "C:\\ESE\\ese.edb",
    "C:\\ESE\\logs",
    "C:\\ESE",
    "C:\\ESE\\logs\\edb00001.log",
    "\\\\NOSUCH\\C$\\x",
    "..",
    "",
    "relative\\name",
    "/etc/passwd",
    "C:",
    "\\\\",
    "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit\\..",
};
const char *const kNames[] = {"DC01", "CA01", "ESE01", "\\\\DC01", "\\\\CA01", "ca01\\CA01-CA", "CA01\\", "CA01\\other",
                              "NOSUCH", "", "..", "-x", "a_b", "DC01/..", "\\\\\\\\", "dc01", "x" /* short */};

// Strings the library handed out (name lists, locations, attach info), for later calls.
std::vector<std::string> g_handedOut;

std::string localPathOf(const std::string &server, const char *sub) {
    return g_root + "/servers/" + server + "/C/" + sub;
}

// A fuzzed string, as the bytes of a UTF-8 string (A functions) and a UTF-16 string (W functions).
// `storage` keeps them alive; the pointer returned may be NULL, terminated, or (class 6)
// deliberately unterminated, exactly as long as the library's bound so any read past it is an
// ASan report.
struct Strings {
    std::vector<std::vector<char>> narrow;
    std::vector<std::vector<char16_t>> wide;
    // A string so far made unterminated or longer than the library's bound: the call may then
    // answer "invalid argument" before it checks a NULL pointer, which the contracts do not order.
    bool overlong = false;
};

std::u16string toU16(const std::string &s) {   // bytes as Latin-1 code units: enough for these names
    std::u16string w;
    for (unsigned char c : s) w.push_back(c);
    return w;
}

std::string chooseText(Reader &r, int server) {
    switch (r.pick(9)) {
    case 0: return kServers[server];
    case 1: return kNames[r.pick(sizeof kNames / sizeof *kNames)];
    case 2: return kPaths[r.pick(sizeof kPaths / sizeof *kPaths)];
    case 3: return g_handedOut.empty() ? std::string(kPaths[0]) : g_handedOut[r.pick(g_handedOut.size())];
    case 4: {   // a local path of a server
        static const char *subs[] = {"Windows/NTDS/ntds.dit", "Windows/NTDS", "ESE/ese.edb", "ESE/logs", "ESE",
                                     "Windows/System32/CertLog", "../../../../etc", "Windows/NTDS/edb.log"};
        return localPathOf(kServers[r.pick(3)], subs[r.pick(8)]);
    }
    case 5: return g_root + "/bk" + std::to_string(r.pick(3));   // backup folders (JetBackup, restore)
    case 6: return std::string(size_t(r.u8()) * 300 + 1, 'A');  // long: up to 76500 units
    default: return r.bytes(48);
    }
}

const char *narrowArg(Reader &r, Strings &st, int server) {
    unsigned cls = r.pick(8);
    if (cls == 0) return nullptr;
    std::vector<char> v;
    if (cls == 1) {   // unterminated within the bound: 98302 bytes of 'a', no NUL
        v.assign(size_t(32767) * 3 + 1, 'a');
        st.overlong = true;
    } else {
        std::string s = chooseText(r, server);
        if (s.size() > 32767) st.overlong = true;
        v.assign(s.begin(), s.end());
        v.push_back(0);
    }
    st.narrow.push_back(std::move(v));
    return st.narrow.back().data();
}

const char16_t *wideArg(Reader &r, Strings &st, int server) {
    unsigned cls = r.pick(9);
    if (cls == 0) return nullptr;
    std::vector<char16_t> v;
    if (cls == 1) {   // unterminated within the bound: 32768 units, no NUL
        v.assign(32768, u'a');
        st.overlong = true;
    } else if (cls == 2) {   // raw UTF-16 units: unpaired surrogates and all
        size_t len = r.pick(40);
        for (size_t i = 0; i < len; ++i) { char16_t c = char16_t(r.u8() | (r.u8() << 8)); v.push_back(c ? c : 0xD800); }
        v.push_back(0);
    } else {
        std::u16string s = toU16(chooseText(r, server));
        if (s.size() > 32767) st.overlong = true;
        if (r.pick(8) == 0 && !s.empty()) s[r.pick(s.size())] = char16_t(0xDC00 | r.u8());   // a lone low surrogate
        v.assign(s.begin(), s.end());
        v.push_back(0);
    }
    st.wide.push_back(std::move(v));
    return st.wide.back().data();
}

// ---------------------------------------------------------------------------------------------
// Handles: live, stale (ended), garbage, NULL, another family's. Kinds, so a function knows
// which handles it must accept.
enum Kind { kDsB, kDsR, kCsB, kCsR, kJet, kKinds };
enum : unsigned { DSB = 1u << kDsB, DSR = 1u << kDsR, CSB = 1u << kCsB, CSR = 1u << kCsR, JETK = 1u << kJet,
                  DSANY = DSB | DSR, CSANY = CSB | CSR };
struct Handles {
    std::vector<void *> live[kKinds];
    std::vector<void *> stale[kKinds];
    void clear() { for (auto &v : live) v.clear(); for (auto &v : stale) v.clear(); }
} g_h;

struct Choice {
    void *h;
    bool valid;   // live, of a kind the function accepts (the library may still refuse it for its state)
};

bool isLive(unsigned kinds, void *h) {
    for (int k = 0; k < kKinds; ++k)
        if (kinds & (1u << k))
            for (void *x : g_h.live[k]) if (x == h) return true;
    return false;
}

void *pickFrom(Reader &r, unsigned kinds, bool stale) {
    std::vector<void *> all;
    for (int k = 0; k < kKinds; ++k)
        if (kinds & (1u << k)) for (void *x : (stale ? g_h.stale[k] : g_h.live[k])) all.push_back(x);
    return all.empty() ? nullptr : all[r.pick(all.size())];
}

Choice chooseHandle(Reader &r, unsigned pool, unsigned accept) {
    void *h = nullptr;
    switch (r.pick(8)) {
    case 0: h = nullptr; break;
    case 1: case 2: case 3: h = pickFrom(r, accept, false); if (!h) h = pickFrom(r, pool, false); break;
    case 4: h = pickFrom(r, pool, true); if (!h) h = (void *)uintptr_t(0x100000001ull); break;
    case 5: h = pickFrom(r, ~pool & ((1u << kKinds) - 1), false); if (!h) h = (void *)uintptr_t(1); break;
    case 6: {   // a live handle with another generation or a neighbour slot
        uintptr_t v = uintptr_t(pickFrom(r, pool, false));
        v ^= r.flag() ? (uintptr_t(1) << 32) : uintptr_t(1 + r.pick(3));
        h = (void *)v;
        break;
    }
    default: h = (void *)uintptr_t(r.u64()); break;
    }
    return {h, h != nullptr && isLive(accept, h)};
}

void retire(Kind k, void *h) {
    auto &l = g_h.live[k];
    for (size_t i = 0; i < l.size(); ++i)
        if (l[i] == h) { l.erase(l.begin() + long(i)); g_h.stale[k].push_back(h); return; }
}
void adopt(Kind k, void *h) { g_h.live[k].push_back(h); }
enum Family { kDs, kCs };

// Library buffers to free (name lists, tokens), and ones already freed.
std::vector<std::pair<Family, void *>> g_buffers;
std::vector<void *> g_freed;

// ---------------------------------------------------------------------------------------------
// Documented results, per family (docs/CONTRACT-*.md).
bool isNtdsbmsg(HRESULT hr) {   // hr* of ntdsbmsg.h: 0xC7FF00xx or 0xC8000000 | -JET_err, WB_HR_*
    uint32_t u = uint32_t(hr);
    return (u >= 0xC7FF0001u && u <= 0xC7FF0011u) || ((u & 0xFFFF0000u) == 0xC8000000u && (u & 0xFFFF) > 0);
}

bool dsDocumented(HRESULT hr) {
    return hr == S_OK || hr == 87 || hr == 5 || hr == 38 || hr == 8 || isNtdsbmsg(hr);
}
bool csDocumented(HRESULT hr) {
    return hr == S_OK || hr == E_POINTER || hr == E_INVALIDARG || hr == E_HANDLE || hr == E_ACCESSDENIED ||
           hr == E_OUTOFMEMORY || uint32_t(hr) == 0x800706BAu || isNtdsbmsg(hr);
}
bool jetDocumented(JET_ERR e) {   // 0, or an error esent.h defines; no warnings in these calls
    static const int known[] = {-102, -103, -105, -107, -500, -501, -503, -504, -505, -506, -509, -510, -511, -513,
        -514, -515, -516, -517, -519, -520, -521, -523, -524, -525, -526, -527, -528, -529, -530, -531, -532, -533,
        -534, -535, -538, -539, -541, -542, -543, -544, -550, -551, -552, -553, -554, -555, -556, -557, -560, -561,
        -565, -569, -577, -610, -611, -612, -615, -616, -617, -801, -900, -1000, -1001, -1002, -1003, -1011, -1018,
        -1019, -1020, -1022, -1023, -1025, -1029, -1030, -1032, -1038, -1044, -1080, -1081, -1086, -1090, -1092,
        -1104, -1115, -1118, -1119, -1202, -1203, -1206, -1215, -1329, -1808, -1809, -1811, -1852, -1906, -1907,
        -2101};
    if (e == 0) return true;
    for (int k : known) if (k == e) return true;
    return false;
}
bool wbDocumented(HRESULT hr) {
    return hr == S_OK || hr == 87 || hr == 5 || hr == ERROR_INSUFFICIENT_BUFFER || isNtdsbmsg(hr) ||
           hr == E_HANDLE || hr == E_POINTER;
}

#define DS(fn, hr) CHECK(#fn, dsDocumented(hr), "result not documented for Ntdsbcli", hr)
#define CS(fn, hr) CHECK(#fn, csDocumented(hr), "result not documented for Certadm", hr)
#define JET(fn, e) CHECK(#fn, jetDocumented(e), "result not documented for ESENT", e)
#define WB(fn, hr) CHECK(#fn, wbDocumented(hr), "result not documented for Wb*", hr)
#define EXACT(fn, got, want) CHECK(#fn, (got) == (want), "expected " #want, got)
// A NULL pointer, unless a string argument was too long (then "invalid argument" may come first).
#define EXACT_PTR(fn, got, want) \
    CHECK(#fn, (got) == (want) || (st.overlong && ((got) == E_INVALIDARG || (got) == 87)), "expected " #want, got)
#define UNTOUCHED(fn, ok, cond) CHECK(#fn, (ok) || (cond), "out-parameter written on failure", 0)

const void *const kSentinelPtr = (void *)uintptr_t(0xdeadbeefcafe0000ull);
const uint32_t kSentinel = 0xdeadbeef;

// What an input did, for the checks at its end.
struct InputState {
    bool mutated = false;        // anything that may change a server's files (servers restored after)
    bool contentMayChange = false;
    bool sessions = false;
} g_in;

void remember(const void *list, bool wide, size_t cb) {   // keeps names from a multi-string
    if (!list) return;
    if (wide) {
        const char16_t *w = (const char16_t *)list;
        size_t n = cb / 2;
        std::string cur;
        for (size_t i = 0; i < n && g_handedOut.size() < 64; ++i) {
            if (w[i] == 0) { if (cur.empty()) break; g_handedOut.push_back(cur); cur.clear(); }
            else if (w[i] < 0x80) cur.push_back(char(w[i]));
        }
    } else {
        const char *a = (const char *)list;
        std::string cur;
        for (size_t i = 0; i < cb && g_handedOut.size() < 64; ++i) {
            if (a[i] == 0) { if (cur.empty()) break; g_handedOut.push_back(cur); cur.clear(); }
            else cur.push_back(a[i]);
        }
    }
    // Without the leading BFT character too, as agents pass them.
    size_t k = g_handedOut.size();
    for (size_t i = 0; i < k && g_handedOut.size() < 96; ++i)
        if (!g_handedOut[i].empty() && (unsigned char)g_handedOut[i][0] < 0x20 + 0x70 &&
            g_handedOut[i].size() > 1 && g_handedOut[i][1] == '\\')
            g_handedOut.push_back(g_handedOut[i].substr(1));
}

// ---------------------------------------------------------------------------------------------
// Ntdsbcli.
void opDs(Reader &r, Strings &st, unsigned which) {
    bool wide = r.flag();
    switch (which) {
    case 0: {   // DsIsNTDSOnline
        BOOL f = BOOL(kSentinel);
        BOOL *pf = r.pick(6) ? &f : nullptr;
        HRESULT hr = wide ? DsIsNTDSOnlineW((LPCWSTR)wideArg(r, st, DC), pf) : DsIsNTDSOnlineA(narrowArg(r, st, DC), pf);
        DS(DsIsNTDSOnline, hr);
        if (!pf) EXACT(DsIsNTDSOnline, hr, 87);
        UNTOUCHED(DsIsNTDSOnline, hr == S_OK, f == BOOL(kSentinel));
        break;
    }
    case 1: {   // DsBackupPrepare
        void *token = (void *)kSentinelPtr; DWORD cb = kSentinel; HBC h = (HBC)kSentinelPtr;
        ULONG grbit = r.pick(4) ? (r.flag() ? 0 : 1) : r.u32();
        ULONG bt = r.pick(5) ? BACKUP_TYPE_FULL : r.u32();
        bool nT = r.pick(8) == 0, nC = r.pick(8) == 0, nH = r.pick(8) == 0;
        HRESULT hr = wide ? DsBackupPrepareW((LPCWSTR)wideArg(r, st, DC), grbit, bt, nT ? nullptr : &token, nC ? nullptr : &cb, nH ? nullptr : &h)
                          : DsBackupPrepareA(narrowArg(r, st, DC), grbit, bt, nT ? nullptr : &token, nC ? nullptr : &cb, nH ? nullptr : &h);
        DS(DsBackupPrepare, hr);
        if (nH) EXACT(DsBackupPrepare, hr, 87);
        UNTOUCHED(DsBackupPrepare, hr == S_OK, token == kSentinelPtr && cb == kSentinel && h == (HBC)kSentinelPtr);
        if (hr == S_OK) {
            CHECK("DsBackupPrepare", h && token && cb == 128, "S_OK without a handle and a 128-byte token", cb);
            adopt(kDsB, h); g_buffers.push_back({kDs, token}); g_in.mutated = g_in.sessions = true;
        }
        break;
    }
    case 2: case 6: {   // DsBackupGetDatabaseNames / DsBackupGetBackupLogs
        Choice c = chooseHandle(r, DSANY, DSB);
        void *list = r.pick(8) ? nullptr : (void *)kSentinelPtr;
        void *entry = list;
        DWORD cb = kSentinel;
        bool nL = r.pick(8) == 0, nC = r.pick(8) == 0;
        HRESULT hr;
        if (which == 2)
            hr = wide ? DsBackupGetDatabaseNamesW(c.h, nL ? nullptr : (LPWSTR *)&list, nC ? nullptr : &cb)
                      : DsBackupGetDatabaseNamesA(c.h, nL ? nullptr : (LPSTR *)&list, nC ? nullptr : &cb);
        else
            hr = wide ? DsBackupGetBackupLogsW(c.h, nL ? nullptr : (LPWSTR *)&list, nC ? nullptr : &cb)
                      : DsBackupGetBackupLogsA(c.h, nL ? nullptr : (LPSTR *)&list, nC ? nullptr : &cb);
        DS(DsBackupGetNames, hr);
        if (!c.valid || nL || nC || entry) EXACT(DsBackupGetNames, hr, 87);
        UNTOUCHED(DsBackupGetNames, hr == S_OK, list == entry && cb == kSentinel);
        if (hr == S_OK) { remember(list, wide, cb); g_buffers.push_back({kDs, list}); }
        break;
    }
    case 3: {   // DsBackupOpenFile
        Choice c = chooseHandle(r, DSANY, DSB);
        LARGE_INTEGER size; size.QuadPart = (LONGLONG)0x5a5a5a5a5a5a5a5aLL;
        DWORD hint = r.pick(4) ? 65536 : r.u32();
        bool nS = r.pick(8) == 0;
        HRESULT hr = wide ? DsBackupOpenFileW(c.h, (LPCWSTR)wideArg(r, st, DC), hint, nS ? nullptr : &size)
                          : DsBackupOpenFileA(c.h, narrowArg(r, st, DC), hint, nS ? nullptr : &size);
        DS(DsBackupOpenFile, hr);
        if (!c.valid || nS) EXACT(DsBackupOpenFile, hr, 87);
        UNTOUCHED(DsBackupOpenFile, hr == S_OK, size.QuadPart == (LONGLONG)0x5a5a5a5a5a5a5a5aLL);
        break;
    }
    case 4: {   // DsBackupRead
        Choice c = chooseHandle(r, DSANY, DSB);
        DWORD cb = r.pick(4) ? 8192u * (3 + r.pick(30)) : r.u32() % (1u << 20);
        std::vector<uint8_t> buf(cb ? cb : 1);
        DWORD got = kSentinel;
        bool nB = r.pick(10) == 0, nG = r.pick(10) == 0;
        HRESULT hr = DsBackupRead(c.h, nB ? nullptr : buf.data(), cb, nG ? nullptr : &got);
        DS(DsBackupRead, hr);
        if (!c.valid || nB || nG || cb % 8192 || cb < 24576) EXACT(DsBackupRead, hr, 87);
        if (hr == S_OK) CHECK("DsBackupRead", got <= cb && got > 0, "read more than the buffer, or nothing", got);
        else if (hr == 38) EXACT(DsBackupRead, got, 0u);
        else UNTOUCHED(DsBackupRead, false, got == kSentinel);
        break;
    }
    case 5: case 7: case 8: {   // DsBackupClose / TruncateLogs / End
        Choice c = chooseHandle(r, DSANY, DSB);
        HRESULT hr = which == 5 ? DsBackupClose(c.h) : which == 7 ? DsBackupTruncateLogs(c.h) : DsBackupEnd(c.h);
        DS(DsBackupCloseTruncateEnd, hr);
        if (!c.valid) EXACT(DsBackupCloseTruncateEnd, hr, 87);
        if (which == 8 && hr == S_OK) retire(kDsB, c.h);
        break;
    }
    case 9: {   // DsBackupFree: a buffer of ours, NULL, one freed already, or not the library's
        unsigned k = r.pick(4);
        if (k == 0) DsBackupFree(nullptr);
        else if (k == 1 && !g_buffers.empty()) {
            size_t i = r.pick(g_buffers.size());
            DsBackupFree(g_buffers[i].second);
            g_freed.push_back(g_buffers[i].second);
            g_buffers.erase(g_buffers.begin() + long(i));
        } else if (k == 2 && !g_freed.empty()) {
            DsBackupFree(g_freed[r.pick(g_freed.size())]);   // reported on stderr, not freed again
        } else {
            static char notOurs[64];
            DsBackupFree(notOurs);
        }
        break;
    }
    case 10: {   // DsRestorePrepare
        HBC h = (HBC)kSentinelPtr;
        ULONG rt = r.pick(4) ? (r.flag() ? 0 : 4) : r.u32();
        std::vector<uint8_t> token;
        void *pt = nullptr; DWORD cbt = 0;
        if (r.flag()) {
            token.resize(r.pick(3) ? 128 : r.pick(300));
            for (auto &b : token) b = r.u8();
            pt = token.empty() ? nullptr : token.data(); cbt = DWORD(token.size());
        }
        bool nH = r.pick(8) == 0;
        HRESULT hr = wide ? DsRestorePrepareW((LPCWSTR)wideArg(r, st, DC), rt, pt, cbt, nH ? nullptr : &h)
                          : DsRestorePrepareA(narrowArg(r, st, DC), rt, pt, cbt, nH ? nullptr : &h);
        DS(DsRestorePrepare, hr);
        if (nH) EXACT(DsRestorePrepare, hr, 87);
        UNTOUCHED(DsRestorePrepare, hr == S_OK, h == (HBC)kSentinelPtr);
        if (hr == S_OK) { adopt(kDsR, h); g_in.mutated = g_in.sessions = true; }
        break;
    }
    case 11: {   // DsRestoreGetDatabaseLocations
        Choice c = chooseHandle(r, DSANY, DSANY);
        void *list = r.pick(4) ? nullptr : (void *)kSentinelPtr, *entry = list;
        DWORD cb = kSentinel;
        bool nL = r.pick(8) == 0, nC = r.pick(8) == 0;
        HRESULT hr = wide ? DsRestoreGetDatabaseLocationsW(c.h, nL ? nullptr : (LPWSTR *)&list, nC ? nullptr : &cb)
                          : DsRestoreGetDatabaseLocationsA(c.h, nL ? nullptr : (LPSTR *)&list, nC ? nullptr : &cb);
        DS(DsRestoreGetDatabaseLocations, hr);
        if (!c.valid || nL || nC) EXACT(DsRestoreGetDatabaseLocations, hr, 87);
        UNTOUCHED(DsRestoreGetDatabaseLocations, hr == S_OK, list == entry && cb == kSentinel);
        if (hr == S_OK) { remember(list, wide, cb); g_buffers.push_back({kDs, list}); }
        break;
    }
    case 12: {   // DsRestoreRegister
        Choice c = chooseHandle(r, DSANY, DSR);
        LONG n = r.pick(4) ? LONG(r.pick(3)) : LONG(r.u32());
        bool nMap = r.pick(8) == 0;
        size_t m = n > 0 && n <= 4 ? size_t(n) : 1;
        ULONG lo = r.pick(3) ? 1 + r.pick(4) : r.u32(), hi = r.pick(3) ? lo + r.pick(4) : r.u32();
        HRESULT hr;
        if (wide) {
            std::vector<EDB_RSTMAPW> map(m);
            for (auto &e : map) { e.wszDatabaseName = (WCHAR *)wideArg(r, st, DC); e.wszNewDatabaseName = (WCHAR *)wideArg(r, st, DC); }
            hr = DsRestoreRegisterW(c.h, (LPCWSTR)wideArg(r, st, DC), (LPCWSTR)wideArg(r, st, DC), nMap ? nullptr : map.data(), n,
                                    (LPCWSTR)wideArg(r, st, DC), lo, hi);
        } else {
            std::vector<EDB_RSTMAPA> map(m);
            for (auto &e : map) { e.szDatabaseName = (char *)narrowArg(r, st, DC); e.szNewDatabaseName = (char *)narrowArg(r, st, DC); }
            hr = DsRestoreRegisterA(c.h, narrowArg(r, st, DC), narrowArg(r, st, DC), nMap ? nullptr : map.data(), n,
                                    narrowArg(r, st, DC), lo, hi);
        }
        DS(DsRestoreRegister, hr);
        if (!c.valid) EXACT(DsRestoreRegister, hr, 87);
        if (hr == S_OK) g_in.contentMayChange = g_in.mutated = true;
        break;
    }
    case 13: case 14: {   // DsRestoreRegisterComplete / DsRestoreEnd
        Choice c = chooseHandle(r, DSANY, DSR);
        HRESULT hr = which == 13 ? DsRestoreRegisterComplete(c.h, r.flag() ? S_OK : HRESULT(r.u32())) : DsRestoreEnd(c.h);
        DS(DsRestoreCompleteEnd, hr);
        if (!c.valid) EXACT(DsRestoreCompleteEnd, hr, 87);
        if (which == 14 && hr == S_OK) retire(kDsR, c.h);
        if (which == 13 && hr == S_OK) g_in.contentMayChange = true;
        break;
    }
    case 15: {   // DsSetCurrentBackupLog
        DWORD n = r.u32();
        HRESULT hr = wide ? DsSetCurrentBackupLogW((LPCWSTR)wideArg(r, st, DC), n) : DsSetCurrentBackupLogA(narrowArg(r, st, DC), n);
        DS(DsSetCurrentBackupLog, hr);
        break;
    }
    default: {   // DsSetAuthIdentity: process-wide, reset at the end of the input
        HRESULT hr;
        if (r.pick(3) == 0) hr = wide ? DsSetAuthIdentityW(nullptr, nullptr, nullptr) : DsSetAuthIdentityA(nullptr, nullptr, nullptr);
        else if (r.flag()) hr = DsSetAuthIdentityA("op", "FUZZ", r.flag() ? "pw" : "wrong");
        else hr = wide ? DsSetAuthIdentityW((LPCWSTR)wideArg(r, st, DC), (LPCWSTR)wideArg(r, st, DC), (LPCWSTR)wideArg(r, st, DC))
                       : DsSetAuthIdentityA(narrowArg(r, st, DC), narrowArg(r, st, DC), narrowArg(r, st, DC));
        DS(DsSetAuthIdentity, hr);
        break;
    }
    }
}

// ---------------------------------------------------------------------------------------------
// Certadm.
void opCs(Reader &r, Strings &st, unsigned which) {
    switch (which) {
    case 0: {   // CertSrvIsServerOnlineW
        BOOL f = BOOL(kSentinel);
        bool nP = r.pick(6) == 0;
        const WCHAR *name = (const WCHAR *)wideArg(r, st, CA);
        HRESULT hr = CertSrvIsServerOnlineW(name, nP ? nullptr : &f);
        CS(CertSrvIsServerOnlineW, hr);
        if (!name || nP) EXACT_PTR(CertSrvIsServerOnlineW, hr, E_POINTER);
        UNTOUCHED(CertSrvIsServerOnlineW, hr == S_OK, f == BOOL(kSentinel));
        break;
    }
    case 1: {   // CertSrvBackupPrepareW
        HCSBC h = (HCSBC)kSentinelPtr;
        ULONG grbit = r.pick(4) ? (r.flag() ? 0 : 1) : r.u32();
        ULONG flags = r.pick(4) ? 1 + r.pick(2) : r.u32();
        bool nH = r.pick(8) == 0;
        const WCHAR *name = (const WCHAR *)wideArg(r, st, CA);
        HRESULT hr = CertSrvBackupPrepareW(name, grbit, flags, nH ? nullptr : &h);
        CS(CertSrvBackupPrepareW, hr);
        if (!name || nH) EXACT_PTR(CertSrvBackupPrepareW, hr, E_POINTER);
        UNTOUCHED(CertSrvBackupPrepareW, hr == S_OK, h == (HCSBC)kSentinelPtr);
        if (hr == S_OK) { CHECK("CertSrvBackupPrepareW", h != nullptr, "NULL handle", 0); adopt(kCsB, h); g_in.mutated = g_in.sessions = true; }
        break;
    }
    case 2: case 3: case 7: case 11: {   // GetDatabaseNames / GetDynamicFileList / GetBackupLogs / RestoreGetDatabaseLocations
        Choice c = chooseHandle(r, CSANY, which == 11 ? CSANY : CSB);
        WCHAR *list = (WCHAR *)kSentinelPtr; DWORD cb = kSentinel;
        bool nL = r.pick(8) == 0, nC = r.pick(8) == 0;
        HRESULT hr = which == 2 ? CertSrvBackupGetDatabaseNamesW(c.h, nL ? nullptr : &list, nC ? nullptr : &cb)
                   : which == 3 ? CertSrvBackupGetDynamicFileListW(c.h, nL ? nullptr : &list, nC ? nullptr : &cb)
                   : which == 7 ? CertSrvBackupGetBackupLogsW(c.h, nL ? nullptr : &list, nC ? nullptr : &cb)
                                : CertSrvRestoreGetDatabaseLocationsW(c.h, nL ? nullptr : &list, nC ? nullptr : &cb);
        CS(CertSrvGetList, hr);
        if (!c.valid) EXACT(CertSrvGetList, hr, E_HANDLE);
        else if (nL || nC) EXACT(CertSrvGetList, hr, E_POINTER);
        UNTOUCHED(CertSrvGetList, hr == S_OK, list == (WCHAR *)kSentinelPtr && cb == kSentinel);
        if (hr == S_OK) { remember(list, true, cb); g_buffers.push_back({kCs, list}); }
        break;
    }
    case 4: {   // CertSrvBackupOpenFileW
        Choice c = chooseHandle(r, CSANY, CSB);
        LARGE_INTEGER size; size.QuadPart = (LONGLONG)0x5a5a5a5a5a5a5a5aLL;
        DWORD hint = r.pick(3) ? 0 : r.u32();
        bool nS = r.pick(8) == 0;
        const WCHAR *name = (const WCHAR *)wideArg(r, st, CA);
        HRESULT hr = CertSrvBackupOpenFileW(c.h, name, hint, nS ? nullptr : &size);
        CS(CertSrvBackupOpenFileW, hr);
        if (!c.valid) EXACT(CertSrvBackupOpenFileW, hr, E_HANDLE);
        else if (!name || nS) EXACT_PTR(CertSrvBackupOpenFileW, hr, E_POINTER);
        UNTOUCHED(CertSrvBackupOpenFileW, hr == S_OK, size.QuadPart == (LONGLONG)0x5a5a5a5a5a5a5a5aLL);
        break;
    }
    case 5: {   // CertSrvBackupRead: any size
        Choice c = chooseHandle(r, CSANY, CSB);
        DWORD cb = r.pick(3) ? 65536u * (1 + r.pick(4)) : r.u32() % (1u << 20);
        std::vector<uint8_t> buf(cb ? cb : 1);
        DWORD got = kSentinel;
        bool nB = r.pick(10) == 0, nG = r.pick(10) == 0;
        HRESULT hr = CertSrvBackupRead(c.h, nB ? nullptr : buf.data(), cb, nG ? nullptr : &got);
        CS(CertSrvBackupRead, hr);
        if (!c.valid) EXACT(CertSrvBackupRead, hr, E_HANDLE);
        else if (nB || nG) EXACT(CertSrvBackupRead, hr, E_POINTER);
        if (hr == S_OK) CHECK("CertSrvBackupRead", got <= cb, "read more than the buffer", got);
        else UNTOUCHED(CertSrvBackupRead, false, got == kSentinel);
        break;
    }
    case 6: case 8: case 9: {   // Close / TruncateLogs / End
        Choice c = chooseHandle(r, CSANY, CSB);
        HRESULT hr = which == 6 ? CertSrvBackupClose(c.h) : which == 8 ? CertSrvBackupTruncateLogs(c.h) : CertSrvBackupEnd(c.h);
        CS(CertSrvBackupCloseTruncateEnd, hr);
        if (!c.valid) EXACT(CertSrvBackupCloseTruncateEnd, hr, E_HANDLE);
        if (which == 9 && hr == S_OK) retire(kCsB, c.h);
        break;
    }
    case 10: {   // CertSrvBackupFree
        unsigned k = r.pick(4);
        if (k == 0) CertSrvBackupFree(nullptr);
        else if (k == 1 && !g_buffers.empty()) {
            size_t i = r.pick(g_buffers.size());
            CertSrvBackupFree(g_buffers[i].second);
            g_freed.push_back(g_buffers[i].second);
            g_buffers.erase(g_buffers.begin() + long(i));
        } else if (k == 2 && !g_freed.empty()) CertSrvBackupFree(g_freed[r.pick(g_freed.size())]);
        else { static char notOurs[64]; CertSrvBackupFree(notOurs); }
        break;
    }
    case 12: {   // CertSrvRestorePrepareW
        HCSBC h = (HCSBC)kSentinelPtr;
        ULONG flags = r.pick(4) ? (r.flag() ? 1 : 4) : r.u32();
        bool nH = r.pick(8) == 0;
        const WCHAR *name = (const WCHAR *)wideArg(r, st, CA);
        HRESULT hr = CertSrvRestorePrepareW(name, flags, nH ? nullptr : &h);
        CS(CertSrvRestorePrepareW, hr);
        if (!name || nH) EXACT_PTR(CertSrvRestorePrepareW, hr, E_POINTER);
        UNTOUCHED(CertSrvRestorePrepareW, hr == S_OK, h == (HCSBC)kSentinelPtr);
        if (hr == S_OK) { adopt(kCsR, h); g_in.mutated = g_in.sessions = true; }
        break;
    }
    case 13: {   // CertSrvRestoreRegisterW / ThroughFile
        Choice c = chooseHandle(r, CSANY, CSR);
        bool through = r.flag();
        LONG n = r.pick(4) ? LONG(r.pick(3)) : LONG(r.u32());
        bool nMap = r.pick(8) == 0;
        size_t m = n > 0 && n <= 4 ? size_t(n) : 1;
        std::vector<CSEDB_RSTMAPW> map(m);
        for (auto &e : map) { e.pwszDatabaseName = (WCHAR *)wideArg(r, st, CA); e.pwszNewDatabaseName = (WCHAR *)wideArg(r, st, CA); }
        ULONG lo = r.pick(3) ? 1 + r.pick(4) : r.u32(), hi = r.pick(3) ? lo + r.pick(4) : r.u32();
        const WCHAR *ck = (const WCHAR *)wideArg(r, st, CA), *lp = (const WCHAR *)wideArg(r, st, CA),
                    *bl = (const WCHAR *)wideArg(r, st, CA);
        HRESULT hr = through ? CertSrvRestoreRegisterThroughFile(c.h, ck, lp, nMap ? nullptr : map.data(), n, bl, lo, hi)
                             : CertSrvRestoreRegisterW(c.h, ck, lp, nMap ? nullptr : map.data(), n, bl, lo, hi);
        CS(CertSrvRestoreRegister, hr);
        if (!c.valid) EXACT(CertSrvRestoreRegister, hr, E_HANDLE);
        if (hr == S_OK) g_in.contentMayChange = g_in.mutated = true;
        break;
    }
    case 14: case 15: {   // RegisterComplete / RestoreEnd
        Choice c = chooseHandle(r, CSANY, CSR);
        HRESULT hr = which == 14 ? CertSrvRestoreRegisterComplete(c.h, r.flag() ? S_OK : HRESULT(r.u32())) : CertSrvRestoreEnd(c.h);
        CS(CertSrvRestoreCompleteEnd, hr);
        if (!c.valid) EXACT(CertSrvRestoreCompleteEnd, hr, E_HANDLE);
        if (which == 15 && hr == S_OK) retire(kCsR, c.h);
        if (which == 14 && hr == S_OK) g_in.contentMayChange = true;
        break;
    }
    default: {   // CertSrvServerControlW
        DWORD cbOut = kSentinel; BYTE *out = (BYTE *)kSentinelPtr;
        DWORD flags = r.pick(4) ? 1 + r.pick(3) : r.u32();
        bool nC = r.flag(), nO = r.flag();
        const WCHAR *name = (const WCHAR *)wideArg(r, st, CA);
        HRESULT hr = CertSrvServerControlW(name, flags, nC ? nullptr : &cbOut, nO ? nullptr : &out);
        CS(CertSrvServerControlW, hr);
        if (!name) EXACT_PTR(CertSrvServerControlW, hr, E_POINTER);
        if (hr == S_OK) {
            CHECK("CertSrvServerControlW", (nC || cbOut == 0) && (nO || out == nullptr), "output not 0/NULL", cbOut);
            g_in.mutated = true;
        } else UNTOUCHED(CertSrvServerControlW, false, cbOut == kSentinel && out == (BYTE *)kSentinelPtr);
        break;
    }
    }
}

// ---------------------------------------------------------------------------------------------
// ESENT.
// 0 and JET_instanceNil name the legacy instance to some calls: those get no exact check.
JET_INSTANCE jetInstance(Reader &r, bool &valid) {
    Choice c = chooseHandle(r, JETK, JETK);
    valid = c.valid || uintptr_t(c.h) == 0 || uintptr_t(c.h) == ~uintptr_t(0);
    return JET_INSTANCE(uintptr_t(c.h));
}

JET_ERR JET_API statusCallback(JET_SESID, JET_SNP, JET_SNT, void *) { return 0; }

void opJet(Reader &r, Strings &st, unsigned which) {
    bool wide = r.flag();
    bool valid = false;
    switch (which) {
    case 0: {   // JetCreateInstance(2)(A/W)
        JET_INSTANCE inst = JET_INSTANCE(0x5a5a5a5a);
        bool nP = r.pick(8) == 0;
        JET_INSTANCE *pi = nP ? nullptr : &inst;
        unsigned k = r.pick(4);
        JET_ERR e = k == 0 ? JetCreateInstanceA(pi, narrowArg(r, st, ESE))
                  : k == 1 ? JetCreateInstanceW(pi, (JET_PCWSTR)wideArg(r, st, ESE))
                  : k == 2 ? JetCreateInstance2A(pi, narrowArg(r, st, ESE), narrowArg(r, st, ESE), r.u32())
                           : JetCreateInstance2W(pi, (JET_PCWSTR)wideArg(r, st, ESE), (JET_PCWSTR)wideArg(r, st, ESE), r.u32());
        JET(JetCreateInstance, e);
        if (nP) CHECK("JetCreateInstance", e == -1003, "expected -1003", e);
        UNTOUCHED(JetCreateInstance, e == 0, inst == JET_INSTANCE(0x5a5a5a5a));
        if (e == 0) {
            CHECK("JetCreateInstance", inst != 0 && inst != JET_instanceNil, "nil instance", inst);
            adopt(kJet, (void *)inst); g_in.sessions = true;
        }
        break;
    }
    case 1: {   // JetSetSystemParameter on an instance (the process-wide defaults are left alone)
        JET_INSTANCE inst = jetInstance(r, valid);
        if (inst == 0 || inst == JET_instanceNil) { inst = JET_INSTANCE(0x7777); valid = false; }   // not the process-wide defaults
        static const uint32_t params[] = {0, 2, 3, 17, 1, 64, 136};
        uint32_t id = r.pick(4) ? params[r.pick(7)] : r.u32();
        JET_API_PTR l = r.pick(3) ? r.pick(3) : JET_API_PTR(r.u64());
        JET_ERR e = wide ? JetSetSystemParameterW(&inst, 0, id, l, (JET_PCWSTR)wideArg(r, st, ESE))
                         : JetSetSystemParameterA(&inst, 0, id, l, narrowArg(r, st, ESE));
        JET(JetSetSystemParameter, e);
        if (!valid) EXACT(JetSetSystemParameter, e, -1003);
        break;
    }
    case 2: {   // JetGetSystemParameter
        JET_INSTANCE inst = jetInstance(r, valid);
        uint32_t id = r.pick(4) ? uint32_t(r.pick(4)) : r.u32();
        JET_API_PTR l = JET_API_PTR(0x5a5a5a5a);
        uint32_t cbMax = r.pick(3) ? 1024 : r.u32() % 4096;
        std::vector<uint8_t> buf(cbMax + 2, 0x5a);
        bool nL = r.pick(6) == 0, nS = r.pick(6) == 0;
        JET_ERR e = wide ? JetGetSystemParameterW(inst, 0, id, nL ? nullptr : &l, nS ? nullptr : (JET_PWSTR)buf.data(), cbMax)
                         : JetGetSystemParameterA(inst, 0, id, nL ? nullptr : &l, nS ? nullptr : (JET_PSTR)buf.data(), cbMax);
        JET(JetGetSystemParameter, e);
        CHECK("JetGetSystemParameter", buf[cbMax] == 0x5a && buf[cbMax + 1] == 0x5a, "wrote past cbMax", cbMax);
        break;
    }
    case 3: {   // JetInit / JetInit2 (a NULL or 0 instance: legacy mode)
        unsigned k = r.pick(4);
        JET_INSTANCE inst = k == 0 ? 0 : jetInstance(r, valid);
        JET_ERR e = r.flag() ? JetInit(&inst) : JetInit2(&inst, r.u32());
        JET(JetInit, e);
        if (e == 0) {
            g_in.mutated = true;   // starts a stopped server (recovery, a completed restore)
            g_in.contentMayChange = true;
            if (!isLive(JETK, (void *)inst)) { adopt(kJet, (void *)inst); g_in.sessions = true; }   // the legacy instance
        }
        break;
    }
    case 4: {   // JetTerm / JetTerm2
        JET_INSTANCE inst = jetInstance(r, valid);
        JET_ERR e = r.flag() ? JetTerm(inst) : JetTerm2(inst, r.pick(3) ? JET_GRBIT(r.pick(8)) : r.u32());
        JET(JetTerm, e);
        if (!valid) EXACT(JetTerm, e, -1003);
        if (e == 0) retire(kJet, (void *)inst);
        break;
    }
    case 5: {   // JetBeginExternalBackup(Instance)
        JET_GRBIT g = r.pick(4) ? JET_GRBIT(r.pick(2)) : r.u32();
        bool legacy = r.pick(5) == 0;
        JET_INSTANCE inst = legacy ? 0 : jetInstance(r, valid);
        JET_ERR e = legacy ? JetBeginExternalBackup(g) : JetBeginExternalBackupInstance(inst, g);
        JET(JetBeginExternalBackup, e);
        if (!legacy && !valid) EXACT(JetBeginExternalBackupInstance, e, -1003);
        if (e == 0) g_in.mutated = true;
        break;
    }
    case 6: case 9: case 10: {   // GetAttachInfo / GetLogInfo(2) / GetTruncateLogInfo
        bool legacy = which != 10 && r.pick(5) == 0;
        JET_INSTANCE inst = legacy ? 0 : jetInstance(r, valid);
        uint32_t cbMax = r.pick(3) ? 4096 : r.u32() % 8192;
        std::vector<uint8_t> buf(cbMax + 4, 0x5a);
        bool nB = r.pick(6) == 0, nC = r.pick(8) == 0;
        uint32_t cb = kSentinel;
        void *pb = nB ? nullptr : buf.data();
        uint32_t *pc = nC ? nullptr : &cb;
        JET_ERR e;
        if (which == 6) {
            e = legacy ? (wide ? JetGetAttachInfoW((JET_PWSTR)pb, cbMax, pc) : JetGetAttachInfoA((JET_PSTR)pb, cbMax, pc))
                       : (wide ? JetGetAttachInfoInstanceW(inst, (JET_PWSTR)pb, cbMax, pc) : JetGetAttachInfoInstanceA(inst, (JET_PSTR)pb, cbMax, pc));
        } else if (which == 10) {
            e = wide ? JetGetTruncateLogInfoInstanceW(inst, (JET_PWSTR)pb, cbMax, pc) : JetGetTruncateLogInfoInstanceA(inst, (JET_PSTR)pb, cbMax, pc);
        } else if (legacy) {
            e = wide ? JetGetLogInfoW((JET_PWSTR)pb, cbMax, pc) : JetGetLogInfoA((JET_PSTR)pb, cbMax, pc);
        } else if (r.flag()) {
            e = wide ? JetGetLogInfoInstanceW(inst, (JET_PWSTR)pb, cbMax, pc) : JetGetLogInfoInstanceA(inst, (JET_PSTR)pb, cbMax, pc);
        } else {
            JET_LOGINFO_W iw{}; JET_LOGINFO_A ia{};
            iw.cbSize = r.pick(4) ? sizeof iw : r.u32(); ia.cbSize = r.pick(4) ? sizeof ia : r.u32();
            bool nI = r.pick(6) == 0;
            e = wide ? JetGetLogInfoInstance2W(inst, (JET_PWSTR)pb, cbMax, pc, nI ? nullptr : &iw)
                     : JetGetLogInfoInstance2A(inst, (JET_PSTR)pb, cbMax, pc, nI ? nullptr : &ia);
        }
        JET(JetGetInfo, e);
        if (!legacy && !valid) EXACT(JetGetInfoInstance, e, -1003);
        CHECK("JetGetInfo", buf[cbMax] == 0x5a && buf[cbMax + 1] == 0x5a, "wrote past cbMax", cbMax);
        if (e != 0) UNTOUCHED(JetGetInfo, false, cb == kSentinel);
        if (e == 0 && pb && pc) remember(pb, wide, std::min(cb, cbMax));
        break;
    }
    case 7: {   // JetOpenFile(Instance)(A/W)
        bool legacy = r.pick(5) == 0;
        JET_INSTANCE inst = legacy ? 0 : jetInstance(r, valid);
        JET_HANDLE h = JET_HANDLE(0x5a5a); uint32_t lo = kSentinel, hi = kSentinel;
        bool nH = r.pick(10) == 0, nLo = r.pick(10) == 0, nHi = r.pick(10) == 0;
        JET_ERR e;
        if (legacy) e = wide ? JetOpenFileW((JET_PCWSTR)wideArg(r, st, ESE), nH ? nullptr : &h, nLo ? nullptr : &lo, nHi ? nullptr : &hi)
                             : JetOpenFileA(narrowArg(r, st, ESE), nH ? nullptr : &h, nLo ? nullptr : &lo, nHi ? nullptr : &hi);
        else e = wide ? JetOpenFileInstanceW(inst, (JET_PCWSTR)wideArg(r, st, ESE), nH ? nullptr : &h, nLo ? nullptr : &lo, nHi ? nullptr : &hi)
                      : JetOpenFileInstanceA(inst, narrowArg(r, st, ESE), nH ? nullptr : &h, nLo ? nullptr : &lo, nHi ? nullptr : &hi);
        JET(JetOpenFile, e);
        if (!legacy && !valid) EXACT(JetOpenFileInstance, e, -1003);
        if (e == 0) EXACT(JetOpenFile, h, JET_HANDLE(0));
        else UNTOUCHED(JetOpenFile, false, h == JET_HANDLE(0x5a5a) && lo == kSentinel && hi == kSentinel);
        break;
    }
    case 8: {   // JetReadFile(Instance): aligned or not
        bool legacy = r.pick(5) == 0;
        JET_INSTANCE inst = legacy ? 0 : jetInstance(r, valid);
        JET_HANDLE fh = r.pick(4) ? 0 : JET_HANDLE(r.u64());
        uint32_t cb = r.pick(4) ? 8192u * (1 + r.pick(8)) : r.u32() % (1u << 20);
        size_t alloc = (size_t(cb) + 8191) / 4096 * 4096 + 4096;
        uint8_t *buf = (uint8_t *)std::aligned_alloc(4096, alloc);
        bool unaligned = r.pick(8) == 0, nB = r.pick(10) == 0, nG = r.pick(10) == 0;
        uint32_t got = kSentinel;
        void *pv = nB ? nullptr : buf + (unaligned ? 8 : 0);
        if (unaligned && cb + 8 > alloc) cb = uint32_t(alloc - 8);
        JET_ERR e = legacy ? JetReadFile(fh, pv, cb, nG ? nullptr : &got) : JetReadFileInstance(inst, fh, pv, cb, nG ? nullptr : &got);
        JET(JetReadFile, e);
        if (!legacy && !valid) EXACT(JetReadFileInstance, e, -1003);
        if (e == 0) CHECK("JetReadFile", got <= cb, "read more than the buffer", got);
        else UNTOUCHED(JetReadFile, false, got == kSentinel);
        std::free(buf);
        break;
    }
    case 11: case 12: case 13: {   // CloseFile / TruncateLog / StopBackup
        bool legacy = r.pick(5) == 0;
        JET_INSTANCE inst = legacy ? 0 : jetInstance(r, valid);
        JET_HANDLE fh = r.pick(4) ? 0 : JET_HANDLE(r.u64());
        JET_ERR e = which == 11 ? (legacy ? JetCloseFile(fh) : JetCloseFileInstance(inst, fh))
                  : which == 12 ? (legacy ? JetTruncateLog() : JetTruncateLogInstance(inst))
                                : (legacy ? JetStopBackup() : JetStopBackupInstance(inst));
        JET(JetCloseTruncateStop, e);
        if (!legacy && !valid) EXACT(JetCloseTruncateStopInstance, e, -1003);
        break;
    }
    case 14: {   // JetEndExternalBackup(Instance)(2)
        unsigned k = r.pick(3);
        JET_INSTANCE inst = k == 0 ? 0 : jetInstance(r, valid);
        JET_GRBIT g = r.pick(4) ? JET_GRBIT(1 + r.pick(2)) | (r.flag() ? 0x100 : 0) : r.u32();
        JET_ERR e = k == 0 ? JetEndExternalBackup() : k == 1 ? JetEndExternalBackupInstance(inst) : JetEndExternalBackupInstance2(inst, g);
        JET(JetEndExternalBackup, e);
        if (k != 0 && !valid) EXACT(JetEndExternalBackupInstance, e, -1003);
        break;
    }
    case 15: {   // JetExternalRestore(2)(A/W): the servers come back from the pristine copy after
        g_in.contentMayChange = g_in.mutated = true;
        int32_t n = r.pick(4) ? int32_t(r.pick(3)) : int32_t(r.u32());
        size_t m = n > 0 && n <= 4 ? size_t(n) : 1;
        int32_t lo = r.pick(3) ? int32_t(1 + r.pick(4)) : int32_t(r.u32()), hi = r.pick(3) ? lo + int32_t(r.pick(4)) : int32_t(r.u32());
        bool nMap = r.pick(8) == 0, two = r.flag();
        JET_ERR e;
        if (wide) {
            std::vector<JET_RSTMAP_W> map(m);
            for (auto &x : map) { x.szDatabaseName = (WCHAR *)wideArg(r, st, ESE); x.szNewDatabaseName = (WCHAR *)wideArg(r, st, ESE); }
            JET_LOGINFO_W li{}; li.cbSize = r.pick(4) ? sizeof li : r.u32(); li.ulGenLow = uint32_t(lo); li.ulGenHigh = uint32_t(hi);
            std::memcpy(li.szBaseName, u"edb", 8);
            WCHAR *ck = (WCHAR *)wideArg(r, st, ESE), *lp = (WCHAR *)wideArg(r, st, ESE), *bl = (WCHAR *)wideArg(r, st, ESE);
            e = two ? JetExternalRestore2W(ck, lp, nMap ? nullptr : map.data(), n, bl, r.pick(6) ? &li : nullptr,
                                           (WCHAR *)wideArg(r, st, ESE), (WCHAR *)wideArg(r, st, ESE), (WCHAR *)wideArg(r, st, ESE), statusCallback)
                    : JetExternalRestoreW(ck, lp, nMap ? nullptr : map.data(), n, bl, lo, hi, r.flag() ? statusCallback : nullptr);
        } else {
            std::vector<JET_RSTMAP_A> map(m);
            for (auto &x : map) { x.szDatabaseName = (char *)narrowArg(r, st, ESE); x.szNewDatabaseName = (char *)narrowArg(r, st, ESE); }
            JET_LOGINFO_A li{}; li.cbSize = r.pick(4) ? sizeof li : r.u32(); li.ulGenLow = uint32_t(lo); li.ulGenHigh = uint32_t(hi);
            std::memcpy(li.szBaseName, "edb", 4);
            char *ck = (char *)narrowArg(r, st, ESE), *lp = (char *)narrowArg(r, st, ESE), *bl = (char *)narrowArg(r, st, ESE);
            e = two ? JetExternalRestore2A(ck, lp, nMap ? nullptr : map.data(), n, bl, r.pick(6) ? &li : nullptr,
                                           (char *)narrowArg(r, st, ESE), (char *)narrowArg(r, st, ESE), (char *)narrowArg(r, st, ESE), statusCallback)
                    : JetExternalRestoreA(ck, lp, nMap ? nullptr : map.data(), n, bl, lo, hi, r.flag() ? statusCallback : nullptr);
        }
        JET(JetExternalRestore, e);
        break;
    }
    case 16: {   // JetBackup(Instance)(A/W) into a folder under the root
        bool legacy = r.pick(5) == 0;
        JET_INSTANCE inst = legacy ? 0 : jetInstance(r, valid);
        JET_GRBIT g = r.pick(4) ? JET_GRBIT(r.pick(2) ? 0 : (r.flag() ? 1 : 4)) : r.u32();
        JET_PFNSTATUS pfn = r.flag() ? statusCallback : nullptr;
        JET_ERR e = legacy ? (wide ? JetBackupW((JET_PCWSTR)wideArg(r, st, ESE), g, pfn) : JetBackupA(narrowArg(r, st, ESE), g, pfn))
                           : (wide ? JetBackupInstanceW(inst, (JET_PCWSTR)wideArg(r, st, ESE), g, pfn)
                                   : JetBackupInstanceA(inst, narrowArg(r, st, ESE), g, pfn));
        JET(JetBackup, e);
        g_in.mutated = true;
        break;
    }
    default: {   // JetRestore(Instance)(2)(A/W)
        g_in.contentMayChange = g_in.mutated = true;
        unsigned k = r.pick(3);
        JET_PFNSTATUS pfn = r.flag() ? statusCallback : nullptr;
        JET_ERR e;
        if (k == 0) {
            JET_INSTANCE inst = jetInstance(r, valid);
            e = wide ? JetRestoreInstanceW(inst, (JET_PCWSTR)wideArg(r, st, ESE), (JET_PCWSTR)wideArg(r, st, ESE), pfn)
                     : JetRestoreInstanceA(inst, narrowArg(r, st, ESE), narrowArg(r, st, ESE), pfn);
        } else if (k == 1) {
            e = wide ? JetRestoreW((JET_PCWSTR)wideArg(r, st, ESE), pfn) : JetRestoreA(narrowArg(r, st, ESE), pfn);
        } else {
            e = wide ? JetRestore2W((JET_PCWSTR)wideArg(r, st, ESE), (JET_PCWSTR)wideArg(r, st, ESE), pfn)
                     : JetRestore2A(narrowArg(r, st, ESE), narrowArg(r, st, ESE), pfn);
        }
        JET(JetRestore, e);
        break;
    }
    }
}

// ---------------------------------------------------------------------------------------------
// Wb*.
void opWb(Reader &r, Strings &st, unsigned which) {
    int srv = int(r.pick(3));
    const char *name = r.pick(4) ? kServers[srv] : narrowArg(r, st, srv);
    switch (which) {
    case 0: {   // WbResolvePathA/W
        bool wide = r.flag();
        DWORD cch = r.pick(3) ? 4096 : r.u32() % 8192;
        DWORD req = kSentinel;
        bool nOut = r.pick(6) == 0, nReq = r.pick(4) == 0;
        HRESULT hr;
        if (wide) {
            std::vector<char16_t> out(cch + 2, 0x5a5a);
            hr = WbResolvePathW(r.flag() ? nullptr : (LPCWSTR)wideArg(r, st, srv), (LPCWSTR)wideArg(r, st, srv),
                                nOut ? nullptr : (LPWSTR)out.data(), cch, nReq ? nullptr : &req);
            CHECK("WbResolvePathW", out[cch] == 0x5a5a, "wrote past cchLocalPath", cch);
        } else {
            std::vector<char> out(cch + 2, 0x5a);
            hr = WbResolvePathA(r.flag() ? nullptr : narrowArg(r, st, srv), narrowArg(r, st, srv),
                                nOut ? nullptr : out.data(), cch, nReq ? nullptr : &req);
            CHECK("WbResolvePathA", out[cch] == 0x5a, "wrote past cchLocalPath", cch);
        }
        WB(WbResolvePath, hr);
        if (hr != S_OK && hr != ERROR_INSUFFICIENT_BUFFER) UNTOUCHED(WbResolvePath, false, req == kSentinel);
        break;
    }
    case 1: {   // WbStartServerA / WbStopServerA (started again at the end of the input)
        HRESULT hr = r.flag() ? WbStopServerA(name) : WbStartServerA(name);
        WB(WbStartStop, hr);
        g_in.mutated = true;
        break;
    }
    case 2: {   // WbWriteServerA: a few transactions
        HRESULT hr = WbWriteServerA(name, r.pick(6));
        WB(WbWriteServerA, hr);
        if (hr == S_OK) g_in.contentMayChange = true;
        g_in.mutated = true;
        break;
    }
    case 3: {   // WbAllowIdentityA / WbAllowBackupOperatorA: one account, so inputs stay alike
        HRESULT hr = r.flag() ? WbAllowIdentityA(name, "FUZZ\\op", r.flag() ? "pw" : nullptr)
                              : WbAllowBackupOperatorA(name, r.flag() ? "FUZZ\\op" : narrowArg(r, st, srv), "pw");
        WB(WbAllowIdentity, hr);
        g_in.mutated = true;
        break;
    }
    case 4: {   // WbSetClockOffsetA (back to 0 with the pristine copy)
        HRESULT hr = WbSetClockOffsetA(name, LONGLONG(r.u64()));
        WB(WbSetClockOffsetA, hr);
        g_in.mutated = true;
        break;
    }
    case 5: {   // WbGetContentDigestA / WbReadLogDigestA
        char out[80]; std::memset(out, 0x5a, sizeof out);
        DWORD cch = r.pick(3) ? 65 : r.pick(70);
        HRESULT hr = r.flag() ? WbGetContentDigestA(name, r.pick(8) ? out : nullptr, cch)
                              : WbReadLogDigestA(narrowArg(r, st, srv), r.pick(8) ? out : nullptr, cch);
        WB(WbDigest, hr);
        CHECK("WbDigest", (unsigned char)out[cch] == 0x5a || cch >= 80, "wrote past cchHexDigest", cch);
        break;
    }
    case 6: {   // WbCertSrvGetReadBufferSize
        Choice c = chooseHandle(r, CSANY, CSB);
        DWORD sz = kSentinel;
        bool nP = r.pick(6) == 0;
        HRESULT hr = WbCertSrvGetReadBufferSize(c.h, nP ? nullptr : &sz);
        WB(WbCertSrvGetReadBufferSize, hr);
        if (!c.valid) EXACT(WbCertSrvGetReadBufferSize, hr, E_HANDLE);
        else if (nP) EXACT(WbCertSrvGetReadBufferSize, hr, E_POINTER);
        UNTOUCHED(WbCertSrvGetReadBufferSize, hr == S_OK, sz == kSentinel);
        break;
    }
    case 7: {   // WbCreateServerA / WbDeleteServerA on a scratch name (deleted at the end)
        static const char *opts[] = {"--role ntds --db-size 1M --logs 2 --log-size 64K", "--role ese --db-size 1M",
                                     "--role certsrv --ca-name X", "--role nope", "", "--db-size 1M", "--role ese --logs 0",
                                     "--role ese --db-size 1K", "--role ntds --offline --db-size 1M"};
        static const char *names[] = {"FZ01", "DC01", "", "..", "a_b", "-x", "CA01\\X", nullptr};
        HRESULT hr = r.flag() ? WbCreateServerA(names[r.pick(8)], r.pick(8) ? opts[r.pick(9)] : narrowArg(r, st, srv))
                              : WbDeleteServerA(r.flag() ? "FZ01" : "NOSUCH");
        WB(WbCreateDelete, hr);
        g_in.mutated = true;
        break;
    }
    default: {
        DWORD v = WbGetVersionNumber();
        const char *s = WbGetVersionString();
        CHECK("WbGetVersion", v == WINBACKUP_VERSION_NUMBER && s && std::strcmp(s, WINBACKUP_VERSION) == 0, "version", v);
        break;
    }
    }
}

// ---------------------------------------------------------------------------------------------
// Start-up, the end of an input, and the periodic full backups.
int removeEntry(const char *path, const struct stat *, int, struct FTW *) { return ::remove(path); }
void removeTree(const std::string &p) { nftw(p.c_str(), removeEntry, 16, FTW_DEPTH | FTW_PHYS); }

void copyTree(const std::string &from, const std::string &to) {
    struct stat sb;
    if (lstat(from.c_str(), &sb) != 0) return;
    if (S_ISDIR(sb.st_mode)) {
        mkdir(to.c_str(), sb.st_mode & 07777);
        DIR *d = opendir(from.c_str());
        if (!d) return;
        while (dirent *e = readdir(d)) {
            if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
            copyTree(from + "/" + e->d_name, to + "/" + e->d_name);
        }
        closedir(d);
    } else if (S_ISREG(sb.st_mode)) {
        int in = open(from.c_str(), O_RDONLY), out = open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC, sb.st_mode & 07777);
        char buf[1 << 16];
        ssize_t k;
        while (in >= 0 && out >= 0 && (k = read(in, buf, sizeof buf)) > 0) (void)!write(out, buf, size_t(k));
        if (in >= 0) close(in);
        if (out >= 0) close(out);
    }
}

std::string digest(const char *server) {
    char out[65];
    HRESULT hr = WbGetContentDigestA(server, out, sizeof out);
    return hr == S_OK ? std::string(out) : "error " + std::to_string(hr);
}

void must(bool ok, const char *what, long long got) { if (!ok) fail("setup", what, got); }

// A complete backup of each server through its own API: the consistency check the servers have.
void fullBackups() {
    std::vector<uint8_t> buf(65536);
    {   // Ntdsbcli
        void *token = nullptr; DWORD cbt = 0; HBC h = nullptr;
        HRESULT hr = DsBackupPrepareA("DC01", 0, BACKUP_TYPE_FULL, &token, &cbt, &h);
        CHECK("check DC01", hr == S_OK, "DsBackupPrepareA", hr);
        char *list = nullptr; DWORD cb = 0;
        hr = DsBackupGetDatabaseNamesA(h, &list, &cb);
        CHECK("check DC01", hr == S_OK, "DsBackupGetDatabaseNamesA", hr);
        LARGE_INTEGER size;
        hr = DsBackupOpenFileA(h, list + 1, 65536, &size);
        CHECK("check DC01", hr == S_OK, "DsBackupOpenFileA", hr);
        LONGLONG total = 0; DWORD got = 0;
        while ((hr = DsBackupRead(h, buf.data(), 65536, &got)) == S_OK) total += got;
        CHECK("check DC01", hr == 38 && total == size.QuadPart, "read the database to its size", total);
        CHECK("check DC01", DsBackupClose(h) == S_OK, "DsBackupClose", 0);
        DsBackupFree(list); list = nullptr;
        hr = DsBackupGetBackupLogsA(h, &list, &cb);
        CHECK("check DC01", hr == S_OK, "DsBackupGetBackupLogsA", hr);
        for (char *p = list; *p; p += std::strlen(p) + 1) {   // every log, then truncate
            CHECK("check DC01", (hr = DsBackupOpenFileA(h, p + 1, 65536, &size)) == S_OK, "DsBackupOpenFileA(log)", hr);
            while ((hr = DsBackupRead(h, buf.data(), 65536, &got)) == S_OK) {}
            CHECK("check DC01", hr == 38 && DsBackupClose(h) == S_OK, "read a log", hr);
        }
        DsBackupFree(list);
        CHECK("check DC01", (hr = DsBackupTruncateLogs(h)) == S_OK, "DsBackupTruncateLogs", hr);
        CHECK("check DC01", DsBackupEnd(h) == S_OK, "DsBackupEnd", 0);
        DsBackupFree(token);
    }
    {   // Certadm
        HCSBC h = nullptr;
        HRESULT hr = CertSrvBackupPrepareW(u"CA01", 0, CSBACKUP_TYPE_FULL, &h);
        CHECK("check CA01", hr == S_OK, "CertSrvBackupPrepareW", hr);
        WCHAR *list = nullptr; DWORD cb = 0;
        hr = CertSrvBackupGetDatabaseNamesW(h, &list, &cb);
        CHECK("check CA01", hr == S_OK, "CertSrvBackupGetDatabaseNamesW", hr);
        LARGE_INTEGER size;
        hr = CertSrvBackupOpenFileW(h, list + 1, 0, &size);
        CHECK("check CA01", hr == S_OK, "CertSrvBackupOpenFileW", hr);
        LONGLONG total = 0; DWORD got = 0;
        while ((hr = CertSrvBackupRead(h, buf.data(), DWORD(buf.size()), &got)) == S_OK && got) total += got;
        CHECK("check CA01", hr == S_OK && total == size.QuadPart, "read the database to its size", total);
        CHECK("check CA01", CertSrvBackupClose(h) == S_OK, "CertSrvBackupClose", 0);
        CertSrvBackupFree(list); list = nullptr;
        CHECK("check CA01", (hr = CertSrvBackupGetBackupLogsW(h, &list, &cb)) == S_OK, "CertSrvBackupGetBackupLogsW", hr);
        for (WCHAR *p = list; *p; p += std::char_traits<char16_t>::length(p) + 1) {
            CHECK("check CA01", (hr = CertSrvBackupOpenFileW(h, p + 1, 0, &size)) == S_OK, "CertSrvBackupOpenFileW(log)", hr);
            while ((hr = CertSrvBackupRead(h, buf.data(), DWORD(buf.size()), &got)) == S_OK && got) {}
            CHECK("check CA01", hr == S_OK && CertSrvBackupClose(h) == S_OK, "read a log", hr);
        }
        CertSrvBackupFree(list);
        CHECK("check CA01", (hr = CertSrvBackupTruncateLogs(h)) == S_OK, "CertSrvBackupTruncateLogs", hr);
        CHECK("check CA01", CertSrvBackupEnd(h) == S_OK, "CertSrvBackupEnd", 0);
    }
    {   // ESENT
        JET_INSTANCE inst = 0;
        JET_ERR e = JetCreateInstanceA(&inst, "ESE01");
        CHECK("check ESE01", e == 0, "JetCreateInstanceA", e);
        CHECK("check ESE01", (e = JetInit(&inst)) == 0, "JetInit", e);
        CHECK("check ESE01", (e = JetBeginExternalBackupInstance(inst, 0)) == 0, "JetBeginExternalBackupInstance", e);
        char names[4096]; uint32_t cb = 0;
        CHECK("check ESE01", (e = JetGetAttachInfoInstanceA(inst, names, sizeof names, &cb)) == 0, "JetGetAttachInfoInstanceA", e);
        JET_HANDLE fh; uint32_t lo, hi;
        CHECK("check ESE01", (e = JetOpenFileInstanceA(inst, names, &fh, &lo, &hi)) == 0, "JetOpenFileInstanceA", e);
        uint8_t *abuf = (uint8_t *)std::aligned_alloc(4096, 65536);
        uint64_t total = 0; uint32_t got = 0;
        while ((e = JetReadFileInstance(inst, fh, abuf, 65536, &got)) == 0 && got) total += got;
        std::free(abuf);
        CHECK("check ESE01", e == 0 && total == (uint64_t(hi) << 32 | lo), "read the database to its size", total);
        CHECK("check ESE01", (e = JetCloseFileInstance(inst, fh)) == 0, "JetCloseFileInstance", e);
        CHECK("check ESE01", (e = JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort)) == 0, "JetEndExternalBackupInstance2", e);
        CHECK("check ESE01", (e = JetTerm(inst)) == 0, "JetTerm", e);
    }
}

void endInput() {
    // Every session ends, whatever state it is in; End is documented to succeed on a live one.
    for (void *h : g_h.live[kDsB]) { HRESULT hr = DsBackupEnd(h); EXACT(DsBackupEnd, hr, S_OK); }
    for (void *h : g_h.live[kDsR]) { HRESULT hr = DsRestoreEnd(h); EXACT(DsRestoreEnd, hr, S_OK); }
    for (void *h : g_h.live[kCsB]) { HRESULT hr = CertSrvBackupEnd(h); EXACT(CertSrvBackupEnd, hr, S_OK); }
    for (void *h : g_h.live[kCsR]) { HRESULT hr = CertSrvRestoreEnd(h); EXACT(CertSrvRestoreEnd, hr, S_OK); }
    for (void *h : std::vector<void *>(g_h.live[kJet])) {
        JetEndExternalBackupInstance2(JET_INSTANCE(uintptr_t(h)), JET_bitBackupEndAbort);
        JET_ERR e = JetTerm2(JET_INSTANCE(uintptr_t(h)), JET_bitTermStopBackup);
        CHECK("end", e == 0, "JetTerm2(StopBackup) of a live instance", e);
    }
    for (auto &b : g_buffers) (b.first == kCs ? CertSrvBackupFree : DsBackupFree)(b.second);
    g_buffers.clear();
    g_freed.clear();
    g_h.clear();
    g_handedOut.clear();
    DsSetAuthIdentityA(nullptr, nullptr, nullptr);

    if (g_in.mutated) {
        // Each server starts again (a restore left registered but not completed may refuse), and
        // one whose content nothing could change still shows the content it had at start-up.
        for (int s = 0; s < 3; ++s) {
            HRESULT hr = WbStartServerA(kServers[s]);
            WB(WbStartServerA, hr);
            if (hr == S_OK && !g_in.contentMayChange) {
                std::string d = digest(kServers[s]);
                if (d != g_pristineDigest[s]) {
                    std::fprintf(stderr, "%s: digest %s, at start-up %s\n", kServers[s], d.c_str(), g_pristineDigest[s].c_str());
                    fail("consistency", "content changed with no writer", s);
                }
            }
        }
        WbDeleteServerA("FZ01");
        for (int s = 0; s < 3; ++s) {
            std::string live = g_root + "/servers/" + kServers[s];
            removeTree(live);
            copyTree(g_root + "/pristine/" + kServers[s], live);
        }
        for (int i = 0; i < 3; ++i) removeTree(g_root + "/bk" + std::to_string(i));
    }
    g_in = InputState{};
}

}   // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    char tmpl[] = "/tmp/winbackup-fuzz-XXXXXX";
    must(mkdtemp(tmpl) != nullptr, "mkdtemp", errno);
    g_root = tmpl;
    setenv("WINBACKUP_ROOT", g_root.c_str(), 1);
    for (int s = 0; s < 3; ++s) {
        HRESULT hr = WbCreateServerA(kServers[s], kCreateOptions[s]);
        must(hr == S_OK, "WbCreateServerA", hr);
        hr = WbWriteServerA(kServers[s], 20);
        must(hr == S_OK, "WbWriteServerA", hr);
    }
    WbAllowIdentityA("DC01", "FUZZ\\op", "pw");
    fullBackups();   // the first full backup of each: incremental ones are possible from here
    mkdir((g_root + "/pristine").c_str(), 0755);
    for (int s = 0; s < 3; ++s) {
        copyTree(g_root + "/servers/" + kServers[s], g_root + "/pristine/" + kServers[s]);
        g_pristineDigest[s] = digest(kServers[s]);
        must(g_pristineDigest[s].size() == 64, "WbGetContentDigestA", s);
    }
    std::fprintf(stderr, "fuzz_cabi: servers DC01 CA01 ESE01 under %s\n", g_root.c_str());
    // The root is removed when the process ends normally (a crash leaves it for inspection).
    std::atexit([] { if (!getenv("FUZZ_KEEP_ROOT")) removeTree(g_root); });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static unsigned long inputs = 0;
    Reader r{data, size};
    Strings st;
    int ops = 0;
    while (r.n && ops++ < 64) {
        unsigned op = r.u8();
        unsigned family = op >> 6;           // 4 families of up to 64 calls
        unsigned which = op & 63;
        switch (family) {
        case 0: opDs(r, st, which % 17); break;
        case 1: opCs(r, st, which % 17); break;
        case 2: opJet(r, st, which % 18); break;
        default: opWb(r, st, which % 9); break;
        }
    }
    endInput();
    if (++inputs % 64 == 0) {   // then back to the pristine servers (the check truncated logs)
        fullBackups();
        g_in.mutated = true;
        endInput();
    }
    return 0;
}
