/*
 * winbackup.h - winbackup's own exports (Wb*): version, server paths, and the management of
 * emulated servers for tests. Not part of any Windows API.
 *
 * The functions take UTF-8 strings (the W forms UTF-16) and return HRESULTs as Ntdsbcli does:
 * S_OK, ERROR_INVALID_PARAMETER, ERROR_ACCESS_DENIED, hrCouldNotConnect (unknown server),
 * or 0xC8000000 | -JET_err for an engine error.
 *
 * The emulated servers live under $WINBACKUP_ROOT (default
 * ${XDG_DATA_HOME:-$HOME/.local/share}/winbackup), read at each call.
 */
#ifndef WINBACKUP_H
#define WINBACKUP_H

#include "wbtypes.h"

WB_BEGIN_DECLS

/* The version of these headers. WbGetVersionNumber() gives the library's; they should agree. */
#define WINBACKUP_VERSION_MAJOR 0
#define WINBACKUP_VERSION_MINOR 1
#define WINBACKUP_VERSION_PATCH 0
#define WINBACKUP_VERSION "0.1.0"
#define WINBACKUP_VERSION_NUMBER \
    (WINBACKUP_VERSION_MAJOR * 1000000 + WINBACKUP_VERSION_MINOR * 1000 + WINBACKUP_VERSION_PATCH)

/* ERROR_INSUFFICIENT_BUFFER, from the Wb* functions that fill a caller's buffer. */
#ifndef ERROR_INSUFFICIENT_BUFFER
#define ERROR_INSUFFICIENT_BUFFER 122
#endif

/* ESE errors winbackup returns that ntdsbmsg.h has no name for (0xC8000000 | -JET_err). */
#define WB_HR_MISSING_FILE_TO_BACKUP ((HRESULT)0xC8000239)    /* JET_errMissingFileToBackup -569 */
#define WB_HR_LOG_READ_VERIFY_FAILURE ((HRESULT)0xC8000264)   /* JET_errLogReadVerifyFailure -612 */
#define WB_HR_LOG_FILE_NOT_COPIED ((HRESULT)0xC8000268)       /* JET_errLogFileNotCopied -616 */
#define WB_HR_BACKUP_ABORT_BY_SERVER ((HRESULT)0xC8000321)    /* JET_errBackupAbortByServer -801 */
#define WB_HR_INVALID_GRBIT ((HRESULT)0xC8000384)             /* JET_errInvalidGrbit -900 */
#define WB_HR_READ_PGNO_VERIFY_FAILURE ((HRESULT)0xC800045E)  /* JET_errReadPgnoVerifyFailure -1118 */

/* WbGetVersionNumber (WINBACKUP.@) - major * 1000000 + minor * 1000 + patch. */
WB_API DWORD WbGetVersionNumber(void);

/* WbGetVersionString (WINBACKUP.@) - "major.minor.patch"; a static string, do not free it. */
WB_API const char *WbGetVersionString(void);

/*
 * WbResolvePath (WINBACKUP.@) - the local file behind a path of an emulated server, in any of
 * the three spellings the APIs accept: "\\DC01\C$\Windows\NTDS\ntds.dit" (szServerName may then
 * be NULL), "C:\Windows\NTDS\ntds.dit" on szServerName, or a local path inside its folder.
 * Existing components match case-insensitively, as on Windows.
 *   szLocalPath   [out] receives the path, NUL-terminated.
 *   cchLocalPath  [in]  its size in characters (bytes for A, UTF-16 units for W), NUL included.
 *   pcchRequired  [out, optional] the size needed, NUL included.
 * Errors: ERROR_INSUFFICIENT_BUFFER (szLocalPath NULL or too small; *pcchRequired tells),
 * ERROR_INVALID_PARAMETER (NULL path, "..", not a full path), ERROR_ACCESS_DENIED (a path of
 * another server, or one leading out of the server's folder), hrCouldNotConnect (no such server).
 */
WB_API HRESULT WbResolvePathA(LPCSTR szServerName, LPCSTR szPath, LPSTR szLocalPath, DWORD cchLocalPath,
                              DWORD *pcchRequired);
