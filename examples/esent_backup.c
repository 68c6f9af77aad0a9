/*
 * esent_backup.c - a streaming backup agent written for Windows' esent.dll, run on Linux against
 * libesent.so (libwinbackup.so under the Windows name). It loads the library as a Windows program
 * loads esent.dll (LoadLibrary, GetProcAddress: win32_compat.h) and uses esent.h's types.
 *
 *   esent_backup INSTANCE OUTDIR [--incremental]
 *
 * The external backup sequence of the ESE documentation: JetCreateInstance, JetInit,
 * JetBeginExternalBackupInstance, JetGetAttachInfoInstance, for each database JetOpenFileInstance /
 * JetReadFileInstance / JetCloseFileInstance, JetGetLogInfoInstance2 and the same for each log,
 * JetTruncateLogInstance, JetEndExternalBackupInstance2, JetTerm. Every file is written into
 * OUTDIR under its file name; esent_backup.txt records each database's original path (the restore
 * map's szDatabaseName) and the log range. Any failure ends the backup with JET_bitBackupEndAbort.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "esent.h"
#include "win32_compat.h"

#define READ_SIZE (1024 * 1024) /* a multiple of the 8 KiB page, at least 3 pages */

/* The functions this agent looks up, typed from esent.h's prototypes. */
static struct {
    __typeof__(JetCreateInstanceA) *JetCreateInstanceA;
    __typeof__(JetInit) *JetInit;
    __typeof__(JetTerm) *JetTerm;
    __typeof__(JetBeginExternalBackupInstance) *JetBeginExternalBackupInstance;
    __typeof__(JetGetAttachInfoInstanceA) *JetGetAttachInfoInstanceA;
    __typeof__(JetOpenFileInstanceA) *JetOpenFileInstanceA;
    __typeof__(JetReadFileInstance) *JetReadFileInstance;
    __typeof__(JetCloseFileInstance) *JetCloseFileInstance;
    __typeof__(JetGetLogInfoInstance2A) *JetGetLogInfoInstance2A;
    __typeof__(JetTruncateLogInstance) *JetTruncateLogInstance;
    __typeof__(JetEndExternalBackupInstance2) *JetEndExternalBackupInstance2;
} esent;

static JET_INSTANCE instance;
static int backup_running;
static const char *out_dir;
static FILE *manifest;
static unsigned long long bytes_total;

static const char *jet_name(JET_ERR err) {
    switch (err) {
    case JET_errSuccess: return "JET_errSuccess";
    case JET_errBackupInProgress: return "JET_errBackupInProgress";
    case JET_errNoBackup: return "JET_errNoBackup";
    case JET_errInvalidBackupSequence: return "JET_errInvalidBackupSequence";
    case JET_errInvalidBackup: return "JET_errInvalidBackup";
    case JET_errMissingFullBackup: return "JET_errMissingFullBackup";
    case JET_errMissingFileToBackup: return "JET_errMissingFileToBackup";
    case JET_errLogReadVerifyFailure: return "JET_errLogReadVerifyFailure";
    case JET_errLogFileNotCopied: return "JET_errLogFileNotCopied";
    case JET_errBackupAbortByServer: return "JET_errBackupAbortByServer";
    case JET_errInvalidGrbit: return "JET_errInvalidGrbit";
    case JET_errInvalidParameter: return "JET_errInvalidParameter";
    case JET_errOutOfMemory: return "JET_errOutOfMemory";
    case JET_errReadVerifyFailure: return "JET_errReadVerifyFailure";
    case JET_errInvalidPath: return "JET_errInvalidPath";
    case JET_errNotInitialized: return "JET_errNotInitialized";
    case JET_errInstanceNameInUse: return "JET_errInstanceNameInUse";
    case JET_errRunningInOneInstanceMode: return "JET_errRunningInOneInstanceMode";
    case JET_errRunningInMultiInstanceMode: return "JET_errRunningInMultiInstanceMode";
    case JET_errInstanceUnavailable: return "JET_errInstanceUnavailable";
    case JET_errDatabaseNotFound: return "JET_errDatabaseNotFound";
    default: return "";
    }
}

