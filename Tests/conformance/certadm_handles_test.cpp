// HCSBC handles on every export that takes one (NULL, made up, stale, foreign: a Ds HBC, a
// restore context where a backup one is expected and the reverse), and the call-order matrix of a
// backup context (docs/CONTRACT-CERTADM.md: "E_HANDLE: an HCSBC that is not a live context of the
// right kind (NULL, stale, made up, a Ds handle)", and each export's order rules).
#include "helpers.h"

#include <functional>

using namespace wbtest;

namespace {

struct HandleCall {
    const char *name;
    std::function<HRESULT(HCSBC)> call;
};

template <typename Fn>
HandleCall listCall(const char *name, Fn fn) {
    return {name, [fn, name](HCSBC h) {
                WCHAR *l = reinterpret_cast<WCHAR *>(sentinelPtr());
                DWORD cb = kSentinel;
                HRESULT hr = fn(h, &l, &cb);
                if (hr != S_OK) {
                    EXPECT_TRUE(l == reinterpret_cast<WCHAR *>(sentinelPtr()) && cb == kSentinel) << name << ": out-parameters changed";
                } else {
                    CertSrvBackupFree(l);
                }
                return hr;
            }};
}

HRESULT registerCall(HCSBC h, bool throughFile) {
    std::u16string o = uncCaDatabase("CA01", "CA01-CA"), n(kCaDatabaseW);
    CSEDB_RSTMAPW map[1] = {{o.data(), n.data()}};
    auto fn = throughFile ? CertSrvRestoreRegisterThroughFile : CertSrvRestoreRegisterW;
    return fn(h, nullptr, nullptr, map, 1, nullptr, 1, 2);
}

// The backup-only exports, with valid other arguments (End last).
std::vector<HandleCall> backupCalls() {
    return {
        listCall("CertSrvBackupGetDatabaseNamesW", CertSrvBackupGetDatabaseNamesW),
        listCall("CertSrvBackupGetDynamicFileListW", CertSrvBackupGetDynamicFileListW),
        {"CertSrvBackupOpenFileW",
         [](HCSBC h) {
             LARGE_INTEGER li;
             li.QuadPart = static_cast<LONGLONG>(kSentinel);
             HRESULT hr = CertSrvBackupOpenFileW(h, kCaDatabaseW, 0, &li);
             if (hr != S_OK) {
                 EXPECT_EQ(li.QuadPart, static_cast<LONGLONG>(kSentinel)) << "OpenFile: *pliFileSize changed";
             }
             return hr;
         }},
        {"CertSrvBackupRead",
         [](HCSBC h) {
             std::vector<uint8_t> buf(kChunk);
             DWORD got = kSentinel;
             HRESULT hr = CertSrvBackupRead(h, buf.data(), kChunk, &got);
             if (hr != S_OK) {
                 EXPECT_EQ(got, kSentinel) << "Read: *pcbRead changed";
             }
             return hr;
         }},
        {"CertSrvBackupClose", [](HCSBC h) { return CertSrvBackupClose(h); }},
        listCall("CertSrvBackupGetBackupLogsW", CertSrvBackupGetBackupLogsW),
        {"CertSrvBackupTruncateLogs", [](HCSBC h) { return CertSrvBackupTruncateLogs(h); }},
        {"WbCertSrvGetReadBufferSize",
         [](HCSBC h) {
             DWORD size = kSentinel;
             HRESULT hr = WbCertSrvGetReadBufferSize(h, &size);
             if (hr != S_OK) {
                 EXPECT_EQ(size, kSentinel) << "WbCertSrvGetReadBufferSize: *pcbSize changed";
             }
             return hr;
         }},
        {"CertSrvBackupEnd", [](HCSBC h) { return CertSrvBackupEnd(h); }},
    };
}

// The restore-only exports (End last).
std::vector<HandleCall> restoreCalls() {
    return {
        {"CertSrvRestoreRegisterW", [](HCSBC h) { return registerCall(h, false); }},
        {"CertSrvRestoreRegisterThroughFile", [](HCSBC h) { return registerCall(h, true); }},
        {"CertSrvRestoreRegisterComplete(S_OK)", [](HCSBC h) { return CertSrvRestoreRegisterComplete(h, S_OK); }},
        {"CertSrvRestoreRegisterComplete(E_FAIL)", [](HCSBC h) { return CertSrvRestoreRegisterComplete(h, E_FAIL); }},
        {"CertSrvRestoreEnd", [](HCSBC h) { return CertSrvRestoreEnd(h); }},
    };
}

HandleCall locationsCall() { return listCall("CertSrvRestoreGetDatabaseLocationsW", CertSrvRestoreGetDatabaseLocationsW); }

void expectRefused(const std::vector<HandleCall> &calls, HCSBC h, const std::string &what) {
    for (auto &c : calls) EXPECT_EQ(c.call(h), E_HANDLE) << c.name << " with " << what;
}

void expectEveryCertSrvCallRefuses(HCSBC h, const std::string &what) {
    expectRefused(backupCalls(), h, what);
    expectRefused({locationsCall()}, h, what);
    expectRefused(restoreCalls(), h, what);
}

// The Ds exports on a handle; every one must refuse a CertSrv context (ERROR_INVALID_PARAMETER).
void expectEveryDsCallRefuses(HBC h, const char *what) {
    WCHAR *lw = nullptr;
    DWORD cb = kSentinel;
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>(kSentinel);
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(DsBackupGetDatabaseNamesW(h, &lw, &cb), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupOpenFileW(h, kCaDatabaseW, kChunk, &size), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupRead(h, buf.data(), kChunk, &got), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupClose(h), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupGetBackupLogsW(h, &lw, &cb), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupTruncateLogs(h), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsRestoreGetDatabaseLocationsW(h, &lw, &cb), ERROR_INVALID_PARAMETER) << what;
    std::u16string o(u"\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit"), d(uncDatabase("DC02")), n(uncNtds("DC02"));
    EDB_RSTMAPW map[1] = {{o.data(), d.data()}};
    EXPECT_EQ(DsRestoreRegisterW(h, n.c_str(), n.c_str(), map, 1, kRestoredLogsW, 1, 2), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsRestoreRegisterComplete(h, S_OK), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsBackupEnd(h), ERROR_INVALID_PARAMETER) << what;
    EXPECT_EQ(DsRestoreEnd(h), ERROR_INVALID_PARAMETER) << what;
    EXPECT_TRUE(lw == nullptr && cb == kSentinel && got == kSentinel && size.QuadPart == static_cast<LONGLONG>(kSentinel))
        << what << ": out-parameters changed";
}

// A running source CA01, an offline target CA02 (CA name CA01-CA), a DC.
struct CasAndDc : TestRoot {
    CasAndDc() {
        create("CA01", kSmallCa);
        create("CA02", kSmallCaTarget);
        create("DC01", kSmallNtds);
    }
};

// Nothing was registered on CA02: it starts (and is stopped again).
void expectCa02Starts() {
    EXPECT_EQ(WbStartServerA("CA02"), S_OK) << "CA02 does not start: a refused call registered a restore";
    EXPECT_EQ(WbStopServerA("CA02"), S_OK);
}

// A full backup walkthrough on b, which must still work.
void expectBackupGoesOn(CaBackup &b) {
    std::vector<std::u16string> dbs, logs;
    std::vector<uint8_t> bytes;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    ASSERT_EQ(b.copy(dbs[0], &bytes), S_OK);
    ASSERT_EQ(b.logNames(&logs), S_OK);
    for (auto &l : logs) ASSERT_EQ(b.copy(l, &bytes), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), S_OK);
    EXPECT_EQ(b.end(), S_OK);
}

}  // namespace

