// The two modes of the Jet API (docs/CONTRACT-ESENT.md "Instances and modes"): legacy mode
// (JetInit with no instance, then the functions without "Instance") and multi-instance mode
// (JetCreateInstance) exclude each other per process. The mode is process-wide, and the legacy
// parameters are too: every test that enters legacy mode or sets the defaults runs in a forked
// child (helpers.h: inChild), which starts with no instance as this process has none between tests.
#include "helpers.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>

using namespace wbtest;

namespace {

// Every legacy function, called with otherwise good arguments; each must return `expected`.
void expectEveryLegacyFunction(JET_ERR expected, const std::string &dir, bool withRestore) {
    AlignedBuffer buf(3 * kPage);
    char szz[256];
    WCHAR wszz[128];
    uint32_t cb = kSentinel;
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = kSentinel, hi = kSentinel;
    std::string folder = dir + "/legacy-never";
    EXPECT_EQ(JetBeginExternalBackup(0), expected) << "JetBeginExternalBackup";
    EXPECT_EQ(JetGetAttachInfoA(szz, sizeof szz, &cb), expected) << "JetGetAttachInfoA";
    EXPECT_EQ(JetGetAttachInfoW(wszz, sizeof wszz, &cb), expected) << "JetGetAttachInfoW";
    EXPECT_EQ(JetOpenFileA(kEseDatabase, &hf, &lo, &hi), expected) << "JetOpenFileA";
    EXPECT_EQ(JetOpenFileW(u"C:\\ESE\\ese.edb", &hf, &lo, &hi), expected) << "JetOpenFileW";
    EXPECT_EQ(JetReadFile(0, buf.p, 3 * kPage, &cb), expected) << "JetReadFile";
    EXPECT_EQ(JetCloseFile(0), expected) << "JetCloseFile";
    EXPECT_EQ(JetGetLogInfoA(szz, sizeof szz, &cb), expected) << "JetGetLogInfoA";
    EXPECT_EQ(JetGetLogInfoW(wszz, sizeof wszz, &cb), expected) << "JetGetLogInfoW";
    EXPECT_EQ(JetTruncateLog(), expected) << "JetTruncateLog";
    EXPECT_EQ(JetEndExternalBackup(), expected) << "JetEndExternalBackup";
    EXPECT_EQ(JetStopBackup(), expected) << "JetStopBackup";
    EXPECT_EQ(JetBackupA(folder.c_str(), 0, nullptr), expected) << "JetBackupA";
    EXPECT_EQ(JetBackupW(u16(folder).c_str(), 0, nullptr), expected) << "JetBackupW";
    if (withRestore) {
        EXPECT_EQ(JetRestoreA(folder.c_str(), nullptr), expected) << "JetRestoreA";
        EXPECT_EQ(JetRestoreW(u16(folder).c_str(), nullptr), expected) << "JetRestoreW";
        EXPECT_EQ(JetRestore2A(folder.c_str(), nullptr, nullptr), expected) << "JetRestore2A";
        EXPECT_EQ(JetRestore2W(u16(folder).c_str(), nullptr, nullptr), expected) << "JetRestore2W";
    }
    // the bare Windows 2000 names
    using ListFn = JET_ERR (*)(JET_PSTR, uint32_t, uint32_t *);
    for (const char *name : {"JetGetAttachInfo", "JetGetLogInfo"}) {
        auto fn = reinterpret_cast<ListFn>(dlsym(RTLD_DEFAULT, name));
        ASSERT_NE(fn, nullptr) << name;
        EXPECT_EQ(fn(szz, sizeof szz, &cb), expected) << name;
    }
    auto open = reinterpret_cast<JET_ERR (*)(JET_PCSTR, JET_HANDLE *, uint32_t *, uint32_t *)>(dlsym(RTLD_DEFAULT, "JetOpenFile"));
    ASSERT_NE(open, nullptr);
    EXPECT_EQ(open(kEseDatabase, &hf, &lo, &hi), expected) << "JetOpenFile";
    EXPECT_EQ(cb, kSentinel) << "a refused call set *pcbActual";
    EXPECT_TRUE(hf == kSentinelHandle && lo == kSentinel && hi == kSentinel);
    EXPECT_FALSE(fileExists(folder)) << "a refused JetBackup made its folder";
}

// Legacy mode on ESE01: the defaults point at its log folder, then JetInit with no instance.
JET_INSTANCE legacyInit(const char *server = "ESE01") {
    std::string logs = eseLogDir(server);
    EXPECT_EQ(JetSetSystemParameterA(nullptr, 0, JET_paramLogFilePath, 0, logs.c_str()), JET_errSuccess);
    JET_INSTANCE h = 0;
    EXPECT_EQ(JetInit(&h), JET_errSuccess);
    EXPECT_NE(h, 0u) << "the legacy handle is written back";
    return h;
}

// A legacy list call (A), parsed.
JET_ERR legacyList(JET_ERR (*fn)(JET_PSTR, uint32_t, uint32_t *), std::vector<std::string> *names) {
    std::vector<char> buf(65536);
    uint32_t cb = kSentinel;
    JET_ERR err = fn(buf.data(), static_cast<uint32_t>(buf.size()), &cb);
    names->clear();
    if (err == JET_errSuccess) { EXPECT_TRUE(parseListA(buf.data(), cb, names)); }
    return err;
}

JET_ERR legacyCopy(const std::string &name, std::vector<uint8_t> *out) {
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = 0, hi = 0;
    JET_ERR err = JetOpenFileA(name.c_str(), &hf, &lo, &hi);
    if (err != JET_errSuccess) return err;
    EXPECT_EQ(hf, 0u);
    AlignedBuffer buf(kChunk);
    out->clear();
    for (;;) {
        uint32_t got = 0;
        if ((err = JetReadFile(hf, buf.p, kChunk, &got)) != JET_errSuccess) return err;
        if (got == 0) break;
        out->insert(out->end(), buf.p, buf.p + got);
    }
    EXPECT_EQ(out->size(), static_cast<uint64_t>(hi) << 32 | lo);
    return JetCloseFile(hf);
}

}  // namespace

