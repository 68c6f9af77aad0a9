import BackupEngine
import CWinBackup

// Instances of esent.dll: JetCreateInstance, JetSetSystemParameter, JetGetSystemParameter,
// JetInit, JetTerm. An instance is bound to an emulated server at JetInit (EngineInstance).

enum JetInstance {
    static let paramSystemPath: UInt32 = 0
    static let paramTempPath: UInt32 = 1
    static let paramLogFilePath: UInt32 = 2
    static let paramBaseName: UInt32 = 3
    static let paramCircularLog: UInt32 = 17
    static let termStopBackup: UInt32 = 0x4

    /// Names of the live instances, so that a second one with a name in use is refused.
    private static let names = Lock([UInt: String]())
    /// Parameters ESE has and winbackup only keeps (per instance; 0: the defaults).
    private static let kept = Lock([UInt: [UInt32: (number: UInt, text: String?)]]())

    static func create(_ pinstance: UnsafeMutablePointer<UInt>?, _ name: String?) throws(BackupError) {
        guard let pinstance else { throw .nullArgument("pinstance") }
        let name = name ?? ""
        try JetMode.enterMultiple()
        let handle = try names.withLock { (n) throws(BackupError) -> UInt in
            if !name.isEmpty, n.values.contains(where: { $0.lowercased() == name.lowercased() }) { throw .instanceNameInUse(name) }
            let handle = jetInstances.insert(EngineInstance(name: name, parameters: JetMode.defaults))
            n[handle] = name
            return handle
        }
        pinstance.pointee = handle
    }

    /// A JET_INSTANCE* or JET_INSTANCE that stands for the process-wide defaults.
    static func isDefaults(_ value: UInt) -> Bool { value == 0 || value == UInt.max }

    static func set(_ pinstance: UnsafeMutablePointer<UInt>?, _ paramid: UInt32, _ number: UInt, _ text: UnsafeRawPointer?,
                    _ encoding: Encoding) throws(BackupError) {
        let value = pinstance?.pointee ?? 0
        func change(_ p: inout EngineInstance.Parameters) throws(BackupError) {
            switch paramid {
            case paramSystemPath: p.systemPath = try Jet.text(text, encoding, "szParam")
            case paramLogFilePath: p.logFilePath = try Jet.text(text, encoding, "szParam")
            case paramBaseName:
                let base = try Jet.text(text, encoding, "szParam")
                guard base.count == 3, base.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                    throw .invalidParameter("JET_paramBaseName is three letters or digits")
                }
                p.baseName = base
            case paramCircularLog:
                guard number <= 1 else { throw .invalidParameter("JET_paramCircularLog is 0 or 1") }
                p.circularLog = number == 1
            default:
                let kept = (number, try Jet.optionalText(text, encoding, "szParam"))
                Self.kept.withLock { $0[isDefaults(value) ? 0 : value, default: [:]][paramid] = kept }
            }
        }
        if isDefaults(value) {
            try JetMode.setDefaults(change)
        } else {
            try Jet.instance(value).setParameters(change)
        }
    }

    static func get(_ value: UInt, _ paramid: UInt32, _ plParam: UnsafeMutablePointer<UInt>?, _ out: UnsafeMutableRawPointer?,
                    _ cbMax: UInt32, _ encoding: Encoding) throws(BackupError) {
        let instance = isDefaults(value) ? nil : try Jet.instance(value)
        let p = instance?.parameters ?? JetMode.defaults
        let server = instance?.server
        let settings = try server?.settings()
        var text: String?
        var number: UInt?
        switch paramid {
        case paramSystemPath: text = server.map { $0.localPath(settings!.systemPath) + "/" } ?? p.systemPath ?? "./"
        case paramLogFilePath: text = server.map { $0.localPath(settings!.logPath) + "/" } ?? p.logFilePath ?? "./"
        case paramTempPath: text = kept.withLock { $0[isDefaults(value) ? 0 : value]?[paramid]?.text } ?? "./"
        case paramBaseName: text = p.baseName
        case paramCircularLog: number = (settings?.circularLogging ?? p.circularLog ?? false) ? 1 : 0
        default:
            guard let k = kept.withLock({ $0[isDefaults(value) ? 0 : value]?[paramid] }) else {
                throw .invalidParameter("parameter \(paramid) was never set")
            }
            number = k.number
            text = k.text
        }
        if let number {
            guard let plParam else { throw .nullArgument("plParam") }
            plParam.pointee = number
        }
        if let text, number == nil || out != nil {
            guard let out else { throw .nullArgument("szParam") }
            let bytes = MultiString.encode([.init(type: nil, text: text)], encoding).dropLast(encoding == .wide ? 2 : 1)
            guard bytes.count <= Int(cbMax) else { throw .bufferTooSmall(needed: bytes.count) }
            Array(bytes).withUnsafeBytes { out.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        }
    }

    static func initialize(_ pinstance: UnsafeMutablePointer<UInt>?) throws(BackupError) {
        let value = pinstance?.pointee ?? 0
        if isDefaults(value) {
            let handle = try JetMode.initializeLegacy()
            pinstance?.pointee = handle
        } else {
            try Jet.instance(value).initialize()
        }
    }

    static func terminate(_ value: UInt, _ grbit: UInt32) throws(BackupError) {
        let handle = isDefaults(value) ? try legacyHandle() : value
        let instance = try Jet.instance(handle)
        if instance.isInitialized { try instance.terminate(stopBackup: grbit & termStopBackup != 0) }
        _ = jetInstances.remove(handle)
        names.withLock { _ = $0.removeValue(forKey: handle) }
        kept.withLock { _ = $0.removeValue(forKey: handle) }
        JetMode.terminated(handle)
    }

    /// JetTerm(0 or JET_instanceNil): the legacy instance; in multi-instance mode no instance (-1003).
    private static func legacyHandle() throws(BackupError) -> UInt {
        guard let handle = JetMode.legacyHandle else {
            if JetMode.isMultiple { throw .invalidParameter("instance") }
            throw .notInitialized
        }
        return handle
    }
}

