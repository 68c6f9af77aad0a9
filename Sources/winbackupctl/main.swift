import BackupEngine
import Glibc

// winbackupctl: manages emulated servers and is a reference backup agent.

let usage = """
usage: winbackupctl [--root DIR] COMMAND ...

  demo                               back up a sample DC while it is written, restore it onto
                                     a second DC, start it, compare the content digests; then
                                     a CA: a full and two incremental backups, restored onto a
                                     second CA in any order
  server create NAME --role ntds|certsrv|ese [--db-size SIZE] [--logs N] [--log-size SIZE]
                [--circular-logging on|off] [--ca-name NAME] [--tombstone-lifetime DAYS] [--offline]
  server list | show NAME | delete NAME | start NAME | stop NAME
  server pause NAME                  pause a CA (running, serving no requests); start resumes it
  server write NAME [--transactions N] [--pages N]   simulated activity
  server allow NAME ACCOUNT [--password P | --password-stdin] [--backup-operator]
  server deny NAME ACCOUNT
  server set NAME [--tombstone-lifetime DAYS] [--clock-offset DURATION] [--circular-logging on|off]
  fault add SERVER KIND [options] [--once]   make a server fail as Windows would (docs/FAULTS.md):
         read-error --file PATH [--offset N] | bad-checksum --file PATH --page N
         | wrong-page --file PATH --page N | corrupt-log --generation N | missing-log --generation N
         | stop [--after-reads N] | slow-read --latency 50ms [--after-reads N]
         | short-read --max-bytes N [--after-reads N] | disk-full [--after-bytes N]
         | permission-denied | deny-user ACCOUNT
  fault list SERVER | fault clear SERVER
  backup SERVER --to DIR [--no-truncate]   back up a DC (Ntdsbcli) or a CA (Certadm) through
         [--incremental] [--keep-log]      libwinbackup.so; a CA like certutil -backupDB DIR
                                           [Incremental] [KeepLog] (--keep-log = --no-truncate)
  restore DIR --to SERVER [--start]        restore a backup set onto an offline DC or a stopped CA
                                           (a CA: the full set first, then each incremental set)
  verify [--files] DIR                    check a backup set page by page (--files: no manifest)
  trace summarize FILE                     the calls of a WINBACKUP_TRACE file per session; flags the
                                           first out-of-order call of each (exit status 1 if any)
  version

Servers live under --root, else $WINBACKUP_ROOT, else ${XDG_DATA_HOME:-~/.local/share}/winbackup.
The agent commands load libwinbackup.so from this program's folder, or $WINBACKUP_LIB.
"""

func main() -> Int32 {
    var args = Arguments(Array(CommandLine.arguments.dropFirst()))
    do throws(CLIError) {
        if let root = try args.option("--root") { setenv("WINBACKUP_ROOT", FileSystem.absolute(root), 1) }
        if args.flag("--help") || args.flag("-h") { print(usage); return 0 }
        let command = try args.positional("a command")
        switch command {
        case "demo": try Demo.run(&args)
        case "server": try ServerCommands.run(&args)
        case "fault": try FaultCommands.run(&args)
        case "backup": try BackupCommands.backup(&args)
        case "verify": try BackupCommands.verify(&args)
        case "restore": try BackupCommands.restore(&args)
        case "trace":
            guard try args.positional("a trace command") == "summarize" else { throw CLIError("unknown trace command") }
            return try TraceSummary.run(&args)
        case "version": print("winbackupctl \(winbackupVersion)")
        case "help": print(usage)
        default: throw CLIError("unknown command '\(command)'")
        }
        return 0
    } catch {
        writeStandardError("winbackupctl: \(error)\n")
        if error.description.hasPrefix("missing") || error.description.hasPrefix("unknown") {
            writeStandardError("run 'winbackupctl help' for usage\n")
            return 2
        }
        return 1
    }
}

let winbackupVersion = "0.1.0"
exit(main())
