import Glibc
@testable import BackupEngine

/// A fresh root under /tmp for one test, removed when the test ends.
final class TemporaryRoot {
    let path: String
    let registry: ServerRegistry

    init(_ label: String = #function) {
        var template = Array("/tmp/wb-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        registry = ServerRegistry(root: path)
    }

    deinit { try? FileSystem.removeTree(path) }

    /// A small server: 1 MiB database, 64 KiB logs.
    func server(_ name: String = "DC01", role: ServerRole = .ntds, logs: Int = 2, circular: Bool = false,
                dbSize: Int64 = 1 << 20) throws -> Server {
        var options = ServerOptions(role: role)
        options.databaseSize = dbSize
        options.logFileSize = 64 * 1024
        options.logGenerations = logs
        options.circularLogging = circular
        return try registry.create(name, options)
    }
}

/// Reads a whole backup stream with `size`-byte reads.
func readAll(_ session: BackupSession, chunk: Int = 65536) throws -> [UInt8] {
    var out = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try session.read(into: $0) }
        if n == 0 { return out }
        out += buffer[0..<n]
    }
}
