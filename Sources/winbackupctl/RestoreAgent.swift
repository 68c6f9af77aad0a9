import BackupEngine
import Glibc

/// The reference restore agent: puts a backup set made by BackupAgent back onto a domain
/// controller (a CA: CertificateAuthorityRestore.swift) through the exported C functions, in
/// Microsoft's documented order:
/// DsIsNTDSOnline (must be FALSE), DsRestorePrepare with the saved token,
/// DsRestoreGetDatabaseLocations, DsRestoreRegister, copy the files (destinations deleted
/// first), DsRestoreRegisterComplete, DsRestoreEnd. The DC applies it when it next starts.
/// Path arguments are given in all three spellings the library takes, as agents do.
struct RestoreAgent {
    let library: WinBackupLibrary

    /// The folder on the DC the backed-up logs are copied to (szBackupLogPath).
    static let backupLogFolder = "C:\\WinBackup\\RestoredLogs"

    struct Result {
        var files = 0
        var bytes: Int64 = 0
        var genLow: UInt32 = 0
        var genHigh: UInt32 = 0
        var incremental = false
    }

    /// Restores a backup set made by BackupAgent: a domain controller's or a CA's.
    func restore(_ directory: String, to server: String) throws(CLIError) -> Result {
        if let failure = BackupManifest.failure(in: directory) { throw CLIError("\(directory) is a FAILED backup: \(failure)") }
        let manifest: BackupManifest
        do { manifest = try BackupManifest.read(directory) } catch { throw CLIError(error) }
        switch manifest.api {
        case "ntdsbcli": return try restoreDomainController(directory, manifest, to: server)
        case "certadm": return try restoreCertificateAuthority(directory, manifest, to: server)
        case "esent": return try restoreEseInstance([directory], to: server)
        default: throw CLIError("\(directory) is a backup set of an unknown API '\(manifest.api)'")
        }
    }

    func check(_ hr: Int32, _ call: String) throws(CLIError) {
        guard hr == 0 else { throw CLIError("\(call) failed: \(HResultNames.describe(hr))") }
    }

    /// The log generations a set holds, lowest and highest.
    func logRange(_ manifest: BackupManifest, _ directory: String) throws(CLIError) -> (UInt32, UInt32) {
        let generations = manifest.files.filter { $0.kind == .log }.compactMap { logGeneration($0.name) }.sorted()
        guard let genLow = generations.first, let genHigh = generations.last else { throw CLIError("\(directory) holds no logs") }
        return (genLow, genHigh)
    }

