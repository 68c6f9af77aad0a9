/*
 * certbcli.h - the Certificate Services backup and restore client API (Windows: Certadm.dll), as
 * exported by libwinbackup.so (also reachable as libcertadm.so).
 *
 * The 18 functions, their FN* types (for GetProcAddress/dlsym), the CSBFT_* type characters and
 * the flags, with Windows' names and values; only wide (W) forms exist, as on Windows. Defining
 * _CERTBCLI_TYPECHECK before including this header a second time checks every prototype against
 * its FN type.
 *
 * The server a call names is an emulated certification authority: `winbackupctl server create
 * CA01 --role certsrv [--ca-name NAME]`. Its database is C:\Windows\System32\CertLog\<CA>.edb
 * with its logs and checkpoint; the CRL and the CA certificate are in ...\CertSrv\CertEnroll.
 * A CA is running, paused (running, not issuing) or stopped.
 *
 * Backup, in order (Microsoft's "Backing Up Certificate Services"): CertSrvIsServerOnline ->
 * CertSrvBackupPrepare -> CertSrvRestoreGetDatabaseLocations (keep them with the backup) ->
 * CertSrvBackupGetDatabaseNames -> for each: OpenFile (without its CSBFT character), Read until
 * it returns 0 bytes, Close -> CertSrvBackupGetBackupLogs -> the same -> CertSrvBackupTruncateLogs
 * (optional) -> CertSrvBackupGetDynamicFileList (copy those by ordinary means) -> CertSrvBackupEnd
 * -> CertSrvBackupFree each buffer.
 *
 * Results are HRESULTs: S_OK; E_POINTER (0x80004003) for a NULL pointer, E_INVALIDARG
 * (0x80070057) for a bad argument, E_HANDLE (0x80070006) for a bad context handle,
 * E_ACCESSDENIED (0x80070005), E_OUTOFMEMORY (0x8007000E), RPC_S_SERVER_UNAVAILABLE as an HRESULT
 * (0x800706BA) for a CA that is not running or not there, and 0xC8000000 | -JET_err for an
 * engine error (ntdsbmsg.h names many: hrBackupInProgress, hrMissingFullBackup ...).
 * On failure, out-parameters keep their values.
 *
 * Threading: any thread; calls on one HCSBC are serialised. One backup of a CA at a time, across
 * all processes.
 */
#ifdef _CERTBCLI_TYPECHECK
#undef __CERTBCLI_H__
#endif

#ifndef __CERTBCLI_H__
#define __CERTBCLI_H__

#include "wbtypes.h"

WB_BEGIN_DECLS

#ifndef CERTBCLI_CALL
#define CERTBCLI_CALL WINAPI
#endif
#ifndef CERTBCLI_API
#define CERTBCLI_API CERTBCLI_CALL
#endif
#ifndef RPC_STRING
#define RPC_STRING
#endif

#define szBACKUPANNOTATION "Cert Server Backup Interface"
#define wszBACKUPANNOTATION u"Cert Server Backup Interface"
#define szRESTOREANNOTATION "Cert Server Restore Interface"
#define wszRESTOREANNOTATION u"Cert Server Restore Interface"

/* CertSrvBackupPrepare dwBackupFlags. */
#define CSBACKUP_TYPE_FULL 0x00000001
#define CSBACKUP_TYPE_LOGS_ONLY 0x00000002 /* incremental: the logs since the last full backup */
#define CSBACKUP_TYPE_MASK 0x00000003

/* CertSrvRestorePrepare dwRestoreFlags. */
#define CSRESTORE_TYPE_FULL 0x00000001   /* else incremental */
#define CSRESTORE_TYPE_ONLINE 0x00000002 /* not supported */
#define CSRESTORE_TYPE_CATCHUP 0x00000004
#define CSRESTORE_TYPE_MASK 0x00000005

#define CSBACKUP_DISABLE_INCREMENTAL 0xffffffff

/* The type character in front of each name of a returned list: always one WCHAR. */
typedef WCHAR CSBFT;

