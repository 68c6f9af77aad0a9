import BackupEngine
import Glibc

/// winbackupctl demo: the main job, end to end, with no set-up. On the default root it creates
/// a sample domain controller, writes to it, backs it up through libwinbackup.so's exports,
/// verifies the backup set page by page and prints what happened.
enum Demo {
    static let serverName = "DEMO-DC01"

    static func run(_ args: inout Arguments) throws(CLIError) {
        try args.finish()
        let started = monotonicNanoseconds()
        let registry = ServerRegistry()
        let backupDirectory = registry.root + "/backups/" + serverName
        print("winbackup demo: an online backup of an emulated domain controller through libwinbackup.so")
        print("  root: \(registry.root)")
        do throws(BackupError) {
            if (try? registry.find(serverName)) != nil { try registry.delete(serverName) }
            try FileSystem.removeTree(backupDirectory)
            var options = ServerOptions(role: .ntds)
            options.databaseSize = 32 << 20
            options.logGenerations = 3
            let server = try registry.create(serverName, options)
            let settings = try server.settings()
            print("1. created domain controller \(server.name): \(server.unc(settings.databases[0])) "
                  + "(\(formatBytes(options.databaseSize))), 3 log generations")
            let report = try ActivityWriter(store: try Store(server: server)).run(transactions: 400)
            print("2. wrote \(report.transactions) transactions: log generation \(report.firstGeneration) -> \(report.lastGeneration), "
                  + "\(report.pagesWritten) page writes")
        } catch {
            throw CLIError(error)
        }
        let library = try WinBackupLibrary.load()
        var agent = BackupAgent(library: library)
        let result = try agent.backupDomainController(serverName, to: backupDirectory, truncate: true)
        print("3. backed up through DsIsNTDSOnline, DsBackupPrepare ... DsBackupTruncateLogs, DsBackupEnd (\(library.path))")
        for f in result.manifest.files { print("     \(f.name.padding(44)) \(formatBytes(f.size))") }
        if let first = result.manifest.logsTruncated.first, let last = result.manifest.logsTruncated.last {
            print("     truncated log generations \(first)-\(last)")
        }
        let verified: BackupSetReport
        do { verified = try BackupSetVerifier.verify(backupDirectory) } catch { throw CLIError(error) }
        print("4. verified the backup set:")
        BackupCommands.printReport(verified, directory: backupDirectory)
        guard verified.ok else { throw CLIError("demo failed: the backup set is not valid") }
        print("done in \(format(Double(monotonicNanoseconds() - started) / 1e9, 2)) s. Next: winbackupctl server show \(serverName)")
    }
}
