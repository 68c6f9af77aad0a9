import Glibc

// Small structures shared by ESE's database header, log header and checkpoint
// (reference/ESE-FORMAT.md §1.2 "Substructures").

/// LGPOS: a position in the log stream (byte, sector, generation); 8 bytes.
public struct LogPosition: Equatable, Comparable, Sendable {
    public var ib: UInt16 = 0
    public var isec: UInt16 = 0
    public var generation: Int32 = 0

    public init(ib: UInt16 = 0, isec: UInt16 = 0, generation: Int32 = 0) {
        self.ib = ib; self.isec = isec; self.generation = generation
    }

    init(_ p: UnsafeRawBufferPointer, _ at: Int) {
        ib = p.u16(at); isec = p.u16(at + 2); generation = p.i32(at + 4)
    }

    func write(_ p: UnsafeMutableRawBufferPointer, _ at: Int) {
        p.setU16(at, ib); p.setU16(at + 2, isec); p.setI32(at + 4, generation)
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.generation, a.isec, a.ib) < (b.generation, b.isec, b.ib)
    }
}

/// LOGTIME: seconds, minutes, hours, day, month (1-12), year - 1900, then flags and
/// milliseconds packed in bytes 6-7 (byte 6 bit 0: UTC). 8 bytes; all zero means "none".
public struct LogTime: Equatable, Sendable {
    public var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)

    public init() {}

    public init(unixTime t: Int64) {
        var tt = time_t(t)
        var tm = tm()
        gmtime_r(&tt, &tm)
        bytes = (UInt8(tm.tm_sec), UInt8(tm.tm_min), UInt8(tm.tm_hour), UInt8(tm.tm_mday),
                 UInt8(tm.tm_mon + 1), UInt8(clamping: tm.tm_year), 1, 0)
    }

    init(_ p: UnsafeRawBufferPointer, _ at: Int) {
        bytes = (p[at], p[at + 1], p[at + 2], p[at + 3], p[at + 4], p[at + 5], p[at + 6], p[at + 7])
    }

    func write(_ p: UnsafeMutableRawBufferPointer, _ at: Int) {
        p[at] = bytes.0; p[at + 1] = bytes.1; p[at + 2] = bytes.2; p[at + 3] = bytes.3
        p[at + 4] = bytes.4; p[at + 5] = bytes.5; p[at + 6] = bytes.6; p[at + 7] = bytes.7
    }

    public var isZero: Bool { self == LogTime() }

    /// Seconds since the epoch (UTC), or nil for a zero time.
    public var unixTime: Int64? {
        guard !isZero else { return nil }
        var tm = tm()
        tm.tm_sec = Int32(bytes.0); tm.tm_min = Int32(bytes.1); tm.tm_hour = Int32(bytes.2)
        tm.tm_mday = Int32(bytes.3); tm.tm_mon = Int32(bytes.4) - 1; tm.tm_year = Int32(bytes.5)
        return Int64(timegm(&tm))
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.bytes.0 == b.bytes.0 && a.bytes.1 == b.bytes.1 && a.bytes.2 == b.bytes.2 && a.bytes.3 == b.bytes.3
            && a.bytes.4 == b.bytes.4 && a.bytes.5 == b.bytes.5 && a.bytes.6 == b.bytes.6 && a.bytes.7 == b.bytes.7
    }
}

/// SIGNATURE: a random number, a creation time and a computer name; 28 bytes. A database
/// (signDb) and a log stream (signLog) each have one; a log belongs to the database whose
/// header records its signLog.
public struct Signature: Equatable, Sendable {
    public var random: UInt32
    public var created: LogTime
    public var computerName: [UInt8]  // 16 bytes, NUL padded

    public init(random: UInt32, created: LogTime, computerName: String) {
        self.random = random
        self.created = created
        var name = Array(computerName.utf8.prefix(15))
        name += [UInt8](repeating: 0, count: 16 - name.count)
        self.computerName = name
    }

    init(_ p: UnsafeRawBufferPointer, _ at: Int) {
        random = p.u32(at)
        created = LogTime(p, at + 4)
        computerName = Array(p[(at + 12)..<(at + 28)])
    }

    func write(_ p: UnsafeMutableRawBufferPointer, _ at: Int) {
        p.setU32(at, random)
        created.write(p, at + 4)
        p.setBytes(at + 12, computerName)
    }

    /// The 28 bytes, for comparisons and digests.
    public var bytes: [UInt8] {
        var out = [UInt8](zeros: 28)
        out.withUnsafeMutableBytes { write($0, 0) }
        return out
    }
}

/// BKINFO: one backup's record in a database header: log position and time of the backup, and
/// the log generations it holds. 24 bytes.
public struct BackupInfo: Equatable, Sendable {
    public var mark = LogPosition()
    public var time = LogTime()
    public var genLow: UInt32 = 0
    public var genHigh: UInt32 = 0

    public init() {}

    public init(mark: LogPosition, time: LogTime, genLow: UInt32, genHigh: UInt32) {
        self.mark = mark; self.time = time; self.genLow = genLow; self.genHigh = genHigh
    }

    init(_ p: UnsafeRawBufferPointer, _ at: Int) {
        mark = LogPosition(p, at)
        time = LogTime(p, at + 8)
        genLow = p.u32(at + 16)
        genHigh = p.u32(at + 20)
    }

    func write(_ p: UnsafeMutableRawBufferPointer, _ at: Int) {
        mark.write(p, at)
        time.write(p, at + 8)
        p.setU32(at + 16, genLow)
        p.setU32(at + 20, genHigh)
    }

    public var isEmpty: Bool { genLow == 0 && genHigh == 0 }
}
