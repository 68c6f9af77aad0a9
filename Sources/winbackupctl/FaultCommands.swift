import BackupEngine

/// winbackupctl fault add SERVER KIND [options] | list SERVER | clear SERVER
/// (the spec language: docs/FAULTS.md; the same as WbInjectFaultA's).
enum FaultCommands {
    static func run(_ args: inout Arguments) throws(CLIError) {
        let verb = try args.positional("a fault command (add, list, clear)")
        let name = try args.positional("a server name")
        guard ["add", "list", "clear"].contains(verb) else { throw CLIError("unknown fault command '\(verb)'") }
        if verb != "add" { try args.finish() }
        let words = args.rest
        do throws(BackupError) {
            let server = try ServerRegistry().find(name)
            switch verb {
            case "add":
                print("\(server.name): fault added: \(try server.injectFault(words))")
            case "list":
                let faults = try server.faults()
                if faults.isEmpty { print("\(server.name): no faults") }
                for (i, fault) in faults.enumerated() { print("\(i + 1). \(fault)") }
            default:
                print("\(server.name): \(try server.clearFaults()) fault(s) cleared")
            }
        } catch {
            throw CLIError(error)
        }
    }
}
