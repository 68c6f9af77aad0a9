// The stress test's figures, result classification and small helpers (docs/HARDENING.md "Stress").
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stress.h"

namespace stress {

Options opt;

int processIndex() { return opt.child < 0 ? 0 : opt.child; }
uint64_t processSeed() { return opt.seed + uint64_t(processIndex()) * 0x9E3779B97F4A7C15ull; }

Stats stats;

std::string hex(uint64_t v) {
    char b[24];
    snprintf(b, sizeof b, "0x%08" PRIX64, v);
    return b;
}

std::string codeName(Api api, int64_t code) {
    if (api == Api::Jet) {
        switch (code) {
        case 0: return "JET_errSuccess";
        case -505: return "JET_errBackupInProgress";
        case -520: return "JET_errNoBackup";
        case -521: return "JET_errInvalidBackupSequence";
        case -801: return "JET_errBackupAbortByServer";
        case -1003: return "JET_errInvalidParameter";
        case -1011: return "JET_errOutOfMemory";
        case -1018: return "JET_errReadVerifyFailure";
        case -1029: return "JET_errNotInitialized";
        case -1202: return "JET_errDatabaseInUse";
        default: return "JET_err " + std::to_string(code);
        }
    }
    switch (static_cast<HRESULT>(code)) {
    case S_OK: return "S_OK";
    case 5: return "ERROR_ACCESS_DENIED";
    case 38: return "ERROR_HANDLE_EOF";
    case 87: return "ERROR_INVALID_PARAMETER";
    case E_HANDLE: return "E_HANDLE";
    case hrBackupInProgress: return "hrBackupInProgress";
    case hrInvalidHandle: return "hrInvalidHandle";
    case hrNoBackup: return "hrNoBackup";
    case hrInvalidBackupSequence: return "hrInvalidBackupSequence";
    case hrAlreadyOpen: return "hrAlreadyOpen";
    case hrCouldNotConnect: return "hrCouldNotConnect";
    case hrRestoreInProgress: return "hrRestoreInProgress";
    case hrDatabaseInUse: return "hrDatabaseInUse";
    case hrMissingLogFile: return "hrMissingLogFile";
    case hrMissingFullBackup: return "hrMissingFullBackup";
    case hrNoFullRestore: return "hrNoFullRestore";
    case WB_HR_BACKUP_ABORT_BY_SERVER: return "WB_HR_BACKUP_ABORT_BY_SERVER";
    case WB_HR_LOG_FILE_NOT_COPIED: return "WB_HR_LOG_FILE_NOT_COPIED";
    case WB_HR_MISSING_FILE_TO_BACKUP: return "WB_HR_MISSING_FILE_TO_BACKUP";
    default: return hex(static_cast<uint32_t>(code));
    }
}

// Classifies `code` from `call`: success, one of `expected` (counted by name), or unexpected
// (counted and described with `context`).
Verdict classify(Api api, const char *call, int64_t code, const std::vector<int64_t> &expected,
                 const std::string &context) {
    stats.calls.fetch_add(1, std::memory_order_relaxed);
    if (code == 0) return Verdict::Ok;
    std::string key = std::string(call) + ": " + codeName(api, code);
    for (int64_t e : expected)
        if (e == code) {
            stats.code(key);
            return Verdict::Expected;
        }
    stats.code(key + " (UNEXPECTED)");
    stats.bad(key + " - " + context);
    return Verdict::Unexpected;
}

// --- small helpers ---------------------------------------------------------------------------------

std::u16string u16(const std::string &s) { return std::u16string(s.begin(), s.end()); }  // ASCII only
std::string u8(const std::u16string &s) {
    std::string out;
    for (char16_t c : s) out += c < 0x80 ? static_cast<char>(c) : '?';
    return out;
}

// The entries of a returned W multi-string (cb bytes, a final NUL).
std::vector<std::u16string> splitW(const WCHAR *list, DWORD cb) {
    std::vector<std::u16string> out;
    size_t n = cb / 2, i = 0;
    while (list && i < n && list[i] != 0) {
        std::u16string e;
        while (i < n && list[i] != 0) e += list[i++];
        out.push_back(e);
        ++i;
    }
    return out;
}

std::vector<std::string> splitA(const char *list, size_t cb) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < cb && list[i] != 0) {
        std::string e;
        while (i < cb && list[i] != 0) e += list[i++];
        out.push_back(e);
        ++i;
    }
    return out;
}

