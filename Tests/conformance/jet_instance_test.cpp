// Instances (docs/CONTRACT-ESENT.md "Instances and modes"): JetCreateInstance, JetInit, JetTerm(2);
// and every export that takes an instance, handed NULL, garbage, JET_instanceNil, a terminated or a
// stale handle.
#include "helpers.h"

#include <dlfcn.h>

#include <cstring>

using namespace wbtest;

namespace {

JET_INSTANCE sentinelInstance() { return static_cast<JET_INSTANCE>(0x5e5e5e5e); }

// Every export that takes a JET_INSTANCE, called with `inst` and otherwise good arguments; the
// name of the first that does not return `expected`, or "".
std::string firstNotReturning(JET_INSTANCE inst, JET_ERR expected, const std::string &dir) {
    AlignedBuffer buf(3 * kPage);
    char szz[256];
    WCHAR wszz[128];
    uint32_t cb = kSentinel;
    JET_HANDLE hf = kSentinelHandle;
    uint32_t lo = kSentinel, hi = kSentinel;
    JET_LOGINFO_A info{sizeof(JET_LOGINFO_A), 0, 0, {0}};
    JET_LOGINFO_W winfo{sizeof(JET_LOGINFO_W), 0, 0, {0}};
    std::string backupDir = dir + "/never";
    const struct {
        const char *name;
        JET_ERR err;
    } calls[] = {
        {"JetBeginExternalBackupInstance", JetBeginExternalBackupInstance(inst, 0)},
        {"JetGetAttachInfoInstanceA", JetGetAttachInfoInstanceA(inst, szz, sizeof szz, &cb)},
        {"JetGetAttachInfoInstanceW", JetGetAttachInfoInstanceW(inst, wszz, sizeof wszz, &cb)},
        {"JetOpenFileInstanceA", JetOpenFileInstanceA(inst, kEseDatabase, &hf, &lo, &hi)},
        {"JetOpenFileInstanceW", JetOpenFileInstanceW(inst, u"C:\\ESE\\ese.edb", &hf, &lo, &hi)},
        {"JetReadFileInstance", JetReadFileInstance(inst, 0, buf.p, 3 * kPage, &cb)},
        {"JetCloseFileInstance", JetCloseFileInstance(inst, 0)},
        {"JetGetLogInfoInstanceA", JetGetLogInfoInstanceA(inst, szz, sizeof szz, &cb)},
        {"JetGetLogInfoInstanceW", JetGetLogInfoInstanceW(inst, wszz, sizeof wszz, &cb)},
        {"JetGetLogInfoInstance2A", JetGetLogInfoInstance2A(inst, szz, sizeof szz, &cb, &info)},
        {"JetGetLogInfoInstance2W", JetGetLogInfoInstance2W(inst, wszz, sizeof wszz, &cb, &winfo)},
        {"JetGetTruncateLogInfoInstanceA", JetGetTruncateLogInfoInstanceA(inst, szz, sizeof szz, &cb)},
        {"JetGetTruncateLogInfoInstanceW", JetGetTruncateLogInfoInstanceW(inst, wszz, sizeof wszz, &cb)},
        {"JetTruncateLogInstance", JetTruncateLogInstance(inst)},
        {"JetEndExternalBackupInstance", JetEndExternalBackupInstance(inst)},
        {"JetEndExternalBackupInstance2", JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort)},
        {"JetStopBackupInstance", JetStopBackupInstance(inst)},
        {"JetBackupInstanceA", JetBackupInstanceA(inst, backupDir.c_str(), 0, nullptr)},
        {"JetBackupInstanceW", JetBackupInstanceW(inst, u16(backupDir).c_str(), 0, nullptr)},
        {"JetRestoreInstanceA", JetRestoreInstanceA(inst, backupDir.c_str(), nullptr, nullptr)},
        {"JetRestoreInstanceW", JetRestoreInstanceW(inst, u16(backupDir).c_str(), nullptr, nullptr)},
    };
    EXPECT_EQ(cb, kSentinel) << "a refused call set *pcbActual";
    EXPECT_TRUE(hf == kSentinelHandle && lo == kSentinel && hi == kSentinel) << "a refused call set JetOpenFile's outputs";
    EXPECT_FALSE(fileExists(backupDir)) << "a refused JetBackupInstance made its folder";
    std::string bad;
    for (auto &c : calls) {
        if (c.err != expected) {
            ADD_FAILURE() << c.name << " = " << c.err << ", expected " << expected;
            if (bad.empty()) bad = c.name;
        }
    }
    return bad;
}

