/// The expiry token DsBackupPrepare hands out and DsRestorePrepare checks. Windows' format is
/// not public; this is ours (docs/expiry-token.md), 128 bytes, little-endian:
///
///   0   4  magic "WBET"            40  56  server name, UTF-8, NUL padded
///   4   2  version (1)             96  32  SHA-256 of bytes 0..<96 (integrity check)
///   6   2  size (128)
///   8   8  backup time, Unix seconds (UTC)
///   16  4  tombstone lifetime, days
///   20  4  server role (1 ntds, 2 certsrv, 3 ese)
///   24  16 server id
public struct ExpiryToken: Equatable, Sendable {
    public static let size = 128
    static let magic: [UInt8] = Array("WBET".utf8)
    static let version: UInt16 = 1

    public var backupTime: Int64
    public var tombstoneLifetimeDays: UInt32
    public var role: ServerRole
    public var serverID: [UInt8]
    public var serverName: String

    public init(backupTime: Int64, tombstoneLifetimeDays: UInt32, role: ServerRole, serverID: [UInt8], serverName: String) {
        self.backupTime = backupTime; self.tombstoneLifetimeDays = tombstoneLifetimeDays
        self.role = role; self.serverID = serverID; self.serverName = serverName
    }

    static func roleCode(_ r: ServerRole) -> UInt32 {
        switch r { case .ntds: 1; case .certsrv: 2; case .ese: 3 }
    }

    public func encode() -> [UInt8] {
        var out = [UInt8](zeros: Self.size)
        out.withUnsafeMutableBytes { p in
            p.setBytes(0, Self.magic)
            p.setU16(4, Self.version)
            p.setU16(6, UInt16(Self.size))
            p.setU64(8, UInt64(bitPattern: backupTime))
            p.setU32(16, tombstoneLifetimeDays)
            p.setU32(20, Self.roleCode(role))
            p.setBytes(24, serverID.prefix(16))
            p.setBytes(40, serverName.utf8.prefix(55))
        }
        let check = SHA256.hash(Array(out[0..<96]))
        out.replaceSubrange(96..<128, with: check)
        return out
    }

    public enum DecodeError: Error, Equatable { case unknownFormat }

    /// Decodes a token; `.unknownFormat` unless it is one of ours and intact.
    public static func decode(_ bytes: [UInt8]) -> Result<ExpiryToken, DecodeError> {
        guard bytes.count == size, Array(bytes[0..<4]) == magic else { return .failure(.unknownFormat) }
        guard SHA256.hash(Array(bytes[0..<96])) == Array(bytes[96..<128]) else { return .failure(.unknownFormat) }
        return bytes.withUnsafeBytes { p -> Result<ExpiryToken, DecodeError> in
            guard p.u16(4) == version, p.u16(6) == UInt16(size) else { return .failure(.unknownFormat) }
            let role: ServerRole? = switch p.u32(20) { case 1: .ntds; case 2: .certsrv; case 3: .ese; default: nil }
            guard let role else { return .failure(.unknownFormat) }
            let name = String(decoding: p[40..<96].prefix(while: { $0 != 0 }), as: UTF8.self)
            return .success(ExpiryToken(backupTime: Int64(bitPattern: p.u64(8)), tombstoneLifetimeDays: p.u32(16),
                                        role: role, serverID: Array(p[24..<40]), serverName: name))
        }
    }

    /// Whether the backup is older than the tombstone lifetime at `now`.
    public func isExpired(at now: Int64) -> Bool { now - backupTime > Int64(tombstoneLifetimeDays) * 86_400 }
}
