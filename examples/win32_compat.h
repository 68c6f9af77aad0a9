/*
 * win32_compat.h - the few <windows.h> calls the Certadm samples use, on Linux, so that
 * Microsoft's sample code compiles nearly as written. wbtypes.h (via certbcli.h) already gives
 * the Windows types (HRESULT, DWORD, WCHAR ...); this adds the loader and what else is missing:
 *
 *   LoadLibrary("Certadm.dll")     dlopen("libcertadm.so"): "X.dll" becomes "libx.so", found on
 *                                  LD_LIBRARY_PATH as Windows finds a DLL on its search path
 *   GetProcAddress(h, "Name")      dlsym(h, "Name"), as a function pointer (FARPROC)
 *   FreeLibrary(h)                 dlclose(h)
 *   GetLastError()                 the Win32 code of the last LoadLibrary/GetProcAddress failure
 *   MultiByteToWideChar, WideCharToMultiByte   CP_UTF8 only
 *   FAILED, SUCCEEDED, HRESULT_FROM_WIN32, E_HANDLE ...   as in winerror.h
 */
#ifndef WIN32_COMPAT_H
#define WIN32_COMPAT_H

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "wbtypes.h"

typedef void *HMODULE;
typedef HMODULE HINSTANCE;
typedef uint32_t UINT;
typedef BOOL *LPBOOL;
/* Windows: INT_PTR (WINAPI *)(). void (*)(void) is the type GCC lets one cast to any other
 * function pointer type without -Wcast-function-type, as the samples cast GetProcAddress. */
typedef void (*FARPROC)(void);

/* FAILED, SUCCEEDED and the E_* codes come from wbtypes.h. */
#define HRESULT_FROM_WIN32(x) ((HRESULT)(x) <= 0 ? (HRESULT)(x) : (HRESULT)(((x) & 0x0000FFFF) | 0x80070000))
#define ERROR_MOD_NOT_FOUND 126
#define ERROR_PROC_NOT_FOUND 127
#define CP_UTF8 65001

/*
 * GetLastError: Windows keeps a DWORD per thread; dlopen and dlsym report a string (dlerror).
 * The loader shims below store the Win32 code Windows would set, ERROR_MOD_NOT_FOUND (126) or
 * ERROR_PROC_NOT_FOUND (127), and GetLastError returns it. They do not call dlerror(), so a
 * program may still print dlerror()'s text right after a failure.
 */
static _Thread_local DWORD win32_compat_last_error;

static inline DWORD GetLastError(void) { return win32_compat_last_error; }

/* "Certadm.dll" -> "libcertadm.so"; a name with a '/' or ending in ".so" is passed as it is. */
static inline HMODULE LoadLibraryA(LPCSTR lpLibFileName) {
    char name[256];
    size_t n = strlen(lpLibFileName);
    if (strchr(lpLibFileName, '/') || (n > 3 && strcmp(lpLibFileName + n - 3, ".so") == 0)) {
        snprintf(name, sizeof name, "%s", lpLibFileName);
    } else {
        if (n > 4 && (strcmp(lpLibFileName + n - 4, ".dll") == 0 || strcmp(lpLibFileName + n - 4, ".DLL") == 0)) n -= 4;
        if (n > sizeof name - 7) n = sizeof name - 7;
        memcpy(name, "lib", 3);
        for (size_t i = 0; i < n; i++) {
            char c = lpLibFileName[i];
            name[3 + i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        memcpy(name + 3 + n, ".so", 4);
    }
    HMODULE module = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!module) win32_compat_last_error = ERROR_MOD_NOT_FOUND;
    return module;
}
#define LoadLibrary LoadLibraryA

static inline FARPROC GetProcAddress(HMODULE hModule, LPCSTR lpProcName) {
    void *symbol = dlsym(hModule, lpProcName);
    FARPROC proc;
    /* POSIX lets a dlsym result be used as a function pointer; ISO C has no cast for it. */
    _Static_assert(sizeof proc == sizeof symbol, "function and object pointers differ in size");
    memcpy(&proc, &symbol, sizeof proc);
    if (!symbol) win32_compat_last_error = ERROR_PROC_NOT_FOUND;
    return proc;
}

static inline BOOL FreeLibrary(HMODULE hLibModule) { return dlclose(hLibModule) == 0; }

/* UTF-8 -> UTF-16. cchWideChar 0: returns the size needed. cbMultiByte -1: up to and with the NUL. */
static inline int MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCSTR lpMultiByteStr, int cbMultiByte,
                                      LPWSTR lpWideCharStr, int cchWideChar) {
    const unsigned char *s = (const unsigned char *)lpMultiByteStr;
    size_t n = cbMultiByte < 0 ? strlen(lpMultiByteStr) + 1 : (size_t)cbMultiByte;
    int out = 0;
    (void)dwFlags;
    if (CodePage != CP_UTF8) return 0;
    for (size_t i = 0; i < n;) {
        uint32_t c = s[i++];
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (more) c &= 0x3Fu >> more;
        for (; more > 0 && i < n; more--) c = (c << 6) | (s[i++] & 0x3Fu);
        WCHAR units[2] = {(WCHAR)c, 0};
        int count = 1;
        if (c >= 0x10000) {
            units[0] = (WCHAR)(0xD800 + ((c - 0x10000) >> 10));
            units[1] = (WCHAR)(0xDC00 + ((c - 0x10000) & 0x3FF));
            count = 2;
        }
        for (int k = 0; k < count; k++, out++) {
            if (cchWideChar == 0) continue;
            if (out >= cchWideChar) return 0; /* ERROR_INSUFFICIENT_BUFFER */
            lpWideCharStr[out] = units[k];
        }
    }
    return out;
}

/* UTF-16 -> UTF-8, the same conventions. */
static inline int WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWSTR lpWideCharStr, int cchWideChar,
                                      LPSTR lpMultiByteStr, int cbMultiByte, LPCSTR lpDefaultChar,
                                      LPBOOL lpUsedDefaultChar) {
    size_t n = 0;
    int out = 0;
    (void)dwFlags, (void)lpDefaultChar, (void)lpUsedDefaultChar;
    if (CodePage != CP_UTF8) return 0;
    if (cchWideChar < 0) {
        while (lpWideCharStr[n]) n++;
        n++;
    } else {
        n = (size_t)cchWideChar;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t c = lpWideCharStr[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < n && lpWideCharStr[i + 1] >= 0xDC00 && lpWideCharStr[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (lpWideCharStr[++i] - 0xDC00u);
        }
        unsigned char bytes[4];
        int count = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        bytes[0] = (unsigned char)(count == 1 ? c : ((0xF00u >> count) & 0xF0u) | (c >> (6 * (count - 1))));
        for (int k = 1; k < count; k++) bytes[k] = (unsigned char)(0x80 | ((c >> (6 * (count - 1 - k))) & 0x3F));
        for (int k = 0; k < count; k++, out++) {
            if (cbMultiByte == 0) continue;
            if (out >= cbMultiByte) return 0;
            lpMultiByteStr[out] = (char)bytes[k];
        }
    }
    return out;
}

#endif /* WIN32_COMPAT_H */
