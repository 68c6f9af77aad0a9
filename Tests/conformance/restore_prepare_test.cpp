// DsRestorePrepareA/W and DsRestoreGetDatabaseLocationsA/W (docs/CONTRACT-NTDSBCLI.md "Restore side",
// "DsRestorePrepareA/W", "DsRestoreGetDatabaseLocationsA/W"; docs/expiry-token.md).
#include "helpers.h"

#include <cstring>

using namespace wbtest;

namespace {

// The out-parameter of a restore Prepare, a sentinel, and whether it was left alone.
struct PrepareOut {
    HBC hbc = sentinelHbc();

    bool untouched() const { return hbc == sentinelHbc(); }
    // Ends what a Prepare that unexpectedly succeeded started.
    void release() {
        if (hbc != sentinelHbc() && hbc != nullptr) DsRestoreEnd(hbc);
        hbc = sentinelHbc();
    }
    ~PrepareOut() { release(); }
};

// The token's cb bytes, in a buffer of their own (PVOID: the API may not write, but takes it
// non-const); never empty, so a token with cb 0 is still a non-NULL pointer.
std::vector<uint8_t> tokenCopy(const void *token, DWORD cb) {
    std::vector<uint8_t> copy(cb > 0 ? cb : 1, 0);
    if (cb > 0) memcpy(copy.data(), token, cb);
    return copy;
}

HRESULT prepareW(const char16_t *server, PrepareOut &o, const void *token, DWORD cb, ULONG rtFlag = 0) {
    std::vector<uint8_t> copy = tokenCopy(token, token ? cb : 0);
    return DsRestorePrepareW(server, rtFlag, token ? copy.data() : nullptr, cb, &o.hbc);
}

HRESULT prepareA(const char *server, PrepareOut &o, const void *token, DWORD cb, ULONG rtFlag = 0) {
    std::vector<uint8_t> copy = tokenCopy(token, token ? cb : 0);
    return DsRestorePrepareA(server, rtFlag, token ? copy.data() : nullptr, cb, &o.hbc);
}

HRESULT prepareW(const char16_t *server, PrepareOut &o, const std::vector<uint8_t> &token, ULONG rtFlag = 0) {
    return prepareW(server, o, token.data(), static_cast<DWORD>(token.size()), rtFlag);
}

HRESULT prepareA(const char *server, PrepareOut &o, const std::vector<uint8_t> &token, ULONG rtFlag = 0) {
    return prepareA(server, o, token.data(), static_cast<DWORD>(token.size()), rtFlag);
}

// 128 bytes that are no token: a pattern, all zero, all ones.
std::vector<std::vector<uint8_t>> garbageTokens() {
    std::vector<uint8_t> pattern(128);
    for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 37 + 11);
    return {pattern, std::vector<uint8_t>(128, 0), std::vector<uint8_t>(128, 0xFF)};
}

}  // namespace

TEST(DsRestorePrepare, ReturnsAHandleOnAnOfflineDc) {  // contract: S_OK, *hbc set
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    BOOL online = static_cast<BOOL>(kSentinel);
    ASSERT_EQ(DsIsNTDSOnlineW(u"DC02", &online), S_OK);
    ASSERT_EQ(online, FALSE) << "a restore needs the DC offline";
    for (ULONG rt : {0u, static_cast<ULONG>(RESTORE_TYPE_CATCHUP)}) {
        PrepareOut w, a;
        EXPECT_EQ(prepareW(u"\\\\DC02", w, root.set.token, rt), S_OK) << "rtFlag " << rt;
        EXPECT_NE(w.hbc, nullptr);
        EXPECT_NE(w.hbc, sentinelHbc());
        EXPECT_EQ(prepareA("dc02", a, root.set.token, rt), S_OK) << "rtFlag " << rt;  // A; name without "\\", any case
        EXPECT_NE(a.hbc, nullptr);
        EXPECT_NE(a.hbc, sentinelHbc());
        EXPECT_NE(a.hbc, w.hbc);
        EXPECT_EQ(DsRestoreEnd(w.hbc), S_OK);
        EXPECT_EQ(DsRestoreEnd(a.hbc), S_OK);
        w.hbc = a.hbc = sentinelHbc();
    }
}

