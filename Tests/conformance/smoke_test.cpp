#include <gtest/gtest.h>
#include "winbackup.h"
TEST(WbGetVersionNumber, MatchesTheHeader) { EXPECT_EQ(WbGetVersionNumber(), (DWORD)WINBACKUP_VERSION_NUMBER); }
int main(int argc, char **argv) { testing::InitGoogleTest(&argc, argv); return RUN_ALL_TESTS(); }