/* Reports a failed call, ends the backup with JET_bitBackupEndAbort, ends the instance: exit 1. */
static void fail(const char *call, JET_ERR err) {
    if (err != JET_errSuccess) printf("%s failed: %d %s\n", call, (int)err, jet_name(err));
    else printf("%s\n", call);
    if (backup_running) {
        JET_ERR end = esent.JetEndExternalBackupInstance2(instance, JET_bitBackupEndAbort);
        printf("JetEndExternalBackupInstance2(JET_bitBackupEndAbort): %d %s\n", (int)end, jet_name(end));
    }
    if (instance) esent.JetTerm(instance);
    printf("backup FAILED\n");
    exit(1);
}

/* The part of a path after its last '/' or '\'. */
static const char *file_name(const char *path) {
    const char *slash = strrchr(path, '/'), *backslash = strrchr(path, '\\');
    if (backslash > slash) slash = backslash;
    return slash ? slash + 1 : path;
}

/* JetOpenFileInstance, JetReadFileInstance until it gives 0 bytes, JetCloseFileInstance: one file
 * into OUTDIR, its byte count checked against the size JetOpenFileInstance reported. */
static void copy_file(const char *path, void *buffer) {
    JET_HANDLE file = JET_handleNil;
    uint32_t low = 0, high = 0;
    JET_ERR err = esent.JetOpenFileInstanceA(instance, path, &file, &low, &high);
    if (err != JET_errSuccess) fail("JetOpenFileInstance", err);
    unsigned long long size = (unsigned long long)high << 32 | low, done = 0;

    char target[4096];
    snprintf(target, sizeof target, "%s/%s", out_dir, file_name(path));
    FILE *out = fopen(target, "wb");
    if (!out) fail("cannot create the copy in OUTDIR", JET_errSuccess);
    for (;;) {
        uint32_t got = 0;
        err = esent.JetReadFileInstance(instance, file, buffer, READ_SIZE, &got);
        if (err != JET_errSuccess) fail("JetReadFileInstance", err);
        if (got == 0) break;
        if (fwrite(buffer, 1, got, out) != got) fail("cannot write the copy", JET_errSuccess);
        done += got;
    }
    if (fclose(out) != 0) fail("cannot write the copy", JET_errSuccess);
    err = esent.JetCloseFileInstance(instance, file);
    if (err != JET_errSuccess) fail("JetCloseFileInstance", err);
    if (done != size) {
        printf("%s: read %llu bytes, JetOpenFileInstance reported %llu\n", path, done, size);
        fail("short copy", JET_errSuccess);
    }
    printf("  %-60s %10llu bytes\n", path, done);
    bytes_total += done;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--incremental") != 0)) {
        fprintf(stderr, "usage: %s INSTANCE OUTDIR [--incremental]\n", argv[0]);
        return 2;
    }
    int incremental = argc == 4;
    out_dir = argv[2];
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
        printf("cannot create %s\n", out_dir);
        return 1;
    }

    /* 1. Load esent.dll and look up its functions. */
    HMODULE module = LoadLibrary("esent.dll");
    if (!module) {
        printf("LoadLibrary(esent.dll) failed: error %u (%s)\n", (unsigned)GetLastError(), dlerror());
        return 1;
    }
