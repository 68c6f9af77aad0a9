// Shared helpers of the Ntdsbcli and Certadm conformance tests: a private $WINBACKUP_ROOT per
// test, a prepared backup that always ends, name-list parsing, and checks of what a backup
// delivers against the server's own files.
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "certbcli.h"
#include "esent.h"
#include "ntdsbcli.h"
#include "ntdsbmsg.h"
#include "winbackup.h"

// ntdsbcli.h maps the unsuffixed names to the A (or W) forms; these tests always name the form
// they call, and use the unsuffixed names as test-suite names.
#undef DsIsNTDSOnline
#undef DsBackupPrepare
#undef DsBackupGetDatabaseNames
#undef DsBackupOpenFile
#undef DsBackupGetBackupLogs
#undef DsSetCurrentBackupLog
#undef DsSetAuthIdentity
#undef DsRestorePrepare
#undef DsRestoreGetDatabaseLocations
#undef DsRestoreRegister
// certbcli.h does the same for the CertSrv* names (only W forms exist).
#undef CertSrvIsServerOnline
#undef CertSrvBackupGetDynamicFileList
#undef CertSrvBackupPrepare
#undef CertSrvBackupGetDatabaseNames
#undef CertSrvBackupOpenFile
#undef CertSrvBackupGetBackupLogs
#undef CertSrvRestoreGetDatabaseLocations
#undef CertSrvRestorePrepare
#undef CertSrvRestoreRegister
#undef CertSrvServerControl
// esent.h does the same for the Jet* names (A, or W with JET_UNICODE).
#undef JetCreateInstance
#undef JetCreateInstance2
#undef JetSetSystemParameter
#undef JetGetSystemParameter
#undef JetGetAttachInfo
#undef JetGetAttachInfoInstance
#undef JetOpenFile
#undef JetOpenFileInstance
#undef JetGetLogInfo
#undef JetGetLogInfoInstance
#undef JetGetLogInfoInstance2
#undef JetGetTruncateLogInfoInstance
#undef JetExternalRestore
#undef JetExternalRestore2
#undef JetBackup
#undef JetBackupInstance
#undef JetRestore
#undef JetRestore2
#undef JetRestoreInstance

// The COM HRESULTs Certadm returns (winerror.h values; wbtypes.h defines none of them).
#ifndef E_POINTER
#define E_POINTER ((HRESULT)0x80004003)
#endif
#ifndef E_INVALIDARG
#define E_INVALIDARG ((HRESULT)0x80070057)
#endif
#ifndef E_HANDLE
#define E_HANDLE ((HRESULT)0x80070006)
#endif
#ifndef E_ACCESSDENIED
#define E_ACCESSDENIED ((HRESULT)0x80070005)
#endif
#ifndef E_OUTOFMEMORY
#define E_OUTOFMEMORY ((HRESULT)0x8007000E)
#endif
#ifndef E_FAIL
#define E_FAIL ((HRESULT)0x80004005)
#endif

namespace wbtest {

// Small and fast servers (docs/CONTRACT-NTDSBCLI.md, top).
constexpr const char *kSmallNtds = "--role ntds --db-size 2M --logs 2 --log-size 64K";
constexpr const char *kSmallCertsrv = "--role certsrv --db-size 2M --logs 1 --log-size 64K";
constexpr const char *kSmallEse = "--role ese --db-size 2M --logs 1 --log-size 64K";

constexpr DWORD kPage = 8192;
constexpr DWORD kMinRead = 24576;
constexpr DWORD kChunk = 65536;
constexpr DWORD kSentinel = 0xdeadbeef;
inline void *sentinelPtr() { return reinterpret_cast<void *>(static_cast<uintptr_t>(0xdeadbeef)); }
inline HBC sentinelHbc() { return reinterpret_cast<HBC>(static_cast<uintptr_t>(0xdeadbeef)); }

// Handles that no Prepare ever returned.
inline HBC garbageHbc() { return reinterpret_cast<HBC>(static_cast<uintptr_t>(0x1234)); }
inline HBC allOnesHbc() { return reinterpret_cast<HBC>(~static_cast<uintptr_t>(0)); }

// ASCII/UTF-8 <-> UTF-16 for the paths of these tests.
std::u16string u16(const std::string &s);
std::string u8(const std::u16string &s);

// A fresh $WINBACKUP_ROOT (mkdtemp under /tmp) for one test, removed with everything in it
// when the test ends. The previous value of the variable comes back.
class TestRoot {
public:
    TestRoot();
    ~TestRoot();
    TestRoot(const TestRoot &) = delete;
    TestRoot &operator=(const TestRoot &) = delete;

