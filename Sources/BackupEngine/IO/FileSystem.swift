import Glibc

/// Whole-file and directory operations of the I/O seam.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    static func identity(_ path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    public static func fileSize(_ path: String) throws(BackupError) -> Int64 {
        var st = stat()
        guard stat(path, &st) == 0 else { throw BackupError.io("stat", path, errno) }
        return Int64(st.st_size)
    }

    /// Creates a directory and its parents.
    public static func makeDirectories(_ path: String) throws(BackupError) {
        if isDirectory(path) { return }
        let parent = parentPath(path)
        if parent != path && !parent.isEmpty { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw BackupError.io("mkdir", path, errno) }
    }

    /// Names in a directory, without "." and "..", sorted.
    public static func list(_ path: String) throws(BackupError) -> [String] {
        guard let dir = opendir(path) else { throw BackupError.io("opendir", path, errno) }
        defer { closedir(dir) }
        var names = [String]()
        while let entry = readdir(dir) {
            // d_name in place: the record is only as long as the name (d_reclen), so copying the
            // whole 256-byte field would read past it.
            let name = withUnsafePointer(to: &entry.pointee.d_name) { field in
                field.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: field.pointee)) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func readFile(_ path: String) throws(BackupError) -> [UInt8] {
        let file = try File.openForReading(path)
        let size = try file.size()
        return try file.read(count: Int(size), at: 0)
    }

    /// Replaces `path` with `bytes` atomically: a reader sees the old file or the new one, never
    /// half of it (temporary file, fsync, rename, fsync of the directory).
    public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(BackupError) {
        let temporary = path + ".tmp.\(getpid())"
        do {
            let file = try File.create(temporary)
            try file.write(bytes, at: 0)
            try file.sync()
        } catch {
            unlink(temporary)
            throw error
        }
        try rename(temporary, path)
        syncDirectory(parentPath(path))
    }

    /// Copies a file's bytes to a new file (replacing `to`), synced; returns the bytes copied.
    @discardableResult
    public static func copyFile(_ from: String, to: String) throws(BackupError) -> Int64 {
        let source = try File.openForReading(from)
        let out = try File.create(to)
        var offset: Int64 = 0
        var buffer = [UInt8](zeros: 1 << 20)
        while true {
            let n = try buffer.withMutableBytes { (p) throws(BackupError) -> Int in try source.read(into: p, at: offset) }
            if n == 0 { break }
            try buffer.withBytes { (p) throws(BackupError) in try out.write(UnsafeRawBufferPointer(rebasing: p[0..<n]), at: offset) }
            offset += Int64(n)
        }
        try out.sync()
        return offset
    }

    public static func rename(_ from: String, _ to: String) throws(BackupError) {
        guard Glibc.rename(from, to) == 0 else { throw BackupError.io("rename", from, errno) }
    }

    /// Removes a file; a missing file is not an error.
    public static func remove(_ path: String) throws(BackupError) {
        if unlink(path) != 0 && errno != ENOENT { throw BackupError.io("unlink", path, errno) }
    }

    /// Removes a directory tree. Symbolic links are removed, never followed.
    public static func removeTree(_ path: String) throws(BackupError) {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw BackupError.io("stat", path, errno)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try list(path) { try removeTree(path + "/" + name) }
            if rmdir(path) != 0 { throw BackupError.io("rmdir", path, errno) }
        } else {
            try remove(path)
        }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// The canonical absolute path of an existing file (symbolic links resolved).
    public static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    public static func parentPath(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    public static func currentDirectory() -> String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buf, buf.count) != nil else { return "/" }
        return String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An absolute version of `path`, relative to the current directory.
    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : currentDirectory() + "/" + path
    }
}