#define GET(fn)                                                                                  \
    if (!(esent.fn = (__typeof__(esent.fn))GetProcAddress(module, #fn))) {                       \
        printf("GetProcAddress(%s) failed: error %u\n", #fn, (unsigned)GetLastError());          \
        return 1;                                                                                \
    }
    GET(JetCreateInstanceA) GET(JetInit) GET(JetTerm) GET(JetBeginExternalBackupInstance)
    GET(JetGetAttachInfoInstanceA) GET(JetOpenFileInstanceA) GET(JetReadFileInstance) GET(JetCloseFileInstance)
    GET(JetGetLogInfoInstance2A) GET(JetTruncateLogInstance) GET(JetEndExternalBackupInstance2)
#undef GET

    /* 2. JetCreateInstance + JetInit: the instance of the server to back up. */
    JET_ERR err = esent.JetCreateInstanceA(&instance, argv[1]);
    if (err != JET_errSuccess) {
        instance = 0;
        fail("JetCreateInstance", err);
    }
    err = esent.JetInit(&instance);
    if (err != JET_errSuccess) fail("JetInit", err);

    /* 3. JetBeginExternalBackupInstance: full, or the logs since the last backup. */
    err = esent.JetBeginExternalBackupInstance(instance, incremental ? JET_bitBackupIncremental : 0);
    if (err != JET_errSuccess) fail("JetBeginExternalBackupInstance", err);
    backup_running = 1;
    printf("%s backup of %s into %s\n", incremental ? "incremental" : "full", argv[1], out_dir);

    char path[4096];
    snprintf(path, sizeof path, "%s/esent_backup.txt", out_dir);
    manifest = fopen(path, "w");
    if (!manifest) fail("cannot create esent_backup.txt", JET_errSuccess);
    fprintf(manifest, "instance\t%s\ntype\t%s\n", argv[1], incremental ? "incremental" : "full");
    void *buffer = aligned_alloc(4096, READ_SIZE); /* JetReadFile wants a 4 KiB-aligned buffer */
    if (!buffer) fail("out of memory", JET_errSuccess);

    /* 4. JetGetAttachInfoInstance (full only), the buffer grown until the list fits; then each
     *    database: JetOpenFileInstance, JetReadFileInstance..., JetCloseFileInstance. */
    int databases = 0, logs = 0;
    if (!incremental) {
        uint32_t cbMax = 32, cbActual = 0; /* a first guess: the loop grows it to *pcbActual */
        char *list = NULL;
        do {
            char *bigger = realloc(list, cbActual > cbMax ? (cbMax = cbActual) : cbMax);
            if (!bigger) fail("out of memory", JET_errSuccess);
            list = bigger;
            err = esent.JetGetAttachInfoInstanceA(instance, list, cbMax, &cbActual);
            if (err != JET_errSuccess) fail("JetGetAttachInfoInstance", err);
        } while (cbActual > cbMax);
        for (const char *db = list; *db; db += strlen(db) + 1, databases++) {
            copy_file(db, buffer);
            fprintf(manifest, "database\t%s\t%s\n", file_name(db), db);
        }
        free(list);
    }

    /* 5. JetGetLogInfoInstance2: the logs (it rolls the log; the database phase is over). Its
     *    byte count is min(cbMax, size), so the size comes first, from a call without a buffer. */
    JET_LOGINFO_A info = {.cbSize = sizeof info};
    uint32_t cbLogs = 0;
    err = esent.JetGetLogInfoInstance2A(instance, NULL, 0, &cbLogs, &info);
    if (err != JET_errSuccess) fail("JetGetLogInfoInstance2 (size)", err);
    char *logList = calloc(1, cbLogs + 2);
    if (!logList) fail("out of memory", JET_errSuccess);
    err = esent.JetGetLogInfoInstance2A(instance, logList, cbLogs + 2, &cbLogs, &info);
    if (err != JET_errSuccess) fail("JetGetLogInfoInstance2", err);
    printf("logs: generations %u-%u (%s%05X.log-%s%05X.log)\n", (unsigned)info.ulGenLow, (unsigned)info.ulGenHigh,
           info.szBaseName, (unsigned)info.ulGenLow, info.szBaseName, (unsigned)info.ulGenHigh);
    fprintf(manifest, "logs\t%u\t%u\n", (unsigned)info.ulGenLow, (unsigned)info.ulGenHigh);

    /* 6. Each log: JetOpenFileInstance, JetReadFileInstance..., JetCloseFileInstance. */
    for (const char *log = logList; *log; log += strlen(log) + 1, logs++) copy_file(log, buffer);
    free(logList);
    free(buffer);
    if (fclose(manifest) != 0) fail("cannot write esent_backup.txt", JET_errSuccess);

    /* 7. JetTruncateLogInstance: the logs this backup made redundant are deleted. */
    err = esent.JetTruncateLogInstance(instance);
    if (err != JET_errSuccess) fail("JetTruncateLogInstance", err);

    /* 8. JetEndExternalBackupInstance2(JET_bitBackupEndNormal): recorded in the database headers. */
    err = esent.JetEndExternalBackupInstance2(instance, JET_bitBackupEndNormal);
    backup_running = 0;
    if (err != JET_errSuccess) fail("JetEndExternalBackupInstance2", err);

    /* 9. JetTerm: the instance ends; the server goes on running. */
    err = esent.JetTerm(instance);
    instance = 0;
    if (err != JET_errSuccess) fail("JetTerm", err);
    FreeLibrary(module);
    printf("backup complete: %s, %d database(s), %d log(s), %llu bytes, logs truncated\n",
           incremental ? "incremental" : "full", databases, logs, bytes_total);
    return 0;
}