/// JetCreateInstance (ESENT.@) - the Windows 2000 name of JetCreateInstanceA.
@c(JetCreateInstance)
public func JetCreateInstance(_ pinstance: UnsafeMutablePointer<UInt>?, _ szInstanceName: UnsafePointer<CChar>?) -> JET_ERR {
    traced([.output("pinstance", pinstance, .handle), .narrow("szInstanceName", szInstanceName)], as: CallResult.jet) {
        JetCreateInstanceA(pinstance, szInstanceName)
    }
}

/// JetCreateInstanceA (ESENT.@)
@c(JetCreateInstanceA)
public func JetCreateInstanceA(_ pinstance: UnsafeMutablePointer<UInt>?, _ szInstanceName: UnsafePointer<CChar>?) -> JET_ERR {
    jet([.output("pinstance", pinstance, .handle), .narrow("szInstanceName", szInstanceName)]) { () throws(BackupError) in
        try JetInstance.create(pinstance, CString.optionalNarrow(szInstanceName, "szInstanceName"))
    }
}

/// JetCreateInstanceW (ESENT.@)
@c(JetCreateInstanceW)
public func JetCreateInstanceW(_ pinstance: UnsafeMutablePointer<UInt>?, _ szInstanceName: UnsafePointer<UInt16>?) -> JET_ERR {
    jet([.output("pinstance", pinstance, .handle), .wide("szInstanceName", szInstanceName)]) { () throws(BackupError) in
        try JetInstance.create(pinstance, CString.optionalWide(szInstanceName, "szInstanceName"))
    }
}

/// JetCreateInstance2 (ESENT.@) - the Windows 2000 name of JetCreateInstance2A.
@c(JetCreateInstance2)
public func JetCreateInstance2(_ pinstance: UnsafeMutablePointer<UInt>?, _ szInstanceName: UnsafePointer<CChar>?,
                               _ szDisplayName: UnsafePointer<CChar>?, _ grbit: UInt32) -> JET_ERR {
    traced([
        .output("pinstance", pinstance, .handle), .narrow("szInstanceName", szInstanceName),
        .narrow("szDisplayName", szDisplayName), .flags("grbit", grbit)
    ], as: CallResult.jet) {
        JetCreateInstance2A(pinstance, szInstanceName, szDisplayName, grbit)
    }
}

