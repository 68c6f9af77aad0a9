import BackupEngine

/// The CA side of the reference restore agent, as `certutil -restoreDB DIR` does it through
/// Certadm.dll, in the order of Microsoft's "Restoring Certificate Services": the CA must be
/// stopped (CertSrvIsServerOnline fails), CertSrvRestorePrepare (full or incremental),
/// CertSrvRestoreRegister, copy the database (a full set) and the logs, the published files,
/// CertSrvRestoreRegisterComplete, CertSrvRestoreEnd. Restore the full set first, then each
/// incremental one, in any order; the CA replays them all when it starts.
extension RestoreAgent {
    /// Where on the CA the agent notes whose published files are in place (the last log
    /// generation of that set), so that the newest set's win whatever the order incrementals are
    /// restored in.
    static let publishedMarker = backupLogFolder + "\\published-files.generation"

    func restoreCertificateAuthority(_ directory: String, _ manifest: BackupManifest, to server: String) throws(CLIError) -> Result {
        let cs = library.certadm
        let (genLow, genHigh) = try logRange(manifest, directory)
        var online: Int32 = 0
        let state = withWideValue(server) { cs.isServerOnline($0, &online) }
        guard state != 0 else {
            throw CLIError("\(server) is running\(online == 0 ? " (paused)" : ""): stop it first (winbackupctl server stop \(server))")
        }
        let full = !manifest.isIncremental
        var hbc: UnsafeMutableRawPointer?
        try check(withWideValue(server) { cs.restorePrepare($0, full ? 0x1 /* CSRESTORE_TYPE_FULL */ : 0, &hbc) }, "CertSrvRestorePrepare")
        defer { _ = cs.restoreEnd(hbc) }

        // The locations were saved at backup time (a stopped CA cannot be asked); the same drive
        // paths on this CA.
        let databases = manifest.files.filter { $0.kind == .database }
        let saved = manifest.locations.filter { $0.kind == .database }.map(\.name)
        guard !full || databases.count == saved.count else { throw CLIError("\(directory): the manifest's database locations do not match its databases") }
        let targets = try saved.map { (name) throws(CLIError) -> String in try drivePath(name) }
        let logFolder = Self.backupLogFolder + "\\\(manifest.backupTime)-\(manifest.backupKind)"

        var map = [[UInt16]]()
        if full {
            for (entry, target) in zip(databases, targets) {
                map.append(Array(entry.name.utf16) + [0])  // pwszDatabaseName: the name at backup time
                map.append(Array(target.utf16) + [0])      // pwszNewDatabaseName: where it goes now
            }
        }
        let count = Int32(full ? databases.count : 0)
        var hr = register(cs.restoreRegister, hbc, map, count, logFolder, genLow, genHigh)
        if UInt32(bitPattern: hr) == 0x8007_0005 {  // E_ACCESSDENIED: not an administrator
            hr = register(cs.restoreRegisterThroughFile, hbc, map, count, logFolder, genLow, genHigh)
        }
        try check(hr, "CertSrvRestoreRegister")

        var result = Result(genLow: genLow, genHigh: genHigh, incremental: !full)
        do {
            if full {
                for (entry, target) in zip(databases, targets) {
                    result.bytes += try copy(directory + "/" + entry.file, to: try library.resolve(server, target))
                    result.files += 1
                }
            }
            let logs = try library.resolve(server, logFolder)
            try FileSystem.makeDirectories(logs)
            for entry in manifest.files where entry.kind == .log {
                result.bytes += try copy(directory + "/" + entry.file, to: logs + "/" + FileSystem.lastComponent(entry.file))
                result.files += 1
            }
            result.files += try restorePublished(directory, manifest, to: server, full: full, genHigh: genHigh)
        } catch {
            _ = cs.restoreRegisterComplete(hbc, Int32(bitPattern: 0x8000_4005))  // E_FAIL: the CA will not start
            throw error as? CLIError ?? CLIError("\(error)")
        }
        try check(cs.restoreRegisterComplete(hbc, 0), "CertSrvRestoreRegisterComplete")
        return result
    }

    private func register(_ call: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<UInt16>?, UnsafePointer<UInt16>?,
                                                  UnsafeMutablePointer<UnsafePointer<UInt16>?>?, Int32, UnsafePointer<UInt16>?,
                                                  UInt32, UInt32) -> Int32,
                          _ hbc: UnsafeMutableRawPointer?, _ map: [[UInt16]], _ count: Int32, _ logFolder: String,
                          _ genLow: UInt32, _ genHigh: UInt32) -> Int32 {
        // NULL checkpoint and log paths: the CA's own, as Certadm allows.
        withWideValue(logFolder) { logs in
            map.isEmpty ? call(hbc, nil, nil, nil, 0, logs, genLow, genHigh)
                        : withArrayOfPointers(map) { call(hbc, nil, nil, $0, count, logs, genLow, genHigh) }
        }
    }

    /// Puts the set's published files (CRL, CA certificate) back, unless a newer set's are there.
    private func restorePublished(_ directory: String, _ manifest: BackupManifest, to server: String, full: Bool,
                                  genHigh: UInt32) throws -> Int {
        let marker = try library.resolve(server, Self.publishedMarker)
        let inPlace = full ? nil : (try? FileSystem.readFile(marker)).flatMap { UInt32(String(decoding: $0, as: UTF8.self)) }
        if let inPlace, inPlace > genHigh { return 0 }
        var files = 0
        for entry in manifest.files where entry.kind == .dynamic {
            let target = try library.resolve(server, try drivePath(entry.name))
            try FileSystem.makeDirectories(FileSystem.parentPath(target))
            _ = try copy(directory + "/" + entry.file, to: target)
            files += 1
        }
        try FileSystem.writeAtomically(marker, Array(String(genHigh).utf8))
        return files
    }

    /// "\\CA01\C$\Windows\System32\CertLog\CA01-CA.edb" -> "C:\Windows\System32\CertLog\CA01-CA.edb".
    private func drivePath(_ unc: String) throws(CLIError) -> String {
        let parts = unc.split(whereSeparator: { $0 == "\\" }).map(String.init)
        guard unc.hasPrefix("\\\\"), parts.count >= 3, parts[1].count == 2, parts[1].hasSuffix("$") else {
            throw CLIError("unexpected name in the manifest: \(unc)")
        }
        return "\(parts[1].prefix(1)):\\" + parts.dropFirst(2).joined(separator: "\\")
    }
}

/// Calls `body` with a NUL-terminated UTF-16 copy of `s`.
func withWideValue<R>(_ s: String, _ body: (UnsafePointer<UInt16>) -> R) -> R {
    let units = Array(s.utf16) + [0]
    return units.withUnsafeBufferPointer { body($0.baseAddress!) }
}
