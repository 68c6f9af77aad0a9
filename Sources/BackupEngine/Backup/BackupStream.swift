import Glibc

/// The bytes a backup delivers for one open file, read in order. A stream is made of units
/// (database pages, log segments); a read at a unit boundary for whole units goes straight
/// into the caller's buffer and is verified there, any other read goes through a bounce buffer.
/// Used only under its session's lock, hence @unchecked.
class BackupStream: @unchecked Sendable {
    let name: String
    let size: Int64
    let unit: Int
    private(set) var position: Int64 = 0
    /// Injected faults that act on this file's bytes (Faults/), and those that fired, which the
    /// session consumes when they are --once.
    var faults: [Fault] = []
    var fired: [Fault] = []

    init(name: String, size: Int64, unit: Int) {
        self.name = name; self.size = size; self.unit = unit
    }

    var isComplete: Bool { position >= size }

    /// Fills `count` units from `first` into `buffer`, verifying them.
    func fill(_ first: Int64, _ count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(BackupError) {
        fatalError("abstract")
    }

    /// The next chunk; 0 once everything was delivered.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(BackupError) -> Int {
        let n = Int(min(Int64(buffer.count), size - position))
        guard n > 0 else { return 0 }
        for fault in faults {
            if case .readError(_, let offset) = fault.effect, offset >= position, offset < position + Int64(n) {
                fired.append(fault)
                throw .diskIO(operation: "read", path: name, errno: EIO)
            }
        }
        let u = Int64(unit)
        let first = position / u
        let units = Int((position + Int64(n) - 1) / u - first + 1)
        if position % u == 0 && n % unit == 0 {
            try fill(first, units, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
        } else {
            let bounce = UnsafeMutableRawBufferPointer.allocate(byteCount: units * unit, alignment: 16)
            defer { bounce.deallocate() }
            try fill(first, units, into: bounce)
            let skip = Int(position - first * u)
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bounce[skip..<(skip + n)]))
        }
        position += Int64(n)
        return n
    }
}

/// A database as ESE streams it (ESE-BEHAVIOUR.md §A.4): the header snapshot taken at open
/// twice (bkinfoFullCur filled in), pages 1 through pgnoLast read from the file and verified,
/// then a trailer page. Reported size (pgnoLast + 3) * pageSize.
final class DatabaseStream: BackupStream, @unchecked Sendable {
    static let verifyAttempts = 16
    /// Pages are read this many bytes at a time and verified at once, while they are still in
    /// the CPU's cache: one pass over memory instead of two.
    static let chunkBytes = 256 * 1024
    /// The last chunk of a read, which the reading thread verifies itself.
    static let tailBytes = 16 * 1024

    let database: DatabaseFile
    let pgnoLast: UInt32
    let headerSnapshot: [UInt8]
    private let makeTrailer: () throws(BackupError) -> [UInt8]

    init(name: String, database: DatabaseFile, pgnoLast: UInt32, headerSnapshot: [UInt8],
         trailer: @escaping () throws(BackupError) -> [UInt8]) {
        self.database = database
        self.pgnoLast = pgnoLast
        self.headerSnapshot = headerSnapshot
        self.makeTrailer = trailer
        super.init(name: name, size: (Int64(pgnoLast) + 3) * Int64(database.pageSize), unit: database.pageSize)
    }

    deinit { worker?.stop() }

