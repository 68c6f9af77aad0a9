/*
 * esent.h - ESENT's external backup and restore API (Windows: esent.dll), the subset
 * libwinbackup.so exports (also reachable as libesent.so): instances and their path parameters,
 * streaming backup (JetBeginExternalBackup ... JetEndExternalBackup), hard recovery
 * (JetExternalRestore) and the engine's own folder backup and restore (JetBackup, JetRestore).
 *
 * Windows sizes: JET_ERR, JET_GRBIT and every count are 32-bit (Windows `long` and
 * `unsigned long`); JET_INSTANCE, JET_HANDLE and JET_SESID are pointer-sized. Strings: the A
 * functions take UTF-8, the W functions UTF-16; byte counts are bytes for both. Without
 * JET_UNICODE the generic names map to A, with it to W. The library also exports the bare
 * names of Windows 2000 (JetOpenFileInstance = JetOpenFileInstanceA) for GetProcAddress users
 * such as ManagedEsent.
 *
 * An instance is an emulated server: JetCreateInstance("ESE01") names it; or
 * JET_paramLogFilePath / JET_paramSystemPath set to a local folder of a server's store. JetInit
 * starts the server if it is stopped (recovery, applying a completed restore). Paths in the
 * lists (JetGetAttachInfo, JetGetLogInfo) are the local files; JetOpenFile also takes the
 * server's C:\... and \\SERVER\C$\... spellings.
 *
 * Errors are ESE's, with ESE's values (jethdr.w): each function's comment names those it
 * returns where ESE-BEHAVIOUR.md documents them. A failure of a list call (JetGetAttachInfo,
 * JetGetLogInfo, JetGetTruncateLogInfo) aborts the backup, as in ESE.
 *
 * Threading: any thread; the calls of one instance are serialised. One backup of a server at a
 * time across all processes (JET_errBackupInProgress). Legacy mode (JetInit with no instance,
 * then the functions without "Instance") and multi-instance mode (JetCreateInstance) exclude each
 * other per process: JET_errRunningInOneInstanceMode / JET_errRunningInMultiInstanceMode.
 */
#ifndef WINBACKUP_ESENT_H
#define WINBACKUP_ESENT_H

#include "wbtypes.h"

WB_BEGIN_DECLS

#ifndef JET_API
#define JET_API WINAPI
#endif
#ifndef JET_NODSAPI
#define JET_NODSAPI WINAPI
#endif

typedef uintptr_t JET_API_PTR;
typedef int32_t JET_ERR;
typedef JET_API_PTR JET_HANDLE;
typedef JET_API_PTR JET_INSTANCE;
typedef JET_API_PTR JET_SESID;
typedef uint32_t JET_GRBIT;
typedef uint32_t JET_SNP;
typedef uint32_t JET_SNT;
typedef char *JET_PSTR;
typedef const char *JET_PCSTR;
typedef WCHAR *JET_PWSTR;
typedef const WCHAR *JET_PCWSTR;

#define JET_instanceNil (~(JET_INSTANCE)0)
#define JET_sesidNil (~(JET_SESID)0)
#define JET_handleNil (~(JET_HANDLE)0)

/* Status callbacks (JetExternalRestore, JetBackup, JetRestore): pv is a JET_SNPROG for progress. */
typedef JET_ERR(JET_API *JET_PFNSTATUS)(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv);
#define JET_snpRestore 8
#define JET_snpBackup 9
#define JET_sntProgress 0
#define JET_sntFail 3
#define JET_sntBegin 5
#define JET_sntComplete 6
#define JET_sntRequirements 7
typedef struct {
    uint32_t cbStruct;   /* sizeof(JET_SNPROG) */
    uint32_t cunitDone;  /* work done */
    uint32_t cunitTotal; /* work in all */
} JET_SNPROG;

/* Restore map: a database's name at backup time and where its copy is now. */
typedef struct {
    char *szDatabaseName;
    char *szNewDatabaseName;
} JET_RSTMAP_A;
typedef struct {
    WCHAR *szDatabaseName;
    WCHAR *szNewDatabaseName;
} JET_RSTMAP_W;

