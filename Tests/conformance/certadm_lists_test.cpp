// The name lists of a CertSrv context: CertSrvBackupGetDatabaseNamesW,
// CertSrvBackupGetDynamicFileListW, CertSrvBackupGetBackupLogsW and
// CertSrvRestoreGetDatabaseLocationsW (docs/CONTRACT-CERTADM.md, each by name).
#include "helpers.h"

#include <cstdio>

using namespace wbtest;

namespace {

using ListFn = HRESULT (*)(HCSBC, WCHAR **, DWORD *);

// The raw multi-string a list call gives, as one u16string (NULs included, cb/2 units).
HRESULT rawList(ListFn fn, HCSBC hbc, std::u16string *raw) {
    WCHAR *list = reinterpret_cast<WCHAR *>(sentinelPtr());
    DWORD cb = kSentinel;
    HRESULT hr = fn(hbc, &list, &cb);
    if (hr != S_OK) {
        EXPECT_EQ(list, reinterpret_cast<WCHAR *>(sentinelPtr())) << "a failed list call set its list pointer";
        EXPECT_EQ(cb, kSentinel) << "a failed list call set its size";
        return hr;
    }
    EXPECT_EQ(cb % 2, 0u);
    raw->assign(list, list + cb / 2);
    CertSrvBackupFree(list);
    return hr;
}

// NULL list or size pointers: E_POINTER, and nothing written.
void expectNullOutputsRefused(ListFn fn, HCSBC hbc, const char *what) {
    WCHAR *list = reinterpret_cast<WCHAR *>(sentinelPtr());
    DWORD cb = kSentinel;
    EXPECT_EQ(fn(hbc, nullptr, &cb), E_POINTER) << what << ": NULL list";
    EXPECT_EQ(cb, kSentinel) << what;
    EXPECT_EQ(fn(hbc, &list, nullptr), E_POINTER) << what << ": NULL size";
    EXPECT_EQ(list, reinterpret_cast<WCHAR *>(sentinelPtr())) << what;
    EXPECT_EQ(fn(hbc, nullptr, nullptr), E_POINTER) << what;
}

// Bad handles: E_HANDLE, before the NULL outputs.
void expectBadHandlesRefused(ListFn fn, const char *what) {
    for (HCSBC h : {static_cast<HCSBC>(nullptr), static_cast<HCSBC>(garbageHbc()), static_cast<HCSBC>(allOnesHbc()), sentinelHcsbc()}) {
        std::u16string raw;
        EXPECT_EQ(rawList(fn, h, &raw), E_HANDLE) << what << " with " << h;
        EXPECT_EQ(fn(h, nullptr, nullptr), E_HANDLE) << what << " with " << h << " and NULL outputs";
    }
}

std::u16string withType(char16_t type, const std::u16string &name) { return std::u16string(1, type) + name; }

}  // namespace

// --- CertSrvBackupGetDatabaseNamesW --------------------------------------------------------------

TEST(CertSrvBackupGetDatabaseNames, ListsTheDatabaseWithItsTypeCharacter) {  // contract: one entry 0x44 + UNC, NUL, final NUL; cb in bytes
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::u16string raw;
    ASSERT_EQ(rawList(CertSrvBackupGetDatabaseNamesW, b.hbc, &raw), S_OK);
    std::u16string expected = withType(CSBFT_CERTSERVER_DATABASE, u"\\\\CA01\\C$\\Windows\\System32\\CertLog\\CA01-CA.edb");
    expected += u'\0';
    expected += u'\0';
    EXPECT_EQ(u8(raw.substr(1)), u8(expected.substr(1)));
    EXPECT_EQ(raw, expected) << "cb " << raw.size() * 2 << ", expected " << expected.size() * 2;
    EXPECT_EQ(CSBFT_CERTSERVER_DATABASE, 0x44);
    // the same list again
    std::u16string again;
    ASSERT_EQ(rawList(CertSrvBackupGetDatabaseNamesW, b.hbc, &again), S_OK);
    EXPECT_EQ(again, expected);
}

TEST(CertSrvBackupGetDatabaseNames, NamesTheDatabaseAfterTheCa) {  // contract: <CA>.edb, CA name from --ca-name
    TestRoot root;
    root.create("CA03", "--role certsrv --db-size 2M --logs 2 --log-size 64K --ca-name Contoso-Issuing");
    CaBackup b(u"CA03\\Contoso-Issuing");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> names;
    std::vector<char16_t> types;
    ASSERT_EQ(b.databaseNames(&names, &types), S_OK);
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(types[0], CSBFT_CERTSERVER_DATABASE);
    EXPECT_EQ(u8(names[0]), u8(uncCaDatabase("CA03", "Contoso-Issuing")));
    EXPECT_TRUE(fileExists(TestRoot::local("CA03", "C:\\Windows\\System32\\CertLog\\Contoso-Issuing.edb")));
}

