/*
 * certsrv_backup.c - a Certificate Services backup agent written for Windows' Certadm.dll, run on
 * Linux against libcertadm.so (win32_compat.h maps LoadLibrary("Certadm.dll") to it).
 *
 *   certsrv_backup SERVER OUTDIR [--incremental] [--keep-log]
 *
 * Microsoft's "Backing Up Certificate Services" steps, in order: LoadLibrary and GetProcAddress;
 * CertSrvIsServerOnline; CertSrvBackupPrepare (CSBACKUP_TYPE_FULL, or CSBACKUP_TYPE_LOGS_ONLY
 * with --incremental); CertSrvRestoreGetDatabaseLocations, saved with the backup;
 * CertSrvBackupGetDatabaseNames and, for each, CertSrvBackupOpenFile / CertSrvBackupRead until
 * it returns 0 bytes / CertSrvBackupClose (full backups only); CertSrvBackupGetBackupLogs and
 * the same for each log; CertSrvBackupTruncateLogs (unless --keep-log); CertSrvBackupGetDynamicFileList,
 * copied by ordinary file I/O; CertSrvBackupEnd; CertSrvBackupFree for every buffer; FreeLibrary.
 * OUTDIR receives the files and backup.txt (certsrv_files.h), what certsrv_restore reads.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certbcli.h"
#include "certsrv_files.h"
#include "win32_compat.h"

#define READ_SIZE 524288 /* the docs sample's buffer; also the cbReadHintSize */

static struct {
    FNCERTSRVISSERVERONLINEW *IsServerOnline;
    FNCERTSRVBACKUPPREPAREW *BackupPrepare;
    FNCERTSRVRESTOREGETDATABASELOCATIONSW *RestoreGetDatabaseLocations;
    FNCERTSRVBACKUPGETDATABASENAMESW *BackupGetDatabaseNames;
    FNCERTSRVBACKUPOPENFILEW *BackupOpenFile;
    FNCERTSRVBACKUPREAD *BackupRead;
    FNCERTSRVBACKUPCLOSE *BackupClose;
    FNCERTSRVBACKUPGETBACKUPLOGSW *BackupGetBackupLogs;
    FNCERTSRVBACKUPTRUNCATELOGS *BackupTruncateLogs;
    FNCERTSRVBACKUPGETDYNAMICFILELISTW *BackupGetDynamicFileList;
    FNCERTSRVBACKUPEND *BackupEnd;
    FNCERTSRVBACKUPFREE *BackupFree;
    FNWBRESOLVEPATHW *ResolvePath; /* not Certadm's: see certsrv_files.h */
} Cs;

static const char *server_name, *out_dir;
static FILE *manifest;
static long long byte_count;

/* GetProcAddress, by the name each function has in Certadm.dll. */
static int load(HINSTANCE hInst) {
#define GET(field, type, name)                                                                    \
    if (NULL == (Cs.field = (type *)GetProcAddress(hInst, name))) {                               \
        printf("Failed GetProcAddress - %s, error=%d\n", name, GetLastError());                  \
        return 0;                                                                                 \
    }
    GET(IsServerOnline, FNCERTSRVISSERVERONLINEW, "CertSrvIsServerOnlineW")
    GET(BackupPrepare, FNCERTSRVBACKUPPREPAREW, "CertSrvBackupPrepareW")
    GET(RestoreGetDatabaseLocations, FNCERTSRVRESTOREGETDATABASELOCATIONSW, "CertSrvRestoreGetDatabaseLocationsW")
    GET(BackupGetDatabaseNames, FNCERTSRVBACKUPGETDATABASENAMESW, "CertSrvBackupGetDatabaseNamesW")
    GET(BackupOpenFile, FNCERTSRVBACKUPOPENFILEW, "CertSrvBackupOpenFileW")
    GET(BackupRead, FNCERTSRVBACKUPREAD, "CertSrvBackupRead")
    GET(BackupClose, FNCERTSRVBACKUPCLOSE, "CertSrvBackupClose")
    GET(BackupGetBackupLogs, FNCERTSRVBACKUPGETBACKUPLOGSW, "CertSrvBackupGetBackupLogsW")
    GET(BackupTruncateLogs, FNCERTSRVBACKUPTRUNCATELOGS, "CertSrvBackupTruncateLogs")
    GET(BackupGetDynamicFileList, FNCERTSRVBACKUPGETDYNAMICFILELISTW, "CertSrvBackupGetDynamicFileListW")
    GET(BackupEnd, FNCERTSRVBACKUPEND, "CertSrvBackupEnd")
    GET(BackupFree, FNCERTSRVBACKUPFREE, "CertSrvBackupFree")
    GET(ResolvePath, FNWBRESOLVEPATHW, "WbResolvePathW")
#undef GET
    return 1;
}

