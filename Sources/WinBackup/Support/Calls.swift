import BackupEngine

// Every export runs through the call seam (Trace/CallSeam.swift) with its name and its
// arguments; the arguments are an autoclosure, evaluated only when tracing or strict mode is on.

/// Runs the body of an Ntdsbcli export: every BackupError becomes the HRESULT Ntdsbcli returns.
@inline(__always)
func ntdsbcli(_ arguments: @autoclosure () -> [TraceArgument], function: StaticString = #function,
              _ body: () throws(BackupError) -> Void) -> HRESULT {
    CallSeam.run(function, arguments, CallResult.hresult) { hresult(HR.ntdsbcli, body) }
}

/// Runs the body of a Certadm export: every BackupError becomes the HRESULT Certadm returns.
@inline(__always)
func certadm(_ arguments: @autoclosure () -> [TraceArgument], function: StaticString = #function,
             _ body: () throws(BackupError) -> Void) -> HRESULT {
    CallSeam.run(function, arguments, CallResult.hresult) { hresult(HR.certadm, body) }
}

/// Runs the body of a call on a Ds backup context (GetDatabaseNames ... TruncateLogs). Calls on
/// one context are serialised, so a call that another thread's DsBackupEnd overtook (the session
/// it looked up ended under it: the engine says noBackup, and the handle is gone from the table)
/// answers as a call after that End does: ERROR_INVALID_PARAMETER, not hrNoBackup.
@inline(__always)
func ntdsbcliBackup(_ hbc: UnsafeMutableRawPointer?, _ arguments: @autoclosure () -> [TraceArgument],
                    function: StaticString = #function, _ body: () throws(BackupError) -> Void) -> HRESULT {
    ntdsbcliBackup(hbc, arguments(), function: function, answer: { () throws(BackupError) -> BackupError? in try body(); return nil })
}

/// The same for a body that ends with an answer other than S_OK without failing: DsBackupRead's
/// end of file, which every file's read loop meets. It is returned, not thrown (a throw costs
/// the runtime's willThrow hook on every call), and goes through the same mapping.
@inline(__always)
func ntdsbcliBackup(_ hbc: UnsafeMutableRawPointer?, _ arguments: @autoclosure () -> [TraceArgument],
                    function: StaticString = #function, answer body: () throws(BackupError) -> BackupError?) -> HRESULT {
    CallSeam.run(function, arguments, CallResult.hresult) {
        do throws(BackupError) {
            return try body().map(HR.ntdsbcli) ?? HR.ok
        } catch {
            return HR.ntdsbcli(endedMeanwhile(error) { dsBackups.lookup(UInt(handle: hbc)) != nil })
        }
    }
}

/// The same for a CertSrv backup context and CertSrvBackupEnd: E_HANDLE.
@inline(__always)
func certadmBackup(_ hbc: UnsafeMutableRawPointer?, _ arguments: @autoclosure () -> [TraceArgument],
                   function: StaticString = #function, _ body: () throws(BackupError) -> Void) -> HRESULT {
    CallSeam.run(function, arguments, CallResult.hresult) {
        do throws(BackupError) {
            try body()
            return HR.ok
        } catch {
            return HR.certadm(endedMeanwhile(error) { certSrvBackups.lookup(UInt(handle: hbc)) != nil })
        }
    }
}

/// The error a call on a backup context answers with: noBackup from a session that another
/// thread's End removed from its table meanwhile becomes invalidHandle.
@inline(__always)
func endedMeanwhile(_ error: BackupError, _ stillLive: () -> Bool) -> BackupError {
    if case .noBackup = error, !stillLive() { return .invalidHandle }
    return error
}

/// An export whose body is not one of the above: a forwarder (a Windows 2000 name), a Free, a
/// function with checks of its own before the mapping. `result` says how to read what it returns.
@inline(__always)
func traced<R>(_ arguments: @autoclosure () -> [TraceArgument], function: StaticString = #function,
               as result: (R) -> CallResult, _ body: () -> R) -> R {
    CallSeam.run(function, arguments, result, body)
}

/// The one place where errors cross into the ABI (nothing throws across it).
@inline(__always)
func hresult(_ mapping: (BackupError) -> HRESULT, _ body: () throws(BackupError) -> Void) -> HRESULT {
    do {
        try body()
        return HR.ok
    } catch {
        return mapping(error)
    }
}

/// The emulated servers as the environment says now ($WINBACKUP_ROOT).
var registry: ServerRegistry { ServerRegistry() }

/// Converts between handle values and the pointers C sees.
extension UInt {
    init(handle: UnsafeMutableRawPointer?) { self = UInt(bitPattern: handle) }
}

extension UnsafeMutableRawPointer {
    static func handle(_ value: UInt) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: value)! }
}
