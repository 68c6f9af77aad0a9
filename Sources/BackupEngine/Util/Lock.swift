// The one lock type of the library. `Synchronization.Mutex` normally; a pthread mutex when built
// with -DPTHREAD_LOCK, because ThreadSanitizer cannot see Mutex's futex slow path and reports
// false races (reference/SWIFT-C-ABI-NOTES.md §7).
#if PTHREAD_LOCK
import Glibc

public final class Lock<Value: ~Copyable>: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline var value: Value

    public init(_ value: consuming sending Value) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inlinable
    public func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
#else
import Synchronization

public typealias Lock<Value: ~Copyable> = Mutex<Value>
#endif
