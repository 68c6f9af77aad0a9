import BackupEngine
import CWinBackup

// Restore in esent.dll: JetExternalRestore (hard recovery of databases an agent put back) and the
// engine's own folder backup and restore (JetBackup, JetRestore), with their status callbacks.

enum JetRecovery {
    static let snpRestore: UInt32 = 8
    static let snpBackup: UInt32 = 9
    static let sntProgress: UInt32 = 0
    static let sntFail: UInt32 = 3
    static let sntBegin: UInt32 = 5
    static let sntComplete: UInt32 = 6
    static let backupIncremental: UInt32 = 0x1
    static let backupAtomic: UInt32 = 0x4

    /// Runs `body` between the callback's begin and complete (fail on an error).
    static func reporting<R>(_ pfn: JET_PFNSTATUS?, _ snp: UInt32, _ body: () throws(BackupError) -> R) throws(BackupError) -> R {
        Jet.status(pfn, snp, sntBegin)
        do throws(BackupError) {
            let result = try body()
            Jet.status(pfn, snp, sntComplete)
            return result
        } catch {
            Jet.status(pfn, snp, sntFail)
            throw error
        }
    }

    /// The restore map of JetExternalRestore: JET_RSTMAP_A/W entries.
    static func map<M>(_ rgrstmap: UnsafeMutablePointer<M>?, _ count: Int32, _ encoding: Encoding,
                       entry: (M) -> (UnsafeRawPointer?, UnsafeRawPointer?)) throws(BackupError) -> [(original: String, restored: String)] {
        guard count >= 0, count <= 256 else { throw .invalidParameter("crstfilemap out of range") }
        guard count == 0 || rgrstmap != nil else { throw .invalidParameter("rgrstmap is NULL") }
        var pairs = [(original: String, restored: String)]()
        for i in 0..<Int(count) {
            let (a, b) = entry(rgrstmap![i])
            pairs.append((try Jet.text(a, encoding, "szDatabaseName"), try Jet.text(b, encoding, "szNewDatabaseName")))
        }
        return pairs
    }

    static func external(_ checkpoint: String?, _ logs: String?, _ pairs: [(original: String, restored: String)],
                         _ backupLogs: String?, _ genLow: Int32, _ genHigh: Int32, _ pfn: JET_PFNSTATUS?) throws(BackupError) {
        if JetMode.legacyHandle != nil { throw .runningInOneInstanceMode }
        guard let backupLogs else { throw .invalidParameter("szBackupLogPath is NULL") }
        guard genLow > 0, genHigh > 0 else { throw .invalidParameter("genLow and genHigh are log generations, 1 and up") }
        let request = ExternalRestore.Request(checkpointPath: checkpoint, logPath: logs, map: pairs, backupLogFolder: backupLogs,
                                              genLow: UInt32(genLow), genHigh: UInt32(genHigh))
        _ = try reporting(pfn, snpRestore) { () throws(BackupError) in
            try ExternalRestore.run(request) { done, total in Jet.status(pfn, snpRestore, sntProgress, done: done, total: total) }
        }
    }

    /// JetExternalRestore2: the range from pLogInfo; the target-instance paths both or neither.
    static func external2(_ checkpoint: String?, _ logs: String?, _ pairs: [(original: String, restored: String)], _ backupLogs: String?,
                          _ info: (cbSize: UInt32, expected: Int, low: UInt32, high: UInt32, base: String)?,
                          _ targetLogs: String?, _ targetCheckpoint: String?, _ pfn: JET_PFNSTATUS?) throws(BackupError) {
        guard let info else { throw .invalidParameter("pLogInfo is NULL") }
        guard info.cbSize == UInt32(info.expected) else { throw .invalidParameter("pLogInfo->cbSize is not sizeof(JET_LOGINFO)") }
        guard info.low <= UInt32(Int32.max), info.high <= UInt32(Int32.max) else { throw .invalidParameter("generations out of range") }
        guard (targetLogs == nil) == (targetCheckpoint == nil) else {
            throw .invalidParameter("szTargetInstanceLogPath and szTargetInstanceCheckpointPath go together")
        }
        guard info.base.lowercased() == "edb" else { throw .invalidParameter("szBaseName \(info.base): these logs are edb*.log") }
        try external(targetCheckpoint ?? checkpoint, targetLogs ?? logs, pairs, backupLogs, Int32(info.low), Int32(info.high), pfn)
    }

