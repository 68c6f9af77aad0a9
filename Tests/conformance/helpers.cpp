#include "helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char **environ;

namespace wbtest {

std::u16string u16(const std::string &s) {
    std::u16string out;
    for (size_t i = 0; i < s.size();) {  // UTF-8 decoding, BMP only (enough for these tests)
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += static_cast<char16_t>(c);
            i += 1;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
            out += static_cast<char16_t>(((c & 0x1F) << 6) | (s[i + 1] & 0x3F));
            i += 2;
        } else if (i + 2 < s.size()) {
            out += static_cast<char16_t>(((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F));
            i += 3;
        } else {
            break;
        }
    }
    return out;
}

std::string u8(const std::u16string &s) {
    std::string out;
    for (char16_t c : s) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

// --- TestRoot --------------------------------------------------------------------------------

TestRoot::TestRoot() {
    char tmpl[] = "/tmp/wb-conformance-XXXXXX";
    char *made = mkdtemp(tmpl);
    if (made == nullptr) {
        ADD_FAILURE() << "mkdtemp: " << strerror(errno);
        return;
    }
    path_ = made;
    if (const char *old = getenv("WINBACKUP_ROOT")) {
        saved_ = old;
        hadSaved_ = true;
    }
    setenv("WINBACKUP_ROOT", path_.c_str(), 1);
}

static int removeEntry(const char *path, const struct stat *, int, struct FTW *) { return remove(path); }

TestRoot::~TestRoot() {
    if (path_.empty()) return;
    nftw(path_.c_str(), removeEntry, 16, FTW_DEPTH | FTW_PHYS);
    if (hadSaved_)
        setenv("WINBACKUP_ROOT", saved_.c_str(), 1);
    else
        unsetenv("WINBACKUP_ROOT");
}

void TestRoot::create(const char *name, const char *options) {
    ASSERT_EQ(WbCreateServerA(name, options), S_OK) << "WbCreateServerA(" << name << ", " << options << ")";
}

std::string TestRoot::local(const char *server, const char *windowsPath) {
    char buf[4096];
    DWORD need = 0;
    HRESULT hr = WbResolvePathA(server, windowsPath, buf, sizeof buf, &need);
    if (hr != S_OK) {
        ADD_FAILURE() << "WbResolvePathA(" << server << ", " << windowsPath << ") = " << hr;
        return "";
    }
    return buf;
}

// --- lists -------------------------------------------------------------------------------------

template <typename C>
static ::testing::AssertionResult parseList(const C *list, DWORD cb, std::vector<std::basic_string<C>> *out) {
    out->clear();
    if (list == nullptr) return ::testing::AssertionFailure() << "the list pointer is NULL";
    if (cb % sizeof(C) != 0) return ::testing::AssertionFailure() << "cb " << cb << " is not a whole number of characters";
    size_t n = cb / sizeof(C), i = 0;
    while (i < n && list[i] != 0) {
        size_t start = i;
        while (i < n && list[i] != 0) ++i;
        if (i == n) return ::testing::AssertionFailure() << "entry " << out->size() << " runs past cb " << cb;
        out->emplace_back(list + start, list + i);
        ++i;  // its NUL
    }
    if (i >= n) return ::testing::AssertionFailure() << "no final NUL within cb " << cb;
    if (i + 1 != n)
        return ::testing::AssertionFailure() << "cb " << cb << " but the list ends after " << (i + 1) * sizeof(C) << " bytes";
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult parseListW(const WCHAR *list, DWORD cb, std::vector<std::u16string> *out) {
    return parseList<char16_t>(list, cb, out);
}

::testing::AssertionResult parseListA(const char *list, DWORD cb, std::vector<std::string> *out) {
    return parseList<char>(list, cb, out);
}

// --- Backup ------------------------------------------------------------------------------------

Backup::Backup(const char16_t *server, ULONG grbit) {
    hr = DsBackupPrepareW(server, grbit, BACKUP_TYPE_FULL, &token, &cbToken, &hbc);
    if (hr != S_OK) {
        hbc = nullptr;
        token = nullptr;
    }
}

Backup::Backup(Backup &&o) noexcept
    : hbc(o.hbc), token(o.token), cbToken(o.cbToken), hr(o.hr), ended(o.ended) {
    o.hbc = nullptr;
    o.token = nullptr;
    o.ended = true;
}

Backup::~Backup() {
    if (token != nullptr) DsBackupFree(token);
    if (hbc != nullptr && !ended) DsBackupEnd(hbc);
}

HRESULT Backup::end() {
    ended = true;
    return DsBackupEnd(hbc);
}

static HRESULT takeList(HRESULT (*get)(HBC, LPWSTR *, LPDWORD), HBC hbc, std::vector<std::u16string> *names,
                        std::vector<char16_t> *bft) {
    WCHAR *list = nullptr;
    DWORD cb = 0;
    HRESULT hr = get(hbc, &list, &cb);
    if (hr != S_OK) return hr;
    std::vector<std::u16string> entries;
    EXPECT_TRUE(parseListW(list, cb, &entries));
    DsBackupFree(list);
    names->clear();
    if (bft) bft->clear();
    for (auto &e : entries) {
        if (bft) bft->push_back(e[0]);
        names->push_back(e.substr(1));
    }
    return S_OK;
}

HRESULT Backup::databaseNames(std::vector<std::u16string> *names, std::vector<char16_t> *bft) {
    return takeList(DsBackupGetDatabaseNamesW, hbc, names, bft);
}

HRESULT Backup::logNames(std::vector<std::u16string> *names, std::vector<char16_t> *bft) {
    return takeList(DsBackupGetBackupLogsW, hbc, names, bft);
}

HRESULT Backup::open(const std::u16string &name, LONGLONG *size) {
    LARGE_INTEGER li;
    li.QuadPart = -1;
    HRESULT hr = DsBackupOpenFileW(hbc, name.c_str(), kChunk, &li);
    if (size) *size = li.QuadPart;
    return hr;
}

HRESULT Backup::openDatabase(LONGLONG *size) {
    std::vector<std::u16string> names;
    HRESULT hr = databaseNames(&names);
    if (hr != S_OK) return hr;
    if (names.empty()) {
        ADD_FAILURE() << "empty database list";
        return E_UNEXPECTED_HR;
    }
    return open(names[0], size);
}

HRESULT Backup::readAll(std::vector<uint8_t> *out, DWORD chunk, size_t maxBytes) {
    std::vector<uint8_t> buf(chunk);
    for (;;) {
        if (out && out->size() >= maxBytes) return S_OK;
        DWORD got = kSentinel;
        HRESULT hr = DsBackupRead(hbc, buf.data(), chunk, &got);
        if (hr != S_OK) {
            if (hr == ERROR_HANDLE_EOF) {
                EXPECT_EQ(got, 0u) << "DsBackupRead at the end sets *pcbRead to 0";
            } else {
                EXPECT_EQ(got, kSentinel) << "DsBackupRead failed (0x" << std::hex << hr << ") but set *pcbRead";
            }
            return hr;
        }
        if (got == 0 || got > chunk) {
            ADD_FAILURE() << "DsBackupRead returned S_OK with " << got << " bytes for a " << chunk << "-byte buffer";
            return E_UNEXPECTED_HR;
        }
        if (out) out->insert(out->end(), buf.begin(), buf.begin() + got);
    }
}

HRESULT Backup::copy(const std::u16string &name, std::vector<uint8_t> *out, DWORD chunk) {
    LONGLONG size = -1;
    HRESULT hr = open(name, &size);
    if (hr != S_OK) return hr;
    out->clear();
    hr = readAll(out, chunk);
    if (hr != ERROR_HANDLE_EOF) return hr;
    EXPECT_EQ(static_cast<LONGLONG>(out->size()), size) << "bytes read vs the size DsBackupOpenFileW gave, " << u8(name);
    return DsBackupClose(hbc);
}

::testing::AssertionResult fullBackupW(const char16_t *server, BackupResult *out, bool truncate) {
    Backup b(server);
    if (!b.ok()) return ::testing::AssertionFailure() << "DsBackupPrepareW = 0x" << std::hex << b.hr;
    std::vector<std::u16string> dbs;
    HRESULT hr = b.databaseNames(&dbs);
    if (hr != S_OK) return ::testing::AssertionFailure() << "DsBackupGetDatabaseNamesW = 0x" << std::hex << hr;
    if (dbs.size() != 1) return ::testing::AssertionFailure() << dbs.size() << " databases listed, expected 1";
    out->database = dbs[0];
    hr = b.copy(dbs[0], &out->stream);
    if (hr != S_OK) return ::testing::AssertionFailure() << "copying " << u8(dbs[0]) << ": 0x" << std::hex << hr;
    hr = b.logNames(&out->logs);
    if (hr != S_OK) return ::testing::AssertionFailure() << "DsBackupGetBackupLogsW = 0x" << std::hex << hr;
    out->logBytes.clear();
    for (auto &log : out->logs) {
        out->logBytes.emplace_back();
        hr = b.copy(log, &out->logBytes.back());
        if (hr != S_OK) return ::testing::AssertionFailure() << "copying " << u8(log) << ": 0x" << std::hex << hr;
    }
    if (truncate && (hr = DsBackupTruncateLogs(b.hbc)) != S_OK)
        return ::testing::AssertionFailure() << "DsBackupTruncateLogs = 0x" << std::hex << hr;
    if ((hr = b.end()) != S_OK) return ::testing::AssertionFailure() << "DsBackupEnd = 0x" << std::hex << hr;
    return ::testing::AssertionSuccess();
}

// --- database stream -----------------------------------------------------------------------------

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }

// ESE's header checksum: seed 0x89ABCDEF, XOR of every dword from offset 4 to the page end.
static uint32_t headerChecksum(const uint8_t *page) {
    uint32_t x = 0x89ABCDEFu;
    for (size_t i = 4; i < kPage; i += 4) x ^= le32(page + i);
    return x;
}

::testing::AssertionResult headerPageParses(const uint8_t *page) {
    if (le32(page + 4) != 0x89ABCDEFu) return ::testing::AssertionFailure() << "magic 0x" << std::hex << le32(page + 4);
    if (le32(page) != headerChecksum(page))
        return ::testing::AssertionFailure() << "header checksum 0x" << std::hex << le32(page) << ", computed 0x"
                                             << headerChecksum(page);
    if (le32(page + 236) != kPage) return ::testing::AssertionFailure() << "page size " << le32(page + 236);
    if (page[667] != 1) return ::testing::AssertionFailure() << "file type " << int(page[667]) << ", expected 1 (database)";
    return ::testing::AssertionSuccess();
}

uint32_t fullCurGenLow(const uint8_t *page) { return le32(page + 184 + 16); }

::testing::AssertionResult databaseStreamMatches(const std::vector<uint8_t> &stream, const std::string &ditPath,
                                                 bool exact) {
    std::vector<uint8_t> file = readFile(ditPath);
    if (file.size() < 3 * kPage || file.size() % kPage != 0)
        return ::testing::AssertionFailure() << ditPath << ": odd size " << file.size();
    size_t pages = file.size() / kPage - 2;
    if (stream.size() != (pages + 3) * kPage)
        return ::testing::AssertionFailure() << "stream size " << stream.size() << ", expected (" << pages
                                             << " + 3) * 8192 = " << (pages + 3) * kPage;
    if (memcmp(stream.data(), stream.data() + kPage, kPage) != 0)
        return ::testing::AssertionFailure() << "the two header pages of the stream differ";
    ::testing::AssertionResult h = headerPageParses(stream.data());
    if (!h) return ::testing::AssertionFailure() << "stream header page: " << h.message();
    if (exact) {
        for (size_t pgno = 1; pgno <= pages; ++pgno) {
            size_t off = (pgno + 1) * kPage;
            if (memcmp(stream.data() + off, file.data() + off, kPage) != 0)
                return ::testing::AssertionFailure() << "page " << pgno << " (offset " << off << ") differs from the file's";
        }
    }
    const uint8_t *trailer = stream.data() + stream.size() - kPage;
    // ESE-FORMAT.md §0: a trailer page has dwords 1, 2, 3 and 6 zero and the header checksum.
    if (le32(trailer + 4) != 0 || le32(trailer + 8) != 0 || le32(trailer + 12) != 0 || le32(trailer + 24) != 0)
        return ::testing::AssertionFailure() << "the last page is not a trailer page (dwords 1-3, 6 not zero)";
    if (le32(trailer) != headerChecksum(trailer))
        return ::testing::AssertionFailure() << "trailer checksum does not verify";
    return ::testing::AssertionSuccess();
}

uint32_t checkpointGeneration(const char *server) {
    std::vector<uint8_t> chk = readFile(TestRoot::local(server, "C:\\Windows\\NTDS\\edb.chk"));
    if (chk.size() < 4096) {
        ADD_FAILURE() << "edb.chk of " << server << " is " << chk.size() << " bytes";
        return 0;
    }
    return le32(chk.data() + 16);
}

uint32_t logGeneration(const std::u16string &name) {
    size_t slash = name.find_last_of(u"\\/");
    std::string base = u8(slash == std::u16string::npos ? name : name.substr(slash + 1));
    if (base.size() != 12 || base.compare(0, 3, "edb") != 0 || base.compare(8, 4, ".log") != 0) return 0;
    uint32_t g = 0;
    for (size_t i = 3; i < 8; ++i) {
        char c = base[i];
        if (c >= '0' && c <= '9')
            g = g * 16 + (c - '0');
        else if (c >= 'A' && c <= 'F')
            g = g * 16 + (c - 'A' + 10);
        else
            return 0;  // 5 upper-case hex digits only
    }
    return g;
}

// --- files -------------------------------------------------------------------------------------

std::vector<uint8_t> readFile(const std::string &path) {
    std::vector<uint8_t> out;
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) {
        ADD_FAILURE() << "open " << path << ": " << strerror(errno);
        return out;
    }
    uint8_t buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
    ::close(fd);
    return out;
}

bool fileExists(const std::string &path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

void writeAt(const std::string &path, off_t offset, const std::vector<uint8_t> &bytes) {
    int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0) << path << ": " << strerror(errno);
    EXPECT_EQ(pwrite(fd, bytes.data(), bytes.size(), offset), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
}

void flipByte(const std::string &path, off_t offset, uint8_t mask) {
    int fd = ::open(path.c_str(), O_RDWR);
    ASSERT_GE(fd, 0) << path << ": " << strerror(errno);
    uint8_t b = 0;
    EXPECT_EQ(pread(fd, &b, 1, offset), 1);
    b ^= mask;
    EXPECT_EQ(pwrite(fd, &b, 1, offset), 1);
    ::close(fd);
}

std::vector<std::string> listDir(const std::string &dir) {
    std::vector<std::string> out;
    if (DIR *d = opendir(dir.c_str())) {
        while (struct dirent *e = readdir(d))
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) out.push_back(e->d_name);
        closedir(d);
    }
    return out;
}

// --- processes -----------------------------------------------------------------------------------

pid_t forkChild(const std::function<int()> &body) {
    fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) _exit(body());
    EXPECT_GT(pid, 0) << "fork: " << strerror(errno);
    return pid;
}

