import BackupEngine
import CWinBackup

// The restore side of Certadm.dll. RestoreSession does the work, as for Ntdsbcli; a CA restore
// is a full one (CSRESTORE_TYPE_FULL: the database, its logs, a restore map) or an incremental
// one (more logs, no map) registered after it, and the CA replays them all when it next starts.

/// Open CertSrv restore contexts (HCSBC). Tag 'c'.
let certSrvRestores = HandleTable<RestoreSession>(kind: 0x63)

enum CertSrvRestore {
    static let restoreTypeFull: UInt32 = 0x1  // CSRESTORE_TYPE_FULL
    static let restoreTypeMask: UInt32 = 0x5  // CSRESTORE_TYPE_MASK
    /// A restore map longer than this is refused rather than read.
    static let mapLimit: Int32 = 256

    static func session(_ hbc: UnsafeMutableRawPointer?) throws(BackupError) -> RestoreSession {
        guard let s = certSrvRestores.lookup(UInt(handle: hbc)) else { throw .invalidHandle }
        return s
    }

    /// CertSrvRestoreRegisterW and ...ThroughFile: NULL paths are the CA's own; a full restore
    /// maps its database, an incremental one passes no map.
    static func register(_ hbc: UnsafeMutableRawPointer?, _ checkpoint: UnsafePointer<UInt16>?, _ logs: UnsafePointer<UInt16>?,
                         _ map: UnsafeMutablePointer<CSEDB_RSTMAPW>?, _ count: Int32, _ backupLogs: UnsafePointer<UInt16>?,
                         _ genLow: UInt32, _ genHigh: UInt32, administratorOnly: Bool) throws(BackupError) {
        let s = try session(hbc)
        guard count >= 0, count <= mapLimit else { throw .invalidParameter("crstmap out of range") }
        guard count == 0 || map != nil else { throw .nullArgument("rgrstmap") }
        // The caller as of now (DsSetAuthIdentity may have changed since Prepare).
        if try !s.server.caller().administrator && administratorOnly {
            throw .accessDenied("CertSrvRestoreRegister needs a local administrator; a backup operator can use CertSrvRestoreRegisterThroughFile")
        }
        var pairs = [(original: String, restored: String)]()
        for i in 0..<Int(count) {
            pairs.append((try CString.wide(map![i].pwszDatabaseName, "pwszDatabaseName"),
                          try CString.wide(map![i].pwszNewDatabaseName, "pwszNewDatabaseName")))
        }
        try s.register(RestoreSession.Request(
            checkpointPath: try CString.optionalWide(checkpoint, "pwszCheckPointFilePath"),
            logPath: try CString.optionalWide(logs, "pwszLogPath"),
            backupLogPath: try CString.optionalWide(backupLogs, "pwszBackupLogPath"),
            map: pairs, genLow: genLow, genHigh: genHigh))
    }
}

