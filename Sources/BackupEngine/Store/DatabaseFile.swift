/// A database file in ESE's layout: header and shadow in physical pages 0 and 1, then page
/// pgno at physical page pgno + 1.
public final class DatabaseFile: Sendable {
    public let path: String
    public let pageSize: Int
    let file: File

    private init(path: String, file: File, pageSize: Int) {
        self.path = path; self.file = file; self.pageSize = pageSize
    }

    /// Opens a database, finding its page size as ESE does: the size at which the header
    /// checksum matches and the header states that size (tried on the primary, then the shadow).
    public static func open(_ path: String, forUpdate: Bool = false) throws(BackupError) -> DatabaseFile {
        let file = forUpdate ? try File.openForUpdate(path) : try File.openForReading(path)
        for copy in 0..<2 {
            for size in [4096, 8192, 16384, 32768] {
                let bytes = try file.read(count: size, at: Int64(copy * size))
                guard bytes.count == size, let h = DatabaseHeader(page: bytes), h.statedPageSize == size else { continue }
                return DatabaseFile(path: path, file: file, pageSize: size)
            }
        }
        throw .databaseCorrupted("\(path): no valid database header")
    }

    /// Creates a database of `pages` data pages; `fill(pgno, page)` writes each page's sealed
    /// content into a zeroed buffer. The header goes last, so a half-created file is invalid.
    static func create(_ path: String, header: DatabaseHeader, pages: UInt32,
                       fill: (UInt32, UnsafeMutableRawBufferPointer) -> Void) throws(BackupError) -> DatabaseFile {
        let pageSize = header.pageSize
        let file = try File.create(path)
        let batch = 64
        var buffer = [UInt8](zeros: batch * pageSize)
        var pgno: UInt32 = 1
        while pgno <= pages {
            let count = min(batch, Int(pages - pgno + 1))
            try buffer.withMutableBytes { (all) throws(BackupError) in
                for i in 0..<count {
                    let page = UnsafeMutableRawBufferPointer(rebasing: all[(i * pageSize)..<((i + 1) * pageSize)])
                    page.initializeMemory(as: UInt8.self, repeating: 0)
                    fill(pgno + UInt32(i), page)
                }
                try file.write(UnsafeRawBufferPointer(rebasing: all[0..<(count * pageSize)]), at: Int64(pgno + 1) * Int64(pageSize))
            }
            pgno += UInt32(count)
        }
        let db = DatabaseFile(path: path, file: file, pageSize: pageSize)
        try db.writeHeader(header)
        try file.sync()
        return db
    }

    /// The last page number: the file's pages less the two header pages.
    public func pgnoLast() throws(BackupError) -> UInt32 {
        let pages = try file.size() / Int64(pageSize)
        return UInt32(clamping: max(0, pages - 2))
    }

    /// The last page of the database as ESE sees it: the last page its space tree owns, for a real
    /// ESE database whose file runs past that (what a backup streams); else `pgnoLast()`.
    public func databaseLastPage() throws(BackupError) -> UInt32 {
        if let owned = OwnedSpace.lastOwnedPage(self) { return owned }
        return try pgnoLast()
    }

    /// The header: the primary copy if it verifies, else the shadow.
    public func readHeader() throws(BackupError) -> DatabaseHeader {
        for copy in 0..<2 {
            let bytes = try file.read(count: pageSize, at: Int64(copy * pageSize))
            if bytes.count == pageSize, let h = DatabaseHeader(page: bytes) { return h }
        }
        throw .databaseCorrupted("\(path): no valid database header")
    }

    /// Writes both header copies.
    public func writeHeader(_ header: DatabaseHeader) throws(BackupError) {
        let page = header.sealed()
        try file.write(page + page, at: 0)
    }

    /// Reads pages starting at `pgno` into `buffer` (whole pages); returns the bytes read.
    public func readPages(_ pgno: UInt32, into buffer: UnsafeMutableRawBufferPointer) throws(BackupError) -> Int {
        try file.read(into: buffer, at: Int64(pgno + 1) * Int64(pageSize))
    }

    public func readPage(_ pgno: UInt32) throws(BackupError) -> [UInt8] {
        try file.read(count: pageSize, at: Int64(pgno + 1) * Int64(pageSize))
    }

    /// Writes one whole page (a single write, so a concurrent reader sees it whole or re-reads).
    public func writePage(_ pgno: UInt32, _ bytes: [UInt8]) throws(BackupError) {
        precondition(bytes.count == pageSize)
        try file.write(bytes, at: Int64(pgno + 1) * Int64(pageSize))
    }

    public func sync() throws(BackupError) { try file.sync() }
}
