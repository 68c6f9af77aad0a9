import Glibc
import Testing
@testable import BackupEngine

@Suite("store: logs, checkpoint, writer, recovery")
struct StoreTests {
    @Test("records round-trip through segments; the scan finds them and their positions")
    func records() throws {
        let pages = [LogRecord.PageImage(dbid: 1, pgno: 7, bytes: [UInt8](repeating: 0xAB, count: 8192))]
        let record = LogRecord(kind: .transaction, dbtime: 9, transaction: 3, digest: [UInt8](repeating: 1, count: 32), pages: pages)
        let encoded = record.encode()
        #expect(encoded.withUnsafeBytes { LogRecord($0) } == record)
        let segments = LogSegments.encode(encoded, generation: 5, firstIndex: 0, time: LogTime(unixTime: 0))
        #expect(segments.count == LogRecord.segmentCount(forEncodedSize: encoded.count) * 4096)
        segments.withUnsafeBytes { p in
            #expect(LogSegments.verify(UnsafeRawBufferPointer(rebasing: p[0..<4096]), offset: 4096, generation: 5) == .valid)
            #expect(LogSegments.verify(UnsafeRawBufferPointer(rebasing: p[0..<4096]), offset: 4096, generation: 6) == .bad)
            #expect(LogSegments.verify(UnsafeRawBufferPointer(rebasing: p[0..<4096]), offset: 8192, generation: 5) == .bad)
        }
    }

