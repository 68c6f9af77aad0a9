/// The content of the emulator's data pages. The page header is ESE's (checksum, dbtime,
/// flags with the new checksum format); the rest is ours: a marker, the page number, the
/// dbtime and pseudo-random bytes derived from them, so every change makes a different page.
enum SimulatedPage {
    static let flags: UInt32 = ESEChecksum.newChecksumFlag | 0x0800 | 0x0002  // new checksum, new record format, leaf
    static let objidFDP: UInt32 = 2
    static let marker: UInt32 = 0x4750_4257  // "WBPG"

    /// Fills `page` (zeroed, pageSize bytes) with the content of `pgno` at `dbtime` and seals it.
    static func make(_ page: UnsafeMutableRawBufferPointer, pgno: UInt32, dbtime: UInt64, seed: UInt64) {
        page.setU64(8, dbtime)
        page.setU32(24, objidFDP)
        page.setU16(32, UInt16(truncatingIfNeeded: page.count - PageFormat.headerSize))  // ibMicFree: full
        page.setU16(34, 1)                                                                // one tag
        page.setU32(PageFormat.flagsOffset, flags)
        let body = PageFormat.isLarge(page.count) ? PageFormat.largeHeaderSize : PageFormat.headerSize
        page.setU32(body, marker)
        page.setU32(body + 4, pgno)
        page.setU64(body + 8, dbtime)
        var generator = ContentGenerator(seed: mixSeed(seed, UInt64(pgno), dbtime))
        generator.fill(UnsafeMutableRawBufferPointer(rebasing: page[(body + 16)...]))
        PageFormat.seal(page, pgno: pgno)
    }

    static func make(pageSize: Int, pgno: UInt32, dbtime: UInt64, seed: UInt64) -> [UInt8] {
        var bytes = [UInt8](zeros: pageSize)
        bytes.withUnsafeMutableBytes { make($0, pgno: pgno, dbtime: dbtime, seed: seed) }
        return bytes
    }
}
