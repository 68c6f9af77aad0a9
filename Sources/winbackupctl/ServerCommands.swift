import BackupEngine
import Glibc

/// winbackupctl server create|list|show|delete|start|stop|pause|write|set|allow|deny
enum ServerCommands {
    static func run(_ args: inout Arguments) throws(CLIError) {
        let verb = try args.positional("a server command (create, list, show, delete, start, stop, pause, write, set, allow, deny)")
        let registry = ServerRegistry()
        do {
            switch verb {
            case "create":
                let name = try args.positional("a server name")
                let options = try ServerOptions.parse(args.rest)
                let server = try registry.create(name, options)
                print("created \(options.role.rawValue) server \(server.name) in \(server.directory)")
                try show(server)
            case "list":
                try args.finish()
                let names = try registry.names()
                if names.isEmpty { print("no servers under \(registry.root)") }
                for name in names {  // a damaged server is listed with its problem, the others still are
                    do throws(BackupError) {
                        let s = try registry.find(name).settings()
                        print("\(name.padding(16)) \(s.role.rawValue.padding(8)) \(s.state.rawValue)")
                    } catch {
                        print("\(name.padding(16)) unusable: \(error.description)")
                    }
                }
            case "show":
                let server = try registry.find(try args.positional("a server name"))
                try args.finish()
                try show(server)
            case "delete":
                let name = try args.positional("a server name")
                try args.finish()
                try registry.delete(name)
                print("deleted \(name)")
            case "start":
                let server = try registry.find(try args.positional("a server name"))
                try args.finish()
                let wasPaused = try server.settings().state == .paused
                switch try server.start() {
                case nil:
                    print(wasPaused ? "\(server.name) resumed" : "\(server.name) is already online")
                case .recovered(let r):
                    print("\(server.name) is online (soft recovery replayed \(r.transactionsReplayed) transaction(s))")
                case .restored(let r):
                    print("\(server.name) is online after hard recovery of the restore: log generations \(r.genLow)-\(r.genHigh), "
                          + "\(r.transactionsReplayed) transaction(s) replayed, \(r.pagesVerified) page(s) verified")
                    print("  content digest \(r.digest) (the source server recorded \(r.loggedDigest) at the end of generation \(r.genHigh))")
                }
            case "stop":
                let server = try registry.find(try args.positional("a server name"))
                try args.finish()
                do throws(BackupError) {
                    try server.stop()
                } catch {
                    // Stop marks the server offline first (writers and backups stop), then replays
                    // its logs into the database: a failure there leaves it offline and dirty.
                    guard (try? server.settings().state) == .offline else { throw CLIError(error) }
                    throw CLIError("\(error.description)\n  \(server.name) is offline but was not shut down cleanly "
                                   + "(its database stays in dirty shutdown); 'server start' will replay the logs again")
                }
                print("\(server.name) is offline")
            case "pause":
                let server = try registry.find(try args.positional("a server name"))
                try args.finish()
                try server.pause()
                print("\(server.name) is paused (a running CA that serves no requests; 'server start' resumes it)")
            case "write":
                let server = try registry.find(try args.positional("a server name"))
                let count = Int(try args.option("--transactions") ?? "100")
                let pages = Int(try args.option("--pages") ?? "2")
                try args.finish()
                guard let count, count >= 0, let pages, (1...8).contains(pages) else {
                    throw CLIError("--transactions takes a count, --pages 1 to 8")
                }
                let writer = ActivityWriter(store: try Store(server: server))
                writer.pagesPerTransaction = pages
                let r = try writer.run(transactions: count)
                print("\(server.name): \(r.transactions) transaction(s), \(r.pagesWritten) page write(s), "
                      + "\(r.logRolls) log roll(s), log generation \(r.firstGeneration) -> \(r.lastGeneration), "
                      + "checkpoint at generation \(r.checkpoint.generation)\(r.stoppedEarly ? " (stopped: the server went offline)" : "")")
                print("content digest \(r.digest)")
            case "set":
                let server = try registry.find(try args.positional("a server name"))
                let lifetime = try args.option("--tombstone-lifetime").map { (v) throws(CLIError) -> Int in
                    guard let n = Int(v), (1...36500).contains(n) else { throw CLIError("--tombstone-lifetime takes days, 1 to 36500") }
                    return n
                }
                let offset = try args.option("--clock-offset").map { (v) throws(CLIError) -> Int64 in try duration(v) }
                let circular = try args.option("--circular-logging").map { (v) throws(BackupError) -> Bool in try OptionParsing.onOff(v, "--circular-logging") }
                try args.finish()
                let s = try server.updateSettings { s in
                    if let lifetime { s.tombstoneLifetimeDays = lifetime }
                    if let offset { s.clockOffset = offset }
                    if let circular { s.circularLogging = circular }
                }
                print("\(server.name): tombstone lifetime \(s.tombstoneLifetimeDays) days, clock offset \(s.clockOffset) s, "
                      + "circular logging \(s.circularLogging ? "on" : "off")")
            case "allow":
                let server = try registry.find(try args.positional("a server name"))
                let account = try args.positional("an account (DOMAIN\\user or user)")
                var password = try args.option("--password")
                if args.flag("--password-stdin") { password = readLine(strippingNewline: true) ?? "" }
                let administrator = !args.flag("--backup-operator")
                try args.finish()
                let identity = try Identity.make(account: account, password: password, administrator: administrator)
                try server.updateSettings { $0.allow(identity) }
                print("\(identity.account) may back up and restore \(server.name)\(password == nil ? " (local account)" : "")"
                      + (administrator ? "" : " as a backup operator (not an administrator)"))
            case "deny":
                let server = try registry.find(try args.positional("a server name"))
                let account = try args.positional("an account")
                try args.finish()
                var removed = false
                try server.updateSettings { removed = $0.deny(account: account) }
                print(removed ? "\(account) removed from \(server.name)" : "\(account) was not allowed on \(server.name)")
            default:
                throw CLIError("unknown server command '\(verb)'")
            }
        } catch let error as CLIError {
            throw error
        } catch let error as BackupError {
            throw CLIError(error)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// "200d", "-3h", "90m", "45s" or seconds.
    static func duration(_ text: String) throws(CLIError) -> Int64 {
        let units: [Character: Int64] = ["d": 86_400, "h": 3600, "m": 60, "s": 1]
        var number = Substring(text), unit: Int64 = 1
        if let last = number.last, let u = units[last] { unit = u; number = number.dropLast() }
        guard let n = Int64(number), abs(n) <= Int64(100 * 365 * 86_400) / unit else { throw CLIError("bad duration '\(text)'") }
        return n * unit
    }

    static func show(_ server: Server) throws(BackupError) {
        let s = try server.settings()
        let store = Store(StoreLayout(server: server, settings: s))
        let layout = store.layout
        print("  name            \(s.name)")
        print("  role            \(s.role.displayName)")
        print("  state           \(s.state.rawValue)\(server.isBackupInProgress ? ", backup in progress" : "")")
        print("  folder          \(server.directory)")
        for (i, db) in s.databases.enumerated() {
            let size = (try? FileSystem.fileSize(layout.databasePath(i))) ?? 0
            print("  database        \(server.unc(db))  (\(formatBytes(size)), \(s.pageSize / 1024) KiB pages)")
        }
        let gens = try layout.archivedGenerations()
        let current = (try? LogScan.read(layout.currentLogPath))?.header.generation
        print("  logs            \(server.unc(s.logPath))  generations "
              + (gens.isEmpty ? "none archived" : "\(gens.first!)-\(gens.last!)") + ", current \(current.map(String.init) ?? "?")"
              + "  (\(formatBytes(Int64(s.logFileSize))) each)")
        if let c = try? store.readCheckpoint() { print("  checkpoint      generation \(c.generation)") }
        print("  circular log    \(s.circularLogging ? "on" : "off")")
        if let ca = s.caName { print("  CA name         \(ca)") }
        if s.role == .ntds { print("  tombstone       \(s.tombstoneLifetimeDays) days") }
        if s.clockOffset != 0 { print("  clock offset    \(s.clockOffset) s") }
        if let r = try RestoreRegistration.read(server) {
            let source = r.sourceServer.isEmpty ? "" : " (backup of \(r.sourceServer), \(formatUTC(r.backupTime)))"
            let ranges = r.logRanges.map { "\($0.genLow)-\($0.genHigh) from \(server.unc($0.backupLogPath))" }.joined(separator: ", ")
            print("  restore         \(r.status.rawValue): log generations \(ranges)\(source)")
        }
        if let db = try? store.openDatabases().first, let h = try? db.readHeader() {
            let full = h.bkinfoFullPrev, copy = h.bkinfoCopyPrev
            print("  last full       " + (full.isEmpty ? "never" : "generations \(full.genLow)-\(full.genHigh), \(full.time.unixTime.map(formatUTC) ?? "?")"))
            if !copy.isEmpty { print("  last copy       generations \(copy.genLow)-\(copy.genHigh), \(copy.time.unixTime.map(formatUTC) ?? "?")") }
        }
        print("  may back up     " + s.identities.map { id in
            id.account + (id.passwordHash == nil ? " (local)" : "") + (id.administrator ? "" : " (backup operator)")
        }.joined(separator: ", "))
        for file in try server.dynamicFiles(s) { print("  published file  \(server.unc(file))") }
    }
}
