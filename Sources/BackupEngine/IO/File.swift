import Glibc

// The I/O seam: every read, write, fsync, rename and unlink of the engine goes through this
// file and FileSystem.swift, so faults can be injected in one place. Errors become BackupError.

/// An open file. Closed when the last reference goes away.
public final class File: Sendable {
    public let path: String
    let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    public static func openForReading(_ path: String) throws(BackupError) -> File {
        try open(path, flags: O_RDONLY)
    }

    public static func openForUpdate(_ path: String) throws(BackupError) -> File {
        try open(path, flags: O_RDWR)
    }

    /// Creates (or truncates) a file for writing.
    public static func create(_ path: String, mode: mode_t = 0o644) throws(BackupError) -> File {
        try open(path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: mode)
    }

    /// Opens a file for locking, creating it if needed.
    static func openLockFile(_ path: String) throws(BackupError) -> File {
        try open(path, flags: O_RDWR | O_CREAT, mode: 0o644)
    }

    private static func open(_ path: String, flags: Int32, mode: mode_t = 0) throws(BackupError) -> File {
        var fd: Int32
        repeat { fd = Glibc.open(path, flags | O_CLOEXEC, mode) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw BackupError.io("open", path, errno) }
        return File(path: path, fd: fd)
    }

    /// Where the open file really is: the path the kernel resolved at open (symbolic links
    /// followed), from /proc/self/fd; nil if it cannot be read.
    public var resolvedPath: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(BackupError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n > 0 { done += n; continue }
            if n == 0 { break }
            if errno == EINTR { continue }
            throw BackupError.io("read", path, errno)
        }
        return done
    }

    /// Reads exactly `count` bytes at `offset`, or fewer at the end of the file.
    public func read(count: Int, at offset: Int64) throws(BackupError) -> [UInt8] {
        var out = [UInt8](zeros: count)
        let n = try out.withMutableBytes { (p) throws(BackupError) -> Int in try read(into: p, at: offset) }
        if n < count { out.removeLast(count - n) }
        return out
    }

    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(BackupError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw BackupError.io("write", path, n < 0 ? errno : EIO)
        }
    }

    public func write(_ bytes: [UInt8], at offset: Int64) throws(BackupError) {
        try bytes.withBytes { (p) throws(BackupError) in try write(p, at: offset) }
    }

    public func size() throws(BackupError) -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw BackupError.io("stat", path, errno) }
        return Int64(st.st_size)
    }

    /// Device and inode, to tell whether a path still names this file.
    func identity() throws(BackupError) -> FileIdentity {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw BackupError.io("stat", path, errno) }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    public func truncate(to size: Int64) throws(BackupError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw BackupError.io("truncate", path, errno) }
    }

    public func sync() throws(BackupError) {
        guard fsync(fd) == 0 else { throw BackupError.io("fsync", path, errno) }
    }
}

struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
}
