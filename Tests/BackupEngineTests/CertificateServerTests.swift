import Testing
@testable import BackupEngine

/// One CA backup in memory: the database stream (a full backup) and the logs.
struct CABackup {
    var database: [UInt8]?
    var databaseName = ""
    var logs: [(generation: UInt32, bytes: [UInt8])]
    var genLow: UInt32 { logs.first!.generation }
    var genHigh: UInt32 { logs.last!.generation }
    var recordedDigest: DatabaseDigest { logs.last!.bytes.withUnsafeBytes { (try? LogScan.scan($0, path: "x"))!.digest } }

    static func take(_ server: Server, incremental: Bool, truncate: Bool = true) throws -> CABackup {
        let settings = try server.settings()
        let session = try BackupSession.begin(server: server, settings: settings, grbit: incremental ? 1 : 0)
        var set = CABackup(logs: [])
        if !incremental {
            let name = try session.databaseNames()[0]
            _ = try session.open(name)
            set.database = try readAll(session)
            set.databaseName = server.unc(name)
            try session.close()
        }
        let layout = StoreLayout(server: server, settings: settings)
        for log in try session.logNames() {
            _ = try session.open(log)
            set.logs.append((layout.generation(ofLogName: log.lastComponent)!, try readAll(session)))
            try session.close()
        }
        if truncate { _ = try session.truncateLogs() }
        try session.end(normal: true)
        return set
    }

    /// CertSrvRestorePrepare ... CertSrvRestoreEnd onto `target`, logs into C:\Restore\<folder>.
    func restore(onto target: Server, folder: String) throws {
        let settings = try target.settings()
        let session = try RestoreSession.prepareCertificateServer(server: target, settings: settings, full: database != nil)
        let backupLogs = "C:\\Restore\\" + folder
        try session.register(.init(checkpointPath: nil, logPath: nil, backupLogPath: backupLogs,
                                   map: database == nil ? [] : [(databaseName, "C:\\Windows\\System32\\CertLog\\CA01-CA.edb")],
                                   genLow: genLow, genHigh: genHigh))
        if let database { try FileSystem.writeAtomically(target.localPath(settings.databases[0]), database) }
        let local = target.localPath(WindowsPath(backupLogs)!)
        try FileSystem.makeDirectories(local)
        let layout = StoreLayout(server: target, settings: settings)
        for (g, bytes) in logs { try FileSystem.writeAtomically(local + "/" + layout.archivedLogName(g), bytes) }
        try session.complete(0)
        session.end()
    }
}

@Suite("certification authorities: role, pause, incremental backups, restores of several backups")
struct CertificateServerTests {
    func ca(_ root: TemporaryRoot, _ name: String = "CA01", logs: Int = 2, circular: Bool = false) throws -> Server {
        var options = ServerOptions(role: .certsrv)
        options.databaseSize = 1 << 20
        options.logFileSize = 64 * 1024
        options.logGenerations = logs
        options.circularLogging = circular
        options.caName = "CA01-CA"
        return try root.registry.create(name, options)
    }

    func write(_ server: Server, _ n: Int) throws { _ = try ActivityWriter(store: try Store(server: server)).run(transactions: n) }

    @Test("the certsrv role: database under CertLog, published files that a write run renews")
    func role() throws {
        let root = TemporaryRoot()
        let server = try ca(root)
        let settings = try server.settings()
        #expect(settings.databases.map(\.description) == ["C:\\Windows\\System32\\CertLog\\CA01-CA.edb"])
        #expect(settings.caName == "CA01-CA" && !settings.circularLogging)
        let files = try server.dynamicFiles(settings).map(\.lastComponent)
        #expect(files == ["CA01-CA.crl", "CA01_CA01-CA.crt"])
        let crl = server.localPath(Server.certEnrollPath.appending("CA01-CA.crl"))
        let before = try FileSystem.readFile(crl)
        try write(server, 3)
        #expect(try FileSystem.readFile(crl) != before)
        #expect(try server.dynamicFiles(try root.server("DC01").settings()).isEmpty)
    }

    @Test("a paused CA runs its engine (backups work) but takes no activity; start resumes it")
    func pause() throws {
        let root = TemporaryRoot()
        let server = try ca(root)
        try server.pause()
        #expect(try server.settings().state == .paused)
        #expect(throws: BackupError.serverOffline("CA01")) { try write(server, 1) }
        _ = try CABackup.take(server, incremental: false)
        #expect(try server.start() == nil)
        #expect(try server.settings().state == .online)
        try server.stop()
        #expect(throws: BackupError.serverOffline("CA01")) { try server.pause() }
        let dc = try root.server("DC01")
        #expect(throws: BackupError.self) { try dc.pause() }
    }

