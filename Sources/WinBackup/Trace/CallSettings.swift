import BackupEngine
import CWinBackup
import Glibc

/// WINBACKUP_TRACE and WINBACKUP_STRICT, read once per process at its first exported call.
enum CallSettings {
    static func load() {
        var flags = WB_CALLS_READY
        if let target = environment("WINBACKUP_TRACE"), TraceLog.open(target) { flags |= WB_CALLS_TRACE }
        if environment("WINBACKUP_STRICT") == "1" {
            flags |= WB_CALLS_STRICT
            atexit { Strict.reportAtExit() }
        }
        wb_set_calls(flags)
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value[0] != 0 else { return nil }
        return String(cString: value)
    }

    static var strict: Bool { wb_calls() & WB_CALLS_STRICT != 0 }
}
