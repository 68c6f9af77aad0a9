/// What the certsrv role adds to a server: the files a CA publishes (its certificate and its
/// CRL, under CertEnroll), which a backup lists but does not stream
/// (CertSrvBackupGetDynamicFileList), and the paused state of a running CA (CSCONTROL_SUSPEND).
extension Server {
    /// Where a CA publishes its certificate and CRLs.
    public static let certEnrollPath = WindowsPath("C:\\Windows\\System32\\CertSrv\\CertEnroll")!

    /// The CA's published files, sorted by name; none for other roles.
    public func dynamicFiles(_ settings: ServerSettings) throws(BackupError) -> [WindowsPath] {
        guard settings.role == .certsrv else { return [] }
        let directory = localPath(Self.certEnrollPath)
        guard FileSystem.isDirectory(directory) else { return [] }
        return try FileSystem.list(directory).sorted()
            .filter { FileSystem.isRegularFile(directory + "/" + $0) }
            .map { Self.certEnrollPath.appending($0) }
    }

    /// Publishes the CA certificate (once) and a new CRL with the next CRL number, as a CA does
    /// on its schedule. The contents are ours (text, not DER); what matters is that they change
    /// and that a restore brings back the ones of the backup.
    public func publishCertificateAuthorityFiles(_ settings: ServerSettings, now: Int64 = unixTime()) throws(BackupError) {
        guard settings.role == .certsrv, let ca = settings.caName else { return }
        let directory = localPath(Self.certEnrollPath)
        try FileSystem.makeDirectories(directory)
        let certificate = directory + "/\(settings.name)_\(ca).crt"
        if !FileSystem.exists(certificate) {
            let text = "winbackup emulated CA certificate\nsubject: CN=\(ca)\nserver: \(settings.name)\nkey-id: \(hexString(settings.id))\n"
            try FileSystem.writeAtomically(certificate, Array(text.utf8))
        }
        let crl = directory + "/\(ca).crl"
        var number = 0
        if let old = try? FileSystem.readFile(crl) {
            for line in String(decoding: old, as: UTF8.self).split(separator: "\n") where line.hasPrefix("crl-number: ") {
                number = Int(line.dropFirst("crl-number: ".count)) ?? 0
            }
        }
        let text = "winbackup emulated CRL\nissuer: CN=\(ca)\ncrl-number: \(number + 1)\nthis-update: \(formatUTC(now))\nnonce: \(hexString(randomBytes(16)))\n"
        try FileSystem.writeAtomically(crl, Array(text.utf8))
    }

    /// Pauses a running CA (CSCONTROL_SUSPEND): it stops serving requests, so
    /// CertSrvIsServerOnline says FALSE and simulated activity is refused, but its database
    /// engine runs on and backups work. `start` resumes it.
    public func pause() throws(BackupError) {
        try updateSettings { (s) throws(BackupError) in
            guard s.role == .certsrv else { throw .invalidParameter("only a certification authority can be paused") }
            guard s.state != .offline else { throw .serverOffline(name) }
            s.state = .paused
        }
    }
}