    const std::string &path() const { return path_; }
    // WbCreateServerA; fails the test if it does not return S_OK.
    void create(const char *name, const char *options = kSmallNtds);
    // The local file of a path on a server, as WbResolvePathA gives it ("" on failure).
    static std::string local(const char *server, const char *windowsPath);
    static std::string ntdsDit(const char *server) { return local(server, "C:\\Windows\\NTDS\\ntds.dit"); }
    static std::string logDir(const char *server) { return local(server, "C:\\Windows\\NTDS"); }

private:
    std::string path_;
    std::string saved_;
    bool hadSaved_ = false;
};

// A root with one small ntds server, "DC01".
struct OneServer : TestRoot {
    OneServer() { create("DC01"); }
};

// DsSetAuthIdentity is process-wide: this puts the process identity back when a test ends.
struct AuthIdentityReset {
    ~AuthIdentityReset() { DsSetAuthIdentityW(nullptr, nullptr, nullptr); }
};

// Splits a returned multi-string into its entries (each with its BFT character first).
// Fails when cb does not match the list (entries, their NULs and the final NUL).
::testing::AssertionResult parseListW(const WCHAR *list, DWORD cb, std::vector<std::u16string> *out);
::testing::AssertionResult parseListA(const char *list, DWORD cb, std::vector<std::string> *out);

// One backup context from DsBackupPrepareW; ends it (DsBackupEnd) and frees the token when it
// goes out of scope, whatever the test did.
struct Backup {
    HBC hbc = nullptr;
    void *token = nullptr;
    DWORD cbToken = 0;
    HRESULT hr = E_UNEXPECTED_HR;  // what DsBackupPrepareW returned
    bool ended = false;

    static constexpr HRESULT E_UNEXPECTED_HR = static_cast<HRESULT>(0x8000FFFFu);

    Backup() = default;
    explicit Backup(const char16_t *server, ULONG grbit = 0);
    Backup(Backup &&other) noexcept;
    Backup &operator=(Backup &&) = delete;
    Backup(const Backup &) = delete;
    ~Backup();

    bool ok() const { return hr == S_OK && hbc != nullptr; }
    HRESULT end();

