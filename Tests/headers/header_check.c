/* Every public header, compiled as C99 with -Wall -Wextra -pedantic -Werror (CMakeLists.txt). */
#include "certbcli.h"
#include "esent.h"
#include "ntdsbcli.h"
#include "ntdsbmsg.h"
#include "wbtypes.h"
#include "winbackup.h"


/* Windows sizes, whatever the platform's. */
typedef char check_dword[sizeof(DWORD) == 4 ? 1 : -1];
typedef char check_long[sizeof(LONG) == 4 ? 1 : -1];
typedef char check_ulong[sizeof(ULONG) == 4 ? 1 : -1];
typedef char check_hresult[sizeof(HRESULT) == 4 ? 1 : -1];
typedef char check_bool[sizeof(BOOL) == 4 ? 1 : -1];
typedef char check_wchar[sizeof(WCHAR) == 2 ? 1 : -1];
typedef char check_large_integer[sizeof(LARGE_INTEGER) == 8 ? 1 : -1];
typedef char check_hbc[sizeof(HBC) == sizeof(void *) ? 1 : -1];
typedef char check_rstmap[sizeof(EDB_RSTMAPW) == 2 * sizeof(void *) ? 1 : -1];
typedef char check_csbft[sizeof(CSBFT) == 2 && CSBFT_LOG_DIR == 0x82 ? 1 : -1];
typedef char check_jet[sizeof(JET_ERR) == 4 && sizeof(JET_GRBIT) == 4 && sizeof(JET_INSTANCE) == sizeof(void *) ? 1 : -1];
typedef char check_loginfo[sizeof(JET_LOGINFO_A) == 16 && sizeof(JET_LOGINFO_W) == 20 ? 1 : -1];
typedef char check_hr[hrBackupInProgress == (HRESULT)0xC80001F9 ? 1 : -1];

int header_check_c(void) {
    static const WCHAR w[] = {'\\', '\\', 'D', 'C', '0', '1', 0}; /* C99 has no u"" literals */
    LARGE_INTEGER li;
    li.QuadPart = 1;
    return (int)(w[0] + li.LowPart + li.u.HighPart + (BFT_LOG == 0x21) + WINBACKUP_VERSION_NUMBER);
}