    static func backup(_ value: UInt?, _ path: String?, _ grbit: UInt32, _ pfn: JET_PFNSTATUS?) throws(BackupError) {
        let instance = try JetExternalBackup.instance(value)
        guard grbit & ~(backupIncremental | backupAtomic) == 0, grbit != backupIncremental | backupAtomic else { throw .invalidGrbit }
        guard let path else { throw .invalidParameter("szBackupPath is NULL") }
        _ = try instance.runningServer()
        try reporting(pfn, snpBackup) { () throws(BackupError) in
            try FolderBackup.backup(instance, to: FileSystem.absolute(path), incremental: grbit & backupIncremental != 0,
                                    atomic: grbit & backupAtomic != 0) { p in
                Jet.status(pfn, snpBackup, sntProgress, done: p.filesDone, total: p.filesTotal)
            }
        }
    }

    /// JetRestoreInstance, JetRestore(2): `value` nil is the legacy instance, which restores
    /// before JetInit with the process-wide parameters.
    static func restore(_ value: UInt?, _ source: String?, _ destination: String?, _ pfn: JET_PFNSTATUS?) throws(BackupError) {
        let instance: EngineInstance
        if let value {
            instance = try Jet.instance(value)
        } else {
            if JetMode.isMultiple { throw .runningInMultiInstanceMode }
            if JetMode.legacyHandle != nil { throw .alreadyInitialized }
            instance = EngineInstance(name: "", parameters: JetMode.defaults)
        }
        guard let source else { throw .invalidParameter("the backup folder is NULL") }
        guard destination == nil else { throw .invalidParameter("szDest must be NULL: the instance's own folders are restored to") }
        _ = try reporting(pfn, snpRestore) { () throws(BackupError) in
            try FolderBackup.restore(instance, from: FileSystem.absolute(source)) { done, total in
                Jet.status(pfn, snpRestore, sntProgress, done: done, total: total)
            }
        }
    }
}

extension JET_LOGINFO_A {
    var described: (cbSize: UInt32, expected: Int, low: UInt32, high: UInt32, base: String) {
        let base = withUnsafeBytes(of: szBaseName) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        return (cbSize, MemoryLayout<JET_LOGINFO_A>.size, ulGenLow, ulGenHigh, base)
    }
}

extension JET_LOGINFO_W {
    var described: (cbSize: UInt32, expected: Int, low: UInt32, high: UInt32, base: String) {
        let base = withUnsafeBytes(of: szBaseName) { p in
            String(decoding: p.bindMemory(to: UInt16.self).prefix(while: { $0 != 0 }), as: UTF16.self)
        }
        return (cbSize, MemoryLayout<JET_LOGINFO_W>.size, ulGenLow, ulGenHigh, base)
    }
}

private func entryA(_ m: JET_RSTMAP_A) -> (UnsafeRawPointer?, UnsafeRawPointer?) { (UnsafeRawPointer(m.szDatabaseName), UnsafeRawPointer(m.szNewDatabaseName)) }
private func entryW(_ m: JET_RSTMAP_W) -> (UnsafeRawPointer?, UnsafeRawPointer?) { (UnsafeRawPointer(m.szDatabaseName), UnsafeRawPointer(m.szNewDatabaseName)) }

/// JetExternalRestore (ESENT.@) - the Windows 2000 name of JetExternalRestoreA.
@c(JetExternalRestore)
public func JetExternalRestore(_ szCheckpointFilePath: UnsafeMutablePointer<CChar>?, _ szLogPath: UnsafeMutablePointer<CChar>?,
                               _ rgrstmap: UnsafeMutablePointer<JET_RSTMAP_A>?, _ crstfilemap: Int32,
                               _ szBackupLogPath: UnsafeMutablePointer<CChar>?, _ genLow: Int32, _ genHigh: Int32,
                               _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    traced([
        .pointer("szCheckpointFilePath", szCheckpointFilePath), .pointer("szLogPath", szLogPath),
        .pointer("rgrstmap", rgrstmap), .integer("crstfilemap", Int64(crstfilemap)),
        .pointer("szBackupLogPath", szBackupLogPath), .integer("genLow", Int64(genLow)),
        .integer("genHigh", Int64(genHigh)), .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))
    ], as: CallResult.jet) {
        JetExternalRestoreA(szCheckpointFilePath, szLogPath, rgrstmap, crstfilemap, szBackupLogPath, genLow, genHigh, pfn)
    }
}