// The bare Windows 2000 names (GetProcAddress users such as ManagedEsent), through dlsym.
template <typename F>
F bare(const char *name) {
    void *p = dlsym(RTLD_DEFAULT, name);
    EXPECT_NE(p, nullptr) << name << " is not exported";
    return reinterpret_cast<F>(p);
}

}  // namespace

// --- JetCreateInstance ------------------------------------------------------------------------------------

TEST(JetCreateInstance, ANullPointerIsInvalidParameter) {  // contract: NULL pinstance -> -1003
    TestRoot root;
    EXPECT_EQ(JetCreateInstanceA(nullptr, "ESE01"), JET_errInvalidParameter);
    EXPECT_EQ(JetCreateInstanceW(nullptr, u"ESE01"), JET_errInvalidParameter);
    EXPECT_EQ(JetCreateInstance2A(nullptr, "ESE01", "display", 0), JET_errInvalidParameter);
    EXPECT_EQ(JetCreateInstance2W(nullptr, u"ESE01", u"display", 0), JET_errInvalidParameter);
}

TEST(JetCreateInstance, GivesDistinctNonZeroHandlesThatAreNotNil) {  // contract: S_OK: a non-zero handle, never JET_instanceNil
    TestRoot root;
    JetInst a("A", false), b("B", false);
    ASSERT_EQ(a.created, JET_errSuccess);
    ASSERT_EQ(b.created, JET_errSuccess);
    for (JET_INSTANCE h : {a.h, b.h}) {
        EXPECT_NE(h, 0u);
        EXPECT_NE(h, JET_instanceNil);
    }
    EXPECT_NE(a.h, b.h);
    JET_INSTANCE w = sentinelInstance(), w2 = sentinelInstance();
    ASSERT_EQ(JetCreateInstanceW(&w, u"C"), JET_errSuccess);
    ASSERT_EQ(JetCreateInstance2W(&w2, u"D", u"display", 0), JET_errSuccess);
    EXPECT_TRUE(w != sentinelInstance() && w != 0 && w2 != sentinelInstance() && w2 != 0 && w != w2);
    EXPECT_EQ(JetTerm(w), JET_errSuccess);
    EXPECT_EQ(JetTerm(w2), JET_errSuccess);
}

TEST(JetCreateInstance, ANameInUseIsInstanceNameInUseWhateverItsCase) {  // contract: a live instance's name (case-insensitive) -> -1086
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst first("ESE01", false);
    ASSERT_EQ(first.created, JET_errSuccess);
    for (const char *name : {"ESE01", "ese01", "Ese01"}) {
        JET_INSTANCE h = sentinelInstance();
        EXPECT_EQ(JetCreateInstanceA(&h, name), JET_errInstanceNameInUse) << name;
        EXPECT_EQ(h, sentinelInstance()) << "a refused create set *pinstance";
        EXPECT_EQ(JetCreateInstance2A(&h, name, "other display", 0), JET_errInstanceNameInUse) << name;
    }
    JET_INSTANCE h = sentinelInstance();
    EXPECT_EQ(JetCreateInstanceW(&h, u"eSe01"), JET_errInstanceNameInUse);
    ASSERT_EQ(first.term(), JET_errSuccess);
    JetInst again("ese01", false);
    EXPECT_EQ(again.created, JET_errSuccess) << "the name is free once its instance ended";
}

// --- JetInit ---------------------------------------------------------------------------------------------

