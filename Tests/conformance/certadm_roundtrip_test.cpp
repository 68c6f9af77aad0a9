// A CA's full backup and two incremental (LOGS_ONLY) ones, restored onto a second CA
// (docs/CONTRACT-CERTADM.md "Recovery", "CertSrvRestoreRegisterW / ...ThroughFile",
// "CertSrvBackupGetDynamicFileListW").
#include "helpers.h"

#include <algorithm>

using namespace wbtest;

namespace {

// A source CA01 with activity, its full backup and two incrementals with activity in between,
// each in <root>/<name>; the source's content right after the second one; then more activity
// (a new CRL, new content) on the source. A target CA02, offline, with the CA name CA01-CA.
struct BackupChain : TestRoot {
    CaBackupSet full, inc1, inc2;
    std::string sourceAtInc2;
    bool ok = false;

    BackupChain() {
        create("CA01", kSmallCa);
        create("CA02", kSmallCaTarget);
        EXPECT_EQ(WbWriteServerA("CA01", 4), S_OK);
        EXPECT_TRUE(makeCaBackupSet("CA01", path() + "/full", CSBACKUP_TYPE_FULL, &full));
        EXPECT_EQ(WbWriteServerA("CA01", 6), S_OK);
        EXPECT_TRUE(makeCaBackupSet("CA01", path() + "/inc1", CSBACKUP_TYPE_LOGS_ONLY, &inc1));
        EXPECT_EQ(WbWriteServerA("CA01", 6), S_OK);
        EXPECT_TRUE(makeCaBackupSet("CA01", path() + "/inc2", CSBACKUP_TYPE_LOGS_ONLY, &inc2));
        sourceAtInc2 = inc2.contentAtEnd;
        EXPECT_EQ(WbWriteServerA("CA01", 3), S_OK);
        // the chain: each backup's logs follow the previous one's without a gap
        EXPECT_LE(inc1.genLow, full.genHigh + 1);
        EXPECT_GT(inc1.genHigh, full.genHigh);
        EXPECT_LE(inc2.genLow, inc1.genHigh + 1);
        EXPECT_GT(inc2.genHigh, inc1.genHigh);
        EXPECT_NE(contentDigest("CA01"), sourceAtInc2) << "the activity after the last backup changed nothing";
        ok = !::testing::Test::HasFailure();
    }
};

std::string crlOf(const char *server) { return TestRoot::local(server, (std::string(kCertEnroll) + "\\CA01-CA.crl").c_str()); }

}  // namespace

TEST(CertSrvRestore, AFullAndTwoIncrementalsRegisteredInReverseOrderRestoreTheLatestContent) {  // contract: Recovery S_OK
    BackupChain root;
    ASSERT_TRUE(root.ok);
    ASSERT_EQ(caState("CA02"), "stopped");
    ASSERT_TRUE(restoreCaFull(root.full, "CA02", "full"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "inc2"));  // the incrementals in reverse order
    ASSERT_TRUE(restoreCaIncremental(root.inc1, "CA02", "inc1"));
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    EXPECT_EQ(caState("CA02"), "running");
    std::string restored = contentDigest("CA02");
    EXPECT_EQ(restored, logDigest(root.inc2.lastLog())) << "CA02 does not hold the content of the second incremental's last log";
    EXPECT_EQ(restored, root.sourceAtInc2) << "CA02 does not hold the source's content at the second incremental";
    EXPECT_NE(restored, contentDigest("CA01")) << "CA02 holds content written after the last backup";
    // the restored CA works: it backs up and takes activity
    CaBackupSet again;
    EXPECT_TRUE(makeCaBackupSet("CA02", root.path() + "/again", CSBACKUP_TYPE_FULL, &again));
    EXPECT_EQ(WbWriteServerA("CA02", 2), S_OK);
}

TEST(CertSrvRestore, AFullBackupAloneRestoresItsOwnContent) {  // contract: Recovery of the full range alone
    BackupChain root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreCaFull(root.full, "CA02"));
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    EXPECT_EQ(contentDigest("CA02"), logDigest(root.full.lastLog()));
    EXPECT_EQ(contentDigest("CA02"), root.full.contentAtEnd);
}

TEST(CertSrvRestore, ASkippedIncrementalLeavesAGapAndTheCaStaysStopped) {  // contract: a gap -> hrMissingLogFile 0xC8000210
    BackupChain root;
    ASSERT_TRUE(root.ok);
    ASSERT_GT(root.inc2.genLow, root.full.genHigh + 1) << "the second incremental overlaps the full backup: no gap to test";
    ASSERT_TRUE(restoreCaFull(root.full, "CA02", "full"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "inc2"));
    expectCaStartRefused("CA02", hrMissingLogFile);
    EXPECT_EQ(hrMissingLogFile, static_cast<HRESULT>(0xC8000210u));
    expectCaStartRefused("CA02", hrMissingLogFile);  // and again: nothing changed
    // registering the missing incremental closes the gap
    ASSERT_TRUE(restoreCaIncremental(root.inc1, "CA02", "inc1"));
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    EXPECT_EQ(contentDigest("CA02"), root.sourceAtInc2);
}

