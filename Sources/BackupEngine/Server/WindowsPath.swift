/// A path on an emulated server's disk, "C:\Windows\NTDS\ntds.dit": a drive letter and
/// components. Its UNC form on server DC01 is "\\DC01\C$\Windows\NTDS\ntds.dit"; its local
/// file is <server folder>/C/Windows/NTDS/ntds.dit.
public struct WindowsPath: Hashable, Sendable, CustomStringConvertible {
    public var drive: Character
    public var components: [String]

    public init(drive: Character, components: [String]) {
        self.drive = Character(drive.uppercased())
        self.components = components
    }

    /// Parses "C:\a\b" (either slash); nil if it is not a drive path or has a ".." component.
    public init?(_ text: String) {
        let u = Array(text)
        guard u.count >= 2, u[0].isASCII, u[0].isLetter, u[1] == ":" else { return nil }
        guard u.count == 2 || u[2] == "\\" || u[2] == "/" else { return nil }
        guard let parts = Self.split(String(u.dropFirst(2))) else { return nil }
        self.init(drive: u[0], components: parts)
    }

    /// Splits on both slashes, dropping empty and "." components; nil on ".." or a component
    /// Windows cannot name a file with.
    static func split(_ rest: String) -> [String]? {
        var out = [String]()
        for part in rest.split(whereSeparator: { $0 == "\\" || $0 == "/" }) {
            if part == "." { continue }
            if part == ".." { return nil }
            if part.contains(where: { ":*?\"<>|".contains($0) || ($0.asciiValue ?? 32) < 32 }) { return nil }
            out.append(String(part))
        }
        return out
    }

    public var description: String { "\(drive):\\" + components.joined(separator: "\\") }

    public func unc(server: String) -> String {
        "\\\\\(server)\\\(drive)$" + (components.isEmpty ? "" : "\\" + components.joined(separator: "\\"))
    }

    /// The path relative to the server folder: "C/Windows/NTDS/ntds.dit".
    public var relativeLocalPath: String { ([String(drive)] + components).joined(separator: "/") }

    public func appending(_ component: String) -> WindowsPath {
        WindowsPath(drive: drive, components: components + [component])
    }

    public var parent: WindowsPath { WindowsPath(drive: drive, components: Array(components.dropLast())) }
    public var lastComponent: String { components.last ?? "" }

    /// Case-insensitive equality, as Windows compares paths.
    public func same(as other: WindowsPath) -> Bool {
        drive == other.drive && components.count == other.components.count
            && zip(components, other.components).allSatisfy { $0.lowercased() == $1.lowercased() }
    }
}
