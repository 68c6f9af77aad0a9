import BackupEngine
import CWinBackup

// The backup side of Certadm.dll. The engine's BackupSession does the work, as for Ntdsbcli;
// what differs is Certadm's: wide strings only, COM HRESULTs, LOGS_ONLY (incremental) backups,
// the dynamic file list, a read-buffer size set by the first OpenFile, reads of any size that
// answer S_OK with 0 bytes at the end of a file, and OpenFile accepting only listed names.

/// Open CertSrv backup contexts (HCSBC). Tag 'C'.
let certSrvBackups = HandleTable<CertSrvBackupContext>(kind: 0x43)

/// One CertSrv backup: the engine session plus what Certadm's client side keeps.
final class CertSrvBackupContext: Sendable {
    let session: BackupSession
    private let state = Lock(State())

    struct State {
        /// Fixed by the first OpenFile's cbReadHintSize.
        var readBufferSize: UInt32?
        /// The names GetDatabaseNames and GetBackupLogs handed out: all OpenFile accepts.
        var listed: [WindowsPath] = []
    }

    init(_ session: BackupSession) { self.session = session }

    func handedOut(_ names: [WindowsPath]) { state.withLock { $0.listed += names } }

    func isListed(_ path: WindowsPath) -> Bool { state.withLock { $0.listed.contains { $0.same(as: path) } } }

    /// The read-buffer size, fixed by the first call.
    func fixReadBufferSize(hint: UInt32) -> UInt32 {
        state.withLock { s in
            if s.readBufferSize == nil { s.readBufferSize = CertSrvBackup.readBufferSize(hint: hint) }
            return s.readBufferSize!
        }
    }

    var readBufferSize: UInt32? { state.withLock { $0.readBufferSize } }
}

enum CertSrvBackup {
    static let backupTypeFull: UInt32 = 0x1      // CSBACKUP_TYPE_FULL
    static let backupTypeLogsOnly: UInt32 = 0x2  // CSBACKUP_TYPE_LOGS_ONLY
    static let incrementalGrbit: UInt32 = 0x1    // JET_bitBackupIncremental
    static let minimumReadBuffer: UInt32 = 64 << 10
    static let maximumReadBuffer: UInt32 = 4 << 20
    static let defaultReadBuffer: UInt32 = 256 << 10

    /// cbReadHintSize as the docs describe it: 0 lets the library choose; anything else is
    /// rounded up to a power of two within 64 KiB...4 MiB.
    static func readBufferSize(hint: UInt32) -> UInt32 {
        guard hint != 0 else { return defaultReadBuffer }
        var size = minimumReadBuffer
        while size < hint && size < maximumReadBuffer { size <<= 1 }
        return size
    }

    static func context(_ hbc: UnsafeMutableRawPointer?) throws(BackupError) -> CertSrvBackupContext {
        guard let c = certSrvBackups.lookup(UInt(handle: hbc)) else { throw .invalidHandle }
        return c
    }

    static func prepare(_ name: String, _ grbitJet: UInt32, _ flags: UInt32,
                        _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>) throws(BackupError) {
        guard flags == backupTypeFull || flags == backupTypeLogsOnly else {
            throw .invalidParameter("dwBackupFlags must be CSBACKUP_TYPE_FULL or CSBACKUP_TYPE_LOGS_ONLY")
        }
        let (server, settings) = try CertSrvServer.connect(name)
        let grbit = grbitJet | (flags == backupTypeLogsOnly ? incrementalGrbit : 0)
        let session = try BackupSession.begin(server: server, settings: settings, grbit: grbit)
        phbc.pointee = .handle(certSrvBackups.insert(CertSrvBackupContext(session)))
    }

    /// Hands out a wide name list: each entry with its CSBFT character, or none.
    static func list(_ out: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?, _ pcbSize: UnsafeMutablePointer<UInt32>?,
                     _ entries: () throws(BackupError) -> [MultiString.Entry]) throws(BackupError) {
        guard let out, let pcbSize else { throw .nullArgument("the output pointer") }
        let (buffer, size) = try MultiString.allocate(try entries(), .wide)
        out.pointee = buffer.assumingMemoryBound(to: UInt16.self)
        pcbSize.pointee = size
    }