TEST(CertSrvRestore, AGenerationMissingFromItsFolderIsMissingLogFile) {  // contract: missing from its folder -> hrMissingLogFile
    BackupChain root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreCaFull(root.full, "CA02", "full"));
    ASSERT_TRUE(restoreCaIncremental(root.inc1, "CA02", "inc1"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "inc2"));
    // a generation only the second incremental holds, removed from its folder
    uint32_t g = root.inc2.genHigh;
    ASSERT_GT(g, root.inc1.genHigh);
    removeFile(caRestoreFolder("CA02", "inc2") + "/" + root.inc2.logName(g));
    expectCaStartRefused("CA02", hrMissingLogFile);
}

TEST(CertSrvRestore, TheDynamicFilesCopiedBackEqualThoseOfTheBackup) {  // contract: the dynamic files are the agent's to copy back
    BackupChain root;
    ASSERT_TRUE(root.ok);
    ASSERT_EQ(root.full.dynamicFiles.size(), 2u);
    // the source has published a new CRL since the backup
    std::vector<uint8_t> crlAtBackup = readFile(root.full.dynamicFile(root.full.dynamicFiles[0]));
    ASSERT_FALSE(crlAtBackup.empty());
    EXPECT_NE(readFile(crlOf("CA01")), crlAtBackup) << "the source's CRL did not change after the backup";
    std::string text(crlAtBackup.begin(), crlAtBackup.end());
    EXPECT_NE(text.find("crl-number: "), std::string::npos) << text;

    ASSERT_TRUE(restoreCaFull(root.full, "CA02", "full"));
    ASSERT_TRUE(restoreCaIncremental(root.inc1, "CA02", "inc1"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "inc2"));
    // the agent copies the dynamic files back by ordinary means, to the same Windows paths
    for (auto &f : root.full.dynamicFiles) {
        std::string windows = u8(f.substr(f.find(u"\\Windows")));
        std::string target = TestRoot::local("CA02", ("C:" + windows).c_str());
        ASSERT_FALSE(target.empty()) << u8(f);
        copyFile(root.full.dynamicFile(f), target);
    }
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    for (auto &f : root.full.dynamicFiles) {
        std::string windows = u8(f.substr(f.find(u"\\Windows")));
        std::string target = TestRoot::local("CA02", ("C:" + windows).c_str());
        EXPECT_TRUE(readFile(target) == readFile(root.full.dynamicFile(f))) << windows << " differs from the backup's copy";
        // and equal to what the source had at backup time, not now (for the CRL)
    }
    EXPECT_TRUE(readFile(crlOf("CA02")) == crlAtBackup);
    EXPECT_FALSE(readFile(crlOf("CA02")) == readFile(crlOf("CA01")));
    // the restored CA lists them as its own dynamic files
    CaBackup b(u"CA02");
    ASSERT_TRUE(b.ok());
    std::vector<std::u16string> files;
    ASSERT_EQ(b.dynamicFiles(&files), S_OK);
    EXPECT_NE(std::find(files.begin(), files.end(), uncCertEnroll("CA02", "CA01-CA.crl")), files.end());
}

