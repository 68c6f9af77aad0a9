// Backups on several threads of one process (ntdsbcli.h "Threading": every function may be
// called from any thread; different HBCs run in parallel; one backup per server at a time).
#include "helpers.h"

#include <atomic>
#include <thread>

using namespace wbtest;

TEST(Concurrency, TwoServersBackedUpOnTwoThreadsAtOnce) {  // ntdsbcli.h: different HBCs run in parallel
    TestRoot root;
    root.create("DC01");
    root.create("DC02", "--role ntds --db-size 3M --logs 3 --log-size 64K");
    ASSERT_EQ(WbWriteServerA("DC01", 5), S_OK);
    ASSERT_EQ(WbWriteServerA("DC02", 7), S_OK);
    BackupResult r1, r2;
    ::testing::AssertionResult ok1 = ::testing::AssertionFailure(), ok2 = ::testing::AssertionFailure();
    std::atomic<int> ready{0};
    auto run = [&ready](const char16_t *server, BackupResult *r, ::testing::AssertionResult *ok) {
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();  // start together
        *ok = fullBackupW(server, r);
    };
    std::thread t1(run, u"DC01", &r1, &ok1);
    std::thread t2(run, u"DC02", &r2, &ok2);
    t1.join();
    t2.join();
    ASSERT_TRUE(ok1);
    ASSERT_TRUE(ok2);
    EXPECT_EQ(u8(r1.database), "\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit");
    EXPECT_EQ(u8(r2.database), "\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit");
    EXPECT_TRUE(databaseStreamMatches(r1.stream, TestRoot::ntdsDit("DC01")));
    EXPECT_TRUE(databaseStreamMatches(r2.stream, TestRoot::ntdsDit("DC02")));
    EXPECT_EQ(r1.stream.size(), (2u * 1024 * 1024 / kPage + 1) * kPage);
    EXPECT_EQ(r2.stream.size(), (3u * 1024 * 1024 / kPage + 1) * kPage);
    for (auto *r : {&r1, &r2}) {
        const char *server = r == &r1 ? "DC01" : "DC02";
        ASSERT_FALSE(r->logs.empty());
        for (size_t i = 0; i < r->logs.size(); ++i) {
            EXPECT_EQ(u8(r->logs[i]).rfind(std::string("\\\\") + server + "\\", 0), 0u) << u8(r->logs[i]);
            EXPECT_TRUE(r->logBytes[i] == readFile(TestRoot::local(server, u8(r->logs[i]).c_str()))) << u8(r->logs[i]);
        }
    }
}

TEST(Concurrency, OneServerCanOnlyBeBackedUpOnceAtATimeAcrossThreads) {  // contract: -> hrBackupInProgress
    OneServer root;
    constexpr int kThreads = 4;
    std::atomic<int> ready{0};
    HRESULT results[kThreads];
    HBC handles[kThreads] = {};
    void *tokens[kThreads] = {};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&, i] {
            DWORD cb = 0;
            ++ready;
            while (ready.load() < kThreads) std::this_thread::yield();
            results[i] = DsBackupPrepareW(u"DC01", 0, BACKUP_TYPE_FULL, &tokens[i], &cb, &handles[i]);
        });
    for (auto &t : threads) t.join();
    int winners = 0;
    for (int i = 0; i < kThreads; ++i) {
        if (results[i] == S_OK) {
            ++winners;
            EXPECT_EQ(DsBackupEnd(handles[i]), S_OK);
            DsBackupFree(tokens[i]);
        } else {
            EXPECT_EQ(results[i], hrBackupInProgress) << "thread " << i;
        }
    }
    EXPECT_EQ(winners, 1);
}

TEST(Concurrency, BackupWhileTheServerWritesInThisProcess) {  // contract: S_OK reads; the log list is non-empty
    OneServer root;
    std::atomic<bool> stop{false};
    std::atomic<int> writes{0};
    HRESULT writerResult = S_OK;
    std::thread writer([&] {
        while (!stop.load()) {
            HRESULT hr = WbWriteServerA("DC01", 2);
            if (hr != S_OK) {
                writerResult = hr;
                break;
            }
            ++writes;
        }
    });
    while (writes.load() < 1 && writerResult == S_OK) std::this_thread::yield();
    Backup b(u"DC01");
    ASSERT_TRUE(b.ok());
    std::vector<uint8_t> stream;
    LONGLONG size = 0;
    EXPECT_EQ(b.openDatabase(&size), S_OK);
    EXPECT_EQ(b.readAll(&stream, kMinRead), ERROR_HANDLE_EOF) << "a page failed to verify while the server wrote";
    EXPECT_EQ(DsBackupClose(b.hbc), S_OK);
    EXPECT_EQ(static_cast<LONGLONG>(stream.size()), size);
    std::vector<std::u16string> logs;
    EXPECT_EQ(b.logNames(&logs), S_OK);
    stop = true;
    writer.join();
    EXPECT_EQ(writerResult, S_OK);
    EXPECT_FALSE(logs.empty());
    std::vector<uint8_t> bytes;
    for (auto &l : logs) EXPECT_EQ(b.copy(l, &bytes), S_OK) << u8(l);
    EXPECT_EQ(DsBackupTruncateLogs(b.hbc), S_OK);
    EXPECT_EQ(b.end(), S_OK);
    EXPECT_TRUE(databaseStreamMatches(stream, TestRoot::ntdsDit("DC01"), /*exact=*/false));
}