TEST(JetLegacyMode, LegacyFunctionsInMultiInstanceModeAreRunningInMultiInstanceMode) {  // contract: -1081
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst inst("ESE01");
    ASSERT_TRUE(inst.ok());
    ASSERT_EQ(JetBeginExternalBackupInstance(inst, 0), JET_errSuccess);  // even with a backup running
    expectEveryLegacyFunction(JET_errRunningInMultiInstanceMode, root.path(), /*withRestore=*/true);
    EXPECT_EQ(jetProbe(inst), JET_errSuccess) << "the instance's backup was not touched";
    EXPECT_EQ(JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort), JET_errSuccess);
}

TEST(JetLegacyMode, LegacyFunctionsBeforeAnyJetInitAreNotInitialized) {  // contract: before any JetInit -> -1029
    TestRoot root;
    root.create("ESE01", kEse);
    inChild([&] { expectEveryLegacyFunction(JET_errNotInitialized, root.path(), /*withRestore=*/false); });
}

TEST(JetLegacyMode, JetCreateInstanceInLegacyModeIsRunningInOneInstanceMode) {  // contract: JetCreateInstance in legacy mode -> -1080
    TestRoot root;
    root.create("ESE01", kEse);
    inChild([&] {
        JET_INSTANCE legacy = legacyInit();
        JET_INSTANCE h = garbageInstance();
        EXPECT_EQ(JetCreateInstanceA(&h, "other"), JET_errRunningInOneInstanceMode);
        EXPECT_EQ(JetCreateInstanceW(&h, u"other"), JET_errRunningInOneInstanceMode);
        EXPECT_EQ(JetCreateInstance2A(&h, "other", "display", 0), JET_errRunningInOneInstanceMode);
        EXPECT_EQ(JetCreateInstance2W(&h, u"other", u"display", 0), JET_errRunningInOneInstanceMode);
        EXPECT_EQ(h, garbageInstance()) << "a refused create set *pinstance";
        EXPECT_EQ(JetInit(nullptr), JET_errAlreadyInitialized) << "legacy JetInit twice";
        std::string logs = eseLogDir();
        EXPECT_EQ(JetSetSystemParameterA(nullptr, 0, JET_paramLogFilePath, 0, logs.c_str()), JET_errAlreadyInitialized)
            << "the defaults are fixed once the legacy instance runs";
        // JetTerm leaves the process in no mode: multi-instance mode is open again
        EXPECT_EQ(JetTerm(legacy), JET_errSuccess);
        JetInst inst("ESE01");
        EXPECT_TRUE(inst.ok()) << inst.created << ", " << inst.initialized;
    });
}

