import BackupEngine
import CWinBackup

/// Strict mode (WINBACKUP_STRICT=1): a ledger of misuse, reported at exit on stderr and on
/// demand through WbReportA. Fed by the call seam (results, sessions, open files, handles used
/// after their End) and by LibraryBuffers (buffers handed out and freed). Off: never touched.
enum Strict {
    struct Ledger {
        var findings: [String] = []                                        // as they first happen
        var repeats: [String: Int] = [:]                                   // finding → how many times
        var openedBy: [UInt: String] = [:]                                 // live session → the call that made it
        var endedBy: [UInt: String] = [:]                                  // ended session → the call that ended it
        var openFiles: [UInt: (function: String, file: String)] = [:]      // session → its open backup file
        var buffers: [UInt: (function: String, bytes: Int)] = [:]          // buffer → the call that returned it
    }

    private static let ledger = Lock(emptyLedger())

    /// Built out of line (swiftc 6.3 -O can fold a wrong initial value into an inline one).
    @inline(never)
    private static func emptyLedger() -> Ledger { Ledger() }

    static func observe(_ call: ObservedCall) {
        let session = call.session ?? 0  // 0: ESENT's legacy instance (the functions without one)
        let fn = call.function
        ledger.withLock { l in
            if !call.result.succeeded {
                if call.result.isSequenceError {
                    l.note("call out of order: \(fn) returned \(call.result.name!) (session \(hex(session)))")
                }
                for case .handle(let name, let h) in call.arguments where h != 0 && SessionTables.wasRemoved(h) {
                    let end = l.endedBy[h].map { " after \($0)" } ?? ""
                    l.note("handle used after its End: \(fn)(\(name)=\(hex(h)))\(end)")
                }
                return
            }
            if session != 0, l.openedBy[session] == nil, SessionTables.isLive(session) { l.openedBy[session] = fn }
            let kind = CallKind.of(fn)
            switch kind {
            case .openFile:
                let file = call.arguments.lazy.compactMap { $0.text }.first ?? "?"
                l.openFiles[session] = (fn, file)
            case .closeFile:
                l.openFiles[session] = nil
            case .endBackup, .endSession:
                if let open = l.openFiles.removeValue(forKey: session) {
                    l.note("file never closed: \(open.file) opened by \(open.function), backup ended by \(fn) (session \(hex(session)))")
                }
                if kind == .endSession {
                    l.openedBy[session] = nil
                    l.endedBy[session] = fn
                }
            default: break
            }
        }
    }

    static func allocated(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
        let fn = CallSeam.current ?? "the library"
        ledger.withLock { $0.buffers[UInt(bitPattern: p)] = (fn, bytes) }
    }

    static func freed(_ p: UnsafeMutableRawPointer) {
        ledger.withLock { _ = $0.buffers.removeValue(forKey: UInt(bitPattern: p)) }
    }

    /// Every misuse so far, one line each, naming the function.
    static func report() -> [String] {
        let l = ledger.withLock { $0 }
        var lines = l.findings.map { f in l.repeats[f, default: 1] > 1 ? "\(f) (\(l.repeats[f]!) times)" : f }
        for (h, name) in SessionTables.live() {
            let opener = l.openedBy[h] ?? name.opener
            lines.append("session never ended: \(opener) returned \(hex(h)); call \(name.end)")
            if name.end.hasPrefix("JetTerm"), let instance = jetInstances.lookup(h), (try? instance.backup()) != nil {
                lines.append("Jet backup still running: instance \(hex(h)); call JetEndExternalBackupInstance2")
            }
        }
        for (h, open) in l.openFiles.sorted(by: { $0.key < $1.key }) where h == 0 || SessionTables.isLive(h) {
            lines.append("file never closed: \(open.file) opened by \(open.function) (session \(hex(h)))")
        }
        for (p, buffer) in l.buffers.sorted(by: { $0.key < $1.key }) {
            let free = buffer.function.hasPrefix("CertSrv") ? "CertSrvBackupFree" : "DsBackupFree"
            lines.append("buffer never freed: \(buffer.function) returned \(hex(p)) (\(buffer.bytes) bytes); call \(free)")
        }
        return lines
    }

    static func reportAtExit() {
        for line in report() { writeStandardError("winbackup strict: \(line)\n") }
    }

    static func hex(_ v: UInt) -> String { "0x" + String(v, radix: 16, uppercase: true) }
}

extension TraceArgument {
    /// A string argument's text (for reports).
    var text: String? {
        switch self {
        case .narrow(_, let p?): String(cString: p.assumingMemoryBound(to: CChar.self))
        case .wide(_, let p?):
            String(decoding: UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt16.self),
                                                 count: (0...).first { p.load(fromByteOffset: $0 * 2, as: UInt16.self) == 0 }!),
                   as: UTF16.self)
        default: nil
        }
    }
}

extension Strict.Ledger {
    /// A misuse; one that repeats (a loop) is one line with a count.
    mutating func note(_ finding: String) {
        if repeats[finding] == nil { findings.append(finding) }
        repeats[finding, default: 0] += 1
    }
}
