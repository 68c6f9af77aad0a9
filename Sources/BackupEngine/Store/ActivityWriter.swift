/// Simulated server activity (`winbackupctl server write`, WbWriteServer): transactions that
/// change database pages, following ESE's write-ahead rules so that a fuzzy online backup taken
/// meanwhile restores exactly:
///   - a transaction's page images are appended to the log before any page reaches the database;
///   - changed pages stay in a small cache and are written (whole) later, oldest first;
///   - the checkpoint moves past a log position only once every page changed before it is on
///     disk (log synced, pages written, database synced, then the checkpoint);
///   - the log rolls when it is full; each generation ends with the digest of the content;
///   - a certification authority then publishes a new CRL.
/// One writer per server at a time (writer lock); appends and rolls take the log lock briefly,
/// so a backup can roll the log between two transactions.
public final class ActivityWriter {
    public struct Report: Sendable {
        public var transactions = 0
        public var pagesWritten = 0
        public var logRolls = 0
        public var firstGeneration: UInt32 = 0
        public var lastGeneration: UInt32 = 0
        public var checkpoint = LogPosition()
        public var digest = DatabaseDigest()
        public var stoppedEarly = false
    }

    public let store: Store
    public var pagesPerTransaction = 2
    /// Changed pages kept in memory before the oldest are written out.
    public var cacheLimit = 48
    /// Asked before each transaction; true ends the run early (a writer in the background).
    public var shouldStop: (@Sendable () -> Bool)?

    private struct DirtyPage {
        var bytes: [UInt8]
        var firstChanged: LogPosition
    }

    public init(store: Store) { self.store = store }

    private var layout: StoreLayout { store.layout }
    private var server: Server { layout.server }

    /// Runs `transactions` transactions, or fewer if the server goes offline meanwhile, or until
    /// the log has rolled `untilRolls` times when that is given.
    public func run(transactions: Int, untilRolls: Int? = nil, seed: UInt64? = nil) throws(BackupError) -> Report {
        let writerLock = try FileLock.acquire(server.writerLockPath)
        defer { withExtendedLifetime(writerLock) {} }
        guard try server.settings().state == .online else { throw .serverOffline(server.name) }
        try store.recover()
        let databases = try store.openDatabases(forUpdate: true)
        let pageCounts = try databases.map { (db) throws(BackupError) -> UInt32 in try db.pgnoLast() }
        guard pageCounts.allSatisfy({ $0 > 0 }) else { throw .databaseCorrupted("a database without pages") }

        let log = try FileLock.with(server.logLockPath) { () throws(BackupError) -> LogWriter in try LogWriter(layout) }
        var report = Report()
        report.firstGeneration = log.generation
        var digest = log.scan.digest
        var dbtime = log.scan.dbtime
        var transaction = log.scan.transaction
        var dirty = [Int: [UInt32: DirtyPage]]()
        var random = ContentGenerator(seed: seed ?? UInt64(bitPattern: unixTime()) ^ UInt64(monotonicNanoseconds()))
        let contentSeed = layout.contentSeed

        func flush(keeping: Int) throws(BackupError) {
            let all = dirty.flatMap { db, pages in pages.map { (db, $0.key, $0.value) } }
                .sorted { $0.2.firstChanged < $1.2.firstChanged }
            let toWrite = all.prefix(max(0, all.count - keeping))
            guard !toWrite.isEmpty || keeping == 0 else { return }
            try FileLock.with(server.logLockPath) { () throws(BackupError) in
                try log.reopenIfRolled()
                try log.sync()
                for (db, pgno, page) in toWrite {
                    try databases[db].writePage(pgno, page.bytes)
                    dirty[db]![pgno] = nil
                    report.pagesWritten += 1
                }
                for db in databases { try db.sync() }
                let oldest = dirty.values.flatMap { $0.values.map(\.firstChanged) }.min()
                try store.moveCheckpoint(to: oldest ?? log.scan.endPosition, currentGeneration: log.generation,
                                         dbtime: dbtime, databases: databases, now: unixTime())
            }
        }

        var stopCheck = 0
        while report.transactions < transactions || (untilRolls.map { report.logRolls < $0 } ?? false) {
            stopCheck += 1
            if stopCheck % 32 == 0, (try? server.settings().state) != .online { report.stoppedEarly = true; break }
            if let shouldStop, shouldStop() { report.stoppedEarly = true; break }
            dbtime += 1
            transaction += 1
            var images = [LogRecord.PageImage]()
            var chosen = Set<UInt64>()
            let db = Int(random.next() % UInt64(databases.count))
            for _ in 0..<pagesPerTransaction {
                let pgno = UInt32(1 + random.next() % UInt64(pageCounts[db]))
                guard chosen.insert(UInt64(pgno)).inserted else { continue }
                let old: [UInt8]
                if let cached = dirty[db]?[pgno] { old = cached.bytes } else { old = try databases[db].readPage(pgno) }
                let new = SimulatedPage.make(pageSize: databases[db].pageSize, pgno: pgno, dbtime: dbtime, seed: contentSeed &+ UInt64(db + 1))
                let dbid = UInt32(db + 1)
                old.withUnsafeBytes { digest.toggle(DatabaseDigest.pageHash(dbid: dbid, pgno, $0)) }
                new.withUnsafeBytes { digest.toggle(DatabaseDigest.pageHash(dbid: dbid, pgno, $0)) }
                images.append(LogRecord.PageImage(dbid: dbid, pgno: pgno, bytes: new))
            }
            let record = LogRecord(kind: .transaction, dbtime: dbtime, transaction: transaction, digest: digest.bytes, pages: images)
            let needed = LogRecord.segmentCount(forEncodedSize: record.encode().count) + 1
            let position = try FileLock.with(server.logLockPath) { () throws(BackupError) -> LogPosition in
                try log.reopenIfRolled()
                if log.freeSegments < needed {
                    guard needed <= log.scan.segmentCapacity else {
                        throw .invalidParameter("log files of \(layout.settings.logFileSize) bytes cannot hold a transaction")
                    }
                    try log.roll(time: unixTime())
                    report.logRolls += 1
                }
                return try log.append(record, time: unixTime())
            }
            for image in images {
                let first = dirty[db]?[image.pgno]?.firstChanged ?? position
                dirty[db, default: [:]][image.pgno] = DirtyPage(bytes: image.bytes, firstChanged: first)
            }
            report.transactions += 1
            if dirty.values.reduce(0, { $0 + $1.count }) > cacheLimit { try flush(keeping: cacheLimit / 2) }
        }
        try flush(keeping: 0)
        report.lastGeneration = log.generation
        report.checkpoint = try store.readCheckpoint().position
        report.digest = digest
        try server.publishCertificateAuthorityFiles(layout.settings)  // a CA also publishes a new CRL
        return report
    }
}
