import CWinBackup

// SHA-256 (FIPS 180-4). Used for the manifest's file checksums and the database digest, so a
// backup set can be checked with any standard tool (sha256sum, Python's hashlib). The
// compression function is CWinBackup's sha256.c (SHA extensions where the CPU has them); this
// type buffers the input and does the padding.

public struct SHA256: Sendable {
    public static let digestSize = 32

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    private var pending = [UInt8]()
    private var length: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        withUnsafeMutableBytes(of: &state) { s in
            wb_sha256_blocks(s.baseAddress!.assumingMemoryBound(to: UInt32.self), data, blocks)
        }
    }

    public mutating func update(_ data: UnsafeRawBufferPointer) {
        guard data.count > 0 else { return }
        length &+= UInt64(data.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, data.count)
            pending.append(contentsOf: data[0..<take])
            offset = take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let blocks = (data.count - offset) / 64
        if blocks > 0 {
            compress(data.baseAddress! + offset, blocks: blocks)
            offset += blocks * 64
        }
        if offset < data.count { pending.append(contentsOf: data[offset...]) }
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    public consuming func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        tail.withUnsafeBytes { compress($0.baseAddress!, blocks: $0.count / 64) }
        var out = [UInt8]()
        out.reserveCapacity(32)
        for word in [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7] {
            out.append(UInt8(truncatingIfNeeded: word >> 24))
            out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8))
            out.append(UInt8(truncatingIfNeeded: word))
        }
        return out
    }

    public static func hash(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        var h = SHA256()
        h.update(data)
        return h.finalize()
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { hash($0) } }
}
