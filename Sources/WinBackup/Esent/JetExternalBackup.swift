import BackupEngine
import CWinBackup

// Streaming backup of esent.dll: JetBeginExternalBackup ... JetEndExternalBackup, each in its
// Instance form and the legacy form of the one-instance mode. BackupSession does the work; what
// is here is ESE's API surface: the file handle 0, the read-buffer rules, the szz lists and
// their size reporting, the End grbits (ESE-BEHAVIOUR.md §A.2).

enum JetExternalBackup {
    static let endNormal: UInt32 = 0x1
    static let endAbort: UInt32 = 0x2
    static let truncateDone: UInt32 = 0x100
    static let noDbHeaderUpdate: UInt32 = 0x200
    /// ReadFile's buffer alignment: the OS page-commit granularity.
    static let bufferAlignment = 4096

    /// The instance a call means: `value` for the Instance functions, nil for the legacy ones.
    static func instance(_ value: UInt?) throws(BackupError) -> EngineInstance {
        guard let value else { return try JetMode.legacy() }
        return try Jet.instance(value)
    }

    static func begin(_ value: UInt?, _ grbit: UInt32) throws(BackupError) {
        try instance(value).beginBackup(grbit: grbit)
    }

    /// A list call: a failure while making the list aborts the backup, as in ESE; its entry checks
    /// (no backup -520, stopped -801, wrong sequence -521) return before and leave the backup as it is.
    static func listing(_ session: BackupSession, _ body: () throws(BackupError) -> [WindowsPath]) throws(BackupError) -> [String] {
        do throws(BackupError) {
            return Jet.localNames(session.server, try body())
        } catch {
            switch error {
            case .noBackup, .backupAbortByServer, .invalidBackupSequence: throw error
            default: throw session.abort(with: error)
            }
        }
    }

    static func attachInfo(_ value: UInt?, _ out: UnsafeMutableRawPointer?, _ cbMax: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?,
                           _ encoding: Encoding) throws(BackupError) {
        let session = try instance(value).backup()
        let names = try listing(session) { () throws(BackupError) in try session.databaseNames() }
        let size = Jet.copyList(names, out, cbMax, encoding)
        pcbActual?.pointee = size  // always the full size
    }

    /// GetLogInfo and GetTruncateLogInfo: with a buffer, *pcbActual is what was copied.
    static func logInfo(_ value: UInt?, _ out: UnsafeMutableRawPointer?, _ cbMax: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?,
                        _ encoding: Encoding, truncatable: Bool = false) throws(BackupError) -> BackupSession {
        let session = try instance(value).backup()
        let names = try listing(session) { () throws(BackupError) in
            try truncatable ? session.truncatableLogNames() : session.logNames()
        }
        let size = Jet.copyList(names, out, cbMax, encoding)
        pcbActual?.pointee = out == nil ? size : min(size, cbMax)
        return session
    }

    /// JetGetLogInfoInstance2: the list, and its range in a JET_LOGINFO_A/W.
    static func logInfo2<L>(_ value: UInt, _ out: UnsafeMutableRawPointer?, _ cbMax: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?,
                            _ pLogInfo: UnsafeMutablePointer<L>?, _ encoding: Encoding,
                            fill: (inout L, UInt32, UInt32, String) -> Void) throws(BackupError) {
        if let pLogInfo {
            let cbSize = UnsafeRawPointer(pLogInfo).load(as: UInt32.self)
            guard cbSize == UInt32(MemoryLayout<L>.size) else { throw .invalidParameter("pLogInfo->cbSize is not sizeof(JET_LOGINFO)") }
        }
        let session = try logInfo(value, out, cbMax, pcbActual, encoding)
        if let pLogInfo, let range = session.logRange {
            fill(&pLogInfo.pointee, range.lowerBound, range.upperBound, session.layout.baseName)
        }
    }

