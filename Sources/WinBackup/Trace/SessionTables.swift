import BackupEngine

/// The handle tables of sessions, for strict mode: which handles are live, which were ended.
enum SessionTables {
    struct Name {
        let opener: String  // the call that makes such a handle
        let end: String     // the call that ends it
    }

    static func wasRemoved(_ h: UInt) -> Bool {
        [dsBackups.wasRemoved(h), dsRestores.wasRemoved(h), certSrvBackups.wasRemoved(h), certSrvRestores.wasRemoved(h),
         jetInstances.wasRemoved(h)].contains(true)
    }

    static func isLive(_ h: UInt) -> Bool {
        dsBackups.lookup(h) != nil || dsRestores.lookup(h) != nil || certSrvBackups.lookup(h) != nil
            || certSrvRestores.lookup(h) != nil || jetInstances.lookup(h) != nil
    }

    /// Every live session handle, with the calls that make and end it.
    static func live() -> [(UInt, Name)] {
        dsBackups.handles.map { ($0, Name(opener: "DsBackupPrepare", end: "DsBackupEnd")) }
            + dsRestores.handles.map { ($0, Name(opener: "DsRestorePrepare", end: "DsRestoreEnd")) }
            + certSrvBackups.handles.map { ($0, Name(opener: "CertSrvBackupPrepareW", end: "CertSrvBackupEnd")) }
            + certSrvRestores.handles.map { ($0, Name(opener: "CertSrvRestorePrepareW", end: "CertSrvRestoreEnd")) }
            + jetInstances.handles.map { ($0, Name(opener: "JetInit", end: "JetTerm")) }
    }
}
