import BackupEngine

/// The ESE half of `winbackupctl demo`, as an agent written for esent.dll runs it: a full and an
/// incremental streaming backup of DEMO-ESE01 while it is written (JetBeginExternalBackupInstance
/// ... JetEndExternalBackupInstance2), both restored onto DEMO-ESE02 with one JetExternalRestore,
/// then the proof: the content DEMO-ESE01 recorded at the end of the incremental's last log.
extension Demo {
    static let sourceEse = "DEMO-ESE01"
    static let targetEse = "DEMO-ESE02"

    static func eseInstance(_ library: WinBackupLibrary, _ registry: ServerRegistry) throws(CLIError) {
        let sets = ["full", "incremental"].map { registry.root + "/backups/\(sourceEse)/" + $0 }
        let server: Server
        do {
            for name in [sourceEse, targetEse] where (try? registry.find(name)) != nil { try registry.delete(name) }
            try FileSystem.removeTree(registry.root + "/backups/\(sourceEse)")
            var options = ServerOptions(role: .ese)
            options.databaseSize = 8 << 20
            options.logFileSize = 256 << 10
            server = try registry.create(sourceEse, options)
        } catch { throw CLIError(error) }
        print("8. created the ESE instance \(sourceEse) and backed it up through JetBeginExternalBackupInstance ... JetEndExternalBackupInstance2:")
        var agent = BackupAgent(library: library)
        for (index, directory) in sets.enumerated() {
            let (result, written) = try whileWriting(server) { () throws(CLIError) in
                try agent.backupEseInstance(sourceEse, to: directory, incremental: index > 0, truncate: true)
            }
            let logs = result.manifest.files.filter { $0.kind == .log }.count
            let databases = result.manifest.files.filter { $0.kind == .database }.count
            print("     \(FileSystem.lastComponent(directory).padding(14)) \(databases) database, \(logs) log(s); \(written) transactions meanwhile")
        }
        let last: BackupSetReport
        do { last = try BackupSetVerifier.verify(sets[1]) } catch { throw CLIError(error) }
        guard last.ok, let recorded = last.digest, let lastGeneration = last.logs.last else { throw CLIError("demo failed: \(sets[1]) is not valid") }

        let rebuilt: Server
        do {
            var options = ServerOptions(role: .ese)
            options.databaseSize = 1 << 20
            options.logGenerations = 0
            options.online = false  // a Jet restore runs on a stopped instance
            rebuilt = try registry.create(targetEse, options)
        } catch { throw CLIError(error) }
        let restored = try RestoreAgent(library: library).restoreEseInstance(sets, to: targetEse)
        let current: DatabaseDigest
        do {
            _ = try rebuilt.start()
            current = try DatabaseDigest.compute(try Store(server: rebuilt).openDatabases())
        } catch { throw CLIError(error) }
        print("9. restored both sets onto \(targetEse) with one JetExternalRestore (log generations \(restored.genLow)-\(restored.genHigh)) and started it;")
        print("   content at the end of log generation \(lastGeneration):")
        print("     \(sourceEse) recorded (in the log): \(recorded)")
        print("     \(targetEse) holds (read now):     \(current)")
        guard current == recorded else { throw CLIError("demo failed: the restored ESE instance differs from the backed-up content") }
        print("   identical.")
    }
}