TEST(CertSrvRestore, ABackupOperatorRestoresThroughFile) {  // contract: ThroughFile accepts a backup operator, RegisterW does not
    BackupChain root;
    ASSERT_TRUE(root.ok);
    AuthIdentityReset reset;
    ASSERT_EQ(WbAllowBackupOperatorA("CA02", "CONTOSO\\bkop", "Passw0rd!"), S_OK);
    ASSERT_EQ(DsSetAuthIdentityW(u"bkop", u"CONTOSO", u"Passw0rd!"), S_OK);
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok()) << "CertSrvRestorePrepareW as a backup operator: 0x" << std::hex << r.hr;
        EXPECT_EQ(r.registerOne(nullptr, nullptr, root.full.database.c_str(), kCaDatabaseW, u"C:\\Restore\\full",
                                root.full.genLow, root.full.genHigh),
                  E_ACCESSDENIED);
        ASSERT_EQ(r.registerOne(nullptr, nullptr, root.full.database.c_str(), kCaDatabaseW, u"C:\\Restore\\full",
                                root.full.genLow, root.full.genHigh, true),
                  S_OK);
        copyFile(root.full.databaseFile(), TestRoot::local("CA02", kCaDatabase));
        copyCaLogs(root.full, "CA02", "full");
        EXPECT_EQ(r.complete(), S_OK);
        EXPECT_EQ(r.end(), S_OK);
    }
    for (const CaBackupSet *inc : {&root.inc1, &root.inc2}) {
        CaRestore r("CA02", 0);
        ASSERT_TRUE(r.ok());
        std::string folder = inc == &root.inc1 ? "inc1" : "inc2";
        std::u16string wfolder = u"C:\\Restore\\" + u16(folder);
        EXPECT_EQ(r.registerOne(nullptr, nullptr, nullptr, nullptr, wfolder.c_str(), inc->genLow, inc->genHigh), E_ACCESSDENIED);
        ASSERT_EQ(r.registerOne(nullptr, nullptr, nullptr, nullptr, wfolder.c_str(), inc->genLow, inc->genHigh, true), S_OK);
        copyCaLogs(*inc, "CA02", folder.c_str());
        EXPECT_EQ(r.complete(), S_OK);
        EXPECT_EQ(r.end(), S_OK);
    }
    ASSERT_EQ(DsSetAuthIdentityW(nullptr, nullptr, nullptr), S_OK);
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    EXPECT_EQ(contentDigest("CA02"), root.sourceAtInc2);
}

TEST(CertSrvRestore, TheMapMayNameTheTargetDatabaseInAnySpelling) {  // contract: three spellings accepted; the target's own locations
    BackupChain root;
    ASSERT_TRUE(root.ok);
    // the target's database as its own CertSrvRestoreGetDatabaseLocationsW gives it while it runs
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    std::vector<std::u16string> where;
    std::vector<char16_t> types;
    {
        CaBackup probe(u"CA02");
        ASSERT_TRUE(probe.ok());
        ASSERT_EQ(probe.locations(&where, &types), S_OK);
    }
    ASSERT_EQ(where.size(), 3u);
    ASSERT_EQ(types[0], CSBFT_CERTSERVER_DATABASE);
    ASSERT_EQ(CertSrvServerControlW(u"CA02", CSCONTROL_SHUTDOWN, nullptr, nullptr), S_OK);
    CaRestore r("CA02", CSRESTORE_TYPE_FULL);
    ASSERT_TRUE(r.ok());
    copyFile(root.full.databaseFile(), TestRoot::local("CA02", kCaDatabase));
    copyCaLogs(root.full, "CA02", "full");
    // each spelling of the database and of the backup log folder; the last registration counts
    const std::u16string spellings[][2] = {
        {where[0], u"\\\\CA02\\C$\\Restore\\full"},
        {kCaDatabaseW, u"C:\\Restore\\full"},
        {u16(TestRoot::local("CA02", kCaDatabase)), u16(caRestoreFolder("CA02", "full"))},
    };
    for (auto &s : spellings)
        EXPECT_EQ(r.registerOne(where[2].c_str(), where[1].c_str(), root.full.database.c_str(), s[0].c_str(), s[1].c_str(),
                                root.full.genLow, root.full.genHigh),
                  S_OK)
            << u8(s[0]) << ", " << u8(s[1]);
    EXPECT_EQ(r.complete(), S_OK);
    EXPECT_EQ(r.end(), S_OK);
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    EXPECT_EQ(contentDigest("CA02"), root.full.contentAtEnd);
}

TEST(CertSrvRestore, AFullRegistrationReplacesAnEarlierOne) {  // contract: a full registration replaces any earlier one
    BackupChain root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreCaFull(root.full, "CA02", "full"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "inc2"));  // a gap: this would not start
    ASSERT_TRUE(restoreCaFull(root.full, "CA02", "full"));         // registered again: the incremental is gone
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    EXPECT_EQ(contentDigest("CA02"), logDigest(root.full.lastLog())) << "CA02 is not at the end of the full backup";
    EXPECT_NE(contentDigest("CA02"), root.sourceAtInc2);
}

TEST(CertSrvRestore, OverlappingAndRepeatedIncrementalsFormOneRange) {  // contract: incrementals may overlap each other, any order
    BackupChain root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreCaFull(root.full, "CA02", "full"));
    ASSERT_TRUE(restoreCaIncremental(root.inc1, "CA02", "inc1"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "inc2"));
    ASSERT_TRUE(restoreCaIncremental(root.inc1, "CA02", "inc1"));  // the same one twice
    // and a third folder holding inc1's last generation and all of inc2: overlaps both
    CaBackupSet both = root.inc2;
    both.genLow = root.inc1.genHigh;
    both.dir = root.path() + "/both";
    makeDirs(both.dir);
    copyFile(root.inc1.logFile(root.inc1.genHigh), both.logFile(root.inc1.genHigh));
    for (uint32_t g = root.inc2.genLow; g <= root.inc2.genHigh; ++g)
        if (g != root.inc1.genHigh) copyFile(root.inc2.logFile(g), both.logFile(g));
    ASSERT_TRUE(restoreCaIncremental(both, "CA02", "both"));
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    EXPECT_EQ(contentDigest("CA02"), root.sourceAtInc2);
}

