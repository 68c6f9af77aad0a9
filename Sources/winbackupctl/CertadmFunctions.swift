import Glibc

/// The Certadm.dll functions of libwinbackup.so, looked up by their documented names as
/// Microsoft's samples do with GetProcAddress.
struct CertadmFunctions {
    typealias HRESULT = Int32
    typealias WString = UnsafePointer<UInt16>?
    typealias Handle = UnsafeMutableRawPointer?
    typealias WideList = UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?
    typealias Size = UnsafeMutablePointer<UInt32>?

    let isServerOnline: @convention(c) (WString, UnsafeMutablePointer<Int32>?) -> HRESULT
    let backupPrepare: @convention(c) (WString, UInt32, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT
    let restoreGetDatabaseLocations: @convention(c) (Handle, WideList, Size) -> HRESULT
    let backupGetDatabaseNames: @convention(c) (Handle, WideList, Size) -> HRESULT
    let backupOpenFile: @convention(c) (Handle, WString, UInt32, UnsafeMutablePointer<Int64>?) -> HRESULT
    let backupRead: @convention(c) (Handle, UnsafeMutableRawPointer?, UInt32, UnsafeMutablePointer<UInt32>?) -> HRESULT
    let backupClose: @convention(c) (Handle) -> HRESULT
    let backupGetBackupLogs: @convention(c) (Handle, WideList, Size) -> HRESULT
    let backupTruncateLogs: @convention(c) (Handle) -> HRESULT
    let backupGetDynamicFileList: @convention(c) (Handle, WideList, Size) -> HRESULT
    let backupEnd: @convention(c) (Handle) -> HRESULT
    let backupFree: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let restorePrepare: @convention(c) (WString, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT
    /// CertSrvRestoreRegisterW and ...ThroughFile; the map is CSEDB_RSTMAPW[], two pointers per entry.
    let restoreRegister: @convention(c) (Handle, WString, WString, UnsafeMutablePointer<UnsafePointer<UInt16>?>?, Int32, WString, UInt32, UInt32) -> HRESULT
    let restoreRegisterThroughFile: @convention(c) (Handle, WString, WString, UnsafeMutablePointer<UnsafePointer<UInt16>?>?, Int32, WString, UInt32, UInt32) -> HRESULT
    let restoreRegisterComplete: @convention(c) (Handle, HRESULT) -> HRESULT
    let restoreEnd: @convention(c) (Handle) -> HRESULT

    static func load(_ symbol: (String) throws(CLIError) -> UnsafeMutableRawPointer) throws(CLIError) -> CertadmFunctions {
        func f<T>(_ name: String, _ type: T.Type) throws(CLIError) -> T { unsafeBitCast(try symbol(name), to: type) }
        return CertadmFunctions(
            isServerOnline: try f("CertSrvIsServerOnlineW", (@convention(c) (WString, UnsafeMutablePointer<Int32>?) -> HRESULT).self),
            backupPrepare: try f("CertSrvBackupPrepareW", (@convention(c) (WString, UInt32, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT).self),
            restoreGetDatabaseLocations: try f("CertSrvRestoreGetDatabaseLocationsW", (@convention(c) (Handle, WideList, Size) -> HRESULT).self),
            backupGetDatabaseNames: try f("CertSrvBackupGetDatabaseNamesW", (@convention(c) (Handle, WideList, Size) -> HRESULT).self),
            backupOpenFile: try f("CertSrvBackupOpenFileW", (@convention(c) (Handle, WString, UInt32, UnsafeMutablePointer<Int64>?) -> HRESULT).self),
            backupRead: try f("CertSrvBackupRead", (@convention(c) (Handle, UnsafeMutableRawPointer?, UInt32, UnsafeMutablePointer<UInt32>?) -> HRESULT).self),
            backupClose: try f("CertSrvBackupClose", (@convention(c) (Handle) -> HRESULT).self),
            backupGetBackupLogs: try f("CertSrvBackupGetBackupLogsW", (@convention(c) (Handle, WideList, Size) -> HRESULT).self),
            backupTruncateLogs: try f("CertSrvBackupTruncateLogs", (@convention(c) (Handle) -> HRESULT).self),
            backupGetDynamicFileList: try f("CertSrvBackupGetDynamicFileListW", (@convention(c) (Handle, WideList, Size) -> HRESULT).self),
            backupEnd: try f("CertSrvBackupEnd", (@convention(c) (Handle) -> HRESULT).self),
            backupFree: try f("CertSrvBackupFree", (@convention(c) (UnsafeMutableRawPointer?) -> Void).self),
            restorePrepare: try f("CertSrvRestorePrepareW", (@convention(c) (WString, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT).self),
            restoreRegister: try f("CertSrvRestoreRegisterW", (@convention(c) (Handle, WString, WString, UnsafeMutablePointer<UnsafePointer<UInt16>?>?, Int32, WString, UInt32, UInt32) -> HRESULT).self),
            restoreRegisterThroughFile: try f("CertSrvRestoreRegisterThroughFile", (@convention(c) (Handle, WString, WString, UnsafeMutablePointer<UnsafePointer<UInt16>?>?, Int32, WString, UInt32, UInt32) -> HRESULT).self),
            restoreRegisterComplete: try f("CertSrvRestoreRegisterComplete", (@convention(c) (Handle, HRESULT) -> HRESULT).self),
            restoreEnd: try f("CertSrvRestoreEnd", (@convention(c) (Handle) -> HRESULT).self))
    }

    /// A name list the library returned, parsed and freed.
    func takeList(_ list: UnsafeMutablePointer<UInt16>?, _ bytes: UInt32, typed: Bool) -> [(type: UInt16, text: String)] {
        guard let list else { return [] }
        defer { backupFree(list) }
        return parseWideList(list, bytes: bytes, typed: typed)
    }
}
