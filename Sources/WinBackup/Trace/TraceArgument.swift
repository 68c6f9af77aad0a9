/// One argument of an exported call, as a trace line shows it. Exports list their arguments in
/// an autoclosure that runs only when tracing or strict mode is on, after the call: outputs are
/// shown when the call succeeded, never a buffer's content, never a password.
enum TraceArgument {
    case narrow(String, UnsafeRawPointer?)      // an A string (UTF-8)
    case wide(String, UnsafeRawPointer?)        // a W string (UTF-16)
    case secret(String, UnsafeRawPointer?)      // a password: "***", or null
    case handle(String, UInt)                   // a session handle (context, instance): "0x…"
    case size(String, UInt64)                   // a byte count
    case integer(String, Int64)
    case flags(String, UInt32)                  // "0x…"
    case pointer(String, UnsafeRawPointer?)     // a buffer or an output's address: "0x…", or null
    case output(String, UnsafeRawPointer?, Output)  // what the call stored through a pointer

    enum Output { case handle, pointer, size32, size64, integer32 }

    var name: String {
        switch self {
        case .narrow(let n, _), .wide(let n, _), .secret(let n, _), .handle(let n, _), .size(let n, _), .integer(let n, _),
             .flags(let n, _), .pointer(let n, _), .output(let n, _, _): n
        }
    }

    /// The session this argument names: a handle passed in, or one the call handed out.
    func session(succeeded: Bool) -> UInt? {
        switch self {
        case .handle(_, let h): h
        case .output(_, let p?, .handle) where succeeded: p.load(as: UInt.self)
        default: nil
        }
    }

    /// The JSON value; nil leaves the argument out (an output of a call that failed).
    func json(succeeded: Bool) -> String? {
        switch self {
        case .narrow(_, let p): p.map { JSONText.narrow($0) } ?? "null"
        case .wide(_, let p): p.map { JSONText.wide($0) } ?? "null"
        case .secret(_, let p): p == nil ? "null" : "\"***\""
        case .handle(_, let h): JSONText.hex(UInt64(h))
        case .size(_, let n): String(n)
        case .integer(_, let n): String(n)
        case .flags(_, let f): JSONText.hex(UInt64(f))
        case .pointer(_, let p): p.map { JSONText.hex(UInt64(UInt(bitPattern: $0))) } ?? "null"
        case .output(_, let p, let kind): succeeded ? p.map { Self.stored($0, kind) } ?? "null" : nil
        }
    }

    private static func stored(_ p: UnsafeRawPointer, _ kind: Output) -> String {
        switch kind {
        case .handle, .pointer: JSONText.hex(UInt64(p.load(as: UInt.self)))
        case .size32: String(p.load(as: UInt32.self))
        case .size64: String(p.loadUnaligned(as: Int64.self))
        case .integer32: String(p.load(as: Int32.self))
        }
    }
}