    override func fill(_ first: Int64, _ count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(BackupError) {
        let ps = unit
        var i = 0
        while i < count {
            let u = first + Int64(i)
            let out = UnsafeMutableRawBufferPointer(rebasing: buffer[(i * ps)...])
            if u < 2 {
                headerSnapshot.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<ps])) }
                i += 1
            } else if u <= Int64(pgnoLast) + 1 {
                let pgno = UInt32(u - 1)
                let run = min(count - i, Int(pgnoLast - pgno) + 1)
                try readPages(pgno, run, into: UnsafeMutableRawBufferPointer(rebasing: out[0..<(run * ps)]))
                i += run
            } else {
                let trailer = try makeTrailer()
                trailer.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<ps])) }
                i += 1
            }
        }
    }

    /// A run of data pages: read in chunks, each verified while it is still in the CPU cache,
    /// by the verify worker while this thread reads the next chunk, the last one here.
    private func readPages(_ pgno: UInt32, _ pages: Int, into target: UnsafeMutableRawBufferPointer) throws(BackupError) {
        let ps = unit
        let chunkPages = max(1, Self.chunkBytes / ps)
        // Small reads are verified here: the pages are still in this core's cache, and handing
        // them to another core costs more than it saves.
        let worker = pages > chunkPages ? startWorker() : nil
        // The last chunk, verified here, is kept small so little verification is left at the end.
        let tailPages = max(1, min(pages / 4, Self.tailBytes / ps))
        var checkedHere = [VerifyWorker.Chunk]()
        var tickets: Int?
        defer { if tickets != nil { _ = worker!.drain(from: tickets!) } }
        var done = 0
        while done < pages {
            let remaining = pages - done
            let n = worker == nil || remaining <= tailPages ? min(chunkPages, remaining) : min(chunkPages, remaining - tailPages)
            let chunkBuffer = UnsafeMutableRawBufferPointer(rebasing: target[(done * ps)..<((done + n) * ps)])
            let got = try readFromDisk(pgno + UInt32(done), into: chunkBuffer)
            guard got == chunkBuffer.count else { throw .diskIO(operation: "read", path: database.path, errno: EIO) }
            var chunk = VerifyWorker.Chunk(base: UnsafeRawPointer(chunkBuffer.baseAddress!), pages: n,
                                           firstPgno: pgno + UInt32(done), pageSize: ps)
            if let worker, done + n < pages, worker.hasRoom {
                let ticket = worker.post(chunk)
                if tickets == nil { tickets = ticket }
            } else {
                chunk.firstBad = VerifyWorker.firstBadPage(chunk)
                if chunk.firstBad >= 0 { checkedHere.append(chunk) }
            }
            done += n
        }
        var failed = checkedHere
        if let first = tickets {
            failed += worker!.drain(from: first)
            tickets = nil
        }
        // Re-check what failed, in stream order, with ESE's re-reads: the first page that stays
        // bad is the error.
        for chunk in failed.sorted(by: { $0.firstPgno < $1.firstPgno }) {
            let offset = Int(chunk.firstPgno - pgno)
            for k in chunk.firstBad..<chunk.pages {
                let page = UnsafeMutableRawBufferPointer(rebasing: target[((offset + k) * ps)..<((offset + k + 1) * ps)])
                try verify(page, pgno: chunk.firstPgno + UInt32(k))
            }
        }
    }

    private var worker: VerifyWorker?
    private var workerTried = false

    /// Pages from the file, as an injected page fault (bad-checksum, wrong-page) delivers them.
    private func readFromDisk(_ pgno: UInt32, into buffer: UnsafeMutableRawBufferPointer) throws(BackupError) -> Int {
        let n = try database.readPages(pgno, into: buffer)
        for fault in faults where fault.damage(pages: buffer, first: pgno, pageSize: unit) { fired.append(fault) }
        return n
    }

    private func startWorker() -> VerifyWorker? {
        if !workerTried {
            workerTried = true
            worker = VerifyWorker()
        }
        return worker
    }

    /// Verifies a page; a page that fails is read again (a writer may have been mid-write) with
    /// a growing pause, as ESE retries, before it is reported.
    private func verify(_ page: UnsafeMutableRawBufferPointer, pgno: UInt32) throws(BackupError) {
        var verdict = PageFormat.verify(UnsafeRawBufferPointer(page), pgno: pgno)
        var attempt = 0
        while verdict != .valid && verdict != .uninitialized && attempt < Self.verifyAttempts {
            attempt += 1
            sleepMilliseconds(attempt)
            _ = try readFromDisk(pgno, into: page)
            verdict = PageFormat.verify(UnsafeRawBufferPointer(page), pgno: pgno)
        }
        switch verdict {
        case .valid, .uninitialized: return
        case .badChecksum: throw .readVerifyFailure(file: name, pgno: pgno)
        case .wrongPage(let found): throw .readPgnoVerifyFailure(file: name, pgno: pgno, found: found)
        }
    }
}

/// A log generation: its header and each 4 KiB segment are verified as they are read; a
/// segment with one flipped bit is delivered corrected, as ESE does; any other damage is
/// JET_errLogReadVerifyFailure. Zero segments (never written) are accepted.
final class LogFileStream: BackupStream, @unchecked Sendable {
    let file: File
    let generation: UInt32

    init(name: String, file: File, size: Int64, generation: UInt32) {
        self.file = file
        self.generation = generation
        super.init(name: name, size: size, unit: LogFormat.segmentSize)
    }

    override func fill(_ first: Int64, _ count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(BackupError) {
        let want = min(count * unit, Int(size - first * Int64(unit)))
        let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: first * Int64(unit))
        guard got == want else { throw .diskIO(operation: "read", path: file.path, errno: 5) }
        let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want])
        for fault in faults where fault.damage(log: bytes, at: first * Int64(unit)) { fired.append(fault) }
        for k in 0..<(want / unit) {
            let offset = Int(first) * unit + k * unit
            let seg = UnsafeMutableRawBufferPointer(rebasing: buffer[(k * unit)..<((k + 1) * unit)])
            let ok: Bool
            if offset == 0 {
                ok = LogHeader(UnsafeRawBufferPointer(seg)).map { $0.generation == generation } ?? false
            } else {
                ok = LogSegments.verifyCorrecting(seg, offset: offset, generation: generation) != .bad
            }
            guard ok else { throw .logReadVerifyFailure(file: name, offset: offset) }
        }
    }
}

/// Any other file (ESE would call it a patch file): delivered as it is.
final class PlainFileStream: BackupStream, @unchecked Sendable {
    let file: File

    init(name: String, file: File, size: Int64) {
        self.file = file
        super.init(name: name, size: size, unit: 1)
    }

    override func fill(_ first: Int64, _ count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(BackupError) {
        let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), at: first)
        guard got == count else { throw .diskIO(operation: "read", path: file.path, errno: 5) }
    }
}
