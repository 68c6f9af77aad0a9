/// The faults one backup meets on its read path. Its session holds it under its lock: loaded
/// at Prepare, refreshed at each OpenFile (a fault added or cleared since counts), and asked at
/// each read call. The backup lock keeps any other backup of the server out meanwhile.
struct BackupFaults {
    let server: Server
    private(set) var faults: [Fault]
    /// Read calls so far, for --after-reads.
    private var reads = 0

    init(server: Server, faults: [Fault]) {
        self.server = server
        self.faults = faults
    }

    mutating func refresh() throws(BackupError) { faults = try server.faults() }

    /// What one read call meets before it reads: a slow-read sleeps here; a stop stops the
    /// backup (true: the call fails with JET_errBackupAbortByServer); a short-read caps the bytes.
    mutating func readCall() -> (stop: Bool, maxBytes: Int?) {
        reads += 1
        if faults.isEmpty { return (false, nil) }  // the common case, on every read
        var maxBytes: Int?
        for fault in faults {
            switch fault.effect {
            case .stop(let after) where reads > after:
                fire(fault)
                return (true, nil)
            case .slowRead(let ms, let after) where reads > after:
                fire(fault)
                sleepMilliseconds(ms)
            case .shortRead(let max, let after) where reads > after:
                fire(fault)
                maxBytes = min(maxBytes ?? max, max)
            default:
                break
            }
        }
        return (false, maxBytes)
    }

    /// missing-log, at OpenFile of a log generation.
    mutating func isMissing(generation: UInt32) -> Bool {
        guard let fault = faults.first(where: { $0.effect == .missingLog(generation: generation) }) else { return false }
        fire(fault)
        return true
    }

    /// The faults that act on the bytes of one file's stream: read errors, damaged pages of a
    /// database, a damaged log generation.
    func streamFaults(_ path: WindowsPath, generation: UInt32?) -> [Fault] {
        faults.filter { fault in
            switch fault.effect {
            case .readError(let file, _), .badChecksum(let file, _), .wrongPage(let file, _): file.same(as: path)
            case .corruptLog(let g): g == generation
            default: false
            }
        }
    }

    /// Removes the --once faults a stream met from the settings and from here.
    mutating func consume(_ fired: [Fault]) {
        var seen = [Fault]()
        for fault in fired where fault.once && !seen.contains(fault) {
            seen.append(fault)
            fire(fault)
        }
    }

    private mutating func fire(_ fault: Fault) {
        guard fault.once, let i = faults.firstIndex(of: fault) else { return }
        faults.remove(at: i)
        _ = server.consume(fault)
    }
}

extension Fault {
    /// bad-checksum and wrong-page: damages the page among `pages` (read from `first` on) that
    /// the fault names, as a bad disk would; true if it was there.
    func damage(pages: UnsafeMutableRawBufferPointer, first: UInt32, pageSize: Int) -> Bool {
        let target: UInt32, misplace: Bool
        switch effect {
        case .badChecksum(_, let page): (target, misplace) = (page, false)
        case .wrongPage(_, let page): (target, misplace) = (page, true)
        default: return false
        }
        guard target >= first, Int(target - first) < pages.count / pageSize else { return false }
        let start = Int(target - first) * pageSize
        let page = UnsafeMutableRawBufferPointer(rebasing: pages[start..<(start + pageSize)])
        if misplace {
            PageFormat.seal(page, pgno: target &+ 1)  // a valid page, of the next page number
        } else {
            Self.flipBits(page, at: pageSize / 2)
        }
        return true
    }

    /// corrupt-log: damages the first segment after the log header, if `bytes` (read at
    /// `offset` of the log) hold it; true if so.
    func damage(log bytes: UnsafeMutableRawBufferPointer, at offset: Int64) -> Bool {
        guard case .corruptLog = effect else { return false }
        let segment = Int64(LogSegments.offset(0))
        guard segment >= offset, segment + Int64(LogFormat.segmentSize) <= offset + Int64(bytes.count) else { return false }
        Self.flipBits(bytes, at: Int(segment - offset) + LogFormat.segmentSize / 2)
        return true
    }

    /// Three bits in three words: no checksum lets them cancel out, and no single-bit
    /// correction repairs them.
    static func flipBits(_ bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        bytes[offset] ^= 0x01
        bytes[offset + 5] ^= 0x10
        bytes[offset + 13] ^= 0x04
    }
}
