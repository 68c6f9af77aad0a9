/// The step of a backup or restore an exported function is, by its name: what strict mode
/// (libwinbackup) and `winbackupctl trace summarize` know of the APIs' call order. One list for
/// Ntdsbcli, Certadm and ESENT: a Windows 2000 name, its A and W forms and its Instance form are
/// the same step.
public enum CallKind: Equatable, Sendable {
    case begin          // DsBackupPrepare, CertSrvBackupPrepare, JetBeginExternalBackup…
    case databaseList   // DsBackupGetDatabaseNames, CertSrvBackupGetDatabaseNames, JetGetAttachInfo…
    case logList        // DsBackupGetBackupLogs, CertSrvBackupGetBackupLogs, JetGetLogInfo…
    case openFile
    case read
    case closeFile
    case truncate
    case endBackup      // JetEndExternalBackup…: the backup ends, the instance lives on
    case endSession     // DsBackupEnd, DsRestoreEnd, CertSrv…End, JetTerm: the handle is dead after it
    case other

    public static func of(_ function: String) -> CallKind {
        func has(_ s: String) -> Bool { function.contains(s) }
        if has("Free") { return .other }
        if has("BackupPrepare") || has("BeginExternalBackup") { return .begin }
        if has("GetDatabaseNames") || has("GetAttachInfo") { return .databaseList }
        if has("GetBackupLogs") || has("GetLogInfo") || has("GetTruncateLogInfo") { return .logList }
        if has("OpenFile") { return .openFile }
        if function.hasSuffix("BackupRead") || has("ReadFile") { return .read }
        if function.hasSuffix("BackupClose") || has("CloseFile") { return .closeFile }
        if has("TruncateLog") { return .truncate }
        if has("EndExternalBackup") { return .endBackup }
        if function.hasPrefix("JetTerm") || function.hasSuffix("BackupEnd") || function.hasSuffix("RestoreEnd") { return .endSession }
        return .other
    }

    /// The session a function without a handle argument concerns: ESENT's legacy instance.
    public static func usesLegacyInstance(_ function: String) -> Bool {
        function.hasPrefix("Jet") && !function.contains("Instance") && of(function) != .other
    }
}
