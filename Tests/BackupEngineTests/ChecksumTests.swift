import CWinBackup
import Testing
@testable import BackupEngine

@Suite("ESE checksums")
struct ChecksumTests {
    @Test("the fast XE checksum equals the bit-by-bit definition", arguments: [1024, 2048, 4096, 8192])
    func xeMatchesReference(blockSize: Int) {
        var generator = ContentGenerator(seed: UInt64(blockSize))
        for trial in 0..<20 {
            var block = [UInt8](repeating: 0, count: blockSize)
            block.withUnsafeMutableBytes { generator.fill($0) }
            if trial % 5 == 0 { for i in stride(from: 0, to: blockSize, by: 3) { block[i] = 0 } }  // sparse bits too
            for header in [true, false] {
                let pgno = UInt32(trial * 7 + 1)
                let fast = block.withUnsafeBytes { ESEChecksum.xe($0, pgno: pgno, headerBlock: header) }
                let slow = block.withUnsafeBytes { ESEChecksum.xeReference($0, pgno: pgno, headerBlock: header) }
                #expect(fast == slow, "block \(blockSize) trial \(trial) header \(header)")
            }
        }
    }

    @Test("each compiled kernel (16-byte rows, AVX2 where the CPU has it) equals the definition", arguments: [0, 1])
    func kernels(kernel: Int32) {
        var generator = ContentGenerator(seed: 99)
        for size in [1024, 2048, 4096, 8192] {
            for header in [0, 1] {
                var block = [UInt8](repeating: 0, count: size)
                block.withUnsafeMutableBytes { generator.fill($0) }
                var x: UInt32 = 0, ecc: UInt32 = 0
                guard block.withUnsafeBytes({ wb_xe_parts_kernel(kernel, $0.baseAddress, size, Int32(header), &x, &ecc) }) == 1 else { return }
                let expected = block.withUnsafeBytes { ESEChecksum.xeReference($0, pgno: 0, headerBlock: header == 1) }
                #expect(UInt64(ecc) << 32 | UInt64(x) == expected, "kernel \(kernel), \(size) bytes, header \(header)")
            }
        }
    }

    @Test("an all-zero block stores exactly its page number")
    func zeroBlock() {
        let block = [UInt8](repeating: 0, count: 8192)
        #expect(block.withUnsafeBytes { ESEChecksum.xe($0, pgno: 9, headerBlock: false) } == 9)
    }

    @Test("a sealed page verifies; one flipped bit or another place fails", arguments: [4096, 8192, 16384, 32768])
    func sealAndVerify(pageSize: Int) {
        var page = [UInt8](repeating: 0, count: pageSize)
        page.withUnsafeMutableBytes { SimulatedPage.make($0, pgno: 42, dbtime: 7, seed: 1) }
        #expect(page.withUnsafeBytes { PageFormat.verify($0, pgno: 42) } == .valid)
        #expect(page.withUnsafeBytes { PageFormat.verify($0, pgno: 43) } == .wrongPage(found: 42))
        var flipped = page
        flipped[pageSize / 2] ^= 0x10
        #expect(flipped.withUnsafeBytes { PageFormat.verify($0, pgno: 42) } == .badChecksum)
        let zero = [UInt8](repeating: 0, count: pageSize)
        #expect(zero.withUnsafeBytes { PageFormat.verify($0, pgno: 1) } == .uninitialized)
    }