    static func openFile(_ value: UInt?, _ name: String?, _ phfFile: UnsafeMutablePointer<UInt>?,
                         _ pLow: UnsafeMutablePointer<UInt32>?, _ pHigh: UnsafeMutablePointer<UInt32>?) throws(BackupError) {
        let session = try instance(value).backup()
        try session.checkActive()
        guard let name, !name.isEmpty else { throw .invalidParameter("szFileName is NULL or empty") }
        guard let phfFile, let pLow, let pHigh else { throw .nullArgument("an output pointer") }
        let size = try session.open(try session.server.resolve(name))
        phfFile.pointee = 0  // one open file per backup: ESE's first (and only) handle is 0
        pLow.pointee = UInt32(truncatingIfNeeded: size)
        pHigh.pointee = UInt32(truncatingIfNeeded: size >> 32)
    }

    /// ESE's checks, in its order: the backup, the buffer (aligned, a multiple of the page size),
    /// the handle, the size of a file's first read (3 pages of a database, 2 of a log).
    static func readFile(_ value: UInt?, _ hfFile: UInt, _ pv: UnsafeMutableRawPointer?, _ cb: UInt32,
                         _ pcbActual: UnsafeMutablePointer<UInt32>?) throws(BackupError) {
        let session = try instance(value).backup()
        try session.checkActive()
        let pageSize = UInt32(session.layout.pageSize)
        guard let pv, let pcbActual else { throw .nullArgument("pv or pcbActual") }
        guard Int(bitPattern: pv) % bufferAlignment == 0 else { throw .invalidParameter("the buffer is not page-aligned") }
        guard cb > 0, cb % pageSize == 0 else { throw .invalidParameter("cb is not a non-zero multiple of the page size") }
        guard hfFile == 0, let open = session.openFileInfo else {
            try session.checkActive()  // ended or stopped by another thread since the check above: say that
            throw .invalidParameter("not an open file handle")
        }
        if open.position == 0 {
            let pages = open.isDatabase ? 3 : 2
            guard cb >= UInt32(pages) * pageSize else {
                throw .invalidParameter("the first read of a \(open.isDatabase ? "database" : "log") needs \(pages) pages")
            }
        }
        // A short-read fault keeps ESE's rule: whole pages (docs/FAULTS.md).
        let n = try session.read(into: UnsafeMutableRawBufferPointer(start: pv, count: Int(cb)), granularity: Int(pageSize))
        pcbActual.pointee = UInt32(n)
    }

    static func closeFile(_ value: UInt?, _ hfFile: UInt) throws(BackupError) {
        let session = try instance(value).backup()
        guard hfFile == 0 else { throw .invalidParameter("not an open file handle") }
        try session.close()
    }

    static func end(_ value: UInt?, _ grbit: UInt32) throws(BackupError) {
        guard (grbit & endNormal != 0) != (grbit & endAbort != 0) else {
            throw .invalidParameter("grbit needs exactly one of JET_bitBackupEndNormal and JET_bitBackupEndAbort")
        }
        try instance(value).endBackup(normal: grbit & endNormal != 0, truncateDone: grbit & truncateDone != 0,
                                      updateHeaders: grbit & noDbHeaderUpdate == 0)
    }

    static func stop(_ value: UInt?) throws(BackupError) {
        let instance = try instance(value)
        guard instance.isInitialized else { throw .invalidParameter("not a running instance") }
        try instance.stopBackup()
    }
}

extension JET_LOGINFO_A {
    static func fill(_ info: inout JET_LOGINFO_A, _ low: UInt32, _ high: UInt32, _ base: String) {
        info.ulGenLow = low
        info.ulGenHigh = high
        let b = Array(base.utf8.prefix(3)).map { CChar(bitPattern: $0) } + [0]
        withUnsafeMutableBytes(of: &info.szBaseName) { p in for (i, c) in b.enumerated() { p[i] = UInt8(bitPattern: c) } }
    }
}

