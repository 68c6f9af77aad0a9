import Testing
@testable import BackupEngine

/// ESE's external-backup rules (reference/ESE-BEHAVIOUR.md §A.2-A.4), one test per rule.
@Suite("backup session: ESE's rules")
struct SessionRulesTests {
    func begin(_ server: Server, grbit: UInt32 = 0) throws -> BackupSession {
        try BackupSession.begin(server: server, settings: try server.settings(), grbit: grbit)
    }

    func copyAll(_ session: BackupSession) throws {
        for name in try session.databaseNames() { _ = try session.open(name); _ = try readAll(session); try session.close() }
        for log in try session.logNames() { _ = try session.open(log); _ = try readAll(session); try session.close() }
    }

    @Test("begin: grbits other than incremental/surrogate/internal-copy are JET_errInvalidGrbit")
    func grbits() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        for bad: UInt32 in [0x2, 0x4, 0x10, 0x100] {
            #expect(throws: BackupError.invalidGrbit) { try begin(server, grbit: bad) }
        }
    }

    @Test("begin: incremental with circular logging is JET_errInvalidBackup; without a full backup JET_errMissingFullBackup")
    func incremental() throws {
        let root = TemporaryRoot()
        let circular = try root.server("C1", circular: true)
        #expect(throws: BackupError.invalidBackup("an incremental or surrogate backup with circular logging")) { try begin(circular, grbit: 1) }
        #expect(throws: BackupError.invalidBackup("an incremental or surrogate backup with circular logging")) { try begin(circular, grbit: 0x20) }
        let server = try root.server("C2")
        #expect(throws: BackupError.missingFullBackup) { try begin(server, grbit: 1) }
    }

    @Test("only a truncated full backup records bkinfoFullPrev; an untruncated one is a copy backup; then incrementals work")
    func fullThenIncremental() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let copy = try begin(server)
        try copyAll(copy)
        #expect(try copy.end(normal: true) == .copy)
        #expect(throws: BackupError.missingFullBackup) { try begin(server, grbit: 1) }
        let full = try begin(server)
        try copyAll(full)
        _ = try full.truncateLogs()
        #expect(try full.end(normal: true) == .full)
        let inc = try begin(server, grbit: 1)
        #expect(throws: BackupError.invalidBackupSequence("an incremental backup has no database phase")) { try inc.databaseNames() }
        #expect(!(try inc.logNames()).isEmpty)
        try inc.end(normal: false)
    }

    @Test("open: a second open is JET_errOutOfMemory; a non-database in the database phase is JET_errDatabaseNotFound and the backup goes on")
    func opens() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let s = try begin(server)
        let db = try s.databaseNames()[0]
        _ = try s.open(db)
        #expect(throws: BackupError.fileAlreadyOpen) { try s.open(db) }
        try s.close()
        let log = WindowsPath("C:\\Windows\\NTDS\\edb00001.log")!
        #expect(throws: BackupError.databaseNotFound(server.unc(log))) { try s.open(log) }
        _ = try s.open(db)  // still going
        try s.close()
        try s.end(normal: false)
    }

    @Test("the database after the log list aborts the backup: JET_errNoBackup after, and the server is free at once")
    func databaseAfterLogs() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let s = try begin(server)
        let db = try s.databaseNames()[0]
        _ = try s.logNames()
        #expect(try s.databaseNames() == [db])  // no phase check on the list itself
        #expect(throws: BackupError.self) { try s.open(db) }
        #expect(throws: BackupError.noBackup) { try s.logNames() }
        let next = try begin(server)
        try next.end(normal: false)
        #expect(throws: BackupError.noBackup) { try s.end(normal: true) }
    }

    @Test("a missing log in the log phase aborts with JET_errMissingFileToBackup")
    func missingLog() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let s = try begin(server)
        _ = try s.logNames()
        let ghost = WindowsPath("C:\\Windows\\NTDS\\edb000FF.log")!
        #expect(throws: BackupError.missingFileToBackup(server.unc(ghost))) { try s.open(ghost) }
        #expect(throws: BackupError.noBackup) { try s.logNames() }
    }

    @Test("the log list: a file open is JET_errInvalidBackupSequence; the first call rolls, the second returns the same list")
    func logList() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let layout = StoreLayout(server: server, settings: try server.settings())
        let s = try begin(server)
        _ = try s.open(try s.databaseNames()[0])
        #expect(throws: BackupError.invalidBackupSequence("a file is still open")) { try s.logNames() }
        try s.close()
        let before = try LogScan.read(layout.currentLogPath).header.generation
        let first = try s.logNames()
        let after = try LogScan.read(layout.currentLogPath).header.generation
        #expect(after == before + 1)
        #expect(first.last == layout.archivedLogWindowsPath(before))
        #expect(try s.logNames() == first)
        #expect(try LogScan.read(layout.currentLogPath).header.generation == after)
        try s.end(normal: false)
    }

    @Test("truncation: needs the log list, no open file, every listed log read to its end; deletes below the checkpoint")
    func truncation() throws {
        let root = TemporaryRoot()
        let server = try root.server(logs: 3)
        let layout = StoreLayout(server: server, settings: try server.settings())
        let s = try begin(server)
        #expect(throws: BackupError.invalidBackupSequence("the log list was never taken")) { try s.truncateLogs() }
        for name in try s.databaseNames() { _ = try s.open(name); _ = try readAll(s); try s.close() }
        let logs = try s.logNames()
        _ = try s.open(logs[0])
        #expect(throws: BackupError.invalidBackupSequence("a file is still open")) { try s.truncateLogs() }
        try s.close()  // not read: not copied
        #expect(throws: BackupError.logFileNotCopied(generation: s.logRange!.lowerBound)) { try s.truncateLogs() }
        for log in logs { _ = try s.open(log); _ = try readAll(s); try s.close() }
        let gensBefore = try layout.archivedGenerations()
        let deleted = try s.truncateLogs()
        #expect(deleted == gensBefore.filter { $0 < s.logRange!.lowerBound })
        #expect(try layout.archivedGenerations() == gensBefore.filter { $0 >= s.logRange!.lowerBound })
        #expect(try s.truncateLogs() == [])  // twice is fine
        #expect(try s.end(normal: true) == .full)
    }

    @Test("stop: every call is JET_errBackupAbortByServer except close; end succeeds and records nothing")
    func stop() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let s = try begin(server)
        _ = try s.open(try s.databaseNames()[0])
        try server.control().stopBackups()
        var buffer = [UInt8](repeating: 0, count: 65536)
        #expect(throws: BackupError.backupAbortByServer) { try buffer.withUnsafeMutableBytes { try s.read(into: $0) } }
        #expect(throws: BackupError.backupAbortByServer) { try s.databaseNames() }
        #expect(throws: BackupError.backupAbortByServer) { try s.logNames() }
        try s.close()
        #expect(try s.end(normal: true) == .notRecorded)
    }

    @Test("end in the database phase is an abort: nothing recorded")
    func endEarly() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let s = try begin(server)
        for name in try s.databaseNames() { _ = try s.open(name); _ = try readAll(s); try s.close() }
        #expect(try s.end(normal: true) == .notRecorded)
        #expect(try Store(server: server).openDatabases()[0].readHeader().bkinfoCopyPrev.isEmpty)
    }

    @Test("reads of any size deliver the same bytes as whole-page reads", arguments: [1, 4095, 8192, 24576, 65537, 1 << 20])
    func readSizes(chunk: Int) throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let s = try begin(server)
        let db = try s.databaseNames()[0]
        _ = try s.open(db)
        let reference = try readAll(s, chunk: 65536)
        try s.close()
        _ = try s.open(db)
        let bytes = try readAll(s, chunk: chunk)
        try s.close()
        #expect(bytes.count == reference.count)
        #expect(Array(bytes[16384...]) == Array(reference[16384...]))  // the header snapshot's time may differ by a second
        try s.end(normal: false)
    }

    @Test("a page holding another page's content is JET_errReadPgnoVerifyFailure")
    func misplacedPage() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let settings = try server.settings()
        let db = try DatabaseFile.open(server.localPath(settings.databases[0]), forUpdate: true)
        try db.writePage(20, try db.readPage(21))
        let s = try begin(server)
        _ = try s.open(settings.databases[0])
        #expect(throws: BackupError.readPgnoVerifyFailure(file: server.unc(settings.databases[0]), pgno: 20, found: 21)) { try readAll(s) }
        try s.end(normal: false)
    }

    @Test("a damaged log in the log phase is JET_errLogReadVerifyFailure and aborts the backup")
    func damagedLog() throws {
        let root = TemporaryRoot()
        let server = try root.server(logs: 2)
        let s = try begin(server)
        let logs = try s.logNames()
        let file = try File.openForUpdate(server.localPath(logs[0]))
        // One bit in each of three words: beyond ESE's one-bit repair, whatever the byte held (an
        // overwritten byte may differ in one bit only, which the log reader now corrects).
        for at in [Int64(4096 + 200), Int64(4096 + 305), Int64(4096 + 410)] {
            try file.write([try file.read(count: 1, at: at)[0] ^ 0x01], at: at)
        }
        _ = try s.open(logs[0])
        #expect(throws: BackupError.logReadVerifyFailure(file: server.unc(logs[0]), offset: 4096)) { try readAll(s) }
        #expect(throws: BackupError.noBackup) { try s.close() }
    }
}

