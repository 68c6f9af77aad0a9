/// A JSON value, parsed by hand (no Foundation): enough for the trace lines libwinbackup writes.
/// \uXXXX escapes of unpaired surrogates (how the trace writes malformed strings) become U+FFFD.
enum JSONValue {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([(String, JSONValue)])

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var number: Double? { if case .number(let n) = self { n } else { nil } }

    static func parse(_ text: String) -> JSONValue? {
        var p = Parser(Array(text.utf8))
        guard let v = p.value() else { return nil }
        p.skipSpace()
        return p.i == p.b.count ? v : nil
    }

    private struct Parser {
        let b: [UInt8]
        var i = 0
        init(_ b: [UInt8]) { self.b = b }

        mutating func skipSpace() { while i < b.count, [0x20, 0x09, 0x0A, 0x0D].contains(b[i]) { i += 1 } }

        mutating func literal(_ word: String, _ v: JSONValue) -> JSONValue? {
            let w = Array(word.utf8)
            guard i + w.count <= b.count, Array(b[i..<i + w.count]) == w else { return nil }
            i += w.count
            return v
        }

        mutating func value() -> JSONValue? {
            skipSpace()
            guard i < b.count else { return nil }
            switch b[i] {
            case UInt8(ascii: "n"): return literal("null", .null)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "\""): return string().map { .string($0) }
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "{"): return object()
            default: return number()
            }
        }

        mutating func number() -> JSONValue? {
            let start = i
            while i < b.count, "+-0123456789.eE".utf8.contains(b[i]) { i += 1 }
            return Double(String(decoding: b[start..<i], as: UTF8.self)).map { .number($0) }
        }

        mutating func string() -> String? {
            i += 1
            var units: [UInt16] = []
            var bytes: [UInt8] = []
            func flush() { units += String(decoding: bytes, as: UTF8.self).utf16; bytes = [] }
            while i < b.count {
                let c = b[i]
                i += 1
                if c == UInt8(ascii: "\"") { flush(); return String(decoding: units, as: UTF16.self) }
                guard c == UInt8(ascii: "\\") else { bytes.append(c); continue }
                guard i < b.count else { return nil }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= b.count, let u = UInt16(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16) else { return nil }
                    i += 4
                    flush()
                    units.append(u)
                default: bytes.append(e)
                }
            }
            return nil
        }

        mutating func array() -> JSONValue? {
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                guard let v = value() else { return nil }
                items.append(v)
                skipSpace()
                guard i < b.count else { return nil }
                i += 1
                if b[i - 1] == UInt8(ascii: "]") { return .array(items) }
                guard b[i - 1] == UInt8(ascii: ",") else { return nil }
            }
        }

        mutating func object() -> JSONValue? {
            i += 1
            var members: [(String, JSONValue)] = []
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\""), let key = string() else { return nil }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let v = value() else { return nil }
                members.append((key, v))
                skipSpace()
                guard i < b.count else { return nil }
                i += 1
                if b[i - 1] == UInt8(ascii: "}") { return .object(members) }
                guard b[i - 1] == UInt8(ascii: ",") else { return nil }
            }
        }
    }
}
