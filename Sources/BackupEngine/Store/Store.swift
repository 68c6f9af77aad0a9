/// One server's store and the operations that keep it consistent: creation, soft recovery
/// (replaying the log from the checkpoint into the databases), start and stop.
public final class Store: Sendable {
    public let layout: StoreLayout

    public init(_ layout: StoreLayout) { self.layout = layout }

    public convenience init(server: Server) throws(BackupError) {
        self.init(StoreLayout(server: server, settings: try server.settings()))
    }

    public var server: Server { layout.server }

    public func openDatabases(forUpdate: Bool = false) throws(BackupError) -> [DatabaseFile] {
        var out = [DatabaseFile]()
        for i in 0..<layout.databaseCount { out.append(try DatabaseFile.open(layout.databasePath(i), forUpdate: forUpdate)) }
        return out
    }

    public func readCheckpoint() throws(BackupError) -> Checkpoint { try CheckpointFile.read(layout) }

    /// The digest of the databases' committed content as the log last recorded it.
    public func committedDigest() throws(BackupError) -> DatabaseDigest { try LogScan.read(layout.currentLogPath).digest }

    /// The digest recorded at the end of an archived generation (nil if it is not on disk).
    public func digest(atEndOf generation: UInt32) throws(BackupError) -> DatabaseDigest? {
        let path = layout.archivedLogPath(generation)
        guard FileSystem.exists(path) else { return nil }
        let scan = try LogScan.read(path)
        guard scan.ended else { return nil }
        return scan.digest
    }

    // MARK: creation

    /// Writes a new store: databases of `pages` pages each, generation 1 of the log, and a
    /// checkpoint at its start. Returns the content digest.
    @discardableResult
    static func create(_ layout: StoreLayout, pages: UInt32, now: Int64) throws(BackupError) -> DatabaseDigest {
        for dir in [layout.logDirectory, layout.systemDirectory] + (0..<layout.databaseCount).map({ FileSystem.parentPath(layout.databasePath($0)) }) {
            try FileSystem.makeDirectories(dir)
        }
        let random = layout.signatureRandom
        let signDb = Signature(random: random.db, created: LogTime(unixTime: now), computerName: layout.server.name)
        let signLog = Signature(random: random.log, created: LogTime(unixTime: now), computerName: layout.server.name)
        let start = LogPosition(ib: 0, isec: LogSegments.sector(ofOffset: LogSegments.offset(0)), generation: 1)
        let seed = layout.contentSeed
        var digest = DatabaseDigest()
        for index in 0..<layout.databaseCount {
            var header = DatabaseHeader(pageSize: layout.pageSize, signDb: signDb, signLog: signLog)
            header.dbtimeDirtied = 1
            header.state = .dirtyShutdown
            header.lgposAttach = start
            header.logtimeAttach = LogTime(unixTime: now)
            header.genMinRequired = 1
            header.genMaxRequired = 1
            header.genMaxCommitted = 1
            let dbid = UInt32(index + 1)
            _ = try DatabaseFile.create(layout.databasePath(index), header: header, pages: pages) { pgno, page in
                SimulatedPage.make(page, pgno: pgno, dbtime: 1, seed: seed &+ UInt64(dbid))
                digest.toggle(DatabaseDigest.pageHash(dbid: dbid, pgno, UnsafeRawBufferPointer(page)))
            }
        }
        let header = LogHeader(
            generation: 1, fileSize: layout.settings.logFileSize, pageSize: layout.pageSize,
            created: LogTime(unixTime: now), previousCreated: LogTime(), signLog: signLog, signDb: signDb,
            circularLogging: layout.settings.circularLogging, checkpoint: start,
            startDigest: digest.bytes, startDbtime: 1, startTransaction: 0)
        try LogWriter.createLog(layout.currentLogPath, header)
        try CheckpointFile.write(layout, Checkpoint(position: start, signLog: signLog))
        return digest
    }

    // MARK: recovery

    public struct RecoveryReport: Sendable {
        public var from: LogPosition
        public var to: LogPosition
        public var transactionsReplayed: Int
    }

