// Invalid restore contexts on every restore export: NULL, garbage, all ones, stale after
// DsRestoreEnd, a backup context where a restore one is expected and the reverse
// (docs/CONTRACT-NTDSBCLI.md "Restore side": bad handle -> 87 for each export;
// DsRestoreGetDatabaseLocations takes a backup context too).
#include "helpers.h"

#include <functional>

using namespace wbtest;

namespace {

struct HandleCall {
    const char *name;
    std::function<HRESULT(HBC)> call;
};

// A valid set of Register arguments for DC02 (nothing is ever registered by these calls).
HRESULT registerW(HBC h) {
    std::u16string o(u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit"), d(uncDatabase("DC02")), n(uncNtds("DC02"));
    EDB_RSTMAPW map[1] = {{o.data(), d.data()}};
    return DsRestoreRegisterW(h, n.c_str(), n.c_str(), map, 1, kRestoredLogsW, 1, 2);
}

HRESULT registerA(HBC h) {
    std::string o = "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", d = u8(uncDatabase("DC02")), n = u8(uncNtds("DC02"));
    EDB_RSTMAPA map[1] = {{o.data(), d.data()}};
    return DsRestoreRegisterA(h, n.c_str(), n.c_str(), map, 1, kRestoredLogs, 1, 2);
}

// The restore exports with valid other arguments; out-parameters are sentinels checked afterwards.
std::vector<HandleCall> restoreCalls(bool withLocations) {
    std::vector<HandleCall> calls = {
        {"DsRestoreRegisterW", registerW},
        {"DsRestoreRegisterA", registerA},
        {"DsRestoreRegisterComplete(S_OK)", [](HBC h) { return DsRestoreRegisterComplete(h, S_OK); }},
        {"DsRestoreRegisterComplete(E_FAIL)",
         [](HBC h) { return DsRestoreRegisterComplete(h, static_cast<HRESULT>(0x80004005u)); }},
        {"DsRestoreEnd", [](HBC h) { return DsRestoreEnd(h); }},
    };
    if (withLocations) {
        calls.push_back({"DsRestoreGetDatabaseLocationsW", [](HBC h) {
                             WCHAR *l = nullptr;
                             DWORD cb = kSentinel;
                             HRESULT hr = DsRestoreGetDatabaseLocationsW(h, &l, &cb);
                             EXPECT_TRUE(l == nullptr && cb == kSentinel) << "out-parameters changed";
                             return hr;
                         }});
        calls.push_back({"DsRestoreGetDatabaseLocationsA", [](HBC h) {
                             char *l = nullptr;
                             DWORD cb = kSentinel;
                             HRESULT hr = DsRestoreGetDatabaseLocationsA(h, &l, &cb);
                             EXPECT_TRUE(l == nullptr && cb == kSentinel) << "out-parameters changed";
                             return hr;
                         }});
    }
    return calls;
}

void expectEveryRestoreCallRefuses(HBC hbc, const char *what, bool withLocations = true) {
    for (auto &c : restoreCalls(withLocations)) EXPECT_EQ(c.call(hbc), ERROR_INVALID_PARAMETER) << c.name << " with " << what;
}

// The backup exports on a handle; every one must refuse a restore context.
void expectEveryBackupCallRefuses(HBC hbc, const char *what) {
    WCHAR *lw = nullptr;
    char *la = nullptr;
    DWORD cb = kSentinel;
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>(kSentinel);
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(DsBackupGetDatabaseNamesW(hbc, &lw, &cb), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupGetDatabaseNamesA(hbc, &la, &cb), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupOpenFileW(hbc, u"\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit", kChunk, &size), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupOpenFileA(hbc, "C:\\Windows\\NTDS\\ntds.dit", kChunk, &size), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupRead(hbc, buf.data(), kChunk, &got), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupClose(hbc), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupGetBackupLogsW(hbc, &lw, &cb), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupGetBackupLogsA(hbc, &la, &cb), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupTruncateLogs(hbc), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupEnd(hbc), ERROR_INVALID_PARAMETER) << what;
    EXPECT_TRUE(lw == nullptr && la == nullptr && cb == kSentinel && got == kSentinel &&
                size.QuadPart == static_cast<LONGLONG>(kSentinel))
        << what << ": out-parameters changed";
}

}  // namespace

TEST(RestoreHandles, NullIsRefusedByEveryRestoreExport) {  // contract: bad handle -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore live("DC02", root.set);  // a live context must not make NULL valid
    ASSERT_TRUE(live.ok());
    expectEveryRestoreCallRefuses(nullptr, "NULL");
    EXPECT_EQ(live.end(), S_OK);
    EXPECT_EQ(WbStartServerA("DC02"), S_OK) << "a refused call registered a restore";
}

TEST(RestoreHandles, GarbageIsRefusedByEveryRestoreExport) {  // contract: bad handle -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore live("DC02", root.set);
    ASSERT_TRUE(live.ok());
    expectEveryRestoreCallRefuses(garbageHbc(), "(HBC)0x1234");
    expectEveryRestoreCallRefuses(allOnesHbc(), "(HBC)~0");
    expectEveryRestoreCallRefuses(sentinelHbc(), "(HBC)0xdeadbeef");
    int onTheStack = 0;
    expectEveryRestoreCallRefuses(&onTheStack, "a stack address");
    uintptr_t v = reinterpret_cast<uintptr_t>(live.hbc);
    expectEveryRestoreCallRefuses(reinterpret_cast<HBC>(v + 1), "hbc + 1");
    // and the live one still works, and nothing was registered
    std::vector<std::u16string> names;
    EXPECT_EQ(live.locations(&names), S_OK);
    EXPECT_EQ(live.end(), S_OK);
    EXPECT_EQ(WbStartServerA("DC02"), S_OK);
}

TEST(RestoreHandles, StaleAfterEndIsRefusedByEveryRestoreExport) {  // contract: ended handle -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    HBC stale, staleRestricted;
    {
        Restore r("DC02", root.set), restricted("DC02", nullptr, 0);
        ASSERT_TRUE(r.ok());
        ASSERT_TRUE(restricted.ok());
        stale = r.hbc;
        staleRestricted = restricted.hbc;
    }
    expectEveryRestoreCallRefuses(stale, "a stale handle");
    expectEveryRestoreCallRefuses(staleRestricted, "a stale restricted handle");
    Restore next("DC02", root.set);  // a new context does not revive the old one
    ASSERT_TRUE(next.ok());
    expectEveryRestoreCallRefuses(stale, "the handle of an ended restore");
    EXPECT_EQ(next.registerSet("DC02", root.set), S_OK) << "a stale handle's calls disturbed the live restore";
    EXPECT_EQ(next.complete(), S_OK);
}

TEST(RestoreHandles, ABackupContextIsNoRestoreContext) {  // contract: a backup context -> 87 (but GetDatabaseLocations takes it)
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    expectEveryRestoreCallRefuses(b.hbc, "a backup context", /*withLocations=*/false);
    // the backup goes on
    std::vector<std::u16string> names;
    ASSERT_EQ(b.databaseNames(&names), S_OK);
    std::vector<uint8_t> stream;
    EXPECT_EQ(b.copy(names.at(0), &stream), S_OK);
    EXPECT_EQ(b.end(), S_OK);
    expectEveryRestoreCallRefuses(b.hbc, "an ended backup context");
}

TEST(RestoreHandles, ARestoreContextIsNoBackupContext) {  // contract "DsBackup*": bad handle -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set), restricted("DC02", nullptr, 0);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(restricted.ok());
    expectEveryBackupCallRefuses(r.hbc, "a restore context");
    expectEveryBackupCallRefuses(restricted.hbc, "a restricted restore context");
    // both still work
    std::vector<std::u16string> names;
    EXPECT_EQ(restricted.locations(&names), S_OK);
    EXPECT_EQ(r.registerSet("DC02", root.set), S_OK);
    copyDatabase(root.set, "DC02");
    copyLogs(root.set, "DC02");
    EXPECT_EQ(r.complete(), S_OK);
    EXPECT_EQ(r.end(), S_OK);
    EXPECT_EQ(restricted.end(), S_OK);
    ASSERT_EQ(WbStartServerA("DC02"), S_OK);
    EXPECT_EQ(contentDigest("DC02"), logDigest(root.set.lastLog()));
}