#define CSBFT_DIRECTORY 0x80
#define CSBFT_DATABASE_DIRECTORY 0x40
#define CSBFT_LOG_DIRECTORY 0x20
#define CSBFT_LOG ((CSBFT)(0x01 | CSBFT_LOG_DIRECTORY))                            /* 0x21 */
#define CSBFT_LOG_DIR ((CSBFT)(0x02 | CSBFT_DIRECTORY))                            /* 0x82 */
#define CSBFT_CHECKPOINT_DIR ((CSBFT)(0x03 | CSBFT_DIRECTORY))                     /* 0x83 */
#define CSBFT_CERTSERVER_DATABASE ((CSBFT)(0x04 | CSBFT_DATABASE_DIRECTORY))       /* 0x44 */
#define CSBFT_PATCH_FILE ((CSBFT)(0x05 | CSBFT_LOG_DIRECTORY))                     /* 0x25 */
#define CSBFT_UNKNOWN ((CSBFT)0x0f)

/* A Certificate Services backup or restore context. Opaque; NULL is never valid. */
typedef void *HCSBC;

#ifndef CSEDB_RSTMAP
/* Restore map: the database's name at backup time, and where it is restored now. */
typedef struct tagCSEDB_RSTMAPW {
    WCHAR *pwszDatabaseName;
    WCHAR *pwszNewDatabaseName;
} CSEDB_RSTMAPW;
#define CSEDB_RSTMAP CSEDB_RSTMAPW
#endif

#define CertSrvIsServerOnline CertSrvIsServerOnlineW
#define CertSrvBackupGetDynamicFileList CertSrvBackupGetDynamicFileListW
#define CertSrvBackupPrepare CertSrvBackupPrepareW
#define CertSrvBackupGetDatabaseNames CertSrvBackupGetDatabaseNamesW
#define CertSrvBackupOpenFile CertSrvBackupOpenFileW
#define CertSrvBackupGetBackupLogs CertSrvBackupGetBackupLogsW
#define CertSrvRestoreGetDatabaseLocations CertSrvRestoreGetDatabaseLocationsW
#define CertSrvRestorePrepare CertSrvRestorePrepareW
#define CertSrvRestoreRegister CertSrvRestoreRegisterW
#define CertSrvServerControl CertSrvServerControlW

/* CertSrvServerControl dwControlFlags. */
#define CSCONTROL_SHUTDOWN 0x000000001 /* stop the CA */
#define CSCONTROL_SUSPEND 0x000000002  /* pause it: it runs, issues nothing */
#define CSCONTROL_RESTART 0x000000003  /* stop and start it */