    // The W lists, entries without their BFT character (bft receives those when given).
    HRESULT databaseNames(std::vector<std::u16string> *names, std::vector<char16_t> *bft = nullptr);
    HRESULT logNames(std::vector<std::u16string> *names, std::vector<char16_t> *bft = nullptr);
    // DsBackupOpenFileW with hint kChunk.
    HRESULT open(const std::u16string &name, LONGLONG *size = nullptr);
    // DsBackupOpenFileW of the first database name of the list.
    HRESULT openDatabase(LONGLONG *size = nullptr);
    // DsBackupRead until it fails; returns that failure (ERROR_HANDLE_EOF when everything was read).
    HRESULT readAll(std::vector<uint8_t> *out, DWORD chunk = kChunk, size_t maxBytes = SIZE_MAX);
    // Open, read to the end, close: S_OK, or the first failure.
    HRESULT copy(const std::u16string &name, std::vector<uint8_t> *out, DWORD chunk = kChunk);
};

// What a complete backup (Prepare .. Truncate .. End) delivered.
struct BackupResult {
    std::u16string database;           // the name from the list
    std::vector<uint8_t> stream;       // the database stream
    std::vector<std::u16string> logs;  // the log names from the list
    std::vector<std::vector<uint8_t>> logBytes;
};

// Runs the whole walkthrough of ntdsbcli.h through the W functions.
::testing::AssertionResult fullBackupW(const char16_t *server, BackupResult *out, bool truncate = true);

// The database stream against the server's file: size (pages + 3) * 8192, two equal header
// pages that parse (magic, checksum, page size), every page pgno at (pgno + 1) * 8192 equal to
// the file's (when exact), a trailer page.
::testing::AssertionResult databaseStreamMatches(const std::vector<uint8_t> &stream, const std::string &ditPath,
                                                 bool exact = true);
// A database header page (ESE-FORMAT.md §1): magic, header checksum, page size 8192.
::testing::AssertionResult headerPageParses(const uint8_t *page);
// bkinfoFullCur.genLow of a header page (offset 184 + 16).
uint32_t fullCurGenLow(const uint8_t *page);

// The checkpoint generation of a server: edb.chk offset 16 (ESE-FORMAT.md §5.2, lgposCheckpoint).
uint32_t checkpointGeneration(const char *server);

// The generation of "...\edbXXXXX.log" (5 upper-case hex digits), or 0.
uint32_t logGeneration(const std::u16string &name);

// Files.
std::vector<uint8_t> readFile(const std::string &path);
bool fileExists(const std::string &path);
// Replaces one byte of a file (pwrite) by (old ^ mask).
void flipByte(const std::string &path, off_t offset, uint8_t mask = 0x03);
// Writes bytes at an offset (pwrite).
void writeAt(const std::string &path, off_t offset, const std::vector<uint8_t> &bytes);
std::vector<std::string> listDir(const std::string &dir);

// Processes. Runs body in a forked child, which _exit()s with its result; returns the pid.
pid_t forkChild(const std::function<int()> &body);
// waitpid; the exit status, or -1 if the child did not exit normally.
int waitExit(pid_t pid);
// Spawns WINBACKUPCTL_PATH with these arguments (the environment, WINBACKUP_ROOT included, is ours).
pid_t spawnCtl(const std::vector<std::string> &args);

// --- restore ---------------------------------------------------------------------------------------
// docs/CONTRACT-NTDSBCLI.md "Restore side".

// ESE errors of hard recovery that neither ntdsbmsg.h nor winbackup.h names (0xC8000000 | -JET_err).
constexpr HRESULT kHrSoftRecoveryOnBackupDatabase = static_cast<HRESULT>(0xC8000220u);  // JET_err -544
constexpr HRESULT kHrRestoreOfNonBackupDatabase = static_cast<HRESULT>(0xC8000267u);    // JET_err -615

constexpr LONGLONG kDay = 86400;
// A small ntds server created offline: a DC to restore onto (a rebuilt one, in DSRM).
constexpr const char *kSmallNtdsOffline = "--role ntds --db-size 2M --logs 2 --log-size 64K --offline";
// The folder on the target DC the backed-up logs are copied to (szBackupLogPath), drive spelling.
constexpr const char *kRestoredLogs = "C:\\WinBackup\\RestoredLogs";
constexpr const char16_t *kRestoredLogsW = u"C:\\WinBackup\\RestoredLogs";

// A backup set in a local folder: the database stream as "ntds.dit", each log under its own name
// ("edbXXXXX.log"), the expiry token's bytes and the generations the log list spans.
struct BackupSet {
    std::string dir;
    std::string server;         // the source, as named to makeBackupSet
    std::u16string database;    // the database name the backup listed (its UNC on the source)
    std::vector<uint8_t> token; // the expiry token, cbToken bytes
    uint32_t genLow = 0, genHigh = 0;

    std::string databaseFile() const { return dir + "/ntds.dit"; }
    std::string logName(uint32_t generation) const;  // "edbXXXXX.log"
    std::string logFile(uint32_t generation) const { return dir + "/" + logName(generation); }
    std::string lastLog() const { return logFile(genHigh); }
};

// A full backup of `server` (Prepare, names, the database, logs, TruncateLogs, End) into `dir`
// (created). `beforeDatabase` runs after Prepare and before the database is read (to let the log
// roll meanwhile: genHigh > genLow while the copy still ends in genHigh).
::testing::AssertionResult makeBackupSet(const char *server, const std::string &dir, BackupSet *out,
                                         const std::function<void()> &beforeDatabase = {});

// One restore context from DsRestorePrepareW; ends it (DsRestoreEnd) when it goes out of scope.
struct Restore {
    HBC hbc = nullptr;
    HRESULT hr = Backup::E_UNEXPECTED_HR;  // what DsRestorePrepareW returned
    bool ended = false;

    Restore() = default;
    // token NULL: a restricted context. The token's bytes are copied first (the argument is PVOID).
    Restore(const char *server, const void *token, DWORD cbToken, ULONG rtFlag = 0);
    Restore(const char *server, const BackupSet &set) : Restore(server, set.token.data(), DWORD(set.token.size())) {}
    Restore(const Restore &) = delete;
    Restore &operator=(const Restore &) = delete;
    ~Restore();

