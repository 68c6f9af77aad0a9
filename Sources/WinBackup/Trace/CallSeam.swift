import BackupEngine
import CWinBackup

/// The seam every export runs through. With WINBACKUP_TRACE and WINBACKUP_STRICT unset, a call
/// costs one load of wb_call_flags more than its body; the arguments are listed in a closure
/// that then never runs. Otherwise the call is timed, its arguments and result are written to
/// the trace (TraceLog) and shown to strict mode (Strict). An export that forwards to another
/// (a Windows 2000 name to its A function) is observed once, under the name the caller called.
enum CallSeam {
    @inline(__always)
    static func run<R>(_ function: StaticString, _ arguments: () -> [TraceArgument], _ result: (R) -> CallResult,
                       _ body: () -> R) -> R {
        if _fastPath(wb_calls() == WB_CALLS_READY) { return body() }
        return observe(function, arguments, result, body)
    }

    @inline(never)
    static func observe<R>(_ function: StaticString, _ arguments: () -> [TraceArgument], _ result: (R) -> CallResult,
                           _ body: () -> R) -> R {
        var flags = wb_calls()
        if flags == 0 {
            wb_calls_once { CallSettings.load() }
            flags = wb_calls()
        }
        guard flags & (WB_CALLS_TRACE | WB_CALLS_STRICT) != 0 else { return body() }
        let outermost = wb_call_enter(UnsafeRawPointer(function.utf8Start).assumingMemoryBound(to: CChar.self)) == 1
        defer { wb_call_leave() }
        guard outermost else { return body() }
        let wallClock = TraceLog.now()
        let started = monotonicNanoseconds()
        let value = body()
        let call = ObservedCall(function: name(function), arguments: arguments(), result: result(value),
                                start: wallClock, microseconds: (monotonicNanoseconds() - started) / 1000)
        if flags & WB_CALLS_TRACE != 0 { TraceLog.write(call) }
        if flags & WB_CALLS_STRICT != 0 { Strict.observe(call) }
        return value
    }

    /// "DsBackupRead(_:_:_:_:)" → "DsBackupRead".
    static func name(_ function: StaticString) -> String {
        function.withUTF8Buffer { String(decoding: $0.prefix { $0 != UInt8(ascii: "(") }, as: UTF8.self) }
    }

    /// The export this thread is in (for strict mode's record of who allocated a buffer).
    static var current: String? {
        guard let p = wb_current_call() else { return nil }
        return String(String(cString: p).prefix { $0 != "(" })
    }
}

/// One exported call, observed.
struct ObservedCall {
    let function: String
    let arguments: [TraceArgument]
    let result: CallResult
    let start: (seconds: Int, microseconds: Int)
    let microseconds: UInt64

    /// The session the call concerns: its handle argument, or the handle it handed out.
    var session: UInt? { arguments.lazy.compactMap { $0.session(succeeded: self.result.succeeded) }.first }
}
