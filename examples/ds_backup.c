/*
 * ds_backup.c - an Active Directory backup agent written for Windows' Ntdsbcli.dll, run on
 * Linux against libntdsbcli.so. It uses no winbackup header: only the prototypes of Microsoft's
 * documentation and the Windows types they use, declared below as a Windows program gets them
 * from <windows.h>. The loader calls are the only lines that differ from the Windows program.
 *
 *   ds_backup SERVER OUTDIR [--truncate]
 *
 * It follows Microsoft's "Backing Up an Active Directory Server" steps: DsIsNTDSOnline,
 * DsBackupPrepare, DsBackupGetDatabaseNames, for each database DsBackupOpenFile / DsBackupRead /
 * DsBackupClose, DsBackupGetBackupLogs and the same for each log, DsBackupTruncateLogs (with
 * --truncate), DsBackupFree for every buffer, DsBackupEnd. It saves the expiry token too.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- what <windows.h> would provide (Windows sizes: LONG and DWORD are 32-bit) ---- */
typedef int32_t HRESULT;
typedef uint32_t DWORD;
typedef uint32_t ULONG;
typedef int32_t BOOL;
typedef uint16_t WCHAR;
typedef void *PVOID;
typedef void *HBC;
typedef WCHAR *LPWSTR;
typedef const WCHAR *LPCWSTR;
typedef DWORD *LPDWORD;
typedef DWORD *PDWORD;
typedef union {
    struct {
        DWORD LowPart;
        int32_t HighPart;
    } u;
    int64_t QuadPart;
} LARGE_INTEGER;
typedef void *HMODULE;
#define WINAPI
#define S_OK 0
#define ERROR_HANDLE_EOF 38
#define SUCCEEDED(hr) ((HRESULT)(hr) >= 0)
#define LoadLibraryA(name) dlopen((name), RTLD_NOW | RTLD_LOCAL)
#define GetProcAddress(module, name) dlsym((module), (name))
#define FreeLibrary(module) dlclose(module)

/* ---- ntdsbcli.h, as documented ---- */
#define BACKUP_TYPE_FULL 0x01
#define BFT_NTDS_DATABASE 0x44
#define BFT_LOG 0x21

typedef HRESULT(WINAPI *PFN_DsIsNTDSOnlineW)(LPCWSTR szServerName, BOOL *pfNTDSOnline);
typedef HRESULT(WINAPI *PFN_DsBackupPrepareW)(LPCWSTR szBackupServer, ULONG grbit, ULONG btFlag,
                                              PVOID *ppvExpiryToken, LPDWORD pcbExpiryTokenSize, HBC *phbc);
typedef HRESULT(WINAPI *PFN_DsBackupGetDatabaseNamesW)(HBC hbc, LPWSTR *pszAttachmentInfo, LPDWORD pcbSize);
typedef HRESULT(WINAPI *PFN_DsBackupOpenFileW)(HBC hbc, LPCWSTR szAttachmentName, DWORD cbReadHintSize,
                                               LARGE_INTEGER *pliFileSize);
typedef HRESULT(WINAPI *PFN_DsBackupRead)(HBC hbc, PVOID pvBuffer, DWORD cbBuffer, PDWORD pcbRead);
typedef HRESULT(WINAPI *PFN_DsBackupClose)(HBC hbc);
typedef HRESULT(WINAPI *PFN_DsBackupGetBackupLogsW)(HBC hbc, LPWSTR *pszBackupLogFiles, LPDWORD pcbSize);
typedef HRESULT(WINAPI *PFN_DsBackupTruncateLogs)(HBC hbc);
typedef HRESULT(WINAPI *PFN_DsBackupEnd)(HBC hbc);
typedef void(WINAPI *PFN_DsBackupFree)(PVOID pvBuffer);

static struct {
    PFN_DsIsNTDSOnlineW IsNTDSOnline;
    PFN_DsBackupPrepareW Prepare;
    PFN_DsBackupGetDatabaseNamesW GetDatabaseNames;
    PFN_DsBackupOpenFileW OpenFile;
    PFN_DsBackupRead Read;
    PFN_DsBackupClose Close;
    PFN_DsBackupGetBackupLogsW GetBackupLogs;
    PFN_DsBackupTruncateLogs TruncateLogs;
    PFN_DsBackupEnd End;
    PFN_DsBackupFree Free;
} Ds;

