import Glibc
import Testing
@testable import BackupEngine

@Suite("servers: names, paths, settings")
struct ServerTests {
    @Test("names: a leading \\\\ is optional; '_', separators, '..' and odd characters are refused")
    func names() throws {
        #expect(try ServerName.validate("\\\\DC01") == "DC01")
        #expect(try ServerName.validate("dc-01.contoso.com") == "dc-01.contoso.com")
        for bad in ["", "\\\\", "DC_01", "DC/01", "DC\\01", "..", "a..b", "DC 01", "DC\u{0}1", "-DC", String(repeating: "A", count: 64)] {
            #expect(throws: BackupError.invalidServerName(bad)) { try ServerName.validate(bad) }
        }
    }

    @Test("servers are found case-insensitively; an unknown one is serverNotFound")
    func find() throws {
        let root = TemporaryRoot()
        _ = try root.server("DC01")
        #expect(try root.registry.find("\\\\dc01").name == "DC01")
        #expect(throws: BackupError.serverNotFound("DC02")) { try root.registry.find("DC02") }
        #expect(throws: BackupError.serverExists("dc01")) { try root.server("dc01") }
    }

    @Test("a path resolves the same in its three spellings, case-insensitively")
    func spellings() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        let expected = WindowsPath("C:\\Windows\\NTDS\\ntds.dit")!
        let local = server.localPath(expected)
        for spelling in ["\\\\DC01\\C$\\Windows\\NTDS\\ntds.dit", "\\\\dc01\\c$\\windows\\ntds\\NTDS.DIT",
                         "C:\\Windows\\NTDS\\ntds.dit", "c:/windows/ntds/ntds.dit", local] {
            let resolved = try server.resolve(spelling)
            #expect(server.localPath(resolved) == local, "\(spelling)")
        }
    }

    @Test("paths out of the server are refused: another server, '..', relative, a symbolic link out")
    func escapes() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        #expect(throws: BackupError.accessDenied("\\\\DC02\\C$\\x is not a path of server DC01")) { try server.resolve("\\\\DC02\\C$\\x") }
        #expect(throws: BackupError.invalidParameter("'..' or a bad character in \\\\DC01\\C$\\..\\..\\etc")) {
            try server.resolve("\\\\DC01\\C$\\..\\..\\etc")
        }
        #expect(throws: BackupError.self) { try server.resolve("ntds.dit") }
        #expect(throws: BackupError.self) { try server.resolve("/etc/passwd") }
        symlink("/etc", server.directory + "/C/outside")
        #expect(throws: BackupError.self) { try server.resolve("C:\\outside\\passwd") }
    }

    @Test("settings survive a round trip; a damaged file is an error that names the line")
    func settings() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        let s = try server.settings()
        #expect(try ServerSettings.parse(s.serialized(), path: "x") == s)
        let broken = s.serialized().replacingFirst("page-size = 8192", with: "page-size = 12345")
        #expect(throws: BackupError.settingsCorrupt(path: "x", reason: "'page-size' must be 4, 8, 16 or 32 KiB")) {
            try ServerSettings.parse(broken, path: "x")
        }
        #expect(throws: BackupError.settingsCorrupt(path: "x", reason: "line 1: unknown setting 'bogus'")) {
            try ServerSettings.parse("bogus = 1\n", path: "x")
        }
        #expect(throws: BackupError.self) { try ServerSettings.parse("\u{0}\u{1}garbage", path: "x") }
    }

    @Test("identities: the local user by default; DOMAIN\\user with a crypt(3) password when allowed")
    func identities() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        #expect(throws: Never.self) { try server.connect(role: .ntds) }
        Credentials.set(.init(user: "backup", domain: "CONTOSO", password: "Passw0rd!"))
        defer { Credentials.set(nil) }
        #expect(throws: BackupError.self) { try server.connect(role: .ntds) }
        let identity = try Identity.make(account: "CONTOSO\\backup", password: "Passw0rd!")
        try server.updateSettings { $0.allow(identity) }
        #expect(throws: Never.self) { try server.connect(role: .ntds) }
        Credentials.set(.init(user: "backup", domain: "CONTOSO", password: "wrong"))
        #expect(throws: BackupError.self) { try server.connect(role: .ntds) }
    }

    @Test("a server of another role does not connect as a DC")
    func roles() throws {
        let root = TemporaryRoot()
        let server = try root.server("CA01", role: .certsrv)
        #expect(throws: BackupError.wrongRole(server: "CA01", role: "ntds")) { try server.connect(role: .ntds) }
        #expect(try server.settings().databases[0].lastComponent == "CA01-CA.edb")
    }

    @Test("options parse as winbackupctl takes them")
    func options() throws {
        let o = try ServerOptions.parse(OptionParsing.words("--role ese --db-size 64M --logs 5 --log-size 256K --circular-logging on --ca-name \"My CA\""))
        #expect(o.role == .ese && o.databaseSize == 64 << 20 && o.logGenerations == 5 && o.logFileSize == 256 << 10)
        #expect(o.circularLogging == true && o.caName == "My CA")
        #expect(throws: BackupError.self) { try ServerOptions.parse(["--db-size", "1G"]) }
        #expect(throws: BackupError.self) { try ServerOptions.parse(["--role", "ntds", "--bogus"]) }
    }
}

extension String {
    func replacingFirst(_ a: String, with b: String) -> String {
        let parts = split(separator: Substring(a), maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? parts[0] + b + parts[1] : self
    }
}
