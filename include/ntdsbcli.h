/*
 * ntdsbcli.h - the Active Directory backup and restore client API (Windows: Ntdsbcli.dll),
 * as exported by libwinbackup.so (also reachable as libntdsbcli.so).
 *
 * Same names, prototypes, constants and error codes as the Windows SDK header, with Windows
 * integer sizes (see wbtypes.h). A program written against Microsoft's documentation compiles
 * against this header unchanged, or can declare the prototypes itself and dlsym() them.
 *
 * The server a call names is an emulated domain controller: a folder under $WINBACKUP_ROOT
 * (see `winbackupctl server create NAME --role ntds`). Names are matched case-insensitively; a
 * leading "\\" is optional; a name with '_', '/', '\', ".." or an unknown name is refused.
 *
 * Backup, in order (Microsoft's walkthrough):
 *   DsIsNTDSOnline -> DsBackupPrepare -> DsBackupGetDatabaseNames -> for each name
 *   { DsBackupOpenFile, DsBackupRead until the size is read, DsBackupClose } ->
 *   DsBackupGetBackupLogs -> the same for each log -> DsBackupTruncateLogs -> keep the expiry
 *   token with the backup -> DsBackupFree each buffer -> DsBackupEnd.
 *
 * Errors: S_OK (hrNone) on success; otherwise a raw Win32 code (ERROR_INVALID_PARAMETER,
 * ERROR_ACCESS_DENIED, ERROR_HANDLE_EOF, ERROR_NOT_ENOUGH_MEMORY) or an hr* code of ntdsbmsg.h.
 * On failure, out-parameters keep the values they had on entry unless a function says otherwise.
 *
 * Threading: every function may be called from any thread. Calls on one HBC are serialised;
 * different HBCs run in parallel. One backup per server at a time, across all processes.
 */
#ifndef _NTDSBCLI_H_
#define _NTDSBCLI_H_

#include "wbtypes.h"
#include "ntdsbmsg.h"

WB_BEGIN_DECLS

#ifndef NTDSBCLI_API
#define NTDSBCLI_API WINAPI
#endif

#ifndef xRPC_STRING
#define xRPC_STRING
#endif

/* A backup or restore context handle. Opaque; never a valid pointer; NULL is never valid. */
typedef void *HBC;

/* The type character in front of each name of a returned list. */
#ifdef UNICODE
typedef WCHAR BFT;
#else
typedef CHAR BFT;
#endif

#define g_wszBackupAnnotation u"NTDS Backup Interface"
#define g_aszBackupAnnotation "NTDS Backup Interface"
#define g_wszRestoreAnnotation u"NTDS Restore Interface"
#define g_aszRestoreAnnotation "NTDS Restore Interface"
#ifdef UNICODE
#define g_szBackupAnnotation g_wszBackupAnnotation
#define g_szRestoreAnnotation g_wszRestoreAnnotation
#else
#define g_szBackupAnnotation g_aszBackupAnnotation
#define g_szRestoreAnnotation g_aszRestoreAnnotation
#endif

/* BFT type characters (header values; the docs page shows 0x22/0x23 for the two DIR entries). */
#define BFT_DIRECTORY 0x80          /* the entry is a directory */
#define BFT_DATABASE_DIRECTORY 0x40 /* the file goes in the database directory */
#define BFT_LOG_DIRECTORY 0x20      /* the file goes in the log directory */
#define BFT_LOG ((BFT)('\x01' | BFT_LOG_DIRECTORY))                 /* 0x21 */
#define BFT_LOG_DIR ((BFT)('\x02' | BFT_DIRECTORY))                 /* 0x82 */
#define BFT_CHECKPOINT_DIR ((BFT)('\x03' | BFT_DIRECTORY))          /* 0x83 */
#define BFT_NTDS_DATABASE ((BFT)('\x04' | BFT_DATABASE_DIRECTORY))  /* 0x44 */
#define BFT_PATCH_FILE ((BFT)('\x05' | BFT_LOG_DIRECTORY))          /* 0x25 */
#define BFT_UNKNOWN ((BFT)('\x0f'))                                  /* 0x0F */

