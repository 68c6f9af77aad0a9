/* certsrv_files.c - the helpers of certsrv_files.h: ordinary C and POSIX, nothing from Certadm. */
#include "certsrv_files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "win32_compat.h"

void to_utf16(const char *in, WCHAR *out, size_t cap) {
    if (MultiByteToWideChar(CP_UTF8, 0, in, -1, out, (int)cap) == 0) out[0] = 0;
}

void to_utf8(const WCHAR *in, char *out, size_t cap) {
    if (WideCharToMultiByte(CP_UTF8, 0, in, -1, out, (int)cap, NULL, NULL) == 0) out[0] = 0;
}

const WCHAR *next_entry(const WCHAR *entry) {
    while (*entry) entry++;
    entry++;
    return *entry ? entry : NULL;
}

const char *base_name(const char *windows_path) {
    const char *slash = strrchr(windows_path, '\\');
    return slash ? slash + 1 : windows_path;
}

int unc_to_drive(const char *unc, char *out, size_t cap) {
    /* \\server\X$\rest */
    const char *share = unc[0] == '\\' && unc[1] == '\\' ? strchr(unc + 2, '\\') : NULL;
    if (!share || !share[1] || share[2] != '$' || (share[3] != '\\' && share[3] != 0)) return 0;
    return snprintf(out, cap, "%c:%s", share[1], share[3] ? share + 3 : "\\") < (int)cap;
}

unsigned log_generation(const char *name) {
    unsigned generation = 0;
    char tail[8] = "";
    const char *base = base_name(name);
    if (strlen(base) != 12 || sscanf(base, "edb%5x%7s", &generation, tail) != 2 || strcmp(tail, ".log") != 0) return 0;
    return generation;
}

int local_path(FNWBRESOLVEPATHW *resolve, const char *server, const char *path, char *out, size_t cap) {
    WCHAR wserver[256], wpath[1024], wlocal[4096];
    DWORD needed = 0;
    to_utf16(server, wserver, sizeof wserver / sizeof wserver[0]);
    to_utf16(path, wpath, sizeof wpath / sizeof wpath[0]);
    HRESULT hr = resolve(wserver, wpath, wlocal, sizeof wlocal / sizeof wlocal[0], &needed);
    if (hr != S_OK) {
        printf("WbResolvePathW(%s, %s) failed [%x]\n", server, path, (unsigned)hr);
        return 0;
    }
    to_utf8(wlocal, out, cap);
    return out[0] != 0;
}

int make_dirs(const char *path) {
    char partial[4096];
    size_t n = strlen(path);
    if (n >= sizeof partial) return 0;
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != 0) continue;
        memcpy(partial, path, i);
        partial[i] = 0;
        if (mkdir(partial, 0755) != 0 && errno != EEXIST) {
            printf("cannot create %s: %s\n", partial, strerror(errno));
            return 0;
        }
    }
    return 1;
}

long long copy_file(const char *from, const char *to) {
    static char buffer[65536];
    FILE *in = fopen(from, "rb");
    remove(to);
    FILE *out = in ? fopen(to, "wb") : NULL;
    long long total = 0;
    int ok = in && out;
    size_t got;
    while (ok && (got = fread(buffer, 1, sizeof buffer, in)) > 0) {
        ok = fwrite(buffer, 1, got, out) == got;
        total += (long long)got;
    }
    if (in && ferror(in)) ok = 0;
    if (in) fclose(in);
    if (out && fclose(out) != 0) ok = 0;
    if (!ok) {
        printf("cannot copy %s to %s: %s\n", from, to, strerror(errno));
        return -1;
    }
    return total;
}