/*
 * CertSrvIsServerOnline (CERTADM.@) - TRUE if the CA runs and issues, FALSE if it runs paused.
 * Errors: 0x800706BA (the CA is stopped, or no such server), E_POINTER, E_INVALIDARG (a malformed
 * name), E_ACCESSDENIED. Returns quickly.
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVISSERVERONLINEW)(WCHAR const *pwszServerName, BOOL *pfServerOnline);
HRESULT CERTBCLI_API CertSrvIsServerOnlineW(WCHAR const *pwszServerName, BOOL *pfServerOnline);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVISSERVERONLINEW *pfnCertSrvIsServerOnline = CertSrvIsServerOnline;
#endif

/*
 * CertSrvBackupGetDynamicFileList (CERTADM.@) - the files to back up by other means (the CRL and
 * the CA certificate): plain UNC paths, no type character, in a multi-string of *pcbSize bytes.
 * Release it with CertSrvBackupFree. Errors: E_HANDLE, E_POINTER, E_OUTOFMEMORY.
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVBACKUPGETDYNAMICFILELISTW)(HCSBC hbc, WCHAR **ppwszzFileList, DWORD *pcbSize);
HRESULT CERTBCLI_API CertSrvBackupGetDynamicFileListW(HCSBC hbc, WCHAR **ppwszzFileList, DWORD *pcbSize);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPGETDYNAMICFILELISTW *pfnCertSrvBackupGetDynamicFileList = CertSrvBackupGetDynamicFileList;
#endif

/*
 * CertSrvBackupPrepare (CERTADM.@) - starts a backup of a running (or paused) CA.
 *   grbitJet       passed to the engine; 0.
 *   dwBackupFlags  CSBACKUP_TYPE_FULL, or CSBACKUP_TYPE_LOGS_ONLY (an incremental backup: the logs
 *                  since the last full backup; needs one that truncated its logs).
 *   phbc    [out]  the context; end it with CertSrvBackupEnd.
 * Errors: E_POINTER, E_INVALIDARG (bad flags or name), 0x800706BA (CA stopped or unknown),
 * E_ACCESSDENIED, hrBackupInProgress, 0xC8000230 hrMissingFullBackup (logs-only without a full
 * backup), 0xC800020E hrInvalidBackup (logs-only with circular logging).
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVBACKUPPREPAREW)(WCHAR const *pwszServerName, ULONG grbitJet, ULONG dwBackupFlags,
                                                       HCSBC *phbc);
HRESULT CERTBCLI_API CertSrvBackupPrepareW(WCHAR const *pwszServerName, ULONG grbitJet, ULONG dwBackupFlags, HCSBC *phbc);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPPREPAREW *pfnCertSrvBackupPrepare = CertSrvBackupPrepare;
#endif

/*
 * CertSrvBackupGetDatabaseNames (CERTADM.@) - the database files: CSBFT_CERTSERVER_DATABASE +
 * UNC path entries. *ppwszzAttachmentInformation need not be NULL on entry. Release the buffer
 * with CertSrvBackupFree. Errors: E_HANDLE, E_POINTER, hrInvalidBackupSequence (logs-only).
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVBACKUPGETDATABASENAMESW)(HCSBC hbc, WCHAR **ppwszzAttachmentInformation,
                                                                DWORD *pcbSize);
HRESULT CERTBCLI_API CertSrvBackupGetDatabaseNamesW(HCSBC hbc, WCHAR **ppwszzAttachmentInformation, DWORD *pcbSize);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPGETDATABASENAMESW *pfnCertSrvBackupGetDatabaseNames = CertSrvBackupGetDatabaseNames;
#endif

/*
 * CertSrvBackupOpenFile (CERTADM.@) - opens a listed file; pass the name without its CSBFT
 * character. Only names this context's GetDatabaseNames / GetBackupLogs listed are accepted.
 * The cbReadHintSize of the context's first OpenFile sets its read size: 0 lets the library
 * choose (256 KiB), anything else is rounded up to a power of two within 64 KiB..4 MiB
 * (WbCertSrvGetReadBufferSize shows it).
 * Errors: E_HANDLE, E_POINTER, E_INVALIDARG (a name not listed, or still with its CSBFT
 * character), E_ACCESSDENIED (another server's path), hrAlreadyOpen, hrInvalidBackupSequence
 * (the database after the log list), 0xC8000239 (a missing log).
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVBACKUPOPENFILEW)(HCSBC hbc, WCHAR const *pwszAttachmentName, DWORD cbReadHintSize,
                                                        LARGE_INTEGER *pliFileSize);
HRESULT CERTBCLI_API CertSrvBackupOpenFileW(HCSBC hbc, WCHAR const *pwszAttachmentName, DWORD cbReadHintSize,
                                            LARGE_INTEGER *pliFileSize);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPOPENFILEW *pfnCertSrvBackupOpenFile = CertSrvBackupOpenFile;
#endif

/*
 * CertSrvBackupRead (CERTADM.@) - the next chunk of the open file, any buffer size. At the end of
 * the file: S_OK with *pcbRead 0 (DsBackupRead answers ERROR_HANDLE_EOF instead).
 * Errors: E_HANDLE, E_POINTER, hrInvalidHandle (no file open), hrReadVerifyFailure (a bad page:
 * the file is closed, the backup goes on), 0xC8000264 (a damaged log: the backup is aborted).
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVBACKUPREAD)(HCSBC hbc, VOID *pvBuffer, DWORD cbBuffer, DWORD *pcbRead);
HRESULT CERTBCLI_API CertSrvBackupRead(HCSBC hbc, VOID *pvBuffer, DWORD cbBuffer, DWORD *pcbRead);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPREAD *pfnCertSrvBackupRead = CertSrvBackupRead;
#endif

/* CertSrvBackupClose (CERTADM.@) - closes the open file. Errors: E_HANDLE, hrInvalidHandle. */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVBACKUPCLOSE)(HCSBC hbc);
HRESULT CERTBCLI_API CertSrvBackupClose(HCSBC hbc);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPCLOSE *pfnCertSrvBackupClose = CertSrvBackupClose;
#endif

