import CWinBackup
import Glibc

/// An exclusive open-file-description lock on a file of a server's state folder. Held by the
/// open file, so two sessions of one process conflict as two processes do, and the lock is
/// released when the holder closes it or dies: a killed agent leaves no lock behind.
public final class FileLock: Sendable {
    private let file: File

    private init(file: File) { self.file = file }

    /// Takes the lock if it is free; nil if another holder has it.
    public static func tryAcquire(_ path: String) throws(BackupError) -> FileLock? {
        let file = try File.openLockFile(path)
        let err = wb_ofd_lock(file.fd, 1, 0)
        if err == 0 { return FileLock(file: file) }
        if err == EAGAIN || err == EACCES { return nil }
        throw BackupError.io("lock", path, err)
    }

    /// Takes the lock, waiting for it.
    public static func acquire(_ path: String) throws(BackupError) -> FileLock {
        let file = try File.openLockFile(path)
        let err = wb_ofd_lock(file.fd, 1, 1)
        guard err == 0 else { throw BackupError.io("lock", path, err) }
        return FileLock(file: file)
    }

    /// Whether someone holds the lock now.
    public static func isHeld(_ path: String) -> Bool {
        guard let file = try? File.openLockFile(path) else { return false }
        return wb_ofd_is_locked(file.fd, 1) == 1
    }

    /// Runs `body` holding the lock.
    public static func with<T>(_ path: String, _ body: () throws(BackupError) -> T) throws(BackupError) -> T {
        let lock = try acquire(path)
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }
}
