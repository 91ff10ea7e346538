/// A command and its subcommands, as the command line knows them: what
/// `CommandLineSlips` needs to tell a slip from a file name.
public struct CommandTree: Sendable, Equatable {
    /// The command's name (`soalloc`, `explain`, `show`).
    public var name: String
    /// The names its options take after two dashes (`out`, `method-old`).
    public var longOptions: Set<String>
    /// The names its options take after one dash, which are no slip.
    public var singleDashOptions: Set<String>
    public var subcommands: [CommandTree]
    /// The subcommand run when the command line names none (`run`).
    public var defaultSubcommand: String?

    public init(
        name: String, longOptions: Set<String> = [], singleDashOptions: Set<String> = [], subcommands: [CommandTree] = [],
        defaultSubcommand: String? = nil
    ) {
        self.name = name
        self.longOptions = longOptions
        self.singleDashOptions = singleDashOptions
        self.subcommands = subcommands
        self.defaultSubcommand = defaultSubcommand
    }
}

/// The slips a person makes on the command line, caught before the parser
/// reads it, each told in one line with what was meant:
/// - a word that is no file but within two edits of a subcommand
///   (`expalin`, `rule`, `anonymize`): "did you mean `soalloc explain`?";
/// - a long option with one dash (`-out`): "options take two dashes: --out".
///
/// Edits are counted as the optimal string alignment distance (Levenshtein's
/// insertions, deletions and substitutions, and a swap of two neighbouring
/// letters as one edit), ignoring case: `expalin` is one edit from `explain`.
public enum CommandLineSlips {
    /// The most edits between a word and the subcommand it is taken for.
    static let maximumEdits = 2

    /// The message for the first slip in `arguments` (the command line
    /// without the program's name) against `root`, or nil when there is none.
    /// `isPath` says whether a word names an existing file or folder: such a
    /// word is read as a file, whatever its name.
    public static func slip(in arguments: [String], of root: CommandTree, isPath: (String) -> Bool) -> String? {
        var command = root
        var path = [root.name]
        var index = 0
        while index < arguments.count, !command.subcommands.isEmpty {
            let word = arguments[index]
            if let subcommand = command.subcommands.first(where: { $0.name == word }) {
                command = subcommand
                path.append(word)
                index += 1
                continue
            }
            if !word.hasPrefix("-"), !isPath(word), let meant = nearest(word, among: command.subcommands.map(\.name)) {
                let what =
                    command.defaultSubcommand == nil
                    ? "is not a command of `\(path.joined(separator: " "))`" : "is neither a file nor a command"
                return "`\(word)` \(what): did you mean `\((path + [meant]).joined(separator: " "))`?"
            }
            break
        }
        if let name = command.defaultSubcommand, let subcommand = command.subcommands.first(where: { $0.name == name }) {
            var inUse = subcommand
            inUse.longOptions.formUnion(command.longOptions)
            inUse.singleDashOptions.formUnion(command.singleDashOptions)
            command = inUse
        }
        for argument in arguments[index...] {
            if argument == "--" { break }
            if let option = singleDash(argument, of: command) { return "options take two dashes: --\(option)" }
        }
        return nil
    }

    /// The long option `argument` names with one dash (`-out`, `-out=x`), if any.
    static func singleDash(_ argument: String, of command: CommandTree) -> String? {
        guard argument.hasPrefix("-"), !argument.hasPrefix("--") else { return nil }
        let name = String(argument.dropFirst().prefix { $0 != "=" })
        guard name.count >= 2, command.longOptions.contains(name), !command.singleDashOptions.contains(name) else {
            return nil
        }
        return name
    }

    /// The name nearest to `word`, ignoring case, when it is at most
    /// `maximumEdits` away and some of each is left unedited; the first
    /// of `names` on a tie.
    static func nearest(_ word: String, among names: [String]) -> String? {
        let word = word.lowercased()
        let scored = names.map { (name: $0, edits: edits(word, $0.lowercased())) }
            .filter { $0.edits <= maximumEdits && $0.edits < min(word.count, $0.name.count) }
        return scored.min { $0.edits < $1.edits }?.name
    }

    /// The optimal string alignment distance between `a` and `b`: the fewest
    /// insertions, deletions, substitutions and swaps of neighbours that turn
    /// one into the other, no letter being edited twice.
    static func edits(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        // d[i][j]: the distance between a's first i letters and b's first j.
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
