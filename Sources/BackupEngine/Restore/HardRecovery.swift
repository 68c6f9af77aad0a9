/// Hard recovery, as ESE runs it at the first start after a restore: from the restored database
/// copies (backup streams: two header pages, the pages, a trailer page) and the backed-up logs
/// genLow...genHigh (of one backup, or of a full backup and its incrementals), rebuild
/// consistent databases at the end of genHigh.
///
/// Every check comes first: each database is a backup copy whose header and trailer agree;
/// the registered range covers what each copy needs; each log exists, verifies, follows the one
/// before and belongs to the databases' log stream; every page verifies. Then the databases
/// are rebuilt in temporary files and the logs replayed into them; the content digest computed
/// from the rebuilt files must equal the one the source server's writer recorded at the end of
/// genHigh (an independent check: a scan against the writer's running digest). Only then is
/// anything replaced, by renames: the server's old logs and checkpoint go, a new log stream
/// continues at genHigh + 1, the rebuilt databases take their places. A failure before that
/// leaves the server exactly as it was.
public enum HardRecovery {
    public struct Report: Sendable {
        public var genLow: UInt32
        public var genHigh: UInt32
        public var transactionsReplayed = 0
        public var pagesVerified = 0
        /// Scanned from the rebuilt databases.
        public var digest = DatabaseDigest()
        /// Recorded by the source server at the end of genHigh.
        public var loggedDigest = DatabaseDigest()
        public var alreadyApplied = false
    }

    struct RestoredCopy {
        var index: Int
        var path: String
        var file: DatabaseFile
        var header: DatabaseHeader
        var trailer: BackupTrailer
        var lastPage: UInt32
    }