    @Test("the ECC names the one flipped bit of a block; two bits, the checksum field and the format flag are not correctable")
    func singleBitCorrection() {
        var block = [UInt8](repeating: 0, count: 4096)
        var generator = ContentGenerator(seed: 5)
        block.withUnsafeMutableBytes { generator.fill($0) }
        block[37] |= 0x20  // the format flag set, as in a log segment
        let sealed = block.withUnsafeBytes { ESEChecksum.xe($0, pgno: 3, headerBlock: true) }
        withUnsafeBytes(of: sealed.littleEndian) { for i in 0..<8 { block[i] = $0[i] } }
        #expect(block.withUnsafeBytes { ESEChecksum.correctableBit($0, pgno: 3, headerBlock: true) } == nil)
        for bit in [64, 1000, 9872, 32767] {
            var flipped = block
            flipped[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(flipped.withUnsafeBytes { ESEChecksum.correctableBit($0, pgno: 3, headerBlock: true) } == bit)
            flipped[(bit + 100) % 4096 / 8 + 8] ^= 0x01
            #expect(flipped.withUnsafeBytes { ESEChecksum.correctableBit($0, pgno: 3, headerBlock: true) } == nil, "two bits")
        }
        var flag = block
        flag[37] ^= 0x20
        #expect(flag.withUnsafeBytes { ESEChecksum.correctableBit($0, pgno: 3, headerBlock: true) } == nil, "the format flag")
    }

    @Test("legacy pages carry the XOR and the page number")
    func legacyPage() {
        var page = [UInt8](repeating: 0xA5, count: 8192)
        page.withUnsafeMutableBytes { $0.setU32(PageFormat.flagsOffset, 0x0002) }
        page.withUnsafeMutableBytes { PageFormat.seal($0, pgno: 5) }
        #expect(page.withUnsafeBytes { PageFormat.verify($0, pgno: 5) } == .valid)
        #expect(page.withUnsafeBytes { PageFormat.verify($0, pgno: 6) } == .wrongPage(found: 5))
    }

    @Test("both SHA-256 kernels (portable, SHA extensions where the CPU has them) agree on random data", arguments: [0, 1])
    func shaKernels(kernel: Int32) {
        var generator = ContentGenerator(seed: 5)
        var data = [UInt8](repeating: 0, count: 64 * 37)
        data.withUnsafeMutableBytes { generator.fill($0) }
        var expected: [UInt32] = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
        var got = expected
        _ = data.withUnsafeBytes { wb_sha256_blocks_kernel(0, &expected, $0.baseAddress, 37) }
        guard data.withUnsafeBytes({ wb_sha256_blocks_kernel(kernel, &got, $0.baseAddress, 37) }) == 1 else { return }
        #expect(got == expected)
    }

    @Test("SHA-256 of the standard test vectors")
    func sha256Vectors() {
        #expect(hexString(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hexString(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hexString(SHA256.hash(million)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        var split = SHA256()
        split.update(Array("ab".utf8)); split.update(Array("c".utf8))
        #expect(hexString(split.finalize()) == hexString(SHA256.hash(Array("abc".utf8))))
        // 448 bits: the padding needs a second block
        #expect(hexString(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var pieces = SHA256()
        for chunk in stride(from: 0, to: million.count, by: 997) { pieces.update(Array(million[chunk..<min(chunk + 997, million.count)])) }
        #expect(hexString(pieces.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

@Suite("owned space of real ESE databases")
struct OwnedSpaceTests {
    @Test("the emulator's own databases have no space tree: the file's size counts")
    func ownDatabase() throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let db = try DatabaseFile.open(server.localPath(try server.settings().databases[0]))
        #expect(OwnedSpace.lastOwnedPage(db) == nil)
        #expect(try db.databaseLastPage() == (try db.pgnoLast()))
    }

    @Test("garbage in the root page and its tags never crashes", arguments: 0..<40)
    func garbage(seed: Int) throws {
        let root = TemporaryRoot()
        let server = try root.server()
        let db = try DatabaseFile.open(server.localPath(try server.settings().databases[0]), forUpdate: true)
        var generator = ContentGenerator(seed: UInt64(seed + 1))
        for pgno: UInt32 in 1...4 {
            var page = [UInt8](repeating: 0, count: 8192)
            page.withUnsafeMutableBytes { generator.fill($0) }
            page.withUnsafeMutableBytes { p in
                p.setU32(PageFormat.flagsOffset, ESEChecksum.newChecksumFlag | (pgno == 1 ? 0x1 : 0x2))
                p.setU16(34, UInt16(seed * 37 % 4096))
                PageFormat.seal(p, pgno: pgno)
            }
            try db.writePage(pgno, page)
        }
        let fileLast = try db.pgnoLast()
        if let last = OwnedSpace.lastOwnedPage(db) { #expect(last <= fileLast) }
    }
}