extension JET_LOGINFO_W {
    static func fill(_ info: inout JET_LOGINFO_W, _ low: UInt32, _ high: UInt32, _ base: String) {
        info.ulGenLow = low
        info.ulGenHigh = high
        let units = Array(base.utf16.prefix(3)) + [0]
        withUnsafeMutableBytes(of: &info.szBaseName) { p in
            for (i, u) in units.enumerated() { p.storeBytes(of: u, toByteOffset: i * 2, as: UInt16.self) }
        }
    }
}

/// JetBeginExternalBackup (ESENT.@)
@c(JetBeginExternalBackup)
public func JetBeginExternalBackup(_ grbit: UInt32) -> JET_ERR {
    jet([.flags("grbit", grbit)]) { () throws(BackupError) in try JetExternalBackup.begin(nil, grbit) }
}

/// JetBeginExternalBackupInstance (ESENT.@)
@c(JetBeginExternalBackupInstance)
public func JetBeginExternalBackupInstance(_ instance: UInt, _ grbit: UInt32) -> JET_ERR {
    jet([.handle("instance", instance), .flags("grbit", grbit)]) { () throws(BackupError) in
        try JetExternalBackup.begin(instance, grbit)
    }
}

/// JetGetAttachInfo (ESENT.@) - the Windows 2000 name of JetGetAttachInfoA.
@c(JetGetAttachInfo)
public func JetGetAttachInfo(_ szzDatabases: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    traced([.pointer("szzDatabases", szzDatabases), .size("cbMax", UInt64(cbMax)), .output("pcbActual", pcbActual, .size32)], as: CallResult.jet) {
        JetGetAttachInfoA(szzDatabases, cbMax, pcbActual)
    }
}

/// JetGetAttachInfoA (ESENT.@)
@c(JetGetAttachInfoA)
public func JetGetAttachInfoA(_ szzDatabases: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([.pointer("szzDatabases", szzDatabases), .size("cbMax", UInt64(cbMax)), .output("pcbActual", pcbActual, .size32)]) { () throws(BackupError) in
        try JetExternalBackup.attachInfo(nil, szzDatabases, cbMax, pcbActual, .narrow)
    }
}

/// JetGetAttachInfoW (ESENT.@)
@c(JetGetAttachInfoW)
public func JetGetAttachInfoW(_ wszzDatabases: UnsafeMutablePointer<UInt16>?, _ cbMax: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([.pointer("wszzDatabases", wszzDatabases), .size("cbMax", UInt64(cbMax)), .output("pcbActual", pcbActual, .size32)]) { () throws(BackupError) in
        try JetExternalBackup.attachInfo(nil, wszzDatabases, cbMax, pcbActual, .wide)
    }
}

/// JetGetAttachInfoInstance (ESENT.@) - the Windows 2000 name of JetGetAttachInfoInstanceA.
@c(JetGetAttachInfoInstance)
public func JetGetAttachInfoInstance(_ instance: UInt, _ szzDatabases: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32,
                                     _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    traced([
        .handle("instance", instance), .pointer("szzDatabases", szzDatabases), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32)
    ], as: CallResult.jet) {
        JetGetAttachInfoInstanceA(instance, szzDatabases, cbMax, pcbActual)
    }
}

/// JetGetAttachInfoInstanceA (ESENT.@)
@c(JetGetAttachInfoInstanceA)
public func JetGetAttachInfoInstanceA(_ instance: UInt, _ szzDatabases: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32,
                                      _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .pointer("szzDatabases", szzDatabases), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32)
    ]) { () throws(BackupError) in try JetExternalBackup.attachInfo(instance, szzDatabases, cbMax, pcbActual, .narrow) }
}

/// JetGetAttachInfoInstanceW (ESENT.@)
@c(JetGetAttachInfoInstanceW)
public func JetGetAttachInfoInstanceW(_ instance: UInt, _ wszzDatabases: UnsafeMutablePointer<UInt16>?, _ cbMax: UInt32,
                                      _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .pointer("wszzDatabases", wszzDatabases), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32)
    ]) { () throws(BackupError) in try JetExternalBackup.attachInfo(instance, wszzDatabases, cbMax, pcbActual, .wide) }
}

