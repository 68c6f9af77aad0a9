// Log generation files (edbXXXXX.log, edb.log). The header follows ESE's LGFILEHDR where
// reference/ESE-FORMAT.md §5.1 documents it; what follows the header is ours, shaped like ESE's
// (log format major >= 8): 4 KiB segments, each with a 40-byte segment header and an XE
// checksum computed like a small page's, with pgno = the segment's sector index.
//
// Each transaction is written as whole segments in one write and never rewritten, so the log is
// append-only: a crash can only leave a torn transaction at the end, which recovery ignores.
// A rolled (archived) log ends with an end-of-generation record; the segments after it are zero.
//
//   header (4096)   | segment | segment | ... | zero segments up to the fixed file size
//   segment: [0,8) XE checksum  [8,16) LGPOS (ib 0, isec, generation)  [16,24) LOGTIME
//            [36,40) flags (0x2000)  [40,4096) record bytes
//   record:  type u32 ('WBTX' transaction, 'WBEG' end of generation), length u32 (whole record),
//            page count u32, reserved u32, dbtime u64, transaction number u64,
//            digest of the store's databases after it [32], then page count x
//            (pgno u32, database id u32, image size u32, reserved u32, image)

public enum LogFormat {
    public static let headerSize = 4096
    public static let segmentSize = 4096
    public static let sectorSize = 512
    public static let segmentHeaderSize = 40
    public static let segmentPayload = segmentSize - segmentHeaderSize
    static let fileTypeLog: UInt32 = 3
    static let formatMajor: UInt32 = 8
    static let formatMinor: UInt32 = 4000
    /// Our marker in the DBMS_PARAM area of the header.
    static let winbackupMagic: [UInt8] = Array("WBLOG001".utf8)

    /// Smallest and largest log file size (csecLGFile is 16 bits of 512-byte sectors).
    public static let minimumFileSize = 64 * 1024
    public static let maximumFileSize = 16 * 1024 * 1024

    // Header offsets.
    enum H {
        static let checksum = 0, generation = 4, cbSec = 8, csecHeader = 10, csecFile = 12
        static let pageSize = 14, created = 16, previousCreated = 24, major = 32, minor = 36
        static let updateMajor = 40, signLog = 44
        // ours, inside DBMS_PARAM (72..<639)
        static let magic = 72, signDb = 80, startDigest = 108, startDbtime = 140, startTransaction = 148
        static let flags = 639, checkpoint = 640, fileType = 667
    }

    public static let circularLoggingFlag: UInt8 = 0x02
}

/// The header of one log generation file.
public struct LogHeader: Equatable, Sendable {
    public var generation: UInt32
    public var fileSize: Int
    public var pageSize: Int
    public var created: LogTime
    public var previousCreated: LogTime
    public var signLog: Signature
    public var signDb: Signature
    public var circularLogging: Bool
    public var checkpoint: LogPosition
    /// Digest of the database's committed content when this generation began.
    public var startDigest: [UInt8]
    public var startDbtime: UInt64
    public var startTransaction: UInt64

    public init(generation: UInt32, fileSize: Int, pageSize: Int, created: LogTime, previousCreated: LogTime,
                signLog: Signature, signDb: Signature, circularLogging: Bool, checkpoint: LogPosition,
                startDigest: [UInt8], startDbtime: UInt64, startTransaction: UInt64) {
        self.generation = generation; self.fileSize = fileSize; self.pageSize = pageSize
        self.created = created; self.previousCreated = previousCreated
        self.signLog = signLog; self.signDb = signDb; self.circularLogging = circularLogging
        self.checkpoint = checkpoint; self.startDigest = startDigest
        self.startDbtime = startDbtime; self.startTransaction = startTransaction
    }

