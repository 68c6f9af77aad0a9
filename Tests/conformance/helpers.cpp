#include "helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

}  // namespace wbtest
