import Testing
@testable import BackupEngine

@Suite("ESE instances: binding, JetTerm, folder backups, external restore")
struct EngineInstanceTests {
    func ese(_ root: TemporaryRoot, _ name: String = "ESE01", logs: Int = 2) throws -> Server {
        var options = ServerOptions(role: .ese)
        options.databaseSize = 1 << 20
        options.logFileSize = 64 * 1024
        options.logGenerations = logs
        return try root.registry.create(name, options)
    }

    func write(_ server: Server, _ n: Int) throws { _ = try ActivityWriter(store: try Store(server: server)).run(transactions: n) }

    @Test("an instance binds by name, or by a path parameter inside a server's folder; paths must be the server's")
    func binding() throws {
        let root = TemporaryRoot()
        let server = try ese(root)
        let settings = try server.settings()
        let byName = EngineInstance(name: "ese01")
        try byName.initialize(root.registry)
        #expect(byName.server?.name == "ESE01")
        #expect(throws: BackupError.alreadyInitialized) { try byName.initialize(root.registry) }
        #expect(throws: BackupError.alreadyInitialized) { try byName.setParameters { $0.baseName = "abc" } }

        var p = EngineInstance.Parameters()
        p.logFilePath = server.localPath(settings.logPath)
        let byPath = EngineInstance(name: "", parameters: p)
        try byPath.initialize(root.registry)
        #expect(byPath.server?.name == "ESE01")

        var wrong = EngineInstance.Parameters()
        wrong.systemPath = server.localPath(settings.logPath)  // the log folder, not the checkpoint folder
        #expect(throws: BackupError.self) { try EngineInstance(name: "ESE01", parameters: wrong).initialize(root.registry) }
        #expect(throws: BackupError.serverNotFound("NOPE")) { try EngineInstance(name: "NOPE").initialize(root.registry) }
    }

    @Test("JetInit starts a stopped server; JetTerm refuses a running backup unless it stops it")
    func initAndTerm() throws {
        let root = TemporaryRoot()
        let server = try ese(root)
        try server.stop()
        let instance = EngineInstance(name: "ESE01")
        try instance.initialize(root.registry)
        #expect(try server.settings().state == .online)
        try instance.beginBackup(grbit: 0)
        let session = try instance.backup()
        #expect(throws: BackupError.backupInProgress) { try instance.terminate(stopBackup: false) }
        #expect(instance.isInitialized)
        try instance.terminate(stopBackup: true)
        #expect(!instance.isInitialized && !server.isBackupInProgress)
        #expect(throws: BackupError.self) { _ = try session.databaseNames() }
    }

    @Test("JetBackupInstance then JetRestoreInstance: full and incremental, to the content of the last log")
    func folderRoundTrip() throws {
        let root = TemporaryRoot()
        let server = try ese(root)
        let instance = EngineInstance(name: "ESE01")
        try instance.initialize(root.registry)
        let folder = root.path + "/bk"
        try FolderBackup.backup(instance, to: folder, incremental: false, atomic: false)
        #expect(throws: BackupError.backupDirectoryNotEmpty(folder)) {
            try FolderBackup.backup(instance, to: folder, incremental: false, atomic: false)
        }
        try write(server, 30)
        try FolderBackup.backup(instance, to: folder, incremental: true, atomic: false)
        let layout = StoreLayout(server: server, settings: try server.settings())
        let last = try FileSystem.list(folder).compactMap { layout.generation(ofLogName: $0) }.max()!
        let recorded = try LogScan.read(folder + "/" + layout.archivedLogName(last)).digest

        let target = try ese(root, "ESE02", logs: 1)
        try target.stop()
        var progress = [(Int, Int)]()
        let report = try FolderBackup.restore(EngineInstance(name: "ESE02"), from: folder, registry: root.registry) { progress.append(($0, $1)) }
        #expect(report.digest == recorded && progress.last.map { $0 == $1 } == true)
        #expect(try target.settings().state == .offline)
        let restored = EngineInstance(name: "ESE02")
        try restored.initialize(root.registry)
        #expect(try DatabaseDigest.compute(try Store(server: target).openDatabases()) == recorded)
    }

    @Test("an atomic folder backup replaces the old one only once complete")
    func atomic() throws {
        let root = TemporaryRoot()
        let server = try ese(root)
        let instance = EngineInstance(name: "ESE01")
        try instance.initialize(root.registry)
        let folder = root.path + "/bk"
        try FolderBackup.backup(instance, to: folder, incremental: false, atomic: false)
        let before = Set(try FileSystem.list(folder))
        try write(server, 30)
        try FolderBackup.backup(instance, to: folder, incremental: false, atomic: true)
        let after = Set(try FileSystem.list(folder))
        #expect(!after.contains("new") && after.contains("ese.edb") && after != before)
    }

    @Test("JetExternalRestore refuses a running server, a map outside any server, and leaves nothing changed on failure")
    func externalRestoreRefusals() throws {
        let root = TemporaryRoot()
        let server = try ese(root)
        let instance = EngineInstance(name: "ESE01")
        try instance.initialize(root.registry)
        let folder = root.path + "/bk"
        try FolderBackup.backup(instance, to: folder, incremental: false, atomic: false)
        let db = server.localPath(try server.settings().databases[0])
        let request = ExternalRestore.Request(checkpointPath: nil, logPath: nil, map: [("x", db)], backupLogFolder: folder, genLow: 1, genHigh: 1)
        #expect(throws: BackupError.serverOnline("ESE01")) { _ = try ExternalRestore.run(request, registry: root.registry) }
        var outside = request
        outside.map = [("x", "/tmp/not-a-server/ese.edb")]
        #expect(throws: BackupError.self) { _ = try ExternalRestore.run(outside, registry: root.registry) }
        var empty = request
        empty.map = []
        #expect(throws: BackupError.self) { _ = try ExternalRestore.run(empty, registry: root.registry) }
    }
}