TEST(JetLegacyMode, JetExternalRestoreInLegacyModeIsRunningInOneInstanceMode) {  // contract: JetExternalRestore with legacy mode running -> -1080
    TestRoot root;
    root.create("ESE01", kEse);
    root.create("ESE02", kEseOffline);
    std::string target = eseDatabaseFile("ESE02"), dir = root.path();
    inChild([&] {
        JET_INSTANCE legacy = legacyInit();
        std::string original = eseDatabaseFile();
        JET_RSTMAP_A map{const_cast<char *>(original.c_str()), const_cast<char *>(target.c_str())};
        EXPECT_EQ(JetExternalRestoreA(nullptr, nullptr, &map, 1, const_cast<char *>(dir.c_str()), 1, 2, nullptr),
                  JET_errRunningInOneInstanceMode);
        JET_LOGINFO_A info{sizeof(JET_LOGINFO_A), 1, 2, {'e', 'd', 'b', 0}};
        EXPECT_EQ(JetExternalRestore2A(nullptr, nullptr, &map, 1, const_cast<char *>(dir.c_str()), &info, nullptr, nullptr,
                                       nullptr, nullptr),
                  JET_errRunningInOneInstanceMode);
        EXPECT_EQ(JetTerm(legacy), JET_errSuccess);
    });
}

TEST(JetLegacyMode, AWholeBackupThroughTheLegacyFunctions) {  // §A.2 walkthrough with the functions without "Instance"
    TestRoot root;
    root.create("ESE01", kEse);
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    inChild([&] {
        JET_INSTANCE legacy = legacyInit();
        ASSERT_EQ(JetBeginExternalBackup(0), JET_errSuccess);
        EXPECT_EQ(JetBeginExternalBackup(0), JET_errBackupInProgress);
        std::vector<std::string> dbs, logs;
        ASSERT_EQ(legacyList(JetGetAttachInfoA, &dbs), JET_errSuccess);
        EXPECT_EQ(dbs, std::vector<std::string>{eseDatabaseFile()});
        std::vector<uint8_t> stream, bytes;
        ASSERT_EQ(legacyCopy(dbs.at(0), &stream), JET_errSuccess);
        EXPECT_TRUE(databaseStreamMatches(stream, eseDatabaseFile()));
        ASSERT_EQ(legacyList(JetGetLogInfoA, &logs), JET_errSuccess);
        ASSERT_FALSE(logs.empty());
        for (auto &l : logs) {
            EXPECT_EQ(legacyCopy(l, &bytes), JET_errSuccess) << l;
            EXPECT_TRUE(bytes == readFile(l)) << l;
        }
        EXPECT_EQ(JetTruncateLog(), JET_errSuccess);
        EXPECT_EQ(JetEndExternalBackup(), JET_errSuccess);
        EXPECT_EQ(JetEndExternalBackup(), JET_errNoBackup);
        // recorded as a full backup: an incremental may follow, through the Instance function on the legacy handle too
        EXPECT_FALSE(databaseBkinfo("ESE01", kBkinfoFullPrev).zero);
        ASSERT_EQ(JetBeginExternalBackup(JET_bitBackupIncremental), JET_errSuccess);
        EXPECT_EQ(JetStopBackup(), JET_errSuccess);
        EXPECT_EQ(JetTruncateLog(), JET_errBackupAbortByServer);
        EXPECT_EQ(JetEndExternalBackup(), JET_errSuccess);
        EXPECT_EQ(JetTerm(legacy), JET_errSuccess);
        EXPECT_EQ(JetBeginExternalBackup(0), JET_errNotInitialized) << "no mode again";
    });
}

