/// An ESE instance as the Jet API sees it (JetCreateInstance ... JetTerm): a name, the system
/// parameters that locate its files, and, once JetInit ran, the emulated server it runs on and
/// its one external backup at a time.
///
/// JetInit binds the instance to a server: the one its name names, else the one whose folder holds
/// JET_paramLogFilePath or JET_paramSystemPath (a local path, so an instance can point at any store
/// folder). Paths that are set must be that server's; the base name must be its. A stopped server
/// is started (recovery, as JetInit runs it); JetTerm leaves the server running for its other
/// clients and only detaches the instance.
public final class EngineInstance: Sendable {
    /// The system parameters the backup APIs depend on.
    public struct Parameters: Sendable, Equatable {
        /// JET_paramSystemPath: the checkpoint folder.
        public var systemPath: String?
        /// JET_paramLogFilePath: the log folder.
        public var logFilePath: String?
        /// JET_paramBaseName: three characters, "edb" by default.
        public var baseName = "edb"
        /// JET_paramCircularLog; nil leaves the server's setting.
        public var circularLog: Bool?

        public init() {}
    }

    public let name: String
    private let state: Lock<State>

    struct State {
        var parameters: Parameters
        var server: Server?
        var backup: BackupSession?
    }

    public init(name: String, parameters: Parameters = Parameters()) {
        self.name = name
        self.state = Lock(State(parameters: parameters))
    }

    public var parameters: Parameters { state.withLock { $0.parameters } }
    public var server: Server? { state.withLock { $0.server } }
    public var isInitialized: Bool { server != nil }

    /// JetSetSystemParameter: the path and name parameters only before JetInit (else -1030).
    public func setParameters(_ change: (inout Parameters) throws(BackupError) -> Void) throws(BackupError) {
        try state.withLock { (s) throws(BackupError) in
            guard s.server == nil else { throw .alreadyInitialized }
            var p = s.parameters
            try change(&p)
            s.parameters = p
        }
    }

    /// JetInit: binds the instance to its server and makes sure the server runs.
    @discardableResult
    public func initialize(_ registry: ServerRegistry = ServerRegistry()) throws(BackupError) -> StartReport? {
        let parameters = self.parameters
        guard server == nil else { throw .alreadyInitialized }
        let server = try bind(registry, parameters)
        let settings = try server.settings()
        if let path = parameters.logFilePath, !(try server.resolve(path)).same(as: settings.logPath) {
            throw .invalidPath("JET_paramLogFilePath \(path) is not the log folder of \(server.name) (\(server.localPath(settings.logPath)))")
        }
        if let path = parameters.systemPath, !(try server.resolve(path)).same(as: settings.systemPath) {
            throw .invalidPath("JET_paramSystemPath \(path) is not the checkpoint folder of \(server.name) (\(server.localPath(settings.systemPath)))")
        }
        guard parameters.baseName.lowercased() == settings.baseName.lowercased() else {
            throw .invalidParameter("JET_paramBaseName \(parameters.baseName): the logs of \(server.name) are \(settings.baseName)*.log")
        }
        if let circular = parameters.circularLog, circular != settings.circularLogging {
            try server.updateSettings { $0.circularLogging = circular }
        }
        let report = try server.start()
        state.withLock { $0.server = server }
        return report
    }

    /// The server JetInit would bind the instance to.
    public func boundServer(_ registry: ServerRegistry = ServerRegistry()) throws(BackupError) -> Server {
        if let server { return server }
        return try bind(registry, parameters)
    }

    private func bind(_ registry: ServerRegistry, _ parameters: Parameters) throws(BackupError) -> Server {
        if !name.isEmpty, (try? ServerName.validate(name)) != nil, let server = try? registry.find(name) { return server }
        for path in [parameters.logFilePath, parameters.systemPath].compactMap({ $0 }) where path.hasPrefix("/") {
            if let server = try registry.server(containing: path) { return server }
        }
        throw .serverNotFound(name.isEmpty ? "(no instance name, and no JET_paramLogFilePath inside a server)" : name)
    }

    /// The server of an initialized instance (JET_errNotInitialized before JetInit).
    public func runningServer() throws(BackupError) -> Server {
        guard let server else { throw .notInitialized }
        return server
    }

    /// JetTerm2: detaches the instance. A running backup refuses it (JET_errBackupInProgress)
    /// unless `stopBackup` (JET_bitTermStopBackup), which stops the backup first.
    public func terminate(stopBackup: Bool) throws(BackupError) {
        let server = try runningServer()
        if let backup = state.withLock({ $0.backup }), backup.isInProgress {
            guard stopBackup else { throw .backupInProgress }
            try server.control().stopBackups()
            _ = try? backup.end(normal: false)
        }
        state.withLock {
            $0.backup = nil
            $0.server = nil
        }
    }

    /// JetBeginExternalBackupInstance.
    public func beginBackup(grbit: UInt32) throws(BackupError) {
        let server = try runningServer()
        let session = try BackupSession.begin(server: server, settings: try server.settings(), grbit: grbit)
        state.withLock { $0.backup = session }
    }

    /// The backup of this instance (JET_errNoBackup if none runs).
    public func backup() throws(BackupError) -> BackupSession {
        _ = try runningServer()
        guard let session = state.withLock({ $0.backup }) else { throw .noBackup }
        return session
    }

    /// JetEndExternalBackupInstance2: ends the backup and forgets it.
    @discardableResult
    public func endBackup(normal: Bool, truncateDone: Bool, updateHeaders: Bool) throws(BackupError) -> BackupSession.Outcome {
        let session = try backup()
        let outcome = try session.end(normal: normal, truncateDone: truncateDone, updateHeaders: updateHeaders)
        state.withLock { if $0.backup === session { $0.backup = nil } }
        return outcome
    }

    /// JetStopBackupInstance: every later call of the running backup gets JET_errBackupAbortByServer.
    public func stopBackup() throws(BackupError) {
        try runningServer().control().stopBackups()
    }
}
