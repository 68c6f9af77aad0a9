/// The faults a restore meets on the server it restores: its writes (disk-full,
/// permission-denied) and the backed-up logs it looks for (missing-log). One value per
/// operation (a registration, a hard recovery, a JetRestoreInstance copy): disk-full's
/// --after-bytes counts the bytes that operation wrote.
struct RestoreFaults {
    let server: Server
    private let faults: [Fault]
    private var written: Int64 = 0

    init(_ server: Server) {
        self.server = server
        faults = (try? server.faults()) ?? []
    }

    /// Before writing `count` bytes to `path`: fails as the disk would.
    mutating func write(_ count: Int, to path: String) throws(BackupError) {
        for fault in faults {
            switch fault.effect {
            case .permissionDenied where server.fires(fault):
                throw .permissionDenied(path)
            case .diskFull(let after) where written + Int64(count) > after && server.fires(fault):
                throw .diskFull(path)
            default:
                continue
            }
        }
        written += Int64(count)
    }

    /// missing-log: the restore finds no log of that generation.
    func isMissing(generation: UInt32) -> Bool {
        faults.contains { $0.effect == .missingLog(generation: generation) && server.fires($0) }
    }
}
