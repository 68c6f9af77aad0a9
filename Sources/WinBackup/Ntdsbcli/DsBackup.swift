import BackupEngine
import CWinBackup

// The backup side of Ntdsbcli.dll. Each export decodes its strings and calls the shared body
// below; the engine's BackupSession does the work.

/// Open Ds backup contexts (HBC). Tag 'B'.
let dsBackups = HandleTable<BackupSession>(kind: 0x42)

enum DsBackup {
    static let readUnit: UInt32 = 8192
    static let minimumRead: UInt32 = 24576
    static let backupTypeFull: UInt32 = 0x01

    static func session(_ hbc: UnsafeMutableRawPointer?) throws(BackupError) -> BackupSession {
        guard let s = dsBackups.lookup(UInt(handle: hbc)) else { throw .invalidHandle }
        return s
    }

    static func prepare(_ server: String?, _ grbit: UInt32, _ btFlag: UInt32,
                        _ ppvExpiryToken: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                        _ pcbExpiryTokenSize: UnsafeMutablePointer<UInt32>?,
                        _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) throws(BackupError) {
        guard let phbc, let server, let ppvExpiryToken, let pcbExpiryTokenSize else { throw .invalidParameter("NULL argument") }
        guard btFlag == backupTypeFull else { throw .invalidParameter("btFlag must be BACKUP_TYPE_FULL") }
        let found = try registry.find(server)
        let settings = try found.connect(role: .ntds)
        let session = try BackupSession.begin(server: found, settings: settings, grbit: grbit)
        let token: UnsafeMutableRawPointer
        do throws(BackupError) {
            token = try LibraryBuffers.copy(session.expiryToken.encode())
        } catch {
            _ = try? session.end(normal: false)
            throw error
        }
        ppvExpiryToken.pointee = token
        pcbExpiryTokenSize.pointee = UInt32(ExpiryToken.size)
        phbc.pointee = .handle(dsBackups.insert(session))
    }

    /// Hands out a name list; `*out` must be NULL on entry (the docs require it).
    static func list<C>(_ out: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?, _ pcbSize: UnsafeMutablePointer<UInt32>?,
                        _ entries: [MultiString.Entry], _ encoding: Encoding) throws(BackupError) {
        let (buffer, size) = try MultiString.allocate(entries, encoding)
        out!.pointee = buffer.assumingMemoryBound(to: C.self)
        pcbSize!.pointee = size
    }

    static func checkListArguments<C>(_ out: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?,
                                      _ pcbSize: UnsafeMutablePointer<UInt32>?) throws(BackupError) {
        guard let out, pcbSize != nil else { throw .invalidParameter("NULL output pointer") }
        guard out.pointee == nil else { throw .invalidParameter("the output pointer must be NULL on entry") }
    }

    static func databaseNames<C>(_ hbc: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?,
                                 _ pcbSize: UnsafeMutablePointer<UInt32>?, _ encoding: Encoding) throws(BackupError) {
        let s = try session(hbc)
        try checkListArguments(out, pcbSize)
        let names = try s.databaseNames().map { MultiString.Entry(type: 0x44, text: s.server.unc($0)) }  // BFT_NTDS_DATABASE
        try list(out, pcbSize, names, encoding)
    }

    static func backupLogs<C>(_ hbc: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?,
                              _ pcbSize: UnsafeMutablePointer<UInt32>?, _ encoding: Encoding) throws(BackupError) {
        let s = try session(hbc)
        try checkListArguments(out, pcbSize)
        let names = try s.logNames().map { MultiString.Entry(type: 0x21, text: s.server.unc($0)) }  // BFT_LOG
        try list(out, pcbSize, names, encoding)
    }

    static func openFile(_ hbc: UnsafeMutableRawPointer?, _ name: String?, _ cbReadHintSize: UInt32,
                         _ pliFileSize: UnsafeMutablePointer<LARGE_INTEGER>?) throws(BackupError) {
        let s = try session(hbc)
        guard let name, let pliFileSize else { throw .invalidParameter("NULL argument") }
        guard cbReadHintSize % readUnit == 0, cbReadHintSize >= minimumRead else {
            throw .invalidParameter("cbReadHintSize must be a multiple of 8192 and at least 24576")
        }
        let size = try s.open(try s.server.resolve(name))
        pliFileSize.pointee.QuadPart = size
    }

