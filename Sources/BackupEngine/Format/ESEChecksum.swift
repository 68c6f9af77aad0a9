import CWinBackup

// ESE's checksums (reference/ESE-FORMAT.md §3), proven against real ESE files by
// tools/ese_verify.py:
//   - the legacy 4-byte XOR (database header, its shadow, the trailer page, log and checkpoint
//     headers, and data pages written before the "new checksum format");
//   - the 64-bit "XE" checksum of data pages and log segments: a 32-bit ECC over the indices of
//     the set bits, and a 32-bit XOR mixed with the page number.

public enum ESEChecksum {
    /// `ulDAEMagic`: the database-header magic, also the seed of the legacy XOR.
    public static let magic: UInt32 = 0x89AB_CDEF
    /// `fPageNewChecksumFormat` in the page flags (offset 36): the page carries an XE checksum.
    public static let newChecksumFlag: UInt32 = 0x2000

    // MARK: Legacy XOR

    /// 0x89ABCDEF xor every little-endian dword from offset 4 to the end.
    public static func legacyXOR(_ page: UnsafeRawBufferPointer) -> UInt32 {
        precondition(page.count % 8 == 0 && page.count >= 8)
        var acc: UInt64 = 0
        var i = 8
        while i < page.count {
            acc ^= page.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        return magic ^ page.u32(4) ^ UInt32(truncatingIfNeeded: acc) ^ UInt32(truncatingIfNeeded: acc >> 32)
    }

    // MARK: XE (ECC + XOR)

    /// The XE checksum of one block: `ECC << 32 | (XOR ^ pgno)`. In a header block (the block
    /// that starts a page) the stored checksum, bytes 0..<8, counts as zero.
    /// `block.count` is 1, 2, 4 or 8 KiB.
    public static func xe(_ block: UnsafeRawBufferPointer, pgno: UInt32, headerBlock: Bool) -> UInt64 {
        let (xor, ecc) = xeParts(block, headerBlock: headerBlock)
        return UInt64(ecc) << 32 | UInt64(xor ^ pgno)
    }

    /// `ECC = (XOR over each set bit b of (b | (~b & 0xFFFF) << 16)) & M(n)`, computed without
    /// visiting bits. With X = the xor of the indices of the set bits and p = their count's
    /// parity, the ECC is `X | (X ^ (p ? 0xFFFF : 0)) << 16`. Bit b = 32*w + k for dword w:
    ///   - bits 0-4 of X are parities of (xor of all dwords) under the masks 0xAAAAAAAA ...;
    ///   - bit 5+m of X is the parity of the xor of the dwords w whose index has bit m set.
    /// The loop that gathers those xors is CWinBackup's checksum.c (vectorised, AVX2 where the
    /// CPU has it); `xeReference` below is the definition it is tested against.
    @inline(__always)
    static func xeParts(_ block: UnsafeRawBufferPointer, headerBlock: Bool) -> (xor: UInt32, ecc: UInt32) {
        precondition(block.count >= 1024 && block.count <= 8192 && block.count.nonzeroBitCount == 1, "XE block size")
        var xor: UInt32 = 0, ecc: UInt32 = 0
        wb_xe_parts(block.baseAddress, block.count, headerBlock ? 1 : 0, &xor, &ecc)
        return (xor, ecc)
    }

    /// The one flipped bit an XE mismatch points at, when it is single-bit correctable
    /// (ESE-FORMAT.md §3.2): the two halves of the ECC syndrome are complements and the XOR
    /// differs in exactly one bit. nil for anything else, and for the checksum field itself and
    /// the format flag (byte 37 bit 5), which ESE refuses to "correct".
    public static func correctableBit(_ block: UnsafeRawBufferPointer, pgno: UInt32, headerBlock: Bool) -> Int? {
        let stored = block.u64(0), computed = xe(block, pgno: pgno, headerBlock: headerBlock)
        let s = UInt32(truncatingIfNeeded: stored >> 32) ^ UInt32(truncatingIfNeeded: computed >> 32)
        let d = UInt32(truncatingIfNeeded: stored) ^ UInt32(truncatingIfNeeded: computed)
        let mask = UInt32(block.count * 8 - 1)
        guard s != 0, ((s >> 16) ^ s) & mask == mask, d.nonzeroBitCount == 1 else { return nil }
        let bit = Int(s & mask)
        guard bit >= (headerBlock ? 64 : 0), bit != 37 * 8 + 5 else { return nil }
        return bit
    }

    /// The same checksum, bit by bit, straight from the definition. For tests only.
    static func xeReference(_ block: UnsafeRawBufferPointer, pgno: UInt32, headerBlock: Bool) -> UInt64 {
        var ecc: UInt32 = 0
        var xor: UInt32 = 0
        for w in 0..<(block.count / 4) {
            let d: UInt32 = (headerBlock && w < 2) ? 0 : block.u32(w * 4)
            xor ^= d
            for k in 0..<32 where d & (1 << k) != 0 {
                let b = UInt32(w * 32 + k)
                ecc ^= b | ((~b & 0xFFFF) << 16)
            }
        }
        ecc &= UInt32(truncatingIfNeeded: (block.count << 19) - 1)
        return UInt64(ecc) << 32 | UInt64(xor ^ pgno)
    }
}