/*
 * CertSrvBackupGetBackupLogs (CERTADM.@) - the log files: CSBFT_LOG + UNC path entries. The first
 * call rolls the log. Release the buffer with CertSrvBackupFree.
 * Errors: E_HANDLE, E_POINTER, hrInvalidBackupSequence (a file is open), 0xC8000239 (a log
 * generation missing since the last backup: an incremental cannot follow it).
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVBACKUPGETBACKUPLOGSW)(HCSBC hbc, WCHAR **ppwszzBackupLogFiles, DWORD *pcbSize);
HRESULT CERTBCLI_API CertSrvBackupGetBackupLogsW(HCSBC hbc, WCHAR **ppwszzBackupLogFiles, DWORD *pcbSize);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPGETBACKUPLOGSW *pfnCertSrvBackupGetBackupLogs = CertSrvBackupGetBackupLogs;
#endif

/*
 * CertSrvBackupTruncateLogs (CERTADM.@) - deletes the logs this backup made redundant; only once
 * every listed file was saved. Errors: E_HANDLE, hrInvalidBackupSequence, 0xC8000268.
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVBACKUPTRUNCATELOGS)(HCSBC hbc);
HRESULT CERTBCLI_API CertSrvBackupTruncateLogs(HCSBC hbc);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPTRUNCATELOGS *pfnCertSrvBackupTruncateLogs = CertSrvBackupTruncateLogs;
#endif

/* CertSrvBackupEnd (CERTADM.@) - ends the backup, whatever happened; hbc is invalid after.
 * Errors: E_HANDLE. */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVBACKUPEND)(HCSBC hbc);
HRESULT CERTBCLI_API CertSrvBackupEnd(HCSBC hbc);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPEND *pfnCertSrvBackupEnd = CertSrvBackupEnd;
#endif

/* CertSrvBackupFree (CERTADM.@) - releases a buffer of this library (any list, ServerControl's
 * output). NULL is a no-op; a pointer not from the library is reported on stderr and ignored. */
typedef VOID(CERTBCLI_CALL FNCERTSRVBACKUPFREE)(VOID *pv);
VOID CERTBCLI_API CertSrvBackupFree(VOID *pv);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVBACKUPFREE *pfnCertSrvBackupFree = CertSrvBackupFree;
#endif

/*
 * CertSrvRestoreGetDatabaseLocations (CERTADM.@) - CSBFT_CERTSERVER_DATABASE, CSBFT_LOG_DIR and
 * CSBFT_CHECKPOINT_DIR entries. Takes a backup or a restore context; needs the CA running, as
 * documented (call it during the backup and keep the result). Release with CertSrvBackupFree.
 * Errors: E_HANDLE, E_POINTER, 0x800706BA (the CA is stopped).
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVRESTOREGETDATABASELOCATIONSW)(HCSBC hbc, WCHAR **ppwszzDatabaseLocationList,
                                                                     DWORD *pcbSize);
HRESULT CERTBCLI_API CertSrvRestoreGetDatabaseLocationsW(HCSBC hbc, WCHAR **ppwszzDatabaseLocationList, DWORD *pcbSize);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVRESTOREGETDATABASELOCATIONSW *pfnCertSrvRestoreGetDatabaseLocations = CertSrvRestoreGetDatabaseLocations;
#endif

/*
 * CertSrvRestorePrepare (CERTADM.@) - starts a restore on a stopped CA.
 *   dwRestoreFlags  CSRESTORE_TYPE_FULL for the full backup; without it, an incremental one.
 * Errors: E_POINTER, E_INVALIDARG (flags outside CSRESTORE_TYPE_MASK, a malformed name),
 * 0x800706BA (no such CA), E_ACCESSDENIED, hrDatabaseInUse (the CA runs).
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVRESTOREPREPAREW)(WCHAR const *pwszServerName, ULONG dwRestoreFlags, HCSBC *phbc);
HRESULT CERTBCLI_API CertSrvRestorePrepareW(WCHAR const *pwszServerName, ULONG dwRestoreFlags, HCSBC *phbc);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVRESTOREPREPAREW *pfnCertSrvRestorePrepare = CertSrvRestorePrepare;
#endif

/*
 * CertSrvRestoreRegister (CERTADM.@) - records a restore; the CA will not start until
 * CertSrvRestoreRegisterComplete. A full restore maps the database (crstmap 1); an incremental
 * one passes no map (rgrstmap NULL, crstmap 0) and registers its logs after the full one, in any
 * order. NULL is allowed for a path that is not needed. Needs a local administrator.
 * Errors: E_HANDLE, E_INVALIDARG, E_ACCESSDENIED, hrNoFullRestore (an incremental before the full
 * restore), hrRestoreInProgress.
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVRESTOREREGISTERW)(HCSBC hbc, WCHAR const *pwszCheckPointFilePath,
                                                         WCHAR const *pwszLogPath, CSEDB_RSTMAPW rgrstmap[], LONG crstmap,
                                                         WCHAR const *pwszBackupLogPath, ULONG genLow, ULONG genHigh);
HRESULT CERTBCLI_API CertSrvRestoreRegisterW(HCSBC hbc, WCHAR const *pwszCheckPointFilePath, WCHAR const *pwszLogPath,
                                             CSEDB_RSTMAPW rgrstmap[], LONG crstmap, WCHAR const *pwszBackupLogPath,
                                             ULONG genLow, ULONG genHigh);
/* CertSrvRestoreRegisterThroughFile (CERTADM.@) - the same, needing only the restore privilege
 * (any account the CA allows). No FN type in Windows' header either. */