/// JetOpenFile (ESENT.@) - the Windows 2000 name of JetOpenFileA.
@c(JetOpenFile)
public func JetOpenFile(_ szFileName: UnsafePointer<CChar>?, _ phfFile: UnsafeMutablePointer<UInt>?,
                        _ pulFileSizeLow: UnsafeMutablePointer<UInt32>?, _ pulFileSizeHigh: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    traced([
        .narrow("szFileName", szFileName), .output("phfFile", phfFile, .pointer),
        .output("pulFileSizeLow", pulFileSizeLow, .size32), .output("pulFileSizeHigh", pulFileSizeHigh, .size32)
    ], as: CallResult.jet) {
        JetOpenFileA(szFileName, phfFile, pulFileSizeLow, pulFileSizeHigh)
    }
}

/// JetOpenFileA (ESENT.@)
@c(JetOpenFileA)
public func JetOpenFileA(_ szFileName: UnsafePointer<CChar>?, _ phfFile: UnsafeMutablePointer<UInt>?,
                         _ pulFileSizeLow: UnsafeMutablePointer<UInt32>?, _ pulFileSizeHigh: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .narrow("szFileName", szFileName), .output("phfFile", phfFile, .pointer),
        .output("pulFileSizeLow", pulFileSizeLow, .size32), .output("pulFileSizeHigh", pulFileSizeHigh, .size32)
    ]) { () throws(BackupError) in
        try JetExternalBackup.openFile(nil, CString.optionalNarrow(szFileName, "szFileName"), phfFile, pulFileSizeLow, pulFileSizeHigh)
    }
}

/// JetOpenFileW (ESENT.@)
@c(JetOpenFileW)
public func JetOpenFileW(_ szFileName: UnsafePointer<UInt16>?, _ phfFile: UnsafeMutablePointer<UInt>?,
                         _ pulFileSizeLow: UnsafeMutablePointer<UInt32>?, _ pulFileSizeHigh: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .wide("szFileName", szFileName), .output("phfFile", phfFile, .pointer),
        .output("pulFileSizeLow", pulFileSizeLow, .size32), .output("pulFileSizeHigh", pulFileSizeHigh, .size32)
    ]) { () throws(BackupError) in
        try JetExternalBackup.openFile(nil, CString.optionalWide(szFileName, "szFileName"), phfFile, pulFileSizeLow, pulFileSizeHigh)
    }
}

/// JetOpenFileInstance (ESENT.@) - the Windows 2000 name of JetOpenFileInstanceA.
@c(JetOpenFileInstance)
public func JetOpenFileInstance(_ instance: UInt, _ szFileName: UnsafePointer<CChar>?, _ phfFile: UnsafeMutablePointer<UInt>?,
                                _ pulFileSizeLow: UnsafeMutablePointer<UInt32>?, _ pulFileSizeHigh: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    traced([
        .handle("instance", instance), .narrow("szFileName", szFileName), .output("phfFile", phfFile, .pointer),
        .output("pulFileSizeLow", pulFileSizeLow, .size32), .output("pulFileSizeHigh", pulFileSizeHigh, .size32)
    ], as: CallResult.jet) {
        JetOpenFileInstanceA(instance, szFileName, phfFile, pulFileSizeLow, pulFileSizeHigh)
    }
}

/// JetOpenFileInstanceA (ESENT.@)
@c(JetOpenFileInstanceA)
public func JetOpenFileInstanceA(_ instance: UInt, _ szFileName: UnsafePointer<CChar>?, _ phfFile: UnsafeMutablePointer<UInt>?,
                                 _ pulFileSizeLow: UnsafeMutablePointer<UInt32>?, _ pulFileSizeHigh: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .narrow("szFileName", szFileName), .output("phfFile", phfFile, .pointer),
        .output("pulFileSizeLow", pulFileSizeLow, .size32), .output("pulFileSizeHigh", pulFileSizeHigh, .size32)
    ]) { () throws(BackupError) in
        try JetExternalBackup.openFile(instance, CString.optionalNarrow(szFileName, "szFileName"), phfFile, pulFileSizeLow, pulFileSizeHigh)
    }
}

