/*
 * certsrv_backup_end.c - Microsoft's sample for CertSrvBackupEnd ("CertSrvBackupEnd function",
 * learn.microsoft.com), run on Linux: end_backup() below is the documented body as written.
 * win32_compat.h supplies LoadLibrary, GetProcAddress, GetLastError and FreeLibrary.
 *
 *   certsrv_backup_end SERVER
 *
 * Around the sample: LoadLibrary("Certadm.dll") (libcertadm.so), CertSrvIsServerOnline,
 * CertSrvBackupPrepare (the hCSBC the sample ends), the sample, then what ending did: the old
 * context is dead (a second CertSrvBackupEnd is E_HANDLE) and the CA, which takes one backup at
 * a time, accepts a new one. FreeLibrary. Exits 1 on any failure.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "certbcli.h"
#include "win32_compat.h"

/* The sample, from "FNCERTSRVBACKUPEND* pfnBackupEnd;" to its end; only the function around it
 * is ours. hInst and hCSBC are what its comments say they are. */
static void end_backup(HINSTANCE hInst, HCSBC hCSBC) {
    FNCERTSRVBACKUPEND* pfnBackupEnd;
    char * szBackEndFunc = "CertSrvBackupEnd";
    HRESULT    hr=0;

    // Get the address for the desired function.
    // hInst was set by calling LoadLibrary for Certadm.dll.
    pfnBackupEnd = (FNCERTSRVBACKUPEND*)GetProcAddress(hInst, szBackEndFunc);
    if ( NULL == pfnBackupEnd )
    {
        printf("Failed GetProcAddress - %s, error=%d\n", szBackEndFunc, GetLastError() );
        exit(1); // Or other appropriate error action.
    }
    // End the backup.
    // hCSBC was set by an earlier call to CertSrvBackupPrepare.
    hr = pfnBackupEnd(hCSBC);
    if (FAILED(hr))
    {
        printf("Failed pfnBackupEnd call [%x]\n", hr);
        exit(1); // Or other appropriate error action.
    }
}

/* The same pattern for the functions the sample needs before it. */
static FARPROC get_proc(HINSTANCE hInst, const char *name) {
    FARPROC proc = GetProcAddress(hInst, name);
    if (NULL == proc) {
        printf("Failed GetProcAddress - %s, error=%d\n", name, GetLastError());
        exit(1);
    }
    return proc;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SERVER\n", argv[0]);
        return 2;
    }
    HINSTANCE hInst = LoadLibrary("Certadm.dll");
    if (NULL == hInst) {
        /* GetLastError says ERROR_MOD_NOT_FOUND (126); dlerror() says why. */
        printf("Failed LoadLibrary - Certadm.dll, error=%d (%s)\n", GetLastError(), dlerror());
        return 1;
    }
    FNCERTSRVISSERVERONLINEW *pfnIsServerOnline =
        (FNCERTSRVISSERVERONLINEW *)get_proc(hInst, "CertSrvIsServerOnlineW");
    FNCERTSRVBACKUPPREPAREW *pfnBackupPrepare = (FNCERTSRVBACKUPPREPAREW *)get_proc(hInst, "CertSrvBackupPrepareW");
    FNCERTSRVBACKUPEND *pfnBackupEnd = (FNCERTSRVBACKUPEND *)get_proc(hInst, "CertSrvBackupEnd");

    WCHAR wszServer[256]; /* UTF-16: WCHAR is 16-bit, unlike Linux's wchar_t */
    if (0 == MultiByteToWideChar(CP_UTF8, 0, argv[1], -1, wszServer, sizeof wszServer / sizeof wszServer[0])) return 2;

    BOOL fServerOnline = FALSE;
    HRESULT hr = pfnIsServerOnline(wszServer, &fServerOnline);
    if (FAILED(hr)) {
        printf("Failed CertSrvIsServerOnline(%s) call [%x]\n", argv[1], hr);
        return 1;
    }
    printf("CertSrvIsServerOnline(%s): S_OK, %s\n", argv[1], fServerOnline ? "running" : "paused");

    HCSBC hCSBC = NULL;
    hr = pfnBackupPrepare(wszServer, 0, CSBACKUP_TYPE_FULL, &hCSBC);
    if (FAILED(hr)) {
        printf("Failed CertSrvBackupPrepare call [%x]\n", hr);
        return 1;
    }
    printf("CertSrvBackupPrepare: S_OK, backup context %p\n", hCSBC);

    end_backup(hInst, hCSBC); /* the documented sample; it exits on failure */
    printf("CertSrvBackupEnd: S_OK, the backup is ended\n");

    /* What ending did: the context is gone, and the CA takes a new backup. */
    hr = pfnBackupEnd(hCSBC);
    printf("CertSrvBackupEnd again on %p: [%x]%s\n", hCSBC, hr, hr == E_HANDLE ? " E_HANDLE, as it should" : "");
    HCSBC hNext = NULL;
    HRESULT hrNext = pfnBackupPrepare(wszServer, 0, CSBACKUP_TYPE_FULL, &hNext);
    printf("a new CertSrvBackupPrepare: [%x]%s\n", hrNext, hrNext == S_OK ? " S_OK, the CA was free again" : "");
    if (SUCCEEDED(hrNext)) pfnBackupEnd(hNext);

    FreeLibrary(hInst);
    return hr == E_HANDLE && hrNext == S_OK ? 0 : 1;
}