@Suite("backup session: large reads, verified on the helper thread")
struct LargeReadTests {
    @Test("a bad page or a misplaced one is found the same way by reads larger than a chunk", arguments: [3, 40, 100, 126])
    func damageInLargeReads(pgno: UInt32) throws {
        let root = TemporaryRoot()
        let server = try root.server()  // 1 MiB: 126 pages, so a 1 MiB read spans several chunks
        let settings = try server.settings()
        let name = settings.databases[0]
        let db = try DatabaseFile.open(server.localPath(name), forUpdate: true)
        var page = try db.readPage(pgno)
        page[4000] ^= 0x04
        try db.writePage(pgno, page)
        let s = try BackupSession.begin(server: server, settings: settings, grbit: 0)
        _ = try s.open(name)
        #expect(throws: BackupError.readVerifyFailure(file: server.unc(name), pgno: pgno)) { try readAll(s, chunk: 1 << 20) }
        page[4000] ^= 0x04
        try db.writePage(pgno, try db.readPage(pgno == 3 ? 4 : 3))  // now a valid page in the wrong place
        _ = try s.open(name)
        #expect(throws: BackupError.self) { try readAll(s, chunk: 1 << 20) }
        try db.writePage(pgno, page)
        _ = try s.open(name)
        #expect(try readAll(s, chunk: 1 << 20).count == (126 + 3) * 8192)
        try s.close()
        try s.end(normal: false)
    }

    @Test("the first bad page in stream order is the one reported, however the chunks fall")
    func firstBadPageWins() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let settings = try server.settings()
        let db = try DatabaseFile.open(server.localPath(settings.databases[0]), forUpdate: true)
        for pgno: UInt32 in [90, 20, 60] {
            var page = try db.readPage(pgno)
            page[100] ^= 1
            try db.writePage(pgno, page)
        }
        let s = try BackupSession.begin(server: server, settings: settings, grbit: 0)
        _ = try s.open(settings.databases[0])
        #expect(throws: BackupError.readVerifyFailure(file: server.unc(settings.databases[0]), pgno: 20)) { try readAll(s, chunk: 1 << 20) }
        try s.end(normal: false)
    }
}
