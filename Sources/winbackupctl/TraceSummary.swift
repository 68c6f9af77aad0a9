import BackupEngine

/// winbackupctl trace summarize FILE: the calls of a WINBACKUP_TRACE file, grouped by process and
/// session (a Ds/CertSrv context handle, a Jet instance; ESENT's functions without an instance
/// form one legacy session), each sequence printed compactly, and the first out-of-order call of
/// each session flagged with the rule it breaks. Exit status 1 when something is flagged.
enum TraceSummary {
    struct Call {
        let line: Int
        let pid: Int
        let function: String
        let result: String
        let arguments: [(String, JSONValue)]
        func text(_ name: String) -> String? { arguments.first { $0.0 == name }?.1.string }
    }

    final class Session {
        let pid: Int
        let key: String
        var calls: [Call] = []
        var flag: String?
        // the state the rules follow
        var begun = false, ended = false, backupRunning = false, fileOpen = false, logsListed = false
        var endedBy = ""

        init(pid: Int, key: String) { self.pid = pid; self.key = key }
        var isJet: Bool { calls.first?.function.hasPrefix("Jet") ?? false }
    }

    static let sessionArguments = ["hbc", "phbc", "instance", "*pinstance", "pinstance"]
    static let sequenceErrors: Set<String> = [
        "hrNoBackup", "hrInvalidBackupSequence", "hrAlreadyOpen", "hrInvalidHandle", "JET_errNoBackup", "JET_errInvalidBackupSequence",
    ]

    static func run(_ args: inout Arguments) throws(CLIError) -> Int32 {
        let path = try args.positional("a trace file")
        try args.finish()
        let text: String
        do { text = String(decoding: try FileSystem.readFile(path), as: UTF8.self) } catch { throw CLIError(error) }
        let (sessions, unreadable) = group(text)
        var flagged = 0
        for s in sessions {
            finish(s)
            print("pid \(s.pid) session \(s.key): \(s.calls.count) call(s)")
            for line in compact(s.calls) { print("  \(line)") }
            if let flag = s.flag {
                print("  ! \(flag)")
                flagged += 1
            }
        }
        print("\(sessions.count) session(s), \(flagged) flagged" + (unreadable > 0 ? ", \(unreadable) unreadable line(s)" : ""))
        return flagged > 0 ? 1 : 0
    }

    /// The sessions in order of their first call.
    static func group(_ text: String) -> (sessions: [Session], unreadable: Int) {
        var sessions: [Session] = []
        var byKey: [String: Session] = [:]
        var bufferOwner: [String: String] = [:]  // a pointer a call handed out → its session
        var unreadable = 0
        for (n, raw) in text.split(separator: "\n").enumerated() {
            guard let v = JSONValue.parse(String(raw)), let fn = v["fn"]?.string, let pid = v["pid"]?.number,
                  case .object(let arguments)? = v["args"] else {
                unreadable += 1
                continue
            }
            let result = v["result"]?["name"]?.string ?? "-"
            let call = Call(line: n + 1, pid: Int(pid), function: fn, result: result, arguments: arguments)
            var key = sessionArguments.lazy.compactMap { call.text($0) }.first
            if CallKind.usesLegacyInstance(fn) || (fn.hasPrefix("Jet") && ["0x0", "0xFFFFFFFFFFFFFFFF"].contains(key ?? "")) {
                key = "legacy"
            }
            if key == nil, fn.hasSuffix("Free"), let p = arguments.first?.1.string { key = bufferOwner[p] }
            let id = "\(call.pid) \(key ?? "-")"
            let session = byKey[id] ?? {
                let s = Session(pid: call.pid, key: key ?? "(none)")
                byKey[id] = s
                sessions.append(s)
                return s
            }()
            if let key {
                for (name, value) in arguments where !sessionArguments.contains(name) {
                    if let p = value.string, p.hasPrefix("0x") { bufferOwner[p] = key }
                }
            }
            check(session, call, others: sessions.filter { $0.pid == call.pid && $0 !== session })
            session.calls.append(call)
        }
        return (sessions, unreadable)
    }

    /// The APIs' order rules, applied to one more call of a session; the first break is kept.
    static func check(_ s: Session, _ call: Call, others: [Session]) {
        func flag(_ why: String) {
            if s.flag == nil { s.flag = "call \(s.calls.count + 1) (line \(call.line)): \(call.function) \(call.result): \(why)" }
        }
        let ok = call.result == "S_OK" || call.result == "JET_errSuccess"
        let kind = CallKind.of(call.function)
        if s.ended { flag("after \(s.endedBy) ended the session") }
        switch kind {
        case .begin:
            if s.backupRunning { flag("a second begin while the backup runs") }
            if let open = others.first(where: { $0.begun && !$0.ended && !$0.isJet }), !call.function.hasPrefix("Jet") {
                flag("a second prepare while session \(open.key) is open")
            }
            if ok { s.begun = true; s.backupRunning = true; s.logsListed = false }
        case .read:
            if !s.fileOpen { flag("read with no file open") }
        case .openFile:
            if s.fileOpen { flag("open while another file is open") }
            let name = call.text("szAttachmentName") ?? call.text("pwszAttachmentName") ?? call.text("szFileName") ?? ""
            if s.logsListed && !name.lowercased().hasSuffix(".log") { flag("a database opened after the log list") }
            if ok { s.fileOpen = true }
        case .closeFile:
            if ok { s.fileOpen = false }
        case .logList:
            if ok { s.logsListed = true }
        case .endBackup:
            if ok { s.backupRunning = false; s.fileOpen = false }
        case .endSession:
            if ok { s.ended = true; s.endedBy = call.function; s.backupRunning = false }
        default:
            if call.function.contains("RestorePrepare") && ok { s.begun = true }
            if call.function.hasPrefix("JetInit") && ok { s.begun = true }
        }
        if sequenceErrors.contains(call.result) { flag("refused as out of order") }
    }

    /// End-of-trace rules: a session begun and never ended.
    static func finish(_ s: Session) {
        guard s.flag == nil, !s.ended, let last = s.calls.last else { return }
        if s.isJet {
            if s.backupRunning {
                s.flag = "the backup was never ended (no JetEndExternalBackup after line \(last.line))"
            } else if s.begun {
                s.flag = "the instance was never terminated (no JetTerm after line \(last.line))"
            }
        } else if s.begun {
            let end = s.calls.first!.function.contains("Restore") ? "RestoreEnd" : "BackupEnd"
            s.flag = "never ended (no \(s.calls.first!.function.hasPrefix("CertSrv") ? "CertSrv" : "Ds")\(end) after line \(last.line))"
        }
    }

    /// "DsBackupRead ×9 S_OK": consecutive calls of one function with one result, counted.
    static func compact(_ calls: [Call]) -> [String] {
        var runs: [(function: String, result: String, count: Int)] = []
        for c in calls {
            if let last = runs.last, last.function == c.function, last.result == c.result {
                runs[runs.count - 1].count += 1
            } else {
                runs.append((c.function, c.result, 1))
            }
        }
        return runs.map { $0.count == 1 ? "\($0.function) \($0.result)" : "\($0.function) ×\($0.count) \($0.result)" }
    }
}
