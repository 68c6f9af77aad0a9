/// One injected fault of a server: what goes wrong, where, and whether once or every time.
/// Kept in the server's settings as `fault = SPEC`; SPEC is also what `winbackupctl fault add`
/// and WbInjectFaultA take, so there is one language (docs/FAULTS.md):
///
///   read-error --file PATH [--offset N]       bad-checksum --file PATH --page N
///   wrong-page --file PATH --page N           corrupt-log --generation N
///   missing-log --generation N                stop [--after-reads N]
///   slow-read --latency 50ms [--after-reads N]  short-read --max-bytes N [--after-reads N]
///   disk-full [--after-bytes N]               permission-denied
///   deny-user ACCOUNT                         and --once with any of them
///
/// Faults act on the library's read and write paths, never on the files: clearing them leaves
/// the server as it was.
public struct Fault: Equatable, Sendable, CustomStringConvertible {
    public enum Effect: Equatable, Sendable {
        /// Reading the byte at `offset` of the file's backup stream fails (JET_errDiskIO).
        case readError(file: WindowsPath, offset: Int64)
        /// The page is delivered with a bad checksum (JET_errReadVerifyFailure, after the re-reads).
        case badChecksum(file: WindowsPath, page: UInt32)
        /// The page is delivered as another, valid page (JET_errReadPgnoVerifyFailure).
        case wrongPage(file: WindowsPath, page: UInt32)
        /// A segment of the log generation fails its checksum (JET_errLogReadVerifyFailure).
        case corruptLog(generation: UInt32)
        /// The log generation is absent: to a backup (-569) and to a restore (-528).
        case missingLog(generation: UInt32)
        /// The server stops the backup at the read after `afterReads` reads (-801 from then on).
        case stop(afterReads: Int)
        /// Each read call after `afterReads` reads takes `milliseconds` longer.
        case slowRead(milliseconds: Int, afterReads: Int)
        /// Each read call after `afterReads` reads delivers at most `maxBytes` bytes.
        case shortRead(maxBytes: Int, afterReads: Int)
        /// A restore write that would take the bytes written past `afterBytes` fails (-1808).
        case diskFull(afterBytes: Int64)
        /// Every restore write fails (JET_errFileAccessDenied).
        case permissionDenied
        /// The account is refused where it connects, as if it were not allowed.
        case denyUser(account: String)
    }

    public var effect: Effect
    /// Fires once, then is removed from the settings; otherwise every time.
    public var once: Bool

    public init(_ effect: Effect, once: Bool = false) {
        self.effect = effect
        self.once = once
    }

    public var kind: String {
        switch effect {
        case .readError: "read-error"
        case .badChecksum: "bad-checksum"
        case .wrongPage: "wrong-page"
        case .corruptLog: "corrupt-log"
        case .missingLog: "missing-log"
        case .stop: "stop"
        case .slowRead: "slow-read"
        case .shortRead: "short-read"
        case .diskFull: "disk-full"
        case .permissionDenied: "permission-denied"
        case .denyUser: "deny-user"
        }
    }

    public static let kinds = ["read-error", "bad-checksum", "wrong-page", "corrupt-log", "missing-log", "stop",
                               "slow-read", "short-read", "disk-full", "permission-denied", "deny-user"]

    /// The spec, in the form `parse` reads back; paths and accounts quoted.
    public var description: String {
        var words = [kind]
        func reads(_ n: Int) { if n > 0 { words += ["--after-reads", String(n)] } }
        switch effect {
        case .readError(let file, let offset): words += ["--file", "\"\(file)\"", "--offset", String(offset)]
        case .badChecksum(let file, let page), .wrongPage(let file, let page): words += ["--file", "\"\(file)\"", "--page", String(page)]
        case .corruptLog(let g), .missingLog(let g): words += ["--generation", String(g)]
        case .stop(let n): reads(n)
        case .slowRead(let ms, let n): words += ["--latency", "\(ms)ms"]; reads(n)
        case .shortRead(let max, let n): words += ["--max-bytes", String(max)]; reads(n)
        case .diskFull(let n): if n > 0 { words += ["--after-bytes", String(n)] }
        case .permissionDenied: break
        case .denyUser(let account): words.append("\"\(account)\"")
        }
        if once { words.append("--once") }
        return words.joined(separator: " ")
    }

    /// Parses a spec. `resolve` turns a --file argument into the server's path (any of the three
    /// spellings); its errors, like every other problem, become invalidParameter.
    public static func parse(_ text: String, resolve: (String) throws(BackupError) -> WindowsPath) throws(BackupError) -> Fault {
        try parse(OptionParsing.words(text, singleQuotes: true), resolve: resolve)
    }