TEST(DsRestorePrepare, GivesARestrictedHandleWithoutAToken) {  // contract: NULL token -> S_OK, restricted handle
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    PrepareOut w, a, sized;
    EXPECT_EQ(DsRestorePrepareW(u"DC02", 0, nullptr, 0, &w.hbc), S_OK);
    EXPECT_EQ(DsRestorePrepareA("DC02", 0, nullptr, 0, &a.hbc), S_OK);
    // cbToken is about the token: with no token it does not matter
    EXPECT_EQ(DsRestorePrepareW(u"DC02", RESTORE_TYPE_CATCHUP, nullptr, 128, &sized.hbc), S_OK);
    for (HBC h : {w.hbc, a.hbc, sized.hbc}) {
        EXPECT_NE(h, nullptr);
        EXPECT_NE(h, sentinelHbc());
        WCHAR *list = nullptr;
        DWORD cb = 0;
        EXPECT_EQ(DsRestoreGetDatabaseLocationsW(h, &list, &cb), S_OK) << "locations work on a restricted handle";
        DsBackupFree(list);
        EXPECT_EQ(DsRestoreRegisterComplete(h, S_OK), hrMissingExpiryToken);
    }
}

TEST(DsRestorePrepare, RejectsANullServerOrHandlePointer) {  // contract: NULL server or NULL phbc -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    PrepareOut o;
    EXPECT_EQ(prepareW(nullptr, o, root.set.token), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(prepareA(nullptr, o, root.set.token), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(prepareW(nullptr, o, nullptr, 0), ERROR_INVALID_PARAMETER);
    EXPECT_TRUE(o.untouched());
    std::vector<uint8_t> token = root.set.token;
    EXPECT_EQ(DsRestorePrepareW(u"DC02", 0, token.data(), 128, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsRestorePrepareA("DC02", 0, token.data(), 128, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(DsRestorePrepareW(u"DC02", 0, nullptr, 0, nullptr), ERROR_INVALID_PARAMETER);
    // a bad token size comes later in the order
    EXPECT_EQ(DsRestorePrepareW(u"DC02", 0, token.data(), 100, nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(prepareW(nullptr, o, token.data(), 100), ERROR_INVALID_PARAMETER);
    EXPECT_TRUE(o.untouched());
    // nothing was started: the DC still starts
    EXPECT_EQ(WbStartServerA("DC02"), S_OK);
}

TEST(DsRestorePrepare, AcceptsOnlyTheCatchupRestoreType) {  // contract: rtFlag other than 0 or 4 -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    FolderUnchanged dc02("DC02");  // refusals leave the DC as it was
    PrepareOut o;
    for (ULONG rt : {static_cast<ULONG>(RESTORE_TYPE_AUTHORATATIVE), static_cast<ULONG>(RESTORE_TYPE_ONLINE), 3u, 5u, 6u, 8u,
                     0x80000000u, 0xffffffffu}) {
        EXPECT_EQ(prepareW(u"DC02", o, root.set.token, rt), ERROR_INVALID_PARAMETER) << "rtFlag " << rt;
        EXPECT_EQ(prepareA("DC02", o, root.set.token, rt), ERROR_INVALID_PARAMETER) << "rtFlag " << rt;
        EXPECT_EQ(prepareW(u"DC02", o, nullptr, 0, rt), ERROR_INVALID_PARAMETER) << "rtFlag " << rt << ", no token";
        EXPECT_TRUE(o.untouched());
    }
}

TEST(DsRestorePrepare, ChecksTheRestoreTypeBeforeTheTokenAndTheServer) {  // contract: checked in this order
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    FolderUnchanged dc02("DC02");  // refusals leave the DC as it was
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC02", o, root.set.token.data(), 100, RESTORE_TYPE_AUTHORATATIVE), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(prepareW(u"DC99", o, root.set.token, RESTORE_TYPE_ONLINE), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(prepareW(u"DC01", o, root.set.token, RESTORE_TYPE_ONLINE), ERROR_INVALID_PARAMETER);  // online DC
    EXPECT_TRUE(o.untouched());
}

TEST(DsRestorePrepare, RefusesATruncatedOrOversizedToken) {  // contract: cbToken != 128 -> hrUnknownExpiryTokenFormat
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    std::vector<uint8_t> big(root.set.token);
    big.resize(512, 0);  // so that no size below reads past the buffer
    PrepareOut o;
    {
        FolderUnchanged dc02("DC02");
        for (DWORD cb : {0u, 1u, 100u, 127u, 129u, 256u, 512u}) {
            EXPECT_EQ(prepareW(u"DC02", o, big.data(), cb), hrUnknownExpiryTokenFormat) << "cbToken " << cb;
            EXPECT_EQ(prepareA("DC02", o, big.data(), cb), hrUnknownExpiryTokenFormat) << "cbToken " << cb;
            EXPECT_TRUE(o.untouched());
            o.release();
        }
    }
    EXPECT_EQ(prepareW(u"DC02", o, big.data(), 128), S_OK) << "the same bytes with cbToken 128";
}

TEST(DsRestorePrepare, ChecksTheTokenSizeBeforeTheServer) {  // contract: checked in this order (the token is not read then)
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    root.create("CA01", kSmallCertsrv);
    PrepareOut o;
    for (const char16_t *name : {u"DC_01", u"..", u"DC99", u"CA01", u"DC01" /* online */}) {
        EXPECT_EQ(prepareW(name, o, root.set.token.data(), 100), hrUnknownExpiryTokenFormat) << u8(name);
        EXPECT_TRUE(o.untouched());
    }
    AuthIdentityReset reset;
    ASSERT_EQ(DsSetAuthIdentityW(u"nobody", u"CONTOSO", u"secret"), S_OK);
    EXPECT_EQ(prepareA("DC02", o, root.set.token.data(), 100), hrUnknownExpiryTokenFormat);
    EXPECT_TRUE(o.untouched());
}

TEST(DsRestorePrepare, RejectsAMalformedNameWithInvalidParameter) {  // contract: malformed name -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    FolderUnchanged dc02("DC02");  // refusals leave the DC as it was
    PrepareOut o;
    std::u16string tooLong(64, u'A');
    for (std::u16string name : {std::u16string(u""), std::u16string(u"\\\\"), std::u16string(u"DC_02"),
                                std::u16string(u"DC/02"), std::u16string(u"\\\\DC02\\C$"), std::u16string(u".."),
                                std::u16string(u"-DC02"), std::u16string(u"DC 02"), tooLong}) {
        EXPECT_EQ(prepareW(name.c_str(), o, root.set.token), ERROR_INVALID_PARAMETER) << "\"" << u8(name) << "\"";
        EXPECT_EQ(prepareW(name.c_str(), o, nullptr, 0), ERROR_INVALID_PARAMETER) << "\"" << u8(name) << "\", no token";
        EXPECT_TRUE(o.untouched());
    }
    EXPECT_EQ(prepareA("DC_02", o, root.set.token), ERROR_INVALID_PARAMETER);
    EXPECT_TRUE(o.untouched());
}

TEST(DsRestorePrepare, CannotConnectToAnUnknownServerOrANonDc) {  // contract: unknown / not ntds -> hrCouldNotConnect
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    FolderUnchanged dc02("DC02");  // refusals leave the DC as it was
    root.create("CA01", "--role certsrv --db-size 2M --logs 1 --log-size 64K --offline");
    root.create("ESE01", "--role ese --db-size 2M --logs 1 --log-size 64K --offline");
    PrepareOut o;
    for (const char16_t *name : {u"DC99", u"\\\\DC03", u"CA01", u"ESE01"}) {
        EXPECT_EQ(prepareW(name, o, root.set.token), hrCouldNotConnect) << u8(name);
        EXPECT_EQ(prepareW(name, o, nullptr, 0), hrCouldNotConnect) << u8(name) << ", no token";
        EXPECT_TRUE(o.untouched());
    }
    EXPECT_EQ(prepareA("CA01", o, root.set.token), hrCouldNotConnect);
    // the token's content is checked after the server: garbage on an unknown server cannot connect
    EXPECT_EQ(prepareW(u"DC99", o, garbageTokens()[0]), hrCouldNotConnect);
    EXPECT_TRUE(o.untouched());
}

TEST(DsRestorePrepare, RefusesCredentialsTheServerDoesNotAccept) {  // contract: credentials refused -> 5
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    AuthIdentityReset reset;
    ASSERT_EQ(DsSetAuthIdentityW(u"nobody", u"CONTOSO", u"secret"), S_OK);
    PrepareOut o;
    FolderUnchanged dc02("DC02");
    EXPECT_EQ(prepareW(u"DC02", o, root.set.token), ERROR_ACCESS_DENIED);
    EXPECT_EQ(prepareA("DC02", o, root.set.token), ERROR_ACCESS_DENIED);
    EXPECT_EQ(prepareW(u"DC02", o, nullptr, 0), ERROR_ACCESS_DENIED);
    // checked before the DC's state and the token's content
    EXPECT_EQ(prepareW(u"DC01", o, root.set.token), ERROR_ACCESS_DENIED);
    EXPECT_EQ(prepareW(u"DC02", o, garbageTokens()[0]), ERROR_ACCESS_DENIED);
    // and after the name and the role
    EXPECT_EQ(prepareW(u"DC_02", o, root.set.token), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(prepareW(u"DC99", o, root.set.token), hrCouldNotConnect);
    EXPECT_TRUE(o.untouched());
    EXPECT_TRUE(sameTree(dc02.before, snapshotTree(dc02.dir)));
    // an account the DC allows may restore
    ASSERT_EQ(WbAllowIdentityA("DC02", "CONTOSO\\restore", "Passw0rd!"), S_OK);
    dc02.before = snapshotTree(dc02.dir);  // WbAllowIdentityA changed the settings
    ASSERT_EQ(DsSetAuthIdentityA("restore", "CONTOSO", "Passw0rd!"), S_OK);
    EXPECT_EQ(prepareW(u"DC02", o, root.set.token), S_OK);
}

TEST(DsRestorePrepare, RefusesAnOnlineDcWithDatabaseInUse) {  // contract: the DC online -> hrDatabaseInUse
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    BOOL online = FALSE;
    ASSERT_EQ(DsIsNTDSOnlineA("DC01", &online), S_OK);
    ASSERT_EQ(online, TRUE);
    PrepareOut o;
    {
        FolderUnchanged dc01("DC01");
        EXPECT_EQ(prepareW(u"DC01", o, root.set.token), hrDatabaseInUse);
        EXPECT_EQ(prepareA("DC01", o, root.set.token), hrDatabaseInUse);
        EXPECT_EQ(prepareW(u"DC01", o, nullptr, 0), hrDatabaseInUse) << "a restricted handle needs an offline DC too";
        // checked before the token's content
        for (auto &garbage : garbageTokens()) EXPECT_EQ(prepareW(u"DC01", o, garbage), hrDatabaseInUse);
        EXPECT_TRUE(o.untouched());
    }
    // the online DC is unharmed
    EXPECT_TRUE(isOnline("DC01"));
    BackupResult r;
    EXPECT_TRUE(fullBackupW(u"DC01", &r));
    // stopped, it may be restored
    ASSERT_EQ(WbStopServerA("DC01"), S_OK);
    EXPECT_EQ(prepareW(u"DC01", o, root.set.token), S_OK);
}

TEST(DsRestorePrepare, RefusesAChangedByteOfTheToken) {  // contract: a changed byte -> hrUnknownExpiryTokenFormat
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    ASSERT_EQ(root.set.token.size(), 128u);
    PrepareOut o;
    {
        FolderUnchanged dc02("DC02");
        // magic, version, size, backup time, lifetime, role, id, name, checksum (docs/expiry-token.md)
        for (size_t at : {0u, 4u, 6u, 8u, 15u, 16u, 20u, 24u, 40u, 95u, 96u, 127u}) {
            std::vector<uint8_t> changed(root.set.token);
            changed[at] ^= 0x01;
            EXPECT_EQ(prepareW(u"DC02", o, changed), hrUnknownExpiryTokenFormat) << "byte " << at << " changed";
            EXPECT_EQ(prepareA("DC02", o, changed), hrUnknownExpiryTokenFormat) << "byte " << at << " changed";
            EXPECT_TRUE(o.untouched());
            o.release();
        }
    }
    EXPECT_EQ(prepareW(u"DC02", o, root.set.token), S_OK) << "the intact token";
}

TEST(DsRestorePrepare, RefusesATokenOfAnUnknownFormat) {  // contract: not ours -> hrUnknownExpiryTokenFormat
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    FolderUnchanged dc02("DC02");  // refusals leave the DC as it was
    PrepareOut o;
    for (auto &garbage : garbageTokens()) {
        EXPECT_EQ(prepareW(u"DC02", o, garbage), hrUnknownExpiryTokenFormat);
        EXPECT_EQ(prepareA("DC02", o, garbage), hrUnknownExpiryTokenFormat);
        EXPECT_TRUE(o.untouched());
    }
    // the right magic, version and size, but the rest garbage
    std::vector<uint8_t> half = garbageTokens()[0];
    memcpy(half.data(), root.set.token.data(), 8);
    EXPECT_EQ(prepareW(u"DC02", o, half), hrUnknownExpiryTokenFormat);
    EXPECT_TRUE(o.untouched());
}

TEST(DsRestorePrepare, RefusesAnExpiredTokenWithContentsExpired) {  // contract: older than the tombstone lifetime -> hrContentsExpired
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    PrepareOut o;
    ASSERT_EQ(WbSetClockOffsetA("DC02", 181 * kDay), S_OK);  // default lifetime: 180 days
    {
        FolderUnchanged dc02("DC02");
        EXPECT_EQ(prepareW(u"DC02", o, root.set.token), hrContentsExpired);
        EXPECT_EQ(prepareA("DC02", o, root.set.token), hrContentsExpired);
        EXPECT_TRUE(o.untouched());
    }
    // no token, no expiry: a restricted handle; and the DC's state is checked before the token
    EXPECT_EQ(prepareW(u"DC02", o, nullptr, 0), S_OK);
    o.release();
    ASSERT_EQ(WbStartServerA("DC02"), S_OK);
    EXPECT_EQ(prepareW(u"DC02", o, root.set.token), hrDatabaseInUse);
    EXPECT_TRUE(o.untouched());
    // the same token on a DC whose clock says 179 days
    ASSERT_EQ(WbStopServerA("DC02"), S_OK);
    ASSERT_EQ(WbSetClockOffsetA("DC02", 179 * kDay), S_OK);
    EXPECT_EQ(prepareW(u"DC02", o, root.set.token), S_OK) << "179 days is within the 180-day tombstone lifetime";
}

TEST(DsRestorePrepare, UsesTheTargetDcsTombstoneLifetime) {  // contract: older than the DC's tombstone lifetime -> hrContentsExpired
    SourceAndTarget root("--role ntds --db-size 2M --logs 2 --log-size 64K --offline --tombstone-lifetime 60");
    ASSERT_TRUE(root.ok);
    PrepareOut o;
    ASSERT_EQ(WbSetClockOffsetA("DC02", 61 * kDay), S_OK);
    EXPECT_EQ(prepareW(u"DC02", o, root.set.token), hrContentsExpired);
    EXPECT_TRUE(o.untouched());
    ASSERT_EQ(WbSetClockOffsetA("DC02", 59 * kDay), S_OK);
    EXPECT_EQ(prepareW(u"DC02", o, root.set.token), S_OK);
}

TEST(DsRestorePrepare, AcceptsATokenOfAnotherServer) {  // contract: restoring onto another DC (a rebuilt one) is allowed
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    PrepareOut o;
    EXPECT_EQ(prepareW(u"DC02", o, root.set.token), S_OK) << "a token of DC01 on DC02";
    o.release();
    // a DC rebuilt under the source's name: deleted and created again
    ASSERT_EQ(WbDeleteServerA("DC01"), S_OK);
    root.create("DC01", kSmallNtdsOffline);
    EXPECT_EQ(prepareA("DC01", o, root.set.token), S_OK) << "a token of the DC01 that was deleted";
}

// --- DsRestoreGetDatabaseLocationsA/W ------------------------------------------------------------

TEST(DsRestoreGetDatabaseLocations, ListsTheDatabaseThenTheLogAndCheckpointFolders) {  // contract: 0x44, 0x82, 0x83, final NUL
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    WCHAR *list = nullptr;
    DWORD cb = kSentinel;
    ASSERT_EQ(DsRestoreGetDatabaseLocationsW(r.hbc, &list, &cb), S_OK);
    std::vector<std::u16string> entries;
    EXPECT_TRUE(parseListW(list, cb, &entries));
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0], u"\x44\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit");
    EXPECT_EQ(entries[1], u"\x82\\\\DC02\\C$\\Windows\\NTDS");
    EXPECT_EQ(entries[2], u"\x83\\\\DC02\\C$\\Windows\\NTDS");
    EXPECT_EQ(entries[0][0], static_cast<char16_t>(BFT_NTDS_DATABASE & 0xFF));
    EXPECT_EQ(entries[1][0], static_cast<char16_t>(BFT_LOG_DIR & 0xFF));
    EXPECT_EQ(entries[2][0], static_cast<char16_t>(BFT_CHECKPOINT_DIR & 0xFF));
    EXPECT_EQ(cb, (entries[0].size() + entries[1].size() + entries[2].size() + 4) * 2);
    DsBackupFree(list);

    char *alist = nullptr;
    DWORD acb = kSentinel;
    ASSERT_EQ(DsRestoreGetDatabaseLocationsA(r.hbc, &alist, &acb), S_OK);
    std::vector<std::string> aentries;
    EXPECT_TRUE(parseListA(alist, acb, &aentries));
    ASSERT_EQ(aentries.size(), 3u);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(aentries[i].substr(1), u8(entries[i].substr(1))) << "entry " << i;
    // the type characters as one byte each (0x82 and 0x83 too: a BFT, not text)
    EXPECT_EQ(static_cast<uint8_t>(aentries[0][0]), 0x44);
    EXPECT_EQ(static_cast<uint8_t>(aentries[1][0]), 0x82);
    EXPECT_EQ(static_cast<uint8_t>(aentries[2][0]), 0x83);
    DsBackupFree(alist);
}

TEST(DsRestoreGetDatabaseLocations, WorksOnARestrictedHandle) {  // contract: any restore context (restricted too)
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore restricted("DC02", nullptr, 0);
    ASSERT_TRUE(restricted.ok());
    std::vector<std::u16string> names;
    std::vector<char16_t> bft;
    ASSERT_EQ(restricted.locations(&names, &bft), S_OK);
    ASSERT_EQ(names.size(), 3u);
    EXPECT_EQ(names[0], uncDatabase("DC02"));
    EXPECT_EQ(names[1], uncNtds("DC02"));
    EXPECT_EQ(names[2], uncNtds("DC02"));
    EXPECT_EQ(bft, (std::vector<char16_t>{0x44, 0x82, 0x83}));
    char *alist = nullptr;
    DWORD cb = 0;
    EXPECT_EQ(DsRestoreGetDatabaseLocationsA(restricted.hbc, &alist, &cb), S_OK);
    DsBackupFree(alist);
}

TEST(DsRestoreGetDatabaseLocations, WorksOnABackupHandle) {  // contract: hbc a backup context
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    WCHAR *list = nullptr;
    DWORD cb = kSentinel;
    ASSERT_EQ(DsRestoreGetDatabaseLocationsW(b.hbc, &list, &cb), S_OK);
    std::vector<std::u16string> entries;
    EXPECT_TRUE(parseListW(list, cb, &entries));
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0], u"\x44\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit");
    EXPECT_EQ(entries[1], u"\x82\\\\DC01\\C$\\Windows\\NTDS");
    EXPECT_EQ(entries[2], u"\x83\\\\DC01\\C$\\Windows\\NTDS");
    DsBackupFree(list);
    char *alist = nullptr;
    EXPECT_EQ(DsRestoreGetDatabaseLocationsA(b.hbc, &alist, &cb), S_OK);
    DsBackupFree(alist);
    // the backup goes on undisturbed
    std::vector<uint8_t> stream;
    ASSERT_EQ(b.openDatabase(), S_OK);
    EXPECT_EQ(b.readAll(&stream), ERROR_HANDLE_EOF);
}

TEST(DsRestoreGetDatabaseLocations, DoesNotNeedANullListOnEntry) {  // contract: *list need not be NULL on entry
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    WCHAR *list = static_cast<WCHAR *>(sentinelPtr());
    DWORD cb = kSentinel;
    ASSERT_EQ(DsRestoreGetDatabaseLocationsW(r.hbc, &list, &cb), S_OK);
    EXPECT_NE(list, static_cast<WCHAR *>(sentinelPtr()));
    std::vector<std::u16string> entries;
    EXPECT_TRUE(parseListW(list, cb, &entries));
    EXPECT_EQ(entries.size(), 3u);
    DsBackupFree(list);
    char *alist = static_cast<char *>(sentinelPtr());
    ASSERT_EQ(DsRestoreGetDatabaseLocationsA(r.hbc, &alist, &cb), S_OK);
    EXPECT_NE(alist, static_cast<char *>(sentinelPtr()));
    DsBackupFree(alist);
}

TEST(DsRestoreGetDatabaseLocations, RejectsNullOutputPointers) {  // contract: NULL list or cb -> 87
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    for (HBC h : {r.hbc, b.hbc}) {
        WCHAR *list = nullptr;
        char *alist = nullptr;
        DWORD cb = kSentinel;
        EXPECT_EQ(DsRestoreGetDatabaseLocationsW(h, nullptr, &cb), ERROR_INVALID_PARAMETER);
        EXPECT_EQ(DsRestoreGetDatabaseLocationsA(h, nullptr, &cb), ERROR_INVALID_PARAMETER);
        EXPECT_EQ(cb, kSentinel);
        EXPECT_EQ(DsRestoreGetDatabaseLocationsW(h, &list, nullptr), ERROR_INVALID_PARAMETER);
        EXPECT_EQ(DsRestoreGetDatabaseLocationsA(h, &alist, nullptr), ERROR_INVALID_PARAMETER);
        EXPECT_EQ(list, nullptr);
        EXPECT_EQ(alist, nullptr);
        EXPECT_EQ(DsRestoreGetDatabaseLocationsW(h, nullptr, nullptr), ERROR_INVALID_PARAMETER);
    }
    std::vector<std::u16string> names;
    EXPECT_EQ(r.locations(&names), S_OK) << "the context still works";
}

TEST(DsRestoreGetDatabaseLocations, ListIsFreedWithDsBackupFree) {  // contract: freed with DsBackupFree
    SourceAndTarget root;
    ASSERT_TRUE(root.ok);
    Restore r("DC02", root.set);
    ASSERT_TRUE(r.ok());
    for (int i = 0; i < 3; ++i) {
        WCHAR *list = nullptr;
        char *alist = nullptr;
        DWORD cb = 0;
        ASSERT_EQ(DsRestoreGetDatabaseLocationsW(r.hbc, &list, &cb), S_OK);
        ASSERT_EQ(DsRestoreGetDatabaseLocationsA(r.hbc, &alist, &cb), S_OK);
        testing::internal::CaptureStderr();
        DsBackupFree(list);
        DsBackupFree(alist);
        std::string err = testing::internal::GetCapturedStderr();
        EXPECT_EQ(err, "") << "freeing the library's own list reported: " << err;
    }
    WCHAR *list = nullptr;
    DWORD cb = 0;
    ASSERT_EQ(DsRestoreGetDatabaseLocationsW(r.hbc, &list, &cb), S_OK);
    DsBackupFree(list);
    testing::internal::CaptureStderr();
    DsBackupFree(list);  // already freed: no longer the library's
    EXPECT_NE(testing::internal::GetCapturedStderr(), "");
}
