/// One external backup of one server: ESE's state machine (ESE-BEHAVIOUR.md §A.2-A.4).
///
///   begin --(full)--> databases --logNames--> logsAndPatches --end--> ended
///   begin --(incremental)---------------------> logsAndPatches --end--> ended
///   stop (another process, JetStopBackupInstance): every call -801 until end
///   abort (a failed log read, a database opened in the log phase, ...): every call -520
///
/// "A backup is running" is the backup lock in the server's state folder, held from begin to
/// end (or abort) by this process; one file may be open at a time. Calls are serialised per
/// session by its lock; sessions of different servers run in parallel.
public final class BackupSession: Sendable {
    public enum Phase: Sendable, Equatable { case databases, logsAndPatches, ended }

    public let server: Server
    public let layout: StoreLayout
    public let isFull: Bool
    public let expiryToken: ExpiryToken

    private let control: ServerControl
    private let stopEpoch: UInt64
    private let mark: LogPosition
    private let markTime: LogTime
    private let state: Lock<State>

    struct State {
        var phase: Phase
        var inProgress = true
        var abortedBy: BackupError?
        var lock: FileLock?
        var copyMic: UInt32
        var copyMac: UInt32 = 0
        var deleteMic: UInt32 = 0
        var deleteMac: UInt32 = 0
        var logInfoPrepared = false
        var generationSumCopied: UInt64 = 0
        var logsTruncated = false
        var databasesDone = Set<Int>()
        var open: OpenFile?
        var faults: BackupFaults
    }

    struct OpenFile {
        enum Kind { case database(Int), log(UInt32), other }
        var kind: Kind
        var stream: BackupStream
    }

    /// grbit bits ESE accepts at begin (JET_bitBackupIncremental, ...Surrogate, JET_bitInternalCopy).
    static let incrementalBit: UInt32 = 0x1
    static let surrogateBit: UInt32 = 0x20
    static let internalCopyBit: UInt32 = 0x40
    static let acceptedBits: UInt32 = 0x1 | 0x20 | 0x40

    private init(server: Server, layout: StoreLayout, full: Bool, token: ExpiryToken, control: ServerControl,
                 stopEpoch: UInt64, mark: LogPosition, markTime: LogTime, state: sending State) {
        self.server = server; self.layout = layout; self.isFull = full; self.expiryToken = token
        self.control = control; self.stopEpoch = stopEpoch; self.mark = mark; self.markTime = markTime
        self.state = Lock(state)
    }

    /// Starts a backup (JetBeginExternalBackupInstance): checks in ESE's order, then takes the
    /// backup lock and remembers the checkpoint generation, the first log to copy.
    public static func begin(server: Server, settings: ServerSettings, grbit: UInt32,
                             now: Int64 = unixTime()) throws(BackupError) -> BackupSession {
        guard settings.state != .offline else { throw .serverOffline(server.name) }
        guard grbit & ~acceptedBits == 0 else { throw .invalidGrbit }
        let incremental = grbit & incrementalBit != 0
        if grbit & (incrementalBit | surrogateBit) != 0 && settings.circularLogging {
            throw .invalidBackup("an incremental or surrogate backup with circular logging")
        }
        if grbit & internalCopyBit != 0 && grbit & (incrementalBit | surrogateBit) != 0 { throw .invalidGrbit }
        let layout = StoreLayout(server: server, settings: settings)
        let control = try server.control()
        guard let lock = try FileLock.tryAcquire(server.backupLockPath) else { throw .backupInProgress }
        // Read under the lock: a stop aimed at the backup that held it just before is not this one's.
        let epoch = control.stopEpoch
        let store = Store(layout)
        if incremental {
            for db in try store.openDatabases() where try db.readHeader().bkinfoFullPrev.genLow == 0 {
                throw .missingFullBackup
            }
        }
        let (checkpoint, tip) = try FileLock.with(server.logLockPath) { () throws(BackupError) -> (Checkpoint, LogPosition) in
            (try store.readCheckpoint(), try LogScan.read(layout.currentLogPath).endPosition)
        }
        let token = ExpiryToken(backupTime: now, tombstoneLifetimeDays: UInt32(settings.tombstoneLifetimeDays),
                                role: settings.role, serverID: settings.id, serverName: server.name)
        var state = State(phase: incremental ? .logsAndPatches : .databases, copyMic: checkpoint.generation,
                          faults: BackupFaults(server: server, faults: settings.faults))
        state.lock = lock
        return BackupSession(server: server, layout: layout, full: !incremental, token: token, control: control,
                             stopEpoch: epoch, mark: tip, markTime: LogTime(unixTime: now), state: state)
    }