// --- handles --------------------------------------------------------------------------------------

TEST(CertSrvHandles, NullAndMadeUpHandlesAreEHandleEverywhere) {  // contract: NULL, made up -> E_HANDLE
    CasAndDc root;
    CaBackup live(u"CA01");  // live contexts must not make neighbouring values valid
    CaRestore restore("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(live.ok());
    ASSERT_TRUE(restore.ok());
    int onTheStack = 0;
    uintptr_t b = reinterpret_cast<uintptr_t>(live.hbc), r = reinterpret_cast<uintptr_t>(restore.hbc);
    const struct {
        HCSBC h;
        const char *what;
    } bad[] = {
        {nullptr, "NULL"},
        {garbageHbc(), "(HCSBC)0x1234"},
        {allOnesHbc(), "(HCSBC)~0"},
        {sentinelHcsbc(), "(HCSBC)0xdeadbeef"},
        {&onTheStack, "a stack address"},
        {reinterpret_cast<HCSBC>(b + 1), "backup hbc + 1"},
        {reinterpret_cast<HCSBC>(b ^ (uintptr_t(1) << 32)), "backup hbc, another generation"},
        {reinterpret_cast<HCSBC>(r + 1), "restore hbc + 1"},
    };
    for (auto &x : bad) expectEveryCertSrvCallRefuses(x.h, x.what);
    expectBackupGoesOn(live);
    EXPECT_EQ(restore.end(), S_OK);
    expectCa02Starts();
}

TEST(CertSrvHandles, AnEndedBackupContextIsStaleEverywhere) {  // contract: stale -> E_HANDLE
    CasAndDc root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    HCSBC stale = b.hbc;
    ASSERT_EQ(b.end(), S_OK);
    expectEveryCertSrvCallRefuses(stale, "an ended backup context");
    CaBackup next(u"CA01");  // a new context does not revive the old value
    ASSERT_TRUE(next.ok());
    expectRefused({locationsCall()}, stale, "an ended backup context, another one live");
    expectBackupGoesOn(next);
}

TEST(CertSrvHandles, AnEndedRestoreContextIsStaleEverywhere) {  // contract: stale -> E_HANDLE
    CasAndDc root;
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    HCSBC stale = r.hbc;
    ASSERT_EQ(r.end(), S_OK);
    expectEveryCertSrvCallRefuses(stale, "an ended restore context");
    expectCa02Starts();
}

TEST(CertSrvHandles, DsContextsAreForeignToCertadm) {  // contract: a Ds handle -> E_HANDLE
    CasAndDc root;
    root.create("DC02", kSmallNtdsOffline);
    Backup dsBackup(u"DC01");
    ASSERT_TRUE(dsBackup.ok());
    Restore dsRestore("DC02", nullptr, 0);  // a restricted Ds restore context is a live HBC all the same
    ASSERT_TRUE(dsRestore.ok());
    expectEveryCertSrvCallRefuses(dsBackup.hbc, "a Ds backup context");
    expectEveryCertSrvCallRefuses(dsRestore.hbc, "a Ds restore context");
    // both still work
    std::vector<std::u16string> names;
    EXPECT_EQ(dsBackup.databaseNames(&names), S_OK);
    EXPECT_EQ(dsBackup.end(), S_OK);
    EXPECT_EQ(dsRestore.locations(&names), S_OK);
    EXPECT_EQ(dsRestore.end(), S_OK);
}

TEST(CertSrvHandles, CertadmContextsAreForeignToNtdsbcli) {  // a CertSrv context in a Ds call -> ERROR_INVALID_PARAMETER (CONTRACT-NTDSBCLI.md)
    CasAndDc root;
    root.create("DC02", kSmallNtdsOffline);
    CaBackup b(u"CA01");
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(r.ok());
    expectEveryDsCallRefuses(b.hbc, "a CertSrv backup context");
    expectEveryDsCallRefuses(r.hbc, "a CertSrv restore context");
    expectBackupGoesOn(b);
    EXPECT_EQ(r.end(), S_OK);
    expectCa02Starts();
}

TEST(CertSrvHandles, ABackupContextIsRefusedByRestoreOnlyCalls) {  // contract: restore calls take restore contexts (Locations takes both)
    CasAndDc root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    expectRefused(restoreCalls(), b.hbc, "a backup context");
    std::vector<std::u16string> where;
    EXPECT_EQ(b.locations(&where), S_OK) << "CertSrvRestoreGetDatabaseLocationsW takes a backup context";
    expectBackupGoesOn(b);
}

TEST(CertSrvHandles, ARestoreContextIsRefusedByBackupOnlyCalls) {  // contract: backup calls take backup contexts
    CasAndDc root;
    for (ULONG flags : {ULONG(CSRESTORE_TYPE_FULL), ULONG(0)}) {
        CaRestore r("CA02", flags);
        ASSERT_TRUE(r.ok());
        expectRefused(backupCalls(), r.hbc, flags ? "a full restore context" : "an incremental restore context");
        EXPECT_EQ(r.end(), S_OK) << "the restore context is still live";
    }
    expectCa02Starts();
}

// --- the call-order matrix of a backup context ------------------------------------------------------

TEST(CertSrvCallOrder, RightAfterPrepare) {  // contract: Read/Close -> hrInvalidHandle; Truncate -> hrInvalidBackupSequence; unlisted -> E_INVALIDARG
    OneCa root;
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(CertSrvBackupRead(b.hbc, buf.data(), kChunk, &got), hrInvalidHandle);
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(CertSrvBackupClose(b.hbc), hrInvalidHandle);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), hrInvalidBackupSequence);
    EXPECT_EQ(b.open(kCaDatabaseW), E_INVALIDARG) << "the database before it was listed";
    expectBackupGoesOn(b);
}