    /// `progress(done, total)` is called once per generation replayed, after it (JetExternalRestore's status callback).
    public static func run(_ layout: StoreLayout, _ registration: RestoreRegistration, now: Int64 = unixTime(),
                           progress: ((Int, Int) -> Void)? = nil) throws(BackupError) -> Report {
        let server = layout.server
        var faults = RestoreFaults(server)
        var report = Report(genLow: registration.genLow, genHigh: registration.genHigh)
        if try alreadyApplied(layout, registration) {
            report.alreadyApplied = true
            return report
        }

        // 1. The restored copies.
        var copies = [RestoredCopy]()
        for entry in registration.databases {
            guard let index = layout.settings.databases.firstIndex(where: { $0.same(as: entry.restored) }) else {
                throw .invalidParameter("\(entry.restored) is not a database of \(server.name)")
            }
            let path = layout.databasePath(index)
            guard FileSystem.exists(path) else { throw .fileNotFound(path) }
            let file = try DatabaseFile.open(path)
            let header = try file.readHeader()
            let ps = Int64(file.pageSize)
            let pages = try FileSystem.fileSize(path) / ps
            guard header.bkinfoFullCur.genLow > 0, pages >= 3 else { throw .restoreOfNonBackupDatabase(path) }
            let trailerBytes = try file.file.read(count: Int(ps), at: (pages - 1) * ps)
            guard let trailer = trailerBytes.withUnsafeBytes({ BackupTrailer($0) }) else {
                throw .databaseCorrupted("\(path): no valid trailer page; the copy is incomplete")
            }
            guard trailer.signDb == header.signDb, trailer.backupInfo.genLow == header.bkinfoFullCur.genLow else {
                throw .badDbSignature(path)
            }
            copies.append(RestoredCopy(index: index, path: path, file: file, header: header, trailer: trailer,
                                       lastPage: UInt32(pages - 3)))
        }
        guard let first = copies.first else { throw .invalidParameter("the restore maps no database") }

        // 2. The range each copy needs: from its backup's first log to the generation it was read in.
        for copy in copies {
            if registration.genLow > copy.header.bkinfoFullCur.genLow {
                throw .startingRestoreLogTooHigh(genLow: registration.genLow, needed: copy.header.bkinfoFullCur.genLow)
            }
            if registration.genHigh < copy.trailer.backupInfo.genHigh {
                throw .endingRestoreLogTooLow(genHigh: registration.genHigh, needed: copy.trailer.backupInfo.genHigh)
            }
        }

        // 3. The logs: present, intact, one after the other, of the databases' stream.
        var scans = [LogScan](), paths = [String]()
        for generation in registration.genLow...registration.genHigh {
            let path = try logPath(generation, layout, registration, faults)
            let scan: LogScan
            do throws(BackupError) {
                scan = try LogScan.read(path)
            } catch .logCorrupted {
                throw .logFileCorrupt(path)
            }
            guard scan.damageOffset == nil, scan.ended else { throw .logFileCorrupt(path) }
            guard scan.header.generation == generation else { throw .givenLogFileIsNotContiguous(path) }
            scans.append(scan)
            paths.append(path)
        }
        // Signatures. A log of another stream than the database's is the foreign one; but when
        // no log shares the database's stream and the logs agree among themselves, the database
        // copy is (another server's backup restored with this one's logs).
        func ofDatabase(_ h: LogHeader) -> Bool { h.signLog == first.header.signLog && h.signDb == first.header.signDb }
        let head = scans[0].header
        if !scans.contains(where: { ofDatabase($0.header) }),
           scans.allSatisfy({ $0.header.signLog == head.signLog && $0.header.signDb == head.signDb }) {
            throw .badDbSignature(first.path)
        }
        for (scan, path) in zip(scans, paths) where !ofDatabase(scan.header) {
            throw scan.header.signLog == first.header.signLog ? .badDbSignature(first.path) : .badLogSignature(path)
        }
        for copy in copies where copy.header.signLog != first.header.signLog { throw .badDbSignature(copy.path) }
        for i in scans.indices.dropFirst() {
            guard scans[i].header.previousCreated == scans[i - 1].header.created,
                  scans[i].header.startDigest == scans[i - 1].digest.bytes else {
                throw .givenLogFileIsNotContiguous(paths[i])
            }
        }

        // 4. Every page of every copy.
        for copy in copies { report.pagesVerified += try verifyPages(copy) }

        // 5. Rebuild in temporary files, replay, check the content against the log's record.
        var temporaries = [String]()
        var committed = false
        defer { if !committed { for t in temporaries { try? FileSystem.remove(t) } } }
        var rebuilt = [Int: DatabaseFile]()
        for copy in copies {
            let temporary = copy.path + ".recovering"
            temporaries.append(temporary)
            rebuilt[copy.index] = try rebuild(copy, into: temporary, &faults)
        }
        var dbtime: UInt64 = 0, transaction: UInt64 = 0
        for (index, scan) in scans.enumerated() {
            for r in scan.records where r.record.kind == .transaction {
                for image in r.record.pages {
                    guard let db = rebuilt[Int(image.dbid) - 1], image.bytes.count == db.pageSize else {
                        throw .logCorrupted("a page image for a database this restore does not hold (\(image.dbid))")
                    }
                    try faults.write(image.bytes.count, to: db.path)
                    try db.writePage(image.pgno, image.bytes)
                }
                report.transactionsReplayed += 1
            }
            dbtime = scan.dbtime
            transaction = scan.transaction
            progress?(index + 1, scans.count)
        }
        let ordered = rebuilt.keys.sorted().map { rebuilt[$0]! }
        report.digest = try DatabaseDigest.compute(ordered)
        report.loggedDigest = scans.last!.digest
        guard rebuilt.count < layout.databaseCount || report.digest == report.loggedDigest else {
            throw .databaseCorrupted("the recovered content (\(report.digest)) is not what the log recorded at the end of generation \(registration.genHigh) (\(report.loggedDigest))")
        }

        // 6. The clean state after recovery: headers, a new log generation, the checkpoint.
        let next = LogPosition(ib: 0, isec: LogSegments.sector(ofOffset: LogSegments.offset(0)),
                               generation: Int32(bitPattern: registration.genHigh + 1))
        for (index, db) in rebuilt {
            var header = copies.first(where: { $0.index == index })!.header
            header.bkinfoFullCur = BackupInfo()
            header.state = .cleanShutdown
            header.dbtimeDirtied = max(header.dbtimeDirtied, dbtime)
            header.lgposConsistent = next
            header.logtimeConsistent = LogTime(unixTime: now)
            header.genMinRequired = 0
            header.genMaxRequired = 0
            header.genMaxCommitted = registration.genHigh
            try faults.write(db.pageSize * 2, to: db.path)
            try db.writeHeader(header)
            try db.sync()
        }
        let logTemporary = layout.logDirectory + "/" + layout.currentLogName + ".recovering"
        temporaries.append(logTemporary)
        let last = scans.last!.header
        try faults.write(layout.settings.logFileSize, to: logTemporary)
        try LogWriter.createLog(logTemporary, LogHeader(
            generation: registration.genHigh + 1, fileSize: layout.settings.logFileSize, pageSize: first.file.pageSize,
            created: LogTime(unixTime: now), previousCreated: last.created, signLog: first.header.signLog,
            signDb: first.header.signDb, circularLogging: layout.settings.circularLogging, checkpoint: next,
            startDigest: report.digest.bytes, startDbtime: dbtime, startTransaction: transaction))
        let checkpointTemporary = layout.checkpointPath + ".recovering"
        temporaries.append(checkpointTemporary)
        let checkpoint = Checkpoint(position: next, signLog: first.header.signLog)
        try faults.write(checkpoint.encode().count, to: checkpointTemporary)
        try FileSystem.writeAtomically(checkpointTemporary, checkpoint.encode())

        // 7. Commit: the old log stream goes, the new one and the rebuilt databases take its place.
        try removeLogStream(layout)
        try FileSystem.rename(logTemporary, layout.currentLogPath)
        try FileSystem.rename(checkpointTemporary, layout.checkpointPath)
        for copy in copies { try FileSystem.rename(copy.path + ".recovering", copy.path) }
        FileSystem.syncDirectory(layout.logDirectory)
        FileSystem.syncDirectory(layout.systemDirectory)
        for copy in copies { FileSystem.syncDirectory(FileSystem.parentPath(copy.path)) }
        committed = true
        return report
    }

