/// A backup set on disk, as winbackupctl's reference agent writes it: each file under its
/// server path (DIR/C/Windows/NTDS/ntds.dit), the expiry token, and manifest.txt, written last,
/// so a set without a manifest is an unfinished backup.
public struct BackupManifest: Equatable, Sendable {
    public static let fileName = "manifest.txt"
    public static let tokenFileName = "expiry-token.bin"
    /// Written instead of the manifest when a backup failed: why, in one line.
    public static let failureFileName = "BACKUP-FAILED.txt"

    /// Why the backup in `directory` failed, if the agent left word of it.
    public static func failure(in directory: String) -> String? {
        let path = directory + "/" + failureFileName
        guard FileSystem.exists(path) else { return nil }
        let text = String(decoding: (try? FileSystem.readFile(path)) ?? [], as: UTF8.self)
        return text.split(separator: "\n").first.map { $0.trimmingSpaces() } ?? ""
    }

    /// `dynamic`: a file a CA publishes (CertSrvBackupGetDynamicFileList), copied by ordinary means.
    public enum Kind: String, Sendable { case database, log, dynamic, other }

    /// Where the server keeps its files (RestoreGetDatabaseLocations at backup time).
    public struct Location: Equatable, Sendable {
        public enum Kind: String, Sendable { case database, logDirectory = "log-directory", checkpointDirectory = "checkpoint-directory" }
        public var kind: Kind
        public var name: String

        public init(kind: Kind, name: String) { self.kind = kind; self.name = name }
    }

    public struct Entry: Equatable, Sendable {
        public var kind: Kind
        /// The name the API listed ("\\DC01\C$\Windows\NTDS\ntds.dit").
        public var name: String
        /// The file in the set, relative to its folder ("C/Windows/NTDS/ntds.dit").
        public var file: String
        public var size: Int64
        public var sha256: String

        public init(kind: Kind, name: String, file: String, size: Int64, sha256: String) {
            self.kind = kind; self.name = name; self.file = file; self.size = size; self.sha256 = sha256
        }
    }

    public var server: String
    public var role: String
    public var api: String
    public var backupTime: Int64
    public var logsTruncated: [UInt32]
    /// "full", or "incremental" (a CA's LOGS_ONLY backup: logs only, restored after its full one).
    public var backupKind = "full"
    public var locations: [Location] = []
    public var files: [Entry]

    public var isIncremental: Bool { backupKind == "incremental" }

    public init(server: String, role: String, api: String, backupTime: Int64, logsTruncated: [UInt32] = [], files: [Entry] = []) {
        self.server = server; self.role = role; self.api = api; self.backupTime = backupTime
        self.logsTruncated = logsTruncated; self.files = files
    }

    public func serialized() -> String {
        var lines = [
            "# winbackup backup set; check it with: winbackupctl verify <this folder>",
            "format = 1",
            "server = \(server)",
            "role = \(role)",
            "api = \(api)",
            "backup-time = \(backupTime)",
            "expiry-token = \(Self.tokenFileName)",
            "logs-truncated = \(logsTruncated.map(String.init).joined(separator: " "))",
            "backup-kind = \(backupKind)",
        ]
        for l in locations { lines.append("location = \(l.kind.rawValue) | \(l.name)") }
        for f in files { lines.append("file = \(f.kind.rawValue) | \(f.name) | \(f.file) | \(f.size) | \(f.sha256)") }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func parse(_ text: String, path: String) throws(BackupError) -> BackupManifest {
        func fail(_ why: String) -> BackupError { .invalidParameter("\(path): \(why)") }
        var m = BackupManifest(server: "", role: "", api: "", backupTime: 0)
        var sawFormat = false
        for (n, raw) in text.split(separator: "\n").enumerated() {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else { throw fail("line \(n + 1) is not 'key = value'") }
            let key = line[..<eq].trimmingSpaces(), value = line[line.index(after: eq)...].trimmingSpaces()
            switch key {
            case "format": guard value == "1" else { throw fail("unknown format \(value)") }; sawFormat = true
            case "server": m.server = value
            case "role": m.role = value
            case "api": m.api = value
            case "backup-time": guard let t = Int64(value) else { throw fail("bad backup-time") }; m.backupTime = t
            case "expiry-token": break
            case "logs-truncated": m.logsTruncated = value.split(separator: " ").compactMap { UInt32($0) }
            case "backup-kind":
                guard value == "full" || value == "incremental" else { throw fail("bad backup-kind") }
                m.backupKind = value
            case "location":
                let parts = value.split(separator: "|", maxSplits: 1).map { $0.trimmingSpaces() }
                guard parts.count == 2, let kind = Location.Kind(rawValue: parts[0]) else { throw fail("line \(n + 1): bad location") }
                m.locations.append(Location(kind: kind, name: parts[1]))
            case "file":
                let parts = value.split(separator: "|").map { $0.trimmingSpaces() }
                guard parts.count == 5, let kind = Kind(rawValue: parts[0]), let size = Int64(parts[3]),
                      !parts[2].contains(".."), !parts[2].hasPrefix("/") else { throw fail("line \(n + 1): bad file entry") }
                m.files.append(Entry(kind: kind, name: parts[1], file: parts[2], size: size, sha256: parts[4]))
            default: throw fail("line \(n + 1): unknown key '\(key)'")
            }
        }
        guard sawFormat, !m.server.isEmpty else { throw fail("not a winbackup manifest") }
        return m
    }

    public static func read(_ directory: String) throws(BackupError) -> BackupManifest {
        let path = directory + "/" + fileName
        guard FileSystem.exists(path) else { throw .fileNotFound(path) }
        return try parse(String(decoding: try FileSystem.readFile(path), as: UTF8.self), path: path)
    }
}

/// What `winbackupctl verify` found in a backup set.
public struct BackupSetReport: Sendable {
    public var databases = 0
    public var pagesVerified = 0
    public var pagesUninitialized = 0
    public var logs: [UInt32] = []
    public var bytes: Int64 = 0
    /// The content digest the server recorded at the end of the last log of the set: what a
    /// server restored from this set must show.
    public var digest: DatabaseDigest?
    public var problems: [String] = []