int waitExit(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

pid_t spawnCtl(const std::vector<std::string> &args) {
    std::vector<char *> argv;
    std::string prog = WINBACKUPCTL_PATH;
    argv.push_back(prog.data());
    std::vector<std::string> copies(args);
    for (auto &a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    int err = posix_spawn(&pid, prog.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    EXPECT_EQ(err, 0) << "posix_spawn " << prog << ": " << strerror(err);
    return err == 0 ? pid : -1;
}

// --- restore -------------------------------------------------------------------------------------

std::string BackupSet::logName(uint32_t generation) const {
    char name[32];
    snprintf(name, sizeof name, "edb%05X.log", generation);
    return name;
}

static std::string baseName(const std::u16string &name) {
    size_t slash = name.find_last_of(u"\\/");
    return u8(slash == std::u16string::npos ? name : name.substr(slash + 1));
}

static bool writeWhole(const std::string &path, const std::vector<uint8_t> &bytes) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return false;
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
    ::close(fd);
    return done == bytes.size();
}

::testing::AssertionResult makeBackupSet(const char *server, const std::string &dir, BackupSet *out,
                                         const std::function<void()> &beforeDatabase) {
    makeDirs(dir);
    out->dir = dir;
    out->server = server;
    std::u16string wserver = u16(server);
    Backup b(wserver.c_str());
    if (!b.ok()) return ::testing::AssertionFailure() << "DsBackupPrepareW(" << server << ") = 0x" << std::hex << b.hr;
    out->token.assign(static_cast<uint8_t *>(b.token), static_cast<uint8_t *>(b.token) + b.cbToken);
    std::vector<std::u16string> dbs;
    HRESULT hr = b.databaseNames(&dbs);
    if (hr != S_OK) return ::testing::AssertionFailure() << "DsBackupGetDatabaseNamesW = 0x" << std::hex << hr;
    if (dbs.size() != 1) return ::testing::AssertionFailure() << dbs.size() << " databases listed, expected 1";
    out->database = dbs[0];
    if (beforeDatabase) beforeDatabase();
    std::vector<uint8_t> bytes;
    if ((hr = b.copy(dbs[0], &bytes)) != S_OK)
        return ::testing::AssertionFailure() << "copying " << u8(dbs[0]) << ": 0x" << std::hex << hr;
    if (!writeWhole(out->databaseFile(), bytes)) return ::testing::AssertionFailure() << "writing " << out->databaseFile();
    std::vector<std::u16string> logs;
    if ((hr = b.logNames(&logs)) != S_OK) return ::testing::AssertionFailure() << "DsBackupGetBackupLogsW = 0x" << std::hex << hr;
    if (logs.empty()) return ::testing::AssertionFailure() << "an empty log list";
    out->genLow = logGeneration(logs.front());
    out->genHigh = logGeneration(logs.back());
    if (out->genLow == 0 || out->genHigh < out->genLow || out->genHigh - out->genLow + 1 != logs.size())
        return ::testing::AssertionFailure() << "odd log list: " << u8(logs.front()) << " .. " << u8(logs.back()) << ", "
                                             << logs.size() << " entries";
    for (auto &log : logs) {
        if ((hr = b.copy(log, &bytes)) != S_OK) return ::testing::AssertionFailure() << "copying " << u8(log) << ": 0x" << std::hex << hr;
        if (!writeWhole(dir + "/" + baseName(log), bytes)) return ::testing::AssertionFailure() << "writing " << baseName(log);
    }
    if ((hr = DsBackupTruncateLogs(b.hbc)) != S_OK) return ::testing::AssertionFailure() << "DsBackupTruncateLogs = 0x" << std::hex << hr;
    if ((hr = b.end()) != S_OK) return ::testing::AssertionFailure() << "DsBackupEnd = 0x" << std::hex << hr;
    return ::testing::AssertionSuccess();
}

Restore::Restore(const char *server, const void *token, DWORD cbToken, ULONG rtFlag) {
    std::u16string wserver = u16(server);
    std::vector<uint8_t> copy(cbToken > 0 ? cbToken : 1, 0);  // never empty: a token with cb 0 stays non-NULL
    if (token != nullptr && cbToken > 0) memcpy(copy.data(), token, cbToken);
    hr = DsRestorePrepareW(wserver.c_str(), rtFlag, token ? copy.data() : nullptr, cbToken, &hbc);
    if (hr != S_OK) hbc = nullptr;
}

Restore::~Restore() {
    if (hbc != nullptr && !ended) DsRestoreEnd(hbc);
}

HRESULT Restore::end() {
    ended = true;
    return DsRestoreEnd(hbc);
}

HRESULT Restore::locations(std::vector<std::u16string> *names, std::vector<char16_t> *bft) {
    return takeList(DsRestoreGetDatabaseLocationsW, hbc, names, bft);
}

HRESULT Restore::registerOne(const std::u16string &checkpoint, const std::u16string &logs, const std::u16string &original,
                             const std::u16string &restored, const std::u16string &backupLogs, ULONG genLow, ULONG genHigh) {
    std::u16string o(original), r(restored);
    EDB_RSTMAPW map[1] = {{o.data(), r.data()}};
    return DsRestoreRegisterW(hbc, checkpoint.c_str(), logs.c_str(), map, 1, backupLogs.c_str(), genLow, genHigh);
}

HRESULT Restore::registerSet(const char *server, const BackupSet &set, ULONG genLow, ULONG genHigh) {
    return registerOne(uncNtds(server), uncNtds(server), set.database, uncDatabase(server), kRestoredLogsW,
                       genLow ? genLow : set.genLow, genHigh ? genHigh : set.genHigh);
}

SourceAndTarget::SourceAndTarget(const char *targetOptions) {
    create("DC01");
    create("DC02", targetOptions);
    ::testing::AssertionResult made = makeBackupSet("DC01", path() + "/set", &set, [] {
        EXPECT_EQ(WbWriteServerA("DC01", 3), S_OK) << "rolling the log during the backup";
    });
    EXPECT_TRUE(made);
    EXPECT_GT(set.genHigh, set.genLow) << "the backup set spans one generation only";
    ok = made && set.genHigh > set.genLow && !::testing::Test::HasFailure();
}

std::u16string uncDatabase(const char *server) { return u"\\\\" + u16(server) + u"\\C$\\Windows\\NTDS\\ntds.dit"; }
std::u16string uncNtds(const char *server) { return u"\\\\" + u16(server) + u"\\C$\\Windows\\NTDS"; }

void copyDatabase(const BackupSet &set, const char *target) { copyFile(set.databaseFile(), TestRoot::ntdsDit(target)); }

void copyLogs(const BackupSet &set, const char *target) {
    std::string folder = TestRoot::local(target, kRestoredLogs);
    ASSERT_FALSE(folder.empty());
    makeDirs(folder);
    for (auto &name : listDir(folder)) removeFile(folder + "/" + name);
    for (uint32_t g = set.genLow; g <= set.genHigh; ++g) copyFile(set.logFile(g), folder + "/" + set.logName(g));
}

std::string restoredLog(const BackupSet &set, const char *target, uint32_t generation) {
    return TestRoot::local(target, kRestoredLogs) + "/" + set.logName(generation);
}

::testing::AssertionResult restoreSet(const BackupSet &set, const char *target, const RestoreSteps &steps) {
    BOOL online = static_cast<BOOL>(kSentinel);
    HRESULT hr = DsIsNTDSOnlineA(target, &online);
    if (hr != S_OK || online != FALSE)
        return ::testing::AssertionFailure() << "DsIsNTDSOnlineA(" << target << ") = 0x" << std::hex << hr << ", online " << online;
    Restore r(target, set);
    if (!r.ok()) return ::testing::AssertionFailure() << "DsRestorePrepareW(" << target << ") = 0x" << std::hex << r.hr;
    std::vector<std::u16string> where;
    std::vector<char16_t> bft;
    if ((hr = r.locations(&where, &bft)) != S_OK)
        return ::testing::AssertionFailure() << "DsRestoreGetDatabaseLocationsW = 0x" << std::hex << hr;
    if (where.size() != 3 || bft[0] != 0x44 || bft[1] != 0x82 || bft[2] != 0x83)
        return ::testing::AssertionFailure() << "unexpected location list (" << where.size() << " entries)";
    hr = r.registerOne(where[2], where[1], set.database, where[0], kRestoredLogsW, steps.genLow ? steps.genLow : set.genLow,
                       steps.genHigh ? steps.genHigh : set.genHigh);
    if (hr != S_OK) return ::testing::AssertionFailure() << "DsRestoreRegisterW = 0x" << std::hex << hr;
    if (steps.database) copyFile(set.databaseFile(), TestRoot::local(target, u8(where[0]).c_str()));
    if (steps.logs) copyLogs(set, target);
    if (::testing::Test::HasFatalFailure()) return ::testing::AssertionFailure() << "copying the files failed";
    if ((hr = r.complete(steps.state)) != S_OK)
        return ::testing::AssertionFailure() << "DsRestoreRegisterComplete = 0x" << std::hex << hr;
    if ((hr = r.end()) != S_OK) return ::testing::AssertionFailure() << "DsRestoreEnd = 0x" << std::hex << hr;
    return ::testing::AssertionSuccess();
}

void expectStartRefused(const char *dc, HRESULT code) {
    Tree before = snapshotTree(serverFolder(dc));
    HRESULT hr = WbStartServerA(dc);
    EXPECT_EQ(hr, code) << "starting " << dc << ": expected 0x" << std::hex << code << ", got 0x" << hr;
    EXPECT_FALSE(isOnline(dc));
    EXPECT_TRUE(sameTree(before, snapshotTree(serverFolder(dc)))) << "a refused start changed the files of " << dc;
}

void expectRestored(const char *dc, const BackupSet &set) {
    ASSERT_EQ(WbStartServerA(dc), S_OK) << "starting " << dc << " after the restore";
    EXPECT_TRUE(isOnline(dc));
    EXPECT_EQ(contentDigest(dc), logDigest(set.lastLog())) << dc << " does not hold the content of " << set.lastLog();
}

std::string contentDigest(const char *server) {
    char hex[65] = {0};
    HRESULT hr = WbGetContentDigestA(server, hex, sizeof hex);
    if (hr != S_OK) {
        ADD_FAILURE() << "WbGetContentDigestA(" << server << ") = 0x" << std::hex << hr;
        return "";
    }
    return hex;
}

std::string logDigest(const std::string &logFile) {
    char hex[65] = {0};
    HRESULT hr = WbReadLogDigestA(logFile.c_str(), hex, sizeof hex);
    if (hr != S_OK) {
        ADD_FAILURE() << "WbReadLogDigestA(" << logFile << ") = 0x" << std::hex << hr;
        return "";
    }
    return hex;
}

bool isOnline(const char *server) {
    BOOL f = static_cast<BOOL>(kSentinel);
    HRESULT hr = DsIsNTDSOnlineA(server, &f);
    EXPECT_EQ(hr, S_OK) << "DsIsNTDSOnlineA(" << server << ")";
    EXPECT_TRUE(f == TRUE || f == FALSE) << "DsIsNTDSOnlineA(" << server << ") set " << f;
    return hr == S_OK && f == TRUE;
}

std::string serverFolder(const char *server) {
    std::string c = TestRoot::local(server, "C:\\");
    while (!c.empty() && c.back() == '/') c.pop_back();
    size_t slash = c.find_last_of('/');
    return slash == std::string::npos ? std::string() : c.substr(0, slash);
}

static void snapshotInto(const std::string &dir, const std::string &rel, Tree *out) {
    for (auto &name : listDir(dir)) {
        std::string path = dir + "/" + name, r = rel.empty() ? name : rel + "/" + name;
        struct stat st;
        if (lstat(path.c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            snapshotInto(path, r, out);
        else if (S_ISREG(st.st_mode))
            (*out)[r] = readFile(path);
    }
}

Tree snapshotTree(const std::string &dir) {
    Tree out;
    snapshotInto(dir, "", &out);
    return out;
}

::testing::AssertionResult sameTree(const Tree &before, const Tree &after) {
    for (auto &[name, bytes] : before) {
        auto it = after.find(name);
        if (it == after.end()) return ::testing::AssertionFailure() << name << " is gone";
        if (it->second != bytes) return ::testing::AssertionFailure() << name << " changed";
    }
    for (auto &[name, bytes] : after)
        if (before.find(name) == before.end()) return ::testing::AssertionFailure() << name << " appeared";
    return ::testing::AssertionSuccess();
}

void copyFile(const std::string &from, const std::string &to) {
    std::vector<uint8_t> bytes = readFile(from);
    removeFile(to);
    ASSERT_TRUE(writeWhole(to, bytes)) << "writing " << to << ": " << strerror(errno);
}

void makeDirs(const std::string &dir) {
    for (size_t i = 1; i <= dir.size(); ++i)
        if (i == dir.size() || dir[i] == '/') mkdir(dir.substr(0, i).c_str(), 0755);
    struct stat st;
    ASSERT_TRUE(stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) << "mkdir -p " << dir;
}

void removeFile(const std::string &path) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) ADD_FAILURE() << "unlink " << path << ": " << strerror(errno);
}

void truncateFile(const std::string &path, off_t size) {
    ASSERT_EQ(truncate(path.c_str(), size), 0) << path << ": " << strerror(errno);
}

off_t fileSize(const std::string &path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

size_t dataPageOf(const std::vector<uint8_t> &file, size_t from) {
    if (file.size() < 4 * kPage) return 0;
    size_t pages = file.size() / kPage - 3;  // a stream: its trailer page is not a page
    for (size_t pgno = from; pgno <= pages; ++pgno) {
        const uint8_t *p = file.data() + (pgno + 1) * kPage;
        for (size_t i = 0; i < kPage; ++i)
            if (p[i] != 0) return pgno;
    }
    return 0;
}


// --- Certadm (CertSrv*) ----------------------------------------------------------------------------

std::u16string uncCaDatabase(const char *server, const char *ca) {
    return u"\\\\" + u16(server) + u"\\C$\\Windows\\System32\\CertLog\\" + u16(ca) + u".edb";
}
std::u16string uncCertLog(const char *server) { return u"\\\\" + u16(server) + u"\\C$\\Windows\\System32\\CertLog"; }
std::u16string uncCertEnroll(const char *server, const char *file) {
    return u"\\\\" + u16(server) + u"\\C$\\Windows\\System32\\CertSrv\\CertEnroll\\" + u16(file);
}

HRESULT takeCaList(HRESULT (*get)(HCSBC, WCHAR **, DWORD *), HCSBC hbc, std::vector<std::u16string> *names,
                   std::vector<char16_t> *types, bool withType) {
    WCHAR *list = reinterpret_cast<WCHAR *>(sentinelPtr());  // need not be NULL on entry
    DWORD cb = kSentinel;
    HRESULT hr = get(hbc, &list, &cb);
    if (hr != S_OK) {
        EXPECT_TRUE(list == reinterpret_cast<WCHAR *>(sentinelPtr()) && cb == kSentinel) << "a failed list call set its out-parameters";
        return hr;
    }
    std::vector<std::u16string> entries;
    EXPECT_TRUE(parseListW(list, cb, &entries));
    CertSrvBackupFree(list);
    names->clear();
    if (types) types->clear();
    for (auto &e : entries) {
        if (withType) {
            if (types) types->push_back(e[0]);
            names->push_back(e.substr(1));
        } else {
            names->push_back(e);
        }
    }
    return S_OK;
}

CaBackup::CaBackup(const char16_t *server, ULONG flags, ULONG grbit) {
    hr = CertSrvBackupPrepareW(server, grbit, flags, &hbc);
    if (hr != S_OK) hbc = nullptr;
}

CaBackup::~CaBackup() {
    if (hbc != nullptr && !ended) CertSrvBackupEnd(hbc);
}

HRESULT CaBackup::end() {
    ended = true;
    return CertSrvBackupEnd(hbc);
}

HRESULT CaBackup::databaseNames(std::vector<std::u16string> *names, std::vector<char16_t> *types) {
    return takeCaList(CertSrvBackupGetDatabaseNamesW, hbc, names, types);
}
HRESULT CaBackup::logNames(std::vector<std::u16string> *names, std::vector<char16_t> *types) {
    return takeCaList(CertSrvBackupGetBackupLogsW, hbc, names, types);
}
HRESULT CaBackup::dynamicFiles(std::vector<std::u16string> *names) {
    return takeCaList(CertSrvBackupGetDynamicFileListW, hbc, names, nullptr, false);
}
HRESULT CaBackup::locations(std::vector<std::u16string> *names, std::vector<char16_t> *types) {
    return takeCaList(CertSrvRestoreGetDatabaseLocationsW, hbc, names, types);
}

HRESULT CaBackup::open(const std::u16string &name, DWORD hint, LONGLONG *size) {
    LARGE_INTEGER li;
    li.QuadPart = -1;
    HRESULT hr = CertSrvBackupOpenFileW(hbc, name.c_str(), hint, &li);
    if (size) *size = li.QuadPart;
    return hr;
}

HRESULT CaBackup::openDatabase(DWORD hint, LONGLONG *size) {
    std::vector<std::u16string> names;
    HRESULT hr = databaseNames(&names);
    if (hr != S_OK) return hr;
    if (names.empty()) {
        ADD_FAILURE() << "empty database list";
        return Backup::E_UNEXPECTED_HR;
    }
    return open(names[0], hint, size);
}

HRESULT CaBackup::readAll(std::vector<uint8_t> *out, DWORD chunk) {
    std::vector<uint8_t> buf(chunk);
    bool shortRead = false;
    for (;;) {
        DWORD got = kSentinel;
        HRESULT hr = CertSrvBackupRead(hbc, buf.data(), chunk, &got);
        if (hr != S_OK) {
            EXPECT_EQ(got, kSentinel) << "CertSrvBackupRead failed (0x" << std::hex << hr << ") but set *pcbRead";
            return hr;
        }
        if (got == 0) return S_OK;  // the end of the file: S_OK with 0 bytes
        if (got > chunk) {
            ADD_FAILURE() << "CertSrvBackupRead returned " << got << " bytes for a " << chunk << "-byte buffer";
            return Backup::E_UNEXPECTED_HR;
        }
        if (shortRead) {
            ADD_FAILURE() << "CertSrvBackupRead gave fewer than " << chunk << " bytes before the end of the file";
            return Backup::E_UNEXPECTED_HR;
        }
        shortRead = got < chunk;
        if (out) out->insert(out->end(), buf.begin(), buf.begin() + got);
    }
}

HRESULT CaBackup::copy(const std::u16string &name, std::vector<uint8_t> *out, DWORD chunk, DWORD hint) {
    LONGLONG size = -1;
    HRESULT hr = open(name, hint, &size);
    if (hr != S_OK) return hr;
    out->clear();
    if ((hr = readAll(out, chunk)) != S_OK) return hr;
    EXPECT_EQ(static_cast<LONGLONG>(out->size()), size) << "bytes read vs the size CertSrvBackupOpenFileW gave, " << u8(name);
    return CertSrvBackupClose(hbc);
}

std::string CaBackupSet::databaseFile() const { return dir + "/" + baseName(database); }

std::string CaBackupSet::logName(uint32_t generation) const {
    char name[32];
    snprintf(name, sizeof name, "edb%05X.log", generation);
    return name;
}

std::string CaBackupSet::dynamicFile(const std::u16string &listed) const { return dir + "/" + baseName(listed); }

::testing::AssertionResult makeCaBackupSet(const char *server, const std::string &dir, ULONG flags, CaBackupSet *out,
                                           bool truncate) {
    makeDirs(dir);
    out->dir = dir;
    out->server = server;
    out->full = flags == CSBACKUP_TYPE_FULL;
    std::u16string wserver = u16(server);
    CaBackup b(wserver.c_str(), flags);
    if (!b.ok()) return ::testing::AssertionFailure() << "CertSrvBackupPrepareW(" << server << ") = 0x" << std::hex << b.hr;
    HRESULT hr = b.locations(&out->locations);
    if (hr != S_OK) return ::testing::AssertionFailure() << "CertSrvRestoreGetDatabaseLocationsW = 0x" << std::hex << hr;
    std::vector<uint8_t> bytes;
    if (out->full) {
        std::vector<std::u16string> dbs;
        if ((hr = b.databaseNames(&dbs)) != S_OK)
            return ::testing::AssertionFailure() << "CertSrvBackupGetDatabaseNamesW = 0x" << std::hex << hr;
        if (dbs.size() != 1) return ::testing::AssertionFailure() << dbs.size() << " databases listed, expected 1";
        out->database = dbs[0];
        if ((hr = b.copy(dbs[0], &bytes)) != S_OK)
            return ::testing::AssertionFailure() << "copying " << u8(dbs[0]) << ": 0x" << std::hex << hr;
        if (!writeWhole(out->databaseFile(), bytes)) return ::testing::AssertionFailure() << "writing " << out->databaseFile();
    }
    if ((hr = b.logNames(&out->logs)) != S_OK)
        return ::testing::AssertionFailure() << "CertSrvBackupGetBackupLogsW = 0x" << std::hex << hr;
    if (out->logs.empty()) return ::testing::AssertionFailure() << "an empty log list";
    out->genLow = logGeneration(out->logs.front());
    out->genHigh = logGeneration(out->logs.back());
    if (out->genLow == 0 || out->genHigh < out->genLow || out->genHigh - out->genLow + 1 != out->logs.size())
        return ::testing::AssertionFailure() << "odd log list: " << u8(out->logs.front()) << " .. " << u8(out->logs.back())
                                             << ", " << out->logs.size() << " entries";
    for (auto &log : out->logs) {
        if ((hr = b.copy(log, &bytes)) != S_OK)
            return ::testing::AssertionFailure() << "copying " << u8(log) << ": 0x" << std::hex << hr;
        if (!writeWhole(dir + "/" + baseName(log), bytes)) return ::testing::AssertionFailure() << "writing " << baseName(log);
    }
    if (truncate && (hr = CertSrvBackupTruncateLogs(b.hbc)) != S_OK)
        return ::testing::AssertionFailure() << "CertSrvBackupTruncateLogs = 0x" << std::hex << hr;
    if ((hr = b.dynamicFiles(&out->dynamicFiles)) != S_OK)
        return ::testing::AssertionFailure() << "CertSrvBackupGetDynamicFileListW = 0x" << std::hex << hr;
    for (auto &f : out->dynamicFiles) {
        std::string local = TestRoot::local(server, u8(f).c_str());
        if (local.empty()) return ::testing::AssertionFailure() << "no local file for " << u8(f);
        copyFile(local, out->dynamicFile(f));
    }
    if ((hr = b.end()) != S_OK) return ::testing::AssertionFailure() << "CertSrvBackupEnd = 0x" << std::hex << hr;
    out->contentAtEnd = contentDigest(server);
    if (::testing::Test::HasFailure()) return ::testing::AssertionFailure() << "a step of the backup failed";
    return ::testing::AssertionSuccess();
}

CaRestore::CaRestore(const char *server, ULONG flags) {
    std::u16string wserver = u16(server);
    hr = CertSrvRestorePrepareW(wserver.c_str(), flags, &hbc);
    if (hr != S_OK) hbc = nullptr;
}

CaRestore::~CaRestore() {
    if (hbc != nullptr && !ended) CertSrvRestoreEnd(hbc);
}

HRESULT CaRestore::end() {
    ended = true;
    return CertSrvRestoreEnd(hbc);
}

HRESULT CaRestore::registerOne(const char16_t *checkpoint, const char16_t *logs, const char16_t *original,
                               const char16_t *restored, const char16_t *backupLogs, ULONG genLow, ULONG genHigh,
                               bool throughFile) {
    std::u16string o(original ? original : u""), r(restored ? restored : u"");
    CSEDB_RSTMAPW map[1] = {{original ? o.data() : nullptr, restored ? r.data() : nullptr}};
    bool any = original != nullptr || restored != nullptr;
    auto fn = throughFile ? CertSrvRestoreRegisterThroughFile : CertSrvRestoreRegisterW;
    return fn(hbc, checkpoint, logs, any ? map : nullptr, any ? 1 : 0, backupLogs, genLow, genHigh);
}

std::string caRestoreFolder(const char *target, const char *name) {
    return TestRoot::local(target, (std::string("C:\\Restore\\") + name).c_str());
}

void copyCaLogs(const CaBackupSet &set, const char *target, const char *folderName) {
    std::string folder = caRestoreFolder(target, folderName);
    ASSERT_FALSE(folder.empty());
    makeDirs(folder);
    for (auto &name : listDir(folder)) removeFile(folder + "/" + name);
    for (uint32_t g = set.genLow; g <= set.genHigh; ++g) copyFile(set.logFile(g), folder + "/" + set.logName(g));
}

static ::testing::AssertionResult restoreCa(const CaBackupSet &set, const char *target, const char *folderName, bool full) {
    BOOL online = static_cast<BOOL>(kSentinel);
    HRESULT hr = caOnline(target, &online);
    if (hr != kRpcUnavailable)
        return ::testing::AssertionFailure() << "CertSrvIsServerOnlineW(" << target << ") = 0x" << std::hex << hr
                                             << ", expected 0x800706BA (stopped)";
    CaRestore r(target, full ? CSRESTORE_TYPE_FULL : 0);
    if (!r.ok()) return ::testing::AssertionFailure() << "CertSrvRestorePrepareW(" << target << ") = 0x" << std::hex << r.hr;
    std::u16string folder = u"C:\\Restore\\" + u16(folderName);
    hr = full ? r.registerOne(nullptr, nullptr, set.database.c_str(), kCaDatabaseW, folder.c_str(), set.genLow, set.genHigh)
              : r.registerOne(nullptr, nullptr, nullptr, nullptr, folder.c_str(), set.genLow, set.genHigh);
    if (hr != S_OK) return ::testing::AssertionFailure() << "CertSrvRestoreRegisterW = 0x" << std::hex << hr;
    if (full) copyFile(set.databaseFile(), TestRoot::local(target, kCaDatabase));
    copyCaLogs(set, target, folderName);
    if (::testing::Test::HasFatalFailure()) return ::testing::AssertionFailure() << "copying the files failed";
    if ((hr = r.complete(S_OK)) != S_OK)
        return ::testing::AssertionFailure() << "CertSrvRestoreRegisterComplete = 0x" << std::hex << hr;
    if ((hr = r.end()) != S_OK) return ::testing::AssertionFailure() << "CertSrvRestoreEnd = 0x" << std::hex << hr;
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult restoreCaFull(const CaBackupSet &set, const char *target, const char *folderName) {
    return restoreCa(set, target, folderName, true);
}

::testing::AssertionResult restoreCaIncremental(const CaBackupSet &set, const char *target, const char *folderName) {
    return restoreCa(set, target, folderName, false);
}

HRESULT caOnline(const char *server, BOOL *online) {
    std::u16string w = u16(server);
    BOOL f = static_cast<BOOL>(kSentinel);
    HRESULT hr = CertSrvIsServerOnlineW(w.c_str(), &f);
    if (hr == S_OK) {
        EXPECT_TRUE(f == TRUE || f == FALSE) << "CertSrvIsServerOnlineW(" << server << ") set " << f;
        *online = f;
    } else {
        EXPECT_EQ(f, static_cast<BOOL>(kSentinel)) << "CertSrvIsServerOnlineW(" << server << ") failed but set *pf";
    }
    return hr;
}

std::string caState(const char *server) {
    BOOL f = static_cast<BOOL>(kSentinel);
    HRESULT hr = caOnline(server, &f);
    if (hr == S_OK) return f == TRUE ? "running" : "paused";
    if (hr == kRpcUnavailable) return "stopped";
    ADD_FAILURE() << "CertSrvIsServerOnlineW(" << server << ") = 0x" << std::hex << hr;
    return "error";
}


uint32_t caCheckpointGeneration(const char *server) {
    std::vector<uint8_t> chk = readFile(TestRoot::local(server, "C:\\Windows\\System32\\CertLog\\edb.chk"));
    if (chk.size() < 4096) {
        ADD_FAILURE() << "edb.chk of " << server << " is " << chk.size() << " bytes";
        return 0;
    }
    return le32(chk.data() + 16);
}

std::vector<uint32_t> caLogGenerations(const char *server) {
    std::vector<uint32_t> out;
    for (auto &name : listDir(TestRoot::local(server, kCertLog)))
        if (uint32_t g = logGeneration(u16(name))) out.push_back(g);
    std::sort(out.begin(), out.end());
    return out;
}

std::string caLogFile(const char *server, uint32_t generation) {
    char name[64];
    snprintf(name, sizeof name, "C:\\Windows\\System32\\CertLog\\edb%05X.log", generation);
    return TestRoot::local(server, name);
}

void expectCaStartRefused(const char *ca, HRESULT code) {
    Tree before = snapshotTree(serverFolder(ca));
    HRESULT hr = WbStartServerA(ca);
    EXPECT_EQ(hr, code) << "starting " << ca << ": expected 0x" << std::hex << code << ", got 0x" << hr;
    EXPECT_EQ(caState(ca), "stopped");
    EXPECT_TRUE(sameTree(before, snapshotTree(serverFolder(ca)))) << "a refused start changed the files of " << ca;
}


// --- ESENT (Jet*) ------------------------------------------------------------------------------------

JetInst::JetInst(const char *name, bool initNow) {
    JET_INSTANCE made = 0;
    created = JetCreateInstanceA(&made, name);
    if (created != JET_errSuccess) return;
    h = made;
    live = true;
    if (initNow) init();
}

JET_ERR JetInst::init() {
    JET_INSTANCE x = h;
    initialized = JetInit(&x);
    EXPECT_EQ(x, h) << "JetInit changed the instance handle";
    return initialized;
}

JetInst::~JetInst() {
    if (live) {
        JET_ERR err = JetTerm2(h, JET_bitTermStopBackup);
        EXPECT_EQ(err, JET_errSuccess) << "JetTerm2(JET_bitTermStopBackup) at the end of the test";
    }
}

JET_ERR JetInst::term(JET_GRBIT grbit) {
    JET_ERR err = JetTerm2(h, grbit);
    if (err == JET_errSuccess) live = false;
    return err;
}

AlignedBuffer::AlignedBuffer(size_t bytes) : size(bytes) {
    p = static_cast<uint8_t *>(aligned_alloc(8192, (bytes + 8191) / 8192 * 8192 + 8192));
    EXPECT_NE(p, nullptr);
}

AlignedBuffer::~AlignedBuffer() { free(p); }

std::string eseDatabaseFile(const char *server) { return TestRoot::local(server, kEseDatabase); }
std::string eseLogDir(const char *server) { return TestRoot::local(server, kEseLogs); }
std::string eseCheckpointFile(const char *server) { return TestRoot::local(server, "C:\\ESE\\edb.chk"); }

std::string jetLogName(uint32_t generation) {
    char name[32];
    snprintf(name, sizeof name, "edb%05X.log", generation);
    return name;
}

std::string eseLogFile(const char *server, uint32_t generation) { return eseLogDir(server) + "/" + jetLogName(generation); }

std::vector<uint32_t> eseLogGenerations(const char *server) {
    std::vector<uint32_t> out;
    for (auto &name : listDir(eseLogDir(server)))
        if (uint32_t g = logGeneration(u16(name))) out.push_back(g);
    std::sort(out.begin(), out.end());
    return out;
}

uint32_t eseCheckpointGeneration(const char *server) {
    std::vector<uint8_t> chk = readFile(eseCheckpointFile(server));
    if (chk.size() < 4096) {
        ADD_FAILURE() << "edb.chk of " << server << " is " << chk.size() << " bytes";
        return 0;
    }
    return le32(chk.data() + 16);
}

uint32_t logGenerationA(const std::string &name) { return logGeneration(u16(name)); }

void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes) {
    EXPECT_TRUE(writeWhole(path, bytes)) << "writing " << path << ": " << strerror(errno);
}

JET_ERR jetList(JetListFnA fn, JET_INSTANCE inst, std::vector<std::string> *names) {
    std::vector<char> buf(65536, '\x55');
    uint32_t cb = kSentinel;
    JET_ERR err = fn(inst, buf.data(), static_cast<uint32_t>(buf.size()), &cb);
    names->clear();
    if (err != JET_errSuccess) {
        EXPECT_EQ(cb, kSentinel) << "a failed list call set *pcbActual";
        return err;
    }
    EXPECT_TRUE(parseListA(buf.data(), cb, names));
    return err;
}

JET_ERR jetAttachInfo(JET_INSTANCE inst, std::vector<std::string> *names) { return jetList(JetGetAttachInfoInstanceA, inst, names); }
JET_ERR jetLogInfo(JET_INSTANCE inst, std::vector<std::string> *names) { return jetList(JetGetLogInfoInstanceA, inst, names); }
JET_ERR jetTruncateLogInfo(JET_INSTANCE inst, std::vector<std::string> *names) {
    return jetList(JetGetTruncateLogInfoInstanceA, inst, names);
}

JET_ERR jetOpen(JET_INSTANCE inst, const std::string &name, uint64_t *size) {
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = kSentinel, hi = kSentinel;
    JET_ERR err = JetOpenFileInstanceA(inst, name.c_str(), &hf, &lo, &hi);
    if (err == JET_errSuccess) {
        EXPECT_EQ(hf, 0u) << "the handle of the open file is 0";
        if (size) *size = static_cast<uint64_t>(hi) << 32 | lo;
    } else {
        EXPECT_TRUE(hf == kSentinelHandle && lo == kSentinel && hi == kSentinel) << "a failed JetOpenFileInstanceA set its outputs";
    }
    return err;
}

JET_ERR jetReadAll(JET_INSTANCE inst, std::vector<uint8_t> *out, uint32_t chunk) {
    AlignedBuffer buf(chunk);
    for (;;) {
        uint32_t got = kSentinel;
        JET_ERR err = JetReadFileInstance(inst, 0, buf.p, chunk, &got);
        if (err != JET_errSuccess) {
            EXPECT_EQ(got, kSentinel) << "JetReadFileInstance failed (" << err << ") but set *pcbActual";
            return err;
        }
        if (got == 0) return JET_errSuccess;
        if (got > chunk) {
            ADD_FAILURE() << "JetReadFileInstance returned " << got << " bytes for a " << chunk << "-byte buffer";
            return kJetSentinelErr;
        }
        if (out) out->insert(out->end(), buf.p, buf.p + got);
    }
}

JET_ERR jetCopy(JET_INSTANCE inst, const std::string &name, std::vector<uint8_t> *out, uint32_t chunk) {
    uint64_t size = 0;
    JET_ERR err = jetOpen(inst, name, &size);
    if (err != JET_errSuccess) return err;
    out->clear();
    if ((err = jetReadAll(inst, out, chunk)) != JET_errSuccess) return err;
    EXPECT_EQ(out->size(), size) << "bytes read vs the size JetOpenFileInstanceA gave, " << name;
    return JetCloseFileInstance(inst, 0);
}

JET_ERR jetCopyLogs(JET_INSTANCE inst, const std::vector<std::string> &logs) {
    std::vector<uint8_t> bytes;
    for (auto &log : logs)
        if (JET_ERR err = jetCopy(inst, log, &bytes)) return err;
    return JET_errSuccess;
}

static std::string lastComponent(const std::string &path) {
    size_t slash = path.find_last_of("/\\");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

::testing::AssertionResult jetBackup(JET_INSTANCE inst, const std::string &dir, JetBackupSet *out, bool incremental,
                                     bool truncate, JET_GRBIT endGrbit) {
    makeDirs(dir);
    out->dir = dir;
    JET_ERR err = JetBeginExternalBackupInstance(inst, incremental ? JET_bitBackupIncremental : 0);
    if (err != JET_errSuccess) return ::testing::AssertionFailure() << "JetBeginExternalBackupInstance = " << err;
    auto fail = [&](const char *what, JET_ERR e) {
        JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort);
        return ::testing::AssertionFailure() << what << " = " << e;
    };
    std::vector<uint8_t> bytes;
    if (!incremental) {
        std::vector<std::string> dbs;
        if ((err = jetAttachInfo(inst, &dbs)) != JET_errSuccess) return fail("JetGetAttachInfoInstanceA", err);
        if (dbs.size() != 1) return fail("the number of databases listed", static_cast<JET_ERR>(dbs.size()));
        out->database = dbs[0];
        if ((err = jetCopy(inst, dbs[0], &bytes)) != JET_errSuccess) return fail("copying the database", err);
        if (!writeWhole(dir + "/" + lastComponent(dbs[0]), bytes)) return fail("writing the database copy", 0);
    }
    if ((err = jetLogInfo(inst, &out->logs)) != JET_errSuccess) return fail("JetGetLogInfoInstanceA", err);
    if (out->logs.empty()) return fail("an empty log list", 0);
    out->genLow = logGenerationA(out->logs.front());
    out->genHigh = logGenerationA(out->logs.back());
    if (out->genLow == 0 || out->genHigh < out->genLow || out->genHigh - out->genLow + 1 != out->logs.size())
        return fail("an odd log list, entries", static_cast<JET_ERR>(out->logs.size()));
    for (auto &log : out->logs) {
        if ((err = jetCopy(inst, log, &bytes)) != JET_errSuccess) return fail(("copying " + log).c_str(), err);
        if (!writeWhole(dir + "/" + lastComponent(log), bytes)) return fail("writing a log copy", 0);
    }
    if (truncate && (err = JetTruncateLogInstance(inst)) != JET_errSuccess) return fail("JetTruncateLogInstance", err);
    if ((err = JetEndExternalBackupInstance2(inst, endGrbit)) != JET_errSuccess)
        return ::testing::AssertionFailure() << "JetEndExternalBackupInstance2 = " << err;
    return ::testing::AssertionSuccess();
}

JET_ERR jetProbe(JET_INSTANCE inst) {
    uint32_t cb = kSentinel;
    return JetGetAttachInfoInstanceA(inst, nullptr, 0, &cb);
}

BkInfo bkinfoAt(const uint8_t *page, size_t offset) {
    BkInfo b;
    b.genLow = le32(page + offset + 16);
    b.genHigh = le32(page + offset + 20);
    for (size_t i = 0; i < 24; ++i)
        if (page[offset + i] != 0) b.zero = false;
    return b;
}

BkInfo databaseBkinfo(const char *server, size_t offset) {
    std::vector<uint8_t> file = readFile(eseDatabaseFile(server));
    if (file.size() < kPage) {
        ADD_FAILURE() << "the database of " << server << " has no header page";
        return BkInfo();
    }
    return bkinfoAt(file.data(), offset);
}

std::vector<StatusRecord> &statusCalls() {
    static std::vector<StatusRecord> calls;
    return calls;
}

JET_ERR JET_API recordStatus(JET_SESID, JET_SNP snp, JET_SNT snt, void *pv) {
    StatusRecord r{snp, snt};
    if (snt == JET_sntProgress && pv != nullptr) {
        const JET_SNPROG *p = static_cast<const JET_SNPROG *>(pv);
        r.cbStruct = p->cbStruct;
        r.done = p->cunitDone;
        r.total = p->cunitTotal;
    }
    statusCalls().push_back(r);
    return JET_errSuccess;
}

size_t countStatus(JET_SNT snt) {
    return static_cast<size_t>(
        std::count_if(statusCalls().begin(), statusCalls().end(), [&](const StatusRecord &r) { return r.snt == snt; }));
}

void inChild(const std::function<void()> &body, unsigned timeoutSeconds) {
    pid_t pid = forkChild([&] {
        alarm(timeoutSeconds);  // a hang kills the child, and the test fails
        body();
        fflush(nullptr);
        return ::testing::Test::HasFailure() ? 1 : 0;
    });
    ASSERT_GT(pid, 0);
    EXPECT_EQ(waitExit(pid), 0) << "the child process failed (its failures are printed above), or did not exit";
}

}  // namespace wbtest