#define READ_SIZE (1024 * 1024) /* a multiple of 8192, at least 24576 */

static int load(HMODULE module) {
    struct {
        const char *name;
        void **slot;
    } table[] = {
        {"DsIsNTDSOnlineW", (void **)&Ds.IsNTDSOnline},
        {"DsBackupPrepareW", (void **)&Ds.Prepare},
        {"DsBackupGetDatabaseNamesW", (void **)&Ds.GetDatabaseNames},
        {"DsBackupOpenFileW", (void **)&Ds.OpenFile},
        {"DsBackupRead", (void **)&Ds.Read},
        {"DsBackupClose", (void **)&Ds.Close},
        {"DsBackupGetBackupLogsW", (void **)&Ds.GetBackupLogs},
        {"DsBackupTruncateLogs", (void **)&Ds.TruncateLogs},
        {"DsBackupEnd", (void **)&Ds.End},
        {"DsBackupFree", (void **)&Ds.Free},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        *table[i].slot = GetProcAddress(module, table[i].name);
        if (!*table[i].slot) {
            fprintf(stderr, "GetProcAddress(%s) failed\n", table[i].name);
            return 0;
        }
    }
    return 1;
}

/* ASCII to UTF-16, enough for server names. */
static void widen(const char *in, WCHAR *out, size_t cap) {
    size_t i = 0;
    for (; in[i] && i + 1 < cap; i++) out[i] = (WCHAR)(unsigned char)in[i];
    out[i] = 0;
}

/* UTF-16 to ASCII for printing (other characters become '?'). */
static void narrow(const WCHAR *in, char *out, size_t cap) {
    size_t i = 0;
    for (; in[i] && i + 1 < cap; i++) out[i] = in[i] < 128 ? (char)in[i] : '?';
    out[i] = 0;
}

static int save(const char *dir, const char *name, const void *bytes, size_t size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, size, f) != size) {
        fprintf(stderr, "cannot write %s\n", path);
        if (f) fclose(f);
        return 0;
    }
    return fclose(f) == 0;
}

/* DsBackupOpenFile, DsBackupRead until ERROR_HANDLE_EOF, DsBackupClose: one listed file. */
static int copy_file(HBC hbc, const WCHAR *name, const char *dir, unsigned long long *total) {
    char printable[1024], path[4096];
    narrow(name, printable, sizeof printable);
    const char *base = strrchr(printable, '\\') ? strrchr(printable, '\\') + 1 : printable;
    snprintf(path, sizeof path, "%s/%s", dir, base);

    LARGE_INTEGER size;
    HRESULT hr = Ds.OpenFile(hbc, name, READ_SIZE, &size);
    if (hr != S_OK) {
        fprintf(stderr, "DsBackupOpenFile(%s) failed: 0x%08X\n", printable, (unsigned)hr);
        return 0;
    }
    FILE *out = fopen(path, "wb");
    void *buffer = malloc(READ_SIZE);
    long long done = 0;
    int ok = out && buffer;
    while (ok) {
        DWORD got = 0;
        hr = Ds.Read(hbc, buffer, READ_SIZE, &got);
        if (hr == ERROR_HANDLE_EOF) break;
        if (hr != S_OK) {
            fprintf(stderr, "DsBackupRead(%s) failed at %lld: 0x%08X\n", printable, done, (unsigned)hr);
            ok = 0;
            break;
        }
        ok = fwrite(buffer, 1, got, out) == got;
        done += got;
    }
    free(buffer);
    if (out && fclose(out) != 0) ok = 0;
    hr = Ds.Close(hbc);
    if (ok && hr != S_OK) {
        fprintf(stderr, "DsBackupClose(%s) failed: 0x%08X\n", printable, (unsigned)hr);
        ok = 0;
    }
    if (ok && done != size.QuadPart) {
        fprintf(stderr, "%s: read %lld bytes, expected %lld\n", printable, done, (long long)size.QuadPart);
        ok = 0;
    }
    if (ok) {
        printf("  %-48s %12lld bytes\n", printable, done);
        *total += (unsigned long long)done;
    }
    return ok;
}

