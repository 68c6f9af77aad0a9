/* Compiled with the header Swift generates for the @c exports force-included first
 * (CMakeLists.txt, target abi_check): a function whose prototype in include/ differs from its
 * Swift signature fails with "conflicting types". */
#include "certbcli.h"
#include "esent.h"
#include "ntdsbcli.h"
#include "winbackup.h"

int abi_check(void) { return 0; }
