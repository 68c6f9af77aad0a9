import BackupEngine

// What tests of Certadm need and no Windows API gives: an account that is not an administrator
// (for CertSrvRestoreRegisterW's rule) and the read-buffer size the first OpenFile fixed.

/// WbAllowBackupOperatorA (WINBACKUP.@)
/// Like WbAllowIdentityA, but the account is a backup operator, not an administrator: it may back
/// up and restore, but CertSrvRestoreRegisterW refuses it (CertSrvRestoreRegisterThroughFile not).
@c(WbAllowBackupOperatorA)
public func WbAllowBackupOperatorA(_ szServerName: UnsafePointer<CChar>?, _ szAccount: UnsafePointer<CChar>?,
                                   _ szPassword: UnsafePointer<CChar>?) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName), .narrow("szAccount", szAccount), .secret("szPassword", szPassword)]) { () throws(BackupError) in
        try allowIdentity(szServerName, szAccount, szPassword, administrator: false)
    }
}

/// WbCertSrvGetReadBufferSize (WINBACKUP.@)
/// The read-buffer size of a CertSrv backup context, fixed by the cbReadHintSize of its first
/// CertSrvBackupOpenFileW; 0 before that. Certadm's HRESULTs (E_HANDLE, E_POINTER).
@c(WbCertSrvGetReadBufferSize)
public func WbCertSrvGetReadBufferSize(_ hbc: UnsafeMutableRawPointer?, _ pcbSize: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    certadm([.handle("hbc", UInt(handle: hbc)), .output("pcbSize", pcbSize, .size32)]) { () throws(BackupError) in
        let c = try CertSrvBackup.context(hbc)
        guard let pcbSize else { throw .nullArgument("pcbSize") }
        pcbSize.pointee = c.readBufferSize ?? 0
    }
}
