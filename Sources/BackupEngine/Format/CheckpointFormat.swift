// The checkpoint file (edb.chk): 4096 bytes written twice, at 0 and 4096, each with the legacy
// XOR header checksum (reference/ESE-FORMAT.md §5.2). It names the oldest log generation that
// recovery needs: every page a generation before it changed is in the database file.

public struct Checkpoint: Equatable, Sendable {
    public static let size = 4096
    enum O {
        static let lastFullBackup = 4, checkpoint = 12, signLog = 20
        static let lastFullBackupPosition = 615, lastFullBackupTime = 623
        static let lastIncBackupPosition = 631, lastIncBackupTime = 639
        static let fileType = 667
    }
    static let fileTypeCheckpoint: UInt32 = 4

    public var position: LogPosition
    public var signLog: Signature
    public var lastFullBackup: LogPosition
    public var lastFullBackupTime: LogTime

    public init(position: LogPosition, signLog: Signature,
                lastFullBackup: LogPosition = LogPosition(), lastFullBackupTime: LogTime = LogTime()) {
        self.position = position; self.signLog = signLog
        self.lastFullBackup = lastFullBackup; self.lastFullBackupTime = lastFullBackupTime
    }

    public var generation: UInt32 { UInt32(bitPattern: position.generation) }

    /// Both copies, 8192 bytes.
    public func encode() -> [UInt8] {
        var one = [UInt8](zeros: Self.size)
        one.withUnsafeMutableBytes { p in
            lastFullBackup.write(p, O.lastFullBackup)
            position.write(p, O.checkpoint)
            signLog.write(p, O.signLog)
            lastFullBackup.write(p, O.lastFullBackupPosition)
            lastFullBackupTime.write(p, O.lastFullBackupTime)
            p.setU32(O.fileType, Self.fileTypeCheckpoint)
            PageFormat.sealHeader(p)
        }
        return one + one
    }

    /// Decodes the first valid copy; nil if neither verifies.
    public init?(_ bytes: [UInt8]) {
        var found: Checkpoint?
        bytes.withUnsafeBytes { all in
            for copy in 0..<2 where found == nil && all.count >= (copy + 1) * Self.size {
                let p = UnsafeRawBufferPointer(rebasing: all[(copy * Self.size)..<((copy + 1) * Self.size)])
                guard PageFormat.verifyHeader(p), p.u32(O.fileType) == Self.fileTypeCheckpoint else { continue }
                found = Checkpoint(position: LogPosition(p, O.checkpoint), signLog: Signature(p, O.signLog),
                                   lastFullBackup: LogPosition(p, O.lastFullBackupPosition),
                                   lastFullBackupTime: LogTime(p, O.lastFullBackupTime))
            }
        }
        guard let found else { return nil }
        self = found
    }
}
