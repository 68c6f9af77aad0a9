// Shared helpers of the Ntdsbcli conformance tests: a private $WINBACKUP_ROOT per test, a
// prepared backup that always ends, name-list parsing, and checks of what a backup delivers
// against the server's own files.
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ntdsbcli.h"
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

}  // namespace wbtest
