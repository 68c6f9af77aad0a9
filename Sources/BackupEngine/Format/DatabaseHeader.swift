// DBFILEHDR, the database header in physical pages 0 and 1 (reference/ESE-FORMAT.md §1).
// A view over the page's bytes: fields this library does not know (of a real ESE database
// copied into a store) are kept as they are when the header is rewritten.

public enum DatabaseState: UInt32, Sendable {
    case justCreated = 1, dirtyShutdown = 2, cleanShutdown = 3, beingConverted = 4, forceDetach = 5
}

public struct DatabaseHeader: Sendable {
    public static let formatVersion: UInt32 = 0x620
    public static let formatRevision: UInt32 = 0x14
    static let fileTypeDatabase: UInt32 = 1

    enum Offset {
        static let checksum = 0, magic = 4, version = 8, attributes = 12, dbtimeDirtied = 16
        static let signDb = 24, state = 52, lgposConsistent = 56, logtimeConsistent = 64
        static let logtimeAttach = 72, lgposAttach = 80, logtimeDetach = 88, lgposDetach = 96
        static let dbid = 104, signLog = 108
        static let bkinfoFullPrev = 136, bkinfoIncPrev = 160, bkinfoFullCur = 184
        static let objidLast = 212, osVersion = 216, revision = 232, pageSize = 236
        static let genMinRequired = 296, genMaxRequired = 300, creatorVersion = 340, creatorRevision = 344
        static let bkinfoTypeFullPrev = 356, bkinfoTypeIncPrev = 360, genMaxCommitted = 416
        static let bkinfoCopyPrev = 420, bkinfoDiffPrev = 444, genMinConsistent = 640
        static let updateMinor = 644, fileType = 667
    }

    /// The whole header page.
    public private(set) var page: [UInt8]

    public var pageSize: Int { page.count }

    /// A new header for a database of `pageSize` bytes per page.
    public init(pageSize: Int, signDb: Signature, signLog: Signature) {
        page = [UInt8](zeros: pageSize)
        setU32(Offset.magic, ESEChecksum.magic)
        setU32(Offset.version, Self.formatVersion)
        setU32(Offset.revision, Self.formatRevision)
        setU32(Offset.pageSize, UInt32(pageSize))
        setU32(Offset.dbid, 1)
        setU32(Offset.objidLast, 2)
        setU32(Offset.osVersion, 10)        // 10.0.17763 (Windows Server 2019)
        setU32(Offset.osVersion + 8, 17763)
        setU32(Offset.creatorVersion, Self.formatVersion)
        setU32(Offset.creatorRevision, Self.formatRevision)
        setU32(Offset.fileType, Self.fileTypeDatabase)
        self.signDb = signDb
        self.signLog = signLog
        state = .justCreated
    }

    /// Reads a header page; nil unless its checksum and magic are right.
    public init?(page bytes: [UInt8]) {
        guard bytes.count >= 4096, bytes.count % 4096 == 0 else { return nil }
        let ok = bytes.withUnsafeBytes { PageFormat.verifyHeader($0) && $0.u32(Offset.magic) == ESEChecksum.magic }
        guard ok else { return nil }
        page = bytes
    }

    /// The page with its checksum computed.
    public func sealed() -> [UInt8] {
        var out = page
        out.withUnsafeMutableBytes { PageFormat.sealHeader($0) }
        return out
    }

    // MARK: fields

    /// The page size the header states (0 in old files means 4096).
    public var statedPageSize: Int { let v = Int(u32(Offset.pageSize)); return v == 0 ? 4096 : v }
    public var version: UInt32 { u32(Offset.version) }
    public var revision: UInt32 { u32(Offset.revision) }

    public var dbtimeDirtied: UInt64 {
        get { page.u64(Offset.dbtimeDirtied) }
        set { page.setU64(Offset.dbtimeDirtied, newValue) }
    }

    public var state: DatabaseState? {
        get { DatabaseState(rawValue: u32(Offset.state)) }
        set { setU32(Offset.state, newValue?.rawValue ?? 0) }
    }

    public var signDb: Signature {
        get { page.withUnsafeBytes { Signature($0, Offset.signDb) } }
        set { page.withUnsafeMutableBytes { newValue.write($0, Offset.signDb) } }
    }

    public var signLog: Signature {
        get { page.withUnsafeBytes { Signature($0, Offset.signLog) } }
        set { page.withUnsafeMutableBytes { newValue.write($0, Offset.signLog) } }
    }

    public var lgposConsistent: LogPosition {
        get { page.withUnsafeBytes { LogPosition($0, Offset.lgposConsistent) } }
        set { page.withUnsafeMutableBytes { newValue.write($0, Offset.lgposConsistent) } }
    }

    public var logtimeConsistent: LogTime {
        get { page.withUnsafeBytes { LogTime($0, Offset.logtimeConsistent) } }
        set { page.withUnsafeMutableBytes { newValue.write($0, Offset.logtimeConsistent) } }
    }

    public var lgposAttach: LogPosition {
        get { page.withUnsafeBytes { LogPosition($0, Offset.lgposAttach) } }
        set { page.withUnsafeMutableBytes { newValue.write($0, Offset.lgposAttach) } }
    }

    public var logtimeAttach: LogTime {
        get { page.withUnsafeBytes { LogTime($0, Offset.logtimeAttach) } }
        set { page.withUnsafeMutableBytes { newValue.write($0, Offset.logtimeAttach) } }
    }

    public var bkinfoFullPrev: BackupInfo {
        get { backupInfo(Offset.bkinfoFullPrev) }
        set { setBackupInfo(Offset.bkinfoFullPrev, newValue) }
    }

    public var bkinfoIncPrev: BackupInfo {
        get { backupInfo(Offset.bkinfoIncPrev) }
        set { setBackupInfo(Offset.bkinfoIncPrev, newValue) }
    }

    public var bkinfoFullCur: BackupInfo {
        get { backupInfo(Offset.bkinfoFullCur) }
        set { setBackupInfo(Offset.bkinfoFullCur, newValue) }
    }

    public var bkinfoCopyPrev: BackupInfo {
        get { backupInfo(Offset.bkinfoCopyPrev) }
        set { setBackupInfo(Offset.bkinfoCopyPrev, newValue) }
    }

    public var bkinfoDiffPrev: BackupInfo {
        get { backupInfo(Offset.bkinfoDiffPrev) }
        set { setBackupInfo(Offset.bkinfoDiffPrev, newValue) }
    }

    public var genMinRequired: UInt32 {
        get { u32(Offset.genMinRequired) }
        set { setU32(Offset.genMinRequired, newValue) }
    }

    public var genMaxRequired: UInt32 {
        get { u32(Offset.genMaxRequired) }
        set { setU32(Offset.genMaxRequired, newValue) }
    }

    public var genMaxCommitted: UInt32 {
        get { u32(Offset.genMaxCommitted) }
        set { setU32(Offset.genMaxCommitted, newValue) }
    }

    public var genMinConsistent: UInt32 {
        get { u32(Offset.genMinConsistent) }
        set { setU32(Offset.genMinConsistent, newValue) }
    }

    // MARK: helpers

    private func u32(_ at: Int) -> UInt32 { page.u32(at) }
    private mutating func setU32(_ at: Int, _ v: UInt32) { page.setU32(at, v) }
    private func backupInfo(_ at: Int) -> BackupInfo { page.withUnsafeBytes { BackupInfo($0, at) } }
    private mutating func setBackupInfo(_ at: Int, _ v: BackupInfo) { page.withUnsafeMutableBytes { v.write($0, at) } }
}