/* Copies every file of a BFT-prefixed multi-string list. */
static int copy_list(HBC hbc, const WCHAR *list, DWORD cb, WCHAR want, const char *dir, int *files,
                     unsigned long long *total) {
    const WCHAR *p = list, *end = list + cb / sizeof(WCHAR);
    while (p < end && *p) {
        if (*p != want) {
            fprintf(stderr, "unexpected type character 0x%02X\n", *p);
            return 0;
        }
        if (!copy_file(hbc, p + 1, dir, total)) return 0; /* the BFT character is not part of the name */
        (*files)++;
        while (*p) p++;
        p++;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s SERVER OUTDIR [--truncate]\n", argv[0]);
        return 2;
    }
    int truncate = argc > 3 && strcmp(argv[3], "--truncate") == 0;
    const char *dir = argv[2];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "cannot create %s\n", dir);
        return 1;
    }
    const char *library = getenv("NTDSBCLI_LIBRARY") ? getenv("NTDSBCLI_LIBRARY") : "libntdsbcli.so";
    HMODULE module = LoadLibraryA(library);
    if (!module) {
        fprintf(stderr, "LoadLibrary(%s) failed: %s\n", library, dlerror());
        return 1;
    }
    if (!load(module)) return 1;

    WCHAR server[256];
    widen(argv[1], server, 256);
    BOOL online = 0;
    HRESULT hr = Ds.IsNTDSOnline(server, &online);
    if (hr != S_OK || !online) {
        fprintf(stderr, "DsIsNTDSOnline: 0x%08X, online %d: the DS must be running\n", (unsigned)hr, online);
        return 1;
    }

    PVOID token = NULL;
    DWORD cbToken = 0;
    HBC hbc = NULL;
    hr = Ds.Prepare(server, 0, BACKUP_TYPE_FULL, &token, &cbToken, &hbc);
    if (hr != S_OK) {
        fprintf(stderr, "DsBackupPrepare failed: 0x%08X\n", (unsigned)hr);
        return 1;
    }
    int ok = save(dir, "expiry-token.bin", token, cbToken);
    Ds.Free(token);
    printf("backing up %s: expiry token %u bytes\n", argv[1], (unsigned)cbToken);

    int files = 0;
    unsigned long long total = 0;
    LPWSTR list = NULL;
    DWORD cb = 0;
    if (ok) {
        hr = Ds.GetDatabaseNames(hbc, &list, &cb);
        ok = hr == S_OK && copy_list(hbc, list, cb, BFT_NTDS_DATABASE, dir, &files, &total);
        if (hr != S_OK) fprintf(stderr, "DsBackupGetDatabaseNames failed: 0x%08X\n", (unsigned)hr);
        Ds.Free(list);
    }
    if (ok) {
        list = NULL;
        hr = Ds.GetBackupLogs(hbc, &list, &cb);
        ok = hr == S_OK && copy_list(hbc, list, cb, BFT_LOG, dir, &files, &total);
        if (hr != S_OK) fprintf(stderr, "DsBackupGetBackupLogs failed: 0x%08X\n", (unsigned)hr);
        Ds.Free(list);
    }
    if (ok && truncate) {
        hr = Ds.TruncateLogs(hbc);
        if (hr != S_OK) fprintf(stderr, "DsBackupTruncateLogs failed: 0x%08X\n", (unsigned)hr);
        ok = hr == S_OK;
    }
    hr = Ds.End(hbc); /* after success and failure alike */
    if (hr != S_OK) fprintf(stderr, "DsBackupEnd failed: 0x%08X\n", (unsigned)hr);
    FreeLibrary(module);
    if (!ok) {
        printf("backup FAILED\n");
        return 1;
    }
    printf("backup complete: %d files, %llu bytes%s\n", files, total, truncate ? ", logs truncated" : "");
    return 0;
}
