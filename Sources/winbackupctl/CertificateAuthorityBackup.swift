import BackupEngine

/// The CA side of the reference backup agent, as `certutil -backupDB DIR [Incremental] [KeepLog]`
/// does it through Certadm.dll, in the order of Microsoft's "Backing Up Certificate Services":
/// CertSrvIsServerOnline, CertSrvBackupPrepare, CertSrvRestoreGetDatabaseLocations (kept in the
/// manifest: a restore cannot ask a stopped CA), the database, the logs, CertSrvBackupTruncateLogs,
/// CertSrvBackupGetDynamicFileList (copied by ordinary means), CertSrvBackupEnd, CertSrvBackupFree.
extension BackupAgent {
    mutating func backupCertificateAuthority(_ server: String, to directory: String, incremental: Bool,
                                             truncate: Bool) throws(CLIError) -> Result {
        try prepareFolder(directory)
        let started = monotonicNanoseconds()
        let cs = library.certadm
        var online: Int32 = 0
        try withWide(server) { (s) throws(CLIError) in try check(cs.isServerOnline(s, &online), "CertSrvIsServerOnline") }
        guard online != 0 else { throw CLIError("\(server): the CA is paused; resume it first (winbackupctl server start \(server))") }

        var hbc: UnsafeMutableRawPointer?
        let flags: UInt32 = incremental ? 0x2 /* CSBACKUP_TYPE_LOGS_ONLY */ : 0x1 /* CSBACKUP_TYPE_FULL */
        try withWide(server) { (s) throws(CLIError) in try check(cs.backupPrepare(s, 0, flags, &hbc), "CertSrvBackupPrepare") }
        defer { _ = cs.backupEnd(hbc) }

        var manifest = BackupManifest(server: server, role: "certsrv", api: "certadm", backupTime: unixTime())
        manifest.backupKind = incremental ? "incremental" : "full"
        manifest.locations = try list(cs.restoreGetDatabaseLocations, hbc, "CertSrvRestoreGetDatabaseLocations").compactMap { type, name in
            switch type {
            case 0x44: .init(kind: .database, name: name)             // CSBFT_CERTSERVER_DATABASE
            case 0x82: .init(kind: .logDirectory, name: name)         // CSBFT_LOG_DIR
            case 0x83: .init(kind: .checkpointDirectory, name: name)  // CSBFT_CHECKPOINT_DIR
            default: nil
            }
        }
        let calls = FileCalls(
            api: "CertSrvBackup",
            open: { cs.backupOpenFile(hbc, $0, $1, &$2) },
            read: { cs.backupRead(hbc, $0, $1, &$2) },
            close: { cs.backupClose(hbc) },
            isEndOfFile: { hr, got in hr == 0 && got == 0 })
        progress.begin()
        if !incremental {
            for (_, name) in try list(cs.backupGetDatabaseNames, hbc, "CertSrvBackupGetDatabaseNames") {
                manifest.files.append(try copy(calls, name, kind: .database, into: directory))
            }
        }
        for (_, name) in try list(cs.backupGetBackupLogs, hbc, "CertSrvBackupGetBackupLogs") {
            manifest.files.append(try copy(calls, name, kind: .log, into: directory))
        }
        progress.finish()
        if truncate {
            manifest.logsTruncated = try deletedLogs(server) { () throws(CLIError) in
                try check(cs.backupTruncateLogs(hbc), "CertSrvBackupTruncateLogs")
            }
        }
        for (_, name) in try list(cs.backupGetDynamicFileList, hbc, "CertSrvBackupGetDynamicFileList", typed: false) {
            manifest.files.append(try copyPublished(server, name, into: directory))
        }
        try writeManifest(manifest, directory)
        return Result(manifest: manifest, seconds: Double(monotonicNanoseconds() - started) / 1e9)
    }

    private func list(_ call: (UnsafeMutableRawPointer?, CertadmFunctions.WideList, CertadmFunctions.Size) -> Int32,
                      _ hbc: UnsafeMutableRawPointer?, _ name: String, typed: Bool = true) throws(CLIError) -> [(type: UInt16, text: String)] {
        var list: UnsafeMutablePointer<UInt16>?
        var size: UInt32 = 0
        try check(call(hbc, &list, &size), name)
        return library.certadm.takeList(list, size, typed: typed)
    }

    /// A published file (a CRL, the CA certificate): an ordinary copy of the file behind the name.
    private func copyPublished(_ server: String, _ name: String, into directory: String) throws(CLIError) -> BackupManifest.Entry {
        let relative = try relativePath(name)
        do {
            let source = try library.resolve(server, name)
            let target = directory + "/" + relative
            try FileSystem.makeDirectories(FileSystem.parentPath(target))
            let size = try FileSystem.copyFile(source, to: target)
            return BackupManifest.Entry(kind: .dynamic, name: name, file: relative, size: size,
                                        sha256: try BackupSetVerifier.sha256(ofFile: target))
        } catch let e as CLIError { throw e } catch let e as BackupError { throw CLIError(e) } catch { throw CLIError("\(error)") }
    }
}