TEST(JetInit, BindsTheServerTheInstanceNameNames) {  // contract: JetInit binds the server its name names; paths are its local folders
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst inst("ese01");
    ASSERT_TRUE(inst.ok()) << inst.initialized;
    char path[1024];
    memset(path, 0, sizeof path);
    JET_API_PTR l = 0;
    ASSERT_EQ(JetGetSystemParameterA(inst, 0, JET_paramLogFilePath, &l, path, sizeof path), JET_errSuccess);
    EXPECT_EQ(std::string(path), eseLogDir() + "/");
    ASSERT_EQ(JetGetSystemParameterA(inst, 0, JET_paramSystemPath, &l, path, sizeof path), JET_errSuccess);
    EXPECT_EQ(std::string(path), TestRoot::local("ESE01", kEseSystem) + "/");
}

TEST(JetInit, BindsTheServerWhoseFolderHoldsTheLogOrSystemPath) {  // contract: else the server whose folder holds JET_paramLogFilePath / SystemPath
    TestRoot root;
    root.create("ESE01", kEse);
    for (uint32_t param : {uint32_t(JET_paramLogFilePath), uint32_t(JET_paramSystemPath)}) {
        JetInst inst("byPath", false);
        ASSERT_EQ(inst.created, JET_errSuccess);
        std::string folder = TestRoot::local("ESE01", param == JET_paramLogFilePath ? kEseLogs : kEseSystem);
        ASSERT_EQ(JetSetSystemParameterA(&inst.h, 0, param, 0, folder.c_str()), JET_errSuccess);
        ASSERT_EQ(inst.init(), JET_errSuccess) << "param " << param;
        std::vector<std::string> dbs;
        ASSERT_EQ(JetBeginExternalBackupInstance(inst, 0), JET_errSuccess);
        EXPECT_EQ(jetAttachInfo(inst, &dbs), JET_errSuccess);
        EXPECT_EQ(dbs, std::vector<std::string>{eseDatabaseFile()}) << "param " << param;
        EXPECT_EQ(JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort), JET_errSuccess);
    }
}

TEST(JetInit, NoServerIsInstanceUnavailable) {  // contract: none -> -1090
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst inst("NOSUCH", false);
    ASSERT_EQ(inst.created, JET_errSuccess);
    EXPECT_EQ(inst.init(), JET_errInstanceUnavailable);
    EXPECT_EQ(JetBeginExternalBackupInstance(inst, 0), JET_errNotInitialized) << "still not initialized";
}

TEST(JetInit, APathThatIsNotTheServersFolderIsInvalidPath) {  // contract: path parameters not that server's folders -> -1023
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst inst("ESE01", false);
    ASSERT_EQ(inst.created, JET_errSuccess);
    std::string system = TestRoot::local("ESE01", kEseSystem);
    ASSERT_EQ(JetSetSystemParameterA(&inst.h, 0, JET_paramLogFilePath, 0, system.c_str()), JET_errSuccess);  // the checkpoint folder
    EXPECT_EQ(inst.init(), JET_errInvalidPath);
}

TEST(JetInit, AnotherBaseNameIsInvalidParameter) {  // contract: another base name -> -1003
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst inst("ESE01", false);
    ASSERT_EQ(inst.created, JET_errSuccess);
    ASSERT_EQ(JetSetSystemParameterA(&inst.h, 0, JET_paramBaseName, 0, "abc"), JET_errSuccess);
    EXPECT_EQ(inst.init(), JET_errInvalidParameter);
}

TEST(JetInit, TwiceIsAlreadyInitializedAndPathsAreFixedAfterIt) {  // contract: twice -> -1030; path parameters after JetInit -> -1030
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst inst("ESE01");
    ASSERT_TRUE(inst.ok());
    JET_INSTANCE h = inst.h;
    EXPECT_EQ(JetInit(&h), JET_errAlreadyInitialized);
    EXPECT_EQ(JetInit2(&h, 0), JET_errAlreadyInitialized);
    std::string logs = eseLogDir();
    EXPECT_EQ(JetSetSystemParameterA(&h, 0, JET_paramLogFilePath, 0, logs.c_str()), JET_errAlreadyInitialized);
    EXPECT_EQ(JetSetSystemParameterA(&h, 0, JET_paramBaseName, 0, "edb"), JET_errAlreadyInitialized);
}

