import BackupEngine

/// The `ese` side of the reference backup agent: a streaming external backup through ESENT's
/// Jet API, in the order of the ESE documentation: JetCreateInstance (the name picks the
/// server), JetInit, JetBeginExternalBackupInstance, JetGetAttachInfoInstance and each database
/// (JetOpenFileInstance, JetReadFileInstance to 0 bytes, JetCloseFileInstance),
/// JetGetLogInfoInstance and each log, JetTruncateLogInstance, JetEndExternalBackupInstance2
/// (Normal; Abort on any failure), JetTerm2.
extension BackupAgent {
    mutating func backupEseInstance(_ server: String, to directory: String, incremental: Bool,
                                    truncate: Bool) throws(CLIError) -> Result {
        try prepareFolder(directory)
        let started = monotonicNanoseconds()
        let jet = library.jet
        let folder: String
        do { folder = try ServerRegistry().find(server).directory } catch { throw CLIError(error) }

        var instance: UInt = 0
        try Self.checkJet(withWideValue(server) { jet.createInstance(&instance, $0) }, "JetCreateInstance")
        defer { _ = jet.term(instance, 0x4 /* JET_bitTermStopBackup */) }
        try Self.checkJet(jet.initialize(&instance), "JetInit")
        try Self.checkJet(jet.beginExternalBackup(instance, incremental ? 0x1 /* JET_bitBackupIncremental */ : 0), "JetBeginExternalBackupInstance")
        var ended = false
        defer { if !ended { _ = jet.endExternalBackup(instance, 0x2 /* JET_bitBackupEndAbort */) } }

        var manifest = BackupManifest(server: server, role: "ese", api: "esent", backupTime: unixTime())
        manifest.backupKind = incremental ? "incremental" : "full"
        var file: UInt = 0
        let calls = FileCalls(
            api: "JetFileInstance",
            open: { name, _, size in
                var low: UInt32 = 0, high: UInt32 = 0
                let err = jet.openFile(instance, name, &file, &low, &high)
                size = Int64(high) << 32 | Int64(low)
                return Self.hresult(err)
            },
            read: { Self.hresult(jet.readFile(instance, file, $0, $1, &$2)) },
            close: { Self.hresult(jet.closeFile(instance, file)) },
            isEndOfFile: { hr, got in hr == 0 && got == 0 })
        progress.begin()
        if !incremental {
            for path in try JetFunctions.list({ jet.getAttachInfo(instance, $0, $1, $2) }, "JetGetAttachInfoInstance") {
                manifest.files.append(try copy(calls, try Self.unc(path, server: server, folder: folder), kind: .database, into: directory))
            }
        }
        for path in try JetFunctions.list({ jet.getLogInfo(instance, $0, $1, $2) }, "JetGetLogInfoInstance") {
            manifest.files.append(try copy(calls, try Self.unc(path, server: server, folder: folder), kind: .log, into: directory))
        }
        progress.finish()
        if truncate {
            manifest.logsTruncated = try deletedLogs(server) { () throws(CLIError) in
                try Self.checkJet(jet.truncateLog(instance), "JetTruncateLogInstance")
            }
        }
        ended = true
        try Self.checkJet(jet.endExternalBackup(instance, 0x1 /* JET_bitBackupEndNormal */), "JetEndExternalBackupInstance2")
        try writeManifest(manifest, directory)
        return Result(manifest: manifest, seconds: Double(monotonicNanoseconds() - started) / 1e9)
    }

    static func checkJet(_ err: Int32, _ call: String) throws(CLIError) {
        guard err == 0 else { throw CLIError("\(call) failed: \(JetFunctions.describe(err))") }
    }

    /// A JET_ERR in the HRESULT spelling the file-copy loop reports (0xC8000000 | -err).
    private static func hresult(_ err: Int32) -> Int32 { err < 0 ? Int32(bitPattern: 0xC800_0000 | UInt32(-err)) : err }

    /// The Jet lists name local files (docs/DEVIATIONS.md); the set records the server path,
    /// "<root>/servers/ESE01/C/ESE/ese.edb" -> "\\ESE01\C$\ESE\ese.edb", which OpenFile also takes.
    private static func unc(_ path: String, server: String, folder: String) throws(CLIError) -> String {
        guard path.hasPrefix(folder + "/") else { throw CLIError("\(path) is not a file of \(server)") }
        let parts = path.dropFirst(folder.count + 1).split(separator: "/")
        guard let drive = parts.first, drive.count == 1 else { throw CLIError("\(path) is not on a drive of \(server)") }
        return "\\\\\(server)\\\(drive)$\\" + parts.dropFirst().joined(separator: "\\")
    }
}
