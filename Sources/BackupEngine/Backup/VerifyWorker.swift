import CWinBackup
import Glibc
import Synchronization

/// A helper thread that verifies database pages while the calling thread reads the next ones,
/// so a backup read costs little more than the read itself: ESE overlaps its checks with its
/// asynchronous reads the same way. One worker per open database stream, started at the first
/// read and joined when the stream goes away.
///
/// The caller posts chunks (pages already in its buffer) to a small ring; the worker verifies
/// them in order and records, per chunk, the first page that failed. The caller always waits for
/// every chunk it posted before its read returns, so the worker never touches a caller's buffer
/// after the call. A failure is only a hint: the caller re-checks those pages itself, with
/// ESE's re-reads, and reports the first bad page in stream order.
final class VerifyWorker: @unchecked Sendable {
    struct Chunk {
        var base: UnsafeRawPointer
        var pages: Int
        var firstPgno: UInt32
        var pageSize: Int
        /// Index of the first page that did not verify, or -1.
        var firstBad = -1
    }

    static let capacity = 16
    /// How long the idle worker spins for the next chunk before it sleeps.
    static let spinNanoseconds: UInt64 = 200_000

    /// Whether a worker is worth having: not on a single CPU.
    static let available: Bool = sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2

    private let ring = UnsafeMutablePointer<Chunk>.allocate(capacity: capacity)
    private let posted = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    private let sleeping = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var thread = pthread_t()

    init?() {
        guard Self.available else { return nil }
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        let context = Unmanaged.passRetained(self).toOpaque()  // the thread's reference, until run() returns
        guard pthread_create(&thread, nil, { raw in
            Unmanaged<VerifyWorker>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context) == 0 else {
            Unmanaged<VerifyWorker>.fromOpaque(context).release()
            pthread_mutex_destroy(mutex)
            pthread_cond_destroy(wake)
            mutex.deallocate()
            wake.deallocate()
            ring.deallocate()
            return nil
        }
    }

    /// Stops and joins the thread. Call once, with nothing posted.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
        pthread_join(thread, nil)
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(wake)
        mutex.deallocate()
        wake.deallocate()
        ring.deallocate()
    }

    /// Whether there is room for another chunk.
    var hasRoom: Bool {
        posted.load(ordering: .relaxed) - completed.load(ordering: .acquiring) < Self.capacity
    }

    /// Hands a chunk to the worker; returns its ticket.
    func post(_ chunk: Chunk) -> Int {
        let ticket = posted.load(ordering: .relaxed)
        ring[ticket % Self.capacity] = chunk
        posted.store(ticket + 1, ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) {
            pthread_mutex_lock(mutex)
            pthread_cond_signal(wake)
            pthread_mutex_unlock(mutex)
        }
        return ticket
    }

    /// Waits until every posted chunk was verified; returns the chunks that failed.
    func drain(from firstTicket: Int) -> [Chunk] {
        let last = posted.load(ordering: .relaxed)
        while completed.load(ordering: .acquiring) < last { wb_cpu_relax() }
        return (firstTicket..<last).map { ring[$0 % Self.capacity] }.filter { $0.firstBad >= 0 }
    }

    private func run() {
        var idleSince: UInt64 = 0
        while true {
            let done = completed.load(ordering: .relaxed)
            if done < posted.load(ordering: .acquiring) {
                let slot = ring + done % Self.capacity
                slot.pointee.firstBad = Self.firstBadPage(slot.pointee)
                completed.store(done + 1, ordering: .releasing)
                idleSince = 0
                continue
            }
            if stopping.load(ordering: .sequentiallyConsistent) { return }
            let now = monotonicNanoseconds()
            if idleSince == 0 { idleSince = now }
            if now - idleSince < Self.spinNanoseconds { wb_cpu_relax(); continue }
            pthread_mutex_lock(mutex)
            sleeping.store(true, ordering: .sequentiallyConsistent)
            while completed.load(ordering: .relaxed) == posted.load(ordering: .sequentiallyConsistent)
                    && !stopping.load(ordering: .sequentiallyConsistent) {
                pthread_cond_wait(wake, mutex)
            }
            sleeping.store(false, ordering: .sequentiallyConsistent)
            pthread_mutex_unlock(mutex)
            idleSince = 0
        }
    }

    /// The index of the first page of a chunk that is neither valid nor never-written, or -1.
    static func firstBadPage(_ chunk: Chunk) -> Int {
        for i in 0..<chunk.pages {
            let page = UnsafeRawBufferPointer(start: chunk.base + i * chunk.pageSize, count: chunk.pageSize)
            switch PageFormat.verify(page, pgno: chunk.firstPgno + UInt32(i)) {
            case .valid, .uninitialized: continue
            default: return i
            }
        }
        return -1
    }
}