    @Test("every rolled log ends with the digest the writer committed; the database matches it")
    func digests() throws {
        let root = TemporaryRoot()
        let server = try root.server(logs: 3)
        let store = try Store(server: server)
        let report = try ActivityWriter(store: store).run(transactions: 30)
        #expect(report.transactions == 30)
        let computed = try DatabaseDigest.compute(try store.openDatabases())
        #expect(computed == report.digest)
        #expect(computed == (try store.committedDigest()))
        let gens = try store.layout.archivedGenerations()
        #expect(gens.count >= 3)
        for g in gens { #expect(try store.digest(atEndOf: g) != nil) }
    }

    @Test("recovery replays what the log holds past the checkpoint (a writer killed before it flushed)")
    func recovery() throws {
        let root = TemporaryRoot()
        let server = try root.server(logs: 1)
        let store = try Store(server: server)
        let before = try DatabaseDigest.compute(try store.openDatabases())
        // A transaction in the log that never reached the database: what a killed writer leaves.
        let db = try store.openDatabases()[0]
        let old = try db.readPage(5)
        let new = SimulatedPage.make(pageSize: 8192, pgno: 5, dbtime: 999, seed: 42)
        var digest = before
        old.withUnsafeBytes { digest.toggle(DatabaseDigest.pageHash(dbid: 1, 5, $0)) }
        new.withUnsafeBytes { digest.toggle(DatabaseDigest.pageHash(dbid: 1, 5, $0)) }
        try FileLock.with(server.logLockPath) { () throws(BackupError) in
            let log = try LogWriter(store.layout)
            try log.append(LogRecord(kind: .transaction, dbtime: 999, transaction: 99, digest: digest.bytes,
                                     pages: [.init(dbid: 1, pgno: 5, bytes: new)]), time: 0)
        }
        #expect(try db.readPage(5) == old)
        let r = try store.recover()
        #expect(r.transactionsReplayed == 1)
        #expect(try db.readPage(5) == new)
        #expect(try DatabaseDigest.compute(try store.openDatabases()) == digest)
        #expect(try store.readCheckpoint().position == r.to)
        #expect(try store.recover().transactionsReplayed == 0)  // the checkpoint moved past it
    }

    @Test("a torn 8 KiB page write (half new, half old, as a power cut leaves it) is rewritten by replay when the log holds the page past the checkpoint; otherwise a backup reports it")
    func tornPageWrite() throws {
        let root = TemporaryRoot()
        let server = try root.server(logs: 1)
        let store = try Store(server: server)
        let db = try store.openDatabases(forUpdate: true)[0]
        let before = try DatabaseDigest.compute(try store.openDatabases())
        let old = try db.readPage(5)
        let new = SimulatedPage.make(pageSize: 8192, pgno: 5, dbtime: 999, seed: 42)
        var digest = before
        old.withUnsafeBytes { digest.toggle(DatabaseDigest.pageHash(dbid: 1, 5, $0)) }
        new.withUnsafeBytes { digest.toggle(DatabaseDigest.pageHash(dbid: 1, 5, $0)) }
        try FileLock.with(server.logLockPath) { () throws(BackupError) in   // the log first (write-ahead) ...
            try LogWriter(store.layout).append(LogRecord(kind: .transaction, dbtime: 999, transaction: 99, digest: digest.bytes,
                                                         pages: [.init(dbid: 1, pgno: 5, bytes: new)]), time: 0)
        }
        func tear(_ pgno: UInt32, with image: [UInt8]) throws {          // ... then half of the page reaches the disk
            let torn = Array(image[0..<4096]) + Array(try db.readPage(pgno)[4096...])
            try db.writePage(pgno, torn)
            #expect(torn.withUnsafeBytes { PageFormat.verify($0, pgno: pgno) } == .badChecksum)
        }
        try tear(5, with: new)
        // Page 7 is torn too, but the log past the checkpoint does not hold it: nothing can mend it.
        try tear(7, with: SimulatedPage.make(pageSize: 8192, pgno: 7, dbtime: 1000, seed: 43))

        #expect(try store.recover().transactionsReplayed == 1)
        #expect(try db.readPage(5) == new)
        let session = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        let name = try session.databaseNames()[0]
        _ = try session.open(name)
        #expect(throws: BackupError.readVerifyFailure(file: server.unc(name), pgno: 7)) { try readAll(session) }
        try session.end(normal: false)
    }

    @Test("a torn write at the end of the current log is cleared; appends go on after the last good record")
    func tornTail() throws {
        let root = TemporaryRoot()
        let server = try root.server(logs: 1)
        let store = try Store(server: server)
        let path = store.layout.currentLogPath
        let scan = try LogScan.read(path)
        let file = try File.openForUpdate(path)
        try file.write([UInt8](repeating: 0x5A, count: 100), at: Int64(LogSegments.offset(scan.nextSegment)))
        #expect(try LogScan.read(path).damageOffset == LogSegments.offset(scan.nextSegment))
        _ = try ActivityWriter(store: store).run(transactions: 3)
        let after = try LogScan.read(path)
        #expect(after.damageOffset == nil)
        #expect(try DatabaseDigest.compute(try store.openDatabases()) == after.digest)
    }

    @Test("the checkpoint is written twice; a damaged first copy falls back to the shadow")
    func checkpointShadow() throws {
        let c = Checkpoint(position: LogPosition(ib: 0, isec: 8, generation: 3), signLog: Signature(random: 1, created: LogTime(), computerName: "X"))
        var bytes = c.encode()
        #expect(Checkpoint(bytes) == c)
        bytes[100] ^= 0xFF
        #expect(Checkpoint(bytes) == c)
        bytes[4096 + 100] ^= 0xFF
        #expect(Checkpoint(bytes) == nil)
    }

    @Test("circular logging deletes generations behind the checkpoint, but not during a backup")
    func circular() throws {
        let root = TemporaryRoot()
        let server = try root.server(logs: 0, circular: true)
        let store = try Store(server: server)
        _ = try ActivityWriter(store: store).run(transactions: 0, untilRolls: 3)
        #expect(try store.layout.archivedGenerations().isEmpty)
        let session = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        _ = try ActivityWriter(store: store).run(transactions: 0, untilRolls: 2)
        #expect(try store.layout.archivedGenerations().count >= 2)
        try session.end(normal: false)
    }

    @Test("stop and start: clean shutdown in the header, offline writers refused, online again")
    func stopStart() throws {
        let root = TemporaryRoot()
        let server = try root.server(logs: 1)
        try server.stop()
        #expect(try server.settings().state == .offline)
        #expect(try Store(server: server).openDatabases()[0].readHeader().state == .cleanShutdown)
        #expect(throws: BackupError.serverOffline("DC01")) { try ActivityWriter(store: try Store(server: server)).run(transactions: 1) }
        try server.start()
        #expect(try Store(server: server).openDatabases()[0].readHeader().state == .dirtyShutdown)
        #expect(try ActivityWriter(store: try Store(server: server)).run(transactions: 1).transactions == 1)
    }

    @Test("expiry tokens round-trip; a changed byte or size is an unknown format; age is judged by the lifetime")
    func tokens() throws {
        let t = ExpiryToken(backupTime: 1_000_000, tombstoneLifetimeDays: 180, role: .ntds, serverID: [UInt8](repeating: 7, count: 16), serverName: "DC01")
        var bytes = t.encode()
        #expect(bytes.count == 128)
        #expect(try ExpiryToken.decode(bytes).get() == t)
        #expect(!t.isExpired(at: 1_000_000 + 180 * 86_400))
        #expect(t.isExpired(at: 1_000_000 + 180 * 86_400 + 1))
        bytes[10] ^= 1
        #expect(throws: ExpiryToken.DecodeError.unknownFormat) { try ExpiryToken.decode(bytes).get() }
        #expect(throws: ExpiryToken.DecodeError.unknownFormat) { try ExpiryToken.decode(Array(t.encode().prefix(100))).get() }
    }
}
