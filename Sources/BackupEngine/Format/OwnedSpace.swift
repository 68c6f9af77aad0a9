/// The pages a real ESE database owns: the extents of the OwnExt space tree under the database
/// root (pgno 1). An ESE file can be longer than its database; the engine streams only up to
/// the last owned page (ESE-FORMAT.md §4.3). Every read is bounds-checked: a page that is not a
/// B-tree (the emulator's own pages, garbage) gives nil and the caller uses the file's size.
enum OwnedSpace {
    static let rootFlag: UInt32 = 0x1, leafFlag: UInt32 = 0x2

    /// The last owned page number, or nil if the database has no readable OwnExt tree.
    static func lastOwnedPage(_ db: DatabaseFile) -> UInt32? {
        guard let filePages = try? db.pgnoLast(), filePages >= 1, let root = try? db.readPage(1),
              root.count == db.pageSize, root.u32(PageFormat.flagsOffset) & rootFlag != 0,
              PageFormat.verify(root.withUnsafeBytes { $0 }, pgno: 1) == .valid else { return nil }
        let small = !PageFormat.isLarge(db.pageSize)
        guard let tag0 = tags(root, small: small).first else { return nil }
        let ownExt: UInt32
        switch tag0.value.count {
        case 16: ownExt = tag0.value.u32LE(12)
        case 17...: ownExt = tag0.value.u32LE(13)
        default: return nil
        }
        var last: UInt32 = 0
        var todo = [ownExt], seen = Set<UInt32>()
        while let pgno = todo.popLast() {
            guard pgno >= 1, pgno <= filePages, seen.insert(pgno).inserted, seen.count < 100_000,
                  let page = try? db.readPage(pgno), page.count == db.pageSize,
                  page.withUnsafeBytes({ PageFormat.verify($0, pgno: pgno) }) == .valid else { return nil }
            let isLeaf = page.u32(PageFormat.flagsOffset) & leafFlag != 0
            guard let entries = nodes(page, small: small) else { return nil }
            for (flags, key, data) in entries where flags & 0x2 == 0 {  // 0x2: defunct
                guard data.count >= 4 else { return nil }
                if isLeaf {
                    guard key.count >= 4 else { return nil }
                    let k = key.count
                    let lastOfExtent = UInt32(key[k - 4]) << 24 | UInt32(key[k - 3]) << 16 | UInt32(key[k - 2]) << 8 | UInt32(key[k - 1])
                    last = max(last, lastOfExtent)
                } else {
                    todo.append(data.u32LE(0))
                }
            }
        }
        return last > 0 ? min(last, filePages) : nil
    }

    struct Tag { var flags: UInt16; var value: [UInt8] }

    /// The tags of a page (tag 0 first); empty if they do not fit the page.
    static func tags(_ page: [UInt8], small: Bool) -> [Tag] {
        let header = small ? PageFormat.headerSize : PageFormat.largeHeaderSize
        let count = Int(UInt16(page[34]) | UInt16(page[35]) << 8) & 0x0FFF
        let mask: UInt16 = small ? 0x1FFF : 0x7FFF
        var out = [Tag]()
        for i in 0..<count {
            let at = page.count - 4 * (i + 1)
            guard at > header else { return [] }
            let cb = UInt16(page[at]) | UInt16(page[at + 1]) << 8
            let ib = UInt16(page[at + 2]) | UInt16(page[at + 3]) << 8
            let start = header + Int(ib & mask), end = start + Int(cb & mask)
            guard end <= page.count - 4 * count else { return [] }
            let value = Array(page[start..<end])
            let flags: UInt16 = small ? ib >> 13 : (value.count >= 2 ? UInt16(value[1] >> 5) : 0)
            out.append(Tag(flags: flags, value: value))
        }
        return out
    }

    /// (flags, key, data) of nodes 1... of a B-tree page; nil if one is malformed.
    static func nodes(_ page: [UInt8], small: Bool) -> [(UInt16, [UInt8], [UInt8])]? {
        let all = tags(page, small: small)
        guard !all.isEmpty else { return [] }
        let prefix = page.u32(PageFormat.flagsOffset) & rootFlag != 0 ? [] : all[0].value
        var out = [(UInt16, [UInt8], [UInt8])]()
        for tag in all.dropFirst() {
            let v = tag.value
            var offset = 0
            var key = [UInt8]()
            if tag.flags & 0x4 != 0 {  // the key starts with a prefix of tag 0's
                guard v.count >= 2 else { return nil }
                let n = Int(v.u16LE(0) & 0x1FFF)
                guard n <= prefix.count else { return nil }
                key = Array(prefix[0..<n])
                offset = 2
            }
            guard v.count >= offset + 2 else { return nil }
            let n = Int(v.u16LE(offset) & 0x1FFF)
            guard v.count >= offset + 2 + n else { return nil }
            key += v[(offset + 2)..<(offset + 2 + n)]
            out.append((tag.flags, key, Array(v[(offset + 2 + n)...])))
        }
        return out
    }
}

extension Array where Element == UInt8 {
    func u16LE(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func u32LE(_ at: Int) -> UInt32 {
        UInt32(self[at]) | UInt32(self[at + 1]) << 8 | UInt32(self[at + 2]) << 16 | UInt32(self[at + 3]) << 24
    }
}