    /// Soft recovery, as ESE runs it when an instance starts: replays every transaction from
    /// the checkpoint to the end of the log into the databases (page images, so replaying
    /// twice is harmless), then moves the checkpoint to the end. Brings a store back after a
    /// writer was killed mid-write. Takes the log lock.
    @discardableResult
    public func recover(now: Int64 = unixTime()) throws(BackupError) -> RecoveryReport {
        try FileLock.with(layout.server.logLockPath) { () throws(BackupError) -> RecoveryReport in
            let log = try LogWriter(layout)
            let checkpoint = try readCheckpoint()
            let databases = try openDatabases(forUpdate: true)
            let replayed = try Self.replay(layout, into: databases, from: checkpoint.position, current: log.scan)
            for db in databases { try db.sync() }
            try moveCheckpoint(to: log.scan.endPosition, currentGeneration: log.generation, dbtime: log.scan.dbtime,
                               databases: databases, now: now)
            return RecoveryReport(from: checkpoint.position, to: log.scan.endPosition, transactionsReplayed: replayed)
        }
    }

    /// Applies the transactions from `from` on: the archived generations, then `current`.
    static func replay(_ layout: StoreLayout, into databases: [DatabaseFile], from: LogPosition,
                       current: LogScan) throws(BackupError) -> Int {
        var replayed = 0
        func apply(_ scan: LogScan) throws(BackupError) {
            for r in scan.records where r.record.kind == .transaction && r.position >= from {
                for image in r.record.pages {
                    let index = Int(image.dbid) - 1
                    guard databases.indices.contains(index), image.bytes.count == databases[index].pageSize else {
                        throw .logCorrupted("a page image for an unknown database (\(image.dbid))")
                    }
                    try databases[index].writePage(image.pgno, image.bytes)
                }
                replayed += 1
            }
        }
        let first = UInt32(bitPattern: from.generation)
        if first < current.header.generation {
            for gen in first..<current.header.generation {
                let path = layout.archivedLogPath(gen)
                guard FileSystem.exists(path) else { throw .missingLogFile(path) }
                let scan = try LogScan.read(path)
                if scan.damageOffset != nil { throw .logCorrupted("\(path) is damaged at offset \(scan.damageOffset!)") }
                try apply(scan)
            }
        }
        try apply(current)
        return replayed
    }

    /// Records that every change before `position` is in the databases: writes the
    /// checkpoint and the header fields that follow from it. Call with the log lock held,
    /// after the database files were synced.
    func moveCheckpoint(to position: LogPosition, currentGeneration: UInt32, dbtime: UInt64,
                        databases: [DatabaseFile], now: Int64) throws(BackupError) {
        var checkpoint: Checkpoint
        if let existing = try? readCheckpoint() {
            checkpoint = existing
        } else {
            checkpoint = Checkpoint(position: position, signLog: try databases[0].readHeader().signLog)
        }
        checkpoint.position = position
        try CheckpointFile.write(layout, checkpoint)
        for db in databases {
            var header = try db.readHeader()
            header.dbtimeDirtied = max(header.dbtimeDirtied, dbtime)
            header.genMinRequired = UInt32(bitPattern: position.generation)
            header.genMaxRequired = currentGeneration
            header.genMaxCommitted = currentGeneration
            try db.writeHeader(header)
        }
        if layout.settings.circularLogging && !layout.server.isBackupInProgress {
            for gen in try layout.archivedGenerations() where gen < UInt32(bitPattern: position.generation) {
                try FileSystem.remove(layout.archivedLogPath(gen))
            }
        }
    }

    // MARK: start and stop

    /// Marks the databases attached (dirty) or cleanly detached, as an instance start or a
    /// clean stop leaves them. Takes the log lock.
    func setDatabaseState(running: Bool, now: Int64) throws(BackupError) {
        try FileLock.with(layout.server.logLockPath) { () throws(BackupError) in
            let end = try LogScan.read(layout.currentLogPath).endPosition
            for db in try openDatabases(forUpdate: true) {
                var header = try db.readHeader()
                if running {
                    header.state = .dirtyShutdown
                    header.lgposAttach = end
                    header.logtimeAttach = LogTime(unixTime: now)
                } else {
                    header.state = .cleanShutdown
                    header.lgposConsistent = end
                    header.logtimeConsistent = LogTime(unixTime: now)
                    header.genMinRequired = 0
                    header.genMaxRequired = 0
                }
                try db.writeHeader(header)
                try db.sync()
            }
        }
    }
}
