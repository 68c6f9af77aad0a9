import CWinBackup
import Glibc

/// The identity this process presents to servers: its own user, or what DsSetAuthIdentity set.
/// Process-wide, as on Windows.
public enum Credentials {
    public struct Explicit: Sendable, Equatable {
        public var user: String
        public var domain: String?
        public var password: String

        public init(user: String, domain: String?, password: String) {
            self.user = user; self.domain = domain; self.password = password
        }
    }

    private static let current = Lock<Explicit?>(nil)

    /// Sets (or, with nil, clears) the credentials of DsSetAuthIdentity.
    public static func set(_ explicit: Explicit?) { current.withLock { $0 = explicit } }

    public static var explicit: Explicit? { current.withLock { $0 } }

    /// The name of the user this process runs as.
    public static func processUser() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return String(geteuid())
    }

    /// The identity of `settings` the caller is; throws accessDenied if none.
    @discardableResult
    static func authorize(_ settings: ServerSettings) throws(BackupError) -> Identity {
        if let e = explicit {
            let match = settings.identities.first { id in
                guard let hash = id.passwordHash, id.user.lowercased() == e.user.lowercased() else { return false }
                if let d = id.domain, d.lowercased() != (e.domain ?? "").lowercased() { return false }
                return wb_crypt_matches(e.password, hash) == 1
            }
            guard let match else { throw .accessDenied("\(e.domain.map { "\($0)\\" } ?? "")\(e.user) may not back up or restore \(settings.name)") }
            return match
        } else {
            let me = processUser()
            guard let match = settings.identities.first(where: { $0.passwordHash == nil && $0.user == me }) else {
                throw .accessDenied("local user \(me) may not back up or restore \(settings.name)")
            }
            return match
        }
    }

    /// A crypt(3) SHA-512 hash of `password`, for the settings file.
    public static func hash(_ password: String) throws(BackupError) -> String {
        var out = [CChar](repeating: 0, count: 256)
        let err = wb_crypt_hash(password, &out, out.count)
        guard err == 0 else { throw .invalidParameter("cannot hash the password: \(String(cString: strerror(err)))") }
        return String(decoding: out.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
