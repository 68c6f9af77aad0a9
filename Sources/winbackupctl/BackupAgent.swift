import BackupEngine
import Glibc

/// The reference backup agent: backs up a server through the exported C functions in Microsoft's
/// documented order, writing each file under its server path, and a manifest (sizes, SHA-256)
/// into a folder. The manifest is written last: a folder without one is not a backup. A domain
/// controller goes through Ntdsbcli (this file), a certification authority through Certadm
/// (CertificateAuthorityBackup.swift).
struct BackupAgent {
    let library: WinBackupLibrary
    var progress = Progress()
    /// Bytes per read: a multiple of 8192, at least 24576 (DsBackupRead's rule).
    var readSize: UInt32 = 1 << 20

    struct Result {
        var manifest: BackupManifest
        var seconds: Double
    }

    /// OpenFile, Read and Close of one API on one backup context.
    struct FileCalls {
        var api: String
        var open: (UnsafePointer<UInt16>, UInt32, inout Int64) -> Int32
        var read: (UnsafeMutableRawPointer, UInt32, inout UInt32) -> Int32
        var close: () -> Int32
        /// How the API says "end of file": Ntdsbcli ERROR_HANDLE_EOF, Certadm S_OK with 0 bytes.
        var isEndOfFile: (_ hr: Int32, _ got: UInt32) -> Bool
    }

    mutating func backupDomainController(_ server: String, to directory: String, truncate: Bool) throws(CLIError) -> Result {
        try prepareFolder(directory)
        let started = monotonicNanoseconds()
        let lib = library
        var online: Int32 = 0
        try withWide(server) { (s) throws(CLIError) in try check(lib.dsIsNTDSOnline(s, &online), "DsIsNTDSOnline") }
        guard online != 0 else { throw CLIError("\(server): Active Directory is not running (the DC is offline)") }

        var token: UnsafeMutableRawPointer?
        var tokenSize: UInt32 = 0
        var hbc: UnsafeMutableRawPointer?
        try withWide(server) { (s) throws(CLIError) in
            try check(lib.dsBackupPrepare(s, 0, 0x01 /* BACKUP_TYPE_FULL */, &token, &tokenSize, &hbc), "DsBackupPrepare")
        }
        defer { _ = lib.dsBackupEnd(hbc) }
        let tokenBytes = Array(UnsafeRawBufferPointer(start: token, count: Int(tokenSize)))
        lib.dsBackupFree(token)
        do {
            try FileSystem.writeAtomically(directory + "/" + BackupManifest.tokenFileName, tokenBytes)
        } catch { throw CLIError(error) }

        var manifest = BackupManifest(server: server, role: "ntds", api: "ntdsbcli", backupTime: unixTime())
        let calls = FileCalls(
            api: "DsBackup",
            open: { lib.dsBackupOpenFile(hbc, $0, $1, &$2) },
            read: { lib.dsBackupRead(hbc, $0, $1, &$2) },
            close: { lib.dsBackupClose(hbc) },
            isEndOfFile: { hr, _ in hr == 38 /* ERROR_HANDLE_EOF */ })
        progress.begin()

        var list: UnsafeMutablePointer<UInt16>?
        var listSize: UInt32 = 0
        try check(lib.dsBackupGetDatabaseNames(hbc, &list, &listSize), "DsBackupGetDatabaseNames")
        let databases = parseWideList(list!, bytes: listSize, typed: true)
        lib.dsBackupFree(list)
        for (_, name) in databases {
            manifest.files.append(try copy(calls, name, kind: .database, into: directory))
        }

        list = nil
        try check(lib.dsBackupGetBackupLogs(hbc, &list, &listSize), "DsBackupGetBackupLogs")
        let logs = parseWideList(list!, bytes: listSize, typed: true)
        lib.dsBackupFree(list)
        for (_, name) in logs {
            manifest.files.append(try copy(calls, name, kind: .log, into: directory))
        }
        progress.finish()

        if truncate {
            manifest.logsTruncated = try deletedLogs(server) { () throws(CLIError) in
                try check(lib.dsBackupTruncateLogs(hbc), "DsBackupTruncateLogs")
            }
        }
        try writeManifest(manifest, directory)
        return Result(manifest: manifest, seconds: Double(monotonicNanoseconds() - started) / 1e9)
    }

    func check(_ hr: Int32, _ call: String) throws(CLIError) {
        guard hr == 0 else { throw CLIError("\(call) failed: \(HResultNames.describe(hr))") }
    }

