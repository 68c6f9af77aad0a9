import BackupEngine

// Strict mode's report on demand (docs/TRACING.md): the misuse seen so far, as at exit.

/// WbReportA (WINBACKUP.@)
/// The strict-mode report: one line per misuse, each ending in "\n", then a NUL; "" if none.
/// S_FALSE (and "") when WINBACKUP_STRICT=1 was not set; ERROR_INSUFFICIENT_BUFFER when szReport
/// is NULL or cbReport too small (*pcbNeeded tells).
@c(WbReportA)
public func WbReportA(_ szReport: UnsafeMutablePointer<CChar>?, _ cbReport: UInt32, _ pcbNeeded: UnsafeMutablePointer<UInt32>?) -> HRESULT {
    traced([.pointer("szReport", szReport), .size("cbReport", UInt64(cbReport)), .pointer("pcbNeeded", pcbNeeded)],
           as: CallResult.hresult) {
        let strict = CallSettings.strict
        let text = strict ? Strict.report().map { $0 + "\n" }.joined() : ""
        let bytes = Array(text.utf8) + [0]
        pcbNeeded?.pointee = UInt32(bytes.count)
        guard let szReport, Int(cbReport) >= bytes.count else { return HR.insufficientBuffer }
        for (i, b) in bytes.enumerated() { szReport[i] = CChar(bitPattern: b) }
        return strict ? HR.ok : 1  // S_FALSE: strict mode is off
    }
}