    public var ok: Bool { problems.isEmpty }
}

public enum BackupSetVerifier {
    /// Checks every file of a set against its manifest (size, SHA-256) and against ESE's rules:
    /// the database stream page by page (headers, every page's checksum and number, trailer),
    /// every log segment, a contiguous log range that starts where the database header says.
    public static func verify(_ directory: String) throws(BackupError) -> BackupSetReport {
        try verify(directory, manifest: try BackupManifest.read(directory))
    }

    /// A manifest for a folder of backed-up files that has none (another agent's output): the
    /// database streams and logs found in it, so they can be checked the same way.
    public static func discover(_ directory: String) throws(BackupError) -> BackupManifest {
        var manifest = BackupManifest(server: "?", role: "?", api: "?", backupTime: 0)
        func walk(_ relative: String) throws(BackupError) {
            let path = relative.isEmpty ? directory : directory + "/" + relative
            for name in try FileSystem.list(path) {
                let child = relative.isEmpty ? name : relative + "/" + name
                let full = directory + "/" + child
                if FileSystem.isDirectory(full) { try walk(child); continue }
                guard FileSystem.isRegularFile(full), name != BackupManifest.tokenFileName else { continue }
                let kind: BackupManifest.Kind
                if name.lowercased().hasSuffix(".log") {
                    kind = .log
                } else if let db = try? DatabaseFile.open(full), let h = try? db.readHeader(), h.bkinfoFullCur.genLow > 0 {
                    kind = .database
                } else {
                    continue
                }
                manifest.files.append(BackupManifest.Entry(kind: kind, name: child, file: child, size: try FileSystem.fileSize(full),
                                                           sha256: try sha256(ofFile: full)))
            }
        }
        try walk("")
        manifest.files.sort { ($0.kind == .database ? 0 : 1, $0.file) < ($1.kind == .database ? 0 : 1, $1.file) }
        return manifest
    }

