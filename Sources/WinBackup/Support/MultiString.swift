import BackupEngine

/// The name lists of Ntdsbcli and Certadm: each entry is an optional type character (BFT) and a
/// path, NUL-terminated; one more NUL ends the list. The size is in bytes, final NUL included.
/// A functions produce UTF-8, W functions UTF-16.
enum MultiString {
    struct Entry {
        var type: UInt8?
        var text: String
    }

    /// Bytes of the list in the given encoding.
    static func encode(_ entries: [Entry], _ encoding: Encoding) -> [UInt8] {
        var out = [UInt8]()
        switch encoding {
        case .narrow:
            for e in entries {
                if let t = e.type { out.append(t) }
                out += Array(e.text.utf8)
                out.append(0)
            }
            out.append(0)
        case .wide:
            func put(_ u: UInt16) { out.append(UInt8(u & 0xFF)); out.append(UInt8(u >> 8)) }
            for e in entries {
                if let t = e.type { put(UInt16(t)) }
                for u in e.text.utf16 { put(u) }
                put(0)
            }
            put(0)
        }
        return out
    }

    /// Allocates the list as a library buffer; returns it and its size in bytes.
    static func allocate(_ entries: [Entry], _ encoding: Encoding) throws(BackupError) -> (UnsafeMutableRawPointer, UInt32) {
        let bytes = encode(entries, encoding)
        return (try LibraryBuffers.copy(bytes), UInt32(bytes.count))
    }
}
