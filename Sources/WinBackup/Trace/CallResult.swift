import BackupEngine

/// What an exported call returned, as trace lines and strict reports name it.
enum CallResult {
    case hresult(HRESULT)
    case jet(JET_ERR)
    case none               // a void function
    case number(UInt64)     // WbGetVersionNumber
    case text(String)       // WbGetVersionString

    /// The result of a void function.
    static func void(_: ()) -> CallResult { .none }

    var succeeded: Bool {
        switch self {
        case .hresult(let hr): hr == 0 || hr == 1  // S_OK, S_FALSE; Ntdsbcli returns Win32 errors as positive values
        case .jet(let err): err >= 0
        default: true
        }
    }

    var name: String? {
        switch self {
        case .hresult(let hr): ResultNames.hresult(hr)
        case .jet(let err): JetErrorNames.name(err)
        default: nil
        }
    }

    /// {"name": …, "value": …} (an HRESULT also as "hex"), or null for a void function.
    var json: String {
        switch self {
        case .hresult(let hr):
            let u = UInt32(bitPattern: hr)
            return "{\"name\":\(JSONText.string(name!)),\"value\":\(u),\"hex\":\(JSONText.hex(UInt64(u)))}"
        case .jet(let err): return "{\"name\":\(JSONText.string(name!)),\"value\":\(err)}"
        case .none: return "null"
        case .number(let n): return "{\"value\":\(n)}"
        case .text(let s): return "{\"value\":\(JSONText.string(s))}"
        }
    }

    /// A refusal because of the order of calls: the session is not in the state the call needs.
    var isSequenceError: Bool {
        switch self {
        case .hresult(let hr): ResultNames.sequenceErrors.contains(UInt32(bitPattern: hr))
        case .jet(let err): [-520, -521, -1011].contains(err)  // NoBackup, InvalidBackupSequence, a second open
        default: false
        }
    }
}

/// Names of the HRESULTs the facades return: winerror.h and ntdsbmsg.h names; an ESE error
/// passed through (0xC8000000 | -err) that ntdsbmsg.h does not name is called by its JET_err name.
enum ResultNames {
    static let names: [UInt32: String] = [
        0: "S_OK", 1: "S_FALSE", 5: "ERROR_ACCESS_DENIED", 8: "ERROR_NOT_ENOUGH_MEMORY", 38: "ERROR_HANDLE_EOF",
        87: "ERROR_INVALID_PARAMETER", 122: "ERROR_INSUFFICIENT_BUFFER",
        0xC7FF_0001: "hrInvalidParam", 0xC7FF_0003: "hrInvalidHandle", 0xC7FF_0004: "hrRestoreInProgress",
        0xC7FF_0005: "hrAlreadyOpen", 0xC7FF_0007: "hrCouldNotConnect", 0xC7FF_000C: "hrNoFullRestore",
        0xC7FF_000F: "hrMissingExpiryToken", 0xC7FF_0010: "hrUnknownExpiryTokenFormat", 0xC7FF_0011: "hrContentsExpired",
        0x8000_4003: "E_POINTER", 0x8007_0005: "E_ACCESSDENIED", 0x8007_0006: "E_HANDLE",
        0x8007_000E: "E_OUTOFMEMORY", 0x8007_0057: "E_INVALIDARG", 0x8007_06BA: "RPC_S_SERVER_UNAVAILABLE",
    ]

    /// The ESE errors whose ntdsbmsg.h name is "hr" + the name after "JET_err", same value.
    static let ntdsbmsgNamed: Set<Int32> = [
        -501, -504, -505, -520, -521, -523, -526, -528, -530, -531, -556, -560, -1003, -1011, -1018, -1022, -1023,
        -1029, -1030, -1032, -1038, -1202, -1203, -1206, -1808, -1809, -1811, -1852, -1907,
    ]

    /// hrNoBackup, hrInvalidBackupSequence, hrAlreadyOpen, hrInvalidHandle (Read or Close with no file open).
    static let sequenceErrors: Set<UInt32> = [0xC800_0208, 0xC800_0209, 0xC7FF_0005, 0xC7FF_0003]

    static func hresult(_ hr: HRESULT) -> String {
        let u = UInt32(bitPattern: hr)
        if let name = names[u] { return name }
        if u & 0xFFFF_0000 == 0xC800_0000 {
            let err = -Int32(u & 0xFFFF)
            let jet = JetErrorNames.name(err)
            return ntdsbmsgNamed.contains(err) ? "hr" + jet.dropFirst("JET_err".count) : jet
        }
        return "0x" + String(u, radix: 16, uppercase: true)
    }
}
