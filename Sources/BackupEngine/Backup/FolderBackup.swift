/// JetBackupInstance and JetRestoreInstance: the engine copies a backup to a folder itself, and
/// restores from one, through the same session and recovery as the external API.
///
/// A full backup writes each database stream and each log under its file name ("ese.edb",
/// "edb0000A.log") into an empty folder (with `atomic`, into a "new" folder inside it that replaces
/// the old backup only once complete); an incremental one adds its logs to the folder of the last
/// backup. The logs are truncated afterwards, as ESE's own copier does.
public enum FolderBackup {
    public struct Progress: Sendable {
        public var filesDone: Int
        public var filesTotal: Int
    }

    public static func backup(_ instance: EngineInstance, to folder: String, incremental: Bool, atomic: Bool,
                              progress: ((Progress) -> Void)? = nil) throws(BackupError) {
        let target = atomic ? folder + "/new" : folder
        if FileSystem.isDirectory(folder), !incremental, !atomic, !(try FileSystem.list(folder)).isEmpty {
            throw .backupDirectoryNotEmpty(folder)
        }
        if atomic { try FileSystem.removeTree(target) }
        try FileSystem.makeDirectories(target)
        try instance.beginBackup(grbit: incremental ? 0x1 : 0)
        let session = try instance.backup()
        do throws(BackupError) {
            let databases = incremental ? [] : try session.databaseNames()
            var done = 0
            for db in databases {
                try copy(session, db, into: target)
                done += 1
                progress?(Progress(filesDone: done, filesTotal: databases.count))
            }
            let logs = try session.logNames()
            for log in logs {
                try copy(session, log, into: target)
                done += 1
                progress?(Progress(filesDone: done, filesTotal: databases.count + logs.count))
            }
            _ = try session.truncateLogs()
        } catch {
            _ = try? instance.endBackup(normal: false, truncateDone: false, updateHeaders: true)
            throw error
        }
        try instance.endBackup(normal: true, truncateDone: false, updateHeaders: true)
        if atomic {
            for name in try FileSystem.list(folder) where name != "new" { try FileSystem.removeTree(folder + "/" + name) }
            for name in try FileSystem.list(target) { try FileSystem.rename(target + "/" + name, folder + "/" + name) }
            try FileSystem.removeTree(target)
        }
    }

    private static func copy(_ session: BackupSession, _ name: WindowsPath, into folder: String) throws(BackupError) {
        _ = try session.open(name)
        let out = try File.create(folder + "/" + name.lastComponent)
        var buffer = [UInt8](zeros: 1 << 20)
        var offset: Int64 = 0
        while true {
            let n = try buffer.withMutableBytes { (p) throws(BackupError) -> Int in try session.read(into: p) }
            if n == 0 { break }
            try out.write(Array(buffer[0..<n]), at: offset)
            offset += Int64(n)
        }
        try out.sync()
        try session.close()
    }

    /// JetRestoreInstance: puts the databases of a backup folder in place on the instance's
    /// (stopped) server and recovers through the logs the folder holds.
    public static func restore(_ instance: EngineInstance, from folder: String, registry: ServerRegistry = ServerRegistry(),
                               progress: ((Int, Int) -> Void)? = nil) throws(BackupError) -> HardRecovery.Report {
        guard !instance.isInitialized else { throw .alreadyInitialized }
        guard FileSystem.isDirectory(folder) else { throw .invalidPath(folder) }
        let server = try instance.boundServer(registry)
        let settings = try server.settings()
        let layout = StoreLayout(server: server, settings: settings)
        let files = try FileSystem.list(folder)
        let generations = files.compactMap { layout.generation(ofLogName: $0) }.sorted()
        guard let genLow = generations.first, let genHigh = generations.last else { throw .missingLogFile(folder) }
        var map = [(original: String, restored: String)]()
        var faults = RestoreFaults(server)
        for (index, db) in settings.databases.enumerated() {
            guard let file = files.first(where: { $0.lowercased() == db.lastComponent.lowercased() }) else { continue }
            guard settings.state == .offline else { throw .serverOnline(server.name) }
            let bytes = try FileSystem.readFile(folder + "/" + file)
            try faults.write(bytes.count, to: layout.databasePath(index))
            try FileSystem.writeAtomically(layout.databasePath(index), bytes)
            map.append((db.description, layout.databasePath(index)))
        }
        guard !map.isEmpty else { throw .databaseNotFound("\(folder) holds none of the databases of \(server.name)") }
        return try ExternalRestore.run(.init(checkpointPath: nil, logPath: nil, map: map, backupLogFolder: folder,
                                             genLow: genLow, genHigh: genHigh), registry: registry, progress: progress)
    }
}