    public static func verify(_ directory: String, manifest: BackupManifest) throws(BackupError) -> BackupSetReport {
        var report = BackupSetReport()
        var expectedLow: UInt32?
        var signLogs = [[UInt8]]()
        for entry in manifest.files {
            let path = directory + "/" + entry.file
            guard FileSystem.isRegularFile(path) else { report.problems.append("\(entry.file): missing"); continue }
            let size = try FileSystem.fileSize(path)
            guard size == entry.size else { report.problems.append("\(entry.file): \(size) bytes, manifest says \(entry.size)"); continue }
            report.bytes += size
            guard try sha256(ofFile: path) == entry.sha256 else { report.problems.append("\(entry.file): SHA-256 differs from the manifest"); continue }
            switch entry.kind {
            case .database:
                report.databases += 1
                do throws(BackupError) {
                    let low = try verifyDatabaseStream(path, &report)
                    if let e = expectedLow, e != low { report.problems.append("\(entry.file): backup starts at generation \(low), another database at \(e)") }
                    expectedLow = low
                    signLogs.append(try DatabaseFile.open(path).readHeader().signLog.bytes)
                } catch { report.problems.append("\(entry.file): \(error)") }
            case .log:
                do throws(BackupError) {
                    let scan = try LogScan.read(path)
                    if let d = scan.damageOffset { report.problems.append("\(entry.file): damaged at offset \(d)"); continue }
                    if !scan.ended { report.problems.append("\(entry.file): the generation does not end") }
                    if !signLogs.isEmpty && !signLogs.contains(scan.header.signLog.bytes) {
                        report.problems.append("\(entry.file): a log of another log stream")
                    }
                    report.logs.append(scan.header.generation)
                    if scan.header.generation == report.logs.max() { report.digest = scan.digest }
                } catch { report.problems.append("\(entry.file): \(error)") }
            case .dynamic, .other: break
            }
        }
        report.logs.sort()
        if manifest.isIncremental && report.databases > 0 { report.problems.append("an incremental backup set holds a database") }
        if let low = expectedLow {
            if report.logs.first != low { report.problems.append("the logs start at \(report.logs.first.map(String.init) ?? "none"), the database needs \(low)") }
        }
        for (a, b) in zip(report.logs, report.logs.dropFirst()) where b != a + 1 {
            report.problems.append("log generations \(a) and \(b) are not contiguous")
        }
        let token = directory + "/" + BackupManifest.tokenFileName
        if FileSystem.exists(token) {
            if case .failure = ExpiryToken.decode(try FileSystem.readFile(token)) { report.problems.append("the expiry token is damaged") }
        } else if manifest.api == "ntdsbcli" {
            report.problems.append("the expiry token is missing")  // a folder without a manifest may be any API's
        }
        return report
    }

    /// Checks a streamed database; returns the first log generation it needs.
    static func verifyDatabaseStream(_ path: String, _ report: inout BackupSetReport) throws(BackupError) -> UInt32 {
        let db = try DatabaseFile.open(path)
        let ps = db.pageSize
        let total = try FileSystem.fileSize(path) / Int64(ps)
        guard total >= 3 else { throw .databaseCorrupted("too short for a backup stream") }
        let shadow = try db.file.read(count: ps, at: Int64(ps))
        guard let header = DatabaseHeader(page: try db.file.read(count: ps, at: 0)), DatabaseHeader(page: shadow) != nil else {
            throw .databaseCorrupted("a header copy fails its checksum")
        }
        let low = header.bkinfoFullCur.genLow
        guard low > 0 else { throw .databaseCorrupted("bkinfoFullCur is empty: not a backup stream") }
        let last = UInt32(total - 3)
        var pgno: UInt32 = 1
        let batch = 128
        var buffer = [UInt8](zeros: batch * ps)
        while pgno <= last {
            let count = min(batch, Int(last - pgno + 1))
            try buffer.withMutableBytes { (all) throws(BackupError) in
                _ = try db.readPages(pgno, into: UnsafeMutableRawBufferPointer(rebasing: all[0..<(count * ps)]))
                for i in 0..<count {
                    let page = UnsafeRawBufferPointer(rebasing: all[(i * ps)..<((i + 1) * ps)])
                    switch PageFormat.verify(page, pgno: pgno + UInt32(i)) {
                    case .valid: report.pagesVerified += 1
                    case .uninitialized: report.pagesUninitialized += 1
                    case .badChecksum: report.problems.append("\(path): page \(pgno + UInt32(i)) fails its checksum")
                    case .wrongPage(let found): report.problems.append("\(path): page \(pgno + UInt32(i)) holds page \(found)")
                    }
                }
            }
            pgno += UInt32(count)
        }
        let trailerBytes = try db.file.read(count: ps, at: (total - 1) * Int64(ps))
        guard let trailer = trailerBytes.withUnsafeBytes({ BackupTrailer($0) }) else { throw .databaseCorrupted("no valid trailer page") }
        guard trailer.backupInfo.genLow == low, trailer.signDb == header.signDb else {
            throw .databaseCorrupted("the trailer does not belong to this header")
        }
        return low
    }

    public static func sha256(ofFile path: String) throws(BackupError) -> String {
        let file = try File.openForReading(path)
        var hash = SHA256()
        var offset: Int64 = 0
        var buffer = [UInt8](zeros: 1 << 20)
        while true {
            let n = try buffer.withMutableBytes { (p) throws(BackupError) -> Int in try file.read(into: p, at: offset) }
            if n == 0 { break }
            buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            offset += Int64(n)
        }
        return hexString(hash.finalize())
    }
}