    /// Where a generation is: in the folder of the last registered range that holds it (the
    /// ranges of a full and its incrementals may overlap; the copies are the same log). A
    /// missing-log fault hides it.
    static func logPath(_ generation: UInt32, _ layout: StoreLayout, _ registration: RestoreRegistration,
                        _ faults: RestoreFaults) throws(BackupError) -> String {
        let name = layout.archivedLogName(generation), server = layout.server
        let holders = registration.logRanges.filter { $0.contains(generation) }
        func folder(_ range: RestoreRegistration.LogRange) -> String { range.localFolder ?? server.localPath(range.backupLogPath) }
        let hidden = faults.isMissing(generation: generation)
        for range in holders.reversed() where !hidden {
            if let path = findLog(folder(range), name) { return path }
        }
        // Not there, or in no range at all (a gap between a full backup and an incremental).
        let range = holders.last ?? registration.logRanges.last { $0.genHigh < generation } ?? registration.logRanges[0]
        if let local = range.localFolder { throw .missingLogFile(local + "/" + name) }
        throw .missingLogFile(server.unc(range.backupLogPath.appending(name)))
    }

    /// A log of a backup-log folder, its name matched case-insensitively as on Windows.
    static func findLog(_ directory: String, _ name: String) -> String? {
        if FileSystem.isRegularFile(directory + "/" + name) { return directory + "/" + name }
        let match = ((try? FileSystem.list(directory)) ?? []).first { $0.lowercased() == name.lowercased() }
        return match.map { directory + "/" + $0 }.flatMap { FileSystem.isRegularFile($0) ? $0 : nil }
    }

    static func verifyPages(_ copy: RestoredCopy) throws(BackupError) -> Int {
        let ps = copy.file.pageSize
        var verified = 0
        var pgno: UInt32 = 1
        var buffer = [UInt8](zeros: 64 * ps)
        while pgno <= copy.lastPage {
            let count = min(64, Int(copy.lastPage - pgno + 1))
            try buffer.withMutableBytes { (all) throws(BackupError) in
                _ = try copy.file.readPages(pgno, into: UnsafeMutableRawBufferPointer(rebasing: all[0..<(count * ps)]))
                for i in 0..<count {
                    let page = UnsafeRawBufferPointer(rebasing: all[(i * ps)..<((i + 1) * ps)])
                    switch PageFormat.verify(page, pgno: pgno + UInt32(i)) {
                    case .valid: verified += 1
                    case .uninitialized: break
                    case .badChecksum: throw .readVerifyFailure(file: copy.path, pgno: pgno + UInt32(i))
                    case .wrongPage(let found): throw .readPgnoVerifyFailure(file: copy.path, pgno: pgno + UInt32(i), found: found)
                    }
                }
            }
            pgno += UInt32(count)
        }
        return verified
    }

    /// A database file from a backup stream: its header and pages, without the trailer.
    static func rebuild(_ copy: RestoredCopy, into path: String, _ faults: inout RestoreFaults) throws(BackupError) -> DatabaseFile {
        let ps = copy.file.pageSize
        let out = try File.create(path)
        let total = Int64(copy.lastPage) + 2  // header pages + data pages
        var offset: Int64 = 0
        let chunk = Int64(256 * ps)
        while offset < total * Int64(ps) {
            let n = Int(min(chunk, total * Int64(ps) - offset))
            let bytes = try copy.file.file.read(count: n, at: offset)
            guard bytes.count == n else { throw .databaseCorrupted("\(copy.path) is shorter than its pages") }
            try faults.write(n, to: path)
            try out.write(bytes, at: offset)
            offset += Int64(n)
        }
        try out.sync()
        return try DatabaseFile.open(path, forUpdate: true)
    }

    /// Removes the server's current log stream: archived generations, edb.log, edbtmp.log, edb.chk.
    static func removeLogStream(_ layout: StoreLayout) throws(BackupError) {
        for g in try layout.archivedGenerations() { try FileSystem.remove(layout.archivedLogPath(g)) }
        try FileSystem.remove(layout.currentLogPath)
        try FileSystem.remove(layout.temporaryLogPath)
        try FileSystem.remove(layout.checkpointPath)
    }

    /// Whether a crash came after the rebuilt databases took their places: then recovery is done.
    static func alreadyApplied(_ layout: StoreLayout, _ registration: RestoreRegistration) throws(BackupError) -> Bool {
        for entry in registration.databases {
            guard let index = layout.settings.databases.firstIndex(where: { $0.same(as: entry.restored) }),
                  let db = try? DatabaseFile.open(layout.databasePath(index)), let header = try? db.readHeader(),
                  header.bkinfoFullCur.genLow == 0, header.state == .cleanShutdown,
                  UInt32(bitPattern: header.lgposConsistent.generation) == registration.genHigh + 1 else { return false }
        }
        guard let current = try? LogScan.read(layout.currentLogPath) else { return false }
        return current.header.generation == registration.genHigh + 1
    }
}
