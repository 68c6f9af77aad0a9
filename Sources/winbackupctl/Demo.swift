import BackupEngine
import Glibc
import Synchronization

/// winbackupctl demo: the main job, end to end, with no set-up. On the default root:
///   1. create the domain controller DEMO-DC01 and give it some history;
///   2. back it up through libwinbackup.so's exports while a writer keeps changing it (an online,
///      fuzzy backup), and verify the backup set page by page;
///   3. restore the set onto a second DC, DEMO-DC02 (a rebuilt DC), and start it: hard recovery
///      replays the backed-up logs;
///   4. show that DEMO-DC02 holds exactly the content DEMO-DC01's writer recorded at the end of
///      the backup's last log generation: two digests, computed independently.
enum Demo {
    static let source = "DEMO-DC01"
    static let target = "DEMO-DC02"

    static func run(_ args: inout Arguments) throws(CLIError) {
        try args.finish()
        let started = monotonicNanoseconds()
        let registry = ServerRegistry()
        let backupDirectory = registry.root + "/backups/" + source
        print("winbackup demo: online backups of an emulated domain controller, CA and ESE instance, and their restores, through libwinbackup.so")
        print("  root: \(registry.root)")
        let library = try WinBackupLibrary.load()

        // 1. The source DC.
        let server: Server
        do {
            for name in [source, target] where (try? registry.find(name)) != nil { try registry.delete(name) }
            try FileSystem.removeTree(backupDirectory)
            var options = ServerOptions(role: .ntds)
            options.databaseSize = 32 << 20
            options.logGenerations = 3
            server = try registry.create(source, options)
        } catch { throw CLIError(error) }
        print("1. created \(source): \(server.unc(WindowsPath("C:\\Windows\\NTDS\\ntds.dit")!)) (32.0 MiB), 3 log generations")

        // 2. Back it up while a writer changes it.
        var agent = BackupAgent(library: library)
        let (backup, committed) = try whileWriting(server) { () throws(CLIError) in
            try agent.backupDomainController(source, to: backupDirectory, truncate: true)
        }
        print("2. backed up \(source) while it committed \(committed) transactions, through DsBackupPrepare ... DsBackupEnd:")
        for f in backup.manifest.files { print("     \(f.name.padding(44)) \(formatBytes(f.size))") }
        if let first = backup.manifest.logsTruncated.first, let last = backup.manifest.logsTruncated.last {
            print("     truncated log generations \(first)-\(last)")
        }
        let verified: BackupSetReport
        do { verified = try BackupSetVerifier.verify(backupDirectory) } catch { throw CLIError(error) }
        guard verified.ok, let lastGeneration = verified.logs.last, let recorded = verified.digest else {
            BackupCommands.printReport(verified, directory: backupDirectory)
            throw CLIError("demo failed: the backup set is not valid")
        }
        print("   verified: \(verified.pagesVerified) pages, log generations \(verified.logs.first!)-\(lastGeneration), \(formatBytes(verified.bytes))")

        // 3. Restore onto a second DC and start it.
        let rebuilt: Server
        do {
            var options = ServerOptions(role: .ntds)
            options.databaseSize = 1 << 20
            options.logGenerations = 0
            options.online = false  // a DC being restored runs in Directory Services Restore Mode
            rebuilt = try registry.create(target, options)
        } catch { throw CLIError(error) }
        let restored = try RestoreAgent(library: library).restore(backupDirectory, to: target)
        print("3. restored the set onto \(target) through DsRestorePrepare ... DsRestoreEnd (\(restored.files) files), and started it:")
        let recovery: HardRecovery.Report
        do {
            guard case .restored(let r) = try rebuilt.start() else { throw CLIError("\(target) started without its restore") }
            recovery = r
        } catch let e as CLIError { throw e } catch { throw CLIError("\(error)") }
        print("     hard recovery replayed \(recovery.transactionsReplayed) transactions of log generations \(recovery.genLow)-\(recovery.genHigh)")

        // 4. The proof: the same content, by two independent routes.
        let current: DatabaseDigest
        do { current = try DatabaseDigest.compute(try Store(server: rebuilt).openDatabases()) } catch { throw CLIError(error) }
        print("4. content at the end of log generation \(lastGeneration):")
        print("     \(source) recorded (its writer, in the log): \(recorded)")
        print("     \(target) holds (every page, read now):      \(current)")
        guard current == recorded else { throw CLIError("demo failed: the restored content differs from the backed-up content") }
        print("   identical: the restore holds exactly the committed content of the backup.")

        try certificateAuthority(library, registry)
        try eseInstance(library, registry)
        print("done in \(format(Double(monotonicNanoseconds() - started) / 1e9, 2)) s. "
              + "Next: winbackupctl server show \(target); winbackupctl server show \(targetCA); winbackupctl verify \(backupDirectory)")
    }

    /// Runs `body` while a writer thread commits transactions to `server`; returns what `body`
    /// returned and how many transactions were committed meanwhile.
    static func whileWriting<R>(_ server: Server, _ body: () throws(CLIError) -> R) throws(CLIError) -> (R, Int) {
        let stop = Atomic<Bool>(false)
        let committed = Atomic<Int>(0)
        let writer = BackgroundThread {
            guard let store = try? Store(server: server) else { return }
            let w = ActivityWriter(store: store)
            w.shouldStop = { stop.load(ordering: .relaxed) }
            if let r = try? w.run(transactions: 1_000_000) { committed.store(r.transactions, ordering: .relaxed) }
        }
        func finish() {
            stop.store(true, ordering: .relaxed)
            writer.join()
        }
        sleepMilliseconds(100)  // let it get going
        let result: R
        do { result = try body() } catch { finish(); throw error }
        sleepMilliseconds(50)  // and a little after
        finish()
        return (result, committed.load(ordering: .relaxed))
    }
}