TEST(CertSrvBackupGetDatabaseNames, RejectsBadHandlesAndNullOutputs) {  // contract: bad handle -> E_HANDLE; NULL list or cb -> E_POINTER
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    expectBadHandlesRefused(CertSrvBackupGetDatabaseNamesW, "CertSrvBackupGetDatabaseNamesW");
    expectNullOutputsRefused(CertSrvBackupGetDatabaseNamesW, b.hbc, "CertSrvBackupGetDatabaseNamesW");
    std::vector<std::u16string> names;
    EXPECT_EQ(b.databaseNames(&names), S_OK) << "the backup goes on";
}

TEST(CertSrvBackupGetDatabaseNames, ALogsOnlyBackupHasNoDatabaseSequence) {  // contract: LOGS_ONLY -> hrInvalidBackupSequence 0xC8000209
    OneCa root;
    CaBackupSet full;
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/full", CSBACKUP_TYPE_FULL, &full));
    CaBackup b(u"CA01", CSBACKUP_TYPE_LOGS_ONLY);
    ASSERT_TRUE(b.ok());
    std::u16string raw;
    EXPECT_EQ(rawList(CertSrvBackupGetDatabaseNamesW, b.hbc, &raw), hrInvalidBackupSequence);
    EXPECT_EQ(hrInvalidBackupSequence, static_cast<HRESULT>(0xC8000209u));
    std::vector<std::u16string> logs;
    EXPECT_EQ(b.logNames(&logs), S_OK) << "the incremental backup goes on";
}

TEST(CertSrvBackupGetDatabaseNames, AnAbortedBackupHasNoBackup) {  // contract: aborted -> hrNoBackup 0xC8000208
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> dbs, logs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    ASSERT_EQ(b.logNames(&logs), S_OK);
    ASSERT_EQ(b.open(dbs[0]), hrInvalidBackupSequence);  // the database after the log list: aborts
    std::u16string raw;
    EXPECT_EQ(rawList(CertSrvBackupGetDatabaseNamesW, b.hbc, &raw), hrNoBackup);
    EXPECT_EQ(b.end(), S_OK);
}

TEST(CertSrvBackupGetDatabaseNames, ACaStoppedMeanwhileAbortsByServer) {  // contract: CA stopped meanwhile -> 0xC8000321
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    std::u16string raw;
    EXPECT_EQ(rawList(CertSrvBackupGetDatabaseNamesW, b.hbc, &raw), WB_HR_BACKUP_ABORT_BY_SERVER);
    EXPECT_EQ(b.end(), S_OK);
}

// --- CertSrvBackupGetDynamicFileListW -------------------------------------------------------------

TEST(CertSrvBackupGetDynamicFileList, ListsTheCrlAndTheCaCertificateWithoutTypeCharacter) {  // contract: plain UNC paths, sorted by name
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::u16string raw;
    ASSERT_EQ(rawList(CertSrvBackupGetDynamicFileListW, b.hbc, &raw), S_OK);
    std::u16string crl = uncCertEnroll("CA01", "CA01-CA.crl"), crt = uncCertEnroll("CA01", "CA01_CA01-CA.crt");
    std::u16string expected = crl + u'\0' + crt + u'\0' + u'\0';
    EXPECT_EQ(u8(raw), u8(expected));
    EXPECT_EQ(raw.size(), expected.size()) << "cb in bytes, the final NUL included";
    // each names an existing local file (WbResolvePathW)
    for (auto &name : {crl, crt}) {
        WCHAR local[4096];
        DWORD need = 0;
        ASSERT_EQ(WbResolvePathW(nullptr, name.c_str(), local, 4096, &need), S_OK) << u8(name);
        std::string path = u8(local);
        EXPECT_TRUE(fileExists(path)) << path;
        EXPECT_GT(fileSize(path), 0) << path;
    }
}