/// JetCreateInstance2A (ESENT.@) - the display name and grbit are accepted and unused.
@c(JetCreateInstance2A)
public func JetCreateInstance2A(_ pinstance: UnsafeMutablePointer<UInt>?, _ szInstanceName: UnsafePointer<CChar>?,
                                _ szDisplayName: UnsafePointer<CChar>?, _ grbit: UInt32) -> JET_ERR {
    traced([
        .output("pinstance", pinstance, .handle), .narrow("szInstanceName", szInstanceName),
        .narrow("szDisplayName", szDisplayName), .flags("grbit", grbit)
    ], as: CallResult.jet) {
        JetCreateInstanceA(pinstance, szInstanceName)
    }
}

/// JetCreateInstance2W (ESENT.@)
@c(JetCreateInstance2W)
public func JetCreateInstance2W(_ pinstance: UnsafeMutablePointer<UInt>?, _ szInstanceName: UnsafePointer<UInt16>?,
                                _ szDisplayName: UnsafePointer<UInt16>?, _ grbit: UInt32) -> JET_ERR {
    traced([
        .output("pinstance", pinstance, .handle), .wide("szInstanceName", szInstanceName),
        .wide("szDisplayName", szDisplayName), .flags("grbit", grbit)
    ], as: CallResult.jet) {
        JetCreateInstanceW(pinstance, szInstanceName)
    }
}

/// JetSetSystemParameter (ESENT.@) - the Windows 2000 name of JetSetSystemParameterA.
@c(JetSetSystemParameter)
public func JetSetSystemParameter(_ pinstance: UnsafeMutablePointer<UInt>?, _ sesid: UInt, _ paramid: UInt32, _ lParam: UInt,
                                  _ szParam: UnsafePointer<CChar>?) -> JET_ERR {
    traced([
        .handle("*pinstance", pinstance?.pointee ?? 0), .integer("sesid", Int64(bitPattern: UInt64(sesid))),
        .integer("paramid", Int64(paramid)), .integer("lParam", Int64(bitPattern: UInt64(lParam))),
        .narrow("szParam", szParam)
    ], as: CallResult.jet) {
        JetSetSystemParameterA(pinstance, sesid, paramid, lParam, szParam)
    }
}

/// JetSetSystemParameterA (ESENT.@)
@c(JetSetSystemParameterA)
public func JetSetSystemParameterA(_ pinstance: UnsafeMutablePointer<UInt>?, _ sesid: UInt, _ paramid: UInt32, _ lParam: UInt,
                                   _ szParam: UnsafePointer<CChar>?) -> JET_ERR {
    jet([
        .handle("*pinstance", pinstance?.pointee ?? 0), .integer("sesid", Int64(bitPattern: UInt64(sesid))),
        .integer("paramid", Int64(paramid)), .integer("lParam", Int64(bitPattern: UInt64(lParam))),
        .narrow("szParam", szParam)
    ]) { () throws(BackupError) in try JetInstance.set(pinstance, paramid, lParam, szParam, .narrow) }
}

/// JetSetSystemParameterW (ESENT.@)
@c(JetSetSystemParameterW)
public func JetSetSystemParameterW(_ pinstance: UnsafeMutablePointer<UInt>?, _ sesid: UInt, _ paramid: UInt32, _ lParam: UInt,
                                   _ szParam: UnsafePointer<UInt16>?) -> JET_ERR {
    jet([
        .handle("*pinstance", pinstance?.pointee ?? 0), .integer("sesid", Int64(bitPattern: UInt64(sesid))),
        .integer("paramid", Int64(paramid)), .integer("lParam", Int64(bitPattern: UInt64(lParam))),
        .wide("szParam", szParam)
    ]) { () throws(BackupError) in try JetInstance.set(pinstance, paramid, lParam, szParam, .wide) }
}

