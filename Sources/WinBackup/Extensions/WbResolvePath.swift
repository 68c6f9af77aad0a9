import BackupEngine

enum ResolvePath {
    /// The local file of a server path in any of its spellings. The server comes from a UNC
    /// path, else from szServerName.
    static func resolve(_ server: String?, _ path: String?) throws(BackupError) -> String {
        guard let path else { throw .invalidParameter("szPath is NULL") }
        let name: String
        if path.hasPrefix("\\\\") || path.hasPrefix("//") {
            let host = path.dropFirst(2).prefix(while: { $0 != "\\" && $0 != "/" })
            if let server, !ServerName.same(try ServerName.validate(server), try ServerName.validate(String(host))) {
                throw .accessDenied("\(path) is not a path of server \(server)")
            }
            name = String(host)
        } else {
            guard let server else { throw .invalidParameter("szServerName is NULL and the path is not a UNC path") }
            name = server
        }
        let found = try registry.find(name)
        return found.localPath(try found.resolve(path))
    }

    static func output<C: FixedWidthInteger>(_ units: [C], _ out: UnsafeMutablePointer<C>?, _ capacity: UInt32,
                                              _ pcchRequired: UnsafeMutablePointer<UInt32>?) -> HRESULT {
        let needed = UInt32(units.count + 1)
        pcchRequired?.pointee = needed
        guard let out, capacity >= needed else { return HR.insufficientBuffer }
        for (i, u) in units.enumerated() { out[i] = u }
        out[units.count] = 0
        return HR.ok
    }
}

/// WbResolvePathA (WINBACKUP.@)
/// The local file behind a server path ("\\DC01\C$\Windows\NTDS\ntds.dit", "C:\Windows\NTDS" on
/// szServerName, or a local path inside the server's folder). cchLocalPath counts characters
/// with the NUL; too small: ERROR_INSUFFICIENT_BUFFER and *pcchRequired says how many.
@c(WbResolvePathA)
public func WbResolvePathA(_ szServerName: UnsafePointer<CChar>?, _ szPath: UnsafePointer<CChar>?,
                           _ szLocalPath: UnsafeMutablePointer<CChar>?, _ cchLocalPath: UInt32,
                           _ pcchRequired: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    traced([
        .narrow("szServerName", szServerName), .narrow("szPath", szPath), .pointer("szLocalPath", szLocalPath),
        .size("cchLocalPath", UInt64(cchLocalPath)), .pointer("pcchRequired", pcchRequired),
    ], as: CallResult.hresult) {
        var local = ""
        let hr = hresult(HR.ntdsbcli) { () throws(BackupError) in
            local = try ResolvePath.resolve(CString.optionalNarrow(szServerName, "szServerName"), CString.optionalNarrow(szPath, "szPath"))
        }
        guard hr == HR.ok else { return hr }
        return ResolvePath.output(local.utf8.map { CChar(bitPattern: $0) }, szLocalPath, cchLocalPath, pcchRequired)
    }
}

/// WbResolvePathW (WINBACKUP.@)
@c(WbResolvePathW)
public func WbResolvePathW(_ szServerName: UnsafePointer<UInt16>?, _ szPath: UnsafePointer<UInt16>?,
                           _ szLocalPath: UnsafeMutablePointer<UInt16>?, _ cchLocalPath: UInt32,
                           _ pcchRequired: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    traced([
        .wide("szServerName", szServerName), .wide("szPath", szPath), .pointer("szLocalPath", szLocalPath),
        .size("cchLocalPath", UInt64(cchLocalPath)), .pointer("pcchRequired", pcchRequired),
    ], as: CallResult.hresult) {
        var local = ""
        let hr = hresult(HR.ntdsbcli) { () throws(BackupError) in
            local = try ResolvePath.resolve(CString.optionalWide(szServerName, "szServerName"), CString.optionalWide(szPath, "szPath"))
        }
        guard hr == HR.ok else { return hr }
        return ResolvePath.output(Array(local.utf16), szLocalPath, cchLocalPath, pcchRequired)
    }
}
