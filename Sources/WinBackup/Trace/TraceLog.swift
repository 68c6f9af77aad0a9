import BackupEngine
import CWinBackup
import Glibc

/// The trace: one JSON line per exported call, written with one write(2) to stderr or to a file
/// opened with O_APPEND, so processes and threads sharing it interleave by whole lines.
enum TraceLog {
    /// Set once by CallSettings before the flags are published; read only after.
    nonisolated(unsafe) private static var fd: Int32 = -1
    nonisolated(unsafe) private static var failed = false

    /// "stderr" or a file path. A path that cannot be opened is reported once; tracing stays off.
    static func open(_ target: String) -> Bool {
        if target == "stderr" {
            fd = 2
            return true
        }
        let opened = Glibc.open(target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            Diagnostics.report("WINBACKUP_TRACE: cannot open \(target): \(String(cString: strerror(errno))); not tracing")
            return false
        }
        fd = opened
        return true
    }

    static func now() -> (seconds: Int, microseconds: Int) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (ts.tv_sec, ts.tv_nsec / 1000)
    }

    static func write(_ call: ObservedCall) {
        var line = line(call)
        let complete = line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
        if !complete && !failed {
            failed = true
            Diagnostics.report("WINBACKUP_TRACE: write failed: \(String(cString: strerror(errno))); lines are lost")
        }
    }

    /// {"t":…,"pid":…,"tid":…,"fn":…,"args":{…},"result":{…},"us":…}
    static func line(_ call: ObservedCall) -> String {
        let micros = String(call.start.microseconds)
        var line = "{\"t\":\(call.start.seconds).\(String(repeating: "0", count: 6 - micros.count))\(micros)"
        line += ",\"pid\":\(getpid()),\"tid\":\(wb_gettid()),\"fn\":\(JSONText.string(call.function)),\"args\":{"
        var first = true
        for argument in call.arguments {
            guard let value = argument.json(succeeded: call.result.succeeded) else { continue }
            line += (first ? "" : ",") + JSONText.string(argument.name) + ":" + value
            first = false
        }
        return line + "},\"result\":\(call.result.json),\"us\":\(call.microseconds)}\n"
    }
}
