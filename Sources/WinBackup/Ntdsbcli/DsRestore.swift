import BackupEngine
import CWinBackup

// The restore side of Ntdsbcli.dll. RestoreSession does the work; the restore itself is applied
// by hard recovery when the server next starts (`winbackupctl server start`, WbStartServerA).

/// Open Ds restore contexts (HBC). Tag 'R'.
let dsRestores = HandleTable<RestoreSession>(kind: 0x52)

enum DsRestore {
    static let restoreTypeCatchup: UInt32 = 0x04
    /// A restore map longer than this is refused rather than read.
    static let mapLimit: Int32 = 256

    static func session(_ hbc: UnsafeMutableRawPointer?) throws(BackupError) -> RestoreSession {
        guard let s = dsRestores.lookup(UInt(handle: hbc)) else { throw .invalidHandle }
        return s
    }

    static func prepare(_ server: String?, _ rtFlag: UInt32, _ token: UnsafeMutableRawPointer?, _ cbToken: UInt32,
                        _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) throws(BackupError) {
        guard let server, let phbc else { throw .invalidParameter("NULL argument") }
        guard rtFlag == 0 || rtFlag == restoreTypeCatchup else {
            throw .invalidParameter("authoritative and online restores are not supported")
        }
        // The token is read only when its size is a token's: a wrong size is a wrong format,
        // and a pointer is never read past what the caller says it holds.
        var bytes: [UInt8]?
        if let token {
            guard cbToken == UInt32(ExpiryToken.size) else { throw .unknownExpiryTokenFormat }
            bytes = Array(UnsafeRawBufferPointer(start: token, count: Int(cbToken)))
        }
        let found = try registry.find(server)
        let settings = try found.connect(role: .ntds)
        let session = try RestoreSession.prepare(server: found, settings: settings, token: bytes)
        phbc.pointee = .handle(dsRestores.insert(session))
    }

    /// Backup or restore context: DsRestoreGetDatabaseLocations takes either.
    static func locations<C>(_ hbc: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?,
                             _ pcbSize: UnsafeMutablePointer<UInt32>?, _ encoding: Encoding) throws(BackupError) {
        let server: Server
        if let r = dsRestores.lookup(UInt(handle: hbc)) {
            server = r.server
        } else if let b = dsBackups.lookup(UInt(handle: hbc)) {
            server = b.server
        } else {
            throw .invalidHandle
        }
        guard let out, let pcbSize else { throw .invalidParameter("NULL output pointer") }
        let entries = server.restoreLocations(try server.settings()).map { kind, path in
            let type: UInt8 = switch kind {
            case .database: 0x44            // BFT_NTDS_DATABASE
            case .logDirectory: 0x82        // BFT_LOG_DIR
            case .checkpointDirectory: 0x83 // BFT_CHECKPOINT_DIR
            }
            return MultiString.Entry(type: type, text: server.unc(path))
        }
        let (buffer, size) = try MultiString.allocate(entries, encoding)
        out.pointee = buffer.assumingMemoryBound(to: C.self)
        pcbSize.pointee = size
    }

    /// The arguments of DsRestoreRegister, decoded; `text` decodes one string of either width.
    static func register<S, M>(_ hbc: UnsafeMutableRawPointer?, _ checkpoint: S?, _ logs: S?, _ map: UnsafeMutablePointer<M>?,
                               _ count: Int32, _ backupLogs: S?, _ genLow: UInt32, _ genHigh: UInt32,
                               entry: (M) -> (S?, S?), text: (S?, String) throws(BackupError) -> String) throws(BackupError) {
        let s = try session(hbc)
        guard s.token != nil else { throw .missingExpiryToken }
        guard checkpoint != nil, logs != nil, backupLogs != nil else { throw .invalidParameter("NULL path") }
        guard let map, count > 0, count <= mapLimit else { throw .invalidParameter("no restore map, or crstmap out of range") }
        var pairs = [(original: String, restored: String)]()
        for i in 0..<Int(count) {
            let (original, restored) = entry(map[i])
            guard original != nil, restored != nil else { throw .invalidParameter("NULL name in the restore map") }
            pairs.append((try text(original, "szDatabaseName"), try text(restored, "szNewDatabaseName")))
        }
        try s.register(RestoreSession.Request(
            checkpointPath: try text(checkpoint, "szCheckPointFilePath"), logPath: try text(logs, "szLogPath"),
            backupLogPath: try text(backupLogs, "szBackupLogPath"), map: pairs, genLow: genLow, genHigh: genHigh))
    }
}

/// DsRestorePrepareA (NTDSBCLI.@)
@c(DsRestorePrepareA)
public func DsRestorePrepareA(_ szServerName: UnsafePointer<CChar>?, _ rtFlag: UInt32, _ pvExpiryToken: UnsafeMutableRawPointer?,
                              _ cbExpiryTokenSize: UInt32, _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
    ntdsbcli([
        .narrow("szServerName", szServerName), .flags("rtFlag", rtFlag), .pointer("pvExpiryToken", pvExpiryToken),
        .size("cbExpiryTokenSize", UInt64(cbExpiryTokenSize)), .output("phbc", phbc, .handle)
    ]) { () throws(BackupError) in
        try DsRestore.prepare(CString.optionalNarrow(szServerName, "szServerName"), rtFlag, pvExpiryToken, cbExpiryTokenSize, phbc)
    }
}

