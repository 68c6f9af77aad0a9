/// One restore of one server (DsRestorePrepare ... DsRestoreEnd), on an offline server:
///
///   prepare (token checked) -> locations -> register -> the agent copies files -> complete -> end
///
/// Without an expiry token the session is restricted to asking for the locations. Register
/// records the restore in the server folder and takes the restore lock, held until end (or the
/// process's death), so a second restore cannot register meanwhile; the registration itself
/// outlives the session and keeps the server from starting until it is complete.
public final class RestoreSession: Sendable {
    public let server: Server
    /// nil: prepared without a token (restricted).
    public let token: ExpiryToken?
    private let state = Lock(State())

    struct State {
        var lock: FileLock?
        var registered = false
    }

    /// The highest generation the restore APIs document (0x00000-0xFFFFF).
    public static let generationMax: UInt32 = 0xFFFFF

    private init(server: Server, token: ExpiryToken?) {
        self.server = server
        self.token = token
    }

    /// Starts a restore (DsRestorePrepare): the server must be offline; a token, if given, must be
    /// one of ours, intact, and younger than the server's tombstone lifetime (by the server's clock).
    public static func prepare(server: Server, settings: ServerSettings, token bytes: [UInt8]?) throws(BackupError) -> RestoreSession {
        guard settings.state == .offline else { throw .serverOnline(server.name) }
        guard let bytes else { return RestoreSession(server: server, token: nil) }
        guard case .success(let token) = ExpiryToken.decode(bytes), token.role == settings.role else {
            throw .unknownExpiryTokenFormat
        }
        if settings.now() - token.backupTime > Int64(settings.tombstoneLifetimeDays) * 86_400 {
            throw .contentsExpired(backupTime: token.backupTime, lifetimeDays: settings.tombstoneLifetimeDays)
        }
        return RestoreSession(server: server, token: token)
    }

    /// What the agent passes to register, before checks.
    public struct Request: Sendable {
        public var checkpointPath: String
        public var logPath: String
        public var backupLogPath: String
        public var map: [(original: String, restored: String)]
        public var genLow: UInt32
        public var genHigh: UInt32

        public init(checkpointPath: String, logPath: String, backupLogPath: String,
                    map: [(original: String, restored: String)], genLow: UInt32, genHigh: UInt32) {
            self.checkpointPath = checkpointPath; self.logPath = logPath; self.backupLogPath = backupLogPath
            self.map = map; self.genLow = genLow; self.genHigh = genHigh
        }
    }

    /// DsRestoreRegister: checks the arguments against the server, then records the restore.
    /// Paths may be spelled as UNC, drive or local paths; the checkpoint and log paths must be the
    /// server's (DsRestoreGetDatabaseLocations), each restored database one of its databases.
    public func register(_ request: Request, now: Int64 = unixTime()) throws(BackupError) {
        guard let token else { throw .missingExpiryToken }
        let settings = try server.settings()
        guard settings.state == .offline else { throw .serverOnline(server.name) }
        guard request.genLow >= 1, request.genLow <= request.genHigh, request.genHigh <= Self.generationMax else {
            throw .invalidParameter("log generations \(request.genLow)-\(request.genHigh) are not a range of 1 to 0xFFFFF")
        }
        let checkpoint = try server.resolve(request.checkpointPath)
        guard checkpoint.same(as: settings.systemPath) else {
            throw .invalidParameter("the checkpoint path must be \(server.unc(settings.systemPath))")
        }
        let logs = try server.resolve(request.logPath)
        guard logs.same(as: settings.logPath) else { throw .invalidParameter("the log path must be \(server.unc(settings.logPath))") }
        let backupLogs = try server.resolve(request.backupLogPath)
        guard !request.map.isEmpty else { throw .invalidParameter("the restore map is empty") }
        var entries = [RestoreRegistration.MapEntry]()
        for m in request.map {
            guard !m.original.isEmpty else { throw .invalidParameter("a restore map entry without its original name") }
            let restored = try server.resolve(m.restored)
            guard let db = settings.databases.first(where: { $0.same(as: restored) }) else {
                throw .invalidParameter("\(m.restored) is not a database location of \(server.name)")
            }
            guard !entries.contains(where: { $0.restored.same(as: db) }) else { throw .invalidParameter("\(m.restored) is mapped twice") }
            entries.append(.init(original: m.original, restored: db))
        }
        try state.withLock { (s) throws(BackupError) in
            if s.lock == nil {
                guard let lock = try FileLock.tryAcquire(server.restoreLockPath) else {
                    throw .restoreInProgress("another restore of \(server.name) is registering")
                }
                s.lock = lock
            }
            let registration = RestoreRegistration(
                status: .registered, registered: now, checkpointPath: settings.systemPath, logPath: settings.logPath,
                backupLogPath: backupLogs, databases: entries, genLow: request.genLow, genHigh: request.genHigh,
                sourceServer: token.serverName, backupTime: token.backupTime)
            try registration.write(server)
            s.registered = true
        }
    }

    /// DsRestoreRegisterComplete: the files are in place (a success HRESULT) or not (a failure one,
    /// which keeps the server from starting until a good restore is registered).
    public func complete(_ hresult: Int32) throws(BackupError) {
        guard token != nil else { throw .missingExpiryToken }
        try state.withLock { (s) throws(BackupError) in
            guard s.registered, var registration = try RestoreRegistration.read(server) else {
                throw .invalidParameter("this session registered no restore")
            }
            registration.status = hresult >= 0 ? .complete : .failed
            registration.failure = hresult >= 0 ? nil : hresult
            try registration.write(server)
        }
    }

    /// DsRestoreEnd: releases the restore lock. An open registration stays, and keeps the
    /// server from starting.
    public func end() {
        state.withLock { $0.lock = nil }
    }
}
