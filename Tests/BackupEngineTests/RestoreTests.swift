import Testing
@testable import BackupEngine

/// A backup set kept in memory: the database stream, the logs, the token.
struct MemoryBackup {
    var database: [UInt8]
    var databaseName: String
    var logs: [(generation: UInt32, bytes: [UInt8])]
    var token: [UInt8]
    var genLow: UInt32 { logs.first!.generation }
    var genHigh: UInt32 { logs.last!.generation }

    /// A full backup of `server`; `writes` transactions are committed between reading the
    /// database and taking the log list, so the backup is fuzzy.
    static func take(_ server: Server, writes: Int = 0) throws -> MemoryBackup {
        let settings = try server.settings()
        let session = try BackupSession.begin(server: server, settings: settings, grbit: 0)
        let name = try session.databaseNames()[0]
        _ = try session.open(name)
        let half = try readHalf(session)
        if writes > 0 { _ = try ActivityWriter(store: try Store(server: server)).run(transactions: writes) }
        let database = half + (try readAll(session))
        try session.close()
        var logs = [(UInt32, [UInt8])]()
        for log in try session.logNames() {
            _ = try session.open(log)
            logs.append((StoreLayout(server: server, settings: settings).generation(ofLogName: log.lastComponent)!, try readAll(session)))
            try session.close()
        }
        _ = try session.truncateLogs()
        try session.end(normal: true)
        return MemoryBackup(database: database, databaseName: server.unc(name), logs: logs, token: session.expiryToken.encode())
    }

    /// Reads the first half of the open database stream.
    static func readHalf(_ session: BackupSession) throws -> [UInt8] {
        var out = [UInt8](), buffer = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<8 {
            let n = try buffer.withUnsafeMutableBytes { try session.read(into: $0) }
            out += buffer[0..<n]
        }
        return out
    }

    /// Puts the set onto `target` the documented way: prepare, register, copy, complete, end.
    @discardableResult
    func restore(onto target: Server, genLow: UInt32? = nil, genHigh: UInt32? = nil, complete: Int32 = 0,
                 copy: (MemoryBackup, Server) throws -> Void = MemoryBackup.copyFiles) throws -> RestoreSession {
        let settings = try target.settings()
        let session = try RestoreSession.prepare(server: target, settings: settings, token: token)
        try session.register(.init(checkpointPath: "C:\\Windows\\NTDS", logPath: "C:\\Windows\\NTDS", backupLogPath: "C:\\Restore",
                                   map: [(databaseName, target.unc(settings.databases[0]))],
                                   genLow: genLow ?? self.genLow, genHigh: genHigh ?? self.genHigh))
        try copy(self, target)
        try session.complete(complete)
        session.end()
        return session
    }

    static func copyFiles(_ set: MemoryBackup, _ target: Server) throws {
        let settings = try target.settings()
        try FileSystem.writeAtomically(target.localPath(settings.databases[0]), set.database)
        let folder = target.localPath(WindowsPath("C:\\Restore")!)
        try FileSystem.makeDirectories(folder)
        for (g, bytes) in set.logs {
            try FileSystem.writeAtomically(folder + "/" + StoreLayout(server: target, settings: settings).archivedLogName(g), bytes)
        }
    }

    /// The digest the source's writer recorded at the end of the set's last generation.
    var recordedDigest: DatabaseDigest {
        logs.last!.bytes.withUnsafeBytes { (try? LogScan.scan($0, path: "x"))!.digest }
    }
}

func offlineTarget(_ root: TemporaryRoot, _ name: String = "DC02") throws -> Server {
    let target = try root.server(name, logs: 1)
    try target.stop()
    return target
}

/// Every file of a server's folder, for "nothing changed" checks.
func snapshot(_ server: Server) throws -> [String: [UInt8]] {
    var out = [String: [UInt8]]()
    func walk(_ dir: String) throws {
        for name in try FileSystem.list(dir) {
            let path = dir + "/" + name
            if FileSystem.isDirectory(path) { try walk(path) } else if !path.hasSuffix(".lock") && !path.hasSuffix("/control") {
                out[path] = try FileSystem.readFile(path)
            }
        }
    }
    try walk(server.directory + "/C")
    return out
}

@Suite("restore: sessions, registration, hard recovery")
struct RestoreTests {
    @Test("a fuzzy backup restores onto another DC with exactly the content recorded at its last log")
    func roundTripOntoAnotherServer() throws {
        let root = TemporaryRoot()
        let source = try root.server("DC01", logs: 2)
        let set = try MemoryBackup.take(source, writes: 40)
        let target = try offlineTarget(root)
        try set.restore(onto: target)
        guard case .restored(let report) = try target.start() else { Issue.record("no hard recovery"); return }
        #expect(report.digest == set.recordedDigest)
        #expect(try DatabaseDigest.compute(try Store(server: target).openDatabases()) == set.recordedDigest)
        #expect(try RestoreRegistration.read(target) == nil)
        #expect(try target.settings().state == .online)
        // The DC lives on: it writes, and a new backup of it restores too.
        _ = try ActivityWriter(store: try Store(server: target)).run(transactions: 20)
        let again = try MemoryBackup.take(target, writes: 5)
        let third = try offlineTarget(root, "DC03")
        try again.restore(onto: third)
        try third.start()
        #expect(try DatabaseDigest.compute(try Store(server: third).openDatabases()) == again.recordedDigest)
    }

