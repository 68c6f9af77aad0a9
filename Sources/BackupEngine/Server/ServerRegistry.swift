import Glibc

/// The emulated servers under a root: $WINBACKUP_ROOT, else
/// ${XDG_DATA_HOME:-$HOME/.local/share}/winbackup. Each server is <root>/servers/<NAME>/.
public struct ServerRegistry: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// The registry of the default root.
    public init() { self.init(root: Self.defaultRoot()) }

    public static func defaultRoot() -> String {
        if let r = environment("WINBACKUP_ROOT"), !r.isEmpty { return r }
        if let x = environment("XDG_DATA_HOME"), !x.isEmpty { return x + "/winbackup" }
        let home = environment("HOME") ?? Credentials.homeDirectory()
        return home + "/.local/share/winbackup"
    }

    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    public var serversDirectory: String { root + "/servers" }

    /// The names of the servers, as their folders spell them.
    public func names() throws(BackupError) -> [String] {
        guard FileSystem.isDirectory(serversDirectory) else { return [] }
        return try FileSystem.list(serversDirectory).filter {
            (try? ServerName.validate($0)) != nil && FileSystem.isRegularFile(serversDirectory + "/" + $0 + "/" + ServerSettings.fileName)
        }
    }

    /// The server a caller names, matched case-insensitively. A server whose own files lead out
    /// of its folder through a symbolic link is refused (Server.checkConfined).
    public func find(_ raw: String) throws(BackupError) -> Server {
        let server = try locate(raw)
        try server.checkConfined()
        return server
    }

    /// The server a caller names, without the confinement check (to delete it).
    func locate(_ raw: String) throws(BackupError) -> Server {
        let wanted = try ServerName.validate(raw)
        let direct = serversDirectory + "/" + wanted
        if FileSystem.isRegularFile(direct + "/" + ServerSettings.fileName) { return Server(name: wanted, directory: direct) }
        for name in try names() where ServerName.same(name, wanted) {
            return Server(name: name, directory: serversDirectory + "/" + name)
        }
        throw .serverNotFound(wanted)
    }

    /// The server whose folder holds a local path (as given or through symbolic links), if any.
    public func server(containing localPath: String) throws(BackupError) -> Server? {
        let path = FileSystem.absolute(localPath)
        let real = FileSystem.realPath(path) ?? FileSystem.realPath(FileSystem.parentPath(path)).map { $0 + "/" + FileSystem.lastComponent(path) }
        for name in try names() {
            let folder = serversDirectory + "/" + name
            for candidate in [path, real].compactMap({ $0 }) {
                for base in [folder, FileSystem.realPath(folder) ?? folder] where candidate.hasPrefix(base + "/") {
                    let server = Server(name: name, directory: folder)
                    try server.checkConfined()
                    return server
                }
            }
        }
        return nil
    }

    /// Deletes a server and everything in its folder. Refused while a backup of it runs.
    public func delete(_ raw: String) throws(BackupError) {
        let server = try locate(raw)
        // A server refused for a link leading out runs no backup; its lock file is not created
        // through the link.
        let confined = (try? server.checkConfined()) != nil
        let lock = confined ? try FileLock.tryAcquire(server.backupLockPath) : nil
        guard lock != nil || !confined else { throw .backupInProgress }
        // Move the folder aside first, so the server disappears at once and never half-deleted.
        let doomed = serversDirectory + "/.deleting-\(server.name)-\(getpid())"
        try FileSystem.rename(server.directory, doomed)
        withExtendedLifetime(lock) {}
        try FileSystem.removeTree(doomed)
    }
}

extension Credentials {
    static func homeDirectory() -> String {
        if let pw = getpwuid(geteuid()), let dir = pw.pointee.pw_dir { return String(cString: dir) }
        return "/tmp"
    }
}
