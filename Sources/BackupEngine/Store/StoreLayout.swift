/// Where one server's store keeps its files: databases, log generations, checkpoint.
public struct StoreLayout: Sendable {
    public let server: Server
    public let settings: ServerSettings

    public init(server: Server, settings: ServerSettings) {
        self.server = server; self.settings = settings
    }

    public var pageSize: Int { settings.pageSize }
    public var baseName: String { settings.baseName }

    public func databasePath(_ index: Int) -> String { server.localPath(settings.databases[index]) }
    public var databaseCount: Int { settings.databases.count }

    public var logDirectory: String { server.localPath(settings.logPath) }
    public var systemDirectory: String { server.localPath(settings.systemPath) }

    /// "edb.log": the generation being written.
    public var currentLogName: String { baseName + ".log" }
    public var currentLogPath: String { logDirectory + "/" + currentLogName }
    /// "edbtmp.log": the next generation, prepared before a roll.
    var temporaryLogPath: String { logDirectory + "/" + baseName + "tmp.log" }
    public var checkpointPath: String { systemDirectory + "/" + baseName + ".chk" }

    /// "edb0001A.log": 5 hex digits, 8 from generation 0x100000 on.
    public func archivedLogName(_ generation: UInt32) -> String {
        let hex = String(generation, radix: 16, uppercase: true)
        let width = generation > 0xFFFFF ? 8 : 5
        return baseName + String(repeating: "0", count: max(0, width - hex.count)) + hex + ".log"
    }

    public func archivedLogPath(_ generation: UInt32) -> String { logDirectory + "/" + archivedLogName(generation) }

    public func archivedLogWindowsPath(_ generation: UInt32) -> WindowsPath {
        settings.logPath.appending(archivedLogName(generation))
    }

    /// The generation an archived log name stands for, or nil ("edb.log" is not one).
    public func generation(ofLogName name: String) -> UInt32? {
        let lower = name.lowercased(), base = baseName.lowercased()
        guard lower.hasPrefix(base), lower.hasSuffix(".log") else { return nil }
        let digits = lower.dropFirst(base.count).dropLast(4)
        guard digits.count == 5 || digits.count == 8, let g = UInt32(digits, radix: 16), g > 0 else { return nil }
        return g
    }

    /// Archived generations on disk, ascending.
    public func archivedGenerations() throws(BackupError) -> [UInt32] {
        guard FileSystem.isDirectory(logDirectory) else { return [] }
        return try FileSystem.list(logDirectory).compactMap { generation(ofLogName: $0) }.sorted()
    }

    /// The signatures of this store's database and log stream, derived from the server id.
    var signatureRandom: (db: UInt32, log: UInt32) {
        let id = settings.id
        return (UInt32(id[0]) | UInt32(id[1]) << 8 | UInt32(id[2]) << 16 | UInt32(id[3]) << 24,
                UInt32(id[4]) | UInt32(id[5]) << 8 | UInt32(id[6]) << 16 | UInt32(id[7]) << 24)
    }

    /// A seed for the simulated page contents.
    var contentSeed: UInt64 {
        settings.id[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
