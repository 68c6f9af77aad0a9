/// What a server is for; it decides the default layout and which API family may use it.
public enum ServerRole: String, Sendable, CaseIterable {
    case ntds, certsrv, ese

    public var displayName: String {
        switch self {
        case .ntds: "domain controller (ntds)"
        case .certsrv: "certification authority (certsrv)"
        case .ese: "ESE instance (ese)"
        }
    }
}

/// Whether the server's database engine runs. A CA can also be paused (running, not serving).
public enum ServerState: String, Sendable {
    case online, offline, paused
}

/// An account allowed to back up and restore a server. Without a password hash it is a local
/// account, matched against the process's own user when no DsSetAuthIdentity credentials are
/// set; with one, it is matched against DsSetAuthIdentity's user, domain and password. An
/// administrator (the default) may do everything; a backup operator holds only the backup and
/// restore privileges, which is not enough for CertSrvRestoreRegisterW.
public struct Identity: Equatable, Sendable {
    public var domain: String?
    public var user: String
    public var passwordHash: String?
    public var administrator: Bool

    public init(domain: String?, user: String, passwordHash: String?, administrator: Bool = true) {
        self.domain = domain; self.user = user; self.passwordHash = passwordHash; self.administrator = administrator
    }

    /// "DOMAIN\user" or "user".
    public var account: String { domain.map { "\($0)\\\(user)" } ?? user }

    static let operatorWord = "backup-operator"

    /// Parses "DOMAIN\user [hash] [backup-operator]" or "user [hash] [backup-operator]".
    init?(settingValue: String) {
        var parts = settingValue.split(separator: " ", omittingEmptySubsequences: true)
        administrator = true
        if parts.count > 1, parts.last! == Self.operatorWord {
            administrator = false
            parts.removeLast()
        }
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let account = parts[0]
        if let slash = account.firstIndex(of: "\\") {
            domain = String(account[..<slash])
            user = String(account[account.index(after: slash)...])
            guard !domain!.isEmpty else { return nil }
        } else {
            domain = nil
            user = String(account)
        }
        guard !user.isEmpty, user != Self.operatorWord else { return nil }
        passwordHash = parts.count == 2 ? String(parts[1]) : nil
    }

    var settingValue: String {
        (passwordHash.map { "\(account) \($0)" } ?? account) + (administrator ? "" : " " + Self.operatorWord)
    }

    /// An identity for "DOMAIN\user" (or "user") and its password, hashed with crypt(3); a nil
    /// password makes a local account.
    public static func make(account: String, password: String?, administrator: Bool = true) throws(BackupError) -> Identity {
        guard !account.contains(" "), var identity = Identity(settingValue: account) else {
            throw .invalidParameter("account must be DOMAIN\\user or user, without spaces")
        }
        identity.passwordHash = try password.map { (p) throws(BackupError) -> String in try Credentials.hash(p) }
        identity.administrator = administrator
        return identity
    }
}

extension ServerSettings {
    /// Adds an identity, replacing one for the same account.
    public mutating func allow(_ identity: Identity) {
        identities.removeAll { $0.account.lowercased() == identity.account.lowercased() }
        identities.append(identity)
    }

    /// Removes an account; false if it was not there.
    @discardableResult
    public mutating func deny(account: String) -> Bool {
        let before = identities.count
        identities.removeAll { $0.account.lowercased() == account.lowercased() }
        return identities.count != before
    }
}

/// The settings of one server, kept in <server>/server.conf: one "key = value" per line, '#'
/// comments. Written atomically (temporary file, fsync, rename), so a reader never sees half.
public struct ServerSettings: Equatable, Sendable {
    public var name: String
    public var role: ServerRole
    /// 16 random bytes naming this server for good: in signatures, tokens and logs.
    public var id: [UInt8]
    public var state: ServerState
    public var created: Int64
    public var circularLogging: Bool
    public var logFileSize: Int
    public var pageSize: Int
    public var databases: [WindowsPath]
    public var logPath: WindowsPath
    public var systemPath: WindowsPath
    public var baseName: String
    public var tombstoneLifetimeDays: Int
    public var caName: String?
    public var identities: [Identity]
    /// DsSetCurrentBackupLog's value, when one was set.
    public var lastBackupLog: UInt32?
    /// Seconds the server's clock runs ahead of the machine's (`winbackupctl server set-clock`),
    /// so a test can make a backup old enough for the tombstone lifetime to expire it.
    public var clockOffset: Int64 = 0
    /// Injected faults (`winbackupctl fault add`, WbInjectFaultA), in the order added.
    public var faults: [Fault] = []

    /// The server's idea of now.
    public func now(_ machine: Int64 = unixTime()) -> Int64 { machine + clockOffset }

    public static let fileName = "server.conf"

    public init(name: String, role: ServerRole, id: [UInt8], state: ServerState, created: Int64,
                circularLogging: Bool, logFileSize: Int, pageSize: Int, databases: [WindowsPath],
                logPath: WindowsPath, systemPath: WindowsPath, baseName: String,
                tombstoneLifetimeDays: Int, caName: String?, identities: [Identity], lastBackupLog: UInt32? = nil) {
        self.name = name; self.role = role; self.id = id; self.state = state; self.created = created
        self.circularLogging = circularLogging; self.logFileSize = logFileSize; self.pageSize = pageSize
        self.databases = databases; self.logPath = logPath; self.systemPath = systemPath
        self.baseName = baseName; self.tombstoneLifetimeDays = tombstoneLifetimeDays; self.caName = caName
        self.identities = identities; self.lastBackupLog = lastBackupLog
    }

