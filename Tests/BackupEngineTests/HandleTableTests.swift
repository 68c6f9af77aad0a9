import Testing
@testable import BackupEngine

final class Thing: Sendable { let n: Int; init(_ n: Int) { self.n = n } }

@Suite("handle table")
struct HandleTableTests {
    @Test("a handle finds its object until it is removed; then it is stale")
    func lifecycle() {
        let table = HandleTable<Thing>(kind: 0x42)
        let h = table.insert(Thing(1))
        #expect(h != 0)
        #expect(table.lookup(h)?.n == 1)
        #expect(table.remove(h)?.n == 1)
        #expect(table.lookup(h) == nil)
        #expect(table.remove(h) == nil)
        #expect(table.count == 0)
    }

    @Test("a reused slot gets a new generation, so the old handle stays dead")
    func reuse() {
        let table = HandleTable<Thing>(kind: 0x42)
        let old = table.insert(Thing(1))
        _ = table.remove(old)
        let new = table.insert(Thing(2))
        #expect(new != old)
        #expect(new & 0xFFFF_FFFF == old & 0xFFFF_FFFF)  // same slot
        #expect(table.lookup(old) == nil)
        #expect(table.lookup(new)?.n == 2)
    }

    @Test("garbage, zero, and another table's handles are refused", arguments: [UInt(0), 1, 0x1234, UInt.max, 0x4200_0001_0000_0000])
    func garbage(value: UInt) {
        let table = HandleTable<Thing>(kind: 0x42)
        _ = table.insert(Thing(1))
        #expect(table.lookup(value) == nil)
    }

    @Test("a handle of one kind is not one of another kind")
    func kinds() {
        let a = HandleTable<Thing>(kind: 0x42), b = HandleTable<Thing>(kind: 0x52)
        let h = a.insert(Thing(1))
        _ = b.insert(Thing(2))
        #expect(b.lookup(h) == nil)
        #expect(h >> 56 == 0x42)
    }

    @Test("handles are never valid user-space addresses")
    func notAddresses() {
        let table = HandleTable<Thing>(kind: 0x42)
        for i in 0..<100 { #expect(table.insert(Thing(i)) >= 0x0000_8000_0000_0000) }
    }
}