    bool ok() const { return hr == S_OK && hbc != nullptr; }
    HRESULT end();
    // DsRestoreGetDatabaseLocationsW, entries without their BFT character (bft receives those).
    HRESULT locations(std::vector<std::u16string> *names, std::vector<char16_t> *bft = nullptr);
    // DsRestoreRegisterW with one map entry {original, restored}.
    HRESULT registerOne(const std::u16string &checkpoint, const std::u16string &logs, const std::u16string &original,
                        const std::u16string &restored, const std::u16string &backupLogs, ULONG genLow, ULONG genHigh);
    // registerOne with the locations of `server` (the DC, UNC) and kRestoredLogs.
    HRESULT registerSet(const char *server, const BackupSet &set, ULONG genLow = 0, ULONG genHigh = 0);
    HRESULT complete(HRESULT state = S_OK) { return DsRestoreRegisterComplete(hbc, state); }
};

// The UNC locations of a DC (DsRestoreGetDatabaseLocations): "\\NAME\C$\Windows\NTDS\ntds.dit" and
// "\\NAME\C$\Windows\NTDS".
std::u16string uncDatabase(const char *server);
std::u16string uncNtds(const char *server);

// The copies of a restore: the set's database to the DC's database location, its logs to
// kRestoredLogs (each destination deleted first; the folder emptied and made if need be).
void copyDatabase(const BackupSet &set, const char *target);
void copyLogs(const BackupSet &set, const char *target);
// The local path of generation g in the DC's kRestoredLogs folder.
std::string restoredLog(const BackupSet &set, const char *target, uint32_t generation);

// A root with a source DC "DC01" (online), its backup set in <root>/set (the log rolled between
// Prepare and the database read: genHigh > genLow, the copy read in genHigh), and a target DC
// "DC02" created with targetOptions (offline by default). ok: all of that worked.
struct SourceAndTarget : TestRoot {
    BackupSet set;
    bool ok = false;
    explicit SourceAndTarget(const char *targetOptions = kSmallNtdsOffline);
};

// What restoreSet does; a test changes one thing.
struct RestoreSteps {
    ULONG genLow = 0, genHigh = 0;  // 0: the set's
    bool database = true;           // copy the database
    bool logs = true;               // copy the logs
    HRESULT state = S_OK;           // DsRestoreRegisterComplete's hrRestoreState
};

// Microsoft's walkthrough onto an offline DC: DsIsNTDSOnline (FALSE), Prepare with the set's token,
// GetDatabaseLocations, Register, the copies, RegisterComplete, End. Does not start the DC.
::testing::AssertionResult restoreSet(const BackupSet &set, const char *target, const RestoreSteps &steps = {});

// Starts the DC and expects the refusal `code`: the DC stays offline and its folder as it was.
void expectStartRefused(const char *dc, HRESULT code = hrRestoreInProgress);
// Starts the DC and expects it online with the content the set's last log recorded.
void expectRestored(const char *dc, const BackupSet &set);

// WbGetContentDigestA / WbReadLogDigestA ("" and a test failure when they fail).
std::string contentDigest(const char *server);
std::string logDigest(const std::string &logFile);
// DsIsNTDSOnlineA's answer (a test failure when it fails).
bool isOnline(const char *server);

// The folder of a server (server.conf, state/, C/): the parent of its "C:\".
std::string serverFolder(const char *server);
// Every regular file under a folder, by relative path, with its bytes.
using Tree = std::map<std::string, std::vector<uint8_t>>;
Tree snapshotTree(const std::string &dir);
::testing::AssertionResult sameTree(const Tree &before, const Tree &after);

// Checks, when it goes out of scope, that a server's folder is as it was when the guard was made:
// what a refused call must leave.
struct FolderUnchanged {
    std::string server, dir;
    Tree before;
    explicit FolderUnchanged(const char *name) : server(name), dir(serverFolder(name)), before(snapshotTree(dir)) {}
    ~FolderUnchanged() { EXPECT_TRUE(sameTree(before, snapshotTree(dir))) << "the folder of " << server << " changed"; }
};

// Files: copy (the destination deleted first), mkdir -p, unlink, truncate.
void copyFile(const std::string &from, const std::string &to);
void makeDirs(const std::string &dir);
void removeFile(const std::string &path);
void truncateFile(const std::string &path, off_t size);
off_t fileSize(const std::string &path);

// A page of a database stream/copy holding data (not all zero), from `from` on; 0 if none.
size_t dataPageOf(const std::vector<uint8_t> &file, size_t from);

// --- Certadm (CertSrv*) --------------------------------------------------------------------------
// docs/CONTRACT-CERTADM.md.

// HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE): no such CA, not a CA, or a stopped one.
constexpr HRESULT kRpcUnavailable = static_cast<HRESULT>(0x800706BAu);

// Small CAs (the contract's top). kSmallCaTarget: a second CA to restore onto, offline, with the
// source's CA name (the database file is named after the CA).
constexpr const char *kSmallCa = "--role certsrv --db-size 2M --logs 2 --log-size 64K";
constexpr const char *kSmallCaCircular = "--role certsrv --db-size 2M --logs 2 --log-size 64K --circular-logging on";
constexpr const char *kSmallCaTarget = "--role certsrv --db-size 2M --logs 2 --log-size 64K --ca-name CA01-CA --offline";

constexpr const char *kCaDatabase = "C:\\Windows\\System32\\CertLog\\CA01-CA.edb";  // the database of a CA named CA01-CA
constexpr const char16_t *kCaDatabaseW = u"C:\\Windows\\System32\\CertLog\\CA01-CA.edb";
constexpr const char *kCertLog = "C:\\Windows\\System32\\CertLog";
constexpr const char *kCertEnroll = "C:\\Windows\\System32\\CertSrv\\CertEnroll";

// A root with one small running CA, "CA01" (CA name "CA01-CA").
struct OneCa : TestRoot {
    OneCa() { create("CA01", kSmallCa); }
};

// The same after some activity (WbWriteServerA), so there are archived logs to list and copy.
struct BusyCa : OneCa {
    explicit BusyCa(DWORD transactions = 5) { EXPECT_EQ(WbWriteServerA("CA01", transactions), S_OK); }
};

inline HCSBC sentinelHcsbc() { return reinterpret_cast<HCSBC>(static_cast<uintptr_t>(0xdeadbeef)); }

// "\\CA01\C$\Windows\System32\CertLog\<ca>.edb", "\\CA01\C$\Windows\System32\CertLog", and a
// file under CertEnroll.
std::u16string uncCaDatabase(const char *server, const char *ca);
std::u16string uncCertLog(const char *server);
std::u16string uncCertEnroll(const char *server, const char *file);

// Splits a CertSrv list (entries with their CSBFT character, or none for the dynamic files).
// names: entries without it when withType, else whole; types: the characters.
HRESULT takeCaList(HRESULT (*get)(HCSBC, WCHAR **, DWORD *), HCSBC hbc, std::vector<std::u16string> *names,
                   std::vector<char16_t> *types = nullptr, bool withType = true);

// One backup context from CertSrvBackupPrepareW; ended (CertSrvBackupEnd) when it goes out of scope.
struct CaBackup {
    HCSBC hbc = nullptr;
    HRESULT hr = Backup::E_UNEXPECTED_HR;  // what CertSrvBackupPrepareW returned
    bool ended = false;

