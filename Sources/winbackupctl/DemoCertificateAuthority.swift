import BackupEngine

/// The CA half of `winbackupctl demo`, as certutil -backupDB / -restoreDB would run it through
/// Certadm.dll: a full backup of DEMO-CA01 while it issues, two incremental backups after more
/// activity, then a restore onto DEMO-CA02 of the full set and the incrementals in reverse order,
/// a start, and the proof: the content DEMO-CA01 recorded at the end of the last incremental,
/// and its CRL of that time.
extension Demo {
    static let sourceCA = "DEMO-CA01"
    static let targetCA = "DEMO-CA02"

    static func certificateAuthority(_ library: WinBackupLibrary, _ registry: ServerRegistry) throws(CLIError) {
        let sets = ["full", "incremental-1", "incremental-2"].map { registry.root + "/backups/\(sourceCA)/" + $0 }
        let server: Server
        do {
            for name in [sourceCA, targetCA] where (try? registry.find(name)) != nil { try registry.delete(name) }
            try FileSystem.removeTree(registry.root + "/backups/\(sourceCA)")
            var options = ServerOptions(role: .certsrv)
            options.databaseSize = 8 << 20
            options.logFileSize = 256 << 10
            server = try registry.create(sourceCA, options)
        } catch { throw CLIError(error) }
        let caName = (try? server.settings().caName) ?? "?"
        print("5. created the certification authority \(sourceCA) (CA \"\(caName)\"), and backed it up through CertSrvBackupPrepare ... CertSrvBackupEnd:")

        var agent = BackupAgent(library: library)
        for (index, directory) in sets.enumerated() {
            let (result, issued) = try whileWriting(server) { () throws(CLIError) in
                try agent.backupCertificateAuthority(sourceCA, to: directory, incremental: index > 0, truncate: true)
            }
            let logs = result.manifest.files.filter { $0.kind == .log }
            let databases = result.manifest.files.filter { $0.kind == .database }.count
            print("     \(FileSystem.lastComponent(directory).padding(14)) \(databases) database, \(logs.count) log(s), "
                  + "\(result.manifest.files.filter { $0.kind == .dynamic }.count) published files; \(issued) transactions meanwhile")
        }
        let last: BackupSetReport
        do { last = try BackupSetVerifier.verify(sets[2]) } catch { throw CLIError(error) }
        guard last.ok, let recorded = last.digest, let lastGeneration = last.logs.last else { throw CLIError("demo failed: \(sets[2]) is not valid") }

        let rebuilt: Server
        do {
            var options = ServerOptions(role: .certsrv)
            options.caName = caName
            options.databaseSize = 1 << 20
            options.logGenerations = 0
            options.online = false  // a CA is restored while Certificate Services is stopped
            rebuilt = try registry.create(targetCA, options)
        } catch { throw CLIError(error) }
        let restorer = RestoreAgent(library: library)
        for index in [0, 2, 1] { _ = try restorer.restore(sets[index], to: targetCA) }
        let recovery: HardRecovery.Report
        do {
            guard case .restored(let r) = try rebuilt.start() else { throw CLIError("\(targetCA) started without its restore") }
            recovery = r
        } catch let e as CLIError { throw e } catch { throw CLIError("\(error)") }
        print("6. restored the full set, then incremental-2 and incremental-1, onto \(targetCA) (CertSrvRestorePrepare ... "
              + "CertSrvRestoreEnd), and started it: log generations \(recovery.genLow)-\(recovery.genHigh) replayed")

        let current: DatabaseDigest
        let crlSame: Bool
        do {
            current = try DatabaseDigest.compute(try Store(server: rebuilt).openDatabases())
            let crl = "C/Windows/System32/CertSrv/CertEnroll/\(caName).crl"
            crlSame = try FileSystem.readFile(sets[2] + "/" + crl) == FileSystem.readFile(rebuilt.directory + "/" + crl)
        } catch { throw CLIError(error) }
        print("7. content at the end of log generation \(lastGeneration):")
        print("     \(sourceCA) recorded (in the log): \(recorded)")
        print("     \(targetCA) holds (read now):      \(current)")
        guard current == recorded else { throw CLIError("demo failed: the restored CA differs from the backed-up content") }
        guard crlSame else { throw CLIError("demo failed: the restored CRL is not the one of the last backup") }
        print("   identical, and its CRL is the one published at the last incremental backup.")
    }
}
