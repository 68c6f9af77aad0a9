// The conformance tests of libwinbackup's Ntdsbcli backup and restore API (docs/CONTRACT-NTDSBCLI.md).
// Each test makes its own $WINBACKUP_ROOT (helpers.h: TestRoot), so they run in any order.
// `conformance_tests --scenario NAME` runs one child scenario of trace_test.cpp instead.
#include <gtest/gtest.h>

#include <cstring>

namespace wbtest {
int runScenario(const char *name);
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--scenario")) return wbtest::runScenario(argv[2]);
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
