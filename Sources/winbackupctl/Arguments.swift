/// The words after a command: positional arguments and --options.
struct Arguments {
    private var words: [String]

    init(_ words: [String]) { self.words = words }

    /// Removes and returns the value of `--name VALUE`, if given.
    mutating func option(_ name: String) throws(CLIError) -> String? {
        guard let i = words.firstIndex(of: name) else { return nil }
        guard i + 1 < words.count else { throw CLIError("\(name) needs a value") }
        let v = words[i + 1]
        words.removeSubrange(i...(i + 1))
        return v
    }

    /// Removes `--name` and says whether it was there.
    mutating func flag(_ name: String) -> Bool {
        guard let i = words.firstIndex(of: name) else { return false }
        words.remove(at: i)
        return true
    }

    /// Removes and returns the next positional argument.
    mutating func positional(_ what: String) throws(CLIError) -> String {
        guard let i = words.firstIndex(where: { !$0.hasPrefix("--") }) else { throw CLIError("missing \(what)") }
        return words.remove(at: i)
    }

    /// The words left over (for options passed on whole).
    var rest: [String] { words }

    func finish() throws(CLIError) {
        if let extra = words.first { throw CLIError("unexpected argument '\(extra)'") }
    }
}
