import Testing
@testable import BackupEngine

@Suite("faults: the spec language, persistence, --once")
struct FaultTests {
    static let ntds = WindowsPath("C:\\Windows\\NTDS\\ntds.dit")!

    /// Specs that parse, and the canonical form each is written back in.
    static let specs: [(String, Fault)] = [
        ("read-error --file C:\\Windows\\NTDS\\ntds.dit --offset 16384", Fault(.readError(file: ntds, offset: 16384))),
        ("read-error --file C:\\Windows\\NTDS\\ntds.dit --offset 16K --once", Fault(.readError(file: ntds, offset: 16384), once: true)),
        ("bad-checksum --file C:\\Windows\\NTDS\\ntds.dit --page 7", Fault(.badChecksum(file: ntds, page: 7))),
        ("wrong-page --file C:\\Windows\\NTDS\\ntds.dit --page 7 --once", Fault(.wrongPage(file: ntds, page: 7), once: true)),
        ("corrupt-log --generation 5", Fault(.corruptLog(generation: 5))),
        ("missing-log --once --generation 5", Fault(.missingLog(generation: 5), once: true)),
        ("stop --after-reads 3", Fault(.stop(afterReads: 3))),
        ("stop", Fault(.stop(afterReads: 0))),
        ("slow-read --latency 50ms", Fault(.slowRead(milliseconds: 50, afterReads: 0))),
        ("slow-read --latency 2s --after-reads 1", Fault(.slowRead(milliseconds: 2000, afterReads: 1))),
        ("short-read --max-bytes 1000", Fault(.shortRead(maxBytes: 1000, afterReads: 0))),
        ("disk-full", Fault(.diskFull(afterBytes: 0))),
        ("disk-full --after-bytes 1M --once", Fault(.diskFull(afterBytes: 1 << 20), once: true)),
        ("permission-denied", Fault(.permissionDenied)),
        ("deny-user 'CORP\\bob'", Fault(.denyUser(account: "CORP\\bob"))),
        ("deny-user \"CORP\\bob\" --once", Fault(.denyUser(account: "CORP\\bob"), once: true)),
    ]

    static func drivePath(_ text: String) throws(BackupError) -> WindowsPath {
        guard let p = WindowsPath(text) else { throw .invalidPath(text) }
        return p
    }

    @Test("each kind parses, and its written form parses back to the same fault", arguments: specs)
    func parses(_ spec: String, _ expected: Fault) throws {
        let fault = try Fault.parse(spec, resolve: Self.drivePath)
        #expect(fault == expected)
        #expect(try Fault.parse(fault.description, resolve: Self.drivePath) == fault)
    }

