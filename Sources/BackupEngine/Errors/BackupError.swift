import Glibc

/// Every failure of the engine, each with its ESE error (JET_ERR). The facades map these to
/// what their DLL returns: Ntdsbcli and Certadm HRESULTs, esent JET_ERRs. Nothing else is thrown.
public enum BackupError: Error, Equatable, Sendable {
    // Caller mistakes.
    case invalidParameter(String)
    /// A NULL pointer where one is required (Certadm's E_POINTER; an invalid parameter elsewhere).
    case nullArgument(String)
    case invalidHandle
    case invalidGrbit
    case invalidPath(String)
    case accessDenied(String)
    case outOfMemory

    // Servers.
    case invalidServerName(String)
    case serverNotFound(String)
    case serverExists(String)
    case wrongRole(server: String, role: String)
    case serverOffline(String)
    case serverOnline(String)
    /// JetInit twice, or a parameter that only JetInit reads set after it.
    case alreadyInitialized
    /// An instance used before JetInit.
    case notInitialized
    /// Legacy (one-instance) and multi-instance use of the Jet API mixed in one process.
    case runningInOneInstanceMode
    case runningInMultiInstanceMode
    /// JetCreateInstance with the name of a live instance.
    case instanceNameInUse(String)
    /// A caller's buffer too small for a value (JetGetSystemParameter).
    case bufferTooSmall(needed: Int)
    case settingsCorrupt(path: String, reason: String)

    // The backup state machine (ESE-BEHAVIOUR.md §A.2).
    case backupInProgress
    case noBackup
    case invalidBackupSequence(String)
    case backupAbortByServer
    case invalidBackup(String)
    case missingFullBackup
    case fileAlreadyOpen
    case noFileOpen
    case databaseNotFound(String)
    case missingFileToBackup(String)
    case logFileNotCopied(generation: UInt32)
    /// JetBackup of a full backup into a folder that holds files.
    case backupDirectoryNotEmpty(String)
    /// Not an ESE condition: the Ntdsbcli facade's ERROR_HANDLE_EOF.
    case endOfFile

    // Restore (ESE-BEHAVIOUR.md §B, API-FACTS.md §1.4-1.6).
    case missingExpiryToken
    case unknownExpiryTokenFormat
    case contentsExpired(backupTime: Int64, lifetimeDays: Int)
    case restoreInProgress(String)
    /// An incremental restore registered before any full one (hrNoFullRestore).
    case noFullRestore
    case softRecoveryOnBackupDatabase(String)
    case startingRestoreLogTooHigh(genLow: UInt32, needed: UInt32)
    case endingRestoreLogTooLow(genHigh: UInt32, needed: UInt32)
    case givenLogFileIsNotContiguous(String)
    case badLogSignature(String)
    case badDbSignature(String)
    case logFileCorrupt(String)
    case restoreOfNonBackupDatabase(String)

    // Integrity.
    case readVerifyFailure(file: String, pgno: UInt32)
    case readPgnoVerifyFailure(file: String, pgno: UInt32, found: UInt32)
    case logReadVerifyFailure(file: String, offset: Int)
    case databaseCorrupted(String)
    case logCorrupted(String)
    case missingLogFile(String)

    // Files.
    case fileNotFound(String)
    case diskFull(String)
    case permissionDenied(String)
    case diskIO(operation: String, path: String, errno: Int32)