/// JetExternalRestoreA (ESENT.@)
@c(JetExternalRestoreA)
public func JetExternalRestoreA(_ szCheckpointFilePath: UnsafeMutablePointer<CChar>?, _ szLogPath: UnsafeMutablePointer<CChar>?,
                                _ rgrstmap: UnsafeMutablePointer<JET_RSTMAP_A>?, _ crstfilemap: Int32,
                                _ szBackupLogPath: UnsafeMutablePointer<CChar>?, _ genLow: Int32, _ genHigh: Int32,
                                _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .pointer("szCheckpointFilePath", szCheckpointFilePath), .pointer("szLogPath", szLogPath),
        .pointer("rgrstmap", rgrstmap), .integer("crstfilemap", Int64(crstfilemap)),
        .pointer("szBackupLogPath", szBackupLogPath), .integer("genLow", Int64(genLow)),
        .integer("genHigh", Int64(genHigh)), .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.external(Jet.optionalText(szCheckpointFilePath, .narrow, "szCheckpointFilePath"),
                                Jet.optionalText(szLogPath, .narrow, "szLogPath"),
                                JetRecovery.map(rgrstmap, crstfilemap, .narrow, entry: entryA),
                                Jet.optionalText(szBackupLogPath, .narrow, "szBackupLogPath"), genLow, genHigh, pfn)
    }
}

/// JetExternalRestoreW (ESENT.@)
@c(JetExternalRestoreW)
public func JetExternalRestoreW(_ szCheckpointFilePath: UnsafeMutablePointer<UInt16>?, _ szLogPath: UnsafeMutablePointer<UInt16>?,
                                _ rgrstmap: UnsafeMutablePointer<JET_RSTMAP_W>?, _ crstfilemap: Int32,
                                _ szBackupLogPath: UnsafeMutablePointer<UInt16>?, _ genLow: Int32, _ genHigh: Int32,
                                _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .pointer("szCheckpointFilePath", szCheckpointFilePath), .pointer("szLogPath", szLogPath),
        .pointer("rgrstmap", rgrstmap), .integer("crstfilemap", Int64(crstfilemap)),
        .pointer("szBackupLogPath", szBackupLogPath), .integer("genLow", Int64(genLow)),
        .integer("genHigh", Int64(genHigh)), .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.external(Jet.optionalText(szCheckpointFilePath, .wide, "szCheckpointFilePath"),
                                Jet.optionalText(szLogPath, .wide, "szLogPath"),
                                JetRecovery.map(rgrstmap, crstfilemap, .wide, entry: entryW),
                                Jet.optionalText(szBackupLogPath, .wide, "szBackupLogPath"), genLow, genHigh, pfn)
    }
}

/// JetExternalRestore2 (ESENT.@) - the undecorated name of JetExternalRestore2A.
@c(JetExternalRestore2)
public func JetExternalRestore2(_ szCheckpointFilePath: UnsafeMutablePointer<CChar>?, _ szLogPath: UnsafeMutablePointer<CChar>?,
                                _ rgrstmap: UnsafeMutablePointer<JET_RSTMAP_A>?, _ crstfilemap: Int32,
                                _ szBackupLogPath: UnsafeMutablePointer<CChar>?, _ pLogInfo: UnsafeMutablePointer<JET_LOGINFO_A>?,
                                _ szTargetInstanceName: UnsafeMutablePointer<CChar>?, _ szTargetInstanceLogPath: UnsafeMutablePointer<CChar>?,
                                _ szTargetInstanceCheckpointPath: UnsafeMutablePointer<CChar>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    traced([
        .narrow("szCheckpointFilePath", szCheckpointFilePath), .narrow("szLogPath", szLogPath), .pointer("rgrstmap", rgrstmap),
        .integer("crstfilemap", Int64(crstfilemap)), .narrow("szBackupLogPath", szBackupLogPath), .pointer("pLogInfo", pLogInfo),
        .narrow("szTargetInstanceName", szTargetInstanceName), .narrow("szTargetInstanceLogPath", szTargetInstanceLogPath),
        .narrow("szTargetInstanceCheckpointPath", szTargetInstanceCheckpointPath),
        .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self)),
    ], as: CallResult.jet) {
        JetExternalRestore2A(szCheckpointFilePath, szLogPath, rgrstmap, crstfilemap, szBackupLogPath, pLogInfo, szTargetInstanceName,
                             szTargetInstanceLogPath, szTargetInstanceCheckpointPath, pfn)
    }
}

