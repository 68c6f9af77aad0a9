/*
 * wbtypes.h - the Windows types the backup-client headers need, with Windows sizes.
 *
 * Windows is LLP64: LONG, ULONG, DWORD, HRESULT and BOOL are 32-bit there, while C `long` is
 * 64-bit on Linux (LP64). WCHAR is a UTF-16 code unit, while wchar_t is 32-bit on Linux. So the
 * types below are spelled with <stdint.h> widths, never with `long` or `wchar_t`.
 *
 * If a real <windows.h> (mingw-w64, for instance) was included first, its definitions win and
 * this header defines nothing that would clash.
 */
#ifndef WBTYPES_H
#define WBTYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define WB_BEGIN_DECLS extern "C" {
#define WB_END_DECLS }
#else
#define WB_BEGIN_DECLS
#define WB_END_DECLS
#endif

/* Every exported function: default visibility (the library hides everything else). */
#ifndef WB_API
#define WB_API __attribute__((visibility("default")))
#endif

#if !defined(_WINDOWS_) && !defined(_WINDEF_) && !defined(_WINNT_)

#ifndef WINAPI
#define WINAPI /* __stdcall matters only on 32-bit x86 Windows */
#endif
#ifndef VOID
#define VOID void
#endif
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif

typedef int32_t BOOL;
typedef uint8_t BYTE;
typedef char CHAR;
#ifdef __cplusplus
typedef char16_t WCHAR; /* so u"..." literals pass as LPCWSTR in C++ */
#else
typedef uint16_t WCHAR; /* C11 u"..." (char16_t == uint_least16_t) converts without a cast */
#endif
typedef uint16_t USHORT;
typedef int32_t LONG;
typedef uint32_t ULONG;
typedef uint32_t DWORD;
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG;
typedef void *PVOID;
typedef void *LPVOID;
typedef DWORD *PDWORD;
typedef DWORD *LPDWORD;
typedef ULONG *PULONG;
typedef BOOL *PBOOL;
typedef BYTE *PBYTE;
typedef CHAR *LPSTR;
typedef const CHAR *LPCSTR;
typedef WCHAR *LPWSTR;
typedef WCHAR *PWSTR;
typedef const WCHAR *LPCWSTR;
typedef const WCHAR *PCWSTR;

#ifndef _HRESULT_DEFINED
#define _HRESULT_DEFINED
typedef int32_t HRESULT;
#endif

typedef union _LARGE_INTEGER {
    __extension__ struct {
        DWORD LowPart;
        LONG HighPart;
    };
    struct {
        DWORD LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#endif /* no <windows.h> */

/* HRESULT tests and the COM codes Certadm returns (winerror.h values). */
#ifndef FAILED
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#endif
#ifndef SUCCEEDED
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#endif
#ifndef E_POINTER
#define E_POINTER ((HRESULT)0x80004003)
#endif
#ifndef E_FAIL
#define E_FAIL ((HRESULT)0x80004005)
#endif
#ifndef E_ACCESSDENIED
#define E_ACCESSDENIED ((HRESULT)0x80070005)
#endif
#ifndef E_HANDLE
#define E_HANDLE ((HRESULT)0x80070006)
#endif
#ifndef E_OUTOFMEMORY
#define E_OUTOFMEMORY ((HRESULT)0x8007000E)
#endif
#ifndef E_INVALIDARG
#define E_INVALIDARG ((HRESULT)0x80070057)
#endif
#ifndef RPC_S_SERVER_UNAVAILABLE
#define RPC_S_SERVER_UNAVAILABLE 1722
#endif
/* HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE): from Certadm, a CA that is stopped or not there. */
#define WB_HR_RPC_SERVER_UNAVAILABLE ((HRESULT)0x800706BA)

/* Success codes and the Win32 errors these APIs return raw (winerror.h values). */
#ifndef S_OK
#define S_OK ((HRESULT)0)
#endif
#ifndef S_FALSE
#define S_FALSE ((HRESULT)1)
#endif
#ifndef ERROR_SUCCESS
#define ERROR_SUCCESS 0
#endif
#ifndef ERROR_ACCESS_DENIED
#define ERROR_ACCESS_DENIED 5
#endif
#ifndef ERROR_NOT_ENOUGH_MEMORY
#define ERROR_NOT_ENOUGH_MEMORY 8
#endif
#ifndef ERROR_HANDLE_EOF
#define ERROR_HANDLE_EOF 38
#endif
#ifndef ERROR_INVALID_PARAMETER
#define ERROR_INVALID_PARAMETER 87
#endif
#ifndef RPC_S_INVALID_BINDING
#define RPC_S_INVALID_BINDING 1702
#endif
#ifndef RPC_S_ALREADY_LISTENING
#define RPC_S_ALREADY_LISTENING 1713
#endif

#endif /* WBTYPES_H */
