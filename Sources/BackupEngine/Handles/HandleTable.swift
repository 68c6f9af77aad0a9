#if !PTHREAD_LOCK
import Synchronization
#endif

/// Opaque handles for objects handed to C callers. A handle is a pointer-sized value:
///
///   bits 56-63  kind tag (one per handle type, so a handle of one type is refused by another)
///   bits 32-55  generation of the slot (bumped when the slot is freed: stale handles fail)
///   bits  0-31  slot index + 1
///
/// It is never 0 and never a valid user-space address (the tag makes it non-canonical), so a
/// made-up, stale or foreign value is recognised, never dereferenced. Lookups are O(1) under
/// one short lock; the object is returned retained, so a concurrent remove cannot free it
/// under a caller that is still using it. The lookup is @inlinable, so the facades' calls
/// compile to a specialised lookup for their object type, not a generic one.
public final class HandleTable<Object: AnyObject & Sendable>: Sendable {
    public let kind: UInt8

    @usableFromInline
    struct Slot {
        @usableFromInline var generation: UInt32 = 1
        @usableFromInline var object: Object?

        @usableFromInline init() {}
    }

    @usableFromInline
    struct Slots {
        @usableFromInline var slots: [Slot] = []
        @usableFromInline var free: [Int] = []
        @usableFromInline var live = 0

        @usableFromInline init() {}
    }

    @usableFromInline let table = Lock(Slots())

    @usableFromInline static var generationMask: UInt32 { 0x00FF_FFFF }

    public init(kind: UInt8) {
        precondition(kind != 0)
        self.kind = kind
    }

    /// Registers an object; returns its handle.
    public func insert(_ object: Object) -> UInt {
        table.withLock { t in
            let index: Int
            if let reused = t.free.popLast() {
                index = reused
            } else {
                t.slots.append(Slot())
                index = t.slots.count - 1
            }
            t.slots[index].object = object
            t.live += 1
            return UInt(kind) << 56 | UInt(t.slots[index].generation) << 32 | UInt(index + 1)
        }
    }

    @inlinable
    func decode(_ handle: UInt) -> (index: Int, generation: UInt32)? {
        guard UInt8(truncatingIfNeeded: handle >> 56) == kind else { return nil }
        let low = Int(truncatingIfNeeded: handle & 0xFFFF_FFFF)
        guard low != 0 else { return nil }
        return (low - 1, UInt32(truncatingIfNeeded: handle >> 32) & Self.generationMask)
    }

    /// The object of a live handle, or nil.
    @inlinable
    public func lookup(_ handle: UInt) -> Object? {
        guard let (index, generation) = decode(handle) else { return nil }
        return table.withLock { t in
            index < t.slots.count && t.slots[index].generation == generation ? t.slots[index].object : nil
        }
    }

    /// Invalidates a handle; returns its object, or nil if the handle was not live.
    public func remove(_ handle: UInt) -> Object? {
        guard let (index, generation) = decode(handle) else { return nil }
        return table.withLock { t in
            guard index < t.slots.count, t.slots[index].generation == generation, let object = t.slots[index].object else { return nil }
            t.slots[index].object = nil
            var next = (t.slots[index].generation + 1) & Self.generationMask
            if next == 0 { next = 1 }
            t.slots[index].generation = next
            t.free.append(index)
            t.live -= 1
            return object
        }
    }

    /// True if `handle` was live once and has been removed since (a use after its End): its
    /// slot exists and has moved on to a later generation. For reports, off the hot path.
    public func wasRemoved(_ handle: UInt) -> Bool {
        guard let (index, generation) = decode(handle) else { return false }
        return table.withLock { t in index < t.slots.count && t.slots[index].generation != generation }
    }

    /// The live handles (for reports).
    public var handles: [UInt] {
        table.withLock { t in
            t.slots.indices.compactMap { i in
                t.slots[i].object == nil ? nil : UInt(kind) << 56 | UInt(t.slots[i].generation) << 32 | UInt(i + 1)
            }
        }
    }

    /// Number of live handles.
    public var count: Int { table.withLock { $0.live } }

    /// The live objects (for reports).
    public var objects: [Object] { table.withLock { $0.slots.compactMap(\.object) } }
}