TEST(CertSrvCallOrder, WhileTheDatabaseIsOpen) {  // contract: Open -> hrAlreadyOpen; GetBackupLogs, Truncate -> hrInvalidBackupSequence
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.openDatabase(), S_OK);
    EXPECT_EQ(b.open(kCaDatabaseW), hrAlreadyOpen);
    std::vector<std::u16string> names;
    EXPECT_EQ(b.logNames(&names), hrInvalidBackupSequence);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), hrInvalidBackupSequence);
    // the lists that do not move the backup on still answer
    EXPECT_EQ(b.databaseNames(&names), S_OK);
    EXPECT_EQ(b.dynamicFiles(&names), S_OK);
    EXPECT_EQ(b.locations(&names), S_OK);
    std::vector<uint8_t> bytes;
    EXPECT_EQ(b.readAll(&bytes), S_OK);
    EXPECT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    EXPECT_EQ(b.logNames(&names), S_OK);
}

TEST(CertSrvCallOrder, TheDatabaseAfterTheLogListAbortsAndEverythingSaysNoBackup) {  // contract: hrInvalidBackupSequence, then hrNoBackup
    OneCa root;
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> dbs, logs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    ASSERT_EQ(b.logNames(&logs), S_OK);  // without copying the database
    EXPECT_EQ(b.open(dbs[0]), hrInvalidBackupSequence);
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    std::vector<std::u16string> names;
    EXPECT_EQ(b.databaseNames(&names), hrNoBackup);
    EXPECT_EQ(b.open(logs[0]), hrNoBackup);
    EXPECT_EQ(CertSrvBackupRead(b.hbc, buf.data(), kChunk, &got), hrNoBackup);
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(CertSrvBackupClose(b.hbc), hrNoBackup);
    EXPECT_EQ(b.logNames(&names), hrNoBackup);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), hrNoBackup);
    EXPECT_EQ(b.dynamicFiles(&names), S_OK) << "GetDynamicFileList answers on an aborted context";
    EXPECT_EQ(names.size(), 2u);
    EXPECT_EQ(b.end(), S_OK);
    CaBackup next(u"CA01");
    EXPECT_EQ(next.hr, S_OK) << "the CA is free at once after an abort";
}

