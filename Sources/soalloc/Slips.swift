import ArgumentParser
import Foundation
import SOAllocCore

extension SOAllocCommand {
    /// The one-line message for a slip in `arguments` (a mistyped
    /// subcommand, a long option with one dash), or nil.
    static func slip(in arguments: [String]) -> String? {
        guard let tree = try? commandTree() else { return nil }
        return CommandLineSlips.slip(in: arguments, of: tree) { FileManager.default.fileExists(atPath: $0) }
    }

    /// The commands and their options, from the parser's own description of
    /// them (`--experimental-dump-help`), so that no name is written twice.
    static func commandTree() throws -> CommandTree {
        try JSONDecoder().decode(ToolInfo.self, from: Data(_dumpHelp().utf8)).command.tree
    }
}

/// The part of the parser's description of the commands that the slips need.
private struct ToolInfo: Decodable {
    var command: Command

    struct Command: Decodable {
        var commandName: String
        var defaultSubcommand: String?
        var subcommands: [Command]?
        var arguments: [Argument]?

        var tree: CommandTree {
            let names = (arguments ?? []).flatMap { $0.names ?? [] }
            return CommandTree(
                name: commandName, longOptions: Set(names.filter { $0.kind == "long" }.map(\.name)),
                singleDashOptions: Set(names.filter { $0.kind == "longWithSingleDash" }.map(\.name)),
                subcommands: (subcommands ?? []).map(\.tree), defaultSubcommand: defaultSubcommand)
        }
    }

    struct Argument: Decodable {
        var names: [Name]?
    }

    struct Name: Decodable {
        var kind: String
        var name: String
    }
}