/* DsBackupPrepare btFlag. Only BACKUP_TYPE_FULL is supported. */
#define BACKUP_TYPE_FULL 0x01
#define BACKUP_TYPE_LOGS_ONLY 0x02
#define BACKUP_TYPE_INCREMENTAL 0x04 /* not supported: ERROR_INVALID_PARAMETER */

/* DsRestorePrepare rtFlag (spelling of the first as in the Windows header). */
#define RESTORE_TYPE_AUTHORATATIVE 0x01 /* not supported */
#define RESTORE_TYPE_ONLINE 0x02        /* not supported */
#define RESTORE_TYPE_CATCHUP 0x04       /* the default */

/* DsSetCurrentBackupLog: no incremental backup until the next full one. */
#define BACKUP_DISABLE_INCREMENTAL 0xffffffff

/* Restore map: one entry per database, the name at backup time and where it goes now. */
typedef struct tagEDB_RSTMAPA {
    char *szDatabaseName;
    char *szNewDatabaseName;
} EDB_RSTMAPA, *PEDB_RSTMAPA;

typedef struct tagEDB_RSTMAPW {
    WCHAR *wszDatabaseName;
    WCHAR *wszNewDatabaseName;
} EDB_RSTMAPW, *PEDB_RSTMAPW;

#define UNICODE_RSTMAP

#ifdef UNICODE
#define EDB_RSTMAP EDB_RSTMAPW
#define PEDB_RSTMAP PEDB_RSTMAPW
#else
#define EDB_RSTMAP EDB_RSTMAPA
#define PEDB_RSTMAP PEDB_RSTMAPA
#endif

/*
 * DsIsNTDSOnline (NTDSBCLI.@) - is Active Directory running on the server? Before a backup it
 * must be (TRUE); before a restore it must not be (FALSE, Directory Services Restore Mode).
 *   szServerName  [in]  "\\DC01" or "DC01".
 *   pfNTDSOnline  [out] TRUE or FALSE.
 * Errors: ERROR_INVALID_PARAMETER (a NULL argument), hrCouldNotConnect (unknown server, not a
 * domain controller, malformed name), ERROR_ACCESS_DENIED (DsSetAuthIdentity credentials the
 * server does not accept). Returns quickly; takes no lock.
 */
HRESULT NTDSBCLI_API DsIsNTDSOnlineA(LPCSTR szServerName, BOOL *pfNTDSOnline);
HRESULT NTDSBCLI_API DsIsNTDSOnlineW(LPCWSTR szServerName, BOOL *pfNTDSOnline);

/*
 * DsBackupPrepare (NTDSBCLI.@) - lifecycle step 1 of a backup: starts an online backup of the
 * server and returns its context handle and an expiry token.
 *   szBackupServer      [in]  the domain controller.
 *   grbit               [in]  passed to the engine (JET_bitBackup*); should be 0.
 *   btFlag              [in]  BACKUP_TYPE_FULL; anything else is ERROR_INVALID_PARAMETER.
 *   ppvExpiryToken      [out] a token to keep with the backup; DsRestorePrepare needs its bytes.
 *                             Allocated by the library: release it with DsBackupFree.
 *   pcbExpiryTokenSize  [out] its size in bytes.
 *   phbc                [out] the backup context; end it with DsBackupEnd, success or failure.
 * Errors: ERROR_INVALID_PARAMETER (NULL/malformed server name, NULL phbc, bad btFlag),
 * hrInvalidParam (NULL ppvExpiryToken or pcbExpiryTokenSize), hrCouldNotConnect (unknown server,
 * not a DC, or the DC is offline), ERROR_ACCESS_DENIED, hrBackupInProgress (a backup of this
 * server is running, in this or another process), ERROR_NOT_ENOUGH_MEMORY.
 * The running backup is held by this process: if the process dies, the backup ends with it.
 */
