import Glibc

/// One emulated server: the folder <root>/servers/<NAME>/ with its settings, its disk under
/// C/ (and other drive letters), and its shared state under state/ (locks, control page).
public final class Server: Sendable {
    /// The name as the folder spells it.
    public let name: String
    public let directory: String

    init(name: String, directory: String) {
        self.name = name
        self.directory = directory
    }

    public var settingsPath: String { directory + "/" + ServerSettings.fileName }
    public var stateDirectory: String { directory + "/state" }

    /// Held by the process running a backup of this server, for the whole session.
    var backupLockPath: String { stateDirectory + "/backup.lock" }
    /// Held briefly to append to or roll the log, move the checkpoint, or rewrite a header.
    var logLockPath: String { stateDirectory + "/log.lock" }
    /// Held by the one process writing simulated activity.
    var writerLockPath: String { stateDirectory + "/writer.lock" }
    /// Serialises read-modify-write of the settings file.
    var settingsLockPath: String { stateDirectory + "/settings.lock" }
    var controlPath: String { stateDirectory + "/control" }

    /// The most a settings file may hold: far more than any real one, little enough to read.
    static let maximumSettingsSize: Int64 = 1 << 20

    /// The server's settings. A file that does not parse, is over 1 MiB, or names another server
    /// than its folder does is `settingsCorrupt`, naming the file and the problem.
    public func settings() throws(BackupError) -> ServerSettings {
        let file = try File.openForReading(settingsPath)
        let size = try file.size()
        guard size <= Self.maximumSettingsSize else {
            throw .settingsCorrupt(path: settingsPath, reason: "larger than \(Self.maximumSettingsSize) bytes")
        }
        let bytes = try file.read(count: Int(size), at: 0)
        let s = try ServerSettings.parse(String(decoding: bytes, as: UTF8.self), path: settingsPath)
        guard ServerName.same(s.name, name) else {
            throw .settingsCorrupt(path: settingsPath, reason: "it names server \(s.name), but the folder is \(name)'s")
        }
        return s
    }

    /// Changes the settings atomically, serialised with every other change.
    @discardableResult
    public func updateSettings(_ change: (inout ServerSettings) throws(BackupError) -> Void) throws(BackupError) -> ServerSettings {
        try FileLock.with(settingsLockPath) { () throws(BackupError) -> ServerSettings in
            var s = try settings()
            try change(&s)
            try FileSystem.writeAtomically(settingsPath, Array(s.serialized().utf8))
            return s
        }
    }

    public func control() throws(BackupError) -> ServerControl { try ServerControl.open(controlPath) }

    /// Is a backup of this server running, in any process?
    public var isBackupInProgress: Bool { FileLock.isHeld(backupLockPath) }

    /// The local file of a path on this server, spelled exactly as given.
    public func localPath(_ path: WindowsPath) -> String { directory + "/" + path.relativeLocalPath }

    public func unc(_ path: WindowsPath) -> String { path.unc(server: name) }

    /// The checks every client call that connects to the server makes: the caller is allowed,
    /// and the server has the role the API family serves.
    public func connect(role: ServerRole?) throws(BackupError) -> ServerSettings {
        let s = try settings()
        if let role, s.role != role { throw .wrongRole(server: name, role: role.rawValue) }
        try refuseDeniedUser(try Credentials.authorize(s), s)
        return s
    }

    /// Which of the server's identities the caller is (accessDenied if none, or denied by a fault).
    public func caller() throws(BackupError) -> Identity {
        let s = try settings()
        let identity = try Credentials.authorize(s)
        try refuseDeniedUser(identity, s)
        return identity
    }

    // MARK: paths the caller names

    /// Resolves a path a caller passed in, in any of its three spellings: the UNC form the API
    /// hands out ("\\DC01\C$\Windows\NTDS\ntds.dit"), a drive path on this server
    /// ("C:\Windows\NTDS\ntds.dit"), or the local file under the server folder. Components
    /// match existing files case-insensitively, as on Windows. A path that leaves the server
    /// folder (another server, "..", a symbolic link pointing out) is refused.
    public func resolve(_ text: String) throws(BackupError) -> WindowsPath {
        guard !text.isEmpty else { throw .invalidParameter("empty path") }
        let windows: WindowsPath
        if text.hasPrefix("\\\\") || text.hasPrefix("//") {
            let parts = text.dropFirst(2).split(whereSeparator: { $0 == "\\" || $0 == "/" }).map(String.init)
            guard parts.count >= 2 else { throw .invalidPath(text) }
            guard (try? ServerName.same(ServerName.validate(parts[0]), name)) == true else {
                throw .accessDenied("\(text) is not a path of server \(name)")
            }
            let share = Array(parts[1])
            guard share.count == 2, share[0].isASCII, share[0].isLetter, share[1] == "$" else { throw .invalidPath(text) }
            guard let rest = WindowsPath.split(parts.dropFirst(2).joined(separator: "\\")) else {
                throw .invalidParameter("'..' or a bad character in \(text)")
            }
            windows = WindowsPath(drive: share[0], components: rest)
        } else if text.hasPrefix("/") {
            windows = try windowsPath(ofLocal: text)
        } else if let w = WindowsPath(text) {
            windows = w
        } else if WindowsPath.split(text) == nil || text.contains(":") {
            throw .invalidParameter("'..' or a bad character in \(text)")
        } else {
            throw .invalidParameter("not a full path: \(text)")
        }
        return try matchingExistingCase(windows)
    }