WB_API HRESULT WbResolvePathW(LPCWSTR szServerName, LPCWSTR szPath, LPWSTR szLocalPath, DWORD cchLocalPath,
                              DWORD *pcchRequired);

/*
 * WbCreateServerA (WINBACKUP.@) - creates an emulated server, as `winbackupctl server create`.
 *   szOptions  the same options: "--role ntds|certsrv|ese [--db-size SIZE] [--logs N]
 *              [--log-size SIZE] [--circular-logging on|off] [--ca-name NAME]
 *              [--tombstone-lifetime DAYS] [--offline]"; --role is required.
 * The server is complete or absent, never half-made. The calling user may back it up.
 */
WB_API HRESULT WbCreateServerA(LPCSTR szServerName, LPCSTR szOptions);

/* WbDeleteServerA (WINBACKUP.@) - deletes a server and its folder; hrBackupInProgress while a
 * backup of it runs. */
WB_API HRESULT WbDeleteServerA(LPCSTR szServerName);

/* WbStartServerA (WINBACKUP.@) - starts the server (recovery, then online). No-op if online. */
WB_API HRESULT WbStartServerA(LPCSTR szServerName);

/* WbStopServerA (WINBACKUP.@) - stops the server: running backups get
 * WB_HR_BACKUP_ABORT_BY_SERVER from then on, databases are shut down cleanly, state offline. */
WB_API HRESULT WbStopServerA(LPCSTR szServerName);

/* WbWriteServerA (WINBACKUP.@) - runs cTransactions transactions of simulated activity (pages
 * changed, log appended and rolled, checkpoint moved). Needs the server online. */
WB_API HRESULT WbWriteServerA(LPCSTR szServerName, DWORD cTransactions);

/*
 * WbAllowIdentityA (WINBACKUP.@) - lets an account back up and restore the server.
 *   szAccount   "DOMAIN\user" or "user".
 *   szPassword  the password DsSetAuthIdentity must present, or NULL for a local account
 *               (matched against the user the process runs as, when no credentials are set).
 */
WB_API HRESULT WbAllowIdentityA(LPCSTR szServerName, LPCSTR szAccount, LPCSTR szPassword);

/*
 * WbAllowBackupOperatorA (WINBACKUP.@) - the same for an account that is a backup operator, not
 * a local administrator: it may back up and restore, but CertSrvRestoreRegisterW refuses it with
 * E_ACCESSDENIED (CertSrvRestoreRegisterThroughFile, which needs only the restore privilege,
 * accepts it). Also `winbackupctl server allow NAME ACCOUNT --backup-operator`.
 */
WB_API HRESULT WbAllowBackupOperatorA(LPCSTR szServerName, LPCSTR szAccount, LPCSTR szPassword);

/*
 * WbSetClockOffsetA (WINBACKUP.@) - makes the server's clock run `seconds` ahead of the machine's
 * (negative: behind), for tests of a backup older than the tombstone lifetime
 * (DsRestorePrepare: hrContentsExpired). Only the server's own checks use it. Also
 * `winbackupctl server set NAME --clock-offset 200d`.
 */
WB_API HRESULT WbSetClockOffsetA(LPCSTR szServerName, LONGLONG seconds);

/*
 * WbGetContentDigestA (WINBACKUP.@) - the digest of the server's database content, computed by
 * reading every page: 64 lower-case hex digits and a NUL. cchHexDigest >= 65, else
 * ERROR_INSUFFICIENT_BUFFER.
 */
WB_API HRESULT WbGetContentDigestA(LPCSTR szServerName, LPSTR szHexDigest, DWORD cchHexDigest);

/*
 * WbReadLogDigestA (WINBACKUP.@) - the content digest a server's writer recorded at the end of a
 * log generation, read from that log file (a local path, e.g. in a backup set): what a server
 * restored through that generation must show (WbGetContentDigestA). hrLogFileCorrupt if the
 * generation is damaged or does not end.
 */
WB_API HRESULT WbReadLogDigestA(LPCSTR szLogFile, LPSTR szHexDigest, DWORD cchHexDigest);