    @Test("a bad spec is invalidParameter", arguments: [
        "", "bogus", "read-error", "read-error --file", "read-error --file D:\\x --offset lots",
        "bad-checksum --file C:\\a", "bad-checksum --file C:\\a --page 0", "corrupt-log", "corrupt-log --generation -1",
        "slow-read", "slow-read --latency 2h", "short-read --max-bytes 0", "disk-full --after-bytes x",
        "permission-denied --once --once", "deny-user", "stop --after-reads 3 extra", "stop --file C:\\a",
        "deny-user 'CORP\\bob",
    ])
    func refuses(_ spec: String) {
        #expect { try Fault.parse(spec, resolve: Self.drivePath) } throws: { error in
            if case .invalidParameter = error as? BackupError { true } else { false }
        }
    }

    @Test("--file takes the three spellings of a path of the server, and nothing outside it")
    func fileSpellings() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        let local = server.directory + "/C/Windows/NTDS/ntds.dit"
        for spelling in ["C:\\Windows\\NTDS\\ntds.dit", "\\\\DC01\\C$\\WINDOWS\\ntds\\ntds.dit", local] {
            #expect(try server.injectFault(["read-error", "--file", spelling]) == Fault(.readError(file: Self.ntds, offset: 0)))
        }
        for outside in ["/etc/passwd", "\\\\DC02\\C$\\Windows\\NTDS\\ntds.dit", "C:\\..\\x"] {
            #expect(throws: BackupError.self) { try server.injectFault(["read-error", "--file", outside]) }
        }
        #expect(try server.faults().count == 3)
    }

    @Test("faults are kept in server.conf as 'fault = SPEC'; clearing them restores the file byte for byte")
    func persistence() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        let before = try FileSystem.readFile(server.settingsPath)
        for (spec, _) in Self.specs { try server.injectFault(try OptionParsing.words(spec, singleQuotes: true)) }
        let text = String(decoding: try FileSystem.readFile(server.settingsPath), as: UTF8.self)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("fault = ") }.count == Self.specs.count)
        #expect(try server.faults() == Self.specs.map(\.1))
        #expect(try server.clearFaults() == Self.specs.count)
        #expect(try FileSystem.readFile(server.settingsPath) == before)
        #expect(throws: BackupError.self) { try ServerSettings.parse(text + "fault = bogus\n", path: "x") }
    }

    @Test("a --once fault fires for one caller only; one that is not --once every time")
    func once() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        let once = try server.injectFault(["stop", "--once"])
        let always = try server.injectFault(["slow-read", "--latency", "1ms"])
        #expect(server.fires(once))
        #expect(!server.fires(once))
        #expect(server.fires(always) && server.fires(always))
        #expect(try server.faults() == [always])
    }

    @Test("bad-checksum: the backup read fails with readVerifyFailure after the re-reads; the file on disk is untouched")
    func badChecksum() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        let before = try FileSystem.readFile(server.directory + "/C/Windows/NTDS/ntds.dit")
        try server.injectFault(["bad-checksum", "--file", "C:\\Windows\\NTDS\\ntds.dit", "--page", "7", "--once"])
        let session = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        _ = try session.open(Self.ntds)
        #expect(throws: BackupError.readVerifyFailure(file: server.unc(Self.ntds), pgno: 7)) { _ = try readAll(session) }
        #expect(try server.faults().isEmpty)
        _ = try session.open(Self.ntds)
        #expect(try readAll(session).count == Int(session.openFileInfo!.size))
        try session.close()
        _ = try session.end(normal: false)
        #expect(try FileSystem.readFile(server.directory + "/C/Windows/NTDS/ntds.dit") == before)
    }

    @Test("stop: the read after --after-reads reads is backupAbortByServer, and so is every call after it")
    func stop() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        try server.injectFault(["stop", "--after-reads", "2"])
        let session = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        _ = try session.open(Self.ntds)
        var buffer = [UInt8](repeating: 0, count: 8192)
        for _ in 0..<2 { #expect(try buffer.withUnsafeMutableBytes { try session.read(into: $0) } == 8192) }
        #expect(throws: BackupError.backupAbortByServer) { try buffer.withUnsafeMutableBytes { try session.read(into: $0) } }
        #expect(throws: BackupError.backupAbortByServer) { try session.logNames() }
        _ = try session.end(normal: true)
    }

    @Test("short-read: at most --max-bytes per call, in whole units of the caller's granularity")
    func shortRead() throws {
        let root = TemporaryRoot()
        let server = try root.server("DC01")
        try server.injectFault(["short-read", "--max-bytes", "10000", "--after-reads", "1"])
        let session = try BackupSession.begin(server: server, settings: try server.settings(), grbit: 0)
        _ = try session.open(Self.ntds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        #expect(try buffer.withUnsafeMutableBytes { try session.read(into: $0) } == 65536)
        #expect(try buffer.withUnsafeMutableBytes { try session.read(into: $0) } == 10000)
        #expect(try buffer.withUnsafeMutableBytes { try session.read(into: $0, granularity: 8192) } == 8192)
        _ = try session.end(normal: false)
    }
}