TEST(CertSrvRestore, NullPathsMeanTheCasOwnCertLogFolder) {  // contract: ckpt, logPath, backupLogPath NULL -> the CA's own
    BackupChain root;
    ASSERT_TRUE(root.ok);
    {
        CaRestore r("CA02", CSRESTORE_TYPE_FULL);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(r.registerOne(nullptr, nullptr, root.full.database.c_str(), kCaDatabaseW, nullptr, root.full.genLow,
                                root.full.genHigh),
                  S_OK);
        copyFile(root.full.databaseFile(), TestRoot::local("CA02", kCaDatabase));
        for (uint32_t g = root.full.genLow; g <= root.full.genHigh; ++g) copyFile(root.full.logFile(g), caLogFile("CA02", g));
        EXPECT_EQ(r.complete(), S_OK);
        EXPECT_EQ(r.end(), S_OK);
    }
    ASSERT_EQ(WbStartServerA("CA02"), S_OK);
    EXPECT_EQ(contentDigest("CA02"), root.full.contentAtEnd);
}

TEST(CertSrvRestore, RestoringTheSourceCaTakesItBackToTheLastIncremental) {  // contract: exactly the content recorded at the end of genHigh
    BackupChain root;
    ASSERT_TRUE(root.ok);
    std::string later = contentDigest("CA01");
    ASSERT_NE(later, root.sourceAtInc2);
    ASSERT_EQ(CertSrvServerControlW(u"CA01", CSCONTROL_SHUTDOWN, nullptr, nullptr), S_OK);
    ASSERT_TRUE(restoreCaFull(root.full, "CA01", "full"));
    ASSERT_TRUE(restoreCaIncremental(root.inc1, "CA01", "inc1"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA01", "inc2"));
    ASSERT_EQ(WbStartServerA("CA01"), S_OK);
    EXPECT_EQ(caState("CA01"), "running");
    EXPECT_EQ(contentDigest("CA01"), root.sourceAtInc2);
    EXPECT_EQ(WbWriteServerA("CA01", 2), S_OK);
}

TEST(CertSrvRestore, AGenerationComesFromTheLastRegisteredFolderThatHasIt) {  // contract: the last registered range that holds it and has the file
    BackupChain root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreCaFull(root.full, "CA02", "full"));
    ASSERT_TRUE(restoreCaIncremental(root.inc1, "CA02", "inc1"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "inc2"));
    // a last range covering the second incremental's generations, its folder missing one of them
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "again"));
    removeFile(caRestoreFolder("CA02", "again") + "/" + root.inc2.logName(root.inc2.genHigh));
    ASSERT_EQ(WbStartServerA("CA02"), S_OK) << "the generation is in an earlier folder";
    EXPECT_EQ(contentDigest("CA02"), root.sourceAtInc2);
}

TEST(CertSrvRestore, TheLastRegisteredFolderWinsOverAnEarlierOne) {  // contract: the last registered range that holds it; damaged -> hrLogFileCorrupt
    BackupChain root;
    ASSERT_TRUE(root.ok);
    ASSERT_TRUE(restoreCaFull(root.full, "CA02", "full"));
    ASSERT_TRUE(restoreCaIncremental(root.inc1, "CA02", "inc1"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "inc2"));
    ASSERT_TRUE(restoreCaIncremental(root.inc2, "CA02", "again"));
    // damage, in the last registered folder only, a generation with records in its first segment
    std::string damaged;
    for (uint32_t g = root.inc2.genLow; g <= root.inc2.genHigh && damaged.empty(); ++g) {
        std::string f = caRestoreFolder("CA02", "again") + "/" + root.inc2.logName(g);
        std::vector<uint8_t> bytes = readFile(f);
        for (size_t i = 4096; i < 8192 && i < bytes.size(); ++i)
            if (bytes[i] != 0) {
                damaged = f;
                break;
            }
    }
    ASSERT_FALSE(damaged.empty()) << "no log with records to damage";
    flipByte(damaged, 4096 + 100);
    // the damaged copy is the one replayed: CONTRACT-NTDSBCLI.md's refusal for a log that fails its checksums
    expectCaStartRefused("CA02", hrLogFileCorrupt);
}
