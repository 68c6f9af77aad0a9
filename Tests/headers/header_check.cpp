// Every public header, compiled as C++17 with -Wall -Wextra -pedantic -Werror (CMakeLists.txt).
#include "certbcli.h"
#include "esent.h"
#include "ntdsbcli.h"
#include "ntdsbmsg.h"
#include "wbtypes.h"
#include "winbackup.h"

#include <type_traits>

static_assert(sizeof(DWORD) == 4 && sizeof(LONG) == 4 && sizeof(ULONG) == 4, "Windows LLP64 sizes");
static_assert(sizeof(HRESULT) == 4 && sizeof(BOOL) == 4 && sizeof(WCHAR) == 2, "Windows sizes");
static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER");
static_assert(std::is_same<decltype(&DsBackupRead), HRESULT (*)(HBC, PVOID, DWORD, PDWORD)>::value, "DsBackupRead");
static_assert(std::is_same<decltype(&CertSrvBackupRead), FNCERTSRVBACKUPREAD *>::value, "CertSrvBackupRead");
static_assert(std::is_same<decltype(&CertSrvBackupFree), FNCERTSRVBACKUPFREE *>::value, "CertSrvBackupFree");
static_assert(std::is_same<decltype(&JetReadFileInstance), JET_ERR (*)(JET_INSTANCE, JET_HANDLE, void *, uint32_t, uint32_t *)>::value,
              "JetReadFileInstance");
static_assert(JET_errBackupAbortByServer == -801 && JET_errOutOfMemory == -1011, "JET_err values");
static_assert(hrCouldNotConnect == static_cast<HRESULT>(0xC7FF0007), "hrCouldNotConnect");

int header_check_cxx() {
    LPCWSTR server = u"\\\\DC01";  // u"" literals pass as LPCWSTR in C++
    return static_cast<int>(server[0]) + WINBACKUP_VERSION_NUMBER;
}