    @Test("an incremental backup needs a full one, starts at the oldest log on disk, and records bkinfoIncPrev")
    func incremental() throws {
        let root = TemporaryRoot()
        let server = try ca(root)
        #expect(throws: BackupError.missingFullBackup) { _ = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 1) }
        let full = try CABackup.take(server, incremental: false)
        try write(server, 40)
        let oldest = try StoreLayout(server: server, settings: try server.settings()).archivedGenerations().first!
        let inc = try CABackup.take(server, incremental: true)
        #expect(inc.genLow == oldest && inc.genLow <= full.genHigh + 1 && inc.genHigh > full.genHigh)
        let header = try Store(server: server).openDatabases()[0].readHeader()
        #expect(header.bkinfoIncPrev.genHigh == inc.genHigh && header.bkinfoFullPrev.genHigh == full.genHigh)
        try write(server, 10)
        _ = try CABackup.take(server, incremental: true, truncate: false)
        #expect(try Store(server: server).openDatabases()[0].readHeader().bkinfoDiffPrev.genHigh > inc.genHigh)
    }

    @Test("an incremental backup refuses a gap after the last backup's logs: JET_errMissingFileToBackup")
    func incrementalGap() throws {
        let root = TemporaryRoot()
        let server = try ca(root)
        let full = try CABackup.take(server, incremental: false)
        try write(server, 40)
        let layout = StoreLayout(server: server, settings: try server.settings())
        for g in try layout.archivedGenerations() where g <= full.genHigh + 1 {  // deleted by hand
            try FileSystem.remove(layout.archivedLogPath(g))
        }
        let session = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 1)
        #expect(throws: BackupError.self) { _ = try session.logNames() }
        if case .missingFileToBackup = session.abortReason {} else { Issue.record("abort reason \(String(describing: session.abortReason))") }
    }

    @Test("a full and two incremental backups restore in either order to the content of the last", arguments: [[1, 2], [2, 1]])
    func restoreIncrementals(order: [Int]) throws {
        let root = TemporaryRoot()
        let server = try ca(root)
        var sets = [try CABackup.take(server, incremental: false)]
        for _ in 0..<2 {
            try write(server, 40)
            sets.append(try CABackup.take(server, incremental: true))
        }
        let target = try ca(root, "CA02", logs: 1)
        try target.stop()
        try sets[0].restore(onto: target, folder: "full")
        for i in order { try sets[i].restore(onto: target, folder: "inc\(i)") }
        let registration = try RestoreRegistration.read(target)!
        #expect(registration.logRanges.count == 3 && registration.genHigh == sets[2].genHigh)
        guard case .restored(let report) = try target.start() else { Issue.record("no hard recovery"); return }
        #expect(report.genLow == sets[0].genLow && report.genHigh == sets[2].genHigh)
        #expect(report.digest == sets[2].recordedDigest)
        #expect(try DatabaseDigest.compute(try Store(server: target).openDatabases()) == sets[2].recordedDigest)
    }

    @Test("restores: incremental before full, a map on an incremental, a skipped incremental")
    func restoreRefusals() throws {
        let root = TemporaryRoot()
        let server = try ca(root)
        let full = try CABackup.take(server, incremental: false)
        try write(server, 40)
        let first = try CABackup.take(server, incremental: true)
        try write(server, 40)
        let second = try CABackup.take(server, incremental: true)
        let target = try ca(root, "CA02", logs: 1)
        try target.stop()
        #expect(throws: BackupError.noFullRestore) { try second.restore(onto: target, folder: "inc2") }
        let incremental = try RestoreSession.prepareCertificateServer(server: target, settings: try target.settings(), full: false)
        #expect(throws: BackupError.self) {
            try incremental.register(.init(checkpointPath: nil, logPath: nil, backupLogPath: nil, map: [("x", "C:\\Windows\\System32\\CertLog\\CA01-CA.edb")],
                                           genLow: 1, genHigh: 2))
        }
        incremental.end()
        try full.restore(onto: target, folder: "full")
        try second.restore(onto: target, folder: "inc2")  // the first incremental is skipped
        #expect(full.genHigh + 1 < second.genLow)
        #expect(throws: BackupError.self) { try target.start() }
        do { try target.start() } catch {
            if case .missingLogFile(let name) = error { #expect(name.hasSuffix(StoreLayout(server: target, settings: try target.settings()).archivedLogName(full.genHigh + 1))) }
            else { Issue.record("expected missingLogFile, got \(error)") }
        }
        #expect(try target.settings().state == .offline)
        try first.restore(onto: target, folder: "inc1")
        #expect(try target.start() != nil)
        #expect(try DatabaseDigest.compute(try Store(server: target).openDatabases()) == second.recordedDigest)
    }

    @Test("identities: a backup operator round-trips through the settings and is told apart")
    func backupOperator() throws {
        let op = try Identity.make(account: "CORP\\backup", password: "pw", administrator: false)
        #expect(Identity(settingValue: op.settingValue) == op)
        #expect(Identity(settingValue: "backup-operator") == nil)
        #expect(Identity(settingValue: "alice backup-operator")?.administrator == false)
        #expect(Identity(settingValue: "alice")?.administrator == true)
        let root = TemporaryRoot()
        let server = try ca(root)
        try server.updateSettings { s in for i in s.identities.indices { s.identities[i].administrator = false } }
        #expect(try server.caller().administrator == false)
    }
}
