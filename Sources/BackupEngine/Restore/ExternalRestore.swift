/// JetExternalRestore: hard recovery at once, of the server whose folder holds the restored
/// databases (and the checkpoint and log folders, when given), from backed-up logs in any folder
/// of this machine. The server must be stopped; it stays stopped, with consistent databases, a
/// new log generation genHigh + 1 and a checkpoint: JetInit then starts it. All of HardRecovery's
/// checks apply, and a refusal changes nothing.
public enum ExternalRestore {
    public struct Request: Sendable {
        /// szCheckpointFilePath and szLogPath: the server's checkpoint and log folders, or nil.
        public var checkpointPath: String?
        public var logPath: String?
        /// The restore map: each database's name at backup time and where its copy is now.
        public var map: [(original: String, restored: String)]
        /// szBackupLogPath: a local folder holding generations genLow...genHigh.
        public var backupLogFolder: String
        public var genLow: UInt32
        public var genHigh: UInt32

        public init(checkpointPath: String?, logPath: String?, map: [(original: String, restored: String)],
                    backupLogFolder: String, genLow: UInt32, genHigh: UInt32) {
            self.checkpointPath = checkpointPath; self.logPath = logPath; self.map = map
            self.backupLogFolder = backupLogFolder; self.genLow = genLow; self.genHigh = genHigh
        }
    }

    public static func run(_ request: Request, registry: ServerRegistry = ServerRegistry(), now: Int64 = unixTime(),
                           progress: ((Int, Int) -> Void)? = nil) throws(BackupError) -> HardRecovery.Report {
        guard !request.map.isEmpty else { throw .invalidParameter("the restore map is empty") }
        guard request.genLow >= 1, request.genLow <= request.genHigh else {
            throw .invalidParameter("log generations \(request.genLow)-\(request.genHigh) are not a range")
        }
        let server = try target(request, registry)
        let settings = try server.settings()
        guard settings.state == .offline else { throw .serverOnline(server.name) }
        if let path = request.checkpointPath, !(try server.resolve(path)).same(as: settings.systemPath) {
            throw .invalidPath("szCheckpointFilePath \(path) is not the checkpoint folder of \(server.name)")
        }
        if let path = request.logPath, !(try server.resolve(path)).same(as: settings.logPath) {
            throw .invalidPath("szLogPath \(path) is not the log folder of \(server.name)")
        }
        var entries = [RestoreRegistration.MapEntry]()
        for m in request.map {
            let restored = try server.resolve(m.restored)
            guard let db = settings.databases.first(where: { $0.same(as: restored) }) else {
                throw .invalidParameter("\(m.restored) is not a database of \(server.name)")
            }
            entries.append(.init(original: m.original, restored: db))
        }
        guard FileSystem.isDirectory(request.backupLogFolder) else { throw .invalidPath(request.backupLogFolder) }
        let registration = RestoreRegistration(
            status: .complete, registered: now, checkpointPath: settings.systemPath, logPath: settings.logPath, databases: entries,
            logRanges: [.init(genLow: request.genLow, genHigh: request.genHigh, backupLogPath: settings.logPath,
                              localFolder: FileSystem.absolute(request.backupLogFolder))],
            sourceServer: "", backupTime: 0)
        return try FileLock.with(server.logLockPath) { () throws(BackupError) -> HardRecovery.Report in
            guard try RestoreRegistration.read(server) == nil else { throw .restoreInProgress("a restore of \(server.name) is registered") }
            return try HardRecovery.run(StoreLayout(server: server, settings: settings), registration, now: now, progress: progress)
        }
    }

    /// The one server every local path of the request lies in.
    static func target(_ request: Request, _ registry: ServerRegistry) throws(BackupError) -> Server {
        var found: Server?
        for path in request.map.map(\.restored) + [request.checkpointPath, request.logPath].compactMap({ $0 }) {
            guard path.hasPrefix("/") else { continue }
            guard let server = try registry.server(containing: path) else { throw .invalidPath("\(path) is in no server's folder") }
            if let f = found, f.name != server.name { throw .invalidParameter("the paths of one restore name two servers") }
            found = server
        }
        guard let found else { throw .invalidPath("no local path names the server to restore (use the paths under its folder)") }
        return found
    }
}
