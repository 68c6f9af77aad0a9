import BackupEngine

/// Runs the body of an Ntdsbcli export: every BackupError becomes the HRESULT Ntdsbcli returns.
/// The one place where errors cross into the ABI (nothing throws across it).
@inline(__always)
func ntdsbcli(_ body: () throws(BackupError) -> Void) -> HRESULT {
    do {
        try body()
        return HR.ok
    } catch {
        return HR.ntdsbcli(error)
    }
}

/// Runs the body of a Certadm export: every BackupError becomes the HRESULT Certadm returns.
@inline(__always)
func certadm(_ body: () throws(BackupError) -> Void) -> HRESULT {
    do {
        try body()
        return HR.ok
    } catch {
        return HR.certadm(error)
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
