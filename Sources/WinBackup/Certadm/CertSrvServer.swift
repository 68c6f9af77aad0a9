import BackupEngine

// The calls of Certadm.dll that name a CA rather than a context: CertSrvIsServerOnline and
// CertSrvServerControl, plus the lookup every named call shares.

enum CertSrvServer {
    static let controlShutdown: UInt32 = 1  // CSCONTROL_SHUTDOWN
    static let controlSuspend: UInt32 = 2   // CSCONTROL_SUSPEND
    static let controlRestart: UInt32 = 3   // CSCONTROL_RESTART

    /// The CA a name means: "CA01", "\\CA01", or a config string "CA01\CA name" (the CA name
    /// must then be this server's). Checks the caller's identity and the role, not the state.
    static func find(_ raw: String) throws(BackupError) -> (Server, ServerSettings) {
        var host = Substring(raw), caName: Substring?
        if host.hasPrefix("\\\\") { host = host.dropFirst(2) }
        if let slash = host.firstIndex(of: "\\") {
            caName = host[host.index(after: slash)...]
            host = host[..<slash]
            guard !caName!.isEmpty else { throw .invalidServerName(raw) }
        }
        let server = try registry.find(String(host))
        let settings = try server.connect(role: .certsrv)
        if let caName, caName.lowercased() != (settings.caName ?? "").lowercased() {
            throw .serverNotFound("\(server.name)\\\(caName)")
        }
        return (server, settings)
    }

    /// A CA that must be running (online or paused): what RPC to it needs.
    static func connect(_ raw: String) throws(BackupError) -> (Server, ServerSettings) {
        let (server, settings) = try find(raw)
        guard settings.state != .offline else { throw .serverOffline(server.name) }
        return (server, settings)
    }
}

/// CertSrvIsServerOnlineW (CERTADM.@)
/// TRUE while the CA runs and serves, FALSE while it is paused; fails (0x800706BA) when stopped.
@c(CertSrvIsServerOnlineW)
public func CertSrvIsServerOnlineW(_ pwszServerName: UnsafePointer<UInt16>?, _ pfServerOnline: UnsafeMutablePointer<Int32>?) -> HRESULT {
    certadm([.wide("pwszServerName", pwszServerName), .output("pfServerOnline", pfServerOnline, .integer32)]) { () throws(BackupError) in
        let name = try CString.wide(pwszServerName, "pwszServerName")
        guard let pfServerOnline else { throw .nullArgument("pfServerOnline") }
        let (_, settings) = try CertSrvServer.connect(name)
        pfServerOnline.pointee = settings.state == .online ? 1 : 0
    }
}

/// CertSrvServerControlW (CERTADM.@)
/// SHUTDOWN stops the CA, SUSPEND pauses it, RESTART stops and starts it (with recovery). No
/// output is produced: *pcbOut = 0 and *ppbOut = NULL when given.
@c(CertSrvServerControlW)
public func CertSrvServerControlW(_ pwszServerName: UnsafePointer<UInt16>?, _ dwControlFlags: UInt32,
                                  _ pcbOut: UnsafeMutablePointer<UInt32>?, _ ppbOut: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> HRESULT {
    certadm([
        .wide("pwszServerName", pwszServerName), .flags("dwControlFlags", dwControlFlags),
        .output("pcbOut", pcbOut, .size32), .output("ppbOut", ppbOut, .pointer)
    ]) { () throws(BackupError) in
        let name = try CString.wide(pwszServerName, "pwszServerName")
        guard (CertSrvServer.controlShutdown...CertSrvServer.controlRestart).contains(dwControlFlags) else {
            throw .invalidParameter("dwControlFlags must be CSCONTROL_SHUTDOWN, CSCONTROL_SUSPEND or CSCONTROL_RESTART")
        }
        let (server, _) = try CertSrvServer.connect(name)
        switch dwControlFlags {
        case CertSrvServer.controlShutdown:
            try server.stop()
        case CertSrvServer.controlSuspend:
            try server.pause()
        default:
            try server.stop()
            try server.start()
        }
        pcbOut?.pointee = 0
        ppbOut?.pointee = nil
    }
}