HRESULT NTDSBCLI_API DsBackupPrepareA(LPCSTR szBackupServer, ULONG grbit, ULONG btFlag,
                                      PVOID *ppvExpiryToken, LPDWORD pcbExpiryTokenSize, HBC *phbc);
HRESULT NTDSBCLI_API DsBackupPrepareW(LPCWSTR szBackupServer, ULONG grbit, ULONG btFlag,
                                      PVOID *ppvExpiryToken, LPDWORD pcbExpiryTokenSize, HBC *phbc);

/*
 * DsBackupGetDatabaseNames (NTDSBCLI.@) - step 2: the database files to back up.
 *   hbc                [in]  from DsBackupPrepare.
 *   pszAttachmentInfo  [out] must point to NULL on entry. Receives a multi-string: each entry is
 *                            BFT_NTDS_DATABASE followed by a UNC path ("\\DC01\C$\Windows\NTDS\
 *                            ntds.dit"), NUL-terminated; a final NUL ends the list. Allocated by
 *                            the library: release it with DsBackupFree.
 *   pcbSize            [out] the size of that buffer in bytes, final NUL included.
 * The A form returns UTF-8, the W form UTF-16.
 * Errors: ERROR_INVALID_PARAMETER (bad handle, NULL pointers, *pszAttachmentInfo not NULL),
 * hrInvalidBackupSequence (an incremental backup has no database phase), hrNoBackup,
 * ERROR_NOT_ENOUGH_MEMORY.
 */
HRESULT NTDSBCLI_API DsBackupGetDatabaseNamesA(HBC hbc, LPSTR *pszAttachmentInfo, LPDWORD pcbSize);
HRESULT NTDSBCLI_API DsBackupGetDatabaseNamesW(HBC hbc, LPWSTR *pszAttachmentInfo, LPDWORD pcbSize);

/*
 * DsBackupOpenFile (NTDSBCLI.@) - opens one listed file for reading. One file at a time.
 *   hbc             [in]  the backup context.
 *   szAttachmentName[in]  a name from a list, without its BFT character. The UNC form, the drive
 *                         form ("C:\Windows\NTDS\ntds.dit") and the local path that
 *                         WbResolvePath gives are all accepted.
 *   cbReadHintSize  [in]  the DsBackupRead size to expect: a multiple of 8192, at least 24576.
 *   pliFileSize     [out] the number of bytes DsBackupRead will deliver. For a database this is
 *                         (pages + 3) * 8192: two header pages, the pages, a trailer page.
 * Errors: ERROR_INVALID_PARAMETER (bad handle, NULL, bad hint, a name with "..", not a path),
 * ERROR_ACCESS_DENIED (a path of another server), hrAlreadyOpen (a file is open),
 * hrDatabaseNotFound (not a database, during the database phase; the backup goes on),
 * hrInvalidBackupSequence (a database after the log list was taken; the backup is aborted),
 * 0xC8000239 JET_errMissingFileToBackup (a missing log; the backup is aborted),
 * hrNoBackup (the backup was aborted), 0xC8000321 JET_errBackupAbortByServer (server stopped).
 */
HRESULT NTDSBCLI_API DsBackupOpenFileA(HBC hbc, LPCSTR szAttachmentName, DWORD cbReadHintSize,
                                       LARGE_INTEGER *pliFileSize);
HRESULT NTDSBCLI_API DsBackupOpenFileW(HBC hbc, LPCWSTR szAttachmentName, DWORD cbReadHintSize,
                                       LARGE_INTEGER *pliFileSize);

