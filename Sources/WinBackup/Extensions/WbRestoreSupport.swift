import BackupEngine

// What tests of a restore need and no Windows API gives: the server's clock (to age a backup
// past the tombstone lifetime, deliberately) and content digests to compare.

enum Digests {
    static func output(_ digest: DatabaseDigest, _ out: UnsafeMutablePointer<CChar>?, _ capacity: UInt32) -> HRESULT {
        let hex = digest.description.utf8.map { CChar(bitPattern: $0) }
        guard let out, capacity > UInt32(hex.count) else { return HR.insufficientBuffer }
        for (i, c) in hex.enumerated() { out[i] = c }
        out[hex.count] = 0
        return HR.ok
    }
}

/// WbSetClockOffsetA (WINBACKUP.@)
/// Makes the server's clock run `seconds` ahead of the machine's (negative: behind). Only the
/// server's own checks see it, such as the expiry of a backup against the tombstone lifetime.
@c(WbSetClockOffsetA)
public func WbSetClockOffsetA(_ szServerName: UnsafePointer<CChar>?, _ seconds: Int64) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName), .integer("seconds", seconds)]) { () throws(BackupError) in
        guard abs(seconds) <= 100 * 365 * 86_400 else { throw .invalidParameter("clock offset beyond 100 years") }
        try registry.find(CString.narrow(szServerName, "szServerName")).updateSettings { $0.clockOffset = seconds }
    }
}

/// WbGetContentDigestA (WINBACKUP.@)
/// The digest of the server's database content, computed by reading every page: 64 hex digits
/// and a NUL into szHexDigest (cchHexDigest >= 65).
@c(WbGetContentDigestA)
public func WbGetContentDigestA(_ szServerName: UnsafePointer<CChar>?, _ szHexDigest: UnsafeMutablePointer<CChar>?,
                                _ cchHexDigest: UInt32) -> HRESULT {
    traced([.narrow("szServerName", szServerName), .pointer("szHexDigest", szHexDigest), .size("cchHexDigest", UInt64(cchHexDigest))],
           as: CallResult.hresult) {
        var digest = DatabaseDigest()
        let hr = hresult(HR.ntdsbcli) { () throws(BackupError) in
            let server = try registry.find(CString.narrow(szServerName, "szServerName"))
            digest = try DatabaseDigest.compute(try Store(server: server).openDatabases())
        }
        return hr == HR.ok ? Digests.output(digest, szHexDigest, cchHexDigest) : hr
    }
}

/// WbReadLogDigestA (WINBACKUP.@)
/// The content digest a server's writer recorded at the end of a log generation, read from the
/// log file szLogFile (a local path): what a server restored through that generation must show.
@c(WbReadLogDigestA)
public func WbReadLogDigestA(_ szLogFile: UnsafePointer<CChar>?, _ szHexDigest: UnsafeMutablePointer<CChar>?,
                             _ cchHexDigest: UInt32) -> HRESULT {
    traced([.narrow("szLogFile", szLogFile), .pointer("szHexDigest", szHexDigest), .size("cchHexDigest", UInt64(cchHexDigest))],
           as: CallResult.hresult) {
        var digest = DatabaseDigest()
        let hr = hresult(HR.ntdsbcli) { () throws(BackupError) in
            let scan = try LogScan.read(CString.narrow(szLogFile, "szLogFile"))
            guard scan.ended, scan.damageOffset == nil else { throw .logFileCorrupt(scan.header.generation.description) }
            digest = scan.digest
        }
        return hr == HR.ok ? Digests.output(digest, szHexDigest, cchHexDigest) : hr
    }
}