TEST(CertSrvBackupGetDynamicFileList, AnswersOnAnyBackupContextNotYetEnded) {  // contract: S_OK on any backup context not ended, aborted or stopped too
    BusyCa root;
    CaBackupSet full;
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/full", CSBACKUP_TYPE_FULL, &full));
    ASSERT_EQ(full.dynamicFiles.size(), 2u);
    CaBackup inc(u"CA01", CSBACKUP_TYPE_LOGS_ONLY);
    ASSERT_TRUE(inc.ok());
    std::vector<std::u16string> files;
    EXPECT_EQ(inc.dynamicFiles(&files), S_OK) << "a LOGS_ONLY context";
    EXPECT_EQ(files, full.dynamicFiles);
    std::vector<std::u16string> logs;
    ASSERT_EQ(inc.logNames(&logs), S_OK);
    EXPECT_EQ(inc.dynamicFiles(&files), S_OK) << "after the log list";
    EXPECT_EQ(files, full.dynamicFiles);
    ASSERT_EQ(inc.end(), S_OK);
    ASSERT_EQ(CertSrvServerControlW(u"CA01", CSCONTROL_SUSPEND, nullptr, nullptr), S_OK);
    CaBackup paused(u"CA01");
    ASSERT_TRUE(paused.ok());
    EXPECT_EQ(paused.dynamicFiles(&files), S_OK) << "a paused CA";
    EXPECT_EQ(files, full.dynamicFiles);
    // an aborted context (the database after the log list) and one whose CA stopped
    std::vector<std::u16string> dbs;
    ASSERT_EQ(paused.databaseNames(&dbs), S_OK);
    ASSERT_EQ(paused.logNames(&logs), S_OK);
    ASSERT_EQ(paused.open(dbs[0]), hrInvalidBackupSequence);
    EXPECT_EQ(paused.dynamicFiles(&files), S_OK) << "an aborted context";
    EXPECT_EQ(files, full.dynamicFiles);
    ASSERT_EQ(paused.end(), S_OK);
    CaBackup stopped(u"CA01");
    ASSERT_TRUE(stopped.ok());
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    EXPECT_EQ(stopped.dynamicFiles(&files), S_OK) << "the CA stopped";
    EXPECT_EQ(files, full.dynamicFiles);
}

TEST(CertSrvBackupGetDynamicFileList, RejectsBadHandlesAndNullOutputs) {  // contract: bad handle -> E_HANDLE; NULL -> E_POINTER
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    expectBadHandlesRefused(CertSrvBackupGetDynamicFileListW, "CertSrvBackupGetDynamicFileListW");
    expectNullOutputsRefused(CertSrvBackupGetDynamicFileListW, b.hbc, "CertSrvBackupGetDynamicFileListW");
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    root.create("CA02", "--role certsrv --db-size 2M --logs 2 --log-size 64K --offline");
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);  // a restore context is not a backup context
    ASSERT_TRUE(r.ok());
    std::u16string raw;
    EXPECT_EQ(rawList(CertSrvBackupGetDynamicFileListW, r.hbc, &raw), E_HANDLE);
}

// --- CertSrvBackupGetBackupLogsW ------------------------------------------------------------------

TEST(CertSrvBackupGetBackupLogs, AFullBackupListsFromTheCheckpointToTheRoll) {  // contract: 0x21 + UNC; checkpoint at Prepare .. the roll
    BusyCa root;
    uint32_t checkpoint = caCheckpointGeneration("CA01");
    ASSERT_GT(checkpoint, 0u);
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> bytes;
    std::vector<std::u16string> dbs;
    ASSERT_EQ(b.databaseNames(&dbs), S_OK);
    ASSERT_EQ(b.copy(dbs[0], &bytes), S_OK);
    std::vector<uint32_t> before = caLogGenerations("CA01");
    std::vector<std::u16string> logs;
    std::vector<char16_t> types;
    ASSERT_EQ(b.logNames(&logs, &types), S_OK);
    ASSERT_FALSE(logs.empty());
    uint32_t low = logGeneration(logs.front()), high = logGeneration(logs.back());
    EXPECT_EQ(low, checkpoint) << "the first listed log is not the checkpoint generation at Prepare";
    ASSERT_EQ(logs.size(), high - low + 1) << "the list has gaps";
    for (size_t i = 0; i < logs.size(); ++i) {
        EXPECT_EQ(types[i], CSBFT_LOG) << u8(logs[i]);
        char name[64];
        snprintf(name, sizeof name, "\\\\CA01\\C$\\Windows\\System32\\CertLog\\edb%05X.log", low + uint32_t(i));
        EXPECT_EQ(u8(logs[i]), name);
        EXPECT_TRUE(fileExists(TestRoot::local("CA01", u8(logs[i]).c_str()))) << u8(logs[i]);
    }
    // the first call rolled the log: the listed range ends with the generation just closed
    EXPECT_TRUE(before.empty() || high > before.back()) << "GetBackupLogs did not roll the log";
    EXPECT_EQ(caLogGenerations("CA01").back(), high);
    // later calls return the same list, even after more activity
    ASSERT_EQ(WbWriteServerA("CA01", 3), S_OK);
    std::vector<std::u16string> again;
    EXPECT_EQ(b.logNames(&again), S_OK);
    EXPECT_EQ(again, logs);
    EXPECT_EQ(CSBFT_LOG, 0x21);
}