#define JET_BASE_NAME_LENGTH 3
/* A backup's log range: cbSize = sizeof the struct (16 for A, 20 for W), generations inclusive. */
typedef struct {
    uint32_t cbSize;
    uint32_t ulGenLow;
    uint32_t ulGenHigh;
    char szBaseName[JET_BASE_NAME_LENGTH + 1];
} JET_LOGINFO_A;
typedef struct {
    uint32_t cbSize;
    uint32_t ulGenLow;
    uint32_t ulGenHigh;
    WCHAR szBaseName[JET_BASE_NAME_LENGTH + 1];
} JET_LOGINFO_W;

/* grbits: JetBeginExternalBackup(Instance), JetBackup(Instance). */
#define JET_bitBackupIncremental 0x00000001
#define JET_bitBackupAtomic 0x00000004 /* JetBackup only; external backup: JET_errInvalidGrbit */
#define JET_bitBackupSnapshot 0x00000010 /* reserved: JET_errInvalidGrbit */
/* JetEndExternalBackupInstance2: exactly one of Normal and Abort. */
#define JET_bitBackupEndNormal 0x0001
#define JET_bitBackupEndAbort 0x0002
#define JET_bitBackupTruncateDone 0x0100 /* record the backup as if its logs were truncated */
/* JetTerm2. */
#define JET_bitTermComplete 0x00000001
#define JET_bitTermAbrupt 0x00000002
#define JET_bitTermStopBackup 0x00000004 /* stop a running backup; without it JetTerm fails with -505 */

/* The system parameters winbackup reads (others are accepted and kept, without effect). */
#define JET_paramSystemPath 0     /* the checkpoint folder */
#define JET_paramTempPath 1
#define JET_paramLogFilePath 2    /* the log folder */
#define JET_paramBaseName 3       /* "edb" */
#define JET_paramEventSource 4
#define JET_paramCircularLog 17   /* 0 or 1 */
#define JET_paramDatabasePageSize 64
#define JET_paramLegacyFileNames 136

