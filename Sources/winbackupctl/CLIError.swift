import BackupEngine

/// A failure the command line reports in one line, with a non-zero exit status.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
    init(_ error: BackupError) { description = error.description }
}

/// Names of the HRESULTs a backup through the C API can return, for messages.
enum HResultNames {
    static let names: [UInt32: String] = [
        0: "S_OK", 5: "ERROR_ACCESS_DENIED", 8: "ERROR_NOT_ENOUGH_MEMORY", 38: "ERROR_HANDLE_EOF",
        87: "ERROR_INVALID_PARAMETER", 0xC7FF_0001: "hrInvalidParam", 0xC7FF_0003: "hrInvalidHandle",
        0xC7FF_0005: "hrAlreadyOpen", 0xC7FF_0007: "hrCouldNotConnect", 0xC7FF_000F: "hrMissingExpiryToken",
        0xC7FF_0004: "hrRestoreInProgress", 0xC7FF_000C: "hrNoFullRestore",
        0xC7FF_0010: "hrUnknownExpiryTokenFormat", 0xC7FF_0011: "hrContentsExpired",
        0x8000_4003: "E_POINTER", 0x8007_0005: "E_ACCESSDENIED", 0x8007_0006: "E_HANDLE",
        0x8007_000E: "E_OUTOFMEMORY", 0x8007_0057: "E_INVALIDARG", 0x8007_06BA: "RPC_S_SERVER_UNAVAILABLE",
    ]

    static func describe(_ hr: Int32) -> String {
        let u = UInt32(bitPattern: hr)
        if let n = names[u] { return "\(n) (0x\(String(u, radix: 16, uppercase: true)))" }
        if u & 0xFFFF_0000 == 0xC800_0000 {
            let jet = -Int32(u & 0xFFFF)
            return "0x\(String(u, radix: 16, uppercase: true)) (\(JetErrorNames.name(jet)) \(jet))"
        }
        return "0x\(String(u, radix: 16, uppercase: true))"
    }
}
