/// The trailer page at the end of a streamed database (ESE's former patch-file header,
/// PATCHHDR): a zero page header, the backup's BKINFO, the database and log signatures. Sealed
/// with the header checksum; dwords 1-3 and 6 are zero, which is how checkers recognise it.
public struct BackupTrailer: Equatable, Sendable {
    enum O { static let bkinfo = 40, signDb = 64, signLog = 92, genMinRequired = 120, genMaxRequired = 124, genMaxCommitted = 128 }

    public var backupInfo: BackupInfo
    public var signDb: Signature
    public var signLog: Signature

    public init(backupInfo: BackupInfo, signDb: Signature, signLog: Signature) {
        self.backupInfo = backupInfo; self.signDb = signDb; self.signLog = signLog
    }

    public func encode(pageSize: Int) -> [UInt8] {
        var page = [UInt8](zeros: pageSize)
        page.withUnsafeMutableBytes { p in
            backupInfo.write(p, O.bkinfo)
            signDb.write(p, O.signDb)
            signLog.write(p, O.signLog)
            PageFormat.sealHeader(p)
        }
        return page
    }

    /// Decodes a trailer page; nil unless its checksum is right and it looks like a trailer.
    public init?(_ page: UnsafeRawBufferPointer) {
        guard page.count >= 4096, PageFormat.verifyHeader(page),
              page.u32(4) == 0, page.u32(8) == 0, page.u32(12) == 0, page.u32(24) == 0 else { return nil }
        backupInfo = BackupInfo(page, O.bkinfo)
        signDb = Signature(page, O.signDb)
        signLog = Signature(page, O.signLog)
    }
}