/// JetOpenFileInstanceW (ESENT.@)
@c(JetOpenFileInstanceW)
public func JetOpenFileInstanceW(_ instance: UInt, _ szFileName: UnsafePointer<UInt16>?, _ phfFile: UnsafeMutablePointer<UInt>?,
                                 _ pulFileSizeLow: UnsafeMutablePointer<UInt32>?, _ pulFileSizeHigh: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .wide("szFileName", szFileName), .output("phfFile", phfFile, .pointer),
        .output("pulFileSizeLow", pulFileSizeLow, .size32), .output("pulFileSizeHigh", pulFileSizeHigh, .size32)
    ]) { () throws(BackupError) in
        try JetExternalBackup.openFile(instance, CString.optionalWide(szFileName, "szFileName"), phfFile, pulFileSizeLow, pulFileSizeHigh)
    }
}

/// JetReadFile (ESENT.@)
@c(JetReadFile)
public func JetReadFile(_ hfFile: UInt, _ pv: UnsafeMutableRawPointer?, _ cb: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .integer("hfFile", Int64(bitPattern: UInt64(hfFile))), .pointer("pv", pv), .size("cb", UInt64(cb)),
        .output("pcbActual", pcbActual, .size32)
    ]) { () throws(BackupError) in try JetExternalBackup.readFile(nil, hfFile, pv, cb, pcbActual) }
}

/// JetReadFileInstance (ESENT.@)
@c(JetReadFileInstance)
public func JetReadFileInstance(_ instance: UInt, _ hfFile: UInt, _ pv: UnsafeMutableRawPointer?, _ cb: UInt32,
                                _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .integer("hfFile", Int64(bitPattern: UInt64(hfFile))), .pointer("pv", pv),
        .size("cb", UInt64(cb)), .output("pcbActual", pcbActual, .size32)
    ]) { () throws(BackupError) in try JetExternalBackup.readFile(instance, hfFile, pv, cb, pcbActual) }
}

/// JetCloseFile (ESENT.@)
@c(JetCloseFile)
public func JetCloseFile(_ hfFile: UInt) -> JET_ERR {
    jet([.integer("hfFile", Int64(bitPattern: UInt64(hfFile)))]) { () throws(BackupError) in
        try JetExternalBackup.closeFile(nil, hfFile)
    }
}

/// JetCloseFileInstance (ESENT.@)
@c(JetCloseFileInstance)
public func JetCloseFileInstance(_ instance: UInt, _ hfFile: UInt) -> JET_ERR {
    jet([.handle("instance", instance), .integer("hfFile", Int64(bitPattern: UInt64(hfFile)))]) { () throws(BackupError) in
        try JetExternalBackup.closeFile(instance, hfFile)
    }
}

/// JetGetLogInfo (ESENT.@) - the Windows 2000 name of JetGetLogInfoA.
@c(JetGetLogInfo)
public func JetGetLogInfo(_ szzLogs: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    traced([.pointer("szzLogs", szzLogs), .size("cbMax", UInt64(cbMax)), .output("pcbActual", pcbActual, .size32)], as: CallResult.jet) {
        JetGetLogInfoA(szzLogs, cbMax, pcbActual)
    }
}

/// JetGetLogInfoA (ESENT.@)
@c(JetGetLogInfoA)
public func JetGetLogInfoA(_ szzLogs: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([.pointer("szzLogs", szzLogs), .size("cbMax", UInt64(cbMax)), .output("pcbActual", pcbActual, .size32)]) { () throws(BackupError) in
        _ = try JetExternalBackup.logInfo(nil, szzLogs, cbMax, pcbActual, .narrow)
    }
}

