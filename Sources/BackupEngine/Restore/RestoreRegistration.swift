/// A registered restore, in <server>/state/restore.conf: what DsRestoreRegister and
/// CertSrvRestoreRegister record, standing in for Windows' "Restore in Progress" registry key.
/// While it is open ("registered") or failed the server will not start; once complete, the next
/// start runs hard recovery from it and removes it. Written atomically.
///
/// A restore is one full backup (its databases and its logs) and, for a CA, the logs of any
/// number of incremental backups registered after it, each from its own folder: recovery
/// replays the union of their generations, which must leave no gap.
public struct RestoreRegistration: Equatable, Sendable {
    public enum Status: String, Sendable { case registered, complete, failed }

    public struct MapEntry: Equatable, Sendable {
        /// The database's name at backup time (any server's), as the agent passed it.
        public var original: String
        /// Where the restored copy is on this server: one of its databases.
        public var restored: WindowsPath

        public init(original: String, restored: WindowsPath) { self.original = original; self.restored = restored }
    }

    /// Log generations genLow...genHigh of one backup, in the folder the agent copied them to.
    public struct LogRange: Equatable, Sendable {
        public var genLow: UInt32
        public var genHigh: UInt32
        public var backupLogPath: WindowsPath
        /// A folder anywhere on this machine instead (JetExternalRestore's szBackupLogPath); never
        /// recorded, as such a restore runs at once.
        public var localFolder: String?

        public init(genLow: UInt32, genHigh: UInt32, backupLogPath: WindowsPath, localFolder: String? = nil) {
            self.genLow = genLow; self.genHigh = genHigh; self.backupLogPath = backupLogPath; self.localFolder = localFolder
        }

        public func contains(_ generation: UInt32) -> Bool { genLow <= generation && generation <= genHigh }
    }

    public var status: Status
    public var registered: Int64
    public var checkpointPath: WindowsPath
    public var logPath: WindowsPath
    public var databases: [MapEntry]
    /// The full backup's logs first, then each incremental's in the order registered.
    public var logRanges: [LogRange]
    /// The server the backup came from and when it was taken, if the restore says (a Ds
    /// restore's expiry token does); "" and 0 if not.
    public var sourceServer: String
    public var backupTime: Int64
    /// The HRESULT RestoreRegisterComplete reported a failure with.
    public var failure: Int32?

    public init(status: Status, registered: Int64, checkpointPath: WindowsPath, logPath: WindowsPath,
                databases: [MapEntry], logRanges: [LogRange], sourceServer: String, backupTime: Int64) {
        self.status = status; self.registered = registered; self.checkpointPath = checkpointPath; self.logPath = logPath
        self.databases = databases; self.logRanges = logRanges; self.sourceServer = sourceServer; self.backupTime = backupTime
    }

    /// The lowest and highest generation of all ranges.
    public var genLow: UInt32 { logRanges.map(\.genLow).min() ?? 0 }
    public var genHigh: UInt32 { logRanges.map(\.genHigh).max() ?? 0 }

    static let fileName = "restore.conf"

    static func path(_ server: Server) -> String { server.stateDirectory + "/" + fileName }

    func serialized() -> String {
        var lines = [
            "# winbackup restore registration (DsRestoreRegister, CertSrvRestoreRegister): the server starts only once it is complete.",
            "status = \(status.rawValue)",
            "registered = \(registered)",
            "checkpoint-path = \(checkpointPath)",
            "log-path = \(logPath)",
            "source-server = \(sourceServer)",
            "backup-time = \(backupTime)",
        ]
        if let failure { lines.append("failure = \(failure)") }
        for d in databases { lines.append("database = \(d.restored) | \(d.original)") }
        for r in logRanges { lines.append("logs = \(r.genLow) \(r.genHigh) | \(r.backupLogPath)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func parse(_ text: String, path: String) throws(BackupError) -> RestoreRegistration {
        func fail(_ why: String) -> BackupError { .settingsCorrupt(path: path, reason: why) }
        var v = [String: String](), maps = [MapEntry](), ranges = [LogRange]()
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else { throw fail("expected 'key = value'") }
            let key = line[..<eq].trimmingSpaces(), value = line[line.index(after: eq)...].trimmingSpaces()
            let parts = value.split(separator: "|", maxSplits: 1).map { $0.trimmingSpaces() }
            switch key {
            case "database":
                guard parts.count == 2, let restored = WindowsPath(parts[0]) else { throw fail("bad database entry") }
                maps.append(MapEntry(original: parts[1], restored: restored))
            case "logs":
                let gens = parts[0].split(separator: " ").compactMap { UInt32($0) }
                guard parts.count == 2, gens.count == 2, gens[0] <= gens[1], let folder = WindowsPath(parts[1]) else {
                    throw fail("bad logs entry")
                }
                ranges.append(LogRange(genLow: gens[0], genHigh: gens[1], backupLogPath: folder))
            default:
                v[key] = value
            }
        }
        func windowsPath(_ key: String) throws(BackupError) -> WindowsPath {
            guard let s = v[key], let p = WindowsPath(s) else { throw fail("bad or missing '\(key)'") }
            return p
        }
        guard let status = v["status"].flatMap(Status.init(rawValue:)), !ranges.isEmpty,
              let registered = v["registered"].flatMap({ Int64($0) }), let backupTime = v["backup-time"].flatMap({ Int64($0) }) else {
            throw fail("incomplete registration")
        }
        var r = RestoreRegistration(status: status, registered: registered, checkpointPath: try windowsPath("checkpoint-path"),
                                    logPath: try windowsPath("log-path"), databases: maps, logRanges: ranges,
                                    sourceServer: v["source-server"] ?? "", backupTime: backupTime)
        r.failure = v["failure"].flatMap { Int32($0) }
        return r
    }

    /// The server's registration, or nil if none is recorded.
    public static func read(_ server: Server) throws(BackupError) -> RestoreRegistration? {
        let p = path(server)
        guard FileSystem.exists(p) else { return nil }
        return try parse(String(decoding: try FileSystem.readFile(p), as: UTF8.self), path: p)
    }

    func write(_ server: Server) throws(BackupError) {
        let bytes = Array(serialized().utf8)
        var faults = RestoreFaults(server)
        try faults.write(bytes.count, to: Self.path(server))
        try FileSystem.writeAtomically(Self.path(server), bytes)
    }

    static func remove(_ server: Server) throws(BackupError) {
        try FileSystem.remove(path(server))
        FileSystem.syncDirectory(server.stateDirectory)
    }
}

extension Server {
    /// Held by the process whose restore session registered, until it ends.
    var restoreLockPath: String { stateDirectory + "/restore.lock" }

    /// Where a restore puts things (DsRestoreGetDatabaseLocations): the databases, the log
    /// folder and the checkpoint folder.
    public func restoreLocations(_ settings: ServerSettings) -> [(kind: RestoreLocationKind, path: WindowsPath)] {
        settings.databases.map { (.database, $0) } + [(.logDirectory, settings.logPath), (.checkpointDirectory, settings.systemPath)]
    }
}

public enum RestoreLocationKind: Sendable { case database, logDirectory, checkpointDirectory }