    private func restoreDomainController(_ directory: String, _ manifest: BackupManifest, to server: String) throws(CLIError) -> Result {
        let token: [UInt8]
        do { token = try FileSystem.readFile(directory + "/" + BackupManifest.tokenFileName) } catch { throw CLIError(error) }
        let (genLow, genHigh) = try logRange(manifest, directory)
        let lib = library
        var online: Int32 = 1
        try withWide(server) { (s) throws(CLIError) in try check(lib.dsIsNTDSOnline(s, &online), "DsIsNTDSOnline") }
        guard online == 0 else { throw CLIError("\(server) is online: stop it first (winbackupctl server stop \(server)), as a DC is restored in DSRM") }

        var hbc: UnsafeMutableRawPointer?
        var tokenCopy = token
        try withWide(server) { (s) throws(CLIError) in
            let hr = tokenCopy.withUnsafeMutableBytes { lib.dsRestorePrepare(s, 0, $0.baseAddress, UInt32($0.count), &hbc) }
            try check(hr, "DsRestorePrepare")
        }
        defer { _ = lib.dsRestoreEnd(hbc) }

        var list: UnsafeMutablePointer<UInt16>?
        var size: UInt32 = 0
        try check(lib.dsRestoreGetDatabaseLocations(hbc, &list, &size), "DsRestoreGetDatabaseLocations")
        let locations = parseWideList(list!, bytes: size, typed: true)
        lib.dsBackupFree(list)
        let databaseLocations = locations.filter { $0.type == 0x44 }.map(\.text)
        guard let logDirectory = locations.first(where: { $0.type == 0x82 })?.text,
              let checkpointDirectory = locations.first(where: { $0.type == 0x83 })?.text else {
            throw CLIError("DsRestoreGetDatabaseLocations gave no log or checkpoint folder")
        }
        let databases = manifest.files.filter { $0.kind == .database }
        guard databases.count == databaseLocations.count else {
            throw CLIError("the backup holds \(databases.count) database(s), \(server) has \(databaseLocations.count)")
        }

        // Register first: from here the DC will not start until the restore is complete.
        var mapStrings = [[UInt16]]()
        for (entry, location) in zip(databases, databaseLocations) {
            mapStrings.append(Array(entry.name.utf16) + [0])  // wszDatabaseName: the name at backup time
            mapStrings.append(Array(location.utf16) + [0])    // wszNewDatabaseName: where it goes now
        }
        let local = try lib.resolve(server, logDirectory)  // the log path in its local spelling
        var registerResult: Int32 = 0
        try withWide(checkpointDirectory) { (checkpoint) throws(CLIError) in
            try withWide(local) { (logs) throws(CLIError) in
                try withWide(Self.backupLogFolder) { (backupLogs) throws(CLIError) in
                    registerResult = withArrayOfPointers(mapStrings) { map in
                        lib.dsRestoreRegister(hbc, checkpoint, logs, map, Int32(databases.count), backupLogs, genLow, genHigh)
                    }
                }
            }
        }
        try check(registerResult, "DsRestoreRegister")

        var result = Result(genLow: genLow, genHigh: genHigh)
        do {
            for (entry, location) in zip(databases, databaseLocations) {
                result.bytes += try copy(directory + "/" + entry.file, to: try lib.resolve(server, location))
                result.files += 1
            }
            let logFolder = try lib.resolve(server, Self.backupLogFolder)
            try FileSystem.makeDirectories(logFolder)
            for entry in manifest.files where entry.kind == .log {
                result.bytes += try copy(directory + "/" + entry.file, to: logFolder + "/" + FileSystem.lastComponent(entry.file))
                result.files += 1
            }
        } catch {
            // Tell the DC the copy failed: it will not start on a half-restored database.
            _ = lib.dsRestoreRegisterComplete(hbc, Int32(bitPattern: 0x8000_4005))  // E_FAIL
            throw error as? CLIError ?? CLIError("\(error)")
        }
        try check(lib.dsRestoreRegisterComplete(hbc, 0), "DsRestoreRegisterComplete")
        return result
    }

    /// Copies a file: the destination is deleted first, as Microsoft's restore steps say.
    func copy(_ from: String, to target: String) throws(CLIError) -> Int64 {
        do {
            try FileSystem.remove(target)
            return try FileSystem.copyFile(from, to: target)
        } catch { throw CLIError(error) }
    }

    private func logGeneration(_ name: String) -> UInt32? {
        let file = name.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? name
        guard file.lowercased().hasSuffix(".log") else { return nil }
        return UInt32(file.dropFirst(3).dropLast(4), radix: 16)
    }
}

/// Calls `body` with a C array of pointers to the given NUL-terminated UTF-16 strings.
func withArrayOfPointers<R>(_ strings: [[UInt16]], _ body: (UnsafeMutablePointer<UnsafePointer<UInt16>?>) -> R) -> R {
    var pointers = [UnsafePointer<UInt16>?]()
    var storage = [UnsafeMutablePointer<UInt16>]()
    for s in strings {
        let p = UnsafeMutablePointer<UInt16>.allocate(capacity: s.count)
        p.initialize(from: s, count: s.count)
        storage.append(p)
        pointers.append(UnsafePointer(p))
    }
    defer { for p in storage { p.deallocate() } }
    return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
