/// Command-line style options, shared by winbackupctl and the Wb* exports that take an option
/// string ("--role ntds --db-size 64M"), so both accept exactly the same words.
public enum OptionParsing {
    /// Splits an option string on spaces; double quotes group words ("--ca-name \"My CA\"").
    /// With `singleQuotes` (fault specs), single quotes group words too, as a shell's do.
    public static func words(_ text: String, singleQuotes: Bool = false) throws(BackupError) -> [String] {
        var out = [String](), current = "", quote: Character?, started = false
        for c in text {
            if c == quote { quote = nil; continue }
            if quote == nil && (c == "\"" || (singleQuotes && c == "'")) { quote = c; started = true; continue }
            if quote == nil && (c == " " || c == "\t" || c == "\n") {
                if started { out.append(current); current = ""; started = false }
                continue
            }
            current.append(c)
            started = true
        }
        guard quote == nil else { throw .invalidParameter("unbalanced quote in options") }
        if started { out.append(current) }
        return out
    }

    /// "65536", "64K", "16M", "1G" (binary units).
    public static func size(_ text: String) throws(BackupError) -> Int64 {
        var digits = text.uppercased()
        var unit: Int64 = 1
        if digits.hasSuffix("B") { digits.removeLast() }
        if digits.hasSuffix("I") { digits.removeLast() }
        switch digits.last {
        case "K": unit = 1 << 10; digits.removeLast()
        case "M": unit = 1 << 20; digits.removeLast()
        case "G": unit = 1 << 30; digits.removeLast()
        default: break
        }
        guard let n = Int64(digits), n >= 0, n <= Int64.max / unit else { throw .invalidParameter("bad size '\(text)'") }
        return n * unit
    }

    public static func onOff(_ text: String, _ option: String) throws(BackupError) -> Bool {
        switch text.lowercased() {
        case "on", "yes", "true", "1": return true
        case "off", "no", "false", "0": return false
        default: throw .invalidParameter("\(option) takes on or off")
        }
    }
}

extension ServerOptions {
    /// The options of `server create`: --role, --db-size, --logs, --log-size,
    /// --circular-logging, --ca-name, --tombstone-lifetime, --offline.
    public static func parse(_ words: [String]) throws(BackupError) -> ServerOptions {
        var role: ServerRole?
        var options = ServerOptions(role: .ntds)
        var i = 0
        func value() throws(BackupError) -> String {
            guard i + 1 < words.count else { throw .invalidParameter("\(words[i]) needs a value") }
            i += 1
            return words[i]
        }
        while i < words.count {
            let word = words[i]
            switch word {
            case "--role":
                let v = try value()
                guard let r = ServerRole(rawValue: v) else { throw .invalidParameter("--role is ntds, certsrv or ese") }
                role = r
            case "--db-size": options.databaseSize = try OptionParsing.size(try value())
            case "--logs":
                guard let n = Int(try value()) else { throw .invalidParameter("--logs takes a number") }
                options.logGenerations = n
            case "--log-size":
                let n = try OptionParsing.size(try value())
                guard n <= Int64(Int32.max) else { throw .invalidParameter("--log-size is too large") }
                options.logFileSize = Int(n)
            case "--circular-logging": options.circularLogging = try OptionParsing.onOff(try value(), word)
            case "--ca-name": options.caName = try value()
            case "--tombstone-lifetime":
                guard let n = Int(try value()), n > 0, n <= 36500 else { throw .invalidParameter("--tombstone-lifetime takes days, 1 to 36500") }
                options.tombstoneLifetimeDays = n
            case "--offline": options.online = false
            default: throw .invalidParameter("unknown option '\(word)'")
            }
            i += 1
        }
        guard let role else { throw .invalidParameter("--role is required (ntds, certsrv or ese)") }
        options.role = role
        return options
    }
}