/* Errors (jethdr.w values). */
#define JET_errSuccess 0
#define JET_wrnNyi (-1)
#define JET_errFileClose (-102)
#define JET_errOutOfThreads (-103)
#define JET_errTooManyIO (-105)
#define JET_errInternalError (-107)
#define JET_errInvalidLoggedOperation (-500)
#define JET_errLogFileCorrupt (-501)
#define JET_errNoBackupDirectory (-503)
#define JET_errBackupDirectoryNotEmpty (-504)
#define JET_errBackupInProgress (-505)
#define JET_errRestoreInProgress (-506)
#define JET_errMissingPreviousLogFile (-509)
#define JET_errLogWriteFail (-510)
#define JET_errLogDisabledDueToRecoveryFailure (-511)
#define JET_errLogGenerationMismatch (-513)
#define JET_errBadLogVersion (-514)
#define JET_errInvalidLogSequence (-515)
#define JET_errLoggingDisabled (-516)
#define JET_errLogBufferTooSmall (-517)
#define JET_errLogSequenceEnd (-519)
#define JET_errNoBackup (-520)
#define JET_errInvalidBackupSequence (-521)
#define JET_errBackupNotAllowedYet (-523)
#define JET_errDeleteBackupFileFail (-524)
#define JET_errMakeBackupDirectoryFail (-525)
#define JET_errInvalidBackup (-526)
#define JET_errRecoveredWithErrors (-527)
#define JET_errMissingLogFile (-528)
#define JET_errLogDiskFull (-529)
#define JET_errBadLogSignature (-530)
#define JET_errBadDbSignature (-531)
#define JET_errBadCheckpointSignature (-532)
#define JET_errCheckpointCorrupt (-533)
#define JET_errMissingPatchPage (-534)
#define JET_errBadPatchPage (-535)
#define JET_errPatchFileMissing (-538)
#define JET_errDatabaseLogSetMismatch (-539)
#define JET_errLogFileSizeMismatch (-541)
#define JET_errCheckpointFileNotFound (-542)
#define JET_errRequiredLogFilesMissing (-543)
#define JET_errSoftRecoveryOnBackupDatabase (-544)
#define JET_errDatabaseDirtyShutdown (-550)
#define JET_errDatabaseInconsistent JET_errDatabaseDirtyShutdown
#define JET_errConsistentTimeMismatch (-551)
#define JET_errDatabasePatchFileMismatch (-552)
#define JET_errEndingRestoreLogTooLow (-553)
#define JET_errStartingRestoreLogTooHigh (-554)
#define JET_errGivenLogFileHasBadSignature (-555)
#define JET_errGivenLogFileIsNotContiguous (-556)
#define JET_errMissingRestoreLogFiles (-557)
#define JET_wrnExistingLogFileHasBadSignature 558
#define JET_wrnExistingLogFileIsNotContiguous 559
#define JET_errMissingFullBackup (-560)
#define JET_errBadBackupDatabaseSize (-561)
#define JET_errMissingCurrentLogFiles (-565)
#define JET_errMissingFileToBackup (-569)
#define JET_errBadRestoreTargetInstance (-577)
#define JET_errExistingLogFileHasBadSignature (-610)
#define JET_errExistingLogFileIsNotContiguous (-611)
#define JET_errLogReadVerifyFailure (-612)
#define JET_errRestoreOfNonBackupDatabase (-615)
#define JET_errLogFileNotCopied (-616)
#define JET_errSurrogateBackupInProgress (-617)
#define JET_errBackupAbortByServer (-801)
#define JET_errInvalidGrbit (-900)
#define JET_errTermInProgress (-1000)
#define JET_errFeatureNotAvailable (-1001)
#define JET_errInvalidName (-1002)
#define JET_errInvalidParameter (-1003)
#define JET_wrnBufferTruncated 1006
#define JET_errOutOfMemory (-1011)
#define JET_errReadVerifyFailure (-1018)
#define JET_errPageNotInitialized (-1019)
#define JET_errOutOfFileHandles (-1020)
#define JET_errDiskIO (-1022)
#define JET_errInvalidPath (-1023)
#define JET_errInvalidLogDirectory (-1025)
#define JET_errNotInitialized (-1029)
#define JET_errAlreadyInitialized (-1030)
#define JET_errFileAccessDenied (-1032)
#define JET_errBufferTooSmall (-1038)
#define JET_errInvalidFilename (-1044)
#define JET_errRunningInOneInstanceMode (-1080)
#define JET_errRunningInMultiInstanceMode (-1081)
#define JET_errInstanceNameInUse (-1086)
#define JET_errInstanceUnavailable (-1090)
#define JET_errInstanceUnavailableDueToFatalLogDiskFull (-1092)
#define JET_errInvalidSesid (-1104)
#define JET_errInvalidInstance (-1115)
#define JET_errReadPgnoVerifyFailure (-1118)
#define JET_errReadLostFlushVerifyFailure (-1119)
#define JET_errDatabaseInUse (-1202)
#define JET_errDatabaseNotFound (-1203)
#define JET_errDatabaseCorrupted (-1206)
#define JET_errDatabaseSharingViolation (-1215)
#define JET_errClientRequestToStopJetService (-1329)
#define JET_errDiskFull (-1808)
#define JET_errPermissionDenied (-1809)
#define JET_errFileNotFound (-1811)
#define JET_errLogCorrupted (-1852)
#define JET_errInvalidOperation (-1906)
#define JET_errAccessDenied (-1907)
#define JET_errCallbackFailed (-2101)

/* ---- Instances ------------------------------------------------------------------------------ */

/*
 * JetCreateInstance(2) (ESENT.@) - a new instance named szInstanceName (the server it will run:
 * see the top). Puts the process in multi-instance mode. Errors: -1003 (NULL pinstance),
 * -1086 (the name is in use by a live instance), -1080 (legacy mode already).
 */
JET_ERR JET_API JetCreateInstanceA(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName);
JET_ERR JET_API JetCreateInstanceW(JET_INSTANCE *pinstance, JET_PCWSTR szInstanceName);
JET_ERR JET_API JetCreateInstance2A(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName, JET_PCSTR szDisplayName,
                                    JET_GRBIT grbit);
JET_ERR JET_API JetCreateInstance2W(JET_INSTANCE *pinstance, JET_PCWSTR szInstanceName, JET_PCWSTR szDisplayName,
                                    JET_GRBIT grbit);

