import BackupEngine

/// winbackupctl backup SERVER --to DIR [--incremental] [--no-truncate|--keep-log],
/// winbackupctl restore DIR --to SERVER [--start] and winbackupctl verify DIR
enum BackupCommands {
    static func backup(_ args: inout Arguments) throws(CLIError) {
        let server = try args.positional("a server name")
        guard let directory = try args.option("--to") else { throw CLIError("backup needs --to DIR") }
        let noTruncate = args.flag("--no-truncate"), keepLog = args.flag("--keep-log")  // the latter as certutil says it
        let incremental = args.flag("--incremental")
        try args.finish()
        let role: ServerRole
        do { role = try ServerRegistry().find(server).settings().role } catch { throw CLIError(error) }
        guard role != .ntds || !incremental else { throw CLIError("a domain controller has full backups only (Ntdsbcli); --incremental is for a CA or an ese server") }
        var agent = BackupAgent(library: try WinBackupLibrary.load())
        let target = FileSystem.absolute(directory)
        let fresh = !FileSystem.exists(target) || ((try? FileSystem.list(target)) ?? ["?"]).isEmpty
        let result: BackupAgent.Result
        do {
            switch role {
            case .ntds: result = try agent.backupDomainController(server, to: target, truncate: !(noTruncate || keepLog))
            case .certsrv: result = try agent.backupCertificateAuthority(server, to: target, incremental: incremental, truncate: !(noTruncate || keepLog))
            case .ese: result = try agent.backupEseInstance(server, to: target, incremental: incremental, truncate: !(noTruncate || keepLog))
            }
        } catch {
            // What was copied stays for inspection, but the folder cannot pass for a backup: no
            // manifest, and a note that verify and restore refuse.
            let why = error.description + (missingServerFile(server).map { "\n  \($0) is missing" } ?? "")
            guard fresh, FileSystem.isDirectory(target), !FileSystem.exists(target + "/" + BackupManifest.fileName) else {
                throw CLIError("backup of \(server) FAILED: \(why)")
            }
            try? FileSystem.writeAtomically(target + "/" + BackupManifest.failureFileName, Array("\(why)\n".utf8))
            throw CLIError("backup of \(server) FAILED: \(why)\n"
                           + "  \(directory) is not a backup (no manifest; \(BackupManifest.failureFileName) says why)")
        }
        printSummary(result.manifest, directory: directory, seconds: result.seconds)
    }

    /// What an agent cannot learn from the API's codes (JET_errFileNotFound names no file): the
    /// first of the server's own files that is not there, looked up on disk after a failure.
    static func missingServerFile(_ name: String) -> String? {
        guard let server = try? ServerRegistry().find(name), let settings = try? server.settings() else { return nil }
        let layout = StoreLayout(server: server, settings: settings)
        let paths = (0..<layout.databaseCount).map(layout.databasePath) + [layout.currentLogPath, layout.checkpointPath]
        return paths.first { !FileSystem.exists($0) }
    }

    static func printSummary(_ m: BackupManifest, directory: String, seconds: Double) {
        let bytes = m.files.reduce(Int64(0)) { $0 + $1.size }
        let kind = m.api == "ntdsbcli" ? "" : " (\(m.backupKind))"
        print("backed up \(m.server)\(kind) to \(directory): \(m.files.count) file(s), \(formatBytes(bytes)) in \(format(seconds, 2)) s")
        for f in m.files { print("  \(f.kind.rawValue.padding(9)) \(f.name.padding(44)) \(formatBytes(f.size))") }
        if m.logsTruncated.isEmpty {
            print("  no logs truncated")
        } else {
            print("  logs truncated: generations \(m.logsTruncated.first!)-\(m.logsTruncated.last!) (\(m.logsTruncated.count))")
        }
    }

    static func restore(_ args: inout Arguments) throws(CLIError) {
        guard let server = try args.option("--to") else { throw CLIError("restore needs --to SERVER") }
        do { _ = try ServerName.validate(server) } catch { throw CLIError(error) }  // before the agent's calls say less
        let start = args.flag("--start")
        var directories = [try args.positional("a backup folder")]
        while args.rest.contains(where: { !$0.hasPrefix("--") }) { directories.append(try args.positional("a backup folder")) }
        try args.finish()
        let agent = RestoreAgent(library: try WinBackupLibrary.load())
        let isEse = (try? BackupManifest.read(directories[0]))?.api == "esent"
        guard isEse || directories.count == 1 else { throw CLIError("restore one set at a time (several only for an ese server: full, then incrementals)") }
        let r = isEse ? try agent.restoreEseInstance(directories.map(FileSystem.absolute), to: server)
                      : try agent.restore(FileSystem.absolute(directories[0]), to: server)
        let what = directories.joined(separator: " + ")
        if isEse {
            print("restored \(what) onto \(server): \(r.files) file(s), \(formatBytes(r.bytes)); JetExternalRestore replayed log generations "
                  + "\(r.genLow)-\(r.genHigh): the databases are consistent")
        } else {
            print("restored \(what) onto \(server): \(r.files) file(s), \(formatBytes(r.bytes)), log generations \(r.genLow)-\(r.genHigh); "
                  + "the restore is registered and complete")
        }
        if r.incremental && !isEse { print("  an incremental set: its logs are added to the full restore registered before it") }
        guard start else {
            print("start it to apply the restore (hard recovery): winbackupctl server start \(server)")
            return
        }
        var startArgs = Arguments(["start", server])
        try ServerCommands.run(&startArgs)
    }

    static func verify(_ args: inout Arguments) throws(CLIError) {
        let files = args.flag("--files")
        let directory = try args.positional("a backup folder")
        try args.finish()
        if let failure = BackupManifest.failure(in: directory) {
            throw CLIError("\(directory) is a FAILED backup, not a backup set: \(failure)")
        }
        guard files || FileSystem.exists(directory + "/" + BackupManifest.fileName) else {
            throw CLIError("\(directory) holds no \(BackupManifest.fileName): not a complete backup (--files checks the files anyway)")
        }
        let report: BackupSetReport
        do {
            // --files: a folder without a manifest (another agent's): check the ESE files in it.
            report = files ? try BackupSetVerifier.verify(directory, manifest: BackupSetVerifier.discover(directory))
                           : try BackupSetVerifier.verify(directory)
        } catch { throw CLIError(error) }
        guard report.databases > 0 || report.logs.count > 0 else { throw CLIError("\(directory): no database or log found") }
        printReport(report, directory: directory)
        guard report.ok else { throw CLIError("\(directory): the backup set is NOT valid (\(report.problems.count) problem(s))") }
    }

    static func printReport(_ r: BackupSetReport, directory: String) {
        for p in r.problems { print("  problem: \(p)") }
        let logs = r.logs.isEmpty ? "no logs" : "log generations \(r.logs.first!)-\(r.logs.last!) (\(r.logs.count))"
        print("\(r.ok ? "valid" : "INVALID"): \(directory): \(r.databases) database(s), \(r.pagesVerified) page(s) verified"
              + (r.pagesUninitialized > 0 ? " (+\(r.pagesUninitialized) never written)" : "") + ", \(logs), \(formatBytes(r.bytes))")
        if let d = r.digest { print("  content digest at the end of generation \(r.logs.last!): \(d)") }
    }
}
