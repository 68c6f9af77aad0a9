import BackupEngine

/// Strings from C callers: the A functions take UTF-8 (where Windows uses the ANSI code page),
/// the W functions UTF-16. A string must end within `maximumLength` units (32767, Windows'
/// longest path); an unpaired surrogate or invalid UTF-8 decodes to U+FFFD.
enum CString {
    static let maximumLength = 32767

    static func narrow(_ p: UnsafePointer<CChar>?, _ what: String) throws(BackupError) -> String {
        guard let p else { throw .nullArgument(what) }
        var n = 0
        while p[n] != 0 {
            n += 1
            guard n <= maximumLength * 3 else { throw .invalidParameter("\(what) is not terminated") }
        }
        return p.withMemoryRebound(to: UInt8.self, capacity: n) {
            String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
        }
    }

    static func wide(_ p: UnsafePointer<UInt16>?, _ what: String) throws(BackupError) -> String {
        guard let p else { throw .nullArgument(what) }
        var n = 0
        while p[n] != 0 {
            n += 1
            guard n <= maximumLength else { throw .invalidParameter("\(what) is not terminated") }
        }
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF16.self)
    }

    static func optionalNarrow(_ p: UnsafePointer<CChar>?, _ what: String) throws(BackupError) -> String? {
        p == nil ? nil : try narrow(p, what)
    }

    static func optionalWide(_ p: UnsafePointer<UInt16>?, _ what: String) throws(BackupError) -> String? {
        p == nil ? nil : try wide(p, what)
    }
}

/// Which string width an A/W pair is called with.
enum Encoding {
    case narrow, wide
}
