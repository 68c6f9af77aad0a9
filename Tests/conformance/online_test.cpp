// DsIsNTDSOnlineA/W (docs/CONTRACT-NTDSBCLI.md "DsIsNTDSOnlineA/W").
#include "helpers.h"

using namespace wbtest;

TEST(DsIsNTDSOnline, SaysTrueForARunningServer) {  // contract: S_OK, *pf = TRUE when online
    OneServer root;
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineW(u"\\\\DC01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
    f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineA("\\\\DC01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
}

TEST(DsIsNTDSOnline, TakesTheNameWithOrWithoutBackslashesInAnyCase) {  // contract: leading "\\" optional, case-insensitive
    OneServer root;
    for (const char16_t *name : {u"DC01", u"dc01", u"\\\\dC01"}) {
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(DsIsNTDSOnlineW(name, &f), S_OK) << u8(name);
        EXPECT_EQ(f, TRUE) << u8(name);
    }
    for (const char *name : {"DC01", "dc01", "\\\\Dc01"}) {
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(DsIsNTDSOnlineA(name, &f), S_OK) << name;
        EXPECT_EQ(f, TRUE) << name;
    }
}

TEST(DsIsNTDSOnline, SaysFalseForAStoppedServer) {  // contract: FALSE when offline (WbStopServerA)
    OneServer root;
    root.create("DC02", "--role ntds --db-size 2M --logs 2 --log-size 64K --offline");
    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    for (const char16_t *name : {u"DC01", u"DC02"}) {
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(DsIsNTDSOnlineW(name, &f), S_OK) << u8(name);
        EXPECT_EQ(f, FALSE) << u8(name);
    }
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineA("DC01", &f), S_OK);
    EXPECT_EQ(f, FALSE);
    ASSERT_EQ(WbStartServerA("DC01"), S_OK);
    EXPECT_EQ(DsIsNTDSOnlineA("DC01", &f), S_OK);
    EXPECT_EQ(f, TRUE);
}

TEST(DsIsNTDSOnline, RejectsNullArguments) {  // contract: NULL server or NULL pf -> 87
    OneServer root;
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineW(nullptr, &f), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsIsNTDSOnlineA(nullptr, &f), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(f, static_cast<BOOL>(kSentinel));
    EXPECT_EQ(DsIsNTDSOnlineW(u"DC01", nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsIsNTDSOnlineA("DC01", nullptr), ERROR_INVALID_PARAMETER);
}

TEST(DsIsNTDSOnline, CannotConnectToAnUnknownServer) {  // contract: unknown server -> hrCouldNotConnect
    OneServer root;
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineW(u"\\\\DC99", &f), hrCouldNotConnect);
    EXPECT_EQ(DsIsNTDSOnlineA("DC99", &f), hrCouldNotConnect);
    EXPECT_EQ(f, static_cast<BOOL>(kSentinel));
}

TEST(DsIsNTDSOnline, CannotConnectToAMalformedName) {  // contract: malformed name -> hrCouldNotConnect
    OneServer root;
    for (const char16_t *name : {u"", u"\\\\", u"DC_01", u"DC/01", u"\\\\DC01\\C$", u"..", u"DC..01", u"DC 01", u"DC01!"}) {
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(DsIsNTDSOnlineW(name, &f), hrCouldNotConnect) << "\"" << u8(name) << "\"";
        EXPECT_EQ(f, static_cast<BOOL>(kSentinel)) << "\"" << u8(name) << "\"";
    }
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineA("DC_01", &f), hrCouldNotConnect);
    EXPECT_EQ(f, static_cast<BOOL>(kSentinel));
}

TEST(DsIsNTDSOnline, CannotConnectToAServerThatIsNotADomainController) {  // contract: role not ntds -> hrCouldNotConnect
    TestRoot root;
    root.create("CA01", kSmallCertsrv);
    root.create("ESE01", kSmallEse);
    for (const char16_t *name : {u"CA01", u"ESE01"}) {
        BOOL f = static_cast<BOOL>(kSentinel);
        EXPECT_EQ(DsIsNTDSOnlineW(name, &f), hrCouldNotConnect) << u8(name);
        EXPECT_EQ(f, static_cast<BOOL>(kSentinel));
    }
    BOOL f = static_cast<BOOL>(kSentinel);
    EXPECT_EQ(DsIsNTDSOnlineA("CA01", &f), hrCouldNotConnect);
    EXPECT_EQ(f, static_cast<BOOL>(kSentinel));
}
