import BackupEngine

// The Ntdsbcli calls about a server rather than a session.

enum DsServer {
    static func isOnline(_ server: String?, _ pfNTDSOnline: UnsafeMutablePointer<Int32>?) throws(BackupError) {
        guard let server, let pfNTDSOnline else { throw .invalidParameter("NULL argument") }
        let found: Server
        do throws(BackupError) {
            found = try registry.find(server)
        } catch .invalidServerName {
            throw .serverNotFound(server)  // a malformed name cannot connect: hrCouldNotConnect
        }
        let settings = try found.connect(role: .ntds)
        pfNTDSOnline.pointee = settings.state == .online ? 1 : 0
    }

    static func setCurrentBackupLog(_ server: String?, _ log: UInt32) throws(BackupError) {
        guard let server else { throw .invalidParameter("szServerName is NULL") }
        let found = try registry.find(server)
        _ = try found.connect(role: .ntds)
        try found.updateSettings { $0.lastBackupLog = log }
    }

    static func setAuthIdentity(_ user: String?, _ domain: String?, _ password: String?) {
        Credentials.set(user.map { Credentials.Explicit(user: $0, domain: domain, password: password ?? "") })
    }
}

/// DsIsNTDSOnlineA (NTDSBCLI.@)
@c(DsIsNTDSOnlineA)
public func DsIsNTDSOnlineA(_ szServerName: UnsafePointer<CChar>?, _ pfNTDSOnline: UnsafeMutablePointer<Int32>?) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName), .output("pfNTDSOnline", pfNTDSOnline, .integer32)]) { () throws(BackupError) in
        try DsServer.isOnline(CString.optionalNarrow(szServerName, "szServerName"), pfNTDSOnline)
    }
}

/// DsIsNTDSOnlineW (NTDSBCLI.@)
@c(DsIsNTDSOnlineW)
public func DsIsNTDSOnlineW(_ szServerName: UnsafePointer<UInt16>?, _ pfNTDSOnline: UnsafeMutablePointer<Int32>?) -> HRESULT {
    ntdsbcli([.wide("szServerName", szServerName), .output("pfNTDSOnline", pfNTDSOnline, .integer32)]) { () throws(BackupError) in
        try DsServer.isOnline(CString.optionalWide(szServerName, "szServerName"), pfNTDSOnline)
    }
}

/// DsSetCurrentBackupLogA (NTDSBCLI.@)
@c(DsSetCurrentBackupLogA)
public func DsSetCurrentBackupLogA(_ szServerName: UnsafePointer<CChar>?, _ dwCurrentLog: UInt32) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName), .integer("dwCurrentLog", Int64(dwCurrentLog))]) { () throws(BackupError) in
        try DsServer.setCurrentBackupLog(CString.optionalNarrow(szServerName, "szServerName"), dwCurrentLog)
    }
}

/// DsSetCurrentBackupLogW (NTDSBCLI.@)
@c(DsSetCurrentBackupLogW)
public func DsSetCurrentBackupLogW(_ szServerName: UnsafePointer<UInt16>?, _ dwCurrentLog: UInt32) -> HRESULT {
    ntdsbcli([.wide("szServerName", szServerName), .integer("dwCurrentLog", Int64(dwCurrentLog))]) { () throws(BackupError) in
        try DsServer.setCurrentBackupLog(CString.optionalWide(szServerName, "szServerName"), dwCurrentLog)
    }
}

/// DsSetAuthIdentityA (NTDSBCLI.@)
@c(DsSetAuthIdentityA)
public func DsSetAuthIdentityA(_ szUserName: UnsafePointer<CChar>?, _ szDomainName: UnsafePointer<CChar>?,
                               _ szPassword: UnsafePointer<CChar>?) -> HRESULT {
    ntdsbcli([.narrow("szUserName", szUserName), .narrow("szDomainName", szDomainName), .secret("szPassword", szPassword)]) { () throws(BackupError) in
        DsServer.setAuthIdentity(try CString.optionalNarrow(szUserName, "szUserName"),
                                 try CString.optionalNarrow(szDomainName, "szDomainName"),
                                 try CString.optionalNarrow(szPassword, "szPassword"))
    }
}

/// DsSetAuthIdentityW (NTDSBCLI.@)
@c(DsSetAuthIdentityW)
public func DsSetAuthIdentityW(_ szUserName: UnsafePointer<UInt16>?, _ szDomainName: UnsafePointer<UInt16>?,
                               _ szPassword: UnsafePointer<UInt16>?) -> HRESULT {
    ntdsbcli([.wide("szUserName", szUserName), .wide("szDomainName", szDomainName), .secret("szPassword", szPassword)]) { () throws(BackupError) in
        DsServer.setAuthIdentity(try CString.optionalWide(szUserName, "szUserName"),
                                 try CString.optionalWide(szDomainName, "szDomainName"),
                                 try CString.optionalWide(szPassword, "szPassword"))
    }
}
