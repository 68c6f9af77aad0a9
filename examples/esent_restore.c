/*
 * esent_restore.c - a restore agent written for Windows' esent.dll, run on Linux against
 * libesent.so. It restores a folder of esent_backup onto a stopped server: the one backed up or
 * another with the same layout.
 *
 *   esent_restore BACKUPDIR TARGET_DATABASE INSTANCE
 *
 * TARGET_DATABASE is the local path of the target server's database (its file, which this agent
 * replaces); INSTANCE the target server's name. BACKUPDIR holds the database, esent_backup.txt
 * and the logs edbXXXXX.log; to restore a full backup and the incremental ones after it, copy
 * their logs into one folder (one hard recovery replays them all, as on Windows).
 *
 * The ESE documentation's steps: the database copied back, then JetExternalRestore (hard recovery
 * through generations genLow..genHigh, taken from the log names in BACKUPDIR, with a status
 * callback), then JetCreateInstance + JetInit, which start the restored server, and JetTerm.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esent.h"
#include "win32_compat.h"

static struct {
    __typeof__(JetExternalRestoreA) *JetExternalRestoreA;
    __typeof__(JetCreateInstanceA) *JetCreateInstanceA;
    __typeof__(JetInit) *JetInit;
    __typeof__(JetTerm) *JetTerm;
} esent;

/* Not esent.dll's: winbackup's own check (winbackup.h), looked up if present. */
typedef HRESULT(WINAPI FNWBGETCONTENTDIGESTA)(LPCSTR szServerName, LPSTR szHexDigest, DWORD cchHexDigest);
typedef HRESULT(WINAPI FNWBREADLOGDIGESTA)(LPCSTR szLogFile, LPSTR szHexDigest, DWORD cchHexDigest);

static const char *jet_name(JET_ERR err) {
    switch (err) {
    case JET_errSuccess: return "JET_errSuccess";
    case JET_errRestoreInProgress: return "JET_errRestoreInProgress";
    case JET_errLogFileCorrupt: return "JET_errLogFileCorrupt";
    case JET_errMissingLogFile: return "JET_errMissingLogFile";
    case JET_errBadLogSignature: return "JET_errBadLogSignature";
    case JET_errBadDbSignature: return "JET_errBadDbSignature";
    case JET_errEndingRestoreLogTooLow: return "JET_errEndingRestoreLogTooLow";
    case JET_errStartingRestoreLogTooHigh: return "JET_errStartingRestoreLogTooHigh";
    case JET_errGivenLogFileIsNotContiguous: return "JET_errGivenLogFileIsNotContiguous";
    case JET_errRestoreOfNonBackupDatabase: return "JET_errRestoreOfNonBackupDatabase";
    case JET_errInvalidParameter: return "JET_errInvalidParameter";
    case JET_errInvalidPath: return "JET_errInvalidPath";
    case JET_errInstanceUnavailable: return "JET_errInstanceUnavailable";
    case JET_errRunningInOneInstanceMode: return "JET_errRunningInOneInstanceMode";
    case JET_errRunningInMultiInstanceMode: return "JET_errRunningInMultiInstanceMode";
    case JET_errAlreadyInitialized: return "JET_errAlreadyInitialized";
    case JET_errReadVerifyFailure: return "JET_errReadVerifyFailure";
    case JET_errDatabaseInUse: return "JET_errDatabaseInUse";
    case JET_errDatabaseCorrupted: return "JET_errDatabaseCorrupted";
    default: return "";
    }
}

/* JetExternalRestore's status callback: begin, one progress per generation replayed, the end. */
static JET_ERR JET_API status(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv) {
    (void)sesid;
    if (snp != JET_snpRestore) return JET_errSuccess;
    const JET_SNPROG *progress = pv;
    switch (snt) {
    case JET_sntBegin: printf("  restore: begin\n"); break;
    case JET_sntProgress:
        if (progress) printf("  restore: %u of %u\n", (unsigned)progress->cunitDone, (unsigned)progress->cunitTotal);
        break;
    case JET_sntComplete: printf("  restore: complete\n"); break;
    case JET_sntFail: printf("  restore: failed\n"); break;
    default: break;
    }
    return JET_errSuccess;
}

/* The line "database\tNAME\tORIGINAL" of esent_backup.txt: the file name and original path. */
static int read_manifest(const char *dir, char *name, char *original, size_t cap) {
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/esent_backup.txt", dir);
    FILE *f = fopen(path, "r");
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *field = strchr(line, '\t'), *second = field ? strchr(field + 1, '\t') : NULL;
        if (strncmp(line, "database\t", 9) != 0 || !second || strlen(second + 1) >= cap) continue;
        *second = 0;
        snprintf(name, cap, "%s", field + 1);
        snprintf(original, cap, "%s", second + 1);
        found = 1;
    }
    if (f) fclose(f);
    if (!found) printf("%s names no database: restore a full backup (its logs with the incremental ones)\n", path);
    return found;
}

