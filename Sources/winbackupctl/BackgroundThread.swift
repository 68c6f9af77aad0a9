import Glibc

/// A body run on its own thread (no Foundation): `winbackupctl demo` writes to a server this way
/// while it backs the server up.
final class BackgroundThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(&thread, nil, { raw in
            let me = Unmanaged<BackgroundThread>.fromOpaque(raw!).takeRetainedValue()
            me.body()
            return nil
        }, context)
        precondition(started == 0, "pthread_create failed")
    }

    func join() { pthread_join(thread, nil) }
}
