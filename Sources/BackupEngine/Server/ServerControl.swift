import CWinBackup
import Glibc

/// A page of shared memory in <server>/state/control that every process using the server maps.
/// It carries what running sessions must notice at once, without a system call per API call:
/// the stop epoch, bumped whenever the server stops backups (`winbackupctl server stop`,
/// JetStopBackupInstance). A session remembers the epoch it began in; a changed epoch means
/// JET_errBackupAbortByServer from then on.
public final class ServerControl: @unchecked Sendable {
    static let size = 4096
    private let base: UnsafeMutableRawPointer

    private init(base: UnsafeMutableRawPointer) { self.base = base }

    deinit { munmap(base, Self.size) }

    /// Maps the control page of a server, creating it if needed.
    static func open(_ path: String) throws(BackupError) -> ServerControl {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BackupError.io("open", path, errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw BackupError.io("stat", path, errno) }
        if st.st_size < Self.size && ftruncate(fd, off_t(Self.size)) != 0 { throw BackupError.io("truncate", path, errno) }
        guard let p = mmap(nil, Self.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw BackupError.io("mmap", path, errno)
        }
        return ServerControl(base: p)
    }

    private var stopEpochPointer: UnsafeMutablePointer<UInt64> { base.assumingMemoryBound(to: UInt64.self) }

    public var stopEpoch: UInt64 { wb_atomic_load_u64(stopEpochPointer) }

    /// Stops every backup of the server that is running now, in every process.
    public func stopBackups() { _ = wb_atomic_add_u64(stopEpochPointer, 1) }
}
