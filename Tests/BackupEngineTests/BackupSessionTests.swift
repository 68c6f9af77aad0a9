import Glibc
import Testing
@testable import BackupEngine

@Suite("backup session")
struct BackupSessionTests {
    @Test("a full backup delivers the header, every page, the trailer and the logs byte for byte")
    func fullBackup() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let settings = try server.settings()
        let session = try BackupSession.begin(server: server, settings: settings, grbit: 0)
        let names = try session.databaseNames()
        #expect(names == settings.databases)
        let size = try session.open(names[0])
        let stream = try readAll(session)
        #expect(Int64(stream.count) == size)
        try session.close()
        let db = try DatabaseFile.open(server.localPath(names[0]))
        let pages = Int(try db.pgnoLast())
        #expect(stream.count == (pages + 3) * 8192)
        let header = DatabaseHeader(page: Array(stream[0..<8192]))
        #expect(header != nil)
        #expect(header?.bkinfoFullCur.genLow == (try Store(server: server).readCheckpoint().generation))
        for pgno in 1...pages {
            #expect(Array(stream[((pgno + 1) * 8192)..<((pgno + 2) * 8192)]) == (try db.readPage(UInt32(pgno))))
        }
        let trailer = stream.withUnsafeBytes { BackupTrailer(UnsafeRawBufferPointer(rebasing: $0[((pages + 2) * 8192)...])) }
        #expect(trailer != nil)

        let logs = try session.logNames()
        #expect(!logs.isEmpty)
        for log in logs {
            _ = try session.open(log)
            let bytes = try readAll(session)
            try session.close()
            #expect(bytes == (try FileSystem.readFile(server.localPath(log))))
        }
        let deleted = try session.truncateLogs()
        #expect(deleted.allSatisfy { $0 < logs.count + 10 })
        #expect(try session.end(normal: true) == .full)
        let after = try db.readHeader()
        #expect(after.bkinfoFullPrev.genLow == header!.bkinfoFullCur.genLow)
    }

    @Test("a file swapped for a link leading out after the session began is refused at open, the opened file is checked")
    func linkPlantedDuringSession() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let outside = root.path + "/outside"
        try FileSystem.makeDirectories(outside)
        func plant(_ path: WindowsPath) throws {
            let local = server.localPath(path)
            let moved = outside + "/" + path.lastComponent
            #expect(rename(local, moved) == 0)
            #expect(symlink(moved, local) == 0)
        }
        let session = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        let database = try session.databaseNames()[0]
        try plant(database)
        #expect(throws: BackupError.accessDenied("the database \(database) of server DC01 is a symbolic link leading out of its folder")) {
            try session.open(database)
        }
        try session.end(normal: false)

        let second = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        let log = try second.logNames()[0]
        try plant(log)
        #expect(throws: BackupError.accessDenied("the log \(log.lastComponent) of server DC01 is a symbolic link leading out of its folder")) {
            try second.open(log)
        }
        #expect(throws: BackupError.noBackup) { try second.logNames() }   // a log that cannot be read aborts the backup
    }

    @Test("one backup per server: a second begin gets backupInProgress until the first ends")
    func oneAtATime() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let first = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        #expect(throws: BackupError.backupInProgress) { try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0) }
        try first.end(normal: false)
        let second = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        try second.end(normal: false)
    }

    @Test("a corrupt page fails that database with readVerifyFailure; the backup goes on")
    func corruptPage() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let settings = try server.settings()
        let path = server.localPath(settings.databases[0])
        let file = try File.openForUpdate(path)
        // pgno 9: one bit in each of three words. Overwriting a byte could flip a set of bits whose
        // ECC terms cancel, which ESE's checks read as another page's checksum (-1118).
        for at in [Int64(8192 * 10 + 100), Int64(8192 * 10 + 205), Int64(8192 * 10 + 310)] {
            try file.write([try file.read(count: 1, at: at)[0] ^ 0x01], at: at)
        }
        let session = try BackupSession.begin(server: server, settings: settings, grbit: 0)
        _ = try session.open(settings.databases[0])
        #expect(throws: BackupError.readVerifyFailure(file: server.unc(settings.databases[0]), pgno: 9)) { try readAll(session) }
        #expect(throws: BackupError.noFileOpen) { try session.close() }
        _ = try session.logNames()  // the session goes on
        try session.end(normal: true)
    }

    @Test("writes during a backup: the writer and the backup's roll share the log")
    func writerDuringBackup() throws {
        let root = TemporaryRoot()
        let server = try root.server(logs: 1)
        let store = try Store(server: server)
        let session = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        let report = try ActivityWriter(store: store).run(transactions: 50)
        #expect(report.transactions == 50)
        let logs = try session.logNames()
        #expect(logs.count >= 1)
        let again = try ActivityWriter(store: store).run(transactions: 10)
        #expect(again.transactions == 10)
        try session.end(normal: false)
        #expect(try DatabaseDigest.compute(try store.openDatabases()) == (try store.committedDigest()))
    }
}