TEST(CertSrvBackupGetBackupLogs, AnIncrementalBackupListsFromTheOldestLogOnDisk) {  // contract: incremental: oldest log on disk .. the roll
    BusyCa root;
    CaBackupSet full;
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/full", CSBACKUP_TYPE_FULL, &full));
    ASSERT_EQ(WbWriteServerA("CA01", 5), S_OK);
    std::vector<uint32_t> onDisk = caLogGenerations("CA01");
    ASSERT_FALSE(onDisk.empty());
    CaBackup b(u"CA01", CSBACKUP_TYPE_LOGS_ONLY);
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> logs;
    std::vector<char16_t> types;
    ASSERT_EQ(b.logNames(&logs, &types), S_OK);
    ASSERT_FALSE(logs.empty());
    EXPECT_EQ(logGeneration(logs.front()), onDisk.front());
    EXPECT_GT(logGeneration(logs.back()), onDisk.back()) << "no roll";
    EXPECT_LE(logGeneration(logs.front()), full.genHigh + 1) << "a gap after the full backup";
    for (char16_t t : types) EXPECT_EQ(t, CSBFT_LOG);
}

TEST(CertSrvBackupGetBackupLogs, RejectsBadHandlesNullOutputsAndAnOpenFile) {  // contract: E_HANDLE; E_POINTER; a file open -> hrInvalidBackupSequence
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    expectBadHandlesRefused(CertSrvBackupGetBackupLogsW, "CertSrvBackupGetBackupLogsW");
    expectNullOutputsRefused(CertSrvBackupGetBackupLogsW, b.hbc, "CertSrvBackupGetBackupLogsW");
    ASSERT_EQ(b.openDatabase(), S_OK);
    std::u16string raw;
    EXPECT_EQ(rawList(CertSrvBackupGetBackupLogsW, b.hbc, &raw), hrInvalidBackupSequence);
    std::vector<uint8_t> bytes;
    ASSERT_EQ(b.readAll(&bytes), S_OK);
    EXPECT_EQ(rawList(CertSrvBackupGetBackupLogsW, b.hbc, &raw), hrInvalidBackupSequence) << "read to the end but not closed";
    ASSERT_EQ(CertSrvBackupClose(b.hbc), S_OK);
    EXPECT_EQ(rawList(CertSrvBackupGetBackupLogsW, b.hbc, &raw), S_OK);
}

TEST(CertSrvBackupGetBackupLogs, AnIncrementalAfterDeletedLogsIsMissingFileToBackup) {  // contract: oldest log past last backup + 1 -> 0xC8000239, aborted
    BusyCa root;
    CaBackupSet full;
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/full", CSBACKUP_TYPE_FULL, &full));
    ASSERT_EQ(WbWriteServerA("CA01", 40), S_OK);
    // delete the archived logs the CA no longer needs (before its checkpoint), so the oldest
    // log left is past the full backup's last generation + 1
    uint32_t checkpoint = caCheckpointGeneration("CA01");
    ASSERT_GT(checkpoint, full.genHigh + 1) << "the activity did not move the checkpoint far enough to leave a gap";
    ASSERT_TRUE(fileExists(caLogFile("CA01", full.genHigh + 1)));
    for (uint32_t g : caLogGenerations("CA01"))
        if (g < checkpoint) removeFile(caLogFile("CA01", g));
    std::vector<uint32_t> left = caLogGenerations("CA01");
    ASSERT_TRUE(left.empty() || left.front() > full.genHigh + 1);
    CaBackup b(u"CA01", CSBACKUP_TYPE_LOGS_ONLY);
    ASSERT_TRUE(b.ok());
    std::u16string raw;
    EXPECT_EQ(rawList(CertSrvBackupGetBackupLogsW, b.hbc, &raw), WB_HR_MISSING_FILE_TO_BACKUP);
    // aborted
    EXPECT_EQ(rawList(CertSrvBackupGetBackupLogsW, b.hbc, &raw), hrNoBackup);
    EXPECT_EQ(CertSrvBackupTruncateLogs(b.hbc), hrNoBackup);
    EXPECT_EQ(b.end(), S_OK);
}

// --- CertSrvRestoreGetDatabaseLocationsW ----------------------------------------------------------