/* Prints a failed call as the docs samples do; 0, for "ok = failed(...)". */
static int failed(const char *call, HRESULT hr) {
    printf("Failed %s call [%x]\n", call, (unsigned)hr);
    return 0;
}

/* CertSrvBackupOpenFile (the name without its CSBFT character), CertSrvBackupRead until it
 * returns 0 bytes, CertSrvBackupClose: one listed file, into OUTDIR under its own name. */
static int back_up_file(HCSBC hCSBC, const WCHAR *entry, const char *kind) {
    static BYTE buffer[READ_SIZE];
    char unc[1024], path[4096];
    to_utf8(entry + 1, unc, sizeof unc);
    snprintf(path, sizeof path, "%s/%s", out_dir, base_name(unc));

    LARGE_INTEGER size;
    HRESULT hr = Cs.BackupOpenFile(hCSBC, entry + 1, READ_SIZE, &size);
    if (FAILED(hr)) return failed("CertSrvBackupOpenFile", hr);
    FILE *out = fopen(path, "wb");
    int ok = out != NULL;
    long long done = 0;
    while (ok) {
        DWORD cbRead = 0;
        hr = Cs.BackupRead(hCSBC, buffer, sizeof buffer, &cbRead);
        if (FAILED(hr)) ok = failed("CertSrvBackupRead", hr);
        if (!ok || cbRead == 0) break; /* the end of the file */
        ok = fwrite(buffer, 1, cbRead, out) == cbRead;
        done += cbRead;
    }
    if (out && fclose(out) != 0) ok = 0;
    hr = Cs.BackupClose(hCSBC);
    if (ok && FAILED(hr)) ok = failed("CertSrvBackupClose", hr);
    if (ok && done != size.QuadPart) {
        printf("%s: read %lld bytes, CertSrvBackupOpenFile announced %lld\n", unc, done, (long long)size.QuadPart);
        ok = 0;
    }
    if (!ok) return 0;
    printf("  %-8s %-52s %10lld bytes\n", kind, unc, done);
    fprintf(manifest, "%s\t%s\t%s\n", kind, base_name(unc), unc);
    byte_count += done;
    return 1;
}

/* Each entry of a GetDatabaseNames or GetBackupLogs list, checking its CSBFT character. */
static int back_up_list(HCSBC hCSBC, const WCHAR *list, CSBFT type, const char *kind, int *count) {
    for (const WCHAR *entry = list; entry && *entry; entry = next_entry(entry)) {
        if (entry[0] != type) {
            printf("unexpected CSBFT character 0x%02x in a %s list\n", entry[0], kind);
            return 0;
        }
        if (!back_up_file(hCSBC, entry, kind)) return 0;
        (*count)++;
    }
    return 1;
}

/* The dynamic files (the CRL, the CA certificate): plain UNC paths, copied as ordinary files. */
static int copy_dynamic_files(const WCHAR *list, int *count) {
    char unc[1024], local[4096], target[4096];
    for (const WCHAR *entry = list; entry && *entry; entry = next_entry(entry)) {
        to_utf8(entry, unc, sizeof unc);
        if (!local_path(Cs.ResolvePath, server_name, unc, local, sizeof local)) return 0;
        snprintf(target, sizeof target, "%s/dynamic/%s", out_dir, base_name(unc));
        long long size = copy_file(local, target);
        if (size < 0) return 0;
        printf("  %-8s %-52s %10lld bytes\n", "dynamic", unc, size);
        fprintf(manifest, "dynamic\tdynamic/%s\t%s\n", base_name(unc), unc);
        (*count)++;
    }
    return 1;
}