/// CertSrvRestoreGetDatabaseLocationsW (CERTADM.@)
/// Takes a backup or a restore context; the CA must be running, so agents call it at backup time.
@c(CertSrvRestoreGetDatabaseLocationsW)
public func CertSrvRestoreGetDatabaseLocationsW(_ hbc: UnsafeMutableRawPointer?,
                                                _ ppwszzDatabaseLocationList: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?,
                                                _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    certadm([
        .handle("hbc", UInt(handle: hbc)), .output("ppwszzDatabaseLocationList", ppwszzDatabaseLocationList, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in
        let server: Server
        if let b = certSrvBackups.lookup(UInt(handle: hbc)) {
            server = b.session.server
        } else if let r = certSrvRestores.lookup(UInt(handle: hbc)) {
            server = r.server
        } else {
            throw .invalidHandle
        }
        try CertSrvBackup.list(ppwszzDatabaseLocationList, pcbSize) { () throws(BackupError) in
            let settings = try server.settings()
            guard settings.state != .offline else { throw .serverOffline(server.name) }
            return server.restoreLocations(settings).map { kind, path in
                let type: UInt8 = switch kind {
                case .database: 0x44             // CSBFT_CERTSERVER_DATABASE
                case .logDirectory: 0x82         // CSBFT_LOG_DIR
                case .checkpointDirectory: 0x83  // CSBFT_CHECKPOINT_DIR
                }
                return MultiString.Entry(type: type, text: server.unc(path))
            }
        }
    }
}

/// CertSrvRestorePrepareW (CERTADM.@)
/// The CA must be stopped. CSRESTORE_TYPE_FULL for the full backup, else an incremental one.
@c(CertSrvRestorePrepareW)
public func CertSrvRestorePrepareW(_ pwszServerName: UnsafePointer<UInt16>?, _ dwRestoreFlags: UInt32,
                                   _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
    certadm([
        .wide("pwszServerName", pwszServerName), .flags("dwRestoreFlags", dwRestoreFlags), .output("phbc", phbc, .handle)
    ]) { () throws(BackupError) in
        let name = try CString.wide(pwszServerName, "pwszServerName")
        guard let phbc else { throw .nullArgument("phbc") }
        guard dwRestoreFlags & ~CertSrvRestore.restoreTypeMask == 0 else {
            throw .invalidParameter("dwRestoreFlags outside CSRESTORE_TYPE_MASK")
        }
        let (server, settings) = try CertSrvServer.find(name)
        let session = try RestoreSession.prepareCertificateServer(
            server: server, settings: settings, full: dwRestoreFlags & CertSrvRestore.restoreTypeFull != 0)
        phbc.pointee = .handle(certSrvRestores.insert(session))
    }
}

/// CertSrvRestoreRegisterW (CERTADM.@)
/// Needs a local administrator (an identity not marked backup-operator).
@c(CertSrvRestoreRegisterW)
public func CertSrvRestoreRegisterW(_ hbc: UnsafeMutableRawPointer?, _ pwszCheckPointFilePath: UnsafePointer<UInt16>?,
                                    _ pwszLogPath: UnsafePointer<UInt16>?, _ rgrstmap: UnsafeMutablePointer<CSEDB_RSTMAPW>?,
                                    _ crstmap: Int32, _ pwszBackupLogPath: UnsafePointer<UInt16>?,
                                    _ genLow: UInt32, _ genHigh: UInt32) -> HRESULT {
    certadm([
        .handle("hbc", UInt(handle: hbc)), .wide("pwszCheckPointFilePath", pwszCheckPointFilePath),
        .wide("pwszLogPath", pwszLogPath), .pointer("rgrstmap", rgrstmap), .integer("crstmap", Int64(crstmap)),
        .wide("pwszBackupLogPath", pwszBackupLogPath), .integer("genLow", Int64(genLow)),
        .integer("genHigh", Int64(genHigh))
    ]) { () throws(BackupError) in
        try CertSrvRestore.register(hbc, pwszCheckPointFilePath, pwszLogPath, rgrstmap, crstmap, pwszBackupLogPath,
                                    genLow, genHigh, administratorOnly: true)
    }
}

/// CertSrvRestoreRegisterThroughFile (CERTADM.@)
/// The same, needing only the restore privilege (any identity allowed on the CA).
@c(CertSrvRestoreRegisterThroughFile)
public func CertSrvRestoreRegisterThroughFile(_ hbc: UnsafeMutableRawPointer?, _ pwszCheckPointFilePath: UnsafePointer<UInt16>?,
                                              _ pwszLogPath: UnsafePointer<UInt16>?, _ rgrstmap: UnsafeMutablePointer<CSEDB_RSTMAPW>?,
                                              _ crstmap: Int32, _ pwszBackupLogPath: UnsafePointer<UInt16>?,
                                              _ genLow: UInt32, _ genHigh: UInt32) -> HRESULT {
    certadm([
        .handle("hbc", UInt(handle: hbc)), .wide("pwszCheckPointFilePath", pwszCheckPointFilePath),
        .wide("pwszLogPath", pwszLogPath), .pointer("rgrstmap", rgrstmap), .integer("crstmap", Int64(crstmap)),
        .wide("pwszBackupLogPath", pwszBackupLogPath), .integer("genLow", Int64(genLow)),
        .integer("genHigh", Int64(genHigh))
    ]) { () throws(BackupError) in
        try CertSrvRestore.register(hbc, pwszCheckPointFilePath, pwszLogPath, rgrstmap, crstmap, pwszBackupLogPath,
                                    genLow, genHigh, administratorOnly: false)
    }
}

/// CertSrvRestoreRegisterComplete (CERTADM.@)
@c(CertSrvRestoreRegisterComplete)
public func CertSrvRestoreRegisterComplete(_ hbc: UnsafeMutableRawPointer?, _ hrRestoreState: HRESULT) -> HRESULT {
    certadm([.handle("hbc", UInt(handle: hbc)), .flags("hrRestoreState", UInt32(bitPattern: hrRestoreState))]) { () throws(BackupError) in
        try CertSrvRestore.session(hbc).complete(hrRestoreState)
    }
}

/// CertSrvRestoreEnd (CERTADM.@)
/// Ends the context; an open registration stays (the CA will not start).
@c(CertSrvRestoreEnd)
public func CertSrvRestoreEnd(_ hbc: UnsafeMutableRawPointer?) -> HRESULT {
    certadm([.handle("hbc", UInt(handle: hbc))]) { () throws(BackupError) in
        guard let session = certSrvRestores.remove(UInt(handle: hbc)) else { throw .invalidHandle }
        session.end()
    }
}
