import BackupEngine

public typealias HRESULT = Int32

/// The result codes the Ntdsbcli and Certadm facades return (winerror.h, ntdsbmsg.h).
enum HR {
    static let ok: HRESULT = 0
    // Win32 codes, returned raw as the Ntdsbcli docs name them.
    static let accessDenied: HRESULT = 5            // ERROR_ACCESS_DENIED
    static let notEnoughMemory: HRESULT = 8         // ERROR_NOT_ENOUGH_MEMORY
    static let handleEOF: HRESULT = 38              // ERROR_HANDLE_EOF
    static let invalidParameter: HRESULT = 87       // ERROR_INVALID_PARAMETER
    static let insufficientBuffer: HRESULT = 122    // ERROR_INSUFFICIENT_BUFFER (Wb* only)
    // Backup-client codes (FACILITY_BACKUP).
    static let hrInvalidParam = HRESULT(bitPattern: 0xC7FF_0001)
    static let hrInvalidHandle = HRESULT(bitPattern: 0xC7FF_0003)
    static let hrRestoreInProgress = HRESULT(bitPattern: 0xC7FF_0004)
    static let hrAlreadyOpen = HRESULT(bitPattern: 0xC7FF_0005)
    static let hrCouldNotConnect = HRESULT(bitPattern: 0xC7FF_0007)
    static let hrMissingExpiryToken = HRESULT(bitPattern: 0xC7FF_000F)
    static let hrUnknownExpiryTokenFormat = HRESULT(bitPattern: 0xC7FF_0010)
    static let hrNoFullRestore = HRESULT(bitPattern: 0xC7FF_000C)
    static let hrContentsExpired = HRESULT(bitPattern: 0xC7FF_0011)
    // COM-style HRESULTs (winerror.h), which Certadm returns: its docs name no codes of its own.
    static let ePointer = HRESULT(bitPattern: 0x8000_4003)
    static let eAccessDenied = HRESULT(bitPattern: 0x8007_0005)
    static let eHandle = HRESULT(bitPattern: 0x8007_0006)
    static let eOutOfMemory = HRESULT(bitPattern: 0x8007_000E)
    static let eInvalidArg = HRESULT(bitPattern: 0x8007_0057)
    /// HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE): the CA is not running, or not there.
    static let rpcServerUnavailable = HRESULT(bitPattern: 0x8007_06BA)

    /// An ESE error passed through: 0xC8000000 | -JET_err.
    static func fromJet(_ err: Int32) -> HRESULT {
        HRESULT(bitPattern: 0xC800_0000 | UInt32(truncatingIfNeeded: -err) & 0xFFFF)
    }

    /// What Ntdsbcli returns for an engine error. One mapping for the whole facade; the few
    /// functions that answer differently for one case say so where they are.
    static func ntdsbcli(_ error: BackupError) -> HRESULT {
        switch error {
        case .invalidParameter, .nullArgument, .invalidHandle, .invalidPath, .invalidServerName: invalidParameter
        case .accessDenied: accessDenied
        case .outOfMemory: notEnoughMemory
        case .serverNotFound, .wrongRole, .serverOffline, .settingsCorrupt: hrCouldNotConnect
        case .fileAlreadyOpen: hrAlreadyOpen
        case .noFileOpen: hrInvalidHandle
        case .endOfFile: handleEOF
        case .missingExpiryToken: hrMissingExpiryToken
        case .unknownExpiryTokenFormat: hrUnknownExpiryTokenFormat
        case .contentsExpired: hrContentsExpired
        case .restoreInProgress: hrRestoreInProgress
        case .noFullRestore: hrNoFullRestore
        default: fromJet(error.jetErr)
        }
    }

    /// What Certadm returns for an engine error: COM codes for the caller's mistakes, the RPC
    /// error for a CA it cannot reach, ntdsbmsg.h codes for the rest (as certutil reports them).
    static func certadm(_ error: BackupError) -> HRESULT {
        switch error {
        case .nullArgument: ePointer
        case .invalidParameter, .invalidPath, .invalidServerName, .invalidGrbit: eInvalidArg
        case .invalidHandle: eHandle
        case .accessDenied: eAccessDenied
        case .outOfMemory: eOutOfMemory
        case .serverNotFound, .wrongRole, .serverOffline, .settingsCorrupt: rpcServerUnavailable
        case .fileAlreadyOpen: hrAlreadyOpen
        case .noFileOpen: hrInvalidHandle
        case .restoreInProgress: hrRestoreInProgress
        case .noFullRestore: hrNoFullRestore
        default: fromJet(error.jetErr)
        }
    }
}