TEST(CertSrvRestoreGetDatabaseLocations, OnABackupContextNamesTheDatabaseAndTheCertLogFolder) {  // contract: 0x44 db, 0x82 log dir, 0x83 checkpoint dir
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    std::u16string raw;
    ASSERT_EQ(rawList(CertSrvRestoreGetDatabaseLocationsW, b.hbc, &raw), S_OK);
    std::u16string dir = uncCertLog("CA01");
    std::u16string expected = withType(CSBFT_CERTSERVER_DATABASE, uncCaDatabase("CA01", "CA01-CA")) + u'\0' +
                              withType(CSBFT_LOG_DIR, dir) + u'\0' + withType(CSBFT_CHECKPOINT_DIR, dir) + u'\0' + u'\0';
    EXPECT_EQ(u8(raw), u8(expected));
    EXPECT_EQ(raw, expected);
    EXPECT_EQ(CSBFT_LOG_DIR, 0x82);
    EXPECT_EQ(CSBFT_CHECKPOINT_DIR, 0x83);
    // a LOGS_ONLY context and a paused CA answer the same
    ASSERT_EQ(b.end(), S_OK);
    CaBackupSet full;
    ASSERT_TRUE(makeCaBackupSet("CA01", root.path() + "/full", CSBACKUP_TYPE_FULL, &full));
    ASSERT_EQ(CertSrvServerControlW(u"CA01", CSCONTROL_SUSPEND, nullptr, nullptr), S_OK);
    CaBackup inc(u"CA01", CSBACKUP_TYPE_LOGS_ONLY);
    ASSERT_TRUE(inc.ok());
    std::u16string again;
    EXPECT_EQ(rawList(CertSrvRestoreGetDatabaseLocationsW, inc.hbc, &again), S_OK);
    EXPECT_EQ(again, expected);
}

TEST(CertSrvRestoreGetDatabaseLocations, OnARestoreContextNeedsTheCaRunning) {  // contract: CA stopped -> 0x800706BA
    OneCa root;
    root.create("CA02", kSmallCaTarget);
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    std::u16string raw;
    EXPECT_EQ(rawList(CertSrvRestoreGetDatabaseLocationsW, r.hbc, &raw), kRpcUnavailable);
    CaRestore inc("CA02", 0);
    ASSERT_TRUE(inc.ok());
    EXPECT_EQ(rawList(CertSrvRestoreGetDatabaseLocationsW, inc.hbc, &raw), kRpcUnavailable);
    // the same context answers once the CA runs
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    ASSERT_EQ(rawList(CertSrvRestoreGetDatabaseLocationsW, r.hbc, &raw), S_OK);
    std::u16string dir = uncCertLog("CA02");
    EXPECT_EQ(u8(raw), u8(withType(CSBFT_CERTSERVER_DATABASE, uncCaDatabase("CA02", "CA01-CA")) + u'\0' +
                          withType(CSBFT_LOG_DIR, dir) + u'\0' + withType(CSBFT_CHECKPOINT_DIR, dir) + u'\0' + u'\0'));
}

TEST(CertSrvRestoreGetDatabaseLocations, OnABackupOfACaStoppedMeanwhileIsRpcUnavailable) {  // contract: the CA is stopped -> 0x800706BA
    OneCa root;
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(WbStopServerA("CA01"), S_OK);
    std::u16string raw;
    EXPECT_EQ(rawList(CertSrvRestoreGetDatabaseLocationsW, b.hbc, &raw), kRpcUnavailable);
}

TEST(CertSrvRestoreGetDatabaseLocations, RefusesOtherHandlesAndNullOutputs) {  // contract: anything else (Ds handles too) -> E_HANDLE; NULL -> E_POINTER
    OneCa root;
    root.create("DC01", kSmallNtds);
    expectBadHandlesRefused(CertSrvRestoreGetDatabaseLocationsW, "CertSrvRestoreGetDatabaseLocationsW");
    CaBackup b(u"CA01");
    ASSERT_TRUE(b.ok());
    expectNullOutputsRefused(CertSrvRestoreGetDatabaseLocationsW, b.hbc, "CertSrvRestoreGetDatabaseLocationsW");
    Backup ds(u"DC01");
    ASSERT_TRUE(ds.ok());
    std::u16string raw;
    EXPECT_EQ(rawList(CertSrvRestoreGetDatabaseLocationsW, ds.hbc, &raw), E_HANDLE) << "a Ds backup context";
    HCSBC stale = b.hbc;
    ASSERT_EQ(b.end(), S_OK);
    EXPECT_EQ(rawList(CertSrvRestoreGetDatabaseLocationsW, stale, &raw), E_HANDLE) << "an ended backup context";
}