/*
 * DsBackupRead (NTDSBCLI.@) - reads the next chunk of the open file into the caller's buffer.
 *   hbc       [in]  the backup context.
 *   pvBuffer  [in]  the caller's buffer, cbBuffer bytes.
 *   cbBuffer  [in]  a multiple of 8192, at least 24576.
 *   pcbRead   [out] bytes delivered; may be less than cbBuffer before the end of the file.
 * Every database page is verified as it is read (ESE's page checksum); a page that fails is
 * re-read before it is called bad.
 * Errors: ERROR_HANDLE_EOF (the whole file was read; *pcbRead is set to 0),
 * ERROR_INVALID_PARAMETER (bad handle, NULL, bad size), hrInvalidHandle (no file is open),
 * hrReadVerifyFailure (a database page fails its checksum: that file is closed, the backup of
 * the other files goes on), 0xC800045E JET_errReadPgnoVerifyFailure (a page in the wrong place),
 * 0xC8000264 JET_errLogReadVerifyFailure (a damaged log: the backup is aborted), hrDiskIO.
 */
HRESULT NTDSBCLI_API DsBackupRead(HBC hbc, PVOID pvBuffer, DWORD cbBuffer, PDWORD pcbRead);

/*
 * DsBackupClose (NTDSBCLI.@) - closes the open file. A file read to its end counts as copied.
 * Errors: ERROR_INVALID_PARAMETER (bad handle), hrInvalidHandle (no file is open).
 */
HRESULT NTDSBCLI_API DsBackupClose(HBC hbc);

/*
 * DsBackupGetBackupLogs (NTDSBCLI.@) - step 3: the log files to back up. The first call rolls the
 * current log, so the list runs from the checkpoint at DsBackupPrepare to the log just closed;
 * later calls return the same list. From here on no database can be opened.
 *   pszBackupLogFiles [out] must point to NULL on entry; a multi-string of BFT_LOG + UNC path
 *                           entries. Allocated by the library: release it with DsBackupFree.
 *   pcbSize           [out] its size in bytes, final NUL included.
 * Errors: ERROR_INVALID_PARAMETER, hrInvalidBackupSequence (a file is open), hrNoBackup,
 * 0xC8000321 JET_errBackupAbortByServer, ERROR_NOT_ENOUGH_MEMORY.
 */
HRESULT NTDSBCLI_API DsBackupGetBackupLogsA(HBC hbc, LPSTR *pszBackupLogFiles, LPDWORD pcbSize);
HRESULT NTDSBCLI_API DsBackupGetBackupLogsW(HBC hbc, LPWSTR *pszBackupLogFiles, LPDWORD pcbSize);

/*
 * DsBackupTruncateLogs (NTDSBCLI.@) - step 4 (optional): deletes the logs the backup made
 * redundant, oldest first. Call it only after every listed file was saved.
 * Errors: ERROR_INVALID_PARAMETER (bad handle), hrInvalidBackupSequence (a file is open, or the
 * log list was never taken), 0xC8000268 JET_errLogFileNotCopied (a listed log was not read to its
 * end), hrNoBackup, 0xC8000321 JET_errBackupAbortByServer.
 */
HRESULT NTDSBCLI_API DsBackupTruncateLogs(HBC hbc);

/*
 * DsBackupEnd (NTDSBCLI.@) - the last step, after success and after failure alike: ends the
 * backup and invalidates hbc. A backup that got its log list and read every database records
 * itself in the database header (bkinfoFullPrev); one that stopped earlier counts as aborted.
 * Errors: ERROR_INVALID_PARAMETER (bad or already ended handle).
 */
HRESULT NTDSBCLI_API DsBackupEnd(HBC hbc);

/*
 * DsBackupFree (NTDSBCLI.@) - releases a buffer this library returned: a name list, a location
 * list or an expiry token. NULL is a no-op. A pointer the library did not hand out is reported
 * on stderr and ignored, never freed.
 */
VOID NTDSBCLI_API DsBackupFree(PVOID pvBuffer);

/*
 * DsRestoreGetDatabaseLocations (NTDSBCLI.@) - where the restored files go: a BFT_NTDS_DATABASE
 * entry per database, then BFT_LOG_DIR and BFT_CHECKPOINT_DIR, as UNC paths. Works on a backup
 * context and on any restore context, restricted or not. Release the buffer with DsBackupFree.
 * Errors: ERROR_INVALID_PARAMETER (bad handle, NULL pointers), ERROR_NOT_ENOUGH_MEMORY.
 */
