/// A record found in a log, with the position of its first segment.
public struct PositionedRecord: Sendable {
    public var record: LogRecord
    public var position: LogPosition
}

/// What a read of one log generation found.
public struct LogScan: Sendable {
    public var header: LogHeader
    public var records: [PositionedRecord]
    /// Index of the first segment after the last valid record.
    public var nextSegment: Int
    /// A damaged segment where the next record should start (a torn write in the current log;
    /// corruption in an archived one), at this byte offset.
    public var damageOffset: Int?
    /// The generation ended with an end-of-generation record.
    public var ended: Bool
    public var segmentCapacity: Int

    /// Committed content after the last record.
    public var digest: DatabaseDigest {
        records.last.flatMap { DatabaseDigest($0.record.digest) } ?? DatabaseDigest(header.startDigest) ?? DatabaseDigest()
    }
    public var dbtime: UInt64 { records.last?.record.dbtime ?? header.startDbtime }
    public var transaction: UInt64 { records.last?.record.transaction ?? header.startTransaction }

    /// Reads and checks a whole log file.
    public static func read(_ path: String) throws(BackupError) -> LogScan {
        guard FileSystem.exists(path) else { throw .fileNotFound(path) }
        let bytes = try FileSystem.readFile(path)
        return try bytes.withBytes { (p) throws(BackupError) -> LogScan in try scan(p, path: path) }
    }

    static func scan(_ p: UnsafeRawBufferPointer, path: String) throws(BackupError) -> LogScan {
        guard let header = LogHeader(p) else { throw .logCorrupted("\(path): bad log header") }
        let capacity = (min(p.count, header.fileSize) - LogFormat.headerSize) / LogFormat.segmentSize
        var result = LogScan(header: header, records: [], nextSegment: 0, damageOffset: nil, ended: false,
                             segmentCapacity: max(0, capacity))
        func segment(_ i: Int) -> UnsafeRawBufferPointer {
            let at = LogSegments.offset(i)
            return UnsafeRawBufferPointer(rebasing: p[at..<(at + LogFormat.segmentSize)])
        }
        var i = 0
        scanning: while i < result.segmentCapacity && !result.ended {
            let offset = LogSegments.offset(i)
            switch LogSegments.verify(segment(i), offset: offset, generation: header.generation) {
            case .zero: break scanning
            case .bad: result.damageOffset = offset; break scanning
            case .valid: break
            }
            let length = Int(segment(i).u32(LogFormat.segmentHeaderSize + 4))
            let count = LogRecord.segmentCount(forEncodedSize: max(length, 1))
            guard length >= LogRecord.fixedSize, i + count <= result.segmentCapacity else {
                result.damageOffset = offset; break scanning
            }
            var payload = [UInt8]()
            payload.reserveCapacity(count * LogFormat.segmentPayload)
            for j in i..<(i + count) {
                guard j == i || LogSegments.verify(segment(j), offset: LogSegments.offset(j), generation: header.generation) == .valid else {
                    result.damageOffset = offset; break scanning
                }
                payload.append(contentsOf: segment(j)[LogFormat.segmentHeaderSize...])
            }
            guard let record = payload.withUnsafeBytes({ LogRecord(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }) else {
                result.damageOffset = offset; break scanning
            }
            let position = LogPosition(ib: 0, isec: LogSegments.sector(ofOffset: offset), generation: Int32(bitPattern: header.generation))
            result.records.append(PositionedRecord(record: record, position: position))
            result.ended = record.kind == .endOfGeneration
            i += count
        }
        result.nextSegment = i
        return result
    }

    /// The position just after the last record: where the next one goes, and where a
    /// checkpoint that has nothing left to replay points.
    public var endPosition: LogPosition {
        LogPosition(ib: 0, isec: LogSegments.sector(ofOffset: LogSegments.offset(nextSegment)),
                    generation: Int32(bitPattern: header.generation))
    }
}
