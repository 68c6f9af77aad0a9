/* certbcli.h's own check, as the SDK header offers it: included a second time with
 * _CERTBCLI_TYPECHECK defined, it assigns every function to a pointer of its FN* type, so a
 * prototype that drifts from its typedef fails to compile. C11: the second inclusion repeats the
 * typedefs, which C99 forbids. Compiled with -Wall -Wextra -pedantic -Werror (CMakeLists.txt). */
#include "certbcli.h"
#define _CERTBCLI_TYPECHECK
#include "certbcli.h"

/* Windows sizes and values the CertSrv API depends on. */
_Static_assert(sizeof(CSBFT) == 2, "CSBFT is one WCHAR");
_Static_assert(sizeof(CSEDB_RSTMAPW) == 2 * sizeof(void *), "CSEDB_RSTMAPW");
_Static_assert(CSBFT_CERTSERVER_DATABASE == 0x44 && CSBFT_LOG == 0x21 && CSBFT_PATCH_FILE == 0x25, "CSBFT file types");
_Static_assert(CSBFT_LOG_DIR == 0x82 && CSBFT_CHECKPOINT_DIR == 0x83, "CSBFT directory types (the header's values)");
_Static_assert(CSRESTORE_TYPE_MASK == 5 && CSBACKUP_TYPE_MASK == 3, "flag masks");

int certbcli_typecheck(void) { return pfnCertSrvBackupEnd != 0; }