TEST(JetLegacyMode, JetTermWithARunningBackupIsBackupInProgressUnlessStopBackup) {  // contract: JetTerm -505; JetTerm2(StopBackup) ends it
    TestRoot root;
    root.create("ESE01", kEse);
    inChild([&] {
        JET_INSTANCE legacy = legacyInit();
        ASSERT_EQ(JetBeginExternalBackup(0), JET_errSuccess);
        EXPECT_EQ(JetTerm(legacy), JET_errBackupInProgress);
        std::vector<std::string> dbs;
        EXPECT_EQ(legacyList(JetGetAttachInfoA, &dbs), JET_errSuccess) << "the backup goes on";
        EXPECT_EQ(JetTerm2(legacy, JET_bitTermStopBackup), JET_errSuccess);
        EXPECT_EQ(JetBeginExternalBackup(0), JET_errNotInitialized) << "the legacy instance ended";
        JetInst inst("ESE01");  // multi-instance mode is open, and the server free
        ASSERT_TRUE(inst.ok());
        EXPECT_EQ(JetBeginExternalBackupInstance(inst, 0), JET_errSuccess);
        EXPECT_EQ(JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort), JET_errSuccess);
    });
}

TEST(JetLegacyMode, JetBackupAndJetRestoreRoundTripOnTheLegacyInstance) {  // contract: JetBackup(A/W), JetRestore(A/W) and JetRestore2 before legacy JetInit
    TestRoot root;
    root.create("ESE01", kEse);
    root.create("ESE02", kEseOffline);
    ASSERT_EQ(WbWriteServerA("ESE01", 3), S_OK);
    std::string folder = root.path() + "/legacy";
    inChild([&] {
        JET_INSTANCE legacy = legacyInit();
        ASSERT_EQ(JetBackupA(folder.c_str(), 0, nullptr), JET_errSuccess);
        EXPECT_EQ(JetBackupA(folder.c_str(), 0, nullptr), JET_errBackupDirectoryNotEmpty);
        EXPECT_EQ(JetTerm(legacy), JET_errSuccess);
    });
    std::vector<uint32_t> gens;
    for (auto &name : listDir(folder))
        if (uint32_t g = logGenerationA(name)) gens.push_back(g);
    ASSERT_FALSE(gens.empty());
    std::string lastLog = folder + "/" + jetLogName(*std::max_element(gens.begin(), gens.end()));
    inChild([&] {
        std::string logs = eseLogDir("ESE02");
        ASSERT_EQ(JetSetSystemParameterA(nullptr, 0, JET_paramLogFilePath, 0, logs.c_str()), JET_errSuccess);
        EXPECT_EQ(JetRestore2A(folder.c_str(), folder.c_str(), nullptr), JET_errInvalidParameter) << "szDest must be NULL";
        ASSERT_EQ(JetRestoreA(folder.c_str(), nullptr), JET_errSuccess);
        JET_INSTANCE legacy = 0;
        ASSERT_EQ(JetInit(&legacy), JET_errSuccess) << "JetInit starts ESE02";
        EXPECT_EQ(JetRestoreA(folder.c_str(), nullptr), JET_errAlreadyInitialized) << "after legacy JetInit";
        EXPECT_EQ(contentDigest("ESE02"), logDigest(lastLog));
        EXPECT_EQ(JetTerm(legacy), JET_errSuccess);
    });
}