    /// The ESE error (jethdr.w values).
    public var jetErr: Int32 {
        switch self {
        case .invalidParameter, .nullArgument, .invalidHandle, .noFileOpen, .invalidServerName: -1003  // JET_errInvalidParameter
        case .invalidGrbit: -900              // JET_errInvalidGrbit
        case .invalidPath: -1023              // JET_errInvalidPath
        case .accessDenied: -1907             // JET_errAccessDenied
        case .outOfMemory, .fileAlreadyOpen: -1011  // JET_errOutOfMemory (ESE's answer to a second open)
        case .serverNotFound, .wrongRole: -1090     // JET_errInstanceUnavailable
        case .serverExists: -1086             // JET_errInstanceNameInUse
        case .serverOffline: -1029            // JET_errNotInitialized
        case .serverOnline: -1202             // JET_errDatabaseInUse
        case .alreadyInitialized: -1030       // JET_errAlreadyInitialized
        case .notInitialized: -1029           // JET_errNotInitialized
        case .runningInOneInstanceMode: -1080 // JET_errRunningInOneInstanceMode
        case .runningInMultiInstanceMode: -1081  // JET_errRunningInMultiInstanceMode
        case .instanceNameInUse: -1086        // JET_errInstanceNameInUse
        case .bufferTooSmall: -1038           // JET_errBufferTooSmall
        case .settingsCorrupt: -1206          // JET_errDatabaseCorrupted
        case .backupInProgress: -505          // JET_errBackupInProgress
        case .noBackup: -520                  // JET_errNoBackup
        case .invalidBackupSequence: -521     // JET_errInvalidBackupSequence
        case .backupAbortByServer: -801       // JET_errBackupAbortByServer
        case .invalidBackup: -526             // JET_errInvalidBackup
        case .missingFullBackup: -560         // JET_errMissingFullBackup
        case .databaseNotFound: -1203         // JET_errDatabaseNotFound
        case .missingFileToBackup: -569       // JET_errMissingFileToBackup
        case .logFileNotCopied: -616          // JET_errLogFileNotCopied
        case .backupDirectoryNotEmpty: -504   // JET_errBackupDirectoryNotEmpty
        case .endOfFile: -1003                // not an ESE condition; facades handle it
        case .missingExpiryToken, .unknownExpiryTokenFormat, .contentsExpired, .noFullRestore: -1003  // client-side hr codes
        case .restoreInProgress: -506         // JET_errRestoreInProgress
        case .softRecoveryOnBackupDatabase: -544  // JET_errSoftRecoveryOnBackupDatabase
        case .startingRestoreLogTooHigh: -554 // JET_errStartingRestoreLogTooHigh
        case .endingRestoreLogTooLow: -553    // JET_errEndingRestoreLogTooLow
        case .givenLogFileIsNotContiguous: -556  // JET_errGivenLogFileIsNotContiguous
        case .badLogSignature: -530           // JET_errBadLogSignature
        case .badDbSignature: -531            // JET_errBadDbSignature
        case .logFileCorrupt: -501            // JET_errLogFileCorrupt
        case .restoreOfNonBackupDatabase: -615  // JET_errRestoreOfNonBackupDatabase
        case .readVerifyFailure: -1018        // JET_errReadVerifyFailure
        case .readPgnoVerifyFailure: -1118    // JET_errReadPgnoVerifyFailure
        case .logReadVerifyFailure: -612      // JET_errLogReadVerifyFailure
        case .databaseCorrupted: -1206        // JET_errDatabaseCorrupted
        case .logCorrupted: -1852             // JET_errLogCorrupted
        case .missingLogFile: -528            // JET_errMissingLogFile
        case .fileNotFound: -1811             // JET_errFileNotFound
        case .diskFull: -1808                 // JET_errDiskFull
        case .permissionDenied: -1032         // JET_errFileAccessDenied: ESE's answer to ERROR_ACCESS_DENIED from the OS
        case .diskIO: -1022                   // JET_errDiskIO
        }
    }

    /// The ESE name of `jetErr`.
    public var jetName: String { JetErrorNames.name(jetErr) }

    /// An I/O failure from errno, classified as ESE does.
    public static func io(_ operation: String, _ path: String, _ code: Int32) -> BackupError {
        switch code {
        case ENOENT: .fileNotFound(path)
        case ENOSPC, EDQUOT: .diskFull(path)
        case EACCES, EPERM, EROFS: .permissionDenied(path)
        case ENOMEM: .outOfMemory
        default: .diskIO(operation: operation, path: path, errno: code)
        }
    }
}