    public func encode() -> [UInt8] {
        typealias H = LogFormat.H
        var page = [UInt8](zeros: LogFormat.headerSize)
        page.withUnsafeMutableBytes { p in
            p.setI32(H.generation, Int32(bitPattern: generation))
            p.setU16(H.cbSec, UInt16(LogFormat.sectorSize))
            p.setU16(H.csecHeader, UInt16(LogFormat.headerSize / LogFormat.sectorSize))
            p.setU16(H.csecFile, UInt16(fileSize / LogFormat.sectorSize))
            p.setU16(H.pageSize, UInt16(truncatingIfNeeded: pageSize))
            created.write(p, H.created)
            previousCreated.write(p, H.previousCreated)
            p.setU32(H.major, LogFormat.formatMajor)
            p.setU32(H.minor, LogFormat.formatMinor)
            signLog.write(p, H.signLog)
            p.setBytes(H.magic, LogFormat.winbackupMagic)
            signDb.write(p, H.signDb)
            p.setBytes(H.startDigest, startDigest)
            p.setU64(H.startDbtime, startDbtime)
            p.setU64(H.startTransaction, startTransaction)
            p.setU8(H.flags, circularLogging ? LogFormat.circularLoggingFlag : 0)
            checkpoint.write(p, H.checkpoint)
            p.setU32(H.fileType, LogFormat.fileTypeLog)
            PageFormat.sealHeader(p)
        }
        return page
    }

    /// Decodes a header; nil if its checksum, file type or our marker is wrong.
    public init?(_ p: UnsafeRawBufferPointer) {
        typealias H = LogFormat.H
        guard p.count >= LogFormat.headerSize else { return nil }
        let page = UnsafeRawBufferPointer(rebasing: p[0..<LogFormat.headerSize])
        guard PageFormat.verifyHeader(page), page.u32(H.fileType) == LogFormat.fileTypeLog,
              Array(page[H.magic..<(H.magic + 8)]) == LogFormat.winbackupMagic else { return nil }
        generation = UInt32(bitPattern: page.i32(H.generation))
        fileSize = Int(page.u16(H.csecFile)) * LogFormat.sectorSize
        let ps = Int(page.u16(H.pageSize))
        pageSize = ps == 0 ? 4096 : ps
        created = LogTime(page, H.created)
        previousCreated = LogTime(page, H.previousCreated)
        signLog = Signature(page, H.signLog)
        signDb = Signature(page, H.signDb)
        startDigest = Array(page[H.startDigest..<(H.startDigest + 32)])
        startDbtime = page.u64(H.startDbtime)
        startTransaction = page.u64(H.startTransaction)
        circularLogging = page.u8(H.flags) & LogFormat.circularLoggingFlag != 0
        checkpoint = LogPosition(page, H.checkpoint)
    }
}

/// One record of the log stream.
public struct LogRecord: Equatable, Sendable {
    public enum Kind: UInt32, Sendable {
        case transaction = 0x5854_4257      // "WBTX"
        case endOfGeneration = 0x4745_4257  // "WBEG"
    }

    public struct PageImage: Equatable, Sendable {
        /// 1-based index of the database in the store's settings.
        public var dbid: UInt32
        public var pgno: UInt32
        public var bytes: [UInt8]

        public init(dbid: UInt32, pgno: UInt32, bytes: [UInt8]) {
            self.dbid = dbid; self.pgno = pgno; self.bytes = bytes
        }
    }

    public var kind: Kind
    public var dbtime: UInt64
    public var transaction: UInt64
    /// Digest of the committed database content after this record.
    public var digest: [UInt8]
    public var pages: [PageImage]

    static let fixedSize = 64
    static let imageHeaderSize = 16

    public init(kind: Kind, dbtime: UInt64, transaction: UInt64, digest: [UInt8], pages: [PageImage] = []) {
        self.kind = kind; self.dbtime = dbtime; self.transaction = transaction
        self.digest = digest; self.pages = pages
    }

    public func encode() -> [UInt8] {
        let pageBytes = pages.reduce(0) { $0 + Self.imageHeaderSize + $1.bytes.count }
        var out = [UInt8](zeros: Self.fixedSize + pageBytes)
        out.withUnsafeMutableBytes { p in
            p.setU32(0, kind.rawValue)
            p.setU32(4, UInt32(Self.fixedSize + pageBytes))
            p.setU32(8, UInt32(pages.count))
            p.setU64(16, dbtime)
            p.setU64(24, transaction)
            p.setBytes(32, digest)
            var at = Self.fixedSize
            for page in pages {
                p.setU32(at, page.pgno)
                p.setU32(at + 4, page.dbid)
                p.setU32(at + 8, UInt32(page.bytes.count))
                p.setBytes(at + Self.imageHeaderSize, page.bytes)
                at += Self.imageHeaderSize + page.bytes.count
            }
        }
        return out
    }

