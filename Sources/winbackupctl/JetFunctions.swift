import BackupEngine

/// The ESENT functions of libwinbackup.so the agent uses for `ese` servers, looked up by their
/// documented names (the W forms) as a Windows agent does with GetProcAddress on esent.dll.
struct JetFunctions {
    typealias JetErr = Int32
    typealias Instance = UInt
    typealias WString = UnsafePointer<UInt16>?
    typealias Size = UnsafeMutablePointer<UInt32>?

    let createInstance: @convention(c) (UnsafeMutablePointer<Instance>?, WString) -> JetErr
    let initialize: @convention(c) (UnsafeMutablePointer<Instance>?) -> JetErr
    let term: @convention(c) (Instance, UInt32) -> JetErr
    let beginExternalBackup: @convention(c) (Instance, UInt32) -> JetErr
    let getAttachInfo: @convention(c) (Instance, UnsafeMutablePointer<UInt16>?, UInt32, Size) -> JetErr
    let openFile: @convention(c) (Instance, WString, UnsafeMutablePointer<UInt>?, Size, Size) -> JetErr
    let readFile: @convention(c) (Instance, UInt, UnsafeMutableRawPointer?, UInt32, Size) -> JetErr
    let closeFile: @convention(c) (Instance, UInt) -> JetErr
    let getLogInfo: @convention(c) (Instance, UnsafeMutablePointer<UInt16>?, UInt32, Size) -> JetErr
    let truncateLog: @convention(c) (Instance) -> JetErr
    let endExternalBackup: @convention(c) (Instance, UInt32) -> JetErr
    /// JetExternalRestoreW; the map is JET_RSTMAP_W[], two pointers per entry.
    let externalRestore: @convention(c) (WString, WString, UnsafeMutablePointer<UnsafePointer<UInt16>?>?, Int32, WString,
                                         Int32, Int32, UnsafeRawPointer?) -> JetErr

    static func load(_ symbol: (String) throws(CLIError) -> UnsafeMutableRawPointer) throws(CLIError) -> JetFunctions {
        func f<T>(_ name: String, _ type: T.Type) throws(CLIError) -> T { unsafeBitCast(try symbol(name), to: type) }
        return JetFunctions(
            createInstance: try f("JetCreateInstanceW", (@convention(c) (UnsafeMutablePointer<Instance>?, WString) -> JetErr).self),
            initialize: try f("JetInit", (@convention(c) (UnsafeMutablePointer<Instance>?) -> JetErr).self),
            term: try f("JetTerm2", (@convention(c) (Instance, UInt32) -> JetErr).self),
            beginExternalBackup: try f("JetBeginExternalBackupInstance", (@convention(c) (Instance, UInt32) -> JetErr).self),
            getAttachInfo: try f("JetGetAttachInfoInstanceW", (@convention(c) (Instance, UnsafeMutablePointer<UInt16>?, UInt32, Size) -> JetErr).self),
            openFile: try f("JetOpenFileInstanceW", (@convention(c) (Instance, WString, UnsafeMutablePointer<UInt>?, Size, Size) -> JetErr).self),
            readFile: try f("JetReadFileInstance", (@convention(c) (Instance, UInt, UnsafeMutableRawPointer?, UInt32, Size) -> JetErr).self),
            closeFile: try f("JetCloseFileInstance", (@convention(c) (Instance, UInt) -> JetErr).self),
            getLogInfo: try f("JetGetLogInfoInstanceW", (@convention(c) (Instance, UnsafeMutablePointer<UInt16>?, UInt32, Size) -> JetErr).self),
            truncateLog: try f("JetTruncateLogInstance", (@convention(c) (Instance) -> JetErr).self),
            endExternalBackup: try f("JetEndExternalBackupInstance2", (@convention(c) (Instance, UInt32) -> JetErr).self),
            externalRestore: try f("JetExternalRestoreW", (@convention(c) (WString, WString, UnsafeMutablePointer<UnsafePointer<UInt16>?>?, Int32, WString, Int32, Int32, UnsafeRawPointer?) -> JetErr).self))
    }

    /// A JET_ERR as the agent reports it: "JET_errNoBackup (-520)".
    static func describe(_ err: JetErr) -> String { "\(JetErrorNames.name(err)) (\(err))" }

    /// A list call (GetAttachInfo, GetLogInfo): asked for its size, then filled; the entries.
    static func list(_ call: (UnsafeMutablePointer<UInt16>?, UInt32, Size) -> JetErr, _ name: String) throws(CLIError) -> [String] {
        var size: UInt32 = 0
        var err = call(nil, 0, &size)
        guard err == 0 else { throw CLIError("\(name) failed: \(describe(err))") }
        var buffer = [UInt16](repeating: 0, count: Int(size) / 2 + 1)
        err = buffer.withUnsafeMutableBufferPointer { call($0.baseAddress, size, &size) }
        guard err == 0 else { throw CLIError("\(name) failed: \(describe(err))") }
        return buffer.withUnsafeBufferPointer { parseWideList($0.baseAddress!, bytes: size, typed: false).map(\.text) }
    }
}