TEST(JetInit, StartsAStoppedServer) {  // contract: a stopped server is started
    TestRoot root;
    root.create("ESE01", kEseOffline);
    EXPECT_NE(WbWriteServerA("ESE01", 1), S_OK) << "the server is offline";
    JetInst inst("ESE01");
    ASSERT_TRUE(inst.ok()) << inst.initialized;
    EXPECT_EQ(WbWriteServerA("ESE01", 1), S_OK) << "JetInit started it";
    JetBackupSet set;
    EXPECT_TRUE(jetBackup(inst, root.path() + "/set", &set));
}

TEST(JetInit, LegacyJetInitInMultiInstanceModeIsRunningInMultiInstanceMode) {  // contract: pinstance NULL / 0 / nil in multi-instance mode -> -1081
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst inst("ESE01", false);
    ASSERT_EQ(inst.created, JET_errSuccess);
    EXPECT_EQ(JetInit(nullptr), JET_errRunningInMultiInstanceMode);
    JET_INSTANCE zero = 0, nil = JET_instanceNil;
    EXPECT_EQ(JetInit(&zero), JET_errRunningInMultiInstanceMode);
    EXPECT_EQ(zero, 0u);
    EXPECT_EQ(JetInit2(&nil, 0), JET_errRunningInMultiInstanceMode);
    EXPECT_EQ(nil, JET_instanceNil);
}

// --- JetTerm / JetTerm2 -----------------------------------------------------------------------------------