static long long copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char chunk[65536];
    long long total = 0;
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(chunk, 1, sizeof chunk, in)) > 0) {
        ok = fwrite(chunk, 1, n, out) == n;
        total += (long long)n;
    }
    if (in) fclose(in);
    if (out && fclose(out) != 0) ok = 0;
    if (!ok) printf("cannot copy %s to %s\n", from, to);
    return ok ? total : -1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s BACKUPDIR TARGET_DATABASE INSTANCE\n", argv[0]);
        return 2;
    }
    char *backup_dir = argv[1], *target = argv[2], *instance_name = argv[3];
    char database[1024], original[1024], from[4096];
    if (!read_manifest(backup_dir, database, original, sizeof database)) return 1;

    /* The log range: the lowest and highest edbXXXXX.log in the folder. */
    long genLow = 0, genHigh = 0;
    DIR *dir = opendir(backup_dir);
    for (struct dirent *e; dir && (e = readdir(dir)) != NULL;) {
        char *end = NULL;
        const char *n = e->d_name;
        if (strlen(n) != 12 || strncmp(n, "edb", 3) != 0 || strcmp(n + 8, ".log") != 0) continue;
        long generation = strtol(e->d_name + 3, &end, 16);
        if (end != e->d_name + 8 || generation < 1) continue;
        if (genLow == 0 || generation < genLow) genLow = generation;
        if (generation > genHigh) genHigh = generation;
    }
    if (dir) closedir(dir);
    if (genHigh == 0) {
        printf("%s holds no log\n", backup_dir);
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
    GET(JetExternalRestoreA) GET(JetCreateInstanceA) GET(JetInit) GET(JetTerm)
#undef GET

    /* 2. The database file back in place, over the target's. */
    snprintf(from, sizeof from, "%s/%s", backup_dir, database);
    long long size = copy_file(from, target);
    if (size < 0) return 1;
    printf("database %s (was %s) -> %s, %lld bytes\n", database, original, target, size);

    /* 3. JetExternalRestore: hard recovery through genLow..genHigh from BACKUPDIR, now. The
     *    map takes the name at backup time to the copy's path; the server's own checkpoint and
     *    log folders are used (NULL, NULL). */
    JET_RSTMAP_A map[1] = {{original, target}};
    printf("JetExternalRestore: log generations %ld-%ld from %s\n", genLow, genHigh, backup_dir);
    JET_ERR err = esent.JetExternalRestoreA(NULL, NULL, map, 1, backup_dir, (int32_t)genLow, (int32_t)genHigh, status);
    if (err != JET_errSuccess) {
        printf("JetExternalRestore failed: %d %s\n", (int)err, jet_name(err));
        printf("restore FAILED\n");
        return 1;
    }

    /* 4. JetCreateInstance + JetInit: the restored server starts; JetTerm leaves it running. */
    JET_INSTANCE instance = 0;
    err = esent.JetCreateInstanceA(&instance, instance_name);
    if (err == JET_errSuccess) {
        err = esent.JetInit(&instance);
        if (err != JET_errSuccess) printf("JetInit failed: %d %s\n", (int)err, jet_name(err));
        JET_ERR term = esent.JetTerm(instance);
        if (err == JET_errSuccess) err = term;
    } else {
        printf("JetCreateInstance failed: %d %s\n", (int)err, jet_name(err));
    }
    if (err != JET_errSuccess) {
        printf("restore FAILED: %s did not start\n", instance_name);
        return 1;
    }
    printf("%s started\n", instance_name);

    /* 5. winbackup's check, not esent.dll's: the restored content against the digest the source
     *    recorded at the end of generation genHigh. */
    FNWBGETCONTENTDIGESTA *content = (FNWBGETCONTENTDIGESTA *)GetProcAddress(module, "WbGetContentDigestA");
    FNWBREADLOGDIGESTA *logged = (FNWBREADLOGDIGESTA *)GetProcAddress(module, "WbReadLogDigestA");
    char now[65] = "", recorded[65] = "";
    snprintf(from, sizeof from, "%s/edb%05lX.log", backup_dir, genHigh);
    if (content && logged && content(instance_name, now, sizeof now) == S_OK &&
        logged(from, recorded, sizeof recorded) == S_OK) {
        printf("content digest %s\nrecorded at the end of generation %ld: %s\n", now, genHigh, recorded);
        if (strcmp(now, recorded) != 0) {
            printf("restore FAILED: the content differs\n");
            return 1;
        }
    }
    FreeLibrary(module);
    printf("restore complete: generations %ld-%ld replayed, %s online\n", genLow, genHigh, instance_name);
    return 0;
}