    public static func parse(_ words: [String], resolve: (String) throws(BackupError) -> WindowsPath) throws(BackupError) -> Fault {
        guard let kind = words.first else { throw .invalidParameter("a fault needs a kind: \(kinds.joined(separator: ", "))") }
        var options = FaultOptions(kind: kind, words: Array(words.dropFirst()))
        let once = options.flag("--once")
        let effect: Effect
        switch kind {
        case "read-error":
            effect = .readError(file: try options.file(resolve), offset: try options.size("--offset") ?? 0)
        case "bad-checksum":
            effect = .badChecksum(file: try options.file(resolve), page: try options.page())
        case "wrong-page":
            effect = .wrongPage(file: try options.file(resolve), page: try options.page())
        case "corrupt-log":
            effect = .corruptLog(generation: try options.generation())
        case "missing-log":
            effect = .missingLog(generation: try options.generation())
        case "stop":
            effect = .stop(afterReads: try options.afterReads())
        case "slow-read":
            guard let latency = try options.value("--latency") else { throw options.missing("--latency") }
            effect = .slowRead(milliseconds: try FaultOptions.milliseconds(latency), afterReads: try options.afterReads())
        case "short-read":
            guard let max = try options.size("--max-bytes"), max > 0, max <= Int64(Int32.max) else { throw options.missing("--max-bytes (1 or more)") }
            effect = .shortRead(maxBytes: Int(max), afterReads: try options.afterReads())
        case "disk-full":
            effect = .diskFull(afterBytes: try options.size("--after-bytes") ?? 0)
        case "permission-denied":
            effect = .permissionDenied
        case "deny-user":
            let account = try options.positional("an account (DOMAIN\\user or user)")
            guard !account.isEmpty, !account.contains(" "), !account.contains("\"") else {
                throw .invalidParameter("deny-user: bad account '\(account)'")
            }
            effect = .denyUser(account: account)
        default:
            throw .invalidParameter("unknown fault '\(kind)'; the kinds are \(kinds.joined(separator: ", "))")
        }
        try options.finish()
        return Fault(effect, once: once)
    }
}

/// The options of one fault spec, taken out one by one; what is left over is an error.
struct FaultOptions {
    let kind: String
    var words: [String]

    mutating func flag(_ name: String) -> Bool {
        guard let i = words.firstIndex(of: name) else { return false }
        words.remove(at: i)
        return true
    }

    mutating func value(_ name: String) throws(BackupError) -> String? {
        guard let i = words.firstIndex(of: name) else { return nil }
        guard i + 1 < words.count else { throw .invalidParameter("\(kind): \(name) needs a value") }
        let v = words[i + 1]
        words.removeSubrange(i...(i + 1))
        return v
    }

    mutating func positional(_ what: String) throws(BackupError) -> String {
        guard let i = words.firstIndex(where: { !$0.hasPrefix("--") }) else { throw .invalidParameter("\(kind) needs \(what)") }
        return words.remove(at: i)
    }

    func missing(_ what: String) -> BackupError { .invalidParameter("\(kind) needs \(what)") }

    func finish() throws(BackupError) {
        if let extra = words.first { throw .invalidParameter("\(kind): unexpected '\(extra)'") }
    }

    mutating func file(_ resolve: (String) throws(BackupError) -> WindowsPath) throws(BackupError) -> WindowsPath {
        guard let text = try value("--file") else { throw missing("--file PATH") }
        do throws(BackupError) {
            return try resolve(text)
        } catch {
            throw .invalidParameter("\(kind): --file \(text) is not a path on this server (C:\\..., \\\\SERVER\\C$\\... or a local path in its folder)")
        }
    }

    mutating func size(_ name: String) throws(BackupError) -> Int64? {
        guard let v = try value(name) else { return nil }
        do throws(BackupError) { return try OptionParsing.size(v) } catch { throw .invalidParameter("\(kind): \(name) takes a byte count, not '\(v)'") }
    }

    mutating func number(_ name: String, _ range: ClosedRange<Int64>) throws(BackupError) -> Int64? {
        guard let v = try value(name) else { return nil }
        guard let n = Int64(v), range.contains(n) else { throw .invalidParameter("\(kind): \(name) takes a number in \(range)") }
        return n
    }

    mutating func page() throws(BackupError) -> UInt32 {
        guard let n = try number("--page", 1...Int64(UInt32.max - 1)) else { throw missing("--page N (1 or more)") }
        return UInt32(n)
    }

    mutating func generation() throws(BackupError) -> UInt32 {
        guard let n = try number("--generation", 1...0xFFFF_FFFF) else { throw missing("--generation N") }
        return UInt32(n)
    }

    mutating func afterReads() throws(BackupError) -> Int {
        Int(try number("--after-reads", 0...Int64(Int32.max)) ?? 0)
    }

    /// "50ms", "2s" or a number of milliseconds; at most a minute.
    static func milliseconds(_ text: String) throws(BackupError) -> Int {
        var digits = Substring(text.lowercased()), unit = 1
        if digits.hasSuffix("ms") { digits = digits.dropLast(2) } else if digits.hasSuffix("s") { digits = digits.dropLast(); unit = 1000 }
        guard let n = Int(digits), n >= 0, n * unit <= 60_000 else { throw .invalidParameter("slow-read: --latency takes 0ms to 60s, not '\(text)'") }
        return n * unit
    }
}
