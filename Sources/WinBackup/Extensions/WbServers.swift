import BackupEngine

// Server management for C and Python tests: what `winbackupctl server ...` does, as exports.
// UTF-8 strings; HRESULTs as Ntdsbcli returns them.

/// WbCreateServerA (WINBACKUP.@)
/// Creates an emulated server; szOptions are winbackupctl's: "--role ntds --db-size 16M ...".
@c(WbCreateServerA)
public func WbCreateServerA(_ szServerName: UnsafePointer<CChar>?, _ szOptions: UnsafePointer<CChar>?) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName), .narrow("szOptions", szOptions)]) { () throws(BackupError) in
        let name = try CString.narrow(szServerName, "szServerName")
        let options = try ServerOptions.parse(OptionParsing.words(CString.optionalNarrow(szOptions, "szOptions") ?? ""))
        try registry.create(name, options)
    }
}

/// WbDeleteServerA (WINBACKUP.@)
@c(WbDeleteServerA)
public func WbDeleteServerA(_ szServerName: UnsafePointer<CChar>?) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName)]) { () throws(BackupError) in
        try registry.delete(CString.narrow(szServerName, "szServerName"))
    }
}

/// WbStartServerA (WINBACKUP.@)
/// Starts the server's engine (recovery, then online); a no-op if it runs.
@c(WbStartServerA)
public func WbStartServerA(_ szServerName: UnsafePointer<CChar>?) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName)]) { () throws(BackupError) in
        try registry.find(CString.narrow(szServerName, "szServerName")).start()
    }
}

/// WbStopServerA (WINBACKUP.@)
/// Stops the server: running backups get JET_errBackupAbortByServer, the server goes offline.
@c(WbStopServerA)
public func WbStopServerA(_ szServerName: UnsafePointer<CChar>?) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName)]) { () throws(BackupError) in
        try registry.find(CString.narrow(szServerName, "szServerName")).stop()
    }
}

/// WbWriteServerA (WINBACKUP.@)
/// Runs cTransactions transactions of simulated activity on an online server.
@c(WbWriteServerA)
public func WbWriteServerA(_ szServerName: UnsafePointer<CChar>?, _ cTransactions: UInt32) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName), .integer("cTransactions", Int64(cTransactions))]) { () throws(BackupError) in
        let server = try registry.find(CString.narrow(szServerName, "szServerName"))
        _ = try ActivityWriter(store: Store(server: server)).run(transactions: Int(cTransactions))
    }
}

/// WbAllowIdentityA (WINBACKUP.@)
/// Lets an account back up and restore the server: "DOMAIN\user" with a password (checked
/// against DsSetAuthIdentity's), or a local user name with a NULL password (the process's own).
@c(WbAllowIdentityA)
public func WbAllowIdentityA(_ szServerName: UnsafePointer<CChar>?, _ szAccount: UnsafePointer<CChar>?,
                             _ szPassword: UnsafePointer<CChar>?) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName), .narrow("szAccount", szAccount), .secret("szPassword", szPassword)]) { () throws(BackupError) in
        try allowIdentity(szServerName, szAccount, szPassword, administrator: true)
    }
}

/// WbAllowIdentityA and WbAllowBackupOperatorA.
func allowIdentity(_ szServerName: UnsafePointer<CChar>?, _ szAccount: UnsafePointer<CChar>?,
                   _ szPassword: UnsafePointer<CChar>?, administrator: Bool) throws(BackupError) {
    let server = try registry.find(CString.narrow(szServerName, "szServerName"))
    let identity = try Identity.make(account: CString.narrow(szAccount, "szAccount"),
                                     password: CString.optionalNarrow(szPassword, "szPassword"), administrator: administrator)
    try server.updateSettings { $0.allow(identity) }
}