int main(int argc, char **argv) {
    int incremental = 0, keep_log = 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--incremental") == 0) incremental = 1;
        else if (strcmp(argv[i], "--keep-log") == 0) keep_log = 1;
        else argc = 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: %s SERVER OUTDIR [--incremental] [--keep-log]\n", argv[0]);
        return 2;
    }
    server_name = argv[1];
    out_dir = argv[2];
    char path[4096];
    snprintf(path, sizeof path, "%s/dynamic", out_dir);
    if (!make_dirs(path)) return 1;
    snprintf(path, sizeof path, "%s/%s", out_dir, MANIFEST_NAME);
    if (!(manifest = fopen(path, "w"))) return 1;

    /* 1. Load Certadm.dll and look up its functions. */
    HINSTANCE hInst = LoadLibrary("Certadm.dll");
    if (NULL == hInst) {
        printf("Failed LoadLibrary - Certadm.dll, error=%d (%s)\n", GetLastError(), dlerror());
        return 1;
    }
    if (!load(hInst)) return 1;

    /* 2. CertSrvIsServerOnline: Certificate Services must be running (paused will do). */
    WCHAR server[256];
    to_utf16(server_name, server, sizeof server / sizeof server[0]);
    BOOL fServerOnline = FALSE;
    HRESULT hr = Cs.IsServerOnline(server, &fServerOnline);
    if (FAILED(hr)) {
        failed("CertSrvIsServerOnline", hr);
        return 1;
    }
    printf("%s: Certificate Services %s\n", server_name, fServerOnline ? "running" : "paused");

    /* 3. CertSrvBackupPrepare. */
    HCSBC hCSBC = NULL;
    hr = Cs.BackupPrepare(server, 0, incremental ? CSBACKUP_TYPE_LOGS_ONLY : CSBACKUP_TYPE_FULL, &hCSBC);
    if (FAILED(hr)) {
        failed("CertSrvBackupPrepare", hr);
        return 1;
    }
    printf("%s backup of %s to %s\n", incremental ? "incremental" : "full", server_name, out_dir);
    fprintf(manifest, "server\t%s\ntype\t%s\n", server_name, incremental ? "incremental" : "full");

    WCHAR *locations = NULL, *databases = NULL, *logs = NULL, *dynamic = NULL;
    DWORD cb = 0;
    int ok = 1, n_databases = 0, n_logs = 0, n_dynamic = 0;

    /* 4. CertSrvRestoreGetDatabaseLocations: they are kept with the backup, as the CA will be
     *    stopped at restore time. */
    hr = Cs.RestoreGetDatabaseLocations(hCSBC, &locations, &cb);
    if (FAILED(hr)) ok = failed("CertSrvRestoreGetDatabaseLocations", hr);
    for (const WCHAR *entry = ok ? locations : NULL; entry && *entry; entry = next_entry(entry)) {
        to_utf8(entry + 1, path, sizeof path);
        fprintf(manifest, "location\t%02x\t%s\n", entry[0], path);
    }

    /* 5. CertSrvBackupGetDatabaseNames, each file opened, read, closed (not for logs only). */
    if (ok && !incremental) {
        hr = Cs.BackupGetDatabaseNames(hCSBC, &databases, &cb);
        if (FAILED(hr)) ok = failed("CertSrvBackupGetDatabaseNames", hr);
        ok = ok && back_up_list(hCSBC, databases, CSBFT_CERTSERVER_DATABASE, "database", &n_databases);
    }
    /* 6. CertSrvBackupGetBackupLogs, the same for each log. */
    if (ok) {
        hr = Cs.BackupGetBackupLogs(hCSBC, &logs, &cb);
        if (FAILED(hr)) ok = failed("CertSrvBackupGetBackupLogs", hr);
        ok = ok && back_up_list(hCSBC, logs, CSBFT_LOG, "log", &n_logs);
    }
    /* 7. CertSrvBackupTruncateLogs, only now that every file is saved. */
    if (fflush(manifest) != 0) ok = 0;
    if (ok && !keep_log) {
        hr = Cs.BackupTruncateLogs(hCSBC);
        if (FAILED(hr)) ok = failed("CertSrvBackupTruncateLogs", hr);
    }
    /* 8. CertSrvBackupGetDynamicFileList: to be backed up by other means. */
    if (ok) {
        hr = Cs.BackupGetDynamicFileList(hCSBC, &dynamic, &cb);
        if (FAILED(hr)) ok = failed("CertSrvBackupGetDynamicFileList", hr);
        ok = ok && copy_dynamic_files(dynamic, &n_dynamic);
    }
    /* 9. CertSrvBackupEnd, whatever happened. */
    hr = Cs.BackupEnd(hCSBC);
    if (FAILED(hr)) ok = failed("CertSrvBackupEnd", hr);
    /* 10. CertSrvBackupFree, every buffer (NULL is fine). */
    Cs.BackupFree(locations);
    Cs.BackupFree(databases);
    Cs.BackupFree(logs);
    Cs.BackupFree(dynamic);
    /* 11. FreeLibrary. */
    FreeLibrary(hInst);
    if (fclose(manifest) != 0) ok = 0;

    if (!ok) {
        printf("backup FAILED\n");
        return 1;
    }
    printf("backup complete: %s, %d database(s), %d log(s), %d dynamic file(s), %lld bytes streamed, logs %s\n",
           incremental ? "incremental" : "full", n_databases, n_logs, n_dynamic, byte_count,
           keep_log ? "kept" : "truncated");
    return 0;
}