std::vector<std::string> splitW8(const WCHAR *list, DWORD cb) {
    std::vector<std::string> out;
    for (auto &e : splitW(list, cb)) {
        // The type character as the A forms give it (one byte: 0x82, 0x83 too), then ASCII.
        std::string s;
        for (char16_t c : e) s += c < 0x100 ? static_cast<char>(c) : '?';
        out.push_back(s);
    }
    return out;
}

uint32_t generationOf(const std::string &name) {  // "...edbXXXXX.log" -> XXXXX, else 0
    size_t slash = name.find_last_of("\\/");
    std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    if (base.size() != 12 || base.compare(0, 3, "edb") != 0 || base.compare(8, 4, ".log") != 0) return 0;
    return static_cast<uint32_t>(strtoul(base.substr(3, 5).c_str(), nullptr, 16));
}

std::string baseName(const std::string &path) {
    size_t slash = path.find_last_of("\\/");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string logName(uint32_t g) {
    char b[16];
    snprintf(b, sizeof b, "edb%05X.log", g);
    return b;
}

bool writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(f);
}

bool copyFile(const std::string &from, const std::string &to) {
    std::error_code ec;
    fs::remove(to, ec);  // a restore deletes each destination first
    return fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec) && !ec;
}

// WbResolvePathA of a path on a server ("" on failure); a path that does not exist yet resolves too.
std::string local(const std::string &server, const char *path) {
    char buf[4096];
    DWORD need = 0;
    HRESULT hr = WbResolvePathA(server.c_str(), path, buf, sizeof buf, &need);
    return hr == S_OK ? std::string(buf) : std::string();
}

std::string logDigest(const std::string &file, HRESULT *hr) {
    char d[65] = {};
    *hr = WbReadLogDigestA(file.c_str(), d, sizeof d);
    return *hr == S_OK ? std::string(d) : std::string();
}

std::string contentDigest(const std::string &server, HRESULT *hr) {
    char d[65] = {};
    *hr = WbGetContentDigestA(server.c_str(), d, sizeof d);
    return *hr == S_OK ? std::string(d) : std::string();
}

const char *roleName(Role r) { return r == Role::Ntds ? "ntds" : r == Role::Ca ? "certsrv" : "ese"; }

std::vector<std::unique_ptr<Server>> servers;
std::string rootDir;
std::mutex liveMutex;
std::vector<std::shared_ptr<Session>> live;
std::deque<std::pair<Role, void *>> retired;
std::deque<JET_INSTANCE> staleInstances;
std::atomic<bool> running{true};

bool mapShared(bool fresh) {
    std::string path = rootDir + "/stress.shared";
    size_t size = sizeof(SharedServer) * kMaxServers;
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | (fresh ? O_TRUNC : 0), 0644);
    if (fd < 0) return false;
    void *p = ftruncate(fd, off_t(size)) == 0 ? mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd);
    if (p == MAP_FAILED) return false;
    auto *page = static_cast<SharedServer *>(p);  // zero bytes are zero counters
    for (auto &s : servers) s->sh = &page[s->id];
    return true;
}
Clock::time_point deadline;

std::shared_ptr<Session> enlist(Role role, Server *s, void *handle, JET_INSTANCE inst) {
    auto e = std::make_shared<Session>();
    e->role = role;
    e->server = s;
    e->handle = handle;
    e->inst = inst;
    std::lock_guard<std::mutex> g(liveMutex);
    live.push_back(e);
    return e;
}

void retire(const std::shared_ptr<Session> &e) {
    std::lock_guard<std::mutex> g(liveMutex);
    live.erase(std::remove(live.begin(), live.end(), e), live.end());
    if (e->role != Role::Ese) {
        retired.emplace_back(e->role, e->handle);
        if (retired.size() > 256) retired.pop_front();
    }
}

}  // namespace stress