/*
 * WbCertSrvGetReadBufferSize (WINBACKUP.@) - the read-buffer size of a CertSrv backup context
 * (an HCSBC from CertSrvBackupPrepareW), fixed by the cbReadHintSize of its first
 * CertSrvBackupOpenFileW: 0 chooses 256 KiB, anything else is rounded up to a power of two
 * within 64 KiB...4 MiB. 0 before the first OpenFile. Returns Certadm's HRESULTs: S_OK,
 * E_HANDLE (not a backup context), E_POINTER (pcbSize NULL).
 */
WB_API HRESULT WbCertSrvGetReadBufferSize(void *hbc, DWORD *pcbSize);

/*
 * WbInjectFault (WINBACKUP.@) - adds a fault to an emulated server, as `winbackupctl fault add`:
 * the library's read and write paths then fail as Windows would (docs/FAULTS.md), the files
 * are never touched. The fault is kept in the server's settings, so every process sees it.
 *   szSpec  "KIND [options] [--once]", one of:
 *             read-error --file PATH [--offset N]     (JET_errDiskIO at the read that covers N)
 *             bad-checksum --file PATH --page N      (JET_errReadVerifyFailure -1018)
 *             wrong-page --file PATH --page N        (JET_errReadPgnoVerifyFailure -1118)
 *             corrupt-log --generation N             (JET_errLogReadVerifyFailure -612, aborted)
 *             missing-log --generation N             (backup -569, aborted; restore -528)
 *             stop [--after-reads N]                 (JET_errBackupAbortByServer -801 from then on)
 *             slow-read --latency 50ms [--after-reads N]
 *             short-read --max-bytes N [--after-reads N]
 *             disk-full [--after-bytes N]            (restore writes: JET_errDiskFull -1808)
 *             permission-denied                      (restore writes: JET_errFileAccessDenied -1032)
 *             deny-user ACCOUNT                      (ERROR_ACCESS_DENIED at connect/Prepare)
 *           PATH in any spelling the APIs take (C:\..., \\SERVER\C$\..., the local file),
 *           double- or single-quoted when it holds spaces. --once: the fault fires once, then is
 *           removed from the settings (exactly once, across processes); else every time.
 * Errors: ERROR_INVALID_PARAMETER (NULL, or a bad spec: unknown kind or option, a missing
 * value, a path outside the server), hrCouldNotConnect (no such server).
 * Threading: any thread; settings changes are atomic. A running backup sees a fault added or
 * cleared at its next OpenFile.
 */
WB_API HRESULT WbInjectFaultA(LPCSTR szServerName, LPCSTR szSpec);
WB_API HRESULT WbInjectFaultW(LPCWSTR szServerName, LPCWSTR szSpec);

/*
 * WbClearFaults (WINBACKUP.@) - removes every fault of the server, as `winbackupctl fault
 * clear`: it is then exactly as it was before they were added. Errors: ERROR_INVALID_PARAMETER
 * (NULL), hrCouldNotConnect (no such server).
 */
WB_API HRESULT WbClearFaultsA(LPCSTR szServerName);
WB_API HRESULT WbClearFaultsW(LPCWSTR szServerName);

/*
 * WbReportA (WINBACKUP.@) - strict mode's report (docs/TRACING.md): with WINBACKUP_STRICT=1 in
 * the environment of the process (read at its first call into the library), every misuse seen
 * so far, one line each ending in "\n", each naming the function: a session never ended, a
 * file never closed, a buffer never freed, a handle used after its End, a call refused as out
 * of order. "" when there is none. The same lines go to stderr at exit, after "winbackup strict: ".
 *   szReport   [out] receives the text, NUL-terminated; the caller owns it.
 *   cbReport   [in]  its size in bytes.
 *   pcbNeeded  [out, optional] the size needed, NUL included.
 * Returns S_OK; S_FALSE (and "") when strict mode is off; ERROR_INSUFFICIENT_BUFFER when
 * szReport is NULL or too small (*pcbNeeded tells). The report is cumulative: reading it
 * changes nothing. Thread-safe; a line about a session another thread is using may be stale.
 */
WB_API HRESULT WbReportA(LPSTR szReport, DWORD cbReport, DWORD *pcbNeeded);

WB_END_DECLS

#endif /* WINBACKUP_H */