/// JetExternalRestore2A (ESENT.@) - szTargetInstanceName is deprecated and unused.
@c(JetExternalRestore2A)
public func JetExternalRestore2A(_ szCheckpointFilePath: UnsafeMutablePointer<CChar>?, _ szLogPath: UnsafeMutablePointer<CChar>?,
                                 _ rgrstmap: UnsafeMutablePointer<JET_RSTMAP_A>?, _ crstfilemap: Int32,
                                 _ szBackupLogPath: UnsafeMutablePointer<CChar>?, _ pLogInfo: UnsafeMutablePointer<JET_LOGINFO_A>?,
                                 _ szTargetInstanceName: UnsafeMutablePointer<CChar>?, _ szTargetInstanceLogPath: UnsafeMutablePointer<CChar>?,
                                 _ szTargetInstanceCheckpointPath: UnsafeMutablePointer<CChar>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .pointer("szCheckpointFilePath", szCheckpointFilePath), .pointer("szLogPath", szLogPath),
        .pointer("rgrstmap", rgrstmap), .integer("crstfilemap", Int64(crstfilemap)),
        .pointer("szBackupLogPath", szBackupLogPath), .pointer("pLogInfo", pLogInfo),
        .pointer("szTargetInstanceName", szTargetInstanceName),
        .pointer("szTargetInstanceLogPath", szTargetInstanceLogPath),
        .pointer("szTargetInstanceCheckpointPath", szTargetInstanceCheckpointPath),
        .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.external2(Jet.optionalText(szCheckpointFilePath, .narrow, "szCheckpointFilePath"),
                                 Jet.optionalText(szLogPath, .narrow, "szLogPath"),
                                 JetRecovery.map(rgrstmap, crstfilemap, .narrow, entry: entryA),
                                 Jet.optionalText(szBackupLogPath, .narrow, "szBackupLogPath"), pLogInfo?.pointee.described,
                                 Jet.optionalText(szTargetInstanceLogPath, .narrow, "szTargetInstanceLogPath"),
                                 Jet.optionalText(szTargetInstanceCheckpointPath, .narrow, "szTargetInstanceCheckpointPath"), pfn)
    }
}

/// JetExternalRestore2W (ESENT.@)
@c(JetExternalRestore2W)
public func JetExternalRestore2W(_ szCheckpointFilePath: UnsafeMutablePointer<UInt16>?, _ szLogPath: UnsafeMutablePointer<UInt16>?,
                                 _ rgrstmap: UnsafeMutablePointer<JET_RSTMAP_W>?, _ crstfilemap: Int32,
                                 _ szBackupLogPath: UnsafeMutablePointer<UInt16>?, _ pLogInfo: UnsafeMutablePointer<JET_LOGINFO_W>?,
                                 _ szTargetInstanceName: UnsafeMutablePointer<UInt16>?, _ szTargetInstanceLogPath: UnsafeMutablePointer<UInt16>?,
                                 _ szTargetInstanceCheckpointPath: UnsafeMutablePointer<UInt16>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .pointer("szCheckpointFilePath", szCheckpointFilePath), .pointer("szLogPath", szLogPath),
        .pointer("rgrstmap", rgrstmap), .integer("crstfilemap", Int64(crstfilemap)),
        .pointer("szBackupLogPath", szBackupLogPath), .pointer("pLogInfo", pLogInfo),
        .pointer("szTargetInstanceName", szTargetInstanceName),
        .pointer("szTargetInstanceLogPath", szTargetInstanceLogPath),
        .pointer("szTargetInstanceCheckpointPath", szTargetInstanceCheckpointPath),
        .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.external2(Jet.optionalText(szCheckpointFilePath, .wide, "szCheckpointFilePath"),
                                 Jet.optionalText(szLogPath, .wide, "szLogPath"),
                                 JetRecovery.map(rgrstmap, crstfilemap, .wide, entry: entryW),
                                 Jet.optionalText(szBackupLogPath, .wide, "szBackupLogPath"), pLogInfo?.pointee.described,
                                 Jet.optionalText(szTargetInstanceLogPath, .wide, "szTargetInstanceLogPath"),
                                 Jet.optionalText(szTargetInstanceCheckpointPath, .wide, "szTargetInstanceCheckpointPath"), pfn)
    }
}

