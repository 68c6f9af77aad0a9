/*
 * certsrv_restore.c - a Certificate Services restore agent written for Windows' Certadm.dll, run
 * on Linux against libcertadm.so. It restores a backup set of certsrv_backup onto a CA, the one
 * backed up or another with the same CA name; a full set first, then each incremental one.
 *
 *   certsrv_restore BACKUPDIR SERVER
 *
 * Microsoft's "Restoring Certificate Services" steps: CertSrvIsServerOnline, which must fail
 * (Certificate Services stopped); CertSrvRestorePrepare (CSRESTORE_TYPE_FULL for a full set);
 * the database copied to its location (saved at backup time by CertSrvRestoreGetDatabaseLocations,
 * which needs a running CA) and the logs to a folder on the server; CertSrvRestoreRegister (a full
 * set maps its database, an incremental one passes NULL, 0); CertSrvRestoreRegisterComplete(S_OK);
 * the dynamic files copied back; CertSrvRestoreEnd. The CA replays the logs when it next starts.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certbcli.h"
#include "certsrv_files.h"
#include "win32_compat.h"

static struct {
    FNCERTSRVISSERVERONLINEW *IsServerOnline;
    FNCERTSRVRESTOREPREPAREW *RestorePrepare;
    FNCERTSRVRESTOREREGISTERW *RestoreRegister;
    FNCERTSRVRESTOREREGISTERCOMPLETE *RestoreRegisterComplete;
    FNCERTSRVRESTOREEND *RestoreEnd;
    FNWBRESOLVEPATHW *ResolvePath; /* not Certadm's: see certsrv_files.h */
} Cs;

/* backup.txt, one line a fact: kind, then one or two tab-separated fields. */
typedef struct {
    char *kind, *field, *path; /* one line, copied and split */
} Fact;
static Fact *facts;
static int fact_count;
static const char *set_dir, *server_name;

static int read_manifest(void) {
    char name[4096], line[4096];
    snprintf(name, sizeof name, "%s/%s", set_dir, MANIFEST_NAME);
    FILE *f = fopen(name, "r");
    if (!f) {
        printf("cannot read %s\n", name);
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        Fact *more = realloc(facts, (size_t)(fact_count + 1) * sizeof *facts);
        if (!more) break;
        facts = more;
        char *kind = malloc(strlen(line) + 1);
        if (!kind) break;
        strcpy(kind, line);
        kind[strcspn(kind, "\r\n")] = 0;
        char *field = kind + strcspn(kind, "\t");
        if (*field) *field++ = 0;
        char *path = field + strcspn(field, "\t");
        if (*path) *path++ = 0;
        facts[fact_count++] = (Fact){kind, field, path};
    }
    fclose(f);
    return fact_count > 0;
}

/* The first fact of a kind (and field, if given), or NULL. */
static const Fact *find(const char *kind, const char *field) {
    for (int i = 0; i < fact_count; i++)
        if (strcmp(facts[i].kind, kind) == 0 && (!field || strcmp(facts[i].field, field) == 0)) return &facts[i];
    return NULL;
}

/* Prints a failed call as the docs samples do; 0, for "ok = failed(...)". */
static int failed(const char *call, HRESULT hr) {
    printf("Failed %s call [%x]\n", call, (unsigned)hr);
    return 0;
}

/* A file of the set to a path on the server, C:\... */
static int put_back(const char *file, const char *destination, const char *what) {
    char local[4096], from[4096];
    if (!local_path(Cs.ResolvePath, server_name, destination, local, sizeof local)) return 0;
    snprintf(from, sizeof from, "%s/%s", set_dir, file);
    long long size = copy_file(from, local);
    if (size < 0) return 0;
    printf("  %-8s %-52s %10lld bytes\n", what, destination, size);
    return 1;
}

/* The same, to where a file was on the source: \\SOURCE\C$\X is C:\X here. */
static int put_back_as(const char *file, const char *source_unc, const char *what) {
    char drive[1024];
    if (!unc_to_drive(source_unc, drive, sizeof drive)) {
        printf("%s: not a \\\\SERVER\\X$\\ path\n", source_unc);
        return 0;
    }
    return put_back(file, drive, what);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s BACKUPDIR SERVER\n", argv[0]);
        return 2;
    }
    set_dir = argv[1];
    server_name = argv[2];
    if (!read_manifest()) return 1;
    int full = find("type", NULL) && strcmp(find("type", NULL)->field, "full") == 0;
    const Fact *database = find("database", NULL), *db_location = find("location", "44");
    const Fact *log_dir = find("location", "82"), *checkpoint_dir = find("location", "83");
    if (!log_dir || !checkpoint_dir || (full && (!database || !db_location))) {
        printf("%s/%s lacks the database locations or the database\n", set_dir, MANIFEST_NAME);
        return 1;
    }
    unsigned genLow = 0xFFFFF, genHigh = 0;
    for (int i = 0; i < fact_count; i++) {
        unsigned generation = strcmp(facts[i].kind, "log") == 0 ? log_generation(facts[i].field) : 0;
        if (generation && generation < genLow) genLow = generation;
        if (generation > genHigh) genHigh = generation;
    }
    if (genHigh == 0) {
        printf("%s holds no log\n", set_dir);
        return 1;
    }

    /* 1. Load Certadm.dll and look up its functions. */
    HINSTANCE hInst = LoadLibrary("Certadm.dll");
    if (NULL == hInst) {
        printf("Failed LoadLibrary - Certadm.dll, error=%d (%s)\n", GetLastError(), dlerror());
        return 1;
    }
