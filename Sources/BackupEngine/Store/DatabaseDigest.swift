/// A digest of a store's content: the xor of SHA-256(dbid || pgno || page) over the data pages
/// of its databases (dbid = the database's 1-based index in the settings).
/// The xor makes it incremental (a changed page swaps its old hash for its new one), so the
/// writer keeps it current as it commits, and records it in the log at each transaction and at
/// each generation's end. A restored database is checked by recomputing it from scratch:
/// another code path, reading the file page by page.
public struct DatabaseDigest: Equatable, Sendable, CustomStringConvertible {
    public private(set) var bytes: [UInt8]

    public init() { bytes = [UInt8](zeros: 32) }

    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    public static func pageHash(dbid: UInt32, _ pgno: UInt32, _ page: UnsafeRawBufferPointer) -> [UInt8] {
        var h = SHA256()
        withUnsafeBytes(of: dbid.littleEndian) { h.update($0) }
        withUnsafeBytes(of: pgno.littleEndian) { h.update($0) }
        h.update(page)
        return h.finalize()
    }

    public mutating func toggle(_ pageHash: [UInt8]) {
        for i in 0..<32 { bytes[i] ^= pageHash[i] }
    }

    public var description: String { hexString(bytes) }

    /// Computes the digest of a store's databases from scratch.
    public static func compute(_ databases: [DatabaseFile]) throws(BackupError) -> DatabaseDigest {
        var digest = DatabaseDigest()
        for (index, db) in databases.enumerated() { try digest.add(db, dbid: UInt32(index + 1)) }
        return digest
    }

    mutating func add(_ db: DatabaseFile, dbid: UInt32) throws(BackupError) {
        let last = try db.pgnoLast()
        let batch = 128
        var buffer = [UInt8](zeros: batch * db.pageSize)
        var pgno: UInt32 = 1
        while pgno <= last {
            let count = min(batch, Int(last - pgno + 1))
            try buffer.withMutableBytes { (all) throws(BackupError) in
                let want = UnsafeMutableRawBufferPointer(rebasing: all[0..<(count * db.pageSize)])
                let got = try db.readPages(pgno, into: want)
                guard got == want.count else { throw .databaseCorrupted("\(db.path) is shorter than its pages") }
                for i in 0..<count {
                    let page = UnsafeRawBufferPointer(rebasing: all[(i * db.pageSize)..<((i + 1) * db.pageSize)])
                    toggle(Self.pageHash(dbid: dbid, pgno + UInt32(i), page))
                }
            }
            pgno += UInt32(count)
        }
    }
}
