// The conformance tests of libwinbackup's Ntdsbcli backup and restore API (docs/CONTRACT-NTDSBCLI.md).
// Each test makes its own $WINBACKUP_ROOT (helpers.h: TestRoot), so they run in any order.
#include <gtest/gtest.h>

int main(int argc, char **argv) {
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