#define GET(field, type, name)                                                                    \
    if (NULL == (Cs.field = (type *)GetProcAddress(hInst, name))) {                               \
        printf("Failed GetProcAddress - %s, error=%d\n", name, GetLastError());                  \
        return 1;                                                                                 \
    }
    GET(IsServerOnline, FNCERTSRVISSERVERONLINEW, "CertSrvIsServerOnlineW")
    GET(RestorePrepare, FNCERTSRVRESTOREPREPAREW, "CertSrvRestorePrepareW")
    GET(RestoreRegister, FNCERTSRVRESTOREREGISTERW, "CertSrvRestoreRegisterW")
    GET(RestoreRegisterComplete, FNCERTSRVRESTOREREGISTERCOMPLETE, "CertSrvRestoreRegisterComplete")
    GET(RestoreEnd, FNCERTSRVRESTOREEND, "CertSrvRestoreEnd")
    GET(ResolvePath, FNWBRESOLVEPATHW, "WbResolvePathW")
#undef GET

    /* 2. CertSrvIsServerOnline: it must fail, Certificate Services stopped. */
    WCHAR server[256];
    to_utf16(server_name, server, sizeof server / sizeof server[0]);
    BOOL fServerOnline = FALSE;
    HRESULT hr = Cs.IsServerOnline(server, &fServerOnline);
    if (SUCCEEDED(hr)) {
        printf("%s: Certificate Services is %s: stop it before a restore\n", server_name,
               fServerOnline ? "running" : "paused");
        return 1;
    }
    if (hr != HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE)) {
        failed("CertSrvIsServerOnline", hr);
        return 1;
    }
    printf("CertSrvIsServerOnline(%s): [%x], Certificate Services is stopped\n", server_name, (unsigned)hr);

    /* 3. CertSrvRestorePrepare. */
    HCSBC hCSBC = NULL;
    hr = Cs.RestorePrepare(server, full ? CSRESTORE_TYPE_FULL : 0, &hCSBC);
    if (FAILED(hr)) {
        failed("CertSrvRestorePrepare", hr);
        return 1;
    }
    printf("%s restore of %s (log generations 0x%x-0x%x) onto %s\n", full ? "full" : "incremental", set_dir, genLow,
           genHigh, server_name);

    /* 4. The database, where it was on the source (the saved CSBFT_CERTSERVER_DATABASE). */
    int ok = !full || put_back_as(database->field, db_location->path, "database");

    /* 5. The logs, into a folder of their own on the server. */
    char log_folder[256], local[4096], drive_db[1024] = "", drive_logs[1024], drive_checkpoint[1024];
    snprintf(log_folder, sizeof log_folder, "C:\\CertSrvRestore\\%s-%05X-%05X", full ? "full" : "incremental", genLow,
             genHigh);
    ok = ok && local_path(Cs.ResolvePath, server_name, log_folder, local, sizeof local) && make_dirs(local);
    for (int i = 0; ok && i < fact_count; i++) {
        char destination[512];
        if (strcmp(facts[i].kind, "log") != 0) continue;
        snprintf(destination, sizeof destination, "%s\\%s", log_folder, facts[i].field);
        ok = put_back(facts[i].field, destination, "log");
    }

    /* 6. CertSrvRestoreRegister: the saved locations, here; a full restore maps its database
     *    (old name -> new, the same path), an incremental one passes no map. */
    ok = ok && unc_to_drive(log_dir->path, drive_logs, sizeof drive_logs) &&
         unc_to_drive(checkpoint_dir->path, drive_checkpoint, sizeof drive_checkpoint) &&
         (!full || unc_to_drive(db_location->path, drive_db, sizeof drive_db));
    if (ok) {
        WCHAR wLogs[1024], wCheckpoint[1024], wBackupLogs[256], wDatabase[1024];
        to_utf16(drive_logs, wLogs, 1024);
        to_utf16(drive_checkpoint, wCheckpoint, 1024);
        to_utf16(log_folder, wBackupLogs, 256);
        to_utf16(drive_db, wDatabase, 1024);
        CSEDB_RSTMAPW rstmap[1] = {{wDatabase, wDatabase}};
        hr = Cs.RestoreRegister(hCSBC, wCheckpoint, wLogs, full ? rstmap : NULL, full ? 1 : 0, wBackupLogs, genLow,
                                genHigh);
        if (FAILED(hr)) ok = failed("CertSrvRestoreRegister", hr);
    }

    /* 7. CertSrvRestoreRegisterComplete: the files are in place. */
    if (ok) {
        hr = Cs.RestoreRegisterComplete(hCSBC, S_OK);
        if (FAILED(hr)) ok = failed("CertSrvRestoreRegisterComplete", hr);
    }

    /* 8. The dynamic files back where they were published. */
    for (int i = 0; ok && i < fact_count; i++)
        if (strcmp(facts[i].kind, "dynamic") == 0) ok = put_back_as(facts[i].field, facts[i].path, "dynamic");

    /* 9. CertSrvRestoreEnd, whatever happened. */
    hr = Cs.RestoreEnd(hCSBC);
    if (FAILED(hr)) ok = failed("CertSrvRestoreEnd", hr);
    FreeLibrary(hInst);
    for (int i = 0; i < fact_count; i++) free(facts[i].kind);
    free(facts);
    if (!ok) {
        printf("restore FAILED\n");
        return 1;
    }
    printf("restore registered: %s, log generations 0x%x-0x%x in %s; start Certificate Services to apply it\n",
           full ? "full" : "incremental", genLow, genHigh, log_folder);
    return 0;
}