extension BackupError: CustomStringConvertible {
    /// One line for people: what failed, the ESE code, and the file where there is one.
    public var description: String {
        let what: String = switch self {
        case .invalidParameter(let why): "invalid parameter: \(why)"
        case .nullArgument(let what): "\(what) is NULL"
        case .invalidHandle: "invalid handle"
        case .invalidGrbit: "invalid grbit"
        case .invalidPath(let p): "invalid path: \(p)"
        case .accessDenied(let why): "access denied: \(why)"
        case .outOfMemory: "out of memory"
        case .invalidServerName(let n): "invalid server name '\(n)'"
        case .serverNotFound(let n): "no server named '\(n)'"
        case .serverExists(let n): "a server named '\(n)' already exists"
        case .wrongRole(let s, let r): "server '\(s)' is not a \(r) server"
        case .serverOffline(let n): "server '\(n)' is offline"
        case .serverOnline(let n): "server '\(n)' is online"
        case .alreadyInitialized: "the instance is already initialized (JetInit)"
        case .notInitialized: "the instance is not initialized (JetInit)"
        case .runningInOneInstanceMode: "the process uses the Jet API in legacy one-instance mode"
        case .runningInMultiInstanceMode: "the process uses the Jet API in multi-instance mode (JetCreateInstance)"
        case .instanceNameInUse(let n): "an instance named '\(n)' exists"
        case .bufferTooSmall(let n): "the buffer is too small (\(n) bytes needed)"
        case .settingsCorrupt(let p, let why): "settings file \(p): \(why)"
        case .backupInProgress: "a backup of this server is already in progress"
        case .noBackup: "no backup is in progress"
        case .invalidBackupSequence(let why): "call out of sequence: \(why)"
        case .backupAbortByServer: "the server stopped the backup"
        case .invalidBackup(let why): "invalid backup: \(why)"
        case .missingFullBackup: "no previous full backup"
        case .fileAlreadyOpen: "a backup file is already open"
        case .noFileOpen: "no backup file is open"
        case .databaseNotFound(let n): "not a database of this backup: \(n)"
        case .missingFileToBackup(let n): "file to back up is missing: \(n)"
        case .logFileNotCopied(let g): "log generation \(g) was not read to its end"
        case .backupDirectoryNotEmpty(let d): "the backup folder \(d) is not empty"
        case .endOfFile: "end of file"
        case .missingExpiryToken: "this restore was prepared without an expiry token"
        case .unknownExpiryTokenFormat: "the expiry token is not one of winbackup's, or it is damaged"
        case .contentsExpired(let t, let days): "the backup of \(formatUTC(t)) is older than the tombstone lifetime (\(days) days)"
        case .restoreInProgress(let why): "restore in progress: \(why)"
        case .noFullRestore: "an incremental restore needs a full restore registered first"
        case .softRecoveryOnBackupDatabase(let f): "\(f) is a restored backup; it needs a registered restore (hard recovery)"
        case .startingRestoreLogTooHigh(let low, let needed): "the restore starts at log generation \(low); the database needs \(needed)"
        case .endingRestoreLogTooLow(let high, let needed): "the restore ends at log generation \(high); the database needs \(needed)"
        case .givenLogFileIsNotContiguous(let f): "\(f) does not follow the log before it"
        case .badLogSignature(let f): "\(f) belongs to another log stream (another server)"
        case .badDbSignature(let f): "\(f) does not belong to the database being restored"
        case .logFileCorrupt(let f): "\(f) is damaged"
        case .restoreOfNonBackupDatabase(let f): "\(f) is not a restored backup (was it copied?)"
        case .readVerifyFailure(let f, let pgno): "page \(pgno) of \(f) fails its checksum"
        case .readPgnoVerifyFailure(let f, let pgno, let found): "page \(pgno) of \(f) holds page \(found)"
        case .logReadVerifyFailure(let f, let off): "log \(f) is damaged at offset \(off)"
        case .databaseCorrupted(let why): "database corrupted: \(why)"
        case .logCorrupted(let why): "log corrupted: \(why)"
        case .missingLogFile(let p): "log file missing: \(p)"
        case .fileNotFound(let p): "file not found: \(p)"
        case .diskFull(let p): "disk full writing \(p)"
        case .permissionDenied(let p): "permission denied: \(p)"
        case .diskIO(let op, let p, let e): "\(op) \(p): \(String(cString: strerror(e)))"
        }
        return "\(what) (\(jetName) \(jetErr))"
    }
}

/// Names of the ESE errors this library returns.
public enum JetErrorNames {
    public static let all: [Int32: String] = [
        0: "JET_errSuccess",
        -501: "JET_errLogFileCorrupt", -504: "JET_errBackupDirectoryNotEmpty", -505: "JET_errBackupInProgress", -544: "JET_errSoftRecoveryOnBackupDatabase", -506: "JET_errRestoreInProgress", -520: "JET_errNoBackup",
        -521: "JET_errInvalidBackupSequence", -523: "JET_errBackupNotAllowedYet", -526: "JET_errInvalidBackup",
        -528: "JET_errMissingLogFile", -530: "JET_errBadLogSignature", -531: "JET_errBadDbSignature",
        -553: "JET_errEndingRestoreLogTooLow", -554: "JET_errStartingRestoreLogTooHigh",
        -556: "JET_errGivenLogFileIsNotContiguous", -560: "JET_errMissingFullBackup",
        -569: "JET_errMissingFileToBackup", -612: "JET_errLogReadVerifyFailure", -615: "JET_errRestoreOfNonBackupDatabase",
        -616: "JET_errLogFileNotCopied", -801: "JET_errBackupAbortByServer", -900: "JET_errInvalidGrbit",
        -1003: "JET_errInvalidParameter", -1011: "JET_errOutOfMemory", -1018: "JET_errReadVerifyFailure",
        -1022: "JET_errDiskIO", -1023: "JET_errInvalidPath", -1029: "JET_errNotInitialized", -1030: "JET_errAlreadyInitialized",
        -1032: "JET_errFileAccessDenied", -1038: "JET_errBufferTooSmall", -1080: "JET_errRunningInOneInstanceMode", -1081: "JET_errRunningInMultiInstanceMode", -1086: "JET_errInstanceNameInUse", -1090: "JET_errInstanceUnavailable",
        -1118: "JET_errReadPgnoVerifyFailure", -1202: "JET_errDatabaseInUse", -1203: "JET_errDatabaseNotFound",
        -1206: "JET_errDatabaseCorrupted", -1808: "JET_errDiskFull", -1809: "JET_errPermissionDenied",
        -1811: "JET_errFileNotFound", -1852: "JET_errLogCorrupted", -1907: "JET_errAccessDenied",
    ]

    public static func name(_ err: Int32) -> String { all[err] ?? "JET_err\(err)" }
}
