/// Server names as the APIs take them: "\\DC01" or "DC01", matched case-insensitively.
public enum ServerName {
    public static let maximumLength = 63

    /// The name without its optional leading "\\", or an error if Windows would refuse it
    /// (an underscore, a path separator, "..", a NUL, an empty or over-long name).
    public static func validate(_ raw: String) throws(BackupError) -> String {
        var name = Substring(raw)
        if name.hasPrefix("\\\\") { name = name.dropFirst(2) }
        guard !name.isEmpty, name.utf8.count <= maximumLength else { throw .invalidServerName(raw) }
        guard !name.contains("..") else { throw .invalidServerName(raw) }
        for scalar in name.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", ".": continue
            default: throw .invalidServerName(raw)  // '_', '/', '\', NUL, spaces, ...
            }
        }
        guard name.first != "-", name.first != "." else { throw .invalidServerName(raw) }
        return String(name)
    }

    /// Case-insensitive comparison of two validated names (ASCII only, as validated).
    public static func same(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }
}