/// DsRestorePrepareW (NTDSBCLI.@)
@c(DsRestorePrepareW)
public func DsRestorePrepareW(_ szServerName: UnsafePointer<UInt16>?, _ rtFlag: UInt32, _ pvExpiryToken: UnsafeMutableRawPointer?,
                              _ cbExpiryTokenSize: UInt32, _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
    ntdsbcli([
        .wide("szServerName", szServerName), .flags("rtFlag", rtFlag), .pointer("pvExpiryToken", pvExpiryToken),
        .size("cbExpiryTokenSize", UInt64(cbExpiryTokenSize)), .output("phbc", phbc, .handle)
    ]) { () throws(BackupError) in
        try DsRestore.prepare(CString.optionalWide(szServerName, "szServerName"), rtFlag, pvExpiryToken, cbExpiryTokenSize, phbc)
    }
}

/// DsRestoreGetDatabaseLocationsA (NTDSBCLI.@)
@c(DsRestoreGetDatabaseLocationsA)
public func DsRestoreGetDatabaseLocationsA(_ hbc: UnsafeMutableRawPointer?, _ pszDatabaseLocationList: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                           _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    ntdsbcli([
        .handle("hbc", UInt(handle: hbc)), .output("pszDatabaseLocationList", pszDatabaseLocationList, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in try DsRestore.locations(hbc, pszDatabaseLocationList, pcbSize, .narrow) }
}

/// DsRestoreGetDatabaseLocationsW (NTDSBCLI.@)
@c(DsRestoreGetDatabaseLocationsW)
public func DsRestoreGetDatabaseLocationsW(_ hbc: UnsafeMutableRawPointer?, _ pszDatabaseLocationList: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?,
                                           _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    ntdsbcli([
        .handle("hbc", UInt(handle: hbc)), .output("pszDatabaseLocationList", pszDatabaseLocationList, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in try DsRestore.locations(hbc, pszDatabaseLocationList, pcbSize, .wide) }
}

/// DsRestoreRegisterA (NTDSBCLI.@)
@c(DsRestoreRegisterA)
public func DsRestoreRegisterA(_ hbc: UnsafeMutableRawPointer?, _ szCheckPointFilePath: UnsafePointer<CChar>?,
                               _ szLogPath: UnsafePointer<CChar>?, _ rgrstmap: UnsafeMutablePointer<EDB_RSTMAPA>?,
                               _ crstmap: Int32, _ szBackupLogPath: UnsafePointer<CChar>?,
                               _ genLow: UInt32, _ genHigh: UInt32) -> HRESULT {
    ntdsbcli([
        .handle("hbc", UInt(handle: hbc)), .narrow("szCheckPointFilePath", szCheckPointFilePath),
        .narrow("szLogPath", szLogPath), .pointer("rgrstmap", rgrstmap), .integer("crstmap", Int64(crstmap)),
        .narrow("szBackupLogPath", szBackupLogPath), .integer("genLow", Int64(genLow)), .integer("genHigh", Int64(genHigh))
    ]) { () throws(BackupError) in
        try DsRestore.register(hbc, szCheckPointFilePath, szLogPath, rgrstmap, crstmap, szBackupLogPath, genLow, genHigh,
                               entry: { (m: EDB_RSTMAPA) in (UnsafePointer(m.szDatabaseName), UnsafePointer(m.szNewDatabaseName)) },
                               text: { (p, what) throws(BackupError) in try CString.narrow(p, what) })
    }
}

/// DsRestoreRegisterW (NTDSBCLI.@)
@c(DsRestoreRegisterW)
public func DsRestoreRegisterW(_ hbc: UnsafeMutableRawPointer?, _ szCheckPointFilePath: UnsafePointer<UInt16>?,
                               _ szLogPath: UnsafePointer<UInt16>?, _ rgrstmap: UnsafeMutablePointer<EDB_RSTMAPW>?,
                               _ crstmap: Int32, _ szBackupLogPath: UnsafePointer<UInt16>?,
                               _ genLow: UInt32, _ genHigh: UInt32) -> HRESULT {
    ntdsbcli([
        .handle("hbc", UInt(handle: hbc)), .wide("szCheckPointFilePath", szCheckPointFilePath),
        .wide("szLogPath", szLogPath), .pointer("rgrstmap", rgrstmap), .integer("crstmap", Int64(crstmap)),
        .wide("szBackupLogPath", szBackupLogPath), .integer("genLow", Int64(genLow)), .integer("genHigh", Int64(genHigh))
    ]) { () throws(BackupError) in
        try DsRestore.register(hbc, szCheckPointFilePath, szLogPath, rgrstmap, crstmap, szBackupLogPath, genLow, genHigh,
                               entry: { (m: EDB_RSTMAPW) in (UnsafePointer(m.wszDatabaseName), UnsafePointer(m.wszNewDatabaseName)) },
                               text: { (p, what) throws(BackupError) in try CString.wide(p, what) })
    }
}

/// DsRestoreRegisterComplete (NTDSBCLI.@)
@c(DsRestoreRegisterComplete)
public func DsRestoreRegisterComplete(_ hbc: UnsafeMutableRawPointer?, _ hrRestoreState: HRESULT) -> HRESULT {
    ntdsbcli([.handle("hbc", UInt(handle: hbc)), .flags("hrRestoreState", UInt32(bitPattern: hrRestoreState))]) { () throws(BackupError) in
        try DsRestore.session(hbc).complete(hrRestoreState)
    }
}

/// DsRestoreEnd (NTDSBCLI.@)
/// Ends the session and invalidates hbc; an open registration stays (the server will not start).
@c(DsRestoreEnd)
public func DsRestoreEnd(_ hbc: UnsafeMutableRawPointer?) -> HRESULT {
    ntdsbcli([.handle("hbc", UInt(handle: hbc))]) { () throws(BackupError) in
        guard let session = dsRestores.remove(UInt(handle: hbc)) else { throw .invalidHandle }
        session.end()
    }
}