HRESULT NTDSBCLI_API DsRestoreGetDatabaseLocationsA(HBC hbc, LPSTR *pszDatabaseLocationList,
                                                    LPDWORD pcbSize);
HRESULT NTDSBCLI_API DsRestoreGetDatabaseLocationsW(HBC hbc, LPWSTR *pszDatabaseLocationList,
                                                    LPDWORD pcbSize);

/*
 * DsRestorePrepare (NTDSBCLI.@) - restore step 1, on a DC that is offline (Directory Services
 * Restore Mode: DsIsNTDSOnline says FALSE).
 *   rtFlag             0 or RESTORE_TYPE_CATCHUP; authoritative and online restores are not supported.
 *   pvExpiryToken      the bytes DsBackupPrepare gave (cbExpiryTokenSize of them), or NULL: the
 *                      handle is then restricted to DsRestoreGetDatabaseLocations.
 *   phbc        [out]  the restore context; end it with DsRestoreEnd.
 * A token names the server it came from; restoring onto another DC (a rebuilt one) is allowed.
 * Errors: ERROR_INVALID_PARAMETER (NULL/malformed name, NULL phbc, rtFlag), hrCouldNotConnect,
 * ERROR_ACCESS_DENIED, hrDatabaseInUse (the DC is online), hrUnknownExpiryTokenFormat (not a token
 * of this library, damaged, truncated), hrContentsExpired (the backup is older than the server's
 * tombstone lifetime, by the server's clock).
 */
HRESULT NTDSBCLI_API DsRestorePrepareA(LPCSTR szServerName, ULONG rtFlag, PVOID pvExpiryToken,
                                       DWORD cbExpiryTokenSize, HBC *phbc);
HRESULT NTDSBCLI_API DsRestorePrepareW(LPCWSTR szServerName, ULONG rtFlag, PVOID pvExpiryToken,
                                       DWORD cbExpiryTokenSize, HBC *phbc);

/*
 * DsRestoreRegister (NTDSBCLI.@) - step 2: records the restore in the server folder (Windows: the
 * "Restore in Progress" registry key). From here until DsRestoreRegisterComplete(S_OK) the DC will
 * not start. Then copy the files (delete the destinations first), then RegisterComplete.
 *   szCheckPointFilePath, szLogPath  the BFT_CHECKPOINT_DIR and BFT_LOG_DIR locations.
 *   rgrstmap, crstmap  one entry per database: the name at backup time, and its BFT_NTDS_DATABASE
 *                      location on this DC (szNewDatabaseName), where the backed-up stream goes.
 *   szBackupLogPath    the folder (on this DC) where the backed-up logs are copied.
 *   genLow, genHigh    the first and last log generation restored (1 to 0xFFFFF).
 * Paths: UNC, drive ("C:\Restore") or local (WbResolvePath) spellings.
 * Errors: ERROR_INVALID_PARAMETER (bad handle, a NULL path, genLow > genHigh, no map, a path that
 * is not the server's location), hrMissingExpiryToken (prepared without a token), hrDatabaseInUse
 * (the DC was started meanwhile), hrRestoreInProgress (another process's restore is registering),
 * ERROR_ACCESS_DENIED (a path out of the DC's folder).
 */
HRESULT NTDSBCLI_API DsRestoreRegisterA(HBC hbc, LPCSTR szCheckPointFilePath, LPCSTR szLogPath,
                                        EDB_RSTMAPA rgrstmap[], LONG crstmap,
                                        LPCSTR szBackupLogPath, ULONG genLow, ULONG genHigh);
HRESULT NTDSBCLI_API DsRestoreRegisterW(HBC hbc, LPCWSTR szCheckPointFilePath, LPCWSTR szLogPath,
                                        EDB_RSTMAPW rgrstmap[], LONG crstmap,
                                        LPCWSTR szBackupLogPath, ULONG genLow, ULONG genHigh);