    CaBackup() = default;
    explicit CaBackup(const char16_t *server, ULONG flags = CSBACKUP_TYPE_FULL, ULONG grbit = 0);
    CaBackup(const CaBackup &) = delete;
    CaBackup &operator=(const CaBackup &) = delete;
    ~CaBackup();

    bool ok() const { return hr == S_OK && hbc != nullptr; }
    HRESULT end();

    HRESULT databaseNames(std::vector<std::u16string> *names, std::vector<char16_t> *types = nullptr);
    HRESULT logNames(std::vector<std::u16string> *names, std::vector<char16_t> *types = nullptr);
    HRESULT dynamicFiles(std::vector<std::u16string> *names);
    HRESULT locations(std::vector<std::u16string> *names, std::vector<char16_t> *types = nullptr);
    // CertSrvBackupOpenFileW; *size receives the file size (-1 if the call did not set it).
    HRESULT open(const std::u16string &name, DWORD hint = 0, LONGLONG *size = nullptr);
    // The open database of the list (GetDatabaseNames, then OpenFile of its first entry).
    HRESULT openDatabase(DWORD hint = 0, LONGLONG *size = nullptr);
    // CertSrvBackupRead until it answers S_OK with 0 bytes (then S_OK), or fails (that failure).
    // Every other read must fill the chunk but for the last one.
    HRESULT readAll(std::vector<uint8_t> *out, DWORD chunk = kChunk);
    // Open, read to the end, close: S_OK, or the first failure.
    HRESULT copy(const std::u16string &name, std::vector<uint8_t> *out, DWORD chunk = kChunk, DWORD hint = 0);
};

// A CA's backup in a local folder: the database as its file name ("CA01-CA.edb", full backups
// only), each log as "edbXXXXX.log", the dynamic files under their names, and what the backup
// listed.
struct CaBackupSet {
    std::string dir;
    std::string server;
    bool full = true;
    std::u16string database;                 // the database name as listed (the source's UNC); full only
    std::vector<std::u16string> logs;        // as listed
    std::vector<std::u16string> locations;   // CertSrvRestoreGetDatabaseLocationsW at backup time (no CSBFT)
    std::vector<std::u16string> dynamicFiles;// as listed
    uint32_t genLow = 0, genHigh = 0;
    std::string contentAtEnd;                // the source's WbGetContentDigestA right after End