    /// The Windows path of a local file inside this server's folder.
    func windowsPath(ofLocal local: String) throws(BackupError) -> WindowsPath {
        guard let rest = WindowsPath.split(local) else { throw .invalidParameter("'..' or a bad character in \(local)") }
        guard let mine = WindowsPath.split(directory) else { throw .invalidPath(directory) }
        // Compare against both the folder as spelled and its canonical form.
        for base in [mine, WindowsPath.split(FileSystem.realPath(directory) ?? directory) ?? mine] {
            if rest.count > base.count, Array(rest.prefix(base.count)) == base {
                let drive = rest[base.count]
                guard drive.count == 1, let c = drive.first, c.isASCII, c.isLetter else { break }
                return WindowsPath(drive: c, components: Array(rest.dropFirst(base.count + 1)))
            }
        }
        throw .accessDenied("\(local) is outside the folder of server \(name)")
    }

    /// Replaces each component by the existing entry that matches it case-insensitively, and
    /// refuses a path whose existing part resolves (through symbolic links) out of the server.
    func matchingExistingCase(_ path: WindowsPath) throws(BackupError) -> WindowsPath {
        var result = WindowsPath(drive: path.drive, components: [])
        var local = directory + "/" + String(path.drive)
        var existing = FileSystem.exists(local)
        for component in path.components {
            var chosen = component
            if existing && !FileSystem.exists(local + "/" + component) {
                let names = (try? FileSystem.list(local)) ?? []
                if let match = names.first(where: { $0.lowercased() == component.lowercased() }) { chosen = match }
            }
            local += "/" + chosen
            existing = existing && FileSystem.exists(local)
            result.components.append(chosen)
        }
        // The deepest existing ancestor must stay inside the server folder.
        var probe = local
        while !FileSystem.exists(probe) && probe.count > directory.count { probe = FileSystem.parentPath(probe) }
        if let real = FileSystem.realPath(probe), let home = FileSystem.realPath(directory) {
            guard real == home || real.hasPrefix(home + "/") else {
                throw .accessDenied("\(path) leads out of the folder of server \(name)")
            }
        }
        return result
    }
}

// MARK: the server's own files stay in its folder

extension Server {
    /// Refuses a server whose own files would lead out of its folder: the folder itself a
    /// symbolic link, or a symbolic link (dangling ones too) on the way to its settings, state,
    /// databases, log folder, logs or checkpoint that resolves outside the folder. Every lookup
    /// of a server by name makes this check, so the engine never reads or writes outside a
    /// server folder through the files it opens by itself (DEVIATIONS.md row 6 covers the
    /// paths a caller passes). Settings that do not parse are left for `settings()` to report.
    public func checkConfined() throws(BackupError) {
        func refuse(_ what: String) -> BackupError {
            .accessDenied("\(what) of server \(name) is a symbolic link leading out of its folder")
        }
        var st = stat()
        guard lstat(directory, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFDIR, let home = FileSystem.realPath(directory) else { throw refuse("the folder") }
        var paths = [(settingsPath, "the settings file"), (stateDirectory, "the state folder")]
        if let settings = try? ServerSettings.parse(String(decoding: try FileSystem.readFile(settingsPath), as: UTF8.self), path: settingsPath) {
            let layout = StoreLayout(server: self, settings: settings)
            paths += (0..<layout.databaseCount).map { (layout.databasePath($0), "the database \(settings.databases[$0])") }
            paths += [(layout.logDirectory, "the log folder"), (layout.systemDirectory, "the system folder"),
                      (layout.checkpointPath, "the checkpoint"), (layout.currentLogPath, "the log")]
            if let names = try? FileSystem.list(layout.logDirectory) {  // edb.log, edbXXXXX.log, edbtmp.log
                paths += names.filter { $0.lowercased().hasPrefix(settings.baseName.lowercased()) }
                    .map { (layout.logDirectory + "/" + $0, "the log \($0)") }
            }
        }
        for (path, what) in paths where !Self.staysInside(path, home: home) { throw refuse(what) }
    }

    /// Refuses a file of this server that, once opened, is not inside the server folder: a
    /// symbolic link planted after the lookup's checkConfined (while a session runs). This looks
    /// at the file the kernel opened, so no swap between a check and the open gets past it.
    public func checkOpened(_ file: File, _ what: String) throws(BackupError) {
        guard let home = FileSystem.realPath(directory), let real = file.resolvedPath,
              real.hasPrefix(home + "/") else {
            throw .accessDenied("\(what) of server \(name) is a symbolic link leading out of its folder")
        }
    }

    /// Whether `path` (under the server folder) resolves inside `home`: its deepest existing
    /// part, symbolic links followed; a dangling link counts as leading out.
    /// A file another process renames or deletes meanwhile (a log roll, a truncation) is looked
    /// at again, from the path down.
    static func staysInside(_ path: String, home: String) -> Bool {
        var st = stat()
        for _ in 0..<8 {
            var probe = path
            while lstat(probe, &st) != 0 {
                let parent = FileSystem.parentPath(probe)
                if parent == probe { return true }
                probe = parent
            }
            if let real = FileSystem.realPath(probe) { return real == home || real.hasPrefix(home + "/") }
            if lstat(probe, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK && FileSystem.realPath(probe) == nil {
                return false  // a dangling link
            }
        }
        return false
    }
}