HRESULT CERTBCLI_API CertSrvRestoreRegisterThroughFile(HCSBC hbc, WCHAR const *pwszCheckPointFilePath,
                                                       WCHAR const *pwszLogPath, CSEDB_RSTMAPW rgrstmap[], LONG crstmap,
                                                       WCHAR const *pwszBackupLogPath, ULONG genLow, ULONG genHigh);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVRESTOREREGISTERW *pfnCertSrvRestoreRegister = CertSrvRestoreRegister;
#endif

/* CertSrvRestoreRegisterComplete (CERTADM.@) - the files of the last registration are in place
 * (S_OK) or not (a failure HRESULT: the CA then will not start). Errors: E_HANDLE, E_INVALIDARG. */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVRESTOREREGISTERCOMPLETE)(HCSBC hbc, HRESULT hrRestoreState);
HRESULT CERTBCLI_API CertSrvRestoreRegisterComplete(HCSBC hbc, HRESULT hrRestoreState);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVRESTOREREGISTERCOMPLETE *pfnCertSrvRestoreRegisterComplete = CertSrvRestoreRegisterComplete;
#endif

/* CertSrvRestoreEnd (CERTADM.@) - ends the restore context. Errors: E_HANDLE. */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVRESTOREEND)(HCSBC hbc);
HRESULT CERTBCLI_API CertSrvRestoreEnd(HCSBC hbc);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVRESTOREEND *pfnCertSrvRestoreEnd = CertSrvRestoreEnd;
#endif

/*
 * CertSrvServerControl (CERTADM.@) - CSCONTROL_SHUTDOWN stops the CA, CSCONTROL_SUSPEND pauses it,
 * CSCONTROL_RESTART stops and starts it (a start runs soft recovery).
 * pcbOut and ppbOut may be NULL; no output is produced (*ppbOut = NULL, *pcbOut = 0).
 * Errors: E_INVALIDARG (flags, name), 0x800706BA, E_ACCESSDENIED, and a start's ESE error.
 */
typedef HRESULT(CERTBCLI_CALL FNCERTSRVSERVERCONTROLW)(WCHAR const *pwszServerName, DWORD dwControlFlags, DWORD *pcbOut,
                                                       BYTE **ppbOut);
HRESULT CERTBCLI_API CertSrvServerControlW(WCHAR const *pwszServerName, DWORD dwControlFlags, DWORD *pcbOut, BYTE **ppbOut);
#ifdef _CERTBCLI_TYPECHECK
FNCERTSRVSERVERCONTROLW *pfnCertSrvServerControl = CertSrvServerControl;
#endif

WB_END_DECLS

#endif /* __CERTBCLI_H__ */
