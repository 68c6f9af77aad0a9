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
    /// Those xors are gathered in one pass over 32-byte rows (a dword's index is 8*row + lane):
    /// lane bits come from the column sum, row bits from a reduction tree over groups of 8 rows.
    @inline(__always)
    static func xeParts(_ block: UnsafeRawBufferPointer, headerBlock: Bool) -> (xor: UInt32, ecc: UInt32) {
        let n = block.count
        precondition(n >= 256 && n <= 8192 && n % 256 == 0, "XE block size")
        typealias Row = SIMD8<UInt32>
        let base = block.baseAddress!
        @inline(__always) func row(_ offset: Int) -> Row { base.loadUnaligned(fromByteOffset: offset, as: Row.self) }

        var column = Row(), r0 = Row(), r1 = Row(), r2 = Row()
        var r3 = Row(), r4 = Row(), r5 = Row(), r6 = Row(), r7 = Row()
        var group = 0
        var offset = 0
        while offset < n {
            var v0 = row(offset)
            if offset == 0 && headerBlock { v0[0] = 0; v0[1] = 0 }
            let v1 = row(offset + 32), v2 = row(offset + 64), v3 = row(offset + 96)
            let v4 = row(offset + 128), v5 = row(offset + 160), v6 = row(offset + 192), v7 = row(offset + 224)
            let t01 = v0 ^ v1, t23 = v2 ^ v3, t45 = v4 ^ v5, t67 = v6 ^ v7
            r0 ^= v1 ^ v3 ^ v5 ^ v7           // rows with bit 0 set
            r1 ^= t23 ^ t67                   // rows with bit 1 set
            let t4567 = t45 ^ t67
            r2 ^= t4567                       // rows with bit 2 set
            let sum = t01 ^ t23 ^ t4567       // the 8 rows of this group
            column ^= sum
            if group & 1 != 0 { r3 ^= sum }
            if group & 2 != 0 { r4 ^= sum }
            if group & 4 != 0 { r5 ^= sum }
            if group & 8 != 0 { r6 ^= sum }
            if group & 16 != 0 { r7 ^= sum }
            group += 1
            offset += 256
        }

        @inline(__always) func fold(_ v: Row) -> UInt32 {
            let h = v.lowHalf ^ v.highHalf
            let q = h.lowHalf ^ h.highHalf
            return q[0] ^ q[1]
        }
        @inline(__always) func parity(_ v: UInt32) -> UInt32 { UInt32(v.nonzeroBitCount & 1) }

        let xor = fold(column)
        var index: UInt32 = 0
        index |= parity(xor & 0xAAAA_AAAA)
        index |= parity(xor & 0xCCCC_CCCC) << 1
        index |= parity(xor & 0xF0F0_F0F0) << 2
        index |= parity(xor & 0xFF00_FF00) << 3
        index |= parity(xor & 0xFFFF_0000) << 4
        // dword-index bits 0-2: the lane
        index |= parity(column[1] ^ column[3] ^ column[5] ^ column[7]) << 5
        index |= parity(column[2] ^ column[3] ^ column[6] ^ column[7]) << 6
        index |= parity(column[4] ^ column[5] ^ column[6] ^ column[7]) << 7
        // dword-index bits 3 and up: the row
        index |= parity(fold(r0)) << 8
        index |= parity(fold(r1)) << 9
        index |= parity(fold(r2)) << 10
        index |= parity(fold(r3)) << 11
        index |= parity(fold(r4)) << 12
        index |= parity(fold(r5)) << 13
        index |= parity(fold(r6)) << 14
        index |= parity(fold(r7)) << 15
        let complement: UInt32 = parity(xor) == 1 ? 0xFFFF : 0
        let mask = UInt32(truncatingIfNeeded: (n << 19) - 1)
        return (xor, (index | (index ^ complement) << 16) & mask)
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