    /// Decodes one record from the start of `p`; nil if it is not a well-formed record.
    public init?(_ p: UnsafeRawBufferPointer) {
        guard p.count >= Self.fixedSize, let kind = Kind(rawValue: p.u32(0)) else { return nil }
        let length = Int(p.u32(4)), count = Int(p.u32(8))
        guard length >= Self.fixedSize, length <= p.count else { return nil }
        self.kind = kind
        dbtime = p.u64(16)
        transaction = p.u64(24)
        digest = Array(p[32..<64])
        pages = []
        var at = Self.fixedSize
        for _ in 0..<count {
            guard at + Self.imageHeaderSize <= length else { return nil }
            let pgno = p.u32(at), dbid = p.u32(at + 4), size = Int(p.u32(at + 8))
            let image = at + Self.imageHeaderSize
            guard size > 0, image + size <= length else { return nil }
            pages.append(PageImage(dbid: dbid, pgno: pgno, bytes: Array(p[image..<(image + size)])))
            at = image + size
        }
        guard at == length else { return nil }
    }

    /// Number of 4 KiB segments this record occupies in the log.
    public static func segmentCount(forEncodedSize n: Int) -> Int {
        (n + LogFormat.segmentPayload - 1) / LogFormat.segmentPayload
    }
}

public enum LogSegments {
    /// The byte offset of segment `index` (0 = the first after the header).
    public static func offset(_ index: Int) -> Int { LogFormat.headerSize + index * LogFormat.segmentSize }

    static func sector(ofOffset offset: Int) -> UInt16 { UInt16(truncatingIfNeeded: offset / LogFormat.sectorSize) }

    /// Lays `record` out in segments starting at segment `firstIndex` of `generation`.
    public static func encode(_ record: [UInt8], generation: UInt32, firstIndex: Int, time: LogTime) -> [UInt8] {
        let count = LogRecord.segmentCount(forEncodedSize: record.count)
        var out = [UInt8](zeros: count * LogFormat.segmentSize)
        out.withUnsafeMutableBytes { p in
            for i in 0..<count {
                let base = i * LogFormat.segmentSize
                let seg = UnsafeMutableRawBufferPointer(rebasing: p[base..<(base + LogFormat.segmentSize)])
                let isec = sector(ofOffset: offset(firstIndex + i))
                LogPosition(ib: 0, isec: isec, generation: Int32(bitPattern: generation)).write(seg, 8)
                time.write(seg, 16)
                seg.setU32(36, ESEChecksum.newChecksumFlag)
                let from = i * LogFormat.segmentPayload
                let to = min(record.count, from + LogFormat.segmentPayload)
                seg.setBytes(LogFormat.segmentHeaderSize, record[from..<to])
                seg.setU64(0, ESEChecksum.xe(UnsafeRawBufferPointer(seg), pgno: UInt32(isec), headerBlock: true))
            }
        }
        return out
    }

    public enum Verdict: Equatable { case valid, zero, bad }

    /// Checks one segment as ESE's log reader does: a single-bit error is corrected in place
    /// (ChecksumAndPossiblyFixPage), anything else is bad.
    public static func verifyCorrecting(_ seg: UnsafeMutableRawBufferPointer, offset: Int, generation: UInt32) -> Verdict {
        let verdict = verify(UnsafeRawBufferPointer(seg), offset: offset, generation: generation)
        guard verdict == .bad,
              let bit = ESEChecksum.correctableBit(UnsafeRawBufferPointer(seg), pgno: UInt32(sector(ofOffset: offset)), headerBlock: true)
        else { return verdict }
        seg[bit / 8] ^= UInt8(1 << (bit % 8))
        let corrected = verify(UnsafeRawBufferPointer(seg), offset: offset, generation: generation)
        if corrected == .bad { seg[bit / 8] ^= UInt8(1 << (bit % 8)) }
        return corrected
    }

    /// Checks one segment read from byte `offset` of the log of `generation`.
    public static func verify(_ seg: UnsafeRawBufferPointer, offset: Int, generation: UInt32) -> Verdict {
        if seg.u64(0) == 0 && seg.isAllZero() { return .zero }
        let isec = sector(ofOffset: offset)
        guard seg.u32(36) & ESEChecksum.newChecksumFlag != 0,
              seg.u64(0) == ESEChecksum.xe(seg, pgno: UInt32(isec), headerBlock: true) else { return .bad }
        let pos = LogPosition(seg, 8)
        return pos.isec == isec && pos.generation == Int32(bitPattern: generation) ? .valid : .bad
    }
}
