/// Managing a server's injected faults (`winbackupctl fault`, WbInjectFaultA, WbClearFaultsA),
/// and consuming a --once fault that fired. Every change is a settings rewrite (atomic, under
/// the settings lock), so a --once fault fires exactly once even across processes.
extension Server {
    public func faults() throws(BackupError) -> [Fault] { try settings().faults }

    /// Parses a spec (its --file in any of the three spellings) and adds the fault.
    @discardableResult
    public func injectFault(_ words: [String]) throws(BackupError) -> Fault {
        let fault = try Fault.parse(words) { (text) throws(BackupError) -> WindowsPath in try resolve(text) }
        try updateSettings { $0.faults.append(fault) }
        return fault
    }

    /// Removes every fault; returns how many there were.
    @discardableResult
    public func clearFaults() throws(BackupError) -> Int {
        var count = 0
        try updateSettings { s in
            count = s.faults.count
            s.faults = []
        }
        return count
    }

    /// Removes one --once fault that fired. False if it was no longer there (another process
    /// met it first, or the faults were cleared): then it must not fire here.
    func consume(_ fault: Fault) -> Bool {
        var found = false
        _ = try? updateSettings { s in
            guard let i = s.faults.firstIndex(of: fault) else { return }
            s.faults.remove(at: i)
            found = true
        }
        return found
    }

    /// Whether `fault` fires now: always when it is not --once; a --once one if this caller
    /// is the one that consumes it.
    func fires(_ fault: Fault) -> Bool { !fault.once || consume(fault) }

    /// deny-user: the identity a caller connected as is refused (accessDenied) while a fault names it.
    func refuseDeniedUser(_ identity: Identity, _ settings: ServerSettings) throws(BackupError) {
        for fault in settings.faults {
            guard case .denyUser(let account) = fault.effect, account.lowercased() == identity.account.lowercased() else { continue }
            if fires(fault) { throw .accessDenied("\(identity.account) is denied on \(name) (injected fault)") }
        }
    }
}
