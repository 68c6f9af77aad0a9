// Little-endian field access for the on-disk formats. Every format in this library is
// little-endian, as ESE's is; the engine refuses to build for a big-endian target.
#if _endian(big)
#error("winbackup's on-disk formats are little-endian; big-endian hosts are not supported")
#endif

extension UnsafeRawBufferPointer {
    @inline(__always) func u8(_ offset: Int) -> UInt8 { self[offset] }
    @inline(__always) func u16(_ offset: Int) -> UInt16 { loadUnaligned(fromByteOffset: offset, as: UInt16.self) }
    @inline(__always) func u32(_ offset: Int) -> UInt32 { loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    @inline(__always) func i32(_ offset: Int) -> Int32 { loadUnaligned(fromByteOffset: offset, as: Int32.self) }
    @inline(__always) func u64(_ offset: Int) -> UInt64 { loadUnaligned(fromByteOffset: offset, as: UInt64.self) }

    /// True when every byte is zero (a never-written page or segment).
    func isAllZero() -> Bool {
        var i = 0
        while i + 8 <= count {
            if loadUnaligned(fromByteOffset: i, as: UInt64.self) != 0 { return false }
            i += 8
        }
        while i < count {
            if self[i] != 0 { return false }
            i += 1
        }
        return true
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always) func setU8(_ offset: Int, _ v: UInt8) { self[offset] = v }
    @inline(__always) func setU16(_ offset: Int, _ v: UInt16) { storeBytes(of: v, toByteOffset: offset, as: UInt16.self) }
    @inline(__always) func setU32(_ offset: Int, _ v: UInt32) { storeBytes(of: v, toByteOffset: offset, as: UInt32.self) }
    @inline(__always) func setI32(_ offset: Int, _ v: Int32) { storeBytes(of: v, toByteOffset: offset, as: Int32.self) }
    @inline(__always) func setU64(_ offset: Int, _ v: UInt64) { storeBytes(of: v, toByteOffset: offset, as: UInt64.self) }

    func setBytes(_ offset: Int, _ bytes: some Collection<UInt8>) {
        var i = offset
        for b in bytes { self[i] = b; i += 1 }
    }
}

extension Array where Element == UInt8 {
    /// A zero-filled buffer of `count` bytes.
    init(zeros count: Int) { self.init(repeating: 0, count: count) }

    func u32(_ offset: Int) -> UInt32 { withUnsafeBytes { $0.u32(offset) } }

    /// withUnsafeBytes for bodies with typed throws (the standard one rethrows untyped).
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(BackupError) -> R) throws(BackupError) -> R {
        try typedThrows { try withUnsafeBytes { (p) throws(BackupError) -> R in try body(p) } }
    }

    mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(BackupError) -> R) throws(BackupError) -> R {
        try typedThrows { try withUnsafeMutableBytes { (p) throws(BackupError) -> R in try body(p) } }
    }
    func u64(_ offset: Int) -> UInt64 { withUnsafeBytes { $0.u64(offset) } }

    mutating func setU32(_ offset: Int, _ v: UInt32) { withUnsafeMutableBytes { $0.setU32(offset, v) } }
    mutating func setU64(_ offset: Int, _ v: UInt64) { withUnsafeMutableBytes { $0.setU64(offset, v) } }
}

/// Lower-case hexadecimal of some bytes.
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Bytes of a hexadecimal string (either case); nil if it is not one.
public func bytesFromHex(_ s: some StringProtocol) -> [UInt8]? {
    let u = Array(s.utf8)
    guard u.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
    var out = [UInt8]()
    out.reserveCapacity(u.count / 2)
    var i = 0
    while i < u.count {
        guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}

/// Runs a body whose only errors are BackupErrors through an API that rethrows untyped.
@inline(__always)
func typedThrows<R>(_ body: () throws -> R) throws(BackupError) -> R {
    do { return try body() } catch let error as BackupError { throw error } catch { fatalError("unexpected error: \(error)") }
}