    static func openFile(_ hbc: UnsafeMutableRawPointer?, _ name: UnsafePointer<UInt16>?, _ hint: UInt32,
                         _ pliFileSize: UnsafeMutablePointer<LARGE_INTEGER>?) throws(BackupError) {
        let c = try context(hbc)
        let text = try CString.wide(name, "pwszAttachmentName")
        guard let pliFileSize else { throw .nullArgument("pliFileSize") }
        let path = try c.session.server.resolve(text)
        guard c.isListed(path) else {
            throw .invalidParameter("\(text) was not listed by CertSrvBackupGetDatabaseNames or CertSrvBackupGetBackupLogs (strip the CSBFT character)")
        }
        let size = try c.session.open(path)
        _ = c.fixReadBufferSize(hint: hint)
        pliFileSize.pointee.QuadPart = size
    }

    /// Fills the caller's buffer in read-buffer-sized pieces; less only at the end of the file
    /// (or under a short-read fault).
    static func read(_ hbc: UnsafeMutableRawPointer?, _ buffer: UnsafeMutableRawPointer?, _ cbBuffer: UInt32,
                     _ pcbRead: UnsafeMutablePointer<UInt32>?) throws(BackupError) {
        let c = try context(hbc)
        guard let buffer, let pcbRead else { throw .nullArgument("pvBuffer or pcbRead") }
        guard cbBuffer > 0 else {
            try c.session.checkReadable()  // a 0-byte read still says why it cannot read
            pcbRead.pointee = 0
            return
        }
        let unit = Int(c.readBufferSize ?? defaultReadBuffer)
        let n = try c.session.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(cbBuffer)), piece: unit)
        pcbRead.pointee = UInt32(n)
    }
}

/// CertSrvBackupPrepareW (CERTADM.@)
@c(CertSrvBackupPrepareW)
public func CertSrvBackupPrepareW(_ pwszServerName: UnsafePointer<UInt16>?, _ grbitJet: UInt32, _ dwBackupFlags: UInt32,
                                  _ phbc: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
    certadm([
        .wide("pwszServerName", pwszServerName), .flags("grbitJet", grbitJet), .flags("dwBackupFlags", dwBackupFlags),
        .output("phbc", phbc, .handle)
    ]) { () throws(BackupError) in
        let name = try CString.wide(pwszServerName, "pwszServerName")
        guard let phbc else { throw .nullArgument("phbc") }
        try CertSrvBackup.prepare(name, grbitJet, dwBackupFlags, phbc)
    }
}

/// CertSrvBackupGetDatabaseNamesW (CERTADM.@)
@c(CertSrvBackupGetDatabaseNamesW)
public func CertSrvBackupGetDatabaseNamesW(_ hbc: UnsafeMutableRawPointer?, _ ppwszzAttachmentInformation: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?,
                                           _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    certadmBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .output("ppwszzAttachmentInformation", ppwszzAttachmentInformation, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in
        let c = try CertSrvBackup.context(hbc)
        try CertSrvBackup.list(ppwszzAttachmentInformation, pcbSize) { () throws(BackupError) in
            let names = try c.session.databaseNames()
            c.handedOut(names)
            return names.map { MultiString.Entry(type: 0x44, text: c.session.server.unc($0)) }  // CSBFT_CERTSERVER_DATABASE
        }
    }
}