/*
 * DsRestoreRegisterComplete (NTDSBCLI.@) - step 3: the files are in place (S_OK) or not (a failure
 * HRESULT: the DC then will not start until a good restore is registered). At its next start the DC
 * runs hard recovery: it checks the restored database and logs genLow..genHigh, replays them, and
 * comes up with the backup's content; a problem stops the start with the ESE error and changes
 * nothing. Errors: ERROR_INVALID_PARAMETER (bad handle, nothing registered by this context),
 * hrMissingExpiryToken.
 */
HRESULT NTDSBCLI_API DsRestoreRegisterComplete(HBC hbc, HRESULT hrRestoreState);

/*
 * DsRestoreEnd (NTDSBCLI.@) - the last step: ends the restore context and invalidates hbc. A
 * registration that was never completed stays, and keeps the DC from starting.
 * Errors: ERROR_INVALID_PARAMETER (bad or already ended handle).
 */
HRESULT NTDSBCLI_API DsRestoreEnd(HBC hbc);

/*
 * DsSetCurrentBackupLog (NTDSBCLI.@) - records the last backed-up log generation of the server
 * (after a restore); BACKUP_DISABLE_INCREMENTAL forbids incremental backups until a full one.
 * Errors: ERROR_INVALID_PARAMETER (NULL/malformed name), hrCouldNotConnect (unknown server or
 * not a DC), ERROR_ACCESS_DENIED.
 */
HRESULT NTDSBCLI_API DsSetCurrentBackupLogA(LPCSTR szServerName, DWORD dwCurrentLog);
HRESULT NTDSBCLI_API DsSetCurrentBackupLogW(LPCWSTR szServerName, DWORD dwCurrentLog);

/*
 * DsSetAuthIdentity (NTDSBCLI.@) - the credentials later calls of this process present to a
 * server, in place of the process's own identity. A NULL szUserName goes back to the process
 * identity. Nothing is checked here: a server checks them when a call connects to it
 * (DsIsNTDSOnline, DsBackupPrepare, ...) and answers ERROR_ACCESS_DENIED if it does not accept
 * them. Process-wide, as on Windows.
 * Errors: ERROR_NOT_ENOUGH_MEMORY.
 */
HRESULT NTDSBCLI_API DsSetAuthIdentityA(LPCSTR szUserName, LPCSTR szDomainName, LPCSTR szPassword);
HRESULT NTDSBCLI_API DsSetAuthIdentityW(LPCWSTR szUserName, LPCWSTR szDomainName, LPCWSTR szPassword);

#ifdef UNICODE
#define DsIsNTDSOnline DsIsNTDSOnlineW
#define DsBackupPrepare DsBackupPrepareW
#define DsBackupGetDatabaseNames DsBackupGetDatabaseNamesW
#define DsBackupOpenFile DsBackupOpenFileW
#define DsBackupGetBackupLogs DsBackupGetBackupLogsW
#define DsRestoreGetDatabaseLocations DsRestoreGetDatabaseLocationsW
#define DsRestorePrepare DsRestorePrepareW
#define DsRestoreRegister DsRestoreRegisterW
#define DsSetCurrentBackupLog DsSetCurrentBackupLogW
#define DsSetAuthIdentity DsSetAuthIdentityW
#else
#define DsIsNTDSOnline DsIsNTDSOnlineA
#define DsBackupPrepare DsBackupPrepareA
#define DsBackupGetDatabaseNames DsBackupGetDatabaseNamesA
#define DsBackupOpenFile DsBackupOpenFileA
#define DsBackupGetBackupLogs DsBackupGetBackupLogsA
#define DsRestoreGetDatabaseLocations DsRestoreGetDatabaseLocationsA
#define DsRestorePrepare DsRestorePrepareA
#define DsRestoreRegister DsRestoreRegisterA
#define DsSetCurrentBackupLog DsSetCurrentBackupLogA
#define DsSetAuthIdentity DsSetAuthIdentityA
#endif

WB_END_DECLS

#endif /* _NTDSBCLI_H_ */