    /// Reads the next chunk; at the end of the file, answers endOfFile (returned, not thrown).
    static func read(_ hbc: UnsafeMutableRawPointer?, _ buffer: UnsafeMutableRawPointer?, _ cbBuffer: UInt32,
                     _ pcbRead: UnsafeMutablePointer<UInt32>?) throws(BackupError) -> BackupError? {
        let s = try session(hbc)
        guard let buffer, let pcbRead else { throw .invalidParameter("NULL argument") }
        guard cbBuffer % readUnit == 0, cbBuffer >= minimumRead else {
            throw .invalidParameter("cbBuffer must be a multiple of 8192 and at least 24576")
        }
        let n = try s.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(cbBuffer)))
        pcbRead.pointee = UInt32(n)
        return n == 0 ? .endOfFile : nil
    }
}

/// DsBackupPrepareA (NTDSBCLI.@)
@c(DsBackupPrepareA)
public func DsBackupPrepareA(_ szBackupServer: UnsafePointer<CChar>?, _ grbit: UInt32, _ btFlag: UInt32,
                             _ ppvExpiryToken: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                             _ pcbExpiryTokenSize: UnsafeMutablePointer<UInt32>?,
                             _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
    traced([
        .narrow("szBackupServer", szBackupServer), .flags("grbit", grbit), .flags("btFlag", btFlag),
        .output("ppvExpiryToken", ppvExpiryToken, .pointer), .output("pcbExpiryTokenSize", pcbExpiryTokenSize, .size32),
        .output("phbc", phbc, .handle),
    ], as: CallResult.hresult) {
        dsBackupPrepare(szBackupServer != nil, ppvExpiryToken, pcbExpiryTokenSize, phbc) { () throws(BackupError) in
            try DsBackup.prepare(CString.optionalNarrow(szBackupServer, "szBackupServer"), grbit, btFlag,
                                 ppvExpiryToken, pcbExpiryTokenSize, phbc)
        }
    }
}

/// DsBackupPrepareW (NTDSBCLI.@)
@c(DsBackupPrepareW)
public func DsBackupPrepareW(_ szBackupServer: UnsafePointer<UInt16>?, _ grbit: UInt32, _ btFlag: UInt32,
                             _ ppvExpiryToken: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                             _ pcbExpiryTokenSize: UnsafeMutablePointer<UInt32>?,
                             _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
    traced([
        .wide("szBackupServer", szBackupServer), .flags("grbit", grbit), .flags("btFlag", btFlag),
        .output("ppvExpiryToken", ppvExpiryToken, .pointer), .output("pcbExpiryTokenSize", pcbExpiryTokenSize, .size32),
        .output("phbc", phbc, .handle),
    ], as: CallResult.hresult) {
        dsBackupPrepare(szBackupServer != nil, ppvExpiryToken, pcbExpiryTokenSize, phbc) { () throws(BackupError) in
            try DsBackup.prepare(CString.optionalWide(szBackupServer, "szBackupServer"), grbit, btFlag,
                                 ppvExpiryToken, pcbExpiryTokenSize, phbc)
        }
    }
}

/// The pointer checks of DsBackupPrepare, in the docs' terms: a NULL server name or phbc is
/// ERROR_INVALID_PARAMETER, a NULL ppvExpiryToken or pcbExpiryTokenSize is hrInvalidParam.
private func dsBackupPrepare(_ serverGiven: Bool, _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                             _ pcb: UnsafeMutablePointer<UInt32>?, _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                             _ body: () throws(BackupError) -> Void) -> HRESULT {
    guard serverGiven, phbc != nil else { return HR.invalidParameter }
    guard ppv != nil, pcb != nil else { return HR.hrInvalidParam }
    return hresult(HR.ntdsbcli, body)
}

/// DsBackupGetDatabaseNamesA (NTDSBCLI.@)
@c(DsBackupGetDatabaseNamesA)
public func DsBackupGetDatabaseNamesA(_ hbc: UnsafeMutableRawPointer?, _ pszAttachmentInfo: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                      _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    ntdsbcliBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .output("pszAttachmentInfo", pszAttachmentInfo, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in try DsBackup.databaseNames(hbc, pszAttachmentInfo, pcbSize, .narrow) }
}

/// DsBackupGetDatabaseNamesW (NTDSBCLI.@)
@c(DsBackupGetDatabaseNamesW)
public func DsBackupGetDatabaseNamesW(_ hbc: UnsafeMutableRawPointer?, _ pszAttachmentInfo: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?,
                                      _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    ntdsbcliBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .output("pszAttachmentInfo", pszAttachmentInfo, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in try DsBackup.databaseNames(hbc, pszAttachmentInfo, pcbSize, .wide) }
}