/// JetGetLogInfoW (ESENT.@)
@c(JetGetLogInfoW)
public func JetGetLogInfoW(_ wszzLogs: UnsafeMutablePointer<UInt16>?, _ cbMax: UInt32, _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([.pointer("wszzLogs", wszzLogs), .size("cbMax", UInt64(cbMax)), .output("pcbActual", pcbActual, .size32)]) { () throws(BackupError) in
        _ = try JetExternalBackup.logInfo(nil, wszzLogs, cbMax, pcbActual, .wide)
    }
}

/// JetGetLogInfoInstance (ESENT.@) - the Windows 2000 name of JetGetLogInfoInstanceA.
@c(JetGetLogInfoInstance)
public func JetGetLogInfoInstance(_ instance: UInt, _ szzLogs: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32,
                                  _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    traced([
        .handle("instance", instance), .pointer("szzLogs", szzLogs), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32)
    ], as: CallResult.jet) {
        JetGetLogInfoInstanceA(instance, szzLogs, cbMax, pcbActual)
    }
}

/// JetGetLogInfoInstanceA (ESENT.@)
@c(JetGetLogInfoInstanceA)
public func JetGetLogInfoInstanceA(_ instance: UInt, _ szzLogs: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32,
                                   _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .pointer("szzLogs", szzLogs), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32)
    ]) { () throws(BackupError) in _ = try JetExternalBackup.logInfo(instance, szzLogs, cbMax, pcbActual, .narrow) }
}

/// JetGetLogInfoInstanceW (ESENT.@)
@c(JetGetLogInfoInstanceW)
public func JetGetLogInfoInstanceW(_ instance: UInt, _ wszzLogs: UnsafeMutablePointer<UInt16>?, _ cbMax: UInt32,
                                   _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .pointer("wszzLogs", wszzLogs), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32)
    ]) { () throws(BackupError) in _ = try JetExternalBackup.logInfo(instance, wszzLogs, cbMax, pcbActual, .wide) }
}

/// JetGetLogInfoInstance2 (ESENT.@) - the undecorated name of JetGetLogInfoInstance2A.
@c(JetGetLogInfoInstance2)
public func JetGetLogInfoInstance2(_ instance: UInt, _ szzLogs: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32,
                                   _ pcbActual: UnsafeMutablePointer<UInt32>?, _ pLogInfo: UnsafeMutablePointer<JET_LOGINFO_A>?) -> JET_ERR {
    traced([
        .handle("instance", instance), .pointer("szzLogs", szzLogs), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32), .pointer("pLogInfo", pLogInfo)
    ], as: CallResult.jet) {
        JetGetLogInfoInstance2A(instance, szzLogs, cbMax, pcbActual, pLogInfo)
    }
}

/// JetGetLogInfoInstance2A (ESENT.@)
@c(JetGetLogInfoInstance2A)
public func JetGetLogInfoInstance2A(_ instance: UInt, _ szzLogs: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32,
                                    _ pcbActual: UnsafeMutablePointer<UInt32>?, _ pLogInfo: UnsafeMutablePointer<JET_LOGINFO_A>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .pointer("szzLogs", szzLogs), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32), .pointer("pLogInfo", pLogInfo)
    ]) { () throws(BackupError) in
        try JetExternalBackup.logInfo2(instance, szzLogs, cbMax, pcbActual, pLogInfo, .narrow, fill: JET_LOGINFO_A.fill)
    }
}

/// JetGetLogInfoInstance2W (ESENT.@)
@c(JetGetLogInfoInstance2W)
public func JetGetLogInfoInstance2W(_ instance: UInt, _ wszzLogs: UnsafeMutablePointer<UInt16>?, _ cbMax: UInt32,
                                    _ pcbActual: UnsafeMutablePointer<UInt32>?, _ pLogInfo: UnsafeMutablePointer<JET_LOGINFO_W>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .pointer("wszzLogs", wszzLogs), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32), .pointer("pLogInfo", pLogInfo)
    ]) { () throws(BackupError) in
        try JetExternalBackup.logInfo2(instance, wszzLogs, cbMax, pcbActual, pLogInfo, .wide, fill: JET_LOGINFO_W.fill)
    }
}

