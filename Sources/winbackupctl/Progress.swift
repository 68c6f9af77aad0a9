import BackupEngine
import Glibc

/// A one-line progress bar on a terminal; silent when output is not a terminal.
struct Progress {
    let enabled = isatty(1) == 1
    private var started: UInt64 = 0
    private var lastDraw: UInt64 = 0

    mutating func begin() { started = monotonicNanoseconds(); lastDraw = 0 }

    mutating func update(_ label: String, done: Int64, total: Int64, force: Bool = false) {
        guard enabled else { return }
        let now = monotonicNanoseconds()
        guard force || now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 28
        let filled = min(width, Int(fraction * Double(width)))
        let seconds = Double(now - started) / 1e9
        let rate = seconds > 0 ? Double(done) / seconds / 1_048_576 : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let name = label.count > 24 ? String(label.suffix(24)) : label.padding(24)
        writeStandardOutput("\r  \(name) [\(bar)] \(Int(fraction * 100))%".padding(64) + " \(format(rate, 1)) MiB/s   ")
    }

    func finish() {
        guard enabled else { return }
        writeStandardOutput("\r" + String(repeating: " ", count: 100) + "\r")
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}

func format(_ v: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let r = (v * scale).rounded() / scale
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let have = s.distance(from: dot, to: s.endIndex) - 1
        if have < decimals { s += String(repeating: "0", count: decimals - have) }
    } else if decimals > 0 {
        s += "." + String(repeating: "0", count: decimals)
    }
    return s
}

func formatBytes(_ n: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n), i = 0
    while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
    return i == 0 ? "\(n) B" : "\(format(v, 1)) \(units[i])"
}
