/// JSON text for trace lines, written by hand (no Foundation in the library). Strings come from
/// C callers and may be malformed: an invalid UTF-8 byte b is written \udcXX (Python's
/// surrogateescape), an unpaired UTF-16 surrogate as its own \uXXXX escape, so nothing is lost.
enum JSONText {
    static let maximumUnits = 32767

    static func hex(_ v: UInt64) -> String { "\"0x" + String(v, radix: 16, uppercase: true) + "\"" }

    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars { append(scalar.value, to: &out) }
        return out + "\""
    }

    /// A NUL-terminated UTF-8 string.
    static func narrow(_ p: UnsafeRawPointer) -> String {
        let bytes = p.assumingMemoryBound(to: UInt8.self)
        var n = 0
        while bytes[n] != 0, n < maximumUnits * 3 { n += 1 }
        var out = "\""
        var i = 0
        while i < n {
            let (scalar, length) = decodeUTF8(bytes, i, n)
            if let scalar { append(scalar, to: &out) } else { escape(0xDC00 | UInt32(bytes[i]), to: &out) }
            i += length
        }
        return out + "\""
    }

    /// A NUL-terminated UTF-16 string.
    static func wide(_ p: UnsafeRawPointer) -> String {
        let units = p.assumingMemoryBound(to: UInt16.self)
        var n = 0
        while units[n] != 0, n < maximumUnits { n += 1 }
        var out = "\""
        var i = 0
        while i < n {
            let u = UInt32(units[i])
            if (0xD800..<0xDC00).contains(u), i + 1 < n, (0xDC00..<0xE000).contains(UInt32(units[i + 1])) {
                append(0x10000 + ((u - 0xD800) << 10) + (UInt32(units[i + 1]) - 0xDC00), to: &out)
                i += 2
            } else {
                if (0xD800..<0xE000).contains(u) { escape(u, to: &out) } else { append(u, to: &out) }
                i += 1
            }
        }
        return out + "\""
    }

    /// The scalar at `i` and its length, or nil and 1 for a byte that does not start a well-formed
    /// sequence (Unicode table 3-7).
    private static func decodeUTF8(_ b: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> (UInt32?, Int) {
        let lead = b[i]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let (length, low, high): (Int, UInt8, UInt8) = switch lead {
        case 0xC2...0xDF: (2, 0x80, 0xBF)
        case 0xE0: (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80, 0xBF)
        case 0xED: (3, 0x80, 0x9F)
        case 0xF0: (4, 0x90, 0xBF)
        case 0xF1...0xF3: (4, 0x80, 0xBF)
        case 0xF4: (4, 0x80, 0x8F)
        default: (0, 0, 0)
        }
        guard length > 0, i + length <= n, (low...high).contains(b[i + 1]) else { return (nil, 1) }
        var scalar = UInt32(lead) & (0xFF >> (length + 1))
        scalar = scalar << 6 | UInt32(b[i + 1] & 0x3F)
        for k in 2..<max(length, 2) {
            guard b[i + k] & 0xC0 == 0x80 else { return (nil, 1) }
            scalar = scalar << 6 | UInt32(b[i + k] & 0x3F)
        }
        return (scalar, length)
    }

    private static func append(_ scalar: UInt32, to out: inout String) {
        switch scalar {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0..<0x20, 0x7F: escape(scalar, to: &out)
        default: out.unicodeScalars.append(Unicode.Scalar(scalar)!)
        }
    }

    private static func escape(_ unit: UInt32, to out: inout String) {
        let h = String(unit, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }
}