/*
 * JetSetSystemParameter (ESENT.@) - pinstance NULL or pointing to 0: the process-wide defaults
 * (new instances copy them; legacy mode uses them). JET_paramSystemPath, JET_paramLogFilePath,
 * JET_paramBaseName take szParam, JET_paramCircularLog lParam. Errors: -1030 (a path parameter
 * after JetInit), -1003 (a bad value or a NULL string, an unknown instance).
 */
JET_ERR JET_API JetSetSystemParameterA(JET_INSTANCE *pinstance, JET_SESID sesid, uint32_t paramid, JET_API_PTR lParam,
                                       JET_PCSTR szParam);
JET_ERR JET_API JetSetSystemParameterW(JET_INSTANCE *pinstance, JET_SESID sesid, uint32_t paramid, JET_API_PTR lParam,
                                       JET_PCWSTR szParam);

/*
 * JetGetSystemParameter (ESENT.@) - a parameter's value: strings into szParam (cbMax bytes),
 * numbers into *plParam. After JetInit the paths are the server's local folders ("/.../logs/").
 * Errors: -1003, -1038 (cbMax too small for the string).
 */
JET_ERR JET_API JetGetSystemParameterA(JET_INSTANCE instance, JET_SESID sesid, uint32_t paramid, JET_API_PTR *plParam,
                                       JET_PSTR szParam, uint32_t cbMax);
JET_ERR JET_API JetGetSystemParameterW(JET_INSTANCE instance, JET_SESID sesid, uint32_t paramid, JET_API_PTR *plParam,
                                       JET_PWSTR szParam, uint32_t cbMax);

/*
 * JetInit(2) (ESENT.@) - starts the instance: binds it to its server, starting a stopped server
 * (soft recovery, or hard recovery of a completed restore). pinstance NULL or pointing to 0 or
 * JET_instanceNil: legacy mode (the process-wide parameters; the handle is written back if
 * pinstance is not NULL). Errors: -1030 (initialized), -1081 (legacy JetInit in multi-instance
 * mode), -1090 (no server for the name or paths), -1023 (a path that is not the server's), and a
 * start's errors (-506 a restore registered and not complete, -544 ...).
 */
JET_ERR JET_API JetInit(JET_INSTANCE *pinstance);
JET_ERR JET_API JetInit2(JET_INSTANCE *pinstance, JET_GRBIT grbit);

/*
 * JetTerm(2) (ESENT.@) - ends the instance; its handle is invalid after. The server keeps running
 * for its other clients. A running backup makes it fail with -505 unless JET_bitTermStopBackup,
 * which stops it (-801 for its later calls). Errors: -1003 (unknown instance).
 */
JET_ERR JET_API JetTerm(JET_INSTANCE instance);
JET_ERR JET_API JetTerm2(JET_INSTANCE instance, JET_GRBIT grbit);

/* ---- Streaming backup ----------------------------------------------------------------------- */

/*
 * JetBeginExternalBackup(Instance) (ESENT.@) - starts a backup. grbit: 0 (full) or
 * JET_bitBackupIncremental; other bits -900. Errors in ESE's order: -900, -526 (incremental with
 * circular logging), -505 (a backup runs, any process), -560 (incremental without a full backup
 * recorded); -1029 (not initialized), -1003 (unknown instance).
 */
JET_ERR JET_API JetBeginExternalBackup(JET_GRBIT grbit);
JET_ERR JET_API JetBeginExternalBackupInstance(JET_INSTANCE instance, JET_GRBIT grbit);

/*
 * JetGetAttachInfo(Instance) (ESENT.@) - the databases (local paths), a double-NUL multi-string.
 * *pcbActual is always the full size in bytes; min(cbMax, size) bytes are copied (truncation is
 * silent). Errors: -520, -801, -521 (incremental); any error aborts the backup.
 */