    /// Runs a truncation and says which log generations it deleted.
    func deletedLogs(_ server: String, _ truncate: () throws(CLIError) -> Void) throws(CLIError) -> [UInt32] {
        let before = Set((try? StoreLayoutProbe.logGenerations(server)) ?? [])
        try truncate()
        let after = Set((try? StoreLayoutProbe.logGenerations(server)) ?? [])
        return before.subtracting(after).sorted()
    }

    func writeManifest(_ manifest: BackupManifest, _ directory: String) throws(CLIError) {
        do {
            try FileSystem.writeAtomically(directory + "/" + BackupManifest.fileName, Array(manifest.serialized().utf8))
        } catch { throw CLIError(error) }
    }

    /// Open, read to the end, close: one listed file into the folder, under its server path.
    mutating func copy(_ calls: FileCalls, _ name: String, kind: BackupManifest.Kind,
                       into directory: String) throws(CLIError) -> BackupManifest.Entry {
        let relative = try relativePath(name)
        let target = directory + "/" + relative
        var size: Int64 = 0
        let hint = readSize
        try withWide(name) { (s) throws(CLIError) in
            let hr = calls.open(s, hint, &size)
            guard hr == 0 else { throw CLIError("\(calls.api)OpenFile \(name) failed: \(HResultNames.describe(hr))") }
        }
        guard let buffer = aligned(Int(readSize)) else { throw CLIError("out of memory") }
        defer { free(buffer) }
        var hash = SHA256()
        var done: Int64 = 0
        var failure: String?
        do throws(BackupError) {
            try FileSystem.makeDirectories(FileSystem.parentPath(target))
            let out = try File.create(target)
            while true {
                var got: UInt32 = 0
                let hr = calls.read(buffer, readSize, &got)
                if calls.isEndOfFile(hr, got) { break }
                guard hr == 0 else {
                    failure = "\(calls.api)Read \(name) failed at byte \(done): \(HResultNames.describe(hr))"
                    break
                }
                let chunk = UnsafeRawBufferPointer(start: buffer, count: Int(got))
                try out.write(chunk, at: done)
                hash.update(chunk)
                done += Int64(got)
                progress.update(FileSystem.lastComponent(relative), done: done, total: size)
            }
            try out.sync()
        } catch {
            failure = error.description
        }
        if let failure {
            _ = calls.close()
            progress.finish()
            throw CLIError(failure)
        }
        progress.update(FileSystem.lastComponent(relative), done: done, total: size, force: true)
        guard done == size else { throw CLIError("\(name): read \(done) bytes, \(calls.api)OpenFile said \(size)") }
        let hr = calls.close()
        guard hr == 0 else { throw CLIError("\(calls.api)Close \(name) failed: \(HResultNames.describe(hr))") }
        return BackupManifest.Entry(kind: kind, name: name, file: relative, size: size, sha256: hexString(hash.finalize()))
    }

    /// "\\DC01\C$\Windows\NTDS\ntds.dit" -> "C/Windows/NTDS/ntds.dit".
    func relativePath(_ unc: String) throws(CLIError) -> String {
        let parts = unc.split(whereSeparator: { $0 == "\\" || $0 == "/" })
        guard parts.count >= 3, parts[1].count == 2, parts[1].hasSuffix("$") else { throw CLIError("unexpected name in a list: \(unc)") }
        let rest = parts.dropFirst(2)
        guard !rest.contains("..") else { throw CLIError("unexpected name in a list: \(unc)") }
        return ([String(parts[1].prefix(1))] + rest.map(String.init)).joined(separator: "/")
    }

    func prepareFolder(_ directory: String) throws(CLIError) {
        if FileSystem.exists(directory) {
            guard FileSystem.isDirectory(directory) else { throw CLIError("\(directory) is not a folder") }
            guard ((try? FileSystem.list(directory)) ?? ["?"]).isEmpty else { throw CLIError("\(directory) is not empty") }
        } else {
            do { try FileSystem.makeDirectories(directory) } catch { throw CLIError(error) }
        }
    }

    private func aligned(_ bytes: Int) -> UnsafeMutableRawPointer? {
        var p: UnsafeMutableRawPointer?
        return posix_memalign(&p, 4096, bytes) == 0 ? p : nil
    }
}

/// Reads what generations a server's log folder holds, to report what a truncation deleted.
enum StoreLayoutProbe {
    static func logGenerations(_ server: String) throws(BackupError) -> [UInt32] {
        let s = try ServerRegistry().find(server)
        return try StoreLayout(server: s, settings: try s.settings()).archivedGenerations()
    }
}
