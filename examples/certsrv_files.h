/*
 * certsrv_files.h - what the Certadm backup and restore samples share: strings, the multi-string
 * lists, the names of the backup set, and copies of ordinary files.
 *
 * A backup set (certsrv_backup's OUTDIR) holds the database and log files streamed by
 * CertSrvBackupRead, the dynamic files in dynamic/, and backup.txt: one tab-separated line per
 * fact, read back by certsrv_restore:
 *
 *   server    CA01
 *   type      full | incremental
 *   location  44 | 82 | 83    \\CA01\C$\Windows\System32\CertLog...   (the CSBFT character in hex)
 *   database  CA01-CA.edb     \\CA01\C$\Windows\System32\CertLog\CA01-CA.edb
 *   log       edb00004.log    \\CA01\C$\Windows\System32\CertLog\edb00004.log
 *   dynamic   dynamic/CA01-CA.crl   \\CA01\C$\Windows\System32\CertSrv\CertEnroll\CA01-CA.crl
 */
#ifndef CERTSRV_FILES_H
#define CERTSRV_FILES_H

#include <stddef.h>

#include "certbcli.h"

#define MANIFEST_NAME "backup.txt"

/*
 * WbResolvePathW, from libwinbackup itself (winbackup.h): the local file behind a path of an
 * emulated server. It stands in for what Windows does by itself: open \\CA01\C$\... over SMB.
 */
typedef HRESULT(FNWBRESOLVEPATHW)(LPCWSTR szServerName, LPCWSTR szPath, LPWSTR szLocalPath, DWORD cchLocalPath,
                                  DWORD *pcchRequired);

/* UTF-8 <-> UTF-16, NUL-terminated, cut to fit. */
void to_utf16(const char *in, WCHAR *out, size_t cap);
void to_utf8(const WCHAR *in, char *out, size_t cap);

/* The next entry of a multi-string list (after its NUL), or NULL after the last one. */
const WCHAR *next_entry(const WCHAR *entry);

/* The part after the last backslash. */
const char *base_name(const char *windows_path);

/* "\\CA01\C$\Windows\..." -> "C:\Windows\...": the same place on another server. */
int unc_to_drive(const char *unc, char *out, size_t cap);

/* The generation of "...\edb0001A.log" (0x1A), 0 for another name. */
unsigned log_generation(const char *name);

/* The local path of a path of a server (any spelling WbResolvePathW takes), in UTF-8. */
int local_path(FNWBRESOLVEPATHW *resolve, const char *server, const char *path, char *out, size_t cap);

/* mkdir -p. */
int make_dirs(const char *path);

/* Copies a file (replacing the target); its size, or -1 after printing why. */
long long copy_file(const char *from, const char *to);

#endif /* CERTSRV_FILES_H */