TEST(CertSrvCallOrder, AfterTheCaStoppedEveryCallIsAbortByServer) {  // contract: after the CA stopped -> 0xC8000321 (lists of files, Close, End excepted)
    OneCa root;
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> dbs, names;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    ASSERT_EQ(b.openDatabase(), S_OK);
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    std::vector<uint8_t> buf(kChunk);
    DWORD got = kSentinel;
    EXPECT_EQ(CertSrvBackupRead(b.hbc, buf.data(), kChunk, &got), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(CertSrvBackupRead(b.hbc, buf.data(), 0, &got), WB_HR_BACKUP_ABORT_BY_SERVER) << "cb 0";
    EXPECT_EQ(got, kSentinel);
    EXPECT_EQ(b.databaseNames(&names), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(b.open(dbs[0]), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(b.logNames(&names), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(b.dynamicFiles(&names), S_OK) << "GetDynamicFileList answers on a stopped context";
    EXPECT_EQ(names.size(), 2u);
    EXPECT_EQ(b.locations(&names), kRpcUnavailable) << "GetDatabaseLocations needs the CA running";
    // Close is not refused with 0xC8000321 (as DsBackupClose): it closes the open file
    EXPECT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    EXPECT_EQ(b.end(), S_OK);
}

TEST(CertSrvCallOrder, AnIncrementalBackupHasNoDatabase) {  // contract: GetDatabaseNames -> hrInvalidBackupSequence; the database is not listed -> E_INVALIDARG
    OneCa root;
    CaBackupSet full;
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/full", CSBACKUP_TYPE_FULL, &full));
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    CaBackup b(u"CA01", CSBACKUP_TYPE_LOGS_ONLY);
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> names;
    EXPECT_EQ(b.databaseNames(&names), hrInvalidBackupSequence);
    EXPECT_EQ(b.open(kCaDatabaseW), E_INVALIDARG) << "never listed by this context";
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), hrInvalidBackupSequence) << "no log list yet";
    std::vector<std::u16string> logs;
    ASSERT_EQ(b.logNames(&logs), S_OK);
    EXPECT_EQ(b.open(kCaDatabaseW), E_INVALIDARG) << "after the log list, still never listed";
    std::vector<uint8_t> bytes;
    for (auto &l : logs) ASSERT_EQ(b.copy(l, &bytes), S_OK);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), S_OK);
    EXPECT_EQ(b.end(), S_OK);
}

TEST(CertSrvCallOrder, EveryCallAfterEndIsEHandle) {  // contract: calls after End -> E_HANDLE
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> dbs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    HCSBC h = b.hbc;
    ASSERT_EQ(b.end(), S_OK);
    expectRefused(backupCalls(), h, "after End");
    expectRefused({locationsCall()}, h, "after End");
}