    std::string databaseFile() const;
    std::string logName(uint32_t generation) const;
    std::string logFile(uint32_t generation) const { return dir + "/" + logName(generation); }
    std::string lastLog() const { return logFile(genHigh); }
    std::string dynamicFile(const std::u16string &listed) const;
};

// The walkthrough of certbcli.h: Prepare (flags), GetDatabaseLocations, [GetDatabaseNames and the
// database,] GetBackupLogs and the logs, TruncateLogs (if truncate), GetDynamicFileList and
// copies of those (by ordinary means), End; into dir (created).
::testing::AssertionResult makeCaBackupSet(const char *server, const std::string &dir, ULONG flags, CaBackupSet *out,
                                           bool truncate = true);

// One restore context from CertSrvRestorePrepareW; ended (CertSrvRestoreEnd) when it goes out of scope.
struct CaRestore {
    HCSBC hbc = nullptr;
    HRESULT hr = Backup::E_UNEXPECTED_HR;
    bool ended = false;

    CaRestore() = default;
    CaRestore(const char *server, ULONG flags);
    CaRestore(const CaRestore &) = delete;
    CaRestore &operator=(const CaRestore &) = delete;
    ~CaRestore();

    bool ok() const { return hr == S_OK && hbc != nullptr; }
    HRESULT end();
    // CertSrvRestoreRegisterW (or ...ThroughFile) with at most one map entry (both names NULL: no
    // map, n 0); a NULL path stays NULL.
    HRESULT registerOne(const char16_t *checkpoint, const char16_t *logs, const char16_t *original, const char16_t *restored,
                        const char16_t *backupLogs, ULONG genLow, ULONG genHigh, bool throughFile = false);
    HRESULT complete(HRESULT state = S_OK) { return CertSrvRestoreRegisterComplete(hbc, state); }
};

// The folder on a target CA a set's logs are copied to ("C:\Restore\<name>"), and the copy
// (the folder emptied first).
std::string caRestoreFolder(const char *target, const char *name);
void copyCaLogs(const CaBackupSet &set, const char *target, const char *folderName);

// The restores of the contract's "Recovery" onto an offline CA named like the source: the full
// set (its database to kCaDatabase, its logs to C:\Restore\<folder>, map {listed name ->
// kCaDatabaseW}, NULL checkpoint and log paths) or an incremental one (no map); then
// RegisterComplete(S_OK) and End. The CA is not started.
::testing::AssertionResult restoreCaFull(const CaBackupSet &set, const char *target, const char *folderName = "full");
::testing::AssertionResult restoreCaIncremental(const CaBackupSet &set, const char *target, const char *folderName);

// CertSrvIsServerOnlineW: S_OK and TRUE/FALSE, or the failure (*online untouched then).
HRESULT caOnline(const char *server, BOOL *online);
// The checkpoint generation of a CA (CertLog\edb.chk offset 16), and the generations of the
// archived logs (edbXXXXX.log) in its CertLog folder, ascending.
uint32_t caCheckpointGeneration(const char *server);
std::vector<uint32_t> caLogGenerations(const char *server);
// The local file of a CA's archived log generation g.
std::string caLogFile(const char *server, uint32_t generation);

// WbStartServerA of a CA that must refuse with `code`: the CA stays stopped and its folder as it was.
void expectCaStartRefused(const char *ca, HRESULT code);

// "running" (TRUE), "paused" (FALSE), or "stopped" (0x800706BA); anything else fails the test.
std::string caState(const char *server);


// --- ESENT (Jet*) ------------------------------------------------------------------------------------
// docs/CONTRACT-ESENT.md; the rules are ESE's (ESE-BEHAVIOUR.md §A).

// A small ESE server (database C:\ESE\ese.edb, logs C:\ESE\logs, checkpoint C:\ESE\edb.chk), the
// same offline (a target to restore onto), and with circular logging.
constexpr const char *kEse = "--role ese --db-size 2M --logs 2 --log-size 64K";
constexpr const char *kEseOffline = "--role ese --db-size 2M --logs 2 --log-size 64K --offline";
constexpr const char *kEseCircular = "--role ese --db-size 2M --logs 2 --log-size 64K --circular-logging on";
constexpr const char *kEseDatabase = "C:\\ESE\\ese.edb";
constexpr const char *kEseLogs = "C:\\ESE\\logs";
constexpr const char *kEseSystem = "C:\\ESE";

// The grbits ESE-BEHAVIOUR.md §A.1 lists that esent.h does not define (outside the public header).
constexpr JET_GRBIT kBitSurrogate = 0x20;
constexpr JET_GRBIT kBitInternalCopy = 0x40;
constexpr JET_GRBIT kBitNoDbHeaderUpdate = 0x200;

constexpr JET_ERR kJetSentinelErr = static_cast<JET_ERR>(0x7eadbeef);
inline JET_INSTANCE garbageInstance() { return static_cast<JET_INSTANCE>(0x1234); }
constexpr JET_HANDLE kSentinelHandle = static_cast<JET_HANDLE>(0xdeadbeef);

// One Jet instance: JetCreateInstanceA(name) and, if init, JetInit. When it goes out of scope it is
// ended with JetTerm2(JET_bitTermStopBackup), unless the test ended it (term()).
struct JetInst {
    JET_INSTANCE h = 0;
    JET_ERR created = kJetSentinelErr, initialized = kJetSentinelErr;
    bool live = false;

