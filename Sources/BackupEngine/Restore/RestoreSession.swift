/// One restore of one server (DsRestorePrepare ... DsRestoreEnd, CertSrvRestorePrepare ...
/// CertSrvRestoreEnd), on an offline server:
///
///   prepare -> locations -> register -> the agent copies files -> complete -> end
///
/// A Ds restore prepared without an expiry token is restricted to asking for the locations. A
/// CA restore is full (the database and its logs) or incremental (more logs, registered after a
/// full one). Register records the restore in the server folder and takes the restore lock, held
/// until end (or the process's death), so a second restore cannot register meanwhile; the
/// registration itself outlives the session and keeps the server from starting until it is
/// complete.
public final class RestoreSession: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Ntdsbcli: with the backup's expiry token, or restricted without one.
        case directory(ExpiryToken?)
        /// Certadm: CSRESTORE_TYPE_FULL, or an incremental restore.
        case certificateServer(full: Bool)
    }

    public let server: Server
    public let kind: Kind
    private let state = Lock(State())

    struct State {
        var lock: FileLock?
        var registered = false
    }

    /// The highest generation the restore APIs document (0x00000-0xFFFFF).
    public static let generationMax: UInt32 = 0xFFFFF

    private init(server: Server, kind: Kind) {
        self.server = server
        self.kind = kind
    }

    /// The expiry token of a Ds restore, if it was given one.
    public var token: ExpiryToken? {
        if case .directory(let token) = kind { token } else { nil }
    }

    /// A Ds restore prepared without a token: it may only ask for the locations.
    public var isRestricted: Bool { kind == .directory(nil) }

    /// Starts a Ds restore (DsRestorePrepare): the server must be offline; a token, if given, must
    /// be one of ours, intact, and younger than the server's tombstone lifetime (by its clock).
    public static func prepare(server: Server, settings: ServerSettings, token bytes: [UInt8]?) throws(BackupError) -> RestoreSession {
        guard settings.state == .offline else { throw .serverOnline(server.name) }
        guard let bytes else { return RestoreSession(server: server, kind: .directory(nil)) }
        guard case .success(let token) = ExpiryToken.decode(bytes), token.role == settings.role else {
            throw .unknownExpiryTokenFormat
        }
        if settings.now() - token.backupTime > Int64(settings.tombstoneLifetimeDays) * 86_400 {
            throw .contentsExpired(backupTime: token.backupTime, lifetimeDays: settings.tombstoneLifetimeDays)
        }
        return RestoreSession(server: server, kind: .directory(token))
    }

    /// Starts a CA restore (CertSrvRestorePrepare): the CA must be stopped.
    public static func prepareCertificateServer(server: Server, settings: ServerSettings, full: Bool) throws(BackupError) -> RestoreSession {
        guard settings.state == .offline else { throw .serverOnline(server.name) }
        return RestoreSession(server: server, kind: .certificateServer(full: full))
    }

    /// What the agent passes to register, before checks. A nil path is the server's own
    /// (Certadm allows that; the Ntdsbcli facade refuses NULL before it gets here).
    public struct Request: Sendable {
        public var checkpointPath: String?
        public var logPath: String?
        public var backupLogPath: String?
        public var map: [(original: String, restored: String)]
        public var genLow: UInt32
        public var genHigh: UInt32

        public init(checkpointPath: String?, logPath: String?, backupLogPath: String?,
                    map: [(original: String, restored: String)], genLow: UInt32, genHigh: UInt32) {
            self.checkpointPath = checkpointPath; self.logPath = logPath; self.backupLogPath = backupLogPath
            self.map = map; self.genLow = genLow; self.genHigh = genHigh
        }
    }

    /// DsRestoreRegister, CertSrvRestoreRegister: checks the arguments against the server, then
    /// records the restore. Paths may be spelled as UNC, drive or local paths; the checkpoint and
    /// log paths must be the server's (RestoreGetDatabaseLocations), each restored database one
    /// of its databases. A full restore maps its databases and starts a new registration; an
    /// incremental one maps none and adds its logs to the full restore registered before it.
    public func register(_ request: Request, now: Int64 = unixTime()) throws(BackupError) {
        guard !isRestricted else { throw .missingExpiryToken }
        let settings = try server.settings()
        guard settings.state == .offline else { throw .serverOnline(server.name) }
        guard request.genLow >= 1, request.genLow <= request.genHigh, request.genHigh <= Self.generationMax else {
            throw .invalidParameter("log generations \(request.genLow)-\(request.genHigh) are not a range of 1 to 0xFFFFF")
        }
        if let path = request.checkpointPath, !(try server.resolve(path)).same(as: settings.systemPath) {
            throw .invalidParameter("the checkpoint path must be \(server.unc(settings.systemPath))")
        }
        if let path = request.logPath, !(try server.resolve(path)).same(as: settings.logPath) {
            throw .invalidParameter("the log path must be \(server.unc(settings.logPath))")
        }
        let range = RestoreRegistration.LogRange(
            genLow: request.genLow, genHigh: request.genHigh,
            backupLogPath: try request.backupLogPath.map { (p) throws(BackupError) -> WindowsPath in try server.resolve(p) } ?? settings.logPath)
        let incremental = kind == .certificateServer(full: false)
        let entries = incremental ? [] : try mapEntries(request.map, settings)
        if incremental && !request.map.isEmpty { throw .invalidParameter("an incremental restore takes no restore map") }
        try state.withLock { (s) throws(BackupError) in
            if s.lock == nil {
                guard let lock = try FileLock.tryAcquire(server.restoreLockPath) else {
                    throw .restoreInProgress("another restore of \(server.name) is registering")
                }
                s.lock = lock
            }
            var registration: RestoreRegistration
            if incremental {
                guard let existing = try RestoreRegistration.read(server), !existing.databases.isEmpty else { throw .noFullRestore }
                guard existing.status != .failed else {
                    throw .restoreInProgress("the last restore of \(server.name) failed; register the full backup again")
                }
                registration = existing
                if !registration.logRanges.contains(range) { registration.logRanges.append(range) }
                registration.status = .registered
                registration.failure = nil
            } else {
                registration = RestoreRegistration(
                    status: .registered, registered: now, checkpointPath: settings.systemPath, logPath: settings.logPath,
                    databases: entries, logRanges: [range], sourceServer: token?.serverName ?? "", backupTime: token?.backupTime ?? 0)
            }
            try registration.write(server)
            s.registered = true
        }
    }

    private func mapEntries(_ map: [(original: String, restored: String)], _ settings: ServerSettings) throws(BackupError) -> [RestoreRegistration.MapEntry] {
        guard !map.isEmpty else { throw .invalidParameter("the restore map is empty") }
        var entries = [RestoreRegistration.MapEntry]()
        for m in map {
            guard !m.original.isEmpty else { throw .invalidParameter("a restore map entry without its original name") }
            let restored = try server.resolve(m.restored)
            guard let db = settings.databases.first(where: { $0.same(as: restored) }) else {
                throw .invalidParameter("\(m.restored) is not a database location of \(server.name)")
            }
            guard !entries.contains(where: { $0.restored.same(as: db) }) else { throw .invalidParameter("\(m.restored) is mapped twice") }
            entries.append(.init(original: m.original, restored: db))
        }
        return entries
    }

    /// RestoreRegisterComplete: the files are in place (a success HRESULT) or not (a failure one,
    /// which keeps the server from starting until a good restore is registered).
    public func complete(_ hresult: Int32) throws(BackupError) {
        guard !isRestricted else { throw .missingExpiryToken }
        try state.withLock { (s) throws(BackupError) in
            guard s.registered, var registration = try RestoreRegistration.read(server) else {
                throw .invalidParameter("this session registered no restore")
            }
            registration.status = hresult >= 0 ? .complete : .failed
            registration.failure = hresult >= 0 ? nil : hresult
            try registration.write(server)
        }
    }

    /// RestoreEnd: releases the restore lock. An open registration stays, and keeps the
    /// server from starting.
    public func end() {
        state.withLock { $0.lock = nil }
    }
}
