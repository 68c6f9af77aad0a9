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

    @Test("legacy pages carry the XOR and the page number")
    func legacyPage() {
        var page = [UInt8](repeating: 0xA5, count: 8192)
        page.withUnsafeMutableBytes { $0.setU32(PageFormat.flagsOffset, 0x0002) }
        page.withUnsafeMutableBytes { PageFormat.seal($0, pgno: 5) }
        #expect(page.withUnsafeBytes { PageFormat.verify($0, pgno: 5) } == .valid)
        #expect(page.withUnsafeBytes { PageFormat.verify($0, pgno: 6) } == .wrongPage(found: 5))
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
    }
}
