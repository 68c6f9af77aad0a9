import Glibc

/// What `winbackupctl server create` (and WbCreateServer) can choose.
public struct ServerOptions: Sendable {
    public var role: ServerRole
    /// Size of the database file, header pages included.
    public var databaseSize: Int64 = 16 << 20
    /// Log generations of history to write at creation (simulated activity until the log rolled
    /// this many times).
    public var logGenerations = 3
    public var logFileSize = 1 << 20
    /// nil: the role's default (off for every role; see docs/DEVIATIONS.md).
    public var circularLogging: Bool?
    public var caName: String?
    public var tombstoneLifetimeDays = 180
    public var online = true

    public init(role: ServerRole) { self.role = role }

    static let pageSize = 8192

    func layout(serverName: String) -> (databases: [WindowsPath], logs: WindowsPath, system: WindowsPath, caName: String?) {
        switch role {
        case .ntds:
            let dir = WindowsPath("C:\\Windows\\NTDS")!
            return ([dir.appending("ntds.dit")], dir, dir, nil)
        case .certsrv:
            let ca = caName ?? "\(serverName)-CA"
            let dir = WindowsPath("C:\\Windows\\System32\\CertLog")!
            return ([dir.appending(ca + ".edb")], dir, dir, ca)
        case .ese:
            let dir = WindowsPath("C:\\ESE")!
            return ([dir.appending("ese.edb")], dir.appending("logs"), dir, nil)
        }
    }
}

extension ServerRegistry {
    /// Creates a server: its folder, settings, store (database, log, checkpoint) and some log
    /// history. The folder is built under a temporary name and renamed into place, so a server
    /// is either absent or complete.
    @discardableResult
    public func create(_ raw: String, _ options: ServerOptions, now: Int64 = unixTime()) throws(BackupError) -> Server {
        let name = try ServerName.validate(raw)
        if (try? find(name)) != nil { throw .serverExists(name) }
        if let ca = options.caName {
            guard !ca.isEmpty, WindowsPath.split(ca) == [ca] else { throw .invalidParameter("bad CA name '\(ca)'") }
        }
        guard (LogFormat.minimumFileSize...LogFormat.maximumFileSize).contains(options.logFileSize),
              options.logFileSize % LogFormat.segmentSize == 0 else {
            throw .invalidParameter("log file size must be a multiple of 4 KiB from 64 KiB to 16 MiB")
        }
        let pages = options.databaseSize / Int64(ServerOptions.pageSize) - 2
        guard pages >= 16, pages <= Int64(UInt32.max) else { throw .invalidParameter("database size must be at least 144 KiB") }
        guard options.logGenerations >= 0, options.logGenerations <= 10_000 else { throw .invalidParameter("log generations must be 0 to 10000") }

        try FileSystem.makeDirectories(serversDirectory)
        let building = serversDirectory + "/.creating-\(name)-\(getpid())"
        try FileSystem.removeTree(building)
        let server = Server(name: name, directory: building)
        do throws(BackupError) {
            try FileSystem.makeDirectories(server.stateDirectory)
            let layout = options.layout(serverName: name)
            let settings = ServerSettings(
                name: name, role: options.role, id: randomBytes(16), state: .online, created: now,
                circularLogging: options.circularLogging ?? false, logFileSize: options.logFileSize,
                pageSize: ServerOptions.pageSize, databases: layout.databases, logPath: layout.logs,
                systemPath: layout.system, baseName: "edb", tombstoneLifetimeDays: options.tombstoneLifetimeDays,
                caName: layout.caName, identities: [Identity(domain: nil, user: Credentials.processUser(), passwordHash: nil)])
            try FileSystem.writeAtomically(server.settingsPath, Array(settings.serialized().utf8))
            let store = Store(StoreLayout(server: server, settings: settings))
            try Store.create(store.layout, pages: UInt32(pages), now: now)
            if options.logGenerations > 0 {
                _ = try ActivityWriter(store: store).run(transactions: 0, untilRolls: options.logGenerations)
            } else {
                try server.publishCertificateAuthorityFiles(settings, now: now)
            }
            if !options.online { try server.stop() }
            try FileSystem.rename(building, serversDirectory + "/" + name)
        } catch {
            try? FileSystem.removeTree(building)
            throw error
        }
        return try find(name)
    }
}

/// What a start did.
public enum StartReport: Sendable {
    /// Soft recovery: what the log held past the checkpoint was replayed.
    case recovered(Store.RecoveryReport)
    /// Hard recovery from a registered restore.
    case restored(HardRecovery.Report)
}

extension Server {
    /// Starts the server's engine, as an ESE instance starts: after a completed restore, hard
    /// recovery from it; else soft recovery (what the log holds past the checkpoint). Then the
    /// databases are marked attached and the state is online. Refused, with the server left
    /// offline and unchanged, while a restore is registered but not completed, after a failed
    /// one, or when a database is a restored backup copy with no restore registered. nil if the
    /// server was running already (a paused CA resumes).
    @discardableResult
    public func start(now: Int64 = unixTime()) throws(BackupError) -> StartReport? {
        let settings = try settings()
        switch settings.state {
        case .online: return nil
        case .paused:
            try updateSettings { $0.state = $0.state == .paused ? .online : $0.state }
            return nil
        case .offline: break
        }
        let store = Store(StoreLayout(server: self, settings: settings))
        let report: StartReport
        if let registration = try RestoreRegistration.read(self) {
            switch registration.status {
            case .registered:
                throw .restoreInProgress("a restore of \(name) was registered and not completed (DsRestoreRegisterComplete)")
            case .failed:
                let hr = String(UInt32(bitPattern: registration.failure ?? 0), radix: 16, uppercase: true)
                throw .restoreInProgress("the last restore of \(name) failed (0x\(hr)); register a good one")
            case .complete:
                let hard = try FileLock.with(logLockPath) { () throws(BackupError) -> HardRecovery.Report in
                    try HardRecovery.run(store.layout, registration, now: now)
                }
                try RestoreRegistration.remove(self)
                report = .restored(hard)
            }
        } else {
            for (index, db) in settings.databases.enumerated() {
                let path = store.layout.databasePath(index)
                guard FileSystem.exists(path) else { throw .fileNotFound(path) }
                if try DatabaseFile.open(path).readHeader().bkinfoFullCur.genLow != 0 {
                    throw .softRecoveryOnBackupDatabase(unc(db))
                }
            }
            report = .recovered(try store.recover(now: now))
        }
        try store.setDatabaseState(running: true, now: now)
        try updateSettings { $0.state = .online }
        return report
    }

    /// Stops the server's engine: running backups are stopped (JET_errBackupAbortByServer from
    /// then on), a running writer finishes its transaction and flushes, and the databases are
    /// marked cleanly shut down.
    public func stop(now: Int64 = unixTime()) throws(BackupError) {
        guard try settings().state != .offline else { return }
        try updateSettings { $0.state = .offline }
        try control().stopBackups()
        let writer = try FileLock.acquire(writerLockPath)  // waits for a running writer to notice
        defer { withExtendedLifetime(writer) {} }
        let store = try Store(server: self)
        try store.recover(now: now)
        try store.setDatabaseState(running: false, now: now)
    }
}