    public func serialized() -> String {
        var lines = [
            "# winbackup server settings: change them with winbackupctl.",
            "name = \(name)",
            "role = \(role.rawValue)",
            "id = \(hexString(id))",
            "state = \(state.rawValue)",
            "created = \(created)",
            "circular-logging = \(circularLogging ? "on" : "off")",
            "log-file-size = \(logFileSize)",
            "page-size = \(pageSize)",
        ]
        lines += databases.map { "database = \($0)" }
        lines += [
            "log-path = \(logPath)",
            "system-path = \(systemPath)",
            "base-name = \(baseName)",
            "tombstone-lifetime-days = \(tombstoneLifetimeDays)",
        ]
        if let caName { lines.append("ca-name = \(caName)") }
        if let lastBackupLog { lines.append("last-backup-log = \(lastBackupLog)") }
        if clockOffset != 0 { lines.append("clock-offset = \(clockOffset)") }
        lines += identities.map { "identity = \($0.settingValue)" }
        lines += faults.map { "fault = \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses a settings file; every problem is an error naming the line.
    public static func parse(_ text: String, path: String) throws(BackupError) -> ServerSettings {
        func fail(_ why: String) -> BackupError { .settingsCorrupt(path: path, reason: why) }
        var values = [String: String]()
        var databases = [WindowsPath](), identities = [Identity](), faults = [Fault]()
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else { throw fail("line \(number + 1): expected 'key = value'") }
            let key = String(line[..<eq]).trimmingSpaces(), value = String(line[line.index(after: eq)...]).trimmingSpaces()
            switch key {
            case "database":
                guard let p = WindowsPath(value), !p.components.isEmpty else { throw fail("line \(number + 1): bad database path '\(value)'") }
                databases.append(p)
            case "identity":
                guard let i = Identity(settingValue: value) else { throw fail("line \(number + 1): bad identity '\(value)'") }
                identities.append(i)
            case "fault":
                do throws(BackupError) {
                    faults.append(try Fault.parse(value) { (text) throws(BackupError) -> WindowsPath in
                        guard let p = WindowsPath(text) else { throw .invalidPath(text) }
                        return p
                    })
                } catch {
                    throw fail("line \(number + 1): bad fault '\(value)': \(error)")
                }
            case "name", "role", "id", "state", "created", "circular-logging", "log-file-size", "page-size",
                 "log-path", "system-path", "base-name", "tombstone-lifetime-days", "ca-name", "last-backup-log", "clock-offset":
                guard values[key] == nil else { throw fail("line \(number + 1): '\(key)' given twice") }
                values[key] = value
            default:
                throw fail("line \(number + 1): unknown setting '\(key)'")
            }
        }
        func required(_ key: String) throws(BackupError) -> String {
            guard let v = values[key] else { throw fail("missing '\(key)'") }
            return v
        }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws(BackupError) -> Int {
            guard let v = Int(try required(key)), range.contains(v) else { throw fail("'\(key)' must be a number in \(range)") }
            return v
        }
        func windowsPath(_ key: String) throws(BackupError) -> WindowsPath {
            guard let p = WindowsPath(try required(key)) else { throw fail("bad path in '\(key)'") }
            return p
        }
        let rawName = try required("name")
        guard let name = try? ServerName.validate(rawName) else { throw fail("bad 'name' '\(rawName)'") }
        guard let role = ServerRole(rawValue: try required("role")) else { throw fail("unknown role") }
        guard let id = bytesFromHex(try required("id")), id.count == 16 else { throw fail("'id' must be 32 hex digits") }
        guard let state = ServerState(rawValue: try required("state")) else { throw fail("'state' must be online, offline or paused") }
        guard let created = Int64(try required("created")) else { throw fail("'created' must be a number") }
        let circular: Bool
        switch try required("circular-logging") {
        case "on": circular = true
        case "off": circular = false
        default: throw fail("'circular-logging' must be on or off")
        }
        let logFileSize = try integer("log-file-size", LogFormat.minimumFileSize...LogFormat.maximumFileSize)
        guard logFileSize % LogFormat.segmentSize == 0 else { throw fail("'log-file-size' must be a multiple of 4096") }
        let pageSize = try integer("page-size", 4096...32768)
        guard [4096, 8192, 16384, 32768].contains(pageSize) else { throw fail("'page-size' must be 4, 8, 16 or 32 KiB") }
        guard !databases.isEmpty else { throw fail("no 'database'") }
        let baseName = try required("base-name")
        guard baseName.utf8.count == 3, baseName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw fail("'base-name' must be 3 letters or digits")
        }
        if let ca = values["ca-name"] {  // it names files of the CA (CertEnroll\<CA>.crl): one component
            guard !ca.isEmpty, WindowsPath.split(ca) == [ca] else { throw fail("bad 'ca-name' '\(ca)': one file name, no '\\', '/' or '..'") }
        }
        var lastBackupLog: UInt32?
        if let v = values["last-backup-log"] {
            guard let n = UInt32(v) else { throw fail("'last-backup-log' must be a number") }
            lastBackupLog = n
        }
        var clockOffset: Int64 = 0
        if let v = values["clock-offset"] {
            guard let n = Int64(v), abs(n) <= 100 * 365 * 86_400 else { throw fail("'clock-offset' must be seconds, within 100 years") }
            clockOffset = n
        }
        var settings = ServerSettings(
            name: name, role: role, id: id, state: state, created: created, circularLogging: circular,
            logFileSize: logFileSize, pageSize: pageSize, databases: databases,
            logPath: try windowsPath("log-path"), systemPath: try windowsPath("system-path"), baseName: baseName,
            tombstoneLifetimeDays: try integer("tombstone-lifetime-days", 1...36500), caName: values["ca-name"],
            identities: identities, lastBackupLog: lastBackupLog)
        settings.clockOffset = clockOffset
        settings.faults = faults
        return settings
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
