// Sealing and verifying database pages (reference/ESE-FORMAT.md §2-§3.4).
//   - Physical pages 0 and 1: the database header and its shadow, legacy XOR at offset 0.
//   - Data page pgno (physical pgno + 1), small pages (<= 8 KiB): one XE checksum at offset 0
//     when flag 0x2000 is set, else the legacy XOR at 0 and the pgno at 4.
//   - Large pages (16/32 KiB): XE per block (4 KiB blocks in 16 KiB pages, 8 KiB in 32 KiB),
//     block 0's at offset 0, blocks 1-3's at 40/48/56, and the pgno stored at 64.
//   - A page of zeros was never written; it is accepted.

public enum PageVerdict: Equatable, Sendable {
    case valid
    case uninitialized
    /// The checksum does not match: JET_errReadVerifyFailure (-1018).
    case badChecksum
    /// A valid page, but of another page number: JET_errReadPgnoVerifyFailure (-1118).
    case wrongPage(found: UInt32)
}

public enum PageFormat {
    public static let headerSize = 40
    public static let flagsOffset = 36
    public static let largeHeaderSize = 80
    public static let largePgnoOffset = 64

    public static func isLarge(_ pageSize: Int) -> Bool { pageSize > 8192 }
    static func blockSize(_ pageSize: Int) -> Int { pageSize == 16384 ? 4096 : 8192 }

    /// Writes the checksum of a data page whose header fields are filled in.
    public static func seal(_ page: UnsafeMutableRawBufferPointer, pgno: UInt32) {
        let flags = page.load(fromByteOffset: flagsOffset, as: UInt32.self)
        let ro = UnsafeRawBufferPointer(page)
        if flags & ESEChecksum.newChecksumFlag == 0 {
            page.setU32(4, pgno)
            page.setU32(0, ESEChecksum.legacyXOR(ro))
            return
        }
        if !isLarge(page.count) {
            page.setU64(0, ESEChecksum.xe(ro, pgno: pgno, headerBlock: true))
            return
        }
        page.setU32(largePgnoOffset, pgno)
        let bs = blockSize(page.count)
        for b in 1..<(page.count / bs) {
            let block = UnsafeRawBufferPointer(rebasing: ro[(b * bs)..<((b + 1) * bs)])
            page.setU64(32 + 8 * b, ESEChecksum.xe(block, pgno: pgno, headerBlock: false))
        }
        let first = UnsafeRawBufferPointer(rebasing: ro[0..<bs])
        page.setU64(0, ESEChecksum.xe(first, pgno: pgno, headerBlock: true))
    }

    /// Checks a data page read from where page `pgno` lives.
    public static func verify(_ page: UnsafeRawBufferPointer, pgno: UInt32) -> PageVerdict {
        let stored = page.u64(0)
        if stored == 0 && page.isAllZero() { return .uninitialized }
        let flags = page.u32(flagsOffset)
        if flags & ESEChecksum.newChecksumFlag == 0 {
            guard page.u32(0) == ESEChecksum.legacyXOR(page) else { return .badChecksum }
            let found = page.u32(4)
            return found == pgno ? .valid : .wrongPage(found: found)
        }
        if !isLarge(page.count) {
            let (xor, ecc) = ESEChecksum.xeParts(page, headerBlock: true)
            guard UInt32(truncatingIfNeeded: stored >> 32) == ecc else { return .badChecksum }
            let found = UInt32(truncatingIfNeeded: stored) ^ xor
            return found == pgno ? .valid : .wrongPage(found: found)
        }
        let found = page.u32(largePgnoOffset)
        let bs = blockSize(page.count)
        for b in 0..<(page.count / bs) {
            let block = UnsafeRawBufferPointer(rebasing: page[(b * bs)..<((b + 1) * bs)])
            let at = b == 0 ? 0 : 32 + 8 * b
            guard page.u64(at) == ESEChecksum.xe(block, pgno: found, headerBlock: b == 0) else { return .badChecksum }
        }
        return found == pgno ? .valid : .wrongPage(found: found)
    }

    /// Seals a header-type page (database header, shadow, trailer, log or checkpoint header):
    /// the legacy XOR over the whole page, stored at offset 0.
    public static func sealHeader(_ page: UnsafeMutableRawBufferPointer) {
        page.setU32(0, ESEChecksum.legacyXOR(UnsafeRawBufferPointer(page)))
    }

    public static func verifyHeader(_ page: UnsafeRawBufferPointer) -> Bool {
        page.u32(0) == ESEChecksum.legacyXOR(page)
    }
}