    explicit JetInst(const char *name, bool init = true);
    JetInst(const JetInst &) = delete;
    JetInst &operator=(const JetInst &) = delete;
    ~JetInst();

    bool ok() const { return created == JET_errSuccess && initialized == JET_errSuccess && h != 0; }
    JET_ERR init();
    JET_ERR term(JET_GRBIT grbit = 0);
    operator JET_INSTANCE() const { return h; }
};

// A root with ESE01 (options) and an initialized instance named after it.
struct OneEse : TestRoot {
    std::unique_ptr<JetInst> inst;
    explicit OneEse(const char *options = kEse) {
        create("ESE01", options);
        inst = std::make_unique<JetInst>("ESE01");
        EXPECT_TRUE(inst->ok()) << "JetCreateInstanceA/JetInit: " << inst->created << ", " << inst->initialized;
    }
    ~OneEse() { inst.reset(); }  // before TestRoot removes the folder
    JET_INSTANCE h() const { return inst->h; }
};

// A buffer aligned for JetReadFileInstance (to 8192 bytes, so +4096 is 4096- but not 8192-aligned).
struct AlignedBuffer {
    uint8_t *p = nullptr;
    size_t size = 0;
    explicit AlignedBuffer(size_t bytes);
    ~AlignedBuffer();
    AlignedBuffer(const AlignedBuffer &) = delete;
    AlignedBuffer &operator=(const AlignedBuffer &) = delete;
};

// The local files of a server's ESE paths, and its log generations on disk (edbXXXXX.log in
// C:\ESE\logs, ascending), its checkpoint generation (edb.chk offset 16).
std::string eseDatabaseFile(const char *server = "ESE01");
std::string eseLogDir(const char *server = "ESE01");
std::string eseLogFile(const char *server, uint32_t generation);
std::string eseCheckpointFile(const char *server = "ESE01");
std::vector<uint32_t> eseLogGenerations(const char *server = "ESE01");
uint32_t eseCheckpointGeneration(const char *server = "ESE01");
uint32_t logGenerationA(const std::string &name);
std::string jetLogName(uint32_t generation);  // "edbXXXXX.log"
// Writes a whole file (created or truncated); fails the test if it cannot.
void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes);

