import BackupEngine
import CWinBackup
import Glibc

/// Buffers this library hands to callers (name lists, expiry tokens). Each is remembered until
/// DsBackupFree (or CertSrvBackupFree, JetFreeBuffer) releases it; a pointer the library did not
/// hand out is reported, never passed to free().
enum LibraryBuffers {
    private static let live = Lock(Set<UInt>())

    /// A zero-filled buffer of `bytes` bytes, or nil when memory is short.
    static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer? {
        guard let p = calloc(1, max(bytes, 1)) else { return nil }
        _ = live.withLock { $0.insert(UInt(bitPattern: p)) }
        if CallSettings.strict { Strict.allocated(p, bytes) }
        return p
    }

    /// A buffer holding `bytes`.
    static func copy(_ bytes: [UInt8]) throws(BackupError) -> UnsafeMutableRawPointer {
        guard let p = allocate(bytes.count) else { throw .outOfMemory }
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return p
    }

    /// Releases a buffer; false if the pointer is not one of ours (nothing is freed then).
    @discardableResult
    static func release(_ p: UnsafeMutableRawPointer?, by function: String) -> Bool {
        guard let p else { return true }
        let ours = live.withLock { $0.remove(UInt(bitPattern: p)) != nil }
        if ours {
            if CallSettings.strict { Strict.freed(p) }
            free(p)
        } else {
            Diagnostics.report("\(function): \(p) was not allocated by this library (ignored)")
        }
        return ours
    }

    static var count: Int { live.withLock { $0.count } }
}

/// Messages about misuse that the API cannot return as an error.
enum Diagnostics {
    static func report(_ message: String) {
        writeStandardError("winbackup: \(message)\n")
    }
}
