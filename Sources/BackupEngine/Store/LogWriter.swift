/// Appends to and rolls the current log (edb.log) of a store. Every method must be called with
/// the store's log lock held; between calls another process may have rolled the log, which
/// `reopenIfRolled` notices.
final class LogWriter {
    let layout: StoreLayout
    private var file: File
    private var identity: FileIdentity
    private(set) var scan: LogScan

    init(_ layout: StoreLayout) throws(BackupError) {
        self.layout = layout
        (file, identity, scan) = try Self.openCurrent(layout)
    }

    private static func openCurrent(_ layout: StoreLayout) throws(BackupError) -> (File, FileIdentity, LogScan) {
        let path = layout.currentLogPath
        try finishInterruptedRoll(layout)
        let file = try File.openForUpdate(path)
        let identity = try file.identity()
        var scan = try LogScan.read(path)
        if let damage = scan.damageOffset {
            // A torn write at the end of the current log: it never committed. Clear it, so the
            // next append starts on clean segments and the rolled log verifies end to end.
            let end = LogFormat.headerSize + scan.segmentCapacity * LogFormat.segmentSize
            try file.write([UInt8](zeros: end - damage), at: Int64(damage))
            try file.sync()
            scan.damageOffset = nil
        }
        return (file, identity, scan)
    }

    /// A writer killed between the two renames of `roll` leaves edbXXXXX.log (the ended
    /// generation) and edbtmp.log (the next one, complete and synced) but no edb.log: finish the
    /// roll, as ESE's recovery does. Anything else without edb.log stays an error.
    private static func finishInterruptedRoll(_ layout: StoreLayout) throws(BackupError) {
        guard !FileSystem.exists(layout.currentLogPath), FileSystem.exists(layout.temporaryLogPath),
              let next = try? LogScan.read(layout.temporaryLogPath), next.header.generation > 1, next.damageOffset == nil,
              let previous = try? LogScan.read(layout.archivedLogPath(next.header.generation - 1)), previous.ended else { return }
        try FileSystem.rename(layout.temporaryLogPath, layout.currentLogPath)
        FileSystem.syncDirectory(layout.logDirectory)
    }

    var generation: UInt32 { scan.header.generation }
    var freeSegments: Int { scan.segmentCapacity - scan.nextSegment }

    func sync() throws(BackupError) { try file.sync() }

    /// If edb.log is no longer the file we have open (someone rolled it), opens the new one.
    func reopenIfRolled() throws(BackupError) {
        if FileSystem.identity(layout.currentLogPath) != identity {
            (file, identity, scan) = try Self.openCurrent(layout)
        }
    }

    /// Appends a record; returns its position. The caller checks there is room for it and
    /// one more segment (the end-of-generation record a roll appends).
    @discardableResult
    func append(_ record: LogRecord, time: Int64) throws(BackupError) -> LogPosition {
        let bytes = record.encode()
        let count = LogRecord.segmentCount(forEncodedSize: bytes.count)
        precondition(count <= freeSegments, "log record does not fit")
        let segments = LogSegments.encode(bytes, generation: generation, firstIndex: scan.nextSegment, time: LogTime(unixTime: time))
        let position = scan.endPosition
        try file.write(segments, at: Int64(LogSegments.offset(scan.nextSegment)))
        scan.records = [PositionedRecord(record: record, position: position)]  // only the last is needed from here on
        scan.nextSegment += count
        return position
    }

    /// Closes the current generation with an end-of-generation record and starts the next:
    /// the next log is prepared as edbtmp.log, then edb.log becomes edbXXXXX.log and edbtmp.log
    /// becomes edb.log (two renames, as ESE does).
    func roll(time: Int64) throws(BackupError) {
        let end = LogRecord(kind: .endOfGeneration, dbtime: scan.dbtime, transaction: scan.transaction, digest: scan.digest.bytes)
        try append(end, time: time)
        try file.sync()
        let checkpoint = (try? CheckpointFile.read(layout))?.position ?? scan.endPosition
        let next = LogHeader(
            generation: generation + 1, fileSize: layout.settings.logFileSize, pageSize: layout.pageSize,
            created: LogTime(unixTime: time), previousCreated: scan.header.created,
            signLog: scan.header.signLog, signDb: scan.header.signDb,
            circularLogging: layout.settings.circularLogging, checkpoint: checkpoint,
            startDigest: scan.digest.bytes, startDbtime: scan.dbtime, startTransaction: scan.transaction)
        try Self.createLog(layout.temporaryLogPath, next)
        try FileSystem.rename(layout.currentLogPath, layout.archivedLogPath(generation))
        try FileSystem.rename(layout.temporaryLogPath, layout.currentLogPath)
        FileSystem.syncDirectory(layout.logDirectory)
        (file, identity, scan) = try Self.openCurrent(layout)
    }

    /// Writes a new, empty log file of the store's fixed size.
    static func createLog(_ path: String, _ header: LogHeader) throws(BackupError) {
        let file = try File.create(path)
        try file.write(header.encode(), at: 0)
        try file.truncate(to: Int64(header.fileSize))
        try file.sync()
    }
}