JET_ERR JET_API JetGetAttachInfoA(JET_PSTR szzDatabases, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetAttachInfoW(JET_PWSTR wszzDatabases, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetAttachInfoInstanceA(JET_INSTANCE instance, JET_PSTR szzDatabases, uint32_t cbMax,
                                          uint32_t *pcbActual);
JET_ERR JET_API JetGetAttachInfoInstanceW(JET_INSTANCE instance, JET_PWSTR wszzDatabases, uint32_t cbMax,
                                          uint32_t *pcbActual);

/*
 * JetOpenFile(Instance) (ESENT.@) - opens a database (database phase) or a log (log phase). The
 * handle is 0: one file at a time. Errors: -520, -801, -1003 (NULL or empty name, NULL outputs),
 * -1011 (a file is open), -1203 (not a database, in the database phase: the backup goes on),
 * -521 (a database in the log phase: the backup is aborted), -569 (a log that does not exist:
 * aborted).
 */
JET_ERR JET_API JetOpenFileA(JET_PCSTR szFileName, JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,
                             uint32_t *pulFileSizeHigh);
JET_ERR JET_API JetOpenFileW(JET_PCWSTR szFileName, JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,
                             uint32_t *pulFileSizeHigh);
JET_ERR JET_API JetOpenFileInstanceA(JET_INSTANCE instance, JET_PCSTR szFileName, JET_HANDLE *phfFile,
                                     uint32_t *pulFileSizeLow, uint32_t *pulFileSizeHigh);
JET_ERR JET_API JetOpenFileInstanceW(JET_INSTANCE instance, JET_PCWSTR szFileName, JET_HANDLE *phfFile,
                                     uint32_t *pulFileSizeLow, uint32_t *pulFileSizeHigh);

/*
 * JetReadFile(Instance) (ESENT.@) - the next chunk of the open file; 0 bytes after its end.
 * pv 4 KiB-aligned, cb a non-zero multiple of the page size (8192), the first read of a database
 * at least 3 pages, of a log at least 2; else -1003. Errors: -520, -801, -1003 (also hfFile not
 * the open file), -1018/-1118 (a bad database page: that file is closed, the backup goes on),
 * -612 (a damaged log: aborted).
 */
JET_ERR JET_API JetReadFile(JET_HANDLE hfFile, void *pv, uint32_t cb, uint32_t *pcbActual);
JET_ERR JET_API JetReadFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile, void *pv, uint32_t cb,
                                    uint32_t *pcbActual);

/* JetCloseFile(Instance) (ESENT.@) - closes the open file. Errors: -520, -1003 (bad handle). */
JET_ERR JET_API JetCloseFile(JET_HANDLE hfFile);
JET_ERR JET_API JetCloseFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile);

/*
 * JetGetLogInfo(Instance)(2) (ESENT.@) - the logs to copy (local paths); the first call rolls the
 * log and ends the database phase. With a buffer, *pcbActual is min(cbMax, size), as ESE reports
 * it; without one (szzLogs NULL), the full size. Version 2 also fills pLogInfo (its cbSize must
 * be sizeof(JET_LOGINFO_A/W), else -1003). Errors: -520, -801, -521 (a file open), -569 (a gap
 * since the last backup, incremental); any error aborts the backup.
 */
