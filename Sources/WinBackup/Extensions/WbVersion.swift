/// The library's version; include/winbackup.h carries the same numbers as macros, and the
/// conformance tests check that the two agree.
enum WinBackupVersion {
    static let major: UInt32 = 0
    static let minor: UInt32 = 1
    static let patch: UInt32 = 0
    static let number = major * 1_000_000 + minor * 1000 + patch
    static let string: StaticString = "0.1.0"
}

/// WbGetVersionNumber (WINBACKUP.@)
/// major * 1000000 + minor * 1000 + patch, as WINBACKUP_VERSION_NUMBER.
@c(WbGetVersionNumber)
public func WbGetVersionNumber() -> UInt32 {
    traced([], as: { CallResult.number(UInt64($0)) }) { WinBackupVersion.number }
}

/// WbGetVersionString (WINBACKUP.@)
/// "major.minor.patch", a static string, as WINBACKUP_VERSION.
@c(WbGetVersionString)
public func WbGetVersionString() -> UnsafePointer<CChar> {
    traced([], as: { CallResult.text(String(cString: $0)) }) {
        UnsafeRawPointer(WinBackupVersion.string.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
