// Invalid backup contexts on every handle-taking export: NULL, garbage, all ones, stale after
// End, and stale after a new backup took its place (docs/CONTRACT-NTDSBCLI.md: bad/stale/NULL/
// garbage handle -> 87; ntdsbcli.h: "never a valid pointer; NULL is never valid").
#include "helpers.h"

#include <functional>

using namespace wbtest;

namespace {

struct HandleCall {
    const char *name;
    std::function<HRESULT(HBC)> call;
};

// Each export with valid other arguments; out-parameters are sentinels checked afterwards.
std::vector<HandleCall> handleCalls() {
    return {
        {"DsBackupGetDatabaseNamesW",
         [](HBC h) {
             WCHAR *l = nullptr;
             DWORD cb = kSentinel;
             HRESULT hr = DsBackupGetDatabaseNamesW(h, &l, &cb);
             EXPECT_TRUE(l == nullptr && cb == kSentinel) << "out-parameters changed";
             return hr;
         }},
        {"DsBackupGetDatabaseNamesA",
         [](HBC h) {
             char *l = nullptr;
             DWORD cb = kSentinel;
             HRESULT hr = DsBackupGetDatabaseNamesA(h, &l, &cb);
             EXPECT_TRUE(l == nullptr && cb == kSentinel) << "out-parameters changed";
             return hr;
         }},
        {"DsBackupOpenFileW",
         [](HBC h) {
             LARGE_INTEGER s;
             s.QuadPart = static_cast<LONGLONG>(kSentinel);
             HRESULT hr = DsBackupOpenFileW(h, u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", kChunk, &s);
             EXPECT_EQ(s.QuadPart, static_cast<LONGLONG>(kSentinel)) << "out-parameter changed";
             return hr;
         }},
        {"DsBackupOpenFileA",
         [](HBC h) {
             LARGE_INTEGER s;
             s.QuadPart = static_cast<LONGLONG>(kSentinel);
             HRESULT hr = DsBackupOpenFileA(h, "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", kChunk, &s);
             EXPECT_EQ(s.QuadPart, static_cast<LONGLONG>(kSentinel)) << "out-parameter changed";
             return hr;
         }},
        {"DsBackupRead",
         [](HBC h) {
             std::vector<uint8_t> buf(kChunk, 0xAB);
             DWORD got = kSentinel;
             HRESULT hr = DsBackupRead(h, buf.data(), kChunk, &got);
             EXPECT_EQ(got, kSentinel) << "out-parameter changed";
             EXPECT_EQ(buf[0], 0xAB) << "the buffer was written";
             return hr;
         }},
        {"DsBackupClose", [](HBC h) { return DsBackupClose(h); }},
        {"DsBackupGetBackupLogsW",
         [](HBC h) {
             WCHAR *l = nullptr;
             DWORD cb = kSentinel;
             HRESULT hr = DsBackupGetBackupLogsW(h, &l, &cb);
             EXPECT_TRUE(l == nullptr && cb == kSentinel) << "out-parameters changed";
             return hr;
         }},
        {"DsBackupGetBackupLogsA",
         [](HBC h) {
             char *l = nullptr;
             DWORD cb = kSentinel;
             HRESULT hr = DsBackupGetBackupLogsA(h, &l, &cb);
             EXPECT_TRUE(l == nullptr && cb == kSentinel) << "out-parameters changed";
             return hr;
         }},
        {"DsBackupTruncateLogs", [](HBC h) { return DsBackupTruncateLogs(h); }},
        {"DsBackupEnd", [](HBC h) { return DsBackupEnd(h); }},
    };
}

void expectEveryCallRefuses(HBC hbc, const char *what) {
    for (auto &c : handleCalls()) EXPECT_EQ(c.call(hbc), ERROR_INVALID_PARAMETER) << c.name << " with " << what;
}

}  // namespace

TEST(Handles, NullIsRefusedByEveryExport) {  // contract: NULL handle -> 87
    OneServer root;
    Backup live(u"DC01");  // a live context must not make NULL valid
    ASSERT_TRUE(live.ok());
    expectEveryCallRefuses(nullptr, "NULL");
}

TEST(Handles, GarbageIsRefusedByEveryExport) {  // contract: garbage handle -> 87
    OneServer root;
    Backup live(u"DC01");
    ASSERT_TRUE(live.ok());
    expectEveryCallRefuses(garbageHbc(), "(HBC)0x1234");
    expectEveryCallRefuses(allOnesHbc(), "(HBC)~0");
    expectEveryCallRefuses(sentinelHbc(), "(HBC)0xdeadbeef");
    int onTheStack = 0;
    expectEveryCallRefuses(&onTheStack, "a stack address");
    // neighbours of a real handle
    uintptr_t v = reinterpret_cast<uintptr_t>(live.hbc);
    expectEveryCallRefuses(reinterpret_cast<HBC>(v + 1), "hbc + 1");
    expectEveryCallRefuses(reinterpret_cast<HBC>(v ^ (uintptr_t(1) << 40)), "hbc with a high bit flipped");
    // and the live one still works
    std::vector<std::u16string> names;
    EXPECT_EQ(live.databaseNames(&names), S_OK);
}

TEST(Handles, StaleAfterEndIsRefusedByEveryExport) {  // contract: stale handle -> 87
    OneServer root;
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    HBC stale = b.hbc;
    ASSERT_EQ(b.end(), S_OK);
    expectEveryCallRefuses(stale, "a stale handle");
}

TEST(Handles, StaleStaysStaleWhenANewBackupStarts) {  // contract: stale -> 87 (DESIGN: generation-checked handles)
    OneServer root;
    HBC stale;
    {
        Backup b(u"DC01");
        ASSERT_TRUE(b.ok());
        stale = b.hbc;
    }
    Backup next(u"DC01");
    ASSERT_TRUE(next.ok());
    expectEveryCallRefuses(stale, "the handle of an ended backup");  // includes DsBackupEnd(stale)
    std::vector<std::u16string> names;
    EXPECT_EQ(next.databaseNames(&names), S_OK) << "a stale handle's calls disturbed the live backup";
    EXPECT_EQ(next.openDatabase(), S_OK);
}

TEST(Handles, AreDistinctForTwoLiveBackups) {  // ntdsbcli.h: different HBCs run in parallel
    OneServer root;
    root.create("DC02");
    Backup a(u"DC01"), b(u"DC02");
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_NE(a.hbc, b.hbc);
    std::vector<std::u16string> na, nb;
    ASSERT_EQ(a.databaseNames(&na), S_OK);
    ASSERT_EQ(b.databaseNames(&nb), S_OK);
    EXPECT_EQ(u8(na.at(0)), "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit");
    EXPECT_EQ(u8(nb.at(0)), "\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit");
}
