import BackupEngine
import Glibc

/// libwinbackup.so loaded with dlopen, as a backup agent loads Ntdsbcli.dll or Certadm.dll: the agent commands
/// go through the exported C functions, never around them. The library is the one next to this
/// executable, or $WINBACKUP_LIB.
struct WinBackupLibrary {
    typealias HRESULT = Int32
    typealias WString = UnsafePointer<UInt16>?
    typealias Handle = UnsafeMutableRawPointer?

    let path: String
    let dsIsNTDSOnline: @convention(c) (WString, UnsafeMutablePointer<Int32>?) -> HRESULT
    let dsBackupPrepare: @convention(c) (WString, UInt32, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                         UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT
    let dsBackupGetDatabaseNames: @convention(c) (Handle, UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?, UnsafeMutablePointer<UInt32>?) -> HRESULT
    let dsBackupOpenFile: @convention(c) (Handle, WString, UInt32, UnsafeMutablePointer<Int64>?) -> HRESULT
    let dsBackupRead: @convention(c) (Handle, UnsafeMutableRawPointer?, UInt32, UnsafeMutablePointer<UInt32>?) -> HRESULT
    let dsBackupClose: @convention(c) (Handle) -> HRESULT
    let dsBackupGetBackupLogs: @convention(c) (Handle, UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?, UnsafeMutablePointer<UInt32>?) -> HRESULT
    let dsBackupTruncateLogs: @convention(c) (Handle) -> HRESULT
    let dsBackupEnd: @convention(c) (Handle) -> HRESULT
    let dsBackupFree: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let dsRestorePrepare: @convention(c) (WString, UInt32, UnsafeMutableRawPointer?, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT
    let dsRestoreGetDatabaseLocations: @convention(c) (Handle, UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?, UnsafeMutablePointer<UInt32>?) -> HRESULT
    /// DsRestoreRegisterW; the map is EDB_RSTMAPW[], two pointers per entry.
    let dsRestoreRegister: @convention(c) (Handle, WString, WString, UnsafeMutablePointer<UnsafePointer<UInt16>?>?, Int32, WString, UInt32, UInt32) -> HRESULT
    let dsRestoreRegisterComplete: @convention(c) (Handle, HRESULT) -> HRESULT
    let dsRestoreEnd: @convention(c) (Handle) -> HRESULT
    let wbResolvePath: @convention(c) (WString, WString, UnsafeMutablePointer<UInt16>?, UInt32, UnsafeMutablePointer<UInt32>?) -> HRESULT
    /// The Certadm.dll functions (CertSrv*).
    let certadm: CertadmFunctions
    /// The esent.dll functions (Jet*), for `ese` servers.
    let jet: JetFunctions

    static func defaultPath() -> String {
        if let p = getenv("WINBACKUP_LIB") { return String(cString: p) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let candidate = FileSystem.parentPath(exe) + "/libwinbackup.so"
            if FileSystem.exists(candidate) { return candidate }
            let installed = FileSystem.parentPath(FileSystem.parentPath(exe)) + "/lib/libwinbackup.so"
            if FileSystem.exists(installed) { return installed }
        }
        return "libwinbackup.so"
    }

    static func load(_ path: String = defaultPath()) throws(CLIError) -> WinBackupLibrary {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw CLIError("cannot load \(path): \(String(cString: dlerror()))")
        }
        func symbol<T>(_ name: String, _ type: T.Type) throws(CLIError) -> T {
            guard let p = dlsym(handle, name) else { throw CLIError("\(path) does not export \(name)") }
            return unsafeBitCast(p, to: type)
        }
        return WinBackupLibrary(
            path: path,
            dsIsNTDSOnline: try symbol("DsIsNTDSOnlineW", (@convention(c) (WString, UnsafeMutablePointer<Int32>?) -> HRESULT).self),
            dsBackupPrepare: try symbol("DsBackupPrepareW", (@convention(c) (WString, UInt32, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT).self),
            dsBackupGetDatabaseNames: try symbol("DsBackupGetDatabaseNamesW", (@convention(c) (Handle, UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?, UnsafeMutablePointer<UInt32>?) -> HRESULT).self),
            dsBackupOpenFile: try symbol("DsBackupOpenFileW", (@convention(c) (Handle, WString, UInt32, UnsafeMutablePointer<Int64>?) -> HRESULT).self),
            dsBackupRead: try symbol("DsBackupRead", (@convention(c) (Handle, UnsafeMutableRawPointer?, UInt32, UnsafeMutablePointer<UInt32>?) -> HRESULT).self),
            dsBackupClose: try symbol("DsBackupClose", (@convention(c) (Handle) -> HRESULT).self),
            dsBackupGetBackupLogs: try symbol("DsBackupGetBackupLogsW", (@convention(c) (Handle, UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?, UnsafeMutablePointer<UInt32>?) -> HRESULT).self),
            dsBackupTruncateLogs: try symbol("DsBackupTruncateLogs", (@convention(c) (Handle) -> HRESULT).self),
            dsBackupEnd: try symbol("DsBackupEnd", (@convention(c) (Handle) -> HRESULT).self),
            dsBackupFree: try symbol("DsBackupFree", (@convention(c) (UnsafeMutableRawPointer?) -> Void).self),
            dsRestorePrepare: try symbol("DsRestorePrepareW", (@convention(c) (WString, UInt32, UnsafeMutableRawPointer?, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT).self),
            dsRestoreGetDatabaseLocations: try symbol("DsRestoreGetDatabaseLocationsW", (@convention(c) (Handle, UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?, UnsafeMutablePointer<UInt32>?) -> HRESULT).self),
            dsRestoreRegister: try symbol("DsRestoreRegisterW", (@convention(c) (Handle, WString, WString, UnsafeMutablePointer<UnsafePointer<UInt16>?>?, Int32, WString, UInt32, UInt32) -> HRESULT).self),
            dsRestoreRegisterComplete: try symbol("DsRestoreRegisterComplete", (@convention(c) (Handle, HRESULT) -> HRESULT).self),
            dsRestoreEnd: try symbol("DsRestoreEnd", (@convention(c) (Handle) -> HRESULT).self),
            wbResolvePath: try symbol("WbResolvePathW", (@convention(c) (WString, WString, UnsafeMutablePointer<UInt16>?, UInt32, UnsafeMutablePointer<UInt32>?) -> HRESULT).self),
            certadm: try CertadmFunctions.load { (name) throws(CLIError) in try symbol(name, UnsafeMutableRawPointer.self) },
            jet: try JetFunctions.load { (name) throws(CLIError) in try symbol(name, UnsafeMutableRawPointer.self) })
    }
}

extension WinBackupLibrary {
    /// WbResolvePathW: the local file behind a server path.
    func resolve(_ server: String, _ path: String) throws(CLIError) -> String {
        var needed: UInt32 = 0
        let units = Array(server.utf16) + [0], p = Array(path.utf16) + [0]
        _ = wbResolvePath(units, p, nil, 0, &needed)
        var out = [UInt16](repeating: 0, count: Int(max(needed, 1)))
        let hr = wbResolvePath(units, p, &out, UInt32(out.count), &needed)
        guard hr == 0 else { throw CLIError("WbResolvePath \(path): \(HResultNames.describe(hr))") }
        return String(decoding: out.prefix(while: { $0 != 0 }), as: UTF16.self)
    }
}

/// A NUL-terminated UTF-16 copy of a string, for the W functions.
func withWide<R>(_ s: String, _ body: (UnsafePointer<UInt16>) throws(CLIError) -> R) throws(CLIError) -> R {
    let units = Array(s.utf16) + [0]
    do {
        return try units.withUnsafeBufferPointer { try body($0.baseAddress!) }
    } catch let e as CLIError {
        throw e
    } catch {
        fatalError("unexpected error \(error)")
    }
}

/// The entries of a multi-string list of `bytes` bytes: (type character, text).
func parseWideList(_ p: UnsafePointer<UInt16>, bytes: UInt32, typed: Bool) -> [(type: UInt16, text: String)] {
    let count = Int(bytes) / 2
    var out = [(UInt16, String)]()
    var i = 0
    while i < count && p[i] != 0 {
        var j = i
        while j < count && p[j] != 0 { j += 1 }
        let entry = UnsafeBufferPointer(start: p + i, count: j - i)
        if typed, let first = entry.first {
            out.append((first, String(decoding: entry.dropFirst(), as: UTF16.self)))
        } else {
            out.append((0, String(decoding: entry, as: UTF16.self)))
        }
        i = j + 1
    }
    return out
}