    // MARK: checks every call makes

    private var stopped: Bool { control.stopEpoch != stopEpoch }

    private func active(_ s: inout State) throws(BackupError) {
        guard s.inProgress else { throw .noBackup }
        guard !stopped else { throw .backupAbortByServer }
    }

    /// Ends the backup as failed: the open file is dropped and the backup lock released, so a
    /// new backup can start at once; later calls get noBackup.
    private func abort(_ s: inout State, _ error: BackupError) -> BackupError {
        s.open = nil
        s.inProgress = false
        s.abortedBy = error
        s.lock = nil
        return error
    }

    public var phase: Phase { state.withLock { $0.phase } }

    // MARK: the calls

    /// JetGetAttachInfoInstance: the databases to back up.
    public func databaseNames() throws(BackupError) -> [WindowsPath] {
        try state.withLock { (s) throws(BackupError) -> [WindowsPath] in
            try active(&s)
            guard isFull else { throw .invalidBackupSequence("an incremental backup has no database phase") }
            return layout.settings.databases
        }
    }

    /// JetOpenFileInstance: opens one file for reading; returns its size in the stream.
    public func open(_ path: WindowsPath) throws(BackupError) -> Int64 {
        try state.withLock { (s) throws(BackupError) -> Int64 in
            try active(&s)
            guard s.open == nil else { throw .fileAlreadyOpen }
            try s.faults.refresh()
            let unc = server.unc(path)
            if let index = layout.settings.databases.firstIndex(where: { $0.same(as: path) }) {
                guard s.phase == .databases else {
                    throw abort(&s, .invalidBackupSequence("a database opened after the log list was taken"))
                }
                let stream = try openDatabase(index, name: unc, copyMic: s.copyMic)
                stream.faults = s.faults.streamFaults(path, generation: nil)
                s.open = OpenFile(kind: .database(index), stream: stream)
                return stream.size
            }
            guard s.phase == .logsAndPatches else { throw .databaseNotFound(unc) }
            let local = server.localPath(path)
            do throws(BackupError) {
                if path.lastComponent.lowercased().hasSuffix(".log") {
                    guard let generation = layout.generation(ofLogName: path.lastComponent) else {
                        throw BackupError.invalidParameter("\(path.lastComponent) is not an archived log generation")
                    }
                    guard FileSystem.isRegularFile(local), !s.faults.isMissing(generation: generation) else {
                        throw BackupError.missingFileToBackup(unc)
                    }
                    let file = try File.openForReading(local)
                    try server.checkOpened(file, "the log \(path.lastComponent)")
                    s.open = OpenFile(kind: .log(generation), stream: LogFileStream(name: unc, file: file, size: try file.size(), generation: generation))
                } else {
                    guard FileSystem.isRegularFile(local) else { throw BackupError.missingFileToBackup(unc) }
                    let file = try File.openForReading(local)
                    try server.checkOpened(file, "the file \(path.lastComponent)")
                    s.open = OpenFile(kind: .other, stream: PlainFileStream(name: unc, file: file, size: try file.size()))
                }
                s.open!.stream.faults = s.faults.streamFaults(path, generation: layout.generation(ofLogName: path.lastComponent))
                return s.open!.stream.size
            } catch {
                throw abort(&s, error)
            }
        }
    }

    private func openDatabase(_ index: Int, name: String, copyMic: UInt32) throws(BackupError) -> DatabaseStream {
        let db = try DatabaseFile.open(layout.databasePath(index))
        try server.checkOpened(db.file, "the database \(layout.settings.databases[index])")
        let live = try FileLock.with(server.logLockPath) { () throws(BackupError) -> DatabaseHeader in try db.readHeader() }
        var snapshot = live
        snapshot.bkinfoFullCur = BackupInfo(mark: mark, time: markTime, genLow: copyMic, genHigh: 0)
        let layout = self.layout, mark = self.mark, markTime = self.markTime
        return DatabaseStream(name: name, database: db, pgnoLast: try db.databaseLastPage(), headerSnapshot: snapshot.sealed()) { () throws(BackupError) -> [UInt8] in
            let current = (try? FileSystem.readFile(layout.currentLogPath)).flatMap { bytes in
                bytes.withUnsafeBytes { LogHeader($0)?.generation }
            } ?? 0
            let header = try db.readHeader()
            let info = BackupInfo(mark: mark, time: markTime, genLow: copyMic, genHigh: max(current, header.genMaxCommitted))
            return BackupTrailer(backupInfo: info, signDb: header.signDb, signLog: header.signLog).encode(pageSize: db.pageSize)
        }
    }

