import BackupEngine

// Fault injection for C and Python tests: what `winbackupctl fault add|clear` does, as exports.
// HRESULTs as Ntdsbcli returns them; docs/FAULTS.md describes the spec language.

/// WbInjectFaultA (WINBACKUP.@)
/// Adds a fault to the server's settings: "read-error --file C:\Windows\NTDS\ntds.dit --offset 16384".
@c(WbInjectFaultA)
public func WbInjectFaultA(_ szServerName: UnsafePointer<CChar>?, _ szSpec: UnsafePointer<CChar>?) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName), .narrow("szSpec", szSpec)]) { () throws(BackupError) in
        try injectFault(CString.narrow(szServerName, "szServerName"), CString.narrow(szSpec, "szSpec"))
    }
}

/// WbInjectFaultW (WINBACKUP.@)
@c(WbInjectFaultW)
public func WbInjectFaultW(_ szServerName: UnsafePointer<UInt16>?, _ szSpec: UnsafePointer<UInt16>?) -> HRESULT {
    ntdsbcli([.wide("szServerName", szServerName), .wide("szSpec", szSpec)]) { () throws(BackupError) in
        try injectFault(CString.wide(szServerName, "szServerName"), CString.wide(szSpec, "szSpec"))
    }
}

/// WbClearFaultsA (WINBACKUP.@)
/// Removes every fault of the server.
@c(WbClearFaultsA)
public func WbClearFaultsA(_ szServerName: UnsafePointer<CChar>?) -> HRESULT {
    ntdsbcli([.narrow("szServerName", szServerName)]) { () throws(BackupError) in try registry.find(CString.narrow(szServerName, "szServerName")).clearFaults() }
}

/// WbClearFaultsW (WINBACKUP.@)
@c(WbClearFaultsW)
public func WbClearFaultsW(_ szServerName: UnsafePointer<UInt16>?) -> HRESULT {
    ntdsbcli([.wide("szServerName", szServerName)]) { () throws(BackupError) in try registry.find(CString.wide(szServerName, "szServerName")).clearFaults() }
}

/// WbInjectFaultA and WbInjectFaultW: the server first (an unknown one is hrCouldNotConnect),
/// then the spec (any problem is ERROR_INVALID_PARAMETER).
private func injectFault(_ name: String, _ spec: String) throws(BackupError) {
    let server = try registry.find(name)
    try server.injectFault(OptionParsing.words(spec, singleQuotes: true))
}