// A multi-string list function of the Jet API (A forms); names receives the entries.
using JetListFnA = JET_ERR(JET_API *)(JET_INSTANCE, JET_PSTR, uint32_t, uint32_t *);
JET_ERR jetList(JetListFnA fn, JET_INSTANCE inst, std::vector<std::string> *names);
JET_ERR jetAttachInfo(JET_INSTANCE inst, std::vector<std::string> *names);
JET_ERR jetLogInfo(JET_INSTANCE inst, std::vector<std::string> *names);
JET_ERR jetTruncateLogInfo(JET_INSTANCE inst, std::vector<std::string> *names);

// JetOpenFileInstanceA; *size the 64-bit size it gave (*handle must come back 0).
JET_ERR jetOpen(JET_INSTANCE inst, const std::string &name, uint64_t *size = nullptr);
// JetReadFileInstance with handle 0 until it returns 0 bytes (then JET_errSuccess) or fails (that error).
JET_ERR jetReadAll(JET_INSTANCE inst, std::vector<uint8_t> *out, uint32_t chunk = kChunk);
// Open, read to the end, close: JET_errSuccess or the first failure.
JET_ERR jetCopy(JET_INSTANCE inst, const std::string &name, std::vector<uint8_t> *out, uint32_t chunk = kChunk);
// Open, read to the end, close every log of a list.
JET_ERR jetCopyLogs(JET_INSTANCE inst, const std::vector<std::string> &logs);

// A Jet backup in a local folder: the database stream under its file name ("ese.edb", full
// backups), each log under its name.
struct JetBackupSet {
    std::string dir;
    std::string database;          // as listed (the source's local path)
    std::vector<std::string> logs; // as listed
    uint32_t genLow = 0, genHigh = 0;
    std::string databaseFile() const { return dir + "/ese.edb"; }
    std::string logFile(uint32_t generation) const { return dir + "/" + jetLogName(generation); }
    std::string lastLog() const { return logFile(genHigh); }
};

// The walkthrough of ESE-BEHAVIOUR.md §A.2 on an initialized instance: Begin (full or
// incremental), [GetAttachInfo, the database,] GetLogInfo, the logs, [TruncateLog,] End with
// endGrbit; into dir (created; the files added to what it holds).
::testing::AssertionResult jetBackup(JET_INSTANCE inst, const std::string &dir, JetBackupSet *out, bool incremental = false,
                                     bool truncate = true, JET_GRBIT endGrbit = JET_bitBackupEndNormal);

// Everything a backup can show of its state: JetGetAttachInfoInstanceA with a NULL buffer (-520 once
// it ended or aborted, -801 once stopped, -521 in an incremental backup, 0 in a full one).
JET_ERR jetProbe(JET_INSTANCE inst);

// A database header field (ESE-FORMAT.md §1.2) of a server's database file.
struct BkInfo {
    uint32_t genLow = 0, genHigh = 0;
    bool zero = true;  // all 24 bytes zero
};
constexpr size_t kBkinfoFullPrev = 136, kBkinfoIncPrev = 160, kBkinfoFullCur = 184, kBkinfoCopyPrev = 420,
                 kBkinfoDiffPrev = 444;
BkInfo bkinfoAt(const uint8_t *headerPage, size_t offset);
BkInfo databaseBkinfo(const char *server, size_t offset);

// The status callbacks (JET_PFNSTATUS has no context): what the last reset saw.
struct StatusRecord {
    JET_SNP snp;
    JET_SNT snt;
    uint32_t cbStruct = 0, done = 0, total = 0;  // of a JET_SNPROG (progress)
};
std::vector<StatusRecord> &statusCalls();
JET_ERR JET_API recordStatus(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv);
size_t countStatus(JET_SNT snt);

// Runs body in a forked child (a pristine process as far as the Jet modes go, when this process
// has no instance); the child's test failures are printed by the child and fail the test here.
void inChild(const std::function<void()> &body, unsigned timeoutSeconds = 30);

}  // namespace wbtest