    /// One read call of the API (JetReadFileInstance, DsBackupRead, CertSrvBackupRead): the next
    /// chunk of the open file, `piece` bytes at a time; 0 bytes once the whole file was delivered.
    /// A database page that fails its checks closes that file and the backup of the others goes
    /// on; a damaged log aborts the backup. Injected faults act here (Faults/): a short-read caps
    /// the bytes, rounded down to whole `granularity` units (at least one).
    public func read(into buffer: UnsafeMutableRawBufferPointer, granularity: Int = 1, piece: Int? = nil) throws(BackupError) -> Int {
        try state.withLock { (s) throws(BackupError) -> Int in
            try active(&s)
            guard let open = s.open else { throw .noFileOpen }
            let call = s.faults.readCall()
            if call.stop {
                control.stopBackups()
                throw .backupAbortByServer
            }
            var count = buffer.count
            if let max = call.maxBytes { count = min(count, Swift.max(granularity, max / granularity * granularity)) }
            defer {
                if !s.faults.faults.isEmpty, !open.stream.fired.isEmpty {  // no fault, no class property access
                    s.faults.consume(open.stream.fired)
                    open.stream.fired = []
                }
            }
            do throws(BackupError) {
                var done = 0
                while done < count {
                    let end = Swift.min(count, done + (piece ?? count))
                    let n = try open.stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<end]))
                    if n == 0 { break }
                    done += n
                }
                return done
            } catch {
                switch open.kind {
                case .database(let index):
                    s.open = nil
                    s.databasesDone.remove(index)
                    throw error
                case .log, .other:
                    throw s.phase == .logsAndPatches ? abort(&s, error) : error
                }
            }
        }
    }

    /// The open file as JetReadFile's buffer rules see it: a database or not, and how far it was read.
    public struct OpenFileInfo: Sendable, Equatable {
        public var isDatabase: Bool
        public var position: Int64
        public var size: Int64
    }

    public var openFileInfo: OpenFileInfo? {
        state.withLock { s in
            s.open.map { o in
                let database = if case .database = o.kind { true } else { false }
                return OpenFileInfo(isDatabase: database, position: o.stream.position, size: o.stream.size)
            }
        }
    }

    /// Ends the backup as failed, as ESE does when a list call of its API fails (JetGetAttachInfo,
    /// JetGetLogInfo): returns `error` for the caller to throw.
    public func abort(with error: BackupError) -> BackupError {
        state.withLock { s in s.inProgress ? abort(&s, error) : error }
    }

    /// The checks every call makes: the backup runs and was not stopped (-520, -801).
    public func checkActive() throws(BackupError) {
        try state.withLock { (s) throws(BackupError) in try active(&s) }
    }

    /// The checks of a read without the read: the backup goes on and a file is open.
    public func checkReadable() throws(BackupError) {
        try state.withLock { (s) throws(BackupError) in
            try active(&s)
            guard s.open != nil else { throw .noFileOpen }
        }
    }

    /// Whether the open file, if any, was read to its end.
    public var openFileComplete: Bool? { state.withLock { $0.open.map { $0.stream.isComplete } } }

    /// JetCloseFileInstance: closes the open file. A file read to its end counts as copied.
    public func close() throws(BackupError) {
        try state.withLock { (s) throws(BackupError) in
            guard s.inProgress else { throw .noBackup }
            guard let open = s.open else { throw .noFileOpen }
            s.open = nil
            guard open.stream.isComplete else { return }
            switch open.kind {
            case .database(let index): s.databasesDone.insert(index)
            case .log(let g) where s.copyMac > 0 && g >= s.copyMic && g < s.copyMac: s.generationSumCopied += UInt64(g)
            default: break
            }
        }
    }

    /// JetGetLogInfoInstance: the logs to copy. The first call rolls the log, so the range runs
    /// from the checkpoint at begin to the generation just closed; it also fixes which logs a
    /// truncation may delete. Later calls return the same list.
    public func logNames() throws(BackupError) -> [WindowsPath] {
        try state.withLock { (s) throws(BackupError) -> [WindowsPath] in
            try enterLogPhase(&s)
            return (s.copyMic..<s.copyMac).map { layout.archivedLogWindowsPath($0) }
        }
    }

    /// JetGetTruncateLogInfoInstance: the logs a truncation would delete (those on disk in the
    /// delete range). Like the log list, the first call rolls the log and ends the database phase.
    public func truncatableLogNames() throws(BackupError) -> [WindowsPath] {
        try state.withLock { (s) throws(BackupError) -> [WindowsPath] in
            try enterLogPhase(&s)
            let onDisk = Set(try layout.archivedGenerations())
            return (s.deleteMic..<max(s.deleteMic, s.deleteMac)).filter { onDisk.contains($0) }.map { layout.archivedLogWindowsPath($0) }
        }
    }

    /// What both log lists do first: the entry checks (-520, -801, a file open -521), which leave
    /// the backup as it is; then, once, the log roll, whose failure aborts the backup.
    private func enterLogPhase(_ s: inout State) throws(BackupError) {
        try active(&s)
        guard s.open == nil else { throw .invalidBackupSequence("a file is still open") }
        if !s.logInfoPrepared {
            do throws(BackupError) { try prepareLogInfo(&s) } catch { throw abort(&s, error) }
        }
        s.phase = .logsAndPatches
    }

    public var logRange: ClosedRange<UInt32>? {
        state.withLock { s in s.logInfoPrepared && s.copyMac > s.copyMic ? s.copyMic...(s.copyMac - 1) : nil }
    }

    private func prepareLogInfo(_ s: inout State) throws(BackupError) {
        let store = Store(layout)
        try FileLock.with(server.logLockPath) { () throws(BackupError) in
            let log = try LogWriter(layout)
            try log.roll(time: unixTime())
            s.copyMac = log.generation
            let checkpoint = try store.readCheckpoint().generation
            let onDisk = try layout.archivedGenerations()
            s.deleteMic = onDisk.first ?? s.copyMac
            s.deleteMac = min(checkpoint, s.copyMac)
            if isFull {
                // Keep the logs a database that is not (fully) in this backup still needs.
                for (index, db) in try store.openDatabases().enumerated() where !s.databasesDone.contains(index) {
                    s.deleteMac = min(s.deleteMac, try db.readHeader().bkinfoFullPrev.genHigh)
                }
            } else {
                // From the oldest log on disk, which must follow the last full or incremental
                // backup without a gap (ErrBKICheckLogsForIncrementalBackup).
                s.copyMic = s.deleteMic
                var previous: UInt32 = 0
                for db in try store.openDatabases() {
                    let h = try db.readHeader()
                    previous = max(previous, h.bkinfoFullPrev.genHigh, h.bkinfoIncPrev.genHigh)
                }
                if s.copyMic > previous + 1 {
                    throw BackupError.missingFileToBackup(server.unc(layout.archivedLogWindowsPath(previous + 1)))
                }
                for g in s.copyMic..<s.copyMac where !onDisk.contains(g) {
                    throw BackupError.missingFileToBackup(server.unc(layout.archivedLogWindowsPath(g)))
                }
            }
            s.deleteMic = min(s.deleteMac, s.deleteMic)
        }
        s.generationSumCopied = 0
        s.logInfoPrepared = true
    }

    /// JetTruncateLogInstance: deletes the logs this backup made redundant, oldest first, once
    /// every log of the range was read to its end.
    public func truncateLogs() throws(BackupError) -> [UInt32] {
        try state.withLock { (s) throws(BackupError) -> [UInt32] in
            try active(&s)
            guard s.open == nil else { throw .invalidBackupSequence("a file is still open") }
            guard s.logInfoPrepared else { throw .invalidBackupSequence("the log list was never taken") }
            s.phase = .logsAndPatches
            let required = (UInt64(s.copyMic)..<UInt64(s.copyMac)).reduce(0, +)
            guard s.generationSumCopied >= required else {
                let missing = s.copyMic  // the sum check cannot say which; name the range start
                throw .logFileNotCopied(generation: missing)
            }
            s.logsTruncated = true
            var deleted = [UInt32]()
            let (low, high) = (s.deleteMic, s.deleteMac)
            try FileLock.with(server.logLockPath) { () throws(BackupError) in
                for g in low..<max(low, high) {
                    let path = layout.archivedLogPath(g)
                    guard FileSystem.exists(path) else { continue }
                    try FileSystem.remove(path)
                    deleted.append(g)
                }
            }
            return deleted
        }
    }

    /// How a backup ended, and what its normal end recorded in the database headers.
    public enum Outcome: Sendable, Equatable {
        /// A full backup whose logs were truncated (or the caller said so): bkinfoFullPrev.
        case full
        /// A full backup without truncation: bkinfoCopyPrev.
        case copy
        /// An incremental backup whose logs were truncated: bkinfoIncPrev.
        case incremental
        /// An incremental backup without truncation: bkinfoDiffPrev.
        case differential
        /// Nothing recorded: aborted, stopped, or a full backup of which no database was read completely.
        case notRecorded
    }

    /// JetEndExternalBackupInstance2: ends the backup and rolls the log, as ESE does. A normal end after the log list was taken
    /// records the backup (see Outcome): a full one in the header of each database that was read
    /// completely, an incremental one in every database's. Anything else ends it as aborted.
    /// Throws noBackup if it had already ended or aborted.
    @discardableResult
    public func end(normal: Bool, truncateDone: Bool = false, updateHeaders: Bool = true, now: Int64 = unixTime()) throws(BackupError) -> Outcome {
        try state.withLock { (s) throws(BackupError) -> Outcome in
            guard s.inProgress else { throw .noBackup }
            defer {
                s.open = nil
                s.inProgress = false
                s.phase = .ended
                // As ESE's End, a new log generation (a stopped server's log is left alone).
                if !stopped { try? FileLock.with(server.logLockPath) { () throws(BackupError) in try LogWriter(layout).roll(time: now) } }
                s.lock = nil
            }
            guard normal, !stopped, s.phase == .logsAndPatches, s.logInfoPrepared else { return .notRecorded }
            guard !isFull || !s.databasesDone.isEmpty else { return .notRecorded }
            let truncated = s.logsTruncated || truncateDone
            let outcome: Outcome = isFull ? (truncated ? .full : .copy) : (truncated ? .incremental : .differential)
            guard updateHeaders else { return .notRecorded }  // JET_bitBackupNoDbHeaderUpdate
            let info = BackupInfo(mark: mark, time: markTime, genLow: s.copyMic, genHigh: s.copyMac - 1)
            let indexes = isFull ? s.databasesDone.sorted() : Array(0..<layout.databaseCount)
            // As in ESE, a header that cannot be updated does not fail the end.
            do throws(BackupError) { try FileLock.with(server.logLockPath) { () throws(BackupError) in
                for index in indexes {
                    let db = try DatabaseFile.open(layout.databasePath(index), forUpdate: true)
                    var header = try db.readHeader()
                    switch outcome {
                    case .full:
                        guard header.bkinfoFullPrev.mark <= mark else { continue }
                        header.bkinfoFullPrev = info
                        header.bkinfoIncPrev = BackupInfo()
                    case .copy:
                        guard header.bkinfoCopyPrev.mark <= mark else { continue }
                        header.bkinfoCopyPrev = info
                    case .incremental:
                        guard header.bkinfoIncPrev.mark <= mark else { continue }
                        header.bkinfoIncPrev = info
                    case .differential:
                        guard header.bkinfoDiffPrev.mark <= mark else { continue }
                        header.bkinfoDiffPrev = info
                    case .notRecorded:
                        continue
                    }
                    try db.writeHeader(header)
                    try db.sync()
                }
                if outcome == .full {
                    let store = Store(layout)
                    var checkpoint = try store.readCheckpoint()
                    checkpoint.lastFullBackup = mark
                    checkpoint.lastFullBackupTime = markTime
                    try CheckpointFile.write(layout, checkpoint)
                }
            } } catch {
                return .notRecorded
            }
            return outcome
        }
    }

    /// Whether the backup still runs (not ended, not aborted).
    public var isInProgress: Bool { state.withLock { $0.inProgress } }

    /// Whether the backup was aborted, and by what.
    public var abortReason: BackupError? { state.withLock { $0.abortedBy } }
}