/// DsBackupOpenFileA (NTDSBCLI.@)
@c(DsBackupOpenFileA)
public func DsBackupOpenFileA(_ hbc: UnsafeMutableRawPointer?, _ szAttachmentName: UnsafePointer<CChar>?,
                              _ cbReadHintSize: UInt32, _ pliFileSize: UnsafeMutablePointer<LARGE_INTEGER>?) -> HRESULT {
    ntdsbcliBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .narrow("szAttachmentName", szAttachmentName),
        .size("cbReadHintSize", UInt64(cbReadHintSize)), .output("pliFileSize", pliFileSize, .size64)
    ]) { () throws(BackupError) in
        try DsBackup.openFile(hbc, CString.optionalNarrow(szAttachmentName, "szAttachmentName"), cbReadHintSize, pliFileSize)
    }
}

/// DsBackupOpenFileW (NTDSBCLI.@)
@c(DsBackupOpenFileW)
public func DsBackupOpenFileW(_ hbc: UnsafeMutableRawPointer?, _ szAttachmentName: UnsafePointer<UInt16>?,
                              _ cbReadHintSize: UInt32, _ pliFileSize: UnsafeMutablePointer<LARGE_INTEGER>?) -> HRESULT {
    ntdsbcliBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .wide("szAttachmentName", szAttachmentName),
        .size("cbReadHintSize", UInt64(cbReadHintSize)), .output("pliFileSize", pliFileSize, .size64)
    ]) { () throws(BackupError) in
        try DsBackup.openFile(hbc, CString.optionalWide(szAttachmentName, "szAttachmentName"), cbReadHintSize, pliFileSize)
    }
}

/// DsBackupRead (NTDSBCLI.@)
@c(DsBackupRead)
public func DsBackupRead(_ hbc: UnsafeMutableRawPointer?, _ pvBuffer: UnsafeMutableRawPointer?, _ cbBuffer: UInt32,
                         _ pcbRead: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    ntdsbcliBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .pointer("pvBuffer", pvBuffer), .size("cbBuffer", UInt64(cbBuffer)),
        .output("pcbRead", pcbRead, .size32)
    ], answer: { () throws(BackupError) -> BackupError? in try DsBackup.read(hbc, pvBuffer, cbBuffer, pcbRead) })
}

/// DsBackupClose (NTDSBCLI.@)
@c(DsBackupClose)
public func DsBackupClose(_ hbc: UnsafeMutableRawPointer?) -> HRESULT {
    ntdsbcliBackup(hbc, [.handle("hbc", UInt(handle: hbc))]) { () throws(BackupError) in try DsBackup.session(hbc).close() }
}

/// DsBackupGetBackupLogsA (NTDSBCLI.@)
@c(DsBackupGetBackupLogsA)
public func DsBackupGetBackupLogsA(_ hbc: UnsafeMutableRawPointer?, _ pszBackupLogFiles: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                   _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    ntdsbcliBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .output("pszBackupLogFiles", pszBackupLogFiles, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in try DsBackup.backupLogs(hbc, pszBackupLogFiles, pcbSize, .narrow) }
}

/// DsBackupGetBackupLogsW (NTDSBCLI.@)
@c(DsBackupGetBackupLogsW)
public func DsBackupGetBackupLogsW(_ hbc: UnsafeMutableRawPointer?, _ pszBackupLogFiles: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?,
                                   _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    ntdsbcliBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .output("pszBackupLogFiles", pszBackupLogFiles, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in try DsBackup.backupLogs(hbc, pszBackupLogFiles, pcbSize, .wide) }
}

/// DsBackupTruncateLogs (NTDSBCLI.@)
@c(DsBackupTruncateLogs)
public func DsBackupTruncateLogs(_ hbc: UnsafeMutableRawPointer?) -> HRESULT {
    ntdsbcliBackup(hbc, [.handle("hbc", UInt(handle: hbc))]) { () throws(BackupError) in _ = try DsBackup.session(hbc).truncateLogs() }
}

/// DsBackupEnd (NTDSBCLI.@)
/// Ends the session however it went; only a handle that is not a live backup context fails.
@c(DsBackupEnd)
public func DsBackupEnd(_ hbc: UnsafeMutableRawPointer?) -> HRESULT {
    ntdsbcli([.handle("hbc", UInt(handle: hbc))]) { () throws(BackupError) in
        guard let session = dsBackups.remove(UInt(handle: hbc)) else { throw .invalidHandle }
        _ = try? session.end(normal: true)
    }
}

/// DsBackupFree (NTDSBCLI.@)
@c(DsBackupFree)
public func DsBackupFree(_ pvBuffer: UnsafeMutableRawPointer?) {
    traced([.pointer("pvBuffer", pvBuffer)], as: CallResult.void) {
        LibraryBuffers.release(pvBuffer, by: "DsBackupFree")
    }
}