JET_ERR JET_API JetGetLogInfoA(JET_PSTR szzLogs, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetLogInfoW(JET_PWSTR wszzLogs, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetLogInfoInstanceA(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetLogInfoInstanceW(JET_INSTANCE instance, JET_PWSTR wszzLogs, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetLogInfoInstance2A(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax, uint32_t *pcbActual,
                                        JET_LOGINFO_A *pLogInfo);
JET_ERR JET_API JetGetLogInfoInstance2W(JET_INSTANCE instance, JET_PWSTR wszzLogs, uint32_t cbMax, uint32_t *pcbActual,
                                        JET_LOGINFO_W *pLogInfo);

/* JetGetTruncateLogInfoInstance (ESENT.@) - the logs a truncation would delete; as JetGetLogInfo. */
JET_ERR JET_API JetGetTruncateLogInfoInstanceA(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                                               uint32_t *pcbActual);
JET_ERR JET_API JetGetTruncateLogInfoInstanceW(JET_INSTANCE instance, JET_PWSTR wszzLogs, uint32_t cbMax,
                                               uint32_t *pcbActual);

/*
 * JetTruncateLog(Instance) (ESENT.@) - deletes the logs the backup made redundant, oldest first.
 * Errors: -520, -801, -521 (a file open, or no log list taken), -616 (a listed log not read to
 * its end).
 */
JET_ERR JET_API JetTruncateLog(void);
JET_ERR JET_API JetTruncateLogInstance(JET_INSTANCE instance);

/*
 * JetEndExternalBackup(Instance)(2) (ESENT.@) - ends the backup. grbit: exactly one of
 * JET_bitBackupEndNormal / JET_bitBackupEndAbort (else -1003 and the backup stays open), plus
 * JET_bitBackupTruncateDone. Succeeds however the backup went; a normal end after the log list
 * records it in the database headers. Errors: -520 (no backup), -1003.
 */
JET_ERR JET_API JetEndExternalBackup(void);
JET_ERR JET_API JetEndExternalBackupInstance(JET_INSTANCE instance);
JET_ERR JET_API JetEndExternalBackupInstance2(JET_INSTANCE instance, JET_GRBIT grbit);

/*
 * JetStopBackup(Instance) (ESENT.@) - from any thread: the running backup's later calls get -801
 * until it is ended. Errors: -1003 (not a running instance), -1081 (JetStopBackup in
 * multi-instance mode).
 */
JET_ERR JET_API JetStopBackup(void);
JET_ERR JET_API JetStopBackupInstance(JET_INSTANCE instance);

/* ---- Restore -------------------------------------------------------------------------------- */

/*
 * JetExternalRestore(2) (ESENT.@) - hard recovery now: the restored databases (rgrstmap, new
 * names as local paths of one stopped server) are recovered through generations genLow..genHigh
 * (JetExternalRestore2: pLogInfo's range) found in szBackupLogPath, any local folder. The server
 * stays stopped with consistent databases; JetInit starts it. szCheckpointFilePath and szLogPath
 * may be NULL or the server's folders. pfn, if given, sees JET_snpRestore begin, progress per
 * generation, complete. Errors: -1003, -1023, -1202 (the server runs), -615, -554, -553, -528,
 * -556, -530, -531, -501, -1018, -1206.
 */
JET_ERR JET_API JetExternalRestoreA(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath, JET_RSTMAP_A *rgrstmap,
                                    int32_t crstfilemap, JET_PSTR szBackupLogPath, int32_t genLow, int32_t genHigh,
                                    JET_PFNSTATUS pfn);
JET_ERR JET_API JetExternalRestoreW(JET_PWSTR szCheckpointFilePath, JET_PWSTR szLogPath, JET_RSTMAP_W *rgrstmap,
                                    int32_t crstfilemap, JET_PWSTR szBackupLogPath, int32_t genLow, int32_t genHigh,
                                    JET_PFNSTATUS pfn);
JET_ERR JET_API JetExternalRestore2A(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath, JET_RSTMAP_A *rgrstmap,
                                     int32_t crstfilemap, JET_PSTR szBackupLogPath, JET_LOGINFO_A *pLogInfo,
                                     JET_PSTR szTargetInstanceName, JET_PSTR szTargetInstanceLogPath,
                                     JET_PSTR szTargetInstanceCheckpointPath, JET_PFNSTATUS pfn);
JET_ERR JET_API JetExternalRestore2W(JET_PWSTR szCheckpointFilePath, JET_PWSTR szLogPath, JET_RSTMAP_W *rgrstmap,
                                     int32_t crstfilemap, JET_PWSTR szBackupLogPath, JET_LOGINFO_W *pLogInfo,
                                     JET_PWSTR szTargetInstanceName, JET_PWSTR szTargetInstanceLogPath,
                                     JET_PWSTR szTargetInstanceCheckpointPath, JET_PFNSTATUS pfn);

/*
 * JetBackup(Instance) (ESENT.@) - the engine backs up into a folder itself: a full backup (into an
 * empty folder, else -504; JET_bitBackupAtomic: the old backup in the folder is replaced only
 * once the new one is complete) or JET_bitBackupIncremental (the logs, added to the folder); the
 * logs are truncated after. pfnStatus sees JET_snpBackup. Errors: those of the streaming backup,
 * -900 (other bits, or Atomic with Incremental), -1003 (NULL path).
 */
JET_ERR JET_API JetBackupA(JET_PCSTR szBackupPath, JET_GRBIT grbit, JET_PFNSTATUS pfnStatus);
JET_ERR JET_API JetBackupW(JET_PCWSTR szBackupPath, JET_GRBIT grbit, JET_PFNSTATUS pfnStatus);
JET_ERR JET_API JetBackupInstanceA(JET_INSTANCE instance, JET_PCSTR szBackupPath, JET_GRBIT grbit,
                                   JET_PFNSTATUS pfnStatus);
JET_ERR JET_API JetBackupInstanceW(JET_INSTANCE instance, JET_PCWSTR szBackupPath, JET_GRBIT grbit,
                                   JET_PFNSTATUS pfnStatus);

/*
 * JetRestore(2)/JetRestoreInstance (ESENT.@) - restores a folder JetBackup wrote onto the
 * instance's server, before JetInit (the server stopped, else -1202): the databases are put in
 * place and recovered through the folder's logs. szDest must be NULL. pfn sees JET_snpRestore.
 * Errors: -1030 (the instance is initialized), -1023, and JetExternalRestore's.
 */
JET_ERR JET_API JetRestoreA(JET_PCSTR szSource, JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestoreW(JET_PCWSTR szSource, JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestore2A(JET_PCSTR sz, JET_PCSTR szDest, JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestore2W(JET_PCWSTR sz, JET_PCWSTR szDest, JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestoreInstanceA(JET_INSTANCE instance, JET_PCSTR sz, JET_PCSTR szDest, JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestoreInstanceW(JET_INSTANCE instance, JET_PCWSTR sz, JET_PCWSTR szDest, JET_PFNSTATUS pfn);

/* ---- Generic names -------------------------------------------------------------------------- */

#ifdef JET_UNICODE
#define JET_RSTMAP JET_RSTMAP_W
#define JET_LOGINFO JET_LOGINFO_W
#define JetCreateInstance JetCreateInstanceW
#define JetCreateInstance2 JetCreateInstance2W
#define JetSetSystemParameter JetSetSystemParameterW
#define JetGetSystemParameter JetGetSystemParameterW
#define JetGetAttachInfo JetGetAttachInfoW
#define JetGetAttachInfoInstance JetGetAttachInfoInstanceW
#define JetOpenFile JetOpenFileW
#define JetOpenFileInstance JetOpenFileInstanceW
#define JetGetLogInfo JetGetLogInfoW
#define JetGetLogInfoInstance JetGetLogInfoInstanceW
#define JetGetLogInfoInstance2 JetGetLogInfoInstance2W
#define JetGetTruncateLogInfoInstance JetGetTruncateLogInfoInstanceW
#define JetExternalRestore JetExternalRestoreW
#define JetExternalRestore2 JetExternalRestore2W
#define JetBackup JetBackupW
#define JetBackupInstance JetBackupInstanceW
#define JetRestore JetRestoreW
#define JetRestore2 JetRestore2W
#define JetRestoreInstance JetRestoreInstanceW
#else
#define JET_RSTMAP JET_RSTMAP_A
#define JET_LOGINFO JET_LOGINFO_A
#define JetCreateInstance JetCreateInstanceA
#define JetCreateInstance2 JetCreateInstance2A
#define JetSetSystemParameter JetSetSystemParameterA
#define JetGetSystemParameter JetGetSystemParameterA
#define JetGetAttachInfo JetGetAttachInfoA
#define JetGetAttachInfoInstance JetGetAttachInfoInstanceA
#define JetOpenFile JetOpenFileA
#define JetOpenFileInstance JetOpenFileInstanceA
#define JetGetLogInfo JetGetLogInfoA
#define JetGetLogInfoInstance JetGetLogInfoInstanceA
#define JetGetLogInfoInstance2 JetGetLogInfoInstance2A
#define JetGetTruncateLogInfoInstance JetGetTruncateLogInfoInstanceA
#define JetExternalRestore JetExternalRestoreA
#define JetExternalRestore2 JetExternalRestore2A
#define JetBackup JetBackupA
#define JetBackupInstance JetBackupInstanceA
#define JetRestore JetRestoreA
#define JetRestore2 JetRestore2A
#define JetRestoreInstance JetRestoreInstanceA
#endif

WB_END_DECLS

#endif /* WINBACKUP_ESENT_H */