/// JetGetTruncateLogInfoInstance (ESENT.@) - the Windows 2000 name of JetGetTruncateLogInfoInstanceA.
@c(JetGetTruncateLogInfoInstance)
public func JetGetTruncateLogInfoInstance(_ instance: UInt, _ szzLogs: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32,
                                          _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    traced([
        .handle("instance", instance), .pointer("szzLogs", szzLogs), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32)
    ], as: CallResult.jet) {
        JetGetTruncateLogInfoInstanceA(instance, szzLogs, cbMax, pcbActual)
    }
}

/// JetGetTruncateLogInfoInstanceA (ESENT.@)
@c(JetGetTruncateLogInfoInstanceA)
public func JetGetTruncateLogInfoInstanceA(_ instance: UInt, _ szzLogs: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32,
                                           _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .pointer("szzLogs", szzLogs), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32)
    ]) { () throws(BackupError) in
        _ = try JetExternalBackup.logInfo(instance, szzLogs, cbMax, pcbActual, .narrow, truncatable: true)
    }
}

/// JetGetTruncateLogInfoInstanceW (ESENT.@)
@c(JetGetTruncateLogInfoInstanceW)
public func JetGetTruncateLogInfoInstanceW(_ instance: UInt, _ wszzLogs: UnsafeMutablePointer<UInt16>?, _ cbMax: UInt32,
                                           _ pcbActual: UnsafeMutablePointer<UInt32>?) -> JET_ERR {
    jet([
        .handle("instance", instance), .pointer("wszzLogs", wszzLogs), .size("cbMax", UInt64(cbMax)),
        .output("pcbActual", pcbActual, .size32)
    ]) { () throws(BackupError) in
        _ = try JetExternalBackup.logInfo(instance, wszzLogs, cbMax, pcbActual, .wide, truncatable: true)
    }
}

/// JetTruncateLog (ESENT.@)
@c(JetTruncateLog)
public func JetTruncateLog() -> JET_ERR {
    jet([]) { () throws(BackupError) in _ = try JetExternalBackup.instance(nil).backup().truncateLogs() }
}

/// JetTruncateLogInstance (ESENT.@)
@c(JetTruncateLogInstance)
public func JetTruncateLogInstance(_ instance: UInt) -> JET_ERR {
    jet([.handle("instance", instance)]) { () throws(BackupError) in
        _ = try JetExternalBackup.instance(instance).backup().truncateLogs()
    }
}

/// JetEndExternalBackup (ESENT.@)
@c(JetEndExternalBackup)
public func JetEndExternalBackup() -> JET_ERR {
    jet([]) { () throws(BackupError) in try JetExternalBackup.end(nil, JetExternalBackup.endNormal) }
}

/// JetEndExternalBackupInstance (ESENT.@) - JetEndExternalBackupInstance2 with JET_bitBackupEndNormal.
@c(JetEndExternalBackupInstance)
public func JetEndExternalBackupInstance(_ instance: UInt) -> JET_ERR {
    traced([.handle("instance", instance)], as: CallResult.jet) {
        JetEndExternalBackupInstance2(instance, JetExternalBackup.endNormal)
    }
}

/// JetEndExternalBackupInstance2 (ESENT.@)
@c(JetEndExternalBackupInstance2)
public func JetEndExternalBackupInstance2(_ instance: UInt, _ grbit: UInt32) -> JET_ERR {
    jet([.handle("instance", instance), .flags("grbit", grbit)]) { () throws(BackupError) in
        try JetExternalBackup.end(instance, grbit)
    }
}

/// JetStopBackup (ESENT.@)
@c(JetStopBackup)
public func JetStopBackup() -> JET_ERR {
    jet([]) { () throws(BackupError) in try JetExternalBackup.stop(nil) }
}

/// JetStopBackupInstance (ESENT.@)
@c(JetStopBackupInstance)
public func JetStopBackupInstance(_ instance: UInt) -> JET_ERR {
    jet([.handle("instance", instance)]) { () throws(BackupError) in try JetExternalBackup.stop(instance) }
}