/// JetGetSystemParameter (ESENT.@) - the Windows 2000 name of JetGetSystemParameterA.
@c(JetGetSystemParameter)
public func JetGetSystemParameter(_ instance: UInt, _ sesid: UInt, _ paramid: UInt32, _ plParam: UnsafeMutablePointer<UInt>?,
                                  _ szParam: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32) -> JET_ERR {
    traced([
        .handle("instance", instance), .integer("sesid", Int64(bitPattern: UInt64(sesid))),
        .integer("paramid", Int64(paramid)), .output("plParam", plParam, .pointer), .pointer("szParam", szParam),
        .size("cbMax", UInt64(cbMax))
    ], as: CallResult.jet) {
        JetGetSystemParameterA(instance, sesid, paramid, plParam, szParam, cbMax)
    }
}

/// JetGetSystemParameterA (ESENT.@)
@c(JetGetSystemParameterA)
public func JetGetSystemParameterA(_ instance: UInt, _ sesid: UInt, _ paramid: UInt32, _ plParam: UnsafeMutablePointer<UInt>?,
                                   _ szParam: UnsafeMutablePointer<CChar>?, _ cbMax: UInt32) -> JET_ERR {
    jet([
        .handle("instance", instance), .integer("sesid", Int64(bitPattern: UInt64(sesid))),
        .integer("paramid", Int64(paramid)), .output("plParam", plParam, .pointer), .pointer("szParam", szParam),
        .size("cbMax", UInt64(cbMax))
    ]) { () throws(BackupError) in
        try JetInstance.get(instance, paramid, plParam, UnsafeMutableRawPointer(szParam), cbMax, .narrow)
    }
}

/// JetGetSystemParameterW (ESENT.@)
@c(JetGetSystemParameterW)
public func JetGetSystemParameterW(_ instance: UInt, _ sesid: UInt, _ paramid: UInt32, _ plParam: UnsafeMutablePointer<UInt>?,
                                   _ szParam: UnsafeMutablePointer<UInt16>?, _ cbMax: UInt32) -> JET_ERR {
    jet([
        .handle("instance", instance), .integer("sesid", Int64(bitPattern: UInt64(sesid))),
        .integer("paramid", Int64(paramid)), .output("plParam", plParam, .pointer), .pointer("szParam", szParam),
        .size("cbMax", UInt64(cbMax))
    ]) { () throws(BackupError) in
        try JetInstance.get(instance, paramid, plParam, UnsafeMutableRawPointer(szParam), cbMax, .wide)
    }
}

/// JetInit (ESENT.@)
@c(JetInit)
public func JetInit(_ pinstance: UnsafeMutablePointer<UInt>?) -> JET_ERR {
    jet([.handle("*pinstance", pinstance?.pointee ?? 0)]) { () throws(BackupError) in try JetInstance.initialize(pinstance) }
}

/// JetInit2 (ESENT.@) - the grbit (recovery options) is accepted and unused.
@c(JetInit2)
public func JetInit2(_ pinstance: UnsafeMutablePointer<UInt>?, _ grbit: UInt32) -> JET_ERR {
    traced([.handle("*pinstance", pinstance?.pointee ?? 0), .flags("grbit", grbit)], as: CallResult.jet) {
        JetInit(pinstance)
    }
}

/// JetTerm (ESENT.@)
@c(JetTerm)
public func JetTerm(_ instance: UInt) -> JET_ERR {
    traced([.handle("instance", instance)], as: CallResult.jet) {
        JetTerm2(instance, 0)
    }
}

/// JetTerm2 (ESENT.@)
@c(JetTerm2)
public func JetTerm2(_ instance: UInt, _ grbit: UInt32) -> JET_ERR {
    jet([.handle("instance", instance), .flags("grbit", grbit)]) { () throws(BackupError) in
        try JetInstance.terminate(instance, grbit)
    }
}
