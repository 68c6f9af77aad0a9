import BackupEngine

/// Runs the body of an Ntdsbcli export: every BackupError becomes the HRESULT Ntdsbcli returns.
@inline(__always)
func ntdsbcli(_ body: () throws(BackupError) -> Void) -> HRESULT { export(body, HR.ntdsbcli) }

/// Runs the body of a Certadm export: every BackupError becomes the HRESULT Certadm returns.
@inline(__always)
func certadm(_ body: () throws(BackupError) -> Void) -> HRESULT { export(body, HR.certadm) }

/// The one place where errors cross into the ABI (nothing throws across it).
@inline(__always)
private func export(_ body: () throws(BackupError) -> Void, _ mapping: (BackupError) -> HRESULT) -> HRESULT {
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