TEST(JetTerm, ARunningBackupIsBackupInProgressAndTheInstanceStays) {  // contract: a backup running -> -505, the instance stays
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    EXPECT_EQ(JetTerm(root.h()), JET_errBackupInProgress);
    EXPECT_EQ(JetTerm2(root.h(), JET_bitTermComplete), JET_errBackupInProgress);
    EXPECT_EQ(JetTerm2(root.h(), JET_bitTermAbrupt), JET_errBackupInProgress);
    // the backup and the instance go on
    std::vector<std::string> dbs, logs;
    std::vector<uint8_t> stream;
    ASSERT_EQ(jetAttachInfo(root.h(), &dbs), JET_errSuccess);
    EXPECT_EQ(jetCopy(root.h(), dbs.at(0), &stream), JET_errSuccess);
    ASSERT_EQ(jetLogInfo(root.h(), &logs), JET_errSuccess);
    EXPECT_EQ(jetCopyLogs(root.h(), logs), JET_errSuccess);
    EXPECT_EQ(JetTruncateLogInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(JetEndExternalBackupInstance(root.h()), JET_errSuccess);
    EXPECT_EQ(root.inst->term(), JET_errSuccess) << "no backup any more";
}

TEST(JetTerm2, StopBackupStopsTheBackupAndEndsTheInstance) {  // contract: JET_bitTermStopBackup: the backup stopped, the instance ended
    OneEse root;
    ASSERT_EQ(JetBeginExternalBackupInstance(root.h(), 0), JET_errSuccess);
    ASSERT_EQ(jetOpen(root.h(), kEseDatabase), JET_errSuccess);
    JET_INSTANCE dead = root.h();
    ASSERT_EQ(root.inst->term(JET_bitTermStopBackup), JET_errSuccess);
    // the handle is dead: its calls are -1003, not -801
    EXPECT_EQ(jetProbe(dead), JET_errInvalidParameter);
    EXPECT_EQ(JetEndExternalBackupInstance(dead), JET_errInvalidParameter);
    EXPECT_EQ(JetTerm(dead), JET_errInvalidParameter);
    // the server runs on, free for another backup
    EXPECT_EQ(WbWriteServerA("ESE01", 1), S_OK);
    JetInst next("ESE01");
    ASSERT_TRUE(next.ok());
    JetBackupSet set;
    EXPECT_TRUE(jetBackup(next, root.path() + "/set", &set));
}

TEST(JetTerm, ANeverInitializedInstanceIsJustFreed) {  // contract: JetTerm of a created, never initialized instance just frees it
    TestRoot root;
    JET_INSTANCE h = 0;
    ASSERT_EQ(JetCreateInstanceA(&h, "idle"), JET_errSuccess);
    EXPECT_EQ(JetTerm(h), JET_errSuccess);
    EXPECT_EQ(JetTerm(h), JET_errInvalidParameter) << "the handle is dead";
    ASSERT_EQ(JetCreateInstanceA(&h, "idle"), JET_errSuccess) << "its name is free";
    EXPECT_EQ(JetTerm2(h, JET_bitTermStopBackup), JET_errSuccess);
}

TEST(JetTerm, LeavesTheServerRunning) {  // contract: the server keeps running
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst inst("ESE01");
    ASSERT_TRUE(inst.ok());
    ASSERT_EQ(inst.term(), JET_errSuccess);
    EXPECT_EQ(WbWriteServerA("ESE01", 1), S_OK) << "the server is online";
}

TEST(JetTerm, AnUnknownInstanceIsInvalidParameter) {  // contract: unknown -> -1003
    TestRoot root;
    JetInst keep("keep", false);  // multi-instance mode, so that 0 is no legacy instance either
    ASSERT_EQ(keep.created, JET_errSuccess);
    for (JET_INSTANCE h : {garbageInstance(), sentinelInstance(), keep.h + 1, keep.h ^ (JET_INSTANCE(1) << 40)}) {
        EXPECT_EQ(JetTerm(h), JET_errInvalidParameter) << h;
        EXPECT_EQ(JetTerm2(h, JET_bitTermStopBackup), JET_errInvalidParameter) << h;
    }
}

TEST(JetTerm, ZeroOrNilInMultiInstanceModeIsNoInstance) {  // contract: unknown -> -1003 (0 and nil name no instance here)
    TestRoot root;
    JetInst keep("keep", false);
    ASSERT_EQ(keep.created, JET_errSuccess);
    EXPECT_EQ(JetTerm(0), JET_errInvalidParameter);
    EXPECT_EQ(JetTerm2(JET_instanceNil, 0), JET_errInvalidParameter);
}

// --- every export, bad instance handles ----------------------------------------------------------------

TEST(JetHandles, GarbageNilAndZeroInstancesAreInvalidParameterOnEveryInstanceExport) {  // contract: not a live handle -> -1003
    TestRoot root;
    root.create("ESE01", kEse);
    JetInst live("ESE01");
    ASSERT_TRUE(live.ok());
    for (JET_INSTANCE h : {JET_INSTANCE(0), JET_instanceNil, garbageInstance(), sentinelInstance(), live.h + 1})
        EXPECT_EQ(firstNotReturning(h, JET_errInvalidParameter, root.path()), "") << "instance 0x" << std::hex << h;
    EXPECT_EQ(jetProbe(live), JET_errNoBackup) << "nothing reached the live instance";
}

TEST(JetHandles, ATerminatedInstanceIsInvalidParameterOnEveryInstanceExport) {  // contract: the handle is dead after JetTerm
    TestRoot root;
    root.create("ESE01", kEse);
    JET_INSTANCE dead = 0;
    {
        JetInst inst("ESE01");
        ASSERT_TRUE(inst.ok());
        dead = inst.h;
        ASSERT_EQ(inst.term(), JET_errSuccess);
    }
    JetInst other("other", false);  // keeps the process in multi-instance mode
    ASSERT_EQ(other.created, JET_errSuccess);
    EXPECT_EQ(firstNotReturning(dead, JET_errInvalidParameter, root.path()), "");
}

TEST(JetHandles, AStaleHandleDoesNotReachTheInstanceThatReplacedIt) {  // contract: a dead handle stays dead when its slot is reused
    TestRoot root;
    root.create("ESE01", kEse);
    JET_INSTANCE dead = 0;
    {
        JetInst inst("ESE01");
        ASSERT_TRUE(inst.ok());
        dead = inst.h;
        ASSERT_EQ(inst.term(), JET_errSuccess);
    }
    JetInst fresh("ESE01");
    ASSERT_TRUE(fresh.ok());
    EXPECT_NE(fresh.h, dead);
    EXPECT_EQ(JetBeginExternalBackupInstance(dead, 0), JET_errInvalidParameter);
    EXPECT_EQ(jetProbe(fresh), JET_errNoBackup) << "the stale Begin reached the new instance";
    EXPECT_EQ(JetStopBackupInstance(dead), JET_errInvalidParameter);
    EXPECT_EQ(JetTerm(dead), JET_errInvalidParameter);
    EXPECT_EQ(jetProbe(fresh), JET_errNoBackup);
}

TEST(JetHandles, TheParameterAndInitFunctionsRefuseUnknownInstances) {  // contract: JetSet/GetSystemParameter unknown instance -> -1003
    TestRoot root;
    JetInst keep("keep", false);
    ASSERT_EQ(keep.created, JET_errSuccess);
    for (JET_INSTANCE h : {garbageInstance(), sentinelInstance()}) {
        JET_INSTANCE x = h;
        EXPECT_EQ(JetSetSystemParameterA(&x, 0, JET_paramBaseName, 0, "edb"), JET_errInvalidParameter);
        EXPECT_EQ(JetSetSystemParameterW(&x, 0, JET_paramBaseName, 0, u"edb"), JET_errInvalidParameter);
        JET_API_PTR l = kSentinel;
        char sz[64];
        WCHAR wsz[64];
        EXPECT_EQ(JetGetSystemParameterA(h, 0, JET_paramBaseName, &l, sz, sizeof sz), JET_errInvalidParameter);
        EXPECT_EQ(JetGetSystemParameterW(h, 0, JET_paramBaseName, &l, wsz, sizeof wsz), JET_errInvalidParameter);
        EXPECT_EQ(JetInit(&x), JET_errInvalidParameter);
        EXPECT_EQ(x, h);
    }
}

TEST(JetHandles, TheBareWindows2000NamesAreExportedAndCheckTheInstanceToo) {  // contract "Names": bare names = the A functions
    TestRoot root;
    JetInst keep("keep", false);
    ASSERT_EQ(keep.created, JET_errSuccess);
    const JET_INSTANCE g = garbageInstance();
    char szz[64];
    uint32_t cb = kSentinel;
    JET_HANDLE hf;
    uint32_t lo, hi;
    JET_LOGINFO_A info{sizeof(JET_LOGINFO_A), 0, 0, {0}};
    using ListFn = JET_ERR (*)(JET_INSTANCE, JET_PSTR, uint32_t, uint32_t *);
    for (const char *name : {"JetGetAttachInfoInstance", "JetGetLogInfoInstance", "JetGetTruncateLogInfoInstance"})
        if (auto fn = bare<ListFn>(name)) { EXPECT_EQ(fn(g, szz, sizeof szz, &cb), JET_errInvalidParameter) << name; }
    if (auto fn = bare<JET_ERR (*)(JET_INSTANCE, JET_PSTR, uint32_t, uint32_t *, JET_LOGINFO_A *)>("JetGetLogInfoInstance2")) {
        EXPECT_EQ(fn(g, szz, sizeof szz, &cb, &info), JET_errInvalidParameter);
    }
    if (auto fn = bare<JET_ERR (*)(JET_INSTANCE, JET_PCSTR, JET_HANDLE *, uint32_t *, uint32_t *)>("JetOpenFileInstance")) {
        EXPECT_EQ(fn(g, kEseDatabase, &hf, &lo, &hi), JET_errInvalidParameter);
    }
    if (auto fn = bare<JET_ERR (*)(JET_INSTANCE, JET_PCSTR, JET_GRBIT, JET_PFNSTATUS)>("JetBackupInstance")) {
        EXPECT_EQ(fn(g, "/nonexistent/x", 0, nullptr), JET_errInvalidParameter);
    }
    if (auto fn = bare<JET_ERR (*)(JET_INSTANCE, JET_PCSTR, JET_PCSTR, JET_PFNSTATUS)>("JetRestoreInstance")) {
        EXPECT_EQ(fn(g, "/nonexistent/x", nullptr, nullptr), JET_errInvalidParameter);
    }
    EXPECT_EQ(cb, kSentinel);
    for (const char *name : {"JetCreateInstance", "JetCreateInstance2", "JetSetSystemParameter", "JetGetSystemParameter",
                             "JetGetAttachInfo", "JetOpenFile", "JetGetLogInfo", "JetExternalRestore", "JetExternalRestore2",
                             "JetBackup", "JetRestore", "JetRestore2"})
        EXPECT_NE(dlsym(RTLD_DEFAULT, name), nullptr) << name << " is not exported";
}
