import BackupEngine
import CWinBackup

// What the Jet* exports share: the process's instances and their mode, strings of either
// width, the szz lists with ESE's size reporting, and the one place errors become JET_ERRs.

public typealias JET_ERR = Int32

/// Runs the body of a Jet export through the call seam: a BackupError becomes its JET_ERR (ESE's own values).
@inline(__always)
func jet(_ arguments: @autoclosure () -> [TraceArgument], function: StaticString = #function,
         _ body: () throws(BackupError) -> Void) -> JET_ERR {
    CallSeam.run(function, arguments, CallResult.jet) {
        do throws(BackupError) {
            try body()
            return 0
        } catch {
            return error.jetErr
        }
    }
}

/// The process's ESE instances (JET_INSTANCE values). Tag 'J'.
let jetInstances = HandleTable<EngineInstance>(kind: 0x4A)

/// Legacy single-instance mode (JetInit without an instance, then the functions without
/// "Instance") and multi-instance mode (JetCreateInstance) exclude each other, as in ESE.
enum JetMode {
    enum Mode { case none, single(UInt), multiple }

    private static let state = Lock<(mode: Mode, defaults: EngineInstance.Parameters)>(initial())

    /// Built out of line: with the value written inline, swiftc 6.3 -O folds a wrong initial value
    /// into this global (mode .single(0), an empty base name), so every process started in legacy mode.
    @inline(never)
    private static func initial() -> (mode: Mode, defaults: EngineInstance.Parameters) { (.none, EngineInstance.Parameters()) }

    static var defaults: EngineInstance.Parameters { state.withLock { $0.defaults } }

    static func setDefaults(_ change: (inout EngineInstance.Parameters) throws(BackupError) -> Void) throws(BackupError) {
        try state.withLock { (s) throws(BackupError) in
            if case .single = s.mode { throw .alreadyInitialized }
            try change(&s.defaults)
        }
    }

    /// JetCreateInstance: enters multi-instance mode; refused in legacy mode (-1080).
    static func enterMultiple() throws(BackupError) {
        try state.withLock { (s) throws(BackupError) in
            if case .single = s.mode { throw .runningInOneInstanceMode }
            s.mode = .multiple
        }
    }

    /// JetInit without an instance: creates and initializes the legacy instance.
    static func initializeLegacy() throws(BackupError) -> UInt {
        try state.withLock { (s) throws(BackupError) -> UInt in
            switch s.mode {
            case .multiple: throw .runningInMultiInstanceMode
            case .single: throw .alreadyInitialized
            case .none:
                let instance = EngineInstance(name: "", parameters: s.defaults)
                try instance.initialize()
                let handle = jetInstances.insert(instance)
                s.mode = .single(handle)
                return handle
            }
        }
    }

    /// The legacy instance, for the functions without "Instance".
    static func legacy() throws(BackupError) -> EngineInstance {
        let mode = state.withLock { $0.mode }
        switch mode {
        case .none: throw .notInitialized
        case .multiple: throw .runningInMultiInstanceMode
        case .single(let handle):
            guard let instance = jetInstances.lookup(handle) else { throw .notInitialized }
            return instance
        }
    }

    /// After JetTerm of `handle`: back to no mode once no instance is left.
    static func terminated(_ handle: UInt) {
        state.withLock { s in
            if case .single(let h) = s.mode, h == handle { s.mode = .none }
            if case .multiple = s.mode, jetInstances.count == 0 { s.mode = .none }
        }
    }

    static var isMultiple: Bool { state.withLock { if case .multiple = $0.mode { true } else { false } } }

    /// The legacy instance's handle, in legacy mode.
    static var legacyHandle: UInt? {
        state.withLock { if case .single(let h) = $0.mode { h } else { nil } }
    }
}

enum Jet {
    /// The instance a JET_INSTANCE names (JET_errInvalidParameter if none).
    static func instance(_ value: UInt) throws(BackupError) -> EngineInstance {
        guard let instance = jetInstances.lookup(value) else { throw .invalidParameter("not an instance") }
        return instance
    }

    /// The backup of a running instance.
    static func backup(_ value: UInt) throws(BackupError) -> BackupSession { try instance(value).backup() }

    /// A list as ESE's szz buffers carry it: NUL-terminated strings, then a NUL; A in UTF-8, W in
    /// UTF-16, sizes in bytes. Copies min(cbMax, size) bytes; returns the full size.
    static func copyList(_ names: [String], _ buffer: UnsafeMutableRawPointer?, _ cbMax: UInt32, _ encoding: Encoding) -> UInt32 {
        let bytes = MultiString.encode(names.map { MultiString.Entry(type: nil, text: $0) }, encoding)
        if let buffer {
            let n = min(Int(cbMax), bytes.count)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: n) }
        }
        return UInt32(bytes.count)
    }

    /// The local file of each name, as the lists give them.
    static func localNames(_ server: Server, _ paths: [WindowsPath]) -> [String] { paths.map { server.localPath($0) } }

    /// A string argument of an A (UTF-8) or W (UTF-16) function.
    static func text(_ p: UnsafeRawPointer?, _ encoding: Encoding, _ what: String) throws(BackupError) -> String {
        switch encoding {
        case .narrow: try CString.narrow(p?.assumingMemoryBound(to: CChar.self), what)
        case .wide: try CString.wide(p?.assumingMemoryBound(to: UInt16.self), what)
        }
    }

    static func optionalText(_ p: UnsafeRawPointer?, _ encoding: Encoding, _ what: String) throws(BackupError) -> String? {
        p == nil ? nil : try text(p, encoding, what)
    }

    /// Calls a JET_PFNSTATUS: snp JET_snpBackup (9) or JET_snpRestore (8); snt begin (5), progress
    /// (0, with a JET_SNPROG) or complete (6). Its result is not used.
    static func status(_ pfn: JET_PFNSTATUS?, _ snp: UInt32, _ snt: UInt32, done: Int = 0, total: Int = 0) {
        guard let pfn else { return }
        var progress = JET_SNPROG(cbStruct: UInt32(MemoryLayout<JET_SNPROG>.size), cunitDone: UInt32(done), cunitTotal: UInt32(total))
        _ = withUnsafeMutablePointer(to: &progress) { pfn(0, snp, snt, snt == 0 ? UnsafeMutableRawPointer($0) : nil) }
    }
}