    @Test("a restore onto the same DC brings it back to the backup's content")
    func roundTripOntoTheSameServer() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01", logs: 2)
        let set = try MemoryBackup.take(server, writes: 10)
        _ = try ActivityWriter(store: try Store(server: server)).run(transactions: 30)  // later changes, to be undone
        try server.stop()
        try set.restore(onto: server)
        try server.start()
        #expect(try DatabaseDigest.compute(try Store(server: server).openDatabases()) == set.recordedDigest)
    }

    @Test("prepare: online DC, no token (restricted), a foreign, damaged, truncated or expired token")
    func prepareChecks() throws {
        let root = TemporaryRoot()
        let source = try root.server("DC01")
        let set = try MemoryBackup.take(source)
        #expect(throws: BackupError.serverOnline("DC01")) { try RestoreSession.prepare(server: source, settings: try source.settings(), token: set.token) }
        let target = try offlineTarget(root)
        let settings = try target.settings()
        let restricted = try RestoreSession.prepare(server: target, settings: settings, token: nil)
        #expect(throws: BackupError.missingExpiryToken) {
            try restricted.register(.init(checkpointPath: "C:\\Windows\\NTDS", logPath: "C:\\Windows\\NTDS", backupLogPath: "C:\\Restore",
                                          map: [("x", "C:\\Windows\\NTDS\\ntds.dit")], genLow: 1, genHigh: 1))
        }
        var damaged = set.token
        damaged[20] ^= 1
        for bad in [damaged, Array(set.token.prefix(100)), [UInt8](repeating: 7, count: 128)] {
            #expect(throws: BackupError.unknownExpiryTokenFormat) { try RestoreSession.prepare(server: target, settings: settings, token: bad) }
        }
        try target.updateSettings { $0.clockOffset = 179 * 86_400 }
        #expect(throws: Never.self) { try RestoreSession.prepare(server: target, settings: try target.settings(), token: set.token) }
        try target.updateSettings { $0.clockOffset = 181 * 86_400 }
        #expect(throws: BackupError.self) { try RestoreSession.prepare(server: target, settings: try target.settings(), token: set.token) }
    }

    @Test("register: arguments are checked against the DC, and one restore registers at a time")
    func registerChecks() throws {
        let root = TemporaryRoot()
        let set = try MemoryBackup.take(try root.server("DC01"))
        let target = try offlineTarget(root)
        let settings = try target.settings()
        let first = try RestoreSession.prepare(server: target, settings: settings, token: set.token)
        func request(ckpt: String = "C:\\Windows\\NTDS", logs: String = "\\\\DC02\\C$\\Windows\\NTDS", map: [(String, String)]? = nil,
                     low: UInt32 = 1, high: UInt32 = 2) -> RestoreSession.Request {
            .init(checkpointPath: ckpt, logPath: logs, backupLogPath: "C:\\Restore",
                  map: map ?? [(set.databaseName, target.localPath(settings.databases[0]))], genLow: low, genHigh: high)
        }
        for bad in [request(low: 0), request(low: 3, high: 2), request(high: 0x100000), request(map: []),
                    request(map: [(set.databaseName, "C:\\Windows\\NTDS\\other.dit")]), request(ckpt: "C:\\Elsewhere"),
                    request(map: [("", "C:\\Windows\\NTDS\\ntds.dit")])] {
            #expect(throws: BackupError.self) { try first.register(bad) }
        }
        #expect(throws: BackupError.accessDenied("\\\\DC01\\C$\\Windows\\NTDS is not a path of server DC02")) {
            try first.register(request(logs: "\\\\DC01\\C$\\Windows\\NTDS"))
        }
        try first.register(request())
        #expect(try RestoreRegistration.read(target)?.status == .registered)
        let second = try RestoreSession.prepare(server: target, settings: settings, token: set.token)
        #expect(throws: BackupError.restoreInProgress("another restore of DC02 is registering")) { try second.register(request()) }
        first.end()
        try second.register(request())  // the first session is gone: its registration can be taken over
        second.end()
    }

    @Test("the DC will not start while a restore is open, failed, or half copied")
    func refusesToStart() throws {
        let root = TemporaryRoot()
        let set = try MemoryBackup.take(try root.server("DC01"))
        let target = try offlineTarget(root)
        // registered, never completed (the agent died between files)
        let open = try RestoreSession.prepare(server: target, settings: try target.settings(), token: set.token)
        try open.register(.init(checkpointPath: "C:\\Windows\\NTDS", logPath: "C:\\Windows\\NTDS", backupLogPath: "C:\\Restore",
                                map: [(set.databaseName, "C:\\Windows\\NTDS\\ntds.dit")], genLow: set.genLow, genHigh: set.genHigh))
        try FileSystem.writeAtomically(target.localPath(try target.settings().databases[0]), set.database)
        open.end()
        #expect(throws: BackupError.self) { try target.start() }
        #expect(try target.settings().state == .offline)
        // completed with a failure
        try set.restore(onto: target, complete: Int32(bitPattern: 0x8000_4005))
        #expect(throws: BackupError.self) { try target.start() }
        // no registration at all, but the database is a copied backup
        try RestoreRegistration.remove(target)
        #expect(throws: BackupError.softRecoveryOnBackupDatabase("\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit")) { try target.start() }
        // a good restore fixes it
        try set.restore(onto: target)
        try target.start()
        #expect(try DatabaseDigest.compute(try Store(server: target).openDatabases()) == set.recordedDigest)
    }

    /// A restore with something wrong: the start fails with `expected`, the DC stays offline and
    /// no file changes; a good restore afterwards starts.
    func refused(_ expected: (BackupError) -> Bool, genLow: UInt32? = nil, genHigh: UInt32? = nil,
                 tamper: @escaping (inout MemoryBackup, Server) throws -> Void) throws {
        let root = TemporaryRoot()
        let source = try root.server("DC01", logs: 3)
        let set = try MemoryBackup.take(source, writes: 30)
        let target = try offlineTarget(root)
        try set.restore(onto: target, genLow: genLow, genHigh: genHigh) { s, t in
            var copy = s
            try tamper(&copy, t)
            try MemoryBackup.copyFiles(copy, t)
        }
        let before = try snapshot(target)
        do {
            try target.start()
            Issue.record("the start succeeded")
        } catch {
            #expect(expected(error), "got \(error)")
        }
        #expect(try target.settings().state == .offline)
        #expect(try snapshot(target) == before, "a refused start changed files")
        try set.restore(onto: target)
        try target.start()
        #expect(try DatabaseDigest.compute(try Store(server: target).openDatabases()) == set.recordedDigest)
    }

    @Test("hard recovery refuses a missing log generation: JET_errMissingLogFile")
    func missingLog() throws {
        try refused({ if case .missingLogFile = $0 { true } else { false } }) { s, _ in
            guard s.logs.count >= 2 else { throw BackupError.invalidParameter("need 2 logs") }
            s.logs.remove(at: 1)
        }
    }

    @Test("hard recovery refuses a log that is another generation: JET_errGivenLogFileIsNotContiguous")
    func notContiguous() throws {
        try refused({ if case .givenLogFileIsNotContiguous = $0 { true } else { false } }) { s, _ in
            guard s.logs.count >= 2 else { throw BackupError.invalidParameter("need 2 logs") }
            s.logs[1].bytes = s.logs[0].bytes
        }
    }

    @Test("hard recovery refuses another server's log: JET_errBadLogSignature")
    func otherServersLog() throws {
        try refused({ if case .badLogSignature = $0 { true } else { false } }) { s, t in
            let otherRoot = TemporaryRoot()
            let other = try otherRoot.server("DC09", logs: 1)
            let wanted = s.logs.last!.generation
            let layout = StoreLayout(server: other, settings: try other.settings())
            while !(try layout.archivedGenerations().contains(wanted)) {
                _ = try ActivityWriter(store: try Store(server: other)).run(transactions: 0, untilRolls: 1)
            }
            let same = (generation: wanted, bytes: try FileSystem.readFile(layout.archivedLogPath(wanted)))
            s.logs[s.logs.count - 1].bytes = same.bytes
        }
    }

    @Test("hard recovery refuses a damaged log: JET_errLogFileCorrupt")
    func damagedLog() throws {
        try refused({ if case .logFileCorrupt = $0 { true } else { false } }) { s, _ in s.logs[0].bytes[4096 + 100] ^= 0x40 }
    }

    @Test("hard recovery refuses a bad page in the copy: JET_errReadVerifyFailure")
    func badPage() throws {
        try refused({ if case .readVerifyFailure = $0 { true } else { false } }) { s, _ in s.database[8192 * 30 + 77] ^= 1 }
    }

    @Test("hard recovery refuses a copy cut short (no trailer): JET_errDatabaseCorrupted")
    func cutShort() throws {
        try refused({ if case .databaseCorrupted = $0 { true } else { false } }) { s, _ in s.database.removeLast(8192) }
    }

    @Test("hard recovery refuses a file that is not a backup copy: JET_errRestoreOfNonBackupDatabase")
    func notACopy() throws {
        try refused({ if case .restoreOfNonBackupDatabase = $0 { true } else { false } }) { s, t in
            s.database = try FileSystem.readFile(t.localPath(try t.settings().databases[0]))
        }
    }

    @Test("hard recovery refuses a range that starts too late or ends too early")
    func ranges() throws {
        try refused({ if case .startingRestoreLogTooHigh = $0 { true } else { false } }, genLow: 1000, genHigh: 1001) { _, _ in }
        try refused({ if case .endingRestoreLogTooLow = $0 { true } else { false } }, genLow: 1, genHigh: 1) { s, _ in
            s.logs = s.logs.filter { $0.generation <= 1 }
        }
    }
}