/// JetBackup (ESENT.@) - the Windows 2000 name of JetBackupA.
@c(JetBackup)
public func JetBackup(_ szBackupPath: UnsafePointer<CChar>?, _ grbit: UInt32, _ pfnStatus: JET_PFNSTATUS?) -> JET_ERR {
    traced([
        .narrow("szBackupPath", szBackupPath), .flags("grbit", grbit),
        .pointer("pfnStatus", unsafeBitCast(pfnStatus, to: UnsafeRawPointer?.self))
    ], as: CallResult.jet) {
        JetBackupA(szBackupPath, grbit, pfnStatus)
    }
}

/// JetBackupA (ESENT.@)
@c(JetBackupA)
public func JetBackupA(_ szBackupPath: UnsafePointer<CChar>?, _ grbit: UInt32, _ pfnStatus: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .narrow("szBackupPath", szBackupPath), .flags("grbit", grbit),
        .pointer("pfnStatus", unsafeBitCast(pfnStatus, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.backup(nil, CString.optionalNarrow(szBackupPath, "szBackupPath"), grbit, pfnStatus)
    }
}

/// JetBackupW (ESENT.@)
@c(JetBackupW)
public func JetBackupW(_ szBackupPath: UnsafePointer<UInt16>?, _ grbit: UInt32, _ pfnStatus: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .wide("szBackupPath", szBackupPath), .flags("grbit", grbit),
        .pointer("pfnStatus", unsafeBitCast(pfnStatus, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.backup(nil, CString.optionalWide(szBackupPath, "szBackupPath"), grbit, pfnStatus)
    }
}

/// JetBackupInstance (ESENT.@) - the Windows 2000 name of JetBackupInstanceA.
@c(JetBackupInstance)
public func JetBackupInstance(_ instance: UInt, _ szBackupPath: UnsafePointer<CChar>?, _ grbit: UInt32, _ pfnStatus: JET_PFNSTATUS?) -> JET_ERR {
    traced([
        .handle("instance", instance), .narrow("szBackupPath", szBackupPath), .flags("grbit", grbit),
        .pointer("pfnStatus", unsafeBitCast(pfnStatus, to: UnsafeRawPointer?.self))
    ], as: CallResult.jet) {
        JetBackupInstanceA(instance, szBackupPath, grbit, pfnStatus)
    }
}

/// JetBackupInstanceA (ESENT.@)
@c(JetBackupInstanceA)
public func JetBackupInstanceA(_ instance: UInt, _ szBackupPath: UnsafePointer<CChar>?, _ grbit: UInt32, _ pfnStatus: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .handle("instance", instance), .narrow("szBackupPath", szBackupPath), .flags("grbit", grbit),
        .pointer("pfnStatus", unsafeBitCast(pfnStatus, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.backup(instance, CString.optionalNarrow(szBackupPath, "szBackupPath"), grbit, pfnStatus)
    }
}

/// JetBackupInstanceW (ESENT.@)
@c(JetBackupInstanceW)
public func JetBackupInstanceW(_ instance: UInt, _ szBackupPath: UnsafePointer<UInt16>?, _ grbit: UInt32, _ pfnStatus: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .handle("instance", instance), .wide("szBackupPath", szBackupPath), .flags("grbit", grbit),
        .pointer("pfnStatus", unsafeBitCast(pfnStatus, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.backup(instance, CString.optionalWide(szBackupPath, "szBackupPath"), grbit, pfnStatus)
    }
}

/// JetRestore (ESENT.@) - the Windows 2000 name of JetRestoreA.
@c(JetRestore)
public func JetRestore(_ szSource: UnsafePointer<CChar>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    traced([.narrow("szSource", szSource), .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))], as: CallResult.jet) {
        JetRestoreA(szSource, pfn)
    }
}

/// JetRestoreA (ESENT.@)
@c(JetRestoreA)
public func JetRestoreA(_ szSource: UnsafePointer<CChar>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([.narrow("szSource", szSource), .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))]) { () throws(BackupError) in
        try JetRecovery.restore(nil, CString.optionalNarrow(szSource, "szSource"), nil, pfn)
    }
}