/// CertSrvBackupGetDynamicFileListW (CERTADM.@)
/// The CA's published files (CRL, CA certificate), as plain UNC paths with no CSBFT character.
@c(CertSrvBackupGetDynamicFileListW)
public func CertSrvBackupGetDynamicFileListW(_ hbc: UnsafeMutableRawPointer?, _ ppwszzFileList: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?,
                                             _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    certadm([
        .handle("hbc", UInt(handle: hbc)), .output("ppwszzFileList", ppwszzFileList, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in
        let server = try CertSrvBackup.context(hbc).session.server
        try CertSrvBackup.list(ppwszzFileList, pcbSize) { () throws(BackupError) in
            try server.dynamicFiles(try server.settings()).map { MultiString.Entry(type: nil, text: server.unc($0)) }
        }
    }
}

/// CertSrvBackupOpenFileW (CERTADM.@)
@c(CertSrvBackupOpenFileW)
public func CertSrvBackupOpenFileW(_ hbc: UnsafeMutableRawPointer?, _ pwszAttachmentName: UnsafePointer<UInt16>?,
                                   _ cbReadHintSize: UInt32, _ pliFileSize: UnsafeMutablePointer<LARGE_INTEGER>?) -> HRESULT {
    certadmBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .wide("pwszAttachmentName", pwszAttachmentName),
        .size("cbReadHintSize", UInt64(cbReadHintSize)), .output("pliFileSize", pliFileSize, .size64)
    ]) { () throws(BackupError) in try CertSrvBackup.openFile(hbc, pwszAttachmentName, cbReadHintSize, pliFileSize) }
}

/// CertSrvBackupRead (CERTADM.@)
@c(CertSrvBackupRead)
public func CertSrvBackupRead(_ hbc: UnsafeMutableRawPointer?, _ pvBuffer: UnsafeMutableRawPointer?, _ cbBuffer: UInt32,
                              _ pcbRead: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    certadmBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .pointer("pvBuffer", pvBuffer), .size("cbBuffer", UInt64(cbBuffer)),
        .output("pcbRead", pcbRead, .size32)
    ]) { () throws(BackupError) in try CertSrvBackup.read(hbc, pvBuffer, cbBuffer, pcbRead) }
}

/// CertSrvBackupClose (CERTADM.@)
@c(CertSrvBackupClose)
public func CertSrvBackupClose(_ hbc: UnsafeMutableRawPointer?) -> HRESULT {
    certadmBackup(hbc, [.handle("hbc", UInt(handle: hbc))]) { () throws(BackupError) in try CertSrvBackup.context(hbc).session.close() }
}

/// CertSrvBackupGetBackupLogsW (CERTADM.@)
@c(CertSrvBackupGetBackupLogsW)
public func CertSrvBackupGetBackupLogsW(_ hbc: UnsafeMutableRawPointer?, _ ppwszzBackupLogFiles: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>?,
                                        _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    certadmBackup(hbc, [
        .handle("hbc", UInt(handle: hbc)), .output("ppwszzBackupLogFiles", ppwszzBackupLogFiles, .pointer),
        .output("pcbSize", pcbSize, .size32)
    ]) { () throws(BackupError) in
        let c = try CertSrvBackup.context(hbc)
        try CertSrvBackup.list(ppwszzBackupLogFiles, pcbSize) { () throws(BackupError) in
            let names = try c.session.logNames()
            c.handedOut(names)
            return names.map { MultiString.Entry(type: 0x21, text: c.session.server.unc($0)) }  // CSBFT_LOG
        }
    }
}

/// CertSrvBackupTruncateLogs (CERTADM.@)
@c(CertSrvBackupTruncateLogs)
public func CertSrvBackupTruncateLogs(_ hbc: UnsafeMutableRawPointer?) -> HRESULT {
    certadmBackup(hbc, [.handle("hbc", UInt(handle: hbc))]) { () throws(BackupError) in
        _ = try CertSrvBackup.context(hbc).session.truncateLogs()
    }
}

/// CertSrvBackupEnd (CERTADM.@)
/// Ends the backup however it went; only a handle that is not a live backup context fails.
@c(CertSrvBackupEnd)
public func CertSrvBackupEnd(_ hbc: UnsafeMutableRawPointer?) -> HRESULT {
    certadm([.handle("hbc", UInt(handle: hbc))]) { () throws(BackupError) in
        guard let c = certSrvBackups.remove(UInt(handle: hbc)) else { throw .invalidHandle }
        _ = try? c.session.end(normal: true)
    }
}

/// CertSrvBackupFree (CERTADM.@)
@c(CertSrvBackupFree)
public func CertSrvBackupFree(_ pv: UnsafeMutableRawPointer?) {
    traced([.pointer("pv", pv)], as: CallResult.void) {
        LibraryBuffers.release(pv, by: "CertSrvBackupFree")
    }
}
