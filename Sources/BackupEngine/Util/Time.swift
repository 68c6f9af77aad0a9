import Glibc

/// Wall-clock seconds since the Unix epoch, UTC.
public func unixTime() -> Int64 { Int64(time(nil)) }

/// Monotonic nanoseconds, for durations.
public func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Sleeps for `ms` milliseconds.
public func sleepMilliseconds(_ ms: Int) {
    var request = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// "2026-11-22 22:48:52 UTC"
public func formatUTC(_ t: Int64) -> String {
    var tt = time_t(t)
    var tm = tm()
    gmtime_r(&tt, &tm)
    func pad(_ v: Int32, _ n: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, n - s.count)) + s
    }
    return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2)) "
        + "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)) UTC"
}

/// Random bytes from the kernel.
public func randomBytes(_ count: Int) -> [UInt8] {
    if let file = try? File.openForReading("/dev/urandom"), let bytes = try? file.read(count: count, at: 0), bytes.count == count {
        return bytes
    }
    // No /dev/urandom (a bare chroot): the clock is still better than a constant.
    var generator = ContentGenerator(seed: monotonicNanoseconds() ^ UInt64(bitPattern: unixTime()))
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
}

/// A small, fast, deterministic generator (xorshift64*) for the simulated page contents.
struct ContentGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// Fills `buffer` with pseudo-random bytes.
    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var i = 0
        while i + 8 <= buffer.count {
            buffer.storeBytes(of: next(), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < buffer.count { buffer[i] = UInt8(truncatingIfNeeded: next()); i += 1 }
    }
}

/// Mixes values into a 64-bit seed (splitmix64 finaliser).
func mixSeed(_ values: UInt64...) -> UInt64 {
    var h: UInt64 = 0x243F_6A88_85A3_08D3
    for v in values {
        h ^= v &+ 0x9E37_79B9_7F4A_7C15 &+ (h << 6) &+ (h >> 2)
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
    }
    return h
}

/// Writes text to file descriptor 2 (no stdio buffering, safe from any thread).
public func writeStandardError(_ text: String) { writeAll(2, text) }

/// Writes text to file descriptor 1 straight away (progress bars).
public func writeStandardOutput(_ text: String) { writeAll(1, text) }

private func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
        if n > 0 { done += n } else if errno != EINTR { return }
    }
}