/// JetRestoreW (ESENT.@)
@c(JetRestoreW)
public func JetRestoreW(_ szSource: UnsafePointer<UInt16>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([.wide("szSource", szSource), .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))]) { () throws(BackupError) in
        try JetRecovery.restore(nil, CString.optionalWide(szSource, "szSource"), nil, pfn)
    }
}

/// JetRestore2 (ESENT.@) - the Windows 2000 name of JetRestore2A.
@c(JetRestore2)
public func JetRestore2(_ sz: UnsafePointer<CChar>?, _ szDest: UnsafePointer<CChar>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    traced([.narrow("sz", sz), .narrow("szDest", szDest), .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))], as: CallResult.jet) {
        JetRestore2A(sz, szDest, pfn)
    }
}

/// JetRestore2A (ESENT.@)
@c(JetRestore2A)
public func JetRestore2A(_ sz: UnsafePointer<CChar>?, _ szDest: UnsafePointer<CChar>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([.narrow("sz", sz), .narrow("szDest", szDest), .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))]) { () throws(BackupError) in
        try JetRecovery.restore(nil, CString.optionalNarrow(sz, "sz"), CString.optionalNarrow(szDest, "szDest"), pfn)
    }
}

/// JetRestore2W (ESENT.@)
@c(JetRestore2W)
public func JetRestore2W(_ sz: UnsafePointer<UInt16>?, _ szDest: UnsafePointer<UInt16>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([.wide("sz", sz), .wide("szDest", szDest), .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))]) { () throws(BackupError) in
        try JetRecovery.restore(nil, CString.optionalWide(sz, "sz"), CString.optionalWide(szDest, "szDest"), pfn)
    }
}

/// JetRestoreInstance (ESENT.@) - the Windows 2000 name of JetRestoreInstanceA.
@c(JetRestoreInstance)
public func JetRestoreInstance(_ instance: UInt, _ sz: UnsafePointer<CChar>?, _ szDest: UnsafePointer<CChar>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    traced([
        .handle("instance", instance), .narrow("sz", sz), .narrow("szDest", szDest),
        .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))
    ], as: CallResult.jet) {
        JetRestoreInstanceA(instance, sz, szDest, pfn)
    }
}

/// JetRestoreInstanceA (ESENT.@)
@c(JetRestoreInstanceA)
public func JetRestoreInstanceA(_ instance: UInt, _ sz: UnsafePointer<CChar>?, _ szDest: UnsafePointer<CChar>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .handle("instance", instance), .narrow("sz", sz), .narrow("szDest", szDest),
        .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.restore(instance, CString.optionalNarrow(sz, "sz"), CString.optionalNarrow(szDest, "szDest"), pfn)
    }
}

/// JetRestoreInstanceW (ESENT.@)
@c(JetRestoreInstanceW)
public func JetRestoreInstanceW(_ instance: UInt, _ sz: UnsafePointer<UInt16>?, _ szDest: UnsafePointer<UInt16>?, _ pfn: JET_PFNSTATUS?) -> JET_ERR {
    jet([
        .handle("instance", instance), .wide("sz", sz), .wide("szDest", szDest),
        .pointer("pfn", unsafeBitCast(pfn, to: UnsafeRawPointer?.self))
    ]) { () throws(BackupError) in
        try JetRecovery.restore(instance, CString.optionalWide(sz, "sz"), CString.optionalWide(szDest, "szDest"), pfn)
    }
}
